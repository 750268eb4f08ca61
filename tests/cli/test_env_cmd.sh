#!/bin/sh
# k1fw env against mkenvimage (u-boot-tools): same bytes for the same text.
. "$(dirname "$0")/lib.sh"

cat >"$T/env.txt" <<'TXT'
# K1 defaults
bootdelay=0
baudrate=115200
bootcmd=run autoboot

loadaddr=0x10000000
multi=line one\
line two
empty=
TXT
: >"$T/empty.txt"
printf 'no_newline_at_end=1' >"$T/nonl.txt"
for f in env.txt empty.txt nonl.txt; do
	for args in "-s 0x4000" "-s 0x4000 -r" "-s 0x10000" "-s 512 -r"; do
		mkenvimage $args -o "$T/want.bin" "$T/$f"
		expect_rc 0 "k1fw env $args $f" "$K1FW" env $args -i "$T/$f" -o "$T/got.bin"
		same_file "$T/got.bin" "$T/want.bin" "$f with $args equals mkenvimage"
	done
done
"$K1FW" env -i - -o "$T/stdin.bin" <"$T/env.txt"
mkenvimage -s 0x4000 -o "$T/want.bin" "$T/env.txt"
same_file "$T/stdin.bin" "$T/want.bin" "text from standard input"
expect_rc 0 "the default size is 16 KiB" "$K1FW" env -i "$T/env.txt" -o "$T/def.bin"
[ "$(stat -c %s "$T/def.bin")" = 16384 ] && ok "16384 bytes" || not_ok "default size"
expect_rc 0 "k1fw inspect reads it back" "$K1FW" inspect --json "$T/def.bin"
grep -q '"bootcmd"' "$T/out" && ok "inspect lists bootcmd" || not_ok "inspect lists bootcmd"
expect_rc 0 "k1fw verify accepts it" "$K1FW" verify "$T/def.bin"

head -c 20000 /dev/zero | tr '\0' 'x' | sed 's/^/big=/' >"$T/big.txt"
expect_fail 2 "big.txt" "text larger than the image is refused" "$K1FW" env -i "$T/big.txt" -o "$T/big.bin"
[ ! -e "$T/big.bin" ] && ok "no output after the refusal" || not_ok "partial output left"
expect_fail 2 "size: expected" "bad size" "$K1FW" env -s 12Q -i "$T/env.txt" -o "$T/x.bin"
expect_fail 2 "missing -i" "missing input option" "$K1FW" env -o "$T/x.bin"
expect_fail 2 "cannot open" "missing input file" "$K1FW" env -i "$T/none.txt" -o "$T/x.bin"
done_testing
