/*
 * The network picture of a plan (plan_graph_network_*): daemons as
 * clusters, each network of a daemon as a node with its subnet, each
 * container as a node tied to every network it is on by an edge that
 * carries its address there, and a route edge between the copies of one
 * network on two daemons.  Both formats draw the same list of nodes and
 * edges (gn_build), so they cannot disagree.  Ids are d<i>, n<i>, c<i>.
 */
#include "planner/planner_int.h"

#include <string.h>

struct gn_node {
	const char *id;
	const char *label; /* lines separated by '\n' */
	size_t daemon;
	bool network;
};

struct gn_edge {
	const char *from, *to, *label;
	bool route; /* between daemons */
};

struct gn {
	struct gn_node *nodes;
	size_t n_nodes;
	struct gn_edge *edges;
	size_t n_edges;
	const char **titles; /* per daemon */
};

/* "unix:///run/x.sock" -> "this host (unix socket)"; tcp/ssh -> host. */
static const char *gn_host(struct arena *a, const char *ep)
{
	const char *h, *end;

	if (!ep)
		return "?";
	if (!strncmp(ep, "unix://", 7) || !strncmp(ep, "npipe://", 8))
		return "this host (local socket)";
	h = strstr(ep, "://");
	h = h ? h + 3 : ep;
	if (strchr(h, '@') && strchr(h, '@') < h + strcspn(h, "/"))
		h = strchr(h, '@') + 1;
	end = h + strcspn(h, ":/");
	return arena_strndup(a, h, (size_t)(end - h));
}

static const char *gn_title(const struct plan *p, const struct plan_host *h)
{
	struct sbuf sb = SBUF_INIT;
	const char *s;

	sbuf_addf(&sb, "daemon %s", h->name);
	if (h->lab)
		sbuf_addf(&sb, " (a %s stand-in for %s)",
			  h->engine_os ? h->engine_os : "linux", h->os);
	sbuf_addf(&sb, "\nhost: %s\nOS %s", gn_host(p->arena, h->endpoint),
		  h->os ? h->os : "?");
	if (h->arch)
		sbuf_addf(&sb, "/%s", h->arch);
	if (h->version)
		sbuf_addf(&sb, ", engine %s", h->version);
	if (h->api_major)
		sbuf_addf(&sb, ", API %d.%d", h->api_major, h->api_minor);
	sbuf_adds(&sb, h->offline ? "\n(planned: not asked)" : "\n(live)");
	s = arena_strdup(p->arena, sb.buf);
	sbuf_release(&sb);
	return s;
}

static void gn_ports(struct sbuf *sb, const struct compose_service *s)
{
	for (size_t i = 0; s && i < s->n_ports; i++) {
		const struct compose_port *pt = &s->ports[i];
		const char *proto = pt->protocol ? pt->protocol : "tcp";

		sbuf_adds(sb, i ? ", " : "\nports ");
		if (pt->published)
			sbuf_addf(sb, "%s%s%s->%u/%s",
				  pt->host_ip ? pt->host_ip : "",
				  pt->host_ip ? ":" : "", pt->published,
				  pt->target, proto);
		else
			sbuf_addf(sb, "%u/%s", pt->target, proto);
	}
}

static const char *gn_container(const struct plan *p,
				const struct plan_container *c)
{
	const struct compose_service *s =
		c->service != PLAN_NONE ? p->services[c->service].svc : NULL;
	struct sbuf sb = SBUF_INIT;
	const char *out;

	sbuf_adds(&sb, c->name);
	if (c->existing_state && c->action != PLAN_ACT_CREATE)
		sbuf_addf(&sb, "\n%s", c->existing_state);
	else
		sbuf_addf(&sb, "\nplanned: %s", plan_action_name(c->action));
	gn_ports(&sb, s);
	for (size_t i = 0; i < c->n_extra_hosts; i++) {
		const struct plan_host_entry *e = &c->extra_hosts[i];

		sbuf_addf(&sb, "\n%s %s -> %s", i ? "     " : "hosts:", e->name,
			  e->late ? "(after start)" : e->ip);
	}
	out = arena_strdup(p->arena, sb.buf);
	sbuf_release(&sb);
	return out;
}

static void gn_node(struct gn *g,
		    const struct plan *p,
		    const char *id,
		    const char *label,
		    size_t daemon,
		    bool network)
{
	g->nodes[g->n_nodes++] = (struct gn_node){arena_strdup(p->arena, id),
						  label, daemon, network};
}

static void gn_edge(struct gn *g,
		    const char *from,
		    const char *to,
		    const char *label,
		    bool route)
{
	g->edges[g->n_edges++] = (struct gn_edge){from, to, label, route};
}

static const char *gn_route(const struct plan *p,
			    const struct plan_network *a,
			    const struct plan_network *b)
{
	if (p->address_mode == PLAN_ADDR_HOST) {
		const char *ha = plan_host_address(p, a->daemon);
		const char *hb = plan_host_address(p, b->daemon);

		if (!ha || !hb || !strcmp(ha, hb))
			return arena_sprintf(
				p->arena,
				"host mode: peers via %s, published ports",
				ha   ? ha
				: hb ? hb
				     : "the host address");
		return arena_sprintf(p->arena,
				     "host mode: peers via %s <-> %s, "
				     "published ports",
				     ha, hb);
	}
	return arena_sprintf(p->arena, "routed: %s <-> %s",
			     a->subnet ? a->subnet : "?",
			     b->subnet ? b->subnet : "?");
}

