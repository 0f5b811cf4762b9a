#!/bin/bash
# 12-engine-shaped.t — accuracy on a real bottleneck: a veth pair into a private network
# namespace, shaped to 50 Mbit/s each way with tbf (TCP goodput ~47.8 Mbit/s, as iperf3
# measures it). tramdo must land close to it in both directions — upload counted by
# acknowledged bytes, so not inflated by the send buffer — and stop early once stable.
. "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
[ "$(id -u)" -eq 0 ] || skip_all "needs root for a network namespace"

NS=tramdo-t12-$$
CDEV=t12c$$
SDEV=t12s$$
NET=10.$((200 + $$ % 50)).$(($$ / 50 % 250)).
SIP=${NET}2
ns_cleanup() {
	t_cleanup
	ip netns del "$NS" 2>/dev/null
	ip link del "$CDEV" 2>/dev/null
}
trap ns_cleanup EXIT
if ! { ip netns add "$NS" && ip link add "$CDEV" type veth peer name "$SDEV" &&
    ip link set "$SDEV" netns "$NS" && ip addr add "${NET}1/24" dev "$CDEV" &&
    ip link set "$CDEV" up && ip netns exec "$NS" ip addr add "$SIP/24" dev "$SDEV" &&
    ip netns exec "$NS" ip link set "$SDEV" up && ip netns exec "$NS" ip link set lo up &&
    tc qdisc replace dev "$CDEV" root tbf rate 50mbit burst 64kb limit 256kb &&
    ip netns exec "$NS" tc qdisc replace dev "$SDEV" root tbf rate 50mbit burst 64kb limit 256kb
    } 2> "$T_TMP/ns.err"; then
	skip_all "cannot build a shaped namespace: $(head -1 "$T_TMP/ns.err")"
fi

plan 7
D=$T_TMP/nginx
mkdir -p "$D/www" "$D/tmp"
chmod 755 "$D" "$D/www"
head -c 16M /dev/urandom > "$D/www/garbage.bin"
chmod 644 "$D/www/garbage.bin"
sed -e "s|^\([[:space:]]*\)listen [0-9]*;|\1listen $SIP:8080;|" \
    -e "s|^\([[:space:]]*\)root [^;]*;|\1root $D/www;|" \
    "$SRCDIR/config/nginx-speedtest.conf" > "$D/speedtest.conf"
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
for _ in $(seq 100); do
	curl -s -o /dev/null --max-time 1 "http://$SIP:8080/empty" && break
	sleep 0.1
done

cat > "$T_TMP/t.ini" <<INI
[test]
max_seconds = 8
[storage]
path = $T_TMP/results.db
[gps]
enabled = no
INI
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "http://$SIP:8080/" > "$T_TMP/r.json" 2> "$T_TMP/r.err"
is "$?" 0 "run over the shaped link exits 0"
r=$T_TMP/r.json
dl=$(jget "$r" 'd["download_mbps"]'); ul=$(jget "$r" 'd["upload_mbps"]')
dur=$(jget "$r" 'd["duration_s"]')
idle=$(jget "$r" 'd["latency_ms"]["median"]'); ldl=$(jget "$r" 'd["loaded_latency_ms"]["download"]')
diag "download $dl, upload $ul Mbit/s (iperf3 reference 47.8), latency idle $idle, loaded down $ldl ms, ${dur}s"
num_ok "45.4 <= $dl <= 49.5" "download within 5% of the link's TCP goodput"
num_ok "45.4 <= $ul <= 49.5" "upload within 5% of the link's TCP goodput (acked bytes)"
num_ok "$dur < 14" "stable rates end both phases before max_seconds (8 s each)"
num_ok "$ldl > $idle" "loaded latency above idle latency (the tbf queue fills)"
dlb=$(jget "$r" 'd["bytes"]["download"]'); ulb=$(jget "$r" 'd["bytes"]["upload"]')
num_ok "$dlb * 8 / 1e6 <= 50 * ($dur + 0.5)" "download bytes possible at 50 Mbit/s"
num_ok "$ulb * 8 / 1e6 <= 50 * ($dur + 0.5)" "upload bytes possible at 50 Mbit/s"

done_testing
