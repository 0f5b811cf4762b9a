/* curlpoll.c — see curlpoll.h. */
#include "curlpoll.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct curlpoll_sock *
find(struct curlpoll *cp, curl_socket_t fd)
{
	for (int i = 0; i < cp->nsocks; i++)
		if (cp->socks[i].fd == fd)
			return &cp->socks[i];
	return NULL;
}

/* CURLMOPT_SOCKETFUNCTION: start, change or stop watching one socket. */
static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct curlpoll *cp = userp;
	struct curlpoll_sock *s = find(cp, fd);

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL)
			*s = cp->socks[--cp->nsocks];
		return 0;
	}
	if (s == NULL) {
		if (cp->nsocks == cp->cap) {
			cp->cap = cp->cap > 0 ? 2 * cp->cap : 8;
			cp->socks = xrealloc(cp->socks, (size_t)cp->cap * sizeof *cp->socks);
		}
		s = &cp->socks[cp->nsocks++];
		s->fd = fd;
	}
	s->events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) |
	    ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: ms from now, 0 for at once, -1 to cancel. */
static int
on_timer(CURLM *multi, long ms, void *userp)
{
	struct curlpoll *cp = userp;

	(void)multi;
	cp->due = ms < 0 ? -1 : now_mono() + (double)ms / 1000;
	return 0;
}

void
curlpoll_init(struct curlpoll *cp, CURLM *multi)
{
	memset(cp, 0, sizeof *cp);
	cp->multi = multi;
	cp->due = -1;
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, cp);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(multi, CURLMOPT_TIMERDATA, cp);
}

void
curlpoll_free(struct curlpoll *cp)
{
	free(cp->socks);
	cp->socks = NULL;
	cp->nsocks = cp->cap = cp->first = 0;
}

int
curlpoll_fds(struct curlpoll *cp, struct pollfd *fds, int max)
{
	int n = cp->nsocks < max ? cp->nsocks : max;

	if (n <= 0)
		return 0;
	for (int i = 0; i < n; i++) {
		const struct curlpoll_sock *s = &cp->socks[(cp->first + i) % cp->nsocks];

		fds[i] = (struct pollfd){ .fd = s->fd, .events = s->events };
	}
	/* the same start again when all fit; the first one left out when some did not */
	cp->first = (cp->first + n) % cp->nsocks;
	return n;
}

double
curlpoll_due(const struct curlpoll *cp)
{
	return cp->due;
}

/*
 * One mapping for every multi, chosen so that a closed or failed socket always ends in curl
 * learning why, never in poll() reporting the same event again and again:
 * - POLLHUP is reported even on a socket watched only for POLLOUT (an upload whose peer went
 *   away) and may come without POLLIN. It is told as readable: curl's read then sees the EOF or
 *   the reset and ends the transfer with the real reason (done, partial file, recv error).
 *   Told as an error alone, curl says only "select/poll returned error".
 * - POLLERR and POLLNVAL are errors. curl fails a transfer on the error bit only when no read
 *   or write bit comes with it, so data still pending on a failed socket is read first.
 */
int
curlpoll_select_bits(short revents)
{
	int bits = 0;

	if (revents & (POLLIN | POLLHUP))
		bits |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		bits |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLNVAL))
		bits |= CURL_CSELECT_ERR;
	return bits;
}

void
curlpoll_dispatch(struct curlpoll *cp, const struct pollfd *fds, int n)
{
	int running;

	for (int i = 0; i < n; i++) {
		/* looked up again: an earlier action in this round may have closed it */
		if (fds[i].revents == 0 || find(cp, fds[i].fd) == NULL)
			continue;
		curl_multi_socket_action(cp->multi, fds[i].fd,
		    curlpoll_select_bits(fds[i].revents), &running);
	}
	if (cp->due >= 0 && now_mono() >= cp->due) {
		cp->due = -1;	/* before the call: curl may set a new timer inside it */
		curl_multi_socket_action(cp->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
}
