/* test_result.c — a new result: a UUID v4, the start time, the trigger, the station copied. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "result.h"
#include "util.h"

static void
test_id_is_uuid_v4(void **state)
{
	struct result a, b;

	(void)state;
	assert_int_equal(result_init(&a, NULL, "cli"), 0);
	assert_int_equal(result_init(&b, NULL, "cli"), 0);
	assert_int_equal(strlen(a.id), 36);
	assert_int_equal(a.id[14], '4');
	assert_true(strchr("89ab", a.id[19]) != NULL);
	assert_true(uuid_shaped(a.id));
	assert_string_not_equal(a.id, b.id);
	result_free(&a);
	result_free(&b);
}

static void
test_init_from_config(void **state)
{
	struct config cfg;
	struct result r;
	double before = now_wall();

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	cfg.station.id = "TH-TS-01";
	cfg.station.name = "Nhà văn hoá xã Tân Sơn";
	cfg.station.commune = "Tân Sơn";
	cfg.station.commune_code = "15553";
	cfg.station.isp = "VNPT";
	assert_int_equal(result_init(&r, &cfg, "schedule"), 0);
	assert_string_equal(r.trigger, "schedule");
	assert_string_equal(r.software, "tramdo/" TRAMDO_VERSION);
	assert_true(r.started_at >= before && r.started_at <= now_wall());
	assert_string_equal(r.station.id, "TH-TS-01");
	assert_ptr_not_equal(r.station.id, cfg.station.id);	/* a copy the result owns */
	assert_string_equal(r.station.name, "Nhà văn hoá xã Tân Sơn");
	assert_string_equal(r.station.commune_code, "15553");
	assert_null(r.station.province);
	/* Nothing measured yet: every figure unknown, no position. */
	assert_int_equal(r.fig.error, MERR_NONE);
	assert_true(r.fig.download_mbps < 0 && r.fig.latency_median_ms < 0);
	assert_false(figures_good(&r.fig));
	assert_int_equal(r.location.source, LOC_NONE);
	result_free(&r);
}

static void
test_set_measurement_copies(void **state)
{
	struct test_figures m;
	struct result r;
	char url[] = "http://10.0.0.2/";

	(void)state;
	figures_clear(&m);
	m.server_url = url;
	m.download_mbps = 95.3;
	m.upload_mbps = 41.2;
	assert_int_equal(result_init(&r, NULL, "citizen"), 0);
	result_set_measurement(&r, &m);
	result_set_measurement(&r, &m);		/* the first copy is freed, not leaked */
	url[0] = 'X';
	assert_string_equal(r.fig.server_url, "http://10.0.0.2/");
	assert_true(figures_good(&r.fig));
	result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_is_uuid_v4),
		cmocka_unit_test(test_init_from_config),
		cmocka_unit_test(test_set_measurement_copies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
