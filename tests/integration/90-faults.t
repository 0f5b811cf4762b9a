#!/bin/bash
# 90-faults.t — hostile servers beyond 11-faults.t (which covers refused, HTTP 500 and 413, no
# reply, HTML, captive portal, reset mid-download, DNS and a stall): a server that never
# answers, 1 byte/s, 404, a failing ping, a truncated body, a 10 GB Content-Length on garbage
# and on getIP, a reset mid-upload, untrusted and expired TLS certificates, and getIP text that
# tries to drive the terminal. Each `tramdo run` ends in time, with the right error and exit
# status, without hoarding memory.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v openssl >/dev/null || skip_all "openssl not installed"
declare -F start_nginx >/dev/null || skip_all "lib.sh has no start_nginx (engine not merged)"

plan 42
NGPORT=$(free_port)
HPORT=$(free_port)
SPORT=$(free_port)
EPORT=$(free_port)
PYPORT=$(free_port)

# Certificates made now: one self-signed (no client trusts it), one that expired in 2020.
make_certs() {
	local d=$1
	mkdir -p "$d/db" && : > "$d/db/index" && echo 01 > "$d/db/serial"
	printf '%s\n' '[ca]' 'default_ca = t' '[t]' 'database = db/index' 'new_certs_dir = db' \
	    'serial = db/serial' 'default_md = sha256' 'policy = any' 'copy_extensions = copy' \
	    '[any]' 'commonName = supplied' > "$d/ca.cnf"
	(cd "$d" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	    -keyout self.key -out self.crt -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout expired.key -out expired.csr -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 &&
	openssl ca -batch -config ca.cnf -selfsign -keyfile expired.key -in expired.csr \
	    -out expired.crt -startdate 20200101000000Z -enddate 20200102000000Z) >/dev/null 2>&1
	chmod 644 "$d"/*.crt "$d"/*.key	# nginx workers run as nobody
	chmod 755 "$d"
}
make_certs "$T_TMP/certs" || { fail "certificates made"; done_testing; }

sed -e "s|@HTTP_PORT@|$HPORT|" -e "s|@SELF_PORT@|$SPORT|" -e "s|@EXPIRED_PORT@|$EPORT|" \
    -e "s|@ROOT@|$T_TMP/nginx-$NGPORT/www|" -e "s|@CERTS@|$T_TMP/certs|" \
    "$SRCDIR/tests/fixtures/nginx-faults-more.conf" > "$T_TMP/faults-more.conf"
NGINX_GARBAGE_MB=8 start_nginx "$NGPORT" "$T_TMP/faults-more.conf" ||
    { fail "nginx started"; done_testing; }
python3 "$SRCDIR/tests/fixtures/hostile_server.py" "$PYPORT" 2> "$T_TMP/hostile.log" &
T_PIDS+=($!)
wait_port "$PYPORT" 10 || { fail "hostile_server.py started"; done_testing; }

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

# measure NAME URL [--json]: one run; $rc, $elapsed (s) and $rss (max KiB) are left behind,
# stdout in $T_TMP/NAME.out.
measure() {
	local name=$1 url=$2
	shift 2
	python3 - "$T_TMP/$name.stat" "$TRAMDO" -c "$T_TMP/t.ini" run --server "$url" "$@" \
	    > "$T_TMP/$name.out" 2> "$T_TMP/$name.err" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    print(rc, round(time.monotonic() - t, 2), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=f)
PY
	read -r rc elapsed rss < "$T_TMP/$name.stat"
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

H=http://127.0.0.1:$HPORT
P=http://127.0.0.1:$PYPORT
# Accepted but never answered: not "refused" — no byte came within connect + stall time.
expect silent "$P/silent/" 1 stalled 8
# Every reply at 1 byte/s: a byte now and then is no answer; the phase's deadline ends it.
expect drip "$P/drip/" 1 stalled 10
# Garbage at 1 byte/s (nginx limit_rate) with a fast ping: a measurement of ~0, not an error.
expect slow "$H/slow/" 0 "" 10
num_ok "$(jget "$T_TMP/slow.out" 'd["download_mbps"]') < 0.001" "slow: download reported as ~0 Mbit/s"
expect notfound "$H/notfound/" 1 http 8
expect ping500 "$H/ping500/" 1 http 8
expect truncated "$P/truncated/" 1 reset 8
expect huge "$P/huge/" 0 "" 10
expect hugeip "$P/hugeip/" 0 "" 12
expect upreset "$P/upreset/" 1 reset 10
like "$(jget "$T_TMP/upreset.out" 'd["error"]["message"]')" "^upload: " "upreset: fails in the upload phase"
expect tls-self "https://127.0.0.1:$SPORT/" 1 tls 5
expect tls-expired "https://127.0.0.1:$EPORT/" 1 tls 5

# getIP's text reaches the terminal only without escape sequences, controls or bidi overrides.
expect escape "$H/escape/" 0 "" 10
is "$(jget "$T_TMP/escape.out" 'd["client"]["isp"]')" "Evil31m ISP X" "escape: ISP stored sanitised"
measure escape-text "$H/escape/"
is "$rc" 0 "escape (human output): exit 0"
bad=$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]\|\xe2\x80\xae' "$T_TMP/escape-text.out")
is "$bad" 0 "escape (human output): no control characters on the terminal"
like "$(cat "$T_TMP/escape-text.out")" "Evil31m ISP X" "escape (human output): the ISP is shown, cleaned"

done_testing
