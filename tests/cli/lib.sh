# Shared helpers for the command-line tests: TAP output, one line per check.
# Each test file sources this, calls the helpers, and ends with `done_testing`.
set -u
: "${K1FW:?K1FW must name the k1fw binary}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VENDOR=${K1FW_VENDOR_DIR:-$TOP/../shared/vendor}
T=$(mktemp -d /tmp/k1fw-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }
have_vendor() { [ -d "$VENDOR/golden" ] && [ -d "$VENDOR/k1-x" ]; }

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $rc.
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }

# expect_rc N DESC CMD...: the command exits with N.
expect_rc() {
	want=$1 desc=$2; shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $rc, wanted $want)"; sed 's/^/#   /' "$T/err" | head -5; fi
}

# expect_fail N PATTERN DESC CMD...: exits N, prints exactly one stderr line matching PATTERN.
expect_fail() {
	want=$1 pat=$2 desc=$3; shift 3
	run "$@"
	lines=$(wc -l <"$T/err" | tr -d ' ')
	if [ "$rc" -eq "$want" ] && grep -q -- "$pat" "$T/err" && [ "$lines" -eq 1 ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, wanted $want; stderr must be one line matching '$pat')"
		sed 's/^/#   /' "$T/err" | head -5
	fi
}

# same_file A B DESC
same_file() {
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3 ($1 differs from $2)"; cmp "$1" "$2" | sed 's/^/#   /'; fi
}

done_testing() { echo "1..$_n"; }
