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
 *                   "hosts_label": str|null, "hosts_rewrite": bool,
 *                   "labels": {key: value}}],
 *   "hosts": [{"name", "kind", "container", "network", "late": bool,
 *              "addresses": {daemon: str|null}}],
 *   "orphans": [str],
 *   "warnings": [str]
 * }
 */
#include "planner/planner_int.h"

#include "util/json.h"

#include <stdio.h>
#include <string.h>

static const char *mech_name(enum plan_hosts_mech m)
{
	return m == PLAN_HOSTS_EXTRA_HOSTS ? "extra_hosts"
	       : m == PLAN_HOSTS_EXEC	   ? "exec"
					   : "none";
}

static void j_daemons(struct json *root, const struct plan *p)
{
	struct json *v = json_add_array(root, "daemons");

	for (size_t d = 0; d < p->n_hosts; d++) {
		const struct plan_host *h = &p->hosts[d];
		struct json *it = json_add_object(v, NULL);
		char api[32];

		snprintf(api, sizeof(api), "%d.%d", h->api_major, h->api_minor);
		json_add_str(it, "name", h->name);
		json_add_str(it, "os", h->os);
		json_add_str(it, "engine_os", plan_host_engine_os(h));
		json_add_str(it, "arch", h->arch);
		json_add_str(it, "api", api);
		json_add_bool(it, "lab", h->lab);
		json_add_str(it, "hosts_mechanism",
			     strcmp(plan_host_engine_os(h), "windows")
				     ? "extra_hosts"
				     : "exec");
	}
}

static void
j_strs(struct json *root, const char *key, const struct compose_strv *sv)
{
	struct json *v = json_add_array(root, key);

	for (size_t i = 0; i < sv->n; i++)
		json_add_str(v, NULL, sv->v[i]);
}

static void j_services(struct json *root, const struct plan *p)
{
	struct json *v = json_add_array(root, "services");
	struct json *order;

	for (size_t i = 0; i < p->n_services; i++) {
		const struct plan_service *s = &p->services[i];
		struct json *it = json_add_object(v, NULL);

		json_add_str(it, "name", s->name);
		json_add_str(it, "daemon", p->hosts[s->daemon].name);
		json_add_str(it, "reason", s->reason);
		json_add_str(it, "platform", s->platform);
		json_add_str(it, "image", s->image);
		json_add_str(it, "build",
			     s->build ? plan_build_when_name(s->build) : NULL);
		json_add_bool(it, "selected", s->selected);
		json_add_int(it, "level", (long long)s->level);
		json_add_str(it, "pull", plan_pull_name(s->pull));
		json_add_str(it, "pull_reason", s->pull_reason);
	}
	v = json_add_array(root, "edges");
	for (size_t i = 0; i < p->n_edges; i++) {
		const struct plan_edge *e = &p->edges[i];
		struct json *it = json_add_object(v, NULL);

		json_add_str(it, "from", p->services[e->from].name);
		json_add_str(it, "to", p->services[e->to].name);
		json_add_str(it, "kind", plan_dep_kind_name(e->kind));
		json_add_str(it, "condition", e->condition);
		json_add_bool(it, "required", e->required);
		json_add_bool(it, "restart", e->restart);
		json_add_bool(it, "cross_daemon", e->cross_daemon);
	}
	order = json_add_array(root, "order");
	for (size_t i = 0; i < p->n_order; i++)
		json_add_str(order, NULL, p->services[p->order[i]].name);
}

static void j_networks(struct json *root, const struct plan *p)
{
	static const char *const act[] = {"create", "keep", "external"};
	struct json *v = json_add_array(root, "networks");

	for (size_t i = 0; i < p->n_networks; i++) {
		const struct plan_network *n = &p->networks[i];
		struct json *it = json_add_object(v, NULL);

		json_add_str(it, "key", n->key);
		json_add_str(it, "name", n->name);
		json_add_str(it, "daemon", p->hosts[n->daemon].name);
		json_add_str(it, "action", act[n->action]);
		json_add_str(it, "driver", n->driver);
		json_add_str(it, "subnet", n->subnet);
		json_add_str(it, "gateway", n->gateway);
		json_add_bool(it, "user_subnet", n->user_subnet);
	}
	v = json_add_array(root, "volumes");
	for (size_t i = 0; i < p->n_volumes; i++) {
		const struct plan_volume *vol = &p->volumes[i];
		struct json *it = json_add_object(v, NULL);

		json_add_str(it, "key", vol->key);
		json_add_str(it, "name", vol->name);
		json_add_str(it, "daemon", p->hosts[vol->daemon].name);
		json_add_str(it, "action", act[vol->action]);
	}
}

