/*
 * The normalized project as a node tree shaped like `docker compose
 * config --format json` of compose v2.  Keys come in the order compose-go
 * declares its struct fields (what compose prints); maps (environment,
 * labels, networks, depends_on, extensions) are sorted by key as Go's
 * encoders sort map keys.  Attributes the model does not type are copied
 * verbatim from the merged document.
 */
#include "compose/load_int.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define KEY_CACHE 512

struct tn {
	struct arena *a;
	bool json;
	/*
	 * Shared scalar nodes for string literals (keys, "ingress", "null"),
	 * found by address: the tree is a DAG.
	 */
	struct {
		const char *s;
		struct compose_node *n;
	} kc[KEY_CACHE];
	/* Service key -> index in svc_keys. */
	struct compose_strmap keyidx;
	/*
	 * The service being written has some compose_keys[] value set: most
	 * have none, and then none of the key look-ups is needed.
	 */
	bool keys_any;
};

static const struct diag_loc no_loc;

struct compose_service;
static void put_key_as(struct tn *t,
		       struct compose_node *m,
		       const struct compose_service *s,
		       const char *key,
		       const char *as);
static void put_plainf(struct tn *t,
		       struct compose_node *m,
		       const char *k,
		       const char *fmt,
		       ...);

static struct compose_node *
new_scalar(struct tn *t, const char *s, enum compose_scalar_style style)
{
	struct compose_node *n = arena_alloc(t->a, sizeof(*n));

	n->kind = COMPOSE_NODE_SCALAR;
	n->str = s;
	n->len = strlen(s);
	n->style = style;
	return n;
}

/* A node for a string that outlives the tree (static or in the model). */
static struct compose_node *str_node(struct tn *t, const char *s)
{
	return new_scalar(t, s, COMPOSE_SCALAR_QUOTED);
}

static struct compose_node *
cached(struct tn *t, const char *s, enum compose_scalar_style style)
{
	size_t i = ((uintptr_t)s >> 3) & (KEY_CACHE - 1);

	for (size_t probe = 0; probe < 8; probe++) {
		size_t j = (i + probe) & (KEY_CACHE - 1);

		if (t->kc[j].s == s && t->kc[j].n->style == style)
			return t->kc[j].n;
		if (!t->kc[j].s) {
			t->kc[j].s = s;
			t->kc[j].n = new_scalar(t, s, style);
			return t->kc[j].n;
		}
	}
	return new_scalar(t, s, style);
}

/* Keys and constant strings ("ingress", "tcp"): shared by address. */
static struct compose_node *key_node(struct tn *t, const char *s)
{
	return cached(t, s, COMPOSE_SCALAR_QUOTED);
}

static struct compose_node *plain_node(struct tn *t, const char *s)
{
	return new_scalar(t, arena_strdup(t->a, s), COMPOSE_SCALAR_PLAIN);
}

static struct compose_node *const_plain(struct tn *t, const char *s)
{
	return cached(t, s, COMPOSE_SCALAR_PLAIN);
}

/* 'k' is a string literal. */
static void
put(struct tn *t, struct compose_node *m, const char *k, struct compose_node *v)
{
	compose_map_push(t->a, m, key_node(t, k), v);
}

/* 'k' is a name from the project (a service, a variable...). */
static void put_dyn(struct tn *t,
		    struct compose_node *m,
		    const char *k,
		    struct compose_node *v)
{
	compose_map_push(t->a, m, str_node(t, k), v);
}

static void
put_str(struct tn *t, struct compose_node *m, const char *k, const char *v)
{
	if (v)
		put(t, m, k, str_node(t, v));
}

static void
put_true(struct tn *t, struct compose_node *m, const char *k, bool v)
{
	if (v)
		put(t, m, k, const_plain(t, "true"));
}

static void put_uint(struct tn *t,
		     struct compose_node *m,
		     const char *k,
		     unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	put(t, m, k,
	    new_scalar(t, arena_strdup(t->a, buf), COMPOSE_SCALAR_PLAIN));
}

static struct compose_node *strv_node(struct tn *t,
				      const struct compose_strv *v)
{
	struct compose_node *s = compose_node_seq(t->a, &no_loc);

	for (size_t i = 0; i < v->n; i++)
		compose_seq_push(t->a, s, str_node(t, v->v[i]));
	return s;
}

static void put_strv(struct tn *t,
		     struct compose_node *m,
		     const char *k,
		     const struct compose_strv *v)
{
	if (v->n)
		put(t, m, k, strv_node(t, v));
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct compose_kv *)a)->key,
		      ((const struct compose_kv *)b)->key);
}

/* A sorted map; an unset value is null. */
static struct compose_node *
kv_node(struct tn *t, const struct compose_kv *kv, size_t n)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	struct compose_kv *s = arena_calloc(t->a, n + 1, sizeof(*s));

	if (n)
		memcpy(s, kv, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_kv);
	for (size_t i = 0; i < n; i++)
		put_dyn(t, m, s[i].key,
			s[i].value ? str_node(t, s[i].value)
				   : const_plain(t, "null"));
	return m;
}

static void put_kv(struct tn *t,
		   struct compose_node *m,
		   const char *k,
		   const struct compose_kv *kv,
		   size_t n)
{
	if (n)
		put(t, m, k, kv_node(t, kv, n));
}

/* Go's time.Duration.String(): "1m30s", "1.5s", "500ms", "1h0m0s". */
static const char *go_duration(struct arena *a, long long ns)
{
	static const char *const small[] = {"ns", "µs", "ms"};
	char frac[16] = "";
	long long unit = 1;
	int i = 0;

	if (ns == 0)
		return "0s";
	if (ns < 1000000000LL) {
		while (i < 2 && ns >= unit * 1000) {
			unit *= 1000;
			i++;
		}
		if (ns % unit) {
			snprintf(frac, sizeof(frac), ".%0*lld", i * 3,
				 ns % unit);
			for (size_t l = strlen(frac);
			     l > 1 && frac[l - 1] == '0'; l--)
				frac[l - 1] = '\0';
		}
		return arena_sprintf(a, "%lld%s%s", ns / unit, frac, small[i]);
	}
	if (ns % 1000000000LL) {
		snprintf(frac, sizeof(frac), ".%09lld", ns % 1000000000LL);
		for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
			frac[l - 1] = '\0';
	}
	if (ns >= 3600000000000LL)
		return arena_sprintf(
			a, "%lldh%lldm%lld%ss", ns / 3600000000000LL,
			ns / 60000000000LL % 60, ns / 1000000000LL % 60, frac);
	if (ns >= 60000000000LL)
		return arena_sprintf(a, "%lldm%lld%ss", ns / 60000000000LL,
				     ns / 1000000000LL % 60, frac);
	return arena_sprintf(a, "%lld%ss", ns / 1000000000LL, frac);
}

static void
put_duration(struct tn *t, struct compose_node *m, const char *k, long long ns)
{
	if (ns >= 0)
		put(t, m, k, str_node(t, go_duration(t->a, ns)));
}

/* ---- Service parts ---------------------------------------------------- */

/* build.extra_hosts, sorted, as "host=ip" (what compose v2 prints). */
static struct compose_node *build_hosts_node(struct tn *t,
					     const struct compose_build *b)
{
	struct compose_node *q = compose_node_seq(t->a, &no_loc);
	struct compose_kv *kv =
		arena_calloc(t->a, b->n_extra_hosts + 1, sizeof(*kv));

	memcpy(kv, b->extra_hosts, b->n_extra_hosts * sizeof(*kv));
	qsort(kv, b->n_extra_hosts, sizeof(*kv), cmp_kv);
	for (size_t i = 0; i < b->n_extra_hosts; i++)
		compose_seq_push(
			t->a, q,
			str_node(t, arena_sprintf(t->a, "%s=%s", kv[i].key,
						  kv[i].value ? kv[i].value
							      : "")));
	return q;
}

