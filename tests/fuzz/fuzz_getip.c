/*
 * fuzz_getip.c — libFuzzer harness for the getIP reply parser (measure_parse_getip): whatever a
 * server answers, the IP is hex digits, dots and colons only, and the ISP is screen-safe text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_screen_safe(const char *s)
{
	char *again;

	if (s == NULL)
		return;
	again = sanitize_text(s);
	if (*s == '\0' || strcmp(again, s) != 0 || strlen(s) > 128)
		abort();
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = malloc(size + 1), *ip, *isp;

	if (body == NULL)
		return 0;
	memcpy(body, data, size);	/* the engine hands over a NUL-terminated buffer */
	body[size] = '\0';
	if (measure_parse_getip(body, size, &ip, &isp) != 0 && (ip != NULL || isp != NULL))
		abort();
	if (ip != NULL && (*ip == '\0' || strspn(ip, "0123456789abcdefABCDEF.:") != strlen(ip)))
		abort();
	check_screen_safe(isp);
	free(ip);
	free(isp);
	free(body);
	return 0;
}
