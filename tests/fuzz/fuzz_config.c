/*
 * fuzz_config.c — libFuzzer harness for the INI configuration (config_load).
 * config_load() takes a path, so each input is written to a memfd and loaded as
 * /proc/self/fd/N: no file on disk, nothing left behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
write_all(int fd, const uint8_t *data, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n <= 0)
			return -1;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct diags d = { 0 };
	char path[64];
	int fd;

	if ((fd = memfd_create("fuzz.ini", MFD_CLOEXEC)) < 0) {
		perror("memfd_create");
		abort();
	}
	if (write_all(fd, data, size) != 0) {
		perror("write");
		abort();
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	config_load(path, &cfg, &d);
	/* Every problem must be a readable line, never an empty message. */
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].text == NULL || d.v[i].text[0] == '\0')
			abort();
	diags_free(&d);
	config_free(&cfg);
	close(fd);
	return 0;
}
