#!/usr/bin/env bash
# The librespeed sink against LibreSpeed's real telemetry backend (results/telemetry.php, vendored
# in tests/vendor/librespeed/) under nginx + php-fpm on loopback, storing into its own SQLite
# file: a real test against the loopback speed-test nginx and a failed one land as rows whose
# dl, ul, ping and jitter are what LibreSpeed's browser client computes (speedtest_worker.js),
# worked out here again from the figures tramdo recorded; tramdo's own figures are in extra.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader

FPM=$(command -v php-fpm8.2 php-fpm 2>/dev/null | head -1)
[ -n "$FPM" ] || FPM=$(ls /usr/sbin/php-fpm[0-9]* 2>/dev/null | head -1)
[ -n "$FPM" ] || { echo "1..1"; echo "not ok 1 - php-fpm is installed (make deps)"; exit 1; }
plan 16

# LibreSpeed's layout: its settings put the database two levels above results/, here $LS.
LS=$T_TMP/librespeed
mkdir -p "$LS/www"
cp -r "$SRCDIR/tests/vendor/librespeed/results" "$SRCDIR/tests/vendor/librespeed/backend" "$LS/www/"
chmod -R a+rX "$LS"
TDB=$LS/speedtest_telemetry.db

# php-fpm in the foreground on a socket in the temp dir. As root, its workers run as nobody
# (like a web server's), who must be able to create the database beside them.
{
	printf '[global]\npid = %s/php-fpm.pid\nerror_log = %s/php-fpm.log\ndaemonize = no\n' "$LS" "$LS"
	printf '[telemetry]\nlisten = %s/php-fpm.sock\nlisten.mode = 0666\n' "$LS"
	printf 'pm = static\npm.max_children = 2\ncatch_workers_output = yes\n'
	printf 'php_admin_flag[log_errors] = on\nphp_admin_value[error_log] = %s/php-errors.log\n' "$LS"
	if [ "$(id -u)" -eq 0 ]; then
		printf 'user = nobody\ngroup = nogroup\n'
		chmod 777 "$LS"
	fi
} > "$LS/php-fpm.conf"
"$FPM" -F -y "$LS/php-fpm.conf" > "$LS/php-fpm.out" 2>&1 &
FPM_PID=$!
T_PIDS+=("$FPM_PID")
wait_until "[ -S '$LS/php-fpm.sock' ] || ! kill -0 $FPM_PID 2>/dev/null"
ok $? "php-fpm listens on its socket" || sed 's/^/# /' "$LS/php-fpm.out" "$LS/php-fpm.log" 2>/dev/null

# One nginx: the speed-test server; LibreSpeed's telemetry script; and the speed-test server
# again, its pings answered after 1-4 ms (test equipment, not LibreSpeed's): loopback pings of
# 0.03 ms would all read as LibreSpeed's 1 ms floor and leave its ping and jitter untested.
WPORT=$(free_port)
LPORT=$(free_port)
SPORT=$(free_port)
printf '<?php\nusleep(random_int(1000, 4000));\n' > "$LS/www/slow-empty.php"
chmod 644 "$LS/www/slow-empty.php"
cat > "$LS/telemetry.conf" <<CONF
server {
	listen 127.0.0.1:$LPORT;
	root $LS/www;
	location = /results/telemetry.php {
		include /etc/nginx/fastcgi_params;
		fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
		fastcgi_pass unix:$LS/php-fpm.sock;
	}
}
server {
	listen 127.0.0.1:$SPORT;
	client_max_body_size 0;
	location ~ ^/(backend/)?empty(\.php)?\$ {
		if (\$request_method = GET) {
			rewrite ^ /slow-empty.php last;
		}
		return 200;
	}
	location = /slow-empty.php {
		internal;
		include /etc/nginx/fastcgi_params;
		fastcgi_param SCRIPT_FILENAME $LS/www/slow-empty.php;
		fastcgi_pass unix:$LS/php-fpm.sock;
	}
	location / {
		proxy_pass http://127.0.0.1:$WPORT;
	}
}
CONF
NGINX_GARBAGE_MB=8 start_nginx "$WPORT" "$LS/telemetry.conf"
ok $? "nginx serves the speed test on $WPORT"
wait_port "$LPORT" && wait_port "$SPORT"
ok $? "and LibreSpeed's telemetry on $LPORT, the slow-ping server on $SPORT"

write_config "$T_TMP/t.ini" "format = librespeed
librespeed_url = http://127.0.0.1:$LPORT/"

"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "http://127.0.0.1:$SPORT/" > "$T_TMP/good.json" 2> "$T_TMP/good.err"
GOOD=$(jget "$T_TMP/good.json" 'd["id"] if "error" not in d else "failed: " + d["error"]["message"]' 2>&1)
like "$GOOD" '^[0-9a-f-]{36}$' "a real test against the loopback nginx (slow pings) measured" || sed 's/^/# /' "$T_TMP/good.err"
"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "http://127.0.0.1:$(free_port)/" > "$T_TMP/bad.json" 2> "$T_TMP/bad.err"
BAD=$(jget "$T_TMP/bad.json" 'd["id"] + " " + d["error"]["code"]' 2>&1)
like "$BAD" '^[0-9a-f-]{36} connect$' "a test against a closed port failed (connect)"
BAD=${BAD% *}

