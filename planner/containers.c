/*
 * The containers of each service: names as compose v2 gives them
 * ("<project>-<service>-<n>" or container_name), their endpoints, the
 * labels docker compose writes, and the config hash.
 */
#include "planner/planner_int.h"

#include <stdlib.h>
#include <string.h>

static int cmp_prio(const void *a, const void *b)
{
	const struct compose_service_network *x = *(const void *const *)a;
	const struct compose_service_network *y = *(const void *const *)b;

	/* Higher priority first, as the compose spec orders attachments. */
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void add_alias(struct arena *a,
		      struct plan_endpoint *ep,
		      size_t *alloc,
		      const char *s)
{
	if (s && *s && !plan_strv_has(&ep->aliases, s))
		plan_strv_push(a, &ep->aliases, alloc, s);
}

static void container_endpoints(struct plan_ctx *c,
				struct plan_container *ct,
				const struct compose_service *s)
{
	struct plan *p = c->p;
	struct compose_service_network scratch;
	const struct compose_service_network *nets, **sorted;
	size_t n = plan_service_networks(s, &nets, &scratch);

	if (!n)
		return;
	sorted = arena_calloc(p->arena, n, sizeof(*sorted));
	for (size_t k = 0; k < n; k++)
		sorted[k] = &nets[k];
	qsort(sorted, n, sizeof(*sorted), cmp_prio);
	ct->endpoints = arena_calloc(p->arena, n, sizeof(*ct->endpoints));
	for (size_t k = 0; k < n; k++) {
		struct plan_endpoint *ep = &ct->endpoints[ct->n_endpoints++];
		size_t alloc = 0;

		ep->network =
			plan_network_index(p, sorted[k]->name, ct->daemon);
		ep->priority = sorted[k]->priority;
		/* The default network's entry is 'scratch', gone on return. */
		ep->cfg = sorted[k] == &scratch ? NULL : sorted[k];
		ep->ipv4 = sorted[k]->ipv4_address;
		ep->user_address = ep->ipv4 != NULL;
		add_alias(p->arena, ep, &alloc, s->name);
		for (size_t j = 0; j < sorted[k]->aliases.n; j++)
			add_alias(p->arena, ep, &alloc,
				  sorted[k]->aliases.v[j]);
		add_alias(p->arena, ep, &alloc, s->container_name);
	}
}

static const struct plan_host_container *
find_existing(struct plan_ctx *c, size_t d, const char *svc, int number)
{
	const struct plan_host *h = &c->p->hosts[d];

	for (size_t i = 0; i < h->n_containers; i++) {
		const struct plan_host_container *e = &h->containers[i];

		if (c->taken[d][i] || e->oneoff || !e->service ||
		    strcmp(e->service, svc) || e->number != number)
			continue;
		if (e->label_project &&
		    strcmp(e->label_project, c->p->project_name))
			continue;
		c->taken[d][i] = true;
		return e;
	}
	return NULL;
}

static int service_containers(struct plan_ctx *c,
			      size_t si,
			      size_t *alloc,
			      size_t *ealloc,
			      struct diag *err)
{
	struct plan *p = c->p;
	struct plan_service *ps = &p->services[si];
	const struct compose_service *s = ps->svc;
	int scale = s->scale < 0 ? 1 : s->scale;

	if (s->container_name && scale > 1)
		return diag_set(err, DIAG_EPLAN, &s->loc,
				"service '%s' sets container_name '%s' and "
				"scale %d; a container name is unique",
				s->name, s->container_name, scale);
	ps->first_container = p->n_containers;
	for (int n = 1; n <= scale; n++) {
		struct plan_container *ct;

		p->containers =
			plan_grow(p->arena, p->containers, p->n_containers,
				  alloc, sizeof(*p->containers));
		c->existing = plan_grow(p->arena, c->existing, p->n_containers,
					ealloc, sizeof(*c->existing));
		ct = &p->containers[p->n_containers];
		ct->name = s->container_name
				   ? s->container_name
				   : arena_sprintf(p->arena, "%s-%s-%d",
						   p->project_name, s->name, n);
		ct->service = si;
		ct->service_name = s->name;
		ct->number = n;
		ct->daemon = ps->daemon;
		container_endpoints(c, ct, s);
		c->existing[p->n_containers] =
			c->opts->offline
				? NULL
				: find_existing(c, ct->daemon, s->name, n);
		p->n_containers++;
		ps->n_containers++;
	}
	return 0;
}

int plan_containers(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	size_t alloc = 0, ealloc = 0;

	c->taken = arena_calloc(p->arena, p->n_hosts + 1, sizeof(*c->taken));
	for (size_t d = 0; d < p->n_hosts; d++)
		c->taken[d] =
			arena_calloc(p->arena, p->hosts[d].n_containers + 1, 1);
	for (size_t i = 0; i < p->n_services; i++) {
		int rc = service_containers(c, i, &alloc, &ealloc, err);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- The canonical serialization and the hash ---------------------------- */

static void put(struct sbuf *sb, const char *key, const char *v)
{
	if (!v)
		return;
	sbuf_adds(sb, key);
	sbuf_addch(sb, '=');
	for (; *v; v++) {
		if (*v == '\\' || *v == '\n')
			sbuf_addch(sb, '\\');
		sbuf_addch(sb, *v == '\n' ? 'n' : *v);
	}
	sbuf_addch(sb, '\n');
}

static void putf(struct sbuf *sb, const char *key, long long v)
{
	sbuf_addf(sb, "%s=%lld\n", key, v);
}

static void
put_strv(struct sbuf *sb, const char *key, const struct compose_strv *v)
{
	if (!v->v)
		return;
	sbuf_addf(sb, "%s#=%zu\n", key, v->n);
	for (size_t i = 0; i < v->n; i++)
		put(sb, key, v->v[i]);
}

static void
put_kv(struct sbuf *sb, const char *key, const struct compose_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(sb, "%s.", key);
		put(sb, kv[i].key, kv[i].value ? kv[i].value : "\x01unset");
	}
}

static void put_ports_mounts(struct sbuf *sb, const struct compose_service *s)
{
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct compose_port *pt = &s->ports[i];

		sbuf_addf(sb, "port=%u/%s %s:%s %s %s\n", pt->target,
			  pt->protocol ? pt->protocol : "tcp",
			  pt->host_ip ? pt->host_ip : "",
			  pt->published ? pt->published : "",
			  pt->mode ? pt->mode : "", pt->name ? pt->name : "");
	}
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct compose_mount *m = &s->volumes[i];

		sbuf_addf(sb,
			  "mount=%d %s:%s ro=%d %s %s %d %s %d %s %lld %d\n",
			  (int)m->type, m->source ? m->source : "",
			  m->target ? m->target : "", m->read_only,
			  m->consistency ? m->consistency : "",
			  m->bind_propagation ? m->bind_propagation : "",
			  m->bind_create_host_path,
			  m->bind_selinux ? m->bind_selinux : "",
			  m->volume_nocopy,
			  m->volume_subpath ? m->volume_subpath : "",
			  m->tmpfs_size, m->tmpfs_mode);
		put(sb, "mount.recursive", m->bind_recursive);
		put_kv(sb, "mount.label", m->volume_labels, m->n_volume_labels);
		put(sb, "mount.image_subpath", m->image_subpath);
	}
}

