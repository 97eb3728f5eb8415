/*
 * `mixcompose up`: load, plan against the state of every daemon, run the
 * plan's jobs on all daemons at once, then (without -d) follow the logs
 * until Ctrl-C and stop the project, as docker compose does.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define UP_NETWORK_ATTEMPTS 8 /* plans, when another client takes a subnet */
#define UP_APPLY_ATTEMPTS 4   /* plans, when a container was taken/broken */

static volatile sig_atomic_t up_stop;

struct up_opts {
	bool detach;
	bool wait;
	bool no_deps;
	bool force_recreate;
	bool no_recreate;
	bool remove_orphans;
	bool build;    /* --build */
	bool no_build; /* --no-build */
	bool no_start;
	bool watch;		   /* --watch: develop.watch while attached */
	bool always_recreate_deps; /* --always-recreate-deps */
	bool attach_deps;	   /* --attach-dependencies */
	bool quiet_pull;	   /* --quiet-pull */
	bool renew_anon;	   /* -V, --renew-anon-volumes */
	bool create; /* the create command: its own options and help */
	/* Per project service, the built image's id (after the builds). */
	const char *const *image_ids;
	int timeout_s;
	long wait_timeout_s;
	const char *progress;
	const char *pull; /* --pull: NULL keeps each service's policy */
	char **services;
	size_t n_services;
	/* Attached up: the CI idiom of compose v2. */
	bool abort_exit;	    /* --abort-on-container-exit */
	bool abort_failure;	    /* --abort-on-container-failure */
	const char *exit_code_from; /* --exit-code-from SERVICE */
	char **attach, **no_attach; /* --attach, --no-attach (repeatable) */
	bool no_color, no_log_prefix, timestamps; /* the logs followed */
	size_t n_attach, n_no_attach, attach_alloc, no_attach_alloc;
	/* Whose logs an attached up shows (NULL: 'services'). */
	char **logs;
	size_t n_logs;
	char **scales; /* --scale SERVICE=N (repeatable), `scale`'s args */
	size_t n_scales, scales_alloc;
};

/*
 * --pull: the values compose v2 accepts ("policy", its default, keeps each
 * service's own pull_policy).
 */
static int pull_flag(void *obj, const char *v)
{
	static const char *const ok[] = {"always", "missing", "never", "build",
					 "if_not_present"};
	struct up_opts *o = obj;

	if (!strcmp(v, "policy")) {
		o->pull = NULL;
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(v, ok[i])) {
			o->pull = v;
			return CLI_OK;
		}
	cli_errorf("invalid --pull option '%s' (always, missing, never, build)",
		   v);
	return CLI_USAGE;
}

static int wait_flag(void *obj, const char *v)
{
	struct up_opts *o = obj;

	(void)v;
	o->wait = o->detach = true;
	return CLI_OK;
}

static int attach_opt(void *obj, const char *v)
{
	struct up_opts *o = obj;

	ALLOC_GROW(o->attach, o->n_attach + 1, o->attach_alloc);
	o->attach[o->n_attach++] = (char *)v;
	return CLI_OK;
}

static int no_attach_opt(void *obj, const char *v)
{
	struct up_opts *o = obj;

	ALLOC_GROW(o->no_attach, o->n_no_attach + 1, o->no_attach_alloc);
	o->no_attach[o->n_no_attach++] = (char *)v;
	return CLI_OK;
}

static int scale_opt(void *obj, const char *v)
{
	struct up_opts *o = obj;

	ALLOC_GROW(o->scales, o->n_scales + 1, o->scales_alloc);
	o->scales[o->n_scales++] = (char *)v;
	return CLI_OK;
}

#define O struct up_opts
#define UP_SCALE_OPT                                                           \
	{                                                                      \
		.lname = "scale", .kind = CLI_OPT_FN, .fn = scale_opt,         \
		.arg = "SERVICE=N", .flags = CLI_OPT_REPEAT,                   \
		.help = "run N containers of SERVICE (repeatable)"             \
	}
#define UP_RECREATE_OPTS                                                       \
	CLI_FLAG(0, "force-recreate", O, force_recreate,                       \
		 "recreate containers even if unchanged"),                     \
		CLI_FLAG(0, "no-recreate", O, no_recreate,                     \
			 "keep existing containers")
