#!/bin/bash
# `tramdo gps` against a real gpsd (gpsfake replaying tests/fixtures/nmea), and without one.
# Every replay has a gpsd of its own, all started at once; the runs that only wait on them go
# side by side. Time bounds add twice what a run with GPS switched off takes here and now.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gps.sh"

plan 39

# field NAME FILE: the value part of `tramdo gps`'s "NAME   value" line.
field() { sed -n "s/^$1 *//p" "$2" | head -1; }
# position FILE: "lat lon" of the position line.
position() { field position "$1" | sed 's/,/ /; s/,.*//'; }
# gps_run NAME CONFIG [ARGS...]: `tramdo gps`, stdout in NAME.out, stderr in NAME.err, "status
# seconds" in NAME.rc; collect NAME sets rc and secs from it.
gps_run() {
	local name=$1 cfg=$2 t0=$EPOCHREALTIME
	shift 2
	"$TRAMDO" -c "$cfg" gps "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
	echo "$? $(python3 -c "print(round($EPOCHREALTIME - $t0, 3))")" >"$T_TMP/$name.rc"
}
collect() { read -r rc secs <"$T_TMP/$1.rc"; }
# use NAME: GPS_PORT and GPS_PID (for gps_ready, gps_stop) of replay NAME; keep NAME: back.
declare -A PORT PID
use() { GPS_PORT=${PORT[$1]} GPS_PID=${PID[$1]}; }
keep() { PORT[$1]=$GPS_PORT PID[$1]=$GPS_PID; }

RUNS=()	# the runs in the background
for r in fix3d fix2d nofix stale; do gps_launch "$NMEA/$r.nmea"; keep "$r"; done
gps_launch "$NMEA/fix3d.nmea"; keep restart

# --- switched off: an answer at once (and the baseline of the time bounds) ---
gps_config "$T_TMP/off.ini" 2947 10 "enabled = no"
gps_run off "$T_TMP/off.ini"; collect off
base=$secs
is "$rc" 1 "off: exit 1"
like "$(field gps "$T_TMP/off.out")" "^off: \[gps\] enabled = false" "off: says so"

# --- gpsd absent: a quick, clean answer and the station's position ---
gps_config "$T_TMP/absent.ini" "$(free_port)"
gps_run absent "$T_TMP/absent.ini"; collect absent
is "$rc" 1 "no gpsd: exit 1"
like "$(field gps "$T_TMP/absent.out")" "gpsd not reachable at 127.0.0.1:[0-9]+ \(Connection refused\)" "no gpsd: says why"
like "$(field "results *carry" "$T_TMP/absent.out")" "^$STATION_LAT, $STATION_LON \(source station\)$" "no gpsd: station position used"
num_ok "$secs < 1.5 + 2 * $base" "no gpsd: answered in $secs s (< 1.5 s + twice $base s)"
is "$(grep -c 'not reachable' "$T_TMP/absent.err")" 1 "no gpsd: logged once"

# --- the replays, each asked once its gpsd reports; the answers are checked further down ---
# (up: gpsd reports the replay's whole 3D fix, altitude included)
use fix3d; GPS_WANT='"altMSL"' gps_ready "$NMEA/fix3d.nmea"; ok $? "gpsfake 3D up on port $GPS_PORT"
keep fix3d
gps_config "$T_TMP/fix3d.ini" "$GPS_PORT"
gps_run fix3d "$T_TMP/fix3d.ini" &
RUNS+=($!)
use fix2d; gps_ready "$NMEA/fix2d.nmea"; ok $? "gpsfake 2D up"; keep fix2d
gps_config "$T_TMP/fix2d.ini" "$GPS_PORT"
gps_run fix2d "$T_TMP/fix2d.ini" &
RUNS+=($!)
use nofix; gps_ready "$NMEA/nofix.nmea"; ok $? "gpsfake no-fix up"; keep nofix
gps_config "$T_TMP/nofix.ini" "$GPS_PORT"
gps_run nofix "$T_TMP/nofix.ini" --wait 2 &
RUNS+=($!)
# A fix that stops: seen, then stale after max_fix_age_seconds (the replay has 3 fixes, then
# 3 s of text, in a loop).
use stale; gps_ready "$NMEA/stale.nmea"; ok $? "gpsfake stale up"; keep stale
gps_config "$T_TMP/stale.ini" "$GPS_PORT" 1
gps_run stale "$T_TMP/stale.ini" --watch --wait 8 &
RUNS+=($!)
# Something that is not gpsd: garbage lines.
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
wait_port "$GPORT" $!
gps_config "$T_TMP/garbage.ini" "$GPORT"
gps_run garbage "$T_TMP/garbage.ini" --wait 1.5 &
RUNS+=($!)

