# Shared helpers for the command-line tests: TAP output, one line per check.
# Each test file sources this, calls the helpers, and ends with `done_testing`.
set -u
: "${K1FW:?K1FW must name the k1fw binary}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VENDOR=${K1FW_VENDOR_DIR:-$TOP/../shared/vendor}
T=$(mktemp -d /tmp/k1fw-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }
have_vendor() { [ -d "$VENDOR/golden" ] && [ -d "$VENDOR/k1-x" ]; }

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

# same_file A B DESC
same_file() {
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3 ($1 differs from $2)"; cmp "$1" "$2" | sed 's/^/#   /'; fi
}

# make_inputs: in the current folder, what `k1fw bundle` takes, from synthetic
# payloads: keys/, fw_dynamic.bin, u-boot-nodtb.bin, spl.bin (the vendor's
# when present), k1-x_deb1.dtb, env.txt; bootfs.ext4 and rootfs.ext4 of
# random bytes unless the test made its own (ROOTFS_BYTES, default 3 MiB).
make_inputs() {
	"$K1FW" keygen -o keys >/dev/null
	head -c 150000 /dev/urandom >fw_dynamic.bin
	head -c 700000 /dev/urandom >u-boot-nodtb.bin
	head -c 100000 /dev/urandom >spl.bin
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
	[ -f rootfs.ext4 ] || head -c "${ROOTFS_BYTES:-3145728}" /dev/urandom >rootfs.ext4
}

# fake_kernel OUT [SIZE]: a RISC-V Image ("RSC\x05" at 0x38) of random bytes
fake_kernel() {
	head -c "${2:-65536}" /dev/urandom >"$1"
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
	head -c 4096 /dev/urandom | gzip -n >"$1/initramfs-generic.img"
}

done_testing() { echo "1..$_n"; }