static void gn_build(struct gn *g, const struct plan *p)
{
	size_t n_ep = 0;

	for (size_t i = 0; i < p->n_containers; i++)
		n_ep += p->containers[i].n_endpoints;
	g->nodes = arena_calloc(p->arena, p->n_networks + p->n_containers + 1,
				sizeof(*g->nodes));
	g->edges =
		arena_calloc(p->arena, n_ep + p->n_networks * p->n_networks + 1,
			     sizeof(*g->edges));
	g->titles = arena_calloc(p->arena, p->n_hosts + 1, sizeof(*g->titles));
	for (size_t d = 0; d < p->n_hosts; d++)
		g->titles[d] = gn_title(p, &p->hosts[d]);
	for (size_t i = 0; i < p->n_networks; i++) {
		const struct plan_network *n = &p->networks[i];

		gn_node(g, p, arena_sprintf(p->arena, "n%zu", i),
			arena_sprintf(p->arena, "network %s\n%s%s%s\n%s",
				      n->name,
				      n->subnet ? n->subnet : "subnet ?",
				      n->gateway ? " gw " : "",
				      n->gateway ? n->gateway : "",
				      n->driver ? n->driver : ""),
			n->daemon, true);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->networks[j].key, n->key) &&
			    p->networks[j].daemon != n->daemon)
				gn_edge(g, arena_sprintf(p->arena, "n%zu", j),
					arena_sprintf(p->arena, "n%zu", i),
					gn_route(p, &p->networks[j], n), true);
	}
	for (size_t i = 0; i < p->n_containers; i++) {
		const struct plan_container *c = &p->containers[i];
		const char *id = arena_sprintf(p->arena, "c%zu", i);

		if (c->action == PLAN_ACT_REMOVE)
			continue;
		gn_node(g, p, id, gn_container(p, c), c->daemon, false);
		for (size_t k = 0; k < c->n_endpoints; k++)
			gn_edge(g, id,
				arena_sprintf(p->arena, "n%zu",
					      c->endpoints[k].network),
				c->endpoints[k].ipv4 ? c->endpoints[k].ipv4
						     : "address after start",
				false);
	}
}

/* Mermaid: '"' as #quot;, a line break as <br/>. */
static void gn_mermaid_text(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			sbuf_adds(out, "#quot;");
		else if (*s == '\n')
			sbuf_adds(out, "<br/>");
		else
			sbuf_addch(out, *s);
	}
}

void plan_graph_network_mermaid(struct sbuf *out, const struct plan *p)
{
	struct gn g = {0};

	gn_build(&g, p);
	sbuf_adds(out, "flowchart LR\n");
	for (size_t d = 0; d < p->n_hosts; d++) {
		sbuf_addf(out, "  subgraph d%zu[\"", d);
		gn_mermaid_text(out, g.titles[d]);
		sbuf_adds(out, "\"]\n");
		for (size_t i = 0; i < g.n_nodes; i++) {
			if (g.nodes[i].daemon != d)
				continue;
			sbuf_addf(out, "    %s%s\"", g.nodes[i].id,
				  g.nodes[i].network ? "{{" : "[");
			gn_mermaid_text(out, g.nodes[i].label);
			sbuf_addf(out, "\"%s\n",
				  g.nodes[i].network ? "}}" : "]");
		}
		sbuf_adds(out, "  end\n");
	}
	for (size_t i = 0; i < g.n_edges; i++) {
		sbuf_addf(out, "  %s %s|\"", g.edges[i].from,
			  g.edges[i].route ? "<==>" : "---");
		gn_mermaid_text(out, g.edges[i].label);
		sbuf_addf(out, "\"| %s\n", g.edges[i].to);
	}
}

/* DOT: a quoted string, '\n' as the line break escape. */
static void gn_dot_str(struct sbuf *out, const char *s)
{
	sbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_addch(out, '\\');
		if (*s == '\n')
			sbuf_adds(out, "\\n");
		else
			sbuf_addch(out, *s);
	}
	sbuf_addch(out, '"');
}

void plan_graph_network_dot(struct sbuf *out, const struct plan *p)
{
	struct gn g = {0};

	gn_build(&g, p);
	sbuf_adds(out, "graph ");
	gn_dot_str(out, p->project_name);
	sbuf_adds(out, " {\n  rankdir=LR;\n  node [shape=box];\n");
	for (size_t d = 0; d < p->n_hosts; d++) {
		sbuf_addf(out, "  subgraph cluster_d%zu {\n    label=", d);
		gn_dot_str(out, g.titles[d]);
		sbuf_adds(out, ";\n");
		for (size_t i = 0; i < g.n_nodes; i++) {
			if (g.nodes[i].daemon != d)
				continue;
			sbuf_addf(out, "    %s [label=", g.nodes[i].id);
			gn_dot_str(out, g.nodes[i].label);
			sbuf_adds(out, g.nodes[i].network
					       ? ", shape=hexagon];\n"
					       : "];\n");
		}
		sbuf_adds(out, "  }\n");
	}
	for (size_t i = 0; i < g.n_edges; i++) {
		sbuf_addf(out, "  %s -- %s [label=", g.edges[i].from,
			  g.edges[i].to);
		gn_dot_str(out, g.edges[i].label);
		sbuf_adds(out,
			  g.edges[i].route
				  ? ", style=\"dashed,bold\", penwidth=2];\n"
				  : "];\n");
	}
	sbuf_adds(out, "}\n");
}
