#!/bin/bash
# 92-valgrind.t — valgrind memcheck on `tramdo run`: a good run against loopback nginx, a
# failing one (refused) and a hostile getIP; and on `tramdo say --wav` (libespeak-ng);
# 0 errors, 0 bytes definitely or indirectly lost.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v valgrind >/dev/null || skip_all "valgrind not installed"
sanitized && skip_all "an AddressSanitizer build (make sanitize): valgrind cannot run it"

plan 12
PORT=$(free_port)
DEAD=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$PORT" || { fail "nginx started"; done_testing; }
cat > "$T_TMP/t.ini" <<INI
[test]
max_seconds = 2
ping_count = 10
connect_timeout = 2
stall_seconds = 3
[storage]
path = $T_TMP/results.db
[gps]
enabled = no
INI

# vg NAME STATUS ARGS...: tramdo ARGS under memcheck exits STATUS with a clean report.
vg() {
	local name=$1 status=$2 log=$T_TMP/$1.vg errors lost
	shift 2
	valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --track-fds=no --log-file="$log" \
	    "$TRAMDO_BIN" --allow-root "$@" > "$T_TMP/$name.out" 2> "$T_TMP/$name.err"
	is "$?" "$status" "$name: exit status $status under valgrind"
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log")
	is "$errors" 0 "$name: 0 memcheck errors"
	lost=$(awk '/definitely lost:|indirectly lost:/ { gsub(",", "", $4); n += $4 } END { print n + 0 }' "$log")
	is "$lost" 0 "$name: 0 bytes definitely or indirectly lost"
	[ "$errors" = 0 ] && [ "$lost" = 0 ] || sed 's/^/# /' "$log" | head -n 60
}

vg good 0 -c "$T_TMP/t.ini" run --json --server "http://127.0.0.1:$PORT/"
vg refused 1 -c "$T_TMP/t.ini" run --json --server "http://127.0.0.1:$DEAD/"
vg tls 1 -c "$T_TMP/t.ini" run --json --server "https://127.0.0.1:$PORT/"
vg say 0 say --wav "$T_TMP/say.wav" \
    "Tốc độ tải xuống chín mươi lăm phẩy ba mê-ga-bít mỗi giây, tải lên bốn mươi phẩy một."

done_testing