#define UP_ORPHANS_OPT                                                         \
	CLI_FLAG(0, "remove-orphans", O, remove_orphans,                       \
		 "remove containers of services not in the file")
#define UP_PROGRESS_OPT CLI_PROGRESS(O, progress)
#define UP_PULL_OPTS                                                           \
	{.lname = "pull",                                                      \
	 .kind = CLI_OPT_FN,                                                   \
	 .fn = pull_flag,                                                      \
	 .arg = "always|missing|never|build",                                  \
	 .help = "the pull policy of every service"},                          \
		CLI_FLAG(0, "quiet-pull", O, quiet_pull,                       \
			 "no progress lines for the image pulls")

static const struct cli_opt up_opts_v[] = {
	CLI_FLAG('d', "detach", O, detach, "run in the background"),
	CLI_FN(0,
	       "wait",
	       wait_flag,
	       NULL,
	       "wait until every service is running/healthy (implies -d)"),
	CLI_SECONDS(0,
		    "wait-timeout",
		    O,
		    wait_timeout_s,
		    "give up waiting after N seconds"),
	CLI_FLAG(0,
		 "abort-on-container-exit",
		 O,
		 abort_exit,
		 "stop every container when one stops (attached)"),
	CLI_FLAG(0,
		 "abort-on-container-failure",
		 O,
		 abort_failure,
		 "stop every container when one exits with a failure"),
	{.lname = "exit-code-from",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(O, exit_code_from),
	 .arg = "SERVICE",
	 .complete = CLI_COMPLETE_SERVICE,
	 .help = "exit with the code of SERVICE's container\n"
		 "(implies --abort-on-container-exit)"},
	{.lname = "attach",
	 .kind = CLI_OPT_FN,
	 .fn = attach_opt,
	 .arg = "SERVICE",
	 .complete = CLI_COMPLETE_SERVICE,
	 .flags = CLI_OPT_REPEAT,
	 .help = "show only these services' logs (repeatable)"},
	CLI_FLAG(0, "no-color", O, no_color, "monochrome log prefixes"),
	CLI_FLAG(0, "no-log-prefix", O, no_log_prefix, "no log prefix"),
	CLI_FLAG(0, "timestamps", O, timestamps, "show timestamps in the logs"),
	CLI_FLAG('w',
		 "watch",
		 O,
		 watch,
		 "sync, rebuild or restart services as their files change\n"
		 "(develop.watch; attached)"),
	{.lname = "no-attach",
	 .kind = CLI_OPT_FN,
	 .fn = no_attach_opt,
	 .arg = "SERVICE",
	 .complete = CLI_COMPLETE_SERVICE,
	 .flags = CLI_OPT_REPEAT,
	 .help = "do not show these services' logs (repeatable)"},
	CLI_FLAG(0, "no-deps", O, no_deps, "do not start linked services"),
	UP_RECREATE_OPTS,
	CLI_FLAG(0, "build", O, build, "build images before starting"),
	CLI_FLAG(0, "no-build", O, no_build, "do not build missing images"),
	UP_ORPHANS_OPT,
	CLI_FLAG(0,
		 "no-start",
		 O,
		 no_start,
		 "create the containers, start none"),
	CLI_SECONDS('t',
		    "timeout",
		    O,
		    timeout_s,
		    "stop timeout in seconds on recreate/stop"),
	UP_PROGRESS_OPT,
	UP_SCALE_OPT,
	UP_PULL_OPTS,
	CLI_FLAG(0,
		 "always-recreate-deps",
		 O,
		 always_recreate_deps,
		 "recreate the dependencies of the services named too"),
	CLI_FLAG(0,
		 "attach-dependencies",
		 O,
		 attach_deps,
		 "show the logs of the dependencies too (attached)"),
	CLI_FLAG('V',
		 "renew-anon-volumes",
		 O,
		 renew_anon,
		 "a recreated container gets new anonymous volumes\n"
		 "instead of the old container's"),
	CLI_OPT_END,
};

