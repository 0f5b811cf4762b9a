/*
 * test_kiosk_fsm.c — the kiosk's behaviour, without a terminal: every state meets every event
 * type, and each rule (key guard, cooldown, Esc to cancel, scheduled tests waiting for an idle
 * Welcome, error timeout, staff PIN and its lockout, reload only when idle, out of service)
 * walked as a table of (time, event) -> (state, what to do).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk_fsm.h"

static const struct kiosk_conf conf = {
	.result_seconds = 60, .result_min_seconds = 5, .error_seconds = 15,
	.cooldown_seconds = 10, .staff_pin = "2468", .fail_limit = 3, .retry_seconds = 300,
	.speech = true,
};

/* Expected effects, as bits; a row checks exactly these among the ones listed. */
enum {
	F_START = 1 << 0, F_CANCEL = 1 << 1, F_LOAD = 1 << 2, F_APPLY = 1 << 3,
	F_QUIT = 1 << 4, F_LANG = 1 << 5, F_SPEAK = 1 << 6, F_STAFF = 1 << 7,
	F_RESIZE = 1 << 8,
};

struct row {
	double			 t;		/* seconds */
	enum kiosk_event_type	 ev;
	int			 arg;		/* the key, or the outcome */
	enum kiosk_state	 want;
	unsigned		 flags;
	const char		*trigger;	/* with F_START */
};

#define KEY(t, k, s, f)		{ (t), KEV_KEY, (k), (s), (f), NULL }
#define END(t, o, s, f)		{ (t), KEV_TEST_END, (o), (s), (f), NULL }
#define TICK(t, s, f)		{ (t), KEV_TICK, 0, (s), (f), NULL }
#define START(t, e, a, s, trig)	{ (t), (e), (a), (s), F_START, (trig) }

static unsigned
flags_of(const struct kiosk_do *d)
{
	return (d->start_test ? F_START : 0) | (d->cancel_test ? F_CANCEL : 0) |
	    (d->load_config ? F_LOAD : 0) | (d->apply_config ? F_APPLY : 0) |
	    (d->quit ? F_QUIT : 0) | (d->language ? F_LANG : 0) | (d->speak ? F_SPEAK : 0) |
	    (d->staff_opened ? F_STAFF : 0) | (d->resize ? F_RESIZE : 0);
}

static void
walk(struct kiosk_fsm *k, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kiosk_event ev = { .type = rows[i].ev };
		struct kiosk_do d;
		char where[64];

		if (ev.type == KEV_KEY)
			ev.key = rows[i].arg;
		else
			ev.outcome = (enum test_outcome)rows[i].arg;
		kiosk_step(k, &ev, rows[i].t, &d);
		snprintf(where, sizeof where, "row %zu (t=%g)", i, rows[i].t);
		if (k->state != rows[i].want || flags_of(&d) != rows[i].flags)
			print_error("%s: state %s (want %s), flags %#x (want %#x)\n", where,
			    kiosk_state_name(k->state), kiosk_state_name(rows[i].want),
			    flags_of(&d), rows[i].flags);
		assert_int_equal(k->state, rows[i].want);
		assert_int_equal(flags_of(&d), rows[i].flags);
		if (rows[i].trigger != NULL)
			assert_string_equal(d.start_test, rows[i].trigger);
	}
}

#define WALK(k, rows) walk((k), (rows), sizeof(rows) / sizeof((rows)[0]))

static void
fresh(struct kiosk_fsm *k)
{
	kiosk_init(k, &conf, 0);
}

/* A citizen's test: the result ignores keys for result_min_seconds, then any key goes home;
 * during the cooldown keys start nothing; afterwards a key starts the next test. */
