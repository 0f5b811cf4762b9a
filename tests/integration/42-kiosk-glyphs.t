#!/usr/bin/env bash
# Text the Linux console can draw: assets are precomposed (no combining marks, which the VT
# draws in a cell of their own), and every character of the catalogs and of the screens in
# console mode is in the kiosk's console font, tramdo-vi16 (Vietnamese-Fixed16 plus ▀ ▄ ▌ ▐).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
[ -r "$SYSTEM_FONT" ] || skip_all "$SYSTEM_FONT missing (console-setup-linux)"
FONT=$(tramdo_font) || skip_all "scripts/mkfont.py could not make the console font"
command -v tmux >/dev/null || skip_all "tmux missing"
plan 11

combining() {
	python3 - "$@" <<'PY'
import os, sys, re
bad = 0
for root in sys.argv[1:]:
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            for n, line in enumerate(open(p, encoding="utf-8"), 1):
                if re.search("[\u0300-\u036f]", line):
                    print("%s:%d: combining mark" % (p, n)); bad = 1
sys.exit(bad)
PY
}
combining "$SRCDIR/assets"; ok $? "no U+0300-U+036F in assets/ (NFC)"
mkdir "$T_TMP/nfd"; printf 'ti\xcc\x81nh\n' > "$T_TMP/nfd/x.ini"
combining "$T_TMP/nfd" >/dev/null; ok $((! $?)) "... the check finds a decomposed letter"

missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$SRCDIR/assets/i18n/vi.ini" 2>&1)
is "$missing" "" "every character of vi.ini is in the kiosk's font"
missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$SRCDIR"/assets/*.ini "$SRCDIR"/assets/i18n/*.ini 2>&1)
is "$missing" "" "... and of every other catalog in assets/"
printf 'ơ▀▄▌▐▖\n' > "$T_TMP/half.txt"
missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$T_TMP/half.txt" 2>&1)
is "$missing" "U+2596 ▖" "... the check finds a glyph the font lacks (it has ▀ ▄ ▌ ▐)"
missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$SYSTEM_FONT" "$T_TMP/half.txt" 2>&1 | tr '\n' ' ')
is "$missing" "U+2580 ▀ U+2584 ▄ U+258C ▌ U+2590 ▐ U+2596 ▖ " \
    "Vietnamese-Fixed16 itself lacks the half blocks (why the kiosk has its own font)"

closed=$(free_port)
cat > "$T_TMP/k.ini" <<INI
[station]
name = Trạm đo Ước Lượng
[kiosk]
error_seconds = 30
[test]
server = down
connect_timeout = 1
[server down]
url = http://127.0.0.1:$closed/
INI
k_start 100 30 "$T_TMP/k.ini" TERM=linux
k_wait 'Nhấn phím bất kỳ'; ok $? "welcome in console mode"
k_screen > "$T_TMP/welcome.txt"
missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$T_TMP/welcome.txt" 2>&1)
is "$missing" "" "console-mode Welcome only uses characters the font has"
k_keys Enter
k_wait 'Vui lòng báo cho nhân viên'; ok $? "error screen in console mode"
k_screen > "$T_TMP/error.txt"
missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$T_TMP/error.txt" 2>&1)
is "$missing" "" "console-mode Error only uses characters the font has"
like "$(cat "$T_TMP/welcome.txt" "$T_TMP/error.txt")" '┌─+┐' "box lines drawn"
done_testing