/* The keys build_node writes from the typed model. */
static bool build_typed_key(const char *k)
{
	static const char *const keys[] = {
		"context",
		"dockerfile",
		"dockerfile_inline",
		"args",
		"labels",
		"cache_from",
		"no_cache",
		"network",
		"pull",
		"target",
		"shm_size",
		"extra_hosts",
		"tags",
		"platforms",
		"privileged",
		"additional_contexts",
		NULL,
	};

	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* compose-go leaves out a build arg that has no value. */
static void
put_args(struct tn *t, struct compose_node *m, const struct compose_build *b)
{
	struct compose_kv *v = arena_calloc(t->a, b->n_args + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < b->n_args; i++)
		if (b->args[i].value)
			v[n++] = b->args[i];
	put_kv(t, m, "args", v, n);
}

/* build.secrets in the long form, as compose v2 prints it: {source}. */
static struct compose_node *build_secrets_node(struct tn *t,
					       struct compose_node *v)
{
	struct compose_node *q;

	if (v->kind != COMPOSE_NODE_SEQ)
		return v;
	q = compose_node_seq(t->a, &no_loc);
	for (uint32_t i = 0; i < v->n; i++) {
		struct compose_node *e = v->items[i];

		if (e->kind == COMPOSE_NODE_SCALAR) {
			e = compose_node_map(t->a, &no_loc);
			put(t, e, "source", str_node(t, v->items[i]->str));
		}
		compose_seq_push(t->a, q, e);
	}
	return q;
}

/* Typed keys in compose v2's order; keys mixcompose ignores as written. */
static struct compose_node *build_node(struct tn *t,
				       const struct compose_build *b,
				       const struct compose_node *src)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	put_str(t, m, "context", b->context);
	put_str(t, m, "dockerfile", b->dockerfile);
	put_str(t, m, "dockerfile_inline", b->dockerfile_inline);
	put_args(t, m, b);
	put_kv(t, m, "labels", b->labels, b->n_labels);
	put_strv(t, m, "cache_from", &b->cache_from);
	put_true(t, m, "no_cache", b->no_cache);
	put_str(t, m, "network", b->network);
	put_true(t, m, "pull", b->pull);
	put_str(t, m, "target", b->target);
	/* A byte count, as a string: compose v2's UnitBytes. */
	if (b->shm_size >= 0)
		put_str(t, m, "shm_size",
			arena_sprintf(t->a, "%lld", b->shm_size));
	if (b->n_extra_hosts)
		put(t, m, "extra_hosts", build_hosts_node(t, b));
	put_strv(t, m, "tags", &b->tags);
	put_strv(t, m, "platforms", &b->platforms);
	put_true(t, m, "privileged", b->privileged);
	put_kv(t, m, "additional_contexts", b->contexts, b->n_contexts);
	for (size_t i = 0; src && src->kind == COMPOSE_NODE_MAP && i < src->n;
	     i++) {
		const struct compose_pair *p = &src->pairs[i];

		/* compose-go leaves an empty list or map out. */
		if (build_typed_key(p->key->str) ||
		    (p->value->kind != COMPOSE_NODE_SCALAR && !p->value->n))
			continue;
		compose_map_push(t->a, m, p->key,
				 strcmp(p->key->str, "secrets")
					 ? p->value
					 : build_secrets_node(t, p->value));
	}
	return m;
}

/*
 * compose-go adds the dependencies that links, network_mode "service:x"
 * and volumes_from imply (condition service_started, required; restart
 * for links and network_mode) unless depends_on names the service.
 */
static void add_implicit(struct compose_depends *v,
			 size_t *n,
			 size_t n_explicit,
			 struct arena *a,
			 const char *ref,
			 bool restart)
{
	const char *svc = arena_strndup(a, ref, strcspn(ref, ":"));

	for (size_t i = 0; i < *n; i++) {
		if (strcmp(v[i].service, svc))
			continue;
		if (i >= n_explicit)
			v[i].restart |= restart;
		return;
	}
	v[(*n)++] = (struct compose_depends){.service = svc,
					     .condition = "service_started",
					     .required = true,
					     .restart = restart};
}

static size_t depends_all(struct compose_depends **out,
			  struct arena *a,
			  const struct compose_service *s)
{
	size_t cap = s->n_depends_on + s->links.n + s->volumes_from.n + 1;
	struct compose_depends *v = arena_calloc(a, cap, sizeof(*v));
	size_t n = 0, nx = s->n_depends_on;

	for (size_t i = 0; i < s->n_depends_on; i++)
		v[n++] = s->depends_on[i];
	for (size_t i = 0; i < s->links.n; i++)
		add_implicit(v, &n, nx, a, s->links.v[i], true);
	if (s->network_mode && !strncmp(s->network_mode, "service:", 8))
		add_implicit(v, &n, nx, a, s->network_mode + 8, true);
	for (size_t i = 0; i < s->volumes_from.n; i++) {
		const char *x = s->volumes_from.v[i];

		if (strncmp(x, "container:", 10))
			add_implicit(v, &n, nx, a,
				     strncmp(x, "service:", 8) ? x : x + 8,
				     false);
	}
	*out = v;
	return n;
}

static struct compose_node *
depends_node(struct tn *t, const struct compose_depends *dv, size_t n)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	const struct compose_depends **v =
		arena_calloc(t->a, n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = &dv[i];
	/* Few entries: an insertion sort keeps this simple. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && strcmp(v[j - 1]->service, v[j]->service) > 0;
		     j--) {
			const struct compose_depends *x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	for (size_t i = 0; i < n; i++) {
		struct compose_node *d = compose_node_map(t->a, &no_loc);

		put(t, d, "condition", key_node(t, v[i]->condition));
		put_true(t, d, "restart", v[i]->restart);
		put(t, d, "required",
		    const_plain(t, v[i]->required ? "true" : "false"));
		put_dyn(t, m, v[i]->service, d);
	}
	return m;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* As compose-go: "host=ip" strings, sorted whole (a host may repeat). */
static struct compose_node *hosts_node(struct tn *t,
				       const struct compose_service *s)
{
	struct compose_node *q = compose_node_seq(t->a, &no_loc);
	const char **v = arena_calloc(t->a, s->n_extra_hosts + 1, sizeof(*v));

	for (size_t i = 0; i < s->n_extra_hosts; i++)
		v[i] = arena_sprintf(t->a, "%s=%s", s->extra_hosts[i].key,
				     s->extra_hosts[i].value);
	qsort(v, s->n_extra_hosts, sizeof(*v), cmp_str);
	for (size_t i = 0; i < s->n_extra_hosts; i++)
		compose_seq_push(t->a, q, str_node(t, v[i]));
	return q;
}

static struct compose_node *health_node(struct tn *t,
					const struct compose_healthcheck *h)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	put_strv(t, m, "test", &h->test);
	put_duration(t, m, "timeout", h->timeout_ns);
	put_duration(t, m, "interval", h->interval_ns);
	if (h->retries >= 0)
		put_uint(t, m, "retries", (unsigned)h->retries);
	put_duration(t, m, "start_period", h->start_period_ns);
	put_duration(t, m, "start_interval", h->start_interval_ns);
	put_true(t, m, "disable", h->disable);
	return m;
}

