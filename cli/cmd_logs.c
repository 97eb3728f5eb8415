/* mixcompose logs: every container's output, merged across daemons. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat/compat.h"

static volatile sig_atomic_t logs_stop;

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

static int logs_tail(void *obj, const char *v)
{
	struct cli_logs_opts *o = obj;

	if (!tail_ok(v)) {
		cli_errorf("logs: --tail: '%s' is not a number or 'all'", v);
		return CLI_USAGE;
	}
	o->tail = v;
	return CLI_OK;
}

static int logs_since(void *obj, const char *v)
{
	struct cli_logs_opts *o = obj;

	return cli_log_time_flag(o->since, sizeof(o->since), "logs", "since",
				 v);
}

static int logs_until(void *obj, const char *v)
{
	struct cli_logs_opts *o = obj;

	return cli_log_time_flag(o->until, sizeof(o->until), "logs", "until",
				 v);
}

static int logs_no_color(void *obj, const char *v)
{
	struct cli_logs_opts *o = obj;

	(void)v;
	o->color = false;
	return CLI_OK;
}

#define O struct cli_logs_opts
static const struct cli_opt logs_opts_v[] = {
	CLI_FLAG('f', "follow", O, follow, "follow the output (Ctrl-C stops)"),
	CLI_FN('n',
	       "tail",
	       logs_tail,
	       "N",
	       "only the last N lines of each container"),
	CLI_FLAG('t', "timestamps", O, timestamps, "show timestamps"),
	CLI_FN(0, "no-color", logs_no_color, NULL, "monochrome prefixes"),
	CLI_FLAG(0, "no-log-prefix", O, no_prefix, "no prefix"),
	CLI_FN(0,
	       "since",
	       logs_since,
	       "TIME",
	       "only lines since TIME (unix time, 42m, 2023-11-14T22:13:20Z)"),
	CLI_FN(0, "until", logs_until, "TIME", "only lines before TIME"),
	CLI_INT(0,
		"index",
		O,
		index,
		"N",
		1,
		INT_MAX,
		"a replica number",
		"only replica N of each service"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_logs = {
	.name = "logs",
	.args = "[SERVICE...]",
	.summary = "show the containers' output, merged",
	.desc = "Show the output of the project's containers on every daemon,\n"
		"merged, each line prefixed with \"name (daemon) | \".",
	.opts = logs_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int logs_parse(struct cli_logs_opts *o, int argc, char **argv)
{
	int n, rc;

	o->color = cli_color(stdout);
	rc = cli_opt_parse(&cli_spec_logs, o, argc, argv, &n);
	o->services = argv + 1;
	o->n_services = (size_t)n;
	return rc;
}

int cmd_logs(int argc, char **argv)
{
	struct cli_logs_opts o = {0};
	struct cli_session s;
	int rc = logs_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, o.services, o.n_services);
	if (rc) {
		cli_session_close(&s);
		return rc;
	}
	o.project = s.project;
	o.honour_attach = !o.n_services;
	compat_catch_interrupts(&logs_stop, COMPAT_INT_KEY | COMPAT_INT_TERM);
	rc = cli_logs_session(&s, &o, &logs_stop);
	cli_session_close(&s);
	return rc;
}
