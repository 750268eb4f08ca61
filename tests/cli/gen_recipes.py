#!/usr/bin/env python3
"""Random valid vendor recipes for the differential test (test_build_diff.sh).

usage: gen_recipes.py OUTDIR COUNT SEED

Writes OUTDIR/keys/ (fresh test keys made with the openssl tool), OUTDIR/data/
(random source files) and OUTDIR/rNNN.json. Every recipe is one the vendor
script and k1fw must both build, byte for byte: values fit their fields,
every referenced name is defined somewhere, signatures use RSA keys (ECDSA
signatures are randomised, so they are left to the unit tests).
"""
import json
import os
import random
import re
import subprocess
import sys

FUNC_RE = re.compile(r"^\s*(sizeof|sum32|crc32)\s*\((.+)\)\s*$", re.M | re.I)
SPACES = ["", "", " ", "  ", "\t", "\u00a0", "\u3000", " \u2003"]
UNI_DIGITS = [0x30, 0x660, 0xFF10, 0x966]  # ASCII, Arabic-Indic, fullwidth, Devanagari

# name -> (file, kind, bits or curve, private)
KEYS = {
    "rsa1024": ("keys/rsa1024.pem", "RSA", 1024, True),
    "rsa2048p8": ("keys/rsa2048p8.pem", "RSA", 2048, True),
    "rsa1024pub": ("keys/rsa1024pub.pem", "RSA", 1024, False),
    "ec256": ("keys/ec256.pem", "ECC", "prime256v1", True),
    "ec384p8": ("keys/ec384p8.pem", "ECC", "secp384r1", True),
    "ec256pub": ("keys/ec256pub.pem", "ECC", "prime256v1", False),
}


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_keys(out):
    k = os.path.join(out, "keys")
    os.makedirs(k, exist_ok=True)
    p = lambda n: os.path.join(k, n)
    sh("openssl", "genrsa", "-traditional", "-out", p("rsa1024.pem"), "1024")
    sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
       "-out", p("rsa2048p8.pem"))
    sh("openssl", "genrsa", "-out", p("tmp.pem"), "1024")
    sh("openssl", "rsa", "-in", p("tmp.pem"), "-pubout", "-out", p("rsa1024pub.pem"))
    sh("openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", p("ec256.pem"))
    sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp384r1",
       "-out", p("ec384p8.pem"))
    sh("openssl", "ec", "-in", p("ec256.pem"), "-pubout", "-out", p("ec256pub.pem"))
    os.remove(p("tmp.pem"))


def make_data(out, rnd):
    d = os.path.join(out, "data")
    os.makedirs(d, exist_ok=True)
    names = []
    for i, size in enumerate([0, 1, 3, 4, 7, 64, 255, 300, 1000]):
        with open(os.path.join(d, f"d{i}.bin"), "wb") as f:
            f.write(bytes(rnd.getrandbits(8) for _ in range(size)))
        names.append(f"data/d{i}.bin")
    return names


