/*
 * fuzz_result_json.c — libFuzzer harness for codec_parse_json, which decodes results read back
 * from the store. A decoded result must encode (JSON, line protocol, LibreSpeed form, CSV), and
 * its JSON must be a fixed point: decoded again and encoded, it is the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(const struct result *r)
{
	struct result again;
	char err[256], *json = codec_json(r), *json2, *s;

	if (codec_parse_json(json, strlen(json), &again, err, sizeof err) != 0 ||
	    strcmp(again.id, r->id) != 0)
		abort();
	json2 = codec_json(&again);
	if (strcmp(json, json2) != 0)
		abort();
	free(codec_influx(r, true));
	free(codec_csv(r));
	if ((s = codec_librespeed(r, err, sizeof err)) == NULL && err[0] == '\0')
		abort();
	free(s);
	free(json);
	free(json2);
	result_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result r;
	char err[256];

	if (size > 1 << 20)
		return 0;
	if (codec_parse_json((const char *)data, size, &r, err, sizeof err) == 0)
		check_round_trip(&r);
	result_free(&r);
	return 0;
}
