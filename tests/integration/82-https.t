#!/usr/bin/env bash
# 82-https.t — HTTPS servers are measured with certificate checks on. A test certificate
# authority made in the run (bench/lib-tls.sh) signs nginx's certificate for 127.0.0.1 (an IP
# subjectAltName); nginx serves config/nginx-speedtest.conf over http and https at once.
#   - [test] ca_file = that CA: `tramdo run` over https succeeds with real figures, and the
#     result names the https URL; its upload reaches the project's mock collector over https
#     through [upload] ca_file; as root, the run goes to a name with an IPv4 and an IPv6 address
#     (a hosts file bind-mounted in a mount namespace of its own, as in 81-ipv6.t) with
#     ip_version = 4, and the short look over IPv6 that follows (ipprobe) trusts the same CA;
#   - no ca_file (the system's authorities), another test CA, or the right CA for a name the
#     certificate does not hold (https://localhost/): the test fails with the tls error, and an
#     upload to a collector under a wrong [upload] ca_file fails until the CA is right;
#   - check-config names the file, section and key of a missing, non-PEM or directory ca_file;
#   - on a 100 Mbit/s tbf link between network namespaces (bench/lib-netns.sh; root; skipped
#     under ASan and where namespaces cannot be made): download and upload over TLS within ±5%
#     of the payload the link carried in tramdo's measured window (bench/probe_run.py), which
#     must be at least half the link's ceiling (rate × 1448/1514).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/upload-lib.sh"
source "$SRCDIR/bench/lib-tls.sh"
command -v openssl >/dev/null || skip_all "openssl not installed (make deps installs it)"
need_config_loader
plan 26

# The dual-stack name needs a mount namespace (root, unshare) and ::1.
dual=
if [ "$(id -u)" -ne 0 ]; then
	dual_skip="needs root: the dual-stack name comes from a hosts file bind-mounted over /etc/hosts"
elif ! command -v unshare >/dev/null; then
	dual_skip="unshare (util-linux) is missing"
elif ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	dual_skip="IPv6 is off on the loopback interface (no ::1)"
else
	dual=dual.tramdo.test
	printf '127.0.0.1 %s\n::1 %s\n' "$dual" "$dual" >"$T_TMP/hosts"
fi

PKI=$T_TMP/pki
tls_make_ca "$PKI" ca && tls_make_ca "$PKI" other &&
    tls_make_cert "$PKI" ca 127.0.0.1 "IP:127.0.0.1,IP:::1,DNS:dual.tramdo.test"
ok $? "a test CA, another CA, and a certificate for 127.0.0.1, ::1 and dual.tramdo.test signed by the first"

PORT=$(free_port) TPORT=$(free_port) CPORT=$(free_port)
NGINX_TLS="$TPORT $PKI/server-127.0.0.1.crt $PKI/server-127.0.0.1.key" NGINX_GARBAGE_MB=8 \
    NGINX_TLS6=${dual:+1} start_nginx "$PORT"
ok $? "nginx serves the speed-test endpoints over http ($PORT) and https ($TPORT)"
python3 "$SRCDIR/tests/mock_collector.py" --port "$CPORT" --token "$TOKEN" \
    --tls "$PKI/server-127.0.0.1.crt" "$PKI/server-127.0.0.1.key" 2>"$T_TMP/collector.log" &
T_PIDS+=($!)
wait_port "$CPORT" $!
ok $? "the mock collector listens over https ($CPORT)"
HTTPS=https://127.0.0.1:$TPORT/

# conf FILE DB TEST_CA UPLOAD_CA: a station file (upload-lib.sh: 2 s phases, one stream each)
# uploading json to the collector over https; a CA argument "-" leaves that ca_file unset.
conf() {
	DB=$2 write_config "$1" "format = json
url = https://127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token
$([ "$4" = - ] || echo "ca_file = $4")"
	[ "$3" = - ] || sed -i "/^\[test\]/a ca_file = $3" "$1"
}
posts() { curl -sf --cacert "$PKI/ca.pem" "https://127.0.0.1:$CPORT/_stats" >"$T_TMP/stats.json" &&
	jget "$T_TMP/stats.json" "d['json']['$1']"; }
result() { jget "$T_TMP/$1.json" "$2" 2>/dev/null; }

