/*
 * kiosk_view.h — the model the screens draw (struct ui_model, ui.h), filled from the kiosk's
 * parts: the configuration, the state machine, a finished test, the store and gpsd. Only
 * kiosk.c calls these; they do no I/O but the store's queries.
 */
#ifndef TRAMDO_KIOSK_VIEW_H
#define TRAMDO_KIOSK_VIEW_H

#include <stdbool.h>

#include "model.h"

struct config;
struct gps;
struct i18n;
struct kiosk_countdowns;
struct kiosk_fsm;
struct store;
struct ui_model;
struct verdicts;

/* A problem for the staff screen, newest first: now, a [problem] catalog key, the English detail. */
void	view_problem(struct ui_model *m, const char *key, const char *detail);
/* What a failed test's error code means: for citizens (error.*) and for staff (problem.*). */
const char *view_error_key(enum test_error e);
const char *view_problem_key(enum test_error e);

/* What the screens show of the configuration: station, the promo code, how long a test takes. */
void	view_config(struct ui_model *m, const struct config *c);
/* The screen, the cancel question, the PIN prompt: as the state machine has them. */
void	view_fsm(struct ui_model *m, const struct kiosk_fsm *f);
/* The countdowns at now; true when a shown second changed. */
bool	view_countdowns(struct ui_model *m, const struct kiosk_countdowns *c);
/* Whether the last test (good or failed) found IPv6 working, and its family: for the staff screen. */
void	view_ip_family(struct ui_model *m, const struct test_figures *f);
/* A good test on the Result screen, and what its QR code holds (result_url, "{id}", or a text). */
void	view_result(struct ui_model *m, const struct result *r, const struct verdicts *v,
	    const char *result_url);
/*
 * The counts from the store: today's and this month's good tests, today's failed ones, what
 * waits per collector (uploads: the queue runs). Without a store that can tell, today's count
 * is good_fallback, the rest unknown.
 */
void	view_store(struct ui_model *m, struct store *st, bool uploads, int good_fallback);
/* The GPS part of the status lines; true when it changed. */
bool	view_gps(struct ui_model *m, const struct gps *g, double now);
/* The staff screen's facts: station, files, server, language, the last test's other figures. */
void	view_staff(struct ui_model *m, const struct config *c, const char *config_path,
	    const char *log_path);
/*
 * After view_staff, with [servers] list_url set: the cached list's servers and age in seconds
 * (-1: no cache yet), and whether the last fetch failed.
 */
void	view_server_list(struct ui_model *m, int count, double age_s, bool failed);

#endif
