/*
 * Convergence: what to do with each planned container given what exists.
 * As compose v2 does, a container is recreated when its own config hash
 * changed (or --force-recreate): a service that depends on a recreated
 * one keeps running, because the planned address of the dependency stays
 * the same.  Beyond compose: a container is also recreated when it cannot
 * be started as it is (a daemon crash left its task behind), and when its
 * host entries are stale (a peer's network moved to another subnet), where
 * its engine fixes them at create.
 */
#include "planner/planner_int.h"

#include <string.h>

static const char *short8(struct arena *a, const char *h)
{
	return h ? arena_strndup(a, h, strnlen(h, 8)) : "(none)";
}

/*
 * The first endpoint whose current address is known and differs from the
 * planned one (the subnet changed, or the address went to another
 * container), as "172.30.0.9 -> 172.30.0.2"; NULL if none.
 */
static const char *moved_address(struct plan *p,
				 const struct plan_container *ct,
				 const struct plan_host_container *e)
{
	for (size_t k = 0; k < ct->n_endpoints; k++) {
		const struct plan_endpoint *ep = &ct->endpoints[k];
		const char *net = p->networks[ep->network].name;

		for (size_t j = 0; j < e->n_networks; j++) {
			const char *ip = e->networks[j].ipv4;

			if (!e->networks[j].network || !ip || !*ip ||
			    !ep->ipv4 || strcmp(e->networks[j].network, net) ||
			    !strcmp(ip, ep->ipv4))
				continue;
			return arena_sprintf(p->arena, "%s: %s -> %s", net, ip,
					     ep->ipv4);
		}
	}
	return NULL;
}

/* "sha256:0a1b..." -> "0a1b...". */
static const char *digest_hex(const char *id)
{
	const char *colon = strchr(id, ':');

	return colon ? colon + 1 : id;
}

/*
 * compose v2 recreates a container whose image is not the service's
 * image any more (a rebuild): known only when up gives the ids.
 */
static bool image_changed(const struct plan *p,
			  const struct plan_container *ct,
			  const struct plan_host_container *e)
{
	const char *id = p->services[ct->service].image_id;

	return id && e->image_digest && strcmp(id, e->image_digest) != 0;
}

/*
 * `scale`: a running container whose entries gained or lost a name keeps
 * running and has its hosts file rewritten in place.  Its label keeps the
 * entries it was created with, so the names to drop are those of the
 * containers this plan removes as well as the label's that went.
 */
static void in_place(struct plan_ctx *c, size_t i, size_t n_planned)
{
	struct plan *p = c->p;
	struct plan_container *ct = &p->containers[i];
	const struct plan_host_container *e = c->existing[i];
	const char *why;
	size_t alloc;

	if (!c->opts->hosts_in_place || !e || !e->state ||
	    strcmp(e->state, "running") != 0 ||
	    ct->hosts_mech == PLAN_HOSTS_NONE ||
	    (ct->action != PLAN_ACT_KEEP && ct->action != PLAN_ACT_SKIP))
		return;
	why = plan_hosts_changed(&ct->hosts_gone, p->arena, ct, e->hosts_label);
	alloc = ct->hosts_gone.n;
	for (size_t k = n_planned; k < p->n_containers; k++) {
		const char *name = p->containers[k].name;

		if (p->containers[k].action != PLAN_ACT_REMOVE ||
		    plan_strv_has(&ct->hosts_gone, name))
			continue;
		plan_strv_push(p->arena, &ct->hosts_gone, &alloc, name);
		why = arena_sprintf(p->arena, "%s%s-%s", why ? why : "",
				    why ? " " : "", name);
	}
	if (!why)
		return;
	ct->hosts_rewrite = true;
	ct->reason = arena_sprintf(p->arena,
				   "%s; host entries changed (%s): rewritten "
				   "in place",
				   ct->reason, why);
}

/* Named on the command line, or nothing was. */
static bool named(const struct plan_options *o, const char *svc)
{
	for (size_t i = 0; i < o->n_services; i++)
		if (!strcmp(o->services[i], svc))
			return true;
	return !o->n_services;
}

/*
 * compose v2: --force-recreate recreates the services named, and a
 * dependency the selection added only with --always-recreate-deps.
 */
