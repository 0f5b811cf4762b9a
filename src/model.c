/* model.c — see model.h. Only the C library: the model depends on nothing of the project. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const error_names[MERR_COUNT] = {
	[MERR_NONE] = "none", [MERR_NO_SERVER] = "no_server", [MERR_DNS] = "dns",
	[MERR_CONNECT] = "connect", [MERR_TLS] = "tls", [MERR_HTTP] = "http",
	[MERR_RESET] = "reset", [MERR_STALLED] = "stalled", [MERR_BAD_DATA] = "bad_data",
	[MERR_CANCELLED] = "cancelled", [MERR_INTERNAL] = "internal",
};

static const char *const source_names[] = {
	[LOC_NONE] = "none", [LOC_GPS] = "gps", [LOC_STATION] = "station",
};

const char *
test_error_name(enum test_error e)
{
	return (unsigned)e < MERR_COUNT ? error_names[e] : "internal";
}

bool
test_error_from_name(const char *name, enum test_error *e)
{
	for (int i = 0; name != NULL && i < MERR_COUNT; i++) {
		if (strcmp(name, error_names[i]) == 0) {
			*e = (enum test_error)i;
			return true;
		}
	}
	return false;
}

const char *
location_source_name(enum location_source s)
{
	return (unsigned)s < sizeof source_names / sizeof source_names[0] ? source_names[s] : "none";
}

bool
location_source_from_name(const char *name, enum location_source *s)
{
	for (size_t i = 0; name != NULL && i < sizeof source_names / sizeof source_names[0]; i++) {
		if (strcmp(name, source_names[i]) == 0) {
			*s = (enum location_source)i;
			return true;
		}
	}
	return false;
}

/* Out of memory is not recoverable in a kiosk (as util.h's xstrdup, without depending on it). */
static char *
dup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		abort();
	return d;
}

void
figures_clear(struct test_figures *f)
{
	memset(f, 0, sizeof *f);
	f->connect_ms = f->latency_min_ms = f->latency_median_ms = f->jitter_ms = -1;
	f->loaded_download_ms = f->loaded_upload_ms = -1;
	f->download_mbps = f->upload_mbps = -1;
	f->duration_s = -1;
	f->ipv6 = -1;
}

void
figures_copy(struct test_figures *dst, const struct test_figures *src)
{
	*dst = *src;
	dst->server_name = dup(src->server_name);
	dst->server_url = dup(src->server_url);
	dst->client_ip = dup(src->client_ip);
	dst->client_isp = dup(src->client_isp);
}

void
figures_free(struct test_figures *f)
{
	free(f->server_name);
	free(f->server_url);
	free(f->client_ip);
	free(f->client_isp);
	figures_clear(f);
}

bool
figures_good(const struct test_figures *f)
{
	return f->error == MERR_NONE && f->download_mbps >= 0 && f->upload_mbps >= 0;
}

bool
figures_partial(const struct test_figures *f)
{
	return f->error == MERR_NONE && f->upload_error != MERR_NONE;
}

void
location_clear(struct location *l)
{
	l->source = LOC_NONE;
	l->lat = l->lon = l->alt_m = l->accuracy_m = NAN;
	l->satellites = -1;
	l->fix_time = 0;
}

void
station_copy(struct station *dst, const struct station *src)
{
	dst->id = dup(src->id);
	dst->name = dup(src->name);
	dst->province = dup(src->province);
	dst->district = dup(src->district);
	dst->commune = dup(src->commune);
	dst->commune_code = dup(src->commune_code);
	dst->isp = dup(src->isp);
	dst->access = dup(src->access);
}

void
station_free(struct station *s)
{
	free(s->id);
	free(s->name);
	free(s->province);
	free(s->district);
	free(s->commune);
	free(s->commune_code);
	free(s->isp);
	free(s->access);
	memset(s, 0, sizeof *s);
}

void
result_clear(struct result *r)
{
	memset(r, 0, sizeof *r);
	location_clear(&r->location);
	figures_clear(&r->fig);
}

void
result_free(struct result *r)
{
	station_free(&r->station);
	figures_free(&r->fig);
	result_clear(r);
}
