#!/usr/bin/env bash
# capture.sh — regenerate docs/screens/SIZE/*.txt: every kiosk screen captured from tmux at
# 100x30 and 120x33 (the real consoles' sizes), in Vietnamese with the default settings (the
# i-Speed code, no result_url): welcome, running, result, staff-pin, staff against a loopback
# nginx; error, out-of-service and staff-out (the staff screen then) with the server down
# (error_seconds = cooldown_seconds: a key on the Welcome after an error starts the next test).
# Each capture follows the state the kiosk logs. Run from the source tree after `make`:
# docs/screens/capture.sh. As root it runs in a private network namespace with the loopback
# line shaped to 40 Mbit/s (tc), so the figures look like a centre's line; else at loopback speed.
if [ -z "${T_IN_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	T_IN_NETNS=1 exec unshare -n bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
set -u
cd "$(dirname "$0")/../.."
SRCDIR=$PWD
TRAMDO=${TRAMDO:-$PWD/tramdo}
. tests/integration/lib.sh
. tests/integration/kiosk.sh
port=$(free_port) dead=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$port" || exit 1
if [ -n "${T_IN_NETNS:-}" ] && ip link set lo mtu 1500 &&
    tc qdisc add dev lo root handle 1: htb default 0 2>/dev/null; then
	tc class add dev lo parent 1: classid 1:1 htb rate 40mbit ceil 40mbit quantum 1514
	tc qdisc add dev lo parent 1:1 pfifo limit 50
	tc filter add dev lo parent 1: protocol ip u32 match ip sport "$port" 0xffff flowid 1:1
	tc filter add dev lo parent 1: protocol ip u32 match ip dport "$port" 0xffff flowid 1:1
fi

# ini FILE PORT: the station, measuring against 127.0.0.1:PORT.
ini() {
	cat > "$1" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
commune = phường Phúc Xá
[kiosk]
result_seconds = 60
error_seconds = 10
staff_pin = 2468
[test]
server = lan
max_seconds = 4
[gps]
enabled = no
[storage]
path = $T_TMP/results-$2.db
[server lan]
url = http://127.0.0.1:$2/
INI
}
ini "$T_TMP/k.ini" "$port"
ini "$T_TMP/down.ini" "$dead"

# shot SIZE NAME: the screen now, as docs/screens/SIZE/NAME.txt.
shot() { mkdir -p "docs/screens/$1"; k_screen > "docs/screens/$1/$2.txt"; }

for size in 100x30 120x33; do
	w=${size%x*} h=${size#*x}
	K_SOCK=tramdo-screens-$$-$size-down K_LOG=$T_TMP/down-$size.log
	k_start "$w" "$h" "$T_TMP/down.ini"
	DOWN_PID=$K_PID DOWN_SOCK=$K_SOCK DOWN_LOG=$K_LOG
	K_SOCK=tramdo-screens-$$-$size K_LOG=$T_TMP/k-$size.log
	k_start "$w" "$h" "$T_TMP/k.ini"
	K_STARTED+=("$DOWN_SOCK $DOWN_PID")

	k_wait_state welcome && k_wait 'Nhấn phím bất kỳ để bắt đầu đo' 30 && k_settle && shot "$size" welcome
	k_keys Enter
	# The server down, in the other kiosk: three failures put it out of service.
	( K_SOCK=$DOWN_SOCK K_LOG=$DOWN_LOG
	  k_wait_state welcome && k_keys Enter
	  k_wait_state error && k_wait 'Vui lòng báo cho nhân viên' 30 && k_settle && shot "$size" error
	  for n in 2 3; do k_wait_state welcome "$n" && k_keys Enter; done
	  k_wait_state out_of_service && k_wait 'Tạm ngừng đo' 30 && k_settle && shot "$size" out-of-service
	  k_keys C-t C-t C-t
	  k_wait_state staff_pin && k_keys 2 4 6 8 Enter
	  k_wait_state staff && k_wait 'Sự cố gần đây' 30 && k_settle && shot "$size" staff-out ) &
	down=$!
	# Mid-download: the live figure in large digits.
	k_wait_state running && k_wait 'Tải xuống' 30 && sleep 2 && shot "$size" running
	k_wait_state result && k_wait 'Xin cảm ơn quý vị' 30 && k_settle && shot "$size" result
	k_wait 'Nhấn phím bất kỳ để quay lại' 30 && k_keys Enter
	k_wait_state welcome 2 && k_wait 'Nhấn phím bất kỳ để bắt đầu đo' 30
	k_keys C-t C-t C-t
	k_wait_state staff_pin && k_keys 2 4 && k_wait '••' 30 && k_settle && shot "$size" staff-pin
	k_keys 6 8 Enter
	k_wait_state staff && k_wait 'Sự cố gần đây' 30 && k_settle && shot "$size" staff
	wait "$down"
	k_stop_all
done
# Trailing blanks carry nothing; drop them so the files read well in any viewer.
sed -i 's/[[:space:]]*$//' docs/screens/*/*.txt
ls -l docs/screens/*/*.txt