/* create is up --no-start, with the options that still make sense. */
static const struct cli_opt create_opts_v[] = {
	UP_RECREATE_OPTS,
	CLI_FLAG(0, "build", O, build, "build images before creating"),
	CLI_FLAG(0, "no-build", O, no_build, "do not build missing images"),
	UP_ORPHANS_OPT,
	UP_PROGRESS_OPT,
	UP_SCALE_OPT,
	UP_PULL_OPTS,
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_up = {
	.name = "up",
	.args = "[SERVICE...]",
	.summary = "create and start the project's containers",
	.desc = "Create and start the project's containers, each on the daemon "
		"its platform\nasks for, in dependency order, all daemons at "
		"once.",
	.opts = up_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

const struct cli_spec cli_spec_create = {
	.name = "create",
	.args = "[SERVICE...]",
	.summary = "create the containers without starting them",
	.desc = "Create the project's containers, each on the daemon its "
		"platform asks\nfor, without starting them (up --no-start).",
	.opts = create_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int up_parse(struct up_opts *o, int argc, char **argv)
{
	bool create = !strcmp(argv[0], "create");
	int n, rc;

	o->timeout_s = -1;
	o->progress = "auto";
	o->no_start = o->create = create;
	rc = cli_opt_parse(create ? &cli_spec_create : &cli_spec_up, o, argc,
			   argv, &n);
	if (rc)
		return rc;
	if (o->force_recreate && o->no_recreate) {
		cli_errorf("--force-recreate and --no-recreate are exclusive");
		return CLI_USAGE;
	}
	if (o->always_recreate_deps && o->no_recreate) {
		cli_errorf("--always-recreate-deps and --no-recreate are "
			   "incompatible");
		return CLI_USAGE;
	}
	if (o->attach_deps && o->n_attach) {
		cli_errorf("cannot combine --attach and --attach-dependencies");
		return CLI_USAGE;
	}
	if (o->build && o->no_build) {
		cli_errorf("--build and --no-build are exclusive");
		return CLI_USAGE;
	}
	if (o->no_start && o->wait) {
		cli_errorf("--no-start and --wait are exclusive");
		return CLI_USAGE;
	}
	if (o->exit_code_from)
		o->abort_exit = true;
	if (o->abort_exit && o->abort_failure) {
		cli_errorf("--abort-on-container-exit and "
			   "--abort-on-container-failure are incompatible");
		return CLI_USAGE;
	}
	/* compose v2's words. */
	if (o->detach && (o->abort_exit || o->abort_failure || o->n_attach ||
			  o->attach_deps || o->watch)) {
		cli_errorf("--detach cannot be combined with "
			   "--abort-on-container-exit, "
			   "--abort-on-container-failure, --attach, "
			   "--attach-dependencies or --watch");
		return CLI_USAGE;
	}
	if (o->no_build && o->watch) {
		cli_errorf("--no-build and --watch are incompatible");
		return CLI_USAGE;
	}
	/* Nothing runs (or nothing really ran): no logs to follow. */
	if (o->no_start || cli_global.dry_run)
		o->detach = true;
	if (!cli_progress_mode_ok(o->progress))
		return CLI_USAGE;
	o->services = argv + 1;
	o->n_services = (size_t)n;
	return CLI_OK;
}

int cli_signal_status(void)
{
	return 128 + (up_stop > 0 ? (int)up_stop : SIGINT);
}

void cli_signals_catch(volatile sig_atomic_t **flag)
{
	compat_catch_interrupts(&up_stop, COMPAT_INT_KEY | COMPAT_INT_TERM);
	up_stop = 0;
	*flag = &up_stop;
}

/*
 * Every daemon that runs a container of this up must answer, before
 * anything starts: a half-applied plan across daemons helps nobody.
 */
static int check_daemons(const struct cli_session *s, const struct plan *p)
{
	int rc = CLI_OK;

	for (size_t d = 0; d < p->n_hosts; d++) {
		const struct engine_daemon *ed;
		struct sbuf svcs = SBUF_INIT;

		if (!p->hosts[d].offline)
			continue;
		for (size_t i = 0; i < p->n_services; i++)
			if (p->services[i].daemon == d &&
			    p->services[i].selected)
				sbuf_addf(&svcs, "%s'%s'", svcs.len ? ", " : "",
					  p->services[i].name);
		ed = engine_registry_find(s->reg, p->hosts[d].name);
		if (svcs.len) {
			cli_errorf("daemon '%s' %s (%s); it runs %s: nothing "
				   "was started",
				   p->hosts[d].name,
				   ed ? engine_daemon_unusable(ed)
				      : "is not reachable",
				   ed && ed->error ? ed->error : "no answer",
				   svcs.buf);
			rc = CLI_FAIL;
		}
		sbuf_release(&svcs);
	}
	return rc;
}

static int up_plan(struct plan **out,
		   struct cli_session *s,
		   const struct up_opts *o,
		   bool warn)
{
	struct plan_options po = {
		.services = (const char *const *)o->services,
		.n_services = o->n_services,
		.no_deps = o->no_deps,
		.force_recreate = o->force_recreate,
		.no_recreate = o->no_recreate,
		.always_recreate_deps = o->always_recreate_deps,
		.remove_orphans = o->remove_orphans,
		.default_platform = getenv("DOCKER_DEFAULT_PLATFORM"),
		.build = o->build      ? PLAN_BUILD_OPT_ALWAYS
			 : o->no_build ? PLAN_BUILD_OPT_NEVER
				       : PLAN_BUILD_OPT_DEFAULT,
		.image_ids = o->image_ids,
		.pull = o->pull,
		.now = (long long)time(NULL),
		.hosts_in_place = o->n_scales > 0,
		.hosts_lazy = true,
	};
	struct diag err = {0};

	if (cli_session_check_services(s, o->services, o->n_services))
		return CLI_FAIL;
	cli_images_collect(s, o->pull);
	cli_plan_desktop_defaults(&po, s->a, s->project, s->reg);
	if (plan_build(out, s->project, s->hosts, s->n_hosts, &po, &err) ||
	    apply_check(*out, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	for (size_t i = 0; warn && i < (*out)->orphan_warnings.n; i++)
		fprintf(stderr,
			"warning: found orphan container %s; run with "
			"--remove-orphans to remove it\n",
			(*out)->orphan_warnings.v[i]);
	for (size_t i = 0; warn && i < (*out)->warnings.n; i++)
		fprintf(stderr, "warning: %s\n", (*out)->warnings.v[i]);
	return check_daemons(s, *out);
}

static struct engine **
session_engines(struct cli_session *s, const struct plan_host *hosts, size_t n)
{
	struct engine **v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = hosts[i].offline ? NULL
					: cli_session_engine(s, &hosts[i]);
	return v;
}

/* Runs 'jobs' with a progress display; returns the exit status. */
int cli_jobs_run(struct apply_jobs *jobs,
		 const char *progress,
		 volatile sig_atomic_t *stop)
{
	struct cli_progress *pr = cli_progress_new(progress, "Running");
	struct engine_run_opts ro = {.progress = cli_progress_job,
				     .progress_ud = pr,
				     .cancel = stop};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};
	int rc;

	rc = engine_run(l, jobs->v, jobs->n, &ro, &err);
	cli_progress_done(pr, jobs->v, jobs->n);
	engine_loop_free(l);
	cli_progress_free(pr);
	if (rc == DIAG_EINTR) {
		size_t done = 0, left = 0;

		for (size_t i = 0; i < jobs->n; i++) {
			done += jobs->v[i].state == ENGINE_JOB_DONE;
			left += jobs->v[i].state != ENGINE_JOB_DONE;
		}
		cli_errorf("interrupted: %zu step(s) done, the ones in flight "
			   "finished, %zu not run; what was made stays on its "
			   "daemon: `up` again converges, `down` removes it",
			   done, left);
		return cli_signal_status();
	}
	if (rc == DIAG_EUSAGE)
		cli_error(&err);
	return rc ? CLI_FAIL : CLI_OK;
}

/*
 * Entries the planner could not know (a peer's address chosen by its
 * daemon) are written once everything runs.
 */
static int up_late_hosts(const struct plan *p,
			 struct engine *const *engines,
			 const struct up_opts *o,
			 volatile sig_atomic_t *stop)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct apply_jobs jobs;
	int rc = CLI_OK;

	apply_jobs_init(&jobs);
	if (apply_late_hosts(&jobs, p, engines, &dl))
		rc = cli_jobs_run(&jobs, o->progress, stop);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	apply_jobs_release(&jobs);
	return rc;
}

/*
 * The first phase: every image to build, built on its service's daemon.
 * '*ids' (in s->a, per project service) gets each built image's id, so
 * that the final plan recreates containers whose image changed; NULL
 * when nothing is built.
 */
static int up_builds(const char ***ids,
		     struct cli_session *s,
		     const struct plan *p,
		     const struct up_opts *o,
		     volatile sig_atomic_t *stop)
{
	struct engine **engines = session_engines(s, p->hosts, p->n_hosts);
	size_t *sj = xcalloc(p->n_services + 1, sizeof(*sj));
	struct apply_jobs jobs;
	struct diag err = {0};
	int rc;

	*ids = NULL;
	apply_jobs_init(&jobs);
	if (apply_build(&jobs, p, engines, NULL, sj, &err)) {
		cli_error(&err);
		rc = CLI_FAIL;
	} else {
		rc = jobs.n ? cli_jobs_run(&jobs, o->progress, stop) : CLI_OK;
	}
	if (!rc && jobs.n) {
		*ids = arena_calloc(s->a, p->n_services + 1, sizeof(**ids));
		for (size_t i = 0; i < p->n_services; i++)
			if (sj[i] != SIZE_MAX && jobs.v[sj[i]].id[0])
				(*ids)[i] =
					arena_strdup(s->a, jobs.v[sj[i]].id);
	}
	apply_jobs_release(&jobs);
	free(sj);
	free(engines);
	return rc;
}

/*
 * The plan again once the images are built, from the state as it is now:
 * a build takes a while, and networks made meanwhile (other projects on
 * the same daemons) must not be planned over.
 */
static int
up_replan(struct plan **out, struct cli_session *s, const struct up_opts *o)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc;

	rc = apply_state_collect_ext(&s->hosts, &s->n_hosts, &s->ext, s->a,
				     s->reg, s->project_name,
				     APPLY_STATE_ALL_DAEMONS, &dl);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	if (rc) {
		cli_errorf("no daemon is reachable");
		return CLI_FAIL;
	}
	return up_plan(out, s, o, false);
}

/* Sleeps a random 100-400 ms times 'attempt'. */
static void backoff(int attempt)
{
	unsigned r;

	if (compat_random(&r, sizeof(r)))
		r = (unsigned)time(NULL);
	compat_sleep_ms((100 + (long)(r % 300)) * (long)attempt);
}

/*
 * A network create lost a race with another client: its subnet was taken
 * meanwhile ("Pool overlaps"), or a concurrent up of the same project made
 * the same network first (409 "network with name ... already exists").
 */
static bool network_raced(const struct apply_jobs *jobs)
{
	for (size_t i = 0; i < jobs->n; i++) {
		const char *m = jobs->v[i].err.msg;

		if (jobs->v[i].state == ENGINE_JOB_FAILED &&
		    (strstr(m, "Pool overlaps") ||
		     (strstr(m, "/networks/create: ") &&
		      strstr(m, "already exists"))))
			return true;
	}
	return false;
}

/*
 * Networks come first, on their own.  The planner picks a new network's
 * subnet from what the daemons hold when it looks; another client can take
 * the same subnet before the create, or create the same network.  Nothing
 * else has been touched then, so read the daemons again (the new look
 * finds the other client's network and keeps it, as the plan keeps any
 * network of the project), plan again and retry.
 */
static int up_networks(struct plan **p,
		       struct cli_session *s,
		       const struct up_opts *o,
		       volatile sig_atomic_t *stop)
{
	for (int attempt = 1;; attempt++) {
		struct engine **engines =
			session_engines(s, (*p)->hosts, (*p)->n_hosts);
		struct apply_jobs jobs;
		bool again;
		int rc = CLI_OK;

		apply_jobs_init(&jobs);
		if (apply_networks(&jobs, *p, engines))
			rc = cli_jobs_run(&jobs, o->progress, stop);
		again = rc && attempt < UP_NETWORK_ATTEMPTS &&
			network_raced(&jobs);
		apply_jobs_release(&jobs);
		free(engines);
		if (!again)
			return rc;
		fprintf(stderr,
			"warning: another client took a planned subnet or "
			"made the same network; planning again (attempt %d "
			"of %d)\n",
			attempt + 1, UP_NETWORK_ATTEMPTS);
		/*
		 * Clients that collided also plan again: at different
		 * moments, or they would all pick the same next subnet.
		 */
		backoff(attempt);
		plan_free(*p);
		*p = NULL;
		if ((rc = up_replan(p, s, o)))
			return rc;
	}
}

/*
 * Failures that a new look at the daemons settles, and only those: a
 * container whose start failed because a daemon crash left its task
 * behind ("task ...: already exists"; the state reader then marks it
 * broken and the plan recreates it), a container name that another
 * client took meanwhile ("is already in use": a concurrent up of the same
 * project made the same container; the plan then keeps or starts it), and
 * a start that timed out (start_timed_out).
 */
/*
 * A start that got no answer in time: a daemon that just came back after
 * a crash can take longer than the request limit for each of many starts
 * at once.  The start goes on there; a new look finds it running.
 */
static bool start_timed_out(const char *m)
{
	return strstr(m, "/start: ") && strstr(m, "no complete answer within");
}

static bool apply_again(const struct apply_jobs *jobs)
{
	bool any = false;

	for (size_t i = 0; i < jobs->n; i++) {
		const char *m = jobs->v[i].err.msg;

		if (jobs->v[i].state != ENGINE_JOB_FAILED)
			continue;
		if (!strstr(m, "is already in use") &&
		    !apply_start_left_task(m) && !start_timed_out(m))
			return false;
		any = true;
	}
	return any;
}

static int up_apply(struct cli_session *s,
		    const struct plan *p,
		    const struct up_opts *o,
		    volatile sig_atomic_t *stop,
		    bool *again)
{
	struct apply_up_opts ao = {.timeout_s = o->timeout_s,
				   .wait = o->wait,
				   .wait_timeout_ms = o->wait_timeout_s * 1000,
				   .builds_done = true,
				   .no_start = o->no_start,
				   .networks_made = true,
				   .renew_anon_volumes = o->renew_anon,
				   .quiet_pull = o->quiet_pull};
	struct engine **engines = session_engines(s, p->hosts, p->n_hosts);
	struct apply_jobs jobs;
	struct diag err = {0};
	int rc;

	apply_jobs_init(&jobs);
	if (apply_up(&jobs, p, engines, &ao, &err)) {
		cli_error(&err);
		rc = CLI_FAIL;
	} else {
		rc = cli_jobs_run(&jobs, o->progress, stop);
	}
	*again = rc == CLI_FAIL && apply_again(&jobs);
	if (!rc && !o->no_start)
		rc = up_late_hosts(p, engines, o, stop);
	apply_jobs_release(&jobs);
	free(engines);
	return rc;
}

/*
 * The containers, and again from a new plan while what failed is only
 * what a new look settles (apply_again), up to UP_APPLY_ATTEMPTS times.
 */
static int up_converge(struct plan **p,
		       struct cli_session *s,
		       const struct up_opts *o,
		       volatile sig_atomic_t *stop)
{
	for (int attempt = 1;; attempt++) {
		bool again = false;
		int rc = up_apply(s, *p, o, stop, &again);

		if (!again || attempt >= UP_APPLY_ATTEMPTS || *stop)
			return rc;
		fprintf(stderr,
			"warning: a container was taken by another client, "
			"left broken by a daemon crash or slow to start; "
			"planning again (attempt %d of %d)\n",
			attempt + 1, UP_APPLY_ATTEMPTS);
		backoff(attempt);
		plan_free(*p);
		*p = NULL;
		if ((rc = up_replan(p, s, o)) ||
		    (rc = up_networks(p, s, o, stop)))
			return rc;
	}
}

/*
 * The CI idiom (compose v2's cascade stop): which exit stops everything,
 * and whose exit code `up` returns: --exit-code-from's service, else the
 * first container that stopped.
 */
struct up_exits {
	const struct up_opts *o;
	bool aborting;
	const char *from;
	bool have_code;
	int code;
};

static int up_on_exit(void *ud,
		      const struct plan_host *h,
		      const struct plan_host_container *c,
		      int code)
{
	struct up_exits *x = ud;

	(void)h;
	if (!x->aborting &&
	    (x->o->abort_exit || (x->o->abort_failure && code))) {
		x->aborting = true;
		if (!x->from)
			x->from = c->service;
		fprintf(stderr, "Aborting on container exit...\n");
	}
	if (x->from && c->service && !strcmp(x->from, c->service) &&
	    !x->have_code) {
		x->have_code = true;
		x->code = code;
	}
	return x->aborting;
}

/* The exit code of 'service's container, once it stopped (stopped now). */
static void up_exit_code(struct up_exits *x,
			 const struct plan_host *hosts,
			 size_t n,
			 struct engine *const *engines)
{
	for (size_t h = 0; !x->have_code && h < n; h++)
		for (size_t c = 0; engines[h] && c < hosts[h].n_containers;
		     c++) {
			const struct plan_host_container *pc =
				&hosts[h].containers[c];
			struct diag err = {0};

			if (pc->oneoff || !pc->service ||
			    strcmp(pc->service, x->from))
				continue;
			if (engine_container_wait(engines[h], pc->id, NULL,
						  &x->code, &err)) {
				cli_error(&err);
				continue;
			}
			x->have_code = true;
			break;
		}
}

/* Attached: the merged logs until Ctrl-C, then the project stops. */
static int up_attached(struct cli_session *s,
		       const struct up_opts *o,
		       volatile sig_atomic_t *stop)
{
	struct plan_host *hosts = NULL;
	size_t n = 0;
	struct diag_list dl = DIAG_LIST_INIT;
	struct up_exits x = {.o = o, .from = o->exit_code_from};
	bool cascade = o->abort_exit || o->abort_failure || o->exit_code_from;
	struct cli_logs_opts lo = {
		.follow = true,
		.color = !o->no_color && cli_color(stdout),
		.no_prefix = o->no_log_prefix,
		.timestamps = o->timestamps,
		.services = o->n_attach ? o->attach
			    : o->logs	? o->logs
					: o->services,
		.n_services = o->n_attach ? o->n_attach
			      : o->logs	  ? o->n_logs
					  : o->n_services,
		.skip = o->no_attach,
		.n_skip = o->n_no_attach,
		.honour_attach = !o->n_attach,
		.project = s->project,
		.on_exit = cascade ? up_on_exit : NULL,
		.exit_ud = &x,
	};
	struct engine **engines;
	struct apply_jobs jobs;
	struct cli_watch_bg *bg = NULL;
	int rc;

	apply_state_collect(&hosts, &n, s->a, s->reg, s->project_name,
			    APPLY_STATE_CONTAINERS, &dl);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	fprintf(stderr, "Attaching to the logs; press Ctrl+C to stop\n");
	if (o->watch)
		bg = cli_watch_start(o->services, o->n_services);
	if (!o->watch || bg)
		cli_logs_follow(s->reg, hosts, n, &lo, stop);
	if (bg)
		cli_watch_stop(bg);
	*stop = 0;
	if (!x.aborting)
		fprintf(stderr, "Gracefully stopping...\n");
	/* Re-read: containers may have exited on their own meanwhile. */
	apply_state_collect(&hosts, &n, s->a, s->reg, s->project_name,
			    APPLY_STATE_CONTAINERS, &dl);
	diag_list_release(&dl);
	engines = session_engines(s, hosts, n);
	apply_jobs_init(&jobs);
	apply_stop(&jobs, hosts, n, engines, o->services, o->n_services,
		   o->timeout_s);
	rc = cli_jobs_run(&jobs, o->progress, stop);
	apply_jobs_release(&jobs);
	if (!rc && x.from)
		up_exit_code(&x, hosts, n, engines);
	free(engines);
	return rc || !x.have_code ? rc : x.code;
}

/* --exit-code-from, --attach and --no-attach name services of the file. */
static int up_check_names(const struct cli_session *s, const struct up_opts *o)
{
	if (o->exit_code_from &&
	    !compose_service_find(s->project, o->exit_code_from)) {
		cli_errorf("no such service: %s", o->exit_code_from);
		return CLI_FAIL;
	}
	if (cli_session_check_services(s, o->attach, o->n_attach) ||
	    cli_session_check_services(s, o->no_attach, o->n_no_attach))
		return CLI_FAIL;
	return CLI_OK;
}

/*
 * SERVICE=N: the service's replica count for this run, as compose v2's
 * scale and --scale set it on the model (deploy.replicas).
 */
int cli_scale_apply(struct compose_project *p, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(v[i], '=');
		char *end = NULL;
		long k = eq ? strtol(eq + 1, &end, 10) : -1;
		size_t j;

		if (!eq || eq == v[i] || !eq[1] || *end || k < 0 ||
		    k > 100000) {
			cli_errorf("invalid scale specifier: %s", v[i]);
			return CLI_USAGE;
		}
		for (j = 0; j < p->n_services; j++)
			if (strlen(p->services[j].name) ==
				    (size_t)(eq - v[i]) &&
			    !strncmp(p->services[j].name, v[i],
				     (size_t)(eq - v[i])))
				break;
		if (j == p->n_services) {
			cli_errorf("no such service: %.*s", (int)(eq - v[i]),
				   v[i]);
			return CLI_FAIL;
		}
		p->services[j].scale = (int)k;
	}
	return CLI_OK;
}

/*
 * --attach-dependencies: the logs of the services named and of what they
 * depend on (the plan's selection), as compose v2 attaches them.
 */
static char **up_attach_deps(const struct plan *p, size_t *n)
{
	char **v = xcalloc(p->n_services + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < p->n_services; i++)
		if (p->services[i].selected)
			v[(*n)++] = (char *)p->services[i].name;
	return v;
}

static int up_run(const struct up_opts *in);

int cmd_up(int argc, char **argv)
{
	struct up_opts o = {0};
	int rc = up_parse(&o, argc, argv);

	if (rc) {
		/* What the parse took (up_run frees it otherwise). */
		free(o.attach);
		free(o.no_attach);
		free(o.scales);
		return rc < 0 ? CLI_OK : rc;
	}
	return up_run(&o);
}

int cli_up_scale(char **scales, size_t n, bool no_deps)
{
	char **names = xcalloc(n + 1, sizeof(*names));
	struct up_opts o = {.detach = true,
			    .no_deps = no_deps,
			    .timeout_s = -1,
			    .progress = "auto",
			    .scales = scales,
			    .n_scales = n,
			    .services = names,
			    .n_services = n};
	int rc;

	for (size_t i = 0; i < n; i++)
		names[i] = xstrndup(scales[i], strcspn(scales[i], "="));
	rc = up_run(&o);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int up_run(const struct up_opts *in)
{
	struct up_opts o = *in;
	struct cli_session s;
	struct plan *p = NULL;
	volatile sig_atomic_t *stop;
	int rc;

	cli_signals_catch(&stop);
	rc = cli_session_open(&s,
			      CLI_SESSION_PROJECT | CLI_SESSION_ALL_DAEMONS);
	if (!rc)
		rc = up_check_names(&s, &o);
	if (!rc && o.watch)
		rc = cli_watch_check(s.project, o.services, o.n_services);
	if (!rc)
		rc = cli_scale_apply(s.project, o.scales, o.n_scales);
	if (!rc)
		rc = up_plan(&p, &s, &o, true);
	if (!rc) {
		const char **ids = NULL;

		/* Builds first; then the plan again, knowing the images. */
		rc = up_builds(&ids, &s, p, &o, stop);
		if (!rc && ids) {
			o.image_ids = ids;
			plan_free(p);
			p = NULL;
			rc = up_replan(&p, &s, &o);
		}
	}
	if (!rc)
		rc = up_networks(&p, &s, &o, stop);
	if (!rc)
		rc = up_converge(&p, &s, &o, stop);
	if (!rc && !o.detach && o.attach_deps && o.n_services)
		o.logs = up_attach_deps(p, &o.n_logs);
	if (!rc && !o.detach)
		rc = up_attached(&s, &o, stop);
	free(o.logs);
	free(o.attach);
	free(o.no_attach);
	if (o.scales_alloc) /* parsed; else the caller's */
		free(o.scales);
	plan_free(p);
	cli_session_close(&s);
	return rc;
}

int cmd_create(int argc, char **argv)
{
	return cmd_up(argc, argv);
}
