#!/usr/bin/env bash
# Every screen a citizen or staff meets, at 80x24, 100x30 and 120x33, in the console glyph set
# (TERM=linux) and in unicode, in Vietnamese and English: twelve kiosks side by side, each
# through Welcome, a test, its Result, Welcome again, the staff PIN and the Staff screen; the
# Running screen twice; two more kiosks (80x24, vi console and en unicode) with the server down
# through Error, out of service and the staff screen with its problems. On every
# capture: nothing cut (no "…" of a truncated line, every sentence whole, wrapped or not),
# numbers with the language's decimal mark (a comma in Vietnamese, a point in English), only
# characters the kiosk's console font has in console mode (psfcheck.py). And:
#  - the i-Speed code is there by default (no promo_qr_url) and scans at 100x30 and 120x33,
#    drawn with the console font (psfrender.py + zbarimg) or read from the half blocks
#    (qrscan.py); at 80x24 it must scan when it is shown;
#  - Welcome: "Tháng M: trạm đã đo N lượt cho <commune>", N the good tests of this month in the
#    store (pre-filled by `tramdo run`, a failed test among them), and N+1 after the kiosk's
#    own test; the result says it is the centre's network; at 120x33 the download figure is at
#    least 7 rows high; the result's code is [upload] result_url with the logged id (required
#    at 120x33, checked wherever it is shown: 100x30 too);
#  - the staff screen's counts equal the store's, each problem has its time and the log's raw
#    text, whole; "T: Đo thử ngay" starts a staff test; a GPS receiver that sends no satellite
#    count (RMC sentences only, replayed by gpsfake) shows as "2D, chưa rõ số vệ tinh".
# In a private network namespace each kiosk's nginx is shaped to a line of its own (3, 8 and
# 40 Mbit/s by size, tc htb on loopback): figures with decimals, the long verdicts of slow
# lines at the smallest size, and twelve simultaneous tests cost almost no CPU. Without a
# namespace the tests run at loopback speed (figures above 1000 Mbit/s have no decimals).
# SCREENS_OUT=DIR keeps the captures (gN-SCREEN.txt, kiosk N as listed in the diagnostics).

