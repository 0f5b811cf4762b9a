/* store.c — see store.h. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "codec.h"
#include "log.h"
#include "util.h"

/* "TRMD": marks the file as ours, so a foreign database is never written to. */
#define STORE_APPLICATION_ID	0x54524d44
#define STORE_BUSY_MS		5000
#define STORE_RETRY_MS		5000
/* 10000-01-01T00:00:00Z: a start time must fit the UTC text of design §7. */
#define LAST_UTC_TIME		253402300800.0

/* Schema steps: version N is reached by running steps[0..N-1]; never edit a released step. */
static const char *const schema_steps[] = {
	/* 1: results and their upload state per sink */
	"CREATE TABLE results ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  started_at INTEGER NOT NULL,"	/* epoch seconds, UTC */
	"  trigger TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"		/* download + upload */
	"  stored_at INTEGER NOT NULL,"
	"  json TEXT NOT NULL);"
	"CREATE INDEX results_started_at ON results(started_at, bytes);"
	"CREATE INDEX results_trigger ON results(trigger, started_at);"
	"CREATE TABLE uploads ("
	"  result_id TEXT NOT NULL REFERENCES results(id) ON DELETE CASCADE,"
	"  sink TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sent', 'rejected')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt REAL NOT NULL,"
	"  sent_at INTEGER,"
	"  reason TEXT,"			/* rejection reason, or the last error */
	"  remote_id TEXT,"			/* e.g. LibreSpeed's telemetry id */
	"  PRIMARY KEY (result_id, sink));"
	"CREATE INDEX uploads_due ON uploads(state, next_attempt);",
	/*
	 * 2: how each result counts (outcome(): good, failed, cancelled, incomplete), backfilled
	 * from the stored JSON as codec_parse_json reads it; upload rows found by sink.
	 */
	"ALTER TABLE results ADD COLUMN outcome TEXT NOT NULL DEFAULT 'incomplete'"
	"  CHECK (outcome IN ('good', 'failed', 'cancelled', 'incomplete'));"
	"UPDATE results SET outcome = CASE"
	"  WHEN NOT json_valid(json) THEN 'incomplete'"
	"  WHEN json_type(json, '$.error') = 'object' THEN"
	"    CASE json_extract(json, '$.error.code') WHEN 'cancelled' THEN 'cancelled'"
	"    ELSE 'failed' END"
	"  WHEN json_type(json, '$.download_mbps') IN ('integer', 'real')"
	"    AND json_type(json, '$.upload_mbps') IN ('integer', 'real')"
	"    AND json_extract(json, '$.download_mbps') >= 0"
	"    AND json_extract(json, '$.upload_mbps') >= 0 THEN 'good'"
	"  ELSE 'incomplete' END;"
	"CREATE INDEX results_outcome ON results(started_at, outcome);"
	"CREATE INDEX uploads_sink ON uploads(sink, state, sent_at);",
	/*
	 * 3: claims, and upload times on the boot clock. Several processes (the kiosk, `tramdo
	 * run`, `tramdo upload`) share one queue: a process claims a pending upload (claim_owner,
	 * until claimed_until) before sending it, so each is sent once; a killed claimant's claim
	 * expires. due_at and claimed_until are now_mono() seconds of the boot boot_id, so a
	 * wall-clock step moves neither; next_attempt (wall clock) and retry_wait (the backoff
	 * chosen) carry a wait over a reboot, re-capped at open (rebase_uploads).
	 */
	"ALTER TABLE uploads ADD COLUMN boot_id TEXT;"
	"ALTER TABLE uploads ADD COLUMN due_at REAL;"
	"ALTER TABLE uploads ADD COLUMN retry_wait REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE uploads ADD COLUMN claim_owner TEXT;"
	"ALTER TABLE uploads ADD COLUMN claimed_until REAL;"
	"CREATE INDEX uploads_claimable ON uploads(state, boot_id, due_at);"
	"DROP INDEX uploads_due;",		/* no query orders by next_attempt any more */
};
#define SCHEMA_VERSION ((int)(sizeof schema_steps / sizeof schema_steps[0]))

/* A result as the database gets it: its JSON and what is indexed. */
struct held {
	char		*json;
	char		 id[37];
	char		 trigger[RESULT_TRIGGER_MAX];
	const char	*outcome;
	long		 started_at;
	long long	 bytes;
};

