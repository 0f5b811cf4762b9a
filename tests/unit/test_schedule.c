/* test_schedule.c — when unattended tests are due, quiet hours and the daily budget (in UTC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_next_every),
		cmocka_unit_test(test_next_times),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
