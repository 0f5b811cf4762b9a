#!/bin/bash
# `tramdo run --json` says where it measured: gpsd's fix, else the station's position, else none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gps.sh"

plan 27

command -v nginx >/dev/null || skip_all "nginx not installed"

# First no speed-test server listens: each run fails fast the same way, so only the GPS
# differs between runs (the location is part of a failed result too). Real tests follow.
SERVER="http://127.0.0.1:$(free_port)/"

# run_json CONFIG OUT: one `tramdo run --json`; sets RUN_S to its duration in seconds.
run_json() {
	local t0 t1
	t0=$(now_s)
	"$TRAMDO" -c "$1" run --server "$SERVER" --json >"$2" 2>"$2.err"
	t1=$(now_s)
	RUN_S=$(python3 -c "print(round($t1 - $t0, 3))")
}
loc() { jget "$1" "d['location'].get('$2')"; }

# --- GPS switched off: the baseline duration, and the station's position ---
gps_config "$T_TMP/off.ini" 2947 10 "enabled = no"
run_json "$T_TMP/off.ini" "$T_TMP/off.json"
off_s=$RUN_S
is "$(loc "$T_TMP/off.json" source)" station "off: source station"
num_ok "abs($(loc "$T_TMP/off.json" lat) - $STATION_LAT) <= 1e-6 and abs($(loc "$T_TMP/off.json" lon) - $STATION_LON) <= 1e-6" \
    "off: station coordinates"

# --- gpsd absent: the same answer, and no delay ---
gps_config "$T_TMP/absent.ini" "$(free_port)"
run_json "$T_TMP/absent.ini" "$T_TMP/absent.json"
is "$(loc "$T_TMP/absent.json" source)" station "absent: source station"
num_ok "abs($(loc "$T_TMP/absent.json" lat) - $STATION_LAT) <= 1e-6 and abs($(loc "$T_TMP/absent.json" lon) - $STATION_LON) <= 1e-6" \
    "absent: station coordinates"
is "$(loc "$T_TMP/absent.json" accuracy_m)" None "absent: no accuracy claimed"
is "$(loc "$T_TMP/absent.json" fix_time)" None "absent: no fix time"
num_ok "$RUN_S - $off_s < 1.0" "absent: run took $RUN_S s vs $off_s s without GPS (< 1 s longer)"
is "$(grep -c 'not reachable' "$T_TMP/absent.json.err")" 1 "absent: logged once"

# --- 3D fix: the fix's coordinates, source gps ---
gps_start "$NMEA/fix3d.nmea"; ok $? "gpsfake 3D up"
gps_config "$T_TMP/fix.ini" "$GPS_PORT"
run_json "$T_TMP/fix.ini" "$T_TMP/fix.json"
is "$(loc "$T_TMP/fix.json" source)" gps "3D: source gps"
num_ok "abs($(loc "$T_TMP/fix.json" lat) - 21.028511) <= 1e-6 and abs($(loc "$T_TMP/fix.json" lon) - 105.804817) <= 1e-6" \
    "3D: coordinates to 1e-6 deg"
like "$(loc "$T_TMP/fix.json" fix_time)" "^2026-11-25T03:04:[0-9]{2}Z$" "3D: fix time from the receiver"
num_ok "$RUN_S < $off_s + 2.5" "3D: run took $RUN_S s"
gps_stop

# --- no fix: the station's coordinates ---
gps_start "$NMEA/nofix.nmea"; ok $? "gpsfake no-fix up"
gps_config "$T_TMP/nofix.ini" "$GPS_PORT"
run_json "$T_TMP/nofix.ini" "$T_TMP/nofix.json"
is "$(loc "$T_TMP/nofix.json" source)" station "no fix: source station"
num_ok "abs($(loc "$T_TMP/nofix.json" lat) - $STATION_LAT) <= 1e-6 and abs($(loc "$T_TMP/nofix.json" lon) - $STATION_LON) <= 1e-6" \
    "no fix: station coordinates"
num_ok "$RUN_S < $off_s + 2.5" "no fix: run took $RUN_S s (a fix awaited at most 2 s)"

gps_stop

# --- real tests against a loopback nginx: the result carries the fix, and an absent gpsd
# adds nothing to the run beyond the measurement itself (wall time minus duration_s) ---
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
overhead() { python3 -c "print(round($RUN_S - $(jget "$1" 'd["duration_s"]'), 3))"; }

gps_start "$NMEA/fix3d.nmea"; ok $? "gpsfake 3D up for a real test"
gps_config "$T_TMP/real-fix.ini" "$GPS_PORT"; short_tests "$T_TMP/real-fix.ini"
run_json "$T_TMP/real-fix.ini" "$T_TMP/real-fix.json"
num_ok "$(jget "$T_TMP/real-fix.json" 'd["download_mbps"]') > 0" "real test: measured a download"
is "$(loc "$T_TMP/real-fix.json" source)" gps "real test with a fix: source gps"
num_ok "abs($(loc "$T_TMP/real-fix.json" lat) - 21.028511) <= 1e-6 and abs($(loc "$T_TMP/real-fix.json" lon) - 105.804817) <= 1e-6" \
    "real test with a fix: coordinates to 1e-6 deg"
is "$(loc "$T_TMP/real-fix.json" satellites)" 9 "real test with a fix: satellites used"
gps_stop

gps_config "$T_TMP/real-off.ini" 2947 10 "enabled = no"; short_tests "$T_TMP/real-off.ini"
run_json "$T_TMP/real-off.ini" "$T_TMP/real-off.json"
off_over=$(overhead "$T_TMP/real-off.json")
gps_config "$T_TMP/real-absent.ini" "$(free_port)"; short_tests "$T_TMP/real-absent.ini"
run_json "$T_TMP/real-absent.ini" "$T_TMP/real-absent.json"
absent_over=$(overhead "$T_TMP/real-absent.json")
is "$(loc "$T_TMP/real-absent.json" source)" station "real test, gpsd absent: source station"
num_ok "$absent_over - $off_over < 1.0" \
    "real test, gpsd absent: $absent_over s beyond the measurement vs $off_over s without GPS (< 1 s more)"

# --- neither GPS nor a configured position ---
grep -v '^l[ao][tn][a-z]* = ' "$T_TMP/absent.ini" >"$T_TMP/nopos.ini"
run_json "$T_TMP/nopos.ini" "$T_TMP/nopos.json"
is "$(loc "$T_TMP/nopos.json" source)" none "no position: source none"
is "$(loc "$T_TMP/nopos.json" lat)" None "no position: no coordinates"

done_testing
