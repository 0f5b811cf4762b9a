#!/usr/bin/env bash
# tls.sh — what HTTPS costs tramdo, and whether it measures a link as well over TLS.
#
# Both parts use one nginx serving config/nginx-speedtest.conf over http and https at once (the
# same server block; a test CA made in the run signs a certificate for the server's address,
# bench/lib-tls.sh) and give tramdo that CA with [test] ca_file: certificate checks stay on.
#
#   1. Loopback (any user): ROUNDS alternating `tramdo run`s over http and https; tramdo's CPU
#      seconds (user + system) per GB moved, download and upload apart (bench/probe_run.py reads
#      /proc/PID/stat when each phase ends), and the rates. Both share the 2 cores with nginx,
#      which encrypts in user space (no kTLS), so loopback rates say little; CPU per GB is the point.
#   2. Shaped links (root; bench/lib-netns.sh namespaces, no packet leaves the machine): at 100
#      Mbit/s, tramdo over http and https and iperf3 (same streams) alternating, with tramdo's
#      CPU per GB at that rate; at 20 Mbit/s with a 300 ms round trip (bench/tundelay), tramdo
#      over http and https against the payload the link can carry (rate × 1448/1514: iperf3 still
#      holds TCP's start-up there, see 80-accuracy.t).
# Prints Markdown tables (docs/benchmarks.md, "HTTPS") and keeps the raw runs in OUT.
#
#   bench/tls.sh [-n ROUNDS] [--no-shaped] [--no-loopback] [-o OUT.tsv]
#
# Environment: TRAMDO (binary, default ./tramdo), NET_TUNDELAY (default build/tundelay),
# NET_TAG/NET_SUBNET (namespaces tdb-tls-*, 10.77.221-222.0/24).
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=$(cd "$BENCH_DIR/.." && pwd)
TRAMDO_BIN=${TRAMDO:-$SRC_ROOT/tramdo}
NET_TUNDELAY=${NET_TUNDELAY:-$SRC_ROOT/build/tundelay}
ROUNDS=5
SHAPED=1
LOOPBACK=1
OUT=$SRC_ROOT/bench/results/tls.tsv
while [ $# -gt 0 ]; do
	case $1 in
	-n) ROUNDS=$2; shift ;;
	-o) OUT=$2; shift ;;
	--no-shaped) SHAPED=0 ;;
	--no-loopback) LOOPBACK=0 ;;
	*) echo "usage: $0 [-n ROUNDS] [--no-shaped] [--no-loopback] [-o OUT.tsv]" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$TRAMDO_BIN" ] || { echo "tls.sh: $TRAMDO_BIN is not built (make tramdo)" >&2; exit 1; }
ALLOW=()
[ "$(id -u)" -eq 0 ] && ALLOW=(--allow-root)

TRAMDO_SRCDIR=$SRC_ROOT
cd "$SRC_ROOT" || exit 1
source tests/integration/lib.sh		# T_TMP, free_port, start_nginx (loopback), cleanup
source "$BENCH_DIR/lib-tls.sh"
NET_TAG=${NET_TAG:-tls}
NET_SUBNET=${NET_SUBNET:-221}
SRV_TLS_PORT=8443
source "$BENCH_DIR/lib-netns.sh"
source "$BENCH_DIR/lib-servers.sh"
trap 'net_cleanup; t_cleanup' EXIT

mkdir -p "$(dirname "$OUT")"
: >"$OUT"
load1() { cut -d' ' -f1 /proc/loadavg; }
loads() { cut -d' ' -f1-3 /proc/loadavg; }

# ini FILE CA [MAX_SECONDS]: tramdo's defaults (6 / 4 streams), no GPS, a private store.
ini() {
	printf '[test]\nca_file = %s\nmax_seconds = %s\n[gps]\nenabled = no\n[storage]\npath = %s\n' \
	    "$2" "${3:-6}" "$T_TMP/results.db" >"$1"
}

# tramdo_row CASE SCHEME ROUND [NETNS] -- URL INI: one run through probe_run.py; one TSV row
# CASE SCHEME ROUND down_mbps up_mbps down_bytes up_bytes down_cpu_s up_cpu_s load1.
tramdo_row() {
	local kase=$1 scheme=$2 round=$3 url=$4 conf=$5 pre=()
	[ -n "${NS:-}" ] && pre=(ip netns exec "$NS")
	"${pre[@]}" python3 "$BENCH_DIR/probe_run.py" -- "$TRAMDO_BIN" "${ALLOW[@]}" -c "$conf" \
	    run --json --server "$url" >"$T_TMP/run.json"
	python3 - "$T_TMP/run.json" "$kase" "$scheme" "$round" "$(load1)" >>"$OUT" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))
r, p = run["result"] or {}, run["phases"]
if run["exit"] != 0 or "error" in r:
	print("tramdo failed:", r.get("error"), file=sys.stderr)
	sys.exit(0)
