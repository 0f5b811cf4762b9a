/*
 * store.h — the results database (SQLite): every result, and its upload state per sink.
 *
 * A result is committed (WAL, synchronous=FULL) before the kiosk shows it as done. When the
 * disk fails (read-only, full, corrupt, locked, missing) the store keeps the result in memory,
 * says why in plain English for staff, and writes it once the disk is back. The counts go on
 * meanwhile, held results included, as long as the file can still be read (a full disk, a
 * lock). A file that is not a tramdo database is never written to.
 */
#ifndef TRAMDO_STORE_H
#define TRAMDO_STORE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct store;

#define STORE_MAX_SINKS	8

/* Upload states as stored. */
#define STORE_PENDING	"pending"
#define STORE_SENT	"sent"
#define STORE_REJECTED	"rejected"

struct store_status {
	bool	 ok;		/* false: staff must look at the disk or the file */
	char	 message[512];	/* English, why not ok; empty when ok */
	size_t	 held;		/* results kept in memory until the database is usable */
};

/* One upload to do: a result for one sink. */
struct store_job {
	char	 id[37];
	char	 sink[16];
	int	 attempts;	/* before this one */
	char	*json;		/* the result as stored */
};

struct store_upload_counts {
	long	pending, sent, rejected;
};

/* Results started in a period, held ones included. */
struct store_counts {
	long	all;
	long	good;		/* figures_good(): measured, no error */
	long	failed;		/* an error other than cancelled */
};

/* One configured sink: its backlog and its last delivery. */
struct store_sink {
	char	name[16];
	long	pending;	/* results waiting for it, held ones included */
	double	last_sent;	/* when it last took a result (epoch s); -1: never */
};

/* Where one result stands with each sink it was queued for, in the order they were queued. */
struct store_uploads {
	int	n;
	struct {
		char	sink[16];
		char	state[12];	/* STORE_PENDING, STORE_SENT or STORE_REJECTED */
	} v[STORE_MAX_SINKS];
};

/*
 * Opens path, creating and migrating it forward; pending uploads of another boot move to this
 * boot's clock, each waiting what its wall-clock time leaves, at most its own backoff. sinks is the comma list of upload sinks each
 * new result is queued for (NULL or "": none). Always returns a store: when the database cannot
 * be used, store_status() says why and results are held in memory.
 */
struct store	*store_open(const char *path, const char *sinks);
/*
 * Opens an existing database for reading only (history, export; root may run them): nothing
 * is created, migrated or written. store_status() says why when it cannot be read. Only the
 * read functions may be used on it.
 */
struct store	*store_open_read(const char *path);
/*
 * How long a statement waits for a lock another process holds (default 5 s, for the command
 * line). The kiosk sets it short: its loop must not freeze, and a result that cannot be written
 * at once is held in memory and retried.
 */
void		 store_set_busy_wait(struct store *st, int ms);
/* Results still held in memory are logged (as JSON lines) so they are not silently lost. */
void		 store_close(struct store *st);
void		 store_status(const struct store *st, struct store_status *out);

/*
 * Commits one result (as codec_json; started_at, trigger, bytes and how it counts are indexed)
 * with a pending upload row per sink. 0: committed; 1: held in memory (store_status says why);
 * -1: r has no UUID id or no valid start time (message in err).
 */
int	 store_put(struct store *st, const struct result *r, char *err, size_t errlen);
/* Tries again to write held results (reopening the database if needed); returns how many remain. */
size_t	 store_flush(struct store *st);

/* The result's stored JSON text (caller frees), or NULL. */
char	*store_get(struct store *st, const char *id);
/*
 * Results started at or after since (epoch s; e.g. local_day_start(), local_month_start()),
 * held ones included. 0, or -1 when the database cannot tell.
 */
int	 store_counts_since(struct store *st, double since, struct store_counts *out);
/* Bytes moved by tests started at or after since, failed and held ones included; -1: unknown. */
long long store_bytes_since(struct store *st, double since);
/* Results with at least one upload still pending (held ones included); -1 when unknown. */
long	 store_waiting(struct store *st);
int	 store_upload_counts(struct store *st, struct store_upload_counts *out);
/* The configured sinks, in their order: how many, or -1 when the database cannot tell. */
int	 store_sinks(struct store *st, struct store_sink out[STORE_MAX_SINKS]);
/* Upload state of one result for one sink: STORE_PENDING/SENT/REJECTED, or NULL (caller frees). */
char	*store_upload_state(struct store *st, const char *id, const char *sink, int *attempts);

/*
 * Results started at or after since, oldest first (or the newest limit ones, newest first when
 * newest_first), decoded; fn returns non-zero to stop. A row that cannot be decoded is logged
 * and skipped. Returns how many fn was given, or -1 on a database error.
 */
typedef int (*store_row_fn)(void *arg, const struct result *r, const struct store_uploads *up);
int	 store_list(struct store *st, double since, int limit, bool newest_first,
	    store_row_fn fn, void *arg);

/*
 * Claims. Every process that uploads (the kiosk, `tramdo run`, `tramdo upload`) shares the
 * queue: an upload is sent only under a claim, taken in one UPDATE, so one process sends it.
 * Times are now_mono() seconds (the boot clock; see store_open for rows from another boot).
 */

/*
 * Pending uploads due at or before not_after (INFINITY: all) that nobody holds, oldest due
 * first, at most max. Caller frees with store_jobs_free.
 */
int	 store_due(struct store *st, double not_after, int max, struct store_job **jobs);
void	 store_jobs_free(struct store_job *jobs, int n);
/*
 * Claims one upload for this process for seconds (long enough for one attempt: a claimant
 * killed meanwhile is taken over when it expires) if it is still pending, due at or before
 * not_after, and free or its claim expired. 1: claimed; 0: not (sent, held or not due); -1: error.
 */
int	 store_claim(struct store *st, const char *id, const char *sink, double not_after,
	    double seconds);
/* The earliest moment an upload may be claimed (boot clock), or -1 when none is pending. */
double	 store_next_due(struct store *st);

/* Ends the claim: sent (whoever claimed), or rejected or retried after wait seconds (only
 * under this process's claim; a claim taken over meanwhile is left to its new holder). */
int	 store_mark_sent(struct store *st, const char *id, const char *sink, double when,
	    const char *remote_id);
int	 store_mark_rejected(struct store *st, const char *id, const char *sink, const char *reason);
int	 store_mark_retry(struct store *st, const char *id, const char *sink, double wait,
	    const char *reason);

/* Loop integration: retries held results every few seconds while the disk is bad. */
int	 store_timeout(void *st);
void	 store_dispatch(void *st, const struct pollfd *fds, int n);

#endif
