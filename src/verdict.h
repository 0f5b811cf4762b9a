/*
 * verdict.h — what a result is good enough for, in plain words: thresholds from
 * assets/verdicts.ini (iniparser), best first; the first rule a result meets names the catalog
 * key shown ("verdict.<section>") and its rating (good, fair, slow), else "verdict.none" rated
 * slow. A [steadiness] section says whether the line keeps steady under load.
 */
#ifndef TRAMDO_VERDICT_H
#define TRAMDO_VERDICT_H

#include <stddef.h>

#define VERDICT_RULES_MAX 8

enum rating { RATING_GOOD, RATING_FAIR, RATING_SLOW };

struct verdict_rule {
	char		key[48];		/* "verdict.video_4k" */
	enum rating	rating;
	double		download_mbps, upload_mbps;	/* minimums */
	double		latency_ms;			/* maximum */
};

struct verdicts {
	struct verdict_rule	rule[VERDICT_RULES_MAX];
	int			n;
	double			steady_jitter_ms;	/* <0: no steadiness sentence */
	double			steady_loaded_extra_ms;
};

/* 0, or -1 with a message in err (the rules that were valid are kept; none: verdict.none). */
int	 verdicts_load(const char *path, struct verdicts *v, char *err, size_t errlen);
/* The first rule the figures meet, or the "verdict.none" rule (rated slow). */
const struct verdict_rule *verdict_for(const struct verdicts *v, double download_mbps,
	    double upload_mbps, double latency_ms);
/* The rating's catalog key: "rating.good", "rating.fair", "rating.slow". */
const char *rating_key(enum rating r);
/*
 * "result.steady" or "result.unsteady" from jitter and the latency under load against the idle
 * latency; NULL when that cannot be told (no [steadiness], or figures unknown).
 */
const char *verdict_steadiness(const struct verdicts *v, double latency_ms, double jitter_ms,
	    double loaded_download_ms, double loaded_upload_ms);

#endif
