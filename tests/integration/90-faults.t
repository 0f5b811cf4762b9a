#!/bin/bash
# 90-faults.t — every way a server can fail ends `tramdo run` in time, with the right error code
# and exit status, never a crash, a hang or a hoarded body: refused; accepted and never
# answered; 1 byte/s (every reply, or only the data); HTTP 500, 404 and a failing ping; a
# closed connection without a reply; an HTML page instead of data, and a captive portal; a
# truncated body; a reset mid-download; a stall; a server that refuses (413) or resets every upload
# body, even the smallest: a partial result, the download kept, exit status 3; a 10 GB Content-Length on the
# data and on getIP; TLS to a plain-HTTP server, an untrusted and an expired certificate; a name
# that does not resolve; a connection that stops answering after a few requests. getIP replies are
# taken leniently, a getIP that trickles is given up after 2 s, and getIP's text reaches the
# terminal only sanitised. (The kiosk's side of the same faults: 47-kiosk-faults.t.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v openssl >/dev/null || skip_all "openssl not installed"

plan 100
start_fault_servers || { fail "fault servers started"; done_testing; }

cat > "$T_TMP/t.ini" <<INI
[test]
max_seconds = 2
ping_count = 10
connect_timeout = 2
stall_seconds = 2
[storage]
path = $T_TMP/results.db
[gps]
enabled = no
INI

# run_one NAME URL [ARGS...]: one run of INI (prefixed by the command in PREFIX, if any); stdout
# in $T_TMP/NAME.out; in $T_TMP/NAME.stat one line "status elapsed-s max-RSS-KiB
# user+system-s error-code" (code "-" for none), then the error message (or "ok").
PREFIX=()
INI=$T_TMP/t.ini
# Runs that must end with figures, or with a fault (reset, truncated body, a TLS failure) rather
# than a gap or a timeout before it, wait 3 s for data (phases of 6 s) and 6 s for a connection
# with its TLS handshake: their servers are busy with the other runs here, and on a busy machine
# (OpenSSL under ASan) those can be seconds late. The stall runs keep a 1 s stall.
sed -e 's/^max_seconds = .*/max_seconds = 6/' -e 's/^stall_seconds = .*/stall_seconds = 3/' \
    -e 's/^connect_timeout = .*/connect_timeout = 6/' "$T_TMP/t.ini" > "$T_TMP/patient.ini"
run_one() {
	local name=$1 url=$2
	shift 2
	python3 - "$T_TMP/$name.stat" "$T_TMP/$name.out" "${PREFIX[@]}" "$TRAMDO" -c "$INI" run \
	    --server "$url" "$@" > "$T_TMP/$name.out" 2> "$T_TMP/$name.err" <<'PY'
import json, resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[3:])
elapsed = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
try:
    d = json.load(open(sys.argv[2]))
    err = d.get("error") or d.get("upload_error") or {}	# a partial result: the upload's
except ValueError:
    err = {}
with open(sys.argv[1], "w") as f:
    print(rc, round(elapsed, 2), u.ru_maxrss, round(u.ru_utime + u.ru_stime, 3),
          err.get("code") or "-", file=f)
    print(err.get("message", "ok"), file=f)
PY
}
# start NAME URL [ARGS...]: run_one in the background, for runs that wait on a server or last
# their phases' fixed time.
declare -A BG
start() { run_one "$@" & BG[$1]=$!; }
# measure NAME URL [ARGS...]: run_one (or collect the one started), leaving $rc, $elapsed,
# $rss, $cpu, $code and $message behind.
measure() {
	if [ -n "${BG[$1]:-}" ]; then wait "${BG[$1]}"; else run_one "$@"; fi
	{ read -r rc elapsed rss cpu code; read -r message; } < "$T_TMP/$1.stat"
	[ "$code" = - ] && code=
}

# Memory a run may use: it must never hold a body it is promised (10 GB); AddressSanitizer's
# shadow memory and quarantine need more (make sanitize).
MAX_MIB=100
sanitized && MAX_MIB=512

