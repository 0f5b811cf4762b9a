#!/usr/bin/env bash
# The promo QR code to i-Speed, there by default (no promo_qr_url in the configuration), on the
# Welcome screen scans as a phone sees it on the real console sizes, 100x30 and 120x33: in console mode the captured screen is drawn with the
# kiosk's own font, tramdo-vi16, glyph by glyph (psfrender.py) and read by zbarimg; in unicode
# mode qrscan.py reads the half blocks. Console screens only use characters that font has; the
# same screen drawn with Vietnamese-Fixed16, which lacks ▀ ▄, does not scan.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v zbarimg >/dev/null || skip_all "zbarimg missing (zbar-tools)"
[ -r "$SYSTEM_FONT" ] || skip_all "$SYSTEM_FONT missing (console-setup-linux)"
FONT=$(tramdo_font) || skip_all "scripts/mkfont.py could not make the console font"
plan 18

URL=https://i-speed.vn	# the default: [kiosk] promo_qr_url unset

# zbar SCREEN FONT: what zbarimg reads on the screen drawn with FONT (nothing if no code).
zbar() {
	python3 "$SRCDIR/tests/integration/psfrender.py" "$1" "$2" "$1.pgm" &&
	    zbarimg --raw -q "$1.pgm" 2>/dev/null
}

# qr_columns SCREEN: how many columns the dark modules of the QR code span (the code is in the
# right half of the Welcome screen, the only block glyphs there).
qr_columns() {
	python3 - "$1" <<'PY'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
xs = [x for r in rows for x, c in enumerate(r) if c in "▀▄█" and x >= len(r) // 2]
print(max(xs) - min(xs) + 1 if xs else 0)
PY
}

# colours SCREEN.sgr (capture-pane -e): how many rows hold the code's modules, and how many cells
# from 4 columns left of the first module to 4 right of the last are not black on white. (The
# blank quiet rows above and below are erased in white (ECH), which a capture does not show.)
colours() {
	python3 - "$1" <<'PY'
import re, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    fg = bg = None
    cells = []
    for m in re.finditer(r"\x1b\[([0-9;]*)m|(.)", line):
        if m.group(2) is not None:
            cells.append((m.group(2), fg, bg))
            continue
        for c in (m.group(1) or "0").split(";"):
            c = int(c or 0)
            if c == 0:
                fg = bg = None
            elif 30 <= c <= 39:
                fg = c
            elif 40 <= c <= 49:
                bg = c
    rows.append(cells)
coded = [r for r in rows if any(ch in "▀▄█" for ch, _, _ in r[len(r) // 2:])]
xs = [x for r in coded for x, (ch, _, _) in enumerate(r) if ch in "▀▄█" and x >= len(r) // 2]
bad = sum(1 for r in coded for x in range(min(xs) - 4, max(xs) + 5)
          if x >= len(r) or r[x][1:] != (30, 47)) if xs else -1
print(len(coded), bad)
PY
}

for charset in console unicode; do
	for size in 100x30 120x33; do
		name="$charset $size"
		cat > "$T_TMP/k.ini" <<INI
[station]
name = Trung tâm Văn hóa Ba Đình
[kiosk]
charset = $charset
INI
		K_SOCK=tramdo-kiosk-$$-$charset-$size
		# Console mode as on tty1: TERM=linux (8 colours, the code black on white).
		term=xterm-256color
		[ "$charset" = console ] && term=linux
		k_start "${size%x*}" "${size#*x}" "$T_TMP/k.ini" TERM=$term
		# Generous: a loaded machine may take seconds to start and draw.
		k_wait 'Nhấn phím bất kỳ' 60; ok $? "$name: Welcome"
		k_settle
		screen=$T_TMP/$charset-$size.txt
		k_screen > "$screen"
		if [ "$charset" = console ]; then
			missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$screen" 2>&1)
			is "$missing" "" "$name: only characters tramdo-vi16 has"
			is "$(zbar "$screen" "$FONT")" "$URL" "$name: drawn with tramdo-vi16, zbarimg reads $URL"
			# psfrender.py draws glyphs dark on light: so must the console.
			tmux -L "$K_SOCK" capture-pane -e -N -p -t k > "$screen.sgr"
			is "$(colours "$screen.sgr")" "13 0" \
			    "$name: the 13 rows of modules and their quiet columns are black on white"
		else
			is "$(python3 "$SRCDIR/tests/integration/qrscan.py" "$screen" 2>&1)" "$URL" \
			    "$name: qrscan.py reads $URL"
		fi
		# Version 2: 25 modules, one column each (half blocks, not two cells a module).
		is "$(qr_columns "$screen")" 25 "$name: the code is 25 columns wide"
		k_stop
	done
done

is "$(zbar "$T_TMP/console-100x30.txt" "$SYSTEM_FONT")" "" \
    "the console screen drawn with Vietnamese-Fixed16 (no ▀ ▄) does not scan"
like "$(cat "$T_TMP/console-100x30.txt")" '▀' "... because the code is drawn with half blocks"
done_testing
