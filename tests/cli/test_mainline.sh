#!/bin/sh
# A mainline release end to end (spec §6.2): u-boot.itb as one FIT (k1fw fit
# uboot --opensbi), an FSBL from a mainline SPL, bundled without --opensbi,
# flashed by k1fw flash into the emulator; doctor --board says the mainline
# SPL starts OpenSBI and U-Boot from the uboot partition and the board boots.
# A mainline SPL with a vendor-layout u-boot.itb hangs with a fix; the
# mainline docs' SD recipe (sgdisk + dd, no bootinfo, opensbi unused) on a
# blank card does not boot and names bootinfo_sd.bin, never fastboot.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
need_tools "mainline tests" "fastboot, gdisk, u-boot-tools" fastboot sgdisk mkimage
. "$TOP/tests/cli/emu.sh"

make_inputs
# u-boot-spl-ddr.bin: synthetic bytes with the banner a mainline SPL prints
{ seeded_bytes 90000 spl-ddr; printf 'U-Boot SPL 2026.04-rc4-00430-g8b84b1ed8ea9 (May 08 2026 - 09:08:27 -0400)\0'; } >u-boot-spl-ddr.bin
export SOURCE_DATE_EPOCH=1700000000
expect_rc 0 "fit uboot --opensbi: the mainline u-boot.itb" "$K1FW" fit uboot --in u-boot-nodtb.bin \
	--opensbi fw_dynamic.bin --dtb k1-x_deb1.dtb -o u-boot.itb
expect_rc 0 "bundle: mainline SPL, one-FIT u-boot.itb, no --opensbi" "$K1FW" bundle --spl u-boot-spl-ddr.bin \
	--keys keys --uboot u-boot.itb --env env.txt --bootfs bootfs.ext4 -o rel
[ ! -e rel/fw_dynamic.itb ] && ok "no fw_dynamic.itb in the release" || not_ok "fw_dynamic.itb written"

# ---- flashed into the emulator, then doctor --board ----
mkdir a
start_emu a --board a --exit-after-boot
expect_rc 0 "k1fw flash: the mainline release" "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 20
grep -q "opensbi" "$T/out" && not_ok "flash wrote the opensbi partition: $(grep opensbi "$T/out")" ||
	ok "flash writes nothing into the opensbi partition"
wait_emu
[ "$erc" = 0 ] && ok "after the reboot the emulated board boots (exit 0)" || not_ok "emulator exit $erc"
run "$K1FW" doctor --board a
[ "$rc" = 0 ] && grep -q "^verdict: boots from emmc" "$T/out" && ok "doctor --board: boots from eMMC" ||
	{ not_ok "doctor --board: exit $rc"; tail -4 "$T/out" | sed 's/^/#   /'; }
grep -q "^spl: mainline U-Boot SPL" "$T/out" && ok "doctor names the mainline SPL" || not_ok "doctor SPL kind"
grep -q "U-Boot SPL 2026.04-rc4-00430-g8b84b1ed8ea9 (k1fw emulate, mainline)" "$T/out" &&
	ok "the emulated SPL prints the mainline banner" || not_ok "mainline banner"
grep -q "spl: conf-1: firmware opensbi (OpenSBI) and loadables uboot from u-boot.itb; the opensbi partition is not read" "$T/out" &&
	ok "the SPL starts OpenSBI and U-Boot from the one FIT" || not_ok "one-FIT boot line"
grep -q "loading opensbi from partition" "$T/out" && not_ok "the mainline SPL read the opensbi partition" ||
	ok "the opensbi partition is not read"
run "$K1FW" doctor --board a --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["boots"] and d["spl"] == "mainline" else 1)' "$T/out" &&
	ok "doctor --json: boots, spl mainline" || not_ok "doctor --json spl"

# ---- k1fw image of the mainline release: an SD card that boots ----
expect_rc 0 "k1fw image --media sd of the mainline release" "$K1FW" image --bundle rel --media sd --size 300M -o ml.img
run "$K1FW" doctor --sd ml.img --boot-select tf
[ "$rc" = 0 ] && grep -q "^spl: mainline U-Boot SPL" "$T/out" && grep -q "^verdict: boots from sd" "$T/out" &&
	ok "doctor --sd: the mainline card boots" || { not_ok "mainline card: exit $rc"; tail -3 "$T/out" | sed 's/^/#   /'; }

# ---- the vendor SPL tells itself apart ----
if have_vendor; then
	"$K1FW" bundle --spl "$VENDOR/k1-x/u-boot-spl.bin" --keys keys --opensbi fw_dynamic.bin \
		--uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb --bootfs bootfs.ext4 -o relv >/dev/null
	"$K1FW" image --bundle relv --media sd --size 300M -o v.img >/dev/null 2>&1
	run "$K1FW" doctor --sd v.img --boot-select tf
	grep -q "^spl: vendor U-Boot SPL" "$T/out" && grep -q "loading opensbi from partition" "$T/out" &&
		ok "vendor SPL: doctor names it, OpenSBI from the opensbi partition" || not_ok "vendor SPL kind"
