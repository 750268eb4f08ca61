#!/bin/sh
# Runs every fuzz target for N seconds (default 30), seeded with the vendor
# files when they are present. Stops at the first crash.
set -eu
secs=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
seeds="${K1FW_VENDOR_DIR:-$top/../shared/vendor}/golden"
make -C "$top" fuzz >/dev/null
for t in "$top"/build/fuzz/fuzz_*; do
	corpus="$top/build/fuzz/corpus/$(basename "$t")"
	mkdir -p "$corpus"
	echo "== $(basename "$t") ($secs s)"
	if [ -d "$seeds" ]; then
		"$t" -max_total_time="$secs" -rss_limit_mb=4096 "$corpus" "$seeds" 2>&1 | tail -n 3
	else
		"$t" -max_total_time="$secs" -rss_limit_mb=4096 "$corpus" 2>&1 | tail -n 3
	fi
done
