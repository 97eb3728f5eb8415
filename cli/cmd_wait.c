/*
 * mixcompose wait: block until the running containers of the services
 * stop, on every daemon at once, through the runner.  As compose v2
 * (2.26) does: a line per container as it stops, and the exit status is
 * the exit code of the last one to stop.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct wait_opts {
	bool down_project;
};

static const struct cli_opt wait_opts_v[] = {
	CLI_FLAG(0,
		 "down-project",
		 struct wait_opts,
		 down_project,
		 "then take the project down (down --remove-orphans)"),
	CLI_OPT_END,
};

const struct cli_spec cli_spec_wait = {
	.name = "wait",
	.args = "SERVICE [SERVICE...]",
	.summary = "block until the services' containers stop",
	.desc = "Block until the running containers of the services stop, on "
		"every daemon;\nexit with the code of the last one to stop.",
	.opts = wait_opts_v,
	.min_args = 1,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static void wait_done(void *ud,
		      int rc,
		      int code,
		      const char *output,
		      size_t len,
		      const struct diag *err)
{
	struct cli_task *t = ud;

	(void)output;
	(void)len;
	if (!rc) {
		printf("container \"%s\" exited with status code %d\n", t->ref,
		       code);
		fflush(stdout);
		*(int *)t->ud = code;
	}
	cli_task_done(t, rc, err);
}

static void
wait_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_wait_async(l, e, t->ref, NULL, wait_done, t);
}

static bool is_running(const struct plan_host_container *c)
{
	return c->state &&
	       (!strcmp(c->state, "running") ||
		!strcmp(c->state, "restarting") || !strcmp(c->state, "paused"));
}

int cmd_wait(int argc, char **argv)
{
	struct cli_tasks_opts o = {.kind = "Container"};
	struct cli_task *t = NULL;
	struct cli_session s;
	struct wait_opts wo = {0};
	/* Ctrl-C ends wait as before: no handler, nothing to stop. */
	static volatile sig_atomic_t no_stop;
	size_t n = 0, alloc = 0;
	int last = 0;
	int nargs, rc = cli_opt_parse(&cli_spec_wait, &wo, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	rc = cli_session_open(
		&s, CLI_SESSION_QUIET |
			    (wo.down_project ? CLI_SESSION_ALL_DAEMONS : 0));
	if (!rc)
		rc = cli_session_check_services(&s, argv + 1, (size_t)nargs);
	for (size_t h = 0; !rc && h < s.n_hosts; h++)
		for (size_t c = 0; c < s.hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s.hosts[h].containers[c];

			if (pc->oneoff || !pc->service || !is_running(pc) ||
			    !cli_names_has(argv + 1, (size_t)nargs,
					   pc->service))
				continue;
			ALLOC_GROW(t, n + 1, alloc);
			t[n++] = (struct cli_task){.h = &s.hosts[h],
						   .what = pc->name,
						   .start = wait_one,
						   .ref = pc->id,
						   .ud = &last};
		}
	if (!rc && !n) {
		cli_errorf("no containers for project \"%s\"", s.project_name);
		rc = CLI_FAIL;
	}
	if (!rc)
		rc = cli_tasks_run(&s, t, n, &o);
	/* compose v2 2.26: once every container waited for stopped. */
	if (!rc && wo.down_project)
		rc = cli_down_project(&s, &no_stop);
	free(t);
	cli_session_close(&s);
	return rc ? rc : last;
}