# A private network namespace with only loopback, re-executed once before lib.sh makes its
# temporary directory (as 47-kiosk-faults.t).
if [ -z "${T_IN_NETNS:-}" ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	T_IN_NETNS=1 exec unshare -n bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kiosk.sh"
. "$(dirname "$0")/gps.sh"
command -v tmux >/dev/null || skip_all "tmux missing"
command -v nginx >/dev/null || skip_all "nginx missing"
command -v zbarimg >/dev/null || skip_all "zbarimg missing (zbar-tools)"
FONT=$(tramdo_font) || skip_all "scripts/mkfont.py could not make the console font"
T_START=$(date +%s.%N)

SIZES=(80x24 100x30 120x33)
RATES=(5 8 40)			# Mbit/s of each size's lines: slow, fair and good verdicts
CHARSETS=(console unicode)
LANGS=(vi en)
MAIN=12				# kiosk g: size g/4, charset (g/2)%2, language g%2
ERR_VI=12 ERR_EN=13		# the server down: Error, then out of service (80x24)
RUN_A=0 RUN_B=3			# the Running screen is captured on these two (80x24)
STAFF_T=6			# 100x30 unicode vi: gpsd without satellites; T on the staff screen
PIN=2468
plan $((6 + MAIN * 12 + 4 + 6 + 2 + 7))

size_of() { echo "${SIZES[$(($1 / 4))]}"; }
charset_of() { echo "${CHARSETS[$(($1 / 2 % 2))]}"; }
lang_of() { echo "${LANGS[$(($1 % 2))]}"; }

# Loopback shaped per nginx port (both directions: sport for downloads, dport for uploads);
# MTU 1500 and a 100-packet queue as on a real line, not loopback's 64 kB packets.
SHAPED=
if [ -n "${T_IN_NETNS:-}" ] && command -v tc >/dev/null && ip link set lo mtu 1500 &&
    tc qdisc add dev lo root handle 1: htb default 0 2>/dev/null; then
	SHAPED=1
fi
shape() {	# shape PORT CLASS MBIT
	[ -n "$SHAPED" ] || return 0
	tc class add dev lo parent 1: classid "1:$2" htb rate "$3mbit" ceil "$3mbit" quantum 1514 &&
	tc qdisc add dev lo parent "1:$2" pfifo limit 100 &&
	tc filter add dev lo parent 1: protocol ip u32 match ip sport "$1" 0xffff flowid "1:$2" &&
	tc filter add dev lo parent 1: protocol ip u32 match ip dport "$1" 0xffff flowid "1:$2"
}

PORTS=()
for g in $(seq 0 $((MAIN - 1))); do
	PORTS[$g]=$(free_port)
	NGINX_GARBAGE_MB=2 start_nginx "${PORTS[$g]}" || { fail "nginx started"; done_testing; }
	shape "${PORTS[$g]}" $((g + 10)) "${RATES[$((g / 4))]}" || SHAPED=
done
[ -n "$SHAPED" ] && diag "lines shaped to ${RATES[*]} Mbit/s" ||
    diag "no private network namespace or tc: tests at loopback speed"
DEAD=$(free_port)
gps_start "$NMEA/rmc.nmea" || { fail "gpsfake started"; done_testing; }

# write_ini FILE PORT DB LANG CHARSET [MAX_SECONDS [GPS_PORT]]: a station of phường Phúc Xá.
write_ini() {
	local gps="enabled = no"
	[ -n "${7:-}" ] && gps="host = 127.0.0.1
port = $7"
	cat > "$1" <<INI
[station]
id = HN-BD-01
name = Trung tâm Văn hóa Ba Đình
commune = phường Phúc Xá
[kiosk]
language = $4
charset = $5
result_seconds = 600
staff_pin = $PIN
[test]
server = lan
max_seconds = ${6:-2}
[gps]
$gps
[storage]
path = $3
[upload]
result_url = https://example.vn/r/{id}
[server lan]
url = http://127.0.0.1:$2/
INI
}

# The store: two good tests and a failed one by `tramdo run` (each on a line of its own),
# copied to every kiosk's database.
write_ini "$T_TMP/fill.ini" "${PORTS[$((MAIN - 1))]}" "$T_TMP/fill.db" vi unicode
write_ini "$T_TMP/fill2.ini" "${PORTS[$((MAIN - 2))]}" "$T_TMP/fill.db" vi unicode
write_ini "$T_TMP/fill-down.ini" "$DEAD" "$T_TMP/fill.db" vi unicode
"$TRAMDO" -c "$T_TMP/fill.ini" run >"$T_TMP/fill1.out" 2>&1 & p1=$!
"$TRAMDO" -c "$T_TMP/fill2.ini" run >"$T_TMP/fill2.out" 2>&1 & p2=$!
"$TRAMDO" -c "$T_TMP/fill-down.ini" run >"$T_TMP/fill3.out" 2>&1 & p3=$!
wait $p1 $p2 $p3
# counts DB: the store's good tests this (local) month and today, and failed ones today.
counts() {
	"$TRAMDO" -c "$T_TMP/fill.ini" history --json -n 1000 | python3 -c '
import datetime, json, sys
rows = json.load(sys.stdin)
now = datetime.datetime.now().astimezone()
def local(r): return datetime.datetime.fromisoformat(r["started_at"].replace("Z", "+00:00")).astimezone()
month = [r for r in rows if (local(r).year, local(r).month) == (now.year, now.month)]
today = [r for r in rows if local(r).date() == now.date()]
print(sum("error" not in r for r in month), sum("error" not in r for r in today), sum("error" in r for r in today))'
}
read -r FILL_MONTH FILL_TODAY FILL_FAILED <<< "$(counts)"
is "$FILL_MONTH $FILL_TODAY $FILL_FAILED" "2 2 1" "the store holds 2 good tests and a failed one (tramdo run)"
[ "$FILL_MONTH $FILL_TODAY $FILL_FAILED" = "2 2 1" ] || grep -h -i 'error\|fail' "$T_TMP"/fill?.out | sed 's/^/#   /'

for g in $(seq 0 $((MAIN + 1))); do
	python3 -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d)' \
	    "$T_TMP/fill.db" "$T_TMP/g$g.db"
