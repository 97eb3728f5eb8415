/*
 * plan_to_json(): the plan as JSON for scripts (`mixcompose plan --format
 * json`).  2-space indent; keys always present and in this order (null
 * when unknown); new keys may be added, none are renamed:
 *
 * {
 *   "project": str, "address_mode": "container"|"host",
 *   "address_pool": str, "host_address": str|null,
 *   "daemons": [{"name", "os", "engine_os", "arch", "api": "1.41",
 *                "lab": bool, "hosts_mechanism": "extra_hosts"|"exec"}],
 *   "services": [{"name", "daemon", "reason", "platform": str|null,
 *                 "image": str|null, "build": "if missing"|"always"|null,
 *                 "selected": bool, "level": int,
 *                 "pull": "missing"|"always"|"never"|"build"|"none",
 *                 "pull_reason": str}],
 *   "edges": [{"from", "to", "kind", "condition", "required": bool,
 *              "restart": bool, "cross_daemon": bool}],
 *   "order": [service names],
 *   "networks": [{"key", "name", "daemon", "action": "create"|"keep"|
 *                 "external", "driver", "subnet", "gateway",
 *                 "user_subnet": bool}],
 *   "volumes": [{"key", "name", "daemon", "action": "create"|"keep"|
 *                "external"}],
 *   "containers": [{"name", "service", "number", "daemon", "action",
 *                   "reason", "config_hash", "old_hash", "existing_id",
 *                   "endpoints": [{"network", "ipv4", "aliases": [str]}],
 *                   "hosts_mechanism": "none"|"extra_hosts"|"exec",
 *                   "hosts_exec": [str] (the exec's argv, [] if none),
 *                   "hosts_exec_user": str|null,
 *                   "extra_hosts": [{"name", "ip": str|null, "late"}],
 *                   "labels": {key: value}}],
 *   "hosts": [{"name", "kind", "container", "late": bool,
 *              "addresses": {daemon: str|null}}],
 *   "orphans": [str],
 *   "warnings": [str]
 * }
 */
#include "planner/planner_int.h"

#include <stdio.h>
#include <string.h>

struct jw {
	struct sbuf *sb;
	int depth;
	bool first[64];
};

static void jw_sep(struct jw *w, const char *key)
{
	if (w->depth) {
		sbuf_adds(w->sb, w->first[w->depth] ? "\n" : ",\n");
		w->first[w->depth] = false;
		for (int i = 0; i < w->depth; i++)
			sbuf_adds(w->sb, "  ");
	}
	if (key) {
		sbuf_add_json_str(w->sb, key);
		sbuf_adds(w->sb, ": ");
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_sep(w, key);
	sbuf_addch(w->sb, c);
	w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];

	w->depth--;
	if (!empty) {
		sbuf_addch(w->sb, '\n');
		for (int i = 0; i < w->depth; i++)
			sbuf_adds(w->sb, "  ");
	}
	sbuf_addch(w->sb, c);
}

static void jw_str(struct jw *w, const char *key, const char *v)
{
	jw_sep(w, key);
	if (v)
		sbuf_add_json_str(w->sb, v);
	else
		sbuf_adds(w->sb, "null");
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_sep(w, key);
	sbuf_adds(w->sb, v ? "true" : "false");
}

static void jw_int(struct jw *w, const char *key, long long v)
{
	jw_sep(w, key);
	sbuf_addf(w->sb, "%lld", v);
}

static const char *mech_name(enum plan_hosts_mech m)
{
	return m == PLAN_HOSTS_EXTRA_HOSTS ? "extra_hosts"
	       : m == PLAN_HOSTS_EXEC	   ? "exec"
					   : "none";
}

