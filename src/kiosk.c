/* kiosk.c — see kiosk.h: the kiosk's state machine on the one poll() loop. */
#include "kiosk.h"
#include "bigtext.h"
#include "cmd.h"
#include "codec.h"
#include "config.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "measure.h"
#include "result.h"
#include "schedule.h"
#include "servers.h"
#include "store.h"
#include "ui.h"
#include "upload.h"
#include "util.h"
#include "verdict.h"
#include "watchdog.h"
#include "gps.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>

#define REDRAW_INTERVAL		0.1	/* seconds: at most 10 redraws a second */
#define PROGRESS_INTERVAL	0.1	/* seconds between engine progress samples */
#define CONFIRM_SECONDS		8	/* the "cancel?" question goes away by itself */
#define STAFF_IDLE_SECONDS	120	/* an abandoned staff screen returns to Welcome */
#define PIN_FREE_TRIES		3
#define PIN_LOCK_BASE		30
#define PIN_LOCK_MAX		900
#define DEFAULT_RESULT_SECONDS	60
#define DEFAULT_ERROR_SECONDS	20
#define KIOSK_STORE_WAIT_MS	200	/* a locked database holds the result in memory, not the screen */

enum kiosk_state { K_WELCOME, K_RUNNING, K_RESULT, K_ERROR, K_STAFF, K_BROKEN };

struct kiosk {
	const struct cli	*cli;
	struct config		 cfg;
	char			*datadir;
	struct i18n		*tr;
	struct bigfont		*font;
	struct verdicts		 verdicts;
	struct ui_model		 model;
	struct loop		 loop;
	enum kiosk_state	 state;

	struct gps		*gps;
	struct measure		*m;
	struct server_list	 servers;
	struct result		 result;

	struct store		*store;		/* results, committed before "done" */
	struct upload		*up;		/* NULL when upload is off or misconfigured */
	char			 store_problem[512];	/* last disk problem told to staff */

	double	deadline;	/* monotonic: Result/Error end, "cancel?" ends, staff idle */
	double	cooldown_until;
	double	next_progress;
	double	next_clock;	/* wall clock: the next minute */
	int	today;		/* day of year the count is for */
	bool	dirty;
	double	last_draw;

	int	staff_presses;
	double	staff_first_press;
	int	pin_failures;
	double	pin_locked_until;

	/* Unattended tests: the day's traffic is counted from the results of this kiosk. */
	struct schedule		sched;
	struct quiet_hours	quiet;
	double			next_sched;	/* wall clock; -1: none */
	uint64_t		bytes_today;
	uint64_t		last_test_bytes;	/* what one more test is expected to move */
	bool			scheduled;	/* the running test is a scheduled one */
	bool			key_waiting;	/* a citizen pressed a key during it */

	/* A reloaded configuration waits here for an idle Welcome screen. */
	struct config		next_cfg;
	bool			reload_ready;

	bool	quit;
	int	status;
};

static volatile sig_atomic_t got_term, got_winch, got_hup;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

static void
on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

/* Keys, not signals, for Ctrl-C/Z/\ (raw mode); these only guard against stray signals. */
static void
setup_signals(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, term = { .sa_handler = on_term },
	    winch = { .sa_handler = on_winch }, hup = { .sa_handler = on_hup };

	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGTSTP, &ign, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigaction(SIGTERM, &term, NULL);
	/* SIGHUP reloads the INI; a terminal that went away is seen as EOF on the keys. */
	sigaction(SIGHUP, &hup, NULL);
	sigaction(SIGWINCH, &winch, NULL);
}

bool
kiosk_pin_equal(const char *entered, const char *pin)
{
	size_t le = strlen(entered), lp = strlen(pin), n = lp > UI_PIN_MAX ? lp : UI_PIN_MAX;
	volatile unsigned char diff = (unsigned char)(le != lp);

	/* Always the same number of steps, whatever matches: no timing hint about the PIN. */
	for (size_t i = 0; i < n; i++) {
		unsigned char a = i < le ? (unsigned char)entered[i] : 0;
		unsigned char b = i < lp ? (unsigned char)pin[i] : 0;

		diff |= a ^ b;
	}
	return diff == 0;
}

int
kiosk_pin_lock_seconds(int failures)
{
	int s = PIN_LOCK_BASE;

	if (failures < PIN_FREE_TRIES)
		return 0;
	for (int i = PIN_FREE_TRIES; i < failures && s < PIN_LOCK_MAX; i++)
		s *= 2;
	return s < PIN_LOCK_MAX ? s : PIN_LOCK_MAX;
}

