/*
 * test_kiosk_metrics.c — when the kiosk writes its fleet-health file (kiosk_metrics.c): at once
 * on start, then at most once a second however many changes, once a minute without any; a
 * test's outcome and figures; a write error told once and the recovery; the previous file
 * removed when a reload names another.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "kiosk_metrics.h"
#include "ui.h"
#include "util.h"

static void
test_throttle_and_heartbeat(void **state)
{
	struct kmetrics m;
	double t0;

	(void)state;
	kmetrics_init(&m);
	assert_true(kmetrics_due(&m, "") < 0);		/* off: never due */
	assert_true(kmetrics_due(&m, NULL) < 0);
	t0 = kmetrics_due(&m, "x.prom");
	assert_true(t0 >= 0 && t0 <= now_mono());	/* the first write: at once */
	/* As kmetrics_write leaves it at t0: nothing new, the heartbeat a minute later. */
	m.last_write = t0;
	m.dirty_since = -1;
	assert_true(kmetrics_due(&m, "x.prom") == t0 + KMETRICS_HEARTBEAT);
	/* Changes right after a write wait for the second to pass, however many there are. */
	m.dirty_since = t0 + 0.2;
	assert_true(kmetrics_due(&m, "x.prom") == t0 + KMETRICS_MIN_INTERVAL);
	kmetrics_touch(&m);
	kmetrics_touch(&m);
	assert_true(m.dirty_since == t0 + 0.2);		/* the first change sets the time */
	/* A change long after the last write is due when it happened. */
	m.dirty_since = t0 + 30;
	assert_true(kmetrics_due(&m, "x.prom") == t0 + 30);
}

static void
test_outcomes(void **state)
{
	struct kmetrics m;
	struct result r;

	(void)state;
	kmetrics_init(&m);
	memset(&r, 0, sizeof r);
	r.started_at = 1000;
	r.fig.download_mbps = 80;
	r.fig.upload_mbps = 40;
	r.fig.latency_median_ms = 12.5;
	kmetrics_test(&m, &r);
	assert_int_equal(m.last_outcome, KMETRICS_GOOD);
	assert_true(m.last_test == 1000 && m.last_good == 1000);
	assert_true(m.download_bytes_per_s == 10e6 && m.upload_bytes_per_s == 5e6);
	assert_true(m.latency_s == 0.0125);
	r.started_at = 2000;
	r.fig.error = MERR_CONNECT;
	kmetrics_test(&m, &r);
	assert_int_equal(m.last_outcome, KMETRICS_FAILED);
	assert_true(m.last_test == 2000 && m.last_good == 1000);	/* figures stay the good one's */
	assert_true(m.download_bytes_per_s == 10e6);
	r.fig.error = MERR_CANCELLED;
	kmetrics_test(&m, &r);
	assert_int_equal(m.last_outcome, KMETRICS_CANCELLED);
	/* the download measured, the upload refused: stored as incomplete, not failed */
	r.started_at = 3000;
	r.fig.error = MERR_NONE;
	r.fig.upload_mbps = -1;
	r.fig.upload_error = MERR_HTTP;
	kmetrics_test(&m, &r);
	assert_int_equal(m.last_outcome, KMETRICS_INCOMPLETE);
	assert_true(m.last_test == 3000 && m.last_good == 1000);
}

static void
test_errors_told_once_and_files_followed(void **state)
{
	struct kmetrics m;
	struct config cfg;
	struct ui_model model;
	struct kmetrics_source src = { .cfg = &cfg, .model = &model, .up = true };
	char dir[] = "/tmp/tramdo-kmetrics.XXXXXX", *good, *other, *bad;
	const char *problem;

	(void)state;
	assert_non_null(mkdtemp(dir));
	good = xasprintf("%s/a.prom", dir);
	other = xasprintf("%s/b.prom", dir);
	bad = xasprintf("%s/missing/a.prom", dir);
	config_defaults(&cfg);
	memset(&model, 0, sizeof model);
	model.today_good = model.today_failed = model.tests_today = -1;
	kmetrics_init(&m);

	free(cfg.metrics.textfile);
	cfg.metrics.textfile = xstrdup(bad);
	problem = kmetrics_write(&m, &src, 1);
	assert_non_null(problem);
	assert_non_null(strstr(problem, bad));
	assert_null(kmetrics_write(&m, &src, 2));	/* the same error: told already */

	free(cfg.metrics.textfile);
	cfg.metrics.textfile = xstrdup(good);
	assert_null(kmetrics_write(&m, &src, 3));
	assert_string_equal(m.problem, "");
	assert_int_equal(access(good, R_OK), 0);

	free(cfg.metrics.textfile);
	cfg.metrics.textfile = xstrdup(other);	/* a reload named another file */
	assert_null(kmetrics_write(&m, &src, 4));
	assert_int_equal(access(other, R_OK), 0);
	assert_int_not_equal(access(good, F_OK), 0);	/* the old one would say "up" for ever */

	assert_int_equal(unlink(other), 0);
	assert_int_equal(rmdir(dir), 0);
	config_free(&cfg);
	free(good);
	free(other);
	free(bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throttle_and_heartbeat),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_errors_told_once_and_files_followed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
