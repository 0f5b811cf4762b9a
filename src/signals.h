/*
 * signals.h — the one place that touches signal dispositions and the signal mask.
 *
 * Signals become a loop source, as tmux does with its event loop: the ones a program wants to
 * hear of (SIGTERM, SIGHUP, SIGWINCH, SIGCHLD, SIGINT) are blocked and read from a signalfd
 * that poll() watches, so one arriving at any moment wakes the loop at once — never a handler
 * racing the poll() call. SIGPIPE and SIGXFSZ are ignored for the whole process: a peer that
 * hung up and a file size limit are errors to report (EPIPE, EFBIG), not reasons to die.
 */
#ifndef TRAMDO_SIGNALS_H
#define TRAMDO_SIGNALS_H

#include <stdbool.h>

#include "loop.h"

/* At the start of main, before any thread exists: SIGPIPE and SIGXFSZ ignored. */
void	signals_init(void);
/* Ignore these (the kiosk: SIGINT, SIGQUIT, SIGTSTP arrive as keys in raw mode anyway). */
void	signals_ignore(const int *sigs, int n);
/*
 * Catch these from now on through the loop source; 0, or -1 (errno) when no signalfd could be
 * made. Children started later must reset their mask (posix_spawnattr_setsigmask).
 */
int	signals_catch(const int *sigs, int n);
/* The source to loop_add() (its ctx is NULL: loop_remove with NULL is not needed). */
struct loop_source signals_source(void);
/* Whether sig arrived since the last call (and forget it). */
bool	signals_take(int sig);
/* Whether sig arrived and was not taken yet. */
bool	signals_pending(int sig);
/* Undo signals_catch: the descriptor closed, the signals unblocked (tests, and before exec). */
void	signals_release(void);

#endif
