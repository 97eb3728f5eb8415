/*
 * The down plan, from the existing state alone (the project file may be
 * gone): every container labelled with the project on every daemon, in
 * reverse dependency order read from com.docker.compose.depends_on, then
 * the project's networks, then (with -v) its volumes.
 */
#include "planner/planner_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

struct down_ctx {
	struct plan_down *d;
	const struct plan_down_options *o;
	/* The containers to remove, and their wave. */
	const struct plan_host_container **c;
	size_t *daemon;
	size_t *wave;
	size_t n;
};

/* True if container 'x' lists service 'svc' in its depends_on label. */
static bool depends_on(const struct plan_host_container *x, const char *svc)
{
	const char *s = x->depends_on;
	size_t len = strlen(svc);

	while (s && *s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);

		if (n >= len && !strncmp(s, svc, len) &&
		    (n == len || s[len] == ':'))
			return true;
		s = end ? end + 1 : NULL;
	}
	return false;
}

/* Wave of container i: 0 if nothing depends on it, else 1 + dependents'. */
#define IN_PROGRESS (PLAN_NONE - 1)

static size_t wave_of(struct down_ctx *c, size_t i)
{
	size_t w = 0;

	if (c->wave[i] == IN_PROGRESS) /* a cycle in hand-edited labels */
		return 0;
	if (c->wave[i] != PLAN_NONE)
		return c->wave[i];
	c->wave[i] = IN_PROGRESS;
	for (size_t k = 0; k < c->n; k++) {
		size_t wk;

		if (k == i || !c->c[i]->service ||
		    !depends_on(c->c[k], c->c[i]->service))
			continue;
		wk = wave_of(c, k) + 1;
		if (wk > w)
			w = wk;
	}
	c->wave[i] = w;
	return w;
}

/* A service of the project, even one whose profile is off. */
static bool in_project(const struct compose_project *p, const char *svc)
{
	if (!svc)
		return false;
	if (plan_model_service(p, svc))
		return true;
	for (size_t i = 0; i < p->n_disabled; i++)
		if (!strcmp(p->disabled[i].name, svc))
			return true;
	return false;
}

static bool ours(const char *label, const char *project)
{
	return label && !strcmp(label, project);
}

static void
push_step(struct plan_down *d, size_t *alloc, const struct plan_down_step *st)
{
	d->steps = plan_grow(d->arena, d->steps, d->n_steps, alloc,
			     sizeof(*d->steps));
	d->steps[d->n_steps++] = *st;
}

static void collect(struct down_ctx *c, size_t *walloc)
{
	struct plan_down *d = c->d;
	size_t total = 0, k = 0;

	for (size_t h = 0; h < d->n_hosts; h++)
		total += d->hosts[h].n_containers;
	c->c = arena_calloc(d->arena, total + 1, sizeof(*c->c));
	c->daemon = arena_calloc(d->arena, total + 1, sizeof(size_t));
	c->wave = arena_calloc(d->arena, total + 1, sizeof(size_t));
	for (size_t h = 0; h < d->n_hosts; h++) {
		for (size_t i = 0; i < d->hosts[h].n_containers; i++) {
			const struct plan_host_container *x =
				&d->hosts[h].containers[i];
			const struct compose_project *proj = c->o->project;

			if (x->label_project &&
			    strcmp(x->label_project, d->project_name))
				continue;
			/*
			 * compose v2 leaves one-offs (from `run`) to
			 * --remove-orphans too (docker/compose#9880).
			 */
			if (proj && !c->o->remove_orphans &&
			    (x->oneoff || !in_project(proj, x->service))) {
				plan_strv_push(
					d->arena, &d->orphan_warnings, walloc,
					arena_sprintf(
						d->arena,
						x->oneoff ? "%s/%s (a one-off "
							    "of service '%s')"
							  : "%s/%s (service "
							    "'%s' is not in "
							    "the project)",
						d->hosts[h].name, x->name,
						x->service ? x->service : "?"));
				continue;
			}
			c->c[k] = x;
			c->daemon[k] = h;
			c->wave[k] = PLAN_NONE;
			k++;
		}
	}
	c->n = k;
}

