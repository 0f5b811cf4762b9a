#!/usr/bin/env bash
# SIGWINCH re-lays out the kiosk: after a resize the screen is exactly what a kiosk started at
# that size draws (80x24, 200x60), below 80x24 only a short message, and back again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
plan 13

printf '[station]\nname = Trạm Thử\n' > "$T_TMP/k.ini"
# The status line holds the clock, which may tick between two captures: compare the rest.
body() { printf '%s\n' "$1" | head -n -1; }

declare -A resized
k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ'; ok $? "welcome at 100x30"
for size in 80x24 200x60 40x10 100x30; do
	k_resize "${size%x*}" "${size#*x}"
	sleep 0.2
	k_settle
	resized[$size]=$(k_screen)
done
kill -0 "$K_PID" 2>/dev/null; ok $? "still running after four resizes"
k_stop

for size in 80x24 200x60; do
	K_SOCK=tramdo-kiosk-$$-$size
	k_start "${size%x*}" "${size#*x}" "$T_TMP/k.ini"
	k_wait 'Nhấn phím bất kỳ'
	fresh=$(k_screen)
	k_stop
	is "$(body "${resized[$size]}")" "$(body "$fresh")" "resized to $size looks as if started at $size"
	like "${resized[$size]}" 'Nhấn phím bất kỳ để bắt đầu đo' "$size: prompt whole"
	k_box_ok "${resized[$size]}"; ok $? "$size: prompt box intact"
done

# The prompt box is centred in the text column, which ends 3 columns before the i-Speed code
# (whose first 4 columns are its blank quiet zone).
centred=$(printf '%s\n' "${resized[200x60]}" | python3 -c '
import sys
rows = sys.stdin.read().split("\n")
top = next(r for r in rows if "┌" in r)
left, right = top.index("┌"), top.index("┐")
qr = min(i for r in rows for i, c in enumerate(r) if c in "█▀▄" and i > right)
width = qr - 4 - 3    # the code starts with its quiet zone of 4 blank modules
print(left, (width - (right - left + 1)) // 2)')
read -r got want <<< "$centred"
num_ok "abs(${got:-0} - ${want:--9}) <= 1" "200x60: prompt box centred in its column (column $got, want $want)"

small=${resized[40x10]}
like "$small" 'Màn hình quá nhỏ' "40x10: short message"
if [[ $small =~ Nhấn|┌|─ ]]; then fail "40x10: nothing else drawn"; else pass "40x10: nothing else drawn"; fi
like "${resized[100x30]}" 'Nhấn phím bất kỳ để bắt đầu đo' "back at 100x30: welcome again"
k_box_ok "${resized[100x30]}"; ok $? "100x30: prompt box intact"
done_testing
