/*
 * test_codec.c — a result in every outside format: design §7 JSON (exact text, round trips,
 * hostile input), InfluxDB line protocol (escaping, Vietnamese tags), the LibreSpeed form, CSV.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "codec.h"
#include "util.h"

#define ID	"0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a"

/* Every field set; figures with at most their written decimals, so they read back exactly. */
static void
full(struct result *r)
{
	result_clear(r);
	memcpy(r->id, ID, sizeof r->id);
	r->started_at = 1795575845.75;		/* 2026-11-25T03:04:05.75Z */
	snprintf(r->trigger, sizeof r->trigger, "citizen");
	snprintf(r->software, sizeof r->software, "tramdo/0.1.0");
	r->station = (struct station){ .id = xstrdup("TH TS,01=A"), .name = xstrdup("Nhà văn hoá"),
	    .province = xstrdup("Thanh Hoá"), .district = xstrdup("Tĩnh Gia"),
	    .commune = xstrdup("Tân Sơn"), .commune_code = xstrdup("15553"),
	    .isp = xstrdup("Viễn thông Thanh Hoá"), .access = xstrdup("FTTH") };
	r->fig.server_name = xstrdup("Hà Nội, VNPT");
	r->fig.server_url = xstrdup("http://10.0.0.2/");
	r->fig.client_ip = xstrdup("10.0.0.9");
	r->fig.client_isp = xstrdup("VNPT \"Fiber\"");
	r->fig.latency_min_ms = 3.1;
	r->fig.latency_median_ms = 4.25;
	r->fig.jitter_ms = 0.03;
	r->fig.connect_ms = 1.5;
	/*
	 * Chosen for LibreSpeed's formulas rather than to agree with the figures above: a minimum
	 * that is a tie for rounding (1.125), a rise, a sample below 1 ms, a smaller difference.
	 */
	memcpy(r->fig.pings_ms, (double[]){ 4.25, 1.125, 5, 0.5, 4.375 }, 5 * sizeof(double));
	r->fig.npings = 5;
	r->fig.loaded_download_ms = 80.5;
	r->fig.loaded_upload_ms = 120;
	r->fig.download_mbps = 94.5;
	r->fig.upload_mbps = 41.25;
	r->fig.download_bytes = 123456789;
	r->fig.upload_bytes = 5000;
	r->fig.upload_body_bytes = 8388608;
	r->fig.duration_s = 18.4;
	r->fig.ip_version = 4;
	r->fig.ipv6 = 1;
	r->location = (struct location){ .source = LOC_GPS, .lat = 19.8, .lon = 105.77,
	    .alt_m = -12.5, .accuracy_m = 5, .satellites = 9, .fix_time = 1795575840 };
}

/* A failed test: its figures (some measured before it failed) are not written. */
static void
failed(struct result *r)
{
	result_clear(r);
	memcpy(r->id, ID, sizeof r->id);
	r->started_at = 1795575845;
	snprintf(r->trigger, sizeof r->trigger, "schedule");
	r->station.id = xstrdup("S1");
	r->station.isp = xstrdup("");
	r->fig.error = MERR_CONNECT;
	snprintf(r->fig.message, sizeof r->fig.message, "connection refused: http://a/b");
	r->fig.server_name = xstrdup("lan");
	r->fig.server_url = xstrdup("http://10.0.0.2/");
	r->fig.latency_median_ms = 3;
	r->fig.download_bytes = 77;
	r->fig.duration_s = 5.5;
	r->location = (struct location){ .source = LOC_STATION, .lat = -19.8067, .lon = 105.7852,
	    .alt_m = NAN, .accuracy_m = NAN, .satellites = -1 };
}

static const char *full_json =
    "{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\",\"trigger\":\"citizen\","
    "\"station\":{\"id\":\"TH TS,01=A\",\"name\":\"Nhà văn hoá\",\"province\":\"Thanh Hoá\","
    "\"district\":\"Tĩnh Gia\",\"commune\":\"Tân Sơn\",\"commune_code\":\"15553\","
    "\"isp\":\"Viễn thông Thanh Hoá\",\"access\":\"FTTH\"},"
    "\"server\":{\"name\":\"Hà Nội, VNPT\",\"url\":\"http://10.0.0.2/\"},"
    "\"client\":{\"ip\":\"10.0.0.9\",\"isp\":\"VNPT \\\"Fiber\\\"\"},"
    "\"ip_version\":4,\"ipv6\":true,"
    "\"latency_ms\":{\"min\":3.10,\"median\":4.25,\"jitter\":0.03,\"connect\":1.50,"
    "\"samples\":[4.250,1.125,5.000,0.500,4.375]},"
    "\"loaded_latency_ms\":{\"download\":80.50,\"upload\":120.00},"
    "\"download_mbps\":94.50,\"upload_mbps\":41.25,"
    "\"bytes\":{\"download\":123456789,\"upload\":5000},\"upload_body_bytes\":8388608,"
    "\"location\":{\"source\":\"gps\",\"lat\":19.8000000,\"lon\":105.7700000,\"alt_m\":-12.5,"
    "\"accuracy_m\":5.0,\"satellites\":9,\"fix_time\":\"2026-11-25T03:04:00Z\"},"
    "\"duration_s\":18.40,\"software\":\"tramdo/0.1.0\"}";

