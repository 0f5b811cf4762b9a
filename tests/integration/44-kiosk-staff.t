#!/usr/bin/env bash
# An unreachable server shows the error screen, which returns to Welcome by itself, with the
# cooldown's wait in the prompt box; the staff screen opens with Ctrl-T x3 and the PIN (wrong
# PINs rate-limited, never logged), shows the config and the last problem in plain words with
# the raw text and whether IPv6 works (unknown here), and its X is the way out. language = en,
# charset = ascii, a promo code of the staff's own choosing scans (the i-Speed default:
# 48-kiosk-qr.t), and an empty one is none.
# Waits follow the states the kiosk logs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
plan 27
closed=$(free_port)

cat > "$T_TMP/k.ini" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
[kiosk]
error_seconds = 3
staff_pin = 24680
promo_qr_url = https://example.vn/i-speed
[test]
server = down
connect_timeout = 1
[server down]
url = http://127.0.0.1:$closed/
INI

k_start 100 30 "$T_TMP/k.ini"
k_wait_state welcome; ok $? "welcome"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
k_settle
k_screen > "$T_TMP/welcome.txt"
qr=$(python3 "$SRCDIR/tests/integration/qrscan.py" "$T_TMP/welcome.txt" 50)
is "$qr" "https://example.vn/i-speed" "the staff's own promo QR code scans (half blocks)"
k_keys Enter
k_wait_state error; ok $? "unreachable server: the error screen (the log says running -> error)"
k_wait 'Không kết nối được máy chủ đo'
k_see 'Vui lòng báo cho nhân viên' "... in plain Vietnamese, asking to tell the staff"
k_keys Enter
k_wait_state welcome 2; ok $? "back to Welcome by itself (a key is ignored on the error screen)"
num_ok "$(k_state_count welcome) == 2 and $(k_state_count running) == 1" \
    "... after error_seconds, not sooner: the key neither left the error nor started a test"
like "$(grep '^{' "$K_LOG" | tail -1)" '"code":"(connect|no_server)"' "the failed test is logged with its error"
k_wait 'Vui lòng chờ [0-9]+ giây'; ok $? "the prompt box shows the cooldown's wait"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'

k_keys C-t C-t
sleep 0.5
is "$(k_state_count staff_pin)" 0 "two Ctrl-T do nothing"
k_keys C-t
k_wait_state staff_pin; ok $? "Ctrl-T three times asks for the staff PIN"
k_wait 'Dành cho nhân viên'
k_keys 1 3 5 7 9 Enter
k_wait 'Sai mã PIN'; ok $? "wrong PIN refused"
k_keys 2 4 6 8 0 Enter
k_wait_state staff; ok $? "right PIN opens the staff screen"
k_wait 'Màn hình nhân viên'
k_see 'HN-BD-01' "... with the station"
k_see "$T_TMP/k.ini" "... the config file"
k_see '[0-9][0-9]:[0-9][0-9]  Không kết nối được máy chủ đo' "... and the last problem in plain words, with its time"
k_see 'IPv6: +chưa rõ' "... and IPv6 unknown: the test never reached its server"
if grep -q '13579\|24680' "$K_LOG"; then fail "PINs never logged"; else pass "PINs never logged"; fi
k_keys x
k_wait 'EXITED 0'; ok $? "X on the staff screen leaves the kiosk"
k_stop

K_SOCK=tramdo-kiosk-$$-lock K_LOG=$T_TMP/lock.log
k_start 100 30 "$T_TMP/k.ini"
k_wait_state welcome
k_keys C-t C-t C-t
k_wait_state staff_pin
for pin in 1111 2222 3333; do k_keys $pin Enter; sleep 0.2; done
k_wait 'Thử lại sau [0-9]+ giây'; ok $? "three wrong PINs lock the prompt"
k_keys 2 4 6 8 0 Enter
sleep 1
is "$(k_state_count staff)" 0 "even the right PIN waits for the lock"
k_stop

sed -e 's/^\[kiosk\]$/[kiosk]\nlanguage = en/' -e 's|^promo_qr_url = .*|promo_qr_url =|' \
    "$T_TMP/k.ini" > "$T_TMP/en.ini"
K_SOCK=tramdo-kiosk-$$-en
k_start 100 30 "$T_TMP/en.ini"
k_wait 'Press any key to start'; ok $? "language = en shows English"
k_see 'Today: 0 test' "... everywhere"
if [[ $(k_screen) =~ [▀▄█] ]]; then fail "promo_qr_url empty: no code"; else pass "promo_qr_url empty: no code"; fi
k_stop

sed -e 's/^\[kiosk\]$/[kiosk]\ncharset = ascii/' "$T_TMP/k.ini" > "$T_TMP/ascii.ini"
K_SOCK=tramdo-kiosk-$$-ascii
k_start 100 30 "$T_TMP/ascii.ini"
k_wait 'Nhan phim bat ky de bat dau do'; ok $? "charset = ascii: Vietnamese without diacritics"
if LC_ALL=C grep -q '[^ -~]' <<<"$K_SCREEN"; then fail "... and nothing but ASCII"; else pass "... and nothing but ASCII"; fi
k_stop

sed -e 's/^\[kiosk\]$/[kiosk]\ncharset = console/' "$T_TMP/k.ini" > "$T_TMP/console.ini"
K_SOCK=tramdo-kiosk-$$-console
k_start 200 60 "$T_TMP/console.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
k_settle
k_screen > "$T_TMP/console.txt"
qr=$(python3 "$SRCDIR/tests/integration/qrscan.py" "$T_TMP/console.txt" 100)
is "$qr" "https://example.vn/i-speed" "the promo QR code scans (console mode, half blocks)"
k_stop

printf '[kiosk]\nresult_seconds = oops\n' > "$T_TMP/broken.ini"
K_SOCK=tramdo-kiosk-$$-broken
k_start 100 30 "$T_TMP/broken.ini"
k_wait 'Cấu hình trạm đo có lỗi'; ok $? "a broken config: the kiosk says so and starts no test"
k_stop
done_testing
