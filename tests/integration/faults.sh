# faults.sh — the fault servers of 90-faults.t, 47-kiosk-faults.t and 65-kiosk-midtest.t
# (sourced after lib.sh). One nginx serves tests/fixtures/nginx-faults.conf and
# nginx-faults-more.conf (one misbehaviour per path prefix, and TLS with a self-signed and an
# expired certificate); tests/fixtures/hostile_server.py stages what nginx cannot. After
# start_fault_servers:
#   F_NG    http://127.0.0.1:PORT  nginx-faults.conf: /http500/ /close/ /html/ /portal/ /up413/
#                                  /isp/ /badip/
#   F_MORE  http://127.0.0.1:PORT  nginx-faults-more.conf: /notfound/ /slow/ /ping500/ /escape/
#   F_PY    http://127.0.0.1:PORT  hostile_server.py: /silent/ /drip/ /truncated/ /huge/ /hugeip/
#                                  /upreset/ /reset/ /stall/
#   F_SELF, F_EXPIRED  https://127.0.0.1:PORT/ (untrusted, expired certificate)
#   F_DEAD  http://127.0.0.1:PORT/ where nothing listens (refused)
# Any other path prefix answers like a speed-test server on every one of them.

# make_certs DIR: one self-signed certificate (no client trusts it), one that expired in 2020.
make_certs() {
	local d=$1
	mkdir -p "$d/db" && : > "$d/db/index" && echo 01 > "$d/db/serial"
	printf '%s\n' '[ca]' 'default_ca = t' '[t]' 'database = db/index' 'new_certs_dir = db' \
	    'serial = db/serial' 'default_md = sha256' 'policy = any' 'copy_extensions = copy' \
	    '[any]' 'commonName = supplied' > "$d/ca.cnf"
	(cd "$d" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	    -keyout self.key -out self.crt -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout expired.key -out expired.csr -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 &&
	openssl ca -batch -config ca.cnf -selfsign -keyfile expired.key -in expired.csr \
	    -out expired.crt -startdate 20200101000000Z -enddate 20200102000000Z) >/dev/null 2>&1
	chmod 644 "$d"/*.crt "$d"/*.key	# nginx workers run as nobody
	chmod 755 "$d"
}

# start_fault_servers: both servers on free loopback ports (PIDs in T_PIDS); 1 on failure.
start_fault_servers() {
	local ngport fport hport sport eport pyport ngpid
	ngport=$(free_port) fport=$(free_port) hport=$(free_port) sport=$(free_port)
	eport=$(free_port) pyport=$(free_port)
	make_certs "$T_TMP/certs" || { diag "openssl could not make the certificates"; return 1; }
	sed -e "s|@FAULT_PORT@|$fport|" -e "s|@ROOT@|$T_TMP/nginx-$ngport/www|" \
	    "$SRCDIR/tests/fixtures/nginx-faults.conf" > "$T_TMP/faults.conf"
	sed -e "s|@HTTP_PORT@|$hport|" -e "s|@SELF_PORT@|$sport|" -e "s|@EXPIRED_PORT@|$eport|" \
	    -e "s|@ROOT@|$T_TMP/nginx-$ngport/www|" -e "s|@CERTS@|$T_TMP/certs|" \
	    "$SRCDIR/tests/fixtures/nginx-faults-more.conf" > "$T_TMP/faults-more.conf"
	NGINX_GARBAGE_MB=${NGINX_GARBAGE_MB:-8} start_nginx "$ngport" "$T_TMP/faults.conf" \
	    "$T_TMP/faults-more.conf" || return 1
	ngpid=${T_PIDS[-1]}
	python3 "$SRCDIR/tests/fixtures/hostile_server.py" "$pyport" 2> "$T_TMP/hostile.log" &
	T_PIDS+=($!)
	wait_port "$pyport" $! || { diag "hostile_server.py did not start"; return 1; }
	wait_port "$fport" "$ngpid" && wait_port "$hport" "$ngpid" && wait_port "$sport" "$ngpid" &&
	    wait_port "$eport" "$ngpid" || return 1
	F_NG=http://127.0.0.1:$fport F_MORE=http://127.0.0.1:$hport F_PY=http://127.0.0.1:$pyport
	F_SELF=https://127.0.0.1:$sport/ F_EXPIRED=https://127.0.0.1:$eport/
	F_DEAD=http://127.0.0.1:$(free_port)/
}