static void
test_result_guard_and_cooldown(void **state)
{
	const struct row rows[] = {
		START(1, KEV_KEY, KEY_RETURN, KS_RUNNING, "citizen"),
		KEY(2, KEY_RETURN, KS_RUNNING, 0),		/* keys during a test: ignored */
		END(7, OUTCOME_GOOD, KS_RESULT, F_SPEAK),
		KEY(7.4, KEY_RETURN, KS_RESULT, 0),		/* guarded: the result is read */
		KEY(11.9, 'a', KS_RESULT, 0),
		KEY(12.0, KEY_RETURN, KS_WELCOME, 0),		/* 5 s after: any key returns */
		KEY(12.4, KEY_RETURN, KS_WELCOME, 0),		/* cooldown until 17 */
		KEY(16.9, ' ', KS_WELCOME, 0),
		START(17.0, KEV_KEY, 'z', KS_RUNNING, "citizen"),
		END(20, OUTCOME_GOOD, KS_RESULT, F_SPEAK),
		TICK(79.9, KS_RESULT, 0),
		TICK(80.0, KS_WELCOME, 0),			/* result_seconds later, by itself */
	};
	struct kiosk_fsm k;
	struct kiosk_countdowns c;

	(void)state;
	fresh(&k);
	WALK(&k, rows);
	kiosk_countdowns(&k, 80.0, &c);
	assert_int_equal(c.cooldown, 0);
	assert_int_equal(c.back, 0);
}

/* A citizen hammering Enter every 0.4 s for 60 s, tests taking 6 s: each result is on screen at
 * least result_min_seconds, and no test starts while a result or the cooldown is shown. */
static void
test_enter_mash(void **state)
{
	struct kiosk_fsm k;
	struct kiosk_do d;
	double started = -1, result_at = -1, ended = -1;
	int tests = 0;

	(void)state;
	fresh(&k);
	for (int i = 0; i <= 150; i++) {
		double now = i * 0.4;
		struct kiosk_event key = { .type = KEV_KEY, .key = KEY_RETURN };
		struct kiosk_event end = { .type = KEV_TEST_END, .outcome = OUTCOME_GOOD };
		enum kiosk_state before;

		if (k.state == KS_RUNNING && now - started >= 6) {
			kiosk_step(&k, &end, now, &d);
			assert_int_equal(k.state, KS_RESULT);
			result_at = ended = now;
		}
		before = k.state;
		kiosk_step(&k, &key, now, &d);
		if (d.start_test != NULL) {
			assert_int_equal(before, KS_WELCOME);
			if (tests > 0)
				assert_true(now >= ended + conf.cooldown_seconds);
			started = now;
			tests++;
		}
		if (before == KS_RESULT && k.state != KS_RESULT)
			assert_true(now - result_at >= conf.result_min_seconds);
	}
	/* 0: start; 6: result; 11.2: home (cooldown to 16); 16: start; ... a cycle of 16 s. */
	assert_int_equal(tests, 4);
}

static void
test_escape_cancels(void **state)
{
	const struct row rows[] = {
		START(0, KEV_KEY, 'x', KS_RUNNING, "citizen"),
		KEY(1, KEY_ESC, KS_RUNNING, 0),			/* "cancel?" */
		KEY(2, 'a', KS_RUNNING, 0),			/* no: the test goes on */
		KEY(3, KEY_ESC, KS_RUNNING, 0),
		TICK(11.1, KS_RUNNING, 0),			/* the question went away */
		KEY(12, KEY_ESC, KS_RUNNING, 0),
		KEY(13, KEY_ESC, KS_RUNNING, F_CANCEL),
		END(13.1, OUTCOME_CANCELLED, KS_WELCOME, 0),
		KEY(14, 'a', KS_WELCOME, 0),			/* a cancelled test has its cooldown */
	};
	struct kiosk_fsm k;

	(void)state;
	fresh(&k);
	WALK(&k, rows);
	assert_false(k.confirm_cancel);
}

/* A scheduled test starts only on an idle Welcome; a citizen's key during it is served when it
 * ends, and cannot cancel it. */
