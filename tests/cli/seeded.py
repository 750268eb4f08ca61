"""Seeded pseudo-random bytes for the tests, instead of the system random device: the
same SEED (any string) always gives the same bytes, SHAKE-256 of
"k1fw-test:SEED", on every machine and Python version, so a failing run can
be repeated and its files diffed. Python tests import seeded_bytes (lib.sh
puts tests/cli on PYTHONPATH); shell tests call seeded_bytes N SEED.

usage: seeded.py N SEED   (N bytes on stdout)"""
import hashlib
import sys


def seeded_bytes(n, seed):
    return hashlib.shake_256(f"k1fw-test:{seed}".encode()).digest(n)


if __name__ == "__main__":
    sys.stdout.buffer.write(seeded_bytes(int(sys.argv[1], 0), sys.argv[2]))
