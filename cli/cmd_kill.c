/*
 * mixcompose kill, pause and unpause: one request per container, all
 * daemons at once.  rm shares the runner (cli_act_run).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct act_job {
	const struct cli_act_target *t;
	int rc;
	struct diag err;
};

static void act_done(void *ud, int rc, const struct diag *err)
{
	struct act_job *j = ud;

	j->rc = rc;
	if (rc && err)
		j->err = *err;
}

static const char *const act_doing[] = {"Killing", "Pausing", "Unpausing",
					"Removing"};
static const char *const act_past[] = {"Killed", "Paused", "Unpaused",
				       "Removed"};

static void act_submit(struct engine_loop *l,
		       struct cli_session *s,
		       struct act_job *j,
		       enum cli_act act,
		       const struct cli_act_opts *o)
{
	struct engine *e = cli_session_engine(s, j->t->h);
	const char *id = j->t->c->id;

	if (!e) {
		j->rc = DIAG_ETRANSPORT;
		snprintf(j->err.msg, sizeof(j->err.msg),
			 "daemon '%s' is not reachable", j->t->h->name);
		return;
	}
	fprintf(stderr, " Container %s (%s)  %s\n", j->t->c->name,
		j->t->h->name, act_doing[act]);
	if (act == CLI_ACT_KILL)
		engine_container_kill_async(l, e, id, o->signal, act_done, j);
	else if (act == CLI_ACT_PAUSE)
		engine_container_pause_async(l, e, id, act_done, j);
	else if (act == CLI_ACT_UNPAUSE)
		engine_container_unpause_async(l, e, id, act_done, j);
	else
		engine_container_remove_async(l, e, id, o->force, o->volumes,
					      act_done, j);
}

int cli_act_run(struct cli_session *s,
		enum cli_act act,
		const struct cli_act_target *v,
		size_t n,
		const struct cli_act_opts *o)
{
	struct act_job *jobs = xcalloc(n + 1, sizeof(*jobs));
	struct engine_loop *l = engine_loop_new();
	int rc = CLI_OK;

	for (size_t i = 0; i < n; i++) {
		jobs[i].t = &v[i];
		act_submit(l, s, &jobs[i], act, o);
	}
	engine_loop_run(l, -1);
	engine_loop_free(l);
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].rc) {
			cli_error(&jobs[i].err);
			rc = CLI_FAIL;
			continue;
		}
		fprintf(stderr, " Container %s (%s)  %s\n", v[i].c->name,
			v[i].h->name, act_past[act]);
	}
	free(jobs);
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
	CLI_FN('s', "signal", kill_signal, "SIGNAL",
	       "signal to send (default SIGKILL)"),
	CLI_FLAG(0, "remove-orphans", struct kill_opts, remove_orphans,
		 "also kill containers of services not in the file"),
	CLI_OPT_END,
};

static const struct cli_opt no_opts[] = {CLI_OPT_END};

#define KILL_SPEC(n, opts_v, sum, d)                                           \
	{.name = (n), .args = "[SERVICE...]", .summary = (sum),                \
	 .desc = d " on every daemon at once.", .opts = (opts_v),              \
	 .max_args = -1, .args_complete = CLI_COMPLETE_SERVICE}

const struct cli_spec cli_spec_kill =
	KILL_SPEC("kill", kill_opts_v, "force stop the running containers",
		  "Force stop the project's running containers");
const struct cli_spec cli_spec_pause =
	KILL_SPEC("pause", no_opts, "pause the running containers",
		  "Pause the project's running containers");
const struct cli_spec cli_spec_unpause =
	KILL_SPEC("unpause", no_opts, "unpause the paused containers",
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
