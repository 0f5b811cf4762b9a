/* session.c — see session.h. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "config.h"
#include "gps.h"
#include "ipprobe.h"
#include "log.h"
#include "measure.h"
#include "result.h"
#include "servers.h"
#include "store.h"
#include "upload.h"
#include "util.h"

#define SETTLE_POLL_MS	100	/* while gpsd's first reports come in */
#define RESULTS_MAX	2	/* [test] ip_version = both: one per family */

struct session {
	struct session_env	 env;
	struct server_list	 servers;
	char			 trigger[RESULT_TRIGGER_MAX];	/* for the second result */
	struct measure		*m;		/* the test running, or the last one */
	struct ipprobe		*probe;		/* the other family, after a test over IPv4 */
	bool			 both;		/* a second test over the other family follows */
	int			 forced;	/* the first test's family: 4, 6, or 0 (the system's) */
	struct result		 r[RESULTS_MAX];
	int			 nr;		/* results measured so far */
	int			 kept[RESULTS_MAX];
	bool			 measured;	/* every test and the probe are done */
	bool			 finished;	/* located, logged and kept */
};

/* Each finished test, failed and cancelled ones too, is one JSON line in the log. */
static void
log_result_line(const struct result *r)
{
	char *json = codec_json(r);

	log_result(json);
	free(json);
}

/* Committed (or held in memory on a bad disk) before anyone is told the test is done. */
static int
keep(struct session *s, struct result *r)
{
	char err[512];
	int rc;

	if (r->fig.error == MERR_CANCELLED || s->env.store == NULL)
		return -1;
	rc = store_put(s->env.store, r, err, sizeof err);
	if (rc < 0)
		log_err("result %s not stored: %s", r->id, err);
	else if (s->env.up != NULL)
		upload_kick(s->env.up);
	return rc;
}

/*
 * The engine is done; gpsd's first reports after a (re)connect are often partial, so a
 * session started right then waits for them (at most GPS_SETTLE_SECONDS after the client
 * started) before taking the position.
 */
static void
complete(struct session *s)
{
	double now = now_mono();
	bool cancelled = false;

	for (int i = 0; i < s->nr; i++)
		cancelled = cancelled || s->r[i].fig.error == MERR_CANCELLED;
	if (!cancelled && gps_settling(s->env.gps, now))
		return;
	for (int i = 0; i < s->nr; i++) {
		gps_location(s->env.gps, s->env.cfg, now, &s->r[i].location);
		if (s->env.log_line)
			log_result_line(&s->r[i]);
		s->kept[i] = keep(s, &s->r[i]);
	}
	s->finished = true;
}

/* Whether the test reached the server at all (a cancelled test says nothing). */
static bool
connected(const struct test_figures *f)
{
	return f->error != MERR_DNS && f->error != MERR_CONNECT && f->error != MERR_NO_SERVER &&
	    f->error != MERR_CANCELLED;
}

/*
 * What one test says of IPv6 on its own: 1 it connected over IPv6, 0 it was held to IPv6 and
 * could not connect, -1 nothing (it ran over IPv4, or never connected with both allowed).
 */
static int
ipv6_from_test(const struct test_figures *f, int forced)
{
	if (f->ip_version != 6 || f->error == MERR_CANCELLED)
		return -1;
	if (connected(f))
		return 1;
	return forced == 6 ? 0 : -1;
}

/* Every result of the session carries the same answer: it is the station's, not the test's. */
static void
set_ipv6(struct session *s, int v)
{
	for (int i = 0; i < s->nr; i++)
		s->r[i].fig.ipv6 = v;
}

/* The tests are done: IPv6 is known from them, or one short probe over it tells. */
static void
tests_done(struct session *s)
{
	const struct test_figures *f = &s->r[0].fig;
	int v = -1;

	for (int i = 0; i < s->nr; i++) {
		/* the second test of "both" is held to its family, which it records from the start */
		int t = ipv6_from_test(&s->r[i].fig, i == 0 ? s->forced : s->r[i].fig.ip_version);

		v = t > v ? t : v;
	}
	set_ipv6(s, v);
	if (v < 0 && s->nr == 1 && f->ip_version == 4 && connected(f))
		s->probe = ipprobe_new(measure_chosen_server(s->m), 6, s->env.cfg->test.ca_file);
	if (s->probe == NULL)
		s->measured = true;
}

/*
 * [test] ip_version = both: the same server again, over the family the first test did not use.
 * False when there is no second test; true when it started (or failed at once: finished then).
 */
static bool
start_other_family(struct session *s)
{
	const struct test_figures *first = &s->r[0].fig;
	const struct measure_server *server = measure_chosen_server(s->m);
	struct measure_opts opts;
	struct measure *m;

	if (!s->both || s->nr != 1 || first->error == MERR_CANCELLED || server == NULL)
		return false;
	measure_opts_from_config(s->env.cfg, &opts);
	opts.ip_family = first->ip_version == 6 ? 4 : 6;
	result_init(&s->r[1], s->env.cfg, s->trigger);
	m = measure_new(server, 1, &opts);
	measure_free(s->m);
	s->m = m;
	measure_start(s->m);	/* one that cannot start is finished: its result says why */
	return true;
}

