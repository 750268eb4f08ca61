#!/bin/sh
# k1fw image against genimage: a 4 GiB SD image whose rootfs (ext4 made with
# mkfs.ext4 -d) holds 1 GiB of data, and DELETED_MIB more that were written
# and then deleted (debugfs rm: free blocks, not zero; k1fw image does not
# copy them, genimage does). Prints wall times (best of ROUNDS, warm page
# cache, sync before each run) and the allocated bytes (du) of both images.
# Figures only: no pass/fail on speed.
# Usage: bench/bench_image.sh [BUILD_DIR] [ROUNDS] [DATA_MIB] [DELETED_MIB]
set -eu
build=${1:-build}
rounds=${2:-3}
data_mib=${3:-1024}
deleted_mib=${4:-0}
top=$(cd "$(dirname "$0")/.." && pwd)
k1fw=${K1FW:-$top/$build/k1fw}
for t in genimage mkfs.ext4 debugfs dtc; do
	command -v $t >/dev/null || { echo "bench_image: $t not installed: skipped"; exit 0; }
done
tmp=$(mktemp -d /tmp/k1fw-bench-image-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# a release folder from synthetic inputs (as tests/cli/test_bundle.sh)
"$k1fw" keygen -o keys >/dev/null
python3 "$top/tests/cli/seeded.py" 100000 spl_bin >spl.bin
python3 "$top/tests/cli/seeded.py" 150000 fw_bin >fw.bin
python3 "$top/tests/cli/seeded.py" 700000 uboot_bin >uboot.bin
printf '/dts-v1/;\n/ { model = "bench"; };\n' >b.dts
dtc -q -I dts -O dtb -o k1-x_deb1.dtb b.dts
SOURCE_DATE_EPOCH=1700000000 "$k1fw" bundle --spl spl.bin --keys keys --opensbi fw.bin \
	--uboot-bin uboot.bin --dtb k1-x_deb1.dtb -o rel >/dev/null

# rootfs: a 3 GiB ext4 (sparse file) holding DATA_MIB MiB of incompressible files
mkdir -p root/data
i=0
while [ $i -lt $((data_mib / 64)) ]; do
	python3 "$top/tests/cli/seeded.py" $((64 << 20)) root_data_f$i >root/data/f$i
	i=$((i + 1))
done
mkdir -p root/junk
i=0
while [ $i -lt $((deleted_mib / 64)) ]; do
	python3 "$top/tests/cli/seeded.py" $((64 << 20)) root_junk_f$i >root/junk/f$i
	echo "rm /junk/f$i" >>rm.cmds
	i=$((i + 1))
done
truncate -s 3G rootfs.ext4
mkfs.ext4 -q -F -d root rootfs.ext4
[ -f rm.cmds ] && debugfs -w -f rm.cmds rootfs.ext4 >/dev/null 2>&1
rm -rf root
echo "rootfs.ext4: $(stat -c %s rootfs.ext4) bytes, $(du -B1 rootfs.ext4 | cut -f1) allocated"

"$k1fw" image --bundle rel --media sd --size 4G --part rootfs=rootfs.ext4 \
	--genimage-config sd.cfg -o k1.img >/dev/null
mkdir -p gout groot gtmp

now() { date +%s%N; }
best_k1=0 best_gi=0
r=0
while [ $r -lt "$rounds" ]; do
	rm -f k1.img gout/k1.img
	sync # the previous round's dirty pages would slow whoever runs next
	t0=$(now)
	"$k1fw" image --bundle rel --media sd --size 4G --part rootfs=rootfs.ext4 -o k1.img >/dev/null
	t1=$(now)
	rm -rf gtmp && mkdir gtmp
	sync
	t2=$(now)
	genimage --config sd.cfg --rootpath groot --tmppath gtmp --inputpath . --outputpath gout \
		>/dev/null 2>&1
	t3=$(now)
	k=$(((t1 - t0) / 1000000)) g=$(((t3 - t2) / 1000000))
	[ $best_k1 -eq 0 ] || [ $k -lt $best_k1 ] && best_k1=$k
	[ $best_gi -eq 0 ] || [ $g -lt $best_gi ] && best_gi=$g
	r=$((r + 1))
done
du_k1=$(du -B1 k1.img | cut -f1)
du_gi=$(du -B1 gout/k1.img | cut -f1)
echo "image: $(stat -c %s k1.img) bytes (4 GiB SD, rootfs with $data_mib MiB of data," \
	"$deleted_mib MiB deleted)"
echo "k1fw image: ${best_k1} ms (best of $rounds), ${du_k1} bytes allocated"
echo "genimage:   ${best_gi} ms (best of $rounds), ${du_gi} bytes allocated"
if [ "$deleted_mib" -gt 0 ]; then # k1fw left the free blocks out: compare the used ones
	echo "(the images differ in the rootfs's free blocks, which k1fw leaves as holes)"
else
	cmp -s k1.img gout/k1.img && echo "images identical" ||
		echo "images differ in $(cmp -l k1.img gout/k1.img | wc -l) bytes (GPT headers, MBR CHS)"
fi
