/*
 * The hosts table.  Docker's DNS answers only inside one daemon's networks,
 * so every name of the project (service, network alias, container_name,
 * container name) is planned, per network, with the address it resolves
 * to from each daemon, and each container gets the names of the containers
 * it shares a network with (compose's DNS scope) as host entries: through
 * HostConfig.ExtraHosts at create on a Linux engine, and by rewriting a
 * marked block in its hosts file after each start on a Windows engine,
 * which ignores ExtraHosts.
 */
#include "planner/planner_int.h"

#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
bool plan_hosts_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > 253 || name[0] == '-')
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
			    "vwxyz0123456789._-") == n;
}

bool plan_hosts_ip_ok(const char *ip)
{
	uint32_t v4;

	if (!ip)
		return false;
	if (plan_ip4_parse(&v4, ip))
		return true;
	return strchr(ip, ':') &&
	       strspn(ip, "0123456789abcdefABCDEF:.") == strlen(ip) &&
	       compat_ip_valid(6, ip);
}

static void block_lines(struct compose_strv *out,
			struct arena *a,
			const struct plan_host_entry *e,
			size_t n);
static void block_text(struct sbuf *out, const struct compose_strv *lines);
static void exec_argv(struct compose_strv *out,
		      struct arena *a,
		      bool win,
		      const struct compose_strv *lines,
		      const struct plan_host_entry *e,
		      size_t n);

/* ---- The table ---------------------------------------------------------- */

struct rows {
	struct plan_hosts_row *v;
	size_t n, alloc;
};

/*
 * The container whose network namespace 'ci' uses: the first container of
 * x for network_mode service:x (followed a few levels), else 'ci'.
 */
static size_t netns_owner(const struct plan *p, size_t ci)
{
	for (int depth = 0; depth < 8; depth++) {
		const struct plan_container *ct = &p->containers[ci];
		const char *x = plan_mode_service(
			p->services[ct->service].svc->network_mode);
		size_t si = x ? plan_service_index(p, x) : PLAN_NONE;

		if (si == PLAN_NONE || !p->services[si].n_containers ||
		    p->services[si].first_container == ci)
			return ci;
		ci = p->services[si].first_container;
	}
	return ci;
}

/* Container 'ci''s address on network 'key' (its own daemon's copy). */
static const char *addr_on(const struct plan *p, size_t ci, const char *key)
{
	const struct plan_container *o = &p->containers[netns_owner(p, ci)];

	for (size_t k = 0; k < o->n_endpoints; k++)
		if (!strcmp(p->networks[o->endpoints[k].network].key, key))
			return o->endpoints[k].ipv4;
	return NULL;
}

const char *plan_host_address(const struct plan *p, size_t d)
{
	const struct compose_mix *mix = p->project ? &p->project->mix : NULL;

	for (size_t i = 0; mix && d < p->n_hosts && i < mix->n_daemons; i++)
		if (mix->daemons[i].host_address &&
		    !strcmp(mix->daemons[i].name, p->hosts[d].name))
			return mix->daemons[i].host_address;
	return p->host_address;
}

static void fill_row(struct plan *p, struct plan_hosts_row *row)
{
	const struct plan_container *ct = &p->containers[row->container];
	const char *own = addr_on(p, row->container, row->network);

	row->late = false;
	for (size_t d = 0; d < p->n_hosts; d++) {
		if (p->address_mode == PLAN_ADDR_HOST && d != ct->daemon) {
			row->addr[d] = plan_host_address(p, ct->daemon);
			row->via[d] = "host address (published ports)";
		} else {
			row->addr[d] = own;
			row->via[d] =
				own ? "container IP" : "late (after start)";
			row->late = row->late || !own;
		}
	}
}

static void add_row(struct plan *p,
		    struct rows *r,
		    const char *name,
		    const char *kind,
		    const char *network,
		    size_t ci)
{
	struct plan_hosts_row *row;

	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name) &&
		    !strcmp(r->v[i].network, network))
			return; /* the first (by service, number) wins */
	r->v = plan_grow(p->arena, r->v, r->n, &r->alloc, sizeof(*r->v));
	row = &r->v[r->n++];
	row->name = name;
	row->kind = kind;
	row->network = network;
	row->container = ci;
	row->addr = arena_calloc(p->arena, p->n_hosts + 1, sizeof(char *));
	row->via = arena_calloc(p->arena, p->n_hosts + 1, sizeof(char *));
	fill_row(p, row);
}