static void
test_schedule_waits_for_idle(void **state)
{
	const struct row rows[] = {
		START(0, KEV_KEY, 'a', KS_RUNNING, "citizen"),
		{ 1, KEV_SCHEDULE_DUE, 0, KS_RUNNING, 0, NULL },	/* waits */
		END(6, OUTCOME_GOOD, KS_RESULT, F_SPEAK),
		TICK(7, KS_RESULT, 0),
		START(66, KEV_TICK, 0, KS_RUNNING, "schedule"),		/* home, then at once */
		KEY(67, KEY_ESC, KS_RUNNING, 0),			/* not the citizen's to cancel */
		KEY(67.5, KEY_ESC, KS_RUNNING, 0),
		START(70, KEV_TEST_END, OUTCOME_GOOD, KS_RUNNING, "citizen"),	/* their turn */
		END(75, OUTCOME_GOOD, KS_RESULT, F_SPEAK),
	};
	struct kiosk_fsm k;

	(void)state;
	fresh(&k);
	WALK(&k, rows);
}

static void
test_scheduled_failure_is_quiet(void **state)
{
	const struct row rows[] = {
		START(0, KEV_SCHEDULE_DUE, 0, KS_RUNNING, "schedule"),
		END(3, OUTCOME_FAILED, KS_WELCOME, 0),		/* no error screen for nobody */
		START(3.1, KEV_KEY, 'a', KS_RUNNING, "citizen"),	/* and no cooldown */
	};
	struct kiosk_fsm k;

	(void)state;
	fresh(&k);
	WALK(&k, rows);
	assert_int_equal(k.failures, 1);
}

static void
test_error_times_out(void **state)
{
	const struct row rows[] = {
		START(0, KEV_KEY, 'a', KS_RUNNING, "citizen"),
		END(2, OUTCOME_FAILED, KS_ERROR, 0),
		KEY(3, KEY_RETURN, KS_ERROR, 0),		/* the message stays to be read */
		KEY(4, KEY_ESC, KS_ERROR, 0),
		TICK(16.9, KS_ERROR, 0),
		TICK(17, KS_WELCOME, 0),
	};
	struct kiosk_fsm k;
	struct kiosk_countdowns c;

	(void)state;
	fresh(&k);
	walk(&k, rows, 2);
	kiosk_countdowns(&k, 2.5, &c);
	assert_int_equal(c.back, 15);
	walk(&k, rows + 2, sizeof rows / sizeof rows[0] - 2);
}

/* Three failures in a row: out of service, a retry every retry_seconds, back on a success. */
static void
test_out_of_service(void **state)
{
	const struct row rows[] = {
		START(0, KEV_KEY, 'a', KS_RUNNING, "citizen"),
		END(1, OUTCOME_FAILED, KS_ERROR, 0),
		TICK(16, KS_WELCOME, 0),
		START(30, KEV_KEY, 'a', KS_RUNNING, "citizen"),
		END(31, OUTCOME_FAILED, KS_ERROR, 0),
		TICK(46, KS_WELCOME, 0),
		START(60, KEV_KEY, 'a', KS_RUNNING, "citizen"),
		END(61, OUTCOME_FAILED, KS_ERROR, 0),		/* the third: error first ... */
		TICK(76, KS_OUT_OF_SERVICE, 0),			/* ... then out of service */
		KEY(80, KEY_RETURN, KS_OUT_OF_SERVICE, 0),	/* keys start nothing */
		KEY(81, 'e', KS_OUT_OF_SERVICE, F_LANG),
		TICK(360.9, KS_OUT_OF_SERVICE, 0),
		START(361, KEV_TICK, 0, KS_RUNNING, "retry"),	/* 300 s after the failure */
		KEY(362, 'a', KS_RUNNING, 0),			/* someone waits */
		{ 363, KEV_TEST_END, OUTCOME_FAILED, KS_OUT_OF_SERVICE, F_LANG, NULL },
		TICK(662.9, KS_OUT_OF_SERVICE, 0),
		START(663, KEV_TICK, 0, KS_RUNNING, "retry"),
		END(665, OUTCOME_GOOD, KS_WELCOME, 0),		/* back; the waiter was refused */
		START(666, KEV_KEY, 'a', KS_RUNNING, "citizen"),
	};
	struct kiosk_fsm k;
	struct kiosk_countdowns c;

	(void)state;
	fresh(&k);
	walk(&k, rows, 11);
	kiosk_countdowns(&k, 100, &c);
	assert_int_equal(c.retry, 261);
	walk(&k, rows + 11, sizeof rows / sizeof rows[0] - 11);
	assert_int_equal(k.failures, 0);
}

