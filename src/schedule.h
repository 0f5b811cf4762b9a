/*
 * schedule.h — when unattended tests are due ([test] schedule, quiet_hours, daily_budget_mb).
 * Pure logic on wall-clock times in local time: no curses, no I/O.
 */
#ifndef TRAMDO_SCHEDULE_H
#define TRAMDO_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SCHEDULE_TIMES_MAX	96

struct schedule {
	int	every;				/* seconds between tests, 0 for a list of times */
	int	times[SCHEDULE_TIMES_MAX];	/* minutes after local midnight, ascending */
	int	ntimes;
	int	offset;		/* seconds every due time is delayed (schedule_splay); 0 after parse */
};

struct quiet_hours {
	bool	set;
	int	from, to;	/* minutes after local midnight; from > to crosses midnight */
};

/*
 * "hourly", "every N" with a unit s, m or h ("every 5s", "every 60m"), or a comma list of HH:MM.
 * 0 when valid (s filled), -1 otherwise.
 */
int  schedule_parse(const char *text, struct schedule *s);
/* "HH:MM-HH:MM"; NULL or "" leaves q unset. 0 when valid, -1 otherwise. */
int  quiet_hours_parse(const char *text, struct quiet_hours *q);

/*
 * A station's delay after each due time ([test] schedule_splay_seconds): a hash of its id
 * modulo splay_seconds + 1, so stations sharing a schedule spread over the window instead of
 * measuring one server in the same second, each at the same moment every day. With `every N`
 * the delay stays below N (at most N - 1 s): tests keep their interval. 0 when splay_seconds
 * is 0. The hash is part of the contract: changing it moves every station's test time.
 */
int  schedule_splay_offset(const struct schedule *s, const char *station_id, int splay_seconds);
/*
 * The first due time strictly after t: each slot (intervals count from local midnight) plus
 * s->offset seconds. -1: never.
 */
time_t schedule_next(const struct schedule *s, time_t t);
/* Whether t falls in the quiet hours (from inclusive, to exclusive). */
bool quiet_hours_cover(const struct quiet_hours *q, time_t t);
/* The same for the local minute m after midnight (0..1439). */
bool quiet_hours_cover_minute(const struct quiet_hours *q, int m);
/*
 * Whether a scheduled test may start: the day's traffic so far plus the expected size of one
 * more test stays within budget_mb (0: no budget).
 */
bool schedule_budget_allows(uint64_t used_bytes, uint64_t expected_bytes, double budget_mb);

#endif
