#!/usr/bin/env python3
"""A misbehaving fastboot UDP device, for the client's error paths.

Usage: udp_fake.py MODE READY_FILE
Binds 127.0.0.1 on a free port, writes "127.0.0.1:PORT" to READY_FILE and
answers (AOSP fastboot_protocol.txt "UDP Protocol v1") until killed:
  silent     reads every packet, answers none
  runt       answers every packet with 2 bytes (shorter than a header)
  wrongseq   answers the QUERY with another sequence number (never matches)
  initerror  a good QUERY answer, then an ERROR packet for INIT
  oldversion INIT answered with protocol version 0
  smallpkt   INIT answered with a 100-byte packet size
  outofturn  a good handshake, then data in the answer to a write
  overflow   a good handshake, then a 1000-byte reply in 3 continued pieces
"""
import os
import socket
import struct
import sys

ERROR, QUERY, INIT, FASTBOOT = 0, 1, 2, 3


def main():
    mode, ready = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(ready + ".tmp", "w") as f:
        f.write("127.0.0.1:%d\n" % s.getsockname()[1])
    os.rename(ready + ".tmp", ready)
    pending = b""  # reply bytes still to hand out (overflow mode)
    while True:
        pkt, peer = s.recvfrom(65535)
        if len(pkt) < 4 or mode == "silent":
            continue
        pid, _flags, seq = struct.unpack(">BBH", pkt[:4])
        data = pkt[4:]

        def answer(i, payload=b"", flags=0, sq=seq):
            s.sendto(struct.pack(">BBH", i, flags, sq) + payload, peer)

        if mode == "runt":
            s.sendto(b"\x01\x00", peer)
        elif pid == QUERY:
            answer(QUERY, struct.pack(">H", 7), sq=(seq + 1) & 0xFFFF if mode == "wrongseq" else seq)
        elif pid == INIT:
            if mode == "initerror":
                answer(ERROR, b"device busy\x01")
            elif mode == "oldversion":
                answer(INIT, struct.pack(">HH", 0, 1024))
            elif mode == "smallpkt":
                answer(INIT, struct.pack(">HH", 1, 100))
            else:
                answer(INIT, struct.pack(">HH", 1, 512))
        elif pid == FASTBOOT:
            if data:  # a write
                answer(FASTBOOT, b"OKAY" if mode == "outofturn" else b"")
                if mode == "overflow":
                    pending = b"INFO" + b"x" * 996
            elif pending:  # a read: the next piece
                piece, pending = pending[:400], pending[400:]
                answer(FASTBOOT, piece, flags=1 if pending else 0)
            else:
                answer(FASTBOOT, b"OKAY")


if __name__ == "__main__":
    main()
