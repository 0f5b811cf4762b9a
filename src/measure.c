/*
 * measure.c — see measure.h.
 *
 * Two curl multi handles: "data" runs the download/upload streams, "probe" runs the latency
 * requests (selection pings, getIP, idle and loaded pings). Separate multis keep separate
 * connection caches, so a stream can never land on the latency connection and the latency
 * connection never queues behind stream data.
 *
 * Throughput is not taken from curl's counters: every socket the data multi opens is tracked
 * (open/close socket callbacks) and the kernel's TCP_INFO byte counters are summed every 100 ms
 * — bytes received for download, bytes the server acknowledged for upload, so data still sitting
 * in our send buffer never inflates the upload figure. Each is read two ways (struct counts):
 * in order, which is exact but held back while a loss is repaired, and as delivered, which
 * counts what arrived beyond a loss too.
 */
#include "measure.h"

#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/tcp.h>		/* struct tcp_info with tcpi_bytes_acked/received (glibc's lacks them) */
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "curlpoll.h"
#include "log.h"
#include "stats.h"
#include "tls.h"
#include "url.h"
#include "util.h"

#define SAMPLE_INTERVAL		0.1	/* s between throughput samples */
#define LOADED_PING_INTERVAL	0.2	/* s between latency probes while loaded */
#define MAX_RAMP_WINDOW		15	/* samples: the ramp-up window of a 750 ms round trip */
#define STABLE_SAMPLES		10	/* 1 s of samples must agree within ±2% */
#define STABLE_MIN_BYTES	(100 * 1448)	/* measured before a rate may be called stable */
#define COUNTS_AGREE		0.01	/* in-order and delivered figures this close: no loss in the way */
/*
 * Delivered download counts take every segment received as full-size. A phase whose delivered
 * bytes are more than this many times its in-order ones had small segments (a server trickling
 * a byte a second read 0.02 Mbit/s), not one loss repair (at most a round trip and a queue of
 * data: 1.14 seen on a 300 ms path): its figure is the in-order one. Uploads send full segments.
 */
#define COUNTS_FULL_SEGMENTS	2.0
#define SELECT_PINGS		3	/* pings per candidate during selection */
#define GARBAGE_MIB		100	/* ckSize of each download request */
#define UPLOAD_BLOCK_BYTES	(256u << 10)	/* the random block every upload body is read from */
#define UPLOAD_BODY_MIN		UPLOAD_BLOCK_BYTES	/* the smallest POST body: below, no upload */
#define UPLOAD_BODY_MAX		(8u << 20)	/* the largest, for the fastest links */
/*
 * curl's buffers per stream. 500 Mbit/s over 6 streams is ~10 KB per stream per ms: 128 KiB
 * empties a socket in one recv at that rate (64 KiB cost loopback 0.40 against 0.34 s of CPU
 * per GB). The upload buffer is curl's default: a larger one cost more CPU, not less (2 MiB:
 * 0.36-0.39 s/GB, 64 KiB: 0.25), as it leaves the CPU's cache. docs/benchmarks.md.
 */
#define STREAM_BUFFER		(128L << 10)	/* CURLOPT_BUFFERSIZE */
#define STREAM_UPLOAD_BUFFER	(64L << 10)	/* CURLOPT_UPLOAD_BUFFERSIZE */
#define GETIP_MAX_BODY		(64u << 10)
#define GETIP_TIMEOUT_MS	2000L	/* getIP is optional: it may delay a test this much, no more */
#define PHASE_GRACE		1.0	/* s added to hard deadlines */

/* Share of the whole test each phase stands for, for the progress bar. */
static const double phase_weight[] = {
	[PHASE_SELECT] = 0.05, [PHASE_LATENCY] = 0.10,
	[PHASE_DOWNLOAD] = 0.425, [PHASE_UPLOAD] = 0.425,
};

enum xfer_kind { XFER_PROBE, XFER_STREAM };

/* One easy handle and what the engine knows about its current request. */
struct xfer {
	struct measure	*m;
	CURL		*easy;
	struct curlpoll	*cp;		/* the multi it runs in */
	bool		 running;	/* added to its multi */
	bool		 html;		/* this response is text/html */
	bool		 capture;	/* keep the body (getIP) */
	size_t		 body_len;	/* captured so far */
	char		*body;
	int		 cand;		/* candidate index (probes) */
	double		 samples[SELECT_PINGS];	/* selection pings */
	int		 nsamples;
	bool		 dead;		/* selection: did not answer */
	bool		 stale;		/* a loaded ping sent during the previous phase */
	double		 conn_ms;	/* TCP connect time of its first connection; <0 none yet */
	curl_socket_t	 sock;		/* its connection's socket when its last transfer ended */
	uint64_t	 body_bytes;	/* upload: this POST's body size */
	uint64_t	 body_sent;	/* upload: how much of it curl has read */
	char		 errbuf[CURL_ERROR_SIZE];
};

/*
 * What sockets moved, two ways. In order: bytes received in sequence (download) or acknowledged
 * cumulatively (upload) — exact, but after a loss everything behind the hole waits for its
 * repair, a round trip or more: on a 300 ms path the count stood still for 0.8 s at a time while
 * the link carried 19 Mbit/s. Delivered: data segments received × their size (download) or also
 * the segments the peer acknowledged selectively (upload) — on time, but segment sizes are the
 * kernel's MSS estimate (+0.3% on loopback, where segments vary).
 */
struct counts {
	uint64_t	inorder;
	uint64_t	delivered;
};

/* A data phase's throughput samples; index 0 is the phase start. */
struct series {
	double		*t;		/* monotonic time of each sample */
	uint64_t	*bytes;		/* phase bytes in order at each sample */
	uint64_t	*dlv;		/* phase bytes delivered at each sample */
	double		*rate;		/* delivered Mbit/s over the interval ending at sample i (i >= 1) */
	size_t		 n, cap;
	struct counts	 base;		/* counter totals at phase start */
	size_t		 ramp_window;	/* samples per ramp-up window: two round trips, at least 3 */
	double		 last_progress;
};

struct measure {
	struct measure_server	*cand;
	int			 ncand;
	int			 chosen;
	double			*cand_ms;	/* median selection ping per candidate; -1 none */
	struct measure_opts	 opts;

	enum test_phase	 phase;
	struct test_figures	 res;
	struct test_progress	 prog;
	double			 started, phase_started, phase_deadline, next_tick;

	struct curlpoll		 data, probe;

	/* data sockets and the final counter readings of those already closed */
	curl_socket_t		*socks;
	int			 nsocks, capsocks;
	struct counts		 closed_rx, closed_acked;

	struct xfer		**sel;		/* selection probes, one per candidate */
	struct xfer		*lat;		/* the latency connection, idle and loaded */
	struct xfer		*ip;		/* getIP, on a connection of its own beside the pings */
	struct xfer		**streams;
	int			 nstreams;
	struct curl_slist	*headers;
	unsigned char		*upload_block;	/* UPLOAD_BLOCK_BYTES of random bytes */
	uint64_t		 upload_body;	/* the size of the next POST body */
	uint64_t		 refused_bytes;	/* upload bytes sent before the last refusal */

	double			*loaded;	/* loaded latency samples of the current phase */
	double			*loaded_at;	/* when each was sent (monotonic) */
	size_t			 nloaded, caploaded;
	double			 next_loaded;
	struct series		 s;
	uint64_t		 rnd;
	bool			 curl_inited;
	long			 resolve;	/* CURLOPT_IPRESOLVE of every new handle */
};

