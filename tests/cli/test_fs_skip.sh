#!/bin/sh
# Filesystem-aware sparse (issue 18): a 64 MiB ext4 rootfs made with
# mkfs.ext4 -d, whose junk/ files were then deleted with debugfs (their
# blocks free but not zero). k1fw flash into `k1fw emulate` sends only the
# blocks the bitmap marks in use; k1fw image leaves the free ones out of the
# raw image, the Android sparse image and the bmap. Each result is checked
# the way a user would: e2fsck -fn clean and every kept file identical
# (debugfs rdump), through simg2img and bmaptool for the image outputs.
. "$(dirname "$0")/lib.sh"
t0=$(date +%s); stamp() { echo "# $(($(date +%s) - t0)) s: $*" >&2; }
cd "$T" || exit 2
need_tools "filesystem-aware sparse tests" \
	"e2fsprogs, fastboot, android-sdk-libsparse-utils, bmap-tools, fdisk" \
	mkfs.ext4 debugfs e2fsck fastboot simg2img bmaptool sfdisk
. "$TOP/tests/cli/emu.sh"

# ---- the rootfs: 8 MiB kept, 24 MiB written then deleted ----
mkdir -p src/keep/sub src/junk
for i in 1 2 3 4 5 6 7; do seeded_bytes $((i * 200000)) "keep$i" >src/keep/f$i; done
seeded_bytes 1 tiny >src/keep/sub/tiny
printf 'hello\n' >src/keep/sub/hello.txt
ln -s f1 src/keep/link
for i in 1 2 3 4 5 6; do seeded_bytes 4194304 "junk$i" >src/junk/j$i; done
. "$TOP/tests/cli/extfs.sh"
rootfs_release 64M

# check_fs FS WHAT: check_files against src, and the deleted files stay deleted
check_fs() {
	check_files "$1" src "$2"
	debugfs -R "ls /junk" "$1" >"$1.junk" 2>&1
	grep -q '^ *[0-9]' "$1.junk" && ! grep -q 'j[1-6]' "$1.junk" &&
		ok "$2: the deleted files stay deleted" || not_ok "$2: /junk is not as left"
}
# rootfs_bytes EVENTS: bytes sent for rootfs (--json END events, all pieces)
rootfs_bytes() {
	python3 -c 'import json,sys
print(sum(e.get("bytes",0) for e in map(json.loads,open(sys.argv[1])) if e.get("event")=="end" and e.get("partition")=="rootfs"))' "$1"
}

stamp "dry-run"
# ---- --dry-run: the bytes to send and why ----
expect_rc 0 "flash --dry-run" "$K1FW" flash --bundle rel --dry-run
grep -q "^# rootfs: $IMG bytes, [0-9]* to send (ext4: .*free blocks not sent" out &&
	ok "--dry-run gives rootfs's size, its bytes to send and why" ||
	{ not_ok "--dry-run rootfs line"; grep rootfs out | sed 's/^/#   /'; }
DRY=$(sed -n "s/^# rootfs: $IMG bytes, \([0-9]*\) to send.*/\1/p" out)
expect_rc 0 "flash --dry-run --no-fs-skip" "$K1FW" flash --bundle rel --dry-run --no-fs-skip
grep -q "^# rootfs: $IMG bytes, $IMG to send (raw (--no-fs-skip))" out &&
	ok "--no-fs-skip: the dry run sends rootfs whole" || { not_ok "--no-fs-skip dry run"; grep rootfs out; }

stamp "k1fw flash into"
# ---- k1fw flash into the emulator, with and without --no-fs-skip ----
for mode in skip full; do
	mkdir "$mode"
	start_emu "$mode" --board "$mode" --exit-after-boot --max-download-size 4M
	opt=; [ $mode = full ] && opt=--no-fs-skip
	"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 30 --io-timeout 120 --json $opt \
		>"$mode.json" 2>"$mode.err" && ok "k1fw flash${opt:+ $opt} into the emulator" ||
		{ not_ok "k1fw flash $opt"; tail -3 "$mode.err" | sed 's/^/#   /'; }
	stamp "flashed $mode"
	wait_emu
	stamp "emulator exited"
	part "$mode/emmc-user.img" rootfs "$mode.rootfs"
	check_fs "$mode.rootfs" "flash${opt:+ $opt}"
done
SKIP_B=$(rootfs_bytes skip.json) FULL_B=$(rootfs_bytes full.json)
echo "# rootfs on the wire: $SKIP_B bytes with the bitmap, $FULL_B with --no-fs-skip (image $IMG)"
[ "$SKIP_B" -gt 0 ] && [ $((SKIP_B + 20 * 1048576)) -lt "$FULL_B" ] &&
	ok "the free blocks (24 MiB deleted) are not sent: $SKIP_B < $FULL_B - 20 MiB" ||
	not_ok "bytes sent: $SKIP_B with the bitmap, $FULL_B without"
[ -n "$DRY" ] && [ "$SKIP_B" -ge "$DRY" ] && [ "$SKIP_B" -lt $((DRY + 65536)) ] &&
	ok "--dry-run's estimate ($DRY) is what went, plus the pieces' headers" ||
	not_ok "dry run said $DRY, $SKIP_B went"
grep '"event":"begin"' skip.json | grep '"partition":"rootfs"' | grep -q '"image_bytes":'"$IMG"'.*"why":"ext4' &&
	ok "--json: rootfs's begin event carries its size, bytes to send and why" ||
	{ not_ok "begin event"; grep '"begin"' skip.json | grep rootfs | sed 's/^/#   /'; }

