/*
 * The keys of compose_keys[] (compose/keys.c) into the create body: each
 * table entry names its Engine API field, so this file only converts a
 * value by its kind.  And the check that a daemon takes them: a Windows
 * daemon refuses the Linux-only ones (moby's daemon_windows.go), so the
 * plan is refused before anything is created, naming service and daemon.
 */
#include "apply/apply_int.h"

#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/sbuf.h"

/* "PATH[:OPTIONS]" -> PATH: OPTIONS, as compose v2 fills HostConfig.Tmpfs. */
static void tmpfs_field(struct engine_field *f,
			struct arena *a,
			const struct compose_strv *v)
{
	struct engine_kv *kv = arena_calloc(a, v->n + 1, sizeof(*kv));

	for (size_t i = 0; i < v->n; i++) {
		const char *colon = strchr(v->v[i], ':');

		kv[i].key = colon ? arena_strndup(a, v->v[i],
						  (size_t)(colon - v->v[i]))
				  : v->v[i];
		kv[i].value = colon ? colon + 1 : "";
	}
	f->kind = ENGINE_FIELD_MAP;
	f->kv = kv;
	f->n_kv = v->n;
}

static void ulimits_field(struct engine_field *f,
			  struct arena *a,
			  const struct compose_keyval *kv)
{
	struct engine_ulimit *u = arena_calloc(a, kv->n_ul + 1, sizeof(*u));

	for (size_t i = 0; i < kv->n_ul; i++)
		u[i] = (struct engine_ulimit){kv->ul[i].name, kv->ul[i].soft,
					      kv->ul[i].hard};
	f->kind = ENGINE_FIELD_ULIMITS;
	f->ul = u;
	f->n_ul = kv->n_ul;
}

/*
 * Device requests; a `gpus` entry without capabilities asks for "gpu", as
 * the docker CLI's --gpus does.
 */
static void devreq_field(struct engine_field *f,
			 struct arena *a,
			 const struct compose_keyval *kv,
			 bool gpus)
{
	static const char *const gpu[] = {"gpu"};
	struct engine_devreq *d = arena_calloc(a, kv->n_dr + 1, sizeof(*d));

	for (size_t i = 0; i < kv->n_dr; i++) {
		const struct compose_devreq *c = &kv->dr[i];
		struct engine_kv *o =
			arena_calloc(a, c->n_options + 1, sizeof(*o));

		for (size_t k = 0; k < c->n_options; k++)
			o[k] = (struct engine_kv){c->options[k].key,
						  c->options[k].value};
		d[i] = (struct engine_devreq){
			c->driver,
			c->count,
			{c->device_ids.v, c->device_ids.n},
			{c->capabilities.v, c->capabilities.n},
			o,
			c->n_options};
		if (gpus && !c->capabilities.n)
			d[i].capabilities = (struct engine_strv){gpu, 1};
	}
	f->kind = ENGINE_FIELD_DEVREQ;
	f->dr = d;
	f->n_dr = kv->n_dr;
}

static void map_field(struct engine_field *f,
		      struct arena *a,
		      const struct compose_keyval *kv)
{
	struct engine_kv *m = arena_calloc(a, kv->n_kv + 1, sizeof(*m));

	for (size_t i = 0; i < kv->n_kv; i++)
		m[i] = (struct engine_kv){kv->kv[i].key, kv->kv[i].value};
	f->kind = ENGINE_FIELD_MAP;
	f->kv = m;
	f->n_kv = kv->n_kv;
}

/* "NAME[:ALIAS]" -> "NAME:ALIAS", as compose v2's getLinks. */
static struct engine_strv links_of(struct arena *a,
				   const struct compose_strv *v)
{
	const char **l = arena_calloc(a, v->n + 1, sizeof(*l));

	for (size_t i = 0; i < v->n; i++)
		l[i] = strchr(v->v[i], ':')
			       ? v->v[i]
			       : arena_sprintf(a, "%s:%s", v->v[i], v->v[i]);
	return (struct engine_strv){l, v->n};
}

struct engine_strv apply_key_links(struct arena *a,
				   const struct compose_service *s)
{
	long i = compose_key_find("external_links");

	if (!s->keys || i < 0 || !s->keys[i].set)
		return (struct engine_strv){NULL, 0};
	return links_of(a, &s->keys[i].v);
}

