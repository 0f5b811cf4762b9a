#!/usr/bin/env bash
# links.sh — tramdo on the links a commune has: long round trips, slow and asymmetric lines,
# LAN rates, and a line whose rate drops in the middle of a test.
#
# Each link is built in network namespaces (bench/lib-netns.sh: tbf in a router namespace for the
# rate and the queue, bench/tundelay for the round trip). On each, tramdo runs REPS times beside
# three references:
#   - the link's own counters over tramdo's measured window (bench/probe_run.py: payload bytes the
#     receiving interface got — what tbf let through, drops excluded);
#   - iperf3 with the same streams, its TCP start-up omitted (iperf3 reads above the payload
#     ceiling at 20 Mbit/s, testbed.md: the counters are the reference the targets use);
#   - the queueing delay in tbf's queues (backlog ÷ rate, every 100 ms), against which the
#     loaded latency is checked: loaded ≈ idle round trip + the queues' delay.
# Raw values go to a TSV (bench/results/links.tsv), the table to stdout (bench/links_report.py).
#
#   sudo bench/links.sh [-n REPS] [-l "NAME ..."] [-o FILE.tsv]
#
# Environment: TRAMDO (binary, default ./tramdo), NET_TUNDELAY (default build/tundelay).
# `sudo make bench` runs it with both built.
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=$(cd "$BENCH_DIR/.." && pwd)
TRAMDO=${TRAMDO:-$SRC_ROOT/tramdo}
NET_TUNDELAY=${NET_TUNDELAY:-$SRC_ROOT/build/tundelay}
REPS=3
ONLY=
OUT=$SRC_ROOT/bench/results/links.tsv
DL_STREAMS=6
UL_STREAMS=4

# name  down-Mbit/s  up-Mbit/s  round-trip-ms  queue-bytes  [at-s  new-down  new-up]
LINKS=(
	"rural-300ms 20 20 300 1000000"
	"adsl-2/0.5 2 0.5 40 64000"
	"asym-50/10 50 10 20 256000"
	"far-50/50 50 50 100 1000000"
	"lan-20 20 20 0 50000"
	"lan-100 100 100 0 250000"
	"lan-500 500 500 0 1250000"
	"drop-50-to-20 50 50 20 256000 1.0 20 20"
)

while [ $# -gt 0 ]; do
	case $1 in
	-n) REPS=$2; shift ;;
	-l) ONLY=$2; shift ;;
	-o) OUT=$2; shift ;;
	*) echo "usage: $0 [-n REPS] [-l \"NAME ...\"] [-o FILE.tsv]" >&2; exit 2 ;;
	esac
	shift
done

NET_TAG=${NET_TAG:-links}
NET_SUBNET=${NET_SUBNET:-61}
source "$BENCH_DIR/lib-netns.sh"
source "$BENCH_DIR/lib-servers.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "links.sh: needs root (network namespaces)" >&2
	exit 1
