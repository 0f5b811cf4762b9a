#!/bin/bash
# 13-credentials.t — a password written into a URL (a server by --server and in the INI, every
# collector) is used for the request and found nowhere else: not on stdout or stderr, not in the
# --log file, not in the database's bytes (WAL included), not in any body a collector received,
# not in history, export or check-config — for good tests and for failed ones, whose error
# text quotes the URL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"

plan 21
PW=s3cretPW
PORT=$(free_port)
CPORT=$(free_port)
DEAD=$(free_port)	# nobody listens: a failed test quotes the URL in its error
start_nginx "$PORT" || { fail "nginx started"; done_testing; }
python3 "$SRCDIR/tests/mock_collector.py" --port "$CPORT" --token "$TOKEN" \
    --record "$T_TMP/received.jsonl" &
T_PIDS+=($!)
wait_port "$CPORT" $! || { fail "collector started"; done_testing; }
printf '%s\n' "$TOKEN" > "$T_TMP/influx-token"
chmod 600 "$T_TMP/influx-token"

INI=$T_TMP/t.ini
write_config "$INI" "format = json, librespeed, influx
url = http://coll:$PW@127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token
librespeed_url = http://coll:$PW@127.0.0.1:$CPORT/
influx_url = http://coll:$PW@127.0.0.1:$CPORT/
influx_org = vn
influx_bucket = speed
influx_token_file = $T_TMP/influx-token"
sed -i -e 's/^\[test\]$/[test]\nconnect_timeout = 2\nstall_seconds = 2/' "$INI"
printf '[server lan]\nurl = http://user:%s@127.0.0.1:%s/\n' "$PW" "$PORT" >> "$INI"
LOG=$T_TMP/tramdo.log

# run NAME ARGS...: tramdo -c INI --log LOG run ARGS, stdout in NAME.out, stderr in NAME.err.
run() {
	local name=$1
	shift
	"$TRAMDO" -c "$INI" --log "$LOG" run "$@" > "$T_TMP/$name.out" 2> "$T_TMP/$name.err"
	echo $?
}

# 1. By --server URL, and by an INI section: measured, the result names the server without login.
rc=$(run url --json --server "http://user:$PW@127.0.0.1:$PORT/")
is "$rc" 0 "run --server URL with user-info: measured (the request used the URL as given)"
is "$(jget "$T_TMP/url.out" 'd["server"]["url"]')" "http://127.0.0.1:$PORT/" \
    "server.url without user and password"
is "$(jget "$T_TMP/url.out" 'd["server"]["name"]')" "http://127.0.0.1:$PORT/" \
    "server.name (the URL given) without user and password"
rc=$(run ini --json --server lan)
is "$rc" 0 "run against [server lan] whose url has user-info: measured"
is "$(jget "$T_TMP/ini.out" 'd["server"]["url"]') $(jget "$T_TMP/ini.out" 'd["server"]["name"]')" \
    "http://127.0.0.1:$PORT/ lan" "[server lan]: server.url without user-info, name lan"
# The human summary prints the URL too.
rc=$(run human --server lan)
like "$(cat "$T_TMP/human.out")" "server +lan \\(http://127\\.0\\.0\\.1:$PORT/\\)" \
    "the summary shows the URL without user-info"

# 2. Failed tests: the error text quotes the URL it tried.
rc=$(run dead --json --server "http://user:$PW@127.0.0.1:$DEAD/")
is "$rc" 1 "a dead server with user-info: the test fails"
like "$(jget "$T_TMP/dead.out" 'd["error"]["message"]')" "127\\.0\\.0\\.1:$DEAD/backend/" \
    "its error names the URL it tried ($(jget "$T_TMP/dead.out" 'd["error"]["message"]'))"
rc=$(run http404 --json --server "http://user:$PW@127.0.0.1:$PORT/nothere/")
like "$(jget "$T_TMP/http404.out" 'd["error"]["code"]') $(jget "$T_TMP/http404.out" 'd["error"]["message"]')" \
    "^http .*HTTP 404 from http://127\\.0\\.0\\.1:$PORT/nothere/" "an HTTP error names the URL without user-info"
rc=$(run bad --server "http://user:$PW@/")
is "$rc" 78 "a --server URL without a host: refused"
like "$(cat "$T_TMP/bad.err")" "the server URL (is not a valid URL|has no host name)" "… and says so"

# 3. Every collector got the results, sent with the login written into its URL.
"$TRAMDO" -c "$INI" --log "$LOG" upload > "$T_TMP/upload.out" 2> "$T_TMP/upload.err"
is "$?" 0 "tramdo upload: nothing left pending"
posts=$(collector "$CPORT" '"%d %d %d" % (d["json"]["accepted"], d["librespeed"]["accepted"], d["influx2"]["posts"])')
num_ok "min(map(int, '$posts'.split())) >= 3" "each sink (json, librespeed, influx) received the results (accepted: $posts)"
basic="Basic $(printf 'coll:%s' "$PW" | base64)"
is "$(python3 -c 'import json, sys
print(sum(json.loads(l)["authorization"] == sys.argv[1] for l in open(sys.argv[2]) if "telemetry" in l) > 0)' \
    "$basic" "$T_TMP/received.jsonl")" True \
    "the librespeed collector got the URL's login as HTTP Basic authentication"

# 4. check-config quotes a bad URL without its password; history and export show stored rows.
printf '[servers]\nlist_url = http://user:%s@\n' "$PW" > "$T_TMP/badurl.ini"
"$TRAMDO" -c "$T_TMP/badurl.ini" check-config > "$T_TMP/check.out" 2> "$T_TMP/check.err"
like "$(cat "$T_TMP/check.out" "$T_TMP/check.err")" "list_url: .*is not a valid URL" \
    "check-config reports the URL that has no host"
"$TRAMDO" -c "$INI" history > "$T_TMP/history.out" 2> "$T_TMP/history.err"
"$TRAMDO" -c "$INI" export --since 2000-01-01 --format json > "$T_TMP/export.out" \
    2> "$T_TMP/export.err"
is "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$T_TMP/export.out")" 5 \
    "export holds the five tests"

# 5. The password, nowhere. The log file and the database must exist for the search to mean
# anything: --log works for run, with the result line in it.
like "$(grep -c '^{' "$LOG")" "^[5-9]$" "run --log FILE: the log holds each result's JSON line"
ok "$([ -s "$T_TMP/results.db" ] && [ -s "$T_TMP/received.jsonl" ] && echo 0 || echo 1)" \
    "the database and the collector's record are there to search"
# received.jsonl also holds the Authorization headers: base64, never the password's letters.
leaks=$(grep -l -a -F "$PW" "$T_TMP"/*.out "$T_TMP"/*.err "$LOG" "$T_TMP"/results.db* \
    "$T_TMP/received.jsonl" 2>/dev/null | tr '\n' ' ')
is "$leaks" "" "the password is in no output, log, database file or collector body"
leaks=$(grep -l -a -F "user:" "$T_TMP"/*.out "$T_TMP"/*.err "$LOG" "$T_TMP"/results.db* \
    "$T_TMP/received.jsonl" 2>/dev/null | tr '\n' ' ')
is "$leaks" "" "… nor the user name with its colon"
is "$(collector "$CPORT" 'len(d["bad"])')" 0 "the collector found nothing wrong in what it got"

done_testing
