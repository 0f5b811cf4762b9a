#!/usr/bin/env bash
# 79-dashboard.t — config/grafana-dashboard.json answers what was sent. Three stations in two
# communes with two providers measure a loopback nginx (`tramdo run`) and upload to a real
# InfluxDB 1.6 through the influx sink; one point of a fake, silent station is written directly
# (test data). Then every query of every panel and variable is run against InfluxDB's /query
# API (tests/integration/dashboard.py: Grafana's macros and variables substituted, three
# selections of the variables) and its answer compared with the results as stored
# (`tramdo export`): samples per commune this month, medians per provider and commune, latency
# under load, the silent kiosk. A query without a check fails. No Grafana server runs: Grafana
# is not in Debian; the queries are what is tested.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader
command -v influxd > /dev/null || skip_all "influxd not installed (Debian package influxdb)"
command -v nginx > /dev/null || skip_all "nginx not installed"
# The queries are the point, not tramdo's memory: its influx encoder runs under ASan in
# test_codec and 60-influx.t, and 6 measurements more would double this file's CPU time.
sanitized && skip_all "the dashboard's queries are checked on the optimised build only (the influx encoder is sanitized in test_codec and 60-influx.t)"
DASH=$SRCDIR/config/grafana-dashboard.json
CHECK=$SRCDIR/tests/integration/dashboard.py
nchecks=$(python3 "$CHECK" "$DASH" count) || { plan 1; fail "dashboard.py reads the dashboard"; done_testing; }
plan $((6 + nchecks))

start_influxdb
ok $? "InfluxDB 1.6 on 127.0.0.1:$IPORT with database tramdo" || done_testing
WEB=$(free_port)
# The queries are the point, not the rates: downloads capped at 16 Mbit/s a connection keep the
# measurements cheap (uploads are not capped: nginx has no limit for request bodies).
echo 'limit_rate 2m;' > "$T_TMP/rate.conf"
NGINX_GARBAGE_MB=4 start_nginx "$WEB" "$T_TMP/rate.conf"
ok $? "speed-test nginx on 127.0.0.1:$WEB" || done_testing
CLOSED=http://127.0.0.1:$(free_port)/

# station ID COMMUNE CODE ISP: the station's INI file, uploading to InfluxDB only.
station() {
	cat > "$T_TMP/$1.ini" <<INI
[station]
id = $1
name = Trung tâm Văn hóa $2
province = Thanh Hoá
district = Như Thanh
commune = $2
commune_code = $3
isp = $4
access = FTTH
latitude = 19.58
longitude = 105.57
[test]
server = lan
max_seconds = 2
download_streams = 1
upload_streams = 1
ping_count = 10
connect_timeout = 2
[gps]
enabled = no
[upload]
enabled = yes
format = influx
influx_url = http://127.0.0.1:$IPORT
influx_db = tramdo
timeout_seconds = 10
[server lan]
url = http://127.0.0.1:$WEB/
[storage]
path = $T_TMP/$1.db
INI
}
station th-ts-01 "Tân Sơn" 15553 VNPT
station th-ts-02 "Tân Sơn" 15553 Viettel
station th-xl-01 "Xuân Lộc" 15556 Viettel
STATIONS="th-ts-01 th-ts-02 th-xl-01"
bad=""
for s in $STATIONS; do "$TRAMDO" -c "$T_TMP/$s.ini" check-config > "$T_TMP/$s.check" 2>&1 || bad="$bad $s"; done
is "$bad" "" "the three stations' INI files are valid" || sed 's/^/# /' "$T_TMP"/*.check

# runs STATION SERVER...: one `tramdo run` per SERVER ("lan", or a URL), one after the other
# (a station never starts two tests in one second: a point's identity is its tags and second).
runs() {
	local s=$1 n=0 srv
	shift
	for srv in "$@"; do
		n=$((n + 1))
		"$TRAMDO" -c "$T_TMP/$s.ini" run --json --server "$srv" > "$T_TMP/$s-$n.json" 2>> "$T_TMP/$s.err"
	done
}
# The stations measure side by side: 5 complete tests, and one that fails at once (a result
# too, and a point, but not a sample).
runs th-ts-01 lan lan & p1=$!
runs th-ts-02 lan lan & p2=$!
runs th-xl-01 lan "$CLOSED" & p3=$!
wait $p1 $p2 $p3
for s in $STATIONS; do
	"$TRAMDO" -c "$T_TMP/$s.ini" export --since 2000-01-01 --format json > "$T_TMP/$s.export" 2>> "$T_TMP/$s.err"
done
python3 - "$T_TMP" $STATIONS > "$T_TMP/results.json" <<'PY'
import json, sys
print(json.dumps([r for s in sys.argv[2:] for r in json.load(open("%s/%s.export" % (sys.argv[1], s)))]))
PY
# What the dashboard must show is computed from what was stored, so a test slowed into an
# error on a busy machine changes the expected figures, not the verdict; the closed port must
# fail, and dashboard.py fails a query whose expected answer is empty.
is "$(python3 -c '
import json, sys
rs = json.load(open(sys.argv[1]))
print(len(rs), [r.get("error", {}).get("code") for r in rs if r["server"]["url"] == sys.argv[2]])
print("# complete tests:", sum(1 for r in rs if "error" not in r), file=sys.stderr)' "$T_TMP/results.json" "$CLOSED" 2> "$T_TMP/n.err")" \
    "6 ['connect']" "6 results stored (tramdo export); the one against a closed port failed" ||
    sed 's/^/# /' "$T_TMP"/*.err
cat "$T_TMP/n.err"

pending=""
for s in $STATIONS; do
	"$TRAMDO" -c "$T_TMP/$s.ini" upload > "$T_TMP/$s.upload" 2>&1 || pending="$pending $s"
done
is "$pending" "" "every result was uploaded by the influx sink (tramdo upload: none pending)" ||
    sed 's/^/# /' "$T_TMP"/*.upload

# TEST DATA, not a result: the last point of a kiosk that went silent three days ago.
old=$(( $(date +%s) - 3 * 86400 ))
printf 'speedtest,station=test-stale-01 result_id="test-data-silent-kiosk",trigger="test-data" %s\n' "$old" |
    curl -sf -XPOST "http://127.0.0.1:$IPORT/write?db=tramdo&precision=s" --data-binary @- > /dev/null
ok $? "test data: one point of station test-stale-01, 3 days old, written directly"
printf '[{"station": "test-stale-01", "time": %s, "result_id": "test-data-silent-kiosk"}]\n' "$old" > "$T_TMP/extra.json"

python3 "$CHECK" "$DASH" check "http://127.0.0.1:$IPORT" tramdo "$T_TMP/results.json" "$T_TMP/extra.json" \
    > "$T_TMP/checks.out" 2> "$T_TMP/checks.err"
while IFS=$'\t' read -r status text; do
	case $status in
	0 | 1) ok "$status" "$text" ;;
	'#') diag "$text" ;;
	esac
done < "$T_TMP/checks.out"
[ -s "$T_TMP/checks.err" ] && sed 's/^/# /' "$T_TMP/checks.err"
done_testing
