/* loop.c — see loop.h. */
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

void
loop_init(struct loop *l)
{
	memset(l, 0, sizeof *l);
}

int
loop_add(struct loop *l, const struct loop_source *s)
{
	if (l->nsrc == LOOP_MAX_SOURCES)
		return -1;
	l->src[l->nsrc++] = *s;
	return 0;
}

void
loop_remove(struct loop *l, void *ctx)
{
	for (int i = 0; i < l->nsrc; i++) {
		if (l->src[i].ctx != ctx)
			continue;
		memmove(&l->src[i], &l->src[i + 1], (size_t)(l->nsrc - i - 1) * sizeof l->src[0]);
		l->nsrc--;
		i--;
	}
}

static bool
loop_has(const struct loop *l, void *ctx)
{
	for (int i = 0; i < l->nsrc; i++)
		if (l->src[i].ctx == ctx)
			return true;
	return false;
}

int
loop_once(struct loop *l, int max_ms)
{
	struct pollfd fds[LOOP_MAX_FDS];
	int first[LOOP_MAX_SOURCES], count[LOOP_MAX_SOURCES];
	int n = 0, timeout = max_ms;
	struct loop snapshot = *l;	/* a dispatch may add or remove sources */

	for (int i = 0; i < snapshot.nsrc; i++) {
		struct loop_source *s = &snapshot.src[i];

		first[i] = n;
		count[i] = s->fds != NULL ? s->fds(s->ctx, fds + n, LOOP_MAX_FDS - n) : 0;
		n += count[i];
		/* waits in ms from now combine as deadlines do (-1: none); ints are exact doubles */
		if (s->timeout_ms != NULL)
			timeout = (int)deadline_earlier(timeout, s->timeout_ms(s->ctx));
	}
	/*
	 * poll() leaves revents alone when a signal interrupts it (SIGWINCH on every resize):
	 * sources must then see no event, not what their stack slot held before.
	 */
	for (int i = 0; i < n; i++)
		fds[i].revents = 0;
	if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < snapshot.nsrc; i++) {
		struct loop_source *s = &snapshot.src[i];
		if (s->dispatch != NULL && loop_has(l, s->ctx))
			s->dispatch(s->ctx, fds + first[i], count[i]);
	}
	return 0;
}
