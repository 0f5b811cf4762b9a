/*
 * config.c — see config.h.
 *
 * iniparser (4.1) owns the INI syntax: its values are what the program uses. It gives no line
 * numbers and hides structure, so the file is also scanned here, line by line, to learn where each
 * section and key stands (for messages), which keys repeat, and which unquoted values iniparser cut
 * at ';' or '#'. Every known key is one row of a table: type, default, range, choices.
 */
#include "config.h"
#include "schedule.h"
#include "tls.h"
#include "url.h"
#include "util.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <iniparser.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES	(64 * 1024)	/* a config is a few kB; more is the wrong file */
#define STRINGIFY(x)		#x
#define TEXT_OF(x)		STRINGIFY(x)	/* a number macro as a string literal */

/* Vietnam's bounding box, to catch typos and swapped coordinates. */
#define VN_LAT_MIN 8.0
#define VN_LAT_MAX 23.5
#define VN_LON_MIN 102.0
#define VN_LON_MAX 110.0

/* ---------------------------------------------------------------- diagnostics */

void
diags_add(struct diags *d, enum diag_level level, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		text = xstrdup("(out of memory formatting a message)");
	d->v = xrealloc(d->v, (d->n + 1) * sizeof *d->v);
	d->v[d->n].level = level;
	d->v[d->n].text = text;
	d->n++;
}

size_t
diags_count(const struct diags *d, enum diag_level level)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == level)
			n++;
	return n;
}

void
diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* ---------------------------------------------------------------- the key table */

enum key_type {
	K_STRING,	/* free UTF-8 text, length <= max */
	K_INT,		/* decimal, min..max */
	K_DOUBLE,	/* decimal with '.', min..max */
	K_BOOL,		/* yes/no/true/false/1/0/on/off */
	K_WORD,		/* one of choices, stored lowercased */
	K_CHARSET,	/* one of choices, stored as enum charset */
	K_WORDS,	/* comma list of choices, stored normalised "a,b" */
	K_URL,		/* http:// or https:// with a host */
	K_PATH,		/* a file name, length <= max */
	K_PORT,		/* 1..65535, kept as text (getaddrinfo wants a string) */
	K_PIN,		/* digits, length min..max */
	K_TIMES,	/* a schedule: comma list of HH:MM, hourly, every N[smh] */
	K_HOURS		/* HH:MM-HH:MM */
};

#define F_REQUIRED	0x1	/* an empty value is an error */
#define F_KEEP_EMPTY	0x2	/* an empty value is stored as "", not NULL */

struct key_spec {
	const char	*section;	/* "server" stands for every [server NAME] */
	const char	*key;
	enum key_type	 type;
	size_t		 offset;	/* in struct config, or struct server_conf for "server" */
	const char	*def;		/* as written in a file; NULL: unset */
	double		 min, max;	/* range, or length for text */
	const char	*choices;	/* "a|b|c" */
	int		 flags;
};

#define C(member) offsetof(struct config, member)
#define S(member) offsetof(struct server_conf, member)

