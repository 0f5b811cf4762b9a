/* test_store.c — the results database: schema, migration, insert/get, upload states, bad disks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "encode.h"
#include "store.h"
#include "util.h"

static char dir[] = "/tmp/tramdo-test-store.XXXXXX";

static char *
db_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* A synthetic result in the shape of design §7. */
static struct json_object *
make_result(char id[static 37], const char *started_at)
{
	char *text;
	struct json_object *o;

	assert_int_equal(uuid_v4(id), 0);
	text = xasprintf("{\"id\":\"%s\",\"started_at\":\"%s\",\"trigger\":\"citizen\","
	    "\"station\":{\"id\":\"TH-TS-01\",\"name\":\"Nhà văn hoá xã Tân Sơn\",\"isp\":\"VNPT\"},"
	    "\"download_mbps\":94.5,\"upload_mbps\":41.2,"
	    "\"latency_ms\":{\"min\":3.1,\"median\":4.2,\"jitter\":0.7},"
	    "\"bytes\":{\"download\":1000000,\"upload\":500000}}", id, started_at);
	o = json_tokener_parse(text);
	free(text);
	assert_non_null(o);
	return o;
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
	assert_int_equal(pragma(path, "PRAGMA user_version"), 1);
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
	char *path = db_path("insert.db"), id[37], err[256], *json;
	struct json_object *r = make_result(id, "2026-11-25T03:04:05Z"), *back, *v;
	struct store *st = store_open(path, "json");

	(void)state;
	assert_int_equal(store_put(st, r, err, sizeof err), 0);
	/* The same id again is not a second result. */
	assert_int_equal(store_put(st, r, err, sizeof err), 0);
	store_close(st);

	st = store_open(path, "json");
	json = store_get(st, id);
	assert_non_null(json);
	back = json_tokener_parse(json);
	assert_true(json_object_object_get_ex(back, "download_mbps", &v));
	assert_float_equal(json_object_get_double(v), 94.5, 1e-9);
	assert_true(json_object_object_get_ex(back, "station", &v));
	assert_true(json_object_object_get_ex(v, "name", &v));
	assert_string_equal(json_object_get_string(v), "Nhà văn hoá xã Tân Sơn");
	assert_int_equal(store_count_since(st, 0), 1);
	assert_int_equal(store_count_since(st, 1795575845.0 + 1), 0);
	assert_int_equal(store_bytes_since(st, 0), 1500000);
	assert_int_equal(store_waiting(st), 1);
	assert_null(store_get(st, "00000000-0000-4000-8000-000000000000"));
	json_object_put(back);
	json_object_put(r);
	free(json);
	store_close(st);
	free(path);
}

static void
test_malformed_result_refused(void **state)
{
	char *path = db_path("malformed.db"), err[256] = "";
	struct json_object *o = json_tokener_parse("{\"id\":\"short\",\"started_at\":\"x\"}");
	struct store *st = store_open(path, NULL);

	(void)state;
	assert_int_equal(store_put(st, o, err, sizeof err), -1);
	assert_non_null(strstr(err, "id"));
	assert_int_equal(store_count_since(st, 0), 0);
	json_object_put(o);
	store_close(st);
	free(path);
}

static void
test_upload_transitions(void **state)
{
	char *path = db_path("uploads.db"), id1[37], id2[37], err[256], *s;
	struct json_object *r1 = make_result(id1, "2026-11-25T03:04:05Z");
	struct json_object *r2 = make_result(id2, "2026-11-25T03:10:00Z");
	struct store *st = store_open(path, "json, librespeed");
	struct store_job *jobs;
	struct store_upload_counts c;
	int n, attempts = -1;
	double now = now_wall();

	(void)state;
	assert_int_equal(store_put(st, r1, err, sizeof err), 0);
	assert_int_equal(store_put(st, r2, err, sizeof err), 0);
	n = store_due(st, now + 1, 10, &jobs);
	assert_int_equal(n, 4);
	assert_string_equal(jobs[0].id, id1);
	assert_non_null(strstr(jobs[0].json, id1));
	store_jobs_free(jobs, n);

	assert_int_equal(store_mark_sent(st, id1, "json", now, NULL), 0);
	assert_int_equal(store_mark_rejected(st, id1, "librespeed", "HTTP 400: bad form"), 0);
	assert_int_equal(store_mark_retry(st, id2, "json", now + 60, "HTTP 503"), 0);
	/* A retry never revives a finished upload. */
	assert_int_equal(store_mark_retry(st, id1, "json", now + 60, "late"), 0);

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
	json_object_put(r1);
	json_object_put(r2);
	store_close(st);
	free(path);
}

static int
count_row(void *arg, const char *json)
{
	(void)json;
	(*(int *)arg)++;
	return 0;
}

