/*
 * test_curlpoll.c — real HTTP transfers from a loopback server that lives in this process (a
 * non-blocking listener served in the same poll() loop), driven only through curlpoll_fds,
 * curlpoll_due and curlpoll_dispatch: a body arrives whole, a peer that resets mid-body ends
 * the transfer with an error at once, curl's own timer ends a silent transfer, and sockets
 * beyond the room in the poll array are polled too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "curlpoll.h"
#include "util.h"

#define MAX_CONN	64

/*
 * ---- the server: accepts, reads one request per connection, answers per mode; a request
 * for /silent is never answered ----
 */

enum reply_mode {
	REPLY_FULL,	/* the whole reply, then close */
	REPLY_RESET,	/* reset_at bytes of it; the test then resets the connection */
};

struct conn {
	int	fd;
	char	req[2048];
	size_t	qlen, sent;
	bool	answering;
};

struct server {
	int		 lfd, port;
	enum reply_mode	 mode;
	char		*reply;
	size_t		 rlen, head_len, reset_at;
	struct conn	 c[MAX_CONN];
	int		 nconn, requests;
};

static unsigned char
body_byte(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static void
server_start(struct server *s, enum reply_mode mode, size_t body_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	char *head;

	memset(s, 0, sizeof *s);
	s->mode = mode;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->lfd, MAX_CONN), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	head = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", body_len);
	s->head_len = strlen(head);
	s->rlen = s->head_len + body_len;
	s->reply = xmalloc(s->rlen);
	memcpy(s->reply, head, s->head_len);
	for (size_t i = 0; i < body_len; i++)
		s->reply[s->head_len + i] = (char)body_byte(i);
	free(head);
}

static void
conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
}

static void
server_stop(struct server *s)
{
	for (int i = 0; i < s->nconn; i++)
		if (s->c[i].fd >= 0)
			conn_close(&s->c[i]);
	close(s->lfd);
	free(s->reply);
}

/* Bytes of the reply this connection sends before it stops. */
static size_t
reply_limit(const struct server *s)
{
	return s->mode == REPLY_RESET ? s->reset_at : s->rlen;
}

/* fds[0] is the listener, fds[1 + i] connection i (fd -1, which poll skips, once closed). */
static int
server_fds(const struct server *s, struct pollfd *fds)
{
	fds[0] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	for (int i = 0; i < s->nconn; i++) {
		const struct conn *c = &s->c[i];
		bool writing = c->answering && c->sent < reply_limit(s);

		fds[1 + i] = (struct pollfd){ .fd = c->fd, .events = writing ? POLLOUT : POLLIN };
	}
	return 1 + s->nconn;
}

static void
conn_write(struct server *s, struct conn *c)
{
	ssize_t got = write(c->fd, s->reply + c->sent, reply_limit(s) - c->sent);

	if (got > 0)
		c->sent += (size_t)got;
	if (got < 0 || (s->mode == REPLY_FULL && c->sent == s->rlen))
		conn_close(c);
}

static void
conn_read(struct server *s, struct conn *c)
{
	ssize_t got = read(c->fd, c->req + c->qlen, sizeof c->req - 1 - c->qlen);

	if (got <= 0) {
		conn_close(c);
		return;
	}
	c->qlen += (size_t)got;
	c->req[c->qlen] = '\0';
	if (!c->answering && strstr(c->req, "\r\n\r\n") != NULL) {
		s->requests++;
		c->answering = strncmp(c->req, "GET /silent ", 12) != 0;
	}
}