struct store {
	char		*path;
	sqlite3		*db;		/* NULL while the database is unusable */
	bool		 refused;	/* not ours: never retried, never written */
	char		*sinks[STORE_MAX_SINKS];
	int		 nsinks;
	struct held	*held;
	size_t		 nheld;
	double		 next_retry;	/* monotonic */
	int		 busy_ms;	/* how long a statement waits for another process's lock */
	char		 message[512];
	char		 boot[37];	/* this boot's id: the clock of due_at and claimed_until */
	char		 owner[37];	/* this process's claims */
};

static void
set_message(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_message(struct store *st, const char *fmt, ...)
{
	char previous[sizeof st->message];
	va_list ap;

	memcpy(previous, st->message, sizeof previous);
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof st->message, fmt, ap);
	va_end(ap);
	/* A disk that stays bad is logged once, not at every retry. */
	if (strcmp(previous, st->message) != 0)
		log_err("store: %s", st->message);
}

/* SQLite needs to write the file and, in WAL mode, create files beside it (missing is not read-only). */
static bool
writable(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	bool ok;

	if (slash == NULL)
		snprintf(dir, strlen(dir) + 1, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	ok = (access(dir, W_OK) == 0 || errno == ENOENT) &&
	    (access(path, W_OK) == 0 || errno == ENOENT);
	free(dir);
	return ok;
}

/* Plain English for staff: what is wrong with the disk or the file, from SQLite's code. */
static const char *
explain(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_READONLY:
		return "is read-only (check the file and directory permissions, or a read-only filesystem)";
	case SQLITE_FULL:
		return "cannot grow: the disk is full";
	case SQLITE_CORRUPT:
		return "is corrupt; move it aside (tramdo never overwrites it)";
	case SQLITE_NOTADB:
		return "is not an SQLite database; tramdo will not overwrite it";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "is locked by another program";
	case SQLITE_CANTOPEN:
		return "cannot be opened (missing directory or no permission)";
	case SQLITE_IOERR:
		return "cannot be read or written: disk I/O error";
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "is not accessible: permission denied";
	default:
		return "cannot be used";
	}
}

static void
fail(struct store *st, const char *doing, int rc)
{
	int sys = st->db != NULL ? sqlite3_system_errno(st->db) : 0;

	/* "Cannot open" and I/O errors on a read-only filesystem or file: say what staff can fix. */
	if (((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR) && !writable(st->path))
		rc = SQLITE_READONLY;

	set_message(st, "database %s %s (%s: %s%s%s)", st->path, explain(rc), doing,
	    st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc),
	    sys != 0 ? "; " : "", sys != 0 ? strerror(sys) : "");
}

static void
close_db(struct store *st)
{
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	st->db = NULL;
}

static int
exec(struct store *st, const char *sql, const char *doing)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		fail(st, doing, rc);
	return rc;
}

/* One integer from a query without parameters (a PRAGMA); rc in *rc. */
static long long
query_int(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *s;
	long long v = 0;

	*rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (*rc != SQLITE_OK)
		return 0;
	*rc = sqlite3_step(s);
	if (*rc == SQLITE_ROW) {
		v = sqlite3_column_int64(s, 0);
		*rc = SQLITE_OK;
	} else if (*rc == SQLITE_DONE)
		*rc = SQLITE_OK;
	sqlite3_finalize(s);
	return v;
}

/*
 * Ours, or empty and free to claim? Anything else — another program's database, a newer
 * tramdo's schema, a file that is not SQLite — is refused for good.
 */