static void
mark(struct kiosk *k)
{
	k->dirty = true;
}

static void
remember_error(struct kiosk *k, const char *msg)
{
	struct ui_model *m = &k->model;

	memmove(&m->errors[1], &m->errors[0], sizeof m->errors[0] * (UI_ERRORS_MAX - 1));
	/* Long messages are cut; the log keeps them whole. */
	size_t n = strnlen(msg, sizeof m->errors[0] - 1);

	memcpy(m->errors[0], msg, n);
	m->errors[0][n] = '\0';
	if (m->nerrors < UI_ERRORS_MAX)
		m->nerrors++;
}

static bool
has_catalogs(const char *dir)
{
	char *path = xasprintf("%s/i18n/en.ini", dir);
	bool ok = access(path, R_OK) == 0;

	free(path);
	return ok;
}

/* assets/ beside the running binary or one level up (a binary in its source tree), or NULL. */
static char *
assets_near_binary(void)
{
	static const char *const rel[] = { "assets", "../assets" };
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		char *dir = xasprintf("%s/%s", exe, rel[i]);

		if (has_catalogs(dir))
			return dir;
		free(dir);
	}
	return NULL;
}

/*
 * Where assets are: $TRAMDO_DATADIR, else the installed directory, else assets/ near the
 * binary (how `make demo` runs it from the source tree). The caller frees it.
 */
static char *
datadir(void)
{
	const char *env = getenv("TRAMDO_DATADIR");
	char *near;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (!has_catalogs(TRAMDO_DATADIR) && (near = assets_near_binary()) != NULL)
		return near;
	return xstrdup(TRAMDO_DATADIR);
}

static void
set_language(struct kiosk *k, const char *lang)
{
	char *dir = xasprintf("%s/i18n", k->datadir);

	i18n_free(k->tr);
	k->tr = i18n_open(dir, lang);
	free(dir);
	for (size_t i = 0; i < i18n_problem_count(k->tr); i++) {
		log_warn("catalog: %s", i18n_problem(k->tr, i));
		remember_error(k, i18n_problem(k->tr, i));
	}
	k->model.tr = k->tr;
	mark(k);
}

static const char *
configured_language(const struct kiosk *k)
{
	return k->cfg.kiosk.language != NULL ? k->cfg.kiosk.language : "vi";
}

static enum charset
resolve_charset(enum charset cs)
{
	const char *term = getenv("TERM");

	if (cs != CHARSET_AUTO)
		return cs;
	return term != NULL && strcmp(term, "linux") == 0 ? CHARSET_CONSOLE : CHARSET_UNICODE;
}

static int
seconds_or(int v, int dflt)
{
	return v > 0 ? v : dflt;
}

static void keep_status(struct kiosk *k);

/* The clock on Welcome and the day the count belongs to; returns the wall time of the next minute. */
static double
update_clock(struct kiosk *k)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(k->model.clock, sizeof k->model.clock, "%d/%m/%Y %H:%M", &tm);
	if (tm.tm_yday != k->today) {
		k->today = tm.tm_yday;
		k->model.tests_today = 0;
		k->bytes_today = 0;
	}
	keep_status(k);
	mark(k);
	return (double)(now - tm.tm_sec + 60);
}

static void
go_welcome(struct kiosk *k)
{
	k->state = K_WELCOME;
	k->model.screen = UI_WELCOME;
	k->model.staff_unlocked = false;
	k->staff_presses = 0;
	/* The next citizen meets the station's own language again. */
	if (strcmp(i18n_lang(k->tr), configured_language(k)) != 0)
		set_language(k, configured_language(k));
	mark(k);
}

static void
go_error(struct kiosk *k, const char *key)
{
	k->state = K_ERROR;
	k->model.screen = UI_ERROR;
	k->model.error_key = key;
	k->model.back_left = seconds_or(k->cfg.kiosk.error_seconds, DEFAULT_ERROR_SECONDS);
	k->deadline = now_mono() + k->model.back_left;
	mark(k);
}

