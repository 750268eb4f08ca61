#!/usr/bin/env python3
"""Raw fastboot-over-TCP packets for the emulator tests: what the Debian
client never sends. Usage: fbraw.py PORT CMD... ; each CMD is sent as one
frame and the final reply printed. "@drop:SIZE:SENT" announces a download
of SIZE bytes, sends SENT of them and closes the connection."""
import socket
import struct
import sys


def frame(s, data):
    s.sendall(struct.pack(">Q", len(data)) + data)


def reply(s):
    while True:
        n = struct.unpack(">Q", recv(s, 8))[0]
        r = recv(s, n)
        if not r.startswith(b"INFO"):
            return r.decode("ascii", "replace")


def recv(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("closed")
        b += c
    return b


port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"FB01")
assert recv(s, 4) == b"FB01"
for cmd in sys.argv[2:]:
    if cmd.startswith("@drop:"):
        _, size, sent = cmd.split(":")
        frame(s, b"download:%08x" % int(size))
        print(reply(s))
        s.sendall(struct.pack(">Q", int(size)) + b"\x5a" * int(sent))
        s.close()
        sys.exit(0)
    data = cmd.encode("latin-1").decode("unicode_escape").encode("latin-1")
    frame(s, data)
    print(reply(s))
s.close()
