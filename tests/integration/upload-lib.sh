# upload-lib.sh — helpers shared by the store/upload tests (60–62, 79); sourced after lib.sh.

TOKEN=tok-$RANDOM$RANDOM

# start_collector PORT: the stand-in collector (tests/mock_collector.py) on 127.0.0.1:PORT.
start_collector() {
	python3 "$SRCDIR/tests/mock_collector.py" --port "$1" --token "$TOKEN" &
	COLLECTOR_PID=$!
	T_PIDS+=("$COLLECTOR_PID")
	wait_port "$1" "$COLLECTOR_PID"
}

stop_collector() {
	kill -TERM "$COLLECTOR_PID" 2>/dev/null
	wait "$COLLECTOR_PID" 2>/dev/null
}

# collector PORT PYEXPR: a value from the collector's /_stats, e.g. collector 8000 'd["json"]["accepted"]'
collector() {
	curl -sf "http://127.0.0.1:$1/_stats" > "$T_TMP/stats.json" && jget "$T_TMP/stats.json" "$2"
}

# write_config FILE UPLOAD_LINES: a station config with [upload] lines and a store in T_TMP.
write_config() {
	printf '%s\n' "$TOKEN" > "$T_TMP/token"
	chmod 600 "$T_TMP/token"
	cat > "$1" <<INI
[station]
id = TH-TS-01
name = Nhà văn hoá xã Tân Sơn
province = Thanh Hoá
commune_code = 15553
isp = VNPT Thanh Hoá
access = FTTH
latitude = 19.8067
longitude = 105.7852

[test]
max_seconds = 2
download_streams = 1
upload_streams = 1
ping_count = 10

[gps]
enabled = no

[upload]
enabled = yes
retry_max_seconds = 60
timeout_seconds = 5
$2

[storage]
path = ${DB:-$T_TMP/results.db}
INI
}

# kiosk_config FILE WEB_PORT COLLECTOR_PORT [KIOSK-LINES...]: write_config for a kiosk that
# measures the loopback nginx on WEB_PORT and uploads JSON to the mock collector on
# COLLECTOR_PORT; results stay 30 s, no cooldown, KIOSK-LINES added to [kiosk].
kiosk_config() {
	local f=$1 web=$2 collector=$3
	shift 3
	write_config "$f" "format = json
url = http://127.0.0.1:$collector/api/results
token_file = $T_TMP/token"
	{
		printf '[kiosk]\nresult_seconds = 30\nresult_min_seconds = 0\ncooldown_seconds = 0\n'
		[ $# -gt 0 ] && printf '%s\n' "$@"
		printf '[server lan]\nurl = http://127.0.0.1:%s/\n' "$web"
	} >> "$f"
	sed -i 's/^\[test\]$/[test]\nserver = lan/' "$f"
}

# SERVER_URL: a loopback speed-test server when the tree has one (real measurements), else a
# port nobody listens on (each `tramdo run` is then a real, quickly failed test: still a result).
choose_server() {
	local port
	port=$(free_port)
	if declare -F start_nginx > /dev/null && [ -f "$SRCDIR/config/nginx-speedtest.conf" ] &&
	    [ "${1:-real}" = real ] && NGINX_GARBAGE_MB=8 start_nginx "$port"; then
		SERVER_URL="http://127.0.0.1:$port/"
		diag "measuring against nginx on $port"
	else
		SERVER_URL="http://127.0.0.1:$port/"
		diag "measuring against a closed port (failed tests are results too)"
	fi
}

# need_config_loader: the tests below need tramdo to read an INI file. The config loader is this
# project's own: when check-config rejects a valid file, that is a failure (never a skip), told
# once with tramdo's reasons instead of every test failing for the wrong one.
need_config_loader() {
	write_config "$T_TMP/probe.ini" "format = json
url = http://127.0.0.1:9/api/results"
	if ! "$TRAMDO" -c "$T_TMP/probe.ini" check-config > "$T_TMP/probe.out" 2>&1; then
		echo "1..1"
		echo "not ok 1 - tramdo check-config accepts a valid station file (upload-lib.sh write_config)"
		sed 's/^/# /' "$T_TMP/probe.out"
		exit 1
	fi
}

# start_influxdb: a real InfluxDB 1.6 (Debian's influxd) in the foreground on loopback, its
# directories under $T_TMP/influx, with database tramdo; sets IPORT (HTTP API). 1 when it did
# not start (its log is shown).
start_influxdb() {
	local idir=$T_TMP/influx rport pid
	mkdir -p "$idir"
	IPORT=$(free_port) rport=$(free_port)
	cat > "$idir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rport"
[meta]
  dir = "$idir/meta"
[data]
  dir = "$idir/data"
  wal-dir = "$idir/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$IPORT"
  log-enabled = false
[monitor]
  store-enabled = false
CONF
	influxd run -config "$idir/influxdb.conf" > "$idir/influxd.log" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	if ! wait_port "$IPORT" "$pid" || ! wait_until 'curl -sf "http://127.0.0.1:$IPORT/ping"'; then
		sed 's/^/# /' "$idir/influxd.log"
		return 1
	fi
	curl -sf -XPOST "http://127.0.0.1:$IPORT/query" --data-urlencode 'q=CREATE DATABASE tramdo' > /dev/null
}
