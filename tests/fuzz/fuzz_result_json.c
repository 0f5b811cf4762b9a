/*
 * fuzz_result_json.c — libFuzzer harness for result_from_json, which decodes results read
 * back from the store. A decoded result must encode again and decode to the same id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(const struct result *r)
{
	json_object *o = result_to_json(r);
	struct result again;

	if (o == NULL || result_from_json(o, &again) != 0 || strcmp(again.id, r->id) != 0)
		abort();
	result_free(&again);
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok;
	json_object *o;
	struct result r;

	if (size > 1 << 20 || (tok = json_tokener_new()) == NULL)
		return 0;
	o = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (o == NULL)
		return 0;
	if (result_from_json(o, &r) == 0)
		check_round_trip(&r);
	result_free(&r);
	json_object_put(o);
	return 0;
}
