# soak.sh — helpers for the soak tests (sourced after tests/integration/lib.sh and kiosk.sh).

# proc_rss PID: resident set size in KiB (VmRSS).
proc_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# proc_fds PID: open file descriptors.
proc_fds() { ls "/proc/$1/fd" | wc -l; }

# proc_fd_list PID: what the descriptors point to, one per line (sockets and pipes by kind only),
# for a readable diagnosis when the counts differ.
proc_fd_list() {
	local f
	for f in /proc/"$1"/fd/*; do readlink "$f"; done | sed 's/:\[[0-9]*\]$//' | sort | uniq -c
}

# soak_record FILE KEY VALUE: a line of the numbers docs/soak.md reports, under $SOAK_OUT.
SOAK_OUT=${SOAK_OUT:-$SRCDIR/build/soak}
mkdir -p "$SOAK_OUT"
soak_record() { printf '%s %s\n' "$2" "$3" >> "$SOAK_OUT/$1"; diag "$2 = $3"; }

# The loopback server's download rate per connection: the soak is about the kiosk staying
# healthy over many tests, not about moving 10 Gbit/s; a cap keeps the shared machine usable.
soak_nginx_cap() {
	printf 'limit_rate %s;\n' "${SOAK_RATE:-25m}" > "$T_TMP/soak-rate.conf"
	echo "$T_TMP/soak-rate.conf"
}
