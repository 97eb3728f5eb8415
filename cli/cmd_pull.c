/*
 * mixcompose pull: each service's image on the daemon that runs it, for
 * its platform, all daemons at once.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct pull_job {
	const char *image;
	const char *platform; /* NULL: the daemon's own */
	const struct plan_host *h;
	const char *services; /* "api, web" */
	/* pull_policy missing/if_not_present on a tag other than latest */
	bool if_missing;
	bool present;
	char doing[96]; /* "Pulling for linux/amd64" */
};

struct pull_opts {
	bool ignore;
	bool quiet;
	bool ignore_buildable; /* --ignore-buildable */
	bool include_deps;     /* --include-deps */
	const char *policy;    /* --policy, or NULL */
};

#define O struct pull_opts
static const struct cli_opt pull_opts_v[] = {
	CLI_FLAG(0,
		 "ignore-pull-failures",
		 O,
		 ignore,
		 "report failures, exit 0"),
	/* compose v2: pull --policy takes these two only. */
	{.lname = "policy",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(O, policy),
	 .arg = "missing|always",
	 .choices = "missing|always",
	 .help = "the pull policy of every service"},
	CLI_FLAG('q', "quiet", O, quiet, "no progress lines"),
	CLI_FLAG(0,
		 "ignore-buildable",
		 O,
		 ignore_buildable,
		 "skip the services that have a build section"),
	CLI_FLAG(0,
		 "include-deps",
		 O,
		 include_deps,
		 "also pull the services the ones named depend on"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_pull = {
	.name = "pull",
	.args = "[SERVICE...]",
	.summary = "pull the images on their daemons",
	.desc = "Pull each service's image on the daemon that runs it, for "
		"its\nplatform, all daemons at once.",
	.opts = pull_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int
pull_parse(struct pull_opts *o, char ***names, size_t *n, int argc, char **argv)
{
	int nargs, rc = cli_opt_parse(&cli_spec_pull, o, argc, argv, &nargs);

	*names = argv + 1;
	*n = (size_t)nargs;
	return rc;
}

/*
 * A lab stand-in pulls for the OS its engine really runs: the declared
 * one would name images it cannot run.
 */
static const char *pull_platform(struct arena *a,
				 const struct plan *p,
				 const struct plan_service *ps)
{
	const struct plan_host *h = &p->hosts[ps->daemon];
	const char *slash;

	if (!ps->platform || !h->lab || !h->engine_os)
		return ps->platform;
	slash = strchr(ps->platform, '/');
	return slash ? arena_sprintf(a, "%s%s", h->engine_os, slash)
		     : h->engine_os;
}

/* "x", "x:latest", "reg:5000/x": a tag that is expected to move. */
static bool latest_tag(const char *ref)
{
	const char *last = strrchr(ref, '/'), *colon;

	if (strchr(ref, '@'))
		return false;
	colon = strchr(last ? last : ref, ':');
	return !colon || !strcmp(colon + 1, "latest");
}

/*
 * compose v2's `pull` rules: no policy pulls; never and build are
 * skipped; missing and if_not_present skip a present image unless its
 * tag is latest; always and the refresh windows (daily, ...) pull, since
 * an explicit pull is due now.  Returns false to skip; sets '*if_missing'.
 */
static bool pull_wanted(const char *pol, const char *ref, bool *if_missing)
{
	enum plan_pull_policy kind;
	long long every;

	*if_missing = false;
	if (!pol)
		return true;
	if (plan_pull_policy_parse(&kind, &every, pol))
		return true;
	if (kind == PLAN_POLICY_NEVER || kind == PLAN_POLICY_BUILD)
		return false;
	*if_missing = kind == PLAN_POLICY_MISSING && strcmp(pol, "refresh") &&
		      !latest_tag(ref);
	return true;
}

/*
 * compose v2's selection: the services named (all when none is), with
 * --include-deps what they depend on too (the plan's selection); with
 * --ignore-buildable none that has a build section.
 */
static bool pull_selected(const struct plan_service *ps,
			  const struct pull_opts *o,
			  char *const *names,
			  size_t n)
{
	if (o->ignore_buildable && ps->svc->build)
		return false;
	return o->include_deps ? ps->selected
			       : cli_names_has(names, n, ps->name);
}

/* One job per (image, platform, daemon), naming the services sharing it. */
static size_t pull_jobs(struct pull_job **out,
			struct cli_session *s,
			const struct plan *p,
			const struct pull_opts *o,
			char *const *names,
			size_t n)
{
	const char *policy = o->policy;

	struct pull_job *v = xcalloc(p->n_services + 1, sizeof(*v));
	size_t nj = 0;

	for (size_t i = 0; i < p->n_services; i++) {
		const struct plan_service *ps = &p->services[i];
		const char *plat = pull_platform(s->a, p, ps);
		size_t k;

		const char *pol = policy ? policy : ps->svc->pull_policy;
		bool if_missing;

		if (!ps->svc->image || !pull_selected(ps, o, names, n) ||
		    !pull_wanted(pol, ps->svc->image, &if_missing))
			continue;
		for (k = 0; k < nj; k++)
			if (!strcmp(v[k].image, ps->svc->image) &&
			    v[k].h == &p->hosts[ps->daemon] &&
			    !strcmp(v[k].platform ? v[k].platform : "",
				    plat ? plat : ""))
				break;
		if (k < nj) {
			v[k].services = arena_sprintf(s->a, "%s, %s",
						      v[k].services, ps->name);
			continue;
		}
		v[nj].image = ps->svc->image;
		v[nj].platform = plat;
		v[nj].h = &p->hosts[ps->daemon];
		v[nj].if_missing = if_missing;
		v[nj++].services = ps->name;
	}
	*out = v;
	return nj;
}

static void inspect_done(void *ud,
			 int rc,
			 const struct engine_image_info *info,
			 const struct diag *err)
{
	struct cli_task *t = ud;

	(void)info;
	((struct pull_job *)t->ud)->present = !rc;
	cli_task_done(t, rc, err);
}

static void
inspect_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_image_inspect_async(l, e, t->ref, inspect_done, t);
}

static void
pull_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	const struct pull_job *j = t->ud;

	engine_image_pull_async(l, e, t->ref, j->platform, NULL, NULL,
				cli_task_done, t);
}

static int pull_run(struct cli_session *s,
		    struct pull_job *v,
		    size_t nj,
		    bool quiet,
		    bool ignore)
{
	/* pull_policy missing: an image that is there already is left alone. */
	struct cli_tasks_opts probe = {.quiet = true, .probe = true};
	struct cli_tasks_opts pull = {
		.done = "Pulled", .quiet = quiet, .warn = ignore};
	struct cli_task *t = xcalloc(nj + 1, sizeof(*t));
	int rc;

	for (size_t i = 0; i < nj; i++)
		t[i] = (struct cli_task){.h = v[i].h,
					 .what = v[i].services,
					 .detail = v[i].image,
					 .start = inspect_one,
					 .ref = v[i].image,
					 .ud = &v[i],
					 .skip = !v[i].if_missing};
	cli_tasks_run(s, t, nj, &probe);
	for (size_t i = 0; i < nj; i++) {
		snprintf(v[i].doing, sizeof(v[i].doing), "Pulling%s%s",
			 v[i].platform ? " for " : "",
			 v[i].platform ? v[i].platform : "");
		t[i] = (struct cli_task){.h = v[i].h,
					 .what = v[i].services,
					 .detail = v[i].image,
					 .doing = v[i].doing,
					 .start = pull_one,
					 .ref = v[i].image,
					 .ud = &v[i],
					 .skip = v[i].present};
		if (v[i].present && !quiet)
			fprintf(stderr,
				" %s (%s): %s  Skipped "
				"(present, pull_policy: missing)\n",
				v[i].services, v[i].h->name, v[i].image);
	}
	rc = cli_tasks_run(s, t, nj, &pull);
	free(t);
	return rc;
}

int cmd_pull(int argc, char **argv)
{
	struct pull_opts o = {0};
	struct plan *plan = NULL;
	struct pull_job *v = NULL;
	struct cli_session s;
	char **names;
	size_t n;
	int rc = pull_parse(&o, &names, &n, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_plan_selected(&plan, &s, names, n);
	if (!rc) {
		size_t nj = pull_jobs(&v, &s, plan, &o, names, n);

		rc = pull_run(&s, v, nj, o.quiet, o.ignore);
	}
	free(v);
	plan_free(plan);
	cli_session_close(&s);
	return rc;
}
