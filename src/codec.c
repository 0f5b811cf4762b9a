/* codec.c — see codec.h. */
#include "codec.h"

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "util.h"

#define FIGURE_DECIMALS	2	/* ms, Mbit/s, s */
#define DEGREE_DECIMALS	7	/* about 1 cm */
#define METRE_DECIMALS	1
#define SAMPLE_DECIMALS	3	/* a latency sample: curl times requests in µs */
/*
 * Room for any finite double with 7 decimals (DBL_MAX has 309 digits): a hostile stored figure
 * is written whole, never cut to another number, so it reads back the same.
 */
#define NUM_MAX		336
/* Counts (bytes, satellites) are exact in the double json-c gives back up to 2^53. */
#define COUNT_MAX	0x1p53

/* ---- a growing string; allocation failure aborts (util.h) ---- */

struct buf {
	char	*s;
	size_t	 len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* NULL for a text that is not set: the formats know one kind of "not set". */
static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* ---- numbers ---- */

/*
 * A number as every format writes it: fixed decimals (json-c would print a double's binary
 * expansion, 0.03 → 0.029999999999999999), in the C locale; NULL when not finite.
 */
static const char *
number_text(char buf[static NUM_MAX], double v, int decimals)
{
	if (!isfinite(v))
		return NULL;
	snprintf(buf, NUM_MAX, "%.*f", decimals, v);
	return buf;
}

/* A figure that cannot be negative: a negative one is unknown (model.h). */
static const char *
figure_text(char buf[static NUM_MAX], double v, int decimals)
{
	return v >= 0 ? number_text(buf, v, decimals) : NULL;
}

/* The figures of a complete measurement, in the order of the JSON and of the line protocol. */
static const struct figure {
	const char	*group;		/* the JSON object holding it; NULL: the result itself */
	const char	*key;
	const char	*field;		/* its InfluxDB field */
	size_t		 offset;	/* of its double in struct test_figures */
} figures[] = {
	{ "latency_ms", "min", "latency_min_ms", offsetof(struct test_figures, latency_min_ms) },
	{ "latency_ms", "median", "latency_median_ms",
	    offsetof(struct test_figures, latency_median_ms) },
	{ "latency_ms", "jitter", "jitter_ms", offsetof(struct test_figures, jitter_ms) },
	{ "latency_ms", "connect", "connect_ms", offsetof(struct test_figures, connect_ms) },
	{ "loaded_latency_ms", "download", "loaded_download_ms",
	    offsetof(struct test_figures, loaded_download_ms) },
	{ "loaded_latency_ms", "upload", "loaded_upload_ms",
	    offsetof(struct test_figures, loaded_upload_ms) },
	{ NULL, "download_mbps", "download_mbps", offsetof(struct test_figures, download_mbps) },
	{ NULL, "upload_mbps", "upload_mbps", offsetof(struct test_figures, upload_mbps) },
};
#define NFIGURES	(sizeof figures / sizeof figures[0])

static double
figure_get(const struct test_figures *f, const struct figure *d)
{
	double v;

	memcpy(&v, (const char *)f + d->offset, sizeof v);
	return v;
}

static void
figure_set(struct test_figures *f, const struct figure *d, double v)
{
	memcpy((char *)f + d->offset, &v, sizeof v);
}

/* ---- the IP family ---- */

/* "4" or "6", NULL when unknown: every format writes the same two values. */
static const char *
ip_version_text(const struct test_figures *f)
{
	return f->ip_version == 4 ? "4" : f->ip_version == 6 ? "6" : NULL;
}

static const char *
ipv6_text(const struct test_figures *f)
{
	return f->ipv6 > 0 ? "true" : f->ipv6 == 0 ? "false" : NULL;
}

/* ---- design §7 JSON ---- */

static void
put_string(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, nonempty(v) != NULL ? json_object_new_string(v) : NULL);
}

/* A number written as its text (NULL: null). */
static void
put_number(json_object *o, const char *key, const char *text)
{
	json_object_object_add(o, key, text != NULL ?
	    json_object_new_double_s(strtod(text, NULL), text) : NULL);
}

