/* test_result.c — the result's JSON survives a round trip, numbers in the C locale. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "result.h"

static void
fill(struct result *r)
{
	struct test_figures m = {
		.server_name = "lan", .server_url = "http://10.0.0.2/", .client_ip = "10.0.0.9",
		.client_isp = "VNPT", .connect_ms = 0.5, .latency_min_ms = 1.234, .latency_median_ms = 2.5,
		.jitter_ms = 0.25, .loaded_download_ms = 40, .loaded_upload_ms = 55.55,
		.download_mbps = 95.3, .upload_mbps = 41.27, .download_bytes = 123456789,
		.upload_bytes = 987654321, .duration_s = 12.3,
	};

	assert_int_equal(result_init(r, NULL, "citizen"), 0);
	result_set_measurement(r, &m);
	r->location = (struct location){ .source = LOC_GPS, .lat = 21.0285123, .lon = 105.8048456,
	    .alt_m = 12.5, .accuracy_m = 4.2, .satellites = 9, .fix_time = 1795000000 };
}

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
	assert_string_not_equal(a.id, b.id);
	result_free(&a);
	result_free(&b);
}

static void
test_round_trip(void **state)
{
	struct result r, back;
	json_object *o, *parsed;

	(void)state;
	fill(&r);
	o = result_to_json(&r);
	parsed = json_tokener_parse(json_object_to_json_string(o));
	assert_non_null(parsed);
	assert_int_equal(result_from_json(parsed, &back), 0);
	assert_string_equal(back.id, r.id);
	assert_string_equal(back.trigger, "citizen");
	assert_string_equal(back.fig.server_url, "http://10.0.0.2/");
	assert_string_equal(back.fig.client_isp, "VNPT");
	assert_true(fabs(back.fig.download_mbps - 95.3) < 1e-9);
	assert_true(fabs(back.fig.latency_min_ms - 1.23) < 1e-9);	/* 0.01 ms resolution */
	assert_true(back.fig.upload_bytes == 987654321);
	assert_int_equal(back.location.source, LOC_GPS);
	assert_true(fabs(back.location.lat - 21.0285123) < 1e-7);
	assert_int_equal(back.location.satellites, 9);
	assert_true(fabs(back.started_at - floor(r.started_at)) < 1e-9);
	json_object_put(o);
	json_object_put(parsed);
	result_free(&r);
	result_free(&back);
}

static void
test_rejects_malformed(void **state)
{
	struct result r;
	json_object *o;

	(void)state;
	o = json_tokener_parse("{\"id\":42,\"started_at\":\"2026-11-25T03:04:05Z\"}");
	assert_int_equal(result_from_json(o, &r), -1);
	result_free(&r);
	json_object_put(o);
	o = json_tokener_parse("{\"id\":\"0123456789abcdef0123456789abcdef0123\",\"started_at\":\"yesterday\"}");
	assert_int_equal(result_from_json(o, &r), -1);
	result_free(&r);
	json_object_put(o);
}

/* Found by fuzzing: out-of-range counts were converted to integers (undefined behaviour). */
static void
test_out_of_range_counts_are_absent(void **state)
{
	struct result r;
	json_object *o;

	(void)state;
	o = json_tokener_parse("{\"id\":\"0f8e3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b\","
	    "\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"bytes\":{\"download\":18446744073709551616,\"upload\":-5},"
	    "\"location\":{\"satellites\":1e20}}");
	assert_non_null(o);
	assert_int_equal(result_from_json(o, &r), 0);
	assert_true(r.fig.download_bytes == 0);
	assert_true(r.fig.upload_bytes == 0);
	assert_int_equal(r.location.satellites, -1);
	result_free(&r);
	json_object_put(o);
	o = json_tokener_parse("{\"id\":\"0f8e3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b\","
	    "\"started_at\":\"2026-11-25T03:04:05Z\",\"bytes\":{\"download\":117650000},"
	    "\"location\":{\"satellites\":7}}");
	assert_int_equal(result_from_json(o, &r), 0);
	assert_true(r.fig.download_bytes == 117650000);
	assert_int_equal(r.location.satellites, 7);
	result_free(&r);
	json_object_put(o);
}

static void
test_failed_test_has_error_object(void **state)
{
	struct result r;
	struct test_figures m = { .error = MERR_CONNECT };
	json_object *o, *e;

	(void)state;
	snprintf(m.message, sizeof m.message, "connection refused");
	result_init(&r, NULL, "cli");
	result_set_measurement(&r, &m);
	o = result_to_json(&r);
	assert_true(json_object_object_get_ex(o, "error", &e));
	assert_false(json_object_object_get_ex(o, "download_mbps", NULL));
	json_object_put(o);
	result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_is_uuid_v4),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rejects_malformed),
		cmocka_unit_test(test_out_of_range_counts_are_absent),
		cmocka_unit_test(test_failed_test_has_error_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
