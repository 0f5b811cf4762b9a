/* config.h — the INI configuration (iniparser): defaults, parsing, validation. */
#ifndef TRAMDO_CONFIG_H
#define TRAMDO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/tramdo/tramdo.ini"
#define EXIT_CONFIG 78		/* sysexits EX_CONFIG */
/* Debian's prometheus-node-exporter reads *.prom files from this directory (textfile collector). */
#define CONFIG_METRICS_DEFAULT "/var/lib/prometheus/node-exporter/tramdo.prom"
/* VNNIC's i-Speed: the kiosk sends citizens on to it by default ([kiosk] promo_qr_url). */
#define CONFIG_ISPEED_URL "https://i-speed.vn"

/* Problems found while loading: every one is kept, so staff can fix a file in one pass. */
enum diag_level { DIAG_WARNING, DIAG_ERROR };
struct diag {
	enum diag_level	 level;
	char		*text;	/* "FILE:LINE: [section] key: message" (LINE when known) */
};
struct diags {
	struct diag	*v;
	size_t		 n;
};
void diags_add(struct diags *d, enum diag_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t diags_count(const struct diags *d, enum diag_level level);
void diags_free(struct diags *d);

/* A server's four LibreSpeed endpoints, as paths relative to url (or absolute URLs). */
struct server_conf {
	char	*name;
	char	*url;		/* base, e.g. http://10.0.0.2/ */
	char	*download_path;	/* garbage: GET ?ckSize=N */
	char	*upload_path;	/* empty: POST */
	char	*ping_path;	/* empty: GET */
	char	*getip_path;	/* getIP: GET ?isp=true */
	char	*layout;	/* "php" (backend/garbage.php …) or "go" (garbage, empty, getIP) */
};

enum charset { CHARSET_AUTO, CHARSET_UNICODE, CHARSET_CONSOLE, CHARSET_ASCII };

struct config {
	char	*path;

	struct {
		char	*id, *name, *province, *district, *commune, *commune_code;
		char	*isp, *access;
		bool	 has_position;		/* both latitude and longitude given */
		double	 latitude, longitude;	/* NAN when not given */
	} station;

	struct {
		char		*language;	/* "vi" | "en" */
		int		 result_seconds;
		int		 result_min_seconds;	/* keys ignored this long: read first */
		int		 error_seconds;
		int		 cooldown_seconds;
		int		 retry_seconds;	/* out of service: a test this often */
		char		*staff_pin;
		enum charset	 charset;
		char		*promo_qr_url;	/* "": no code */
		char		*promo_caption;	/* what the code is for, or NULL: the catalog's */
		char		*prompt;	/* staff's own welcome text, or NULL */
		bool		 speech;	/* read the result aloud (speech.h) */
	} kiosk;

	struct {
		char	*server;		/* "auto" or a server name */
		int	 download_streams;
		int	 upload_streams;
		double	 max_seconds;		/* per direction */
		int	 ping_count;
		double	 connect_timeout;	/* seconds */
		double	 stall_seconds;		/* no byte for this long: the server stalled */
		double	 daily_budget_mb;	/* 0: no budget */
		char	*schedule;
		int	 schedule_splay_seconds;	/* most a station delays each scheduled test */
		char	*quiet_hours;
		char	*ip_version;		/* "auto", "4", "6" or "both" */
		char	*ca_file;		/* PEM authorities for https servers, or NULL: the system's */
	} test;

	struct server_conf	*servers;
	size_t			 nservers;
	char			*server_list_url;	/* [servers] list_url, or NULL */
	double			 server_list_refresh_hours;	/* [servers] list_refresh_hours */

	struct {
		bool	 enabled;
		char	*host;
		char	*port;
		int	 max_fix_age_seconds;
	} gps;

	struct {
		bool	 enabled;
		char	*format;	/* comma list: json, librespeed, influx */
		char	*url;
		char	*token_file;
		char	*result_url;		/* a link per result, "{id}" replaced, or NULL */
		int	 retry_max_seconds;
		/* Added by the store/upload engineer: one target per sink. */
		char	*librespeed_url;	/* LibreSpeed base; results/telemetry.php appended */
		char	*influx_url;		/* InfluxDB base, e.g. http://127.0.0.1:8086 */
		char	*influx_db;		/* 1.x: /write?db= */
		char	*influx_org;		/* 2.x: /api/v2/write?org=&bucket= */
		char	*influx_bucket;
		char	*influx_token_file;	/* 2.x token (or 1.x "user:password") */
		char	*influx_precision;	/* "s" | "ms" */
		int	 timeout_seconds;	/* one request, start to end */
		char	*ca_file;		/* PEM authorities for https collectors, or NULL */
	} upload;

	struct {
		char	*path;
	} storage;

	struct {
		char	*textfile;	/* node_exporter textfile (metrics.h); "": none */
	} metrics;
};

/* Fills cfg with defaults for every key. */
void config_defaults(struct config *cfg);
/*
 * Loads and validates path over the defaults. Every problem goes to d. Returns 0 when usable
 * (warnings allowed), -1 on any error but an unusable token file: that one stops only the
 * sink that uses it (upload.h), so it is an error for check-config and the service still
 * runs. cfg is always safe to config_free().
 * cfg is (re)initialised with config_defaults() first: pass one that holds no allocations.
 * Optional text keys left unset are NULL (staff_pin, promo_qr_url, prompt, schedule, quiet_hours,
 * list_url, upload url/token_file, ca_file); [station] texts are "" when unset. Server names compare
 * without regard to case; a server's paths are filled from its layout when not given, and
 * getip_path is "" when the server has no getIP endpoint.
 */
int  config_load(const char *path, struct config *cfg, struct diags *d);
void config_free(struct config *cfg);
const struct server_conf *config_server(const struct config *cfg, const char *name);
/*
 * The secret in a token file ([upload] token_file, influx_token_file), read as the service
 * reads it and refused for what the service refuses: not there, unreadable, a symbolic link,
 * not a regular file, readable or writable by group or others, empty, more than one line.
 * NULL with why not in err (English, naming the file, never the token); else the caller's.
 */
char *config_read_token(const char *path, char *err, size_t errlen);

/* The longest URL tramdo takes: what browsers and most servers handle; more is a mistake. */
#define CONFIG_URL_MAX	2048
/*
 * NULL when url is http:// or https:// with a host and at most CONFIG_URL_MAX bytes, else why
 * not ("has no host name", …).
 */
const char *config_url_problem(const char *url);

#endif
