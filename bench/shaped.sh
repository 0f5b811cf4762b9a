#!/usr/bin/env bash
# shaped.sh — does tramdo measure the link? tramdo, iperf3 and curl side by side on a shaped link.
#
# Builds client ↔ router ↔ server network namespaces (bench/lib-netns.sh; root needed; no packet
# leaves the machine), serves config/nginx-speedtest.conf and `iperf3 -s` in the server namespace,
# shapes both directions with tbf in the router, and measures, with alternating repetitions:
#   - download and upload at each rate: tramdo, iperf3 (-P N, -R) and N parallel curls, same URLs;
#   - the whole one-key test's duration and the engine's CPU seconds per GB;
#   - idle latency against the TCP connect time on the same link;
#   - loaded latency on a bufferbloat link (queue worth 200 ms, reno senders) against the
#     expected queueing delay (queue bytes ÷ rate) and against TCP connect time under load.
# Raw results go to a TSV (one value per line); bench/report.py turns them into the tables of
# docs/benchmarks.md and the plot docs/img/shaped-rates.png.
#
#   bench/shaped.sh [-n REPS] [-r "20 100 500"] [-o FILE.tsv] [--tune] [--no-bloat] [--no-report]
#
# --tune: instead of the comparison, try tbf burst/limit settings with iperf3 at every rate (the
# table behind tbf_settings below). Environment: TRAMDO (binary, default ./tramdo), DL_STREAMS,
# UL_STREAMS (default 6/4, tramdo's defaults; iperf3 and curl use the same), SECS (iperf3/curl
# seconds measured after 1 s omitted, default 5).
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=$(cd "$BENCH_DIR/.." && pwd)
TRAMDO=${TRAMDO:-$SRC_ROOT/tramdo}
DL_STREAMS=${DL_STREAMS:-6}
UL_STREAMS=${UL_STREAMS:-4}
SECS=${SECS:-5}
REPS=5
RATES="20 100 500"
OUT=$SRC_ROOT/bench/results/shaped.tsv
TUNE=0
BLOAT=1
REPORT=1
BLOAT_RATE=20
BLOAT_QUEUE_MS=200

while [ $# -gt 0 ]; do
	case $1 in
	-n) REPS=$2; shift ;;
	-r) RATES=$2; shift ;;
	-o) OUT=$2; shift ;;
	--tune) TUNE=1 ;;
	--no-bloat) BLOAT=0 ;;
	--no-report) REPORT=0 ;;
	*) echo "usage: $0 [-n REPS] [-r \"RATES\"] [-o FILE] [--tune] [--no-bloat] [--no-report]" >&2
	   exit 2 ;;
	esac
	shift
done

NET_TAG=${NET_TAG:-bench}
NET_SUBNET=${NET_SUBNET:-1}
source "$BENCH_DIR/lib-netns.sh"
source "$BENCH_DIR/lib-servers.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "shaped.sh: needs root (network namespaces)" >&2
	exit 1
fi
if net_exists; then
	echo "shaped.sh: namespaces tdb-$NET_TAG-* already exist (another run?); refusing" >&2
	exit 1
fi
WORK=$(mktemp -d /tmp/tdb-bench.XXXXXX)
trap 'net_cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP

# tbf_settings MBIT: "BURST LIMIT" for the accuracy runs, from --tune (docs/benchmarks.md): a
# queue of 20 ms of traffic and a bucket of max(16 kB, 1 ms of traffic) let iperf3 reach the
# 95.6% ceiling (1448 payload bytes per 1514 on the wire) at 20, 100 and 500 Mbit/s; a 5 ms queue
# or a bucket close to the queue size does not.
tbf_settings() {
	local burst=$(($1 * 125)) limit=$(($1 * 125 * 20))
	[ "$burst" -lt 16384 ] && burst=16384
	echo "${burst}b ${limit}b"
}

# emit KIND RATE SETTING TOOL METRIC REP VALUE
emit() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$OUT"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

cexec() { ip netns exec "$NS_C" "$@"; }

