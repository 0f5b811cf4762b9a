#!/bin/bash
# 12-server-choice.t — `[test] server = auto` among working servers measures the one that
# answers soonest (lowest median of the selection pings), whatever their order in the file.
# The far servers are the same nginx behind tests/fixtures/delay_relay.py, which holds every
# chunk 30 ms (or 10 ms) each way: a round trip ~60 ms (~20 ms) longer than loopback's < 1 ms.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"

plan 11
NEAR=$(free_port) BEHIND=$(free_port) FAR=$(free_port) MID=$(free_port)
# The choice is the point, not the rate: downloads capped at 80 Mbit/s a connection keep the
# measurement that follows it cheap.
echo 'limit_rate 10m;' > "$T_TMP/rate.conf"
NGINX_GARBAGE_MB=8 start_nginx "$NEAR" "$T_TMP/rate.conf" || fail "nginx (near) started"
NGINX_GARBAGE_MB=8 start_nginx "$BEHIND" "$T_TMP/rate.conf" || fail "nginx (behind the relays) started"
python3 "$SRCDIR/tests/fixtures/delay_relay.py" "$FAR" "$BEHIND" 30 2> "$T_TMP/relay-far.log" &
T_PIDS+=($!) far_pid=$!
python3 "$SRCDIR/tests/fixtures/delay_relay.py" "$MID" "$BEHIND" 10 2> "$T_TMP/relay-mid.log" &
T_PIDS+=($!)
wait_port "$FAR" "$far_pid" && wait_port "$MID" $!
ok $? "delay relays listen"

# The relay does delay: a ping (GET /empty) through it takes >= 60 ms, directly far less.
t_far=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$FAR/empty")
t_near=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$NEAR/empty")
num_ok "${t_far:-0} >= 0.060 and ${t_near:-1} < ${t_far:-0}" "a ping through the relay takes ${t_far}s, directly ${t_near}s"

# conf NAME SERVER...: an auto configuration listing the servers in this order.
conf() {
	local f=$T_TMP/$1.ini s
	shift
	cat > "$f" <<INI
[test]
server = auto
max_seconds = 2
ping_count = 10
connect_timeout = 2
[storage]
path = $T_TMP/$(basename "$f" .ini).db
[gps]
enabled = no
INI
	for s in "$@"; do
		case $s in
		near) printf '[server near]\nurl = http://127.0.0.1:%s/\n' "$NEAR" ;;
		far) printf '[server far]\nurl = http://127.0.0.1:%s/\n' "$FAR" ;;
		mid) printf '[server mid]\nurl = http://127.0.0.1:%s/\n' "$MID" ;;
		esac >> "$f"
	done
}
# Three orders, side by side: a choice by position, by chance or of the slowest fails one of them.
conf far-near far near
conf near-far near far
conf three far mid near
for c in far-near near-far three; do
	"$TRAMDO" -c "$T_TMP/$c.ini" run --json > "$T_TMP/$c.json" 2> "$T_TMP/$c.err" &
	pids+=($!)
done
for c in far-near near-far three; do
	wait "${pids[0]}"; rc=$?; pids=("${pids[@]:1}")
	is "$rc" 0 "$c: exits 0"
	is "$(jget "$T_TMP/$c.json" 'd["server"]["name"]' 2>/dev/null)" near "$c: the nearest server is measured"
	diag "$c: $(grep -o 'candidate [a-z]*: median [0-9.]* ms' "$T_TMP/$c.err" | tr '\n' ' ')"
done

# What the choice was made on: the medians tramdo logged.
median() { sed -n "s/.*candidate $2: median \([0-9.]*\) ms.*/\1/p" "$T_TMP/$1.err" | head -1; }
num_ok "$(median three far) >= 50 and $(median three mid) >= 15" \
    "the relays' delays are in the medians (far $(median three far) ms, mid $(median three mid) ms)"
num_ok "$(median three near) < $(median three mid) < $(median three far)" \
    "near < mid < far ($(median three near), $(median three mid), $(median three far) ms)"
num_ok "$(jget "$T_TMP/three.json" 'd["download_mbps"]') > 0" "the chosen server is measured"
done_testing
