/*
 * translate/translate.c: the entry point, the node helpers, the routing of
 * each service to an OS (by the planner), and the table that says which
 * service keys each target carries.
 */
#include "translate/translate_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct compose_node *tr_map(struct tr *t)
{
	return compose_node_map(t->a, NULL);
}

struct compose_node *tr_seq(struct tr *t)
{
	return compose_node_seq(t->a, NULL);
}

struct compose_node *tr_str(struct tr *t, const char *s)
{
	struct compose_node *n = compose_node_scalar(t->a, s ? s : "", NULL);

	n->style = COMPOSE_SCALAR_QUOTED;
	return n;
}

struct compose_node *tr_plain(struct tr *t, const char *s)
{
	struct compose_node *n = compose_node_scalar(t->a, s, NULL);

	n->style = COMPOSE_SCALAR_PLAIN;
	return n;
}

struct compose_node *tr_int(struct tr *t, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return tr_plain(t, buf);
}

struct compose_node *tr_bool(struct tr *t, bool v)
{
	return tr_plain(t, v ? "true" : "false");
}

void tr_put(struct tr *t,
	    struct compose_node *map,
	    const char *key,
	    struct compose_node *v)
{
	compose_map_set(t->a, map, compose_node_scalar(t->a, key, NULL), v);
}

void tr_puts(struct tr *t,
	     struct compose_node *map,
	     const char *key,
	     const char *s)
{
	if (s)
		tr_put(t, map, key, tr_str(t, s));
}

void tr_push(struct tr *t, struct compose_node *seq, struct compose_node *v)
{
	compose_seq_push(t->a, seq, v);
}

void tr_pushs(struct tr *t, struct compose_node *seq, const char *s)
{
	tr_push(t, seq, tr_str(t, s));
}

struct compose_node *
tr_sub(struct tr *t, struct compose_node *map, const char *key)
{
	struct compose_node *n = compose_map_get(map, key);

	if (n && n->kind == COMPOSE_NODE_MAP)
		return n;
	n = tr_map(t);
	tr_put(t, map, key, n);
	return n;
}

struct compose_node *tr_strv(struct tr *t, const struct compose_strv *v)
{
	struct compose_node *seq = tr_seq(t);

	for (size_t i = 0; i < v->n; i++)
		tr_pushs(t, seq, v->v[i]);
	return seq;
}

void tr_add_doc(struct tr *t, struct compose_node *doc)
{
	struct translate_docs *d = t->docs;

	if (d->n == t->docs_alloc) {
		struct compose_node **v;

		t->docs_alloc = t->docs_alloc ? 2 * t->docs_alloc : 16;
		v = arena_calloc(t->a, t->docs_alloc, sizeof(*v));
		if (d->n)
			memcpy(v, d->v, d->n * sizeof(*v));
		d->v = v;
	}
	d->v[d->n++] = doc;
}

void tr_note(struct tr *t,
	     const struct diag_loc *loc,
	     const char *path,
	     const char *fmt,
	     ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	diag_list_add(t->notes, DIAG_WARNING, DIAG_EMODEL, loc,
		      "%s: not carried over to %s: %s", path, t->target_name,
		      why);
}

struct diag_loc tr_key_loc(const struct compose_service *s, const char *key)
{
	const struct compose_node *n = s->node;

	if (n && n->kind == COMPOSE_NODE_MAP) {
		for (size_t i = 0; i < n->n; i++)
			if (!strcmp(n->pairs[i].key->str, key))
				return compose_node_loc(n->pairs[i].key);
	}
	return s->loc;
}

const char *tr_duration(struct tr *t, long long ns)
{
	if (ns % 1000000000LL == 0)
		return arena_sprintf(t->a, "%llds", ns / 1000000000LL);
	if (ns % 1000000LL == 0)
		return arena_sprintf(t->a, "%lldms", ns / 1000000LL);
	return arena_sprintf(t->a, "%lldns", ns);
}

long long tr_seconds(long long ns)
{
	long long s = (ns + 999999999LL) / 1000000000LL;

	return s < 1 ? 1 : s;
}

