/*
 * `mixcompose schema`: print the JSON Schema that mixcompose validates
 * compose files with, for editors:
 *	mixcompose schema > mixcompose.schema.json
 */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>

#include "schema/schema.h"

static void schema_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose schema [-o FILE]\n"
		"\n"
		"Print the JSON Schema of compose files as mixcompose reads\n"
		"them (the compose specification plus x-mixcompose), for\n"
		"editors such as VS Code's YAML extension.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE   write to FILE instead of stdout\n"
		"  -h, --help          show this help\n");
}

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

int cmd_schema(int argc, char **argv)
{
	const char *output = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			schema_usage(stdout);
			return CLI_OK;
		} else if ((!strcmp(argv[i], "-o") ||
			    !strcmp(argv[i], "--output")) &&
			   i + 1 < argc) {
			output = argv[++i];
		} else if (!strncmp(argv[i], "--output=", 9)) {
			output = argv[i] + 9;
		} else {
			cli_errorf("schema: unexpected argument '%s'", argv[i]);
			schema_usage(stderr);
			return CLI_USAGE;
		}
	}
	return write_schema(output);
}
