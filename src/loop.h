/*
 * loop.h — the one poll() loop. Modules (engine, keys, gpsd, uploads, timers) plug in as
 * sources: each gives its descriptors and timeout, and is dispatched with its own slice of
 * the polled array. Signals only set flags; the loop's owner acts on them between rounds.
 */
#ifndef TRAMDO_LOOP_H
#define TRAMDO_LOOP_H

#include <poll.h>

struct loop_source {
	int	(*fds)(void *ctx, struct pollfd *fds, int max);	/* may be NULL */
	int	(*timeout_ms)(void *ctx);			/* -1: none; may be NULL */
	void	(*dispatch)(void *ctx, const struct pollfd *fds, int n);
	void	*ctx;
};

#define LOOP_MAX_SOURCES 16
#define LOOP_MAX_FDS	 256

struct loop {
	struct loop_source	src[LOOP_MAX_SOURCES];
	int			nsrc;
};

void loop_init(struct loop *l);
int  loop_add(struct loop *l, const struct loop_source *s);	/* -1 when full */
void loop_remove(struct loop *l, void *ctx);
/* One round: poll for at most max_ms (-1: forever) and dispatch every source. EINTR is not an error. */
int  loop_once(struct loop *l, int max_ms);

#endif
