#!/usr/bin/env bash
# kiosk-ui.sh — what the kiosk's screen costs the measurement. The download rate the kiosk
# measures (in tmux, redrawing the running screen) against `tramdo run` on the same loopback
# nginx, alternating, ROUNDS times each (medians); then the idle Welcome screen's CPU use over
# IDLE_SECONDS. Run from a built source tree: bench/kiosk-ui.sh (results go to docs/kiosk.md
# by hand, with the load shown here).
set -u
cd "$(dirname "$0")/.."
SRCDIR=$PWD
TRAMDO=${TRAMDO:-$PWD/tramdo}
ROUNDS=${ROUNDS:-5}
IDLE_SECONDS=${IDLE_SECONDS:-60}
. tests/integration/lib.sh
. tests/integration/kiosk.sh

median() { python3 -c 'import statistics,sys; print("%.3f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }

echo "# $(date -u +%FT%TZ) $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
port=$(free_port)
start_nginx "$port" || exit 1
cat > "$T_TMP/k.ini" <<INI
[station]
id = BENCH
name = Bench
[kiosk]
result_seconds = 5
cooldown_seconds = 0
[test]
server = lan
max_seconds = 5
[server lan]
url = http://127.0.0.1:$port/
INI

k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo' || exit 1
# `tramdo run`: its download rate and the CPU seconds (user + system) it used per GB moved.
run_once() {
	python3 - "$TRAMDO" "$T_TMP/k.ini" <<'PY'
import json, resource, subprocess, sys
out = subprocess.run([sys.argv[1], "-c", sys.argv[2], "run", "--json"], capture_output=True).stdout
r = resource.getrusage(resource.RUSAGE_CHILDREN)
d = json.loads(out)
gb = (d["bytes"]["download"] + d["bytes"]["upload"]) / 1e9
print(d["download_mbps"], "%.3f" % ((r.ru_utime + r.ru_stime) / gb))
PY
}

hz=$(getconf CLK_TCK)
run_rates=() kiosk_rates=() run_cpus=() kiosk_cpus=()
for i in $(seq "$ROUNDS"); do
	read -r r rc < <(run_once)
	run_rates+=("$r") run_cpus+=("$rc")
	n=$(grep -c '^{' "$K_LOG")
	t0=$(k_cpu_ticks "$K_PID")
	k_keys Enter
	for _ in $(seq 300); do [ "$(grep -c '^{' "$K_LOG")" -gt "$n" ] && break; sleep 0.1; done
	t1=$(k_cpu_ticks "$K_PID")
	read -r k kc < <(grep '^{' "$K_LOG" | tail -1 | python3 -c "import json,sys; d=json.load(sys.stdin); \
	    gb=(d['bytes']['download']+d['bytes']['upload'])/1e9; print(d['download_mbps'], '%.3f' % (($t1-$t0)/$hz/gb))")
	kiosk_rates+=("$k") kiosk_cpus+=("$kc")
	echo "round $i: run $r Mbit/s ($rc s CPU/GB), kiosk $k Mbit/s ($kc s CPU/GB)"
	k_wait 'Kết quả' 5 >/dev/null
	k_keys Enter
	k_wait 'Nhấn phím bất kỳ để bắt đầu đo' 10 >/dev/null
done
k_stop
mr=$(median "${run_rates[@]}")
mk=$(median "${kiosk_rates[@]}")
echo "download median: tramdo run $mr Mbit/s, kiosk $mk Mbit/s; UI cost $(python3 -c "print('%.1f' % (100 * (1 - $mk / $mr)))") %"
echo "CPU per GB moved, median: tramdo run $(median "${run_cpus[@]}") s, kiosk $(median "${kiosk_cpus[@]}") s"

K_SOCK=tramdo-bench-idle-$$
k_start 100 30 "$T_TMP/k.ini"
k_wait 'Nhấn phím bất kỳ để bắt đầu đo' || exit 1
sleep 1
t0=$(k_cpu_ticks "$K_PID")
sleep "$IDLE_SECONDS"
t1=$(k_cpu_ticks "$K_PID")
echo "idle Welcome: $((t1 - t0)) ticks (1/$hz s) in $IDLE_SECONDS s = $(python3 -c "print('%.3f' % (100 * ($t1 - $t0) / $hz / $IDLE_SECONDS))") % CPU"
k_stop
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
