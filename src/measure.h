/*
 * measure.h — the speed-test engine: latency, jitter, download, upload and loaded latency
 * against LibreSpeed-compatible HTTP servers, on libcurl's multi interface.
 *
 * The engine never blocks. The caller's poll() loop asks for its descriptors and timeout,
 * polls, and hands the ready descriptors back to measure_step(); the same engine runs in the
 * kiosk, in `tramdo run` and in the benchmarks. It knows nothing of curses or storage.
 */
#ifndef TRAMDO_MEASURE_H
#define TRAMDO_MEASURE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One candidate server, endpoints as full URLs (servers.c builds them). */
struct measure_server {
	char	*name;
	char	*url;		/* base URL, for the result */
	char	*garbage_url;	/* GET ?ckSize=N&r=RND */
	char	*empty_url;	/* GET for ping, POST for upload */
	char	*getip_url;	/* GET ?isp=true, may be NULL */
};

struct measure_opts {
	int	download_streams;	/* default 6 */
	int	upload_streams;		/* default 4 */
	double	max_seconds;		/* per direction */
	int	ping_count;		/* latency samples, >= 10 */
	double	connect_timeout;	/* seconds */
	double	stall_seconds;		/* no progress for this long ends the test (in download
					 * and upload: at most max_seconds / 2) */
};
void measure_opts_default(struct measure_opts *o);

enum measure_phase {
	PHASE_IDLE,
	PHASE_SELECT,		/* probing candidates, when there is more than one */
	PHASE_LATENCY,
	PHASE_DOWNLOAD,
	PHASE_UPLOAD,
	PHASE_DONE,
	PHASE_FAILED
};

enum measure_error {
	MERR_NONE,
	MERR_NO_SERVER,		/* no candidate answered */
	MERR_DNS,
	MERR_CONNECT,		/* refused, unreachable, timed out */
	MERR_TLS,
	MERR_HTTP,		/* 4xx/5xx */
	MERR_RESET,		/* connection closed or reset mid-transfer */
	MERR_STALLED,		/* no byte for stall_seconds */
	MERR_BAD_DATA,		/* HTML or other unexpected reply instead of data */
	MERR_CANCELLED,
	MERR_INTERNAL
};
const char *measure_error_name(enum measure_error e);	/* "dns", "connect", … (stable, for JSON) */

struct measure_progress {
	enum measure_phase	phase;
	double	phase_fraction;		/* 0..1 within the phase (time-based) */
	double	overall_fraction;	/* 0..1 of the whole test */
	double	mbps_now;		/* last 100 ms sample(s), this phase */
	double	mbps_avg;		/* running result of this phase */
	double	latency_ms;		/* latest latency sample */
};

struct measure_result {
	enum measure_error	 error;
	char			 message[256];	/* English, for logs */
	char			*server_name;
	char			*server_url;
	char			*client_ip;	/* from getIP, may be NULL */
	char			*client_isp;	/* processedString's ISP part / rawIspInfo, may be NULL */
	double	connect_ms;			/* TCP round trip of the latency connection (kernel's) */
	double	latency_min_ms, latency_median_ms, jitter_ms;
	double	loaded_download_ms, loaded_upload_ms;	/* median latency while loaded; <0 unknown */
	double	download_mbps, upload_mbps;		/* payload, 10^6 bit/s */
	uint64_t download_bytes, upload_bytes;		/* total moved, including ramp-up */
	double	duration_s;
};

struct measure;

/* candidates are copied. With one candidate, selection is skipped. */
struct measure *measure_new(const struct measure_server *candidates, int n,
    const struct measure_opts *opts);
void measure_free(struct measure *m);

int  measure_start(struct measure *m);		/* 0 or -1 (result says why) */
void measure_cancel(struct measure *m);		/* ends with MERR_CANCELLED */
bool measure_finished(const struct measure *m);	/* PHASE_DONE or PHASE_FAILED */

/* poll() integration: fill up to max descriptors, return how many. */
int  measure_fds(void *m, struct pollfd *fds, int max);
/* Milliseconds until the engine needs a step even without I/O; -1 when idle. */
int  measure_timeout(void *m);
/* Act on the ready descriptors (as returned by poll, in the order measure_fds gave them) and timers. */
void measure_step(void *m, const struct pollfd *fds, int n);

/*
 * A LibreSpeed getIP reply (JSON; processedString "IP - ISP, …", or rawIspInfo.org) → the
 * client's IP and ISP, allocated and safe to show (sanitize_text), NULL when absent. 0, or -1
 * when the reply is not a JSON object. Exposed for the fuzz harness.
 */
int  measure_parse_getip(const char *body, size_t len, char **ip, char **isp);

void measure_progress(const struct measure *m, struct measure_progress *p);
const struct measure_result *measure_result(const struct measure *m);

#endif
