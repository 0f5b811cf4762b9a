# lib-netns.sh — a shaped test link made of three network namespaces (sourced, bash, root).
#
#   client ns (tramdo, iperf3 -c, curl)  ──  router ns (tbf, both egresses)  ──  server ns (nginx, iperf3 -s)
#   10.77.N.2/24          10.77.N.1/24 | 10.77.N+1.1/24          10.77.N+1.2/24
#
# Shaping happens in the router, not on the sender's own veth: there TCP Small Queues would cap the
# queue and a bufferbloat case could not be built (testbed.md, "Shaped links"). The veth ends are
# created directly inside the namespaces, so nothing appears in the host's namespace and no packet
# can leave the machine. Every name starts with "tdb-<tag>-"; setup refuses to run when one exists.
#
# Usage:  NET_TAG=b NET_SUBNET=1 source lib-netns.sh; net_setup; net_shape 100 ...; net_cleanup
# net_cleanup is idempotent; callers install it in their EXIT trap.
#
# NET_IPV6=1 adds IPv6 unique local addresses beside the IPv4 ones, forwarded by the router:
#   fd77:N::2/64 (client)  fd77:N::1/64 | fd77:N+1::1/64 (router)  fd77:N+1::2/64 (server)
# ("N" is NET_SUBNET written as hex digits, e.g. fd77:211::2). Duplicate address detection is off
# in the three namespaces: the link-local addresses it holds "tentative" for a second or two
# delayed every IPv6 packet through the router by 1.2-2 s just after setup (measured), enough for
# happy eyeballs to take IPv4 instead.

NET_TAG=${NET_TAG:-b}
NET_SUBNET=${NET_SUBNET:-1}
NS_C="tdb-$NET_TAG-client"
NS_R="tdb-$NET_TAG-router"
NS_S="tdb-$NET_TAG-server"
NET_CLIENT_IP="10.77.$NET_SUBNET.2"
NET_SERVER_IP="10.77.$((NET_SUBNET + 1)).2"
NET_IPV6=${NET_IPV6:-0}
NET_CLIENT_IP6="fd77:$NET_SUBNET::2"
NET_SERVER_IP6="fd77:$((NET_SUBNET + 1))::2"
NET_PIDS=()
_net_made=()

# net_exists: true when any namespace this tag would create is already there.
net_exists() {
	local ns
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		[ -e "/run/netns/$ns" ] && return 0
	done
	return 1
}

# net_available: can this process create namespaces and veth pairs at all?
net_available() {
	local probe="tdb-$NET_TAG-probe$$"
	[ "$(id -u)" -eq 0 ] || return 1
	command -v ip >/dev/null && command -v tc >/dev/null || return 1
	ip netns add "$probe" 2>/dev/null || return 1
	if ! ip -n "$probe" link add tdb-p0 type veth peer name tdb-p1 2>/dev/null; then
		ip netns del "$probe"
		return 1
	fi
	if ! ip netns exec "$probe" tc qdisc add dev tdb-p0 root tbf rate 10mbit burst 16kb limit 64kb 2>/dev/null; then
		ip netns del "$probe"
		return 1
	fi
	ip netns del "$probe"
}

# net_ipv6_available: can a namespace have an IPv6 address at all (IPv6 not disabled)?
net_ipv6_available() {
	local probe="tdb-$NET_TAG-probe6$$" rc=0
	ip netns add "$probe" 2>/dev/null || return 1
	ip -n "$probe" link set lo up 2>/dev/null &&
	    ip -n "$probe" addr add fd77:ffff::1/128 dev lo nodad 2>/dev/null || rc=1
	ip netns del "$probe"
	return $rc
}

