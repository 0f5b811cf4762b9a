/* fuzz_servers_list.c — libFuzzer harness for the LibreSpeed server-list JSON (servers_parse_list). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_list list = { 0 };
	char err[256];
	int n;

	n = servers_parse_list((const char *)data, size, &list, err, sizeof err);
	/* The count returned is the count appended, and every usable server has its endpoints. */
	if (n >= 0 && n != list.n)
		abort();
	for (int i = 0; i < list.n; i++)
		if (list.v[i].name == NULL || list.v[i].garbage_url == NULL ||
		    list.v[i].empty_url == NULL)
			abort();
	/* one server listed twice is kept once */
	for (int i = 0; i < list.n; i++)
		for (int j = i + 1; j < list.n; j++)
			if (strcmp(list.v[i].garbage_url, list.v[j].garbage_url) == 0 &&
			    strcmp(list.v[i].empty_url, list.v[j].empty_url) == 0)
				abort();
	if (memchr(err, '\0', sizeof err) == NULL)
		abort();
	server_list_free(&list);
	return 0;
}
