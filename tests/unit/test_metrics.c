/*
 * test_metrics.c — the fleet-health file (metrics.c): label values escaped as the exposition
 * format wants (\\, \", \n) with bad UTF-8 as '?', unknown figures left out rather than
 * written as 0 or -1, state sets with exactly one 1, and the atomic write: the whole text or
 * nothing, mode 0644 whatever the umask, no temporary file left, errors that name the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "util.h"

static const char *const colours[] = { "red", "green" };

/* A snapshot with every figure unknown: only what is always there is written. */
static void
empty(struct metrics_snapshot *s)
{
	memset(s, 0, sizeof *s);
	s->start_time = s->last_test_time = s->last_good_test_time = -1;
	s->good_today = s->failed_today = -1;
	s->download_bytes_per_s = s->upload_bytes_per_s = s->latency_seconds = -1;
	s->gps_fix = s->gps_satellites = -1;
	s->config_errors = -1;
	s->state.current = s->last_outcome.current = s->gps.current = -1;
}

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void
test_hostile_label_values_escaped(void **state)
{
	struct metrics_snapshot s;
	char *text;

	(void)state;
	empty(&s);
	s.station_id = "A\"B";
	s.station_name = "C:\\new\nline \"quoted\" \xff end";
	s.province = NULL;
	s.version = "1.0";
	text = metrics_format(&s);
	assert_non_null(text);
	assert_true(has_line(text, "tramdo_info{version=\"1.0\",station=\"A\\\"B\","
	    "name=\"C:\\\\new\\nline \\\"quoted\\\" ? end\",province=\"\",district=\"\","
	    "commune=\"\"} 1"));
	free(text);
}

static void
test_unknown_figures_left_out(void **state)
{
	struct metrics_snapshot s;
	char *text;

	(void)state;
	empty(&s);
	text = metrics_format(&s);
	assert_non_null(text);
	assert_true(has_line(text, "tramdo_up 0"));
	assert_null(strstr(text, "tramdo_last_"));
	assert_null(strstr(text, "tramdo_tests_today"));
	assert_null(strstr(text, "tramdo_upload_"));
	assert_null(strstr(text, "tramdo_gps"));
	assert_null(strstr(text, "tramdo_config_errors"));
	assert_null(strstr(text, "-1"));
	free(text);
}

static void
test_figures_and_sinks(void **state)
{
	struct metrics_snapshot s;
	char *text;

	(void)state;
	empty(&s);
	s.up = true;
	s.last_test_time = 1796000000.25;
	s.good_today = 3;
	s.failed_today = 0;
	s.download_bytes_per_s = 95.37 * 1e6 / 8;
	s.latency_seconds = 0.01234;
	s.nsinks = 2;
	snprintf(s.sinks[0].name, sizeof s.sinks[0].name, "json");
	s.sinks[0].pending = 2;
	s.sinks[0].last_success = 1796000100;
	snprintf(s.sinks[1].name, sizeof s.sinks[1].name, "influx");
	s.sinks[1].last_success = -1;
	s.gps_fix = 1;
	s.gps_satellites = 7;
	s.config_errors = 0;
	text = metrics_format(&s);
	assert_non_null(text);
	assert_true(has_line(text, "tramdo_up 1"));
	assert_true(has_line(text, "# TYPE tramdo_last_test_timestamp_seconds gauge"));
	assert_true(has_line(text, "tramdo_last_test_timestamp_seconds 1796000000.25"));
	assert_true(has_line(text, "tramdo_tests_today{outcome=\"good\"} 3"));
	assert_true(has_line(text, "tramdo_tests_today{outcome=\"failed\"} 0"));
	assert_true(has_line(text, "tramdo_last_download_bytes_per_second 11921250"));
	assert_true(has_line(text, "tramdo_last_latency_seconds 0.01234"));
	assert_null(strstr(text, "tramdo_last_upload_bytes_per_second"));
	assert_true(has_line(text, "tramdo_upload_pending_results{sink=\"json\"} 2"));
	assert_true(has_line(text, "tramdo_upload_pending_results{sink=\"influx\"} 0"));
	assert_true(has_line(text,
	    "tramdo_upload_last_success_timestamp_seconds{sink=\"json\"} 1796000100"));
	assert_true(has_line(text,
	    "tramdo_upload_last_success_timestamp_seconds{sink=\"influx\"} 0"));
	assert_true(has_line(text, "tramdo_gps_fix 1"));
	assert_true(has_line(text, "tramdo_gps_satellites_used 7"));
	assert_true(has_line(text, "tramdo_config_errors 0"));
	free(text);
}

static void
test_state_sets(void **state)
{
	struct metrics_snapshot s;
	char *text;

	(void)state;
	empty(&s);
	s.state = (struct metrics_stateset){ colours, 2, 1 };
	s.last_outcome = (struct metrics_stateset){ colours, 2, -1 };
	text = metrics_format(&s);
	assert_non_null(text);
	assert_true(has_line(text, "tramdo_kiosk_state{state=\"red\"} 0"));
	assert_true(has_line(text, "tramdo_kiosk_state{state=\"green\"} 1"));
	assert_true(has_line(text, "tramdo_last_test_outcome{outcome=\"red\"} 0"));
	assert_true(has_line(text, "tramdo_last_test_outcome{outcome=\"green\"} 0"));
	free(text);
}

/* A scratch directory under TMPDIR, removed by the test. */
static char *
scratch(void)
{
	char *dir = xasprintf("%s/tramdo-metrics.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void
test_write_whole_file_readable(void **state)
{
	struct metrics_snapshot s;
	char *dir = scratch(), *path = xasprintf("%s/tramdo.prom", dir), *want, err[256];
	char got[8192];
	struct stat st;
	mode_t old = umask(077);
	FILE *f;
	size_t n;

	(void)state;
	empty(&s);
	s.up = true;
	assert_int_equal(metrics_write(path, &s, err, sizeof err), 0);
	s.up = false;
	assert_int_equal(metrics_write(path, &s, err, sizeof err), 0);	/* replaced */
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	want = metrics_format(&s);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	assert_string_equal(got, want);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);	/* empty: no temporary file left */
	free(want);
	free(path);
	free(dir);
}

static void
test_write_errors_name_the_file(void **state)
{
	struct metrics_snapshot s;
	char *dir = scratch(), *path = xasprintf("%s/missing/tramdo.prom", dir), err[512];

	(void)state;
	empty(&s);
	assert_int_equal(metrics_write(path, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file or directory"));
	free(path);
	/* The path is a directory: rename cannot replace it, and the temporary file goes. */
	path = xasprintf("%s/dir.prom", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(metrics_write(path, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot replace metrics file"));
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(metrics_write("", &s, err, sizeof err), -1);
	assert_int_equal(metrics_write("/var/lib/", &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a file name"));
	assert_int_equal(rmdir(dir), 0);	/* nothing left behind */
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_label_values_escaped),
		cmocka_unit_test(test_unknown_figures_left_out),
		cmocka_unit_test(test_figures_and_sinks),
		cmocka_unit_test(test_state_sets),
		cmocka_unit_test(test_write_whole_file_readable),
		cmocka_unit_test(test_write_errors_name_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