static void pathnum_field(struct engine_field *f,
			  struct arena *a,
			  const struct compose_keyval *kv,
			  bool weight)
{
	struct engine_pathnum *p = arena_calloc(a, kv->n_pn + 1, sizeof(*p));

	for (size_t i = 0; i < kv->n_pn; i++)
		p[i] = (struct engine_pathnum){kv->pn[i].path, kv->pn[i].n};
	f->kind = ENGINE_FIELD_PATHNUM;
	f->pn = p;
	f->n_pn = kv->n_pn;
	f->num_name = weight ? "Weight" : "Rate";
}

/* compose v2's mapping of a Swarm restart condition to a container's. */
static const char *restart_name(const char *cond)
{
	if (!strcmp(cond, "any"))
		return "always";
	if (!strcmp(cond, "none"))
		return "no";
	return cond;
}

static void key_field(struct engine_field *f,
		      struct arena *a,
		      const struct compose_key *k,
		      const struct compose_keyval *kv)
{
	f->path = k->api;
	f->i = kv->i;
	switch (k->kind) {
	case COMPOSE_KEY_STR:
		f->kind = ENGINE_FIELD_STR;
		f->s = kv->s;
		break;
	case COMPOSE_KEY_RESTART:
		f->kind = ENGINE_FIELD_STR;
		f->s = restart_name(kv->s);
		break;
	case COMPOSE_KEY_INT:
	case COMPOSE_KEY_BYTES:
	case COMPOSE_KEY_NANO:
		f->kind = ENGINE_FIELD_INT;
		break;
	case COMPOSE_KEY_BOOL:
		f->kind = ENGINE_FIELD_BOOL;
		break;
	case COMPOSE_KEY_STRV:
		f->kind = ENGINE_FIELD_STRV;
		f->v = (struct engine_strv){kv->v.v, kv->v.n};
		break;
	case COMPOSE_KEY_MAP:
		map_field(f, a, kv);
		break;
	case COMPOSE_KEY_TMPFS:
		tmpfs_field(f, a, &kv->v);
		break;
	case COMPOSE_KEY_ULIMITS:
		ulimits_field(f, a, kv);
		break;
	case COMPOSE_KEY_DEVICES:
		f->kind = ENGINE_FIELD_DEVICES;
		f->v = (struct engine_strv){kv->v.v, kv->v.n};
		break;
	case COMPOSE_KEY_DEVREQ:
		devreq_field(f, a, kv, !strcmp(k->path, "gpus"));
		break;
	case COMPOSE_KEY_CREDSPEC:
		f->kind = ENGINE_FIELD_STRV;
		f->v = (struct engine_strv){&kv->s, 1};
		break;
	case COMPOSE_KEY_LINKS:
		f->kind = ENGINE_FIELD_STRV;
		f->v = links_of(a, &kv->v);
		break;
	case COMPOSE_KEY_WEIGHTS:
	case COMPOSE_KEY_RATES:
		pathnum_field(f, a, kv, k->kind == COMPOSE_KEY_WEIGHTS);
		break;
	}
}

/*
 * compose v2's endpointDriverOpts: interface_name is the driver option
 * com.docker.network.endpoint.ifname, over one driver_opts gives.
 */
static void endpoint_driver_opts(struct engine_endpoint *ep,
				 struct arena *a,
				 const struct compose_service_network *n)
{
	static const char ifname[] = "com.docker.network.endpoint.ifname";
	struct engine_kv *o = arena_calloc(a, n->n_driver_opts + 2, sizeof(*o));
	size_t k = 0;

	for (size_t i = 0; i < n->n_driver_opts; i++)
		if (!n->interface_name || strcmp(n->driver_opts[i].key, ifname))
			o[k++] = (struct engine_kv){n->driver_opts[i].key,
						    n->driver_opts[i].value};
	if (n->interface_name)
		o[k++] = (struct engine_kv){ifname, n->interface_name};
	ep->driver_opts = o;
	ep->n_driver_opts = k;
}

