#!/bin/sh
# k1fw image -o BLOCKDEV, for real on loop devices: the card written in place
# equals the image file byte for byte, passes sfdisk --verify and e2fsck -fn
# on its file systems (also over stale bytes), stays a device node; a card
# that is mounted (itself or a partition), too small, or the disk holding /
# is refused before anything is written.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
LOOPS=
detach_all() { for l in $LOOPS; do losetup -d "$l" 2>/dev/null; done; }
trap 'umount "$T/mnt" 2>/dev/null; detach_all; rm -rf "$T"' EXIT INT TERM
if [ "$(id -u)" != 0 ] || ! command -v losetup >/dev/null || ! command -v mkfs.ext4 >/dev/null; then
	echo "# SKIP: needs root, losetup and mkfs.ext4 (loop devices)" >&2
	skip "loop devices unavailable: no block-device test"
	done_testing
	exit 0
fi
# attach FILE [OPTIONS]: a new loop device for FILE, remembered for cleanup
attach() { l=$(losetup -f --show "$@") && LOOPS="$LOOPS $l" && echo "$l"; }
detach() { losetup -d "$1"; LOOPS=$(echo "$LOOPS" | sed "s|$1||"); }

# real file systems, so that e2fsck has something to check
mkdir -p fs/boot/extlinux fs/root/etc
echo "label k1" >fs/boot/extlinux/extlinux.conf && echo k1 >fs/root/etc/hostname
mkfs.ext4 -q -F -d fs/boot bootfs.ext4 8M && mkfs.ext4 -q -F -d fs/root rootfs.ext4 24M
make_inputs
"$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin --uboot-bin u-boot-nodtb.bin \
	--dtb k1-x_deb1.dtb --env env.txt --bootfs bootfs.ext4 --rootfs rootfs.ext4 -o rel >/dev/null

# partition NAME DEV: "offset size" in bytes, from the GPT on DEV
partition() {
	sfdisk -J "$2" | python3 -c 'import json, sys
t = json.load(sys.stdin)["partitiontable"]
p = [p for p in t["partitions"] if p.get("name") == sys.argv[1]][0]
print(p["start"] * 512, p["size"] * 512)' "$1"
}
# fsck_parts DEV DESC: e2fsck -fn on bootfs and rootfs, each through a
# read-only loop device at the partition's offset (partition scanning of
# loop devices is not available everywhere)
fsck_parts() {
	for n in bootfs rootfs; do
		set -- $(partition $n "$dev") && p=$(attach -r -o "$1" --sizelimit "$2" "$dev") &&
			e2fsck -fn "$p" >"$T/fsck.$n" 2>&1
		frc=$?
		[ -n "$p" ] && detach "$p"
		[ "$frc" = 0 ] && ok "$desc: e2fsck -fn on $n passes" ||
			{ not_ok "$desc: e2fsck on $n (exit $frc)"; sed 's/^/#   /' "$T/fsck.$n" | head -5; }
	done
}

# ---- a blank 300 MiB card ----
truncate -s 300M card.bin
dev=$(attach card.bin) || { not_ok "losetup"; done_testing; exit 0; }
expect_rc 0 "image -o $dev writes the card" "$K1FW" image --bundle rel --media sd -o "$dev"
grep -q "written and read back" "$T/out" && ok "it says the card was read back" || not_ok "no read-back note"
[ -b "$dev" ] && ok "the device stays a device node" || not_ok "$dev is no longer a block device"
"$K1FW" image --bundle rel --media sd --size 300M -o card.img >/dev/null
cmp card.img "$dev" && ok "the card equals the image file (--size 300M) byte for byte" ||
	not_ok "the card differs from the image file"
sfdisk --verify "$dev" >"$T/sfdisk" 2>&1 && grep -q "No errors detected" "$T/sfdisk" &&
	ok "sfdisk --verify: the GPT spans the card" || { not_ok "sfdisk --verify"; sed 's/^/#   /' "$T/sfdisk"; }
desc="blank card" fsck_parts "$dev"
detach "$dev"

# ---- a card full of stale bytes: zeros where the image has them ----
python3 -c 'import random, sys
r = random.Random(12); block = bytes(r.getrandbits(8) for _ in range(1 << 20))
with open(sys.argv[1], "wb") as f:
    for _ in range(300): f.write(block)' stale.bin
dev=$(attach stale.bin)
expect_rc 0 "image over a card full of stale bytes" "$K1FW" image --bundle rel --media sd -o "$dev"
sfdisk --verify "$dev" >"$T/sfdisk" 2>&1 && grep -q "No errors detected" "$T/sfdisk" &&
	ok "stale card: sfdisk --verify" || { not_ok "stale card: sfdisk --verify"; sed 's/^/#   /' "$T/sfdisk"; }
desc="stale card" fsck_parts "$dev"
cmp -n 17408 card.img "$dev" && ok "stale card: the bootinfo sector and primary GPT equal the image's" ||
	not_ok "stale card: sector 0-33 differ"
tail -c 16896 card.img >want.tail && tail -c 16896 stale.bin >got.tail && cmp want.tail got.tail &&
	ok "stale card: the backup GPT at its end equals the image's" || not_ok "stale card: backup GPT differs"
# --size smaller than the card: the card's own stale backup GPT is zeroed
expect_rc 0 "--size 290M on the 300M card (with a warning)" \
	"$K1FW" image --bundle rel --media sd --size 290M -o "$dev"
grep -q "smaller than the device" "$T/err" && ok "the warning says Linux will not see its partitions" ||
	not_ok "no warning for a smaller --size"
python3 -c 'import sys; d = open(sys.argv[1], "rb").read()[-16896:]; sys.exit(any(d))' stale.bin &&
	ok "the card's own last 33 sectors (a stale backup GPT) are zeroed" || not_ok "stale backup GPT left"
detach "$dev"

# ---- refusals: nothing is written ----
truncate -s 100M small.bin
dev=$(attach small.bin)
expect_fail 2 "the device holds 104857600 bytes, the image needs" "a card smaller than the image is refused" \
	"$K1FW" image --bundle rel --media sd -o "$dev"
[ -z "$(tr -d '\0' <small.bin | head -c 1)" ] && ok "and nothing was written to it" || not_ok "the small card was written"
expect_fail 2 "a device: give --boot0 too" "--media emmc to a device needs --boot0" \
	"$K1FW" image --bundle rel --media emmc -o "$dev"
detach "$dev"
mkfs.ext4 -q -F whole.bin 40M && dev=$(attach whole.bin) && mkdir mnt && mount -o ro,noload "$dev" mnt &&
	before=$(sha256sum whole.bin) && {
	expect_fail 2 "$dev: is mounted at $T/mnt: unmount it first" "a mounted card is refused" \
		"$K1FW" image --bundle rel --media sd -o "$dev"
	[ "$(sha256sum whole.bin)" = "$before" ] && ok "and it is untouched" || not_ok "the mounted card changed"
	umount mnt
}
detach "$dev"
dev=$(attach card.bin)
set -- $(partition bootfs "$dev") && part=$(attach -o "$1" --sizelimit "$2" "$dev") && mount -o ro "$part" mnt && {
	expect_fail 2 "is mounted at $T/mnt" "a card one of whose partitions is mounted is refused" \
		"$K1FW" image --bundle rel --media sd -o "$dev"
	umount mnt
}
detach "$part"
detach "$dev"
# (the disk holding / is refused too: tests/unit/test_output.c asks, without writing)
done_testing
