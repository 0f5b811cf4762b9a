#!/usr/bin/env bash
# The kiosk keeps each result in the store before showing it, counts today's tests from the
# store, and uploads in the background (to the stand-in collector, tests/mock_collector.py).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
. "$(dirname "$0")/upload-lib.sh"
command -v tmux > /dev/null || skip_all "tmux missing"
command -v nginx > /dev/null || skip_all "nginx missing"
plan 6

port=$(free_port) CPORT=$(free_port)
start_nginx "$port" || { fail "nginx started"; done_testing; }
start_collector "$CPORT" || fail "collector did not start"
kiosk_config "$T_TMP/k.ini" "$port" "$CPORT"

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "welcome"
k_keys Enter
k_wait 'Nhấn phím bất kỳ để quay lại' 40; ok $? "a test ran to its result screen"
"$TRAMDO" -c "$T_TMP/k.ini" history --json > "$T_TMP/h.json" 2> "$T_TMP/h.err"; diag "$(cat "$T_TMP/h.err")"
is "$(jget "$T_TMP/h.json" 'len(d)')" 1 "the shown result is in the store"
id=$(jget "$T_TMP/h.json" 'd[0]["id"]')
wait_until '[ "$(collector "$CPORT" "len(d[\"json\"][\"ids\"])")" = 1 ]'
is "$(collector "$CPORT" '" ".join(d["json"]["ids"])')" "$id" "the kiosk uploaded it in the background"
k_keys Enter
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "back to welcome"
k_see "Hôm nay: 1 lượt đo" "welcome shows today's count from the store"
k_stop
done_testing
