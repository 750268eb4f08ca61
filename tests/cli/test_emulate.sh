#!/bin/sh
# k1fw emulate and k1fw doctor: an empty board prints the BootROM log of
# spec §1; the Debian fastboot client flashes a k1fw bundle with the vendor
# command list; storage is checked byte for byte; doctor says it boots;
# broken images fail at the right step in doctor and on the console;
# malformed commands get FAIL; a dropped download leaves storage untouched.
# The emulator follows vendor U-Boot v1.0.15 (spec §6.1): env.bin is written
# raw, the bootinfo on boot0 is U-Boot's own (spl_size_limit 0x32100).
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
FBRAW="python3 $TOP/tests/cli/fbraw.py"
need_tools "emulator tests" "the Debian fastboot client, package fastboot" fastboot
. "$TOP/tests/cli/emu.sh"
has() { grep -q -- "$2" "$1" && ok "$3" || { not_ok "$3 (no '$2' in $1)"; tail -5 "$1" | sed 's/^/#   /'; }; }
# region FILE OFFSET LEN OUT
region() { dd if="$1" of="$4" bs=512 skip=$(($2 / 512)) count=$((($3 + 511) / 512)) status=none; truncate -s "$3" "$4"; }

# ---- a bundle from synthetic inputs ----
# rootfs a multiple of 4096: else the Debian client's libsparse leaves the
# last DONT_CARE of a piece unsent and the vendor reads past it (FAIL)
make_bundle rel 3002368
R=rel

# ---- an empty board ----
start_emu empty --board board --exit-after-boot --max-download-size 1M
cat >want_rom.txt <<'LOG'
sys: 0x0
try sd...
bm:3
ERROR:   CMD8
ERROR:   sd f! l:76
bm:0
ERROR:   emmc: invalid bootinfo magic code:0x0
ERROR:   invalid bootinfo image.
ERROR:   entering download mode.
ROM: usb download handler
usb2d_initialize : enter
Controller Run
LOG
[ -n "$PORT" ] && ok "emulator listens (port $PORT)" || not_ok "emulator did not start"
head -n 12 empty.out >got_rom.txt
same_file got_rom.txt want_rom.txt "an empty board prints the BootROM log of spec §1"
has empty.log "stage: bootrom" "an empty board enters download mode"
expect_rc 1 "doctor: an empty board does not boot" "$K1FW" doctor --board board
grep -q "emmc bootinfo.magic failed" "$T/out" && ok "doctor names emmc bootinfo.magic" || not_ok "doctor step (empty)"

# malformed commands: FAIL, never a crash
$FBRAW "$PORT" "getvar:version-brom" "bogus:x" "download:zz" "download:00000000" \
	"$(printf 'getvar:%070d' 0)" 'getvar:\x01' "flash:fsbl" "download:00100000" >raw.txt 2>&1
sed -n 1p raw.txt | grep -q "^OKAY1.0$" && ok "raw client: version-brom 1.0" || not_ok "raw version-brom"
[ "$(sed -n '2,8p' raw.txt | grep -c '^FAIL')" -eq 7 ] && ok "malformed and out-of-stage commands answer FAIL" ||
	{ not_ok "malformed commands"; sed 's/^/#   /' raw.txt; }
kill -0 "$EPID" 2>/dev/null && ok "the emulator survives them" || not_ok "emulator died"

# ---- the vendor command list (spec §6) ----
fb getvar version-brom && grep -q "version-brom: 1.0" fb.log && ok "fastboot getvar version-brom" || not_ok "getvar version-brom"
fb stage $R/factory/FSBL.bin && ok "stage FSBL.bin" || not_ok "stage FSBL.bin"
fb continue && ok "continue (BootROM)" || not_ok "continue (BootROM)"
wait_up
fb stage $R/u-boot.itb && ok "stage u-boot.itb" || not_ok "stage u-boot.itb"
fb continue && ok "continue (SPL)" || not_ok "continue (SPL)"
wait_up
: >fb.log
fb getvar version-brom; grep -q "Variable not implemented" fb.log && ok "U-Boot does not answer version-brom" || not_ok "version-brom in U-Boot"
for step in "gpt $R/partition_universal.json" "bootinfo $R/factory/bootinfo_emmc.bin" \
	"fsbl $R/factory/FSBL.bin" "env $R/env.bin" "opensbi $R/fw_dynamic.itb" "uboot $R/u-boot.itb" \
	"bootfs $R/bootfs.ext4" "rootfs rootfs.ext4"; do
	# shellcheck disable=SC2086
	fb flash $step && ok "flash $step" || { not_ok "flash $step"; tail -3 fb.log | sed 's/^/#   /'; }
done
grep -q "Sending sparse 'rootfs'" fb.log && ok "rootfs over max-download-size went as sparse pieces" ||
	not_ok "rootfs was not sent sparse"
fb getvar partition-size:bootfs && grep -q "partition-size:bootfs: 0x0000000010000000" fb.log &&
	ok "getvar partition-size:bootfs" || not_ok "partition-size:bootfs"
