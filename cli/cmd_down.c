/*
 * `mixcompose down`: stop and remove the project's containers on every
 * daemon in reverse dependency order, then its networks (and volumes with
 * -v).  The plan comes from the labels alone, so it works without the
 * compose file when -p names the project.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

enum down_rmi {
	DOWN_RMI_NONE,
	DOWN_RMI_LOCAL, /* images without a custom tag: <project>-<service> */
	DOWN_RMI_ALL,	/* every image the project's containers use */
};

struct down_opts {
	enum down_rmi rmi;
	bool volumes;
	bool remove_orphans;
	int timeout_s;
	const char *progress;
};

static int down_rmi(void *obj, const char *v)
{
	struct down_opts *o = obj;

	o->rmi = !strcmp(v, "local") ? DOWN_RMI_LOCAL : DOWN_RMI_ALL;
	return CLI_OK;
}

#define O struct down_opts
static const struct cli_opt down_opts_v[] = {
	CLI_FLAG('v',
		 "volumes",
		 O,
		 volumes,
		 "remove the project's named volumes too"),
	{.lname = "rmi",
	 .kind = CLI_OPT_FN,
	 .fn = down_rmi,
	 .arg = "local|all",
	 .choices = "local|all",
	 .help = "then remove the images: 'local' only those\n"
		 "without a custom tag (<project>-<service>), 'all'\n"
		 "every image the containers used"},
	CLI_FLAG(0,
		 "remove-orphans",
		 O,
		 remove_orphans,
		 "remove containers of services not in the file"),
	CLI_SECONDS('t', "timeout", O, timeout_s, "stop timeout in seconds"),
	CLI_PROGRESS(O, progress),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_down = {
	.name = "down",
	.summary = "stop and remove the project's containers",
	.desc = "Stop and remove the project's containers and networks on "
		"every daemon.\n"
		"Without a compose file, -p NAME finds them by their labels.",
	.opts = down_opts_v,
};

static int down_parse(struct down_opts *o, int argc, char **argv)
{
	int n, rc;

	o->timeout_s = -1;
	o->progress = "auto";
	rc = cli_opt_parse(&cli_spec_down, o, argc, argv, &n);
	if (rc)
		return rc;
	if (!cli_progress_mode_ok(o->progress))
		return CLI_USAGE;
	return CLI_OK;
}

/* The engines of the hosts; an unreachable one is NULL and reported. */
static struct engine **down_engines(struct cli_session *s, bool *missing)
{
	struct engine **v = xcalloc(s->n_hosts + 1, sizeof(*v));

	for (size_t i = 0; i < s->n_hosts; i++) {
		if (!s->hosts[i].offline)
			v[i] = cli_session_engine(s, &s->hosts[i]);
		if (!v[i]) {
			cli_errorf("daemon '%s' is not reachable: what the "
				   "project has there is left in place",
				   s->hosts[i].name);
			*missing = true;
		}
	}
	return v;
}

/* True when 'ref' is "<project>-<service>", with or without ":latest". */
static bool
default_image(const char *ref, const char *project, const char *service)
{
	size_t np = strlen(project), ns;

	if (!service)
		return false;
	ns = strlen(service);
	return !strncmp(ref, project, np) && ref[np] == '-' &&
	       !strncmp(ref + np + 1, service, ns) &&
	       (!ref[np + 1 + ns] || !strcmp(ref + np + 1 + ns, ":latest"));
}

/*
 * --rmi: the images of the containers that state found, once per daemon,
 * after the containers are gone (compose v2 removes them last too).
 */
static size_t add_image_removals(struct apply_jobs *jobs,
				 const struct cli_session *s,
				 struct engine *const *engines,
				 enum down_rmi rmi)
{
	size_t added = 0;

	for (size_t d = 0; d < s->n_hosts; d++) {
		const struct plan_host *h = &s->hosts[d];

		for (size_t i = 0; engines[d] && i < h->n_containers; i++) {
			const struct plan_host_container *c = &h->containers[i];
			bool seen = false;

			if (!c->image || !*c->image ||
			    (rmi == DOWN_RMI_LOCAL &&
			     !default_image(c->image, s->project_name,
					    c->service)))
				continue;
			for (size_t k = 0; k < i && !seen; k++)
				seen = h->containers[k].image &&
				       !strcmp(h->containers[k].image,
					       c->image);
			if (seen)
				continue;
			apply_jobs_add_image_remove(jobs, engines[d], c->image,
						    h->name);
			added++;
		}
	}
	return added;
}

static int down_run(struct cli_session *s,
		    const struct down_opts *o,
		    volatile sig_atomic_t *stop)
{
	struct plan_down_options po = {.remove_volumes = o->volumes,
				       .remove_orphans = o->remove_orphans,
				       .project = s->project};
	struct apply_down_opts ao = {.timeout_s = o->timeout_s,
				     .project = s->project,
				     .remove_volumes = o->volumes};
	struct plan_down *d = NULL;
	struct engine **engines;
	struct apply_jobs jobs;
	struct diag err = {0};
	bool missing = false;
	int rc;

	if (plan_build_down(&d, s->project_name, s->hosts, s->n_hosts, &po,
			    &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	for (size_t i = 0; i < d->orphan_warnings.n; i++)
		fprintf(stderr,
			"warning: found orphan container %s; run with "
			"--remove-orphans to remove it\n",
			d->orphan_warnings.v[i]);
	engines = down_engines(s, &missing);
	apply_jobs_init(&jobs);
	apply_down(&jobs, d, engines, &ao);
	rc = cli_jobs_run(&jobs, o->progress, stop);
	apply_jobs_release(&jobs);
	if (!rc && o->rmi != DOWN_RMI_NONE) {
		apply_jobs_init(&jobs);
		if (add_image_removals(&jobs, s, engines, o->rmi))
			rc = cli_jobs_run(&jobs, o->progress, stop);
		apply_jobs_release(&jobs);
	}
	free(engines);
	plan_down_free(d);
	return rc ? rc : missing ? CLI_FAIL : CLI_OK;
}

int cli_down_project(struct cli_session *s, volatile sig_atomic_t *stop)
{
	struct down_opts o = {
		.timeout_s = -1, .progress = "auto", .remove_orphans = true};
	struct diag_list dl = DIAG_LIST_INIT;

	/* The containers stopped meanwhile: what is there now. */
	apply_state_collect_ext(&s->hosts, &s->n_hosts, &s->ext, s->a, s->reg,
				s->project_name, APPLY_STATE_ALL_DAEMONS, &dl);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	return down_run(s, &o, stop);
}

int cmd_down(int argc, char **argv)
{
	struct down_opts o = {0};
	struct cli_session s;
	volatile sig_atomic_t *stop;
	int rc;

	rc = down_parse(&o, argc, argv);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	cli_signals_catch(&stop);
	rc = cli_session_open(&s, CLI_SESSION_ALL_DAEMONS);
	if (!rc)
		rc = down_run(&s, &o, stop);
	cli_session_close(&s);
	return rc;
}
