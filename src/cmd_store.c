/*
 * cmd_store.c — `tramdo history`, `tramdo export` and `tramdo upload`: the store for staff.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "codec.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "upload.h"
#include "util.h"

static const char *
sinks_of(const struct config *cfg)
{
	return cfg->upload.enabled ? cfg->upload.format : NULL;
}

/*
 * The store for a command, or NULL after saying why (a command cannot hold results). A reader
 * (history, export) opens an existing database read-only: it creates nothing, even as root.
 */
static struct store *
open_store(const struct config *cfg, bool reader)
{
	struct store_status ss;
	struct store *st;

	if (cfg->storage.path == NULL || *cfg->storage.path == '\0') {
		fprintf(stderr, "tramdo: [storage] path is not set\n");
		return NULL;
	}
	st = reader ? store_open_read(cfg->storage.path) :
	    store_open(cfg->storage.path, sinks_of(cfg));
	store_status(st, &ss);
	if (!ss.ok) {
		fprintf(stderr, "tramdo: %s\n", ss.message);
		store_close(st);
		return NULL;
	}
	return st;
}

/*
 * The configuration and the store for a command: 0, or the exit status after saying why
 * (cfg is then freed).
 */
static int
open_config_store(const struct cli *cli, struct config *cfg, bool reader, struct store **st)
{
	if (cli_load_config(cli, cfg) != 0) {
		config_free(cfg);
		return EXIT_CONFIG;
	}
	/* Not an error of the disk: the command's answer, with a status of its own for scripts. */
	if (reader && cfg->storage.path != NULL && access(cfg->storage.path, F_OK) != 0 &&
	    errno == ENOENT) {
		fprintf(stderr, "tramdo: no results database at %s: no result was stored yet, or "
		    "[storage] path names another file\n", cfg->storage.path);
		config_free(cfg);
		return EXIT_NOINPUT;
	}
	if ((*st = open_store(cfg, reader)) == NULL) {
		config_free(cfg);
		return 1;
	}
	return 0;
}

/* ---- history ---- */

/* A figure as the history line prints it: nan when unknown. */
static double
shown(double v)
{
	return v >= 0 ? v : NAN;
}

static int
history_line(void *arg, const struct result *r, const struct store_uploads *up)
{
	const struct test_figures *f = &r->fig;
	char t[21], states[128] = "";

	(void)arg;
	for (int i = 0; i < up->n; i++) {
		size_t len = strlen(states);

		snprintf(states + len, sizeof states - len, " %s:%s", up->v[i].sink, up->v[i].state);
	}
	format_utc(r->started_at, t);
	if (f->error != MERR_NONE)
		printf("%s  %-8s  failed: %-27s  %s%s\n", t, r->trigger, test_error_name(f->error),
		    r->id, states);
	else
		printf("%s  %-8s  %8.2f down %8.2f up %7.2f ms  %s%s\n", t, r->trigger,
		    shown(f->download_mbps), shown(f->upload_mbps), shown(f->latency_median_ms),
		    r->id, states);
	return 0;
}

/* --json output: one JSON array of the results, built in memory and printed when complete. */
struct json_array {
	FILE	*f;
	char	*text;
	size_t	 len;
	int	 n;
};

static void
array_open(struct json_array *a)
{
	memset(a, 0, sizeof *a);
	if ((a->f = open_memstream(&a->text, &a->len)) == NULL)
		abort();	/* allocation failure only */
	fputc('[', a->f);
}

static int
array_add(void *arg, const struct result *r, const struct store_uploads *up)
{
	struct json_array *a = arg;
	char *json = codec_json(r);

	(void)up;
	fprintf(a->f, "%s%s", a->n++ > 0 ? "," : "", json);
	free(json);
	return 0;
}

/* Prints the array (when ok) and frees it. */
static void
array_close(struct json_array *a, bool ok)
{
	fputc(']', a->f);
	fclose(a->f);
	if (ok)
		printf("%s\n", a->text);
	free(a->text);
}

