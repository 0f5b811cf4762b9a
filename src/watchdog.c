/* watchdog.c — see watchdog.h. */
#include "watchdog.h"

#include <stdint.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "util.h"

static int
watchdog_timeout_ms(void *ctx)
{
	struct watchdog *w = ctx;

	return w->enabled ? deadline_ms(w->next, now_mono()) : -1;
}

/* The loop dispatches every source each round: ping only once the deadline has come. */
static void
watchdog_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct watchdog *w = ctx;
	double now;
	int r;

	(void)fds;
	(void)n;
	if (!w->enabled)
		return;
	now = now_mono();
	if (now < w->next)
		return;
	r = sd_notify(0, "WATCHDOG=1");
	if (r < 0)
		log_warn("watchdog: sd_notify failed: %s", strerror(-r));
	w->next = now + w->interval;
}

int
watchdog_init(struct watchdog *w, struct loop_source *src)
{
	uint64_t usec = 0;
	int r;

	memset(w, 0, sizeof *w);
	memset(src, 0, sizeof *src);
	src->timeout_ms = watchdog_timeout_ms;
	src->dispatch = watchdog_dispatch;
	src->ctx = w;

	r = sd_watchdog_enabled(0, &usec);
	if (r < 0) {
		log_warn("watchdog: invalid WATCHDOG_USEC/WATCHDOG_PID: %s", strerror(-r));
		return -1;
	}
	if (r == 0 || usec == 0)
		return 0;
	w->enabled = true;
	w->interval = (double)usec / 1e6 / 2.0;
	w->next = now_mono();	/* the first ping goes out on the first round */
	log_info("watchdog: pinging systemd every %.1f s", w->interval);
	return 0;
}

void
watchdog_ready(void)
{
	sd_notify(0, "READY=1");
}

void
watchdog_status(const char *text)
{
	sd_notifyf(0, "STATUS=%s", text);
}

void
watchdog_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
