#!/bin/sh
# k1fw image: SD-card and eMMC images from a release folder, checked by
# their peers (sfdisk, sgdisk, genimage, simg2img, bmaptool, e2fsck) and by
# k1fw verify; every refused layout fails with one line and leaves nothing.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2

# ---- a release folder with small ext4 filesystems ----
mkdir -p rootdir/etc bootdir
seeded_bytes 3000000 rootdir-blob >rootdir/blob
echo "k1fw test" >rootdir/etc/hostname
echo "kernel" >bootdir/Image
truncate -s 24M rootfs.ext4 && mkfs.ext4 -q -F -L rootfs -d rootdir rootfs.ext4
truncate -s 8M bootfs.ext4 && mkfs.ext4 -q -F -L bootfs -d bootdir bootfs.ext4
make_inputs
SOURCE_DATE_EPOCH=1700000000 "$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
	--uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb --bootfs bootfs.ext4 --rootfs rootfs.ext4 \
	-o rel >/dev/null || { not_ok "bundle for the image tests"; done_testing; exit 1; }
R=rel
FSBL_SIZE=$(stat -c %s $R/factory/FSBL.bin)

# at OFF of IMG lie the bytes of FILE
at() { cmp -s -n "$(stat -c %s "$3")" -i "0:$2" "$3" "$1"; }
# the partitions sfdisk --json lists, one "name start size" line each
sfparts() { sfdisk --json "$1" | python3 -c 'import json,sys
for p in json.load(sys.stdin)["partitiontable"]["partitions"]: print(p["name"], p["start"], p["size"])' 2>/dev/null; }
# zero bytes? (N bytes at OFF)
zeros() { [ "$(dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | tr -d '\0' | wc -c)" -eq 0 ]; }
# extract N sectors from LBA S of IMG into F
part_out() { dd if="$1" of="$4" bs=512 skip="$2" count="$3" 2>/dev/null; }
img() { "$K1FW" image --bundle $R "$@"; }

# ---- SD from the bundle's own table (Bianbu 2.x release layout) ----
expect_rc 0 "SD image from the bundle" img --media sd -o sd.img --android-sparse sd.simg \
	--bmap sd.bmap --genimage-config sd.cfg --json
cp "$T/out" sd.json
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["written"]["image"]=="sd.img"' sd.json &&
	ok "--json describes the layout" || not_ok "--json output"
sfparts sd.img >parts.txt
cat >want.txt <<'EOF'
fsbl 256 512
env 768 128
opensbi 2048 2048
uboot 4096 4096
bootfs 8192 524288
rootfs 532480 51167
EOF
diff want.txt parts.txt >/dev/null && ok "sfdisk --json lists every partition at the table's offsets" ||
	{ not_ok "sfdisk partitions"; sed 's/^/#   /' parts.txt; }
run sgdisk -v sd.img
grep -q "No problems found" "$T/out" && ok "sgdisk -v finds no problems" || not_ok "sgdisk -v: $(tail -2 "$T/out")"
expect_rc 0 "k1fw verify passes the SD image" "$K1FW" verify sd.img
"$K1FW" inspect --json sd.img >insp.json && grep -q '"partition_table": "gpt"' insp.json &&
	ok "k1fw inspect reads the SD image" || not_ok "inspect sd.img"
at sd.img 0 $R/factory/bootinfo_sd.bin && ok "bootinfo in bytes 0-79" || not_ok "bootinfo at 0"
[ "$(od -An -tx1 -j510 -N2 sd.img | tr -d ' ')" = 55aa ] && [ "$(od -An -tx1 -j450 -N1 sd.img | tr -d ' ')" = ee ] &&
	ok "protective MBR kept beside the bootinfo" || not_ok "protective MBR"
at sd.img $((0x20000)) $R/factory/FSBL.bin && ok "FSBL at spl0_offset 0x20000" || not_ok "FSBL at spl0"
at sd.img $((0x80000)) $R/factory/FSBL.bin && ok "backup FSBL at spl1_offset 0x80000 (free in this table)" ||
	not_ok "FSBL at spl1"
at sd.img $((0x60000)) $R/env.bin && at sd.img $((0x100000)) $R/fw_dynamic.itb &&
	at sd.img $((0x200000)) $R/u-boot.itb && ok "env, opensbi, uboot at their offsets" || not_ok "firmware partitions"
part_out sd.img 532480 49152 rootfs.out
e2fsck -fn rootfs.out >/dev/null 2>&1 && ok "rootfs extracted from the image passes e2fsck -fn" || not_ok "e2fsck rootfs"
debugfs -R "cat /etc/hostname" rootfs.out 2>/dev/null | grep -q "k1fw test" && ok "rootfs holds its files" ||
	not_ok "rootfs content"
part_out sd.img 8192 16384 bootfs.out
e2fsck -fn bootfs.out >/dev/null 2>&1 && ok "bootfs passes e2fsck -fn" || not_ok "e2fsck bootfs"
simg2img sd.simg sd.unsparse && same_file sd.img sd.unsparse "simg2img of the Android sparse equals the raw image"
"$K1FW" verify sd.simg >/dev/null && ok "k1fw verify reads the Android sparse image" || not_ok "verify sd.simg"
if command -v bmaptool >/dev/null; then
	bmaptool copy --bmap sd.bmap sd.img sd.bmapcopy >/dev/null 2>&1 &&
		same_file sd.img sd.bmapcopy "bmaptool copy with the map reproduces the image"
	truncate -s 0 sd.bmapcopy
	bmaptool copy --bmap sd.bmap sd.img sd.bmapcopy >/dev/null 2>&1 && cmp -s sd.img sd.bmapcopy &&
		ok "bmaptool checks every range's SHA-256 and the map's own" || not_ok "bmaptool checksums"
else
	skip "bmaptool not installed (package bmap-tools)"
fi
data=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["written"]["data_bytes"])' sd.json 2>/dev/null)
alloc=$(du -B1 sd.img | cut -f1)
[ -n "$data" ] && [ "$alloc" -le $((data + 1048576)) ] && ok "allocation follows the data ($alloc bytes for $data)" ||
	not_ok "allocation $alloc bytes, data $data"
