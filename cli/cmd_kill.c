/*
 * mixcompose kill, pause and unpause: one request per container, all
 * daemons at once, through the runner (cli/runner.c); rm shares
 * cli_act_run.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

static const char *const act_doing[] = {"Killing", "Pausing", "Unpausing",
					"Removing"};
static const char *const act_past[] = {"Killed", "Paused", "Unpaused",
				       "Removed"};

static void
kill_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	const struct cli_act_opts *o = t->arg;

	engine_container_kill_async(l, e, t->ref, o->signal, cli_task_done, t);
}

static void
pause_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_pause_async(l, e, t->ref, cli_task_done, t);
}

static void
unpause_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_unpause_async(l, e, t->ref, cli_task_done, t);
}

static void
rm_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	const struct cli_act_opts *o = t->arg;

	engine_container_remove_async(l, e, t->ref, o->force, o->volumes,
				      cli_task_done, t);
}

int cli_act_run(struct cli_session *s,
		enum cli_act act,
		const struct cli_act_target *v,
		size_t n,
		const struct cli_act_opts *o)
{
	static cli_task_start_fn *const start[] = {kill_start, pause_start,
						   unpause_start, rm_start};
	struct cli_tasks_opts ro = {.kind = "Container",
				    .doing = act_doing[act],
				    .done = act_past[act]};
	struct cli_task *t = xcalloc(n + 1, sizeof(*t));
	int rc;

	for (size_t i = 0; i < n; i++)
		t[i] = (struct cli_task){.h = v[i].h,
					 .what = v[i].c->name,
					 .start = start[act],
					 .ref = v[i].c->id,
					 .arg = o};
	rc = cli_tasks_run(s, t, n, &ro);
	free(t);
	return rc;
}

/* ---- kill, pause, unpause ------------------------------------------------ */

struct kill_opts {
	enum cli_act act;
	const char *signal;
	bool remove_orphans;
	char **names;
	size_t n_names;
};

static int kill_signal(void *obj, const char *v)
{
	struct kill_opts *o = obj;

	if (!*v) {
		cli_errorf("kill: --signal: an empty signal");
		return CLI_USAGE;
	}
	o->signal = v;
	return CLI_OK;
}

static const struct cli_opt kill_opts_v[] = {
	CLI_FN('s',
	       "signal",
	       kill_signal,
	       "SIGNAL",
	       "signal to send (default SIGKILL)"),
	CLI_FLAG(0,
		 "remove-orphans",
		 struct kill_opts,
		 remove_orphans,
		 "also kill containers of services not in the file"),
	CLI_OPT_END,
};

static const struct cli_opt no_opts[] = {CLI_OPT_END};

#define KILL_SPEC(n, opts_v, sum, d)                                           \
	{                                                                      \
		.name = (n), .args = "[SERVICE...]", .summary = (sum),         \
		.desc = d " on every daemon at once.", .opts = (opts_v),       \
		.max_args = -1, .args_complete = CLI_COMPLETE_SERVICE          \
	}

const struct cli_spec cli_spec_kill =
	KILL_SPEC("kill",
		  kill_opts_v,
		  "force stop the running containers",
		  "Force stop the project's running containers");
const struct cli_spec cli_spec_pause =
	KILL_SPEC("pause",
		  no_opts,
		  "pause the running containers",
		  "Pause the project's running containers");
const struct cli_spec cli_spec_unpause =
	KILL_SPEC("unpause",
		  no_opts,
		  "unpause the paused containers",
		  "Unpause the project's paused containers");

static int kill_parse(struct kill_opts *o, int argc, char **argv)
{
	static const struct cli_spec *const specs[] = {
		[CLI_ACT_KILL] = &cli_spec_kill,
		[CLI_ACT_PAUSE] = &cli_spec_pause,
		[CLI_ACT_UNPAUSE] = &cli_spec_unpause,
	};
	int n, rc = cli_opt_parse(specs[o->act], o, argc, argv, &n);

	o->names = argv + 1;
	o->n_names = (size_t)n;
	return rc;
}

static bool state_is(const struct plan_host_container *c, const char *st)
{
	return c->state && !strcmp(c->state, st);
}

/*
 * What each command acts on, as compose v2 picks it: kill every running
 * container (one-off ones too; orphans only with --remove-orphans), pause
 * the running ones, unpause the paused ones.
 */
static bool kill_wanted(const struct cli_session *s,
			const struct kill_opts *o,
			const struct plan_host_container *c)
{
	if (!c->service || !cli_names_has(o->names, o->n_names, c->service))
		return false;
	if (o->act == CLI_ACT_PAUSE)
		return !c->oneoff && state_is(c, "running");
	if (o->act == CLI_ACT_UNPAUSE)
		return !c->oneoff && state_is(c, "paused");
	if (!o->remove_orphans && s->project &&
	    !compose_service_find(s->project, c->service))
		return false;
	return state_is(c, "running") || state_is(c, "paused") ||
	       state_is(c, "restarting");
}

static int kill_command(int argc, char **argv, enum cli_act act)
{
	struct kill_opts o = {.act = act};
	struct cli_act_target *v = NULL;
	struct cli_act_opts ao = {0};
	struct cli_session s;
	size_t n = 0, alloc = 0;
	int rc = kill_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET);
	if (!rc)
		rc = cli_session_check_services(&s, o.names, o.n_names);
	for (size_t h = 0; !rc && h < s.n_hosts; h++)
		for (size_t c = 0; c < s.hosts[h].n_containers; c++) {
			if (!kill_wanted(&s, &o, &s.hosts[h].containers[c]))
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			v[n++] = (struct cli_act_target){
				&s.hosts[h], &s.hosts[h].containers[c]};
		}
	if (!rc && !n && act == CLI_ACT_KILL)
		fprintf(stderr, "no container to kill\n");
	ao.signal = o.signal;
	if (!rc && n)
		rc = cli_act_run(&s, act, v, n, &ao);
	free(v);
	cli_session_close(&s);
	return rc;
}

int cmd_kill(int argc, char **argv)
{
	return kill_command(argc, argv, CLI_ACT_KILL);
}

int cmd_pause(int argc, char **argv)
{
	return kill_command(argc, argv, CLI_ACT_PAUSE);
}

int cmd_unpause(int argc, char **argv)
{
	return kill_command(argc, argv, CLI_ACT_UNPAUSE);
}