static void
test_list_order_and_limit(void **state)
{
	char *path = db_path("list.db"), id[37], err[256];
	const char *times[] = { "2026-11-24T10:00:00Z", "2026-11-25T01:00:00Z", "2026-11-25T02:00:00Z" };
	struct store *st = store_open(path, NULL);
	double since;
	long today;
	int seen = 0;

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct json_object *r = make_result(id, times[i]);
		assert_int_equal(store_put(st, r, err, sizeof err), 0);
		json_object_put(r);
	}
	assert_true(encode_parse_utc("2026-11-25T00:00:00Z", &since));
	assert_int_equal(store_list(st, since, 0, false, count_row, &seen), 2);
	assert_int_equal(seen, 2);
	assert_int_equal(store_list(st, 0, 1, true, count_row, &seen), 1);
	assert_int_equal(store_count_since(st, since), 2);
	today = store_count_today(st);
	assert_true(today >= 0 && today <= 3);
	{
		char now[21];
		struct json_object *r;

		format_utc(now_wall(), now);
		r = make_result(id, now);
		assert_int_equal(store_put(st, r, err, sizeof err), 0);
		json_object_put(r);
	}
	assert_int_equal(store_count_today(st), today + 1);
	store_close(st);
	free(path);
}

static void
test_foreign_database_untouched(void **state)
{
	char *path = db_path("foreign.db"), id[37], err[256];
	struct json_object *r = make_result(id, "2026-11-25T03:04:05Z");
	struct store_status ss;
	struct store *st;
	sqlite3 *db;
	struct stat before, after;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE accounts(name TEXT); "
	    "INSERT INTO accounts VALUES ('keep me')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(stat(path, &before), 0);

	st = store_open(path, "json");
	store_status(st, &ss);
	assert_false(ss.ok);
	assert_non_null(strstr(ss.message, "not a tramdo database"));
	/* The result is held, not written, and not lost. */
	assert_int_equal(store_put(st, r, err, sizeof err), 1);
	assert_non_null(strstr(err, "not a tramdo database"));
	store_status(st, &ss);
	assert_int_equal(ss.held, 1);
	assert_int_equal(store_count_since(st, 0), -1);
	store_close(st);

	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
	    before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	assert_int_equal(pragma(path, "PRAGMA user_version"), 0);
	assert_int_equal(pragma(path, "SELECT count(*) FROM sqlite_master"), 1);
	json_object_put(r);
	free(path);
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
	assert_int_equal(pragma(path, "PRAGMA user_version"), 1);
	free(path);
}

/*
 * A read-only database: root ignores file modes, so the check runs in a child that gives up
 * root. The result must be held (1) with a message naming the problem.
 */
static void
test_read_only_holds_results(void **state)
{
	char *path = db_path("ro.db"), id[37], err[512];
	struct store *st = store_open(path, NULL);
	pid_t pid;
	int status;

	(void)state;
	store_close(st);
	assert_int_equal(chmod(path, 0444), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct json_object *r;
		struct store_status ss;

		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(10);
		r = make_result(id, "2026-11-25T03:04:05Z");
		st = store_open(path, NULL);
		store_status(st, &ss);
		if (ss.ok || strstr(ss.message, "read-only") == NULL)
			_exit(11);
		if (store_put(st, r, err, sizeof err) != 1)
			_exit(12);
		store_status(st, &ss);
		if (ss.held != 1 || store_count_since(st, 0) != -1)
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
	char *path = db_path("locked.db"), id[37], err[512];
	struct store *st = store_open(path, NULL);
	struct json_object *r = make_result(id, "2026-11-25T03:04:05Z");
	struct store_status ss;
	sqlite3 *other;
	double t0;

	(void)state;
	store_set_busy_wait(st, 100);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	t0 = now_mono();
	assert_int_equal(store_put(st, r, err, sizeof err), 1);
	assert_true(now_mono() - t0 < 2.0);
	store_status(st, &ss);
	assert_int_equal(ss.held, 1);
	assert_false(ss.ok);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_count_since(st, 0), 1);
	json_object_put(r);
	store_close(st);
	free(path);
}

/* Disk comes back: a held result is written by the next flush, once. */
static void
test_held_results_written_when_disk_returns(void **state)
{
	char *sub = db_path("gone"), *path = xasprintf("%s/r.db", sub), id[37], err[512];
	struct json_object *r = make_result(id, "2026-11-25T03:04:05Z");
	struct store_status ss;
	struct store *st = store_open(path, "json");

	(void)state;
	store_status(st, &ss);
	assert_false(ss.ok);
	assert_non_null(strstr(ss.message, "cannot be opened"));
	assert_int_equal(store_put(st, r, err, sizeof err), 1);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(store_flush(st), 0);
	store_status(st, &ss);
	assert_true(ss.ok);
	assert_int_equal(store_count_since(st, 0), 1);
	assert_int_equal(store_waiting(st), 1);
	json_object_put(r);
	store_close(st);
	free(path);
	free(sub);
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
		cmocka_unit_test(test_foreign_database_untouched),
		cmocka_unit_test(test_not_sqlite_untouched),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_migrates_forward_from_empty),
		cmocka_unit_test(test_read_only_holds_results),
		cmocka_unit_test(test_held_results_written_when_disk_returns),
		cmocka_unit_test(test_locked_database_holds_without_waiting),
	};
	int rc;

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
