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

/* The first due time strictly after t; intervals count from local midnight. -1: never. */
time_t schedule_next(const struct schedule *s, time_t t);
/* Whether t falls in the quiet hours (from inclusive, to exclusive). */
bool quiet_hours_cover(const struct quiet_hours *q, time_t t);
/*
 * Whether a scheduled test may start: the day's traffic so far plus the expected size of one
 * more test stays within budget_mb (0: no budget).
 */
bool schedule_budget_allows(uint64_t used_bytes, uint64_t expected_bytes, double budget_mb);

#endif
