# gps.sh — gpsd via gpsfake for the GPS tests (sourced after lib.sh; bash).
NMEA=$SRCDIR/tests/fixtures/nmea
command -v gpsfake >/dev/null 2>&1 || skip_all "gpsfake not installed (Debian gpsd-clients)"

# gps_reporting PORT: a client of gpsd on PORT gets a TPV report (one that holds the text
# $GPS_WANT too, when set) within T_WAIT_SECONDS (20 s was too short at load 13: gpsfake, a
# Python program, gave two starts no report). On a loaded machine gpsfake sometimes gives its first
# client nothing for many seconds (the replay starts before gpsd has the device), and gpsd's
# first reports of a replay can be partial (seen: a 3D TPV without altMSL, before gpsd had
# learnt the replay's cycle); the tests are about tramdo, so they start once gpsd reports.
gps_reporting() {
	python3 - "$1" "${GPS_WANT:-}" "$T_WAIT_SECONDS" <<'PY'
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[3])
want = sys.argv[2].encode()
while time.monotonic() < deadline:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    except OSError:
        time.sleep(0.2)
        continue
    s.sendall(b'?WATCH={"enable":true,"json":true};\n')
    s.settimeout(1)
    seen = b""
    while time.monotonic() < deadline:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if not data:
            break
        seen = (seen + data)[-8192:]
        if any(b'"class":"TPV"' in line and want in line for line in seen.split(b"\n")[:-1]):
            sys.exit(0)
    s.close()
sys.exit(1)
PY
}

# gps_launch LOG [PORT]: gpsd replaying LOG in a loop on PORT (default: a free loopback port),
# not waited for (several can start side by side); sets GPS_PORT, GPS_PID.
# Never gpsfake -1: it then ignores SIGTERM and never exits (testbed.md).
gps_launch() {
	GPS_PORT=${2:-$(free_port)}
	gpsfake -P "$GPS_PORT" -c 0.1 -q "$1" >"$T_TMP/gpsfake.$GPS_PORT.log" 2>&1 &
	GPS_PID=$!
	T_PIDS+=("$GPS_PID")
}

# GPS_RETRIES counts the gpsfake starts gps_ready gave up on (each one an outage to a client).
GPS_RETRIES=0
# gps_ready LOG [PORT]: until the gpsfake of GPS_PORT/GPS_PID (from gps_launch LOG [PORT])
# listens and reports (gps_reporting), starting it a second time if it does not (on a new port
# when none was asked for: another program may have taken the first).
gps_ready() {
	local try
	for try in 1 2; do
		wait_port "$GPS_PORT" "$GPS_PID" && gps_reporting "$GPS_PORT" && return 0
		diag "gpsfake on port $GPS_PORT gave no report (try $try)"
		GPS_RETRIES=$((GPS_RETRIES + 1))
		gps_stop
		[ "$try" = 2 ] || gps_launch "$1" "${2:-}"	# a new port unless one was asked for
	done
	return 1
}

# gps_start LOG [PORT]: gps_launch, then gps_ready.
gps_start() { gps_launch "$@"; gps_ready "$@"; }

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
