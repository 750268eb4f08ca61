#!/bin/sh
# Android sparse images: k1fw against AOSP libsparse's own tools. img2simg
# makes images from files with data, fill patterns and zeros; simg2simg
# splits them into pieces with DONT_CARE chunks; simg_dump -c lists the
# chunks and simg2img expands. k1fw's chunk table, block counts and
# expanded size must match, and damage must be named with its offset.
# libsparse itself (a small C program linked with -lsparse, when its headers
# are installed) judges damage and CRC32 chunks alongside k1fw.
. "$(dirname "$0")/lib.sh"

need_tools "sparse tests" "android-sdk-libsparse-utils" img2simg simg2img simg2simg simg_dump python3

# libsparse itself as the peer: a small C program (write: an image with the
# CRC32 chunk libsparse's writer appends; read: libsparse's reader with CRC
# checks, exit 0 when it accepts). PEER stays empty without the headers.
PEER=""
if [ -f /usr/include/android/sparse/sparse.h ] && command -v cc >/dev/null 2>&1; then
	cat >"$T/peer.c" <<'EOF'
#include <android/sparse/sparse.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	static char data[3 * 4096];
	struct sparse_file *s;
	int fd;
	if (argc != 3)
		return 2;
	if (!strcmp(argv[1], "read")) {
		fd = open(argv[2], O_RDONLY);
		return fd < 0 || !sparse_file_import(fd, false, true);
	}
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	s = sparse_file_new(4096, 64 * 4096);
	sparse_file_add_data(s, data, sizeof(data), 2);
	sparse_file_add_fill(s, 0x12345678, 5 * 4096, 10);
	sparse_file_add_data(s, data, 4096, 40);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	return fd < 0 || sparse_file_write(s, fd, false, true, true) || close(fd);
}
EOF
	libdir=/usr/lib/x86_64-linux-gnu/android
	[ -d "$libdir" ] || libdir=$(dirname "$(find /usr/lib -name 'libsparse.so*' 2>/dev/null | head -1)")
	cc -o "$T/peer" "$T/peer.c" -L"$libdir" -Wl,-rpath,"$libdir" -lsparse 2>"$T/cc.err" &&
		PEER="$T/peer"
fi
# peer_refuses DESC FILE: libsparse's checking reader refuses FILE too.
peer_refuses() {
	if [ -z "$PEER" ]; then skip "no libsparse peer (android-libsparse-dev)"
	elif "$PEER" read "$2" 2>/dev/null; then not_ok "libsparse accepted: $1"
	else ok "libsparse's reader refuses it too: $1"; fi
}

# A raw file: zeros, seeded data, a 0xdeadbeef fill, a 0x77 run, an odd tail.
python3 - "$T/a.raw" <<'PY'
import sys
from seeded import seeded_bytes
d = bytearray(5 * 1024 * 1024 + 1000)
d[10000:310000] = seeded_bytes(300000, "a.raw-data")
d[1 << 20:(1 << 20) + (1 << 19)] = b"\xde\xad\xbe\xef" * (1 << 17)
d[3 << 20:(3 << 20) + 5000] = b"\x77" * 5000
d[-700:] = seeded_bytes(700, "a.raw-tail")
open(sys.argv[1], "wb").write(d)
PY
img2simg "$T/a.raw" "$T/a.simg" && img2simg "$T/a.raw" "$T/b.simg" 1024 &&
	simg2simg "$T/a.simg" "$T/p.simg" 200000 || not_ok "img2simg / simg2simg"

# chunk rows from simg_dump -c and from k1fw inspect --json, side by side
compare_chunks() { # $1 = sparse image
	simg_dump -c "$T/dump.csv" "$1" >/dev/null &&
		"$K1FW" inspect --json "$1" >"$T/k1.json" &&
		python3 - "$T/dump.csv" "$T/k1.json" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))[1:]
k1 = json.load(open(sys.argv[2]))["files"][0]
names = {"raw": "Raw data", "dont_care": "Don't care"}
def kind(c):
    if c["type"] == "fill":
        return "Fill with 0x%08X" % int(c["value"], 16)
    return names[c["type"]]
bs = k1["blk_sz"]
a = [(int(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5]) for r in rows]
b = [(c["file_offset"] + 12, c["data_bytes"], c["output_offset"] // bs, c["blocks"], kind(c))
     for c in k1["chunks"]]
assert a == b, f"simg_dump {a} != k1fw {b}"
assert sum(c["blocks"] for c in k1["chunks"]) == k1["total_blks"]
assert k1["chunks_ok"] and k1["format"] == "sparse"
PY
}

# expanded size from k1fw == simg2img's output size; content == the original
compare_expand() { # $1 = sparse image, $2 = original (or "" to skip content)
	simg2img "$1" "$T/x.out" 2>/dev/null &&
		"$K1FW" inspect --json "$1" >"$T/k1.json" &&
		python3 - "$T/k1.json" "$T/x.out" "$2" <<'PY'
import json, os, sys
k1 = json.load(open(sys.argv[1]))["files"][0]
size = os.path.getsize(sys.argv[2])
assert k1["expanded_size"] == size == k1["total_blks"] * k1["blk_sz"], (k1["expanded_size"], size)
if sys.argv[3]:
    raw = open(sys.argv[3], "rb").read()
    out = open(sys.argv[2], "rb").read()
    assert out[:len(raw)] == raw and not any(out[len(raw):]), "content differs"
PY
}