/*
 * The container's names on each network of its namespace: its own name
 * everywhere, and for the first container of a service the service name
 * and the aliases of that network's endpoint (compose's DNS scopes
 * aliases by network).  A container without networks (none, host,
 * container:x) has no row.
 */
static void container_rows(struct plan *p, struct rows *r, size_t ci)
{
	const struct plan_container *ct = &p->containers[ci];
	const struct plan_container *o = &p->containers[netns_owner(p, ci)];
	const struct plan_service *ps = &p->services[ct->service];
	const char *kind =
		ps->svc->container_name ? "container_name" : "container";

	for (size_t k = 0; k < o->n_endpoints; k++) {
		const char *key = p->networks[o->endpoints[k].network].key;

		add_row(p, r, ct->name, kind, key, ci);
		if (ci != ps->first_container)
			continue;
		add_row(p, r, ps->name, "service", key, ci);
		for (size_t j = 0; o == ct && j < ct->endpoints[k].aliases.n;
		     j++)
			add_row(p, r, ct->endpoints[k].aliases.v[j], "alias",
				key, ci);
	}
}

static int cmp_row(const void *a, const void *b)
{
	const struct plan_hosts_row *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->network, y->network);
}

static int
check_rows(const struct plan *p, const struct rows *r, struct diag *err)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct plan_container *ct =
			&p->containers[r->v[i].container];

		if (!plan_hosts_name_ok(r->v[i].name))
			return diag_set(
				err, DIAG_EPLAN,
				&p->services[ct->service].svc->loc,
				"service '%s': %s '%s' cannot go into a "
				"hosts file (letters, digits, '.', '_' "
				"and '-' only)",
				ct->service_name, r->v[i].kind, r->v[i].name);
	}
	return 0;
}

/* ---- Each container's entries ------------------------------------------- */

static bool own_name(const struct plan *p, size_t ci, const char *name)
{
	const struct plan_container *ct = &p->containers[ci];
	const struct compose_service *s = p->services[ct->service].svc;

	if (!strcmp(name, ct->name) || !strcmp(name, s->name))
		return true;
	for (size_t k = 0; k < ct->n_endpoints; k++)
		if (plan_strv_has(&ct->endpoints[k].aliases, name))
			return true;
	/* A name the user maps in extra_hosts is the user's. */
	for (size_t k = 0; k < s->n_extra_hosts; k++)
		if (!strcmp(s->extra_hosts[k].key, name))
			return true;
	return false;
}

/* A row the container sees, and the rank of the network it is seen on. */
struct seen {
	size_t row;
	size_t rank;
};