else
	skip "vendor SPL absent: vendor kind"
fi

# ---- a mainline SPL with a vendor-layout u-boot.itb ----
"$K1FW" bundle --spl u-boot-spl-ddr.bin --keys keys --opensbi fw_dynamic.bin --uboot-bin u-boot-nodtb.bin \
	--dtb k1-x_deb1.dtb --bootfs bootfs.ext4 -o relmix >/dev/null
expect_rc 0 "k1fw image --media sd of the mixed release" "$K1FW" image --bundle relmix --media sd --size 300M -o mix.img
run "$K1FW" doctor --sd mix.img --boot-select tf
[ "$rc" = 1 ] && grep -q "sd spl.opensbi failed: the mainline SPL starts OpenSBI from u-boot.itb's configuration and never reads the opensbi partition" "$T/out" &&
	ok "mainline SPL + vendor u-boot.itb: hangs at spl.opensbi" || { not_ok "mixed: exit $rc"; tail -3 "$T/out" | sed 's/^/#   /'; }
grep -q "^fix: flash a mainline u-boot.itb carrying OpenSBI (k1fw fit uboot" "$T/out" && ok "fix: build the one FIT" ||
	not_ok "mixed fix line"

# ---- the mainline docs' SD recipe (k1-mmc.rst) with the mainline release ----
truncate -s 64M sd.img
# the docs' sgdisk lines, with the partition names the SPL looks for (as test_sd_recipe)
sgdisk -o -a 1 -n 1:256:767 -c 1:fsbl -n 2:768:895 -c 2:env -n 3:2048:4095 -c 3:opensbi \
	-n 4:4096:8191 -c 4:uboot -n 5:8192:0 -c 5:bootfs sd.img >/dev/null
dd if=rel/factory/FSBL.bin of=sd.img bs=512 seek=256 conv=notrunc status=none
dd if=rel/u-boot.itb of=sd.img bs=512 seek=4096 conv=notrunc status=none
dd if=bootfs.ext4 of=sd.img bs=512 seek=8192 conv=notrunc status=none
run "$K1FW" doctor --sd sd.img --boot-select tf
[ "$rc" = 1 ] && grep -q "bootinfo.magic failed: no bootinfo at offset 0" "$T/out" &&
	grep -q "bootinfo_sd.bin" "$T/out" &&
	ok "docs recipe on a blank card: does not boot, bootinfo_sd.bin missing" || { not_ok "blank card: exit $rc"; tail -3 "$T/out" | sed 's/^/#   /'; }
grep "^fix:" "$T/out" | grep -q "bs=80 count=1 conv=notrunc" && ok "the fix is the 80-byte dd" || not_ok "SD fix line"
grep "^fix:" "$T/out" | grep -q fastboot && not_ok "the SD fix names fastboot" || ok "the SD fix does not name fastboot"
dd if=rel/factory/bootinfo_sd.bin of=sd.img bs=80 count=1 conv=notrunc status=none
run "$K1FW" doctor --sd sd.img --boot-select tf
[ "$rc" = 0 ] && grep -q "verdict: boots from sd" "$T/out" && grep -q "the opensbi partition is not read" "$T/out" &&
	ok "with bootinfo_sd.bin the card boots, the unused opensbi partition empty" || { not_ok "with bootinfo: exit $rc"; tail -3 "$T/out" | sed 's/^/#   /'; }

# ---- a card with bootinfo but no FSBL: the fix is a dd, not fastboot ----
truncate -s 16M nofsbl.img
sgdisk -o -a 1 -n 1:256:767 -n 2:768:895 -n 3:2048:4095 -n 4:4096:0 nofsbl.img >/dev/null
dd if=rel/factory/bootinfo_sd.bin of=nofsbl.img bs=80 count=1 conv=notrunc status=none
run "$K1FW" doctor --sd nofsbl.img --boot-select tf
[ "$rc" = 1 ] && grep -q "fsbl.header" "$T/out" && ok "bootinfo without FSBL: does not boot (fsbl.header)" ||
	{ not_ok "no FSBL: exit $rc"; tail -3 "$T/out" | sed 's/^/#   /'; }
grep -q "^fix: write factory/FSBL.bin at offset 0x20000 of the card (dd if=factory/FSBL.bin of=/dev/sdX bs=512 seek=256 conv=notrunc), or build the card with k1fw image --media sd" "$T/out" &&
	ok "the no-FSBL fix for a card is a dd at 0x20000" || { not_ok "no-FSBL fix"; grep '^fix' "$T/out" | sed 's/^/#   /'; }

done_testing
