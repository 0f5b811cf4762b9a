/* metrics.c — see metrics.h. */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* ---- the exposition text ---- */

/* A label value: \ " and line feed escaped (the format's rules), bytes that are not UTF-8 as '?'. */
static void
put_label_value(FILE *f, const char *v)
{
	size_t n;

	for (v = v != NULL ? v : ""; *v != '\0'; v += n) {
		if ((n = utf8_length(v)) == 0) {
			fputc('?', f);
			n = 1;
		} else if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fwrite(v, 1, n, f);
	}
}

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A known number: finite and not below 0 (every figure here is a count, a time or a rate). */
static bool
known(double v)
{
	return isfinite(v) && v >= 0;
}

/*
 * One gauge without labels, when its value is known. %.15g keeps every digit a double holds
 * of an epoch time with its fraction and writes whole numbers without a decimal point.
 */
static void
gauge(FILE *f, const char *name, const char *help, double v)
{
	if (!known(v))
		return;
	family(f, name, "gauge", help);
	fprintf(f, "%s %.15g\n", name, v);
}

/* A state set: one series per state, label key, 1 for the current state and 0 for the others. */
static void
stateset(FILE *f, const char *name, const char *key, const char *help,
    const struct metrics_stateset *s)
{
	if (s->names == NULL || s->n <= 0)
		return;
	family(f, name, "gauge", help);
	for (int i = 0; i < s->n; i++) {
		fprintf(f, "%s{%s=\"", name, key);
		put_label_value(f, s->names[i]);
		fprintf(f, "\"} %d\n", i == s->current);
	}
}

static void
info(FILE *f, const struct metrics_snapshot *s)
{
	const struct { const char *key, *value; } labels[] = {
		{ "version", s->version }, { "station", s->station_id },
		{ "name", s->station_name }, { "province", s->province },
		{ "district", s->district }, { "commune", s->commune },
	};

	family(f, "tramdo_info", "gauge",
	    "Always 1; the labels say which tramdo version runs at which station.");
	fputs("tramdo_info{", f);
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		fprintf(f, "%s%s=\"", i > 0 ? "," : "", labels[i].key);
		put_label_value(f, labels[i].value);
		fputc('"', f);
	}
	fputs("} 1\n", f);
}

static void
tests(FILE *f, const struct metrics_snapshot *s)
{
	gauge(f, "tramdo_last_test_timestamp_seconds",
	    "Unix time the last test (good, failed or cancelled) started.", s->last_test_time);
	stateset(f, "tramdo_last_test_outcome", "outcome",
	    "How the last test ended: 1 for its outcome, 0 for the others.", &s->last_outcome);
	gauge(f, "tramdo_last_good_test_timestamp_seconds",
	    "Unix time the last good test started.", s->last_good_test_time);
	if (s->good_today >= 0 || s->failed_today >= 0) {
		family(f, "tramdo_tests_today", "gauge",
		    "Tests started since local midnight, by outcome (cancelled ones are neither).");
		if (s->good_today >= 0)
			fprintf(f, "tramdo_tests_today{outcome=\"good\"} %ld\n", s->good_today);
		if (s->failed_today >= 0)
			fprintf(f, "tramdo_tests_today{outcome=\"failed\"} %ld\n", s->failed_today);
	}
	/* Prometheus' base unit is the byte (promtool rejects bits): 8 times this is bit/s. */
	gauge(f, "tramdo_last_download_bytes_per_second",
	    "Download rate of the last good test (payload bytes per second).",
	    s->download_bytes_per_s);
	gauge(f, "tramdo_last_upload_bytes_per_second",
	    "Upload rate of the last good test (payload bytes per second).", s->upload_bytes_per_s);
	gauge(f, "tramdo_last_latency_seconds",
	    "Median idle latency of the last good test.", s->latency_seconds);
}

