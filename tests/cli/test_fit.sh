#!/bin/sh
# FIT images (u-boot.itb, fw_dynamic.itb): k1fw against U-Boot's own tools.
# We build FITs with `mkimage -f` (embedded data, `-E`, `-E -p`), compare
# k1fw's image list with `dumpimage -l`, the DTB facts with `fdtget`, then
# damage files (data byte, hash value, references, truncations) and expect
# verify to fail and name the place. The vendor u-boot.itb gets the same.
. "$(dirname "$0")/lib.sh"

need_tools "FIT tests" "u-boot-tools, device-tree-compiler" mkimage dumpimage dtc fdtget fdtput python3

# dumpimage -l as "name|type|size|algo=value,..." lines, FIT type names.
dump_images() {
	dumpimage -l "$1" | awk '
		function flush() { if (name != "") print name "|" type "|" size "|" (h == "" ? "none" : h) }
		/^ Image [0-9]+ \(/ { flush(); name = $3; gsub(/[()]/, "", name); type = ""; size = ""; h = "" ; next }
		/^ (Default )?Configuration/ { flush(); name = ""; next }
		/^  Type:/ { sub(/^  Type: */, ""); type = $0 }
		/^  Data Size:/ { size = $3 }
		/^  Hash algo:/ { algo = $3 }
		/^  Hash value:/ { h = h (h == "" ? "" : ",") algo "=" $3 }
		END { flush() }' | sed -e 's/|Standalone Program|/|standalone|/' \
		-e 's/|Flat Device Tree|/|flat_dt|/' -e 's/|Firmware|/|firmware|/' \
		-e 's/|Kernel Image|/|kernel|/' -e 's/|RAMDisk Image|/|ramdisk|/'
}

# The same lines from `k1fw inspect --json` (file $1 holds the JSON).
k1fw_images() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["files"][0]
for im in d["images"]:
    hs = [f'{h["algo"]}={h["value"]}' for h in d["hashes"] if h["image"] == im["name"]]
    print(f'{im["name"]}|{im["type"]}|{im["size"]}|{",".join(hs) or "none"}')
PY
}

# dumpimage's configurations as "default=..." then "name|fdt" lines.
dump_confs() {
	dumpimage -l "$1" | awk '
		/^ Default Configuration:/ { d = $3; gsub(/\047/, "", d); print "default=" d }
		/^ Configuration [0-9]+ \(/ { n = $3; gsub(/[()]/, "", n) }
		/^  FDT:/ { print n "|" $2 }'
}
k1fw_confs() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["files"][0]
print(f'default={d["default_config"]}')
for c in d["configurations"]:
    if c["fdt"]:
        print(f'{c["name"]}|{c["fdt"]}')
PY
}

# json_get FILE EXPR: a python expression over d (the first file's object).
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["files"][0]; print(eval(sys.argv[2]))' "$1" "$2"
}

# agree FILE WHAT: k1fw's image and configuration lists equal dumpimage's.
agree() {
	run "$K1FW" inspect --json "$1"
	cp "$T/out" "$T/agree.json"
	dump_images "$1" >"$T/dump.txt"
	k1fw_images "$T/agree.json" >"$T/k1.txt"
	if [ -s "$T/dump.txt" ] && cmp -s "$T/dump.txt" "$T/k1.txt"; then
		ok "$2: images, types, sizes, hashes agree with dumpimage ($(wc -l <"$T/k1.txt") images)"
	else
		not_ok "$2: image list differs from dumpimage"
		diff "$T/dump.txt" "$T/k1.txt" | head -10 | sed 's/^/#   /'
	fi
	dump_confs "$1" >"$T/dumpc.txt"
	k1fw_confs "$T/agree.json" >"$T/k1c.txt"
	if cmp -s "$T/dumpc.txt" "$T/k1c.txt"; then
		ok "$2: default and configuration fdt refs agree with dumpimage"
	else
		not_ok "$2: configurations differ from dumpimage"
		diff "$T/dumpc.txt" "$T/k1c.txt" | head -10 | sed 's/^/#   /'
	fi
}