static int
check_identity(struct store *st)
{
	long long app, version, objects;
	int rc;

	app = query_int(st->db, "PRAGMA application_id", &rc);
	if (rc == SQLITE_OK)
		version = query_int(st->db, "PRAGMA user_version", &rc);
	if (rc == SQLITE_OK)
		objects = query_int(st->db, "SELECT count(*) FROM sqlite_master", &rc);
	if (rc != SQLITE_OK) {
		fail(st, "reading its header", rc);
		if ((rc & 0xff) == SQLITE_NOTADB)
			st->refused = true;
		return -1;
	}
	if (app == 0 && version == 0 && objects == 0)
		return 0;
	if (app != STORE_APPLICATION_ID) {
		st->refused = true;
		set_message(st, "%s is not a tramdo database (application_id 0x%llx, %lld "
		    "schema objects); refusing to touch it: set [storage] path to another file",
		    st->path, (unsigned long long)app, objects);
		return -1;
	}
	if (version > SCHEMA_VERSION) {
		st->refused = true;
		set_message(st, "%s has schema version %lld, newer than this tramdo knows (%d); "
		    "refusing to touch it: upgrade tramdo", st->path, version, SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

/* Runs the missing schema steps in one transaction; the version is re-read under the lock. */
static int
migrate(struct store *st)
{
	long long version;
	char sql[128];
	int rc;

	if (exec(st, "BEGIN IMMEDIATE", "starting the schema update") != SQLITE_OK)
		return -1;
	if (check_identity(st) != 0)
		goto rollback;
	version = query_int(st->db, "PRAGMA user_version", &rc);
	if (rc != SQLITE_OK) {
		fail(st, "reading the schema version", rc);
		goto rollback;
	}
	for (long long v = version; v < SCHEMA_VERSION; v++) {
		if (exec(st, schema_steps[v], "updating the schema") != SQLITE_OK)
			goto rollback;
		log_info("store: %s: schema version %lld -> %lld", st->path, v, v + 1);
	}
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
	    STORE_APPLICATION_ID, SCHEMA_VERSION);
	if (exec(st, sql, "marking the schema") != SQLITE_OK ||
	    exec(st, "COMMIT", "committing the schema") != SQLITE_OK)
		goto rollback;
	return 0;
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * WAL needs the file to itself for a moment. When another connection holds the write lock and
 * waits for ours to go, SQLite answers SQLITE_BUSY at once rather than deadlock (the busy
 * handler is not called): our lock goes with the statement, so ask again until busy_ms passed.
 */
static int
use_wal(struct store *st)
{
	double until = now_mono() + st->busy_ms / 1000.0;
	int rc;

	for (;;) {
		rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY || now_mono() >= until)
			break;
		sqlite3_sleep(10);
	}
	if (rc != SQLITE_OK)
		fail(st, "switching to WAL", rc);
	return rc;
}

/*
 * A missing database is created here, 0600 whatever the umask: SQLite would create it 0644
 * less the umask, and it gives the -wal, -shm and -journal files the database's own mode, so
 * all four stay private. Results hold the station's position and public IP, and no group
 * reader is intended: history, export and upload run as the tramdo user. An existing file's
 * mode is left as staff set it. A symbolic link to nowhere is refused: SQLite would follow it
 * and create the database wherever it points. Other problems are left to SQLite to report.
 */
static int
create_private(struct store *st)
{
	struct stat sb;
	int fd;

	fd = open_new_private(st->path, O_RDWR | O_NOFOLLOW);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST && lstat(st->path, &sb) == 0 && S_ISLNK(sb.st_mode) &&
	    stat(st->path, &sb) != 0 && errno == ENOENT) {
		set_message(st, "database %s is a symbolic link to a file that does not exist; "
		    "refusing to create the database there: remove the link or fix where it points",
		    st->path);
		return -1;
	}
	return 0;
}

static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * The parameters bind_clocks() gives a statement, numbered past every other one: SQLite
 * numbers a named parameter after those already seen, so ":now" before "?1" would be ?1.
 */
#define P_BOOT	"?11"	/* this boot's id */
#define P_OWNER	"?12"	/* this process's claims */
#define P_NOW	"?13"	/* now_mono(), the boot clock */
#define P_WALL	"?14"	/* now_wall() */

/* Binds whichever of P_BOOT, P_OWNER, P_NOW and P_WALL s has room for (unused ones are NULL). */
static void
bind_clocks(const struct store *st, sqlite3_stmt *s)
{
	int n = sqlite3_bind_parameter_count(s);

	if (n >= 11)
		sqlite3_bind_text(s, 11, st->boot, -1, SQLITE_STATIC);
	if (n >= 12)
		sqlite3_bind_text(s, 12, st->owner, -1, SQLITE_STATIC);
	if (n >= 13)
		sqlite3_bind_double(s, 13, now_mono());
	if (n >= 14)
		sqlite3_bind_double(s, 14, now_wall());
}

/*
 * Pending uploads of another boot (or from before schema 3) onto this boot's clock: the wait
 * their wall-clock time leaves, capped at their own backoff, so a clock set back or forward
 * while the PC was off (no RTC battery) delays no retry beyond it. Their claims died with
 * that boot. Rows of this boot are left alone: every process may run this at once.
 */
static int
rebase_uploads(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "UPDATE uploads SET boot_id = " P_BOOT ", "
	    "due_at = " P_NOW " + max(0, min(next_attempt - " P_WALL ", retry_wait)), "
	    "claim_owner = NULL, claimed_until = NULL "
	    "WHERE state = 'pending' AND boot_id IS NOT " P_BOOT, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		bind_clocks(st, s);
		rc = step_done(s);
	}
	if (rc != SQLITE_OK)
		fail(st, "moving upload times to this boot's clock", rc);
	return rc;
}