static void	begin_latency(struct measure *m);
static void	begin_data(struct measure *m, enum test_phase phase);
static void	upload_not_measured(struct measure *m, enum test_error err, const char *why);
static int	multi_init(struct curlpoll *cp);

void
measure_opts_default(struct measure_opts *o)
{
	o->download_streams = 6;
	o->upload_streams = 4;
	o->max_seconds = 6;
	o->ping_count = 10;
	o->connect_timeout = 5;
	o->stall_seconds = 5;
	o->select_only = false;
	o->ip_family = 0;
	o->ca_file = NULL;
}

static const char *
phase_name(enum test_phase p)
{
	switch (p) {
	case PHASE_SELECT:	return "server selection";
	case PHASE_LATENCY:	return "latency";
	case PHASE_DOWNLOAD:	return "download";
	case PHASE_UPLOAD:	return "upload";
	default:		return "test";
	}
}

/* xorshift64*: cheap non-cryptographic randomness for cache-busters and upload bodies. */
static uint64_t
next_random(struct measure *m)
{
	m->rnd ^= m->rnd >> 12;
	m->rnd ^= m->rnd << 25;
	m->rnd ^= m->rnd >> 27;
	return m->rnd * 0x2545F4914F6CDD1DULL;
}

static double
round2(double v)
{
	return round(v * 100) / 100;
}

/* ---- data sockets and their kernel byte counters ---- */

#define HAS_FIELD(len, f)	((len) >= offsetof(struct tcp_info, f) + sizeof ((struct tcp_info *)0)->f)

/* Bytes received (download) or acknowledged by the peer (upload) on one socket, ever. */
static struct counts
sock_counts(curl_socket_t fd, bool acked)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	struct counts c = { 0, 0 };

	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return c;
	if (acked && HAS_FIELD(len, tcpi_bytes_acked)) {
		c.inorder = ti.tcpi_bytes_acked;
		c.delivered = c.inorder + (uint64_t)ti.tcpi_sacked * ti.tcpi_snd_mss;
	} else if (!acked && HAS_FIELD(len, tcpi_bytes_received)) {
		c.inorder = ti.tcpi_bytes_received;
		if (HAS_FIELD(len, tcpi_data_segs_in))
			c.delivered = (uint64_t)ti.tcpi_data_segs_in * ti.tcpi_rcv_mss;
	}
	if (c.delivered < c.inorder)	/* an MSS estimate below the real segments */
		c.delivered = c.inorder;
	return c;
}

static void
counts_add(struct counts *sum, struct counts c)
{
	sum->inorder += c.inorder;
	sum->delivered += c.delivered;
}

/*
 * The kernel's smallest round-trip sample on a socket (the handshake and every ACK), in ms; <0
 * unknown. Timestamped in the kernel, it does not grow when this process waits for a CPU, as
 * curl's connect time does (0.13-7.2 ms against 0.1 ms on a busy 2-core machine: docs/benchmarks.md).
 */
static double
sock_min_rtt_ms(curl_socket_t fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_min_rtt) + sizeof ti.tcpi_min_rtt ||
	    ti.tcpi_min_rtt == 0 || ti.tcpi_min_rtt == UINT32_MAX)
		return -1;
	return (double)ti.tcpi_min_rtt / 1000;
}

static struct counts
counter_total(const struct measure *m, bool acked)
{
	struct counts sum = acked ? m->closed_acked : m->closed_rx;

	for (int i = 0; i < m->nsocks; i++)
		counts_add(&sum, sock_counts(m->socks[i], acked));
	return sum;
}

static curl_socket_t
on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct measure *m = clientp;
	curl_socket_t fd;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	fd = socket(addr->family, addr->socktype, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	if (m->nsocks == m->capsocks) {
		m->capsocks = m->capsocks ? 2 * m->capsocks : 16;
		m->socks = xrealloc(m->socks, (size_t)m->capsocks * sizeof *m->socks);
	}
	m->socks[m->nsocks++] = fd;
	return fd;
}

static int
on_close_socket(void *clientp, curl_socket_t fd)
{
	struct measure *m = clientp;

	for (int i = 0; i < m->nsocks; i++) {
		if (m->socks[i] != fd)
			continue;
		/* the last reading: what this socket moved must outlive it */
		counts_add(&m->closed_rx, sock_counts(fd, false));
		counts_add(&m->closed_acked, sock_counts(fd, true));
		m->socks[i] = m->socks[--m->nsocks];
		break;
	}
	/*
	 * An abortive close (RST): the kernel drops what is still unsent instead of delivering it
	 * after the direction, or the whole test, has ended — at 0.5 Mbit/s 380 KB took 6 s and
	 * filled the next test's queue. Nothing a stream sends is wanted once it is closed.
	 */
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){ .l_onoff = 1, .l_linger = 0 },
	    sizeof(struct linger));
	return close(fd);
}

/* ---- easy handles ---- */

static size_t
on_header(char *line, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;
	size_t len = size * n;
	static const char ct[] = "content-type:";

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		x->html = false;	/* a new response (after 1xx) starts clean */
	} else if (len > sizeof ct - 1 && strncasecmp(line, ct, sizeof ct - 1) == 0) {
		const char *v = line + sizeof ct - 1;
		size_t vlen = len - (sizeof ct - 1);

		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		x->html = vlen >= 9 && strncasecmp(v, "text/html", 9) == 0;
	}
	return len;
}

/*
 * Upload bodies: the random block over and over until the body's size (its Content-Length), so
 * a body of any size costs no memory of its own.
 */
static size_t
on_upload_read(char *buf, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;
	size_t want = size * n, done = 0;

	while (done < want && x->body_sent < x->body_bytes) {
		size_t off = (size_t)(x->body_sent % UPLOAD_BLOCK_BYTES);
		size_t take = UPLOAD_BLOCK_BYTES - off;

		if (take > want - done)
			take = want - done;
		if (take > x->body_bytes - x->body_sent)
			take = (size_t)(x->body_bytes - x->body_sent);
		memcpy(buf + done, x->m->upload_block + off, take);
		done += take;
		x->body_sent += take;
	}
	return done;
}

/* curl rewinds a body it must send again (a retried request on a reused connection). */
static int
on_upload_seek(void *userp, curl_off_t offset, int origin)
{
	struct xfer *x = userp;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > x->body_bytes)
		return CURL_SEEKFUNC_CANTSEEK;
	x->body_sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

/* Streams: the kernel counts bytes; the body is thrown away unless it is an HTML page. */
static size_t
on_stream_body(char *data, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;

	(void)data;
	return x->html ? 0 : size * n;
}

static size_t
on_probe_body(char *data, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;
	size_t len = size * n;

	if (x->capture) {
		size_t room = GETIP_MAX_BODY - x->body_len;
		size_t take = len < room ? len : room;

		if (x->body == NULL)
			x->body = xmalloc(GETIP_MAX_BODY + 1);
		memcpy(x->body + x->body_len, data, take);
		x->body_len += take;
		x->body[x->body_len] = '\0';
		return take < len ? 0 : len;	/* a getIP reply this large is hostile: stop it */
	}
	return x->html ? 0 : len;	/* a ping answered by a web page: a portal, not our server */
}

