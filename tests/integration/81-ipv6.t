#!/usr/bin/env bash
# 81-ipv6.t — IPv4 and IPv6: each result records the family it was measured over and whether
# the station reaches the server over IPv6 (ip_version, ipv6), and [test] ip_version = auto|4|6|both
# does what it says. Client ↔ router ↔ server namespaces (bench/lib-netns.sh with NET_IPV6=1:
# 10.77.211.2 / fd77:211::2 ↔ 10.77.212.2 / fd77:212::2), a light 20 Mbit/s tbf so that the
# tests cost little CPU, one nginx listening on both families of the server.
#
# Names. The server is reached by names, as a real one is, with the address records a test
# needs: the client runs in a mount namespace of its own where a hosts file of the test's (and,
# for the preference cases, a gai.conf) is bind-mounted over /etc/hosts (/etc/gai.conf) —
# `unshare -m` inside `ip netns exec`, so nothing outside the process sees them and they vanish
# with it. glibc reads both files on the first lookup, and libcurl resolves with getaddrinfo, so
# the name has an A and an AAAA record exactly as DNS would give them. (curl's --resolve has no
# INI equivalent, and HOSTALIASES cannot make AAAA records.)
#   dual.tramdo.test     10.77.212.2 and fd77:212::2
#   v4only.tramdo.test   10.77.212.2            (an IPv4-only server: no AAAA record)
#   v6only.tramdo.test   fd77:212::2            (an IPv6-only server: no A record)
#   v4dead6.tramdo.test  10.77.212.2 and fd77:212::99, an IPv6 address nobody answers on
#
# Which family "auto" takes is the system's choice: glibc orders the addresses (RFC 6724
# destination address selection, configured by gai.conf) and curl's happy eyeballs tries the
# first family first, the other 200 ms later. Whether glibc puts 10.x above a ULA (fd00::/8)
# depends on its precedence table (RFC 6724's puts IPv4 first: ::ffff:0:0/96 35 vs fc00::/7 3;
# RFC 3484's, which glibc falls back to, puts any IPv6 first), so the test does not assume one:
# with two gai.conf files, one ranking ULAs above IPv4 and one below, it asserts that `getent
# ahosts` orders dual.tramdo.test differently and that tramdo measures over the family getent
# lists first each time. Needs root, network namespaces and IPv6; skipped where they cannot be made.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kiosk.sh"

NET_TAG=v$$
NET_SUBNET=211
NET_IPV6=1
SRV_HTTP_PORT=8080
SRV_IPERF_PORT=0
source "$SRCDIR/bench/lib-netns.sh"
source "$SRCDIR/bench/lib-servers.sh"
SRV_LISTEN="$NET_SERVER_IP:$SRV_HTTP_PORT [$NET_SERVER_IP6]:$SRV_HTTP_PORT"

if ! net_available; then
	skip_all "cannot create network namespaces with tbf here (needs root, iproute2, sch_tbf)"
fi
net_ipv6_available || skip_all "IPv6 is disabled in network namespaces here (net.ipv6.conf.all.disable_ipv6)"
command -v unshare >/dev/null || skip_all "unshare (util-linux) is missing: the test's names need a mount namespace"
command -v tmux >/dev/null || skip_all "tmux missing (the kiosk part)"
trap 'k_stop_all; net_cleanup; t_cleanup' EXIT

plan 44
net_setup
r=$?
ok $r "three namespaces with IPv4 and IPv6 addresses"
[ $r -eq 0 ] || done_testing	# nothing else can pass; the missing tests fail the plan
net_shape 20 16kb 64kb
srv_start "$T_TMP/srv"
ok $? "nginx listens on both families in the server namespace"
[ -n "${SRV_URL:-}" ] || done_testing

cat >"$T_TMP/hosts" <<EOF
127.0.0.1 localhost
$NET_SERVER_IP dual.tramdo.test v4only.tramdo.test v4dead6.tramdo.test
$NET_SERVER_IP6 dual.tramdo.test v6only.tramdo.test
fd77:$((NET_SUBNET + 1))::99 v4dead6.tramdo.test
EOF
# Only precedence lines: each file replaces glibc's whole precedence table.
printf 'precedence ::1/128 50\nprecedence fc00::/7 45\nprecedence ::/0 40\nprecedence ::ffff:0:0/96 10\n' \
    >"$T_TMP/gai-ula-first.conf"
