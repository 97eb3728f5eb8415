#ifndef TESTS_PLANNER_MODEL_UTIL_H
#define TESTS_PLANNER_MODEL_UTIL_H

/*
 * Builds compose models and daemon states by hand for the planner tests,
 * so that they need neither the loader nor a daemon.  Everything lives in
 * the project's arena; mu_free() releases it.  Services are kept sorted by
 * name (as the loader does) by mu_done(), which must be called last.
 */

#include "compose/compose.h"
#include "planner/planner.h"

#define MU_MAX 64

struct compose_project *mu_project(const char *name);
void mu_free(struct compose_project *p);
/* Sorts services and networks by name; call before plan_build. */
void mu_done(struct compose_project *p);

/* A service with image "img:<name>", scale 1, loc line = 10 + index. */
struct compose_service *mu_service(struct compose_project *p, const char *name);
void mu_platform(struct compose_project *p,
		 struct compose_service *s,
		 const char *platform);
void mu_depends(struct compose_project *p,
		struct compose_service *s,
		const char *on,
		const char *condition,
		int line);
/* Attaches to network 'key' (ipv4 and one alias optional). */
void mu_attach(struct compose_project *p,
	       struct compose_service *s,
	       const char *key,
	       const char *ipv4,
	       const char *alias);
void mu_link(struct compose_project *p,
	     struct compose_service *s,
	     const char *link);
void mu_env(struct compose_project *p,
	    struct compose_service *s,
	    const char *key,
	    const char *value);
/* A top-level network (subnet optional). */
struct compose_network *
mu_network(struct compose_project *p, const char *key, const char *subnet);
/* A top-level named volume, and a service mount of it at 'target'. */
struct compose_volume *mu_volume(struct compose_project *p, const char *key);
void mu_mount(struct compose_project *p,
	      struct compose_service *s,
	      const char *key,
	      const char *target);
void mu_declare_daemon(struct compose_project *p,
		       const char *name,
		       const char *os,
		       bool lab);

/* Daemon state, allocated in 'a'. */
struct plan_host mu_host(const char *name, const char *os, const char *arch);
void mu_host_net(struct arena *a,
		 struct plan_host *h,
		 const char *name,
		 const char *subnet,
		 const char *project);
struct plan_host_container *mu_host_ctr(struct arena *a,
					struct plan_host *h,
					const char *name,
					const char *service,
					int number,
					const char *hash,
					const char *state);
void mu_ctr_net(struct arena *a,
		struct plan_host_container *c,
		const char *net,
		const char *ip);

/* The planned container by name, or NULL. */
const struct plan_container *mu_ctr(const struct plan *p, const char *name);
/* The address of 'name' in the container's extra hosts, or NULL. */
const char *mu_entry(const struct plan_container *c, const char *name);

#endif
