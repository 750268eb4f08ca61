#!/bin/sh
# SD card images: we build a 64 MiB Bianbu-layout card the way the vendor
# flow does (sfdisk GPT, bootinfo_sd in bytes 0-79, FSBL at 0x20000, env
# from mkenvimage at 0x60000, FITs from mkimage in opensbi/uboot), compare
# k1fw's GPT entries with `sfdisk --json`, expect verify to pass, then
# break it the classic ways and expect verify to name the problem.
. "$(dirname "$0")/lib.sh"

need_tools "disk tests" "fdisk, u-boot-tools, python3" sfdisk mkimage mkenvimage python3 truncate

# ---- the ingredients ----
"$K1FW" keygen -o "$T/keys" >/dev/null 2>&1 || not_ok "keygen"
seeded_bytes 120000 spl >"$T/spl.bin"
"$K1FW" fsbl --spl "$T/spl.bin" --keys "$T/keys" -o "$T/FSBL.bin" 2>/dev/null || not_ok "fsbl"
"$K1FW" bootinfo --media sd -o "$T/bi_sd.bin" 2>/dev/null || not_ok "bootinfo sd"
"$K1FW" bootinfo --media emmc -o "$T/bi_emmc.bin" 2>/dev/null || not_ok "bootinfo emmc"
seeded_bytes 150000 sbi >"$T/sbi.bin"
seeded_bytes 600000 ub >"$T/ub.bin"
cat >"$T/sbi.its" <<'EOF'
/dts-v1/;
/ {
	description = "Configuration to load OpenSBI before U-Boot";
	#address-cells = <2>;
	images { opensbi { description = "OpenSBI fw_dynamic Firmware"; type = "firmware";
		os = "opensbi"; arch = "riscv"; compression = "none"; load = <0x0 0x0>;
		entry = <0x0 0x0>; data = /incbin/("./sbi.bin"); hash-1 { algo = "crc32"; }; }; };
	configurations { default = "config_1";
		config_1 { description = "opensbi FIT config"; firmware = "opensbi"; }; };
};
EOF
cat >"$T/ub.its" <<'EOF'
/dts-v1/;
/ {
	description = "U-boot FIT image for k1x";
	#address-cells = <2>;
	images { uboot { description = "U-Boot"; type = "standalone"; os = "U-Boot";
		arch = "riscv"; compression = "none"; load = <0x0 0x200000>;
		data = /incbin/("./ub.bin"); hash-1 { algo = "crc32"; }; }; };
	configurations { default = "conf_1";
		conf_1 { description = "k1-x_deb1"; loadables = "uboot"; }; };
};
EOF
(cd "$T" && mkimage -f sbi.its sbi.itb >/dev/null && mkimage -f ub.its ub.itb >/dev/null) ||
	not_ok "mkimage"
printf 'bootdelay=0\nbootcmd=run autoboot\n' >"$T/env.txt"
mkenvimage -s 0x4000 -o "$T/env.bin" "$T/env.txt" || not_ok "mkenvimage"

# The Bianbu 2.x universal table (spec §5), bootfs/rootfs scaled down:
# fsbl 128K 256K, env 384K 64K, opensbi +384K, uboot +2M, bootfs 4M, rootfs rest.
make_card() { # $1 = image, $2 = uboot partition name
	rm -f "$1"
	truncate -s 64M "$1"
	sfdisk -q "$1" <<EOF
label: gpt
first-lba: 34
start=256, size=512, name=fsbl
start=768, size=128, name=env
start=896, size=768, name=opensbi
start=1664, size=4096, name=$2
start=8192, size=32768, name=bootfs
start=40960, name=rootfs
EOF
	put "$1" "$T/bi_sd.bin" 0
	put "$1" "$T/FSBL.bin" 256
	put "$1" "$T/env.bin" 768
	put "$1" "$T/sbi.itb" 896
	put "$1" "$T/ub.itb" 1664
}
put() { dd if="$2" of="$1" bs=512 seek="$3" conv=notrunc status=none; }

card=$T/sd.img
make_card "$card" uboot

