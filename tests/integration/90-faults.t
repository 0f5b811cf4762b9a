#!/bin/bash
# 90-faults.t — every way a server can fail ends `tramdo run` in time, with the right error code
# and exit status, never a crash, a hang or a hoarded body: refused; accepted and never
# answered; 1 byte/s (every reply, or only the data); HTTP 500, 404, 413 and a failing ping; a
# closed connection without a reply; an HTML page instead of data, and a captive portal; a
# truncated body; resets mid-download and mid-upload; a stall; a 10 GB Content-Length on the
# data and on getIP; TLS to a plain-HTTP server, an untrusted and an expired certificate; a name
# that does not resolve. getIP replies are taken leniently, and their text reaches the terminal
# only sanitised. (The kiosk's side of the same faults: 47-kiosk-faults.t.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v openssl >/dev/null || skip_all "openssl not installed"

plan 86
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

# run_one NAME URL [ARGS...]: one run (prefixed by the command in PREFIX, if any); stdout in
# $T_TMP/NAME.out, "status elapsed-s max-RSS-KiB user+system-s" in $T_TMP/NAME.stat.
PREFIX=()
run_one() {
	local name=$1 url=$2
	shift 2
	python3 - "$T_TMP/$name.stat" "${PREFIX[@]}" "$TRAMDO" -c "$T_TMP/t.ini" run --server "$url" "$@" \
	    > "$T_TMP/$name.out" 2> "$T_TMP/$name.err" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    print(rc, round(time.monotonic() - t, 2), u.ru_maxrss, round(u.ru_utime + u.ru_stime, 2), file=f)
PY
}
# start NAME URL [ARGS...]: run_one in the background, for runs that only wait on a server.
declare -A BG
start() { run_one "$@" & BG[$1]=$!; }
# measure NAME URL [ARGS...]: run_one (or collect the one started), leaving $rc, $elapsed,
# $rss and $cpu behind.
measure() {
	if [ -n "${BG[$1]:-}" ]; then wait "${BG[$1]}"; else run_one "$@"; fi
	read -r rc elapsed rss cpu < "$T_TMP/$1.stat"
}

# Memory a run may use: it must never hold a body it is promised (10 GB); AddressSanitizer's
# shadow memory and quarantine need more (make sanitize).
MAX_MIB=100
ldd "$TRAMDO_BIN" | grep -q libasan && MAX_MIB=512

# expect NAME URL STATUS CODE LIMIT: a --json run exits STATUS with error CODE ("" for none)
# within LIMIT seconds, using less than MAX_MIB.
expect() {
	local name=$1 url=$2 status=$3 code=$4 limit=$5 got
	measure "$name" "$url" --json
	is "$rc" "$status" "$name: exit status $status"
	got=$(jget "$T_TMP/$name.out" 'd.get("error", {}).get("code", "")' 2>/dev/null)
	is "$got" "$code" "$name: error '${code:-none}'"
	num_ok "$elapsed < $limit and $rss < $MAX_MIB * 1024" \
	    "$name: within ${limit}s (${elapsed}s), $((rss / 1024)) MiB"
	diag "$name: $(jget "$T_TMP/$name.out" 'd.get("error", {}).get("message", "ok")' 2>/dev/null)"
}

# The runs that spend their seconds waiting on a server go side by side.
start silent "$F_PY/silent/" --json
start drip "$F_PY/drip/" --json
start slow "$F_MORE/slow/" --json
start stall "$F_PY/stall/" --json

