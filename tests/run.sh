#!/bin/sh
# Runs every test against each build folder given (plain, then sanitized):
# the cmocka unit tests (TAP output) and the command-line tests in
# tests/cli/. Prints per-suite results and ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export K1FW_SRCDIR="$top"
[ -n "${K1FW_VENDOR_DIR:-}" ] || export K1FW_VENDOR_DIR="$top/../shared/vendor"
if [ ! -d "$K1FW_VENDOR_DIR" ]; then
	echo "NOTE: vendor ground truth not found at $K1FW_VENDOR_DIR: golden tests will SKIP"
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0 failed=0 skipped=0
log=$(mktemp -d /tmp/k1fw-run-XXXXXX)
trap 'rm -rf "$log"' EXIT

# Each suite writes its own file: a background process a suite left behind
# must not write into the next suite's results.
suites=0

wanted() { # $1 = suite name (unit, test_env, ...)
	[ -z "${K1FW_SUITES:-}" ] && return 0
	case " $K1FW_SUITES " in *" $1 "*) return 0 ;; esac
	return 1
}

count() { # $1 = TAP output file, $2 = exit status, $3 = suite name
	# cmocka reports a skipped test as "not ok N # SKIP name"
	# -a: a stray NUL in a suite's output must not hide its results
	s=$(grep -a -c -E '^(not )?ok [0-9]+ # SKIP' "$1" | tr -d ' ')
	p=$(grep -a -E '^ok ' "$1" | grep -c -v '# SKIP' | tr -d ' ')
	f=$(grep -a -E '^not ok ' "$1" | grep -c -v '# SKIP' | tr -d ' ')
	grep -a -E '^(not )?ok [0-9]+ # SKIP' "$1" | sed "s|^|SKIP $3: |"
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or a sanitizer stopped it before it could report
		echo "FAIL $3: exited with status $2"
		tail -n 30 "$1" | sed 's/^/    /'
	fi
	# a suite that stopped early reports fewer tests than its plan (1..N)
	plan=$(grep -a -E '^1\.\.[0-9]+$' "$1" | tail -n 1 | cut -d. -f3)
	if [ -n "$plan" ] && [ $((p + f + s)) -ne "$plan" ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $3: planned $plan tests, reported $((p + s))"
	fi
	grep -a "^not ok " "$1" | grep -v '# SKIP' | sed "s|^|FAIL $3: |"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%-40s %3d passed, %d failed, %d skipped\n' "$3" "$p" "$f" "$s"
}

for build in "$@"; do
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] && wanted unit || continue
		name="$build/$(basename "$t")"
		suites=$((suites + 1)) out="$log/$suites.out"
		(cd "$top" && CMOCKA_MESSAGE_OUTPUT=TAP "$t") >"$out" 2>&1
		count "$out" $? "$name"
	done
	for t in "$top"/tests/cli/test_*.sh; do
		[ -f "$t" ] && wanted "$(basename "$t" .sh)" || continue
		name="$build/cli/$(basename "$t" .sh)"
		suites=$((suites + 1)) out="$log/$suites.out"
		(cd "$top" && K1FW="$top/$build/k1fw" sh "$t") >"$out" 2>&1
		count "$out" $? "$name"
	done
done
# The fuzz targets (built by `make check` into $K1FW_FUZZ_DIR): each replays
# its fixed seed corpus (no random fuzzing: the same result every run).
if [ -n "${K1FW_FUZZ_DIR:-}" ]; then
	sh "$top/tests/fuzz_smoke.sh" "$K1FW_FUZZ_DIR" "$top/$1/k1fw" >"$log/out" 2>&1
	count "$log/out" $? "$K1FW_FUZZ_DIR (fuzz smoke)"
fi
[ "$skipped" -gt 0 ] && echo "($skipped skipped: see SKIP lines above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
