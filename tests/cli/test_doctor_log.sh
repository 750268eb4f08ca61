#!/bin/sh
# k1fw doctor --log: the real K1 console logs in tests/data/logs (see the
# README there) each give their verdict, step, SoC, board and medium; the
# same logs with CRLF, colour codes, NUL bytes, terminal timestamps, host
# output mixed in, or cut short, still do; --json has exactly the issue's
# keys; exit 0 boots, 1 does not, 3 cannot tell, 2 unreadable. Then the
# emulator's own console: a good boot (flashed by k1fw flash) says it boots,
# and every broken board doctor --board knows fails at the same step in the
# console it prints.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
EPID=
trap '[ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
LOGS=$TOP/tests/data/logs

# field FILE KEY: a top-level field of doctor --json output ("null" for null)
field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else str(v).lower() if isinstance(v,bool) else v)' "$1" "$2"
}

# expect LOG RC BOOTS STEP SOC MEDIUM REACHED BOARD-SUBSTRING
expect() {
	log=$1 want_rc=$2; shift 2
	"$K1FW" doctor --log "$log" --json >got.json 2>got.err
	rc=$?
	desc="$(basename "$log"): exit $want_rc, boots $1, step $2, soc $3, medium $4, reached $5"
	if [ "$rc" = "$want_rc" ] && [ "$(field got.json boots)" = "$1" ] && [ "$(field got.json step)" = "$2" ] &&
		[ "$(field got.json soc)" = "$3" ] && [ "$(field got.json medium)" = "$4" ] &&
		[ "$(field got.json reached)" = "$5" ] && field got.json board | grep -q -- "$6"; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc)"
		sed 's/^/#   /' got.json got.err | head -20
	fi
}

