/* util.c — see util.h. */
#include "util.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void *
check_alloc(void *p)
{
	if (p == NULL) {
		log_err("out of memory");
		abort();
	}
	return p;
}

void *xmalloc(size_t n) { return check_alloc(malloc(n ? n : 1)); }
void *xcalloc(size_t n, size_t size) { return check_alloc(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return check_alloc(realloc(p, n ? n : 1)); }

char *
xstrdup(const char *s)
{
	return s == NULL ? NULL : check_alloc(strdup(s));
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return check_alloc(s);
}

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double now_mono(void) { return clock_seconds(CLOCK_BOOTTIME); }
double now_wall(void) { return clock_seconds(CLOCK_REALTIME); }

int
boot_id(char out[static 37])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fgets(out, 37, f) != NULL && uuid_shaped(out))
		rc = 0;
	fclose(f);
	return rc;
}

void
clock_watch_init(struct clock_watch *w)
{
	w->offset = now_wall() - now_mono();
}

double
clock_watch_step(struct clock_watch *w)
{
	double offset = now_wall() - now_mono(), step = offset - w->offset;

	w->offset = offset;
	return fabs(step) > CLOCK_STEP_S ? step : 0;
}

double
deadline_earlier(double a, double b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int
deadline_ms(double deadline, double now)
{
	double ms;

	if (deadline < 0)
		return -1;
	if (deadline <= now)
		return 0;
	ms = ceil((deadline - now) * 1000);
	return ms < INT_MAX ? (int)ms : INT_MAX;
}

void
format_utc(double t, char buf[static 21])
{
	time_t secs = (time_t)floor(t);
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * The digits of a fraction of a second, counted in integers (a float counter would drift).
 * Digits past nanoseconds are skipped: they cannot change a double-precision epoch time.
 */
static const char *
parse_fraction(const char *p, double *frac)
{
	long num = 0, den = 1;

	for (; isdigit((unsigned char)*p); p++) {
		if (den < 1000000000L) {
			num = num * 10 + (*p - '0');
			den *= 10;
		}
	}
	*frac = (double)num / (double)den;
	return p;
}

/*
 * strptime takes day 31 in any month and second 60 in any minute; timegm and mktime then roll
 * such a time into the next one. The fields as written must survive the conversion unchanged.
 */
static bool
same_date(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon && a->tm_mday == b->tm_mday;
}

bool
utc_parse(const char *s, double *out)
{
	struct tm tm, written;
	const char *p;
	double frac = 0;
	time_t t;

	if (s == NULL)
		return false;
	memset(&tm, 0, sizeof tm);
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return false;
	if (*p == '.')
		p = parse_fraction(p + 1, &frac);
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return false;
	written = tm;
	t = timegm(&tm);
	if (t == (time_t)-1 || !same_date(&tm, &written) || tm.tm_hour != written.tm_hour ||
	    tm.tm_min != written.tm_min || tm.tm_sec != written.tm_sec)
		return false;
	*out = (double)t + frac;
	return true;
}

bool
local_date_parse(const char *s, double *out)
{
	struct tm tm, written;
	const char *end;
	time_t t;

	if (s == NULL)
		return false;
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return false;
	written = tm;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	/* Only the date is compared: where a DST change skips midnight, the day starts later. */
	if (t == (time_t)-1 || !same_date(&tm, &written))
		return false;
	*out = (double)t;
	return true;
}

/* mktime of t's local date with some fields reset; the DST flag is looked up, not assumed. */
static double
local_start(double t, bool month)
{
	time_t secs = (time_t)floor(t);
	struct tm tm;

	localtime_r(&secs, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (month)
		tm.tm_mday = 1;
	tm.tm_isdst = -1;
	return (double)mktime(&tm);
}

double local_day_start(double t) { return local_start(t, false); }
double local_month_start(double t) { return local_start(t, true); }

bool
parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* strtod follows LC_NUMERIC; tramdo never changes LC_NUMERIC from "C" (see main.c), so "." is the point. */
bool
parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

int
uuid_v4(char out[static 37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

bool
uuid_shaped(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;	/* also at the terminating NUL */
	}
	return s[36] == '\0';
}

/* ---- sanitize_text ---- */

/* Length of the valid UTF-8 sequence at s (its code point in *cp), or 0 when invalid. */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t v, min;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, v = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, v = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, v = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the terminating NUL */
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Bytes taken by the escape sequence starting at s (s[0] is ESC), as ECMA-48 delimits them. */
static size_t
escape_length(const unsigned char *s)
{
	size_t i = 1;

	if (s[1] == '[') {			/* CSI: parameters, intermediates, one final byte */
		for (i = 2; s[i] >= 0x20 && s[i] <= 0x3f; i++)
			continue;
		for (; s[i] >= 0x20 && s[i] <= 0x2f; i++)
			continue;
		return s[i] >= 0x40 && s[i] <= 0x7e ? i + 1 : i;
	}
	if (s[1] != '\0' && strchr("]PX^_", s[1]) != NULL) {	/* strings: up to BEL or ST */
		for (i = 2; s[i] != '\0'; i++) {
			if (s[i] == 0x07)
				return i + 1;
			if (s[i] == 0x1b && s[i + 1] == '\\')
				return i + 2;
		}
		return i;
	}
	for (; s[i] >= 0x20 && s[i] <= 0x2f; i++)	/* ESC, intermediates, one final byte */
		continue;
	return s[i] >= 0x30 && s[i] <= 0x7e ? i + 1 : i;
}

uint32_t
text_hidden_control(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t cp;
	size_t n;

	for (; *s != '\0'; s += n > 0 ? n : 1) {
		if ((n = utf8_decode(s, &cp)) == 0)
			continue;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
		    cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return cp;
	}
	return 0;
}

size_t
utf8_length(const char *s)
{
	uint32_t cp;

	return utf8_decode((const unsigned char *)s, &cp);
}

static bool
is_invisible_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

char *
sanitize_text(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	char *out, *o;
	uint32_t cp;
	size_t n;

	if (text == NULL)
		return NULL;
	out = o = xmalloc(strlen(text) + 1);	/* never grows: every change is 1:1 or shorter */
	while (*s != '\0') {
		if (*s == 0x1b) {
			s += escape_length(s);
		} else if ((n = utf8_decode(s, &cp)) == 0) {
			*o++ = '?';
			s++;
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			if (o == out || o[-1] != ' ')
				*o++ = ' ';
			s += n;
		} else if (is_invisible_control(cp)) {
			s += n;
		} else {
			memcpy(o, s, n);
			o += n;
			s += n;
		}
	}
	*o = '\0';
	return out;
}

int
open_new_private(const char *path, int flags)
{
	int fd = open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC, 0600), err;

	if (fd >= 0 && fchmod(fd, 0600) != 0) {	/* a umask like 0277 took bits 0600 needs */
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
