/* cli.c — what every subcommand shares. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"

/*
 * The configuration for a command: the named file, or the default one when it exists; with
 * neither, defaults (so `tramdo run --server URL` works on a bare machine). Errors are printed.
 */
int
cli_load_config(const struct cli *cli, struct config *cfg)
{
	struct diags d = { 0 };
	int rc;

	if (!cli->config_given && access(cli->config_path, F_OK) != 0) {
		config_defaults(cfg);
		return 0;
	}
	rc = config_load(cli->config_path, cfg, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.v[i].text);
	diags_free(&d);
	return rc;
}

static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

void
cli_catch_interrupts(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool
cli_interrupted(void)
{
	return interrupted != 0;
}
