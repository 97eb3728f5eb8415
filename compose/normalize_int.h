#ifndef COMPOSE_NORMALIZE_INT_H
#define COMPOSE_NORMALIZE_INT_H

/* Shared by the compose/normalize*.c files only. */

#include "compose/load_int.h"

struct norm {
	struct compose_project *p;
	struct arena *a;
	struct diag_list *dl;
	const char *svc; /* the service being normalized, for key paths */
	/*
	 * norm_service_keys()' scratch row of compose_keys[] values, and the
	 * all-unset row that every service without such keys shares (at
	 * 5000 services, a row each took 36 MB).  Both made on first use.
	 */
	struct compose_keyval *keys_scratch, *keys_unset;
};

/*
 * Adds an error at 'at' (a node, may be NULL); the message is prefixed
 * with "services.<svc>." while a service is being normalized.
 */
void norm_err(struct norm *n,
	      const struct compose_node *at,
	      const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));
void norm_errl(struct norm *n, const struct diag_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * build.cache_to and build.entitlements of the long build syntax 'v' into
 * 'b' (normalize_buildkit.c): what needs the daemon's BuildKit, and the
 * refusal of what the Engine's /build API cannot do.
 */
void norm_build_buildkit(struct norm *n,
			 struct compose_build *b,
			 const struct compose_node *v);

/* A scalar's text (numbers and booleans as written); NULL otherwise. */
const char *norm_str(const struct compose_node *n);
/* A string-valued key of map 'm', NULL when absent or null. */
const char *norm_key_str(const struct compose_node *m, const char *key);
/* true/false; 'def' when absent; errors name 'what'. */
bool norm_bool(struct norm *n,
	       const struct compose_node *m,
	       const char *key,
	       bool def);
/* -1 when absent. */
int norm_tristate(struct norm *n,
		  const struct compose_node *m,
		  const char *key);
/* A duration key in ns, -1 when absent; errors name 'what'. */
long long norm_duration(struct norm *n,
			const struct compose_node *m,
			const char *key,
			const char *what);
/* A string or a list of strings. */
struct compose_strv
norm_strv(struct norm *n, const struct compose_node *v, const char *what);
/*
 * A list of "K=V" (or "K:V" when 'seps' has ':') or a map, into kv pairs.
 * A bare "K" or a null map value is NULL, or taken from the project's
 * environment when 'from_env'.  Later keys replace earlier ones.
 */
size_t norm_kv(struct norm *n,
	       struct compose_kv **out,
	       const struct compose_node *v,
	       const char *what,
	       const char *seps,
	       bool from_env);

/*
 * A ulimits map 'v' (NAME: N or NAME: {soft: N, hard: N}) into '*out',
 * sorted by name; returns the count.  Errors name 'what' ("ulimits").
 */
size_t norm_ulimits(struct norm *n,
		    struct compose_ulimit **out,
		    const struct compose_node *v,
		    const char *what);

/* A service hook's mapping 'v' (command, user, ...) into 'h'. */
void norm_hook(struct norm *n,
	       struct compose_hook *h,
	       const struct compose_node *v,
	       const char *what);

/* The per-topic parts of a service. */
void norm_service_env(struct norm *n,
		      struct compose_service *s,
		      const struct compose_node *svc);
/* extra_hosts node 'v' (may be NULL): one entry per address. */
void norm_service_hosts(struct norm *n,
			struct compose_service *s,
			const struct compose_node *v);
void norm_service_ports(struct norm *n,
			struct compose_service *s,
			const struct compose_node *v);
void norm_service_volumes(struct norm *n,
			  struct compose_service *s,
			  const struct compose_node *v);
void norm_service_main(struct norm *n,
		       struct compose_service *s,
		       const struct compose_node *svc);
/* compose_keys[] into s->keys (compose/keys.c). */
void norm_service_keys(struct norm *n,
		       struct compose_service *s,
		       const struct compose_node *svc);
/* develop (compose/normalize_develop.c). */
void norm_service_develop(struct norm *n,
			  struct compose_service *s,
			  const struct compose_node *v);
/* Top-level secrets and configs, then a service's references to them. */
void norm_files(struct norm *n, const struct compose_node *doc);
void norm_service_files(struct norm *n,
			struct compose_service *s,
			const struct compose_node *svc);
void norm_service_links(struct norm *n,
			struct compose_service *s,
			const struct compose_node *svc);

/* Top-level networks, volumes and x-mixcompose. */
void norm_networks(struct norm *n, const struct compose_node *doc);
void norm_volumes(struct norm *n, const struct compose_node *doc);
void norm_mix(struct norm *n, const struct compose_node *doc);

#endif