static void
sinks(FILE *f, const struct metrics_snapshot *s)
{
	int n = s->nsinks < METRICS_SINKS_MAX ? s->nsinks : METRICS_SINKS_MAX;

	if (n <= 0)
		return;
	family(f, "tramdo_upload_pending_results", "gauge",
	    "Results waiting to be sent to this upload sink.");
	for (int i = 0; i < n; i++) {
		fputs("tramdo_upload_pending_results{sink=\"", f);
		put_label_value(f, s->sinks[i].name);
		fprintf(f, "\"} %ld\n", s->sinks[i].pending > 0 ? s->sinks[i].pending : 0);
	}
	family(f, "tramdo_upload_last_success_timestamp_seconds", "gauge",
	    "Unix time this upload sink last accepted a result; 0 if it never did.");
	for (int i = 0; i < n; i++) {
		fputs("tramdo_upload_last_success_timestamp_seconds{sink=\"", f);
		put_label_value(f, s->sinks[i].name);
		fprintf(f, "\"} %.15g\n", known(s->sinks[i].last_success) ?
		    s->sinks[i].last_success : 0);
	}
}

char *
metrics_format(const struct metrics_snapshot *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	family(f, "tramdo_up", "gauge", "1 while the kiosk runs; 0 once it has stopped cleanly.");
	fprintf(f, "tramdo_up %d\n", s->up ? 1 : 0);
	info(f, s);
	gauge(f, "tramdo_start_time_seconds", "Unix time the kiosk process started.",
	    s->start_time);
	stateset(f, "tramdo_kiosk_state", "state",
	    "The kiosk's state: 1 for the current one, 0 for the others.", &s->state);
	tests(f, s);
	sinks(f, s);
	stateset(f, "tramdo_gps_state", "state",
	    "The GPS client's state: 1 for the current one, 0 for the others.", &s->gps);
	gauge(f, "tramdo_gps_fix", "1 while gpsd gives a usable 2D or 3D fix, else 0.",
	    s->gps_fix);
	if (s->gps_fix > 0)
		gauge(f, "tramdo_gps_satellites_used", "Satellites used in the current fix.",
		    s->gps_satellites);
	gauge(f, "tramdo_config_errors", "Errors in the configuration file when it was last read.",
	    (double)s->config_errors);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- the file ---- */

/* ".NAME.PID.tmp" in path's directory: hidden, never *.prom, one per process. */
static char *
temp_path(const char *path)
{
	char *d = xstrdup(path), *b = xstrdup(path), *tmp;

	tmp = xasprintf("%s/.%s.%ld.tmp", dirname(d), basename(b), (long)getpid());
	free(d);
	free(b);
	return tmp;
}

static int
write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The temporary file, new (O_EXCL, O_NOFOLLOW: nothing planted there is followed). One left by
 * an earlier process with our PID, killed mid-write, is removed and made again.
 */
static int
create_temp(const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fd;

	if ((fd = open(tmp, flags, 0644)) < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, flags, 0644);
	return fd;
}

/*
 * The directory is not fsync'ed after the rename: a power cut may bring the previous file back,
 * whole, and the kiosk writes a new one within a minute.
 */
int
metrics_write(const char *path, const struct metrics_snapshot *s, char *err, size_t errlen)
{
	char *text, *tmp;
	const char *step = NULL;
	int fd, e = 0;

	if (path == NULL || *path == '\0' || path[strlen(path) - 1] == '/') {
		snprintf(err, errlen, "metrics file '%s' is not a file name", path != NULL ? path : "");
		return -1;
	}
	if ((text = metrics_format(s)) == NULL) {
		snprintf(err, errlen, "cannot format the metrics for %s: out of memory", path);
		return -1;
	}
	tmp = temp_path(path);
	if ((fd = create_temp(tmp)) < 0) {
		step = "create";
		e = errno;
	} else {
		/* node_exporter reads it as its own user; the kiosk's umask (0077) would hide it. */
		if (fchmod(fd, 0644) != 0)
			step = "set the mode of";
		else if (write_all(fd, text, strlen(text)) != 0)
			step = "write";
		else if (fsync(fd) != 0)
			step = "flush";
		e = step != NULL ? errno : 0;
		if (close(fd) != 0 && step == NULL) {
			step = "close";
			e = errno;
		}
		if (step == NULL && rename(tmp, path) != 0) {
			snprintf(err, errlen, "cannot replace metrics file %s: %s", path, strerror(errno));
			step = "";
		}
		if (step != NULL)
			unlink(tmp);
	}
	if (step != NULL && *step != '\0')
		snprintf(err, errlen, "cannot %s %s (for metrics file %s): %s", step, tmp, path,
		    strerror(e));
	free(tmp);
	free(text);
	return step != NULL ? -1 : 0;
}
