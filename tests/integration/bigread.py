#!/usr/bin/env python3
"""bigread.py FONT SCREEN.txt: read the large figures on a captured kiosk screen back as text,
one figure a line, top to bottom and left to right. Works for all three glyph styles: half
blocks (two pixel rows a cell), full blocks and '#'. A glyph is recognised only where its whole
rectangle, dark pixels included, matches and the columns beside it are dark."""
import sys

HALF = {"▀": (1, 0), "▄": (0, 1), "█": (1, 1)}


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


def pixels(rows):
    half = any(c in "▀▄" for r in rows for c in r)
    width = max(len(r) for r in rows) + 8   # room for a glyph that ends the line
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


def main():
    height, glyphs = load_font(sys.argv[1])
    grid = pixels(open(sys.argv[2], encoding="utf-8").read().split("\n"))
    found = []
    for y in range(len(grid)):
        for x in range(len(grid[0])):
            if not any(any(grid[y + dy][x:x + 6]) for dy in range(min(height, len(grid) - y))):
                continue
            for ch, g in glyphs.items():
                if ch not in ",." and matches(grid, g, y, x):
                    found.append((y, x, ch, len(g[0])))
    # Punctuation is mostly dark: only look for it right after a digit, on its baseline.
    for (y, x, ch, w) in list(found):
        for p in ",.":
            if matches(grid, glyphs[p], y, x + w + 1):
                found.append((y, x + w + 1, p, len(glyphs[p][0])))
    found.sort()
    figures, last = [], None
    for (y, x, ch, w) in found:
        if last and last[0] == y and x - last[1] <= 2:
            figures[-1][2] += ch
        else:
            figures.append([y, x, ch])
        last = (y, x + w)
    for f in sorted(figures):
        print(f[2])


main()