[ "$(stat -c %s sd.img)" -eq $((272629760 + 25165824 + 1048576)) ] &&
	ok "default size: the smallest whole MiB holding rootfs and the backup GPT" || not_ok "size $(stat -c %s sd.img)"

# genimage on the emitted config: the same bytes (GPT headers and the MBR's CHS may differ)
if command -v genimage >/dev/null; then
	mkdir -p gtmp gout groot
	if genimage --config sd.cfg --rootpath groot --tmppath gtmp --inputpath . --outputpath gout >/dev/null 2>&1; then
		python3 - sd.img gout/sd.img >gdiff.txt <<'EOF'
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
n = len(a) // 512
skip = [(446, 512), (512, 1024), ((n - 1) * 512, n * 512)]  # MBR record, GPT headers
bad = [i for i in range(len(a)) if a[i] != b[i] and not any(s <= i < e for s, e in skip)] if len(a) == len(b) else [-1]
print(len(bad), bad[:5])
EOF
		grep -q "^0 " gdiff.txt && ok "genimage on the emitted config writes the same data at the same offsets" ||
			not_ok "genimage image differs: $(cat gdiff.txt)"
		[ "$(sfparts gout/sd.img)" = "$(cat parts.txt)" ] && ok "genimage's GPT lists the same partitions" ||
			not_ok "genimage GPT"
	else
		not_ok "genimage refused the emitted config"
	fi
else
	skip "genimage not installed"
fi

# reproducible, unless --random-guids
expect_rc 0 "same inputs again" img --media sd -o sd2.img --android-sparse sd2.simg --bmap sd2.bmap
same_file sd.img sd2.img "byte-reproducible image"
same_file sd.simg sd2.simg "byte-reproducible Android sparse"
expect_rc 0 "--random-guids" img --media sd -o sd3.img --random-guids
[ "$(sfdisk --json sd3.img | grep '"id"')" != "$(sfdisk --json sd.img | grep '"id"')" ] &&
	ok "--random-guids gives another disk GUID" || not_ok "random GUIDs"

