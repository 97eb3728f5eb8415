/*
 * mixcompose build: each service's image built by the daemon that runs
 * the service (a windows service's image by the windows daemon), all
 * daemons at once.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct build_opts {
	struct apply_up_opts up;
	struct compose_kv *args;
	size_t n_args;
	bool quiet;
	const char *progress;
	char **services;
	size_t n_services;
};

/* "K=V", or "K" taking its value from the environment (skipped if unset). */
static void add_arg(struct build_opts *o, const char *s)
{
	const char *eq = strchr(s, '=');
	struct compose_kv *kv;

	if (!eq && !getenv(s))
		return;
	o->args = xrealloc(o->args, (o->n_args + 1) * sizeof(*o->args));
	kv = &o->args[o->n_args++];
	memset(kv, 0, sizeof(*kv));
	kv->key = eq ? xstrndup(s, (size_t)(eq - s)) : xstrdup(s);
	kv->value = xstrdup(eq ? eq + 1 : getenv(s));
}

static int build_arg(void *obj, const char *v)
{
	add_arg(obj, v);
	return CLI_OK;
}

static int build_no_cache(void *obj, const char *v)
{
	struct build_opts *o = obj;

	(void)v;
	o->up.no_cache = true;
	return CLI_OK;
}

static int build_pull(void *obj, const char *v)
{
	struct build_opts *o = obj;

	(void)v;
	o->up.pull = true;
	return CLI_OK;
}

#define O struct build_opts
static const struct cli_opt build_opts_v[] = {
	{.lname = "build-arg", .kind = CLI_OPT_FN, .fn = build_arg,
	 .arg = "K=V", .help = "set a build argument (repeatable)",
	 .flags = CLI_OPT_REPEAT},
	CLI_FN(0, "no-cache", build_no_cache, NULL, "do not use the build cache"),
	CLI_FN(0, "pull", build_pull, NULL, "always pull the base images"),
	CLI_PROGRESS(O, progress),
	CLI_FLAG('q', "quiet", O, quiet, "no build output"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_build = {
	.name = "build",
	.args = "[SERVICE...]",
	.summary = "build the images of services with a build section",
	.desc = "Build each service's image on the daemon that runs it, for "
		"its\nplatform, all daemons at once.",
	.opts = build_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int build_parse(struct build_opts *o, int argc, char **argv)
{
	int n, rc;

	o->progress = "auto";
	rc = cli_opt_parse(&cli_spec_build, o, argc, argv, &n);
	if (rc)
		return rc;
	if (!cli_progress_mode_ok(o->progress))
		return CLI_USAGE;
	o->services = argv + 1;
	o->n_services = (size_t)n;
	return CLI_OK;
}

static int print_line(void *ud, const char *text)
{
	if (!*text)
		return 0;
	printf("%s | %s\n", (const char *)ud, text);
	fflush(stdout);
	return 0;
}

static int build_run(struct cli_session *s,
		     const struct plan *p,
		     struct build_opts *o,
		     volatile sig_atomic_t *stop)
{
	struct engine **engines = xcalloc(p->n_hosts + 1, sizeof(*engines));
	struct apply_jobs jobs;
	struct diag err = {0};
	int rc;

	for (size_t d = 0; d < p->n_hosts; d++)
		engines[d] = p->hosts[d].offline
				     ? NULL
				     : cli_session_engine(s, &p->hosts[d]);
	o->up.timeout_s = -1;
	o->up.build_args = o->args;
	o->up.n_build_args = o->n_args;
	o->up.build_out = o->quiet ? NULL : print_line;
	apply_jobs_init(&jobs);
	if (apply_build(&jobs, p, engines, &o->up, NULL, &err)) {
		cli_error(&err);
		rc = CLI_FAIL;
	} else {
		rc = cli_jobs_run(&jobs, o->quiet ? "quiet" : o->progress,
				  stop);
	}
	apply_jobs_release(&jobs);
	free(engines);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	struct build_opts o = {0};
	struct plan_options po = {.no_deps = true,
				  .build = PLAN_BUILD_OPT_ALWAYS};
	struct plan *plan = NULL;
	struct cli_session s;
	volatile sig_atomic_t *stop;
	int rc = build_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	cli_signals_catch(&stop);
	rc = cli_plan_open(&s, false);
	if (!rc)
		rc = cli_session_check_services(&s, o.services, o.n_services);
	if (!rc && !s.reachable) {
		cli_errorf("no daemon is reachable");
		rc = CLI_FAIL;
	}
	po.services = (const char *const *)o.services;
	po.n_services = o.n_services;
	if (!rc)
		rc = cli_plan_make(&plan, &s, &po, false);
	if (!rc)
		rc = build_run(&s, plan, &o, stop);
	plan_free(plan);
	cli_session_close(&s);
	for (size_t i = 0; i < o.n_args; i++) {
		free((char *)o.args[i].key);
		free((char *)o.args[i].value);
	}
	free(o.args);
	return rc;
}
