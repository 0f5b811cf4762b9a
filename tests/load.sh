#!/usr/bin/env bash
# tests/load.sh [RUNS] [TARGET] — the test suite on a busy machine: two busy loops per core beside
# RUNS (default 3) runs of `make TARGET` (default check). Prints each run's status, duration and
# load average, and exits non-zero when any run failed. Each run's output: build/load/run-N.log.
# The busy loops are this script's children, killed by PID when it ends (also on Ctrl-C).
set -u
cd "$(dirname "$0")/.."
runs=${1:-3} target=${2:-check}
loops=()
stop_loops() {
	local p
	for p in "${loops[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${loops[@]}"; do wait "$p" 2>/dev/null; done
	loops=()
}
trap stop_loops EXIT
trap 'exit 130' INT TERM

cores=$(nproc)
for _ in $(seq $((2 * cores))); do
	( while :; do :; done ) &
	loops+=($!)
done
mkdir -p build/load
echo "load.sh: $((2 * cores)) busy loops on $cores cores (PIDs ${loops[*]}); $runs x make $target"
sleep 30	# let the load average climb before the first run
failed=0
for i in $(seq "$runs"); do
	start=$SECONDS
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	make "$target" > "build/load/run-$i.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || failed=$((failed + 1))
	printf 'run %d: %s in %d min %02d s; load average %s at the start, %s at the end\n' "$i" \
	    "$([ $rc -eq 0 ] && echo passed || echo "FAILED (exit $rc)")" $(((SECONDS - start) / 60)) \
	    $(((SECONDS - start) % 60)) "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
	[ $rc -eq 0 ] || grep -E '^FAILED ' "build/load/run-$i.log" | sed 's/^/    /'
done
echo "load.sh: $((runs - failed)) of $runs runs passed (logs in build/load/)"
[ $failed -eq 0 ]
