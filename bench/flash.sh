#!/bin/sh
# Flash a 1 GiB (expanded) Android sparse rootfs into the fake fastboot TCP
# device with k1fw and with the Debian fastboot client, in the same run, and
# print both rates. The fake discards payloads, so both measure the host
# side and the TCP path. Usage: bench/flash.sh BUILD_DIR
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
k1fw="$top/$build/k1fw"
for tool in python3 dtc img2simg fastboot; do
	command -v "$tool" >/dev/null || { echo "bench flash: $tool missing: skipped"; exit 0; }
done
tmp=$(mktemp -d /tmp/k1fw-bench-XXXXXX)
fake_pid=""
trap '[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"

# 1 GiB with a quarter of it data (4 MiB runs), the rest holes, as a file system is
"$k1fw" keygen -o keys >/dev/null
head -c 150000 /dev/urandom >fw.bin
head -c 700000 /dev/urandom >ub.bin
head -c 100000 /dev/urandom >spl.bin
printf '/dts-v1/;\n/ { model = "bench"; };\n' | dtc -q -I dts -O dtb -o k1-x_deb1.dtb -
python3 - <<'PY'
import os
with open("rootfs.raw", "wb") as f:
    for i in range(256):
        f.write(os.urandom(4 << 20) if i % 4 == 0 else b"")
        f.seek((i + 1) * (4 << 20))
    f.truncate(1 << 30)
PY
img2simg rootfs.raw rootfs.ext4
rm rootfs.raw
"$k1fw" bundle --spl spl.bin --keys keys --opensbi fw.bin --uboot-bin ub.bin --dtb k1-x_deb1.dtb \
	--rootfs rootfs.ext4 -o rel >/dev/null
size=$(stat -c %s rel/rootfs.ext4)
echo "== rootfs: 1024 MiB expanded, $((size >> 20)) MiB sparse file; max-download-size 256 MiB"

start_fake() {
	rm -f port
	python3 "$top/tests/cli/fake_fastboot.py" --log log --port-file port --stage uboot --discard &
	fake_pid=$!
	while [ ! -s port ]; do sleep 0.05; done
	port=$(cat port)
}
rate() { # NAME START_NS END_NS
	ms=$((($3 - $2) / 1000000))
	echo "$1: $ms ms, $((size * 1000 / (ms ? ms : 1) >> 20)) MiB/s on the wire, $((1024 * 1000 / (ms ? ms : 1))) MiB/s expanded"
}
v0=$(date +%s%N)
"$k1fw" flash --bundle rel --dry-run >/dev/null
v1=$(date +%s%N)
start_fake
t0=$(date +%s%N)
"$k1fw" flash --bundle rel -s "tcp:127.0.0.1:$port" --only rootfs --no-reboot >/dev/null
t1=$(date +%s%N)
kill "$fake_pid"; fake_pid=""
start_fake
t2=$(date +%s%N)
fastboot -s "tcp:127.0.0.1:$port" flash rootfs rel/rootfs.ext4 >/dev/null 2>&1
t3=$(date +%s%N)
rate "k1fw flash (bundle verification included)" "$t0" "$t1"
rate "Debian fastboot flash                     " "$t2" "$t3"
echo "(k1fw's bundle verification alone, --dry-run: $(((v1 - v0) / 1000000)) ms)"
