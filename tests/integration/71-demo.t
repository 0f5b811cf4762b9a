#!/bin/bash
# 71-demo.t — the README's first command: scripts/demo.sh sets up nginx, gpsfake and a demo INI,
# a test runs against them, the kiosk comes up in a terminal, and everything stops afterwards.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || skip_all "nginx is missing"
command -v tmux >/dev/null || skip_all "tmux is missing"
command -v gpsfake >/dev/null || skip_all "gpsfake is missing"
plan 11

# The demo's temporary directory, from its stderr line "demo: files in DIR".
demo_dir() { sed -n 's/^demo: files in //p' "$1" | head -n 1; }
# Processes still running with DIR on their command line (the demo's servers name it).
leftovers() { pgrep -f -- "$1/" | tr '\n' ' '; }

# --- the kiosk in a terminal (started first: it comes up while the headless demo runs) ---
sock=tramdo-demo-test-$$
tmux -L "$sock" new-session -d -s demo -x 100 -y 30 \
    "TRAMDO=$TRAMDO bash $SRCDIR/scripts/demo.sh 2>$T_TMP/kiosk.err"

# --- headless: one test against the demo's own server and GPS
TRAMDO=$TRAMDO bash "$SRCDIR/scripts/demo.sh" --check >"$T_TMP/r.json" 2>"$T_TMP/check.err"
ok $? "demo.sh --check exits 0"
dir=$(demo_dir "$T_TMP/check.err")
like "$dir" '^/tmp/tramdo-demo\.' "the demo names its temporary directory"
num_ok "$(jget "$T_TMP/r.json" 'd["download_mbps"]') > 0" "a download was measured against the demo server"
num_ok "$(jget "$T_TMP/r.json" 'd["upload_mbps"]') > 0" "an upload was measured against the demo server"
is "$(jget "$T_TMP/r.json" 'd["location"]["source"]')" gps "the location comes from the demo's gpsfake"
num_ok "abs($(jget "$T_TMP/r.json" 'd["location"]["lat"]') - 21.0287) < 0.01 and abs($(jget "$T_TMP/r.json" 'd["location"]["lon"]') - 105.8524) < 0.01" \
    "the position is on the walk around Hoàn Kiếm lake"
is "$(leftovers "$dir")$([ -e "$dir" ] && echo "$dir exists")" "" "nothing of the headless demo is left running or on disk"

# --- the kiosk in a terminal, stopped from outside by the PID the demo tells
# (Welcome stays until a key: a generous wait has no deadline to miss.)
screen=""
for _ in $(seq 600); do
	screen=$(tmux -L "$sock" capture-pane -p -t demo 2>/dev/null)
	[[ $screen == *"Trạm đo trình diễn"* ]] && break
	sleep 0.1
done
like "$screen" "Trạm đo trình diễn" "the kiosk shows the demo station's name in Vietnamese"
dir=$(demo_dir "$T_TMP/kiosk.err")
pid=$(cat "$dir/tramdo.pid" 2>/dev/null)
like "${pid:-none}" '^[0-9]+$' "the demo tells the kiosk's PID"
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 100); do tmux -L "$sock" has-session -t demo 2>/dev/null || break; sleep 0.1; done
tmux -L "$sock" has-session -t demo 2>/dev/null
ok $((! $?)) "the demo ends when the kiosk does"
tmux -L "$sock" kill-server 2>/dev/null
is "$(leftovers "$dir")$([ -e "$dir" ] && echo "$dir exists")" "" "nginx and gpsfake are stopped and the files removed"

done_testing