static int cmp_step(const void *a, const void *b)
{
	const struct plan_down_step *x = a, *y = b;

	if (x->wave != y->wave)
		return x->wave < y->wave ? -1 : 1;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->daemon != y->daemon)
		return x->daemon < y->daemon ? -1 : 1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static void networks_and_volumes(struct down_ctx *c, size_t *alloc)
{
	struct plan_down *d = c->d;
	size_t wave = d->n_waves;

	for (size_t h = 0; h < d->n_hosts; h++)
		for (size_t i = 0; i < d->hosts[h].n_networks; i++) {
			const struct plan_host_network *n =
				&d->hosts[h].networks[i];

			if (!ours(n->label_project, d->project_name))
				continue;
			push_step(d, alloc,
				  &(struct plan_down_step){PLAN_DOWN_NETWORK, h,
							   n->id, n->name, NULL,
							   false, wave});
			d->n_waves = wave + 1;
		}
	for (size_t h = 0; c->o->remove_volumes && h < d->n_hosts; h++)
		for (size_t i = 0; i < d->hosts[h].n_volumes; i++) {
			const struct plan_host_volume *v =
				&d->hosts[h].volumes[i];

			if (!ours(v->label_project, d->project_name))
				continue;
			push_step(d, alloc,
				  &(struct plan_down_step){PLAN_DOWN_VOLUME, h,
							   NULL, v->name, NULL,
							   false, wave});
			d->n_waves = wave + 1;
		}
}

int plan_build_down(struct plan_down **out,
		    const char *project_name,
		    const struct plan_host *hosts,
		    size_t n_hosts,
		    const struct plan_down_options *opts,
		    struct diag *err)
{
	static const struct plan_down_options none;
	struct arena *a;
	struct plan_down *d;
	struct down_ctx c = {0};
	size_t alloc = 0, walloc = 0;

	*out = NULL;
	if (!project_name || !*project_name)
		return diag_set(err, DIAG_EPLAN, NULL, "no project name");
	a = arena_new();
	d = arena_alloc(a, sizeof(*d));
	d->arena = a;
	d->project_name = arena_strdup(a, project_name);
	d->hosts = arena_calloc(a, n_hosts + 1, sizeof(*d->hosts));
	if (n_hosts)
		memcpy(d->hosts, hosts, n_hosts * sizeof(*hosts));
	d->n_hosts = n_hosts;
	c.d = d;
	c.o = opts ? opts : &none;
	collect(&c, &walloc);
	for (size_t i = 0; i < c.n; i++) {
		const struct plan_host_container *x = c.c[i];
		size_t w = wave_of(&c, i);

		push_step(d, &alloc,
			  &(struct plan_down_step){
				  PLAN_DOWN_CONTAINER, c.daemon[i], x->id,
				  x->name, x->service,
				  x->state && !strcmp(x->state, "running"), w});
		if (w + 1 > d->n_waves)
			d->n_waves = w + 1;
	}
	networks_and_volumes(&c, &alloc);
	if (d->n_steps > 1)
		qsort(d->steps, d->n_steps, sizeof(*d->steps), cmp_step);
	*out = d;
	return 0;
}

void plan_down_free(struct plan_down *d)
{
	if (d)
		arena_free(d->arena);
}

void plan_down_describe(struct sbuf *out, const struct plan_down *d)
{
	static const char *const kinds[] = {"container", "network", "volume"};

	sbuf_addf(out, "down plan for project '%s'\n", d->project_name);
	if (!d->n_steps)
		sbuf_adds(out, "  nothing to remove\n");
	for (size_t i = 0; i < d->n_steps; i++) {
		const struct plan_down_step *s = &d->steps[i];

		sbuf_addf(out, "  [%zu] %-8s %-9s %s%s\n", s->wave + 1,
			  d->hosts[s->daemon].name, kinds[s->kind], s->name,
			  s->running ? " (stop, then remove)" : "");
	}
	for (size_t i = 0; i < d->orphan_warnings.n; i++)
		sbuf_addf(out, "  warning: orphan left in place: %s\n",
			  d->orphan_warnings.v[i]);
}
