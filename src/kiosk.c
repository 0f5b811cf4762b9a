/*
 * kiosk.c — `tramdo` with no subcommand (cmd_kiosk, declared in cmd.h): the full-screen kiosk.
 * The shell around the state machine (kiosk_fsm.c, which says what keys mean and when screens
 * change): it owns the one poll() loop, turns keys, signals, timers and the test session into
 * events, carries out what the state machine asks, and fills the model the screens draw.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "bigtext.h"
#include "cmd.h"
#include "config.h"
#include "gps.h"
#include "i18n.h"
#include "kiosk_fsm.h"
#include "kiosk_metrics.h"
#include "kiosk_view.h"
#include "log.h"
#include "loop.h"
#include "schedule.h"
#include "servers.h"
#include "session.h"
#include "signals.h"
#include "speech.h"
#include "store.h"
#include "ui.h"
#include "upload.h"
#include "util.h"
#include "verdict.h"
#include "watchdog.h"

#define REDRAW_INTERVAL		0.1	/* seconds: at most 10 redraws a second */
#define PROGRESS_INTERVAL	0.1	/* seconds between engine progress samples */
#define FAIL_LIMIT		3	/* failed tests in a row: out of service */
#define KIOSK_STORE_WAIT_MS	200	/* a locked database holds the result in memory, not the screen */
#define KIOSK_QUEUE		4	/* events one action can produce: at most two */

struct kiosk {
	const struct cli	*cli;
	struct config		 cfg;
	struct kiosk_fsm	 fsm;
	char			*datadir;
	struct i18n		*tr;
	struct bigfont		*font;
	struct verdicts		 verdicts;
	struct ui_model		 model;
	struct loop		 loop;

	struct gps		*gps;
	struct speech		*voice;		/* NULL unless [kiosk] speech */
	struct session		*test;
	struct store		*store;		/* results, committed before "done" */
	struct upload		*up;		/* NULL when upload is off or misconfigured */
	struct servers_fetch	*lists;		/* [servers] list_url in the background, or NULL */
	char			 store_problem[512];	/* last disk problem told to staff */
	struct kmetrics		 metrics;	/* [metrics] textfile: fleet health */
	char			 list_problem[512];	/* last list fetch failure told to staff */

	double	next_progress;
	double	next_clock;	/* monotonic: the next minute */
	struct clock_watch clocks;	/* steps of the wall clock, for the clock and the schedule */
	int	today;		/* day of year the count is for */
	bool	dirty;
	double	last_draw;

	/* Unattended tests: the day's traffic is counted from the results of this kiosk. */
	struct schedule		sched;
	struct quiet_hours	quiet;
	double			next_sched;	/* wall clock; -1: none */
	double			sched_at;	/* monotonic: when next_sched is due; -1: none */
	uint64_t		bytes_today;
	uint64_t		last_test_bytes;	/* what one more test is expected to move */
	int			good_today;	/* counted here for when the store cannot tell */

	/* A reloaded configuration waits here until the state machine finds the kiosk idle. */
	struct config		next_cfg;
	bool			reload_ready;

	/* Events an action produced (a test that could not start, a reload ready), fed in turn. */
	struct kiosk_event	queue[KIOSK_QUEUE];
	int			nqueue;

	bool	quit;
	int	status;
};

/* The kiosk's own signals; SIGINT, SIGQUIT and SIGTSTP arrive as keys in raw mode anyway. */
static const int caught[] = { SIGTERM, SIGHUP, SIGWINCH, SIGCHLD };
static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP };

static void post(struct kiosk *k, enum kiosk_event_type type, int arg);
static void feed(struct kiosk *k, enum kiosk_event_type type, int arg);

static void
mark(struct kiosk *k)
{
	k->dirty = true;
}

/* A problem for the staff screen (a [problem] catalog key, and the English detail). */
static void
remember_problem(struct kiosk *k, const char *key, const char *detail)
{
	view_problem(&k->model, key, detail);
	mark(k);
}

static const char *
configured_language(const struct kiosk *k)
{
	return k->cfg.kiosk.language != NULL ? k->cfg.kiosk.language : "vi";
}

static void
set_language(struct kiosk *k, const char *lang)
{
	char *dir = assets_path(k->datadir, "i18n");

	if (k->tr != NULL && strcmp(i18n_lang(k->tr), lang) == 0) {
		free(dir);
		return;
	}
	i18n_free(k->tr);
	k->tr = i18n_open(dir, lang);
	free(dir);
	for (size_t i = 0; i < i18n_problem_count(k->tr); i++) {
		log_warn("catalog: %s", i18n_problem(k->tr, i));
		remember_problem(k, "problem.assets", i18n_problem(k->tr, i));
	}
	k->model.tr = k->tr;
	mark(k);
}

