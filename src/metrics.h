/*
 * metrics.h — the station's health as a Prometheus text file for node_exporter's textfile
 * collector: a plain snapshot in, the exposition text out, written so that a reader only ever
 * sees a whole file (a temporary file in the same directory, fsync, rename).
 *
 * The metrics and their meaning: docs/deploy.md, "Fleet health (Prometheus)". Label values are
 * escaped as the exposition format wants (backslash, double quote, line feed); a value that is
 * not UTF-8 has its bad bytes written as '?', so a hostile station name never breaks the file.
 */
#ifndef TRAMDO_METRICS_H
#define TRAMDO_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#define METRICS_SINKS_MAX	8

/* One of a few states as a Prometheus state set: a series per name, 1 for the current one. */
struct metrics_stateset {
	const char *const	*names;
	int			 n;
	int			 current;	/* index into names; -1: none is (all 0) */
};

/* One upload sink. */
struct metrics_sink {
	char	name[16];
	long	pending;	/* results waiting for it */
	double	last_success;	/* epoch s it last accepted a result; < 0: never (written as 0) */
};

/*
 * Everything the file says. Texts may be NULL (written as ""); a number below 0 (or not finite)
 * is unknown and its series is left out, as is a state set without names.
 */
struct metrics_snapshot {
	bool	up;			/* the kiosk runs; false in its last write */
	double	start_time;		/* epoch s the process started */
	/* tramdo_info's labels */
	const char *version, *station_id, *station_name, *province, *district, *commune;

	struct metrics_stateset	state;		/* the kiosk's state machine */
	double	last_test_time;		/* epoch s the last test started */
	double	last_good_test_time;
	struct metrics_stateset	last_outcome;	/* good, failed, cancelled, incomplete */
	long	good_today, failed_today;
	double	download_bytes_per_s;		/* the last good test's payload rates */
	double	upload_bytes_per_s;
	double	latency_seconds;		/* its median idle latency */

	struct metrics_sink	sinks[METRICS_SINKS_MAX];
	int			nsinks;		/* 0: uploads are off (no sink series) */

	struct metrics_stateset	gps;		/* gpsd client state */
	int	gps_fix;			/* 1: a usable fix, 0: none; < 0 unknown */
	int	gps_satellites;			/* used in the fix */
	long	config_errors;			/* errors of the configuration file last read */
};

/* The snapshot as exposition text (version 0.0.4), ending in a line feed. Caller frees. */
char	*metrics_format(const struct metrics_snapshot *s);
/*
 * Replaces path with the snapshot's text, readable by all (node_exporter runs as its own user),
 * atomically: a temporary ".NAME.PID.tmp" beside it (not *.prom, so the collector never reads
 * it) is written, fsync'ed and renamed over path. 0, or -1 with an English reason naming the
 * file in err; nothing half-written is left behind.
 */
int	 metrics_write(const char *path, const struct metrics_snapshot *s, char *err,
	    size_t errlen);

#endif
