/* mixcompose logs: every container's output, merged across daemons. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"

static volatile sig_atomic_t logs_stop;

static void logs_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose logs [OPTIONS] [SERVICE...]\n"
		"\n"
		"Show the output of the project's containers on every daemon,\n"
		"merged, each line prefixed with \"name (daemon) | \".\n"
		"\n"
		"Options:\n"
		"  -f, --follow         follow the output (Ctrl-C stops)\n"
		"  -n, --tail N         only the last N lines of each "
		"container\n"
		"  -t, --timestamps     show timestamps\n"
		"      --no-color       monochrome prefixes\n"
		"      --no-log-prefix  no prefix\n"
		"  -h, --help           show this help\n");
}

static bool tail_ok(const char *s)
{
	if (!strcmp(s, "all"))
		return true;
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int logs_parse(struct cli_logs_opts *o, int argc, char **argv)
{
	enum { OPT_NO_COLOR = 256, OPT_NO_PREFIX };
	static const struct option opts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"tail", required_argument, NULL, 'n'},
		{"timestamps", no_argument, NULL, 't'},
		{"no-color", no_argument, NULL, OPT_NO_COLOR},
		{"no-log-prefix", no_argument, NULL, OPT_NO_PREFIX},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->color = cli_color(stdout);
	while ((c = getopt_long(argc, argv, "fn:th", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->follow = true;
			break;
		case 'n':
			if (!tail_ok(optarg)) {
				cli_errorf("logs: --tail: '%s' is not a number "
					   "or 'all'",
					   optarg);
				return CLI_USAGE;
			}
			o->tail = optarg;
			break;
		case 't':
			o->timestamps = true;
			break;
		case OPT_NO_COLOR:
			o->color = false;
			break;
		case OPT_NO_PREFIX:
			o->no_prefix = true;
			break;
		case 'h':
			logs_usage(stdout);
			return -1;
		default:
			logs_usage(stderr);
			return CLI_USAGE;
		}
	}
	o->services = argv + optind;
	o->n_services = (size_t)(argc - optind);
	return CLI_OK;
}

int cmd_logs(int argc, char **argv)
{
	struct cli_logs_opts o = {0};
	struct cli_session s;
	int rc = logs_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET);
	if (!rc)
		rc = cli_session_check_services(&s, o.services, o.n_services);
	if (rc) {
		cli_session_close(&s);
		return rc;
	}
	o.project = s.project;
	compat_catch_interrupts(&logs_stop, COMPAT_INT_KEY | COMPAT_INT_TERM);
	rc = cli_logs_follow(s.reg, s.hosts, s.n_hosts, &o, &logs_stop);
	cli_session_close(&s);
	return rc ? CLI_FAIL : CLI_OK;
}
