/* gps.c — see gps.h. */
#include "gps.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gps.h>	/* libgps: <> skips src/gps.h, which "" found above */

#include "config.h"
#include "log.h"
#include "model.h"
#include "util.h"

#define DEFAULT_HOST		"localhost"
#define DEFAULT_PORT		"2947"
#define PROBE_TIMEOUT_SECONDS	3.0
/* Reports handled per loop round, so a flood from gpsd cannot starve the UI. */
#define READS_PER_ROUND		32

enum conn {
	CONN_OFF,	/* disabled or unusable address: never connects */
	CONN_WAIT,	/* until deadline, then an attempt */
	CONN_PROBE,	/* non-blocking connect in progress on probe_fd */
	CONN_OPEN	/* libgps session on data.gps_fd */
};

struct gps {
	const struct config	*cfg;
	char			 host[NI_MAXHOST];	/* numeric */
	char			 port[NI_MAXSERV];
	char			 endpoint[NI_MAXHOST + NI_MAXSERV + 4];
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;

	enum conn		 conn;
	int			 probe_fd;
	double			 deadline;	/* CONN_WAIT: retry; CONN_PROBE: give up */
	int			 backoff;	/* seconds before the next attempt after a failure */
	char			 error[160];

	struct gps_data_t	 data;
	bool			 pending;	/* whole lines may remain in libgps's buffer */
	int			 satellites;	/* from the latest SKY report, -1 unknown */
	bool			 have_fix;
	struct gps_fix		 fix;

	double			 created;	/* now_mono() at gps_new() */

	bool			 logged;
	enum gps_state		 logged_state;
};

bool
gps_coordinates_valid(double lat, double lon)
{
	if (!isfinite(lat) || !isfinite(lon))
		return false;
	if (lat < -90.0 || lat > 90.0 || lon < -180.0 || lon > 180.0)
		return false;
	/* Receivers and empty configs report (0, 0) when they know nothing. */
	return !(lat == 0.0 && lon == 0.0);
}

bool
gps_fix_usable(const struct gps_fix *fix, double now, double max_age)
{
	double age;

	if (fix == NULL || fix->mode < GPS_MODE_2D || fix->mode > GPS_MODE_3D)
		return false;
	if (!gps_coordinates_valid(fix->lat, fix->lon) || !isfinite(fix->received))
		return false;
	age = now - fix->received;
	return isfinite(age) && age >= 0.0 && age <= max_age;
}

void
gps_pick_location(const struct gps_fix *fix, const struct config *cfg, double now,
    struct location *out)
{
	location_clear(out);
	if (gps_fix_usable(fix, now, cfg->gps.max_fix_age_seconds)) {
		out->source = LOC_GPS;
		out->lat = fix->lat;
		out->lon = fix->lon;
		out->alt_m = fix->alt_m;
		out->accuracy_m = fix->accuracy_m;
		out->satellites = fix->satellites;
		out->fix_time = fix->time;
		return;
	}
	if (cfg->station.has_position &&
	    gps_coordinates_valid(cfg->station.latitude, cfg->station.longitude)) {
		out->source = LOC_STATION;
		out->lat = cfg->station.latitude;
		out->lon = cfg->station.longitude;
	}
}

void
gps_location(const struct gps *g, const struct config *cfg, double now, struct location *out)
{
	gps_pick_location(g != NULL && g->have_fix ? &g->fix : NULL, cfg, now, out);
}

const char *
gps_state_name(enum gps_state s)
{
	switch (s) {
	case GPS_STATE_OFF:		return "off";
	case GPS_STATE_CONNECTING:	return "connecting";
	case GPS_STATE_NO_DAEMON:	return "no gpsd";
	case GPS_STATE_NO_FIX:		return "no fix";
	case GPS_STATE_STALE:		return "stale fix";
	case GPS_STATE_FIX:		return "fix";
	}
	return "?";
}

