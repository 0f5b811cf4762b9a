/* cli.c — what every subcommand shares. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "signals.h"

/*
 * The configuration for a command: the named file, or the default one when it exists; with
 * neither, defaults (so `tramdo run --server URL` works on a bare machine). Errors are printed.
 */
int
cli_load_config_counted(const struct cli *cli, struct config *cfg, size_t *errors)
{
	struct diags d = { 0 };
	int rc;

	if (errors != NULL)
		*errors = 0;
	if (!cli->config_given && access(cli->config_path, F_OK) != 0) {
		config_defaults(cfg);
		return 0;
	}
	rc = config_load(cli->config_path, cfg, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.v[i].text);
	if (errors != NULL)
		*errors = diags_count(&d, DIAG_ERROR);
	diags_free(&d);
	return rc;
}

int
cli_load_config(const struct cli *cli, struct config *cfg)
{
	return cli_load_config_counted(cli, cfg, NULL);
}

static const int interrupts[] = { SIGINT, SIGTERM };

/* A failure leaves the default dispositions: Ctrl-C then ends the command the old way. */
void
cli_catch_interrupts(void)
{
	if (signals_catch(interrupts, 2) != 0)
		fprintf(stderr, "tramdo: cannot watch for Ctrl-C: %s\n", strerror(errno));
}

bool
cli_interrupted(void)
{
	return signals_pending(SIGINT) || signals_pending(SIGTERM);
}

int
cli_open_log(const struct cli *cli)
{
	if (cli->log_path == NULL || log_open(LOG_FILE, cli->log_path) == 0)
		return 0;
	fprintf(stderr, "tramdo: cannot open log file %s: %s\n", cli->log_path, strerror(errno));
	return -1;
}
