#!/usr/bin/env bash
# 16-upload-bodies.t — any server that speaks the protocol, and a small client. Against nginx at its
# default body limit (client_max_body_size 1m) the upload falls back from 8 MiB bodies to 1 MiB ones
# and the result is complete, of the same order as against an unlimited server, with the body size
# recorded. Below the 256 KiB floor (100k) the upload cannot be measured: the result is partial —
# the download kept, stored as outcome "incomplete", `tramdo run` exits 3, history and the CSV
# export say why — and the kiosk shows it on the Result screen with "Tải lên: chưa đo được".
# Footprint (optimised build): `tramdo run` on loopback peaks at most 3 MiB above a run that fails
# at once (the libraries alone), and the idle kiosk's own memory (RssAnon) is at most 3 MiB.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing (make deps installs it)"
plan 24

# The download at most 20 MB/s a stream (~1 Gbit/s in all): what is tested is the upload, and a
# full-speed loopback download would only cost CPU.
echo 'limit_rate 20m;' > "$T_TMP/slow-download.conf"
p0=$(free_port); start_nginx "$p0" "$T_TMP/slow-download.conf" || fail "nginx without a body limit"
p1=$(free_port); NGINX_BODY_MAX=1m start_nginx "$p1" "$T_TMP/slow-download.conf" || fail "nginx at 1m"
p2=$(free_port); NGINX_BODY_MAX=100k start_nginx "$p2" "$T_TMP/slow-download.conf" || fail "nginx at 100k"
grep -q 'client_max_body_size 1m;' "$T_TMP/nginx-$p1/speedtest.conf"
ok $? "one nginx has client_max_body_size 1m (nginx's default), one 100k, one none"

cat > "$T_TMP/t.ini" <<INI
[station]
id = T-16
[test]
max_seconds = 2
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
INI

# run NAME PORT: `tramdo run --json` against the nginx on PORT; exit status in $rc, peak RSS (KiB)
# in $T_TMP/NAME.rss, the JSON in $T_TMP/NAME.json, its log in $T_TMP/NAME.log.
run() {
	/usr/bin/time -f %M -o "$T_TMP/$1.rss" "$TRAMDO" -c "$T_TMP/t.ini" --log "$T_TMP/$1.log" run \
	    --json --server "http://127.0.0.1:$2/" > "$T_TMP/$1.json" 2> "$T_TMP/$1.err"
	rc=$?
}
j() { jget "$T_TMP/$1.json" "$2" 2>/dev/null; }

# Accuracy and memory are the optimised build's; under ASan the fallback and the partial result
# still run, for the memory safety of those paths.
if sanitized; then
	for _ in 1 2 3 4; do pass "# SKIP the unlimited server's run is the optimised build's (rates, memory)"; done
else
	run unlimited "$p0"
	is "$rc" 0 "no body limit: tramdo run exits 0"
	is "$(j unlimited 'd["upload_body_bytes"]')" 8388608 "no body limit: 8 MiB bodies on a fast link"
	up0=$(j unlimited 'd["upload_mbps"]')
	num_ok "${up0:-0} > 0" "no body limit: an upload figure (${up0:-none} Mbit/s)"
	"$TRAMDO" -c "$T_TMP/t.ini" run --server "http://127.0.0.1:$(free_port)/" >/dev/null 2>&1
	/usr/bin/time -f %M -o "$T_TMP/none.rss" "$TRAMDO" -c "$T_TMP/t.ini" run \
	    --server "http://127.0.0.1:$(free_port)/" >/dev/null 2>&1
	base=$(tail -1 "$T_TMP/none.rss"); peak=$(tail -1 "$T_TMP/unlimited.rss")
	diag "peak RSS: $((peak / 1024)) MiB for a loopback test (down $(j unlimited 'd["download_mbps"]'), up $up0 Mbit/s), $((base / 1024)) MiB for a run that fails at once"
	num_ok "$peak <= $base + 3 * 1024" "a loopback test's peak RSS ($peak KiB) is at most 3 MiB above a run that fails at once ($base KiB)"
fi

run limit1m "$p1"
is "$rc" 0 "client_max_body_size 1m: tramdo run exits 0 (a complete result)"
is "$(j limit1m 'd["upload_body_bytes"]')" 1048576 "client_max_body_size 1m: 1 MiB bodies recorded"
is "$(grep -c 'HTTP 413 for a body of' "$T_TMP/limit1m.log")" 3 \
    "client_max_body_size 1m: three refusals logged (8, 4, 2 MiB), then 1 MiB bodies"
