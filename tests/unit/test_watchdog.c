/* test_watchdog.c — systemd notifications reach NOTIFY_SOCKET at the promised times. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"
#include "watchdog.h"

struct fake_systemd {
	int	fd;
	char	path[108];
};

/* A datagram socket standing in for systemd's notify socket. */
static int
setup(void **state)
{
	struct fake_systemd *s = calloc(1, sizeof *s);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char pid[32];

	assert_non_null(s);
	snprintf(s->path, sizeof s->path, "/tmp/tramdo-notify-%ld", (long)getpid());
	unlink(s->path);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(s->fd >= 0);
	strcpy(sa.sun_path, s->path);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("NOTIFY_SOCKET", s->path, 1);
	setenv("WATCHDOG_PID", pid, 1);
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	struct fake_systemd *s = *state;

	close(s->fd);
	unlink(s->path);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	free(s);
	return 0;
}

/* The next message, or "" when none is waiting. */
static void
receive(struct fake_systemd *s, char *buf, size_t len)
{
	ssize_t n = recv(s->fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

static void
test_pings_at_half_interval(void **state)
{
	struct fake_systemd *s = *state;
	struct watchdog w;
	struct loop_source src;
	char msg[256];
	int t;

	setenv("WATCHDOG_USEC", "400000", 1);
	assert_int_equal(watchdog_init(&w, &src), 0);
	assert_true(w.enabled);
	assert_true(w.interval > 0.199 && w.interval < 0.201);
	assert_int_equal(src.timeout_ms(src.ctx), 0);	/* first ping right away */

	src.dispatch(src.ctx, NULL, 0);
	receive(s, msg, sizeof msg);
	assert_string_equal(msg, "WATCHDOG=1");

	t = src.timeout_ms(src.ctx);
	assert_true(t > 150 && t <= 201);
	src.dispatch(src.ctx, NULL, 0);	/* too early: nothing sent */
	receive(s, msg, sizeof msg);
	assert_string_equal(msg, "");

	usleep((useconds_t)t * 1000);
	src.dispatch(src.ctx, NULL, 0);
	receive(s, msg, sizeof msg);
	assert_string_equal(msg, "WATCHDOG=1");
}

static void
test_ready_and_status(void **state)
{
	struct fake_systemd *s = *state;
	char msg[256];

	watchdog_ready();
	receive(s, msg, sizeof msg);
	assert_string_equal(msg, "READY=1");
	watchdog_status("Chờ người dùng");
	receive(s, msg, sizeof msg);
	assert_string_equal(msg, "STATUS=Chờ người dùng");
}

static void
test_no_watchdog_never_fires(void **state)
{
	struct fake_systemd *s = *state;
	struct watchdog w;
	struct loop_source src;
	char msg[256];

	unsetenv("WATCHDOG_USEC");
	assert_int_equal(watchdog_init(&w, &src), 0);
	assert_false(w.enabled);
	assert_int_equal(src.timeout_ms(src.ctx), -1);
	src.dispatch(src.ctx, NULL, 0);
	receive(s, msg, sizeof msg);
	assert_string_equal(msg, "");
}

static void
test_other_process_watchdog_ignored(void **state)
{
	struct watchdog w;
	struct loop_source src;

	(void)state;
	setenv("WATCHDOG_USEC", "400000", 1);
	setenv("WATCHDOG_PID", "1", 1);	/* meant for another process */
	assert_int_equal(watchdog_init(&w, &src), 0);
	assert_false(w.enabled);
}

static void
test_garbage_usec_rejected(void **state)
{
	struct watchdog w;
	struct loop_source src;

	(void)state;
	setenv("WATCHDOG_USEC", "12abc", 1);
	assert_int_equal(watchdog_init(&w, &src), -1);
	assert_false(w.enabled);
	assert_int_equal(src.timeout_ms(src.ctx), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pings_at_half_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_watchdog_never_fires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_process_watchdog_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_usec_rejected, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
