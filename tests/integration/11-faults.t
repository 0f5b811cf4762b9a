#!/bin/bash
# 11-faults.t — every way a server can fail ends `tramdo run` with its error code, exit status 1
# and within a time limit: never a crash, never a hang.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"

plan 38
PORT=$(free_port)
FPORT=$(free_port)
PYPORT=$(free_port)
DEAD=$(free_port)
NGINX_GARBAGE_MB=8
sed -e "s|@FAULT_PORT@|$FPORT|" -e "s|@ROOT@|$T_TMP/nginx-$PORT/www|" \
    "$SRCDIR/tests/fixtures/nginx-faults.conf" > "$T_TMP/faults.conf"
start_nginx "$PORT" "$T_TMP/faults.conf" || { fail "nginx started"; done_testing; }
python3 "$SRCDIR/tests/fixtures/faultd.py" "$PYPORT" 2> "$T_TMP/faultd.log" &
T_PIDS+=($!)
wait_port "$PYPORT" 10 || { fail "faultd started"; done_testing; }

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

# expect_fail NAME URL CODE MAX_SECONDS [PREFIX...]: the run fails with CODE, exit 1, in time
expect_fail() {
	local name=$1 url=$2 code=$3 limit=$4 start elapsed rc
	shift 4
	start=$(date +%s.%N)
	"$@" "$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$url" > "$T_TMP/$name.json" 2> "$T_TMP/$name.err"
	rc=$?
	elapsed=$(python3 -c "import time; print(round(time.time() - $start, 2))")
	is "$rc" 1 "$name: exit status 1"
	is "$(jget "$T_TMP/$name.json" 'd["error"]["code"]' 2>/dev/null)" "$code" "$name: error $code"
	num_ok "$elapsed < $limit" "$name: within ${limit}s (${elapsed}s)"
	diag "$name: $(jget "$T_TMP/$name.json" 'd["error"]["message"]' 2>/dev/null)"
}

expect_fail refused "http://127.0.0.1:$DEAD/" connect 3
expect_fail tls "https://127.0.0.1:$PORT/" tls 3
expect_fail http500 "http://127.0.0.1:$FPORT/http500/" http 5
expect_fail close "http://127.0.0.1:$FPORT/close/" reset 5
expect_fail html "http://127.0.0.1:$FPORT/html/" bad_data 5
expect_fail portal "http://127.0.0.1:$FPORT/portal/" bad_data 3
expect_fail upload413 "http://127.0.0.1:$FPORT/up413/" http 9
expect_fail reset "http://127.0.0.1:$PYPORT/reset/" reset 5
# a network namespace with only a downed loopback: the name cannot be resolved, and nothing leaves
if unshare -n true 2>/dev/null; then
	expect_fail dns "http://speedtest.invalid/" dns 5 unshare -n
else
	for _ in 1 2 3; do pass "# SKIP dns: cannot create a network namespace"; done
fi

# a stalled server: the test ends after stall_seconds, and the engine sleeps while it waits
/usr/bin/time -f "%U %S" -o "$T_TMP/stall.time" \
    "$TRAMDO" -c "$T_TMP/t.ini" run --json --server "http://127.0.0.1:$PYPORT/stall/" \
    > "$T_TMP/stall.json" 2> "$T_TMP/stall.err"
is "$?" 1 "stall: exit status 1"
is "$(jget "$T_TMP/stall.json" 'd["error"]["code"]' 2>/dev/null)" "stalled" "stall: error stalled"
num_ok "$(jget "$T_TMP/stall.json" 'd["duration_s"]') < 4" "stall: detected within half the 2 s phase"
read -r u s < <(tail -n 1 "$T_TMP/stall.time")
num_ok "$u + $s < 0.5" "stall: no busy loop while waiting (${u}s user, ${s}s system)"

# getIP replies are taken leniently: a LibreSpeed reply is parsed, a web page only loses the IP
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "http://127.0.0.1:$FPORT/isp/" > "$T_TMP/isp.json" 2> /dev/null
is "$?" 0 "getIP with ISP: exit 0"
is "$(jget "$T_TMP/isp.json" 'd["client"]["ip"]')" "203.0.113.7" "getIP: client IP from processedString"
is "$(jget "$T_TMP/isp.json" 'd["client"]["isp"]')" "VNPT Corp, VN (12 km)" "getIP: ISP part, control character removed (sanitize_text)"
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "http://127.0.0.1:$FPORT/badip/" > "$T_TMP/badip.json" 2> /dev/null
is "$?" 0 "getIP answering a web page: the test still runs"
is "$(jget "$T_TMP/badip.json" 'd["client"]["ip"]')" "None" "getIP web page: client IP unknown"
num_ok "$(jget "$T_TMP/badip.json" 'd["upload_mbps"]') > 0" "getIP web page: figures measured"

# the message says in which phase it happened
like "$(jget "$T_TMP/reset.json" 'd["error"]["message"]')" "^download: " "the error message names the phase"

done_testing