# ---- the real logs ----
expect "$LOGS/spec1_bpi-f3_empty-emmc.log" 1 false bootinfo.magic k1 emmc download null
expect "$LOGS/forum18049_download-mode.log" 1 false bootinfo.magic k1 emmc download null
expect "$LOGS/forum18574_spl-hang-2gb.log" 1 false spl.ddr k1 sd spl null
expect "$LOGS/forum18574_usb-stage-spl-hang.log" 1 false spl.ddr k1 null spl null
expect "$LOGS/forum18777_rt-thread-uart.log" 3 null console.wrong_uart null null null null
expect "$LOGS/deepin20250804_fastboot-devices.log" 1 false brom.download k1 null download null
expect "$LOGS/deepin20260514_muse-pi-pro_no-kernel.log" 1 false uboot.kernel k1 sd uboot "MUSE Pi Pro"
expect "$LOGS/deepin20260514_muse-pi-pro_kernel-stall.log" 1 false kernel.stall k1 null kernel null
expect "$LOGS/deepin20260518_muse-pi-pro_boots.log" 0 true null k1 sd os "MUSE Pi Pro"
expect "$LOGS/jupiter_nor_no-card_nand-boot.log" 1 false uboot.bootcmd k1 nor uboot "Milk-V Jupiter"
expect "$LOGS/openwrt23231_orangepi-r2s_mmc-read-error.log" 3 null null k1 emmc opensbi "Orange Pi R2S"
expect "$LOGS/openwrt23231_orangepi-rv2_truncated.log" 3 null null k1 sd opensbi "Orange Pi RV2"
expect "$LOGS/armbian7780_bpi-f3_uboot.log" 3 null null k1 null uboot "BPI-F3"
expect "$LOGS/rvck167_bpi-f3_kernel.log" 0 true null k1 null os "BPI-F3"
expect "$LOGS/metariscv636_k3-pico-itx.log" 3 null soc k3 nor uboot "k3"
n=$(ls "$LOGS"/*.log | wc -l)
[ "$n" -eq 15 ] && ok "every log in tests/data/logs is checked above ($n)" || not_ok "$n logs, 15 checked"
for f in "$LOGS"/*.log; do
	grep -q "$(basename "$f")" "$LOGS/README.md" || not_ok "$(basename "$f") has no source in the README"
done

# what the reader says beside the verdict
"$K1FW" doctor --log "$LOGS/spec1_bpi-f3_empty-emmc.log" >out.txt
grep -q "line 7: ERROR:   emmc: invalid bootinfo magic code:0x0" out.txt && ok "evidence cites line 7 of the spec log" ||
	not_ok "evidence line"
grep -q "warnings:" out.txt && grep -q "sd.card" out.txt && ok "the missing SD card is a warning, not the cause" ||
	not_ok "SD warning"
"$K1FW" doctor --log "$LOGS/deepin20260518_muse-pi-pro_boots.log" >out.txt
grep -qi "fdt" out.txt && not_ok "'No FDT memory address configured' blamed" || ok "'No FDT memory address configured' is not blamed"
"$K1FW" doctor --log "$LOGS/jupiter_nor_no-card_nand-boot.log" --json >j.json
python3 - j.json <<'PY' && ok "Jupiter: bad-CRC environment is a warning; vendor SPL and U-Boot 2022.10spacemit" || not_ok "Jupiter details"
import json, sys
j = json.load(open(sys.argv[1]))
assert any("uboot.env" in w for w in j["warnings"]), j["warnings"]
assert j["versions"]["spl"] == {"text": "2022.10spacemit", "kind": "vendor"}, j["versions"]
assert j["versions"]["uboot"]["kind"] == "vendor"
assert j["evidence"] and "nand_boot" in j["evidence"][0]["text"]
PY
python3 - j.json <<'PY' && ok "--json has exactly the keys of the issue" || not_ok "--json keys"
import json, sys
j = json.load(open(sys.argv[1]))
want = {"soc", "board", "medium", "reached", "boots", "step", "why", "fix", "evidence", "warnings", "versions"}
assert set(j) == want, set(j) ^ want
assert all(set(e) == {"line", "text"} for e in j["evidence"])
PY
"$K1FW" doctor --log "$LOGS/openwrt23231_orangepi-r2s_mmc-read-error.log" --json >j.json
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert any("spl.mmc_read" in w for w in j["warnings"]); assert j["versions"]["opensbi"]["kind"]=="mainline"' j.json &&
	ok "one mmc block read error the SPL got past is a warning" || not_ok "mmc read warning"

# ---- the same logs as capture programs and people mangle them ----
L=$LOGS/jupiter_nor_no-card_nand-boot.log
sed 's/$/\r/' "$L" >crlf.log
expect crlf.log 1 false uboot.bootcmd k1 nor uboot "Jupiter"
awk '{ printf "[2024-06-06 09:32:%02d.%03d] %s\n", NR % 60, NR, $0 }' "$L" >stamped.log
expect stamped.log 1 false uboot.bootcmd k1 nor uboot "Jupiter"
awk '{ printf "[%02d:%02d:%02d.%03d] %s\r\n", 9, 32, NR % 60, NR, $0 }' "$L" >tio.log
expect tio.log 1 false uboot.bootcmd k1 nor uboot "Jupiter"
awk '/ERROR|U-Boot|Error/ { printf "\033[1;31m%s\033[0m\n", $0; next } { print }' "$L" >ansi.log
expect ansi.log 1 false uboot.bootcmd k1 nor uboot "Jupiter"
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(b"\0\0" + d.replace(b"\n", b"\n\0", 5) + b"\0")' "$L" nul.log
expect nul.log 1 false uboot.bootcmd k1 nor uboot "Jupiter"
awk 'NR == 20 { print "$ sudo fastboot devices"; print "< waiting for any device >" } { print }' "$L" >host.log
expect host.log 1 false uboot.bootcmd k1 nor uboot "Jupiter"
head -n 30 "$L" >cut.log
expect cut.log 3 null null k1 nor uboot "Jupiter"
head -c 190 "$LOGS/spec1_bpi-f3_empty-emmc.log" >cut2.log # ends mid-line
expect cut2.log 1 false bootinfo.magic k1 emmc download null
cat "$LOGS/spec1_bpi-f3_empty-emmc.log" | "$K1FW" doctor --log - >out.txt
[ $? = 1 ] && grep -q "bootinfo.magic" out.txt && ok "--log - reads stdin" || not_ok "--log -"
seeded_bytes 4096 noise-log >noise.log
expect_rc 3 "random bytes: cannot tell, no crash" "$K1FW" doctor --log noise.log
: >empty.log
expect_rc 3 "an empty log: cannot tell" "$K1FW" doctor --log empty.log
grep -q "empty" "$T/out" && ok "an empty log says so" || not_ok "empty log text"

# ---- unreadable input and usage ----
expect_fail 2 "nosuch.log" "a missing log: exit 2, one line" "$K1FW" doctor --log nosuch.log
mkdir adir
expect_fail 2 "adir" "a folder as the log: exit 2, one line" "$K1FW" doctor --log adir
expect_fail 2 "leave out" "--log with --board: usage error" "$K1FW" doctor --log empty.log --board adir

# ---- the emulator's console ----
command -v fastboot >/dev/null || { skip "no fastboot client: emulator console checks skipped"; done_testing; exit 0; }
. "$TOP/tests/cli/emu.sh"
make_bundle rel 1000000
mkdir good
start_emu good --board good --exit-after-boot --max-download-size 1M
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 20 >flash.out 2>&1 && ok "k1fw flash the emulated board" ||
	{ not_ok "flash"; tail -3 flash.out; }
wait_emu
expect good.out 0 true null k1 emmc os "BPI-F3"
"$K1FW" doctor --log good.out --json >g.json
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["versions"]["spl"]["kind"])' g.json)" = emulator ] &&
	ok "the emulator's SPL is reported as the emulator's" || not_ok "emulator SPL kind"

copy() { mkdir -p "$1"; for f in good/*.img; do cp --sparse=always "$f" "$1/"; done; }
# broken NAME [EMULATE-ARGS]: doctor --board and doctor --log of the emulator's console agree
broken() {
	name=$1; shift
	"$K1FW" doctor --board "$name" --json "$@" >board.json 2>/dev/null
	want=$(field board.json step)
	start_emu "$name" --board "$name" --exit-after-boot "$@"
	sleep 0.3; stop_emu
	"$K1FW" doctor --log "$name.out" --json >log.json
	rc=$?
	got=$(field log.json step)
	if [ "$rc" = 1 ] && [ -n "$want" ] && [ "$got" = "$want" ]; then ok "emulator console, $name: doctor --log says $got, as doctor --board"
	else not_ok "emulator console, $name: --log '$got' (exit $rc), --board '$want'"; tail -4 "$name.out" | sed 's/^/#   /'; fi
}
mkdir empty
broken empty
copy badcrc; printf '\001' | dd of=badcrc/emmc-boot0.img bs=1 seek=$((0x28)) conv=notrunc status=none
broken badcrc
copy badmedia; "$K1FW" bootinfo --media spinand -o nandinfo.bin >/dev/null
dd if=nandinfo.bin of=badmedia/emmc-boot0.img conv=notrunc status=none
broken badmedia
copy badfit; printf 'XXXX' | dd of=badfit/emmc-user.img bs=1 seek=$((2097152 + 0x3000)) conv=notrunc status=none
broken badfit
copy badsbi; printf 'XXXX' | dd of=badsbi/emmc-user.img bs=1 seek=$((1048576 + 0x10)) conv=notrunc status=none
broken badsbi
copy offset; dd if=/dev/zero of=offset/emmc-boot0.img bs=512 seek=1 count=1024 conv=notrunc status=none
dd if=rel/factory/FSBL.bin of=offset/emmc-boot0.img bs=512 seek=2 conv=notrunc status=none
broken offset
seeded_bytes 220000 big-spl >big_spl.bin
"$K1FW" fsbl --spl big_spl.bin --keys keys --spl-limit 0x40000 -o big_fsbl.bin >/dev/null
copy bigspl; dd if=big_fsbl.bin of=bigspl/emmc-boot0.img bs=512 seek=1 conv=notrunc status=none
broken bigspl
copy nogpt; dd if=/dev/zero of=nogpt/emmc-user.img bs=512 count=34 conv=notrunc status=none
sectors=$(($(stat -c %s nogpt/emmc-user.img) / 512))
dd if=/dev/zero of=nogpt/emmc-user.img bs=512 seek=$((sectors - 33)) count=33 conv=notrunc status=none
broken nogpt
copy nobootfs
python3 - rel/partition_universal.json >nobootfs.json <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); t["partitions"] = [p for p in t["partitions"] if p["name"] != "bootfs"]; print(json.dumps(t))
PY
start_emu nbf --board nobootfs
fastboot -s "tcp:127.0.0.1:$PORT" flash gpt nobootfs.json >/dev/null 2>&1
stop_emu
broken nobootfs
mkdir -p secure # a blank board: doctor --board of a missing folder is exit 2 (issue 12)
broken secure --rotpk-hash 0000000000000000000000000000000000000000000000000000000000000000
start_emu key --board good --download-key
sleep 0.3; stop_emu
"$K1FW" doctor --log key.out --json >k.json
[ "$(field k.json step)" = brom.download_key ] && ok "emulator console, download key held: brom.download_key" ||
	not_ok "download key: $(field k.json step)"
done_testing
