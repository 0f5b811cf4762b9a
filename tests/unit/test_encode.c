/* test_encode.c — line protocol escaping, Vietnamese tags, LibreSpeed form, time parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "encode.h"
#include "util.h"

static const char *full_result =
    "{\"id\":\"0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a\",\"started_at\":\"2026-11-25T03:04:05Z\","
    "\"trigger\":\"citizen\","
    "\"station\":{\"id\":\"TH TS,01=A\",\"name\":\"Nhà văn hoá\",\"commune_code\":\"15553\","
    "\"isp\":\"Viễn thông Thanh Hoá\"},"
    "\"server\":{\"name\":\"Hà Nội, VNPT\",\"url\":\"http://10.0.0.2/\"},"
    "\"client\":{\"ip\":\"10.0.0.9\",\"isp\":\"VNPT \\\"Fiber\\\"\"},"
    "\"latency_ms\":{\"min\":3.1,\"median\":4.25,\"jitter\":0.7},"
    "\"loaded_latency_ms\":{\"download\":80.5,\"upload\":120},"
    "\"download_mbps\":94.5,\"upload_mbps\":41.25,"
    "\"bytes\":{\"download\":123456789,\"upload\":5000},"
    "\"location\":{\"lat\":19.8,\"lon\":105.77,\"source\":\"gps\",\"accuracy_m\":5},"
    "\"software\":\"tramdo/0.1.0\"}";

static struct json_object *
parse(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	assert_non_null(o);
	return o;
}

static void
test_parse_utc(void **state)
{
	double t;

	(void)state;
	assert_true(encode_parse_utc("2026-11-25T03:04:05Z", &t));
	assert_float_equal(t, 1795575845.0, 1e-9);
	assert_true(encode_parse_utc("2026-11-25T03:04:05.250Z", &t));
	assert_float_equal(t, 1795575845.25, 1e-6);
	/* Digits past nanoseconds are skipped, not overflowed; a bare '.' is no fraction. */
	assert_true(encode_parse_utc("2026-11-25T03:04:05.12345678901234567890123Z", &t));
	assert_float_equal(t, 1795575845.123456789, 1e-6);
	assert_true(encode_parse_utc("2026-11-25T03:04:05.+00:00", &t));
	assert_float_equal(t, 1795575845.0, 1e-9);
	assert_false(encode_parse_utc("2026-11-25 03:04:05", &t));
	assert_false(encode_parse_utc("2026-11-25T03:04:05+07:00", &t));
	assert_false(encode_parse_utc("", &t));
	assert_false(encode_parse_utc(NULL, &t));
}

