#!/bin/bash
# `tramdo gps` against a real gpsd (gpsfake replaying tests/fixtures/nmea), and without one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gps.sh"

plan 38

# field NAME FILE: the value part of `tramdo gps`'s "NAME   value" line.
field() { sed -n "s/^$1 *//p" "$2" | head -1; }
# position FILE: "lat lon" of the position line.
position() { field position "$1" | sed 's/,/ /; s/,.*//'; }

# --- gpsd absent: a quick, clean answer and the station's position ---
gps_config "$T_TMP/absent.ini" "$(free_port)"
t0=$(now_s)
"$TRAMDO" -c "$T_TMP/absent.ini" gps >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
t1=$(now_s)
is "$rc" 1 "no gpsd: exit 1"
like "$(field gps "$T_TMP/out")" "gpsd not reachable at 127.0.0.1:[0-9]+ \(Connection refused\)" "no gpsd: says why"
like "$(field "results *carry" "$T_TMP/out")" "^$STATION_LAT, $STATION_LON \(source station\)$" "no gpsd: station position used"
num_ok "$t1 - $t0 < 1.5" "no gpsd: answered in $(python3 -c "print(round($t1 - $t0, 3))") s (< 1.5 s)"
is "$(grep -c 'not reachable' "$T_TMP/err")" 1 "no gpsd: logged once"

# --- 3D fix (Hanoi) ---
gps_start "$NMEA/fix3d.nmea"; ok $? "gpsfake 3D up on port $GPS_PORT"
gps_config "$T_TMP/g.ini" "$GPS_PORT"
t0=$(now_s)
"$TRAMDO" -c "$T_TMP/g.ini" gps >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
t1=$(now_s)
is "$rc" 0 "3D: exit 0"
like "$(field gps "$T_TMP/out")" "^3D fix, 9 satellites, accuracy [0-9]+ m$" "3D: mode and satellites"
read -r lat lon <<<"$(position "$T_TMP/out")"
num_ok "abs(${lat:-0} - 21.028511) <= 1e-6 and abs(${lon:-0} - 105.804817) <= 1e-6" "3D: coordinates to 1e-6 deg ($lat, $lon)"
like "$(field position "$T_TMP/out")" "altitude 12.5 m" "3D: altitude above sea level"
like "$(field 'fix time' "$T_TMP/out")" "^2026-11-25T03:04:[0-9]{2}Z" "3D: receiver's fix time"
like "$(field "results *carry" "$T_TMP/out")" "^21.028511, 105.804817 \(source gps\)$" "3D: results carry the fix"
num_ok "$t1 - $t0 < 5" "3D: fix within $(python3 -c "print(round($t1 - $t0, 2))") s"
gps_stop

# --- 2D fix (Ho Chi Minh City) ---
gps_start "$NMEA/fix2d.nmea"; ok $? "gpsfake 2D up"
gps_config "$T_TMP/g.ini" "$GPS_PORT"
"$TRAMDO" -c "$T_TMP/g.ini" gps >"$T_TMP/out" 2>/dev/null; rc=$?
is "$rc" 0 "2D: exit 0"
like "$(field gps "$T_TMP/out")" "^2D fix, 3 satellites" "2D: mode and satellites"
read -r lat lon <<<"$(position "$T_TMP/out")"
num_ok "abs(${lat:-0} - 10.776889) <= 1e-6 and abs(${lon:-0} - 106.700806) <= 1e-6" "2D: coordinates to 1e-6 deg ($lat, $lon)"
is "$(field position "$T_TMP/out" | grep -c altitude)" 0 "2D: no altitude claimed"
gps_stop

# --- no fix: status V / quality 0 ---
gps_start "$NMEA/nofix.nmea"; ok $? "gpsfake no-fix up"
gps_config "$T_TMP/g.ini" "$GPS_PORT"
t0=$(now_s)
"$TRAMDO" -c "$T_TMP/g.ini" gps --wait 2 >"$T_TMP/out" 2>/dev/null; rc=$?
t1=$(now_s)
is "$rc" 1 "no fix: exit 1"
like "$(field gps "$T_TMP/out")" "^no fix: gpsd answers, but the receiver reports no 2D/3D position" "no fix: says why"
like "$(field "results *carry" "$T_TMP/out")" "\(source station\)$" "no fix: station position used"
num_ok "$t1 - $t0 >= 1.9 and $t1 - $t0 < 3" "no fix: waited --wait 2 ($(python3 -c "print(round($t1 - $t0, 2))") s)"
gps_stop

