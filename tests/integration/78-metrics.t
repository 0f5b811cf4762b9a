#!/usr/bin/env bash
# 78-metrics.t — fleet health for Prometheus ([metrics] textfile, src/metrics.c): the real kiosk
# runs a test against a loopback nginx and uploads to two sinks (json to the stand-in collector,
# tests/mock_collector.py, which succeeds; influx to a closed port, which keeps its result
# pending); Debian's own prometheus-node-exporter (textfile collector only) reads the file it
# writes, and the scraped values are checked against the stored result. The station name is
# hostile (quotes, backslashes, a "\n" written out): node_exporter must parse the file and give
# the name back unchanged. promtool lints the file and checks and unit-tests the shipped alert
# rules (config/tramdo-alerts.yml, tests/fixtures/tramdo-alerts.test.yml). A write error is
# logged once and shown to staff, and a clean exit leaves tramdo_up 0. Last, the ACL line of
# systemd/tramdo.tmpfiles.conf lets an unprivileged kiosk write into a directory like Debian's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
. "$(dirname "$0")/upload-lib.sh"
command -v tmux > /dev/null || skip_all "tmux missing"
command -v nginx > /dev/null || skip_all "nginx missing"
NODE_EXPORTER=$(command -v prometheus-node-exporter)
[ -n "$NODE_EXPORTER" ] || skip_all "prometheus-node-exporter missing (make deps installs it)"
command -v promtool > /dev/null || skip_all "promtool missing (package prometheus; make deps)"
plan 33

PROM=$T_TMP/prom		# node_exporter's textfile directory for this test
FILE=$PROM/tramdo.prom
mkdir -p "$PROM"
web=$(free_port) CPORT=$(free_port) closed=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$web" || { fail "nginx started"; done_testing; }
start_collector "$CPORT" || fail "collector did not start"

# The station name as staff might type it: quotes, backslashes and a written-out "\n" (not a
# backslash at the end: iniparser joins the next line to such a value).
NAME='Nhà "Văn hoá" C:\new\ \n xã Thử \"cũ\"'
write_config "$T_TMP/k.ini" "format = json,influx
url = http://127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token
influx_url = http://127.0.0.1:$closed/
influx_db = tramdo"
python3 - "$T_TMP/k.ini" "$NAME" <<'EOF'
import sys
path, name = sys.argv[1:]
text = open(path, encoding="utf-8").read()
text = "\n".join("name = " + name if l.startswith("name = ") else l for l in text.split("\n"))
open(path, "w", encoding="utf-8").write(text)
EOF
metrics_ini() { printf '[metrics]\ntextfile = %s\n' "$1"; }
{
	printf '[kiosk]\nresult_seconds = 5\nresult_min_seconds = 0\ncooldown_seconds = 0\n'
	printf 'staff_pin = 24680\n[server lan]\nurl = http://127.0.0.1:%s/\n' "$web"
	metrics_ini "$FILE"
} >> "$T_TMP/k.ini"
sed -i 's/^\[test\]$/[test]\nserver = lan/' "$T_TMP/k.ini"
"$TRAMDO" -c "$T_TMP/k.ini" check-config > "$T_TMP/check.out" 2>&1
ok $? "check-config accepts the station file" || sed 's/^/# /' "$T_TMP/check.out"

# sample FILE NAME [LABEL=VALUE]: a sample's value from exposition text (label values unescaped).
sample() {
	python3 - "$@" <<'EOF'
import re, sys
path, name = sys.argv[1], sys.argv[2]
want = dict(a.split("=", 1) for a in sys.argv[3:])
label = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
unescape = lambda v: re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v)
for line in open(path, encoding="utf-8"):
    m = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line.rstrip("\n"))
    if not m or m.group(1) != name:
        continue
    labels = {k: unescape(v) for k, v in label.findall(m.group(2) or "")}
    if all(labels.get(k) == v for k, v in want.items()):
        print(m.group(3))
        break
