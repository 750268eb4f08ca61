#!/bin/sh
# Fault injection (issue 8): k1fw flash through random faults of k1fw
# emulate; see faults.py. FAULT_RUNS (default 12) faults per build; the
# campaign figures in the README come from FAULT_RUNS=300.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
. "$TOP/tests/cli/emu.sh"
make_bundle rel 3145728
python3 "$TOP/tests/cli/faults.py" "$K1FW" rel "$T/work" "${FAULT_RUNS:-12}" "${FAULT_SEED:-1}"
