# gps.sh — gpsd via gpsfake for the GPS tests (sourced after lib.sh; bash).
NMEA=$SRCDIR/tests/fixtures/nmea
command -v gpsfake >/dev/null 2>&1 || skip_all "gpsfake not installed (Debian gpsd-clients)"

# gps_start LOG [PORT]: gpsd replaying LOG in a loop on PORT (default: a free loopback port);
# sets GPS_PORT, GPS_PID. Never gpsfake -1: it then ignores SIGTERM and never exits (testbed.md).
gps_start() {
	GPS_PORT=${2:-$(free_port)}
	gpsfake -P "$GPS_PORT" -c 0.1 -q "$1" >"$T_TMP/gpsfake.$GPS_PORT.log" 2>&1 &
	GPS_PID=$!
	T_PIDS+=("$GPS_PID")
	wait_port "$GPS_PORT" 10
}

# gps_stop: gpsfake by PID, TERM then KILL; its gpsd child is stopped by PID as well.
gps_stop() {
	local kids p
	kids=$(pgrep -P "$GPS_PID" 2>/dev/null)
	kill -TERM "$GPS_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$GPS_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$GPS_PID" 2>/dev/null
	wait "$GPS_PID" 2>/dev/null
	for p in $kids; do kill -TERM "$p" 2>/dev/null; done
	for p in $kids; do
		for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	return 0
}

# gps_config FILE PORT [MAX_AGE] [EXTRA_GPS_LINES]: a config with a station position.
STATION_LAT=19.806692
STATION_LON=105.785182
gps_config() {
	cat >"$1" <<INI
[station]
id = TEST-GPS
name = Nhà văn hoá thử nghiệm
province = Thanh Hoá
commune_code = 14824
latitude = $STATION_LAT
longitude = $STATION_LON

[gps]
host = 127.0.0.1
port = $2
max_fix_age_seconds = ${3:-10}
${4:-}
INI
}

# now_s: wall-clock seconds with a fraction, for durations.
now_s() { date +%s.%N; }