static struct xfer *
xfer_new(struct measure *m, enum xfer_kind kind, struct curlpoll *cp)
{
	struct xfer *x = xcalloc(1, sizeof *x);
	CURL *e = curl_easy_init();

	if (e == NULL) {
		free(x);
		return NULL;
	}
	x->m = m;
	x->easy = e;
	x->cp = cp;
	x->conn_ms = -1;
	x->sock = CURL_SOCKET_BAD;
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "tramdo/" TRAMDO_VERSION);
	/* endpoint URLs may come from a list on the network: servers.c checks them, curl too */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, m->headers);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(m->opts.connect_timeout * 1000));
	curl_easy_setopt(e, CURLOPT_IPRESOLVE, m->resolve);
	curl_easy_setopt(e, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	tls_trust(e, m->opts.ca_file);
	if (kind == XFER_STREAM) {
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_stream_body);
		curl_easy_setopt(e, CURLOPT_BUFFERSIZE, STREAM_BUFFER);
		curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, STREAM_UPLOAD_BUFFER);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, m);
		curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
		curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, m);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload_read);
		curl_easy_setopt(e, CURLOPT_READDATA, x);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_upload_seek);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, x);
	} else {
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_probe_body);
	}
	return x;
}

static void
xfer_stop(struct xfer *x)
{
	if (x != NULL && x->running) {
		curl_multi_remove_handle(x->cp->multi, x->easy);
		x->running = false;
	}
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	xfer_stop(x);
	curl_easy_cleanup(x->easy);
	free(x->body);
	free(x);
}

/* Sets url + separator + query (query gets a fresh cache-buster) and starts the request. */
static int
xfer_go(struct xfer *x, const char *url, const char *query)
{
	char *full;
	CURLMcode rc;

	full = xasprintf("%s%c%s%sr=%llu", url, strchr(url, '?') ? '&' : '?',
	    query, *query ? "&" : "", (unsigned long long)(next_random(x->m) >> 11));
	curl_easy_setopt(x->easy, CURLOPT_URL, full);
	free(full);
	x->html = false;
	x->body_len = 0;
	x->errbuf[0] = '\0';
	rc = curl_multi_add_handle(x->cp->multi, x->easy);
	if (rc != CURLM_OK) {
		log_err("measure: curl_multi_add_handle: %s", curl_multi_strerror(rc));
		return -1;
	}
	x->running = true;
	return 0;
}

/* A ping may take a connect and a stall; getIP's shorter limit is set before it and undone here. */
static void
set_ping_timeout(struct measure *m, struct xfer *x)
{
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS,
	    (long)((m->opts.connect_timeout + m->opts.stall_seconds) * 1000));
}

/*
 * A ping: the whole GET of empty minus connection set-up (TCP, TLS), which is zero on a reused
 * connection. curl stamps PRETRANSFER after the request is written, so starttransfer minus
 * pretransfer misses the request's way out (2 µs seen on loopback): use the total.
 */
static double
ping_ms(CURL *e)
{
	curl_off_t total = 0, conn = 0, tls = 0, setup;

	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &tls);
	setup = tls > conn ? tls : conn;
	return total > setup ? (double)(total - setup) / 1000 : 0;
}

/* TCP connect time of the request's new connection, or <0 when it reused one. */
static double
connect_ms(CURL *e)
{
	long nconn = 0;
	curl_off_t dns = 0, conn = 0;

	curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nconn);
	curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &conn);
	if (nconn <= 0 || conn <= 0)
		return -1;
	return (double)(conn - dns) / 1000;
}

/* Remembers the connect time of the handle's first connection (the latency connection's). */
static void
note_connect(struct xfer *x)
{
	double c = connect_ms(x->easy);

	if (x->conn_ms < 0 && c >= 0)
		x->conn_ms = c;
}

/*
 * The latency connection's TCP round trip as the kernel timed it (the connection stays open in
 * curl's pool between pings); curl's connect time where TCP_INFO has no figure.
 */
static double
latency_connect_ms(const struct xfer *x)
{
	double rtt = x->sock != CURL_SOCKET_BAD ? sock_min_rtt_ms(x->sock) : -1;

	if (rtt < 0)
		rtt = x->conn_ms;
	return rtt >= 0 ? round2(rtt) : -1;
}

/* ---- ending the test ---- */

static void
stop_all(struct measure *m)
{
	for (int i = 0; m->sel != NULL && i < m->ncand; i++)
		xfer_stop(m->sel[i]);
	xfer_stop(m->lat);
	xfer_stop(m->ip);
	for (int i = 0; i < m->nstreams; i++)
		xfer_stop(m->streams[i]);
}

static void
finish(struct measure *m, enum test_phase phase)
{
	stop_all(m);
	m->phase = phase;
	m->prog.phase = phase;
	m->res.duration_s = round2(now_mono() - m->started);
	if (phase == PHASE_DONE) {
		m->prog.phase_fraction = 1;
		m->prog.overall_fraction = 1;
	}
}

static void __attribute__((format(printf, 3, 4)))
fail(struct measure *m, enum test_error err, const char *fmt, ...)
{
	va_list ap;
	char text[sizeof m->res.message], *clean;

	if (measure_finished(m))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	/* curl quotes servers (a certificate's name, a URL): the message reaches screens. */
	clean = sanitize_text(text);
	if (m->phase == PHASE_UPLOAD && err != MERR_CANCELLED) {
		upload_not_measured(m, err, clean);
		free(clean);
		return;
	}
	m->res.error = err;
	snprintf(m->res.message, sizeof m->res.message, "%s", clean);
	free(clean);
	log_warn("measure: %s: %s", test_error_name(err), m->res.message);
	finish(m, PHASE_FAILED);
}

static enum test_error
classify(const struct xfer *x, CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return MERR_DNS;
	case CURLE_COULDNT_CONNECT:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return MERR_CONNECT;
	case CURLE_OPERATION_TIMEDOUT: {
		curl_off_t conn = 0, sent = 0;

		/*
		 * On a reused connection curl reports CONNECT_TIME 0 (and no new connection), yet
		 * the request went out (PRETRANSFER is stamped once it is written): the server
		 * stalled, the connect did not. Neither time set: the connect never finished.
		 */
		curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &conn);
		curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &sent);
		return conn > 0 || sent > 0 ? MERR_STALLED : MERR_CONNECT;
	}
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return MERR_TLS;
	case CURLE_HTTP_RETURNED_ERROR:
		return MERR_HTTP;
	case CURLE_WRITE_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
		return x->html || rc == CURLE_WEIRD_SERVER_REPLY ? MERR_BAD_DATA : MERR_INTERNAL;
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return MERR_RESET;
	default:
		return MERR_INTERNAL;
	}
}

/*
 * The URL as a message shows it: without the user-info the request was sent with, and without
 * the cache-busting r=NNN that xfer_go appends last, which says nothing to whoever reads the
 * log or the staff screen and costs them a line. A new string.
 */
static char *
url_for_message(const char *url)
{
	char *shown = url_redact(url != NULL ? url : "?");
	char *r = strrchr(shown, 'r');

	if (r != NULL && r != shown && (r[-1] == '?' || r[-1] == '&') && r[1] == '=')
		r[-1] = '\0';
	return shown;
}

/*
 * With [test] ip_version = 4 or 6, a server without an address of that family is unreachable
 * over it, whatever curl's resolver said: a connect error (the network is not down), and the
 * message says which family was forced.
 */
static const char *
forced_family_hint(const struct measure *m, enum test_error *err)
{
	if (m->opts.ip_family != 4 && m->opts.ip_family != 6)
		return "";
	if (*err == MERR_DNS)
		*err = MERR_CONNECT;
	if (*err != MERR_CONNECT && *err != MERR_NO_SERVER)
		return "";
	return m->opts.ip_family == 4 ? " over IPv4 only ([test] ip_version = 4)" :
	    " over IPv6 only ([test] ip_version = 6)";
}

