/*
 * upload.h — the upload queue: pending results from the store, sent to each configured sink
 * (json, librespeed, influx) on libcurl's multi interface, driven by the caller's poll loop.
 *
 * Each upload is sent under a claim in the store (store_claim), so any number of processes
 * sharing one database send each result to each sink once when nothing fails. A process killed
 * between a collector's answer and the record of it leaves its claim to expire, and the upload
 * is sent once more: the json sink sends Idempotency-Key: <result id> and an InfluxDB point is
 * identified by its tags and timestamp, so those keep it once; LibreSpeed may store it twice. Retries back off exponentially with jitter up to
 * [upload] retry_max_seconds; a 4xx other than 408/409/429 is a rejection (kept, not retried).
 */
#ifndef TRAMDO_UPLOAD_H
#define TRAMDO_UPLOAD_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct config;
struct store;
struct upload;

enum upload_outcome { UPLOAD_SENT, UPLOAD_REJECTED, UPLOAD_RETRY };

struct upload_report {
	int	sent, rejected, retry;		/* outcomes since upload_new */
	int	in_flight, queued;
};

/* Told about every finished attempt; detail is English (HTTP status, curl error, reply id). */
typedef void (*upload_listener)(void *arg, const char *id, const char *sink,
    enum upload_outcome outcome, const char *detail);

/*
 * Checks [upload] (known sinks, a URL per sink) and builds the queue over st. NULL with a
 * message in err when the configuration is unusable. A token file that config_read_token
 * refuses stops only its own sink: logged, its uploads retried with backoff, the file read
 * again at each attempt.
 */
struct upload	*upload_new(const struct config *cfg, struct store *st, char *err, size_t errlen);
void		 upload_free(struct upload *u);
void		 upload_set_listener(struct upload *u, upload_listener fn, void *arg);

/* Looks for due uploads now (e.g. after a new result). */
void		 upload_kick(struct upload *u);
/* Sends every pending upload once, ignoring backoff (`tramdo upload`); upload_idle() says when done. */
void		 upload_all_now(struct upload *u);
/*
 * Starts no more uploads; those in flight go on to their end (each within timeout_seconds) and
 * are recorded. A command about to exit calls it: an attempt it abandoned would stay claimed
 * and be sent again when the claim expires, though the collector may have it.
 */
void		 upload_drain(struct upload *u);
/* Nothing in flight and nothing queued. */
bool		 upload_idle(const struct upload *u);
void		 upload_report(const struct upload *u, struct upload_report *out);

/* Loop integration (struct loop_source). */
int		 upload_fds(void *u, struct pollfd *fds, int max);
int		 upload_timeout(void *u);
void		 upload_dispatch(void *u, const struct pollfd *fds, int n);

/*
 * What a collector's reply means (the rules of docs/upload.md): sink is its name, status the
 * HTTP status, reply the start of the body (NUL-terminated). detail (256 bytes are enough)
 * gets "HTTP <status>: <start of the reply>" made safe to show (sanitize_text); id the
 * collector's own id for the result (librespeed's "id N", sanitised), else "". Pure: the
 * queue uses it for every reply, the fuzz harness for hostile ones.
 */
enum upload_outcome upload_classify_reply(const char *sink, long status, const char *reply,
		    char *detail, size_t detaillen, char *id, size_t idlen);

/* The comma list's sink names, validated; "json", "librespeed", "influx". */
bool		 upload_sink_known(const char *name);

#endif
