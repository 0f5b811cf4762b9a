/*
 * ipprobe.c — see ipprobe.h.
 *
 * One easy handle on its own multi: the ping, then getIP on the same connection. The ping
 * decides (a server whose getIP is missing still answers over the family); getIP only tells
 * the log which address the server saw, which shows the path really was that family. Both
 * requests share one deadline, enforced here as well as by curl's own timeouts.
 */
#include "ipprobe.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curlpoll.h"
#include "log.h"
#include "tls.h"
#include "util.h"

#define GETIP_MAX_BODY	(16u << 10)	/* a getIP reply is ~200 bytes */

enum step { STEP_PING, STEP_GETIP, STEP_DONE };

struct ipprobe {
	struct curlpoll	 cp;
	CURL		*easy;
	bool		 added;
	int		 family;
	enum step	 step;
	bool		 works;
	double		 deadline;	/* monotonic s */
	double		 ping_ms;
	char		*getip_url;	/* NULL: no getIP step */
	char		 body[GETIP_MAX_BODY + 1];
	size_t		 body_len;
	char		 errbuf[CURL_ERROR_SIZE];
};

/* The ping's body is nothing; getIP's is kept, up to a size no honest reply reaches. */
static size_t
on_body(char *data, size_t size, size_t n, void *userp)
{
	struct ipprobe *p = userp;
	size_t len = size * n;

	if (p->step != STEP_GETIP)
		return len;
	if (len > GETIP_MAX_BODY - p->body_len)
		return 0;
	memcpy(p->body + p->body_len, data, len);
	p->body_len += len;
	p->body[p->body_len] = '\0';
	return len;
}

static void
detach(struct ipprobe *p)
{
	if (p->added) {
		curl_multi_remove_handle(p->cp.multi, p->easy);
		p->added = false;
	}
}

static void
finish(struct ipprobe *p, const char *why)
{
	char *ip = NULL, *isp = NULL;

	detach(p);
	if (!p->works) {
		log_info("ip probe: IPv%d does not reach the server: %s", p->family, why);
	} else {
		if (p->body_len > 0)
			measure_parse_getip(p->body, p->body_len, &ip, &isp);
		log_info("ip probe: IPv%d works: ping %.2f ms, the server sees %s", p->family,
		    p->ping_ms, ip != NULL ? ip : "(getIP did not say)");
	}
	free(ip);
	free(isp);
	p->step = STEP_DONE;
}

/* url with a cache-buster (and getIP's isp=true), within what is left of the deadline. */
static int
go(struct ipprobe *p, const char *url, const char *query)
{
	long left = (long)((p->deadline - now_mono()) * 1000);
	char *full;

	if (left < 1)
		return -1;
	full = xasprintf("%s%c%sr=%u", url, strchr(url, '?') ? '&' : '?', query,
	    (unsigned)(now_mono() * 1e6));
	curl_easy_setopt(p->easy, CURLOPT_URL, full);
	free(full);
	curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, left);
	p->errbuf[0] = '\0';
	if (curl_multi_add_handle(p->cp.multi, p->easy) != CURLM_OK)
		return -1;
	p->added = true;
	return 0;
}

struct ipprobe *
ipprobe_new(const struct measure_server *server, int family, const char *ca_file)
{
	struct ipprobe *p = xcalloc(1, sizeof *p);
	CURLM *multi = curl_multi_init();

	p->family = family;
	p->deadline = now_mono() + IPPROBE_SECONDS;
	p->easy = curl_easy_init();
	if (multi == NULL || p->easy == NULL || server == NULL || server->empty_url == NULL) {
		if (multi != NULL)
			curl_multi_cleanup(multi);
		curl_easy_cleanup(p->easy);
		free(p);
		return NULL;
	}
	curlpoll_init(&p->cp, multi);
	p->getip_url = xstrdup(server->getip_url);
	curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->easy, CURLOPT_USERAGENT, "tramdo/" TRAMDO_VERSION);
	curl_easy_setopt(p->easy, CURLOPT_IPRESOLVE,
	    family == 6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4);
	curl_easy_setopt(p->easy, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(p->easy, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
	tls_trust(p->easy, ca_file);	/* libcurl copies the name */
	if (go(p, server->empty_url, "") < 0)
		finish(p, "cannot start the request");
	return p;
}

void
ipprobe_free(struct ipprobe *p)
{
	if (p == NULL)
		return;
	detach(p);
	curl_easy_cleanup(p->easy);
	curl_multi_cleanup(p->cp.multi);
	curlpoll_free(&p->cp);
	free(p->getip_url);
	free(p);
}

bool
ipprobe_finished(const struct ipprobe *p)
{
	return p->step == STEP_DONE;
}

bool
ipprobe_works(const struct ipprobe *p)
{
	return p->works;
}

int
ipprobe_fds(void *ctx, struct pollfd *fds, int max)
{
	struct ipprobe *p = ctx;

	return ipprobe_finished(p) ? 0 : curlpoll_fds(&p->cp, fds, max);
}

int
ipprobe_timeout(void *ctx)
{
	struct ipprobe *p = ctx;

	if (ipprobe_finished(p))
		return -1;
	return deadline_ms(deadline_earlier(curlpoll_due(&p->cp), p->deadline), now_mono());
}

/* A 2xx reply is an answer; anything else (a curl error, 4xx/5xx) is none. */
static bool
answered(const struct ipprobe *p, CURLcode rc)
{
	long code = 0;

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &code);
	return rc == CURLE_OK && code >= 200 && code < 300;
}

static void
transfer_done(struct ipprobe *p, CURLcode rc)
{
	curl_off_t total = 0, conn = 0;

	detach(p);
	if (p->step == STEP_GETIP) {
		if (!answered(p, rc))
			p->body_len = 0;	/* getIP is optional: the ping already said yes */
		finish(p, "");
		return;
	}
	if (!answered(p, rc)) {
		finish(p, p->errbuf[0] != '\0' ? p->errbuf : curl_easy_strerror(rc));
		return;
	}
	p->works = true;
	curl_easy_getinfo(p->easy, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(p->easy, CURLINFO_CONNECT_TIME_T, &conn);
	p->ping_ms = total > conn ? (double)(total - conn) / 1000 : 0;
	p->step = STEP_GETIP;
	if (p->getip_url == NULL || go(p, p->getip_url, "isp=true&") < 0)
		finish(p, "");
}

void
ipprobe_step(void *ctx, const struct pollfd *fds, int n)
{
	struct ipprobe *p = ctx;
	CURLMsg *msg;
	int left;

	if (ipprobe_finished(p))
		return;
	curlpoll_dispatch(&p->cp, fds, n);
	while (!ipprobe_finished(p) && (msg = curl_multi_info_read(p->cp.multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			transfer_done(p, msg->data.result);
	if (!ipprobe_finished(p) && now_mono() >= p->deadline)
		finish(p, p->works ? "" : "no answer in time");
}
