#!/bin/sh
# k1fw inspect/verify on vendor partition tables. Peer agreement: the GPT
# layout k1fw resolves equals what sfdisk lays out on a sparse disk file
# from the same table (start given where the table gives an offset, else
# right after the previous partition; size '-' = to the last usable LBA,
# where sfdisk stops one sector short).
. "$(dirname "$0")/lib.sh"

# bootinfo_sd.bin (spec §2, SD column) made here with Python's zlib
mkbootinfo() { # FILE SPL0
	python3 - "$1" "$2" <<'PY'
import struct, sys, zlib
b = struct.pack("<II4sBBHIIIB3xIIIII12x", 0xB00714F0, 0x00010001, b"SDC\0", 0, 0, 0,
                512, 0x10000, 0x10000000, 0, int(sys.argv[2], 0), 0x80000, 0x36000, 0, 0)
open(sys.argv[1], "wb").write(b + struct.pack("<I", zlib.crc32(b)) + bytes(12))
PY
}

mkdir -p "$T/rel/factory"
mkbootinfo "$T/rel/factory/bootinfo_sd.bin" 0x20000
head -c 192768 /dev/zero >"$T/rel/factory/FSBL.bin"
cat >"$T/rel/partition_universal.json" <<'EOF'
{ "version": "1.0", "format": "gpt", "partitions": [
  { "name": "bootinfo", "offset": "0K", "size": "512", "hidden": true,
    "image": "factory/bootinfo_sd.bin", "holes": "{\"(80;512)\"}" },
  { "name": "fsbl", "offset": "128K", "size": "256K", "image": "factory/FSBL.bin" },
  { "name": "env", "offset": "384K", "size": "64K", "image": "env.bin" },
  { "name": "opensbi", "offset": "1M", "size": "1M", "image": "fw_dynamic.itb" },
  { "name": "uboot", "offset": "2M", "size": "2M", "image": "u-boot.itb" },
  { "name": "bootfs", "offset": "4M", "size": "256M", "image": "bootfs.ext4" },
  { "name": "rootfs", "offset": "260M", "size": "-", "image": "rootfs.ext4" } ] }
EOF
REL=$T/rel/partition_universal.json

expect_rc 0 "inspect the release table" "$K1FW" inspect "$REL"
grep -q '^layout  *gpt' "$T/out" && ok "layout gpt" || not_ok "layout gpt"
grep -q '^  fsbl  *131072  *262144  *393216  *128K  *256K' "$T/out" && ok "fsbl row in bytes and units" ||
	not_ok "fsbl row"
expect_rc 0 "verify the release table" "$K1FW" verify "$REL"

# SSD example of the boot guide: opensbi and uboot have no offset
cat >"$T/ssd.json" <<'EOF'
{ "version": "1.0", "format": "gpt", "partitions": [
  { "name": "bootinfo", "offset": "0K", "size": "512", "hidden": true },
  { "name": "fsbl", "offset": "128K", "size": "256K" },
  { "name": "env", "offset": "384K", "size": "64K" },
  { "name": "opensbi", "size": "384K" },
  { "name": "uboot", "size": "2M" },
  { "name": "bootfs", "offset": "4M", "size": "256M" },
  { "name": "rootfs", "offset": "260M", "size": "-" } ] }
EOF
# odd but valid units: hex, KiB, bare bytes, G
cat >"$T/units.json" <<'EOF'
{ "format": "gpt", "partitions": [
  { "name": "a", "offset": "0x20000", "size": "131072" },
  { "name": "opensbi", "size": "512KiB" },
  { "name": "uboot", "offset": "1M", "size": "0x100K" },
  { "name": "big", "size": "1G" },
  { "name": "rest", "size": "-" } ] }
EOF

# peer TABLE: sfdisk builds the GPT from the table text, k1fw resolves it
peer() {
	rm -f "$T/disk.img"
	truncate -s 1200M "$T/disk.img"
	"$K1FW" inspect --json "$1" >"$T/k1.json" || return 1
	python3 - "$1" >"$T/script" <<'PY' || return 1
import json, re, sys
units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
def sectors(s):
    m = re.fullmatch(r"(0x[0-9a-fA-F]+|[0-9]+)([KMG]?)(i?B)?", s)
    return int(m.group(1), 0) * units[m.group(2)] // 512
print("label: gpt\nfirst-lba: 34\ngrain: 512")
for p in json.load(open(sys.argv[1]))["partitions"]:
    if p.get("hidden") in (True, "true") or p["name"].startswith("bootinfo"):
        continue
    fields = ["name=" + p["name"]]
    if p.get("offset"):
        fields.append("start=%d" % sectors(p["offset"]))
    if p["size"] != "-":
        fields.append("size=%d" % sectors(p["size"]))
    print(", ".join(fields))
PY
	sfdisk -q "$T/disk.img" <"$T/script" >/dev/null 2>"$T/sferr" || { cat "$T/sferr"; return 1; }
	sfdisk --json "$T/disk.img" >"$T/sf.json"
	python3 - "$T/k1.json" "$T/sf.json" <<'PY'
import json, sys
k1 = {p["name"]: p for p in json.load(open(sys.argv[1]))["files"][0]["partitions"]}
sf = json.load(open(sys.argv[2]))["partitiontable"]
errors = []
for p in sf["partitions"]:
    q = k1[p["name"]]
    size = sf["lastlba"] - p["start"] + 1 if q["size"] is None else q["size"] // 512
    # size '-' reaches the last usable LBA (U-Boot gpt write); sfdisk's own
    # "rest" stops one sector short of it (its end alignment)
    slack = 1 if q["size"] is None else 0
    if q["offset"] // 512 != p["start"] or not size - slack <= p["size"] <= size:
        errors.append("%s: k1fw %s+%s, sfdisk %d+%d" % (p["name"], q["offset"] // 512, size,
                                                         p["start"], p["size"]))
print("; ".join(errors) or "%d partitions agree" % len(sf["partitions"]))
sys.exit(1 if errors else 0)
PY
}
for t in "$REL" "$T/ssd.json" "$T/units.json"; do
	if peer "$t" >"$T/cmp"; then ok "sfdisk agrees on $(basename "$t"): $(cat "$T/cmp")"
	else not_ok "sfdisk disagrees on $(basename "$t"): $(cat "$T/cmp")"; fi