done

# Start the kiosks: each its own tmux server, log, database and line.
for g in $(seq 0 $((MAIN + 1))); do
	if [ "$g" -lt "$MAIN" ]; then
		size=$(size_of "$g") cs=$(charset_of "$g") lang=$(lang_of "$g") port=${PORTS[$g]}
	else
		size=80x24 port=$DEAD
		cs=console lang=vi
		[ "$g" = "$ERR_EN" ] && cs=unicode lang=en
	fi
	# The Running screen lasts longer where it is captured: never a race with the result.
	# Each direction measures 4 s: a stall is then no byte for 2 s, not 1 (a shaped line's
	# queue, still full of the download when the upload starts, has held the first ack 1.1 s).
	secs=4 gps=
	{ [ "$g" = "$RUN_A" ] || [ "$g" = "$RUN_B" ]; } && secs=5
	[ "$g" = "$STAFF_T" ] && gps=$GPS_PORT
	write_ini "$T_TMP/g$g.ini" "$port" "$T_TMP/g$g.db" "$lang" "$cs" "$secs" "$gps"
	term=xterm-256color
	[ "$cs" = console ] && term=linux
	echo "$g $size $cs $lang" >> "$T_TMP/kiosks.txt"
	k_use "$g"
	k_start "${size%x*}" "${size#*x}" "$T_TMP/g$g.ini" TERM=$term
	K_PIDS_OF[$g]=$K_PID
done
"$TRAMDO" -c "$T_TMP/g$STAFF_T.ini" check-config > "$T_TMP/check.out" 2>&1
like "$(cat "$T_TMP/check.out")" 'OK' "the configurations are valid (check-config)"

prompt() { [ "$1" = vi ] && echo 'Nhấn phím bất kỳ để bắt đầu đo' || echo 'Press any key to start the test'; }
thanks() { [ "$1" = vi ] && echo 'Xin cảm ơn quý vị' || echo 'Thank you for taking part'; }
capture() { k_screen > "$T_TMP/g$1-$2.txt"; }

# go G: act on kiosk G if it is still on track; miss G WHAT: it is not (a kiosk that missed a
# step is left alone: no more waiting on it, and its checks below fail).
BROKEN=()
go() { k_use "$1"; [ -z "${BROKEN[$1]:-}" ]; }
miss() {
	BROKEN[$1]=1
	diag "kiosk $1 ($(sed -n "$(($1 + 1))p" "$T_TMP/kiosks.txt")): no $2"
	grep -E 'test failed|state: ' "$T_TMP/kiosk-$1.log" 2>/dev/null | tail -3 | sed 's/^/#   /'
}
pin_keys() { k_keys $(echo "$PIN" | sed 's/./& /g') Enter; }
# test_ended: until the kiosk's first test ended (the log says running -> something, 60 s at
# most); true if it ended with its result. A failed test is known at once, not after a wait.
test_ended() {
	local i
	for i in $(seq 600); do
		grep -qE 'state: running -> ' "$K_LOG" 2>/dev/null && break
		sleep 0.1
	done
	grep -E 'state: running -> ' "$K_LOG" 2>/dev/null | head -1 | grep -q -- '-> result$'
}
since() { python3 -c "import time; print('%.1f' % (time.time() - $T_START))"; }

diag "kiosks started at $(since) s"
# Welcome, as each kiosk starts.
for g in $(seq 0 $((MAIN + 1))); do
	go "$g" || continue
	k_wait_state welcome && k_wait "$(prompt "$(lang_of "$g")")" 30 || { miss "$g" Welcome; continue; }
	[ "$g" = "$STAFF_T" ] && k_wait 'GPS: 2D'
	k_settle
	capture "$g" welcome