static const char *failed_json =
    "{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\",\"trigger\":\"schedule\","
    "\"station\":{\"id\":\"S1\",\"name\":null,\"province\":null,\"district\":null,"
    "\"commune\":null,\"commune_code\":null,\"isp\":null,\"access\":null},"
    "\"server\":{\"name\":\"lan\",\"url\":\"http://10.0.0.2/\"},"
    "\"client\":{\"ip\":null,\"isp\":null},\"ip_version\":null,\"ipv6\":null,"
    "\"error\":{\"code\":\"connect\",\"message\":\"connection refused: http://a/b\"},"
    "\"location\":{\"source\":\"station\",\"lat\":-19.8067000,\"lon\":105.7852000},"
    "\"duration_s\":5.50,\"software\":\"tramdo/" TRAMDO_VERSION "\"}";

static void
decode(const char *text, struct result *r)
{
	char err[256] = "";

	if (codec_parse_json(text, strlen(text), r, err, sizeof err) != 0)
		fail_msg("not decoded (%s): %s", err, text);
}

/* Fixed decimals, null for what is not known, "/" unescaped, figures only when measured. */
static void
test_json_exact_text(void **state)
{
	struct result r;
	char *json;

	(void)state;
	full(&r);
	json = codec_json(&r);
	assert_string_equal(json, full_json);
	free(json);
	result_free(&r);
	failed(&r);
	json = codec_json(&r);
	assert_string_equal(json, failed_json);
	free(json);
	result_free(&r);
}

/* The family fields: each value reads back; anything else a stored row may hold is unknown. */
static void
test_ip_family(void **state)
{
	static const struct {
		const char	*json;
		int		 ip_version, ipv6;
	} cases[] = {
		{ "\"ip_version\":6,\"ipv6\":true", 6, 1 },
		{ "\"ip_version\":4,\"ipv6\":false", 4, 0 },
		{ "\"ip_version\":null,\"ipv6\":null", 0, -1 },
		{ "\"ip_version\":5,\"ipv6\":\"yes\"", 0, -1 },
		{ "\"ip_version\":\"6\",\"ipv6\":1", 0, -1 },
		{ "\"ip_version\":4.0,\"ipv6\":[true]", 0, -1 },
		{ "\"x\":0", 0, -1 },		/* an older tramdo's row */
	};
	struct result r;
	char *text, *again;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		text = xasprintf("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
		    "\"trigger\":\"cli\",%s}", cases[i].json);
		decode(text, &r);
		assert_int_equal(r.fig.ip_version, cases[i].ip_version);
		assert_int_equal(r.fig.ipv6, cases[i].ipv6);
		again = codec_json(&r);
		result_free(&r);
		decode(again, &r);
		assert_int_equal(r.fig.ip_version, cases[i].ip_version);
		assert_int_equal(r.fig.ipv6, cases[i].ipv6);
		result_free(&r);
		free(again);
		free(text);
	}
	full(&r);
	r.fig.ip_version = 6;
	r.fig.ipv6 = 0;
	text = codec_influx(&r, false);
	assert_non_null(strstr(text, ",ip_version=6,isp="));
	assert_non_null(strstr(text, ",ipv6=false,"));
	free(text);
	r.fig.ip_version = 0;
	r.fig.ipv6 = -1;
	text = codec_influx(&r, false);
	assert_null(strstr(text, "ip_version"));
	assert_null(strstr(text, "ipv6"));
	free(text);
	result_free(&r);
}

