#!/bin/bash
# 77-servers.t — [servers] list_url and `tramdo servers`. Lists are files served by nginx (a
# second server block of the test's nginx; /slow/ trickles at 100 bytes/s with limit_rate).
# The speed-test servers are nginx too: "Gần" directly, "Xa" and the configured "mid" behind
# tests/fixtures/delay_relay.py (30 ms and 10 ms each way), so the choice is never a coin toss.
# 1. `tramdo servers` on a good list: the table (exact columns, credentials redacted, `*` on the
#    nearest), --json, the cache (the list byte for byte, 0644).
# 2. Hostile lists (too big, wrong types, only non-http URLs, not JSON, 404, trickled): each
#    refused with its reason, the cache kept (bytes and mtime) and its age told.
# 3. A list with duplicates and non-http entries: accepted, merged, the bad entries left out.
# 4. Nothing answers: exit status 69.
# 5. The kiosk fetches the list in the background, measures a listed server with no [server]
#    section, fetches again after list_refresh_hours (0.002 h = 7.2 s), keeps the cache when
#    the list turns bad, shows the list on the staff screen, and fetches a new list_url at once
#    after a reload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v tmux >/dev/null || skip_all "tmux missing"

plan 47
NEAR=$(free_port) BEHIND=$(free_port) FAR=$(free_port) MID=$(free_port) LISTS=$(free_port)
DEAD=$(free_port)	# nobody listens there
L=$T_TMP/lists
mkdir -p "$L/slow" && chmod 755 "$L" "$L/slow"
cat > "$T_TMP/lists.conf" <<CONF
server {
	listen 127.0.0.1:$LISTS;
	root $L;
	default_type application/json;
	access_log $T_TMP/lists-access.log;
	location /slow/ { limit_rate 100; }
}
CONF
# The point is the choice and the list, not the rate: downloads capped at 80 Mbit/s.
echo 'limit_rate 10m;' > "$T_TMP/rate.conf"
NGINX_GARBAGE_MB=8 start_nginx "$NEAR" "$T_TMP/rate.conf" "$T_TMP/lists.conf" ||
    { fail "nginx started"; done_testing; }
NGINX_GARBAGE_MB=8 start_nginx "$BEHIND" "$T_TMP/rate.conf" || { fail "nginx started"; done_testing; }
python3 "$SRCDIR/tests/fixtures/delay_relay.py" "$FAR" "$BEHIND" 30 2> "$T_TMP/relay-far.log" &
T_PIDS+=($!) far_pid=$!
python3 "$SRCDIR/tests/fixtures/delay_relay.py" "$MID" "$BEHIND" 10 2> "$T_TMP/relay-mid.log" &
T_PIDS+=($!)
wait_port "$FAR" "$far_pid" && wait_port "$MID" $!
ok $? "nginx and the delay relays listen"

# entry NAME SERVER [DL]: one list entry as LibreSpeed lists write them (go layout paths).
entry() {
	printf '{"id": 1, "name": "%s", "server": "%s", "dlURL": "%s", "ulURL": "empty", ' \
	    "$1" "$2" "${3:-garbage}"
	printf '"pingURL": "empty", "getIpURL": "getIP", "sponsorName": "test"}'
}
list() { local IFS=,; echo "[$*]"; }
publish() { cat > "$L/$1"; chmod 644 "$L/$1"; }
GAN=$(entry "Gần" "http://127.0.0.1:$NEAR")
XA=$(entry "Xa" "http://u:s3cretPW@127.0.0.1:$FAR/")
list "$GAN" "$XA" | publish good.json
# The trickled copy is padded to 8 kB: at 100 bytes/s it would take 80 s to arrive whole.
{ cat "$L/good.json"; head -c 8000 /dev/zero | tr '\0' ' '; } | publish slow/good.json

# conf FILE LIST_URL [DIR]: a configuration with [server mid] and the list; storage in DIR.
conf() {
	mkdir -p "${3:-$T_TMP/db}"
	cat > "$1" <<INI
[test]
server = auto
connect_timeout = 2
[gps]
enabled = no
[storage]
path = ${3:-$T_TMP/db}/results.db
[servers]
list_url = $2
[server mid]
url = http://127.0.0.1:$MID/
layout = go
INI
}
CACHE=$T_TMP/db/servers.json
conf "$T_TMP/good.ini" "http://127.0.0.1:$LISTS/good.json"

