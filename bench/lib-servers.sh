# lib-servers.sh — the speed-test server side of the shaped link (sourced after lib-netns.sh).
#
# srv_start DIR: nginx (the project's config/nginx-speedtest.conf, LibreSpeed endpoints) and
# `iperf3 -s` inside the server namespace. Sets SRV_URL (base URL, ends in /), SRV_GARBAGE_URL
# and SRV_EMPTY_URL (for curl). Both servers are stopped by net_cleanup.
# SRV_LISTEN: nginx's addresses, space-separated (default: the server's IPv4 address and
# SRV_HTTP_PORT; e.g. "10.77.2.2:8080 [fd77:2::2]:8080" for both families). SRV_IPERF_PORT=0: no iperf3.
# With SRV_TLS_PORT set, the same nginx server block also listens there with TLS (IPv4): a test CA
# made in the run (DIR/pki/ca.pem, bench/lib-tls.sh) signs a certificate for NET_SERVER_IP. Sets
# SRV_TLS_URL (https://…/) and SRV_TLS_CA (the CA to trust: [test] ca_file, curl --cacert).

SRC_ROOT=${SRC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SRV_HTTP_PORT=${SRV_HTTP_PORT:-8080}
SRV_IPERF_PORT=${SRV_IPERF_PORT:-5201}
SRV_CONF=${SRV_CONF:-$SRC_ROOT/config/nginx-speedtest.conf}
SRV_LISTEN=${SRV_LISTEN:-}
SRV_TLS_PORT=${SRV_TLS_PORT:-}
source "$SRC_ROOT/bench/lib-tls.sh"

# _srv_conf DIR: DIR/nginx.conf wrapping the project's server block (config/nginx-speedtest.conf,
# its listen and root lines substituted as the integration tests do) so that it listens on the
# server address only, with 100 MiB of random garbage.
_srv_conf() {
	local dir=$1 conf=$SRV_CONF listen= a
	for a in ${SRV_LISTEN:-$NET_SERVER_IP:$SRV_HTTP_PORT}; do listen+="listen $a; "; done
	if [ -n "$SRV_TLS_PORT" ]; then
		tls_make_ca "$dir/pki" ca && tls_make_cert "$dir/pki" ca "$NET_SERVER_IP" || return 1
		listen+=$(tls_nginx_lines "$NET_SERVER_IP:$SRV_TLS_PORT" \
		    "$dir/pki/server-$NET_SERVER_IP.crt" "$dir/pki/server-$NET_SERVER_IP.key" | tr -d '\n\t')
	fi
	mkdir -p "$dir/www" "$dir/tmp"
	chmod 755 "$dir" "$dir/www" "$dir/tmp"
	head -c 100M /dev/urandom >"$dir/www/garbage.bin"
	chmod 644 "$dir/www/garbage.bin"
	sed -e "s|^\([[:space:]]*\)listen [0-9]*;|\1$listen|" \
	    -e "s|^\([[:space:]]*\)root [^;]*;|\1root $dir/www;|" "$conf" >"$dir/speedtest.conf" || return 1
	cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	include $dir/speedtest.conf;
}
EOF
}

srv_start() {
	local dir=$1
	_srv_conf "$dir" || return 1
	net_bg "$NS_S" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" 2>>"$dir/nginx.stderr"
	net_wait_listen "$NS_S" "$SRV_HTTP_PORT" 10 || { echo "nginx did not start" >&2; cat "$dir/error.log" >&2; return 1; }
	if [ "$SRV_IPERF_PORT" != 0 ]; then
		net_bg "$NS_S" iperf3 -s -B "$NET_SERVER_IP" -p "$SRV_IPERF_PORT" 2>>"$dir/iperf3.stderr" >/dev/null
		net_wait_listen "$NS_S" "$SRV_IPERF_PORT" 10 || { echo "iperf3 did not start" >&2; return 1; }
	fi
	if [ -n "$SRV_TLS_PORT" ]; then
		net_wait_listen "$NS_S" "$SRV_TLS_PORT" 10 || { echo "nginx did not listen with TLS" >&2; return 1; }
		SRV_TLS_URL="https://$NET_SERVER_IP:$SRV_TLS_PORT/"
		SRV_TLS_CA=$dir/pki/ca.pem
	fi
	SRV_URL="http://$NET_SERVER_IP:$SRV_HTTP_PORT/"
	SRV_GARBAGE_URL="${SRV_URL}garbage?ckSize=100"
	SRV_EMPTY_URL="${SRV_URL}empty"
}
