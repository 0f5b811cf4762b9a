/* stats.c — see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
stats_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return 0;
	s = xmalloc(n * sizeof *s);
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

double
stats_min(const double *v, size_t n)
{
	double m;

	if (n == 0)
		return 0;
	m = v[0];
	for (size_t i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double
stats_jitter(const double *v, size_t n)
{
	double sum = 0;

	if (n < 2)
		return 0;
	for (size_t i = 1; i < n; i++)
		sum += fabs(v[i] - v[i - 1]);
	return sum / (double)(n - 1);
}

double
stats_rate(const double *t, const uint64_t *y, size_t from, size_t n)
{
	size_t k, m;
	double ta = 0, tb = 0, ya = 0, yb = 0;

	if (from >= n || n - from < 2)
		return 0;
	k = n - from;
	m = k >= 6 ? 3 : k / 2;
	/* relative to the first point: byte counts reach 10^10 */
	for (size_t i = 0; i < m; i++) {
		ta += t[from + i] - t[from];
		ya += (double)(y[from + i] - y[from]);
		tb += t[n - m + i] - t[from];
		yb += (double)(y[n - m + i] - y[from]);
	}
	return tb > ta ? (yb - ya) / (tb - ta) : 0;
}

double
stats_mean_from(const double *rate, size_t n, size_t start)
{
	double sum = 0;

	if (start >= n)
		return 0;
	for (size_t i = start; i < n; i++)
		sum += rate[i];
	return sum / (double)(n - start);
}

/* Mean of the STATS_RAMP_WINDOW samples ending at index last (inclusive). */
static double
window_mean(const double *rate, size_t last, size_t w)
{
	double sum = 0;

	for (size_t i = 0; i < w; i++)
		sum += rate[last - i];
	return sum / (double)w;
}

/*
 * The first flat window is found a window after the plateau began: the samples before it that
 * are already within STATS_RAMP_BACK of its mean belong to the plateau too (on a 300 ms path
 * that is half a second of a phase of three). Not one above it: a shaper's bucket lets a burst
 * through at the start (16 kB, a quarter of a second on a 0.5 Mbit/s uplink).
 */
static size_t
plateau_start(const double *rate, size_t first, double level)
{
	while (first > 0 && fabs(rate[first - 1] - level) <= level * STATS_RAMP_BACK)
		first--;
	return first;
}

size_t
stats_rampup_end(const double *rate, size_t n, size_t w)
{
	if (w < STATS_RAMP_WINDOW)
		w = STATS_RAMP_WINDOW;

	for (size_t last = 2 * w - 1; last < n; last++) {
		double cur = window_mean(rate, last, w);
		double prev = window_mean(rate, last - w, w);

		if (cur > 0 && prev > 0 && cur <= prev * (1 + STATS_RAMP_GROWTH))
			return plateau_start(rate, last - w + 1, cur);
	}
	return n;
}

bool
stats_stable(const double *rate, size_t n, size_t start, size_t window)
{
	double sum = 0, final, lo, hi;
	size_t first_checked;

	if (start >= n || window == 0 || n - start < window)
		return false;
	final = stats_mean_from(rate, n, start);
	if (final <= 0)
		return false;
	lo = final * (1 - STATS_STABLE_TOLERANCE);
	hi = final * (1 + STATS_STABLE_TOLERANCE);
	first_checked = n - window;
	for (size_t i = start; i < n; i++) {
		double mean;

		sum += rate[i];
		if (i < first_checked)
			continue;
		mean = sum / (double)(i - start + 1);
		if (mean < lo || mean > hi)
			return false;
	}
	return true;
}
