/* test_servers.c — endpoint URLs, the LibreSpeed list (hostile input), candidates, background fetch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "loop.h"
#include "servers.h"
#include "util.h"

static char tmpdir[] = "/tmp/tramdo-test-servers.XXXXXX";

static const char *
srcdir(void)
{
	const char *s = getenv("TRAMDO_SRCDIR");
	return s != NULL ? s : ".";
}

static char *
read_fixture(const char *name, size_t *len)
{
	char *path = xasprintf("%s/tests/fixtures/servers/%s", srcdir(), name), *buf;
	FILE *f = fopen(path, "r");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	free(path);
	*len = (size_t)n;
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A configuration from INI text, with storage (and so the list cache) in the temp dir. */
static void
load_config(const char *ini, struct config *cfg)
{
	char *path = xasprintf("%s/t.ini", tmpdir);
	char *full = xasprintf("%s[storage]\npath = %s/results.db\n", ini, tmpdir);
	struct diags d = { 0 };

	write_file(path, full);
	assert_int_equal(config_load(path, cfg, &d), 0);
	diags_free(&d);
	free(full);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc;

	(void)state;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void
remove_cache(void)
{
	char *path = xasprintf("%s/servers.json", tmpdir);

	unlink(path);
	free(path);
}

/* ---------------------------------------------------------------- endpoint URLs */

static void
test_from_conf(void **state)
{
	struct config cfg;
	struct measure_server s;

	(void)state;
	load_config("[server php]\nurl = http://10.0.0.2/\n"
	    "[server go]\nurl = http://10.0.0.2:8080/speed\nlayout = go\n"
	    "[server mixed]\nurl = http://h.example.vn/a/\ndownload_path = /dl/garbage.php\n"
	    "ping_path = https://o.example.vn/e\nupload_path = https://o.example.vn/e\n"
	    "getip_path =\n", &cfg);

	assert_int_equal(server_from_conf(config_server(&cfg, "php"), &s), 0);
	assert_string_equal(s.name, "php");
	assert_string_equal(s.url, "http://10.0.0.2/");
	assert_string_equal(s.garbage_url, "http://10.0.0.2/backend/garbage.php");
	assert_string_equal(s.empty_url, "http://10.0.0.2/backend/empty.php");
	assert_string_equal(s.getip_url, "http://10.0.0.2/backend/getIP.php");
	server_free(&s);

	assert_int_equal(server_from_conf(config_server(&cfg, "go"), &s), 0);
	assert_string_equal(s.garbage_url, "http://10.0.0.2:8080/speed/garbage");
	assert_string_equal(s.empty_url, "http://10.0.0.2:8080/speed/empty");
	assert_string_equal(s.getip_url, "http://10.0.0.2:8080/speed/getIP");
	server_free(&s);

	assert_int_equal(server_from_conf(config_server(&cfg, "mixed"), &s), 0);
	assert_string_equal(s.garbage_url, "http://h.example.vn/dl/garbage.php");
	assert_string_equal(s.empty_url, "https://o.example.vn/e");
	assert_null(s.getip_url);
	server_free(&s);
	config_free(&cfg);
}

static void
test_from_url(void **state)
{
	struct measure_server s;

	(void)state;
	assert_int_equal(server_from_url("x", "http://127.0.0.1:8080", NULL, &s), 0);
	assert_string_equal(s.garbage_url, "http://127.0.0.1:8080/backend/garbage.php");
	server_free(&s);
	assert_int_equal(server_from_url("x", "http://[::1]:81/t/", "go", &s), 0);
	assert_string_equal(s.garbage_url, "http://[::1]:81/t/garbage");
	assert_string_equal(s.getip_url, "http://[::1]:81/t/getIP");
	server_free(&s);
	assert_int_equal(server_from_url("x", "127.0.0.1:8080", NULL, &s), -1);
	assert_int_equal(server_from_url("x", "file:///etc/passwd", NULL, &s), -1);
	assert_int_equal(server_from_url("x", "http://", NULL, &s), -1);
	assert_null(s.name);
}

/* ---------------------------------------------------------------- the list */

static void
test_list_valid(void **state)
{
	struct server_list l = { 0 };
	char err[160];
	size_t len;
	char *json = read_fixture("valid.json", &len);

	(void)state;
	assert_int_equal(servers_parse_list(json, len, &l, err, sizeof err), 3);
	assert_string_equal(err, "");
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "Hà Nội (VNPT)");
	/* protocol-relative: a kiosk has no page scheme, https is taken */
	assert_string_equal(l.v[0].url, "https://hn.speed.example.vn/");
	assert_string_equal(l.v[0].garbage_url, "https://hn.speed.example.vn/garbage.php");
	assert_string_equal(l.v[0].getip_url, "https://hn.speed.example.vn/getIP.php");
	assert_string_equal(l.v[1].garbage_url, "http://hcm.example.vn:8080/backend/garbage");
	assert_string_equal(l.v[1].empty_url, "http://hcm.example.vn:8080/backend/empty");
	assert_string_equal(l.v[2].garbage_url, "https://x.example.vn/dl/garbage.php");
	assert_string_equal(l.v[2].empty_url, "https://other.example.vn/empty.php");
	assert_null(l.v[2].getip_url);
	server_list_free(&l);
	assert_int_equal(l.n, 0);
	free(json);
}

