/*
 * mixcompose push: each built service's image (and its build.tags) pushed
 * to its registry from the daemon that builds and runs the service, all
 * daemons at once, as compose v2 pushes them.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct push_opts {
	bool ignore;	   /* --ignore-push-failures */
	bool include_deps; /* --include-deps */
	bool quiet;	   /* -q */
};

#define O struct push_opts
static const struct cli_opt push_opts_v[] = {
	CLI_FLAG(0,
		 "ignore-push-failures",
		 O,
		 ignore,
		 "push what can be pushed, report failures, exit 0"),
	CLI_FLAG(0,
		 "include-deps",
		 O,
		 include_deps,
		 "also push the images of the services the ones named\n"
		 "depend on"),
	CLI_FLAG('q', "quiet", O, quiet, "no progress lines"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_push = {
	.name = "push",
	.args = "[SERVICE...]",
	.summary = "push the services' images from their daemons",
	.desc = "Push the image (and build.tags) of each service that has "
		"both image and\nbuild, from the daemon that runs it, all "
		"daemons at once.",
	.opts = push_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static void
push_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_image_push_async(l, e, t->ref, NULL, NULL, cli_task_done, t);
}

/*
 * The task of pushing 'ref' for service 'ps' from its daemon, in wave
 * 'level'.  The build.tags of one image go one after another, after the
 * image: they share its layers, and a registry that gets two uploads of
 * one layer at once may fail one of them (Debian 12's docker-registry
 * answered 500 so in a CI run); after the first, a push of another tag
 * only finds its layers there.
 */
static void push_task(struct cli_task **v,
		      size_t *n,
		      size_t *alloc,
		      const struct plan *p,
		      const struct plan_service *ps,
		      const char *ref,
		      int level)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = (struct cli_task){.h = &p->hosts[ps->daemon],
					 .what = ps->name,
					 .detail = ref,
					 .start = push_one,
					 .ref = ref,
					 .level = level};
}

/*
 * compose v2's selection: the services named (all when none is), with
 * --include-deps their dependencies too; one task per image and tag of a
 * service that has both image and build, "Skipped" for the others.
 */
static size_t push_tasks(struct cli_task **out,
			 const struct plan *p,
			 const struct push_opts *o,
			 char *const *names,
			 size_t n)
{
	struct cli_task *v = NULL;
	size_t nt = 0, alloc = 0;

	for (size_t i = 0; i < p->n_services; i++) {
		const struct plan_service *ps = &p->services[i];
		const struct compose_service *svc = ps->svc;

		if (o->include_deps ? !ps->selected
				    : !cli_names_has(names, n, ps->name))
			continue;
		if (!svc->build || !svc->image) {
			if (!o->quiet)
				fprintf(stderr, " %s%s (%s)  Skipped\n",
					engine_dry_run() ? CLI_DRY_PREFIX : "",
					ps->name, p->hosts[ps->daemon].name);
			continue;
		}
		push_task(&v, &nt, &alloc, p, ps, svc->image, 0);
		for (size_t k = 0; k < svc->build->tags.n; k++)
			push_task(&v, &nt, &alloc, p, ps, svc->build->tags.v[k],
				  (int)k + 1);
	}
	*out = v;
	return nt;
}

int cmd_push(int argc, char **argv)
{
	struct push_opts o = {0};
	struct cli_tasks_opts to = {0};
	struct plan *plan = NULL;
	struct cli_task *t = NULL;
	struct cli_session s;
	int nargs, rc = cli_opt_parse(&cli_spec_push, &o, argc, argv, &nargs);
	char **names = argv + 1;
	size_t n = (size_t)nargs;

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	rc = cli_plan_selected(&plan, &s, names, n);
	if (!rc) {
		size_t nt = push_tasks(&t, plan, &o, names, n);

		to.doing = "Pushing";
		to.done = "Pushed";
		to.quiet = o.quiet;
		to.warn = o.ignore;
		rc = cli_tasks_run(&s, t, nt, &to);
	}
	free(t);
	plan_free(plan);
	cli_session_close(&s);
	return rc;
}
