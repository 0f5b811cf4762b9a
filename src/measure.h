/*
 * measure.h — the speed-test engine: latency, jitter, download, upload and loaded latency
 * against LibreSpeed-compatible HTTP servers, on libcurl's multi interface.
 *
 * The engine never blocks. The caller's poll() loop asks for its descriptors and timeout,
 * polls, and hands the ready descriptors back to measure_step(); the same engine runs in the
 * kiosk, in `tramdo run` and in the benchmarks. It knows nothing of curses or storage.
 */
#ifndef TRAMDO_MEASURE_H
#define TRAMDO_MEASURE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* One candidate server, endpoints as full URLs (servers.c builds them). */
struct measure_server {
	char	*name;
	char	*url;		/* base URL, for the result */
	char	*garbage_url;	/* GET ?ckSize=N&r=RND */
	char	*empty_url;	/* GET for ping, POST for upload */
	char	*getip_url;	/* GET ?isp=true, may be NULL */
};

struct measure_opts {
	int	download_streams;	/* default 6 */
	int	upload_streams;		/* default 4 */
	double	max_seconds;		/* per direction */
	int	ping_count;		/* latency samples, >= 10 */
	double	connect_timeout;	/* seconds */
	double	stall_seconds;		/* no progress for this long ends the test (in download
					 * and upload: at most max_seconds / 2) */
	bool	select_only;		/* server selection alone (`tramdo servers`): every
					 * candidate is pinged, even a single one, then the
					 * engine ends (PHASE_DONE) without measuring */
	int	ip_family;		/* 0: the system's choice (happy eyeballs); 4 or 6: only
					 * that family ([test] ip_version) */
	const char *ca_file;		/* https: the only authorities trusted (PEM), NULL: the
					 * system's; measure_new keeps a copy */
};
void measure_opts_default(struct measure_opts *o);

struct measure;

/* candidates are copied. With one candidate, selection is skipped. */
struct measure *measure_new(const struct measure_server *candidates, int n,
    const struct measure_opts *opts);
void measure_free(struct measure *m);

int  measure_start(struct measure *m);		/* 0 or -1 (result says why) */
void measure_cancel(struct measure *m);		/* ends with MERR_CANCELLED */
bool measure_finished(const struct measure *m);	/* PHASE_DONE or PHASE_FAILED */

/* poll() integration: fill up to max descriptors, return how many. */
int  measure_fds(void *m, struct pollfd *fds, int max);
/* Milliseconds until the engine needs a step even without I/O; -1 when idle. */
int  measure_timeout(void *m);
/* Act on the ready descriptors (as returned by poll, in the order measure_fds gave them) and timers. */
void measure_step(void *m, const struct pollfd *fds, int n);

/*
 * A LibreSpeed getIP reply (JSON; processedString "IP - ISP, …", or rawIspInfo.org) → the
 * client's IP and ISP, allocated and safe to show (sanitize_text), NULL when absent. 0, or -1
 * when the reply is not a JSON object. Exposed for the fuzz harness.
 */
int  measure_parse_getip(const char *body, size_t len, char **ip, char **isp);

/*
 * Once selection is over: candidate i's median selection ping in ms, or -1 when it did not
 * answer (or was never pinged: a single candidate of a test); and which candidate was chosen,
 * -1 when none answered.
 */
double measure_candidate_ms(const struct measure *m, int i);
int  measure_chosen(const struct measure *m);

void measure_progress(const struct measure *m, struct test_progress *p);
const struct test_figures *measure_result(const struct measure *m);
/*
 * The server measured against (with its full URLs, for another request to it), or NULL when
 * none was chosen. The result's ip_version says over which family; with ip_family 0 it is the
 * family the latency connection took, and every stream is held to it.
 */
const struct measure_server *measure_chosen_server(const struct measure *m);

#endif