# expect NAME URL STATUS CODE LIMIT: a --json run exits STATUS with error CODE ("" for none)
# within LIMIT seconds (the waits the configuration allows, plus SLACK), using less than MAX_MIB.
expect() {
	local name=$1 url=$2 status=$3 want=$4 limit=$5
	measure "$name" "$url" --json
	is "$rc" "$status" "$name: exit status $status"
	is "$code" "$want" "$name: error '${want:-none}'"
	num_ok "$elapsed < $limit + $SLACK and $rss < $MAX_MIB * 1024" \
	    "$name: within ${limit}s + ${SLACK}s (${elapsed}s), $((rss / 1024)) MiB"
	diag "$name: $message"
}

# Everything that waits on a server or lasts its phases' fixed time goes side by side; the
# quick failures then run one by one while these wait.
start silent "$F_PY/silent/" --json
start drip "$F_PY/drip/" --json
# nginx sends a rate-limited body once a second (its clock has whole seconds): a gap of 1 s
# plus a busy machine's delay is still a slow link, not a stall.
INI=$T_TMP/patient.ini start slow "$F_MORE/slow/" --json
# The stalled server sends its first MiB, then nothing. On a busy machine that MiB can trickle
# in for a few seconds: the stall runs have phases of 8 s (16 s) and a data stall of 1 s (5 s),
# so the stall falls inside the phase however slowly the data before it came.
sed -e 's/^max_seconds = .*/max_seconds = 8/' -e 's/^stall_seconds = .*/stall_seconds = 1/' \
    "$T_TMP/t.ini" > "$T_TMP/stall.ini"
INI=$T_TMP/stall.ini start stall "$F_PY/stall/" --json
start upload413 "$F_NG/up413/" --json
INI=$T_TMP/patient.ini start upreset "$F_PY/upreset/" --json
# The endless streams get a hostile server of their own: beside them, one Python process would
# send the stall's first MiB so slowly that it never stalls.
STREAM_PORT=$(free_port)
python3 "$SRCDIR/tests/fixtures/hostile_server.py" "$STREAM_PORT" 2> "$T_TMP/hostile-stream.log" &
T_PIDS+=($!)
wait_port "$STREAM_PORT" $! || fail "a second hostile_server.py started"
F_STREAM=http://127.0.0.1:$STREAM_PORT
INI=$T_TMP/patient.ini start huge "$F_STREAM/huge/" --json
INI=$T_TMP/patient.ini start hugeip "$F_STREAM/hugeip/" --json
INI=$T_TMP/patient.ini start dripip "$F_STREAM/dripip/" --json
start tired "$F_PY/tired/" --json
INI=$T_TMP/patient.ini start isp "$F_NG/isp/" --json
INI=$T_TMP/patient.ini start badip "$F_NG/badip/" --json
INI=$T_TMP/patient.ini start escape "$F_MORE/escape/" --json
INI=$T_TMP/patient.ini start escape-text "$F_MORE/escape/"
# The same stall, waited on 4 s longer (data stall = min(stall_seconds, max_seconds / 2)).
sed -e 's/^max_seconds = .*/max_seconds = 16/' -e 's/^stall_seconds = .*/stall_seconds = 5/' \
    "$T_TMP/t.ini" > "$T_TMP/long.ini"
INI=$T_TMP/long.ini start stall-long "$F_PY/stall/" --json

# The time limits below are what the configuration lets each run wait. On a busy machine every
# run also takes longer to start, store its result and exit: SLACK is 10 times what a run that
# fails at once (nothing listens) takes here and now, measured three times beside the runs above.
for i in 1 2 3; do run_one "base$i" "$F_DEAD" --json; done
SLACK=$(for i in 1 2 3; do cut -d' ' -f2 "$T_TMP/base$i.stat" | head -1; done | sort -n | sed -n 2p)
SLACK=$(python3 -c "print(round(max(1.0, 10 * $SLACK), 1))")
diag "a run that fails at once takes $(python3 -c "print(round($SLACK / 10, 2))") s here: slack ${SLACK} s"