int
cmd_history(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_array array;
	struct config cfg;
	struct store *st;
	long n = 20;
	int ch, rc = 0;
	bool json = false;

	while ((ch = getopt_long(argc, argv, "jn:", longopts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch == 'n' && parse_long(optarg, &n) && n > 0 && n <= 1000000)
			continue;
		else {
			fprintf(stderr, "usage: tramdo history [--json] [-n N]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: tramdo history [--json] [-n N]\n");
		return 2;
	}
	if ((rc = open_config_store(cli, &cfg, true, &st)) != 0)
		return rc;
	if (json)
		array_open(&array);
	if (store_list(st, 0, (int)n, true, json ? array_add : history_line,
	    json ? &array : NULL) < 0) {
		struct store_status ss;

		store_status(st, &ss);
		fprintf(stderr, "tramdo: %s\n", ss.message);
		rc = 1;
	}
	if (json)
		array_close(&array, rc == 0);
	store_close(st);
	config_free(&cfg);
	return rc;
}

/* ---- export ---- */

/* "YYYY-MM-DD" is local midnight (the staff's day); a full "…Z" timestamp is taken as is. */
static bool
parse_since(const char *s, double *out)
{
	return utc_parse(s, out) || local_date_parse(s, out);
}

static int
csv_line(void *arg, const struct result *r, const struct store_uploads *up)
{
	char *row = codec_csv(r);

	(void)arg;
	(void)up;
	fputs(row, stdout);
	free(row);
	return 0;
}

static int
export_usage(void)
{
	fprintf(stderr, "usage: tramdo export --since DATE --format csv|json\n"
	    "       (DATE: YYYY-MM-DD, local time, or YYYY-MM-DDTHH:MM:SSZ)\n");
	return 2;
}

int
cmd_export(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *since_s = NULL, *format = NULL;
	struct json_array array;
	struct config cfg;
	struct store *st;
	double since;
	int ch, n, rc;

	while ((ch = getopt_long(argc, argv, "s:f:", longopts, NULL)) != -1) {
		if (ch == 's')
			since_s = optarg;
		else if (ch == 'f')
			format = optarg;
		else
			return export_usage();
	}
	if (optind != argc || since_s == NULL || format == NULL ||
	    (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0))
		return export_usage();
	if (!parse_since(since_s, &since)) {
		fprintf(stderr, "tramdo: export: '%s' is not a date on the calendar "
		    "(YYYY-MM-DD)\n", since_s);
		return 2;
	}
	if ((rc = open_config_store(cli, &cfg, true, &st)) != 0)
		return rc;
	if (strcmp(format, "csv") == 0) {
		char *header = codec_csv(NULL);

		fputs(header, stdout);
		free(header);
		n = store_list(st, since, 0, false, csv_line, NULL);
	} else {
		array_open(&array);
		n = store_list(st, since, 0, false, array_add, &array);
		array_close(&array, n >= 0);
	}
	if (n < 0) {
		struct store_status ss;

		store_status(st, &ss);
		fprintf(stderr, "tramdo: %s\n", ss.message);
	} else
		fprintf(stderr, "tramdo: exported %d result(s)\n", n);
	store_close(st);
	config_free(&cfg);
	return n < 0 ? 1 : 0;
}

/* ---- upload ---- */

static const char *const outcome_words[] = { "sent", "rejected", "will retry" };

static void
print_outcome(void *arg, const char *id, const char *sink, enum upload_outcome outcome,
    const char *detail)
{
	(void)arg;
	printf("%s  %-10s  %-10s  %s\n", id, sink, outcome_words[outcome], detail);
	fflush(stdout);
}

/* Runs u in a loop of its own until it is idle, the deadline passes or Ctrl-C. */
static void
drive(struct upload *u, double max_seconds)
{
	struct loop loop;
	struct loop_source src = {
		.fds = upload_fds, .timeout_ms = upload_timeout, .dispatch = upload_dispatch, .ctx = u,
	};
	double end = now_mono() + max_seconds;

	loop_init(&loop);
	loop_add(&loop, &src);
	while (!upload_idle(u) && !cli_interrupted() && now_mono() < end)
		loop_once(&loop, 200);
}

int
cmd_upload(const struct cli *cli, int argc, char **argv)
{
	struct upload_report rep;
	struct config cfg;
	struct store *st;
	struct upload *u;
	char err[512];
	long waiting;
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: tramdo upload\n");
		return 2;
	}
	if ((rc = open_config_store(cli, &cfg, false, &st)) != 0)
		return rc;
	if (!cfg.upload.enabled) {
		waiting = store_waiting(st);
		printf("upload is disabled ([upload] enabled = false); %ld result(s) pending\n",
		    waiting);
		store_close(st);
		config_free(&cfg);
		return waiting == 0 ? 0 : 1;
	}
	if ((u = upload_new(&cfg, st, err, sizeof err)) == NULL) {
		fprintf(stderr, "tramdo: %s\n", err);
		store_close(st);
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	cli_catch_interrupts();
	upload_set_listener(u, print_outcome, NULL);
	upload_all_now(u);
	drive(u, INFINITY);
	upload_report(u, &rep);
	upload_free(u);
	waiting = store_waiting(st);
	printf("sent %d, rejected %d, failed (will retry) %d; %ld result(s) still pending\n",
	    rep.sent, rep.rejected, rep.retry, waiting);
	store_close(st);
	config_free(&cfg);
	return waiting == 0 ? 0 : 1;
}