static int
open_db(struct store *st)
{
	int rc;

	close_db(st);
	if (create_private(st) != 0)
		return -1;
	rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		fail(st, "opening", rc);
		goto bad;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	/*
	 * The header and sqlite_master from one snapshot: read one by one, another process
	 * creating the schema between the reads made a new database look like someone else's
	 * (application_id still 0, tables already there), refused for good.
	 */
	if (exec(st, "BEGIN", "reading its header") != SQLITE_OK)
		goto bad;
	rc = check_identity(st);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != 0)
		goto bad;
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		fail(st, "opening for writing", SQLITE_READONLY);
		goto bad;
	}
	if (migrate(st) != 0)
		goto bad;
	/* WAL: readers never block the writer; FULL: a commit survives a power cut. */
	if (use_wal(st) != SQLITE_OK ||
	    exec(st, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
	    "setting durability") != SQLITE_OK || rebase_uploads(st) != SQLITE_OK)
		goto bad;
	st->message[0] = '\0';
	return 0;
bad:
	close_db(st);
	return -1;
}

static void
parse_sinks(struct store *st, const char *sinks)
{
	char *copy, *tok, *save = NULL;

	if (sinks == NULL)
		return;
	copy = xstrdup(sinks);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && st->nsinks < STORE_MAX_SINKS;
	    tok = strtok_r(NULL, ", \t", &save))
		st->sinks[st->nsinks++] = xstrdup(tok);
	free(copy);
}

struct store *
store_open(const char *path, const char *sinks)
{
	struct store *st = xcalloc(1, sizeof *st);

	st->path = xstrdup(path);
	st->busy_ms = STORE_BUSY_MS;
	parse_sinks(st, sinks);
	/* Without /proc this process's clock is its own: others take its rows over by rebasing. */
	if (boot_id(st->boot) != 0) {
		log_warn("store: cannot read this boot's id; upload times are this process's own");
		if (uuid_v4(st->boot) != 0)
			snprintf(st->boot, sizeof st->boot, "pid %d", (int)getpid());
	}
	/* Claims must tell processes apart: a random id, else the PID (unique while it lives). */
	if (uuid_v4(st->owner) != 0)
		snprintf(st->owner, sizeof st->owner, "pid %d", (int)getpid());
	if (open_db(st) != 0)
		st->next_retry = now_mono() + STORE_RETRY_MS / 1000.0;
	return st;
}

struct store *
store_open_read(const char *path)
{
	struct store *st = xcalloc(1, sizeof *st);
	int rc;

	st->path = xstrdup(path);
	st->busy_ms = STORE_BUSY_MS;
	/* Never written, so never reopened for writing either (store_flush, store_close). */
	st->refused = true;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		fail(st, "opening for reading", rc);
		close_db(st);
		return st;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	if (exec(st, "BEGIN", "reading its header") != SQLITE_OK)
		close_db(st);
	else {
		rc = check_identity(st);
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
		if (rc != 0)
			close_db(st);
	}
	return st;
}

void
store_set_busy_wait(struct store *st, int ms)
{
	st->busy_ms = ms;
	if (st->db != NULL)
		sqlite3_busy_timeout(st->db, ms);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_flush(st);
	for (size_t i = 0; i < st->nheld; i++) {
		log_err("store: result %s was never written to %s; its JSON follows",
		    st->held[i].id, st->path);
		log_result(st->held[i].json);
		free(st->held[i].json);
	}
	free(st->held);
	for (int i = 0; i < st->nsinks; i++)
		free(st->sinks[i]);
	close_db(st);
	free(st->path);
	free(st);
}

void
store_status(const struct store *st, struct store_status *out)
{
	out->ok = st->db != NULL && st->nheld == 0;
	snprintf(out->message, sizeof out->message, "%s", st->db != NULL && st->nheld == 0 ?
	    "" : st->message);
	out->held = st->nheld;
}

/* How a result counts; schema step 2 says the same of the JSON stored before it. */
static const char *
outcome(const struct test_figures *f)
{
	if (figures_good(f))
		return "good";
	if (f->error == MERR_CANCELLED)
		return "cancelled";
	return f->error != MERR_NONE ? "failed" : "incomplete";
}

