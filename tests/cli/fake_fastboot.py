#!/usr/bin/env python3
"""A fake K1 fastboot device on the AOSP fastboot TCP transport, for tests.

Speaks "FB01" + 8-byte big-endian frames (spec §6), one connection at a time,
and models the three stages the way spec §1/§6 and research §8 describe them:
  brom  answers getvar:version-brom (1.0), download, continue (-> spl)
  spl   getvar (no version-brom), download, continue (-> uboot)
  uboot getvar (vendor table), download, flash, erase, reboot, continue, oem
After `continue` the device "re-enumerates": the connection is closed and for
--reenum-delay seconds new connections are closed at once.

Everything is recorded under --log DIR: commands.txt (one command a line, in
order, across connections) and dl-NNN.bin (each downloaded payload).
Faults on request: --fail PREFIX[=TEXT] answers FAIL to commands starting with
PREFIX; --drop-download-over N closes the connection halfway through the first
download larger than N bytes (once); --hang PREFIX never answers.
"""
import argparse
import os
import socket
import struct
import sys
import time


class Gone(Exception):
    pass


def recv_exact(conn, n):
    out = bytearray()
    while len(out) < n:
        b = conn.recv(min(n - len(out), 1 << 20))
        if not b:
            raise Gone()
        out += b
    return bytes(out)


def read_frame(conn):
    (n,) = struct.unpack(">Q", recv_exact(conn, 8))
    return recv_exact(conn, n)


def send_frame(conn, data):
    conn.sendall(struct.pack(">Q", len(data)) + data)


class Device:
    def __init__(self, a):
        self.a = a
        self.stage = a.stage
        self.seq = 0
        self.dropped = False
        self.downloaded = None
        self.unavailable_until = 0.0
        os.makedirs(a.log, exist_ok=True)
        self.cmdlog = open(os.path.join(a.log, "commands.txt"), "a", buffering=1)
        self.fails = []
        for f in a.fail or []:
            prefix, _, text = f.partition("=")
            self.fails.append((prefix, text or "injected failure"))

    def getvar(self, name):
        st = self.stage
        if name == "version-brom":
            return "1.0" if st == "brom" else None
        if st == "brom":
            return None
        mds = "0x%08x" % self.a.max_download_size
        table = {
            "version": "0.4",
            "version-bootloader": "U-Boot SPL 2022.10" if st == "spl" else "U-Boot 2022.10spacemit",
            "max-download-size": mds,
            "downloadsize": mds,
            "serialno": "fake0001",
            "product": "k1-x_deb1",
        }
        if st == "uboot":
            table.update({"mtd-size": self.a.mtd_size, "blk-size": self.a.blk_size,
                          "current-slot": "a", "is-userspace": "no"})
            if name.startswith("has-slot:"):
                return "no"
        return table.get(name)

    def serve(self, conn):
        hs = recv_exact(conn, 4)
        if hs[:2] != b"FB":
            return
        conn.sendall(b"FB01")
        while True:
            cmd = read_frame(conn).decode("latin-1")
            self.cmdlog.write(cmd + "\n")
            if any(cmd.startswith(h) for h in self.a.hang or []):
                time.sleep(3600)
            failed = [t for p, t in self.fails if cmd.startswith(p)]
            if failed:
                send_frame(conn, b"FAIL" + failed[0].encode())
                continue
            if not self.handle(conn, cmd):
                return

    def handle(self, conn, cmd):
        """Answer one command; False when the connection must end."""
        verb, _, arg = cmd.partition(":")
        if verb == "getvar":
            v = self.getvar(arg)
            send_frame(conn, b"OKAY" + v.encode() if v is not None else b"FAILVariable not implemented")
        elif verb == "download":
            return self.download(conn, int(arg, 16))
        elif verb == "continue":
            send_frame(conn, b"OKAY")
            if self.stage in ("brom", "spl"):
                self.stage = "spl" if self.stage == "brom" else "uboot"
                self.unavailable_until = time.time() + self.a.reenum_delay
                return False
        elif self.stage != "uboot":
            send_frame(conn, b"FAILunknown command")
        elif verb == "flash":
            if self.downloaded is None:
                send_frame(conn, b"FAILno image downloaded")
            else:
                send_frame(conn, b"INFOwriting '%s' (%d bytes)" % (arg.encode(), self.downloaded))
                send_frame(conn, b"OKAY")
        elif verb in ("erase", "oem", "set_active", "boot"):
            send_frame(conn, b"OKAY")
        elif verb.startswith("reboot"):
            send_frame(conn, b"OKAY")
            return False
        else:
            send_frame(conn, b"FAILunknown command")
        return True

    def download(self, conn, size):
        if size == 0:
            send_frame(conn, b"FAILExpected nonzero image size")
            return True
        if self.stage != "brom" and size > self.a.max_download_size:
            send_frame(conn, b"FAIL%08x" % size)
            return True
        send_frame(conn, b"DATA%08x" % size)
        drop = (not self.dropped and self.a.drop_download_over is not None
                and size > self.a.drop_download_over)
        data = bytearray()
        while len(data) < size:
            data += read_frame(conn)
            if drop and len(data) >= size // 2:
                self.dropped = True
                self.cmdlog.write("# dropped after %d of %d bytes\n" % (len(data), size))
                return False
        if len(data) != size:
            send_frame(conn, b"FAILtoo much data")
            return True
        self.seq += 1
        if not self.a.discard:
            with open(os.path.join(self.a.log, "dl-%03d.bin" % self.seq), "wb") as f:
                f.write(data)
        self.downloaded = size
        send_frame(conn, b"OKAY")
        return True


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the port chosen here")
    p.add_argument("--log", required=True)
    p.add_argument("--stage", choices=["brom", "spl", "uboot"], default="brom")
    p.add_argument("--max-download-size", type=lambda s: int(s, 0), default=0x10000000)
    p.add_argument("--mtd-size", default="NULL")
    p.add_argument("--blk-size", default="universal")
    p.add_argument("--fail", action="append", metavar="PREFIX[=TEXT]")
    p.add_argument("--hang", action="append", metavar="PREFIX")
    p.add_argument("--drop-download-over", type=int)
    p.add_argument("--reenum-delay", type=float, default=0.3)
    p.add_argument("--discard", action="store_true", help="keep no payloads (benchmarks)")
    a = p.parse_args()

    dev = Device(a)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.port))
    srv.listen(8)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.getsockname()[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if time.time() >= dev.unavailable_until:
                dev.serve(conn)
        except (Gone, ConnectionError):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    sys.exit(main())
