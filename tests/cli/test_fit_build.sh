#!/bin/sh
# k1fw fit opensbi / uboot / set-memory: byte-identical to `mkimage -f` on
# the equivalent .its (every hash algorithm, options, a >1 KiB growth step),
# listed by dumpimage, verified by k1fw verify and by our own CRC-32 over
# dumpimage's extraction; reproducible; set-memory against dtc-compiled trees
# and mkimage FITs (embedded, -E, -p, -B); the vendor u-boot.itb rebuilt
# from its parts; bad input refused in one line with no output left.
. "$(dirname "$0")/lib.sh"

need_tools "FIT build tests" "u-boot-tools, device-tree-compiler" mkimage dtc dumpimage fdtget
cd "$T" || exit 1
export SOURCE_DATE_EPOCH=1700000000

# --- inputs: payloads, device trees from dtc ---
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 131 + 7) & 255 for i in range(200003)))' >fw_dynamic.bin
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 17 + 3) & 255 for i in range(100001)))' >u-boot-nodtb.bin
dts() { # dts NAME REG: a K1-like tree whose memory@0 has REG
	cat >"$1.dts" <<EOF
/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	model = "k1fw test board";
	compatible = "spacemit,k1-x", "riscv";
	memory@0 { device_type = "memory"; reg = <$2>; };
	chosen { bootargs = "console=ttyS0,115200"; };
};
EOF
	dtc -q -I dts -O dtb -o "$1.dtb" "$1.dts"
}
dts k1-x_m2 "0x0 0x0 0x0 0x80000000"
dts k1-x_m4 "0x0 0x0 0x0 0x80000000 0x1 0x0 0x0 0x80000000"
dts k1-x_m8 "0x0 0x0 0x0 0x80000000 0x1 0x0 0x1 0x80000000"
dts k1-x_m16 "0x0 0x0 0x0 0x80000000 0x1 0x0 0x3 0x80000000"

# its_opensbi ALG LOAD ENTRY, its_uboot ALG DEFAULT_N ENTRY DTB...: the vendor .its
its_opensbi() {
	cat <<EOF
/dts-v1/;
/ {
	description = "Configuration to load OpenSBI before U-Boot";
	#address-cells = <2>;
	fit,fdt-list = "of-list";
	images {
		opensbi {
			description = "OpenSBI fw_dynamic Firmware";
			type = "firmware"; os = "opensbi"; arch = "riscv"; compression = "none";
			load = <0x0 $2>; entry = <0x0 $3>;
			data = /incbin/("fw_dynamic.bin");
			hash-1 { algo = "$1"; };
		};
	};
	configurations {
		default = "config_1";
		config_1 { description = "opensbi FIT config"; firmware = "opensbi"; };
	};
};
EOF
}
its_uboot() {
	alg=$1 dflt=$2 entry=$3; shift 3
	printf '/dts-v1/;\n/ {\n\tdescription = "U-boot FIT image for k1x";\n'
	printf '\t#address-cells = <2>;\n\tfit,fdt-list = "of-list";\n\timages {\n'
	printf '\t\tuboot {\n\t\t\tdescription = "U-Boot"; type = "standalone"; os = "U-Boot";\n'
	printf '\t\t\tarch = "riscv"; compression = "none"; load = <0x0 0x00200000>;\n'
	[ -n "$entry" ] && printf '\t\t\tentry = <0x0 %s>;\n' "$entry"
	printf '\t\t\tdata = /incbin/("u-boot-nodtb.bin");\n\t\t\thash-1 { algo = "%s"; };\n\t\t};\n' "$alg"
	n=0
	for d in "$@"; do
		n=$((n + 1))
		printf '\t\tfdt_%d { description = "%s"; type = "flat_dt"; compression = "none";\n' $n "${d%.dtb}"
		printf '\t\t\tdata = /incbin/("%s"); hash-1 { algo = "%s"; }; };\n' "$d" "$alg"
	done
	printf '\t};\n\tconfigurations {\n\t\tdefault = "conf_%d";\n' "$dflt"
	n=0
	for d in "$@"; do
		n=$((n + 1))
		printf '\t\tconf_%d { description = "%s"; loadables = "uboot"; fdt = "fdt_%d"; };\n' $n "${d%.dtb}" $n
	done
	printf '\t};\n};\n'
}
mkimg() { mkimage "$@" >/dev/null 2>mkimage.err || { cat mkimage.err; return 1; }; }

