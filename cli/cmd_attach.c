/*
 * mixcompose attach: our stdin, stdout and stderr on a service's running
 * container, on whichever daemon runs it, through the hijacked connection
 * of exec and run (engine_container_attach, cli_stream_run).  As docker
 * attach: the exit status is the container's once it stops; detaching
 * (the detach keys) leaves it running and exits 0.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"

struct attach_opts {
	int index;
	bool no_stdin;
	const char *detach_keys;
	const char *sig_proxy; /* "true" (default) or "false" */
};

#define O struct attach_opts
static const struct cli_opt attach_opts_v[] = {
	CLI_STR(0,
		"detach-keys",
		O,
		detach_keys,
		"KEYS",
		"override the key sequence for detaching from a container"),
	CLI_INT(0,
		"index",
		O,
		index,
		"N",
		1,
		INT_MAX,
		"a container number",
		"index of the container if the service has several replicas"),
	CLI_FLAG(0, "no-stdin", O, no_stdin, "do not attach STDIN"),
	CLI_TRUE_FALSE("sig-proxy",
		       O,
		       sig_proxy,
		       "proxy all received signals to the process (default "
		       "true)"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_attach = {
	.name = "attach",
	.args = "SERVICE",
	.summary = "attach to a service's running container",
	.desc = "Attach local standard input, output and error to a "
		"service's running\ncontainer, on the daemon that runs it.",
	.opts = attach_opts_v,
	.min_args = 1,
	.max_args = 1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

/*
 * The stream can end a moment before the daemon records the exit; a
 * container still running a second later was detached from.
 */
static int
attach_exit(struct engine *e, const char *id, int *code, struct diag *err)
{
	*code = 0;
	for (int tries = 0; tries < 50; tries++) {
		struct engine_container_info *ci = NULL;
		int rc = engine_container_inspect(e, id, &ci, err);
		bool running = !rc && ci->running;

		if (!rc && !running)
			*code = ci->exit_code;
		engine_container_info_free(ci);
		if (rc || !running)
			return rc;
		compat_sleep_ms(20);
	}
	return 0;
}

static int attach_run(struct cli_session *s,
		      const struct attach_opts *o,
		      const char *service)
{
	const struct plan_host *h = NULL;
	const struct plan_host_container *c =
		cli_session_container(s, service, o->index, &h);
	struct engine_container_info *ci = NULL;
	struct engine_hijack *hj = NULL;
	struct cli_stream st = {.with_stdin = !o->no_stdin,
				.sig_proxy = !o->sig_proxy ||
					     !strcmp(o->sig_proxy, "true")};
	struct diag err = {0};
	int rc, code = 0;

	if (!c || !c->state || strcmp(c->state, "running") != 0) {
		cli_errorf("service '%s' has no running container %d", service,
			   o->index);
		return CLI_FAIL;
	}
	st.e = cli_session_engine(s, h);
	if (!st.e)
		return CLI_FAIL;
	st.container_id = c->id;
	/* The stream is framed or raw as the container's TTY says. */
	rc = engine_container_inspect(st.e, c->id, &ci, &err);
	if (!rc) {
		st.tty = ci->tty;
		/* With a TTY, Ctrl-C is a key for the container, not ours. */
		st.sig_proxy = st.sig_proxy && !st.tty;
		rc = engine_container_attach(&hj, st.e, c->id, st.tty,
					     st.with_stdin, o->detach_keys,
					     &err);
	}
	engine_container_info_free(ci);
	if (!rc)
		rc = cli_stream_run(&st, hj, &err);
	engine_hijack_free(hj);
	if (rc == DIAG_EINTR)
		return 130;
	if (!rc)
		rc = attach_exit(st.e, c->id, &code, &err);
	if (rc) {
		cli_error(&err);
		return CLI_FAIL;
	}
	return code;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o = {.index = 1};
	struct cli_session s;
	int nargs, rc = cli_opt_parse(&cli_spec_attach, &o, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	if (o.detach_keys && !*o.detach_keys)
		o.detach_keys = NULL;
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, argv + 1, 1);
	if (!rc)
		rc = attach_run(&s, &o, argv[1]);
	cli_session_close(&s);
	return rc;
}
