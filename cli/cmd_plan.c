/*
 * mixcompose plan: what `up` would do, on which daemon and why, without
 * doing it.  Also the plan builder that graph and hosts share.
 */
#include "cli/cli.h"

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
	cli_plan_desktop_defaults(&o, s->a, s->project, s->reg);
	if (plan_build(out, s->project, hosts, n, &o, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cli_plan_selected(struct plan **out,
		      struct cli_session *s,
		      char *const *names,
		      size_t n)
{
	struct plan_options po = {.services = (const char *const *)names,
				  .n_services = n};
	int rc = cli_plan_open(s, false);

	*out = NULL;
	if (!rc)
		rc = cli_session_check_services(s, names, n);
	if (!rc && !s->reachable) {
		cli_errorf("no daemon is reachable");
		rc = CLI_FAIL;
	}
	if (!rc)
		rc = cli_plan_make(out, s, &po, false);
	return rc;
}

struct plan_cli {
	const char *format;
	bool json;
	bool offline;
	struct plan_options po;
};

#define O struct plan_cli
static const struct cli_opt plan_opts_v[] = {
	CLI_FORMAT(O, format, "text|json", "output format (default text)"),
	CLI_FLAG(0,
		 "offline",
		 O,
		 offline,
		 "ask no daemon: plan from the declarations"),
	CLI_FLAG(0,
		 "no-deps",
		 O,
		 po.no_deps,
		 "leave out the services' dependencies"),
	CLI_FLAG(0,
		 "force-recreate",
		 O,
		 po.force_recreate,
		 "recreate even unchanged containers"),
	CLI_FLAG(0,
		 "no-recreate",
		 O,
		 po.no_recreate,
		 "keep containers whose config changed"),
	CLI_FLAG(0,
		 "remove-orphans",
		 O,
		 po.remove_orphans,
		 "remove containers of services no longer\nin the project"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_plan = {
	.name = "plan",
	.args = "[SERVICE...]",
	.summary = "show what up would do, and where",
	.desc = "Show what 'up' would do: the daemon of each service and why,\n"
		"networks and subnets, addresses, host entries, the start "
		"order\nand the action for each container.",
	.opts = plan_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int plan_parse(struct plan_cli *o, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_plan, o, argc, argv, &n);

	if (rc)
		return rc;
	o->json = o->format && !strcmp(o->format, "json");
	if (o->po.force_recreate && o->po.no_recreate) {
		cli_errorf("plan: --force-recreate and --no-recreate are "
			   "incompatible");
		return CLI_USAGE;
	}
	o->po.services = (const char *const *)(argv + 1);
	o->po.n_services = (size_t)n;
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
		rc = cli_session_check_services(&s, argv + 1, o.po.n_services);
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