/* fds as server_fds filled them, n of them: connections accepted since were not polled. */
static void
server_dispatch(struct server *s, const struct pollfd *fds, int n)
{
	int fd;

	if (fds[0].revents & POLLIN) {
		while ((fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
			assert_true(s->nconn < MAX_CONN);
			s->c[s->nconn++] = (struct conn){ .fd = fd };
		}
	}
	for (int i = 0; i < n - 1; i++) {
		struct conn *c = &s->c[i];
		short ev = fds[1 + i].revents;

		if (c->fd < 0 || ev == 0)
			continue;
		if (ev & POLLOUT)
			conn_write(s, c);
		else
			conn_read(s, c);
	}
}

/* An RST, not a FIN: the client sees POLLERR and POLLHUP, and reads ECONNRESET. */
static void
server_reset(struct server *s)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	for (int i = 0; i < s->nconn; i++) {
		if (s->c[i].fd < 0)
			continue;
		assert_int_equal(setsockopt(s->c[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
		conn_close(&s->c[i]);
	}
}

/* ---- the client: easy handles in one multi, driven through curlpoll ---- */

struct xfer {
	CURL		*easy;
	char		*body;
	size_t		 len;
	CURLcode	 rc;
	bool		 done;
};

struct run {
	int	rounds;		/* poll() calls */
	bool	saw_hup;	/* poll reported POLLHUP on one of curl's sockets */
};

static size_t
on_body(char *data, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;

	x->body = xrealloc(x->body, x->len + size * n);
	memcpy(x->body + x->len, data, size * n);
	x->len += size * n;
	return size * n;
}

static void
xfer_start(struct xfer *x, CURLM *multi, int port, const char *path, long timeout_ms)
{
	char url[64];

	memset(x, 0, sizeof *x);
	x->easy = curl_easy_init();
	assert_non_null(x->easy);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", port, path);
	curl_easy_setopt(x->easy, CURLOPT_URL, url);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	if (timeout_ms > 0)
		curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	assert_int_equal(curl_multi_add_handle(multi, x->easy), CURLM_OK);
}

static void
xfer_free(struct xfer *x, CURLM *multi)
{
	curl_multi_remove_handle(multi, x->easy);
	curl_easy_cleanup(x->easy);
	free(x->body);
}

static int
reap(CURLM *multi)
{
	CURLMsg *msg;
	int left, done = 0;

	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		struct xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		x->rc = msg->data.result;
		x->done = true;
		done++;
	}
	return done;
}

/*
 * One round of the poll() loop of a program with two sources: the server's descriptors first,
 * then curl's (at most curl_max of them). curlpoll_dispatch gets the whole array and must pick
 * its own. poll waits for curl's timer, or until end. Returns how many transfers finished.
 */
static int
one_round(struct curlpoll *cp, struct server *s, int curl_max, double end, struct run *r)
{
	struct pollfd fds[1 + MAX_CONN + MAX_CONN];
	int ns = server_fds(s, fds);
	int nc = curlpoll_fds(cp, fds + ns, curl_max);
	int n = ns + nc;

	assert_true(nc <= curl_max);
	if (poll(fds, (nfds_t)n, deadline_ms(deadline_earlier(curlpoll_due(cp), end),
	    now_mono())) < 0)
		assert_int_equal(errno, EINTR);
	r->rounds++;
	for (int i = ns; i < n; i++)
		r->saw_hup |= (fds[i].revents & POLLHUP) != 0;
	server_dispatch(s, fds, ns);
	curlpoll_dispatch(cp, fds, n);
	return reap(cp->multi);
}

/* Rounds until ntransfers have finished or limit_s has passed. */
static void
drive(struct curlpoll *cp, struct server *s, int curl_max, int ntransfers, double limit_s,
    struct run *r)
{
	double end = now_mono() + limit_s;
	int finished = 0;

	memset(r, 0, sizeof *r);
	while (finished < ntransfers && now_mono() < end)
		finished += one_round(cp, s, curl_max, end, r);
}

/* One multi and its curlpoll, as measure.c, upload.c and servers.c set them up. */
static CURLM *
multi_new(struct curlpoll *cp)
{
	CURLM *multi = curl_multi_init();

	assert_non_null(multi);
	curlpoll_init(cp, multi);
	assert_true(curlpoll_due(cp) < 0);
	assert_int_equal(curlpoll_fds(cp, (struct pollfd[1]){ 0 }, 1), 0);
	return multi;
}

static void
multi_free(struct curlpoll *cp, CURLM *multi)
{
	curl_multi_cleanup(multi);	/* may still call back: curlpoll_free comes after */
	curlpoll_free(cp);
}

static void
assert_body(const struct xfer *x, size_t len)
{
	assert_int_equal(x->rc, CURLE_OK);
	assert_int_equal(x->len, len);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)x->body[i] != body_byte(i))
			fail_msg("byte %zu of the body is %u, not %u", i,
			    (unsigned char)x->body[i], body_byte(i));
}