static void j_container_net(struct json *it,
			    const struct plan *p,
			    const struct plan_container *c)
{
	struct json *v = json_add_array(it, "endpoints");

	for (size_t k = 0; k < c->n_endpoints; k++) {
		const struct plan_endpoint *ep = &c->endpoints[k];
		struct json *e = json_add_object(v, NULL);

		json_add_str(e, "network", p->networks[ep->network].name);
		json_add_str(e, "ipv4", ep->ipv4);
		j_strs(e, "aliases", &ep->aliases);
	}
	json_add_str(it, "hosts_mechanism", mech_name(c->hosts_mech));
	/* The exact command the exec sends (for checks such as wine's). */
	j_strs(it, "hosts_exec", &c->hosts_exec);
	json_add_str(it, "hosts_exec_user", c->hosts_exec_user);
	v = json_add_array(it, "extra_hosts");
	for (size_t k = 0; k < c->n_extra_hosts; k++) {
		struct json *e = json_add_object(v, NULL);

		json_add_str(e, "name", c->extra_hosts[k].name);
		json_add_str(e, "ip", c->extra_hosts[k].ip);
		json_add_bool(e, "late", c->extra_hosts[k].late);
	}
	json_add_str(it, "hosts_label", c->hosts_label);
	json_add_bool(it, "hosts_rewrite", c->hosts_rewrite);
}

static void j_containers(struct json *root, const struct plan *p)
{
	struct json *v = json_add_array(root, "containers");

	for (size_t i = 0; i < p->n_containers; i++) {
		const struct plan_container *c = &p->containers[i];
		struct json *it = json_add_object(v, NULL);
		struct json *labels;

		json_add_str(it, "name", c->name);
		json_add_str(it, "service", c->service_name);
		json_add_int(it, "number", c->number);
		json_add_str(it, "daemon", p->hosts[c->daemon].name);
		json_add_str(it, "action", plan_action_name(c->action));
		json_add_str(it, "reason", c->reason);
		json_add_str(it, "config_hash", c->config_hash);
		json_add_str(it, "old_hash", c->old_hash);
		json_add_str(it, "existing_id", c->existing_id);
		j_container_net(it, p, c);
		labels = json_add_object(it, "labels");
		for (size_t k = 0; k < c->n_labels; k++)
			json_add_str(labels, c->labels[k].key,
				     c->labels[k].value);
	}
}

static void j_hosts(struct json *root, const struct plan *p)
{
	struct json *v = json_add_array(root, "hosts");

	for (size_t i = 0; i < p->n_hosts_table; i++) {
		const struct plan_hosts_row *r = &p->hosts_table[i];
		struct json *it = json_add_object(v, NULL);
		struct json *addrs;

		json_add_str(it, "name", r->name);
		json_add_str(it, "kind", r->kind);
		json_add_str(it, "container", p->containers[r->container].name);
		json_add_str(it, "network", r->network);
		json_add_bool(it, "late", r->late);
		addrs = json_add_object(it, "addresses");
		for (size_t d = 0; d < p->n_hosts; d++)
			json_add_str(addrs, p->hosts[d].name, r->addr[d]);
	}
	j_strs(root, "orphans", &p->orphan_warnings);
	j_strs(root, "warnings", &p->warnings);
}

void plan_to_json(struct sbuf *out, const struct plan *p)
{
	struct json *root = json_object_new();

	json_add_str(root, "project", p->project_name);
	json_add_str(root, "address_mode",
		     p->address_mode == PLAN_ADDR_HOST ? "host" : "container");
	json_add_str(root, "address_pool", p->address_pool);
	json_add_str(root, "host_address", p->host_address);
	j_daemons(root, p);
	j_services(root, p);
	j_networks(root, p);
	j_containers(root, p);
	j_hosts(root, p);
	json_write_free(out, root, 2);
}
