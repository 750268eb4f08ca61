#!/bin/sh
# k1fw flash against k1fw emulate, end to end: from an empty board (BootROM
# download mode) k1fw flash leaves the same storage, byte for byte, as the
# Debian fastboot client running the vendor command list (spec §6); doctor
# then says the board boots. Killing the emulator in the middle of rootfs
# makes flash fail naming rootfs; after a restart `--only rootfs` completes
# and the storage equals a clean flash.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
need_tools "emulator tests" "the Debian fastboot client, package fastboot" fastboot
. "$TOP/tests/cli/emu.sh"

make_bundle rel 3145728
flash() { "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 20 "$@"; }

# ---- board A: k1fw flash from an empty board ----
mkdir a
start_emu a --board a --exit-after-boot --max-download-size 1M
expect_rc 0 "k1fw flash: an empty board, BootROM to reboot" flash
grep -q "the board is in brom" "$T/out" && ok "flash found the board in BootROM download mode" ||
	not_ok "stage detection (wanted brom)"
wait_emu
[ "$erc" = 0 ] && ok "after k1fw flash's reboot the board boots (emulator exit 0)" || not_ok "emulator exit $erc"
[ "$(grep -c 'flash:rootfs' a.log)" -gt 1 ] && ok "rootfs over max-download-size went as several sparse pieces" ||
	not_ok "rootfs was not split (emulator log)"

# ---- board B: the Debian fastboot client, the vendor command list ----
mkdir b
start_emu b --board b --exit-after-boot --max-download-size 1M
fb stage rel/factory/FSBL.bin && fb continue && wait_up && fb stage rel/u-boot.itb && fb continue && wait_up &&
	fb flash gpt rel/partition_universal.json && fb flash bootinfo rel/factory/bootinfo_emmc.bin &&
	fb flash fsbl rel/factory/FSBL.bin && fb flash env rel/env.bin && fb flash opensbi rel/fw_dynamic.itb &&
	fb flash uboot rel/u-boot.itb && fb flash bootfs rel/bootfs.ext4 && fb flash rootfs rel/rootfs.ext4 &&
	fb reboot && ok "Debian fastboot: the vendor command list" || { not_ok "Debian fastboot list"; tail -5 fb.log; }
wait_emu
storage_digest a >a.sum; storage_digest b >b.sum
same_file a.sum b.sum "k1fw flash leaves the storage the Debian fastboot vendor list leaves, byte for byte"
expect_rc 0 "doctor: the board k1fw flashed boots" "$K1FW" doctor --board a

# ---- board C: the emulator killed in the middle of rootfs, then --only rootfs ----
rm -rf rel keys
make_bundle rel 67108864
mkdir c d
start_emu d --board d --exit-after-boot --max-download-size 4M
flash >/dev/null 2>&1 && ok "reference: a clean flash of the 64 MiB rootfs bundle" || not_ok "reference flash"
wait_emu
# The board must die with rootfs half sent, however fast the machine: the
# emulator stalls on the download of rootfs's second piece (its command
# number taken from the reference run) and is killed while it waits.
cmds() { grep -E '^k1fw emulate: \[[a-z-]+\] ' "$1" | grep -v -- '->'; }
K=$(cmds d.log | awk '/flash:rootfs/ { seen = 1 } seen && /download:/ { print NR; exit }')
[ -n "$K" ] && ok "the reference run sent rootfs in pieces (second piece: command $K)" ||
	not_ok "no second rootfs piece in the reference run"
start_emu c --board c --max-download-size 4M --fault-stall-cmd "${K:-1}" --fault-stall-ms 30000
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 5 --io-timeout 20 --json >events.json 2>flash.err &
FPID=$!
i=0
until [ "$(cmds c.log | wc -l)" -ge "${K:-1}" ] || [ $i -ge 1000 ]; do sleep 0.02; i=$((i + 1)); done
kill -9 "$EPID"; wait "$EPID" 2>/dev/null; EPID=
wait "$FPID"; frc=$?
[ "$frc" -ne 0 ] && ok "flash fails when the board dies mid-rootfs (exit $frc)" || not_ok "flash exit 0 after the kill"
grep '"error"' events.json | grep -q 'rootfs' && ok "the error names rootfs" ||
	{ not_ok "error does not name rootfs"; tail -3 events.json | sed 's/^/#   /'; }
grep '"error"' events.json | grep -q '[0-9] bytes\|bytes sent\|"sent"' && ok "the error says how many bytes went" ||
	{ not_ok "error without bytes sent"; grep '"error"' events.json | sed 's/^/#   /'; }
grep -q -- '--only rootfs' events.json flash.err && ok "the resume command (--only rootfs) is given" ||
	not_ok "no --only rootfs resume hint"
start_emu c2 --board c --exit-after-boot --max-download-size 4M
expect_rc 0 "after a restart, flash --only rootfs completes" flash --only rootfs
wait_emu
storage_digest c >c.sum; storage_digest d >d.sum
same_file c.sum d.sum "the resumed board's storage equals a clean flash"
expect_rc 0 "doctor: the resumed board boots" "$K1FW" doctor --board c
done_testing
