#!/bin/bash
# 05-check-config.t — `tramdo check-config`: every problem on its own line naming file, line,
# section and key; exit 0 with only warnings, 78 on any error.
. "$(dirname "$0")/lib.sh"

plan 42

# check FILE: runs check-config, leaves stdout in $out and the exit status in $rc.
check() { out=$("$TRAMDO" -c "$1" check-config 2>"$T_TMP/stderr"); rc=$?; }

# The shipped example is clean.
check "$SRCDIR/config/tramdo.ini"
is "$rc" 0 "example: exit 0"
is "$out" "$SRCDIR/config/tramdo.ini: OK (0 warnings)" "example: OK with no warning"

# Several errors and warnings at once: all reported, one a line, in file order.
f=$T_TMP/bad.ini
cat >"$f" <<'INI'
[station]
id = T-01
[test]
downlod_streams = 4
download_streams = 0
max_seconds = 1,5
server = hanoi
[kiosk]
language = fr
promo_qr_url = https://example.vn/app#x
[server lan]
layout = go
INI
check "$f"
is "$rc" 78 "errors: exit 78"
lines=()
while IFS= read -r l; do lines+=("$l"); done <<<"$out"
is "${#lines[@]}" 8 "errors: 7 problems and a summary"
is "${lines[0]}" "$f:4: [test] downlod_streams: warning: unknown key — typo? did you mean 'download_streams'?" "typo suggested"
is "${lines[1]}" "$f:5: [test] download_streams: error: 0 is out of range 1..32" "range"
is "${lines[2]}" "$f:6: [test] max_seconds: error: '1,5' is not a number (use '.' as the decimal point)" "decimal comma"
is "${lines[3]}" "$f:9: [kiosk] language: error: 'fr' is not one of vi|en" "enum"
is "${lines[4]}" "$f:10: [kiosk] promo_qr_url: warning: value cut at '#' (text after ';' or '#' is a comment): put the value in double quotes" "unquoted #"
is "${lines[5]}" "$f:11: [server lan] url: error: missing: every server needs its base URL, e.g. url = http://10.0.0.2/" "server without url"
is "${lines[6]}" "$f:7: [test] server: error: 'hanoi' is neither auto nor a [server NAME] section" "unknown server"
is "${lines[7]}" "$f: 5 errors, 2 warnings" "summary"

# Warnings only: usable, exit 0.
printf '[station]\nid = T-01\n[server a]\nurl = http://127.0.0.1/\n[kiosk]\nresult_second = 30\n' >"$T_TMP/warn.ini"
check "$T_TMP/warn.ini"
is "$rc" 0 "warnings only: exit 0"
like "$out" "OK \(1 warning\)$" "warnings only: OK with the count"

# Files that are not configurations at all.
check "$T_TMP/nope.ini"
is "$rc" 78 "missing file: exit 78"
is "$out" "$T_TMP/nope.ini: error: cannot open: No such file or directory
$T_TMP/nope.ini: 1 error, 0 warnings" "missing file: message"
check "$T_TMP"
is "$(head -1 <<<"$out")" "$T_TMP: error: is a directory, not a file" "directory"
printf '\x7fELF\x02\x01\x01\x00\x00garbage\n' >"$T_TMP/bin.ini"
check "$T_TMP/bin.ini"
is "$rc:$(head -1 <<<"$out")" "78:$T_TMP/bin.ini:1: error: cannot be parsed: binary data (a NUL byte); is this the configuration file?" "binary garbage"
{ printf '[kiosk]\nprompt = '; head -c 2000 /dev/zero | tr '\0' a; echo; } >"$T_TMP/long.ini"
check "$T_TMP/long.ini"
is "$rc:$(head -1 <<<"$out")" "78:$T_TMP/long.ini:2: error: cannot be parsed: line longer than 1022 bytes" "over-long line"

# Unreadable: root reads everything, so run as nobody when we are root.
printf '[kiosk]\n' >"$T_TMP/secret.ini"; chmod 600 "$T_TMP/secret.ini"
if [ "$(id -u)" -eq 0 ]; then
	out=$(runuser -u nobody -- "$(nobody_tramdo)" -c "$T_TMP/secret.ini" check-config); rc=$?
else
	chmod 000 "$T_TMP/secret.ini"; check "$T_TMP/secret.ini"
fi
is "$rc:$(head -1 <<<"$out")" "78:$T_TMP/secret.ini: error: cannot open: Permission denied" "unreadable file"

# Strict text: what iniparser would keep is not what the line seems to say, or the text shows
# differently from what it is. Each is an error naming file, line, section and key.
strict() {	# strict NAME LINE-AFTER-[station] EXPECTED-MESSAGE
	printf '[station]\nid = T\n%s\n[server a]\nurl = http://127.0.0.1/\n' "$2" >"$T_TMP/strict.ini"
	check "$T_TMP/strict.ini"
	is "$rc:$out" "78:$T_TMP/strict.ini:3: [station] $3
$T_TMP/strict.ini: 1 error, 0 warnings" "strict text: $1"
}
strict "inner quote" 'name = "Nhà "văn", hoá"' \
    "name: error: a \" inside the quoted value ends it (only 'Nhà ' would be kept): quote the value with ' instead, or leave the quotes out"
