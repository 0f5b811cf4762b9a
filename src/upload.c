/* upload.c — see upload.h. */
#include "upload.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <curl/curl.h>

#include "codec.h"
#include "config.h"
#include "curlpoll.h"
#include "log.h"
#include "store.h"
#include "tls.h"
#include "util.h"

#define MAX_PARALLEL	4
#define BATCH		64
#define REPLY_MAX	4096
#define FIRST_RETRY_S	15.0
/*
 * How long a claim lasts past the attempt's own bound (timeout_seconds): a busy lock on the
 * database (5 s at most) and a starved machine. Another process takes the upload over only
 * after that, so a live claimant is never second-guessed and a killed one waits this long.
 */
#define CLAIM_SLACK_S	30.0
/* Rows can appear behind our back (`tramdo run` beside the kiosk, results held through a disk
 * outage): while idle, the store is looked at again this often. */
#define RECHECK_S	60.0
/* A claim the database could not record (locked by another program): the queue waits this long. */
#define CLAIM_ERROR_WAIT_S	5.0

enum sink { SINK_JSON, SINK_LIBRESPEED, SINK_INFLUX, SINK_COUNT };
static const char *const sink_names[SINK_COUNT] = { "json", "librespeed", "influx" };

struct xfer {
	struct upload		*u;
	CURL			*easy;
	struct store_job	 job;
	enum sink		 sink;
	char			*body;
	struct curl_slist	*headers;
	char			 reply[REPLY_MAX];
	size_t			 reply_len;
	char			 errbuf[CURL_ERROR_SIZE];
};

struct upload {
	struct store	*st;
	CURLM		*multi;
	bool		 enabled[SINK_COUNT];
	char		*url[SINK_COUNT];
	char		*token;			/* json sink: Bearer */
	char		*influx_token;		/* influx: Token */
	char		*token_file[SINK_COUNT];	/* NULL: the sink sends no token */
	bool		 influx_ms;
	long		 timeout_s;
	char		*ca_file;		/* [upload] ca_file, or NULL: the system's */
	double		 retry_max_s;

	struct curlpoll	 cp;			/* what curl asked us to watch, its timer */

	struct store_job *queue;		/* fetched from the store, not yet started */
	int		 nqueue, next;
	struct xfer	*live[MAX_PARALLEL];
	int		 nlive;
	double		 next_due;		/* monotonic (boot clock); <0 none known */
	double		 next_check;		/* monotonic: look at the store again */
	double		 claims_after;		/* monotonic: no claim before (database error) */
	bool		 all_now;		/* one pass over everything pending */
	bool		 draining;		/* upload_drain: no new uploads */

	upload_listener	 listener;
	void		*listener_arg;
	struct upload_report counts;
};

bool
upload_sink_known(const char *name)
{
	for (int i = 0; i < SINK_COUNT; i++)
		if (strcmp(name, sink_names[i]) == 0)
			return true;
	return false;
}

static int
sink_from_name(const char *name)
{
	for (int i = 0; i < SINK_COUNT; i++)
		if (strcmp(name, sink_names[i]) == 0)
			return i;
	return -1;
}

/* The token file as check-config judges it (config_read_token); the token never reaches a log. */
static char *
read_token(const char *path, const char *key, char *err, size_t errlen)
{
	char why[400], *token = config_read_token(path, why, sizeof why);

	if (token == NULL)
		snprintf(err, errlen, "[upload] %s: %s", key, why);
	return token;
}

/*
 * A sink whose token file is unusable waits, retried with backoff, while the other sinks go
 * on. The file is read again at each attempt until it is good, so fixing it needs no restart.
 */
static bool
token_unusable(struct upload *u, enum sink s, char *err, size_t errlen)
{
	char **token = s == SINK_JSON ? &u->token : s == SINK_INFLUX ? &u->influx_token : NULL;

	if (token == NULL || u->token_file[s] == NULL || *token != NULL)
		return false;
	*token = read_token(u->token_file[s], s == SINK_JSON ? "token_file" : "influx_token_file",
	    err, errlen);
	return *token == NULL;
}

static char *
escaped(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *out;

	if (e == NULL)
		abort();	/* allocation failure only */
	out = xstrdup(e);
	curl_free(e);
	return out;
}

