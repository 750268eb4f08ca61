#!/bin/sh
# Seed corpus for every fuzz target: artefacts k1fw itself makes from
# synthetic inputs (a whole bundle, a GPT disk image, an Android sparse
# image, recipes), the committed regression inputs, and the vendor's golden
# files and recipes when they are present. Usage: fuzz/seeds.sh K1FW OUTDIR
set -eu
k1fw=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mkdir -p "$2"
out=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
vendor="${K1FW_VENDOR_DIR:-$top/../shared/vendor}"
mkdir -p "$out"
work=$(mktemp -d /tmp/k1fw-seeds-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$k1fw" keygen -o keys >/dev/null
head -c 20000 /dev/urandom >spl.bin
head -c 30000 /dev/urandom >fw_dynamic.bin
head -c 50000 /dev/urandom >u-boot-nodtb.bin
printf 'bootdelay=0\nbootcmd=run autoboot\n' >env.txt
printf '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n memory@0 { device_type = "memory"; reg = <0 0 0 0x80000000>; }; };\n' >board.dts
dtc -q -I dts -O dtb -o board.dtb board.dts
SOURCE_DATE_EPOCH=1700000000 "$k1fw" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
	--uboot-bin u-boot-nodtb.bin --dtb board.dtb --env env.txt -o rel >/dev/null
find rel -type f | while read -r f; do cp "$f" "$out/$(echo "$f" | tr / _)"; done
cp board.dtb "$out/board.dtb"
# fuzz_image reads a flags byte (media, --force, --size) before the table
for flags in 0 1 2 5; do
	{ printf "\\$(printf %o "$flags")"; cat rel/partition_universal.json; } >"$out/image_table_$flags"
done

# A small GPT disk (sfdisk) with the bundle's bootinfo and FSBL in place, and
# its Android sparse form: the disk and sparse readers' seeds.
if command -v sfdisk >/dev/null; then
	truncate -s 4M disk.img
	printf 'label: gpt\nfirst-lba: 34\nstart=256, size=512, name=fsbl\nstart=2048, size=2048, name=uboot\n' |
		sfdisk -q disk.img >/dev/null 2>&1 || true
	dd if=rel/factory/bootinfo_sd.bin of=disk.img conv=notrunc status=none
	dd if=rel/factory/FSBL.bin of=disk.img bs=512 seek=256 conv=notrunc status=none
	dd if=rel/u-boot.itb of=disk.img bs=512 seek=2048 conv=notrunc status=none
	cp disk.img "$out/disk.img"
	command -v img2simg >/dev/null && img2simg disk.img "$out/disk.simg" >/dev/null 2>&1 || true
fi
# fastboot: commands (emulator), replies (client), -s targets
for t in getvar:version-brom getvar:partition-size:rootfs download:00001000 flash:gpt \
	"oem erase eeprom" continue reboot-bootloader OKAY1.0 OKAY DATA00001000 \
	"FAILpartition not found" "INFOstarting" TEXTx usb usb:1-2.3 tcp:127.0.0.1:5554 tcp:[::1]:5554; do
	printf '%s' "$t" >"$out/fb_$(printf '%s' "$t" | tr -c 'A-Za-z0-9' _)"
done
# console logs: the real ones kept as test data, and one with CRLF, colour and stamps
cp "$top"/tests/data/logs/*.log "$out/" 2>/dev/null || true
printf '[12:00:00.001] sys: 0x0\r\n\033[31mERROR:   CMD8\033[0m\r\n\0bm:0\rj...\n' >"$out/log_mixed"
cp "$top"/examples/k1-x/configs/*.json "$out/" 2>/dev/null || true
[ -d "$top/fuzz/regress" ] && cp "$top"/fuzz/regress/* "$out/" 2>/dev/null || true
if [ -d "$vendor/golden" ]; then
	for f in "$vendor"/golden/* "$vendor"/k1-x/configs/*.json; do
		[ -f "$f" ] && cp "$f" "$out/vendor_$(basename "$f")"
	done
fi
exit 0
