#!/usr/bin/env bash
# A citizen's test end to end against a loopback nginx: one key starts it, the running screen
# updates, the result shows the download and upload of the JSON line the kiosk logged in large
# digits and the latency in words, what the line is good for as a word and a sentence, that
# this is the centre's network, and a QR code with station, commune, figures and id. Keys are
# ignored while the result is read; then Welcome with the wait in the prompt box; Esc twice
# cancels a test. Waits follow the state changes the kiosk logs, never a screen's few seconds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
plan 33

port=$(free_port)
start_nginx "$port" || { fail "nginx started"; done_testing; }
cat > "$T_TMP/k.ini" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
commune = phường Phúc Xá
[kiosk]
result_seconds = 60
result_min_seconds = 5
cooldown_seconds = 15
[test]
server = lan
max_seconds = 3
ping_count = 10
[gps]
enabled = no
[storage]
path = $T_TMP/results.db
[server lan]
url = http://127.0.0.1:$port/
INI

# The figures as the kiosk shows them: a decimal comma; 2 decimals below 10 Mbit/s, 1 below
# 1000, none above; latency with 1 decimal below 10 ms. Prints download, upload, latency, id.
shown() {
	python3 - "$1" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().split("\n")[-1])
def fmt(v, dec): return ("%.*f" % (dec, v)).replace(".", ",")
def mbps(v): return fmt(v, 2 if v < 10 else 1 if v < 1000 else 0)
def ms(v): return fmt(v, 1 if v < 10 else 0)
print(mbps(d["download_mbps"]), mbps(d["upload_mbps"]), ms(d["latency_ms"]["median"]), d["id"])
PY
}
bigread() { python3 "$SRCDIR/tests/integration/bigread.py" "$SRCDIR/assets/digits.txt" "$1"; }

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'; ok $? "welcome"
k_keys Enter
k_wait_state running; ok $? "one key starts a test (the log says welcome -> running)"
like "$(grep 'state: welcome -> running' "$K_LOG")" '\(citizen\)' "... a citizen's test"
k_wait 'Tải xuống'
k_keys a b Enter Space
k_wait_gone 'Đang đo…' 1
s1=$(k_screen); sleep 0.6; s2=$(k_screen)
is "$(k_state_count running)" 1 "keys pressed during a test start nothing"
if [ "$s1" != "$s2" ] || [ "$(k_state_count result)" -gt 0 ]; then pass "the running screen updates"
else fail "the running screen updates"; fi
like "$s1$s2" '█' "progress bar and large digits drawn"

k_wait_state result; ok $? "result screen (the log says running -> result)"
k_wait 'Xin cảm ơn quý vị'
k_screen > "$T_TMP/result.txt"
grep '^{' "$K_LOG" > "$T_TMP/results.jsonl"
is "$(wc -l < "$T_TMP/results.jsonl")" 1 "one JSON line logged for the test"
is "$(jget "$T_TMP/results.jsonl" 'd["trigger"]')" citizen "... as a citizen's test"
is "$(jget "$T_TMP/results.jsonl" 'd["station"]["id"]')" HN-BD-01 "... of this station"
read -r dl ul lat id <<< "$(shown "$T_TMP/results.jsonl")"
is "$(echo $(bigread "$T_TMP/result.txt"))" "$dl $ul" \
    "large figures on screen = the logged JSON (download, then upload)"
like "$(cat "$T_TMP/result.txt")" "Độ trễ: $lat ms" "latency in a line of text, = the JSON"
if grep -q '"download_mbps"' "$T_TMP/result.txt"; then fail "no JSON on the screen"; else pass "no JSON on the screen"; fi
like "$(cat "$T_TMP/result.txt")" '(Tốt|Khá|Chậm)  (Đủ để|Chỉ đủ|Mạng quá chậm)' \
    "what the line is good for: a word and a sentence"
like "$(cat "$T_TMP/result.txt")" 'Đây là mạng Internet của trung tâm' "says it is the centre's network"
like "$(cat "$T_TMP/result.txt")" 'Tự động quay lại sau [0-9]+ giây' "while keys are ignored, only says it goes back by itself"

