#!/bin/sh
# The mainline docs' SD recipe (doc/board/spacemit/k1-mmc.rst: sgdisk, then dd
# of FSBL.bin and the FITs, no bootinfo) on a blank card, and the same card
# after the one dd that writes bootinfo_sd.bin: doctor's verdicts and fix.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
command -v sgdisk >/dev/null || { skip "sgdisk missing (gdisk)"; done_testing; exit 0; }
make_inputs
SOURCE_DATE_EPOCH=1700000000 "$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
	--uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb --env env.txt --bootfs bootfs.ext4 \
	-o rel >/dev/null 2>&1 || { not_ok "bundle"; done_testing; exit 1; }

truncate -s 64M sd.img # a blank card
sgdisk -a 1 -n 1:256:767 -c 1:fsbl -n 2:768:895 -c 2:env -n 3:2048:4095 -c 3:opensbi \
	-n 4:4096:8191 -c 4:uboot -n 5:8192:0 -c 5:bootfs sd.img >/dev/null ||
	not_ok "sgdisk as in the docs"
dd if=rel/factory/FSBL.bin of=sd.img bs=512 seek=256 conv=notrunc status=none
dd if=rel/fw_dynamic.itb of=sd.img bs=512 seek=2048 conv=notrunc status=none
dd if=rel/u-boot.itb of=sd.img bs=512 seek=4096 conv=notrunc status=none
dd if=bootfs.ext4 of=sd.img bs=512 seek=8192 conv=notrunc status=none

run "$K1FW" doctor --sd sd.img --boot-select tf
[ "$rc" = 1 ] && grep -q "sd bootinfo.magic failed: no bootinfo at offset 0" "$T/out" &&
	ok "blank card + docs recipe: does not boot, no bootinfo on the SD card" ||
	{ not_ok "blank card: exit $rc"; tail -3 "$T/out" | sed 's/^/#   /'; }
grep -q "an FSBL is on the card: written without bootinfo_sd.bin" "$T/out" &&
	ok "verdict says the FSBL is there but bootinfo_sd.bin was never written" || not_ok "verdict hint"
grep -q "^fix: write factory/bootinfo_sd.bin into bytes 0-79 of the card (dd if=factory/bootinfo_sd.bin of=/dev/sdX bs=80 count=1 conv=notrunc), or build the card with k1fw image --media sd" "$T/out" &&
	ok "fix names dd bs=80 count=1 conv=notrunc and k1fw image" || not_ok "fix line"
grep "^fix:" "$T/out" | grep -q fastboot && not_ok "the SD fix names fastboot" || ok "the SD fix does not name fastboot"

# the one missing step, as the fix says (sgdisk kept bytes 0-79 zero)
dd if=rel/factory/bootinfo_sd.bin of=sd.img bs=80 count=1 conv=notrunc status=none
run "$K1FW" doctor --sd sd.img --boot-select tf
[ "$rc" = 0 ] && grep -q "verdict: boots from sd" "$T/out" &&
	ok "the same card with bootinfo_sd.bin: boots (kernel, dtb, initrd from the bootfs)" ||
	{ not_ok "with bootinfo: exit $rc"; tail -3 "$T/out" | sed 's/^/#   /'; }
sgdisk -v sd.img >/dev/null 2>&1 && ok "the GPT survives the 80-byte write (sgdisk -v)" || not_ok "sgdisk -v"

done_testing