# iperf_run DIR STREAMS SECS: receiver goodput in Mbit/s (first second omitted), or NA.
iperf_run() {
	local dir=$1 n=$2 secs=$3 rev=
	[ "$dir" = down ] && rev=-R
	cexec iperf3 -c "$NET_SERVER_IP" -p "$SRV_IPERF_PORT" -P "$n" -t "$secs" -O 1 $rev -J \
	    >"$WORK/iperf.json" 2>/dev/null
	python3 -c 'import json,sys
try: print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
	print("NA")
	print("iperf3 failed:", open(sys.argv[1]).read()[-300:], file=sys.stderr)' "$WORK/iperf.json"
}

# curl_run DIR STREAMS SECS: "MBIT CPU_S_PER_GB" of one curl running STREAMS transfers in
# parallel (one connection each, all started together, like tramdo's streams) for SECS seconds:
# download the garbage URL, upload a sparse file by POST to empty. curl reports what it has
# written for an upload, including bytes still queued in the socket.
curl_run() {
	local dir=$1 n=$2 secs=$3 i args=()
	for i in $(seq "$n"); do
		if [ "$dir" = down ]; then
			args+=(-o /dev/null "$SRV_GARBAGE_URL")
		else
			args+=(-o /dev/null -T "$WORK/upload.bin" "$SRV_EMPTY_URL")
		fi
	done
	[ "$dir" = up ] && args=(-X POST -H 'Expect:' "${args[@]}")
	cexec /usr/bin/time -f '%U %S' -o "$WORK/curl.cpu" curl -s --parallel --parallel-immediate \
	    --parallel-max "$n" --max-time "$secs" \
	    -w '%{size_download} %{size_upload} %{time_total}\n' "${args[@]}" >"$WORK/curl.out" 2>"$WORK/curl.err"
	awk -v cpu="$(tail -1 "$WORK/curl.cpu")" -v up=$([ "$dir" = up ] && echo 1 || echo 0) '
	    { b = up ? $2 : $1; bytes += b; if ($3 > t) t = $3 }
	    END {
		split(cpu, c, " ")
		if (bytes > 0 && t > 0) printf "%.3f %.3f\n", bytes * 8 / t / 1e6, (c[1] + c[2]) / (bytes / 1e9)
		else print "NA NA"
	    }' "$WORK/curl.out"
}

# tramdo_run KIND RATE SETTING REP [probe]: one whole test, run by bench/probe_run.py, which
# reads the client interface's counters during it (and, with "probe", times TCP connects every
# 100 ms); emits every figure of tramdo's JSON result, its wall and CPU time, and per phase the
# payload rate the link carried in tramdo's measured window and the median connect time.
tramdo_run() {
	local kind=$1 rate=$2 set=$3 rep=$4 json=$WORK/tramdo.json probe=()
	if [ ! -x "$TRAMDO" ]; then
		return
	fi
	[ "${5:-}" = probe ] && probe=(--connect "$NET_SERVER_IP:$SRV_HTTP_PORT")
	cexec python3 "$BENCH_DIR/probe_run.py" --down-dev tdb-c --up-ns "$NS_S" --up-dev tdb-s "${probe[@]}" -- \
	    "$TRAMDO" --allow-root -c "$WORK/tramdo.ini" run --json --server "$SRV_URL" >"$json"
	python3 - "$json" <<'EOF' | while read -r metric value; do
import json, sys
try:
	run = json.load(open(sys.argv[1]))
except ValueError:
	print("tramdo_failed 1")
	sys.exit(0)
d = run["result"] or {}
def g(*keys):
	v = d
	for k in keys:
		v = v.get(k) if isinstance(v, dict) else None
	return v
out = {
	"down": g("download_mbps"), "up": g("upload_mbps"),
	"duration_s": g("duration_s"), "wall_s": run["wall_s"], "cpu_s": run["cpu_s"],
	"latency_min_ms": g("latency_ms", "min"), "latency_median_ms": g("latency_ms", "median"),
	"jitter_ms": g("latency_ms", "jitter"), "connect_ms": g("latency_ms", "connect"),
	"loaded_down_ms": g("loaded_latency_ms", "download"), "loaded_up_ms": g("loaded_latency_ms", "upload"),
}
for name, key in (("download", "down"), ("upload", "up")):
	p = run["phases"].get(name, {})
	out["probe_" + key + "_ms"] = p.get("connect_ms")
	out["link_" + key] = p.get("link_mbps")
	out["measured_" + key + "_s"] = p["end_s"] - p["measured_from_s"] if p else None
	out["phase_" + key + "_s"] = p["end_s"] - p["start_s"] if p else None
b = (g("bytes", "download") or 0) + (g("bytes", "upload") or 0)
if b > 0:
	out["cpu_s_per_gb"] = run["cpu_s"] / (b / 1e9)
	out["bytes"] = b
if run["exit"] != 0:
	out["tramdo_failed"] = 1
for k, v in out.items():
	if isinstance(v, (int, float)):
		print(k, "%.4f" % v)
EOF
		emit "$kind" "$rate" "$set" tramdo "$metric" "$rep" "$value"
	done
}