for f in a.simg b.simg p.simg.0 p.simg.1; do
	if compare_chunks "$T/$f"; then ok "$f: chunk table agrees with simg_dump"; else
		not_ok "$f: chunk table differs from simg_dump"; fi
	expect_rc 0 "$f: verify is clean" "$K1FW" verify "$T/$f"
done
if compare_expand "$T/a.simg" "$T/a.raw" && compare_expand "$T/b.simg" "$T/a.raw"; then
	ok "expanded size matches simg2img, which gives back the original (4 KiB and 1 KiB blocks)"
else not_ok "expanded size or content differs from simg2img"; fi
if compare_expand "$T/p.simg.1" ""; then ok "a simg2simg piece: expanded size matches simg2img"
else not_ok "simg2simg piece: expanded size differs"; fi

"$K1FW" inspect --json "$T/p.simg.0" >"$T/k1.json"
if python3 -c '
import json, sys
k = json.load(open(sys.argv[1]))["files"][0]
assert k["chunk_counts"]["dont_care"] >= 1 and k["block_counts"]["dont_care"] > 0, k["chunk_counts"]' "$T/k1.json"
then ok "simg2simg pieces carry DONT_CARE chunks, counted by type"; else not_ok "no DONT_CARE counted"; fi
expect_rc 0 "inspect (text) of a sparse image" "$K1FW" inspect "$T/a.simg"
if grep -q "expanded_size" "$T/out" && grep -q "dont_care" "$T/out"; then ok "text inspect shows sizes and counts"
else not_ok "text inspect lacks expanded_size/counts"; fi

# ---- damage: k1fw names it, simg2img refuses it too ----
size=$(wc -c <"$T/a.simg")

head -c $((size - 100)) "$T/a.simg" >"$T/cut.simg"
run "$K1FW" verify "$T/cut.simg"
verify_fails "truncated: the chunk that runs past the end is named" "FAIL sparse.chunks @ 0x[0-9a-f]*: .*chunk [0-9]* at 0x"
peer_refuses "truncated" "$T/cut.simg" # (simg2img alone writes it out without a word)

cp "$T/a.simg" "$T/trail.simg"
printf 'junk' >>"$T/trail.simg"
run "$K1FW" verify "$T/trail.simg"
verify_fails "trailing garbage" "FAIL sparse.trailing @ 0x$(printf %x "$size"): .*found 4 more bytes"

cp "$T/a.simg" "$T/blks.simg"
flip "$T/blks.simg" 16
run "$K1FW" verify "$T/blks.simg"
verify_fails "total_blks changed" "FAIL sparse.total_blks @ 0x10"
peer_refuses "total_blks changed" "$T/blks.simg"

cp "$T/a.simg" "$T/type.simg"
flip "$T/type.simg" 28
run "$K1FW" verify "$T/type.simg"
verify_fails "first chunk type destroyed" "FAIL sparse.chunks @ 0x1c: .*unknown chunk type"
peer_refuses "unknown chunk type" "$T/type.simg"

cp "$T/a.simg" "$T/blk.simg"
printf '\002' | dd of="$T/blk.simg" bs=1 seek=12 conv=notrunc status=none
run "$K1FW" verify "$T/blk.simg"
verify_fails "blk_sz not a multiple of 4" "FAIL sparse.blk_sz @ 0xc"

bad=""
for len in 0 1 4 27 28 29 40 41 $((size / 2)) $((size - 1)); do
	head -c "$len" "$T/a.simg" >"$T/cut.simg"
	"$K1FW" verify "$T/cut.simg" >/dev/null 2>&1
	r=$?
	# under 4 bytes there is no magic: unknown (2); after it, a failure (1) or unreadable (2)
	[ "$r" -eq 1 ] || [ "$r" -eq 2 ] || bad="$bad $len:exit$r"
done
if [ -z "$bad" ]; then ok "truncations fail cleanly"; else not_ok "truncations:$bad"; fi

# ---- CRC32 chunks, with libsparse as the peer ----
if [ -f /usr/include/android/sparse/sparse.h ] && command -v cc >/dev/null 2>&1; then
	cat >"$T/peer.c" <<'EOF'
/* peer write OUT: RAW, FILL and holes plus the CRC32 chunk libsparse's writer
 * appends. peer read IN: libsparse's reader with CRC checking, exit 0 if
 * it accepts the file. */
