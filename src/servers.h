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
};

/* One [server NAME] section → full endpoint URLs (layout php or go, paths may be overridden). */
int  server_from_conf(const struct server_conf *sc, struct measure_server *out);
/* A bare base URL (--server URL), PHP layout unless layout is "go". */
int  server_from_url(const char *name, const char *url, const char *layout, struct measure_server *out);
void server_free(struct measure_server *s);

/*
 * The candidates for one test: the named server when which is a configured name, a URL when it
 * looks like one, else every configured server (plus cached list entries) for auto-selection.
 * Returns 0, or -1 with a message in err.
 */
int  servers_candidates(const struct config *cfg, const char *which, struct server_list *out,
    char *err, size_t errlen);

/*
 * A LibreSpeed server list (JSON array of {name, server, dlURL, ulURL, pingURL, getIpURL}).
 * Entries with missing or wrong-typed fields are skipped with a reason in err (first one);
 * returns the number of usable servers appended to out, or -1 when the text is not such a list.
 */
int  servers_parse_list(const char *json, size_t len, struct server_list *out, char *err, size_t errlen);

void server_list_free(struct server_list *l);

#endif
