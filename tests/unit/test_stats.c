/* test_stats.c — median, jitter, ramp-up detection and the stability rule on fixed series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_median(void **state)
{
	const double odd[] = { 5, 1, 3 };
	const double even[] = { 4, 1, 3, 2 };
	const double one[] = { 7.25 };
	double copy[] = { 5, 1, 3 };

	(void)state;
	assert_float_equal(stats_median(odd, N(odd)), 3, 1e-12);
	assert_float_equal(stats_median(even, N(even)), 2.5, 1e-12);
	assert_float_equal(stats_median(one, 1), 7.25, 1e-12);
	assert_float_equal(stats_median(NULL, 0), 0, 1e-12);
	stats_median(copy, N(copy));
	assert_float_equal(copy[0], 5, 0);	/* input left unsorted */
	assert_float_equal(stats_min(odd, N(odd)), 1, 0);
	assert_float_equal(stats_min(NULL, 0), 0, 0);
}

static void
test_jitter(void **state)
{
	const double v[] = { 10, 12, 9, 9, 14 };	/* |2|+|3|+|0|+|5| = 10 over 4 */
	const double flat[] = { 3, 3, 3 };

	(void)state;
	assert_float_equal(stats_jitter(v, N(v)), 2.5, 1e-12);
	assert_float_equal(stats_jitter(flat, N(flat)), 0, 1e-12);
	assert_float_equal(stats_jitter(v, 1), 0, 0);
	assert_float_equal(stats_jitter(NULL, 0), 0, 0);
}

static void
test_rampup_slow_start(void **state)
{
	/* connect (0), then doubling, then a plateau around 100 */
	const double r[] = { 0, 0, 6, 12, 25, 50, 90, 100, 99, 101, 100, 98, 100 };

	(void)state;
	/* windows (90,100,99) vs (12,25,50): still growing; (100,99,101) vs (25,50,90): growing;
	 * (99,101,100) vs (50,90,100): 100 vs 80 growing; (101,100,98) vs (90,100,99): flat at 9;
	 * 100 and 99 before it are within 5% of its 99.67, 90 is not: the plateau begins at 7 */
	assert_int_equal(stats_rampup_end(r, N(r), 3), 7);
}

static void
test_rampup_long_path(void **state)
{
	/* 20 Mbit/s at 300 ms, as measured (docs/measurement.md): bursts a round trip apart */
	const double r[] = { 0, 0, 0, 0, 0, 0, 7, 0, 0, 6, 7, 2, 6, 7, 8, 11, 13, 15, 19, 19,
	    19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19 };

	(void)state;
	/* 300 ms windows: (0,0,6) vs (0,0,7) looks flat inside slow start */
	assert_int_equal(stats_rampup_end(r, N(r), 3), 7);
	/* two round trips (6 samples): a window of 19s is flat, and the plateau began with them */
	assert_int_equal(stats_rampup_end(r, N(r), 6), 18);
	/* a window below the minimum is the minimum */
	assert_int_equal(stats_rampup_end(r, N(r), 1), 7);
}

static void
test_rate(void **state)
{
	/* 1,000 bytes a second from a large base, read at jittered times */
	const double t[] = { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 };
	const uint64_t exact[] = { 9000000000u, 9000000100u, 9000000200u, 9000000300u,
	    9000000400u, 9000000500u, 9000000600u };
	const uint64_t noisy[] = { 9000000000u, 9000000120u, 9000000180u, 9000000320u,
	    9000000380u, 9000000500u, 9000000630u };
	/* 2,000 a second, then 500: the average over the span, not the later rate */
	const uint64_t step[] = { 0, 200, 400, 600, 650, 700, 750 };

	(void)state;
	assert_float_equal(stats_rate(t, exact, 0, 7), 1000, 1e-6);
	assert_float_equal(stats_rate(t, exact, 2, 7), 1000, 1e-6);
	/* ends (0+120+180)/3 and (380+500+630)/3 over 0.4 s */
	assert_float_equal(stats_rate(t, noisy, 0, 7), 1008.33, 0.01);
	assert_float_equal(stats_rate(t, step, 0, 7), 1250, 1e-6);
	assert_float_equal(stats_rate(t, exact, 4, 7), 1000, 1e-6);	/* one point each end */
	assert_float_equal(stats_rate(t, exact, 6, 7), 0, 0);
	assert_float_equal(stats_rate(t, exact, 7, 7), 0, 0);
}

static void
test_rampup_instant_and_never(void **state)
{
	const double flat[] = { 100, 100, 100, 100, 100, 100, 100 };
	const double growing[] = { 1, 2, 4, 8, 16, 32, 64, 128 };
	const double nothing[] = { 0, 0, 0, 0, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(stats_rampup_end(flat, N(flat), 3), 0);	/* flat from the start */
	assert_int_equal(stats_rampup_end(growing, N(growing), 3), N(growing));
	assert_int_equal(stats_rampup_end(nothing, N(nothing), 3), N(nothing));
	assert_int_equal(stats_rampup_end(flat, 5, 3), 5);	/* too short to tell */
}

static void
test_stable(void **state)
{
	double r[40];

	(void)state;
	for (size_t i = 0; i < N(r); i++)
		r[i] = i % 2 ? 101 : 99;	/* ±1% noise around 100 */
	assert_true(stats_stable(r, N(r), 0, 20));
	assert_false(stats_stable(r, 19, 0, 20));	/* needs 20 samples after ramp-up */
	assert_true(stats_stable(r, 20, 0, 20));
	assert_false(stats_stable(r, N(r), 39, 20));
	assert_false(stats_stable(r, N(r), 0, 0));
}

static void
test_unstable_drift_and_dip(void **state)
{
	double drift[40], dip[40], zero[40];

	(void)state;
	for (size_t i = 0; i < N(drift); i++) {
		drift[i] = 100 + 5.0 * (double)i;	/* the running mean keeps climbing */
		dip[i] = 100;
		zero[i] = 0;
	}
	dip[30] = 10;	/* one stalled tick moves the mean of 31 samples by ~2.9% */
	assert_false(stats_stable(drift, N(drift), 0, 20));
	assert_false(stats_stable(dip, 31, 0, 20));
	assert_false(stats_stable(zero, N(zero), 0, 20));
	/* the running mean is measured from the end of ramp-up only */
	drift[0] = 1; drift[1] = 5;
	for (size_t i = 2; i < N(drift); i++)
		drift[i] = 100;
	assert_false(stats_stable(drift, 27, 0, 20));
	assert_true(stats_stable(drift, 27, 2, 20));
	assert_float_equal(stats_mean_from(drift, N(drift), 2), 100, 1e-9);
	assert_float_equal(stats_mean_from(drift, N(drift), N(drift)), 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_rampup_slow_start),
		cmocka_unit_test(test_rampup_long_path),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rampup_instant_and_never),
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_unstable_drift_and_dip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
