/*
 * Networks and addresses.  Each project network is created on every daemon
 * that hosts one of its members, with a subnet that overlaps nothing on any
 * daemon: routed traffic between daemons (the lab's DOCKER-USER rule, a
 * Hyper-V switch) only works when every bridge has its own range.  Every
 * container gets a static IPv4 on each network, planned here so that host
 * entries are known before anything starts.
 */
#include "planner/planner_int.h"

#include <stdlib.h>
#include <string.h>

size_t plan_network_index(const struct plan *p, const char *key, size_t daemon)
{
	for (size_t i = 0; i < p->n_networks; i++)
		if (p->networks[i].daemon == daemon &&
		    !strcmp(p->networks[i].key, key))
			return i;
	return PLAN_NONE;
}

static const struct plan_host_network *host_net(const struct plan_host *h,
						const char *name)
{
	for (size_t i = 0; i < h->n_networks; i++)
		if (h->networks[i].name && !strcmp(h->networks[i].name, name))
			return &h->networks[i];
	return NULL;
}

static void net_labels(struct plan *p, struct plan_network *pn)
{
	size_t n = 3 + (pn->net ? pn->net->n_labels : 0), k = 0;

	pn->labels = arena_calloc(p->arena, n, sizeof(*pn->labels));
	for (size_t i = 0; pn->net && i < pn->net->n_labels; i++)
		if (strncmp(pn->net->labels[i].key, "com.docker.compose.",
			    19) &&
		    strncmp(pn->net->labels[i].key, "io.mixcompose.", 14))
			pn->labels[k++] = pn->net->labels[i];
	pn->labels[k++] =
		(struct compose_kv){"com.docker.compose.network", pn->key, {0}};
	pn->labels[k++] = (struct compose_kv){
		"com.docker.compose.project", p->project_name, {0}};
	pn->labels[k++] = (struct compose_kv){
		"io.mixcompose.daemon", p->hosts[pn->daemon].name, {0}};
	pn->n_labels = k;
}

static int net_new(struct plan_ctx *c,
		   size_t *alloc,
		   const char *key,
		   size_t d,
		   const struct diag_loc *loc,
		   struct diag *err)
{
	struct plan *p = c->p;
	const struct compose_network *net = plan_network_find(c->proj, key);
	const struct plan_host *h = &p->hosts[d];
	const struct plan_host_network *ex;
	struct plan_network *pn;

	if (!net && strcmp(key, "default"))
		return diag_set(err, DIAG_EPLAN, loc,
				"network '%s' is not declared in the top-level "
				"networks",
				key);
	p->networks = plan_grow(p->arena, p->networks, p->n_networks, alloc,
				sizeof(*p->networks));
	pn = &p->networks[p->n_networks++];
	pn->net = net;
	pn->key = key;
	pn->daemon = d;
	pn->name = net && net->name ? net->name
				    : arena_sprintf(p->arena, "%s_%s",
						    p->project_name, key);
	pn->driver = net && net->driver				  ? net->driver
		     : !strcmp(plan_host_engine_os(h), "windows") ? "nat"
								  : "bridge";
	if (net) {
		pn->internal = net->internal;
		pn->attachable = net->attachable;
		pn->enable_ipv6 = net->enable_ipv6;
		pn->user_subnet = net->n_ipam && net->ipam[0].subnet;
	}
	net_labels(p, pn);
	ex = c->opts->offline ? NULL : host_net(h, pn->name);
	if (ex) {
		pn->existing_id = ex->id;
		pn->subnet = ex->subnet;
		pn->gateway = ex->gateway;
	}
	if (net && net->external) {
		pn->action = PLAN_NET_EXTERNAL;
		if (!ex && !c->opts->offline && !h->offline)
			return diag_set(err, DIAG_EPLAN, &net->loc,
					"external network '%s' does not exist "
					"on daemon '%s'; create it there first",
					pn->name, h->name);
		return 0;
	}
	pn->action = ex ? PLAN_NET_KEEP : PLAN_NET_CREATE;
	return 0;
}

static int cmp_net(const void *a, const void *b)
{
	const struct plan_network *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	if (r)
		return r;
	return x->daemon < y->daemon ? -1 : x->daemon > y->daemon;
}

/* ---- Subnets ------------------------------------------------------------ */

struct cidr {
	uint32_t net;
	int prefix;
};

struct cidrs {
	struct cidr *v;
	size_t n, alloc;
};

static void cidrs_add(struct arena *a, struct cidrs *s, uint32_t net, int pfx)
{
	s->v = plan_grow(a, s->v, s->n, &s->alloc, sizeof(*s->v));
	s->v[s->n++] = (struct cidr){net, pfx};
}