b = r["bytes"]
print("\t".join(map(str, sys.argv[2:5] + [r["download_mbps"], r["upload_mbps"], b["download"],
	b["upload"], p["download"]["cpu_s"], p["upload"]["cpu_s"], sys.argv[5]])))
EOF
}

# iperf_row CASE ROUND: iperf3 with tramdo's streams (6 down, 4 up), 5 s after 1 s omitted.
iperf_row() {
	local dir down up
	for dir in down up; do
		net_wait_idle
		if [ "$dir" = down ]; then
			ip netns exec "$NS_C" iperf3 -c "$NET_SERVER_IP" -p "$SRV_IPERF_PORT" -P 6 -R -t 5 -O 1 -J >"$T_TMP/iperf.json" 2>/dev/null
			down=$(jget "$T_TMP/iperf.json" '"%.3f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6)' 2>/dev/null)
		else
			ip netns exec "$NS_C" iperf3 -c "$NET_SERVER_IP" -p "$SRV_IPERF_PORT" -P 4 -t 5 -O 1 -J >"$T_TMP/iperf.json" 2>/dev/null
			up=$(jget "$T_TMP/iperf.json" '"%.3f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6)' 2>/dev/null)
		fi
	done
	printf '%s\tiperf3\t%s\t%s\t%s\t\t\t\t\t%s\n' "$1" "$2" "${down:-NA}" "${up:-NA}" "$(load1)" >>"$OUT"
}

loopback() {
	local port tport round scheme
	tls_make_ca "$T_TMP/pki" ca && tls_make_cert "$T_TMP/pki" ca 127.0.0.1 || return 1
	port=$(free_port) tport=$(free_port)
	NGINX_TLS="$tport $T_TMP/pki/server-127.0.0.1.crt $T_TMP/pki/server-127.0.0.1.key" \
	    NGINX_GARBAGE_MB=100 start_nginx "$port" || return 1
	ini "$T_TMP/loop.ini" "$T_TMP/pki/ca.pem"
	echo "# loopback: load before $(loads)" >>"$OUT"
	for round in $(seq "$ROUNDS"); do
		for scheme in http https; do
			[ $((round % 2)) -eq 0 ] && scheme=$([ "$scheme" = http ] && echo https || echo http)
			echo "  loopback round $round: $scheme" >&2
			if [ "$scheme" = http ]; then
				NS= tramdo_row loopback http "$round" "http://127.0.0.1:$port/" "$T_TMP/loop.ini"
			else
				NS= tramdo_row loopback https "$round" "https://127.0.0.1:$tport/" "$T_TMP/loop.ini"
			fi
		done
	done
	echo "# loopback: load after $(loads)" >>"$OUT"
}

# shaped_case CASE RATE [DELAY_MS]: ROUNDS of tramdo over http, https (and iperf3 without delay).
shaped_case() {
	local kase=$1 rate=$2 delay=${3:-0} round order t max=6
	if [ "$delay" = 0 ]; then
		# bench/shaped.sh's settings: a 20 ms queue, a bucket of max(16 kB, 1 ms of traffic)
		net_shape "$rate" 16kb $((rate * 125 * 20))b || return 1
		order="http https iperf3"
	else
		net_shape "$rate" 16kb 1mb || return 1	# 80-accuracy.t's long path
		net_delay "$delay" || return 1
		order="http https"
		max=8
	fi
	ini "$T_TMP/shaped.ini" "$SRV_TLS_CA" "$max"
	echo "# $kase: $rate Mbit/s, +$delay ms; load before $(loads)" >>"$OUT"
	for round in $(seq "$ROUNDS"); do
		for t in $order; do
			echo "  $kase round $round: $t" >&2
			net_wait_idle
			case $t in
			http) NS=$NS_C tramdo_row "$kase" http "$round" "$SRV_URL" "$T_TMP/shaped.ini" ;;
			https) NS=$NS_C tramdo_row "$kase" https "$round" "$SRV_TLS_URL" "$T_TMP/shaped.ini" ;;
			iperf3) iperf_row "$kase" "$round" ;;
			esac
		done
		order=$(echo "$order" | awk '{ $0 = $0 " " $1; $1 = ""; print substr($0, 2) }')	# rotate
	done
	net_delay 0
	echo "# $kase: load after $(loads)" >>"$OUT"
}

shaped() {
	if ! net_available; then
		echo "tls.sh: shaped links skipped: cannot create network namespaces (root, iproute2, sch_tbf)" >&2
		return 0
	fi
	net_setup && srv_start "$T_TMP/srv" || return 1
	shaped_case 100mbit 100
	shaped_case 20mbit-300ms 20 300
}

echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cores; tramdo $("$TRAMDO_BIN" --version 2>/dev/null); rounds $ROUNDS" >>"$OUT"
start=$SECONDS
[ "$LOOPBACK" = 1 ] && { loopback || exit 1; }
[ "$SHAPED" = 1 ] && { shaped || exit 1; }
echo "# end $(date -u +%FT%TZ) after $((SECONDS - start)) s" >>"$OUT"
python3 "$BENCH_DIR/tls_report.py" "$OUT"