/* The counts the screens show, from the store; a disk problem goes to staff once. */
static void
keep_status(struct kiosk *k)
{
	struct store_status ss;

	view_store(&k->model, k->store, k->up != NULL, k->good_today);
	mark(k);
	if (k->store == NULL)
		return;
	store_status(k->store, &ss);
	if (!ss.ok && strcmp(ss.message, k->store_problem) != 0)
		remember_problem(k, "problem.disk", ss.message);
	snprintf(k->store_problem, sizeof k->store_problem, "%s", ss.message);
}

/* The fleet-health file, from the counts keep_status() keeps; a new write error goes to staff. */
static void
write_metrics(struct kiosk *k, bool up)
{
	struct kmetrics_source src = { .cfg = &k->cfg, .model = &k->model, .store = k->store,
	    .state = (int)k->fsm.state, .up = up };
	const char *problem = kmetrics_write(&k->metrics, &src, now_mono());

	if (problem != NULL) {
		log_err("metrics: %s", problem);
		remember_problem(k, "problem.metrics", problem);
	}
}

/* An upload finished: staff and the metrics file see the queue as it is now. */
static void
upload_done(void *arg, const char *id, const char *sink, enum upload_outcome outcome,
    const char *detail)
{
	struct kiosk *k = arg;

	(void)id, (void)sink, (void)outcome, (void)detail;
	keep_status(k);
	kmetrics_touch(&k->metrics);
}

/* The clock on Welcome and the day the count belongs to; returns the wall time of the next minute. */
static double
update_clock(struct kiosk *k)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(k->model.clock, sizeof k->model.clock, "%d/%m/%Y %H:%M", &tm);
	k->model.month = tm.tm_mon + 1;
	if (tm.tm_yday != k->today) {
		k->today = tm.tm_yday;
		k->good_today = 0;
		k->bytes_today = 0;
	}
	keep_status(k);
	mark(k);
	return (double)(now - tm.tm_sec + 60);
}

/* ---- the parts that join the loop ---- */

static void
store_attach(struct kiosk *k)
{
	struct loop_source st = { .timeout_ms = store_timeout, .dispatch = store_dispatch };

	k->store = store_open(k->cfg.storage.path,
	    k->cfg.upload.enabled ? k->cfg.upload.format : NULL);
	store_set_busy_wait(k->store, KIOSK_STORE_WAIT_MS);
	st.ctx = k->store;
	loop_add(&k->loop, &st);
}

static void
store_detach(struct kiosk *k)
{
	if (k->store == NULL)
		return;
	loop_remove(&k->loop, k->store);
	store_close(k->store);
	k->store = NULL;
}

/* The upload queue joins the loop; it reads its token files now. */
static void
upload_attach(struct kiosk *k)
{
	struct loop_source up = { .fds = upload_fds, .timeout_ms = upload_timeout,
	    .dispatch = upload_dispatch };
	char err[512];

	if (!k->cfg.upload.enabled || k->store == NULL)
		return;
	if ((k->up = upload_new(&k->cfg, k->store, err, sizeof err)) == NULL) {
		log_err("upload: %s", err);
		remember_problem(k, "problem.upload", err);
		return;
	}
	up.ctx = k->up;
	loop_add(&k->loop, &up);
	upload_set_listener(k->up, upload_done, k);
	upload_kick(k->up);
}

static void
upload_detach(struct kiosk *k)
{
	if (k->up == NULL)
		return;
	loop_remove(&k->loop, k->up);
	upload_free(k->up);
	k->up = NULL;
}

/* [servers] list_url is fetched and cached in the background; tests read the cache. */
static void
lists_attach(struct kiosk *k)
{
	struct loop_source src;

	if ((k->lists = servers_fetch_new(&k->cfg)) == NULL)
		return;
	servers_fetch_source(k->lists, &src);
	loop_add(&k->loop, &src);
}

static void
lists_detach(struct kiosk *k)
{
	if (k->lists == NULL)
		return;
	loop_remove(&k->loop, k->lists);
	servers_fetch_free(k->lists);
	k->lists = NULL;
	k->list_problem[0] = '\0';
}

