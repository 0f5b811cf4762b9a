#!/usr/bin/env bash
# SIGHUP reloads the INI: a valid change shows on Welcome (station name, language); a broken file
# is refused with the old configuration kept, the log saying why and the staff screen showing it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
plan 10

closed=$(free_port)
write_ini() {
	printf '[station]\nid = HN-BD-01\nname = %s\n[kiosk]\nstaff_pin = 24680\n%s\n' "$1" "$2"
	printf '[server down]\nurl = http://127.0.0.1:%s/\n' "$closed"
}
write_ini "Trung tâm Văn hóa Ba Đình" "" > "$T_TMP/k.ini"

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Trung tâm Văn hóa Ba Đình'; ok $? "Welcome shows the station name"

write_ini "Nhà Văn hóa Hoàn Kiếm" "" > "$T_TMP/k.ini"
kill -HUP "$K_PID"
k_wait 'Nhà Văn hóa Hoàn Kiếm' 5; ok $? "SIGHUP with a changed name: Welcome shows the new name"
kill -0 "$K_PID"; ok $? "... the kiosk keeps running"
like "$(cat "$K_LOG")" 'config reload: new configuration in use' "... and logs it"

write_ini "Nhà Văn hóa Hoàn Kiếm" "language = en" > "$T_TMP/k.ini"
kill -HUP "$K_PID"
k_wait 'Press any key to test' 5; ok $? "SIGHUP with language = en: Welcome in English"

{ write_ini "Tên mới không dùng" "language = vi"; printf '[test]\nmax_seconds = abc\n'; } > "$T_TMP/k.ini"
kill -HUP "$K_PID"
sleep 1
k_see 'Nhà Văn hóa Hoàn Kiếm' "SIGHUP with a broken file: the old name is kept"
k_see 'Press any key to test' "... and the old language"
like "$(cat "$K_LOG")" "config reload: $T_TMP/k.ini:[0-9]+: \\[test\\] max_seconds: error" \
    "... a log line says why"
like "$(cat "$K_LOG")" 'keeping the configuration in use' "... and that the old one is kept"

k_keys C-t C-t C-t
k_wait 'For staff|Staff' 3
k_keys 2 4 6 8 0 Enter
k_wait 'max_seconds' 3; ok $? "... the staff screen shows the error"
k_stop
