/*
 * The normalized project as a node tree shaped like `docker compose
 * config --format json` of compose v2.  Keys come in the order compose-go
 * declares its struct fields (what compose prints); maps (environment,
 * labels, networks, depends_on, extensions) are sorted by key as Go's
 * encoders sort map keys.  Attributes the model does not type are copied
 * verbatim from the merged document.
 */
#include "compose/load_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

struct tn {
	struct arena *a;
	bool json;
};

static const struct diag_loc no_loc;

static struct compose_node *str_node(struct tn *t, const char *s)
{
	return compose_node_scalar(t->a, s, &no_loc);
}

static struct compose_node *plain_node(struct tn *t, const char *s)
{
	return compose_node_plain(t->a, s, &no_loc);
}

static void put(struct tn *t, struct compose_node *m, const char *k,
		struct compose_node *v)
{
	compose_map_push(t->a, m, str_node(t, k), v);
}

static void put_str(struct tn *t, struct compose_node *m, const char *k,
		    const char *v)
{
	if (v)
		put(t, m, k, str_node(t, v));
}

static void put_true(struct tn *t, struct compose_node *m, const char *k,
		     bool v)
{
	if (v)
		put(t, m, k, plain_node(t, "true"));
}

static void put_uint(struct tn *t, struct compose_node *m, const char *k,
		     unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	put(t, m, k, plain_node(t, buf));
}

static struct compose_node *strv_node(struct tn *t,
				      const struct compose_strv *v)
{
	struct compose_node *s = compose_node_seq(t->a, &no_loc);

	for (size_t i = 0; i < v->n; i++)
		compose_seq_push(t->a, s, str_node(t, v->v[i]));
	return s;
}

static void put_strv(struct tn *t, struct compose_node *m, const char *k,
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
static struct compose_node *kv_node(struct tn *t, const struct compose_kv *kv,
				    size_t n)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	struct compose_kv *s = arena_calloc(t->a, n + 1, sizeof(*s));

	if (n)
		memcpy(s, kv, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_kv);
	for (size_t i = 0; i < n; i++)
		put(t, m, s[i].key,
		    s[i].value ? str_node(t, s[i].value) : plain_node(t, "null"));
	return m;
}

static void put_kv(struct tn *t, struct compose_node *m, const char *k,
		   const struct compose_kv *kv, size_t n)
{
	if (n)
		put(t, m, k, kv_node(t, kv, n));
}

/* Go's time.Duration.String(): "1m30s", "1.5s", "500ms", "1h0m0s". */
static const char *go_duration(struct arena *a, long long ns)
{
	static const char *const small[] = { "ns", "µs", "ms" };
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
			snprintf(frac, sizeof(frac), ".%0*lld",
				 i * 3, ns % unit);
			for (size_t l = strlen(frac); frac[l - 1] == '0'; l--)
				frac[l - 1] = '\0';
		}
		return arena_sprintf(a, "%lld%s%s", ns / unit, frac, small[i]);
	}
	if (ns % 1000000000LL) {
		snprintf(frac, sizeof(frac), ".%09lld", ns % 1000000000LL);
		for (size_t l = strlen(frac); frac[l - 1] == '0'; l--)
			frac[l - 1] = '\0';
	}
	if (ns >= 3600000000000LL)
		return arena_sprintf(a, "%lldh%lldm%lld%ss", ns / 3600000000000LL,
				     ns / 60000000000LL % 60,
				     ns / 1000000000LL % 60, frac);
	if (ns >= 60000000000LL)
		return arena_sprintf(a, "%lldm%lld%ss", ns / 60000000000LL,
				     ns / 1000000000LL % 60, frac);
	return arena_sprintf(a, "%lld%ss", ns / 1000000000LL, frac);
}

static void put_duration(struct tn *t, struct compose_node *m, const char *k,
			 long long ns)
{
	if (ns >= 0)
		put(t, m, k, str_node(t, go_duration(t->a, ns)));
}

/* ---- Service parts ---------------------------------------------------- */

static struct compose_node *build_node(struct tn *t,
				       const struct compose_build *b,
				       const struct compose_node *src)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	put_str(t, m, "context", b->context);
	put_str(t, m, "dockerfile", b->dockerfile);
	put_kv(t, m, "args", b->args, b->n_args);
	for (size_t i = 0; src && src->kind == COMPOSE_NODE_MAP && i < src->n;
	     i++) {
		const char *k = src->pairs[i].key->str;

		if (strcmp(k, "context") && strcmp(k, "dockerfile") &&
		    strcmp(k, "args"))
			compose_map_push(t->a, m, src->pairs[i].key,
					 src->pairs[i].value);
	}
	return m;
}