/* A failed fetch goes to staff once per distinct reason; a good one clears it. */
static void
lists_watch(struct kiosk *k)
{
	char msg[512];
	int st;

	if (k->lists == NULL)
		return;
	st = servers_fetch_status(k->lists, msg, sizeof msg);
	if (st == 1)
		k->list_problem[0] = '\0';
	if (st != -1 || strcmp(msg, k->list_problem) == 0)
		return;
	remember_problem(k, "problem.server_list", msg);
	snprintf(k->list_problem, sizeof k->list_problem, "%s", msg);
}

/* The staff screen's line about the list: read from the cache when staff open the screen. */
static void
lists_to_staff(struct kiosk *k)
{
	char msg[8];
	int count;
	double age;

	if (k->lists == NULL)
		return;
	servers_cache_info(&k->cfg, &count, &age);
	view_server_list(&k->model, count, age,
	    servers_fetch_status(k->lists, msg, sizeof msg) == -1);
}

static void
gps_attach(struct kiosk *k)
{
	struct loop_source src;

	k->gps = gps_new(&k->cfg);
	src = gps_loop_source(k->gps);
	loop_add(&k->loop, &src);
}

static void
gps_detach(struct kiosk *k)
{
	loop_remove(&k->loop, k->gps);
	gps_free(k->gps);
	k->gps = NULL;
}

/* ---- a test ---- */

static void
start_test(struct kiosk *k, const char *trigger)
{
	struct session_env env = { .cfg = &k->cfg, .gps = k->gps, .store = k->store, .up = k->up,
	    .log_line = true };
	struct loop_source src;
	char err[256];

	memset(&k->model.progress, 0, sizeof k->model.progress);
	k->next_progress = now_mono() + PROGRESS_INTERVAL;
	if ((k->test = session_start(&env, trigger, NULL, err, sizeof err)) == NULL) {
		/* Nothing to test against: the configuration's fault, told as a failed test. */
		log_err("no server to test against: %s", err);
		remember_problem(k, "problem.config", err);
		k->model.error_key = view_error_key(MERR_NO_SERVER);
		post(k, KEV_TEST_END, OUTCOME_FAILED);
		return;
	}
	src = session_source(k->test);
	loop_add(&k->loop, &src);
}

/*
 * Citizen and scheduled tests alike count against the day's budget, failed ones too; with
 * [test] ip_version = both, a key press is two tests, one per family.
 */
static void
count_traffic(struct kiosk *k, const struct session *s)
{
	uint64_t bytes = 0;

	for (int i = 0; i < session_count(s); i++)
		bytes += session_result_at(s, i)->fig.download_bytes +
		    session_result_at(s, i)->fig.upload_bytes;
	k->bytes_today += bytes;
	if (bytes > 0)
		k->last_test_bytes = bytes;
}

/* The session has kept its result: the screens get its figures or what went wrong. */
static void
finish_test(struct kiosk *k)
{
	const struct result *r = session_result(k->test);
	const struct test_figures *f = &r->fig;
	enum test_outcome outcome = OUTCOME_GOOD;

	count_traffic(k, k->test);
	kmetrics_test(&k->metrics, r);	/* the shown result: with "both", the preferred family's */
	if (figures_good(f))
		k->good_today++;
	if (f->error != MERR_CANCELLED)
		view_ip_family(&k->model, f);
	if (f->error == MERR_CANCELLED) {
		outcome = OUTCOME_CANCELLED;
	} else if (f->error != MERR_NONE) {
		char *msg = xasprintf("%s: %s", test_error_name(f->error), f->message);

		log_warn("%s test failed: %s", r->trigger, msg);
		remember_problem(k, view_problem_key(f->error), msg);
		free(msg);
		k->model.error_key = view_error_key(f->error);
		outcome = OUTCOME_FAILED;
	} else
		view_result(&k->model, r, &k->verdicts, k->cfg.upload.result_url);
	loop_remove(&k->loop, k->test);
	session_free(k->test);
	k->test = NULL;
	/* what the test's buffers took goes back to the system: the kiosk idles for hours */
	malloc_trim(0);
	keep_status(k);
	feed(k, KEV_TEST_END, outcome);
}

/* Member by member: memcmp would compare padding bytes too (and treat -0.0 and 0.0 as different). */
static bool
progress_changed(const struct test_progress *a, const struct test_progress *b)
{
	return a->phase != b->phase || a->phase_fraction != b->phase_fraction ||
	    a->overall_fraction != b->overall_fraction || a->mbps_now != b->mbps_now ||
	    a->mbps_avg != b->mbps_avg || a->latency_ms != b->latency_ms;
}

