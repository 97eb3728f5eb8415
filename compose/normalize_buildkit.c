/*
 * build.cache_to and build.entitlements: the two build keys that only the
 * daemon's BuildKit acts on.  mixcompose reaches BuildKit through the
 * Engine's POST /build (version=2), whose builder-next turns the query
 * into a solve: it exports only the inline cache (the build arg
 * BUILDKIT_INLINE_CACHE) and grants network.host only with networkmode
 * host.  What it cannot do is refused (compose_build.refused_why) the way
 * compose v2 with buildx's docker driver refuses it.
 */
#include "compose/normalize_int.h"

#include <string.h>

#include "util/arena.h"

/* The value of CSV field 'name' ("name=value,...") of 's'; NULL: none. */
static const char *csv_field(struct arena *a, const char *s, const char *name)
{
	size_t nl = strlen(name);

	while (*s) {
		size_t len;

		s += strspn(s, " \t");
		len = strcspn(s, ",");
		if (len > nl + 1 && !strncmp(s, name, nl) && s[nl] == '=') {
			while (len > nl + 1 &&
			       (s[len - 1] == ' ' || s[len - 1] == '\t'))
				len--;
			return arena_strndup(a, s + nl + 1, len - nl - 1);
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return NULL;
}

/*
 * The type of a cache_to or cache_from entry as buildx reads it: a bare
 * NAME is a registry reference, else CSV fields "type=T,key=value,...";
 * NULL when no field names the type.
 */
static const char *cache_type(struct arena *a, const char *s)
{
	return strchr(s, '=') ? csv_field(a, s, "type") : "registry";
}

/* Refuses key 'key' (below build.) at 'at' for 'why', if none is yet. */
static void refuse(struct compose_build *b,
		   const char *key,
		   const struct compose_node *at,
		   const char *why)
{
	if (b->refused)
		return;
	b->refused = key;
	b->refused_why = why;
	b->refused_loc = compose_node_loc(at);
}

static void
need(struct compose_build *b, const char *key, const struct compose_pair *p)
{
	if (b->buildkit)
		return;
	b->buildkit = key;
	b->buildkit_loc = compose_node_loc(p->key);
}

static void norm_cache_to(struct norm *n,
			  struct compose_build *b,
			  const struct compose_pair *p)
{
	const struct compose_node *v = p->value;

	for (uint32_t i = 0; v->kind == COMPOSE_NODE_SEQ && i < v->n; i++) {
		const char *s = norm_str(v->items[i]);
		const char *key = arena_sprintf(n->a, "cache_to[%u]", i);
		const char *type;

		if (!s || !*s)
			continue;
		type = cache_type(n->a, s);
		if (type && !strcmp(type, "inline")) {
			b->inline_cache = true;
			need(b, "cache_to", p);
		} else if (!type) {
			refuse(b, key, v->items[i],
			       arena_sprintf(n->a,
					     "'%s' names no cache type "
					     "(type=inline)",
					     s));
		} else {
			refuse(b, key, v->items[i],
			       arena_sprintf(n->a,
					     "cache export '%s' is not "
					     "supported: the Engine's /build "
					     "API, which mixcompose builds "
					     "with, exports only the inline "
					     "cache (type=inline); compose v2 "
					     "with buildx's docker driver "
					     "refuses it too",
					     type));
		}
	}
}

static void norm_entitlements(struct norm *n,
			      struct compose_build *b,
			      const struct compose_pair *p)
{
	const struct compose_node *v = p->value;

	for (uint32_t i = 0; v->kind == COMPOSE_NODE_SEQ && i < v->n; i++) {
		const char *s = norm_str(v->items[i]);
		const char *key = arena_sprintf(n->a, "entitlements[%u]", i);

		if (s && !strcmp(s, "network.host")) {
			b->network_host = true;
			need(b, "entitlements", p);
		} else if (s && !strcmp(s, "security.insecure")) {
			refuse(b, key, v->items[i],
			       "'security.insecure' cannot be granted through "
			       "the Engine's /build API, which mixcompose "
			       "builds with (only network.host can)");
		} else {
			refuse(b, key, v->items[i],
			       arena_sprintf(n->a,
					     "'%s' is not an entitlement "
					     "(network.host, "
					     "security.insecure)",
					     s ? s : ""));
		}
	}
	if (b->network_host)
		diag_list_add(n->dl, DIAG_WARNING, DIAG_OK,
			      COMPOSE_NODE_LOC(p->key),
			      "services.%s.build.entitlements: network.host "
			      "reaches BuildKit through the Engine's /build "
			      "API as networkmode host, which puts every RUN "
			      "step on the host network (buildx grants it "
			      "only to RUN --network=host steps)",
			      n->svc);
}

/*
 * build.cache_from under BuildKit: builder-next joins the list with
 * commas into the Dockerfile frontend's old "cache-from" attribute, which
 * reads each part as an image whose inline cache to import; so a buildx
 * entry "type=registry,ref=R" would be cut in two and silently lost (seen
 * on dockerd 20.10 and 26.1).  It is sent as R; a type that needs the
 * client's session (local) or a service's credentials (gha, s3, azblob)
 * cannot be reached through /build and is refused.
 */
static void norm_cache_from(struct norm *n,
			    struct compose_build *b,
			    const struct compose_node *v)
{
	const struct compose_node *cf = NULL;
	const char **refs;

	for (uint32_t k = 0; k < v->n && !cf; k++)
		if (!strcmp(v->pairs[k].key->str, "cache_from"))
			cf = v->pairs[k].value;
	if (!b->buildkit || !cf || cf->kind != COMPOSE_NODE_SEQ)
		return;
	refs = arena_calloc(n->a, cf->n + 1, sizeof(*refs));
	b->cache_from_refs = (struct compose_strv){refs, 0};
	for (uint32_t i = 0; i < cf->n; i++) {
		const char *s = norm_str(cf->items[i]);
		const char *key = arena_sprintf(n->a, "cache_from[%u]", i);
		const char *type, *ref;

		if (!s || !*s)
			continue;
		type = cache_type(n->a, s);
		ref = !strchr(s, '=') ? s : csv_field(n->a, s, "ref");
		if (type && !strcmp(type, "registry") && ref && *ref)
			refs[b->cache_from_refs.n++] = ref;
		else if (type && !strcmp(type, "registry"))
			refuse(b, key, cf->items[i],
			       arena_sprintf(n->a, "'%s' names no ref", s));
		else
			refuse(b, key, cf->items[i],
			       arena_sprintf(
				       n->a,
				       "cache import '%s' is not "
				       "supported: the daemon's BuildKit, "
				       "which build.%s needs, imports "
				       "through the Engine's /build API "
				       "only an image's inline cache "
				       "(type=registry,ref=IMAGE or "
				       "IMAGE)",
				       type ? type : s, b->buildkit));
	}
}

/*
 * build.network under BuildKit: network.host is granted by networkmode
 * host, so another network contradicts it; and builder-next takes no
 * network but default, host and none ("network mode %q not supported by
 * buildkit").
 */
static void check_network(struct norm *n,
			  struct compose_build *b,
			  const struct compose_node *v)
{
	const struct compose_pair *p = NULL;
	const char *net = b->network;

	for (uint32_t k = 0; k < v->n && !p; k++)
		if (!strcmp(v->pairs[k].key->str, "network"))
			p = &v->pairs[k];
	if (!b->buildkit || !net || !p)
		return;
	if (b->network_host && strcmp(net, "host"))
		refuse(b, "network", p->key,
		       arena_sprintf(n->a,
				     "'%s' contradicts entitlements "
				     "network.host, which the Engine's "
				     "/build API grants only with network "
				     "host",
				     net));
	else if (strcmp(net, "default") && strcmp(net, "host") &&
		 strcmp(net, "none"))
		refuse(b, "network", p->key,
		       arena_sprintf(n->a,
				     "'%s': the daemon's BuildKit, which "
				     "build.%s needs, builds only on the "
				     "networks default, host or none",
				     net, b->buildkit));
}

void norm_build_buildkit(struct norm *n,
			 struct compose_build *b,
			 const struct compose_node *v)
{
	for (uint32_t k = 0; k < v->n; k++) {
		const struct compose_pair *p = &v->pairs[k];

		if (!strcmp(p->key->str, "cache_to"))
			norm_cache_to(n, b, p);
		else if (!strcmp(p->key->str, "entitlements"))
			norm_entitlements(n, b, p);
		else if (!strcmp(p->key->str, "ulimits"))
			b->ulimits_loc = compose_node_loc(p->key);
		else if (!strcmp(p->key->str, "shm_size"))
			b->shm_size_loc = compose_node_loc(p->key);
	}
	check_network(n, b, v);
	norm_cache_from(n, b, v);
}
