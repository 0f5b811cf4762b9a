#!/usr/bin/env bash
# 82-leftovers.t — a test leaves nothing behind. On a 2/0.5 Mbit/s link with a 40 ms round trip
# (network namespaces, bench/lib-netns.sh) no TCP socket of the client's namespace — tramdo's own,
# or one it closed that the kernel still empties — holds more than 64 KB unacknowledged when tramdo
# logs the upload's result, nor once it has exited: a stream closed with data still queued would
# go on loading the line (issue 14: 380 KB, 6 s of a 0.5 Mbit/s upload). And a second test started
# right after the first measures the same link: download and upload within 5% of the first's, idle
# latency not inflated by the first's leftovers. Needs root and network namespaces.
source "$(dirname "$0")/lib.sh"

NET_TAG=l$$
NET_SUBNET=221
SRV_HTTP_PORT=8080
SRV_IPERF_PORT=5201
LEFT_MAX=65536		# bytes a socket may still hold: about a round trip of data, not seconds of it
source "$SRCDIR/bench/lib-netns.sh"
source "$SRCDIR/bench/lib-servers.sh"

# What is left behind depends on the optimised build's timing no more than the ASan build's; the
# engine's memory safety on these paths is 16-upload-bodies.t's and 90-faults.t's.
sanitized && skip_all "measured on the optimised build (a shaped link takes 30 s of wall time)"
net_available || skip_all "cannot create network namespaces with tbf here (needs root, iproute2, sch_tbf)"
command -v ss >/dev/null || skip_all "ss (iproute2) not installed"
trap 'net_cleanup; t_cleanup' EXIT

plan 11
net_setup
r=$?
ok $r "three namespaces and two veth pairs created"
[ $r -eq 0 ] || done_testing
# Queues of 32 KB: 128 ms of the download, 512 ms of the upload at most. Reno senders keep a
# line this slow full (bbr left 0.41-0.45 of the upload's 0.48 Mbit/s unused, run to run), so
# two tests can agree within a few %.
net_shape 2 4kb 32kb 0.5
net_cc reno
NET_TUNDELAY=$(dirname "$TRAMDO_BIN")/tundelay
net_delay 40 || diag "bench/tundelay did not start"
srv_start "$T_TMP/srv"
ok $? "nginx listens in the server namespace, behind a 2/0.5 Mbit/s link with a 40 ms round trip"
[ -n "${SRV_URL:-}" ] || done_testing

cat >"$T_TMP/tramdo.ini" <<INI
[station]
id = tdb-leftovers
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
INI

# left_behind: the largest Send-Q (bytes not yet acknowledged) of any TCP socket in the client's
# namespace, whoever holds it: an orphan the kernel still empties counts.
left_behind() {
	ip netns exec "$NS_C" ss -Htn state all | awk '{ if ($3 > m) m = $3 } END { print m + 0 }'
}

# test_once N: one `tramdo run` in the client namespace; the largest Send-Q as soon as its log says
# the upload ended (the result it reports), and again after it exited. tramdo runs at a raised
# priority, as a kiosk that does nothing else would: at load 13 (make check beside busy loops) a
# starved client left its receive buffer unread and the 2 Mbit/s link half idle (1.3 Mbit/s
# measured, truly carried), which is not what this file is about.
test_once() {
	local n=$1 pid
	ip netns exec "$NS_C" nice -n -10 "$TRAMDO" -c "$T_TMP/tramdo.ini" --log "$T_TMP/run$n.log" run --json \
	    --server "$SRV_URL" >"$T_TMP/r$n.json" 2>"$T_TMP/r$n.err" &
	pid=$!
	wait_until "grep -qE 'measure: upload [0-9.]+ Mbit/s|upload not measured' '$T_TMP/run$n.log' 2>/dev/null || ! kill -0 $pid 2>/dev/null"
	at_result[$n]=$(left_behind)
	wait "$pid"
	rc[$n]=$?
	after_exit[$n]=$(left_behind)
}
declare -a at_result after_exit rc
test_once 1
test_once 2
for n in 1 2; do
	is "${rc[$n]}" 0 "test $n: tramdo run succeeds" || sed 's/^/# /' "$T_TMP/r$n.err" | tail -5
done
f() { jget "$T_TMP/r$1.json" "$2" 2>/dev/null || echo 0; }
d1=$(f 1 'd["download_mbps"]'); u1=$(f 1 'd["upload_mbps"]'); l1=$(f 1 'd["latency_ms"]["median"]')
d2=$(f 2 'd["download_mbps"]'); u2=$(f 2 'd["upload_mbps"]'); l2=$(f 2 'd["latency_ms"]["median"]')
diag "test 1: down $d1 up $u1 Mbit/s, latency $l1 ms, left ${at_result[1]} B at its result, ${after_exit[1]} B after exit"
diag "test 2: down $d2 up $u2 Mbit/s, latency $l2 ms, left ${at_result[2]} B at its result, ${after_exit[2]} B after exit"
diag "load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1 2; do
	num_ok "${at_result[$n]:-1e9} <= $LEFT_MAX" "test $n: at most 64 KB in any socket when the upload's result is logged (${at_result[$n]} B)"
done
num_ok "${after_exit[1]:-1e9} <= $LEFT_MAX" "test 1: at most 64 KB in any socket once tramdo has exited (${after_exit[1]} B)"
num_ok "$d1 > 0 and abs($d2 / $d1 - 1) <= 0.05" "the second test's download is within 5% of the first's ($d2 vs $d1 Mbit/s)"
num_ok "$u1 > 0 and abs($u2 / $u1 - 1) <= 0.05" "the second test's upload is within 5% of the first's ($u2 vs $u1 Mbit/s)"
# 40 ms of path; leftovers of the first test's upload queued behind the pings would add hundreds.
num_ok "$l1 >= 40 and $l2 <= 1.25 * $l1 + 5" "the second test's idle latency is the first's ($l2 vs $l1 ms)"
# The link's payload ceiling (1,448 of 1,514 bytes a frame): the figures are the link's.
num_ok "abs($d1 / (2 * 1448 / 1514) - 1) <= 0.05 and abs($u1 / (0.5 * 1448 / 1514) - 1) <= 0.05" \
    "test 1 within 5% of the link's payload rates (1.91 / 0.48 Mbit/s)"
done_testing