static void
sample_progress(struct kiosk *k, double now)
{
	struct test_progress p;

	if (k->test == NULL || now < k->next_progress)
		return;
	session_progress(k->test, &p);
	k->next_progress = now + PROGRESS_INTERVAL;
	if (progress_changed(&p, &k->model.progress)) {
		k->model.progress = p;
		feed(k, KEV_PROGRESS, 0);
	}
}

/* ---- unattended tests ---- */

/* The day's traffic: from the store when it can tell (it survives restarts), else counted here. */
static uint64_t
traffic_today(struct kiosk *k)
{
	long long stored = k->store != NULL ?
	    store_bytes_since(k->store, local_day_start(now_wall())) : -1;
	return stored >= 0 ? (uint64_t)stored : k->bytes_today;
}

/* Whether the kiosk is idle: the budget is judged only then, with every earlier test stored. */
static bool
idle(const struct kiosk *k)
{
	return k->fsm.state == KS_WELCOME || k->fsm.state == KS_OUT_OF_SERVICE;
}

/* The monotonic deadline of a wall-clock moment (the clock, schedules); a past one stays due. */
static double
mono_of_wall(double wall, double now)
{
	return wall < 0 ? -1 : now + fmax(0, wall - now_wall());
}

/*
 * The next unattended test after wall time t. It is waited for on the monotonic clock: a wall
 * clock set back an hour does not postpone it an hour (clock_stepped plans it again).
 */
static void
plan_schedule(struct kiosk *k, time_t t)
{
	time_t next = schedule_next(&k->sched, t);

	k->next_sched = next < 0 ? -1 : (double)next;
	k->sched_at = mono_of_wall(k->next_sched, now_mono());
}

/* A scheduled test is due on an idle screen: ask for it, or say why not. */
static void
check_schedule(struct kiosk *k)
{
	time_t now = time(NULL);
	uint64_t used;

	if (k->sched_at < 0 || now_mono() < k->sched_at || !idle(k))
		return;
	plan_schedule(k, now);
	used = traffic_today(k);
	if (quiet_hours_cover(&k->quiet, now)) {
		log_info("scheduled test skipped: quiet hours %s", k->cfg.test.quiet_hours);
		return;
	}
	if (!schedule_budget_allows(used, k->last_test_bytes, k->cfg.test.daily_budget_mb)) {
		log_info("scheduled test skipped: daily budget of %g MB reached "
		    "(%.1f MB used today)", k->cfg.test.daily_budget_mb, (double)used / 1e6);
		return;
	}
	log_info("scheduled test due");
	feed(k, KEV_SCHEDULE_DUE, 0);
}

/*
 * The next unattended test from [test] schedule, schedule_splay_seconds and quiet_hours
 * (validated by config_load). Quiet hours are judged when the delayed test is due.
 */
static void
schedule_from_config(struct kiosk *k)
{
	const struct config *c = &k->cfg;
	bool scheduled = c->test.schedule != NULL && schedule_parse(c->test.schedule, &k->sched) == 0;

	if (quiet_hours_parse(c->test.quiet_hours, &k->quiet) != 0)
		memset(&k->quiet, 0, sizeof k->quiet);
	k->next_sched = k->sched_at = -1;
	if (!scheduled)
		return;
	k->sched.offset = schedule_splay_offset(&k->sched, c->station.id,
	    c->test.schedule_splay_seconds);
	log_info("schedule %s: this station %d s after each time (schedule_splay_seconds = %d)",
	    c->test.schedule, k->sched.offset, c->test.schedule_splay_seconds);
	plan_schedule(k, time(NULL));
}

/* ---- configuration ---- */

static void
fsm_conf(const struct config *c, bool broken, struct kiosk_conf *out)
{
	memset(out, 0, sizeof *out);
	out->result_seconds = c->kiosk.result_seconds;
	out->result_min_seconds = c->kiosk.result_min_seconds;
	out->error_seconds = c->kiosk.error_seconds;
	out->cooldown_seconds = c->kiosk.cooldown_seconds;
	out->staff_pin = c->kiosk.staff_pin;
	out->fail_limit = FAIL_LIMIT;
	out->retry_seconds = c->kiosk.retry_seconds;
	out->broken = broken;
	out->speech = c->kiosk.speech;
}