fi
for p in "$TRAMDO" "$NET_TUNDELAY"; do
	[ -x "$p" ] || { echo "links.sh: $p is not built (make tramdo build/tundelay)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/tramdo-links.XXXXXX)
chmod 755 "$WORK"
trap 'net_cleanup; rm -rf "$WORK"' EXIT
cexec() { ip netns exec "$NS_C" "$@"; }

# shape DOWN UP QUEUE: tbf towards the client (download) and towards the server (upload).
shape() { net_shape_asym "$1" "$2" "$(burst_for "$(awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }')")" "$3"; }

# The tbf bucket bench/shaped.sh --tune found to reach the payload ceiling (docs/benchmarks.md).
burst_for() { awk -v r="$1" 'BEGIN { print (r > 200 ? "62500b" : "16kb") }'; }

# A rate change that keeps the bucket (shrinking it mid-transfer stalls tbf: testbed.md).
change_rate() {
	ip netns exec "$NS_R" tc qdisc change dev tdb-rc root tbf rate "${1}mbit" \
	    burst "$(burst_for "$1")" limit "$3"
	ip netns exec "$NS_R" tc qdisc change dev tdb-rs root tbf rate "${2}mbit" \
	    burst "$(burst_for "$2")" limit "$3"
}

emit() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT"; }

# iperf3 DIRECTION RTT: receiver goodput in Mbit/s with TCP's start-up (rtt x 10, at least 1 s) omitted.
iperf() {
	local dir=$1 rtt=$2 omit streams=$UL_STREAMS rev=()
	omit=$(awk -v r="$rtt" 'BEGIN { o = int(r * 10 / 1000 + 0.999); print (o < 1 ? 1 : o) }')
	[ "$dir" = down ] && { streams=$DL_STREAMS; rev=(-R); }
	cexec iperf3 -c "$NET_SERVER_IP" -p "$SRV_IPERF_PORT" -P "$streams" "${rev[@]}" -t 4 \
	    -O "$omit" -J 2>/dev/null |
	    python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' \
	    2>/dev/null || echo NA
}

# One tramdo run on the current link; every figure as a TSV row. On a link that changes, the
# queueing delay is taken at the rate after the change (most of the measured time).
tramdo_run() {
	local name=$1 rep=$2 down=$3 up=$4 queue=$5 at=${6:-} d2=${7:-} u2=${8:-} json=$WORK/run.json chg=
	if [ -n "$at" ]; then
		(sleep "$at"; change_rate "$d2" "$u2" "$queue") &
		chg=$!
	fi
	cexec python3 "$BENCH_DIR/probe_run.py" --down-dev tdb-c --up-ns "$NS_S" --up-dev tdb-s \
	    --backlog "$NS_R:tdb-rc:tdb-rs" --down-mbit "${d2:-$down}" --up-mbit "${u2:-$up}" -- \
	    "$TRAMDO" --allow-root -c "$WORK/tramdo.ini" run --json --server "$SRV_URL" >"$json"
	[ -n "$chg" ] && { wait "$chg"; shape "$down" "$up" "$queue"; }
	python3 - "$json" <<'EOF' | while read -r metric value; do
import json, sys
d = json.load(open(sys.argv[1]))
r, ph = d.get("result") or {}, d.get("phases", {})
def out(k, v):
    print(k, "NA" if v is None else ("%.4f" % v if isinstance(v, float) else v))
out("exit", d.get("exit"))
out("wall_s", d.get("wall_s"))
out("cpu_s", d.get("cpu_s"))
out("duration_s", r.get("duration_s"))
out("idle_ms", (r.get("latency_ms") or {}).get("median"))
for p, key in (("download", "download_mbps"), ("upload", "upload_mbps")):
    out(p + "_tramdo", r.get(key))
    q = ph.get(p, {})
    out(p + "_link", q.get("link_mbps"))
    out(p + "_loaded_ms", (r.get("loaded_latency_ms") or {}).get(p))
    qd, qu = q.get("queue_down_ms"), q.get("queue_up_ms")
    out(p + "_queue_ms", None if qd is None or qu is None else qd + qu)
EOF
		emit "$name" "$rep" "$metric" "$value"
	done
}

cat >"$WORK/tramdo.ini" <<EOF
[test]
download_streams = $DL_STREAMS
upload_streams = $UL_STREAMS
[gps]
enabled = no
[storage]
path = $WORK/results.db
EOF

mkdir -p "$(dirname "$OUT")"
: >"$OUT"
echo "# $(date -u +%FT%TZ) $(uname -r) load $(cut -d' ' -f1-3 /proc/loadavg); $("$TRAMDO" --version 2>/dev/null); reps $REPS" >>"$OUT"
net_setup || exit 1
srv_start "$WORK/srv" || exit 1

for spec in "${LINKS[@]}"; do
	read -r name down up rtt queue at d2 u2 <<<"$spec"
	if [ -n "$ONLY" ] && ! [[ " $ONLY " == *" $name "* ]]; then continue; fi
	echo "links.sh: $name ($down/$up Mbit/s, $rtt ms, queue $queue B)" >&2
	net_delay "$rtt" || { echo "links.sh: cannot make a $rtt ms round trip" >&2; exit 1; }
	shape "$down" "$up" "$queue" || exit 1
	emit "$name" 0 spec "$down $up $rtt $queue ${at:-} ${d2:-} ${u2:-}"
	emit "$name" 0 load "$(cut -d' ' -f1 /proc/loadavg)"
	if [ -z "${at:-}" ]; then
		net_wait_idle
		emit "$name" 0 download_iperf3 "$(iperf down "$rtt")"
		net_wait_idle
		emit "$name" 0 upload_iperf3 "$(iperf up "$rtt")"
	fi
	for rep in $(seq "$REPS"); do
		net_wait_idle
		tramdo_run "$name" "$rep" "$down" "$up" "$queue" ${at:-} ${d2:-} ${u2:-}
	done
done
echo "# end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT"
python3 "$BENCH_DIR/links_report.py" "$OUT"
