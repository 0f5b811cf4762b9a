# lib-tls.sh — certificates made in the run, for HTTPS speed-test servers (sourced, bash).
#
# tls_make_ca DIR NAME: a test certificate authority, DIR/NAME.pem (certificate) and
#   DIR/NAME.key. Nothing outside the run trusts it; tramdo trusts it only when told
#   ([test] ca_file = DIR/NAME.pem): certificate checks stay on.
# tls_make_cert DIR CA IP [SAN]: DIR/server-IP.crt and .key for the address IP (an IP
#   subjectAltName, which is what a client checks for https://IP/; SAN replaces it, e.g.
#   "IP:127.0.0.1,IP:::1,DNS:dual.test"), signed by DIR/CA.pem; the certificate file holds the
#   server's certificate only (the CA is the client's to know).
# Both use EC P-256 keys (what most public servers offer; cheap to make) and return 1, with
# openssl's output on stderr, on failure. The files are world-readable: nginx workers run as nobody.

tls_make_ca() {
	local dir=$1 name=$2
	mkdir -p "$dir" && chmod 755 "$dir" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	    -keyout "$dir/$name.key" -out "$dir/$name.pem" -subj "/CN=tramdo test CA $name" \
	    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
	    2>"$dir/$name.err" >/dev/null || { cat "$dir/$name.err" >&2; return 1; }
	chmod 644 "$dir/$name.pem" "$dir/$name.key"
}

tls_make_cert() {
	local dir=$1 ca=$2 ip=$3 base=$1/server-$3
	printf '%s\n' "basicConstraints = CA:FALSE" "keyUsage = critical,digitalSignature" \
	    "extendedKeyUsage = serverAuth" "subjectAltName = ${4:-IP:$ip}" >"$base.ext"
	{ openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$base.key" -out "$base.csr" -subj "/CN=$ip" &&
	  openssl x509 -req -in "$base.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
	    -CAcreateserial -days 2 -sha256 -extfile "$base.ext" -out "$base.crt"; } \
	    2>"$base.err" >/dev/null || { cat "$base.err" >&2; return 1; }
	chmod 644 "$base.crt" "$base.key"
}

# tls_nginx_lines ADDRESS:PORT CERT KEY: the lines that add an https listener to a server block
# (sed's a\ text, one line each), for the project's config/nginx-speedtest.conf.
tls_nginx_lines() {
	printf '\tlisten %s ssl;\n\tssl_certificate %s;\n\tssl_certificate_key %s;\n' "$1" "$2" "$3"
}