/* The row for r, or -1 with a reason. Bytes are all a test moved, a failed one's too (budget). */
static int
held_from(const struct result *r, struct held *h, char *err, size_t errlen)
{
	uint64_t bytes = r->fig.download_bytes + r->fig.upload_bytes;

	memset(h, 0, sizeof *h);
	if (!uuid_shaped(r->id)) {
		snprintf(err, errlen, "result has no UUID id");
		return -1;
	}
	if (!(r->started_at >= 0 && r->started_at < LAST_UTC_TIME)) {
		snprintf(err, errlen, "result %s has no valid start time", r->id);
		return -1;
	}
	memcpy(h->id, r->id, sizeof h->id);
	snprintf(h->trigger, sizeof h->trigger, "%s", r->trigger);
	h->outcome = outcome(&r->fig);
	h->started_at = (long)floor(r->started_at);
	h->bytes = bytes < (uint64_t)LLONG_MAX ? (long long)bytes : LLONG_MAX;
	h->json = codec_json(r);
	return 0;
}

/* Inserts one result and its pending uploads; an id already stored is left as it is. */
static int
insert(struct store *st, const struct held *h)
{
	sqlite3_stmt *s;
	double now = now_wall();
	int rc;

	rc = sqlite3_prepare_v2(st->db, "INSERT INTO results (id, started_at, trigger, bytes, "
	    "stored_at, json, outcome) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s, 1, h->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, h->started_at);
	sqlite3_bind_text(s, 3, h->trigger, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, h->bytes);
	sqlite3_bind_int64(s, 5, (long long)now);
	sqlite3_bind_text(s, 6, h->json, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, h->outcome, -1, SQLITE_STATIC);
	if ((rc = step_done(s)) != SQLITE_OK)
		return rc;
	for (int i = 0; i < st->nsinks; i++) {
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO uploads (result_id, sink, next_attempt, "
		    "boot_id, due_at) VALUES (?, ?, ?, " P_BOOT ", " P_NOW ") ON CONFLICT DO NOTHING",
		    -1, &s, NULL);
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_text(s, 1, h->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, st->sinks[i], -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 3, now);
		bind_clocks(st, s);
		if ((rc = step_done(s)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Writes one result in its own transaction; on failure the database is closed for a reopen. */
static int
write_one(struct store *st, const struct held *h)
{
	int rc;

	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = insert(st, h);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		log_info("store: result %s committed to %s", h->id, st->path);
		return 0;
	}
	fail(st, "storing a result", rc);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	close_db(st);
	st->next_retry = now_mono() + STORE_RETRY_MS / 1000.0;
	return -1;
}

size_t
store_flush(struct store *st)
{
	size_t done = 0;

	if (st->db == NULL && !st->refused && open_db(st) != 0)
		st->next_retry = now_mono() + STORE_RETRY_MS / 1000.0;
	while (st->db != NULL && done < st->nheld && write_one(st, &st->held[done]) == 0) {
		free(st->held[done].json);
		done++;
	}
	if (done > 0) {
		memmove(st->held, st->held + done, (st->nheld - done) * sizeof *st->held);
		st->nheld -= done;
	}
	return st->nheld;
}

int
store_put(struct store *st, const struct result *r, char *err, size_t errlen)
{
	struct held h;

	if (held_from(r, &h, err, errlen) != 0)
		return -1;
	/* Older held results go first, so the database keeps the order they were taken in. */
	if (st->nheld == 0 && st->db != NULL && write_one(st, &h) == 0) {
		free(h.json);
		return 0;
	}
	st->held = xrealloc(st->held, (st->nheld + 1) * sizeof *st->held);
	st->held[st->nheld++] = h;
	if (store_flush(st) == 0)
		return 0;
	snprintf(err, errlen, "%s", st->message);
	log_warn("store: holding %zu result(s) in memory until the database is usable",
	    st->nheld);
	return 1;
}

/* Prepares sql, or notes the failure; statements are short-lived and finalized by the caller. */
static sqlite3_stmt *
prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int rc;

	if (st->db == NULL)
		return NULL;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		fail(st, "querying", rc);
		return NULL;
	}
	return s;
}

char *
store_get(struct store *st, const char *id)
{
	sqlite3_stmt *s = prepare(st, "SELECT json FROM results WHERE id = ?");
	char *json = NULL;

	if (s == NULL)
		return NULL;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		json = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return json;
}

/*
 * While results are held the store's own connection is closed (writing failed), yet a full,
 * read-only or locked disk can usually still be read: counts borrow a read-only connection to
 * a file that is ours and up to date, so they go on while the disk is bad.
 */
static sqlite3 *
open_reader(struct store *st)
{
	sqlite3 *db = NULL;
	long long app = 0, version = 0;
	int rc;

	if (st->refused)
		return NULL;
	rc = sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, st->busy_ms);
		app = query_int(db, "PRAGMA application_id", &rc);
	}
	if (rc == SQLITE_OK)
		version = query_int(db, "PRAGMA user_version", &rc);
	if (rc != SQLITE_OK || app != STORE_APPLICATION_ID || version != SCHEMA_VERSION) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* A statement that only reads, on the store's connection or a borrowed one; see done_reading. */
static sqlite3_stmt *
prepare_read(struct store *st, const char *sql)
{
	sqlite3 *db = st->db != NULL ? st->db : open_reader(st);
	sqlite3_stmt *s;
	int rc;

	if (db == NULL)
		return NULL;
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) == SQLITE_OK)
		return s;
	if (db == st->db)
		fail(st, "querying", rc);
	else
		sqlite3_close(db);
	return NULL;
}

