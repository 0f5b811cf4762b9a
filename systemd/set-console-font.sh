#!/bin/sh
# set-console-font TTY FONT — the Vietnamese console font for the kiosk (tramdo-font.service).
# The font doubled (setfont -d: 8x16 → 16x32 cells) is readable from a standing position, but
# only while the screen still holds the kiosk's minimum of 80x24 cells at that size (1280x768
# and up); on a smaller screen the font stays single-size.
set -u
tty=${1:-/dev/tty1}
font=${2:-/usr/share/consolefonts/Vietnamese-Fixed16.psf.gz}

if setfont -C "$tty" -d "$font"; then
	# shellcheck disable=SC2046 # "rows cols"
	set -- $(stty -F "$tty" size) 0 0
	[ "$1" -ge 24 ] && [ "$2" -ge 80 ] && exit 0
	echo "set-console-font: doubled $font gives only ${2}x$1 cells on $tty; using it single-size" >&2
fi
exec setfont -C "$tty" "$font"