static const char *
error_text_key(enum test_error e)
{
	switch (e) {
	case MERR_DNS:
		return "error.network";
	case MERR_NO_SERVER:
	case MERR_CONNECT:
	case MERR_TLS:
		return "error.no_server";
	case MERR_HTTP:
	case MERR_BAD_DATA:
		return "error.server";
	case MERR_RESET:
	case MERR_STALLED:
		return "error.stalled";
	default:
		return "error.internal";
	}
}

static void
engine_remove(struct kiosk *k)
{
	loop_remove(&k->loop, k->m);
	measure_free(k->m);
	k->m = NULL;
	server_list_free(&k->servers);
	memset(&k->servers, 0, sizeof k->servers);
}

/* Each finished test, failed ones too, is one JSON line in the log (never on screen). */
static void
log_result_line(const struct result *r)
{
	char *json = codec_json(r);

	log_result(json);
	free(json);
}

static void
show_result(struct kiosk *k, const struct test_figures *mr)
{
	struct ui_model *m = &k->model;
	char d[32], u[32], l[32], t[32], *s1, *s2, *s3;
	time_t start = (time_t)k->result.started_at;
	struct tm tm;

	m->download_mbps = mr->download_mbps;
	m->upload_mbps = mr->upload_mbps;
	m->latency_ms = mr->latency_median_ms;
	m->jitter_ms = mr->jitter_ms;
	m->loaded_download_ms = mr->loaded_download_ms;
	m->loaded_upload_ms = mr->loaded_upload_ms;
	m->verdict_key = verdict_for(&k->verdicts, mr->download_mbps, mr->upload_mbps,
	    mr->latency_median_ms);
	/* The QR code holds the same figures as the screen, as the citizen reads them. */
	snprintf(d, sizeof d, "%s", ui_number(mr->download_mbps, ui_mbps_decimals(mr->download_mbps), 0));
	snprintf(u, sizeof u, "%s", ui_number(mr->upload_mbps, ui_mbps_decimals(mr->upload_mbps), 0));
	snprintf(l, sizeof l, "%s", ui_number(mr->latency_median_ms,
	    ui_ms_decimals(mr->latency_median_ms), 0));
	localtime_r(&start, &tm);
	strftime(t, sizeof t, "%d/%m/%Y %H:%M", &tm);
	s1 = xstrdup(ui_subst(i18n_get(k->tr, "result.qr_text"), "{t}", t));
	s2 = xstrdup(ui_subst(s1, "{d}", d));
	s3 = xstrdup(ui_subst(s2, "{u}", u));
	snprintf(m->result_text, sizeof m->result_text, "%s", ui_subst(s3, "{l}", l));
	free(s1);
	free(s2);
	free(s3);
	k->state = K_RESULT;
	m->screen = UI_RESULT;
	m->back_left = seconds_or(k->cfg.kiosk.result_seconds, DEFAULT_RESULT_SECONDS);
	k->deadline = now_mono() + m->back_left;
	mark(k);
}

/* Welcome's counts from the store; a disk problem goes to the staff screen once. */
static void
keep_status(struct kiosk *k)
{
	struct store_status ss;
	long n;

	if (k->store == NULL)
		return;
	if ((n = store_count_today(k->store)) >= 0)
		k->model.tests_today = (int)n;
	k->model.uploads_pending = k->up != NULL ? (int)store_waiting(k->store) : -1;
	store_status(k->store, &ss);
	if (!ss.ok && strcmp(ss.message, k->store_problem) != 0)
		remember_error(k, ss.message);
	snprintf(k->store_problem, sizeof k->store_problem, "%s", ss.message);
	mark(k);
}

/* The store joins the loop (not with a broken config: no path to trust). */
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
		remember_error(k, err);
		return;
	}
	up.ctx = k->up;
	loop_add(&k->loop, &up);
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

/* Committed (or held in memory on a bad disk) before the result is shown; then uploaded. */
static void
keep_result(struct kiosk *k)
{
	char err[512];

	if (k->store == NULL)
		return;
	if (store_put(k->store, &k->result, err, sizeof err) == 0 && k->up != NULL)
		upload_kick(k->up);
	keep_status(k);
}

/* Citizen and scheduled tests alike count against the day's budget, failed ones too. */
static void
count_traffic(struct kiosk *k, const struct test_figures *mr)
{
	uint64_t bytes = mr->download_bytes + mr->upload_bytes;

	k->bytes_today += bytes;
	if (bytes > 0)
		k->last_test_bytes = bytes;
}

