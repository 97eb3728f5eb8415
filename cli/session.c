/*
 * A command's session (the project, the registry and the state on every
 * daemon, every problem reported) and the start/stop/restart waves.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

static const char *session_project_name(struct cli_session *s)
{
	const char *n = cli_global.project_name;

	if (!n || !*n)
		n = getenv("COMPOSE_PROJECT_NAME");
	if (!n || !*n)
		return NULL;
	return compose_project_name_normalize(s->a, n);
}

static int session_project(struct cli_session *s, unsigned flags)
{
	if ((flags & CLI_SESSION_PROJECT) || cli_project_present()) {
		s->project = cli_project_load(flags & CLI_SESSION_QUIET);
		if (!s->project)
			return CLI_FAIL;
		s->project_name = s->project->name;
		return CLI_OK;
	}
	s->project_name = session_project_name(s);
	if ((!s->project_name || !*s->project_name) &&
	    !(flags & CLI_SESSION_DAEMONS)) {
		cli_errorf("no compose file found and no project name given "
			   "(-p NAME)");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* CLI_SESSION_DAEMONS: a host per daemon of the map, probed. */
static int session_daemons(struct cli_session *s)
{
	size_t n = engine_registry_count(s->reg), down = 0;

	engine_registry_probe_for(s->reg, 0);
	s->hosts = arena_calloc(s->a, n + 1, sizeof(*s->hosts));
	for (size_t i = 0; i < n; i++) {
		struct engine_daemon *d = engine_registry_at(s->reg, i);

		apply_state_host_init(&s->hosts[i], s->a, d);
		if (!s->hosts[i].offline)
			continue;
		fprintf(stderr, "warning: daemon '%s' %s: %s\n", d->name,
			engine_daemon_unusable(d),
			d->error ? d->error : "no answer");
		down++;
	}
	s->n_hosts = n;
	s->reachable = down < n;
	if (!s->reachable) {
		cli_errorf("no daemon is reachable");
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cli_session_open(struct cli_session *s, unsigned flags)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};
	int rc;

	memset(s, 0, sizeof(*s));
	s->a = arena_new();
	if (session_project(s, flags))
		return CLI_FAIL;
	if (cli_registry_build(&s->reg, s->project, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	if (flags & CLI_SESSION_NO_STATE)
		return CLI_OK;
	if (flags & CLI_SESSION_DAEMONS)
		return session_daemons(s);
	rc = apply_state_collect_ext(
		&s->hosts, &s->n_hosts, &s->ext, s->a, s->reg, s->project_name,
		((flags & CLI_SESSION_ALL_DAEMONS) ? APPLY_STATE_ALL_DAEMONS
						   : 0) |
			((flags & CLI_SESSION_CONTAINERS)
				 ? APPLY_STATE_CONTAINERS
				 : 0) |
			((flags & CLI_SESSION_NO_VOLUMES)
				 ? APPLY_STATE_NO_VOLUMES
				 : 0),
		&dl);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	if (rc && !(flags & CLI_SESSION_ANY)) {
		cli_errorf("no daemon is reachable");
		return CLI_FAIL;
	}
	s->reachable = !rc;
	return CLI_OK;
}

void cli_session_close(struct cli_session *s)
{
	engine_registry_free(s->reg);
	compose_project_free(s->project);
	arena_free(s->a);
	memset(s, 0, sizeof(*s));
}

int cli_session_check_services(const struct cli_session *s,
			       char *const *names,
			       size_t n)
{
	for (size_t i = 0; s->project && i < n; i++) {
		if (!compose_service_find(s->project, names[i])) {
			cli_errorf("no such service: %s", names[i]);
			return CLI_FAIL;
		}
	}
	return CLI_OK;
}

bool cli_names_has(char *const *names, size_t n, const char *name)
{
	return apply_names_has(names, n, name);
}

void cli_images_collect(struct cli_session *s, const char *pull)
{
	struct diag_list dl = DIAG_LIST_INIT;

	apply_images_collect(s->hosts, s->n_hosts, s->a, s->reg, s->project,
			     pull, &dl);
	for (size_t i = 0; i < dl.nr; i++)
		cli_error(&dl.items[i].d);
	diag_list_release(&dl);
}

const struct plan_host_container *
cli_session_container(const struct cli_session *s,
		      const char *service,
		      int index,
		      const struct plan_host **host)
{
	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (pc->oneoff || !pc->service ||
			    strcmp(pc->service, service) != 0 ||
			    pc->number != index)
				continue;
			*host = &s->hosts[h];
			return pc;
		}
	return NULL;
}

struct engine *cli_session_engine(struct cli_session *s,
				  const struct plan_host *h)
{
	struct engine_daemon *d = apply_state_daemon(s->reg, h);
	struct diag err = {0};
	struct engine *e;

	if (!d || h->offline)
		return NULL;
	e = engine_registry_engine(s->reg, d, &err);
	if (!e)
		cli_error(&err);
	return e;
}

/* ---- start, stop, restart ------------------------------------------------ */

/* Services a container waits for, from com.docker.compose.depends_on. */
static bool label_depends(const char *label, const char *svc)
{
	size_t n = strlen(svc);

	for (const char *p = label; p && *p;) {
		const char *end = strchr(p, ',');

		if (!strncmp(p, svc, n) &&
		    (p[n] == ':' || p[n] == ',' || !p[n]))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static const char *service_depends(const struct cli_session *s, const char *svc)
{
	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++)
			if (s->hosts[h].containers[c].service &&
			    !strcmp(s->hosts[h].containers[c].service, svc))
				return s->hosts[h].containers[c].depends_on;
	return NULL;
}

/* 0 for a service that waits for none of the project's; cycles cut at 64. */
static size_t
service_level(const struct cli_session *s, const char *svc, int depth)
{
	const char *dep = service_depends(s, svc);
	size_t lvl = 0;

	if (!dep || depth > 64)
		return 0;
	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const char *o = s->hosts[h].containers[c].service;
			size_t l;

			if (!o || !strcmp(o, svc) || !label_depends(dep, o))
				continue;
			l = service_level(s, o, depth + 1) + 1;
			if (l > lvl)
				lvl = l;
		}
	return lvl;
}

/* The label names 'svc' with restart true ("svc:COND:true"). */
static bool label_restarts(const char *label, const char *svc)
{
	size_t n = strlen(svc);

	for (const char *p = label; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > n + 5 && !strncmp(p, svc, n) && p[n] == ':' &&
		    !strncmp(p + len - 5, ":true", 5))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

char **cli_restart_dependents(const struct cli_session *s,
			      char *const *names,
			      size_t *n)
{
	size_t k = *n, alloc = 0;
	char **v = NULL;

	ALLOC_GROW(v, k + 1, alloc);
	for (size_t i = 0; i < k; i++)
		v[i] = names[i];
	for (size_t i = 0; i < k; i++) /* k grows: dependents of dependents */
		for (size_t h = 0; h < s->n_hosts; h++)
			for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
				const struct plan_host_container *pc =
					&s->hosts[h].containers[c];

				if (pc->oneoff || !pc->service ||
				    !pc->depends_on ||
				    cli_names_has(v, k, pc->service) ||
				    !label_restarts(pc->depends_on, v[i]))
					continue;
				ALLOC_GROW(v, k + 1, alloc);
				v[k++] = (char *)pc->service;
			}
	*n = k;
	return v;
}

static bool life_wanted(enum cli_life act, const struct plan_host_container *c)
{
	bool running = c->state && !strcmp(c->state, "running");

	if (c->oneoff)
		return false;
	if (act == CLI_LIFE_START)
		return !running;
	if (act == CLI_LIFE_STOP)
		return running || (c->state && !strcmp(c->state, "restarting"));
	return true;
}

static size_t life_jobs(struct cli_task **out,
			struct cli_session *s,
			enum cli_life act,
			char *const *services,
			size_t n)
{
	struct cli_task *v = NULL;
	size_t nj = 0, alloc = 0;

	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (!pc->service ||
			    !cli_names_has(services, n, pc->service) ||
			    !life_wanted(act, pc))
				continue;
			ALLOC_GROW(v, nj + 1, alloc);
			v[nj++] = (struct cli_task){
				.h = &s->hosts[h],
				.what = pc->name,
				.ref = pc->id,
				.level = (int)service_level(s, pc->service, 0)};
		}
	*out = v;
	return nj;
}

