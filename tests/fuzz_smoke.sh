#!/bin/sh
# Fuzz smoke test for `make check`: every libFuzzer target in FUZZDIR runs
# its seed corpus (k1fw-made artefacts, fuzz/regress/ and, when present,
# the vendor's files; see fuzz/seeds.sh) and then fuzzes for a few seconds.
# TAP output, one line per target. Usage: tests/fuzz_smoke.sh FUZZDIR K1FW
set -u
fuzzdir=$1 k1fw=$2
secs=${FUZZ_SMOKE_SECONDS:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/k1fw-fuzzsmoke-XXXXXX)
trap 'rm -rf "$work"' EXIT
sh "$top/fuzz/seeds.sh" "$k1fw" "$work/seeds" || { echo "not ok 1 - fuzz seeds"; exit 1; }
n=0
for t in "$fuzzdir"/fuzz_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	name=$(basename "$t")
	mkdir -p "$work/corpus/$name"
	if "$t" -max_total_time="$secs" -rss_limit_mb=2048 -artifact_prefix="$work/$name-" \
		"$work/corpus/$name" "$work/seeds" >"$work/$name.log" 2>&1; then
		echo "ok $n - $name: seeds and ${secs} s of fuzzing, no finding"
	else
		echo "not ok $n - $name: finding (input saved as $work/$name-*)"
		grep -E "ERROR|SUMMARY|runtime error" "$work/$name.log" | head -5 | sed 's/^/# /'
		cp "$work/$name"-* "$top/build/" 2>/dev/null && echo "# copied to build/"
	fi
done
echo "1..$n"