/*
 * Nobody asked for it: back to Welcome. A citizen who came meanwhile (key_waiting) gets their
 * test from tick(), which this is always reached from; starting it here would make
 * start_test → finish_test → finish_scheduled a recursive chain.
 */
static void
finish_scheduled(struct kiosk *k, const struct test_figures *mr)
{
	if (mr->error != MERR_NONE) {
		char *msg = xasprintf("scheduled test: %s: %s", test_error_name(mr->error),
		    mr->message);

		log_warn("%s", msg);
		remember_error(k, msg);
		free(msg);
	} else
		log_info("scheduled test done");
	result_free(&k->result);
	engine_remove(k);
	k->scheduled = false;
	go_welcome(k);
}

static void
finish_test(struct kiosk *k)
{
	const struct test_figures *mr = measure_result(k->m);

	result_set_measurement(&k->result, mr);
	gps_location(k->gps, &k->cfg, now_mono(), &k->result.location);
	log_result_line(&k->result);
	if (mr->error != MERR_CANCELLED) {
		k->model.tests_today++;	/* the store's count replaces it when the disk can tell */
		keep_result(k);
	}
	count_traffic(k, mr);
	if (k->scheduled) {
		finish_scheduled(k, mr);
		return;
	}
	k->cooldown_until = now_mono() + k->cfg.kiosk.cooldown_seconds;
	if (mr->error == MERR_NONE) {
		show_result(k, mr);
	} else if (mr->error == MERR_CANCELLED) {
		go_welcome(k);
	} else {
		char *msg = xasprintf("%s: %s", test_error_name(mr->error), mr->message);

		log_warn("test failed: %s", msg);
		remember_error(k, msg);
		free(msg);
		go_error(k, error_text_key(mr->error));
	}
	result_free(&k->result);
	engine_remove(k);
}

static void
start_test(struct kiosk *k, const char *trigger)
{
	struct measure_opts opts;
	struct loop_source src = {
		.fds = measure_fds, .timeout_ms = measure_timeout, .dispatch = measure_step,
	};
	char err[256];
	const char *which = k->cfg.test.server != NULL ? k->cfg.test.server : "auto";

	k->scheduled = strcmp(trigger, "schedule") == 0;
	k->key_waiting = false;	/* whoever waited is served by this test (or told why not) */
	if (servers_candidates(&k->cfg, which, &k->servers, err, sizeof err) != 0) {
		log_err("no server to test against: %s", err);
		remember_error(k, err);
		if (!k->scheduled)
			go_error(k, "error.no_server");
		k->scheduled = false;
		return;
	}
	measure_opts_from_config(&k->cfg, &opts);
	result_init(&k->result, &k->cfg, trigger);
	k->m = measure_new(k->servers.v, k->servers.n, &opts);
	src.ctx = k->m;
	loop_add(&k->loop, &src);
	memset(&k->model.progress, 0, sizeof k->model.progress);
	k->model.confirm_cancel = false;
	k->state = K_RUNNING;
	k->model.screen = UI_RUNNING;
	k->next_progress = now_mono() + PROGRESS_INTERVAL;
	mark(k);
	/* A start that fails at once is finished now: the result says why. */
	if (measure_start(k->m) != 0 || measure_finished(k->m))
		finish_test(k);
}

static void
open_staff(struct kiosk *k)
{
	struct ui_model *m = &k->model;

	if (k->cfg.kiosk.staff_pin == NULL || *k->cfg.kiosk.staff_pin == '\0') {
		log_warn("staff screen requested, but [kiosk] staff_pin is not set");
		return;
	}
	explicit_bzero(m->pin, sizeof m->pin);
	m->pin_len = 0;
	m->pin_wrong = false;
	m->staff_unlocked = false;
	k->state = K_STAFF;
	m->screen = UI_STAFF;
	k->deadline = now_mono() + STAFF_IDLE_SECONDS;
	mark(k);
}

static void
staff_key_pressed(struct kiosk *k)
{
	double now = now_mono();

	if (k->staff_presses == 0 || now - k->staff_first_press > KIOSK_STAFF_WINDOW) {
		k->staff_presses = 0;
		k->staff_first_press = now;
	}
	if (++k->staff_presses == KIOSK_STAFF_PRESSES) {
		k->staff_presses = 0;
		open_staff(k);
	}
}

