/*
 * mixcompose: one compose project across several Docker daemons.
 * This file holds the command table and the global options.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/rx.h"

struct cli_global cli_global;

static const struct cli_cmd cli_cmds[] = {
	{"build", cmd_build,
	 "build the images of services with a build section"},
	{"config", cmd_config, "validate and print the resolved model"},
	{"create", cmd_create, "create the containers without starting them"},
	{"daemons", cmd_daemons, "list the daemons and probe each"},
	{"down", cmd_down, "stop and remove the project's containers"},
	{"exec", cmd_exec, "run a command in a service's container"},
	{"graph", cmd_graph, "draw the services by daemon (mermaid, dot)"},
	{"hosts", cmd_hosts, "print the names and addresses; --sync"},
	{"images", cmd_images, "list the containers' images, per daemon"},
	{"kill", cmd_kill, "force stop the running containers"},
	{"logs", cmd_logs, "show the containers' output, merged"},
	{"ls", cmd_ls, "list the compose projects on every daemon"},
	{"pause", cmd_pause, "pause the running containers"},
	{"plan", cmd_plan, "show what up would do, and where"},
	{"port", cmd_port, "print the public address of a private port"},
	{"ps", cmd_ps, "list the containers on every daemon"},
	{"pull", cmd_pull, "pull the images on their daemons"},
	{"restart", cmd_restart, "restart the containers"},
	{"rm", cmd_rm, "remove the stopped containers"},
	{"run", cmd_run, "run a one-off command on a service"},
	{"schema", cmd_schema, "print the JSON Schema of compose files"},
	{"start", cmd_start, "start the stopped containers"},
	{"stop", cmd_stop, "stop the running containers"},
	{"top", cmd_top, "display the containers' processes"},
	{"unpause", cmd_unpause, "unpause the paused containers"},
	{"up", cmd_up, "create and start the project's containers"},
	{"version", cmd_version, "show the mixcompose version"},
	{NULL, NULL, NULL},
};

const struct cli_cmd *cli_cmd_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Run one compose project across several Docker daemons:\n"
		"Windows services on a Windows daemon, Linux services on a\n"
		"Linux one, reaching each other by service name.\n"
		"\n"
		"Options:\n"
		"  -f, --file FILE             compose file (repeatable)\n"
		"  -p, --project-name NAME     project name\n"
		"      --project-directory DIR project directory\n"
		"      --env-file FILE         environment file (repeatable)\n"
		"      --profile NAME          enable a profile (repeatable)\n"
		"      --daemon NAME=URL       a daemon (or NAME=context:CTX)\n"
		"      --no-interpolate        do not interpolate variables\n"
		"      --ansi never|always|auto\n"
		"  -v, --verbose               say more\n"
		"  -h, --help                  show this help\n"
		"\n"
		"Commands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
	fprintf(f,
		"\nRun 'mixcompose COMMAND --help' for a command's options.\n");
}

#define ADD_OPT(arr, n, val)                                                   \
	do {                                                                   \
		if ((n) >= sizeof(arr) / sizeof((arr)[0])) {                   \
			cli_errorf("too many %s options", #arr);               \
			return -1;                                             \
		}                                                              \
		(arr)[(n)++] = (val);                                          \
	} while (0)

enum {
	OPT_PROJECT_DIR = 256,
	OPT_ENV_FILE,
	OPT_PROFILE,
	OPT_DAEMON,
	OPT_NO_INTERP,
	OPT_ANSI,
};

/* Parses the options before the command; returns argv index of it. */
static int parse_global(int argc, char **argv)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"project-name", required_argument, NULL, 'p'},
		{"project-directory", required_argument, NULL, OPT_PROJECT_DIR},
		{"env-file", required_argument, NULL, OPT_ENV_FILE},
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"daemon", required_argument, NULL, OPT_DAEMON},
		{"no-interpolate", no_argument, NULL, OPT_NO_INTERP},
		{"ansi", required_argument, NULL, OPT_ANSI},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	/* '+' stops at the command, so its own options are left alone. */
	while ((c = getopt_long(argc, argv, "+f:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			ADD_OPT(cli_global.files, cli_global.n_files, optarg);
			break;
		case 'p':
			cli_global.project_name = optarg;
			break;
		case OPT_PROJECT_DIR:
			cli_global.project_dir = optarg;
			break;
		case OPT_ENV_FILE:
			ADD_OPT(cli_global.env_files, cli_global.n_env_files,
				optarg);
			break;
		case OPT_PROFILE:
			ADD_OPT(cli_global.profiles, cli_global.n_profiles,
				optarg);
			break;
		case OPT_DAEMON:
			ADD_OPT(cli_global.daemons, cli_global.n_daemons,
				optarg);
			break;
		case OPT_NO_INTERP:
			cli_global.no_interpolate = true;
			break;
		case OPT_ANSI:
			cli_global.ansi = optarg;
			break;
		case 'v':
			cli_global.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(CLI_OK);
		default:
			return -1;
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int i, rc;

	i = parse_global(argc, argv);
	if (i < 0) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && cli_cmd_find(argv[i + 1])) {
			char *hargv[] = {argv[i + 1], "--help", NULL};

			optind = 1;
			return cli_cmd_find(argv[i + 1])->fn(2, hargv);
		}
		usage(stdout);
		return CLI_OK;
	}
	cmd = cli_cmd_find(argv[i]);
	if (!cmd) {
		cli_errorf("'%s' is not a mixcompose command", argv[i]);
		usage(stderr);
		return CLI_USAGE;
	}
	/*
	 * Each command runs getopt over its own argv.  0, not 1: glibc then
	 * starts afresh with the command's optstring, so options may follow
	 * operands (`up web -d`) as in compose v2, while a '+' optstring
	 * (exec, run) stops at the service: the rest is the command.
	 */
	optind = 0;
	rc = cmd->fn(argc - i, argv + i);
	rx_cache_clear();
	return rc == CLI_FAIL && cli_global.usage_failed ? CLI_USAGE : rc;
}
