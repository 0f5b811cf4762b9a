#!/usr/bin/env bash
# kill -9 at random moments while tramdo stores and uploads (>= 20 runs): the database opens
# cleanly, every committed result is in it, the collector holds each result once, and no run is
# held up by what a killed one left behind (the runs take at most 3 times what uninterrupted runs
# take here and now).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader
plan 8

RUNS=${CRASH_RUNS:-24}
CPORT=$(free_port)
write_config "$T_TMP/t.ini" "format = json
url = http://127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token"
# Each test fails fast against a closed port, so the time goes to storing and uploading.
choose_server closed
start_collector "$CPORT" || fail "collector did not start"
# Slow replies keep uploads in flight long enough for kills to land inside them.
curl -sf -X POST "http://127.0.0.1:$CPORT/_control?delay=0.1" > /dev/null

# The baseline: three runs left alone, each a failed test stored and uploaded.
base_start=$EPOCHREALTIME
for i in 1 2 3; do
	"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$SERVER_URL" > /dev/null 2>&1
done
base=$(python3 -c "print(round(($EPOCHREALTIME - $base_start) / 3, 3))")

start=$EPOCHREALTIME
committed=() killed=0
for i in $(seq "$RUNS"); do
	delay=$(printf '0.%03d' $((RANDOM % 151)))	# 0 to 0.15 s
	if [ $((i % 3)) -ne 0 ]; then
		"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$SERVER_URL" > "$T_TMP/run$i.json" 2> "$T_TMP/run$i.err" &
	else
		"$TRAMDO" -c "$T_TMP/t.ini" upload > /dev/null 2>&1 &
	fi
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2> /dev/null && killed=$((killed + 1))
	wait "$pid" 2> /dev/null
	# The store logs "committed" only after COMMIT returned: that id must survive the kill.
	if [ -s "$T_TMP/run$i.err" ]; then
		committed+=($(sed -n 's/.*store: result \([0-9a-f-]*\) committed.*/\1/p' "$T_TMP/run$i.err"))
	fi
done
loop_end=$EPOCHREALTIME
diag "$RUNS runs, $killed killed mid-way, ${#committed[@]} had logged a committed result"
num_ok "$killed >= $RUNS / 3" "most runs were killed mid-way ($killed of $RUNS)"

is "$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$T_TMP/results.db")" \
    ok "the database passes PRAGMA integrity_check"
"$TRAMDO" -c "$T_TMP/t.ini" history --json -n 100000 > "$T_TMP/h.json"
is "$?" 0 "tramdo history opens it"
stored=$(jget "$T_TMP/h.json" '" ".join(sorted(r["id"] for r in d))')
missing=0
for id in "${committed[@]}"; do [[ " $stored " == *" $id "* ]] || missing=$((missing + 1)); done
is "$missing" 0 "every committed result (${#committed[@]}) is in the database"

# An upload a killed process held stays claimed until the claim expires (timeout_seconds, 5 s
# here, + 30 s); then a tramdo upload takes it over.
wait_until '"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up.out" 2>&1' $((T_WAIT_SECONDS + 35))
ok $? "tramdo upload leaves nothing pending once the killed runs' claims expired" ||
    sed 's/^/# /' "$T_TMP/up.out"
is "$(collector "$CPORT" '" ".join(sorted(d["json"]["ids"]))')" "$stored" \
    "the collector holds exactly the stored results ($(jget "$T_TMP/h.json" 'len(d)'))"
is "$(collector "$CPORT" 'sum(1 for v in d["json"]["ids"].values() if v["stored"] != 1)')" 0 \
    "no result stored twice by the collector (duplicates: 0)"
diag "resends answered 409 (a kill between the collector's reply and our commit): $(collector "$CPORT" 'd["json"]["replays"]')"
loop=$(python3 -c "print(round($loop_end - $start, 1))")
num_ok "$loop < 3 * $RUNS * (0.15 + $base)" \
    "the $RUNS runs took $loop s: at most 3 x $RUNS x (0.15 s of the longest delay + $base s a run alone)"
done_testing
