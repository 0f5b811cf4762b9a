#!/usr/bin/env python3
"""psfcheck.py FONT.psf[.gz] FILE...: print every character of the files that the console
font cannot draw (by its Unicode table), one per line; exit 1 if there is any.
The tests pass the kiosk's own font (tramdo_font in lib.sh)."""
import sys

from psf import Font


def main():
    have = Font(sys.argv[1]).chars
    missing = set()
    for name in sys.argv[2:]:
        for ch in open(name, encoding="utf-8").read():
            if ch not in have and ch not in "\n\t\r":
                missing.add(ch)
    for ch in sorted(missing):
        print("U+%04X %s" % (ord(ch), ch))
    sys.exit(1 if missing else 0)


main()
