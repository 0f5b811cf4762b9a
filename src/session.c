/* session.c — see session.h. */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "config.h"
#include "gps.h"
#include "log.h"
#include "measure.h"
#include "result.h"
#include "servers.h"
#include "store.h"
#include "upload.h"
#include "util.h"

#define SETTLE_POLL_MS	100	/* while gpsd's first reports come in */

struct session {
	struct session_env	 env;
	struct server_list	 servers;
	struct measure		*m;
	struct result		 r;
	bool			 measured;	/* the engine is done */
	bool			 finished;	/* located, logged and kept */
	int			 kept;
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
keep(struct session *s)
{
	char err[512];
	int rc;

	if (s->r.fig.error == MERR_CANCELLED || s->env.store == NULL)
		return -1;
	rc = store_put(s->env.store, &s->r, err, sizeof err);
	if (rc < 0)
		log_err("result %s not stored: %s", s->r.id, err);
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

	if (!s->measured) {
		result_set_measurement(&s->r, measure_result(s->m));
		s->measured = true;
	}
	if (s->r.fig.error != MERR_CANCELLED && gps_settling(s->env.gps, now))
		return;
	gps_location(s->env.gps, s->env.cfg, now, &s->r.location);
	if (s->env.log_line)
		log_result_line(&s->r);
	s->kept = keep(s);
	s->finished = true;
}

struct session *
session_start(const struct session_env *env, const char *trigger, const char *server,
    char *err, size_t errlen)
{
	struct session *s = xcalloc(1, sizeof *s);
	struct measure_opts opts;

	s->env = *env;
	s->kept = -1;
	if (servers_candidates(env->cfg, server, &s->servers, err, errlen) != 0) {
		free(s);
		return NULL;
	}
	measure_opts_from_config(env->cfg, &opts);
	result_init(&s->r, env->cfg, trigger);
	s->m = measure_new(s->servers.v, s->servers.n, &opts);
	/* A start that fails at once is finished now: the result says why. */
	if (measure_start(s->m) != 0 || measure_finished(s->m))
		complete(s);
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	measure_free(s->m);
	server_list_free(&s->servers);
	result_free(&s->r);
	free(s);
}

void
session_cancel(struct session *s)
{
	if (!s->measured)
		measure_cancel(s->m);
	if (!s->finished)
		complete(s);
}

bool
session_finished(const struct session *s)
{
	return s->finished;
}

void
session_progress(const struct session *s, struct test_progress *p)
{
	measure_progress(s->m, p);
}

const struct result *
session_result(const struct session *s)
{
	return &s->r;
}

int
session_kept(const struct session *s)
{
	return s->kept;
}

static int
session_fds(void *ctx, struct pollfd *fds, int max)
{
	struct session *s = ctx;

	return s->measured ? 0 : measure_fds(s->m, fds, max);
}

static int
session_timeout(void *ctx)
{
	struct session *s = ctx;

	if (s->finished)
		return -1;
	return s->measured ? SETTLE_POLL_MS : measure_timeout(s->m);
}

static void
session_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct session *s = ctx;

	if (s->finished)
		return;
	if (!s->measured)
		measure_step(s->m, fds, n);
	if (s->measured || measure_finished(s->m))
		complete(s);
}

struct loop_source
session_source(struct session *s)
{
	struct loop_source src = { .fds = session_fds, .timeout_ms = session_timeout,
	    .dispatch = session_dispatch, .ctx = s };

	return src;
}
