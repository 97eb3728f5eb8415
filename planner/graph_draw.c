/*
 * Drawings of the dependency graph: services grouped by daemon, an arrow
 * from each service to what it needs, labelled with the condition.  Edges
 * that cross daemons (where no Docker DNS helps and host entries do the
 * work) are drawn thick in Mermaid and dashed and bold in DOT, and say
 * "cross-daemon".  Node ids are s<index> and d<index>, so any service name
 * is safe; names appear only inside quoted labels.
 */
#include "planner/planner_int.h"

#include <string.h>

static const char *daemon_title(struct arena *a, const struct plan_host *h)
{
	if (h->lab)
		return arena_sprintf(a, "%s (stand-in)", h->name);
	return arena_sprintf(a, "%s (%s)", h->name, h->os ? h->os : "?");
}

/* "service_healthy", "service_started, links, cross-daemon". */
static const char *edge_label(const struct plan *p, const struct plan_edge *e)
{
	bool dep = e->kind == PLAN_DEP_DEPENDS_ON;

	return arena_sprintf(p->arena, "%s%s%s%s", e->condition,
			     dep ? "" : ", ",
			     dep ? "" : plan_dep_kind_name(e->kind),
			     e->cross_daemon ? ", cross-daemon" : "");
}

/* Mermaid labels in "..." take anything but '"'; '#quot;' is its escape. */
static void mermaid_text(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			sbuf_adds(out, "#quot;");
		else
			sbuf_addch(out, *s);
	}
}

void plan_graph_mermaid(struct sbuf *out, const struct plan *p)
{
	sbuf_adds(out, "flowchart LR\n");
	for (size_t d = 0; d < p->n_hosts; d++) {
		sbuf_addf(out, "  subgraph d%zu[\"", d);
		mermaid_text(out, daemon_title(p->arena, &p->hosts[d]));
		sbuf_adds(out, "\"]\n");
		for (size_t i = 0; i < p->n_services; i++) {
			if (p->services[i].daemon != d)
				continue;
			sbuf_addf(out, "    s%zu[\"", i);
			mermaid_text(out, p->services[i].name);
			if (p->services[i].build)
				sbuf_adds(out, " (build)");
			sbuf_adds(out, "\"]\n");
		}
		sbuf_adds(out, "  end\n");
	}
	for (size_t k = 0; k < p->n_edges; k++) {
		const struct plan_edge *e = &p->edges[k];

		sbuf_addf(out, "  s%zu %s|\"", e->from,
			  e->cross_daemon ? "==>" : "-->");
		mermaid_text(out, edge_label(p, e));
		sbuf_addf(out, "\"| s%zu\n", e->to);
	}
}

static void dot_str(struct sbuf *out, const char *s)
{
	sbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_addch(out, '\\');
		sbuf_addch(out, *s);
	}
	sbuf_addch(out, '"');
}

void plan_graph_dot(struct sbuf *out, const struct plan *p)
{
	sbuf_adds(out, "digraph ");
	dot_str(out, p->project_name);
	sbuf_adds(out, " {\n  rankdir=LR;\n  node [shape=box];\n");
	for (size_t d = 0; d < p->n_hosts; d++) {
		sbuf_addf(out, "  subgraph cluster_d%zu {\n    label=", d);
		dot_str(out, daemon_title(p->arena, &p->hosts[d]));
		sbuf_adds(out, ";\n");
		for (size_t i = 0; i < p->n_services; i++) {
			if (p->services[i].daemon != d)
				continue;
			sbuf_addf(out, "    s%zu [label=", i);
			dot_str(out,
				p->services[i].build
					? arena_sprintf(p->arena, "%s (build)",
							p->services[i].name)
					: p->services[i].name);
			sbuf_adds(out, "];\n");
		}
		sbuf_adds(out, "  }\n");
	}
	for (size_t k = 0; k < p->n_edges; k++) {
		const struct plan_edge *e = &p->edges[k];
		const char *label = edge_label(p, e);

		sbuf_addf(out, "  s%zu -> s%zu [label=", e->from, e->to);
		dot_str(out, label);
		if (e->cross_daemon)
			sbuf_adds(out, ", style=\"dashed,bold\", penwidth=2");
		sbuf_adds(out, "];\n");
	}
	sbuf_adds(out, "}\n");
}