enum gps_state
gps_state(const struct gps *g, double now)
{
	if (g == NULL || g->conn == CONN_OFF)
		return GPS_STATE_OFF;
	if (g->conn != CONN_OPEN)
		return g->error[0] == '\0' ? GPS_STATE_CONNECTING : GPS_STATE_NO_DAEMON;
	if (!g->have_fix || g->fix.mode < GPS_MODE_2D ||
	    !gps_coordinates_valid(g->fix.lat, g->fix.lon))
		return GPS_STATE_NO_FIX;
	if (!gps_fix_usable(&g->fix, now, g->cfg->gps.max_fix_age_seconds))
		return GPS_STATE_STALE;
	return GPS_STATE_FIX;
}

bool
gps_settling(const struct gps *g, double now)
{
	enum gps_state s = gps_state(g, now);

	if (now - g->created >= GPS_SETTLE_SECONDS)
		return false;
	return s == GPS_STATE_CONNECTING || s == GPS_STATE_NO_FIX ||
	    (s == GPS_STATE_FIX && g->fix.time <= 0);
}

const struct gps_fix *
gps_last_fix(const struct gps *g)
{
	return g->have_fix ? &g->fix : NULL;
}

int
gps_satellites_used(const struct gps *g)
{
	return g->conn == CONN_OPEN ? g->satellites : -1;
}

const char *
gps_endpoint(const struct gps *g)
{
	return g->endpoint;
}

const char *
gps_error(const struct gps *g)
{
	return g->error[0] != '\0' ? g->error : NULL;
}

static const char *
fmt_count(char *buf, size_t len, int n)
{
	if (n < 0)
		return "unknown";
	snprintf(buf, len, "%d", n);
	return buf;
}

static const char *
fmt_metres(char *buf, size_t len, double m)
{
	if (!isfinite(m))
		return "unknown";
	snprintf(buf, len, "%.0f m", m);
	return buf;
}

/* One log line per state change: a missing gpsd must not fill the journal every second. */
static void
note_state(struct gps *g, double now)
{
	enum gps_state s = gps_state(g, now);
	char sats[16], acc[32];

	if (g->logged && s == g->logged_state)
		return;
	g->logged = true;
	g->logged_state = s;
	switch (s) {
	case GPS_STATE_OFF:
		log_info("gps: off");
		break;
	case GPS_STATE_CONNECTING:
		break;		/* transient: its outcome is logged */
	case GPS_STATE_NO_DAEMON:
		log_warn("gps: gpsd at %s not reachable (%s); retrying every %d s at most",
		    g->endpoint, g->error, GPS_RETRY_MAX_SECONDS);
		break;
	case GPS_STATE_NO_FIX:
		log_info("gps: no fix from gpsd at %s", g->endpoint);
		break;
	case GPS_STATE_STALE:
		log_warn("gps: no report for %.0f s; last fix not used", now - g->fix.received);
		break;
	case GPS_STATE_FIX:
		log_info("gps: %dD fix %.6f %.6f, satellites %s, accuracy %s", g->fix.mode,
		    g->fix.lat, g->fix.lon, fmt_count(sats, sizeof sats, g->fix.satellites),
		    fmt_metres(acc, sizeof acc, g->fix.accuracy_m));
		break;
	}
}

static void
retry_later(struct gps *g, double now, const char *why)
{
	snprintf(g->error, sizeof g->error, "%s", why);
	g->conn = CONN_WAIT;
	g->deadline = now + g->backoff;
	g->backoff = g->backoff * 2 > GPS_RETRY_MAX_SECONDS ? GPS_RETRY_MAX_SECONDS : g->backoff * 2;
	g->pending = false;
	g->have_fix = false;
}

static void
close_session(struct gps *g, double now, const char *why)
{
	gps_close(&g->data);
	retry_later(g, now, why);
}

static int
set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/*
 * The probe has shown gpsd accepts connections, so libgps's blocking connect returns at once.
 * Its socket is then made non-blocking: gps_read() recv()s whenever its buffer holds no whole
 * line, and a partial line must not block the loop.
 */
