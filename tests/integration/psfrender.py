#!/usr/bin/env python3
"""psfrender.py SCREEN.txt FONT.psf[.gz] OUT.pgm: a tmux capture drawn as the Linux console
would draw it with that font, each cell with the font's own glyph bitmap (8x16 pixels for
tramdo-vi16), so zbarimg can read a QR code as a phone would on the real console.

Lit pixels are dark on a white background: the kiosk draws QR codes black on white, so a
block glyph is a dark module. As the VT does, a character the font lacks is drawn with its
U+FFFD glyph (else "?"), every character takes a cell of its own (a combining mark too; tmux
captures are NFC anyway) and a wide one two cells, the glyph in the first."""
import sys
import unicodedata

from psf import Font


def cells(line):
    for ch in line:
        yield ch
        if unicodedata.east_asian_width(ch) in "WF":
            yield " "


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: psfrender.py SCREEN.txt FONT.psf[.gz] OUT.pgm")
    rows = [list(cells(r)) for r in open(sys.argv[1], encoding="utf-8").read().split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    font = Font(sys.argv[2])
    fallback = font.chars.get("\ufffd", font.chars.get("?", 0))
    cols = max((len(r) for r in rows), default=0)
    w, h = font.width, font.height
    pix = bytearray(b"\xff" * (cols * w * len(rows) * h))
    for cy, row in enumerate(rows):
        for cx, ch in enumerate(row):
            glyph = font.chars.get(ch, fallback)
            for y in range(h):
                base = (cy * h + y) * cols * w + cx * w
                for x in range(w):
                    if font.lit(glyph, y, x):
                        pix[base + x] = 0
    with open(sys.argv[3], "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (cols * w, len(rows) * h) + bytes(pix))


main()
