#!/bin/bash
# shaped.sh — is tramdo accurate? On a veth link shaped with tbf into a private network
# namespace, compare tramdo's download and upload figures with iperf3 (the reference: TCP
# goodput on tbf is ~95.6% of the configured rate) at the same number of streams. Needs root.
# Prints a Markdown table.
#
#   bench/shaped.sh [RATE...]        (default: 20mbit 50mbit 200mbit)
#
# Run from the source tree after `make`. Traffic stays inside the veth pair it creates.
set -u
cd "$(dirname "$0")/.." || exit 1
TRAMDO_SRCDIR=$PWD
. tests/integration/lib.sh
[ "$(id -u)" -eq 0 ] || { echo "shaped.sh: needs root (network namespaces, tc)" >&2; exit 1; }

TRAMDO=${TRAMDO:-$PWD/tramdo}
RATES=("$@")
[ ${#RATES[@]} -gt 0 ] || RATES=(20mbit 50mbit 200mbit)
NS=tramdo-bench-$$
CDEV=tdc$$
SDEV=tds$$
NET=10.$((200 + $$ % 50)).$(($$ / 50 % 250)).
CIP=${NET}1
SIP=${NET}2

cleanup() {
	t_cleanup
	ip netns del "$NS" 2>/dev/null
	ip link del "$CDEV" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$NS" &&
ip link add "$CDEV" type veth peer name "$SDEV" &&
ip link set "$SDEV" netns "$NS" &&
ip addr add "$CIP/24" dev "$CDEV" && ip link set "$CDEV" up &&
ip netns exec "$NS" ip addr add "$SIP/24" dev "$SDEV" &&
ip netns exec "$NS" ip link set "$SDEV" up &&
ip netns exec "$NS" ip link set lo up || exit 1

# nginx with config/nginx-speedtest.conf inside the namespace
D=$T_TMP/nginx
mkdir -p "$D/www" "$D/tmp"
chmod 755 "$D" "$D/www"
head -c 32M /dev/urandom > "$D/www/garbage.bin"
chmod 644 "$D/www/garbage.bin"
sed -e "s|^\([[:space:]]*\)listen [0-9]*;|\1listen $SIP:8080;|" \
    -e "s|^\([[:space:]]*\)root [^;]*;|\1root $D/www;|" config/nginx-speedtest.conf > "$D/speedtest.conf"
cat > "$D/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $D/nginx.pid;
error_log $D/error.log warn;
events { worker_connections 256; }
http {
	client_body_temp_path $D/tmp/body;
	proxy_temp_path $D/tmp/proxy;
	fastcgi_temp_path $D/tmp/fastcgi;
	uwsgi_temp_path $D/tmp/uwsgi;
	scgi_temp_path $D/tmp/scgi;
	access_log off;
	include $D/speedtest.conf;
}
CONF
ip netns exec "$NS" nginx -c "$D/nginx.conf" -p "$D" -e "$D/error.log" &
T_PIDS+=($!)
ip netns exec "$NS" iperf3 -s -B "$SIP" -p 5201 > /dev/null 2>&1 &
T_PIDS+=($!)
sleep 1

cat > "$T_TMP/t.ini" <<INI
[test]
max_seconds = 8
[storage]
path = $T_TMP/results.db
[gps]
enabled = no
INI

iperf() {	# iperf3 [-R] with N streams: received Mbit/s, 2 s of slow start omitted
	iperf3 -c "$SIP" -p 5201 "$@" -t 8 -O 2 -J |
	    python3 -c 'import json, sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6, 1))'
}

echo "| tbf rate | iperf3 down (6) | tramdo down (6) | iperf3 up (4) | tramdo up (4) | idle / loaded latency down, up (ms) | tramdo test time |"
echo "|---|---|---|---|---|---|---|"
for rate in "${RATES[@]}"; do
	tc qdisc replace dev "$CDEV" root tbf rate "$rate" burst 64kb limit 256kb
	ip netns exec "$NS" tc qdisc replace dev "$SDEV" root tbf rate "$rate" burst 64kb limit 256kb
	idn=$(iperf -R -P 6)
	iup=$(iperf -P 4)
	"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "http://$SIP:8080/" > "$T_TMP/r.json" 2> /dev/null
	python3 - "$T_TMP/r.json" "$rate" "$idn" "$iup" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rate, idn, iup = sys.argv[2:5]
if "error" in d:
    print(f"| {rate} | {idn} | error {d['error']['code']} | {iup} | | | |")
else:
    l, ll = d["latency_ms"], d["loaded_latency_ms"]
    print(f"| {rate} | {idn} | {d['download_mbps']:.1f} | {iup} | {d['upload_mbps']:.1f} "
          f"| {l['median']:.2f} / {ll['download']:.2f}, {ll['upload']:.2f} | {d['duration_s']:.1f} s |")
PY
done
echo
echo "Load average: $(uptime | sed 's/.*load average: //'); $(nproc) cores."
