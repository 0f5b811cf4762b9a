/*
 * fuzz_i18n.c — libFuzzer harness for the message catalog reader (i18n_open): the input is
 * written as DIR/vi.ini next to a fixed DIR/en.ini, in a private directory made once per run.
 * Lookups never return NULL and every problem is a non-empty line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
remove_dir(void)
{
	char path[96];

	snprintf(path, sizeof path, "%s/vi.ini", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/en.ini", dir);
	unlink(path);
	rmdir(dir);
}

static void
write_file(const char *name, const uint8_t *data, size_t size)
{
	char path[96];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static void
make_dir(void)
{
	static const char en[] = "[welcome]\nprompt = \"Press any key\"\n[error]\ntitle = Error\n";

	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || strlen(tmp) >= 32)
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/tramdo-fuzz-i18n.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	atexit(remove_dir);
	write_file("en.ini", (const uint8_t *)en, sizeof en - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "welcome.prompt", "error.title", "", "a.b.c" };
	struct i18n *t;

	if (dir[0] == '\0')
		make_dir();
	write_file("vi.ini", data, size);
	t = i18n_open(dir, "vi");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (i18n_get(t, keys[i]) == NULL)
			abort();
	for (size_t i = 0; i < i18n_problem_count(t); i++)
		if (i18n_problem(t, i) == NULL || i18n_problem(t, i)[0] == '\0')
			abort();
	i18n_free(t);
	return 0;
}