#include <android/sparse/sparse.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	static char data[3 * 4096];
	struct sparse_file *s;
	int fd;
	if (argc != 3)
		return 2;
	if (!strcmp(argv[1], "read")) {
		fd = open(argv[2], O_RDONLY);
		return fd < 0 || !sparse_file_import(fd, false, true);
	}
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	s = sparse_file_new(4096, 64 * 4096);
	sparse_file_add_data(s, data, sizeof(data), 2);
	sparse_file_add_fill(s, 0x12345678, 5 * 4096, 10);
	sparse_file_add_data(s, data, 4096, 40);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	return fd < 0 || sparse_file_write(s, fd, false, true, true) || close(fd);
}
EOF
	libdir=/usr/lib/x86_64-linux-gnu/android
	[ -d "$libdir" ] || libdir=$(dirname "$(find /usr/lib -name 'libsparse.so*' 2>/dev/null | head -1)")
	if cc -o "$T/peer" "$T/peer.c" -L"$libdir" -Wl,-rpath,"$libdir" -lsparse 2>"$T/cc.err" &&
		"$T/peer" write "$T/crc.simg"; then
		# the CRC chunk is the last 4 bytes; what libsparse's reader wants there
		# is the CRC-32 of the whole expanded image so far
		want=$(simg2img "$T/crc.simg" "$T/crc.raw" && python3 -c '
import sys, zlib; print(zlib.crc32(open(sys.argv[1], "rb").read()))' "$T/crc.raw")
		run "$K1FW" verify --verbose "$T/crc.simg"
		if [ "$rc" -eq 0 ] && grep -q "ok sparse.crc32.*libsparse writer" "$T/out"; then
			ok "libsparse's writer CRC (RAW data + one block per FILL) is accepted and named"
		else not_ok "libsparse writer's CRC32 chunk"; sed 's/^/#   /' "$T/out" | tail -3; fi
		if "$T/peer" read "$T/crc.simg"; then skip "this libsparse's reader accepts its writer's CRC"
		else ok "(libsparse's own reader rejects its writer's CRC: the convention differs)"; fi
		cp "$T/crc.simg" "$T/crc2.simg"
		python3 -c '
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(-4, 2); f.write(struct.pack("<I", int(sys.argv[2])))' "$T/crc2.simg" "$want"
		if "$T/peer" read "$T/crc2.simg" && "$K1FW" verify "$T/crc2.simg" >/dev/null; then
			ok "the CRC of the expanded output: accepted by libsparse's reader and by k1fw"
		else not_ok "expanded-output CRC not accepted by both"; fi
		flip "$T/crc2.simg" $(($(wc -c <"$T/crc2.simg") - 2))
		run "$K1FW" verify "$T/crc2.simg"
		if [ "$rc" -eq 1 ] && grep -q "FAIL sparse.crc32 @ 0x" "$T/out" && ! "$T/peer" read "$T/crc2.simg"; then
			ok "a wrong CRC32 chunk: k1fw and libsparse's reader both refuse it"
		else not_ok "wrong CRC32 chunk"; fi
	else
		skip "could not build the libsparse peer: $(head -1 "$T/cc.err")"
	fi
else
	skip "android-libsparse-dev not installed: no libsparse CRC peer"
fi

# ---- CRC32 chunks: libsparse's writer and reader disagree ----
if [ -n "$PEER" ] && "$PEER" write "$T/crc.simg"; then
	# what libsparse's reader wants in the CRC chunk (the last 4 bytes): the
	# CRC-32 of the whole expanded image so far
	want=$(simg2img "$T/crc.simg" "$T/crc.raw" && python3 -c '
import sys, zlib; print(zlib.crc32(open(sys.argv[1], "rb").read()))' "$T/crc.raw")
	run "$K1FW" verify --verbose "$T/crc.simg"
	if [ "$rc" -eq 0 ] && grep -q "ok sparse.crc32.*libsparse writer" "$T/out"; then
		ok "libsparse's writer CRC (RAW data + one block per FILL) is accepted and named"
	else not_ok "libsparse writer's CRC32 chunk"; sed 's/^/#   /' "$T/out" | tail -3; fi
	if "$PEER" read "$T/crc.simg" 2>/dev/null; then skip "this libsparse's reader accepts its writer's CRC"
	else ok "(libsparse's own reader rejects its writer's CRC: the conventions differ)"; fi
	cp "$T/crc.simg" "$T/crc2.simg"
	python3 -c '
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(-4, 2); f.write(struct.pack("<I", int(sys.argv[2])))' "$T/crc2.simg" "$want"
	if "$PEER" read "$T/crc2.simg" && "$K1FW" verify "$T/crc2.simg" >/dev/null; then
		ok "the CRC of the expanded output: accepted by libsparse's reader and by k1fw"
	else not_ok "expanded-output CRC not accepted by both"; fi
	flip "$T/crc2.simg" $(($(wc -c <"$T/crc2.simg") - 2))
	run "$K1FW" verify "$T/crc2.simg"
	verify_fails "a wrong CRC32 chunk is named" "FAIL sparse.crc32 @ 0x"
	peer_refuses "wrong CRC32 chunk" "$T/crc2.simg"
else
	skip "no libsparse peer: CRC32 chunk conventions not cross-checked"
fi

done_testing
