#!/bin/sh
# set-console-font TTY [FONT] — the kiosk's console font (tramdo-font.service): by default
# tramdo-vi16, Vietnamese-Fixed16 with the half blocks ▀ ▄ ▌ ▐ its QR codes are drawn with
# (scripts/mkfont.py). The font doubled (setfont -d: 8x16 → 16x32 cells) is readable from a
# standing position, but only while the screen still holds the kiosk's minimum of 80x24 cells
# at that size (1280x768 and up); on a smaller screen the font stays single-size.
# @DATADIR@ is replaced at install time.
set -u
tty=${1:-/dev/tty1}
font=${2:-@DATADIR@/consolefonts/tramdo-vi16.psf.gz}
fallback=/usr/share/consolefonts/Vietnamese-Fixed16.psf.gz

# Without its own font the kiosk still needs every Vietnamese letter; only QR codes suffer.
if [ ! -r "$font" ]; then
	echo "set-console-font: cannot read $font; using $fallback (QR codes will not scan)" >&2
	font=$fallback
fi
if setfont -C "$tty" -d "$font"; then
	# shellcheck disable=SC2046 # "rows cols"
	set -- $(stty -F "$tty" size) 0 0
	[ "$1" -ge 24 ] && [ "$2" -ge 80 ] && exit 0
	echo "set-console-font: doubled $font gives only ${2}x$1 cells on $tty; using it single-size" >&2
fi
exec setfont -C "$tty" "$font"
