/* i18n.c — see i18n.h. */
#include "i18n.h"
#include "textw.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES	4096
#define PROBLEMS_MAX	32

struct entry {
	char	*key;
	char	*value;
};

struct catalog {
	struct entry	*v;
	size_t		 n;
};

struct i18n {
	char		 lang[8];
	struct catalog	 chosen, english;
	char		*problems[PROBLEMS_MAX];
	size_t		 nproblems;
};

/* Keeps msg (malloc'd) as a problem; past PROBLEMS_MAX the first ones tell enough. */
static void
problem(struct i18n *t, char *msg)
{
	if (t->nproblems == PROBLEMS_MAX) {
		free(msg);
		return;
	}
	t->problems[t->nproblems++] = msg;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool
valid_utf8(const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		uint32_t cp;
		size_t n = textw_decode(s, len, &cp);

		if (cp == 0xfffd || (cp < 0x20 && cp != '\t'))
			return false;
		s += n;
		len -= n;
	}
	return true;
}

static bool
valid_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

/* The value as shown: outer quotes removed, "\n" turned into a line break. */
static char *
unquote(const char *v)
{
	size_t len = strlen(v);
	char *out, *o;

	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v++;
		len -= 2;
	}
	out = o = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\\' && i + 1 < len && v[i + 1] == 'n') {
			*o++ = '\n';
			i++;
		} else
			*o++ = v[i];
	}
	*o = '\0';
	return out;
}

static struct entry *
catalog_find(const struct catalog *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	return NULL;
}

static void
catalog_put(struct i18n *t, struct catalog *c, char *key, char *value, const char *path, long ln)
{
	struct entry *e = catalog_find(c, key);

	if (e != NULL) {
		problem(t, xasprintf("%s:%ld: duplicate key %s (the later one is used)", path, ln, key));
		free(e->value);
		free(key);
		e->value = value;
		return;
	}
	c->v = xrealloc(c->v, (c->n + 1) * sizeof c->v[0]);
	c->v[c->n].key = key;
	c->v[c->n].value = value;
	c->n++;
}

/* One line of the file; returns false when it is malformed. */
static bool
parse_line(struct i18n *t, struct catalog *c, char *line, char *section, size_t seclen,
    const char *path, long ln)
{
	char *s = trim(line), *eq, *key, *val;

	if (*s == '\0' || *s == '#' || *s == ';')
		return true;
	if (*s == '[') {
		size_t len = strlen(s);

		if (s[len - 1] != ']' || len - 2 >= seclen)
			return false;
		s[len - 1] = '\0';
		s = trim(s + 1);
		if (!valid_name(s))
			return false;
		snprintf(section, seclen, "%s", s);
		return true;
	}
	if ((eq = strchr(s, '=')) == NULL)
		return false;
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!valid_name(key) || !valid_utf8(val))
		return false;
	catalog_put(t, c, section[0] != '\0' ? xasprintf("%s.%s", section, key) : xstrdup(key),
	    unquote(val), path, ln);
	return true;
}

static void
catalog_load(struct i18n *t, struct catalog *c, const char *path)
{
	char line[LINE_MAX_BYTES], section[64] = "";
	long ln = 0;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		problem(t, xasprintf("%s: cannot open catalog: %s", path, strerror(errno)));
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		size_t len = strlen(line);

		ln++;
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			int ch;

			problem(t, xasprintf("%s:%ld: line too long (skipped)", path, ln));
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		if (!parse_line(t, c, line, section, sizeof section, path, ln))
			problem(t, xasprintf("%s:%ld: malformed line (expected [section] or "
			    "key = value in UTF-8)", path, ln));
	}
	fclose(f);
}

static bool
valid_lang(const char *lang)
{
	size_t n = 0;

	for (; lang[n] != '\0'; n++)
		if (!islower((unsigned char)lang[n]))
			return false;
	return n >= 2 && n <= 3;
}

struct i18n *
i18n_open(const char *dir, const char *lang)
{
	struct i18n *t = xcalloc(1, sizeof *t);
	char *path;

	if (lang == NULL || !valid_lang(lang)) {
		problem(t, xasprintf("unknown language '%s', using English",
		    lang != NULL ? lang : ""));
		lang = "en";
	}
	snprintf(t->lang, sizeof t->lang, "%s", lang);
	path = xasprintf("%s/en.ini", dir);
	catalog_load(t, &t->english, path);
	free(path);
	if (strcmp(lang, "en") != 0) {
		path = xasprintf("%s/%s.ini", dir, lang);
		catalog_load(t, &t->chosen, path);
		free(path);
	}
	return t;
}

static void
catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
}

void
i18n_free(struct i18n *t)
{
	if (t == NULL)
		return;
	catalog_free(&t->chosen);
	catalog_free(&t->english);
	for (size_t i = 0; i < t->nproblems; i++)
		free(t->problems[i]);
	free(t);
}

const char *
i18n_get(const struct i18n *t, const char *key)
{
	const struct entry *e;

	if ((e = catalog_find(&t->chosen, key)) != NULL)
		return e->value;
	if ((e = catalog_find(&t->english, key)) != NULL)
		return e->value;
	return key;
}

const char *
i18n_lang(const struct i18n *t)
{
	return t->lang;
}

size_t
i18n_problem_count(const struct i18n *t)
{
	return t->nproblems;
}

const char *
i18n_problem(const struct i18n *t, size_t i)
{
	return i < t->nproblems ? t->problems[i] : NULL;
}

char *
i18n_fill(const char *text, ...)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out = xmalloc(cap);
	const char *p = text;

	/* Catalog text is never a printf format: placeholders are looked up by name. */
	while (*p != '\0') {
		const char *close = *p == '{' ? strchr(p, '}') : NULL, *value = NULL;
		size_t take = 1;
		va_list ap;

		if (close != NULL) {
			va_start(ap, text);
			for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
				const char *v = va_arg(ap, const char *);

				if (strlen(name) == (size_t)(close - p - 1) &&
				    strncmp(name, p + 1, (size_t)(close - p - 1)) == 0) {
					value = v != NULL ? v : "";
					break;
				}
			}
			va_end(ap);
		}
		if (value != NULL)
			take = strlen(value);
		if (len + take + 1 > cap) {
			cap = 2 * (len + take + 1);
			out = xrealloc(out, cap);
		}
		memcpy(out + len, value != NULL ? value : p, take);
		len += take;
		p = value != NULL ? close + 1 : p + 1;
	}
	out[len] = '\0';
	return out;
}

const char *
i18n_number(const struct i18n *t, double value, int decimals, char *buf, size_t len)
{
	const char *sep = i18n_get(t, "number.decimal");
	char *dot;

	if (!isfinite(value)) {
		snprintf(buf, len, "-");
		return buf;
	}
	/* LC_NUMERIC is always "C" in tramdo: printf gives '.', replaced by the catalog's mark. */
	snprintf(buf, len, "%.*f", decimals, value);
	if ((dot = strchr(buf, '.')) != NULL && strlen(sep) == 1)
		*dot = *sep;
	return buf;
}
