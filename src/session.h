/*
 * session.h — one test, start to end, the same for the kiosk, `tramdo run` and the scheduler:
 * candidates → server choice and measurement (the engine) → location (GPS, or the station's)
 * → the result → one JSON line in the log → the store → a kick to the upload queue.
 *
 * A session plugs into the caller's poll() loop as a source and never blocks it. It is
 * finished once its result is kept: committed to the store, or held in memory by a store whose
 * disk is bad. A cancelled test is logged but not stored.
 */
#ifndef TRAMDO_SESSION_H
#define TRAMDO_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"
#include "model.h"

struct config;
struct gps;
struct store;
struct upload;

/* What a session uses; everything but cfg may be NULL. */
struct session_env {
	const struct config	*cfg;
	struct gps		*gps;		/* where: NULL is the station's position */
	struct store		*store;		/* NULL: the result is not kept */
	struct upload		*up;
	bool			 log_line;	/* the result as one JSON line in the log (the kiosk's
						 * journal; a command prints it itself) */
};

struct session;

/*
 * A test (trigger: "citizen", "schedule", "retry", "staff", "cli") against server (a configured
 * name or a URL; NULL: [test] server). NULL with a message in err when there is nothing to test
 * against — a configuration problem, not a test. A test that cannot start (no libcurl, …) is
 * a session finished at once whose result says why.
 */
struct session	*session_start(const struct session_env *env, const char *trigger,
		    const char *server, char *err, size_t errlen);
void		 session_free(struct session *s);
/* The source to loop_add(); its ctx is s, so loop_remove(l, s) takes it out. */
struct loop_source session_source(struct session *s);

void		 session_cancel(struct session *s);
bool		 session_finished(const struct session *s);
void		 session_progress(const struct session *s, struct test_progress *p);
/* The result, complete once finished (its figures say how the test ended). */
const struct result *session_result(const struct session *s);
/* Once finished: 0 committed, 1 held in memory (store_status says why), -1 not stored. */
int		 session_kept(const struct session *s);

#endif