k_keys Enter; sleep 1; k_keys Enter
is "$(k_state_count welcome)" 1 "keys in the first result_min_seconds are ignored: the result stays"
k_wait 'Nhấn phím bất kỳ để quay lại'; ok $? "then the screen says a key goes back"

for size in 80x24 200x60 40x10 100x30; do
	k_resize "${size%x*}" "${size#*x}"
	k_settle
	k_screen > "$T_TMP/resized-$size.txt"
done
for size in 200x60 100x30; do
	is "$(echo $(bigread "$T_TMP/resized-$size.txt"))" "$dl $ul" "result resized to $size: same figures, intact"
done
# At 80x24 the upload may be a line of text when its digits do not fit.
got=$(echo $(bigread "$T_TMP/resized-80x24.txt"))
[ "$got" = "$dl" ] && grep -q "Tốc độ tải lên: $ul Mbps" "$T_TMP/resized-80x24.txt" && got="$dl $ul"
is "$got" "$dl $ul" "result resized to 80x24: the download in large digits, the upload in digits or words"
like "$(cat "$T_TMP/resized-40x10.txt")" 'Màn hình quá nhỏ' "result at 40x10: the short message"
# At 100x30 the figures take the room; a wide screen has it for the code too.
qr=$(python3 "$SRCDIR/tests/integration/qrscan.py" "$T_TMP/resized-200x60.txt")
like "$qr" "^Trạm HN-BD-01, phường Phúc Xá, [0-9/]+ [0-9:]+: tải xuống $dl, tải lên $ul Mbps, độ trễ $lat ms. Mã $id\$" \
    "at 200x60 the result QR code scans: station, commune, time, figures and the result's id"

k_keys Enter
k_wait_state welcome 2; ok $? "a key after the guard returns to Welcome"
k_wait 'Hôm nay: 1 lượt đo'; ok $? "today's count went up"
k_see 'Vui lòng chờ [0-9]+ giây' "the prompt box shows the wait instead of 'press any key'"
if [[ $(k_screen) =~ Nhấn\ phím\ bất\ kỳ\ để\ bắt\ đầu ]]; then fail "... and not the invitation"
else pass "... and not the invitation"; fi
k_keys Enter
sleep 0.5
is "$(k_state_count running)" 1 "a key during the cooldown starts nothing"

k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
k_keys Enter
k_wait_state running 2
k_keys Escape
k_wait 'Hủy lượt đo\?'; ok $? "Esc asks to cancel"
k_keys Escape
k_wait_state welcome 3; ok $? "Esc again cancels: back to Welcome"
wait_until '[ "$(grep -c "^{" "$K_LOG")" -ge 2 ]'
is "$(grep '^{' "$K_LOG" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"]["code"])' 2>&1)" \
    cancelled "the cancelled test is logged as such"
k_stop

# The Linux console's glyph set: only characters the kiosk's console font has.
FONT=$(tramdo_font)
sed -e 's/^\[kiosk\]$/[kiosk]\ncharset = console/' "$T_TMP/k.ini" > "$T_TMP/console.ini"
K_SOCK=tramdo-kiosk-$$-console K_LOG=$T_TMP/console.log
k_start 100 30 "$T_TMP/console.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo'
k_keys Enter
k_wait 'Tải xuống'
k_screen > "$T_TMP/c-running.txt"
k_wait_state result
k_wait 'Xin cảm ơn quý vị'
k_screen > "$T_TMP/c-result.txt"
missing=$(python3 "$SRCDIR/tests/integration/psfcheck.py" "$FONT" "$T_TMP/c-running.txt" "$T_TMP/c-result.txt" 2>&1)
is "$missing" "" "console-mode Running and Result only use characters the console font has"
grep '^{' "$K_LOG" | tail -1 > "$T_TMP/last.jsonl"
read -r dl ul lat id <<< "$(shown "$T_TMP/last.jsonl")"
is "$(echo $(bigread "$T_TMP/c-result.txt"))" "$dl $ul" "console mode: half-block figures = the logged JSON"
done_testing
