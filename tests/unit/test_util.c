/*
 * test_util.c — sanitize_text: network text must never drive the terminal; the deadline
 * helpers every poll() source uses for its timeout; the one UTC parser; local day and month
 * starts; the shape of a result id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include <limits.h>

#include "util.h"

static void
check(const char *in, const char *want)
{
	char *got = sanitize_text(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_plain_text_unchanged(void **state)
{
	(void)state;
	check("", "");
	check("VNPT", "VNPT");
	check("Hà Nội (Viettel) – 100%", "Hà Nội (Viettel) – 100%");
	check("emoji \xf0\x9f\x93\xb6 ok", "emoji \xf0\x9f\x93\xb6 ok");
	assert_null(sanitize_text(NULL));
}

static void
test_escape_sequences_removed_whole(void **state)
{
	(void)state;
	check("\x1b[31mVNPT\x1b[0m", "VNPT");
	check("\x1b[2J\x1b[H\x1b[?25lFPT", "FPT");
	check("a\x1b]0;owned title\x07" "b", "ab");		/* OSC ended by BEL */
	check("a\x1b]8;;http://x/\x1b\\link\x1b]8;;\x1b\\", "alink");	/* OSC ended by ST */
	check("a\x1b" "Pq#0;2;0;0;0\x1b\\b", "ab");		/* DCS (sixel) */
	check("a\x1b" "cb", "ab");				/* RIS: full reset */
	check("a\x1b(0b", "ab");				/* charset switch */
	check("x\x1b", "x");					/* cut short */
	check("x\x1b[12;", "x");
	check("x\x1b]0;never ended", "x");
}

static void
test_controls_removed(void **state)
{
	(void)state;
	check("a\x07" "b\x08" "c\x7f" "d\x01" "e", "abcde");
	check("Viettel\r\nHà Nội", "Viettel Hà Nội");
	check("a\t\tb", "a b");
	check("x\xc2\x9b" "31my", "x31my");		/* C1 CSI as UTF-8 */
	check("a\xc2\x85" "b\xc2\x80" "c", "abc");	/* NEL, PAD */
	/* RIGHT-TO-LEFT OVERRIDE, on purpose: */
	check("abc\xe2\x80\xae" "fed", "abcfed");	/* NOLINT(misc-misleading-bidirectional) */
}

static void
test_invalid_utf8_replaced(void **state)
{
	(void)state;
	check("\xff\xfe", "??");
	check("a\x9b" "b", "a?b");			/* raw C1 byte */
	check("\xc0\xaf", "??");			/* overlong '/' */
	check("\xed\xa0\x80", "???");			/* surrogate */
	check("\xf4\x90\x80\x80", "????");		/* above U+10FFFF */
	check("end\xe1\x80", "end??");			/* truncated */
	check("\xc3" "a", "?a");
}