static int cmp_net(const void *a, const void *b)
{
	return strcmp(((const struct compose_service_network *)a)->name,
		      ((const struct compose_service_network *)b)->name);
}

static struct compose_node *svc_networks_node(struct tn *t,
					      const struct compose_service *s)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	struct compose_service_network *v =
		arena_calloc(t->a, s->n_networks + 1, sizeof(*v));

	memcpy(v, s->networks, s->n_networks * sizeof(*v));
	qsort(v, s->n_networks, sizeof(*v), cmp_net);
	for (size_t i = 0; i < s->n_networks; i++) {
		struct compose_node *o = compose_node_map(t->a, &no_loc);

		if (v[i].priority)
			put(t, o, "priority",
			    plain_node(t, arena_sprintf(t->a, "%d",
							v[i].priority)));
		put_strv(t, o, "aliases", &v[i].aliases);
		put_kv(t, o, "driver_opts", v[i].driver_opts,
		       v[i].n_driver_opts);
		if (v[i].gw_priority)
			put(t, o, "gw_priority",
			    plain_node(t, arena_sprintf(t->a, "%d",
							v[i].gw_priority)));
		put_str(t, o, "interface_name", v[i].interface_name);
		put_str(t, o, "ipv4_address", v[i].ipv4_address);
		put_str(t, o, "ipv6_address", v[i].ipv6_address);
		put_strv(t, o, "link_local_ips", &v[i].link_local_ips);
		put_str(t, o, "mac_address", v[i].mac_address);
		put_dyn(t, m, v[i].name, o->n ? o : const_plain(t, "null"));
	}
	return m;
}

static struct compose_node *ports_node(struct tn *t,
				       const struct compose_service *s)
{
	struct compose_node *q = compose_node_seq(t->a, &no_loc);

	for (size_t i = 0; i < s->n_ports; i++) {
		const struct compose_port *p = &s->ports[i];
		struct compose_node *m = compose_node_map(t->a, &no_loc);

		put_str(t, m, "name", p->name);
		if (p->mode)
			put(t, m, "mode", key_node(t, p->mode));
		put_str(t, m, "host_ip", p->host_ip);
		put_uint(t, m, "target", p->target);
		put_str(t, m, "published", p->published);
		if (p->protocol)
			put(t, m, "protocol", key_node(t, p->protocol));
		put_str(t, m, "app_protocol", p->app_protocol);
		compose_seq_push(t->a, q, m);
	}
	return q;
}

static const char *const mount_types[] = {"bind",  "volume",  "tmpfs",
					  "npipe", "cluster", "image"};

static struct compose_node *mount_node(struct tn *t,
				       const struct compose_mount *v)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	struct compose_node *o = compose_node_map(t->a, &no_loc);

	put(t, m, "type", key_node(t, mount_types[v->type]));
	put_str(t, m, "source", v->source);
	put_str(t, m, "target", v->target);
	put_true(t, m, "read_only", v->read_only);
	put_str(t, m, "consistency", v->consistency);
	if (v->type == COMPOSE_MOUNT_BIND) {
		put_str(t, o, "selinux", v->bind_selinux);
		put_str(t, o, "propagation", v->bind_propagation);
		put_true(t, o, "create_host_path",
			 v->bind_create_host_path > 0);
		put_str(t, o, "recursive", v->bind_recursive);
		if (o->n)
			put(t, m, "bind", o);
	} else if (v->type == COMPOSE_MOUNT_VOLUME) {
		put_kv(t, o, "labels", v->volume_labels, v->n_volume_labels);
		put_true(t, o, "nocopy", v->volume_nocopy > 0);
		put_str(t, o, "subpath", v->volume_subpath);
		put(t, m, "volume", o);
	} else if (v->type == COMPOSE_MOUNT_IMAGE && v->image_subpath) {
		put_str(t, o, "subpath", v->image_subpath);
		put(t, m, "image", o);
	} else if (v->type == COMPOSE_MOUNT_TMPFS &&
		   (v->tmpfs_size >= 0 || v->tmpfs_mode >= 0)) {
		if (v->tmpfs_size >= 0) /* compose-go's UnitBytes: a string */
			put_str(t, o, "size",
				arena_sprintf(t->a, "%lld", v->tmpfs_size));
		if (v->tmpfs_mode >= 0)
			put_uint(t, o, "mode", (unsigned)v->tmpfs_mode);
		put(t, m, "tmpfs", o);
	}
	return m;
}

static struct compose_node *volumes_node(struct tn *t,
					 const struct compose_service *s)
{
	struct compose_node *q = compose_node_seq(t->a, &no_loc);

	for (size_t i = 0; i < s->n_volumes; i++)
		compose_seq_push(t->a, q, mount_node(t, &s->volumes[i]));
	return q;
}

/* ---- The service, key by key ------------------------------------------ */

/* UnitBytes print as a byte count. */
typedef void (*typed_fn)(struct tn *t,
			 struct compose_node *m,
			 const struct compose_service *s,
			 const char *k);

static void f_build(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	if (s->build)
		put(t, m, k,
		    build_node(t, s->build, MAP_GET(s->node, "build")));
}

static void f_cmd(struct tn *t,
		  struct compose_node *m,
		  const struct compose_service *s,
		  const char *k)
{
	const struct compose_strv *v =
		k[0] == 'c' ? &s->command : &s->entrypoint;

	if (v->v)
		put(t, m, k, strv_node(t, v));
	else if (t->json)
		put(t, m, k, const_plain(t, "null"));
}

static void f_depends(struct tn *t,
		      struct compose_node *m,
		      const struct compose_service *s,
		      const char *k)
{
	struct compose_depends *v;
	size_t n = depends_all(&v, t->a, s);

	if (n)
		put(t, m, k, depends_node(t, v, n));
}

/* A list of "KEY=VALUE" labels as the sorted map compose-go prints. */
static struct compose_node *labels_node(struct tn *t,
					const struct compose_node *seq)
{
	struct compose_kv *kv = arena_calloc(t->a, seq->n + 1, sizeof(*kv));
	size_t n = 0;

	for (size_t i = 0; i < seq->n; i++) {
		const struct compose_node *it = seq->items[i];
		const char *x =
			it->kind == COMPOSE_NODE_SCALAR ? it->str : NULL;
		const char *eq = x ? strchr(x, '=') : NULL;

		if (!x)
			continue;
		kv[n].key = eq ? arena_strndup(t->a, x, (size_t)(eq - x)) : x;
		kv[n++].value = eq ? eq + 1 : "";
	}
	return kv_node(t, kv, n);
}

/*
 * One of deploy.resources.limits / reservations as compose-go types it:
 * memory in bytes (a string, its UnitBytes), cpus a number, pids an
 * integer; the typed keys come from compose_keys[], others from the file.
 */
/*
 * One pair of a section (deploy's, logging) at 'path': a key of
 * compose_keys[] is printed from the model (and left out when the model
 * has it unset), reservations' cpus as a number, the rest as written.
 */
static void typed_pair(struct tn *t,
		       struct compose_node *m,
		       const struct compose_service *s,
		       const char *path,
		       const struct compose_pair *pr)
{
	const char *k = pr->key->str;
	const char *full = arena_sprintf(t->a, "%s.%s", path, k);
	const struct compose_node *v = pr->value;

	if (compose_key_find(full) >= 0)
		put_key_as(t, m, s, full, k);
	else if (!strcmp(k, "cpus") && v->kind == COMPOSE_NODE_SCALAR)
		put_plainf(t, m, k, "%g", strtod(v->str, NULL));
	else
		put(t, m, k, (struct compose_node *)v);
}

