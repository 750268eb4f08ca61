#!/bin/sh
# The main job on built-in inputs, on an emulated board: sample payloads and
# fresh keys -> k1fw bundle -> k1fw image (SD card) -> k1fw emulate (an empty
# BPI-F3 on a loopback port) -> k1fw flash over fastboot TCP -> k1fw doctor.
# Everything is written under build/demo/ (removed first); each command's
# full output is kept in build/demo/logs/. Exit status non-zero if a step
# fails; the emulator is always stopped.
# Usage: scripts/demo.sh [path/to/k1fw]
set -eu
K1FW=${1:-build/k1fw}
case $K1FW in /*) ;; *) K1FW=$(pwd)/$K1FW ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PATH=$PATH:/usr/sbin:/sbin # mkfs.ext4 for a normal user on Debian
out=build/demo
vendor=${K1FW_VENDOR_DIR:-$top/../shared/vendor}
[ -x "$K1FW" ] || { echo "demo: $K1FW not found (run make first)" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/in" "$out/logs" "$out/board"
epid=""
stop_emu() {
	[ -n "$epid" ] || return 0
	kill "$epid" 2>/dev/null || true
	wait "$epid" 2>/dev/null || true
	epid=""
}
trap 'stop_emu' EXIT
trap 'exit 130' INT TERM

if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi
n=0
header() { n=$((n + 1)); printf '\n%s== %d. %s%s\n' "$B" "$n" "$*" "$N"; }
# run LOG CMD...: show the command, keep its output in logs/LOG.txt; on
# failure print that output and stop.
run() {
	log=$out/logs/$1.txt
	shift
	printf '$ %s\n' "$*"
	if ! "$@" >"$log" 2>&1; then
		sed 's/^/  /' "$log"
		echo "demo: FAILED: $* (output above, also in $log)" >&2
		exit 1
	fi
}
k1fw() { "$K1FW" "$@"; }
show() { sed 's/^/  /'; } # indent a command's output

header "sample payloads and fresh keys ($out/in)"
in=$out/in
if [ -f "$vendor/k1-x/u-boot-spl.bin" ]; then
	cp "$vendor/k1-x/u-boot-spl.bin" "$in/u-boot-spl.bin"
	echo "SPL: the vendor's u-boot-spl.bin from $vendor/k1-x"
else
	yes 'k1fw sample SPL payload' | head -c 65536 >"$in/u-boot-spl.bin"
	echo "SPL: a generated 64 KiB sample (no vendor u-boot-spl.bin in $vendor/k1-x;"
	echo "     set K1FW_VENDOR_DIR to use the real one)"
fi
# Stand-ins for an OpenSBI and a U-Boot build (the emulator checks their FIT
# packaging and hashes, not the code inside).
yes 'k1fw sample OpenSBI fw_dynamic' | head -c 150000 >"$in/fw_dynamic.bin"
yes 'k1fw sample U-Boot' | head -c 700000 >"$in/u-boot-nodtb.bin"
cat >"$in/k1-x_deb1.dts" <<'DTS'
/dts-v1/;
/ { model = "Banana Pi BPI-F3"; compatible = "bananapi,bpi-f3", "spacemit,k1";
    #address-cells = <2>; #size-cells = <2>;
    memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x80000000>; }; };
DTS
run dtc dtc -q -I dts -O dtb -o "$in/k1-x_deb1.dtb" "$in/k1-x_deb1.dts"
printf 'bootdelay=0\nbaudrate=115200\nhostname=k1fw-demo\n' >"$in/env.txt"
mkdir -p "$in/bootfs/extlinux" "$in/rootfs/etc"
printf 'label demo\n  kernel /Image\n  append console=ttyS0,115200\n' >"$in/bootfs/extlinux/extlinux.conf"
echo k1fw-demo >"$in/rootfs/etc/hostname"
run mkfs-bootfs mkfs.ext4 -q -F -L bootfs -d "$in/bootfs" "$in/bootfs.ext4" 8M
run mkfs-rootfs mkfs.ext4 -q -F -L rootfs -d "$in/rootfs" "$in/rootfs.ext4" 32M
run keygen k1fw keygen -o "$out/keys"
grep rotpk_hash "$out/logs/keygen.txt" | show

header "a release folder: k1fw bundle"
run bundle k1fw bundle --spl "$in/u-boot-spl.bin" --keys "$out/keys" --opensbi "$in/fw_dynamic.bin" \
	--uboot-bin "$in/u-boot-nodtb.bin" --dtb "$in/k1-x_deb1.dtb" --env "$in/env.txt" \
	--bootfs "$in/bootfs.ext4" --rootfs "$in/rootfs.ext4" -o "$out/release"
echo "  $(grep -c '^  verified' "$out/logs/bundle.txt") files verified; $(tail -n 1 "$out/logs/bundle.txt")"
(cd "$out/release" && find . -type f | sed 's|^\./||' | sort | paste -sd' ' | fold -s -w 76 | show)

header "an SD card image: k1fw image"
run image k1fw image --bundle "$out/release" --media sd -o "$out/sd.img"
# the layout, offsets in K/M
awk 'function u(o) { return o % 1048576 ? o / 1024 "K" : o / 1048576 "M" }
	/^  (fsbl|env|opensbi|uboot|bootfs|rootfs) / { l = l " " $1 "@" u($2) }
	/^  backup FSBL/ { l = l ", FSBL copy@" u($4) }
	END { print "  layout:" l }' "$out/logs/image.txt"
echo "  $out/sd.img: $(($(stat -c %s "$out/sd.img") >> 20)) MiB, $(($(du -k "$out/sd.img" | cut -f1) >> 10)) MiB allocated"
run doctor-sd k1fw doctor --sd "$out/sd.img" --boot-select tf
grep '^verdict' "$out/logs/doctor-sd.txt" | show

header "an empty emulated board: k1fw emulate"
echo "\$ k1fw emulate --board $out/board --listen 127.0.0.1:0 --ready-file $out/emu.ready --reenum-ms 200 &"
"$K1FW" emulate --board "$out/board" --listen 127.0.0.1:0 --ready-file "$out/emu.ready" --reenum-ms 200 \
	>"$out/console.txt" 2>"$out/logs/emulate.txt" &
epid=$!
i=0
while [ ! -s "$out/emu.ready" ]; do
	if ! kill -0 "$epid" 2>/dev/null || [ $i -ge 100 ]; then
		show <"$out/logs/emulate.txt"
		echo "demo: FAILED: the emulator did not start" >&2
		exit 1
	fi
	sleep 0.05
	i=$((i + 1))
done
where=$(cat "$out/emu.ready")
echo "  listening on $where; $(grep -m1 'power-on' "$out/logs/emulate.txt" | sed 's/^k1fw emulate: //')"

header "flash it over fastboot TCP: k1fw flash"
run flash k1fw flash --bundle "$out/release" -s "tcp:$where"
# the top-level steps; the per-file lines are in logs/flash.txt
grep -v '^  ' "$out/logs/flash.txt" | show
sleep 0.3 # let the emulator print the power-on after the reboot
stop_emu

header "the board's serial console (k1fw emulate's stdout)"
sed 's/^/  | /' "$out/console.txt"

header "will it boot: k1fw doctor"
run doctor k1fw doctor --board "$out/board"
grep -E '^(verdict|fix|warning)|Warning' "$out/logs/doctor.txt" | show
echo
echo "demo: every step passed; outputs in $out/ (logs in $out/logs/)"
