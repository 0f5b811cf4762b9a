/*
 * servers.c — see servers.h. Endpoint URLs are resolved with libcurl's URL API, the JSON list is
 * parsed with json-c, and list_url is fetched on curl's multi interface driven by the poll loop.
 */
#include "servers.h"
#include "config.h"
#include "curlpoll.h"
#include "log.h"
#include "loop.h"
#include "url.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- endpoint URLs */

/*
 * path resolved against base as a directory: "garbage" → BASE/garbage, "/x" → host's /x, a full
 * URL or "//host/x" as is. NULL unless the result is an http(s) URL with a host.
 */
static char *
join_url(const char *base, const char *path)
{
	size_t n = strlen(base);
	char *dir = n > 0 && base[n - 1] == '/' ? xstrdup(base) : xasprintf("%s/", base);
	CURLU *h = curl_url();
	char *url = NULL, *out = NULL;

	if (h != NULL && curl_url_set(h, CURLUPART_URL, dir, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_URL, path, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_URL, &url, 0) == CURLUE_OK &&
	    config_url_problem(url) == NULL)
		out = xstrdup(url);
	curl_free(url);
	curl_url_cleanup(h);
	free(dir);
	return out;
}

static int
server_build(const char *name, const char *base, const char *dl, const char *ping,
    const char *getip, struct measure_server *out)
{
	char *shown;

	memset(out, 0, sizeof *out);
	if (config_url_problem(base) != NULL)
		return -1;
	/*
	 * Names and URLs may come from a list on the network, and are shown on screen. The base URL
	 * goes into every result: without its user-info, which only the endpoint URLs keep.
	 */
	out->name = sanitize_text(name);
	shown = url_redact(base);
	out->url = sanitize_text(shown);
	free(shown);
	out->garbage_url = join_url(base, dl);
	out->empty_url = join_url(base, ping);
	out->getip_url = getip != NULL && *getip != '\0' ? join_url(base, getip) : NULL;
	if (out->garbage_url == NULL || out->empty_url == NULL ||
	    (getip != NULL && *getip != '\0' && out->getip_url == NULL)) {
		server_free(out);
		return -1;
	}
	return 0;
}

int
server_from_conf(const struct server_conf *sc, struct measure_server *out)
{
	if (sc->url == NULL) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	/* The engine has one "empty" endpoint for ping and upload; config warns when they differ. */
	return server_build(sc->name, sc->url, sc->download_path, sc->ping_path, sc->getip_path,
	    out);
}

int
server_from_url(const char *name, const char *url, const char *layout, struct measure_server *out)
{
	bool go = layout != NULL && strcmp(layout, "go") == 0;

	return server_build(name, url, go ? "garbage" : "backend/garbage.php",
	    go ? "empty" : "backend/empty.php", go ? "getIP" : "backend/getIP.php", out);
}

void
server_free(struct measure_server *s)
{
	free(s->name);
	free(s->url);
	free(s->garbage_url);
	free(s->empty_url);
	free(s->getip_url);
	memset(s, 0, sizeof *s);
}

static void
list_append(struct server_list *l, struct measure_server *s)
{
	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
	l->v[l->n++] = *s;
}

void
server_list_free(struct server_list *l)
{
	for (int i = 0; i < l->n; i++)
		server_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->nconfigured = 0;
}

/* ---------------------------------------------------------------- the LibreSpeed list */

static const char *
entry_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* One list entry → out; false (with the reason in why) when it is not usable. */
static bool
entry_server(struct json_object *o, struct measure_server *out, char *why, size_t whylen)
{
	static const char *const required[] = { "name", "server", "dlURL", "ulURL", "pingURL" };
	const char *server;
	char *base;
	int rc;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, whylen, "not an object");
		return false;
	}
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (entry_string(o, required[i]) == NULL) {
			snprintf(why, whylen, "'%s' missing or not a string", required[i]);
			return false;
		}
	}
	if (json_object_object_get_ex(o, "getIpURL", NULL) && entry_string(o, "getIpURL") == NULL) {
		snprintf(why, whylen, "'getIpURL' is not a string");
		return false;
	}
	server = entry_string(o, "server");
	/* Protocol-relative (meant for a web page's own scheme): a kiosk has none, take https. */
	base = strncmp(server, "//", 2) == 0 ? xasprintf("https:%s", server) : xstrdup(server);
	rc = server_build(entry_string(o, "name"), base, entry_string(o, "dlURL"),
	    entry_string(o, "pingURL"), entry_string(o, "getIpURL"), out);
	free(base);
	if (rc != 0)
		snprintf(why, whylen, "'server' and its paths do not make http(s) URLs");
	return rc == 0;
}

