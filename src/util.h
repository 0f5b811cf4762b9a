/* util.h — small helpers shared by every module: memory, strings, time, numbers. */
#ifndef TRAMDO_UTIL_H
#define TRAMDO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation failure is not recoverable in a kiosk; these abort with a log line (as tmux's xmalloc). */
void  *xmalloc(size_t n);
void  *xcalloc(size_t n, size_t size);
void  *xrealloc(void *p, size_t n);
char  *xstrdup(const char *s);            /* NULL stays NULL */
char  *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Monotonic seconds since boot, for durations, timers and every interval (retries, schedules,
 * cooldowns, staleness). CLOCK_BOOTTIME: a wall-clock step (NTP correcting a PC without RTC
 * battery) never moves it, a suspend counts as time passed, and every process of one boot
 * reads the same clock, so the store can keep upload times and claims on it (with boot_id).
 */
double now_mono(void);
/*
 * Creates PATH (it must not exist) for FLAGS, mode 0600 whatever the umask: for files that hold
 * the station's data or logs, which no group is meant to read. -1 with errno set on failure.
 */
int open_new_private(const char *path, int flags);
/* This boot's id (/proc/sys/kernel/random/boot_id): whose clock now_mono() values are. */
int    boot_id(char out[static 37]);
/*
 * Steps of the wall clock, told apart from its slewing: the change of wall minus monotonic time
 * since the last look when larger than CLOCK_STEP_S (+ forward), else 0.
 */
#define CLOCK_STEP_S	2.0
struct clock_watch {
	double	offset;		/* now_wall() - now_mono() at the last look */
};
void   clock_watch_init(struct clock_watch *w);
double clock_watch_step(struct clock_watch *w);
/*
 * Deadlines for a poll() loop, in monotonic seconds; a negative deadline means none.
 * deadline_earlier: the earlier of two, the real one when only one is, <0 when neither is.
 * Any one scale works alike (a loop combines sources' waits in ms the same way).
 * deadline_ms: poll()'s timeout for it: -1 for none, 0 when due, else milliseconds rounded
 * up (capped at INT_MAX), so that poll never wakes before the deadline and spins.
 * A wall-clock time t becomes a monotonic deadline as now_mono() + fmax(0, t - now_wall()):
 * one in the past must stay due, not turn negative (no deadline) on a machine up for less time.
 */
double deadline_earlier(double a, double b);
int    deadline_ms(double deadline, double now);
/* Wall-clock seconds since the epoch (sub-second precision), for timestamps. */
double now_wall(void);
/* "2026-11-25T03:04:05Z" (UTC, seconds). buf must hold 21 bytes. */
void   format_utc(double t, char buf[static 21]);
/*
 * The inverse, also with a fraction of a second or "+00:00" for "Z"; false for anything else,
 * a time not on the calendar (2026-02-30T00:00:00Z, 24:00:00) included.
 */
bool   utc_parse(const char *s, double *out);
/*
 * "YYYY-MM-DD" as the local midnight that starts that day; false for anything else, a day not
 * on the calendar (2026-02-30) included: mktime would silently roll it into the next month.
 */
bool   local_date_parse(const char *s, double *out);
/* The local midnight that starts t's day, and the local start of t's month (epoch s). */
double local_day_start(double t);
double local_month_start(double t);

/* Strict C-locale number parsing: the whole string must be a number, no base-0 surprises. */
bool   parse_long(const char *s, long *out);
bool   parse_double(const char *s, double *out);

/*
 * Text from the network made safe to show on a terminal or the kiosk screen: escape sequences
 * (ESC [ … m, OSC …) removed whole, other C0/C1 controls, DEL and bidi overrides removed, tab
 * and line breaks as one space, invalid UTF-8 bytes as '?'. A new string; NULL stays NULL.
 */
char  *sanitize_text(const char *s);

/*
 * The first code point of UTF-8 text s that hides or reorders text where it is shown: C0 and
 * C1 controls and DEL, Unicode's Bidi_Control characters (U+061C, U+200E/200F, U+202A-202E,
 * U+2066-2069) and the line and paragraph separators U+2028/2029. 0 when there is none;
 * invalid UTF-8 is not judged here (bytes that do not decode are skipped).
 */
uint32_t text_hidden_control(const char *s);
/* Bytes of the valid UTF-8 character starting at s (1 for ASCII), or 0 when it is not one. */
size_t utf8_length(const char *s);

/* A random UUID v4 from getrandom(), as 36 chars + NUL. */
int    uuid_v4(char out[static 37]);
/* Hex digits 8-4-4-4-12, the shape of a result id (safe in a header, a log line, a key). */
bool   uuid_shaped(const char *s);

#endif