/* Fails the test for a transfer that ended badly: a curl error, a non-2xx status, a web page. */
static void
fail_xfer(struct measure *m, struct xfer *x, CURLcode rc)
{
	enum test_error err = classify(x, rc);
	const char *hint = forced_family_hint(m, &err);
	const char *effective = NULL;
	char *url;
	long code = 0;

	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &effective);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	url = url_for_message(effective);
	if (err == MERR_HTTP)
		fail(m, err, "%s: HTTP %ld from %s", phase_name(m->phase), code, url);
	else if (err == MERR_BAD_DATA)
		fail(m, err, "%s: %s replied with a web page (text/html) instead of data",
		    phase_name(m->phase), url);
	else
		fail(m, err, "%s: %s (%s)%s", phase_name(m->phase),
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc), url, hint);
	free(url);
}

/* CURLE_OK with a status outside 2xx (FAILONERROR lets 1xx/3xx through) is an error too. */
static CURLcode
xfer_outcome(struct xfer *x, CURLcode rc)
{
	long code = 0;

	if (rc != CURLE_OK)
		return rc;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	return code >= 200 && code < 300 ? CURLE_OK : CURLE_HTTP_RETURNED_ERROR;
}

/* ---- selection ---- */

static void
begin_select(struct measure *m)
{
	m->phase = PHASE_SELECT;
	m->phase_started = now_mono();
	m->phase_deadline = m->phase_started + SELECT_PINGS * m->opts.connect_timeout + PHASE_GRACE;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	m->sel = xcalloc((size_t)m->ncand, sizeof *m->sel);
	for (int i = 0; i < m->ncand; i++) {
		struct xfer *x = xfer_new(m, XFER_PROBE, &m->probe);

		if (x == NULL) {
			fail(m, MERR_INTERNAL, "cannot create a curl handle");
			return;
		}
		x->cand = i;
		/* a candidate that does not answer within connect_timeout is skipped */
		curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)(m->opts.connect_timeout * 1000));
		m->sel[i] = x;
		if (xfer_go(x, m->cand[i].empty_url, "") < 0)
			x->dead = true;
	}
}

static void
choose_server(struct measure *m)
{
	double best = INFINITY;
	enum test_error none = MERR_NO_SERVER;
	const char *hint = forced_family_hint(m, &none);

	m->chosen = -1;
	for (int i = 0; i < m->ncand; i++) {
		struct xfer *x = m->sel[i];
		double med;

		if (x->dead || x->nsamples < SELECT_PINGS)
			continue;
		med = stats_median(x->samples, (size_t)x->nsamples);
		m->cand_ms[i] = med;
		log_info("measure: candidate %s: median %.2f ms", m->cand[i].name, med);
		if (med < best) {
			best = med;
			m->chosen = i;
		}
	}
	if (m->chosen < 0) {
		fail(m, none, "none of %d servers answered within %.1f s%s",
		    m->ncand, m->opts.connect_timeout, hint);
		return;
	}
	/* the winner's handle keeps its open connection for the latency phase */
	m->lat = m->sel[m->chosen];
	m->sel[m->chosen] = NULL;
	set_ping_timeout(m, m->lat);
	for (int i = 0; i < m->ncand; i++) {
		xfer_free(m->sel[i]);
		m->sel[i] = NULL;
	}
	if (m->opts.select_only)
		finish(m, PHASE_DONE);
	else
		begin_latency(m);
}

static bool
select_pending(const struct measure *m)
{
	for (int i = 0; i < m->ncand; i++)
		if (m->sel[i]->running)
			return true;
	return false;
}

static void
select_done(struct measure *m, struct xfer *x, CURLcode rc)
{
	rc = xfer_outcome(x, rc);
	if (rc != CURLE_OK) {
		log_info("measure: candidate %s skipped: %s", m->cand[x->cand].name,
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		x->dead = true;
	} else {
		note_connect(x);
		x->samples[x->nsamples++] = ping_ms(x->easy);
		if (x->nsamples < SELECT_PINGS && xfer_go(x, m->cand[x->cand].empty_url, "") < 0)
			x->dead = true;
	}
	if (!select_pending(m))
		choose_server(m);
}

/* Selection out of time: the candidates still probing are skipped, the others compared. */
static void
select_timeout(struct measure *m)
{
	for (int i = 0; i < m->ncand; i++) {
		if (m->sel[i]->running) {
			xfer_stop(m->sel[i]);
			m->sel[i]->dead = true;
		}
	}
	choose_server(m);
}

/* ---- latency ---- */

#define ISP_MAX_BYTES	128

/* Network text for the screen: no controls or escape sequences, cut at a character boundary. */
static char *
screen_text(const char *s, size_t max)
{
	char *t = sanitize_text(s);
	size_t n = strlen(t);

	if (n > max) {
		for (n = max; n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80; n--)
			continue;
		t[n] = '\0';
	}
	if (*t == '\0') {
		free(t);
		return NULL;
	}
	return t;
}

/* getIP's processedString is "IP - ISP, country (distance)"; rawIspInfo may be an object. */
int
measure_parse_getip(const char *body, size_t len, char **ip, char **isp)
{
	struct json_tokener *tok;
	struct json_object *o = NULL, *v;
	const char *ps = NULL, *sep;
	size_t iplen;

	*ip = *isp = NULL;
	if (len <= INT_MAX && (tok = json_tokener_new()) != NULL) {
		o = json_tokener_parse_ex(tok, body, (int)len);
		json_tokener_free(tok);
	}
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	if (json_object_object_get_ex(o, "processedString", &v) && json_object_is_type(v, json_type_string))
		ps = json_object_get_string(v);
	if (ps != NULL) {
		sep = strstr(ps, " - ");
		iplen = sep ? (size_t)(sep - ps) : strlen(ps);
		if (iplen > 0 && iplen < 64 && strspn(ps, "0123456789abcdefABCDEF.:") == iplen)
			*ip = xasprintf("%.*s", (int)iplen, ps);
		if (sep != NULL)
			*isp = screen_text(sep + 3, ISP_MAX_BYTES);
	}
	if (*isp == NULL && json_object_object_get_ex(o, "rawIspInfo", &v) &&
	    json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "org", &v) && json_object_is_type(v, json_type_string))
		*isp = screen_text(json_object_get_string(v), ISP_MAX_BYTES);
	json_object_put(o);
	return 0;
}

static void
parse_getip(struct measure *m, const char *body, size_t len)
{
	if (measure_parse_getip(body, len, &m->res.client_ip, &m->res.client_isp) != 0)
		log_warn("measure: getIP reply is not a JSON object; client IP unknown");
}

static int
next_ping(struct measure *m)
{
	return xfer_go(m->lat, m->cand[m->chosen].empty_url, "");
}

/*
 * getIP runs on a connection of its own while the pings run: in series it cost a round trip
 * (0.3 s on a 300 ms path), and a LibreSpeed backend that looks the ISP up can take a second.
 * Its few bytes do not disturb the pings; a reply that comes during download is taken too.
 */
static void
start_getip(struct measure *m, const char *url)
{
	if (m->ip == NULL && (m->ip = xfer_new(m, XFER_PROBE, &m->probe)) == NULL) {
		log_warn("measure: cannot create a curl handle for getIP; client IP unknown");
		return;
	}
	m->ip->capture = true;
	curl_easy_setopt(m->ip->easy, CURLOPT_TIMEOUT_MS, GETIP_TIMEOUT_MS);
	if (xfer_go(m->ip, url, "isp=true") < 0)
		log_warn("measure: cannot start the getIP request; client IP unknown");
}

