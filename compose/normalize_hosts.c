/*
 * extra_hosts, read as compose-go's HostsList does: a map of host ->
 * address or list of addresses, or a list of "host=ip" or "host:ip"
 * strings (the first '=' splits, else the first ':'), where the address
 * part may hold several addresses separated by commas.  Every address is
 * one entry, so a host may come back several times, once per address,
 * and "[::1]" loses its brackets.
 */
#include "compose/normalize_int.h"

#include <string.h>

#include "util/arena.h"

struct hosts {
	struct compose_kv *v;
	size_t n, alloc;
};

static void hosts_push(struct norm *n,
		       struct hosts *h,
		       const char *host,
		       const char *ip,
		       size_t len,
		       const struct diag_loc *loc)
{
	if (h->n == h->alloc) {
		size_t na = h->alloc ? h->alloc * 2 : 8;
		struct compose_kv *v = arena_calloc(n->a, na + 1, sizeof(*v));

		if (h->n)
			memcpy(v, h->v, h->n * sizeof(*v));
		h->v = v;
		h->alloc = na;
	}
	if (len > 2 && ip[0] == '[' && ip[len - 1] == ']') {
		ip++;
		len -= 2;
	}
	h->v[h->n].key = host;
	h->v[h->n].value = arena_strndup(n->a, ip, len);
	h->v[h->n].loc = *loc;
	h->n++;
}

/* compose-go refuses a host name that the engine would split otherwise. */
static bool
host_ok(struct norm *n, const char *host, const struct diag_loc *loc)
{
	if (*host && !strpbrk(host, ":="))
		return true;
	norm_errl(n, loc, "extra_hosts: bad host name '%s'", host);
	return false;
}

static void address(struct norm *n,
		    struct hosts *h,
		    const char *host,
		    const struct compose_node *v)
{
	const char *ip = norm_str(v);

	if (!ip) {
		norm_err(n, v, "extra_hosts.%s: expected an address", host);
		return;
	}
	if (!*ip) {
		norm_err(n, v, "extra_hosts: '%s' has no address", host);
		return;
	}
	hosts_push(n, h, host, ip, strlen(ip), COMPOSE_NODE_LOC(v));
}

static void
from_map(struct norm *n, struct hosts *h, const struct compose_node *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct compose_node *v = m->pairs[i].value;
		const char *host = m->pairs[i].key->str;

		if (!host_ok(n, host, COMPOSE_NODE_LOC(m->pairs[i].key)))
			continue;
		if (compose_node_is_null(v)) {
			norm_err(n, m->pairs[i].key,
				 "extra_hosts: '%s' has no address", host);
		} else if (v->kind == COMPOSE_NODE_SEQ) {
			if (!v->n)
				norm_err(n, v,
					 "extra_hosts: '%s' has no address",
					 host);
			for (size_t j = 0; j < v->n; j++)
				address(n, h, host, v->items[j]);
		} else if (v->kind == COMPOSE_NODE_SCALAR) {
			address(n, h, host, v);
		} else {
			norm_err(n, v,
				 "extra_hosts.%s: expected an address or a "
				 "list of addresses",
				 host);
		}
	}
}

static void from_item(struct norm *n,
		      struct hosts *h,
		      const struct compose_node *it,
		      size_t idx)
{
	const char *s = norm_str(it), *ip;
	size_t klen;

	if (!s || !*s) {
		norm_err(n, it, "extra_hosts[%zu]: expected a 'host=ip' string",
			 idx);
		return;
	}
	klen = strchr(s, '=') ? strcspn(s, "=") : strcspn(s, ":");
	if (!s[klen] || !s[klen + 1]) {
		norm_err(n, it,
			 "extra_hosts[%zu]: '%s' has no address (write "
			 "'host=ip')",
			 idx, s);
		return;
	}
	s = arena_strndup(n->a, s, klen);
	if (!host_ok(n, s, COMPOSE_NODE_LOC(it)))
		return;
	for (ip = it->str + klen + 1;; ip += strcspn(ip, ",") + 1) {
		if (!strcspn(ip, ",")) {
			norm_err(n, it,
				 "extra_hosts[%zu]: empty address in '%s'", idx,
				 it->str);
			return;
		}
		hosts_push(n, h, s, ip, strcspn(ip, ","), COMPOSE_NODE_LOC(it));
		if (!strchr(ip, ','))
			break;
	}
}

void norm_service_hosts(struct norm *n,
			struct compose_service *s,
			const struct compose_node *v)
{
	struct hosts h = {0};

	if (compose_node_is_null(v))
		return;
	if (v->kind == COMPOSE_NODE_MAP)
		from_map(n, &h, v);
	else if (v->kind == COMPOSE_NODE_SEQ)
		for (size_t i = 0; i < v->n; i++)
			from_item(n, &h, v->items[i], i);
	else
		norm_err(n, v, "extra_hosts: expected a list or a mapping");
	s->extra_hosts = h.v;
	s->n_extra_hosts = h.n;
}
