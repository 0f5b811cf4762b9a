#!/usr/bin/env python3
"""qrscan.py SCREEN.txt [XMIN]: decode the QR code drawn on a captured kiosk screen with zbarimg.
Cells right of column XMIN (default: where the top-left finder pattern starts) holding half
blocks (▀ ▄ █: two module rows a cell, in unicode and console mode) are turned back into
modules, written as a PGM image (scaled, with a white border) and read by zbarimg, as a phone
camera would. Prints the text. (psfrender.py draws a console screen with the font instead.)"""
import subprocess
import sys
import tempfile

HALF = {" ": (0, 0), "▀": (1, 0), "▄": (0, 1), "█": (1, 1)}


def modules(rows, xmin):
    cells = [(y, x) for y, r in enumerate(rows) for x, c in enumerate(r)
             if x >= xmin and c in "▀▄█"]
    if not cells:
        sys.exit("no QR code on the screen")
    y0, y1 = min(c[0] for c in cells), max(c[0] for c in cells)
    x0, x1 = min(c[1] for c in cells), max(c[1] for c in cells)
    grid = [r[x0:x1 + 1].ljust(x1 + 1 - x0) for r in rows[y0:y1 + 1]]
    out = []
    for r in grid:
        out.append([HALF.get(c, (0, 0))[0] for c in r])
        out.append([HALF.get(c, (0, 0))[1] for c in r])
    return out


def finder_column(rows):
    """The leftmost column of a finder pattern's top edge: 7 modules no digit glyph has."""
    cols = [r.find("█▀▀▀▀▀█") for r in rows if "█▀▀▀▀▀█" in r]
    return min(cols) if cols else 0


def main():
    rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
    xmin = int(sys.argv[2]) if len(sys.argv) > 2 else finder_column(rows)
    m = modules(rows, xmin)
    scale, border = 8, 8
    w = max(len(r) for r in m) + 2 * border
    h = len(m) + 2 * border
    pix = bytearray()
    for y in range(h):
        line = bytearray()
        for x in range(w):
            my, mx = y - border, x - border
            dark = 0 <= my < len(m) and 0 <= mx < len(m[my]) and m[my][mx]
            line += bytes([0 if dark else 255]) * scale
        pix += bytes(line) * scale
    with tempfile.NamedTemporaryFile(suffix=".pgm") as f:
        f.write(b"P5\n%d %d\n255\n" % (w * scale, h * scale) + bytes(pix))
        f.flush()
        r = subprocess.run(["zbarimg", "--raw", "-q", f.name], capture_output=True)
    sys.stdout.write(r.stdout.decode("utf-8", "replace").rstrip("\n"))
    sys.exit(r.returncode)


main()
