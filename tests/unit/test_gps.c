/* test_gps.c — fix selection, coordinate validation, and the client against a fake gpsd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "gps.h"
#include "loop.h"
#include "model.h"
#include "util.h"

#define LAT 21.028511
#define LON 105.804817

static struct config
test_config(void)
{
	struct config c;

	memset(&c, 0, sizeof c);
	c.gps.enabled = true;
	c.gps.host = "127.0.0.1";
	c.gps.port = "1";
	c.gps.max_fix_age_seconds = 5;
	c.station.has_position = true;
	c.station.latitude = 19.806692;
	c.station.longitude = 105.785182;
	return c;
}

static struct gps_fix
fresh_fix(double now)
{
	return (struct gps_fix){
		.mode = GPS_MODE_3D, .lat = LAT, .lon = LON, .alt_m = 12.5, .accuracy_m = 17.1,
		.satellites = 9, .time = 1795575840.0, .received = now - 1.0
	};
}

static void
test_coordinates(void **state)
{
	(void)state;
	assert_true(gps_coordinates_valid(LAT, LON));
	assert_true(gps_coordinates_valid(-33.9, -70.6));
	assert_true(gps_coordinates_valid(90.0, 180.0));
	assert_true(gps_coordinates_valid(-90.0, -180.0));
	assert_true(gps_coordinates_valid(0.0, 105.0));
	assert_false(gps_coordinates_valid(0.0, 0.0));
	assert_false(gps_coordinates_valid(90.000001, 105.0));
	assert_false(gps_coordinates_valid(21.0, -180.5));
	assert_false(gps_coordinates_valid(21.0, 180.5));
	assert_false(gps_coordinates_valid(NAN, LON));
	assert_false(gps_coordinates_valid(LAT, NAN));
	assert_false(gps_coordinates_valid(INFINITY, LON));
	assert_false(gps_coordinates_valid(LAT, -INFINITY));
}

static void
test_fix_usable(void **state)
{
	double now = 1000.0;
	struct gps_fix f;

	(void)state;
	f = fresh_fix(now);
	assert_true(gps_fix_usable(&f, now, 5));
	f.mode = GPS_MODE_2D;
	assert_true(gps_fix_usable(&f, now, 5));
	f.mode = GPS_MODE_NONE;
	assert_false(gps_fix_usable(&f, now, 5));
	f.mode = 0;
	assert_false(gps_fix_usable(&f, now, 5));
	f.mode = 4;
	assert_false(gps_fix_usable(&f, now, 5));

	f = fresh_fix(now);
	f.received = now - 5.0;
	assert_true(gps_fix_usable(&f, now, 5));	/* exactly max age: still used */
	f.received = now - 5.001;
	assert_false(gps_fix_usable(&f, now, 5));	/* stale */
	f.received = now + 2.0;
	assert_false(gps_fix_usable(&f, now, 5));	/* from the future: clock confusion */
	f.received = NAN;
	assert_false(gps_fix_usable(&f, now, 5));

	f = fresh_fix(now);
	f.lat = NAN;
	assert_false(gps_fix_usable(&f, now, 5));
	f = fresh_fix(now);
	f.lon = 200.0;
	assert_false(gps_fix_usable(&f, now, 5));
	f = fresh_fix(now);
	f.lat = f.lon = 0.0;
	assert_false(gps_fix_usable(&f, now, 5));

	/* Missing optional fields do not make a fix unusable. */
	f = fresh_fix(now);
	f.alt_m = f.accuracy_m = NAN;
	f.satellites = -1;
	f.time = 0;
	assert_true(gps_fix_usable(&f, now, 5));
	assert_false(gps_fix_usable(NULL, now, 5));
}