/* getIP is optional: whatever became of it (no such endpoint, an oversized or slow reply, a
 * refused connection), the test goes on and the pings say whether the server measures. */
static void
getip_done(struct measure *m, struct xfer *x, CURLcode rc)
{
	rc = xfer_outcome(x, rc);
	if (rc == CURLE_OK)
		parse_getip(m, x->body ? x->body : "", x->body_len);
	else if (rc == CURLE_WRITE_ERROR)
		log_warn("measure: getIP reply over %u bytes, stopped; client IP unknown",
		    GETIP_MAX_BODY);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		log_warn("measure: getIP: no whole reply within %.1f s (%s); client IP unknown",
		    GETIP_TIMEOUT_MS / 1000.0, test_error_name(classify(x, rc)));
	else
		log_warn("measure: getIP failed (%s); client IP unknown",
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
}

static void
begin_latency(struct measure *m)
{
	const struct measure_server *s = &m->cand[m->chosen];

	m->phase = PHASE_LATENCY;
	m->phase_started = now_mono();
	m->phase_deadline = m->phase_started + m->opts.connect_timeout + m->opts.stall_seconds +
	    m->opts.ping_count + PHASE_GRACE;
	m->res.server_name = xstrdup(s->name);
	m->res.server_url = xstrdup(s->url);
	if (m->lat == NULL) {
		m->lat = xfer_new(m, XFER_PROBE, &m->probe);
		if (m->lat == NULL) {
			fail(m, MERR_INTERNAL, "cannot create a curl handle");
			return;
		}
		set_ping_timeout(m, m->lat);
	}
	if (s->getip_url != NULL)
		start_getip(m, s->getip_url);
	if (next_ping(m) < 0)
		fail(m, MERR_INTERNAL, "cannot start a ping");
}

/*
 * The family the latency connection took (happy eyeballs picks it when both are allowed). The
 * streams are held to it: a result is measured over one family, the one it records.
 */
static void
note_family(struct measure *m, const struct xfer *x)
{
	const char *ip = NULL;

	if (curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || ip == NULL ||
	    *ip == '\0')
		return;
	m->res.ip_version = strchr(ip, ':') != NULL ? 6 : 4;
	m->resolve = m->res.ip_version == 6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
}

static void
latency_done(struct measure *m, struct xfer *x, CURLcode rc)
{
	note_family(m, x);
	rc = xfer_outcome(x, rc);
	if (rc != CURLE_OK) {
		fail_xfer(m, x, rc);
		return;
	}
	note_connect(x);
	m->res.pings_ms[m->res.npings++] = ping_ms(x->easy);
	m->prog.latency_ms = round2(m->res.pings_ms[m->res.npings - 1]);
	if (m->res.npings < m->opts.ping_count) {
		if (next_ping(m) < 0)
			fail(m, MERR_INTERNAL, "cannot start a ping");
		return;
	}
	m->res.latency_min_ms = round2(stats_min(m->res.pings_ms, (size_t)m->res.npings));
	m->res.latency_median_ms = round2(stats_median(m->res.pings_ms, (size_t)m->res.npings));
	m->res.jitter_ms = round2(stats_jitter(m->res.pings_ms, (size_t)m->res.npings));
	m->res.connect_ms = latency_connect_ms(x);
	begin_data(m, PHASE_DOWNLOAD);
}

/* ---- download and upload ---- */

static void
series_reset(struct series *s, struct counts base, double now, size_t cap)
{
	if (cap > s->cap) {
		s->t = xrealloc(s->t, cap * sizeof *s->t);
		s->bytes = xrealloc(s->bytes, cap * sizeof *s->bytes);
		s->dlv = xrealloc(s->dlv, cap * sizeof *s->dlv);
		s->rate = xrealloc(s->rate, cap * sizeof *s->rate);
		s->cap = cap;
	}
	s->n = 1;
	s->t[0] = now;
	s->bytes[0] = 0;
	s->dlv[0] = 0;
	s->rate[0] = 0;
	s->base = base;
	s->last_progress = now;
}

static void
free_streams(struct measure *m)
{
	for (int i = 0; i < m->nstreams; i++)
		xfer_free(m->streams[i]);
	free(m->streams);
	m->streams = NULL;
	m->nstreams = 0;
}

/*
 * A direction's end: its streams stop and their connections close at once. curl parks a
 * connection whose request has ended in its multi's cache, and a parked upload connection
 * would go on sending what its socket holds: the multi goes too (its cleanup closes every
 * connection through on_close_socket, abortively); begin_data makes a new one.
 */
static void
close_streams(struct measure *m)
{
	free_streams(m);
	if (m->data.multi == NULL)
		return;
	curl_multi_cleanup(m->data.multi);
	curlpoll_free(&m->data);
	m->data.multi = NULL;
	m->data.due = -1;
}

static int
stream_go(struct measure *m, struct xfer *x)
{
	char q[32];

	if (m->phase == PHASE_UPLOAD) {
		x->body_bytes = m->upload_body;
		x->body_sent = 0;
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_bytes);
		return xfer_go(x, m->cand[m->chosen].empty_url, "");
	}
	snprintf(q, sizeof q, "ckSize=%d", GARBAGE_MIB);
	return xfer_go(x, m->cand[m->chosen].garbage_url, q);
}

static void
fill_upload_block(struct measure *m)
{
	uint64_t w;

	if (m->upload_block != NULL)
		return;
	/* random, so that nothing on the path can compress it */
	m->upload_block = xmalloc(UPLOAD_BLOCK_BYTES);
	for (size_t i = 0; i < UPLOAD_BLOCK_BYTES; i += sizeof w) {
		w = next_random(m);
		memcpy(m->upload_block + i, &w, sizeof w);
	}
}

/*
 * The first upload bodies: what one stream would send in the whole phase at the download's
 * rate (few links upload faster than they download), as a power of two from UPLOAD_BODY_MIN
 * to UPLOAD_BODY_MAX. A larger body is never needed, and a smaller one asks less of a server's
 * body limit; a limit still below it is met by halving (smaller_body).
 */
static uint64_t
first_upload_body(const struct measure *m)
{
	int streams = m->opts.upload_streams > 0 ? m->opts.upload_streams : 1;
	double need = m->res.download_mbps * 1e6 / 8 * m->opts.max_seconds / streams;
	uint64_t b = UPLOAD_BODY_MIN;

	while (b < UPLOAD_BODY_MAX && (double)b < need)
		b *= 2;
	return b;
}

/*
 * TCP's start-up grows the window once per round trip, and on a long path the data arrives in
 * bursts a round trip apart: a window shorter than that sees a plateau between two bursts and
 * ends the ramp-up too early (20 Mbit/s at 300 ms read -13%). Two round trips of samples, from
 * the idle latency; never more than MAX_RAMP_WINDOW.
 */
static size_t
ramp_window(const struct measure *m)
{
	double rtt = m->res.latency_min_ms > 0 ? m->res.latency_min_ms / 1000 : 0;
	size_t w = (size_t)ceil(2 * rtt / SAMPLE_INTERVAL);

	return w > MAX_RAMP_WINDOW ? MAX_RAMP_WINDOW : w;
}

