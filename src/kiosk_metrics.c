/* kiosk_metrics.c — see kiosk_metrics.h. */
#include "kiosk_metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gps.h"
#include "kiosk_fsm.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "ui.h"
#include "util.h"

#define SEED_ROWS	200	/* newest results looked through for the last good one at a start */

/* Label values of tramdo_gps_state, in enum gps_state's order (stable: alert rules use them). */
static const char *const gps_states[] = {
	[GPS_STATE_OFF] = "off", [GPS_STATE_CONNECTING] = "connecting",
	[GPS_STATE_NO_DAEMON] = "no_daemon", [GPS_STATE_NO_FIX] = "no_fix",
	[GPS_STATE_STALE] = "stale", [GPS_STATE_FIX] = "fix",
};
static const char *const outcomes[] = {
	[KMETRICS_GOOD] = "good", [KMETRICS_FAILED] = "failed", [KMETRICS_CANCELLED] = "cancelled",
	[KMETRICS_INCOMPLETE] = "incomplete",
};

void
kmetrics_init(struct kmetrics *m)
{
	memset(m, 0, sizeof *m);
	m->start_time = now_wall();
	m->dirty_since = now_mono();
	m->last_write = -1;
	m->config_errors = -1;
	m->last_test = m->last_good = -1;
	m->last_outcome = -1;
	m->download_bytes_per_s = m->upload_bytes_per_s = m->latency_s = -1;
}

void
kmetrics_touch(struct kmetrics *m)
{
	if (m->dirty_since < 0)
		m->dirty_since = now_mono();
}

void
kmetrics_config_errors(struct kmetrics *m, size_t errors)
{
	m->config_errors = (long)errors;
	kmetrics_touch(m);
}

/* What a result says of the last good test when it is good, and of the last test when told. */
static void
take_result(struct kmetrics *m, const struct result *r, bool last_test)
{
	const struct test_figures *f = &r->fig;
	bool good = figures_good(f);

	if (last_test) {
		m->last_test = r->started_at;
		/* a partial result (download kept, upload refused) is stored as incomplete, not failed */
		m->last_outcome = good ? KMETRICS_GOOD : figures_partial(f) ? KMETRICS_INCOMPLETE :
		    f->error == MERR_CANCELLED ? KMETRICS_CANCELLED : KMETRICS_FAILED;
	}
	if (good) {
		m->last_good = r->started_at;
		m->download_bytes_per_s = f->download_mbps * 1e6 / 8;
		m->upload_bytes_per_s = f->upload_mbps * 1e6 / 8;
		m->latency_s = f->latency_median_ms >= 0 ? f->latency_median_ms / 1000 : -1;
	}
}

void
kmetrics_test(struct kmetrics *m, const struct result *r)
{
	take_result(m, r, true);
	kmetrics_touch(m);
}

/* store_list's rows, newest first: the first is the last test; stop at the first good one. */
static int
seed_row(void *arg, const struct result *r, const struct store_uploads *up)
{
	struct kmetrics *m = arg;

	(void)up;
	take_result(m, r, m->last_test < 0);
	return m->last_good >= 0;
}

/* After a start the last tests are the store's, so a restart does not hide a silent station. */
static void
seed(struct kmetrics *m, struct store *st)
{
	if (m->seeded || st == NULL)
		return;
	m->seeded = true;
	if (m->last_test >= 0)
		return;		/* this kiosk tested before the store could tell */
	if (store_list(st, 0, SEED_ROWS, true, seed_row, m) < 0)
		log_warn("metrics: the last tests could not be read from the database");
}

double
kmetrics_due(const struct kmetrics *m, const char *path)
{
	if (path == NULL || *path == '\0')
		return -1;
	if (m->last_write < 0)
		return m->dirty_since;	/* the first write: at once (kmetrics_init marked it) */
	if (m->dirty_since < 0)
		return m->last_write + KMETRICS_HEARTBEAT;
	return fmax(m->dirty_since, m->last_write + KMETRICS_MIN_INTERVAL);
}

static void
fill_sinks(struct metrics_snapshot *s, const struct ui_model *model)
{
	for (int i = 0; i < model->nsinks && s->nsinks < METRICS_SINKS_MAX; i++) {
		struct metrics_sink *k = &s->sinks[s->nsinks++];

		snprintf(k->name, sizeof k->name, "%s", model->sinks[i].name);
		k->pending = model->sinks[i].pending;
		k->last_success = model->sinks[i].last_sent_at;
	}
}

static void
fill(struct metrics_snapshot *s, const struct kmetrics *m, const struct kmetrics_source *src,
    const char **states)
{
	const struct config *c = src->cfg;
	const struct ui_model *model = src->model;

	memset(s, 0, sizeof *s);
	s->up = src->up;
	s->start_time = m->start_time;
	s->version = TRAMDO_VERSION;
	s->station_id = c->station.id;
	s->station_name = c->station.name;
	s->province = c->station.province;
	s->district = c->station.district;
	s->commune = c->station.commune;
	for (int i = 0; i < KS_COUNT; i++)
		states[i] = kiosk_state_name((enum kiosk_state)i);
	s->state = (struct metrics_stateset){ states, KS_COUNT, src->state };
	s->last_test_time = m->last_test;
	s->last_good_test_time = m->last_good;
	s->last_outcome = (struct metrics_stateset){ outcomes, (int)(sizeof outcomes / sizeof outcomes[0]),
	    m->last_outcome };
	/* The staff screen's counts; without a store that can tell, the kiosk's own good count. */
	s->good_today = model->today_good >= 0 ? model->today_good : model->tests_today;
	s->failed_today = model->today_failed;
	s->download_bytes_per_s = m->download_bytes_per_s;
	s->upload_bytes_per_s = m->upload_bytes_per_s;
	s->latency_seconds = m->latency_s;
	fill_sinks(s, model);
	s->gps = (struct metrics_stateset){ gps_states, 6, model->gps_state };
	s->gps_fix = model->gps_state == GPS_STATE_FIX;
	s->gps_satellites = model->gps_satellites;
	s->config_errors = m->config_errors;
}

/*
 * A reload named another file: the old one would say "up" for ever and look like a kiosk that
 * hung. It is removed once the new one is written.
 */
static void
forget_old_file(struct kmetrics *m, const char *path)
{
	if (m->written[0] != '\0' && strcmp(m->written, path) != 0 && unlink(m->written) != 0 &&
	    errno != ENOENT)
		log_warn("metrics: cannot remove the previous file %s: %s", m->written,
		    strerror(errno));
	snprintf(m->written, sizeof m->written, "%s", path);
}

const char *
kmetrics_write(struct kmetrics *m, const struct kmetrics_source *src, double now)
{
	const char *path = src->cfg->metrics.textfile;
	const char *states[KS_COUNT];
	struct metrics_snapshot s;
	char err[sizeof m->problem];

	if (path == NULL || *path == '\0')
		return NULL;
	seed(m, src->store);
	fill(&s, m, src, states);
	m->last_write = now;
	m->dirty_since = -1;
	if (metrics_write(path, &s, err, sizeof err) != 0) {
		if (strcmp(err, m->problem) == 0)
			return NULL;
		snprintf(m->problem, sizeof m->problem, "%s", err);
		return m->problem;
	}
	if (m->problem[0] != '\0')
		log_info("metrics: %s is written again", path);
	m->problem[0] = '\0';
	forget_old_file(m, path);
	return NULL;
}
