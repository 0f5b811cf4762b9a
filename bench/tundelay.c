/*
 * tundelay — a fixed propagation delay for the benchmark links (this kernel has no netem).
 *
 *   tundelay DEV DELAY_MS [MAX_PACKETS]
 *
 * Creates the TUN device DEV and sends every packet the kernel routes into it back into the
 * kernel through the same device DELAY_MS later, in order. bench/lib-netns.sh routes the router
 * namespace's forwarded traffic into DEV by policy routing (ip rule iif …) and lets what comes
 * back out of DEV take the normal route, so each direction is delayed once: the round trip grows
 * by 2 × DELAY_MS. Rate and queueing stay tbf's, on the router's egress veths.
 *
 * Prints "ready" on stdout once DEV exists. SIGTERM or SIGINT end it; the counts go to stderr.
 * A full queue (MAX_PACKETS, default 32768, ~50 MB at 1,500 bytes) drops the packet, as a full
 * router queue would; the count of drops is reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOT_BYTES	2048	/* the device's MTU stays 1,500: a packet always fits */

struct slot {
	uint64_t	due_ns;
	uint16_t	len;
	unsigned char	data[SLOT_BYTES];
};

struct queue {
	struct slot	*v;
	size_t		 cap, head, n;
	uint64_t	 passed, dropped;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
tun_open(const char *name)
{
	struct ifreq ifr;
	int fd;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads every packet waiting on fd into the queue, stamped with when it may leave. */
static void
take_in(int fd, struct queue *q, uint64_t delay_ns)
{
	for (;;) {
		struct slot *s = &q->v[(q->head + q->n) % q->cap];
		unsigned char scratch[SLOT_BYTES];
		bool full = q->n == q->cap;
		ssize_t r = read(fd, full ? scratch : s->data, SLOT_BYTES);

		if (r <= 0)
			return;
		if (full) {
			q->dropped++;
			continue;
		}
		s->len = (uint16_t)r;
		s->due_ns = now_ns() + delay_ns;
		q->n++;
	}
}

/* Writes back every packet whose time has come; a full device queue keeps it for the next turn. */
static void
send_due(int fd, struct queue *q)
{
	uint64_t t = now_ns();

	while (q->n > 0 && q->v[q->head].due_ns <= t) {
		struct slot *s = &q->v[q->head];

		if (write(fd, s->data, s->len) < 0 && errno == EAGAIN)
			return;
		q->head = (q->head + 1) % q->cap;
		q->n--;
		q->passed++;
	}
}

static void
wait_for_work(int fd, const struct queue *q)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec ts, *tp = NULL;

	if (q->n > 0) {
		uint64_t t = now_ns(), due = q->v[q->head].due_ns;
		uint64_t wait = due > t ? due - t : 0;

		ts.tv_sec = (time_t)(wait / 1000000000u);
		ts.tv_nsec = (long)(wait % 1000000000u);
		tp = &ts;
	}
	ppoll(&p, 1, tp, NULL);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct queue q = { .cap = 32768 };
	double delay_ms;
	char *end;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: tundelay DEV DELAY_MS [MAX_PACKETS]\n");
		return 2;
	}
	delay_ms = strtod(argv[2], &end);
	if (*end != '\0' || !(delay_ms >= 0 && delay_ms <= 10000)) {
		fprintf(stderr, "tundelay: DELAY_MS must be 0..10000, not '%s'\n", argv[2]);
		return 2;
	}
	if (argc == 4 && (q.cap = strtoul(argv[3], &end, 10)) == 0) {
		fprintf(stderr, "tundelay: MAX_PACKETS must be a positive number\n");
		return 2;
	}
	if ((q.v = malloc(q.cap * sizeof *q.v)) == NULL) {
		fprintf(stderr, "tundelay: no memory for %zu packets\n", q.cap);
		return 1;
	}
	if ((fd = tun_open(argv[1])) < 0) {
		fprintf(stderr, "tundelay: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		wait_for_work(fd, &q);
		take_in(fd, &q, (uint64_t)(delay_ms * 1e6));
		send_due(fd, &q);
	}
	fprintf(stderr, "tundelay: %s: %llu packets passed, %llu dropped (queue full), %zu left\n",
	    argv[1], (unsigned long long)q.passed, (unsigned long long)q.dropped, q.n);
	close(fd);
	free(q.v);
	return 0;
}