net_setup() {
	local a=10.77.$NET_SUBNET b=10.77.$((NET_SUBNET + 1)) ns
	if net_exists; then
		echo "lib-netns: namespace tdb-$NET_TAG-* already exists; refusing to touch it" >&2
		return 1
	fi
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns add "$ns" || return 1
		_net_made+=("$ns")
		ip -n "$ns" link set lo up
		[ "$NET_IPV6" != 1 ] || ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		    net.ipv6.conf.default.accept_dad=0 || return 1
	done
	ip link add tdb-c netns "$NS_C" type veth peer name tdb-rc netns "$NS_R" || return 1
	ip link add tdb-s netns "$NS_S" type veth peer name tdb-rs netns "$NS_R" || return 1
	ip -n "$NS_C" addr add "$a.2/24" dev tdb-c
	ip -n "$NS_R" addr add "$a.1/24" dev tdb-rc
	ip -n "$NS_R" addr add "$b.1/24" dev tdb-rs
	ip -n "$NS_S" addr add "$b.2/24" dev tdb-s
	ip -n "$NS_C" link set tdb-c up
	ip -n "$NS_R" link set tdb-rc up
	ip -n "$NS_R" link set tdb-rs up
	ip -n "$NS_S" link set tdb-s up
	ip -n "$NS_C" route add default via "$a.1"
	ip -n "$NS_S" route add default via "$b.1"
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	[ "$NET_IPV6" != 1 ] || _net_setup6
}

_net_setup6() {
	local a=fd77:$NET_SUBNET b=fd77:$((NET_SUBNET + 1))
	ip netns exec "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	ip -n "$NS_C" addr add "$a::2/64" dev tdb-c nodad || return 1
	ip -n "$NS_R" addr add "$a::1/64" dev tdb-rc nodad || return 1
	ip -n "$NS_R" addr add "$b::1/64" dev tdb-rs nodad || return 1
	ip -n "$NS_S" addr add "$b::2/64" dev tdb-s nodad || return 1
	ip -n "$NS_C" -6 route add default via "$a::1" || return 1
	ip -n "$NS_S" -6 route add default via "$b::1" || return 1
	_net_untentative
}

# Until no address in the namespaces is tentative (at most 10 s): with DAD off there are none,
# but a kernel that ignores accept_dad must not leave the first seconds of IPv6 slow.
_net_untentative() {
	local i ns busy
	for i in $(seq 200); do
		busy=
		for ns in "$NS_C" "$NS_R" "$NS_S"; do
			[ -z "$(ip -n "$ns" -6 addr show tentative)" ] || busy=1
		done
		[ -z "$busy" ] && return 0
		sleep 0.05
	done
	echo "lib-netns: IPv6 addresses still tentative after 10 s" >&2
	return 1
}

# net_shape MBIT BURST LIMIT [UP_MBIT]: tbf on both router egresses (download: towards the client;
# upload: towards the server, at UP_MBIT when given, e.g. 2 ... 0.5 for an ADSL-like line). BURST
# and LIMIT in tc syntax (e.g. 64kb, 1mb) or bytes.
net_shape() {
	local mbit=$1 burst=$2 limit=$3 up=${4:-$1} dev
	for dev in tdb-rc tdb-rs; do
		[ "$dev" = tdb-rs ] && mbit=$up
		ip netns exec "$NS_R" tc qdisc replace dev "$dev" root tbf \
		    rate "${mbit}mbit" burst "$burst" limit "$limit" || return 1
	done
}

# net_delay MS: a round trip MS milliseconds longer, half in each direction (bench/tundelay, a
# TUN device in the router: this kernel has no netem). Forwarded packets from either veth are
# policy-routed into the TUN device; what tundelay writes back arrives from it and takes the main
# table, so each packet is delayed once per direction. net_delay 0 removes the delay.
NET_TUNDELAY=${NET_TUNDELAY:-}
_net_delay_pid=
net_delay() {
	local ms=$1 half
	_net_delay_off
	[ "$ms" = 0 ] && return 0
	half=$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 2 }')
	[ -x "$NET_TUNDELAY" ] || { echo "lib-netns: NET_TUNDELAY is not a program" >&2; return 1; }
	ip netns exec "$NS_R" "$NET_TUNDELAY" tdb-delay "$half" >"/tmp/tdb-$NET_TAG-delay.out" 2>&1 &
	_net_delay_pid=$!
	NET_PIDS+=("$_net_delay_pid")
	local i
	for i in $(seq 100); do
		grep -qx ready "/tmp/tdb-$NET_TAG-delay.out" 2>/dev/null && break
		kill -0 "$_net_delay_pid" 2>/dev/null || break
		sleep 0.05
	done
	grep -qx ready "/tmp/tdb-$NET_TAG-delay.out" 2>/dev/null || {
		cat "/tmp/tdb-$NET_TAG-delay.out" >&2; return 1; }
	ip -n "$NS_R" link set tdb-delay up mtu 1500
	ip netns exec "$NS_R" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.tdb-delay.rp_filter=0 net.ipv4.conf.tdb-delay.accept_local=1
	ip -n "$NS_R" route add default dev tdb-delay table 77
	ip -n "$NS_R" rule add iif tdb-rc lookup 77 pref 1000
	ip -n "$NS_R" rule add iif tdb-rs lookup 77 pref 1001
}

