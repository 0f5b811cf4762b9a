/*
 * test_schedule.c — when unattended tests are due, each station's delay (schedule_splay_seconds),
 * quiet hours and the daily budget (in UTC).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "schedule.h"

#define DAY0	1764028800	/* 2025-11-25 00:00:00 UTC */

static time_t
at(int h, int m, int s)
{
	return DAY0 + h * 3600 + m * 60 + s;
}

static int
utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void
test_parse(void **state)
{
	struct schedule s;

	(void)state;
	assert_int_equal(schedule_parse("hourly", &s), 0);
	assert_int_equal(s.every, 3600);
	assert_int_equal(schedule_parse("every 5s", &s), 0);
	assert_int_equal(s.every, 5);
	assert_int_equal(schedule_parse("every 60m", &s), 0);
	assert_int_equal(s.every, 3600);
	assert_int_equal(schedule_parse("every  2h", &s), 0);
	assert_int_equal(s.every, 7200);
	assert_int_equal(schedule_parse("15:00, 09:30,12:00", &s), 0);
	assert_int_equal(s.every, 0);
	assert_int_equal(s.ntimes, 3);
	assert_int_equal(s.times[0], 9 * 60 + 30);
	assert_int_equal(s.times[2], 15 * 60);
	/* Hostile or mistyped values are refused, never half-read. */
	assert_int_equal(schedule_parse("every 0s", &s), -1);
	assert_int_equal(schedule_parse("every 5", &s), -1);
	assert_int_equal(schedule_parse("every 5x", &s), -1);
	assert_int_equal(schedule_parse("every 25h", &s), -1);
	assert_int_equal(schedule_parse("every -5s", &s), -1);
	assert_int_equal(schedule_parse("every 99999999999999999999s", &s), -1);
	assert_int_equal(schedule_parse("every5s", &s), -1);
	assert_int_equal(schedule_parse("9:30", &s), -1);
	assert_int_equal(schedule_parse("09:30,", &s), -1);
	assert_int_equal(schedule_parse("24:00", &s), -1);
	assert_int_equal(schedule_parse("", &s), -1);
	assert_int_equal(schedule_parse(NULL, &s), -1);
}

static void
test_next_every(void **state)
{
	struct schedule s;

	(void)state;
	schedule_parse("every 5s", &s);
	assert_int_equal(schedule_next(&s, at(10, 0, 0)), at(10, 0, 5));
	assert_int_equal(schedule_next(&s, at(10, 0, 3)), at(10, 0, 5));
	schedule_parse("hourly", &s);
	assert_int_equal(schedule_next(&s, at(10, 0, 0)), at(11, 0, 0));
	assert_int_equal(schedule_next(&s, at(23, 30, 0)), at(24, 0, 0));
	/* 7 h does not divide a day: the day starts again at midnight. */
	schedule_parse("every 7h", &s);
	assert_int_equal(schedule_next(&s, at(21, 0, 0)), at(24, 0, 0));
}

static void
test_next_times(void **state)
{
	struct schedule s;

	(void)state;
	schedule_parse("09:30,15:00", &s);
	assert_int_equal(schedule_next(&s, at(8, 0, 0)), at(9, 30, 0));
	assert_int_equal(schedule_next(&s, at(9, 30, 0)), at(15, 0, 0));
	assert_int_equal(schedule_next(&s, at(16, 0, 0)), at(24 + 9, 30, 0));
}

static void
test_quiet(void **state)
{
	struct quiet_hours q;

	(void)state;
	assert_int_equal(quiet_hours_parse(NULL, &q), 0);
	assert_false(quiet_hours_cover(&q, at(12, 0, 0)));
	assert_int_equal(quiet_hours_parse("11:30-13:30", &q), 0);
	assert_true(quiet_hours_cover(&q, at(11, 30, 0)));
	assert_true(quiet_hours_cover(&q, at(13, 29, 59)));
	assert_false(quiet_hours_cover(&q, at(13, 30, 0)));
	assert_false(quiet_hours_cover(&q, at(11, 29, 0)));
	/* Across midnight. */
	assert_int_equal(quiet_hours_parse("22:00-06:00", &q), 0);
	assert_true(quiet_hours_cover(&q, at(23, 0, 0)));
	assert_true(quiet_hours_cover(&q, at(5, 59, 0)));
	assert_false(quiet_hours_cover(&q, at(6, 0, 0)));
	assert_false(quiet_hours_cover(&q, at(12, 0, 0)));
	assert_int_equal(quiet_hours_parse("22:00-6:00", &q), -1);
	assert_int_equal(quiet_hours_parse("22:00", &q), -1);
}

static void
test_budget(void **state)
{
	(void)state;
	assert_true(schedule_budget_allows(123456789, 1000000, 0));
	assert_true(schedule_budget_allows(0, 0, 1));
	assert_true(schedule_budget_allows(500000, 500000, 1));
	assert_false(schedule_budget_allows(500000, 500001, 1));
	assert_false(schedule_budget_allows(2000000, 0, 1));
}