fb getvar product && grep -q "product: k1-x" fb.log && ok "getvar product" || not_ok "getvar product"
fb oem erase:eeprom && ok "oem erase:eeprom" || not_ok "oem erase:eeprom"
fb flash nosuch $R/env.bin; grep -q "invalid partition or device" fb.log && ok "flash of an unknown partition: FAIL" ||
	not_ok "flash nosuch"
# a download dropped halfway leaves storage untouched
cp --sparse=always board/emmc-user.img before.img
$FBRAW "$PORT" "@drop:1048576:300000" >/dev/null 2>&1
sleep 0.2
$FBRAW "$PORT" "flash:rootfs" >drop.txt 2>&1
grep -q "^OKAY" drop.txt && ok "flash after a dropped download: nothing kept, OKAY for 0 bytes (vendor)" ||
	{ not_ok "flash after a dropped download"; cat drop.txt; }
cmp -s before.img board/emmc-user.img && ok "dropped download: storage untouched" || not_ok "storage changed"
fb reboot && ok "reboot" || not_ok "reboot"
wait_emu
[ "$erc" = 0 ] && ok "after reboot the board boots (emulator exit 0)" || not_ok "emulator exit $erc after reboot"
has empty.out "bootfs: partition 5 of emmc; starting the OS" "console: U-Boot finds bootfs"

# ---- storage, byte for byte ----
region board/emmc-boot0.img 0 80 got.bin
python3 -c 'import sys,struct,zlib; b=bytearray(open(sys.argv[1],"rb").read()); b[0x28:0x2c]=struct.pack("<I",0x32100); b[0x40:0x44]=struct.pack("<I",zlib.crc32(bytes(b[:0x40]))); open("want_bi.bin","wb").write(b)' $R/factory/bootinfo_emmc.bin
same_file got.bin want_bi.bin "boot0@0: U-Boot's eMMC bootinfo (the file's, spl_size_limit 0x32100)"
n=$(stat -c %s $R/factory/FSBL.bin)
region board/emmc-boot0.img 512 "$n" got.bin; same_file got.bin $R/factory/FSBL.bin "boot0@0x200: FSBL.bin"
n=$(stat -c %s $R/fw_dynamic.itb); region board/emmc-user.img 1048576 "$n" got.bin
same_file got.bin $R/fw_dynamic.itb "user@1M: fw_dynamic.itb (opensbi)"
n=$(stat -c %s $R/u-boot.itb); region board/emmc-user.img 2097152 "$n" got.bin
same_file got.bin $R/u-boot.itb "user@2M: u-boot.itb (uboot)"
region board/emmc-user.img 4194304 1048576 got.bin; same_file got.bin $R/bootfs.ext4 "user@4M: bootfs"
region board/emmc-user.img 272629760 3002368 got.bin; same_file got.bin rootfs.ext4 "user@260M: rootfs (from sparse pieces)"
region board/emmc-user.img 393216 16384 got.bin
same_file got.bin $R/env.bin "env area: env.bin (flash env writes it raw, after flash gpt zeroed it)"
run sfdisk --json board/emmc-user.img
grep -q '"name": *"uboot"' "$T/out" && grep -q '"name": *"rootfs"' "$T/out" && ok "sfdisk reads the GPT" ||
	not_ok "sfdisk --json"
expect_rc 0 "doctor: the flashed board boots" "$K1FW" doctor --board board
grep -q "verdict: boots from emmc" "$T/out" && ok "doctor verdict: boots from emmc" || not_ok "doctor verdict"
run "$K1FW" doctor --json --board board
grep -q '"boots": true' "$T/out" && ok "doctor --json" || not_ok "doctor --json"