static const struct key_spec keys[] = {
	{ "station", "id",		K_STRING, C(station.id),	  "", 0, 64, NULL, F_KEEP_EMPTY },
	{ "station", "name",		K_STRING, C(station.name),	  "", 0, 200, NULL, F_KEEP_EMPTY },
	{ "station", "province",	K_STRING, C(station.province),	  "", 0, 100, NULL, F_KEEP_EMPTY },
	{ "station", "district",	K_STRING, C(station.district),	  "", 0, 100, NULL, F_KEEP_EMPTY },
	{ "station", "commune",		K_STRING, C(station.commune),	  "", 0, 100, NULL, F_KEEP_EMPTY },
	{ "station", "commune_code",	K_STRING, C(station.commune_code), "", 0, 16, NULL, F_KEEP_EMPTY },
	{ "station", "isp",		K_STRING, C(station.isp),	  "", 0, 100, NULL, F_KEEP_EMPTY },
	{ "station", "access",		K_STRING, C(station.access),	  "", 0, 100, NULL, F_KEEP_EMPTY },
	{ "station", "latitude",	K_DOUBLE, C(station.latitude),	  NULL, -90, 90, NULL, 0 },
	{ "station", "longitude",	K_DOUBLE, C(station.longitude),	  NULL, -180, 180, NULL, 0 },

	{ "kiosk", "language",		K_WORD, C(kiosk.language),	  "vi", 0, 0, "vi|en", F_REQUIRED },
	{ "kiosk", "result_seconds",	K_INT, C(kiosk.result_seconds),	  "60", 5, 3600, NULL, 0 },
	{ "kiosk", "result_min_seconds", K_INT, C(kiosk.result_min_seconds), "5", 0, 60, NULL, 0 },
	{ "kiosk", "error_seconds",	K_INT, C(kiosk.error_seconds),	  "15", 3, 600, NULL, 0 },
	{ "kiosk", "cooldown_seconds",	K_INT, C(kiosk.cooldown_seconds), "10", 0, 3600, NULL, 0 },
	{ "kiosk", "retry_seconds",	K_INT, C(kiosk.retry_seconds),	  "300", 30, 3600, NULL, 0 },
	{ "kiosk", "staff_pin",		K_PIN, C(kiosk.staff_pin),	  NULL, 4, 12, NULL, 0 },
	{ "kiosk", "charset",		K_CHARSET, C(kiosk.charset),	  "auto", 0, 0,
	    "auto|unicode|console|ascii", F_REQUIRED },
	{ "kiosk", "promo_qr_url",	K_URL, C(kiosk.promo_qr_url),	  CONFIG_ISPEED_URL, 0, 0, NULL, 0 },
	{ "kiosk", "promo_caption",	K_STRING, C(kiosk.promo_caption), NULL, 0, 300, NULL, 0 },
	{ "kiosk", "prompt",		K_STRING, C(kiosk.prompt),	  NULL, 0, 200, NULL, 0 },
	{ "kiosk", "speech",		K_BOOL, C(kiosk.speech),	  "no", 0, 0, NULL, 0 },

	{ "test", "server",		K_STRING, C(test.server),	  "auto", 0, 100, NULL, F_REQUIRED },
	{ "test", "download_streams",	K_INT, C(test.download_streams),  "6", 1, 32, NULL, 0 },
	{ "test", "upload_streams",	K_INT, C(test.upload_streams),	  "4", 1, 32, NULL, 0 },
	{ "test", "max_seconds",	K_DOUBLE, C(test.max_seconds),	  "6", 2, 60, NULL, 0 },
	{ "test", "ping_count",		K_INT, C(test.ping_count),	  "10", 10, 100, NULL, 0 },
	{ "test", "connect_timeout",	K_DOUBLE, C(test.connect_timeout), "5", 0.5, 60, NULL, 0 },
	{ "test", "stall_seconds",	K_DOUBLE, C(test.stall_seconds),  "5", 1, 60, NULL, 0 },
	{ "test", "daily_budget_mb",	K_DOUBLE, C(test.daily_budget_mb), "0", 0, 10000000, NULL, 0 },
	{ "test", "schedule",		K_TIMES, C(test.schedule),	  NULL, 0, 0, NULL, 0 },
	{ "test", "schedule_splay_seconds", K_INT, C(test.schedule_splay_seconds), "300", 0, 3600,
	    NULL, 0 },
	{ "test", "quiet_hours",	K_HOURS, C(test.quiet_hours),	  NULL, 0, 0, NULL, 0 },
	{ "test", "ip_version",		K_WORD, C(test.ip_version),	  "auto", 0, 0, "auto|4|6|both",
	    F_REQUIRED },
	{ "test", "ca_file",		K_PATH, C(test.ca_file),	  NULL, 0, 4096, NULL, 0 },

	{ "servers", "list_url",	K_URL, C(server_list_url),	  NULL, 0, 0, NULL, 0 },
	/* decimals allowed (0.5: every half hour); 0.001 h = 3.6 s, for trying out a list server */
	{ "servers", "list_refresh_hours", K_DOUBLE, C(server_list_refresh_hours), "24", 0.001, 720,
	    NULL, 0 },

	{ "gps", "enabled",		K_BOOL, C(gps.enabled),		  "yes", 0, 0, NULL, 0 },
	{ "gps", "host",		K_STRING, C(gps.host),		  "localhost", 0, 255, NULL, F_REQUIRED },
	{ "gps", "port",		K_PORT, C(gps.port),		  "2947", 0, 0, NULL, F_REQUIRED },
	{ "gps", "max_fix_age_seconds",	K_INT, C(gps.max_fix_age_seconds), "10", 1, 3600, NULL, 0 },

	{ "upload", "enabled",		K_BOOL, C(upload.enabled),	  "no", 0, 0, NULL, 0 },
	{ "upload", "format",		K_WORDS, C(upload.format),	  "json", 0, 0,
	    "json|librespeed|influx", F_REQUIRED },
	{ "upload", "url",		K_URL, C(upload.url),		  NULL, 0, 0, NULL, 0 },
	{ "upload", "result_url",	K_STRING, C(upload.result_url),	  NULL, 0, 500, NULL, 0 },
	{ "upload", "token_file",	K_PATH, C(upload.token_file),	  NULL, 0, 4096, NULL, 0 },
	{ "upload", "retry_max_seconds", K_INT, C(upload.retry_max_seconds), "3600", 10, 86400, NULL, 0 },
	{ "upload", "librespeed_url",	K_URL, C(upload.librespeed_url),  NULL, 0, 0, NULL, 0 },
	{ "upload", "influx_url",	K_URL, C(upload.influx_url),	  NULL, 0, 0, NULL, 0 },
	{ "upload", "influx_db",	K_STRING, C(upload.influx_db),	  NULL, 0, 200, NULL, 0 },
	{ "upload", "influx_org",	K_STRING, C(upload.influx_org),	  NULL, 0, 200, NULL, 0 },
	{ "upload", "influx_bucket",	K_STRING, C(upload.influx_bucket), NULL, 0, 200, NULL, 0 },
	{ "upload", "influx_token_file", K_PATH, C(upload.influx_token_file), NULL, 0, 4096, NULL, 0 },
	{ "upload", "influx_precision",	K_WORD, C(upload.influx_precision), "s", 0, 0, "s|ms", F_REQUIRED },
	{ "upload", "timeout_seconds",	K_INT, C(upload.timeout_seconds), "30", 1, 600, NULL, 0 },
	{ "upload", "ca_file",		K_PATH, C(upload.ca_file),	  NULL, 0, 4096, NULL, 0 },

	{ "storage", "path",		K_PATH, C(storage.path),	  "/var/lib/tramdo/results.db", 0, 4096, NULL,
	    F_REQUIRED },

	{ "metrics", "textfile",	K_PATH, C(metrics.textfile),	  CONFIG_METRICS_DEFAULT, 0, 4096,
	    NULL, 0 },

	{ "server", "url",		K_URL, S(url),			  NULL, 0, 0, NULL, F_REQUIRED },
	{ "server", "layout",		K_WORD, S(layout),		  "php", 0, 0, "php|go", F_REQUIRED },
	{ "server", "download_path",	K_STRING, S(download_path),	  NULL, 0, 1000, NULL, F_REQUIRED },
	{ "server", "upload_path",	K_STRING, S(upload_path),	  NULL, 0, 1000, NULL, F_REQUIRED },
	{ "server", "ping_path",	K_STRING, S(ping_path),		  NULL, 0, 1000, NULL, F_REQUIRED },
	{ "server", "getip_path",	K_STRING, S(getip_path),	  NULL, 0, 1000, NULL, F_KEEP_EMPTY },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* Keys renamed: the old name still works, with a warning naming the new one. */
static const struct {
	const char	*section, *old_key, *new_key;
} renamed[] = {
	{ "servers", "refresh_hours", "list_refresh_hours" },
};

static const char *const known_sections[] = {
	"station", "kiosk", "test", "server", "servers", "gps", "upload", "storage", "metrics"
};
#define NSECTIONS (sizeof known_sections / sizeof known_sections[0])

/* Endpoint paths of the two LibreSpeed backends: download, upload, ping, getIP. */
static const char *const layout_paths[][4] = {
	{ "backend/garbage.php", "backend/empty.php", "backend/empty.php", "backend/getIP.php" },
	{ "garbage", "empty", "empty", "getIP" },
};

/* ---------------------------------------------------------------- the file, scanned */

enum entry_kind { E_SECTION, E_KEY };

struct entry {
	enum entry_kind	 kind;
	int		 line;
	char		*section;	/* lowercased, as iniparser names it */
	char		*display;	/* the section as written, for messages */
	char		*key;		/* lowercased; NULL for E_SECTION */
	char		 cut;		/* ';' or '#' where iniparser cut an unquoted value, or 0 */
	char		 quote;		/* the quote of a broken quoted value (check_quotes), or 0 */
	char		*kept;		/* what iniparser keeps of it; NULL when it never closes */
};

struct load {
	const char	*path;
	char		*text;		/* the whole file */
	size_t		 len;
	struct entry	*e;
	size_t		 ne;
	dictionary	*dict;
	struct config	*cfg;
	struct diags	*d;
	size_t		 sink_errors;	/* errors that stop one upload sink, not the service */
};

static char *
trimmed_lower(const char *s, size_t n)
{
	char *out;

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	out = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return out;
}

static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xasprintf("%.*s", (int)n, s);
}

/*
 * Where iniparser silently cuts an unquoted value: at the first ';' or '#'. A comment after a
 * blank is what the writer meant; one glued to text (a URL's #fragment, "a;b") is not.
 */
