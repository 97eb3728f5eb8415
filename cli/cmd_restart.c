/* mixcompose restart: restart the project's containers on every daemon. */
#include "cli/cli.h"

int cmd_restart(int argc, char **argv)
{
	struct cli_session s;
	char **names;
	size_t n;
	int timeout;
	int rc = cli_life_parse(&timeout, &names, &n, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET);
	if (!rc)
		rc = cli_session_check_services(&s, names, n);
	if (!rc)
		rc = cli_lifecycle(&s, CLI_LIFE_RESTART, names, n, timeout);
	/* A restart is a start: the exec-written hosts block must follow. */
	if (!rc)
		rc = cli_life_after_start(&s, names, n);
	cli_session_close(&s);
	return rc;
}
