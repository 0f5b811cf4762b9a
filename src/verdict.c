/* verdict.c — see verdict.h. */
#include "verdict.h"
#include "util.h"

#include <iniparser.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STEADINESS	"steadiness"

static const struct verdict_rule none = { "verdict.none", RATING_SLOW, 0, 0, INFINITY };

/* One threshold of section sec; -1 when it is missing or not a number. */
static int
threshold(dictionary *d, const char *sec, const char *name, double *out, char *err,
    size_t errlen)
{
	char key[96];
	const char *s;

	snprintf(key, sizeof key, "%s:%s", sec, name);
	s = iniparser_getstring(d, key, NULL);
	if (s == NULL || !parse_double(s, out) || !isfinite(*out) || *out < 0) {
		snprintf(err, errlen, "[%s] %s: missing or not a number >= 0", sec, name);
		return -1;
	}
	return 0;
}

static int
rating_of(dictionary *d, const char *sec, enum rating *out, char *err, size_t errlen)
{
	static const char *const names[] = { "good", "fair", "slow" };
	char key[96];
	const char *s;

	snprintf(key, sizeof key, "%s:rating", sec);
	s = iniparser_getstring(d, key, "");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum rating)i;
			return 0;
		}
	}
	snprintf(err, errlen, "[%s] rating: '%s' is not good, fair or slow", sec, s);
	return -1;
}

static int
load_rule(dictionary *d, const char *sec, struct verdict_rule *r, char *why, size_t len)
{
	if (rating_of(d, sec, &r->rating, why, len) != 0 ||
	    threshold(d, sec, "download_mbps", &r->download_mbps, why, len) != 0 ||
	    threshold(d, sec, "upload_mbps", &r->upload_mbps, why, len) != 0 ||
	    threshold(d, sec, "latency_ms", &r->latency_ms, why, len) != 0)
		return -1;
	snprintf(r->key, sizeof r->key, "verdict.%s", sec);
	return 0;
}

int
verdicts_load(const char *path, struct verdicts *v, char *err, size_t errlen)
{
	dictionary *d;
	int nsec, rc = 0;
	char why[160];

	memset(v, 0, sizeof *v);
	v->steady_jitter_ms = v->steady_loaded_extra_ms = -1;
	/* iniparser reports a missing file on stderr; say it our way instead. */
	if (access(path, R_OK) != 0 || (d = iniparser_load(path)) == NULL) {
		snprintf(err, errlen, "%s: cannot read verdict thresholds", path);
		return -1;
	}
	nsec = iniparser_getnsec(d);
	for (int i = 0; i < nsec; i++) {
		const char *sec = iniparser_getsecname(d, i);
		int bad;

		if (strcmp(sec, STEADINESS) == 0)
			bad = threshold(d, sec, "jitter_ms", &v->steady_jitter_ms, why, sizeof why) ||
			    threshold(d, sec, "loaded_extra_ms", &v->steady_loaded_extra_ms, why,
			    sizeof why);
		else if (v->n < VERDICT_RULES_MAX)
			bad = load_rule(d, sec, &v->rule[v->n], why, sizeof why) != 0;
		else {
			snprintf(why, sizeof why, "[%s]: more than %d verdicts; the rest are ignored",
			    sec, VERDICT_RULES_MAX);
			bad = 1;
		}
		if (bad) {
			snprintf(err, errlen, "%s: %s", path, why);
			rc = -1;
		} else if (strcmp(sec, STEADINESS) != 0)
			v->n++;
	}
	iniparser_freedict(d);
	return rc;
}

const struct verdict_rule *
verdict_for(const struct verdicts *v, double download_mbps, double upload_mbps, double latency_ms)
{
	for (int i = 0; i < v->n; i++) {
		const struct verdict_rule *r = &v->rule[i];

		if (download_mbps >= r->download_mbps && upload_mbps >= r->upload_mbps &&
		    latency_ms <= r->latency_ms)
			return r;
	}
	return &none;
}

const char *
rating_key(enum rating r)
{
	switch (r) {
	case RATING_GOOD:
		return "rating.good";
	case RATING_FAIR:
		return "rating.fair";
	default:
		return "rating.slow";
	}
}

const char *
verdict_steadiness(const struct verdicts *v, double latency_ms, double jitter_ms,
    double loaded_download_ms, double loaded_upload_ms)
{
	double loaded = fmax(loaded_download_ms, loaded_upload_ms);

	if (v->steady_jitter_ms < 0 || latency_ms < 0 || jitter_ms < 0 || loaded_download_ms < 0 ||
	    loaded_upload_ms < 0)
		return NULL;
	if (jitter_ms <= v->steady_jitter_ms && loaded - latency_ms <= v->steady_loaded_extra_ms)
		return "result.steady";
	return "result.unsteady";
}