/* Index in l of a server with the same endpoints as s (URLs as libcurl normalised them), or -1. */
static int
same_server(const struct server_list *l, int from, const struct measure_server *s)
{
	for (int i = from; i < l->n; i++)
		if (strcmp(l->v[i].garbage_url, s->garbage_url) == 0 &&
		    strcmp(l->v[i].empty_url, s->empty_url) == 0)
			return i;
	return -1;
}

int
servers_parse_list(const char *json, size_t len, struct server_list *out, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root;
	size_t n, end;
	int added = 0, first;

	snprintf(err, errlen, "%s", "");
	if (len > SERVERS_LIST_MAX_BYTES) {
		snprintf(err, errlen, "server list too large (%zu bytes, at most %d)", len,
		    SERVERS_LIST_MAX_BYTES);
		return -1;
	}
	if ((tok = json_tokener_new_ex(16)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	root = json_tokener_parse_ex(tok, json, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (root == NULL && json_tokener_get_error(tok) == json_tokener_continue) {
		/* A top-level literal ("null", 12) ends only at a delimiter: give it one. */
		root = json_tokener_parse_ex(tok, " ", 1);
		end = len;
	}
	if (json_tokener_get_error(tok) != json_tokener_success) {	/* root is NULL for "null" too */
		snprintf(err, errlen, "server list is not valid JSON: %s",
		    json_tokener_get_error(tok) == json_tokener_continue ? "empty or truncated" :
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	while (end < len && (json[end] == ' ' || json[end] == '\n' || json[end] == '\r' ||
	    json[end] == '\t'))
		end++;
	if (end < len || root == NULL || !json_object_is_type(root, json_type_array)) {
		snprintf(err, errlen, "%s", end < len ? "server list has text after the JSON value" :
		    "server list is not a JSON array");
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(root);
	first = out->n;
	for (size_t i = 0; i < n && i < SERVERS_LIST_MAX; i++) {
		struct measure_server s;
		char why[96];
		int dup;

		if (!entry_server(json_object_array_get_idx(root, i), &s, why, sizeof why)) {
			if (*err == '\0')	/* the first reason is enough to fix a list */
				snprintf(err, errlen, "entry %zu skipped: %s", i, why);
			continue;
		}
		/* one server listed twice would be pinged twice and counted twice */
		if ((dup = same_server(out, first, &s)) >= 0) {
			if (*err == '\0')
				snprintf(err, errlen, "entry %zu skipped: same server as '%s'", i,
				    out->v[dup].name);
			server_free(&s);
			continue;
		}
		list_append(out, &s);
		added++;
	}
	if (n > SERVERS_LIST_MAX && *err == '\0')
		snprintf(err, errlen, "only the first %d of %zu entries used", SERVERS_LIST_MAX, n);
	json_object_put(root);
	return added;
}

/* ---------------------------------------------------------------- the cache */

char *
servers_cache_path(const struct config *cfg)
{
	char *copy = xstrdup(cfg->storage.path), *path;

	path = xasprintf("%s/servers.json", dirname(copy));
	free(copy);
	return path;
}

/* A whole small file, or NULL with a message. */
static char *
slurp(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	*len = 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) :
		    "not a regular file, or too large");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (*len < (size_t)st.st_size &&
	    (got = read(fd, buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)got;
	close(fd);
	buf[*len] = '\0';
	return buf;
}

int
servers_cache_info(const struct config *cfg, int *count, double *age_s)
{
	struct server_list l = { 0 };
	struct stat st;
	char *path = servers_cache_path(cfg), err[160];
	int n = stat(path, &st) == 0 ? servers_load_cache(cfg, &l, err, sizeof err) : -1;

	server_list_free(&l);
	free(path);
	*count = n > 0 ? n : 0;
	/* a clock set back makes a fresh file look fetched in the future: say 0, not a negative age */
	*age_s = n >= 0 ? fmax(0, now_wall() - ((double)st.st_mtim.tv_sec +
	    (double)st.st_mtim.tv_nsec / 1e9)) : -1;
	return n >= 0 ? 0 : -1;
}

int
servers_load_cache(const struct config *cfg, struct server_list *out, char *err, size_t errlen)
{
	char *path = servers_cache_path(cfg), *text;
	size_t len;
	int n = -1;

	if ((text = slurp(path, SERVERS_LIST_MAX_BYTES, &len, err, errlen)) != NULL)
		n = servers_parse_list(text, len, out, err, errlen);
	free(text);
	free(path);
	return n;
}

/* ---------------------------------------------------------------- candidates */

static int
add_configured(const struct server_conf *sc, struct server_list *out, char *err, size_t errlen)
{
	struct measure_server s;

	if (server_from_conf(sc, &s) != 0) {
		snprintf(err, errlen, "[server %s]: its url or paths do not make http(s) URLs",
		    sc->name);
		return -1;
	}
	list_append(out, &s);
	return 0;
}

static int
pick_named(const struct config *cfg, const char *which, struct server_list *out, char *err,
    size_t errlen)
{
	const struct server_conf *sc = config_server(cfg, which);
	struct server_list cached = { 0 };
	char cerr[128];

	if (sc != NULL)
		return add_configured(sc, out, err, errlen);
	servers_load_cache(cfg, &cached, cerr, sizeof cerr);
	for (int i = 0; i < cached.n; i++) {
		if (strcasecmp(cached.v[i].name, which) == 0) {
			list_append(out, &cached.v[i]);
			memset(&cached.v[i], 0, sizeof cached.v[i]);
			server_list_free(&cached);
			return 0;
		}
	}
	server_list_free(&cached);
	snprintf(err, errlen, "no server named '%s' (see [server NAME] sections)", which);
	return -1;
}

/* The cached list's servers after the configured ones; one configured too is measured as such. */
static void
add_cached(const struct config *cfg, struct server_list *out)
{
	struct server_list cached = { 0 };
	char cerr[128];

	servers_load_cache(cfg, &cached, cerr, sizeof cerr);
	for (int i = 0; i < cached.n; i++) {
		if (same_server(out, 0, &cached.v[i]) < 0) {
			list_append(out, &cached.v[i]);
			memset(&cached.v[i], 0, sizeof cached.v[i]);
		}
	}
	server_list_free(&cached);
}

int
servers_candidates(const struct config *cfg, const char *which, struct server_list *out,
    char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	snprintf(err, errlen, "%s", "");
	if (which == NULL || *which == '\0')
		which = cfg->test.server;
	if (strstr(which, "://") != NULL) {
		struct measure_server s;
		char *shown = url_redact(which);	/* the URL is the server's name too */
		const char *why = config_url_problem(which);
		int rc = why != NULL ? -1 : server_from_url(shown, which, "php", &s);

		/* Why first: a URL too long to show whole is cut at the end of the message. */
		if (rc != 0)
			snprintf(err, errlen, "the server URL %s: '%s'",
			    why != NULL ? why : "is not an http(s) URL with a host", shown);
		else
			list_append(out, &s);
		free(shown);
		return rc;
	}
	if (strcasecmp(which, "auto") != 0)
		return pick_named(cfg, which, out, err, errlen);
	for (size_t i = 0; i < cfg->nservers; i++)
		if (add_configured(&cfg->servers[i], out, err, errlen) != 0) {
			server_list_free(out);
			return -1;
		}
	out->nconfigured = out->n;
	add_cached(cfg, out);
	if (out->n == 0) {
		snprintf(err, errlen, "no server: add a [server NAME] section or [servers] list_url");
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- fetching list_url */

#define FETCH_FIRST_RETRY	60.0
#define FETCH_CONNECT_S		10L
#define FETCH_TOTAL_S		30L	/* the whole fetch, redirects included */
#define FETCH_LOW_SPEED_BPS	1000L	/* slower than this ... */
#define FETCH_LOW_SPEED_S	5L	/* ... for this long ends the fetch */

struct servers_fetch {
	CURLM		*multi;
	struct curlpoll	 cp;
	CURL		*easy;
	char		*url;		/* for the request only */
	char		*shown_url;	/* for messages: url_redact(url) */
	char		*cache_path;
	double		 refresh_s;
	double		 retry_s;	/* next wait after a failure */
	double		 next_at;	/* monotonic time of the next fetch */
	bool		 running;
	char		*body;
	size_t		 len;
	bool		 too_big;
	int		 status;
	char		 msg[512];
	char		 errbuf[CURL_ERROR_SIZE];
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct servers_fetch *f = userp;
	size_t n = size * nmemb;

	if (f->len + n > SERVERS_LIST_MAX_BYTES) {
		f->too_big = true;
		return 0;	/* aborts the transfer */
	}
	f->body = xrealloc(f->body, f->len + n + 1);
	memcpy(f->body + f->len, data, n);
	f->len += n;
	f->body[f->len] = '\0';
	return n;
}

static void
fetch_start(struct servers_fetch *f)
{
	free(f->body);
	f->body = NULL;
	f->len = 0;
	f->too_big = false;
	*f->errbuf = '\0';
	curl_easy_setopt(f->easy, CURLOPT_URL, f->url);
	curl_easy_setopt(f->easy, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(f->easy, CURLOPT_MAXREDIRS, 3L);
	/* a list is a few kB: one trickled out byte by byte is cut, not waited for */
	curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT, FETCH_CONNECT_S);
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT, FETCH_TOTAL_S);
	curl_easy_setopt(f->easy, CURLOPT_LOW_SPEED_LIMIT, FETCH_LOW_SPEED_BPS);
	curl_easy_setopt(f->easy, CURLOPT_LOW_SPEED_TIME, FETCH_LOW_SPEED_S);
	curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "tramdo/" TRAMDO_VERSION);
	if (curl_multi_add_handle(f->multi, f->easy) != CURLM_OK) {
		snprintf(f->msg, sizeof f->msg, "%s: cannot start the transfer", f->shown_url);
		f->status = -1;
		f->next_at = now_mono() + f->retry_s;
		return;
	}
	f->running = true;
}

/*
 * The cache replaced whole or not at all: a new file beside it, renamed over it. Not fsync'd (the
 * loop must not wait on the disk): a file torn by a power cut fails to parse and is ignored
 * until the next fetch. Not secret (0644); its mtime is when the list was fetched.
 */
static int
write_cache(const char *path, const char *body, size_t len)
{
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t done = 0;
	ssize_t w = 0;
	int rc = -1, saved;

	while (fd >= 0 && done < len && (w = write(fd, body + done, len - done)) > 0)
		done += (size_t)w;
	if (fd >= 0 && done == len && close(fd) == 0 && rename(tmp, path) == 0)
		rc = 0;
	saved = w == 0 ? ENOSPC : errno;
	if (fd >= 0 && done < len)
		close(fd);
	if (rc != 0 && fd >= 0)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return rc;
}

/* Keeps the list only when it holds at least one usable server: a bad reply must not erase it. */
static int
fetch_keep(struct servers_fetch *f)
{
	struct server_list l = { 0 };
	char err[160];
	int n = servers_parse_list(f->body != NULL ? f->body : "", f->len, &l, err, sizeof err);

	server_list_free(&l);
	if (n <= 0) {
		snprintf(f->msg, sizeof f->msg, "%s: %s", f->shown_url,
		    n < 0 ? err : *err != '\0' ? err : "no usable server");
		return -1;
	}
	if (write_cache(f->cache_path, f->body, f->len) != 0) {
		snprintf(f->msg, sizeof f->msg, "%s: cannot write: %s", f->cache_path, strerror(errno));
		return -1;
	}
	snprintf(f->msg, sizeof f->msg, "%s: %d servers%s%s", f->shown_url, n,
	    *err != '\0' ? "; " : "", err);
	return 0;
}

/* curl's messages may quote what a server sent; the message reaches the staff screen. */
static void
sanitize_msg(struct servers_fetch *f)
{
	char *clean = sanitize_text(f->msg);

	snprintf(f->msg, sizeof f->msg, "%s", clean);
	free(clean);
}

static void
fetch_done(struct servers_fetch *f, CURLcode rc)
{
	long code = 0;

	curl_multi_remove_handle(f->multi, f->easy);
	f->running = false;
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &code);
	if (f->too_big)
		snprintf(f->msg, sizeof f->msg, "%s: larger than %d bytes", f->shown_url,
		    SERVERS_LIST_MAX_BYTES);
	else if (rc != CURLE_OK)
		snprintf(f->msg, sizeof f->msg, "%s: %s", f->shown_url,
		    *f->errbuf != '\0' ? f->errbuf : curl_easy_strerror(rc));
	else if (code != 200)
		snprintf(f->msg, sizeof f->msg, "%s: HTTP status %ld", f->shown_url, code);
	if (!f->too_big && rc == CURLE_OK && code == 200 && fetch_keep(f) == 0) {
		sanitize_msg(f);
		f->status = 1;
		f->retry_s = fmin(FETCH_FIRST_RETRY, f->refresh_s);
		f->next_at = now_mono() + f->refresh_s;
		log_info("server list: %s", f->msg);
	} else {
		sanitize_msg(f);
		f->status = -1;
		f->next_at = now_mono() + f->retry_s;
		log_warn("server list: %s; the cached list is kept", f->msg);
		f->retry_s = fmin(f->retry_s * 2, f->refresh_s);
	}
	free(f->body);
	f->body = NULL;
	f->len = 0;
}

static int
fetch_fds(void *ctx, struct pollfd *fds, int max)
{
	struct servers_fetch *f = ctx;

	/* between fetches nothing is read: an idle kept-alive socket must not wake the loop */
	return f->running ? curlpoll_fds(&f->cp, fds, max) : 0;
}

static int
fetch_timeout(void *ctx)
{
	struct servers_fetch *f = ctx;

	return deadline_ms(f->running ? curlpoll_due(&f->cp) : f->next_at, now_mono());
}

static void
fetch_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct servers_fetch *f = ctx;
	int left;
	CURLMsg *m;

	/* a new transfer sets curl's timer to "at once": curlpoll_dispatch starts it */
	if (!f->running && now_mono() >= f->next_at)
		fetch_start(f);
	if (!f->running)
		return;
	curlpoll_dispatch(&f->cp, fds, n);
	while ((m = curl_multi_info_read(f->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE)
			fetch_done(f, m->data.result);
}

struct servers_fetch *
servers_fetch_new(const struct config *cfg)
{
	struct servers_fetch *f;

	if (cfg->server_list_url == NULL)
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->multi = curl_multi_init();
	f->easy = curl_easy_init();
	if (f->multi == NULL || f->easy == NULL) {
		servers_fetch_free(f);
		return NULL;
	}
	curlpoll_init(&f->cp, f->multi);
	f->url = xstrdup(cfg->server_list_url);
	f->shown_url = url_redact(f->url);
	f->cache_path = servers_cache_path(cfg);
	f->refresh_s = cfg->server_list_refresh_hours * 3600.0;
	f->retry_s = fmin(FETCH_FIRST_RETRY, f->refresh_s);
	f->next_at = now_mono();
	return f;
}

void
servers_fetch_free(struct servers_fetch *f)
{
	if (f == NULL)
		return;
	if (f->running)
		curl_multi_remove_handle(f->multi, f->easy);
	curl_easy_cleanup(f->easy);
	curl_multi_cleanup(f->multi);
	curlpoll_free(&f->cp);
	free(f->url);
	free(f->shown_url);
	free(f->cache_path);
	free(f->body);
	free(f);
}

void
servers_fetch_source(struct servers_fetch *f, struct loop_source *out)
{
	out->fds = fetch_fds;
	out->timeout_ms = fetch_timeout;
	out->dispatch = fetch_dispatch;
	out->ctx = f;
}

int
servers_fetch_status(const struct servers_fetch *f, char *msg, size_t len)
{
	snprintf(msg, len, "%s", f->status == 0 ? "not fetched yet" : f->msg);
	return f->status;
}

void
measure_opts_from_config(const struct config *cfg, struct measure_opts *o)
{
	measure_opts_default(o);
	o->download_streams = cfg->test.download_streams;
	o->upload_streams = cfg->test.upload_streams;
	o->max_seconds = cfg->test.max_seconds;
	o->ping_count = cfg->test.ping_count;
	o->connect_timeout = cfg->test.connect_timeout;
	o->stall_seconds = cfg->test.stall_seconds;
	/* "both" is two tests (session.c), each over one family or the system's choice */
	if (cfg->test.ip_version != NULL && strcmp(cfg->test.ip_version, "4") == 0)
		o->ip_family = 4;
	else if (cfg->test.ip_version != NULL && strcmp(cfg->test.ip_version, "6") == 0)
		o->ip_family = 6;
	o->ca_file = cfg->test.ca_file;
}