# 1. A good list.
(umask 022; "$TRAMDO" -c "$T_TMP/good.ini" servers > "$T_TMP/good.out" 2> "$T_TMP/good.err")
is "$?" 0 "tramdo servers: exit status 0"
like "$(cat "$T_TMP/good.err")" "server list: http://127.0.0.1:$LISTS/good.json: 2 servers" \
    "the fetch is logged with the list's size"
# The table: columns padded by display width ("Gần" is 3 columns, 4 bytes), * on the nearest.
python3 - "$T_TMP/good.out" "$NEAR" "$FAR" "$MID" > "$T_TMP/table.check" <<'PY'
import re, sys
out = open(sys.argv[1], encoding="utf-8").read().split("\n")
near, far, mid = sys.argv[2:5]
url = lambda p: "http://127.0.0.1:%s/" % p
w = max(len(url(p)) for p in (near, far, mid)) + 2
lat = r"[0-9]+\.[0-9]{2} ms"
# a listed URL is shown as the list writes it (LibreSpeed lists leave out the last slash)
want = [
    re.escape("  NAME  " + "URL".ljust(w) + "SOURCE  LATENCY") + "$",
    re.escape("  mid   " + url(mid).ljust(w) + "config  ") + lat + "$",
    re.escape("* Gần   " + url(near)[:-1].ljust(w) + "list    ") + lat + "$",
    re.escape("  Xa    " + url(far).ljust(w) + "list    ") + lat + "$",
    "$",
]
bad = [i for i, r in enumerate(want) if i >= len(out) or not re.match(r, out[i])]
print("ok" if len(out) == len(want) and not bad else "lines %s differ" % bad)
PY
is "$(cat "$T_TMP/table.check")" ok "the table: name, URL, source, latency; * on Gần" ||
    sed 's/^/#   /' "$T_TMP/good.out"
if grep -q s3cretPW "$T_TMP/good.out" "$T_TMP/good.err"; then fail "Xa's password shown"
else pass "Xa's password is in no output (url_redact)"; fi
"$TRAMDO" -c "$T_TMP/good.ini" servers --json > "$T_TMP/good.json" 2> "$T_TMP/good-json.err"
is "$?" 0 "--json: exit status 0"
is "$(jget "$T_TMP/good.json" '" ".join(s["name"] + ":" + s["source"] + ":" + str(s["chosen"]) for s in d)')" \
    "mid:config:False Gần:list:True Xa:list:False" "--json: names, sources, the choice"
is "$(jget "$T_TMP/good.json" 'd[2]["url"]')" "http://127.0.0.1:$FAR/" "--json: URLs redacted"
is "$(jget "$T_TMP/good.json" 'sorted(d[0].keys())')" "['chosen', 'latency_ms', 'name', 'source', 'url']" \
    "--json: the fields"
num_ok "$(jget "$T_TMP/good.json" 'd[1]["latency_ms"]') < $(jget "$T_TMP/good.json" 'd[0]["latency_ms"]') and $(jget "$T_TMP/good.json" 'd[2]["latency_ms"]') >= 50" \
    "--json: latencies as numbers, the relays' delays in them ($(jget "$T_TMP/good.json" '[s["latency_ms"] for s in d]'))"
cmp -s "$CACHE" "$L/good.json"; ok $? "the list is cached byte for byte in servers.json"
is "$(stat -c %a "$CACHE")" 644 "the cache is 0644 (not secret)"
ls "$T_TMP/db" | grep -q tmp && fail "a temporary file is left" || pass "no temporary file left"

# 2. Hostile lists: refused, the cache kept, its age told.
python3 -c "
import json
e = json.loads('''$GAN''')
print(json.dumps([dict(e, name='n%d' % i, server='http://h%d.example.vn/' % i) for i in range(12000)]))
" | publish huge.json
list "{\"name\": 5, \"server\": \"http://127.0.0.1:$NEAR/\", \"dlURL\": \"garbage\", \"ulURL\": \"empty\", \"pingURL\": \"empty\"}" \
    '{"name": "x", "server": 7, "dlURL": "g", "ulURL": "e", "pingURL": "e"}' '"just text"' |
    publish types.json