# ---- eMMC: boot0 and the user area ----
mkdir -p emmc
expect_rc 0 "eMMC images" img --media emmc -o emmc/user.img --genimage-config emmc/e.cfg
[ -f emmc/boot0.img ] && ok "boot0.img beside the user image" || not_ok "boot0.img missing"
"$K1FW" bootinfo --media emmc -o bi_emmc.bin >/dev/null
at emmc/boot0.img 0 bi_emmc.bin && at emmc/boot0.img 512 $R/factory/FSBL.bin &&
	ok "boot0: eMMC bootinfo at 0, FSBL at 0x200" || not_ok "boot0 layout"
expect_rc 0 "k1fw verify passes boot0 and the user area" "$K1FW" verify emmc/boot0.img emmc/user.img
grep -q "boot0.fsbl" /dev/null; "$K1FW" verify --verbose emmc/boot0.img | grep -q "ok boot0.fsbl" &&
	ok "verify checks the FSBL inside boot0" || not_ok "boot0 FSBL check"
zeros emmc/user.img 0 440 && zeros emmc/user.img $((0x20000)) 4096 &&
	ok "user area: no bootinfo, fsbl partition empty (as after fastboot)" || not_ok "user area content"
at emmc/user.img $((0x200000)) $R/u-boot.itb && ok "user area: uboot at 2M" || not_ok "user area uboot"
run sgdisk -v emmc/user.img
grep -q "No problems found" "$T/out" && ok "sgdisk -v accepts the user area" || not_ok "sgdisk user area"
expect_rc 0 "--boot0 names the boot0 image" img --media emmc -o emmc/u2.img --boot0 emmc/b0.img
same_file emmc/boot0.img emmc/b0.img "same boot0 bytes"
expect_rc 0 "--part bootinfo=F replaces the built-in eMMC bootinfo" img --media emmc -o emmc/u3.img \
	--boot0 emmc/b3.img --part bootinfo=$R/factory/bootinfo_emmc.bin
same_file emmc/boot0.img emmc/b3.img "bootinfo_emmc.bin equals the built-in values"

if command -v genimage >/dev/null; then
	mkdir -p egtmp egout
	genimage --config emmc/e.cfg --rootpath groot --tmppath egtmp --inputpath . --outputpath egout \
		>/dev/null 2>&1 && same_file emmc/boot0.img egout/boot0.img "genimage on the eMMC config: the same boot0"
else
	skip "genimage not installed"
fi

# ---- the older eMMC example of the boot guide (research §4.6 c): fsbl at 256K ----
mkdir -p tables
cat >tables/old.json <<'EOF'
{ "version": "1.0", "format": "gpt", "partitions": [
  { "name": "bootinfo", "offset": "0", "size": "80B" },
  { "name": "fsbl", "offset": "256K", "size": "256K", "image": "factory/FSBL.bin" },
  { "name": "env", "offset": "512K", "size": "128K" },
  { "name": "opensbi", "offset": "1M", "size": "1M", "image": "opensbi.itb" },
  { "name": "uboot", "offset": "2M", "size": "2M", "image": "u-boot.itb" },
  { "name": "bootfs", "offset": "4M", "size": "128M" },
  { "name": "rootfs", "size": "-" } ] }
EOF
expect_fail 2 "partition fsbl at 0x40000: expected the bootinfo spl0_offset 0x20000" \
	"old guide table with the SD bootinfo: refused (the classic unbootable card)" \
	img --table tables/old.json --media sd -o bad.img --part opensbi=$R/fw_dynamic.itb --size 256M
"$K1FW" bootinfo --media sd --spl0 0x40000 -o bi_40000.bin >/dev/null
run img --table tables/old.json --media sd -o old.img --part opensbi=$R/fw_dynamic.itb --size 256M \
	--part bootinfo=bi_40000.bin
[ "$rc" -eq 0 ] && grep -q "partition env at 0x80000: U-Boot reads its environment at 0x60000" "$T/err" &&
	grep -q "partition fsbl (0x40000-0x80000) holds U-Boot's environment area" "$T/err" &&
	at old.img $((0x40000)) $R/factory/FSBL.bin && at old.img 0 bi_40000.bin &&
	ok "...with a bootinfo for spl0 0x40000 it builds, and warns about env" || not_ok "old table (exit $rc)"
