/*
 * curlpoll.h — one libcurl multi handle driven by a poll() loop (src/loop.h). curlpoll_init
 * installs the multi's socket and timer callbacks; from then on curlpoll knows which sockets
 * curl wants watched and when curl's timer is due. The caller still creates and cleans up the
 * multi and its easy handles, and reads finished transfers with curl_multi_info_read.
 *
 * One round: curlpoll_fds into the poll array, curlpoll_due into the timeout (deadline_ms),
 * poll(), curlpoll_dispatch with what poll returned.
 */
#ifndef TRAMDO_CURLPOLL_H
#define TRAMDO_CURLPOLL_H

#include <curl/curl.h>
#include <poll.h>

struct curlpoll_sock {
	curl_socket_t	 fd;
	short		 events;	/* POLLIN and/or POLLOUT, as curl asked */
};

struct curlpoll {
	CURLM			*multi;
	struct curlpoll_sock	*socks;		/* grows: curl decides how many */
	int			 nsocks, cap;
	int			 first;		/* where the next curlpoll_fds starts */
	double			 due;		/* curl's timer, monotonic s; <0 none */
};

/* cp must stay where it is while multi lives: curl calls back with its address. */
void	curlpoll_init(struct curlpoll *cp, CURLM *multi);
/* Frees the watch list; after curl_multi_cleanup, which may still call back. */
void	curlpoll_free(struct curlpoll *cp);

/*
 * Fills up to max pollfds with the sockets curl watches; returns how many. When max is too
 * small for all, each call starts where the last one stopped, so every socket is polled in turn.
 */
int	curlpoll_fds(struct curlpoll *cp, struct pollfd *fds, int max);
/* When curl's timer is due (monotonic seconds), <0 when it is not set. */
double	curlpoll_due(const struct curlpoll *cp);
/*
 * Tells curl about every ready socket of its own in fds (other descriptors are skipped, so one
 * array may serve several multis), then fires curl's timer if it is due.
 */
void	curlpoll_dispatch(struct curlpoll *cp, const struct pollfd *fds, int n);

/* How poll()'s revents are told to curl (CURL_CSELECT_* bits); exposed for its unit test. */
int	curlpoll_select_bits(short revents);

#endif
