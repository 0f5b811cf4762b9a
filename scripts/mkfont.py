#!/usr/bin/env python3
"""mkfont.py SRC.psf[.gz] OUT.psf.gz: the kiosk's console font, tramdo-vi16.

console-setup's Vietnamese-Fixed16 is the only console font family with all 134 Vietnamese
letters, but it has no half blocks, so a QR code on the Linux console needed two cells per
module and never fitted a real 100x30 screen. This adds the block elements U+2580 U+2584
U+258C U+2590 (▀ ▄ ▌ ▐) to a 512-glyph PSF1 font with a Unicode table:

- They take the slots IBM code page 437 gives them, 0xDC-0xDF, beside █ at 0xDB: a VGA text
  console in 9-dot mode widens only glyphs 0xC0-0xDF with their 8th column, so blocks
  elsewhere would get a blank column between cells.
- The glyphs there (Ì Í Î Ï in Vietnamese-Fixed16) move to the slots of Ą ą Ų ų, letters of
  Polish and Lithuanian that no catalog and no Vietnamese name uses. Those four are then drawn
  with the glyph of their base letter A a U u, as the font already draws Cyrillic А with A.

Every other character keeps its glyph; the script checks that and refuses a font it does not
expect. The output is gzip'd without a timestamp, so a build is reproducible.
"""
import gzip
import struct
import sys

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE512, PSF1_MODEHASTAB = 0x01, 0x02
TABLE_END, TABLE_SEQ = 0xFFFF, 0xFFFE

# slot (code page 437) -> block element
BLOCKS = {0xDC: 0x2584, 0xDD: 0x258C, 0xDE: 0x2590, 0xDF: 0x2580}
# letter whose slot is freed -> the letter whose glyph draws it from now on
DROPPED = {0x0104: 0x41, 0x0105: 0x61, 0x0172: 0x55, 0x0173: 0x75}


def fail(msg):
    sys.exit("mkfont.py: " + msg)


def read_psf1(path):
    """(header bytes, height, glyph bitmaps, table entries: a list of uint16 per glyph)."""
    try:
        data = open(path, "rb").read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        fail("%s: %s" % (path, e))
    if data[:2] != PSF1_MAGIC or len(data) < 4:
        fail("%s: not a PSF1 font" % path)
    mode, height = data[2], data[3]
    if not mode & PSF1_MODE512 or not mode & PSF1_MODEHASTAB or height == 0:
        fail("%s: expected 512 glyphs and a Unicode table (mode 0x%02x)" % (path, mode))
    end = 4 + 512 * height
    glyphs = [data[4 + i * height:4 + (i + 1) * height] for i in range(512)]
    table, entry = [], []
    raw = data[end:]
    for (v,) in struct.iter_unpack("<H", raw[:len(raw) // 2 * 2]):
        if v == TABLE_END:
            table.append(entry)
            entry = []
        else:
            entry.append(v)
    if len(glyphs[-1]) != height or len(table) != 512:
        fail("%s: truncated (%d table entries for 512 glyphs)" % (path, len(table)))
    return data[:4], height, glyphs, table


def singles(entry):
    """The characters an entry maps by themselves (not as part of a combining sequence)."""
    return entry[:entry.index(TABLE_SEQ)] if TABLE_SEQ in entry else entry


def slot_of(table, u):
    for i, entry in enumerate(table):
        if u in singles(entry):
            return i
    return None


def block_bitmaps(height):
    top = height // 2
    return {
        0x2580: bytes([0xFF] * top + [0x00] * (height - top)),     # ▀ upper half
        0x2584: bytes([0x00] * top + [0xFF] * (height - top)),     # ▄ lower half
        0x258C: bytes([0xF0] * height),                            # ▌ left half
        0x2590: bytes([0x0F] * height),                            # ▐ right half
    }


def add_blocks(height, glyphs, table):
    for u in BLOCKS.values():
        if slot_of(table, u) is not None:
            fail("the font already has U+%04X" % u)
    freed = []
    for u in DROPPED:
        s = slot_of(table, u)
        if s is None or table[s] != [u]:
            fail("U+%04X is not alone in a slot of its own: not the font this script knows" % u)
        if s in BLOCKS:
            fail("U+%04X sits in slot 0x%02X, which the blocks take" % (u, s))
        freed.append(s)
    bitmaps = block_bitmaps(height)
    for slot, u in BLOCKS.items():
        to = freed.pop(0)
        glyphs[to], table[to] = glyphs[slot], table[slot]
        glyphs[slot], table[slot] = bitmaps[u], [u]
    for u, base in DROPPED.items():
        s = slot_of(table, base)
        if s is None:
            fail("the font has no U+%04X to draw U+%04X with" % (base, u))
        table[s] = singles(table[s]) + [u] + table[s][len(singles(table[s])):]


def check(old_glyphs, old_table, glyphs, table):
    """Every character keeps its bitmap, except those dropped (now drawn as their base)."""
    def drawn(gl, tb):
        return {u: gl[i] for i, e in enumerate(tb) for u in singles(e)}
    before, after = drawn(old_glyphs, old_table), drawn(glyphs, table)
    for u, bitmap in before.items():
        want = before[DROPPED[u]] if u in DROPPED else bitmap
        if after.get(u) != want:
            fail("U+%04X lost its glyph" % u)
    if set(after) != set(before) | set(BLOCKS.values()):
        fail("the Unicode table changed beyond the block elements")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkfont.py SRC.psf[.gz] OUT.psf.gz")
    header, height, glyphs, table = read_psf1(sys.argv[1])
    old_glyphs, old_table = list(glyphs), [list(e) for e in table]
    add_blocks(height, glyphs, table)
    check(old_glyphs, old_table, glyphs, table)
    out = bytearray(header)
    for g in glyphs:
        out += g
    for entry in table:
        out += struct.pack("<%dH" % (len(entry) + 1), *entry, TABLE_END)
    try:
        with open(sys.argv[2], "wb") as f:
            f.write(gzip.compress(bytes(out), 9, mtime=0))
    except OSError as e:
        fail("%s: %s" % (sys.argv[2], e))


main()
