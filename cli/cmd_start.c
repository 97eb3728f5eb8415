/*
 * mixcompose start: start the project's stopped containers on every
 * daemon, then write the hosts block again where a start loses it (a
 * Windows container's hosts file is rebuilt at every start).
 */
#include "cli/cli.h"

#include "planner/planner.h"

int cli_life_after_start(struct cli_session *s, char *const *names, size_t n)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct plan *plan = NULL;
	int rc;

	if (!s->project)
		return CLI_OK; /* no model, no host entries to know */
	/* Addresses may have changed: ask again. */
	apply_state_collect_ext(&s->hosts, &s->n_hosts, &s->ext, s->a, s->reg,
				s->project_name, APPLY_STATE_ALL_DAEMONS, &dl);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	rc = cli_plan_make(&plan, s, NULL, false);
	if (!rc)
		rc = cli_hosts_sync(s, plan, names, n, true);
	plan_free(plan);
	return rc;
}

int cmd_start(int argc, char **argv)
{
	return cli_life_command(argc, argv, CLI_LIFE_START);
}