# Nobody listens; TLS spoken to a plain HTTP server.
expect refused "$F_DEAD" 1 connect 3
expect tls-plain "${F_NG/http:/https:}/" 1 tls 3
# Accepted but never answered: not "refused" — no byte came within connect + stall time.
expect silent "$F_PY/silent/" 1 stalled 8
# Every reply at 1 byte/s: a byte now and then is no answer; the phase's deadline ends it.
expect drip "$F_PY/drip/" 1 stalled 10
# Garbage at 1 byte/s (nginx limit_rate) with a fast ping: a measurement of ~0, not an error.
expect slow "$F_MORE/slow/" 0 "" 10
num_ok "$(jget "$T_TMP/slow.out" 'd["download_mbps"]') < 0.001" "slow: download reported as ~0 Mbit/s"
expect http500 "$F_NG/http500/" 1 http 5
expect notfound "$F_MORE/notfound/" 1 http 8
expect ping500 "$F_MORE/ping500/" 1 http 8
expect upload413 "$F_NG/up413/" 1 http 9
# nginx closes the connection without a reply (return 444)
expect close "$F_NG/close/" 1 reset 5
expect html "$F_NG/html/" 1 bad_data 5
expect portal "$F_NG/portal/" 1 bad_data 3
expect truncated "$F_PY/truncated/" 1 reset 8
expect reset "$F_PY/reset/" 1 reset 5
like "$(jget "$T_TMP/reset.out" 'd["error"]["message"]')" "^download: " "reset: the error message names the phase"
expect upreset "$F_PY/upreset/" 1 reset 10
like "$(jget "$T_TMP/upreset.out" 'd["error"]["message"]')" "^upload: " "upreset: fails in the upload phase"
expect huge "$F_PY/huge/" 0 "" 10
expect hugeip "$F_PY/hugeip/" 0 "" 12
expect tls-self "$F_SELF" 1 tls 5
expect tls-expired "$F_EXPIRED" 1 tls 5
# A network namespace with only a downed loopback: the name cannot be resolved, nothing leaves.
if unshare -n true 2>/dev/null; then
	PREFIX=(unshare -n)
	expect dns "http://speedtest.invalid/" 1 dns 5
	PREFIX=()
else
	for _ in 1 2 3; do pass "# SKIP dns: cannot create a network namespace"; done
fi

# A stalled server: the test ends after stall_seconds, and the engine sleeps while it waits.
measure stall "$F_PY/stall/" --json
is "$rc" 1 "stall: exit status 1"
is "$(jget "$T_TMP/stall.out" 'd["error"]["code"]' 2>/dev/null)" "stalled" "stall: error stalled"
num_ok "$(jget "$T_TMP/stall.out" 'd["duration_s"]') < 4" "stall: detected within half the 2 s phase"
num_ok "$cpu < 0.5" "stall: no busy loop while waiting (${cpu}s CPU)"

# getIP replies are taken leniently: a LibreSpeed reply is parsed, a web page only loses the IP.
expect isp "$F_NG/isp/" 0 "" 10
is "$(jget "$T_TMP/isp.out" 'd["client"]["ip"]')" "203.0.113.7" "getIP: client IP from processedString"
is "$(jget "$T_TMP/isp.out" 'd["client"]["isp"]')" "VNPT Corp, VN (12 km)" "getIP: ISP part, control character removed (sanitize_text)"
expect badip "$F_NG/badip/" 0 "" 10
is "$(jget "$T_TMP/badip.out" 'd["client"]["ip"]')" "None" "getIP web page: client IP unknown"
num_ok "$(jget "$T_TMP/badip.out" 'd["upload_mbps"]') > 0" "getIP web page: figures measured"

# getIP's text reaches the terminal only without escape sequences, controls or bidi overrides.
expect escape "$F_MORE/escape/" 0 "" 10
is "$(jget "$T_TMP/escape.out" 'd["client"]["isp"]')" "Evil31m ISP X" "escape: ISP stored sanitised"
measure escape-text "$F_MORE/escape/"
is "$rc" 0 "escape (human output): exit 0"
bad=$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]\|\xe2\x80\xae' "$T_TMP/escape-text.out")
is "$bad" 0 "escape (human output): no control characters on the terminal"
like "$(cat "$T_TMP/escape-text.out")" "Evil31m ISP X" "escape (human output): the ISP is shown, cleaned"

# Nothing half-stored: every run above is one row, the failed ones with their code and no figures.
"$TRAMDO" -c "$T_TMP/t.ini" history --json -n 1000 > "$T_TMP/h.json" 2> "$T_TMP/h.err"
runs=$(ls "$T_TMP"/*.stat | wc -l)
is "$(jget "$T_TMP/h.json" 'len(d)')" "$runs" "the store holds one result per run ($runs)"
is "$(jget "$T_TMP/h.json" 'sum(1 for x in d if "error" in x and ("download_mbps" in x or "bytes" in x))')" 0 \
    "no failed result carries figures"
done_testing
