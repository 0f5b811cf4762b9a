/*
 * test_store.c — the results database: schema, migration from version 1, insert/get, upload
 * states, the kiosk's counts (today, this month, per sink), bad disks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "codec.h"
#include "store.h"
#include "util.h"

/* All results since local midnight, as the kiosk's count asks; -1 when the store cannot tell. */
static long
today_all(struct store *st)
{
	struct store_counts c;

	return store_counts_since(st, local_day_start(now_wall()), &c) == 0 ? c.all : -1;
}

static char dir[] = "/tmp/tramdo-test-store.XXXXXX";

static char *
db_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* A complete measurement started at t (epoch s), or one that ended with error. */
static void
make_at(struct result *r, double t, enum test_error error)
{
	result_clear(r);
	assert_int_equal(uuid_v4(r->id), 0);
	r->started_at = t;
	snprintf(r->trigger, sizeof r->trigger, "citizen");
	r->station.id = xstrdup("TH-TS-01");
	r->station.name = xstrdup("Nhà văn hoá xã Tân Sơn");
	r->fig.server_url = xstrdup("http://10.0.0.2/");
	r->fig.latency_median_ms = 4.2;
	r->fig.download_bytes = 1000000;
	r->fig.upload_bytes = 500000;
	r->fig.error = error;
	if (error == MERR_NONE) {
		r->fig.download_mbps = 94.5;
		r->fig.upload_mbps = 41.2;
	} else
		snprintf(r->fig.message, sizeof r->fig.message, "%s", test_error_name(error));
}

/* A complete measurement started at a UTC time ("…Z"). */
static void
make_result(struct result *r, const char *started_at)
{
	double t;

	assert_true(utc_parse(started_at, &t));
	make_at(r, t, MERR_NONE);
}

static void
put(struct store *st, const struct result *r, int want)
{
	char err[512] = "";
	int rc = store_put(st, r, err, sizeof err);

	if (rc != want)
		fail_msg("store_put: %d (%s), expected %d", rc, err, want);
}

/* A result started at t, committed. */
static void
put_at(struct store *st, double t, enum test_error error)
{
	struct result r;

	make_at(&r, t, error);
	put(st, &r, 0);
	result_free(&r);
}

static long
count_all(struct store *st, double since)
{
	struct store_counts c;

	return store_counts_since(st, since, &c) == 0 ? c.all : -1;
}

