/* mixcompose stop: stop the project's containers on every daemon. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void stop_usage(FILE *f, const char *cmd)
{
	bool start = !strcmp(cmd, "start");

	fprintf(f,
		"usage: mixcompose %s [OPTIONS] [SERVICE...]\n"
		"\n"
		"%s the project's containers on every daemon at once,\n"
		"%s.\n"
		"\n"
		"Options:\n"
		"%s"
		"  -h, --help             show this help\n",
		cmd,
		start		       ? "Start"
		: !strcmp(cmd, "stop") ? "Stop"
				       : "Restart",
		!strcmp(cmd, "stop") ? "dependents first"
				     : "dependencies first",
		start ? ""
		      : "  -t, --timeout SECONDS  time to stop before "
			"killing\n");
}

int cli_life_parse(
	int *timeout, char ***names, size_t *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool start = !strcmp(argv[0], "start");
	char *end;
	long v;
	int c;

	*timeout = -1;
	while ((c = getopt_long(argc, argv, start ? "h" : "t:h", opts, NULL)) !=
	       -1) {
		if (c == 't' && !start) {
			v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 0 || v > 86400) {
				cli_errorf("%s: --timeout: '%s' is not a "
					   "number of seconds",
					   argv[0], optarg);
				return CLI_USAGE;
			}
			*timeout = (int)v;
		} else if (c == 'h') {
			stop_usage(stdout, argv[0]);
			return -1;
		} else {
			stop_usage(stderr, argv[0]);
			return CLI_USAGE;
		}
	}
	*names = argv + optind;
	*n = (size_t)(argc - optind);
	return CLI_OK;
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
