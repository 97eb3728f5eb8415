/* Hand-built models and daemon states for the planner tests. */
#include "tests/planner/model_util.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

struct compose_project *mu_project(const char *name)
{
	struct arena *a = arena_new();
	struct compose_project *p = arena_alloc(a, sizeof(*p));

	p->arena = a;
	p->name = name;
	p->working_dir = "/src/demo";
	p->config_files.v = arena_calloc(a, 1, sizeof(char *));
	p->config_files.v[0] = "/src/demo/compose.yaml";
	p->config_files.n = 1;
	p->services = arena_calloc(a, MU_MAX, sizeof(*p->services));
	p->networks = arena_calloc(a, MU_MAX, sizeof(*p->networks));
	p->mix.daemons = arena_calloc(a, MU_MAX, sizeof(*p->mix.daemons));
	p->volumes = arena_calloc(a, MU_MAX, sizeof(*p->volumes));
	return p;
}

void mu_free(struct compose_project *p)
{
	if (p)
		arena_free(p->arena);
}

static int cmp_svc(const void *a, const void *b)
{
	return strcmp(((const struct compose_service *)a)->name,
		      ((const struct compose_service *)b)->name);
}

static int cmp_net(const void *a, const void *b)
{
	return strcmp(((const struct compose_network *)a)->key,
		      ((const struct compose_network *)b)->key);
}

void mu_done(struct compose_project *p)
{
	qsort(p->services, p->n_services, sizeof(*p->services), cmp_svc);
	qsort(p->networks, p->n_networks, sizeof(*p->networks), cmp_net);
}

struct compose_service *mu_service(struct compose_project *p, const char *name)
{
	struct compose_service *s = &p->services[p->n_services++];

	s->name = name;
	s->loc = (struct diag_loc){"compose.yaml", 10 + (int)p->n_services, 3};
	s->image = arena_sprintf(p->arena, "img:%s", name);
	s->scale = 1;
	s->init = -1;
	s->stop_grace_period_ns = -1;
	s->depends_on = arena_calloc(p->arena, 8, sizeof(*s->depends_on));
	s->networks = arena_calloc(p->arena, 8, sizeof(*s->networks));
	s->environment = arena_calloc(p->arena, 8, sizeof(*s->environment));
	s->links.v = arena_calloc(p->arena, 8, sizeof(char *));
	s->volumes = arena_calloc(p->arena, 8, sizeof(*s->volumes));
	return s;
}

void mu_platform(struct compose_project *p,
		 struct compose_service *s,
		 const char *platform)
{
	const char *slash = strchr(platform, '/');

	s->platform.raw = platform;
	s->platform.os = slash ? arena_strndup(p->arena, platform,
					       (size_t)(slash - platform))
			       : platform;
	s->platform.arch = slash ? slash + 1 : NULL;
}

void mu_depends(struct compose_project *p,
		struct compose_service *s,
		const char *on,
		const char *condition,
		int line)
{
	struct compose_depends *d = &s->depends_on[s->n_depends_on++];

	(void)p;
	d->service = on;
	d->condition = condition ? condition : "service_started";
	d->required = true;
	d->loc = (struct diag_loc){"compose.yaml", line, 7};
}

void mu_attach(struct compose_project *p,
	       struct compose_service *s,
	       const char *key,
	       const char *ipv4,
	       const char *alias)
{
	struct compose_service_network *n = &s->networks[s->n_networks++];

	n->name = key;
	n->ipv4_address = ipv4;
	n->loc = s->loc;
	if (alias) {
		n->aliases.v = arena_calloc(p->arena, 1, sizeof(char *));
		n->aliases.v[0] = alias;
		n->aliases.n = 1;
	}
}

void mu_link(struct compose_project *p,
	     struct compose_service *s,
	     const char *link)
{
	(void)p;
	s->links.v[s->links.n++] = link;
}

void mu_env(struct compose_project *p,
	    struct compose_service *s,
	    const char *key,
	    const char *value)
{
	(void)p;
	s->environment[s->n_environment].key = key;
	s->environment[s->n_environment++].value = value;
}

