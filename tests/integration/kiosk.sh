# kiosk.sh — helpers for the kiosk's tmux tests (sourced after lib.sh).
# Each test gets a private tmux server (-L) whose PID goes to T_PIDS, so cleanup stops it.

K_SOCK=tramdo-kiosk-$$
K_LOG=$T_TMP/kiosk.log
K_PID=
K_STARTED=()	# "SOCK PID" of every kiosk started, for k_stop_all

# Stop a kiosk by its PID (TERM, then KILL after 5 s), then its tmux server. Killing only the
# tmux server would leave the kiosk to a hang-up, which a sanitizer build may not survive.
k_stop_one() {
	local sock=$1 pid=${2:-} i
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	tmux -L "$sock" kill-server 2>/dev/null
}
k_stop_all() {
	local e
	for e in "${K_STARTED[@]}"; do k_stop_one $e; done
	K_STARTED=()
}
trap 'k_stop_all; t_cleanup' EXIT

# The bound on waits for what the kiosk reports or shows (k_start, k_wait, k_wait_log,
# k_wait_state, k_wait_all): lib.sh's T_WAIT_SECONDS unless set.
K_WAIT_SECONDS=${K_WAIT_SECONDS:-$T_WAIT_SECONDS}

# k_metrics_local CONFIG: a config without a [metrics] section gets one writing into T_TMP, and
# one without a [storage] section a database there: [metrics] textfile defaults to
# node_exporter's directory and [storage] path to /var/lib/tramdo/results.db, and a test kiosk
# (root) must write in neither — 76-deb.t installs the package beside it and checks that
# database. k_start calls it.
k_metrics_local() {
	grep -q '^\[metrics\]' "$1" ||
	    printf '\n[metrics]\ntextfile = %s/metrics-%s.prom\n' "$T_TMP" "$(basename "$1" .ini)" >> "$1"
	grep -q '^\[storage\]' "$1" ||
	    printf '\n[storage]\npath = %s/results-%s.db\n' "$T_TMP" "$(basename "$1" .ini)" >> "$1"
}

# k_start W H CONFIG [ENV=VALUE ...]: the kiosk in a W x H window, its log in $K_LOG, its PID in
# $K_PID (waited for up to K_WAIT_SECONDS).
# The kiosk runs under sh so that, after it exits, the pane shows its status and tty mode.
k_start() {
	local w=$1 h=$2 cfg=$3 end pane
	shift 3
	k_metrics_local "$cfg"
	tmux -L "$K_SOCK" -f /dev/null new-session -d -s k -x "$w" -y "$h" \
		"env LANG=C.UTF-8 TRAMDO_DATADIR=$SRCDIR/assets $* $TRAMDO -c $cfg --log $K_LOG; \
		 echo EXITED \$?; stty -a | tr ' ' '\n' | grep -x -e -icanon -e icanon -e -echo -e echo; \
		 sleep 60"
	T_PIDS+=("$(tmux -L "$K_SOCK" display -p -t k '#{pid}')")
	pane=$(tmux -L "$K_SOCK" display -p -t k '#{pane_pid}')
	end=$((SECONDS + K_WAIT_SECONDS))
	while K_PID=$(pgrep -P "$pane" -x tramdo); [ -z "$K_PID" ] && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
	[ -n "$K_PID" ] || diag "k_start: no tramdo process under the pane after ${K_WAIT_SECONDS}s"
	K_STARTED+=("$K_SOCK ${K_PID:-}")
}

# --- Waiting on what the kiosk reports in its log (--log $K_LOG), not on screens ---
# The kiosk logs each change of its state machine as one line, "TIME state: FROM -> TO" or
# "TIME state: FROM -> TO (DETAIL)"; states: welcome, running, result, error, staff_pin, staff,
# broken, out_of_service.

# k_log_count REGEX: how many lines of the kiosk's log match REGEX (extended).
k_log_count() { local n; n=$(grep -cE -- "$1" "$K_LOG" 2>/dev/null); echo "${n:-0}"; }

# k_wait_log REGEX [COUNT] [SECONDS]: until at least COUNT lines (default 1) of the kiosk's log
# match REGEX, at most SECONDS (default K_WAIT_SECONDS). On a timeout it prints the log's last
# lines as TAP diagnostics and returns 1.
k_wait_log() {
	local re=$1 count=${2:-1} secs=${3:-$K_WAIT_SECONDS} end n
	end=$((SECONDS + secs))
	while n=$(k_log_count "$re"); [ "${n:-0}" -lt "$count" ]; do
		if [ $SECONDS -ge $end ]; then
			diag "the kiosk's log has ${n:-0} of $count line(s) matching /$re/ after ${secs}s; its end:"
			tail -n 20 "$K_LOG" 2>/dev/null | sed 's/^/#   /'
			return 1
		fi
		sleep 0.1
	done
}

# The log line of an entry into state NAME.
k_state_re() { printf '(^|[[:space:]])state: [a-z_]+ -> %s( \(.*\))?$' "$1"; }

