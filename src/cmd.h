/* cmd.h — the subcommands; main.c only parses global options and dispatches here. */
#ifndef TRAMDO_CMD_H
#define TRAMDO_CMD_H

#include <stdbool.h>
#include <stddef.h>

struct cli {
	const char	*config_path;	/* -c FILE, default CONFIG_DEFAULT_PATH */
	bool		 config_given;
	const char	*log_path;	/* --log FILE or NULL */
	bool		 allow_root;
};

struct config;
/* The -c file, or the default one if present, else defaults; problems printed. 0 or -1. */
int cli_load_config(const struct cli *cli, struct config *cfg);
/* The same, telling how many of the problems were errors (errors may be NULL). */
int cli_load_config_counted(const struct cli *cli, struct config *cfg, size_t *errors);

/*
 * --log FILE for a command: its log lines (and `run`'s result line) are appended to FILE
 * instead of going to stderr. 0, or -1 after saying why. The kiosk opens its log itself.
 */
int cli_open_log(const struct cli *cli);

/* Commands end cleanly on Ctrl-C or SIGTERM: the handler only sets a flag, polled here. */
void cli_catch_interrupts(void);
bool cli_interrupted(void);

#define EXIT_NOINPUT 66	/* sysexits EX_NOINPUT: history or export without a database */
#define EXIT_PARTIAL 3	/* `run`: the download measured and stored, the upload not measured */

/*
 * Each returns the process exit status (0 ok, 1 failure, 2 usage, 3 partial result (run), 66 no
 * database, 69 no server answered (servers), 78 config).
 */
int cmd_kiosk(const struct cli *cli, int argc, char **argv);
int cmd_run(const struct cli *cli, int argc, char **argv);
int cmd_check_config(const struct cli *cli, int argc, char **argv);
int cmd_gps(const struct cli *cli, int argc, char **argv);
int cmd_history(const struct cli *cli, int argc, char **argv);
int cmd_export(const struct cli *cli, int argc, char **argv);
int cmd_upload(const struct cli *cli, int argc, char **argv);
int cmd_servers(const struct cli *cli, int argc, char **argv);
int cmd_say(const struct cli *cli, int argc, char **argv);

#endif