/* Ids as staff write them: province, district, a number ("qn-tp-01" … "qn-tp-100"). */
static void
station_id(char *buf, size_t n, int i)
{
	snprintf(buf, n, "qn-tp-%02d", i + 1);
}

/*
 * 100 stations with `schedule = 09:30` and the default splay of 300 s: their delays cover the
 * window and few share a 10-second slot, each station keeps its own delay day after day, and
 * its test comes exactly that long after 09:30.
 */
static void
test_splay_spread(void **state)
{
	enum { STATIONS = 100, SPLAY = 300, SLOT = 10, SLOTS = SPLAY / SLOT + 1 };
	struct schedule s;
	int per_slot[SLOTS] = { 0 }, lo = SPLAY, hi = 0, most = 0;
	char id[32];

	(void)state;
	assert_int_equal(schedule_parse("09:30", &s), 0);
	assert_int_equal(s.offset, 0);
	for (int i = 0; i < STATIONS; i++) {
		station_id(id, sizeof id, i);
		int off = schedule_splay_offset(&s, id, SPLAY);

		assert_in_range(off, 0, SPLAY);
		lo = off < lo ? off : lo;
		hi = off > hi ? off : hi;
		per_slot[off / SLOT]++;
		s.offset = off;
		for (int day = 0; day < 7; day++) {
			time_t midnight = at(day * 24, 0, 0);

			/* The same delay whatever the day, from the same id. */
			assert_int_equal(schedule_splay_offset(&s, id, SPLAY), off);
			assert_int_equal(schedule_next(&s, midnight), at(day * 24 + 9, 30, 0) + off);
			/* Not due again until the next day's delayed slot. */
			assert_int_equal(schedule_next(&s, at(day * 24 + 9, 30, 0) + off),
			    at(day * 24 + 24 + 9, 30, 0) + off);
		}
		s.offset = 0;
	}
	/* The window is covered: first delays near 0, last near the whole splay. */
	assert_true(lo < SPLAY / 10);
	assert_true(hi > SPLAY * 9 / 10);
	/*
	 * A uniform hash puts 100 / 30.1 = 3.3 stations in a 10-second slot on average; the
	 * busiest of 31 slots holds about 7 (Poisson). Three times the mean is generous and still
	 * far from everyone at once.
	 */
	for (int i = 0; i < SLOTS; i++)
		most = per_slot[i] > most ? per_slot[i] : most;
	print_message("splay %d s, %d stations: delays %d..%d s, at most %d in a %d s slot\n",
	    SPLAY, STATIONS, lo, hi, most, SLOT);
	assert_true(most <= 3 * STATIONS * SLOT / SPLAY);
}

/* No splay, an id or not; `every N` keeps its interval; a slot pushed past midnight. */
static void
test_splay_edges(void **state)
{
	struct schedule s;

	(void)state;
	schedule_parse("09:30,15:00", &s);
	assert_int_equal(schedule_splay_offset(&s, "qn-tp-01", 0), 0);
	assert_int_equal(schedule_splay_offset(&s, "", 300), schedule_splay_offset(&s, NULL, 300));
	assert_in_range(schedule_splay_offset(&s, "qn-tp-01", 3600), 0, 3600);
	/* every 60s: delays below 60 s whatever the splay, so tests stay a minute apart. */
	schedule_parse("every 60s", &s);
	for (int i = 0; i < 100; i++) {
		char id[32];

		station_id(id, sizeof id, i);
		assert_in_range(schedule_splay_offset(&s, id, 300), 0, 59);
	}
	schedule_parse("every 1s", &s);
	assert_int_equal(schedule_splay_offset(&s, "qn-tp-01", 300), 0);
	/* every 5s delayed 3 s: 10:00:03, 10:00:08, … */
	schedule_parse("every 5s", &s);
	s.offset = 3;
	assert_int_equal(schedule_next(&s, at(10, 0, 0)), at(10, 0, 3));
	assert_int_equal(schedule_next(&s, at(10, 0, 3)), at(10, 0, 8));
	/* 23:58 delayed 300 s is due at 00:03 the next day, and the 09:30 after it follows. */
	schedule_parse("09:30,23:58", &s);
	s.offset = 300;
	assert_int_equal(schedule_next(&s, at(23, 59, 0)), at(24, 3, 0));
	assert_int_equal(schedule_next(&s, at(24, 3, 0)), at(24 + 9, 35, 0));
	/* Just before its delayed moment, yesterday's last slot is still the next one. */
	assert_int_equal(schedule_next(&s, at(24, 2, 59)), at(24, 3, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_next_every),
		cmocka_unit_test(test_next_times),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_splay_spread),
		cmocka_unit_test(test_splay_edges),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
