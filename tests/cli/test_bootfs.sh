#!/bin/sh
# doctor reads the bootfs: ext4 images made by mkfs.ext4 -d and FAT images
# made by mkfs.vfat + mcopy, by the vendor convention (env_k1-x.txt,
# Image.itb, the product_name dtb, initramfs) and by distro boot
# (extlinux/extlinux.conf); each broken case names the file and the line.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null || {
	skip "dosfstools/mtools missing (scripts/install-deps.sh)"; done_testing; exit 0; }

cat >k1.dts <<'DTS'
/dts-v1/;
/ { model = "Banana Pi BPI-F3"; compatible = "bananapi,bpi-f3", "spacemit,k1";
    #address-cells = <2>; #size-cells = <2>; };
DTS
dtc -q -I dts -O dtb -o k1-x_deb1.dtb k1.dts
cat >other.dts <<'DTS'
/dts-v1/;
/ { model = "SiFive HiFive Unmatched A00"; compatible = "sifive,hifive-unmatched-a00", "sifive,fu740";
    #address-cells = <2>; #size-cells = <2>; };
DTS
dtc -q -I dts -O dtb -o other.dtb other.dts

ext4() { rm -f "$2"; mkfs.ext4 -q -F -d "$1" "$2" 2M >/dev/null 2>&1; }
# vfat DIR OUT: a FAT16 image holding DIR's tree (mcopy -s keeps long names)
vfat() {
	rm -f "$2"; truncate -s 16M "$2"; mkfs.vfat -F 16 "$2" >/dev/null
	(cd "$1" && for f in *; do mcopy -s -i "../$2" "$f" ::/; done)
}
doc() { run "$K1FW" doctor --bootfs "$@"; }
says() { grep -q -- "$1" "$T/out" && ok "$2" || { not_ok "$2"; sed 's/^/#   /' "$T/out" | tail -4; }; }

# ---- vendor convention, ext4 ----
make_bootfs_dir vendor
ext4 vendor vendor.ext4
doc vendor.ext4
[ "$rc" = 0 ] && ok "vendor bootfs (ext4) boots" || not_ok "vendor bootfs: exit $rc"
says "verdict: boots Linux (vendor, ext4): kernel /Image.itb (FIT" "names the kernel FIT"
says "dtb /k1-x_deb1.dtb (Banana Pi BPI-F3" "names the product_name dtb"
says "initrd /initramfs-generic.img (gzip" "names the initramfs"

cp -r vendor v-env && printf 'knl_name=vmlinux.itb\nramdisk_name=initrd.img\n' >v-env/env_k1-x.txt
ext4 v-env v-env.ext4
doc v-env.ext4
[ "$rc" = 1 ] && ok "env_k1-x.txt naming a missing kernel: does not boot" || not_ok "exit $rc"
says "bootfs.kernel failed: knl_name=vmlinux.itb (env_k1-x.txt line 1) names /vmlinux.itb: not on bootfs" \
	"verdict names env_k1-x.txt line 1 and the missing kernel"
says "fix: put the kernel FIT at /vmlinux.itb" "fix names the file"

cp -r vendor v-nokernel && rm v-nokernel/Image.itb && ext4 v-nokernel v-nokernel.ext4
doc v-nokernel.ext4
[ "$rc" = 1 ] && says "knl_name=Image.itb (the vendor default environment) names /Image.itb: not on bootfs" \
	"kernel missing: the default env's knl_name named" || not_ok "kernel missing: exit $rc"

cp -r vendor v-nodtb && rm v-nodtb/k1-x_deb1.dtb && ext4 v-nodtb v-nodtb.ext4
doc v-nodtb.ext4
[ "$rc" = 0 ] && says "dtb U-Boot's built-in dtb (/k1-x_deb1.dtb not on bootfs)" \
	"vendor dtb missing: U-Boot's built-in dtb, a warning (as the vendor's loaddtb)" ||
	not_ok "vendor dtb missing: exit $rc"
grep -q "load dtb from bootfs fail" "$T/out" && ok "console: load dtb from bootfs fail" || not_ok "console"

cp -r vendor v-wrongdtb && cp other.dtb v-wrongdtb/k1-x_deb1.dtb && ext4 v-wrongdtb v-wrongdtb.ext4
doc v-wrongdtb.ext4
[ "$rc" = 1 ] && says "bootfs.dtb failed: dtb_name=\${dtb_dir}/k1-x_deb1.dtb (dtb_env (product_name=k1-x_deb1" \
	"wrong dtb: does not boot, dtb_name and product_name named" || not_ok "wrong dtb: exit $rc"
says "a device tree for another SoC (compatible \"sifive,hifive-unmatched-a00\"" "wrong dtb: its compatible named"

# product_name from the env partition picks the dtb
printf 'product_name=k1-x_milkv-jupiter\n' >jup.txt
mkenvimage -s 0x4000 -o jup.bin jup.txt
doc vendor.ext4 --env jup.bin
[ "$rc" = 0 ] && says "U-Boot's built-in dtb (/k1-x_milkv-jupiter.dtb not on bootfs)" \
	"product_name from the env partition picks the dtb" || not_ok "product_name from env: exit $rc"

printf 'not a kernel at all' >v-nodtb/Image.itb && ext4 v-nodtb v-badk.ext4
doc v-badk.ext4
[ "$rc" = 1 ] && says "neither a FIT nor a RISC-V Image" "a kernel that is not one: named" || not_ok "exit $rc"

cp -r vendor v-badinitrd && echo "hello" >v-badinitrd/initramfs-generic.img && ext4 v-badinitrd v-bi.ext4
doc v-bi.ext4
[ "$rc" = 1 ] && says "bootfs.initrd failed: ramdisk_name=initramfs-generic.img" "initrd not an initrd: named" ||
	not_ok "bad initrd: exit $rc"

cp -r vendor v-noinitrd && rm v-noinitrd/initramfs-generic.img && ext4 v-noinitrd v-ni.ext4
doc v-ni.ext4
[ "$rc" = 0 ] && says "initrd none (/initramfs-generic.img not on bootfs" "vendor initrd missing: a warning" ||
	not_ok "vendor initrd missing: exit $rc"

# ---- vendor convention, FAT (long names) ----
vfat vendor vendor.vfat
doc vendor.vfat
[ "$rc" = 0 ] && says "verdict: boots Linux (vendor, fat16): kernel /Image.itb (FIT" "vendor bootfs (FAT16) boots" ||
	not_ok "FAT vendor: exit $rc"

# ---- distro boot: extlinux.conf ----
mkdir -p ext/extlinux ext/dtbs/spacemit
fake_kernel ext/Image 200000
cp k1-x_deb1.dtb ext/dtbs/spacemit/k1-bananapi-f3.dtb
seeded_bytes 5000 initrd | gzip -n >ext/initrd.img
cat >ext/extlinux/extlinux.conf <<'EOT'
# made by hand
default linux
menu title K1
label linux
    kernel /Image
    fdt /dtbs/spacemit/k1-bananapi-f3.dtb
    initrd /initrd.img
    append root=/dev/mmcblk0p6 rootwait console=ttyS0,115200
EOT
ext4 ext ext.ext4
doc ext.ext4 --mainline
[ "$rc" = 0 ] && says "verdict: boots Linux (extlinux, ext4): kernel /Image (RISC-V Image, 200000 bytes); dtb /dtbs/spacemit/k1-bananapi-f3.dtb" \
	"extlinux bootfs (ext4, mainline) boots: kernel, dtb named" || not_ok "extlinux: exit $rc"
says "initrd /initrd.img (gzip" "extlinux: initrd named"
vfat ext ext.vfat
doc ext.vfat --mainline --json
[ "$rc" = 0 ] && grep -q '"method": *"extlinux"' "$T/out" && grep -q '"filesystem": *"fat16"' "$T/out" &&
	ok "extlinux bootfs (FAT16) boots, --json" || not_ok "extlinux FAT: exit $rc"

# a vendor U-Boot whose bootcmd calls sysboot does distro boot too
printf 'bootcmd=sysboot mmc 0:5 any 0x2c100000 /extlinux/extlinux.conf\n' >sys.txt
mkenvimage -s 0x4000 -o sys.bin sys.txt
doc ext.ext4 --env sys.bin
[ "$rc" = 0 ] && says "(extlinux, ext4)" "vendor env whose bootcmd runs sysboot: extlinux" || not_ok "sysboot: exit $rc"
doc ext.ext4
[ "$rc" = 1 ] && says "knl_name=Image.itb" "vendor default env on a distro bootfs: Image.itb missing" ||
	not_ok "vendor on extlinux: exit $rc"

cp -r ext e-nodtb && rm e-nodtb/dtbs/spacemit/k1-bananapi-f3.dtb && ext4 e-nodtb e-nodtb.ext4
doc e-nodtb.ext4 --mainline
[ "$rc" = 1 ] && says "bootfs.dtb failed: /extlinux/extlinux.conf line 6 names /dtbs/spacemit/k1-bananapi-f3.dtb: not on bootfs" \
	"dtb missing: extlinux.conf line 6 named" || not_ok "extlinux dtb missing: exit $rc"

cp -r ext e-nok && rm e-nok/Image && ext4 e-nok e-nok.ext4
doc e-nok.ext4 --mainline
[ "$rc" = 1 ] && says "line 5 names /Image: not on bootfs" "kernel missing: line 5 named" || not_ok "exit $rc"

cp -r ext e-noi && rm e-noi/initrd.img && ext4 e-noi e-noi.ext4
doc e-noi.ext4 --mainline
[ "$rc" = 1 ] && says "bootfs.initrd failed: /extlinux/extlinux.conf line 7 names /initrd.img: not on bootfs" \
	"initrd missing: line 7 named" || not_ok "exit $rc"

cp -r ext e-wrong && cp other.dtb e-wrong/dtbs/spacemit/k1-bananapi-f3.dtb && ext4 e-wrong e-wrong.ext4
doc e-wrong.ext4 --mainline
[ "$rc" = 1 ] && says "a device tree for another SoC" "wrong dtb under extlinux: named" || not_ok "exit $rc"

# fdtdir + fdtfile, relative paths from the extlinux folder
mkdir -p e-dir/extlinux e-dir/dtbs/spacemit && cp ext/Image e-dir/ &&
	cp k1-x_deb1.dtb e-dir/dtbs/spacemit/k1-bananapi-f3.dtb
printf 'label l\n linux ../Image\n fdtdir ../dtbs\n' >e-dir/extlinux/extlinux.conf
ext4 e-dir e-dir.ext4
doc e-dir.ext4 --mainline
[ "$rc" = 0 ] && says "dtb /dtbs/spacemit/k1-bananapi-f3.dtb" "fdtdir + fdtfile, relative paths resolved" ||
	not_ok "fdtdir: exit $rc"

for bad in 'kernel /Image\nlabel a\n' 'label a\n append x\n' 'default nosuch\nlabel a\n kernel /Image\n'; do
	cp -r ext e-broken 2>/dev/null; printf "$bad" >e-broken/extlinux/extlinux.conf
	ext4 e-broken e-broken.ext4; rm -rf e-broken
	doc e-broken.ext4 --mainline
	[ "$rc" = 1 ] && says "bootfs.extlinux failed: /extlinux/extlinux.conf: extlinux.conf" \
		"broken extlinux.conf ($(printf "$bad" | head -1)): named" || not_ok "broken: exit $rc"
done

# ---- no filesystem, no boot files ----
seeded_bytes 1048576 random-img >random.img
doc random.img
[ "$rc" = 1 ] && says "bootfs.filesystem failed" "random bytes: no filesystem" || not_ok "random: exit $rc"
mkdir -p empty && ext4 empty empty.ext4
doc empty.ext4 --mainline
[ "$rc" = 1 ] && says "bootfs.distro failed" "empty bootfs under mainline: no extlinux.conf, no boot.scr" ||
	not_ok "empty: exit $rc"
expect_fail 2 "nosuch.img" "a missing --bootfs file: one line, exit 2" "$K1FW" doctor --bootfs nosuch.img
expect_rc 2 "--mainline without --bootfs: usage" "$K1FW" doctor --sd random.img --mainline

# ---- bundle --bootfs warns when the bootfs would not boot ----
make_inputs
bundle() { run "$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
	--uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb --env env.txt --bootfs "$1" -o "$2"; }
bundle vendor.ext4 rel-ok
[ "$rc" = 0 ] && ! grep -q warning "$T/err" && ok "bundle --bootfs of a booting bootfs: no warning" ||
	{ not_ok "bundle vendor.ext4: exit $rc"; cat "$T/err"; }
bundle v-nokernel.ext4 rel-bad
[ "$rc" = 0 ] && grep -q "k1fw: warning: v-nokernel.ext4 would not boot Linux.*bootfs.kernel.*/Image.itb: not on bootfs" "$T/err" &&
	ok "bundle --bootfs without the kernel: a warning naming Image.itb, release still written" ||
	{ not_ok "bundle v-nokernel: exit $rc"; cat "$T/err"; }

# ---- the same reading: inspect and doctor of a whole SD image ----
if "$K1FW" image --bundle rel-ok --media sd -o sd.img --size 300M >/dev/null 2>&1; then
	run "$K1FW" inspect --json sd.img
	python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["files"][0]["bootfs"]; assert b["boots"] and b["method"]=="vendor" and b["filesystem"]=="ext4" and b["kernel"].startswith("/Image.itb"), b' "$T/out" &&
		ok "inspect of an SD image: a bootfs section (vendor, ext4, /Image.itb)" || not_ok "inspect bootfs section"
	expect_rc 0 "doctor --sd of that image boots" "$K1FW" doctor --sd sd.img --boot-select tf
	says "Starting kernel /Image.itb (FIT" "doctor's console: the kernel U-Boot starts"
	"$K1FW" image --bundle rel-bad --media sd -o sd-bad.img --size 300M >/dev/null 2>&1
	run "$K1FW" doctor --sd sd-bad.img --boot-select tf
	[ "$rc" = 1 ] && says "verdict: does not boot (the board hangs): sd bootfs.kernel failed: U-Boot starts but does not boot Linux: knl_name=Image.itb" \
		"doctor --sd without the kernel: hangs at bootfs.kernel, knl_name named" || not_ok "doctor sd-bad: exit $rc"
	run "$K1FW" inspect sd-bad.img
	grep -q "bootfs" "$T/out" && grep -q "not on bootfs" "$T/out" && ok "inspect (text): the bootfs verdict" ||
		not_ok "inspect text bootfs"
else
	not_ok "k1fw image of the bundle"
fi

done_testing
