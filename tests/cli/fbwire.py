#!/usr/bin/env python3
"""Every fastboot reply, verbatim, over UDP (the AOSP protocol as U-Boot's
net/fastboot.c serves it) or TCP: what the Debian client hides (OKAY texts,
a reply with no status). Used to compare the vendor's U-Boot sandbox with
k1fw emulate.

  fbwire.py udp:HOST:PORT|tcp:HOST:PORT STEP...

A STEP is a command ("getvar:version", "flash:gpt"), or @FILE: download
FILE ("download:%08x", then its bytes). One line per reply packet:
"getvar:version -> OKAY0.4"; a reply without status is "(no status)";
INFO lines come before the final one."""
import socket
import struct
import sys

TIMEOUT = 2.0
TRIES = 60  # 2 min per packet: the sandbox on a loaded machine


class Udp:
    def __init__(self, host, port):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.settimeout(TIMEOUT / 4)
        self.addr = (host, port)
        self.seq = 0
        r = self.xfer(1, 0, b"", query=True)
        self.seq = struct.unpack(">H", r[:2])[0]
        r = self.xfer(2, 0, struct.pack(">HH", 1, 2048))
        self.max = min(struct.unpack(">HH", r[:4])[1], 2048) - 4

    def xfer(self, pid, flags, data, query=False):
        pkt = struct.pack(">BBH", pid, flags, 0 if query else self.seq) + data
        for _ in range(TRIES * 4):
            self.s.sendto(pkt, self.addr)
            try:
                while True:
                    r, _ = self.s.recvfrom(4096)
                    rid, _, rseq = struct.unpack(">BBH", r[:4])
                    if rid == 0:
                        raise OSError("device error: %r" % r[4:])
                    if query or rseq == self.seq:
                        break
            except socket.timeout:
                continue
            if not query:
                self.seq = (self.seq + 1) & 0xFFFF
            return r[4:]
        raise OSError("no reply from %s:%d" % self.addr)

    def send(self, data):
        """Send a message; the reply to its last packet."""
        for i in range(0, max(len(data), 1), self.max):
            more = i + self.max < len(data)
            r = self.xfer(3, 1 if more else 0, data[i:i + self.max])
        return r

    def reply(self, first):
        """U-Boot answers a message's last packet with nothing and the next
        (empty) packet with the reply, as the AOSP client polls: INFO lines
        are followed by further polls; an empty reply has no status."""
        out, r = [], first if first else self.xfer(3, 0, b"")
        while True:
            out.append(r)
            if not r.startswith(b"INFO"):
                return out
            r = self.xfer(3, 0, b"")


class Tcp:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=30)
        self.s.sendall(b"FB01")
        assert self.recv(4) == b"FB01"

    def recv(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise OSError("connection closed")
            b += c
        return b

    def send(self, data):
        self.s.sendall(struct.pack(">Q", len(data)) + data)
        return None

    def reply(self, first):
        out = []
        while True:
            n = struct.unpack(">Q", self.recv(8))[0]
            r = self.recv(n)
            out.append(r)
            if not r.startswith(b"INFO"):
                return out


def show(label, replies):
    for r in replies:
        print("%s -> %s" % (label, r.decode("latin-1") if r else "(no status)"))


def main():
    kind, host, port = sys.argv[1].split(":")
    dev = Udp(host, int(port)) if kind == "udp" else Tcp(host, int(port))
    for step in sys.argv[2:]:
        if step.startswith("@"):
            data = open(step[1:], "rb").read()
            cmd = b"download:%08x" % len(data)
            rep = dev.reply(dev.send(cmd))
            show(cmd.decode(), rep)
            if rep[-1].startswith(b"DATA"):
                show("(%d bytes)" % len(data), dev.reply(dev.send(data)))
        else:
            show(step, dev.reply(dev.send(step.encode("latin-1"))))


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        print("fbwire: %s" % e, file=sys.stderr)
        sys.exit(1)
