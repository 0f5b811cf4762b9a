/*
 * kiosk_metrics.h — the kiosk's fleet-health file ([metrics] textfile, metrics.h): when it is
 * written and what from. The counts are the ones the staff screen shows (struct ui_model, filled
 * by kiosk_view.c); the last test comes from the kiosk's own results, or after a start from the
 * newest ones in the store. Only kiosk.c calls these.
 *
 * A change asks for a write (kmetrics_touch); writes come at most once a second however many
 * changes there are, and once a minute anyway, so the file's age tells a hung kiosk apart.
 */
#ifndef TRAMDO_KIOSK_METRICS_H
#define TRAMDO_KIOSK_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct config;
struct store;
struct ui_model;

#define KMETRICS_MIN_INTERVAL	1.0	/* seconds between two writes at least */
#define KMETRICS_HEARTBEAT	60.0	/* seconds between two writes at most */

struct kmetrics {
	double	start_time;		/* wall clock */
	double	dirty_since;		/* monotonic; < 0: nothing new to write */
	double	last_write;		/* monotonic; < 0: never written */
	char	problem[512];		/* the write error last told; "" when writing works */
	char	written[4097];		/* the file last written: removed when a reload names another */
	long	config_errors;		/* in the configuration file last read; < 0 unknown */

	/* The last test and the last good one; times < 0 and outcome < 0: none known. */
	double	last_test, last_good;
	int	last_outcome;		/* KMETRICS_GOOD … */
	double	download_bytes_per_s, upload_bytes_per_s, latency_s;
	bool	seeded;			/* the store was asked once */
};

enum { KMETRICS_GOOD, KMETRICS_FAILED, KMETRICS_CANCELLED, KMETRICS_INCOMPLETE };

/* What the kiosk has now, borrowed for one write. */
struct kmetrics_source {
	const struct config	*cfg;
	const struct ui_model	*model;		/* its GPS state too (view_gps) */
	struct store		*store;		/* may be NULL; asked once for the last tests */
	int			 state;		/* enum kiosk_state */
	bool			 up;
};

void	kmetrics_init(struct kmetrics *m);
/* Something the file shows changed: write it within KMETRICS_MIN_INTERVAL. */
void	kmetrics_touch(struct kmetrics *m);
/* A test ended with result r. */
void	kmetrics_test(struct kmetrics *m, const struct result *r);
/* Errors found when the configuration file was read (at the start or a reload). */
void	kmetrics_config_errors(struct kmetrics *m, size_t errors);
/* The monotonic time the next write is due, or -1 when path is off ("" or NULL). */
double	kmetrics_due(const struct kmetrics *m, const char *path);
/*
 * Writes the file ([metrics] textfile of src->cfg) now, when it is configured. NULL, or a
 * write error not told before (English, naming the file): the caller logs it and shows it to
 * staff once; the same error again returns NULL, and a write that works again is logged here.
 */
const char *kmetrics_write(struct kmetrics *m, const struct kmetrics_source *src, double now);

#endif