static void
add_info(struct ui_model *m, const char *label_key, const char *value)
{
	if (m->ninfo == UI_INFO_MAX)
		return;
	m->info[m->ninfo].label_key = label_key;
	snprintf(m->info[m->ninfo].value, sizeof m->info[0].value, "%s", value != NULL ? value : "-");
	m->ninfo++;
}

static void
fill_staff_info(struct kiosk *k)
{
	struct ui_model *m = &k->model;
	const struct config *c = &k->cfg;
	char station[128];

	m->ninfo = 0;
	snprintf(station, sizeof station, "%s %s", c->station.id != NULL ? c->station.id : "-",
	    c->station.name != NULL ? c->station.name : "");
	add_info(m, "staff.station", station);
	add_info(m, "staff.config", k->cli->config_path);
	add_info(m, "staff.server", c->test.server != NULL ? c->test.server : "auto");
	add_info(m, "staff.language", configured_language(k));
	add_info(m, "staff.log", k->cli->log_path != NULL ? k->cli->log_path : "journal");
}

static void
submit_pin(struct kiosk *k)
{
	struct ui_model *m = &k->model;
	bool ok = kiosk_pin_equal(m->pin, k->cfg.kiosk.staff_pin);

	explicit_bzero(m->pin, sizeof m->pin);
	m->pin_len = 0;
	if (ok) {
		k->pin_failures = 0;
		m->pin_wrong = false;
		m->staff_unlocked = true;
		fill_staff_info(k);
		log_info("staff screen opened");
	} else {
		int lock = kiosk_pin_lock_seconds(++k->pin_failures);

		m->pin_wrong = true;
		log_warn("staff screen: wrong PIN (%d in a row)", k->pin_failures);
		if (lock > 0)
			k->pin_locked_until = now_mono() + lock;
	}
	mark(k);
}

static void
act(struct kiosk *k, enum ui_action a)
{
	switch (a) {
	case UI_NONE:
		break;
	case UI_START:
		if (now_mono() >= k->cooldown_until)
			start_test(k, "citizen");
		break;
	case UI_LANG_EN:
	case UI_LANG_VI:
		set_language(k, a == UI_LANG_EN ? "en" : "vi");
		break;
	case UI_STAFF_KEY:
		staff_key_pressed(k);
		break;
	case UI_CANCEL_ASK:
		k->model.confirm_cancel = true;
		k->deadline = now_mono() + CONFIRM_SECONDS;
		break;
	case UI_CANCEL_NO:
		k->model.confirm_cancel = false;
		break;
	case UI_CANCEL_YES:
		k->model.confirm_cancel = false;
		log_info("test cancelled by the citizen");
		measure_cancel(k->m);
		break;
	case UI_DISMISS:
	case UI_STAFF_BACK:
		go_welcome(k);
		break;
	case UI_PIN_CHANGED:
		k->model.pin_wrong = false;
		break;
	case UI_PIN_SUBMIT:
		submit_pin(k);
		break;
	case UI_EXIT:
		log_info("kiosk closed from the staff screen");
		k->quit = true;
		break;
	}
	mark(k);
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
		log_err("the terminal went away; closing the kiosk");
		k->quit = true;
		k->status = 1;
		return;
	}
	while ((key = ui_read_key()) != -1) {
		if (k->state == K_STAFF)
			k->deadline = now_mono() + STAFF_IDLE_SECONDS;
		/* A scheduled test is not the citizen's to cancel: their test comes right after. */
		if (k->state == K_RUNNING && k->scheduled) {
			if (!k->key_waiting)
				log_info("a citizen is waiting for the scheduled test to end");
			k->key_waiting = true;
		} else if (k->state != K_BROKEN)
			act(k, ui_key(&k->model, key));
	}
}

static int
seconds_left(double until, double now)
{
	double s = ceil(until - now);

	return s > 0 ? (int)s : 0;
}

/* Member by member: memcmp would compare padding bytes too (and treat -0.0 and 0.0 as different). */
static bool
progress_changed(const struct test_progress *a, const struct test_progress *b)
{
	return a->phase != b->phase || a->phase_fraction != b->phase_fraction ||
	    a->overall_fraction != b->overall_fraction || a->mbps_now != b->mbps_now ||
	    a->mbps_avg != b->mbps_avg || a->latency_ms != b->latency_ms;
}