done

diag "Welcome captured at $(since) s"
# A test on every kiosk at once; the Running screen on two of them.
for g in $(seq 0 $((MAIN + 1))); do go "$g" && k_keys Enter; done
# The server down: the error screen, then two more failures: out of service, and what staff
# see then. In the background, while the other kiosks go on.
(
	for g in $ERR_VI $ERR_EN; do
		go "$g" || continue
		k_wait_state error && k_wait 'Vui lòng báo cho nhân viên|Please tell the staff' ||
		    { miss "$g" Error; continue; }
		k_settle
		capture "$g" error
	done
	for n in 2 3; do
		for g in $ERR_VI $ERR_EN; do
			go "$g" || continue
			k_wait_state welcome "$n" && k_keys Enter || miss "$g" "failure $n"
		done
	done
	for g in $ERR_VI $ERR_EN; do
		go "$g" || continue
		k_wait_state out_of_service && k_wait 'Tạm ngừng đo|Out of service' ||
		    { miss "$g" "out of service"; continue; }
		k_settle
		capture "$g" out
		k_keys C-t C-t C-t
		k_wait_state staff_pin && pin_keys &&
		    k_wait_state staff && k_wait 'Sự cố gần đây|Recent problems' || { miss "$g" staff; continue; }
		k_settle
		capture "$g" staff
	done
) > "$T_TMP/errors.out" 2>&1 &
errors=$!
for g in $RUN_A $RUN_B; do
	go "$g" || continue
	k_wait_state running && k_wait 'Đang đo…|Measuring…' && k_wait 'Mbps' || miss "$g" Running
	capture "$g" running
done
for g in $(seq 0 $((MAIN - 1))); do
	go "$g" || continue
	test_ended && k_wait "$(thanks "$(lang_of "$g")")" || { miss "$g" Result; continue; }
	k_settle
	capture "$g" result
	grep '^{' "$K_LOG" | tail -1 > "$T_TMP/g$g.json"
done

diag "results captured at $(since) s"
# Back to Welcome with a key once the result takes keys: the count has gone up by one.
for g in $(seq 0 $((MAIN - 1))); do
	go "$g" || continue
	k_wait 'Nhấn phím bất kỳ để quay lại|Press any key to go back' && k_keys Enter ||
	    miss "$g" "key on the result"
done
for g in $(seq 0 $((MAIN - 1))); do
	go "$g" || continue
	k_wait_state welcome 2 && k_wait "(Tháng|Month) [0-9]+: [^0-9]*$((FILL_MONTH + 1)) " 30 ||
	    { miss "$g" "Welcome after the test"; continue; }
	k_settle
	capture "$g" welcome2
done

diag "Welcome again at $(since) s"
# The staff PIN, then the staff screen.
for g in $(seq 0 $((MAIN - 1))); do go "$g" && k_keys C-t C-t C-t; done
for g in $(seq 0 $((MAIN - 1))); do
	go "$g" || continue
	k_wait_state staff_pin && k_wait 'Dành cho nhân viên|Staff only' || { miss "$g" "PIN prompt"; continue; }
	k_settle
	capture "$g" pin
	pin_keys
done
for g in $(seq 0 $((MAIN - 1))); do
	go "$g" || continue
	k_wait_state staff && k_wait 'Sự cố gần đây|Recent problems' || { miss "$g" "staff screen"; continue; }
	k_settle
	capture "$g" staff
done

diag "staff screens captured at $(since) s"
# T on the staff screen: a test now.
k_use $STAFF_T
k_keys t
k_wait_state running 2; ok $? "T on the staff screen starts a test"
like "$(grep 'state: [a-z_]* -> running' "$K_LOG" | tail -1)" 'staff -> running \(staff\)$' \
    "... logged as staff -> running (staff)"
k_wait_state result 2; ok $? "... and its result shows"
like "$(cat "$T_TMP/g$STAFF_T-staff.txt" 2>/dev/null)" 'GPS: 2D, chưa rõ số vệ tinh' \
    "a GPS fix without a satellite count: 'chưa rõ số vệ tinh', not 0"