const char *tr_dns_name(struct tr *t, const char *s)
{
	char buf[64];
	size_t n = 0;

	for (; *s && n < 63; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (!n || buf[n - 1] == '-'))
			continue;
		buf[n++] = c;
	}
	while (n && buf[n - 1] == '-')
		n--;
	buf[n] = '\0';
	return arena_strdup(t->a, n ? buf : "x");
}

const char *tr_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ---- Which keys each target carries --------------------------------- */

#define CARRIED NULL

/*
 * One row per compose service key: NULL where the target carries it (the
 * translator turns it into the target's own form, and notes what of its
 * value it cannot carry), else why it cannot.  Sorted by key.
 */
static const struct tr_key {
	const char *key;
	const char *swarm;
	const char *k8s;
} tr_keys[] = {
	{"annotations", "stack files have no container annotations", CARRIED},
	{"build",
	 "an orchestrator runs images: build and push it, then deploy the "
	 "image",
	 "an orchestrator runs images: build and push it, then deploy the "
	 "image"},
	{"cap_add", CARRIED, CARRIED},
	{"cap_drop", CARRIED, CARRIED},
	{"command", CARRIED, CARRIED},
	{"configs", CARRIED, CARRIED},
	{"container_name", "Swarm names its tasks itself",
	 "Kubernetes names its pods itself"},
	{"credential_spec", CARRIED,
	 "use securityContext.windowsOptions.gmsaCredentialSpecName"},
	{"depends_on",
	 "Swarm starts services in no order: a service must retry until "
	 "its dependencies answer",
	 "Kubernetes starts pods in no order: readiness probes keep traffic "
	 "away until a pod is ready"},
	{"deploy", CARRIED, CARRIED},
	{"dns", CARRIED, CARRIED},
	{"dns_search", CARRIED, CARRIED},
	{"domainname", "not a key of stack files", CARRIED},
	{"entrypoint", CARRIED, CARRIED},
	{"env_file", CARRIED, CARRIED},
	{"environment", CARRIED, CARRIED},
	{"expose", CARRIED, CARRIED},
	{"extends", CARRIED, CARRIED},
	{"extra_hosts", CARRIED, CARRIED},
	{"healthcheck", CARRIED, CARRIED},
	{"hostname", CARRIED, CARRIED},
	{"image", CARRIED, CARRIED},
	{"init", CARRIED, "Kubernetes has no init process option"},
	{"isolation", CARRIED,
	 "Kubernetes picks the isolation with a RuntimeClass"},
	{"label_file", CARRIED, CARRIED},
	{"labels", CARRIED, CARRIED},
	{"links", "Swarm has no links: peers resolve by service name",
	 "Kubernetes has no links: peers resolve by service name"},
	{"logging", CARRIED, "Kubernetes logs through the node's runtime"},
	{"network_mode", "Swarm tasks attach to networks only",
	 "pods have one network namespace of their own"},
	{"networks", CARRIED, CARRIED},
	{"platform", CARRIED, CARRIED},
	{"ports", CARRIED, CARRIED},
	{"privileged", "Swarm services cannot run privileged", CARRIED},
	{"profiles", CARRIED, CARRIED},
	{"pull_policy", "docker stack deploy resolves images itself", CARRIED},
	{"read_only", CARRIED, CARRIED},
	{"restart", CARRIED, CARRIED},
	{"scale", CARRIED, CARRIED},
	{"secrets", CARRIED, CARRIED},
	{"stdin_open", CARRIED, CARRIED},
	{"stop_grace_period", CARRIED, CARRIED},
	{"stop_signal", CARRIED, "Kubernetes always sends SIGTERM"},
	{"sysctls", CARRIED, "set sysctls in the pod's securityContext"},
	{"tmpfs", CARRIED, "use an emptyDir volume with medium: Memory"},
	{"tty", CARRIED, CARRIED},
	{"ulimits", CARRIED, "Kubernetes has no per-container ulimits"},
	{"user", CARRIED, CARRIED},
	{"volumes", CARRIED, CARRIED},
	{"volumes_from", "Swarm tasks share no volumes by container",
	 "share a volume in the pod instead"},
	{"working_dir", CARRIED, CARRIED},
	{"x-mixcompose", CARRIED, CARRIED},
};