static void
put_time(json_object *o, const char *key, double t)
{
	char s[21];

	format_utc(t, s);
	json_object_object_add(o, key, json_object_new_string(s));
}

static json_object *
station_object(const struct station *s)
{
	json_object *o = json_object_new_object();

	put_string(o, "id", s->id);
	put_string(o, "name", s->name);
	put_string(o, "province", s->province);
	put_string(o, "district", s->district);
	put_string(o, "commune", s->commune);
	put_string(o, "commune_code", s->commune_code);
	put_string(o, "isp", s->isp);
	put_string(o, "access", s->access);
	return o;
}

static json_object *
two_strings(const char *k1, const char *v1, const char *k2, const char *v2)
{
	json_object *o = json_object_new_object();

	put_string(o, k1, v1);
	put_string(o, k2, v2);
	return o;
}

/* Only what the source can tell: a station's position has no accuracy, no satellites. */
static json_object *
location_object(const struct location *l)
{
	json_object *o = json_object_new_object();
	char num[NUM_MAX];
	const char *alt;

	json_object_object_add(o, "source", json_object_new_string(location_source_name(l->source)));
	if (l->source == LOC_NONE)
		return o;
	put_number(o, "lat", number_text(num, l->lat, DEGREE_DECIMALS));
	put_number(o, "lon", number_text(num, l->lon, DEGREE_DECIMALS));
	if (l->source != LOC_GPS)
		return o;
	if ((alt = number_text(num, l->alt_m, METRE_DECIMALS)) != NULL)
		put_number(o, "alt_m", alt);
	put_number(o, "accuracy_m", figure_text(num, l->accuracy_m, METRE_DECIMALS));
	if (l->satellites >= 0)
		json_object_object_add(o, "satellites", json_object_new_int(l->satellites));
	if (l->fix_time > 0)
		put_time(o, "fix_time", l->fix_time);
	return o;
}

/* The idle latency samples, in the order taken; nothing when there are none. */
static void
add_samples(json_object *o, const struct test_figures *f)
{
	json_object *latency, *a;
	char num[NUM_MAX];

	if (f->npings <= 0 || !json_object_object_get_ex(o, "latency_ms", &latency))
		return;
	a = json_object_new_array();
	for (int i = 0; i < f->npings && i < TEST_PINGS_MAX; i++) {
		const char *text = figure_text(num, f->pings_ms[i], SAMPLE_DECIMALS);

		json_object_array_add(a, text != NULL ?
		    json_object_new_double_s(strtod(text, NULL), text) : NULL);
	}
	json_object_object_add(latency, "samples", a);
}

/* {"code": …, "message": …}: why a test, or the upload of a partial one, failed. */
static json_object *
error_object(enum test_error err, const char *message)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(test_error_name(err)));
	json_object_object_add(e, "message", json_object_new_string(message));
	return e;
}

/*
 * The figures of a complete (or partial) measurement, grouped as design §7 has them, the idle
 * latency samples, the bytes moved and the upload's body size; why a partial test has no upload.
 */
static void
add_figures(json_object *o, const struct test_figures *f)
{
	json_object *parent = o, *bytes;
	char num[NUM_MAX];

	for (size_t i = 0; i < NFIGURES; i++) {
		const struct figure *d = &figures[i];

		if (d->group == NULL)
			parent = o;
		else if (parent == o || strcmp(d->group, figures[i - 1].group) != 0) {
			parent = json_object_new_object();
			json_object_object_add(o, d->group, parent);
		}
		put_number(parent, d->key, figure_text(num, figure_get(f, d), FIGURE_DECIMALS));
	}
	add_samples(o, f);
	bytes = json_object_new_object();
	json_object_object_add(bytes, "download", json_object_new_int64((int64_t)f->download_bytes));
	json_object_object_add(bytes, "upload", json_object_new_int64((int64_t)f->upload_bytes));
	json_object_object_add(o, "bytes", bytes);
	json_object_object_add(o, "upload_body_bytes", f->upload_body_bytes > 0 ?
	    json_object_new_int64((int64_t)f->upload_body_bytes) : NULL);
	if (f->upload_error != MERR_NONE)
		json_object_object_add(o, "upload_error",
		    error_object(f->upload_error, f->upload_message));
}