wait $errors
diag "error kiosks done at $(since) s"
sed 's/^/# errors: /' "$T_TMP/errors.out"
# SCREENS_OUT=DIR keeps the captures for a look.
[ -n "${SCREENS_OUT:-}" ] && mkdir -p "$SCREENS_OUT" && cp "$T_TMP"/g*.txt "$T_TMP"/g*.json "$SCREENS_OUT"/
for g in $(seq 0 $((MAIN + 1))); do k_use "$g"; k_stop; done

# The checks on the captures: "0 NAME" passes, "1 NAME" fails, "# ..." is a diagnosis.
python3 - "$T_TMP" "$SRCDIR" "$FONT" "$FILL_MONTH" "$FILL_TODAY" "$FILL_FAILED" \
    "$MAIN" "$ERR_VI $ERR_EN" "$RUN_A $RUN_B" > "$T_TMP/checks" 2>&1 <<'PY'
import configparser, datetime, json, os, re, subprocess, sys
T, SRC, FONT = sys.argv[1:4]
FILL_MONTH, FILL_TODAY, FILL_FAILED, MAIN = (int(a) for a in sys.argv[4:8])
ERRS = [int(a) for a in sys.argv[8].split()]
RUNS = [int(a) for a in sys.argv[9].split()]
IT = SRC + "/tests/integration/"
kiosks = {}
for line in open(T + "/kiosks.txt"):
    g, size, cs, lang = line.split()
    kiosks[int(g)] = (size, cs, lang)

cats = {}
for lang in ("vi", "en"):
    c = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"), strict=False)
    c.read(SRC + "/assets/i18n/%s.ini" % lang, encoding="utf-8")
    cats[lang] = c
def tr(lang, key):
    sec, k = key.split(".", 1)
    v = cats[lang][sec][k]
    return v[1:-1] if len(v) > 1 and v[0] == v[-1] == '"' else v

def screen(g, name):
    p = "%s/g%d-%s.txt" % (T, g, name)
    return open(p, encoding="utf-8").read() if os.path.exists(p) else ""

# Whole sentences: the words of text (placeholders filled; a value of None matches any
# number) appear in order in the screen read row by row, whatever the wrapping and whatever
# else stands beside them (the QR code, the other column); a word longer than its line (a URL)
# may be broken over two.
def tokens(text, **fill):
    out = []
    for w in text.split():
        parts = re.split(r"(\{[a-z]+\})", w)
        rx = ""
        for p in parts:
            m = re.fullmatch(r"\{([a-z]+)\}", p)
            if m and m.group(1) in fill and fill[m.group(1)] is not None:
                val = str(fill[m.group(1)])
                if " " in val:       # a value of several words: its own tokens
                    pre = rx
                    vs = val.split()
                    out.extend([pre + re.escape(vs[0])] + [re.escape(v) for v in vs[1:-1]])
                    rx = re.escape(vs[-1])
                    continue
                rx += re.escape(val)
            elif m:
                rx += r"[0-9]+(?:[.,][0-9]+)?"
            else:
                rx += re.escape(p)
        out.append(rx)
    return out
def whole(scr, text, **fill):
    want = tokens(text, **fill)
    have = scr.split()
    i = k = 0
    while i < len(want) and k < len(have):
        if re.fullmatch(want[i], have[k]):
            i += 1
        elif k + 1 < len(have) and re.fullmatch(want[i], have[k] + have[k + 1]):
            i, k = i + 1, k + 1      # a word longer than the line, broken over two
        k += 1
    return i == len(want)
def not_cut(scr, texts, allowed=()):
    s = scr
    for a in allowed:
        s = s.replace(a, "")
    why = []
    if "…" in s:
        why.append("an ellipsis: " + next(l.strip() for l in s.split("\n") if "…" in l))
    for t in texts:
        text, fill = (t, {}) if isinstance(t, str) else t
        if not whole(scr, text, **fill):
            why.append("not whole: " + text)
    if not scr.strip():
        why.append("no capture")
    return not why, why