struct compose_network *
mu_network(struct compose_project *p, const char *key, const char *subnet)
{
	struct compose_network *n = &p->networks[p->n_networks++];

	n->key = key;
	n->name = arena_sprintf(p->arena, "%s_%s", p->name, key);
	n->loc = (struct diag_loc){"compose.yaml", 50 + (int)p->n_networks, 3};
	if (subnet) {
		n->ipam = arena_calloc(p->arena, 1, sizeof(*n->ipam));
		n->ipam[0].subnet = subnet;
		n->n_ipam = 1;
	}
	return n;
}

struct compose_volume *mu_volume(struct compose_project *p, const char *key)
{
	struct compose_volume *v = &p->volumes[p->n_volumes++];

	v->key = key;
	v->name = arena_sprintf(p->arena, "%s_%s", p->name, key);
	v->loc = (struct diag_loc){"compose.yaml", 70 + (int)p->n_volumes, 3};
	return v;
}

void mu_mount(struct compose_project *p,
	      struct compose_service *s,
	      const char *key,
	      const char *target)
{
	struct compose_mount *m = &s->volumes[s->n_volumes++];

	(void)p;
	m->type = COMPOSE_MOUNT_VOLUME;
	m->source = key;
	m->target = target;
	m->bind_create_host_path = -1;
	m->volume_nocopy = -1;
	m->tmpfs_size = -1;
	m->tmpfs_mode = -1;
	m->loc = (struct diag_loc){"compose.yaml", 40, 9};
}

void mu_declare_daemon(struct compose_project *p,
		       const char *name,
		       const char *os,
		       bool lab)
{
	struct compose_daemon *d = &p->mix.daemons[p->mix.n_daemons++];

	d->name = name;
	d->os = os;
	d->lab = lab;
}

struct plan_host mu_host(const char *name, const char *os, const char *arch)
{
	struct plan_host h = {0};

	h.name = name;
	h.os = os;
	h.arch = arch;
	h.api_major = 1;
	h.api_minor = 41;
	return h;
}

void mu_host_net(struct arena *a,
		 struct plan_host *h,
		 const char *name,
		 const char *subnet,
		 const char *project)
{
	struct plan_host_network *old = h->networks;

	h->networks = arena_calloc(a, h->n_networks + 1, sizeof(*h->networks));
	if (old)
		memcpy(h->networks, old, h->n_networks * sizeof(*old));
	h->networks[h->n_networks].name = name;
	h->networks[h->n_networks].id = arena_sprintf(a, "id-%s", name);
	h->networks[h->n_networks].subnet = subnet;
	h->networks[h->n_networks].label_project = project;
	h->n_networks++;
}

struct plan_host_container *mu_host_ctr(struct arena *a,
					struct plan_host *h,
					const char *name,
					const char *service,
					int number,
					const char *hash,
					const char *state)
{
	struct plan_host_container *old = h->containers, *c;

	h->containers =
		arena_calloc(a, h->n_containers + 1, sizeof(*h->containers));
	if (old)
		memcpy(h->containers, old, h->n_containers * sizeof(*old));
	c = &h->containers[h->n_containers++];
	c->id = arena_sprintf(a, "cid-%s", name);
	c->name = name;
	c->service = service;
	c->number = number;
	c->daemon = h->name;
	c->config_hash = hash;
	c->state = state;
	return c;
}

void mu_ctr_net(struct arena *a,
		struct plan_host_container *c,
		const char *net,
		const char *ip)
{
	struct plan_host_attach *old = c->networks;

	c->networks = arena_calloc(a, c->n_networks + 1, sizeof(*c->networks));
	if (old)
		memcpy(c->networks, old, c->n_networks * sizeof(*old));
	c->networks[c->n_networks].network = net;
	c->networks[c->n_networks].ipv4 = ip;
	c->n_networks++;
}

const struct plan_container *mu_ctr(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_containers; i++)
		if (!strcmp(p->containers[i].name, name))
			return &p->containers[i];
	return NULL;
}

const char *mu_entry(const struct plan_container *c, const char *name)
{
	for (size_t i = 0; i < c->n_extra_hosts; i++)
		if (!strcmp(c->extra_hosts[i].name, name))
			return c->extra_hosts[i].ip ? c->extra_hosts[i].ip
						    : "late";
	return NULL;
}