static bool cidrs_overlap(const struct cidrs *s, uint32_t net, int pfx)
{
	for (size_t i = 0; i < s->n; i++)
		if (plan_cidr_overlap(s->v[i].net, s->v[i].prefix, net, pfx))
			return true;
	return false;
}

static void set_subnet(struct plan *p,
		       struct plan_network *pn,
		       uint32_t net,
		       int pfx,
		       const char *gateway)
{
	pn->subnet = plan_cidr_str(p->arena, net, pfx);
	pn->gateway = gateway ? gateway : plan_ip4_str(p->arena, net + 1);
}

/*
 * The part of a split subnet that daemon d must get because a service
 * routed there asks for an ipv4_address inside it; PLAN_NONE if none.
 */
static size_t wanted_part(const struct plan *p,
			  const char *key,
			  size_t d,
			  uint32_t base,
			  int pfx,
			  int bits)
{
	for (size_t i = 0; i < p->n_services; i++) {
		const struct compose_service *s = p->services[i].svc;
		uint32_t ip;

		if (p->services[i].daemon != d)
			continue;
		for (size_t k = 0; k < s->n_networks; k++)
			if (!strcmp(s->networks[k].name, key) &&
			    plan_ip4_parse(&ip,
					   s->networks[k].ipv4_address
						   ? s->networks[k].ipv4_address
						   : "") &&
			    plan_cidr_overlap(base, pfx, ip, 32))
				return (ip - base) >> (32 - pfx - bits);
	}
	return PLAN_NONE;
}

/*
 * Which part each of the k daemons gets: the one its ipv4_addresses
 * need, else the lowest part nobody needs, in host order.
 */
static int assign_parts(const struct plan *p,
			size_t i,
			size_t k,
			uint32_t base,
			int pfx,
			int bits,
			size_t *part_of,
			struct diag *err)
{
	const struct compose_network *net = p->networks[i].net;
	size_t parts = (size_t)1 << bits, next = 0;
	bool *taken = arena_calloc(p->arena, parts + 1, 1);

	for (size_t m = 0; m < k; m++) {
		part_of[m] = wanted_part(p, net->key, p->networks[i + m].daemon,
					 base, pfx, bits);
		if (part_of[m] == PLAN_NONE)
			continue;
		if (taken[part_of[m]])
			return diag_set(
				err, DIAG_EPLAN, &net->loc,
				"network '%s' spans daemons, so its "
				"subnet '%s' is split into one part per "
				"daemon, and the ipv4_address of "
				"services on daemon '%s' falls into "
				"another daemon's part",
				net->key, net->ipam[0].subnet,
				p->hosts[p->networks[i + m].daemon].name);
		taken[part_of[m]] = true;
	}
	for (size_t m = 0; m < k; m++) {
		if (part_of[m] != PLAN_NONE)
			continue;
		while (taken[next])
			next++;
		part_of[m] = next;
		taken[next] = true;
	}
	return 0;
}

/*
 * A user subnet on a network that spans k daemons is split into the
 * smallest power of two of equal parts that is >= k: one subnet cannot
 * live on two bridges that route to each other.  The user's gateway goes
 * to the part that holds it; other parts use their .1.
 */
static int user_subnet_split(struct plan_ctx *c,
			     size_t i,
			     size_t k,
			     struct cidrs *used,
			     struct diag *err)
{
	struct plan *p = c->p;
	const struct compose_network *net = p->networks[i].net;
	size_t parts = 1,
	       *part_of = arena_calloc(p->arena, k + 1, sizeof(size_t));
	int bits = 0, pfx, rc;
	uint32_t base, gw;
	bool has_gw = plan_ip4_parse(
		&gw, net->ipam[0].gateway ? net->ipam[0].gateway : "");

	if (!plan_cidr_parse(&base, &pfx, net->ipam[0].subnet))
		return diag_set(err, DIAG_EPLAN, &net->loc,
				"networks.%s.ipam.config[0].subnet: '%s' is "
				"not an IPv4 subnet",
				net->key, net->ipam[0].subnet);
	for (; parts < k; parts *= 2)
		bits++;
	if (pfx + bits > 29)
		return diag_set(err, DIAG_EPLAN, &net->loc,
				"network '%s' spans %zu daemons and its subnet "
				"'%s' is too small to split into one part per "
				"daemon; widen it or remove ipam.config",
				net->key, k, net->ipam[0].subnet);
	if ((rc = assign_parts(p, i, k, base, pfx, bits, part_of, err)))
		return rc;
	for (size_t m = 0; m < k; m++) {
		struct plan_network *pn = &p->networks[i + m];
		uint32_t part =
			base + (uint32_t)(part_of[m] << (32 - pfx - bits));
		const char *want = plan_cidr_str(p->arena, part, pfx + bits);
		bool gw_here =
			has_gw && plan_cidr_overlap(part, pfx + bits, gw, 32);

		if (pn->action == PLAN_NET_KEEP && pn->subnet &&
		    strcmp(pn->subnet, want))
			return diag_set(
				err, DIAG_EPLAN, &net->loc,
				"network '%s' exists on daemon '%s' with "
				"subnet '%s', not '%s'; run `mixcompose "
				"down` to remove it first",
				pn->name, p->hosts[pn->daemon].name, pn->subnet,
				want);
		set_subnet(p, pn, part, pfx + bits,
			   gw_here ? net->ipam[0].gateway : NULL);
		cidrs_add(p->arena, used, part, pfx + bits);
	}
	return 0;
}