def check(cond, name, *why):
    print("0" if cond else "1", name)
    for w in why if not cond else ():
        print("#", w)

# Numbers as the screen formats them, from the JSON's two decimals; where the JSON ends in 5
# on the digit that is rounded away, either neighbour is right.
def shown(v, dec, mark):
    lo, hi = "%.*f" % (dec, v - 1e-9), "%.*f" % (dec, v + 1e-9)
    return {x.replace(".", mark) for x in (lo, hi)}
def mbps_dec(v): return 2 if v < 10 else 1 if v < 1000 else 0
def ms_dec(v): return 1 if v < 10 else 0

def zbar_console(path):
    pgm = path + ".pgm"
    subprocess.run(["python3", IT + "psfrender.py", path, FONT, pgm], check=True)
    r = subprocess.run(["zbarimg", "--raw", "-q", pgm], capture_output=True, text=True)
    return r.stdout.strip()
def qrscan(path):
    r = subprocess.run(["python3", IT + "qrscan.py", path], capture_output=True, text=True)
    return r.stdout.strip()
def has_code(scr): return "█▀▀▀▀▀█" in scr
def bigread(path):
    r = subprocess.run(["python3", IT + "bigread.py", SRC + "/assets/digits.txt", path],
                       capture_output=True, text=True)
    return r.stdout.split()

