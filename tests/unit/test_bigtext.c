/* test_bigtext.c — large digits from the font file in each glyph style; bad fonts rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bigtext.h"

static struct bigfont *
shipped_font(void)
{
	const char *src = getenv("TRAMDO_SRCDIR");
	char path[512], err[256];
	struct bigfont *f;

	snprintf(path, sizeof path, "%s/assets/digits.txt", src != NULL ? src : ".");
	f = bigfont_load(path, err, sizeof err);
	if (f == NULL)
		fail_msg("%s", err);
	return f;
}

static struct bigfont *
font_from(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/tramdo-font.XXXXXX";
	int fd = mkstemp(path);
	struct bigfont *f;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	f = bigfont_load(path, err, errlen);
	unlink(path);
	return f;
}

static void
test_shipped_font_renders_every_figure_character(void **state)
{
	struct bigfont *f = shipped_font();
	char *rows[16];
	int n;

	(void)state;
	assert_int_equal(bigtext_rows(f, BIG_ASCII, 1), 7);
	assert_int_equal(bigtext_rows(f, BIG_HALF, 1), 4);
	/* "95,3": 5 + 1 + 5 + 1 + 2 + 1 + 5 columns. */
	assert_int_equal(bigtext_cols(f, "95,3", 1), 20);
	n = bigtext_render(f, "0123456789,.-", BIG_ASCII, 1, rows, 16);
	assert_int_equal(n, 7);
	for (int i = 0; i < n; i++) {
		assert_int_equal((int)strlen(rows[i]), bigtext_cols(f, "0123456789,.-", 1));
		free(rows[i]);
	}
	bigfont_free(f);
}

static void
test_styles(void **state)
{
	char err[256], *rows[4];
	struct bigfont *f = font_from("; test\nheight 3\nglyph 1\n#.\n##\n.#\nglyph 2\n#\n.\n#\n",
	    err, sizeof err);
	int n;

	(void)state;
	assert_non_null(f);
	n = bigtext_render(f, "12", BIG_ASCII, 1, rows, 4);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0], "#  #");
	assert_string_equal(rows[1], "##  ");
	assert_string_equal(rows[2], " # #");
	for (int i = 0; i < n; i++)
		free(rows[i]);
	/* Half blocks: rows 0+1 share a cell, row 2 is alone on top. */
	n = bigtext_render(f, "12", BIG_HALF, 1, rows, 4);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0], "█▄ ▀");
	assert_string_equal(rows[1], " ▀ ▀");
	for (int i = 0; i < n; i++)
		free(rows[i]);
	/* A character the font lacks is a blank gap, never a crash. */
	assert_int_equal(bigtext_cols(f, "1x2", 1), 2 + 1 + 2 + 1 + 1);
	/* Twice as large: every pixel 2 x 2, the gap too; in half blocks one pixel row a cell. */
	assert_int_equal(bigtext_rows(f, BIG_HALF, 2), 3);
	assert_int_equal(bigtext_cols(f, "12", 2), 2 * (2 + 1 + 1));
	n = bigtext_render(f, "12", BIG_HALF, 2, rows, 4);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0], "██    ██");
	assert_string_equal(rows[1], "████    ");
	assert_string_equal(rows[2], "  ██  ██");
	for (int i = 0; i < n; i++)
		free(rows[i]);
	bigfont_free(f);
}

static void
test_bad_fonts(void **state)
{
	char err[256];

	(void)state;
	assert_null(bigfont_load("/nonexistent/digits.txt", err, sizeof err));
	assert_non_null(strstr(err, "No such file"));
	assert_null(font_from("glyph 1\n#\n", err, sizeof err));
	assert_non_null(strstr(err, "line 1: expected \"height N\""));
	assert_null(font_from("height 2\nglyph 1\n#.\n###\n", err, sizeof err));
	assert_non_null(strstr(err, "line 4"));
	assert_null(font_from("height 2\nglyph 1\n#.\n", err, sizeof err));
	assert_non_null(strstr(err, "ends inside a glyph"));
	assert_null(font_from("height 2\nglyph 12\n#.\n#.\n", err, sizeof err));
	assert_null(font_from("height 99\n", err, sizeof err));
	assert_null(font_from("height 1\nglyph 1\nX\n", err, sizeof err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_font_renders_every_figure_character),
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_bad_fonts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
