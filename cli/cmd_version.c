#include "cli/cli.h"

#include <string.h>

int cmd_version(int argc, char **argv)
{
	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: mixcompose version [--short]\n");
		return CLI_OK;
	}
	if (argc > 1 && !strcmp(argv[1], "--short")) {
		printf("%s\n", MIXCOMPOSE_VERSION);
		return CLI_OK;
	}
	printf("mixcompose version %s\n", MIXCOMPOSE_VERSION);
	return CLI_OK;
}