/* Where each sink posts: LibreSpeed's telemetry script, InfluxDB's 1.x or 2.x write endpoint. */
static int
build_urls(struct upload *u, const struct config *cfg, char *err, size_t errlen)
{
	const char *prec = u->influx_ms ? "ms" : "s";
	const char *base;

	if (u->enabled[SINK_JSON]) {
		if (cfg->upload.url == NULL || *cfg->upload.url == '\0') {
			snprintf(err, errlen, "[upload] url: needed by format json");
			return -1;
		}
		u->url[SINK_JSON] = xstrdup(cfg->upload.url);
	}
	if (u->enabled[SINK_LIBRESPEED]) {
		base = cfg->upload.librespeed_url;
		if (base == NULL || *base == '\0') {
			snprintf(err, errlen, "[upload] librespeed_url: needed by format librespeed");
			return -1;
		}
		size_t len = strlen(base);
		u->url[SINK_LIBRESPEED] = len > 4 && strcmp(base + len - 4, ".php") == 0 ?
		    xstrdup(base) : xasprintf("%s%sresults/telemetry.php", base,
		    base[len - 1] == '/' ? "" : "/");
	}
	if (u->enabled[SINK_INFLUX]) {
		base = cfg->upload.influx_url;
		if (base == NULL || *base == '\0') {
			snprintf(err, errlen, "[upload] influx_url: needed by format influx");
			return -1;
		}
		const char *slash = base[strlen(base) - 1] == '/' ? "" : "/";
		if (cfg->upload.influx_bucket != NULL && *cfg->upload.influx_bucket != '\0') {
			char *org = escaped(cfg->upload.influx_org != NULL ? cfg->upload.influx_org : "");
			char *bucket = escaped(cfg->upload.influx_bucket);

			u->url[SINK_INFLUX] = xasprintf("%s%sapi/v2/write?org=%s&bucket=%s&precision=%s",
			    base, slash, org, bucket, prec);
			free(org);
			free(bucket);
		} else if (cfg->upload.influx_db != NULL && *cfg->upload.influx_db != '\0') {
			char *db = escaped(cfg->upload.influx_db);

			u->url[SINK_INFLUX] = xasprintf("%s%swrite?db=%s&precision=%s", base, slash,
			    db, prec);
			free(db);
		} else {
			snprintf(err, errlen, "[upload] influx_db: needed by format influx "
			    "(or influx_org and influx_bucket for InfluxDB 2)");
			return -1;
		}
	}
	return 0;
}

static int
parse_formats(struct upload *u, const char *formats, char *err, size_t errlen)
{
	char *copy = xstrdup(formats != NULL ? formats : ""), *tok, *save = NULL;
	int rc = 0, n = 0;

	for (tok = strtok_r(copy, ", \t", &save); tok != NULL; tok = strtok_r(NULL, ", \t", &save)) {
		int s = sink_from_name(tok);

		if (s < 0) {
			snprintf(err, errlen, "[upload] format: unknown sink '%s' "
			    "(expected json, librespeed, influx)", tok);
			rc = -1;
			break;
		}
		u->enabled[s] = true;
		n++;
	}
	free(copy);
	if (rc == 0 && n == 0) {
		snprintf(err, errlen, "[upload] format: no sink named (json, librespeed, influx)");
		rc = -1;
	}
	return rc;
}

/* Said once at start: every upload over https fails (and is retried) while the file is bad. */
static void
ca_file_check(struct upload *u, const char *path)
{
	char why[4096 + 300];

	if (path == NULL)
		return;
	u->ca_file = xstrdup(path);
	if (tls_ca_file_problem(path, why, sizeof why) != NULL)
		log_err("upload: [upload] ca_file: %s; uploads to https collectors fail until it "
		    "is fixed", why);
}

struct upload *
upload_new(const struct config *cfg, struct store *st, char *err, size_t errlen)
{
	struct upload *u = xcalloc(1, sizeof *u);
	const char *prec = cfg->upload.influx_precision;

	u->st = st;
	u->next_due = -1;
	u->timeout_s = cfg->upload.timeout_seconds > 0 ? cfg->upload.timeout_seconds : 30;
	u->retry_max_s = cfg->upload.retry_max_seconds > 0 ? cfg->upload.retry_max_seconds : 3600;
	if (prec != NULL && strcmp(prec, "ms") != 0 && strcmp(prec, "s") != 0) {
		snprintf(err, errlen, "[upload] influx_precision: '%s' is not s or ms", prec);
		goto bad;
	}
	u->influx_ms = prec != NULL && strcmp(prec, "ms") == 0;
	if (parse_formats(u, cfg->upload.format, err, errlen) != 0 ||
	    build_urls(u, cfg, err, errlen) != 0)
		goto bad;
	if (u->enabled[SINK_JSON])
		u->token_file[SINK_JSON] = xstrdup(cfg->upload.token_file);
	if (u->enabled[SINK_INFLUX])
		u->token_file[SINK_INFLUX] = xstrdup(cfg->upload.influx_token_file);
	for (int s = 0; s < SINK_COUNT; s++) {
		char why[512];

		if (token_unusable(u, (enum sink)s, why, sizeof why))
			log_err("upload: %s; results wait for %s until it is fixed", why,
			    sink_names[s]);
	}
	ca_file_check(u, cfg->upload.ca_file);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (u->multi = curl_multi_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		goto bad;
	}
	curlpoll_init(&u->cp, u->multi);
	u->next_due = store_next_due(st);
	u->next_check = now_mono() + RECHECK_S;
	return u;
bad:
	upload_free(u);
	return NULL;
}

