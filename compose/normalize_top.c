/* Top-level networks, volumes and the x-mixcompose extension. */
#include "compose/normalize_int.h"

#include <string.h>

#include "util/arena.h"

/* external: true, or the legacy external: {name: x}. */
static bool norm_external(struct norm *n,
			  const struct compose_node *m,
			  const char **legacy_name)
{
	const struct compose_node *e = MAP_GET(m, "external");

	*legacy_name = NULL;
	if (e && e->kind == COMPOSE_NODE_MAP) {
		*legacy_name = norm_key_str(e, "name");
		return true;
	}
	return norm_bool(n, m, "external", false);
}

static const char *
real_name(struct norm *n, const char *key, const char *name, bool external)
{
	if (name)
		return name;
	if (external)
		return key;
	return arena_sprintf(n->a, "%s_%s", n->p->name, key);
}

static void norm_ipam(struct norm *n,
		      struct compose_network *net,
		      const struct compose_node *ipam)
{
	const struct compose_node *cfg = MAP_GET(ipam, "config");

	net->ipam_driver = norm_key_str(ipam, "driver");
	net->n_ipam_options =
		norm_kv(n, &net->ipam_options, MAP_GET(ipam, "options"),
			"ipam.options", "=", false);
	if (compose_node_is_null(cfg))
		return;
	if (cfg->kind != COMPOSE_NODE_SEQ) {
		norm_err(n, cfg, "networks.%s.ipam.config: expected a list",
			 net->key);
		return;
	}
	net->ipam = arena_calloc(n->a, cfg->n + 1, sizeof(*net->ipam));
	for (size_t i = 0; i < cfg->n; i++) {
		struct compose_ipam_config *c = &net->ipam[net->n_ipam++];

		c->subnet = norm_key_str(cfg->items[i], "subnet");
		c->gateway = norm_key_str(cfg->items[i], "gateway");
		c->ip_range = norm_key_str(cfg->items[i], "ip_range");
		c->n_aux_addresses =
			norm_kv(n, &c->aux_addresses,
				MAP_GET(cfg->items[i], "aux_addresses"),
				"ipam.config.aux_addresses", "=", false);
	}
}

static void network_one(struct norm *n,
			struct compose_network *net,
			const struct compose_pair *pr)
{
	const struct compose_node *m = pr->value;
	const char *legacy;

	net->key = pr->key->str;
	net->loc = compose_node_loc(pr->key);
	if (compose_node_is_null(m)) {
		net->name = real_name(n, net->key, NULL, false);
		return;
	}
	net->external = norm_external(n, m, &legacy);
	net->name = real_name(n, net->key,
			      legacy ? legacy : norm_key_str(m, "name"),
			      net->external);
	net->driver = norm_key_str(m, "driver");
	net->internal = norm_bool(n, m, "internal", false);
	net->attachable = norm_bool(n, m, "attachable", false);
	net->enable_ipv6 = norm_bool(n, m, "enable_ipv6", false);
	net->enable_ipv4_set = !compose_node_is_null(MAP_GET(m, "enable_ipv4"));
	net->enable_ipv4 = norm_bool(n, m, "enable_ipv4", true);
	norm_ipam(n, net, MAP_GET(m, "ipam"));
	net->n_labels = norm_kv(n, &net->labels, MAP_GET(m, "labels"), "labels",
				"=", false);
	net->n_driver_opts =
		norm_kv(n, &net->driver_opts, MAP_GET(m, "driver_opts"),
			"driver_opts", "=", false);
}

void norm_networks(struct norm *n, const struct compose_node *doc)
{
	const struct compose_node *nets = MAP_GET(doc, "networks");

	if (compose_node_is_null(nets))
		return;
	if (nets->kind != COMPOSE_NODE_MAP) {
		norm_err(n, nets, "networks: expected a mapping");
		return;
	}
	/* One spare slot for the implicit "default" network. */
	n->p->networks =
		arena_calloc(n->a, nets->n + 1, sizeof(*n->p->networks));
	for (size_t i = 0; i < nets->n; i++)
		network_one(n, &n->p->networks[n->p->n_networks++],
			    &nets->pairs[i]);
}

