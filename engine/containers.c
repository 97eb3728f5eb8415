/* Containers: create, start, stop, kill, remove, inspect, list, wait, logs. */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

/* ---- The create body ---------------------------------------------------- */

static void add_healthcheck(cJSON *cfg, const struct engine_healthcheck *h)
{
	cJSON *o;

	if (!h->test.v)
		return;
	o = cJSON_AddObjectToObject(cfg, "Healthcheck");
	ej_add_strv(o, "Test", &h->test);
	if (h->interval_ns)
		cJSON_AddNumberToObject(o, "Interval", (double)h->interval_ns);
	if (h->timeout_ns)
		cJSON_AddNumberToObject(o, "Timeout", (double)h->timeout_ns);
	if (h->start_period_ns)
		cJSON_AddNumberToObject(o, "StartPeriod",
					(double)h->start_period_ns);
	if (h->start_interval_ns)
		cJSON_AddNumberToObject(o, "StartInterval",
					(double)h->start_interval_ns);
	if (h->retries)
		cJSON_AddNumberToObject(o, "Retries", h->retries);
}

static void
port_key(char *buf, size_t size, const struct engine_port_binding *p)
{
	snprintf(buf, size, "%u/%s", p->container_port,
		 p->protocol ? p->protocol : "tcp");
}

static void
add_ports(cJSON *cfg, cJSON *hc, const struct engine_container_spec *s)
{
	cJSON *exposed = NULL, *bindings = NULL;
	char key[64];

	if (s->exposed_ports.n || s->n_ports)
		exposed = cJSON_AddObjectToObject(cfg, "ExposedPorts");
	for (size_t i = 0; i < s->exposed_ports.n; i++)
		if (!cJSON_GetObjectItemCaseSensitive(exposed,
						      s->exposed_ports.v[i]))
			cJSON_AddObjectToObject(exposed, s->exposed_ports.v[i]);
	if (s->n_ports)
		bindings = cJSON_AddObjectToObject(hc, "PortBindings");
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct engine_port_binding *p = &s->ports[i];
		cJSON *arr, *b = cJSON_CreateObject();

		port_key(key, sizeof(key), p);
		if (!cJSON_GetObjectItemCaseSensitive(exposed, key))
			cJSON_AddObjectToObject(exposed, key);
		arr = cJSON_GetObjectItemCaseSensitive(bindings, key);
		if (!arr)
			arr = cJSON_AddArrayToObject(bindings, key);
		cJSON_AddStringToObject(b, "HostIp",
					p->host_ip ? p->host_ip : "");
		cJSON_AddStringToObject(b, "HostPort",
					p->host_port ? p->host_port : "");
		cJSON_AddItemToArray(arr, b);
	}
}

/* BindOptions, VolumeOptions and ImageOptions, only when they say something. */
static void add_mount_options(cJSON *o, const struct engine_mount *m)
{
	if (m->type == ENGINE_MOUNT_BIND &&
	    (m->bind_propagation || m->bind_recursive)) {
		cJSON *b = cJSON_AddObjectToObject(o, "BindOptions");

		ej_add_str(b, "Propagation", m->bind_propagation);
		if (m->bind_recursive)
			cJSON_AddBoolToObject(b, m->bind_recursive, 1);
	}
	if (m->type == ENGINE_MOUNT_VOLUME &&
	    (m->volume_nocopy || m->n_volume_labels)) {
		cJSON *v = cJSON_AddObjectToObject(o, "VolumeOptions");

		if (m->volume_nocopy)
			cJSON_AddBoolToObject(v, "NoCopy", 1);
		ej_add_kv(v, "Labels", m->volume_labels, m->n_volume_labels);
	}
	if (m->type == ENGINE_MOUNT_IMAGE && m->image_subpath)
		cJSON_AddStringToObject(
			cJSON_AddObjectToObject(o, "ImageOptions"), "Subpath",
			m->image_subpath);
}

static void add_mounts(cJSON *hc, const struct engine_container_spec *s)
{
	static const char *const types[] = {"bind", "volume", "tmpfs", "npipe",
					    "image"};
	cJSON *arr;

	ej_add_strv(hc, "Binds", &s->binds);
	if (!s->n_mounts)
		return;
	arr = cJSON_AddArrayToObject(hc, "Mounts");
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct engine_mount *m = &s->mounts[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "Type", types[m->type]);
		ej_add_str(o, "Source", m->source);
		cJSON_AddStringToObject(o, "Target", m->target);
		if (m->read_only)
			cJSON_AddBoolToObject(o, "ReadOnly", 1);
		add_mount_options(o, m);
		if (m->type == ENGINE_MOUNT_TMPFS &&
		    (m->tmpfs_size || m->tmpfs_mode)) {
			cJSON *t = cJSON_AddObjectToObject(o, "TmpfsOptions");

			if (m->tmpfs_size)
				cJSON_AddNumberToObject(t, "SizeBytes",
							(double)m->tmpfs_size);
			if (m->tmpfs_mode)
				cJSON_AddNumberToObject(t, "Mode",
							m->tmpfs_mode);
		}
		cJSON_AddItemToArray(arr, o);
	}
}