# dtb_agree ITB INDEX IMAGE DESC: model and /memory sizes of the embedded DTB
# as fdtget reads them from dumpimage's extraction.
dtb_agree() {
	dumpimage -T flat_dt -p "$2" -o "$T/x.dtb" "$1" >/dev/null 2>&1
	model=$(fdtget "$T/x.dtb" / model)
	mem=$(for n in $(fdtget -l "$T/x.dtb" /); do
		case $n in memory|memory@*) fdtget -tu "$T/x.dtb" "/$n" reg ;; esac
	done | python3 -c '
import sys, subprocess
ac = int(subprocess.run(["fdtget", "-d", "2", sys.argv[1], "/", "#address-cells"], capture_output=True, text=True).stdout)
sc = int(subprocess.run(["fdtget", "-d", "1", sys.argv[1], "/", "#size-cells"], capture_output=True, text=True).stdout)
cells = [int(x) for x in sys.stdin.read().split()]
total = 0
for i in range(0, len(cells), ac + sc):
    s = 0
    for c in cells[i + ac:i + ac + sc]:
        s = s << 32 | c
    total += s
print(total)' "$T/x.dtb")
	run "$K1FW" inspect --json "$1"
	got=$(json_get "$T/out" "[(r['model'], r['memory_bytes']) for r in d['device_trees'] if r['image'] == '$3'][0]")
	want=$(python3 -c 'import sys; print((sys.argv[1], int(sys.argv[2])))' "$model" "$mem")
	[ "$got" = "$want" ] && ok "$4: $3 model and memory agree with fdtget $want" ||
		not_ok "$4: $3 is $got, fdtget says $want"
}

# hash_offset FILE HEX: the offset of the FDT property value equal to HEX
# (preceded by the FDT_PROP tag and its length, so never inside image data).
hash_offset() {
	python3 - "$1" "$2" <<'PY'
import sys, struct
b = open(sys.argv[1], "rb").read(); v = bytes.fromhex(sys.argv[2])
i = b.find(v)
while i >= 0:
    if i >= 12 and b[i-12:i-8] == b"\0\0\0\3" and struct.unpack(">I", b[i-8:i-4])[0] == len(v):
        print(i); break
    i = b.find(v, i + 1)
PY
}

# data_offset JSONFILE IMAGE: the file offset of the image's data.
data_offset() {
	json_get "$1" "[int(i['data'].split('@')[1].split()[0], 16) for i in d['images'] if i['name'] == '$2'][0]"
}

# damaged_data ITB IMAGE DESC: a byte flipped in the middle of IMAGE's data
# makes verify fail and name the image.
damaged_data() {
	run "$K1FW" inspect --json "$1"
	off=$(data_offset "$T/out" "$2")
	size=$(json_get "$T/out" "[i['size'] for i in d['images'] if i['name'] == '$2'][0]")
	flip "$1" $((off + size / 2)) "$T/bad.itb"
	expect_rc 1 "$3: flipped data byte in $2 fails verify" "$K1FW" verify "$T/bad.itb"
	grep -q "FAIL fit.hash @ image $2 " "$T/out" && ok "$3: the failure names image $2" ||
		{ not_ok "$3: failure does not name image $2"; sed 's/^/#   /' "$T/out" | head -5; }
}

# damaged_hash ITB IMAGE HEX DESC: a flipped byte in the stored hash value.
damaged_hash() {
	off=$(hash_offset "$1" "$3")
	if [ -z "$off" ]; then not_ok "$4: hash value $3 not found"; return; fi
	flip "$1" "$off" "$T/badh.itb"
	expect_rc 1 "$4: flipped hash value of $2 fails verify" "$K1FW" verify "$T/badh.itb"
	grep -q "FAIL fit.hash @ image $2 .*expected" "$T/out" && ok "$4: names image $2, expected/found" ||
		{ not_ok "$4: failure does not name $2"; sed 's/^/#   /' "$T/out" | head -5; }
}

# truncations ITB DESC LEN...: each prefix fails verify with exit 1 (a FAIL
# line) or 2 (one stderr line), inspect exits 0 or 2, and nothing crashes.
truncations() {
	f=$1 desc=$2; shift 2
	bad=""
	for n in "$@"; do
		head -c "$n" "$f" >"$T/cut.itb"
		run "$K1FW" verify "$T/cut.itb"
		lines=$(wc -l <"$T/err" | tr -d ' ')
		case $rc in
		1) grep -q FAIL "$T/out" || bad="$bad $n(rc1-no-FAIL)" ;;
		2) [ "$lines" -eq 1 ] || bad="$bad $n(stderr-$lines-lines)" ;;
		*) bad="$bad $n(rc$rc)" ;;
		esac
		run "$K1FW" inspect "$T/cut.itb"
		[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || bad="$bad $n(inspect-rc$rc)"
	done
	[ -z "$bad" ] && ok "$desc: $# truncations fail cleanly" || not_ok "$desc: truncations:$bad"
}