static void
test_staff_pin_and_lockout(void **state)
{
	const struct row rows[] = {
		KEY(0, KEY_STAFF, KS_WELCOME, 0),
		KEY(1, KEY_STAFF, KS_WELCOME, 0),
		KEY(3.5, KEY_STAFF, KS_WELCOME, 0),		/* too slow: counts anew */
		KEY(4, KEY_STAFF, KS_WELCOME, 0),
		KEY(5, KEY_STAFF, KS_STAFF_PIN, 0),		/* three within 3 s */
		KEY(6, '1', KS_STAFF_PIN, 0), KEY(6.1, KEY_RETURN, KS_STAFF_PIN, 0),	/* wrong 1 */
		KEY(7, '1', KS_STAFF_PIN, 0), KEY(7.1, KEY_RETURN, KS_STAFF_PIN, 0),	/* wrong 2 */
		KEY(8, '1', KS_STAFF_PIN, 0), KEY(8.1, KEY_RETURN, KS_STAFF_PIN, 0),	/* locked 30 s */
		KEY(9, '2', KS_STAFF_PIN, 0), KEY(9.1, '4', KS_STAFF_PIN, 0),
		KEY(9.2, '6', KS_STAFF_PIN, 0), KEY(9.3, '8', KS_STAFF_PIN, 0),
		KEY(9.4, KEY_RETURN, KS_STAFF_PIN, 0),		/* locked: digits ignored */
		KEY(38.2, '2', KS_STAFF_PIN, 0), KEY(38.3, '4', KS_STAFF_PIN, 0),
		KEY(38.4, '6', KS_STAFF_PIN, 0), KEY(38.5, '9', KS_STAFF_PIN, 0),
		KEY(38.6, KEY_ERASE, KS_STAFF_PIN, 0), KEY(38.7, '8', KS_STAFF_PIN, 0),
	};
	struct kiosk_fsm k;
	struct kiosk_countdowns c;

	(void)state;
	fresh(&k);
	walk(&k, rows, 11);
	assert_int_equal(k.pin_failures, 3);
	kiosk_countdowns(&k, 8.1, &c);
	assert_int_equal(c.pin_locked, 30);
	walk(&k, rows + 11, 5);
	assert_int_equal(k.pin_len, 0);			/* nothing was typed while locked */
	walk(&k, rows + 16, 6);
	assert_string_equal(k.pin, "2468");
	{
		struct kiosk_event ev = { .type = KEV_KEY, .key = KEY_RETURN };
		struct kiosk_do d;

		kiosk_step(&k, &ev, 38.8, &d);
		assert_int_equal(k.state, KS_STAFF);
		assert_true(d.staff_opened);
		assert_int_equal(k.pin_failures, 0);
		assert_int_equal(k.pin_len, 0);		/* the PIN is not kept */
	}
	/* A fourth wrong PIN in a later visit would lock 60 s: kiosk_pin_lock_seconds. */
}

