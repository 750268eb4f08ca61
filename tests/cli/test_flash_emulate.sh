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
fb_vendor_list rel && ok "Debian fastboot: the vendor command list" || { not_ok "Debian fastboot list"; tail -5 fb.log; }
wait_emu
storage_digest a >a.sum; storage_digest b >b.sum
same_file a.sum b.sum "k1fw flash leaves the storage the Debian fastboot vendor list leaves, byte for byte"
expect_rc 0 "doctor: the board k1fw flashed boots" "$K1FW" doctor --board a

# ---- vendor U-Boot generations (emulate --uboot-version): what k1fw says ----
# env_at DIR OUT: the env area (16 KiB at 0x60000) of board DIR
env_at() { dd if="$1/emmc-user.img" of="$2" bs=1024 skip=384 count=16 status=none; }
limit_at() { od -An -tx4 -j40 -N4 "$1/emmc-boot0.img" | tr -d ' '; }
head -c 16384 /dev/zero >zero.bin
gzip_lookalike_release rel trap
for g in 1.0.15:00032100:raw k1-bl-v2:00032100:raw 1.0beta:00036000:raw 1.0alpha2:00034100:export \
	import-zero:00032100:zero; do
	v=${g%%:*} l=${g#*:}; l=${l%:*} how=${g##*:}
	mkdir "g$v"
	start_emu "g$v" --board "g$v" --uboot-only --uboot-version "$v"
	run flash --no-reboot
	[ "$rc" = 0 ] || not_ok "$v: k1fw flash (exit $rc)"
	env_at "g$v" got_env.bin
	case $how in
	raw) cmp -s got_env.bin rel/env.bin && grep -q "note: env: env.bin written raw and read back" "$T/out" &&
		ok "$v: env.bin on the disk, and k1fw says so" || not_ok "$v: env" ;;
	export) ! cmp -s got_env.bin rel/env.bin && "$K1FW" env --help >/dev/null &&
		python3 -c 'import sys,zlib; d=open(sys.argv[1],"rb").read(); sys.exit(not (zlib.crc32(d[4:]).to_bytes(4,"little") == d[:4] and b"bootdelay=0\0" in d))' got_env.bin &&
		grep -q "did not write env.bin: it imported it into its RAM" "$T/out" &&
		grep -q "env.bin is not on the board's disk" "$T/err" &&
		ok "$v: U-Boot's merged env on the disk, not env.bin, and k1fw says so plainly" || not_ok "$v: env (export)" ;;
	zero) cmp -s got_env.bin zero.bin && grep -q "did not write env.bin: it imported it into its RAM" "$T/out" &&
		grep -q "saveenv" "$T/out" && grep -q "env.bin is not on the board's disk" "$T/err" &&
		ok "$v: env area zeroed, k1fw says env.bin is only in RAM and what to do" || not_ok "$v: env (zero)" ;;
	esac
	[ "$(limit_at "g$v")" = "$l" ] && ok "$v: boot0's bootinfo says spl_size_limit 0x$l" || not_ok "$v: limit $(limit_at "g$v")"
	run flash --no-reboot --bundle trap --only env
	python3 "$TOP/tests/cli/fbwire.py" "tcp:127.0.0.1:$PORT" "oem env:get k1fw_trap" >wire.txt 2>&1
	env_at "g$v" got_env.bin
	case $how in
	raw) [ "$rc" = 0 ] && cmp -s got_env.bin trap/env.bin && grep -q "sent as an Android sparse image" "$T/out" &&
		ok "$v: a gzip-looking env.bin goes as a sparse image and lands" || not_ok "$v: trap env" ;;
	*) [ "$rc" = 0 ] && grep -q -- "-> OKAY$(sed -n 's/^k1fw_trap=//p' trap.txt)$" wire.txt &&
		ok "$v: the sparse env is sent again as it is, and U-Boot imports it" ||
		{ not_ok "$v: trap env (import)"; sed 's/^/#   /' wire.txt; } ;;
	esac
	stop_emu
done
# doctor reads the limit U-Boot wrote: an FSBL over 0x32100, under 0x36000
seeded_bytes $((0x31800)) big_spl >big_spl.bin
"$K1FW" fsbl --spl big_spl.bin --keys keys -o big_fsbl.bin >/dev/null
for v in 1.0.15 1.0beta; do
	start_emu "d$v" --board "g$v" --uboot-only --uboot-version "$v"
	fb flash fsbl big_fsbl.bin
	stop_emu
done
run "$K1FW" doctor --board g1.0.15
[ "$rc" = 1 ] && grep -q "fsbl.size failed" "$T/out" && grep -q "0x32100" "$T/out" &&
	ok "doctor: the FSBL is over the 0x32100 U-Boot v1.0.15 wrote to boot0" || { not_ok "doctor limit"; tail -3 "$T/out"; }
expect_rc 0 "doctor: the same FSBL boots under 1.0beta's 0x36000" "$K1FW" doctor --board g1.0beta

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
