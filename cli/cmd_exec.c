/*
 * mixcompose exec: run a command in a service's container, on whichever
 * daemon that container lives, and exit with the command's exit code.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

static bool some_unreachable(struct cli_session *s)
{
	for (size_t i = 0; i < engine_registry_count(s->reg); i++)
		if (!apply_daemon_usable(engine_registry_at(s->reg, i)))
			return true;
	return false;
}

/*
 * The stream can close a moment before the daemon records the exit, so a
 * "Running" exec is asked again, briefly.
 */
static int
exec_exit(struct engine *e, const char *id, int *code, struct diag *err)
{
	for (int tries = 0; tries < 250; tries++) {
		bool running = false;
		int rc = engine_exec_inspect(e, id, code, &running, err);

		if (rc || !running)
			return rc;
		compat_sleep_ms(20);
	}
	return 0;
}

static int exec_session(struct engine *e,
			const char *id,
			const struct cli_exec_opts *o,
			bool tty,
			struct diag *err)
{
	struct cli_stream st = {.e = e,
				.exec_id = id,
				.tty = tty,
				.with_stdin = o->interactive};
	struct engine_hijack *hj = NULL;
	int rc = engine_exec_attach(&hj, e, id, tty, err);

	if (!rc)
		rc = cli_stream_run(&st, hj, err);
	engine_hijack_free(hj);
	return rc;
}

static int run(struct cli_session *s, const struct cli_exec_opts *o)
{
	const struct plan_host *h = NULL;
	const struct plan_host_container *c =
		cli_session_container(s, o->service, o->index, &h);
	struct engine_exec_spec spec = {
		.argv = {(const char *const *)o->argv, o->argc},
		.env = {o->env, o->n_env},
		.user = o->user,
		.working_dir = o->workdir,
		.privileged = o->privileged,
		.detach = o->detach,
	};
	struct diag err = {0};
	char id[80];
	int code = 0, rc;
	struct engine *e;
	bool tty = false;

	if (!c || !c->state || strcmp(c->state, "running") != 0) {
		cli_errorf("service '%s' has no running container %d%s",
			   o->service, o->index,
			   !c && some_unreachable(s)
				   ? " on the daemons that answered"
				   : "");
		return CLI_FAIL;
	}
	if (!o->detach &&
	    cli_tty_decide(&tty, o->no_tty, o->interactive) != CLI_OK)
		return CLI_FAIL;
	e = cli_session_engine(s, h);
	if (!e)
		return CLI_FAIL;
	spec.tty = tty;
	spec.attach_stdin = o->interactive && !o->detach;
	rc = engine_exec_create(e, c->id, &spec, id, &err);
	if (!rc && o->detach)
		rc = engine_exec_start(e, id, true, false, NULL, NULL, &err);
	else if (!rc)
		rc = exec_session(e, id, o, tty, &err);
	if (!rc && !o->detach)
		rc = exec_exit(e, id, &code, &err);
	if (rc == DIAG_EINTR)
		return 130;
	if (rc) {
		cli_error(&err);
		return CLI_FAIL;
	}
	return code;
}

int cmd_exec(int argc, char **argv)
{
	struct cli_exec_opts o;
	struct cli_session s;
	int rc = cli_exec_parse(&o, argc, argv);

	if (!rc) {
		rc = cli_session_open(&s, CLI_SESSION_QUIET |
						  CLI_SESSION_CONTAINERS);
		if (!rc)
			rc = cli_session_check_services(&s, &o.argv[-1], 1);
		if (!rc)
			rc = run(&s, &o);
		cli_session_close(&s);
	}
	cli_exec_opts_release(&o);
	return rc < 0 ? CLI_OK : rc;
}