static void
test_pick_gps(void **state)
{
	struct config c = test_config();
	double now = 1000.0;
	struct gps_fix f = fresh_fix(now);
	struct location loc;

	(void)state;
	gps_pick_location(&f, &c, now, &loc);
	assert_int_equal(loc.source, LOC_GPS);
	assert_true(fabs(loc.lat - LAT) < 1e-9);
	assert_true(fabs(loc.lon - LON) < 1e-9);
	assert_true(fabs(loc.alt_m - 12.5) < 1e-9);
	assert_true(fabs(loc.accuracy_m - 17.1) < 1e-9);
	assert_int_equal(loc.satellites, 9);
	assert_true(loc.fix_time == 1795575840.0);

	/* Unknown extras stay unknown, never 0. */
	f.alt_m = f.accuracy_m = NAN;
	f.satellites = -1;
	gps_pick_location(&f, &c, now, &loc);
	assert_int_equal(loc.source, LOC_GPS);
	assert_true(isnan(loc.alt_m) && isnan(loc.accuracy_m));
	assert_int_equal(loc.satellites, -1);
}

static void
assert_station(const struct location *loc, const struct config *c)
{
	assert_int_equal(loc->source, LOC_STATION);
	assert_true(loc->lat == c->station.latitude);
	assert_true(loc->lon == c->station.longitude);
	assert_true(isnan(loc->accuracy_m) && isnan(loc->alt_m));
	assert_int_equal(loc->satellites, -1);
	assert_true(loc->fix_time == 0);
}

static void
test_pick_station(void **state)
{
	struct config c = test_config();
	double now = 1000.0;
	struct gps_fix f = fresh_fix(now);
	struct location loc;

	(void)state;
	gps_pick_location(NULL, &c, now, &loc);
	assert_station(&loc, &c);

	f.received = now - 6.0;		/* stale */
	gps_pick_location(&f, &c, now, &loc);
	assert_station(&loc, &c);

	f = fresh_fix(now);
	f.mode = GPS_MODE_NONE;
	gps_pick_location(&f, &c, now, &loc);
	assert_station(&loc, &c);

	f = fresh_fix(now);
	f.lon = NAN;
	gps_pick_location(&f, &c, now, &loc);
	assert_station(&loc, &c);

	gps_location(NULL, &c, now, &loc);	/* no client at all */
	assert_station(&loc, &c);
}

static void
assert_none(const struct location *loc)
{
	assert_int_equal(loc->source, LOC_NONE);
	assert_true(isnan(loc->lat) && isnan(loc->lon));
	assert_true(loc->fix_time == 0);
}

static void
test_pick_none(void **state)
{
	struct config c = test_config();
	struct location loc;

	(void)state;
	c.station.has_position = false;
	gps_pick_location(NULL, &c, 1000.0, &loc);
	assert_none(&loc);

	c = test_config();
	c.station.latitude = NAN;
	gps_pick_location(NULL, &c, 1000.0, &loc);
	assert_none(&loc);

	c = test_config();
	c.station.latitude = 105.785182;	/* swapped with the longitude: out of range */
	c.station.longitude = 19.806692;
	gps_pick_location(NULL, &c, 1000.0, &loc);
	assert_none(&loc);
}

static void
test_disabled_and_bad_address(void **state)
{
	struct config c = test_config();
	struct gps *g;

	(void)state;
	c.gps.enabled = false;
	g = gps_new(&c);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_OFF);
	assert_null(gps_last_fix(g));
	gps_free(g);

	c = test_config();
	c.gps.host = "gps.example.org";		/* names would need a blocking lookup */
	g = gps_new(&c);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_OFF);
	assert_non_null(strstr(gps_error(g), "gps.example.org"));
	gps_free(g);

	c = test_config();
	c.gps.port = "29x47";
	g = gps_new(&c);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_OFF);
	gps_free(g);
	assert_int_equal(gps_state(NULL, 0), GPS_STATE_OFF);
}

/* A loopback listener on a port the kernel picks; its number goes to *port. */
static int
listener(char port[static 8])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(port, 8, "%u", ntohs(a.sin_port));
	return fd;
}

