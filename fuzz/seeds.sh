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

cp -r "$top/tests/data/test-keys" keys # fixed keys and seeded payloads: the same corpus every run
# stored as .pem so they are never taken for the vendor's key files; fsbl --keys wants *.key
for k in keys/*.pem; do mv "$k" "${k%.pem}.key"; done
seeded() { python3 "$top/tests/cli/seeded.py" "$1" "$2"; } # the tests' generator: fixed bytes
seeded 20000 spl >spl.bin
seeded 30000 fw_dynamic >fw_dynamic.bin
seeded 50000 u-boot-nodtb >u-boot-nodtb.bin
printf 'bootdelay=0\nbootcmd=run autoboot\n' >env.txt
printf '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n memory@0 { device_type = "memory"; reg = <0 0 0 0x80000000>; }; };\n' >board.dts
dtc -q -I dts -O dtb -o board.dtb board.dts
SOURCE_DATE_EPOCH=1700000000 "$k1fw" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
	--uboot-bin u-boot-nodtb.bin --dtb board.dtb --env env.txt -o rel >/dev/null
find rel -type f | while read -r f; do cp "$f" "$out/$(echo "$f" | tr / _)"; done
cp board.dtb "$out/board.dtb"
# the mainline one-FIT u-boot.itb (fuzz_fit_layout, fuzz_fit_setmem)
SOURCE_DATE_EPOCH=1700000000 "$k1fw" fit uboot --in u-boot-nodtb.bin --opensbi fw_dynamic.bin \
	--dtb board.dtb -o "$out/mainline_u-boot.itb"
# fuzz_image reads a flags byte (media, --force, --size) before the table
for flags in 0 1 2 5; do
	{ printf "\\$(printf %o "$flags")"; cat rel/partition_universal.json; } >"$out/image_table_$flags"
done

# A small GPT disk (sfdisk, fixed GUIDs) with the bundle's bootinfo and FSBL in place, and
# its Android sparse form: the disk and sparse readers' seeds.
if command -v sfdisk >/dev/null; then
	truncate -s 4M disk.img
	printf '%s\n' 'label: gpt' 'label-id: 6B1F3C52-1D3A-4C8E-9E7A-2F5D0B9C4A10' 'first-lba: 34' \
		'start=256, size=512, name=fsbl, uuid=0A8C5E21-7B4D-4F3A-8C6E-1D2B3A4F5E61' \
		'start=2048, size=2048, name=uboot, uuid=0A8C5E21-7B4D-4F3A-8C6E-1D2B3A4F5E62' |
		sfdisk -q disk.img >/dev/null 2>&1 || true
	dd if=rel/factory/bootinfo_sd.bin of=disk.img conv=notrunc status=none
	dd if=rel/factory/FSBL.bin of=disk.img bs=512 seek=256 conv=notrunc status=none
	dd if=rel/u-boot.itb of=disk.img bs=512 seek=2048 conv=notrunc status=none
	cp disk.img "$out/disk.img"
	command -v img2simg >/dev/null && img2simg disk.img "$out/disk.simg" >/dev/null 2>&1 || true
fi
# the emulated vendor U-Boot (fuzz_emu_vendor: byte 0 picks gpt, env, rootfs,
# bootinfo, fsbl): a table, a gzip and an Android sparse rootfs, a raw env
{ printf '\000'; cat rel/partition_universal.json; } >"$out/emu_gpt_table"
{ printf '\002'; seeded 200000 emu_gzip | gzip -1 -n; } >"$out/emu_rootfs_gzip"
[ -f "$out/disk.simg" ] && { printf '\002'; cat "$out/disk.simg"; } >"$out/emu_rootfs_sparse"
{ printf '\001'; cat rel/env.bin; } >"$out/emu_env_raw"
# fastboot: commands (emulator), replies (client), -s targets
for t in getvar:version-brom getvar:partition-size:rootfs download:00001000 flash:gpt \
	"oem erase eeprom" "oem config:write ddr_cs_num@eeprom:1" continue reboot-bootloader OKAY1.0 OKAY DATA00001000 \
	"FAILpartition not found" "INFOstarting" TEXTx usb usb:1-2.3 tcp:127.0.0.1:5554 tcp:[::1]:5554 \
	udp:127.0.0.1 udp:192.168.1.5:5554 udp:[fe80::1%eth0]:5620; do
	printf '%s' "$t" >"$out/fb_$(printf '%s' "$t" | tr -c 'A-Za-z0-9' _)"
done
# fastboot UDP (fuzz_fastboot_udp): byte 0 odd = answers for the host (each
# a length byte and a datagram): a handshake, a getvar, a 3000-byte download;
# even = host packets for the device (length byte: top bit the sender)
python3 - "$out" <<'PY'
import struct, sys
def pkt(i, f, seq, data=b""):
    return struct.pack(">BBH", i, f, seq & 0xFFFF) + data
def framed(ds, top=0):
    return b"".join(bytes([len(d) | top]) + d for d in ds)
s = 5
host = [pkt(1, 0, 0, struct.pack(">H", s)), pkt(2, 0, s, struct.pack(">HH", 1, 1024)),
        pkt(3, 0, s + 1), pkt(3, 0, s + 2, b"OKAY0.4"), pkt(3, 0, s + 3),
        pkt(3, 0, s + 4, b"DATA00000bb8"), pkt(3, 0, s + 5), pkt(3, 0, s + 6),
        pkt(3, 0, s + 7), pkt(3, 0, s + 8, b"OKAY")]
open(sys.argv[1] + "/udp_host_session", "wb").write(b"\x01" + framed(host))
late = host[:3] + [pkt(3, 0, s + 1), pkt(3, 1, s + 2, b"INFOa"), pkt(3, 0, s + 3, b"OKAY")]
open(sys.argv[1] + "/udp_host_continued", "wb").write(b"\x03" + framed(late))
q = 0xFFFE
dev = framed([pkt(1, 0, 0), pkt(2, 0, q, struct.pack(">HH", 1, 8192)),
              pkt(3, 0, q + 1, b"getvar:version"), pkt(3, 0, q + 1, b"getvar:version"),
              pkt(3, 0, q + 2), pkt(0x10, 0, 0)])
dev += framed([pkt(1, 0, 0), pkt(2, 0, q + 2, struct.pack(">HH", 1, 512))], 0x80)
open(sys.argv[1] + "/udp_device_sessions", "wb").write(b"\x00" + dev)
PY
# board EEPROMs: a BPI-F3's (tests/data/eeprom), a whole-chip dump, and
# KEY=VALUE lines for the value parser and builder
"$k1fw" eeprom build -o "$out/eeprom_bpi_f3.bin" product_name=k1-x_deb1 ethaddr=FE:FE:FE:12:34:45 \
	ethsize=2 "manufacture_date=04/24/2024 10:23:55" manufacturer=spacemit device_version=5 \
	sdk_version=2 ddr_cs_num=1 0x60=8e2a5dcad801 0x61=3cd97baf5e6c 0x42=31 >/dev/null
"$k1fw" eeprom build -o "$out/eeprom_dump.bin" --size 256 product_name=k1-x_MUSE-Pi ddr_cs_num=2 \
	ddr_datarate=2400 ddr_type=LPDDR4X >/dev/null
printf 'product_name=k1-x_deb1\nddr_cs_num=1\nddr_datarate=3200\nddr_type=LPDDR4X\nethaddr=fe:fe:fe:00:00:01\nmanufacture_date=01/02/2024 03:04:05\n0x60=00ff\n' \
	>"$out/eeprom_fields.txt"
# console logs: the real ones kept as test data, and one with CRLF, colour and stamps
cp "$top"/tests/data/logs/*.log "$out/" 2>/dev/null || true
printf '[12:00:00.001] sys: 0x0\r\n\033[31mERROR:   CMD8\033[0m\r\n\0bm:0\rj...\n' >"$out/log_mixed"
# bootfs readers (fuzz_bootfs, fuzz_extlinux): an extlinux.conf, and small
# ext4 and FAT12 images holding it with a kernel, a dtb and an initrd
mkdir -p bootfs/extlinux
printf 'default l\nlabel l\n kernel /Image\n fdt /board.dtb\n initrd /initrd.img\n append x\n' \
	>bootfs/extlinux/extlinux.conf
cp bootfs/extlinux/extlinux.conf "$out/extlinux.conf"
head -c 4096 u-boot-nodtb.bin >bootfs/Image
printf 'RSC\005' | dd of=bootfs/Image bs=1 seek=56 conv=notrunc status=none
cp board.dtb bootfs/board.dtb && cp board.dtb bootfs/k1-x_deb1.dtb
printf '070701' >bootfs/initrd.img
if command -v mkfs.ext4 >/dev/null; then
	mkfs.ext4 -q -F -d bootfs bootfs.ext4 1M >/dev/null 2>&1 && cp bootfs.ext4 "$out/bootfs.ext4"
	# fuzz_extfs_used: an ext2 with a file deleted (free blocks not zero)
	mkfs.ext2 -q -F -d bootfs freed.ext2 1M >/dev/null 2>&1 &&
		debugfs -w -R "rm /Image" freed.ext2 >/dev/null 2>&1 && cp freed.ext2 "$out/freed.ext2"
fi
if command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null; then
	truncate -s 200K bootfs.vfat && mkfs.vfat -F 12 bootfs.vfat >/dev/null &&
		mcopy -s -i bootfs.vfat bootfs/* ::/ && cp bootfs.vfat "$out/bootfs.vfat"
fi
cp "$top"/examples/k1-x/configs/*.json "$out/" 2>/dev/null || true
[ -d "$top/fuzz/regress" ] && cp "$top"/fuzz/regress/* "$out/" 2>/dev/null || true
if [ -d "$vendor/golden" ]; then
	for f in "$vendor"/golden/* "$vendor"/k1-x/configs/*.json; do
		[ -f "$f" ] && cp "$f" "$out/vendor_$(basename "$f")"
	done
fi
exit 0
