/* encode.c — see encode.h. */
#include "encode.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "util.h"

/* A growing string; allocation failure aborts (util.h). */
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

bool
encode_parse_utc(const char *s, double *out)
{
	struct tm tm;
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
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (double)t + frac;
	return true;
}

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
encode_influx_tag(const char *s)
{
	return escape(s, ",= \\");
}

char *
encode_influx_string(const char *s)
{
	char *inner = escape(s, "\"\\"), *out = xasprintf("\"%s\"", inner);

	free(inner);
	return out;
}

/* The value at a dotted path ("latency_ms.min"), or NULL. */
static struct json_object *
at(struct json_object *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o != NULL && (dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path = dot + 1;
	}
	if (o == NULL || !json_object_object_get_ex(o, path, &o))
		return NULL;
	return o;
}

static const char *
str_at(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		return NULL;
	return json_object_get_string(v);
}

static bool
num_at(struct json_object *o, const char *path, double *out)
{
	struct json_object *v = at(o, path);

	if (v == NULL || !(json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)))
		return false;
	*out = json_object_get_double(v);
	return isfinite(*out);
}

static void
add_tag(struct buf *b, const char *key, const char *value)
{
	char *e;

	if (value == NULL)
		return;
	e = encode_influx_tag(value);
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

	if (value == NULL)
		return;
	e = encode_influx_string(value);
	add_field(b, key, e);
	free(e);
}

/* Figures as fields: JSON path, field name, integer (line protocol "i") or float. */
static const struct {
	const char	*path, *field;
	bool		 integer;
} influx_fields[] = {
	{ "latency_ms.min",		"latency_min_ms",	false },
	{ "latency_ms.median",		"latency_median_ms",	false },
	{ "latency_ms.jitter",		"jitter_ms",		false },
	{ "latency_ms.connect",		"connect_ms",		false },
	{ "loaded_latency_ms.download",	"loaded_download_ms",	false },
	{ "loaded_latency_ms.upload",	"loaded_upload_ms",	false },
	{ "download_mbps",		"download_mbps",	false },
	{ "upload_mbps",		"upload_mbps",		false },
	{ "bytes.download",		"download_bytes",	true },
	{ "bytes.upload",		"upload_bytes",		true },
	{ "location.lat",		"lat",			false },
	{ "location.lon",		"lon",			false },
	{ "location.accuracy_m",	"accuracy_m",		false },
	{ "duration_s",			"duration_s",		false },
};

/* A failed test's reason: the error's code when it is an object, else its text. */
static const char *
error_text(struct json_object *result)
{
	struct json_object *e = at(result, "error");

	if (e == NULL || json_object_is_type(e, json_type_null))
		return NULL;
	if (json_object_is_type(e, json_type_object))
		return str_at(e, "code") != NULL ? str_at(e, "code") :
		    json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN);
	return json_object_get_string(e);
}

char *
encode_influx(struct json_object *result, bool precision_ms, char *err, size_t errlen)
{
	struct buf b = { 0 };
	const char *id = str_at(result, "id");
	double t, v;
	char num[64];

	if (id == NULL || !encode_parse_utc(str_at(result, "started_at"), &t)) {
		snprintf(err, errlen, "not a result: no id or started_at");
		return NULL;
	}
	/* Tags in key order (InfluxDB's own order, cheapest to index). */
	buf_str(&b, "speedtest");
	add_tag(&b, "commune_code", str_at(result, "station.commune_code"));
	add_tag(&b, "isp", str_at(result, "station.isp") != NULL ?
	    str_at(result, "station.isp") : str_at(result, "client.isp"));
	add_tag(&b, "server", str_at(result, "server.name"));
	add_tag(&b, "source", str_at(result, "location.source"));
	add_tag(&b, "station", str_at(result, "station.id"));
	buf_str(&b, " ");
	add_string_field(&b, "result_id", id);
	add_string_field(&b, "trigger", str_at(result, "trigger"));
	add_string_field(&b, "client_isp", str_at(result, "client.isp"));
	add_string_field(&b, "error", error_text(result));
	for (size_t i = 0; i < sizeof influx_fields / sizeof influx_fields[0]; i++) {
		if (!num_at(result, influx_fields[i].path, &v))
			continue;
		if (influx_fields[i].integer)
			snprintf(num, sizeof num, "%lldi", (long long)v);
		else
			snprintf(num, sizeof num, "%.10g", v);
		add_field(&b, influx_fields[i].field, num);
	}
	snprintf(num, sizeof num, " %lld\n", precision_ms ? (long long)llround(t * 1000) :
	    (long long)floor(t));
	buf_str(&b, num);
	return b.s;
}

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

static void
form_num(struct buf *b, const char *key, double v)
{
	char num[32];

	snprintf(num, sizeof num, "%.2f", v);
	form_add(b, key, num);
}

/* What LibreSpeed's getIP returns, as its client would post it. */
static char *
ispinfo_json(struct json_object *result)
{
	struct json_object *o = json_object_new_object();
	const char *ip = str_at(result, "client.ip"), *isp = str_at(result, "client.isp");
	char *processed, *out;

	processed = xasprintf("%s%s%s", ip != NULL ? ip : "", isp != NULL ? " - " : "",
	    isp != NULL ? isp : "");
	json_object_object_add(o, "processedString", json_object_new_string(processed));
	json_object_object_add(o, "rawIspInfo", json_object_new_string(""));
	out = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	free(processed);
	return out;
}

/* What LibreSpeed has no column for: the station, where it is, and our result id. */
static char *
extra_json(struct json_object *result)
{
	static const char *const keys[] = { "id", "started_at", "trigger", "station", "location",
	    "server", "loaded_latency_ms", "software" };
	struct json_object *o = json_object_new_object(), *v;
	char *out;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_object_object_get_ex(result, keys[i], &v))
			json_object_object_add(o, keys[i], json_object_get(v));
	out = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

char *
encode_librespeed(struct json_object *result, char *err, size_t errlen)
{
	struct buf b = { 0 };
	const char *id = str_at(result, "id");
	double dl, ul, ping, jitter;
	char *s, *log;

	if (id == NULL) {
		snprintf(err, errlen, "not a result: no id");
		return NULL;
	}
	if (error_text(result) != NULL || !num_at(result, "download_mbps", &dl) ||
	    !num_at(result, "upload_mbps", &ul) || !num_at(result, "latency_ms.median", &ping) ||
	    !num_at(result, "latency_ms.jitter", &jitter)) {
		snprintf(err, errlen, "result %s is not a complete measurement; LibreSpeed "
		    "telemetry only records complete ones", id);
		return NULL;
	}
	buf_add(&b, "", 0);
	s = ispinfo_json(result);
	form_add(&b, "ispinfo", s);
	free(s);
	form_num(&b, "dl", dl);
	form_num(&b, "ul", ul);
	form_num(&b, "ping", ping);
	form_num(&b, "jitter", jitter);
	log = xasprintf("tramdo result %s", id);
	form_add(&b, "log", log);
	free(log);
	s = extra_json(result);
	form_add(&b, "extra", s);
	free(s);
	return b.s;
}
