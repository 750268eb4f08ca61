#!/bin/sh
# k1fw inspect/verify on U-Boot environment images made by mkenvimage: the
# CRC status and the variables agree with the text and with Python's zlib.
. "$(dirname "$0")/lib.sh"

cat >"$T/env.txt" <<'TXT'
# K1-style defaults
bootdelay=0
baudrate=115200
bootcmd=run autoboot; echo done

loadaddr=0x10000000
bootargs=console=ttyS0,115200 root=/dev/mmcblk0p6 rw
fdtfile=spacemit/k1-x_deb1.dtb
empty=
TXT

# compare_env BIN TEXT LAYOUT: inspect --json against an independent reading
# of the text (mkenvimage rules) and zlib's CRC of the data area.
compare_env() {
	"$K1FW" inspect --json "$1" >"$T/insp.json" || return 1
	python3 - "$1" "$2" "$3" "$T/insp.json" <<'PY'
import json, sys, zlib
binf, txtf, layout, insp = sys.argv[1:5]
doc = json.load(open(insp))["files"][0]
data = open(binf, "rb").read()
off = 5 if layout == "redundant" else 4
want_vars = []
for line in open(txtf).read().split("\n"):
    if not line or line.startswith("#"):
        continue
    name, _, value = line.partition("=")
    want_vars.append([name, value])
got_vars = [[v["name"], v["value"]] for v in doc["variables"]]
crc = "0x%08x" % zlib.crc32(data[off:])
errors = []
if doc["format"] != "env": errors.append("format %s" % doc["format"])
if doc["layout"] != layout: errors.append("layout %s" % doc["layout"])
if doc["crc32_computed"] != crc: errors.append("crc %s != zlib %s" % (doc["crc32_computed"], crc))
if doc["crc_ok"] != (int.from_bytes(data[:4], "little") == zlib.crc32(data[off:])):
    errors.append("crc_ok %s" % doc["crc_ok"])
if got_vars != want_vars: errors.append("variables %s != %s" % (got_vars, want_vars))
if layout == "redundant" and doc.get("flags") != data[4]: errors.append("flags")
print("; ".join(errors))
sys.exit(1 if errors else 0)
PY
}

for args in "-s 0x4000" "-r -s 0x4000" "-s 0x2000" "-r -s 0x10000"; do
	layout=plain
	case $args in -r*) layout=redundant ;; esac
	mkenvimage $args -o "$T/env.bin" "$T/env.txt"
	if compare_env "$T/env.bin" "$T/env.txt" $layout >"$T/cmp"; then
		ok "mkenvimage $args: layout, CRC and variables agree"
	else
		not_ok "mkenvimage $args: $(cat "$T/cmp")"
	fi
done

# verify: only the plain 16 KiB image is what K1 U-Boot reads
mkenvimage -s 0x4000 -o "$T/k1.bin" "$T/env.txt"
expect_rc 0 "verify accepts mkenvimage -s 0x4000" "$K1FW" verify "$T/k1.bin"
mkenvimage -r -s 0x4000 -o "$T/red.bin" "$T/env.txt"
expect_rc 1 "verify refuses a redundant image for K1" "$K1FW" verify "$T/red.bin"
grep -q 'FAIL env.k1_layout' "$T/out" && ok "names env.k1_layout" || not_ok "names env.k1_layout"
mkenvimage -s 0x2000 -o "$T/small.bin" "$T/env.txt"
expect_rc 1 "verify refuses an 8 KiB image for K1" "$K1FW" verify "$T/small.bin"
grep -q 'FAIL env.k1_size' "$T/out" && ok "names env.k1_size" || not_ok "names env.k1_size"

# damage: a flipped byte anywhere after the CRC is found by the CRC
for pos in 0 3 40 70 200 16383; do
	cp "$T/k1.bin" "$T/flip.bin"
	printf '\001' | dd of="$T/flip.bin" bs=1 seek=$pos conv=notrunc status=none
	expect_rc 1 "byte $pos overwritten: verify fails" "$K1FW" verify "$T/flip.bin"
	grep -q 'FAIL env.crc32 @ 0x0' "$T/out" && ok "byte $pos: env.crc32 named" ||
		not_ok "byte $pos: env.crc32 not named"
done
cp "$T/k1.bin" "$T/bad.bin"
printf 'x' | dd of="$T/bad.bin" bs=1 seek=200 conv=notrunc status=none
expect_rc 1 "garbage after the list" "$K1FW" verify "$T/bad.bin"
grep -q 'FAIL env.padding @ 0xc8' "$T/out" && ok "env.padding at 0xc8" || not_ok "env.padding"

# truncation: recognised and failed, or not recognised; one line, no crash
bad=0
for n in $(seq 0 64) 100 1000 8192 16000 16383; do
	head -c $n "$T/k1.bin" >"$T/cut.bin"
	run "$K1FW" verify "$T/cut.bin"
	lines=$(wc -l <"$T/err" | tr -d ' ')
	case $rc in 1 | 2) ;; *) bad=$((bad + 1)); echo "# $n bytes: exit $rc" ;; esac
	[ "$lines" -le 1 ] || { bad=$((bad + 1)); echo "# $n bytes: $lines stderr lines"; }
	run "$K1FW" inspect "$T/cut.bin"
	case $rc in 0 | 2) ;; *) bad=$((bad + 1)); echo "# inspect $n bytes: exit $rc" ;; esac
done
[ $bad -eq 0 ] && ok "every truncation: exit 1 or 2, at most one error line" ||
	not_ok "$bad truncations misbehaved"
head -c 16000 "$T/k1.bin" >"$T/cut.bin"
expect_rc 1 "a truncated env is still recognised" "$K1FW" verify "$T/cut.bin"

# not an environment
head -c 16384 /dev/zero >"$T/zero.bin"
expect_fail 2 "not a K1 artefact" "zeros are not an environment" "$K1FW" inspect "$T/zero.bin"
head -c 16384 /dev/zero | tr '\0' '\377' >"$T/ff.bin"
expect_fail 2 "not a K1 artefact" "erased flash is not an environment" "$K1FW" inspect "$T/ff.bin"
done_testing
