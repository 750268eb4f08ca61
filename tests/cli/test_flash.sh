#!/bin/sh
# k1fw flash against a fake fastboot device on the TCP transport
# (tests/cli/fake_fastboot.py), compared with the Debian fastboot client
# running the vendor command list (spec §6) against the same fake.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
FAKE="$TOP/tests/cli/fake_fastboot.py"

need_tools "flash tests" "python3, device-tree-compiler" python3 dtc

# ---- a bundle from synthetic inputs (make_inputs in lib.sh) ----
seeded_bytes 3145728 bootfs >bootfs.ext4
# an 8 MiB root file system with holes, so libsparse has DONT_CARE to find
python3 -c "
from seeded import seeded_bytes
with open('rootfs.ext4', 'wb') as f:
    for i in range(8):
        f.write(seeded_bytes(300000, f'rootfs{i}') + bytes(1048576 - 300000))
"
make_inputs
SOURCE_DATE_EPOCH=1700000000 "$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
	--uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb --env env.txt --bootfs bootfs.ext4 \
	--rootfs rootfs.ext4 -o rel >/dev/null || { not_ok "bundle for the flash tests"; done_testing; exit 1; }

# ---- the fake device ----
FAKES=""
trap 'for p in $FAKES; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
# start_fake NAME ARGS...: a fake in $T/NAME; its port in $PORT
start_fake() {
	name=$1; shift
	rm -rf "$name"; mkdir -p "$name"
	python3 "$FAKE" --log "$name/log" --port-file "$name/port" "$@" >"$name/out" 2>&1 &
	FAKES="$FAKES $!"
	i=0; while [ ! -s "$name/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$name/port")
}
# the commands that move bytes or state (getvar probes differ between clients)
actions() { grep -v -e '^getvar:' -e '^#' "$1/log/commands.txt"; }
same_payloads() { # A B DESC: every dl-NNN.bin identical, same count
	na=$(ls "$1/log" | grep -c '^dl-'); nb=$(ls "$2/log" | grep -c '^dl-')
	bad=0
	for f in "$1"/log/dl-*.bin; do cmp -s "$f" "$2/log/$(basename "$f")" || bad=1; done
	if [ "$na" -eq "$nb" ] && [ "$na" -gt 0 ] && [ $bad -eq 0 ]; then ok "$3 ($na payloads)"; else
		not_ok "$3 ($na vs $nb payloads, differ=$bad)"; fi
}

# ---- dry run = the vendor command list of spec §6 (research §8.5) ----
cat >want_dry <<'EOF'
fastboot stage factory/FSBL.bin
fastboot continue
sleep 1
fastboot stage u-boot.itb
fastboot continue
fastboot flash gpt partition_universal.json
fastboot flash bootinfo factory/bootinfo_emmc.bin
fastboot flash fsbl factory/FSBL.bin
fastboot flash env env.bin
fastboot flash opensbi fw_dynamic.itb
fastboot flash uboot u-boot.itb
fastboot flash bootfs bootfs.ext4
fastboot flash rootfs rootfs.ext4
EOF
# the plan's "# PART: N bytes, M to send (why)" comments aside
nobytes() { grep -v '^# [A-Za-z0-9_.-]*: '; }
(cd rel && "$K1FW" flash --bundle . --dry-run --media emmc --no-reboot) >dry.all 2>dry.err
nobytes <dry.all >dry
[ "$(grep -c '^# [a-z]*: [0-9]* bytes, [0-9]* to send (' dry.all)" = "$(grep -c ' flash [a-z]* ' dry | awk '{ print $1 - 1 }')" ] &&
	ok "--dry-run: before each partition's flash, its size, bytes to send and why" ||
	{ not_ok "--dry-run bytes comments"; grep '^#' dry.all | sed 's/^/#   /'; }
diff -u want_dry dry >dry.diff && ok "--dry-run prints the vendor eMMC command list" ||
	{ not_ok "--dry-run differs from the vendor list"; sed 's/^/#   /' dry.diff | head -20; }