up1=$(j limit1m 'd["upload_mbps"]')
diag "upload ${up1:-none} Mbit/s with 1 MiB bodies, ${up0:-not run} without a limit; load $(cut -d' ' -f1-3 /proc/loadavg)"
if sanitized; then
	num_ok "${up1:-0} > 0" "client_max_body_size 1m: an upload figure (${up1:-none} Mbit/s)"
else
	# Loopback rates vary from run to run; a tenth of the unlimited server's would be a fault.
	num_ok "${up1:-0} > ${up0:-0} / 10" "client_max_body_size 1m: upload $up1 Mbit/s, of the order of the unlimited server's $up0"
fi

run limit100k "$p2"
is "$rc" 3 "client_max_body_size 100k: tramdo run exits 3 (a partial result)"
num_ok "$(j limit100k 'd["download_mbps"]') > 0" "100k: the download figure is kept"
is "$(j limit100k 'd["upload_mbps"], d["upload_body_bytes"], d["upload_error"]["code"], "error" in d')" \
    "None 262144 http False" "100k: no upload figure, bodies tried down to 256 KiB, HTTP refused it"
id=$(j limit100k 'd["id"]')
is "$(sqlite3 "$T_TMP/results.db" "SELECT outcome FROM results WHERE id = '$id'")" incomplete \
    "100k: stored with outcome incomplete (neither good nor failed)"
"$TRAMDO" -c "$T_TMP/t.ini" history --json -n 1 > "$T_TMP/h.json" 2>/dev/null
is "$(jget "$T_TMP/h.json" 'd[0]["id"], d[0]["upload_error"]["code"], d[0]["download_mbps"] > 0')" \
    "$id http True" "history: the partial result with its download and the upload's error"
"$TRAMDO" -c "$T_TMP/t.ini" export --since 2000-01-01 --format csv > "$T_TMP/e.csv" 2>/dev/null
is "$(python3 -c 'import csv, sys
r = [x for x in csv.DictReader(open(sys.argv[1])) if x["id"] == sys.argv[2]][0]
print(r["upload_mbps"] == "", float(r["download_mbps"]) > 0, r["upload_body_bytes"], r["upload_error_code"])' \
    "$T_TMP/e.csv" "$id")" "True True 262144 http" "export: the partial row has the download, no upload, and why"

# The kiosk against the 100k server: memory on Welcome, then a citizen's test.
cat > "$T_TMP/k.ini" <<INI
[station]
id = T-16K
[kiosk]
result_seconds = 60
result_min_seconds = 0
[test]
server = small
max_seconds = 2
[server small]
url = http://127.0.0.1:$p2/
[gps]
enabled = no
[storage]
path = $T_TMP/kiosk.db
INI
anon() { sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$K_PID/status" 2>/dev/null; }
k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "kiosk: Welcome"
idle=$(anon)
if sanitized; then
	pass "# SKIP RssAnon under ASan is its shadow memory"
else
	num_ok "${idle:-1e9} <= 3 * 1024" "kiosk: its own memory on Welcome (RssAnon) is ${idle:-?} KiB, at most 3 MiB"
fi
k_keys Enter
k_wait_state result; ok $? "kiosk: a partial result goes to the Result screen, not the error screen"
k_wait 'Tải lên: chưa đo được'; ok $? "kiosk: the Result screen says the upload was not measured"
screen=$(k_screen)
like "$screen" 'Tốc độ tải xuống' "kiosk: ... below the download figure"
python3 - "$SRCDIR/assets/i18n/vi.ini" "$screen" <<'PY'
import configparser, sys
c = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"))
c.read(sys.argv[1], encoding="utf-8")
words = [c["rating"][k] for k in c["rating"]] + [c["verdict"][k] for k in c["verdict"]]
sys.exit(1 if any(w in sys.argv[2] for w in words) else 0)
PY
ok $? "kiosk: no rating or verdict without the upload (nothing to judge video calls by)"
like "$(grep '^{' "$K_LOG" | tail -1)" '"upload_error":\{"code":"http"' "kiosk: its log line has the upload's error"
k_keys Escape
k_wait_state welcome; ok $? "kiosk: back on Welcome"
after=$(anon)
if sanitized; then
	pass "# SKIP RssAnon under ASan is its shadow memory"
else
	num_ok "${after:-1e9} <= 3 * 1024" "kiosk: its own memory on Welcome after a test is ${after:-?} KiB, at most 3 MiB"
fi
diag "kiosk RssAnon: ${idle:-?} KiB on Welcome, ${after:-?} KiB after a test; load $(cut -d' ' -f1-3 /proc/loadavg)"
done_testing
