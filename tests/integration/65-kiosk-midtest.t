#!/usr/bin/env bash
# 65-kiosk-midtest.t — things that go wrong while a citizen's test is running: gpsd dies, the
# collector dies, the disk fills up, another program locks the database. Four kiosks side by
# side, one fault each, three tests each: a normal one, one with the fault striking mid-test,
# and one after. Each kiosk carries on (same process, the result screen promptly after the
# test, back to Welcome, the next test works) and no result is lost (`tramdo history`).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
. "$(dirname "$0")/gps.sh"
. "$(dirname "$0")/upload-lib.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
command -v sqlite3 >/dev/null || command -v python3 >/dev/null || skip_all "no sqlite3 client"
T_START=$(date +%s.%N)
plan 26

SMALL=$T_TMP/small
mkdir -p "$SMALL"
trap 'k_stop_all; umount "$SMALL" 2>/dev/null; t_cleanup' EXIT
# The disk kiosk's database on a 1 MiB tmpfs that can be filled; elsewhere if mounting is not
# allowed (its checks are then skipped).
DISK_OK=
mount -t tmpfs -o size=1m tmpfs "$SMALL" 2>/dev/null && DISK_OK=1

web=$(free_port) CPORT=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$web" || { fail "nginx started"; done_testing; }
start_collector "$CPORT" || { fail "collector started"; done_testing; }
gps_start "$NMEA/fix3d.nmea" || { fail "gpsfake started"; done_testing; }
printf '%s\n' "$TOKEN" > "$T_TMP/token"
chmod 600 "$T_TMP/token"

GPS=0 COLL=1 DISK=2 LOCK=3
NAMES=(gpsd collector disk lock)
DB=("$T_TMP/k0.db" "$T_TMP/k1.db" "$SMALL/k2.db" "$T_TMP/k3.db")
[ -n "$DISK_OK" ] || DB[$DISK]=$T_TMP/k2.db

# write_ini G EXTRA: kiosk G against the loopback nginx, its own database, EXTRA sections.
write_ini() {
	cat > "$T_TMP/k$1.ini" <<INI
[station]
id = M-0$1
name = Trạm thử $1
latitude = 19.806692
longitude = 105.785182
[kiosk]
result_seconds = 30
result_min_seconds = 0
error_seconds = 3
cooldown_seconds = 0
[test]
server = lan
max_seconds = 2
download_streams = 1
upload_streams = 1
connect_timeout = 2
stall_seconds = 2
[server lan]
url = http://127.0.0.1:$web/
[storage]
path = ${DB[$1]}
$2
INI
}
write_ini $GPS "[gps]
host = 127.0.0.1
port = $GPS_PORT
max_fix_age_seconds = 2"
write_ini $COLL "[gps]
enabled = no
[upload]
enabled = yes
format = json
url = http://127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token
timeout_seconds = 2"
write_ini $DISK "[gps]
enabled = no"
write_ini $LOCK "[gps]
enabled = no"

WELCOME='Nhấn phím bất kỳ để bắt đầu đo'
RUNNING='Đang đo'
RESULT='Nhấn phím bất kỳ để quay lại'
for g in 0 1 2 3; do
	k_use $g
	k_start 100 30 "$T_TMP/k$g.ini"
	K_PIDS_OF[$g]=$K_PID
done
K_WANT=([0]="GPS: 3D" [1]=$WELCOME [2]=$WELCOME [3]=$WELCOME)
k_wait_all 15
[ -n "${K_SEEN[$GPS]:-}" ] || diag "the GPS kiosk has no fix yet"

# one_test N: a key on every kiosk, then each on its result screen (the time it took in
# TOOK[G]), then a key back to Welcome. FAULT is run once every kiosk shows the running screen.
one_test() {
	local g t0
	for g in 0 1 2 3; do k_use $g; k_keys Enter; done
	K_WANT=([0]=$RUNNING [1]=$RUNNING [2]=$RUNNING [3]=$RUNNING)
	k_wait_all
	t0=$(date +%s.%N)
	[ -z "${FAULT:-}" ] || $FAULT
	K_WANT=([0]=$RESULT [1]=$RESULT [2]=$RESULT [3]=$RESULT)
	k_wait_all
	for g in 0 1 2 3; do RESULT_SEEN[$g]=${K_SEEN[$g]:-}; done
	TOOK=$(python3 -c "import time; print(round(time.time() - $t0, 1))")
	for g in 0 1 2 3; do k_use $g; k_keys Enter; done
	K_WANT=([0]=$WELCOME [1]=$WELCOME [2]=$WELCOME [3]=$WELCOME)
	k_wait_all
}

