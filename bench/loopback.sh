#!/bin/bash
# loopback.sh — is tramdo's engine ever the bottleneck? On a loopback nginx
# (config/nginx-speedtest.conf), compare tramdo's download and upload rates with curl using the
# same number of parallel streams, and report CPU seconds per GB moved. Prints a Markdown table.
#
#   bench/loopback.sh [DOWN_STREAMS [UP_STREAMS [SECONDS]]]     (defaults 6 4 6)
#
# Run from the source tree after `make`. Traffic stays on 127.0.0.1. The machine's load is
# printed with the numbers: other processes share the CPU with nginx and the client.
set -u
cd "$(dirname "$0")/.." || exit 1
TRAMDO_SRCDIR=$PWD
. tests/integration/lib.sh
trap 't_cleanup' EXIT

DOWN=${1:-6}
UP=${2:-4}
SECS=${3:-6}
TRAMDO=${TRAMDO:-$PWD/tramdo}
MB=100
NGINX_GARBAGE_MB=$MB

PORT=$(free_port)
start_nginx "$PORT" || exit 1
BASE="http://127.0.0.1:$PORT"
BODY=$T_TMP/nginx-$PORT/www/garbage.bin	# random, already in the page cache

# cpu_of CMD...: runs CMD, prints "wall user+sys" seconds (children included)
cpu_of() {
	/usr/bin/time -f "%e %U %S" -o "$T_TMP/time" "$@" > "$T_TMP/out" 2>/dev/null
	tail -n 1 "$T_TMP/time" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }'
}

# curl_rate DIRECTION STREAMS: each stream moves $REPS × $MB MiB on one kept-alive connection
# (URL globbing); rate = all bytes over the wall time of the slowest stream.
curl_streams() {
	local dir=$1 n=$2 i
	for i in $(seq "$n"); do
		if [ "$dir" = down ]; then
			curl -s -o /dev/null "$BASE/garbage?ckSize=$MB&r=[1-$REPS]" &
		else
			curl -s -o /dev/null -H 'Expect:' -H 'Content-Type: application/octet-stream' \
			    --data-binary @"$BODY" "$BASE/empty?r=[1-$REPS]" &
		fi
	done
	wait
}
export -f curl_streams
export BASE MB BODY

# enough repetitions for about SECS seconds at a first guess of the rate
probe=$(curl -s -o /dev/null -w '%{speed_download}' "$BASE/garbage?ckSize=$MB")
REPS=$(python3 -c "print(max(2, int($probe * $SECS / ($MB * 1048576) / 2)))")
export REPS

read -r dwall dcpu < <(cpu_of bash -c "curl_streams down $DOWN")
read -r uwall ucpu < <(cpu_of bash -c "curl_streams up $UP")
cbytes_d=$((DOWN * REPS * MB * 1048576))
cbytes_u=$((UP * REPS * MB * 1048576))

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
read -r twall tcpu < <(cpu_of "$TRAMDO" -c "$T_TMP/bench.ini" run --json --server "$BASE/")
cp "$T_TMP/out" "$T_TMP/tramdo.json"
j() { python3 -c "import json; d=json.load(open('$T_TMP/tramdo.json')); print($1)"; }

python3 - "$dwall" "$dcpu" "$uwall" "$ucpu" "$cbytes_d" "$cbytes_u" "$tcpu" \
    "$(j 'd["download_mbps"]')" "$(j 'd["upload_mbps"]')" \
    "$(j 'd["bytes"]["download"]')" "$(j 'd["bytes"]["upload"]')" "$DOWN" "$UP" <<'PY'
import sys
dwall, dcpu, uwall, ucpu, cbd, cbu, tcpu, tdl, tul, tbd, tbu = map(float, sys.argv[1:12])
down, up = sys.argv[12:14]
cdl = cbd * 8 / dwall / 1e6
cul = cbu * 8 / uwall / 1e6
print("| direction | streams | curl Mbit/s | tramdo Mbit/s | tramdo / curl |")
print("|---|---|---|---|---|")
print(f"| download | {down} | {cdl:.0f} | {tdl:.0f} | {tdl / cdl:.2f} |")
print(f"| upload | {up} | {cul:.0f} | {tul:.0f} | {tul / cul:.2f} |")
print()
print("| client CPU time per GB moved | curl | tramdo |")
print("|---|---|---|")
print(f"| download + upload | {(dcpu + ucpu) / ((cbd + cbu) / 1e9):.2f} s | {tcpu / ((tbd + tbu) / 1e9):.2f} s |")
PY
echo
echo "load: $(uptime | sed 's/.*load average: //'), $(nproc) cores, nginx on the same machine"