static void
begin_data(struct measure *m, enum test_phase phase)
{
	bool up = phase == PHASE_UPLOAD;
	double now = now_mono();

	m->phase = phase;
	m->phase_started = now;
	m->phase_deadline = now + m->opts.max_seconds + PHASE_GRACE;
	m->nstreams = up ? m->opts.upload_streams : m->opts.download_streams;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	m->streams = xcalloc((size_t)m->nstreams, sizeof *m->streams);
	m->nloaded = 0;
	m->next_loaded = now + LOADED_PING_INTERVAL;
	m->lat->stale = m->lat->running;
	m->prog.mbps_now = m->prog.mbps_avg = 0;
	series_reset(&m->s, counter_total(m, up), now,
	    (size_t)(m->opts.max_seconds / SAMPLE_INTERVAL) + 64);
	m->s.ramp_window = ramp_window(m);
	if (up) {
		fill_upload_block(m);
		m->upload_body = first_upload_body(m);
	}
	if (m->data.multi == NULL && multi_init(&m->data) < 0) {
		fail(m, MERR_INTERNAL, "cannot initialise libcurl");
		return;
	}
	for (int i = 0; i < m->nstreams; i++) {
		struct xfer *x = xfer_new(m, XFER_STREAM, &m->data);

		if (x == NULL) {
			fail(m, MERR_INTERNAL, "cannot create a curl handle");
			return;
		}
		m->streams[i] = x;
		if (up)
			curl_easy_setopt(x->easy, CURLOPT_POST, 1L);
		if (stream_go(m, x) < 0) {
			fail(m, MERR_INTERNAL, "cannot start a stream");
			return;
		}
	}
}

/*
 * Where the measured part starts: after the detected ramp-up. When none was detected (the rate
 * still grew when the phase ended), or it leaves less than a second, the second half: on a long
 * path the ramp-up can take more than half the phase, and the part after it is the link.
 */
static size_t
measured_from(const struct series *s)
{
	size_t r = stats_rampup_end(s->rate + 1, s->n - 1, s->ramp_window) + 1;

	return r + STABLE_SAMPLES <= s->n || r <= s->n / 2 ? r : s->n / 2;
}

/*
 * Payload Mbit/s of one count from sample `from` to the last one: bytes over time (not a mean of
 * rates) between the first and the last samples, each end the mean of three readings so that the
 * jitter of one (±0.7% over a second at 20 Mbit/s, from the two ends alone) weighs a third.
 */
static double
window_mbps(const struct series *s, const uint64_t *bytes, size_t from)
{
	size_t a = from > 0 ? from - 1 : 0;

	return stats_rate(s->t, bytes, a, s->n) * 8 / 1e6;
}

/*
 * The phase's figure. The in-order count is exact when neither end of the window falls inside
 * a loss repair; then it agrees with the delivered count (which differs only by the MSS estimate,
 * 0.3% at worst seen). When they disagree, one end caught the in-order count held back behind a
 * hole: the delivered count is the one that saw the link.
 */
static double
series_mbps(const struct series *s, size_t from, bool acked, bool *held_back)
{
	double exact = window_mbps(s, s->bytes, from), timely = window_mbps(s, s->dlv, from);
	uint64_t inorder = s->bytes[s->n - 1], delivered = s->dlv[s->n - 1];

	*held_back = timely > 0 && fabs(exact / timely - 1) > COUNTS_AGREE &&
	    (acked || (double)delivered <= (double)inorder * COUNTS_FULL_SEGMENTS);
	return *held_back ? timely : exact;
}

/*
 * The median of the loaded pings sent in the measured part: during the ramp-up the queue is
 * still filling (on a 300 ms path with a 400 ms queue, all pings of the phase read 320 ms, those
 * after the ramp-up 700 ms). All of them when none was sent there; -1 when there were none.
 */
static double
loaded_latency(const struct measure *m)
{
	double since = m->s.t[measured_from(&m->s) - 1], *v;
	size_t n = 0;

	if (m->nloaded == 0)
		return -1;
	v = xmalloc(m->nloaded * sizeof *v);
	for (size_t i = 0; i < m->nloaded; i++)
		if (m->loaded_at[i] >= since)
			v[n++] = m->loaded[i];
	if (n == 0) {
		memcpy(v, m->loaded, m->nloaded * sizeof *v);
		n = m->nloaded;
	}
	since = round2(stats_median(v, n));
	free(v);
	return since;
}

static void
end_data(struct measure *m)
{
	bool up = m->phase == PHASE_UPLOAD;
	bool held_back;
	double mbps = round2(series_mbps(&m->s, measured_from(&m->s), up, &held_back));
	double loaded = loaded_latency(m);
	uint64_t bytes = m->s.bytes[m->s.n - 1];

	close_streams(m);
	if (bytes == 0) {
		fail(m, MERR_STALLED, "%s: no data moved in %.1f s", phase_name(m->phase),
		    now_mono() - m->phase_started);
		return;
	}
	log_info("measure: %s %.2f Mbit/s, %llu bytes, %zu samples, measured from sample %zu%s",
	    phase_name(m->phase), mbps, (unsigned long long)bytes, m->s.n, measured_from(&m->s),
	    held_back ? " (delivered bytes: the in-order count was held back by a loss)" : "");
	if (up) {
		m->res.upload_mbps = mbps;
		m->res.upload_bytes = bytes + m->refused_bytes;
		m->res.loaded_upload_ms = loaded;
		m->res.upload_body_bytes = m->upload_body;
		finish(m, PHASE_DONE);
	} else {
		m->res.download_mbps = mbps;
		m->res.download_bytes = bytes;
		m->res.loaded_download_ms = loaded;
		begin_data(m, PHASE_UPLOAD);
	}
}

/* A counter's bytes since the phase began; never less than at the last sample (a failed
 * TCP_INFO read, or a socket closed between two readings, must not look like a jump). */
static uint64_t
phase_bytes(uint64_t total, uint64_t base, uint64_t last)
{
	uint64_t b = total > base ? total - base : 0;

	return b < last ? last : b;
}

static void
take_sample(struct measure *m, double now)
{
	struct series *s = &m->s;
	struct counts total = counter_total(m, m->phase == PHASE_UPLOAD);
	uint64_t bytes = phase_bytes(total.inorder, s->base.inorder, s->bytes[s->n - 1]);
	uint64_t dlv = phase_bytes(total.delivered, s->base.delivered, s->dlv[s->n - 1]);
	double dt = now - s->t[s->n - 1];
	size_t k;

	if (s->n == s->cap)
		return;
	if (dlv > s->dlv[s->n - 1])
		s->last_progress = now;
	s->t[s->n] = now;
	s->bytes[s->n] = bytes;
	s->dlv[s->n] = dlv;
	s->rate[s->n] = dt > 0 ? (double)(dlv - s->dlv[s->n - 1]) * 8 / dt / 1e6 : 0;
	s->n++;
	k = s->n - 1 < 3 ? s->n - 1 : 3;
	m->prog.mbps_now = round2(stats_mean_from(s->rate + s->n - k, k, 0));
	m->prog.mbps_avg = round2(window_mbps(s, s->dlv, measured_from(s)));
}

/*
 * Stable: the rate after the ramp-up has settled (stats_stable), over enough data that one
 * segment more or less is under 1% of it — on a 0.5 Mbit/s uplink a second holds 43 segments,
 * and a window of a second read 0.47 against the link's 0.46-0.47 and 0.48.
 */
static bool
data_stable(const struct measure *m)
{
	const struct series *s = &m->s;
	size_t from = stats_rampup_end(s->rate + 1, s->n - 1, s->ramp_window);

	return from < s->n && s->dlv[s->n - 1] - s->dlv[from] >= STABLE_MIN_BYTES &&
	    stats_stable(s->rate + 1, s->n - 1, from, STABLE_SAMPLES);
}

/*
 * The upload failed after the download was measured: the test ends as a partial one (model.h)
 * with the download's figures — a server that refuses every body must not cost the citizen the
 * figure already measured.
 */
