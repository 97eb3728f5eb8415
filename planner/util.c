/* Small helpers shared by the planner: IPv4 arithmetic, arrays, look-ups. */
#include "planner/planner_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool plan_ip4_parse(uint32_t *out, const char *s)
{
	uint32_t ip = 0;
	int parts = 0;

	if (!s || !*s)
		return false;
	while (parts < 4) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return false;
		ip = (ip << 8) | v;
		parts++;
		if (parts < 4 && *s++ != '.')
			return false;
	}
	if (*s)
		return false;
	*out = ip;
	return true;
}

bool plan_cidr_parse(uint32_t *net, int *prefix, const char *s)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char buf[16];
	char *end;
	long pfx;

	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (!plan_ip4_parse(net, buf) || !slash[1])
		return false;
	pfx = strtol(slash + 1, &end, 10);
	if (*end || pfx < 0 || pfx > 32)
		return false;
	*prefix = (int)pfx;
	*net &= plan_prefix_mask(*prefix);
	return true;
}

uint32_t plan_prefix_mask(int prefix)
{
	return prefix <= 0 ? 0 : (uint32_t)(0xffffffffu << (32 - prefix));
}

bool plan_cidr_overlap(uint32_t a, int pa, uint32_t b, int pb)
{
	int p = pa < pb ? pa : pb;

	return (a & plan_prefix_mask(p)) == (b & plan_prefix_mask(p));
}

const char *plan_ip4_str(struct arena *a, uint32_t ip)
{
	return arena_sprintf(a, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
			     (ip >> 8) & 255, ip & 255);
}

const char *plan_cidr_str(struct arena *a, uint32_t net, int prefix)
{
	return arena_sprintf(a, "%s/%d", plan_ip4_str(a, net), prefix);
}

void *
plan_grow(struct arena *a, void *old, size_t n, size_t *alloc, size_t size)
{
	void *p;

	if (n < *alloc)
		return old;
	*alloc = *alloc ? *alloc * 2 : 8;
	p = arena_calloc(a, *alloc, size);
	if (old && n)
		memcpy(p, old, n * size);
	return p;
}

void plan_strv_push(struct arena *a,
		    struct compose_strv *v,
		    size_t *alloc,
		    const char *s)
{
	v->v = plan_grow(a, v->v, v->n, alloc, sizeof(*v->v));
	v->v[v->n++] = s;
}

bool plan_strv_has(const struct compose_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void plan_strv_sort(struct compose_strv *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), cmp_str);
}

size_t plan_service_networks(const struct compose_service *s,
			     const struct compose_service_network **out,
			     struct compose_service_network *scratch)
{
	if (s->n_networks) {
		*out = s->networks;
		return s->n_networks;
	}
	/* network_mode other than the project's default means no networks. */
	if (s->network_mode && *s->network_mode)
		return 0;
	memset(scratch, 0, sizeof(*scratch));
	scratch->name = "default";
	scratch->loc = s->loc;
	*out = scratch;
	return 1;
}

const struct compose_network *plan_network_find(const struct compose_project *p,
						const char *key)
{
	for (size_t i = 0; i < p->n_networks; i++)
		if (!strcmp(p->networks[i].key, key))
			return &p->networks[i];
	return NULL;
}

const struct compose_service *
plan_model_service(const struct compose_project *p, const char *name)
{
	for (size_t i = 0; i < p->n_services; i++)
		if (!strcmp(p->services[i].name, name))
			return &p->services[i];
	return NULL;
}

const char *plan_mode_service(const char *network_mode)
{
	if (network_mode && !strncmp(network_mode, "service:", 8))
		return network_mode + 8;
	return NULL;
}

const char *plan_host_engine_os(const struct plan_host *h)
{
	return h->engine_os ? h->engine_os : (h->os ? h->os : "linux");
}

void plan_cmd_escape(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '^':
		case '&':
		case '|':
		case '<':
		case '>':
		case '(':
		case ')':
		case '%':
			sbuf_addch(out, '^');
			break;
		default:
			break;
		}
		sbuf_addch(out, *s);
	}
}