# ---- broken boards: the right step from doctor and on the console ----
# broken NAME STEP: doctor --board NAME fails at STEP; the emulator's console agrees
broken() {
	run "$K1FW" doctor --board "$1"
	if [ "$rc" = 1 ] && grep -q " $2 failed" "$T/out"; then ok "doctor: $1 fails at $2"
	else not_ok "doctor: $1 (exit $rc)"; sed 's/^/#   /' "$T/out" | tail -3; fi
	start_emu "$1" --board "$1" --exit-after-boot
	sleep 0.2; stop_emu
	grep -q "power-on: .* $2 failed" "$1.log" && ok "emulator console: $1 fails at $2" ||
		{ not_ok "emulator: $1"; tail -3 "$1.log" | sed 's/^/#   /'; }
}
copy() { mkdir -p "$1"; for f in board/*.img; do cp --sparse=always "$f" "$1/"; done; }

copy badcrc; printf '\001' | dd of=badcrc/emmc-boot0.img bs=1 seek=$((0x28)) conv=notrunc status=none
broken badcrc bootinfo.crc
has badcrc.out "ERROR:   emmc: invalid bootinfo crc" "console: the ROM's bootinfo CRC error"

copy badfit; printf 'XXXX' | dd of=badfit/emmc-user.img bs=1 seek=$((2097152 + 0x3000)) conv=notrunc status=none
broken badfit spl.uboot
has badfit.out "spl: uboot: bad FIT" "console: the SPL reports the bad FIT"

copy offset; dd if=/dev/zero of=offset/emmc-boot0.img bs=512 seek=1 count=1024 conv=notrunc status=none
dd if=$R/factory/FSBL.bin of=offset/emmc-boot0.img bs=512 seek=2 conv=notrunc status=none
broken offset fsbl.header
grep -q "an FSBL lies at 0x400" "$T/out" && ok "doctor's fix names where the FSBL is" || not_ok "fsbl offset fix"

# an SD card whose bootinfo and table disagree (the classic)
truncate -s 8M sd.img
dd if=$R/factory/bootinfo_sd.bin of=sd.img conv=notrunc status=none
dd if=$R/factory/FSBL.bin of=sd.img bs=1024 seek=256 conv=notrunc status=none
run "$K1FW" doctor --sd sd.img --boot-select tf
[ "$rc" = 1 ] && grep -q "sd fsbl.header failed" "$T/out" && grep -q "bootinfo puts the FSBL at 0x20000 but an FSBL lies at 0x40000" "$T/out" &&
	ok "doctor: SD card with the FSBL at the wrong offset" || { not_ok "doctor sd offset"; cat "$T/out" | tail -3; }

# missing uboot partition: flash a table without it, reboot
copy nouboot
python3 -c 'import json; t=json.load(open("'$R'/partition_universal.json")); t["partitions"]=[p for p in t["partitions"] if p["name"]!="uboot"]; print(json.dumps(t))' >nouboot.json
python3 -c 'import json; t=json.load(open("'$R'/partition_universal.json")); t["partitions"]=[p for p in t["partitions"] if p["name"]!="uboot"]; print(json.dumps(t))' >nouboot.json
start_emu nouboot_flash --board nouboot --exit-after-boot
has nouboot_flash.log "stage: u-boot" "a board that boots comes up in U-Boot fastboot"
fb flash gpt nouboot.json && ok "flash gpt without uboot" || not_ok "flash gpt nouboot"
fb reboot; wait_emu
[ "$erc" = 1 ] && ok "the board hangs after reboot (emulator exit 1)" || not_ok "nouboot: emulator exit $erc"
has nouboot_flash.out 'loading uboot from partition 2 (by index: no partition of that name)' \
	"console: no uboot partition, the SPL falls back to partition 2"
run "$K1FW" doctor --board nouboot
[ "$rc" = 1 ] && grep -q "emmc spl.uboot failed" "$T/out" && ok "doctor: missing uboot partition" ||
	{ not_ok "doctor nouboot"; tail -3 "$T/out"; }

# oversized SPL
seeded_bytes 220000 big_spl >big_spl.bin
"$K1FW" fsbl --spl big_spl.bin --keys keys --spl-limit 0x40000 -o big_fsbl.bin >/dev/null
copy bigspl; dd if=big_fsbl.bin of=bigspl/emmc-boot0.img bs=512 seek=1 conv=notrunc status=none
broken bigspl fsbl.size
start_emu stagebig --board empty_board_big --download-key
fb stage big_fsbl.bin; : >fb.log; fb continue
grep -q "fsbl.size" fb.log && ok "BootROM refuses a staged oversized FSBL" || { not_ok "stage oversized"; tail -2 fb.log; }
stop_emu

# wrong ROTPK on a secure board
Z=0000000000000000000000000000000000000000000000000000000000000000
run "$K1FW" doctor --board board --rotpk-hash $Z
[ "$rc" = 1 ] && grep -q "emmc fsbl.rotpk failed" "$T/out" && ok "doctor: secure board, wrong ROTPK" || { not_ok "doctor rotpk"; tail -3 "$T/out"; }
start_emu secure --board board --rotpk-hash $Z --exit-after-boot
sleep 0.2; stop_emu
grep -q "fsbl.rotpk failed" secure.log && ok "emulator console: secure board, wrong ROTPK" || not_ok "emulator rotpk"
start_emu secure2 --board empty_board_sec --rotpk-hash $Z
fb stage $R/factory/FSBL.bin; : >fb.log; fb continue
grep -q "fsbl.rotpk" fb.log && ok "secure BootROM refuses an FSBL signed by another ROTPK" || not_ok "secure stage"
stop_emu
H=$("$K1FW" inspect --json $R/factory/FSBL.bin | sed -n 's/.*"rotpk_sha256": "\([0-9a-f]*\)".*/\1/p')
expect_rc 0 "doctor: secure board with the right ROTPK boots" "$K1FW" doctor --board board --rotpk-hash "$H"

# usage errors
expect_fail 2 "boot-select" "bad --boot-select" "$K1FW" doctor --board board --boot-select usb
expect_rc 2 "doctor without a medium" "$K1FW" doctor
expect_fail 2 "listen" "bad --listen" "$K1FW" emulate --board board --listen nowhere
done_testing