static void put_healthcheck(struct sbuf *sb,
			    const struct compose_healthcheck *h)
{
	if (!h->present)
		return;
	putf(sb, "hc.disable", h->disable);
	put_strv(sb, "hc.test", &h->test);
	putf(sb, "hc.interval", h->interval_ns);
	putf(sb, "hc.timeout", h->timeout_ns);
	putf(sb, "hc.start_period", h->start_period_ns);
	putf(sb, "hc.start_interval", h->start_interval_ns);
	putf(sb, "hc.retries", h->retries);
}

static void
put_devreqs(struct sbuf *sb, const char *k, const struct compose_keyval *kv)
{
	for (size_t i = 0; i < kv->n_dr; i++) {
		const struct compose_devreq *d = &kv->dr[i];

		sbuf_addf(sb, "%s[%zu]=%s %lld\n", k, i,
			  d->driver ? d->driver : "", d->count);
		put_strv(sb, k, &d->device_ids);
		put_strv(sb, k, &d->capabilities);
		put_kv(sb, k, d->options, d->n_options);
	}
}

/* compose_keys[] (compose/keys.c): every key the table knows, by kind. */
static void put_keys(struct sbuf *sb, const struct compose_service *s)
{
	for (size_t i = 0; s->keys && i < compose_n_keys; i++) {
		const struct compose_keyval *kv = &s->keys[i];
		const char *k = compose_keys[i].path;

		if (!kv->set)
			continue;
		switch (compose_keys[i].kind) {
		case COMPOSE_KEY_STR:
		case COMPOSE_KEY_RESTART:
		case COMPOSE_KEY_CREDSPEC:
			put(sb, k, kv->s);
			break;
		case COMPOSE_KEY_INT:
		case COMPOSE_KEY_BYTES:
		case COMPOSE_KEY_NANO:
		case COMPOSE_KEY_BOOL:
			putf(sb, k, kv->i);
			break;
		case COMPOSE_KEY_STRV:
		case COMPOSE_KEY_TMPFS:
		case COMPOSE_KEY_DEVICES:
		case COMPOSE_KEY_LINKS:
			put_strv(sb, k, &kv->v);
			break;
		case COMPOSE_KEY_WEIGHTS:
		case COMPOSE_KEY_RATES:
			for (size_t d = 0; d < kv->n_pn; d++)
				sbuf_addf(sb, "%s=%s %lld\n", k, kv->pn[d].path,
					  kv->pn[d].n);
			break;
		case COMPOSE_KEY_MAP:
			put_kv(sb, k, kv->kv, kv->n_kv);
			break;
		case COMPOSE_KEY_DEVREQ:
			put_devreqs(sb, k, kv);
			break;
		case COMPOSE_KEY_ULIMITS:
			for (size_t u = 0; u < kv->n_ul; u++)
				sbuf_addf(sb, "%s=%s %lld %lld\n", k,
					  kv->ul[u].name, kv->ul[u].soft,
					  kv->ul[u].hard);
			break;
		}
	}
}

