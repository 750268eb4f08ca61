#!/usr/bin/env python3
"""A board on a pseudo-terminal, for k1fw console tests without hardware.

ptyboard.py LINK LOG KEYS [--delay S] [--hold S] [--start-after S]
  makes a pty pair, LINK a symlink to its slave; waits --start-after seconds
  (default 0.3), then writes LOG's lines to the master as a UART would (CR LF,
  --delay seconds apart), appends every byte typed at the board to KEYS, and
  after --hold seconds (default 30) closes the master: the adapter vanishes.
"""
import argparse, os, pty, select, sys, time, tty

ap = argparse.ArgumentParser()
ap.add_argument("link"); ap.add_argument("log"); ap.add_argument("keys")
ap.add_argument("--delay", type=float, default=0.01)
ap.add_argument("--hold", type=float, default=30)
ap.add_argument("--start-after", type=float, default=0.3)
a = ap.parse_args()

master, slave = pty.openpty()
name = os.ttyname(slave)
try:
    os.unlink(a.link)
except FileNotFoundError:
    pass
os.symlink(name, a.link)
tty.setraw(slave)  # as a UART: bytes stay bytes until a reader comes
os.close(slave)
keys = open(a.keys, "ab", buffering=0)

def pump(timeout):
    end = time.time() + timeout
    while True:
        left = end - time.time()
        if left <= 0:
            return
        r, _, _ = select.select([master], [], [], left)
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:  # no reader on the slave side yet
                time.sleep(0.05)
                continue
            keys.write(data)

pump(a.start_after)
with open(a.log, "rb") as f:
    for line in f:
        os.write(master, line.rstrip(b"\r\n") + b"\r\n")
        pump(a.delay)
pump(a.hold)
os.close(master)
os.unlink(a.link)
