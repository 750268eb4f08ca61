# k1fw flash on the vendor's U-Boot sandbox (issue 13 §2), sourced by
# test_vendor_board.sh once k1fw speaks UDP: the stage is found (U-Boot,
# nothing staged); --media emmc leaves the user area and boot0 the Debian
# client's vendor list left (GPT GUIDs aside) and env.bin on the disk;
# --media auto reads this board's getvar answers (blk-size "universal",
# mtd-size "NULL"); an env.bin the vendor takes for gzip is sent as an
# Android sparse image and lands; an FSBL over the bootinfo limit U-Boot
# writes is refused before anything is sent, naming both limits.

# restart_board DISK: the sandbox again, on a fresh eMMC
restart_board() {
	stop_board
	mkdir -p "$(dirname "$1")"
	setsid "$SANDBOX/board.sh" -p "$BPORT" "$1" >vb2.log 2>&1 &
	BPID=$!
	up_wait "$B"
}
# generous: the sandbox and this machine may be slow
kflash() { kb=$1; shift; "$K1FW" flash --bundle "$kb" -s "$B" --no-reboot --timeout 180 --io-timeout 300 "$@"; }

took "k1fw flash --media emmc"
restart_board "$T/kb/disk.img"
run kflash $R --media emmc
[ "$rc" = 0 ] && ok "k1fw flash -s udp: --media emmc on the vendor board" ||
	{ not_ok "k1fw flash on the vendor board (exit $rc)"; sed 's/^/#   /' "$T/err" | tail -5; }
grep -q "the board is in u-boot" "$T/out" && ok "flash finds the board in U-Boot" || not_ok "stage (u-boot)"
grep -q "^stage " "$T/out" && not_ok "something was staged in U-Boot" || ok "nothing staged in U-Boot"
grep -q "note: fsbl: unverified" "$T/out" && ok "fsbl's OKAY is reported unverified" || not_ok "fsbl note"
grep -q "note: env: env.bin written raw and read back" "$T/out" && ok "env: reported written and read back" ||
	not_ok "env note"
for r in "kb/disk.img vendor1.img --gpt user-area" "kb/disk.img.boot@0+4194304 vendor1.boot@0+4194304 - boot0"; do
	set -- $r
	[ "$3" = - ] && set -- "$1" "$2" "" "$4"
	# shellcheck disable=SC2086
	if $VDISK diff "$1" "$2" $3 >vd.txt; then ok "k1fw flash: the $4 Debian fastboot's vendor list left"
	else not_ok "k1fw flash: $4 differs from the vendor list's"; sed 's/^/#   /' vd.txt | head -5; fi
done
$VDISK diff kb/disk.img@393216+16384 $R/env.bin >/dev/null && ok "env.bin is on the disk at 0x60000 after k1fw flash" ||
	not_ok "env.bin not on the disk"

took "--media auto"
run kflash $R --media auto --only gpt,env
[ "$rc" = 0 ] && grep -q "media emmc (mtd-size 0 MiB, block device yes)" "$T/out" &&
	ok "--media auto: blk-size universal, mtd-size NULL: eMMC" || { not_ok "--media auto (exit $rc)"; grep media "$T/out"; }
$VDISK diff kb/disk.img@393216+16384 $R/env.bin >/dev/null && ok "gpt then env: env.bin on the disk" ||
	not_ok "env after gpt,env"
run kflash $R --only gpt
grep -q "note: gpt: vendor U-Boot zeroes the env area" "$T/out" && grep -q "env.bin is not on the board's disk" "$T/err" &&
	ok "--only gpt: k1fw says the env area is now zeroed and what to do" || not_ok "gpt without env: no warning"

took "the gzip trap"
gzip_lookalike_release $R trap
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(4); sys.exit(not (d[2] == 8 and not d[3] & 0xE0))' trap/env.bin &&
	ok "a release whose env.bin looks like gzip to U-Boot (byte 2 = 8)" || not_ok "no gzip-looking env.bin"
fastboot -s "$B" flash env trap/env.bin >fbtrap.txt 2>&1
grep -q "unzip gzip data fail" fbtrap.txt && ok "sent raw (Debian fastboot), the vendor fails it: unzip gzip data fail" ||
	{ not_ok "Debian fastboot flash env of the gzip-looking env.bin"; tail -2 fbtrap.txt | sed 's/^/#   /'; }
run kflash trap --only env
[ "$rc" = 0 ] && grep -q "note: env: unverified: sent as an Android sparse image" "$T/out" &&
	ok "k1fw sends it as an Android sparse image and says it is unverified" ||
	{ not_ok "k1fw flash of the gzip-looking env.bin (exit $rc)"; tail -3 "$T/err" "$T/out" | sed 's/^/#   /'; }
$VDISK diff kb/disk.img@393216+16384 trap/env.bin >/dev/null && ok "... and it is on the disk" || not_ok "trap env.bin not on disk"

took "FSBL over 0x32100"
seeded_bytes $((0x31800)) big_spl >big_spl.bin
"$K1FW" fsbl --spl big_spl.bin --keys in/keys -o bigfsbl.bin >/dev/null 2>&1
cp -a $R bigfsbl && cp bigfsbl.bin bigfsbl/factory/FSBL.bin && resum bigfsbl
n=$(stat -c %s bigfsbl.bin)
[ "$n" -gt $((0x32100)) ] && [ "$n" -le $((0x36000)) ] && ok "an FSBL.bin of 0x$(printf %x "$n") bytes: within 0x36000, over 0x32100" ||
	not_ok "big FSBL size $n"
cp --sparse=always kb/disk.img before.img
expect_fail 2 "over spl_size_limit 0x32100 of the eMMC bootinfo.*0x36000" \
	"k1fw refuses it before flashing, naming both limits" kflash bigfsbl --media emmc
cmp -s before.img kb/disk.img && ok "nothing was written" || not_ok "the refused flash wrote"
run kflash bigfsbl --media emmc --only fsbl --emmc-spl-limit 0x36000
[ "$rc" = 0 ] && ok "--emmc-spl-limit 0x36000 lets it through (a U-Boot that writes 0x36000)" || not_ok "--emmc-spl-limit"
