/*
 * The dependency graph: depends_on, links, network_mode "service:x" and
 * volumes_from "service:x".  A cycle is refused with the path that closes
 * it; the start order is by level (longest chain of dependencies below a
 * service) and by name within a level, so it is deterministic.
 */
#include "planner/planner_int.h"

#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"

struct edges {
	struct plan_edge *v;
	size_t n, alloc;
};

/* Appends an edge; '*out' (if not NULL) points at it for more fields. */
static int add_edge(struct plan_ctx *c,
		    struct edges *e,
		    size_t from,
		    const char *to_name,
		    enum plan_dep_kind kind,
		    const struct diag_loc *loc,
		    struct plan_edge **out,
		    struct diag *err)
{
	struct plan *p = c->p;
	size_t to = plan_service_index(p, to_name);
	struct plan_edge *pe;

	if (to == PLAN_NONE)
		return diag_set(err, DIAG_EPLAN, loc,
				"service '%s' %s service '%s', which is not "
				"in the project (or its profile is off)",
				p->services[from].name,
				kind == PLAN_DEP_DEPENDS_ON ? "depends on"
				: kind == PLAN_DEP_LINK	    ? "links to"
				: kind == PLAN_DEP_NETWORK_MODE
					? "shares the network of"
					: "takes volumes from",
				to_name);
	e->v = plan_grow(p->arena, e->v, e->n, &e->alloc, sizeof(*e->v));
	pe = &e->v[e->n++];
	pe->from = from;
	pe->to = to;
	pe->kind = kind;
	pe->condition = "service_started";
	pe->required = true;
	pe->loc = *loc;
	if (out)
		*out = pe;
	return 0;
}

/* volumes_from: "service:x[:ro]", "x[:ro]" (a service), "container:x". */
static const char *volumes_from_service(struct arena *a, const char *v)
{
	const char *colon;

	if (!strncmp(v, "container:", 10))
		return NULL;
	if (!strncmp(v, "service:", 8))
		v += 8;
	colon = strchr(v, ':');
	return colon ? arena_strndup(a, v, (size_t)(colon - v)) : v;
}

