#!/bin/bash
# 08-root.t — tramdo refuses to run as root (the kiosk and commands that write state) unless
# given --allow-root; read-only commands, say, and non-root users are not affected.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to test the refusal"
plan 13

port=$(free_port)	# nobody listens: a run ends quickly with a connection error

out=$("$TRAMDO_BIN" run --server "http://127.0.0.1:$port/" 2>&1); rc=$?
is "$rc" 77 "run as root: exit 77 (EX_NOPERM)"
like "$out" "refusing to run 'tramdo run' as root" "run as root: says why"
like "$out" "--allow-root" "run as root: names the way out"

out=$("$TRAMDO_BIN" 2>&1); rc=$?
is "$rc" 77 "kiosk as root: exit 77"
like "$out" "refusing to run the kiosk as root" "kiosk as root: says why"

# The flag may stand before or after the command's name, like every global option.
out=$("$TRAMDO_BIN" --allow-root run --server "http://127.0.0.1:$port/" 2>&1); rc=$?
ok $([ "$rc" -ne 77 ] && echo 0 || echo 1) "--allow-root before run: not refused (exit $rc)"
unlike=$([[ $out == *refusing* ]] && echo 1 || echo 0)
ok "$unlike" "--allow-root before run: no refusal message"
out=$("$TRAMDO_BIN" run --server "http://127.0.0.1:$port/" --allow-root 2>&1); rc=$?
ok $([ "$rc" -ne 77 ] && echo 0 || echo 1) "--allow-root after run: not refused (exit $rc)"

# Read-only commands work as root without the flag.
out=$("$TRAMDO_BIN" -c "$SRCDIR/config/tramdo.ini" check-config 2>&1); rc=$?
is "$rc" 0 "check-config as root: allowed"
out=$("$TRAMDO_BIN" --version); rc=$?
is "$rc" 0 "--version as root: allowed"
# say writes no state (--wav only the file named): staff check the speakers with sudo.
out=$("$TRAMDO_BIN" say --wav "$T_TMP/root.wav" Xin chào 2>&1); rc=$?
is "$rc" 0 "say as root: allowed"

# Another user is never refused.
out=$(runuser -u nobody -- "$TRAMDO_BIN" run --server "http://127.0.0.1:$port/" 2>&1); rc=$?
ok $([ "$rc" -ne 77 ] && echo 0 || echo 1) "run as nobody: not refused (exit $rc)"
unlike=$([[ $out == *refusing* ]] && echo 1 || echo 0)
ok "$unlike" "run as nobody: no refusal message"

done_testing