stamp "a rootfs that does not match SHA256SUMS"
# ---- the big files' SHA-256 is checked while they are sent: a rootfs that
# does not match goes to the board's RAM, never to its eMMC ----
grep -q 'SHA256SUMS: [0-9]* files match, 1 more checked while they are sent' skip.json &&
	ok "the 64 MiB rootfs is hashed while the flash runs (the verified event says so)" ||
	{ not_ok "verified event"; grep SHA256SUMS skip.json | sed 's/^/#   /'; }
cp -r rel bad
printf 'X' | dd of=bad/rootfs.ext4 bs=1 seek=$((IMG / 2)) conv=notrunc 2>/dev/null
mkdir badb
start_emu badb --board badb --max-download-size 4M
expect_rc 2 "flash of a release whose rootfs does not match SHA256SUMS" \
	"$K1FW" flash --bundle bad -s "tcp:127.0.0.1:$PORT" --timeout 30 --no-reboot
grep -q "^k1fw: rootfs: not flashed (the board's rootfs is as it was): .*bad/rootfs.ext4: SHA-256 expected .* (SHA256SUMS), found " err &&
	ok "it names the file, the expected and found SHA-256, and that rootfs was not written" ||
	{ not_ok "mismatch message"; sed 's/^/#   /' err; }
grep -q '\] flash:bootfs' badb.log && ! grep -q '\] flash:rootfs' badb.log &&
	ok "the board got every other partition and no flash:rootfs" ||
	{ not_ok "emulator log"; grep '\] flash:' badb.log | sed 's/^/#   /'; }
stop_emu
start_emu badc --board badb --uboot-only --max-download-size 4M
expect_rc 2 "--only bootfs of that release: it still does not verify" \
	"$K1FW" flash --bundle bad --only bootfs -s "tcp:127.0.0.1:$PORT" --timeout 30 --no-reboot
grep -q "^k1fw: the release does not verify (nothing of that file was written): .*bad/rootfs.ext4: SHA-256 expected" err &&
	ok "a big file --only leaves out is checked too, and named" || { not_ok "--only message"; sed 's/^/#   /' err; }
stop_emu

stamp "the Debian fastboot"
# ---- the Debian fastboot client on the same image (the peer): the same files ----
mkdir fb
start_emu fbb --board fb --max-download-size 4M
fb stage rel/factory/FSBL.bin && fb continue && wait_up && fb stage rel/u-boot.itb && fb continue && wait_up &&
	fb flash gpt rel/partition_universal.json && fb flash rootfs rel/rootfs.ext4 &&
	ok "Debian fastboot flashes the same rootfs" || { not_ok "Debian fastboot"; tail -5 fb.log; }
stop_emu
part fb/emmc-user.img rootfs fb.rootfs
mkdir fb.rootfs.d && debugfs -R "rdump /keep fb.rootfs.d" fb.rootfs >/dev/null 2>&1
diff -r fb.rootfs.d/keep skip.rootfs.d/keep >/dev/null 2>&1 &&
	ok "k1fw's board holds the files fastboot's holds" || not_ok "k1fw and fastboot boards differ in files"

stamp "k1fw image:"
# ---- k1fw image: the raw image, Android sparse (simg2img) and bmap (bmaptool) ----
for mode in skip full; do
	opt=; [ $mode = full ] && opt=--no-fs-skip
	expect_rc 0 "k1fw image${opt:+ $opt} --android-sparse --bmap" "$K1FW" image --bundle rel --media sd \
		-o "$mode.sd" --android-sparse "$mode.simg" --bmap "$mode.bmap" --json $opt
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["written"]["data_bytes"])' out \
		>"$mode.data" 2>/dev/null || echo 0 >"$mode.data"
done
SD_SKIP=$(cat skip.data) SD_FULL=$(cat full.data)
echo "# SD image data: $SD_SKIP bytes with the bitmap, $SD_FULL with --no-fs-skip"
[ "$SD_SKIP" -gt 0 ] && [ $((SD_SKIP + 20 * 1048576)) -lt "$SD_FULL" ] &&
	ok "k1fw image copies no free blocks: $SD_SKIP bytes of data < $SD_FULL - 20 MiB" ||
	not_ok "image data: $SD_SKIP with the bitmap, $SD_FULL without"
[ "$(stat -c %s skip.simg)" -lt $(($(stat -c %s full.simg) - 20 * 1048576)) ] &&
	ok "the Android sparse image shrinks by the free blocks" || not_ok "sparse image sizes"
stamp "part skip.sd rootfs"
part skip.sd rootfs sd.rootfs
check_fs sd.rootfs "image raw"
stamp "simg2img skip.simg"
simg2img skip.simg simg.raw && ok "simg2img reads the Android sparse image" || not_ok "simg2img"
part simg.raw rootfs simg.rootfs
check_fs simg.rootfs "image --android-sparse (simg2img)"
stamp "bmaptool over"
# bmaptool over a card full of other bytes: the unmapped blocks keep them
python3 -c 'import sys; open(sys.argv[1],"wb").write(b"\xa5" * int(sys.argv[2]))' card.img "$(stat -c %s skip.sd)"
bmaptool copy --bmap skip.bmap skip.sd card.img >bmaptool.log 2>&1 && ok "bmaptool copy with the bmap" ||
	{ not_ok "bmaptool copy"; tail -3 bmaptool.log | sed 's/^/#   /'; }
stamp "part card.img"
part card.img rootfs card.rootfs
check_fs card.rootfs "image --bmap (bmaptool onto a used card)"
done_testing
