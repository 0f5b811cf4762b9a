/* test_kiosk.c — what the kiosk draws from data: verdict thresholds and QR codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "qr.h"
#include "verdict.h"

static void
test_shipped_verdicts(void **state)
{
	const char *src = getenv("TRAMDO_SRCDIR");
	char path[512], err[256];
	struct verdicts v;
	const struct verdict_rule *r;

	(void)state;
	snprintf(path, sizeof path, "%s/assets/verdicts.ini", src != NULL ? src : ".");
	assert_int_equal(verdicts_load(path, &v, err, sizeof err), 0);
	assert_int_equal(v.n, 5);
	r = verdict_for(&v, 95.3, 40.1, 12);
	assert_string_equal(r->key, "verdict.video_4k");
	assert_int_equal(r->rating, RATING_GOOD);
	/* VNNIC: 10-15 Mbps each way covers basic needs — good at 15 down and 10 up. */
	r = verdict_for(&v, 15, 10, 40);
	assert_string_equal(r->key, "verdict.hd_video");
	assert_string_equal(rating_key(r->rating), "rating.good");
	r = verdict_for(&v, 9.9, 9.9, 40);
	assert_string_equal(r->key, "verdict.video_call");
	assert_string_equal(rating_key(r->rating), "rating.fair");
	assert_string_equal(verdict_for(&v, 95.3, 40.1, 400)->key, "verdict.browse");
	assert_string_equal(verdict_for(&v, 2.5, 1.2, 100)->key, "verdict.learn");
	r = verdict_for(&v, 0.1, 0.1, 100);
	assert_string_equal(r->key, "verdict.none");
	assert_string_equal(rating_key(r->rating), "rating.slow");
	/* Steady: small jitter and a queue under 100 ms; else unsteady; unknown: no sentence. */
	assert_string_equal(verdict_steadiness(&v, 12, 2, 30, 50), "result.steady");
	assert_string_equal(verdict_steadiness(&v, 12, 2, 30, 250), "result.unsteady");
	assert_string_equal(verdict_steadiness(&v, 12, 45, 30, 50), "result.unsteady");
	assert_null(verdict_steadiness(&v, 12, 2, -1, 50));
	assert_int_equal(verdicts_load("/nonexistent.ini", &v, err, sizeof err), -1);
	assert_int_equal(v.n, 0);
	assert_string_equal(verdict_for(&v, 95.3, 40.1, 12)->key, "verdict.none");
	assert_null(verdict_steadiness(&v, 12, 2, 30, 50));
}

static void
test_qr_has_quiet_zone_and_finders(void **state)
{
	struct qr_code qr;
	char *rows[64];
	int n;

	(void)state;
	assert_int_equal(qr_encode("https://example.vn/i-speed", &qr), 0);
	/* Version 2 (25 modules) plus 4 quiet modules each side. */
	assert_int_equal(qr.size, 25 + 2 * QR_QUIET);
	for (int i = 0; i < qr.size; i++) {
		assert_false(qr.dark[i]);				/* top quiet row */
		assert_false(qr.dark[i * qr.size + qr.size - 1]);	/* right quiet column */
	}
	/* The top-left finder pattern starts right after the quiet zone. */
	for (int x = 0; x < 7; x++)
		assert_true(qr.dark[QR_QUIET * qr.size + QR_QUIET + x]);
	assert_int_equal(qr_rows(&qr, QR_HALF), 17);
	assert_int_equal(qr_cols(&qr, QR_HALF), 33);
	assert_int_equal(qr_cols(&qr, QR_ASCII), 66);
	n = qr_render(&qr, QR_ASCII, false, rows, 64);
	assert_int_equal(n, 33);
	/* First code row: quiet zone, a finder (7 dark modules), a light separator ... and the
	 * top-right finder followed by the quiet zone. */
	assert_int_equal(strlen(rows[4]), 66);
	assert_memory_equal(rows[4], "        ##############  ", 24);
	assert_string_equal(rows[4] + 66 - 24, "  ##############        ");
	for (int i = 0; i < n; i++)
		free(rows[i]);
	qr_free(&qr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_verdicts),
		cmocka_unit_test(test_qr_has_quiet_zone_and_finders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