# k_state_count NAME: how many times the kiosk has entered state NAME.
k_state_count() { k_log_count "$(k_state_re "$1")"; }

# k_wait_state NAME [COUNT] [SECONDS]: until the kiosk has entered state NAME at least COUNT
# times (default 1; count from k_state_count to wait for the next entry).
k_wait_state() { k_wait_log "$(k_state_re "$1")" "${2:-1}" "${3:-$K_WAIT_SECONDS}"; }

k_screen() { tmux -L "$K_SOCK" capture-pane -p -t k; }
k_keys()   { tmux -L "$K_SOCK" send-keys -t k "$@"; }
k_resize() { tmux -L "$K_SOCK" resize-window -t k -x "$1" -y "$2"; }

# k_wait REGEX [SECONDS]: until the screen matches (the screen is left in $K_SCREEN), at most
# SECONDS (default K_WAIT_SECONDS) by the wall clock. A screen appears when the kiosk gets to it,
# which on a busy machine is many times the idle time: a passing test never waits the bound out.
k_wait() {
	local re=$1 secs=${2:-$K_WAIT_SECONDS} end
	end=$((SECONDS + secs))
	while :; do
		K_SCREEN=$(k_screen)
		[[ $K_SCREEN =~ $re ]] && return 0
		[ $SECONDS -lt $end ] || break
		sleep 0.1
	done
	diag "screen did not match /$re/ within ${secs}s:"
	k_screen | sed 's/^/#   /'
	return 1
}

# k_cpu_ticks PID: user + system clock ticks the process has used.
k_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# k_stop: end the kiosk of the current $K_SOCK and its tmux server.
k_stop() { k_stop_one "$K_SOCK" "$K_PID"; K_PID=; }

# k_box_ok SCREEN: every ┌ has its ┐ and its └ ┘ in the same columns (nothing shifted).
k_box_ok() {
	python3 - "$1" <<'PY'
import sys
rows = sys.argv[1].split("\n")
def cols(ch): return [(y, r.index(ch)) for y, r in enumerate(rows) if ch in r]
tl, tr, bl, br = cols("┌"), cols("┐"), cols("└"), cols("┘")
ok = len(tl) == len(tr) == len(bl) == len(br) >= 1
ok = ok and all(a[1] == b[1] for a, b in zip(tl, bl)) and all(a[1] == b[1] for a, b in zip(tr, br))
ok = ok and all(a[0] == b[0] for a, b in zip(tl, tr)) and all(a[0] == b[0] for a, b in zip(bl, br))
sys.exit(0 if ok else 1)
PY
}

# k_wait_gone REGEX [SECONDS]: until the screen no longer matches.
k_wait_gone() {
	local re=$1 secs=${2:-10} i
	for i in $(seq $((secs * 10))); do
		[[ $(k_screen) =~ $re ]] || return 0
		sleep 0.1
	done
	return 1
}

# k_settle: wait (at most 5 s) until two captures 0.3 s apart agree: the redraw is done.
k_settle() {
	local a b i
	a=$(k_screen)
	for i in $(seq 16); do
		sleep 0.3
		b=$(k_screen)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	return 1
}

# k_see REGEX NAME: a TAP test that the screen shows REGEX (k_wait's bound). Used after k_wait
# for other parts of the same screen, which a slow build may not have finished drawing yet.
k_see() { k_wait "$1"; ok $? "$2"; }

# Several kiosks side by side (47-kiosk-faults.t, 65-kiosk-midtest.t): k_use G makes the helpers
# above act on kiosk G — its own tmux socket, log, and the PID kept in K_PIDS_OF[G] after k_start.
K_PIDS_OF=()
k_use() { K_SOCK=tramdo-kiosk-$$-$1 K_LOG=$T_TMP/kiosk-$1.log K_PID=${K_PIDS_OF[$1]:-}; }

# k_wait_all [SECONDS]: until every kiosk G in K_WANT has shown a screen matching K_WANT[G] at
# least once (then K_SEEN[G] = 1; else its last screen is in K_LAST[G]). Every kiosk is looked
# at in each sweep: an error screen lasts only error_seconds, and a slow machine must not miss
# it while waiting on another kiosk. At most SECONDS (default K_WAIT_SECONDS).
K_WANT=()
k_wait_all() {
	local end g left screen
	end=$(( $(date +%s) + ${1:-$K_WAIT_SECONDS} ))
	K_SEEN=() K_LAST=()
	while :; do
		left=0
		for g in "${!K_WANT[@]}"; do
			[ -n "${K_SEEN[$g]:-}" ] && continue
			k_use "$g"
			screen=$(k_screen)
			if [[ $screen =~ ${K_WANT[$g]} ]]; then K_SEEN[$g]=1; else K_LAST[$g]=$screen left=1; fi
		done
		{ [ "$left" = 0 ] || [ "$(date +%s)" -ge "$end" ]; } && break
		sleep 0.05
	done
}
