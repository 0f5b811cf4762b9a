/* test_textw.c — layout by display width: Vietnamese text centred, wrapped and cut right. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "textw.h"

static const char prompt[] = "Nhấn phím bất kỳ để đo tốc độ Internet";

static void
test_width_counts_columns_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(textw_width("abc"), 3);
	assert_int_equal(textw_width("Tiếng Việt"), 10);
	assert_true(strlen(prompt) > 38);
	assert_int_equal(textw_width(prompt), 38);
	/* A decomposed "ế" (e + circumflex + acute) still takes one column. */
	assert_int_equal(textw_width("e\xcc\x82\xcc\x81"), 1);
	/* Wide CJK and invalid bytes. */
	assert_int_equal(textw_width("\xe4\xb8\xad"), 2);
	assert_int_equal(textw_width("a\xff" "b\xc3"), 4);
	assert_int_equal(textw_width(""), 0);
}

static void
test_centre(void **state)
{
	(void)state;
	assert_int_equal(textw_centre(textw_width(prompt), 80), 21);
	assert_int_equal(textw_centre(10, 11), 0);
	assert_int_equal(textw_centre(90, 80), 0);
}

static void
test_truncate_keeps_whole_letters(void **state)
{
	static const struct {
		const char	*in;
		int		 width;
		const char	*ellipsis, *want;
	} cases[] = {
		{ prompt, 12, "…", "Nhấn phím b…" },
		{ "Tiếng Việt", 10, "…", "Tiếng Việt" },
		/* Cutting right after "ế": never between a letter and its bytes. */
		{ "Tiếng", 3, "", "Tiế" },
		/* A decomposed letter keeps its marks with it. */
		{ "ve\xcc\x82\xcc\x81t", 2, "", "ve\xcc\x82\xcc\x81" },
		{ "abc", 0, "…", "" },
		{ "abcdef", 2, "...", "ab" },
		{ "\xe4\xb8\xad\xe4\xb8\xad", 3, "", "\xe4\xb8\xad" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = textw_truncate(cases[i].in, cases[i].width, cases[i].ellipsis);

		print_message("case %zu: %s\n", i, cases[i].in);
		assert_string_equal(s, cases[i].want);
		assert_true(textw_width(s) <= cases[i].width);
		free(s);
	}
}

static void
test_wrap_breaks_at_spaces(void **state)
{
	char *lines[8];
	int n;

	(void)state;
	n = textw_wrap(prompt, 20, lines, 8);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "Nhấn phím bất kỳ để");
	assert_string_equal(lines[1], "đo tốc độ Internet");
	for (int i = 0; i < n; i++)
		assert_true(textw_width(lines[i]) <= 20);
	textw_free_lines(lines, n);

	n = textw_wrap("một\nhai ba", 40, lines, 8);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "một");
	assert_string_equal(lines[1], "hai ba");
	textw_free_lines(lines, n);

	/* A forced break after text that itself needs wrapping: no newline inside a line. */
	n = textw_wrap("một hai ba\nbốn", 7, lines, 8);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "một hai");
	assert_string_equal(lines[1], "ba");
	assert_string_equal(lines[2], "bốn");
	textw_free_lines(lines, n);

	/* A character wider than the line still moves on, whole. */
	n = textw_wrap("\xe4\xb8\xad\xe4\xb8\xad", 1, lines, 8);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "\xe4\xb8\xad");
	textw_free_lines(lines, n);

	/* A word longer than the line is cut; maxlines is respected. */
	n = textw_wrap("Nghiêngnghiêngnghiêng x", 5, lines, 2);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "Nghiê");
	assert_string_equal(lines[1], "ngngh");
	textw_free_lines(lines, n);

	assert_int_equal(textw_wrap("", 10, lines, 8), 0);
	assert_int_equal(textw_wrap("abc", 0, lines, 8), 0);
}

static void
test_ascii_strips_diacritics(void **state)
{
	char *s;

	(void)state;
	s = textw_ascii("Nhấn phím bất kỳ để đo tốc độ Internet");
	assert_string_equal(s, "Nhan phim bat ky de do toc do Internet");
	free(s);
	s = textw_ascii("ĐẶNG Ước Ơn Ửa — Đang đo…");
	assert_string_equal(s, "DANG Uoc On Ua - Dang do...");
	free(s);
	s = textw_ascii("\xe4\xb8\xad\xff");
	assert_string_equal(s, "??");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_counts_columns_not_bytes),
		cmocka_unit_test(test_centre),
		cmocka_unit_test(test_truncate_keeps_whole_letters),
		cmocka_unit_test(test_wrap_breaks_at_spaces),
		cmocka_unit_test(test_ascii_strips_diacritics),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
