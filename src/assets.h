/*
 * assets.h — where the files staff and translators may edit live (message catalogs, the large
 * digits, the verdict thresholds): $TRAMDO_DATADIR when set, else the installed directory,
 * else — a binary run from its source tree, as `make demo` does — assets/ beside the binary or
 * one level up.
 */
#ifndef TRAMDO_ASSETS_H
#define TRAMDO_ASSETS_H

/* The directory (caller frees). Never NULL: the installed one when nothing else is found. */
char	*assets_dir(void);
/* dir/name (caller frees). */
char	*assets_path(const char *dir, const char *name);

#endif
