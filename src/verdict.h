/*
 * verdict.h — what a result is good enough for, in plain words: thresholds from
 * assets/verdicts.ini (iniparser), best first; the first rule a result meets names the catalog
 * key shown ("verdict.<section>"), else "verdict.none".
 */
#ifndef TRAMDO_VERDICT_H
#define TRAMDO_VERDICT_H

#include <stddef.h>

#define VERDICT_RULES_MAX 8

struct verdict_rule {
	char	key[48];		/* "verdict.video_4k" */
	double	download_mbps, upload_mbps;	/* minimums */
	double	latency_ms;			/* maximum */
};

struct verdicts {
	struct verdict_rule	rule[VERDICT_RULES_MAX];
	int			n;
};

/* 0, or -1 with a message in err (no rules then: every result gets "verdict.none"). */
int	 verdicts_load(const char *path, struct verdicts *v, char *err, size_t errlen);
const char *verdict_for(const struct verdicts *v, double download_mbps, double upload_mbps,
	    double latency_ms);

#endif