# --- a fix that stops: seen, then stale after max_fix_age_seconds ---
# On a loaded machine gpsfake sometimes delivers no fix at all to the first client (its replay
# starts before the device is hooked up); that is the test bed, not tramdo, so try once more.
watch_stale() {
	gps_config "$T_TMP/g.ini" "$GPS_PORT" 1
	"$TRAMDO" -c "$T_TMP/g.ini" gps --watch --wait 8 >"$T_TMP/out" 2>"$T_TMP/err"
	seq=$(sed -n 's/^+[0-9.]*s  gps *//p' "$T_TMP/out" | cut -d' ' -f1-2 | tr '\n' '|')
}
gps_start "$NMEA/stale.nmea"; ok $? "gpsfake stale up"
watch_stale
if [[ ! $seq =~ "3D fix," ]]; then
	diag "gpsfake gave no fix ($seq); restarting it once"
	gps_stop
	gps_start "$NMEA/stale.nmea"
	watch_stale
fi
like "$seq" "3D fix,\|stale: last" "stale: fix then stale ($seq)"
like "$(grep -A1 '^+.*stale' "$T_TMP/out" | head -1)" "more than max_fix_age_seconds = 1" "stale: names the limit"
like "$(grep -m1 'last fix not used' "$T_TMP/err")" "gps: no report for [0-9]+ s; last fix not used" "stale: logged"
gps_stop

# --- gpsd stopped mid-session and restarted: the client notices, reconnects, gets the fix ---
# first_fix: a watch on a fresh gpsfake until its first complete fix (at most 20 s); returns 1
# when none came (the test bed's first-client problem above), with gpsfake and the watch stopped.
first_fix() {
	gps_start "$NMEA/fix3d.nmea"
	gps_config "$T_TMP/g.ini" "$GPS_PORT"
	"$TRAMDO" -c "$T_TMP/g.ini" gps --watch --wait 60 >"$T_TMP/out" 2>"$T_TMP/err" &
	watch_pid=$!
	T_PIDS+=("$watch_pid")
	for _ in $(seq 200); do grep -q '3D fix, 9' "$T_TMP/out" && return 0; sleep 0.1; done
	kill -TERM "$watch_pid"; wait "$watch_pid"
	gps_stop
	return 1
}
first_fix || { diag "gpsfake gave no fix in 20 s; restarting it once"; first_fix; }
ok $? "gpsfake up for the restart test, first fix seen"
gps_stop
sleep 0.5
gps_start "$NMEA/fix3d.nmea" "$GPS_PORT"; ok $? "gpsfake back on the same port"
for _ in $(seq 200); do [ "$(grep -c '3D fix, 9' "$T_TMP/out")" -ge 2 ] && break; sleep 0.1; done
kill -TERM "$watch_pid"; wait "$watch_pid"; rc=$?
seq=$(sed -n 's/^+[0-9.]*s  gps *//p' "$T_TMP/out" | cut -d' ' -f1-3 | tr '\n' '|')
like "$seq" "3D fix, 9\|gpsd not reachable\|.*3D fix, 9" "restart: fix, gpsd gone, fix again ($seq)"
is "$rc" 0 "restart: SIGTERM ends the watch cleanly, with the fix"
is "$(grep -c 'not reachable' "$T_TMP/err")" 1 "restart: outage logged once"
gps_stop

# --- something that is not gpsd: garbage lines ---
GPORT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
while True:
    c, _ = s.accept()
    try:
        for i in range(40):
            c.sendall(b"\x00\xff garbage {\"class\":\"TPV\",\"lat\":\"x\"\n" + bytes(range(1, 200)))
            time.sleep(0.05)
    except OSError:
        pass
    c.close()
' "$GPORT" & T_PIDS+=($!)
wait_port "$GPORT" 5
gps_config "$T_TMP/g.ini" "$GPORT"
"$TRAMDO" -c "$T_TMP/g.ini" gps --wait 1.5 >"$T_TMP/out" 2>/dev/null; rc=$?
is "$rc" 1 "garbage: exit 1, no crash"
like "$(field "results *carry" "$T_TMP/out")" "\(source station\)$" "garbage: station position used"

# --- switched off, and a host name (refused: connecting to it could block) ---
gps_config "$T_TMP/off.ini" 2947 10 "enabled = no"
"$TRAMDO" -c "$T_TMP/off.ini" gps >"$T_TMP/out" 2>/dev/null; rc=$?
is "$rc" 1 "off: exit 1"
like "$(field gps "$T_TMP/out")" "^off: \[gps\] enabled = false" "off: says so"
sed 's/^host = .*/host = gps.example.org/' "$T_TMP/absent.ini" >"$T_TMP/name.ini"
t0=$(now_s)
"$TRAMDO" -c "$T_TMP/name.ini" gps >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
t1=$(now_s)
like "$rc $(cat "$T_TMP/err")" "^78 .*\[gps\] host: error: 'gps.example.org' is not an IP address" \
    "host name: refused by the configuration check, with a reason"
num_ok "$t1 - $t0 < 1" "host name: no lookup, no wait"

done_testing
