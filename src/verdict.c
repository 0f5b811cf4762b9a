/* verdict.c — see verdict.h. */
#include "verdict.h"
#include "util.h"

#include <iniparser.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int
verdicts_load(const char *path, struct verdicts *v, char *err, size_t errlen)
{
	dictionary *d;
	int nsec, rc = 0;
	char why[160];

	memset(v, 0, sizeof *v);
	/* iniparser reports a missing file on stderr; say it our way instead. */
	if (access(path, R_OK) != 0 || (d = iniparser_load(path)) == NULL) {
		snprintf(err, errlen, "%s: cannot read verdict thresholds", path);
		return -1;
	}
	nsec = iniparser_getnsec(d);
	for (int i = 0; i < nsec && v->n < VERDICT_RULES_MAX; i++) {
		const char *sec = iniparser_getsecname(d, i);
		struct verdict_rule *r = &v->rule[v->n];

		if (threshold(d, sec, "download_mbps", &r->download_mbps, why, sizeof why) != 0 ||
		    threshold(d, sec, "upload_mbps", &r->upload_mbps, why, sizeof why) != 0 ||
		    threshold(d, sec, "latency_ms", &r->latency_ms, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s: %s", path, why);
			rc = -1;
			continue;
		}
		snprintf(r->key, sizeof r->key, "verdict.%s", sec);
		v->n++;
	}
	iniparser_freedict(d);
	return rc;
}

const char *
verdict_for(const struct verdicts *v, double download_mbps, double upload_mbps, double latency_ms)
{
	for (int i = 0; i < v->n; i++) {
		const struct verdict_rule *r = &v->rule[i];

		if (download_mbps >= r->download_mbps && upload_mbps >= r->upload_mbps &&
		    latency_ms <= r->latency_ms)
			return r->key;
	}
	return "verdict.none";
}
