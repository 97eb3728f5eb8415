/*
 * `mixcompose schema`: print the JSON Schema that mixcompose validates
 * compose files with, for editors:
 *	mixcompose schema > mixcompose.schema.json
 */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>

#include "schema/schema.h"

static int write_schema(const char *path)
{
	FILE *f = stdout;
	int rc;

	if (path && !(f = fopen(path, "w"))) {
		cli_errorf("cannot write '%s': %s", path, strerror(errno));
		return CLI_FAIL;
	}
	fputs(schema_text_get(), f);
	/* A full disk shows in the error flag or when the buffer goes out. */
	rc = ferror(f);
	if (path)
		rc |= fclose(f);
	else
		rc |= fflush(stdout);
	if (rc) {
		cli_errorf("cannot write '%s': %s", path ? path : "stdout",
			   strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

struct schema_opts {
	const char *output;
};

static const struct cli_opt schema_opts_v[] = {
	{.sname = 'o', .lname = "output", .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(struct schema_opts, output), .arg = "FILE",
	 .help = "write to FILE instead of stdout",
	 .complete = CLI_COMPLETE_FILE},
	CLI_OPT_END,
};

const struct cli_spec cli_spec_schema = {
	.name = "schema",
	.summary = "print the JSON Schema of compose files",
	.desc = "Print the JSON Schema of compose files as mixcompose reads\n"
		"them (the compose specification plus x-mixcompose), for\n"
		"editors such as VS Code's YAML extension.",
	.opts = schema_opts_v,
};

int cmd_schema(int argc, char **argv)
{
	struct schema_opts o = {0};
	int n, rc = cli_opt_parse(&cli_spec_schema, &o, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	return write_schema(o.output);
}