printf 'precedence ::1/128 50\nprecedence ::/0 40\nprecedence ::ffff:0:0/96 35\nprecedence fc00::/7 3\n' \
    >"$T_TMP/gai-ipv4-first.conf"

# in_client GAI CMD...: CMD in the client namespace with the test's hosts file, and GAI over
# /etc/gai.conf unless GAI is "-" (the machine's own then).
in_client() {
	local gai=$1
	shift
	ip netns exec "$NS_C" unshare -m --propagation private sh -c '
		mount --bind "$1" /etc/hosts || exit 125
		[ "$2" = - ] || mount --bind "$2" /etc/gai.conf || exit 125
		shift 2
		exec "$@"' sh "$T_TMP/hosts" "$gai" "$@"
}

# ini NAME IP_VERSION [EXTRA]: a configuration; short phases (the link is not what is tested).
ini() {
	cat >"$T_TMP/$1.ini" <<EOF
[station]
id = tdb-ipv6
[test]
max_seconds = 2
ip_version = $2
connect_timeout = 3
[gps]
enabled = no
[storage]
path = $T_TMP/$1.db
${3:-}
EOF
}

# run NAME GAI URL: tramdo run --json against URL; the result in NAME.json, its log in NAME.log.
run() {
	in_client "$2" "$TRAMDO" -c "$T_TMP/$1.ini" --log "$T_TMP/$1.log" run --json --server "$3" \
	    >"$T_TMP/$1.json" 2>"$T_TMP/$1.err"
}

# first_family GAI NAME: 4 or 6, the family of the first address glibc gives for NAME.
first_family() {
	in_client "$1" getent ahosts "$2" | awk 'NR == 1 { print (index($1, ":") ? 6 : 4) }'
}

url() { echo "http://$1:$SRV_HTTP_PORT/"; }

fam_ula=$(first_family "$T_TMP/gai-ula-first.conf" dual.tramdo.test)
fam_v4=$(first_family "$T_TMP/gai-ipv4-first.conf" dual.tramdo.test)
diag "glibc lists dual.tramdo.test first as IPv${fam_ula:-?} (ULA-first gai.conf), IPv${fam_v4:-?} (IPv4-first), IPv$(first_family - dual.tramdo.test) (this machine's)"
is "$fam_ula/$fam_v4" "6/4" "the two gai.conf files order the dual-stack name differently"

# 1. Dual stack, auto: the family the system prefers, whichever it is.
ini ula auto
run ula "$T_TMP/gai-ula-first.conf" "$(url dual.tramdo.test)"
is "$?" 0 "auto, ULA preferred: the test succeeds"
is "$(jget "$T_TMP/ula.json" 'd["ip_version"]' 2>/dev/null)" "$fam_ula" "auto, ULA preferred: measured over IPv$fam_ula, the family glibc lists first"
is "$(jget "$T_TMP/ula.json" 'd["client"]["ip"]' 2>/dev/null)" "$NET_CLIENT_IP6" "auto, ULA preferred: the server saw the client's IPv6 address (getIP)"
is "$(jget "$T_TMP/ula.json" 'd["ipv6"]' 2>/dev/null)" "True" "auto, ULA preferred: ipv6 true (the test itself ran over IPv6; no probe)"

ini v4first auto
run v4first "$T_TMP/gai-ipv4-first.conf" "$(url dual.tramdo.test)"
is "$?" 0 "auto, IPv4 preferred: the test succeeds"
is "$(jget "$T_TMP/v4first.json" 'd["ip_version"]' 2>/dev/null)" "$fam_v4" "auto, IPv4 preferred: measured over IPv$fam_v4, the family glibc lists first"
is "$(jget "$T_TMP/v4first.json" 'd["client"]["ip"]' 2>/dev/null)" "$NET_CLIENT_IP" "auto, IPv4 preferred: the server saw the client's IPv4 address"
is "$(jget "$T_TMP/v4first.json" 'd["ipv6"]' 2>/dev/null)" "True" "auto, IPv4 preferred: the probe finds IPv6 working (ipv6 true)"
like "$(grep 'ip probe' "$T_TMP/v4first.log")" "IPv6 works: ping [0-9.]+ ms, the server sees $NET_CLIENT_IP6" \
    "the probe pinged over IPv6 and getIP saw the client's IPv6 address"
