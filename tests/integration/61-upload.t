#!/usr/bin/env bash
# Collector down while 5 tests run → 5 pending → collector back → `tramdo upload` → exactly 5 received.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader
plan 14

CPORT=$(free_port)
write_config "$T_TMP/t.ini" "format = json, librespeed
url = http://127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token
librespeed_url = http://127.0.0.1:$CPORT/"
choose_server real

ids=()
for i in 1 2 3 4 5; do
	"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$SERVER_URL" > "$T_TMP/run$i.json" 2> "$T_TMP/run$i.err"
	ids+=("$(jget "$T_TMP/run$i.json" 'd["id"]' 2>/dev/null)")
done
is "$(printf '%s\n' "${ids[@]}" | grep -cE '^[0-9a-f-]{36}$')" 5 "5 tests ran and printed their ids"
"$TRAMDO" -c "$T_TMP/t.ini" history --json -n 10 > "$T_TMP/h.json"
is "$(jget "$T_TMP/h.json" 'len(d)')" 5 "history lists 5 stored results"
is "$(jget "$T_TMP/h.json" '" ".join(sorted(r["id"] for r in d))')" "$(printf '%s\n' "${ids[@]}" | sort | xargs)" \
    "the stored ids are the printed ids"
like "$(cat "$T_TMP/run1.err")" "Couldn't connect|connect" "the run says the upload failed"

"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up0.out" 2>&1
is "$?" 1 "tramdo upload with the collector down exits 1"
like "$(tail -1 "$T_TMP/up0.out")" "5 result\(s\) still pending" "and says 5 results are still pending"

start_collector "$CPORT" || fail "collector did not start"
"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up1.out" 2>&1
rc=$?
complete=$(jget "$T_TMP/h.json" 'sum(1 for r in d if "error" not in r)')
is "$rc" 0 "tramdo upload with the collector back exits 0"
like "$(tail -1 "$T_TMP/up1.out")" "0 result\(s\) still pending" "nothing pending"
is "$(collector "$CPORT" 'd["json"]["posts"]')" 5 "json sink: exactly 5 posts"
is "$(collector "$CPORT" 'd["json"]["accepted"]')" 5 "json sink: 5 accepted"
is "$(collector "$CPORT" '" ".join(sorted(d["json"]["ids"]))')" "$(printf '%s\n' "${ids[@]}" | sort | xargs)" \
    "json sink received exactly the 5 ids"
is "$(collector "$CPORT" 'd["librespeed"]["accepted"]')" "$complete" "librespeed sink: every complete test ($complete) once"
is "$(collector "$CPORT" 'len(d["bad"])')" 0 "the collector found no bad request (headers, token, schema)"

"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up2.out" 2>&1
is "$(collector "$CPORT" 'd["json"]["posts"]')" 5 "a second tramdo upload sends nothing again"
done_testing