static void
assert_same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Every field of a complete measurement survives codec_json → codec_parse_json. */
static void
test_json_round_trip_full(void **state)
{
	struct result r, back;
	const struct station *s = &back.station;
	const struct test_figures *f = &back.fig;
	char *json;

	(void)state;
	full(&r);
	json = codec_json(&r);
	decode(json, &back);
	assert_string_equal(back.id, ID);
	assert_float_equal(back.started_at, 1795575845, 0);	/* whole seconds, as written */
	assert_string_equal(back.trigger, "citizen");
	assert_string_equal(back.software, "tramdo/0.1.0");
	assert_same_text(s->id, "TH TS,01=A");
	assert_same_text(s->name, "Nhà văn hoá");
	assert_same_text(s->province, "Thanh Hoá");
	assert_same_text(s->district, "Tĩnh Gia");
	assert_same_text(s->commune, "Tân Sơn");
	assert_same_text(s->commune_code, "15553");
	assert_same_text(s->isp, "Viễn thông Thanh Hoá");
	assert_same_text(s->access, "FTTH");
	assert_int_equal(f->error, MERR_NONE);
	assert_string_equal(f->message, "");
	assert_same_text(f->server_name, "Hà Nội, VNPT");
	assert_same_text(f->server_url, "http://10.0.0.2/");
	assert_same_text(f->client_ip, "10.0.0.9");
	assert_same_text(f->client_isp, "VNPT \"Fiber\"");
	assert_true(f->latency_min_ms == 3.1 && f->latency_median_ms == 4.25);
	assert_true(f->jitter_ms == 0.03 && f->connect_ms == 1.5);
	assert_true(f->loaded_download_ms == 80.5 && f->loaded_upload_ms == 120);
	assert_true(f->download_mbps == 94.5 && f->upload_mbps == 41.25);
	assert_true(f->download_bytes == 123456789 && f->upload_bytes == 5000);
	assert_true(f->upload_body_bytes == 8388608);
	assert_int_equal(f->upload_error, MERR_NONE);
	assert_true(f->duration_s == 18.4);
	assert_int_equal(f->npings, 5);
	assert_true(f->pings_ms[0] == 4.25 && f->pings_ms[1] == 1.125 && f->pings_ms[4] == 4.375);
	assert_true(figures_good(f));
	assert_int_equal(back.location.source, LOC_GPS);
	assert_true(back.location.lat == 19.8 && back.location.lon == 105.77);
	assert_true(back.location.alt_m == -12.5 && back.location.accuracy_m == 5);
	assert_int_equal(back.location.satellites, 9);
	assert_float_equal(back.location.fix_time, 1795575840, 0);
	free(json);
	/* And the text is a fixed point: encoding what was decoded gives it again. */
	json = codec_json(&back);
	assert_string_equal(json, full_json);
	free(json);
	result_free(&r);
	result_free(&back);
}

static void
test_json_round_trip_failed(void **state)
{
	struct result r, back;
	const struct test_figures *f = &back.fig;
	char *json;

	(void)state;
	failed(&r);
	json = codec_json(&r);
	decode(json, &back);
	free(json);
	assert_string_equal(back.id, ID);
	assert_string_equal(back.trigger, "schedule");
	assert_string_equal(back.software, "tramdo/" TRAMDO_VERSION);
	assert_same_text(back.station.id, "S1");
	assert_null(back.station.name);
	assert_null(back.station.isp);		/* "" is not set */
	assert_int_equal(f->error, MERR_CONNECT);
	assert_string_equal(f->message, "connection refused: http://a/b");
	assert_same_text(f->server_name, "lan");
	assert_null(f->client_ip);
	assert_null(f->client_isp);
	/* A failed test's figures are not written: unknown when read back. */
	assert_true(f->latency_min_ms == -1 && f->latency_median_ms == -1 && f->jitter_ms == -1);
	assert_true(f->connect_ms == -1 && f->loaded_download_ms == -1);
	assert_true(f->loaded_upload_ms == -1);
	assert_true(f->download_mbps == -1 && f->upload_mbps == -1);
	assert_true(f->download_bytes == 0 && f->upload_bytes == 0);
	assert_true(f->duration_s == 5.5);
	assert_false(figures_good(f));
	assert_int_equal(back.location.source, LOC_STATION);
	assert_true(back.location.lat == -19.8067 && back.location.lon == 105.7852);
	assert_true(isnan(back.location.alt_m) && isnan(back.location.accuracy_m));
	assert_int_equal(back.location.satellites, -1);
	assert_float_equal(back.location.fix_time, 0, 0);
	json = codec_json(&back);
	assert_string_equal(json, failed_json);
	free(json);
	result_free(&r);
	result_free(&back);
}

