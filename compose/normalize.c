/*
 * From the merged document to the typed model: every service (profiles
 * applied), network and volume, then the references between them
 * (depends_on, links, volumes_from, network_mode, networks, volumes).
 * Services are sorted by name so that look-ups are binary searches.
 */
#include "compose/normalize_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

static int cmp_service(const void *a, const void *b)
{
	return strcmp(((const struct compose_service *)a)->name,
		      ((const struct compose_service *)b)->name);
}

static int cmp_network(const void *a, const void *b)
{
	return strcmp(((const struct compose_network *)a)->key,
		      ((const struct compose_network *)b)->key);
}

static int cmp_volume(const void *a, const void *b)
{
	return strcmp(((const struct compose_volume *)a)->key,
		      ((const struct compose_volume *)b)->key);
}

static const struct compose_service *
find_in(const struct compose_service *v, size_t n, const char *name)
{
	struct compose_service key = {.name = name};

	if (!n)
		return NULL;
	return bsearch(&key, v, n, sizeof(*v), cmp_service);
}

const struct compose_service *
compose_service_find(const struct compose_project *p, const char *name)
{
	return find_in(p->services, p->n_services, name);
}

/* Networks are sorted by key once normalized (and while checking refs). */
const struct compose_network *
compose_network_find(const struct compose_project *p, const char *key)
{
	struct compose_network k = {.key = key};

	if (!p->n_networks)
		return NULL;
	return bsearch(&k, p->networks, p->n_networks, sizeof(k), cmp_network);
}

/* A service without profiles is always on; "*" turns every one on. */
static bool service_enabled(const struct compose_project *p,
			    const struct compose_node *svc)
{
	const struct compose_node *pr = MAP_GET(svc, "profiles");

	if (!pr || pr->kind != COMPOSE_NODE_SEQ || !pr->n)
		return true;
	for (size_t i = 0; i < p->active_profiles.n; i++) {
		if (!strcmp(p->active_profiles.v[i], "*"))
			return true;
		for (size_t j = 0; j < pr->n; j++)
			if (compose_node_str(pr->items[j]) &&
			    !strcmp(pr->items[j]->str, p->active_profiles.v[i]))
				return true;
	}
	return false;
}

static void service_one(struct norm *n,
			struct compose_service *s,
			const struct compose_pair *pr)
{
	const struct compose_node *svc = pr->value;

	s->name = pr->key->str;
	s->loc = compose_node_loc(pr->key);
	s->node = svc;
	s->scale = 1;
	s->stop_grace_period_ns = -1;
	s->init = -1;
	s->attach = -1;
	n->svc = s->name;
	if (!svc || svc->kind != COMPOSE_NODE_MAP) {
		norm_err(n, svc ? svc : pr->key, "expected a mapping");
		n->svc = NULL;
		return;
	}
	norm_service_main(n, s, svc);
	norm_service_keys(n, s, svc);
	norm_service_files(n, s, svc);
	norm_service_env(n, s, svc);
	norm_service_ports(n, s, MAP_GET(svc, "ports"));
	norm_service_volumes(n, s, MAP_GET(svc, "volumes"));
	norm_service_develop(n, s, MAP_GET(svc, "develop"));
	n->svc = NULL;
}

static void norm_services(struct norm *n, const struct compose_node *doc)
{
	const struct compose_node *svcs = MAP_GET(doc, "services");
	struct compose_project *p = n->p;
	size_t on = 0;

	if (compose_node_is_null(svcs))
		return;
	if (svcs->kind != COMPOSE_NODE_MAP) {
		norm_err(n, svcs, "services: expected a mapping");
		return;
	}
	for (size_t i = 0; i < svcs->n; i++)
		on += service_enabled(p, svcs->pairs[i].value);
	p->services = arena_calloc(n->a, on + 1, sizeof(*p->services));
	p->disabled =
		arena_calloc(n->a, svcs->n - on + 1, sizeof(*p->disabled));
	for (size_t i = 0; i < svcs->n; i++) {
		const struct compose_pair *pr = &svcs->pairs[i];

		if (service_enabled(p, pr->value))
			service_one(n, &p->services[p->n_services++], pr);
		else
			service_one(n, &p->disabled[p->n_disabled++], pr);
	}
	if (p->n_services)
		qsort(p->services, p->n_services, sizeof(*p->services),
		      cmp_service);
	if (p->n_disabled)
		qsort(p->disabled, p->n_disabled, sizeof(*p->disabled),
		      cmp_service);
}

/* ---- References ------------------------------------------------------- */