strict "no closing quote" 'name = "Nhà văn hoá' "name: error: the value opens a \" quote and never closes it"
strict "C0 control (ESC)" $'name = a\x1b[2Jb' "name: error: contains the control character U+001B: remove it"
strict "C1 control (NEL)" $'isp = a\xc2\x85b' "isp: error: contains the control character U+0085: remove it"
strict "bidi override U+202E" $'name = VNPT \xe2\x80\xae21' \
    "name: error: contains the bidi control U+202E, which shows text in another order than it is stored: remove it"
strict "bidi isolate U+2067" $'commune = a\xe2\x81\xa7b' \
    "commune: error: contains the bidi control U+2067, which shows text in another order than it is stored: remove it"
strict "line separator U+2028" $'district = a\xe2\x80\xa8b' \
    "district: error: contains the line separator U+2028: keep the value on one line"
strict "paragraph separator U+2029" $'access = a\xe2\x80\xa9b' \
    "access: error: contains the paragraph separator U+2029: keep the value on one line"
printf "[station]\nid = T\nname = 'Nhà \"văn\", hoá'\n[server a]\nurl = http://127.0.0.1/\n" >"$T_TMP/quotes.ini"
check "$T_TMP/quotes.ini"
is "$rc:$out" "0:$T_TMP/quotes.ini: OK (0 warnings)" "strict text: a \" inside '…' is fine"

# Token files: check-config refuses what the service refuses, as an error on the key's line.
tokcheck() {	# tokcheck NAME PATH EXPECTED-MESSAGE
	printf '[station]\nid = T\n[server a]\nurl = http://127.0.0.1/\n[upload]\nenabled = yes\nurl = http://127.0.0.1:9/r\ntoken_file = %s\n' \
	    "$2" >"$T_TMP/tok.ini"
	chmod 644 "$T_TMP/tok.ini"
	if [ "$1" = unreadable ] && [ "$(id -u)" -eq 0 ]; then
		out=$(runuser -u nobody -- "$(nobody_tramdo)" -c "$T_TMP/tok.ini" check-config); rc=$?
	else
		check "$T_TMP/tok.ini"
	fi
	is "$rc:$out" "78:$T_TMP/tok.ini:8: [upload] token_file: error: $3
$T_TMP/tok.ini: 1 error, 0 warnings" "token file $1: an error"
}
tok=$T_TMP/token
tokcheck missing "$tok" "cannot open $tok: No such file or directory"
printf 's3cret\n' >"$tok"; chmod 644 "$tok"
tokcheck world-readable "$tok" "$tok can be read by group or others (mode 0644); refusing to use it: run chmod 600 $tok"
chmod 640 "$tok"
tokcheck group-readable "$tok" "$tok can be read by group or others (mode 0640); refusing to use it: run chmod 600 $tok"
chmod 600 "$tok"
if [ "$(id -u)" -eq 0 ]; then
	tokcheck unreadable "$tok" "cannot open $tok: Permission denied"
else
	chmod 000 "$tok"; tokcheck unreadable "$tok" "cannot open $tok: Permission denied"; chmod 600 "$tok"
fi
ln -s "$tok" "$T_TMP/token-link"
tokcheck symlink "$T_TMP/token-link" "$T_TMP/token-link is a symbolic link: give the path of the file itself"
mkdir "$T_TMP/token-dir"
tokcheck directory "$T_TMP/token-dir" "$T_TMP/token-dir is a directory, not a file"
: >"$T_TMP/token-empty"; chmod 600 "$T_TMP/token-empty"
tokcheck empty "$T_TMP/token-empty" "$T_TMP/token-empty is empty: it must hold the token on one line"
printf 'a\nb\n' >"$T_TMP/token-2"; chmod 600 "$T_TMP/token-2"
tokcheck "of two lines" "$T_TMP/token-2" "$T_TMP/token-2 must hold one token (at most 1023 bytes) on one line"
# The good file passes; a bad one no enabled sink uses is only a warning.
sed -i "s|^token_file = .*|token_file = $tok|" "$T_TMP/tok.ini"
check "$T_TMP/tok.ini"
is "$rc:$out" "0:$T_TMP/tok.ini: OK (0 warnings)" "token file 0600, one line: OK"
sed -i -e "s|^token_file = .*|token_file = $T_TMP/token-dir|" -e 's|^enabled = yes|enabled = no|' "$T_TMP/tok.ini"
check "$T_TMP/tok.ini"
is "$rc:$out" "0:$T_TMP/tok.ini:8: [upload] token_file: warning: $T_TMP/token-dir is a directory, not a file (no enabled sink uses it yet)
$T_TMP/tok.ini: OK (1 warning)" "bad token file, upload disabled: a warning"

# Numbers are read the C way whatever the locale; -c may follow the subcommand.
printf '[station]\nid = T\n[server a]\nurl = http://127.0.0.1/\n[test]\nmax_seconds = 12.5\n' >"$T_TMP/num.ini"
out=$(LC_ALL=C.UTF-8 LANG=vi_VN.UTF-8 "$TRAMDO" check-config -c "$T_TMP/num.ini"); rc=$?
is "$rc:$out" "0:$T_TMP/num.ini: OK (0 warnings)" "12.5 accepted in any locale"

"$TRAMDO" -c "$T_TMP/num.ini" check-config extra >/dev/null 2>&1
is "$?" 2 "extra argument: usage error"
is "$(cat "$T_TMP/stderr")" "" "problems go to stdout, nothing to stderr"

done_testing