# --- gpsd stopped mid-session and restarted: the client notices, reconnects, gets the fix ---
# (in the foreground meanwhile). fixes3d: how many 3D fixes the watch printed (it prints a fix
# when the state or the mode changes; after a reconnection gpsd may report 2D first).
fixes3d() { grep -c '^+[0-9.]*s  gps *3D fix' "$T_TMP/restart.out"; }
# first_fix: a watch on the restart replay until its first fix (at most 20 s); 1 when none
# came, with the watch stopped.
first_fix() {
	gps_config "$T_TMP/restart.ini" "$GPS_PORT"
	"$TRAMDO" -c "$T_TMP/restart.ini" gps --watch --wait 60 >"$T_TMP/restart.out" 2>"$T_TMP/restart.err" &
	watch_pid=$!
	T_PIDS+=("$watch_pid")
	for _ in $(seq 200); do [ "$(fixes3d)" -ge 1 ] && return 0; sleep 0.1; done
	kill -TERM "$watch_pid"; wait "$watch_pid"
	return 1
}
use restart; gps_ready "$NMEA/fix3d.nmea"
if ! first_fix; then
	diag "gpsfake gave no fix in 20 s; restarting it once"
	gps_stop; gps_start "$NMEA/fix3d.nmea"; first_fix
fi
ok $? "gpsfake up for the restart test, first fix seen"
gps_stop
sleep 0.5
retries=$GPS_RETRIES
gps_start "$NMEA/fix3d.nmea" "$GPS_PORT"; ok $? "gpsfake back on the same port"
# A gpsfake that had to be started again may have been a second outage to the watch.
outages=$((1 + GPS_RETRIES - retries))
wait_until '[ "$(fixes3d)" -ge 2 ]'
kill -TERM "$watch_pid"; wait "$watch_pid"; rc=$?
seq=$(sed -n 's/^+[0-9.]*s  gps *//p' "$T_TMP/restart.out" | cut -d' ' -f1-3 | tr '\n' '|')
like "$seq" "3D fix,.*\|gpsd not reachable\|.*3D fix," "restart: fix, gpsd gone, fix again ($seq)"
positions=$(grep -c '^position' "$T_TMP/restart.out")
is "$(grep -c '^position   21.028511, 105.804817' "$T_TMP/restart.out"):$([ "$positions" -ge 2 ] && echo yes)" \
    "$positions:yes" "restart: every fix printed at the replay's position ($positions)"
is "$rc" 0 "restart: SIGTERM ends the watch cleanly, with the fix"
n=$(grep -c 'not reachable' "$T_TMP/restart.err")
num_ok "1 <= $n <= $outages" "restart: each outage logged once ($n logged, $outages outage(s) at most)"
gps_stop