_net_delay_off() {
	[ -n "$_net_delay_pid" ] || return 0
	ip -n "$NS_R" rule del pref 1000 2>/dev/null
	ip -n "$NS_R" rule del pref 1001 2>/dev/null
	ip -n "$NS_R" route flush table 77 2>/dev/null
	_net_stop_pid "$_net_delay_pid"
	rm -f "/tmp/tdb-$NET_TAG-delay.out"
	_net_delay_pid=
}

# net_shape_asym DOWN UP BURST LIMIT: like net_shape, DOWN Mbit/s towards the client and UP towards
# the server (an ADSL line, a mobile uplink).
net_shape_asym() {
	ip netns exec "$NS_R" tc qdisc replace dev tdb-rc root tbf rate "${1}mbit" burst "$3" limit "$4" &&
	ip netns exec "$NS_R" tc qdisc replace dev tdb-rs root tbf rate "${2}mbit" burst "$3" limit "$4"
}

# net_cc ALGO: congestion control for every sender (client uploads, server downloads).
net_cc() {
	local ns
	for ns in "$NS_C" "$NS_S"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.tcp_congestion_control="$1" || return 1
	done
}

# net_drops: packets tbf dropped so far on both egresses, "down up".
net_drops() {
	local dev out=
	for dev in tdb-rc tdb-rs; do
		out+="$(ip netns exec "$NS_R" tc -s qdisc show dev "$dev" |
		    sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1) "
	done
	echo "${out% }"
}

# net_wait_idle [SECONDS]: until neither router egress has sent a byte for 0.3 s (at most SECONDS,
# default 15). A killed client leaves data in its socket buffers that the kernel still delivers;
# the next measurement must not share the link with it.
net_wait_idle() {
	local secs=${1:-15} before after i
	for i in $(seq $((secs * 3))); do
		before=$(_net_sent)
		sleep 0.3
		after=$(_net_sent)
		[ "$before" = "$after" ] && return 0
	done
	return 1
}

_net_sent() {
	ip netns exec "$NS_R" tc -s qdisc show | awk '/Sent/ {s += $2} END {print s}'
}

# net_bg NS CMD...: start CMD in NS in the background; its PID is appended to NET_PIDS.
net_bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	NET_PIDS+=("$!")
}

# net_wait_listen NS PORT [SECONDS]: until something in NS listens on TCP PORT. Asks the kernel
# (ss) instead of connecting, so iperf3 -s does not see a stray control connection.
net_wait_listen() {
	local ns=$1 port=$2 secs=${3:-10} i
	for i in $(seq $((secs * 20))); do
		[ -n "$(ip netns exec "$ns" ss -Hltn "sport = :$port")" ] && return 0
		sleep 0.05
	done
	return 1
}

_net_stop_pid() {
	local p=$1
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
}

# net_cleanup: stop our processes by PID, then anything still inside our namespaces (only we
# started processes there), then delete the namespaces, which deletes the veth pairs and qdiscs.
net_cleanup() {
	local p ns
	for p in "${NET_PIDS[@]}"; do _net_stop_pid "$p"; done
	NET_PIDS=()
	for ns in "${_net_made[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do _net_stop_pid "$p"; done
		ip netns del "$ns" 2>/dev/null
	done
	_net_made=()
}