/* A list from the network must not drive the terminal through a server's name. */
static void
test_list_names_sanitised(void **state)
{
	static const char json[] = "[{\"name\": \"\\u001b[2J\\u001b]0;x\\u0007Evil\\u009b31m\\r\\nHN\", "
	    "\"server\": \"http://a.example.vn/\", \"dlURL\": \"garbage.php\", "
	    "\"ulURL\": \"empty.php\", \"pingURL\": \"empty.php\"}]";
	struct server_list l = { 0 };
	char err[160];

	(void)state;
	assert_int_equal(servers_parse_list(json, sizeof json - 1, &l, err, sizeof err), 1);
	assert_string_equal(l.v[0].name, "Evil31m HN");
	server_list_free(&l);
}

static void
test_list_wrong_types(void **state)
{
	struct server_list l = { 0 };
	char err[160];
	size_t len;
	char *json = read_fixture("wrong-types.json", &len);

	(void)state;
	assert_int_equal(servers_parse_list(json, len, &l, err, sizeof err), 2);
	assert_string_equal(err, "entry 1 skipped: 'name' missing or not a string");
	assert_string_equal(l.v[0].name, "good");
	assert_string_equal(l.v[1].name, "good too");
	server_list_free(&l);
	free(json);
}

static void
test_list_broken(void **state)
{
	static const struct {
		const char	*json;
		const char	*err;
	} cases[] = {
		{ "", "server list is not valid JSON: empty or truncated" },
		{ "[{\"name\": \"a\", \"server\": \"http://a/\"", "server list is not valid JSON: empty "
		    "or truncated" },
		{ "{\"name\": \"a\"}", "server list is not a JSON array" },
		{ "[] trailing", "server list has text after the JSON value" },
		{ "<html>502 Bad Gateway</html>", NULL },
		{ "null", "server list is not a JSON array" },
	};
	struct server_list l = { 0 };
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		print_message("case %zu: %s\n", i, cases[i].json);
		assert_int_equal(servers_parse_list(cases[i].json, strlen(cases[i].json), &l, err,
		    sizeof err), -1);
		if (cases[i].err != NULL)
			assert_string_equal(err, cases[i].err);
		assert_int_equal(l.n, 0);
	}
}

static void
test_list_fixtures_broken(void **state)
{
	struct server_list l = { 0 };
	char err[160];
	size_t len;
	char *t = read_fixture("truncated.json", &len), *na;

	(void)state;
	assert_int_equal(servers_parse_list(t, len, &l, err, sizeof err), -1);
	assert_string_equal(err, "server list is not valid JSON: empty or truncated");
	na = read_fixture("not-array.json", &len);
	assert_int_equal(servers_parse_list(na, len, &l, err, sizeof err), -1);
	assert_string_equal(err, "server list is not a JSON array");
	free(t);
	free(na);
}

