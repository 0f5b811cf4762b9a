/* result.c — see result.h. Every number leaves here through json-c, in the C locale. */
#include "result.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "config.h"
#include "util.h"

int
result_init(struct result *r, const struct config *cfg, const char *trigger)
{
	result_clear(r);
	if (uuid_v4(r->id) != 0)
		return -1;
	r->started_at = now_wall();
	snprintf(r->trigger, sizeof r->trigger, "%s", trigger);
	snprintf(r->software, sizeof r->software, "tramdo/%s", TRAMDO_VERSION);
	if (cfg != NULL) {
		r->station.id = xstrdup(cfg->station.id);
		r->station.name = xstrdup(cfg->station.name);
		r->station.province = xstrdup(cfg->station.province);
		r->station.district = xstrdup(cfg->station.district);
		r->station.commune = xstrdup(cfg->station.commune);
		r->station.commune_code = xstrdup(cfg->station.commune_code);
		r->station.isp = xstrdup(cfg->station.isp);
		r->station.access = xstrdup(cfg->station.access);
	}
	return 0;
}

void
result_set_measurement(struct result *r, const struct test_figures *m)
{
	figures_free(&r->fig);
	figures_copy(&r->fig, m);
}

/* ---- encoding ---- */

static void
put_string(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v != NULL && *v != '\0' ? json_object_new_string(v) : NULL);
}

/*
 * A number with a fixed count of decimals, written as text: json-c would otherwise print the
 * double's full binary expansion (0.03 → 0.029999999999999999). snprintf runs in the C locale.
 */
static json_object *
fixed_number(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%.*f", decimals, v);
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

/* Figures that cannot be negative; a negative or non-finite one is unknown (null). */
static void
put_number(json_object *o, const char *key, double v, int decimals)
{
	json_object_object_add(o, key, isfinite(v) && v >= 0 ? fixed_number(v, decimals) : NULL);
}

static json_object *
station_json(const struct result *r)
{
	json_object *s = json_object_new_object();

	put_string(s, "id", r->station.id);
	put_string(s, "name", r->station.name);
	put_string(s, "province", r->station.province);
	put_string(s, "district", r->station.district);
	put_string(s, "commune", r->station.commune);
	put_string(s, "commune_code", r->station.commune_code);
	put_string(s, "isp", r->station.isp);
	put_string(s, "access", r->station.access);
	return s;
}

static json_object *
location_json(const struct location *l)
{
	json_object *o = json_object_new_object();
	char t[21];

	json_object_object_add(o, "source", json_object_new_string(location_source_name(l->source)));
	if (l->source == LOC_NONE)
		return o;
	json_object_object_add(o, "lat", fixed_number(l->lat, 7));
	json_object_object_add(o, "lon", fixed_number(l->lon, 7));
	if (l->source != LOC_GPS)
		return o;
	if (isfinite(l->alt_m))
		json_object_object_add(o, "alt_m", fixed_number(l->alt_m, 1));
	put_number(o, "accuracy_m", l->accuracy_m, 1);
	if (l->satellites >= 0)
		json_object_object_add(o, "satellites", json_object_new_int(l->satellites));
	if (l->fix_time > 0) {
		format_utc(l->fix_time, t);
		json_object_object_add(o, "fix_time", json_object_new_string(t));
	}
	return o;
}

json_object *
result_to_json(const struct result *r)
{
	const struct test_figures *m = &r->fig;
	json_object *o = json_object_new_object(), *x;
	char t[21];

	json_object_object_add(o, "id", json_object_new_string(r->id));
	format_utc(r->started_at, t);
	json_object_object_add(o, "started_at", json_object_new_string(t));
	json_object_object_add(o, "trigger", json_object_new_string(r->trigger));
	json_object_object_add(o, "station", station_json(r));

	x = json_object_new_object();
	put_string(x, "name", m->server_name);
	put_string(x, "url", m->server_url);
	json_object_object_add(o, "server", x);

	x = json_object_new_object();
	put_string(x, "ip", m->client_ip);
	put_string(x, "isp", m->client_isp);
	json_object_object_add(o, "client", x);

	if (m->error != MERR_NONE) {
		x = json_object_new_object();
		json_object_object_add(x, "code", json_object_new_string(test_error_name(m->error)));
		json_object_object_add(x, "message", json_object_new_string(m->message));
		json_object_object_add(o, "error", x);
	} else {
		x = json_object_new_object();
		put_number(x, "min", m->latency_min_ms, 2);
		put_number(x, "median", m->latency_median_ms, 2);
		put_number(x, "jitter", m->jitter_ms, 2);
		put_number(x, "connect", m->connect_ms, 2);
		json_object_object_add(o, "latency_ms", x);

		x = json_object_new_object();
		put_number(x, "download", m->loaded_download_ms, 2);
		put_number(x, "upload", m->loaded_upload_ms, 2);
		json_object_object_add(o, "loaded_latency_ms", x);

		put_number(o, "download_mbps", m->download_mbps, 2);
		put_number(o, "upload_mbps", m->upload_mbps, 2);

		x = json_object_new_object();
		json_object_object_add(x, "download", json_object_new_int64((int64_t)m->download_bytes));
		json_object_object_add(x, "upload", json_object_new_int64((int64_t)m->upload_bytes));
		json_object_object_add(o, "bytes", x);
	}
	json_object_object_add(o, "location", location_json(&r->location));
	put_number(o, "duration_s", m->duration_s, 2);
	json_object_object_add(o, "software", json_object_new_string(r->software[0] != '\0' ?
	    r->software : "tramdo/" TRAMDO_VERSION));
	return o;
}

/* ---- decoding (for the store): strict about types, lenient about absent fields ---- */

static json_object *
get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static char *
get_string(json_object *o, const char *key)
{
	json_object *v = get(o, key, json_type_string);

	return v != NULL ? xstrdup(json_object_get_string(v)) : NULL;
}

/* Integers are valid doubles too: json-c keeps 95 and 95.0 as different types. */
static double
get_number(json_object *o, const char *key, double missing)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return missing;
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		return json_object_get_double(v);
	return missing;
}

