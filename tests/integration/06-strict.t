#!/bin/bash
# 06-strict.t — files and text as strict as the service needs them: the database created 0600
# whatever the umask, a dangling symlink in its place refused, calendar dates only for
# `export --since`, CSV cells a spreadsheet would run as formulas neutralised, URLs capped.
. "$(dirname "$0")/lib.sh"

plan 18

CLOSED=http://127.0.0.1:$(free_port)/	# nothing listens: the test fails at once, still a result
# conf DB: a configuration whose station texts a spreadsheet would take as formulas.
conf() {
	cat >"$T_TMP/t.ini" <<INI
[station]
id = T-06
name = '=HYPERLINK("http://x.example/","bấm")'
isp = @VNPT
[gps]
enabled = no
[storage]
path = $1
INI
}

# --- the database is 0600 whatever the umask (SQLite alone made it 0644 under 022, 0666 under 000)
for m in 022 000; do
	mkdir -p "$T_TMP/db$m"
	conf "$T_TMP/db$m/results.db"
	(umask $m; "$TRAMDO" -c "$T_TMP/t.ini" run --server "$CLOSED" >/dev/null 2>"$T_TMP/run$m.err")
	is "$(stat -c %a "$T_TMP/db$m/results.db" 2>&1)" 600 "umask $m: the database is created 0600"
done
n=$("$TRAMDO" -c "$T_TMP/t.ini" history --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 1 "the private database holds the result"

# --- a dangling symlink where the database should be: refused, its target not created
conf "$T_TMP/link.db"
ln -s "$T_TMP/elsewhere/results.db" "$T_TMP/link.db"
mkdir "$T_TMP/elsewhere"
"$TRAMDO" -c "$T_TMP/t.ini" run --server "$CLOSED" >/dev/null 2>"$T_TMP/link.err"
is "$?" 1 "dangling symlink: the run says its result was not stored (exit 1)"
like "$(cat "$T_TMP/link.err")" "database $T_TMP/link.db is a symbolic link to a file that does not exist; refusing to create the database there" \
    "dangling symlink: the message says what is wrong"
is "$(ls -A "$T_TMP/elsewhere")" "" "dangling symlink: nothing created where it points"

# --- export --since takes days on the calendar only
conf "$T_TMP/db022/results.db"
"$TRAMDO" -c "$T_TMP/t.ini" export --since 2026-02-30 --format csv >/dev/null 2>"$T_TMP/e.err"
is "$?:$(cat "$T_TMP/e.err")" "2:tramdo: export: '2026-02-30' is not a date on the calendar (YYYY-MM-DD)" \
    "export --since 2026-02-30 is refused"
"$TRAMDO" -c "$T_TMP/t.ini" export --since 2026-02-29T00:00:00Z --format csv >/dev/null 2>&1
is "$?" 2 "export --since 2026-02-29T00:00:00Z (no leap year) is refused"
"$TRAMDO" -c "$T_TMP/t.ini" export --since 2024-02-29 --format csv >"$T_TMP/e.csv" 2>/dev/null
is "$?" 0 "export --since 2024-02-29 (a leap day) is taken"

# --- CSV: text a spreadsheet would run as a formula starts with an apostrophe; figures do not
cells() {
	python3 - "$T_TMP/e.csv" <<'PY'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1], newline="")))[0]
print(r["station_name"]); print(r["station_isp"]); print(r["trigger"]); print(r["error_code"])
PY
}
mapfile -t c < <(cells)
is "${c[0]}" "'=HYPERLINK(\"http://x.example/\",\"bấm\")" "csv: '=…' station name neutralised"
is "${c[1]}" "'@VNPT" "csv: '@…' ISP neutralised"
is "${c[2]}:${c[3]}" "cli:connect" "csv: other text cells as they are"

# --- a bad token file is an error for check-config, but at run time it stops only its sink:
# the test runs and its result is stored, the json upload waits for the file to be fixed
printf 's3cret\n' >"$T_TMP/token"; chmod 644 "$T_TMP/token"
conf "$T_TMP/tok.db"
printf '[upload]\nenabled = yes\nurl = http://127.0.0.1:9/r\ntoken_file = %s\n' "$T_TMP/token" >>"$T_TMP/t.ini"
"$TRAMDO" -c "$T_TMP/t.ini" check-config >/dev/null
is "$?" 78 "bad token file: check-config fails"
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$CLOSED" >"$T_TMP/tok.json" 2>"$T_TMP/tok.err"
is "$(jget "$T_TMP/tok.json" 'd["error"]["code"]')" connect "bad token file: the test still runs"
like "$(cat "$T_TMP/tok.err")" "upload: \[upload\] token_file: $T_TMP/token can be read by group or others \(mode 0644\)" \
    "bad token file: the run says why its sink waits"
is "$("$TRAMDO" -c "$T_TMP/t.ini" history -n 1 | grep -o 'json:[a-z]*')" "json:pending" \
    "bad token file: the result is stored, its json upload pending"
conf "$T_TMP/db022/results.db"

# --- URLs are at most 2048 bytes, wherever they come from
long="http://127.0.0.1:9/$(head -c 2040 /dev/zero | tr '\0' a)"
"$TRAMDO" -c "$T_TMP/t.ini" run --server "$long" >/dev/null 2>"$T_TMP/long.err"
is "$?" 78 "run --server with a URL of ${#long} bytes is refused as a configuration error"
is "$("$TRAMDO" -c "$T_TMP/t.ini" history --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1 \
    "and nothing was measured or stored"

done_testing
