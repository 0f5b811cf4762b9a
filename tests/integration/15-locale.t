#!/bin/bash
# 15-locale.t — figures keep "." as decimal point whatever the environment's locale: glibc's
# vi_VN uses ",", which must never reach what tramdo parses, prints, logs or stores. With
# LANG=vi_VN.UTF-8 (LC_ALL and LC_NUMERIC unset), in child processes: check-config and the
# station's position (parsing), `run --json` and its summary and log lines, `history --json`,
# `gps`, and the kiosk's --log with its result line. The vi_VN locale is generated into this
# test's own directory when the system has none (localedef + LOCPATH; Debian package locales).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v tmux >/dev/null || skip_all "tmux not installed"

plan 20

# The locale: the system's vi_VN.UTF-8 if installed, else one built here (changes nothing on the
# system). make deps installs what localedef needs; failing to build it is a failure, not a skip.
VI_VARS=(LANG=vi_VN.UTF-8)
if ! locale -a 2>/dev/null | grep -qix 'vi_VN\.utf-\?8'; then
	mkdir -p "$T_TMP/loc"
	localedef -i vi_VN -f UTF-8 "$T_TMP/loc/vi_VN.UTF-8" > "$T_TMP/localedef.log" 2>&1 ||
	    { diag "localedef failed:"; sed 's/^/#   /' "$T_TMP/localedef.log"; }
	VI_VARS+=(LOCPATH="$T_TMP/loc")
	# glibc keeps the LOCPATH list it parsed for the life of the process (argz, never freed):
	# not tramdo's leak, but LeakSanitizer would fail the sanitizer build's runs for it.
	echo 'leak:__argz_add_sep' > "$T_TMP/lsan.supp"
	VI_VARS+=(LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T_TMP/lsan.supp:print_suppressions=0")
fi
vi() { env -u LC_ALL -u LC_NUMERIC -u LC_CTYPE -u LC_MESSAGES -u LANGUAGE "${VI_VARS[@]}" "$@"; }
# The test can fail only if the locale is real: a C program that follows the environment would
# print "2,5" in it.
is "$(vi python3 -c 'import locale; locale.setlocale(locale.LC_ALL, ""); print(locale.str(2.5))')" \
    "2,5" "the vi_VN.UTF-8 locale is there and has a decimal comma"

PORT=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$PORT" || fail "nginx started"
cat > "$T_TMP/t.ini" <<INI
[station]
id = VN-LOC-01
name = Nhà văn hoá thử nghiệm
latitude = 19.8067
longitude = 105.7852
[test]
server = lan
max_seconds = 2.5
ping_count = 10
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
[server lan]
url = http://127.0.0.1:$PORT/
INI

# The kiosk (its own store), with its log: one citizen's test, beside the runs below.
sed "s|^path = .*|path = $T_TMP/kiosk.db|" "$T_TMP/t.ini" > "$T_TMP/k.ini"
# (Its tmux server starts from this shell, so the LC_ variables go here too.)
unset LC_ALL LC_NUMERIC LC_CTYPE LC_MESSAGES LANGUAGE
k_start 100 30 "$T_TMP/k.ini" "${VI_VARS[@]}"
vi "$TRAMDO" -c "$T_TMP/t.ini" run --json > "$T_TMP/r.json" 2> "$T_TMP/r.err" &
json_run=$!
vi "$TRAMDO" -c "$T_TMP/t.ini" run > "$T_TMP/r.txt" 2> /dev/null &
text_run=$!
# Welcome stays until a key: waiting for it has no deadline to miss.
k_wait 'Nhấn phím bất kỳ'
k_keys Enter

# Parsing: 2.5 and the coordinates are numbers, not "2" and a comment.
out=$(vi "$TRAMDO" -c "$T_TMP/t.ini" check-config 2>&1)
is "$?:$out" "0:$T_TMP/t.ini: OK (0 warnings)" "check-config accepts max_seconds = 2.5"

# no_comma FILE: lines of FILE with a digit, a comma and a digit (a decimal comma), outside JSON
# arrays of numbers, whose commas are separators (the latency samples: checked as numbers below).
no_comma() { sed -E 's/\[[0-9.,-]*\]/[]/g' "$1" | grep -E '[0-9],[0-9]'; }

wait "$json_run"
is "$?" 0 "run --json exits 0"
is "$(jget "$T_TMP/r.json" '"%s %s" % (d["location"]["lat"], d["location"]["lon"])' 2>&1)" \
    "19.8067 105.7852" "the station's position is read whole (19.8067, 105.7852)"
like "$(cat "$T_TMP/r.json")" '"download_mbps":[0-9]+\.[0-9]+,' "JSON: download_mbps has a decimal point"
like "$(cat "$T_TMP/r.json")" '"median":[0-9]+\.[0-9]+' "JSON: latency has a decimal point"
is "$(jget "$T_TMP/r.json" 'all(isinstance(v, float) for v in (d["download_mbps"], d["upload_mbps"], d["duration_s"]))' 2>&1)" \
    True "JSON: the figures parse as numbers"
is "$(no_comma "$T_TMP/r.json")" "" "JSON: no decimal comma anywhere"
is "$(jget "$T_TMP/r.json" 'len(d["latency_ms"]["samples"]) == 10 and all(isinstance(v, float) for v in d["latency_ms"]["samples"])' 2>&1)" \
    True "JSON: the 10 latency samples are 10 numbers with a decimal point"
like "$(cat "$T_TMP/r.err")" 'measure: download [0-9]+\.[0-9]+ Mbit/s' "log: the measured rate has a decimal point"
is "$(no_comma "$T_TMP/r.err")" "" "log: no decimal comma"

wait "$text_run"
like "$(cat "$T_TMP/r.txt")" 'download +[0-9]+\.[0-9]{2} Mbit/s' "summary: the rate has a decimal point"
is "$(no_comma "$T_TMP/r.txt")" "" "summary: no decimal comma"

vi "$TRAMDO" -c "$T_TMP/t.ini" history --json -n 10 > "$T_TMP/h.json" 2> "$T_TMP/h.err"
is "$(jget "$T_TMP/h.json" 'len(d)' 2>&1)" 2 "history --json: both results"
is "$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1])); h = {x["id"]: x for x in json.load(open(sys.argv[2]))}[r["id"]]
print(all(h[k] == r[k] for k in ("download_mbps", "upload_mbps", "duration_s", "latency_ms", "location")))' \
    "$T_TMP/r.json" "$T_TMP/h.json" 2>&1)" True "history --json: the stored figures are the run's"
is "$(no_comma "$T_TMP/h.json")" "" "history --json: no decimal comma"

vi "$TRAMDO" -c "$T_TMP/t.ini" gps > "$T_TMP/gps.txt" 2>&1
like "$(grep '^results' "$T_TMP/gps.txt")" 'carry 19\.806700, 105\.785200 \(source station\)' "gps: the position printed with points"

k_wait_log '^\{' 1
ok $? "kiosk: a result line in its log"
grep '^{' "$K_LOG" | tail -1 > "$T_TMP/k.json"
like "$(cat "$T_TMP/k.json")" '"download_mbps":[0-9]+\.[0-9]+,' "kiosk log: download_mbps has a decimal point"
is "$(no_comma "$K_LOG")" "" "kiosk log: no decimal comma"
done_testing