static void
test_staff_screen(void **state)
{
	const struct row rows[] = {
		KEY(0, KEY_STAFF, KS_WELCOME, 0), KEY(0.1, KEY_STAFF, KS_WELCOME, 0),
		KEY(0.2, KEY_STAFF, KS_STAFF_PIN, 0),
		KEY(1, '2', KS_STAFF_PIN, 0), KEY(1, '4', KS_STAFF_PIN, 0),
		KEY(1, '6', KS_STAFF_PIN, 0), KEY(1, '8', KS_STAFF_PIN, 0),
		KEY(1.5, KEY_RETURN, KS_STAFF, F_STAFF),
		KEY(2, 'q', KS_STAFF, 0),
		START(3, KEV_KEY, 't', KS_RUNNING, "staff"),	/* a test now */
		END(9, OUTCOME_GOOD, KS_RESULT, F_SPEAK),
		KEY(15, 'a', KS_WELCOME, 0),
		KEY(20, KEY_STAFF, KS_WELCOME, 0), KEY(20.1, KEY_STAFF, KS_WELCOME, 0),
		KEY(20.2, KEY_STAFF, KS_STAFF_PIN, 0),
		TICK(140.1, KS_STAFF_PIN, 0),
		TICK(140.2, KS_WELCOME, 0),			/* abandoned: home after 120 s */
		KEY(141, KEY_STAFF, KS_WELCOME, 0), KEY(141.1, KEY_STAFF, KS_WELCOME, 0),
		KEY(141.2, KEY_STAFF, KS_STAFF_PIN, 0),
		KEY(142, KEY_ESC, KS_WELCOME, 0),		/* Esc: back */
		KEY(143, KEY_STAFF, KS_WELCOME, 0), KEY(143.1, KEY_STAFF, KS_WELCOME, 0),
		KEY(143.2, KEY_STAFF, KS_STAFF_PIN, 0),
		KEY(144, '2', KS_STAFF_PIN, 0), KEY(144, '4', KS_STAFF_PIN, 0),
		KEY(144, '6', KS_STAFF_PIN, 0), KEY(144, '8', KS_STAFF_PIN, 0),
		KEY(144.5, KEY_RETURN, KS_STAFF, F_STAFF),
		KEY(145, 'X', KS_STAFF, F_QUIT),		/* the only way out */
	};
	struct kiosk_fsm k;

	(void)state;
	fresh(&k);
	WALK(&k, rows);
}

static void
test_no_pin_no_staff(void **state)
{
	struct kiosk_conf c = conf;
	struct kiosk_fsm k;
	struct kiosk_event ev = { .type = KEV_KEY, .key = KEY_STAFF };
	struct kiosk_do d;

	(void)state;
	c.staff_pin = "";
	kiosk_init(&k, &c, 0);
	for (int i = 0; i < 3; i++)
		kiosk_step(&k, &ev, i * 0.1, &d);
	assert_int_equal(k.state, KS_WELCOME);
	assert_non_null(d.note);
}

static void
test_reload_when_idle(void **state)
{
	const struct row rows[] = {
		{ 0, KEV_SIGHUP, 0, KS_WELCOME, F_LOAD, NULL },
		START(1, KEV_KEY, 'a', KS_RUNNING, "citizen"),
		{ 2, KEV_RELOAD_READY, 0, KS_RUNNING, 0, NULL },	/* never under a test */
		END(5, OUTCOME_GOOD, KS_RESULT, F_SPEAK),
		TICK(6, KS_RESULT, 0),					/* nor under a citizen */
		{ 65, KEV_TICK, 0, KS_WELCOME, F_APPLY, NULL },		/* home: applied */
		{ 66, KEV_RELOAD_READY, 0, KS_WELCOME, F_APPLY, NULL },	/* idle: at once */
	};
	struct kiosk_fsm k;

	(void)state;
	fresh(&k);
	WALK(&k, rows);
}

