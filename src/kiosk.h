/*
 * kiosk.h — `tramdo` with no subcommand: the full-screen kiosk. cmd_kiosk() (declared in cmd.h)
 * owns the one poll() loop that drives keys, timers and the engine, keeps the kiosk's state and
 * fills the UI model; the screens only render it.
 *
 * Keys: any key on Welcome starts a test (E/V switch the language); Esc during a test asks to
 * cancel (Esc again cancels); Ctrl-T three times within 3 s on Welcome opens the staff PIN
 * prompt; the staff screen's X is the only way out. SIGTERM exits cleanly; Ctrl-C, Ctrl-Z and
 * Ctrl-\ do nothing.
 */
#ifndef TRAMDO_KIOSK_H
#define TRAMDO_KIOSK_H

#include <stdbool.h>

#define KIOSK_STAFF_PRESSES	3	/* Ctrl-T presses ... */
#define KIOSK_STAFF_WINDOW	3.0	/* ... within this many seconds */

/* Constant-time comparison of an entered PIN with the configured one. */
bool kiosk_pin_equal(const char *entered, const char *pin);
/* Seconds a wrong PIN locks the prompt after the n-th failure in a row (0: not locked). */
int  kiosk_pin_lock_seconds(int failures);

#endif
