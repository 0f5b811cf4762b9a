# lib.sh — shared helpers for the TAP integration tests (sourced, bash).
# Every test starts what it needs on loopback, on free ports, and stops it by PID on exit.

set -u
TRAMDO=${TRAMDO:-$PWD/tramdo}
SRCDIR=${TRAMDO_SRCDIR:-$PWD}
T_TMP=$(mktemp -d /tmp/tramdo-test.XXXXXX)
chmod 755 "$T_TMP"
# The helpers run python3 hundreds of times per file and need only its standard library. Debian's
# interpreter starts in ~25 ms; a version manager's shim found first in PATH (pyenv) took ~140 ms
# a call here, a third of some files' time. Debian's goes first in PATH when it is there (a
# program, not a shell function: `python3 server.py &` must leave the server's PID in $!).
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	mkdir "$T_TMP/bin" && ln -s /usr/bin/python3 "$T_TMP/bin/python3" && PATH=$T_TMP/bin:$PATH
fi
T_PIDS=()
# tramdo refuses to run as root without --allow-root. Tests may run as root: $TRAMDO is then a
# wrapper that adds it. $TRAMDO_BIN is always the binary itself (valgrind, the refusal test).
TRAMDO_BIN=$TRAMDO
if [ "$(id -u)" -eq 0 ]; then
	TRAMDO=$T_TMP/tramdo
	printf '#!/bin/sh\nexec "%s" --allow-root "$@"\n' "$TRAMDO_BIN" >"$TRAMDO"
	chmod 755 "$TRAMDO"
fi
# nobody_tramdo: the path of a copy of the binary that user nobody can run: the source tree may
# sit in a directory only root can enter (mktemp -d makes them 0700).
nobody_tramdo() {
	[ -x "$T_TMP/tramdo-nobody" ] || install -m 755 "$TRAMDO_BIN" "$T_TMP/tramdo-nobody"
	echo "$T_TMP/tramdo-nobody"
}
_t_n=0
_t_failed=0
# The bound on every wait for what a program will do (a port, a log line, a stored row). Such a
# thing comes when the machine gets to it, many times the idle time on a busy one; a passing
# test never waits the bound out.
T_WAIT_SECONDS=${T_WAIT_SECONDS:-60}

# wait_until EXPR [SECONDS]: until the shell expression EXPR is true (tried every 0.1 s), at
# most SECONDS (default T_WAIT_SECONDS) by the wall clock; 1 when it never was.
wait_until() {
	local end=$((SECONDS + ${2:-$T_WAIT_SECONDS}))
	until eval "$1"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}

t_cleanup() {
	local p
	for p in "${T_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${T_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port nobody listens on (the kernel picks it; a tiny race is acceptable in tests).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# listens_by PORT PID: PID or a child of it listens on PORT. free_port's port can be taken by
# another program before ours binds it (suites start dozens of servers at once, and other
# users of the machine too): ours then failed, and a client would talk to theirs.
listens_by() {
	local p
	for p in $(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2); do
		[ "$p" = "$2" ] && return 0
		[ "$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')" = "$2" ] && return 0
	done
	return 1
}

# wait_port PORT [PID] [SECONDS]: until something accepts on 127.0.0.1:PORT, at most SECONDS
# (default T_WAIT_SECONDS); with PID, until PID or its child listens there (1 at once when
# PID has died or another program listens there).
wait_port() {
	local port=$1 pid=${2:-} end=$((SECONDS + ${3:-$T_WAIT_SECONDS}))
	until (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
	[ -z "$pid" ] && return 0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		listens_by "$port" "$pid" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "port $port is taken by another program (pid(s) $(ss -Hltnp "sport = :$port" |
	    grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' '))"
	return 1
}