def itob_len(n):
    return max(1, (n.bit_length() + 7) // 8)


class Gen:
    def __init__(self, rnd, data_files):
        self.r = rnd
        self.files = data_files

    def ws(self, s):
        return self.r.choice(SPACES) + s + self.r.choice(SPACES)

    def digits(self, n, base):
        s = {16: "%x", 8: "%o", 2: "%s", 10: "%d"}
        if base == 2:
            return bin(n)[2:]
        t = s[base] % n
        if base == 16 and self.r.random() < 0.3:
            t = t.upper()
        if base == 16 and self.r.random() < 0.2:
            t = "0" * self.r.randint(1, 3) + t
        return t

    def underscores(self, t):
        if len(t) < 2 or self.r.random() < 0.6:
            return t
        out = t[0]
        for ch in t[1:]:
            if self.r.random() < 0.3:
                out += "_"
            out += ch
        return out

    def unidigits(self, t):
        if self.r.random() < 0.85:
            return t
        z = self.r.choice(UNI_DIGITS)
        return "".join(chr(z + int(c)) if c.isdigit() else c for c in t)

    def number(self, n, sign_ok=True):
        """A spelling of n that Python's int(x, 0) reads back as n."""
        if n == 0 and self.r.random() < 0.3:
            return self.r.choice(["0", "00", "0_0", "0x0", "0b0", "0o00", "-0", "+0"])
        base = self.r.choice([10, 10, 16, 16, 8, 2])
        t = self.underscores(self.digits(abs(n), base))
        if base != 10:
            p = {16: "x", 8: "o", 2: "b"}[base]
            if self.r.random() < 0.3:
                p = p.upper()
            t = "0" + p + ("_" if self.r.random() < 0.1 else "") + t
        t = self.unidigits(t)
        if n < 0:
            t = "-" + t
        elif sign_ok and self.r.random() < 0.1:
            t = "+" + t
        assert int(t, 0) == n, t
        return t

    def text(self):
        pool = ["eMMC", "SDC", "NORF", "AIHD", "spl", "hello world", "é", "漢字", "3.5", "010",
                "0x", "1__0", "0b2", "abc+def", "x(y)", "ü-ß", "tab\there"]
        if self.r.random() < 0.5:
            return self.r.choice(pool)
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 -_.é漢"
        return "".join(self.r.choice(alphabet) for _ in range(self.r.randint(1, 20))).strip() or "z"

    def size_for(self, width):
        """A field size the value of width bytes fits in."""
        choices = [0] + [s for s in (1, 2, 3, 4, 8, 16, 24, 32) if s >= width]
        if width > 1:
            choices.append(width + self.r.randint(0, 5))
        return self.r.choice(choices)

    def value_line(self, names):
        label = self.r.choice(["magic", "version", "x", "reserved", "flash_type", "Ünï", "PAD",
                               "Name", "k"])
        roll = self.r.random()
        if roll < 0.4:
            n = self.r.choice([0, 1, 5, 255, 256, 0x1234, 0xB00714F0, 2**40 + 3, 2**70 + 1,
                               self.r.getrandbits(self.r.randint(1, 96))])
            value, width = self.number(n), itob_len(n)
        elif roll < 0.65:
            value = self.text()
            try:
                n = int(value, 0)
                width = itob_len(n)
                if n < 0:
                    value, width = "neg", 3
            except ValueError:
                width = len(value.encode())
            if FUNC_RE.search(value):
                value, width = "v", 1
        else:
            func = self.r.choice(["sizeof", "sum32", "crc32", "CRC32", "SizeOf"])
            k = self.r.randint(1, 3)
            arg = " + ".join(self.r.choice(names) for _ in range(k))
            value = f"{func}({arg})" if self.r.random() < 0.7 else f"{func} ( {arg} )"
            if self.r.random() < 0.1:
                value = "line one\n" + value
            return f"{label}, {value}, {self.r.choice([0, 4, 8, 12])}"
        size = self.size_for(width)
        line = f"{self.ws(label)},{self.ws(value)},{self.ws(self.number(size, False))}"
        if self.r.random() < 0.1:
            line += ", extra, fields"
        return line

    def pad_line(self):
        v = self.r.choice([0, 0xA5, 0x1A5, -1, -2, 255, self.r.getrandbits(40)])
        return f"pad, {self.number(v)}, {self.number(self.r.randint(0, 40), False)}"

    def structure(self, name, names, depth):
        lines = []
        if name:
            lines.append(f"name, {self.ws(name)}, {self.r.choice(['0', '4', '0x0'])}")
        for _ in range(self.r.randint(1, 6)):
            roll = self.r.random()
            if roll < 0.6:
                lines.append(self.value_line(names))
            elif roll < 0.8:
                lines.append(self.pad_line())
            elif depth < 2:
                lines.append(self.item(names, depth + 1))
        if name and self.r.random() < 0.5:
            self.r.shuffle(lines)  # the name line anywhere: the last one counts
        return lines

    def sources(self, names):
        pool = names + self.files
        toks = [self.r.choice(pool) for _ in range(self.r.randint(1, 3))]
        return (" + " if self.r.random() < 0.7 else "+").join(toks)

    def item(self, names, depth, kind=None):
        kind = kind or self.r.choice(["structure"] * 4 + ["file", "hash", "signature"])
        name = self.plan.pop() if self.plan else None
        if kind == "structure":
            return {"structure": self.structure(name, names, depth)}
        spec = {} if name is None else {"name": name}
        if kind == "file":
            spec["source"] = self.sources(names)
        elif kind == "hash":
            alg = self.r.choice(["SHA256", "sha384", "SHA512", "SHA512+RSA2048", None])
            if alg:
                spec["algorithm"] = alg
            spec["source"] = self.sources(names)
        else:
            kname = self.r.choice(self.signers)
            kfile, _, bits, _ = KEYS[self.keymap[kname]]
            alg = self.r.choice([f"SHA256+RSA{bits}", f"sha384+rsa-{bits}", "SHA512+RSA",
                                 None])
            if alg:
                spec["algorithm"] = alg
            spec["key"] = kname
            spec["source"] = self.sources(names)
        if self.r.random() < 0.6:
            spec["align"] = self.r.choice([0, 1, 4, 16, 32, 256])
        if self.r.random() < 0.1:
            spec["_note"] = "comment"
        return {kind: spec}

    def pubkeys(self):
        items, self.keymap, self.signers = [], {}, []
        for i, key in enumerate(self.r.sample(list(KEYS), self.r.randint(1, 4))):
            kfile, kind, param, private = KEYS[key]
            name = f"k{i}"
            self.keymap[name] = key
            if kind == "RSA":
                alg = self.r.choice([f"RSA{param}", f"RSA-{param}", f"sha256+rsa{param}", "RSA"])
                if private:
                    self.signers.append(name)
            else:
                alg = self.r.choice([f"ECC{param}", f"SHA256+ECC{param}", "ECC"])
            spec = {"name": name, "algorithm": alg, "source": kfile}
            if self.r.random() < 0.7:
                spec["align"] = self.r.choice([1, 4, 64, 256, 512])
            items.append({"pubkey": spec})
        return items

    def recipe(self):
        while True:
            pk = self.pubkeys()
            if self.signers:
                break
        names = [f"n{i}" for i in range(self.r.randint(2, 8))]
        self.plan = list(names)
        self.r.shuffle(self.plan)
        refs = names + list(self.keymap)
        data = [self.item(refs, 0) for _ in range(self.r.randint(2, 8))]
        while self.plan:  # every planned name gets defined somewhere
            data.append(self.item(refs, 0, self.r.choice(["structure", "file"])))
        if self.r.random() < 0.3:
            data.append(self.r.choice(pk))  # a cached pubkey: same bytes again
        self.r.shuffle(data)
        modules, cut = [{"module": "keys", "data": pk}], 0
        while cut < len(data):
            n = self.r.randint(1, 3)
            modules.append({"module": f"m{cut}", "data": data[cut:cut + n]})
            cut += n
        top = {"_comment": {"generated": True}, "info": {"arch": "RISCV64"}, "image": modules}
        return top


def main():
    out, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    make_keys(out)
    g = Gen(rnd, make_data(out, rnd))
    for i in range(count):
        with open(os.path.join(out, f"r{i:03d}.json"), "w", encoding="utf-8") as f:
            json.dump(g.recipe(), f, ensure_ascii=rnd.random() < 0.5, indent=1)


if __name__ == "__main__":
    main()