/* ---- tests ---- */

static void
test_select_bits(void **state)
{
	static const struct {
		short	revents;
		int	bits;
	} cases[] = {
		{ 0, 0 },
		{ POLLIN, CURL_CSELECT_IN },
		{ POLLOUT, CURL_CSELECT_OUT },
		{ POLLIN | POLLOUT, CURL_CSELECT_IN | CURL_CSELECT_OUT },
		/* a closed peer is read, so curl sees the EOF or the reset itself */
		{ POLLHUP, CURL_CSELECT_IN },
		{ POLLIN | POLLHUP, CURL_CSELECT_IN },
		{ POLLOUT | POLLHUP, CURL_CSELECT_IN | CURL_CSELECT_OUT },
		{ POLLERR, CURL_CSELECT_ERR },
		{ POLLNVAL, CURL_CSELECT_ERR },
		{ POLLIN | POLLERR | POLLHUP, CURL_CSELECT_IN | CURL_CSELECT_ERR },
		{ POLLOUT | POLLERR, CURL_CSELECT_OUT | CURL_CSELECT_ERR },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = curlpoll_select_bits(cases[i].revents);

		if (got != cases[i].bits)
			fail_msg("case %zu: revents %#x gave %#x, not %#x", i,
			    (unsigned)cases[i].revents, (unsigned)got, (unsigned)cases[i].bits);
	}
}

static void
test_body_arrives(void **state)
{
	size_t len = 1u << 20;
	struct curlpoll cp;
	CURLM *multi = multi_new(&cp);
	struct server s;
	struct xfer x;
	struct run r;
	long code = 0;

	(void)state;
	server_start(&s, REPLY_FULL, len);
	xfer_start(&x, multi, s.port, "garbage", 0);
	/* a new transfer asks for its first step at once */
	assert_int_equal(deadline_ms(curlpoll_due(&cp), now_mono()), 0);
	drive(&cp, &s, MAX_CONN, 1, 20, &r);
	/* a loop that spins (a timer never fired, an event never consumed) takes ~10^5 rounds */
	assert_true(r.rounds <= 1000);
	assert_true(x.done);
	assert_body(&x, len);
	curl_easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &code);
	assert_int_equal(code, 200);
	assert_int_equal(s.requests, 1);
	print_message("1 MiB in %d rounds\n", r.rounds);
	/* the connection is closed: nothing left to watch */
	assert_int_equal(curlpoll_fds(&cp, (struct pollfd[4]){ 0 }, 4), 0);
	xfer_free(&x, multi);
	server_stop(&s);
	multi_free(&cp, multi);
}

/* The peer resets after part of the body: an error within a few rounds, not a busy loop. */
static void
test_reset_peer(void **state)
{
	size_t len = 1u << 20, part = 64u << 10;
	double end = now_mono() + 20;
	struct curlpoll cp;
	CURLM *multi = multi_new(&cp);
	struct server s;
	struct xfer x;
	struct run r;

	(void)state;
	server_start(&s, REPLY_RESET, len);
	s.reset_at = s.head_len + part;
	xfer_start(&x, multi, s.port, "garbage", 0);
	/* until curl holds every byte sent: then the reset is the only event left */
	memset(&r, 0, sizeof r);
	while (x.len < part && !x.done && now_mono() < end)
		one_round(&cp, &s, MAX_CONN, end, &r);
	assert_false(x.done);
	assert_int_equal(x.len, part);
	server_reset(&s);
	drive(&cp, &s, MAX_CONN, 1, 10, &r);
	assert_true(x.done);
	print_message("reset seen as %s in %d rounds\n", curl_easy_strerror(x.rc), r.rounds);
	assert_true(x.rc == CURLE_RECV_ERROR || x.rc == CURLE_PARTIAL_FILE);
	assert_true(r.saw_hup);
	assert_true(r.rounds <= 3);
	assert_int_equal(curlpoll_fds(&cp, (struct pollfd[4]){ 0 }, 4), 0);
	xfer_free(&x, multi);
	server_stop(&s);
	multi_free(&cp, multi);
}

