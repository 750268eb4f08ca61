#!/bin/sh
# Fastboot over UDP on loopback: the rate at which k1fw and the Debian
# fastboot client send a 64 MiB raw image to `k1fw emulate --listen udp:`
# in U-Boot fastboot (one download, max-download-size 256 MiB), with the
# packet size U-Boot offers (1024 bytes) and with the host's largest (8192),
# and over TCP for comparison. Each figure: the wall time of one
# `fastboot flash rootfs FILE` (handshake, download, the emulator's write),
# best of 3. Figures only, nothing asserted. Usage: bench/udp.sh BUILD_DIR
set -eu
build=${1:-build}
. "$(dirname "$0")/lib.sh"
bench_need udp python3 dtc fastboot
bench_scratch k1fw-bench-udp

start_emu() { # LISTEN ARGS...: the board in "board", its address in $where
	rm -f ready
	listen=$1
	shift
	"$k1fw" emulate --board board --listen "$listen" --ready-file ready "$@" >console 2>log &
	epid=$!
	i=0
	while [ ! -s ready ]; do
		if ! kill -0 "$epid" 2>/dev/null || [ $i -ge 400 ]; then cat log; exit 1; fi
		sleep 0.05
		i=$((i + 1))
	done
	where=$(cat ready)
}

# a board with the release's partition table; every later power-on goes
# straight to U-Boot fastboot (--uboot-only: its bootfs is no filesystem)
bench_firmware
python3 "$top/tests/cli/seeded.py" 1048576 bootfs_ext4 >bootfs.ext4
python3 "$top/tests/cli/seeded.py" 1048576 rootfs_ext4 >rootfs.ext4
"$k1fw" bundle --spl spl.bin --keys keys --opensbi fw.bin --uboot-bin ub.bin --dtb k1-x_deb1.dtb \
	--bootfs bootfs.ext4 --rootfs rootfs.ext4 -o rel >/dev/null
mkdir board
start_emu tcp:127.0.0.1:0 --reenum-ms 100 --exit-after-boot
"$k1fw" flash --bundle rel -s "tcp:$where" >/dev/null 2>&1 || { echo "bench udp: setup flash failed"; exit 1; }
wait "$epid" || true
epid=""
python3 "$top/tests/cli/seeded.py" 67108864 img_bin >img.bin

now() { date +%s%N; }
best() { # CMD...: the best wall time of 3 runs, in ms
	b=""
	for _ in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "bench udp: $* failed" >&2; tail -3 log >&2; exit 1; }
		t=$((($(now) - t0) / 1000000))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
row() { # LABEL MS
	printf '%-40s %6d ms %6.1f MiB/s\n' "$1" "$2" "$(awk -v ms="$2" 'BEGIN { print 64 * 1000 / ms }')"
}

echo "== 64 MiB raw image, flash rootfs into k1fw emulate (U-Boot stage), loopback, best of 3"
for size in 1024 8192; do
	start_emu udp:127.0.0.1:0 --uboot-only --udp-packet-size "$size"
	row "k1fw fastboot, UDP $size-byte packets" \
		"$(best "$k1fw" fastboot -s "udp:$where" flash rootfs img.bin)"
	row "Debian fastboot, UDP $size-byte packets" \
		"$(best fastboot -s "udp:$where" flash rootfs img.bin)"
	stop_emu
done
start_emu tcp:127.0.0.1:0 --uboot-only
row "k1fw fastboot, TCP" "$(best "$k1fw" fastboot -s "tcp:$where" flash rootfs img.bin)"
row "Debian fastboot, TCP" "$(best fastboot -s "tcp:$where" flash rootfs img.bin)"
stop_emu
echo "(UDP is stop-and-wait: one packet, then its acknowledgement; U-Boot offers 1024 bytes)"