is "$(jget "$T_TMP/v4first.json" 'd["download_mbps"] > 0 and d["upload_mbps"] > 0' 2>/dev/null)" True \
    "auto, IPv4 preferred: download and upload measured"

# 2. ip_version = 6 on the dual-stack name, the machine's own gai.conf.
ini six 6
run six - "$(url dual.tramdo.test)"
is "$?" 0 "ip_version = 6: the test succeeds"
is "$(jget "$T_TMP/six.json" 'd["ip_version"]' 2>/dev/null)" 6 "ip_version = 6: measured over IPv6"
is "$(jget "$T_TMP/six.json" 'd["ipv6"]' 2>/dev/null)" "True" "ip_version = 6: ipv6 true"
is "$(jget "$T_TMP/six.json" 'd["client"]["ip"]' 2>/dev/null)" "$NET_CLIENT_IP6" "ip_version = 6: getIP saw the client's IPv6 address"

# 3. An IPv4-only server: ipv6 false, and the test still succeeds.
ini v4only auto
run v4only - "$(url v4only.tramdo.test)"
is "$?" 0 "IPv4-only server: the test succeeds"
is "$(jget "$T_TMP/v4only.json" 'd["ip_version"]' 2>/dev/null)" 4 "IPv4-only server: measured over IPv4"
is "$(jget "$T_TMP/v4only.json" 'd["ipv6"]' 2>/dev/null)" "False" "IPv4-only server: ipv6 false"

# 4. IPv6 that does not answer (an AAAA record nobody is behind): happy eyeballs falls back to
# IPv4 whichever family glibc lists first, and the probe gives up at its own deadline.
ini dead6 auto
run dead6 - "$(url v4dead6.tramdo.test)"
is "$?" 0 "AAAA nobody answers on: the test succeeds"
is "$(jget "$T_TMP/dead6.json" 'd["ip_version"]' 2>/dev/null)" 4 "AAAA nobody answers on: measured over IPv4"
is "$(jget "$T_TMP/dead6.json" 'd["ipv6"]' 2>/dev/null)" "False" "AAAA nobody answers on: ipv6 false"
like "$(grep 'ip probe' "$T_TMP/dead6.log")" "IPv6 does not reach the server" "the probe said why IPv6 failed"

# 5. ip_version = 4 against IPv6-only servers: a connect error naming the family.
ini four 4
run four - "$(url v6only.tramdo.test)"
is "$?" 1 "ip_version = 4, IPv6-only name: the test fails"
is "$(jget "$T_TMP/four.json" 'd["error"]["code"]' 2>/dev/null)" connect "ip_version = 4, IPv6-only name: a connect error (not dns: the name resolves)"
like "$(jget "$T_TMP/four.json" 'd["error"]["message"]' 2>/dev/null)" "over IPv4 only \(\[test\] ip_version = 4\)" \
    "ip_version = 4, IPv6-only name: the message names the key"
is "$(jget "$T_TMP/four.json" 'd["ip_version"]' 2>/dev/null)" 4 "ip_version = 4: the failed result records the family it was held to"
run four - "http://[$NET_SERVER_IP6]:$SRV_HTTP_PORT/"
is "$(jget "$T_TMP/four.json" 'd["error"]["code"]' 2>/dev/null)" connect "ip_version = 4, an IPv6 literal URL: a connect error"

# 6. both: two results, one per family, the system's choice first.
ini both both
run both "$T_TMP/gai-ipv4-first.conf" "$(url dual.tramdo.test)"
is "$?" 0 "both: the command succeeds"
is "$(wc -l <"$T_TMP/both.json")" 2 "both: two results, one JSON line each"
fams=$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["ip_version"]) for l in open(sys.argv[1])))' "$T_TMP/both.json" 2>/dev/null)
is "$fams" "4 6" "both: the preferred family (IPv4 here) first, then IPv6"
v6s=$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["ipv6"]) for l in open(sys.argv[1])))' "$T_TMP/both.json" 2>/dev/null)
is "$v6s" "True True" "both: each result says IPv6 works"
ids=$(python3 -c 'import json,sys; print(len({json.loads(l)["id"] for l in open(sys.argv[1])}))' "$T_TMP/both.json" 2>/dev/null)
is "$ids" 2 "both: two results with ids of their own"
rows=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from results").fetchone()[0])' "$T_TMP/both.db" 2>/dev/null)
is "$rows" 2 "both: both results are stored"