cat >want_nor <<'EOF'
fastboot -s tcp:10.0.0.2:5554 flash mtd rel/partition_2M.json
fastboot -s tcp:10.0.0.2:5554 flash bootinfo rel/factory/bootinfo_spinor.bin
fastboot -s tcp:10.0.0.2:5554 flash fsbl rel/factory/FSBL.bin
fastboot -s tcp:10.0.0.2:5554 flash env rel/env.bin
fastboot -s tcp:10.0.0.2:5554 flash opensbi rel/fw_dynamic.itb
fastboot -s tcp:10.0.0.2:5554 flash uboot rel/u-boot.itb
fastboot -s tcp:10.0.0.2:5554 flash gpt rel/partition_universal.json
fastboot -s tcp:10.0.0.2:5554 flash bootfs rel/bootfs.ext4
fastboot -s tcp:10.0.0.2:5554 flash rootfs rel/rootfs.ext4
fastboot -s tcp:10.0.0.2:5554 reboot
EOF
"$K1FW" flash --bundle rel --dry-run --media spinor -s tcp:10.0.0.2:5554 | nobytes | tail -n +6 >dry_nor
diff -u want_nor dry_nor >/dev/null && ok "--dry-run --media spinor: the vendor NOR+block list" ||
	{ not_ok "NOR dry run"; diff -u want_nor dry_nor | sed 's/^/#   /' | head; }

# ---- the real Debian fastboot client validates the fake ----
if command -v fastboot >/dev/null; then
	start_fake fbcheck
	run fastboot -s "tcp:127.0.0.1:$PORT" getvar version-brom
	grep -q "version-brom: 1.0" "$T/err" && ok "Debian fastboot reads the fake's getvar over TCP" ||
		not_ok "Debian fastboot against the fake (rc $rc)"
fi

# ---- a full flash; then the vendor list through Debian fastboot; same bytes ----
start_fake k1
expect_rc 0 "k1fw flash from the BootROM stage over TCP" "$K1FW" flash --bundle rel \
	-s "tcp:127.0.0.1:$PORT" --no-reboot
grep -q "the board is in brom" "$T/out" && grep -q "the board is in u-boot" "$T/out" &&
	ok "stages found: brom, then u-boot after staging" || not_ok "stage detection"
actions k1 | head -4 >got_head
[ "$(sed -n 1p got_head)" = "download:$(printf %08x "$(stat -c %s rel/factory/FSBL.bin)")" ] &&
	[ "$(sed -n 2p got_head)" = continue ] && [ "$(sed -n 4p got_head)" = continue ] &&
	ok "FSBL staged, continue, U-Boot staged, continue" || not_ok "staging order"

if command -v fastboot >/dev/null; then
	start_fake deb
	fb() { fastboot -s "tcp:127.0.0.1:$PORT" "$@" >>"$T/fastboot.out" 2>&1; }
	(
		cd rel || exit 1
		fb stage factory/FSBL.bin && fb continue && sleep 1 &&
			fb stage u-boot.itb && fb continue && sleep 1 &&
			fb flash gpt partition_universal.json && fb flash bootinfo factory/bootinfo_emmc.bin &&
			fb flash fsbl factory/FSBL.bin && fb flash env env.bin &&
			fb flash opensbi fw_dynamic.itb && fb flash uboot u-boot.itb &&
			fb flash bootfs bootfs.ext4 && fb flash rootfs rootfs.ext4
	) && ok "Debian fastboot runs the vendor list against the fake" ||
		{ not_ok "Debian fastboot vendor list"; tail -5 "$T/fastboot.out" | sed 's/^/#   /'; }
	if actions k1 >a1 && actions deb >a2 && cmp -s a1 a2; then
		ok "same commands as Debian fastboot (getvar probes aside)"
	else
		not_ok "commands differ from Debian fastboot"; diff a1 a2 | sed 's/^/#   /' | head
	fi
	same_payloads k1 deb "byte-identical payloads to Debian fastboot"

	# ---- images over max-download-size: libsparse pieces, as fastboot sends them ----
	start_fake k1s --stage uboot --max-download-size 0x100000
	expect_rc 0 "k1fw flash with max-download-size 1 MiB" "$K1FW" flash --bundle rel \
		-s "tcp:127.0.0.1:$PORT" --no-reboot --only bootfs,rootfs
	start_fake debs --stage uboot --max-download-size 0x100000
	(cd rel && fb flash bootfs bootfs.ext4 && fb flash rootfs rootfs.ext4) ||
		not_ok "Debian fastboot sparse flash"
	actions k1s >a1; actions debs >a2
	n=$(grep -c '^flash:rootfs' a1)
	if [ "$n" -gt 1 ] && cmp -s a1 a2; then ok "rootfs sent as $n sparse pieces, as Debian fastboot does"; else
		not_ok "sparse pieces ($n flash:rootfs; commands equal: $(cmp -s a1 a2 && echo yes || echo no))"; fi
	same_payloads k1s debs "sparse pieces byte-identical to Debian fastboot's"