static void
test_tag_escaping(void **state)
{
	static const struct {
		char		*(*encode)(const char *);
		const char	*in, *want;
	} cases[] = {
		{ encode_influx_tag, "a b,c=d", "a\\ b\\,c\\=d" },
		/* Vietnamese UTF-8 passes through byte for byte; only the space is escaped. */
		{ encode_influx_tag, "Xã Tân Sơn", "Xã\\ Tân\\ Sơn" },
		/* A newline would end the point: it becomes a (escaped) space. */
		{ encode_influx_tag, "a\nb", "a\\ b" },
		{ encode_influx_tag, "end\\", "end\\\\" },
		{ encode_influx_string, "say \"hi\" \\ ok", "\"say \\\"hi\\\" \\\\ ok\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = cases[i].encode(cases[i].in);

		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

static void
test_influx_line(void **state)
{
	struct json_object *r = parse(full_result);
	char err[256], *line;

	(void)state;
	line = encode_influx(r, false, err, sizeof err);
	assert_non_null(line);
	assert_string_equal(line,
	    "speedtest,commune_code=15553,isp=Viễn\\ thông\\ Thanh\\ Hoá,"
	    "server=Hà\\ Nội\\,\\ VNPT,source=gps,station=TH\\ TS\\,01\\=A "
	    "result_id=\"0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a\",trigger=\"citizen\","
	    "client_isp=\"VNPT \\\"Fiber\\\"\","
	    "latency_min_ms=3.1,latency_median_ms=4.25,jitter_ms=0.7,"
	    "loaded_download_ms=80.5,loaded_upload_ms=120,download_mbps=94.5,upload_mbps=41.25,"
	    "download_bytes=123456789i,upload_bytes=5000i,lat=19.8,lon=105.77,accuracy_m=5"
	    " 1795575845\n");
	free(line);
	line = encode_influx(r, true, err, sizeof err);
	assert_non_null(strstr(line, " 1795575845000\n"));
	free(line);
	json_object_put(r);
}

static void
test_influx_failed_and_bad(void **state)
{
	struct json_object *r = parse("{\"id\":\"0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a\","
	    "\"started_at\":\"2026-11-25T03:04:05Z\",\"trigger\":\"schedule\","
	    "\"station\":{\"id\":\"S1\",\"isp\":\"\"},\"download_mbps\":null,"
	    "\"error\":{\"code\":\"dns\",\"message\":\"no such host\"}}");
	char err[256] = "", *line;

	(void)state;
	line = encode_influx(r, false, err, sizeof err);
	assert_non_null(line);
	/* Empty tags are left out (line protocol has no empty tag value); no figure fields. */
	assert_string_equal(line, "speedtest,station=S1 result_id=\"0b7e3c1a-3f1e-4c2a-9d55-"
	    "1f2e3d4c5b6a\",trigger=\"schedule\",error=\"dns\" 1795575845\n");
	free(line);
	json_object_put(r);
	r = parse("{\"id\":\"x\"}");
	assert_null(encode_influx(r, false, err, sizeof err));
	assert_non_null(strstr(err, "started_at"));
	json_object_put(r);
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
test_librespeed_form(void **state)
{
	struct json_object *r = parse(full_result), *extra, *isp, *v;
	char err[256], *form, *f;

	(void)state;
	form = encode_librespeed(r, err, sizeof err);
	assert_non_null(form);
	/* Every byte outside unreserved characters is percent-encoded. */
	assert_null(strchr(form, ' '));
	assert_null(strchr(form, '"'));
	f = form_field(form, "dl");
	assert_string_equal(f, "94.50");
	free(f);
	f = form_field(form, "ul");
	assert_string_equal(f, "41.25");
	free(f);
	f = form_field(form, "ping");
	assert_string_equal(f, "4.25");
	free(f);
	f = form_field(form, "jitter");
	assert_string_equal(f, "0.70");
	free(f);
	f = form_field(form, "ispinfo");
	isp = json_tokener_parse(f);
	free(f);
	assert_non_null(isp);
	assert_true(json_object_object_get_ex(isp, "processedString", &v));
	assert_string_equal(json_object_get_string(v), "10.0.0.9 - VNPT \"Fiber\"");
	json_object_put(isp);
	f = form_field(form, "extra");
	extra = json_tokener_parse(f);
	free(f);
	assert_non_null(extra);
	assert_true(json_object_object_get_ex(extra, "id", &v));
	assert_string_equal(json_object_get_string(v), "0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a");
	assert_true(json_object_object_get_ex(extra, "station", &v));
	assert_true(json_object_object_get_ex(v, "name", &v));
	assert_string_equal(json_object_get_string(v), "Nhà văn hoá");
	assert_true(json_object_object_get_ex(extra, "location", &v));
	assert_true(json_object_object_get_ex(v, "lat", &v));
	assert_float_equal(json_object_get_double(v), 19.8, 1e-9);
	json_object_put(extra);
	f = form_field(form, "log");
	assert_non_null(strstr(f, "0b7e3c1a"));
	free(f);
	free(form);
	json_object_put(r);
}

static void
test_librespeed_refuses_failed_test(void **state)
{
	struct json_object *r = parse("{\"id\":\"0b7e3c1a-3f1e-4c2a-9d55-1f2e3d4c5b6a\","
	    "\"started_at\":\"2026-11-25T03:04:05Z\",\"error\":{\"code\":\"dns\"}}");
	char err[256] = "";

	(void)state;
	assert_null(encode_librespeed(r, err, sizeof err));
	assert_non_null(strstr(err, "not a complete measurement"));
	json_object_put(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_utc),
		cmocka_unit_test(test_tag_escaping),
		cmocka_unit_test(test_influx_line),
		cmocka_unit_test(test_influx_failed_and_bad),
		cmocka_unit_test(test_librespeed_form),
		cmocka_unit_test(test_librespeed_refuses_failed_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