static void
open_session(struct gps *g, double now)
{
	memset(&g->data, 0, sizeof g->data);
	if (gps_open(g->host, g->port, &g->data) != 0) {
		retry_later(g, now, gps_errstr(errno));
		return;
	}
	/* libgps writes WATCH with a plain write(): to a gpsd that already hung up that is EPIPE,
	 * not a fatal SIGPIPE, because signals_init() ignores SIGPIPE for the whole process. */
	if (set_nonblocking(g->data.gps_fd) != 0 ||
	    gps_stream(&g->data, WATCH_ENABLE | WATCH_JSON, NULL) != 0) {
		close_session(g, now, "cannot start watching");
		return;
	}
	g->conn = CONN_OPEN;
	g->pending = false;
	g->satellites = -1;
	g->have_fix = false;
	g->error[0] = '\0';
}

static void
start_attempt(struct gps *g, double now)
{
	int fd = socket(g->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		retry_later(g, now, strerror(errno));
		return;
	}
	if (connect(fd, (struct sockaddr *)&g->addr, g->addrlen) == 0) {
		close(fd);
		open_session(g, now);
		return;
	}
	if (errno != EINPROGRESS) {
		retry_later(g, now, strerror(errno));
		close(fd);
		return;
	}
	g->probe_fd = fd;
	g->conn = CONN_PROBE;
	g->deadline = now + PROBE_TIMEOUT_SECONDS;
}

static void
finish_probe(struct gps *g, double now, bool timed_out)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (timed_out)
		err = ETIMEDOUT;
	else if (getsockopt(g->probe_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	close(g->probe_fd);
	g->probe_fd = -1;
	if (err != 0)
		retry_later(g, now, strerror(err));
	else
		open_session(g, now);
}

static void
take_fix(struct gps *g, double now)
{
	const struct gps_fix_t *f = &g->data.fix;
	struct gps_fix *x = &g->fix;

	x->mode = f->mode;
	x->lat = f->latitude;
	x->lon = f->longitude;
	x->alt_m = f->mode == MODE_3D && isfinite(f->altMSL) ? f->altMSL : NAN;
	x->accuracy_m = isfinite(f->eph) && f->eph >= 0 ? f->eph : NAN;
	/* gpsd's first cycle can carry a fix with "uSat":0: a fix has satellites, so unknown. */
	x->satellites = g->satellites > 0 ? g->satellites : -1;
	x->time = f->time.tv_sec > 0 ? (double)f->time.tv_sec + (double)f->time.tv_nsec / 1e9 : 0;
	x->received = now;
	g->have_fix = true;
}

static void
take_report(struct gps *g, double now)
{
	const struct gps_data_t *d = &g->data;

	/* A VERSION banner means a real gpsd answered: the next failure starts the backoff afresh. */
	if (d->set & VERSION_SET)
		g->backoff = GPS_RETRY_MIN_SECONDS;
	if (d->set & SATELLITE_SET)
		g->satellites = d->satellites_used >= 0 && d->satellites_used <= MAXCHANNELS ?
		    d->satellites_used : -1;
	if (d->set & MODE_SET)
		take_fix(g, now);
}

/*
 * gps_read() returns > 0 per whole line it consumed and 0 when no whole line is buffered (its
 * non-blocking recv() found nothing more). Looping on gps_waiting() instead would spin: it is
 * true while a partial line sits in the buffer.
 */
static void
read_reports(struct gps *g, double now)
{
	for (int i = 0; i < READS_PER_ROUND; i++) {
		int r;

		g->data.set = 0;
		r = gps_read(&g->data, NULL, 0);
		if (r < 0) {
			close_session(g, now, errno != 0 ? strerror(errno) :
			    "connection closed, or a line too long");
			return;
		}
		if (r == 0) {
			g->pending = false;
			return;
		}
		take_report(g, now);
	}
	g->pending = true;
}

static int
gps_fds(void *ctx, struct pollfd *fds, int max)
{
	struct gps *g = ctx;

	if (max < 1)
		return 0;
	if (g->conn == CONN_PROBE) {
		fds[0] = (struct pollfd){ .fd = g->probe_fd, .events = POLLOUT };
		return 1;
	}
	if (g->conn == CONN_OPEN) {
		fds[0] = (struct pollfd){ .fd = g->data.gps_fd, .events = POLLIN };
		return 1;
	}
	return 0;
}

static int
gps_timeout_ms(void *ctx)
{
	struct gps *g = ctx;
	double now = now_mono();

	switch (g->conn) {
	case CONN_OFF:
		return -1;
	case CONN_WAIT:
	case CONN_PROBE:
		return deadline_ms(g->deadline, now);
	case CONN_OPEN:
		if (g->pending)
			return 0;
		/*
		 * Wake when the fix turns stale, so the change is seen (and logged) on time: 1 ms
		 * past its maximum age, as a fix exactly that old is still usable.
		 */
		if (gps_state(g, now) == GPS_STATE_FIX)
			return deadline_ms(g->fix.received + g->cfg->gps.max_fix_age_seconds + 0.001,
			    now);
		return -1;
	}
	return -1;
}

static void
gps_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct gps *g = ctx;
	double now = now_mono();
	short rev = 0;

	if (n > 0)
		rev = fds[0].revents;

	switch (g->conn) {
	case CONN_OFF:
		break;
	case CONN_WAIT:
		if (now >= g->deadline)
			start_attempt(g, now);
		break;
	case CONN_PROBE:
		if (rev != 0)
			finish_probe(g, now, false);
		else if (now >= g->deadline)
			finish_probe(g, now, true);
		break;
	case CONN_OPEN:
		if (g->pending || (rev & (POLLIN | POLLHUP | POLLERR)) != 0)
			read_reports(g, now);
		break;
	}
	note_state(g, now);
}