static int cmp_seen(const void *a, const void *b, void *arg)
{
	const struct plan_hosts_row *t = arg;
	const struct seen *x = a, *y = b;
	int c = strcmp(t[x->row].name, t[y->row].name);

	if (c)
		return c;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/*
 * The entries of container 'ci': every row on a network of its namespace,
 * except its own names; a name on several shared networks takes its
 * address on the first of them in the container's order.  Sorted by name.
 */
static size_t collect_entries(struct plan *p, size_t ci)
{
	struct plan_container *ct = &p->containers[ci];
	const struct plan_container *o = &p->containers[netns_owner(p, ci)];
	struct seen *sv = NULL;
	size_t ns = 0, alloc = 0, n = 0;

	for (size_t k = 0; k < o->n_endpoints; k++) {
		const char *key = p->networks[o->endpoints[k].network].key;

		for (size_t i = 0; i < p->n_hosts_table; i++) {
			const struct plan_hosts_row *row = &p->hosts_table[i];

			if (row->container == ci || strcmp(row->network, key) ||
			    own_name(p, ci, row->name))
				continue;
			sv = plan_grow(p->arena, sv, ns, &alloc, sizeof(*sv));
			sv[ns++] = (struct seen){i, k};
		}
	}
	if (ns > 1)
		compat_qsort_r(sv, ns, sizeof(*sv), cmp_seen, p->hosts_table);
	ct->extra_hosts =
		arena_calloc(p->arena, ns + 1, sizeof(*ct->extra_hosts));
	for (size_t i = 0; i < ns; i++) {
		const struct plan_hosts_row *row = &p->hosts_table[sv[i].row];

		if (n && !strcmp(ct->extra_hosts[n - 1].name, row->name))
			continue;
		ct->extra_hosts[n].name = row->name;
		ct->extra_hosts[n].ip = row->addr[ct->daemon];
		ct->extra_hosts[n].late = !row->addr[ct->daemon];
		n++;
	}
	return n;
}

/* "name:ip" in 'a' (plain copies: this runs for every pair of peers). */
static const char *host_ip(struct arena *a, const struct plan_host_entry *e)
{
	size_t nn = strlen(e->name), ni = strlen(e->ip);
	char *s = arena_alloc(a, nn + ni + 2);

	memcpy(s, e->name, nn);
	s[nn] = ':';
	memcpy(s + nn + 1, e->ip, ni + 1);
	return s;
}

static void container_entries(struct plan *p, size_t ci, bool lazy)
{
	struct plan_container *ct = &p->containers[ci];
	const struct compose_service *s = p->services[ct->service].svc;
	const char *eos = plan_host_engine_os(&p->hosts[ct->daemon]);
	struct sbuf sb = SBUF_INIT;
	struct compose_strv lines = {NULL, 0};
	size_t n, alloc = 0;

	memset(&ct->extra_hosts_strv, 0, sizeof(ct->extra_hosts_strv));
	memset(&ct->hosts_exec, 0, sizeof(ct->hosts_exec));
	ct->hosts_block = NULL;
	ct->hosts_exec_user = NULL;
	n = ct->n_extra_hosts = collect_entries(p, ci);
	/* network_mode service:x / container:x share that /etc/hosts. */
	if (!n || (s->network_mode && strchr(s->network_mode, ':'))) {
		ct->hosts_mech = PLAN_HOSTS_NONE;
		return;
	}
	ct->hosts_mech = strcmp(eos, "windows") ? PLAN_HOSTS_EXTRA_HOSTS
						: PLAN_HOSTS_EXEC;
	for (size_t i = 0; i < n && ct->hosts_mech == PLAN_HOSTS_EXTRA_HOSTS;
	     i++)
		if (!ct->extra_hosts[i].late)
			plan_strv_push(p->arena, &ct->extra_hosts_strv, &alloc,
				       host_ip(p->arena, &ct->extra_hosts[i]));
		else
			lazy = false;
	/* plan_options.hosts_lazy: all in ExtraHosts, no block needed. */
	if (lazy && ct->hosts_mech == PLAN_HOSTS_EXTRA_HOSTS)
		return;
	/* Names were checked with the table, addresses when planned. */
	block_lines(&lines, p->arena, ct->extra_hosts, n);
	block_text(&sb, &lines);
	ct->hosts_block = arena_strdup(p->arena, sb.buf);
	exec_argv(&ct->hosts_exec, p->arena, !strcmp(eos, "windows"), &lines,
		  ct->extra_hosts, n);
	ct->hosts_exec_user = strcmp(eos, "windows") ? PLAN_EXEC_USER_LINUX
						     : PLAN_EXEC_USER_WINDOWS;
	sbuf_release(&sb);
}

/*
 * The entries as the label carries them, and the label, in key order
 * among the labels plan_containers_finish sorted.
 */
static void container_hosts_label(struct plan *p, struct plan_container *ct)
{
	struct sbuf sb = SBUF_INIT;
	struct compose_kv *v;
	size_t at = 0;

	for (size_t i = 0; i < ct->n_extra_hosts; i++)
		if (!ct->extra_hosts[i].late)
			sbuf_add_words(&sb, sb.len ? "," : "",
				       ct->extra_hosts[i].name, "=",
				       ct->extra_hosts[i].ip, NULL);
	ct->hosts_label = arena_strdup(p->arena, sb.buf ? sb.buf : "");
	sbuf_release(&sb);
	v = arena_calloc(p->arena, ct->n_labels + 1, sizeof(*v));
	while (at < ct->n_labels &&
	       strcmp(ct->labels[at].key, PLAN_LABEL_HOSTS) < 0)
		at++;
	memcpy(v, ct->labels, at * sizeof(*v));
	v[at] = (struct compose_kv){PLAN_LABEL_HOSTS, ct->hosts_label, {0}};
	memcpy(v + at + 1, ct->labels + at, (ct->n_labels - at) * sizeof(*v));
	ct->labels = v;
	ct->n_labels++;
}

/* strcmp of 'name' against the n bytes at 'l'. */
static int name_cmp(const char *name, const char *l, size_t n)
{
	int c = strncmp(name, l, n);

	return c ? c : (unsigned char)name[n];
}

/*
 * The first of ct's entries named as the n bytes at 'l', or NULL: the
 * entries are sorted by name (collect_entries), so a binary search (a
 * container sees every peer: fifty containers, fifty labels of a hundred
 * names each).
 */
static const struct plan_host_entry *
entry_find(const struct plan_container *ct, const char *l, size_t n)
{
	size_t lo = 0, hi = ct->n_extra_hosts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (name_cmp(ct->extra_hosts[mid].name, l, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ct->n_extra_hosts || name_cmp(ct->extra_hosts[lo].name, l, n))
		return NULL;
	return &ct->extra_hosts[lo];
}

const char *plan_hosts_stale(struct arena *a,
			     const struct plan_container *ct,
			     const char *label)
{
	for (const char *l = label; l && *l;) {
		size_t len = strcspn(l, ","), nl = strcspn(l, "=");
		const struct plan_host_entry *e =
			nl < len ? entry_find(ct, l, nl) : NULL;

		/* Names are unique among the entries (collect_entries). */
		if (e && !e->late &&
		    (strlen(e->ip) != len - nl - 1 ||
		     strncmp(e->ip, l + nl + 1, len - nl - 1)))
			return arena_sprintf(a, "%s %.*s -> %s", e->name,
					     (int)(len - nl - 1), l + nl + 1,
					     e->ip);
		l += len + (l[len] == ',');
	}
	return NULL;
}

/* The non-late entry of 'ct' named l[0..len), or NULL. */
static const struct plan_host_entry *
entry_named(const struct plan_container *ct, const char *l, size_t len)
{
	const struct plan_host_entry *end = ct->extra_hosts + ct->n_extra_hosts;

	for (const struct plan_host_entry *e = entry_find(ct, l, len);
	     e && e < end && !name_cmp(e->name, l, len); e++)
		if (!e->late)
			return e;
	return NULL;
}

const char *plan_hosts_changed(struct compose_strv *gone,
			       struct arena *a,
			       const struct plan_container *ct,
			       const char *label)
{
	struct sbuf sb = SBUF_INIT, gone_sb = SBUF_INIT;
	const char *stale = plan_hosts_stale(a, ct, label);
	const char *r = NULL;
	unsigned char *seen;
	size_t alloc = 0;

	memset(gone, 0, sizeof(*gone));
	if (!label)
		return NULL;
	/*
	 * One walk of the label, each name found by binary search: the
	 * entries it names are marked, those it names that ct lacks are gone;
	 * the unmarked live entries are new (n log n for a container that
	 * sees every peer, not n squared).
	 */
	seen = ct->n_extra_hosts ? arena_alloc(a, ct->n_extra_hosts) : NULL;
	if (seen)
		memset(seen, 0, ct->n_extra_hosts);
	for (const char *l = label; *l;) {
		size_t len = strcspn(l, ","), nl = strcspn(l, "=");
		const struct plan_host_entry *e =
			nl < len ? entry_named(ct, l, nl) : NULL;

		if (e) {
			seen[e - ct->extra_hosts] = 1;
		} else if (nl < len) {
			const char *name = arena_strndup(a, l, nl);

			plan_strv_push(a, gone, &alloc, name);
			sbuf_addf(&gone_sb, "%s-%s", gone_sb.len ? " " : "",
				  name);
		}
		l += len + (l[len] == ',');
	}
	for (size_t i = 0; i < ct->n_extra_hosts; i++)
		if (!ct->extra_hosts[i].late && !seen[i])
			sbuf_addf(&sb, "%s+%s", sb.len ? " " : "",
				  ct->extra_hosts[i].name);
	if (gone_sb.len)
		sbuf_addf(&sb, "%s%s", sb.len ? " " : "", gone_sb.buf);
	sbuf_release(&gone_sb);
	if (stale)
		sbuf_addf(&sb, "%s%s", sb.len ? " " : "", stale);
	if (sb.len)
		r = arena_strdup(a, sb.buf);
	sbuf_release(&sb);
	return r;
}

int plan_hosts(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	struct rows r = {NULL, 0, 0};
	int rc;

	for (size_t d = 0; p->address_mode == PLAN_ADDR_HOST && d < p->n_hosts;
	     d++) {
		const char *ha = plan_host_address(p, d);

		if (!plan_hosts_ip_ok(ha))
			return diag_set(err, DIAG_EPLAN, &c->proj->mix.loc,
					"address mode 'host' needs a host "
					"address for daemon '%s' "
					"(x-mixcompose.daemons.%s.host_address "
					"or x-mixcompose.host_address), got "
					"'%s'",
					p->hosts[d].name, p->hosts[d].name,
					ha ? ha : "");
	}
	for (size_t ci = 0; ci < p->n_containers; ci++)
		if (p->containers[ci].action != PLAN_ACT_REMOVE)
			container_rows(p, &r, ci);
	if ((rc = check_rows(p, &r, err)))
		return rc;
	if (r.n > 1)
		qsort(r.v, r.n, sizeof(*r.v), cmp_row);
	p->hosts_table = r.v;
	p->n_hosts_table = r.n;
	for (size_t ci = 0; ci < p->n_containers; ci++)
		if (p->containers[ci].action != PLAN_ACT_REMOVE) {
			container_entries(p, ci,
					  c->opts->hosts_lazy &&
						  !c->opts->hosts_in_place);
			container_hosts_label(p, &p->containers[ci]);
		}
	return 0;
}

int plan_set_address(struct plan *p,
		     size_t container,
		     const char *network,
		     const char *ipv4,
		     struct diag *err)
{
	struct plan_container *ct;
	struct plan_endpoint *ep = NULL;

	if (container >= p->n_containers ||
	    !plan_ip4_parse(&(uint32_t){0}, ipv4 ? ipv4 : ""))
		return diag_set(err, DIAG_EPLAN, NULL,
				"'%s' is not an IPv4 address",
				ipv4 ? ipv4 : "");
	ct = &p->containers[container];
	for (size_t k = 0; k < ct->n_endpoints && !ep; k++)
		if (!strcmp(p->networks[ct->endpoints[k].network].name,
			    network))
			ep = &ct->endpoints[k];
	if (!ep)
		return diag_set(err, DIAG_EPLAN, NULL,
				"container '%s' is not on network '%s'",
				ct->name, network);
	ep->ipv4 = arena_strdup(p->arena, ipv4);
	for (size_t i = 0; i < p->n_hosts_table; i++)
		fill_row(p, &p->hosts_table[i]);
	/*
	 * The label stays the one of plan time (without the late entries):
	 * the containers were created with it.
	 */
	for (size_t ci = 0; ci < p->n_containers; ci++)
		if (p->containers[ci].action != PLAN_ACT_REMOVE)
			container_entries(p, ci, false);
	return 0;
}

/* ---- The block and the commands that write it --------------------------- */

static int
check_entries(const struct plan_host_entry *e, size_t n, struct diag *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!plan_hosts_name_ok(e[i].name))
			return diag_set(err, DIAG_EPLAN, NULL,
					"'%s' is not a valid host name",
					e[i].name ? e[i].name : "");
		if (!e[i].late && e[i].ip && !plan_hosts_ip_ok(e[i].ip))
			return diag_set(err, DIAG_EPLAN, NULL,
					"'%s' is not an IP address for '%s'",
					e[i].ip, e[i].name);
	}
	return 0;
}

