/*
 * gps.h — where a result was measured: a non-blocking gpsd client (libgps) that keeps the
 * latest fix, and the choice between that fix and the station's configured position.
 *
 * The client plugs into the poll() loop as a loop_source and never blocks it: gpsd absent,
 * stopped, restarted or sending garbage only changes the state, and the client reconnects with
 * exponential backoff (at most GPS_RETRY_MAX_SECONDS). All times are now_mono() seconds except
 * gps_fix.time, which is the receiver's own UTC time.
 *
 * [gps] host must be an IP address or "localhost": the address is connected to without
 * blocking first, and only when it has answered does libgps's (blocking) gps_open() connect
 * again, so a silent host cannot freeze the kiosk. Host names would need a blocking DNS lookup.
 */
#ifndef TRAMDO_GPS_H
#define TRAMDO_GPS_H

#include <stdbool.h>

#include "loop.h"

struct config;
struct location;
struct gps;

#define GPS_RETRY_MIN_SECONDS	1
#define GPS_RETRY_MAX_SECONDS	30
#define GPS_SETTLE_SECONDS	2.0

enum gps_state {
	GPS_STATE_OFF,		/* [gps] enabled = false, or host/port unusable */
	GPS_STATE_CONNECTING,	/* first attempt still under way */
	GPS_STATE_NO_DAEMON,	/* gpsd not reachable; retrying with backoff */
	GPS_STATE_NO_FIX,	/* connected; the receiver reports no 2D/3D fix (or nothing yet) */
	GPS_STATE_STALE,	/* connected; the last fix is older than max_fix_age_seconds */
	GPS_STATE_FIX		/* a usable fix */
};

enum gps_mode { GPS_MODE_NONE = 1, GPS_MODE_2D = 2, GPS_MODE_3D = 3 };	/* as gpsd's TPV */

/* One position report, as received; NAN marks a missing number. */
struct gps_fix {
	int	mode;		/* enum gps_mode, or 0 when gpsd never said */
	double	lat, lon;	/* degrees */
	double	alt_m;		/* above mean sea level */
	double	accuracy_m;	/* horizontal error estimate (gpsd's eph) */
	int	satellites;	/* used in the solution; -1 unknown */
	double	time;		/* receiver's UTC, epoch seconds; 0 unknown */
	double	received;	/* now_mono() when it arrived */
};

/* A client for cfg's [gps] section (cfg must outlive it). Connects on the first loop round. */
struct gps	*gps_new(const struct config *cfg);
void		 gps_free(struct gps *g);
/* The source to loop_add(); its ctx is g, so loop_remove(l, g) takes it out. */
struct loop_source gps_loop_source(struct gps *g);

enum gps_state	 gps_state(const struct gps *g, double now);
/*
 * True while gpsd is being connected to, or answers without a usable fix, or with one that
 * lacks its time (gpsd's first reports after a connect are often partial), but at most
 * GPS_SETTLE_SECONDS after gps_new(): a short command may loop that long so its result gets
 * a whole fix. An absent gpsd ends it at once.
 */
bool		 gps_settling(const struct gps *g, double now);
/* The latest report (even an unusable one), or NULL when none arrived since connecting. */
const struct gps_fix *gps_last_fix(const struct gps *g);
/* Satellites used per gpsd's latest sky report, with or without a fix; -1 unknown. */
int		 gps_satellites_used(const struct gps *g);
/* "host:port" the client connects to, for messages. */
const char	*gps_endpoint(const struct gps *g);
/* Why gpsd is unreachable (English, for logs and `tramdo gps`), or NULL. */
const char	*gps_error(const struct gps *g);
const char	*gps_state_name(enum gps_state s);	/* English, for logs */

/* Pure helpers, unit-tested. */
/* Finite, within range, not the receivers' (0, 0) placeholder. */
bool gps_coordinates_valid(double lat, double lon);
/* mode 2D/3D, valid coordinates, received no more than max_age seconds before now. */
bool gps_fix_usable(const struct gps_fix *fix, double now, double max_age);
/*
 * The position a result carries: fix when usable, else the station's configured
 * [station] latitude/longitude (source station) when valid, else source none (lat/lon NAN).
 * fix may be NULL.
 */
void gps_pick_location(const struct gps_fix *fix, const struct config *cfg, double now,
    struct location *out);
/* gps_pick_location() with g's latest fix (g may be NULL: no GPS). */
void gps_location(const struct gps *g, const struct config *cfg, double now,
    struct location *out);

#endif
