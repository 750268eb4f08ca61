#!/usr/bin/env python3
"""Compare eMMC images from the vendor's U-Boot sandbox and k1fw emulate,
GUIDs aside: the vendor's `gpt write` picks random disk and partition GUIDs
(and so header and entry-array CRCs), the emulator hashes them. Only
non-zero 4 KiB blocks count (content, not allocation; data extents only).

  vendor_disk.py digest FILE[@OFF+LEN] [--gpt]   SHA-256 of the content
  vendor_disk.py diff A[@OFF+LEN] B[@OFF+LEN] [--gpt]  first differing blocks
  vendor_disk.py gpt FILE                         the GPT entries, one a line

FILE@OFF+LEN takes LEN bytes at OFF (the board keeps boot0 and boot1 in
one file: disk.img.boot@0+4194304). --gpt masks the GUIDs and CRCs of the
primary and backup GPT of a region that is a whole disk."""
import hashlib
import os
import struct
import sys

BLOCK = 4096
SECTOR = 512


def region(spec):
    path, _, rng = spec.partition("@")
    size = os.path.getsize(path)
    if not rng:
        return path, 0, size
    off, _, ln = rng.partition("+")
    return path, int(off, 0), int(ln, 0)


def gpt_masks(f, base, size):
    """(offset, length) ranges to zero: both headers' GUID and CRCs, the
    unique GUIDs of used entries."""
    masks = []
    last = size // SECTOR - 1
    for hdr_lba in (1, last):
        f.seek(base + hdr_lba * SECTOR)
        h = f.read(92)
        if len(h) < 92 or h[:8] != b"EFI PART":
            continue
        masks += [(hdr_lba * SECTOR + 16, 4), (hdr_lba * SECTOR + 56, 16),
                  (hdr_lba * SECTOR + 88, 4)]
        ent_lba, n, esz = struct.unpack("<QII", h[72:88])
        f.seek(base + ent_lba * SECTOR)
        ents = f.read(n * esz)
        for i in range(n):
            e = ents[i * esz:(i + 1) * esz]
            if e[:16].strip(b"\0"):
                masks.append((ent_lba * SECTOR + i * esz + 16, 16))
    return masks


def blocks(spec, gpt):
    """{block offset: bytes} of the non-zero blocks, masked."""
    path, base, size = region(spec)
    out = {}
    with open(path, "rb") as f:
        fd = f.fileno()
        masks = gpt_masks(f, base, size) if gpt else []
        pos = base
        end_all = base + size
        while pos < end_all:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            if start >= end_all:
                break
            end = min(os.lseek(fd, start, os.SEEK_HOLE), end_all)
            start -= (start - base) % BLOCK
            f.seek(start)
            off = start
            while off < end:
                blk = bytearray(f.read(min(BLOCK, end_all - off)))
                if not blk:
                    break
                rel = off - base
                for m, ln in masks:
                    if rel <= m < rel + len(blk):
                        blk[m - rel:m - rel + ln] = bytes(ln)
                if blk.strip(b"\0"):
                    out[rel] = bytes(blk)
                off += len(blk)
            pos = end
    return out, size


def digest(spec, gpt):
    b, size = blocks(spec, gpt)
    h = hashlib.sha256(size.to_bytes(8, "little"))
    for off in sorted(b):
        h.update(off.to_bytes(8, "little") + b[off])
    return h.hexdigest()


def diff(a, b, gpt):
    ba, sa = blocks(a, gpt)
    bb, sb = blocks(b, gpt)
    if sa != sb:
        print("sizes differ: %d and %d" % (sa, sb))
    bad = sorted(o for o in set(ba) | set(bb) if ba.get(o) != bb.get(o))
    for o in bad[:10]:
        x, y = ba.get(o, bytes(BLOCK)), bb.get(o, bytes(BLOCK))
        first = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), 0)
        print("block 0x%x differs from byte 0x%x: %s / %s" %
              (o, o + first, x[first:first + 8].hex(), y[first:first + 8].hex()))
    if len(bad) > 10:
        print("... %d blocks differ" % len(bad))
    return 1 if bad or sa != sb else 0


def gpt_list(path):
    with open(path, "rb") as f:
        f.seek(SECTOR)
        h = f.read(92)
        if h[:8] != b"EFI PART":
            print("no GPT")
            return
        first, last = struct.unpack("<QQ", h[40:56])
        ent_lba, n, esz = struct.unpack("<QII", h[72:88])
        print("usable %d-%d" % (first, last))
        f.seek(ent_lba * SECTOR)
        for i in range(n):
            e = f.read(esz)
            if not e[:16].strip(b"\0"):
                continue
            s, t = struct.unpack("<QQ", e[32:48])
            name = e[56:128].decode("utf-16le").rstrip("\0")
            print("%s %d %d %s attr=%x" % (name, s, t, e[:16].hex(),
                                           struct.unpack("<Q", e[48:56])[0]))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--gpt"]
    g = "--gpt" in sys.argv
    if args and args[0] == "digest":
        for spec in args[1:]:
            print(digest(spec, g), spec)
    elif args and args[0] == "diff" and len(args) == 3:
        sys.exit(diff(args[1], args[2], g))
    elif args and args[0] == "gpt":
        gpt_list(args[1])
    else:
        sys.exit(__doc__)