# ---- peer agreement: the GPT as sfdisk reads it ----
sfdisk --json "$card" >"$T/sfdisk.json"
"$K1FW" inspect --json "$card" >"$T/k1.json"
python3 - "$T/sfdisk.json" "$T/k1.json" >"$T/cmp" 2>&1 <<'PY'
import json, sys
sf = json.load(open(sys.argv[1]))["partitiontable"]
k1 = json.load(open(sys.argv[2]))["files"][0]
a = [(p["name"], p["start"], p["size"]) for p in sf["partitions"]]
b = [(p["name"], p["first_lba"], p["last_lba"] - p["first_lba"] + 1) for p in k1["partitions"]]
assert a == b, f"sfdisk {a} != k1fw {b}"
assert [p["type"] for p in sf["partitions"]] == [p["type_guid"] for p in k1["partitions"]]
assert sf["id"] == k1["gpt"]["disk_guid"], (sf["id"], k1["gpt"]["disk_guid"])
assert (sf["firstlba"], sf["lastlba"]) == (k1["gpt"]["first_usable_lba"], k1["gpt"]["last_usable_lba"])
assert k1["format"] == "disk" and k1["partition_table"] == "gpt"
assert k1["bootinfo"]["media"] == "sd" and k1["bootinfo"]["crc_ok"]
assert k1["spl0"]["offset"] == 0x20000 and k1["spl0"]["found"] == "fsbl"
assert k1["spl0"]["fsbl"]["signature1"] == "valid"
assert k1["opensbi"]["found"] == "fit" and k1["uboot"]["found"] == "fit"
assert k1["env"]["offset"] == 0x60000 and k1["env"]["found"] == "env"
print("ok", len(a), "partitions")
PY
if [ $? -eq 0 ]; then ok "GPT entries, GUIDs and usable LBAs agree with sfdisk --json"; else
	not_ok "k1fw and sfdisk disagree"; sed 's/^/#   /' "$T/cmp"; fi

expect_rc 0 "verify: the Bianbu-layout card is clean" "$K1FW" verify "$card"
expect_rc 0 "inspect (text) of the card" "$K1FW" inspect "$card"
if grep -q "opensbi  896" "$T/out"; then ok "text inspect shows the partition table"; else
	not_ok "no partition row in the text output"; fi

# ---- the classic failures ----
cp "$card" "$T/emmc.img"
put "$T/emmc.img" "$T/bi_emmc.bin" 0
run "$K1FW" verify "$T/emmc.img"
verify_fails "bootinfo_emmc on an SD card: the FSBL slot lands on the GPT header" \
	"FAIL disk.spl0.gpt @ 0x200" "FAIL disk.spl0.fsbl @ 0x200: .*found the primary GPT header"

cp "$card" "$T/moved.img"
dd if=/dev/zero of="$T/moved.img" bs=512 seek=256 count=512 conv=notrunc status=none
put "$T/moved.img" "$T/FSBL.bin" 512
run "$K1FW" verify "$T/moved.img"
verify_fails "FSBL at 0x40000 instead of spl0_offset 0x20000" \
	"FAIL disk.spl0.fsbl @ 0x20000: expected an FSBL .* found zero bytes"

make_card "$T/renamed.img" u-boot
run "$K1FW" verify "$T/renamed.img"
verify_fails "partition named u-boot instead of uboot" \
	'FAIL disk.uboot.partition @ 0x400: expected a GPT partition named exactly "uboot"' '"u-boot"'

cp "$card" "$T/crc.img"
flip "$T/crc.img" 528
run "$K1FW" verify "$T/crc.img"
verify_fails "corrupted GPT header CRC" "FAIL gpt.header.crc32 @ 0x210"

cp "$card" "$T/ents.img"
flip "$T/ents.img" $((1024 + 56))
run "$K1FW" verify "$T/ents.img"
verify_fails "an edited entry without a new CRC" "FAIL gpt.entries.crc32 @ 0x258"

cp "$card" "$T/nobi.img"
dd if=/dev/zero of="$T/nobi.img" bs=80 count=1 conv=notrunc status=none
run "$K1FW" verify "$T/nobi.img"
verify_fails "bootinfo wiped (e.g. by a tool rewriting the MBR boot code)" \
	"FAIL disk.bootinfo @ 0x0: expected the bootinfo magic"

cp "$card" "$T/env.img"
flip "$T/env.img" $((0x60000 + 8))
run "$K1FW" verify "$T/env.img"
verify_fails "environment with a stale CRC" "FAIL disk.env @ 0x60000" "FAIL env.crc32 @ 0x60000"