month = datetime.datetime.now().month
for g in range(MAIN):
    size, cs, lang = kiosks[g]
    name = "%s %s %s" % (size, cs, lang)
    W, H = (int(x) for x in size.split("x"))
    mark = "," if lang == "vi" else "."
    commune = "phường Phúc Xá"
    wel = screen(g, "welcome")
    okk, why = not_cut(wel, [
        tr(lang, "app.title"), tr(lang, "welcome.prompt"), tr(lang, "welcome.free"),
        tr(lang, "welcome.today"), tr(lang, "welcome.language"), tr(lang, "welcome.ispeed"),
        (tr(lang, "welcome.month"), {"m": None, "n": None, "commune": commune})])
    check(okk, "%s Welcome: nothing cut, the i-Speed caption whole" % name, *why)
    check(whole(wel, tr(lang, "welcome.month"), m=month, n=FILL_MONTH, commune=commune) and
          whole(wel, tr(lang, "welcome.today"), n=FILL_TODAY),
          "%s Welcome: this month's good tests for the commune (%d) and today's (%d), from the store"
          % (name, FILL_MONTH, FILL_TODAY))
    path = "%s/g%d-welcome.txt" % (T, g)
    if W == 80 and not has_code(wel):
        check(True, "%s Welcome: the i-Speed code (not shown at 80x24)" % name)
    else:
        got = zbar_console(path) if cs == "console" else qrscan(path)
        how = "drawn with tramdo-vi16, zbarimg" if cs == "console" else "qrscan.py"
        check(got == "https://i-speed.vn", "%s Welcome: the i-Speed code by default; %s reads it" % (name, how),
              "read: %r" % got)

    res = screen(g, "result")
    try:
        js = json.loads(open("%s/g%d.json" % (T, g)).read())
    except (OSError, ValueError):
        js = {"download_mbps": -1, "upload_mbps": -1, "latency_ms": {"median": -1, "jitter": -1},
              "loaded_latency_ms": {"download": -1, "upload": -1}, "id": "?"}
    dl, ul, lat = js["download_mbps"], js["upload_mbps"], js["latency_ms"]["median"]
    verdicts = [k for k in cats[lang]["verdict"]]
    vtexts = [tr(lang, "verdict." + k) for k in verdicts]
    ratings = [tr(lang, "rating." + k) for k in ("good", "fair", "slow")]
    steady = [tr(lang, "result." + k) for k in ("steady", "unsteady")]
    okk, why = not_cut(res, [tr(lang, "result.title"), tr(lang, "result.centre"), tr(lang, "result.thanks")])
    if not whole(res, tr(lang, "result.wait")) and not whole(res, tr(lang, "result.back")):
        okk, why = False, why + ["no countdown line whole"]
    if not any(whole(res, v) for v in vtexts):
        okk, why = False, why + ["no verdict sentence whole"]
    if not any(re.search(r"(^|\s)%s\s" % re.escape(r), res) for r in ratings):
        okk, why = False, why + ["no rating word"]
    if not any(whole(res, s) for s in steady):
        okk, why = False, why + ["no steadiness sentence whole"]
    check(okk, "%s Result: nothing cut: verdict with its word, steadiness, the rest" % name, *why)
    figs = bigread("%s/g%d-result.txt" % (T, g))
    want_dl, want_ul = shown(dl, mbps_dec(dl), mark), shown(ul, mbps_dec(ul), mark)
    upline = [tr(lang, "result.upload_line").replace("{u}", u) for u in want_ul]
    up_ok = (len(figs) == 2 and figs[1] in want_ul) or (len(figs) == 1 and any(u in res for u in upline))
    latline = [tr(lang, "result.latency_line").replace("{l}", l) for l in shown(lat, ms_dec(lat), mark)]
    other = "." if mark == "," else ","
    check(len(figs) >= 1 and figs[0] in want_dl and up_ok and any(l in res for l in latline)
          and not any(other in f for f in figs),
          "%s Result: the logged figures, with a decimal %s" % (name, "comma" if mark == "," else "point"),
          "large figures read %s; JSON %s %s, latency %s" % (figs, dl, ul, lat))
    check(tr(lang, "result.centre") in res, "%s Result: '%s'" % (name, tr(lang, "result.centre")))
    url = "https://example.vn/r/" + js["id"]
    if size == "120x33" or has_code(res):
        got = qrscan("%s/g%d-result.txt" % (T, g))
        check(got == url, "%s Result: the code is result_url with the logged id" % name, "read: %r" % got)
    else:
        check(True, "%s Result: no code at %s (the figures take the room)" % (name, size))
    if size == "120x33":
        # The download figure: from the row under its label to the row its unit stands on.
        rows = res.split("\n")
        lab = next((i for i, r in enumerate(rows) if tr(lang, "result.download") in r), None)
        unit = next((i for i, r in enumerate(rows) if lab is not None and i > lab and "Mbps" in r), None)
        n = unit - lab if lab is not None and unit is not None else 0
        check(n >= 7, "%s Result: the download digits are %d rows high (>= 7)" % (name, n))

    wel2 = screen(g, "welcome2")
    check(whole(wel2, tr(lang, "welcome.month"), m=month, n=FILL_MONTH + 1, commune=commune) and
          whole(wel2, tr(lang, "welcome.today"), n=FILL_TODAY + 1) and not_cut(wel2, [])[0],
          "%s Welcome after the test: %d this month, %d today, nothing cut" % (name, FILL_MONTH + 1, FILL_TODAY + 1))
    pin = screen(g, "pin")
    okk, why = not_cut(pin, [tr(lang, "staff.pin_title"), tr(lang, "staff.pin_prompt")])
    check(okk, "%s Staff PIN: nothing cut" % name, *why)
    st = screen(g, "staff")
    keys = [tr(lang, "staff.key_test"), tr(lang, "staff.key_back"), tr(lang, "staff.key_exit")]
    okk, why = not_cut(st, [tr(lang, "staff.title"), tr(lang, "staff.problems"),
                            tr(lang, "staff.no_problems")] + keys)
    check(okk, "%s Staff: nothing cut, the keys T, Esc and X whole" % name, *why)
    tests = "%s: %s" % (tr(lang, "staff.tests"), tr(lang, "staff.tests_value")
                        .replace("{good}", str(FILL_TODAY + 1)).replace("{failed}", str(FILL_FAILED)))
    check(tests in st, "%s Staff: '%s', as in the store" % (name, tests))
    j, ldl, lul = js["latency_ms"]["jitter"], js["loaded_latency_ms"]["download"], js["loaded_latency_ms"]["upload"]
    lasts = ["%s: %s" % (tr(lang, "staff.last_test"), tr(lang, "staff.last_value").replace("{j}", a)
                         .replace("{dl}", b).replace("{ul}", c))
             for a in shown(j, ms_dec(j), mark) for b in shown(ldl, 0, mark) for c in shown(lul, 0, mark)]
    check(any(whole(st, l) for l in lasts), "%s Staff: the last test's jitter and latency under load, with the decimal mark" % name,
          "want e.g. %r" % lasts[0])
    if cs == "console":
        files = ["%s/g%d-%s.txt" % (T, g, s) for s in ("welcome", "result", "welcome2", "pin", "staff", "running")
                 if os.path.exists("%s/g%d-%s.txt" % (T, g, s))]
        r = subprocess.run(["python3", IT + "psfcheck.py", FONT] + files, capture_output=True, text=True)
        check(r.returncode == 0, "%s: every screen only uses characters of tramdo-vi16" % name,
              *r.stdout.split("\n")[:5])