static void
done_reading(struct store *st, sqlite3_stmt *s)
{
	sqlite3 *db = sqlite3_db_handle(s);

	sqlite3_finalize(s);
	if (db != st->db)
		sqlite3_close(db);
}

/* A single number from sql with at most one double parameter; -1 on error. */
static long long
scalar(struct store *st, const char *sql, double arg)
{
	sqlite3_stmt *s = prepare_read(st, sql);
	long long v = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_double(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	done_reading(st, s);
	return v;
}

int
store_counts_since(struct store *st, double since, struct store_counts *out)
{
	sqlite3_stmt *s = prepare_read(st, "SELECT count(*), "
	    "count(*) FILTER (WHERE outcome = 'good'), count(*) FILTER (WHERE outcome = 'failed') "
	    "FROM results WHERE started_at >= ?");
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	sqlite3_bind_double(s, 1, floor(since));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->all = (long)sqlite3_column_int64(s, 0);
		out->good = (long)sqlite3_column_int64(s, 1);
		out->failed = (long)sqlite3_column_int64(s, 2);
	}
	done_reading(st, s);
	if (rc != SQLITE_ROW)
		return -1;
	for (size_t i = 0; i < st->nheld; i++) {
		if ((double)st->held[i].started_at < floor(since))
			continue;
		out->all++;
		out->good += strcmp(st->held[i].outcome, "good") == 0;
		out->failed += strcmp(st->held[i].outcome, "failed") == 0;
	}
	return 0;
}

long long
store_bytes_since(struct store *st, double since)
{
	long long n = scalar(st, "SELECT coalesce(sum(bytes), 0) FROM results "
	    "WHERE started_at >= ?", floor(since));

	if (n < 0)
		return -1;
	for (size_t i = 0; i < st->nheld; i++)
		if ((double)st->held[i].started_at >= floor(since))
			n += st->held[i].bytes;
	return n;
}

long
store_waiting(struct store *st)
{
	long long n = scalar(st, "SELECT count(DISTINCT result_id) FROM uploads "
	    "WHERE state = 'pending'", 0);

	if (n < 0)
		return -1;
	return (long)n + (st->nsinks > 0 ? (long)st->nheld : 0);
}

int
store_upload_counts(struct store *st, struct store_upload_counts *out)
{
	sqlite3_stmt *s = prepare(st, "SELECT state, count(*) FROM uploads GROUP BY state");

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 0);
		long n = (long)sqlite3_column_int64(s, 1);

		if (strcmp(state, STORE_PENDING) == 0)
			out->pending = n;
		else if (strcmp(state, STORE_SENT) == 0)
			out->sent = n;
		else if (strcmp(state, STORE_REJECTED) == 0)
			out->rejected = n;
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_sinks(struct store *st, struct store_sink out[STORE_MAX_SINKS])
{
	sqlite3_stmt *s = prepare_read(st, "SELECT count(*) FILTER (WHERE state = 'pending'), "
	    "max(sent_at) FROM uploads WHERE sink = ?");
	int rc = SQLITE_ROW;

	if (s == NULL)
		return -1;
	for (int i = 0; i < st->nsinks && rc == SQLITE_ROW; i++) {
		snprintf(out[i].name, sizeof out[i].name, "%s", st->sinks[i]);
		sqlite3_bind_text(s, 1, st->sinks[i], -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			out[i].pending = (long)sqlite3_column_int64(s, 0) + (long)st->nheld;
			out[i].last_sent = sqlite3_column_type(s, 1) == SQLITE_NULL ? -1 :
			    sqlite3_column_double(s, 1);
		}
		sqlite3_reset(s);
	}
	done_reading(st, s);
	return rc == SQLITE_ROW ? st->nsinks : -1;
}