# `run` uploads before it exits; `upload` sends whatever it could not (none, normally).
"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up.out" 2>&1
ok $? "tramdo upload: nothing left pending" || sed 's/^/# /' "$T_TMP/up.out" "$LS/php-errors.log" 2>/dev/null
"$TRAMDO" -c "$T_TMP/t.ini" history -n 5 > "$T_TMP/h.txt" 2> "$T_TMP/h.err"
is "$(grep -c 'librespeed:sent' "$T_TMP/h.txt")" 2 "both results are marked sent to librespeed" ||
    sed 's/^/# /' "$T_TMP/h.txt"

# The rows as LibreSpeed stored them, and what its client would have stored for tramdo's figures.
python3 - "$TDB" "$T_TMP/good.json" "$T_TMP/bad.json" > "$T_TMP/rows.txt" 2>&1 <<'PY'
import json, sqlite3, sys
from decimal import Decimal, ROUND_HALF_UP

def fixed2(v):
    """JavaScript's toFixed(2): the exact binary value, half up."""
    return str(Decimal(v).quantize(Decimal("0.01"), ROUND_HALF_UP))

def librespeed_latency(samples):
    """speedtest_worker.js pingTest, over the samples in order."""
    prev = ping = jitter = 0.0
    for i, v in enumerate(samples):
        if v < 1:
            v = prev
        if v < 1:
            v = 1
        d = abs(v - prev)
        if i == 0:
            ping = v
        else:
            ping = min(ping, v)
            if i == 1:
                jitter = d
            elif d > jitter:
                jitter = jitter * 0.3 + d * 0.7
            else:
                jitter = jitter * 0.8 + d * 0.2
        prev = v
    return fixed2(ping), fixed2(jitter)

db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT id, ip, ua, dl, ul, ping, jitter, ispinfo, extra, log "
                  "FROM speedtest_users ORDER BY id").fetchall()
print("rows", len(rows))
good, bad = (json.load(open(f)) for f in sys.argv[2:4])
by_id = {json.loads(r[8])["id"]: r for r in rows}
g, b = by_id.get(good["id"]), by_id.get(bad["id"])
ping, jitter = librespeed_latency(good["latency_ms"]["samples"])
print("good", g[3:7] == (fixed2(good["download_mbps"] * 1.06), fixed2(good["upload_mbps"] * 1.06),
                         ping, jitter))
print("good-row", json.dumps(g[3:7]), "expected", fixed2(good["download_mbps"] * 1.06),
      fixed2(good["upload_mbps"] * 1.06), ping, jitter)
print("samples", len(good["latency_ms"]["samples"]), min(good["latency_ms"]["samples"]))
extra = json.loads(g[8])
print("extra", extra["download_mbps"] == good["download_mbps"],
      extra["latency_ms"]["median"] == good["latency_ms"]["median"],
      extra["loaded_latency_ms"] == good["loaded_latency_ms"],
      extra["station"]["id"], extra["location"]["source"], "client" in extra)
print("ua", g[2], g[1])
print("plausible", float(g[3]) > 0 and float(g[4]) > 0, float(g[5]) > 1 and float(g[6]) > 0)
print("bad", " ".join(b[3:7]), json.loads(b[8])["error"]["code"])
# every column as LibreSpeed stored it, for the log (docs/upload.md shows one)
db.row_factory = sqlite3.Row
for r in db.execute("SELECT * FROM speedtest_users ORDER BY id"):
    print("#", json.dumps(dict(r), ensure_ascii=False))
PY
grep '^#' "$T_TMP/rows.txt"
is "$(grep '^rows' "$T_TMP/rows.txt")" "rows 2" "LibreSpeed's database holds 2 rows" ||
    sed 's/^/# /' "$T_TMP/rows.txt" "$LS/php-errors.log" 2>/dev/null
is "$(grep '^good ' "$T_TMP/rows.txt")" "good True" \
    "dl, ul, ping, jitter are LibreSpeed's formulas over tramdo's figures" ||
    grep -e '^good-row' -e Error "$T_TMP/rows.txt" | sed 's/^/# /'
diag "$(grep -e '^good-row' -e '^samples' "$T_TMP/rows.txt" | tr '\n' ' ')"
is "$(grep '^extra' "$T_TMP/rows.txt")" "extra True True True TH-TS-01 station False" \
    "extra: tramdo's payload rates, median and loaded latency, station, location; no client"
like "$(grep '^ua' "$T_TMP/rows.txt")" '^ua tramdo/[0-9.]+ 127\.0\.0\.1$' "LibreSpeed recorded tramdo's User-Agent and address"
is "$(grep '^bad' "$T_TMP/rows.txt")" "bad Fail Fail Fail Fail connect" \
    "the failed test: Fail in every column, as the browser sends it; its error in extra"

# A second upload sends nothing again.
"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up2.out" 2>&1
ok $? "a second tramdo upload exits 0"
is "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM speedtest_users").fetchone()[0])' "$TDB")" 2 \
    "and LibreSpeed still holds 2 rows"
like "$(grep '^samples' "$T_TMP/rows.txt")" '^samples 10 ' "the stored result keeps its 10 latency samples"
is "$(grep '^plausible' "$T_TMP/rows.txt")" "plausible True True" \
    "the stored rates are positive; ping above LibreSpeed's 1 ms floor, jitter above 0 (slow pings)"
done_testing
