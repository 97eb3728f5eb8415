/*
 * Named volumes.  A volume lives on one host, so each daemon that runs a
 * service mounting a project volume gets its own copy, created with the
 * project's labels so that `down -v` finds it there.
 */
#include "planner/planner_int.h"

#include <stdlib.h>
#include <string.h>

static const struct compose_volume *find_volume(const struct compose_project *p,
						const char *key)
{
	for (size_t i = 0; i < p->n_volumes; i++)
		if (!strcmp(p->volumes[i].key, key))
			return &p->volumes[i];
	return NULL;
}

static bool has_volume(const struct plan *p, const char *key, size_t d)
{
	for (size_t i = 0; i < p->n_volumes; i++)
		if (p->volumes[i].daemon == d &&
		    !strcmp(p->volumes[i].key, key))
			return true;
	return false;
}

static bool host_has_volume(const struct plan_host *h, const char *name)
{
	for (size_t i = 0; i < h->n_volumes; i++)
		if (h->volumes[i].name && !strcmp(h->volumes[i].name, name))
			return true;
	return false;
}

static void volume_labels(struct plan *p, struct plan_volume *pv)
{
	size_t n = 3 + pv->vol->n_labels, k = 0;

	pv->labels = arena_calloc(p->arena, n, sizeof(*pv->labels));
	for (size_t i = 0; i < pv->vol->n_labels; i++)
		if (strncmp(pv->vol->labels[i].key, "com.docker.compose.",
			    19) &&
		    strncmp(pv->vol->labels[i].key, "io.mixcompose.", 14))
			pv->labels[k++] = pv->vol->labels[i];
	pv->labels[k++] = (struct compose_kv){
		"com.docker.compose.project", p->project_name, {0}};
	pv->labels[k++] =
		(struct compose_kv){"com.docker.compose.volume", pv->key, {0}};
	pv->labels[k++] = (struct compose_kv){
		"io.mixcompose.daemon", p->hosts[pv->daemon].name, {0}};
	pv->n_labels = k;
}

static int add_volume(struct plan_ctx *c,
		      size_t *alloc,
		      const struct compose_volume *v,
		      size_t d,
		      struct diag *err)
{
	struct plan *p = c->p;
	const struct plan_host *h = &p->hosts[d];
	struct plan_volume *pv;
	bool exists;

	p->volumes = plan_grow(p->arena, p->volumes, p->n_volumes, alloc,
			       sizeof(*p->volumes));
	pv = &p->volumes[p->n_volumes++];
	pv->vol = v;
	pv->key = v->key;
	pv->daemon = d;
	pv->name = v->name ? v->name
			   : arena_sprintf(p->arena, "%s_%s", p->project_name,
					   v->key);
	volume_labels(p, pv);
	exists = !c->opts->offline && host_has_volume(h, pv->name);
	if (v->external) {
		pv->action = PLAN_NET_EXTERNAL;
		if (!exists && !c->opts->offline && !h->offline)
			return diag_set(
				err, DIAG_EPLAN, &v->loc,
				"external volume '%s' does not exist on "
				"daemon '%s'; create it there first",
				pv->name, h->name);
		return 0;
	}
	pv->action = exists ? PLAN_NET_KEEP : PLAN_NET_CREATE;
	return 0;
}

static int cmp_vol(const void *a, const void *b)
{
	const struct plan_volume *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	if (r)
		return r;
	return x->daemon < y->daemon ? -1 : x->daemon > y->daemon;
}

int plan_volumes(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	size_t alloc = 0;
	int rc;

	for (size_t i = 0; i < p->n_services; i++) {
		const struct compose_service *s = p->services[i].svc;
		size_t d = p->services[i].daemon;

		for (size_t k = 0; k < s->n_volumes; k++) {
			const struct compose_mount *m = &s->volumes[k];
			const struct compose_volume *v;

			if (m->type != COMPOSE_MOUNT_VOLUME || !m->source ||
			    has_volume(p, m->source, d))
				continue;
			v = find_volume(c->proj, m->source);
			if (!v)
				return diag_set(
					err, DIAG_EPLAN, &m->loc,
					"service '%s' mounts volume '%s', "
					"which is not declared in the "
					"top-level volumes",
					s->name, m->source);
			if ((rc = add_volume(c, &alloc, v, d, err)))
				return rc;
		}
	}
	if (p->n_volumes > 1)
		qsort(p->volumes, p->n_volumes, sizeof(*p->volumes), cmp_vol);
	return 0;
}