for g in RUNS:
    size, cs, lang = kiosks[g]
    run = screen(g, "running")
    okk, why = not_cut(run, [tr(lang, "running.title"), tr(lang, "running.latency"),
                             tr(lang, "running.download"), tr(lang, "running.upload"),
                             tr(lang, "running.cancel_hint")], allowed=[tr(lang, "running.title")])
    check(okk, "%s %s %s Running: nothing cut" % (size, cs, lang), *why)
for g in ERRS:
    size, cs, lang = kiosks[g]
    name = "%s %s %s" % (size, cs, lang)
    err = screen(g, "error")
    okk, why = not_cut(err, [tr(lang, "error.title"), tr(lang, "error.no_server"),
                             tr(lang, "error.tell_staff"), tr(lang, "error.back")])
    check(okk, "%s Error: nothing cut" % name, *why)
    out = screen(g, "out")
    okk, why = not_cut(out, [tr(lang, "welcome.out_title"), tr(lang, "welcome.out_sorry"),
                             tr(lang, "welcome.out_retry"), tr(lang, "welcome.out_staff")])
    check(okk, "%s out of service: nothing cut" % name, *why)
    # What staff see: the problem in plain words with its time, and curl's whole text under it.
    st = screen(g, "staff")
    raw = re.findall(r"citizen test failed: (.*)", open("%s/kiosk-%d.log" % (T, g), encoding="utf-8").read())
    okk, why = not_cut(st, [tr(lang, "problem.no_server")] + raw[-1:])
    tests = "%s: %s" % (tr(lang, "staff.tests"), tr(lang, "staff.tests_value")
                        .replace("{good}", str(FILL_TODAY)).replace("{failed}", str(FILL_FAILED + 3)))
    if tests not in st:
        okk, why = False, why + ["no line " + tests]
    if not re.search(r"[0-2][0-9]:[0-5][0-9]\s+%s" % re.escape(tr(lang, "problem.no_server")), st):
        okk, why = False, why + ["no problem with its time"]
    check(okk and len(raw) == 3, "%s Staff while out of service: the counts, the problems with their times "
          "and the raw text, nothing cut" % name, *why)
    if cs == "console":
        files = [p for p in ("%s/g%d-%s.txt" % (T, g, s) for s in ("welcome", "error", "out", "staff"))
                 if os.path.exists(p)]
        r = subprocess.run(["python3", IT + "psfcheck.py", FONT] + files, capture_output=True, text=True)
        check(r.returncode == 0 and len(files) == 4,
              "%s Error, out of service and staff only use characters of tramdo-vi16" % name,
              *r.stdout.split("\n")[:5])
PY
while read -r code name; do
	case $code in
	0|1) ok "$code" "$name" ;;
	*) diag "$code $name" ;;
	esac
done < "$T_TMP/checks"
diag "wall time $(python3 -c "import time; print('%.1f' % (time.time() - $T_START))") s"
done_testing
