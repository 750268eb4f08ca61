# Shared by the tests that drive `k1fw emulate` (source after lib.sh, from
# inside $T): a release folder from synthetic payloads, an emulator run in
# the background on a free loopback port (killed when the test ends), and the
# Debian fastboot client talking to it.
EPID=
trap '[ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

# make_bundle DIR [ROOTFS_BYTES]: a k1fw release in DIR (vendor SPL when
# present, else a synthetic one), with a bootfs the vendor U-Boot boots (lib.sh make_bootfs_dir) and a
# seeded rootfs.
make_bundle() {
	rm -f rootfs.ext4
	ROOTFS_BYTES=${2:-3145728} make_inputs
	SOURCE_DATE_EPOCH=1700000000 "$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
		--uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb --env env.txt --bootfs bootfs.ext4 \
		--rootfs rootfs.ext4 -o "$1" >/dev/null
}

# start_emu NAME ARGS...: run the emulator in the background (console in
# NAME.out, log in NAME.log), wait until it listens; sets PORT and EPID.
# EMU_TRANSPORT=udp: fastboot over UDP instead of TCP.
start_emu() {
	name=$1; shift
	rm -f "$name.ready"
	"$K1FW" emulate --listen "${EMU_TRANSPORT:-tcp}:127.0.0.1:0" --ready-file "$name.ready" \
		--reenum-ms 200 "$@" \
		>"$name.out" 2>"$name.log" &
	EPID=$!
	i=0
	while [ ! -s "$name.ready" ] && [ $i -lt 200 ] && kill -0 "$EPID" 2>/dev/null; do
		sleep 0.05; i=$((i + 1)); done
	PORT=$(sed 's/.*://' "$name.ready" 2>/dev/null)
}
stop_emu() { [ -n "$EPID" ] && kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null; EPID=; }
# wait_emu: the emulator exits by itself (--exit-after-boot); sets erc.
wait_emu() {
	i=0
	while kill -0 "$EPID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	wait "$EPID"; erc=$?; EPID=
}
# storage_digest DIR: one line per storage file, by content (not allocation).
storage_digest() { python3 "$TOP/tests/cli/content_digest.py" "$1"/*.img; }
# fb ARGS...: the Debian fastboot client against the emulator (output in fb.log).
fb() { fastboot -s "tcp:127.0.0.1:$PORT" "$@" >>fb.log 2>&1; }
# wait_up: poll until the next stage answers (the device re-enumerates).
wait_up() { i=0; until fb getvar max-download-size || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done; }
# fb_vendor_list REL: the vendor's command list with the Debian fastboot
# client, BootROM to reboot (polling for the board where the manual sleeps)
fb_vendor_list() {
	fb stage "$1/factory/FSBL.bin" && fb continue && wait_up && fb stage "$1/u-boot.itb" &&
		fb continue && wait_up && fb flash gpt "$1/partition_universal.json" &&
		fb flash bootinfo "$1/factory/bootinfo_emmc.bin" && fb flash fsbl "$1/factory/FSBL.bin" &&
		fb flash env "$1/env.bin" && fb flash opensbi "$1/fw_dynamic.itb" &&
		fb flash uboot "$1/u-boot.itb" && fb flash bootfs "$1/bootfs.ext4" &&
		fb flash rootfs "$1/rootfs.ext4" && fb reboot
}
# gzip_lookalike_release REL OUT: a copy of release REL whose env.bin makes
# vendor U-Boot guess gzip (byte 2 = 8, byte 3 & 0xE0 = 0; one env.txt in
# ~2048 does), SHA256SUMS updated; the env's text in OUT.txt.
gzip_lookalike_release() {
	python3 - >"$2.txt" <<'PY'
import zlib
for n in range(1 << 20):
    d = b"bootdelay=0\0k1fw_trap=%d\0\0" % n
    d += b"\xff" * (0x4000 - 4 - len(d))
    c = zlib.crc32(d).to_bytes(4, "little")
    if c[2] == 8 and not c[3] & 0xE0:
        print("bootdelay=0\nk1fw_trap=%d" % n)
        break
PY
	cp -a "$1" "$2" && "$K1FW" env -i "$2.txt" -o "$2/env.bin" >/dev/null && resum "$2"
}
# resum REL: SHA256SUMS of REL again, after a test changed a file in it
resum() { (cd "$1" && sha256sum $(sed 's/^[0-9a-f]* *//' SHA256SUMS) >SHA256SUMS.new && mv SHA256SUMS.new SHA256SUMS); }