/* A server that never answers: only curl's timer, through curlpoll_due, ends the transfer. */
static void
test_timer_ends_silent_transfer(void **state)
{
	struct curlpoll cp;
	CURLM *multi = multi_new(&cp);
	struct server s;
	struct xfer x;
	struct run r;
	double t0 = now_mono();

	(void)state;
	server_start(&s, REPLY_FULL, 0);
	xfer_start(&x, multi, s.port, "silent", 300);
	drive(&cp, &s, MAX_CONN, 1, 20, &r);
	assert_true(x.done);
	assert_int_equal(x.rc, CURLE_OPERATION_TIMEDOUT);
	assert_int_equal(s.requests, 1);
	assert_true(now_mono() - t0 >= 0.3);
	print_message("timed out after %.3f s in %d rounds\n", now_mono() - t0, r.rounds);
	/* a poll that woke early or a timer not fired would loop hundreds of times in 300 ms */
	assert_true(r.rounds <= 20);
	xfer_free(&x, multi);
	server_stop(&s);
	multi_free(&cp, multi);
}

/*
 * 8 transfers that never end hold the first 8 places of the watch list, then 32 more start
 * (40 sockets: upload.c used to refuse a 33rd). The poll array has room for 8 of curl's
 * sockets a round: only when each round polls the next 8 do the 32 complete.
 */
static void
test_sockets_beyond_the_array(void **state)
{
	enum { SILENT = 8, N = 32, SLOTS = 8 };
	size_t len = 64u << 10;
	struct curlpoll cp;
	CURLM *multi = multi_new(&cp);
	struct server s;
	struct xfer quiet[SILENT], x[N];
	struct run r;

	(void)state;
	server_start(&s, REPLY_FULL, len);
	for (int i = 0; i < SILENT; i++)
		xfer_start(&quiet[i], multi, s.port, "silent", 0);
	/* rounds of at most 50 ms until the server holds the 8 requests */
	for (double end = now_mono() + 20; s.requests < SILENT && now_mono() < end;)
		drive(&cp, &s, SLOTS, 1, 0.05, &r);
	assert_int_equal(s.requests, SILENT);
	for (int i = 0; i < N; i++)
		xfer_start(&x[i], multi, s.port, "garbage", 0);
	drive(&cp, &s, SLOTS, N, 20, &r);
	print_message("%d transfers beside %d silent ones through %d slots in %d rounds\n", N,
	    SILENT, SLOTS, r.rounds);
	assert_int_equal(s.requests, SILENT + N);
	for (int i = 0; i < N; i++) {
		assert_true(x[i].done);
		assert_body(&x[i], len);
		xfer_free(&x[i], multi);
	}
	assert_true(r.rounds <= 2000);
	for (int i = 0; i < SILENT; i++) {
		assert_false(quiet[i].done);
		xfer_free(&quiet[i], multi);
	}
	server_stop(&s);
	multi_free(&cp, multi);
}

static int
setup(void **state)
{
	(void)state;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select_bits),
		cmocka_unit_test(test_body_arrives),
		cmocka_unit_test(test_reset_peer),
		cmocka_unit_test(test_timer_ends_silent_transfer),
		cmocka_unit_test(test_sockets_beyond_the_array),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