static struct compose_node *depends_node(struct tn *t,
					 const struct compose_service *s)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	const struct compose_depends **v =
		arena_calloc(t->a, s->n_depends_on + 1, sizeof(*v));

	for (size_t i = 0; i < s->n_depends_on; i++)
		v[i] = &s->depends_on[i];
	/* Few entries: an insertion sort keeps this simple. */
	for (size_t i = 1; i < s->n_depends_on; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1]->service,
						   v[j]->service) > 0; j--) {
			const struct compose_depends *x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	for (size_t i = 0; i < s->n_depends_on; i++) {
		struct compose_node *d = compose_node_map(t->a, &no_loc);

		put_str(t, d, "condition", v[i]->condition);
		put_true(t, d, "restart", v[i]->restart);
		put(t, d, "required",
		    plain_node(t, v[i]->required ? "true" : "false"));
		put(t, m, v[i]->service, d);
	}
	return m;
}

static struct compose_node *hosts_node(struct tn *t,
				       const struct compose_service *s)
{
	struct compose_node *q = compose_node_seq(t->a, &no_loc);
	struct compose_kv *kv = arena_calloc(t->a, s->n_extra_hosts + 1,
					     sizeof(*kv));

	memcpy(kv, s->extra_hosts, s->n_extra_hosts * sizeof(*kv));
	qsort(kv, s->n_extra_hosts, sizeof(*kv), cmp_kv);
	for (size_t i = 0; i < s->n_extra_hosts; i++)
		compose_seq_push(t->a, q,
				 str_node(t, arena_sprintf(t->a, "%s=%s",
							   kv[i].key,
							   kv[i].value)));
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
		put_str(t, o, "ipv4_address", v[i].ipv4_address);
		put_str(t, o, "ipv6_address", v[i].ipv6_address);
		put_str(t, o, "mac_address", v[i].mac_address);
		put(t, m, v[i].name, o->n ? o : plain_node(t, "null"));
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
		put_str(t, m, "mode", p->mode);
		put_str(t, m, "host_ip", p->host_ip);
		put_uint(t, m, "target", p->target);
		put_str(t, m, "published", p->published);
		put_str(t, m, "protocol", p->protocol);
		put_str(t, m, "app_protocol", p->app_protocol);
		compose_seq_push(t->a, q, m);
	}
	return q;
}

static const char *const mount_types[] = { "bind", "volume", "tmpfs", "npipe",
					   "cluster" };