static bool ref_ok(struct norm *n,
		   const char *name,
		   bool required,
		   const struct diag_loc *loc,
		   const char *what)
{
	const struct compose_project *p = n->p;

	if (find_in(p->services, p->n_services, name))
		return true;
	if (find_in(p->disabled, p->n_disabled, name)) {
		if (required)
			norm_errl(n, loc,
				  "%s: service '%s' is not enabled by "
				  "the active profiles",
				  what, name);
		else /* compose v2 ignores it, with a warning */
			diag_list_add(n->dl, DIAG_WARNING, DIAG_OK, loc,
				      "services.%s.%s: optional dependency "
				      "'%s' is not enabled by the active "
				      "profiles: ignored",
				      n->svc, what, name);
		return false;
	}
	norm_errl(n, loc, "%s: undefined service '%s'", what, name);
	return false;
}

static void check_depends(struct norm *n, struct compose_service *s)
{
	size_t w = 0;

	for (size_t i = 0; i < s->n_depends_on; i++) {
		struct compose_depends *d = &s->depends_on[i];

		if (ref_ok(n, d->service, d->required, &d->loc, "depends_on"))
			s->depends_on[w++] = *d;
	}
	s->n_depends_on = w;
}

/* "svc[:alias]" for links, "svc[:ro]" or "service:svc[:ro]" otherwise. */
static void check_strv_refs(struct norm *n,
			    const struct compose_service *s,
			    const struct compose_strv *v,
			    const char *what,
			    bool from)
{
	for (size_t i = 0; i < v->n; i++) {
		const char *x = v->v[i];
		char *name;

		if (from && !strncmp(x, "container:", 10))
			continue;
		if (from && !strncmp(x, "service:", 8))
			x += 8;
		name = arena_strndup(n->a, x, strcspn(x, ":"));
		ref_ok(n, name, true, &s->loc, what);
	}
}

static void check_refs(struct norm *n, struct compose_service *s)
{
	n->svc = s->name;
	check_depends(n, s);
	check_strv_refs(n, s, &s->links, "links", false);
	check_strv_refs(n, s, &s->volumes_from, "volumes_from", true);
	if (s->network_mode && !strncmp(s->network_mode, "service:", 8))
		ref_ok(n, s->network_mode + 8, true, &s->loc, "network_mode");
	for (size_t i = 0; i < s->n_networks; i++) {
		const char *k = s->networks[i].name;

		if (!compose_network_find(n->p, k) && strcmp(k, "default"))
			norm_errl(n, &s->networks[i].loc,
				  "networks: undefined network '%s'", k);
	}
	n->svc = NULL;
}

/* The implicit "default" network exists when a service is on it. */
static void add_default_network(struct norm *n)
{
	struct compose_project *p = n->p;
	struct compose_network *net;
	bool used = false;

	if (compose_network_find(p, "default"))
		return;
	for (size_t i = 0; i < p->n_services && !used; i++)
		for (size_t j = 0; j < p->services[i].n_networks; j++)
			if (!strcmp(p->services[i].networks[j].name, "default"))
				used = true;
	if (!used)
		return;
	if (!p->networks)
		p->networks = arena_calloc(n->a, 1, sizeof(*p->networks));
	net = &p->networks[p->n_networks++];
	net->key = "default";
	net->name = arena_sprintf(n->a, "%s_default", p->name);
	net->loc.file = atom_name(p->doc->file);
}

int compose_project_normalize(struct compose_project *p, struct diag_list *dl)
{
	struct norm n = {.p = p, .a = p->arena, .dl = dl};
	size_t errors = dl->errors;

	p->n_services = p->n_disabled = p->n_networks = p->n_volumes = 0;
	p->n_secrets = p->n_configs = 0;
	memset(&p->mix, 0, sizeof(p->mix));
	norm_mix(&n, p->doc);
	norm_volumes(&n, p->doc);
	norm_files(&n, p->doc);
	if (p->n_volumes)
		qsort(p->volumes, p->n_volumes, sizeof(*p->volumes),
		      cmp_volume);
	norm_networks(&n, p->doc);
	if (p->n_networks)
		qsort(p->networks, p->n_networks, sizeof(*p->networks),
		      cmp_network);
	norm_services(&n, p->doc);
	for (size_t i = 0; i < p->n_services; i++)
		check_refs(&n, &p->services[i]);
	add_default_network(&n);
	if (p->n_networks)
		qsort(p->networks, p->n_networks, sizeof(*p->networks),
		      cmp_network);
	return dl->errors > errors ? DIAG_EMODEL : 0;
}
