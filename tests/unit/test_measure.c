/*
 * test_measure.c — the engine's state machine without a server: no candidates, a refused
 * loopback port, cancellation, and the poll() contract (descriptors, timeout, no busy loop).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "measure.h"
#include "util.h"

/* A loopback port nobody listens on: bind, read the port, close. */
static int
closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void
server_at(struct measure_server *s, const char *name, int port)
{
	s->name = xstrdup(name);
	s->url = xasprintf("http://127.0.0.1:%d/", port);
	s->garbage_url = xasprintf("%sgarbage", s->url);
	s->empty_url = xasprintf("%sempty", s->url);
	s->getip_url = NULL;
}

static void
server_free_fields(struct measure_server *s)
{
	free(s->name);
	free(s->url);
	free(s->garbage_url);
	free(s->empty_url);
}

/* Drives the engine as a poll() loop would; returns the number of rounds. */
static int
drive(struct measure *m, double limit_s)
{
	struct pollfd fds[64];
	double end = now_mono() + limit_s;
	int rounds = 0;

	while (!measure_finished(m) && now_mono() < end) {
		int n = measure_fds(m, fds, 64);
		int t = measure_timeout(m);

		assert_true(t >= 0 && t <= 1000);
		poll(fds, (nfds_t)n, t);
		measure_step(m, fds, n);
		rounds++;
	}
	return rounds;
}

static void
test_defaults_and_names(void **state)
{
	struct measure_opts o;

	(void)state;
	measure_opts_default(&o);
	assert_int_equal(o.download_streams, 6);
	assert_int_equal(o.upload_streams, 4);
	assert_true(o.ping_count >= 10);
	assert_true(o.max_seconds > 0 && o.max_seconds * 2 <= 15);
	assert_string_equal(test_error_name(MERR_NONE), "none");
	assert_string_equal(test_error_name(MERR_STALLED), "stalled");
	assert_string_equal(test_error_name(MERR_BAD_DATA), "bad_data");
	assert_string_equal(test_error_name((enum test_error)999), "internal");
}

static void
test_no_candidates(void **state)
{
	struct measure *m = measure_new(NULL, 0, NULL);

	(void)state;
	assert_false(measure_finished(m));
	assert_int_equal(measure_timeout(m), -1);	/* idle: nothing to wait for */
	assert_int_equal(measure_start(m), -1);
	assert_true(measure_finished(m));
	assert_int_equal(measure_result(m)->error, MERR_NO_SERVER);
	assert_int_equal(measure_fds(m, NULL, 0), 0);
	assert_int_equal(measure_timeout(m), -1);
	measure_free(m);
}

static void
test_refused(void **state)
{
	struct measure_server s;
	struct test_progress p;
	struct measure *m;
	double t0;
	int rounds;

	(void)state;
	server_at(&s, "closed", closed_port());
	m = measure_new(&s, 1, NULL);
	server_free_fields(&s);		/* candidates are copied */
	assert_int_equal(measure_start(m), 0);
	measure_progress(m, &p);
	assert_int_equal(p.phase, PHASE_LATENCY);	/* one candidate: no selection */
	t0 = now_mono();
	rounds = drive(m, 5);
	assert_true(measure_finished(m));
	assert_true(now_mono() - t0 < 1);
	assert_true(rounds < 100);
	assert_int_equal(measure_result(m)->error, MERR_CONNECT);
	assert_non_null(strstr(measure_result(m)->message, "latency"));
	measure_progress(m, &p);
	assert_int_equal(p.phase, PHASE_FAILED);
	measure_free(m);
}

static void
test_selection_none_answers(void **state)
{
	struct measure_server s[2];
	struct measure *m;

	(void)state;
	server_at(&s[0], "a", closed_port());
	server_at(&s[1], "b", closed_port());
	m = measure_new(s, 2, NULL);
	server_free_fields(&s[0]);
	server_free_fields(&s[1]);
	assert_int_equal(measure_start(m), 0);
	drive(m, 5);
	assert_int_equal(measure_result(m)->error, MERR_NO_SERVER);
	assert_null(measure_result(m)->server_name);
	measure_free(m);
}

static void
test_cancel(void **state)
{
	struct measure_server s;
	struct measure_opts o;
	struct measure *m;
	int listener, port;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	(void)state;
	/* a server that accepts (the kernel's backlog) but never answers */
	listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(listener, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(listener, 8), 0);
	assert_int_equal(getsockname(listener, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	server_at(&s, "silent", port);
	measure_opts_default(&o);
	m = measure_new(&s, 1, &o);
	server_free_fields(&s);
	assert_int_equal(measure_start(m), 0);
	drive(m, 0.3);
	assert_false(measure_finished(m));
	assert_true(measure_fds(m, (struct pollfd[8]){ 0 }, 8) >= 1);	/* waits on the socket */
	measure_cancel(m);
	assert_true(measure_finished(m));
	assert_int_equal(measure_result(m)->error, MERR_CANCELLED);
	assert_int_equal(measure_timeout(m), -1);
	measure_free(m);
	close(listener);
}

/* getIP replies are hostile input: the IP must look like one, the ISP must be safe to show. */
static void
getip(const char *body, int rc, const char *ip, const char *isp)
{
	char *gip, *gisp;

	assert_int_equal(measure_parse_getip(body, strlen(body), &gip, &gisp), rc);
	if (ip == NULL)
		assert_null(gip);
	else
		assert_string_equal(gip, ip);
	if (isp == NULL)
		assert_null(gisp);
	else
		assert_string_equal(gisp, isp);
	free(gip);
	free(gisp);
}

static void
test_parse_getip(void **state)
{
	char body[600], want[200];

	(void)state;
	getip("{\"processedString\":\"127.0.0.1 - VNPT, VN (3 km)\",\"rawIspInfo\":\"\"}", 0,
	    "127.0.0.1", "VNPT, VN (3 km)");
	getip("{\"processedString\":\"2001:db8::1\",\"rawIspInfo\":{\"org\":\"AS7552 Viettel\"}}", 0,
	    "2001:db8::1", "AS7552 Viettel");
	getip("{\"processedString\":\"<b>x</b> - ISP\"}", 0, NULL, "ISP");
	getip("{\"processedString\":\"127.0.0.1 - \\u001b[2J\\u001b]0;pwned\\u0007Evil\\u009b31m "
	    "\\u202eISP\\r\\nX\"}", 0, "127.0.0.1", "Evil31m ISP X");
	getip("{\"processedString\":\"127.0.0.1 - \\u001b[0m\"}", 0, "127.0.0.1", NULL);
	getip("[1,2]", -1, NULL, NULL);
	getip("<html>portal</html>", -1, NULL, NULL);
	/* a long ISP is cut to 128 bytes at a character boundary, never mid-letter */
	strcpy(body, "{\"processedString\":\"10.0.0.1 - ");
	for (int i = 0; i < 100; i++)
		strcat(body, "\xe1\xbb\x99");	/* ộ */
	strcat(body, "\"}");
	want[0] = '\0';
	for (int i = 0; i < 42; i++)
		strcat(want, "\xe1\xbb\x99");
	getip(body, 0, "10.0.0.1", want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_names),
		cmocka_unit_test(test_no_candidates),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_selection_none_answers),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_parse_getip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