void apply_endpoint_keys(struct engine_endpoint *ep,
			 struct arena *a,
			 const struct compose_service_network *n)
{
	if (!n)
		return;
	ep->link_local_ips =
		(struct engine_strv){n->link_local_ips.v, n->link_local_ips.n};
	ep->ipv6_address = n->ipv6_address;
	ep->mac_address = n->mac_address;
	endpoint_driver_opts(ep, a, n);
	ep->gw_priority = n->gw_priority;
}

static const struct engine_kv *
kvs(struct arena *a, const struct compose_kv *kv, size_t n)
{
	struct engine_kv *o = arena_calloc(a, n + 1, sizeof(*o));

	for (size_t i = 0; i < n; i++)
		o[i] = (struct engine_kv){kv[i].key, kv[i].value};
	return o;
}

/* compose v2's buildBindOption: which BindOptions flag bind.recursive sets. */
static const char *recursive_flag(const char *r)
{
	if (!r)
		return NULL;
	if (!strcmp(r, "disabled"))
		return "NonRecursive";
	if (!strcmp(r, "writable"))
		return "ReadOnlyNonRecursive";
	if (!strcmp(r, "readonly"))
		return "ReadOnlyForceRecursive";
	return NULL; /* "enabled": the default */
}

void apply_mount_keys(struct engine_mount *m,
		      struct arena *a,
		      const struct compose_mount *cm)
{
	m->bind_recursive = recursive_flag(cm->bind_recursive);
	m->volume_labels = kvs(a, cm->volume_labels, cm->n_volume_labels);
	m->n_volume_labels = cm->n_volume_labels;
	m->image_subpath = cm->image_subpath;
}

/*
 * A network's IPAM options, the reserved aux_addresses of the subnet the
 * file gives (the daemon refuses one outside it) and enable_ipv4.
 */
void apply_network_keys(struct engine_network_spec *ns,
			struct arena *a,
			const struct plan_network *pn)
{
	const struct compose_network *net = pn->net;

	if (!net)
		return;
	ns->ipam_options = kvs(a, net->ipam_options, net->n_ipam_options);
	ns->n_ipam_options = net->n_ipam_options;
	if (net->enable_ipv4_set)
		ns->enable_ipv4 = net->enable_ipv4 ? 1 : -1;
	if (pn->user_subnet && ns->n_ipam == 1 && net->n_ipam) {
		struct engine_ipam *ip = (struct engine_ipam *)ns->ipam;

		ip->aux_addresses = kvs(a, net->ipam[0].aux_addresses,
					net->ipam[0].n_aux_addresses);
		ip->n_aux_addresses = net->ipam[0].n_aux_addresses;
	}
}

void apply_spec_keys(struct engine_container_spec *sp,
		     struct arena *a,
		     const struct plan_host *h,
		     const struct compose_service *s)
{
	long mac = compose_key_find("mac_address");
	struct engine_field *v;
	size_t n = 0;

	if (!s->keys)
		return;
	v = arena_calloc(a, compose_n_keys + 2, sizeof(*v));
	for (size_t i = 0; i < compose_n_keys; i++)
		if (s->keys[i].set)
			key_field(&v[n++], a, &compose_keys[i], &s->keys[i]);
	/* Older than 1.44, an endpoint's MacAddress is not read. */
	if (h->api_major == 1 && h->api_minor < 44 && sp->n_endpoints &&
	    sp->endpoints[0].mac_address && (mac < 0 || !s->keys[mac].set))
		v[n++] = (struct engine_field){
			.path = "MacAddress",
			.kind = ENGINE_FIELD_STR,
			.s = sp->endpoints[0].mac_address};
	sp->fields = v;
	sp->n_fields = n;
}

void apply_api_socket(struct engine_container_spec *sp,
		      struct arena *a,
		      const struct plan_host *h,
		      const struct compose_service *s)
{
	const char *sock = h->endpoint && !strncmp(h->endpoint, "unix://", 7)
				   ? h->endpoint + 7
				   : "/var/run/docker.sock";
	const char **b = arena_calloc(a, sp->binds.n + 2, sizeof(*b));
	const char **e = arena_calloc(a, sp->env.n + 2, sizeof(*e));
	bool has_config = false;

	for (size_t i = 0; i < sp->binds.n; i++)
		b[i] = sp->binds.v[i];
	b[sp->binds.n] = arena_sprintf(a, "%s:/var/run/docker.sock", sock);
	sp->binds = (struct engine_strv){b, sp->binds.n + 1};
	for (size_t i = 0; i < s->n_environment; i++)
		has_config = has_config ||
			     !strcmp(s->environment[i].key, "DOCKER_CONFIG");
	if (has_config) /* compose v2: the user knows what they do */
		return;
	for (size_t i = 0; i < sp->env.n; i++)
		e[i] = sp->env.v[i];
	e[sp->env.n] = "DOCKER_CONFIG=/run/secrets/docker";
	sp->env = (struct engine_strv){e, sp->env.n + 1};
}

