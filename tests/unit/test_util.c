/*
 * test_util.c — sanitize_text: network text must never drive the terminal; the deadline
 * helpers every poll() source uses for its timeout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
