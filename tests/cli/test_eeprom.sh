#!/bin/sh
# The board EEPROM: k1fw eeprom build writes what an independent ONIE
# TlvInfo reader (tlvinfo.py) parses, and rebuilds a real BPI-F3's EEPROM
# with its printed CRC (tests/data/eeprom); inspect/verify name fields and
# damage; set --file recomputes the CRC and refuses damaged images. Then the
# 2 GB case end to end on the emulator: flash fails naming ddr_cs_num,
# `eeprom set` (through the SPL, from the BootROM with --bundle) fixes it,
# a second flash boots and doctor agrees; product_name and the u-boot.itb
# configuration; U-Boot's oem config; the vendor sandbox's answer.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
EPID= SPID=
trap '[ -n "$EPID" ] && kill "$EPID" 2>/dev/null; [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
. "$TOP/tests/cli/emu.sh"
TLV="python3 $TOP/tests/cli/tlvinfo.py"
DATA="$TOP/tests/data/eeprom"
E() { "$K1FW" eeprom "$@"; }
# value FILE KEY: what the independent reader says
value() { $TLV "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["values"].get(sys.argv[1], "-"))' "$2"; }
has() { grep -q -- "$2" "$1" && ok "$3" || { not_ok "$3 (no '$2' in $1)"; tail -5 "$1" | sed 's/^/#   /'; }; }

# ---- a real BPI-F3 EEPROM, rebuilt from its U-Boot listing ----
want_crc=$(awk '/^CRC-32/ { print tolower($4) }' "$DATA/bpi-f3-tlv.txt")
expect_rc 0 "build: the BPI-F3 EEPROM of tests/data/eeprom" E build -o f3.bin product_name=k1-x_deb1 \
	ethaddr=FE:FE:FE:12:34:45 ethsize=2 "manufacture_date=04/24/2024 10:23:55" manufacturer=spacemit \
	device_version=5 sdk_version=2 ddr_cs_num=1 0x60=8e2a5dcad801 0x61=3cd97baf5e6c 0x42=31
[ "$($TLV f3.bin | python3 -c 'import json,sys; print(json.load(sys.stdin)["crc32"])')" = "$want_crc" ] &&
	ok "its CRC-32 is the one the board printed ($want_crc), read by the independent reader" ||
	not_ok "CRC differs from $want_crc"
[ "$(wc -c <f3.bin)" -eq $((11 + $(awk '/Total Length/ { print $3 }' "$DATA/bpi-f3-tlv.txt"))) ] &&
	ok "and its length is the printed total length + 11" || not_ok "length"
expect_rc 0 "verify: the BPI-F3 EEPROM is sound" "$K1FW" verify f3.bin
run "$K1FW" inspect --json f3.bin
python3 - "$T/out" <<'PY' && ok "inspect --json: fields by name, unknown codes as hex, the SPL's view" || not_ok "inspect --json"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
v = f["values"]
assert f["format"] == "eeprom" and f["crc_ok"]
assert v["product_name"] == "k1-x_deb1" and v["ethaddr"] == "FE:FE:FE:12:34:45"
assert v["ddr_cs_num"] == "1" and v["ethsize"] == "2" and v["0x60"] == "8e2a5dcad801"
assert f["spl"]["ddr_cs_num"] == 1 and f["spl"]["fit_configuration"] == "k1-x_deb1"
PY

# ---- images k1fw builds, read by the independent reader ----
i=0
for set in "product_name=k1-x_MUSE-Pi ddr_cs_num=2 ddr_datarate=2400 ddr_type=LPDDR4X" \
	"serial#=SN0001 part#=P-1 ethaddr=02:00:00:00:00:01 ethsize=1 pmic_type=0 eeprom_i2c_index=2 eeprom_pin_group=0" \
	"ddr_cs_num=1 0x7f=00ff00"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	E build -o b$i.bin --size 256 $set >/dev/null 2>&1
	good=1
	for kv in $set; do
		[ "$(value b$i.bin "${kv%%=*}")" = "${kv#*=}" ] || { good=0; echo "# ${kv%%=*}: $(value b$i.bin "${kv%%=*}")"; }
	done
	[ "$good" = 1 ] && [ "$(wc -c <b$i.bin)" -eq 256 ] && ok "build $i: the independent reader finds every field ($set)" ||
		not_ok "build $i"
	"$K1FW" verify b$i.bin >/dev/null || not_ok "verify build $i"
done

# ---- damage ----
cp f3.bin bad.bin
printf 'X' | dd of=bad.bin bs=1 seek=20 conv=notrunc status=none
expect_rc 1 "verify: a changed byte fails" "$K1FW" verify bad.bin
has "$T/out" "FAIL eeprom.crc32 @ 0x5f" "it names the CRC-32 and where it is"
run $TLV bad.bin; [ "$rc" -ne 0 ] && ok "the independent reader rejects it too" || not_ok "tlvinfo accepted a bad CRC"
python3 - f3.bin cs3.bin <<'PY'
import binascii, struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
d[0x49] = 3  # ddr_cs_num 3, with a CRC that matches
d[-4:] = struct.pack(">I", binascii.crc32(bytes(d[:-4])) & 0xFFFFFFFF)
open(sys.argv[2], "wb").write(d)
PY
expect_rc 1 "verify: ddr_cs_num 3 with a good CRC fails" "$K1FW" verify cs3.bin
has "$T/out" "FAIL eeprom.ddr_cs_num @ 0x47: 3, expected 1..2" "it names ddr_cs_num and the range"
head -c 90 f3.bin >short.bin
expect_rc 1 "verify: a truncated image fails" "$K1FW" verify short.bin
has "$T/out" "eeprom.total_length" "it names the total length"

# ---- what build refuses (exit 2, one line, no output file) ----
expect_fail 2 "bogus: not a key" "build: an unknown key" E build -o x.bin bogus=1
expect_fail 2 "expected 1..2" "build: ddr_cs_num=3" E build -o x.bin ddr_cs_num=3
expect_fail 2 "multicast" "build: a multicast MAC" E build -o x.bin ethaddr=01:00:5e:00:00:01
expect_fail 2 "not a date" "build: a bad date" E build -o x.bin "manufacture_date=2024-01-01 00:00:00"
expect_fail 2 "holds 256" "build: more than the 256-byte EEPROM" E build -o x.bin \
	0x60="$(printf '%0240d' 0)" 0x61="$(printf '%0240d' 0)"
expect_fail 2 "given twice" "build: a key twice" E build -o x.bin ddr_cs_num=1 ddr_cs_num=2
[ ! -e x.bin ] && ok "no output file after a refused build" || not_ok "x.bin left behind"

# ---- set --file ----
cp b1.bin edit.bin
expect_rc 0 "set --file: ddr_cs_num=1 product_name=k1-x_deb1" E set --file edit.bin ddr_cs_num=1 product_name=k1-x_deb1
[ "$(value edit.bin ddr_cs_num)" = 1 ] && [ "$(value edit.bin product_name)" = k1-x_deb1 ] &&
	[ "$(value edit.bin ddr_type)" = LPDDR4X ] && [ "$(wc -c <edit.bin)" -eq 256 ] &&
	ok "the CRC is recomputed (independent reader), other fields and the 256-byte size kept" || not_ok "set --file result"
cp bad.bin bad2.bin
expect_rc 1 "set --file refuses a damaged image" E set --file bad2.bin ddr_cs_num=1
same_file bad2.bin bad.bin "and leaves it untouched"
cp edit.bin edit2.bin
expect_fail 2 "expected 1..2" "set --file: an invalid value" E set --file edit2.bin ddr_cs_num=9
same_file edit2.bin edit.bin "nothing written for an invalid value"

# ---- the 2 GB board on the emulator ----
make_bundle rel 3145728
W=
flash() { "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 5 "$@"; }
start_emu e1 --board b --ram 2G
run flash --io-timeout 3
[ "$rc" -eq 1 ] && ok "flash of a 2 GB board with ddr_cs_num 2 fails (exit 1)" || not_ok "flash exit $rc"
has "$T/err" "lost right after its SPL started: on a 2 GB board this is the EEPROM's ddr_cs_num" \
	"flash names the EEPROM's ddr_cs_num"
has "$T/err" "k1fw eeprom set --bundle rel -s tcp:127.0.0.1:$PORT ddr_cs_num=1" "and gives the command"
grep -q -- '--only' "$T/err" && not_ok "a resume hint although nothing was flashed" || ok "no resume hint (nothing was flashed)"
stop_emu
grep -q "^U-Boot SPL 2022.10" e1.out && ! grep -q "DDR type\|lpddr4_silicon_init" e1.out &&
	ok "the board's console stops after the SPL banner (no DDR lines)" || { not_ok "console"; tail -4 e1.out | sed 's/^/#   /'; }
has e1.log "DDR is down" "the emulator log says the download never completes"

start_emu e2 --board b --ram 2G
run E show -s "tcp:127.0.0.1:$PORT" --bundle rel --timeout 5
[ "$rc" -eq 0 ] && grep -q '^ddr_cs_num=2$' "$T/out" && grep -q "the board is in spl" "$T/out" &&
	ok "eeprom show from the BootROM (--bundle): the SPL reads ddr_cs_num=2" || { not_ok "show"; cat "$T/err" | head -3; }
stop_emu
start_emu e3 --board b --ram 2G
run E set -s "tcp:127.0.0.1:$PORT" --bundle rel --timeout 5 ddr_cs_num=1
[ "$rc" -eq 0 ] && grep -q "ddr_cs_num=1: written, read back: confirmed" "$T/out" &&
	ok "eeprom set ddr_cs_num=1: written, flushed, read back from the EEPROM" || { not_ok "set (exit $rc)"; head -3 "$T/err"; }
stop_emu
[ "$(value b/eeprom.bin ddr_cs_num)" = 1 ] && [ "$(value b/eeprom.bin product_name)" = k1-x_deb1 ] &&
	ok "eeprom.bin now says ddr_cs_num 1, CRC good, the rest kept (independent reader)" || not_ok "eeprom.bin after set"
start_emu e4 --board b --ram 2G --exit-after-boot
expect_rc 0 "a second flash of the same 2 GB board succeeds" flash --io-timeout 20
wait_emu
[ "$erc" = 0 ] && ok "after its reboot the board boots (emulator exit 0)" || not_ok "emulator exit $erc"
expect_rc 0 "doctor --ram 2G agrees: it boots" "$K1FW" doctor --board b --ram 2G

# the EEPROM back to 2: doctor and the board agree it stops
expect_rc 0 "set --file b/eeprom.bin ddr_cs_num=2" E set --file b/eeprom.bin ddr_cs_num=2
expect_rc 1 "doctor --ram 2G: does not boot" "$K1FW" doctor --board b --ram 2G
has "$T/out" "spl.ddr failed: ddr_cs_num 2 (from the EEPROM) on a 2 GB board" "doctor names ddr_cs_num"
has "$T/out" "k1fw eeprom set --file b/eeprom.bin ddr_cs_num=1" "and the fix for this board folder"
expect_rc 0 "doctor --ram 4G: the same storage boots a 4 GB board" "$K1FW" doctor --board b --ram 4G
start_emu e5 --board b --ram 2G --exit-after-boot
wait_emu
[ "$erc" = 1 ] && [ "$(tail -n 1 e5.out)" = "U-Boot SPL 2022.10 (k1fw emulate)" ] &&
	ok "the emulated 2 GB board hangs right after the SPL banner too (exit 1)" || not_ok "emulator exit $erc"
E set --file b/eeprom.bin ddr_cs_num=1 >/dev/null

# ---- product_name and the u-boot.itb configuration ----
E set --file b/eeprom.bin product_name=k1-x_nosuch >/dev/null
run "$K1FW" doctor --board b
[ "$rc" -eq 0 ] && grep -q 'no configuration of u-boot.itb is "k1-x_nosuch"' "$T/out" &&
	grep -q "default conf_1 (k1-x_deb1) boots" "$T/out" &&
	ok "product_name without a configuration: the SPL boots the FIT's default (a warning)" || not_ok "fallback"
cp rel/u-boot.itb nodefault.itb
fdtput -d nodefault.itb /configurations default
start_emu e6 --board b
"$K1FW" fastboot -s "tcp:127.0.0.1:$PORT" flash uboot nodefault.itb >/dev/null 2>&1 &&
	ok "flash a u-boot.itb without a default configuration" || not_ok "flash nodefault.itb"
stop_emu
expect_rc 1 "doctor: product_name without a configuration and no default: does not boot" "$K1FW" doctor --board b
has "$T/out" 'spl.fit_config failed: u-boot.itb has no configuration "k1-x_nosuch"' "doctor names the product_name"
E set --file b/eeprom.bin product_name=k1-x_deb1 >/dev/null
expect_rc 0 "with product_name k1-x_deb1 it boots again" "$K1FW" doctor --board b

# ---- U-Boot's oem config ----
start_emu e7 --board b
cp b/eeprom.bin before.bin
run E show -s "tcp:127.0.0.1:$PORT" --json
python3 - "$T/out" <<'PY' && ok "show in U-Boot: its environment (ddr_cs_num not in it)" || not_ok "show in U-Boot"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "u-boot" and d["values"]["product_name"] == "k1-x_deb1"
assert "ddr_cs_num" in d["missing"]
PY
expect_fail 2 "splits the value at blanks" "set in U-Boot refuses a value with a blank" \
	E set -s "tcp:127.0.0.1:$PORT" "manufacture_date=01/01/2025 00:00:00"
same_file b/eeprom.bin before.bin "nothing written"
run E set -s "tcp:127.0.0.1:$PORT" ddr_datarate=1600
[ "$rc" -eq 0 ] && grep -q "in U-Boot's environment" "$T/out" && [ "$(value b/eeprom.bin ddr_datarate)" = 1600 ] &&
	ok "set in U-Boot: written through tlv_eeprom (read-back: its environment)" || not_ok "set in U-Boot"
stop_emu

# ---- the vendor's U-Boot (sandbox, UDP): what it answers ----
SB="$VENDOR/uboot-sandbox/board.sh"
if [ ! -x "$SB" ] || [ "$(id -u)" -ne 0 ] || ! command -v fastboot >/dev/null; then
	skip "vendor sandbox board (needs $SB, root and Debian fastboot)"
else
	"$SB" -p 5639 disk.img >sb.log 2>&1 &
	SPID=$!
	i=0
	until fastboot -s udp:127.0.0.1:5639 getvar version >/dev/null 2>&1 || [ $i -ge 40 ]; do
		sleep 0.5; i=$((i + 1)); done
	fastboot -s udp:127.0.0.1:5639 oem config read product_name >sb.txt 2>&1
	start_emu e8 --board b
	fastboot -s "tcp:127.0.0.1:$PORT" oem config read product_name >em.txt 2>&1
	stop_emu
	kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=
	grep -q "unrecognized command" sb.txt && grep -q "unrecognized command" em.txt &&
		ok "Debian's 'fastboot oem config read KEY' (a blank, no ':'): unrecognized command on the vendor board and the emulator" ||
		{ not_ok "sandbox/emulator differ"; sed 's/^/#   /' sb.txt em.txt; }
fi
done_testing
