/*
 * cmd_gps.c — `tramdo gps`: the current fix or why there is none, for staff installing a
 * receiver. Waits a few seconds for a fix, driving the same client the kiosk uses.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "gps.h"
#include "loop.h"
#include "model.h"
#include "util.h"

#define DEFAULT_WAIT_SECONDS	5.0


static void
print_fix(const struct gps_fix *f, double now)
{
	char t[21];

	printf("gps        %dD fix", f->mode);
	if (f->satellites >= 0)
		printf(", %d satellites", f->satellites);
	if (isfinite(f->accuracy_m))
		printf(", accuracy %.0f m", f->accuracy_m);
	printf("\nposition   %.6f, %.6f", f->lat, f->lon);
	if (isfinite(f->alt_m))
		printf(", altitude %.1f m", f->alt_m);
	printf("\n");
	if (f->time > 0) {
		format_utc(f->time, t);
		printf("fix time   %s (received %.1f s ago)\n", t, now - f->received);
	}
}

static void
print_state(const struct gps *g, const struct config *cfg, double now)
{
	const struct gps_fix *f = gps_last_fix(g);

	switch (gps_state(g, now)) {
	case GPS_STATE_OFF:
		printf("gps        off: %s\n", gps_error(g));
		break;
	case GPS_STATE_CONNECTING:
		printf("gps        still connecting to gpsd at %s\n", gps_endpoint(g));
		break;
	case GPS_STATE_NO_DAEMON:
		printf("gps        gpsd not reachable at %s (%s)\n", gps_endpoint(g), gps_error(g));
		printf("hint       is gpsd installed and running? systemctl status gpsd\n");
		break;
	case GPS_STATE_NO_FIX:
		printf("gps        no fix: gpsd answers, but %s\n", f == NULL ?
		    "no position report came (is the receiver plugged in and in DEVICES?)" :
		    "the receiver reports no 2D/3D position (antenna needs open sky)");
		break;
	case GPS_STATE_STALE:
		printf("gps        stale: last fix %.1f s ago, more than max_fix_age_seconds = %d\n",
		    now - f->received, cfg->gps.max_fix_age_seconds);
		break;
	case GPS_STATE_FIX:
		print_fix(f, now);
		break;
	}
}

static void
print_location(const struct gps *g, const struct config *cfg, double now)
{
	struct location loc;

	gps_location(g, cfg, now, &loc);
	if (loc.source == LOC_NONE)
		printf("results    carry no position (no fix, no [station] latitude/longitude)\n");
	else
		printf("results    carry %.6f, %.6f (source %s)\n", loc.lat, loc.lon,
		    location_source_name(loc.source));
}

/*
 * A state the wait cannot improve: report it at once rather than make staff wait. A fix is
 * complete once it has a time and a satellite count: gpsd's first report of a cycle often
 * lacks both.
 */
static bool
settled(const struct gps *g, enum gps_state s)
{
	const struct gps_fix *f = gps_last_fix(g);

	if (s == GPS_STATE_FIX)
		return f->satellites > 0 && f->time > 0;
	return s == GPS_STATE_OFF || s == GPS_STATE_NO_DAEMON;
}

static int
usage(void)
{
	fprintf(stderr, "usage: tramdo [-c FILE] gps [--wait SECONDS] [--watch]\n");
	return 2;
}

/* What --watch reports a change of: the state, and within a fix its mode (2D/3D). */
static int
watch_key(const struct gps *g, enum gps_state s)
{
	return s == GPS_STATE_FIX ? 10 * (int)s + gps_last_fix(g)->mode : 10 * (int)s;
}

/*
 * Runs the client until a settled state or the deadline; with watch, until the deadline,
 * printing every change (staff moving an antenna see the fix come and go).
 */
static enum gps_state
drive(struct gps *g, const struct config *cfg, double wait, bool watch)
{
	struct loop loop;
	struct loop_source src = gps_loop_source(g);
	double start = now_mono(), now = start;
	enum gps_state s = gps_state(g, now);
	int shown = -1;

	loop_init(&loop);
	loop_add(&loop, &src);
	while (!cli_interrupted() && now - start < wait && !(settled(g, s) && !watch)) {
		loop_once(&loop, deadline_ms(start + wait, now));
		now = now_mono();
		s = gps_state(g, now);
		if (watch && watch_key(g, s) != shown) {
			printf("+%.1fs  ", now - start);
			print_state(g, cfg, now);
			fflush(stdout);
			shown = watch_key(g, s);
		}
	}
	return s;
}

int
cmd_gps(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wait", required_argument, NULL, 'w' },
		{ "watch", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	double wait = DEFAULT_WAIT_SECONDS, now;
	bool watch = false;
	struct config cfg;
	struct gps *g;
	enum gps_state s;
	int ch;

	while ((ch = getopt_long(argc, argv, "w:W", longopts, NULL)) != -1) {
		if (ch == 'w') {
			if (!parse_double(optarg, &wait) || wait < 0 || wait > 3600)
				return usage();
		} else if (ch == 'W')
			watch = true;
		else
			return usage();
	}
	if (optind != argc)
		return usage();
	if (cli_load_config(cli, &cfg) != 0) {
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	cli_catch_interrupts();

	g = gps_new(&cfg);
	s = drive(g, &cfg, wait, watch);
	now = now_mono();
	print_state(g, &cfg, now);
	print_location(g, &cfg, now);
	gps_free(g);
	config_free(&cfg);
	return s == GPS_STATE_FIX ? 0 : 1;
}