conf "$T_TMP/good.ini" "$T_TMP/good.db" "$PKI/ca.pem" "$PKI/ca.pem"
"$TRAMDO" -c "$T_TMP/good.ini" check-config >"$T_TMP/cc.out" 2>&1
is "$?" 0 "check-config accepts [test] and [upload] ca_file naming a PEM CA" ||
    sed 's/^/# /' "$T_TMP/cc.out"

GOOD=$HTTPS
with_hosts=()
if [ -n "$dual" ]; then
	GOOD=https://$dual:$TPORT/
	sed -i '/^\[test\]/a ip_version = 4' "$T_TMP/good.ini"
	with_hosts=(unshare -m --propagation private sh -c \
	    'mount --bind "$1" /etc/hosts || exit 125; shift; exec "$@"' sh "$T_TMP/hosts")
fi
"${with_hosts[@]}" "$TRAMDO" -c "$T_TMP/good.ini" run --json --server "$GOOD" >"$T_TMP/good.json" \
    2>"$T_TMP/good.err"
is "$?" 0 "tramdo run over https with ca_file succeeds ($GOOD)" || sed 's/^/# /' "$T_TMP/good.err"
num_ok "$(result good 'd["download_mbps"]') > 0 and $(result good 'd["upload_mbps"]') > 0" \
    "download and upload over https are non-zero ($(result good 'd["download_mbps"]') / $(result good 'd["upload_mbps"]') Mbit/s)"
num_ok "$(result good 'd["latency_ms"]["median"]') > 0 and $(result good 'd["bytes"]["download"]') > 1e6" \
    "latency and bytes moved are real ($(result good 'd["latency_ms"]["median"]') ms, $(result good 'd["bytes"]["download"]') bytes down)"
is "$(result good 'd["server"]["url"]')" "$GOOD" "the result names the https server"
if [ -n "$dual" ]; then
	is "$(result good 'd["ip_version"], d["ipv6"]')" "4 True" \
	    "measured over IPv4; the look over IPv6 (https, [::1]) trusted the same CA: ipv6 true"
else
	echo "ok $((_t_n += 1)) - the look over IPv6 trusts the CA # SKIP $dual_skip"
fi
is "$(result good 'd.get("error")')" None "the result holds no error"
wait_until '[ "$(posts accepted 2>/dev/null)" = 1 ]'
is "$(posts accepted)" 1 "the result reached the collector over https ([upload] ca_file)"

# expect_tls NAME INI URL: the run fails with the tls error and says what the certificate lacked.
expect_tls() {
	"$TRAMDO" -c "$2" run --json --server "$3" >"$T_TMP/$1.json" 2>"$T_TMP/$1.err"
	is "$?" 1 "$1: tramdo run exits 1"
	is "$(result "$1" 'd["error"]["code"]')" tls "$1: the error is tls ($(result "$1" 'd["error"]["message"]'))"
}
conf "$T_TMP/none.ini" "$T_TMP/bad.db" - "$PKI/other.pem"
expect_tls "no ca_file" "$T_TMP/none.ini" "$HTTPS"
conf "$T_TMP/other.ini" "$T_TMP/bad.db" "$PKI/other.pem" "$PKI/other.pem"
expect_tls "another CA" "$T_TMP/other.ini" "$HTTPS"
conf "$T_TMP/name.ini" "$T_TMP/bad.db" "$PKI/ca.pem" "$PKI/other.pem"
expect_tls "a name the certificate lacks" "$T_TMP/name.ini" "https://localhost:$TPORT/"
# The failed tests are results for the collector too; under another CA none got there.
is "$(posts posts)" 1 "no upload reached the collector under [upload] ca_file = another CA"
conf "$T_TMP/fixed.ini" "$T_TMP/bad.db" - "$PKI/ca.pem"
"$TRAMDO" -c "$T_TMP/fixed.ini" upload >"$T_TMP/up.out" 2>&1
is "$?" 0 "tramdo upload with the right [upload] ca_file sends what was held back"
is "$(posts accepted)" 4 "the collector has the three held-back results"

# check-config: "FILE:LINE: [section] key: error: why", the file named in why.
cc_error() {
	"$TRAMDO" -c "$1" check-config >"$T_TMP/cc.out" 2>&1
	like "$?:$(grep "$2" "$T_TMP/cc.out")" "^78:.*:[0-9]+: \\[$3\\] ca_file: error: $4" "$5"
}
conf "$T_TMP/c1.ini" "$T_TMP/c.db" "$T_TMP/missing.pem" -
cc_error "$T_TMP/c1.ini" missing.pem test "cannot open $T_TMP/missing.pem: No such file" \
    "a missing [test] ca_file: check-config names file, line, section, key and the file"
