/* test_ui.c — figures as citizens read them (the language's decimal mark), glyph sets. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>

#include "i18n.h"
#include "textw.h"
#include "ui.h"

/* The shipped catalogs: a decimal comma in Vietnamese, a point in English. */
static struct i18n *
catalog(const char *lang)
{
	const char *src = getenv("TRAMDO_SRCDIR");
	char dir[512];

	snprintf(dir, sizeof dir, "%s/assets/i18n", src != NULL ? src : ".");
	return i18n_open(dir, lang);
}

static void
test_decimal_mark(void **state)
{
	struct ui_model m = { 0 };

	(void)state;
	m.tr = catalog("vi");
	assert_string_equal(ui_number(&m, 95.34, 1, 0), "95,3");
	assert_string_equal(ui_number(&m, 0.456, 2, 0), "0,46");
	assert_string_equal(ui_number(&m, 12370.75, 0, 0), "12371");
	assert_string_equal(ui_number(&m, NAN, 1, 0), "-");
	/* Slots keep earlier results while a line is being built. */
	assert_string_equal(ui_number(&m, 1.5, 1, 1), "1,5");
	assert_string_equal(ui_number(&m, 2.5, 1, 0), "2,5");
	assert_string_equal(ui_number(&m, 1.5, 1, 1), "1,5");
	i18n_free((struct i18n *)m.tr);
	m.tr = catalog("en");
	assert_string_equal(ui_number(&m, 95.34, 1, 0), "95.3");
	i18n_free((struct i18n *)m.tr);
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
test_console_glyphs(void **state)
{
	const struct ui_glyphs *g = ui_glyphs(CHARSET_CONSOLE), *a = ui_glyphs(CHARSET_ASCII);
	const char *all[] = { g->h, g->v, g->tl, g->tr, g->bl, g->br, g->bar_on, g->bar_off,
	    g->ellipsis, g->sep, g->arrow, g->mask };

	(void)state;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		assert_null(strstr(all[i], "▀"));
		assert_null(strstr(all[i], "▄"));
	}
	assert_int_equal(g->big, BIG_HALF);
	/* QR codes in half blocks: the kiosk's console font has them (scripts/mkfont.py). */
	assert_int_equal(g->qr, QR_HALF);
	assert_int_equal(ui_glyphs(CHARSET_AUTO)->qr, QR_HALF);
	assert_true(a->ascii_text);
	for (const char *p = a->h; *p != '\0'; p++)
		assert_true((unsigned char)*p < 0x80);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal_mark),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_console_glyphs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
