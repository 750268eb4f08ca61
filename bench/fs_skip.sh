#!/bin/sh
# Bytes on the wire for ext4 rootfs images (issue 18): k1fw flash (free
# blocks not sent) against the Debian fastboot client (the vendor command
# list) and k1fw flash --gzip (gzip slices where its model says they are
# faster), each into a fresh `k1fw emulate` board, same run. Four rootfs:
#   deleted  100 MiB of files kept after 200 MiB of others were written and
#            deleted (debugfs rm: their blocks free but not zero)
#   distro   several thousand files of mixed sizes, a fifth of them deleted
#   full     nearly full (about 90% of the filesystem in files)
#   text     nearly full of text files (about 8:1 for deflate), as --gzip likes
# (sizes scale with FS_MIB; the figures above are for 1024) plus two
# ceilings for the full one: k1fw flash with the board's storage on tmpfs
# (host and emulator together), and into bench_null_board, which throws
# every byte away (the host alone: reading, bitmap, pieces, SHA-256, TCP). Bytes are the downloads the emulator received for rootfs
# (its log); wall time is the whole client run from the BootROM on. Figures
# only: nothing is asserted. Usage: bench/fs_skip.sh BUILD_DIR [FS_MIB] [ROOTFS...]
set -eu
build=${1:-build}
fs_mib=${2:-1024}
shift $(($# < 2 ? $# : 2))
which=${*:-deleted distro full text}
want() { case " $which " in *" $1 "*) return 0 ;; esac; return 1; }
top=$(cd "$(dirname "$0")/.." && pwd)
k1fw="$top/$build/k1fw"
for tool in python3 dtc fastboot mkfs.ext4 debugfs; do
	command -v "$tool" >/dev/null || { echo "bench fs_skip: $tool missing: skipped"; exit 0; }
done
tmp=$(mktemp -d /tmp/k1fw-bench-fs-XXXXXX)
shm=
epid=""
stop_emu() { [ -n "$epid" ] && kill "$epid" 2>/dev/null && wait "$epid" 2>/dev/null; epid=""; }
trap 'stop_emu; rm -rf "$tmp" ${shm:+"$shm"}' EXIT
trap 'exit 130' INT TERM
cd "$tmp"

"$k1fw" keygen -o keys >/dev/null
python3 "$top/tests/cli/seeded.py" 150000 fw_bin >fw.bin
python3 "$top/tests/cli/seeded.py" 700000 ub_bin >ub.bin
python3 "$top/tests/cli/seeded.py" 100000 spl_bin >spl.bin
printf '/dts-v1/;\n/ { model = "bench"; };\n' | dtc -q -I dts -O dtb -o k1-x_deb1.dtb -
truncate -s 8M bootfs.ext4 && mkfs.ext4 -q -F bootfs.ext4

# files DIR MIB COUNT SEED: COUNT files of mixed sizes (log-uniform, 1 KiB to
# 8 MiB, scaled to MIB in all) of random bytes in DIR/dNN/ (KIND=text: lines
# of text)
files() {
	KIND=${KIND:-random} \
	PYTHONPATH="$top/tests/cli" python3 - "$@" <<'PY'
import os, random, sys
from seeded import seeded_bytes
d, mib, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = random.Random(seed)
sizes = [int(2 ** r.uniform(10, 23)) for _ in range(count)]
scale = mib * 2**20 / sum(sizes)
for i, s in enumerate(sizes):
    sub = os.path.join(d, "d%02d" % (i % 50))
    os.makedirs(sub, exist_ok=True)
    n = max(1, int(s * scale))
    with open(os.path.join(sub, "f%05d" % i), "wb") as f:
        if os.environ["KIND"] == "text":
            lines = b"".join(b"%s line %08d: the quick brown fox jumps over the lazy dog %d\n"
                             % (seed.encode(), k, k * k % 977) for k in range(n // 60 + 1))
            f.write(lines[:n])
        else:
            f.write(seeded_bytes(n, "%s/%d" % (seed, i)))
PY
}
# mkrootfs NAME KEEP_MIB KEEP_N JUNK_MIB JUNK_N DELETE_EVERY: rootfs NAME.ext4
mkrootfs() {
	rm -rf root && mkdir -p root/keep root/junk
	files root/keep "$2" "$3" "keep-$1"
	[ "$4" -gt 0 ] && files root/junk "$4" "$5" "junk-$1"
	truncate -s "${fs_mib}M" "$1.ext4"
	mkfs.ext4 -q -F -d root "$1.ext4"
	(cd root && find junk -type f) | sed 's|^|rm /|' >rm.cmds
	debugfs -w -f rm.cmds "$1.ext4" >/dev/null 2>&1
	rm -rf root
}
want deleted && mkrootfs deleted $((fs_mib * 100 / 1024)) 100 $((fs_mib * 200 / 1024)) 200
want distro && mkrootfs distro $((fs_mib / 5)) 4000 $((fs_mib / 20)) 1000
want full && mkrootfs full $((fs_mib * 88 / 100)) 2000 0 0
want text && KIND=text mkrootfs text $((fs_mib * 88 / 100)) 2000 0 0

start_emu() { # BOARD [DIR]
	rm -f ready
	mkdir -p "${2:-.}/$1"
	"$k1fw" emulate --board "${2:-.}/$1" --listen 127.0.0.1:0 --ready-file ready \
		>"$1.console" 2>"$1.log" &
	epid=$!
	i=0
	while [ ! -s ready ]; do
		if ! kill -0 "$epid" 2>/dev/null || [ $i -ge 400 ]; then cat "$1.log"; exit 1; fi
		sleep 0.05
		i=$((i + 1))
	done
	where=$(cat ready)
}
now() { date +%s%N; }
# rootfs_bytes LOG: the downloads flashed to rootfs, from the emulator's log
rootfs_bytes() {
	python3 - "$1" <<'PY'
import re, sys
last = n = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"\] download:([0-9a-fA-F]{8})", line)
    if m:
        last = int(m.group(1), 16)
    elif re.search(r"\] flash:rootfs", line):
        n += last
print(n)
PY
}
fb() { fastboot -s "tcp:$where" "$@" >>fastboot.log 2>&1; }
fbx() { fb "$@" || { echo "bench: fastboot $* failed:"; tail -n 3 fastboot.log; exit 1; }; }
up() {
	i=0
	until fb getvar version-bootloader; do
		[ $i -lt 300 ] || { echo "bench: the emulated board did not come back"; exit 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
# k1 NAME [DIR [ARGS]]: k1fw flash of release NAME; sets k1_ms, k1_bytes
k1() {
	start_emu "k1-$1" "${2:-.}"
	t0=$(now)
	"$k1fw" flash --bundle "rel-$1" -s "tcp:$where" --no-reboot --json ${3:-} >"k1-$1.json" ||
		{ echo "bench: k1fw flash failed:"; tail -n 3 "k1-$1.json"; exit 1; }
	t1=$(now)
	stop_emu
	k1_ms=$(((t1 - t0) / 1000000)) k1_bytes=$(rootfs_bytes "k1-$1.log")
	rm -rf "${2:-.}/k1-$1"
}
# fbrun NAME: the vendor command list with Debian fastboot; sets fb_ms, fb_bytes
fbrun() {
	start_emu "fb-$1"
	r=rel-$1 n=$1
	t0=$(now)
	fbx stage $r/factory/FSBL.bin && fbx continue && up
	fbx stage $r/u-boot.itb && fbx continue && up
	for p in "gpt partition_universal.json" "bootinfo factory/bootinfo_emmc.bin" \
		"fsbl factory/FSBL.bin" "env env.bin" "opensbi fw_dynamic.itb" "uboot u-boot.itb" \
		"bootfs bootfs.ext4" "rootfs rootfs.ext4"; do
		set -- $p
		fbx flash "$1" "$r/$2"
	done
	t1=$(now)
	stop_emu
	fb_ms=$(((t1 - t0) / 1000000)) fb_bytes=$(rootfs_bytes "fb-$n.log")
	rm -rf "fb-$n"
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

echo "== rootfs: ${fs_mib} MiB ext4 (mkfs.ext4 -d, files deleted with debugfs rm); U-Boot"
echo "   max-download-size 256 MiB; the emulator re-enumerates 500 ms after each continue"
printf '%-8s %-18s %12s %9s %9s\n' rootfs client "rootfs MiB" "wall ms" "vs fastboot"
for name in $which; do
	"$k1fw" bundle --spl spl.bin --keys keys --opensbi fw.bin --uboot-bin ub.bin \
		--dtb k1-x_deb1.dtb --bootfs bootfs.ext4 --rootfs "$name.ext4" -o "rel-$name" >/dev/null 2>&1
	"$k1fw" flash --bundle "rel-$name" --dry-run >/dev/null # warm cache for both
	k1 "$name" . --gzip
	gz_ms=$k1_ms gz_bytes=$k1_bytes
	k1 "$name"
	fbrun "$name"
	printf '%-8s %-18s %12s %9d %8.2fx\n' "$name" "k1fw flash" "$(mib "$k1_bytes")" "$k1_ms" \
		"$(awk -v a="$k1_bytes" -v b="$fb_bytes" 'BEGIN { print (b ? a / b : 0) }')"
	printf '%-8s %-18s %12s %9d %8.2fx\n' "" "k1fw flash --gzip" "$(mib "$gz_bytes")" "$gz_ms" \
		"$(awk -v a="$gz_bytes" -v b="$fb_bytes" 'BEGIN { print (b ? a / b : 0) }')"
	printf '%-8s %-18s %12s %9d\n' "" "Debian fastboot" "$(mib "$fb_bytes")" "$fb_ms"
done
echo "(--gzip: the emulator inflates and writes at the host's speed, not the board's)"
echo "(vs fastboot: bytes on the wire for rootfs, k1fw's over fastboot's)"

# ---- the host-side ceiling: storage on tmpfs ----
if want full && [ -d /dev/shm ] && shm=$(mktemp -d /dev/shm/k1fw-bench-XXXXXX); then
	k1 full "$shm"
	ms=$(($(grep '"event":"end"' k1-full.json | grep '"partition":"rootfs"' |
		sed 's/.*"seconds":\([0-9.]*\).*/\1/' | awk '{ printf "%.0f", $1 * 1000 }')))
	echo "host ceiling (k1fw flash of 'full', board storage on tmpfs): $(mib "$k1_bytes") MiB" \
		"for rootfs in $ms ms: $(awk -v b="$k1_bytes" -v ms="$ms" \
			'BEGIN { printf "%.0f", ms ? b / 1e6 * 1000 / ms : 0 }') MB/s"
fi
# ---- the host alone: into a board that throws the bytes away ----
null="$top/$build/bench/bench_null_board"
if want full && [ -x "$null" ]; then
	rm -f null.ready
	"$null" null.ready &
	epid=$!
	i=0
	while [ ! -s null.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	"$k1fw" flash --bundle rel-full -s "tcp:$(cat null.ready)" --no-reboot --json >null.json ||
		{ echo "bench: k1fw flash into the null board failed"; tail -n 3 null.json; exit 1; }
	stop_emu || : # it dies of the SIGTERM (143), which set -e would take for a failure
	python3 - null.json <<'PY'
import json, sys
for e in map(json.loads, open(sys.argv[1])):
    if e.get("event") == "end" and e.get("partition") == "rootfs":
        b, s = e["bytes"], e["seconds"]
        print("host alone (k1fw flash of 'full' into bench_null_board): %.1f MiB for rootfs in %.0f ms: %.0f MB/s"
              % (b / 1048576, s * 1000, b / 1e6 / s if s else 0))
PY
fi
