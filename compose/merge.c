/*
 * Merging compose documents with the rules of compose v2 (compose-go's
 * override package): maps merge key by key, scalars replace, sequences
 * append, and a few service attributes have their own rules: command,
 * entrypoint and healthcheck.test replace; ports, volumes, secrets,
 * configs and env_file merge by a unique key; environment, labels,
 * annotations and sysctls merge by name whatever their form; extra_hosts
 * entries add up (merge_hosts.c).
 */
#include "compose/load_int.h"

#include <string.h>

#include "util/arena.h"

enum mctx {
	M_GENERIC,
	M_TOP,
	M_SERVICES,
	M_SERVICE,
	M_HEALTH,
	M_BUILD,
	M_NETWORKS,
	M_NETWORK,
	M_IPAM,
};

typedef const char *(*key_fn)(struct arena *a, const struct compose_node *n);

static struct compose_node *merge_node(struct arena *a,
				       const struct compose_node *b,
				       const struct compose_node *o,
				       enum mctx ctx);

static bool has_tag(const struct compose_node *n, const char *tag)
{
	return n && n->tag && !strcmp(compose_node_tag(n), tag);
}

static struct compose_node *copy_shallow(struct arena *a,
					 const struct compose_node *n)
{
	struct compose_node *c = arena_alloc(a, sizeof(*c));

	*c = *n;
	c->pairs = NULL;
	c->items = NULL;
	c->n = 0;
	c->room = 0;
	return c;
}

struct compose_node *compose_node_strip_reset(struct arena *a,
					      const struct compose_node *n)
{
	struct compose_node *c = NULL;
	size_t i;

	if (!n || n->kind != COMPOSE_NODE_MAP)
		return (struct compose_node *)n;
	for (i = 0; i < n->n; i++) {
		const struct compose_node *v = n->pairs[i].value;
		struct compose_node *sv;

		if (compose_node_is_reset(v)) {
			sv = NULL;
		} else {
			sv = compose_node_strip_reset(a, v);
			if (sv == v && !c)
				continue;
		}
		if (!c) {
			c = copy_shallow(a, n);
			for (size_t j = 0; j < i; j++)
				compose_map_push(a, c, n->pairs[j].key,
						 n->pairs[j].value);
		}
		if (sv)
			compose_map_push(a, c, n->pairs[i].key, sv);
	}
	return c ? c : (struct compose_node *)n;
}

static enum mctx child_ctx(enum mctx ctx, const char *key)
{
	switch (ctx) {
	case M_TOP:
		if (!strcmp(key, "services"))
			return M_SERVICES;
		if (!strcmp(key, "networks"))
			return M_NETWORKS;
		return M_GENERIC;
	case M_SERVICES:
		return M_SERVICE;
	case M_SERVICE:
		if (!strcmp(key, "healthcheck"))
			return M_HEALTH;
		if (!strcmp(key, "build"))
			return M_BUILD;
		return M_GENERIC;
	case M_NETWORKS:
		return M_NETWORK;
	case M_NETWORK:
		return !strcmp(key, "ipam") ? M_IPAM : M_GENERIC;
	default:
		return M_GENERIC;
	}
}

/* ---- Sequences merged by a unique key -------------------------------- */

static const char *scalar_key(struct arena *a, const struct compose_node *n)
{
	const char *s = compose_node_str(n);
	const char *eq;

	if (!s)
		return NULL;
	eq = strchr(s, '=');
	return eq ? arena_strndup(a, s, (size_t)(eq - s)) : s;
}

static const char *map_str(const struct compose_node *n, const char *key)
{
	return compose_node_str(compose_map_get(n, key));
}

static const char *port_key(struct arena *a, const struct compose_node *n)
{
	struct compose_port *p;
	const char *s = compose_node_str(n);

	if (n->kind == COMPOSE_NODE_MAP) {
		const char *ip = map_str(n, "host_ip");
		const char *pub = map_str(n, "published");
		const char *proto = map_str(n, "protocol");

		return arena_sprintf(a, "%s:%s:%s/%s", ip ? ip : "",
				     pub ? pub : "", map_str(n, "target"),
				     proto ? proto : "tcp");
	}
	if (s && compose_port_parse(&p, a, s))
		return arena_sprintf(a, "%s:%s:%u/%s",
				     p->host_ip ? p->host_ip : "",
				     p->published ? p->published : "",
				     p->target, p->protocol);
	return s;
}

