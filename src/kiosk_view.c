/* kiosk_view.c — see kiosk_view.h. */
#include "kiosk_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "gps.h"
#include "i18n.h"
#include "kiosk_fsm.h"
#include "store.h"
#include "ui.h"
#include "util.h"
#include "verdict.h"

/* What went wrong, for citizens (error.*) and, a little more precisely, for staff (problem.*). */
static const struct {
	const char	*screen, *staff;
} error_keys[MERR_COUNT] = {
	[MERR_NONE] = { "error.internal", "problem.internal" },
	[MERR_NO_SERVER] = { "error.no_server", "problem.no_server" },
	[MERR_DNS] = { "error.network", "problem.network" },
	[MERR_CONNECT] = { "error.no_server", "problem.no_server" },
	[MERR_TLS] = { "error.no_server", "problem.tls" },
	[MERR_HTTP] = { "error.server", "problem.server" },
	[MERR_RESET] = { "error.stalled", "problem.stalled" },
	[MERR_STALLED] = { "error.stalled", "problem.stalled" },
	[MERR_BAD_DATA] = { "error.server", "problem.server" },
	[MERR_CANCELLED] = { "error.internal", "problem.internal" },
	[MERR_INTERNAL] = { "error.internal", "problem.internal" },
};

const char *
view_error_key(enum test_error e)
{
	return (unsigned)e < MERR_COUNT ? error_keys[e].screen : "error.internal";
}

const char *
view_problem_key(enum test_error e)
{
	return (unsigned)e < MERR_COUNT ? error_keys[e].staff : "problem.internal";
}

void
view_problem(struct ui_model *m, const char *key, const char *detail)
{
	struct ui_problem *p = &m->problems[0];
	time_t now = time(NULL);
	struct tm tm;

	memmove(&m->problems[1], &m->problems[0], sizeof m->problems[0] * (UI_PROBLEMS_MAX - 1));
	localtime_r(&now, &tm);
	strftime(p->when, sizeof p->when, "%H:%M", &tm);
	p->key = key;
	snprintf(p->detail, sizeof p->detail, "%s", detail);
	if (m->nproblems < UI_PROBLEMS_MAX)
		m->nproblems++;
}

static enum charset
resolve_charset(enum charset cs)
{
	const char *term = getenv("TERM");

	if (cs != CHARSET_AUTO)
		return cs;
	return term != NULL && strcmp(term, "linux") == 0 ? CHARSET_CONSOLE : CHARSET_UNICODE;
}

void
view_config(struct ui_model *m, const struct config *c)
{
	m->charset = resolve_charset(c->kiosk.charset);
	m->station_name = c->station.name;
	m->commune = c->station.commune;
	m->prompt = c->kiosk.prompt;
	m->promo_qr_url = c->kiosk.promo_qr_url;
	m->promo_caption = c->kiosk.promo_caption;
	m->promo_is_ispeed = c->kiosk.promo_qr_url != NULL &&
	    strncmp(c->kiosk.promo_qr_url, CONFIG_ISPEED_URL, strlen(CONFIG_ISPEED_URL)) == 0;
	/* Both directions at most, latency and a margin, said in round numbers. */
	m->test_seconds = 5 * (int)ceil((2 * c->test.max_seconds + 3) / 5);
	snprintf(m->status_server, sizeof m->status_server, "%s",
	    c->test.server != NULL ? c->test.server : "auto");
}

void
view_fsm(struct ui_model *m, const struct kiosk_fsm *f)
{
	static const enum ui_screen screen[KS_COUNT] = {
		[KS_WELCOME] = UI_WELCOME, [KS_RUNNING] = UI_RUNNING, [KS_RESULT] = UI_RESULT,
		[KS_ERROR] = UI_ERROR, [KS_OUT_OF_SERVICE] = UI_WELCOME,
		[KS_STAFF_PIN] = UI_STAFF, [KS_STAFF] = UI_STAFF, [KS_BROKEN] = UI_ERROR,
	};

	m->screen = screen[f->state];
	m->out_of_service = f->state == KS_OUT_OF_SERVICE;
	m->confirm_cancel = f->confirm_cancel;
	m->staff_unlocked = f->state == KS_STAFF;
	m->pin_len = f->pin_len;
	m->pin_wrong = f->pin_wrong;
	m->can_test = !f->conf.broken;
	if (f->state == KS_BROKEN)
		m->error_key = "error.config";
}

bool
view_countdowns(struct ui_model *m, const struct kiosk_countdowns *c)
{
	bool changed = m->back_left != c->back || m->keys_left != c->keys ||
	    m->cooldown_left != c->cooldown || m->pin_locked_left != c->pin_locked ||
	    m->retry_left != c->retry;

	m->back_left = c->back;
	m->keys_left = c->keys;
	m->cooldown_left = c->cooldown;
	m->pin_locked_left = c->pin_locked;
	m->retry_left = c->retry;
	return changed;
}

