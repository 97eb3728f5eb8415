#include "cli/cli.h"

#include <string.h>

struct version_opts {
	bool short_;
	const char *format;
};

static const struct cli_opt version_opts_v[] = {
	CLI_FLAG(0,
		 "short",
		 struct version_opts,
		 short_,
		 "only the version number"),
	{.sname = 'f',
	 .lname = "format",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(struct version_opts, format),
	 .arg = "pretty|json",
	 .choices = "pretty|json",
	 .help = "output format (default pretty)"},
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
	if (o.short_) {
		printf("%s\n", MIXCOMPOSE_VERSION);
	} else if (o.format && !strcmp(o.format, "json")) {
		struct json *v = json_object_new();

		json_add_str(v, "version", MIXCOMPOSE_VERSION);
		cli_json_print(v, 0);
	} else
		printf("mixcompose version %s\n", MIXCOMPOSE_VERSION);
	return CLI_OK;
}