# ---- build our own FITs ----
cd "$T" || exit 1
python3 -c '
import random
r = random.Random(1)
for name, n in (("uboot.bin", 100000), ("sbi.bin", 30000), ("blob.bin", 777)):
    open(name, "wb").write(bytes(r.getrandbits(8) for _ in range(n)))'
cat >b1.dts <<'EOF'
/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>; model = "k1fw test board one";
    compatible = "k1fw,test1", "spacemit,k1x";
    memory@0 { device_type = "memory"; reg = <0x0 0x0 0x1 0x0>; }; };
EOF
cat >b2.dts <<'EOF'
/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>; model = "k1fw test board two"; compatible = "k1fw,test2";
    memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x80000000>; };
    memory@100000000 { device_type = "memory";
        reg = <0x1 0x0 0x1 0x80000000 0x2 0x0 0x0 0x80000000>; }; };
EOF
cat >b3.dts <<'EOF'
/dts-v1/;
/ { #address-cells = <1>; #size-cells = <1>; model = "k1fw one-cell board";
    memory { device_type = "memory"; reg = <0x0 0x40000000>; }; };
EOF
for b in b1 b2 b3; do dtc -q -I dts -O dtb -o $b.dtb $b.dts; done
cat >t.its <<'EOF'
/dts-v1/;
/ {
	description = "k1fw test FIT";
	#address-cells = <2>;
	images {
		uboot {
			description = "U-Boot"; type = "standalone"; os = "U-Boot"; arch = "riscv";
			compression = "none"; load = <0x0 0x00200000>;
			data = /incbin/("uboot.bin");
			hash-1 { algo = "crc32"; };
			hash-2 { algo = "sha256"; };
		};
		opensbi {
			description = "OpenSBI"; type = "firmware"; os = "opensbi"; arch = "riscv";
			compression = "none"; load = <0x0 0x0>; entry = <0x0 0x0>;
			data = /incbin/("sbi.bin");
			hash-1 { algo = "md5"; };
			hash-2 { algo = "sha1"; };
		};
		fdt_1 {
			description = "board one"; type = "flat_dt"; compression = "none";
			data = /incbin/("b1.dtb");
			hash-1 { algo = "sha384"; };
		};
		fdt_2 {
			description = "board two"; type = "flat_dt"; compression = "none";
			data = /incbin/("b2.dtb");
			hash-1 { algo = "sha512"; };
		};
		fdt_3 {
			description = "one-cell board"; type = "flat_dt"; compression = "none";
			data = /incbin/("b3.dtb");
			hash-1 { algo = "crc32"; };
		};
		blob {
			description = "no hash"; type = "firmware"; arch = "riscv"; compression = "none";
			load = <0x1 0x0>;
			data = /incbin/("blob.bin");
		};
	};
	configurations {
		default = "conf_2";
		conf_1 { description = "board one"; firmware = "opensbi"; loadables = "uboot"; fdt = "fdt_1"; };
		conf_2 { description = "board two"; firmware = "opensbi"; loadables = "uboot", "blob"; fdt = "fdt_2"; };
		conf_3 { description = "board three"; firmware = "opensbi"; loadables = "uboot"; fdt = "fdt_3"; };
	};
};
EOF
# fw_dynamic.itb as the vendor's its makes it (research §7.2), with its crc32.
cat >sbi.its <<'EOF'
/dts-v1/;
/ { description = "Configuration to load OpenSBI before U-Boot"; #address-cells = <2>;
    fit,fdt-list = "of-list";
    images { opensbi { description = "OpenSBI fw_dynamic Firmware"; type = "firmware";
             os = "opensbi"; arch = "riscv"; compression = "none";
             load = <0x0 0x0>; entry = <0x0 0x0>; data = /incbin/("./sbi.bin");
             hash-1 { algo = "crc32"; }; }; };
    configurations { default = "config_1"; config_1 { description = "opensbi FIT config";
             firmware = "opensbi"; }; }; };
EOF
if mkimage -f t.its emb.itb >/dev/null && mkimage -E -f t.its ext.itb >/dev/null &&
	mkimage -E -p 0x2000 -f t.its pos.itb >/dev/null && mkimage -f sbi.its fw_dynamic.itb >/dev/null; then
	ok "mkimage built the test FITs"
else
	not_ok "mkimage failed to build the test FITs"
fi
cd "$TOP" || exit 1

