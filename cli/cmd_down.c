/*
 * `mixcompose down`: stop and remove the project's containers on every
 * daemon in reverse dependency order, then at once its networks, its
 * volumes (-v) and its images (--rmi), in one job run; what something
 * else still uses stays, with a warning (apply_down).  The plan comes from
 * the labels alone, so it works without the compose file when -p names
 * the project.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

enum down_rmi {
	DOWN_RMI_NONE,
	DOWN_RMI_LOCAL, /* the images compose built for the project */
	DOWN_RMI_ALL,	/* those and every service's image: */
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
	 .help = "then remove the images: 'local' those built\n"
		 "for the project, 'all' those and every service's\n"
		 "image: (each on its service's daemon)"},
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

/*
 * The services as --rmi sees them, each with the daemon the plan sends it
 * to: those of the compose file (routed as `plan` would, offline), else,
 * as compose v2 makes a project of the containers, one per service and
 * daemon of the containers found, with the image they run.
 */
static bool rmi_seen(const struct apply_rmi_service *v,
		     size_t n,
		     const char *service,
		     size_t d)
{
	for (size_t k = 0; k < n; k++)
		if (v[k].host == d && !strcmp(v[k].name, service))
			return true;
	return false;
}

/* Without a compose file: one per service and daemon of the containers. */
static size_t rmi_services_of_containers(struct apply_rmi_service **out,
					 const struct cli_session *s)
{
	struct apply_rmi_service *v;
	size_t n = 0;

	for (size_t d = 0; d < s->n_hosts; d++)
		n += s->hosts[d].n_containers;
	*out = v = arena_calloc(s->a, n + 1, sizeof(*v));
	n = 0;
	for (size_t d = 0; d < s->n_hosts; d++) {
		for (size_t i = 0; i < s->hosts[d].n_containers; i++) {
			const struct plan_host_container *c =
				&s->hosts[d].containers[i];

			if (!c->service || rmi_seen(v, n, c->service, d))
				continue;
			v[n++] = (struct apply_rmi_service){
				c->service,
				c->image && *c->image ? c->image : NULL, d};
		}
	}
	return n;
}

static int rmi_services(struct apply_rmi_service **out,
			size_t *n_out,
			struct cli_session *s)
{
	struct plan_options po = {.offline = true};
	struct apply_rmi_service *v;
	struct plan *p = NULL;

	if (!s->project) {
		*n_out = rmi_services_of_containers(out, s);
		return CLI_OK;
	}
	if (cli_plan_make(&p, s, &po, false))
		return CLI_FAIL;
	v = arena_calloc(s->a, p->n_services + 1, sizeof(*v));
	for (size_t i = 0; i < p->n_services; i++)
		v[i] = (struct apply_rmi_service){
			arena_strdup(s->a, p->services[i].name),
			p->services[i].svc->image, p->services[i].daemon};
	*out = v;
	*n_out = p->n_services;
	plan_free(p);
	return CLI_OK;
}

/*
 * --rmi: what apply_rmi_select picks, each on its daemon, into 'ao'; the
 * removals go with the networks' and volumes' (compose v2: one errgroup
 * after the containers).
 */
static int rmi_images(struct apply_down_opts *ao,
		      struct cli_session *s,
		      struct engine *const *engines,
		      const struct down_opts *o)
{
	struct apply_rmi_opts ro = {.all = o->rmi == DOWN_RMI_ALL,
				    .orphans = o->remove_orphans};
	struct diag_list dl = DIAG_LIST_INIT;
	struct apply_rmi_service *sv;
	struct apply_rmi_image *v;
	size_t n;
	int rc = rmi_services(&sv, &n, s);

	if (rc)
		return rc;
	ao->n_images = apply_rmi_select(&v, s->a, s->project_name, sv, n,
					engines, s->n_hosts, &ro, &dl);
	ao->images = v;
	rc = dl.errors ? CLI_FAIL : CLI_OK;
	cli_print_diags(&dl);
	diag_list_release(&dl);
	return rc;
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
	int rc = CLI_OK, jrc;

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
	if (o->rmi != DOWN_RMI_NONE)
		rc = rmi_images(&ao, s, engines, o);
	apply_jobs_init(&jobs);
	apply_down(&jobs, d, engines, &ao);
	/*
	 * As compose v2 says it when a project known only by its name (no
	 * compose file) has left nothing; with a file it always has a network
	 * to look for, and says nothing.
	 */
	if (!jobs.n && !missing && !s->project)
		fprintf(stderr,
			"warning: no resource found to remove for project "
			"\"%s\"\n",
			s->project_name);
	jrc = cli_jobs_run(&jobs, o->progress, stop);
	rc = jrc ? jrc : rc;
	apply_jobs_release(&jobs);
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