/* A broken configuration: no test, no schedule; staff can look; a good reload repairs it. */
static void
test_broken(void **state)
{
	struct kiosk_conf c = conf;
	const struct row rows[] = {
		KEY(0, KEY_RETURN, KS_BROKEN, 0),
		{ 1, KEV_SCHEDULE_DUE, 0, KS_BROKEN, 0, NULL },
		KEY(2, KEY_STAFF, KS_BROKEN, 0), KEY(2.1, KEY_STAFF, KS_BROKEN, 0),
		KEY(2.2, KEY_STAFF, KS_STAFF_PIN, 0),
		KEY(3, '2', KS_STAFF_PIN, 0), KEY(3, '4', KS_STAFF_PIN, 0),
		KEY(3, '6', KS_STAFF_PIN, 0), KEY(3, '8', KS_STAFF_PIN, 0),
		KEY(3.5, KEY_RETURN, KS_STAFF, F_STAFF),
		KEY(4, 't', KS_STAFF, 0),				/* no test either */
		KEY(5, KEY_ESC, KS_BROKEN, 0),
		{ 6, KEV_RELOAD_READY, 0, KS_WELCOME, F_APPLY, NULL },
		START(7, KEV_TICK, 0, KS_RUNNING, "schedule"),		/* the waiting schedule */
	};
	struct kiosk_fsm k;

	(void)state;
	c.broken = true;
	kiosk_init(&k, &c, 0);
	assert_int_equal(k.state, KS_BROKEN);
	WALK(&k, rows);
}

static void
test_language_resets_at_home(void **state)
{
	struct kiosk_fsm k;
	struct kiosk_event e = { .type = KEV_KEY, .key = 'E' };
	struct kiosk_event go = { .type = KEV_KEY, .key = KEY_RETURN };
	struct kiosk_event end = { .type = KEV_TEST_END, .outcome = OUTCOME_GOOD };
	struct kiosk_event tick = { .type = KEV_TICK };
	struct kiosk_do d;

	(void)state;
	fresh(&k);
	kiosk_step(&k, &e, 0, &d);
	assert_string_equal(d.language, "en");
	assert_int_equal(k.state, KS_WELCOME);		/* E starts no test */
	kiosk_step(&k, &go, 1, &d);
	kiosk_step(&k, &end, 7, &d);
	kiosk_step(&k, &tick, 67, &d);
	assert_int_equal(k.state, KS_WELCOME);
	assert_string_equal(d.language, "");		/* the next citizen: the station's own */
}

static void
test_signals(void **state)
{
	struct kiosk_fsm k;
	struct kiosk_event term = { .type = KEV_SIGTERM }, hup = { .type = KEV_HANGUP };
	struct kiosk_event winch = { .type = KEV_WINCH }, go = { .type = KEV_KEY, .key = 'a' };
	struct kiosk_conf c = conf;
	struct kiosk_do d;

	(void)state;
	fresh(&k);
	kiosk_step(&k, &winch, 0, &d);
	assert_true(d.resize && d.redraw);
	kiosk_step(&k, &go, 0, &d);
	kiosk_step(&k, &term, 1, &d);
	assert_true(d.quit && d.cancel_test);
	assert_int_equal(d.status, 0);
	fresh(&k);
	kiosk_step(&k, &hup, 1, &d);
	assert_true(d.quit && !d.cancel_test);
	assert_int_equal(d.status, 1);
	c.broken = true;
	kiosk_init(&k, &c, 0);
	kiosk_step(&k, &term, 1, &d);
	assert_int_equal(d.status, 78);
}

/* The timer: the next tick is the next change a screen shows, and never in the past. */
static void
test_next_tick(void **state)
{
	struct kiosk_fsm k;
	struct kiosk_event go = { .type = KEV_KEY, .key = 'a' };
	struct kiosk_event end = { .type = KEV_TEST_END, .outcome = OUTCOME_GOOD };
	struct kiosk_do d;

	(void)state;
	fresh(&k);
	assert_true(kiosk_next_tick(&k, 0) < 0);	/* idle Welcome: sleep until a key */
	kiosk_step(&k, &go, 0, &d);
	assert_true(kiosk_next_tick(&k, 1) < 0);	/* a test: the engine drives the loop */
	kiosk_step(&k, &end, 6, &d);
	assert_true(fabs(kiosk_next_tick(&k, 6.25) - 7.0) < 1e-9);	/* result: countdowns' seconds */
	assert_true(kiosk_next_tick(&k, 6.25) > 6.25);
}

