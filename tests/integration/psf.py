"""psf.py — a tiny reader of Linux console fonts (PSF1 and PSF2, gzip'd or not) for the tests:
the glyph bitmaps and the Unicode table, read independently of scripts/mkfont.py."""
import gzip
import struct
import sys


class Font:
    """width, height, glyphs (one bitmap per glyph: rows of bytes, the first bit leftmost)
    and chars (character -> glyph index, from the Unicode table)."""

    def __init__(self, path):
        try:
            data = open(path, "rb").read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            sys.exit("%s: %s" % (path, e))
        self.chars = {}
        if data[:2] == b"\x36\x04":                       # PSF1: 8 pixels wide
            mode, self.height = data[2], data[3]
            if not mode & 0x06:
                sys.exit("%s: PSF1 font without a Unicode table" % path)
            count, self.width, size = 512 if mode & 0x01 else 256, 8, self.height
            start = 4
            self._psf1_table(data[start + count * size:])
        elif data[:4] == b"\x72\xb5\x4a\x86":             # PSF2
            _, _, start, flags, count, size, self.height, self.width = \
                struct.unpack("<8I", data[:32])
            if not flags & 1:
                sys.exit("%s: PSF2 font without a Unicode table" % path)
            self._psf2_table(data[start + count * size:], count)
        else:
            sys.exit("%s: not a PSF font" % path)
        self.glyphs = [data[start + i * size:start + (i + 1) * size] for i in range(count)]
        self.stride = (self.width + 7) // 8

    def _psf1_table(self, table):
        glyph, in_seq = 0, False
        for (v,) in struct.iter_unpack("<H", table[:len(table) // 2 * 2]):
            if v == 0xFFFF:                               # end of this glyph's entries
                glyph, in_seq = glyph + 1, False
            elif v == 0xFFFE:                             # sequences (combining) follow
                in_seq = True
            elif not in_seq:
                self.chars.setdefault(chr(v), glyph)

    def _psf2_table(self, table, count):
        for glyph, entry in enumerate(table.split(b"\xff")[:count]):
            for ch in entry.split(b"\xfe")[0].decode("utf-8"):   # sequences after 0xFE
                self.chars.setdefault(ch, glyph)

    def lit(self, glyph, y, x):
        """Whether pixel (y, x) of a glyph is set."""
        return bool(self.glyphs[glyph][y * self.stride + x // 8] & (0x80 >> (x % 8)))