/* The result QR code: the station's link for it, or a short text with what the screen shows. */
static void
result_code(struct ui_model *m, const struct result *r, const char *result_url)
{
	const struct test_figures *f = &r->fig;
	char t[32], d[32], u[32], l[32], *text;
	time_t start = (time_t)r->started_at;
	struct tm tm;

	if (result_url != NULL) {
		text = i18n_fill(result_url, "id", r->id, FILL_END);
	} else {
		localtime_r(&start, &tm);
		strftime(t, sizeof t, "%d/%m/%Y %H:%M", &tm);
		snprintf(d, sizeof d, "%s", ui_number(m, f->download_mbps,
		    ui_mbps_decimals(f->download_mbps), 0));
		/* a partial result has no upload figure: "-", as for any number not known */
		snprintf(u, sizeof u, "%s", f->upload_mbps < 0 ? "-" : ui_number(m, f->upload_mbps,
		    ui_mbps_decimals(f->upload_mbps), 0));
		snprintf(l, sizeof l, "%s", ui_number(m, f->latency_median_ms,
		    ui_ms_decimals(f->latency_median_ms), 0));
		text = i18n_fill(ui_tr(m, "result.qr_text"), "station", r->station.id,
		    "commune", r->station.commune, "t", t, "d", d, "u", u, "l", l, "id", r->id,
		    FILL_END);
	}
	snprintf(m->result_text, sizeof m->result_text, "%s", text);
	free(text);
}

void
view_result(struct ui_model *m, const struct result *r, const struct verdicts *v,
    const char *result_url)
{
	const struct test_figures *f = &r->fig;
	const struct verdict_rule *rule = verdict_for(v, f->download_mbps, f->upload_mbps,
	    f->latency_median_ms);

	m->download_mbps = f->download_mbps;
	m->upload_mbps = f->upload_mbps;
	m->latency_ms = f->latency_median_ms;
	m->jitter_ms = f->jitter_ms;
	m->loaded_download_ms = f->loaded_download_ms;
	m->loaded_upload_ms = f->loaded_upload_ms;
	m->verdict_key = rule->key;
	m->rating_key = rating_key(rule->rating);
	/*
	 * Without the upload the uses (video calls, online classes) cannot be judged: a partial
	 * result gets no verdict rather than "slow" for an upload nobody measured.
	 */
	if (f->upload_mbps < 0)
		m->verdict_key = NULL;
	m->rating = (int)rule->rating;
	m->steadiness_key = verdict_steadiness(v, f->latency_median_ms, f->jitter_ms,
	    f->loaded_download_ms, f->loaded_upload_ms);
	result_code(m, r, result_url);
}

/* The collectors for the staff screen: what waits for each, and when one last took a result. */
static void
view_sinks(struct ui_model *m, struct store *st)
{
	struct store_sink sinks[STORE_MAX_SINKS];
	int n = store_sinks(st, sinks);

	m->nsinks = 0;
	for (int i = 0; i < n && m->nsinks < UI_SINKS_MAX; i++) {
		struct ui_sink *u = &m->sinks[m->nsinks++];
		time_t t = (time_t)sinks[i].last_sent;
		struct tm tm;

		_Static_assert(sizeof u->name == sizeof sinks[i].name, "sink names differ in size");
		memcpy(u->name, sinks[i].name, sizeof u->name);
		u->name[sizeof u->name - 1] = '\0';
		u->pending = sinks[i].pending;
		u->last_sent_at = sinks[i].last_sent;
		u->last_sent[0] = '\0';
		if (sinks[i].last_sent >= 0) {
			localtime_r(&t, &tm);
			strftime(u->last_sent, sizeof u->last_sent, "%d/%m %H:%M", &tm);
		}
	}
}

/* Good tests only count: a failed one is no sample of the commune's Internet. */
void
view_store(struct ui_model *m, struct store *st, bool uploads, int good_fallback)
{
	struct store_counts today, month;
	double now = now_wall();

	m->tests_today = good_fallback;
	m->tests_month = -1;
	m->today_good = m->today_failed = -1;
	m->uploads_pending = -1;
	m->nsinks = 0;
	if (st == NULL)
		return;
	if (store_counts_since(st, local_day_start(now), &today) == 0) {
		m->tests_today = m->today_good = (int)today.good;
		m->today_failed = (int)today.failed;
	}
	if (store_counts_since(st, local_month_start(now), &month) == 0)
		m->tests_month = (int)month.good;
	if (uploads) {
		m->uploads_pending = (int)store_waiting(st);
		view_sinks(m, st);
	}
}

