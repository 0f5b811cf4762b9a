/*
 * kiosk_fsm.h — the kiosk's behaviour as a pure state machine: which screen is up, what a key
 * means there, when a screen times out, when a test may start, the staff PIN and its lockout,
 * when a reloaded configuration may be applied, and when the station is out of service.
 *
 * kiosk_step() takes one event and the current monotonic time and says what to do; it reads no
 * clock, does no I/O and knows nothing of curses, curl, SQLite or gpsd, so every transition is
 * unit-tested as a table (tests/unit/test_kiosk_fsm.c). kiosk.c turns keys, timers, signals and
 * the test session into events and carries out what comes back.
 */
#ifndef TRAMDO_KIOSK_FSM_H
#define TRAMDO_KIOSK_FSM_H

#include <stdbool.h>

#define KIOSK_STAFF_PRESSES	3	/* Ctrl-T presses ... */
#define KIOSK_STAFF_WINDOW	3.0	/* ... within this many seconds open the PIN prompt */
#define KIOSK_PIN_MAX		16
#define KIOSK_CONFIRM_SECONDS	8.0	/* "cancel the test?" goes away by itself */
#define KIOSK_STAFF_IDLE	120.0	/* an abandoned staff screen returns home */

/* Keys as the state machine sees them: characters are themselves; ui.c maps the rest. */
#define KEY_ESC		27
#define KEY_RETURN	'\r'
#define KEY_ERASE	127
#define KEY_STAFF	('T' & 0x1f)	/* Ctrl-T */
#define KEY_OTHER	0x110000	/* a function or cursor key: above every code point */

enum kiosk_state {
	KS_WELCOME,		/* waiting for a citizen (a cooldown is shown in it) */
	KS_RUNNING,		/* a test is under way: a citizen's, scheduled, a retry or staff's */
	KS_RESULT,
	KS_ERROR,		/* a citizen's test failed: what happened, for error_seconds */
	KS_OUT_OF_SERVICE,	/* fail_limit failures in a row: retrying by itself */
	KS_STAFF_PIN,
	KS_STAFF,
	KS_BROKEN,		/* the configuration has errors: no test starts */
	KS_COUNT
};

enum kiosk_event_type {
	KEV_KEY,		/* .key */
	KEV_TICK,		/* time passed */
	KEV_PROGRESS,		/* the running test's figures moved */
	KEV_TEST_END,		/* .outcome */
	KEV_SIGTERM,
	KEV_SIGHUP,		/* staff asked for a reload */
	KEV_WINCH,		/* the terminal changed size */
	KEV_HANGUP,		/* the terminal went away */
	KEV_RELOAD_READY,	/* a valid new configuration waits to be applied */
	KEV_SCHEDULE_DUE,	/* an unattended test is due (quiet hours and budget allowed it) */
	KEV_COUNT
};

enum test_outcome { OUTCOME_GOOD, OUTCOME_FAILED, OUTCOME_CANCELLED };

struct kiosk_event {
	enum kiosk_event_type	type;
	int			key;		/* KEV_KEY */
	enum test_outcome	outcome;	/* KEV_TEST_END */
};

/* What the state machine needs of the configuration ([kiosk]), in seconds. */
struct kiosk_conf {
	double	result_seconds;		/* the result stays this long ... */
	double	result_min_seconds;	/* ... and ignores keys this long, so it is read */
	double	error_seconds;
	double	cooldown_seconds;	/* after a test, before a citizen may start the next */
	const char *staff_pin;		/* NULL or "": no staff screen */
	int	fail_limit;		/* failed tests in a row before out of service */
	double	retry_seconds;		/* out of service: a test this often */
	bool	broken;			/* the configuration has errors */
	bool	speech;			/* read the result aloud */
};

/* What to do, as asked by one kiosk_step(). Every field false/NULL: nothing. */
struct kiosk_do {
	bool		 redraw;
	const char	*start_test;	/* a trigger: "citizen", "schedule", "retry", "staff" */
	bool		 cancel_test;
	bool		 load_config;	/* read the file again; answer KEV_RELOAD_READY if valid */
	bool		 apply_config;	/* the reloaded configuration, now that the kiosk is idle */
	bool		 resize;
	const char	*language;	/* switch the catalog: "en", "vi", or "" for the configured one */
	bool		 speak;		/* read the result aloud */
	bool		 staff_opened;	/* the PIN was right: gather the staff screen's figures */
	bool		 quit;
	int		 status;	/* exit status when quit */
	const char	*note;		/* one English line for the log (a static string), or NULL */
};

struct kiosk_fsm {
	struct kiosk_conf	conf;
	enum kiosk_state	state;
	double	until;			/* result, error, staff: back home at this time */
	double	keys_from;		/* result: keys count from this time on */
	double	cooldown_until;
	bool	confirm_cancel;
	double	confirm_until;
	const char *trigger;		/* of the running test */
	bool	citizen_waiting;	/* a key came during an unattended test */
	bool	schedule_waiting;	/* a scheduled test waits for an idle screen */
	bool	reload_waiting;
	int	failures;		/* failed tests in a row */
	double	next_retry;		/* out of service: the next test */
	int	staff_presses;
	double	staff_first;
	char	pin[KIOSK_PIN_MAX + 1];
	int	pin_len;
	bool	pin_wrong;
	int	pin_failures;		/* wrong PINs in a row */
	double	pin_locked_until;
	bool	language_chosen;	/* a citizen switched the language on this visit */
};

/* Seconds a countdown shows (rounded up), 0 when over. */
struct kiosk_countdowns {
	int	back;		/* result, error, staff: until home */
	int	keys;		/* result: until keys count */
	int	cooldown;	/* until the next citizen may start */
	int	pin_locked;
	int	retry;		/* out of service: until the next test */
};

/* A fresh machine on its home screen (Welcome, or Broken when conf->broken). */
void	kiosk_init(struct kiosk_fsm *k, const struct kiosk_conf *conf, double now);
/* One event at monotonic time now; *out says what to do (it is cleared first). */
void	kiosk_step(struct kiosk_fsm *k, const struct kiosk_event *ev, double now,
	    struct kiosk_do *out);
/* A reloaded configuration took effect (after apply_config): new timings, not broken. */
void	kiosk_set_conf(struct kiosk_fsm *k, const struct kiosk_conf *conf);

/* The next moment a KEV_TICK may change something (a timeout, a countdown's second); <0 none. */
double	kiosk_next_tick(const struct kiosk_fsm *k, double now);
void	kiosk_countdowns(const struct kiosk_fsm *k, double now, struct kiosk_countdowns *out);
const char *kiosk_state_name(enum kiosk_state s);	/* "welcome", "running", … for logs */

/* Constant-time comparison of an entered PIN with the configured one. */
bool	kiosk_pin_equal(const char *entered, const char *pin);
/* Seconds a wrong PIN locks the prompt after the n-th failure in a row (0: not locked). */
int	kiosk_pin_lock_seconds(int failures);

#endif