static cJSON *
host_config(cJSON *body, cJSON *cfg, const struct engine_container_spec *s)
{
	cJSON *hc = cJSON_AddObjectToObject(body, "HostConfig");

	add_ports(cfg, hc, s);
	add_mounts(hc, s);
	ej_add_str(hc, "NetworkMode", s->network_mode);
	ej_add_strv(hc, "ExtraHosts", &s->extra_hosts);
	if (s->restart_policy) {
		cJSON *rp = cJSON_AddObjectToObject(hc, "RestartPolicy");

		cJSON_AddStringToObject(rp, "Name", s->restart_policy);
		if (s->restart_max_retries)
			cJSON_AddNumberToObject(rp, "MaximumRetryCount",
						s->restart_max_retries);
	}
	if (s->init >= 0)
		cJSON_AddBoolToObject(hc, "Init", s->init);
	if (s->privileged)
		cJSON_AddBoolToObject(hc, "Privileged", 1);
	if (s->read_only)
		cJSON_AddBoolToObject(hc, "ReadonlyRootfs", 1);
	ej_add_strv(hc, "CapAdd", &s->cap_add);
	ej_add_strv(hc, "CapDrop", &s->cap_drop);
	ej_add_strv(hc, "Dns", &s->dns);
	ej_add_strv(hc, "DnsSearch", &s->dns_search);
	ej_add_str(hc, "Isolation", s->isolation);
	if (s->auto_remove)
		cJSON_AddBoolToObject(hc, "AutoRemove", 1);
	return hc;
}

/*
 * Links go in the endpoint too, as compose v2 and the docker CLI send
 * them: on a user-defined network the daemon reads them there.
 */
cJSON *ej_endpoint(const struct engine_endpoint *ep)
{
	cJSON *o = cJSON_CreateObject();

	ej_add_strv(o, "Aliases", &ep->aliases);
	if (ep->links.n)
		ej_add_strv(o, "Links", &ep->links);
	if (ep->ipv4_address || ep->ipv6_address || ep->link_local_ips.n) {
		cJSON *ipam = cJSON_AddObjectToObject(o, "IPAMConfig");

		ej_add_str(ipam, "IPv4Address", ep->ipv4_address);
		ej_add_str(ipam, "IPv6Address", ep->ipv6_address);
		ej_add_strv(ipam, "LinkLocalIPs", &ep->link_local_ips);
	}
	ej_add_kv(o, "DriverOpts", ep->driver_opts, ep->n_driver_opts);
	ej_add_str(o, "MacAddress", ep->mac_address);
	if (ep->gw_priority)
		cJSON_AddNumberToObject(o, "GwPriority", ep->gw_priority);
	return o;
}

/* The object at dotted 'path' (all of it but its last part), made. */
static cJSON *field_parent(cJSON *body, const char *path, const char **last)
{
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		char part[64];
		cJSON *o;

		snprintf(part, sizeof(part), "%.*s", (int)(dot - path), path);
		o = cJSON_GetObjectItemCaseSensitive(body, part);
		if (!cJSON_IsObject(o)) {
			cJSON_DeleteItemFromObjectCaseSensitive(body, part);
			o = cJSON_AddObjectToObject(body, part);
		}
		body = o;
		path = dot + 1;
	}
	*last = path;
	return body;
}