done

# the classic unbootable SD card: the table moves fsbl, the bootinfo does not
sed 's/"128K"/"256K"/; s/"384K"/"512K"/' "$REL" >"$T/rel/moved.json"
expect_rc 1 "fsbl away from the bootinfo's spl0_offset" "$K1FW" verify "$T/rel/moved.json"
grep -q 'FAIL ptable.bootinfo_fsbl @ partition fsbl: expected the fsbl partition at .*0x20000, found it at 0x40000' "$T/out" &&
	ok "names ptable.bootinfo_fsbl with both offsets" || not_ok "ptable.bootinfo_fsbl"
# a FSBL that does not fit its partition
head -c 300000 /dev/zero >"$T/rel/factory/FSBL.bin"
expect_rc 1 "FSBL larger than the fsbl partition" "$K1FW" verify "$REL"
grep -q 'FAIL ptable.image_size @ partition fsbl' "$T/out" && ok "names ptable.image_size" ||
	not_ok "ptable.image_size"
head -c 192768 /dev/zero >"$T/rel/factory/FSBL.bin"
# no opensbi: the SPL cannot load it by name
sed 's/"opensbi"/"sbi"/' "$REL" >"$T/rel/nosbi.json"
expect_rc 1 "no opensbi partition" "$K1FW" verify "$T/rel/nosbi.json"
grep -q 'FAIL ptable.required @ partition opensbi' "$T/out" && ok "names ptable.required" ||
	not_ok "ptable.required"
# '80B' bootinfo then fsbl without offset: k1fw and the vendor KiB rule disagree
cat >"$T/kib.json" <<'EOF'
{ "format": "gpt", "partitions": [
  { "name": "bootinfo", "offset": "0", "size": "80B", "hidden": true },
  { "name": "x", "offset": "64K", "size": "1000" },
  { "name": "opensbi", "size": "1M" }, { "name": "uboot", "size": "-" } ] }
EOF
expect_rc 1 "a size without K/M/G before a partition without offset" "$K1FW" verify "$T/kib.json"
grep -q 'FAIL ptable.vendor_offset @ partition opensbi' "$T/out" && ok "names ptable.vendor_offset" ||
	not_ok "ptable.vendor_offset"

# the vendor's Ky X1 factory table: three whole-device entries
KY=$VENDOR/golden/partition_universal.ky-x1.json
if [ -f "$KY" ]; then
	expect_rc 0 "inspect the Ky X1 factory table" "$K1FW" inspect --json "$KY"
	grep -q '"layout": "device-map"' "$T/out" && ok "seen as a device map" || not_ok "device map"
	expect_rc 0 "verify the Ky X1 factory table" "$K1FW" verify --verbose "$KY"
	grep -q 'ok ptable.layout' "$T/out" && ok "says why layout checks do not apply" ||
		not_ok "ptable.layout note"
else
	skip "vendor table not found at $KY"
fi

# broken tables: one clear line, never a crash
printf '{"partitions": [1]}' >"$T/one.json"
expect_fail 2 'partitions\[0\]: expected an object' "a partition that is not an object" \
	"$K1FW" inspect "$T/one.json"
if [ -f "$VENDOR/k1-x/configs/fsbl.json" ]; then
	run "$K1FW" inspect "$VENDOR/k1-x/configs/fsbl.json"
	grep -q 'ptable' "$T/out" && not_ok "a vendor recipe is taken for a table" ||
		ok "a vendor recipe is not a partition table"
fi
len=$(wc -c <"$REL")
bad=0 n=0
while [ $n -lt "$len" ]; do
	head -c $n "$REL" >"$T/cut.json"
	run "$K1FW" verify "$T/cut.json"
	case $rc in 0 | 1 | 2) ;; *) bad=$((bad + 1)); echo "# $n bytes: exit $rc" ;; esac
	[ "$(wc -l <"$T/err")" -le 1 ] || { bad=$((bad + 1)); echo "# $n bytes: stderr"; }
	n=$((n + 1))
done
[ $bad -eq 0 ] && ok "every truncation ($len): exit 0-2, at most one error line" ||
	not_ok "$bad truncations misbehaved"
done_testing
