#!/usr/bin/env python3
"""psfcheck.py FONT.psf[.gz] FILE...: print every character of the files that the console
font cannot draw (by its Unicode table), one per line; exit 1 if there is any.
A tiny PSF1/PSF2 reader: enough of the header to find the table, and the table itself."""
import gzip
import struct
import sys


def psf_chars(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    chars = set()
    if data[:2] == b"\x36\x04":                       # PSF1
        mode, height = data[2], data[3]
        if not mode & 0x06:
            sys.exit("%s: PSF1 font without a Unicode table" % path)
        count = 512 if mode & 0x01 else 256
        table = data[4 + count * height:]
        in_seq = False
        for (v,) in struct.iter_unpack("<H", table[:len(table) // 2 * 2]):
            if v == 0xFFFF:                           # end of this glyph's entries
                in_seq = False
            elif v == 0xFFFE:                         # sequences (combining) follow
                in_seq = True
            elif not in_seq:
                chars.add(chr(v))
    elif data[:4] == b"\x72\xb5\x4a\x86":             # PSF2
        _, _, hsize, flags, count, size, _, _ = struct.unpack("<8I", data[:32])
        if not flags & 1:
            sys.exit("%s: PSF2 font without a Unicode table" % path)
        table = data[hsize + count * size:]
        for entry in table.split(b"\xff")[:count]:
            single = entry.split(b"\xfe")[0]          # sequences after 0xFE are not single chars
            chars.update(single.decode("utf-8"))
    else:
        sys.exit("%s: not a PSF font" % path)
    return chars


def main():
    have = psf_chars(sys.argv[1])
    missing = set()
    for name in sys.argv[2:]:
        for ch in open(name, encoding="utf-8").read():
            if ch not in have and ch not in "\n\t\r":
                missing.add(ch)
    for ch in sorted(missing):
        print("U+%04X %s" % (ord(ch), ch))
    sys.exit(1 if missing else 0)


main()