else
	skip "Debian fastboot not installed: client comparison"
fi

# libsparse cannot split a raw image that is not whole 4 KiB blocks: refused, not sent broken
seeded_bytes 3000000 odd >odd.img
start_fake odd --stage uboot --max-download-size 0x100000
expect_fail 2 "not a multiple of 4096: libsparse would send broken pieces" \
	"an image to split must be whole 4 KiB blocks" "$K1FW" fastboot -s "tcp:127.0.0.1:$PORT" flash bootfs odd.img
[ "$(grep -c '^download' odd/log/commands.txt)" -eq 0 ] && ok "nothing was sent" || not_ok "bytes were sent"

# reassemble the pieces with simg2img: they must give the image back
start_fake sp --stage uboot --max-download-size 0x100000
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --no-reboot --only rootfs >/dev/null 2>&1
if command -v simg2img >/dev/null; then
	# shellcheck disable=SC2046
	simg2img $(ls sp/log/dl-*.bin) rootfs.back 2>/dev/null
	same_file rootfs.back rel/rootfs.ext4 "simg2img of the sparse pieces gives rootfs.ext4 back"
else
	skip "simg2img missing"
fi
"$K1FW" verify sp/log/dl-001.bin >/dev/null && ok "each piece verifies as Android sparse" ||
	not_ok "piece 1 does not verify"

# ---- the board goes away mid-rootfs: loud, names rootfs and the bytes, resumable ----
start_fake drop --drop-download-over 4000000
run "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --no-reboot
[ "$rc" -eq 1 ] && ok "a board lost mid-transfer: exit 1" || not_ok "lost board: exit $rc"
grep -q "rootfs: the board went away after [0-9]* bytes sent" "$T/err" &&
	ok "the error names rootfs and the bytes sent" || { not_ok "error message"; sed 's/^/#   /' "$T/err"; }
grep -q "resume with: k1fw flash --bundle rel -s tcp:127.0.0.1:$PORT --only rootfs --no-reboot" "$T/err" &&
	ok "the resume command is printed" || not_ok "resume command"
expect_rc 0 "--only rootfs completes the flash" "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" \
	--only rootfs --no-reboot
last=$(ls drop/log/dl-*.bin | tail -1)
same_file "$last" rel/rootfs.ext4 "the resumed rootfs arrived whole"
[ "$(grep -v '^#' drop/log/commands.txt | grep -v '^getvar' | tail -2 | tr '\n' ' ')" = "download:00800000 flash:rootfs " ] &&
	ok "the rerun sends rootfs only" || not_ok "rerun commands"

# ---- FAIL replies verbatim ----
start_fake fail --stage uboot --fail "flash:env=env import failed: bad CRC"
run "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --no-reboot
[ "$rc" -eq 1 ] && grep -q "flash:env: FAILED (remote: 'env import failed: bad CRC')" "$T/err" &&
	grep -q -- "--only env,opensbi,uboot,bootfs,rootfs" "$T/err" &&
	ok "a FAIL reply is shown verbatim, with the resume list" || { not_ok "FAIL reply"; sed 's/^/#   /' "$T/err"; }

# ---- a board already in U-Boot is not staged; JSON events ----
start_fake ub --stage uboot
run "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --json
if [ "$rc" -eq 0 ] && python3 -c "
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e['event'] for e in ev]
assert kinds[-1] == 'done', kinds[-1]
assert any(e['event'] == 'skip' and e['partition'] == 'fsbl' for e in ev)
assert any(e['event'] == 'end' and e.get('partition') == 'rootfs' and e['bytes'] == 8388608 for e in ev)
assert any(e['event'] == 'connected' and e['stage'] == 'u-boot' for e in ev)
" "$T/out"; then ok "--json: one event a line; staging skipped in U-Boot; done"; else
	not_ok "--json events (rc $rc)"; head -3 "$T/out" | sed 's/^/#   /'; fi
