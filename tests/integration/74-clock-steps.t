#!/usr/bin/env bash
# Wall-clock steps (libfaketime moves the wall clock of tramdo's processes; the monotonic and
# boot clocks stay real, as when NTP corrects a kiosk PC without RTC battery): a retry waits its
# own backoff, not an hour more, whether the clock went back before the kiosk started or while
# it waits, and not less when it went forward; a scheduled test comes at its next slot after a
# step back, and a step forward over many slots fires one test, not a burst.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upload-lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FAKETIME_LIB" ] || skip_all "libfaketime missing (Debian package faketime; make deps installs it)"
need_config_loader
plan 14

# The offset every tramdo process of this test sees, read again each second.
FT=$T_TMP/faketime
step_clock() { echo "$1" > "$FT"; diag "wall clock of tramdo set to real $1"; }
step_clock +0
# The sanitizer build's runtime must come first; libfaketime preloaded before it is harmless.
FT_ENV="LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$FT FAKETIME_CACHE_DURATION=1"
FT_ENV="$FT_ENV FAKETIME_DONT_FAKE_MONOTONIC=1"
FT_ENV="$FT_ENV ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
faked() { env $FT_ENV "$@"; }
now() { date +%s.%N; }

CPORT=$(free_port)
start_collector "$CPORT" || { fail "collector started"; done_testing; }
WPORT=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$WPORT" || { fail "nginx started"; done_testing; }
kiosk_config "$T_TMP/k.ini" "$WPORT" "$CPORT"
# Exact slots (no station delay): the assertions below count them.
sed -i 's/^\[test\]$/[test]\nschedule = every 20s\nschedule_splay_seconds = 0/' "$T_TMP/k.ini"
sed -i 's/^retry_max_seconds = .*/retry_max_seconds = 3600/' "$T_TMP/k.ini"

# accepted ID: the collector has stored result ID.
accepted() { [ "$(collector "$CPORT" "1 if '$1' in d['json']['ids'] else 0")" = 1 ]; }
fail_next() { curl -sf -X POST "http://127.0.0.1:$CPORT/_control?fail=503&count=1" > /dev/null; }
# last_retry: "ID SECONDS" of the newest "retry in" line of the kiosk's log.
last_retry() {
	grep -E 'upload: result [0-9a-f-]{36} to json failed .*; retry in [0-9]+ s' "$K_LOG" | tail -1 |
	    sed -E 's/.*result ([0-9a-f-]{36}) to json.*retry in ([0-9]+) s.*/\1 \2/'
}
dues() { k_log_count 'scheduled test due'; }

# 1. A retry stored by `tramdo run`, then the clock goes back an hour before the kiosk starts.
fail_next
faked "$TRAMDO" -c "$T_TMP/k.ini" run --json > "$T_TMP/r1.json" 2> "$T_TMP/r1.err"
id1=$(jget "$T_TMP/r1.json" 'd["id"]')
t_fail=$(now)
wait1=$(grep -oE 'retry in [0-9]+ s' "$T_TMP/r1.err" | grep -oE '[0-9]+')
like "${wait1:-}" '^[0-9]+$' "tramdo run's upload failed (503) and backs off ${wait1:-?} s" ||
    sed 's/^/# /' "$T_TMP/r1.err"
step_clock -1h
k_start 100 30 "$T_TMP/k.ini" $FT_ENV
wait_until "accepted $id1" $((T_WAIT_SECONDS + ${wait1:-0}))
ok $? "clock set back 1 h: the kiosk sent it after $(python3 -c "print(round($(now) - $t_fail, 1))") s (backoff ${wait1:-?} s), not an hour later"

# 2. The kiosk's own retry, then the clock is stepped back an hour while it waits.
k_wait_log 'scheduled test due' 1
ok $? "the kiosk runs its schedule (every 20s)"
fail_next
n=$(k_log_count 'retry in [0-9]+ s')
k_wait_log 'retry in [0-9]+ s' $((n + 1))
read -r id2 wait2 <<< "$(last_retry)"
t_fail=$(now)
step_clock -2h
wait_until "accepted $id2" $((T_WAIT_SECONDS + ${wait2:-0}))
ok $? "step back 1 h while a retry waits: sent after $(python3 -c "print(round($(now) - $t_fail, 1))") s (backoff ${wait2:-?} s)"
c=$(dues)
wait_until '[ "$(dues)" -gt "$c" ]' $((2 * T_WAIT_SECONDS))
ok $? "after the step back, the next scheduled test still comes (not an hour later)"
num_ok "$(k_log_count 'wall clock stepped by -3600 s') >= 1" "the kiosk saw the step back"

# 3. The kiosk's retry, then the clock is stepped forward two hours (back to real time): not
# sent before its backoff.
fail_next
n=$(k_log_count 'retry in [0-9]+ s')
k_wait_log 'retry in [0-9]+ s' $((n + 1))
read -r id3 wait3 <<< "$(last_retry)"
t_fail=$(now)
c0=$(dues)
t0=$SECONDS
step_clock +0
wait_until "accepted $id3" $((T_WAIT_SECONDS + ${wait3:-0}))
ok $? "step forward 2 h while a retry waits: it is still sent"
took=$(python3 -c "print(round($(now) - $t_fail, 1))")
# (measured from when this script saw the failure: half the backoff leaves room for a slow look)
num_ok "$took >= ${wait3:-0} / 2" "... after its backoff (${took} s, backoff ${wait3:-?} s), not at once"
k_wait_log 'wall clock stepped by \+7200 s' 1
ok $? "the kiosk saw the step forward"

# A step over 360 slots of "every 20s" fires one missed test, then the regular slots: three
# scheduled tests take at least 20 s (the two regular ones are a slot apart); a burst of
# missed ones would come back to back.
wait_until '[ "$(dues)" -ge $((c0 + 3)) ]' $((3 * T_WAIT_SECONDS))
ok $? "scheduled tests go on after the step forward"
elapsed=$((SECONDS - t0))
n=$(($(dues) - c0))
num_ok "$n <= $elapsed / 20 + 2" "no burst: $n scheduled tests in the $elapsed s after the step"

# Every result reached the collector once.
k_stop
"$TRAMDO" -c "$T_TMP/k.ini" upload > "$T_TMP/up.out" 2>&1
is "$?" 0 "nothing left pending" || sed 's/^/# /' "$T_TMP/up.out"
"$TRAMDO" -c "$T_TMP/k.ini" history --json -n 1000 > "$T_TMP/h.json"
is "$(collector "$CPORT" 'd["json"]["accepted"]')" "$(jget "$T_TMP/h.json" 'len(d)')" \
    "the collector holds every stored result"
is "$(collector "$CPORT" 'd["json"]["replays"]')" 0 "... each sent once after its failure"
done_testing