static void
xfer_free(struct xfer *x)
{
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->u->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	free(x->body);
	free(x->job.json);
	free(x);
}

void
upload_free(struct upload *u)
{
	if (u == NULL)
		return;
	for (int i = 0; i < u->nlive; i++)
		xfer_free(u->live[i]);
	for (int i = u->next; i < u->nqueue; i++)
		free(u->queue[i].json);
	free(u->queue);
	if (u->multi != NULL) {
		curl_multi_cleanup(u->multi);
		curl_global_cleanup();
	}
	curlpoll_free(&u->cp);
	for (int i = 0; i < SINK_COUNT; i++) {
		free(u->url[i]);
		free(u->token_file[i]);
	}
	free(u->token);
	free(u->influx_token);
	free(u->ca_file);
	free(u);
}

void
upload_set_listener(struct upload *u, upload_listener fn, void *arg)
{
	u->listener = fn;
	u->listener_arg = arg;
}

static size_t
on_reply(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n, room = sizeof x->reply - 1 - x->reply_len;

	/* Only the start of a reply matters (an id, an error line); the rest is dropped. */
	memcpy(x->reply + x->reply_len, data, len < room ? len : room);
	x->reply_len += len < room ? len : room;
	x->reply[x->reply_len] = '\0';
	return len;
}

/*
 * The request body for a sink: the json sink sends the result as stored, the others get it
 * decoded once. NULL with a reason when the result cannot go there at all.
 */
static char *
body_for(enum sink sink, const char *json, bool influx_ms, char *err, size_t errlen)
{
	struct result r;
	char *body = NULL;

	if (sink == SINK_JSON)
		return xstrdup(json);
	if (codec_parse_json(json, strlen(json), &r, err, errlen) == 0)
		body = sink == SINK_INFLUX ? codec_influx(&r, influx_ms) :
		    codec_librespeed(&r, err, errlen);
	result_free(&r);
	return body;
}

static void
add_header(struct xfer *x, const char *fmt, const char *value)
{
	char *h = xasprintf(fmt, value);

	x->headers = curl_slist_append(x->headers, h);
	free(h);
}

static struct xfer *
xfer_new(struct upload *u, struct store_job *job, char *err, size_t errlen)
{
	struct xfer *x;
	int sink = sink_from_name(job->sink);

	if (sink < 0 || !u->enabled[sink]) {
		snprintf(err, errlen, "sink %s is no longer configured", job->sink);
		return NULL;
	}
	x = xcalloc(1, sizeof *x);
	x->u = u;
	x->job = *job;
	job->json = NULL;
	x->sink = (enum sink)sink;
	if ((x->body = body_for(x->sink, x->job.json, u->influx_ms, err, errlen)) == NULL ||
	    (x->easy = curl_easy_init()) == NULL) {
		if (x->body != NULL)
			snprintf(err, errlen, "cannot start libcurl");
		x->u = NULL;
		free(x->body);
		job->json = x->job.json;
		free(x);
		return NULL;
	}
	add_header(x, "User-Agent: %s", "tramdo/" TRAMDO_VERSION);
	add_header(x, "Expect:%s", "");
	if (x->sink == SINK_JSON) {
		add_header(x, "Content-Type: %s", "application/json");
		add_header(x, "Idempotency-Key: %s", x->job.id);
		if (u->token != NULL)
			add_header(x, "Authorization: Bearer %s", u->token);
	} else if (x->sink == SINK_INFLUX) {
		add_header(x, "Content-Type: %s", "text/plain; charset=utf-8");
		if (u->influx_token != NULL)
			add_header(x, "Authorization: Token %s", u->influx_token);
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, u->url[x->sink]);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(x->body));
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT, u->timeout_s);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT, u->timeout_s < 10 ? u->timeout_s : 10L);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	tls_trust(x->easy, u->ca_file);
	return x;
}

