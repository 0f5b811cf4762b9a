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

/* Monotonic seconds, for durations and timers. */
double now_mono(void);
/* Wall-clock seconds since the epoch (sub-second precision), for timestamps. */
double now_wall(void);
/* "2026-11-25T03:04:05Z" (UTC, seconds). buf must hold 21 bytes. */
void   format_utc(double t, char buf[static 21]);
/* The inverse, also with a fraction of a second or "+00:00" for "Z"; false for anything else. */
bool   utc_parse(const char *s, double *out);
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

/* A random UUID v4 from getrandom(), as 36 chars + NUL. */
int    uuid_v4(char out[static 37]);
/* Hex digits 8-4-4-4-12, the shape of a result id (safe in a header, a log line, a key). */
bool   uuid_shaped(const char *s);

#endif
