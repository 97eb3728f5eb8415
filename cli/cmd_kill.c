/*
 * mixcompose kill, pause and unpause: one request per container, all
 * daemons at once.  rm shares the runner (cli_act_run).
 */
#include "cli/cli.h"

#include <getopt.h>
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

static void kill_usage(FILE *f, enum cli_act act)
{
	static const char *const what[] = {
		"Force stop the project's running containers",
		"Pause the project's running containers",
		"Unpause the project's paused containers",
	};
	static const char *const cmd[] = {"kill", "pause", "unpause"};

	fprintf(f,
		"usage: mixcompose %s [OPTIONS] [SERVICE...]\n"
		"\n"
		"%s on every daemon at once.\n"
		"\n"
		"Options:\n"
		"%s"
		"  -h, --help                show this help\n",
		cmd[act], what[act],
		act == CLI_ACT_KILL
			? "  -s, --signal SIGNAL       signal to send "
			  "(default SIGKILL)\n"
			  "      --remove-orphans      also kill containers "
			  "of services not in the file\n"
			: "");
}

static int kill_parse(struct kill_opts *o, int argc, char **argv)
{
	enum { OPT_ORPHANS = 256 };
	static const struct option opts[] = {
		{"signal", required_argument, NULL, 's'},
		{"remove-orphans", no_argument, NULL, OPT_ORPHANS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct option help_only[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool kill = o->act == CLI_ACT_KILL;
	int c;

	while ((c = getopt_long(argc, argv, kill ? "s:h" : "h",
				kill ? opts : help_only, NULL)) != -1) {
		if (c == 's' && !*optarg) {
			cli_errorf("kill: --signal: an empty signal");
			return CLI_USAGE;
		} else if (c == 's') {
			o->signal = optarg;
		} else if (c == OPT_ORPHANS) {
			o->remove_orphans = true;
		} else if (c == 'h') {
			kill_usage(stdout, o->act);
			return -1;
		} else {
			kill_usage(stderr, o->act);
			return CLI_USAGE;
		}
	}
	o->names = argv + optind;
	o->n_names = (size_t)(argc - optind);
	return CLI_OK;
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