static void
test_json_refused(void **state)
{
	static const struct {
		const char	*text, *why;
	} cases[] = {
		{ "", "not JSON" },
		{ "{\"id\":", "not JSON" },
		{ "[1,2]", "no UUID" },
		{ "{\"id\":42,\"started_at\":\"2026-11-25T03:04:05Z\"}", "no UUID" },
		{ "{\"id\":\"0123456789abcdef0123456789abcdef0123\",\"started_at\":\"2026-11-25T03:04:05Z\"}",
		    "no UUID" },
		{ "{\"id\":\"0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b\\r\\n\","
		    "\"started_at\":\"2026-11-25T03:04:05Z\"}", "no UUID" },
		{ "{\"id\":\"0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6\\u0000\","
		    "\"started_at\":\"2026-11-25T03:04:05Z\"}", "no UUID" },
		{ "{\"id\":\"" ID "\",\"started_at\":\"yesterday\"}", "started_at" },
		{ "{\"id\":\"" ID "\",\"started_at\":1795575845}", "started_at" },
		{ "{\"id\":\"" ID "\"}", "started_at" },
		{ "{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\"} {}", "text after" },
	};
	struct result r;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		if (codec_parse_json(cases[i].text, strlen(cases[i].text), &r, err, sizeof err) == 0)
			fail_msg("taken as a result: %s", cases[i].text);
		if (strstr(err, cases[i].why) == NULL)
			fail_msg("'%s': reason '%s', expected '%s'", cases[i].text, err, cases[i].why);
		result_free(&r);
	}
}

/* The least a result needs; white space around it is fine, anything else is unknown. */
static void
test_json_lenient_about_absent_strict_about_types(void **state)
{
	struct result r;

	(void)state;
	decode(" {\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05.5+00:00\"}\n", &r);
	assert_float_equal(r.started_at, 1795575845.5, 1e-9);
	assert_string_equal(r.trigger, "");
	assert_int_equal(r.fig.error, MERR_NONE);
	assert_true(r.fig.download_mbps == -1);
	assert_false(figures_good(&r.fig));
	assert_int_equal(r.location.source, LOC_NONE);
	assert_null(r.station.id);
	result_free(&r);
	decode("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\",\"trigger\":7,"
	    "\"station\":\"TH\",\"server\":{\"name\":5},\"download_mbps\":\"94.5\","
	    "\"upload_mbps\":41,\"latency_ms\":[1,2],\"location\":{\"source\":\"mars\","
	    "\"lat\":1}}", &r);
	assert_string_equal(r.trigger, "");
	assert_null(r.station.id);
	assert_null(r.fig.server_name);
	assert_true(r.fig.download_mbps == -1);
	assert_true(r.fig.upload_mbps == 41);	/* an integer is a number too */
	assert_true(r.fig.latency_min_ms == -1);
	assert_int_equal(r.location.source, LOC_NONE);
	assert_true(isnan(r.location.lat));
	result_free(&r);
	/* An "error" object is a failure whatever its code says. */
	decode("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"error\":{\"code\":\"none\"},\"download_mbps\":9,\"upload_mbps\":9}", &r);
	assert_int_equal(r.fig.error, MERR_INTERNAL);
	assert_false(figures_good(&r.fig));
	result_free(&r);
	decode("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"error\":{\"code\":\"from_the_future\",\"message\":\"?\"}}", &r);
	assert_int_equal(r.fig.error, MERR_INTERNAL);
	assert_string_equal(r.fig.message, "?");
	result_free(&r);
}

/*
 * Found by fuzzing: out-of-range counts were converted to integers (undefined behaviour).
 * NaN and Infinity, which json-c reads, are unknown figures too.
 */
static void
test_json_hostile_numbers(void **state)
{
	struct result r;
	char *json;

	(void)state;
	decode("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"bytes\":{\"download\":18446744073709551616,\"upload\":-5},"
	    "\"download_mbps\":NaN,\"upload_mbps\":Infinity,\"duration_s\":-Infinity,"
	    "\"location\":{\"source\":\"gps\",\"satellites\":1e20,\"lat\":NaN}}", &r);
	assert_true(r.fig.download_bytes == 0);
	assert_true(r.fig.upload_bytes == 0);
	assert_true(r.fig.download_mbps == -1 && r.fig.upload_mbps == -1);
	assert_true(r.fig.duration_s == -1);
	assert_int_equal(r.location.satellites, -1);
	assert_true(isnan(r.location.lat));
	/* An unknown coordinate is null, never the invalid JSON "nan". */
	json = codec_json(&r);
	assert_non_null(strstr(json, "\"lat\":null"));
	free(json);
	result_free(&r);
	decode("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"bytes\":{\"download\":117650000},\"location\":{\"source\":\"gps\",\"satellites\":7}}",
	    &r);
	assert_true(r.fig.download_bytes == 117650000);
	assert_int_equal(r.location.satellites, 7);
	result_free(&r);
	/* A huge figure is written whole (not cut to another number), so it reads back the same. */
	decode("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"download_mbps\":1e300,\"upload_mbps\":1}", &r);
	json = codec_json(&r);
	result_free(&r);
	decode(json, &r);
	assert_true(r.fig.download_mbps == 1e300);
	result_free(&r);
	free(json);
}

