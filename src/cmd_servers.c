/*
 * cmd_servers.c — `tramdo servers`: fetches [servers] list_url now (the kiosk's own fetcher, with
 * its bounds), pings every configured and listed server with the engine's server selection, and
 * prints them with their latency, marking the one `server = auto` would measure. The choice is
 * the engine's (measure_opts.select_only), not worked out again here.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "loop.h"
#include "measure.h"
#include "servers.h"
#include "signals.h"
#include "textw.h"
#include "util.h"

#define EXIT_UNAVAILABLE 69	/* sysexits EX_UNAVAILABLE: no server answered */

static int
usage(void)
{
	fprintf(stderr, "usage: tramdo [-c FILE] servers [--json]\n");
	return 2;
}

/* "12 minutes", "5.5 hours", "3 days": how old the cached list is. */
static void
age_text(double s, char *buf, size_t len)
{
	if (s < 120 * 60)
		snprintf(buf, len, "%.0f minutes", s / 60);
	else if (s < 72 * 3600)
		snprintf(buf, len, "%.1f hours", s / 3600);
	else
		snprintf(buf, len, "%.0f days", s / 86400);
}

/*
 * The list fetched now, bounded by the fetcher's own limits (30 s at most) or Ctrl-C. On failure
 * the cache is what the servers come from: say how old it is. false when there is no list at all.
 */
static bool
fetch_now(struct loop *loop, const struct config *cfg)
{
	struct servers_fetch *f = servers_fetch_new(cfg);
	struct loop_source src;
	char msg[512], age[32], *path;
	int st = 0, count;
	double age_s;

	if (f == NULL) {
		fprintf(stderr, "tramdo: cannot start fetching the server list (out of memory?)\n");
	} else {
		servers_fetch_source(f, &src);
		loop_add(loop, &src);
		while ((st = servers_fetch_status(f, msg, sizeof msg)) == 0 && !cli_interrupted())
			loop_once(loop, -1);
		loop_remove(loop, f);
		servers_fetch_free(f);
	}
	if (st == 1)	/* the fetcher logged what it got */
		return true;
	path = servers_cache_path(cfg);
	if (servers_cache_info(cfg, &count, &age_s) == 0) {
		age_text(age_s, age, sizeof age);
		fprintf(stderr, "tramdo: using the cached server list %s, fetched %s ago "
		    "(%d servers)\n", path, age, count);
	} else {
		fprintf(stderr, "tramdo: no cached server list either (%s)\n", path);
	}
	free(path);
	return count > 0;
}

/* Selection alone over every candidate, to its end (each candidate has connect_timeout, ×3). */
static struct measure *
ping_all(struct loop *loop, const struct config *cfg, const struct server_list *l)
{
	struct measure_opts o;
	struct measure *m;
	struct loop_source src = { .fds = measure_fds, .timeout_ms = measure_timeout,
	    .dispatch = measure_step };

	measure_opts_from_config(cfg, &o);
	o.select_only = true;
	m = measure_new(l->v, l->n, &o);
	src.ctx = m;
	loop_add(loop, &src);
	if (measure_start(m) == 0) {
		while (!measure_finished(m)) {
			if (cli_interrupted())
				measure_cancel(m);
			loop_once(loop, -1);
		}
	}
	loop_remove(loop, m);
	return m;
}

static const char *
source_of(const struct server_list *l, int i)
{
	return i < l->nconfigured ? "config" : "list";
}

static void
latency_text(const struct measure *m, int i, char *buf, size_t len)
{
	double ms = measure_candidate_ms(m, i);

	if (ms < 0)
		snprintf(buf, len, "no answer");
	else
		snprintf(buf, len, "%.2f ms", ms);
}

/* cell padded with spaces to w columns (names are UTF-8: columns, not bytes) */
static void
print_cell(const char *cell, int w)
{
	printf("%s%*s", cell, w - textw_width(cell), "");
}

static void
print_table(const struct server_list *l, const struct measure *m)
{
	int wn = textw_width("NAME"), wu = textw_width("URL");
	char lat[32];

	for (int i = 0; i < l->n; i++) {
		wn = textw_width(l->v[i].name) > wn ? textw_width(l->v[i].name) : wn;
		wu = textw_width(l->v[i].url) > wu ? textw_width(l->v[i].url) : wu;
	}
	printf("  ");
	print_cell("NAME", wn + 2);
	print_cell("URL", wu + 2);
	printf("SOURCE  LATENCY\n");
	for (int i = 0; i < l->n; i++) {
		latency_text(m, i, lat, sizeof lat);
		printf("%c ", i == measure_chosen(m) ? '*' : ' ');
		print_cell(l->v[i].name, wn + 2);
		print_cell(l->v[i].url, wu + 2);
		print_cell(source_of(l, i), 8);
		printf("%s\n", lat);
	}
}

static void
print_json(const struct server_list *l, const struct measure *m)
{
	struct json_object *a = json_object_new_array();
	char num[32];

	for (int i = 0; i < l->n; i++) {
		struct json_object *o = json_object_new_object();
		double ms = measure_candidate_ms(m, i);

		json_object_object_add(o, "name", json_object_new_string(l->v[i].name));
		json_object_object_add(o, "url", json_object_new_string(l->v[i].url));
		json_object_object_add(o, "source", json_object_new_string(source_of(l, i)));
		snprintf(num, sizeof num, "%.2f", ms);
		json_object_object_add(o, "latency_ms", ms < 0 ? NULL :
		    json_object_new_double_s(ms, num));
		json_object_object_add(o, "chosen", json_object_new_boolean(i == measure_chosen(m)));
		json_object_array_add(a, o);
	}
	printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
}

/* Pings the candidates and prints them; the exit status says whether any answered. */
static int
report(struct loop *loop, const struct config *cfg, const struct server_list *l, bool json)
{
	struct measure *m = ping_all(loop, cfg, l);
	int rc = 0;

	if (cli_interrupted()) {
		fprintf(stderr, "tramdo: interrupted\n");
		rc = 1;
	} else {
		if (json)
			print_json(l, m);
		else
			print_table(l, m);
		if (measure_chosen(m) < 0) {
			fprintf(stderr, "tramdo: none of the %d servers answered\n", l->n);
			rc = EXIT_UNAVAILABLE;
		}
	}
	measure_free(m);
	return rc;
}

int
cmd_servers(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	struct server_list l = { 0 };
	struct loop loop;
	struct loop_source sig;
	bool json = false, listed = false;
	char err[256];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		if (ch != 'j')
			return usage();
		json = true;
	}
	if (optind != argc)
		return usage();
	if (cli_load_config(cli, &cfg) != 0) {
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	cli_catch_interrupts();
	loop_init(&loop);
	sig = signals_source();
	loop_add(&loop, &sig);
	if (cfg.server_list_url != NULL)
		listed = fetch_now(&loop, &cfg);
	if (cli_interrupted()) {
		fprintf(stderr, "tramdo: interrupted\n");
		rc = 1;
	} else if (servers_candidates(&cfg, "auto", &l, err, sizeof err) != 0) {
		fprintf(stderr, "tramdo: %s\n", err);
		/* a list that could not be had is the network's fault, not the file's */
		rc = cfg.server_list_url != NULL && !listed && cfg.nservers == 0 ?
		    EXIT_UNAVAILABLE : EXIT_CONFIG;
	} else {
		rc = report(&loop, &cfg, &l, json);
	}
	server_list_free(&l);
	config_free(&cfg);
	return rc;
}
