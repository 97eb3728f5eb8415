/* mixcompose stop: stop the project's containers on every daemon. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

struct life_opts {
	int timeout;
	bool no_deps;
};

#define LIFE_TIMEOUT_OPT                                                       \
	CLI_SECONDS('t', "timeout", struct life_opts, timeout,                 \
		    "time to stop before killing")

static const struct cli_opt stop_opts_v[] = {
	LIFE_TIMEOUT_OPT,
	CLI_OPT_END,
};

static const struct cli_opt restart_opts_v[] = {
	LIFE_TIMEOUT_OPT,
	CLI_FLAG(0,
		 "no-deps",
		 struct life_opts,
		 no_deps,
		 "do not restart the services that depend on the ones\n"
		 "named (depends_on with restart: true)"),
	CLI_OPT_END,
};

static const struct cli_opt start_opts_v[] = {CLI_OPT_END};

#define LIFE_SPEC(n, opts_v, sum, d)                                           \
	{                                                                      \
		.name = (n), .args = "[SERVICE...]", .summary = (sum),         \
		.desc = (d), .opts = (opts_v), .max_args = -1,                 \
		.args_complete = CLI_COMPLETE_SERVICE                          \
	}

const struct cli_spec cli_spec_start =
	LIFE_SPEC("start",
		  start_opts_v,
		  "start the stopped containers",
		  "Start the project's containers on every daemon at once,\n"
		  "dependencies first.");
const struct cli_spec cli_spec_stop =
	LIFE_SPEC("stop",
		  stop_opts_v,
		  "stop the running containers",
		  "Stop the project's containers on every daemon at once,\n"
		  "dependents first.");
const struct cli_spec cli_spec_restart = LIFE_SPEC(
	"restart",
	restart_opts_v,
	"restart the containers",
	"Restart the project's containers on every daemon at once,\n"
	"dependencies first.  The services named take along those that\n"
	"depend on them with restart: true, as in compose v2.");

int cli_life_parse(int *timeout,
		   bool *no_deps,
		   char ***names,
		   size_t *n,
		   int argc,
		   char **argv)
{
	const struct cli_spec *s = !strcmp(argv[0], "start") ? &cli_spec_start
				   : !strcmp(argv[0], "stop")
					   ? &cli_spec_stop
					   : &cli_spec_restart;
	struct life_opts o = {.timeout = -1};
	int nargs, rc = cli_opt_parse(s, &o, argc, argv, &nargs);

	*timeout = o.timeout;
	*no_deps = o.no_deps;
	*names = argv + 1;
	*n = (size_t)nargs;
	return rc;
}

int cli_life_command(int argc, char **argv, enum cli_life act)
{
	struct cli_session s;
	char **names, **with = NULL;
	size_t n;
	int timeout;
	bool no_deps;
	int rc = cli_life_parse(&timeout, &no_deps, &names, &n, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET);
	if (!rc)
		rc = cli_session_check_services(&s, names, n);
	/* compose v2: restart takes along the dependents, unless --no-deps. */
	if (!rc && act == CLI_LIFE_RESTART && n && !no_deps)
		names = with = cli_restart_dependents(&s, names, &n);
	if (!rc)
		rc = cli_lifecycle(&s, act, names, n, timeout);
	/* A (re)start rebuilds a Windows hosts file: the block must follow. */
	if (!rc && act != CLI_LIFE_STOP)
		rc = cli_life_after_start(&s, names, n);
	free(with);
	cli_session_close(&s);
	return rc;
}

int cmd_stop(int argc, char **argv)
{
	return cli_life_command(argc, argv, CLI_LIFE_STOP);
}
