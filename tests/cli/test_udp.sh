#!/bin/sh
# Fastboot over UDP (issue 13 §1), against `k1fw emulate --listen udp:`:
# k1fw flash and the Debian fastboot client running the vendor command list
# leave the same bytes on storage; lost, repeated and late packets (the
# emulator's --fault-drop-packet, --fault-drop-reply, --fault-dup-reply) are
# recovered by retransmission, by both clients; a silent device, a device
# that dies in the middle of rootfs (then `--only rootfs` completes) and
# malformed answers (udp_fake.py) each get one clear error.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
EPID= FPID=
command -v fastboot >/dev/null || { skip "the Debian fastboot client is not installed"; done_testing; exit 0; }
. "$TOP/tests/cli/emu.sh"
# after emu.sh, whose trap this one extends with the fake device
trap '[ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null; [ -n "$FPID" ] && kill "$FPID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
EMU_TRANSPORT=udp

make_bundle rel 3145728
flash() { "$K1FW" flash --bundle rel -s "udp:127.0.0.1:$PORT" --timeout 20 "$@"; }
fb() { fastboot -s "udp:127.0.0.1:$PORT" "$@" >>fb.log 2>&1; }
cmds() { grep -E '^k1fw emulate: \[[a-z-]+\] ' "$1" | grep -v -- '->'; }
count() { grep -c -- "$1" "$2"; }

# ---- board A: k1fw flash over UDP from an empty board ----
mkdir a
start_emu a --board a --exit-after-boot --max-download-size 1M
grep -q "listening on udp:127.0.0.1:$PORT" a.log && ok "emulate --listen udp:127.0.0.1:0 listens on UDP port $PORT" ||
	not_ok "the emulator does not say it listens on UDP"
expect_rc 0 "k1fw flash -s udp: an empty board, BootROM to reboot" flash
grep -q "the board is in brom" "$T/out" && ok "flash found the board in BootROM download mode" ||
	not_ok "stage detection (wanted brom)"
wait_emu
[ "$erc" = 0 ] && ok "after k1fw flash's reboot the board boots (emulator exit 0)" || not_ok "emulator exit $erc"
[ "$(count 'flash:rootfs' a.log)" -gt 1 ] && ok "rootfs over max-download-size went as several sparse pieces" ||
	not_ok "rootfs was not split (emulator log)"

# ---- board B: the Debian fastboot client over UDP, the vendor command list ----
mkdir b
start_emu b --board b --exit-after-boot --max-download-size 1M
fb_vendor_list rel && ok "Debian fastboot -s udp: the vendor command list" || { not_ok "Debian fastboot list"; tail -5 fb.log; }
wait_emu
[ "$erc" = 0 ] && ok "after Debian fastboot's reboot the board boots" || not_ok "emulator exit $erc"
storage_digest a >a.sum; storage_digest b >b.sum
same_file a.sum b.sum "k1fw over UDP leaves the storage Debian fastboot over UDP leaves, byte for byte"

