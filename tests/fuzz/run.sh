#!/usr/bin/env bash
# run.sh BUILDDIR SECONDS — runs every built harness BUILDDIR/fuzz/fuzz_* for SECONDS each,
# seeded from tests/fuzz/corpus/<harness>/ (read only: new inputs go to BUILDDIR/fuzz/corpus/).
# Crashing inputs are saved as BUILDDIR/fuzz/artifacts/<harness>-crash-…; add them to the
# seed corpus as regression cases once fixed. Prints the CPU time used and the crash count;
# exits 1 if any harness found a crash.
set -u
build=$1 seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
total_cpu=0 crashes=0 harnesses=0
TIMEFORMAT='%U %S'

dict_for() {
	case $1 in
	fuzz_config|fuzz_i18n) echo "$here/ini.dict" ;;
	*) echo "$here/json.dict" ;;
	esac
}

mkdir -p "$build/fuzz/artifacts"
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	h=$(basename "$bin")
	work=$build/fuzz/corpus/$h
	log=$build/fuzz/$h.log
	mkdir -p "$work" "$here/corpus/$h"
	echo "== $h: $seconds s"
	cpu=$( { time "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
	    -max_len=65536 -dict="$(dict_for "$h")" -print_final_stats=1 \
	    -artifact_prefix="$build/fuzz/artifacts/$h-" "$work" "$here/corpus/$h" \
	    >"$log" 2>&1; } 2>&1 )
	rc=$?
	total_cpu=$(python3 -c "import sys; print(round($total_cpu + sum(map(float, sys.argv[1:])), 1))" $cpu)
	harnesses=$((harnesses + 1))
	grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|Done )' "$log" | tail -n 2
	if [ $rc -ne 0 ]; then
		crashes=$((crashes + 1))
		echo "!! $h failed (exit $rc); last lines of $log:"
		grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 8
	fi
done
echo "fuzz: $harnesses harnesses, $total_cpu CPU seconds, $crashes crashing"
[ $crashes -eq 0 ]
