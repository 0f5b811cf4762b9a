/* assets.c — see assets.h. */
#include "assets.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static bool
has_catalogs(const char *dir)
{
	char *path = assets_path(dir, "i18n/en.ini");
	bool ok = access(path, R_OK) == 0;

	free(path);
	return ok;
}

/* assets/ beside the running binary or one level up (a binary in its source tree), or NULL. */
static char *
near_binary(void)
{
	static const char *const rel[] = { "assets", "../assets" };
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		char *dir = assets_path(exe, rel[i]);

		if (has_catalogs(dir))
			return dir;
		free(dir);
	}
	return NULL;
}

char *
assets_dir(void)
{
	const char *env = getenv("TRAMDO_DATADIR");
	char *near;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (!has_catalogs(TRAMDO_DATADIR) && (near = near_binary()) != NULL)
		return near;
	return xstrdup(TRAMDO_DATADIR);
}

char *
assets_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}