# Every assertion returns 1 when it fails, so `like ... || diag ...` can add what explains it.
plan()   { echo "1..$1"; }
ok()     { _t_n=$((_t_n + 1)); if [ "$1" -eq 0 ]; then echo "ok $_t_n - $2"; else echo "not ok $_t_n - $2"; _t_failed=1; return 1; fi; }
pass()   { ok 0 "$1"; }
fail()   { ok 1 "$1"; }
diag()   { echo "# $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# sanitized: the binary under test is the AddressSanitizer build (make sanitize).
sanitized() { ldd "$TRAMDO_BIN" | grep -q libasan; }
# is GOT EXPECTED NAME
is()     { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3"; diag "got '$1', expected '$2'"; return 1; fi; }
# like GOT REGEX NAME
like()   { if [[ $1 =~ $2 ]]; then pass "$3"; else fail "$3"; diag "got '$1', expected to match /$2/"; return 1; fi; }
# num_ok "EXPR" NAME: a floating-point condition evaluated by python3, e.g. num_ok "$a > 0 and $a < 10"
num_ok() { if python3 -c "import sys; sys.exit(0 if ($1) else 1)" 2>/dev/null; then pass "$2"; else fail "$2"; diag "false: $1"; return 1; fi; }
# jget JSONFILE PYEXPR: print a field, e.g. jget r.json 'd["download_mbps"]'
jget()   { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
done_testing() { exit $_t_failed; }

# start_nginx PORT [EXTRA_CONF...]: nginx on 127.0.0.1:PORT serving config/nginx-speedtest.conf
# (port and root substituted) from $T_TMP/nginx-PORT, plus extra http-level snippets (e.g. the
# fault server blocks in tests/fixtures/). Random garbage of $NGINX_GARBAGE_MB MiB (default 32);
# $NGINX_BODY_MAX, when set, replaces the config's client_max_body_size 0 (e.g. 1m, nginx's default).
# With NGINX_TLS="PORT CERT KEY" the same server also speaks https on 127.0.0.1:PORT
# (certificates: bench/lib-tls.sh), and with NGINX_TLS6=1 on [::1]:PORT too. Records the PID
# in T_PIDS and waits for the port(s).
start_nginx() {
	local port=$1 dir="$T_TMP/nginx-$1" extra inc="" pid
	shift
	mkdir -p "$dir/www" "$dir/tmp"
	chmod 755 "$dir" "$dir/www"
	head -c "${NGINX_GARBAGE_MB:-32}M" /dev/urandom > "$dir/www/garbage.bin"
	chmod 644 "$dir/www/garbage.bin"
	sed -e "s|^\([[:space:]]*\)listen [0-9]*;|\1listen 127.0.0.1:$port;|" \
	    -e "s|^\([[:space:]]*\)root [^;]*;|\1root $dir/www;|" \
	    -e "s|^\([[:space:]]*\)client_max_body_size 0;|\1client_max_body_size ${NGINX_BODY_MAX:-0};|" \
	    "$SRCDIR/config/nginx-speedtest.conf" > "$dir/speedtest.conf"
	if [ -n "${NGINX_TLS:-}" ]; then
		declare -F tls_nginx_lines >/dev/null || source "$SRCDIR/bench/lib-tls.sh"
		tls_nginx_lines "127.0.0.1:${NGINX_TLS%% *}" $(echo "$NGINX_TLS" | cut -d' ' -f2-3) \
		    > "$dir/tls.lines"
		[ -z "${NGINX_TLS6:-}" ] || printf '\tlisten [::1]:%s ssl;\n' "${NGINX_TLS%% *}" >> "$dir/tls.lines"
		sed -i "/^[[:space:]]*listen 127.0.0.1:$port;/r $dir/tls.lines" "$dir/speedtest.conf"
	fi
	for extra in "$@"; do inc="$inc	include $extra;
"; done
	cat > "$dir/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	access_log off;
	include $dir/speedtest.conf;
$inc}
CONF
	nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" > "$dir/stdout.log" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	if ! wait_port "$port" "$pid" || { [ -n "${NGINX_TLS:-}" ] && ! wait_port "${NGINX_TLS%% *}" "$pid"; }; then
		diag "nginx did not start on $port:"; sed 's/^/# /' "$dir/error.log" "$dir/stdout.log" >&2
		return 1
	fi
}

# tramdo_font: the path of the kiosk's console font, tramdo-vi16 (scripts/mkfont.py):
# $TRAMDO_FONT when set, else the one make builds beside the binary, else one made
# now into $T_TMP from console-setup's Vietnamese-Fixed16. Fails when it cannot be made.
SYSTEM_FONT=/usr/share/consolefonts/Vietnamese-Fixed16.psf.gz
tramdo_font() {
	local f=${TRAMDO_FONT:-$(dirname "$TRAMDO_BIN")/tramdo-vi16.psf.gz}
	if [ ! -r "$f" ]; then
		f=$T_TMP/tramdo-vi16.psf.gz
		[ -r "$f" ] || python3 "$SRCDIR/scripts/mkfont.py" "$SYSTEM_FONT" "$f" >&2 || return 1
	fi
	echo "$f"
}