static json_object *
result_object(const struct result *r)
{
	const struct test_figures *f = &r->fig;
	json_object *o = json_object_new_object();
	char num[NUM_MAX];

	json_object_object_add(o, "id", json_object_new_string(r->id));
	put_time(o, "started_at", r->started_at);
	json_object_object_add(o, "trigger", json_object_new_string(r->trigger));
	json_object_object_add(o, "station", station_object(&r->station));
	json_object_object_add(o, "server", two_strings("name", f->server_name, "url",
	    f->server_url));
	json_object_object_add(o, "client", two_strings("ip", f->client_ip, "isp", f->client_isp));
	json_object_object_add(o, "ip_version", ip_version_text(f) != NULL ?
	    json_object_new_int(f->ip_version) : NULL);
	json_object_object_add(o, "ipv6", f->ipv6 >= 0 ? json_object_new_boolean(f->ipv6 > 0) : NULL);
	if (f->error != MERR_NONE)
		json_object_object_add(o, "error", error_object(f->error, f->message));
	else
		add_figures(o, f);
	json_object_object_add(o, "location", location_object(&r->location));
	put_number(o, "duration_s", figure_text(num, f->duration_s, FIGURE_DECIMALS));
	json_object_object_add(o, "software", json_object_new_string(r->software[0] != '\0' ?
	    r->software : "tramdo/" TRAMDO_VERSION));
	return o;
}

/* flags: the result's own JSON leaves "/" alone; the LibreSpeed form keeps json-c's default. */
static char *
object_text(json_object *o, int flags)
{
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | flags));

	json_object_put(o);
	return s;
}

