#!/bin/sh
# Differential test of `k1fw build` against the vendor's build_binary_file.py:
# random valid recipes (tests/cli/gen_recipes.py) must give identical bytes.
# Runs only when K1FW_VENDOR_SCRIPT names the vendor script (python3 and the
# openssl tool needed); K1FW_DIFF_COUNT (200) and K1FW_DIFF_SEED (1) tune it.
. "$(dirname "$0")/lib.sh"

count=${K1FW_DIFF_COUNT:-200}
seed=${K1FW_DIFF_SEED:-1}
script=${K1FW_VENDOR_SCRIPT:-}

if [ -z "$script" ] || [ ! -f "$script" ]; then
	skip "differential test: set K1FW_VENDOR_SCRIPT to the vendor build_binary_file.py"
	done_testing
	exit 0
fi
need_tools "differential tests" "python3, openssl" python3 openssl

if ! python3 "$TOP/tests/cli/gen_recipes.py" "$T/r" "$count" "$seed" 2>"$T/gen.err"; then
	not_ok "generate $count recipes"
	sed 's/^/#   /' "$T/gen.err"
	done_testing
	exit 1
fi
ok "generated $count recipes (seed $seed)"

# Some versions of the script take -d DIR (and write DIR/OUT), others write -o.
if python3 "$script" --help 2>/dev/null | grep -q -- ' -d '; then dflag=yes; else dflag=; fi

same=0 differ=0
mkdir -p "$T/vendor" "$T/k1fw"
for r in "$T"/r/r*.json; do
	n=$(basename "$r" .json)
	if [ -n "$dflag" ]; then
		python3 "$script" -c "$r" -o "$n.bin" -d "$T/vendor" >/dev/null 2>"$T/vendor/$n.err"
	else
		python3 "$script" -c "$r" -o "$T/vendor/$n.bin" >/dev/null 2>"$T/vendor/$n.err"
	fi
	if ! "$K1FW" build -c "$r" -o "$T/k1fw/$n.bin" 2>"$T/k1fw/$n.err"; then
		differ=$((differ + 1))
		echo "# $n: k1fw failed: $(cat "$T/k1fw/$n.err")"
	elif [ ! -f "$T/vendor/$n.bin" ] || grep -q Traceback "$T/vendor/$n.err"; then
		differ=$((differ + 1))
		echo "# $n: the vendor script failed: $(tail -n 1 "$T/vendor/$n.err")"
	elif cmp -s "$T/vendor/$n.bin" "$T/k1fw/$n.bin"; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		echo "# $n: outputs differ: $(cmp "$T/vendor/$n.bin" "$T/k1fw/$n.bin" 2>&1 | head -1)"
		[ -n "${K1FW_DIFF_KEEP:-}" ] && cp -r "$T" "$K1FW_DIFF_KEEP"
	fi
done
if [ "$differ" -eq 0 ]; then
	ok "$same of $count random recipes: k1fw and the vendor script write the same bytes"
else
	not_ok "$differ of $count random recipes differ ($same identical)"
fi
done_testing