static char
value_cut_at(const char *v, size_t n)
{
	while (n > 0 && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	if (n == 0 || *v == '"' || *v == '\'')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (v[i] == ';' || v[i] == '#')
			return isspace((unsigned char)v[i - 1]) ? 0 : v[i];
	return 0;
}

/*
 * iniparser ends a quoted value at the next quote of its kind and drops the rest without a
 * word: `name = "Nhà "văn", hoá"` is stored as "Nhà ". Text after the closing quote other
 * than a comment means a quote inside the value; a value that never closes is kept up to its
 * end. Either is an error here, as the writer meant something else than what would be used.
 */
static void
check_quotes(struct entry *e, const char *v, size_t n)
{
	const char *close, *rest;
	char *raw;
	size_t left;

	while (n > 0 && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	if (n == 0 || (*v != '"' && *v != '\''))
		return;
	if ((close = memchr(v + 1, *v, n - 1)) == NULL) {
		e->quote = *v;
		return;
	}
	rest = close + 1;
	left = n - (size_t)(rest - v);
	while (left > 0 && isspace((unsigned char)*rest)) {
		rest++;
		left--;
	}
	if (left == 0 || *rest == ';' || *rest == '#')
		return;
	e->quote = *v;
	raw = xasprintf("%.*s", (int)(close - v - 1), v + 1);
	e->kept = sanitize_text(raw);	/* it is quoted in a message for the terminal */
	free(raw);
}

static void
scan_add(struct load *ld, struct entry *e)
{
	ld->e = xrealloc(ld->e, (ld->ne + 1) * sizeof *ld->e);
	ld->e[ld->ne++] = *e;
}

/* One logical line (continuations already joined), as iniparser's iniparser_line sees it. */
static void
scan_line(struct load *ld, const char *s, size_t n, int lineno, const struct entry *cur)
{
	struct entry e = { .line = lineno };
	const char *eq;

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || *s == ';' || *s == '#')
		return;
	if (*s == '[' && s[n - 1] == ']') {
		e.kind = E_SECTION;
		e.section = trimmed_lower(s + 1, n - 2);
		e.display = trimmed(s + 1, n - 2);
		scan_add(ld, &e);
		return;
	}
	eq = memchr(s, '=', n);
	if (eq == NULL || eq == s)
		return;		/* a syntax error: iniparser reports it */
	e.kind = E_KEY;
	e.section = xstrdup(cur != NULL ? cur->section : "");
	e.display = xstrdup(cur != NULL ? cur->display : "");
	e.key = trimmed_lower(s, (size_t)(eq - s));
	e.cut = value_cut_at(eq + 1, n - (size_t)(eq + 1 - s));
	check_quotes(&e, eq + 1, n - (size_t)(eq + 1 - s));
	scan_add(ld, &e);
}

static const struct entry *
last_section(const struct load *ld)
{
	for (size_t i = ld->ne; i > 0; i--)
		if (ld->e[i - 1].kind == E_SECTION)
			return &ld->e[i - 1];
	return NULL;
}

static void
scan_file(struct load *ld)
{
	const char *p = ld->text, *end = ld->text + ld->len;
	int lineno = 0;
	char *joined = NULL;
	size_t jlen = 0;
	int jline = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		size_t t = n;

		lineno++;
		while (t > 0 && isspace((unsigned char)p[t - 1]))
			t--;
		if (joined == NULL)
			jline = lineno;
		/* A line ending in '\' continues on the next one (iniparser joins them). */
		joined = xrealloc(joined, jlen + t + 1);
		memcpy(joined + jlen, p, t);
		jlen += t;
		if (t > 0 && p[t - 1] == '\\') {
			jlen--;
		} else {
			scan_line(ld, joined, jlen, jline, last_section(ld));
			free(joined);
			joined = NULL;
			jlen = 0;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	if (joined != NULL)
		scan_line(ld, joined, jlen, jline, last_section(ld));
	free(joined);
}

static void
scan_free(struct load *ld)
{
	for (size_t i = 0; i < ld->ne; i++) {
		free(ld->e[i].section);
		free(ld->e[i].display);
		free(ld->e[i].key);
		free(ld->e[i].kept);
	}
	free(ld->e);
}

/* The line of the last (winning) occurrence of key in section, or 0. */
static int
key_line(const struct load *ld, const char *section, const char *key)
{
	for (size_t i = ld->ne; i > 0; i--) {
		const struct entry *e = &ld->e[i - 1];
		if (e->kind == E_KEY && strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
			return e->line;
	}
	return 0;
}

static const struct entry *
section_entry(const struct load *ld, const char *section)
{
	for (size_t i = 0; i < ld->ne; i++)
		if (ld->e[i].kind == E_SECTION && strcmp(ld->e[i].section, section) == 0)
			return &ld->e[i];
	return NULL;
}

/* ---------------------------------------------------------------- messages */

/* "FILE:LINE: [section] key: level: message"; LINE, section and key only when known. */
static void __attribute__((format(printf, 6, 7)))
report(struct load *ld, enum diag_level level, int line, const char *section, const char *key,
    const char *fmt, ...)
{
	char where[32] = "", *msg, *sect = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (line > 0)
		snprintf(where, sizeof where, ":%d", line);
	if (section != NULL)
		sect = xasprintf(": [%s]%s%s", section, key != NULL ? " " : "", key != NULL ? key : "");
	diags_add(ld->d, level, "%s%s%s: %s: %s", ld->path, where, sect != NULL ? sect : "",
	    level == DIAG_ERROR ? "error" : "warning", msg != NULL ? msg : "?");
	free(sect);
	free(msg);
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The closest of the candidates when it is close enough to be a typo, else NULL. */
static const char *
closest(const char *word, const char *const *cand, size_t n)
{
	const char *best = NULL;
	size_t bestd = SIZE_MAX, limit = strlen(word) / 3 + 1;

	for (size_t i = 0; i < n; i++) {
		size_t dist = edit_distance(word, cand[i]);
		if (dist < bestd) {
			bestd = dist;
			best = cand[i];
		}
	}
	return bestd <= (limit < 3 ? limit : 3) ? best : NULL;
}

/* ---------------------------------------------------------------- values */

static bool
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
		    (*p & 0xf8) == 0xf0 ? 3 : -1;
		uint32_t cp;

		if (n < 0 || (n == 1 && *p < 0xc2) || *p > 0xf4)
			return false;
		cp = n == 0 ? *p : (uint32_t)(*p & (0x3f >> n));
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* Combining accents (U+0300–U+036F): the console draws them apart from their letter. */
static bool
has_combining_marks(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if ((p[0] == 0xcc && p[1] >= 0x80 && p[1] <= 0xbf) ||
		    (p[0] == 0xcd && p[1] >= 0x80 && p[1] <= 0xaf))
			return true;
	return false;
}

/*
 * Text that looks different from what it is: a control character hides or moves what follows
 * (on the console, in a log line, in a spreadsheet), a bidi control shows text in another order
 * than it is stored, U+2028/2029 break a line where no line break is expected. NULL, or why not.
 */
static char *
hidden_control_problem(const char *v)
{
	uint32_t cp = text_hidden_control(v);

	if (cp == 0)
		return NULL;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return xasprintf("contains the control character U+%04X: remove it", (unsigned)cp);
	if (cp == 0x2028 || cp == 0x2029)
		return xasprintf("contains the %s separator U+%04X: keep the value on one line",
		    cp == 0x2028 ? "line" : "paragraph", (unsigned)cp);
	return xasprintf("contains the bidi control U+%04X, which shows text in another order "
	    "than it is stored: remove it", (unsigned)cp);
}

/* Strict numbers: digits, sign, '.', exponent; no hex, no "inf", no locale. */
static bool
plain_number(const char *s, bool allow_fraction)
{
	if (*s == '\0')
		return false;
	for (const char *p = s; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && *p != '-' && *p != '+' &&
		    !(allow_fraction && (*p == '.' || *p == 'e' || *p == 'E')))
			return false;
	return true;
}

static const char *
number_hint(const char *v)
{
	return strchr(v, ',') != NULL ? " (use '.' as the decimal point)" : "";
}

/* Is v one of "a|b|c" (case-insensitive)? Returns its index or -1. */
static int
choice_index(const char *choices, const char *v, size_t vlen)
{
	int idx = 0;

	for (const char *p = choices; *p != '\0'; idx++) {
		size_t n = strcspn(p, "|");
		if (n == vlen && strncasecmp(p, v, n) == 0)
			return idx;
		p += n;
		if (*p == '|')
			p++;
	}
	return -1;
}

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

const char *
config_url_problem(const char *u)
{
	CURLU *h = curl_url();
	char *host = NULL;
	const char *why = NULL;

	if (h == NULL)
		return "cannot be checked (out of memory)";
	if (strlen(u) > CONFIG_URL_MAX)
		why = "is longer than " TEXT_OF(CONFIG_URL_MAX) " bytes";
	else if (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0)
		why = "must start with http:// or https://";
	else if (curl_url_set(h, CURLUPART_URL, u, 0) != CURLUE_OK)
		why = "is not a valid URL";
	else if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == NULL ||
	    *host == '\0')
		why = "has no host name";
	curl_free(host);
	curl_url_cleanup(h);
	return why;
}

static bool
parse_hhmm(const char *s, size_t n)
{
	long h, m;

	if (n != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return false;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60;
}

static bool
word_in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p != '\0'; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* "json, influx" → "json,influx"; NULL (with *bad set to the offending item) when invalid. */
static char *
normalise_words(const char *choices, const char *v, char **bad)
{
	char *out = xstrdup(""), *item;
	const char *p = v;

	*bad = NULL;
	for (;;) {
		size_t n = strcspn(p, ",");
		int idx;

		item = trimmed_lower(p, n);
		idx = choice_index(choices, item, strlen(item));
		if (idx < 0 || word_in_list(out, item)) {
			*bad = item;
			free(out);
			return NULL;
		}
		out = xrealloc(out, strlen(out) + strlen(item) + 2);
		if (*out != '\0')
			strcat(out, ",");
		strcat(out, item);
		free(item);
		p += n;
		if (*p == '\0')
			return out;
		p++;
	}
}

/* Is the field a char * (as opposed to a number, bool or enum)? */
static bool
is_text(const struct key_spec *k)
{
	return k->type != K_INT && k->type != K_DOUBLE && k->type != K_BOOL && k->type != K_CHARSET;
}

static void
set_text(char *field, char *v)
{
	free(*(char **)field);
	*(char **)field = v;
}

/*
 * One parser per type: each stores v into field and returns NULL, or returns an English message
 * (allocated) and leaves the field alone.
 */
static char *
parse_string(char *field, const struct key_spec *k, const char *v)
{
	if (strlen(v) > (size_t)k->max)
		return xasprintf("is longer than %d bytes", (int)k->max);
	set_text(field, xstrdup(v));
	return NULL;
}

static char *
parse_int(char *field, const struct key_spec *k, const char *v)
{
	long l;

	if (!plain_number(v, false) || !parse_long(v, &l))
		return xasprintf("'%s' is not a whole number%s", v, number_hint(v));
	if (l < (long)k->min || l > (long)k->max)
		return xasprintf("%ld is out of range %d..%d", l, (int)k->min, (int)k->max);
	*(int *)field = (int)l;
	return NULL;
}

static char *
parse_real(char *field, const struct key_spec *k, const char *v)
{
	double x;

	if (!plain_number(v, true) || !parse_double(v, &x))
		return xasprintf("'%s' is not a number%s", v, number_hint(v));
	if (x < k->min || x > k->max)
		return xasprintf("%s is out of range %g..%g", v, k->min, k->max);
	*(double *)field = x;
	return NULL;
}

static char *
parse_yes_no(char *field, const struct key_spec *k, const char *v)
{
	(void)k;
	if (!parse_bool(v, (bool *)field))
		return xasprintf("'%s' is not yes or no", v);
	return NULL;
}

static char *
parse_word(char *field, const struct key_spec *k, const char *v)
{
	int idx = choice_index(k->choices, v, strlen(v));

	if (idx < 0)
		return xasprintf("'%s' is not one of %s", v, k->choices);
	if (k->type == K_CHARSET)
		*(enum charset *)field = (enum charset)idx;
	else
		set_text(field, trimmed_lower(v, strlen(v)));
	return NULL;
}

static char *
parse_words(char *field, const struct key_spec *k, const char *v)
{
	char *norm, *bad, *msg;

	if ((norm = normalise_words(k->choices, v, &bad)) != NULL) {
		set_text(field, norm);
		return NULL;
	}
	msg = choice_index(k->choices, bad, strlen(bad)) >= 0 ?
	    xasprintf("'%s' is listed twice", bad) :
	    xasprintf("'%s' is not one of %s", bad, k->choices);
	free(bad);
	return msg;
}

static char *
parse_url(char *field, const struct key_spec *k, const char *v)
{
	const char *why = config_url_problem(v);
	char *shown, *msg;

	(void)k;
	if (why != NULL) {
		shown = url_redact(v);	/* check-config's output is pasted into tickets */
		msg = xasprintf("'%s' %s", shown, why);
		free(shown);
		return msg;
	}
	set_text(field, xstrdup(v));
	return NULL;
}

static char *
parse_port(char *field, const struct key_spec *k, const char *v)
{
	long l;

	(void)k;
	if (!plain_number(v, false) || !parse_long(v, &l) || l < 1 || l > 65535)
		return xasprintf("'%s' is not a port number 1..65535", v);
	set_text(field, xstrdup(v));
	return NULL;
}

static char *
parse_pin(char *field, const struct key_spec *k, const char *v)
{
	size_t n = strlen(v);

	if (strspn(v, "0123456789") != n || n < (size_t)k->min || n > (size_t)k->max)
		return xasprintf("must be %d to %d digits", (int)k->min, (int)k->max);
	set_text(field, xstrdup(v));
	return NULL;
}

static char *
parse_times(char *field, const struct key_spec *k, const char *v)
{
	struct schedule s;

	(void)k;
	if (schedule_parse(v, &s) != 0)
		return xasprintf("'%s' is not a list of times like 09:30,15:00, "
		    "nor 'hourly' or 'every N' with s, m or h (every 10m)", v);
	set_text(field, xstrdup(v));
	return NULL;
}

static char *
parse_hours(char *field, const struct key_spec *k, const char *v)
{
	(void)k;
	if (strlen(v) != 11 || v[5] != '-' || !parse_hhmm(v, 5) || !parse_hhmm(v + 6, 5))
		return xasprintf("'%s' is not a time range like 22:00-06:00", v);
	set_text(field, xstrdup(v));
	return NULL;
}

static char *(*const parsers[])(char *, const struct key_spec *, const char *) = {
	[K_STRING] = parse_string, [K_INT] = parse_int, [K_DOUBLE] = parse_real,
	[K_BOOL] = parse_yes_no, [K_WORD] = parse_word, [K_CHARSET] = parse_word,
	[K_WORDS] = parse_words, [K_URL] = parse_url, [K_PATH] = parse_string,
	[K_PORT] = parse_port, [K_PIN] = parse_pin, [K_TIMES] = parse_times,
	[K_HOURS] = parse_hours,
};

/*
 * Parses v for key k into base (struct config or struct server_conf). Returns NULL when stored,
 * else an allocated message, the field left as it was.
 */
static char *
parse_value(void *base, const struct key_spec *k, const char *v)
{
	char *field = (char *)base + k->offset, *why;

	if (*v == '\0') {
		if ((k->flags & F_REQUIRED) || !is_text(k))
			return xstrdup("must not be empty");
		set_text(field, k->def != NULL || (k->flags & F_KEEP_EMPTY) ? xstrdup("") : NULL);
		return NULL;
	}
	if (!valid_utf8(v))
		return xstrdup("is not valid UTF-8 text (save the file as UTF-8)");
	if ((why = hidden_control_problem(v)) != NULL)
		return why;
	return parsers[k->type](field, k, v);
}

/* ---------------------------------------------------------------- defaults */

static void
apply_defaults(void *base, const char *section)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && keys[i].def != NULL)
			free(parse_value(base, &keys[i], keys[i].def));	/* defaults are valid */
}

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->station.latitude = cfg->station.longitude = NAN;	/* unset until both are given */
	for (size_t s = 0; s < NSECTIONS; s++)
		if (strcmp(known_sections[s], "server") != 0)
			apply_defaults(cfg, known_sections[s]);
}

static void
server_conf_free(struct server_conf *sc)
{
	free(sc->name);
	free(sc->url);
	free(sc->download_path);
	free(sc->upload_path);
	free(sc->ping_path);
	free(sc->getip_path);
	free(sc->layout);
}

void
config_free(struct config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key_spec *k = &keys[i];
		if (is_text(k) && strcmp(k->section, "server") != 0)
			free(*(char **)((char *)cfg + k->offset));
	}
	for (size_t i = 0; i < cfg->nservers; i++)
		server_conf_free(&cfg->servers[i]);
	free(cfg->servers);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}

