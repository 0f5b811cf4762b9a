#!/usr/bin/env bash
# SIGTERM (what `systemctl stop` sends) at 20 moments of an idle Welcome, a running test, a
# result and the staff screen: the kiosk leaves within 1 s each time, puts the terminal back,
# and every result it showed is in the store — a test cut short is logged as cancelled, never
# stored. The moments are random offsets into each screen; the seed is printed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
ROUNDS=20
plan $((ROUNDS * 3 + 2))

port=$(free_port)
start_nginx "$port" || { fail "nginx started"; done_testing; }
cat > "$T_TMP/k.ini" <<INI
[station]
id = ST-01
name = Trạm thử
[kiosk]
result_seconds = 60
result_min_seconds = 0
cooldown_seconds = 0
staff_pin = 2468
[test]
server = lan
max_seconds = 2
ping_count = 10
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
[server lan]
url = http://127.0.0.1:$port/
INI

seed=${SIGTERM_SEED:-$RANDOM}
RANDOM=$seed
diag "seed $seed (SIGTERM_SEED=$seed repeats these moments)"

# entered NAME: how many times the kiosk's log says it entered state NAME.
entered() { grep -c "state: [a-z_]* -> $1\\b" "$K_LOG" 2>/dev/null; }
# wait_entered NAME COUNT: until the log says so (60 s: a loaded machine is slow, not broken).
wait_entered() {
	local i
	for i in $(seq 600); do [ "$(entered "$1")" -ge "$2" ] && return 0; sleep 0.1; done
	diag "the kiosk never entered $1 ($2 times); log tail:"; tail -5 "$K_LOG" | sed 's/^/#   /'
	return 1
}
# term_ms PID: SIGTERM, then milliseconds until the process is gone (a zombie counts as gone).
term_ms() {
	python3 - "$1" <<'PY'
import os, signal, sys, time
pid = int(sys.argv[1])
t = time.monotonic()
os.kill(pid, signal.SIGTERM)
def alive():
    try:
        return open(f"/proc/{pid}/stat").read().split(") ")[1][0] != "Z"
    except OSError:
        return False
while alive() and time.monotonic() - t < 10:
    time.sleep(0.002)
print(int((time.monotonic() - t) * 1000))
PY
}

shown=0
phases=(idle test result staff)
for r in $(seq 0 $((ROUNDS - 1))); do
	phase=${phases[$((r % 4))]}
	K_SOCK=tramdo-term-$$-$r K_LOG=$T_TMP/kiosk-$r.log
	k_start 100 30 "$T_TMP/k.ini"
	wait_entered welcome 1
	case $phase in
	test)	k_keys Enter; wait_entered running 1 ;;
	result)	k_keys Enter; wait_entered result 1 && shown=$((shown + 1)) ;;
	staff)	k_keys C-t C-t C-t 2 4 6 8 Enter; wait_entered staff 1 ;;
	esac
	# A random moment within the screen: 0 to 1.5 s in (a test lasts about 4 s).
	sleep "$((RANDOM % 1500 / 1000)).$(printf %03d $((RANDOM % 1000)))"
	ms=$(term_ms "$K_PID")
	num_ok "$ms <= 1000" "round $r, $phase: gone ${ms} ms after SIGTERM"
	k_wait 'EXITED 0.*echo'
	ok $? "round $r, $phase: exit status 0, terminal back in canonical mode with echo"
	if [ "$phase" = test ]; then
		like "$(grep '^{' "$K_LOG" | tail -1)" '"code":"cancelled"|"download_mbps"' \
		    "round $r, test: the test cut short is logged (cancelled, or done just before)"
	else
		like "$(cat "$K_LOG")" 'SIGTERM: closing the kiosk' "round $r, $phase: the log says why it closed"
	fi
	k_stop
done

stored=$("$TRAMDO" -c "$T_TMP/k.ini" history --json -n 1000 | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(sum(1 for r in rows if "error" not in r), sum(1 for r in rows if r.get("error", {}).get("code") == "cancelled"))')
read -r good cancelled <<< "$stored"
num_ok "$good >= $shown" "every result shown is in the store ($good stored, $shown shown)"
is "$cancelled" 0 "no cancelled test is stored"
done_testing