run "$K1FW" verify old.img
if [ $((0x40000 + FSBL_SIZE)) -le $((0x60000)) ]; then
	# the synthetic SPL is smaller than the vendor's: its FSBL ends before 0x60000
	skip "verify old.img: this FSBL ($FSBL_SIZE bytes) ends before the environment at 0x60000 (the vendor SPL's reaches it)"
else
	[ "$rc" -eq 1 ] && grep -q "FAIL disk.spl0.overlap @ 0x40000: .* clear of the environment at 0x60000" "$T/out" &&
		ok "k1fw verify reports the old layout's FSBL over the environment area" || not_ok "verify old.img (exit $rc)"
fi

# ---- the vendor boot guide's table (spec §5, research §4.6 b): OpenSBI at spl1 ----
cat >tables/guide.json <<'EOF'
{ "version": "1.0", "format": "gpt", "partitions": [
  { "name": "bootinfo", "offset": "0K", "size": "512", "image": "factory/bootinfo_sd.bin", "holes": "{\"(80;512)\"}" },
  { "name": "fsbl", "offset": "128K", "size": "256K", "image": "factory/FSBL.bin" },
  { "name": "env", "offset":"384K", "size": "64K", "image": "env.bin" },
  { "name": "opensbi", "size": "384K", "image": "fw_dynamic.itb" },
  { "name": "uboot", "size": "2M", "image": "u-boot.itb" },
  { "name": "bootfs", "offset": "4M", "size": "256M", "image": "bootfs.img", "compress": "gzip-5" },
  { "name": "rootfs", "offset": "260M", "size": "-", "image": "rootfs.ext4", "compress": "gzip-5" } ] }
EOF
run img --table tables/guide.json --media sd -o guide.img --size 320M --part bootfs=bootfs.ext4
[ "$rc" -eq 0 ] && grep -q "warning: bootinfo spl1_offset 0x80000 lies in partition opensbi" "$T/err" &&
	ok "vendor guide table: warns that OpenSBI holds spl1, writes no backup FSBL" ||
	{ not_ok "guide table (exit $rc)"; sed 's/^/#   /' "$T/err"; }
at guide.img $((448 * 1024)) $R/fw_dynamic.itb && ok "opensbi at the implicit offset 448K, not overwritten" ||
	not_ok "opensbi at 448K"
sfparts guide.img | grep -q "^opensbi 896 768$" && sfparts guide.img | grep -q "^uboot 1664 4096$" &&
	ok "sfdisk: implicit offsets opensbi 448K, uboot 832K" || not_ok "guide offsets: $(sfparts guide.img | tr '\n' ';')"
expect_rc 0 "k1fw verify passes the guide-table image" "$K1FW" verify guide.img
[ "$(stat -c %s guide.img)" -eq $((320 << 20)) ] && ok "--size 320M" || not_ok "--size"

# ---- implicit offsets, units, holes, a hidden partition and a gap ----
cat >tables/units.json <<'EOF'
{ "version": "1.0", "format": "gpt", "partitions": [
  { "name": "bootinfo", "offset": "0", "size": "512B", "image": "factory/bootinfo_sd.bin", "hidden": true, "holes": "{\"(80;512)\"}" },
  { "name": "fsbl", "offset": "0x20000", "size": "256K" },
  { "name": "env", "size": "65536", "image": "env.bin" },
  { "name": "private", "offset": "448K", "size": "64K", "hidden": "true" },
  { "name": "opensbi", "offset": "1M", "size": "1M" },
  { "name": "uboot", "size": "0x200000", "image": "u-boot.itb", "holes": "{\"(0;4096)\"}" },
  { "name": "rootfs", "offset": "8M", "size": "-" } ] }
EOF
expect_rc 0 "table with implicit offsets, units, holes, hidden, gap" img --table tables/units.json --media sd -o units.img
sfparts units.img | tr '\n' ';' >units.txt
[ "$(cat units.txt)" = "fsbl 256 512;env 768 128;opensbi 2048 2048;uboot 4096 4096;rootfs 16384 51167;" ] &&
	ok "units table: GPT offsets and sizes (hidden partition left out)" || not_ok "units table: $(cat units.txt)"