static void volume_one(struct norm *n,
		       struct compose_volume *v,
		       const struct compose_pair *pr)
{
	const struct compose_node *m = pr->value;
	const char *legacy;

	v->key = pr->key->str;
	v->loc = compose_node_loc(pr->key);
	if (compose_node_is_null(m)) {
		v->name = real_name(n, v->key, NULL, false);
		return;
	}
	v->external = norm_external(n, m, &legacy);
	v->name =
		real_name(n, v->key, legacy ? legacy : norm_key_str(m, "name"),
			  v->external);
	v->driver = norm_key_str(m, "driver");
	v->n_labels = norm_kv(n, &v->labels, MAP_GET(m, "labels"), "labels",
			      "=", false);
	v->n_driver_opts =
		norm_kv(n, &v->driver_opts, MAP_GET(m, "driver_opts"),
			"driver_opts", "=", false);
}

void norm_volumes(struct norm *n, const struct compose_node *doc)
{
	const struct compose_node *vols = MAP_GET(doc, "volumes");

	if (compose_node_is_null(vols))
		return;
	if (vols->kind != COMPOSE_NODE_MAP) {
		norm_err(n, vols, "volumes: expected a mapping");
		return;
	}
	n->p->volumes = arena_calloc(n->a, vols->n + 1, sizeof(*n->p->volumes));
	for (size_t i = 0; i < vols->n; i++)
		volume_one(n, &n->p->volumes[n->p->n_volumes++],
			   &vols->pairs[i]);
}

static void daemon_one(struct norm *n,
		       struct compose_daemon *d,
		       const struct compose_pair *pr)
{
	const struct compose_node *m = pr->value;

	d->name = pr->key->str;
	d->loc = compose_node_loc(pr->key);
	if (m && m->kind == COMPOSE_NODE_SCALAR && !compose_node_is_null(m)) {
		d->endpoint = m->str; /* daemons: {linux: unix:///x.sock} */
		return;
	}
	if (!m || m->kind != COMPOSE_NODE_MAP) {
		norm_err(n, m ? m : pr->key,
			 "x-mixcompose.daemons.%s: expected a mapping",
			 d->name);
		return;
	}
	d->endpoint = norm_key_str(m, "endpoint");
	d->context = norm_key_str(m, "context");
	d->os = norm_key_str(m, "os");
	d->arch = norm_key_str(m, "arch");
	d->lab = norm_bool(n, m, "lab", false);
	d->tls_verify = norm_tristate(n, m, "tls_verify");
	d->cert_path = norm_key_str(m, "cert_path");
	d->host_address = norm_key_str(m, "host_address");
	if (d->cert_path)
		d->cert_path = compose_path_join(
			n->a, n->p->working_dir,
			compose_path_expand_home(n->a, d->cert_path,
						 n->p->env));
	if (d->endpoint && d->context)
		norm_err(n, m,
			 "x-mixcompose.daemons.%s: give either "
			 "'endpoint' or 'context', not both",
			 d->name);
	if (!d->endpoint && !d->context)
		norm_err(n, m,
			 "x-mixcompose.daemons.%s: needs 'endpoint' or "
			 "'context'",
			 d->name);
}

void norm_mix(struct norm *n, const struct compose_node *doc)
{
	const struct compose_node *mix = MAP_GET(doc, "x-mixcompose");
	const struct compose_node *ds = MAP_GET(mix, "daemons");
	struct compose_mix *x = &n->p->mix;

	if (compose_node_is_null(mix))
		return;
	x->loc = compose_node_loc(mix);
	x->address_pool = norm_key_str(mix, "address_pool");
	x->address_mode = norm_key_str(mix, "address_mode");
	x->host_address = norm_key_str(mix, "host_address");
	if (x->address_mode && strcmp(x->address_mode, "container") &&
	    strcmp(x->address_mode, "host"))
		norm_err(n, MAP_GET(mix, "address_mode"),
			 "x-mixcompose.address_mode: '%s' is not 'container' "
			 "or 'host'",
			 x->address_mode);
	if (compose_node_is_null(ds))
		return;
	if (ds->kind != COMPOSE_NODE_MAP) {
		norm_err(n, ds, "x-mixcompose.daemons: expected a mapping");
		return;
	}
	x->daemons = arena_calloc(n->a, ds->n + 1, sizeof(*x->daemons));
	for (size_t i = 0; i < ds->n; i++)
		daemon_one(n, &x->daemons[x->n_daemons++], &ds->pairs[i]);
}
