/* Temporary stubs so the skeleton links; each is replaced by its module. */
#include <stdio.h>
#include "cmd.h"
#include "config.h"
#include "measure.h"

int cmd_kiosk(const struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; fprintf(stderr, "tramdo: kiosk not built yet\n"); return 1; }
int cmd_check_config(const struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; return 1; }
#include <stdlib.h>
#include <string.h>
#include "servers.h"
#include "util.h"
/* config stubs (config.c replaces) */
void config_defaults(struct config *cfg) { memset(cfg, 0, sizeof *cfg); cfg->test.server = "auto"; cfg->test.download_streams = 6; cfg->test.upload_streams = 4; cfg->test.max_seconds = 6; cfg->test.ping_count = 10; cfg->test.connect_timeout = 5; cfg->test.stall_seconds = 5; }
int config_load(const char *path, struct config *cfg, struct diags *d) { (void)path; (void)d; config_defaults(cfg); return 0; }
void config_free(struct config *cfg) { (void)cfg; }
void diags_free(struct diags *d) { (void)d; }
/* servers stubs (servers.c replaces) */
int servers_candidates(const struct config *cfg, const char *which, struct server_list *out, char *err, size_t errlen) {
	(void)cfg; if (which == NULL || strncmp(which, "http", 4) != 0) { snprintf(err, errlen, "stub: URL only"); return -1; }
	out->v = xcalloc(1, sizeof *out->v); out->n = 1; out->v[0].name = xstrdup(which); out->v[0].url = xstrdup(which);
	out->v[0].garbage_url = xasprintf("%sbackend/garbage.php", which); out->v[0].empty_url = xasprintf("%sbackend/empty.php", which); out->v[0].getip_url = xasprintf("%sbackend/getIP.php", which); return 0; }
void server_list_free(struct server_list *l) { for (int i = 0; i < l->n; i++) { free(l->v[i].name); free(l->v[i].url); free(l->v[i].garbage_url); free(l->v[i].empty_url); free(l->v[i].getip_url); } free(l->v); }
/* engine stubs (measure.c replaces) */
const char *measure_error_name(enum measure_error e) { (void)e; return "internal"; }
void measure_opts_default(struct measure_opts *o) { memset(o, 0, sizeof *o); }
struct measure { struct measure_result r; };
struct measure *measure_new(const struct measure_server *c, int n, const struct measure_opts *o) { (void)c; (void)n; (void)o; struct measure *m = xcalloc(1, sizeof *m); m->r.error = MERR_INTERNAL; snprintf(m->r.message, sizeof m->r.message, "engine not built yet"); return m; }
void measure_free(struct measure *m) { free(m); }
int measure_start(struct measure *m) { (void)m; return -1; }
void measure_cancel(struct measure *m) { (void)m; }
bool measure_finished(const struct measure *m) { (void)m; return true; }
int measure_fds(void *m, struct pollfd *fds, int max) { (void)m; (void)fds; (void)max; return 0; }
int measure_timeout(void *m) { (void)m; return -1; }
void measure_step(void *m, const struct pollfd *fds, int n) { (void)m; (void)fds; (void)n; }
const struct measure_result *measure_result(const struct measure *m) { return &m->r; }
void measure_progress(const struct measure *m, struct measure_progress *p) { (void)m; memset(p, 0, sizeof *p); }