# --- help ---
for sub in "" opensbi uboot set-memory; do
	# shellcheck disable=SC2086
	expect_rc 0 "fit $sub --help" "$K1FW" fit $sub --help
done

# --- opensbi: mkimage agreement for every hash algorithm ---
for alg in crc32 md5 sha1 sha256 sha384 sha512; do
	its_opensbi "$alg" 0x0 0x0 >o.its
	mkimg -f o.its m.itb
	expect_rc 0 "fit opensbi --hash $alg" "$K1FW" fit opensbi --in fw_dynamic.bin --hash "$alg" -o k.itb
	same_file k.itb m.itb "fit opensbi --hash $alg equals mkimage's bytes"
done
its_opensbi crc32 0x1000000 0x1000400 >o.its
mkimg -f o.its m.itb
"$K1FW" fit opensbi --in fw_dynamic.bin --load 0x1000000 --entry 0x1000400 -o k.itb
same_file k.itb m.itb "fit opensbi --load/--entry equal mkimage's bytes"
run dumpimage -l k.itb
if [ "$rc" -eq 0 ] && grep -q 'Image 0 (opensbi)' "$T/out" && grep -q 'Load Address: 0x01000000' "$T/out"; then
	ok "dumpimage -l lists fw_dynamic.itb"
else not_ok "dumpimage -l lists fw_dynamic.itb"; fi
expect_rc 0 "k1fw verify passes fw_dynamic.itb" "$K1FW" verify k.itb

# --- uboot: mkimage agreement ---
for alg in crc32 md5 sha1 sha256 sha384 sha512; do
	its_uboot "$alg" 2 "" k1-x_m2.dtb k1-x_m4.dtb >u.its
	mkimg -f u.its m.itb
	"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb --dtb k1-x_m4.dtb --default k1-x_m4 \
		--hash "$alg" -o k.itb
	same_file k.itb m.itb "fit uboot --hash $alg --default equals mkimage's bytes"
done
its_uboot crc32 1 0x200000 k1-x_m2.dtb >u.its
mkimg -f u.its m.itb
"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb --entry 0x200000 -o k.itb
same_file k.itb m.itb "fit uboot --entry equals mkimage's bytes"
# 24 boards with sha512: mkimage's additions pass 1 KiB, so it grows by 2
list=""
for i in $(seq 1 24); do cp k1-x_m2.dtb "board$i.dtb"; list="$list board$i.dtb"; done
# shellcheck disable=SC2086
its_uboot sha512 1 "" $list >u.its
mkimg -f u.its m.itb
# shellcheck disable=SC2046
"$K1FW" fit uboot --in u-boot-nodtb.bin $(for d in $list; do printf ' --dtb %s' "$d"; done) --hash sha512 -o k.itb
same_file k.itb m.itb "fit uboot, 24 boards, sha512 (2 KiB growth) equals mkimage's bytes"
"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb --dtb k1-x_m4.dtb -o u.itb
run dumpimage -l u.itb
if [ "$rc" -eq 0 ] && grep -q 'Image 2 (fdt_2)' "$T/out" && grep -q "Default Configuration: 'conf_1'" "$T/out"; then
	ok "dumpimage -l lists u-boot.itb (default: the first --dtb)"
else not_ok "dumpimage -l lists u-boot.itb"; fi
expect_rc 0 "k1fw verify passes u-boot.itb" "$K1FW" verify u.itb
"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb deb1=k1-x_m2.dtb --dtb "$T/k1-x_m4.dtb" -o n.itb
[ "$(fdtget n.itb /configurations/conf_1 description)" = deb1 ] &&
	[ "$(fdtget n.itb /images/fdt_2 description)" = k1-x_m4 ] &&
	ok "--dtb NAME=FILE names the board; FILE's base name is the default" ||
	not_ok "--dtb names: $(fdtget n.itb /configurations/conf_1 description) $(fdtget n.itb /images/fdt_2 description)"

# --- reproducible: SOURCE_DATE_EPOCH, else the newest input mtime ---
"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb -o r1.itb
"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb -o r2.itb
same_file r1.itb r2.itb "two builds give the same bytes"
[ "$(fdtget -t u r1.itb / timestamp)" = 1700000000 ] && ok "SOURCE_DATE_EPOCH is the timestamp" ||
	not_ok "timestamp $(fdtget -t u r1.itb / timestamp) != SOURCE_DATE_EPOCH"