static long long
pragma(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
test_schema_created_and_marked(void **state)
{
	char *path = db_path("schema.db");
	struct store *st = store_open(path, "json,influx");
	struct store_status ss;
	sqlite3 *db;
	sqlite3_stmt *s;
	char jm[16] = "";

	(void)state;
	store_status(st, &ss);
	assert_true(ss.ok);
	store_close(st);
	assert_int_equal(pragma(path, "PRAGMA application_id"), 0x54524d44);
	assert_int_equal(pragma(path, "PRAGMA user_version"), 3);
	assert_int_equal(pragma(path, "SELECT count(*) FROM sqlite_master WHERE name = 'uploads'"), 1);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(jm, sizeof jm, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_string_equal(jm, "wal");
	free(path);
}

static void
test_insert_get_and_reopen(void **state)
{
	char *path = db_path("insert.db"), err[256], *json, *want;
	struct store *st = store_open(path, "json");
	struct result r, back;

	(void)state;
	make_result(&r, "2026-11-25T03:04:05Z");
	put(st, &r, 0);
	/* The same id again is not a second result. */
	put(st, &r, 0);
	store_close(st);

	st = store_open(path, "json");
	json = store_get(st, r.id);
	assert_non_null(json);
	/* Stored as codec_json writes it ("/" unescaped), and it reads back. */
	want = codec_json(&r);
	assert_string_equal(json, want);
	assert_int_equal(codec_parse_json(json, strlen(json), &back, err, sizeof err), 0);
	assert_true(back.fig.download_mbps == 94.5);
	assert_string_equal(back.station.name, "Nhà văn hoá xã Tân Sơn");
	assert_int_equal(count_all(st, 0), 1);
	assert_int_equal(count_all(st, 1795575845.0 + 1), 0);
	assert_int_equal(store_bytes_since(st, 0), 1500000);
	assert_int_equal(store_waiting(st), 1);
	assert_null(store_get(st, "00000000-0000-4000-8000-000000000000"));
	assert_int_equal(pragma(path, "SELECT count(*) FROM results WHERE trigger = 'citizen' "
	    "AND outcome = 'good' AND started_at = 1795575845"), 1);
	result_free(&back);
	result_free(&r);
	free(want);
	free(json);
	store_close(st);
	free(path);
}

static void
test_malformed_result_refused(void **state)
{
	char *path = db_path("malformed.db"), err[256] = "";
	struct store *st = store_open(path, NULL);
	struct result r;

	(void)state;
	make_result(&r, "2026-11-25T03:04:05Z");
	snprintf(r.id, sizeof r.id, "short");
	assert_int_equal(store_put(st, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "id"));
	result_free(&r);
	make_result(&r, "2026-11-25T03:04:05Z");
	r.started_at = NAN;
	err[0] = '\0';
	assert_int_equal(store_put(st, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "start time"));
	assert_int_equal(count_all(st, 0), 0);
	result_free(&r);
	store_close(st);
	free(path);
}

static void
test_upload_transitions(void **state)
{
	char *path = db_path("uploads.db"), *s;
	struct store *st = store_open(path, "json, librespeed");
	struct store_job *jobs;
	struct store_upload_counts c;
	struct result r1, r2;
	const char *id1 = r1.id, *id2 = r2.id;
	int n, attempts = -1;
	double now = now_mono();

	(void)state;
	make_result(&r1, "2026-11-25T03:04:05Z");
	make_result(&r2, "2026-11-25T03:10:00Z");
	put(st, &r1, 0);
	put(st, &r2, 0);
	n = store_due(st, now + 1, 10, &jobs);
	assert_int_equal(n, 4);
	assert_string_equal(jobs[0].id, id1);
	assert_non_null(strstr(jobs[0].json, id1));
	store_jobs_free(jobs, n);

	assert_int_equal(store_mark_sent(st, id1, "json", now_wall(), NULL), 0);
	assert_int_equal(store_claim(st, id1, "librespeed", now + 1, 60), 1);
	assert_int_equal(store_mark_rejected(st, id1, "librespeed", "HTTP 400: bad form"), 0);
	assert_int_equal(store_claim(st, id2, "json", now + 1, 60), 1);
	assert_int_equal(store_mark_retry(st, id2, "json", 60, "HTTP 503"), 0);
	/* A retry never revives a finished upload. */
	assert_int_equal(store_mark_retry(st, id1, "json", 60, "late"), 0);

	s = store_upload_state(st, id1, "json", &attempts);
	assert_string_equal(s, STORE_SENT);
	assert_int_equal(attempts, 1);
	free(s);
	s = store_upload_state(st, id1, "librespeed", NULL);
	assert_string_equal(s, STORE_REJECTED);
	free(s);
	s = store_upload_state(st, id2, "json", &attempts);
	assert_string_equal(s, STORE_PENDING);
	assert_int_equal(attempts, 1);
	free(s);

	/* Only id2/librespeed is due now; id2/json waits for its backoff. */
	n = store_due(st, now + 1, 10, &jobs);
	assert_int_equal(n, 1);
	assert_string_equal(jobs[0].sink, "librespeed");
	store_jobs_free(jobs, n);
	assert_int_equal(store_due(st, now + 61, 10, &jobs), 2);
	store_jobs_free(jobs, 2);
	assert_float_equal(store_next_due(st), now, 1.0);

	assert_int_equal(store_upload_counts(st, &c), 0);
	assert_int_equal(c.pending, 2);
	assert_int_equal(c.sent, 1);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(store_waiting(st), 1);
	result_free(&r1);
	result_free(&r2);
	store_close(st);
	free(path);
}

/* What store_list gave, in order: start times and upload states. */
struct seen {
	int	n;
	double	started[8];
	char	uploads[8][64];
};

static int
see_row(void *arg, const struct result *r, const struct store_uploads *up)
{
	struct seen *seen = arg;
	char *u = seen->uploads[seen->n];

	assert_true(seen->n < 8);
	assert_true(r->fig.download_mbps == 94.5);	/* decoded */
	seen->started[seen->n] = r->started_at;
	u[0] = '\0';
	for (int i = 0; i < up->n; i++)
		snprintf(u + strlen(u), 64 - strlen(u), "%s%s:%s", i > 0 ? " " : "", up->v[i].sink,
		    up->v[i].state);
	seen->n++;
	return 0;
}

static void
test_list_order_and_limit(void **state)
{
	char *path = db_path("list.db");
	const char *times[] = { "2026-11-24T10:00:00Z", "2026-11-25T01:00:00Z", "2026-11-25T02:00:00Z" };
	struct store *st = store_open(path, "influx, json");
	struct seen seen = { 0 };
	struct result r;
	double since;

	(void)state;
	for (int i = 0; i < 3; i++) {
		make_result(&r, times[i]);
		put(st, &r, 0);
		if (i == 1)
			assert_int_equal(store_mark_sent(st, r.id, "json", now_wall(), NULL), 0);
		result_free(&r);
	}
	assert_true(utc_parse("2026-11-25T00:00:00Z", &since));
	assert_int_equal(store_list(st, since, 0, false, see_row, &seen), 2);
	assert_int_equal(seen.n, 2);
	assert_float_equal(seen.started[0], since + 3600, 0);	/* oldest first */
	assert_float_equal(seen.started[1], since + 7200, 0);
	/* Upload states in the order the sinks were queued (the order of [upload] format). */
	assert_string_equal(seen.uploads[0], "influx:pending json:sent");
	assert_string_equal(seen.uploads[1], "influx:pending json:pending");
	seen.n = 0;
	assert_int_equal(store_list(st, 0, 1, true, see_row, &seen), 1);
	assert_float_equal(seen.started[0], since + 7200, 0);	/* the newest */
	assert_int_equal(count_all(st, since), 2);
	store_close(st);
	free(path);
}

/* How schema step 2 must count the rows of tests/fixtures/store/v1.sql. */
static const struct {
	const char	*id, *outcome;
} v1_rows[] = {
	{ "da886ba9-9aa4-43bd-b687-ea3a6afdab5f", "good" },
	{ "7c62114b-75d1-46f8-86b4-cf3969c8c697", "failed" },		/* dns */
	{ "92560ed0-d9bd-4940-adee-af28af3cccce", "good" },
	{ "22648873-64f0-4324-8f6c-4b475e6ed101", "cancelled" },
	{ "afdb9b83-7ed9-41aa-809c-bcdc85e821a4", "failed" },		/* http */
	{ "08953d8c-b3a7-48c8-a4bf-433bcda33a58", "good" },		/* 0.00 Mbit/s down */
	{ "44444444-4444-4444-8444-444444444444", "incomplete" },	/* no error, no rates */
	{ "55555555-5555-4555-8555-555555555555", "incomplete" },	/* not JSON */
	{ "66666666-6666-4666-8666-666666666666", "failed" },		/* code "none": internal */
};
#define NV1	(sizeof v1_rows / sizeof v1_rows[0])

/* The fixture as a database file at path, written by 0.1.0's schema and code. */
static void
make_v1(const char *path)
{
	const char *src = getenv("TRAMDO_SRCDIR");
	char *fixture = xasprintf("%s/tests/fixtures/store/v1.sql", src != NULL ? src : ".");
	char sql[65536];
	FILE *f = fopen(fixture, "r");
	size_t n;
	sqlite3 *db;

	if (f == NULL)
		fail_msg("cannot read %s", fixture);
	n = fread(sql, 1, sizeof sql - 1, f);
	assert_true(n > 0 && n < sizeof sql - 1);
	sql[n] = '\0';
	fclose(f);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(fixture);
}

static char *
text_of(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *v = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static int
count_row(void *arg, const struct result *r, const struct store_uploads *up)
{
	(void)r;
	(void)up;
	(*(int *)arg)++;
	return 0;
}

/* Step 2 adds how each result counts, computed from the JSON in SQL; the rows keep their data. */
static void
test_migrates_version_1(void **state)
{
	char *path = db_path("v1.db"), *sql, *v, *before[NV1];
	struct store_sink sinks[STORE_MAX_SINKS];
	struct store_counts c;
	struct store_status ss;
	struct store *st;
	int listed = 0;

	(void)state;
	make_v1(path);
	for (size_t i = 0; i < NV1; i++) {
		sql = xasprintf("SELECT json FROM results WHERE id = '%s'", v1_rows[i].id);
		before[i] = text_of(path, sql);
		assert_non_null(before[i]);
		free(sql);
	}
	st = store_open(path, "json");
	store_status(st, &ss);
	assert_true(ss.ok);
	assert_int_equal(pragma(path, "PRAGMA user_version"), 3);
	for (size_t i = 0; i < NV1; i++) {
		sql = xasprintf("SELECT outcome FROM results WHERE id = '%s'", v1_rows[i].id);
		v = text_of(path, sql);
		if (v == NULL || strcmp(v, v1_rows[i].outcome) != 0)
			fail_msg("%s: outcome %s, expected %s", v1_rows[i].id, v, v1_rows[i].outcome);
		free(v);
		free(sql);
		sql = xasprintf("SELECT json FROM results WHERE id = '%s'", v1_rows[i].id);
		v = text_of(path, sql);
		assert_string_equal(v, before[i]);	/* byte for byte */
		free(v);
		free(sql);
		free(before[i]);
	}
	assert_int_equal(pragma(path, "SELECT sum(bytes) FROM results"), 2 * 1111111110LL + 987654321);
	assert_int_equal(pragma(path, "SELECT count(*) FROM uploads"), 18);
	assert_int_equal(store_counts_since(st, 0, &c), 0);
	assert_int_equal(c.all, (long)NV1);
	assert_int_equal(c.good, 3);
	assert_int_equal(c.failed, 3);
	/* The damaged row is skipped (and logged), the others decode. */
	assert_int_equal(store_list(st, 0, 0, false, count_row, &listed), (int)NV1 - 1);
	assert_int_equal(listed, (int)NV1 - 1);
	assert_int_equal(store_sinks(st, sinks), 1);
	assert_string_equal(sinks[0].name, "json");
	assert_int_equal(sinks[0].pending, 5);
	assert_float_equal(sinks[0].last_sent, 1795576000, 0);
	store_close(st);
	/* Opened again: nothing more to do. */
	st = store_open(path, "json");
	store_status(st, &ss);
	assert_true(ss.ok);
	store_close(st);
	assert_int_equal(pragma(path, "SELECT count(*) FROM results"), (long long)NV1);
	free(path);
}

/*
 * Today's and this month's counts start at local midnight and the local first of the month
 * (main() sets Hanoi's time, UTC+7): a result at 23:59:59 local is yesterday's, at 00:00:00
 * today's. Cancelled and unmeasured results count in all only.
 */
static void
test_counts_today_and_month(void **state)
{
	char *path = db_path("counts.db");
	struct store *st = store_open(path, NULL);
	struct store_counts day, month;
	double now = now_wall(), today = local_day_start(now), first = local_month_start(now);
	long earlier_today = today > first;	/* not on the 1st: yesterday is this month */
	struct result r;

	(void)state;
	assert_float_equal(fmod(today - 17 * 3600, 86400), 0, 0);	/* 17:00 UTC */
	put_at(st, first - 1, MERR_NONE);
	put_at(st, first, MERR_DNS);
	if (earlier_today)
		put_at(st, today - 1, MERR_NONE);
	put_at(st, today, MERR_NONE);
	put_at(st, today + 1, MERR_STALLED);
	put_at(st, today + 2, MERR_CANCELLED);
	make_at(&r, today + 3, MERR_NONE);
	r.fig.upload_mbps = -1;
	put(st, &r, 0);
	result_free(&r);

	assert_int_equal(store_counts_since(st, today, &day), 0);
	assert_true(day.all == 4 && day.good == 1 && day.failed == 1);
	assert_int_equal(today_all(st), 4);
	assert_int_equal(store_counts_since(st, first, &month), 0);
	assert_int_equal(month.all, 5 + earlier_today);
	assert_int_equal(month.good, 1 + earlier_today);
	assert_int_equal(month.failed, 2);
	store_close(st);
	free(path);
}

/* Per configured sink: what waits for it and when it last took a result. */
static void
test_sinks_pending_and_last_sent(void **state)
{
	char *path = db_path("sinks.db");
	struct store *st = store_open(path, "librespeed, json");
	struct store_sink s[STORE_MAX_SINKS];
	char *id[3];

	(void)state;
	assert_int_equal(store_sinks(st, s), 2);
	assert_string_equal(s[0].name, "librespeed");
	assert_string_equal(s[1].name, "json");
	assert_true(s[0].pending == 0 && s[1].pending == 0);
	assert_true(s[0].last_sent == -1 && s[1].last_sent == -1);	/* never */
	for (int i = 0; i < 3; i++)
		put_at(st, 1795575845 + i, MERR_NONE);
	for (int i = 0; i < 3; i++) {
		char *sql = xasprintf("SELECT id FROM results ORDER BY started_at LIMIT 1 OFFSET %d", i);

		id[i] = text_of(path, sql);
		free(sql);
	}
	assert_int_equal(store_mark_sent(st, id[0], "json", 1795576000.7, NULL), 0);
	assert_int_equal(store_mark_sent(st, id[1], "json", 1795577000, NULL), 0);
	assert_int_equal(store_claim(st, id[0], "librespeed", INFINITY, 60), 1);
	assert_int_equal(store_mark_rejected(st, id[0], "librespeed", "HTTP 400"), 0);
	assert_int_equal(store_sinks(st, s), 2);
	assert_int_equal(s[0].pending, 2);
	assert_float_equal(s[0].last_sent, -1, 0);
	assert_int_equal(s[1].pending, 1);
	assert_float_equal(s[1].last_sent, 1795577000, 0);
	for (int i = 0; i < 3; i++)
		free(id[i]);
	store_close(st);
	/* No sink configured: none to tell about. */
	st = store_open(path, NULL);
	assert_int_equal(store_sinks(st, s), 0);
	store_close(st);
	free(path);
}

static void
test_foreign_database_untouched(void **state)
{
	char *path = db_path("foreign.db");
	struct store_counts c;
	struct store_status ss;
	struct result r;
	struct store *st;
	sqlite3 *db;
	struct stat before, after;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE accounts(name TEXT); "
	    "INSERT INTO accounts VALUES ('keep me')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(stat(path, &before), 0);

	make_result(&r, "2026-11-25T03:04:05Z");
	st = store_open(path, "json");
	store_status(st, &ss);
	assert_false(ss.ok);
	assert_non_null(strstr(ss.message, "not a tramdo database"));
	/* The result is held, not written, and not lost; the counts cannot be told. */
	put(st, &r, 1);
	store_status(st, &ss);
	assert_int_equal(ss.held, 1);
	assert_int_equal(store_counts_since(st, 0, &c), -1);
	assert_int_equal(today_all(st), -1);
	store_close(st);

	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
	    before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	assert_int_equal(pragma(path, "PRAGMA user_version"), 0);
	assert_int_equal(pragma(path, "SELECT count(*) FROM sqlite_master"), 1);
	result_free(&r);
	free(path);
}

/*
 * Processes opening a new database at once (the kiosk starting while staff run `tramdo run`):
 * whoever loses the race for creating the schema must see a whole tramdo database, never the
 * tables without the application id, which it would refuse for good.
 */
static void
test_new_database_opened_at_once(void **state)
{
	enum { ROUNDS = 60, PROCS = 4 };
	int refused = 0;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		char name[32];
		char *path;
		pid_t pids[PROCS];

		snprintf(name, sizeof name, "race-%d.db", round);
		path = db_path(name);
		for (int i = 0; i < PROCS; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				struct store *st = store_open(path, NULL);
				struct store_status ss;

				store_status(st, &ss);
				store_close(st);
				_exit(ss.ok ? 0 : 1);
			}
		}
		for (int i = 0; i < PROCS; i++) {
			int status;

			assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				refused++;
		}
		free(path);
	}
	assert_int_equal(refused, 0);
}

/* The mode of path's file & 0777, or -1 when there is none. */
static int
mode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

/*
 * The database and its -wal and -shm files are 0600 whatever the umask (SQLite would make them
 * 0644 under umask 022, 0666 under 000); an existing file keeps the mode staff gave it.
 */
static void
test_files_private_whatever_the_umask(void **state)
{
	static const mode_t umasks[] = { 022, 000, 0277 };

	(void)state;
	for (size_t i = 0; i < sizeof umasks / sizeof umasks[0]; i++) {
		char name[32], *path, *wal, *shm, err[256];
		mode_t old = umask(umasks[i]);
		struct store *st;
		struct result r;

		snprintf(name, sizeof name, "mode-%03o.db", (unsigned)umasks[i]);
		path = db_path(name);
		wal = xasprintf("%s-wal", path);
		shm = xasprintf("%s-shm", path);
		st = store_open(path, "json");
		make_at(&r, now_wall(), MERR_NONE);
		assert_int_equal(store_put(st, &r, err, sizeof err), 0);
		print_message("umask %03o\n", (unsigned)umasks[i]);
		assert_int_equal(mode_of(path), 0600);
		assert_int_equal(mode_of(wal), 0600);
		assert_int_equal(mode_of(shm), 0600);
		store_close(st);
		umask(old);
		result_free(&r);
		free(wal);
		free(shm);
		free(path);
	}
	/* Staff's own mode on an existing database is kept (a group reader they chose). */
	{
		char *path = db_path("mode-022.db");
		struct store *st;

		assert_int_equal(chmod(path, 0640), 0);
		st = store_open(path, NULL);
		assert_int_equal(mode_of(path), 0640);
		store_close(st);
		free(path);
	}
}

/* A symbolic link to nowhere where the database should be is refused, its target not created. */
static void
test_dangling_symlink_refused(void **state)
{
	char *link = db_path("link.db"), *target = db_path("gone/results.db");
	char *target2 = db_path("target.db"), *want;
	struct store_status ss;
	struct store *st;
	struct result r;
	char err[256];

	(void)state;
	assert_int_equal(symlink(target2, link), 0);
	st = store_open(link, NULL);
	store_status(st, &ss);
	assert_false(ss.ok);
	want = xasprintf("database %s is a symbolic link to a file that does not exist; refusing "
	    "to create the database there: remove the link or fix where it points", link);
	assert_string_equal(ss.message, want);
	free(want);
	make_at(&r, now_wall(), MERR_NONE);
	assert_int_equal(store_put(st, &r, err, sizeof err), 1);	/* held, not written there */
	assert_int_equal(mode_of(target2), -1);
	store_close(st);
	result_free(&r);
	/* Into a missing directory: refused the same way (SQLite would say "cannot open"). */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(target, link), 0);
	st = store_open(link, NULL);
	store_status(st, &ss);
	assert_false(ss.ok);
	assert_non_null(strstr(ss.message, "is a symbolic link to a file that does not exist"));
	store_close(st);
	/* A link to a database that exists is fine. */
	assert_int_equal(unlink(link), 0);
	st = store_open(target2, NULL);
	store_close(st);
	assert_int_equal(symlink(target2, link), 0);
	st = store_open(link, NULL);
	store_status(st, &ss);
	assert_true(ss.ok);
	store_close(st);
	free(link);
	free(target);
	free(target2);
}