char *
store_upload_state(struct store *st, const char *id, const char *sink, int *attempts)
{
	sqlite3_stmt *s = prepare(st, "SELECT state, attempts FROM uploads "
	    "WHERE result_id = ? AND sink = ?");
	char *state = NULL;

	if (s == NULL)
		return NULL;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, sink, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		state = xstrdup((const char *)sqlite3_column_text(s, 0));
		if (attempts != NULL)
			*attempts = sqlite3_column_int(s, 1);
	}
	sqlite3_finalize(s);
	return state;
}

/* The upload rows of one result, in the order they were queued. */
static int
uploads_of(sqlite3_stmt *s, const char *id, struct store_uploads *up)
{
	int rc;

	up->n = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && up->n < STORE_MAX_SINKS) {
		snprintf(up->v[up->n].sink, sizeof up->v[up->n].sink, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		snprintf(up->v[up->n].state, sizeof up->v[up->n].state, "%s",
		    (const char *)sqlite3_column_text(s, 1));
		up->n++;
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
store_list(struct store *st, double since, int limit, bool newest_first, store_row_fn fn,
    void *arg)
{
	sqlite3_stmt *s = prepare(st, newest_first ?
	    "SELECT id, json FROM results WHERE started_at >= ? "
	    "ORDER BY started_at DESC, rowid DESC LIMIT ?" :
	    "SELECT id, json FROM results WHERE started_at >= ? ORDER BY started_at, rowid LIMIT ?");
	sqlite3_stmt *u = prepare(st, "SELECT sink, state FROM uploads WHERE result_id = ? "
	    "ORDER BY rowid");
	struct store_uploads up;
	struct result r;
	char err[256];
	int n = 0, rc = SQLITE_DONE;

	if (s == NULL || u == NULL) {
		sqlite3_finalize(s);
		sqlite3_finalize(u);
		return -1;
	}
	sqlite3_bind_int64(s, 1, (long long)floor(since));
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		const char *json = (const char *)sqlite3_column_text(s, 1);
		int stop;

		if (id == NULL || json == NULL)		/* NOT NULL columns: a damaged file */
			continue;
		if (codec_parse_json(json, (size_t)sqlite3_column_bytes(s, 1), &r, err,
		    sizeof err) != 0) {
			log_warn("store: result %s in %s cannot be read (%s); skipped", id,
			    st->path, err);
			result_free(&r);
			continue;
		}
		if ((rc = uploads_of(u, id, &up)) != SQLITE_OK)
			break;
		stop = fn(arg, &r, &up);
		result_free(&r);
		n++;
		if (stop != 0)
			break;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && rc != SQLITE_OK) {
		fail(st, "listing results", rc);
		return -1;
	}
	return n;
}

/* Pending, on this boot's clock, due by ?1, and claimed by nobody (or the claim expired). */
#define CLAIMABLE "state = 'pending' AND boot_id = " P_BOOT " AND due_at <= ?1 " \
	"AND (claim_owner IS NULL OR claimed_until <= " P_NOW ")"

int
store_due(struct store *st, double not_after, int max, struct store_job **jobs)
{
	sqlite3_stmt *s = prepare(st, "SELECT u.result_id, u.sink, u.attempts, r.json "
	    "FROM uploads u JOIN results r ON r.id = u.result_id "
	    "WHERE " CLAIMABLE " ORDER BY u.due_at, r.started_at LIMIT ?2");
	int n = 0;

	*jobs = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_double(s, 1, not_after);
	sqlite3_bind_int(s, 2, max);
	bind_clocks(st, s);
	while (n < max && sqlite3_step(s) == SQLITE_ROW) {
		struct store_job *j;

		if ((n & (n - 1)) == 0)		/* grow at powers of two */
			*jobs = xrealloc(*jobs, (size_t)(n == 0 ? 1 : 2 * n) * sizeof **jobs);
		j = &(*jobs)[n++];
		memset(j, 0, sizeof *j);

		snprintf(j->id, sizeof j->id, "%s", (const char *)sqlite3_column_text(s, 0));
		snprintf(j->sink, sizeof j->sink, "%s", (const char *)sqlite3_column_text(s, 1));
		j->attempts = sqlite3_column_int(s, 2);
		j->json = xstrdup((const char *)sqlite3_column_text(s, 3));
	}
	sqlite3_finalize(s);
	return n;
}

void
store_jobs_free(struct store_job *jobs, int n)
{
	for (int i = 0; i < n; i++)
		free(jobs[i].json);
	free(jobs);
}

double
store_next_due(struct store *st)
{
	/* An upload another process holds is due again when its claim expires. */
	sqlite3_stmt *s = prepare(st, "SELECT min(max(due_at, coalesce(claimed_until, due_at))) "
	    "FROM uploads WHERE state = 'pending' AND boot_id = " P_BOOT);
	double t = -1;

	if (s == NULL)
		return -1;
	bind_clocks(st, s);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		t = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return t;
}

/* One upload row update, committed on its own (autocommit, synchronous=FULL). */
static int
update(struct store *st, const char *sql, const char *id, const char *sink, double t,
    const char *text)
{
	sqlite3_stmt *s = prepare(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_double(s, 1, t);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sink, -1, SQLITE_STATIC);
	bind_clocks(st, s);
	rc = step_done(s);
	if (rc != SQLITE_OK) {
		fail(st, "recording an upload", rc);
		return -1;
	}
	return 0;
}

int
store_claim(struct store *st, const char *id, const char *sink, double not_after,
    double seconds)
{
	/* One statement: SQLite's write lock makes the test and the set one step for all processes. */
	sqlite3_stmt *s = prepare(st, "UPDATE uploads SET claim_owner = " P_OWNER ", "
	    "claimed_until = " P_NOW " + ?2 WHERE result_id = ?3 AND sink = ?4 AND " CLAIMABLE);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_double(s, 1, not_after);
	sqlite3_bind_double(s, 2, seconds);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sink, -1, SQLITE_STATIC);
	bind_clocks(st, s);
	rc = step_done(s);
	if (rc != SQLITE_OK) {
		fail(st, "claiming an upload", rc);
		return -1;
	}
	return sqlite3_changes(st->db) > 0;
}