EOF
}
# has FILE NAME [LABEL=VALUE] VALUE: the file holds that sample with that value.
has() { local f=$1; shift; [ "$(sample "$f" "${@:1:$#-1}")" = "${!#}" ]; }

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "welcome"
wait_until 'has "$FILE" tramdo_kiosk_state state=welcome 1'
ok $? "the kiosk writes its file on start: state welcome"
is "$(stat -c %a "$FILE" 2>&1)" 644 "... readable by node_exporter's user (the kiosk's umask is 0077)"

k_keys Enter
k_wait_state result; ok $? "a test ran to its result"
# The result is stored before it is shown; the json sink takes it in the background.
wait_until 'has "$FILE" tramdo_tests_today outcome=good 1 &&
    has "$FILE" tramdo_upload_pending_results sink=json 0'
ok $? "the file reflects the test and the upload round: 1 good test today, nothing pending for json" ||
    sed 's/^/# /' "$FILE"
"$TRAMDO" -c "$T_TMP/k.ini" history --json > "$T_TMP/h.json" 2> "$T_TMP/h.err"
is "$(jget "$T_TMP/h.json" 'len(d)')" 1 "one result stored" || sed 's/^/# /' "$T_TMP/h.err"

# --- node_exporter reads it, as on a kiosk PC
NPORT=$(free_port)
"$NODE_EXPORTER" --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$PROM" --web.listen-address="127.0.0.1:$NPORT" \
    > "$T_TMP/node_exporter.log" 2>&1 &
NPID=$!
T_PIDS+=("$NPID")
wait_port "$NPORT" "$NPID"; ok $? "node_exporter listens on 127.0.0.1:$NPORT" ||
    sed 's/^/# /' "$T_TMP/node_exporter.log"
curl -sf "http://127.0.0.1:$NPORT/metrics" > "$T_TMP/scrape.txt"
ok $? "scraped /metrics"
S=$T_TMP/scrape.txt
is "$(sample "$S" node_textfile_scrape_error)" 0 "node_exporter parsed the file: node_textfile_scrape_error 0" ||
    grep -i textfile "$T_TMP/node_exporter.log" | sed 's/^/# /'
is "$(sample "$S" tramdo_info station=TH-TS-01 name="$NAME")" 1 \
    "the hostile station name comes back from node_exporter unchanged" ||
    grep '^tramdo_info' "$S" | sed 's/^/# /'
is "$(sample "$S" tramdo_up)" 1 "tramdo_up 1"
is "$(sample "$S" tramdo_tests_today outcome=good)" 1 "good tests today: 1"
is "$(sample "$S" tramdo_tests_today outcome=failed)" 0 "failed tests today: 0"
is "$(sample "$S" tramdo_last_test_outcome outcome=good)" 1 "the last test's outcome: good"
# Figures are stored with 2 decimals (Mbit/s, ms); the file has them unrounded, in base units.
stored() { jget "$T_TMP/h.json" "'%.2f' % d[0]$1"; }
as_stored() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) * $2))" "${1:-nan}"; }
d=$(sample "$S" tramdo_last_download_bytes_per_second)
is "$(as_stored "$d" 8e-6)" "$(stored '["download_mbps"]')" "last download ($d byte/s) is the stored download_mbps"
u=$(sample "$S" tramdo_last_upload_bytes_per_second)
is "$(as_stored "$u" 8e-6)" "$(stored '["upload_mbps"]')" "last upload ($u byte/s) is the stored upload_mbps"
l=$(sample "$S" tramdo_last_latency_seconds)
is "$(as_stored "$l" 1e3)" "$(stored '["latency_ms"]["median"]')" "last latency ($l s) is the stored median"
started=$(jget "$T_TMP/h.json" 'd[0]["started_at"]')
t=$(sample "$S" tramdo_last_test_timestamp_seconds)
is "$(python3 -c "import sys,datetime; print(datetime.datetime.fromtimestamp(float(sys.argv[1]) // 1, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))" "${t:-0}")" \
    "$started" "the last test's time is the stored started_at ($started)"
is "$(sample "$S" tramdo_upload_pending_results sink=influx)" 1 "pending for influx (closed port): 1"
sent=$(sample "$S" tramdo_upload_last_success_timestamp_seconds sink=json)
num_ok "${sent:-0} >= ${t:-1} and ${sent:-0} <= $(date +%s) + 1" "json's last upload ($sent) is after the test and not in the future"
is "$(sample "$S" tramdo_upload_last_success_timestamp_seconds sink=influx)" 0 "influx never accepted one: 0"

# --- promtool: the file is clean exposition text, and the alert rules hold
out=$(promtool check metrics < "$FILE" 2>&1); rc=$?
is "$rc:$out" "0:" "promtool check metrics: exit 0, nothing to say"
out=$(promtool check rules "$SRCDIR/config/tramdo-alerts.yml" 2>&1)
ok $? "promtool check rules config/tramdo-alerts.yml" || echo "$out" | sed 's/^/# /'
# promtool resolves rule_files against the test file's directory: run it on a copy beside them.
cp "$SRCDIR/config/tramdo-alerts.yml" "$SRCDIR/tests/fixtures/tramdo-alerts.test.yml" "$T_TMP/"
out=$(cd "$T_TMP" && promtool test rules tramdo-alerts.test.yml 2>&1)
ok $? "promtool test rules: each alert fires when it should and not otherwise" ||
    echo "$out" | sed 's/^/# /'

# --- a file that cannot be written: logged once, shown to staff, written again once fixed
sed -i "s|^textfile = .*|textfile = $T_TMP/missing/tramdo.prom|" "$T_TMP/k.ini"
kill -HUP "$K_PID"
k_wait_log 'metrics: cannot create'; ok $? "an unwritable metrics file is logged"
k_keys C-t C-t C-t
k_wait 'PIN' && k_keys 2 4 6 8 0 Enter
k_wait 'tệp giám sát tình trạng trạm đo'; ok $? "... and shown on the staff screen"
k_keys Escape
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
sed -i "s|^textfile = .*|textfile = $FILE|" "$T_TMP/k.ini"
kill -HUP "$K_PID"
k_wait_log "metrics: $FILE is written again"
is "$(k_log_count 'metrics: cannot create')" 1 "the error was logged once, not again at the writes that followed"

# --- a clean exit: tramdo_up 0, no temporary file left
kill -TERM "$K_PID"
wait_until 'has "$FILE" tramdo_up 0'
ok $? "after SIGTERM the file says tramdo_up 0"
is "$(cd "$PROM" && ls -A)" tramdo.prom "no temporary file is left beside it"

# --- the deployment's permissions: systemd/tramdo.tmpfiles.conf's ACL line, applied to a
# root:root 0755 directory like Debian's (user nobody standing in for tramdo), lets an
# unprivileged kiosk with the unit's UMask=0077 write a file node_exporter's user can read.
if [ "$(id -u)" -ne 0 ] || ! command -v systemd-tmpfiles > /dev/null || ! command -v setpriv > /dev/null; then
	for _ in 1 2 3; do pass "# SKIP needs root, systemd-tmpfiles and setpriv (util-linux)"; done
	done_testing
fi
ACL=$T_TMP/node-exporter
install -d -m 755 "$ACL"
sed -n 's|^a+ /var/lib/prometheus/node-exporter \(.*\)u:tramdo:|a+ '"$ACL"' \1u:nobody:|p' \
    "$SRCDIR/systemd/tramdo.tmpfiles.conf" > "$T_TMP/acl.conf"
systemd-tmpfiles --create "$T_TMP/acl.conf" > "$T_TMP/acl.out" 2>&1
ok $? "tramdo.tmpfiles.conf's ACL line applies ($(cat "$T_TMP/acl.conf"))" || sed 's/^/# /' "$T_TMP/acl.out"
printf '[station]\nid = ACL-01\n[gps]\nenabled = no\n[storage]\npath = %s/acl.db\n[metrics]\ntextfile = %s/tramdo.prom\n' \
    "$T_TMP" "$ACL" > "$T_TMP/acl.ini"
chmod 644 "$T_TMP/acl.ini"
ASOCK=tramdo-metrics-acl-$$
tmux -L "$ASOCK" -f /dev/null new-session -d -s k -x 100 -y 30 "umask 077; exec setpriv \
    --reuid=nobody --regid=nogroup --clear-groups env LANG=C.UTF-8 TRAMDO_DATADIR=$SRCDIR/assets \
    $(nobody_tramdo) -c $T_TMP/acl.ini"
T_PIDS+=("$(tmux -L "$ASOCK" display -p -t k '#{pid}')")
APID=$(tmux -L "$ASOCK" display -p -t k '#{pane_pid}')
wait_until '[ -s "$ACL/tramdo.prom" ]'
is "$(stat -c '%U %a' "$ACL/tramdo.prom" 2>&1)" "nobody 644" \
    "an unprivileged kiosk writes its file there, readable by all" || ls -la "$ACL" | sed 's/^/# /'
k_stop_one "$ASOCK" "$APID"
# The ACL as the kernel keeps it: the owner, the owning group and others keep rwx, r-x, r-x
# (ls shows the mask, rwx, in the group bits); only user nobody gains write.
acl=$(python3 - "$ACL" <<'EOF'
import os, struct, sys
raw = os.getxattr(sys.argv[1], "system.posix_acl_access")
names = {1: "user_obj", 2: "user", 4: "group_obj", 8: "group", 0x10: "mask", 0x20: "other"}
out = []
for i in range(4, len(raw), 8):
    tag, perm, uid = struct.unpack_from("<HHI", raw, i)
    out.append(names[tag] + (":%d" % uid if tag in (2, 8) else "") + ":%d" % perm)
print(" ".join(out))
EOF
)
is "$(stat -c '%U:%G' "$ACL") $acl" "root:root user_obj:7 user:$(id -u nobody):7 group_obj:5 mask:7 other:5" \
    "the directory keeps its owner, group and their rights; one ACL entry for the kiosk's user"
done_testing