/* The day's traffic: from the store when it can tell (it survives restarts), else counted here. */
static uint64_t
traffic_today(struct kiosk *k)
{
	time_t now = time(NULL);
	struct tm tm;
	long long stored;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	stored = k->store != NULL ? store_bytes_since(k->store, (double)mktime(&tm)) : -1;
	return stored >= 0 ? (uint64_t)stored : k->bytes_today;
}

/* A scheduled test is due on an idle Welcome screen: start it, or say why not. */
static void
run_schedule(struct kiosk *k)
{
	time_t now = time(NULL);
	uint64_t used = traffic_today(k);

	k->next_sched = (double)schedule_next(&k->sched, now);
	if (quiet_hours_cover(&k->quiet, now)) {
		log_info("scheduled test skipped: quiet hours %s", k->cfg.test.quiet_hours);
		return;
	}
	if (!schedule_budget_allows(used, k->last_test_bytes, k->cfg.test.daily_budget_mb)) {
		log_info("scheduled test skipped: daily budget of %g MB reached "
		    "(%.1f MB used today)", k->cfg.test.daily_budget_mb, (double)used / 1e6);
		return;
	}
	log_info("scheduled test starting");
	start_test(k, "schedule");
}

/* Time-driven changes: countdowns, the engine's progress, the clock. */
static void
tick(struct kiosk *k)
{
	struct ui_model *m = &k->model;
	double now = now_mono();
	int left;

	if (now_wall() >= k->next_clock)
		k->next_clock = update_clock(k);
	left = seconds_left(k->cooldown_until, now);
	if (left != m->cooldown_left) {
		m->cooldown_left = left;
		mark(k);
	}
	switch (k->state) {
	case K_RUNNING:
		if (now >= k->next_progress) {
			struct test_progress p;

			measure_progress(k->m, &p);
			if (progress_changed(&p, &m->progress)) {
				m->progress = p;
				mark(k);
			}
			k->next_progress = now + PROGRESS_INTERVAL;
		}
		if (m->confirm_cancel && now >= k->deadline) {
			m->confirm_cancel = false;
			mark(k);
		}
		if (measure_finished(k->m))
			finish_test(k);
		break;
	case K_RESULT:
	case K_ERROR:
	case K_STAFF:
		if (now >= k->deadline) {
			go_welcome(k);
			break;
		}
		left = seconds_left(k->deadline, now);
		if (left != m->back_left) {
			m->back_left = left;
			mark(k);
		}
		left = seconds_left(k->pin_locked_until, now);
		if (left != m->pin_locked_left) {
			m->pin_locked_left = left;
			mark(k);
		}
		break;
	case K_WELCOME:
		if (k->next_sched >= 0 && now_wall() >= k->next_sched)
			run_schedule(k);
		break;
	case K_BROKEN:
		break;
	}
	/* The citizen who pressed a key during a scheduled test: their test starts as it ends. */
	if (k->state == K_WELCOME && k->key_waiting)
		start_test(k, "citizen");
}

static double
min_due(double a, double b)
{
	return b < a ? b : a;
}

/* When the next time-driven change is due; -1 (sleep until a key) on an idle Welcome. */
static int
timers_timeout(void *ctx)
{
	struct kiosk *k = ctx;
	double now = now_mono(), due = INFINITY;

	if (got_term || got_winch || got_hup)
		return 0;
	if (k->reload_ready && (k->state == K_WELCOME || k->state == K_BROKEN))
		return 0;
	if (k->state == K_WELCOME && k->next_sched >= 0)
		due = min_due(due, now + (k->next_sched - now_wall()));
	if (k->dirty)
		due = k->last_draw + REDRAW_INTERVAL;
	/* Countdowns change on whole seconds: wake at the next one. */
	if (k->cooldown_until > now)
		due = min_due(due, now + fmod(k->cooldown_until - now, 1.0));
	if (k->state == K_RUNNING)
		due = min_due(due, k->next_progress);
	if (k->state == K_RESULT || k->state == K_ERROR || k->state == K_STAFF ||
	    (k->state == K_RUNNING && k->model.confirm_cancel))
		due = min_due(due, now + fmod(k->deadline - now, 1.0));
	if (k->pin_locked_until > now)
		due = min_due(due, now + fmod(k->pin_locked_until - now, 1.0));
	due = min_due(due, now + (k->next_clock - now_wall()));
	if (due <= now)
		return 0;
	return (int)ceil((due - now) * 1000);
}

static void
timers_dispatch(void *ctx, const struct pollfd *fds, int n)
{
	(void)fds;
	(void)n;
	tick(ctx);
}