static void
test_not_sqlite_untouched(void **state)
{
	char *path = db_path("notes.txt");
	FILE *f = fopen(path, "w");
	struct store_status ss;
	struct store *st;
	char buf[64] = "";

	(void)state;
	fputs("staff notes, not a database\n", f);
	fclose(f);
	st = store_open(path, NULL);
	store_status(st, &ss);
	assert_false(ss.ok);
	assert_non_null(strstr(ss.message, "not an SQLite database"));
	store_close(st);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "staff notes, not a database\n");
	free(path);
}

static void
test_newer_schema_refused(void **state)
{
	char *path = db_path("newer.db");
	struct store_status ss;
	struct store *st;
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1414679876; "
	    "PRAGMA user_version = 99; CREATE TABLE future(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, NULL);
	store_status(st, &ss);
	assert_false(ss.ok);
	assert_non_null(strstr(ss.message, "newer than this tramdo"));
	store_close(st);
	assert_int_equal(pragma(path, "PRAGMA user_version"), 99);
	free(path);
}

/* A version-0 file that is ours but empty (e.g. made by an interrupted first start) is migrated. */
static void
test_migrates_forward_from_empty(void **state)
{
	char *path = db_path("empty.db");
	struct store_status ss;
	struct store *st;
	FILE *f = fopen(path, "w");

	(void)state;
	fclose(f);
	st = store_open(path, NULL);
	store_status(st, &ss);
	assert_true(ss.ok);
	store_close(st);
	assert_int_equal(pragma(path, "PRAGMA user_version"), 3);
	free(path);
}

