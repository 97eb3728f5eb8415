/*
 * mixcompose graph: the dependency graph, services grouped by the daemon
 * that runs them, as Mermaid (default) or Graphviz DOT.  Routing needs
 * only each daemon's OS, so the daemons are probed when they answer and
 * their x-mixcompose/--daemon declarations stand in when they do not (or
 * with --offline, when nobody is asked at all).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"

struct graph_opts {
	const char *format;
	const char *view;
	bool offline;
};

static const struct cli_opt graph_opts_v[] = {
	CLI_FORMAT(struct graph_opts,
		   format,
		   "mermaid|dot",
		   "output format (default mermaid)"),
	{.lname = "view",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(struct graph_opts, view),
	 .arg = "services|network",
	 .choices = "services|network",
	 .help = "services and their dependencies (default), or the\n"
		 "network: daemons, subnets, addresses, ports, routes, names"},
	CLI_FLAG(0,
		 "offline",
		 struct graph_opts,
		 offline,
		 "route on declared daemon OSes only"),
	CLI_OPT_END,
};

const struct cli_spec cli_spec_graph = {
	.name = "graph",
	.summary = "draw the services by daemon (mermaid, dot)",
	.desc = "Draw the services grouped by daemon, with their "
		"dependencies;\n"
		"edges between daemons are drawn thick and say cross-daemon.",
	.opts = graph_opts_v,
};

/* Returns -1 to go on, else the exit status. */
static int graph_opts(struct graph_opts *o, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_graph, o, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	return -1;
}

/*
 * The network view draws the current state when the daemons answered
 * (their containers' addresses, as a plan from live state keeps them), and
 * the plan otherwise, or when the live state cannot be planned.
 */
static int graph_plan(struct plan **pl,
		      const struct compose_project *p,
		      const struct plan_host *hosts,
		      size_t n,
		      bool live,
		      struct arena *a,
		      const struct engine_registry *reg,
		      struct diag *err)
{
	struct plan_options o = {.offline = true};

	o.default_platform = getenv("DOCKER_DEFAULT_PLATFORM");
	cli_plan_desktop_defaults(&o, a, p, reg);
	for (size_t i = 0; live && i < n; i++)
		if (!hosts[i].offline)
			o.offline = false;
	if (!o.offline && !plan_build(pl, p, hosts, n, &o, err))
		return 0;
	o.offline = true;
	return plan_build(pl, p, hosts, n, &o, err);
}

static void graph_hosts(struct plan_host **hosts,
			size_t *n,
			struct arena *a,
			struct engine_registry *reg,
			const char *project,
			bool offline)
{
	struct diag_list dl = DIAG_LIST_INIT;

	if (offline) {
		apply_state_offline(hosts, n, a, reg);
		return;
	}
	if (apply_state_collect(hosts, n, a, reg, project,
				APPLY_STATE_ALL_DAEMONS, &dl))
		cli_errorf("no daemon answered; drawing from the declared "
			   "daemons");
	cli_print_diags(&dl);
	diag_list_release(&dl);
}

int cmd_graph(int argc, char **argv)
{
	struct graph_opts go = {.format = "mermaid", .view = "services"};
	struct compose_project *p;
	struct engine_registry *reg = NULL;
	struct arena *a = NULL;
	struct plan_host *hosts = NULL;
	struct plan *pl = NULL;
	struct sbuf sb = SBUF_INIT;
	struct diag err = {0};
	int rc = graph_opts(&go, argc, argv);
	bool net = !strcmp(go.view, "network"), dot = !strcmp(go.format, "dot");

	if (rc >= 0)
		return rc;
	if (!(p = cli_project_load(true)))
		return CLI_FAIL;
	rc = CLI_FAIL;
	if (cli_registry_build(&reg, p, &err)) {
		cli_error(&err);
		goto out;
	}
	a = arena_new();
	{
		size_t n = 0;

		graph_hosts(&hosts, &n, a, reg, p->name, go.offline);
		if (graph_plan(&pl, p, hosts, n, net, a, reg, &err)) {
			cli_error(&err);
			goto out;
		}
	}
	if (net && dot)
		plan_graph_network_dot(&sb, pl);
	else if (net)
		plan_graph_network_mermaid(&sb, pl);
	else if (dot)
		plan_graph_dot(&sb, pl);
	else
		plan_graph_mermaid(&sb, pl);
	fputs(sb.buf, stdout);
	rc = CLI_OK;
out:
	sbuf_release(&sb);
	plan_free(pl);
	arena_free(a);
	engine_registry_free(reg);
	compose_project_free(p);
	return rc;
}
