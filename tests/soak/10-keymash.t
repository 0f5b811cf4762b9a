#!/usr/bin/env bash
# Key-mashing: SOAK_KEYS (default 100 000) random keys through tmux into one kiosk running
# short tests against a loopback nginx (stopped for a while, so that errors come too): keys
# land on Welcome, Running, Result, Error and the staff PIN prompt. The kiosk never exits,
# the screen never shows garbage, it idles afterwards, and a single key still starts a test.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/kiosk.sh"
. "$(dirname "$0")/soak.sh"
command -v tmux > /dev/null || skip_all "tmux missing"
command -v nginx > /dev/null || skip_all "nginx missing"
KEYS=${SOAK_KEYS:-100000}
SEED=${SOAK_SEED:-$RANDOM}
plan 21

port=$(free_port)
NGINX_GARBAGE_MB=8 start_nginx "$port" "$(soak_nginx_cap)" || { fail "nginx started"; done_testing; }
nginx_pid=${T_PIDS[-1]}
# A 12-digit PIN: the mash would need these 12 digits in a row and then Enter, against a
# lock that doubles after 3 wrong tries. Random, so no run knows it in advance.
PIN=$(python3 -c 'import secrets; print("".join(secrets.choice("123456789") for _ in range(12)))')
cat > "$T_TMP/k.ini" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
[kiosk]
result_seconds = 8
result_min_seconds = 2
error_seconds = 3
cooldown_seconds = 3
retry_seconds = 30
staff_pin = $PIN
promo_qr_url = https://example.vn/i-speed
[test]
server = lan
max_seconds = 2
ping_count = 10
download_streams = 1
upload_streams = 1
connect_timeout = 1
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
[server lan]
url = http://127.0.0.1:$port/
INI
rm -f "$SOAK_OUT/keymash.txt" "$SOAK_OUT"/garbage-*.txt

