/*
 * mixcompose: one compose project across several Docker daemons.
 * This file holds the command table and the global options.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "util/rx.h"

struct cli_global cli_global;

#define PUSH_OPT(arr, n, val)                                                  \
	do {                                                                   \
		if ((n) >= sizeof(arr) / sizeof((arr)[0])) {                   \
			cli_errorf("too many %s options", #arr);               \
			return CLI_USAGE;                                      \
		}                                                              \
		(arr)[(n)++] = (val);                                          \
	} while (0)

static int add_file(void *obj, const char *v)
{
	struct cli_global *g = obj;

	PUSH_OPT(g->files, g->n_files, v);
	return CLI_OK;
}

static int add_env_file(void *obj, const char *v)
{
	struct cli_global *g = obj;

	PUSH_OPT(g->env_files, g->n_env_files, v);
	return CLI_OK;
}

static int add_profile(void *obj, const char *v)
{
	struct cli_global *g = obj;

	PUSH_OPT(g->profiles, g->n_profiles, v);
	return CLI_OK;
}

static int add_daemon(void *obj, const char *v)
{
	struct cli_global *g = obj;

	PUSH_OPT(g->daemons, g->n_daemons, v);
	return CLI_OK;
}

#define G struct cli_global
static const struct cli_opt global_opts[] = {
	{.sname = 'f',
	 .lname = "file",
	 .kind = CLI_OPT_FN,
	 .fn = add_file,
	 .arg = "FILE",
	 .help = "compose file (repeatable)",
	 .complete = CLI_COMPLETE_FILE,
	 .flags = CLI_OPT_REPEAT},
	CLI_STR('p', "project-name", G, project_name, "NAME", "project name"),
	{.lname = "project-directory",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(G, project_dir),
	 .arg = "DIR",
	 .help = "project directory",
	 .complete = CLI_COMPLETE_DIR},
	{.lname = "env-file",
	 .kind = CLI_OPT_FN,
	 .fn = add_env_file,
	 .arg = "FILE",
	 .help = "environment file (repeatable)",
	 .complete = CLI_COMPLETE_FILE,
	 .flags = CLI_OPT_REPEAT},
	{.lname = "profile",
	 .kind = CLI_OPT_FN,
	 .fn = add_profile,
	 .arg = "NAME",
	 .help = "enable a profile (repeatable)",
	 .complete = CLI_COMPLETE_PROFILE,
	 .flags = CLI_OPT_REPEAT},
	{.lname = "daemon",
	 .kind = CLI_OPT_FN,
	 .fn = add_daemon,
	 .arg = "NAME=URL",
	 .help = "a daemon (or NAME=context:CTX)",
	 .complete = CLI_COMPLETE_DAEMON,
	 .flags = CLI_OPT_REPEAT},
	CLI_FLAG(0,
		 "no-interpolate",
		 G,
		 no_interpolate,
		 "do not interpolate variables"),
	CLI_STR(0,
		"ansi",
		G,
		ansi,
		"never|always|auto",
		"when to colour the output"),
	CLI_FLAG('v', "verbose", G, verbose, "say more"),
	CLI_FLAG(0,
		 "dry-run",
		 G,
		 dry_run,
		 "say what the command would do; change\n"
		 "nothing on any daemon (reads only)"),
	CLI_OPT_END,
};
#undef G

const struct cli_spec cli_spec_main = {
	.name = "mixcompose",
	.args = "COMMAND [ARGS...]",
	.summary = "one compose project across several Docker daemons",
	.desc = "Run one compose project across several Docker daemons:\n"
		"Windows services on a Windows daemon, Linux services on a\n"
		"Linux one, reaching each other by service name.",
	.opts = global_opts,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_COMMAND,
	.flags = CLI_SPEC_ARGS_END,
};

const struct cli_cmd cli_cmds[] = {
	{"attach", cmd_attach, &cli_spec_attach},
	{"build", cmd_build, &cli_spec_build},
	{"completion", cmd_completion, &cli_spec_completion},
	{"config", cmd_config, &cli_spec_config},
	{"cp", cmd_cp, &cli_spec_cp},
	{"create", cmd_create, &cli_spec_create},
	{"daemons", cmd_daemons, &cli_spec_daemons},
	{"down", cmd_down, &cli_spec_down},
	{"events", cmd_events, &cli_spec_events},
	{"exec", cmd_exec, &cli_spec_exec},
	{"graph", cmd_graph, &cli_spec_graph},
	{"hosts", cmd_hosts, &cli_spec_hosts},
	{"images", cmd_images, &cli_spec_images},
	{"kill", cmd_kill, &cli_spec_kill},
	{"logs", cmd_logs, &cli_spec_logs},
	{"ls", cmd_ls, &cli_spec_ls},
	{"pause", cmd_pause, &cli_spec_pause},
	{"plan", cmd_plan, &cli_spec_plan},
	{"port", cmd_port, &cli_spec_port},
	{"ps", cmd_ps, &cli_spec_ps},
	{"pull", cmd_pull, &cli_spec_pull},
	{"push", cmd_push, &cli_spec_push},
	{"restart", cmd_restart, &cli_spec_restart},
	{"rm", cmd_rm, &cli_spec_rm},
	{"run", cmd_run, &cli_spec_run},
	{"scale", cmd_scale, &cli_spec_scale},
	{"schema", cmd_schema, &cli_spec_schema},
	{"start", cmd_start, &cli_spec_start},
	{"stats", cmd_stats, &cli_spec_stats},
	{"stop", cmd_stop, &cli_spec_stop},
	{"top", cmd_top, &cli_spec_top},
	{"translate", cmd_translate, &cli_spec_translate},
	{"unpause", cmd_unpause, &cli_spec_unpause},
	{"up", cmd_up, &cli_spec_up},
	{"version", cmd_version, &cli_spec_version},
	{"wait", cmd_wait, &cli_spec_wait},
	{"watch", cmd_watch, &cli_spec_watch},
	{"__complete", cmd_complete, &cli_spec_complete},
	{"__man", cmd_man, &cli_spec_man},
	{NULL, NULL, NULL},
};

const struct cli_cmd *cli_cmd_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* The list of commands after the top level's options. */
static void commands_list(FILE *f)
{
	fprintf(f, "\nCommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!(c->spec->flags & CLI_SPEC_HIDDEN))
			fprintf(f, "  %-10s %s\n", c->name, c->spec->summary);
	fprintf(f,
		"\nRun 'mixcompose COMMAND --help' for a command's options.\n");
}

static void usage(FILE *f)
{
	cli_opt_help(f, &cli_spec_main);
	commands_list(f);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int n = 0, rc;

	compat_init();
	rc = cli_plugin_args(&argc, &argv);
	if (rc >= 0)
		return rc;
	rc = cli_opt_parse(&cli_spec_main, &cli_global, argc, argv, &n);
	if (rc == CLI_HELP) {
		commands_list(stdout);
		return CLI_OK;
	}
	if (rc)
		return rc;
	/* Below cli/, the engine answers every change itself. */
	engine_dry_run_set(cli_global.dry_run);
	if (n < 1) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "help")) {
		if (n > 1 && cli_cmd_find(argv[2])) {
			cli_opt_help(stdout, cli_cmd_find(argv[2])->spec);
			return CLI_OK;
		}
		usage(stdout);
		return CLI_OK;
	}
	cmd = cli_cmd_find(argv[1]);
	if (!cmd) {
		cli_errorf("'%s' is not a mixcompose command", argv[1]);
		usage(stderr);
		return CLI_USAGE;
	}
	rc = cmd->fn(n, argv + 1);
	rx_cache_clear();
	return rc == CLI_FAIL && cli_global.usage_failed ? CLI_USAGE : rc;
}
