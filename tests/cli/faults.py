#!/usr/bin/env python3
"""Fault campaign: k1fw flash against k1fw emulate with one random fault per
run (connection dropped after N download bytes, FAIL answered to command K,
command K stalled past or within the host's timeout, slow re-enumeration past
or within the wait timeout). Every run must either complete with storage equal
to a clean flash, or fail loudly: non-zero exit and a JSON error event naming
the step. A failed board is then powered on again (FDL key held) and flashed
without faults; it must recover to the clean storage. A run that exits 0 with
wrong storage is a silent corruption.

usage: faults.py K1FW RELEASE_DIR WORKDIR RUNS SEED   (TAP on stdout)"""
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from content_digest import digest  # noqa: E402

K1FW, REL, WORK, RUNS, SEED = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
STEPS = ("stage", "continue", "gpt", "bootinfo", "fsbl", "env", "opensbi", "uboot", "bootfs",
         "rootfs", "reboot", "waiting", "connect", "getvar", "brom", "spl", "u-boot", "come back")
# Storage files the eMMC flash writes; SPI flash files are shared read-only
# templates (256 MiB of 0xFF each time would dominate the campaign).
EMMC = ("emmc-boot0.img", "emmc-boot1.img", "emmc-user.img")


class Emu:
    def __init__(self, board, args):
        ready = os.path.join(WORK, "ready")
        if os.path.exists(ready):
            os.unlink(ready)
        self.log = open(os.path.join(WORK, "emu.log"), "w")
        self.p = subprocess.Popen([K1FW, "emulate", "--board", board, "--listen", "127.0.0.1:0",
                                   "--ready-file", ready, "--exit-after-boot", "--reenum-ms", "100",
                                   "--max-download-size", "1M"] + args,
                                  stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(400):
            if os.path.exists(ready) and os.path.getsize(ready) > 0:
                break
            time.sleep(0.01)
        self.port = open(ready).read().strip().split(":")[-1]

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.log.close()


def new_board(n):
    board = os.path.join(WORK, "board%d" % n)
    os.makedirs(board)
    for f in ("spinor.img", "spinand.img"):
        t = os.path.join(WORK, "template", f)
        if os.path.exists(t):  # absent for the reference board, which makes them
            os.link(t, os.path.join(board, f))
    return board


def board_sum(board):
    return [digest(os.path.join(board, f)) for f in EMMC]


def flash(port, timeout="3", io_timeout="3"):
    r = subprocess.run([K1FW, "flash", "--bundle", REL, "-s", "tcp:127.0.0.1:" + port, "--json",
                        "--timeout", timeout, "--io-timeout", io_timeout],
                       capture_output=True, text=True, timeout=120)
    events = []
    for line in r.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    return r.returncode, events, r.stderr


def clean_flash(n, extra=()):
    board = new_board(n)
    emu = Emu(board, list(extra))
    rc, _, err = flash(emu.port)
    emu.stop()
    return rc, board, err


def main():
    os.makedirs(os.path.join(WORK, "template"))
    # SPI flash templates: the emulator creates them erased on first use
    rc, ref, err = clean_flash(0)
    if rc:
        print("not ok 1 - reference flash failed: %s" % err.strip().splitlines()[-1:])
        print("1..1")
        return 1
    for f in ("spinor.img", "spinand.img"):
        os.rename(os.path.join(ref, f), os.path.join(WORK, "template", f))
    ref_sum = board_sum(ref)
    ncmds = sum(1 for line in open(os.path.join(WORK, "emu.log")) if "] " in line and "->" not in line)
    rnd = random.Random(SEED)
    n = 0
    tally = {"completed": 0, "failed_loudly": 0, "recovered": 0, "silent": 0, "unnamed": 0}
    kinds = {}
    for i in range(1, RUNS + 1):
        kind = rnd.choice(("drop", "fail", "stall", "reenum"))
        timeout, io_timeout = "3", "3"
        if kind == "drop":
            args = ["--fault-drop-after", str(rnd.randint(1, 6 << 20))]  # the whole flash moves ~6 MiB
        elif kind == "fail":
            args = ["--fault-fail-cmd", str(rnd.randint(1, ncmds))]
        elif kind == "stall":
            ms = rnd.choice((200, 1500))
            args = ["--fault-stall-cmd", str(rnd.randint(1, ncmds)), "--fault-stall-ms", str(ms)]
            io_timeout = "1"
        else:
            ms = rnd.choice((300, 1500))
            args = ["--reenum-ms", str(ms)]
            timeout = "1"
        kinds[kind] = kinds.get(kind, 0) + 1
        board = new_board(i)
        emu = Emu(board, args)
        rc, events, err = flash(emu.port, timeout, io_timeout)
        emu.stop()
        desc = "%s %s" % (kind, " ".join(args))
        n += 1
        if rc == 0:
            if board_sum(board) == ref_sum:
                tally["completed"] += 1
                print("ok %d - %s: completed, storage equals a clean flash" % (n, desc))
            else:
                tally["silent"] += 1
                print("not ok %d - %s: SILENT CORRUPTION: exit 0 with storage unlike a clean flash" % (n, desc))
            continue
        errors = [e for e in events if e.get("event") == "error"]
        text = " ".join(json.dumps(e) for e in errors) + " " + err
        if errors and any(s in text for s in STEPS):
            tally["failed_loudly"] += 1
            msg = errors[-1].get("message", "")[:110]
            print("ok %d - %s: failed loudly (exit %d): %s" % (n, desc, rc, msg))
        else:
            tally["unnamed"] += 1
            print("not ok %d - %s: exit %d without an error naming the step: %s" % (n, desc, rc, text[:200]))
        # power on again with the FDL key held, flash without faults
        emu = Emu(board, ["--download-key"])
        rc2, _, err2 = flash(emu.port)
        emu.stop()
        n += 1
        if rc2 == 0 and board_sum(board) == ref_sum:
            tally["recovered"] += 1
            print("ok %d - ... then a clean reflash recovers the board" % n)
        else:
            print("not ok %d - ... reflash after the fault: exit %d, storage %s" %
                  (n, rc2, "equal" if board_sum(board) == ref_sum else "differs"))
        for f in os.listdir(board):
            os.unlink(os.path.join(board, f))
        os.rmdir(board)
    print("# faults injected: %d (%s)" % (RUNS, ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    print("# completed correctly %(completed)d, failed loudly %(failed_loudly)d, recovered %(recovered)d, "
          "silent corruptions %(silent)d, failures without a named step %(unnamed)d" % tally)
    print("1..%d" % n)
    return 0


sys.exit(main())
