#!/usr/bin/env bash
# capture.sh — regenerate docs/screens/*.txt: each kiosk screen captured from tmux at 100x30
# against a loopback nginx. Run from the source tree after `make`: docs/screens/capture.sh
set -u
cd "$(dirname "$0")/../.."
SRCDIR=$PWD
TRAMDO=${TRAMDO:-$PWD/tramdo}
. tests/integration/lib.sh
. tests/integration/kiosk.sh
out=$SRCDIR/docs/screens
port=$(free_port)
start_nginx "$port" || exit 1
cat > "$T_TMP/k.ini" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
[kiosk]
result_seconds = 60
staff_pin = 2468
promo_qr_url = https://example.vn/i-speed
[test]
server = lan
max_seconds = 4
[server lan]
url = http://127.0.0.1:$port/
INI
k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo' && k_screen > "$out/welcome.txt"
k_keys Enter
k_wait 'Tải xuống' 10 && sleep 1 && k_screen > "$out/running.txt"
k_wait 'Kết quả' 30 && k_screen > "$out/result.txt"
k_keys Enter
k_wait 'Nhấn phím bất kỳ để bắt đầu đo' 5
k_keys C-t C-t C-t
k_wait 'Dành cho nhân viên' 3
k_keys 2 4 6 8 Enter
k_wait 'Màn hình nhân viên' 3 && k_screen > "$out/staff.txt"
k_stop

# The error screen: the same station while its server is down.
kill "${T_PIDS[0]}"; sleep 0.5
K_SOCK=tramdo-screens-$$-error
k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
k_keys Enter
k_wait 'Vui lòng báo cho nhân viên' 15 && k_screen > "$out/error.txt"
k_stop
# Trailing blanks carry nothing; drop them so the files read well in any viewer.
sed -i 's/[[:space:]]*$//' "$out"/*.txt
ls -l "$out"/*.txt
