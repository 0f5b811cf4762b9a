#!/bin/bash
# `tramdo run --json` says where it measured: gpsd's fix, else the station's position, else none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gps.sh"

plan 27

command -v nginx >/dev/null || skip_all "nginx not installed"

# First no speed-test server listens: each run fails fast the same way, so only the GPS
# differs between runs (the location is part of a failed result too). Real tests follow.
CLOSED="http://127.0.0.1:$(free_port)/"

# run_json CONFIG OUT [SERVER]: one `tramdo run --json` (default: against CLOSED); its wall
# seconds in OUT.s. Runs that wait go side by side (run_json ... &).
run_json() {
	local t0=$EPOCHREALTIME
	"$TRAMDO" -c "$1" run --server "${3:-$CLOSED}" --json >"$2" 2>"$2.err"
	python3 -c "print(round($EPOCHREALTIME - $t0, 3))" >"$2.s"
}
secs() { cat "$1.s"; }
loc() { jget "$1" "d['location'].get('$2')"; }

# The gpsd's of the runs with a fix and without one start side by side.
gps_launch "$NMEA/fix3d.nmea"; FIX_PORT=$GPS_PORT FIX_PID=$GPS_PID
gps_launch "$NMEA/nofix.nmea"; NOFIX_PORT=$GPS_PORT NOFIX_PID=$GPS_PID

# --- GPS switched off: the baseline duration, and the station's position ---
gps_config "$T_TMP/off.ini" 2947 10 "enabled = no"
run_json "$T_TMP/off.ini" "$T_TMP/off.json"
off_s=$(secs "$T_TMP/off.json")
is "$(loc "$T_TMP/off.json" source)" station "off: source station"
num_ok "abs($(loc "$T_TMP/off.json" lat) - $STATION_LAT) <= 1e-6 and abs($(loc "$T_TMP/off.json" lon) - $STATION_LON) <= 1e-6" \
    "off: station coordinates"

# --- gpsd absent: the same answer, and no delay (a wait for gpsd would take seconds; the run
# may take twice the time of the one without GPS, as a busy machine's noise) ---
gps_config "$T_TMP/absent.ini" "$(free_port)"
run_json "$T_TMP/absent.ini" "$T_TMP/absent.json"
is "$(loc "$T_TMP/absent.json" source)" station "absent: source station"
num_ok "abs($(loc "$T_TMP/absent.json" lat) - $STATION_LAT) <= 1e-6 and abs($(loc "$T_TMP/absent.json" lon) - $STATION_LON) <= 1e-6" \
    "absent: station coordinates"
is "$(loc "$T_TMP/absent.json" accuracy_m)" None "absent: no accuracy claimed"
is "$(loc "$T_TMP/absent.json" fix_time)" None "absent: no fix time"
num_ok "$(secs "$T_TMP/absent.json") < 2 * $off_s + 1.0" \
    "absent: run took $(secs "$T_TMP/absent.json") s vs $off_s s without GPS (< 1 s + twice that)"
is "$(grep -c 'not reachable' "$T_TMP/absent.json.err")" 1 "absent: logged once"

# --- 3D fix and no fix, side by side ---
GPS_PORT=$FIX_PORT GPS_PID=$FIX_PID; gps_ready "$NMEA/fix3d.nmea"; ok $? "gpsfake 3D up"
FIX_PORT=$GPS_PORT FIX_PID=$GPS_PID
gps_config "$T_TMP/fix.ini" "$FIX_PORT"
run_json "$T_TMP/fix.ini" "$T_TMP/fix.json" &
fix_run=$!
GPS_PORT=$NOFIX_PORT GPS_PID=$NOFIX_PID; gps_ready "$NMEA/nofix.nmea"; nofix_up=$?
NOFIX_PORT=$GPS_PORT NOFIX_PID=$GPS_PID
gps_config "$T_TMP/nofix.ini" "$NOFIX_PORT"
run_json "$T_TMP/nofix.ini" "$T_TMP/nofix.json" &
nofix_run=$!