static void
start_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_start_async(l, e, t->ref, cli_task_done, t);
}

static void
stop_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_stop_async(l, e, t->ref, *(const int *)t->arg,
				    cli_task_done, t);
}

static void
restart_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_restart_async(l, e, t->ref, *(const int *)t->arg,
				       cli_task_done, t);
}

/* The waves: start in dependency order, stop in reverse. */
int cli_lifecycle(struct cli_session *s,
		  enum cli_life act,
		  char *const *services,
		  size_t n,
		  int timeout_s)
{
	static cli_task_start_fn *const one[] = {start_one, stop_one,
						 restart_one};
	static const char *const doing[] = {"Starting", "Stopping",
					    "Restarting"};
	static const char *const past[] = {"Started", "Stopped", "Restarted"};
	struct cli_tasks_opts o = {
		.kind = "Container",
		.doing = doing[act],
		.done = past[act],
		.reverse = act == CLI_LIFE_STOP,
		/* What depends on a failed start would fail too. */
		.stop_on_failure = act != CLI_LIFE_STOP,
	};
	struct cli_task *v = NULL;
	size_t nj = life_jobs(&v, s, act, services, n);
	int rc;

	for (size_t i = 0; i < nj; i++) {
		v[i].start = one[act];
		v[i].arg = &timeout_s;
	}
	rc = cli_tasks_run(s, v, nj, &o);
	free(v);
	return rc;
}
