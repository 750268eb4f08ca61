#!/bin/sh
# Fuzz replay for `make check`: every libFuzzer target in FUZZDIR runs each
# input of the fixed seed corpus once (k1fw-made artefacts from fixed keys
# and seeded payloads, fuzz/regress/ and, when present, the vendor's files;
# see fuzz/seeds.sh). No mutation, so a clean tree gives the same result on
# every run; random fuzzing is `make fuzz` (fuzz/run.sh).
# TAP output, one line per target. Usage: tests/fuzz_smoke.sh FUZZDIR K1FW
set -u
fuzzdir=$1 k1fw=$2
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/k1fw-fuzzsmoke-XXXXXX)
trap 'rm -rf "$work"' EXIT
sh "$top/fuzz/seeds.sh" "$k1fw" "$work/seeds" || { echo "not ok 1 - fuzz seeds"; exit 1; }
inputs=$(find "$work/seeds" -type f | LC_ALL=C sort)
count=$(echo "$inputs" | wc -l | tr -d ' ')
n=0
for t in "$fuzzdir"/fuzz_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	name=$(basename "$t")
	# files (not folders) as arguments: libFuzzer runs each once and stops
	# shellcheck disable=SC2086 # one argument per input file
	if "$t" -rss_limit_mb=2048 $inputs >"$work/$name.log" 2>&1; then
		echo "ok $n - $name: $count fixed inputs replayed, no finding"
	else
		bad=$(grep '^Running: ' "$work/$name.log" | tail -1 | sed 's/^Running: //')
		echo "not ok $n - $name: finding on $(basename "$bad")"
		grep -E "ERROR|SUMMARY|runtime error" "$work/$name.log" | head -5 | sed 's/^/# /'
		cp "$bad" "$top/build/$name-$(basename "$bad")" 2>/dev/null && echo "# input copied to build/"
	fi
done
echo "1..$n"