static void j_daemons(struct jw *w, const struct plan *p)
{
	jw_open(w, "daemons", '[');
	for (size_t d = 0; d < p->n_hosts; d++) {
		const struct plan_host *h = &p->hosts[d];
		char api[32];

		snprintf(api, sizeof(api), "%d.%d", h->api_major, h->api_minor);
		jw_open(w, NULL, '{');
		jw_str(w, "name", h->name);
		jw_str(w, "os", h->os);
		jw_str(w, "engine_os", plan_host_engine_os(h));
		jw_str(w, "arch", h->arch);
		jw_str(w, "api", api);
		jw_bool(w, "lab", h->lab);
		jw_str(w, "hosts_mechanism",
		       strcmp(plan_host_engine_os(h), "windows") ? "extra_hosts"
								 : "exec");
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void j_services(struct jw *w, const struct plan *p)
{
	jw_open(w, "services", '[');
	for (size_t i = 0; i < p->n_services; i++) {
		const struct plan_service *s = &p->services[i];

		jw_open(w, NULL, '{');
		jw_str(w, "name", s->name);
		jw_str(w, "daemon", p->hosts[s->daemon].name);
		jw_str(w, "reason", s->reason);
		jw_str(w, "platform", s->platform);
		jw_str(w, "image", s->image);
		jw_str(w, "build",
		       s->build ? plan_build_when_name(s->build) : NULL);
		jw_bool(w, "selected", s->selected);
		jw_int(w, "level", (long long)s->level);
		jw_str(w, "pull", plan_pull_name(s->pull));
		jw_str(w, "pull_reason", s->pull_reason);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "edges", '[');
	for (size_t i = 0; i < p->n_edges; i++) {
		const struct plan_edge *e = &p->edges[i];

		jw_open(w, NULL, '{');
		jw_str(w, "from", p->services[e->from].name);
		jw_str(w, "to", p->services[e->to].name);
		jw_str(w, "kind", plan_dep_kind_name(e->kind));
		jw_str(w, "condition", e->condition);
		jw_bool(w, "required", e->required);
		jw_bool(w, "restart", e->restart);
		jw_bool(w, "cross_daemon", e->cross_daemon);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "order", '[');
	for (size_t i = 0; i < p->n_order; i++)
		jw_str(w, NULL, p->services[p->order[i]].name);
	jw_close(w, ']');
}

static void j_networks(struct jw *w, const struct plan *p)
{
	static const char *const act[] = {"create", "keep", "external"};

	jw_open(w, "networks", '[');
	for (size_t i = 0; i < p->n_networks; i++) {
		const struct plan_network *n = &p->networks[i];

		jw_open(w, NULL, '{');
		jw_str(w, "key", n->key);
		jw_str(w, "name", n->name);
		jw_str(w, "daemon", p->hosts[n->daemon].name);
		jw_str(w, "action", act[n->action]);
		jw_str(w, "driver", n->driver);
		jw_str(w, "subnet", n->subnet);
		jw_str(w, "gateway", n->gateway);
		jw_bool(w, "user_subnet", n->user_subnet);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "volumes", '[');
	for (size_t i = 0; i < p->n_volumes; i++) {
		const struct plan_volume *v = &p->volumes[i];

		jw_open(w, NULL, '{');
		jw_str(w, "key", v->key);
		jw_str(w, "name", v->name);
		jw_str(w, "daemon", p->hosts[v->daemon].name);
		jw_str(w, "action", act[v->action]);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void j_container_net(struct jw *w,
			    const struct plan *p,
			    const struct plan_container *c)
{
	jw_open(w, "endpoints", '[');
	for (size_t k = 0; k < c->n_endpoints; k++) {
		const struct plan_endpoint *ep = &c->endpoints[k];

		jw_open(w, NULL, '{');
		jw_str(w, "network", p->networks[ep->network].name);
		jw_str(w, "ipv4", ep->ipv4);
		jw_open(w, "aliases", '[');
		for (size_t j = 0; j < ep->aliases.n; j++)
			jw_str(w, NULL, ep->aliases.v[j]);
		jw_close(w, ']');
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_str(w, "hosts_mechanism", mech_name(c->hosts_mech));
	/* The exact command the exec sends (for checks such as wine's). */
	jw_open(w, "hosts_exec", '[');
	for (size_t k = 0; k < c->hosts_exec.n; k++)
		jw_str(w, NULL, c->hosts_exec.v[k]);
	jw_close(w, ']');
	jw_str(w, "hosts_exec_user", c->hosts_exec_user);
	jw_open(w, "extra_hosts", '[');
	for (size_t k = 0; k < c->n_extra_hosts; k++) {
		jw_open(w, NULL, '{');
		jw_str(w, "name", c->extra_hosts[k].name);
		jw_str(w, "ip", c->extra_hosts[k].ip);
		jw_bool(w, "late", c->extra_hosts[k].late);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void j_containers(struct jw *w, const struct plan *p)
{
	jw_open(w, "containers", '[');
	for (size_t i = 0; i < p->n_containers; i++) {
		const struct plan_container *c = &p->containers[i];

		jw_open(w, NULL, '{');
		jw_str(w, "name", c->name);
		jw_str(w, "service", c->service_name);
		jw_int(w, "number", c->number);
		jw_str(w, "daemon", p->hosts[c->daemon].name);
		jw_str(w, "action", plan_action_name(c->action));
		jw_str(w, "reason", c->reason);
		jw_str(w, "config_hash", c->config_hash);
		jw_str(w, "old_hash", c->old_hash);
		jw_str(w, "existing_id", c->existing_id);
		j_container_net(w, p, c);
		jw_open(w, "labels", '{');
		for (size_t k = 0; k < c->n_labels; k++)
			jw_str(w, c->labels[k].key, c->labels[k].value);
		jw_close(w, '}');
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void j_hosts(struct jw *w, const struct plan *p)
{
	jw_open(w, "hosts", '[');
	for (size_t i = 0; i < p->n_hosts_table; i++) {
		const struct plan_hosts_row *r = &p->hosts_table[i];

		jw_open(w, NULL, '{');
		jw_str(w, "name", r->name);
		jw_str(w, "kind", r->kind);
		jw_str(w, "container", p->containers[r->container].name);
		jw_bool(w, "late", r->late);
		jw_open(w, "addresses", '{');
		for (size_t d = 0; d < p->n_hosts; d++)
			jw_str(w, p->hosts[d].name, r->addr[d]);
		jw_close(w, '}');
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "orphans", '[');
	for (size_t i = 0; i < p->orphan_warnings.n; i++)
		jw_str(w, NULL, p->orphan_warnings.v[i]);
	jw_close(w, ']');
	jw_open(w, "warnings", '[');
	for (size_t i = 0; i < p->warnings.n; i++)
		jw_str(w, NULL, p->warnings.v[i]);
	jw_close(w, ']');
}

void plan_to_json(struct sbuf *out, const struct plan *p)
{
	struct jw w = {out, 0, {false}};

	jw_open(&w, NULL, '{');
	jw_str(&w, "project", p->project_name);
	jw_str(&w, "address_mode",
	       p->address_mode == PLAN_ADDR_HOST ? "host" : "container");
	jw_str(&w, "address_pool", p->address_pool);
	jw_str(&w, "host_address", p->host_address);
	j_daemons(&w, p);
	j_services(&w, p);
	j_networks(&w, p);
	j_containers(&w, p);
	j_hosts(&w, p);
	jw_close(&w, '}');
	sbuf_addch(out, '\n');
}