struct group {
	size_t first; /* the smallest entry index with this address */
	size_t start; /* into the sorted index array */
	size_t len;
};

static int cmp_by_ip(const void *a, const void *b, void *arg)
{
	const struct plan_host_entry *e = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(e[x].ip, e[y].ip);

	return r ? r : (x < y ? -1 : x > y);
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * One line per address with all its names, lines in the order of their
 * first name in 'e'.  Sorting by address keeps this n log n: a project of
 * fifty services has a hundred names per container.
 */
static void block_lines(struct compose_strv *out,
			struct arena *a,
			const struct plan_host_entry *e,
			size_t n)
{
	size_t *idx = arena_calloc(a, n + 1, sizeof(*idx)), m = 0, ng = 0;
	struct group *g = arena_calloc(a, n + 1, sizeof(*g));
	size_t alloc = 0;
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++)
		if (!e[i].late && e[i].ip)
			idx[m++] = i;
	compat_qsort_r(idx, m, sizeof(*idx), cmp_by_ip, (void *)e);
	for (size_t i = 0; i < m; i++) {
		if (i && !strcmp(e[idx[i]].ip, e[idx[i - 1]].ip)) {
			g[ng - 1].len++;
			continue;
		}
		g[ng++] = (struct group){idx[i], i, 1};
	}
	qsort(g, ng, sizeof(*g), cmp_group);
	for (size_t k = 0; k < ng; k++) {
		sbuf_reset(&sb);
		sbuf_adds(&sb, e[idx[g[k].start]].ip);
		for (size_t j = 0; j < g[k].len; j++)
			sbuf_add_words(&sb, " ", e[idx[g[k].start + j]].name,
				       NULL);
		sbuf_adds(&sb, " " PLAN_HOSTS_TAG);
		plan_strv_push(a, out, &alloc, arena_strdup(a, sb.buf));
	}
	sbuf_release(&sb);
}