[ "$(grep -v '^getvar' ub/log/commands.txt | sed -n 2p)" = "flash:gpt" ] &&
	ok "in U-Boot the table comes first, nothing staged" || not_ok "U-Boot start: first commands"
[ "$(tail -1 ub/log/commands.txt)" = reboot ] && ok "reboot at the end unless --no-reboot" || not_ok "reboot"

# ---- two boards in parallel ----
start_fake par1 --stage brom; P1=$PORT
start_fake par2 --stage spl; P2=$PORT
expect_rc 0 "two boards flashed in parallel (-s twice)" "$K1FW" flash --bundle rel \
	-s "tcp:127.0.0.1:$P1" -s "tcp:127.0.0.1:$P2" --no-reboot
grep -q "tcp:127.0.0.1:$P1 *done" "$T/out" && grep -q "tcp:127.0.0.1:$P2 *done" "$T/out" &&
	ok "one status line per board" || { not_ok "status lines"; sed 's/^/#   /' "$T/out" | tail -4; }
same_payloads par1 k1 "board 1 got what a single flash sends"
[ "$(grep -c '^continue' par2/log/commands.txt)" -eq 1 ] && ok "the board in SPL got U-Boot only" ||
	not_ok "SPL board staging"

# ---- a vendor release as a zip (one top folder, as published) ----
if command -v zip >/dev/null; then
	zip -qr rel.zip rel
	start_fake z --stage brom
	mkdir tmpz
	expect_rc 0 "k1fw flash --bundle RELEASE.zip" env TMPDIR="$T/tmpz" "$K1FW" flash --bundle rel.zip \
		-s "tcp:127.0.0.1:$PORT" --no-reboot
	same_payloads z k1 "the zip flashes the same bytes as the folder"
	[ -z "$(ls tmpz)" ] && ok "the unpacked folder is removed afterwards" || not_ok "left in TMPDIR: $(ls tmpz)"
	(cd rel && zip -qr ../flat.zip .)
	"$K1FW" flash --bundle flat.zip --dry-run --media emmc --no-reboot | nobytes >dryz
	head -1 dryz | grep -q "^# unzip flat.zip" && tail -n +2 dryz | diff -q - want_dry >/dev/null &&
		ok "--dry-run of a zip: the vendor list, relative to the unpacked folder" || not_ok "zip dry run"
	python3 -c "
import zipfile
with zipfile.ZipFile('evil.zip', 'w') as z:
    z.writestr('factory/FSBL.bin', b'x')
    z.writestr('../evil', b'x')
"
	expect_fail 2 "unsafe name \"../evil\"" "a zip entry with .. is refused" "$K1FW" flash --bundle evil.zip --dry-run
	[ ! -e evil ] && ok "nothing written outside" || not_ok "../evil was written"
	python3 -c "
import zipfile
with zipfile.ZipFile('nofsbl.zip', 'w') as z:
    z.writestr('readme.txt', b'x')
"
	expect_fail 2 "no factory/FSBL.bin in the zip" "a zip that is not a release" "$K1FW" flash --bundle nofsbl.zip --dry-run
else
	skip "zip missing: release zip tests"
fi