/* The staff status line's GPS part, in the screen's language; redrawn only when it changes. */
static void
update_gps_status(struct kiosk *k)
{
	static const char *const keys[] = {
		[GPS_STATE_OFF] = "gps.off", [GPS_STATE_CONNECTING] = "gps.connecting",
		[GPS_STATE_NO_DAEMON] = "gps.no_daemon", [GPS_STATE_NO_FIX] = "gps.no_fix",
		[GPS_STATE_STALE] = "gps.stale", [GPS_STATE_FIX] = "gps.fix_3d",
	};
	enum gps_state st = gps_state(k->gps, now_mono());
	const struct gps_fix *fix = gps_last_fix(k->gps);
	const char *key = keys[st];
	char sats[16], text[sizeof k->model.status_gps];

	if (st == GPS_STATE_FIX && fix != NULL && fix->mode == GPS_MODE_2D)
		key = "gps.fix_2d";
	snprintf(sats, sizeof sats, "%d", fix != NULL && fix->satellites >= 0 ? fix->satellites : 0);
	snprintf(text, sizeof text, "%s", ui_subst(i18n_get(k->tr, key), "{n}", sats));
	if (strcmp(text, k->model.status_gps) != 0) {
		memcpy(k->model.status_gps, text, sizeof text);
		mark(k);
	}
}

static void
redraw_if_due(struct kiosk *k)
{
	double now = now_mono();

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

	path = xasprintf("%s/digits.txt", k->datadir);
	if ((k->font = bigfont_load(path, err, sizeof err)) == NULL) {
		log_warn("large digits unavailable: %s", err);
		remember_error(k, err);
	}
	free(path);
	path = xasprintf("%s/verdicts.ini", k->datadir);
	if (verdicts_load(path, &k->verdicts, err, sizeof err) != 0) {
		log_warn("verdicts: %s", err);
		remember_error(k, err);
	}
	free(path);
}

/* What the screens show from the configuration (again after a reload). */
static void
model_from_config(struct kiosk *k)
{
	struct ui_model *m = &k->model;
	const struct config *c = &k->cfg;

	m->charset = resolve_charset(c->kiosk.charset);
	m->station_name = c->station.name;
	m->prompt = c->kiosk.prompt;
	m->promo_qr_url = c->kiosk.promo_qr_url;
	snprintf(m->status_server, sizeof m->status_server, "%s",
	    c->test.server != NULL ? c->test.server : "auto");
	mark(k);
}

/* The next unattended test from [test] schedule and quiet_hours (validated by config_load). */
static void
schedule_from_config(struct kiosk *k)
{
	const struct config *c = &k->cfg;
	bool scheduled = c->test.schedule != NULL && schedule_parse(c->test.schedule, &k->sched) == 0;

	if (quiet_hours_parse(c->test.quiet_hours, &k->quiet) != 0)
		memset(&k->quiet, 0, sizeof k->quiet);
	k->next_sched = scheduled ? (double)schedule_next(&k->sched, time(NULL)) : -1;
}

static void
init_model(struct kiosk *k)
{
	struct ui_model *m = &k->model;

	m->font = k->font;
	m->uploads_pending = -1;
	model_from_config(k);
	schedule_from_config(k);
	m->loaded_download_ms = m->loaded_upload_ms = -1;
	m->verdict_key = "verdict.none";
}

/*
 * SIGHUP: load the INI afresh. A broken file changes nothing: every problem goes to the log and
 * the staff screen. A good one waits in next_cfg for an idle moment.
 */
static void
reload_config(struct kiosk *k)
{
	struct config fresh;
	struct diags d = { 0 };
	int rc = config_load(k->cli->config_path, &fresh, &d);

	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].level == DIAG_ERROR) {
			log_err("config reload: %s", d.v[i].text);
			remember_error(k, d.v[i].text);
		} else
			log_warn("config reload: %s", d.v[i].text);
	}
	diags_free(&d);
	if (rc != 0) {
		log_err("config reload: %s has errors; keeping the configuration in use",
		    k->cli->config_path);
		config_free(&fresh);
		mark(k);
		return;
	}
	if (k->reload_ready)
		config_free(&k->next_cfg);
	k->next_cfg = fresh;
	k->reload_ready = true;
	log_info("config reload: %s is valid; applying it when the kiosk is idle",
	    k->cli->config_path);
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