# 7. Selection among servers of mixed families: with ip_version = 6 the IPv4-only one is skipped.
ini sel 6 "[server a4]
url = http://v4only.tramdo.test:$SRV_HTTP_PORT/
layout = go
[server b6]
url = http://[$NET_SERVER_IP6]:$SRV_HTTP_PORT/
layout = go"
sed -i 's/^\[test\]$/[test]\nserver = auto/' "$T_TMP/sel.ini"
in_client - "$TRAMDO" -c "$T_TMP/sel.ini" check-config >"$T_TMP/check.out" 2>&1
is "$?" 0 "check-config accepts a bracketed IPv6 literal server URL"
in_client - "$TRAMDO" -c "$T_TMP/sel.ini" --log "$T_TMP/sel.log" run --json >"$T_TMP/sel.json" 2>"$T_TMP/sel.err"
is "$?" 0 "ip_version = 6 with an IPv4-only and an IPv6 candidate: the test succeeds"
is "$(jget "$T_TMP/sel.json" 'd["server"]["name"]' 2>/dev/null)" b6 "ip_version = 6: the IPv6 server is chosen"
is "$(jget "$T_TMP/sel.json" 'd["server"]["url"]' 2>/dev/null)" "http://[$NET_SERVER_IP6]:$SRV_HTTP_PORT/" "the result keeps the bracketed URL"
like "$(grep 'candidate a4 skipped' "$T_TMP/sel.log")" "skipped" "the IPv4-only candidate is skipped, and the log says so"

# 8. The kiosk with both: one key, two tests; the preferred family's result on screen, both
# stored, and the staff screen says IPv6 works and over which family the shown test ran.
# (k_start puts in-client.sh before tramdo: every program in it execs the next, so the
# kiosk keeps the PID tmux's pane started.)
printf '#!/bin/sh\nexec ip netns exec %s unshare -m --propagation private sh -c '"'"'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/gai.conf && shift 2 && exec "$@"'"'"' sh %s %s "$@"\n' \
    "$NS_C" "$T_TMP/hosts" "$T_TMP/gai-ipv4-first.conf" >"$T_TMP/in-client.sh"
chmod 755 "$T_TMP/in-client.sh"
ini kiosk both "[server dual]
url = http://dual.tramdo.test:$SRV_HTTP_PORT/
layout = go
[kiosk]
staff_pin = 24680
result_min_seconds = 0"
sed -i 's/^\[test\]$/[test]\nserver = dual/' "$T_TMP/kiosk.ini"
k_start 100 30 "$T_TMP/kiosk.ini" "$T_TMP/in-client.sh"
k_wait_state welcome
k_keys Enter
k_wait_state result; ok $? "kiosk, both: one key, and the result screen"
k_keys Enter	# back to Welcome (result_min_seconds = 0), where Ctrl-T counts
k_wait_state welcome 2
rows=$(python3 -c 'import sqlite3,sys; print(" ".join(str(r[0]) for r in sqlite3.connect(sys.argv[1]).execute("select json_extract(json, \"$.ip_version\") from results order by rowid")))' "$T_TMP/kiosk.db" 2>/dev/null)
is "$rows" "4 6" "kiosk, both: two results stored, IPv4 (preferred here) then IPv6"
k_keys C-t C-t C-t
k_wait_state staff_pin
k_keys 2 4 6 8 0 Enter
k_wait_state staff
k_see 'IPv6: +có; lượt đo gần nhất qua IPv4' "kiosk, both: the staff screen says IPv6 works, and the shown test ran over IPv4"
k_stop

net_cleanup
ok "$(net_exists && echo 1 || echo 0)" "namespaces deleted"
done_testing