cJSON *eng_ulimits_json(const struct engine_ulimit *ul, size_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "Name", ul[i].name);
		cJSON_AddNumberToObject(o, "Soft", (double)ul[i].soft);
		cJSON_AddNumberToObject(o, "Hard", (double)ul[i].hard);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *devices_json(const struct engine_field *f)
{
	static const char *const names[] = {"PathOnHost", "PathInContainer",
					    "CgroupPermissions"};
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < f->v.n; i++) {
		cJSON *o = cJSON_CreateObject();
		const char *s = f->v.v[i];

		for (size_t k = 0; k < 3; k++) {
			size_t len = k < 2 ? strcspn(s, ":") : strlen(s);
			char *part = xstrndup(s, len);

			cJSON_AddStringToObject(o, names[k], part);
			free(part);
			s += len + (s[len] == ':');
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* As the docker CLI and compose v2 send them: one capability set each. */
static cJSON *devreq_json(const struct engine_field *f)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < f->n_dr; i++) {
		const struct engine_devreq *d = &f->dr[i];
		cJSON *o = cJSON_CreateObject(), *caps;

		cJSON_AddStringToObject(o, "Driver",
					d->driver ? d->driver : "");
		cJSON_AddNumberToObject(o, "Count", (double)d->count);
		if (d->device_ids.n)
			ej_add_strv(o, "DeviceIDs", &d->device_ids);
		caps = cJSON_AddArrayToObject(o, "Capabilities");
		if (d->capabilities.n) {
			cJSON *set = cJSON_CreateArray();

			for (size_t k = 0; k < d->capabilities.n; k++)
				cJSON_AddItemToArray(
					set, cJSON_CreateString(
						     d->capabilities.v[k]));
			cJSON_AddItemToArray(caps, set);
		}
		if (d->n_options)
			ej_add_kv(o, "Options", d->options, d->n_options);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *pathnum_json(const struct engine_field *f)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < f->n_pn; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "Path", f->pn[i].path);
		cJSON_AddNumberToObject(o, f->num_name, (double)f->pn[i].n);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *field_json(const struct engine_field *f)
{
	cJSON *o;

	switch (f->kind) {
	case ENGINE_FIELD_INT:
		return cJSON_CreateNumber((double)f->i);
	case ENGINE_FIELD_STR:
		return cJSON_CreateString(f->s ? f->s : "");
	case ENGINE_FIELD_BOOL:
		return cJSON_CreateBool(f->i != 0);
	case ENGINE_FIELD_STRV:
		o = cJSON_CreateArray();
		for (size_t i = 0; i < f->v.n; i++)
			cJSON_AddItemToArray(o, cJSON_CreateString(f->v.v[i]));
		return o;
	case ENGINE_FIELD_MAP:
		o = cJSON_CreateObject();
		for (size_t i = 0; i < f->n_kv; i++)
			cJSON_AddStringToObject(o, f->kv[i].key,
						f->kv[i].value ? f->kv[i].value
							       : "");
		return o;
	case ENGINE_FIELD_ULIMITS:
		return eng_ulimits_json(f->ul, f->n_ul);
	case ENGINE_FIELD_DEVICES:
		return devices_json(f);
	case ENGINE_FIELD_DEVREQ:
		return devreq_json(f);
	case ENGINE_FIELD_PATHNUM:
		return pathnum_json(f);
	}
	return cJSON_CreateNull();
}

static void add_fields(cJSON *body, const struct engine_container_spec *s)
{
	for (size_t i = 0; i < s->n_fields; i++) {
		const char *last;
		cJSON *parent = field_parent(body, s->fields[i].path, &last);

		cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
		cJSON_AddItemToObject(parent, last, field_json(&s->fields[i]));
	}
}

static cJSON *container_body(const struct engine_container_spec *s)
{
	cJSON *body = cJSON_CreateObject();

	ej_add_str(body, "Image", s->image);
	ej_add_strv(body, "Cmd", &s->cmd);
	ej_add_strv(body, "Entrypoint", &s->entrypoint);
	ej_add_strv(body, "Env", &s->env);
	ej_add_kv(body, "Labels", s->labels, s->n_labels);
	ej_add_str(body, "WorkingDir", s->working_dir);
	ej_add_str(body, "User", s->user);
	ej_add_str(body, "Hostname", s->hostname);
	ej_add_str(body, "Domainname", s->domainname);
	if (s->tty)
		cJSON_AddBoolToObject(body, "Tty", 1);
	if (s->open_stdin)
		cJSON_AddBoolToObject(body, "OpenStdin", 1);
	if (s->attach_stdin)
		cJSON_AddBoolToObject(body, "AttachStdin", 1);
	if (s->stdin_once)
		cJSON_AddBoolToObject(body, "StdinOnce", 1);
	ej_add_str(body, "StopSignal", s->stop_signal);
	if (s->stop_timeout >= 0)
		cJSON_AddNumberToObject(body, "StopTimeout", s->stop_timeout);
	add_healthcheck(body, &s->healthcheck);
	host_config(body, body, s);
	if (s->n_endpoints) {
		cJSON *eps = cJSON_AddObjectToObject(
			cJSON_AddObjectToObject(body, "NetworkingConfig"),
			"EndpointsConfig");

		for (size_t i = 0; i < s->n_endpoints; i++)
			cJSON_AddItemToObject(eps, s->endpoints[i].network,
					      ej_endpoint(&s->endpoints[i]));
	}
	add_fields(body, s);
	return body;
}

void engine_container_spec_init(struct engine_container_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->stop_timeout = -1;
	s->init = -1;
}

char *engine_container_spec_json(const struct engine_container_spec *spec)
{
	cJSON *j = container_body(spec);
	char *s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return s;
}

/* ---- Create, start, stop, kill, remove ---------------------------------- */

void engine_container_create_async(struct engine_loop *l,
				   struct engine *e,
				   const char *name,
				   const char *platform,
				   const struct engine_container_spec *spec,
				   engine_id_fn cb,
				   void *ud)
{
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	if (name) {
		sbuf_adds(&q, "?name=");
		eng_escape(&q, name);
	}
	r = ereq_new(l, e, "POST", false, "/containers/create%s", q.buf);
	/* The platform parameter came with API 1.41; known once negotiated. */
	if (platform && *platform) {
		sbuf_reset(&q);
		sbuf_adds(&q, "platform=");
		eng_escape(&q, platform);
		r->late_query = sbuf_detach(&q, NULL);
		r->late_major = 1;
		r->late_minor = 41;
	}
	sbuf_release(&q);
	ereq_body_json(r, container_body(spec));
	eng_call_id(r, "Id", cb, ud);
}

int engine_container_create(
	struct engine *e,
	const char *name,
	const char *platform,
	const struct engine_container_spec *spec,
	/* NOLINTNEXTLINE(readability-non-const-parameter) */
	char out_id[80],
	struct diag *err)
{
	struct eng_sync s = {.err = err, .out = out_id, .out_len = 80};

	engine_container_create_async(eng_own_loop(e), e, name, platform, spec,
				      eng_sync_id_cb, &s);
	return eng_sync_run(e, &s);
}

struct ereq *eng_id_req(struct engine_loop *l,
			struct engine *e,
			const char *method,
			const char *id,
			const char *action,
			const char *query)
{
	struct sbuf p = SBUF_INIT;
	struct ereq *r;

	eng_escape(&p, id);
	r = ereq_new(l, e, method, false, "/containers/%s%s%s", p.buf, action,
		     query);
	sbuf_release(&p);
	return r;
}

void engine_container_start_async(struct engine_loop *l,
				  struct engine *e,
				  const char *id,
				  engine_done_fn cb,
				  void *ud)
{
	eng_call_done(eng_id_req(l, e, "POST", id, "/start", ""), cb, ud);
}

static struct ereq *stop_req(struct engine_loop *l,
			     struct engine *e,
			     const char *id,
			     const char *action,
			     int timeout_s)
{
	char q[32] = "";
	struct ereq *r;

	if (timeout_s >= 0)
		snprintf(q, sizeof(q), "?t=%d", timeout_s);
	r = eng_id_req(l, e, "POST", id, action, q);
	/* The daemon answers only after the container stopped. */
	r->timeout_ms = e->request_timeout_ms +
			(timeout_s >= 0 ? timeout_s : 600) * 1000L;
	return r;
}

void engine_container_stop_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 int timeout_s,
				 engine_done_fn cb,
				 void *ud)
{
	eng_call_done(stop_req(l, e, id, "/stop", timeout_s), cb, ud);
}