# ---- board C: A's storage (U-Boot fastboot at power-on), packets lost and repeated ----
mkdir c && cp a/*.img c/
start_emu c --board c --max-download-size 1M \
	--fault-drop-packet 1 --fault-drop-packet 2 --fault-drop-packet 9 --fault-drop-packet 700 \
	--fault-drop-packet 701 --fault-drop-packet 702 --fault-drop-reply 3 --fault-drop-reply 12 \
	--fault-drop-reply 1500 --fault-drop-reply 1501 --fault-dup-reply 5 --fault-dup-reply 2500
expect_rc 0 "k1fw flash completes through 6 lost requests, 4 lost answers, 2 repeated answers" flash --no-reboot
[ "$(count 'fault: incoming packet' c.log)" = 6 ] && [ "$(count 'not sent' c.log)" = 4 ] &&
	[ "$(count 'sent twice' c.log)" = 2 ] && ok "the emulator lost and repeated exactly those datagrams" ||
	{ not_ok "faults in the log"; grep 'fault:' c.log | sed 's/^/#   /'; }
[ "$(count 'its answer sent again' c.log)" -ge 4 ] && ok "each lost answer was asked for again and sent again" ||
	not_ok "no retransmitted answers in the log"
stop_emu
storage_digest c >c.sum
same_file a.sum c.sum "the storage after the lossy flash equals the clean one"
start_emu c2 --board c --max-download-size 1M --fault-drop-packet 3 --fault-drop-packet 200 \
	--fault-drop-reply 6 --fault-drop-reply 400 --fault-dup-reply 8
rm -f fb.log
fb getvar version && fb flash bootfs rel/bootfs.ext4 && ok "Debian fastboot recovers from the same faults" ||
	{ not_ok "Debian fastboot with lost packets"; tail -3 fb.log | sed 's/^/#   /'; }
[ "$(count 'fault:' c2.log)" = 5 ] && ok "... and the emulator did lose and repeat them" ||
	{ not_ok "Debian run faults"; grep 'fault:' c2.log | sed 's/^/#   /'; }
stop_emu
storage_digest c >c.sum
same_file a.sum c.sum "the storage after Debian fastboot's lossy flash equals the clean one"

# ---- a silent device, and none at all ----
python3 "$TOP/tests/cli/udp_fake.py" silent fake.ready &
FPID=$!
i=0; while [ ! -s fake.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
SP=$(cut -d: -f2 fake.ready)
expect_fail 1 "udp:127.0.0.1:$SP: no board within 2.0 s (last: .*no fastboot device answers" \
	"a device that never answers: one line after --timeout" \
	"$K1FW" fastboot -s "udp:127.0.0.1:$SP" --timeout 2 getvar version
kill "$FPID"; wait "$FPID" 2>/dev/null; FPID=
expect_fail 1 "nothing listens there (port unreachable)" "nothing on the port: port unreachable, named" \
	"$K1FW" fastboot -s "udp:127.0.0.1:$SP" --timeout 1 getvar version

# ---- board D: devices, then silence in the middle of a command ----
mkdir d
start_emu d --board d --fault-stall-cmd 2 --fault-stall-ms 8000
run "$K1FW" devices --json -s "udp:127.0.0.1:$PORT"
grep -q '"transport": *"udp"' "$T/out" && grep -q '"stage": *"brom"' "$T/out" &&
	ok "devices -s udp: probes the board and names its stage" || { not_ok "devices -s udp"; cat "$T/out"; }
expect_fail 1 "getvar:version: udp:127.0.0.1:$PORT: no answer within 1500 ms (3 packets sent)" \
	"a device silent mid-command: one line after --io-timeout" \
	"$K1FW" fastboot -s "udp:127.0.0.1:$PORT" --io-timeout 1.5 getvar version
stop_emu

# ---- board E: the emulator killed in the middle of rootfs, then --only rootfs ----
K=$(cmds a.log | awk '/flash:rootfs/ { seen = 1 } seen && /download:/ { print NR; exit }')
[ -n "$K" ] && ok "the reference run sent rootfs in pieces (second piece: command $K)" ||
	not_ok "no second rootfs piece in the reference run"
mkdir e
start_emu e --board e --max-download-size 1M --fault-stall-cmd "${K:-1}" --fault-stall-ms 30000
"$K1FW" flash --bundle rel -s "udp:127.0.0.1:$PORT" --timeout 5 --io-timeout 20 --json >events.json 2>flash.err &
FPID=$!
i=0
until [ "$(cmds e.log | wc -l)" -ge "${K:-1}" ] || [ $i -ge 1000 ]; do sleep 0.02; i=$((i + 1)); done
kill -9 "$EPID"; wait "$EPID" 2>/dev/null; EPID=
wait "$FPID"; frc=$?; FPID=
[ "$frc" -ne 0 ] && ok "flash fails when the board dies mid-rootfs (exit $frc)" || not_ok "flash exit 0 after the kill"
grep '"error"' events.json | grep -q 'rootfs: the board went away after [0-9]* bytes sent' &&
	ok "the error names rootfs and how many bytes went" ||
	{ not_ok "error without rootfs or bytes"; grep '"error"' events.json | sed 's/^/#   /'; }
grep '"error"' events.json | grep -q 'the device went away (port unreachable)' &&
	ok "the error says why: the port became unreachable" || not_ok "error without the reason"
grep -q -- '--only rootfs' events.json flash.err && ok "the resume command (--only rootfs) is given" ||
	not_ok "no --only rootfs resume hint"
start_emu e2 --board e --exit-after-boot --max-download-size 1M
expect_rc 0 "after a restart, flash --only rootfs over UDP completes" flash --only rootfs
wait_emu
storage_digest e >e.sum
same_file a.sum e.sum "the resumed board's storage equals a clean flash"

# ---- malformed answers ----
bad() { # MODE PATTERN DESC
	rm -f fake.ready
	python3 "$TOP/tests/cli/udp_fake.py" "$1" fake.ready &
	FPID=$!
	i=0; while [ ! -s fake.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	expect_fail 1 "$2" "$3" "$K1FW" fastboot -s "udp:$(cat fake.ready)" --timeout 1 --io-timeout 2 getvar version
	kill "$FPID"; wait "$FPID" 2>/dev/null; FPID=
}
bad runt "a 2-byte packet: shorter than the 4-byte header" "a runt answer is a protocol error"
bad wrongseq "no fastboot device answers" "a QUERY answer with another sequence number is not an answer"
bad initerror "the device reported an error: 'device busy?'" "an ERROR packet: its text, made printable"
bad oldversion "INIT: protocol version 0: expected 1 or later" "an INIT answer with version 0"
bad smallpkt "INIT: packet size 100: expected at least 512" "an INIT answer with a packet below 512 bytes"
bad outofturn "the device sent 4 bytes of data where an empty acknowledgement was due" \
	"data in the answer to a write"
bad overflow "a reply of 1000 bytes, more than the 320 expected (receive overflow)" \
	"a reply longer than fastboot allows, in continued pieces"

# ---- emulate --listen ----
expect_fail 2 "--listen: expected" "emulate --listen udp: without a port" "$K1FW" emulate --board x --listen udp:127.0.0.1
expect_fail 2 "--udp-packet-size: expected 512 to 65535" "emulate --udp-packet-size below 512" \
	"$K1FW" emulate --board x --listen udp:127.0.0.1:0 --udp-packet-size 100
done_testing