cp "$card" "$T/sbi.img"
dd if=/dev/zero of="$T/sbi.img" bs=512 seek=896 count=768 conv=notrunc status=none
run "$K1FW" verify "$T/sbi.img"
verify_fails "empty opensbi partition" "FAIL disk.opensbi.fit @ 0x70000"

cp "$card" "$T/fit.img"
flip "$T/fit.img" $((1664 * 512 + 0x2000))
run "$K1FW" verify "$T/fit.img"
verify_fails "a byte of U-Boot changed: the FIT hash fails at its disk offset" "FAIL fit.hash"

cp "$card" "$T/short.img"
truncate -s 32M "$T/short.img"
run "$K1FW" verify "$T/short.img"
verify_fails "a truncated dump: no backup GPT" "FAIL gpt.backup @ 0x3fffe00" "FAIL gpt.header.alt_lba"

# sfdisk refuses overlaps: grow entry 3 by hand and recompute both GPTs' CRCs
cp "$card" "$T/overlap.img"
python3 - "$T/overlap.img" <<'PY'
import struct, sys, zlib
with open(sys.argv[1], "r+b") as f:
    for hdr in (512, f.seek(0, 2) - 512):
        f.seek(hdr); h = bytearray(f.read(92))
        ents = struct.unpack_from("<Q", h, 72)[0] * 512
        f.seek(ents); e = bytearray(f.read(128 * 128))
        struct.pack_into("<Q", e, 2 * 128 + 40, 896 + 999)  # opensbi ends inside uboot
        f.seek(ents); f.write(e)
        struct.pack_into("<I", h, 88, zlib.crc32(e))
        struct.pack_into("<I", h, 16, 0)
        struct.pack_into("<I", h, 16, zlib.crc32(h))
        f.seek(hdr); f.write(h)
PY
run "$K1FW" verify "$T/overlap.img"
verify_fails "opensbi grown into uboot" 'FAIL gpt.overlap @ 0xd0000: .*partition 3 "opensbi"'

run "$K1FW" verify --json "$T/emmc.img"
if [ "$rc" -eq 1 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = [x for x in d["files"][0]["checks"] if not x["ok"]]
assert not d["ok"] and {x["check"] for x in c} == {"disk.spl0.gpt", "disk.spl0.fsbl"}, c
assert all(x["where"] == "0x200" for x in c)' "$T/out"; then ok "verify --json lists the two failures at 0x200"
else not_ok "verify --json on the eMMC-bootinfo card"; fi

# Truncations: a sample of lengths. Under 1 KiB the prefix is a lone
# bootinfo (and may pass as one); from the GPT header on, each fails
# cleanly (exit 1 or 2, never a crash).
bad=""
for len in 0 1 80 511 512 1023 1024 1535 17408 131072 135000 393216 3000000 33554431; do
	head -c "$len" "$card" >"$T/cut.img"
	"$K1FW" verify "$T/cut.img" >/dev/null 2>"$T/err"
	r=$?
	if [ "$len" -ge 1024 ]; then
		[ "$r" -eq 1 ] || [ "$r" -eq 2 ] || bad="$bad $len:exit$r"
	else
		[ "$r" -le 2 ] || bad="$bad $len:exit$r"
	fi
	"$K1FW" inspect "$T/cut.img" >/dev/null 2>&1
	r=$?
	[ "$r" -eq 0 ] || [ "$r" -eq 2 ] || bad="$bad $len:inspect$r"
done
if [ -z "$bad" ]; then ok "truncated cards fail cleanly"; else not_ok "truncations:$bad"; fi

# ---- the vendor's own files in the same card ----
if [ -f "$VENDOR/golden/FSBL.bin" ] && [ -f "$VENDOR/golden/u-boot.itb" ]; then
	cp "$card" "$T/vendor.img"
	put "$T/vendor.img" "$VENDOR/golden/bootinfo_sd.bin" 0
	dd if=/dev/zero of="$T/vendor.img" bs=512 seek=256 count=512 conv=notrunc status=none
	put "$T/vendor.img" "$VENDOR/golden/FSBL.bin" 256
	dd if=/dev/zero of="$T/vendor.img" bs=512 seek=1664 count=4096 conv=notrunc status=none
	put "$T/vendor.img" "$VENDOR/golden/u-boot.itb" 1664
	expect_rc 0 "a card with the vendor bootinfo_sd, FSBL.bin and u-boot.itb verifies" \
		"$K1FW" verify "$T/vendor.img"
else
	skip "vendor files not found in $VENDOR/golden"
fi

done_testing
