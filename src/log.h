/* log.h — English log lines for staff and analysts; never written onto the kiosk screen. */
#ifndef TRAMDO_LOG_H
#define TRAMDO_LOG_H

enum log_target {
	LOG_STDERR,	/* command-line use; under systemd stderr is the journal */
	LOG_FILE,	/* --log FILE */
	LOG_JOURNAL	/* the kiosk without --log: sd_journal, never the terminal */
};

/*
 * path is used for LOG_FILE only: appended to, created 0600 whatever the umask. Returns -1
 * with errno (and keeps stderr) if the file cannot be opened.
 */
int  log_open(enum log_target target, const char *path);
void log_close(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One result as one JSON line (already serialised), tagged so it can be found in the journal. */
void log_result(const char *json_line);

#endif