# connect_probe COUNT INTERVAL_S: "WALL KERNEL", the median TCP connect time to nginx from the
# client as Python times it, and the median handshake round trip the kernel measured for the
# same connections (TCP_INFO tcpi_rtt right after connect(), µs, free of scheduling delays), in ms.
connect_probe() {
	cexec python3 - "$NET_SERVER_IP" "$SRV_HTTP_PORT" "$1" "$2" <<'EOF'
import socket, statistics, struct, sys, time
host, port, n, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
wall, kern = [], []
for _ in range(n):
	s = socket.socket()
	t = time.perf_counter()
	s.connect((host, port))
	wall.append((time.perf_counter() - t) * 1e3)
	info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
	kern.append(struct.unpack_from("I", info, 68)[0] / 1e3)	# tcpi_rtt: 8 u8, then u32 #15
	s.close()
	time.sleep(gap)
print("%.4f %.4f" % (statistics.median(wall), statistics.median(kern)))
EOF
}

write_tramdo_ini() {
	cat >"$WORK/tramdo.ini" <<EOF
[test]
download_streams = $DL_STREAMS
upload_streams = $UL_STREAMS

[storage]
path = $WORK/results.db
EOF
}

# One tool, both directions, at the current shaping.
run_tool() {
	local tool=$1 kind=$2 rate=$3 set=$4 rep=$5 r
	net_wait_idle || echo "  link still busy after 15 s" >&2
	case $tool in
	iperf3)
		emit "$kind" "$rate" "$set" iperf3 down "$rep" "$(iperf_run down "$DL_STREAMS" "$SECS")"
		net_wait_idle
		emit "$kind" "$rate" "$set" iperf3 up "$rep" "$(iperf_run up "$UL_STREAMS" "$SECS")"
		;;
	curl)
		r=$(curl_run down "$DL_STREAMS" $((SECS + 1)))
		emit "$kind" "$rate" "$set" curl down "$rep" "${r% *}"
		emit "$kind" "$rate" "$set" curl cpu_down_s_per_gb "$rep" "${r#* }"
		net_wait_idle
		r=$(curl_run up "$UL_STREAMS" $((SECS + 1)))
		emit "$kind" "$rate" "$set" curl up "$rep" "${r% *}"
		emit "$kind" "$rate" "$set" curl cpu_up_s_per_gb "$rep" "${r#* }"
		;;
	tramdo)
		tramdo_run "$kind" "$rate" "$set" "$rep"
		;;
	esac
}