# Nobody listens; TLS spoken to a plain HTTP server.
expect refused "$F_DEAD" 1 connect 3
INI=$T_TMP/patient.ini expect tls-plain "${F_NG/http:/https:}/" 1 tls 3
# Accepted but never answered: not "refused" — no byte came within connect + stall time.
expect silent "$F_PY/silent/" 1 stalled 8
# Every reply at 1 byte/s: a byte now and then is no answer; the phase's deadline ends it.
expect drip "$F_PY/drip/" 1 stalled 10
# Garbage at 1 byte/s (nginx limit_rate) with a fast ping: a measurement of ~0, not an error
# (phases of 6 s: 2 x 6 s + 6 s).
expect slow "$F_MORE/slow/" 0 "" 18
num_ok "$(jget "$T_TMP/slow.out" 'd["download_mbps"]') < 0.001" "slow: download reported as ~0 Mbit/s"
expect http500 "$F_NG/http500/" 1 http 5
expect notfound "$F_MORE/notfound/" 1 http 8
expect ping500 "$F_MORE/ping500/" 1 http 8
# Every POST refused, whatever its size: the bodies halve down to 256 KiB, then the result is
# partial — the download kept, the upload's error recorded.
expect upload413 "$F_NG/up413/" 3 http 9
num_ok "$(jget "$T_TMP/upload413.out" 'd["download_mbps"]') > 0" "upload413: the download figure is kept"
is "$(jget "$T_TMP/upload413.out" 'd["upload_mbps"], d["upload_body_bytes"]')" "None 262144" \
    "upload413: no upload figure, after bodies down to 256 KiB"
# nginx closes the connection without a reply (return 444)
expect close "$F_NG/close/" 1 reset 5
expect html "$F_NG/html/" 1 bad_data 5
expect portal "$F_NG/portal/" 1 bad_data 3
INI=$T_TMP/patient.ini expect truncated "$F_PY/truncated/" 1 reset 8
INI=$T_TMP/patient.ini expect reset "$F_PY/reset/" 1 reset 5
like "$(jget "$T_TMP/reset.out" 'd["error"]["message"]')" "^download: " "reset: the error message names the phase"
expect upreset "$F_PY/upreset/" 3 reset 10
like "$(jget "$T_TMP/upreset.out" 'd["upload_error"]["message"]')" "^upload: " "upreset: the upload fails, the download stands"
expect huge "$F_STREAM/huge/" 0 "" 14
expect hugeip "$F_STREAM/hugeip/" 0 "" 14
INI=$T_TMP/patient.ini expect tls-self "$F_SELF" 1 tls 5
INI=$T_TMP/patient.ini expect tls-expired "$F_EXPIRED" 1 tls 5
# A network namespace with only a downed loopback: the name cannot be resolved, nothing leaves.
if unshare -n true 2>/dev/null; then
	PREFIX=(unshare -n)
	expect dns "http://speedtest.invalid/" 1 dns 5
	PREFIX=()
else
	for _ in 1 2 3; do pass "# SKIP dns: cannot create a network namespace"; done
fi

# A stalled server: the test ends once no data came for stall_seconds, and the engine sleeps
# while it waits: the run that waits 4 s longer uses no more CPU than 10% of those 4 s (a busy
# loop would use a whole core's share of them, even on a machine busy with other work).
# stalled_for NAME: the X of "no data for X s" in run NAME's error message.
stalled_for() { sed -n '2s/.*no data for \([0-9.]*\) s.*/\1/p' "$T_TMP/$1.stat"; }
measure stall "$F_PY/stall/" --json
is "$rc" 1 "stall: exit status 1"
is "$code" "stalled" "stall: error stalled"
short_cpu=$cpu short_stall=$(stalled_for stall)
num_ok "${short_stall:-0} >= 1 and $(jget "$T_TMP/stall.out" 'd["duration_s"]') < 8" \
    "stall: detected after ${short_stall:-?} s without data (stall_seconds = 1), inside the 8 s phase"