/* One test is done: its figures into the next result, then the next test or the probe. */
static void
measured(struct session *s)
{
	for (;;) {
		result_set_measurement(&s->r[s->nr], measure_result(s->m));
		s->nr++;
		if (!start_other_family(s)) {
			tests_done(s);
			return;
		}
		if (!measure_finished(s->m))
			return;		/* the second test runs in the loop */
	}
}

/* Done with the tests and the probe: the result is complete but for its position. */
static void
advance(struct session *s)
{
	if (s->probe != NULL && ipprobe_finished(s->probe)) {
		set_ipv6(s, ipprobe_works(s->probe) ? 1 : 0);
		ipprobe_free(s->probe);
		s->probe = NULL;
		s->measured = true;
	}
	if (s->measured)
		complete(s);
}

struct session *
session_start(const struct session_env *env, const char *trigger, const char *server,
    char *err, size_t errlen)
{
	struct session *s = xcalloc(1, sizeof *s);
	struct measure_opts opts;

	s->env = *env;
	snprintf(s->trigger, sizeof s->trigger, "%s", trigger);
	s->kept[0] = s->kept[1] = -1;
	if (servers_candidates(env->cfg, server, &s->servers, err, errlen) != 0) {
		free(s);
		return NULL;
	}
	measure_opts_from_config(env->cfg, &opts);
	s->forced = opts.ip_family;
	s->both = env->cfg->test.ip_version != NULL && strcmp(env->cfg->test.ip_version, "both") == 0;
	result_init(&s->r[0], env->cfg, trigger);
	s->m = measure_new(s->servers.v, s->servers.n, &opts);
	/* A start that fails at once is finished now: the result says why. */
	if (measure_start(s->m) != 0 || measure_finished(s->m)) {
		measured(s);
		advance(s);
	}
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	ipprobe_free(s->probe);
	measure_free(s->m);
	server_list_free(&s->servers);
	result_free(&s->r[0]);
	result_free(&s->r[1]);
	free(s);
}

void
session_cancel(struct session *s)
{
	if (s->finished)
		return;
	if (!measure_finished(s->m)) {
		measure_cancel(s->m);
		measured(s);
	}
	/* the probe's answer is not worth a wait once the test is cancelled */
	ipprobe_free(s->probe);
	s->probe = NULL;
	s->measured = true;
	complete(s);
}

bool
session_finished(const struct session *s)
{
	return s->finished;
}

/* With "both", each test is half of the whole. */
void
session_progress(const struct session *s, struct test_progress *p)
{
	measure_progress(s->m, p);
	if (s->both && p->phase != PHASE_DONE && p->phase != PHASE_FAILED)
		p->overall_fraction = (s->nr + p->overall_fraction) / RESULTS_MAX;
}

/* A cancelled test was cancelled whatever came before; else the first that measured. */
static int
shown(const struct session *s)
{
	for (int i = 0; i < s->nr; i++)
		if (s->r[i].fig.error == MERR_CANCELLED)
			return i;
	for (int i = 0; i < s->nr; i++)
		if (figures_good(&s->r[i].fig))
			return i;
	return 0;
}

const struct result *
session_result(const struct session *s)
{
	return &s->r[shown(s)];
}

int
session_kept(const struct session *s)
{
	return s->kept[shown(s)];
}

int
session_count(const struct session *s)
{
	return s->nr;
}

const struct result *
session_result_at(const struct session *s, int i)
{
	return i >= 0 && i < s->nr ? &s->r[i] : NULL;
}

int
session_kept_at(const struct session *s, int i)
{
	return i >= 0 && i < s->nr ? s->kept[i] : -1;
}

static int
session_fds(void *ctx, struct pollfd *fds, int max)
{
	struct session *s = ctx;

	if (s->probe != NULL)
		return ipprobe_fds(s->probe, fds, max);
	return s->measured ? 0 : measure_fds(s->m, fds, max);
}

static int
session_timeout(void *ctx)
{
	struct session *s = ctx;

	if (s->finished)
		return -1;
	if (s->probe != NULL)
		return ipprobe_timeout(s->probe);
	return s->measured ? SETTLE_POLL_MS : measure_timeout(s->m);
}

static void
session_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct session *s = ctx;

	if (s->finished)
		return;
	if (s->probe != NULL) {
		ipprobe_step(s->probe, fds, n);
	} else if (!s->measured) {
		measure_step(s->m, fds, n);
		if (measure_finished(s->m))
			measured(s);
	}
	advance(s);
}

struct loop_source
session_source(struct session *s)
{
	struct loop_source src = { .fds = session_fds, .timeout_ms = session_timeout,
	    .dispatch = session_dispatch, .ctx = s };

	return src;
}
