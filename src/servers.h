/*
 * servers.h — where to measure: [server NAME] sections, a --server URL, and an optional
 * LibreSpeed-format JSON server list ([servers] list_url), turned into engine candidates.
 */
#ifndef TRAMDO_SERVERS_H
#define TRAMDO_SERVERS_H

#include <stddef.h>

#include "measure.h"

struct config;
struct server_conf;

struct server_list {
	struct measure_server	*v;
	int			 n;
	int			 nconfigured;	/* v[0..nconfigured-1] are [server NAME] sections,
						 * the rest come from the list (servers_candidates) */
};

/* One [server NAME] section → full endpoint URLs (layout php or go, paths may be overridden). */
int  server_from_conf(const struct server_conf *sc, struct measure_server *out);
/* A bare base URL (--server URL), PHP layout unless layout is "go". */
int  server_from_url(const char *name, const char *url, const char *layout, struct measure_server *out);
void server_free(struct measure_server *s);

/*
 * The candidates for one test: the named server when which is a configured name, a URL when it
 * looks like one, else every configured server, then the cached list's entries (those with the
 * same endpoints as a configured one left out) for auto-selection. Returns 0, or -1 with a
 * message in err.
 */
int  servers_candidates(const struct config *cfg, const char *which, struct server_list *out,
    char *err, size_t errlen);

/*
 * A LibreSpeed server list (JSON array of {name, server, dlURL, ulURL, pingURL, getIpURL}; other
 * fields such as id and sponsorName are ignored). Entries with missing or wrong-typed fields,
 * URLs that are not http(s), or the same endpoints as an earlier entry are skipped with a reason
 * in err (the first one); a protocol-relative server ("//host/path") is taken as https. Returns
 * the number of usable servers appended to out, or -1 when the text is not such a list.
 */
int  servers_parse_list(const char *json, size_t len, struct server_list *out, char *err, size_t errlen);

void server_list_free(struct server_list *l);

/* How to measure, from [test]: stream counts, durations, timeouts (validated by config.c). */
void measure_opts_from_config(const struct config *cfg, struct measure_opts *o);

/*
 * The last good list from [servers] list_url is cached as servers.json beside [storage] path.
 * servers_cache_path returns that file's name (caller frees). servers_load_cache appends the
 * cached servers to out: their number, or -1 (message in err) when there is no usable cache.
 */
char *servers_cache_path(const struct config *cfg);
int   servers_load_cache(const struct config *cfg, struct server_list *out, char *err, size_t errlen);
/*
 * The cache at a glance (staff screen, `tramdo servers`): its usable servers and its age in
 * seconds, from the file's mtime (the moment the list was fetched). 0, or -1 (count 0, age -1)
 * when there is no readable cache.
 */
int   servers_cache_info(const struct config *cfg, int *count, double *age_s);

/*
 * Fetching list_url without ever blocking: a loop source (src/loop.h). The first fetch starts
 * at once, a good list is cached (written whole, then renamed over the old cache) and fetched
 * again after [servers] list_refresh_hours; failures are retried with backoff (1 min doubling,
 * up to the refresh interval) and keep the cache. A fetch is http(s) only, capped at
 * SERVERS_LIST_MAX_BYTES, and cut after 30 s, or when slower than 1 kB/s for 5 s.
 */
#define SERVERS_LIST_MAX_BYTES	(1024 * 1024)
#define SERVERS_LIST_MAX	1000

struct loop_source;
struct servers_fetch;

struct servers_fetch *servers_fetch_new(const struct config *cfg);	/* NULL without list_url */
void servers_fetch_free(struct servers_fetch *f);
void servers_fetch_source(struct servers_fetch *f, struct loop_source *out);
/* 0: no fetch finished yet, 1: the last one succeeded, -1: it failed; English message in msg. */
int  servers_fetch_status(const struct servers_fetch *f, char *msg, size_t len);

#endif
