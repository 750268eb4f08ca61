#!/bin/sh
# Runs every fuzz target in build/fuzz for N seconds (default 60) on its
# corpus in build/fuzz/corpus/TARGET, seeded by fuzz/seeds.sh (k1fw-made
# artefacts, fuzz/regress/, the vendor's files when present). Prints one
# figure line per target; exits 1 at the first finding, whose input is
# saved in build/fuzz/ (add it to fuzz/regress/ once fixed).
set -eu
secs=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
fz="$top/build/fuzz"
sh "$top/fuzz/seeds.sh" "$top/build/k1fw" "$fz/seeds"
for t in "$fz"/fuzz_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	mkdir -p "$fz/corpus/$n"
	if ! "$t" -max_total_time="$secs" -rss_limit_mb=4096 -artifact_prefix="$fz/$n-" \
		"$fz/corpus/$n" "$fz/seeds" >"$fz/$n.log" 2>&1; then
		echo "$n: FINDING, see $fz/$n.log"
		exit 1
	fi
	echo "$n: $(grep -E '^Done [0-9]+ runs' "$fz/$n.log" | tail -1)"
done
