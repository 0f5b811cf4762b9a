#!/usr/bin/env bash
# valgrind memcheck on a short scripted kiosk session (the plain build, not the sanitizer one):
# two tests with upload, one cancelled, the language switched to English and back, a
# resize, the staff PIN (wrong, then right) and staff screen, then SIGTERM. 0 errors, 0 bytes
# definitely or indirectly lost. (`tramdo run` under valgrind: tests/integration/92-valgrind.t.)
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/kiosk.sh"
. "$(dirname "$0")/../integration/upload-lib.sh"
. "$(dirname "$0")/soak.sh"
command -v tmux > /dev/null || skip_all "tmux missing"
command -v nginx > /dev/null || skip_all "nginx missing"
command -v valgrind > /dev/null || skip_all "valgrind missing"
sanitized && skip_all "an AddressSanitizer build: valgrind cannot run it"
plan 18

port=$(free_port) CPORT=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$port" "$(soak_nginx_cap)" || { fail "nginx started"; done_testing; }
start_collector "$CPORT" || fail "collector did not start"
kiosk_config "$T_TMP/k.ini" "$port" "$CPORT" "error_seconds = 3" "staff_pin = 24680" \
    "promo_qr_url = https://example.vn/i-speed"
k_metrics_local "$T_TMP/k.ini"
VG=$T_TMP/vg.log
rm -f "$SOAK_OUT/valgrind.txt"

# The kiosk under valgrind in tmux; K_PID is valgrind's process (it becomes the kiosk).
tmux -L "$K_SOCK" -f /dev/null new-session -d -s k -x 100 -y 30 \
	"env LANG=C.UTF-8 TRAMDO_DATADIR=$SRCDIR/assets valgrind --tool=memcheck --leak-check=full \
	 --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	 --error-exitcode=99 --track-fds=no --log-file=$VG \
	 $TRAMDO_BIN --allow-root -c $T_TMP/k.ini --log $K_LOG; echo EXITED \$?; sleep 60"
T_PIDS+=("$(tmux -L "$K_SOCK" display -p -t k '#{pid}')")
for _ in $(seq 50); do
	K_PID=$(pgrep -P "$(tmux -L "$K_SOCK" display -p -t k '#{pane_pid}')")
	[ -n "$K_PID" ] && break
	sleep 0.1
done
K_STARTED+=("$K_SOCK ${K_PID:-}")

# one_test REGEX_RESULT N: a key, then the result screen, then back to Welcome with count N.
one_test() {
	k_keys Enter
	k_wait "$1" 60 || return 1
	k_keys Enter
	k_wait "Hôm nay: $2 lượt đo"
}

k_wait 'Nhấn phím bất kỳ để bắt đầu đo' 60; ok $? "welcome under valgrind"
one_test 'Nhấn phím bất kỳ để quay lại' 1; ok $? "a test to its result and back"
k_keys E
k_wait 'Press any key to start'; ok $? "E: English"
k_keys Enter
k_wait 'Press any key to go back' 60; ok $? "a test in English to its result"
k_keys Enter
k_wait 'Hôm nay: 2 lượt đo'; ok $? "back to Welcome, in Vietnamese again"
k_keys E; k_wait 'Press any key to start'
k_keys V
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "V: Vietnamese"
k_keys Enter
k_wait 'Tải xuống|Độ trễ'
k_keys Escape
k_wait 'Hủy lượt đo\?'; ok $? "Esc during a test asks to cancel"
k_keys Escape
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "Esc again cancels (not stored: today's count stays 2)"
k_resize 80 24; sleep 1; k_resize 100 30
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "resized and back"
k_keys C-t C-t C-t
k_wait 'Dành cho nhân viên'; ok $? "Ctrl-T x3: the PIN prompt"
k_keys 1 3 5 7 9 Enter
k_wait 'Sai mã PIN'; ok $? "a wrong PIN refused"
k_keys 2 4 6 8 0 Enter
k_wait 'Màn hình nhân viên'; ok $? "the right PIN: the staff screen"
k_keys Escape
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "Esc: back to Welcome"
for _ in $(seq 100); do
	[ "$(collector "$CPORT" 'len(d["json"]["ids"])')" -ge 2 ] && break
	sleep 0.2
done
is "$(collector "$CPORT" 'len(d["json"]["ids"])')" 2 "the two results uploaded under valgrind"

kill -TERM "$K_PID"
k_wait 'EXITED [0-9]+' 60; ok $? "SIGTERM ends the kiosk"
status=$(sed -n 's/.*EXITED \([0-9]*\).*/\1/p' <<<"$K_SCREEN")
is "$status" 0 "exit status 0 (valgrind's --error-exitcode=99 not triggered)"
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$VG")
is "$errors" 0 "0 memcheck errors"
lost=$(awk '/definitely lost:|indirectly lost:/ { gsub(",", "", $4); n += $4 } END { print n + 0 }' "$VG")
is "$lost" 0 "0 bytes definitely or indirectly lost"
[ "$errors" = 0 ] && [ "$lost" = 0 ] || sed 's/^/# /' "$VG" | head -n 80
soak_record valgrind.txt error_summary "$(grep 'ERROR SUMMARY' "$VG" | sed 's/^==[0-9]*== //')"
soak_record valgrind.txt heap "$(grep -A1 'HEAP SUMMARY' "$VG" | tail -1 | sed 's/^==[0-9]*== *//')"
soak_record valgrind.txt leaks "$(grep -E 'definitely lost:|indirectly lost:|possibly lost:|still reachable:|All heap blocks' "$VG" | sed 's/^==[0-9]*== *//' | tr '\n' ';')"
K_STARTED=()
tmux -L "$K_SOCK" kill-server 2>/dev/null
done_testing