struct loop_source
gps_loop_source(struct gps *g)
{
	return (struct loop_source){
		.fds = gps_fds, .timeout_ms = gps_timeout_ms, .dispatch = gps_dispatch, .ctx = g
	};
}

/* Numeric addresses only (see gps.h); "localhost" is the loopback address. */
static int
resolve(struct gps *g, const char *host, const char *port)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
	}, *ai;
	int rc;

	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(g->error, sizeof g->error,
		    "[gps] host '%s' port '%s': not an IP address and port (%s)",
		    host, port, gai_strerror(rc));
		return -1;
	}
	memcpy(&g->addr, ai->ai_addr, ai->ai_addrlen);
	g->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	snprintf(g->host, sizeof g->host, "%s", host);
	snprintf(g->port, sizeof g->port, "%s", port);
	return 0;
}

struct gps *
gps_new(const struct config *cfg)
{
	struct gps *g = xcalloc(1, sizeof *g);
	const char *host = cfg->gps.host != NULL ? cfg->gps.host : DEFAULT_HOST;
	const char *port = cfg->gps.port != NULL ? cfg->gps.port : DEFAULT_PORT;

	g->cfg = cfg;
	g->created = now_mono();
	g->probe_fd = -1;
	g->satellites = -1;
	g->backoff = GPS_RETRY_MIN_SECONDS;
	g->conn = CONN_OFF;
	snprintf(g->endpoint, sizeof g->endpoint, "%s:%s", host, port);
	if (!cfg->gps.enabled)
		snprintf(g->error, sizeof g->error, "[gps] enabled = false");
	else if (resolve(g, host, port) != 0)
		log_err("gps: %s; GPS is off", g->error);
	else {
		g->conn = CONN_WAIT;
		g->deadline = 0;	/* connect on the first loop round */
	}
	return g;
}

void
gps_free(struct gps *g)
{
	if (g == NULL)
		return;
	if (g->conn == CONN_PROBE)
		close(g->probe_fd);
	if (g->conn == CONN_OPEN)
		gps_close(&g->data);
	free(g);
}
