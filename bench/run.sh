#!/bin/sh
# Runs the benchmarks and prints their figures (no pass/fail on speed).
# Usage: bench/run.sh BUILD_DIR
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
vendor=${K1FW_VENDOR_DIR:-$top/../shared/vendor}
echo "== k1fw flash vs Debian fastboot (1 GiB sparse rootfs, into k1fw emulate)"
sh "$top/bench/flash.sh" "$build"
echo "== fastboot over UDP: k1fw vs Debian fastboot (64 MiB, into k1fw emulate --listen udp:)"
sh "$top/bench/udp.sh" "$build"
echo "== ext4 rootfs, bytes on the wire: k1fw flash vs Debian fastboot (1 GiB, into k1fw emulate)"
sh "$top/bench/fs_skip.sh" "$build" "${BENCH_FS_MIB:-1024}"
echo "== k1fw image vs genimage (4 GiB SD image, 1 GiB rootfs data + 1 GiB deleted)"
"$top/bench/bench_image.sh" "$build" 3 1024 1024
if [ ! -d "$vendor/k1-x" ]; then
	echo "bench: vendor files not found at $vendor: skipping the vendor-artefact benchmark"
	exit 0
fi
echo "== in-process ($build/bench/bench_build, 50 rounds)"
"$build/bench/bench_build" "$vendor" 50
echo "== whole command, 5 artefacts, 20 rounds (process start included)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s%N)
i=0
while [ $i -lt 20 ]; do
	for r in bootinfo_emmc bootinfo_sd bootinfo_spinor bootinfo_spinand fsbl; do
		"$build/k1fw" build -c "$vendor/k1-x/configs/$r.json" -o "$tmp/$r.bin"
	done
	i=$((i + 1))
done
end=$(date +%s%N)
echo "k1fw build: $(( (end - start) / 100 / 1000 )) us per artefact (mean of 100 runs)"