int apply_api_socket_file(struct engine_file *f,
			  struct arena *a,
			  struct diag *err)
{
	const char *dc = getenv("DOCKER_CONFIG");
	const char *home = getenv(compat_home_var());
	const char *dir =
		dc && *dc ? dc
			  : arena_sprintf(a, "%s/.docker", home ? home : "");
	char *auths = engine_config_auths(dir, err);

	if (!auths)
		return err->code ? err->code : DIAG_EIO;
	*f = (struct engine_file){"/run/secrets/docker/config.json",
				  arena_strdup(a, auths),
				  strlen(auths),
				  0444,
				  0,
				  0};
	free(auths);
	return 0;
}

/* Digits only: compose v2 reads uid and gid with strconv.Atoi. */
static bool is_id(const char *v)
{
	if (!v)
		return true;
	if (!*v)
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

/* Why compose v2 would refuse this secret or config at up, or NULL. */
static const char *file_problem(struct arena *a,
				const struct compose_service *s,
				const struct compose_fileobj *o,
				const struct compose_fileref *r)
{
	if (o->external)
		return "is external: compose v2 does not support external "
		       "ones either";
	if (o->driver)
		return "has a driver: a Swarm option that compose v2 "
		       "refuses too";
	if (o->file)
		return NULL;
	if (o->environment && !o->value)
		return arena_sprintf(a,
				     "needs the environment variable '%s', "
				     "which is not set",
				     o->environment);
	if (s->read_only && o->value && *o->value)
		return "cannot be written into a read_only service: file is "
		       "the only source compose v2 takes there";
	if (!is_id(r->uid) || !is_id(r->gid))
		return "has a uid or gid that is not a number";
	return NULL;
}

/*
 * What compose v2 refuses at up: external secrets, Swarm drivers, an
 * unset variable, a copy into a read-only root filesystem.
 */
static int check_files(const struct plan *p,
		       const struct compose_service *s,
		       struct diag *err)
{
	for (int config = 0; config < 2; config++) {
		const struct compose_fileref *refs =
			config ? s->configs : s->secrets;
		size_t nr = config ? s->n_configs : s->n_secrets;
		const char *what = config ? "config" : "secret";

		for (size_t i = 0; i < nr; i++) {
			const struct compose_fileobj *o = compose_fileobj_find(
				p->project, config, refs[i].source);
			const char *why =
				o ? file_problem(p->arena, s, o, &refs[i])
				  : NULL;

			if (why)
				return diag_set(err, DIAG_EPLAN, &refs[i].loc,
						"services.%s.%ss[%zu]: %s "
						"'%s' %s",
						s->name, what, i, what, o->key,
						why);
		}
	}
	return 0;
}

/* Key 'k' at 'where' is refused: daemon 'h''s API is older than its field. */
static int api_refuse(const struct plan_host *h,
		      const struct compose_key *k,
		      const struct diag_loc *loc,
		      const char *where,
		      struct diag *err)
{
	return diag_set(err, DIAG_EPLAN, loc,
			"%s: daemon '%s' speaks Engine API %d.%d; %s needs "
			"API 1.%d or later",
			where, h->name, h->api_major, h->api_minor, k->api,
			COMPOSE_KEY_API_MIN(k));
}

/* Nested key 'path' (compose_nested_keys[]) is too new for daemon 'h'. */
static bool too_new(const struct plan_host *h, const char *path)
{
	const struct compose_key *k = compose_nested_key(path);
	int min = k ? COMPOSE_KEY_API_MIN(k) : 0;

	return min && h->api_major == 1 && h->api_minor < min;
}

static int nested_refuse(const struct plan_host *h,
			 const char *path,
			 const struct diag_loc *loc,
			 const char *where,
			 struct diag *err)
{
	return api_refuse(h, compose_nested_key(path), loc, where, err);
}

/*
 * A service's network entries on its daemon: gw_priority (API 1.48) and
 * interface_name (1.49, which compose v2 refuses before too).
 */
static int check_endpoints(struct arena *a,
			   const struct plan_host *h,
			   const struct compose_service *s,
			   struct diag *err)
{
	static const char *const gw = "networks.*.gw_priority",
				 *const ifn = "networks.*.interface_name";

	for (size_t i = 0; i < s->n_networks; i++) {
		const struct compose_service_network *n = &s->networks[i];
		const char *path = NULL;

		if (n->interface_name && too_new(h, ifn))
			path = ifn;
		else if (n->gw_priority && too_new(h, gw))
			path = gw;
		if (path)
			return nested_refuse(
				h, path, &n->loc,
				arena_sprintf(a, "services.%s.networks.%s.%s",
					      s->name, n->name,
					      strrchr(path, '.') + 1),
				err);
	}
	return 0;
}

/*
 * compose v2's MAC address rules (prepareContainerMACAddress): the
 * service's mac_address and its main network's must agree; a daemon
 * older than API 1.44 takes one MAC address per container (the main
 * network's, in the container's config), so no more than one network
 * may set one there.
 */
static int check_macs(const struct plan *p,
		      const struct plan_host *h,
		      size_t si,
		      const struct compose_service *s,
		      struct diag *err)
{
	long k = compose_key_find("mac_address");
	const char *svc_mac = k >= 0 && s->keys[k].set ? s->keys[k].s : NULL;
	const struct plan_endpoint *main_ep = NULL;
	struct sbuf with = SBUF_INIT;
	size_t n_with = 0;
	int rc = 0;

	for (size_t ci = 0; ci < p->n_containers && !main_ep; ci++)
		if (p->containers[ci].service == si &&
		    p->containers[ci].n_endpoints)
			main_ep = &p->containers[ci].endpoints[0];
	if (svc_mac && main_ep && main_ep->cfg && main_ep->cfg->mac_address &&
	    strcmp(main_ep->cfg->mac_address, svc_mac))
		return diag_set(err, DIAG_EPLAN, &s->keys[k].loc,
				"services.%s.mac_address: the service-level "
				"mac_address should have the same value as "
				"network %s",
				s->name, main_ep->cfg->name);
	if (h->api_major != 1 || h->api_minor >= 44)
		return 0;
	for (size_t i = 0; i < s->n_networks; i++)
		if (s->networks[i].mac_address) {
			sbuf_addf(&with, "%s%s", n_with++ ? ", " : "",
				  s->networks[i].name);
		}
	if (n_with > 1)
		rc = diag_set(err, DIAG_EPLAN, &s->networks[0].loc,
			      "services.%s.networks: a MAC address is "
			      "specified for multiple networks (%s), but "
			      "this feature requires Docker Engine 1.44 or "
			      "later (daemon '%s' has API %d.%d)",
			      s->name, with.buf, h->name, h->api_major,
			      h->api_minor);
	sbuf_release(&with);
	return rc;
}

/*
 * A service's mounts on its daemon: bind.recursive writable or readonly
 * (API 1.44; disabled is older) and image mounts (1.48).
 */
static int check_mounts(struct arena *a,
			const struct plan_host *h,
			const struct compose_service *s,
			struct diag *err)
{
	static const char *const rec = "volumes[].bind.recursive",
				 *const img = "volumes[].image";

	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct compose_mount *m = &s->volumes[i];
		const char *flag = recursive_flag(m->bind_recursive);
		const char *path = NULL;

		if (m->type == COMPOSE_MOUNT_IMAGE && too_new(h, img))
			path = img;
		else if (flag && strcmp(flag, "NonRecursive") &&
			 too_new(h, rec))
			path = rec;
		if (path)
			return nested_refuse(
				h, path, &m->loc,
				arena_sprintf(a, "services.%s.volumes[%zu]%s",
					      s->name, i, path + 9),
				err);
	}
	return 0;
}