zeros units.img $((0x200000)) 4096 && cmp -s -n $(($(stat -c %s $R/u-boot.itb) - 4096)) \
	-i 4096:$((0x200000 + 4096)) $R/u-boot.itb units.img && ok "holes of a partition are not written" ||
	not_ok "uboot holes"
at units.img $((0x20000)) $R/factory/FSBL.bin && ok "fsbl with no image gets the bundle's FSBL.bin" || not_ok "fsbl default"
part_out units.img 16384 49152 rootfs2.out
e2fsck -fn rootfs2.out >/dev/null 2>&1 && ok "rootfs (default rootfs.ext4) at 8M passes e2fsck -fn" ||
	not_ok "units rootfs"

# ---- refusals: one line, exit 2, nothing left behind ----
tbl() { # NAME: a copy of the bundle table with python edits in $2
	python3 - "$R/partition_universal.json" "tables/$1.json" "$2" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1])); P = {p["name"]: p for p in t["partitions"]}
exec(sys.argv[3])
json.dump(t, open(sys.argv[2], "w"), indent=1)
EOF
}
tbl overlap 'P["env"]["offset"] = "256K"'
expect_fail 2 "partition env (0x40000-0x50000) overlaps partition fsbl" "overlapping partitions refused" \
	img --table tables/overlap.json --media sd -o bad.img
seeded_bytes 70000 big_env >big_env.bin
expect_fail 2 "partition env: image big_env.bin is 70000 bytes, larger than the partition" \
	"image larger than its partition refused" img --media sd -o bad.img --part env=big_env.bin
tbl fsbl512 'P["fsbl"]["offset"] = "512K"'
expect_fail 2 "partition fsbl at 0x80000: expected the bootinfo spl0_offset 0x20000" \
	"fsbl partition not at spl0_offset refused" img --table tables/fsbl512.json --media sd -o bad.img
expect_fail 2 "an eMMC bootinfo on an SD card" "eMMC bootinfo on an SD card refused" \
	img --media sd -o bad.img --part bootinfo=$R/factory/bootinfo_emmc.bin
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open("big_fsbl.bin","wb").write(d + bytes(0x36001 - len(d)))' $R/factory/FSBL.bin
expect_fail 2 "exceeds the bootinfo spl_size_limit 0x36000" "FSBL over the size limit refused" \
	img --media sd -o bad.img --part fsbl=big_fsbl.bin
expect_fail 2 "partition uboot: image nonexistent.itb not found" "missing image file refused" \
	img --media sd -o bad.img --part uboot=nonexistent.itb
tbl gptarea 'P["fsbl"]["offset"] = "8K"'
expect_fail 2 "partition fsbl at 0x2000: the primary GPT" "GPT that cannot fit before the first partition refused" \
	img --table tables/gptarea.json --media sd -o bad.img
tbl misaligned 'P["opensbi"]["offset"] = "1048600"'
expect_fail 2 "partition opensbi: offset 0x100018, size 0x100000: expected whole 512-byte sectors" \
	"misaligned partition refused" img --table tables/misaligned.json --media sd -o bad.img
expect_fail 2 "--size 16777216: the layout needs" "image larger than --size refused" \
	img --media sd -o bad.img --size 16M
expect_fail 2 "expected a multiple of 4 KiB" "--size not a multiple of 4 KiB refused" \
	img --media sd -o bad.img --size 300000000
tbl norest 'P["rootfs"]["size"] = "-"; P["bootfs"]["size"] = "-"'
expect_fail 2 "partition bootfs: size '-' (rest of the device) is only possible on the last" \
	"'-' before the last partition refused" img --table tables/norest.json --media sd -o bad.img
