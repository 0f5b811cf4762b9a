/* test_ui.c — figures as citizens read them (decimal comma), placeholders, glyph sets. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "textw.h"
#include "ui.h"

static void
test_decimal_comma(void **state)
{
	(void)state;
	assert_string_equal(ui_number(95.34, 1, 0), "95,3");
	assert_string_equal(ui_number(0.456, 2, 0), "0,46");
	assert_string_equal(ui_number(12370.75, 0, 0), "12371");
	assert_string_equal(ui_number(NAN, 1, 0), "-");
	/* Slots keep earlier results while a line is being built. */
	assert_string_equal(ui_number(1.5, 1, 1), "1,5");
	assert_string_equal(ui_number(2.5, 1, 0), "2,5");
	assert_string_equal(ui_number(1.5, 1, 1), "1,5");
	/*
	 * That the program's own numbers (JSON, logs, the CLI) keep '.' whatever the locale is
	 * main()'s doing: 15-locale.t runs tramdo with LANG=vi_VN.UTF-8. This process never
	 * calls setlocale, so a printf here could not show it.
	 */
}

static void
test_decimals(void **state)
{
	(void)state;
	assert_int_equal(ui_mbps_decimals(9.99), 2);
	assert_int_equal(ui_mbps_decimals(95.3), 1);
	assert_int_equal(ui_mbps_decimals(1000), 0);
	assert_int_equal(ui_ms_decimals(0.4), 1);
	assert_int_equal(ui_ms_decimals(12), 0);
}

static void
test_subst(void **state)
{
	(void)state;
	assert_string_equal(ui_subst("Vui lòng chờ {n} giây", "{n}", "5"), "Vui lòng chờ 5 giây");
	assert_string_equal(ui_subst("no placeholder", "{n}", "5"), "no placeholder");
	/* A catalog's % signs are text, never a format. */
	assert_string_equal(ui_subst("%s%n {n}%", "{n}", "7"), "%s%n 7%");
}

static void
test_console_glyphs_have_no_half_blocks(void **state)
{
	const struct ui_glyphs *g = ui_glyphs(CHARSET_CONSOLE), *a = ui_glyphs(CHARSET_ASCII);
	const char *all[] = { g->h, g->v, g->tl, g->tr, g->bl, g->br, g->bar_on, g->bar_off,
	    g->ellipsis, g->sep, g->arrow, g->mask };

	(void)state;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		assert_null(strstr(all[i], "▀"));
		assert_null(strstr(all[i], "▄"));
	}
	assert_int_equal(g->big, BIG_FULL);
	assert_int_equal(g->qr, QR_FULL);
	assert_int_equal(ui_glyphs(CHARSET_AUTO)->qr, QR_HALF);
	assert_true(a->ascii_text);
	for (const char *p = a->h; *p != '\0'; p++)
		assert_true((unsigned char)*p < 0x80);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal_comma),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_subst),
		cmocka_unit_test(test_console_glyphs_have_no_half_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
