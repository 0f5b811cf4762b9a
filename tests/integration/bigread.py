#!/usr/bin/env python3
"""bigread.py FONT SCREEN.txt: read the large figures on a captured kiosk screen back as text,
one figure a line, top to bottom and left to right. Works for both glyph styles (blocks, two
pixel rows a cell, and '#') and for figures drawn 1 to 4 times as large (each pixel s x s).
A glyph is recognised only where its whole rectangle, dark pixels included, matches and the
columns beside it are dark."""
import sys

HALF = {"▀": (1, 0), "▄": (0, 1), "█": (1, 1)}
SCALES = (1, 2, 3, 4)


def load_font(path):
    height, glyphs, cur = 0, {}, None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith(";") or not line:
            continue
        if line.startswith("height "):
            height = int(line[7:])
        elif line.startswith("glyph "):
            cur = line[6]
            glyphs[cur] = []
        else:
            glyphs[cur].append([1 if c == "#" else 0 for c in line])
    return height, glyphs


def scaled(g, s):
    return [[p for p in row for _ in range(s)] for row in g for _ in range(s)]


def pixels(rows):
    # The kiosk draws block glyphs two pixel rows a cell (a figure twice as large has only █);
    # '#' is one pixel a cell (charset = ascii).
    half = any(c in "▀▄█" for r in rows for c in r)
    width = max(len(r) for r in rows) + 40   # room for a glyph that ends the line
    grid = []
    for r in rows:
        r = r.ljust(width)
        if half:
            grid.append([HALF.get(c, (0, 0))[0] for c in r])
            grid.append([HALF.get(c, (0, 0))[1] for c in r])
        else:
            grid.append([1 if c in "█#" else 0 for c in r])
    return grid


def matches(grid, g, y, x):
    h, w = len(g), len(g[0])
    if y + h > len(grid) or x + w > len(grid[0]):
        return False
    for dy in range(h):
        row = grid[y + dy]
        if (x > 0 and row[x - 1]) or (x + w < len(row) and row[x + w]):
            return False
        if row[x:x + w] != g[dy]:
            return False
    return True


def find(grid, glyphs, s):
    found = []
    for y in range(len(grid)):
        for x in range(len(grid[0])):
            if not any(grid[y][x:x + 5 * s]):    # no glyph is wider than 5 pixels
                continue
            for ch, g in glyphs.items():
                if ch not in ",." and matches(grid, g, y, x):
                    found.append((y, x, ch, len(g[0])))
    # Punctuation is mostly dark: only look for it right after a digit, on its baseline.
    for (y, x, ch, w) in list(found):
        for p in ",.":
            for gap in range(1, 2 * s + 1):
                if matches(grid, glyphs[p], y, x + w + gap):
                    found.append((y, x + w + gap, p, len(glyphs[p][0])))
    return found


def main():
    height, font = load_font(sys.argv[1])
    grid = pixels(open(sys.argv[2], encoding="utf-8").read().split("\n"))
    taken = set()
    figures = []
    for s in sorted(SCALES, reverse=True):    # larger first: their pixels are not re-read
        glyphs = {ch: scaled(g, s) for ch, g in font.items()}
        found = sorted(f for f in find(grid, glyphs, s) if (f[0], f[1]) not in taken)
        last = None
        for (y, x, ch, w) in found:
            h = len(glyphs[ch])
            for dy in range(h):
                for dx in range(w):
                    taken.add((y + dy, x + dx))
            if last and last[0] == y and x - last[1] <= 2 * s:
                figures[-1][2] += ch
            else:
                figures.append([y, x, ch])
            last = (y, x + w)
    for f in sorted(figures):
        print(f[2])


main()