static struct compose_node *resources_one(struct tn *t,
					  const struct compose_service *s,
					  const struct compose_node *src,
					  const char *path)
{
	static const char *const order[] = {"cpus", "memory", "pids"};
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	/* compose-go's Resource order first, then the rest as written. */
	for (size_t o = 0; o <= ARRAY_SIZE(order); o++) {
		for (size_t i = 0; i < src->n; i++) {
			size_t j = 0;

			while (j < ARRAY_SIZE(order) &&
			       strcmp(order[j], src->pairs[i].key->str))
				j++;
			if (j == o)
				typed_pair(t, m, s, path, &src->pairs[i]);
		}
	}
	return m;
}

static struct compose_node *restart_node(struct tn *t,
					 const struct compose_service *s,
					 const struct compose_node *src)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	for (size_t i = 0; i < src->n; i++)
		typed_pair(t, m, s, "deploy.restart_policy", &src->pairs[i]);
	return m;
}

static struct compose_node *resources_node(struct tn *t,
					   const struct compose_service *s,
					   const struct compose_node *src)
{
	static const char *const parts[] = {"limits", "reservations"};
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	for (size_t i = 0; src && src->kind == COMPOSE_NODE_MAP && i < src->n;
	     i++) {
		const char *k = src->pairs[i].key->str;
		const struct compose_node *v = src->pairs[i].value;
		bool typed = v->kind == COMPOSE_NODE_MAP &&
			     (!strcmp(k, parts[0]) || !strcmp(k, parts[1]));

		put(t, m,
		    typed ? (!strcmp(k, parts[0]) ? parts[0] : parts[1]) : k,
		    typed ? resources_one(t, s, v,
					  arena_sprintf(t->a,
							"deploy.resources.%s",
							k))
			  : (struct compose_node *)v);
	}
	return m;
}

/*
 * deploy in compose-go's field order; its JSON always has "resources" and
 * "placement" (structs, never omitted), its YAML leaves them out when
 * empty.  A list of labels becomes a map.
 */
static void f_deploy(struct tn *t,
		     struct compose_node *m,
		     const struct compose_service *s,
		     const char *k)
{
	static const char *const order[] = {
		"mode",		  "replicas",	     "labels",
		"update_config",  "rollback_config", "resources",
		"restart_policy", "placement",	     "endpoint_mode",
	};
	const struct compose_node *src = compose_map_get(s->node, k);
	struct compose_node *d;

	if (!src || src->kind != COMPOSE_NODE_MAP)
		return;
	d = compose_node_map(t->a, &no_loc);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const struct compose_node *v = compose_map_get(src, order[i]);
		bool always = t->json && (i == 5 || i == 7);

		if (i == 5 && (v || always))
			put(t, d, order[i], resources_node(t, s, v));
		else if (i == 6 && v && v->kind == COMPOSE_NODE_MAP)
			put(t, d, order[i], restart_node(t, s, v));
		else if (i == 2 && v && v->kind == COMPOSE_NODE_SEQ)
			put(t, d, order[i], labels_node(t, v));
		else if (v)
			put(t, d, order[i], (struct compose_node *)v);
		else if (always)
			put(t, d, order[i], compose_node_map(t->a, &no_loc));
	}
	for (size_t i = 0; i < src->n; i++) {
		const char *x = src->pairs[i].key->str;
		size_t j = 0;

		while (j < ARRAY_SIZE(order) && strcmp(order[j], x))
			j++;
		if (j == ARRAY_SIZE(order))
			compose_map_push(t->a, d, src->pairs[i].key,
					 src->pairs[i].value);
	}
	put(t, m, k, d);
}

/* logging: driver and options from the model, anything else as written. */
static void f_logging(struct tn *t,
		      struct compose_node *m,
		      const struct compose_service *s,
		      const char *k)
{
	const struct compose_node *src = compose_map_get(s->node, k);
	struct compose_node *o;

	if (!src || src->kind != COMPOSE_NODE_MAP)
		return;
	o = compose_node_map(t->a, &no_loc);
	for (size_t i = 0; i < src->n; i++)
		typed_pair(t, o, s, k, &src->pairs[i]);
	if (o->n)
		put(t, m, k, o);
}

/* blkio_config from the model, in compose-go's BlkioConfig order. */
static void f_blkio(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	static const char *const order[] = {
		"weight",	    "weight_device",	"device_read_bps",
		"device_read_iops", "device_write_bps", "device_write_iops"};
	struct compose_node *o;

	if (!t->keys_any)
		return;
	o = compose_node_map(t->a, &no_loc);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		put_key_as(t, o, s, arena_sprintf(t->a, "%s.%s", k, order[i]),
			   order[i]);
	if (o->n)
		put(t, m, k, o);
}

static void f_env(struct tn *t,
		  struct compose_node *m,
		  const struct compose_service *s,
		  const char *k)
{
	put_kv(t, m, k, s->environment, s->n_environment);
}

static void f_labels(struct tn *t,
		     struct compose_node *m,
		     const struct compose_service *s,
		     const char *k)
{
	put_kv(t, m, k, s->labels, s->n_labels);
}

static void f_hosts(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	if (s->n_extra_hosts)
		put(t, m, k, hosts_node(t, s));
}

static void f_health(struct tn *t,
		     struct compose_node *m,
		     const struct compose_service *s,
		     const char *k)
{
	if (s->healthcheck.present)
		put(t, m, k, health_node(t, &s->healthcheck));
}

static void f_init(struct tn *t,
		   struct compose_node *m,
		   const struct compose_service *s,
		   const char *k)
{
	if (s->init >= 0)
		put(t, m, k, const_plain(t, s->init ? "true" : "false"));
}

static void f_attach(struct tn *t,
		     struct compose_node *m,
		     const struct compose_service *s,
		     const char *k)
{
	if (s->attach >= 0)
		put(t, m, k, const_plain(t, s->attach ? "true" : "false"));
}

static struct compose_node *hook_node(struct tn *t,
				      const struct compose_hook *h)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	if (h->command.v)
		put_strv(t, m, "command", &h->command);
	else if (t->json)
		put(t, m, "command", const_plain(t, "null"));
	put_str(t, m, "user", h->user);
	put_true(t, m, "privileged", h->privileged);
	put_str(t, m, "working_dir", h->working_dir);
	put_kv(t, m, "environment", h->environment, h->n_environment);
	return m;
}

/* post_start, pre_stop: each hook as compose v2.30 prints it. */
static void f_hooks(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	bool post = !strcmp(k, "post_start");
	const struct compose_hook *h = post ? s->post_start : s->pre_stop;
	size_t n = post ? s->n_post_start : s->n_pre_stop;
	struct compose_node *seq;

	if (!n)
		return;
	seq = compose_node_seq(t->a, &no_loc);
	for (size_t i = 0; i < n; i++)
		compose_seq_push(t->a, seq, hook_node(t, &h[i]));
	put(t, m, k, seq);
}

/*
 * compose-go's Trigger: path, action, target, exec, include, ignore,
 * initial_sync.  Its JSON has exec (a struct, not a pointer) even when
 * empty, as "exec": {"command": null}; its YAML leaves it out.
 */
