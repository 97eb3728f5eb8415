/*
 * translate/kube.c: the project as Kubernetes manifests.  Per service a
 * Deployment and a headless Service (cluster DNS then resolves the service
 * name to its pods' addresses, on every port, as compose's DNS does), a
 * LoadBalancer Service for published ports, a headless Service per network
 * alias; ConfigMaps and Secrets from configs, secrets and read-only binds
 * of files; a PersistentVolumeClaim per named volume.
 */
#include "translate/translate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define K8S_NAME "app.kubernetes.io/name"
#define K8S_PART "app.kubernetes.io/part-of"
/* What compose's named volumes become: a claim of this size. */
#define K8S_CLAIM_SIZE "1Gi"

static struct compose_node *
k_object(struct tr *t, const char *api, const char *kind, const char *name)
{
	struct compose_node *o = tr_map(t), *meta = tr_map(t);

	tr_puts(t, o, "apiVersion", api);
	tr_puts(t, o, "kind", kind);
	tr_puts(t, meta, "name", name);
	if (t->o->k8s_namespace)
		tr_puts(t, meta, "namespace", t->o->k8s_namespace);
	tr_put(t, o, "metadata", meta);
	return o;
}

static struct compose_node *k_labels(struct tr *t, const char *svc)
{
	struct compose_node *m = tr_map(t);

	tr_puts(t, m, K8S_NAME, tr_dns_name(t, svc));
	tr_puts(t, m, K8S_PART, tr_dns_name(t, t->p->name));
	return m;
}