conf "$T_TMP/c2.ini" "$T_TMP/c.db" "$PKI/ca.key" -
cc_error "$T_TMP/c2.ini" ca.key test "$PKI/ca.key holds no PEM certificate" \
    "a key instead of a certificate: not PEM"
conf "$T_TMP/c3.ini" "$T_TMP/c.db" - "$PKI"
cc_error "$T_TMP/c3.ini" "$PKI is" upload "$PKI is a directory" \
    "a directory as [upload] ca_file"

# The same accuracy over TLS on a shaped link.
RATE=100
TOL=0.05
NET_TAG=h$$
NET_SUBNET=211
source "$SRCDIR/bench/lib-netns.sh"
source "$SRCDIR/bench/lib-servers.sh"
shaped_skip=
if sanitized; then
	shaped_skip="accuracy is measured on the optimised build, not under ASan"
elif ! net_available; then
	shaped_skip="cannot create network namespaces with tbf here (needs root, iproute2, sch_tbf)"
fi
if [ -n "$shaped_skip" ]; then
	for name in "namespaces and https server" "shaped download" "shaped upload"; do
		echo "ok $((_t_n += 1)) - $name # SKIP $shaped_skip"
	done
	done_testing
fi
trap 'net_cleanup; t_cleanup' EXIT
SRV_TLS_PORT=8443
net_setup && net_shape "$RATE" 16kb $((RATE * 125 * 20))b &&
    SRV_IPERF_PORT=0 srv_start "$T_TMP/srv"
ok $? "namespaces, a $RATE Mbit/s link, and nginx over https on ${SRV_TLS_URL:-?} (its own test CA)"
cat >"$T_TMP/shaped.ini" <<EOF
[test]
max_seconds = 8
ca_file = ${SRV_TLS_CA:-none}
[gps]
enabled = no
[storage]
path = $T_TMP/shaped.db
EOF
# bench/probe_run.py reads the client's and the server's interface counters while tramdo runs:
# the payload the link carried in tramdo's own measured window is the ground truth. On a busy
# machine a starved client or nginx may leave the link below its ceiling for a moment; tramdo
# must then report what the link carried, not the ceiling.
ip netns exec "$NS_C" python3 "$SRCDIR/bench/probe_run.py" --down-dev tdb-c --up-ns "$NS_S" \
    --up-dev tdb-s -- "$TRAMDO" -c "$T_TMP/shaped.ini" run --json --server "${SRV_TLS_URL:-none}" \
    >"$T_TMP/probe.json" 2>"$T_TMP/shaped.err"
python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1]))["result"], sys.stdout)' \
    "$T_TMP/probe.json" >"$T_TMP/shaped.json" 2>/dev/null
ceiling=$(python3 -c "print(round($RATE * 1448 / 1514, 2))")
down=$(result shaped 'd["download_mbps"]') up=$(result shaped 'd["upload_mbps"]')
ldown=$(jget "$T_TMP/probe.json" 'round(d["phases"]["download"]["link_mbps"], 2)' 2>/dev/null)
lup=$(jget "$T_TMP/probe.json" 'round(d["phases"]["upload"]["link_mbps"], 2)' 2>/dev/null)
diag "TLS at $RATE Mbit/s: tramdo down ${down:-?} up ${up:-?}, the link carried ${ldown:-?} / ${lup:-?} in tramdo's windows, ceiling $ceiling; load $(cut -d' ' -f1-3 /proc/loadavg)"
num_ok "abs(${down:-0} / ${ldown:-1e-9} - 1) <= $TOL and ${ldown:-0} > $ceiling / 2" \
    "https download within ±5% of what the link carried (${down:-?} vs ${ldown:-?})" ||
    sed 's/^/# /' "$T_TMP/shaped.err" | tail -5
num_ok "abs(${up:-0} / ${lup:-1e-9} - 1) <= $TOL and ${lup:-0} > $ceiling / 2" \
    "https upload within ±5% of what the link carried (${up:-?} vs ${lup:-?})"
done_testing