for v in emb ext pos; do
	f="$T/$v.itb"
	expect_rc 0 "$v: inspect" "$K1FW" inspect "$f"
	expect_rc 0 "$v: verify clean" "$K1FW" verify "$f"
	agree "$f" "$v"
	dtb_agree "$f" 2 fdt_1 "$v"
	dtb_agree "$f" 3 fdt_2 "$v"
	dtb_agree "$f" 4 fdt_3 "$v"
	damaged_data "$f" uboot "$v"
	damaged_data "$f" fdt_2 "$v"
	damaged_hash "$f" opensbi "$(json_get "$T/agree.json" "[h['value'] for h in d['hashes'] if h['algo'] == 'sha1'][0]")" "$v"
done
run "$K1FW" inspect --json "$T/emb.itb"
[ "$(json_get "$T/out" "d['device_trees'][1]['memory']")" = "10 GiB" ] &&
	ok "two memory nodes, three regions: 10 GiB" || not_ok "fdt_2 memory total"
case $(json_get "$T/out" "d['k1_layout']") in mainline*) ok "OpenSBI + U-Boot FIT is the mainline layout" ;;
*) not_ok "layout of OpenSBI + U-Boot FIT" ;; esac
[ "$(json_get "$T/out" "[i['verified'] for i in d['images'] if i['name'] == 'blob'][0]")" = None ] &&
	ok "image without hash: verified is null" || not_ok "image without hash"
run "$K1FW" verify --verbose "$T/emb.itb"
grep -q "ok fit.hash @ blob: no hash" "$T/out" && ok "image without hash: passed check noting 'no hash'" ||
	not_ok "no 'no hash' check"
[ "$(grep -c ' ok fit.hash @ image ' "$T/out")" -eq 7 ] && ok "7 hash nodes checked" || not_ok "hash check count"

# an unprotected image: damage goes unnoticed (that is what "no hash" means)
run "$K1FW" inspect --json "$T/emb.itb"
flip "$T/emb.itb" "$(data_offset "$T/out" blob)" "$T/blob.itb"
expect_rc 0 "damage in an image without hash is not detectable" "$K1FW" verify "$T/blob.itb"

# fw_dynamic.itb
agree "$T/fw_dynamic.itb" "fw_dynamic"
expect_rc 0 "fw_dynamic: verify clean" "$K1FW" verify "$T/fw_dynamic.itb"
run "$K1FW" inspect --json "$T/fw_dynamic.itb"
case $(json_get "$T/out" "d['k1_layout']") in "OpenSBI only"*) ok "fw_dynamic: OpenSBI-only layout" ;;
*) not_ok "fw_dynamic layout" ;; esac
damaged_data "$T/fw_dynamic.itb" opensbi "fw_dynamic"

# references and hash nodes edited with fdtput
cp "$T/emb.itb" "$T/ref.itb" && fdtput -t s "$T/ref.itb" /configurations/conf_3 fdt fdt_9
expect_rc 1 "config naming a missing image fails" "$K1FW" verify "$T/ref.itb"
grep -q "FAIL fit.config_ref @ configuration conf_3: fdt: expected an image named 'fdt_9'" "$T/out" &&
	ok "the failure names conf_3 and fdt_9" || not_ok "config_ref failure message"
cp "$T/emb.itb" "$T/def.itb" && fdtput -t s "$T/def.itb" /configurations default conf_7
expect_rc 1 "missing default configuration fails" "$K1FW" verify "$T/def.itb"
grep -q "FAIL fit.default_config.*conf_7" "$T/out" && ok "names the default conf_7" || not_ok "default_config message"
cp "$T/emb.itb" "$T/alg.itb" && fdtput -t s "$T/alg.itb" /images/uboot/hash-1 algo crc99
expect_rc 1 "unknown hash algorithm fails" "$K1FW" verify "$T/alg.itb"
grep -q "FAIL fit.hash @ image uboot hash-1: crc99: unknown algorithm" "$T/out" && ok "names crc99" || not_ok "algo message"
cp "$T/ext.itb" "$T/size.itb" && fdtput -t u "$T/size.itb" /images/opensbi data-size 4000000000
expect_rc 1 "external data-size past the file fails" "$K1FW" verify "$T/size.itb"
grep -q "FAIL fit.image_data @ image opensbi: .*runs past the end" "$T/out" && ok "names opensbi and the overrun" ||
	not_ok "image_data message"
run "$K1FW" inspect --json "$T/size.itb"
[ "$rc" -eq 0 ] && [ "$(json_get "$T/out" "[i['data'] for i in d['images'] if i['name'] == 'opensbi'][0]")" != "" ] &&
	ok "inspect shows an image outside the file" || not_ok "inspect of an overrun FIT (rc $rc)"

