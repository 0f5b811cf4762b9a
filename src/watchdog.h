/*
 * watchdog.h — systemd service notification (Type=notify, WatchdogSec=). The kiosk tells
 * systemd when it is ready, and keeps pinging from its event loop: a hung loop stops the
 * pings and systemd restarts the kiosk, not only when it crashes. Outside systemd (no
 * NOTIFY_SOCKET, no WATCHDOG_USEC) everything here is a harmless no-op.
 */
#ifndef TRAMDO_WATCHDOG_H
#define TRAMDO_WATCHDOG_H

#include <stdbool.h>

#include "loop.h"

struct watchdog {
	bool	enabled;	/* systemd expects pings for this process */
	double	interval;	/* seconds between pings: half of WatchdogSec */
	double	next;		/* monotonic time of the next ping */
};

/*
 * Reads WATCHDOG_USEC/WATCHDOG_PID (sd_watchdog_enabled) and fills src with a loop source
 * whose timeout fires at half the interval and sends WATCHDOG=1. Returns 0 (also when no
 * watchdog is configured: the source then never fires), -1 when the variables are invalid.
 */
int  watchdog_init(struct watchdog *w, struct loop_source *src);
/* READY=1: the kiosk is drawn and polling. */
void watchdog_ready(void);
/* STATUS=text, shown by systemctl status. */
void watchdog_status(const char *text);
/* STOPPING=1: a clean exit, so a slow shutdown is not taken for a hang. */
void watchdog_stopping(void);

#endif
