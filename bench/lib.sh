# Shared by the benchmark scripts (source it with build set): the tools a
# benchmark needs, a scratch folder removed on exit together with the
# emulator it started, and a release's firmware from seeded bytes.
top=$(cd "$(dirname "$0")/.." && pwd)
k1fw=${K1FW_BIN:-$top/$build/k1fw} # K1FW_BIN: another build to measure (an older one)
epid=""
shm=""
stop_emu() { [ -n "$epid" ] && kill "$epid" 2>/dev/null && wait "$epid" 2>/dev/null; epid=""; }

# bench_need NAME TOOL...: the benchmark is skipped (exit 0) without one
bench_need() {
	name=$1
	shift
	for tool; do
		command -v "$tool" >/dev/null || { echo "bench $name: $tool missing: skipped"; exit 0; }
	done
}

# bench_scratch PREFIX: a fresh folder under /tmp, entered; on exit the
# emulator is stopped and the folder (and $shm, when set) removed
bench_scratch() {
	tmp=$(mktemp -d "/tmp/$1-XXXXXX")
	trap 'stop_emu; rm -rf "$tmp" ${shm:+"$shm"}' EXIT
	trap 'exit 130' INT TERM
	cd "$tmp"
}

# bench_firmware: keys, OpenSBI, U-Boot and SPL payloads and a DTB for
# `k1fw bundle` (the same bytes on every run)
bench_firmware() {
	"$k1fw" keygen -o keys >/dev/null
	python3 "$top/tests/cli/seeded.py" 150000 fw_bin >fw.bin
	python3 "$top/tests/cli/seeded.py" 700000 ub_bin >ub.bin
	python3 "$top/tests/cli/seeded.py" 100000 spl_bin >spl.bin
	printf '/dts-v1/;\n/ { model = "bench"; };\n' | dtc -q -I dts -O dtb -o k1-x_deb1.dtb -
}