# Everything the kiosk may draw: its catalogs, its glyphs, the station, the staff screen's
# values (paths, URL, error codes are ASCII). A character outside this set is garbage.
{
	sed -n 's/^[a-z_0-9.]* *= *//p' "$SRCDIR"/assets/i18n/*.ini
	echo "Trung tâm Văn hóa Ba Đình $T_TMP $port ─│┌┐└┘█░…·→•▀▄"
	echo "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:/-()_'\""
} > "$T_TMP/alphabet.txt"

# welcome_norm: the settled Welcome screen, each line trimmed and numbers as #, so that today's
# count and the clock may differ but nothing else may (no leftover of a key, no stray glyph).
welcome_norm() { k_settle; k_screen | sed -e 's/^ *//' -e 's/ *$//' -e 's/[0-9][0-9]*/#/g'; }

# back_to_welcome: whatever screen the mash left, end on an idle Welcome without cooldown, in
# Vietnamese (the mash's last E may have switched it: that is the citizen's choice, not a fault).
# Out of service after the server's outages, the kiosk's own retry (retry_seconds) brings it back.
back_to_welcome() {
	local i s
	for i in $(seq 240); do
		s=$(k_screen)
		if [[ $s =~ 'Dành cho nhân viên'|'Màn hình nhân viên'|'Staff' ]]; then k_keys Escape
		elif [[ $s =~ 'Hủy lượt đo\?'|'Cancel the test\?' ]]; then k_keys Enter
		elif [[ $s =~ 'Press any key to start' ]]; then k_keys V	# a citizen chose English
		elif [[ $s =~ 'Nhấn phím bất kỳ để bắt đầu đo' ]] && ! [[ $s =~ 'Vui lòng chờ' ]]; then return 0
		fi
		sleep 0.5
	done
	return 1
}

k_start 100 30 "$T_TMP/k.ini"
pid0=$K_PID
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "welcome"
k_settle
welcome_norm > "$T_TMP/welcome0.txt"
k_box_ok "$(k_screen)"; ok $? "welcome: the prompt box is intact before the mash"
# Two warm-up tests: the first tests' allocations are not what this measures (see 20-tests.t).
for i in 1 2; do
	k_wait_gone 'Vui lòng chờ' 10
	k_keys Enter
	k_wait 'Nhấn phím bất kỳ để quay lại' 60 && k_keys Enter
	k_wait "Hôm nay: $i lượt đo"
done
back_to_welcome
sleep 0.5
rss0=$(proc_rss "$K_PID") fds0=$(proc_fds "$K_PID")

# The mash in three parts: server up, server down (errors), server up again.
mash() {
	python3 "$SRCDIR/tests/soak/keymash.py" "$K_SOCK" "$K_PID" "$1" "$2" \
	    "$T_TMP/alphabet.txt" "$SOAK_OUT" > "$T_TMP/mash-$3.json" 2> "$T_TMP/mash-$3.err"
	[ -s "$T_TMP/mash-$3.err" ] && sed 's/^/# mash: /' "$T_TMP/mash-$3.err"
}
k1=$((KEYS * 45 / 100)) k2=$((KEYS * 20 / 100))
k3=$((KEYS - k1 - k2))
t0=$(date +%s.%N)
mash "$k1" "$SEED" up1
kill -TERM "$nginx_pid"
for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
mash "$k2" "$((SEED + 1))" down
NGINX_GARBAGE_MB=8 start_nginx "$port" "$(soak_nginx_cap)" || fail "nginx restarted"
mash "$k3" "$((SEED + 2))" up2
t1=$(date +%s.%N)

python3 - "$T_TMP"/mash-up1.json "$T_TMP"/mash-down.json "$T_TMP"/mash-up2.json > "$T_TMP/mash.json" <<'PY'
import json, sys
parts = [json.load(open(p)) for p in sys.argv[1:]]
total = {"keys": 0, "kinds": {}, "batches": 0, "captures": 0, "seconds": 0, "screens": {},
         "garbage": [], "box_transient": 0, "steer_keys": 0, "alive": True}
for p in parts:
    for k in ("keys", "batches", "captures", "seconds", "box_transient", "steer_keys"):
        total[k] += p[k]
    for k in ("kinds", "screens"):
        for n, v in p[k].items():
            total[k][n] = total[k].get(n, 0) + v
    total["garbage"] += p["garbage"]
    total["alive"] = total["alive"] and p["alive"]
print(json.dumps(total))
PY
M=$T_TMP/mash.json
diag "mash (seed $SEED): $(cat "$M")"
is "$(jget "$M" 'd["keys"]' 2>&1)" "$KEYS" "$KEYS keys sent"
is "$(jget "$M" 'd["alive"]' 2>&1)" True "the kiosk was alive after every batch"
for scr in welcome running result error staff; do
	num_ok "$(jget "$M" "d['screens'].get('$scr', 0)" 2>&1) > 0" "keys landed on the $scr screen"
done
is "$(jget "$M" 'len(d["garbage"])' 2>&1)" 0 "no garbage in $(jget "$M" 'd["captures"]' 2>&1) captures taken during the mash"
jget "$M" '"\n".join("%(why)s on %(screen)s after %(after_keys)d keys: %(file)s" % g for g in d["garbage"][:10])' |
    sed -n 's/^./#   &/p'

back_to_welcome; ok $? "the kiosk came back to an idle Welcome"
is "$K_PID" "$pid0" "the same kiosk process"
is "$(pgrep -P "$(tmux -L "$K_SOCK" display -p -t k '#{pane_pid}')" -x tramdo)" "$pid0" "... still running in its pane"
[[ $(k_screen) =~ EXITED ]]; ok $((!$?)) "the pane never said EXITED"
welcome_norm > "$T_TMP/welcome1.txt"
diff "$T_TMP/welcome0.txt" "$T_TMP/welcome1.txt" > "$T_TMP/welcome.diff"
ok $? "Welcome after the mash = Welcome before it (numbers aside): no leftover of any key"
sed 's/^/#   /' "$T_TMP/welcome.diff" | head -20
k_box_ok "$(k_screen)"; ok $? "... its prompt box intact"
c0=$(k_cpu_ticks "$K_PID"); sleep 5; c1=$(k_cpu_ticks "$K_PID")
num_ok "$c1 - $c0 <= 2" "idle after the mash: $((c1 - c0)) clock ticks in 5 s (no input left spinning)"

sleep 0.5
rss1=$(proc_rss "$K_PID") fds1=$(proc_fds "$K_PID")
is "$fds1" "$fds0" "open fds after the mash = before ($fds0)"
[ "$fds1" = "$fds0" ] || proc_fd_list "$K_PID" | sed 's/^/# /'
num_ok "$rss1 - $rss0 < 2048" "RSS after the mash ($rss1 KiB) within 2 MiB of before ($rss0 KiB)"

k_keys a
k_wait 'Đang đo'; ok $? "a single key still starts a test"
k_wait 'Kết quả đo' 60; ok $? "... and its result screen appears"

secs=$(python3 -c "print(round($t1 - $t0, 1))")
soak_record keymash.txt keys "$(jget "$M" 'd["keys"]')"
soak_record keymash.txt kinds "$(jget "$M" 'json.dumps(d["kinds"], sort_keys=True)')"
soak_record keymash.txt screens "$(jget "$M" 'json.dumps(d["screens"], sort_keys=True)')"
soak_record keymash.txt captures "$(jget "$M" 'd["captures"]')"
soak_record keymash.txt steer_keys "$(jget "$M" 'd["steer_keys"]')"
soak_record keymash.txt box_transient "$(jget "$M" 'd["box_transient"]')"
soak_record keymash.txt seconds "$secs"
soak_record keymash.txt seed "$SEED"
soak_record keymash.txt tests_run "$(grep -c '^{' "$K_LOG")"
soak_record keymash.txt rss_before_kb "$rss0"
soak_record keymash.txt rss_after_kb "$rss1"
soak_record keymash.txt fds_before "$fds0"
soak_record keymash.txt fds_after "$fds1"
soak_record keymash.txt load "$(cut -d' ' -f1-3 /proc/loadavg)"
k_stop
done_testing