static void f_develop(struct tn *t,
		      struct compose_node *m,
		      const struct compose_service *s,
		      const char *k)
{
	struct compose_node *d, *seq;

	if (!s->develop)
		return;
	d = compose_node_map(t->a, &no_loc);
	seq = compose_node_seq(t->a, &no_loc);
	for (size_t i = 0; i < s->n_watch; i++) {
		const struct compose_watch *w = &s->watch[i];
		struct compose_node *o = compose_node_map(t->a, &no_loc);

		put_str(t, o, "path", w->path);
		put_str(t, o, "action", w->action);
		put_str(t, o, "target", w->target);
		if (w->exec.command.v || t->json)
			put(t, o, "exec", hook_node(t, &w->exec));
		if (w->include.n)
			put_strv(t, o, "include", &w->include);
		if (w->ignore.n)
			put_strv(t, o, "ignore", &w->ignore);
		put_true(t, o, "initial_sync", w->initial_sync);
		compose_seq_push(t->a, seq, o);
	}
	if (seq->n)
		put(t, d, "watch", seq);
	put(t, m, k, d);
}

static void put_plainf(struct tn *t,
		       struct compose_node *m,
		       const char *k,
		       const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

/* A service's secrets or configs, each in the long form. */
static void f_files(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	bool config = !strcmp(k, "configs");
	const struct compose_fileref *r = config ? s->configs : s->secrets;
	size_t n = config ? s->n_configs : s->n_secrets;
	struct compose_node *seq;

	if (!n)
		return;
	seq = compose_node_seq(t->a, &no_loc);
	for (size_t i = 0; i < n; i++) {
		struct compose_node *o = compose_node_map(t->a, &no_loc);

		put_str(t, o, "source", r[i].source);
		/* compose-go gives a secret its default target; a config not.
		 */
		put_str(t, o, "target",
			r[i].target || config
				? r[i].target
				: arena_sprintf(t->a, "/run/secrets/%s",
						r[i].source));
		put_str(t, o, "uid", r[i].uid);
		put_str(t, o, "gid", r[i].gid);
		if (r[i].mode >= 0)
			put_plainf(t, o, "mode", "%d", r[i].mode);
		compose_seq_push(t->a, seq, o);
	}
	put(t, m, k, seq);
}

static void f_networks(struct tn *t,
		       struct compose_node *m,
		       const struct compose_service *s,
		       const char *k)
{
	if (s->n_networks)
		put(t, m, k, svc_networks_node(t, s));
}

static void f_platform(struct tn *t,
		       struct compose_node *m,
		       const struct compose_service *s,
		       const char *k)
{
	put_str(t, m, k, s->platform.raw);
}

static void f_ports(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	if (s->n_ports)
		put(t, m, k, ports_node(t, s));
}

static void f_scale(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	if (MAP_GET(s->node, "scale"))
		put_uint(t, m, k, (unsigned)s->scale);
}

static void f_grace(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *k)
{
	put_duration(t, m, k, s->stop_grace_period_ns);
}

static void f_volumes(struct tn *t,
		      struct compose_node *m,
		      const struct compose_service *s,
		      const char *k)
{
	if (s->n_volumes)
		put(t, m, k, volumes_node(t, s));
}

/*
 * provider as compose-go's ServiceProviderConfig prints it: options are
 * MultiOptions, each a list of strings (one value is a list of one).
 */
static void f_provider(struct tn *t,
		       struct compose_node *m,
		       const struct compose_service *s,
		       const char *k)
{
	const struct compose_node *pv = MAP_GET(s->node, "provider");
	const struct compose_node *opts = MAP_GET(pv, "options");
	struct compose_node *o = compose_node_map(t->a, &no_loc);
	struct compose_node *om = compose_node_map(t->a, &no_loc);

	if (!s->provider)
		return;
	put_str(t, o, "type", s->provider);
	for (uint32_t i = 0;
	     opts && opts->kind == COMPOSE_NODE_MAP && i < opts->n; i++) {
		const struct compose_node *v = opts->pairs[i].value;
		struct compose_strv sv = {0};
		const char *one =
			v->kind == COMPOSE_NODE_SCALAR ? v->str : NULL;

		if (one) {
			sv.v = &one;
			sv.n = 1;
		} else if (v->kind == COMPOSE_NODE_SEQ) {
			sv.v = arena_calloc(t->a, v->n + 1, sizeof(char *));
			for (uint32_t j = 0; j < v->n; j++)
				if (v->items[j]->kind == COMPOSE_NODE_SCALAR)
					sv.v[sv.n++] = v->items[j]->str;
		}
		put_dyn(t, om, opts->pairs[i].key->str, strv_node(t, &sv));
	}
	if (om->n)
		put(t, o, "options", om);
	put(t, m, k, o);
}

/* models: compose-go makes a list a map of names to null. */
static void f_models(struct tn *t,
		     struct compose_node *m,
		     const struct compose_service *s,
		     const char *k)
{
	const struct compose_node *v = MAP_GET(s->node, "models");
	struct compose_node *o;

	if (!s->models.n)
		return;
	if (v->kind == COMPOSE_NODE_MAP) {
		put(t, m, k, (struct compose_node *)v);
		return;
	}
	o = compose_node_map(t->a, &no_loc);
	for (size_t i = 0; i < s->models.n; i++)
		put_dyn(t, o, s->models.v[i], const_plain(t, "null"));
	put(t, m, k, o);
}

enum key_kind { K_RAW, K_STR, K_STRV, K_TRUE, K_FN, K_KEY };

struct svc_key {
	const char *key;
	enum key_kind kind;
	size_t off;
	typed_fn fn;
};

#define RAW(k)                                                                 \
	{                                                                      \
		k, K_RAW, 0, NULL                                              \
	}
#define STR(k, f)                                                              \
	{                                                                      \
		k, K_STR, offsetof(struct compose_service, f), NULL            \
	}
#define STRV(k, f)                                                             \
	{                                                                      \
		k, K_STRV, offsetof(struct compose_service, f), NULL           \
	}
#define TRUE_(k, f)                                                            \
	{                                                                      \
		k, K_TRUE, offsetof(struct compose_service, f), NULL           \
	}
/* A key of compose_keys[] (compose/keys.c): printed from the model. */
#define KEY(k)                                                                 \
	{                                                                      \
		k, K_KEY, 0, NULL                                              \
	}
#define FN(k, f)                                                               \
	{                                                                      \
		k, K_FN, 0, f                                                  \
	}

/*
 * compose-go's ServiceConfig field order: what compose prints.  RAW keys
 * are not typed by the model and are copied from the document.
 */
static const struct svc_key svc_keys[] = {
	STRV("profiles", profiles),
	KEY("annotations"),
	FN("attach", f_attach),
	FN("build", f_build),
	FN("develop", f_develop),
	FN("blkio_config", f_blkio),
	STRV("cap_add", cap_add),
	STRV("cap_drop", cap_drop),
	KEY("cgroup_parent"),
	KEY("cgroup"),
	KEY("cpu_count"),
	KEY("cpu_percent"),
	KEY("cpu_period"),
	KEY("cpu_quota"),
	KEY("cpu_rt_period"),
	KEY("cpu_rt_runtime"),
	KEY("cpus"),
	KEY("cpuset"),
	KEY("cpu_shares"),
	FN("command", f_cmd),
	FN("configs", f_files),
	STR("container_name", container_name),
	KEY("credential_spec"),
	FN("depends_on", f_depends),
	FN("deploy", f_deploy),
	KEY("device_cgroup_rules"),
	KEY("devices"),
	STRV("dns", dns),
	KEY("dns_opt"),
	STRV("dns_search", dns_search),
	RAW("dockerfile"),
	STR("domainname", domainname),
	FN("entrypoint", f_cmd),
	FN("provider", f_provider),
	FN("environment", f_env),
	STRV("expose", expose),
	KEY("external_links"),
	FN("extra_hosts", f_hosts),
	KEY("group_add"),
	KEY("gpus"),
	STR("hostname", hostname),
	FN("healthcheck", f_health),
	STR("image", image),
	FN("init", f_init),
	KEY("ipc"),
	STR("isolation", isolation),
	FN("labels", f_labels),
	STRV("links", links),
	FN("logging", f_logging),
	RAW("log_driver"),
	RAW("log_opt"),
	KEY("mem_limit"),
	KEY("mem_reservation"),
	KEY("memswap_limit"),
	KEY("mem_swappiness"),
	KEY("mac_address"),
	FN("models", f_models),
	RAW("net"),
	STR("network_mode", network_mode),
	FN("networks", f_networks),
	KEY("oom_kill_disable"),
	KEY("oom_score_adj"),
	KEY("pid"),
	KEY("pids_limit"),
	FN("platform", f_platform),
	FN("ports", f_ports),
	TRUE_("privileged", privileged),
	STR("pull_policy", pull_policy),
	TRUE_("read_only", read_only),
	STR("restart", restart),
	KEY("runtime"),
	FN("scale", f_scale),
	FN("secrets", f_files),
	KEY("security_opt"),
	KEY("shm_size"),
	TRUE_("stdin_open", stdin_open),
	FN("stop_grace_period", f_grace),
	STR("stop_signal", stop_signal),
	KEY("storage_opt"),
	KEY("sysctls"),
	KEY("tmpfs"),
	TRUE_("tty", tty),
	KEY("ulimits"),
	TRUE_("use_api_socket", use_api_socket),
	STR("user", user),
	KEY("userns_mode"),
	KEY("uts"),
	RAW("volume_driver"),
	FN("volumes", f_volumes),
	STRV("volumes_from", volumes_from),
	STR("working_dir", working_dir),
	FN("post_start", f_hooks),
	FN("pre_stop", f_hooks),
};

static void put_plainf(struct tn *t,
		       struct compose_node *m,
		       const char *k,
		       const char *fmt,
		       ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(t, m, k, plain_node(t, buf));
}

/* A device request as compose-go prints it (count -1 for all). */
static struct compose_node *devreq_node(struct tn *t,
					const struct compose_keyval *kv)
{
	struct compose_node *q = compose_node_seq(t->a, &no_loc);

	for (size_t i = 0; i < kv->n_dr; i++) {
		const struct compose_devreq *d = &kv->dr[i];
		struct compose_node *o = compose_node_map(t->a, &no_loc);

		put_strv(t, o, "capabilities", &d->capabilities);
		put_str(t, o, "driver", d->driver);
		if (d->count)
			put_plainf(t, o, "count", "%lld", d->count);
		put_strv(t, o, "device_ids", &d->device_ids);
		put_kv(t, o, "options", d->options, d->n_options);
		compose_seq_push(t->a, q, o);
	}
	return q;
}

/* devices as compose-go prints them: {source, target, permissions}. */
static struct compose_node *devices_node(struct tn *t,
					 const struct compose_strv *v)
{
	static const char *const names[] = {"source", "target", "permissions"};
	struct compose_node *q = compose_node_seq(t->a, &no_loc);

	for (size_t i = 0; i < v->n; i++) {
		struct compose_node *o = compose_node_map(t->a, &no_loc);
		const char *s = v->v[i];

		for (size_t k = 0; k < 3; k++) {
			size_t len = k < 2 ? strcspn(s, ":") : strlen(s);

			if (len) /* compose-go omits empty permissions */
				put(t, o, names[k],
				    str_node(t, arena_strndup(t->a, s, len)));
			s += len + (s[len] == ':');
		}
		compose_seq_push(t->a, q, o);
	}
	return q;
}

/* ulimits as compose-go prints them: NAME: N, or NAME: {soft, hard}. */
static struct compose_node *ulimits_node(struct tn *t,
					 const struct compose_keyval *kv)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	for (size_t i = 0; i < kv->n_ul; i++) {
		const struct compose_ulimit *u = &kv->ul[i];
		struct compose_node *o;
		char buf[32];

		if (u->soft == u->hard) {
			snprintf(buf, sizeof(buf), "%lld", u->soft);
			put_dyn(t, m, u->name, plain_node(t, buf));
			continue;
		}
		o = compose_node_map(t->a, &no_loc);
		put_plainf(t, o, "soft", "%lld", u->soft);
		put_plainf(t, o, "hard", "%lld", u->hard);
		put_dyn(t, m, u->name, o);
	}
	return m;
}