static bool forced(const struct plan_options *o, const char *svc)
{
	if (o->no_recreate)
		return false;
	return named(o, svc) ? o->force_recreate : o->always_recreate_deps;
}

static void decide(struct plan_ctx *c, size_t i)
{
	struct plan *p = c->p;
	struct plan_container *ct = &p->containers[i];
	const struct plan_host_container *e = c->existing[i];
	const struct plan_options *o = c->opts;
	bool running, changed;
	const char *moved, *stale;

	if (e) {
		ct->existing_id = e->id;
		ct->existing_state = e->state;
		ct->old_hash = e->config_hash;
	}
	if (!p->services[ct->service].selected) {
		ct->action = PLAN_ACT_SKIP;
		ct->reason = "not selected on the command line";
		return;
	}
	if (!e) {
		ct->action = PLAN_ACT_CREATE;
		ct->reason = "no container yet";
		return;
	}
	running = e->state && !strcmp(e->state, "running");
	changed = !e->config_hash || strcmp(e->config_hash, ct->config_hash);
	stale = plan_hosts_stale(p->arena, ct, e->hosts_label);
	if (forced(o, p->services[ct->service].name)) {
		ct->action = PLAN_ACT_RECREATE;
		ct->reason = named(o, p->services[ct->service].name)
				     ? "--force-recreate"
				     : "--always-recreate-deps";
	} else if (e->broken && !running) {
		/* Even with --no-recreate: it cannot be started as it is. */
		ct->action = PLAN_ACT_RECREATE;
		ct->reason = arena_sprintf(p->arena, "broken: %s", e->broken);
	} else if (changed && !o->no_recreate) {
		ct->action = PLAN_ACT_RECREATE;
		ct->reason =
			arena_sprintf(p->arena, "config hash changed: %s -> %s",
				      short8(p->arena, e->config_hash),
				      short8(p->arena, ct->config_hash));
	} else if (!o->no_recreate && image_changed(p, ct, e)) {
		ct->action = PLAN_ACT_RECREATE;
		ct->reason = arena_sprintf(
			p->arena, "image changed: %s -> %s",
			short8(p->arena, digest_hex(e->image_digest)),
			short8(p->arena,
			       digest_hex(p->services[ct->service].image_id)));
	} else if (!o->no_recreate && (moved = moved_address(p, ct, e))) {
		ct->action = PLAN_ACT_RECREATE;
		ct->reason =
			arena_sprintf(p->arena, "address changed on %s", moved);
	} else if (stale && !o->no_recreate &&
		   ct->hosts_mech != PLAN_HOSTS_EXEC &&
		   !(o->hosts_in_place && running)) {
		ct->action = PLAN_ACT_RECREATE;
		ct->reason = arena_sprintf(p->arena, "host entries stale: %s",
					   stale);
	} else if (stale && running && ct->hosts_mech == PLAN_HOSTS_EXEC) {
		/* The block is rewritten in place; the label stays old. */
		ct->action = PLAN_ACT_KEEP;
		ct->hosts_rewrite = true;
		ct->reason = arena_sprintf(p->arena,
					   "host entries stale (%s): hosts "
					   "block rewritten in place",
					   stale);
	} else if (running) {
		ct->action = PLAN_ACT_KEEP;
		ct->reason =
			changed ? "config changed, kept (--no-recreate)"
			: stale && o->no_recreate
				? "host entries stale, kept (--no-recreate)"
				: "up to date";
	} else {
		ct->action = PLAN_ACT_START;
		ct->reason = arena_sprintf(p->arena, "exists (%s), up to date",
					   e->state ? e->state : "stopped");
	}
}

/* Why an existing container that no planned one took is left over. */
static const char *leftover_reason(struct plan *p,
				   size_t d,
				   const struct plan_host_container *e,
				   bool *orphan)
{
	size_t si = e->service ? plan_service_index(p, e->service) : PLAN_NONE;

	*orphan = true;
	if (si == PLAN_NONE)
		return arena_sprintf(p->arena,
				     "orphan: service '%s' is not in the "
				     "project",
				     e->service ? e->service : "?");
	if (p->services[si].daemon != d)
		return arena_sprintf(p->arena,
				     "orphan: service '%s' now runs on daemon "
				     "'%s'",
				     e->service,
				     p->hosts[p->services[si].daemon].name);
	*orphan = false;
	if (!p->services[si].selected)
		return NULL;
	return arena_sprintf(p->arena,
			     "scaled down: service '%s' has %zu "
			     "container(s)",
			     e->service, p->services[si].n_containers);
}