static int
user_subnets(struct plan_ctx *c, struct cidrs *used, struct diag *err)
{
	struct plan *p = c->p;
	int rc;

	for (size_t i = 0, j; i < p->n_networks; i = j) {
		for (j = i; j < p->n_networks &&
			    !strcmp(p->networks[j].key, p->networks[i].key);
		     j++)
			;
		if (!p->networks[i].user_subnet ||
		    p->networks[i].action == PLAN_NET_EXTERNAL)
			continue;
		if ((rc = user_subnet_split(c, i, j - i, used, err)))
			return rc;
	}
	return 0;
}

static int pool_subnet(struct plan_ctx *c,
		       struct plan_network *pn,
		       struct cidrs *used,
		       uint32_t pool,
		       int ppfx,
		       struct diag *err)
{
	struct plan *p = c->p;
	uint64_t count = ppfx <= 24 ? (uint64_t)1 << (24 - ppfx) : 0;

	for (uint64_t k = 0; k < count; k++) {
		uint32_t net = pool + (uint32_t)(k << 8);

		if (cidrs_overlap(used, net, 24))
			continue;
		set_subnet(p, pn, net, 24, NULL);
		cidrs_add(p->arena, used, net, 24);
		return 0;
	}
	return diag_set(err, DIAG_EPLAN, NULL,
			"the address pool '%s' has no free /24 left for "
			"network '%s' on daemon '%s'; set a larger "
			"x-mixcompose.address_pool",
			p->address_pool, pn->name, p->hosts[pn->daemon].name);
}

static int subnets(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	struct cidrs used = {NULL, 0, 0};
	uint32_t pool, net;
	int ppfx, pfx, rc;

	if (!plan_cidr_parse(&pool, &ppfx, p->address_pool) || ppfx > 24)
		return diag_set(err, DIAG_EPLAN, &c->proj->mix.loc,
				"address pool '%s' is not an IPv4 subnet of "
				"/24 or larger",
				p->address_pool);
	/* Every subnet on every daemon is taken, ours and everyone else's. */
	for (size_t d = 0; d < p->n_hosts && !c->opts->offline; d++)
		for (size_t i = 0; i < p->hosts[d].n_networks; i++)
			if (plan_cidr_parse(&net, &pfx,
					    p->hosts[d].networks[i].subnet))
				cidrs_add(p->arena, &used, net, pfx);
	if ((rc = user_subnets(c, &used, err)))
		return rc;
	for (size_t i = 0; i < p->n_networks; i++) {
		struct plan_network *pn = &p->networks[i];

		if (pn->action != PLAN_NET_CREATE || pn->subnet)
			continue;
		if ((rc = pool_subnet(c, pn, &used, pool, ppfx, err)))
			return rc;
	}
	return 0;
}

int plan_networks(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	size_t alloc = 0;
	int rc;

	for (size_t i = 0; i < p->n_services; i++) {
		const struct compose_service *s = p->services[i].svc;
		struct compose_service_network scratch;
		const struct compose_service_network *nets;
		size_t n = plan_service_networks(s, &nets, &scratch);

		for (size_t k = 0; k < n; k++) {
			if (plan_network_index(p, nets[k].name,
					       p->services[i].daemon) !=
			    PLAN_NONE)
				continue;
			rc = net_new(c, &alloc, nets[k].name,
				     p->services[i].daemon, &nets[k].loc, err);
			if (rc)
				return rc;
		}
	}
	if (p->n_networks > 1)
		qsort(p->networks, p->n_networks, sizeof(*p->networks),
		      cmp_net);
	return subnets(c, err);
}

/* ---- Addresses ---------------------------------------------------------- */

struct pool {
	uint32_t net;
	int prefix;
	bool known;
	struct cidrs used; /* /32s */
};

static bool pool_has(const struct pool *pl, uint32_t ip)
{
	return cidrs_overlap(&pl->used, ip, 32);
}

static bool pool_fits(const struct pool *pl, uint32_t ip)
{
	uint32_t bcast = pl->net | ~plan_prefix_mask(pl->prefix);

	return pl->known && plan_cidr_overlap(pl->net, pl->prefix, ip, 32) &&
	       ip != pl->net && ip != bcast && !pool_has(pl, ip);
}

