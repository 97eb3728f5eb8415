/*
 * The plan for a person: which daemon runs what and why, the networks and
 * their subnets on each daemon, the addresses, what each name resolves to
 * from each daemon and how the entry gets there, the start order and the
 * actions.  Written so that someone new to mixed-OS Docker can follow the
 * architecture from this text alone.
 */
#include "planner/planner_int.h"

#include <string.h>

struct style {
	const char *bold, *dim, *green, *yellow, *red, *cyan, *off;
};

static const struct style plain = {"", "", "", "", "", "", ""};
static const struct style ansi = {"\033[1m",  "\033[2m",  "\033[32m",
				  "\033[33m", "\033[31m", "\033[36m",
				  "\033[0m"};

static const char *mech_text(const struct plan_host *h)
{
	return strcmp(plan_host_engine_os(h), "windows")
		       ? "ExtraHosts at create"
		       : "archive API before start, else exec after start "
			 "(hosts block in " PLAN_HOSTS_PATH_WINDOWS ")";
}

static void host_title(struct sbuf *out, const struct plan_host *h)
{
	sbuf_addf(out, "%s/%s", h->os ? h->os : "?", h->arch ? h->arch : "?");
	if (h->api_major || h->api_minor)
		sbuf_addf(out, ", API %d.%d", h->api_major, h->api_minor);
	if (h->lab)
		sbuf_addf(out, ", stand-in for %s (the engine runs %s)",
			  h->os ? h->os : "?", plan_host_engine_os(h));
	if (h->offline)
		sbuf_adds(out, ", not asked (declared)");
}

static void
daemons(struct sbuf *out, const struct plan *p, const struct style *st)
{
	sbuf_addf(out, "%sDaemons and the services they run%s\n", st->bold,
		  st->off);
	for (size_t d = 0; d < p->n_hosts; d++) {
		sbuf_addf(out, "  %s%s%s  (", st->cyan, p->hosts[d].name,
			  st->off);
		host_title(out, &p->hosts[d]);
		sbuf_adds(out, ")\n");
		for (size_t i = 0; i < p->n_services; i++) {
			const struct plan_service *s = &p->services[i];

			if (s->daemon != d)
				continue;
			sbuf_addf(out, "    %-14s %s%s%s%s\n", s->name, st->dim,
				  s->reason,
				  s->selected ? "" : " (not selected)",
				  st->off);
		}
	}
}

static const char *net_action(enum plan_net_action a)
{
	return a == PLAN_NET_CREATE ? "create"
	       : a == PLAN_NET_KEEP ? "exists, kept"
				    : "external";
}

static void
networks(struct sbuf *out, const struct plan *p, const struct style *st)
{
	sbuf_addf(out,
		  "\n%sNetworks (one per daemon, subnets never overlap)%s\n",
		  st->bold, st->off);
	for (size_t i = 0; i < p->n_networks; i++) {
		const struct plan_network *n = &p->networks[i];

		sbuf_addf(out,
			  "  %-10s on %-10s %-22s %-16s gw %-14s %-7s %s%s\n",
			  n->key, p->hosts[n->daemon].name, n->name,
			  n->subnet ? n->subnet : "(daemon's)",
			  n->gateway ? n->gateway : "?", n->driver,
			  net_action(n->action),
			  n->user_subnet ? ", subnet from ipam.config" : "");
	}
}

static void
volumes(struct sbuf *out, const struct plan *p, const struct style *st)
{
	if (!p->n_volumes)
		return;
	sbuf_addf(out,
		  "\n%sVolumes (a volume lives on one daemon; each "
		  "daemon that mounts it gets its own)%s\n",
		  st->bold, st->off);
	for (size_t i = 0; i < p->n_volumes; i++) {
		const struct plan_volume *v = &p->volumes[i];

		sbuf_addf(out, "  %-10s on %-10s %-22s %s\n", v->key,
			  p->hosts[v->daemon].name, v->name,
			  net_action(v->action));
	}
}

static void
addresses(struct sbuf *out, const struct plan *p, const struct style *st)
{
	sbuf_addf(out, "\n%sAddresses (planned before anything starts)%s\n",
		  st->bold, st->off);
	for (size_t i = 0; i < p->n_containers; i++) {
		const struct plan_container *c = &p->containers[i];

		if (c->action == PLAN_ACT_REMOVE)
			continue;
		sbuf_addf(out, "  %-22s on %-10s", c->name,
			  p->hosts[c->daemon].name);
		if (!c->n_endpoints)
			sbuf_addf(out, " network_mode %s",
				  p->services[c->service].svc->network_mode);
		for (size_t k = 0; k < c->n_endpoints; k++)
			sbuf_addf(out, " %s=%s",
				  p->networks[c->endpoints[k].network].key,
				  c->endpoints[k].ipv4 ? c->endpoints[k].ipv4
						       : "(at start)");
		sbuf_addch(out, '\n');
	}
}

