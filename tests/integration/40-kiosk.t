#!/usr/bin/env bash
# The kiosk in tmux: Vietnamese welcome intact, Ctrl-C/Z/\ are keys like any other (they end
# nothing), no CPU when idle, the language key, and SIGTERM restoring the terminal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
plan 14

cat > "$T_TMP/k.ini" <<'INI'
[station]
id = TEST-01
name = Trung tâm Văn hóa xã Thử
[kiosk]
language = vi
error_seconds = 3
INI

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "welcome prompt shown in intact Vietnamese"
k_see 'Hôm nay: 0 lượt đo' "today's count shown"
k_see 'E: English' "language key shown"

# "Press any key": Ctrl-C starts a test like any key (here one with no server to reach).
k_keys C-c; k_keys C-z; k_keys 'C-\'
k_wait 'chưa đo được'
kill -0 "$K_PID" 2>/dev/null; ok $? "Ctrl-C, Ctrl-Z and Ctrl-\\ do not end the kiosk"
is "$(grep -c 'state: welcome -> running' "$K_LOG")" 1 "... the first of them starts a test, like any key"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "... and the kiosk is back on Welcome"

t0=$(k_cpu_ticks "$K_PID")
sleep 3
t1=$(k_cpu_ticks "$K_PID")
num_ok "$t1 - $t0 <= 1" "idle Welcome uses no CPU ($((t1 - t0)) ticks in 3 s)"

k_keys E
k_wait 'Press any key to start the test'; ok $? "E switches to English"
k_see 'Today: 0 test' "... every text"
k_keys V
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "V switches back to Vietnamese"

kill -TERM "$K_PID"
k_wait 'EXITED 0.*echo'; ok $? "SIGTERM ends the kiosk with status 0"
like "$K_SCREEN" $'\nicanon' "terminal back in canonical mode"
like "$K_SCREEN" $'\necho' "terminal echo restored"
like "$(cat "$K_LOG")" 'SIGTERM: closing the kiosk' "the log says why it closed"
done_testing