static struct compose_node *mount_node(struct tn *t,
				       const struct compose_mount *v)
{
	struct compose_node *m = compose_node_map(t->a, &no_loc);
	struct compose_node *o = compose_node_map(t->a, &no_loc);

	put_str(t, m, "type", mount_types[v->type]);
	put_str(t, m, "source", v->source);
	put_str(t, m, "target", v->target);
	put_true(t, m, "read_only", v->read_only);
	put_str(t, m, "consistency", v->consistency);
	if (v->type == COMPOSE_MOUNT_BIND) {
		put_str(t, o, "selinux", v->bind_selinux);
		put_str(t, o, "propagation", v->bind_propagation);
		put_true(t, o, "create_host_path", v->bind_create_host_path > 0);
		if (o->n)
			put(t, m, "bind", o);
	} else if (v->type == COMPOSE_MOUNT_VOLUME) {
		put_true(t, o, "nocopy", v->volume_nocopy > 0);
		put_str(t, o, "subpath", v->volume_subpath);
		put(t, m, "volume", o);
	} else if (v->type == COMPOSE_MOUNT_TMPFS &&
		   (v->tmpfs_size >= 0 || v->tmpfs_mode >= 0)) {
		if (v->tmpfs_size >= 0)
			put_uint(t, o, "size", (unsigned long long)v->tmpfs_size);
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

/*
 * compose-go's ServiceConfig field order.  Keys marked '*' are typed by
 * the model; the rest are copied from the document when present.
 */
static const char *const svc_keys[] = {
	"*profiles", "annotations", "attach", "*build", "develop",
	"blkio_config", "*cap_add", "*cap_drop", "cgroup_parent", "cgroup",
	"cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period",
	"cpu_rt_runtime", "cpus", "cpuset", "cpu_shares", "*command", "configs",
	"*container_name", "credential_spec", "*depends_on", "deploy",
	"device_cgroup_rules", "devices", "*dns", "dns_opt", "*dns_search",
	"dockerfile", "*domainname", "*entrypoint", "provider", "*environment",
	"*expose", "external_links", "*extra_hosts", "group_add", "gpus",
	"*hostname", "*healthcheck", "*image", "*init", "ipc", "*isolation",
	"*labels", "*links", "logging", "log_driver", "log_opt", "*mem_limit",
	"mem_reservation", "memswap_limit", "mem_swappiness", "mac_address",
	"models", "net", "*network_mode", "*networks", "oom_kill_disable",
	"oom_score_adj", "pid", "pids_limit", "*platform", "*ports",
	"*privileged", "*pull_policy", "*read_only", "*restart", "runtime",
	"*scale", "secrets", "security_opt", "shm_size", "*stdin_open",
	"*stop_grace_period", "*stop_signal", "storage_opt", "sysctls",
	"tmpfs", "*tty", "ulimits", "use_api_socket", "*user", "userns_mode",
	"uts", "volume_driver", "*volumes", "*volumes_from", "*working_dir",
	"post_start", "pre_stop",
};

/* UnitBytes print as a byte count. */
static const char *bytes_text(struct arena *a, const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	int shift = 0;

	switch (*end | 0x20) {
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	default: break;
	}
	if (end == s || (*end && !shift))
		return s;
	return arena_sprintf(a, "%lld", v << shift);
}

static void put_cmd(struct tn *t, struct compose_node *m, const char *k,
		    const struct compose_strv *v)
{
	if (v->v)
		put(t, m, k, strv_node(t, v));
	else if (t->json)
		put(t, m, k, plain_node(t, "null"));
}

static void put_typed_a(struct tn *t, struct compose_node *m,
			const struct compose_service *s, const char *k)
{
	if (!strcmp(k, "profiles"))
		put_strv(t, m, k, &s->profiles);
	else if (!strcmp(k, "build") && s->build)
		put(t, m, k, build_node(t, s->build,
					compose_map_get(s->node, "build")));
	else if (!strcmp(k, "cap_add"))
		put_strv(t, m, k, &s->cap_add);
	else if (!strcmp(k, "cap_drop"))
		put_strv(t, m, k, &s->cap_drop);
	else if (!strcmp(k, "command") || !strcmp(k, "entrypoint"))
		put_cmd(t, m, k, k[0] == 'c' ? &s->command : &s->entrypoint);
	else if (!strcmp(k, "container_name"))
		put_str(t, m, k, s->container_name);
	else if (!strcmp(k, "depends_on") && s->n_depends_on)
		put(t, m, k, depends_node(t, s));
	else if (!strcmp(k, "dns"))
		put_strv(t, m, k, &s->dns);
	else if (!strcmp(k, "dns_search"))
		put_strv(t, m, k, &s->dns_search);
	else if (!strcmp(k, "domainname"))
		put_str(t, m, k, s->domainname);
	else if (!strcmp(k, "environment"))
		put_kv(t, m, k, s->environment, s->n_environment);
	else if (!strcmp(k, "expose"))
		put_strv(t, m, k, &s->expose);
	else if (!strcmp(k, "extra_hosts") && s->n_extra_hosts)
		put(t, m, k, hosts_node(t, s));
	else if (!strcmp(k, "hostname"))
		put_str(t, m, k, s->hostname);
	else if (!strcmp(k, "healthcheck") && s->healthcheck.present)
		put(t, m, k, health_node(t, &s->healthcheck));
	else if (!strcmp(k, "image"))
		put_str(t, m, k, s->image);
	else if (!strcmp(k, "init") && s->init >= 0)
		put(t, m, k, plain_node(t, s->init ? "true" : "false"));
	else if (!strcmp(k, "isolation"))
		put_str(t, m, k, s->isolation);
	else if (!strcmp(k, "labels"))
		put_kv(t, m, k, s->labels, s->n_labels);
	else if (!strcmp(k, "links"))
		put_strv(t, m, k, &s->links);
}

static void put_typed_b(struct tn *t, struct compose_node *m,
			const struct compose_service *s, const char *k)
{
	if (!strcmp(k, "mem_limit") && s->mem_limit)
		put_str(t, m, k, bytes_text(t->a, s->mem_limit));
	else if (!strcmp(k, "network_mode"))
		put_str(t, m, k, s->network_mode);
	else if (!strcmp(k, "networks") && s->n_networks)
		put(t, m, k, svc_networks_node(t, s));
	else if (!strcmp(k, "platform"))
		put_str(t, m, k, s->platform.raw);
	else if (!strcmp(k, "ports") && s->n_ports)
		put(t, m, k, ports_node(t, s));
	else if (!strcmp(k, "privileged"))
		put_true(t, m, k, s->privileged);
	else if (!strcmp(k, "pull_policy"))
		put_str(t, m, k, s->pull_policy);
	else if (!strcmp(k, "read_only"))
		put_true(t, m, k, s->read_only);
	else if (!strcmp(k, "restart"))
		put_str(t, m, k, s->restart);
	else if (!strcmp(k, "scale") && compose_map_get(s->node, "scale"))
		put_uint(t, m, k, (unsigned)s->scale);
	else if (!strcmp(k, "stdin_open"))
		put_true(t, m, k, s->stdin_open);
	else if (!strcmp(k, "stop_grace_period"))
		put_duration(t, m, k, s->stop_grace_period_ns);
	else if (!strcmp(k, "stop_signal"))
		put_str(t, m, k, s->stop_signal);
	else if (!strcmp(k, "tty"))
		put_true(t, m, k, s->tty);
	else if (!strcmp(k, "user"))
		put_str(t, m, k, s->user);
	else if (!strcmp(k, "volumes") && s->n_volumes)
		put(t, m, k, volumes_node(t, s));
	else if (!strcmp(k, "volumes_from"))
		put_strv(t, m, k, &s->volumes_from);
	else if (!strcmp(k, "working_dir"))
		put_str(t, m, k, s->working_dir);
}

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct compose_pair *)a)->key->str,
		      ((const struct compose_pair *)b)->key->str);
}