/* Secrets and configs: what goes where, from which file or variable. */
static void put_files(struct sbuf *sb,
		      const struct compose_project *p,
		      const struct compose_service *s)
{
	for (int config = 0; config < 2; config++) {
		const struct compose_fileref *refs =
			config ? s->configs : s->secrets;
		size_t nr = config ? s->n_configs : s->n_secrets;

		for (size_t i = 0; i < nr; i++) {
			const struct compose_fileobj *o =
				compose_fileobj_find(p, config, refs[i].source);

			sbuf_addf(sb, "%s=%s %s %s %s %d\n",
				  config ? "config" : "secret", refs[i].source,
				  refs[i].target ? refs[i].target : "",
				  refs[i].uid ? refs[i].uid : "",
				  refs[i].gid ? refs[i].gid : "", refs[i].mode);
			if (o) {
				put(sb, "file.name", o->name);
				put(sb, "file.file", o->file);
				put(sb, "file.env", o->environment);
				put(sb, "file.content", o->content);
				/*
				 * The variable's value too: a new value
				 * recreates the container (compose v2 keeps
				 * it, with the old copy inside).
				 */
				if (o->environment)
					put(sb, "file.value", o->value);
			}
		}
	}
}

/* post_start and pre_stop: compose v2's hash covers them too. */
static void put_hooks(struct sbuf *sb,
		      const char *k,
		      const struct compose_hook *h,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(sb, "%s[%zu] privileged=%d\n", k, i, h[i].privileged);
		put_strv(sb, k, &h[i].command);
		put(sb, "hook.user", h[i].user);
		put(sb, "hook.working_dir", h[i].working_dir);
		put_kv(sb, "hook.env", h[i].environment, h[i].n_environment);
	}
}

