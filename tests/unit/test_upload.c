/*
 * test_upload.c — the upload queue against tests/mock_collector.py (a loopback stand-in
 * collector): delivered, replayed (409), rejected (4xx), retried (5xx, refused connection),
 * token file permissions (a bad one stops only its own sink).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "skip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "codec.h"
#include "config.h"
#include "loop.h"
#include "store.h"
#include "upload.h"
#include "util.h"

static char dir[] = "/tmp/tramdo-test-upload.XXXXXX";
static pid_t collector = -1;
static int port;

static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0), p;

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0)
		fail_msg("no free loopback port: %s", strerror(errno));
	p = ntohs(a.sin_port);
	close(s);
	return p;
}

static bool
port_open(int p)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;

	close(s);
	return ok;
}

/* The stand-in collector on port p (HTTPS when cert is given); its pid, or -1. */
static pid_t
spawn_collector(int p, const char *cert, const char *key)
{
	const char *src = getenv("TRAMDO_SRCDIR");
	char *script = xasprintf("%s/tests/mock_collector.py", src != NULL ? src : ".");
	char portarg[16];
	pid_t pid;

	snprintf(portarg, sizeof portarg, "%d", p);
	pid = fork();
	if (pid == 0) {
		/* The collector must not outlive a test binary that aborts. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (cert != NULL)
			execlp("python3", "python3", script, "--port", portarg, "--token", "s3cret",
			    "--tls", cert, key, NULL);
		else
			execlp("python3", "python3", script, "--port", portarg, "--token", "s3cret",
			    NULL);
		_exit(127);
	}
	free(script);
	for (int i = 0; i < 200 && !port_open(p); i++)
		usleep(25000);
	return port_open(p) ? pid : -1;
}

static void
reap_collector(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static int
start_collector(void **state)
{
	(void)state;
	port = free_port();
	collector = spawn_collector(port, NULL, NULL);
	return collector > 0 ? 0 : -1;
}

static int
stop_collector(void **state)
{
	(void)state;
	reap_collector(collector);
	return 0;
}

/* A POST or GET to the collector itself, reply in a static buffer. */
static char reply[1 << 20];
static size_t reply_len;

static size_t
collect(char *d, size_t size, size_t n, void *arg)
{
	size_t len = size * n;

	(void)arg;
	if (reply_len + len < sizeof reply) {
		memcpy(reply + reply_len, d, len);
		reply_len += len;
		reply[reply_len] = '\0';
	}
	return len;
}

static struct json_object *
collector_call(const char *path, bool post)
{
	CURL *c = curl_easy_init();
	char *url = xasprintf("http://127.0.0.1:%d%s", port, path);

	reply_len = 0;
	reply[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	if (post)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	free(url);
	return json_tokener_parse(reply);
}

static long
stat_of(const char *sink, const char *key)
{
	struct json_object *o = collector_call("/_stats", false), *v;
	long n;

	assert_true(json_object_object_get_ex(o, sink, &v));
	if (key != NULL)
		assert_true(json_object_object_get_ex(v, key, &v));
	n = (long)json_object_get_int64(v);
	json_object_put(o);
	return n;
}

static void
set_fail(int status, int count)
{
	char *path = xasprintf("/_control?fail=%d&count=%d", status, count);

	json_object_put(collector_call(path, true));
	free(path);
}

static char *
write_token(const char *name, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	fputs("s3cret\n", f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void
base_config(struct config *cfg, const char *format)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->upload.enabled = true;
	cfg->upload.format = (char *)format;
	cfg->upload.url = xasprintf("http://127.0.0.1:%d/api/results", port);
	cfg->upload.librespeed_url = xasprintf("http://127.0.0.1:%d/", port);
	cfg->upload.token_file = write_token("token", 0600);
	cfg->upload.retry_max_seconds = 600;
	cfg->upload.timeout_seconds = 5;
}

static void
free_config(struct config *cfg)
{
	free(cfg->upload.url);
	free(cfg->upload.librespeed_url);
	free(cfg->upload.token_file);
}

static void
put_result(struct store *st, char id[static 37], bool failed)
{
	struct result r;
	char err[256];

	result_clear(&r);
	assert_int_equal(uuid_v4(r.id), 0);
	r.started_at = 1795575845;	/* 2026-11-25T03:04:05Z */
	snprintf(r.trigger, sizeof r.trigger, "cli");
	snprintf(r.software, sizeof r.software, "tramdo/test");
	r.station.id = xstrdup("S1");
	r.station.name = xstrdup("Nhà văn hoá");
	r.fig.server_name = xstrdup("lo");
	r.fig.client_ip = xstrdup("127.0.0.1");
	if (failed) {
		r.fig.error = MERR_DNS;
		snprintf(r.fig.message, sizeof r.fig.message, "x");
	} else {
		r.fig.download_mbps = 90.5;
		r.fig.upload_mbps = 40;
		r.fig.latency_min_ms = 1;
		r.fig.latency_median_ms = 2;
		r.fig.jitter_ms = 0.5;
		r.fig.pings_ms[0] = 2;	/* LibreSpeed's ping and jitter come from the samples */
		r.fig.npings = 1;
	}
	assert_int_equal(store_put(st, &r, err, sizeof err), 0);
	memcpy(id, r.id, 37);
	result_free(&r);
}

static void
run_until_idle(struct upload *u)
{
	struct loop l;
	struct loop_source src = { upload_fds, upload_timeout, upload_dispatch, u };
	double end = now_mono() + 10;

	loop_init(&l);
	loop_add(&l, &src);
	while (!upload_idle(u) && now_mono() < end)
		loop_once(&l, 200);
	assert_true(upload_idle(u));
}

static char *
state_of(struct store *st, const char *id, const char *sink)
{
	static char buf[32];
	char *s = store_upload_state(st, id, sink, NULL);

	snprintf(buf, sizeof buf, "%s", s != NULL ? s : "(none)");
	free(s);
	return buf;
}

static void
test_delivered_once_both_sinks(void **state)
{
	char *db = xasprintf("%s/a.db", dir), id1[37], id2[37], err[256];
	struct store *st = store_open(db, "json,librespeed");
	struct config cfg;
	struct upload *u;
	long before_json = stat_of("json", "accepted"), before_ls = stat_of("librespeed", "accepted");

	(void)state;
	base_config(&cfg, "json,librespeed");
	put_result(st, id1, false);
	put_result(st, id2, true);
	u = upload_new(&cfg, st, err, sizeof err);
	assert_non_null(u);
	upload_kick(u);
	run_until_idle(u);
	upload_free(u);
	assert_string_equal(state_of(st, id1, "json"), "sent");
	assert_string_equal(state_of(st, id1, "librespeed"), "sent");
	assert_string_equal(state_of(st, id2, "json"), "sent");
	/* A failed test goes to LibreSpeed too, as its browser client sends one ("Fail"). */
	assert_string_equal(state_of(st, id2, "librespeed"), "sent");
	assert_int_equal(stat_of("json", "accepted") - before_json, 2);
	assert_int_equal(stat_of("librespeed", "accepted") - before_ls, 2);
	assert_int_equal(stat_of("bad", NULL), 0);
	assert_int_equal(store_waiting(st), 0);

	/* Sending again (as after a crash before "sent" was committed) is answered 409: delivered. */
	store_close(st);
	{
		sqlite3 *raw;

		assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
		assert_int_equal(sqlite3_exec(raw, "UPDATE uploads SET state = 'pending', "
		    "next_attempt = 0 WHERE sink = 'json'", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(raw);
	}
	st = store_open(db, "json,librespeed");
	u = upload_new(&cfg, st, err, sizeof err);
	upload_kick(u);
	run_until_idle(u);
	upload_free(u);
	assert_string_equal(state_of(st, id1, "json"), "sent");
	assert_int_equal(stat_of("json", "accepted") - before_json, 2);
	assert_int_equal(stat_of("json", "replays"), 2);
	free_config(&cfg);
	store_close(st);
	free(db);
}

static void
test_retry_then_deliver(void **state)
{
	char *db = xasprintf("%s/b.db", dir), id[37], err[256], *s;
	struct store *st = store_open(db, "json");
	struct config cfg;
	struct upload *u;
	struct upload_report rep;
	int attempts;

	(void)state;
	base_config(&cfg, "json");
	put_result(st, id, false);
	set_fail(503, 1);
	u = upload_new(&cfg, st, err, sizeof err);
	upload_kick(u);
	run_until_idle(u);
	upload_report(u, &rep);
	assert_int_equal(rep.retry, 1);
	s = store_upload_state(st, id, "json", &attempts);
	assert_string_equal(s, "pending");
	assert_int_equal(attempts, 1);
	free(s);
	/* Backoff: nothing due yet, next attempt between 7.5 and 15 s away. */
	assert_true(store_next_due(st) > now_mono() + 7);
	assert_true(store_next_due(st) < now_mono() + 16);
	/* `tramdo upload` ignores the backoff. */
	upload_all_now(u);
	run_until_idle(u);
	upload_free(u);
	assert_string_equal(state_of(st, id, "json"), "sent");
	free_config(&cfg);
	store_close(st);
	free(db);
}

static void
test_rejected_and_retryable_statuses(void **state)
{
	static const struct { int status; const char *state; } cases[] = {
		{ 400, "rejected" }, { 403, "rejected" }, { 422, "rejected" },
		{ 408, "pending" }, { 429, "pending" }, { 500, "pending" }, { 503, "pending" },
		{ 409, "sent" },
	};
	char *db = xasprintf("%s/c.db", dir), id[37], err[256];
	struct store *st = store_open(db, "json");
	struct config cfg;

	(void)state;
	base_config(&cfg, "json");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct upload *u;

		put_result(st, id, false);
		set_fail(cases[i].status, 1);
		u = upload_new(&cfg, st, err, sizeof err);
		upload_kick(u);
		run_until_idle(u);
		upload_free(u);
		if (strcmp(state_of(st, id, "json"), cases[i].state) != 0)
			fail_msg("HTTP %d: state %s, expected %s", cases[i].status,
			    state_of(st, id, "json"), cases[i].state);
		/* Leave nothing due for the next case. */
		store_claim(st, id, "json", INFINITY, 60);
		store_mark_rejected(st, id, "json", "test done");
	}
	free_config(&cfg);
	store_close(st);
	free(db);
}

static void
test_collector_down_is_retried(void **state)
{
	char *db = xasprintf("%s/d.db", dir), id[37], err[256];
	struct store *st = store_open(db, "json");
	struct config cfg;
	struct upload *u;

	(void)state;
	base_config(&cfg, "json");
	free(cfg.upload.url);
	cfg.upload.url = xasprintf("http://127.0.0.1:%d/api/results", free_port());
	put_result(st, id, false);
	u = upload_new(&cfg, st, err, sizeof err);
	upload_kick(u);
	run_until_idle(u);
	upload_free(u);
	assert_string_equal(state_of(st, id, "json"), "pending");
	free_config(&cfg);
	store_close(st);
	free(db);
}

static char json_detail[512];

static void
remember_json_detail(void *arg, const char *id, const char *sink, enum upload_outcome outcome,
    const char *detail)
{
	(void)arg;
	(void)id;
	(void)outcome;
	if (strcmp(sink, "json") == 0)
		snprintf(json_detail, sizeof json_detail, "%s", detail);
}

/*
 * A token file readable by others is refused (a leaked token), but it stops only its own sink:
 * the other sinks deliver, its results wait, and the fixed file is read again at the next
 * attempt without a restart.
 */
static void
test_bad_token_stops_only_its_sink(void **state)
{
	char *db = xasprintf("%s/e.db", dir), err[512] = "", id[37];
	struct store *st = store_open(db, "json,librespeed");
	struct config cfg;
	struct upload *u;

	(void)state;
	base_config(&cfg, "json,librespeed");
	free(cfg.upload.token_file);
	cfg.upload.token_file = write_token("token-open", 0644);
	put_result(st, id, false);
	u = upload_new(&cfg, st, err, sizeof err);
	assert_non_null(u);
	upload_set_listener(u, remember_json_detail, NULL);
	upload_kick(u);
	run_until_idle(u);
	assert_string_equal(state_of(st, id, "librespeed"), "sent");
	assert_string_equal(state_of(st, id, "json"), "pending");
	assert_non_null(strstr(json_detail, "[upload] token_file: "));
	assert_non_null(strstr(json_detail, "can be read by group or others (mode 0644)"));
	assert_null(strstr(json_detail, "s3cret"));
	assert_int_equal(chmod(cfg.upload.token_file, 0600), 0);
	upload_all_now(u);
	run_until_idle(u);
	upload_free(u);
	assert_string_equal(state_of(st, id, "json"), "sent");

	cfg.upload.format = "json,ftp";
	assert_null(upload_new(&cfg, st, err, sizeof err));
	assert_non_null(strstr(err, "unknown sink 'ftp'"));
	cfg.upload.format = "influx";
	assert_null(upload_new(&cfg, st, err, sizeof err));
	assert_non_null(strstr(err, "influx_url"));
	free_config(&cfg);
	store_close(st);
	free(db);
}

static void
test_influx2_write(void **state)
{
	char *db = xasprintf("%s/f.db", dir), id[37], err[512], *json, *line;
	struct store *st = store_open(db, "influx");
	struct json_object *root, *o, *v;
	struct config cfg;
	struct upload *u;
	struct result r;

	(void)state;
	base_config(&cfg, "influx");
	cfg.upload.influx_url = xasprintf("http://127.0.0.1:%d/", port);
	cfg.upload.influx_org = "Sở TT&TT";
	cfg.upload.influx_bucket = "tramdo";
	cfg.upload.influx_precision = "ms";
	cfg.upload.influx_token_file = write_token("influx-token", 0400);
	put_result(st, id, false);
	u = upload_new(&cfg, st, err, sizeof err);
	assert_non_null(u);
	upload_kick(u);
	run_until_idle(u);
	upload_free(u);
	assert_string_equal(state_of(st, id, "influx"), "sent");
	root = collector_call("/_stats", false);
	assert_true(json_object_object_get_ex(root, "influx2", &o));
	assert_true(json_object_object_get_ex(o, "queries", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "org=S%E1%BB%9F%20TT%26TT&bucket=tramdo&precision=ms");
	assert_true(json_object_object_get_ex(o, "lines", &v));
	assert_non_null(strstr(json_object_get_string(json_object_array_get_idx(v, 0)),
	    " 1795575845000"));
	/* The point is the stored result, decoded and put in line protocol by the codec. */
	json = store_get(st, id);
	assert_int_equal(codec_parse_json(json, strlen(json), &r, err, sizeof err), 0);
	line = codec_influx(&r, true);
	line[strlen(line) - 1] = '\0';
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), line);
	free(line);
	free(json);
	result_free(&r);
	json_object_put(root);
	free(cfg.upload.influx_url);
	free(cfg.upload.influx_token_file);
	free_config(&cfg);
	store_close(st);
	free(db);
}

static char last_detail[512];

static void
remember_detail(void *arg, const char *id, const char *sink, enum upload_outcome outcome,
    const char *detail)
{
	(void)arg;
	(void)id;
	(void)sink;
	(void)outcome;
	snprintf(last_detail, sizeof last_detail, "%s", detail);
}

/* A collector whose certificate is not trusted is never sent to: the upload waits (retried). */
static void
test_tls_certificate_verified(void **state)
{
	char *db = xasprintf("%s/g.db", dir), *cert = xasprintf("%s/cert.pem", dir);
	char *key = xasprintf("%s/key.pem", dir), *cmd, id[37], err[512];
	struct store *st = store_open(db, "json");
	struct config cfg;
	struct upload *u;
	int tls_port = free_port();
	pid_t tls;

	(void)state;
	cmd = xasprintf("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
	    "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s 2>/dev/null", key, cert);
	if (system(cmd) != 0)
		skip_because("openssl could not make a self-signed certificate");
	free(cmd);
	tls = spawn_collector(tls_port, cert, key);
	assert_true(tls > 0);
	base_config(&cfg, "json");
	free(cfg.upload.url);
	cfg.upload.url = xasprintf("https://127.0.0.1:%d/api/results", tls_port);
	put_result(st, id, false);
	u = upload_new(&cfg, st, err, sizeof err);
	upload_set_listener(u, remember_detail, NULL);
	upload_kick(u);
	run_until_idle(u);
	upload_free(u);
	reap_collector(tls);
	assert_string_equal(state_of(st, id, "json"), "pending");
	assert_non_null(strstr(last_detail, "certificate"));
	free_config(&cfg);
	store_close(st);
	free(db);
	free(cert);
	free(key);
}

/* A collector's reply reaches logs, the store and `tramdo upload`'s output: never raw. */
static void
test_reply_classified_and_sanitised(void **state)
{
	char detail[256], id[32];

	(void)state;
	assert_int_equal(upload_classify_reply("json", 400,
	    "\xc2\x9b" "2J\x7f" "bad \xe2\x80\xae" "evil\xe2 \x1b[31mred\r\n", detail, sizeof detail,
	    id, sizeof id), UPLOAD_REJECTED);
	assert_string_equal(detail, "HTTP 400: 2Jbad evil? red ");
	assert_string_equal(id, "");
	assert_int_equal(upload_classify_reply("librespeed", 200, "id \x1b[2J17\n", detail,
	    sizeof detail, id, sizeof id), UPLOAD_SENT);
	assert_string_equal(id, "17");
	assert_int_equal(upload_classify_reply("librespeed", 200, "id \x1b[2J", detail,
	    sizeof detail, id, sizeof id), UPLOAD_RETRY);
	assert_int_equal(upload_classify_reply("librespeed", 200, "error", detail, sizeof detail,
	    id, sizeof id), UPLOAD_RETRY);
	assert_int_equal(upload_classify_reply("influx", 204, "", detail, sizeof detail, id,
	    sizeof id), UPLOAD_SENT);
	assert_string_equal(detail, "HTTP 204");
	assert_int_equal(upload_classify_reply("json", 409, "{}", detail, sizeof detail, id,
	    sizeof id), UPLOAD_SENT);
	assert_int_equal(upload_classify_reply("json", 429, "", detail, sizeof detail, id,
	    sizeof id), UPLOAD_RETRY);
	assert_int_equal(upload_classify_reply("json", 302, "", detail, sizeof detail, id,
	    sizeof id), UPLOAD_RETRY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivered_once_both_sinks),
		cmocka_unit_test(test_retry_then_deliver),
		cmocka_unit_test(test_rejected_and_retryable_statuses),
		cmocka_unit_test(test_collector_down_is_retried),
		cmocka_unit_test(test_bad_token_stops_only_its_sink),
		cmocka_unit_test(test_influx2_write),
		cmocka_unit_test(test_tls_certificate_verified),
		cmocka_unit_test(test_reply_classified_and_sanitised),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, start_collector, stop_collector);
	if (rc == 0) {
		char *cmd = xasprintf("rm -rf %s", dir);
		if (system(cmd) != 0)
			rc = 1;
		free(cmd);
	}
	return rc;
}