/* Extension keys ("x-...") of a map, sorted, appended to 'm'. */
static void put_extensions(struct tn *t, struct compose_node *m,
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
	struct compose_node *m = compose_node_map(t->a, &no_loc);

	for (size_t i = 0; i < ARRAY_SIZE(svc_keys); i++) {
		const char *k = svc_keys[i];
		const struct compose_node *v;

		if (k[0] == '*') {
			put_typed_a(t, m, s, k + 1);
			put_typed_b(t, m, s, k + 1);
			continue;
		}
		v = compose_map_get(s->node, k);
		if (v)
			put(t, m, k, (struct compose_node *)v);
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
		compose_map_get(compose_map_get(p->doc, "networks"), n->key);

	put_str(t, m, "name", n->name);
	put_str(t, m, "driver", n->driver);
	put_kv(t, m, "driver_opts", n->driver_opts, n->n_driver_opts);
	put_str(t, ipam, "driver", n->ipam_driver);
	if (n->n_ipam) {
		struct compose_node *cfg = compose_node_seq(t->a, &no_loc);

		for (size_t i = 0; i < n->n_ipam; i++) {
			struct compose_node *c = compose_node_map(t->a, &no_loc);

			put_str(t, c, "subnet", n->ipam[i].subnet);
			put_str(t, c, "gateway", n->ipam[i].gateway);
			put_str(t, c, "ip_range", n->ipam[i].ip_range);
			compose_seq_push(t->a, cfg, c);
		}
		put(t, ipam, "config", cfg);
	}
	if (ipam->n || t->json)
		put(t, m, "ipam", ipam);
	put_true(t, m, "external", n->external);
	put_true(t, m, "internal", n->internal);
	put_true(t, m, "attachable", n->attachable);
	put_kv(t, m, "labels", n->labels, n->n_labels);
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
		compose_map_get(compose_map_get(p->doc, "volumes"), v->key);

	put_str(t, m, "name", v->name);
	put_str(t, m, "driver", v->driver);
	put_kv(t, m, "driver_opts", v->driver_opts, v->n_driver_opts);
	put_true(t, m, "external", v->external);
	put_kv(t, m, "labels", v->labels, v->n_labels);
	put_extensions(t, m, src);
	return m;
}

struct compose_node *compose_project_to_node_fmt(const struct compose_project *p,
						 bool json)
{
	struct tn t = { p->arena, json };
	struct compose_node *root = compose_node_map(t.a, &no_loc);
	struct compose_node *svcs = compose_node_map(t.a, &no_loc);
	const char *extra[] = { "secrets", "configs", "models" };

	put_str(&t, root, "name", p->name);
	for (size_t i = 0; i < p->n_services; i++)
		put(&t, svcs, p->services[i].name,
		    service_node(&t, &p->services[i]));
	put(&t, root, "services", svcs);
	if (p->n_networks) {
		struct compose_node *m = compose_node_map(t.a, &no_loc);

		for (size_t i = 0; i < p->n_networks; i++)
			put(&t, m, p->networks[i].key,
			    network_node(&t, p, &p->networks[i]));
		put(&t, root, "networks", m);
	}
	if (p->n_volumes) {
		struct compose_node *m = compose_node_map(t.a, &no_loc);

		for (size_t i = 0; i < p->n_volumes; i++)
			put(&t, m, p->volumes[i].key,
			    volume_node(&t, p, &p->volumes[i]));
		put(&t, root, "volumes", m);
	}
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		struct compose_node *v = compose_map_get(p->doc, extra[i]);

		if (v)
			put(&t, root, extra[i], v);
	}
	put_extensions(&t, root, p->doc);
	return root;
}

struct compose_node *compose_project_to_node(const struct compose_project *p)
{
	return compose_project_to_node_fmt(p, true);
}
