#!/usr/bin/env bash
# A citizen's test end to end against a loopback nginx: one key starts it, the running screen
# updates, the result screen shows the figures of the JSON line the kiosk logged, its QR code
# scans, then Welcome with a cooldown; Esc twice cancels a test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
plan 26

port=$(free_port)
start_nginx "$port" || { fail "nginx started"; done_testing; }
cat > "$T_TMP/k.ini" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
[kiosk]
result_seconds = 11
cooldown_seconds = 15
[test]
server = lan
max_seconds = 3
ping_count = 10
[server lan]
url = http://127.0.0.1:$port/
INI

# The figures as the kiosk shows them: a decimal comma; 2 decimals below 10 Mbit/s, 1 below
# 1000, none above; latency with 1 decimal below 10 ms.
shown() {
	python3 - "$1" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().split("\n")[-1])
def fmt(v, dec): return ("%.*f" % (dec, v)).replace(".", ",")
def mbps(v): return fmt(v, 2 if v < 10 else 1 if v < 1000 else 0)
def ms(v): return fmt(v, 1 if v < 10 else 0)
print(mbps(d["download_mbps"])); print(mbps(d["upload_mbps"]))
print(ms(d["latency_ms"]["median"])); print(ms(d["latency_ms"]["jitter"]))
PY
}

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "welcome"
k_keys Enter
k_wait 'Đang đo' 5; ok $? "one key starts a test"
k_wait 'Tải xuống' 5
k_keys a b Enter Space
sleep 0.4
s1=$(k_screen); sleep 0.6; s2=$(k_screen)
like "$s2" 'Đang đo' "keys pressed during a test are ignored"
if [ "$s1" != "$s2" ]; then pass "the running screen updates"; else fail "the running screen updates"; fi
like "$s2" '█' "progress bar and large digits drawn"

k_wait 'Kết quả' 20; ok $? "result screen"
k_screen > "$T_TMP/result.txt"
grep '^{' "$K_LOG" > "$T_TMP/results.jsonl"
is "$(wc -l < "$T_TMP/results.jsonl")" 1 "one JSON line logged for the test"
is "$(jget "$T_TMP/results.jsonl" 'd["trigger"]')" citizen "... as a citizen's test"
is "$(jget "$T_TMP/results.jsonl" 'd["station"]["id"]')" HN-BD-01 "... of this station"
expected=$(shown "$T_TMP/results.jsonl")
got=$(python3 "$SRCDIR/tests/integration/bigread.py" "$SRCDIR/assets/digits.txt" "$T_TMP/result.txt")
[ "$(echo "$expected" | wc -l)" -eq 4 ] || expected="(no figures logged)"
is "$(echo $got)" "$(echo $expected)" "large figures on screen = the logged JSON (download upload latency jitter)"
if grep -q '"download_mbps"' "$T_TMP/result.txt"; then fail "no JSON on the screen"; else pass "no JSON on the screen"; fi
like "$(cat "$T_TMP/result.txt")" 'Đủ để' "a plain-language verdict"
qr=$(python3 "$SRCDIR/tests/integration/qrscan.py" "$T_TMP/result.txt")
like "$qr" "tải xuống $(echo "$expected" | sed -n 1p) Mbps, tải lên $(echo "$expected" | sed -n 2p) Mbps" \
    "the result QR code scans and holds the figures"

for size in 80x24 200x60 40x10 100x30; do
	k_resize "${size%x*}" "${size#*x}"
	sleep 0.2
	k_settle
	k_screen > "$T_TMP/resized-$size.txt"
done
for size in 80x24 200x60 100x30; do
	got=$(python3 "$SRCDIR/tests/integration/bigread.py" "$SRCDIR/assets/digits.txt" "$T_TMP/resized-$size.txt")
	is "$(echo $got)" "$(echo $expected)" "result resized to $size: same figures, intact"
done
like "$(cat "$T_TMP/resized-40x10.txt")" 'Màn hình quá nhỏ' "result at 40x10: the short message"

k_wait 'Nhấn phím bất kỳ để bắt đầu đo' 20; ok $? "back to Welcome after result_seconds"
k_see 'Hôm nay: 1 lượt đo' "today's count went up"
k_see 'Vui lòng chờ [0-9] giây' "cooldown countdown shown"
k_keys Enter
sleep 0.5
like "$(k_screen)" 'Vui lòng chờ' "a key during the cooldown starts nothing"

k_wait_gone 'Vui lòng chờ' 25
k_keys Enter
k_wait 'Đang đo' 5
k_keys Escape
k_wait 'Hủy lượt đo\?' 3; ok $? "Esc asks to cancel"
k_keys Escape
k_wait 'Nhấn phím bất kỳ để bắt đầu đo' 5; ok $? "Esc again cancels: back to Welcome"
sleep 0.3
is "$(grep '^{' "$K_LOG" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"]["code"])' 2>&1)" \
    cancelled "the cancelled test is logged as such"
k_stop

# The Linux console's glyph set: only characters the kiosk's console font has (tramdo-vi16),
# digits in full blocks.
FONT=$(tramdo_font) || FONT=/missing/tramdo-vi16.psf.gz
sed -e 's/^\[kiosk\]$/[kiosk]\ncharset = console/' "$T_TMP/k.ini" > "$T_TMP/console.ini"
K_SOCK=tramdo-kiosk-$$-console
k_start 100 30 "$T_TMP/console.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
k_keys Enter
k_wait 'Tải xuống' 10
k_screen > "$T_TMP/c-running.txt"
k_wait 'Kết quả' 20
k_screen > "$T_TMP/c-result.txt"
missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$T_TMP/c-running.txt" "$T_TMP/c-result.txt" 2>&1)
is "$missing" "" "console-mode Running and Result only use characters the kiosk's font has"
grep '^{' "$K_LOG" | tail -1 > "$T_TMP/last.jsonl"
expected=$(shown "$T_TMP/last.jsonl")
got=$(python3 "$SRCDIR/tests/integration/bigread.py" "$SRCDIR/assets/digits.txt" "$T_TMP/c-result.txt")
is "$(echo $got)" "$(echo $expected)" "console mode: full-block figures = the logged JSON"
done_testing