list "$(entry file 'file:///etc/')" "$(entry ftp "ftp://127.0.0.1:$NEAR/")" \
    "$(entry gopher "gopher://127.0.0.1:$NEAR/")" "$(entry js 'javascript:alert(1)')" \
    "$(entry data 'data:text/plain,x')" "$(entry dl "http://127.0.0.1:$NEAR/" 'file:///etc/passwd')" |
    publish nonhttp.json
echo '<html><body>Captive portal: please log in</body></html>' | publish notjson.json
touch -d '-3 hours' "$CACHE"
before=$(stat -c %Y "$CACHE")
for c in "huge.json|larger than 1048576 bytes" \
    "types.json|entry 0 skipped: 'name' missing or not a string" \
    "nonhttp.json|entry 0 skipped: 'server' and its paths do not make http\(s\) URLs" \
    "notjson.json|server list is not valid JSON" \
    "missing.json|HTTP status 404" \
    "slow/good.json|Operation too slow"; do
	f=${c%%|*} why=${c#*|} name=${c%%.json*}
	name=${name#slow/}
	[ "$f" = slow/good.json ] && name=slow
	conf "$T_TMP/$name.ini" "http://127.0.0.1:$LISTS/$f"
	t0=$SECONDS
	"$TRAMDO" -c "$T_TMP/$name.ini" servers > "$T_TMP/$name.out" 2> "$T_TMP/$name.err"
	rc=$? took=$((SECONDS - t0))
	like "$(cat "$T_TMP/$name.err")" "server list: http://127.0.0.1:$LISTS/$f: .*$why.*; the cached list is kept.*using the cached server list $CACHE, fetched 3\.0 hours ago \(2 servers\)" \
	    "$name: refused ($why), the cache's age told" || sed 's/^/#   /' "$T_TMP/$name.err"
	cmp -s "$CACHE" "$L/good.json" && [ "$(stat -c %Y "$CACHE")" = "$before" ]
	ok $? "$name: the cache is unchanged (bytes and mtime); exit status $rc, $(grep -c ' list ' "$T_TMP/$name.out") listed servers pinged"
done
# The trickled list is cut by the low-speed limit (1 kB/s for 5 s), far before curl's 30 s cap.
num_ok "$took < 30" "slow: the fetch ended by itself ($took s)"

# 3. Duplicates and non-http entries: the list is good, its bad entries are left out.
list "$GAN" "$(entry "Gần bis" "http://127.0.0.1:$NEAR/")" "$(entry ftp "ftp://127.0.0.1:$NEAR/")" \
    "$(entry "mid again" "http://127.0.0.1:$MID/")" "$XA" | publish mixed.json
conf "$T_TMP/mixed.ini" "http://127.0.0.1:$LISTS/mixed.json"
"$TRAMDO" -c "$T_TMP/mixed.ini" servers --json > "$T_TMP/mixed.json" 2> "$T_TMP/mixed.err"
is "$?" 0 "a list with duplicates: exit status 0"
like "$(cat "$T_TMP/mixed.err")" "mixed.json: 3 servers; entry 1 skipped: same server as 'Gần'" \
    "duplicates merged, the first reason logged"
is "$(jget "$T_TMP/mixed.json" '" ".join(s["name"] for s in d)')" "mid Gần Xa" \
    "the duplicate, the ftp entry and the copy of [server mid] are not pinged again"
cmp -s "$CACHE" "$L/mixed.json"; ok $? "the accepted list is the cache now"

# 4. Nothing answers.
conf "$T_TMP/none.ini" "http://127.0.0.1:$DEAD/list.json" "$T_TMP/none"
sed -i '/^\[server mid\]/,$d' "$T_TMP/none.ini"
"$TRAMDO" -c "$T_TMP/none.ini" servers > "$T_TMP/none.out" 2> "$T_TMP/none.err"
is "$?" 69 "no list and no cache: exit status 69"
like "$(cat "$T_TMP/none.err")" "no cached server list either.*no server" "... and says so" ||
    sed 's/^/#   /' "$T_TMP/none.err"
list "$(entry gone "http://127.0.0.1:$DEAD/")" | publish dead.json
conf "$T_TMP/dead.ini" "http://127.0.0.1:$LISTS/dead.json" "$T_TMP/dead"
sed -i '/^\[server mid\]/,$d' "$T_TMP/dead.ini"
"$TRAMDO" -c "$T_TMP/dead.ini" servers --json > "$T_TMP/dead.json" 2> "$T_TMP/dead.err"
is "$?" 69 "no server answers: exit status 69"
is "$(jget "$T_TMP/dead.json" '[(s["name"], s["latency_ms"], s["chosen"]) for s in d]')" \
    "[('gone', None, False)]" "... latency null, nothing chosen"
"$TRAMDO" -c "$T_TMP/dead.ini" servers > "$T_TMP/dead.out" 2>&1
like "$(cat "$T_TMP/dead.out")" "  gone +http://127.0.0.1:$DEAD/ +list +no answer" "... 'no answer' in the table"

# 5. The kiosk: the list in the background, a listed server measured, refreshed, kept.
list "$GAN" "$XA" | publish kiosk.json
mkdir -p "$T_TMP/k"
cat > "$T_TMP/k.ini" <<INI
[kiosk]
staff_pin = 1234
result_seconds = 30
result_min_seconds = 0
cooldown_seconds = 0
[test]
server = auto
max_seconds = 2
connect_timeout = 2
[gps]
enabled = no
[storage]
path = $T_TMP/k/results.db
[servers]
list_url = http://127.0.0.1:$LISTS/kiosk.json
list_refresh_hours = 0.002
INI
"$TRAMDO" -c "$T_TMP/k.ini" check-config > "$T_TMP/check.out" 2>&1
is "$?" 0 "check-config accepts a list with no [server] section and a fractional list_refresh_hours"
KLIST="server list: http://127.0.0.1:$LISTS/kiosk.json: 2 servers"
k_start 100 30 "$T_TMP/k.ini"
k_wait_log "$KLIST"; ok $? "the kiosk fetches the list by itself"
cmp -s "$T_TMP/k/servers.json" "$L/kiosk.json"; ok $? "... and caches it"
k_wait_state welcome
k_keys Enter
k_wait_state result; ok $? "a citizen's test with no [server] section ends with a result"
grep '^{' "$K_LOG" | tail -1 > "$T_TMP/k-result.json"
is "$(jget "$T_TMP/k-result.json" 'd["server"]["name"]')" "Gần" "... measured on the nearest listed server"
k_wait_log "$KLIST" 2; ok $? "the list is fetched again after list_refresh_hours"
echo '<html>502 Bad Gateway</html>' | publish kiosk.json
k_wait_log "kiosk.json: server list is not valid JSON.*; the cached list is kept"
ok $? "a bad list is refused and logged"
cmp -s "$T_TMP/k/servers.json" "$L/good.json"; ok $? "... the cache is kept"
k_keys Escape
k_wait_state welcome 2
k_keys C-t C-t C-t
k_wait_state staff_pin
k_keys 1 2 3 4 Enter
k_see 'Danh sách máy chủ đo: +2 máy chủ, cập nhật [0-9]+ phút trước; lần tải gần nhất bị lỗi' \
    "the staff screen shows the list: size, age, the failed fetch"
k_see 'Không tải được danh sách máy chủ đo' "... and the failure among the problems"
# A reload that names another list fetches it at once.
list "$XA" | publish kiosk2.json
sed -i 's|/kiosk.json$|/kiosk2.json|' "$T_TMP/k.ini"
k_keys Escape
k_wait_state welcome 3
kill -HUP "$K_PID"
k_wait_log "server list: http://127.0.0.1:$LISTS/kiosk2.json: 1 servers"
ok $? "a reload with a new list_url fetches the new list"
cmp -s "$T_TMP/k/servers.json" "$L/kiosk2.json"; ok $? "... and caches it"
k_stop
diag "list fetches served: $(grep -c 'GET /kiosk.json' "$T_TMP/lists-access.log")"
done_testing