void engine_container_restart_async(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    int timeout_s,
				    engine_done_fn cb,
				    void *ud)
{
	eng_call_done(stop_req(l, e, id, "/restart", timeout_s), cb, ud);
}

void engine_container_kill_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 const char *signal,
				 engine_done_fn cb,
				 void *ud)
{
	struct sbuf q = SBUF_INIT;

	if (signal) {
		sbuf_adds(&q, "?signal=");
		eng_escape(&q, signal);
	}
	eng_call_done(eng_id_req(l, e, "POST", id, "/kill", q.buf), cb, ud);
	sbuf_release(&q);
}

void engine_container_remove_async(struct engine_loop *l,
				   struct engine *e,
				   const char *id,
				   bool force,
				   bool volumes,
				   engine_done_fn cb,
				   void *ud)
{
	char q[32];

	snprintf(q, sizeof(q), "?force=%d&v=%d", force, volumes);
	eng_call_removed(eng_id_req(l, e, "DELETE", id, "", q), cb, ud);
}

int engine_container_start(struct engine *e, const char *id, struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_start_async(eng_own_loop(e), e, id, eng_sync_done_cb,
				     &s);
	return eng_sync_run(e, &s);
}

int engine_container_stop(struct engine *e,
			  const char *id,
			  int timeout_s,
			  struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_stop_async(eng_own_loop(e), e, id, timeout_s,
				    eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

int engine_container_restart(struct engine *e,
			     const char *id,
			     int timeout_s,
			     struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_restart_async(eng_own_loop(e), e, id, timeout_s,
				       eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

int engine_container_kill(struct engine *e,
			  const char *id,
			  const char *signal,
			  struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_kill_async(eng_own_loop(e), e, id, signal,
				    eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

int engine_container_remove(struct engine *e,
			    const char *id,
			    bool force,
			    bool volumes,
			    struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_remove_async(eng_own_loop(e), e, id, force, volumes,
				      eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

/* ---- Inspect and list --------------------------------------------------- */

static size_t parse_nets(struct engine_container_net **out,
			 struct arena *a,
			 const cJSON *nets)
{
	const cJSON *it;
	size_t n = 0;

	*out = NULL;
	if (!cJSON_IsObject(nets))
		return 0;
	*out = arena_calloc(a, (size_t)cJSON_GetArraySize(nets) + 1,
			    sizeof(**out));
	cJSON_ArrayForEach(it, nets) {
		struct engine_container_net *cn = &(*out)[n++];

		cn->network = arena_strdup(a, it->string);
		cn->network_id = ej_astr(a, it, "NetworkID");
		cn->ip_address = ej_astr(a, it, "IPAddress");
		cn->ipam_ipv4 =
			ej_astr(a, ej_obj(it, "IPAMConfig"), "IPv4Address");
		cn->ip_prefix_len = (int)ej_int(it, "IPPrefixLen", 0);
		cn->gateway = ej_astr(a, it, "Gateway");
		cn->mac_address = ej_astr(a, it, "MacAddress");
		ej_strv(&cn->aliases, a, ej_obj(it, "Aliases"));
	}
	return n;
}

static struct engine_container_info *parse_inspect(const cJSON *j)
{
	struct engine_container_info *ci = xcalloc(1, sizeof(*ci));
	struct arena *a = arena_new();
	const cJSON *state = ej_obj(j, "State"), *cfg = ej_obj(j, "Config");
	const char *name = ej_str(j, "Name");
	const char *health = ej_str(ej_obj(state, "Health"), "Status");
	struct engine_kv *labels;
	struct engine_container_net *nets;

	ci->arena = a;
	ci->id = ej_astr(a, j, "Id");
	ci->name = arena_strdup(a, name ? name + (*name == '/') : "");
	ci->image = ej_astr(a, cfg, "Image");
	ci->image_id = ej_astr(a, j, "Image");
	ci->status = ej_astr(a, state, "Status");
	ci->running = ej_bool(state, "Running");
	ci->exit_code = (int)ej_int(state, "ExitCode", 0);
	ci->error = ej_astr(a, state, "Error");
	ci->pid = (int)ej_int(state, "Pid", 0);
	ci->health = health ? arena_strdup(a, health) : NULL;
	ci->os = ej_astr(a, j, "Platform");
	ci->hostname = ej_astr(a, cfg, "Hostname");
	ci->tty = ej_bool(cfg, "Tty");
	ci->hosts_path = ej_astr(a, j, "HostsPath");
	ci->restart_count = (int)ej_int(j, "RestartCount", 0);
	ci->n_labels = ej_kv(&labels, a, ej_obj(cfg, "Labels"));
	ci->labels = labels;
	ci->n_networks = parse_nets(
		&nets, a, ej_obj(ej_obj(j, "NetworkSettings"), "Networks"));
	ci->networks = nets;
	return ci;
}

void engine_container_info_free(struct engine_container_info *ci)
{
	if (!ci)
		return;
	arena_free(ci->arena);
	free(ci);
}

const char *engine_container_label(const struct engine_container_info *ci,
				   const char *key)
{
	for (size_t i = 0; i < ci->n_labels; i++)
		if (!strcmp(ci->labels[i].key, key))
			return ci->labels[i].value;
	return NULL;
}

const char *engine_container_ip(const struct engine_container_info *ci,
				const char *network)
{
	for (size_t i = 0; i < ci->n_networks; i++)
		if (!strcmp(ci->networks[i].network, network))
			return ci->networks[i].ip_address;
	return NULL;
}

struct inspect_ctx {
	engine_container_fn cb;
	void *ud;
	struct engine_container_info **keep; /* sync: the caller owns it */
};

static void inspect_done(struct ereq *r, int rc, const struct diag *err)
{
	struct inspect_ctx *c = r->ctx;
	struct engine_container_info *ci = NULL;
	struct diag d = {0};
	cJSON *j = NULL;

	if (!rc) {
		j = eng_req_json(r, &d);
		if (j)
			ci = parse_inspect(j);
		else
			rc = d.code, err = &d;
	}
	if (c->keep && ci) {
		*c->keep = ci;
		ci = NULL;
	}
	c->cb(c->ud, rc, c->keep ? *c->keep : ci, rc ? err : NULL);
	engine_container_info_free(ci);
	cJSON_Delete(j);
	free(c);
}

static void inspect_start(struct engine_loop *l,
			  struct engine *e,
			  const char *id,
			  engine_container_fn cb,
			  void *ud,
			  struct engine_container_info **keep)
{
	struct inspect_ctx *c = xcalloc(1, sizeof(*c));

	c->cb = cb;
	c->ud = ud;
	c->keep = keep;
	ereq_start(eng_id_req(l, e, "GET", id, "/json", ""), inspect_done, c);
}

void engine_container_inspect_async(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    engine_container_fn cb,
				    void *ud)
{
	inspect_start(l, e, id, cb, ud, NULL);
}

static void sync_inspect_cb(void *ud,
			    int rc,
			    const struct engine_container_info *ci,
			    const struct diag *err)
{
	(void)ci;
	eng_sync_done_cb(ud, rc, err);
}

int engine_container_inspect(struct engine *e,
			     const char *id,
			     struct engine_container_info **out,
			     struct diag *err)
{
	struct eng_sync s = {.err = err};

	*out = NULL;
	inspect_start(eng_own_loop(e), e, id, sync_inspect_cb, &s, out);
	return eng_sync_run(e, &s);
}

static void parse_volume_mounts(struct engine_container_summary *cs,
				struct arena *a,
				const cJSON *mounts)
{
	struct engine_volume_mount *v = arena_calloc(
		a, (size_t)cJSON_GetArraySize(mounts) + 1, sizeof(*v));
	const cJSON *m;
	size_t n = 0;

	cJSON_ArrayForEach(m, mounts) {
		const char *type = ej_str(m, "Type");

		if (!type || strcmp(type, "volume") || !ej_str(m, "Name") ||
		    !ej_str(m, "Destination"))
			continue;
		v[n].name = ej_astr(a, m, "Name");
		v[n++].target = ej_astr(a, m, "Destination");
	}
	cs->volume_mounts = v;
	cs->n_volume_mounts = n;
}

static void parse_summary(struct engine_container_summary *cs,
			  struct arena *a,
			  const cJSON *it)
{
	const cJSON *ports = ej_obj(it, "Ports"), *p;
	struct engine_kv *labels;
	struct engine_container_net *nets;
	struct engine_port *pv;
	size_t n = 0;

	cs->id = ej_astr(a, it, "Id");
	ej_strv(&cs->names, a, ej_obj(it, "Names"));
	for (size_t i = 0; i < cs->names.n; i++)
		if (cs->names.v[i][0] == '/')
			((const char **)cs->names.v)[i]++;
	cs->image = ej_astr(a, it, "Image");
	cs->state = ej_astr(a, it, "State");
	cs->status = ej_astr(a, it, "Status");
	cs->n_labels = ej_kv(&labels, a, ej_obj(it, "Labels"));
	cs->labels = labels;
	pv = arena_calloc(a, (size_t)cJSON_GetArraySize(ports) + 1,
			  sizeof(*pv));
	cJSON_ArrayForEach(p, ports) {
		pv[n].ip = ej_astr(a, p, "IP");
		pv[n].private_port = (unsigned)ej_int(p, "PrivatePort", 0);
		pv[n].public_port = (unsigned)ej_int(p, "PublicPort", 0);
		pv[n].type = ej_astr(a, p, "Type");
		n++;
	}
	cs->ports = pv;
	cs->n_ports = n;
	cs->n_networks = parse_nets(
		&nets, a, ej_obj(ej_obj(it, "NetworkSettings"), "Networks"));
	cs->networks = nets;
	cs->command = ej_astr(a, it, "Command");
	parse_volume_mounts(cs, a, ej_obj(it, "Mounts"));
}

struct list_ctx {
	engine_list_fn cb;
	void *ud;
	struct engine_container_list **keep;
};

static void list_done(struct ereq *r, int rc, const struct diag *err)
{
	struct list_ctx *c = r->ctx;
	struct engine_container_list *cl = NULL;
	struct diag d = {0};
	const cJSON *it;
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (j) {
		cl = xcalloc(1, sizeof(*cl));
		cl->arena = arena_new();
		cl->items = arena_calloc(cl->arena,
					 (size_t)cJSON_GetArraySize(j) + 1,
					 sizeof(*cl->items));
		cJSON_ArrayForEach(it, j)
			parse_summary(&cl->items[cl->n++], cl->arena, it);
	}
	if (c->keep && cl) {
		*c->keep = cl;
		cl = NULL;
	}
	c->cb(c->ud, rc, c->keep ? *c->keep : cl, rc ? err : NULL);
	engine_container_list_free(cl);
	cJSON_Delete(j);
	free(c);
}

static void list_start(struct engine_loop *l,
		       struct engine *e,
		       const struct engine_filters *filters,
		       engine_list_fn cb,
		       void *ud,
		       struct engine_container_list **keep)
{
	struct list_ctx *c = xcalloc(1, sizeof(*c));
	struct sbuf q = SBUF_INIT;

	c->cb = cb;
	c->ud = ud;
	c->keep = keep;
	eng_filters_query(&q, '&', filters);
	ereq_start(
		ereq_new(l, e, "GET", false, "/containers/json?all=1%s", q.buf),
		list_done, c);
	sbuf_release(&q);
}

void engine_container_list_async(struct engine_loop *l,
				 struct engine *e,
				 const struct engine_filters *filters,
				 engine_list_fn cb,
				 void *ud)
{
	list_start(l, e, filters, cb, ud, NULL);
}

void engine_container_list_free(struct engine_container_list *cl)
{
	if (!cl)
		return;
	arena_free(cl->arena);
	free(cl);
}

static void sync_list_cb(void *ud,
			 int rc,
			 const struct engine_container_list *cl,
			 const struct diag *err)
{
	(void)cl;
	eng_sync_done_cb(ud, rc, err);
}

int engine_container_list(struct engine *e,
			  const struct engine_filters *filters,
			  struct engine_container_list **out,
			  struct diag *err)
{
	struct eng_sync s = {.err = err};

	*out = NULL;
	list_start(eng_own_loop(e), e, filters, sync_list_cb, &s, out);
	return eng_sync_run(e, &s);
}

/* ---- Wait and logs ------------------------------------------------------ */

struct exit_ctx {
	engine_exit_fn cb;
	void *ud;
};

static void wait_done(struct ereq *r, int rc, const struct diag *err)
{
	struct exit_ctx *c = r->ctx;
	struct diag d = {0};
	int code = -1;
	cJSON *j = NULL;

	if (!rc) {
		j = eng_req_json(r, &d);
		if (!j) {
			rc = d.code;
			err = &d;
		} else {
			const char *msg = ej_str(ej_obj(j, "Error"), "Message");

			code = (int)ej_int(j, "StatusCode", -1);
			if (msg && *msg) {
				rc = eng_req_error(r, &d, DIAG_EENGINE, "%s",
						   msg);
				err = &d;
			}
		}
	}
	c->cb(c->ud, rc, code, NULL, 0, rc ? err : NULL);
	cJSON_Delete(j);
	free(c);
}

struct ereq *eng_container_wait_req(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    const char *condition,
				    engine_exit_fn cb,
				    void *ud)
{
	struct exit_ctx *c = xcalloc(1, sizeof(*c));
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	c->cb = cb;
	c->ud = ud;
	sbuf_adds(&q, "?condition=");
	eng_escape(&q, condition ? condition : "not-running");
	r = eng_id_req(l, e, "POST", id, "/wait", q.buf);
	sbuf_release(&q);
	r->timeout_ms = 0;
	r->stream = true; /* no request timeout: it returns when it exits */
	ereq_start(r, wait_done, c);
	return r;
}

void engine_container_wait_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 const char *condition,
				 engine_exit_fn cb,
				 void *ud)
{
	eng_container_wait_req(l, e, id, condition, cb, ud);
}

static void sync_exit_cb(void *ud,
			 int rc,
			 int exit_code,
			 const char *output,
			 size_t len,
			 const struct diag *err)
{
	struct eng_sync *s = ud;

	s->exit_code = exit_code;
	if (!rc && s->out)
		*(char **)s->out = output ? xstrndup(output, len) : xstrdup("");
	eng_sync_done_cb(ud, rc, err);
}

int engine_container_wait(struct engine *e,
			  const char *id,
			  const char *condition,
			  int *out_exit,
			  struct diag *err)
{
	struct eng_sync s = {.err = err};
	int rc;

	engine_container_wait_async(eng_own_loop(e), e, id, condition,
				    sync_exit_cb, &s);
	rc = eng_sync_run(e, &s);
	if (out_exit)
		*out_exit = s.exit_code;
	return rc;
}

struct logs_ctx {
	struct engine_demux dm;
	engine_done_fn cb;
	void *ud;
};

static int logs_data(struct ereq *r, const char *p, size_t n)
{
	struct logs_ctx *c = r->ctx;

	return engine_demux_feed(&c->dm, p, n);
}

static void logs_done(struct ereq *r, int rc, const struct diag *err)
{
	struct logs_ctx *c = r->ctx;

	c->cb(c->ud, rc, err);
	free(c);
}

void engine_container_logs_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 const struct engine_logs_opts *o,
				 engine_output_fn out,
				 void *out_ud,
				 engine_done_fn cb,
				 void *ud)
{
	struct logs_ctx *c = xcalloc(1, sizeof(*c));
	bool both = !o->stdout_ && !o->stderr_;
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	engine_demux_init(&c->dm, o->tty, out, out_ud);
	c->cb = cb;
	c->ud = ud;
	sbuf_addf(&q, "?stdout=%d&stderr=%d&follow=%d&timestamps=%d",
		  both || o->stdout_, both || o->stderr_, o->follow,
		  o->timestamps);
	if (o->tail) {
		sbuf_adds(&q, "&tail=");
		eng_escape(&q, o->tail);
	}
	if (o->since) {
		sbuf_adds(&q, "&since=");
		eng_escape(&q, o->since);
	}
	if (o->until) {
		sbuf_adds(&q, "&until=");
		eng_escape(&q, o->until);
	}
	r = eng_id_req(l, e, "GET", id, "/logs", q.buf);
	sbuf_release(&q);
	r->stream = o->follow;
	r->on_data = logs_data;
	ereq_start(r, logs_done, c);
}

int engine_container_logs(struct engine *e,
			  const char *id,
			  const struct engine_logs_opts *opts,
			  engine_output_fn out,
			  void *ud,
			  struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_logs_async(eng_own_loop(e), e, id, opts, out, ud,
				    eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

/* ---- Pause, unpause, top ------------------------------------------------ */

void engine_container_pause_async(struct engine_loop *l,
				  struct engine *e,
				  const char *id,
				  engine_done_fn cb,
				  void *ud)
{
	eng_call_done(eng_id_req(l, e, "POST", id, "/pause", ""), cb, ud);
}

void engine_container_unpause_async(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    engine_done_fn cb,
				    void *ud)
{
	eng_call_done(eng_id_req(l, e, "POST", id, "/unpause", ""), cb, ud);
}

int engine_container_pause(struct engine *e, const char *id, struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_pause_async(eng_own_loop(e), e, id, eng_sync_done_cb,
				     &s);
	return eng_sync_run(e, &s);
}

int engine_container_unpause(struct engine *e, const char *id, struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_unpause_async(eng_own_loop(e), e, id, eng_sync_done_cb,
				       &s);
	return eng_sync_run(e, &s);
}

struct top_ctx {
	engine_top_fn cb;
	void *ud;
};

/* Titles and Processes; a reply without Titles is not a process table. */
static struct engine_top *parse_top(const cJSON *j, struct diag *err)
{
	const cJSON *titles = ej_obj(j, "Titles");
	const cJSON *procs = ej_obj(j, "Processes");
	struct engine_top *t;
	const cJSON *row;

	if (!cJSON_IsArray(titles)) {
		diag_set(err, DIAG_EENGINE, NULL, "no Titles in the reply");
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->arena = arena_new();
	ej_strv(&t->titles, t->arena, titles);
	t->processes =
		arena_calloc(t->arena, (size_t)cJSON_GetArraySize(procs) + 1,
			     sizeof(*t->processes));
	cJSON_ArrayForEach(row, procs)
		ej_strv(&t->processes[t->n_processes++], t->arena, row);
	return t;
}

static void top_done(struct ereq *r, int rc, const struct diag *err)
{
	struct top_ctx *c = r->ctx;
	struct engine_top *t = NULL;
	struct diag d = {0};
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (j && !(t = parse_top(j, &d))) {
		struct diag why = d;

		rc = eng_req_error(r, &d, DIAG_EENGINE, "%ld: %s", r->status,
				   why.msg);
		err = &d;
	}
	cJSON_Delete(j);
	c->cb(c->ud, rc, t, rc ? err : NULL);
	free(c);
}

void engine_container_top_async(struct engine_loop *l,
				struct engine *e,
				const char *id,
				engine_top_fn cb,
				void *ud)
{
	struct top_ctx *c = xcalloc(1, sizeof(*c));

	c->cb = cb;
	c->ud = ud;
	/* No ps_args: a Windows daemon refuses them. */
	ereq_start(eng_id_req(l, e, "GET", id, "/top", ""), top_done, c);
}

void engine_top_free(struct engine_top *t)
{
	if (!t)
		return;
	arena_free(t->arena);
	free(t);
}

static void
sync_top_cb(void *ud, int rc, struct engine_top *t, const struct diag *err)
{
	struct eng_sync *s = ud;

	*(struct engine_top **)s->out = t;
	eng_sync_done_cb(ud, rc, err);
}

int engine_container_top(struct engine *e,
			 const char *id,
			 struct engine_top **out,
			 struct diag *err)
{
	struct eng_sync s = {.err = err, .out = out};

	*out = NULL;
	engine_container_top_async(eng_own_loop(e), e, id, sync_top_cb, &s);
	return eng_sync_run(e, &s);
}