# ---- k1fw fastboot primitives and k1fw devices ----
start_fake prim --stage brom
S="tcp:127.0.0.1:$PORT"
run "$K1FW" fastboot -s "$S" getvar version-brom
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "version-brom: 1.0" ] && ok "fastboot getvar" || not_ok "fastboot getvar ($rc)"
run "$K1FW" devices -s "$S"
grep -q "^$S *brom" "$T/out" && ok "devices probes a TCP board and names its stage" || not_ok "devices -s tcp"
expect_rc 0 "fastboot stage" "$K1FW" fastboot -s "$S" stage rel/factory/FSBL.bin
expect_rc 0 "fastboot continue" "$K1FW" fastboot -s "$S" continue
run "$K1FW" fastboot -s "$S" stage-of
[ "$(cat "$T/out")" = spl ] && ok "fastboot stage-of waits for the board and says spl" || not_ok "stage-of: $(cat "$T/out")"
"$K1FW" fastboot -s "$S" stage rel/u-boot.itb && "$K1FW" fastboot -s "$S" continue
expect_rc 0 "fastboot flash" "$K1FW" fastboot -s "$S" flash env rel/env.bin
grep -q "(bootloader) writing 'env'" "$T/err" && ok "INFO lines shown as (bootloader)" || not_ok "INFO lines"
expect_rc 0 "fastboot erase" "$K1FW" fastboot -s "$S" erase rootfs
run "$K1FW" fastboot -s "$S" getvar nosuch
[ "$rc" -eq 1 ] && grep -q "getvar:nosuch: FAILED (remote: 'Variable not implemented')" "$T/err" &&
	ok "fastboot: FAIL shown verbatim, exit 1" || not_ok "fastboot FAIL ($rc)"
cmp -s prim/log/dl-003.bin rel/env.bin && ok "fastboot flash sent env.bin" || not_ok "fastboot flash payload"
expect_fail 2 "unknown fastboot command" "fastboot: unknown command" "$K1FW" fastboot -s "$S" frobnicate
expect_fail 2 "flash: expected PART FILE" "fastboot flash needs two words" "$K1FW" fastboot -s "$S" flash env

# ---- timeouts and bad input: one line, exit 2 (input) or 1 (board) ----
start_fake hang --stage uboot --hang "flash:rootfs"
run "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --only rootfs --io-timeout 1
[ "$rc" -eq 1 ] && grep -q "rootfs: flash:rootfs: .*no answer within 1000 ms" "$T/err" &&
	ok "--io-timeout: a silent board is an error naming the step" || { not_ok "io timeout ($rc)"; sed 's/^/#   /' "$T/err"; }
run "$K1FW" flash --bundle rel -s tcp:127.0.0.1:1 --timeout 0.5
[ "$rc" -eq 1 ] && grep -q "no board within" "$T/err" && ok "--timeout: no board, no endless wait" ||
	not_ok "wait timeout ($rc)"
expect_fail 2 "missing --bundle" "--bundle is required" "$K1FW" flash
expect_fail 2 "not a release folder" "a missing folder" "$K1FW" flash --bundle nowhere --dry-run
expect_fail 2 "SD cards cannot be flashed" "--media sd refused" "$K1FW" flash --bundle rel --media sd
expect_fail 2 "expected usb, usb:PORTPATH, tcp:HOST\[:PORT\] or udp:HOST\[:PORT\]" "bad -s" "$K1FW" flash --bundle rel -s serial0
expect_fail 2 "expected a USB port path" "bad port path" "$K1FW" flash --bundle rel -s usb:abc
expect_fail 2 "only nosuch: not a partition" "--only names a partition that has no image" \
	"$K1FW" flash --bundle rel --dry-run --only rootfs,nosuch
expect_fail 2 "expected seconds" "bad --timeout" "$K1FW" flash --bundle rel --timeout x
cp -r rel bad1 && rm bad1/SHA256SUMS && rm bad1/factory/bootinfo_emmc.bin
expect_fail 2 "is a bootinfo for sd, not for emmc: refusing" "a bootinfo for the wrong media is refused" \
	"$K1FW" flash --bundle bad1 --media emmc --dry-run
cp rel/factory/bootinfo_spinor.bin bad1/factory/bootinfo_emmc.bin
expect_fail 2 "is not a emmc bootinfo" "a mislabelled bootinfo fails verification" \
	"$K1FW" flash --bundle bad1 --dry-run
cp -r rel bad2 && printf x >>bad2/rootfs.ext4
expect_fail 2 "SHA-256 expected" "a file changed since the bundle was made" "$K1FW" flash --bundle bad2 --dry-run
cp -r rel bad3 && rm bad3/SHA256SUMS && printf 'xx' | dd of=bad3/u-boot.itb bs=1 seek=200 conv=notrunc 2>/dev/null
expect_fail 2 "u-boot.itb" "a damaged u-boot.itb is refused before anything is sent" \
	"$K1FW" flash --bundle bad3 --dry-run

done_testing
