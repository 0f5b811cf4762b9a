/*
 * fuzz_collector_reply.c — libFuzzer harness for the collector reply classifier
 * (upload_classify_reply). Input: a first line "SINK STATUS" (json, librespeed or influx; an
 * HTTP status), then the reply body as a collector sent it. Whatever arrives: the outcome
 * follows docs/upload.md's table, and the detail and id are screen-safe text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upload.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLY_KEPT	4095	/* what upload.c keeps of a reply */

static void
check_screen_safe(const char *s)
{
	char *again = sanitize_text(s);

	if (strcmp(again, s) != 0)
		abort();
	free(again);
}

/* The table in docs/upload.md, written out independently of upload.c. */
static void
check_outcome(const char *sink, long status, enum upload_outcome got, const char *id)
{
	bool ok2xx = status >= 200 && status < 300;

	if (ok2xx && strcmp(sink, "librespeed") == 0) {
		if (got != (id[0] != '\0' ? UPLOAD_SENT : UPLOAD_RETRY))
			abort();
	} else if (ok2xx || status == 409) {
		if (got != UPLOAD_SENT)
			abort();
	} else if (status >= 400 && status < 500 && status != 408 && status != 429) {
		if (got != UPLOAD_REJECTED)
			abort();
	} else if (got != UPLOAD_RETRY)
		abort();
	if (id[0] != '\0' && (strcmp(sink, "librespeed") != 0 || got != UPLOAD_SENT))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char head[64], detail[256], id[32], prefix[32], *reply, *sp;
	const char *sink = head;
	long status;
	size_t hlen, rlen;
	enum upload_outcome got;

	if (nl == NULL || (hlen = (size_t)(nl - data)) >= sizeof head)
		return 0;
	memcpy(head, data, hlen);
	head[hlen] = '\0';
	if ((sp = strchr(head, ' ')) == NULL)
		return 0;
	*sp = '\0';
	if (!upload_sink_known(sink) || !parse_long(sp + 1, &status))
		return 0;
	rlen = size - hlen - 1;
	if (rlen > REPLY_KEPT)
		rlen = REPLY_KEPT;
	reply = malloc(rlen + 1);
	if (reply == NULL)
		return 0;
	memcpy(reply, nl + 1, rlen);	/* upload.c keeps the reply NUL-terminated */
	reply[rlen] = '\0';
	got = upload_classify_reply(sink, status, reply, detail, sizeof detail, id, sizeof id);
	check_outcome(sink, status, got, id);
	check_screen_safe(detail);
	check_screen_safe(id);
	snprintf(prefix, sizeof prefix, "HTTP %ld", status);
	if (strncmp(detail, prefix, strlen(prefix)) != 0)
		abort();
	free(reply);
	return 0;
}