char *
codec_json(const struct result *r)
{
	return object_text(result_object(r), JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ---- reading it back: strict about types, lenient about absent fields ---- */

static json_object *
get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static const char *
get_text(json_object *o, const char *key)
{
	json_object *v = get(o, key, json_type_string);

	return v != NULL ? json_object_get_string(v) : NULL;
}

static char *
get_string(json_object *o, const char *key)
{
	return xstrdup(get_text(o, key));
}

/* Into a fixed field, cut if longer; "" when absent. */
static void
get_chars(char *dst, size_t size, json_object *o, const char *key)
{
	const char *v = get_text(o, key);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

/*
 * Integers are numbers too (json-c keeps 95 and 95.0 apart); NaN and Infinity, which json-c
 * reads, are not figures.
 */
static double
get_number(json_object *o, const char *key, double missing)
{
	json_object *v;
	double d;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return missing;
	d = json_object_get_double(v);
	return isfinite(d) ? d : missing;
}

/*
 * A count (bytes, satellites) from 0 to below limit, else missing: converting a negative, NaN
 * or huge double to an integer type is undefined, and a stored row may hold anything.
 */
static double
get_count(json_object *o, const char *key, double missing, double limit)
{
	double v = get_number(o, key, missing);

	return v >= 0 && v < limit ? v : missing;
}

static void
location_from(json_object *o, struct location *l)
{
	if (!location_source_from_name(get_text(o, "source"), &l->source))
		l->source = LOC_NONE;
	if (l->source == LOC_NONE)
		return;
	l->lat = get_number(o, "lat", NAN);
	l->lon = get_number(o, "lon", NAN);
	if (l->source != LOC_GPS)
		return;
	l->alt_m = get_number(o, "alt_m", NAN);
	l->accuracy_m = get_number(o, "accuracy_m", NAN);
	l->satellites = (int)get_count(o, "satellites", -1, INT_MAX);
	if (!utc_parse(get_text(o, "fix_time"), &l->fix_time))
		l->fix_time = 0;
}

/*
 * The idle latency samples: all of them or none, since LibreSpeed's figures are computed from
 * the whole series in order; a sample that is not a figure, or more than a test takes, leaves
 * the series unknown.
 */
static void
samples_from(json_object *latency, struct test_figures *f)
{
	json_object *a = get(latency, "samples", json_type_array);
	size_t n = a != NULL ? json_object_array_length(a) : 0;
	double v;

	f->npings = 0;
	if (n > TEST_PINGS_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(a, i);

		if (!(json_object_is_type(x, json_type_double) || json_object_is_type(x, json_type_int)) ||
		    !isfinite(v = json_object_get_double(x)) || v < 0)
			return;
		f->pings_ms[i] = v;
	}
	f->npings = (int)n;
}

/* An error object ("error", "upload_error") says what failed, whatever its code ("none" too). */
static void
error_from(json_object *err, enum test_error *code, char *message, size_t size)
{
	if (!test_error_from_name(get_text(err, "code"), code) || *code == MERR_NONE)
		*code = MERR_INTERNAL;
	get_chars(message, size, err, "message");
}

/* An "error" object is a failed test; an "upload_error" object a partial one. */
static void
figures_from(json_object *o, struct test_figures *f)
{
	json_object *x, *err = get(o, "error", json_type_object);

	x = get(o, "server", json_type_object);
	f->server_name = get_string(x, "name");
	f->server_url = get_string(x, "url");
	x = get(o, "client", json_type_object);
	f->client_ip = get_string(x, "ip");
	f->client_isp = get_string(x, "isp");
	x = get(o, "ip_version", json_type_int);
	f->ip_version = x != NULL && (json_object_get_int(x) == 4 || json_object_get_int(x) == 6) ?
	    json_object_get_int(x) : 0;
	x = get(o, "ipv6", json_type_boolean);
	f->ipv6 = x != NULL ? json_object_get_boolean(x) != 0 : -1;
	if (err != NULL)
		error_from(err, &f->error, f->message, sizeof f->message);
	else if ((x = get(o, "upload_error", json_type_object)) != NULL)
		error_from(x, &f->upload_error, f->upload_message, sizeof f->upload_message);
	for (size_t i = 0; i < NFIGURES; i++) {
		x = figures[i].group != NULL ? get(o, figures[i].group, json_type_object) : o;
		figure_set(f, &figures[i], get_number(x, figures[i].key, -1));
	}
	samples_from(get(o, "latency_ms", json_type_object), f);
	x = get(o, "bytes", json_type_object);
	f->download_bytes = (uint64_t)get_count(x, "download", 0, COUNT_MAX);
	f->upload_bytes = (uint64_t)get_count(x, "upload", 0, COUNT_MAX);
	f->upload_body_bytes = (uint64_t)get_count(o, "upload_body_bytes", 0, COUNT_MAX);
	f->duration_s = get_number(o, "duration_s", -1);
}

static void
station_from(json_object *o, struct station *s)
{
	s->id = get_string(o, "id");
	s->name = get_string(o, "name");
	s->province = get_string(o, "province");
	s->district = get_string(o, "district");
	s->commune = get_string(o, "commune");
	s->commune_code = get_string(o, "commune_code");
	s->isp = get_string(o, "isp");
	s->access = get_string(o, "access");
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The one JSON value in text[0..len) (white space around it allowed), or NULL with a reason. */
static json_object *
parse_whole(const char *text, size_t len, char *err, size_t errlen)
{
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *o;
	size_t end;

	if (len > INT_MAX) {
		snprintf(err, errlen, "not a result: %zu bytes", len);
		return NULL;
	}
	if ((tok = json_tokener_new()) == NULL)
		abort();	/* allocation failure only */
	o = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL) {
		snprintf(err, errlen, "not a result: not JSON (%s)",
		    jerr == json_tokener_continue ? "cut short" : json_tokener_error_desc(jerr));
		return NULL;
	}
	while (end < len && is_space(text[end]))
		end++;
	if (end < len) {
		snprintf(err, errlen, "not a result: text after the JSON value");
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
codec_parse_json(const char *text, size_t len, struct result *r, char *err, size_t errlen)
{
	json_object *o;
	const char *id;

	result_clear(r);
	if ((o = parse_whole(text, len, err, errlen)) == NULL)
		return -1;
	if ((id = get_text(o, "id")) == NULL || !uuid_shaped(id)) {
		snprintf(err, errlen, "not a result: no UUID \"id\"");
		json_object_put(o);
		return -1;
	}
	if (!utc_parse(get_text(o, "started_at"), &r->started_at)) {
		snprintf(err, errlen, "result %s has no valid \"started_at\"", id);
		json_object_put(o);
		return -1;
	}
	memcpy(r->id, id, sizeof r->id);
	get_chars(r->trigger, sizeof r->trigger, o, "trigger");
	get_chars(r->software, sizeof r->software, o, "software");
	station_from(get(o, "station", json_type_object), &r->station);
	location_from(get(o, "location", json_type_object), &r->location);
	figures_from(o, &r->fig);
	json_object_put(o);
	return 0;
}

/* ---- InfluxDB line protocol ---- */

/* Backslash-escapes every character of specials; control characters (never valid in a tag) become spaces. */
static char *
escape(const char *s, const char *specials)
{
	struct buf b = { 0 };

	buf_add(&b, "", 0);
	for (; *s != '\0'; s++) {
		char c = *s;

		if ((unsigned char)c < 0x20)
			c = ' ';

		if (strchr(specials, c) != NULL)
			buf_add(&b, "\\", 1);
		buf_add(&b, &c, 1);
	}
	return b.s;
}

char *
codec_influx_tag(const char *s)
{
	return escape(s, ",= \\");
}

char *
codec_influx_string(const char *s)
{
	char *inner = escape(s, "\"\\"), *out = xasprintf("\"%s\"", inner);

	free(inner);
	return out;
}

/* Line protocol has no empty tag value: an unset one is left out. */
static void
add_tag(struct buf *b, const char *key, const char *value)
{
	char *e;

	if (nonempty(value) == NULL)
		return;
	e = codec_influx_tag(value);
	buf_str(b, ",");
	buf_str(b, key);
	buf_str(b, "=");
	buf_str(b, e);
	free(e);
}

static void
add_field(struct buf *b, const char *key, const char *value)
{
	buf_str(b, b->s[b->len - 1] == ' ' ? "" : ",");
	buf_str(b, key);
	buf_str(b, "=");
	buf_str(b, value);
}

static void
add_string_field(struct buf *b, const char *key, const char *value)
{
	char *e;

	if (nonempty(value) == NULL)
		return;
	e = codec_influx_string(value);
	add_field(b, key, e);
	free(e);
}

/* A float field of the value the JSON holds (its text), in the shortest form: 80.50 → 80.5. */
static void
add_number_field(struct buf *b, const char *key, const char *text)
{
	char num[32];

	if (text == NULL)
		return;
	snprintf(num, sizeof num, "%.10g", strtod(text, NULL));
	add_field(b, key, num);
}

static void
add_count_field(struct buf *b, const char *key, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof num, "%" PRIu64 "i", v);
	add_field(b, key, num);
}

char *
codec_influx(const struct result *r, bool precision_ms)
{
	const struct test_figures *f = &r->fig;
	const struct location *l = &r->location;
	struct buf b = { 0 };
	char num[NUM_MAX];

	/*
	 * Tags in key order (InfluxDB's own order, cheapest to index). What analysts group by is a
	 * tag; province, district, commune and access follow from the station, so they add no series.
	 */
	buf_str(&b, "speedtest");
	add_tag(&b, "access", r->station.access);
	add_tag(&b, "commune", r->station.commune);
	add_tag(&b, "commune_code", r->station.commune_code);
	add_tag(&b, "district", r->station.district);
	add_tag(&b, "ip_version", ip_version_text(f));
	add_tag(&b, "isp", nonempty(r->station.isp) != NULL ? r->station.isp : f->client_isp);
	add_tag(&b, "province", r->station.province);
	add_tag(&b, "server", f->server_name);
	add_tag(&b, "source", location_source_name(l->source));
	add_tag(&b, "station", r->station.id);
	buf_str(&b, " ");
	add_string_field(&b, "result_id", r->id);
	add_string_field(&b, "trigger", r->trigger);
	add_string_field(&b, "client_isp", f->client_isp);
	if (ipv6_text(f) != NULL)
		add_field(&b, "ipv6", ipv6_text(f));
	if (f->error != MERR_NONE)
		add_string_field(&b, "error", test_error_name(f->error));
	else {
		for (size_t i = 0; i < NFIGURES; i++)
			add_number_field(&b, figures[i].field, figure_text(num,
			    figure_get(f, &figures[i]), FIGURE_DECIMALS));
		add_count_field(&b, "download_bytes", f->download_bytes);
		add_count_field(&b, "upload_bytes", f->upload_bytes);
		if (f->upload_body_bytes > 0)
			add_count_field(&b, "upload_body_bytes", f->upload_body_bytes);
		if (f->upload_error != MERR_NONE)
			add_string_field(&b, "upload_error", test_error_name(f->upload_error));
	}
	if (l->source != LOC_NONE) {
		add_number_field(&b, "lat", number_text(num, l->lat, DEGREE_DECIMALS));
		add_number_field(&b, "lon", number_text(num, l->lon, DEGREE_DECIMALS));
	}
	if (l->source == LOC_GPS)
		add_number_field(&b, "accuracy_m", figure_text(num, l->accuracy_m, METRE_DECIMALS));
	add_number_field(&b, "duration_s", figure_text(num, f->duration_s, FIGURE_DECIMALS));
	/* The JSON's whole second: the point is the same however it was made (a resend overwrites). */
	snprintf(num, sizeof num, " %lld%s\n", (long long)floor(r->started_at),
	    precision_ms ? "000" : "");
	buf_str(&b, num);
	return b.s;
}

/* ---- LibreSpeed telemetry ---- */

static void
form_add(struct buf *b, const char *key, const char *value)
{
	char *e = curl_easy_escape(NULL, value, 0);

	if (e == NULL)
		abort();	/* only on allocation failure */
	if (b->len > 0)
		buf_str(b, "&");
	buf_str(b, key);
	buf_str(b, "=");
	buf_str(b, e);
	curl_free(e);
}

/* What LibreSpeed's getIP returns, as its client would post it. */
static char *
ispinfo_json(const struct test_figures *f)
{
	json_object *o = json_object_new_object();
	const char *ip = nonempty(f->client_ip), *isp = nonempty(f->client_isp);
	char *processed;

	processed = xasprintf("%s%s%s", ip != NULL ? ip : "", isp != NULL ? " - " : "",
	    isp != NULL ? isp : "");
	json_object_object_add(o, "processedString", json_object_new_string(processed));
	json_object_object_add(o, "rawIspInfo", json_object_new_string(""));
	free(processed);
	return object_text(o, 0);
}

/*
 * Everything of the result but the client: tramdo's own figures (payload rates, median latency,
 * loaded latency, the samples), ids, station and location, which LibreSpeed has no column for.
 * The client's address stays in ispinfo only, where LibreSpeed's redact_ip_addresses removes it.
 */
static char *
extra_json(const struct result *r)
{
	json_object *o = result_object(r);

	json_object_object_del(o, "client");
	return object_text(o, 0);
}

/* Room for %.60f of any finite double and a leading '0' that takes a carry out of its first digit. */
#define JS_FIXED_MAX	(DBL_MAX_10_EXP + 72)

/*
 * JavaScript's toFixed(2), which LibreSpeed's client stores: the exact binary value rounded
 * half up, where printf rounds half to even (1.125 → "1.13", printf "1.12"). %.60f is exact for
 * every value from 2^-8 on, and a smaller one rounds to 0.00 either way. v is finite, >= 0.
 */

static const char *
js_fixed2(char buf[static JS_FIXED_MAX], double v)
{
	size_t dot, i;

	buf[0] = '0';
	snprintf(buf + 1, JS_FIXED_MAX - 1, "%.60f", v);
	dot = (size_t)(strchr(buf, '.') - buf);
	if (buf[dot + 3] >= '5') {
		for (i = dot + 2; buf[i] == '9' || buf[i] == '.'; i--)
			if (buf[i] == '9')
				buf[i] = '0';
		buf[i]++;
	}
	buf[dot + 3] = '\0';
	return buf[0] == '0' ? buf + 1 : buf;
}

/*
 * LibreSpeed's ping and jitter from the same samples, as its client (speedtest_worker.js,
 * pingTest) computes them: ping is the smallest sample; jitter starts at the difference of the
 * first two and then follows each difference, weighted 0.7 when it is larger than the jitter so
 * far and 0.2 when smaller. A sample below 1 ms counts as the one before it, the first as 1 ms
 * (the client's guard against browsers' 0 ms timings: on a LAN its ping never reads below 1).
 * The client drops its first request, whose time includes opening the connection; tramdo's
 * samples already leave connection set-up out, so every one counts.
 */
static void
librespeed_latency(const struct test_figures *f, double *ping, double *jitter)
{
	double prev = 0;

	*ping = *jitter = 0;
	for (int i = 0; i < f->npings; i++) {
		double v = f->pings_ms[i], d;

		if (v < 1)
			v = prev;
		if (v < 1)
			v = 1;
		d = fabs(v - prev);
		if (i == 0)
			*ping = v;
		else {
			if (v < *ping)
				*ping = v;
			if (i == 1)
				*jitter = d;
			else
				*jitter = d > *jitter ? *jitter * 0.3 + d * 0.7 : *jitter * 0.8 + d * 0.2;
		}
		prev = v;
	}
}

/*
 * LibreSpeed's client multiplies its rates by 1.06 (overheadCompensationFactor: the TCP/IP
 * headers under the payload, in its words) before storing them.
 */
#define LIBRESPEED_OVERHEAD	1.06

char *
codec_librespeed(const struct result *r, char *err, size_t errlen)
{
	const struct test_figures *f = &r->fig;
	const char *dl = "Fail", *ul = "Fail", *ping = "Fail", *jitter = "Fail";
	char fixed[4][JS_FIXED_MAX], *s;
	struct buf b = { 0 };
	double down, up, p, j;

	/* The client sends nothing when the user aborts a test (telemetry level basic). */
	if (f->error == MERR_CANCELLED) {
		snprintf(err, errlen, "result %s is a cancelled test; LibreSpeed's client sends no "
		    "telemetry for one", r->id);
		return NULL;
	}
	/*
	 * A failed test stops at its first failing phase and keeps no figures: every column is
	 * "Fail", as the client sends when the server does not answer. A partial test's upload is
	 * "Fail" beside the other figures, as the client sends when only its upload fails.
	 */
	if (f->error == MERR_NONE) {
		bool partial = figures_partial(f);

		down = f->download_mbps * LIBRESPEED_OVERHEAD;
		up = partial ? 0 : f->upload_mbps * LIBRESPEED_OVERHEAD;
		librespeed_latency(f, &p, &j);
		/*
		 * A stored row may hold anything: a huge rate overflows ×1.06. The jitter, a
		 * weighted mean of differences of positive samples, stays finite.
		 */
		if (f->download_mbps < 0 || (!partial && f->upload_mbps < 0) || f->npings <= 0 ||
		    !isfinite(down) || !isfinite(up)) {
			snprintf(err, errlen, "result %s has no rates or no latency samples (stored "
			    "by an older tramdo?); LibreSpeed's figures cannot be computed", r->id);
			return NULL;
		}
		dl = js_fixed2(fixed[0], down);
		if (!partial)
			ul = js_fixed2(fixed[1], up);
		ping = js_fixed2(fixed[2], p);
		jitter = js_fixed2(fixed[3], j);
	}
	buf_add(&b, "", 0);
	s = ispinfo_json(f);
	form_add(&b, "ispinfo", s);
	free(s);
	form_add(&b, "dl", dl);
	form_add(&b, "ul", ul);
	form_add(&b, "ping", ping);
	form_add(&b, "jitter", jitter);
	s = xasprintf("tramdo result %s", r->id);
	form_add(&b, "log", s);
	free(s);
	s = extra_json(r);
	form_add(&b, "extra", s);
	free(s);
	return b.s;
}

/* ---- CSV ---- */

/*
 * A spreadsheet runs a cell that starts with = + - or @ as a formula, and some skip a leading
 * tab or CR first: a station name or an ISP from the network could then run as one when staff
 * open the export ("CSV injection"). Such a text cell gets a leading apostrophe, which makes a
 * spreadsheet take it as text; figures are numbers and are never touched.
 */
static bool
formula_like(const char *s)
{
	return *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void
csv_field(struct buf *b, const char *s, bool text)
{
	bool quoted;

	if (s == NULL)
		return;
	quoted = strpbrk(s, ",\"\r\n") != NULL;
	if (quoted)
		buf_str(b, "\"");
	if (text && formula_like(s))
		buf_str(b, "'");
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_str(b, "\"");
		buf_add(b, s, 1);
	}
	if (quoted)
		buf_str(b, "\"");
}

/* A figure's cell: the JSON has figures for a measured test only. */
static const char *
figure_cell(char buf[static NUM_MAX], const struct test_figures *f, double v)
{
	return f->error == MERR_NONE ? figure_text(buf, v, FIGURE_DECIMALS) : NULL;
}

/* Each cell is the value as the JSON's text has it, empty where the JSON has null or nothing. */
char *
codec_csv(const struct result *r)
{
	struct result none;
	const struct test_figures *f;
	const struct location *l;
	char t[21], n[9][NUM_MAX], bytes[3][24];
	struct buf b = { 0 };
	bool header = r == NULL, measured, located;

	if (header) {
		result_clear(&none);
		r = &none;
	}
	f = &r->fig;
	l = &r->location;
	measured = f->error == MERR_NONE;
	located = l->source != LOC_NONE;
	format_utc(r->started_at, t);
	snprintf(bytes[0], sizeof bytes[0], "%" PRIu64, f->download_bytes);
	snprintf(bytes[1], sizeof bytes[1], "%" PRIu64, f->upload_bytes);
	snprintf(bytes[2], sizeof bytes[2], "%" PRIu64, f->upload_body_bytes);
	const struct {
		const char	*name, *value;
		bool		 text;		/* false: a figure, as the codec wrote it */
	} cells[] = {
		{ "id", r->id, true }, { "started_at", t, false }, { "trigger", r->trigger, true },
		{ "station_id", r->station.id, true }, { "station_name", r->station.name, true },
		{ "station_commune_code", r->station.commune_code, true },
		{ "station_isp", r->station.isp, true }, { "server_name", f->server_name, true },
		{ "client_isp", f->client_isp, true },
		{ "download_mbps", figure_cell(n[0], f, f->download_mbps), false },
		{ "upload_mbps", figure_cell(n[1], f, f->upload_mbps), false },
		{ "latency_ms_min", figure_cell(n[2], f, f->latency_min_ms), false },
		{ "latency_ms_median", figure_cell(n[3], f, f->latency_median_ms), false },
		{ "latency_ms_jitter", figure_cell(n[4], f, f->jitter_ms), false },
		{ "loaded_latency_ms_download", figure_cell(n[5], f, f->loaded_download_ms), false },
		{ "loaded_latency_ms_upload", figure_cell(n[6], f, f->loaded_upload_ms), false },
		{ "bytes_download", measured ? bytes[0] : NULL, false },
		{ "bytes_upload", measured ? bytes[1] : NULL, false },
		{ "location_lat", located ? number_text(n[7], l->lat, DEGREE_DECIMALS) : NULL, false },
		{ "location_lon", located ? number_text(n[8], l->lon, DEGREE_DECIMALS) : NULL, false },
		{ "location_source", location_source_name(l->source), true },
		{ "error_code", measured ? NULL : test_error_name(f->error), true },
		{ "ip_version", ip_version_text(f), false },
		{ "ipv6", ipv6_text(f), false },
		{ "upload_body_bytes", measured && f->upload_body_bytes > 0 ? bytes[2] : NULL, false },
		{ "upload_error_code", figures_partial(f) ? test_error_name(f->upload_error) : NULL,
		    true },
	};

	buf_add(&b, "", 0);
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		if (i > 0)
			buf_str(&b, ",");
		if (header)
			buf_str(&b, cells[i].name);
		else
			csv_field(&b, cells[i].value, cells[i].text);
	}
	buf_str(&b, "\r\n");
	return b.s;
}