static void
test_list_huge(void **state)
{
	size_t cap = 3 * 1024 * 1024, len = 0;
	char *json = xmalloc(cap), err[160];
	struct server_list l = { 0 };

	(void)state;
	/* 1500 different servers: the first 1000 are used */
	json[len++] = '[';
	for (int i = 0; i < 1500; i++)
		len += (size_t)snprintf(json + len, cap - len, "{\"name\":\"s%d\",\"server\":"
		    "\"http://a%d.example.vn/\",\"dlURL\":\"g\",\"ulURL\":\"e\",\"pingURL\":\"e\"},",
		    i, i);
	json[len - 1] = ']';
	assert_int_equal(servers_parse_list(json, len, &l, err, sizeof err), 1000);
	assert_string_equal(err, "only the first 1000 of 1500 entries used");
	server_list_free(&l);

	/* over 1 MiB: refused before parsing */
	memset(json, ' ', cap);
	json[0] = '[';
	json[cap - 1] = ']';
	assert_int_equal(servers_parse_list(json, cap, &l, err, sizeof err), -1);
	assert_string_equal(err, "server list too large (3145728 bytes, at most 1048576)");

	/* deep nesting: refused by the tokenizer's depth limit, no recursion blow-up */
	memset(json, '[', 100000);
	memset(json + 100000, ']', 100000);
	assert_int_equal(servers_parse_list(json, 200000, &l, err, sizeof err), -1);
	assert_int_equal(l.n, 0);
	free(json);
}

/*
 * One server listed twice (the same endpoints, however the URL is written) is kept once; an
 * entry whose server or paths are not http(s) is skipped, whatever the scheme; real LibreSpeed
 * lists write the server without a trailing slash and carry id and sponsor fields.
 */
static void
test_list_duplicates_and_schemes(void **state)
{
	static const char json[] = "["
	    "{\"id\": 54, \"name\": \"A\", \"server\": \"https://a.example.vn/backend\", "
	    "\"dlURL\": \"garbage.php\", \"ulURL\": \"empty.php\", \"pingURL\": \"empty.php\", "
	    "\"getIpURL\": \"getIP.php\", \"sponsorName\": \"X\", \"sponsorURL\": \"https://x/\"},"
	    "{\"name\": \"A again\", \"server\": \"//a.example.vn/backend/\", "
	    "\"dlURL\": \"garbage.php\", \"ulURL\": \"empty.php\", \"pingURL\": \"empty.php\"},"
	    "{\"name\": \"file\", \"server\": \"file:///etc/\", \"dlURL\": \"passwd\", "
	    "\"ulURL\": \"e\", \"pingURL\": \"e\"},"
	    "{\"name\": \"ftp\", \"server\": \"ftp://b.example.vn/\", \"dlURL\": \"g\", "
	    "\"ulURL\": \"e\", \"pingURL\": \"e\"},"
	    "{\"name\": \"gopher\", \"server\": \"gopher://b.example.vn/\", \"dlURL\": \"g\", "
	    "\"ulURL\": \"e\", \"pingURL\": \"e\"},"
	    "{\"name\": \"js\", \"server\": \"javascript:alert(1)\", \"dlURL\": \"g\", "
	    "\"ulURL\": \"e\", \"pingURL\": \"e\"},"
	    "{\"name\": \"data\", \"server\": \"data:text/plain,x\", \"dlURL\": \"g\", "
	    "\"ulURL\": \"e\", \"pingURL\": \"e\"},"
	    "{\"name\": \"file path\", \"server\": \"http://c.example.vn/\", "
	    "\"dlURL\": \"file:///etc/passwd\", \"ulURL\": \"e\", \"pingURL\": \"e\"},"
	    "{\"name\": \"gopher ping\", \"server\": \"http://c.example.vn/\", "
	    "\"dlURL\": \"g\", \"ulURL\": \"e\", \"pingURL\": \"gopher://c.example.vn/e\"},"
	    "{\"name\": \"B\", \"server\": \"http://b.example.vn:8080\", \"dlURL\": \"garbage\", "
	    "\"ulURL\": \"empty\", \"pingURL\": \"empty\"}]";
	static const char bad[] = "[{\"name\": \"ftp\", \"server\": \"ftp://b.example.vn/\", "
	    "\"dlURL\": \"g\", \"ulURL\": \"e\", \"pingURL\": \"e\"}]";
	struct server_list l = { 0 };
	char err[160];

	(void)state;
	assert_int_equal(servers_parse_list(json, sizeof json - 1, &l, err, sizeof err), 2);
	assert_string_equal(err, "entry 1 skipped: same server as 'A'");
	assert_string_equal(l.v[0].name, "A");
	assert_string_equal(l.v[0].garbage_url, "https://a.example.vn/backend/garbage.php");
	assert_string_equal(l.v[1].name, "B");
	assert_string_equal(l.v[1].empty_url, "http://b.example.vn:8080/empty");
	server_list_free(&l);

	/* a list of nothing but other schemes has no usable entry; the first reason is given */
	assert_int_equal(servers_parse_list(bad, sizeof bad - 1, &l, err, sizeof err), 0);
	assert_string_equal(err, "entry 0 skipped: 'server' and its paths do not make http(s) URLs");
	assert_int_equal(l.n, 0);
}