static void
test_no_daemon(void **state)
{
	struct config c = test_config();
	char port[8];
	int fd = listener(port);
	struct gps *g;
	struct loop l;
	struct loop_source s;
	double t0;

	(void)state;
	close(fd);		/* nobody listens there now */
	c.gps.port = port;
	g = gps_new(&c);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_CONNECTING);
	loop_init(&l);
	s = gps_loop_source(g);
	loop_add(&l, &s);
	t0 = now_mono();
	for (int i = 0; i < 3; i++)
		loop_once(&l, 50);
	assert_true(now_mono() - t0 < 0.5);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_NO_DAEMON);
	assert_non_null(strstr(gps_error(g), "refused"));
	assert_false(gps_settling(g, now_mono()));	/* an absent gpsd is not waited for */
	/* Backing off: the next attempt is about a second away, not a busy loop. */
	assert_in_range(s.timeout_ms(g), 500, 1000);
	gps_free(g);
}

static void
send_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void
run_rounds(struct loop *l, int n)
{
	for (int i = 0; i < n; i++)
		loop_once(l, 20);
}

static const char tpv[] =
    "{\"class\":\"TPV\",\"device\":\"/dev/ttyACM0\",\"mode\":3,"
    "\"time\":\"2026-11-25T03:04:00.000Z\",\"lat\":21.028511,\"lon\":105.804817,"
    "\"altMSL\":12.5,\"eph\":17.1}\n";
static const char sky[] =
    "{\"class\":\"SKY\",\"device\":\"/dev/ttyACM0\",\"satellites\":["
    "{\"PRN\":2,\"el\":40,\"az\":100,\"ss\":30,\"used\":true},"
    "{\"PRN\":5,\"el\":50,\"az\":200,\"ss\":31,\"used\":true},"
    "{\"PRN\":7,\"el\":60,\"az\":300,\"ss\":32,\"used\":true},"
    "{\"PRN\":9,\"el\":10,\"az\":30,\"ss\":12,\"used\":false}]}\n";

/* Accepts the probe and the libgps session; returns the session with the WATCH command read. */
static int
accept_session(int lfd, struct loop *l)
{
	char buf[512];
	int fd;

	run_rounds(l, 2);
	close(accept(lfd, NULL, NULL));		/* the non-blocking probe */
	run_rounds(l, 2);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof buf) > 0);
	assert_non_null(memmem(buf, sizeof buf, "?WATCH", 6));
	return fd;
}

