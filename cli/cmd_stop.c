/* mixcompose stop: stop the project's containers on every daemon. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

struct life_opts {
	int timeout;
};

static const struct cli_opt stop_opts_v[] = {
	CLI_SECONDS('t', "timeout", struct life_opts, timeout,
		    "time to stop before killing"),
	CLI_OPT_END,
};

static const struct cli_opt start_opts_v[] = {CLI_OPT_END};

#define LIFE_SPEC(n, opts_v, sum, d)                                           \
	{.name = (n), .args = "[SERVICE...]", .summary = (sum),                \
	 .desc = (d), .opts = (opts_v), .max_args = -1,                        \
	 .args_complete = CLI_COMPLETE_SERVICE}

const struct cli_spec cli_spec_start = LIFE_SPEC(
	"start", start_opts_v, "start the stopped containers",
	"Start the project's containers on every daemon at once,\n"
	"dependencies first.");
const struct cli_spec cli_spec_stop = LIFE_SPEC(
	"stop", stop_opts_v, "stop the running containers",
	"Stop the project's containers on every daemon at once,\n"
	"dependents first.");
const struct cli_spec cli_spec_restart = LIFE_SPEC(
	"restart", stop_opts_v, "restart the containers",
	"Restart the project's containers on every daemon at once,\n"
	"dependencies first.");

int cli_life_parse(
	int *timeout, char ***names, size_t *n, int argc, char **argv)
{
	const struct cli_spec *s = !strcmp(argv[0], "start") ? &cli_spec_start
				   : !strcmp(argv[0], "stop") ? &cli_spec_stop
							      : &cli_spec_restart;
	struct life_opts o = {.timeout = -1};
	int nargs, rc = cli_opt_parse(s, &o, argc, argv, &nargs);

	*timeout = o.timeout;
	*names = argv + 1;
	*n = (size_t)nargs;
	return rc;
}

int cli_life_command(int argc, char **argv, enum cli_life act)
{
	struct cli_session s;
	char **names;
	size_t n;
	int timeout;
	int rc = cli_life_parse(&timeout, &names, &n, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET);
	if (!rc)
		rc = cli_session_check_services(&s, names, n);
	if (!rc)
		rc = cli_lifecycle(&s, act, names, n, timeout);
	/* A (re)start rebuilds a Windows hosts file: the block must follow. */
	if (!rc && act != CLI_LIFE_STOP)
		rc = cli_life_after_start(&s, names, n);
	cli_session_close(&s);
	return rc;
}

int cmd_stop(int argc, char **argv)
{
	return cli_life_command(argc, argv, CLI_LIFE_STOP);
}
