#!/bin/bash
# 08-root.t — tramdo refuses to run as root (the kiosk and commands that write state) unless
# given --allow-root, and names the command the docs name (runuser -u); read-only commands, say,
# and non-root users are not affected. history and export read as root and create nothing:
# no database where there is none, no root-owned file beside the service user's.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to test the refusal"
plan 23

port=$(free_port)	# nobody listens: a run ends quickly with a connection error
# Every run names a configuration of its own: the default, /etc/tramdo/tramdo.ini, would store a
# root-owned result in /var/lib/tramdo/results.db wherever tramdo is installed (a kiosk PC, or
# 76-deb.t's package installed beside this test).
printf '[storage]\npath = %s/root.db\n[gps]\nenabled = no\n' "$T_TMP" > "$T_TMP/root.ini"

out=$("$TRAMDO_BIN" -c "$T_TMP/root.ini" run --server "http://127.0.0.1:$port/" 2>&1); rc=$?
is "$rc" 77 "run as root: exit 77 (EX_NOPERM)"
like "$out" "refusing to run 'tramdo run' as root" "run as root: says why"
like "$out" "--allow-root" "run as root: names the way out"
like "$out" "runuser -u tramdo -- tramdo" "run as root: names runuser -u, as docs/deploy.md does"

out=$("$TRAMDO_BIN" -c "$T_TMP/root.ini" 2>&1); rc=$?
is "$rc" 77 "kiosk as root: exit 77"
like "$out" "refusing to run the kiosk as root" "kiosk as root: says why"

# The flag may stand before or after the command's name, like every global option.
out=$("$TRAMDO_BIN" -c "$T_TMP/root.ini" --allow-root run --server "http://127.0.0.1:$port/" 2>&1); rc=$?
ok $([ "$rc" -ne 77 ] && echo 0 || echo 1) "--allow-root before run: not refused (exit $rc)"
unlike=$([[ $out == *refusing* ]] && echo 1 || echo 0)
ok "$unlike" "--allow-root before run: no refusal message"
out=$("$TRAMDO_BIN" -c "$T_TMP/root.ini" run --server "http://127.0.0.1:$port/" --allow-root 2>&1); rc=$?
ok $([ "$rc" -ne 77 ] && echo 0 || echo 1) "--allow-root after run: not refused (exit $rc)"

# Read-only commands work as root without the flag.
out=$("$TRAMDO_BIN" -c "$SRCDIR/config/tramdo.ini" check-config 2>&1); rc=$?
is "$rc" 0 "check-config as root: allowed"
out=$("$TRAMDO_BIN" --version); rc=$?
is "$rc" 0 "--version as root: allowed"
# say writes no state (--wav only the file named): staff check the speakers with sudo.
out=$("$TRAMDO_BIN" say --wav "$T_TMP/root.wav" Xin chào 2>&1); rc=$?
is "$rc" 0 "say as root: allowed"

# history and export as root: read-only. Where there is no database they say so (exit 66,
# EX_NOINPUT) and create nothing — not the database, not its directory's files.
mkdir -m 755 "$T_TMP/nb"
chown nobody "$T_TMP/nb"
printf '[storage]\npath = %s/nb/results.db\n[gps]\nenabled = no\n' "$T_TMP" > "$T_TMP/nb.ini"
chmod 644 "$T_TMP/nb.ini"
out=$("$TRAMDO_BIN" -c "$T_TMP/nb.ini" history 2>&1); rc=$?
is "$rc" 66 "history as root, no database: exit 66"
like "$out" "no results database at $T_TMP/nb/results.db" "history as root, no database: says so"
is "$(ls -A "$T_TMP/nb")" "" "history as root, no database: nothing created"
out=$("$TRAMDO_BIN" -c "$T_TMP/nb.ini" export --since 2000-01-01 --format csv 2>&1); rc=$?
is "$rc" 66 "export as root, no database: exit 66"
is "$(ls -A "$T_TMP/nb")" "" "export as root, no database: nothing created"
# The service user's database (one failed test in it): root reads it and leaves every file
# beside it the service user's.
runuser -u nobody -- "$(nobody_tramdo)" -c "$T_TMP/nb.ini" run --server "http://127.0.0.1:$port/" \
    > /dev/null 2>&1
out=$("$TRAMDO_BIN" -c "$T_TMP/nb.ini" history 2>&1); rc=$?
is "$rc" 0 "history as root on the service user's database: exit 0"
like "$out" "failed: connect" "history as root: shows the stored test"
out=$("$TRAMDO_BIN" -c "$T_TMP/nb.ini" export --since 2000-01-01 --format json 2>/dev/null); rc=$?
is "$rc:$(python3 -c 'import json, sys; print(len(json.loads(sys.argv[1])))' "$out")" "0:1" \
    "export as root on the service user's database: exit 0, the one result"
is "$(find "$T_TMP/nb" ! -user nobody | tr '\n' ' ')" "" \
    "history and export as root: every file there still the service user's ($(ls -A "$T_TMP/nb" | tr '\n' ' '))"

# Another user is never refused.
out=$(runuser -u nobody -- "$(nobody_tramdo)" -c "$T_TMP/nb.ini" run --server "http://127.0.0.1:$port/" 2>&1); rc=$?
ok $([ "$rc" -ne 77 ] && echo 0 || echo 1) "run as nobody: not refused (exit $rc)"
unlike=$([[ $out == *refusing* ]] && echo 1 || echo 0)
ok "$unlike" "run as nobody: no refusal message"

done_testing
