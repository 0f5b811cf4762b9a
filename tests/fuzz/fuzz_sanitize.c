/*
 * fuzz_sanitize.c — libFuzzer harness for sanitize_text: whatever arrives, the output is valid
 * UTF-8 without controls or ESC, no longer than the input, and sanitising again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_clean(const unsigned char *s)
{
	while (*s != '\0') {
		if (*s < 0x20 || *s == 0x7f)
			abort();
		if (*s < 0x80) {
			s++;
			continue;
		}
		/* U+0080..U+009F (C1) is C2 80..C2 9F: never allowed through. */
		if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
			abort();
		if ((*s & 0xc0) == 0x80 || *s < 0xc2 || *s > 0xf4)
			abort();
		s++;
		while ((*s & 0xc0) == 0x80)
			s++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out, *again;

	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	out = sanitize_text(in);
	if (strlen(out) > strlen(in))
		abort();
	check_clean((const unsigned char *)out);
	again = sanitize_text(out);
	if (strcmp(again, out) != 0)
		abort();
	free(again);
	free(out);
	free(in);
	return 0;
}
