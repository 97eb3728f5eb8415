#ifndef PLANNER_PLANNER_INT_H
#define PLANNER_PLANNER_INT_H

/* Shared by the files of planner/ only. */

#include <stdint.h>

#include "planner/planner.h"
#include "util/arena.h"

/* The state of one plan_build() run. */
struct plan_ctx {
	struct plan *p;
	const struct compose_project *proj;
	const struct plan_options *opts;
	struct plan_options defaults;
	/* existing[c]: the current container for planned container c, or NULL.
	 */
	const struct plan_host_container **existing;
	/* Which existing containers a planned one took: taken[d][i]. */
	bool **taken;
	size_t warn_alloc; /* p->warnings' capacity */
};

/* route.c: fills services[].daemon, .reason, .platform. */
int plan_route(struct plan_ctx *c, struct diag *err);
/* build.c: each service's image and when it is built (after routing). */
void plan_builds(struct plan_ctx *c);

/* graph.c: edges, cycle check, order, levels, selection. */
int plan_graph(struct plan_ctx *c, struct diag *err);

/*
 * graph.c, after converge: warns about optional dependencies of selected
 * services that have no container at all (not selected, none existing).
 */
void plan_graph_warnings(struct plan_ctx *c);

/* containers.c: containers with names and endpoints (IPs still NULL). */
int plan_containers(struct plan_ctx *c, struct diag *err);
/* containers.c: labels and config hashes, once addresses are known. */
void plan_containers_finish(struct plan_ctx *c);
/* containers.c: the canonical text that the config hash is taken of. */
void plan_container_canonical(struct sbuf *out,
			      const struct plan *p,
			      const struct plan_container *ct);

/* ipam.c: networks per daemon (before containers) and their subnets. */
int plan_networks(struct plan_ctx *c, struct diag *err);
/* ipam.c: every endpoint's address (after containers). */
int plan_addresses(struct plan_ctx *c, struct diag *err);
/* ipam.c: the plan_network index of (key, daemon), or PLAN_NONE. */
size_t plan_network_index(const struct plan *p, const char *key, size_t daemon);

/* volumes.c: named volumes per daemon. */
int plan_volumes(struct plan_ctx *c, struct diag *err);

/* converge.c: actions against the current state, orphans. */
int plan_converge(struct plan_ctx *c, struct diag *err);

/*
 * pull.c: services[].pull and .pull_reason (after converge: a missing
 * image under 'never' is an error only where a container is created).
 */
int plan_pull(struct plan_ctx *c, struct diag *err);
/* pull.c: appends a formatted line to p->warnings. */
void plan_warn(struct plan_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* hosts.c: the hosts table and each container's entries. */
int plan_hosts(struct plan_ctx *c, struct diag *err);
/*
 * hosts.c: the first entry of 'ct' that the label of an existing container
 * ("name=ip,...") maps to another address, as "api 10.0.0.2 -> 10.0.1.2"
 * in 'a'; NULL when none is stale (names only on one side do not count).
 * ct's entries are sorted by name, each name once (collect_entries).
 */
const char *plan_hosts_stale(struct arena *a,
			     const struct plan_container *ct,
			     const char *label);

/*
 * hosts.c: what differs between the entries of 'ct' and the label of its
 * existing container, names included ("+web-2 -web-3 api 10.0.0.2 ->
 * 10.0.1.2", in 'a'), or NULL; the label's names that 'ct' lost go to
 * '*gone'.  A NULL label (made before the label) is never different.
 */
const char *plan_hosts_changed(struct compose_strv *gone,
			       struct arena *a,
			       const struct plan_container *ct,
			       const char *label);

/* hash.c: lower-case hex SHA-256 of 'len' bytes, in 'a'. */
const char *plan_sha256_hex(struct arena *a, const void *data, size_t len);

/* ip.c: IPv4 helpers. */
bool plan_ip4_parse(uint32_t *out, const char *s);
bool plan_cidr_parse(uint32_t *net, int *prefix, const char *s);
const char *plan_ip4_str(struct arena *a, uint32_t ip);
const char *plan_cidr_str(struct arena *a, uint32_t net, int prefix);
uint32_t plan_prefix_mask(int prefix);
bool plan_cidr_overlap(uint32_t a, int pa, uint32_t b, int pb);

/* A growing arena array (old blocks are left behind in the arena). */
void *
plan_grow(struct arena *a, void *old, size_t n, size_t *alloc, size_t size);
void plan_strv_push(struct arena *a,
		    struct compose_strv *v,
		    size_t *alloc,
		    const char *s);
bool plan_strv_has(const struct compose_strv *v, const char *s);
void plan_strv_sort(struct compose_strv *v);

/* The effective project network key list of a service ("default" if none). */
size_t plan_service_networks(const struct compose_service *s,
			     const struct compose_service_network **out,
			     struct compose_service_network *scratch);
/* A project network by key (NULL if absent; the default may be absent). */
const struct compose_network *plan_network_find(const struct compose_project *p,
						const char *key);
/* A service of the project by name (NULL if absent). */
const struct compose_service *
plan_model_service(const struct compose_project *p, const char *name);
/* network_mode "service:x" -> "x", else NULL. */
const char *plan_mode_service(const char *network_mode);
/* The engine OS of a host (engine_os, else os). */
const char *plan_host_engine_os(const struct plan_host *h);
/* Windows escaping for cmd: ^ before each of ^ & | < > ( ) %. */
void plan_cmd_escape(struct sbuf *out, const char *s);

#endif
