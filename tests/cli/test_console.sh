#!/bin/sh
# k1fw console without hardware: a board on a pseudo-terminal (ptyboard.py
# plays a real log; the emulator's --console-pty) read through a real tty.
# Keys pass through and the escape key quits; --json events carry doctor's
# conclusion so far; --log writes a timestamped log doctor --log reads; the
# UUCP lock keeps a second program off the port; a vanished adapter is
# reported; the only adapter in /dev/serial/by-id is picked, several are
# listed; a tmux session shows the status line as a person sees it; and
# k1fw flash --console prints what the board said next to the host error.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
BPIDS=
EPID=
trap 'for p in $BPIDS $EPID; do kill -9 "$p" 2>/dev/null; done; tmux -L k1fwtest kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
LOGS=$TOP/tests/data/logs
export K1FW_LOCK_DIR="$T/lock"
mkdir -p lock

# board NAME LOG [ptyboard options]: a board on the pty T/NAME.tty; sets BPID
board() {
	name=$1 log=$2; shift 2
	rm -f "$name.tty"
	python3 "$TOP/tests/cli/ptyboard.py" "$T/$name.tty" "$log" "$T/$name.keys" "$@" &
	BPID=$!
	BPIDS="$BPIDS $BPID"
	i=0; while [ ! -L "$name.tty" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
jq_() { python3 -c "import json,sys; ev=[json.loads(l) for l in open(sys.argv[1])]; $2" "$1"; }

# ---- keys, escape, JSON events, the log file ----
board a "$LOGS/spec1_bpi-f3_empty-emmc.log" --start-after 0.5
{ sleep 1.5; printf 'abc\035\035x'; sleep 0.3; printf '\035q'; } |
	"$K1FW" console --json --log a.log "$T/a.tty" >a.json 2>a.err
rc=$?
[ "$rc" = 0 ] && ok "console: Ctrl-] q quits (exit 0)" || { not_ok "console exit $rc"; cat a.err; }
jq_ a.json 'assert ev[0]["event"] == "start" and ev[0]["speed"] == 115200 and ev[0]["frame"] == "8N1", ev[0]' &&
	ok "--json: a start event, 115200 8N1" || not_ok "start event"
jq_ a.json 'assert sum(e["event"] == "line" for e in ev) == 12' && ok "--json: one line event per console line (12)" ||
	not_ok "line events"
jq_ a.json 'st=[e["status"] for e in ev if e["event"]=="status"]; assert "BootROM running" in st and "BootROM: download mode (eMMC has no bootinfo)" in st, st' &&
	ok "--json: the status goes from BootROM running to 'BootROM: download mode (eMMC has no bootinfo)'" ||
	not_ok "status events"
jq_ a.json 'e=ev[-1]; assert e["event"]=="end" and e["reason"]=="quit" and e["report"]["step"]=="bootinfo.magic" and e["report"]["boots"] is False, e' &&
	ok "--json: the end event carries doctor's report (bootinfo.magic)" || not_ok "end event"
sleep 0.3
[ "$(od -An -c a.keys | tr -d ' \n')" = 'abc035x' ] && ok "keys reach the board; Ctrl-] Ctrl-] sends one Ctrl-]; the quit keys do not" ||
	{ not_ok "keys at the board: $(od -An -c a.keys)"; }
head -1 a.log | grep -Eq '^\[20[0-9-]+ [0-9:.]+\] sys: 0x0$' && ok "--log: each line stamped with its time" ||
	{ not_ok "log stamps"; head -2 a.log; }
expect_rc 1 "doctor --log reads the console's log" "$K1FW" doctor --log a.log
grep -q "bootinfo.magic" "$T/out" && ok "... and finds bootinfo.magic in it" || not_ok "doctor on console log"
ls a.log.tmp-* >/dev/null 2>&1 && not_ok "a temporary log file was left" || ok "no temporary log file left"
kill "$BPID" 2>/dev/null

# ---- the lock ----
board b "$LOGS/deepin20260518_muse-pi-pro_boots.log" --start-after 0.3 --hold 30
real=$(readlink b.tty)
lockf="lock/LCK..$(echo "${real#/dev/}" | tr / _)"
"$K1FW" console --json "$T/b.tty" </dev/null >b.json 2>b.err &
CPID=$!
i=0; while [ ! -f "$lockf" ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i + 1)); done
[ -f "$lockf" ] && [ "$(tr -d ' \n' <"$lockf")" = "$CPID" ] && ok "the UUCP lock $lockf holds the console's PID" ||
	not_ok "lock file ($lockf)"
expect_fail 2 "in use" "a second console on the same port: refused, one line naming the holder" "$K1FW" console "$T/b.tty"
grep -q "$CPID" "$T/err" && ok "... the message names PID $CPID" || not_ok "lock holder not named"
kill -TERM "$CPID"; wait "$CPID" 2>/dev/null
[ ! -f "$lockf" ] && ok "the lock is gone when the console stops" || not_ok "lock left behind"
printf '%10d\n' 999999 >"$lockf"
{ sleep 1; printf '\035q'; } | "$K1FW" console --json "$T/b.tty" >b2.json 2>&1 &&
	ok "a stale lock (process 999999 is gone) is taken over" || not_ok "stale lock"
kill "$BPID" 2>/dev/null

# ---- the adapter vanishes ----
board c "$LOGS/forum18574_spl-hang-2gb.log" --start-after 0.3 --hold 1
sleep 5 | "$K1FW" console --json "$T/c.tty" >c.json 2>c.err
rc=$?
[ "$rc" = 1 ] && jq_ c.json 'e=ev[-1]; assert e["reason"]=="gone" and e["report"]["step"]=="spl.ddr", e' &&
	ok "the adapter vanishing is reported (exit 1, reason gone) with what was seen: spl.ddr" ||
	{ not_ok "vanished adapter (exit $rc)"; tail -2 c.json; cat c.err; }
board c2 "$LOGS/forum18574_spl-hang-2gb.log" --start-after 0.3 --hold 1
sleep 5 | "$K1FW" console "$T/c2.tty" >c2.out 2>c2.err
[ $? = 1 ] && grep -q "went away" c2.err && ok "without --json: one line says the port went away" ||
	{ not_ok "vanished, text"; cat c2.err; }

# ---- --exit-on-verdict, --timeout ----
board d "$LOGS/deepin20260518_muse-pi-pro_boots.log" --start-after 0.3
expect_rc 0 "--exit-on-verdict: a good boot exits 0 at the login prompt" "$K1FW" console --exit-on-verdict --timeout 20 --json "$T/d.tty"
board e "$LOGS/forum18574_spl-hang-2gb.log" --start-after 0.3
expect_rc 1 "--exit-on-verdict: quiet after the SPL banner is a hang (exit 1)" "$K1FW" console --exit-on-verdict --hang-after 1 --timeout 20 --json "$T/e.tty"
jq_ "$T/out" 'assert ev[-1]["reason"]=="verdict" and ev[-1]["report"]["step"]=="spl.ddr"' &&
	ok "... step spl.ddr" || not_ok "hang verdict"
board f "$LOGS/openwrt23231_orangepi-rv2_truncated.log" --start-after 0.3
expect_rc 3 "--timeout with the boot still open: exit 3" "$K1FW" console --timeout 2 --json "$T/f.tty"

# ---- picking the adapter ----
mkdir byid
export K1FW_SERIAL_DIR="$T/byid"
expect_fail 2 "no USB serial adapter" "no adapter: one line" "$K1FW" console
board g "$LOGS/spec1_bpi-f3_empty-emmc.log" --start-after 0.3
ln -s "$(readlink g.tty)" byid/usb-FTDI_FT232R_USB_UART_A10K1-if00-port0
{ sleep 1; printf '\035q'; } | "$K1FW" console --json >g.json 2>g.err
jq_ g.json 'assert ev[0]["device"].endswith("usb-FTDI_FT232R_USB_UART_A10K1-if00-port0")' &&
	ok "the only adapter in /dev/serial/by-id is used" || { not_ok "auto pick"; cat g.err; }
ln -s /dev/null byid/usb-Silicon_Labs_CP2102-if00-port0
run "$K1FW" console
[ "$rc" = 2 ] && grep -q "2 USB serial adapters" "$T/err" && grep -q "CP2102" "$T/err" && grep -q "FT232R" "$T/err" &&
	ok "several adapters: exit 2, each listed" || { not_ok "several adapters"; cat "$T/err"; }
unset K1FW_SERIAL_DIR
kill "$BPID" 2>/dev/null

# ---- usage ----
expect_fail 2 "serial settings" "--serial 115200,9Z1: one line" "$K1FW" console --serial 115200,9Z1 /dev/null
expect_fail 2 "serial speed" "--serial 12345: one line" "$K1FW" console --serial 12345 /dev/null
expect_fail 2 "nosuch" "a port that does not exist: one line" "$K1FW" console "$T/nosuch"
expect_fail 2 "not a serial port" "a file that is not a tty: one line" "$K1FW" console "$T/a.log"

# ---- as a person sees it: tmux ----
if command -v tmux >/dev/null; then
	board h "$LOGS/spec1_bpi-f3_empty-emmc.log" --start-after 1
	tmux -L k1fwtest new-session -d -x 100 -y 20 "$K1FW console $T/h.tty"
	sleep 2.5
	tmux -L k1fwtest capture-pane -p >screen.txt
	tail -1 screen.txt | grep -q "k1fw: BootROM: download mode (eMMC has no bootinfo)" &&
		ok "tmux: the bottom row is the status line" || { not_ok "tmux status line"; sed 's/^/#   /' screen.txt; }
	grep -q "ERROR:   emmc: invalid bootinfo magic code:0x0" screen.txt && ok "tmux: the board's lines scroll above it" ||
		not_ok "tmux board lines"
	tmux -L k1fwtest send-keys C-] q
	sleep 0.5
	tmux -L k1fwtest has-session 2>/dev/null && not_ok "tmux: Ctrl-] q did not quit" || ok "tmux: Ctrl-] q quits"
	tmux -L k1fwtest kill-server 2>/dev/null
else
	skip "tmux not installed"
fi

# ---- the emulator's console on a pty ----
command -v fastboot >/dev/null || { skip "no fastboot client: emulator checks skipped"; done_testing; exit 0; }
. "$TOP/tests/cli/emu.sh"
mkdir empty
start_emu empty --board empty --console-pty "$T/emu.tty"
[ -L emu.tty ] && ok "emulate --console-pty makes the link" || not_ok "no pty link"
expect_rc 1 "console on the emulator's pty: download mode, decided" "$K1FW" console --json --exit-on-verdict --hang-after 1 --timeout 20 "$T/emu.tty"
jq_ "$T/out" 'assert ev[-1]["report"]["step"]=="bootinfo.magic", ev[-1]' && ok "... the emulator's own console gives bootinfo.magic" ||
	not_ok "emulator console verdict"
stop_emu
[ ! -e emu.tty ] && ok "the pty link goes with the emulator" || not_ok "pty link left"

# flash --console: a secure board refuses the staged FSBL; the board's words are shown
make_bundle rel 500000
Z=0000000000000000000000000000000000000000000000000000000000000000
start_emu sec --board empty --download-key --rotpk-hash $Z --console-pty "$T/sec.tty"
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 10 --console "$T/sec.tty" >f.out 2>f.err
rc=$?
[ "$rc" = 1 ] && grep -q "fsbl.rotpk" f.err && grep -q "the board's console" f.err &&
	grep -q "| ERROR:   usb: fsbl.rotpk" f.err && ok "flash --console: the host error and the board's own 'ERROR: usb: fsbl.rotpk' line" ||
	{ not_ok "flash --console (exit $rc)"; sed 's/^/#   /' f.err | tail -12; }
stop_emu
# a board that hangs in the SPL is not on USB: the console says why
mkdir hang
start_emu fl --board hang --exit-after-boot
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 20 >/dev/null 2>&1 && ok "flash a board to break" ||
	not_ok "flash the board to break"
wait_emu
HPORT=$PORT
printf 'XXXX' | dd of=hang/emmc-user.img bs=1 seek=$((2097152 + 0x3000)) conv=notrunc status=none
"$K1FW" emulate --board hang --listen "127.0.0.1:$HPORT" --console-pty "$T/hung.tty" >hung.out 2>hung.log &
EPID=$!
i=0; while [ ! -L hung.tty ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$HPORT" --timeout 2 --console "$T/hung.tty" >h.out 2>h.err
rc=$?
[ "$rc" = 1 ] && grep -q "| spl: uboot: bad FIT" h.err && grep -q "u-boot.itb is damaged (spl.uboot)" h.err &&
	ok "flash --console to a board hung in the SPL: its console says why (spl.uboot)" ||
	{ not_ok "flash --console, hung board (exit $rc)"; sed 's/^/#   /' h.err | tail -12; }
stop_emu
"$K1FW" emulate --board hang --listen "127.0.0.1:$HPORT" --console-pty "$T/hung.tty" >hung2.out 2>hung2.log &
EPID=$!
i=0; while [ ! -L hung.tty ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
json_ok=$("$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$HPORT" --timeout 2 --json --console "$T/hung.tty" 2>/dev/null |
	python3 -c 'import json,sys; ev=[json.loads(l) for l in sys.stdin if l.strip()]; c=[e for e in ev if e.get("event")=="console"]; print(c[0]["report"]["step"] if c else "none")')
[ "$json_ok" = spl.uboot ] && ok "flash --console --json: a console event with the report" || not_ok "flash --console --json: $json_ok"
stop_emu
expect_fail 2 "one board" "flash --console with --all: refused" "$K1FW" flash --bundle rel --all --console "$T/hung.tty"
done_testing
