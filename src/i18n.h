/*
 * i18n.h — the message catalogs staff can edit: assets/i18n/<lang>.ini, read by a small strict
 * reader ("[section]" then "key = value"; "#" or ";" comments; a value may be "quoted" to keep
 * spaces and may use \n for a line break). A key is "section.key". Lookup falls back from the
 * chosen language to English, then to the key itself: a broken catalog never crashes the kiosk.
 * Every problem (missing file, malformed line, bad UTF-8, duplicate key) is kept as an English
 * message for the log and the staff screen; the rest of the file still loads.
 */
#ifndef TRAMDO_I18N_H
#define TRAMDO_I18N_H

#include <stddef.h>

struct i18n;

/* Loads dir/en.ini and dir/<lang>.ini (lang: letters only, else English). Never NULL. */
struct i18n	*i18n_open(const char *dir, const char *lang);
void		 i18n_free(struct i18n *t);
/* The text for key; never NULL (the key itself when no catalog has it). */
const char	*i18n_get(const struct i18n *t, const char *key);
/* The language actually in use ("vi", "en"). */
const char	*i18n_lang(const struct i18n *t);
size_t		 i18n_problem_count(const struct i18n *t);
/*
 * text with every {name} replaced: the arguments are name, value pairs ending with FILL_END
 * ("n", "5", FILL_END). Unknown placeholders stay as they are. A new string.
 */
#define FILL_END	((const char *)NULL)	/* a pointer, as a variadic sentinel must be */
char		*i18n_fill(const char *text, ...) __attribute__((sentinel));
/* value with decimals, and the catalog's decimal mark (number.decimal: "," in vi, "." in en). */
const char	*i18n_number(const struct i18n *t, double value, int decimals, char *buf,
		    size_t len);
const char	*i18n_problem(const struct i18n *t, size_t i);

#endif