# Accuracy at one rate: REPS rounds, the tools' order rotated every round so that none is always
# first after a change (or always runs while the machine is busiest).
accuracy() {
	local rate=$1 set rep i tools=(tramdo iperf3 curl) t r
	set=$(tbf_settings "$rate")
	net_shape "$rate" ${set% *} ${set#* } || return 1
	set=${set// /\/}
	net_wait_idle
	r=$(connect_probe 20 0.05)
	emit acc "$rate" "$set" host connect_idle_ms 0 "${r% *}"
	emit acc "$rate" "$set" host rtt_idle_kernel_ms 0 "${r#* }"
	for rep in $(seq "$REPS"); do
		emit acc "$rate" "$set" host load1 "$rep" "$(load1)"
		for i in 0 1 2; do
			t=${tools[$(((i + rep - 1) % 3))]}
			echo "  rate $rate rep $rep: $t" >&2
			run_tool "$t" acc "$rate" "$set" "$rep"
		done
	done
}

# Bufferbloat: a queue worth BLOAT_QUEUE_MS at BLOAT_RATE, reno senders. Ground truth: the
# delay of a full queue (bytes ÷ rate), and TCP connect times measured every 100 ms during the
# same tramdo test (reno's saw-tooth keeps the queue below full part of the time).
bufferbloat() {
	local rate=$BLOAT_RATE limit rep set r
	limit=$((rate * 1000000 / 8 * BLOAT_QUEUE_MS / 1000))
	set="16kb/${limit}b"
	net_cc reno || return 1
	net_shape "$rate" 16kb "${limit}b" || return 1
	emit bloat "$rate" "$set" host expected_queue_ms 0 "$BLOAT_QUEUE_MS"
	net_wait_idle
	r=$(connect_probe 20 0.05)
	emit bloat "$rate" "$set" host connect_idle_ms 0 "${r% *}"
	emit bloat "$rate" "$set" host rtt_idle_kernel_ms 0 "${r#* }"
	for rep in $(seq "$REPS"); do
		emit bloat "$rate" "$set" host load1 "$rep" "$(load1)"
		echo "  bufferbloat rep $rep" >&2
		net_wait_idle
		tramdo_run bloat "$rate" "$set" "$rep" probe
	done
	net_cc bbr
}

tune() {
	local rate b l bursts limits ms
	for rate in $RATES; do
		bursts="4kb 16kb 64kb 256kb"
		limits=
		for ms in 5 20; do limits+=" $((rate * 125 * ms))b"; done
		for b in $bursts; do
			for l in $limits; do
				echo "  tune $rate mbit burst $b limit $l" >&2
				net_shape "$rate" "$b" "$l" || continue
				emit tune "$rate" "$b/$l" iperf3 down 1 "$(iperf_run down "$DL_STREAMS" 3)"
				emit tune "$rate" "$b/$l" iperf3 up 1 "$(iperf_run up "$UL_STREAMS" 3)"
				emit tune "$rate" "$b/$l" host load1 1 "$(load1)"
			done
		done
	done
}

main() {
	local rate start=$SECONDS
	mkdir -p "$(dirname "$OUT")"
	: >"$OUT"
	echo "# $(date -u +%FT%TZ) $(uname -r) uptime: $(uptime)" >>"$OUT"
	echo "# tramdo: $("$TRAMDO" --version 2>/dev/null || echo none) streams $DL_STREAMS/$UL_STREAMS secs $SECS reps $REPS" >>"$OUT"
	net_setup || exit 1
	srv_start "$WORK" || exit 1
	truncate -s 8G "$WORK/upload.bin"
	write_tramdo_ini
	if [ "$TUNE" = 1 ]; then
		tune
	else
		for rate in $RATES; do
			echo "accuracy at $rate Mbit/s" >&2
			accuracy "$rate"
		done
		if [ "$BLOAT" = 1 ]; then
			echo "bufferbloat at $BLOAT_RATE Mbit/s, ${BLOAT_QUEUE_MS} ms queue" >&2
			bufferbloat
		fi
	fi
	echo "# end $(date -u +%FT%TZ) after $((SECONDS - start)) s, uptime: $(uptime)" >>"$OUT"
	echo "results: $OUT ($((SECONDS - start)) s)" >&2
	if [ "$REPORT" = 1 ] && [ "$TUNE" = 0 ]; then
		python3 "$BENCH_DIR/report.py" "$OUT"
	fi
}

main
