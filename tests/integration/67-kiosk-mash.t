#!/usr/bin/env bash
# A citizen who keeps pressing Enter, every 0.4 s for 60 s, against a loopback nginx: each
# result stays on screen at least result_min_seconds (5), no test starts while a result or the
# cooldown (10 s) is on screen, and yet no key that may start a test is lost: the kiosk starts
# exactly as many tests as these rules allow in 60 s, given how long each test took.
#
# Everything is read from the kiosk's log: its "state: FROM -> TO" lines. Their timestamps are
# whole seconds, so keymash.py, the one process that sends the keys on a fixed 0.4 s grid, also
# notes when each line appeared in the file (between two looks 10 ms apart). Both are checked:
# the log's seconds (a result of 5 s or more can never show less than 5 whole seconds) and the
# finer times (which would catch 4.6 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
T_START=$(date +%s.%N)
plan 14

MIN=5 COOLDOWN=10 INTERVAL=0.4 KEYS=150
# Allowance for a key to travel (tmux send-keys forks a client, the tmux server writes to the
# pane's pty, the kiosk's poll() wakes): a few ms when idle, and we allow a generous 1 s on a
# loaded machine. It bounds how late a key may act, never how early: the 5 s and the cooldown
# are checked without it.
LATENCY=1.0

port=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$port" || { fail "nginx started"; done_testing; }
cat > "$T_TMP/k.ini" <<INI
[station]
id = MASH-01
name = Trạm thử
[kiosk]
result_seconds = 60
result_min_seconds = $MIN
cooldown_seconds = $COOLDOWN
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

k_start 100 30 "$T_TMP/k.ini"
k_wait_state welcome; ok $? "the kiosk is on Welcome"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
python3 "$SRCDIR/tests/integration/keymash.py" "$K_SOCK" k "$K_LOG" "$INTERVAL" "$KEYS" \
    "$T_TMP/mash.json" Enter
ok $? "keymash.py pressed Enter $KEYS times"
# Wait until every test started has logged its JSON line.
for _ in $(seq 100); do
	[ "$(grep -c '^{' "$K_LOG")" -ge "$(k_state_count running)" ] && break
	sleep 0.1
done

# The checks, each over the whole run: "0 NAME" passes, "1 NAME" fails, "# ..." is a diagnosis.
python3 - "$T_TMP/mash.json" "$K_LOG" "$MIN" "$COOLDOWN" "$INTERVAL" "$KEYS" "$LATENCY" \
    > "$T_TMP/checks" <<'PY'
import calendar, json, re, sys, time
mash = json.load(open(sys.argv[1]))
log = open(sys.argv[2], encoding="utf-8").read().split("\n")
MIN, COOL, IV, KEYS, LAT = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
keys = mash["keys"]
STATE = re.compile(r"^(\S+) state: ([a-z_]+) -> ([a-z_]+)(?: \(([a-z]+)\))?$")
ev = []
for e in mash["events"]:
    m = STATE.match(e["line"])
    sec = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ"))
    ev.append(dict(lo=e["lo"], hi=e["hi"], sec=sec, frm=m.group(2), to=m.group(3), why=m.group(4)))
def check(cond, name, *why):
    print("0" if cond else "1", name)
    for w in why:
        print("#", w)

span = keys[-1] - keys[0] if keys else 0
# A fixed grid: a late key (a loaded machine) does not delay the next; none may be LAT late.
check(len(keys) == KEYS and mash["late_max"] < LAT,
      "%d keys sent %.1f s apart on a fixed grid" % (KEYS, IV),
      "sent %d keys over %.2f s; the latest was %.3f s behind its time" % (len(keys), span, mash["late_max"]))
check(all(e["lo"] <= e["hi"] and int(e["lo"]) <= e["sec"] <= int(e["hi"]) for e in ev) and len(ev) > 0,
      "the finer times agree with the log's own seconds",
      "%d state lines, looked at every %.0f ms at most" % (len(ev), 1000 * max((e["hi"] - e["lo"] for e in ev), default=0)))

starts = [e for e in ev if e["to"] == "running"]
ends = [e for e in ev if e["frm"] == "running"]
check(all(e["frm"] == "welcome" and e["why"] == "citizen" for e in starts),
      "every test was started by the citizen's key on Welcome",
      *["%s -> running (%s)" % (e["frm"], e["why"]) for e in starts if e["frm"] != "welcome" or e["why"] != "citizen"])
