#!/usr/bin/env bash
# SOAK_TESTS (default 300) consecutive citizen's tests in one kiosk process against a loopback
# nginx, driven by keys through tmux: every test reaches its result screen, RSS and open file
# descriptors are the same after the last test as after the first (RSS within a bound), and
# every result is in the store and reached the collector exactly once.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/kiosk.sh"
. "$(dirname "$0")/../integration/upload-lib.sh"
. "$(dirname "$0")/soak.sh"
command -v tmux > /dev/null || skip_all "tmux missing"
command -v nginx > /dev/null || skip_all "nginx missing"
N=${SOAK_TESTS:-300}
# After a warm-up of WARM tests (the first test's buffers, allocator arenas and SQLite's cache
# settle: RSS steps up once, at test 2), RSS may grow at most RSS_BOUND KiB to the last test;
# a leak of even 10 KiB per test would show over 300.
WARM=${SOAK_WARM:-10}
RSS_BOUND=${SOAK_RSS_BOUND_KB:-2048}
plan 11

port=$(free_port) CPORT=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$port" "$(soak_nginx_cap)" || { fail "nginx started"; done_testing; }
start_collector "$CPORT" || fail "collector did not start"
kiosk_config "$T_TMP/k.ini" "$port" "$CPORT"
rm -f "$SOAK_OUT/tests.txt"

# uploaded N: until the collector holds N results (at most 20 s).
uploaded() {
	local i
	for i in $(seq 100); do
		[ "$(collector "$CPORT" 'len(d["json"]["ids"])')" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# sample I: RSS and fds once test I is stored, uploaded and the kiosk is back on an idle Welcome.
sample() {
	uploaded "$1"
	sleep 0.5
	RSS[$1]=$(proc_rss "$K_PID") FDS[$1]=$(proc_fds "$K_PID")
	echo "$1 ${RSS[$1]} ${FDS[$1]}" >> "$SOAK_OUT/tests-rss.txt"
}

k_start 100 30 "$T_TMP/k.ini"
pid0=$K_PID
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "welcome"
rm -f "$SOAK_OUT/tests-rss.txt"
declare -A RSS FDS
done_n=0 errors=0 t0=$(date +%s)
for i in $(seq "$N"); do
	k_keys Enter
	if ! k_wait 'Nhấn phím bất kỳ để quay lại|Tự động quay lại|chưa đo được'; then break; fi
	[[ $K_SCREEN =~ 'chưa đo được' ]] && errors=$((errors + 1))
	k_keys Enter
	k_wait "Hôm nay: $i lượt đo" || break
	done_n=$i
	if [ "$i" -le "$WARM" ] || [ $((i % 50)) -eq 0 ] || [ "$i" -eq "$N" ]; then
		sample "$i"
		diag "test $i: RSS ${RSS[$i]} KiB, ${FDS[$i]} fds"
	fi
done
secs=$(($(date +%s) - t0))
is "$done_n" "$N" "$N tests ran to their result screen and back to Welcome"
is "$errors" 0 "none of them failed (loopback)"
is "$K_PID" "$pid0" "the same kiosk process throughout"
kill -0 "$K_PID" 2>/dev/null; ok $? "... still alive"

soak_record tests.txt tests "$done_n"
soak_record tests.txt seconds "$secs"
soak_record tests.txt rss_first_kb "${RSS[1]:-}"
soak_record tests.txt rss_last_kb "${RSS[$N]:-}"
soak_record tests.txt fds_first "${FDS[1]:-}"
soak_record tests.txt fds_last "${FDS[$N]:-}"
soak_record tests.txt load "$(cut -d' ' -f1-3 /proc/loadavg)"
is "${FDS[$N]:-none}" "${FDS[1]:-}" "open fds after test $N = after test 1"
[ "${FDS[$N]:-}" = "${FDS[1]:-}" ] || proc_fd_list "$K_PID" | sed 's/^/# /'
[ "$N" -gt "$WARM" ] || WARM=$((N > 2 ? 2 : N))	# a smoke run: no warm-up to speak of
soak_record tests.txt rss_warm_kb "${RSS[$WARM]:-}"
num_ok "${RSS[$N]:-1e9} - ${RSS[$WARM]:-0} < $RSS_BOUND" \
    "RSS after test $N (${RSS[$N]:-?} KiB) within $RSS_BOUND KiB of test $WARM (${RSS[$WARM]:-?} KiB)"

"$TRAMDO" -c "$T_TMP/k.ini" history --json -n $((N + 10)) > "$T_TMP/h.json" 2> "$T_TMP/h.err"
is "$(jget "$T_TMP/h.json" 'len(d)')" "$N" "history: $N results stored"
"$TRAMDO" -c "$T_TMP/k.ini" export --since 2000-01-01 --format json > "$T_TMP/e.json" 2> "$T_TMP/e.err"
jget "$T_TMP/h.json" '"\n".join(sorted(r["id"] for r in d))' > "$T_TMP/h.ids"
jget "$T_TMP/e.json" '"\n".join(sorted(r["id"] for r in d))' > "$T_TMP/e.ids"
is "$(sort -u "$T_TMP/e.ids" | wc -l) $(cmp -s "$T_TMP/h.ids" "$T_TMP/e.ids"; echo $?)" "$N 0" \
    "export: the same $N distinct ids"
uploaded "$N"
curl -sf "http://127.0.0.1:$CPORT/_stats" > "$T_TMP/stats.json"
jget "$T_TMP/stats.json" '"\n".join(sorted(d["json"]["ids"]))' > "$T_TMP/c.ids"
ok "$(cmp -s "$T_TMP/h.ids" "$T_TMP/c.ids"; echo $?)" "the collector holds exactly the stored ids"
is "$(jget "$T_TMP/stats.json" '"%d %d %d %d" % (d["json"]["posts"], d["json"]["accepted"], d["json"]["replays"], len(d["bad"]))')" \
    "$N $N 0 0" "each uploaded once: $N posts, $N accepted, 0 replays, 0 bad requests"
k_stop
done_testing