tbl noopensbi 'P["opensbi"]["hidden"] = True'
expect_fail 2 "no GPT partition named opensbi (it is hidden): the SPL loads it by name" \
	"hidden opensbi refused" img --table tables/noopensbi.json --media sd -o bad.img
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()) + bytearray(432); d[450]=1; open("bi_mbr.bin","wb").write(d)' $R/factory/bootinfo_sd.bin
tbl nohole 'P["bootinfo"].pop("holes"); P["bootinfo"]["image"] = "../bi_mbr.bin"'
expect_fail 2 "overlaps the protective MBR at 440-511" "bootinfo data over the protective MBR refused" \
	img --table tables/nohole.json --media sd -o bad.img
tbl dup 'import copy; t["partitions"].insert(3, copy.deepcopy(P["env"])); t["partitions"][3]["offset"] = "448K"'
expect_fail 2 "partition env: the name appears twice" "duplicate partition names refused" \
	img --table tables/dup.json --media sd -o bad.img
expect_fail 2 "expected \"gpt\"" "an mtd table refused" img --table $R/partition_2M.json --media sd -o bad.img
if have_vendor; then
	expect_fail 2 "a map of whole devices" "the Ky X1 device map refused" \
		img --table "$VENDOR/golden/partition_universal.ky-x1.json" --media sd -o bad.img
else
	skip "vendor files absent: Ky X1 device map"
fi
mkdir -p norootfs && cp -r $R/factory $R/env.bin $R/*.itb norootfs/ &&
	python3 -c 'import json; t=json.load(open("rel/partition_universal.json")); [p.pop("image", None) for p in t["partitions"] if p["name"] in ("bootfs","rootfs")]; json.dump(t, open("norootfs/partition_universal.json","w"))'
expect_fail 2 "partition rootfs has size '-' and no image: give --size" "no size for an empty '-' partition" \
	"$K1FW" image --bundle norootfs --media sd -o bad.img
expect_rc 0 "...and with --size it builds" "$K1FW" image --bundle norootfs --media sd -o norootfs.img --size 300M
expect_fail 2 "is one of the inputs" "an output never replaces an input" img --media sd -o $R/u-boot.itb
expect_fail 2 "does not exist" "missing output folder" img --media sd -o nodir/x.img
expect_fail 2 "expected sd or emmc" "--media spinor refused" img --media spinor -o bad.img
expect_fail 2 "--part 'x': expected NAME=FILE" "bad --part" img --media sd -o bad.img --part x
expect_fail 2 "missing --bundle" "--bundle required" "$K1FW" image --media sd -o bad.img
cmp -s $R/u-boot.itb "$(dirname "$0")/../../README.md" 2>/dev/null; [ -s $R/u-boot.itb ] && ok "the input survived" ||
	not_ok "input damaged"
left=$(ls bad* tables/*.tmp-* $R/*.tmp-* ./*.tmp-* 2>/dev/null)
[ -z "$left" ] && ok "refusals left no output or temporary file" || not_ok "left behind: $left"

# --force writes anyway, with a warning per refusal
run img --table tables/overlap.json --media sd -o forced.img --force
[ "$rc" -eq 0 ] && grep -q "warning: partition env .* overlaps .*--force" "$T/err" && [ -f forced.img ] &&
	ok "--force writes an overlapping layout with a warning" || not_ok "--force (exit $rc)"
run img --media sd -o forced2.img --part env=big_env.bin --force
[ "$rc" -eq 0 ] && at forced2.img $((0x70000)) /dev/null && zeros forced2.img $((0x70000)) 4096 &&
	ok "--force clips an oversized image to its partition" || not_ok "--force clip (exit $rc)"
# an output that cannot be renamed into place: the error names what is already written.
# In a sticky folder another user's file passes every check but cannot be replaced.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod o+x "$T" && mkdir -m 1777 sticky && : >sticky/taken.bmap
	expect_fail 2 "taken.bmap: cannot rename into place: .*already written: sticky/renamed.img" \
		"a failed rename names the outputs already in place" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$K1FW" image --bundle $R --media sd -o sticky/renamed.img --bmap sticky/taken.bmap
	left=$(ls sticky/*.tmp-* 2>/dev/null)
	[ -z "$left" ] && ok "and leaves no temporary file" || not_ok "left behind: $left"
else
	skip "not root or no setpriv: the failed-rename case"
	skip "not root or no setpriv: the failed-rename case"
fi
done_testing
