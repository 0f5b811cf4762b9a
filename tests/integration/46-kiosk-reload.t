#!/usr/bin/env bash
# SIGHUP reloads the INI: a valid change shows on Welcome (station name, language); a broken file
# is refused with the old configuration kept, the log saying why and the staff screen showing it.
# A kiosk started on a broken file measures and stores once the file is fixed; a new storage
# path takes effect at the reload (the database is reopened; nothing already stored is lost).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
plan 18

closed=$(free_port)
write_ini() {
	printf '[station]\nid = HN-BD-01\nname = %s\n[kiosk]\nstaff_pin = 24680\n%s\n' "$1" "$2"
	printf '[server down]\nurl = http://127.0.0.1:%s/\n' "$closed"
	printf '[metrics]\ntextfile = %s/metrics.prom\n' "$T_TMP"	# not node_exporter's directory
}
write_ini "Trung tâm Văn hóa Ba Đình" "" > "$T_TMP/k.ini"

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Trung tâm Văn hóa Ba Đình'; ok $? "Welcome shows the station name"

write_ini "Nhà Văn hóa Hoàn Kiếm" "" > "$T_TMP/k.ini"
kill -HUP "$K_PID"
k_wait 'Nhà Văn hóa Hoàn Kiếm'; ok $? "SIGHUP with a changed name: Welcome shows the new name"
kill -0 "$K_PID"; ok $? "... the kiosk keeps running"
like "$(cat "$K_LOG")" 'config reload: new configuration in use' "... and logs it"

write_ini "Nhà Văn hóa Hoàn Kiếm" "language = en" > "$T_TMP/k.ini"
kill -HUP "$K_PID"
k_wait 'Press any key to start'; ok $? "SIGHUP with language = en: Welcome in English"

{ write_ini "Tên mới không dùng" "language = vi"; printf '[test]\nmax_seconds = abc\n'; } > "$T_TMP/k.ini"
kill -HUP "$K_PID"
k_wait_log 'keeping the configuration in use'
k_see 'Nhà Văn hóa Hoàn Kiếm' "SIGHUP with a broken file: the old name is kept"
k_see 'Press any key to start' "... and the old language"
like "$(cat "$K_LOG")" "config reload: $T_TMP/k.ini:[0-9]+: \\[test\\] max_seconds: error" \
    "... a log line says why"
like "$(cat "$K_LOG")" 'keeping the configuration in use' "... and that the old one is kept"

k_keys C-t C-t C-t
k_wait 'For staff|Staff'
k_keys 2 4 6 8 0 Enter
k_wait 'max_seconds'; ok $? "... the staff screen shows the error"
k_stop

command -v nginx >/dev/null || { diag "nginx missing"; done_testing; }
port=$(free_port)
start_nginx "$port" || { fail "nginx started"; done_testing; }
# good_ini DB: a valid station measuring the loopback nginx, results in DB.
good_ini() {
	printf '[station]\nid = HN-BD-02\nname = Nhà Văn hóa Tây Hồ\n'
	printf '[kiosk]\ncooldown_seconds = 0\nresult_seconds = 5\n'
	printf '[test]\nserver = lan\nmax_seconds = 2\n[server lan]\nurl = http://127.0.0.1:%s/\n' "$port"
	printf '[gps]\nenabled = no\n[storage]\npath = %s\n' "$1"
	printf '[metrics]\ntextfile = %s/metrics-b.prom\n' "$T_TMP"
}
stored() { "$TRAMDO" -c "$T_TMP/b.ini" history --json -n 100 2>/dev/null | grep -c '"id"'; }
# one_test: a key on Welcome, then the result (stored before it is shown) and Welcome again,
# as the kiosk's log reports them.
one_test() {
	local results welcomes
	results=$(k_state_count result) welcomes=$(k_state_count welcome)
	k_keys Enter
	k_wait_state result $((results + 1)) && k_wait_state welcome $((welcomes + 1))
}

{ good_ini "$T_TMP/a.db"; printf '[test]\nmax_seconds = abc\n'; } > "$T_TMP/b.ini"
K_SOCK=tramdo-reload-$$-b K_LOG=$T_TMP/b.log
k_start 100 30 "$T_TMP/b.ini"
k_wait 'Cấu hình trạm đo có lỗi'; ok $? "started on a broken file: the kiosk says so"
good_ini "$T_TMP/a.db" > "$T_TMP/b.ini"
kill -HUP "$K_PID"
k_wait 'Nhà Văn hóa Tây Hồ'; ok $? "file fixed, SIGHUP: Welcome with the station"
one_test; ok $? "... a test runs to its result"
is "$(stored)" 1 "... and is stored (tramdo history)"

good_ini "$T_TMP/b.db" > "$T_TMP/b.ini"
kill -HUP "$K_PID"
k_wait_log 'config reload: database reopened'; ok $? "a new storage path: the database is reopened"
one_test; ok $? "... the next test runs to its result"
is "$(stored)" 1 "... the next result goes to the new database"
sed -i "s|^path = .*|path = $T_TMP/a.db|" "$T_TMP/b.ini"
is "$(stored)" 1 "... and the old one still holds its result"
k_stop
done_testing
