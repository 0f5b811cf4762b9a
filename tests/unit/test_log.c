/* test_log.c — `--log FILE`: created 0600 whatever the umask, appended to, a staff mode kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static char dir[] = "/tmp/tramdo-test-log.XXXXXX";

static int
mode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

static char *
slurp(const char *path)
{
	char buf[1024];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
test_new_file_private_whatever_the_umask(void **state)
{
	static const mode_t umasks[] = { 022, 000, 0277 };

	(void)state;
	for (size_t i = 0; i < sizeof umasks / sizeof umasks[0]; i++) {
		char *path = xasprintf("%s/log-%03o", dir, (unsigned)umasks[i]), *text;
		mode_t old = umask(umasks[i]);

		assert_int_equal(log_open(LOG_FILE, path), 0);
		log_info("hello %d", 1);
		log_close();
		umask(old);
		print_message("umask %03o\n", (unsigned)umasks[i]);
		assert_int_equal(mode_of(path), 0600);
		text = slurp(path);
		assert_non_null(strstr(text, "Z hello 1\n"));
		free(text);
		free(path);
	}
}

/* An existing file is appended to, its mode (a group reader staff chose) left alone. */
static void
test_existing_file_appended_mode_kept(void **state)
{
	char *path = xasprintf("%s/kept.log", dir), *text;
	FILE *f = fopen(path, "w");

	(void)state;
	assert_non_null(f);
	fputs("before\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(log_open(LOG_FILE, path), 0);
	log_warn("after");
	log_close();
	assert_int_equal(mode_of(path), 0640);
	text = slurp(path);
	assert_true(strncmp(text, "before\n", 7) == 0);
	assert_non_null(strstr(text, "Z warning: after\n"));
	free(text);
	free(path);
}

static void
test_unopenable_says_why(void **state)
{
	char *path = xasprintf("%s/missing/x.log", dir);

	(void)state;
	errno = 0;
	assert_int_equal(log_open(LOG_FILE, path), -1);
	assert_int_equal(errno, ENOENT);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file_private_whatever_the_umask),
		cmocka_unit_test(test_existing_file_appended_mode_kept),
		cmocka_unit_test(test_unopenable_says_why),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (rc == 0) {
		char *cmd = xasprintf("rm -rf %s", dir);
		if (system(cmd) != 0)
			rc = 1;
		free(cmd);
	}
	return rc;
}
