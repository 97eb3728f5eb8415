/*
 * Service ports, short syntax ("[ip:][published:]target[/proto]", with
 * ranges) as Docker's nat.ParsePortSpec reads it, and long syntax.
 */
#include "compose/normalize_int.h"

#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct range {
	unsigned lo, hi;
};

static int parse_port(unsigned *out, const char *s, size_t len)
{
	unsigned v = 0;

	if (!len || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

static int parse_range(struct range *r, const char *s)
{
	const char *dash = strchr(s, '-');

	if (!dash)
		return parse_port(&r->lo, s, strlen(s)) ? -1
							: (r->hi = r->lo, 0);
	if (parse_port(&r->lo, s, (size_t)(dash - s)) ||
	    parse_port(&r->hi, dash + 1, strlen(dash + 1)) || r->hi < r->lo)
		return -1;
	return 0;
}

static bool valid_ip(const char *s)
{
	return compat_ip_valid(4, s) || compat_ip_valid(6, s);
}

static bool valid_proto(const char *p)
{
	return !strcmp(p, "tcp") || !strcmp(p, "udp") || !strcmp(p, "sctp");
}

/* Splits "ip:published:target" at its last two colons (IPv6 keeps its). */
static void split_spec(char *s, char **ip, char **pub, char **target)
{
	char *last = strrchr(s, ':');
	char *prev;

	*ip = *pub = NULL;
	*target = s;
	if (!last)
		return;
	*last = '\0';
	*target = last + 1;
	prev = strrchr(s, ':');
	if (!prev) {
		*pub = s;
		return;
	}
	*prev = '\0';
	*pub = prev + 1;
	*ip = s;
	if (**ip == '[' && (*ip)[strlen(*ip) - 1] == ']') {
		(*ip)[strlen(*ip) - 1] = '\0';
		(*ip)++;
	}
}

static size_t expand(struct compose_port **out,
		     struct arena *a,
		     const char *ip,
		     const char *pub,
		     struct range t,
		     const char *proto)
{
	struct range h = {0, 0};
	size_t n = t.hi - t.lo + 1;

	if (pub && *pub && parse_range(&h, pub))
		return 0;
	/* A host range must match a target range one to one. */
	if (pub && *pub && n > 1 && h.hi - h.lo + 1 != n)
		return 0;
	*out = arena_calloc(a, n, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		struct compose_port *p = &(*out)[i];

		p->mode = "ingress";
		p->protocol = proto;
		p->host_ip = ip && *ip ? ip : NULL;
		p->target = t.lo + (unsigned)i;
		if (!pub || !*pub)
			p->published = NULL;
		else if (n > 1 || h.lo == h.hi)
			p->published =
				arena_sprintf(a, "%u", h.lo + (unsigned)i);
		else
			p->published = arena_strdup(a, pub);
	}
	return n;
}

size_t
compose_port_parse(struct compose_port **out, struct arena *a, const char *spec)
{
	char *s = arena_strdup(a, spec);
	char *slash = strrchr(s, '/');
	const char *proto = "tcp";
	char *ip, *pub, *target;
	struct range t;

	if (slash) {
		*slash = '\0';
		proto = slash + 1;
		if (!valid_proto(proto))
			return 0;
	}
	split_spec(s, &ip, &pub, &target);
	if (ip && *ip && !valid_ip(ip))
		return 0;
	if (parse_range(&t, target))
		return 0;
	return expand(out, a, ip, pub, t, proto);
}

static void port_long(struct norm *n,
		      struct compose_port *p,
		      const struct compose_node *v,
		      size_t idx)
{
	const char *t = norm_key_str(v, "target");
	const char *pub = norm_key_str(v, "published");
	struct range r;

	p->name = norm_key_str(v, "name");
	p->mode = norm_key_str(v, "mode");
	p->host_ip = norm_key_str(v, "host_ip");
	p->protocol = norm_key_str(v, "protocol");
	p->app_protocol = norm_key_str(v, "app_protocol");
	if (!p->mode)
		p->mode = "ingress";
	if (!p->protocol)
		p->protocol = "tcp";
	if (!t || parse_port(&p->target, t, strlen(t)))
		norm_err(n, v, "ports[%zu]: '%s' is not a valid port", idx,
			 t ? t : "(no target)");
	if (pub && *pub && parse_range(&r, pub))
		norm_err(n, v, "ports[%zu]: '%s' is not a valid published port",
			 idx, pub);
	p->published = pub && *pub ? pub : NULL;
	if (p->host_ip && !valid_ip(p->host_ip))
		norm_err(n, v, "ports[%zu]: '%s' is not a valid IP address",
			 idx, p->host_ip);
	if (!valid_proto(p->protocol))
		norm_err(n, v, "ports[%zu]: '%s' is not a valid protocol", idx,
			 p->protocol);
	if (strcmp(p->mode, "ingress") && strcmp(p->mode, "host"))
		norm_err(n, v, "ports[%zu]: '%s' is not a valid mode", idx,
			 p->mode);
}

struct parsed {
	struct compose_port *ps;
	size_t k;
	bool short_form;
};

/* The literal for a protocol that valid_proto() accepted. */
static const char *proto_literal(const char *p)
{
	return !strcmp(p, "udp") ? "udp" : !strcmp(p, "sctp") ? "sctp" : "tcp";
}

/*
 * Copies the ports of one item into 's'.  Short-syntax ports were parsed
 * in a scratch arena: their strings move to the project's arena, so the
 * spec copy and the per-item arrays die with the scratch.
 */
static void keep_ports(struct norm *n,
		       struct compose_service *s,
		       const struct parsed *pv,
		       const struct diag_loc *loc)
{
	for (size_t j = 0; j < pv->k; j++) {
		struct compose_port *p = &s->ports[s->n_ports++];

		*p = pv->ps[j];
		p->loc = *loc;
		if (!pv->short_form)
			continue;
		p->host_ip = arena_strdup(n->a, p->host_ip);
		p->published = arena_strdup(n->a, p->published);
		p->protocol = proto_literal(p->protocol);
	}
}

void norm_service_ports(struct norm *n,
			struct compose_service *s,
			const struct compose_node *v)
{
	struct arena *tmp;
	struct parsed *pv;
	size_t total = 0;

	if (compose_node_is_null(v))
		return;
	if (v->kind != COMPOSE_NODE_SEQ) {
		norm_err(n, v, "ports: expected a list");
		return;
	}
	tmp = arena_new();
	pv = xcalloc(v->n + 1, sizeof(*pv));
	for (size_t i = 0; i < v->n; i++) {
		const struct compose_node *it = v->items[i];

		if (it->kind == COMPOSE_NODE_MAP) {
			pv[i].ps = arena_calloc(tmp, 1, sizeof(*pv[i].ps));
			port_long(n, pv[i].ps, it, i);
			pv[i].k = 1;
		} else if (!norm_str(it) ||
			   !(pv[i].k = compose_port_parse(&pv[i].ps, tmp,
							  it->str))) {
			norm_err(n, it, "ports[%zu]: '%s' is not a valid port",
				 i, norm_str(it) ? it->str : "...");
		}
		pv[i].short_form = it->kind != COMPOSE_NODE_MAP;
		total += pv[i].k;
	}
	/* Ranges expand, so the array is sized once everything is parsed. */
	s->ports = arena_calloc(n->a, total, sizeof(*s->ports));
	for (size_t i = 0; i < v->n; i++)
		keep_ports(n, s, &pv[i], COMPOSE_NODE_LOC(v->items[i]));
	free(pv);
	arena_free(tmp);
}