static void
upload_not_measured(struct measure *m, enum test_error err, const char *why)
{
	m->res.upload_error = err;
	snprintf(m->res.upload_message, sizeof m->res.upload_message, "%s", why);
	m->res.upload_bytes = m->refused_bytes + (m->s.n > 0 ? m->s.bytes[m->s.n - 1] : 0);
	m->res.upload_body_bytes = m->upload_body;
	log_warn("measure: upload not measured (%s): %s; the download figure is kept",
	    test_error_name(err), why);
	close_streams(m);
	finish(m, PHASE_DONE);
}

/*
 * A server that refuses a body this large — 413, or a reset mid-body — gets bodies half the
 * size from now on, down to UPLOAD_BODY_MIN: nginx's default client_max_body_size is 1m, and
 * many LibreSpeed servers keep it. True when the stream goes on with a smaller body.
 */
static bool
smaller_body(struct measure *m, struct xfer *x, CURLcode rc)
{
	long code = 0;

	if (m->phase != PHASE_UPLOAD || x->body_bytes <= UPLOAD_BODY_MIN)
		return false;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (!(rc == CURLE_HTTP_RETURNED_ERROR && code == 413) && classify(x, rc) != MERR_RESET)
		return false;
	if (m->upload_body >= x->body_bytes) {	/* the other streams' refusals follow it */
		double now = now_mono();

		m->upload_body = x->body_bytes / 2;
		log_info("measure: upload: %s for a body of %llu bytes; bodies of %llu bytes now",
		    rc == CURLE_HTTP_RETURNED_ERROR ? "HTTP 413" : curl_easy_strerror(rc),
		    (unsigned long long)x->body_bytes, (unsigned long long)m->upload_body);
		/*
		 * Bytes of refused bodies measure the server's discarding, not an upload: the phase
		 * starts again, its whole time for bodies the server takes (a loaded machine ended a
		 * 2 s phase still at refused 1 MiB bodies, and read their bytes as a figure). At most
		 * five times (8 MiB down to 256 KiB); a limit answers at once (413 after the headers).
		 */
		m->refused_bytes += m->s.bytes[m->s.n - 1];
		m->phase_started = now;
		m->phase_deadline = now + m->opts.max_seconds + PHASE_GRACE;
		series_reset(&m->s, counter_total(m, true), now,
		    (size_t)(m->opts.max_seconds / SAMPLE_INTERVAL) + 64);
	}
	return true;
}

static void
stream_done(struct measure *m, struct xfer *x, CURLcode rc)
{
	rc = xfer_outcome(x, rc);
	if (rc != CURLE_OK && !smaller_body(m, x, rc)) {
		fail_xfer(m, x, rc);
		return;
	}
	/* the same handle again, so the connection stays warm */
	if (stream_go(m, x) < 0)
		fail(m, MERR_INTERNAL, "cannot restart a stream");
}

static void
loaded_done(struct measure *m, struct xfer *x, CURLcode rc)
{
	if (x->stale) {		/* it measured the other direction's load */
		x->stale = false;
		return;
	}
	/* a lost probe under load is not a failed test; the next one reconnects */
	if (xfer_outcome(x, rc) != CURLE_OK) {
		log_info("measure: loaded ping failed: %s", x->errbuf);
		return;
	}
	if (m->nloaded == m->caploaded) {
		m->caploaded = m->caploaded ? 2 * m->caploaded : 64;
		m->loaded = xrealloc(m->loaded, m->caploaded * sizeof *m->loaded);
		m->loaded_at = xrealloc(m->loaded_at, m->caploaded * sizeof *m->loaded_at);
	}
	m->loaded[m->nloaded] = ping_ms(x->easy);
	m->loaded_at[m->nloaded] = now_mono() - m->loaded[m->nloaded] / 1000;
	m->nloaded++;
	m->prog.latency_ms = round2(m->loaded[m->nloaded - 1]);
}

/*
 * No byte on any stream for this long is a stall. At most half the phase: a server that stops
 * sending must not pass for a slow link just because the phase ended before stall_seconds.
 */
static double
data_stall_seconds(const struct measure *m)
{
	double half = m->opts.max_seconds / 2;

	return m->opts.stall_seconds < half ? m->opts.stall_seconds : half;
}

static void
data_tick(struct measure *m, double now)
{
	take_sample(m, now);
	m->next_tick += SAMPLE_INTERVAL;
	if (m->next_tick <= now)	/* the loop was late: keep the cadence, not a burst */
		m->next_tick = now + SAMPLE_INTERVAL;
	if (now - m->s.last_progress >= data_stall_seconds(m)) {
		fail(m, MERR_STALLED, "%s: no data for %.1f s", phase_name(m->phase),
		    now - m->s.last_progress);
		return;
	}
	if (!m->lat->running && now >= m->next_loaded) {
		m->next_loaded = now + LOADED_PING_INTERVAL;
		if (next_ping(m) < 0)
			log_warn("measure: cannot start a loaded ping");
	}
	if (now - m->phase_started >= m->opts.max_seconds || data_stable(m))
		end_data(m);
}

/* ---- progress ---- */

static void
update_progress(struct measure *m, double now)
{
	double f = 0, before = 0;

	switch (m->phase) {
	case PHASE_SELECT:
		f = (now - m->phase_started) / (SELECT_PINGS * m->opts.connect_timeout);
		break;
	case PHASE_LATENCY:
		f = (double)m->res.npings / m->opts.ping_count;
		break;
	case PHASE_DOWNLOAD:
	case PHASE_UPLOAD:
		f = (now - m->phase_started) / m->opts.max_seconds;
		break;
	default:
		return;
	}
	for (int p = PHASE_SELECT; p < (int)m->phase; p++)
		if (p != PHASE_SELECT || m->ncand > 1)
			before += phase_weight[p];
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	m->prog.phase = m->phase;
	m->prog.phase_fraction = f;
	m->prog.overall_fraction = before + f * phase_weight[m->phase];
	if (m->ncand <= 1)	/* no selection: the other phases share its weight */
		m->prog.overall_fraction /= 1 - phase_weight[PHASE_SELECT];
}

/* ---- public interface ---- */

struct measure *
measure_new(const struct measure_server *candidates, int n, const struct measure_opts *opts)
{
	struct measure *m = xcalloc(1, sizeof *m);

	if (n < 0)
		n = 0;
	m->cand = xcalloc((size_t)n + 1, sizeof *m->cand);
	for (int i = 0; i < n; i++) {
		m->cand[i].name = xstrdup(candidates[i].name);
		m->cand[i].url = xstrdup(candidates[i].url);
		m->cand[i].garbage_url = xstrdup(candidates[i].garbage_url);
		m->cand[i].empty_url = xstrdup(candidates[i].empty_url);
		m->cand[i].getip_url = xstrdup(candidates[i].getip_url);
	}
	m->ncand = n;
	m->chosen = -1;
	m->cand_ms = xcalloc((size_t)n + 1, sizeof *m->cand_ms);
	for (int i = 0; i < n; i++)
		m->cand_ms[i] = -1;
	if (opts != NULL)
		m->opts = *opts;
	else
		measure_opts_default(&m->opts);
	m->resolve = m->opts.ip_family == 4 ? CURL_IPRESOLVE_V4 :
	    m->opts.ip_family == 6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_WHATEVER;
	m->opts.ca_file = xstrdup(m->opts.ca_file);	/* a reload may free the config's */
	if (m->opts.ping_count < 1)
		m->opts.ping_count = 1;
	/* the samples are kept in the figures, which have room for so many */
	if (m->opts.ping_count > TEST_PINGS_MAX)
		m->opts.ping_count = TEST_PINGS_MAX;
	m->phase = PHASE_IDLE;
	figures_clear(&m->res);
	if (m->opts.ip_family == 4 || m->opts.ip_family == 6)
		m->res.ip_version = m->opts.ip_family;	/* what it tried, if it never connects */
	if (getrandom(&m->rnd, sizeof m->rnd, GRND_NONBLOCK) != sizeof m->rnd || m->rnd == 0)
		m->rnd = (uint64_t)(now_wall() * 1e6) | 1;
	return m;
}