/* Every state meets every event type: the state it lands in. */
static void
reach(struct kiosk_fsm *k, enum kiosk_state s)
{
	static const int pin[] = { KEY_STAFF, KEY_STAFF, KEY_STAFF, '2', '4', '6', '8', KEY_RETURN };
	struct kiosk_conf c = conf;
	struct kiosk_event ev = { .type = KEV_KEY, .key = 'a' };
	struct kiosk_do d;

	c.broken = s == KS_BROKEN;
	kiosk_init(k, &c, 0);
	if (s == KS_RUNNING || s == KS_RESULT || s == KS_ERROR)
		kiosk_step(k, &ev, 0, &d);
	ev.type = KEV_TEST_END;
	ev.outcome = s == KS_RESULT ? OUTCOME_GOOD : OUTCOME_FAILED;
	if (s == KS_RESULT || s == KS_ERROR)
		kiosk_step(k, &ev, 1, &d);
	if (s == KS_OUT_OF_SERVICE) {
		k->failures = c.fail_limit;
		k->next_retry = 1000;
		k->state = KS_OUT_OF_SERVICE;
	}
	for (int i = 0; (s == KS_STAFF_PIN || s == KS_STAFF) && i < (s == KS_STAFF ? 8 : 3); i++) {
		ev.type = KEV_KEY;
		ev.key = pin[i];
		kiosk_step(k, &ev, 2 + i * 0.1, &d);
	}
	assert_int_equal(k->state, s);
}

static void
test_every_state_every_event(void **state)
{
	/* Keys are 'a'; test ends are good ones; all at t = 5 (the result's keys still guarded). */
	static const enum kiosk_state want[KS_COUNT][KEV_COUNT] = {
#define W(key, tick, prog, end, term, hup, winch, hang, reload, sched) \
	{ [KEV_KEY] = (key), [KEV_TICK] = (tick), [KEV_PROGRESS] = (prog), [KEV_TEST_END] = (end), \
	  [KEV_SIGTERM] = (term), [KEV_SIGHUP] = (hup), [KEV_WINCH] = (winch), \
	  [KEV_HANGUP] = (hang), [KEV_RELOAD_READY] = (reload), [KEV_SCHEDULE_DUE] = (sched) }
		[KS_WELCOME] = W(KS_RUNNING, KS_WELCOME, KS_WELCOME, KS_WELCOME, KS_WELCOME,
		    KS_WELCOME, KS_WELCOME, KS_WELCOME, KS_WELCOME, KS_RUNNING),
		[KS_RUNNING] = W(KS_RUNNING, KS_RUNNING, KS_RUNNING, KS_RESULT, KS_RUNNING,
		    KS_RUNNING, KS_RUNNING, KS_RUNNING, KS_RUNNING, KS_RUNNING),
		[KS_RESULT] = W(KS_RESULT, KS_RESULT, KS_RESULT, KS_RESULT, KS_RESULT,
		    KS_RESULT, KS_RESULT, KS_RESULT, KS_RESULT, KS_RESULT),
		[KS_ERROR] = W(KS_ERROR, KS_ERROR, KS_ERROR, KS_ERROR, KS_ERROR,
		    KS_ERROR, KS_ERROR, KS_ERROR, KS_ERROR, KS_ERROR),
		[KS_OUT_OF_SERVICE] = W(KS_OUT_OF_SERVICE, KS_OUT_OF_SERVICE, KS_OUT_OF_SERVICE,
		    KS_OUT_OF_SERVICE, KS_OUT_OF_SERVICE, KS_OUT_OF_SERVICE, KS_OUT_OF_SERVICE,
		    KS_OUT_OF_SERVICE, KS_WELCOME, KS_RUNNING),
		[KS_STAFF_PIN] = W(KS_STAFF_PIN, KS_STAFF_PIN, KS_STAFF_PIN, KS_STAFF_PIN,
		    KS_STAFF_PIN, KS_STAFF_PIN, KS_STAFF_PIN, KS_STAFF_PIN, KS_STAFF_PIN,
		    KS_STAFF_PIN),
		[KS_STAFF] = W(KS_STAFF, KS_STAFF, KS_STAFF, KS_STAFF, KS_STAFF, KS_STAFF,
		    KS_STAFF, KS_STAFF, KS_STAFF, KS_STAFF),
		[KS_BROKEN] = W(KS_BROKEN, KS_BROKEN, KS_BROKEN, KS_BROKEN, KS_BROKEN, KS_BROKEN,
		    KS_BROKEN, KS_BROKEN, KS_WELCOME, KS_BROKEN),
#undef W
	};

	(void)state;
	for (int s = 0; s < KS_COUNT; s++) {
		for (int e = 0; e < KEV_COUNT; e++) {
			struct kiosk_fsm k;
			struct kiosk_event ev = { .type = (enum kiosk_event_type)e, .key = 'a',
			    .outcome = OUTCOME_GOOD };
			struct kiosk_do d;

			reach(&k, (enum kiosk_state)s);
			kiosk_step(&k, &ev, 5, &d);
			if (k.state != want[s][e])
				print_error("%s + event %d -> %s, want %s\n",
				    kiosk_state_name((enum kiosk_state)s), e,
				    kiosk_state_name(k.state), kiosk_state_name(want[s][e]));
			assert_int_equal(k.state, want[s][e]);
			/* Leaving is always possible, and always asked for the same way. */
			if (e == KEV_SIGTERM || e == KEV_HANGUP)
				assert_true(d.quit);
			else
				assert_false(d.quit);
		}
	}
}