/*
 * A count (bytes, satellites) below limit, else missing: converting a negative, NaN or huge
 * double to an integer type is undefined, and a stored file may hold anything.
 */
static double
get_count(json_object *o, const char *key, double missing, double limit)
{
	double v = get_number(o, key, missing);

	return v >= 0 && v < limit ? v : missing;
}

static double
parse_utc(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
		return -1;
	return (double)timegm(&tm);
}

static void
location_from_json(json_object *o, struct location *l)
{
	json_object *src = get(o, "source", json_type_string);
	json_object *ft = get(o, "fix_time", json_type_string);

	if (src == NULL || !location_source_from_name(json_object_get_string(src), &l->source))
		l->source = LOC_NONE;
	l->lat = get_number(o, "lat", 0);
	l->lon = get_number(o, "lon", 0);
	l->alt_m = get_number(o, "alt_m", NAN);
	l->accuracy_m = get_number(o, "accuracy_m", NAN);
	l->satellites = (int)get_count(o, "satellites", -1, INT_MAX);
	l->fix_time = ft != NULL ? parse_utc(json_object_get_string(ft)) : 0;
}

static void
measurement_from_json(json_object *o, struct test_figures *m)
{
	json_object *x, *err = get(o, "error", json_type_object);

	x = get(o, "server", json_type_object);
	m->server_name = get_string(x, "name");
	m->server_url = get_string(x, "url");
	x = get(o, "client", json_type_object);
	m->client_ip = get_string(x, "ip");
	m->client_isp = get_string(x, "isp");
	if (err != NULL) {
		json_object *code = get(err, "code", json_type_string);
		json_object *msg = get(err, "message", json_type_string);

		if (code == NULL || !test_error_from_name(json_object_get_string(code), &m->error))
			m->error = MERR_INTERNAL;
		snprintf(m->message, sizeof m->message, "%s", msg != NULL ? json_object_get_string(msg) : "");
	}
	x = get(o, "latency_ms", json_type_object);
	m->latency_min_ms = get_number(x, "min", -1);
	m->latency_median_ms = get_number(x, "median", -1);
	m->jitter_ms = get_number(x, "jitter", -1);
	m->connect_ms = get_number(x, "connect", -1);
	x = get(o, "loaded_latency_ms", json_type_object);
	m->loaded_download_ms = get_number(x, "download", -1);
	m->loaded_upload_ms = get_number(x, "upload", -1);
	m->download_mbps = get_number(o, "download_mbps", -1);
	m->upload_mbps = get_number(o, "upload_mbps", -1);
	x = get(o, "bytes", json_type_object);
	m->download_bytes = (uint64_t)get_count(x, "download", 0, 0x1p64);
	m->upload_bytes = (uint64_t)get_count(x, "upload", 0, 0x1p64);
	m->duration_s = get_number(o, "duration_s", -1);
}

int
result_from_json(json_object *o, struct result *r)
{
	json_object *id = get(o, "id", json_type_string);
	json_object *at = get(o, "started_at", json_type_string);
	json_object *trig = get(o, "trigger", json_type_string);
	json_object *st = get(o, "station", json_type_object);
	json_object *sw = get(o, "software", json_type_string);

	result_clear(r);
	if (id == NULL || at == NULL || json_object_get_string_len(id) != 36)
		return -1;
	memcpy(r->id, json_object_get_string(id), 37);
	if ((r->started_at = parse_utc(json_object_get_string(at))) < 0)
		return -1;
	snprintf(r->trigger, sizeof r->trigger, "%s", trig != NULL ? json_object_get_string(trig) : "");
	snprintf(r->software, sizeof r->software, "%s", sw != NULL ? json_object_get_string(sw) : "");
	r->station.id = get_string(st, "id");
	r->station.name = get_string(st, "name");
	r->station.province = get_string(st, "province");
	r->station.district = get_string(st, "district");
	r->station.commune = get_string(st, "commune");
	r->station.commune_code = get_string(st, "commune_code");
	r->station.isp = get_string(st, "isp");
	r->station.access = get_string(st, "access");
	location_from_json(get(o, "location", json_type_object), &r->location);
	measurement_from_json(o, &r->fig);
	return 0;
}