static int
multi_init(struct curlpoll *cp)
{
	CURLM *h = curl_multi_init();

	if (h == NULL)
		return -1;
	curlpoll_init(cp, h);
	/* one TCP connection per stream: no pipelining, no HTTP/2 multiplexing */
	curl_multi_setopt(h, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
	return 0;
}

int
measure_start(struct measure *m)
{
	bool valid = m->ncand > 0;

	if (m->phase != PHASE_IDLE)
		return -1;
	m->started = now_mono();
	m->next_tick = m->started + SAMPLE_INTERVAL;
	for (int i = 0; i < m->ncand; i++)
		if (m->cand[i].garbage_url == NULL || m->cand[i].empty_url == NULL)
			valid = false;
	if (!valid) {
		fail(m, MERR_NO_SERVER, m->ncand > 0 ? "a server lacks its garbage or empty URL" :
		    "no server to measure against");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fail(m, MERR_INTERNAL, "curl_global_init failed");
		return -1;
	}
	m->curl_inited = true;
	/* no Expect: 100-continue wait on POSTs; the body is opaque bytes */
	m->headers = curl_slist_append(NULL, "Expect:");
	m->headers = curl_slist_append(m->headers, "Content-Type: application/octet-stream");
	m->headers = curl_slist_append(m->headers, "Cache-Control: no-cache");
	if (m->headers == NULL || multi_init(&m->data) < 0 || multi_init(&m->probe) < 0) {
		fail(m, MERR_INTERNAL, "cannot initialise libcurl");
		return -1;
	}
	if (m->ncand > 1 || m->opts.select_only) {
		begin_select(m);
	} else {
		m->chosen = 0;
		begin_latency(m);
	}
	update_progress(m, m->started);
	return m->phase == PHASE_FAILED ? -1 : 0;
}

void
measure_cancel(struct measure *m)
{
	if (m->phase != PHASE_IDLE)
		fail(m, MERR_CANCELLED, "cancelled");
}

bool
measure_finished(const struct measure *m)
{
	return m->phase == PHASE_DONE || m->phase == PHASE_FAILED;
}

int
measure_fds(void *ctx, struct pollfd *fds, int max)
{
	struct measure *m = ctx;
	int n;

	if (measure_finished(m))
		return 0;
	/* the probe multi first: the latency connection is never the one left out */
	n = curlpoll_fds(&m->probe, fds, max);
	return n + curlpoll_fds(&m->data, fds + n, max - n);
}

int
measure_timeout(void *ctx)
{
	struct measure *m = ctx;
	double due;
	int ms;

	if (m->phase == PHASE_IDLE || measure_finished(m))
		return -1;
	due = deadline_earlier(deadline_earlier(curlpoll_due(&m->data), curlpoll_due(&m->probe)),
	    m->next_tick);
	ms = deadline_ms(due, now_mono());
	return ms > 1000 ? 1000 : ms;
}

static void
dispatch_done(struct measure *m, CURL *easy, CURLcode rc)
{
	struct xfer *x = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, &x);
	if (x == NULL)
		return;
	/* only valid while the handle is still attached to its connection */
	if (curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &x->sock) != CURLE_OK)
		x->sock = CURL_SOCKET_BAD;
	curl_multi_remove_handle(x->cp->multi, easy);
	x->running = false;
	if (x == m->ip)
		getip_done(m, x, rc);
	else if (m->phase == PHASE_SELECT)
		select_done(m, x, rc);
	else if (m->phase == PHASE_LATENCY)
		latency_done(m, x, rc);
	else if (x == m->lat)
		loaded_done(m, x, rc);
	else
		stream_done(m, x, rc);
}

static void
read_messages(struct measure *m, struct curlpoll *cp)
{
	CURLMsg *msg;
	int left;

	while (!measure_finished(m) && (msg = curl_multi_info_read(cp->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			dispatch_done(m, msg->easy_handle, msg->data.result);
}

static void
tick(struct measure *m, double now)
{
	if (m->phase == PHASE_DOWNLOAD || m->phase == PHASE_UPLOAD) {
		data_tick(m, now);
	} else {
		while (now >= m->next_tick)
			m->next_tick += SAMPLE_INTERVAL;
	}
	if (!measure_finished(m) && now >= m->phase_deadline) {
		if (m->phase == PHASE_SELECT)
			select_timeout(m);
		else
			fail(m, MERR_STALLED, "%s: no answer within %.1f s", phase_name(m->phase),
			    now - m->phase_started);
	}
	update_progress(m, now);
}

void
measure_step(void *ctx, const struct pollfd *fds, int n)
{
	struct measure *m = ctx;
	double now;

	if (m->phase == PHASE_IDLE || measure_finished(m))
		return;
	/* each multi picks its own sockets out of fds; probes first, for the latency figures */
	curlpoll_dispatch(&m->probe, fds, n);
	curlpoll_dispatch(&m->data, fds, n);
	read_messages(m, &m->probe);
	read_messages(m, &m->data);
	if (measure_finished(m))
		return;
	now = now_mono();
	if (now >= m->next_tick || now >= m->phase_deadline)
		tick(m, now);
}

double
measure_candidate_ms(const struct measure *m, int i)
{
	return i >= 0 && i < m->ncand ? m->cand_ms[i] : -1;
}

int
measure_chosen(const struct measure *m)
{
	return m->chosen;
}

void
measure_progress(const struct measure *m, struct test_progress *p)
{
	*p = m->prog;
}

const struct test_figures *
measure_result(const struct measure *m)
{
	return &m->res;
}

const struct measure_server *
measure_chosen_server(const struct measure *m)
{
	return m->chosen >= 0 && m->chosen < m->ncand ? &m->cand[m->chosen] : NULL;
}

void
measure_free(struct measure *m)
{
	if (m == NULL)
		return;
	for (int i = 0; m->sel != NULL && i < m->ncand; i++)
		xfer_free(m->sel[i]);
	free(m->sel);
	xfer_free(m->lat);
	xfer_free(m->ip);
	free_streams(m);
	if (m->data.multi != NULL)
		curl_multi_cleanup(m->data.multi);
	if (m->probe.multi != NULL)
		curl_multi_cleanup(m->probe.multi);
	curlpoll_free(&m->data);
	curlpoll_free(&m->probe);
	curl_slist_free_all(m->headers);
	if (m->curl_inited)
		curl_global_cleanup();
	for (int i = 0; i < m->ncand; i++) {
		free(m->cand[i].name);
		free(m->cand[i].url);
		free(m->cand[i].garbage_url);
		free(m->cand[i].empty_url);
		free(m->cand[i].getip_url);
	}
	free(m->cand);
	free(m->cand_ms);
	figures_free(&m->res);
	free(m->upload_block);
	free(m->loaded);
	free(m->loaded_at);
	free(m->s.t);
	free(m->s.bytes);
	free(m->s.dlv);
	free(m->s.rate);
	free(m->socks);
	free((char *)m->opts.ca_file);
	free(m);
}