static void put_service(struct sbuf *sb,
			const struct compose_project *p,
			const struct compose_service *s)
{
	put(sb, "image", s->image);
	if (s->build) {
		put(sb, "build.context", s->build->context);
		put(sb, "build.dockerfile", s->build->dockerfile);
		put(sb, "build.target", s->build->target);
		put_kv(sb, "build.arg", s->build->args, s->build->n_args);
	}
	put_strv(sb, "command", &s->command);
	put_strv(sb, "entrypoint", &s->entrypoint);
	put_kv(sb, "env", s->environment, s->n_environment);
	put_kv(sb, "label", s->labels, s->n_labels);
	put_ports_mounts(sb, s);
	put_strv(sb, "expose", &s->expose);
	put_strv(sb, "volumes_from", &s->volumes_from);
	put_strv(sb, "links", &s->links);
	put(sb, "network_mode", s->network_mode);
	put_kv(sb, "extra_host", s->extra_hosts, s->n_extra_hosts);
	put_strv(sb, "dns", &s->dns);
	put_strv(sb, "dns_search", &s->dns_search);
	put_strv(sb, "cap_add", &s->cap_add);
	put_strv(sb, "cap_drop", &s->cap_drop);
	put_healthcheck(sb, &s->healthcheck);
	put_keys(sb, s);
	put_files(sb, p, s);
	put_hooks(sb, "post_start", s->post_start, s->n_post_start);
	put_hooks(sb, "pre_stop", s->pre_stop, s->n_pre_stop);
	put(sb, "hostname", s->hostname);
	put(sb, "domainname", s->domainname);
	put(sb, "working_dir", s->working_dir);
	put(sb, "user", s->user);
	put(sb, "stop_signal", s->stop_signal);
	putf(sb, "stop_grace_period", s->stop_grace_period_ns);
	put(sb, "restart", s->restart);
	put(sb, "isolation", s->isolation);
	putf(sb, "init", s->init);
	putf(sb, "tty", s->tty);
	putf(sb, "stdin_open", s->stdin_open);
	putf(sb, "privileged", s->privileged);
	putf(sb, "read_only", s->read_only);
	if (s->use_api_socket) /* only then: other hashes stay as they were */
		putf(sb, "use_api_socket", 1);
}

/* The endpoint settings compose v2 sends: the container is recreated. */
static void put_endpoint_cfg(struct sbuf *sb,
			     const struct compose_service_network *n)
{
	if (!n)
		return;
	put_strv(sb, "net.link_local_ips", &n->link_local_ips);
	put_kv(sb, "net.driver_opt", n->driver_opts, n->n_driver_opts);
	if (n->gw_priority)
		putf(sb, "net.gw_priority", n->gw_priority);
	put(sb, "net.interface_name", n->interface_name);
	put(sb, "net.ipv6_address", n->ipv6_address);
	put(sb, "net.mac_address", n->mac_address);
}

/*
 * Everything that defines the container goes in, except what may change
 * without the container having to: host entries (rewritten in place),
 * scale, pull_policy and depends_on (the order of starting, not the
 * container).  Addresses the planner picked are left out too: a stopped
 * container reports none, and its hash must not change for that;
 * converge.c compares the addresses it does know instead.  An
 * ipv4_address written in the file is config and goes in.
 */
void plan_container_canonical(struct sbuf *out,
			      const struct plan *p,
			      const struct plan_container *ct)
{
	const struct plan_service *ps = &p->services[ct->service];

	sbuf_adds(out, "mixcompose-config-v1\n");
	put(out, "name", ct->name);
	put(out, "daemon", p->hosts[ct->daemon].name);
	put(out, "platform", ps->platform);
	for (size_t i = 0; i < ct->n_endpoints; i++) {
		const struct plan_endpoint *ep = &ct->endpoints[i];

		put(out, "net", p->networks[ep->network].name);
		if (ep->user_address)
			put(out, "net.ipv4", ep->ipv4);
		put_strv(out, "net.alias", &ep->aliases);
		put_endpoint_cfg(out, ep->cfg);
	}
	put_service(out, p->project, ps->svc);
}

