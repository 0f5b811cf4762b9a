#!/bin/bash
# demo.sh — the kiosk on an embedded demo, in this terminal (the README's first command: make demo).
#
# Starts, on loopback ports nobody uses, nginx as a speed-test server (config/nginx-speedtest.conf)
# and gpsfake replaying a walk around Hoàn Kiếm lake; writes a demo INI; runs the kiosk. Everything
# lives in a temporary directory, and everything it started is stopped by PID when it ends.
#
#   scripts/demo.sh            the kiosk, full screen
#   scripts/demo.sh --check    no screen: check-config, gps and one test (tramdo run --json)
#                              against the same set-up, for tests and for a quick look
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
TRAMDO=${TRAMDO:-$SRC/tramdo}
MODE=${1:-kiosk}
PIDS=()

say() { printf 'demo: %s\n' "$*" >&2; }

# stop PID...: TERM, a grace period, then KILL; gpsfake's gpsd child goes the same way.
stop() {
	local p kids=()
	for p in "$@"; do
		mapfile -t -O "${#kids[@]}" kids < <(pgrep -P "$p" 2>/dev/null)
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@" "${kids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${kids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
}

cleanup() {
	trap - EXIT INT TERM HUP
	[ ${#PIDS[@]} -gt 0 ] && stop "${PIDS[@]}"
	[ -n "${DIR:-}" ] && rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
	for _ in $(seq 200); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

[ -x "$TRAMDO" ] || { say "no $TRAMDO: run 'make demo' (it builds first)"; exit 1; }
command -v nginx >/dev/null || { say "nginx is missing: run 'make deps'"; exit 1; }
[ -f "$SRC/config/nginx-speedtest.conf" ] || { say "config/nginx-speedtest.conf is missing"; exit 1; }

DIR=$(mktemp -d /tmp/tramdo-demo.XXXXXX)
chmod 755 "$DIR"	# nginx workers run as nobody when started by root
say "files in $DIR"
mkdir -p "$DIR/www"
head -c 64M /dev/urandom >"$DIR/www/garbage.bin"
chmod 644 "$DIR/www/garbage.bin"

# --- the speed-test server
HTTP_PORT=$(free_port)
sed -e "s|^\([[:space:]]*\)listen .*|\1listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|^\([[:space:]]*\)root .*|\1root $DIR/www;|" \
    "$SRC/config/nginx-speedtest.conf" >"$DIR/speedtest.conf"
cat >"$DIR/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log;
events { worker_connections 256; }
http {
	client_body_temp_path $DIR/client_body;
	proxy_temp_path $DIR/proxy;
	fastcgi_temp_path $DIR/fastcgi;
	uwsgi_temp_path $DIR/uwsgi;
	scgi_temp_path $DIR/scgi;
	include $DIR/speedtest.conf;
}
EOF
nginx -c "$DIR/nginx.conf" -p "$DIR" -e "$DIR/nginx-error.log" &
PIDS+=($!)
wait_port "$HTTP_PORT" || { say "nginx did not start:"; cat "$DIR/nginx-error.log" >&2; exit 1; }
say "speed-test server: http://127.0.0.1:$HTTP_PORT/"

# --- the GPS: a walk around the lake, one fix a second (3 sentences every 0.33 s)
GPS_PORT=$(free_port)
GPS_ENABLED=no
if command -v gpsfake >/dev/null; then
	python3 "$SRC/scripts/demo_route.py" "$DIR/route.nmea"
	gpsfake -P "$GPS_PORT" -c 0.33 -q "$DIR/route.nmea" >"$DIR/gpsfake.log" 2>&1 &
	PIDS+=($!)
	if wait_port "$GPS_PORT"; then
		GPS_ENABLED=yes
		say "gpsd (gpsfake): 127.0.0.1:$GPS_PORT"
	else
		say "gpsfake did not start; the demo uses the station's position"
	fi
else
	say "gpsfake is missing (make deps); the demo uses the station's position"
fi

# --- the configuration
cat >"$DIR/demo.ini" <<EOF
; The demo station (scripts/demo.sh). Every key: man tramdo.ini (man/tramdo.ini.5).
[station]
id        = DEMO-01
name      = Trạm đo trình diễn
province  = Hà Nội
district  = Hoàn Kiếm
commune   = Hàng Trống
isp       = Loopback
access    = demo
latitude  = 21.0287
longitude = 105.8524

[kiosk]
language       = vi
result_seconds = 30
staff_pin      = 1234

[test]
server      = demo
max_seconds = 5

[server demo]
url    = http://127.0.0.1:$HTTP_PORT/
layout = go

[gps]
enabled = $GPS_ENABLED
host    = 127.0.0.1
port    = $GPS_PORT

[upload]
enabled = no

[storage]
path = $DIR/results.db

[metrics]
; The fleet-health file stays in the demo's directory, not node_exporter's.
textfile = $DIR/tramdo.prom
EOF

# Vietnamese needs a UTF-8 locale; numbers stay "C" inside tramdo whatever the locale.
if [ "$(locale charmap 2>/dev/null)" != UTF-8 ]; then
	unset LC_ALL LC_CTYPE
	export LANG=C.UTF-8
fi
ROOT=()
[ "$(id -u)" -eq 0 ] && ROOT=(--allow-root)

if [ "$MODE" = --check ]; then
	"$TRAMDO" -c "$DIR/demo.ini" check-config >&2 || exit 78
	# gps waits for a fix itself (up to 5 s)
	[ $GPS_ENABLED = yes ] && "$TRAMDO" -c "$DIR/demo.ini" gps >&2
	"$TRAMDO" -c "$DIR/demo.ini" "${ROOT[@]}" run --json
	exit
fi

say "the kiosk: press any key to measure. To leave: Ctrl-T three times, PIN 1234, then X"
say "(or from another terminal: kill \$(cat $DIR/tramdo.pid))"
sleep 2
# The kiosk ignores Ctrl-C, Ctrl-\ and Ctrl-Z; so does this script while the kiosk runs.
trap '' INT QUIT TSTP
# A shell that writes its PID and becomes the kiosk, so the PID can be told before it starts.
bash -c 'echo $$ >"$1/tramdo.pid"; shift; exec "$@"' sh "$DIR" \
    "$TRAMDO" -c "$DIR/demo.ini" --log "$DIR/tramdo.log" "${ROOT[@]}"
rc=$?
if [ $rc -ne 0 ]; then
	say "the kiosk exited with status $rc; its log:"
	tail -n 20 "$DIR/tramdo.log" >&2 2>/dev/null
fi
exit $rc