/* [kiosk] speech: a voice, or none (again after a reload). */
static void
voice_from_config(struct kiosk *k)
{
	speech_free(k->voice);
	k->voice = k->cfg.kiosk.speech ? speech_new(NULL) : NULL;
}

/* What the screens show from the configuration (again after a reload). */
static void
model_from_config(struct kiosk *k)
{
	view_config(&k->model, &k->cfg);
	mark(k);
}

/*
 * SIGHUP: load the INI afresh. A broken file changes nothing: every problem goes to the log and
 * the staff screen. A good one waits in next_cfg until the state machine finds the kiosk idle.
 */
static void
load_config(struct kiosk *k)
{
	struct config fresh;
	struct diags d = { 0 };
	int rc = config_load(k->cli->config_path, &fresh, &d);

	kmetrics_config_errors(&k->metrics, diags_count(&d, DIAG_ERROR));
	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].level == DIAG_ERROR) {
			log_err("config reload: %s", d.v[i].text);
			remember_problem(k, "problem.config", d.v[i].text);
		} else
			log_warn("config reload: %s", d.v[i].text);
	}
	diags_free(&d);
	if (rc != 0) {
		log_err("config reload: %s has errors; keeping the configuration in use",
		    k->cli->config_path);
		config_free(&fresh);
		return;
	}
	if (k->reload_ready)
		config_free(&k->next_cfg);
	k->next_cfg = fresh;
	k->reload_ready = true;
	log_info("config reload: %s is valid; applying it when the kiosk is idle",
	    k->cli->config_path);
	post(k, KEV_RELOAD_READY, 0);
}

static bool
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Would the store be opened differently under n than under o (file, or sinks queued)? */
static bool
store_changed(const struct config *o, const struct config *n)
{
	return !same_text(o->storage.path, n->storage.path) ||
	    o->upload.enabled != n->upload.enabled ||
	    !same_text(o->upload.format, n->upload.format);
}

/* A new list URL, refresh interval or cache place: a new fetcher (which fetches at once). */
static bool
lists_changed(const struct config *o, const struct config *n)
{
	return !same_text(o->server_list_url, n->server_list_url) ||
	    o->server_list_refresh_hours != n->server_list_refresh_hours ||
	    !same_text(o->storage.path, n->storage.path);
}

static bool
gps_changed(const struct config *o, const struct config *n)
{
	return o->gps.enabled != n->gps.enabled || !same_text(o->gps.host, n->gps.host) ||
	    !same_text(o->gps.port, n->gps.port);
}

/*
 * The state machine found the kiosk idle. The upload queue is always made anew, so new targets
 * and tokens (even a token file rewritten in place) take effect; an upload under way is simply
 * retried, its job being in the database. The database and the gpsd client are reopened when
 * their settings changed (the database also after a broken start), so staff never need a
 * restart for a new file.
 */
static void
apply_config(struct kiosk *k)
{
	bool store, gps, lists;
	struct kiosk_conf kc;

	if (!k->reload_ready)
		return;
	store = k->store == NULL || store_changed(&k->cfg, &k->next_cfg);
	gps = gps_changed(&k->cfg, &k->next_cfg);
	/* the fetcher also starts after a broken start, which had none */
	lists = k->lists == NULL || lists_changed(&k->cfg, &k->next_cfg);
	upload_detach(k);
	if (lists)
		lists_detach(k);
	if (store)
		store_detach(k);
	if (gps)
		gps_detach(k);
	config_free(&k->cfg);
	k->cfg = k->next_cfg;
	memset(&k->next_cfg, 0, sizeof k->next_cfg);
	k->reload_ready = false;
	if (gps) {
		gps_attach(k);
		log_info("config reload: gpsd client restarted");
	}
	if (store) {
		store_attach(k);
		log_info("config reload: database reopened");
	}
	upload_attach(k);
	if (lists)
		lists_attach(k);
	keep_status(k);
	kmetrics_touch(&k->metrics);
	model_from_config(k);
	schedule_from_config(k);
	voice_from_config(k);
	fsm_conf(&k->cfg, false, &kc);
	kiosk_set_conf(&k->fsm, &kc);
	k->status = 0;
	if (strcmp(i18n_lang(k->tr), configured_language(k)) != 0)
		set_language(k, configured_language(k));
	log_info("config reload: new configuration in use");
}

/* ---- events in, actions out ---- */

static void
countdowns_to_model(struct kiosk *k, double now)
{
	struct kiosk_countdowns c;

	kiosk_countdowns(&k->fsm, now, &c);
	if (view_countdowns(&k->model, &c))
		mark(k);
}

