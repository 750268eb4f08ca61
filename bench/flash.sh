#!/bin/sh
# Flash a release whose rootfs is a 1 GiB sparse file (256 MiB of random data
# in 4 MiB runs, the rest holes) into `k1fw emulate` twice in the same run:
# once with `k1fw flash`, once with the Debian fastboot client running the
# vendor command list (spec §6). Each client gets a fresh, empty board from
# the BootROM on; prints wall time and MiB/s of the rootfs step and of the
# whole sequence, and whether both boards hold the same bytes. Figures only:
# nothing is asserted on timing. Usage: bench/flash.sh BUILD_DIR
set -eu
build=${1:-build}
. "$(dirname "$0")/lib.sh"
bench_need flash python3 dtc fastboot
# the boards hold an 8 GiB sparse eMMC and a 256 MiB SPI NAND each: always removed
bench_scratch k1fw-bench

bench_firmware
python3 "$top/tests/cli/seeded.py" 8388608 bootfs_ext4 >bootfs.ext4
PYTHONPATH="$top/tests/cli" python3 - <<'PY'
from seeded import seeded_bytes
with open("rootfs.ext4", "wb") as f:
    for i in range(256):
        if i % 4 == 0:
            f.seek(i * (4 << 20))
            f.write(seeded_bytes(4 << 20, "rootfs%d" % i))
    f.truncate(1 << 30)
PY
"$k1fw" bundle --spl spl.bin --keys keys --opensbi fw.bin --uboot-bin ub.bin --dtb k1-x_deb1.dtb \
	--bootfs bootfs.ext4 --rootfs rootfs.ext4 -o rel >/dev/null
rm rootfs.ext4
"$k1fw" flash --bundle rel --dry-run >/dev/null # reads the whole release once: warm cache for both
echo "== rootfs: 1024 MiB raw file, 256 MiB of it data; U-Boot max-download-size 256 MiB;"
echo "   the emulator re-enumerates for 500 ms after each continue (its default)"

start_emu() { # BOARD
	rm -f ready
	mkdir "$1"
	"$k1fw" emulate --board "$1" --listen 127.0.0.1:0 --ready-file ready >"$1.console" 2>"$1.log" &
	epid=$!
	i=0
	while [ ! -s ready ]; do
		if ! kill -0 "$epid" 2>/dev/null || [ $i -ge 200 ]; then cat "$1.log"; exit 1; fi
		sleep 0.05
		i=$((i + 1))
	done
	where=$(cat ready)
}
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
rate() { # MS -> MiB/s of the 1024 MiB rootfs
	awk -v ms="$1" 'BEGIN { printf "%.0f", (ms > 0 ? 1024 * 1000 / ms : 0) }'
}

# ---- k1fw flash: one command ----
start_emu board-k1fw
t0=$(now)
"$k1fw" flash --bundle rel -s "tcp:$where" --no-reboot --json >k1fw.json ||
	{ echo "bench: k1fw flash failed:"; tail -n 3 k1fw.json; exit 1; }
t1=$(now)
stop_emu
k1_total=$(ms "$t0" "$t1")
k1_rootfs=$(grep '"event":"end"' k1fw.json | grep '"partition":"rootfs"' |
	sed 's/.*"seconds":\([0-9.]*\).*/\1/' | awk '{ printf "%.0f", $1 * 1000 }')

# ---- Debian fastboot: the vendor command list ----
start_emu board-fastboot
fb() { fastboot -s "tcp:$where" "$@" >>fastboot.log 2>&1; }
fbx() { fb "$@" || { echo "bench: fastboot $* failed:"; tail -n 3 fastboot.log; exit 1; }; }
up() { # poll until the next stage answers (the device re-enumerates)
	i=0
	until fb getvar version-bootloader; do
		[ $i -lt 300 ] || { echo "bench: the emulated board did not come back"; exit 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
t2=$(now)
fbx stage rel/factory/FSBL.bin
fbx continue
up
fbx stage rel/u-boot.itb
fbx continue
up
fbx flash gpt rel/partition_universal.json
fbx flash bootinfo rel/factory/bootinfo_emmc.bin
fbx flash fsbl rel/factory/FSBL.bin
fbx flash env rel/env.bin
fbx flash opensbi rel/fw_dynamic.itb
fbx flash uboot rel/u-boot.itb
fbx flash bootfs rel/bootfs.ext4
t3=$(now)
fbx flash rootfs rel/rootfs.ext4
t4=$(now)
stop_emu
fb_total=$(ms "$t2" "$t4")
fb_rootfs=$(ms "$t3" "$t4")

printf '%-16s %8s %10s %9s\n' "client" "rootfs" "rootfs" "total"
printf '%-16s %6d ms %5d MiB/s %6d ms\n' "k1fw flash" "$k1_rootfs" "$(rate "$k1_rootfs")" "$k1_total"
printf '%-16s %6d ms %5d MiB/s %6d ms\n' "Debian fastboot" "$fb_rootfs" "$(rate "$fb_rootfs")" "$fb_total"
echo "(rootfs MiB/s: the 1024 MiB image over its time, sparse pieces included; total: from"
echo " the BootROM to the last partition, bundle verification included for k1fw)"
a=$(cd board-k1fw && python3 "$top/tests/cli/content_digest.py" ./*.img)
b=$(cd board-fastboot && python3 "$top/tests/cli/content_digest.py" ./*.img)
[ "$a" = "$b" ] && echo "both boards hold the same bytes" || echo "the boards differ: see the storage of each"
