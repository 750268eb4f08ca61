# Shared helpers for the command-line tests: TAP output, one line per check.
# Each test file sources this, calls the helpers, and ends with `done_testing`.
set -u
: "${K1FW:?K1FW must name the k1fw binary}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VENDOR=${K1FW_VENDOR_DIR:-$TOP/../shared/vendor}
T=$(mktemp -d /tmp/k1fw-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
_n=0

# the Python helpers beside this file (seeded.py, ...) import from any test
export PYTHONPATH="$TOP/tests/cli${PYTHONPATH:+:$PYTHONPATH}"

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }
have_vendor() { [ -d "$VENDOR/golden" ] && [ -d "$VENDOR/k1-x" ]; }

# need_tools WHAT PACKAGES TOOL...: when a TOOL is not installed, the whole
# test file is one SKIP line ("WHAT need TOOL (PACKAGES)") and exits 0.
need_tools() {
	what=$1 pkgs=$2; shift 2
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 && continue
		echo "# SKIP: $tool not installed (scripts/install-deps.sh installs it)" >&2
		skip "$what need $tool ($pkgs)"
		done_testing
		exit 0
	done
}

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $rc.
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }

# expect_rc N DESC CMD...: the command exits with N.
expect_rc() {
	want=$1 desc=$2; shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $rc, wanted $want)"; sed 's/^/#   /' "$T/err" | head -5; fi
}

# expect_fail N PATTERN DESC CMD...: exits N, prints exactly one stderr line matching PATTERN.
expect_fail() {
	want=$1 pat=$2 desc=$3; shift 3
	run "$@"
	lines=$(wc -l <"$T/err" | tr -d ' ')
	if [ "$rc" -eq "$want" ] && grep -q -- "$pat" "$T/err" && [ "$lines" -eq 1 ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, wanted $want; stderr must be one line matching '$pat')"
		sed 's/^/#   /' "$T/err" | head -5
	fi
}

# seeded_bytes N SEED: N pseudo-random bytes on stdout, always the same for
# the same SEED (tests/cli/seeded.py): test inputs never come from the system random device.
seeded_bytes() { python3 "$TOP/tests/cli/seeded.py" "$1" "$2"; }

# flip FILE OFFSET [OUT]: invert the byte at OFFSET (always a change, unlike
# writing a value), in FILE itself or in OUT, a copy of FILE.
flip() {
	[ $# -lt 3 ] || { cp "$1" "$3" && set -- "$3" "$2"; }
	python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2], 0)); b = f.read(1); f.seek(int(sys.argv[2], 0)); f.write(bytes([b[0] ^ 0xFF]))' "$1" "$2"
}

# verify_fails DESC PATTERN...: the last `run k1fw verify` exited 1 and its
# stdout holds each PATTERN.
verify_fails() {
	desc=$1; shift
	bad=""
	[ "$rc" -eq 1 ] || bad="exit $rc, wanted 1"
	for p in "$@"; do grep -q -- "$p" "$T/out" || bad="$bad; no '$p'"; done
	if [ -z "$bad" ]; then ok "$desc"; else
		not_ok "$desc ($bad)"; sed 's/^/#   /' "$T/out" | head -8; fi
}

# same_file A B DESC
same_file() {
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3 ($1 differs from $2)"; cmp "$1" "$2" | sed 's/^/#   /'; fi
}

# expect_output NAME RC CMD...: CMD exits RC and prints exactly what
# tests/cli/expected/NAME holds: its stdout, then, when it wrote any, a line
# "--- stderr" and its stderr. The one comparison of whole outputs (as
# genimage's test_cmp): a difference fails with the diff. With
# K1FW_UPDATE_EXPECTED=1 (`make update-expected`) the file is written instead.
expect_output() {
	name=$1 want=$2; shift 2
	run "$@"
	{ cat "$T/out"; if [ -s "$T/err" ]; then echo "--- stderr"; cat "$T/err"; fi; } >"$T/got"
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name: exit $rc, wanted $want"; sed 's/^/#   /' "$T/err" | head -5; return
	fi
	if [ "${K1FW_UPDATE_EXPECTED:-}" = 1 ]; then
		cp "$T/got" "$TOP/tests/cli/expected/$name" && ok "$name: written"; return
	fi
	if [ ! -f "$TOP/tests/cli/expected/$name" ]; then
		not_ok "$name: tests/cli/expected/$name is missing (make update-expected writes it)"
	elif diff -u "$TOP/tests/cli/expected/$name" "$T/got" >"$T/diff"; then
		ok "$name: output as expected"
	else
		not_ok "$name: output differs from tests/cli/expected/$name (if meant: make update-expected)"
		sed 's/^/#   /' "$T/diff" | head -40
	fi
}

# make_inputs: in the current folder, what `k1fw bundle` takes, from synthetic
# payloads: keys/ (unless the test put its own there), fw_dynamic.bin, u-boot-nodtb.bin, spl.bin (the vendor's
# when present), k1-x_deb1.dtb, env.txt; bootfs.ext4 and rootfs.ext4 of
# seeded bytes unless the test made its own (ROOTFS_BYTES, default 3 MiB).
make_inputs() {
	[ -d keys ] || "$K1FW" keygen -o keys >/dev/null
	seeded_bytes 150000 fw_dynamic >fw_dynamic.bin
	seeded_bytes 700000 u-boot-nodtb >u-boot-nodtb.bin
	seeded_bytes 100000 spl >spl.bin
	[ -f "$VENDOR/k1-x/u-boot-spl.bin" ] && cp "$VENDOR/k1-x/u-boot-spl.bin" spl.bin
	cat >board.dts <<'DTS'
/dts-v1/;
/ { model = "Banana Pi BPI-F3"; compatible = "bananapi,bpi-f3", "spacemit,k1";
    #address-cells = <2>; #size-cells = <2>;
    memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x80000000>; }; };
DTS
	dtc -q -I dts -O dtb -o k1-x_deb1.dtb board.dts
	printf 'bootdelay=0\n' >env.txt
	[ -f bootfs.ext4 ] || { make_bootfs_dir bootfs.d && mkfs.ext4 -q -F -d bootfs.d bootfs.ext4 1M >/dev/null 2>&1; }
	[ -f rootfs.ext4 ] || seeded_bytes "${ROOTFS_BYTES:-3145728}" rootfs >rootfs.ext4
}

# fake_kernel OUT [SIZE]: a RISC-V Image ("RSC\x05" at 0x38) of random bytes
fake_kernel() {
	seeded_bytes "${2:-65536}" "kernel-$1" >"$1"
	printf 'RSC\005' | dd of="$1" bs=1 seek=56 conv=notrunc status=none
}

# make_bootfs_dir DIR: what the vendor U-Boot boots by its default env:
# Image.itb (a kernel FIT), k1-x_deb1.dtb (product_name's dtb), and
# initramfs-generic.img (gzip). Needs k1-x_deb1.dtb in the current folder.
make_bootfs_dir() {
	mkdir -p "$1"
	fake_kernel "$1/Image"
	mkimage -q -f auto -A riscv -O linux -T kernel -C none -a 0x200000 -e 0x200000 \
		-d "$1/Image" "$1/Image.itb" >/dev/null
	rm -f "$1/Image"
	cp k1-x_deb1.dtb "$1/k1-x_deb1.dtb"
	seeded_bytes 4096 initramfs | gzip -n >"$1/initramfs-generic.img"
}

done_testing() { echo "1..$_n"; }