# --- 3D fix (Hanoi) ---
wait "${RUNS[@]}"
collect fix3d
out=$T_TMP/fix3d.out
is "$rc" 0 "3D: exit 0"
like "$(field gps "$out")" "^3D fix, 9 satellites, accuracy [0-9]+ m$" "3D: mode and satellites"
read -r lat lon <<<"$(position "$out")"
num_ok "abs(${lat:-0} - 21.028511) <= 1e-6 and abs(${lon:-0} - 105.804817) <= 1e-6" "3D: coordinates to 1e-6 deg ($lat, $lon)"
like "$(field position "$out")" "altitude 12.5 m" "3D: altitude above sea level" ||
    sed 's/^/#   /' "$out" "$T_TMP/fix3d.err"
like "$(field 'fix time' "$out")" "^2026-11-25T03:04:[0-9]{2}Z" "3D: receiver's fix time"
like "$(field "results *carry" "$out")" "^21.028511, 105.804817 \(source gps\)$" "3D: results carry the fix"
num_ok "$secs < 5 + 2 * $base" "3D: fix within $secs s (< 5 s, the default --wait, + twice $base s)"

# --- 2D fix (Ho Chi Minh City) ---
collect fix2d
out=$T_TMP/fix2d.out
is "$rc" 0 "2D: exit 0"
like "$(field gps "$out")" "^2D fix, 3 satellites" "2D: mode and satellites"
read -r lat lon <<<"$(position "$out")"
num_ok "abs(${lat:-0} - 10.776889) <= 1e-6 and abs(${lon:-0} - 106.700806) <= 1e-6" "2D: coordinates to 1e-6 deg ($lat, $lon)"
is "$(field position "$out" | grep -c altitude)" 0 "2D: no altitude claimed"

# --- no fix: status V / quality 0 ---
collect nofix
out=$T_TMP/nofix.out
is "$rc" 1 "no fix: exit 1"
like "$(field gps "$out")" "^no fix: gpsd answers, but the receiver reports no 2D/3D position" "no fix: says why"
like "$(field "results *carry" "$out")" "\(source station\)$" "no fix: station position used"
num_ok "$secs >= 1.9 and $secs < 3 + 2 * $base" "no fix: waited --wait 2 ($secs s)"

# --- the fix that stops ---
# On a loaded machine gpsfake sometimes delivers no fix at all to the first client (its replay
# starts before the device is hooked up); that is the test bed, not tramdo, so try once more.
stale_seq() { sed -n 's/^+[0-9.]*s  gps *//p' "$T_TMP/stale.out" | cut -d' ' -f1-2 | tr '\n' '|'; }
seq=$(stale_seq)
if [[ ! $seq =~ "3D fix," ]]; then
	diag "gpsfake gave no fix ($seq); restarting it once"
	use stale; gps_stop; gps_start "$NMEA/stale.nmea"; keep stale
	gps_config "$T_TMP/stale.ini" "$GPS_PORT" 1
	gps_run stale "$T_TMP/stale.ini" --watch --wait 8
	seq=$(stale_seq)
fi
like "$seq" "3D fix,\|stale: last" "stale: fix then stale ($seq)"
like "$(grep -A1 '^+.*stale' "$T_TMP/stale.out" | head -1)" "more than max_fix_age_seconds = 1" "stale: names the limit"
like "$(grep -m1 'last fix not used' "$T_TMP/stale.err")" "gps: no report for [0-9]+ s; last fix not used" "stale: logged"

# --- garbage lines ---
collect garbage
is "$rc" 1 "garbage: exit 1, no crash"
like "$(field "results *carry" "$T_TMP/garbage.out")" "\(source station\)$" "garbage: station position used"

# --- a host name (refused: connecting to it could block) ---
sed 's/^host = .*/host = gps.example.org/' "$T_TMP/absent.ini" >"$T_TMP/name.ini"
gps_run name "$T_TMP/name.ini"; collect name
like "$rc $(cat "$T_TMP/name.err")" "^78 .*\[gps\] host: error: 'gps.example.org' is not an IP address" \
    "host name: refused by the configuration check, with a reason"
num_ok "$secs < 1 + 2 * $base" "host name: no lookup, no wait ($secs s)"

done_testing