static void leftovers(struct plan_ctx *c)
{
	struct plan *p = c->p;
	size_t alloc = p->n_containers, walloc = 0;

	for (size_t d = 0; d < p->n_hosts; d++) {
		const struct plan_host *h = &p->hosts[d];

		for (size_t i = 0; i < h->n_containers; i++) {
			const struct plan_host_container *e = &h->containers[i];
			struct plan_container *ct;
			const char *why;
			bool orphan;

			if (c->taken[d][i] || e->oneoff ||
			    (e->label_project &&
			     strcmp(e->label_project, p->project_name)))
				continue;
			why = leftover_reason(p, d, e, &orphan);
			if (!why)
				continue;
			if (orphan && !c->opts->remove_orphans) {
				plan_strv_push(
					p->arena, &p->orphan_warnings, &walloc,
					arena_sprintf(p->arena, "%s/%s (%s)",
						      h->name, e->name, why));
				continue;
			}
			p->containers = plan_grow(p->arena, p->containers,
						  p->n_containers, &alloc,
						  sizeof(*p->containers));
			ct = &p->containers[p->n_containers++];
			ct->name = e->name;
			ct->service =
				e->service ? plan_service_index(p, e->service)
					   : PLAN_NONE;
			ct->service_name = e->service;
			ct->number = e->number;
			ct->daemon = d;
			ct->action = PLAN_ACT_REMOVE;
			ct->reason = why;
			ct->existing_id = e->id;
			ct->existing_state = e->state;
			ct->old_hash = e->config_hash;
		}
	}
}

static int check_networks(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;

	for (size_t i = 0; i < p->n_networks; i++) {
		const struct plan_network *pn = &p->networks[i];
		const struct plan_host *h = &p->hosts[pn->daemon];

		if (pn->action != PLAN_NET_KEEP)
			continue;
		for (size_t k = 0; k < h->n_networks; k++) {
			const struct plan_host_network *x = &h->networks[k];

			if (!x->name || strcmp(x->name, pn->name) ||
			    !x->driver || !strcmp(x->driver, pn->driver))
				continue;
			return diag_set(
				err, DIAG_EPLAN, pn->net ? &pn->net->loc : NULL,
				"network '%s' exists on daemon '%s' "
				"with driver '%s', not '%s'; run "
				"`mixcompose down` to remove it first",
				pn->name, h->name, x->driver, pn->driver);
		}
	}
	return 0;
}

static bool recreated(const struct plan *p, const struct plan_service *ps)
{
	for (size_t k = ps->first_container;
	     k < ps->first_container + ps->n_containers; k++)
		if (p->containers[k].action == PLAN_ACT_RECREATE)
			return true;
	return false;
}

/*
 * depends_on restart: true.  compose v2 stops the running dependents of
 * a service it recreates (stopDependentContainers) and starts them again
 * once the service is back.
 */
static void restart_dependents(struct plan *p)
{
	for (size_t k = 0; k < p->n_edges; k++) {
		const struct plan_edge *e = &p->edges[k];
		const struct plan_service *from = &p->services[e->from];

		if (!e->restart || e->kind != PLAN_DEP_DEPENDS_ON ||
		    !recreated(p, &p->services[e->to]))
			continue;
		for (size_t c = from->first_container;
		     c < from->first_container + from->n_containers; c++) {
			struct plan_container *ct = &p->containers[c];

			if (ct->action != PLAN_ACT_KEEP)
				continue;
			ct->action = PLAN_ACT_RESTART;
			ct->reason = arena_sprintf(
				p->arena,
				"'%s' is recreated (depends_on restart: true)",
				p->services[e->to].name);
		}
	}
}

int plan_converge(struct plan_ctx *c, struct diag *err)
{
	size_t n = c->p->n_containers;

	for (size_t i = 0; i < n; i++)
		decide(c, i);
	restart_dependents(c->p);
	if (!c->opts->offline)
		leftovers(c);
	for (size_t i = 0; i < n; i++)
		in_place(c, i, n);
	return check_networks(c, err);
}
