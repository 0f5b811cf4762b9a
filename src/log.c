/* log.c — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <systemd/sd-journal.h>

static enum log_target target = LOG_STDERR;
static FILE *file;

int
log_open(enum log_target t, const char *path)
{
	log_close();
	if (t == LOG_FILE) {
		file = fopen(path, "ae");
		if (file == NULL) {
			target = LOG_STDERR;
			return -1;
		}
		setvbuf(file, NULL, _IOLBF, 0);
	}
	target = t;
	return 0;
}

void
log_close(void)
{
	if (file != NULL)
		fclose(file);
	file = NULL;
	target = LOG_STDERR;
}

static void
log_line(int prio, const char *tag, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof msg, fmt, ap);
	switch (target) {
	case LOG_JOURNAL:
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
		    "SYSLOG_IDENTIFIER=tramdo", NULL);
		break;
	case LOG_FILE: {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(file, "%s %s%s\n", ts, tag, msg);
		break;
	}
	case LOG_STDERR:
		fprintf(stderr, "tramdo: %s%s\n", tag, msg);
		break;
	}
}

#define LOG_FN(name, prio, tag)					\
void name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	log_line(prio, tag, fmt, ap);				\
	va_end(ap);						\
}
LOG_FN(log_err, LOG_ERR, "error: ")
LOG_FN(log_warn, LOG_WARNING, "warning: ")
LOG_FN(log_info, LOG_INFO, "")

void
log_result(const char *json_line)
{
	if (target == LOG_JOURNAL) {
		sd_journal_send("MESSAGE=%s", json_line, "PRIORITY=%d", LOG_NOTICE,
		    "SYSLOG_IDENTIFIER=tramdo", "TRAMDO_RESULT=1", NULL);
		return;
	}
	/* Files and stderr get the bare JSON line so `grep '^{'` or jq can read them. */
	fprintf(target == LOG_FILE ? file : stderr, "%s\n", json_line);
}
