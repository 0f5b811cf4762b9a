/* Temporary stubs so the skeleton links; each is replaced by its module. */
#include <stdio.h>
#include "cmd.h"
#include "config.h"
#include "measure.h"

int cmd_kiosk(const struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; fprintf(stderr, "tramdo: kiosk not built yet\n"); return 1; }
#include <stdlib.h>
#include <string.h>
#include "servers.h"
#include "util.h"
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
