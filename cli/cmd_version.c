#include "cli/cli.h"

#include <string.h>

struct version_opts {
	bool short_;
};

static const struct cli_opt version_opts_v[] = {
	CLI_FLAG(0, "short", struct version_opts, short_,
		 "only the version number"),
	CLI_OPT_END,
};

const struct cli_spec cli_spec_version = {
	.name = "version",
	.summary = "show the mixcompose version",
	.desc = "Show the mixcompose version.",
	.opts = version_opts_v,
	.max_args = -1,
};

int cmd_version(int argc, char **argv)
{
	struct version_opts o = {0};
	int n, rc = cli_opt_parse(&cli_spec_version, &o, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	if (o.short_)
		printf("%s\n", MIXCOMPOSE_VERSION);
	else
		printf("mixcompose version %s\n", MIXCOMPOSE_VERSION);
	return CLI_OK;
}