/* Delivered is delivered: recorded whoever holds the claim now (a claim that expired mid-send). */
int
store_mark_sent(struct store *st, const char *id, const char *sink, double when,
    const char *remote_id)
{
	return update(st, "UPDATE uploads SET state = 'sent', attempts = attempts + 1, "
	    "sent_at = ?1, remote_id = ?2, reason = NULL, claim_owner = NULL, "
	    "claimed_until = NULL WHERE result_id = ?3 AND sink = ?4",
	    id, sink, floor(when), remote_id);
}

/* A rejection or a retry is recorded only under this process's claim: another may have taken it over. */
int
store_mark_rejected(struct store *st, const char *id, const char *sink, const char *reason)
{
	return update(st, "UPDATE uploads SET state = 'rejected', attempts = attempts + 1, "
	    "next_attempt = ?1, reason = ?2, claim_owner = NULL, claimed_until = NULL "
	    "WHERE result_id = ?3 AND sink = ?4 AND state = 'pending' AND claim_owner = " P_OWNER,
	    id, sink, now_wall(), reason);
}

int
store_mark_retry(struct store *st, const char *id, const char *sink, double wait,
    const char *reason)
{
	return update(st, "UPDATE uploads SET attempts = attempts + 1, "
	    "next_attempt = " P_WALL " + ?1, due_at = " P_NOW " + ?1, retry_wait = ?1, reason = ?2, "
	    "claim_owner = NULL, claimed_until = NULL "
	    "WHERE result_id = ?3 AND sink = ?4 AND state = 'pending' AND claim_owner = " P_OWNER,
	    id, sink, wait, reason);
}

int
store_timeout(void *arg)
{
	struct store *st = arg;

	if (st->nheld == 0 || st->refused)
		return -1;
	return deadline_ms(st->next_retry, now_mono());
}

void
store_dispatch(void *arg, const struct pollfd *fds, int n)
{
	struct store *st = arg;

	(void)fds;
	(void)n;
	if (st->nheld > 0 && !st->refused && now_mono() >= st->next_retry)
		store_flush(st);
}