# a plain device tree is not a FIT
expect_fail 2 "not a K1 artefact" "a plain .dtb is not claimed" "$K1FW" inspect "$T/b1.dtb"
# a damaged structure is a FIT that cannot be read: a recognised file that
# fails a check (exit 1, a FAIL line), as a bad hash does
cp "$T/emb.itb" "$T/struct.itb" && flip "$T/emb.itb" 0x3c "$T/struct.itb"
expect_rc 1 "damaged FDT structure: verify fails" "$K1FW" verify "$T/struct.itb"
grep -q "FAIL fit.readable: .*FDT structure unsound" "$T/out" && [ ! -s "$T/err" ] &&
	ok "damaged FDT structure: one FAIL line naming it" || not_ok "damaged FDT structure output"

total=$(wc -c <"$T/emb.itb")
truncations "$T/emb.itb" "emb" 0 1 3 4 39 40 41 56 100 200 1000 $((total / 2)) $((total - 4)) $((total - 1))
ftotal=$(python3 -c 'import sys,struct; print(struct.unpack(">I", open(sys.argv[1],"rb").read()[4:8])[0])' "$T/ext.itb")
total=$(wc -c <"$T/ext.itb")
truncations "$T/ext.itb" "ext" 40 $((ftotal - 1)) "$ftotal" $((ftotal + 100)) $((total / 2)) $((total - 4))
# mkimage -E pads each image to 4 bytes: cut one byte of blob's data itself
run "$K1FW" inspect --json "$T/ext.itb"
blob_end=$(($(data_offset "$T/out" blob) + 777))
head -c $((blob_end - 1)) "$T/ext.itb" >"$T/cut.itb"
expect_rc 1 "ext cut by one byte of data: verify fails" "$K1FW" verify "$T/cut.itb"
grep -q "FAIL fit.image_data @ image blob" "$T/out" && ok "names the last image, blob" || not_ok "cut ext message"
head -c 1000 "$T/emb.itb" >"$T/cut.itb"
expect_rc 1 "embedded FIT cut at 1000: verify fails" "$K1FW" verify "$T/cut.itb"
grep -q "FAIL fit.readable: truncated FIT: FDT header totalsize $(wc -c <"$T/emb.itb") bytes, the file has 1000" "$T/out" &&
	ok "embedded FIT cut at 1000: the truncation is named" || not_ok "cut FIT message: $(cat "$T/out")"

# ---- the vendor u-boot.itb ----
G="$VENDOR/golden/u-boot.itb"
if [ -f "$G" ]; then
	expect_rc 0 "golden: inspect" "$K1FW" inspect "$G"
	expect_rc 0 "golden: verify clean" "$K1FW" verify "$G"
	agree "$G" "golden"
	run "$K1FW" inspect --json "$G"
	j="$T/golden.json"
	cp "$T/out" "$j"
	want="('U-boot FIT image for k1x', 'conf_2', 19, 18, True, 'uboot')"
	got=$(json_get "$j" "(d['description'], d['default_config'], len(d['images']), len(d['configurations']), all(i['verified'] for i in d['images']), d['images'][0]['name'])")
	[ "$got" = "$want" ] && ok "golden: description, default conf_2, 19 images, 18 configs, all crc32 verified" ||
		not_ok "golden facts: $got"
	got=$(json_get "$j" "(d['images'][0]['load'], d['images'][0]['entry'], d['images'][0]['size'], d['hashes'][0]['value'], d['created'])")
	[ "$got" = "('0x00200000', None, 1258272, '299a91c4', '2025-04-22 09:26:28 UTC')" ] &&
		ok "golden: uboot load 0x00200000, no entry, 1258272 bytes, crc32 299a91c4" || not_ok "golden uboot: $got"
	case $(json_get "$j" "d['k1_layout']") in vendor*) ok "golden: vendor layout, no OpenSBI inside" ;;
	*) not_ok "golden layout" ;; esac
	[ "$(json_get "$j" "len(d['device_trees'])")" = 18 ] && ok "golden: 18 device trees read" || not_ok "golden device trees"
	dtb_agree "$G" 2 fdt_2 "golden"
	dtb_agree "$G" 10 fdt_10 "golden"
	damaged_data "$G" uboot "golden"
	damaged_data "$G" fdt_7 "golden"
	damaged_hash "$G" uboot 299a91c4 "golden"
	total=$(wc -c <"$G")
	truncations "$G" "golden" 0 2 39 40 41 64 316 4096 65536 $((total / 3)) $((total / 2)) $((total - 100)) $((total - 1))
else
	skip "golden u-boot.itb absent ($G): vendor FIT not checked"
fi
done_testing