static const char *k_base64(struct tr *t, const char *s, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = arena_alloc(t->a, (len + 2) / 3 * 4 + 1);
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* A ConfigMap or Secret key: [-._a-zA-Z0-9]+. */
static const char *k_data_key(struct tr *t, const char *s)
{
	char *k = arena_strdup(t->a, *s ? s : "data");

	for (char *c = k; *c; c++)
		if (!(*c == '-' || *c == '.' || *c == '_' ||
		      (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			*c = '_';
	return k;
}

/* A ConfigMap (secret false) or Secret holding one key. */
static void k_data_object(struct tr *t,
			  const char *name,
			  const char *key,
			  const char *data,
			  size_t len,
			  bool secret)
{
	struct compose_node *o = k_object(t, "v1",
					  secret ? "Secret" : "ConfigMap", name);
	struct compose_node *d = tr_map(t);
	bool binary = false;

	for (size_t i = 0; i < len; i++)
		binary = binary || (unsigned char)data[i] < 0x09;
	if (secret || binary)
		tr_puts(t, d, key, k_base64(t, data, len));
	else
		tr_puts(t, d, key, data);
	if (secret)
		tr_puts(t, o, "type", "Opaque");
	tr_put(t, o, secret || binary ? (secret ? "data" : "binaryData")
				      : "data",
	       d);
	tr_add_doc(t, o);
}

/* The pod's volumes and the container's mounts, built side by side. */
struct k_pod {
	struct compose_node *volumes;
	struct compose_node *mounts;
	const struct compose_service *s;
	size_t n;
};

static void k_mount(struct tr *t,
		    struct k_pod *kp,
		    struct compose_node *vol,
		    const char *target,
		    const char *sub,
		    bool ro)
{
	struct compose_node *m = tr_map(t);
	const char *name = arena_sprintf(t->a, "v%zu", kp->n++);

	tr_puts(t, vol, "name", name);
	/* "name" first reads better: put it at the front. */
	if (vol->n > 1) {
		struct compose_pair last = vol->pairs[vol->n - 1];

		memmove(vol->pairs + 1, vol->pairs,
			(vol->n - 1) * sizeof(*vol->pairs));
		vol->pairs[0] = last;
	}
	tr_push(t, kp->volumes, vol);
	tr_puts(t, m, "name", name);
	tr_puts(t, m, "mountPath", target);
	if (sub)
		tr_puts(t, m, "subPath", sub);
	if (ro)
		tr_put(t, m, "readOnly", tr_bool(t, true));
	tr_push(t, kp->mounts, m);
}

static void k_mount_ref(struct tr *t,
			struct k_pod *kp,
			const char *kind,
			const char *objkey,
			const char *objname,
			const char *target,
			const char *key)
{
	struct compose_node *vol = tr_map(t), *src = tr_map(t);

	tr_puts(t, src, objkey, objname);
	tr_put(t, vol, kind, src);
	k_mount(t, kp, vol, target, key, true);
}

static bool k_bind_file(struct tr *t,
			struct k_pod *kp,
			const struct compose_mount *m)
{
	size_t len;
	const char *data, *name, *key;

	if (!m->read_only || !m->source || !t->o->read_file)
		return false;
	data = t->o->read_file(t->o->userdata, t->a, m->source, &len);
	if (!data)
		return false;
	name = tr_dns_name(t, arena_sprintf(t->a, "%s-%s", kp->s->name,
					    tr_basename(m->source)));
	key = k_data_key(t, tr_basename(m->source));
	k_data_object(t, name, key, data, len, false);
	k_mount_ref(t, kp, "configMap", "name", name, m->target, key);
	return true;
}

static void k_volume(struct tr *t, struct k_pod *kp, size_t i)
{
	const struct compose_service *s = kp->s;
	const struct compose_mount *m = &s->volumes[i];
	const char *path =
		arena_sprintf(t->a, "services.%s.volumes[%zu]", s->name, i);
	struct compose_node *vol = tr_map(t), *src = tr_map(t);
	const struct compose_volume *cv;

	switch (m->type) {
	case COMPOSE_MOUNT_VOLUME:
		if (!m->source) {
			tr_put(t, vol, "emptyDir", src);
			break;
		}
		cv = NULL;
		for (size_t k = 0; k < t->p->n_volumes; k++)
			if (!strcmp(t->p->volumes[k].key, m->source))
				cv = &t->p->volumes[k];
		tr_puts(t, src, "claimName",
			tr_dns_name(t, cv ? cv->name : m->source));
		tr_put(t, vol, "persistentVolumeClaim", src);
		break;
	case COMPOSE_MOUNT_TMPFS:
		tr_puts(t, src, "medium", "Memory");
		tr_put(t, vol, "emptyDir", src);
		break;
	case COMPOSE_MOUNT_BIND:
		if (k_bind_file(t, kp, m))
			return;
		tr_note(t, &m->loc, path,
			"bind of '%s': only a read-only bind of a file is "
			"carried (as a ConfigMap)",
			m->source);
		return;
	default:
		tr_note(t, &m->loc, path,
			"a named pipe or cluster volume has no pod volume");
		return;
	}
	k_mount(t, kp, vol, m->target, NULL, m->read_only);
}

/*
 * A service's configs or secrets: each reference mounts one key of the
 * object its top-level entry became (k_objects made them).
 */
static void k_refs(struct tr *t, struct k_pod *kp, bool secret)
{
	const char *kind = secret ? "secrets" : "configs";
	const struct compose_node *refs = compose_map_get(kp->s->node, kind);
	const struct compose_node *top = compose_map_get(t->p->doc, kind);

	for (size_t i = 0; refs && refs->kind == COMPOSE_NODE_SEQ &&
			   i < refs->n;
	     i++) {
		const struct compose_node *r = refs->items[i];
		const struct compose_node *src =
			r->kind == COMPOSE_NODE_SCALAR
				? r
				: compose_map_get(r, "source");
		const struct compose_node *tgt =
			r->kind == COMPOSE_NODE_MAP ? compose_map_get(r, "target")
						    : NULL;
		const struct compose_node *def, *ext, *nm;
		const char *target, *obj;

		if (!src || src->kind != COMPOSE_NODE_SCALAR)
			continue;
		def = compose_map_get(top, src->str);
		ext = compose_map_get(def, "external");
		nm = compose_map_get(def, "name");
		obj = tr_dns_name(t, ext && nm ? nm->str
				       : ext ? src->str
					     : arena_sprintf(t->a, "%s-%s",
							     t->p->name,
							     src->str));
		if (tgt && tgt->kind == COMPOSE_NODE_SCALAR)
			target = tgt->str[0] == '/' ||
					 (tgt->len > 1 && tgt->str[1] == ':')
					 ? tgt->str
				 : secret ? arena_sprintf(t->a, "/run/secrets/%s",
							  tgt->str)
					  : arena_sprintf(t->a, "/%s", tgt->str);
		else
			target = secret ? arena_sprintf(t->a, "/run/secrets/%s",
							src->str)
					: arena_sprintf(t->a, "/%s", src->str);
		k_mount_ref(t, kp, secret ? "secret" : "configMap",
			    secret ? "secretName" : "name", obj, target,
			    k_data_key(t, src->str));
	}
}

/* Top-level configs and secrets: one object each, keyed by its name. */
static void k_objects(struct tr *t, bool secret)
{
	const char *kind = secret ? "secrets" : "configs";
	const struct compose_node *top = compose_map_get(t->p->doc, kind);

	for (size_t i = 0; top && top->kind == COMPOSE_NODE_MAP && i < top->n;
	     i++) {
		const char *key = top->pairs[i].key->str;
		const struct compose_node *d = top->pairs[i].value;
		const struct compose_node *f = compose_map_get(d, "file");
		const struct compose_node *c = compose_map_get(d, "content");
		const struct compose_node *e = compose_map_get(d, "environment");
		const char *path = arena_sprintf(t->a, "%s.%s", kind, key);
		const char *data = NULL;
		size_t len = 0;

		if (compose_map_get(d, "external"))
			continue; /* made by whoever owns it */
		if (f && f->kind == COMPOSE_NODE_SCALAR && t->o->read_file)
			data = t->o->read_file(
				t->o->userdata, t->a,
				f->str[0] == '/'
					? f->str
					: arena_sprintf(t->a, "%s/%s",
							t->p->working_dir,
							f->str),
				&len);
		else if (c && c->kind == COMPOSE_NODE_SCALAR)
			data = c->str, len = c->len;
		else if (e && e->kind == COMPOSE_NODE_SCALAR &&
			 (data = compose_env_get(t->p->env, e->str)))
			len = strlen(data);
		if (!data) {
			tr_note(t, COMPOSE_NODE_LOC(top->pairs[i].key), path,
				"its content could not be read");
			continue;
		}
		k_data_object(t,
			      tr_dns_name(t, arena_sprintf(t->a, "%s-%s",
							   t->p->name, key)),
			      k_data_key(t, key), data, len, secret);
	}
}

static struct compose_node *k_probe(struct tr *t,
				    const struct compose_service *s,
				    const char *os)
{
	const struct compose_healthcheck *h = &s->healthcheck;
	struct compose_node *p, *cmd;

	if (!h->present || h->disable || !h->test.n ||
	    !strcmp(h->test.v[0], "NONE"))
		return NULL;
	p = tr_map(t);
	cmd = tr_seq(t);
	if (!strcmp(h->test.v[0], "CMD-SHELL") && h->test.n > 1) {
		bool win = os && !strcmp(os, "windows");

		tr_pushs(t, cmd, win ? "cmd" : "sh");
		if (win)
			tr_pushs(t, cmd, "/S");
		tr_pushs(t, cmd, win ? "/C" : "-c");
		tr_pushs(t, cmd, h->test.v[1]);
	} else {
		for (size_t i = 1; i < h->test.n; i++)
			tr_pushs(t, cmd, h->test.v[i]);
	}
	tr_put(t, tr_sub(t, p, "exec"), "command", cmd);
	if (h->start_period_ns >= 0)
		tr_put(t, p, "initialDelaySeconds",
		       tr_int(t, h->start_period_ns / 1000000000LL));
	if (h->interval_ns >= 0)
		tr_put(t, p, "periodSeconds",
		       tr_int(t, tr_seconds(h->interval_ns)));
	if (h->timeout_ns >= 0)
		tr_put(t, p, "timeoutSeconds",
		       tr_int(t, tr_seconds(h->timeout_ns)));
	if (h->retries >= 0)
		tr_put(t, p, "failureThreshold", tr_int(t, h->retries));
	return p;
}

static const char *k_proto(const char *p)
{
	if (p && !strcmp(p, "udp"))
		return "UDP";
	if (p && !strcmp(p, "sctp"))
		return "SCTP";
	return "TCP";
}

/* The container's ports: every target and every single exposed port. */
static struct compose_node *k_container_ports(struct tr *t,
					      const struct compose_service *s)
{
	struct compose_node *seq = tr_seq(t);

	for (size_t i = 0; i < s->n_ports; i++) {
		struct compose_node *m = tr_map(t);

		tr_put(t, m, "containerPort", tr_int(t, s->ports[i].target));
		tr_puts(t, m, "protocol", k_proto(s->ports[i].protocol));
		tr_push(t, seq, m);
	}
	for (size_t i = 0; i < s->expose.n; i++) {
		char *end;
		long v = strtol(s->expose.v[i], &end, 10);
		struct compose_node *m;

		if (v <= 0 || v > 65535 || (*end && *end != '/')) {
			struct diag_loc loc = tr_key_loc(s, "expose");

			tr_note(t, &loc,
				arena_sprintf(t->a, "services.%s.expose[%zu]",
					      s->name, i),
				"'%s': a container port is one number",
				s->expose.v[i]);
			continue;
		}
		m = tr_map(t);
		tr_put(t, m, "containerPort", tr_int(t, v));
		tr_puts(t, m, "protocol", k_proto(*end ? end + 1 : NULL));
		tr_push(t, seq, m);
	}
	return seq;
}

static void k_security(struct tr *t,
		       struct compose_node *c,
		       const struct compose_service *s,
		       const char *os)
{
	struct compose_node *sc = tr_map(t);
	bool win = os && !strcmp(os, "windows");

	if (s->user && win) {
		tr_puts(t, tr_sub(t, sc, "windowsOptions"), "runAsUserName",
			s->user);
	} else if (s->user) {
		char *end;
		long uid = strtol(s->user, &end, 10);
		struct diag_loc loc = tr_key_loc(s, "user");

		if (end != s->user && (!*end || *end == ':')) {
			tr_put(t, sc, "runAsUser", tr_int(t, uid));
			if (*end == ':' && end[1])
				tr_put(t, sc, "runAsGroup",
				       tr_int(t, strtol(end + 1, NULL, 10)));
		} else {
			tr_note(t, &loc,
				arena_sprintf(t->a, "services.%s.user",
					      s->name),
				"'%s': runAsUser takes a numeric id", s->user);
		}
	}
	if (!win) {
		if (s->privileged)
			tr_put(t, sc, "privileged", tr_bool(t, true));
		if (s->read_only)
			tr_put(t, sc, "readOnlyRootFilesystem",
			       tr_bool(t, true));
		if (s->cap_add.n)
			tr_put(t, tr_sub(t, sc, "capabilities"), "add",
			       tr_strv(t, &s->cap_add));
		if (s->cap_drop.n)
			tr_put(t, tr_sub(t, sc, "capabilities"), "drop",
			       tr_strv(t, &s->cap_drop));
	} else if (s->privileged || s->read_only || s->cap_add.n ||
		   s->cap_drop.n) {
		struct diag_loc loc = s->loc;

		tr_note(t, &loc, arena_sprintf(t->a, "services.%s", s->name),
			"privileged, read_only, cap_add and cap_drop: "
			"Windows pods have none of them");
	}
	if (sc->n)
		tr_put(t, c, "securityContext", sc);
}

static struct compose_node *k_env(struct tr *t, const struct compose_service *s)
{
	struct compose_node *seq = tr_seq(t);

	for (size_t i = 0; i < s->n_environment; i++) {
		const struct compose_kv *kv = &s->environment[i];
		struct compose_node *m;

		if (!kv->value) {
			tr_note(t, &kv->loc,
				arena_sprintf(t->a, "services.%s.environment.%s",
					      s->name, kv->key),
				"it has no value (unset when loaded)");
			continue;
		}
		m = tr_map(t);
		tr_puts(t, m, "name", kv->key);
		tr_puts(t, m, "value", kv->value);
		tr_push(t, seq, m);
	}
	return seq;
}

static const char *k_pull(const char *p)
{
	if (!p)
		return NULL;
	if (!strcmp(p, "always"))
		return "Always";
	if (!strcmp(p, "never"))
		return "Never";
	return "IfNotPresent";
}

static struct compose_node *
k_container(struct tr *t, struct k_pod *kp, const char *os)
{
	const struct compose_service *s = kp->s;
	struct compose_node *c = tr_map(t), *v;

	tr_puts(t, c, "name", tr_dns_name(t, s->name));
	tr_puts(t, c, "image", s->image);
	tr_puts(t, c, "imagePullPolicy", k_pull(s->pull_policy));
	if (s->entrypoint.v)
		tr_put(t, c, "command", tr_strv(t, &s->entrypoint));
	if (s->command.v)
		tr_put(t, c, "args", tr_strv(t, &s->command));
	tr_puts(t, c, "workingDir", s->working_dir);
	if ((v = k_env(t, s))->n)
		tr_put(t, c, "env", v);
	if ((v = k_container_ports(t, s))->n)
		tr_put(t, c, "ports", v);
	if ((v = k_probe(t, s, os)))
		tr_put(t, c, "readinessProbe", v);
	k_security(t, c, s, os);
	if (s->tty)
		tr_put(t, c, "tty", tr_bool(t, true));
	if (s->stdin_open)
		tr_put(t, c, "stdin", tr_bool(t, true));
	for (size_t i = 0; i < s->n_volumes; i++)
		k_volume(t, kp, i);
	k_refs(t, kp, false);
	k_refs(t, kp, true);
	if (kp->mounts->n)
		tr_put(t, c, "volumeMounts", kp->mounts);
	return c;
}

/* spec.os, the node selector and the toleration of the Windows taint. */
static void k_os(struct tr *t, struct compose_node *spec, const char *os)
{
	struct compose_node *tol, *seq;

	if (!os)
		return;
	tr_puts(t, tr_sub(t, spec, "os"), "name", os);
	tr_puts(t, tr_sub(t, spec, "nodeSelector"), "kubernetes.io/os", os);
	if (strcmp(os, "windows"))
		return;
	/* AKS and GKE taint their Windows nodes os=windows:NoSchedule. */
	seq = tr_seq(t);
	tol = tr_map(t);
	tr_puts(t, tol, "key", "os");
	tr_puts(t, tol, "operator", "Equal");
	tr_puts(t, tol, "value", "windows");
	tr_puts(t, tol, "effect", "NoSchedule");
	tr_push(t, seq, tol);
	tr_put(t, spec, "tolerations", seq);
}

static void k_pod_extras(struct tr *t,
			 struct compose_node *spec,
			 const struct compose_service *s)
{
	if (s->hostname)
		tr_puts(t, spec, "hostname", tr_dns_name(t, s->hostname));
	if (s->domainname)
		tr_puts(t, spec, "subdomain", tr_dns_name(t, s->domainname));
	if (s->stop_grace_period_ns >= 0)
		tr_put(t, spec, "terminationGracePeriodSeconds",
		       tr_int(t, s->stop_grace_period_ns / 1000000000LL));
	if (s->dns.n)
		tr_put(t, tr_sub(t, spec, "dnsConfig"), "nameservers",
		       tr_strv(t, &s->dns));
	if (s->dns_search.n)
		tr_put(t, tr_sub(t, spec, "dnsConfig"), "searches",
		       tr_strv(t, &s->dns_search));
	if (s->n_extra_hosts) {
		struct compose_node *seq = tr_seq(t);

		for (size_t i = 0; i < s->n_extra_hosts; i++) {
			struct compose_node *m = tr_map(t), *names = tr_seq(t);

			tr_puts(t, m, "ip", s->extra_hosts[i].value);
			tr_pushs(t, names, s->extra_hosts[i].key);
			tr_put(t, m, "hostnames", names);
			tr_push(t, seq, m);
		}
		tr_put(t, spec, "hostAliases", seq);
	}
	if (s->restart && strcmp(s->restart, "always") &&
	    strcmp(s->restart, "unless-stopped")) {
		struct diag_loc loc = tr_key_loc(s, "restart");

		tr_note(t, &loc, arena_sprintf(t->a, "services.%s.restart",
					       s->name),
			"'%s': a Deployment always restarts its pods",
			s->restart);
	}
}

static void k_deployment(struct tr *t, size_t i)
{
	const struct compose_service *s = &t->p->services[i];
	const char *name = tr_dns_name(t, s->name);
	struct compose_node *d = k_object(t, "apps/v1", "Deployment", name);
	struct compose_node *spec = tr_map(t), *tpl = tr_map(t), *meta;
	struct compose_node *pspec = tr_map(t), *cs = tr_seq(t);
	struct k_pod kp = {tr_seq(t), tr_seq(t), s, 0};

	tr_put(t, compose_map_get(d, "metadata"), "labels", k_labels(t, s->name));
	tr_put(t, spec, "replicas", tr_int(t, s->scale));
	tr_put(t, tr_sub(t, spec, "selector"), "matchLabels",
	       k_labels(t, s->name));
	meta = tr_sub(t, tpl, "metadata");
	tr_put(t, meta, "labels", k_labels(t, s->name));
	if (s->n_labels) {
		struct compose_node *ann = tr_map(t);

		/* Pods carry no container labels: annotations hold them. */
		for (size_t k = 0; k < s->n_labels; k++)
			tr_puts(t, ann, s->labels[k].key,
				s->labels[k].value ? s->labels[k].value : "");
		tr_put(t, meta, "annotations", ann);
	}
	k_os(t, pspec, t->os[i]);
	k_pod_extras(t, pspec, s);
	tr_push(t, cs, k_container(t, &kp, t->os[i]));
	tr_put(t, pspec, "containers", cs);
	if (kp.volumes->n)
		tr_put(t, pspec, "volumes", kp.volumes);
	tr_put(t, tpl, "spec", pspec);
	tr_put(t, spec, "template", tpl);
	tr_put(t, d, "spec", spec);
	tr_add_doc(t, d);
}

/*
 * A headless Service (clusterIP: None): the name resolves to the pods'
 * own addresses, every port open, as a compose service name does.
 */
static void k_headless(struct tr *t,
		       const struct compose_service *s,
		       const char *name)
{
	struct compose_node *o = k_object(t, "v1", "Service", name);
	struct compose_node *spec = tr_map(t), *ports = tr_seq(t);
	struct compose_node *cp = k_container_ports(t, s);

	tr_put(t, compose_map_get(o, "metadata"), "labels",
	       k_labels(t, s->name));
	tr_puts(t, spec, "clusterIP", "None");
	tr_put(t, spec, "selector", k_labels(t, s->name));
	for (size_t i = 0; i < cp->n; i++) {
		struct compose_node *m = tr_map(t);
		const struct compose_node *port =
			compose_map_get(cp->items[i], "containerPort");
		const struct compose_node *proto =
			compose_map_get(cp->items[i], "protocol");
		bool dup = false;

		for (size_t k = 0; k < i; k++)
			dup = dup ||
			      (!strcmp(compose_map_get(cp->items[k],
						       "containerPort")
						       ->str,
				       port->str) &&
			       !strcmp(compose_map_get(cp->items[k], "protocol")
					       ->str,
				       proto->str));
		if (dup)
			continue;
		tr_puts(t, m, "name",
			arena_sprintf(t->a, "p%s-%s", port->str,
				      tr_dns_name(t, proto->str)));
		tr_put(t, m, "port", compose_node_clone(t->a, port));
		tr_put(t, m, "protocol", compose_node_clone(t->a, proto));
		tr_push(t, ports, m);
	}
	if (ports->n)
		tr_put(t, spec, "ports", ports);
	tr_put(t, o, "spec", spec);
	tr_add_doc(t, o);
}

/* Published ports: a LoadBalancer Service <name>-published. */
static void k_published(struct tr *t, const struct compose_service *s)
{
	const char *name = tr_dns_name(t, s->name);
	struct compose_node *o = NULL, *ports = tr_seq(t);

	for (size_t i = 0; i < s->n_ports; i++) {
		const struct compose_port *pt = &s->ports[i];
		const char *path = arena_sprintf(t->a, "services.%s.ports[%zu]",
						 s->name, i);
		struct compose_node *m;
		char *end;
		long pub;

		if (!pt->published)
			continue;
		pub = strtol(pt->published, &end, 10);
		if (*end || pub <= 0) {
			tr_note(t, &pt->loc, path,
				"published range '%s': a Service port is one "
				"number",
				pt->published);
			continue;
		}
		if (pt->host_ip)
			tr_note(t, &pt->loc, path,
				"host IP '%s': the load balancer picks the "
				"address",
				pt->host_ip);
		m = tr_map(t);
		tr_puts(t, m, "name", arena_sprintf(t->a, "p%ld", pub));
		tr_put(t, m, "port", tr_int(t, pub));
		tr_put(t, m, "targetPort", tr_int(t, pt->target));
		tr_puts(t, m, "protocol", k_proto(pt->protocol));
		tr_push(t, ports, m);
	}
	if (!ports->n)
		return;
	o = k_object(t, "v1", "Service",
		     arena_sprintf(t->a, "%s-published", name));
	tr_put(t, compose_map_get(o, "metadata"), "labels", k_labels(t, s->name));
	tr_puts(t, tr_sub(t, o, "spec"), "type", "LoadBalancer");
	tr_put(t, tr_sub(t, o, "spec"), "selector", k_labels(t, s->name));
	tr_put(t, tr_sub(t, o, "spec"), "ports", ports);
	tr_add_doc(t, o);
}

/* Network aliases: one more headless Service per alias. */
static void k_aliases(struct tr *t, const struct compose_service *s)
{
	for (size_t i = 0; i < s->n_networks; i++) {
		const struct compose_service_network *n = &s->networks[i];

		for (size_t k = 0; k < n->aliases.n; k++) {
			const char *a = n->aliases.v[k];

			if (strcmp(a, tr_dns_name(t, a)) ||
			    !strcmp(a, s->name)) {
				if (strcmp(a, s->name))
					tr_note(t, &n->loc,
						arena_sprintf(
							t->a,
							"services.%s.networks."
							"%s.aliases[%zu]",
							s->name, n->name, k),
						"'%s' is not a DNS label", a);
				continue;
			}
			k_headless(t, s, a);
		}
	}
}

static void k_claims(struct tr *t)
{
	for (size_t i = 0; i < t->p->n_volumes; i++) {
		const struct compose_volume *v = &t->p->volumes[i];
		struct compose_node *o, *spec, *modes;

		if (v->external)
			continue;
		o = k_object(t, "v1", "PersistentVolumeClaim",
			     tr_dns_name(t, v->name));
		spec = tr_sub(t, o, "spec");
		modes = tr_seq(t);
		tr_pushs(t, modes, "ReadWriteOnce");
		tr_put(t, spec, "accessModes", modes);
		tr_puts(t, tr_sub(t, tr_sub(t, spec, "resources"), "requests"),
			"storage", K8S_CLAIM_SIZE);
		tr_add_doc(t, o);
	}
}

/* A cluster has one flat network: isolation between networks is lost. */
static void k_networks(struct tr *t)
{
	for (size_t i = 0; i < t->p->n_networks; i++) {
		const struct compose_network *n = &t->p->networks[i];

		if (!strcmp(n->key, "default") && !n->n_ipam && !n->internal)
			continue;
		tr_note(t, &n->loc, arena_sprintf(t->a, "networks.%s", n->key),
			"every pod reaches every other: write a "
			"NetworkPolicy for isolation");
	}
}

int tr_kube(struct tr *t, struct diag *err)
{
	(void)err;
	k_networks(t);
	k_objects(t, false);
	k_objects(t, true);
	k_claims(t);
	for (size_t i = 0; i < t->p->n_services; i++) {
		const struct compose_service *s = &t->p->services[i];

		tr_check_keys(t, s);
		k_deployment(t, i);
		k_headless(t, s, tr_dns_name(t, s->name));
		k_published(t, s);
		k_aliases(t, s);
	}
	return 0;
}
