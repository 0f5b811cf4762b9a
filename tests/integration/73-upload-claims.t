#!/usr/bin/env bash
# Claims: 20 `tramdo run` and 6 `tramdo upload` on one database, against a collector that
# answers every POST after 0.3 s, with all three sinks: each result reaches each sink in exactly
# one POST. Then kill -9 while a POST is in flight: the upload stays claimed (no process sends
# it meanwhile) until the claim expires, then it is sent once more, and the json sink's
# Idempotency-Key keeps it once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader
command -v nginx >/dev/null || skip_all "nginx missing"
plan 20

CPORT=$(free_port)
start_collector "$CPORT" || { fail "collector started"; done_testing; }
pass "collector started"
curl -sf -X POST "http://127.0.0.1:$CPORT/_control?delay=0.3" > /dev/null
printf '%s\n' "$TOKEN" > "$T_TMP/influx.token"
chmod 600 "$T_TMP/influx.token"
# A generous request timeout: a busy machine must not turn a slow answer into a failure (a
# failed attempt is retried, and may then be a second POST of something the collector has).
write_config "$T_TMP/t.ini" "format = json, librespeed, influx
url = http://127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token
librespeed_url = http://127.0.0.1:$CPORT/
influx_url = http://127.0.0.1:$CPORT/
influx_org = so-tt-tt
influx_bucket = tramdo
influx_token_file = $T_TMP/influx.token"
sed -i 's/^timeout_seconds = .*/timeout_seconds = 60/' "$T_TMP/t.ini"
choose_server real

pids=()
for i in $(seq 20); do
	"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$SERVER_URL" > "$T_TMP/run$i.json" \
	    2> "$T_TMP/run$i.err" &
	pids+=($!)
done
# The six uploaders start once results are coming in, so they race the runs' own uploads.
wait_until '[ "$(collector "$CPORT" "d[\"json\"][\"posts\"]" 2>/dev/null || echo 0)" -ge 1 ]'
for i in $(seq 6); do
	"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up$i.out" 2>&1 &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
diag "$failed of 26 processes exited non-zero (a run whose test failed, an upload that left others' claims pending)"
# What no process got to (a run gives its uploads 5 s), sent now.
"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up-last.out" 2>&1
is "$?" 0 "a last tramdo upload leaves nothing pending" || sed 's/^/# /' "$T_TMP/up-last.out"

"$TRAMDO" -c "$T_TMP/t.ini" history --json -n 100 > "$T_TMP/h.json"
is "$(jget "$T_TMP/h.json" 'len(d)')" 20 "20 results stored"
ids=$(jget "$T_TMP/h.json" '" ".join(sorted(r["id"] for r in d))')
complete=$(jget "$T_TMP/h.json" '" ".join(sorted(r["id"] for r in d if "error" not in r))')
ncomplete=$(wc -w <<< "$complete")
diag "$ncomplete of 20 tests complete (only those go to LibreSpeed)"
num_ok "$ncomplete >= 1" "at least one complete test, so LibreSpeed is tested"
curl -sf "http://127.0.0.1:$CPORT/_stats" > "$T_TMP/s.json"
json_posts=$(jget "$T_TMP/s.json" 'd["json"]["posts"]')
ls_posts=$(jget "$T_TMP/s.json" 'd["librespeed"]["posts"]')
influx_posts=$(jget "$T_TMP/s.json" 'd["influx2"]["posts"]')
diag "POSTs: json $json_posts, librespeed $ls_posts, influx $influx_posts (expected 20, $ncomplete, 20)"
is "$json_posts" 20 "json sink: 20 POSTs"
is "$(jget "$T_TMP/s.json" '" ".join(sorted(d["json"]["ids"]))')" "$ids" "... one per stored result"
is "$(jget "$T_TMP/s.json" 'd["json"]["replays"]')" 0 "... no replayed Idempotency-Key"
is "$ls_posts" "$ncomplete" "librespeed sink: one POST per complete test"
is "$(jget "$T_TMP/s.json" '" ".join(sorted(d["librespeed"]["ids"]))')" "$complete" \
    "... exactly the complete tests"
is "$(jget "$T_TMP/s.json" 'd["duplicates"]')" 0 "... no result stored twice"
is "$influx_posts" 20 "influx sink: 20 POSTs"
is "$(jget "$T_TMP/s.json" '" ".join(sorted(set(__import__("re").search(r"result_id=\"([^\"]+)\"", l).group(1) for l in d["influx2"]["lines"])))')" \
    "$ids" "... with a point of every stored result"
is "$(jget "$T_TMP/s.json" 'len(d["bad"])')" 0 "the collector found no bad request"

# --- kill -9 while a POST is in flight ---
# A result queued for the json sink only, while that collector is down.
DPORT=$(free_port)
DB=$T_TMP/kill.db write_config "$T_TMP/k.ini" "format = json
url = http://127.0.0.1:$DPORT/api/results
token_file = $T_TMP/token"
"$TRAMDO" -c "$T_TMP/k.ini" run --json --server "http://127.0.0.1:$(free_port)/" > "$T_TMP/k.json" 2>/dev/null
kid=$(jget "$T_TMP/k.json" 'd["id"]')
like "$kid" '^[0-9a-f-]{36}$' "a result pending for a collector that was down"
sed -i "s|127.0.0.1:$DPORT|127.0.0.1:$CPORT|" "$T_TMP/k.ini"
before=$(collector "$CPORT" 'd["json"]["posts"]')
curl -sf -X POST "http://127.0.0.1:$CPORT/_control?delay=3" > /dev/null
"$TRAMDO" -c "$T_TMP/k.ini" upload > "$T_TMP/k1.out" 2>&1 &
kpid=$!
T_PIDS+=("$kpid")
# The POST is on its way once the uploader holds a connection to the collector.
wait_until '[ -n "$(ss -Htnp state established "dport = :$CPORT" | grep "pid=$kpid,")" ]'
ok $? "tramdo upload connected to the collector"
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
wait_until '[ "$(collector "$CPORT" "d[\"json\"][\"posts\"]")" -gt "$before" ]'
is "$(collector "$CPORT" "d['json']['ids'].get('$kid', {}).get('stored', 0)")" 1 \
    "the collector stored the result the killed process sent"
curl -sf -X POST "http://127.0.0.1:$CPORT/_control?delay=0" > /dev/null
"$TRAMDO" -c "$T_TMP/k.ini" upload > "$T_TMP/k2.out" 2>&1
like "$(tail -1 "$T_TMP/k2.out")" "^sent 0, .* 1 result\(s\) still pending" \
    "while the dead process's claim lasts, nobody sends it again"
# The claim lasts timeout_seconds (5) + 30 s; then it is taken over, and sent once more.
start=$SECONDS
wait_until '"$TRAMDO" -c "$T_TMP/k.ini" upload > "$T_TMP/k3.out" 2>&1' $((T_WAIT_SECONDS + 35))
ok $? "after the claim expired, tramdo upload sent it (after $((SECONDS - start)) s)"
is "$(collector "$CPORT" "d['json']['posts'] - $before")" 2 "kill -9 cost one resend, no more"
is "$(collector "$CPORT" "d['json']['ids']['$kid']['replays']")" 1 \
    "... which the collector recognised by its Idempotency-Key (stored once)"
done_testing
