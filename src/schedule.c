/* schedule.c — see schedule.h. */
#include "schedule.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DAY_SECONDS	86400

/* "HH:MM" exactly (two digits each), as minutes after midnight; -1 otherwise. */
static int
parse_hhmm(const char *p, size_t n)
{
	if (n != 5 || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    p[2] != ':' || !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]))
		return -1;
	int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');

	return h < 24 && m < 60 ? h * 60 + m : -1;
}

static size_t
skip_spaces(const char *p, size_t i, size_t end)
{
	while (i < end && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* "every N[smh]": N a positive whole number, the whole interval at most a day. */
static int
parse_every(const char *text, struct schedule *s)
{
	const char *p = text + strlen("every");
	char *end;
	long n;

	if (*p != ' ' && *p != '\t')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	n = strtol(p, &end, 10);
	if (end[0] == '\0' || end[1] != '\0' || n <= 0 || n > DAY_SECONDS)
		return -1;
	switch (*end) {
	case 's':
		break;
	case 'm':
		n *= 60;
		break;
	case 'h':
		n *= 3600;
		break;
	default:
		return -1;
	}
	if (n > DAY_SECONDS)
		return -1;
	s->every = (int)n;
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int
parse_list(const char *text, struct schedule *s)
{
	size_t len = strlen(text), i = 0;

	while (i <= len) {
		size_t end = i + strcspn(text + i, ","), a = skip_spaces(text, i, end), b = end;
		int t;

		while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
			b--;
		if ((t = parse_hhmm(text + a, b - a)) < 0 || s->ntimes == SCHEDULE_TIMES_MAX)
			return -1;
		s->times[s->ntimes++] = t;
		i = end + 1;
	}
	qsort(s->times, (size_t)s->ntimes, sizeof s->times[0], cmp_int);
	return 0;
}

int
schedule_parse(const char *text, struct schedule *s)
{
	memset(s, 0, sizeof *s);
	if (text == NULL)
		return -1;
	if (strcmp(text, "hourly") == 0) {
		s->every = 3600;
		return 0;
	}
	if (strncmp(text, "every", strlen("every")) == 0)
		return parse_every(text, s);
	return parse_list(text, s);
}

int
quiet_hours_parse(const char *text, struct quiet_hours *q)
{
	memset(q, 0, sizeof *q);
	if (text == NULL || *text == '\0')
		return 0;
	if (strlen(text) != 11 || text[5] != '-' || (q->from = parse_hhmm(text, 5)) < 0 ||
	    (q->to = parse_hhmm(text + 6, 5)) < 0)
		return -1;
	q->set = true;
	return 0;
}

/* Local midnight of the day t falls in. */
static time_t
midnight(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* The local time of day, in minutes, of day0 (a midnight) plus m minutes. */
static time_t
at_minute(time_t day0, int m)
{
	struct tm tm;

	localtime_r(&day0, &tm);
	tm.tm_hour = m / 60;
	tm.tm_min = m % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* The first slot strictly after t, without the station's delay. */
static time_t
next_slot(const struct schedule *s, time_t t)
{
	time_t day0 = midnight(t);

	if (s->every > 0) {
		time_t n = day0 + ((t - day0) / s->every + 1) * s->every;
		time_t tomorrow = midnight(day0 + DAY_SECONDS + 3600);

		/* Every day starts again at midnight, so the times are the same each day. */
		return n < tomorrow ? n : tomorrow;
	}
	/* Today's times, then tomorrow's first one. */
	for (int day = 0; day < 2; day++) {
		for (int i = 0; i < s->ntimes; i++) {
			time_t due = at_minute(day0, s->times[i]);

			if (due > t)
				return due;
		}
		day0 = midnight(day0 + DAY_SECONDS + 3600);
	}
	return -1;
}

time_t
schedule_next(const struct schedule *s, time_t t)
{
	/* The slot after t - offset, delayed, is the first delayed slot after t. */
	time_t slot = next_slot(s, t - s->offset);

	return slot < 0 ? -1 : slot + s->offset;
}

/*
 * FNV-1a over the id, then MurmurHash3's finaliser: ids staff write differ in a digit or two
 * ("qn-tp-01", "qn-tp-02"), and FNV alone leaves such neighbours close in the low bits.
 */
static uint32_t
id_hash(const char *id)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)id; *p != '\0'; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

int
schedule_splay_offset(const struct schedule *s, const char *station_id, int splay_seconds)
{
	int window = splay_seconds;

	if (s->every > 0 && window > s->every - 1)
		window = s->every - 1;
	if (window <= 0)
		return 0;
	return (int)(id_hash(station_id != NULL ? station_id : "") % (uint32_t)(window + 1));
}

bool
quiet_hours_cover_minute(const struct quiet_hours *q, int m)
{
	if (!q->set)
		return false;
	if (q->from <= q->to)
		return m >= q->from && m < q->to;
	return m >= q->from || m < q->to;
}

bool
quiet_hours_cover(const struct quiet_hours *q, time_t t)
{
	struct tm tm;

	if (!q->set)
		return false;
	localtime_r(&t, &tm);
	return quiet_hours_cover_minute(q, tm.tm_hour * 60 + tm.tm_min);
}

bool
schedule_budget_allows(uint64_t used_bytes, uint64_t expected_bytes, double budget_mb)
{
	if (budget_mb <= 0)
		return true;
	return (double)used_bytes + (double)expected_bytes <= budget_mb * 1e6;
}
