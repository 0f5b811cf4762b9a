/* kiosk_fsm.c — see kiosk_fsm.h. No clock, no I/O: time comes with every event. */
#include "kiosk_fsm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define PIN_FREE_TRIES	3
#define PIN_LOCK_BASE	30
#define PIN_LOCK_MAX	900

static const char *const state_names[KS_COUNT] = {
	[KS_WELCOME] = "welcome", [KS_RUNNING] = "running", [KS_RESULT] = "result",
	[KS_ERROR] = "error", [KS_OUT_OF_SERVICE] = "out_of_service",
	[KS_STAFF_PIN] = "staff_pin", [KS_STAFF] = "staff", [KS_BROKEN] = "broken",
};

const char *
kiosk_state_name(enum kiosk_state s)
{
	return (unsigned)s < KS_COUNT ? state_names[s] : "unknown";
}

bool
kiosk_pin_equal(const char *entered, const char *pin)
{
	size_t le = strlen(entered), lp = strlen(pin), n = lp > KIOSK_PIN_MAX ? lp : KIOSK_PIN_MAX;
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
note(struct kiosk_do *out, const char *text)
{
	out->note = text;
}

static bool
attended(const char *trigger)
{
	return trigger != NULL && (strcmp(trigger, "citizen") == 0 || strcmp(trigger, "staff") == 0);
}

static bool
staff_enabled(const struct kiosk_fsm *k)
{
	return k->conf.staff_pin != NULL && k->conf.staff_pin[0] != '\0';
}

static bool
out_of_service(const struct kiosk_fsm *k)
{
	return k->conf.fail_limit > 0 && k->failures >= k->conf.fail_limit;
}

static enum kiosk_state
home_state(const struct kiosk_fsm *k)
{
	if (k->conf.broken)
		return KS_BROKEN;
	return out_of_service(k) ? KS_OUT_OF_SERVICE : KS_WELCOME;
}

static bool
idle(enum kiosk_state s)
{
	return s == KS_WELCOME || s == KS_OUT_OF_SERVICE || s == KS_BROKEN;
}

static void
enter(struct kiosk_fsm *k, enum kiosk_state s, struct kiosk_do *out)
{
	k->state = s;
	out->redraw = true;
}

static void
forget_pin(struct kiosk_fsm *k)
{
	memset(k->pin, 0, sizeof k->pin);
	k->pin_len = 0;
	k->pin_wrong = false;
}

static void
start_test(struct kiosk_fsm *k, const char *trigger, struct kiosk_do *out)
{
	k->trigger = trigger;
	k->confirm_cancel = false;
	if (strcmp(trigger, "citizen") == 0 || strcmp(trigger, "staff") == 0)
		k->citizen_waiting = false;	/* whoever waited is served by this test */
	if (strcmp(trigger, "schedule") == 0)
		k->schedule_waiting = false;
	out->start_test = trigger;
	enter(k, KS_RUNNING, out);
}

/*
 * What an idle screen does next, one thing a step: a reloaded configuration first (it may
 * change everything else), then a scheduled test, then the citizen who pressed a key during
 * an unattended test, then the out-of-service retry.
 */
static void
idle_work(struct kiosk_fsm *k, double now, struct kiosk_do *out)
{
	if (!idle(k->state))
		return;
	if (k->reload_waiting) {
		k->reload_waiting = false;
		k->conf.broken = false;
		k->failures = 0;
		out->apply_config = true;
		if (k->state != KS_WELCOME)
			enter(k, KS_WELCOME, out);
		out->redraw = true;
		return;
	}
	if (k->state == KS_BROKEN)
		return;
	if (k->schedule_waiting)
		start_test(k, "schedule", out);
	else if (k->state == KS_WELCOME && k->citizen_waiting)
		start_test(k, "citizen", out);
	else if (k->state == KS_OUT_OF_SERVICE && now >= k->next_retry)
		start_test(k, "retry", out);
}

static bool
idle_work_due(const struct kiosk_fsm *k, double now)
{
	if (!idle(k->state))
		return false;
	if (k->reload_waiting)
		return true;
	if (k->state == KS_BROKEN)
		return false;
	return k->schedule_waiting || (k->state == KS_WELCOME && k->citizen_waiting) ||
	    (k->state == KS_OUT_OF_SERVICE && now >= k->next_retry);
}

/* Back to the home screen; the next citizen meets the station's own language again. */
static void
go_home(struct kiosk_fsm *k, double now, struct kiosk_do *out)
{
	k->staff_presses = 0;
	k->confirm_cancel = false;
	forget_pin(k);
	/* Out of service, a waiting citizen's key is not kept for minutes: the screen says why. */
	if (home_state(k) == KS_OUT_OF_SERVICE)
		k->citizen_waiting = false;
	if (k->language_chosen) {
		k->language_chosen = false;
		out->language = "";
	}
	enter(k, home_state(k), out);
	idle_work(k, now, out);
}

void
kiosk_init(struct kiosk_fsm *k, const struct kiosk_conf *conf, double now)
{
	memset(k, 0, sizeof *k);
	k->conf = *conf;
	k->state = home_state(k);
	k->next_retry = now;
}

void
kiosk_set_conf(struct kiosk_fsm *k, const struct kiosk_conf *conf)
{
	k->conf = *conf;
}

static void
staff_key_pressed(struct kiosk_fsm *k, double now, struct kiosk_do *out)
{
	if (k->staff_presses == 0 || now - k->staff_first > KIOSK_STAFF_WINDOW) {
		k->staff_presses = 0;
		k->staff_first = now;
	}
	if (++k->staff_presses < KIOSK_STAFF_PRESSES)
		return;
	k->staff_presses = 0;
	if (!staff_enabled(k)) {
		note(out, "staff screen requested, but [kiosk] staff_pin is not set");
		return;
	}
	forget_pin(k);
	k->until = now + KIOSK_STAFF_IDLE;
	enter(k, KS_STAFF_PIN, out);
}

static bool
language_key(struct kiosk_fsm *k, int key, struct kiosk_do *out)
{
	if (key != 'e' && key != 'E' && key != 'v' && key != 'V')
		return false;
	k->language_chosen = true;	/* a choice made on this visit: home undoes it */
	out->language = key == 'e' || key == 'E' ? "en" : "vi";
	out->redraw = true;
	return true;
}

/* Welcome: E and V switch the language, Ctrl-T is the staff's; every other key starts a test. */
static void
welcome_key(struct kiosk_fsm *k, int key, double now, struct kiosk_do *out)
{
	if (key == KEY_STAFF) {
		staff_key_pressed(k, now, out);
		return;
	}
	if (language_key(k, key, out))
		return;
	if (now < k->cooldown_until)
		return;		/* the prompt box shows the wait instead of "press any key" */
	start_test(k, "citizen", out);
}

/* A test: Esc asks to cancel, Esc again cancels. An unattended test is not the citizen's to
 * cancel: their own test starts as soon as it ends. */
static void
running_key(struct kiosk_fsm *k, int key, double now, struct kiosk_do *out)
{
	if (!attended(k->trigger)) {
		if (!k->citizen_waiting)
			note(out, "a citizen is waiting for the unattended test to end");
		k->citizen_waiting = true;
		return;
	}
	if (key == KEY_ESC && k->confirm_cancel) {
		k->confirm_cancel = false;
		out->cancel_test = true;
		note(out, "test cancelled by the citizen");
	} else if (key == KEY_ESC) {
		k->confirm_cancel = true;
		k->confirm_until = now + KIOSK_CONFIRM_SECONDS;
	} else if (k->confirm_cancel) {
		k->confirm_cancel = false;
	} else
		return;
	out->redraw = true;
}

static void
submit_pin(struct kiosk_fsm *k, double now, struct kiosk_do *out)
{
	bool ok = kiosk_pin_equal(k->pin, k->conf.staff_pin);
	int lock;

	forget_pin(k);
	if (ok) {
		k->pin_failures = 0;
		out->staff_opened = true;
		note(out, "staff screen opened");
		enter(k, KS_STAFF, out);
		return;
	}
	k->pin_wrong = true;
	lock = kiosk_pin_lock_seconds(++k->pin_failures);
	if (lock > 0)
		k->pin_locked_until = now + lock;
	note(out, lock > 0 ? "staff screen: wrong PIN; the prompt is locked" :
	    "staff screen: wrong PIN");
	out->redraw = true;
}

static void
pin_key(struct kiosk_fsm *k, int key, double now, struct kiosk_do *out)
{
	bool locked = now < k->pin_locked_until;

	if (key == KEY_ESC) {
		go_home(k, now, out);
	} else if (key == KEY_RETURN || key == '\n') {
		if (k->pin_len > 0 && !locked)
			submit_pin(k, now, out);
	} else if (key == KEY_ERASE || key == '\b') {
		if (k->pin_len > 0)
			k->pin[--k->pin_len] = '\0';
		out->redraw = true;
	} else if (key >= '0' && key <= '9' && !locked && k->pin_len < KIOSK_PIN_MAX) {
		k->pin[k->pin_len++] = (char)key;
		k->pin_wrong = false;
		out->redraw = true;
	}
}

static void
staff_key(struct kiosk_fsm *k, int key, double now, struct kiosk_do *out)
{
	if (key == 'x' || key == 'X') {
		out->quit = true;
		out->status = k->conf.broken ? 78 : 0;
		note(out, "kiosk closed from the staff screen");
	} else if (key == KEY_ESC) {
		go_home(k, now, out);
	} else if ((key == 't' || key == 'T') && !k->conf.broken) {
		note(out, "test started from the staff screen");
		start_test(k, "staff", out);
	}
}

static void
key_pressed(struct kiosk_fsm *k, int key, double now, struct kiosk_do *out)
{
	if (k->state == KS_STAFF_PIN || k->state == KS_STAFF)
		k->until = now + KIOSK_STAFF_IDLE;
	switch (k->state) {
	case KS_WELCOME:
		welcome_key(k, key, now, out);
		break;
	case KS_RUNNING:
		running_key(k, key, now, out);
		break;
	case KS_RESULT:
		if (now >= k->keys_from)	/* before, the result is being read */
			go_home(k, now, out);
		break;
	case KS_ERROR:
		break;			/* the message stays so it can be read and told to staff */
	case KS_OUT_OF_SERVICE:
		if (key == KEY_STAFF)
			staff_key_pressed(k, now, out);
		else
			language_key(k, key, out);
		break;
	case KS_BROKEN:
		if (key == KEY_STAFF)
			staff_key_pressed(k, now, out);
		break;
	case KS_STAFF_PIN:
		pin_key(k, key, now, out);
		break;
	case KS_STAFF:
		staff_key(k, key, now, out);
		break;
	case KS_COUNT:
		break;
	}
}

/*
 * A citizen's (or staff's) test shows its result or what went wrong; an unattended one goes
 * home quietly. Failed tests in a row put the station out of service; one good test ends it.
 */
static void
test_ended(struct kiosk_fsm *k, enum test_outcome outcome, double now, struct kiosk_do *out)
{
	bool seen = attended(k->trigger);

	k->confirm_cancel = false;
	if (outcome == OUTCOME_GOOD) {
		if (out_of_service(k))
			note(out, "back in service: a test succeeded");
		k->failures = 0;
	} else if (outcome == OUTCOME_FAILED) {
		k->failures++;
		if (out_of_service(k)) {
			k->next_retry = now + k->conf.retry_seconds;
			if (k->failures == k->conf.fail_limit)
				note(out, "out of service: too many failed tests in a row; "
				    "retrying by itself");
		}
	}
	if (seen)
		k->cooldown_until = now + k->conf.cooldown_seconds;
	k->trigger = NULL;
	if (!seen || outcome == OUTCOME_CANCELLED) {
		go_home(k, now, out);
	} else if (outcome == OUTCOME_GOOD) {
		k->until = now + k->conf.result_seconds;
		k->keys_from = now + k->conf.result_min_seconds;
		out->speak = k->conf.speech;
		enter(k, KS_RESULT, out);
	} else {
		k->until = now + k->conf.error_seconds;
		enter(k, KS_ERROR, out);
	}
}

static void
tick(struct kiosk_fsm *k, double now, struct kiosk_do *out)
{
	switch (k->state) {
	case KS_RUNNING:
		if (k->confirm_cancel && now >= k->confirm_until) {
			k->confirm_cancel = false;
			out->redraw = true;
		}
		break;
	case KS_RESULT:
	case KS_ERROR:
	case KS_STAFF_PIN:
	case KS_STAFF:
		if (now >= k->until)
			go_home(k, now, out);
		break;
	case KS_WELCOME:
	case KS_OUT_OF_SERVICE:
	case KS_BROKEN:
		idle_work(k, now, out);
		break;
	case KS_COUNT:
		break;
	}
}

void
kiosk_step(struct kiosk_fsm *k, const struct kiosk_event *ev, double now, struct kiosk_do *out)
{
	memset(out, 0, sizeof *out);
	switch (ev->type) {
	case KEV_KEY:
		key_pressed(k, ev->key, now, out);
		break;
	case KEV_TICK:
		tick(k, now, out);
		break;
	case KEV_PROGRESS:
		out->redraw = k->state == KS_RUNNING;
		break;
	case KEV_TEST_END:
		if (k->state == KS_RUNNING)
			test_ended(k, ev->outcome, now, out);
		break;
	case KEV_SIGTERM:
	case KEV_HANGUP:
		out->cancel_test = k->state == KS_RUNNING;
		out->quit = true;
		out->status = ev->type == KEV_HANGUP ? 1 : k->conf.broken ? 78 : 0;
		note(out, ev->type == KEV_HANGUP ? "the terminal went away; closing the kiosk" :
		    "SIGTERM: closing the kiosk");
		break;
	case KEV_SIGHUP:
		out->load_config = true;
		break;
	case KEV_WINCH:
		out->resize = out->redraw = true;
		break;
	case KEV_RELOAD_READY:
		k->reload_waiting = true;
		idle_work(k, now, out);
		break;
	case KEV_SCHEDULE_DUE:
		k->schedule_waiting = true;
		idle_work(k, now, out);
		break;
	case KEV_COUNT:
		break;
	}
}

/* When a countdown to deadline next shows a different whole second; <0 when it is over. */
static double
next_second(double deadline, double now)
{
	double left = deadline - now, r;

	if (left <= 0)
		return -1;
	r = fmod(left, 1.0);
	return now + (r > 0 ? r : 1.0);
}

double
kiosk_next_tick(const struct kiosk_fsm *k, double now)
{
	double t = -1;

	if (idle_work_due(k, now))
		return now;
	t = deadline_earlier(t, next_second(k->cooldown_until, now));
	switch (k->state) {
	case KS_RUNNING:
		if (k->confirm_cancel)
			t = deadline_earlier(t, k->confirm_until);
		break;
	case KS_RESULT:
		t = deadline_earlier(t, next_second(k->keys_from, now));
		/* FALLTHROUGH */
	case KS_ERROR:
		t = deadline_earlier(t, next_second(k->until, now));
		break;
	case KS_STAFF_PIN:
		t = deadline_earlier(t, next_second(k->pin_locked_until, now));
		/* FALLTHROUGH */
	case KS_STAFF:
		t = deadline_earlier(t, k->until);
		break;
	case KS_OUT_OF_SERVICE:
		t = deadline_earlier(t, next_second(k->next_retry, now));
		break;
	case KS_WELCOME:
	case KS_BROKEN:
	case KS_COUNT:
		break;
	}
	return t;
}

static int
seconds_left(double until, double now)
{
	double s = ceil(until - now);

	return s > 0 ? (int)s : 0;
}

void
kiosk_countdowns(const struct kiosk_fsm *k, double now, struct kiosk_countdowns *out)
{
	memset(out, 0, sizeof *out);
	out->cooldown = seconds_left(k->cooldown_until, now);
	out->pin_locked = seconds_left(k->pin_locked_until, now);
	if (k->state == KS_RESULT || k->state == KS_ERROR || k->state == KS_STAFF ||
	    k->state == KS_STAFF_PIN)
		out->back = seconds_left(k->until, now);
	if (k->state == KS_RESULT)
		out->keys = seconds_left(k->keys_from, now);
	if (k->state == KS_OUT_OF_SERVICE)
		out->retry = seconds_left(k->next_retry, now);
}
