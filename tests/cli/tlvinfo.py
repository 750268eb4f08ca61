#!/usr/bin/env python3
"""An ONIE TlvInfo EEPROM reader written from the ONIE specification
(onie.org "EEPROM format") and the K1 vendor codes of spec §6.1, sharing no
code with k1fw: checks the header, walks the TLVs, checks that the CRC-32
TLV ends the image and holds the CRC-32 (zlib/binascii) of everything before
its value, and prints the fields as JSON: {"total_length", "crc32",
"fields": [[code, name, value], ...], "values": {name: value}}.
Exit 1 (with a message) when the image is not sound.
usage: tlvinfo.py FILE"""
import binascii
import json
import struct
import sys

NAMES = {
    0x21: "product_name", 0x22: "part#", 0x23: "serial#", 0x24: "ethaddr",
    0x25: "manufacture_date", 0x26: "device_version", 0x27: "label_revision",
    0x28: "platform_name", 0x29: "onie_version", 0x2A: "ethsize",
    0x2B: "manufacturer", 0x2C: "country_code", 0x2D: "vendor_name",
    0x2E: "diag_version", 0x2F: "service_tag", 0xFD: "vendor_extension",
    0xFE: "crc32",
    # SpacemiT K1 (include/configs/k1-x.h)
    0x40: "sdk_version", 0x41: "ddr_cs_num", 0x42: "ddr_type",
    0x43: "ddr_datarate", 0x80: "pmic_type", 0x81: "eeprom_i2c_index",
    0x82: "eeprom_pin_group",
}
TEXT = {0x21, 0x22, 0x23, 0x25, 0x27, 0x28, 0x29, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x42}
ONE_BYTE = {0x26, 0x40, 0x41, 0x80, 0x81, 0x82}
TWO_BYTES = {0x2A, 0x43}


def value(code, v):
    if code in TEXT:
        return v.decode("ascii")
    if code == 0x24 and len(v) == 6:
        return ":".join("%02X" % b for b in v)
    if code in ONE_BYTE and len(v) == 1:
        return str(v[0])
    if code in TWO_BYTES and len(v) == 2:
        return str(struct.unpack(">H", v)[0])
    return v.hex()


def main():
    data = open(sys.argv[1], "rb").read()
    if len(data) < 11 or data[:8] != b"TlvInfo\0":
        sys.exit("tlvinfo: no TlvInfo header")
    if data[8] != 1:
        sys.exit("tlvinfo: version %d, expected 1" % data[8])
    total = struct.unpack(">H", data[9:11])[0]
    end = 11 + total
    if end > len(data):
        sys.exit("tlvinfo: total length %d runs past the file" % total)
    fields, pos = [], 11
    while pos < end:
        if pos + 2 > end:
            sys.exit("tlvinfo: truncated TLV at %d" % pos)
        code, n = data[pos], data[pos + 1]
        if code in (0x00, 0xFF):
            sys.exit("tlvinfo: reserved type 0x%02x at %d" % (code, pos))
        if pos + 2 + n > end:
            sys.exit("tlvinfo: TLV 0x%02x at %d runs past the end" % (code, pos))
        fields.append((code, data[pos + 2:pos + 2 + n]))
        pos += 2 + n
    if not fields or fields[-1][0] != 0xFE or len(fields[-1][1]) != 4:
        sys.exit("tlvinfo: the last TLV is not the CRC-32")
    stored = struct.unpack(">I", fields[-1][1])[0]
    computed = binascii.crc32(data[:end - 4]) & 0xFFFFFFFF
    if stored != computed:
        sys.exit("tlvinfo: CRC-32 0x%08x, computed 0x%08x" % (stored, computed))
    out = {"total_length": total, "crc32": "0x%08x" % stored, "fields": [], "values": {}}
    for code, v in fields[:-1]:
        name = NAMES.get(code, "0x%02x" % code)
        out["fields"].append(["0x%02x" % code, name, value(code, v)])
        out["values"][name] = value(code, v)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


main()