static const char *volume_key(struct arena *a, const struct compose_node *n)
{
	if (n->kind == COMPOSE_NODE_MAP)
		return map_str(n, "target");
	return compose_volume_short_target(a, compose_node_str(n));
}

static const char *mount_key(struct arena *a, const struct compose_node *n)
{
	const char *src;

	if (n->kind == COMPOSE_NODE_MAP) {
		const char *t = map_str(n, "target");

		if (t)
			return t;
		src = map_str(n, "source");
	} else {
		src = compose_node_str(n);
	}
	return src ? arena_sprintf(a, "/run/secrets/%s", src) : NULL;
}

static const char *envfile_key(struct arena *a, const struct compose_node *n)
{
	(void)a;
	if (n->kind == COMPOSE_NODE_MAP)
		return map_str(n, "path");
	return compose_node_str(n);
}

static const char *subnet_key(struct arena *a, const struct compose_node *n)
{
	(void)a;
	return map_str(n, "subnet");
}

static void seq_add_unique(struct arena *a,
			   struct compose_node *res,
			   const char **keys,
			   const struct compose_node *item,
			   key_fn fn)
{
	const char *k = fn(a, item);

	if (k) {
		for (size_t i = 0; i < res->n; i++) {
			if (keys[i] && !strcmp(keys[i], k)) {
				res->items[i] = (struct compose_node *)item;
				return;
			}
		}
	}
	keys[res->n] = k;
	compose_seq_push(a, res, (struct compose_node *)item);
}

static const struct compose_node *as_seq(struct arena *a,
					 const struct compose_node *n)
{
	struct compose_node *s;

	if (n->kind == COMPOSE_NODE_SEQ)
		return n;
	s = compose_node_seq(a, COMPOSE_NODE_LOC(n));
	if (!compose_node_is_null(n))
		compose_seq_push(a, s, (struct compose_node *)n);
	return s;
}

/*
 * Appends the overriding entries; an entry whose key is already there
 * takes that entry's place (compose-go's EnforceUnicity).
 */
static struct compose_node *merge_unique(struct arena *a,
					 const struct compose_node *b,
					 const struct compose_node *o,
					 key_fn fn)
{
	const struct compose_node *bs = as_seq(a, b), *os = as_seq(a, o);
	struct compose_node *res = copy_shallow(a, bs);
	const char **keys = arena_calloc(a, bs->n + os->n + 1, sizeof(*keys));

	for (size_t i = 0; i < bs->n; i++)
		seq_add_unique(a, res, keys, bs->items[i], fn);
	for (size_t i = 0; i < os->n; i++)
		seq_add_unique(a, res, keys,
			       compose_node_strip_reset(a, os->items[i]), fn);
	return res;
}

/* ---- Mappings whatever their form ------------------------------------ */

static struct compose_node *kv_item(struct arena *a,
				    const struct compose_node *item,
				    const char *seps,
				    struct compose_node **val)
{
	const char *s = compose_node_str(item);
	size_t klen;

	if (!s)
		return NULL;
	klen = strcspn(s, seps);
	/* extra_hosts "host:::1": the separator is the first ':' anyway. */
	if (strchr(seps, '=') && strchr(s, '='))
		klen = strcspn(s, "=");
	*val = s[klen] ? compose_node_scalar(a, s + klen + 1,
					     COMPOSE_NODE_LOC(item))
		       : compose_node_plain(a, "null", COMPOSE_NODE_LOC(item));
	return compose_node_scalar(a, arena_strndup(a, s, klen),
				   COMPOSE_NODE_LOC(item));
}

/* A sequence of "K=V" (or "K:V" for extra_hosts) turned into a map. */
static const struct compose_node *
as_map(struct arena *a, const struct compose_node *n, const char *seps)
{
	struct compose_node *m;

	if (n->kind != COMPOSE_NODE_SEQ)
		return n;
	m = compose_node_map(a, COMPOSE_NODE_LOC(n));
	for (size_t i = 0; i < n->n; i++) {
		struct compose_node *v = NULL;
		struct compose_node *k = kv_item(a, n->items[i], seps, &v);

		if (k)
			compose_map_set(a, m, k, v);
	}
	return m;
}

