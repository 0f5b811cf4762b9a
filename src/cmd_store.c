/*
 * cmd_store.c — `tramdo history`, `tramdo export` and `tramdo upload`: the store for staff.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cmd.h"
#include "config.h"
#include "encode.h"
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

/* The store for a command, or NULL after saying why (a command cannot hold results). */
static struct store *
open_store(const struct config *cfg)
{
	struct store_status ss;
	struct store *st;

	if (cfg->storage.path == NULL || *cfg->storage.path == '\0') {
		fprintf(stderr, "tramdo: [storage] path is not set\n");
		return NULL;
	}
	st = store_open(cfg->storage.path, sinks_of(cfg));
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
open_config_store(const struct cli *cli, struct config *cfg, struct store **st)
{
	if (cli_load_config(cli, cfg) != 0) {
		config_free(cfg);
		return EXIT_CONFIG;
	}
	if ((*st = open_store(cfg)) == NULL) {
		config_free(cfg);
		return 1;
	}
	return 0;
}

static const char *
str_at(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b != NULL && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return json_object_is_type(v, json_type_null) ? NULL : json_object_get_string(v);
}

static double
num_at(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, a, &v))
		return NAN;
	if (b != NULL && !json_object_object_get_ex(v, b, &v))
		return NAN;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return NAN;
	return json_object_get_double(v);
}

/* ---- history ---- */

static const char *const sink_names[] = { "json", "librespeed", "influx" };

struct history {
	struct store		*st;
	struct json_object	*array;		/* --json */
};

static int
history_row(void *arg, const char *json)
{
	struct history *h = arg;
	struct json_object *o = json_tokener_parse(json);
	const char *id, *err;
	char states[128] = "";
	double dl, ul, ping;

	if (o == NULL)
		return 0;
	if (h->array != NULL) {
		json_object_array_add(h->array, o);
		return 0;
	}
	id = str_at(o, "id", NULL);
	for (size_t i = 0; i < sizeof sink_names / sizeof sink_names[0]; i++) {
		char *state = store_upload_state(h->st, id, sink_names[i], NULL);
		size_t len = strlen(states);

		if (state != NULL)
			snprintf(states + len, sizeof states - len, " %s:%s", sink_names[i], state);
		free(state);
	}
	err = str_at(o, "error", "code");
	dl = num_at(o, "download_mbps", NULL);
	ul = num_at(o, "upload_mbps", NULL);
	ping = num_at(o, "latency_ms", "median");
	if (err != NULL)
		printf("%s  %-8s  failed: %-27s  %s%s\n", str_at(o, "started_at", NULL),
		    str_at(o, "trigger", NULL), err, id, states);
	else
		printf("%s  %-8s  %8.2f down %8.2f up %7.2f ms  %s%s\n",
		    str_at(o, "started_at", NULL), str_at(o, "trigger", NULL), dl, ul, ping, id,
		    states);
	json_object_put(o);
	return 0;
}

int
cmd_history(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct history h = { 0 };
	struct config cfg;
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
	if ((rc = open_config_store(cli, &cfg, &h.st)) != 0)
		return rc;
	if (json)
		h.array = json_object_new_array();
	if (store_list(h.st, 0, (int)n, true, history_row, &h) < 0) {
		struct store_status ss;

		store_status(h.st, &ss);
		fprintf(stderr, "tramdo: %s\n", ss.message);
		rc = 1;
	} else if (json)
		printf("%s\n", json_object_to_json_string_ext(h.array, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(h.array);
	store_close(h.st);
	config_free(&cfg);
	return rc;
}

/* ---- export ---- */

/* "YYYY-MM-DD" is local midnight (the staff's day); a full "…Z" timestamp is taken as is. */
static bool
parse_since(const char *s, double *out)
{
	struct tm tm;
	const char *end;

	if (encode_parse_utc(s, out))
		return true;
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return false;
	tm.tm_isdst = -1;
	*out = (double)mktime(&tm);
	return *out != -1;
}

static const char *const csv_columns[][2] = {
	{ "id", NULL }, { "started_at", NULL }, { "trigger", NULL },
	{ "station", "id" }, { "station", "name" }, { "station", "commune_code" },
	{ "station", "isp" }, { "server", "name" }, { "client", "isp" },
	{ "download_mbps", NULL }, { "upload_mbps", NULL },
	{ "latency_ms", "min" }, { "latency_ms", "median" }, { "latency_ms", "jitter" },
	{ "loaded_latency_ms", "download" }, { "loaded_latency_ms", "upload" },
	{ "bytes", "download" }, { "bytes", "upload" },
	{ "location", "lat" }, { "location", "lon" }, { "location", "source" },
	{ "error", "code" },
};
#define NCSV (sizeof csv_columns / sizeof csv_columns[0])

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void
csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
csv_header(void)
{
	for (size_t i = 0; i < NCSV; i++) {
		if (i > 0)
			putchar(',');
		if (csv_columns[i][1] == NULL)
			fputs(csv_columns[i][0], stdout);
		else
			printf("%s_%s", csv_columns[i][0], csv_columns[i][1]);
	}
	fputs("\r\n", stdout);
}

static int
csv_row(void *arg, const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	(void)arg;
	if (o == NULL)
		return 0;
	for (size_t i = 0; i < NCSV; i++) {
		if (i > 0)
			putchar(',');
		csv_field(stdout, str_at(o, csv_columns[i][0], csv_columns[i][1]));
	}
	fputs("\r\n", stdout);
	json_object_put(o);
	return 0;
}

static int
json_row(void *arg, const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	if (o != NULL)
		json_object_array_add(arg, o);
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
	struct json_object *array = NULL;
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
		fprintf(stderr, "tramdo: export: '%s' is not a date (YYYY-MM-DD)\n", since_s);
		return 2;
	}
	if ((rc = open_config_store(cli, &cfg, &st)) != 0)
		return rc;
	if (strcmp(format, "csv") == 0) {
		csv_header();
		n = store_list(st, since, 0, false, csv_row, NULL);
	} else {
		array = json_object_new_array();
		n = store_list(st, since, 0, false, json_row, array);
		if (n >= 0)
			printf("%s\n", json_object_to_json_string_ext(array,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(array);
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
	if ((rc = open_config_store(cli, &cfg, &st)) != 0)
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
