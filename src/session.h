/*
 * session.h — one test, start to end, the same for the kiosk, `tramdo run` and the scheduler:
 * candidates → server choice and measurement (the engine) → location (GPS, or the station's)
 * → the result → one JSON line in the log → the store → a kick to the upload queue.
 *
 * Whether the station reaches the server over IPv6 is asked too (ipprobe.h) when the test ran
 * over IPv4. A session plugs into the caller's poll() loop as a source and never blocks it. It is
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
/*
 * The result, complete once finished (its figures say how the test ended). With [test]
 * ip_version = both a session makes two, one per family (the system's choice first): this is
 * the one to show — the first that measured, or the cancelled one, or else the first.
 */
const struct result *session_result(const struct session *s);
/* Once finished: 0 committed, 1 held in memory (store_status says why), -1 not stored. */
int		 session_kept(const struct session *s);
/* Every result of the session (1, or 2 with "both"), in the order they were measured. */
int		 session_count(const struct session *s);
const struct result *session_result_at(const struct session *s, int i);
int		 session_kept_at(const struct session *s, int i);

#endif