static void
hosts_table(struct sbuf *out, const struct plan *p, const struct style *st)
{
	sbuf_addf(out,
		  "\n%sNames: what each resolves to, seen from each daemon%s\n",
		  st->bold, st->off);
	sbuf_addf(out, "  %-22s %-15s %-12s", "NAME", "KIND", "NETWORK");
	for (size_t d = 0; d < p->n_hosts; d++)
		sbuf_addf(out, " FROM %-16s", p->hosts[d].name);
	sbuf_addch(out, '\n');
	for (size_t i = 0; i < p->n_hosts_table; i++) {
		const struct plan_hosts_row *r = &p->hosts_table[i];

		sbuf_addf(out, "  %-22s %-15s %-12s", r->name, r->kind,
			  r->network);
		for (size_t d = 0; d < p->n_hosts; d++)
			sbuf_addf(out, " %-21s",
				  r->addr[d] ? r->addr[d] : "(late)");
		sbuf_addch(out, '\n');
	}
	sbuf_addf(out, "  There is no DNS across daemons, so every container "
		       "gets the names of the containers it\n  shares a "
		       "network with, at their address on that network:\n");
	for (size_t d = 0; d < p->n_hosts; d++)
		sbuf_addf(out, "    on %-10s %s\n", p->hosts[d].name,
			  mech_text(&p->hosts[d]));
	if (p->address_mode == PLAN_ADDR_HOST) {
		sbuf_adds(out, "  Address mode host: names on another daemon "
			       "resolve to that daemon's host address (");
		for (size_t d = 0; d < p->n_hosts; d++)
			sbuf_addf(out, "%s%s %s", d ? ", " : "",
				  p->hosts[d].name,
				  plan_host_address(p, d)
					  ? plan_host_address(p, d)
					  : "?");
		sbuf_adds(out, ") and traffic goes through published "
			       "ports.\n");
	}
}

static void
order(struct sbuf *out, const struct plan *p, const struct style *st)
{
	sbuf_addf(out,
		  "\n%sStart order (each service starts as soon as what "
		  "it needs meets its condition)%s\n",
		  st->bold, st->off);
	for (size_t k = 0; k < p->n_order; k++) {
		size_t i = p->order[k];
		bool first = true;

		sbuf_addf(out, "  %zu. %-14s on %-10s",
			  p->services[i].level + 1, p->services[i].name,
			  p->hosts[p->services[i].daemon].name);
		for (size_t e = 0; e < p->n_edges; e++) {
			const struct plan_edge *ed = &p->edges[e];

			if (ed->from != i)
				continue;
			sbuf_addf(out, "%s%s %s%s", first ? " after " : ", ",
				  p->services[ed->to].name, ed->condition,
				  ed->cross_daemon ? " (cross-daemon)" : "");
			first = false;
		}
		sbuf_addch(out, '\n');
	}
}

/* The entry for 'name' that service 'si''s first container has, or NULL. */
static const struct plan_host_entry *
entry_of(const struct plan *p, size_t si, const char *name)
{
	const struct plan_service *s = &p->services[si];
	const struct plan_container *c;

	if (!s->n_containers)
		return NULL;
	c = &p->containers[s->first_container];
	for (size_t i = 0; i < c->n_extra_hosts; i++)
		if (!strcmp(c->extra_hosts[i].name, name))
			return &c->extra_hosts[i];
	return NULL;
}

static const char *first_subnet(const struct plan *p, size_t si)
{
	const struct plan_service *s = &p->services[si];
	const struct plan_container *c;

	if (!s->n_containers)
		return "?";
	c = &p->containers[s->first_container];
	if (!c->n_endpoints || !p->networks[c->endpoints[0].network].subnet)
		return "?";
	return p->networks[c->endpoints[0].network].subnet;
}