/* ---------------------------------------------------------------- candidates */

static void
test_candidates(void **state)
{
	struct config cfg;
	struct server_list l;
	char err[160], *cache;
	size_t len;
	char *json = read_fixture("valid.json", &len);

	(void)state;
	remove_cache();
	load_config("[test]\nserver = auto\n[server A]\nurl = http://10.0.0.2/\n"
	    "[server B]\nurl = http://10.0.0.3/\nlayout = go\n", &cfg);
	assert_int_equal(servers_candidates(&cfg, NULL, &l, err, sizeof err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].garbage_url, "http://10.0.0.3/garbage");
	server_list_free(&l);

	assert_int_equal(servers_candidates(&cfg, "b", &l, err, sizeof err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "B");
	server_list_free(&l);

	assert_int_equal(servers_candidates(&cfg, "http://127.0.0.1:9/", &l, err, sizeof err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].empty_url, "http://127.0.0.1:9/backend/empty.php");
	server_list_free(&l);

	assert_int_equal(servers_candidates(&cfg, "zzz", &l, err, sizeof err), -1);
	assert_string_equal(err, "no server named 'zzz' (see [server NAME] sections)");
	assert_int_equal(l.n, 0);
	assert_int_equal(servers_candidates(&cfg, "ftp://x/", &l, err, sizeof err), -1);
	assert_string_equal(err, "the server URL must start with http:// or https://: 'ftp://x/'");

	/* the cached list joins auto-selection and can be named */
	cache = servers_cache_path(&cfg);
	assert_true(strncmp(cache, tmpdir, strlen(tmpdir)) == 0);
	assert_string_equal(cache + strlen(tmpdir), "/servers.json");
	write_file(cache, json);
	assert_int_equal(servers_candidates(&cfg, "auto", &l, err, sizeof err), 0);
	assert_int_equal(l.n, 5);
	server_list_free(&l);
	assert_int_equal(servers_candidates(&cfg, "tp hcm", &l, err, sizeof err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "TP HCM");
	server_list_free(&l);

	/* a broken cache is ignored */
	write_file(cache, "[{\"name\":");
	assert_int_equal(servers_candidates(&cfg, "auto", &l, err, sizeof err), 0);
	assert_int_equal(l.n, 2);
	server_list_free(&l);
	config_free(&cfg);

	load_config("[kiosk]\n", &cfg);
	unlink(cache);
	assert_int_equal(servers_candidates(&cfg, NULL, &l, err, sizeof err), -1);
	assert_string_equal(err, "no server: add a [server NAME] section or [servers] list_url");
	config_free(&cfg);
	free(cache);
	free(json);
}

/* A listed server that is also configured is measured once, as the configured one. */
static void
test_candidates_merge(void **state)
{
	static const char list[] = "[{\"name\":\"same\",\"server\":\"http://10.0.0.2\","
	    "\"dlURL\":\"backend/garbage.php\",\"ulURL\":\"backend/empty.php\","
	    "\"pingURL\":\"backend/empty.php\"},"
	    "{\"name\":\"other\",\"server\":\"http://10.0.0.9/\",\"dlURL\":\"g\","
	    "\"ulURL\":\"e\",\"pingURL\":\"e\"}]";
	struct config cfg;
	struct server_list l;
	char err[160], *cache;
	int count;
	double age;

	(void)state;
	remove_cache();
	load_config("[server lan]\nurl = http://10.0.0.2/\n", &cfg);
	assert_int_equal(servers_cache_info(&cfg, &count, &age), -1);
	assert_int_equal(count, 0);
	assert_true(age == -1);
	cache = servers_cache_path(&cfg);
	write_file(cache, list);
	assert_int_equal(servers_candidates(&cfg, "auto", &l, err, sizeof err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.nconfigured, 1);
	assert_string_equal(l.v[0].name, "lan");
	assert_string_equal(l.v[1].name, "other");
	server_list_free(&l);
	assert_int_equal(l.nconfigured, 0);

	/* the cache's age is its mtime's: the moment the list was fetched */
	assert_int_equal(servers_cache_info(&cfg, &count, &age), 0);
	assert_int_equal(count, 2);
	assert_true(age >= 0 && age < 60);
	{
		struct timespec two_hours_ago[2] = { { .tv_sec = time(NULL) - 7200 },
		    { .tv_sec = time(NULL) - 7200 } };

		assert_int_equal(utimensat(AT_FDCWD, cache, two_hours_ago, 0), 0);
	}
	assert_int_equal(servers_cache_info(&cfg, &count, &age), 0);
	assert_true(age >= 7200 && age < 7260);
	config_free(&cfg);
	free(cache);
}

/*
 * A login written into a server URL (INI, --server, a list entry) stays in the endpoint URLs the
 * requests use, and nowhere in what a result carries (name, url) or an error says.
 */
static void
test_candidates_user_info(void **state)
{
	static const char list[] = "[{\"name\":\"L\",\"server\":\"http://u:s3cretPW@10.0.0.5/\","
	    "\"dlURL\":\"garbage\",\"ulURL\":\"empty\",\"pingURL\":\"empty\",\"getIpURL\":\"getIP\"}]";
	struct config cfg;
	struct server_list l = { 0 };
	char err[160];

	(void)state;
	remove_cache();
	load_config("[test]\nserver = lan\n[server lan]\nurl = http://user:s3cretPW@10.0.0.2:8080/st/\n",
	    &cfg);
	assert_int_equal(servers_candidates(&cfg, NULL, &l, err, sizeof err), 0);
	assert_string_equal(l.v[0].name, "lan");
	assert_string_equal(l.v[0].url, "http://10.0.0.2:8080/st/");
	assert_string_equal(l.v[0].empty_url, "http://user:s3cretPW@10.0.0.2:8080/st/backend/empty.php");
	assert_string_equal(l.v[0].getip_url, "http://user:s3cretPW@10.0.0.2:8080/st/backend/getIP.php");
	server_list_free(&l);

	assert_int_equal(servers_candidates(&cfg, "http://user:s3cretPW@127.0.0.1:9/", &l, err,
	    sizeof err), 0);
	assert_string_equal(l.v[0].name, "http://127.0.0.1:9/");
	assert_string_equal(l.v[0].url, "http://127.0.0.1:9/");
	assert_string_equal(l.v[0].garbage_url, "http://user:s3cretPW@127.0.0.1:9/backend/garbage.php");
	server_list_free(&l);

	assert_int_equal(servers_candidates(&cfg, "http://user:s3cretPW@/", &l, err, sizeof err), -1);
	assert_null(strstr(err, "s3cretPW"));

	assert_int_equal(servers_parse_list(list, strlen(list), &l, err, sizeof err), 1);
	assert_string_equal(l.v[0].url, "http://10.0.0.5/");
	assert_string_equal(l.v[0].empty_url, "http://u:s3cretPW@10.0.0.5/empty");
	server_list_free(&l);
	config_free(&cfg);
}

/* ---------------------------------------------------------------- fetching */

/* A one-connection HTTP server on loopback, driven by the same loop (never blocks it). */
struct tiny {
	int		 lfd, cfd;
	int		 port;
	char		*reply;		/* NULL: read the request and never answer */
	size_t		 rlen, sent;
	char		 req[4096];
	size_t		 qlen;
	int		 requests;
	char		 first_line[128];	/* of the last request */
	char		 last_req[4096];	/* the last request's head, kept after the reply */
};

static int
tiny_fds(void *ctx, struct pollfd *fds, int max)
{
	struct tiny *t = ctx;
	bool answering = t->reply != NULL && strstr(t->req, "\r\n\r\n") != NULL;

	(void)max;
	fds[0].fd = t->cfd >= 0 ? t->cfd : t->lfd;
	fds[0].events = t->cfd >= 0 && answering ? POLLOUT : POLLIN;
	fds[0].revents = 0;
	return 1;
}

static void
tiny_close(struct tiny *t)
{
	close(t->cfd);
	t->cfd = -1;
	t->qlen = t->sent = 0;
	t->req[0] = '\0';
}

static void
tiny_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct tiny *t = ctx;
	ssize_t got;

	if (n < 1 || fds[0].revents == 0)
		return;
	if (t->cfd < 0) {
		t->cfd = accept4(t->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		return;
	}
	if (fds[0].revents & POLLOUT) {
		got = write(t->cfd, t->reply + t->sent, t->rlen - t->sent);
		if (got > 0)
			t->sent += (size_t)got;
		if (got < 0 || t->sent == t->rlen)
			tiny_close(t);
		return;
	}
	got = read(t->cfd, t->req + t->qlen, sizeof t->req - 1 - t->qlen);
	if (got <= 0) {
		tiny_close(t);
		return;
	}
	t->qlen += (size_t)got;
	t->req[t->qlen] = '\0';
	if (strstr(t->req, "\r\n\r\n") != NULL) {
		t->requests++;
		snprintf(t->first_line, sizeof t->first_line, "%.*s", (int)strcspn(t->req, "\r"),
		    t->req);
		memcpy(t->last_req, t->req, t->qlen + 1);
	}
}

static void
tiny_start(struct tiny *t, const char *status, const char *body, size_t blen)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	char *head;

	memset(t, 0, sizeof *t);
	t->cfd = -1;
	t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(t->lfd >= 0);
	assert_int_equal(bind(t->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(t->lfd, 4), 0);
	assert_int_equal(getsockname(t->lfd, (struct sockaddr *)&a, &alen), 0);
	t->port = ntohs(a.sin_port);
	if (status == NULL)
		return;
	head = xasprintf("HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, blen);
	t->rlen = strlen(head) + blen;
	t->reply = xmalloc(t->rlen);
	memcpy(t->reply, head, strlen(head));
	memcpy(t->reply + strlen(head), body, blen);
	free(head);
}

static void
tiny_stop(struct tiny *t)
{
	if (t->cfd >= 0)
		close(t->cfd);
	close(t->lfd);
	free(t->reply);
}

/* Runs the loop until the fetch has an outcome or secs pass; returns the longest round in s. */
static double
run_fetch(struct tiny *t, struct servers_fetch *f, double secs)
{
	struct loop l;
	struct loop_source src, srv = { tiny_fds, NULL, tiny_dispatch, t };
	double end = now_mono() + secs, longest = 0;
	char msg[256];

	loop_init(&l);
	servers_fetch_source(f, &src);
	loop_add(&l, &srv);
	loop_add(&l, &src);
	while (now_mono() < end && servers_fetch_status(f, msg, sizeof msg) == 0) {
		double t0 = now_mono();
		assert_int_equal(loop_once(&l, 20), 0);
		if (now_mono() - t0 > longest)
			longest = now_mono() - t0;
	}
	return longest;
}

static struct servers_fetch *
fetch_for(struct config *cfg, int port)
{
	char *ini = xasprintf("[servers]\nlist_url = http://127.0.0.1:%d/list.json\n", port);
	struct servers_fetch *f;

	load_config(ini, cfg);
	free(ini);
	f = servers_fetch_new(cfg);
	assert_non_null(f);
	return f;
}

static void
test_fetch_good(void **state)
{
	struct config cfg;
	struct tiny t;
	struct servers_fetch *f;
	struct server_list l = { 0 };
	char msg[256], err[160];
	size_t len;
	char *json = read_fixture("valid.json", &len);

	(void)state;
	remove_cache();
	tiny_start(&t, "200 OK", json, len);
	f = fetch_for(&cfg, t.port);
	run_fetch(&t, f, 5);
	assert_int_equal(servers_fetch_status(f, msg, sizeof msg), 1);
	print_message("%s\n", msg);
	assert_non_null(strstr(msg, ": 3 servers"));
	assert_int_equal(t.requests, 1);
	assert_string_equal(t.first_line, "GET /list.json HTTP/1.1");
	assert_int_equal(servers_load_cache(&cfg, &l, err, sizeof err), 3);
	server_list_free(&l);
	servers_fetch_free(f);
	tiny_stop(&t);
	config_free(&cfg);
	free(json);
}

/* list_url's login goes to the server as Basic authentication, never into the status or the log. */
static void
test_fetch_user_info(void **state)
{
	struct config cfg;
	struct tiny t;
	struct servers_fetch *f;
	char msg[256], *ini;
	size_t len;
	char *json = read_fixture("valid.json", &len);

	(void)state;
	for (int good = 1; good >= 0; good--) {
		remove_cache();
		if (good)
			tiny_start(&t, "200 OK", json, len);
		else
			tiny_start(&t, "500 Internal Server Error", "[]", 2);
		ini = xasprintf("[servers]\nlist_url = http://staff:s3cretPW@127.0.0.1:%d/list.json\n",
		    t.port);
		load_config(ini, &cfg);
		free(ini);
		assert_non_null(f = servers_fetch_new(&cfg));
		run_fetch(&t, f, 5);
		assert_int_equal(servers_fetch_status(f, msg, sizeof msg), good ? 1 : -1);
		print_message("%s\n", msg);
		assert_null(strstr(msg, "s3cretPW"));
		assert_non_null(strstr(msg, "http://127.0.0.1:"));
		/* base64("staff:s3cretPW") */
		assert_non_null(strstr(t.last_req, "Authorization: Basic c3RhZmY6czNjcmV0UFc="));
		servers_fetch_free(f);
		tiny_stop(&t);
		config_free(&cfg);
	}
	free(json);
}

/* A bad reply leaves the last good list in place. */
static void
test_fetch_bad_replies(void **state)
{
	static const struct {
		const char	*status;
		const char	*body;
		const char	*msg;
	} cases[] = {
		{ "500 Internal Server Error", "[]", "HTTP status 500" },
		{ "200 OK", "<html>captive portal</html>", "server list is not valid JSON" },
		{ "200 OK", "[]", "no usable server" },
	};
	struct server_list l = { 0 };
	char msg[256], err[160], *cache;
	size_t len;
	char *json = read_fixture("valid.json", &len);

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config cfg;
		struct tiny t;
		struct servers_fetch *f;

		tiny_start(&t, cases[i].status, cases[i].body, strlen(cases[i].body));
		f = fetch_for(&cfg, t.port);
		cache = servers_cache_path(&cfg);
		write_file(cache, json);
		run_fetch(&t, f, 5);
		assert_int_equal(servers_fetch_status(f, msg, sizeof msg), -1);
		print_message("case %zu: %s\n", i, msg);
		assert_non_null(strstr(msg, cases[i].msg));
		assert_int_equal(servers_load_cache(&cfg, &l, err, sizeof err), 3);
		server_list_free(&l);
		servers_fetch_free(f);
		tiny_stop(&t);
		config_free(&cfg);
		free(cache);
	}
	free(json);
}

static void
test_fetch_too_big(void **state)
{
	size_t big = SERVERS_LIST_MAX_BYTES + 4096;
	char *body = xmalloc(big), msg[256];
	struct config cfg;
	struct tiny t;
	struct servers_fetch *f;

	(void)state;
	memset(body, ' ', big);
	tiny_start(&t, "200 OK", body, big);
	f = fetch_for(&cfg, t.port);
	run_fetch(&t, f, 5);
	assert_int_equal(servers_fetch_status(f, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "larger than 1048576 bytes"));
	servers_fetch_free(f);
	tiny_stop(&t);
	config_free(&cfg);
	free(body);
}

/* A server that accepts and never answers: the loop keeps turning, nothing waits on it. */
static void
test_fetch_never_blocks(void **state)
{
	struct config cfg;
	struct tiny t;
	struct servers_fetch *f;
	char msg[256];
	double longest;

	(void)state;
	tiny_start(&t, NULL, NULL, 0);
	f = fetch_for(&cfg, t.port);
	longest = run_fetch(&t, f, 1.5);
	assert_int_equal(servers_fetch_status(f, msg, sizeof msg), 0);
	assert_int_equal(t.requests, 1);
	print_message("longest loop round: %.1f ms\n", longest * 1000);
	/* a blocking fetch would hold a round for curl's 30 s timeout; leave room for a busy CPU */
	assert_true(longest < 0.5);
	servers_fetch_free(f);	/* mid-transfer */
	tiny_stop(&t);
	config_free(&cfg);
}

static void
test_fetch_refused(void **state)
{
	struct config cfg;
	struct tiny t;
	struct servers_fetch *f;
	char msg[256];

	(void)state;
	tiny_start(&t, NULL, NULL, 0);
	close(t.lfd);	/* nobody listens on that port any more */
	t.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	f = fetch_for(&cfg, t.port);
	run_fetch(&t, f, 5);
	assert_int_equal(servers_fetch_status(f, msg, sizeof msg), -1);
	print_message("%s\n", msg);
	assert_non_null(strstr(msg, "onnect"));
	servers_fetch_free(f);
	tiny_stop(&t);
	config_free(&cfg);
}

static void
test_fetch_without_url(void **state)
{
	struct config cfg;

	(void)state;
	load_config("[kiosk]\n", &cfg);
	assert_null(servers_fetch_new(&cfg));
	servers_fetch_free(NULL);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_conf),
		cmocka_unit_test(test_from_url),
		cmocka_unit_test(test_list_valid),
		cmocka_unit_test(test_list_names_sanitised),
		cmocka_unit_test(test_list_wrong_types),
		cmocka_unit_test(test_list_broken),
		cmocka_unit_test(test_list_fixtures_broken),
		cmocka_unit_test(test_list_huge),
		cmocka_unit_test(test_list_duplicates_and_schemes),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_candidates_merge),
		cmocka_unit_test(test_candidates_user_info),
		cmocka_unit_test(test_fetch_good),
		cmocka_unit_test(test_fetch_user_info),
		cmocka_unit_test(test_fetch_bad_replies),
		cmocka_unit_test(test_fetch_too_big),
		cmocka_unit_test(test_fetch_never_blocks),
		cmocka_unit_test(test_fetch_refused),
		cmocka_unit_test(test_fetch_without_url),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
