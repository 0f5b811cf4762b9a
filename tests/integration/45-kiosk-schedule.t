#!/usr/bin/env bash
# Unattended tests ([test] schedule, quiet_hours, daily_budget_mb, schedule_splay_seconds) against
# a loopback nginx: they run by themselves on an idle Welcome screen with trigger "schedule"; a
# key pressed during one waits for it and then starts the citizen's own test; none run in quiet
# hours; a tiny daily budget allows the first and no more; the kiosk delays its tests by the
# station's own amount (the hash of its id documented in schedule.h), none with a splay of 0.
# Results are counted in the kiosk's log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
plan 18

port=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$port" || { fail "nginx started"; done_testing; }

# write_ini FILE [TEST-KEY-LINES...]: a light station: one stream, 2 s per direction.
write_ini() {
	local f=$1
	shift
	{
		printf '[station]\nid = HN-BD-01\nname = Trung tâm Văn hóa Ba Đình\n'
		printf '[kiosk]\nresult_seconds = 5\ncooldown_seconds = 0\n'
		printf '[test]\nserver = lan\nmax_seconds = 2\nping_count = 10\n'
		printf 'download_streams = 1\nupload_streams = 1\n'
		printf '%s\n' "$@"
		printf '[server lan]\nurl = http://127.0.0.1:%s/\n' "$port"
		printf '[storage]\npath = %s\n' "${f%.ini}.db"
	} > "$f"
}
count() { grep -c "$1" "$2" 2>/dev/null || true; }

# Quiet hours from a minute ago to three minutes ahead (a range may pass midnight).
quiet="$(date -d '-1 min' +%H:%M)-$(date -d '+3 min' +%H:%M)"
# The quiet and budget kiosks count exact slots: no delay. The idle one has the default.
write_ini "$T_TMP/quiet.ini" "schedule = every 2s" "quiet_hours = $quiet" "schedule_splay_seconds = 0"
write_ini "$T_TMP/budget.ini" "schedule = every 3s" "daily_budget_mb = 0.001" "schedule_splay_seconds = 0"
write_ini "$T_TMP/idle.ini" "schedule = every 5s"
for f in quiet budget idle; do
	"$TRAMDO" -c "$T_TMP/$f.ini" check-config >/dev/null 2>&1; ok $? "$f.ini is valid"
done

# The quiet and budget kiosks run side by side to keep the test short.
K_SOCK=tramdo-sched-$$-quiet K_LOG=$T_TMP/quiet.log
k_start 100 30 "$T_TMP/quiet.ini"
K_SOCK=tramdo-sched-$$-budget K_LOG=$T_TMP/budget.log
k_start 100 30 "$T_TMP/budget.ini"
# Until both kiosks have logged what is asserted below, then 2 s more for any scheduled test
# that should not be there to show up.
wait_until '[ "$(count "skipped: quiet hours" "$T_TMP/quiet.log")" -ge 3 ] &&
    [ "$(count "skipped: daily budget" "$T_TMP/budget.log")" -ge 1 ]'
sleep 2
K_SOCK=tramdo-sched-$$-quiet K_LOG=$T_TMP/quiet.log
like "$(cat "$T_TMP/quiet.log")" "schedule every 2s: this station 0 s after each time \(schedule_splay_seconds = 0\)" \
    "schedule_splay_seconds = 0: no delay"
is "$(count '"trigger":"schedule"' "$T_TMP/quiet.log")" 0 "quiet hours: no scheduled test"
num_ok "$(count "scheduled test skipped: quiet hours $quiet" "$T_TMP/quiet.log") >= 3" \
    "... each due one logged as skipped for quiet hours"
like "$(k_screen)" 'Nhấn phím bất kỳ để bắt đầu đo' "... and Welcome stayed"
is "$(count '"trigger":"schedule"' "$T_TMP/budget.log")" 1 \
    "tiny daily budget: the first scheduled test runs, no more"
num_ok "$(count 'scheduled test skipped: daily budget of 0.001 MB reached' "$T_TMP/budget.log") >= 1" \
    "... the next ones are logged as skipped for the budget"
k_stop_all
# history_triggers INI TRIGGER: how many stored results have that trigger.
history_triggers() {
	"$TRAMDO" -c "$1" history --json -n 100 2>/dev/null | python3 -c '
import json, sys
text = sys.stdin.read().strip()
rows = json.loads(text) if text.startswith("[") else [json.loads(l) for l in text.splitlines() if l]
print(sum(1 for r in rows if r.get("trigger") == sys.argv[1]))' "$2"
}
is "$(history_triggers "$T_TMP/budget.ini" schedule)" 1 "the store holds exactly one scheduled result (tramdo history --json)"
is "$(history_triggers "$T_TMP/quiet.ini" schedule)" 0 "... and none from quiet hours"

K_SOCK=tramdo-sched-$$-idle K_LOG=$T_TMP/idle.log
k_start 100 30 "$T_TMP/idle.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
k_wait 'Đang đo'; ok $? "a scheduled test runs by itself on the idle Welcome screen"
# The station's delay, worked out here from the documented hash: FNV-1a of the id, MurmurHash3's
# finaliser, modulo the window + 1 (every 5s: at most 4 s, whatever the splay).
delay=$(python3 -c '
import sys
h = 2166136261
for b in sys.argv[1].encode():
    h = ((h ^ b) * 16777619) & 0xffffffff
h ^= h >> 16; h = (h * 0x85ebca6b) & 0xffffffff
h ^= h >> 13; h = (h * 0xc2b2ae35) & 0xffffffff
h ^= h >> 16
print(h % (min(300, 5 - 1) + 1))' HN-BD-01)
like "$(cat "$K_LOG")" "schedule every 5s: this station $delay s after each time \(schedule_splay_seconds = 300\)" \
    "the default splay delays station HN-BD-01 by its own $delay s"
k_keys Enter
sleep 0.5
like "$(k_screen)" 'Đang đo' "a key during it does not cancel it: the citizen sees it running"
k_wait 'Kết quả'; ok $? "... then the citizen's own test runs to its result"
sleep 1
is "$(count '"trigger":"citizen"' "$K_LOG")" 1 "... logged with trigger citizen"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
wait_until '[ "$(count "\"trigger\":\"schedule\"" "$K_LOG")" -ge 2 ]'
num_ok "$(count '"trigger":"schedule"' "$K_LOG") >= 2" "scheduled tests keep running while idle"
is "$(count '"trigger":"schedule".*"error"' "$K_LOG")" 0 "... and they succeed"
k_stop