static void
test_fake_gpsd(void **state)
{
	struct config c = test_config();
	char port[8];
	int lfd = listener(port), fd;
	struct gps *g;
	struct loop l;
	struct loop_source s;
	struct location loc;
	const struct gps_fix *f;
	double t0;

	(void)state;
	c.gps.port = port;
	g = gps_new(&c);
	loop_init(&l);
	s = gps_loop_source(g);
	loop_add(&l, &s);
	fd = accept_session(lfd, &l);
	send_str(fd, "{\"class\":\"VERSION\",\"release\":\"3.22\",\"rev\":\"3.22\","
	    "\"proto_major\":3,\"proto_minor\":14}\n");
	run_rounds(&l, 2);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_NO_FIX);
	assert_true(gps_settling(g, now_mono()));	/* answers, no fix yet: worth a moment */
	assert_false(gps_settling(g, now_mono() + GPS_SETTLE_SECONDS));

	/* Half a line: the loop must not block waiting for the rest. */
	send_str(fd, sky);
	send_str(fd, "{\"class\":\"TPV\",\"device\":\"/dev/ttyACM0\",\"mo");
	t0 = now_mono();
	run_rounds(&l, 3);
	assert_true(now_mono() - t0 < 0.5);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_NO_FIX);
	send_str(fd, tpv + strlen("{\"class\":\"TPV\",\"device\":\"/dev/ttyACM0\",\"mo"));
	run_rounds(&l, 2);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_FIX);
	assert_false(gps_settling(g, now_mono()));	/* a whole fix, with its time */
	assert_int_equal(gps_satellites_used(g), 3);
	/* The loop wakes when the fix turns stale, so the change is seen without traffic. */
	assert_in_range(s.timeout_ms(g), 4500, 5001);
	f = gps_last_fix(g);
	assert_non_null(f);
	assert_int_equal(f->mode, 3);
	assert_int_equal(f->satellites, 3);
	assert_true(fabs(f->accuracy_m - 17.1) < 1e-9);
	assert_true(fabs(f->time - 1795575840.0) < 1e-6);	/* 2026-11-25T03:04:00Z */
	gps_location(g, &c, now_mono(), &loc);
	assert_int_equal(loc.source, LOC_GPS);
	assert_true(fabs(loc.lat - LAT) < 1e-6 && fabs(loc.lon - LON) < 1e-6);
	/* Stale once max_fix_age_seconds have passed without a report. */
	assert_int_equal(gps_state(g, now_mono() + 5.5), GPS_STATE_STALE);
	gps_location(g, &c, now_mono() + 5.5, &loc);
	assert_int_equal(loc.source, LOC_STATION);

	/* Garbage is ignored; a 3D report without coordinates is no fix. */
	send_str(fd, "garbage \x01\x02 {not json\n{\"class\":\"TPV\",\"mode\":\n");
	run_rounds(&l, 2);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_FIX);
	send_str(fd, "{\"class\":\"TPV\",\"device\":\"/dev/ttyACM0\",\"mode\":3}\n");
	run_rounds(&l, 2);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_NO_FIX);
	/* A fix without its time is used, but a short command waits a moment for a whole one. */
	send_str(fd, "{\"class\":\"TPV\",\"device\":\"/dev/ttyACM0\",\"mode\":3,"
	    "\"lat\":21.028511,\"lon\":105.804817}\n");
	run_rounds(&l, 2);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_FIX);
	assert_true(gps_last_fix(g)->time == 0);
	assert_true(gps_settling(g, now_mono()));
	send_str(fd, "{\"class\":\"TPV\",\"device\":\"/dev/ttyACM0\",\"mode\":1}\n");
	run_rounds(&l, 2);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_NO_FIX);
	gps_location(g, &c, now_mono(), &loc);
	assert_int_equal(loc.source, LOC_STATION);

	/* gpsd goes away: no fix kept, retried later. */
	close(fd);
	run_rounds(&l, 2);
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_NO_DAEMON);
	assert_null(gps_last_fix(g));
	close(lfd);
	gps_free(g);
}

static void
test_overlong_line(void **state)
{
	struct config c = test_config();
	char port[8], junk[4096];
	int lfd = listener(port), fd;
	struct gps *g;
	struct loop l;
	struct loop_source s;

	(void)state;
	c.gps.port = port;
	g = gps_new(&c);
	loop_init(&l);
	s = gps_loop_source(g);
	loop_add(&l, &s);
	fd = accept_session(lfd, &l);
	memset(junk, 'x', sizeof junk);
	/* A line longer than libgps's buffer: the session is dropped, never a crash or a hang. */
	for (int i = 0; i < 64 && gps_state(g, now_mono()) != GPS_STATE_NO_DAEMON; i++) {
		assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
		run_rounds(&l, 1);
	}
	assert_int_equal(gps_state(g, now_mono()), GPS_STATE_NO_DAEMON);
	close(fd);
	close(lfd);
	gps_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coordinates),
		cmocka_unit_test(test_fix_usable),
		cmocka_unit_test(test_pick_gps),
		cmocka_unit_test(test_pick_station),
		cmocka_unit_test(test_pick_none),
		cmocka_unit_test(test_disabled_and_bad_address),
		cmocka_unit_test(test_no_daemon),
		cmocka_unit_test(test_fake_gpsd),
		cmocka_unit_test(test_overlong_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