static const struct tr_key *tr_key_find(const char *key)
{
	size_t lo = 0, hi = sizeof(tr_keys) / sizeof(tr_keys[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(key, tr_keys[mid].key);

		if (!c)
			return &tr_keys[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void tr_check_keys(struct tr *t, const struct compose_service *s)
{
	const struct compose_node *n = s->node;
	bool k8s = t->o->target == TRANSLATE_KUBERNETES;

	if (!n || n->kind != COMPOSE_NODE_MAP)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const char *key = n->pairs[i].key->str;
		const struct tr_key *row = tr_key_find(key);
		struct diag_loc loc = compose_node_loc(n->pairs[i].key);
		const char *path =
			arena_sprintf(t->a, "services.%s.%s", s->name, key);

		if (!strncmp(key, "x-", 2) && strcmp(key, "x-mixcompose")) {
			tr_note(t, &loc, path, "an extension");
			continue;
		}
		if (!row)
			tr_note(t, &loc, path, "no translation for this key");
		else if (k8s ? row->k8s : row->swarm)
			tr_note(t, &loc, path, "%s",
				k8s ? row->k8s : row->swarm);
	}
}

/* ---- Routing: the OS of each service -------------------------------- */

/*
 * The planner routes every service as `up` would: on the declared daemons
 * plus one stand-in host for each OS that none of them has, so that a
 * file without daemon declarations still says which OS each service
 * needs.
 */
static int tr_route(struct tr *t, struct diag *err)
{
	struct plan_host *decl, *hosts;
	size_t n = 0, m;
	struct plan *pl = NULL;
	struct plan_options po = {.offline = true};
	static const char *const oses[] = {"linux", "windows"};
	int rc;

	plan_hosts_from_declarations(&decl, &n, t->a, t->p);
	if (!t->p->mix.n_daemons)
		n = 0;
	hosts = arena_calloc(t->a, n + 2, sizeof(*hosts));
	memcpy(hosts, decl, n * sizeof(*hosts));
	m = n;
	for (size_t k = 0; k < 2; k++) {
		bool have = false;

		for (size_t i = 0; i < n; i++)
			have = have || !strcmp(hosts[i].os, oses[k]);
		if (have)
			continue;
		hosts[m].name = arena_sprintf(t->a, "translate-%s", oses[k]);
		hosts[m].os = oses[k];
		hosts[m].offline = true;
		m++;
	}
	po.default_platform = t->o->default_platform;
	rc = plan_build(&pl, t->p, hosts, m, &po, err);
	if (rc)
		return rc;
	t->os = arena_calloc(t->a, t->p->n_services + 1, sizeof(*t->os));
	for (size_t i = 0; i < pl->n_services; i++)
		t->os[i] = pl->hosts[pl->services[i].daemon].os;
	plan_free(pl);
	return 0;
}

int translate_target_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "swarm"))
		return TRANSLATE_SWARM;
	if (!strcmp(s, "kubernetes") || !strcmp(s, "k8s"))
		return TRANSLATE_KUBERNETES;
	return -1;
}

int translate_project(struct translate_docs *out,
		      struct arena *a,
		      const struct compose_project *p,
		      const struct translate_options *o,
		      struct diag_list *notes,
		      struct diag *err)
{
	struct tr t = {
		.a = a,
		.p = p,
		.o = o,
		.notes = notes,
		.docs = out,
	};
	int rc;

	out->v = NULL;
	out->n = 0;
	if (o->endpoint_mode && strcmp(o->endpoint_mode, "vip") &&
	    strcmp(o->endpoint_mode, "dnsrr"))
		return diag_set(err, DIAG_EUSAGE, NULL,
				"endpoint mode '%s': want vip or dnsrr",
				o->endpoint_mode);
	t.target_name = o->target == TRANSLATE_SWARM ? "swarm" : "kubernetes";
	rc = tr_route(&t, err);
	if (rc)
		return rc;
	rc = o->target == TRANSLATE_SWARM ? tr_swarm(&t, err)
					  : tr_kube(&t, err);
	diag_list_sort(notes);
	return rc;
}

void translate_emit(struct sbuf *out, const struct translate_docs *docs)
{
	for (size_t i = 0; i < docs->n; i++) {
		if (i)
			sbuf_adds(out, "---\n");
		compose_node_emit_yaml(out, docs->v[i]);
	}
}
