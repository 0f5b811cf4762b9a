/* Temporary stubs so the skeleton links; each is replaced by its module. */
#include <stdio.h>
#include "cmd.h"

int cmd_kiosk(const struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; fprintf(stderr, "tramdo: kiosk not built yet\n"); return 1; }
