#!/usr/bin/env bash
# Bad disks: full (small tmpfs, and ulimit -f), read-only, locked, a damaged file: a clear
# message, exit status 1, never a crash; the result's JSON goes to the log; the database works
# again once the disk is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader
plan 17

SMALL="$T_TMP/small"
mkdir -p "$SMALL"
trap 'umount "$SMALL" 2> /dev/null; t_cleanup' EXIT
choose_server closed

# run_tramdo NAME ARGS...: runs tramdo, keeps stdout/stderr in $T_TMP/NAME.{out,err}, sets RC.
run_tramdo() {
	local name=$1
	shift
	"$TRAMDO" "$@" > "$T_TMP/$name.out" 2> "$T_TMP/$name.err"
	RC=$?
}
stored() { "$TRAMDO" -c "$1" history --json -n 1000 2> /dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

if mount -t tmpfs -o size=512k tmpfs "$SMALL" 2> /dev/null; then
	DB="$SMALL/results.db" write_config "$T_TMP/small.ini" "format = json
url = http://127.0.0.1:$(free_port)/api/results"
	run_tramdo ok1 -c "$T_TMP/small.ini" run --json --server "$SERVER_URL"
	is "$(stored "$T_TMP/small.ini")" 1 "tmpfs: a first result is stored"

	dd if=/dev/zero of="$SMALL/fill" bs=16k > /dev/null 2>&1
	run_tramdo full -c "$T_TMP/small.ini" run --json --server "$SERVER_URL"
	is "$RC" 1 "disk full: tramdo run exits 1 (no crash)"
	like "$(cat "$T_TMP/full.err")" "result not stored: database .*results.db (cannot grow: the disk is full|cannot be read or written: disk I/O error)" \
	    "disk full: the message says the disk is full"
	id=$(jget "$T_TMP/full.out" 'd["id"]')
	like "$(cat "$T_TMP/full.err")" "\"id\":\"$id\"" "disk full: the unstored result's JSON is in the log"
	rm -f "$SMALL/fill"
	run_tramdo ok2 -c "$T_TMP/small.ini" run --json --server "$SERVER_URL"
	is "$(stored "$T_TMP/small.ini")" 2 "space freed: the next result is stored"

	mount -o remount,ro "$SMALL"
	run_tramdo ro -c "$T_TMP/small.ini" run --json --server "$SERVER_URL"
	is "$RC" 1 "read-only filesystem: tramdo run exits 1 (no crash)"
	like "$(cat "$T_TMP/ro.err")" "database .*results.db is read-only" "read-only: the message says so"
	# history only reads (the database opened read-only): a read-only disk is no obstacle.
	run_tramdo roh -c "$T_TMP/small.ini" history --json
	is "$RC $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T_TMP/roh.out" 2>&1)" "0 2" \
	    "read-only: tramdo history still lists the 2 stored results"
	mount -o remount,rw "$SMALL"
	run_tramdo ok3 -c "$T_TMP/small.ini" run --json --server "$SERVER_URL"
	is "$(stored "$T_TMP/small.ini")" 3 "writable again: the next result is stored"
	umount "$SMALL"
else
	for _ in $(seq 9); do pass "# SKIP mount is not permitted here"; done
fi

# A file size limit: SIGXFSZ must not kill tramdo; SQLite's error is reported.
write_config "$T_TMP/t.ini" "format = json
url = http://127.0.0.1:$(free_port)/api/results"
run_tramdo first -c "$T_TMP/t.ini" run --json --server "$SERVER_URL"
(ulimit -f 1; exec "$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$SERVER_URL" > "$T_TMP/fsize.out" 2> "$T_TMP/fsize.err")
RC=$?
is "$RC" 1 "ulimit -f: tramdo run exits 1, not killed by SIGXFSZ"
like "$(cat "$T_TMP/fsize.err")" "result not stored: database .*(disk is full|disk I/O error)" "ulimit -f: a clear message"
is "$(stored "$T_TMP/t.ini")" 1 "ulimit -f: the database still holds the earlier result"

# Locked by another program for much longer than the busy timeout (5 s), however slowly a busy
# machine starts tramdo (the locker is stopped at the end).
python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN EXCLUSIVE'); open(sys.argv[2], 'w').close(); time.sleep(60)" "$T_TMP/results.db" "$T_TMP/locked" &
T_PIDS+=("$!")
locker=$!
wait_until '[ -e "$T_TMP/locked" ]'
run_tramdo locked -c "$T_TMP/t.ini" run --json --server "$SERVER_URL"
is "$RC" 1 "locked: tramdo run exits 1 after the busy timeout"
like "$(cat "$T_TMP/locked.err")" "is locked by another program" "locked: the message says so"
kill "$locker"; wait "$locker" 2> /dev/null

# A damaged header: the file is not recognisable any more, so it is never written.
printf 'garbage-garbage-garbage-garbage-garbage-garbage-garbage-garbage-garbage-garbage-garbage-garbage' |
    dd of="$T_TMP/results.db" conv=notrunc 2> /dev/null
rm -f "$T_TMP/results.db-wal" "$T_TMP/results.db-shm"
before=$(sha256sum < "$T_TMP/results.db")
run_tramdo corrupt -c "$T_TMP/t.ini" run --json --server "$SERVER_URL"
like "$RC $(cat "$T_TMP/corrupt.err")" "^1 .*not an SQLite database; tramdo will not overwrite it" "damaged: refused with a clear message"
is "$(sha256sum < "$T_TMP/results.db")" "$before" "damaged: the file is left byte for byte as it was"

# Another program's database is never touched.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t(x)'); c.commit()" "$T_TMP/other.db"
sed -i "s|^path = .*|path = $T_TMP/other.db|" "$T_TMP/t.ini"
before=$(sha256sum < "$T_TMP/other.db")
run_tramdo other -c "$T_TMP/t.ini" run --json --server "$SERVER_URL"
like "$RC $(cat "$T_TMP/other.err") $(sha256sum < "$T_TMP/other.db")" "^1 .*not a tramdo database.*$before" \
    "another program's database: refused, unchanged"
done_testing
