/*
 * stats.h — pure statistics on measurement samples: median, jitter, ramp-up detection and the
 * stability rule that ends a download or upload phase early. No I/O, no clocks: the engine
 * feeds fixed series, so every rule is unit-testable.
 */
#ifndef TRAMDO_STATS_H
#define TRAMDO_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Median of n values (mean of the middle two when n is even); 0 when n is 0. v is not changed. */
double	stats_median(const double *v, size_t n);
/* Smallest of n values; 0 when n is 0. */
double	stats_min(const double *v, size_t n);
/* Mean absolute difference of consecutive samples; 0 when n < 2. */
double	stats_jitter(const double *v, size_t n);

/* Samples are per-interval rates (any unit), one per sampling tick. */
#define STATS_RAMP_WINDOW	3	/* fewest samples averaged when looking for the end of slow start */
#define STATS_RAMP_GROWTH	0.10	/* a window more than 10% above the previous one is still ramping */
#define STATS_RAMP_BACK		0.05	/* samples this close to the plateau, just before it, are on it */

/*
 * Index of the first sample after the ramp-up (TCP slow start, connection set-up): the first
 * window of `window` samples (at least STATS_RAMP_WINDOW) whose mean is not more than
 * STATS_RAMP_GROWTH above the mean of the window before it, both non-zero, moved back over the
 * samples just before it that are within STATS_RAMP_BACK of its mean. Returns n when the rate
 * is still growing (or nothing moved yet).
 */
size_t	stats_rampup_end(const double *rate, size_t n, size_t window);

#define STATS_STABLE_TOLERANCE	0.02	/* ±2% */

/*
 * The stability rule: true when the running mean rate from sample `start` (the end of ramp-up)
 * has stayed within ±STATS_STABLE_TOLERANCE of its latest value for the last `window` samples
 * (1 s at 100 ms ticks = 10), the first of them a mean of one sample when only `window` samples
 * have been measured. The running mean is what the phase would report, so a stable one will not
 * change.
 */
bool	stats_stable(const double *rate, size_t n, size_t start, size_t window);

/*
 * The rate of a cumulative count y over t for the points from..n-1: from the mean of the first
 * three points to the mean of the last three (fewer when there are fewer than six), in y per
 * unit of t; 0 with fewer than two points or no time between them. Like the difference of the
 * two ends it is the average over the whole span, also when the rate changed inside it, but the
 * timing noise of one reading weighs a third.
 */
double	stats_rate(const double *t, const uint64_t *y, size_t from, size_t n);

/* Mean of rate[start..n-1]; 0 when empty. */
double	stats_mean_from(const double *rate, size_t n, size_t start);

#endif