/*
 * [{path, weight}] (a number) or [{path, rate}] (bytes, a string); in
 * JSON compose-go (2.26) has no tags there: Path, Weight, Rate.
 */
static struct compose_node *
pathnums_node(struct tn *t, const struct compose_keyval *kv, bool weight)
{
	struct compose_node *l = compose_node_seq(t->a, &no_loc);

	for (size_t i = 0; i < kv->n_pn; i++) {
		struct compose_node *o = compose_node_map(t->a, &no_loc);
		const char *n = arena_sprintf(t->a, "%lld", kv->pn[i].n);

		put_str(t, o, t->json ? "Path" : "path", kv->pn[i].path);
		if (weight)
			put_plainf(t, o, t->json ? "Weight" : "weight", "%s",
				   n);
		else
			put_str(t, o, t->json ? "Rate" : "rate", n);
		compose_seq_push(t->a, l, o);
	}
	return l;
}

/*
 * A key of compose_keys[] from the model, shaped as compose v2 prints it:
 * sizes in bytes (as strings, compose-go's UnitBytes), sysctls and other
 * maps as maps, cpus as a number.
 */
static void put_key_as(struct tn *t,
		       struct compose_node *m,
		       const struct compose_service *s,
		       const char *key,
		       const char *as)
{
	long i = t->keys_any ? compose_key_find(key) : -1;
	const struct compose_keyval *kv =
		i >= 0 && s->keys ? &s->keys[i] : NULL;

	if (!kv || !kv->set)
		return;
	switch (compose_keys[i].kind) {
	case COMPOSE_KEY_STR:
	case COMPOSE_KEY_RESTART:
		put_str(t, m, as, kv->s);
		break;
	case COMPOSE_KEY_INT:
		put_plainf(t, m, as, "%lld", kv->i);
		break;
	case COMPOSE_KEY_BYTES:
		put_str(t, m, as, arena_sprintf(t->a, "%lld", kv->i));
		break;
	case COMPOSE_KEY_NANO:
		put_plainf(t, m, as, "%g", (double)kv->i / 1e9);
		break;
	case COMPOSE_KEY_BOOL:
		put(t, m, as, const_plain(t, kv->i ? "true" : "false"));
		break;
	case COMPOSE_KEY_STRV:
	case COMPOSE_KEY_TMPFS:
	case COMPOSE_KEY_LINKS:
		put_strv(t, m, as, &kv->v);
		break;
	case COMPOSE_KEY_WEIGHTS:
	case COMPOSE_KEY_RATES:
		put(t, m, as,
		    pathnums_node(t, kv,
				  compose_keys[i].kind == COMPOSE_KEY_WEIGHTS));
		break;
	case COMPOSE_KEY_MAP:
		put(t, m, as, kv_node(t, kv->kv, kv->n_kv));
		break;
	case COMPOSE_KEY_ULIMITS:
		put(t, m, as, ulimits_node(t, kv));
		break;
	case COMPOSE_KEY_DEVICES:
		put(t, m, as, devices_node(t, &kv->v));
		break;
	case COMPOSE_KEY_DEVREQ:
		put(t, m, as, devreq_node(t, kv));
		break;
	case COMPOSE_KEY_CREDSPEC: {
		/* "credentialspec=file://F" back to {file: F}. */
		const char *sch = strchr(kv->s, '=') + 1;
		const char *sep = strstr(sch, "://");
		struct compose_node *o = compose_node_map(t->a, &no_loc);

		put_dyn(t, o, arena_strndup(t->a, sch, (size_t)(sep - sch)),
			str_node(t, sep + 3));
		put(t, m, as, o);
		break;
	}
	}
}