/*
 * The file's ipam aux_addresses are reserved on the network (the daemon
 * hands none of them out): no container is given one.
 */
static void pool_reserve_aux(struct arena *a,
			     struct pool *pl,
			     const struct compose_network *net)
{
	uint32_t ip;

	for (size_t k = 0;
	     net && net->n_ipam && k < net->ipam[0].n_aux_addresses; k++)
		if (plan_ip4_parse(&ip, net->ipam[0].aux_addresses[k].value))
			cidrs_add(a, &pl->used, ip, 32);
}

static struct pool *pools_new(struct plan *p)
{
	struct pool *pools =
		arena_calloc(p->arena, p->n_networks + 1, sizeof(*pools));

	for (size_t i = 0; i < p->n_networks; i++) {
		struct pool *pl = &pools[i];
		uint32_t gw;

		pl->known = plan_cidr_parse(&pl->net, &pl->prefix,
					    p->networks[i].subnet);
		if (pl->known && plan_ip4_parse(&gw, p->networks[i].gateway))
			cidrs_add(p->arena, &pl->used, gw, 32);
		if (pl->known)
			pool_reserve_aux(p->arena, pl, p->networks[i].net);
	}
	return pools;
}

static int
user_addresses(struct plan_ctx *c, struct pool *pools, struct diag *err)
{
	struct plan *p = c->p;

	for (size_t i = 0; i < p->n_containers; i++) {
		struct plan_container *ct = &p->containers[i];

		for (size_t k = 0; k < ct->n_endpoints; k++) {
			struct plan_endpoint *ep = &ct->endpoints[k];
			struct pool *pl = &pools[ep->network];
			const struct plan_network *pn =
				&p->networks[ep->network];
			uint32_t ip;

			if (!ep->user_address)
				continue;
			if (p->services[ct->service].n_containers > 1)
				return diag_set(
					err, DIAG_EPLAN,
					&p->services[ct->service].svc->loc,
					"service '%s' has ipv4_address "
					"'%s' and more than one "
					"container",
					ct->service_name, ep->ipv4);
			if (!plan_ip4_parse(&ip, ep->ipv4) ||
			    (pl->known && !pool_fits(pl, ip)))
				return diag_set(
					err, DIAG_EPLAN,
					&p->services[ct->service].svc->loc,
					"service '%s': ipv4_address '%s' "
					"is not a free address of "
					"network '%s' (%s) on daemon "
					"'%s'",
					ct->service_name, ep->ipv4, pn->name,
					pn->subnet ? pn->subnet : "?",
					p->hosts[pn->daemon].name);
			cidrs_add(p->arena, &pl->used, ip, 32);
		}
	}
	return 0;
}

static const char *existing_ip(const struct plan_host_container *e,
			       const char *net)
{
	for (size_t i = 0; e && i < e->n_networks; i++)
		if (e->networks[i].network &&
		    !strcmp(e->networks[i].network, net) &&
		    e->networks[i].ipv4 && *e->networks[i].ipv4)
			return e->networks[i].ipv4;
	return NULL;
}

/* Pass 1 keeps the current addresses that still fit, pass 2 fills gaps. */
static void auto_addresses(struct plan_ctx *c, struct pool *pools, int pass)
{
	struct plan *p = c->p;

	for (size_t i = 0; i < p->n_containers; i++) {
		struct plan_container *ct = &p->containers[i];

		for (size_t k = 0; k < ct->n_endpoints; k++) {
			struct plan_endpoint *ep = &ct->endpoints[k];
			struct pool *pl = &pools[ep->network];
			const char *old;
			uint32_t ip;

			if (ep->ipv4 || !pl->known ||
			    p->networks[ep->network].action ==
				    PLAN_NET_EXTERNAL)
				continue;
			old = existing_ip(c->existing[i],
					  p->networks[ep->network].name);
			if (pass == 1) {
				if (!old || !plan_ip4_parse(&ip, old) ||
				    !pool_fits(pl, ip))
					continue;
			} else {
				uint32_t last =
					pl->net | ~plan_prefix_mask(pl->prefix);

				for (ip = pl->net + 2;
				     ip < last && !pool_fits(pl, ip); ip++)
					;
				if (ip >= last)
					continue; /* full: the daemon picks */
			}
			ep->ipv4 = plan_ip4_str(p->arena, ip);
			cidrs_add(p->arena, &pl->used, ip, 32);
		}
	}
}

int plan_addresses(struct plan_ctx *c, struct diag *err)
{
	struct pool *pools = pools_new(c->p);
	int rc = user_addresses(c, pools, err);

	if (rc)
		return rc;
	auto_addresses(c, pools, 1);
	auto_addresses(c, pools, 2);
	return 0;
}
