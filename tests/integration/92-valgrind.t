#!/bin/bash
# 92-valgrind.t — valgrind memcheck on the headless commands: `tramdo run` against loopback
# nginx (good, refused, TLS to plain HTTP) and `tramdo say --wav` (libespeak-ng); 0 errors,
# 0 bytes definitely or indirectly lost.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v valgrind >/dev/null || skip_all "valgrind not installed"
sanitized && skip_all "an AddressSanitizer build (make sanitize): valgrind cannot run it"

plan 12
PORT=$(free_port)
DEAD=$(free_port)
# Memory is the point, not the rate: downloads capped at 40 Mbit/s a connection keep the slow
# memcheck'd client from spending its time copying bytes.
echo 'limit_rate 5m;' > "$T_TMP/rate.conf"
NGINX_GARBAGE_MB=8 start_nginx "$PORT" "$T_TMP/rate.conf" || { fail "nginx started"; done_testing; }
# Under memcheck on a busy machine the client can be off the CPU for a second: the data stall
# (min(stall_seconds, max_seconds / 2)) is 3 s here, not 1 s.
cat > "$T_TMP/t.ini" <<INI
[test]
max_seconds = 6
ping_count = 10
connect_timeout = 2
stall_seconds = 5
[storage]
path = $T_TMP/results.db
[gps]
enabled = no
INI

# vg NAME ARGS...: tramdo ARGS under memcheck, in the background; its exit status in NAME.rc.
vg() {
	local name=$1
	shift
	valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --track-fds=no --log-file="$T_TMP/$name.vg" \
	    "$TRAMDO_BIN" --allow-root "$@" > "$T_TMP/$name.out" 2> "$T_TMP/$name.err"
	echo $? > "$T_TMP/$name.rc"
}
run() { vg "$1" -c "$T_TMP/t.ini" run --json --server "$2"; }
# check NAME STATUS: the run exited STATUS with a clean report.
check() {
	local name=$1 status=$2 log=$T_TMP/$1.vg errors lost
	is "$(cat "$T_TMP/$name.rc")" "$status" "$name: exit status $status under valgrind"
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log")
	is "$errors" 0 "$name: 0 memcheck errors"
	lost=$(awk '/definitely lost:|indirectly lost:/ { gsub(",", "", $4); n += $4 } END { print n + 0 }' "$log")
	is "$lost" 0 "$name: 0 bytes definitely or indirectly lost"
	[ "$errors" = 0 ] && [ "$lost" = 0 ] || sed 's/^/# /' "$log" | head -n 60
	[ "$(cat "$T_TMP/$name.rc")" = "$status" ] || sed 's/^/# /' "$T_TMP/$name.err" | tail -n 5
}

runs=()
run good "http://127.0.0.1:$PORT/" & runs+=($!)
run refused "http://127.0.0.1:$DEAD/" & runs+=($!)
run tls "https://127.0.0.1:$PORT/" & runs+=($!)
vg say say --wav "$T_TMP/say.wav" \
    "Tốc độ tải xuống chín mươi lăm phẩy ba mê-ga-bít mỗi giây, tải lên bốn mươi phẩy một." &
runs+=($!)
wait "${runs[@]}"
check good 0
check refused 1
check tls 1
check say 0

done_testing