one_test
for g in 0 1 2 3; do
	ok "$([ -n "${RESULT_SEEN[$g]}" ] && [ -n "${K_SEEN[$g]:-}" ]; echo $?)" \
	    "${NAMES[$g]}: a first test, before anything goes wrong, to its result and back"
done
BASE=$TOOK

# The faults, struck while every kiosk is on its running screen.
strike() {
	gps_stop &
	stop_collector
	if [ -n "$DISK_OK" ]; then
		dd if=/dev/zero of="$SMALL/fill" bs=16k > /dev/null 2>&1
	fi
	# another program holds the write lock for 7 s (longer than the test has left)
	python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute('BEGIN EXCLUSIVE'); open(sys.argv[2], 'w').close(); time.sleep(7); c.execute('COMMIT')" \
	    "${DB[$LOCK]}" "$T_TMP/locked" &
	LOCKER=$!
	T_PIDS+=("$LOCKER")
	wait_until '[ -e "$T_TMP/locked" ]'
}
FAULT=strike one_test
for g in 0 1 2 3; do
	ok "$([ -n "${RESULT_SEEN[$g]}" ] && [ -n "${K_SEEN[$g]:-}" ]; echo $?)" \
	    "${NAMES[$g]} fails mid-test: the result is shown and the kiosk goes back to Welcome"
done
num_ok "$TOOK < 2 * $BASE + 2" "... promptly: the slowest result screen ${TOOK}s after the fault, the first test's ${BASE}s"
[ -e "$T_TMP/locked" ] && ok 0 "the database was locked during the test" || fail "the database was locked during the test"
like "$(cat "$T_TMP/kiosk-$LOCK.log")" "locked by another program" "lock: the kiosk says the database is locked"
if [ -n "$DISK_OK" ]; then
	like "$(cat "$T_TMP/kiosk-$DISK.log")" "disk is full" "disk: the kiosk says the disk is full"
	rm -f "$SMALL/fill"
else
	pass "# SKIP disk: mount not permitted"
fi
wait "$LOCKER" 2>/dev/null

FAULT= one_test
for g in 0 1 2 3; do
	ok "$([ -n "${RESULT_SEEN[$g]}" ] && [ -n "${K_SEEN[$g]:-}" ]; echo $?)" \
	    "${NAMES[$g]}: the next test works"
	k_use $g
	ok "$(kill -0 "$K_PID" 2>/dev/null; echo $?)" "${NAMES[$g]}: the same kiosk process throughout"
done

# Every result is in the store: the disk kiosk writes its held one once there is room again
# (retried every 5 s), the locked kiosk once the lock is gone.
stored() { "$TRAMDO" -c "$T_TMP/k$1.ini" history --json -n 50 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null; }
for g in 0 1 2 3; do
	wait_until '[ "$(stored $g)" = 3 ]'
	is "$(stored $g)" 3 "${NAMES[$g]}: all three results are in the store"
done
"$TRAMDO" -c "$T_TMP/k$GPS.ini" history --json > "$T_TMP/gps.json" 2>/dev/null
is "$(jget "$T_TMP/gps.json" '" ".join(x["location"]["source"] for x in reversed(d))')" \
    "gps station station" "gpsd: the first result located by GPS, the later ones by the station's position"
"$TRAMDO" -c "$T_TMP/k$COLL.ini" history > "$T_TMP/coll.txt" 2>/dev/null
is "$(grep -c 'json:sent' "$T_TMP/coll.txt") $(grep -c 'json:pending' "$T_TMP/coll.txt")" "1 2" \
    "collector: the first result was sent, the two after it wait to be sent"
elapsed=$(python3 -c "import time; print(round(time.time() - $T_START, 1))")
diag "wall time ${elapsed}s"
done_testing