static void put_key(struct tn *t,
		    struct compose_node *m,
		    const struct compose_service *s,
		    const char *key)
{
	put_key_as(t, m, s, key, key);
}

static void put_typed(struct tn *t,
		      struct compose_node *m,
		      const struct compose_service *s,
		      const struct svc_key *k)
{
	const char *base = (const char *)s;

	switch (k->kind) {
	case K_STR:
		put_str(t, m, k->key, *(const char *const *)(base + k->off));
		break;
	case K_STRV:
		put_strv(t, m, k->key,
			 (const struct compose_strv *)(base + k->off));
		break;
	case K_TRUE:
		put_true(t, m, k->key, *(const bool *)(base + k->off));
		break;
	case K_FN:
		k->fn(t, m, s, k->key);
		break;
	case K_KEY:
		put_key(t, m, s, k->key);
		break;
	case K_RAW:
		break;
	}
}

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct compose_pair *)a)->key->str,
		      ((const struct compose_pair *)b)->key->str);
}

/* Extension keys ("x-...") of a map, sorted, appended to 'm'. */
static void put_extensions(struct tn *t,
			   struct compose_node *m,
			   const struct compose_node *src)
{
	struct compose_pair *x;
	size_t n = 0;

	if (!src || src->kind != COMPOSE_NODE_MAP)
		return;
	x = arena_calloc(t->a, src->n + 1, sizeof(*x));
	for (size_t i = 0; i < src->n; i++)
		if (!strncmp(src->pairs[i].key->str, "x-", 2))
			x[n++] = src->pairs[i];
	qsort(x, n, sizeof(*x), cmp_pair);
	for (size_t i = 0; i < n; i++)
		compose_map_push(t->a, m, x[i].key, x[i].value);
}

static struct compose_node *service_node(struct tn *t,
					 const struct compose_service *s)
{
	const struct compose_node *raw[ARRAY_SIZE(svc_keys)] = {0};
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	const struct compose_node *src = s->node;
	size_t idx;

	t->keys_any = false;
	for (size_t i = 0; s->keys && i < compose_n_keys && !t->keys_any; i++)
		t->keys_any = s->keys[i].set;
	for (size_t i = 0; src && src->kind == COMPOSE_NODE_MAP && i < src->n;
	     i++)
		if (compose_strmap_get(&t->keyidx, src->pairs[i].key->str,
				       &idx))
			raw[idx] = src->pairs[i].value;
	for (size_t i = 0; i < ARRAY_SIZE(svc_keys); i++) {
		if (svc_keys[i].kind != K_RAW)
			put_typed(t, m, s, &svc_keys[i]);
		else if (raw[i])
			put(t, m, svc_keys[i].key,
			    (struct compose_node *)raw[i]);
	}
	put_extensions(t, m, s->node);
	return m;
}

/* ---- Top level -------------------------------------------------------- */

static struct compose_node *network_node(struct tn *t,
					 const struct compose_project *p,
					 const struct compose_network *n)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	struct compose_node *ipam = compose_node_map(t->a, &no_loc);
	const struct compose_node *src =
		compose_map_get(MAP_GET(p->doc, "networks"), n->key);

	put_str(t, m, "name", n->name);
	put_str(t, m, "driver", n->driver);
	put_kv(t, m, "driver_opts", n->driver_opts, n->n_driver_opts);
	put_str(t, ipam, "driver", n->ipam_driver);
	if (n->n_ipam) {
		struct compose_node *cfg = compose_node_seq(t->a, &no_loc);

		for (size_t i = 0; i < n->n_ipam; i++) {
			struct compose_node *c =
				compose_node_map(t->a, &no_loc);

			put_str(t, c, "subnet", n->ipam[i].subnet);
			put_str(t, c, "gateway", n->ipam[i].gateway);
			put_str(t, c, "ip_range", n->ipam[i].ip_range);
			put_kv(t, c, "aux_addresses", n->ipam[i].aux_addresses,
			       n->ipam[i].n_aux_addresses);
			compose_seq_push(t->a, cfg, c);
		}
		put(t, ipam, "config", cfg);
	}
	put_kv(t, ipam, "options", n->ipam_options, n->n_ipam_options);
	if (ipam->n || t->json)
		put(t, m, "ipam", ipam);
	put_true(t, m, "external", n->external);
	put_true(t, m, "internal", n->internal);
	put_true(t, m, "attachable", n->attachable);
	put_kv(t, m, "labels", n->labels, n->n_labels);
	if (n->enable_ipv4_set)
		put(t, m, "enable_ipv4",
		    const_plain(t, n->enable_ipv4 ? "true" : "false"));
	put_true(t, m, "enable_ipv6", n->enable_ipv6);
	put_extensions(t, m, src);
	return m;
}

static struct compose_node *volume_node(struct tn *t,
					const struct compose_project *p,
					const struct compose_volume *v)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	const struct compose_node *src =
		compose_map_get(MAP_GET(p->doc, "volumes"), v->key);

	put_str(t, m, "name", v->name);
	put_str(t, m, "driver", v->driver);
	put_kv(t, m, "driver_opts", v->driver_opts, v->n_driver_opts);
	put_true(t, m, "external", v->external);
	put_kv(t, m, "labels", v->labels, v->n_labels);
	put_extensions(t, m, src);
	return m;
}

/* A top-level secret or config in compose v2's long form. */
/*
 * compose-go prints only the networks, volumes, secrets and configs that
 * an enabled service uses (its WithoutUnnecessaryResources).
 */
static bool used(const struct compose_project *p, char what, const char *key)
{
	for (size_t i = 0; i < p->n_services; i++) {
		const struct compose_service *s = &p->services[i];
		bool config = what == 'c';
		const struct compose_fileref *r =
			config ? s->configs : s->secrets;
		size_t nr = config ? s->n_configs : s->n_secrets;

		if (what == 'n' && !s->n_networks && !s->network_mode &&
		    !strcmp(key, "default"))
			return true;
		for (size_t k = 0; what == 'n' && k < s->n_networks; k++)
			if (!strcmp(s->networks[k].name, key))
				return true;
		for (size_t k = 0; what == 'v' && k < s->n_volumes; k++)
			if (s->volumes[k].type == COMPOSE_MOUNT_VOLUME &&
			    s->volumes[k].source &&
			    !strcmp(s->volumes[k].source, key))
				return true;
		for (size_t k = 0; (what == 's' || config) && k < nr; k++)
			if (!strcmp(r[k].source, key))
				return true;
		for (size_t k = 0;
		     what == 's' && s->build && k < s->build->secrets.n; k++)
			if (!strcmp(s->build->secrets.v[k], key))
				return true;
	}
	return false;
}