/*
 * Provider services and models are run by compose v2's plugins
 * (docker-<type>, the Docker Model plugin), client-side: without them
 * compose v2's up fails ("'models' support requires Docker Model
 * plugin", exec: "docker-model": not found).  mixcompose has none, so it
 * refuses them, before anything is created.
 */
static int check_plugins(const struct compose_service *s, struct diag *err)
{
	if (s->provider)
		return diag_set(err, DIAG_EPLAN, &s->provider_loc,
				"services.%s.provider: a '%s' provider service "
				"runs through compose v2's docker-%s plugin, "
				"which mixcompose does not have",
				s->name, s->provider, s->provider);
	if (s->models.n)
		return diag_set(err, DIAG_EPLAN, &s->models_loc,
				"services.%s.models: models run through the "
				"Docker Model plugin of compose v2, which "
				"mixcompose does not have",
				s->name);
	return 0;
}

/* The networks up creates: enable_ipv4: false needs API 1.47. */
static int check_networks(const struct plan *p, struct diag *err)
{
	for (size_t i = 0; i < p->n_networks; i++) {
		const struct plan_network *pn = &p->networks[i];
		const struct plan_host *h = &p->hosts[pn->daemon];

		if (pn->action != PLAN_NET_CREATE || !pn->net ||
		    !pn->net->enable_ipv4_set || pn->net->enable_ipv4 ||
		    !too_new(h, "networks.enable_ipv4"))
			continue;
		return nested_refuse(h, "networks.enable_ipv4", &pn->net->loc,
				     arena_sprintf(p->arena,
						   "networks.%s.enable_ipv4",
						   pn->net->key),
				     err);
	}
	return 0;
}

