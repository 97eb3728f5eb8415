/*
 * mixcompose plan: what `up` would do, on which daemon and why, without
 * doing it.  Also the plan builder that graph and hosts share.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "planner/planner.h"

int cli_plan_open(struct cli_session *s, bool offline)
{
	unsigned flags =
		CLI_SESSION_PROJECT | CLI_SESSION_ALL_DAEMONS | CLI_SESSION_ANY;

	return cli_session_open(s,
				offline ? flags | CLI_SESSION_NO_STATE : flags);
}

int cli_plan_make(struct plan **out,
		  struct cli_session *s,
		  const struct plan_options *opts,
		  bool offline)
{
	struct plan_options o = opts ? *opts : (struct plan_options){0};
	const struct plan_host *hosts = s->hosts;
	size_t n = s->n_hosts;
	struct plan_host *off = NULL;
	struct diag err = {0};

	*out = NULL;
	if (!offline && !s->reachable) {
		fprintf(stderr, "warning: no daemon is reachable: planning "
				"offline from the declarations\n");
		offline = true;
	}
	if (offline) {
		apply_state_offline(&off, &n, s->a, s->reg);
		hosts = off;
		o.offline = true;
	}
	if (!o.default_platform) {
		const char *dp = getenv("DOCKER_DEFAULT_PLATFORM");

		o.default_platform = dp && *dp ? dp : NULL;
	}
	if (plan_build(out, s->project, hosts, n, &o, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	return CLI_OK;
}

static void plan_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose plan [OPTIONS] [SERVICE...]\n"
		"\n"
		"Show what 'up' would do: the daemon of each service and why,\n"
		"networks and subnets, addresses, host entries, the start "
		"order\n"
		"and the action for each container.\n"
		"\n"
		"Options:\n"
		"      --format text|json  output format (default text)\n"
		"      --offline           ask no daemon: plan from the "
		"declarations\n"
		"      --no-deps           leave out the services' "
		"dependencies\n"
		"      --force-recreate    recreate even unchanged containers\n"
		"      --no-recreate       keep containers whose config "
		"changed\n"
		"      --remove-orphans    remove containers of services no "
		"longer\n"
		"                          in the project\n"
		"  -h, --help              show this help\n");
}

struct plan_cli {
	bool json;
	bool offline;
	struct plan_options po;
};

static int plan_opt(struct plan_cli *o, int c)
{
	switch (c) {
	case 256:
		if (strcmp(optarg, "text") != 0 &&
		    strcmp(optarg, "json") != 0) {
			cli_errorf("plan: --format: '%s' is not text or json",
				   optarg);
			return CLI_USAGE;
		}
		o->json = !strcmp(optarg, "json");
		return 0;
	case 257:
		o->offline = true;
		return 0;
	case 258:
		o->po.no_deps = true;
		return 0;
	case 259:
		o->po.force_recreate = true;
		return 0;
	case 260:
		o->po.no_recreate = true;
		return 0;
	case 261:
		o->po.remove_orphans = true;
		return 0;
	case 'h':
		plan_usage(stdout);
		return -1;
	default:
		plan_usage(stderr);
		return CLI_USAGE;
	}
}

static int plan_parse(struct plan_cli *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 256},
		{"offline", no_argument, NULL, 257},
		{"no-deps", no_argument, NULL, 258},
		{"force-recreate", no_argument, NULL, 259},
		{"no-recreate", no_argument, NULL, 260},
		{"remove-orphans", no_argument, NULL, 261},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int rc = plan_opt(o, c);

		if (rc)
			return rc;
	}
	if (o->po.force_recreate && o->po.no_recreate) {
		cli_errorf("plan: --force-recreate and --no-recreate are "
			   "incompatible");
		return CLI_USAGE;
	}
	o->po.services = (const char *const *)(argv + optind);
	o->po.n_services = (size_t)(argc - optind);
	return CLI_OK;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_cli o = {0};
	struct plan *plan = NULL;
	struct sbuf sb = SBUF_INIT;
	struct cli_session s;
	int rc = plan_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_plan_open(&s, o.offline);
	if (!rc)
		rc = cli_session_check_services(&s, argv + optind,
						o.po.n_services);
	/* The pull decisions as up would take them (never, daily, ...). */
	if (!rc && !o.offline && s.reachable) {
		cli_images_collect(&s, NULL);
		o.po.now = (long long)time(NULL);
	}
	if (!rc)
		rc = cli_plan_make(&plan, &s, &o.po, o.offline);
	if (!rc) {
		if (o.json)
			plan_to_json(&sb, plan);
		else
			plan_describe(&sb, plan, cli_color(stdout));
		fputs(sb.buf, stdout);
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			fputc('\n', stdout);
	}
	sbuf_release(&sb);
	plan_free(plan);
	cli_session_close(&s);
	return rc;
}
