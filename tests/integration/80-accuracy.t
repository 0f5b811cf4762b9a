#!/usr/bin/env bash
# 80-accuracy.t — tramdo measures the link, not itself: on a 50 Mbit/s tbf link between network
# namespaces (bench/lib-netns.sh), its download and upload are within ±5% of iperf3's goodput with
# the same number of streams (upload counted by acknowledged bytes, so not inflated by the send
# buffer); stable rates end both phases early; the bytes are possible at the link's rate; the
# loaded latency shows the queue. Then the links where rural Vietnam lives: 20 Mbit/s with a 300 ms
# round trip (bench/tundelay in the router) and a 2/0.5 Mbit/s ADSL line at 40 ms: both directions
# within ±5% of the payload the link can carry (TCP's longer start-up left out, a slow uplink
# measured long enough), the whole test within 15 s, and the loaded latency near the queue's
# delay. Needs root and network namespaces; skipped where they cannot be made.
source "$(dirname "$0")/lib.sh"

RATE=50
TOL=0.05
NET_TAG=t$$
NET_SUBNET=201
SRV_HTTP_PORT=8080
SRV_IPERF_PORT=5201
source "$SRCDIR/bench/lib-netns.sh"
source "$SRCDIR/bench/lib-servers.sh"

# Accuracy is a property of the optimised build: under ASan the client's own CPU cost is
# deliberately larger, and the engine's memory safety is already checked by 10-engine.t.
sanitized && skip_all "accuracy is measured on the optimised build, not under ASan"
if ! net_available; then
	skip_all "cannot create network namespaces with tbf here (needs root, iproute2, sch_tbf)"
fi
command -v iperf3 >/dev/null || skip_all "iperf3 not installed (make deps installs it)"
trap 'net_cleanup; t_cleanup' EXIT

plan 20
net_setup
r=$?
ok $r "three namespaces and two veth pairs created"
[ $r -eq 0 ] || done_testing	# nothing else can pass; the missing tests fail the plan
# The queue and bucket bench/shaped.sh --tune found for iperf3 to reach the 95.6% ceiling.
net_shape "$RATE" 16kb $((RATE * 125 * 20))b
srv_start "$T_TMP/srv"
ok $? "nginx and iperf3 -s listen in the server namespace"
[ -n "${SRV_URL:-}" ] || done_testing

cat >"$T_TMP/tramdo.ini" <<EOF
[station]
id = tdb-accuracy
[test]
max_seconds = 8
download_streams = 6
upload_streams = 4
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
EOF

iperf() {
	ip netns exec "$NS_C" iperf3 -c "$NET_SERVER_IP" -p "$SRV_IPERF_PORT" -t 4 -O 1 -J "$@" \
	    >"$T_TMP/iperf.json" 2>&1 &&
	    jget "$T_TMP/iperf.json" '"%.3f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6)'
}
ref_down=$(iperf -P 6 -R)
ref_up=$(iperf -P 4)
num_ok "${ref_down:-0} > $RATE * 0.9 and ${ref_up:-0} > $RATE * 0.9" \
    "iperf3 reaches the shaped rate (down ${ref_down:-?}, up ${ref_up:-?} Mbit/s)"

# The baseline of the time bound below: a run that fails at once (nothing listens on that port).
t0=$EPOCHREALTIME
ip netns exec "$NS_C" "$TRAMDO" -c "$T_TMP/tramdo.ini" run --json --server "http://$NET_SERVER_IP:9/" \
    >/dev/null 2>&1
quick=$(python3 -c "print(round($EPOCHREALTIME - $t0, 2))")
t0=$EPOCHREALTIME
ip netns exec "$NS_C" "$TRAMDO" -c "$T_TMP/tramdo.ini" run --json --server "$SRV_URL" \
    >"$T_TMP/r.json" 2>"$T_TMP/r.err"
is "$?" 0 "tramdo run succeeds on the shaped link"
took=$(python3 -c "print(round($EPOCHREALTIME - $t0, 2))")
[ -s "$T_TMP/r.err" ] && sed 's/^/# /' "$T_TMP/r.err" | head -5
down=$(jget "$T_TMP/r.json" 'd["download_mbps"]' 2>/dev/null)
up=$(jget "$T_TMP/r.json" 'd["upload_mbps"]' 2>/dev/null)
down=$(printf %.2f "${down:-0}"); up=$(printf %.2f "${up:-0}")
diag "tramdo down $down up $up; iperf3 down $ref_down up $ref_up Mbit/s; load $(cut -d' ' -f1-3 /proc/loadavg)"
num_ok "abs(${down:-0} / $ref_down - 1) <= $TOL" "download within ±5% of iperf3 ($down vs $ref_down)"
num_ok "abs(${up:-0} / $ref_up - 1) <= $TOL" "upload within ±5% of iperf3 ($up vs $ref_up)"
dur=$(jget "$T_TMP/r.json" 'd["duration_s"]' 2>/dev/null)
num_ok "${dur:-99} < 14" "stable rates end both phases before max_seconds (8 s each): ${dur:-?} s"
dlb=$(jget "$T_TMP/r.json" 'd["bytes"]["download"]' 2>/dev/null)
ulb=$(jget "$T_TMP/r.json" 'd["bytes"]["upload"]' 2>/dev/null)
num_ok "${dlb:-1e12} * 8 / 1e6 <= $RATE * (${dur:-0} + 0.5)" "download bytes possible at $RATE Mbit/s"
num_ok "${ulb:-1e12} * 8 / 1e6 <= $RATE * (${dur:-0} + 0.5)" "upload bytes possible at $RATE Mbit/s"
idle=$(jget "$T_TMP/r.json" 'd["latency_ms"]["median"]' 2>/dev/null)
ldl=$(jget "$T_TMP/r.json" 'd["loaded_latency_ms"]["download"]' 2>/dev/null)
num_ok "${ldl:-0} > ${idle:-1}" "loaded latency above idle ($ldl vs $idle ms): the tbf queue fills"