/*
 * Key 'k' of service 's' on host 'h' (of OS 'os'): refused when the
 * daemon's OS does not take it, or its API is older than the field's.
 */
static int check_key(struct arena *a,
		     const struct plan_host *h,
		     const struct compose_service *s,
		     size_t k,
		     unsigned os,
		     struct diag *err)
{
	const struct compose_key *key = &compose_keys[k];
	int min = COMPOSE_KEY_API_MIN(key);

	if (!s->keys[k].set)
		return 0;
	if (!(key->os & os))
		return diag_set(err, DIAG_EPLAN, &s->keys[k].loc,
				"services.%s.%s: daemon '%s' runs %s, which "
				"does not support it",
				s->name, key->path, h->name,
				os == COMPOSE_OS_WINDOWS ? "Windows" : "Linux");
	if (min && h->api_major == 1 && h->api_minor < min)
		return api_refuse(
			h, key, &s->keys[k].loc,
			arena_sprintf(a, "services.%s.%s", s->name, key->path),
			err);
	return 0;
}

int apply_check(const struct plan *p, struct diag *err)
{
	int rc0 = check_networks(p, err);

	if (rc0)
		return rc0;
	for (size_t i = 0; i < p->n_services; i++) {
		int rc;

		if (p->services[i].selected &&
		    ((rc = check_plugins(p->services[i].svc, err)) ||
		     (rc = check_files(p, p->services[i].svc, err))))
			return rc;
	}
	for (size_t i = 0; i < p->n_services; i++) {
		const struct plan_service *ps = &p->services[i];
		const struct plan_host *h = &p->hosts[ps->daemon];
		const struct compose_service *s = ps->svc;

		unsigned os = h->os && !strcmp(h->os, "windows")
				      ? COMPOSE_OS_WINDOWS
				      : COMPOSE_OS_LINUX;

		if (!ps->selected || !s->keys || !h->os)
			continue;
		if ((rc0 = check_endpoints(p->arena, h, s, err)) ||
		    (rc0 = check_macs(p, h, i, s, err)) ||
		    (rc0 = check_mounts(p->arena, h, s, err)))
			return rc0;
		/* compose v2: "can't be used with a Windows Docker Engine". */
		if (s->use_api_socket && os == COMPOSE_OS_WINDOWS)
			return diag_set(err, DIAG_EPLAN, &s->use_api_socket_loc,
					"services.%s.use_api_socket: daemon "
					"'%s' runs Windows, which does not "
					"support it",
					s->name, h->name);
		for (size_t k = 0; k < compose_n_keys; k++) {
			int rc = check_key(p->arena, h, s, k, os, err);

			if (rc)
				return rc;
		}
	}
	return 0;
}