touch -d @1600000000 u-boot-nodtb.bin
touch -d @1650000000 k1-x_m2.dtb
(unset SOURCE_DATE_EPOCH; "$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb -o r3.itb)
sleep 1
(unset SOURCE_DATE_EPOCH; "$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb -o r4.itb)
same_file r3.itb r4.itb "without SOURCE_DATE_EPOCH, later builds give the same bytes"
[ "$(fdtget -t u r3.itb / timestamp)" = 1650000000 ] && ok "without SOURCE_DATE_EPOCH: the newest input mtime" ||
	not_ok "timestamp $(fdtget -t u r3.itb / timestamp) != newest mtime 1650000000"

# --- set-memory: against dtc-compiled trees and mkimage FITs ---
its_uboot crc32 1 "" k1-x_m4.dtb >u4.its
sed 's/k1-x_m4/k1-x_m16/g' u4.its >u16.its
mkimg -f u4.its m4.itb
mkimg -f u16.its m16.itb
expect_rc 0 "set-memory 16G on mkimage's FIT" "$K1FW" fit set-memory m4.itb --memory 16G -o s16.itb
# same board name in both, so only the device tree differs
sed 's/"k1-x_m4"/"board"/g' u4.its >a.its
sed 's/"k1-x_m16"/"board"/g' u16.its >b.its
mkimg -f a.its a.itb
mkimg -f b.its b.itb
"$K1FW" fit set-memory a.itb --memory 16G -o s.itb
same_file s.itb b.itb "set-memory 4G->16G equals mkimage's FIT of the dtc-compiled 16G tree"
dumpimage -T flat_dt -p 1 -o x.dtb s16.itb >/dev/null
same_file x.dtb k1-x_m16.dtb "the rewritten tree equals dtc's 16G tree byte for byte"
python3 - s16.itb <<'PY' && ok "crc32 of each extracted image equals its hash-1 value" || not_ok "crc32 mismatch after set-memory"
import subprocess, sys, zlib
f = sys.argv[1]
for i, name in enumerate(["uboot", "fdt_1"]):
    subprocess.run(["dumpimage", "-T", "flat_dt", "-p", str(i), "-o", "img.bin", f], check=True, capture_output=True)
    crc = zlib.crc32(open("img.bin", "rb").read())
    stored = subprocess.run(["fdtget", "-t", "x", f, "/images/%s/hash-1" % name, "value"], capture_output=True, text=True).stdout.split()
    sys.exit(1) if int(stored[0], 16) != crc else None
PY
expect_rc 0 "k1fw verify passes the 16G FIT" "$K1FW" verify s16.itb
run "$K1FW" inspect --json s16.itb
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["files"][0]; sys.exit(0 if [t["memory_bytes"] for t in d["device_trees"]] == [16 << 30] else 1)' "$T/out" &&
	ok "k1fw inspect reads 16 GiB back" || not_ok "k1fw inspect does not read 16 GiB"
for s in 2 8; do
	sed "s/\"k1-x_m16\"/\"board\"/g; s/k1-x_m16.dtb/k1-x_m$s.dtb/" u16.its >c.its
	mkimg -f c.its c.itb
	"$K1FW" fit set-memory a.itb --memory "${s}G" -o s.itb
	same_file s.itb c.itb "set-memory 4G->${s}G equals mkimage's FIT of the ${s}G tree"
done
"$K1FW" fit set-memory b.itb --memory 16384M -o s.itb
same_file s.itb b.itb "set-memory to the size already there changes nothing"
mkimg -E -f a.its ae.itb
mkimg -E -f b.its be.itb
"$K1FW" fit set-memory ae.itb --memory 16G -o s.itb
same_file s.itb be.itb "set-memory on external data (mkimage -E) equals mkimage -E of the 16G tree"
for opt in "-p 0x1000" "-B 0x100"; do
	# shellcheck disable=SC2086
	mkimg -E $opt -f a.its ap.itb
	# shellcheck disable=SC2086
	mkimg -E $opt -f b.its bp.itb
	"$K1FW" fit set-memory ap.itb --memory 16G -o s.itb
	# mkimage leaves stale bytes in the unused space after its tree; we zero it
	python3 - s.itb bp.itb <<'PY' && ok "set-memory on mkimage -E $opt: same bytes but mkimage's unused tree space" || not_ok "set-memory on mkimage -E $opt differs"
import struct, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
strings_end = sum(struct.unpack(">II", a[12:16] + a[32:36]))
bad = [i for i in range(len(a)) if a[i] != b[i] and not (a[i] == 0 and strings_end <= i < 0x1000)]
sys.exit(1 if len(a) != len(b) or bad else 0)
PY
	expect_rc 0 "k1fw verify passes the -E $opt result" "$K1FW" verify s.itb
done
"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb board=k1-x_m4.dtb --memory 8G -o um.itb
sed 's/k1-x_m16.dtb/k1-x_m8.dtb/' b.its >d.its
mkimg -f d.its d.itb
same_file um.itb d.itb "fit uboot --memory 8G equals mkimage's FIT of the dtc-compiled 8G tree"

# --- the vendor u-boot.itb ---
G="$VENDOR/golden/u-boot.itb"
if [ -f "$G" ]; then
	mkdir gold && cd gold || exit 1
	dumpimage -T flat_dt -p 0 -o u-boot-nodtb.bin "$G" >/dev/null
	args=""
	for i in $(seq 1 18); do
		d=$(fdtget "$G" "/configurations/conf_$i" description)
		dumpimage -T flat_dt -p "$i" -o "$d.dtb" "$G" >/dev/null
		args="$args --dtb $d.dtb"
	done
	# shellcheck disable=SC2086
	SOURCE_DATE_EPOCH=$(fdtget -t u "$G" / timestamp) "$K1FW" fit uboot --in u-boot-nodtb.bin $args --default k1-x_deb1 -o ours.itb
	dumpimage -l ours.itb >ours.txt
	dumpimage -l "$G" >gold.txt
	n=$(diff ours.txt gold.txt | grep -c '^[<>]')
	d=$(diff ours.txt gold.txt | grep '^>')
	[ "$n" -eq 2 ] && [ "$d" = ">   Description:  k1-x_MUSE-Book.dtb" ] &&
		ok "vendor u-boot.itb rebuilt from its parts: dumpimage -l differs only where the vendor's fdt_11 says .dtb" ||
		not_ok "rebuilt vendor u-boot.itb: $n lines differ"
	# byte for byte: only that property (4 bytes longer) and the header's
	# sizes differ; everything after it, free space included, is the same
	python3 - "$G" ours.itb <<'PY' && ok "rebuilt vendor FIT: the vendor's bytes but for fdt_11's description" || not_ok "rebuilt vendor FIT differs beyond fdt_11's description"
import struct, sys
g, o = (open(p, "rb").read() for p in sys.argv[1:3])
p = g.index(b"k1-x_MUSE-Book.dtb\0")
be = lambda b, i: struct.unpack(">I", b[i:i + 4])[0]
head = {i for i in range(p - 8) if g[i] != o[i]}
ok = (len(g) == len(o) + 4 and head <= set(range(4, 8)) | set(range(12, 16)) | set(range(36, 40))
      and [be(g, i) - be(o, i) for i in (4, 12, 36)] == [4, 4, 4]
      and be(g, p - 8) == 19 and be(o, p - 8) == 15 and g[p - 4:p] == o[p - 4:p]
      and o[p:p + 16] == b"k1-x_MUSE-Book\0\0" and g[p + 20:] == o[p + 16:])
sys.exit(0 if ok else 1)
PY
	"$K1FW" fit set-memory "$G" --memory 2G -o g2.itb
	same_file g2.itb "$G" "set-memory 2G on the vendor FIT (all 2 GiB) changes nothing"
	expect_rc 0 "set-memory 16G on the vendor FIT" "$K1FW" fit set-memory "$G" --memory 16G -o g16.itb
	expect_rc 0 "k1fw verify passes it" "$K1FW" verify g16.itb
	run "$K1FW" inspect --json g16.itb
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["files"][0]; m=[t["memory_bytes"] for t in d["device_trees"]]; sys.exit(0 if m == [16 << 30] * 18 else 1)' "$T/out" &&
		ok "all 18 vendor device trees now say 16 GiB" || not_ok "vendor device trees not all 16 GiB"
	cd "$T" || exit 1
else
	skip "vendor u-boot.itb absent: rebuild and set-memory on it"
fi

# --- mainline: the one FIT of U-Boot's arch/riscv/dts/binman.dtsi ---
# its_mainline ALG DEFAULT_N SBI_LOAD DTB...: binman.dtsi's shape as an .its
its_mainline() {
	alg=$1 dflt=$2 sbi=$3; shift 3
	hash() { [ "$alg" = none ] || printf '\t\t\thash-1 { algo = "%s"; };\n' "$alg"; }
	printf '/dts-v1/;\n/ {\n\tdescription = "Configuration to load OpenSBI before U-Boot";\n'
	printf '\t#address-cells = <2>;\n\tfit,fdt-list = "of-list";\n\timages {\n'
	printf '\t\tuboot {\n\t\t\tdescription = "U-Boot"; type = "standalone"; os = "U-Boot";\n'
	printf '\t\t\tarch = "riscv"; compression = "none"; load = /bits/ 64 <0x200000>;\n'
	printf '\t\t\tdata = /incbin/("u-boot-nodtb.bin");\n'; hash; printf '\t\t};\n'
	printf '\t\topensbi {\n\t\t\tdescription = "OpenSBI fw_dynamic Firmware"; type = "firmware";\n'
	printf '\t\t\tos = "opensbi"; arch = "riscv"; compression = "none";\n'
	printf '\t\t\tload = /bits/ 64 <%s>; entry = /bits/ 64 <%s>;\n' "$sbi" "$sbi"
	printf '\t\t\tdata = /incbin/("fw_dynamic.bin");\n'; hash; printf '\t\t};\n'
	n=0
	for d in "$@"; do
		n=$((n + 1))
		printf '\t\tfdt-%d { description = "%s"; type = "flat_dt"; compression = "none";\n' $n "${d%.dtb}"
		printf '\t\t\tdata = /incbin/("%s");\n' "$d"; hash; printf '\t\t};\n'
	done
	printf '\t};\n\tconfigurations {\n\t\tdefault = "conf-%d";\n' "$dflt"
	n=0
	for d in "$@"; do
		n=$((n + 1))
		printf '\t\tconf-%d { description = "%s"; firmware = "opensbi"; loadables = "uboot"; fdt = "fdt-%d"; };\n' $n "${d%.dtb}" $n
	done
	printf '\t};\n};\n'
}
its_mainline none 1 0x0 k1-x_m4.dtb >ml.its
mkimg -f ml.its m.itb
expect_rc 0 "fit uboot --opensbi (mainline layout)" "$K1FW" fit uboot --in u-boot-nodtb.bin --opensbi fw_dynamic.bin --dtb k1-x_m4.dtb -o k.itb
same_file k.itb m.itb "fit uboot --opensbi equals mkimage's bytes for binman.dtsi's shape"
for alg in crc32 sha256; do
	its_mainline "$alg" 2 0x1000000 k1-x_m2.dtb k1-x_m4.dtb >ml.its
	mkimg -f ml.its m.itb
	"$K1FW" fit uboot --in u-boot-nodtb.bin --opensbi fw_dynamic.bin --opensbi-load 0x1000000 \
		--dtb k1-x_m2.dtb --dtb k1-x_m4.dtb --default k1-x_m4 --hash "$alg" -o k.itb
	same_file k.itb m.itb "mainline, 2 boards, --default, --opensbi-load, --hash $alg equals mkimage's bytes"
done
run dumpimage -l k.itb
if [ "$rc" -eq 0 ] && grep -q 'Image 1 (opensbi)' "$T/out" && grep -q "Default Configuration: 'conf-2'" "$T/out" &&
	grep -q 'Firmware:     opensbi' "$T/out"; then
	ok "dumpimage -l lists the mainline FIT (firmware opensbi, default conf-2)"
else not_ok "dumpimage -l of the mainline FIT"; fi
expect_rc 0 "k1fw verify passes the mainline FIT" "$K1FW" verify k.itb
run "$K1FW" inspect k.itb
grep -q 'mainline: OpenSBI and U-Boot in one FIT' "$T/out" && ok "inspect names the mainline layout" ||
	not_ok "inspect does not name the mainline layout"
its_mainline none 1 0x0 k1-x_m4.dtb | sed 's/"k1-x_m4"/"board"/g' >ml4.its
sed 's/k1-x_m4.dtb/k1-x_m16.dtb/' ml4.its >ml16.its
mkimg -f ml4.its m4.itb
mkimg -f ml16.its m16.itb
"$K1FW" fit uboot --in u-boot-nodtb.bin --opensbi fw_dynamic.bin --dtb board=k1-x_m4.dtb --memory 16G -o k.itb
same_file k.itb m16.itb "mainline fit uboot --memory 16G equals mkimage's FIT of the 16G tree"
"$K1FW" fit set-memory m4.itb --memory 16G -o s.itb
same_file s.itb m16.itb "set-memory 4G->16G on mkimage's mainline FIT equals its 16G FIT"
expect_fail 2 "needs --opensbi" "--opensbi-load without --opensbi" "$K1FW" fit uboot --in u-boot-nodtb.bin --opensbi-load 0x100 --dtb k1-x_m2.dtb -o bad.itb
expect_fail 2 "cannot open" "missing --opensbi file" "$K1FW" fit uboot --in u-boot-nodtb.bin --opensbi nope.bin --dtb k1-x_m2.dtb -o bad.itb
: >empty.bin
expect_fail 2 "opensbi: empty payload" "empty --opensbi" "$K1FW" fit uboot --in u-boot-nodtb.bin --opensbi empty.bin --dtb k1-x_m2.dtb -o bad.itb

# --- bad input: exit 2, one line, no output file ---
: >empty.bin
printf 'not a device tree, just words\n' >junk.dtb
fdtput_signed() { cp b.itb signed.itb && fdtput -c signed.itb /configurations/conf_1/signature-1; }
fdtput_signed
expect_fail 2 "cannot open" "missing --in file" "$K1FW" fit opensbi --in nope.bin -o bad.itb
expect_fail 2 "empty payload" "empty payload" "$K1FW" fit opensbi --in empty.bin -o bad.itb
expect_fail 2 "hash: expected crc32" "unknown hash name" "$K1FW" fit opensbi --in fw_dynamic.bin --hash sha3 -o bad.itb
expect_fail 2 "expected an address" "bad address" "$K1FW" fit opensbi --in fw_dynamic.bin --load 0xZZ -o bad.itb
expect_fail 2 "junk.dtb: not a device tree" "--dtb that is not a device tree" "$K1FW" fit uboot --in u-boot-nodtb.bin --dtb junk.dtb -o bad.itb
expect_fail 2 "cannot open" "missing --dtb file" "$K1FW" fit uboot --in u-boot-nodtb.bin --dtb nope.dtb -o bad.itb
expect_fail 2 "given twice" "same board name twice" "$K1FW" fit uboot --in u-boot-nodtb.bin --dtb a=k1-x_m2.dtb --dtb a=k1-x_m4.dtb -o bad.itb
expect_fail 2 "no --dtb has that board name" "--default of no board" "$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb --default deb9 -o bad.itb
expect_fail 2 "missing --dtb" "uboot without --dtb" "$K1FW" fit uboot --in u-boot-nodtb.bin -o bad.itb
expect_fail 2 "expected whole MiB" "--memory 17G" "$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_m2.dtb --memory 17G -o bad.itb
expect_fail 2 "expected a size" "--memory 3.5G" "$K1FW" fit set-memory b.itb --memory 3.5G -o bad.itb
expect_fail 2 "expected whole MiB" "--memory 0" "$K1FW" fit set-memory b.itb --memory 0 -o bad.itb
expect_fail 2 "expected whole MiB" "--memory 1000 (bytes)" "$K1FW" fit set-memory b.itb --memory 1000 -o bad.itb
expect_fail 2 "missing --memory" "set-memory without --memory" "$K1FW" fit set-memory b.itb -o bad.itb
expect_fail 2 "not a FIT" "set-memory on a plain device tree" "$K1FW" fit set-memory k1-x_m2.dtb --memory 4G -o bad.itb
expect_fail 2 "signature" "set-memory on a signed FIT" "$K1FW" fit set-memory signed.itb --memory 4G -o bad.itb
head -c 1000 b.itb >cut.itb
expect_fail 2 "truncated" "set-memory on a truncated FIT" "$K1FW" fit set-memory cut.itb --memory 4G -o bad.itb
expect_fail 2 "SOURCE_DATE_EPOCH" "bad SOURCE_DATE_EPOCH" env SOURCE_DATE_EPOCH=yesterday "$K1FW" fit opensbi --in fw_dynamic.bin -o bad.itb
expect_fail 2 "does not apply" "option of another subcommand" "$K1FW" fit opensbi --in fw_dynamic.bin --dtb x.dtb -o bad.itb
expect_fail 2 "unknown subcommand" "unknown subcommand" "$K1FW" fit kernel -o bad.itb
[ ! -e bad.itb ] && ok "no output file after any error" || not_ok "an error left bad.itb"
[ -z "$(ls ./*.tmp-* 2>/dev/null)" ] && ok "no temporary files left" || not_ok "temporary files left"

done_testing