/* Exponential backoff with jitter (half fixed, half random), capped at retry_max_seconds. */
static double
backoff(const struct upload *u, int attempts, double retry_after)
{
	double d = FIRST_RETRY_S * pow(2, attempts < 20 ? attempts : 20);
	unsigned int r = 0;

	if (d > u->retry_max_s)
		d = u->retry_max_s;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = (unsigned int)(now_mono() * 1e6);
	d = d / 2 + (d / 2) * ((double)r / UINT_MAX);
	if (retry_after > d)
		d = retry_after < u->retry_max_s ? retry_after : u->retry_max_s;
	return d;
}

static void
finish(struct upload *u, const struct store_job *job, enum upload_outcome outcome,
    const char *detail, const char *remote_id, double retry_after)
{
	double wait;

	switch (outcome) {
	case UPLOAD_SENT:
		u->counts.sent++;
		store_mark_sent(u->st, job->id, job->sink, now_wall(), remote_id);
		log_info("upload: result %s sent to %s (%s)", job->id, job->sink, detail);
		break;
	case UPLOAD_REJECTED:
		u->counts.rejected++;
		store_mark_rejected(u->st, job->id, job->sink, detail);
		log_err("upload: %s rejected result %s: %s; kept, not retried", job->sink,
		    job->id, detail);
		break;
	case UPLOAD_RETRY:
		u->counts.retry++;
		wait = backoff(u, job->attempts, retry_after);
		store_mark_retry(u->st, job->id, job->sink, wait, detail);
		log_warn("upload: result %s to %s failed (%s); retry in %.0f s", job->id,
		    job->sink, detail, wait);
		break;
	}
	if (u->listener != NULL)
		u->listener(u->listener_arg, job->id, job->sink, outcome, detail);
}

/*
 * A line for logs, the store and `tramdo upload`'s output, formatted into dst and made safe to
 * show (sanitize_text): collector replies and curl's messages (a certificate's subject name)
 * come from the network. Sanitising only removes or replaces bytes, so the text still fits.
 */
static void __attribute__((format(printf, 3, 4)))
set_detail(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	char *clean;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	clean = sanitize_text(dst);
	memcpy(dst, clean, strlen(clean) + 1);
	free(clean);
}

enum upload_outcome
upload_classify_reply(const char *sink, long status, const char *reply, char *detail,
    size_t detaillen, char *id, size_t idlen)
{
	char raw_id[32], *clean;

	id[0] = '\0';
	/* The start of the reply is enough to tell a person what the collector said. */
	set_detail(detail, detaillen, "HTTP %ld%s%.200s", status, *reply != '\0' ? ": " : "",
	    reply);
	if (status >= 200 && status < 300 && strcmp(sink, "librespeed") == 0) {
		/* telemetry.php answers "id N" when stored, "error" (still 200) when its database failed. */
		if (sscanf(reply, "id %31s", raw_id) != 1)
			return UPLOAD_RETRY;
		clean = sanitize_text(raw_id);
		snprintf(id, idlen, "%s", clean);
		free(clean);
		return id[0] != '\0' ? UPLOAD_SENT : UPLOAD_RETRY;
	}
	if ((status >= 200 && status < 300) || status == 409)
		return UPLOAD_SENT;
	if (status >= 400 && status < 500 && status != 408 && status != 429)
		return UPLOAD_REJECTED;
	return UPLOAD_RETRY;
}

/* What the collector's answer (or the failure to get one) means for this upload. */
static void
classify(struct xfer *x, CURLcode cc)
{
	struct upload *u = x->u;
	long status = 0;
	curl_off_t retry_after = 0;
	char detail[512], id[32];
	enum upload_outcome outcome;

	if (cc != CURLE_OK) {
		set_detail(detail, sizeof detail, "%s%s%s", curl_easy_strerror(cc),
		    x->errbuf[0] != '\0' ? ": " : "", x->errbuf);
		finish(u, &x->job, UPLOAD_RETRY, detail, NULL, 0);
		return;
	}
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &retry_after);
	outcome = upload_classify_reply(sink_names[x->sink], status, x->reply, detail,
	    sizeof detail, id, sizeof id);
	finish(u, &x->job, outcome, detail, id[0] != '\0' ? id : NULL,
	    outcome == UPLOAD_RETRY ? (double)retry_after : 0);
}

/* Finished transfers: their outcome recorded; returns how many. */
static int
reap(struct upload *u)
{
	CURLMsg *msg;
	int left, done = 0;

	while ((msg = curl_multi_info_read(u->multi, &left)) != NULL) {
		struct xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		classify(x, msg->data.result);
		for (int i = 0; i < u->nlive; i++)
			if (u->live[i] == x)
				u->live[i] = u->live[--u->nlive];
		xfer_free(x);
		done++;
	}
	return done;
}

