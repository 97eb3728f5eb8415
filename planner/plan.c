/* plan_build(): the stages in order, and the plan's small accessors. */
#include "planner/planner_int.h"

#include <string.h>

#include "util/xalloc.h"

size_t plan_service_index(const struct plan *p, const char *name)
{
	const struct compose_service *s;

	/*
	 * The plan's services are the project's, in its order (by name), so
	 * the project's binary search finds the index; a plan made otherwise
	 * (a test's) is searched in full.  Each edge of the graph looks its
	 * service up: a linear search made it quadratic.
	 */
	if (name && p->project && p->n_services == p->project->n_services &&
	    (s = compose_service_find(p->project, name))) {
		size_t i = (size_t)(s - p->project->services);

		if (p->services[i].svc == s)
			return i;
	}
	for (size_t i = 0; name && i < p->n_services; i++)
		if (!strcmp(p->services[i].name, name))
			return i;
	return PLAN_NONE;
}

size_t
plan_host_index(const struct plan_host *hosts, size_t n_hosts, const char *name)
{
	for (size_t i = 0; name && i < n_hosts; i++)
		if (hosts[i].name && !strcmp(hosts[i].name, name))
			return i;
	return PLAN_NONE;
}

const char *plan_action_name(enum plan_action a)
{
	static const char *const names[] = {"create", "recreate", "keep",
					    "start",  "remove",	  "skip",
					    "restart"};

	return (size_t)a < ARRAY_SIZE(names) ? names[a] : "?";
}

const char *plan_dep_kind_name(enum plan_dep_kind k)
{
	static const char *const names[] = {"depends_on", "links",
					    "network_mode", "volumes_from"};

	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

const char *plan_pull_name(enum plan_pull k)
{
	static const char *const names[] = {"missing", "always", "never",
					    "build", "none"};

	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

static void resolve_options(struct plan *p,
			    const struct compose_project *proj,
			    const struct plan_options *o)
{
	const struct compose_mix *mix = &proj->mix;

	p->address_mode = o->address_mode;
	if (p->address_mode == PLAN_ADDR_DEFAULT)
		p->address_mode =
			mix->address_mode && !strcmp(mix->address_mode, "host")
				? PLAN_ADDR_HOST
				: PLAN_ADDR_CONTAINER;
	p->host_address = o->host_address ? o->host_address : mix->host_address;
	p->address_pool = o->address_pool     ? o->address_pool
			  : mix->address_pool ? mix->address_pool
					      : PLAN_DEFAULT_POOL;
}

static int
check_hosts(const struct plan_host *hosts, size_t n, struct diag *err)
{
	if (!n)
		return diag_set(err, DIAG_EPLAN, NULL, "no daemon to plan for");
	for (size_t i = 0; i < n; i++) {
		if (!hosts[i].name || !plan_hosts_name_ok(hosts[i].name))
			return diag_set(err, DIAG_EPLAN, NULL,
					"daemon name '%s' is not valid",
					hosts[i].name ? hosts[i].name : "");
		if (plan_host_index(hosts, i, hosts[i].name) != PLAN_NONE)
			return diag_set(err, DIAG_EPLAN, NULL,
					"daemon '%s' is given twice",
					hosts[i].name);
	}
	return 0;
}

static int stages(struct plan_ctx *c, struct diag *err)
{
	int rc;

	if (!(rc = plan_route(c, err)))
		plan_builds(c);
	if (rc || (rc = plan_graph(c, err)) || (rc = plan_networks(c, err)) ||
	    (rc = plan_volumes(c, err)) || (rc = plan_containers(c, err)) ||
	    (rc = plan_addresses(c, err)))
		return rc;
	plan_containers_finish(c);
	/* Host entries before convergence: their hash is compared there. */
	if ((rc = plan_hosts(c, err)) || (rc = plan_converge(c, err)) ||
	    (rc = plan_pull(c, err)))
		return rc;
	plan_graph_warnings(c);
	return 0;
}

int plan_build(struct plan **out,
	       const struct compose_project *project,
	       const struct plan_host *hosts,
	       size_t n_hosts,
	       const struct plan_options *opts,
	       struct diag *err)
{
	struct plan_ctx c = {0};
	struct plan *p;
	int rc;

	*out = NULL;
	if ((rc = check_hosts(hosts, n_hosts, err)))
		return rc;
	c.opts = opts ? opts : &c.defaults;
	c.proj = project;
	{
		struct arena *a = arena_new();

		p = arena_alloc(a, sizeof(*p));
		p->arena = a;
	}
	c.p = p;
	p->project = project;
	p->project_name = project->name ? project->name : "project";
	p->hosts = arena_calloc(p->arena, n_hosts, sizeof(*p->hosts));
	memcpy(p->hosts, hosts, n_hosts * sizeof(*hosts));
	p->n_hosts = n_hosts;
	resolve_options(p, project, c.opts);
	p->services = arena_calloc(p->arena, project->n_services + 1,
				   sizeof(*p->services));
	p->n_services = project->n_services;
	for (size_t i = 0; i < p->n_services; i++) {
		p->services[i].svc = &project->services[i];
		p->services[i].name = project->services[i].name;
	}
	rc = stages(&c, err);
	if (rc) {
		plan_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void plan_free(struct plan *p)
{
	if (p)
		arena_free(p->arena);
}

void plan_hosts_from_declarations(struct plan_host **out,
				  size_t *n_out,
				  struct arena *a,
				  const struct compose_project *project)
{
	const struct compose_mix *mix = &project->mix;
	size_t n = mix->n_daemons ? mix->n_daemons : 1;
	struct plan_host *h = arena_calloc(a, n, sizeof(*h));

	for (size_t i = 0; i < mix->n_daemons; i++) {
		const struct compose_daemon *d = &mix->daemons[i];

		h[i].name = d->name;
		h[i].os = d->os ? d->os : "linux";
		h[i].engine_os = d->lab ? "linux" : NULL;
		h[i].arch = d->arch;
		h[i].lab = d->lab;
		h[i].offline = true;
		h[i].endpoint = d->endpoint;
	}
	if (!mix->n_daemons) {
		h[0].name = "default";
		h[0].os = "linux";
		h[0].offline = true;
	}
	*out = h;
	*n_out = n;
}