static struct compose_node *merge_kv(struct arena *a,
				     const struct compose_node *b,
				     const struct compose_node *o,
				     const char *seps)
{
	const struct compose_node *bm = as_map(a, b, seps);
	const struct compose_node *om = as_map(a, o, seps);

	if (bm->kind != COMPOSE_NODE_MAP || om->kind != COMPOSE_NODE_MAP)
		return compose_node_strip_reset(a, o);
	return merge_node(a, bm, om, M_GENERIC);
}

/*
 * depends_on and service networks: the list form names entries without
 * options.  Two lists stay a list; otherwise both become maps, where a
 * null entry (networks) keeps what the base said.
 */
static struct compose_node *
named_map(struct arena *a, const struct compose_node *n, bool depends)
{
	struct compose_node *m;

	if (n->kind != COMPOSE_NODE_SEQ)
		return (struct compose_node *)n;
	m = compose_node_map(a, COMPOSE_NODE_LOC(n));
	for (size_t i = 0; i < n->n; i++) {
		struct compose_node *v;

		if (!compose_node_str(n->items[i]))
			continue;
		if (depends) {
			v = compose_node_map(a, COMPOSE_NODE_LOC(n->items[i]));
			compose_map_push(
				a, v,
				compose_node_scalar(
					a, "condition",
					COMPOSE_NODE_LOC(n->items[i])),
				compose_node_scalar(
					a, "service_started",
					COMPOSE_NODE_LOC(n->items[i])));
		} else {
			v = compose_node_plain(a, "null",
					       COMPOSE_NODE_LOC(n->items[i]));
		}
		compose_map_set(a, m, n->items[i], v);
	}
	return m;
}

static struct compose_node *merge_named(struct arena *a,
					const struct compose_node *b,
					const struct compose_node *o,
					bool depends)
{
	if (b->kind == COMPOSE_NODE_SEQ && o->kind == COMPOSE_NODE_SEQ)
		return merge_unique(a, b, o, scalar_key);
	return merge_node(a, named_map(a, b, depends), named_map(a, o, depends),
			  M_GENERIC);
}

static struct compose_node *build_map(struct arena *a,
				      const struct compose_node *n)
{
	struct compose_node *m;

	if (n->kind != COMPOSE_NODE_SCALAR)
		return (struct compose_node *)n;
	m = compose_node_map(a, COMPOSE_NODE_LOC(n));
	compose_map_push(a, m,
			 compose_node_scalar(a, "context", COMPOSE_NODE_LOC(n)),
			 (struct compose_node *)n);
	return m;
}

/* ---- The dispatcher --------------------------------------------------- */

static struct compose_node *merge_service_key(struct arena *a,
					      const char *k,
					      const struct compose_node *b,
					      const struct compose_node *o)
{
	if (!strcmp(k, "command") || !strcmp(k, "entrypoint"))
		return compose_node_strip_reset(a, o);
	if (!strcmp(k, "environment") || !strcmp(k, "labels") ||
	    !strcmp(k, "annotations") || !strcmp(k, "sysctls"))
		return merge_kv(a, b, o, "=");
	if (!strcmp(k, "extra_hosts"))
		return compose_merge_extra_hosts(a, b, o);
	if (!strcmp(k, "ports"))
		return merge_unique(a, b, o, port_key);
	if (!strcmp(k, "volumes"))
		return merge_unique(a, b, o, volume_key);
	if (!strcmp(k, "secrets") || !strcmp(k, "configs"))
		return merge_unique(a, b, o, mount_key);
	if (!strcmp(k, "env_file"))
		return merge_unique(a, b, o, envfile_key);
	if (!strcmp(k, "depends_on"))
		return merge_named(a, b, o, true);
	if (!strcmp(k, "networks"))
		return merge_named(a, b, o, false);
	if (!strcmp(k, "build"))
		return merge_node(a, build_map(a, b), build_map(a, o), M_BUILD);
	if (!strcmp(k, "dns") || !strcmp(k, "dns_search") ||
	    !strcmp(k, "dns_opt") || !strcmp(k, "cap_add") ||
	    !strcmp(k, "cap_drop") || !strcmp(k, "expose") ||
	    !strcmp(k, "profiles") || !strcmp(k, "links") ||
	    !strcmp(k, "tmpfs"))
		return merge_unique(a, b, o, scalar_key);
	return merge_node(a, b, o, child_ctx(M_SERVICE, k));
}

