/* mixcompose restart: restart the project's containers on every daemon. */
#include "cli/cli.h"

int cmd_restart(int argc, char **argv)
{
	return cli_life_command(argc, argv, CLI_LIFE_RESTART);
}
