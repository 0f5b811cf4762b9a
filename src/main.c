/* main.c — global options and subcommand dispatch; nothing else. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "signals.h"

static const struct {
	const char	*name;
	int		(*fn)(const struct cli *, int, char **);
	const char	*usage;
} commands[] = {
	{ "run",		cmd_run,		"run [--server NAME|URL] [--json]" },
	{ "check-config",	cmd_check_config,	"check-config" },
	{ "gps",		cmd_gps,		"gps [--wait SECONDS] [--watch]" },
	{ "history",		cmd_history,		"history [--json] [-n N]" },
	{ "export",		cmd_export,		"export --since DATE --format csv|json" },
	{ "upload",		cmd_upload,		"upload" },
	{ "servers",		cmd_servers,		"servers [--json]" },
	{ "say",		cmd_say,		"say [--lang vi|en] [--wav FILE] TEXT" },
};

#define EXIT_NOPERM 77	/* sysexits EX_NOPERM */

/*
 * Commands that only read and print may run as root (staff check a file with sudo): history
 * and export open the database read-only and never create one. Everything else writes state —
 * results, the upload queue, caches (`servers` writes the server list's) — that the
 * unprivileged service user must go on owning, so root needs --allow-root (for demos). `say`
 * only plays sound; its --wav file is the one the caller named, as a shell redirection would
 * be. A kiosk run as root for a demo also speaks through `tramdo say`, without --allow-root.
 */
static const char *const root_safe[] = { "check-config", "gps", "say", "history", "export" };

static bool
refuse_root(const struct cli *cli, const char *command)
{
	if (geteuid() != 0 || cli->allow_root)
		return false;
	for (size_t i = 0; command != NULL && i < sizeof root_safe / sizeof root_safe[0]; i++)
		if (strcmp(command, root_safe[i]) == 0)
			return false;
	if (command != NULL)
		fprintf(stderr, "tramdo: refusing to run 'tramdo %s' as root", command);
	else
		fprintf(stderr, "tramdo: refusing to run the kiosk as root");
	fprintf(stderr, ": files it writes would belong to root.\n"
	    "Run it as the service user (runuser -u tramdo -- tramdo ...), or add --allow-root "
	    "for a demo.\n");
	return true;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: tramdo [-c FILE] [--log FILE]            the kiosk (full screen)\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "       tramdo [-c FILE] %s\n", commands[i].usage);
	fprintf(f, "       tramdo --version | --help\n");
	fprintf(f, "       (--allow-root: run as root anyway, for demos only)\n");
}

/*
 * Global options may stand before or after the subcommand's name: take them out of argv.
 * After "--" every word is the command's own (`tramdo say -- -c` says "-c").
 */
static int
take_global_options(struct cli *cli, int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
			slot = &cli->config_path;
		else if (strcmp(a, "--log") == 0)
			slot = &cli->log_path;
		if (slot != NULL) {
			if (i + 1 == *argc) {
				fprintf(stderr, "tramdo: %s needs a file name\n", a);
				return -1;
			}
			*slot = argv[++i];
			if (slot == &cli->config_path)
				cli->config_given = true;
			continue;
		}
		if (strcmp(a, "--allow-root") == 0) {
			cli->allow_root = true;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli cli = { .config_path = CONFIG_DEFAULT_PATH };

	/*
	 * Only the character type follows the environment (ncursesw needs UTF-8). LC_NUMERIC stays
	 * "C" for the whole program: glibc's vi_VN uses "," as decimal point, which would corrupt
	 * every number we parse, log or upload.
	 */
	setlocale(LC_CTYPE, "");
	signals_init();

	if (take_global_options(&cli, &argc, argv) != 0)
		return 2;
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("tramdo %s\n", TRAMDO_VERSION);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc < 2)
		return refuse_root(&cli, NULL) ? EXIT_NOPERM : cmd_kiosk(&cli, argc, argv);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			if (refuse_root(&cli, argv[1]))
				return EXIT_NOPERM;
			/* after the refusal: root must not create the log file either */
			if (cli_open_log(&cli) != 0)
				return 1;
			return commands[i].fn(&cli, argc - 1, argv + 1);
		}
	fprintf(stderr, "tramdo: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
