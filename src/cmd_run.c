/* cmd_run.c — `tramdo run`: one test, headless, printed as a summary or one JSON object. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "codec.h"
#include "config.h"
#include "gps.h"
#include "log.h"
#include "loop.h"
#include "measure.h"
#include "result.h"
#include "servers.h"
#include "util.h"


/*
 * Drives the engine to its end in a small loop of its own, with the GPS client alongside;
 * Ctrl-C cancels cleanly. A test that ends very early still gives gpsd its first report.
 */
static void
run_engine(struct measure *m, struct gps *g)
{
	struct loop loop;
	struct loop_source src = {
		.fds = measure_fds, .timeout_ms = measure_timeout, .dispatch = measure_step, .ctx = m,
	};
	struct loop_source gsrc = gps_loop_source(g);

	cli_catch_interrupts();
	loop_init(&loop);
	loop_add(&loop, &gsrc);
	loop_add(&loop, &src);
	if (measure_start(m) == 0) {
		while (!measure_finished(m)) {
			if (cli_interrupted())
				measure_cancel(m);
			loop_once(&loop, 1000);
		}
	}
	while (!cli_interrupted() && gps_settling(g, now_mono()))
		loop_once(&loop, 100);
}

static void
print_summary(const struct result *r)
{
	const struct test_figures *m = &r->fig;

	if (m->error != MERR_NONE) {
		printf("test failed (%s): %s\n", test_error_name(m->error), m->message);
		return;
	}
	printf("server     %s (%s)\n", m->server_name ? m->server_name : "-", m->server_url);
	if (m->client_ip != NULL)
		printf("client     %s%s%s\n", m->client_ip, m->client_isp ? ", " : "",
		    m->client_isp ? m->client_isp : "");
	printf("latency    %.2f ms median, %.2f ms min, jitter %.2f ms\n",
	    m->latency_median_ms, m->latency_min_ms, m->jitter_ms);
	printf("download   %.2f Mbit/s  (loaded latency %.2f ms)\n", m->download_mbps,
	    m->loaded_download_ms);
	printf("upload     %.2f Mbit/s  (loaded latency %.2f ms)\n", m->upload_mbps,
	    m->loaded_upload_ms);
	printf("duration   %.1f s, id %s\n", m->duration_s, r->id);
}

static void
print_json(const struct result *r)
{
	char *json = codec_json(r);

	printf("%s\n", json);
	free(json);
}

static int
usage(void)
{
	fprintf(stderr, "usage: tramdo [-c FILE] run [--server NAME|URL] [--json]\n");
	return 2;
}

int
cmd_run(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *which = NULL;
	bool json = false;
	struct config cfg;
	struct server_list servers = { 0 };
	struct measure_opts opts;
	struct measure *m;
	struct gps *g;
	struct result r;
	char err[256];
	int ch, rc, kept;

	while ((ch = getopt_long(argc, argv, "s:j", longopts, NULL)) != -1) {
		if (ch == 's')
			which = optarg;
		else if (ch == 'j')
			json = true;
		else
			return usage();
	}
	if (optind != argc)
		return usage();

	if (cli_load_config(cli, &cfg) != 0) {
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	if (servers_candidates(&cfg, which != NULL ? which : cfg.test.server, &servers,
	    err, sizeof err) != 0) {
		fprintf(stderr, "tramdo: %s\n", err);
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	measure_opts_from_config(&cfg, &opts);
	result_init(&r, &cfg, "cli");
	g = gps_new(&cfg);
	m = measure_new(servers.v, servers.n, &opts);
	run_engine(m, g);
	result_set_measurement(&r, measure_result(m));
	gps_location(g, &cfg, now_mono(), &r.location);
	measure_free(m);
	gps_free(g);

	/* Committed (and offered to the collector) before it is shown as done. */
	kept = cmd_keep_result(&cfg, &r);
	if (json)
		print_json(&r);
	else
		print_summary(&r);
	rc = r.fig.error == MERR_NONE && kept == 0 ? 0 : 1;
	result_free(&r);
	server_list_free(&servers);
	config_free(&cfg);
	return rc;
}
