#!/usr/bin/env bash
# Results reach a real InfluxDB 1.6 (Debian's influxd, on loopback with its own dirs) with the
# right tags and fields, read back through its HTTP API; a resend overwrites, never duplicates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader
command -v influxd > /dev/null || skip_all "influxd not installed (Debian package influxdb)"
plan 15

start_influxdb
ok $? "InfluxDB 1.6 on 127.0.0.1:$IPORT with database tramdo" || done_testing

# influx QUERY: the JSON answer of /query on db tramdo, timestamps in epoch seconds.
influx() {
	curl -sf -G "http://127.0.0.1:$IPORT/query" --data-urlencode db=tramdo --data-urlencode epoch=s \
	    --data-urlencode "q=$1" > "$T_TMP/q.json"
}

write_config "$T_TMP/t.ini" "format = influx
influx_url = http://127.0.0.1:$IPORT
influx_db = tramdo"
# A station id with every character line protocol must escape.
sed -i 's/^id = TH-TS-01$/id = TH TS,01=A/' "$T_TMP/t.ini"
choose_server real
CLOSED_URL=http://127.0.0.1:$(free_port)/
# A complete test, then one that fails at once (nothing listens): both are points. A point's
# identity is its tags and its second, and the complete test lasts several seconds.
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$SERVER_URL" > "$T_TMP/run1.json" 2> "$T_TMP/run1.err"
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$CLOSED_URL" > "$T_TMP/run2.json" 2> "$T_TMP/run2.err"
is "$(jget "$T_TMP/run1.json" '"error" in d'):$(jget "$T_TMP/run2.json" 'd["error"]["code"]')" "False:connect" \
    "one complete test, one failed"
"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up.out" 2>&1
is "$?" 0 "tramdo upload: nothing left pending"
"$TRAMDO" -c "$T_TMP/t.ini" history --json > "$T_TMP/h.json"

influx 'SELECT * FROM speedtest ORDER BY time'
cat > "$T_TMP/points.py" <<'PY'
import json, sys, calendar, time
q = json.load(open(sys.argv[1]))["results"][0]["series"][0]
pts = [dict(zip(q["columns"], v)) for v in q["values"]]
hist = {r["id"]: r for r in json.load(open(sys.argv[2]))}
what = sys.argv[3]
def ts(s): return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
if what == "count": print(len(pts))
elif what == "ids": print(" ".join(sorted(p["result_id"] for p in pts)) == " ".join(sorted(hist)))
elif what == "tags": print(sorted({(p["station"], p["isp"], p["commune_code"]) for p in pts}))
elif what == "source": print(all(p["source"] == hist[p["result_id"]]["location"]["source"] for p in pts))
elif what == "time": print(all(p["time"] == ts(hist[p["result_id"]]["started_at"]) for p in pts))
elif what == "figures":
    ok = True
    for p in pts:
        r = hist[p["result_id"]]
        if "error" in r:
            ok &= p["error"] == r["error"]["code"] and p.get("download_mbps") is None
        else:
            ok &= abs(p["download_mbps"] - r["download_mbps"]) < 1e-9
            ok &= abs(p["upload_mbps"] - r["upload_mbps"]) < 1e-9
            ok &= abs(p["latency_median_ms"] - r["latency_ms"]["median"]) < 1e-9
            ok &= p["download_bytes"] == r["bytes"]["download"]
    print(ok)
elif what == "trigger": print(sorted({p["trigger"] for p in pts}))
PY
pts() { python3 "$T_TMP/points.py" "$T_TMP/q.json" "$T_TMP/h.json" "$1"; }
is "$(pts count)" 2 "2 points in measurement speedtest"
is "$(pts ids)" True "their result_id fields are the stored results' ids"
is "$(pts tags)" "[('TH TS,01=A', 'VNPT Thanh Hoá', '15553')]" \
    "tags station (spaces, comma, equals sign), isp (Vietnamese), commune_code arrive intact"
is "$(pts source)" True "tag source is the result's location source"
is "$(pts time)" True "timestamps are started_at (seconds)"
is "$(pts figures)" True "fields carry the figures (or the error code of a failed test)"
is "$(pts trigger)" "['cli']" "field trigger"
diag "one point: $(python3 -c 'import json,sys; q=json.load(open(sys.argv[1]))["results"][0]["series"][0]; print(dict(zip(q["columns"], q["values"][0])))' "$T_TMP/q.json")"

# A resend (as after a crash between InfluxDB's 204 and our commit) overwrites the same point.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE uploads SET state='pending', next_attempt=0\"); c.commit()" "$T_TMP/results.db"
"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up2.out" 2>&1
is "$?" 0 "the resend is accepted"
like "$(cat "$T_TMP/up2.out")" "sent 2," "both results were sent again"
influx 'SELECT count(result_id) FROM speedtest'
is "$(jget "$T_TMP/q.json" 'd["results"][0]["series"][0]["values"][0][1]')" 2 "still 2 points: no duplicate"

# A write InfluxDB refuses (no such database) is a rejection, kept in the store.
sed -i 's/^influx_db = tramdo$/influx_db = nosuchdb/' "$T_TMP/t.ini"
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$CLOSED_URL" > "$T_TMP/run3.json" 2> "$T_TMP/run3.err"
like "$(cat "$T_TMP/run3.err")" "influx rejected result .*HTTP 404.*database not found.*kept, not retried" \
    "a missing database is reported as a rejection (HTTP 404)"
is "$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT state FROM uploads WHERE result_id=?\", (sys.argv[2],)).fetchone()[0])" \
    "$T_TMP/results.db" "$(jget "$T_TMP/run3.json" 'd["id"]')")" rejected "the result is kept, marked rejected"
done_testing