check(len(ends) == len(starts) and all(e["to"] == "result" for e in ends),
      "every test ended with its result on screen",
      "%d started, ends: %s" % (len(starts), " ".join(e["to"] for e in ends)))

# Cycles: result entered (E), left by a key (L), the next test started (S).
cycles = []
for i, e in enumerate(ev):
    if e["to"] != "result":
        continue
    after = ev[i + 1:]
    left = after[0] if after and after[0]["frm"] == "result" else None
    nxt = next((a for a in after if a["to"] == "running"), None)
    cycles.append((e, left, nxt))
shown = [(E, L) for E, L, _ in cycles if L is not None]
check(all(L["to"] == "welcome" for _, L in shown),
      "a result is left only for Welcome", *["result -> %s" % L["to"] for _, L in shown if L["to"] != "welcome"])
check(len(shown) >= 2 and all(L["sec"] - E["sec"] >= MIN for E, L in shown),
      "each result stayed on screen >= %g s (the log's seconds)" % MIN,
      "results left by a key: %d; whole seconds on screen: %s" % (len(shown), " ".join(str(L["sec"] - E["sec"]) for E, L in shown)))
# The longest the result can have been up is from the look before its line to the look that
# found the next one: if even that is < 5 s, the kiosk let a key through too early.
check(len(shown) >= 2 and all(L["hi"] - E["lo"] >= MIN for E, L in shown),
      "each result stayed on screen >= %g s (as the lines appeared)" % MIN,
      "seconds on screen: %s" % " ".join("%.2f" % (L["hi"] - E["lo"]) for E, L in shown))
check(all(L["lo"] - E["hi"] - MIN <= IV + LAT for E, L in shown),
      "... and the first key after the %g s returned to Welcome" % MIN,
      "seconds after the guard: %s" % " ".join("%.2f" % (L["lo"] - E["hi"] - MIN) for E, L in shown))

# No test while the result or the cooldown was on screen: the cooldown runs from the result's
# start (the end of the test), for COOL seconds.
gaps = [(E, S) for E, _, S in cycles if S is not None]
check(all(S["sec"] - E["sec"] >= COOL for E, S in gaps) and all(S["hi"] - E["lo"] >= COOL for E, S in gaps),
      "no test started during the result or the %g s cooldown" % COOL,
      "seconds from a result to the next start: %s" % " ".join("%.2f" % (S["hi"] - E["lo"]) for E, S in gaps))
check(all(S["lo"] - E["hi"] - COOL <= IV + LAT for E, S in gaps),
      "... and the first key after the cooldown started the next test",
      "seconds after the cooldown: %s" % " ".join("%.2f" % (S["lo"] - E["hi"] - COOL) for E, S in gaps))

# How many tests the rules allow. The first key starts one; after each result a key sent once
# its cooldown is over must start another, and a key sent up to LAT earlier may (it can arrive
# after the cooldown). From each test's logged end: at least `lower`, at most `upper`.
ends_at = [E for E, _, _ in cycles]
last = keys[-1] if keys else 0
lower = 1 + sum(1 for E in ends_at if E["hi"] + COOL <= last)
upper = 1 + sum(1 for E in ends_at if E["lo"] + COOL <= last + LAT)
durations = ["%.1f" % (E["lo"] - S["hi"]) for S, E in zip(starts, ends_at)]
cycle = [(b["lo"] - a["lo"]) for a, b in zip(starts, starts[1:])]
check(lower <= len(starts) <= upper and lower >= 3,
      "tests started = what the timings allow (%d, expected %d..%d)" % (len(starts), lower, upper),
      "test durations (s): %s; start to start (s): %s" % (" ".join(durations), " ".join("%.1f" % c for c in cycle)))
print("N %d" % len(starts))
PY
while read -r code name; do
	case $code in
	'#') diag "$name" ;;
	N) tests=$name ;;
	*) ok "$code" "$name" ;;
	esac
done < "$T_TMP/checks"
is "$(grep -c '^{' "$K_LOG")" "${tests:-0}" "one logged JSON line for each test started (${tests:-0})"
k_stop
diag "wall time $(python3 -c "import time; print('%.1f' % (time.time() - $T_START))") s"
done_testing
