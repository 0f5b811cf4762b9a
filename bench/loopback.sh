#!/bin/bash
# loopback.sh — is tramdo's engine ever the bottleneck? On a loopback nginx
# (config/nginx-speedtest.conf), compare tramdo's download and upload rates with curl using the
# same number of parallel streams — as separate curl processes, and as one curl process
# (--parallel, single-threaded like tramdo) — and report client CPU seconds per GB moved.
# Prints a Markdown table of medians over ROUNDS rounds (interleaved, so load spikes from other
# processes hit every contender alike).
#
#   bench/loopback.sh [DOWN_STREAMS [UP_STREAMS [SECONDS [ROUNDS]]]]    (defaults 6 4 6 3)
#
# Run from the source tree after `make`. Traffic stays on 127.0.0.1.
set -u
cd "$(dirname "$0")/.." || exit 1
TRAMDO_SRCDIR=$PWD
. tests/integration/lib.sh

DOWN=${1:-6}
UP=${2:-4}
SECS=${3:-6}
ROUNDS=${4:-3}
TRAMDO=${TRAMDO:-$PWD/tramdo}
MB=100			# each curl transfer: one 100 MiB garbage file, or a 100 MiB POST
NGINX_GARBAGE_MB=$MB
load_before=$(uptime | sed 's/.*load average: //')

PORT=$(free_port)
start_nginx "$PORT" || exit 1
BASE="http://127.0.0.1:$PORT"
BODY=$T_TMP/nginx-$PORT/www/garbage.bin	# random, already in the page cache

# timed CMD...: runs CMD; prints "wall_seconds cpu_seconds" (user + system, children included)
timed() {
	/usr/bin/time -f "%e %U %S" -o "$T_TMP/time" "$@" > "$T_TMP/out" 2>/dev/null
	tail -n 1 "$T_TMP/time" | awk '{ printf "%s %.3f\n", $1, $2 + $3 }'
}

# urls N: N cache-busted URLs of the endpoint for direction $dir, each followed by -o /dev/null
urls() {
	local i path=garbage
	[ "$dir" = up ] && path=empty
	for i in $(seq "$1"); do printf '%s\n' "$BASE/$path?r=$RANDOM$i" -o /dev/null; done
}

curl_args() {
	if [ "$dir" = up ]; then
		printf '%s\n' -s -H Expect: -H "Content-Type: application/octet-stream" --data-binary "@$BODY"
	else
		printf '%s\n' -s
	fi
}

# curl_procs STREAMS: one curl process per stream, each $REPS transfers on a kept-alive connection
curl_procs() {
	local i
	for i in $(seq "$1"); do
		curl $(curl_args) $(urls "$REPS") &
	done
	wait
}

# curl_one STREAMS: one curl process, STREAMS transfers at a time
curl_one() {
	curl $(curl_args) --parallel --parallel-max "$1" $(urls $(($1 * REPS)))
}

# transfers per stream for about SECS seconds: the streams share what one stream alone gets
probe=$(curl -s -o /dev/null -w '%{speed_download}' "$BASE/garbage")
reps() { python3 -c "print(max(1, round($probe * $SECS / ($MB * 1048576) / $1)))"; }

cat > "$T_TMP/bench.ini" <<INI
[test]
download_streams = $DOWN
upload_streams = $UP
max_seconds = $SECS
[storage]
path = $T_TMP/results.db
[gps]
enabled = no
INI

: > "$T_TMP/rows"
for round in $(seq "$ROUNDS"); do
	for dir in down up; do
		n=$DOWN; [ "$dir" = up ] && n=$UP
		REPS=$(reps "$n")
		bytes=$((n * REPS * MB * 1048576))
		read -r w c < <(timed bash -c "$(declare -f curl_procs curl_args urls); \
		    BASE=$BASE BODY=$BODY REPS=$REPS dir=$dir; curl_procs $n")
		echo "curl_procs $dir $w $c $bytes" >> "$T_TMP/rows"
		read -r w c < <(timed bash -c "$(declare -f curl_one curl_args urls); \
		    BASE=$BASE BODY=$BODY REPS=$REPS dir=$dir; curl_one $n")
		echo "curl_one $dir $w $c $bytes" >> "$T_TMP/rows"
	done
	read -r w c < <(timed "$TRAMDO" -c "$T_TMP/bench.ini" run --json --server "$BASE/")
	python3 -c "
import json; d = json.load(open('$T_TMP/out'))
print('tramdo down', d['download_mbps'], '$c', d['bytes']['download'] + d['bytes']['upload'])
print('tramdo up', d['upload_mbps'], '$c', 0)" >> "$T_TMP/rows"
done

python3 - "$T_TMP/rows" "$DOWN" "$UP" "$ROUNDS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
down, up, rounds = sys.argv[2:5]
def med(xs): return statistics.median(xs)
def rate(who, d):
    if who == "tramdo":
        return med([float(r[2]) for r in rows if r[0] == who and r[1] == d])
    return med([float(r[4]) * 8 / float(r[2]) / 1e6 for r in rows if r[0] == who and r[1] == d])
def cpu_per_gb(who):
    if who == "tramdo":
        rs = [r for r in rows if r[0] == who and r[1] == "down"]
    else:
        rs = [r for r in rows if r[0] == who]
    return sum(float(r[3]) for r in rs) / (sum(float(r[4]) for r in rs) / 1e9)
print(f"Medians of {rounds} rounds, Mbit/s of payload.\n")
print("| direction | streams | curl, one process per stream | curl --parallel, one process | tramdo | tramdo / curl (processes) | tramdo / curl (one process) |")
print("|---|---|---|---|---|---|---|")
for d, n in (("down", down), ("up", up)):
    cp, co, t = rate("curl_procs", d), rate("curl_one", d), rate("tramdo", d)
    print(f"| {'download' if d == 'down' else 'upload'} | {n} | {cp:.0f} | {co:.0f} | {t:.0f} | {t / cp:.2f} | {t / co:.2f} |")
print()
print("| client CPU per GB moved (download + upload) | curl processes | curl --parallel | tramdo |")
print("|---|---|---|---|")
print(f"| seconds | {cpu_per_gb('curl_procs'):.2f} | {cpu_per_gb('curl_one'):.2f} | {cpu_per_gb('tramdo'):.2f} |")
PY
echo
echo "Load average before: $load_before; after: $(uptime | sed 's/.*load average: //'). $(nproc) cores, nginx (2 workers) on the same machine."