static void
test_pin_equal(void **state)
{
	(void)state;
	assert_true(kiosk_pin_equal("2468", "2468"));
	assert_false(kiosk_pin_equal("246", "2468"));
	assert_false(kiosk_pin_equal("24680", "2468"));
	assert_false(kiosk_pin_equal("2469", "2468"));
	assert_false(kiosk_pin_equal("", "2468"));
	assert_true(kiosk_pin_equal("12345678901234567890", "12345678901234567890"));
	assert_false(kiosk_pin_equal("12345678901234567890", "12345678901234567891"));
}

static void
test_pin_lockout_grows(void **state)
{
	(void)state;
	assert_int_equal(kiosk_pin_lock_seconds(1), 0);
	assert_int_equal(kiosk_pin_lock_seconds(2), 0);
	assert_int_equal(kiosk_pin_lock_seconds(3), 30);
	assert_int_equal(kiosk_pin_lock_seconds(4), 60);
	assert_int_equal(kiosk_pin_lock_seconds(5), 120);
	assert_int_equal(kiosk_pin_lock_seconds(10), 900);
	assert_int_equal(kiosk_pin_lock_seconds(1000000), 900);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_guard_and_cooldown),
		cmocka_unit_test(test_enter_mash),
		cmocka_unit_test(test_escape_cancels),
		cmocka_unit_test(test_schedule_waits_for_idle),
		cmocka_unit_test(test_scheduled_failure_is_quiet),
		cmocka_unit_test(test_error_times_out),
		cmocka_unit_test(test_out_of_service),
		cmocka_unit_test(test_staff_pin_and_lockout),
		cmocka_unit_test(test_staff_screen),
		cmocka_unit_test(test_no_pin_no_staff),
		cmocka_unit_test(test_reload_when_idle),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_language_resets_at_home),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_next_tick),
		cmocka_unit_test(test_every_state_every_event),
		cmocka_unit_test(test_pin_equal),
		cmocka_unit_test(test_pin_lockout_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