/* Forgets the uploads queued but not started. */
static void
drop_queued(struct upload *u)
{
	for (int i = u->next; i < u->nqueue; i++)
		free(u->queue[i].json);
	u->next = u->nqueue;
}

static void
fill_queue(struct upload *u, double not_after)
{
	drop_queued(u);
	free(u->queue);
	u->queue = NULL;
	u->next = 0;
	u->nqueue = store_due(u->st, not_after, u->all_now ? INT_MAX / 2 : BATCH, &u->queue);
	if (u->nqueue < 0)
		u->nqueue = 0;
}

/*
 * Starts queued uploads while there is room, each under a claim taken just before (another
 * process may have sent it, or hold it, since the queue was filled: then it is not ours to
 * send); a result a sink can never take is rejected here.
 */
static void
start_more(struct upload *u)
{
	double claim_s = (double)u->timeout_s + CLAIM_SLACK_S;
	char err[256];

	while (u->nlive < MAX_PARALLEL && u->next < u->nqueue) {
		struct store_job *job = &u->queue[u->next++];
		int sink = sink_from_name(job->sink);
		struct xfer *x;
		int claimed = store_claim(u->st, job->id, job->sink,
		    u->all_now ? INFINITY : now_mono(), claim_s);

		if (claimed < 0) {
			/* Every claim would wait for the same lock: the kiosk's loop must not. */
			free(job->json);
			drop_queued(u);
			u->claims_after = now_mono() + CLAIM_ERROR_WAIT_S;
			break;
		}
		if (claimed == 0) {
			free(job->json);
			continue;
		}
		/* A bad token file holds back only its own sink; the retry re-reads it. */
		if (sink >= 0 && token_unusable(u, (enum sink)sink, err, sizeof err)) {
			finish(u, job, UPLOAD_RETRY, err, NULL, 0);
			free(job->json);
			continue;
		}
		if ((x = xfer_new(u, job, err, sizeof err)) == NULL) {
			finish(u, job, UPLOAD_REJECTED, err, NULL, 0);
			free(job->json);
			continue;
		}
		if (curl_multi_add_handle(u->multi, x->easy) != CURLM_OK) {
			finish(u, &x->job, UPLOAD_RETRY, "cannot start the transfer", NULL, 0);
			xfer_free(x);
			continue;
		}
		u->live[u->nlive++] = x;
	}
}

void
upload_kick(struct upload *u)
{
	if (u->nlive == 0 && u->next >= u->nqueue)
		fill_queue(u, now_mono());
	start_more(u);
	u->next_due = store_next_due(u->st);
}

void
upload_all_now(struct upload *u)
{
	u->all_now = true;
	fill_queue(u, INFINITY);
	start_more(u);
}

void
upload_drain(struct upload *u)
{
	drop_queued(u);
	u->draining = true;
}

bool
upload_idle(const struct upload *u)
{
	return u->nlive == 0 && u->next >= u->nqueue;
}

void
upload_report(const struct upload *u, struct upload_report *out)
{
	*out = u->counts;
	out->in_flight = u->nlive;
	out->queued = u->nqueue - u->next;
}

int
upload_fds(void *arg, struct pollfd *fds, int max)
{
	struct upload *u = arg;

	return curlpoll_fds(&u->cp, fds, max);
}

int
upload_timeout(void *arg)
{
	struct upload *u = arg;
	double now = now_mono(), due = curlpoll_due(&u->cp);

	/* The next backoff expiry wakes us only when idle; a one-shot run never waits for one. */
	if (!u->all_now && !u->draining && upload_idle(u)) {
		due = deadline_earlier(due, u->next_check);
		if (u->next_due >= 0)
			due = deadline_earlier(due, fmax(u->claims_after, fmax(now, u->next_due)));
	}
	return deadline_ms(due, now);
}

void
upload_dispatch(void *arg, const struct pollfd *fds, int n)
{
	struct upload *u = arg;

	curlpoll_dispatch(&u->cp, fds, n);
	if (reap(u) > 0 && !u->all_now)
		u->next_due = store_next_due(u->st);
	start_more(u);
	if (u->all_now || u->draining || !upload_idle(u))
		return;
	if (now_mono() >= u->next_check) {
		u->next_check = now_mono() + RECHECK_S;
		u->next_due = store_next_due(u->st);
	}
	if (u->next_due >= 0 && now_mono() >= u->next_due && now_mono() >= u->claims_after)
		upload_kick(u);
}
