#!/bin/sh
# k1fw bundle: a verified, reproducible release folder; its FITs list in
# dumpimage, its env equals mkenvimage, its files fit their partitions; bad
# inputs leave nothing behind.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2

make_inputs
cp k1-x_deb1.dtb k1-x_evb.dtb
printf 'bootdelay=0\nbootcmd=run autoboot\n' >env.txt

bundle() { SOURCE_DATE_EPOCH=1700000000 "$K1FW" bundle --spl spl.bin --keys keys "$@"; }

expect_rc 0 "bundle from bins and dtbs" bundle --opensbi fw_dynamic.bin --uboot-bin u-boot-nodtb.bin \
	--dtb k1-x_deb1.dtb --dtb evb=k1-x_evb.dtb --env env.txt --bootfs bootfs.ext4 -o rel
for f in factory/bootinfo_emmc.bin factory/bootinfo_sd.bin factory/bootinfo_spinor.bin \
	factory/bootinfo_spinand.bin factory/FSBL.bin fw_dynamic.itb u-boot.itb env.bin bootfs.ext4 \
	partition_universal.json partition_2M.json SHA256SUMS; do
	[ -f "rel/$f" ] && ok "rel/$f exists" || not_ok "rel/$f missing"
done
(cd rel && sha256sum --quiet -c SHA256SUMS) && ok "SHA256SUMS checks with sha256sum -c" || not_ok "SHA256SUMS"
expect_rc 0 "every file verifies" "$K1FW" verify rel/factory/*.bin rel/*.itb rel/env.bin rel/*.json
mkenvimage -s 0x4000 -o want_env.bin env.txt
same_file rel/env.bin want_env.bin "env.bin equals mkenvimage -s 0x4000"
if have_vendor; then
	"$K1FW" fsbl --spl spl.bin --keys keys -o want_fsbl.bin
	same_file rel/factory/FSBL.bin want_fsbl.bin "FSBL.bin equals k1fw fsbl with the vendor SPL"
	for m in emmc sd spinor spinand; do
		same_file "rel/factory/bootinfo_$m.bin" "$VENDOR/golden/bootinfo_$m.bin" "bootinfo_$m equals the vendor file"
	done
else
	skip "vendor files absent: bootinfo/FSBL golden comparisons"
fi
run dumpimage -l rel/u-boot.itb
grep -q "Image 0 (uboot)" "$T/out" && grep -q "Configuration 1 (conf_2)" "$T/out" &&
	grep -q "Description:  evb" "$T/out" && ok "dumpimage lists u-boot.itb (uboot, 2 boards)" ||
	not_ok "dumpimage listing of u-boot.itb"
run dumpimage -l rel/fw_dynamic.itb
grep -q "Image 0 (opensbi)" "$T/out" && grep -q "Type:         Firmware" "$T/out" &&
	ok "dumpimage lists fw_dynamic.itb" || not_ok "dumpimage listing of fw_dynamic.itb"
grep -q "Created:      Tue Nov 14 22:13:20 2023" "$T/out" && ok "FIT timestamp from SOURCE_DATE_EPOCH" ||
	not_ok "FIT timestamp"

expect_rc 0 "same inputs again" bundle --opensbi fw_dynamic.bin --uboot-bin u-boot-nodtb.bin \
	--dtb k1-x_deb1.dtb --dtb evb=k1-x_evb.dtb --env env.txt --bootfs bootfs.ext4 -o rel2
diff -r rel rel2 >/dev/null && ok "byte-reproducible" || not_ok "two bundles differ"
expect_rc 0 "ready-made FITs and env.bin are shipped as they are" bundle --opensbi rel/fw_dynamic.itb \
	--uboot rel/u-boot.itb --env rel/env.bin -o rel3
cmp -s rel/u-boot.itb rel3/u-boot.itb && cmp -s rel/env.bin rel3/env.bin && ok "FIT and env copied" ||
	not_ok "FIT and env copied"
expect_rc 0 "no --env gives an empty environment" bundle --opensbi fw_dynamic.bin --uboot rel/u-boot.itb -o rel4
"$K1FW" verify rel4/env.bin >/dev/null && ok "the empty env verifies" || not_ok "empty env"

# failures: one line, exit 2, no folder and no temporary folder left
expect_fail 2 "already exists" "an existing folder is never overwritten" bundle --opensbi fw_dynamic.bin \
	--uboot rel/u-boot.itb -o rel
seeded_bytes 200000 big_fw >big_fw.bin
expect_fail 2 "partition_2M.json: verify failed: ptable.image_size" "OpenSBI too big for the NOR table" \
	bundle --opensbi big_fw.bin --uboot rel/u-boot.itb -o bad1
seeded_bytes 220000 big_spl >big_spl.bin
expect_fail 2 "spl_size_limit" "SPL too big" "$K1FW" bundle --spl big_spl.bin --keys keys \
	--opensbi fw_dynamic.bin --uboot rel/u-boot.itb -o bad2
expect_fail 2 "not a FIT image" "--uboot must be a FIT" bundle --opensbi fw_dynamic.bin --uboot u-boot-nodtb.bin -o bad3
expect_fail 2 "missing the U-Boot input" "U-Boot input required" bundle --opensbi fw_dynamic.bin -o bad4
expect_fail 2 "either --uboot" "--uboot and --uboot-bin together" bundle --opensbi fw_dynamic.bin \
	--uboot rel/u-boot.itb --uboot-bin u-boot-nodtb.bin -o bad5
expect_fail 2 "rsakeypair0_prv.key" "missing keys" "$K1FW" bundle --spl spl.bin --keys nokeys \
	--opensbi fw_dynamic.bin --uboot rel/u-boot.itb -o bad6
expect_fail 2 "missing the --opensbi input" "--opensbi required for the vendor layout" "$K1FW" bundle --spl spl.bin --keys keys -o bad7
expect_fail 2 "u-boot.itb carries no OpenSBI" "--opensbi required with a vendor u-boot.itb" bundle --uboot rel/u-boot.itb -o bad8
# A mainline u-boot.itb (bananapi-f3_defconfig with OPENSBI=): OpenSBI, U-Boot and
# the device tree in one FIT, configuration conf-1, as binman lays it out.
cat >mainline.its <<'ITS'
/dts-v1/;
/ {
	description = "Configuration to load OpenSBI before U-Boot";
	#address-cells = <1>;
	images {
		uboot { description = "U-Boot"; data = /incbin/("u-boot-nodtb.bin"); type = "standalone";
			os = "U-Boot"; arch = "riscv"; compression = "none"; load = <0x200000>;
			hash-1 { algo = "crc32"; }; };
		opensbi { description = "OpenSBI fw_dynamic Firmware"; data = /incbin/("fw_dynamic.bin");
			type = "firmware"; os = "opensbi"; arch = "riscv"; compression = "none";
			load = <0x0>; entry = <0x0>; hash-1 { algo = "crc32"; }; };
		fdt-1 { description = "k1-bananapi-f3"; data = /incbin/("k1-x_deb1.dtb"); type = "flat_dt";
			compression = "none"; hash-1 { algo = "crc32"; }; };
	};
	configurations {
		default = "conf-1";
		conf-1 { description = "k1-bananapi-f3"; firmware = "opensbi"; loadables = "uboot"; fdt = "fdt-1"; };
	};
};
ITS
mkimage -f mainline.its mainline.itb >/dev/null
expect_rc 0 "bundle with a mainline u-boot.itb (OpenSBI inside)" bundle --opensbi fw_dynamic.bin \
	--uboot mainline.itb -o relm
same_file relm/u-boot.itb mainline.itb "the mainline u-boot.itb is taken as is"
run "$K1FW" inspect relm/u-boot.itb
grep -qi "mainline" "$T/out" && ok "inspect names the mainline layout" || not_ok "inspect of mainline u-boot.itb"
expect_rc 0 "mainline u-boot.itb and --opensbi: accepted" bundle --opensbi fw_dynamic.bin --uboot mainline.itb -o relw
grep -q "warning: mainline.itb carries OpenSBI (mainline layout): a mainline SPL will not use the separate fw_dynamic.bin" "$T/err" &&
	ok "with a warning that a mainline SPL ignores the separate OpenSBI" || not_ok "no warning for both OpenSBIs: $(cat "$T/err")"

# The mainline release: k1fw fit uboot --opensbi, then bundle without --opensbi
"$K1FW" fit uboot --in u-boot-nodtb.bin --opensbi fw_dynamic.bin --dtb k1-bananapi-f3=k1-x_deb1.dtb -o ml.itb
expect_rc 0 "mainline bundle without --opensbi" bundle --uboot ml.itb --bootfs bootfs.ext4 -o relml
[ ! -e relml/fw_dynamic.itb ] && ok "no fw_dynamic.itb in the mainline release" || not_ok "fw_dynamic.itb written"
grep -q "verified u-boot.itb: 1 configuration starts OpenSBI (firmware) then U-Boot" "$T/out" &&
	ok "bundle verifies the one FIT's configuration" || not_ok "configuration not verified: $(cat "$T/out")"
python3 - relml <<'PY' && ok "both tables keep the opensbi partition without an image" || not_ok "opensbi partition in the tables"
import json, sys
for t in ("partition_universal.json", "partition_2M.json"):
    p = {e["name"]: e for e in json.load(open(sys.argv[1] + "/" + t))["partitions"]}
    if "opensbi" not in p or "image" in p["opensbi"] or p["uboot"]["image"] != "u-boot.itb":
        sys.exit(1)
PY
expect_rc 0 "flash --dry-run verifies the mainline release" "$K1FW" flash --bundle relml --dry-run
grep -q "flash uboot relml/u-boot.itb" "$T/out" && ! grep -q "flash opensbi" "$T/out" &&
	ok "the plan flashes uboot and nothing into opensbi" || not_ok "mainline flash plan: $(cat "$T/out")"
# a FIT with OpenSBI whose configuration does not start it
sed 's/firmware = "opensbi"; //' mainline.its >nofw.its
mkimage -f nofw.its nofw.itb >/dev/null
expect_fail 2 "configuration conf-1 has no firmware" "a one-FIT whose configuration starts no OpenSBI is refused" \
	bundle --uboot nofw.itb -o bad9

# A sparse rootfs stays sparse in the release (copied by data extents).
truncate -s 64M sparse_rootfs.img
seeded_bytes 65536 sparse_rootfs | dd of=sparse_rootfs.img bs=65536 seek=100 conv=notrunc status=none
expect_rc 0 "bundle with a sparse 64 MiB rootfs" bundle --opensbi fw_dynamic.bin --uboot rel/u-boot.itb \
	--rootfs sparse_rootfs.img -o rels
same_file rels/rootfs.ext4 sparse_rootfs.img "the release's rootfs has the same bytes"
[ "$(du -k rels/rootfs.ext4 | cut -f1)" -lt 1024 ] && ok "and stays sparse (du $(du -k rels/rootfs.ext4 | cut -f1) KiB)" ||
	not_ok "rootfs lost its holes (du $(du -k rels/rootfs.ext4 | cut -f1) KiB)"

left=$(ls -d bad* rel*.tmp-* 2>/dev/null)
[ -z "$left" ] && ok "failures left no folder behind" || not_ok "left behind: $left"
done_testing
