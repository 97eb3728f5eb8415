/*
 * The pure parts of the day-2 commands are compiled into the test binary
 * here (cli/ is an executable, not a library): the session, logs, ps,
 * plan and hosts (the state and images readers are apply/'s).  The
 * rest of cli/ that they call is stubbed weakly, so a test file that
 * brings in the real one wins.
 */
#include "cli/session.c"
#include "cli/logs.c"
#include "cli/cmd_ps.c"
#include "cli/cmd_plan.c"
#include "cli/cmd_hosts.c"
#include "cli/desktop.c"
#include "cli/runner.c"
#include "cli/watch.c"

__attribute__((weak)) struct cli_global cli_global;

__attribute__((weak)) struct compose_project *cli_project_load(bool quiet)
{
	(void)quiet;
	return NULL;
}

__attribute__((weak)) void cli_error(const struct diag *d)
{
	fprintf(stderr, "%s\n", d->msg);
}

__attribute__((weak)) void cli_errorf(const char *fmt, ...)
{
	(void)fmt;
}

__attribute__((weak)) size_t cli_print_diags(struct diag_list *dl)
{
	return dl->errors;
}

__attribute__((weak)) bool cli_color(FILE *f)
{
	(void)f;
	return false;
}

__attribute__((weak)) int cli_registry_build(struct engine_registry **out,
					     const struct compose_project *p,
					     struct diag *err)
{
	(void)p;
	*out = NULL;
	return diag_set(err, DIAG_EUSAGE, NULL, "no registry in unit tests");
}

__attribute__((weak)) bool cli_project_present(void)
{
	return false;
}