static void add_label(struct arena *a,
		      struct plan_container *ct,
		      size_t *alloc,
		      const char *k,
		      const char *v)
{
	ct->labels = plan_grow(a, ct->labels, ct->n_labels, alloc,
			       sizeof(*ct->labels));
	ct->labels[ct->n_labels].key = k;
	ct->labels[ct->n_labels].value = v;
	ct->n_labels++;
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct compose_kv *)a)->key,
		      ((const struct compose_kv *)b)->key);
}

/* compose v2 writes "db:service_started:false,cache:service_healthy:true". */
static const char *depends_label(const struct plan *p, size_t si)
{
	struct sbuf sb = SBUF_INIT;
	const char *r;

	for (size_t k = 0; k < p->n_edges; k++) {
		const struct plan_edge *e = &p->edges[k];

		if (e->from != si || e->kind != PLAN_DEP_DEPENDS_ON)
			continue;
		sbuf_addf(&sb, "%s%s:%s:%s", sb.len ? "," : "",
			  p->services[e->to].name, e->condition,
			  e->restart ? "true" : "false");
	}
	r = arena_strdup(p->arena, sb.buf);
	sbuf_release(&sb);
	return r;
}

/* The image id the options give for the container's service, or NULL. */
static const char *c_image_id(const struct plan *p,
			      const struct plan_container *ct)
{
	return p->services[ct->service].image_id;
}

static void container_labels(struct plan *p, struct plan_container *ct)
{
	const struct plan_service *ps = &p->services[ct->service];
	const struct compose_project *proj = p->project;
	struct arena *a = p->arena;
	struct sbuf files = SBUF_INIT;
	size_t alloc = 0;

	/* Our labels win: a user label in our namespaces is left out. */
	for (size_t i = 0; i < ps->svc->n_labels; i++)
		if (ps->svc->labels[i].value &&
		    strncmp(ps->svc->labels[i].key, "com.docker.compose.",
			    19) &&
		    strncmp(ps->svc->labels[i].key, "io.mixcompose.", 14))
			add_label(a, ct, &alloc, ps->svc->labels[i].key,
				  ps->svc->labels[i].value);
	for (size_t i = 0; i < proj->config_files.n; i++)
		sbuf_addf(&files, "%s%s", i ? "," : "",
			  proj->config_files.v[i]);
	add_label(a, ct, &alloc, "com.docker.compose.config-hash",
		  ct->config_hash);
	if (c_image_id(p, ct))
		add_label(a, ct, &alloc, "com.docker.compose.image",
			  c_image_id(p, ct));
	add_label(a, ct, &alloc, "com.docker.compose.container-number",
		  arena_sprintf(a, "%d", ct->number));
	add_label(a, ct, &alloc, "com.docker.compose.depends_on",
		  depends_label(p, ct->service));
	add_label(a, ct, &alloc, "com.docker.compose.oneoff", "False");
	add_label(a, ct, &alloc, "com.docker.compose.project", p->project_name);
	add_label(a, ct, &alloc, "com.docker.compose.project.config_files",
		  arena_strdup(a, files.buf));
	add_label(a, ct, &alloc, "com.docker.compose.project.working_dir",
		  proj->working_dir ? proj->working_dir : "");
	add_label(a, ct, &alloc, "com.docker.compose.service", ps->name);
	add_label(a, ct, &alloc, "io.mixcompose.daemon",
		  p->hosts[ct->daemon].name);
	if (ps->platform)
		add_label(a, ct, &alloc, "io.mixcompose.platform",
			  ps->platform);
	sbuf_release(&files);
	qsort(ct->labels, ct->n_labels, sizeof(*ct->labels), cmp_kv);
}

void plan_containers_finish(struct plan_ctx *c)
{
	struct plan *p = c->p;
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < p->n_containers; i++) {
		struct plan_container *ct = &p->containers[i];

		sbuf_reset(&sb);
		plan_container_canonical(&sb, p, ct);
		ct->config_hash = plan_sha256_hex(p->arena, sb.buf, sb.len);
		container_labels(p, ct);
	}
	sbuf_release(&sb);
}