const struct server_conf *
config_server(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nservers; i++)
		if (strcasecmp(cfg->servers[i].name, name) == 0)
			return &cfg->servers[i];
	return NULL;
}

/* ---------------------------------------------------------------- reading the file */

/* iniparser reports through a callback without context: the load in progress is kept here. */
static struct load *parsing;

static int
iniparser_message(const char *fmt, ...)
{
	char buf[1200], *what, *p;
	va_list ap;
	int line = 0;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (parsing == NULL)
		return 0;
	/* "iniparser: syntax error in FILE (LINE):\n-> TEXT" and the like. */
	what = strncmp(buf, "iniparser: ", 11) == 0 ? buf + 11 : buf;
	if ((p = strstr(what, " in ")) != NULL && (p = strrchr(p, '(')) != NULL)
		line = (int)strtol(p + 1, NULL, 10);
	if ((p = strstr(what, " in ")) != NULL)
		*p = '\0';
	for (p = what; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	if (strcmp(what, "input line too long") == 0)
		what = "line longer than 1022 bytes";
	report(parsing, DIAG_ERROR, line, NULL, NULL, "cannot be parsed: %s%s", what,
	    strcmp(what, "syntax error") == 0 ? " (expected [section], key = value or a comment)" :
	    "");
	return 0;
}

/* Reads the whole file, refusing what is not a small regular text file. */
static int
read_file(struct load *ld)
{
	struct stat st;
	int fd;
	ssize_t got;

	fd = open(ld->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);	/* a FIFO must not block us */
	if (fd < 0) {
		report(ld, DIAG_ERROR, 0, NULL, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		report(ld, DIAG_ERROR, 0, NULL, NULL, "cannot read: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		report(ld, DIAG_ERROR, 0, NULL, NULL, "%s",
		    S_ISDIR(st.st_mode) ? "is a directory, not a file" : "is not a regular file");
		close(fd);
		return -1;
	}
	if (st.st_size > CONFIG_MAX_BYTES) {
		report(ld, DIAG_ERROR, 0, NULL, NULL, "is too large for a configuration (%lld bytes)",
		    (long long)st.st_size);
		close(fd);
		return -1;
	}
	ld->text = xmalloc((size_t)st.st_size + 1);
	while ((got = read(fd, ld->text + ld->len, (size_t)st.st_size - ld->len)) > 0)
		ld->len += (size_t)got;
	close(fd);
	if (got < 0) {
		report(ld, DIAG_ERROR, 0, NULL, NULL, "cannot read: %s", strerror(errno));
		return -1;
	}
	ld->text[ld->len] = '\0';
	return 0;
}

static int
line_of_offset(const struct load *ld, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		if (ld->text[i] == '\n')
			line++;
	return line;
}

/* Text problems iniparser would hide or trip on: NUL bytes, a BOM, bad UTF-8. */
static int
check_text(struct load *ld)
{
	const char *nul = memchr(ld->text, '\0', ld->len);

	if (nul != NULL) {
		report(ld, DIAG_ERROR, line_of_offset(ld, (size_t)(nul - ld->text)), NULL, NULL,
		    "cannot be parsed: binary data (a NUL byte); is this the configuration file?");
		return -1;
	}
	if (ld->len >= 3 && memcmp(ld->text, "\xef\xbb\xbf", 3) == 0) {
		report(ld, DIAG_ERROR, 1, NULL, NULL,
		    "cannot be parsed: the file starts with a byte-order mark; save it as UTF-8 "
		    "without BOM");
		return -1;
	}
	for (const char *p = ld->text; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		char *line = xasprintf("%.*s", (int)n, p);
		bool good = valid_utf8(line);

		free(line);
		if (!good) {
			report(ld, DIAG_ERROR, line_of_offset(ld, (size_t)(p - ld->text)), NULL, NULL,
			    "is not valid UTF-8 text (save the file as UTF-8)");
			return -1;
		}
		p += n + (p[n] == '\n');
	}
	return 0;
}

/* ---------------------------------------------------------------- applying entries */

static const struct key_spec *
find_key(const char *section, const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static bool
is_server_section(const char *section)
{
	return strncmp(section, "server", 6) == 0 && (section[6] == '\0' || section[6] == ' ');
}

static const char *
table_section(const char *section)
{
	return is_server_section(section) ? "server" : section;
}

static bool
known_section(const char *section)
{
	for (size_t s = 0; s < NSECTIONS; s++)
		if (strcmp(known_sections[s], section) == 0)
			return true;
	return is_server_section(section);
}

static void
warn_unknown_key(struct load *ld, const struct entry *e)
{
	const char *cand[NKEYS], *tsec = table_section(e->section), *best;
	size_t n = 0;

	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, tsec) == 0)
			cand[n++] = keys[i].key;
	best = closest(e->key, cand, n);
	if (best != NULL)
		report(ld, DIAG_WARNING, e->line, e->display, e->key,
		    "unknown key — typo? did you mean '%s'?", best);
	else
		report(ld, DIAG_WARNING, e->line, e->display, e->key, "unknown key — ignored");
}

static void
warn_unknown_section(struct load *ld, const struct entry *e)
{
	char *word = xasprintf("%.*s", (int)strcspn(e->section, " "), e->section);
	const char *best = closest(word, (const char *const *)known_sections, NSECTIONS);

	if (best != NULL && strcmp(best, "server") == 0)
		report(ld, DIAG_WARNING, e->line, e->display, NULL,
		    "unknown section — typo? did you mean [server NAME]?");
	else if (best != NULL)
		report(ld, DIAG_WARNING, e->line, e->display, NULL,
		    "unknown section — typo? did you mean [%s]?", best);
	else
		report(ld, DIAG_WARNING, e->line, e->display, NULL,
		    "unknown section — its keys are ignored");
	free(word);
}

/* "[server  Hà Nội ]" → "Hà Nội" (allocated). */
static char *
server_name(const struct entry *e)
{
	return trimmed(e->display + 6, strlen(e->display) - 6);
}

static bool
server_name_is(const struct entry *e, const char *name)
{
	char *n = server_name(e);
	bool same = strcasecmp(n, name) == 0;

	free(n);
	return same;
}

static struct server_conf *
server_for_section(struct load *ld, const struct entry *e)
{
	struct config *cfg = ld->cfg;
	struct server_conf *sc;
	char *name = server_name(e);

	for (size_t i = 0; i < cfg->nservers; i++) {
		if (strcasecmp(cfg->servers[i].name, name) == 0) {
			free(name);
			return &cfg->servers[i];
		}
	}
	cfg->servers = xrealloc(cfg->servers, (cfg->nservers + 1) * sizeof *cfg->servers);
	sc = &cfg->servers[cfg->nservers++];
	memset(sc, 0, sizeof *sc);
	sc->name = name;
	apply_defaults(sc, "server");
	return sc;
}

static void
apply_section(struct load *ld, const struct entry *e)
{
	const struct entry *first = section_entry(ld, e->section);
	char *why;

	if (!known_section(e->section)) {
		warn_unknown_section(ld, e);
		return;
	}
	if (!is_server_section(e->section))
		return;
	if (strcmp(e->section, "server") == 0) {
		report(ld, DIAG_ERROR, e->line, e->display, NULL,
		    "a server section needs a name, e.g. [server hanoi]");
		return;
	}
	/* The name is shown on the kiosk's screen and in every result. */
	if ((why = hidden_control_problem(e->display)) != NULL) {
		char *shown = sanitize_text(e->display);

		report(ld, DIAG_ERROR, e->line, shown, NULL, "the server's name %s", why);
		free(shown);
		free(why);
		return;
	}
	if (first != e)
		report(ld, DIAG_WARNING, e->line, e->display, NULL,
		    "same server as [%s] on line %d (server names ignore case); keys are merged",
		    first->display, first->line);
	else
		server_for_section(ld, e);
}

static bool
overridden_later(const struct load *ld, size_t i, int *later)
{
	for (size_t j = i + 1; j < ld->ne; j++) {
		const struct entry *e = &ld->e[j];
		if (e->kind == E_KEY && strcmp(e->section, ld->e[i].section) == 0 &&
		    strcmp(e->key, ld->e[i].key) == 0) {
			*later = e->line;
			return true;
		}
	}
	return false;
}

static void
report_quote(struct load *ld, const struct entry *e)
{
	char other = e->quote == '"' ? '\'' : '"';

	if (e->kept == NULL)
		report(ld, DIAG_ERROR, e->line, e->display, e->key,
		    "the value opens a %c quote and never closes it", e->quote);
	else
		report(ld, DIAG_ERROR, e->line, e->display, e->key,
		    "a %c inside the quoted value ends it (only '%s' would be kept): quote the "
		    "value with %c instead, or leave the quotes out", e->quote, e->kept, other);
}

/* What renamed_key returns for an old name whose new name is set too: nothing to apply. */
static const struct key_spec superseded;

/*
 * An old key name (renamed[]): its new key's spec, after a warning that names both; &superseded
 * when the new name is in the file too (it wins wherever it stands); NULL when e is no old name.
 */
static const struct key_spec *
renamed_key(struct load *ld, const struct entry *e)
{
	for (size_t r = 0; r < sizeof renamed / sizeof renamed[0]; r++) {
		int line;

		if (strcmp(renamed[r].section, e->section) != 0 ||
		    strcmp(renamed[r].old_key, e->key) != 0)
			continue;
		if ((line = key_line(ld, e->section, renamed[r].new_key)) != 0) {
			report(ld, DIAG_WARNING, e->line, e->display, e->key,
			    "deprecated name of %s, which line %d sets: this line is ignored",
			    renamed[r].new_key, line);
			return &superseded;
		}
		report(ld, DIAG_WARNING, e->line, e->display, e->key,
		    "deprecated: the key is now called %s (rename it; the value is used)",
		    renamed[r].new_key);
		return find_key(renamed[r].section, renamed[r].new_key);
	}
	return NULL;
}

static void
apply_key(struct load *ld, size_t i)
{
	const struct entry *e = &ld->e[i];
	const struct key_spec *k;
	char *dkey, *why;
	const char *value;
	void *base = ld->cfg;
	int later;

	if (*e->section == '\0') {
		report(ld, DIAG_WARNING, e->line, NULL, NULL,
		    "'%s' is outside any [section] — ignored", e->key);
		return;
	}
	if (!known_section(e->section) || strcmp(e->section, "server") == 0)
		return;		/* already reported with the section */
	if ((k = find_key(table_section(e->section), e->key)) == NULL &&
	    (k = renamed_key(ld, e)) == NULL) {
		warn_unknown_key(ld, e);
		return;
	}
	if (k == &superseded)
		return;
	if (overridden_later(ld, i, &later)) {
		report(ld, DIAG_WARNING, e->line, e->display, e->key,
		    "set again on line %d, which wins", later);
		return;
	}
	dkey = xasprintf("%s:%s", e->section, e->key);
	value = iniparser_getstring(ld->dict, dkey, NULL);
	free(dkey);
	if (value == NULL)
		return;
	if (e->quote != 0) {
		report_quote(ld, e);
		return;
	}
	if (e->cut != 0)
		report(ld, DIAG_WARNING, e->line, e->display, e->key,
		    "value cut at '%c' (text after ';' or '#' is a comment): put the value in "
		    "double quotes", e->cut);
	if (k->type == K_STRING && has_combining_marks(value))
		report(ld, DIAG_WARNING, e->line, e->display, e->key,
		    "uses combining accents; save the text precomposed (NFC) or the console shows "
		    "them apart");
	if (is_server_section(e->section))
		base = server_for_section(ld, section_entry(ld, e->section));
	if ((why = parse_value(base, k, value)) != NULL)
		report(ld, DIAG_ERROR, e->line, e->display, e->key, "%s", why);
	free(why);
}

/* ---------------------------------------------------------------- whole-file checks */

static void
finish_server(struct load *ld, struct server_conf *sc)
{
	const char *const *def = layout_paths[strcmp(sc->layout, "go") == 0];
	char **paths[4] = { &sc->download_path, &sc->upload_path, &sc->ping_path, &sc->getip_path };
	const struct entry *e = NULL;

	for (size_t i = 0; i < ld->ne && e == NULL; i++)
		if (ld->e[i].kind == E_SECTION && is_server_section(ld->e[i].section) &&
		    server_name_is(&ld->e[i], sc->name))
			e = &ld->e[i];
	if (e == NULL)
		return;		/* cannot happen: every server comes from a section */
	if (sc->url == NULL && key_line(ld, e->section, "url") == 0)
		report(ld, DIAG_ERROR, e->line, e->display, "url",
		    "missing: every server needs its base URL, e.g. url = http://10.0.0.2/");
	for (int i = 0; i < 4; i++)
		if (*paths[i] == NULL)
			*paths[i] = xstrdup(def[i]);
	if (strcmp(sc->upload_path, sc->ping_path) != 0)
		report(ld, DIAG_WARNING, key_line(ld, e->section, "upload_path"), e->display,
		    "upload_path",
		    "differs from ping_path; tramdo uses ping_path's 'empty' endpoint for both");
}

static bool
in_vietnam(double lat, double lon)
{
	return lat >= VN_LAT_MIN && lat <= VN_LAT_MAX && lon >= VN_LON_MIN && lon <= VN_LON_MAX;
}

/* Is name one of the words of the normalised comma list format? */
static bool
has_sink(const char *format, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = format; p != NULL && *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

#define TOKEN_MAX	1023	/* bytes; a bearer token is a few dozen */

char *
config_read_token(const char *path, char *err, size_t errlen)
{
	char buf[TOKEN_MAX + 2], *token;
	struct stat sb;
	ssize_t n;
	int fd;

	/* O_NOFOLLOW: a link could point anywhere; O_NONBLOCK: a FIFO must not hang the loop. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP) {
		snprintf(err, errlen, "%s is a symbolic link: give the path of the file itself", path);
		return NULL;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is %s", path, S_ISDIR(sb.st_mode) ?
		    "a directory, not a file" : "not a regular file");
		close(fd);
		return NULL;
	}
	/* A token others can read is a leaked token: refused rather than used. */
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s can be read by group or others (mode %04o); refusing to "
		    "use it: run chmod 600 %s", path, (unsigned)(sb.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "%s is empty: it must hold the token on one line", path);
		return NULL;
	}
	if (n > TOKEN_MAX || strpbrk(buf, "\r\n") != NULL) {
		snprintf(err, errlen, "%s must hold one token (at most %d bytes) on one line", path,
		    TOKEN_MAX);
		explicit_bzero(buf, sizeof buf);
		return NULL;
	}
	token = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
	return token;
}

/*
 * A token file is checked as the service will read it (config_read_token): an error when a
 * configured sink uses it, a warning when none does yet. The error stops only that sink
 * (upload.c retries it until the file is fixed), so the configuration stays usable.
 */
static void
check_token_file(struct load *ld, const char *key, const char *path, bool used)
{
	char why[512], *token;

	if (path == NULL)
		return;
	if ((token = config_read_token(path, why, sizeof why)) != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
		return;
	}
	if (used) {
		report(ld, DIAG_ERROR, key_line(ld, "upload", key), "upload", key, "%s", why);
		ld->sink_errors++;
	} else
		report(ld, DIAG_WARNING, key_line(ld, "upload", key), "upload", key,
		    "%s (no enabled sink uses it yet)", why);
}

/*
 * A CA file is read as libcurl will read it, by this process (the kiosk's user when the service
 * loads it). [test] ca_file is the trust of every test server: a bad one is an error. A bad
 * [upload] ca_file stops only the uploads (they fail and are retried, like a bad token file),
 * so it fails check-config and the service still runs.
 */
static void
check_ca_file(struct load *ld, const char *section, const char *path, bool sink)
{
	char why[4096 + 300];	/* a path of up to 4096 bytes (the key table), and why */

	if (path == NULL || tls_ca_file_problem(path, why, sizeof why) == NULL)
		return;
	report(ld, DIAG_ERROR, key_line(ld, section, "ca_file"), section, "ca_file", "%s", why);
	if (sink)
		ld->sink_errors++;
}

/* Each enabled sink needs its own target (upload.c builds the URLs from these keys). */
static void
check_upload(struct load *ld)
{
	const struct config *cfg = ld->cfg;
	const char *f = cfg->upload.format;

	if (cfg->upload.enabled && has_sink(f, "json") && cfg->upload.url == NULL)
		report(ld, DIAG_ERROR, key_line(ld, "upload", "enabled"), "upload", "url",
		    "missing: enabled = yes needs the collector's url");
	if (cfg->upload.enabled && has_sink(f, "librespeed") && cfg->upload.librespeed_url == NULL)
		report(ld, DIAG_ERROR, key_line(ld, "upload", "enabled"), "upload", "librespeed_url",
		    "missing: format librespeed needs the LibreSpeed server's url");
	if (cfg->upload.enabled && has_sink(f, "influx")) {
		if (cfg->upload.influx_url == NULL)
			report(ld, DIAG_ERROR, key_line(ld, "upload", "enabled"), "upload",
			    "influx_url", "missing: format influx needs the InfluxDB url");
		if (cfg->upload.influx_db == NULL && cfg->upload.influx_bucket == NULL)
			report(ld, DIAG_ERROR, key_line(ld, "upload", "enabled"), "upload",
			    "influx_db", "missing: format influx needs influx_db (InfluxDB 1.x) or "
			    "influx_org and influx_bucket (2.x)");
	}
	check_token_file(ld, "token_file", cfg->upload.token_file,
	    cfg->upload.enabled && has_sink(f, "json"));
	check_token_file(ld, "influx_token_file", cfg->upload.influx_token_file,
	    cfg->upload.enabled && has_sink(f, "influx"));
	check_ca_file(ld, "upload", cfg->upload.ca_file, true);
}

/*
 * The GPS client takes addresses only: resolving a name could block the kiosk's loop. Say so
 * here, where staff look, rather than when the kiosk starts.
 */
static void
check_gps(struct load *ld)
{
	const char *host = ld->cfg->gps.host;
	unsigned char addr[sizeof(struct in6_addr)];

	if (!ld->cfg->gps.enabled || host == NULL || strcmp(host, "localhost") == 0 ||
	    inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
		return;
	report(ld, DIAG_ERROR, key_line(ld, "gps", "host"), "gps", "host",
	    "'%s' is not an IP address: use localhost or gpsd's address, e.g. 192.168.1.20", host);
}

static void
check_position(struct load *ld)
{
	struct config *cfg = ld->cfg;
	int llat = key_line(ld, "station", "latitude"), llon = key_line(ld, "station", "longitude");
	double lat = cfg->station.latitude, lon = cfg->station.longitude;
	bool has_lat = isfinite(lat), has_lon = isfinite(lon);
	double rlat, rlon;

	/* Swapped coordinates often fail the range check first: judge the values as written. */
	if (parse_double(iniparser_getstring(ld->dict, "station:latitude", ""), &rlat) &&
	    parse_double(iniparser_getstring(ld->dict, "station:longitude", ""), &rlon) &&
	    !in_vietnam(rlat, rlon) && in_vietnam(rlon, rlat)) {
		report(ld, DIAG_WARNING, llat, "station", "latitude",
		    "%g, %g is outside Vietnam — swapped latitude/longitude?", rlat, rlon);
		return;
	}

	if (has_lat != has_lon && (has_lat ? llon : llat) == 0) {
		report(ld, DIAG_ERROR, has_lat ? llat : llon, "station",
		    has_lat ? "latitude" : "longitude",
		    "set both latitude and longitude, or neither");
		return;
	}
	if (!has_lat || !has_lon)
		return;		/* neither, or the other one's value was already reported */
	cfg->station.has_position = true;
	if (!in_vietnam(lat, lon))
		report(ld, DIAG_WARNING, llat, "station", "latitude",
		    "%g, %g is outside Vietnam (lat 8.0..23.5, lon 102.0..110.0) — typo?", lat, lon);
}

/* A link per result: {id} becomes the result's id, and then it must be a URL. */
static void
check_result_url(struct load *ld)
{
	const char *t = ld->cfg->upload.result_url, *at, *why;
	char *url;

	if (t == NULL)
		return;
	if ((at = strstr(t, "{id}")) == NULL) {
		report(ld, DIAG_ERROR, key_line(ld, "upload", "result_url"), "upload", "result_url",
		    "'%s' has no {id}: every result would get the same link", t);
		return;
	}
	url = xasprintf("%.*s00000000-0000-4000-8000-000000000000%s", (int)(at - t), t, at + 4);
	if ((why = config_url_problem(url)) != NULL)
		report(ld, DIAG_ERROR, key_line(ld, "upload", "result_url"), "upload", "result_url",
		    "'%s' %s", t, why);
	free(url);
}

/* node_exporter's textfile collector reads only *.prom files: any other name is never seen. */
static void
check_metrics(struct load *ld)
{
	const char *f = ld->cfg->metrics.textfile;
	size_t n = f != NULL ? strlen(f) : 0;

	if (n > 0 && (n < 5 || strcmp(f + n - 5, ".prom") != 0))
		report(ld, DIAG_WARNING, key_line(ld, "metrics", "textfile"), "metrics", "textfile",
		    "'%s' does not end in .prom: node_exporter's textfile collector reads only "
		    "*.prom files", f);
}

/* Keys that only make sense together. */
static void
check_kiosk(struct load *ld)
{
	struct config *cfg = ld->cfg;

	if (cfg->kiosk.result_min_seconds > cfg->kiosk.result_seconds) {
		report(ld, DIAG_WARNING, key_line(ld, "kiosk", "result_min_seconds"), "kiosk",
		    "result_min_seconds", "%d is longer than result_seconds = %d: the result "
		    "ignores keys for its whole %d s", cfg->kiosk.result_min_seconds,
		    cfg->kiosk.result_seconds, cfg->kiosk.result_seconds);
		cfg->kiosk.result_min_seconds = cfg->kiosk.result_seconds;
	}
}

/*
 * A time of the schedule whose delay (schedule_splay_seconds) can reach into quiet_hours: the
 * stations whose delay lands there skip that test, which staff would not guess from the times.
 */
static void
check_splay(struct load *ld)
{
	const struct config *cfg = ld->cfg;
	int reach = cfg->test.schedule_splay_seconds / 60;	/* whole minutes a delay can add */
	struct schedule s;
	struct quiet_hours q;

	if (reach == 0 || cfg->test.schedule == NULL || schedule_parse(cfg->test.schedule, &s) != 0 ||
	    s.every > 0 || quiet_hours_parse(cfg->test.quiet_hours, &q) != 0 || !q.set)
		return;
	for (int i = 0; i < s.ntimes; i++) {
		int t = s.times[i], d = 1;

		if (quiet_hours_cover_minute(&q, t))
			continue;
		while (d <= reach && !quiet_hours_cover_minute(&q, (t + d) % (24 * 60)))
			d++;
		if (d <= reach)
			report(ld, DIAG_WARNING, key_line(ld, "test", "schedule"), "test", "schedule",
			    "%02d:%02d plus a station's delay of up to %d s (schedule_splay_seconds) "
			    "reaches quiet_hours %s: a station whose delay falls there skips that test "
			    "(move the time earlier, or lower schedule_splay_seconds)", t / 60, t % 60,
			    cfg->test.schedule_splay_seconds, cfg->test.quiet_hours);
	}
}

static void
check_whole(struct load *ld)
{
	struct config *cfg = ld->cfg;
	char *shown = url_redact(cfg->test.server);	/* a URL given here keeps its login */

	for (size_t i = 0; i < cfg->nservers; i++)
		finish_server(ld, &cfg->servers[i]);
	if (strcasecmp(cfg->test.server, "auto") == 0) {
		free(cfg->test.server);
		cfg->test.server = xstrdup("auto");
	} else if (config_server(cfg, cfg->test.server) == NULL && cfg->server_list_url == NULL) {
		report(ld, DIAG_ERROR, key_line(ld, "test", "server"), "test", "server",
		    "'%s' is neither auto nor a [server NAME] section", shown);
	} else if (config_server(cfg, cfg->test.server) == NULL) {
		report(ld, DIAG_WARNING, key_line(ld, "test", "server"), "test", "server",
		    "'%s' is not a [server NAME] section: it must be in the list from list_url",
		    shown);
	}
	free(shown);
	if (cfg->nservers == 0 && cfg->server_list_url == NULL)
		report(ld, DIAG_WARNING, 0, NULL, NULL,
		    "no [server NAME] section and no [servers] list_url: the kiosk has nothing to "
		    "measure against");
	check_kiosk(ld);
	check_splay(ld);
	check_ca_file(ld, "test", cfg->test.ca_file, false);
	check_result_url(ld);
	check_upload(ld);
	check_gps(ld);
	check_metrics(ld);
	if (*cfg->station.id == '\0')
		report(ld, DIAG_WARNING, key_line(ld, "station", "id"), "station", "id",
		    "empty: results will not say which station measured them");
	check_position(ld);
}

int
config_load(const char *path, struct config *cfg, struct diags *d)
{
	struct load ld = { .path = path, .cfg = cfg, .d = d };
	size_t errors = diags_count(d, DIAG_ERROR);

	config_defaults(cfg);
	cfg->path = xstrdup(path);
	if (read_file(&ld) == 0 && check_text(&ld) == 0) {
		parsing = &ld;
		iniparser_set_error_callback(iniparser_message);
		ld.dict = iniparser_load(path);
		iniparser_set_error_callback(NULL);
		parsing = NULL;
		if (ld.dict == NULL && diags_count(d, DIAG_ERROR) == errors)
			report(&ld, DIAG_ERROR, 0, NULL, NULL, "cannot be parsed");
	}
	if (ld.dict != NULL) {
		scan_file(&ld);
		for (size_t i = 0; i < ld.ne; i++) {
			if (ld.e[i].kind == E_SECTION)
				apply_section(&ld, &ld.e[i]);
			else
				apply_key(&ld, i);
		}
		check_whole(&ld);
		iniparser_freedict(ld.dict);
	}
	scan_free(&ld);
	free(ld.text);
	return diags_count(d, DIAG_ERROR) > errors + ld.sink_errors ? -1 : 0;
}