static void
test_tag_escaping(void **state)
{
	static const struct {
		char		*(*encode)(const char *);
		const char	*in, *want;
	} cases[] = {
		{ codec_influx_tag, "a b,c=d", "a\\ b\\,c\\=d" },
		/* Vietnamese UTF-8 passes through byte for byte; only the space is escaped. */
		{ codec_influx_tag, "Xã Tân Sơn", "Xã\\ Tân\\ Sơn" },
		/* A newline would end the point: it becomes a (escaped) space. */
		{ codec_influx_tag, "a\nb", "a\\ b" },
		{ codec_influx_tag, "end\\", "end\\\\" },
		{ codec_influx_string, "say \"hi\" \\ ok", "\"say \\\"hi\\\" \\\\ ok\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = cases[i].encode(cases[i].in);

		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

/* The measurement and tags of a point: up to its first space not escaped by a backslash. */
static const char *
tag_set(const char *line)
{
	static char out[1024];
	size_t i = 0;

	for (; line[i] != '\0' && line[i] != ' ' && i + 1 < sizeof out; i++) {
		if (line[i] == '\\' && line[i + 1] != '\0')
			i++;
	}
	snprintf(out, sizeof out, "%.*s", (int)i, line);
	return out;
}

static void
test_influx_line(void **state)
{
	struct result r;
	char *line;

	(void)state;
	full(&r);
	line = codec_influx(&r, false);
	assert_string_equal(line,
	    "speedtest,access=FTTH,commune=Tân\\ Sơn,commune_code=15553,district=Tĩnh\\ Gia,"
	    "ip_version=4,isp=Viễn\\ thông\\ Thanh\\ Hoá,province=Thanh\\ Hoá,"
	    "server=Hà\\ Nội\\,\\ VNPT,source=gps,station=TH\\ TS\\,01\\=A "
	    "result_id=\"" ID "\",trigger=\"citizen\",client_isp=\"VNPT \\\"Fiber\\\"\","
	    "ipv6=true,latency_min_ms=3.1,latency_median_ms=4.25,jitter_ms=0.03,connect_ms=1.5,"
	    "loaded_download_ms=80.5,loaded_upload_ms=120,download_mbps=94.5,upload_mbps=41.25,"
	    "download_bytes=123456789i,upload_bytes=5000i,upload_body_bytes=8388608i,lat=19.8,"
	    "lon=105.77,accuracy_m=5,"
	    "duration_s=18.4 1795575845\n");
	/*
	 * The result id and other per-test values are fields, never tags: a tag per test would be
	 * a series per test, and InfluxDB 1.x indexes every series for good.
	 */
	assert_null(strstr(tag_set(line), ID));
	assert_null(strstr(tag_set(line), "trigger"));
	free(line);
	/* Time as the JSON has it, whole seconds: the same point however it was made. */
	line = codec_influx(&r, true);
	assert_non_null(strstr(line, " 1795575845000\n"));
	free(line);
	/* Figures as written in the JSON: 2 decimals, so 1.239 is sent as 1.24. */
	r.fig.connect_ms = 1.239;
	r.fig.loaded_upload_ms = -1;
	line = codec_influx(&r, false);
	assert_non_null(strstr(line, ",connect_ms=1.24,"));
	assert_null(strstr(line, "loaded_upload_ms"));
	free(line);
	result_free(&r);
}

static void
test_influx_failed(void **state)
{
	struct result r;
	char *line;

	(void)state;
	failed(&r);
	free(r.station.isp);
	r.station.isp = NULL;
	r.location.source = LOC_NONE;
	line = codec_influx(&r, false);
	/* Empty tags are left out (line protocol has no empty tag value); no figure fields. */
	assert_string_equal(line, "speedtest,server=lan,source=none,station=S1 result_id=\"" ID
	    "\",trigger=\"schedule\",error=\"connect\",duration_s=5.5 1795575845\n");
	free(line);
	result_free(&r);
}

/* Splits an urlencoded form and decodes one field (curl_easy_unescape). */
static char *
form_field(const char *form, const char *key)
{
	size_t klen = strlen(key);
	const char *p = form;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '&');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			int outlen;
			char *u = curl_easy_unescape(NULL, p + klen + 1, (int)(len - klen - 1), &outlen);
			char *copy = xstrdup(u);

			curl_free(u);
			return copy;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

static void
assert_form_field(const char *form, const char *key, const char *want)
{
	char *f = form_field(form, key);

	assert_non_null(f);
	assert_string_equal(f, want);
	free(f);
}

/*
 * dl, ul, ping and jitter as LibreSpeed's own client computes and stores them (toFixed(2) of
 * the rate ×1.06, the smallest ping, its jitter); tramdo's own figures in extra.
 */
static void
test_librespeed_form(void **state)
{
	struct result r;
	char err[256];
	char *form;

	(void)state;
	full(&r);
	form = codec_librespeed(&r, err, sizeof err);
	assert_non_null(form);
	/* Every byte outside unreserved characters is percent-encoded. */
	assert_null(strchr(form, ' '));
	assert_null(strchr(form, '"'));
	assert_form_field(form, "dl", "100.17");	/* 94.50 × 1.06 */
	/* 41.25 × 1.06 is 43.72500000000000142 as a double: up, however ties are broken */
	assert_form_field(form, "ul", "43.73");
	/* the minimum, 1.125 exactly: JavaScript's toFixed rounds the tie up, printf would not */
	assert_form_field(form, "ping", "1.13");
	/*
	 * jitter: |1.125 − 4.25| = 3.125; 5 − 1.125 = 3.875 is larger: 0.3 × 3.125 + 0.7 × 3.875
	 * = 3.65; 0.5 counts as 5, difference 0: 0.8 × 3.65 = 2.92; |4.375 − 5| = 0.625 is
	 * smaller: 0.8 × 2.92 + 0.2 × 0.625 = 2.461.
	 */
	assert_form_field(form, "jitter", "2.46");
	assert_form_field(form, "ispinfo",
	    "{\"processedString\":\"10.0.0.9 - VNPT \\\"Fiber\\\"\",\"rawIspInfo\":\"\"}");
	assert_form_field(form, "log", "tramdo result " ID);
	/* The stored JSON but the client ("/" escaped, as json-c does). */
	assert_form_field(form, "extra", "{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"trigger\":\"citizen\",\"station\":{\"id\":\"TH TS,01=A\",\"name\":\"Nhà văn hoá\","
	    "\"province\":\"Thanh Hoá\",\"district\":\"Tĩnh Gia\",\"commune\":\"Tân Sơn\","
	    "\"commune_code\":\"15553\",\"isp\":\"Viễn thông Thanh Hoá\",\"access\":\"FTTH\"},"
	    "\"server\":{\"name\":\"Hà Nội, VNPT\",\"url\":\"http:\\/\\/10.0.0.2\\/\"},"
	    "\"ip_version\":4,\"ipv6\":true,"
	    "\"latency_ms\":{\"min\":3.10,\"median\":4.25,\"jitter\":0.03,\"connect\":1.50,"
	    "\"samples\":[4.250,1.125,5.000,0.500,4.375]},"
	    "\"loaded_latency_ms\":{\"download\":80.50,\"upload\":120.00},"
	    "\"download_mbps\":94.50,\"upload_mbps\":41.25,"
	    "\"bytes\":{\"download\":123456789,\"upload\":5000},\"upload_body_bytes\":8388608,"
	    "\"location\":{\"source\":\"gps\",\"lat\":19.8000000,\"lon\":105.7700000,"
	    "\"alt_m\":-12.5,\"accuracy_m\":5.0,\"satellites\":9,"
	    "\"fix_time\":\"2026-11-25T03:04:00Z\"},"
	    "\"duration_s\":18.40,\"software\":\"tramdo\\/0.1.0\"}");
	free(form);
	result_free(&r);
}

/* LibreSpeed's guard against 0 ms timings: a sample below 1 ms is the one before, or 1 ms. */
static void
test_librespeed_below_1ms(void **state)
{
	struct result r;
	char err[256];
	char *form;

	(void)state;
	full(&r);
	memcpy(r.fig.pings_ms, (double[]){ 0.3, 0.4, 2 }, 3 * sizeof(double));
	r.fig.npings = 3;
	r.fig.download_mbps = 9.43;	/* × 1.06 = 9.9958: a carry through every digit */
	form = codec_librespeed(&r, err, sizeof err);
	assert_non_null(form);
	assert_form_field(form, "ping", "1.00");
	assert_form_field(form, "jitter", "0.70");	/* 0, then 0.3 × 0 + 0.7 × |2 − 1| */
	assert_form_field(form, "dl", "10.00");
	free(form);
	result_free(&r);
}

/* A failed test is sent as the browser sends one: "Fail" in every column. */
static void
test_librespeed_failed(void **state)
{
	struct result r;
	char err[256] = "";
	char *form;

	(void)state;
	failed(&r);
	form = codec_librespeed(&r, err, sizeof err);
	assert_non_null(form);
	assert_form_field(form, "dl", "Fail");
	assert_form_field(form, "ul", "Fail");
	assert_form_field(form, "ping", "Fail");
	assert_form_field(form, "jitter", "Fail");
	assert_form_field(form, "extra", "{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"trigger\":\"schedule\",\"station\":{\"id\":\"S1\",\"name\":null,\"province\":null,"
	    "\"district\":null,\"commune\":null,\"commune_code\":null,\"isp\":null,\"access\":null},"
	    "\"server\":{\"name\":\"lan\",\"url\":\"http:\\/\\/10.0.0.2\\/\"},"
	    "\"ip_version\":null,\"ipv6\":null,"
	    "\"error\":{\"code\":\"connect\",\"message\":\"connection refused: http:\\/\\/a\\/b\"},"
	    "\"location\":{\"source\":\"station\",\"lat\":-19.8067000,\"lon\":105.7852000},"
	    "\"duration_s\":5.50,\"software\":\"tramdo\\/" TRAMDO_VERSION "\"}");
	free(form);
	result_free(&r);
}

/* Nothing for a cancelled test (the client sends none) or one without samples (older rows). */
static void
test_librespeed_refuses(void **state)
{
	struct result r;
	char err[256] = "";

	(void)state;
	failed(&r);
	r.fig.error = MERR_CANCELLED;
	assert_null(codec_librespeed(&r, err, sizeof err));
	assert_non_null(strstr(err, "cancelled"));
	result_free(&r);
	full(&r);
	r.fig.npings = 0;
	err[0] = '\0';
	assert_null(codec_librespeed(&r, err, sizeof err));
	assert_non_null(strstr(err, ID));
	assert_non_null(strstr(err, "latency samples"));
	result_free(&r);
	full(&r);
	r.fig.upload_mbps = -1;
	err[0] = '\0';
	assert_null(codec_librespeed(&r, err, sizeof err));
	assert_non_null(strstr(err, "no rates"));
	result_free(&r);
	/* A stored row may hold anything: DBL_MAX × 1.06 is no rate. */
	full(&r);
	r.fig.download_mbps = DBL_MAX;
	err[0] = '\0';
	assert_null(codec_librespeed(&r, err, sizeof err));
	assert_non_null(strstr(err, ID));
	result_free(&r);
}

/* Samples are all or nothing: one that is not a figure, or too many, leaves them unknown. */
static void
test_samples_strict(void **state)
{
	static const char *const bad[] = { "[1.5,\"2\"]", "[1.5,-1]", "[1.5,null]", "{}" };
	struct result r;
	char *json, *text;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		text = xasprintf("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
		    "\"latency_ms\":{\"min\":1.5,\"samples\":%s}}", bad[i]);
		decode(text, &r);
		assert_int_equal(r.fig.npings, 0);
		assert_true(r.fig.latency_min_ms == 1.5);
		free(text);
		result_free(&r);
	}
	json = xstrdup("[0");
	for (int i = 0; i < TEST_PINGS_MAX; i++) {
		text = xasprintf("%s,1", json);
		free(json);
		json = text;
	}
	text = xasprintf("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\","
	    "\"latency_ms\":{\"samples\":%s]}}", json);
	decode(text, &r);
	assert_int_equal(r.fig.npings, 0);
	free(text);
	free(json);
	result_free(&r);
}

/* The download measured, the upload refused: a partial result (model.h). */
static void
partial(struct result *r)
{
	full(r);
	r->fig.upload_mbps = -1;
	r->fig.loaded_upload_ms = -1;
	r->fig.upload_body_bytes = 262144;
	r->fig.upload_error = MERR_HTTP;
	snprintf(r->fig.upload_message, sizeof r->fig.upload_message,
	    "upload: HTTP 413 from http://10.0.0.2/empty");
}

/* Every format keeps the download of a partial test and says why its upload is missing. */
static void
test_partial(void **state)
{
	struct result r, back;
	char *text, err[256] = "";

	(void)state;
	partial(&r);
	assert_false(figures_good(&r.fig));
	assert_true(figures_partial(&r.fig));
	text = codec_json(&r);
	assert_non_null(strstr(text, "\"download_mbps\":94.50,\"upload_mbps\":null,"));
	assert_non_null(strstr(text, ",\"upload_body_bytes\":262144,\"upload_error\":{\"code\":"
	    "\"http\",\"message\":\"upload: HTTP 413 from http://10.0.0.2/empty\"},"));
	assert_null(strstr(text, "\"error\""));
	decode(text, &back);
	assert_int_equal(back.fig.error, MERR_NONE);
	assert_int_equal(back.fig.upload_error, MERR_HTTP);
	assert_string_equal(back.fig.upload_message, "upload: HTTP 413 from http://10.0.0.2/empty");
	assert_true(back.fig.download_mbps == 94.5 && back.fig.upload_mbps == -1);
	assert_true(back.fig.upload_body_bytes == 262144);
	assert_true(figures_partial(&back.fig));
	free(text);
	result_free(&back);
	text = codec_influx(&r, false);
	assert_non_null(strstr(text, ",download_mbps=94.5,download_bytes="));
	assert_non_null(strstr(text, ",upload_body_bytes=262144i,upload_error=\"http\","));
	assert_null(strstr(text, "upload_mbps"));
	free(text);
	text = codec_librespeed(&r, err, sizeof err);
	assert_non_null(text);
	assert_form_field(text, "ul", "Fail");
	assert_form_field(text, "dl", "100.17");
	free(text);
	text = codec_csv(&r);
	assert_non_null(strstr(text, ",94.50,,3.10,"));
	assert_non_null(strstr(text, ",gps,,4,true,262144,http\r\n"));
	free(text);
	/* An upload_error whose code no tramdo wrote is still a partial test. */
	decode("{\"id\":\"" ID "\",\"started_at\":\"2026-11-25T03:04:05Z\",\"download_mbps\":1,"
	    "\"upload_error\":{\"code\":\"none\"}}", &back);
	assert_int_equal(back.fig.upload_error, MERR_INTERNAL);
	result_free(&back);
	result_free(&r);
}

static void
test_csv(void **state)
{
	struct result r;
	char *row;

	(void)state;
	row = codec_csv(NULL);
	assert_string_equal(row, "id,started_at,trigger,station_id,station_name,"
	    "station_commune_code,station_isp,server_name,client_isp,download_mbps,upload_mbps,"
	    "latency_ms_min,latency_ms_median,latency_ms_jitter,loaded_latency_ms_download,"
	    "loaded_latency_ms_upload,bytes_download,bytes_upload,location_lat,location_lon,"
	    "location_source,error_code,ip_version,ipv6,upload_body_bytes,upload_error_code\r\n");
	free(row);
	full(&r);
	free(r.station.name);
	r.station.name = xstrdup("Nhà văn hoá, \"xã\"\nTân Sơn");
	row = codec_csv(&r);
	/* RFC 4180: quoted when needed, quotes doubled; values as the JSON's text has them. */
	assert_string_equal(row, ID ",2026-11-25T03:04:05Z,citizen,\"TH TS,01=A\","
	    "\"Nhà văn hoá, \"\"xã\"\"\nTân Sơn\",15553,Viễn thông Thanh Hoá,\"Hà Nội, VNPT\","
	    "\"VNPT \"\"Fiber\"\"\",94.50,41.25,3.10,4.25,0.03,80.50,120.00,123456789,5000,"
	    "19.8000000,105.7700000,gps,,4,true,8388608,\r\n");
	free(row);
	result_free(&r);
	failed(&r);
	row = codec_csv(&r);
	/* A negative figure is a number, not a formula: left as it is. */
	assert_string_equal(row, ID ",2026-11-25T03:04:05Z,schedule,S1,,,,lan,,,,,,,,,,,"
	    "-19.8067000,105.7852000,station,connect,,,,\r\n");
	free(row);
	result_free(&r);
}

/* Text a spreadsheet would run as a formula gets a leading apostrophe; other text does not. */
static void
test_csv_formula_cells(void **state)
{
	static const struct {
		const char	*text, *cell;
	} cases[] = {
		{ "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"" },
		{ "+84 VNPT", "'+84 VNPT" },
		{ "-2+3", "'-2+3" },
		{ "@SUM(A1)", "'@SUM(A1)" },
		{ "\t=1", "'\t=1" },
		{ "\r=1", "\"'\r=1\"" },
		{ "Viettel = tốt", "Viettel = tốt" },
		{ "'quoted", "'quoted" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct result r;
		char *row, *want;

		full(&r);
		free(r.fig.client_isp);
		r.fig.client_isp = xstrdup(cases[i].text);
		free(r.station.name);
		r.station.name = xstrdup(cases[i].text);
		row = codec_csv(&r);
		want = xasprintf(ID ",2026-11-25T03:04:05Z,citizen,\"TH TS,01=A\",%s,15553,"
		    "Viễn thông Thanh Hoá,\"Hà Nội, VNPT\",%s,94.50,", cases[i].cell, cases[i].cell);
		print_message("case %zu\n", i);
		assert_true(strncmp(row, want, strlen(want)) == 0);
		free(want);
		free(row);
		result_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_exact_text),
		cmocka_unit_test(test_json_round_trip_full),
		cmocka_unit_test(test_json_round_trip_failed),
		cmocka_unit_test(test_ip_family),
		cmocka_unit_test(test_json_refused),
		cmocka_unit_test(test_json_lenient_about_absent_strict_about_types),
		cmocka_unit_test(test_json_hostile_numbers),
		cmocka_unit_test(test_tag_escaping),
		cmocka_unit_test(test_influx_line),
		cmocka_unit_test(test_influx_failed),
		cmocka_unit_test(test_librespeed_form),
		cmocka_unit_test(test_librespeed_below_1ms),
		cmocka_unit_test(test_librespeed_failed),
		cmocka_unit_test(test_librespeed_refuses),
		cmocka_unit_test(test_samples_strict),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_formula_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
