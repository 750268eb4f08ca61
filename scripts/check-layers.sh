#!/bin/sh
# The library's layers, lowest first: a file under lib/ may include headers of
# its own layer and of lower ones only, and every .c lives in a layer folder.
# Prints each violation and exits 1 when there is one.
set -u
cd "$(dirname "$0")/.."
layers="base format recipe image release fastboot flash emu"
rank() { # $1 = layer name -> its position, or nothing
	i=0
	for l in $layers; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
}
bad=0
for f in lib/*.c lib/*.h; do
	[ -e "$f" ] || continue
	echo "$f: not in a layer folder ($layers)"
	bad=1
done
for f in lib/*/*.c lib/*/*.h; do
	layer=${f#lib/}
	layer=${layer%%/*}
	own=$(rank "$layer")
	if [ -z "$own" ]; then
		echo "$f: $layer is not a layer ($layers)"
		bad=1
		continue
	fi
	grep -n '^#include "' "$f" | while IFS= read -r line; do
		inc=${line#*\"}
		inc=${inc%\"*}
		case $inc in
		*/*) ;;
		*) echo "$f:${line%%:*}: include \"$inc\" without its folder"; echo x >&3; continue ;;
		esac
		r=$(rank "${inc%%/*}")
		if [ -z "$r" ] || [ "$r" -gt "$own" ]; then
			echo "$f:${line%%:*}: $layer/ includes \"$inc\", a higher layer"
			echo x >&3
		fi
	done 3>>"${TMPDIR:-/tmp}/k1fw-layers.$$"
done
[ -s "${TMPDIR:-/tmp}/k1fw-layers.$$" ] && bad=1
rm -f "${TMPDIR:-/tmp}/k1fw-layers.$$"
[ "$bad" -eq 0 ] && echo "layers: ok"
exit "$bad"