static bool
gps_changed(const struct config *o, const struct config *n)
{
	return o->gps.enabled != n->gps.enabled || !same_text(o->gps.host, n->gps.host) ||
	    !same_text(o->gps.port, n->gps.port);
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

/*
 * Only on Welcome (or the broken-config screen): never under a running test or a citizen.
 * The upload queue is always made anew, so new targets and tokens (even a token file rewritten
 * in place) take effect; an upload under way is simply retried, its job being in the database.
 * The database and the gpsd client are reopened when their settings changed (the database
 * also after a broken start), so staff never need a restart for a new file.
 */
static void
apply_reloaded_config(struct kiosk *k)
{
	bool store = k->store == NULL || store_changed(&k->cfg, &k->next_cfg);
	bool gps = gps_changed(&k->cfg, &k->next_cfg);

	upload_detach(k);
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
	keep_status(k);
	model_from_config(k);
	schedule_from_config(k);
	if (k->state == K_BROKEN)
		k->status = 0;
	go_welcome(k);
	log_info("config reload: new configuration in use");
}

static int
run(struct kiosk *k)
{
	struct loop_source keys = { .fds = keys_fds, .dispatch = keys_dispatch, .ctx = k };
	struct loop_source timers = { .timeout_ms = timers_timeout, .dispatch = timers_dispatch,
	    .ctx = k };

	struct watchdog wd;
	struct loop_source ping;

	loop_init(&k->loop);
	loop_add(&k->loop, &keys);
	loop_add(&k->loop, &timers);
	gps_attach(k);
	/* Under systemd, pings from this loop prove it is alive; a hung loop gets restarted. */
	if (watchdog_init(&wd, &ping) == 0)
		loop_add(&k->loop, &ping);
	else
		log_warn("systemd watchdog variables are invalid; not pinging");
	if (k->state != K_BROKEN) {
		store_attach(k);
		upload_attach(k);
		keep_status(k);
	}
	k->today = -1;
	k->next_clock = update_clock(k);
	redraw_if_due(k);
	watchdog_ready();
	while (!k->quit) {
		if (got_term) {
			log_info("SIGTERM: closing the kiosk");
			break;
		}
		if (got_winch) {
			got_winch = 0;
			ui_resize();
			mark(k);
		}
		if (got_hup) {
			got_hup = 0;
			reload_config(k);
		}
		if (k->reload_ready && (k->state == K_WELCOME || k->state == K_BROKEN))
			apply_reloaded_config(k);
		update_gps_status(k);
		redraw_if_due(k);
		if (loop_once(&k->loop, -1) != 0) {
			log_err("poll failed; closing the kiosk");
			k->status = 1;
			break;
		}
	}
	watchdog_stopping();
	if (k->m != NULL) {
		measure_cancel(k->m);
		result_free(&k->result);
		engine_remove(k);
	}
	gps_detach(k);
	upload_detach(k);
	store_detach(k);
	return k->status;
}

int
cmd_kiosk(const struct cli *cli, int argc, char **argv)
{
	struct kiosk k = { .cli = cli };
	bool config_ok;
	int status;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: tramdo [-c FILE] [--log FILE]\n");
		return 2;
	}
	ensure_utf8_ctype();
	if (log_open(cli->log_path != NULL ? LOG_FILE : LOG_JOURNAL, cli->log_path) != 0) {
		fprintf(stderr, "tramdo: cannot open log file %s\n", cli->log_path);
		return 1;
	}
	config_ok = cli_load_config(cli, &k.cfg) == 0;
	k.datadir = datadir();
	setup_signals();
	load_assets(&k);
	set_language(&k, configured_language(&k));
	init_model(&k);
	if (ui_open() != 0) {
		/* No screen to spoil: say it where the person who started us can read it. */
		fprintf(stderr, "tramdo: the kiosk needs a terminal (see tramdo --help)\n");
		log_err("the kiosk needs a terminal");
		status = 1;
		goto out;
	}
	if (config_ok) {
		go_welcome(&k);
	} else {
		/* Refuse to measure with a broken config; say so until staff fix it and restart. */
		log_err("configuration %s has errors; the kiosk will not start tests",
		    cli->config_path);
		go_error(&k, "error.config");
		k.state = K_BROKEN;
		k.model.back_left = 0;
		k.status = EXIT_CONFIG;
	}
	status = run(&k);
	ui_close();
out:
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
