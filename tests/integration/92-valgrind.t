#!/bin/bash
# 92-valgrind.t — valgrind memcheck on `tramdo run`: a good run against loopback nginx, a
# failing one (refused) and a hostile getIP; 0 errors, 0 bytes definitely or indirectly lost.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v valgrind >/dev/null || skip_all "valgrind not installed"
sanitized && skip_all "an AddressSanitizer build (make sanitize): valgrind cannot run it"

plan 9
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

# vg NAME URL STATUS: tramdo run under memcheck exits STATUS with a clean report.
vg() {
	local name=$1 url=$2 status=$3 log=$T_TMP/$1.vg errors lost
	valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --track-fds=no --log-file="$log" \
	    "$TRAMDO_BIN" --allow-root -c "$T_TMP/t.ini" run --json --server "$url" \
	    > "$T_TMP/$name.json" 2> "$T_TMP/$name.err"
	is "$?" "$status" "$name: exit status $status under valgrind"
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log")
	is "$errors" 0 "$name: 0 memcheck errors"
	lost=$(awk '/definitely lost:|indirectly lost:/ { gsub(",", "", $4); n += $4 } END { print n + 0 }' "$log")
	is "$lost" 0 "$name: 0 bytes definitely or indirectly lost"
	[ "$errors" = 0 ] && [ "$lost" = 0 ] || sed 's/^/# /' "$log" | head -n 60
}

vg good "http://127.0.0.1:$PORT/" 0
vg refused "http://127.0.0.1:$DEAD/" 1
vg tls "https://127.0.0.1:$PORT/" 1

done_testing