/* The result read aloud: the catalog's sentence, the verdict as on screen, figures as words. */
static void
speak_result(struct kiosk *k)
{
	const struct ui_model *m = &k->model;
	char text[1024];

	if (k->voice == NULL)
		return;
	/* the sentence has both speeds; a partial result's screen says the upload is missing */
	if (m->upload_mbps < 0) {
		log_info("result without an upload figure: not read aloud");
		return;
	}
	if (speech_result_text(i18n_get(k->tr, "speech.result"), i18n_get(k->tr, m->verdict_key),
	    m->download_mbps, m->upload_mbps, i18n_lang(k->tr), text, sizeof text) != 0 ||
	    speech_say(k->voice, i18n_lang(k->tr), text) != 0)
		log_warn("cannot read the result aloud: %s", strerror(errno));
}

static void
carry_out(struct kiosk *k, const struct kiosk_do *d)
{
	if (d->note != NULL)
		log_info("%s", d->note);
	if (d->cancel_test && k->test != NULL)
		session_cancel(k->test);
	if (d->quit) {
		k->quit = true;
		k->status = d->status;
		return;
	}
	if (d->resize)
		ui_resize();
	if (d->language != NULL)
		set_language(k, *d->language != '\0' ? d->language : configured_language(k));
	if (d->apply_config)
		apply_config(k);
	if (d->staff_opened) {
		view_staff(&k->model, &k->cfg, k->cli->config_path, k->cli->log_path);
		lists_to_staff(k);
		keep_status(k);
	}
	if (d->redraw)
		mark(k);
	if (d->load_config)
		load_config(k);
	if (d->speak)
		speak_result(k);
	if (d->start_test != NULL) {
		speech_stop(k->voice);
		start_test(k, d->start_test);
	}
}

/* Staff see the state itself, not only the failures that led to it. */
static void
out_of_service_problem(struct kiosk *k)
{
	char detail[128];

	snprintf(detail, sizeof detail, "%d failed tests in a row; a test every %g s until one works",
	    k->fsm.conf.fail_limit, k->fsm.conf.retry_seconds);
	remember_problem(k, "problem.out_of_service", detail);
}

/* An event to feed after the current one: actions never call feed(), so nothing recurses. */
static void
post(struct kiosk *k, enum kiosk_event_type type, int arg)
{
	struct kiosk_event ev = { .type = type, .key = arg, .outcome = (enum test_outcome)arg };

	if (k->nqueue == KIOSK_QUEUE) {
		log_err("kiosk: event queue full; event %d dropped", (int)type);
		return;
	}
	k->queue[k->nqueue++] = ev;
}

/* One event through the state machine; every change of state is one log line tests wait for. */
static void
step(struct kiosk *k, const struct kiosk_event *ev)
{
	enum kiosk_state before = k->fsm.state;
	struct kiosk_do d;
	double now = now_mono();

	kiosk_step(&k->fsm, ev, now, &d);
	if (k->fsm.state != before) {
		if (k->fsm.state == KS_RUNNING)
			log_info("state: %s -> %s (%s)", kiosk_state_name(before),
			    kiosk_state_name(k->fsm.state), d.start_test);
		else
			log_info("state: %s -> %s", kiosk_state_name(before),
			    kiosk_state_name(k->fsm.state));
		watchdog_status(kiosk_state_name(k->fsm.state));
		kmetrics_touch(&k->metrics);
		if (k->fsm.state == KS_OUT_OF_SERVICE)
			out_of_service_problem(k);
	}
	view_fsm(&k->model, &k->fsm);
	countdowns_to_model(k, now);
	carry_out(k, &d);
}

/* An event, and then every event the actions it caused produced, in order. */
static void
feed(struct kiosk *k, enum kiosk_event_type type, int arg)
{
	struct kiosk_event ev;

	post(k, type, arg);
	while (k->nqueue > 0 && !k->quit) {
		ev = k->queue[0];
		memmove(&k->queue[0], &k->queue[1], (size_t)--k->nqueue * sizeof k->queue[0]);
		step(k, &ev);
	}
	k->nqueue = 0;
}

/* Keys: read everything pending; the terminal going away ends the kiosk. */
static int
keys_fds(void *ctx, struct pollfd *fds, int max)
{
	(void)ctx;
	if (max < 1)
		return 0;
	fds[0].fd = ui_fd();
	fds[0].events = POLLIN;
	return 1;
}