measure stall-long
is "$rc:$code" "1:stalled" "stall-long: exit status 1, error stalled"
long_stall=$(stalled_for stall-long)
num_ok "${long_stall:-0} >= 5" "stall-long: waited ${long_stall:-?} s without data (stall_seconds = 5)"
num_ok "$cpu - $short_cpu <= 0.1 * (${long_stall:-0} - ${short_stall:-0})" \
    "stall: no busy loop while waiting (${cpu}s CPU for a ${long_stall:-?} s stall vs ${short_cpu}s for ${short_stall:-?} s)"

# getIP replies are taken leniently: a LibreSpeed reply is parsed, a web page only loses the IP.
expect isp "$F_NG/isp/" 0 "" 14
is "$(jget "$T_TMP/isp.out" 'd["client"]["ip"]')" "203.0.113.7" "getIP: client IP from processedString"
is "$(jget "$T_TMP/isp.out" 'd["client"]["isp"]')" "VNPT Corp, VN (12 km)" "getIP: ISP part, control character removed (sanitize_text)"
expect badip "$F_NG/badip/" 0 "" 14
is "$(jget "$T_TMP/badip.out" 'd["client"]["ip"]')" "None" "getIP web page: client IP unknown"
num_ok "$(jget "$T_TMP/badip.out" 'd["upload_mbps"]') > 0" "getIP web page: figures measured"

# getIP is optional and has 2 s of its own: one that trickles leaves the client IP unknown and
# the figures intact (hostile_server.py says how long the client held on to it).
expect dripip "$F_STREAM/dripip/" 0 "" 16
is "$(jget "$T_TMP/dripip.out" 'd["client"]["ip"]')" "None" "dripip: client IP unknown"
num_ok "$(jget "$T_TMP/dripip.out" 'd["download_mbps"]') > 0 and $(jget "$T_TMP/dripip.out" 'd["upload_mbps"]') > 0" \
    "dripip: download and upload measured"
held=$(sed -n 's/^dripip: getIP held \([0-9.]*\) s$/\1/p' "$T_TMP/hostile-stream.log" | head -1)
# getIP runs beside the test: it is given up at its 2 s limit or when the test ends, whichever
# comes first (a loopback test can end within a second); never later.
num_ok "${held:-0} > 0 and ${held:-0} < 2 + 1.5" "dripip: getIP given up after ${held:-?} s (its limit: 2 s, or the test's end)"
# A server that stops answering on a connection already in use: the ping's request went out on a
# reused connection (curl's connect time is 0 there), so the server stalled, not the connect.
expect tired "$F_PY/tired/" 1 stalled 6
like "$message" "^latency: " "tired: fails in the latency phase ($message)"

# getIP's text reaches the terminal only without escape sequences, controls or bidi overrides.
expect escape "$F_MORE/escape/" 0 "" 14
is "$(jget "$T_TMP/escape.out" 'd["client"]["isp"]')" "Evil31m ISP X" "escape: ISP stored sanitised"
measure escape-text "$F_MORE/escape/"
is "$rc" 0 "escape (human output): exit 0"
bad=$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]\|\xe2\x80\xae' "$T_TMP/escape-text.out")
is "$bad" 0 "escape (human output): no control characters on the terminal"
like "$(cat "$T_TMP/escape-text.out")" "Evil31m ISP X" "escape (human output): the ISP is shown, cleaned"

# Nothing half-stored: every run above is one row, the failed ones with their code and no figures.
"$TRAMDO" -c "$T_TMP/t.ini" history --json -n 1000 > "$T_TMP/h.json" 2> "$T_TMP/h.err"
runs=$(ls "$T_TMP"/*.stat | wc -l)	# the three baseline runs too
is "$(jget "$T_TMP/h.json" 'len(d)')" "$runs" "the store holds one result per run ($runs)"
is "$(jget "$T_TMP/h.json" 'sum(1 for x in d if "error" in x and ("download_mbps" in x or "bytes" in x))')" 0 \
    "no failed result carries figures"
done_testing