static void block_text(struct sbuf *out, const struct compose_strv *lines)
{
	sbuf_adds(out, PLAN_HOSTS_BEGIN "\n");
	for (size_t i = 0; i < lines->n; i++) {
		sbuf_adds(out, lines->v[i]);
		sbuf_addch(out, '\n');
	}
	sbuf_adds(out, PLAN_HOSTS_END "\n");
}

int plan_hosts_block(struct sbuf *out,
		     const struct plan_host_entry *entries,
		     size_t n,
		     struct diag *err)
{
	struct arena *a;
	struct compose_strv lines = {NULL, 0};
	int rc = check_entries(entries, n, err);

	if (rc)
		return rc;
	a = arena_new();
	block_lines(&lines, a, entries, n);
	block_text(out, &lines);
	arena_free(a);
	return 0;
}

/* One line of 'old' at 'p' (without its end), and where the next begins. */
static size_t line_at(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

	*next = nl ? nl + 1 : end;
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

static bool line_is(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(p, s, n);
}

static bool line_has_tag(const char *p, size_t n)
{
	size_t t = strlen(PLAN_HOSTS_TAG);

	for (size_t i = 0; i + t <= n; i++)
		if (!memcmp(p + i, PLAN_HOSTS_TAG, t))
			return true;
	return false;
}

void plan_hosts_merge(struct sbuf *out,
		      const char *old,
		      size_t len,
		      const char *block)
{
	const char *p = old, *end = old + len, *next;
	const char *first_nl = memchr(old, '\n', len);
	const char *eol = first_nl && first_nl > old && first_nl[-1] == '\r'
				  ? "\r\n"
				  : "\n";
	bool in = false;

	while (p < end) {
		size_t n = line_at(p, end, &next);

		if (line_is(p, n, PLAN_HOSTS_BEGIN))
			in = true;
		else if (line_is(p, n, PLAN_HOSTS_END))
			in = false;
		else if (!in && !line_has_tag(p, n)) {
			sbuf_add(out, p, n);
			sbuf_adds(out, eol);
		}
		p = next;
	}
	for (p = block, end = block + strlen(block); p < end; p = next) {
		size_t n = line_at(p, end, &next);

		sbuf_add(out, p, n);
		sbuf_adds(out, eol);
	}
}

/*
 * POSIX sh (busybox ash is enough): keep every line outside the markers
 * except those that map one of the block's names (a line that ExtraHosts
 * wrote at create and that a moved peer made stale would come first and
 * win), then write the kept text and the new block back through '>' and
 * '>>', which truncate and append to the same inode.  Lines are
 * single-quoted; they hold only checked names and addresses, so no quote
 * can occur, and globbing is off while a line is split into words.
 */
static void linux_script(struct sbuf *sb,
			 const struct compose_strv *lines,
			 const struct plan_host_entry *e,
			 size_t n)
{
	sbuf_adds(sb, "f=" PLAN_HOSTS_PATH_LINUX "; s=0; o=''; n=' ");
	for (size_t i = 0; i < n; i++)
		if ((!e[i].late && e[i].ip) || e[i].gone)
			sbuf_add_words(sb, e[i].name, " ", NULL);
	sbuf_adds(sb, "'\nset -f\n"
		      "while IFS= read -r l || [ -n \"$l\" ]; do\n"
		      "\tif [ \"$l\" = '" PLAN_HOSTS_BEGIN
		      "' ]; then s=1; continue; fi\n"
		      "\tif [ \"$l\" = '" PLAN_HOSTS_END
		      "' ]; then s=0; continue; fi\n"
		      "\t[ $s = 1 ] && continue\n"
		      "\tk=1; i=0\n"
		      "\tfor w in ${l%%#*}; do\n"
		      "\t\ti=$((i+1)); [ $i = 1 ] && continue\n"
		      "\t\tcase \"$n\" in *\" $w \"*) k=0 ;; esac\n"
		      "\tdone\n"
		      "\t[ $k = 1 ] && o=\"$o$l\n\"\n"
		      "done < \"$f\"\n"
		      "printf '%s' \"$o\" > \"$f\"\n"
		      "printf '%s\\n' '" PLAN_HOSTS_BEGIN "'");
	for (size_t i = 0; i < lines->n; i++)
		sbuf_add_words(sb, " '", lines->v[i], "'", NULL);
	sbuf_adds(sb, " '" PLAN_HOSTS_END "' >> \"$f\"\n");
}

#define WIN_TMP "C:\\Windows\\Temp\\mixcompose-hosts.tmp"

/*
 * cmd.exe: findstr drops every line of the old block (each carries the
 * tag; the regex '.' stands for the space so that no quote is needed),
 * type writes the rest back into the same file, and each echo appends one
 * line of the new block with a redirection of its own, written first
 * (">> FILE echo TEXT": a TEXT ending in a digit cannot be taken for a
 * handle, and wine's cmd, which does not redirect a parenthesized block,
 * runs it as Windows' does).  findstr's errorlevel 1 only means "no line
 * kept"; 2 is a read error, after which the file is left alone.  No double
 * quote appears, so the line survives Docker's argv quoting on Windows.
 */
static void windows_cmdline(struct sbuf *sb, const struct compose_strv *lines)
{
	/* No blank before '&': echo would write it at the line's end. */
	static const char append[] = "& >> " PLAN_HOSTS_PATH_WINDOWS " echo ";

	sbuf_adds(sb, "findstr /V /R /C:#.mixcompose " PLAN_HOSTS_PATH_WINDOWS
		      " > " WIN_TMP " & if not errorlevel 2 (type " WIN_TMP
		      " > " PLAN_HOSTS_PATH_WINDOWS " ");
	sbuf_adds(sb, append);
	plan_cmd_escape(sb, PLAN_HOSTS_BEGIN);
	for (size_t i = 0; i < lines->n; i++) {
		sbuf_adds(sb, append);
		plan_cmd_escape(sb, lines->v[i]);
	}
	sbuf_adds(sb, append);
	plan_cmd_escape(sb, PLAN_HOSTS_END);
	sbuf_adds(sb, ") & del /Q " WIN_TMP);
}

static void exec_argv(struct compose_strv *out,
		      struct arena *a,
		      bool win,
		      const struct compose_strv *lines,
		      const struct plan_host_entry *e,
		      size_t n)
{
	struct sbuf sb = SBUF_INIT;

	out->n = win ? 4 : 3;
	out->v = arena_calloc(a, out->n + 1, sizeof(*out->v));
	if (win) {
		windows_cmdline(&sb, lines);
		out->v[0] = "cmd";
		out->v[1] = "/S";
		out->v[2] = "/C";
		out->v[3] = arena_strdup(a, sb.buf);
	} else {
		linux_script(&sb, lines, e, n);
		out->v[0] = "sh";
		out->v[1] = "-c";
		out->v[2] = arena_strdup(a, sb.buf);
	}
	sbuf_release(&sb);
}

int plan_hosts_exec_argv(struct compose_strv *out,
			 struct arena *a,
			 const char *engine_os,
			 const struct plan_host_entry *entries,
			 size_t n,
			 struct diag *err)
{
	struct compose_strv lines = {NULL, 0};
	int rc = check_entries(entries, n, err);

	if (rc)
		return rc;
	block_lines(&lines, a, entries, n);
	exec_argv(out, a, engine_os && !strcmp(engine_os, "windows"), &lines,
		  entries, n);
	return 0;
}