static void
test_deadline_earlier(void **state)
{
	static const struct {
		double	a, b, want;
	} cases[] = {
		{ 5, 7, 5 }, { 7, 5, 5 }, { 5, 5, 5 },
		{ -1, 7, 7 }, { 7, -1, 7 },		/* one none: the real one */
		{ 0, -1, 0 }, { -1, 0, 0 },		/* 0 is a deadline, not none */
		{ 1e12, 0.5, 0.5 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (deadline_earlier(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("case %zu: deadline_earlier(%g, %g) = %g, not %g", i, cases[i].a,
			    cases[i].b, deadline_earlier(cases[i].a, cases[i].b), cases[i].want);
	assert_true(deadline_earlier(-1, -1) < 0);		/* none and none */
	assert_true(deadline_earlier(-1, -0.5) < 0);
}

static void
test_deadline_ms(void **state)
{
	static const struct {
		double	deadline, now;
		int	want;
	} cases[] = {
		{ -1, 100, -1 },		/* none: poll forever */
		{ -0.001, 100, -1 },
		{ 99, 100, 0 },			/* past: due */
		{ 100, 100, 0 },		/* now: due */
		{ 0, 100, 0 },
		{ 100.25, 100, 250 },
		{ 100.0001, 100, 1 },		/* rounded up, never 0: poll would spin */
		{ 100.2501, 100, 251 },
		{ 100.9999, 100, 1000 },
		{ 100 + 3600 * 24 * 30, 100, INT_MAX },	/* 30 days does not fit an int */
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (deadline_ms(cases[i].deadline, cases[i].now) != cases[i].want)
			fail_msg("case %zu: deadline_ms(%.6f, %.6f) = %d, not %d", i,
			    cases[i].deadline, cases[i].now,
			    deadline_ms(cases[i].deadline, cases[i].now), cases[i].want);
}

static void
test_utc_parse(void **state)
{
	static const struct {
		const char	*in;
		double		 want;	/* < 0: refused */
	} cases[] = {
		{ "2026-11-25T03:04:05Z", 1795575845.0 },
		{ "2026-11-25T03:04:05+00:00", 1795575845.0 },
		{ "2026-11-25T03:04:05.250Z", 1795575845.25 },
		/* Digits past nanoseconds are skipped, not overflowed; a bare '.' is no fraction. */
		{ "2026-11-25T03:04:05.12345678901234567890123Z", 1795575845.123456789 },
		{ "2026-11-25T03:04:05.+00:00", 1795575845.0 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T12:00:00Z", 1709208000 },
		/* Not on the calendar: timegm would roll them into the next day or minute. */
		{ "2026-02-29T12:00:00Z", -1 },
		{ "2026-02-30T00:00:00Z", -1 },
		{ "2026-04-31T00:00:00Z", -1 },
		{ "2026-11-25T03:04:60Z", -1 },
		{ "2026-11-25 03:04:05", -1 },
		{ "2026-11-25T03:04:05", -1 },
		{ "2026-11-25T03:04:05+07:00", -1 },
		{ "2026-11-25T03:04:05Z trailing", -1 },
		{ "2026-11-25", -1 },
		{ "", -1 },
	};
	char back[21];
	double t;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t = -1;
		if (cases[i].want < 0) {
			if (utc_parse(cases[i].in, &t))
				fail_msg("'%s' was taken as %f", cases[i].in, t);
			assert_true(t == -1);	/* untouched */
			continue;
		}
		if (!utc_parse(cases[i].in, &t))
			fail_msg("'%s' was refused", cases[i].in);
		assert_float_equal(t, cases[i].want, 1e-6);
	}
	assert_false(utc_parse(NULL, &t));
	/* format_utc's text reads back to the same second. */
	format_utc(1795575845.9, back);
	assert_string_equal(back, "2026-11-25T03:04:05Z");
	assert_true(utc_parse(back, &t));
	assert_float_equal(t, 1795575845.0, 0);
}

/* `export --since DATE`: local midnight of a day on the calendar, nothing else. */
static void
test_local_date_parse(void **state)
{
	static const struct {
		const char	*in;
		double		 want;	/* < 0: refused */
	} cases[] = {
		{ "2026-11-25", 1795539600 },
		{ "2024-02-29", 1709139600 },
		{ "2026-02-28", 1772211600 },
		{ "2026-02-29", -1 },
		{ "2026-02-30", -1 },
		{ "2026-06-31", -1 },
		{ "2026-13-01", -1 },
		{ "2026-11-25x", -1 },
		{ "25/11/2026", -1 },
		{ "", -1 },
	};
	double t;

	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t = -1;
		if (cases[i].want < 0) {
			if (local_date_parse(cases[i].in, &t))
				fail_msg("'%s' was taken as %f", cases[i].in, t);
			continue;
		}
		if (!local_date_parse(cases[i].in, &t))
			fail_msg("'%s' was refused", cases[i].in);
		assert_float_equal(t, cases[i].want, 0);
	}
}

/* Hanoi (UTC+7, no DST), and a day that starts in winter time and ends in summer time. */
static void
test_local_day_and_month_start(void **state)
{
	static const struct {
		const char	*tz;
		double		 t, day, month;
	} cases[] = {
		/* 2026-11-25 03:04:05 UTC is 10:04:05 in Hanoi: the day began at 2026-11-24T17:00Z. */
		{ "Asia/Ho_Chi_Minh", 1795575845, 1795539600, 1793466000 },
		/* 16:59:59 UTC on 2026-11-30 is still the 30th in Hanoi... */
		{ "Asia/Ho_Chi_Minh", 1796057999, 1795971600, 1793466000 },
		/* ...one second later it is 1 December there: a new day and a new month. */
		{ "Asia/Ho_Chi_Minh", 1796058000, 1796058000, 1796058000 },
		/* Berlin's DST starts on 2026-03-29: at 14:00 CEST that day began at 00:00 CET. */
		{ "Europe/Berlin", 1774785600, 1774738800, 1772319600 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setenv("TZ", cases[i].tz, 1);
		tzset();
		assert_float_equal(local_day_start(cases[i].t), cases[i].day, 0);
		assert_float_equal(local_month_start(cases[i].t), cases[i].month, 0);
	}
}

static void
test_uuid_shaped(void **state)
{
	char id[37];

	(void)state;
	assert_int_equal(uuid_v4(id), 0);
	assert_true(uuid_shaped(id));
	assert_true(uuid_shaped("0B7E3C1A-3F1E-4C2A-9D55-1F2E3D4C5B6A"));
	assert_false(uuid_shaped("0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6"));	/* 35 */
	assert_false(uuid_shaped("0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a0"));	/* 37 */
	assert_false(uuid_shaped("0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b\r\n"));
	assert_false(uuid_shaped("0b7e3c1a03f1e-4c2a-9d55-1f2e3d4c5b6a"));
	assert_false(uuid_shaped("0g7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a"));
	assert_false(uuid_shaped(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_escape_sequences_removed_whole),
		cmocka_unit_test(test_controls_removed),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_deadline_earlier),
		cmocka_unit_test(test_deadline_ms),
		cmocka_unit_test(test_utc_parse),
		cmocka_unit_test(test_local_date_parse),
		cmocka_unit_test(test_local_day_and_month_start),
		cmocka_unit_test(test_uuid_shaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