static void put_fileobjs(struct tn *t,
			 const struct compose_project *p,
			 struct compose_node *root,
			 const char *k,
			 const struct compose_fileobj *v,
			 size_t n)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	for (size_t i = 0; i < n; i++) {
		struct compose_node *o = compose_node_map(t->a, &no_loc);

		if (!used(p, k[0], v[i].key))
			continue;
		put_str(t, o, "name", v[i].name);
		put_str(t, o, "file", v[i].file);
		put_str(t, o, "environment", v[i].environment);
		put_str(t, o, "content", v[i].content);
		put_true(t, o, "external", v[i].external);
		put_dyn(t, m, v[i].key, o);
	}
	if (m->n)
		put(t, root, k, m);
}

static void tn_init(struct tn *t, struct arena *a, bool json)
{
	memset(t, 0, sizeof(*t));
	t->a = a;
	t->json = json;
	compose_strmap_init(&t->keyidx, ARRAY_SIZE(svc_keys));
	for (size_t i = 0; i < ARRAY_SIZE(svc_keys); i++)
		compose_strmap_put(&t->keyidx, svc_keys[i].key, i);
}

static void tn_release(struct tn *t)
{
	compose_strmap_release(&t->keyidx);
}

/* The top-level models an enabled service uses, as written. */
static void put_models(struct tn *t,
		       const struct compose_project *p,
		       struct compose_node *root)
{
	const struct compose_node *v = compose_map_get(p->doc, "models");
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	for (uint32_t i = 0; v && v->kind == COMPOSE_NODE_MAP && i < v->n;
	     i++) {
		bool use = false;

		for (size_t k = 0; k < p->n_services && !use; k++)
			for (size_t j = 0; j < p->services[k].models.n; j++)
				use = use || !strcmp(p->services[k].models.v[j],
						     v->pairs[i].key->str);
		if (use)
			put_dyn(t, m, v->pairs[i].key->str, v->pairs[i].value);
	}
	if (m->n)
		put(t, root, "models", m);
}

/* What follows the services: networks, volumes, secrets... and x-*. */
static struct compose_node *tail_node(struct tn *t,
				      const struct compose_project *p)
{
	struct compose_node *root = compose_node_map(t->a, &no_loc);

	struct compose_node *nets = compose_node_map(t->a, &no_loc);
	struct compose_node *vols = compose_node_map(t->a, &no_loc);

	for (size_t i = 0; i < p->n_networks; i++)
		if (used(p, 'n', p->networks[i].key))
			put_dyn(t, nets, p->networks[i].key,
				network_node(t, p, &p->networks[i]));
	if (nets->n)
		put(t, root, "networks", nets);
	for (size_t i = 0; i < p->n_volumes; i++)
		if (used(p, 'v', p->volumes[i].key))
			put_dyn(t, vols, p->volumes[i].key,
				volume_node(t, p, &p->volumes[i]));
	if (vols->n)
		put(t, root, "volumes", vols);
	put_fileobjs(t, p, root, "secrets", p->secrets, p->n_secrets);
	put_fileobjs(t, p, root, "configs", p->configs, p->n_configs);
	put_models(t, p, root);
	put_extensions(t, root, p->doc);
	return root;
}

struct compose_node *
compose_project_to_node_fmt(const struct compose_project *p, bool json)
{
	struct tn t;
	struct compose_node *root, *svcs, *tail;

	tn_init(&t, p->arena, json);
	root = compose_node_map(t.a, &no_loc);
	svcs = compose_node_map(t.a, &no_loc);
	put_str(&t, root, "name", p->name);
	for (size_t i = 0; i < p->n_services; i++)
		put_dyn(&t, svcs, p->services[i].name,
			service_node(&t, &p->services[i]));
	put(&t, root, "services", svcs);
	tail = tail_node(&t, p);
	for (size_t i = 0; i < tail->n; i++)
		compose_map_push(t.a, root, tail->pairs[i].key,
				 tail->pairs[i].value);
	tn_release(&t);
	return root;
}

struct compose_node *compose_project_to_node(const struct compose_project *p)
{
	return compose_project_to_node_fmt(p, true);
}

/* ---- Streaming -------------------------------------------------------- */

/*
 * Appends the members of a one-level map as the emitter wrote them,
 * without the braces (JSON), each line indented by 'ind' more spaces.
 */
static void add_members(struct sbuf *out,
			struct sbuf *tmp,
			const struct compose_node *m,
			bool json,
			int ind)
{
	static const char spaces[] = "        ";
	const char *s, *end;

	if (json) {
		compose_node_emit_json_members(out, m, ind + 2);
		return;
	}
	sbuf_reset(tmp);
	compose_node_emit_yaml(tmp, m);
	s = tmp->buf;
	end = tmp->buf + tmp->len;
	if (!ind) {
		sbuf_add(out, s, (size_t)(end - s));
		return;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s + 1) : (size_t)(end - s);

		/* An empty line of a literal block stays empty. */
		if (*s != '\n')
			sbuf_add(out, spaces, (size_t)ind);
		sbuf_add(out, s, len);
		s += len;
	}
}

/*
 * Services per chunk.  Each chunk's nodes and text are alive at the peak
 * of `config` on top of the whole model: 256 cost 1.8 MB more than 16 at
 * 5000 services, and smaller chunks are no slower.
 */
#define EMIT_CHUNK 16

/* The services, a chunk at a time, each chunk in an arena of its own. */
static void emit_services(struct sbuf *out,
			  const struct compose_project *p,
			  bool json,
			  const struct compose_emit_sink *sink)
{
	struct sbuf tmp = SBUF_INIT;

	for (size_t i = 0; i < p->n_services; i += EMIT_CHUNK) {
		struct arena *a = arena_new();
		struct tn t;

		tn_init(&t, a, json);
		for (size_t j = i; j < p->n_services && j < i + EMIT_CHUNK;
		     j++) {
			struct compose_node *one = compose_node_map(a, &no_loc);

			put_dyn(&t, one, p->services[j].name,
				service_node(&t, &p->services[j]));
			if (json && j)
				sbuf_adds(out, ",\n");
			add_members(out, &tmp, one, json, 2);
		}
		tn_release(&t);
		arena_free(a);
		if (sink && sink->flush)
			sink->flush(sink->userdata, out);
	}
	sbuf_release(&tmp);
}

void compose_project_emit(struct sbuf *out,
			  const struct compose_project *p,
			  bool json)
{
	compose_project_emit_to(out, p, json, NULL);
}

void compose_project_emit_to(struct sbuf *out,
			     const struct compose_project *p,
			     bool json,
			     const struct compose_emit_sink *sink)
{
	struct arena *a = arena_new();
	struct compose_node *head = compose_node_map(a, &no_loc);
	struct compose_node *tail;
	struct sbuf tmp = SBUF_INIT;
	struct tn t;

	tn_init(&t, a, json);
	put_str(&t, head, "name", p->name);
	tail = tail_node(&t, p);
	if (json)
		sbuf_adds(out, "{\n");
	add_members(out, &tmp, head, json, 0);
	if (!p->n_services) {
		sbuf_adds(out,
			  json ? ",\n  \"services\": {}" : "services: {}\n");
	} else {
		sbuf_adds(out, json ? ",\n  \"services\": {\n" : "services:\n");
		emit_services(out, p, json, sink);
		if (json)
			sbuf_adds(out, "\n  }");
	}
	if (tail->n) {
		if (json)
			sbuf_adds(out, ",\n");
		add_members(out, &tmp, tail, json, 0);
	}
	if (json)
		sbuf_adds(out, "\n}\n");
	sbuf_release(&tmp);
	tn_release(&t);
	arena_free(a);
	if (sink && sink->flush)
		sink->flush(sink->userdata, out);
}
