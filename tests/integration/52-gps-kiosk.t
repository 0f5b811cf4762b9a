#!/usr/bin/env bash
# gpsd killed during a kiosk session: the kiosk keeps measuring (station position), shows the
# GPS state to staff, and picks the fix up again when gpsd comes back on the same port.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gps.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
plan 9

web=$(free_port)
start_nginx "$web" >/dev/null
gps_start "$NMEA/fix3d.nmea"
gps_config "$T_TMP/k.ini" "$GPS_PORT"
cat >> "$T_TMP/k.ini" <<INI
[kiosk]
cooldown_seconds = 0
result_seconds = 5
[test]
server = lan
max_seconds = 2
download_streams = 1
upload_streams = 1
[server lan]
url = http://127.0.0.1:$web/
INI

# last_source: the location source of the newest result line in the kiosk's log.
last_source() { grep '^{' "$K_LOG" | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["location"]["source"])'; }
# one_test: a key on Welcome, then wait for the result line and Welcome again.
one_test() {
	local before
	before=$(grep -c '^{' "$K_LOG" 2>/dev/null)
	k_keys Enter
	wait_until '[ "$(grep -c "^{" "$K_LOG" 2>/dev/null)" -gt "${before:-0}" ]'
	k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
}

k_start 100 30 "$T_TMP/k.ini"
k_wait 'GPS: 3D, [0-9]+ vệ tinh'; ok $? "Welcome shows the 3D fix for staff"
one_test; ok $? "a test with gpsd up"
is "$(last_source)" gps "... carries the GPS position"

gps_stop
# gpsfake's gpsd can outlive gpsfake for a moment on a busy machine; the restart below needs the
# port back, so wait for it to close, and stop a lingering listener by its PID.
port_closed() { ! (exec 3<>/dev/tcp/127.0.0.1/"$GPS_PORT") 2>/dev/null; }
for _ in $(seq 50); do port_closed && break; sleep 0.1; done
for p in $(ss -ltnpH "sport = :$GPS_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2); do
	kill -KILL "$p" 2>/dev/null
done
wait_until port_closed
k_wait 'GPS: chưa chạy gpsd'; ok $? "gpsd killed: the status line says so"
one_test; ok $? "a test without gpsd still runs"
is "$(last_source)" station "... and carries the station's position"

gps_start "$NMEA/fix3d.nmea" "$GPS_PORT"
k_wait 'GPS: 3D, [0-9]+ vệ tinh' 40; ok $? "gpsd back: the fix is picked up again (reconnect backoff <= 30 s)" || grep -i gps "$K_LOG" | sed "s/^/# /"
one_test
is "$(last_source)" gps "the next test carries the GPS position again"
kill -0 "$K_PID" 2>/dev/null; ok $? "the kiosk never exited"
k_stop
done_testing
