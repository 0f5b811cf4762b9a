#!/usr/bin/env bash
# The test server is down: three citizens' tests fail in a row and the station goes out of
# service ("Tạm ngừng đo", "Xin lỗi quý vị"; keys start nothing), retries by itself every
# retry_seconds, stays out while the server is down, and comes back on the first retry that
# succeeds once the server is up again (nginx started on the same port): Welcome again, and a
# key starts a citizen's test. Failed tests are no "lượt đo": the Welcome counts good tests
# only, and the staff screen shows today's good and failed tests and each problem with its
# time, in Vietnamese, with the raw text under it. Waits follow the kiosk's logged states.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
T_START=$(date +%s.%N)
plan 32

RETRY=30
port=$(free_port)	# nobody listens here until the server "comes back"
cat > "$T_TMP/k.ini" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
commune = phường Phúc Xá
[kiosk]
error_seconds = 3
cooldown_seconds = 0
result_seconds = 5
retry_seconds = $RETRY
staff_pin = 2468
[test]
server = lan
max_seconds = 2
connect_timeout = 1
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
[server lan]
url = http://127.0.0.1:$port/
INI

# staff: open the staff screen (Ctrl-T three times, the PIN) and leave its capture in $T_TMP/$1.
staff() {
	k_keys C-t C-t C-t
	k_wait 'Dành cho nhân viên' && k_keys 2 4 6 8 Enter
	k_wait 'Màn hình nhân viên(.|
)*Sự cố gần đây' 30
	k_settle
	k_screen > "$T_TMP/$1"
}
# problems FILE: each problem of the staff screen as "HH:MM|sentence|raw text under it", the
# raw text being the rows under the sentence that start in its column (wrapped: joined, with
# no blanks, as a long URL may be broken anywhere).
problems() {
	python3 - "$1" <<'PY'
import re, sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
for y, r in enumerate(rows):
    m = re.match(r"^(\s+)([0-2][0-9]:[0-5][0-9])(\s+)(\S.*?)\s*$", r)
    if not m:
        continue
    col = len(m.group(1)) + len(m.group(2)) + len(m.group(3))
    raw = ""
    for under in rows[y + 1:]:
        if under[:col].strip() != "" or under[col:col + 1] in ("", " "):
            break
        raw += under[col:].replace(" ", "")
    print("%s|%s|%s" % (m.group(2), m.group(4), raw))
PY
}
# failures: the failed tests' raw texts as the log has them, without blanks, one a line.
failures() { sed -n 's/.*citizen test failed: //p' "$K_LOG" | tr -d ' ' | sort -u; }

k_start 100 30 "$T_TMP/k.ini"
k_wait_state welcome; ok $? "Welcome"
for n in 1 2 3; do
	k_keys Enter
	k_wait_state error "$n"
	ok $? "failure $n: the error screen (the log says running -> error)"
	[ "$n" -lt 3 ] && k_wait_state welcome $((n + 1))
done
k_wait_state out_of_service; ok $? "after the third failure the station is out of service"
like "$(grep 'state: [a-z_]* -> out_of_service' "$K_LOG" | head -1)" 'error -> out_of_service$' \
    "... straight from the third error screen"
k_wait 'Tạm ngừng đo'; ok $? "Welcome says 'Tạm ngừng đo'"
k_see 'Xin lỗi quý vị' "... and 'Xin lỗi quý vị'"
k_see "Trạm sẽ tự thử lại sau 1 phút" "... and that it tries again by itself"
k_see 'Hôm nay: 0 lượt đo' "failed tests are no lượt đo: today's count is 0"
if [[ $K_SCREEN =~ Nhấn\ phím\ bất\ kỳ ]]; then fail "no invitation to press a key"
else pass "no invitation to press a key"; fi
k_keys Enter a Space 1 Enter
sleep 1
is "$(k_state_count running)" 3 "keys start no test while out of service"

staff staff-out.txt
like "$(cat "$T_TMP/staff-out.txt")" 'Hôm nay: 0 lượt đo tốt, 3 lượt lỗi' \
    "staff screen: today's good and failed tests"
problems "$T_TMP/staff-out.txt" > "$T_TMP/all-out.txt"
# The newest problem is the state itself; under it, the three failures.
like "$(head -1 "$T_TMP/all-out.txt" | cut -d'|' -f2)" '^Trạm tạm ngừng đo sau nhiều lượt lỗi liên tiếp$' \
    "... the newest problem says the station is out of service"
sed 1d "$T_TMP/all-out.txt" > "$T_TMP/problems-out.txt"
is "$(wc -l < "$T_TMP/problems-out.txt")" 3 "... then the three failures, each with its time"
is "$(cut -d'|' -f2 "$T_TMP/problems-out.txt" | sort -u)" "Không kết nối được máy chủ đo" \
    "... in Vietnamese"
is "$(cut -d'|' -f3 "$T_TMP/problems-out.txt" | sort -u)" "$(failures)" \
    "... each with the raw text of the log under it, whole"
like "$(failures)" "^connect:.*127\.0\.0\.1port$port" "... curl's: the connection to the server's port was refused"
k_keys Escape
k_wait_state out_of_service 2; ok $? "Esc: back to the out-of-service Welcome"

# The server is still down: the first retry fails, the station stays out of service.
k_wait_state running 4 $((RETRY + 60)); ok $? "the kiosk retries by itself within retry_seconds"
like "$(grep 'state: [a-z_]* -> running' "$K_LOG" | sed -n 4p)" 'out_of_service -> running \(retry\)$' \
    "... as a retry"
k_wait_state out_of_service 3; ok $? "the retry fails: still out of service"

NGINX_GARBAGE_MB=8 start_nginx "$port" || { fail "nginx started on the server's port"; done_testing; }
k_wait_state running 5 $((RETRY + 60)); ok $? "the next retry comes by itself"
k_wait_state welcome 4; ok $? "it succeeds: Welcome again"
like "$(grep 'state: [a-z_]* -> welcome' "$K_LOG" | tail -1)" 'running -> welcome$' \
    "... straight after the retry"
like "$(cat "$K_LOG")" 'back in service: a test succeeded' "the log says why"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "the invitation is back"
k_see 'Hôm nay: 1 lượt đo' "the good retry counts as today's one lượt đo"
k_keys Enter
k_wait_state result; ok $? "a key starts a citizen's test, and its result shows"
like "$(grep 'state: [a-z_]* -> running' "$K_LOG" | tail -1)" 'welcome -> running \(citizen\)$' \
    "... a citizen's test"
k_wait_state welcome 5
k_wait 'Hôm nay: 2 lượt đo'; ok $? "Welcome: 2 lượt đo today (the 4 failures do not count)"

staff staff-back.txt
like "$(cat "$T_TMP/staff-back.txt")" 'Hôm nay: 2 lượt đo tốt, 4 lượt lỗi' \
    "staff screen: 2 good and 4 failed tests today"
k_stop
diag "wall time $(python3 -c "import time; print('%.1f' % (time.time() - $T_START))") s"
done_testing
