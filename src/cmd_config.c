/* cmd_config.c — `tramdo check-config`: every problem of the configuration, one a line. */
#include "cmd.h"
#include "config.h"

#include <stdio.h>

int
cmd_check_config(const struct cli *cli, int argc, char **argv)
{
	struct config cfg;
	struct diags d = { 0 };
	size_t errors, warnings;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: tramdo [-c FILE] check-config\n");
		return 2;
	}
	config_load(cli->config_path, &cfg, &d);
	for (size_t i = 0; i < d.n; i++)
		printf("%s\n", d.v[i].text);
	errors = diags_count(&d, DIAG_ERROR);
	warnings = diags_count(&d, DIAG_WARNING);
	if (errors == 0)
		printf("%s: OK (%zu warning%s)\n", cli->config_path, warnings, warnings == 1 ? "" : "s");
	else
		printf("%s: %zu error%s, %zu warning%s\n", cli->config_path, errors,
		    errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	diags_free(&d);
	config_free(&cfg);
	return errors == 0 ? 0 : EXIT_CONFIG;
}
