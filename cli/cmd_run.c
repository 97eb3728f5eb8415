/*
 * `mixcompose run`: a one-off container of a service, as docker compose v2
 * makes it: on the service's daemon, after its dependencies (through the
 * same plan and jobs as `up`), named <project>-<service>-run-<slug>,
 * labelled oneoff=True; attached before it starts, so no output is lost,
 * and the exit status is the container's.
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct run_ctx {
	struct cli_session s;
	struct cli_run_opts o;
	struct plan *p;
	struct engine **engines;
	size_t ci; /* the service's container the one-off copies */
	char name[CLI_RUN_NAME_MAX];
	char slug[65];
	bool tty;
};

static int run_plan(struct run_ctx *c)
{
	const char *svc[1] = {c->o.service};
	struct plan_options po = {
		.services = svc,
		.n_services = 1,
		.no_deps = c->o.no_deps,
		.remove_orphans = c->o.remove_orphans,
		.default_platform = getenv("DOCKER_DEFAULT_PLATFORM"),
		.build = c->o.build ? PLAN_BUILD_OPT_ALWAYS
				    : PLAN_BUILD_OPT_DEFAULT,
	};
	const struct plan_service *ps;
	struct diag err = {0};
	size_t si;

	cli_plan_desktop_defaults(&po, c->s.a, c->s.project, c->s.reg);
	if (plan_build(&c->p, c->s.project, c->s.hosts, c->s.n_hosts, &po,
		       &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	si = plan_service_index(c->p, c->o.service);
	ps = &c->p->services[si];
	if (!ps->n_containers) {
		cli_errorf("service '%s' has no container to model a one-off "
			   "on (scale 0)",
			   c->o.service);
		return CLI_FAIL;
	}
	c->ci = ps->first_container;
	/* The service's own containers are not this command's business. */
	for (size_t k = 0; k < ps->n_containers; k++)
		c->p->containers[ps->first_container + k].action =
			PLAN_ACT_SKIP;
	for (size_t i = 0; i < c->p->n_services; i++)
		if (c->p->services[i].selected &&
		    c->p->hosts[c->p->services[i].daemon].offline) {
			cli_errorf("daemon '%s' is not reachable; it runs "
				   "'%s': nothing was started",
				   c->p->hosts[c->p->services[i].daemon].name,
				   c->p->services[i].name);
			return CLI_FAIL;
		}
	c->engines = xcalloc(c->p->n_hosts + 1, sizeof(*c->engines));
	for (size_t i = 0; i < c->p->n_hosts; i++)
		c->engines[i] =
			c->p->hosts[i].offline
				? NULL
				: cli_session_engine(&c->s, &c->p->hosts[i]);
	return CLI_OK;
}

/* A relative bind source is the project directory's, as in compose. */
static const char *const *run_volumes(struct run_ctx *c)
{
	const char **v = arena_calloc(c->s.a, c->o.n_volumes + 1, sizeof(*v));
	const char *dir = c->s.project->working_dir;

	for (size_t i = 0; i < c->o.n_volumes; i++) {
		const char *src = c->o.volumes[i];

		v[i] = src;
		if (dir && (!strncmp(src, "./", 2) || !strncmp(src, "../", 3) ||
			    !strncmp(src, ".:", 2)))
			v[i] = arena_sprintf(c->s.a, "%s/%s", dir, src);
	}
	return v;
}

static int run_oneoff_opts(struct apply_oneoff *oo,
			   struct run_ctx *c,
			   struct apply_publish **pubs)
{
	unsigned char rnd[32];
	struct diag err = {0};

	if (compat_random(rnd, sizeof(rnd))) {
		cli_errorf("cannot get random bytes for the container name");
		return CLI_FAIL;
	}
	cli_run_name(c->name, c->p->project_name, c->o.service, rnd, c->slug);
	*pubs = arena_calloc(c->s.a, c->o.n_publish + 1, sizeof(**pubs));
	for (size_t i = 0; i < c->o.n_publish; i++)
		cli_publish_parse(&(*pubs)[i], c->o.publish[i]);
	memset(oo, 0, sizeof(*oo));
	oo->name = c->o.name ? c->o.name : c->name;
	oo->slug = c->slug;
	if (c->o.argc)
		oo->cmd = (struct compose_strv){(const char **)c->o.argv,
						c->o.argc};
	if (c->o.entrypoint &&
	    compose_shell_split(&oo->entrypoint, c->s.a, c->o.entrypoint, NULL,
				&err)) {
		cli_errorf("run: --entrypoint: %s", err.msg);
		return CLI_USAGE;
	}
	if (c->o.entrypoint && !oo->entrypoint.v) /* "" clears it */
		oo->entrypoint.v = arena_calloc(c->s.a, 1, sizeof(char *));
	oo->env = c->o.env;
	oo->n_env = c->o.n_env;
	oo->labels = c->o.labels;
	oo->n_labels = c->o.n_labels;
	oo->volumes = run_volumes(c);
	oo->n_volumes = c->o.n_volumes;
	oo->publish = *pubs;
	oo->n_publish = c->o.n_publish;
	oo->user = c->o.user;
	oo->workdir = c->o.workdir;
	oo->tty = c->tty;
	oo->interactive = c->o.interactive && !c->o.detach;
	oo->auto_remove = c->o.rm && !c->o.detach;
	oo->service_ports = c->o.service_ports;
	oo->cap_add = c->o.cap_add;
	oo->n_cap_add = c->o.n_cap_add;
	oo->cap_drop = c->o.cap_drop;
	oo->n_cap_drop = c->o.n_cap_drop;
	oo->use_aliases = c->o.use_aliases;
	oo->quiet_pull = c->o.quiet_pull;
	return CLI_OK;
}

/* Dependencies, networks, images, then the one-off's create. */
static int
run_create(struct run_ctx *c, volatile sig_atomic_t *stop, char id[96])
{
	struct apply_oneoff oo;
	struct apply_publish *pubs;
	struct apply_jobs jobs;
	struct diag err = {0};
	size_t job = 0;
	int rc = run_oneoff_opts(&oo, c, &pubs);

	if (rc)
		return rc;
	apply_jobs_init(&jobs);
	if (apply_run(&jobs, c->p, c->engines, c->ci, &oo, &job, &err)) {
		cli_error(&err);
		rc = CLI_FAIL;
	} else {
		rc = cli_jobs_run(&jobs, "auto", stop);
		snprintf(id, 96, "%s", jobs.v[job].id);
	}
	apply_jobs_release(&jobs);
	return rc;
}

/*
 * A Windows engine ignores ExtraHosts: the block goes in by exec right
 * after the start, as `up` does it.
 */
static void run_hosts(struct run_ctx *c, struct engine *e, const char *id)
{
	const struct plan_container *ct = &c->p->containers[c->ci];
	struct diag err = {0};
	int code = 0;

	if (ct->hosts_mech != PLAN_HOSTS_EXEC || !ct->hosts_exec.v)
		return;
	if (engine_exec_run(e, id, ct->hosts_exec.v, ct->hosts_exec_user, &code,
			    NULL, &err) ||
	    code)
		fprintf(stderr,
			"warning: the hosts block of %s was not written: "
			"%s\n",
			c->o.name ? c->o.name : c->name,
			err.msg[0] ? err.msg : "the exec failed");
}

static int run_attached(struct run_ctx *c, struct engine *e, const char *id)
{
	struct cli_stream st = {.e = e,
				.container_id = id,
				.tty = c->tty,
				.with_stdin = c->o.interactive};
	struct engine_waiter *w = NULL;
	struct engine_hijack *hj = NULL;
	struct diag err = {0};
	int code = 0, rc;

	/* Before the start: a quick exit (and --rm) must not go unseen. */
	rc = engine_container_wait_begin(
		&w, e, id, c->o.rm ? "removed" : "next-exit", &err);
	if (!rc)
		rc = engine_container_attach(&hj, e, id, c->tty,
					     c->o.interactive, NULL, &err);
	if (!rc)
		rc = engine_container_start(e, id, &err);
	if (!rc) {
		run_hosts(c, e, id);
		rc = cli_stream_run(&st, hj, &err);
	}
	engine_hijack_free(hj);
	if (!rc)
		rc = engine_waiter_finish(w, &code, &err);
	else
		engine_waiter_free(w);
	if (rc == DIAG_EINTR)
		return cli_signal_status();
	if (rc) {
		cli_error(&err);
		return CLI_FAIL;
	}
	return code;
}

static int run_detached(struct run_ctx *c, struct engine *e, const char *id)
{
	struct diag err = {0};

	if (engine_container_start(e, id, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	run_hosts(c, e, id);
	printf("%s\n", id);
	return CLI_OK;
}

static int run_body(struct run_ctx *c, volatile sig_atomic_t *stop)
{
	char *names[1] = {(char *)c->o.service};
	char id[96] = "";
	struct engine *e;
	int rc;

	if (c->o.detach)
		c->tty = !c->o.no_tty && compat_isatty(STDOUT_FILENO);
	else if (cli_tty_decide(&c->tty, c->o.no_tty, c->o.interactive))
		return CLI_FAIL;
	rc = cli_session_open(&c->s,
			      CLI_SESSION_PROJECT | CLI_SESSION_ALL_DAEMONS);
	if (!rc)
		rc = cli_session_check_services(&c->s, names, 1);
	if (!rc)
		rc = run_plan(c);
	if (!rc)
		rc = run_create(c, stop, id);
	if (rc)
		return rc;
	e = c->engines[c->p->containers[c->ci].daemon];
	return c->o.detach ? run_detached(c, e, id) : run_attached(c, e, id);
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx c;
	volatile sig_atomic_t *stop;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = cli_run_parse(&c.o, argc, argv);
	if (rc) {
		cli_run_opts_release(&c.o);
		return rc < 0 ? CLI_OK : rc;
	}
	/* A dry run starts nothing to attach to. */
	if (cli_global.dry_run)
		c.o.detach = true;
	cli_signals_catch(&stop);
	rc = run_body(&c, stop);
	free(c.engines);
	plan_free(c.p);
	cli_session_close(&c.s);
	cli_run_opts_release(&c.o);
	return rc;
}
