/* log.c — see log.h. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include <systemd/sd-journal.h>

static enum log_target target = LOG_STDERR;
static FILE *file;

/*
 * A new log file is 0600 whatever the umask: it names servers, collectors and errors, and no
 * group reader is intended. An existing one is appended to with the mode staff gave it.
 */
static FILE *
open_private(const char *path)
{
	int fd = open_new_private(path, O_WRONLY | O_APPEND), err;
	FILE *f;

	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "ae")) != NULL)
		return f;
	err = errno;	/* the caller says why */
	close(fd);
	errno = err;
	return NULL;
}

int
log_open(enum log_target t, const char *path)
{
	log_close();
	if (t == LOG_FILE) {
		file = open_private(path);
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
