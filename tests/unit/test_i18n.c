/* test_i18n.c — catalogs: fallback to English then to the key; broken files never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "i18n.h"

static char dir[] = "/tmp/tramdo-i18n.XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	write_file("en.ini", "# English\n[welcome]\nprompt = Press any key\nonly_en = Only English\n"
	    "[result]\nback = \"  spaced  \"\nlines = one\\ntwo\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	remove_file("en.ini");
	remove_file("vi.ini");
	rmdir(dir);
	return 0;
}

static bool
has_problem(const struct i18n *t, const char *needle)
{
	for (size_t i = 0; i < i18n_problem_count(t); i++)
		if (strstr(i18n_problem(t, i), needle) != NULL)
			return true;
	return false;
}

static void
test_lookup_and_fallbacks(void **state)
{
	struct i18n *t;

	(void)state;
	write_file("vi.ini", "[welcome]\nprompt = Nhấn phím bất kỳ\n");
	t = i18n_open(dir, "vi");
	assert_string_equal(i18n_lang(t), "vi");
	assert_string_equal(i18n_get(t, "welcome.prompt"), "Nhấn phím bất kỳ");
	assert_string_equal(i18n_get(t, "welcome.only_en"), "Only English");
	assert_string_equal(i18n_get(t, "no.such_key"), "no.such_key");
	assert_string_equal(i18n_get(t, "result.back"), "  spaced  ");
	assert_string_equal(i18n_get(t, "result.lines"), "one\ntwo");
	assert_int_equal(i18n_problem_count(t), 0);
	i18n_free(t);
}

static void
test_missing_file(void **state)
{
	struct i18n *t;

	(void)state;
	remove_file("vi.ini");
	t = i18n_open(dir, "vi");
	assert_string_equal(i18n_get(t, "welcome.prompt"), "Press any key");
	assert_true(has_problem(t, "vi.ini: cannot open catalog"));
	i18n_free(t);

	t = i18n_open("/nonexistent", "vi");
	assert_string_equal(i18n_get(t, "welcome.prompt"), "welcome.prompt");
	assert_int_equal(i18n_problem_count(t), 2);
	i18n_free(t);
}

static void
test_malformed_lines_are_reported_and_skipped(void **state)
{
	struct i18n *t;

	(void)state;
	write_file("vi.ini", "[welcome\nprompt = Một\nthis line has no equals sign\n"
	    "[result]\n = no key\nbad key = x\nback = \xff\xfe\nback = Quay lại\n"
	    "[welcome]\nprompt = Hai\n");
	t = i18n_open(dir, "vi");
	/* The broken section header leaves the next key without a section. */
	assert_string_equal(i18n_get(t, "prompt"), "Một");
	assert_string_equal(i18n_get(t, "welcome.prompt"), "Hai");
	assert_string_equal(i18n_get(t, "result.back"), "Quay lại");
	assert_true(has_problem(t, "vi.ini:1: malformed line"));
	assert_true(has_problem(t, "vi.ini:3: malformed line"));
	assert_true(has_problem(t, "vi.ini:5: malformed line"));
	assert_true(has_problem(t, "vi.ini:6: malformed line"));
	assert_true(has_problem(t, "vi.ini:7: malformed line"));
	assert_int_equal(i18n_problem_count(t), 5);
	i18n_free(t);
}

static void
test_duplicate_and_long_lines(void **state)
{
	struct i18n *t;
	char *big = malloc(10000);

	(void)state;
	memset(big, 'a', 9999);
	big[9999] = '\0';
	memcpy(big, "x = ", 4);
	write_file("vi.ini", "[a]\nk = 1\nk = 2\n");
	t = i18n_open(dir, "vi");
	assert_string_equal(i18n_get(t, "a.k"), "2");
	assert_true(has_problem(t, "duplicate key a.k"));
	i18n_free(t);

	{
		char *text = malloc(10100);

		snprintf(text, 10100, "[a]\n%s\nk = after\n", big);
		write_file("vi.ini", text);
		free(text);
	}
	t = i18n_open(dir, "vi");
	assert_string_equal(i18n_get(t, "a.k"), "after");
	assert_true(has_problem(t, "vi.ini:2: line too long"));
	i18n_free(t);
	free(big);
}

static void
test_bad_language_falls_back_to_english(void **state)
{
	struct i18n *t;

	(void)state;
	t = i18n_open(dir, "../../etc/passwd");
	assert_string_equal(i18n_lang(t), "en");
	assert_string_equal(i18n_get(t, "welcome.prompt"), "Press any key");
	assert_true(has_problem(t, "unknown language"));
	i18n_free(t);
	t = i18n_open(dir, NULL);
	assert_string_equal(i18n_lang(t), "en");
	i18n_free(t);
}

static void
test_shipped_catalogs_are_complete(void **state)
{
	const char *src = getenv("TRAMDO_SRCDIR");
	char path[512];
	struct i18n *vi, *en;

	(void)state;
	snprintf(path, sizeof path, "%s/assets/i18n", src != NULL ? src : ".");
	vi = i18n_open(path, "vi");
	en = i18n_open(path, "en");
	assert_int_equal(i18n_problem_count(vi), 0);
	assert_int_equal(i18n_problem_count(en), 0);
	assert_string_equal(i18n_get(vi, "welcome.prompt"),
	    "Nhấn phím bất kỳ để đo tốc độ Internet");
	assert_string_equal(i18n_get(vi, "error.tell_staff"), "Vui lòng báo cho nhân viên");
	assert_string_equal(i18n_get(vi, "app.too_small"), "Màn hình quá nhỏ");
	i18n_free(vi);
	i18n_free(en);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_fallbacks),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_malformed_lines_are_reported_and_skipped),
		cmocka_unit_test(test_duplicate_and_long_lines),
		cmocka_unit_test(test_bad_language_falls_back_to_english),
		cmocka_unit_test(test_shipped_catalogs_are_complete),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