# --- 3D fix: the fix's coordinates, source gps ---
wait "$fix_run"
is "$(loc "$T_TMP/fix.json" source)" gps "3D: source gps"
num_ok "abs($(loc "$T_TMP/fix.json" lat) - 21.028511) <= 1e-6 and abs($(loc "$T_TMP/fix.json" lon) - 105.804817) <= 1e-6" \
    "3D: coordinates to 1e-6 deg"
like "$(loc "$T_TMP/fix.json" fix_time)" "^2026-11-25T03:04:[0-9]{2}Z$" "3D: fix time from the receiver"
num_ok "$(secs "$T_TMP/fix.json") < 2 * $off_s + 2.5" "3D: run took $(secs "$T_TMP/fix.json") s"

# --- no fix: the station's coordinates ---
ok "$nofix_up" "gpsfake no-fix up"
wait "$nofix_run"
is "$(loc "$T_TMP/nofix.json" source)" station "no fix: source station"
num_ok "abs($(loc "$T_TMP/nofix.json" lat) - $STATION_LAT) <= 1e-6 and abs($(loc "$T_TMP/nofix.json" lon) - $STATION_LON) <= 1e-6" \
    "no fix: station coordinates"
num_ok "$(secs "$T_TMP/nofix.json") < 2 * $off_s + 2.5" \
    "no fix: run took $(secs "$T_TMP/nofix.json") s (a fix awaited at most 2 s)"
GPS_PID=$NOFIX_PID; gps_stop

# --- real tests against a loopback nginx, side by side: the result carries the fix, and an
# absent gpsd adds nothing to the run beyond the measurement itself (wall time minus
# duration_s; compared with a run without GPS beside it) ---
NGINX_PORT=$(free_port)
start_nginx "$NGINX_PORT"; ok $? "nginx up"
SERVER="http://127.0.0.1:$NGINX_PORT/"
short_tests() {
	cat >>"$1" <<INI
[test]
max_seconds = 2
ping_count = 10
[storage]
path = $T_TMP/results.db
INI
}
overhead() { python3 -c "print(round($(secs "$1") - $(jget "$1" 'd["duration_s"]'), 3))"; }

gps_reporting "$FIX_PORT"; ok $? "gpsfake 3D (the one above) still reports, for a real test"
gps_config "$T_TMP/real-fix.ini" "$FIX_PORT"; short_tests "$T_TMP/real-fix.ini"
gps_config "$T_TMP/real-off.ini" 2947 10 "enabled = no"; short_tests "$T_TMP/real-off.ini"
gps_config "$T_TMP/real-absent.ini" "$(free_port)"; short_tests "$T_TMP/real-absent.ini"
runs=()
for r in real-fix real-off real-absent; do
	run_json "$T_TMP/$r.ini" "$T_TMP/$r.json" "$SERVER" &
	runs+=($!)
done
wait "${runs[@]}"
num_ok "$(jget "$T_TMP/real-fix.json" 'd["download_mbps"]') > 0" "real test: measured a download"
is "$(loc "$T_TMP/real-fix.json" source)" gps "real test with a fix: source gps"
num_ok "abs($(loc "$T_TMP/real-fix.json" lat) - 21.028511) <= 1e-6 and abs($(loc "$T_TMP/real-fix.json" lon) - 105.804817) <= 1e-6" \
    "real test with a fix: coordinates to 1e-6 deg"
is "$(loc "$T_TMP/real-fix.json" satellites)" 9 "real test with a fix: satellites used"
GPS_PID=$FIX_PID; gps_stop

off_over=$(overhead "$T_TMP/real-off.json")
absent_over=$(overhead "$T_TMP/real-absent.json")
is "$(loc "$T_TMP/real-absent.json" source)" station "real test, gpsd absent: source station"
num_ok "$absent_over < 2 * $off_over + 1.0" \
    "real test, gpsd absent: $absent_over s beyond the measurement vs $off_over s without GPS (< 1 s + twice that)"

# --- neither GPS nor a configured position ---
grep -v '^l[ao][tn][a-z]* = ' "$T_TMP/absent.ini" >"$T_TMP/nopos.ini"
run_json "$T_TMP/nopos.ini" "$T_TMP/nopos.json"
is "$(loc "$T_TMP/nopos.json" source)" none "no position: source none"
is "$(loc "$T_TMP/nopos.json" lat)" None "no position: no coordinates"

done_testing