static bool
terminal_gone(int fd)
{
	int pending = 0;

	return ioctl(fd, FIONREAD, &pending) != 0 || pending == 0;
}

static void
keys_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct kiosk *k = ctx;
	int key;

	if (n < 1 || fds[0].revents == 0)
		return;
	/* Hung up, or readable with nothing to read (EOF, EIO): the terminal is gone. */
	if ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) || terminal_gone(fds[0].fd)) {
		feed(k, KEV_HANGUP, 0);
		return;
	}
	while (!k->quit && (key = ui_read_key()) != -1)
		feed(k, KEV_KEY, key);
}

/* Signals arrive through the signalfd source; act on them after its round. */
static void
take_signals(struct kiosk *k)
{
	if (signals_take(SIGTERM))
		feed(k, KEV_SIGTERM, 0);
	if (signals_take(SIGWINCH))
		feed(k, KEV_WINCH, 0);
	if (signals_take(SIGHUP))
		feed(k, KEV_SIGHUP, 0);
	if (signals_take(SIGCHLD))
		speech_reap(k->voice);
}

/* When the next time-driven change is due; -1 (sleep until a key or a signal) on an idle Welcome. */
static int
timers_timeout(void *ctx)
{
	struct kiosk *k = ctx;
	double now = now_mono(), due = kiosk_next_tick(&k->fsm, now);

	if (k->dirty)
		due = deadline_earlier(due, k->last_draw + REDRAW_INTERVAL);
	if (k->test != NULL)
		due = deadline_earlier(due, k->next_progress);
	if (idle(k))
		due = deadline_earlier(due, k->sched_at);
	due = deadline_earlier(due, k->next_clock);
	due = deadline_earlier(due, kmetrics_due(&k->metrics, k->cfg.metrics.textfile));
	return deadline_ms(due, now);
}

/*
 * The wall clock was stepped (NTP correcting a PC without RTC battery): the minute shown and
 * the next unattended test are planned again from the new time. A slot the step passed over
 * is due now: one test, not one per slot missed. One still ahead (the clock went back) comes
 * at the next slot by the new time, not an hour later.
 */
static void
clock_stepped(struct kiosk *k, double step)
{
	log_warn("wall clock stepped by %+.0f s; the clock and the schedule follow it", step);
	k->next_clock = now_mono();
	if (k->next_sched < 0)
		return;
	if (k->next_sched <= now_wall())
		k->sched_at = now_mono();
	else
		plan_schedule(k, time(NULL));
}

static void
timers_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	struct kiosk *k = ctx;
	double now = now_mono(), step, metrics_at;

	(void)fds;
	(void)n;
	if ((step = clock_watch_step(&k->clocks)) != 0)
		clock_stepped(k, step);
	if (now >= k->next_clock)
		k->next_clock = mono_of_wall(update_clock(k), now);
	sample_progress(k, now);
	check_schedule(k);
	feed(k, KEV_TICK, 0);
	if ((metrics_at = kmetrics_due(&k->metrics, k->cfg.metrics.textfile)) >= 0 &&
	    now >= metrics_at)
		write_metrics(k, true);
}

static void
redraw_if_due(struct kiosk *k)
{
	double now = now_mono();

	countdowns_to_model(k, now);
	if (!k->dirty || now < k->last_draw + REDRAW_INTERVAL)
		return;
	ui_draw(&k->model);
	k->dirty = false;
	k->last_draw = now;
}

static void
ensure_utf8_ctype(void)
{
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 && setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		log_warn("no UTF-8 locale: Vietnamese text may be garbled");
}

static void
load_assets(struct kiosk *k)
{
	char err[256], *path;

	path = assets_path(k->datadir, "digits.txt");
	if ((k->font = bigfont_load(path, err, sizeof err)) == NULL) {
		log_warn("large digits unavailable: %s", err);
		remember_problem(k, "problem.assets", err);
	}
	free(path);
	path = assets_path(k->datadir, "verdicts.ini");
	if (verdicts_load(path, &k->verdicts, err, sizeof err) != 0) {
		log_warn("verdicts: %s", err);
		remember_problem(k, "problem.assets", err);
	}
	free(path);
}

static void
init_model(struct kiosk *k)
{
	struct ui_model *m = &k->model;

	m->font = k->font;
	m->uploads_pending = -1;
	model_from_config(k);
	schedule_from_config(k);
	m->jitter_ms = m->loaded_download_ms = m->loaded_upload_ms = -1;
	m->ipv6 = -1;
	m->verdict_key = "verdict.none";
	m->rating_key = "rating.slow";
}