/*
 * A read-only database: root ignores file modes, so the check runs in a child that gives up
 * root. The result must be held (1) with a message naming the problem.
 */
static void
test_read_only_holds_results(void **state)
{
	char *path = db_path("ro.db"), err[512];
	struct store *st = store_open(path, NULL);
	pid_t pid;
	int status;

	(void)state;
	store_close(st);
	assert_int_equal(chmod(path, 0444), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store_status ss;
		struct result r;

		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(10);
		make_result(&r, "2026-11-25T03:04:05Z");
		st = store_open(path, NULL);
		store_status(st, &ss);
		if (ss.ok || strstr(ss.message, "read-only") == NULL)
			_exit(11);
		if (store_put(st, &r, err, sizeof err) != 1)
			_exit(12);
		store_status(st, &ss);
		/* WAL needs a writable directory even to read: the counts are unknown. */
		if (ss.held != 1 || today_all(st) != -1)
			_exit(13);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(path);
}

/*
 * Another process holds the write lock: with a short busy wait (the kiosk's) the result is held
 * in memory at once instead of after the 5 s default, and written by the flush after the lock
 * goes. The lock is taken through a second SQLite connection, as another process would.
 */
static void
test_locked_database_holds_without_waiting(void **state)
{
	char *path = db_path("locked.db");
	struct store *st = store_open(path, "json");
	struct store_sink sinks[STORE_MAX_SINKS];
	struct store_counts c;
	struct store_status ss;
	struct result r, bad, old;
	sqlite3 *other;
	double t0;

	(void)state;
	make_at(&old, 1795575845, MERR_NONE);
	put(st, &old, 0);
	assert_int_equal(store_mark_sent(st, old.id, "json", 1795576000, NULL), 0);
	make_result(&r, "2026-11-25T03:04:05Z");
	make_at(&bad, 1795575846, MERR_TLS);
	store_set_busy_wait(st, 100);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	t0 = now_mono();
	put(st, &r, 1);
	assert_true(now_mono() - t0 < 2.0);
	put(st, &bad, 1);
	store_status(st, &ss);
	assert_int_equal(ss.held, 2);
	assert_false(ss.ok);
	/* The database can still be read: its row and the two held results are counted. */
	assert_int_equal(store_counts_since(st, 0, &c), 0);
	assert_int_equal(c.all, 3);
	assert_int_equal(c.good, 2);
	assert_int_equal(c.failed, 1);
	assert_int_equal(store_bytes_since(st, 0), 3 * 1500000);
	assert_int_equal(store_waiting(st), 2);
	assert_int_equal(store_sinks(st, sinks), 1);
	assert_int_equal(sinks[0].pending, 2);
	assert_float_equal(sinks[0].last_sent, 1795576000, 0);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(store_flush(st), 0);
	/* Written once: the same counts from the database alone. */
	assert_int_equal(store_counts_since(st, 0, &c), 0);
	assert_true(c.all == 3 && c.good == 2 && c.failed == 1);
	assert_int_equal(store_sinks(st, sinks), 1);
	assert_int_equal(sinks[0].pending, 2);
	result_free(&r);
	result_free(&bad);
	result_free(&old);
	store_close(st);
	free(path);
}

/* Disk comes back: a held result is written by the next flush, once. */
static void
test_held_results_written_when_disk_returns(void **state)
{
	char *sub = db_path("gone"), *path = xasprintf("%s/r.db", sub);
	struct store_sink sinks[STORE_MAX_SINKS];
	struct store_status ss;
	struct store *st = store_open(path, "json");
	struct result r;

	(void)state;
	make_result(&r, "2026-11-25T03:04:05Z");
	store_status(st, &ss);
	assert_false(ss.ok);
	assert_non_null(strstr(ss.message, "cannot be opened"));
	put(st, &r, 1);
	/* Nothing to read: unknown, not zero. */
	assert_int_equal(count_all(st, 0), -1);
	assert_int_equal(store_sinks(st, sinks), -1);
	assert_int_equal(store_waiting(st), -1);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(store_flush(st), 0);
	store_status(st, &ss);
	assert_true(ss.ok);
	assert_int_equal(count_all(st, 0), 1);
	assert_int_equal(store_waiting(st), 1);
	result_free(&r);
	store_close(st);
	free(path);
	free(sub);
}

/* The sink's upload of r as its attempts and claim owner ("" when free), for the claim tests. */
static char *
claim_of(const char *path, const char *id, const char *sink)
{
	char *sql = xasprintf("SELECT attempts || ' ' || coalesce(claim_owner, '') "
	    "FROM uploads WHERE result_id = '%s' AND sink = '%s'", id, sink);
	char *v = text_of(path, sql);

	free(sql);
	return v;
}

/*
 * Two processes' stores on one file: one claim wins; the loser neither lists nor claims it;
 * a retry ends the claim and its backoff holds for everyone (but `tramdo upload`, INFINITY);
 * sent is final; an expired claim is taken over, and its old holder can no longer record a
 * retry or a rejection over the new one.
 */
static void
test_claims_between_processes(void **state)
{
	char *path = db_path("claims.db"), *v;
	struct store *a = store_open(path, "json"), *b = store_open(path, "json");
	struct store_job *jobs;
	struct result r;
	sqlite3 *db;
	double now = now_mono();

	(void)state;
	make_result(&r, "2026-11-25T03:04:05Z");
	put(a, &r, 0);
	assert_int_equal(store_claim(a, r.id, "json", now + 1, 60), 1);
	assert_int_equal(store_claim(b, r.id, "json", now + 1, 60), 0);
	assert_int_equal(store_claim(a, r.id, "json", now + 1, 60), 0);	/* not twice either */
	assert_int_equal(store_due(b, INFINITY, 10, &jobs), 0);
	store_jobs_free(jobs, 0);
	/* Held by another process: due again when the claim expires, not before. */
	assert_float_equal(store_next_due(b), now + 60, 1.0);

	assert_int_equal(store_mark_retry(b, r.id, "json", 30, "not b's"), 0);
	v = claim_of(path, r.id, "json");
	assert_int_equal(strncmp(v, "0 ", 2), 0);		/* b's retry changed nothing */
	free(v);
	assert_int_equal(store_mark_retry(a, r.id, "json", 30, "HTTP 503"), 0);
	v = claim_of(path, r.id, "json");
	assert_string_equal(v, "1 ");				/* one attempt, free again */
	free(v);
	assert_int_equal(store_claim(b, r.id, "json", now_mono() + 1, 60), 0);	/* backoff */
	assert_float_equal(store_next_due(b), now + 30, 1.0);
	assert_int_equal(store_claim(b, r.id, "json", INFINITY, 60), 1);

	/* b is killed: its claim (here already expired) is taken over by a. */
	assert_int_equal(store_claim(a, r.id, "json", INFINITY, 60), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE uploads SET claimed_until = claimed_until - 61",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_due(a, INFINITY, 10, &jobs), 1);
	store_jobs_free(jobs, 1);
	assert_int_equal(store_claim(a, r.id, "json", INFINITY, 60), 1);
	assert_int_equal(store_mark_rejected(b, r.id, "json", "too late"), 0);
	v = store_upload_state(a, r.id, "json", NULL);
	assert_string_equal(v, STORE_PENDING);
	free(v);
	/* Delivered is recorded whoever sent it; a sent upload is claimed by nobody. */
	assert_int_equal(store_mark_sent(b, r.id, "json", now_wall(), NULL), 0);
	v = claim_of(path, r.id, "json");
	assert_string_equal(v, "2 ");
	free(v);
	assert_int_equal(store_claim(a, r.id, "json", INFINITY, 60), 0);
	assert_float_equal(store_next_due(a), -1, 0);
	result_free(&r);
	store_close(a);
	store_close(b);
	free(path);
}

/*
 * Uploads of another boot move to this boot's clock at open, waiting what their wall-clock
 * time leaves but never longer than their own backoff: a clock set back an hour while the PC
 * was off costs no hour; one set forward makes them due now. Their claims died with that boot.
 */
static void
test_rebase_caps_waits(void **state)
{
	char *path = db_path("rebase.db"), *sql;
	struct store *st = store_open(path, "json, librespeed, influx");
	struct result r;
	sqlite3 *db;
	double now;

	(void)state;
	make_result(&r, "2026-11-25T03:04:05Z");
	put(st, &r, 0);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sql = xasprintf("UPDATE uploads SET boot_id = 'another boot', claim_owner = 'dead', "
	    "claimed_until = 1e12, retry_wait = 120, next_attempt = CASE sink "
	    "WHEN 'json' THEN %.3f WHEN 'librespeed' THEN %.3f ELSE %.3f END",
	    now_wall() + 7200, now_wall() - 3600, now_wall() + 30);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	sqlite3_close(db);

	st = store_open(path, "json, librespeed, influx");
	now = now_mono();
	sql = xasprintf("SELECT count(*) FROM uploads WHERE claim_owner IS NULL AND "
	    "((sink = 'json' AND abs(due_at - %.3f) < 2) OR "
	    "(sink = 'librespeed' AND abs(due_at - %.3f) < 2) OR "
	    "(sink = 'influx' AND abs(due_at - %.3f) < 2))", now + 120, now, now + 30);
	assert_int_equal(pragma(path, sql), 3);
	free(sql);
	assert_int_equal(store_claim(st, r.id, "librespeed", now_mono(), 60), 1);
	assert_int_equal(store_claim(st, r.id, "json", now_mono(), 60), 0);
	result_free(&r);
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_created_and_marked),
		cmocka_unit_test(test_insert_get_and_reopen),
		cmocka_unit_test(test_malformed_result_refused),
		cmocka_unit_test(test_upload_transitions),
		cmocka_unit_test(test_list_order_and_limit),
		cmocka_unit_test(test_migrates_version_1),
		cmocka_unit_test(test_counts_today_and_month),
		cmocka_unit_test(test_sinks_pending_and_last_sent),
		cmocka_unit_test(test_foreign_database_untouched),
		cmocka_unit_test(test_new_database_opened_at_once),
		cmocka_unit_test(test_not_sqlite_untouched),
		cmocka_unit_test(test_files_private_whatever_the_umask),
		cmocka_unit_test(test_dangling_symlink_refused),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_migrates_forward_from_empty),
		cmocka_unit_test(test_read_only_holds_results),
		cmocka_unit_test(test_held_results_written_when_disk_returns),
		cmocka_unit_test(test_locked_database_holds_without_waiting),
		cmocka_unit_test(test_claims_between_processes),
		cmocka_unit_test(test_rebase_caps_waits),
	};
	int rc;

	/* The kiosk's "today" and "this month" are Hanoi's. */
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	if (mkdtemp(dir) == NULL)
		return 1;
	chmod(dir, 0755);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (rc == 0) {
		char *cmd = xasprintf("rm -rf %s", dir);
		if (system(cmd) != 0)
			rc = 1;
		free(cmd);
	}
	return rc;
}
