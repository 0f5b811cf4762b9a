/* signals.c — see signals.h. */
#include "signals.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int	 sfd = -1;
static sigset_t	 caught;
/* Arrived and not taken yet, by signal number (Linux numbers stay below 65). */
static bool	 arrived[65];

void
signals_init(void)
{
	static const int ignored[] = { SIGPIPE, SIGXFSZ };

	signals_ignore(ignored, 2);
}

void
signals_ignore(const int *sigs, int n)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&ign.sa_mask);
	for (int i = 0; i < n; i++)
		sigaction(sigs[i], &ign, NULL);
}

int
signals_catch(const int *sigs, int n)
{
	sigset_t more;
	int fd;

	sigemptyset(&more);
	for (int i = 0; i < n; i++) {
		sigaddset(&more, sigs[i]);
		sigaddset(&caught, sigs[i]);
	}
	if (sigprocmask(SIG_BLOCK, &more, NULL) != 0)
		return -1;
	/* signalfd() on an existing descriptor replaces its mask: every caught signal so far. */
	fd = signalfd(sfd, &caught, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	sfd = fd;
	return 0;
}

static int
signals_fds(void *ctx, struct pollfd *fds, int max)
{
	(void)ctx;
	if (sfd < 0 || max < 1)
		return 0;
	fds[0].fd = sfd;
	fds[0].events = POLLIN;
	return 1;
}

/* Everything the descriptor holds: it never blocks, and a loop without our source still learns. */
static void
drain(void)
{
	struct signalfd_siginfo si;

	while (sfd >= 0 && read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
		if (si.ssi_signo < sizeof arrived / sizeof arrived[0])
			arrived[si.ssi_signo] = true;
}

static void
signals_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	(void)ctx;
	if (n > 0 && fds[0].revents != 0)
		drain();
}

struct loop_source
signals_source(void)
{
	struct loop_source s = { .fds = signals_fds, .dispatch = signals_dispatch, .ctx = NULL };

	return s;
}

static bool
valid(int sig)
{
	return sig > 0 && (unsigned)sig < sizeof arrived / sizeof arrived[0];
}

bool
signals_take(int sig)
{
	bool was;

	if (!valid(sig))
		return false;
	drain();
	was = arrived[sig];
	arrived[sig] = false;
	return was;
}

bool
signals_pending(int sig)
{
	if (!valid(sig))
		return false;
	drain();
	return arrived[sig];
}

void
signals_release(void)
{
	if (sfd >= 0)
		close(sfd);
	sfd = -1;
	sigprocmask(SIG_UNBLOCK, &caught, NULL);
	sigemptyset(&caught);
	memset(arrived, 0, sizeof arrived);
}
