#!/bin/bash
# 10-engine.t — tramdo run against a loopback nginx serving config/nginx-speedtest.conf:
# figures positive and consistent with bytes and time; both URL layouts; auto-selection skips
# a dead server.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"

plan 23
PORT=$(free_port)
DEAD=$(free_port)	# nobody listens here
start_nginx "$PORT" || { fail "nginx started"; done_testing; }
MAXS=3

# write_conf FILE [SERVER SECTION LINES...]: short phases so the test stays quick
write_conf() {
	local f=$1
	shift
	cat > "$f" <<INI
[test]
server = auto
max_seconds = $MAXS
ping_count = 10
connect_timeout = 2
stall_seconds = 3
[storage]
path = $T_TMP/results.db
[gps]
enabled = no
INI
	printf '%s\n' "$@" >> "$f"
}

# bg NAME CONFIG [ARGS...]: `tramdo run` in the background, stdout in NAME.json (or .txt without
# --json), stderr in NAME.err, "exit-status wall-seconds" in NAME.rc. The first run, whose
# figures are checked against each other, runs alone (a run beside it would change its rate
# mid-phase); the other two then go side by side.
bg() {
	local name=$1 cfg=$2 out
	shift 2
	out=$T_TMP/$name.json
	[[ " $* " == *" --json "* ]] || out=$T_TMP/$name.txt
	( start=$EPOCHREALTIME
	  "$TRAMDO" -c "$cfg" run "$@" > "$out" 2> "$T_TMP/$name.err"
	  echo "$? $(python3 -c "print($EPOCHREALTIME - $start)")" > "$T_TMP/$name.rc" ) &
}
# wait_bg NAME: until run NAME has ended; sets rc and elapsed.
wait_bg() {
	while [ ! -s "$T_TMP/$1.rc" ]; do sleep 0.1; done
	read -r rc elapsed < "$T_TMP/$1.rc"
}

write_conf "$T_TMP/one.ini"
bg r "$T_TMP/one.ini" --json --server "http://127.0.0.1:$PORT/"
wait_bg r
write_conf "$T_TMP/go.ini" "[server golan]" "url = http://127.0.0.1:$PORT/" "layout = go"
bg go "$T_TMP/go.ini"
SILENT=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); time.sleep(600)' "$SILENT" &
T_PIDS+=($!)
wait_port "$SILENT" $!
write_conf "$T_TMP/auto.ini" \
    "[server dead]" "url = http://127.0.0.1:$DEAD/" \
    "[server silent]" "url = http://127.0.0.1:$SILENT/" \
    "[server live]" "url = http://127.0.0.1:$PORT/"
bg a "$T_TMP/auto.ini" --json

# 1. one server by URL (PHP layout)
wait_bg r
is "$rc" 0 "run by URL exits 0"
r=$T_TMP/r.json
dl=$(jget "$r" 'd["download_mbps"]'); ul=$(jget "$r" 'd["upload_mbps"]')
dlb=$(jget "$r" 'd["bytes"]["download"]'); ulb=$(jget "$r" 'd["bytes"]["upload"]')
dur=$(jget "$r" 'd["duration_s"]')
lmin=$(jget "$r" 'd["latency_ms"]["min"]'); lmed=$(jget "$r" 'd["latency_ms"]["median"]')
jit=$(jget "$r" 'd["latency_ms"]["jitter"]'); conn=$(jget "$r" 'd["latency_ms"]["connect"]')
ldl=$(jget "$r" 'd["loaded_latency_ms"]["download"]'); lul=$(jget "$r" 'd["loaded_latency_ms"]["upload"]')
diag "download $dl Mbit/s ($dlb B), upload $ul Mbit/s ($ulb B), latency $lmin/$lmed ms, jitter $jit, loaded $ldl/$lul, ${dur}s"
num_ok "$dl > 100 and $ul > 100" "download and upload are positive (loopback: > 100 Mbit/s)"
num_ok "$dlb > 0 and $ulb > 0" "bytes moved both ways"
# bytes include the ramp-up, so bytes/rate is the time the phase would need at its measured rate:
# it must be a real share of the phase, never much more than the phase lasted (a busy machine
# makes loopback's rate uneven: the measured window can be slower than the ramp-up, so up to
# 1.5 x; a rate over the wrong time span is off by 2 x or more)
num_ok "0.3 * $MAXS <= $dlb * 8 / 1e6 / $dl <= 1.5 * $MAXS" "download rate consistent with bytes and phase time"
num_ok "0.3 * $MAXS <= $ulb * 8 / 1e6 / $ul <= 1.5 * $MAXS" "upload rate consistent with bytes and phase time"
# (the rate varies while ramping up, so allow 20%)
num_ok "$dlb * 8 / 1e6 / $dl + $ulb * 8 / 1e6 / $ul <= 1.2 * $dur" "both phases fit in the test's duration"
num_ok "1 < $dur <= 2 * $MAXS + 3 and $dur <= $elapsed" "duration within the per-direction limit"
num_ok "0 < $lmin <= $lmed < 50" "latency: 0 < min <= median, loopback small"
num_ok "$jit >= 0 and $conn >= 0" "jitter and connect time present"
num_ok "$ldl > 0 and $lul > 0" "loaded latency measured in both directions"
is "$(jget "$r" 'd["client"]["ip"]')" "127.0.0.1" "client IP from getIP"
is "$(jget "$r" '"error" in d')" "False" "no error object"

# 2. the Go layout from a [server NAME] section, and the readable summary
wait_bg go
is "$rc" 0 "Go layout (garbage, empty, getIP) exits 0"
like "$(cat "$T_TMP/go.txt")" "download +[0-9]+\.[0-9]+ Mbit/s" "summary shows the download rate"
like "$(grep '^server' "$T_TMP/go.txt")" "golan" "summary names the server"

# 3. auto-selection among a refusing, a silent (accepts, never answers) and a live server
wait_bg a
is "$rc" 0 "auto-selection with a dead and a silent server exits 0"
is "$(jget "$T_TMP/a.json" 'd["server"]["name"]')" "live" "the live server is chosen"
num_ok "$(jget "$T_TMP/a.json" 'd["download_mbps"]') > 0" "and measured"
like "$(cat "$T_TMP/a.err")" "candidate dead skipped" "the dead one is logged as skipped"
like "$(cat "$T_TMP/a.err")" "candidate silent skipped: (Operation|Connection) timed out" "the silent one is skipped after connect_timeout"

# 4. auto-selection with only dead servers: no_server, quickly
write_conf "$T_TMP/none.ini" \
    "[server dead1]" "url = http://127.0.0.1:$DEAD/" \
    "[server dead2]" "url = http://127.0.0.2:$DEAD/"
start=$(date +%s.%N)
"$TRAMDO" -c "$T_TMP/none.ini" run --json > "$T_TMP/n.json" 2> "$T_TMP/n.err"
is "$?" 1 "no live server exits 1"
elapsed=$(python3 -c "import time; print(time.time() - $start)")
is "$(jget "$T_TMP/n.json" 'd["error"]["code"]')" "no_server" "error no_server"
num_ok "$elapsed < 5" "and fails fast (${elapsed}s)"

done_testing
