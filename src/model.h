/*
 * model.h — what a speed test is, as plain data: its phases and live progress, its figures,
 * where it was taken, and the whole result as stored, logged and uploaded.
 *
 * It depends on nothing of the project: the engine (measure.c) fills the figures, a test
 * session (session.c) puts the result together, and the screens, the store, the uploads and
 * the commands only read it. Text formats (JSON, line protocol, CSV) are codec.c's business.
 * Strings are owned by the struct that holds them; NULL is "unknown".
 */
#ifndef TRAMDO_MODEL_H
#define TRAMDO_MODEL_H

#include <stdbool.h>
#include <stdint.h>

enum test_phase {
	PHASE_IDLE,
	PHASE_SELECT,		/* probing candidates, when there is more than one */
	PHASE_LATENCY,
	PHASE_DOWNLOAD,
	PHASE_UPLOAD,
	PHASE_DONE,
	PHASE_FAILED
};

enum test_error {
	MERR_NONE,
	MERR_NO_SERVER,		/* no candidate answered */
	MERR_DNS,
	MERR_CONNECT,		/* refused, unreachable, timed out */
	MERR_TLS,
	MERR_HTTP,		/* 4xx/5xx */
	MERR_RESET,		/* connection closed or reset mid-transfer */
	MERR_STALLED,		/* no byte for stall_seconds */
	MERR_BAD_DATA,		/* HTML or other unexpected reply instead of data */
	MERR_CANCELLED,
	MERR_INTERNAL
};
#define MERR_COUNT	(MERR_INTERNAL + 1)

/* "none", "no_server", "dns", … (stable: stored, uploaded, logged). */
const char *test_error_name(enum test_error e);
/* The inverse; false (and *e untouched) for a name no version of tramdo wrote. */
bool test_error_from_name(const char *name, enum test_error *e);

/* A running test, as the screens show it. */
struct test_progress {
	enum test_phase	phase;
	double	phase_fraction;		/* 0..1 within the phase (time-based) */
	double	overall_fraction;	/* 0..1 of the whole test */
	double	mbps_now;		/* last 100 ms sample(s), this phase */
	double	mbps_avg;		/* running result of this phase */
	double	latency_ms;		/* latest latency sample */
};

/*
 * Most idle latency samples a test keeps ([test] ping_count's upper bound): LibreSpeed's ping
 * and jitter are computed from the series in order, so the series is a figure too.
 */
#define TEST_PINGS_MAX	100

/*
 * The figures of one test. A figure below 0 is unknown (or not measured: a failed test).
 * A partial test: error is MERR_NONE and the download's figures stand, but the upload could not
 * be measured (upload_error says why, upload_mbps is unknown).
 */
struct test_figures {
	enum test_error	 error;
	char		 message[256];	/* English, for logs; "" when error is MERR_NONE */
	enum test_error	 upload_error;	/* MERR_NONE, or why the upload of a partial test failed */
	char		 upload_message[256];	/* English, for logs; "" when upload_error is MERR_NONE */
	char		*server_name;
	char		*server_url;
	char		*client_ip;	/* from getIP, may be NULL */
	char		*client_isp;
	double	connect_ms;			/* TCP round trip of the latency connection */
	double	latency_min_ms, latency_median_ms, jitter_ms;
	double	pings_ms[TEST_PINGS_MAX];	/* the idle latency samples, in the order taken */
	int	npings;
	double	loaded_download_ms, loaded_upload_ms;	/* median latency while loaded */
	double	download_mbps, upload_mbps;		/* payload, 10^6 bit/s */
	uint64_t download_bytes, upload_bytes;		/* everything moved, ramp-up included */
	uint64_t upload_body_bytes;	/* size of the upload's POST bodies at its end; 0 unknown */
	double	duration_s;
	int	ip_version;	/* 4 or 6: the family the test ran over (or was forced to); 0 unknown */
	int	ipv6;		/* whether this station reached the server over IPv6: 1 yes, 0 no,
				 * -1 unknown (not probed) */
};

enum location_source { LOC_NONE, LOC_GPS, LOC_STATION };

struct location {
	enum location_source	source;
	double	lat, lon;	/* degrees; NAN when source is LOC_NONE */
	double	alt_m;		/* NAN when unknown */
	double	accuracy_m;	/* NAN when unknown */
	int	satellites;	/* -1 when unknown */
	double	fix_time;	/* epoch seconds, 0 when not from GPS */
};

/* The station a result belongs to ([station] of the configuration); "" or NULL: not set. */
struct station {
	char	*id, *name, *province, *district, *commune, *commune_code, *isp, *access;
};

#define RESULT_TRIGGER_MAX	16

struct result {
	char			id[37];		/* UUID v4 */
	double			started_at;	/* epoch seconds */
	char			trigger[RESULT_TRIGGER_MAX];	/* "citizen" | "schedule" | "cli" */
	struct station		station;
	struct location		location;
	struct test_figures	fig;
	char			software[32];	/* "tramdo/VERSION" that took it */
};

/* Every figure unknown, no strings. */
void	figures_clear(struct test_figures *f);
/* dst (cleared or freed before) becomes a deep copy of src. */
void	figures_copy(struct test_figures *dst, const struct test_figures *src);
void	figures_free(struct test_figures *f);
/* Whether the test measured: no error, and the rates are known. */
bool	figures_good(const struct test_figures *f);
/* Whether the test measured the download but not the upload (stored with outcome incomplete). */
bool	figures_partial(const struct test_figures *f);

const char *location_source_name(enum location_source s);
bool	location_source_from_name(const char *name, enum location_source *s);
/* No position: source none, every number unknown. */
void	location_clear(struct location *l);

void	station_copy(struct station *dst, const struct station *src);
void	station_free(struct station *s);

/* An empty result: figures and location unknown, no id. */
void	result_clear(struct result *r);
void	result_free(struct result *r);

#endif