/* Each dependency between daemons: how the name resolves and the path. */
static void
cross(struct sbuf *out, const struct plan *p, const struct style *st)
{
	bool any = false;

	for (size_t k = 0; k < p->n_edges; k++) {
		const struct plan_edge *e = &p->edges[k];
		const struct plan_service *f = &p->services[e->from];
		const struct plan_service *t = &p->services[e->to];
		const struct plan_host_entry *en =
			entry_of(p, e->from, t->name);
		const char *addr = en ? en->ip : NULL;

		if (!e->cross_daemon)
			continue;
		if (!any)
			sbuf_addf(out, "\n%sTraffic between daemons%s\n",
				  st->bold, st->off);
		any = true;
		sbuf_addf(out, "  %s on %s -> %s on %s\n", f->name,
			  p->hosts[f->daemon].name, t->name,
			  p->hosts[t->daemon].name);
		if (!en) {
			sbuf_addf(out,
				  "      '%s' is not a name for %s: they "
				  "share no network\n",
				  t->name, f->name);
			continue;
		}
		sbuf_addf(out, "      '%s' is %s for %s (%s)\n", t->name,
			  addr ? addr : "known only after start", f->name,
			  strcmp(plan_host_engine_os(&p->hosts[f->daemon]),
				 "windows")
				  ? "ExtraHosts at create"
				  : "hosts block written before start");
		if (p->address_mode == PLAN_ADDR_HOST)
			sbuf_adds(out,
				  "      packets go to the host and through "
				  "the ports it publishes\n");
		else
			sbuf_addf(out,
				  "      packets are routed from %s to %s\n",
				  first_subnet(p, e->from),
				  first_subnet(p, e->to));
	}
}

static const char *action_color(const struct style *st, enum plan_action a)
{
	switch (a) {
	case PLAN_ACT_CREATE:
		return st->green;
	case PLAN_ACT_RECREATE:
	case PLAN_ACT_START:
	case PLAN_ACT_RESTART:
		return st->yellow;
	case PLAN_ACT_REMOVE:
		return st->red;
	default:
		return st->dim;
	}
}

static void
actions(struct sbuf *out, const struct plan *p, const struct style *st)
{
	sbuf_addf(out, "\n%sActions%s\n", st->bold, st->off);
	for (size_t i = 0; i < p->n_services; i++) {
		const struct plan_service *s = &p->services[i];

		if (!s->build || !s->selected)
			continue;
		sbuf_addf(out, "  %s%-8s%s  %-22s on %-10s %s, from %s\n",
			  st->yellow, "build", st->off, s->image,
			  p->hosts[s->daemon].name,
			  plan_build_when_name(s->build),
			  s->svc->build->context);
	}
	for (size_t i = 0; i < p->n_containers; i++) {
		const struct plan_container *c = &p->containers[i];

		sbuf_addf(out, "  %s%-8s%s  %-22s on %-10s %s\n",
			  action_color(st, c->action),
			  plan_action_name(c->action), st->off, c->name,
			  p->hosts[c->daemon].name, c->reason);
	}
	for (size_t i = 0; i < p->orphan_warnings.n; i++)
		sbuf_addf(out,
			  "  %swarning%s: orphan left in place (use "
			  "--remove-orphans): %s\n",
			  st->yellow, st->off, p->orphan_warnings.v[i]);
	for (size_t i = 0; i < p->warnings.n; i++)
		sbuf_addf(out, "  %swarning%s: %s\n", st->yellow, st->off,
			  p->warnings.v[i]);
}

/* Padded columns leave spaces at line ends; drop them from 'start' on. */
static void rtrim_lines(struct sbuf *out, size_t start)
{
	size_t w = start;

	for (size_t r = start; r < out->len; r++) {
		if (out->buf[r] == '\n')
			while (w > start && out->buf[w - 1] == ' ')
				w--;
		out->buf[w++] = out->buf[r];
	}
	while (w > start && out->buf[w - 1] == ' ')
		w--;
	sbuf_setlen(out, w);
}

void plan_describe(struct sbuf *out, const struct plan *p, bool color)
{
	const struct style *st = color ? &ansi : &plain;
	size_t start = out->len;

	sbuf_addf(out,
		  "%sProject '%s'%s: %zu service(s) on %zu daemon(s), "
		  "address mode %s, pool %s\n\n",
		  st->bold, p->project_name, st->off, p->n_services, p->n_hosts,
		  p->address_mode == PLAN_ADDR_HOST ? "host" : "container",
		  p->address_pool);
	daemons(out, p, st);
	networks(out, p, st);
	volumes(out, p, st);
	addresses(out, p, st);
	hosts_table(out, p, st);
	cross(out, p, st);
	order(out, p, st);
	actions(out, p, st);
	rtrim_lines(out, start);
}

void plan_hosts_describe(struct sbuf *out, const struct plan *p)
{
	size_t start = out->len;

	hosts_table(out, p, &plain);
	rtrim_lines(out, start);
}