# The long path. iperf3 is no reference here: over a few seconds its figure still holds TCP's
# start-up, which takes ~2 s at 300 ms. The link is saturated after it, so the reference is the
# payload a 20 Mbit/s tbf carries: full 1,514-byte frames holding 1,448 bytes (testbed.md).
LONG_RATE=20
ceiling=$(python3 -c "print(round($LONG_RATE * 1448 / 1514, 2))")
net_shape "$LONG_RATE" 16kb 1mb
NET_TUNDELAY=$(dirname "$TRAMDO_BIN")/tundelay
net_delay 300
rtt=$(ip netns exec "$NS_C" ping -c 3 -i 0.2 -q "$NET_SERVER_IP" 2>/dev/null | sed -n 's|.*= \([0-9.]*\)/.*|\1|p')
num_ok "${rtt:-0} >= 300 and ${rtt:-0} < 320" "bench/tundelay makes a 300 ms round trip (${rtt:-?} ms)"
ip netns exec "$NS_C" "$TRAMDO" -c "$T_TMP/tramdo.ini" run --json --server "$SRV_URL" \
    >"$T_TMP/long.json" 2>"$T_TMP/long.err"
down=$(jget "$T_TMP/long.json" 'd["download_mbps"]' 2>/dev/null)
up=$(jget "$T_TMP/long.json" 'd["upload_mbps"]' 2>/dev/null)
diag "300 ms: tramdo down ${down:-?} up ${up:-?} Mbit/s in $(jget "$T_TMP/long.json" 'd["duration_s"]' 2>/dev/null) s; ceiling $ceiling"
num_ok "abs(${down:-0} / $ceiling - 1) <= $TOL" "300 ms round trip: download within ±5% of the link's payload ($down vs $ceiling)"
num_ok "abs(${up:-0} / $ceiling - 1) <= $TOL" "300 ms round trip: upload within ±5% of the link's payload ($up vs $ceiling)"
dur=$(jget "$T_TMP/long.json" 'd["duration_s"]' 2>/dev/null)
num_ok "${dur:-99} <= 15" "300 ms round trip: the whole test within 15 s (${dur:-?} s)"
# 1 MB queue at 20 Mbit/s: 419 ms when full; loaded = the 300 ms path + the queue
ldl=$(jget "$T_TMP/long.json" 'd["loaded_latency_ms"]["download"]' 2>/dev/null)
num_ok "${ldl:-0} > 300 + 419 * 0.25 and ${ldl:-0} < 300 + 419 * 1.2" \
    "300 ms round trip: loaded latency shows the queue (${ldl:-?} ms; path 300 + queue up to 419)"

# ADSL: 2 Mbit/s down, 0.5 up, 40 ms, a 64 kB queue (a second of the uplink). The previous link
# must be quiet first: what a finished test left in the sockets would still be arriving.
net_wait_idle 30 || diag "the 300 ms link was still busy after 30 s"
net_delay 40
net_shape_asym 2 0.5 16kb 64kb
ip netns exec "$NS_C" "$TRAMDO" -c "$T_TMP/tramdo.ini" run --json --server "$SRV_URL" \
    >"$T_TMP/adsl.json" 2>"$T_TMP/adsl.err"
down=$(jget "$T_TMP/adsl.json" 'd["download_mbps"]' 2>/dev/null)
up=$(jget "$T_TMP/adsl.json" 'd["upload_mbps"]' 2>/dev/null)
dur=$(jget "$T_TMP/adsl.json" 'd["duration_s"]' 2>/dev/null)
cdown=$(python3 -c "print(round(2 * 1448 / 1514, 3))")
cup=$(python3 -c "print(round(0.5 * 1448 / 1514, 3))")
diag "2/0.5 at 40 ms: tramdo down ${down:-?} up ${up:-?} Mbit/s in ${dur:-?} s; ceilings $cdown / $cup"
[ -n "$down" ] && [ "$down" != None ] || sed 's/^/# /' "$T_TMP/adsl.err" | tail -5
num_ok "abs(${down:-0} / $cdown - 1) <= $TOL" "2/0.5 Mbit/s: download within ±5% of the link's payload ($down vs $cdown)"
num_ok "abs(${up:-0} / $cup - 1) <= $TOL" "2/0.5 Mbit/s: upload within ±5% of the link's payload ($up vs $cup)"
num_ok "${dur:-99} <= 15" "2/0.5 Mbit/s: the whole test within 15 s (${dur:-?} s)"

net_cleanup
ok "$(net_exists && echo 1 || echo 0)" "namespaces deleted"
num_ok "$took < 2 * 8 + 2 + 10 * $quick" \
    "tramdo run took $took s: within its phases' limits (2 x 8 s + 2 s) and 10 x a run that fails at once ($quick s)"
done_testing