static int
service_edges(struct plan_ctx *c, struct edges *e, size_t i, struct diag *err)
{
	const struct compose_service *s = c->p->services[i].svc;
	struct arena *a = c->p->arena;
	const char *x;
	int rc;

	for (size_t k = 0; k < s->n_depends_on; k++) {
		const struct compose_depends *d = &s->depends_on[k];
		struct plan_edge *pe = NULL;

		/* compose v2 ignores an optional dependency that is off. */
		if (!d->required &&
		    plan_service_index(c->p, d->service) == PLAN_NONE) {
			plan_warn(c,
				  "service '%s': optional dependency '%s' is "
				  "not in the project (profile off?): ignored",
				  s->name, d->service);
			continue;
		}
		rc = add_edge(c, e, i, d->service, PLAN_DEP_DEPENDS_ON, &d->loc,
			      &pe, err);
		if (rc || !pe)
			return rc;
		if (d->condition)
			pe->condition = d->condition;
		pe->required = d->required;
		pe->restart = d->restart;
	}
	for (size_t k = 0; k < s->links.n; k++) {
		const char *l = s->links.v[k], *colon = strchr(l, ':');

		x = colon ? arena_strndup(a, l, (size_t)(colon - l)) : l;
		rc = add_edge(c, e, i, x, PLAN_DEP_LINK, &s->loc, NULL, err);
		if (rc)
			return rc;
	}
	x = plan_mode_service(s->network_mode);
	if (x && (rc = add_edge(c, e, i, x, PLAN_DEP_NETWORK_MODE, &s->loc,
				NULL, err)))
		return rc;
	for (size_t k = 0; k < s->volumes_from.n; k++) {
		x = volumes_from_service(a, s->volumes_from.v[k]);
		if (x && (rc = add_edge(c, e, i, x, PLAN_DEP_VOLUMES_FROM,
					&s->loc, NULL, err)))
			return rc;
	}
	return 0;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct plan_edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

enum { WHITE, GRAY, BLACK };

struct dfs {
	struct plan *p;
	unsigned char *color;
	size_t *stack;
	size_t depth;
};

static int
cycle_error(struct dfs *d, const struct plan_edge *closing, struct diag *err)
{
	struct sbuf sb = SBUF_INIT;
	size_t start = 0;
	int rc;

	while (d->stack[start] != closing->to)
		start++;
	for (size_t k = start; k < d->depth; k++)
		sbuf_addf(&sb, "%s -> ", d->p->services[d->stack[k]].name);
	sbuf_adds(&sb, d->p->services[closing->to].name);
	rc = diag_set(err, DIAG_EPLAN, &closing->loc, "dependency cycle: %s",
		      sb.buf);
	sbuf_release(&sb);
	return rc;
}

/*
 * The first of the edges from 'v' (they are sorted by 'from'), or
 * p->n_edges: a walk over every edge per service made the graph of a
 * file of 5000 services quadratic.
 */
static size_t first_edge(const struct plan *p, size_t v)
{
	size_t lo = 0, hi = p->n_edges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->edges[mid].from < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int visit(struct dfs *d, size_t v, struct diag *err)
{
	struct plan *p = d->p;
	size_t lvl = 0;

	d->color[v] = GRAY;
	d->stack[d->depth++] = v;
	for (size_t k = first_edge(p, v);
	     k < p->n_edges && p->edges[k].from == v; k++) {
		const struct plan_edge *e = &p->edges[k];
		int rc;

		if (d->color[e->to] == GRAY)
			return cycle_error(d, e, err);
		if (d->color[e->to] == WHITE && (rc = visit(d, e->to, err)))
			return rc;
		if (p->services[e->to].level + 1 > lvl)
			lvl = p->services[e->to].level + 1;
	}
	p->services[v].level = lvl;
	d->color[v] = BLACK;
	d->depth--;
	return 0;
}

static int cmp_order(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (p->services[x].level != p->services[y].level)
		return p->services[x].level < p->services[y].level ? -1 : 1;
	return strcmp(p->services[x].name, p->services[y].name);
}

static int order_services(struct plan *p, struct diag *err)
{
	struct dfs d = {p, NULL, NULL, 0};
	int rc = 0;

	d.color = arena_calloc(p->arena, p->n_services + 1, 1);
	d.stack = arena_calloc(p->arena, p->n_services + 1, sizeof(size_t));
	for (size_t i = 0; i < p->n_services && !rc; i++)
		if (d.color[i] == WHITE)
			rc = visit(&d, i, err);
	if (rc)
		return rc;
	p->order = arena_calloc(p->arena, p->n_services + 1, sizeof(size_t));
	for (size_t i = 0; i < p->n_services; i++) {
		p->order[i] = i;
		if (p->services[i].level + 1 > p->n_levels)
			p->n_levels = p->services[i].level + 1;
	}
	p->n_order = p->n_services;
	compat_qsort_r(p->order, p->n_order, sizeof(size_t), cmp_order, p);
	return 0;
}

static void select_deps(struct plan *p, size_t v)
{
	for (size_t k = first_edge(p, v);
	     k < p->n_edges && p->edges[k].from == v; k++) {
		const struct plan_edge *e = &p->edges[k];

		if (!p->services[e->to].selected) {
			p->services[e->to].selected = true;
			select_deps(p, e->to);
		}
	}
}

static int select_services(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	const struct plan_options *o = c->opts;

	for (size_t i = 0; i < p->n_services; i++)
		p->services[i].selected = !o->n_services;
	for (size_t k = 0; k < o->n_services; k++) {
		size_t i = plan_service_index(p, o->services[k]);

		if (i == PLAN_NONE)
			return diag_set(err, DIAG_EPLAN, NULL,
					"no such service: '%s'",
					o->services[k]);
		p->services[i].selected = true;
	}
	if (o->n_services && !o->no_deps)
		for (size_t k = 0; k < o->n_services; k++)
			select_deps(p, plan_service_index(p, o->services[k]));
	return 0;
}

/* network_mode and volumes_from share a kernel namespace or a volume. */
static int check_cross(struct plan *p, struct diag *err)
{
	for (size_t k = 0; k < p->n_edges; k++) {
		struct plan_edge *e = &p->edges[k];
		const struct plan_service *f = &p->services[e->from];
		const struct plan_service *t = &p->services[e->to];

		e->cross_daemon = f->daemon != t->daemon;
		if (!e->cross_daemon || e->kind == PLAN_DEP_DEPENDS_ON ||
		    e->kind == PLAN_DEP_LINK)
			continue;
		return diag_set(err, DIAG_EPLAN, &e->loc,
				"service '%s' uses %s of service '%s', so both "
				"must run on one daemon, but they are routed "
				"to '%s' and '%s'",
				f->name,
				e->kind == PLAN_DEP_NETWORK_MODE
					? "network_mode"
					: "volumes_from",
				t->name, p->hosts[f->daemon].name,
				p->hosts[t->daemon].name);
	}
	return 0;
}

int plan_graph(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	struct edges e = {NULL, 0, 0};
	int rc;

	for (size_t i = 0; i < p->n_services; i++)
		if ((rc = service_edges(c, &e, i, err)))
			return rc;
	if (e.n)
		qsort(e.v, e.n, sizeof(*e.v), cmp_edge);
	p->edges = e.v;
	p->n_edges = e.n;
	if ((rc = order_services(p, err)) || (rc = check_cross(p, err)))
		return rc;
	return select_services(c, err);
}

int plan_check_dependencies(const struct compose_project *project,
			    struct diag *err)
{
	struct plan_ctx c = {0};
	struct arena *a = arena_new();
	struct plan *p = arena_calloc(a, 1, sizeof(*p));
	struct edges e = {NULL, 0, 0};
	int rc = 0;

	p->arena = a;
	p->project = project;
	c.p = p;
	c.proj = project;
	c.opts = &c.defaults;
	p->services =
		arena_calloc(a, project->n_services + 1, sizeof(*p->services));
	p->n_services = project->n_services;
	for (size_t i = 0; i < p->n_services; i++) {
		p->services[i].svc = &project->services[i];
		p->services[i].name = project->services[i].name;
	}
	for (size_t i = 0; !rc && i < p->n_services; i++)
		rc = service_edges(&c, &e, i, err);
	if (!rc && e.n)
		qsort(e.v, e.n, sizeof(*e.v), cmp_edge);
	p->edges = e.v;
	p->n_edges = e.n;
	if (!rc)
		rc = order_services(p, err);
	arena_free(a);
	return rc;
}

/* True if some container of 'ps' exists or is made by this up. */
static bool has_container(const struct plan *p, const struct plan_service *ps)
{
	for (size_t k = ps->first_container;
	     k < ps->first_container + ps->n_containers; k++)
		if (p->containers[k].existing_id ||
		    p->containers[k].action != PLAN_ACT_SKIP)
			return true;
	return false;
}

void plan_graph_warnings(struct plan_ctx *c)
{
	const struct plan *p = c->p;

	for (size_t k = 0; k < p->n_edges; k++) {
		const struct plan_edge *e = &p->edges[k];
		const struct plan_service *to = &p->services[e->to];

		/* As compose v2's "X is missing dependency Y", a warning
		 * when the dependency is optional. */
		if (e->required || !p->services[e->from].selected ||
		    has_container(p, to))
			continue;
		plan_warn(
			c,
			"service '%s': optional dependency '%s' is not part "
			"of this run and has no container: not waiting for it",
			p->services[e->from].name, to->name);
	}
}