bool
view_gps(struct ui_model *m, const struct gps *g, double now)
{
	static const char *const keys[] = {
		[GPS_STATE_OFF] = "gps.off", [GPS_STATE_CONNECTING] = "gps.connecting",
		[GPS_STATE_NO_DAEMON] = "gps.no_daemon", [GPS_STATE_NO_FIX] = "gps.no_fix",
		[GPS_STATE_STALE] = "gps.stale", [GPS_STATE_FIX] = "gps.fix_3d",
	};
	enum gps_state st = gps_state(g, now);
	const struct gps_fix *fix = gps_last_fix(g);
	const char *key = keys[st];
	char sats[16], *text;
	int n = fix != NULL && fix->satellites >= 0 ? fix->satellites : gps_satellites_used(g);
	bool changed;

	if (st == GPS_STATE_FIX && fix != NULL && fix->mode == GPS_MODE_2D)
		key = "gps.fix_2d";
	/* gpsd counts satellites only in its sky reports: until one came, say unknown, not 0. */
	if (st == GPS_STATE_FIX && n <= 0)
		key = strcmp(key, "gps.fix_2d") == 0 ? "gps.fix_2d_nosat" : "gps.fix_3d_nosat";
	snprintf(sats, sizeof sats, "%d", n);
	m->gps_state = (int)st;
	m->gps_satellites = st == GPS_STATE_FIX && n > 0 ? n : -1;
	text = i18n_fill(ui_tr(m, key), "n", sats, FILL_END);
	changed = strncmp(text, m->status_gps, sizeof m->status_gps - 1) != 0;
	snprintf(m->status_gps, sizeof m->status_gps, "%s", text);
	free(text);
	return changed;
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

void
view_ip_family(struct ui_model *m, const struct test_figures *f)
{
	m->ipv6 = f->ipv6;
	m->ip_version = f->ip_version;
}

/* "có; lượt đo gần nhất qua IPv4": IPv6 works or not, and over which family the last test ran. */
static void
ipv6_info(struct ui_model *m)
{
	char v[8], *text;
	const char *works = m->ipv6 > 0 ? "staff.ipv6_yes" : m->ipv6 == 0 ? "staff.ipv6_no" :
	    "staff.unknown";

	if (m->ip_version != 4 && m->ip_version != 6) {
		add_info(m, "staff.ipv6", ui_tr(m, works));
		return;
	}
	snprintf(v, sizeof v, "%d", m->ip_version);
	text = i18n_fill(ui_tr(m, "staff.ipv6_value"), "works", ui_tr(m, works), "v", v, FILL_END);
	add_info(m, "staff.ipv6", text);
	free(text);
}

/* The last good test's figures a citizen is not shown: jitter and latency under load. */
static void
last_test_info(struct ui_model *m)
{
	char j[16], dl[16], ul[16], *text;

	if (m->jitter_ms < 0 || m->loaded_download_ms < 0 || m->loaded_upload_ms < 0)
		return;
	snprintf(j, sizeof j, "%s", ui_number(m, m->jitter_ms, ui_ms_decimals(m->jitter_ms), 0));
	snprintf(dl, sizeof dl, "%s", ui_number(m, m->loaded_download_ms, 0, 0));
	snprintf(ul, sizeof ul, "%s", ui_number(m, m->loaded_upload_ms, 0, 0));
	text = i18n_fill(ui_tr(m, "staff.last_value"), "j", j, "dl", dl, "ul", ul, FILL_END);
	add_info(m, "staff.last_test", text);
	free(text);
}

void
view_staff(struct ui_model *m, const struct config *c, const char *config_path,
    const char *log_path)
{
	char station[128];

	m->ninfo = 0;
	snprintf(station, sizeof station, "%s %s", c->station.id != NULL ? c->station.id : "-",
	    c->station.name != NULL ? c->station.name : "");
	add_info(m, "staff.station", station);
	add_info(m, "staff.config", config_path);
	add_info(m, "staff.server", c->test.server != NULL ? c->test.server : "auto");
	add_info(m, "staff.language", c->kiosk.language != NULL ? c->kiosk.language : "vi");
	add_info(m, "staff.log", log_path != NULL ? log_path : "journal");
	last_test_info(m);
	ipv6_info(m);
}

void
view_server_list(struct ui_model *m, int count, double age_s, bool failed)
{
	char n[16], age[16], *text, *line;
	bool hours = age_s >= 120 * 60;

	if (age_s < 0) {
		text = xstrdup(ui_tr(m, "staff.list_none"));
	} else {
		snprintf(n, sizeof n, "%d", count);
		snprintf(age, sizeof age, "%s", ui_number(m, hours ? age_s / 3600 : age_s / 60,
		    hours && age_s < 10 * 3600 ? 1 : 0, 0));
		text = i18n_fill(ui_tr(m, hours ? "staff.list_hours" : "staff.list_minutes"), "n", n,
		    "age", age, FILL_END);
	}
	line = failed ? xasprintf("%s; %s", text, ui_tr(m, "staff.list_failed")) : xstrdup(text);
	add_info(m, "staff.server_list", line);
	free(line);
	free(text);
}