static struct compose_node *merge_value(struct arena *a,
					enum mctx ctx,
					const char *k,
					const struct compose_node *b,
					const struct compose_node *o)
{
	if (has_tag(o, "!override"))
		return compose_node_strip_reset(a, o);
	/* An empty value ("services:") adds nothing to a container. */
	if (compose_node_is_null(o) && b->kind != COMPOSE_NODE_SCALAR)
		return (struct compose_node *)b;
	if (ctx == M_SERVICE)
		return merge_service_key(a, k, b, o);
	if (ctx == M_HEALTH && !strcmp(k, "test"))
		return compose_node_strip_reset(a, o);
	if ((ctx == M_BUILD && (!strcmp(k, "args") || !strcmp(k, "labels"))) ||
	    (ctx == M_NETWORK && !strcmp(k, "labels")))
		return merge_kv(a, b, o, "=");
	if (ctx == M_IPAM && !strcmp(k, "config"))
		return merge_unique(a, b, o, subnet_key);
	return merge_node(a, b, o, child_ctx(ctx, k));
}

static struct compose_node *merge_map(struct arena *a,
				      const struct compose_node *b,
				      const struct compose_node *o,
				      enum mctx ctx)
{
	struct compose_node *res = copy_shallow(a, b);
	struct compose_strmap idx = {0};
	size_t j, w = 0;

	for (size_t i = 0; i < b->n; i++) {
		compose_map_push(a, res, b->pairs[i].key, b->pairs[i].value);
		compose_strmap_put(&idx, b->pairs[i].key->str, i);
	}
	for (size_t i = 0; i < o->n; i++) {
		const struct compose_node *ov = o->pairs[i].value;
		const char *k = o->pairs[i].key->str;

		if (!compose_strmap_get(&idx, k, &j)) {
			if (compose_node_is_reset(ov))
				continue;
			compose_strmap_put(&idx, k, res->n);
			compose_map_push(a, res, o->pairs[i].key,
					 compose_node_strip_reset(a, ov));
		} else if (compose_node_is_reset(ov)) {
			res->pairs[j].value = NULL;
		} else if (res->pairs[j].value) {
			res->pairs[j].value =
				merge_value(a, ctx, k, res->pairs[j].value, ov);
		} else {
			res->pairs[j].value = compose_node_strip_reset(a, ov);
		}
	}
	compose_strmap_release(&idx);
	for (size_t i = 0; i < res->n; i++)
		if (res->pairs[i].value)
			res->pairs[w++] = res->pairs[i];
	res->n = w;
	return res;
}

static struct compose_node *merge_node(struct arena *a,
				       const struct compose_node *b,
				       const struct compose_node *o,
				       enum mctx ctx)
{
	if (!b || has_tag(o, "!override"))
		return compose_node_strip_reset(a, o);
	if (b->kind == COMPOSE_NODE_MAP && o->kind == COMPOSE_NODE_MAP)
		return merge_map(a, b, o, ctx);
	if (b->kind == COMPOSE_NODE_SEQ && o->kind == COMPOSE_NODE_SEQ) {
		struct compose_node *res = copy_shallow(a, b);

		for (size_t i = 0; i < b->n; i++)
			compose_seq_push(a, res, b->items[i]);
		for (size_t i = 0; i < o->n; i++)
			compose_seq_push(
				a, res,
				compose_node_strip_reset(a, o->items[i]));
		return res;
	}
	return compose_node_strip_reset(a, o);
}

struct compose_node *compose_merge_docs(struct arena *a,
					const struct compose_node *base,
					const struct compose_node *over)
{
	if (!over)
		return (struct compose_node *)base;
	return merge_node(a, base, over, M_TOP);
}

struct compose_node *compose_merge_service(struct arena *a,
					   const struct compose_node *base,
					   const struct compose_node *over)
{
	if (!over)
		return (struct compose_node *)base;
	return merge_node(a, base, over, M_SERVICE);
}
