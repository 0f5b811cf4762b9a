/* cmd_run.c — `tramdo run`: one test session, headless, printed as a summary or one JSON object. */
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
#include "session.h"
#include "signals.h"
#include "store.h"
#include "upload.h"
#include "util.h"

#define RUN_UPLOAD_WAIT_S 5.0	/* one short attempt; the kiosk or `tramdo upload` does the rest */

static void
print_summary(const struct result *r)
{
	const struct test_figures *m = &r->fig;

	if (m->error != MERR_NONE) {
		printf("test failed (%s): %s\n", test_error_name(m->error), m->message);
		return;
	}
	printf("server     %s (%s)%s\n", m->server_name ? m->server_name : "-", m->server_url,
	    m->ip_version == 6 ? " over IPv6" : m->ip_version == 4 ? " over IPv4" : "");
	if (m->client_ip != NULL)
		printf("client     %s%s%s\n", m->client_ip, m->client_isp ? ", " : "",
		    m->client_isp ? m->client_isp : "");
	printf("latency    %.2f ms median, %.2f ms min, jitter %.2f ms\n",
	    m->latency_median_ms, m->latency_min_ms, m->jitter_ms);
	printf("download   %.2f Mbit/s  (loaded latency %.2f ms)\n", m->download_mbps,
	    m->loaded_download_ms);
	if (figures_partial(m))
		printf("upload     not measured (%s): %s\n", test_error_name(m->upload_error),
		    m->upload_message);
	else
		printf("upload     %.2f Mbit/s  (loaded latency %.2f ms, %llu-byte bodies)\n",
		    m->upload_mbps, m->loaded_upload_ms, (unsigned long long)m->upload_body_bytes);
	printf("IPv6       %s\n", m->ipv6 > 0 ? "works" : m->ipv6 == 0 ? "does not work" : "unknown");
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

/* Where the result goes: the store (NULL after saying why), and the upload queue over it. */
static void
open_keeping(const struct config *cfg, struct session_env *env)
{
	char err[512];

	if (cfg->storage.path == NULL || *cfg->storage.path == '\0') {
		fprintf(stderr, "tramdo: [storage] path is not set: the result will not be stored\n");
		return;
	}
	env->store = store_open(cfg->storage.path,
	    cfg->upload.enabled ? cfg->upload.format : NULL);
	if (cfg->upload.enabled && (env->up = upload_new(cfg, env->store, err, sizeof err)) == NULL)
		fprintf(stderr, "tramdo: upload: %s\n", err);
}

/* The test to its end (Ctrl-C cancels it), then a short upload attempt. */
static void
drive(struct loop *loop, struct session *s, struct upload *up)
{
	double end;

	while (!session_finished(s)) {
		if (cli_interrupted())
			session_cancel(s);
		loop_once(loop, -1);
	}
	end = now_mono() + RUN_UPLOAD_WAIT_S;
	while (up != NULL && !upload_idle(up) && !cli_interrupted()) {
		/* Past the wait nothing new starts, and what is in flight is seen to its end. */
		if (now_mono() >= end)
			upload_drain(up);
		loop_once(loop, now_mono() < end ? deadline_ms(end, now_mono()) : -1);
	}
}

/*
 * What the exit status says: every result measured and committed (held in memory is not kept
 * by a command); with [test] ip_version = both, a family that fails fails the command.
 * EXIT_PARTIAL when all were committed but one's upload could not be measured.
 */
static int
outcome(const struct session *s, const struct store *st)
{
	struct store_status ss;
	bool partial = false;
	int rc = 0;

	for (int i = 0; i < session_count(s); i++) {
		const struct test_figures *f = &session_result_at(s, i)->fig;

		if (session_kept_at(s, i) == 1 && st != NULL) {
			store_status(st, &ss);
			fprintf(stderr, "tramdo: result not stored: %s\n", ss.message);
		}
		if (f->error != MERR_NONE || session_kept_at(s, i) != 0)
			rc = 1;
		partial = partial || figures_partial(f);
	}
	return rc == 0 && partial ? EXIT_PARTIAL : rc;
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
	/* with --log the result line goes there too, as the kiosk's does (stdout has it anyway) */
	struct session_env env = { .cfg = &cfg, .log_line = cli->log_path != NULL };
	struct session *s;
	struct loop loop;
	struct loop_source src;
	char err[256];
	int ch, rc;

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
	cli_catch_interrupts();
	loop_init(&loop);
	src = signals_source();
	loop_add(&loop, &src);
	env.gps = gps_new(&cfg);
	src = gps_loop_source(env.gps);
	loop_add(&loop, &src);
	open_keeping(&cfg, &env);
	if (env.up != NULL) {
		src = (struct loop_source){ .fds = upload_fds, .timeout_ms = upload_timeout,
		    .dispatch = upload_dispatch, .ctx = env.up };
		loop_add(&loop, &src);
	}
	if ((s = session_start(&env, "cli", which, err, sizeof err)) == NULL) {
		fprintf(stderr, "tramdo: %s\n", err);
		rc = EXIT_CONFIG;
	} else {
		src = session_source(s);
		loop_add(&loop, &src);
		drive(&loop, s, env.up);
		/* one JSON object a line, or one summary a result ("both": one per family) */
		for (int i = 0; i < session_count(s); i++) {
			if (json)
				print_json(session_result_at(s, i));
			else
				print_summary(session_result_at(s, i));
		}
		rc = outcome(s, env.store);
		if (env.store == NULL)
			rc = 1;
	}
	session_free(s);
	upload_free(env.up);
	store_close(env.store);
	gps_free(env.gps);
	config_free(&cfg);
	return rc;
}