static int
run(struct kiosk *k, bool config_ok)
{
	struct loop_source keys = { .fds = keys_fds, .dispatch = keys_dispatch, .ctx = k };
	struct loop_source timers = { .timeout_ms = timers_timeout, .dispatch = timers_dispatch,
	    .ctx = k };
	struct loop_source sig = signals_source();
	struct kiosk_conf kc;
	struct watchdog wd;
	struct loop_source ping;

	loop_init(&k->loop);
	loop_add(&k->loop, &sig);
	loop_add(&k->loop, &keys);
	loop_add(&k->loop, &timers);
	gps_attach(k);
	/* Under systemd, pings from this loop prove it is alive; a hung loop gets restarted. */
	if (watchdog_init(&wd, &ping) == 0)
		loop_add(&k->loop, &ping);
	else
		log_warn("systemd watchdog variables are invalid; not pinging");
	if (config_ok) {
		store_attach(k);
		upload_attach(k);
		lists_attach(k);
		voice_from_config(k);
	}
	fsm_conf(&k->cfg, !config_ok, &kc);
	kiosk_init(&k->fsm, &kc, now_mono());
	view_fsm(&k->model, &k->fsm);
	log_info("state: start -> %s", kiosk_state_name(k->fsm.state));
	k->today = -1;
	clock_watch_init(&k->clocks);
	k->next_clock = mono_of_wall(update_clock(k), now_mono());
	redraw_if_due(k);
	watchdog_ready();
	while (!k->quit) {
		int gps_was = k->model.gps_state;

		if (view_gps(&k->model, k->gps, now_mono()))
			mark(k);
		if (k->model.gps_state != gps_was)
			kmetrics_touch(&k->metrics);
		redraw_if_due(k);
		if (loop_once(&k->loop, -1) != 0) {
			log_err("poll failed; closing the kiosk");
			k->status = 1;
			break;
		}
		take_signals(k);
		lists_watch(k);
		if (k->test != NULL && session_finished(k->test))
			finish_test(k);
	}
	watchdog_stopping();
	write_metrics(k, false);
	if (k->test != NULL) {
		session_cancel(k->test);
		loop_remove(&k->loop, k->test);
		session_free(k->test);
		k->test = NULL;
	}
	gps_detach(k);
	lists_detach(k);
	upload_detach(k);
	store_detach(k);
	speech_free(k->voice);
	k->voice = NULL;
	return k->status;
}

int
cmd_kiosk(const struct cli *cli, int argc, char **argv)
{
	struct kiosk k = { .cli = cli };
	bool config_ok;
	size_t config_errors;
	int status;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: tramdo [-c FILE] [--log FILE]\n");
		return 2;
	}
	ensure_utf8_ctype();
	if (log_open(cli->log_path != NULL ? LOG_FILE : LOG_JOURNAL, cli->log_path) != 0) {
		fprintf(stderr, "tramdo: cannot open log file %s: %s\n", cli->log_path,
		    strerror(errno));
		return 1;
	}
	config_ok = cli_load_config_counted(cli, &k.cfg, &config_errors) == 0;
	kmetrics_init(&k.metrics);
	kmetrics_config_errors(&k.metrics, config_errors);
	k.datadir = assets_dir();
	signals_ignore(ignored, sizeof ignored / sizeof ignored[0]);
	if (signals_catch(caught, sizeof caught / sizeof caught[0]) != 0)
		log_err("cannot watch for signals: %s", strerror(errno));
	load_assets(&k);
	set_language(&k, configured_language(&k));
	init_model(&k);
	if (!config_ok) {
		/* Refuse to measure with a broken config; say so until staff fix it. */
		log_err("configuration %s has errors; the kiosk will not start tests",
		    cli->config_path);
		k.status = EXIT_CONFIG;
	}
	if (ui_open() != 0) {
		/* No screen to spoil: say it where the person who started us can read it. */
		fprintf(stderr, "tramdo: the kiosk needs a terminal (see tramdo --help)\n");
		log_err("the kiosk needs a terminal");
		status = 1;
	} else {
		status = run(&k, config_ok);
		ui_close();
	}
	log_info("kiosk stopped");
	bigfont_free(k.font);
	i18n_free(k.tr);
	config_free(&k.cfg);
	if (k.reload_ready)
		config_free(&k.next_cfg);
	free(k.datadir);
	log_close();
	return status;
}
