#!/usr/bin/env bash
# Collector down while 5 tests run → 5 pending → collector back → `tramdo upload` → exactly 5 received.
# Tests 2 and 4 fail at once (nothing listens on their server): a failed test is a result for
# every sink (LibreSpeed gets it as its browser client sends one, "Fail" in every column).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
need_config_loader
plan 22

CPORT=$(free_port)
write_config "$T_TMP/t.ini" "format = json, librespeed
url = http://127.0.0.1:$CPORT/api/results
token_file = $T_TMP/token
librespeed_url = http://127.0.0.1:$CPORT/"
choose_server real

CLOSED_URL=http://127.0.0.1:$(free_port)/
ids=()
for i in 1 2 3 4 5; do
	url=$SERVER_URL
	[ $((i % 2)) -eq 0 ] && url=$CLOSED_URL
	"$TRAMDO" -c "$T_TMP/t.ini" run --json --server "$url" > "$T_TMP/run$i.json" 2> "$T_TMP/run$i.err"
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
is "$complete" 3 "3 of the 5 results are complete tests"
is "$rc" 0 "tramdo upload with the collector back exits 0"
like "$(tail -1 "$T_TMP/up1.out")" "0 result\(s\) still pending" "nothing pending"
is "$(collector "$CPORT" 'd["json"]["posts"]')" 5 "json sink: exactly 5 posts"
is "$(collector "$CPORT" 'd["json"]["accepted"]')" 5 "json sink: 5 accepted"
is "$(collector "$CPORT" '" ".join(sorted(d["json"]["ids"]))')" "$(printf '%s\n' "${ids[@]}" | sort | xargs)" \
    "json sink received exactly the 5 ids"
is "$(collector "$CPORT" '"%d %d" % (d["librespeed"]["posts"], d["librespeed"]["accepted"])')" "5 5" \
    "librespeed sink: every test once, the failed ones too"
is "$(collector "$CPORT" '" ".join(sorted(i for i, e in d["librespeed"]["ids"].items() if e["form"]["dl"] == "Fail"))')" \
    "$(printf '%s\n' "${ids[1]}" "${ids[3]}" | sort | xargs)" "librespeed sink: the 2 failed tests have dl=Fail"
is "$(collector "$CPORT" 'len(d["bad"])')" 0 "the collector found no bad request (headers, token, schema)"

"$TRAMDO" -c "$T_TMP/t.ini" upload > "$T_TMP/up2.out" 2>&1
is "$(collector "$CPORT" 'd["json"]["posts"]')" 5 "a second tramdo upload sends nothing again"

# Staff views of the same results.
"$TRAMDO" -c "$T_TMP/t.ini" history -n 3 > "$T_TMP/h.txt"
is "$(wc -l < "$T_TMP/h.txt")" 3 "history -n 3: three lines"
like "$(head -1 "$T_TMP/h.txt")" "^[0-9T:-]+Z  cli .* ${ids[4]} json:sent" "history: newest first, with its upload state"
"$TRAMDO" -c "$T_TMP/t.ini" export --since 2000-01-01 --format csv > "$T_TMP/e.csv"
python3 - "$T_TMP/e.csv" > "$T_TMP/e.ids" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join(r["id"] for r in rows), rows[0]["station_name"])
PY
is "$(cat "$T_TMP/e.ids")" "$(printf '%s ' "${ids[@]}")Nhà văn hoá xã Tân Sơn" "export csv: 5 rows, oldest first, UTF-8 station name"
"$TRAMDO" -c "$T_TMP/t.ini" export --since 2000-01-01T00:00:00Z --format json > "$T_TMP/e.json"
is "$(jget "$T_TMP/e.json" 'len(d)')" 5 "export json: 5 results"
"$TRAMDO" -c "$T_TMP/t.ini" export --since 2999-01-01 --format json > "$T_TMP/e2.json"
is "$(jget "$T_TMP/e2.json" 'len(d)')" 0 "export since a future date: none"
"$TRAMDO" -c "$T_TMP/t.ini" export --since yesterday --format csv > /dev/null 2>&1
is "$?" 2 "export with a bad date: usage error"
done_testing
