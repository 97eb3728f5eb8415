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
	bool offline;
};

static const struct cli_opt graph_opts_v[] = {
	CLI_FORMAT(struct graph_opts, format, "mermaid|dot",
		   "output format (default mermaid)"),
	CLI_FLAG(0, "offline", struct graph_opts, offline,
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
static int graph_opts(const char **format, bool *offline, int argc, char **argv)
{
	struct graph_opts o = {.format = *format};
	int n, rc = cli_opt_parse(&cli_spec_graph, &o, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	*format = o.format;
	*offline = o.offline;
	return -1;
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
	if (apply_state_collect(hosts, n, a, reg, project, true, &dl))
		cli_errorf("no daemon answered; drawing from the declared "
			   "daemons");
	cli_print_diags(&dl);
	diag_list_release(&dl);
}

int cmd_graph(int argc, char **argv)
{
	const char *format = "mermaid";
	bool offline = false;
	struct compose_project *p;
	struct engine_registry *reg = NULL;
	struct arena *a = NULL;
	struct plan_host *hosts = NULL;
	struct plan *pl = NULL;
	struct plan_options o = {.offline = true};
	struct sbuf sb = SBUF_INIT;
	struct diag err = {0};
	int rc = graph_opts(&format, &offline, argc, argv);

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

		graph_hosts(&hosts, &n, a, reg, p->name, offline);
		o.default_platform = getenv("DOCKER_DEFAULT_PLATFORM");
		if (plan_build(&pl, p, hosts, n, &o, &err)) {
			cli_error(&err);
			goto out;
		}
	}
	if (!strcmp(format, "dot"))
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
