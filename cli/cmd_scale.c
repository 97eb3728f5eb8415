/*
 * mixcompose scale SERVICE=N...: as compose v2, `up -d` of those services
 * (and their dependencies unless --no-deps) with their replica counts
 * set: scaling up adds the next numbers, scaling down removes the highest
 * ones.  Across daemons the running peers of every daemon get their hosts
 * files rewritten in place for the replicas that came or went.
 */
#include "cli/cli.h"

#include <string.h>

struct scale_opts {
	bool no_deps;
};

static const struct cli_opt scale_opts_v[] = {
	CLI_FLAG(0,
		 "no-deps",
		 struct scale_opts,
		 no_deps,
		 "do not start linked services"),
	CLI_OPT_END,
};

const struct cli_spec cli_spec_scale = {
	.name = "scale",
	.args = "SERVICE=REPLICAS...",
	.summary = "set the number of containers of services",
	.desc = "Run REPLICAS containers of each SERVICE on its daemon: new "
		"ones take the\nnext numbers, the highest numbers go first, "
		"and the peers on every\ndaemon get their host entries "
		"rewritten in place.",
	.opts = scale_opts_v,
	.min_args = 1,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

int cmd_scale(int argc, char **argv)
{
	struct scale_opts o = {0};
	int n, rc = cli_opt_parse(&cli_spec_scale, &o, argc, argv, &n);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	for (int i = 1; i <= n; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i] || !eq[1]) {
			cli_errorf("invalid scale specifier: %s", argv[i]);
			return CLI_USAGE;
		}
	}
	return cli_up_scale(argv + 1, (size_t)n, o.no_deps);
}
