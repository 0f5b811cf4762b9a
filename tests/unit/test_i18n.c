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
	assert_string_equal(i18n_get(vi, "welcome.prompt"), "Nhấn phím bất kỳ để bắt đầu đo");
	assert_string_equal(i18n_get(vi, "error.tell_staff"), "Vui lòng báo cho nhân viên");
	assert_string_equal(i18n_get(vi, "app.too_small"), "Màn hình quá nhỏ");
	/* The register of a public service (the glossary): thanks and apologies said properly. */
	assert_non_null(strstr(i18n_get(vi, "result.thanks"), "Xin cảm ơn quý vị"));
	assert_non_null(strstr(i18n_get(vi, "error.title"), "Xin lỗi"));
	assert_non_null(strstr(i18n_get(vi, "welcome.out_sorry"), "Xin lỗi quý vị"));
	assert_string_equal(i18n_get(vi, "welcome.out_title"), "Tạm ngừng đo");
	assert_string_equal(i18n_get(vi, "result.centre"), "Đây là mạng Internet của trung tâm");
	assert_string_equal(i18n_get(vi, "number.decimal"), ",");
	assert_string_equal(i18n_get(en, "number.decimal"), ".");
	i18n_free(vi);
	i18n_free(en);
}

/* The keys of a shipped catalog ("section.key"), read plainly; returns how many. */
static int
catalog_keys(const char *lang, char keys[][96], int max, bool *casual)
{
	const char *src = getenv("TRAMDO_SRCDIR");
	char path[512], line[1024], section[48] = "";
	int n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/assets/i18n/%s.ini", src != NULL ? src : ".", lang);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) != NULL && n < max) {
		char *eq = strchr(line, '=');

		if (line[0] == '[')
			sscanf(line, "[%47[^]]]", section);
		else if (line[0] != '#' && line[0] != ';' && eq != NULL) {
			*eq = '\0';
			snprintf(keys[n++], 96, "%s.%s", section, strtok(line, " \t"));
			if (strstr(eq + 1, " bạn") != NULL || strstr(eq + 1, "Bạn") != NULL)
				*casual = true;
		}
	}
	fclose(f);
	return n;
}

static bool
has_key(char keys[][96], int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

/* Every key one catalog has, the other has too; no "bạn" (too casual) in the Vietnamese one. */
static void
test_shipped_catalogs_match(void **state)
{
	static char vi[256][96], en[256][96];
	bool casual_vi = false, casual_en = false;
	int nvi = catalog_keys("vi", vi, 256, &casual_vi), nen = catalog_keys("en", en, 256, &casual_en);

	(void)state;
	assert_true(nvi > 50);
	for (int i = 0; i < nvi; i++)
		if (!has_key(en, nen, vi[i]))
			fail_msg("vi.ini has %s, en.ini does not", vi[i]);
	for (int i = 0; i < nen; i++)
		if (!has_key(vi, nvi, en[i]))
			fail_msg("en.ini has %s, vi.ini does not", en[i]);
	assert_false(casual_vi);
}

static void
test_fill(void **state)
{
	char *s;

	(void)state;
	s = i18n_fill("Vui lòng chờ {n} giây", "n", "5", FILL_END);
	assert_string_equal(s, "Vui lòng chờ 5 giây");
	free(s);
	s = i18n_fill("{d} / {u} Mbps, {d}", "u", "40,1", "d", "95,3", FILL_END);
	assert_string_equal(s, "95,3 / 40,1 Mbps, 95,3");
	free(s);
	/* Unknown placeholders and lone braces stay; a catalog's % signs are text, never a format. */
	s = i18n_fill("%s%n {x} {n {", "n", "7", FILL_END);
	assert_string_equal(s, "%s%n {x} {n {");
	free(s);
	s = i18n_fill("{n}", "n", "a much longer value than the text", FILL_END);
	assert_string_equal(s, "a much longer value than the text");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_shipped_catalogs_match),
		cmocka_unit_test(test_lookup_and_fallbacks),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_malformed_lines_are_reported_and_skipped),
		cmocka_unit_test(test_duplicate_and_long_lines),
		cmocka_unit_test(test_bad_language_falls_back_to_english),
		cmocka_unit_test(test_shipped_catalogs_are_complete),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
