/*
 * translate/swarm.c: the project as a Docker Swarm stack file (the compose
 * file format that `docker stack deploy` reads), with each service placed
 * on nodes of its OS.
 */
#include "translate/translate_int.h"

#include <string.h>

#include "util/arena.h"

static void
sw_placement(struct tr *t, struct compose_node *deploy, const char *os)
{
	struct compose_node *pl, *cons;
	const char *c;

	if (!os)
		return;
	pl = tr_sub(t, deploy, "placement");
	cons = compose_map_get(pl, "constraints");
	if (!cons || cons->kind != COMPOSE_NODE_SEQ) {
		cons = tr_seq(t);
		tr_put(t, pl, "constraints", cons);
	}
	if (t->o->os_label)
		c = arena_sprintf(t->a, "node.labels.%s == %s", t->o->os_label,
				  os);
	else
		c = arena_sprintf(t->a, "node.platform.os == %s", os);
	tr_pushs(t, cons, c);
}

/* compose's restart policy as a Swarm restart_policy condition. */
static const char *sw_restart(const char *r)
{
	if (!r)
		return NULL;
	if (!strcmp(r, "no"))
		return "none";
	if (!strncmp(r, "on-failure", 10))
		return "on-failure";
	return "any"; /* always, unless-stopped */
}

static void sw_deploy(struct tr *t,
		      struct compose_node *out,
		      const struct compose_service *s,
		      size_t i)
{
	const struct compose_node *src = compose_map_get(s->node, "deploy");
	struct compose_node *d =
		src ? compose_node_clone(t->a, src) : tr_map(t);
	const char *cond = sw_restart(s->restart);

	tr_put(t, d, "replicas", tr_int(t, s->scale));
	if (t->o->endpoint_mode)
		tr_puts(t, d, "endpoint_mode", t->o->endpoint_mode);
	if (cond && !compose_map_get(d, "restart_policy"))
		tr_puts(t, tr_sub(t, d, "restart_policy"), "condition", cond);
	sw_placement(t, d, t->os[i]);
	tr_put(t, out, "deploy", d);
}

static void sw_ports(struct tr *t,
		     struct compose_node *out,
		     const struct compose_service *s)
{
	struct compose_node *seq;
	bool dnsrr =
		t->o->endpoint_mode && !strcmp(t->o->endpoint_mode, "dnsrr");

	if (!s->n_ports)
		return;
	seq = tr_seq(t);
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct compose_port *pt = &s->ports[i];
		struct compose_node *m = tr_map(t);
		const char *path = arena_sprintf(t->a, "services.%s.ports[%zu]",
						 s->name, i);
		const char *mode = pt->mode ? pt->mode : "ingress";

		if (pt->host_ip)
			tr_note(t, &pt->loc, path,
				"host IP '%s': Swarm publishes on every "
				"address of the node",
				pt->host_ip);
		if (dnsrr && strcmp(mode, "host")) {
			tr_note(t, &pt->loc, path,
				"mode '%s': endpoint mode dnsrr has no "
				"routing mesh, published in mode host",
				mode);
			mode = "host";
		}
		tr_put(t, m, "target", tr_int(t, pt->target));
		if (pt->published)
			tr_put(t, m, "published", tr_plain(t, pt->published));
		tr_puts(t, m, "protocol", pt->protocol ? pt->protocol : "tcp");
		tr_puts(t, m, "mode", mode);
		tr_push(t, seq, m);
	}
	tr_put(t, out, "ports", seq);
}

/* A read-only bind of a file becomes a Swarm config (the file travels). */
static bool sw_bind_config(struct tr *t,
			   struct compose_node *root,
			   struct compose_node *cfgs,
			   const struct compose_service *s,
			   const struct compose_mount *m)
{
	size_t len;
	struct compose_node *ref, *top;
	const char *name;

	if (!m->read_only || !m->source || !t->o->read_file ||
	    !t->o->read_file(t->o->userdata, t->a, m->source, &len))
		return false;
	name = arena_sprintf(t->a, "%s_%s", s->name, tr_basename(m->source));
	top = tr_map(t);
	tr_puts(t, top, "file", m->source);
	tr_put(t, tr_sub(t, root, "configs"), name, top);
	ref = tr_map(t);
	tr_puts(t, ref, "source", name);
	tr_puts(t, ref, "target", m->target);
	tr_push(t, cfgs, ref);
	return true;
}

static void sw_volumes(struct tr *t,
		       struct compose_node *root,
		       struct compose_node *out,
		       const struct compose_service *s)
{
	struct compose_node *seq = tr_seq(t), *cfgs;
	const struct compose_node *given = compose_map_get(s->node, "configs");

	cfgs = given ? compose_node_clone(t->a, given) : tr_seq(t);
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct compose_mount *m = &s->volumes[i];
		const char *path = arena_sprintf(
			t->a, "services.%s.volumes[%zu]", s->name, i);
		static const char *const types[] = {
			"bind", "volume", "tmpfs", "npipe", "cluster", "image"};
		struct compose_node *v;

		if (m->type == COMPOSE_MOUNT_BIND &&
		    sw_bind_config(t, root, cfgs, s, m))
			continue;
		if (m->type == COMPOSE_MOUNT_BIND)
			tr_note(t, &m->loc, path,
				"bind of '%s': the path must exist on every "
				"node that may run the task",
				m->source);
		if (m->type == COMPOSE_MOUNT_CLUSTER) {
			tr_note(t, &m->loc, path, "cluster volumes");
			continue;
		}
		v = tr_map(t);
		tr_puts(t, v, "type", types[m->type]);
		tr_puts(t, v, "source", m->source);
		tr_puts(t, v, "target", m->target);
		if (m->read_only)
			tr_put(t, v, "read_only", tr_bool(t, true));
		tr_push(t, seq, v);
	}
	if (seq->n)
		tr_put(t, out, "volumes", seq);
	if (cfgs->n)
		tr_put(t, out, "configs", cfgs);
}

static void sw_health(struct tr *t,
		      struct compose_node *out,
		      const struct compose_healthcheck *h)
{
	struct compose_node *m;

	if (!h->present)
		return;
	m = tr_map(t);
	if (h->disable) {
		tr_put(t, m, "disable", tr_bool(t, true));
		tr_put(t, out, "healthcheck", m);
		return;
	}
	if (h->test.n)
		tr_put(t, m, "test", tr_strv(t, &h->test));
	if (h->interval_ns >= 0)
		tr_puts(t, m, "interval", tr_duration(t, h->interval_ns));
	if (h->timeout_ns >= 0)
		tr_puts(t, m, "timeout", tr_duration(t, h->timeout_ns));
	if (h->retries >= 0)
		tr_put(t, m, "retries", tr_int(t, h->retries));
	if (h->start_period_ns >= 0)
		tr_puts(t, m, "start_period",
			tr_duration(t, h->start_period_ns));
	tr_put(t, out, "healthcheck", m);
}

static void sw_kv(struct tr *t,
		  struct compose_node *out,
		  const char *key,
		  const struct compose_kv *kv,
		  size_t n)
{
	struct compose_node *m;

	if (!n)
		return;
	m = tr_map(t);
	for (size_t i = 0; i < n; i++)
		tr_put(t, m, kv[i].key,
		       kv[i].value ? tr_str(t, kv[i].value) : tr_plain(t, ""));
	tr_put(t, out, key, m);
}

static void sw_networks(struct tr *t,
			struct compose_node *out,
			const struct compose_service *s)
{
	struct compose_node *m = tr_map(t);

	for (size_t i = 0; i < s->n_networks; i++) {
		const struct compose_service_network *n = &s->networks[i];
		struct compose_node *v = tr_map(t);

		if (n->aliases.n)
			tr_put(t, v, "aliases", tr_strv(t, &n->aliases));
		if (n->ipv4_address)
			tr_note(t, &n->loc,
				arena_sprintf(t->a,
					      "services.%s.networks.%s."
					      "ipv4_address",
					      s->name, n->name),
				"Swarm gives task addresses itself");
		tr_put(t, m, n->name, v);
	}
	tr_put(t, out, "networks", m);
}

/* Keys whose compose meaning is the stack file's: copied as written. */
static const char *const sw_same[] = {
	"cap_add",     "cap_drop", "credential_spec", "dns",	 "dns_search",
	"hostname",    "init",	   "isolation",	      "logging", "read_only",
	"stop_signal", "sysctls",  "tmpfs",	      "tty",	 "stdin_open",
	"ulimits",     "user",	   "working_dir",     "secrets",
};

static struct compose_node *
sw_service(struct tr *t, struct compose_node *root, size_t i)
{
	const struct compose_service *s = &t->p->services[i];
	struct compose_node *out = tr_map(t);

	tr_check_keys(t, s);
	tr_puts(t, out, "image", s->image);
	if (s->entrypoint.v)
		tr_put(t, out, "entrypoint", tr_strv(t, &s->entrypoint));
	if (s->command.v)
		tr_put(t, out, "command", tr_strv(t, &s->command));
	sw_kv(t, out, "environment", s->environment, s->n_environment);
	sw_kv(t, out, "labels", s->labels, s->n_labels);
	for (size_t k = 0; k < sizeof(sw_same) / sizeof(sw_same[0]); k++) {
		const struct compose_node *v =
			compose_map_get(s->node, sw_same[k]);

		if (v)
			tr_put(t, out, sw_same[k], compose_node_clone(t->a, v));
	}
	if (s->expose.n)
		tr_put(t, out, "expose", tr_strv(t, &s->expose));
	if (s->n_extra_hosts) {
		struct compose_node *seq = tr_seq(t);

		for (size_t k = 0; k < s->n_extra_hosts; k++)
			tr_pushs(t, seq,
				 arena_sprintf(t->a, "%s:%s",
					       s->extra_hosts[k].key,
					       s->extra_hosts[k].value));
		tr_put(t, out, "extra_hosts", seq);
	}
	if (s->stop_grace_period_ns >= 0)
		tr_puts(t, out, "stop_grace_period",
			tr_duration(t, s->stop_grace_period_ns));
	sw_ports(t, out, s);
	sw_volumes(t, root, out, s);
	sw_health(t, out, &s->healthcheck);
	sw_networks(t, out, s);
	sw_deploy(t, out, s, i);
	return out;
}

static void sw_network(struct tr *t,
		       struct compose_node *nets,
		       const struct compose_network *n)
{
	struct compose_node *m = tr_map(t);

	if (n->external) {
		tr_put(t, m, "external", tr_bool(t, true));
		tr_puts(t, m, "name", n->name);
		tr_put(t, nets, n->key, m);
		return;
	}
	if (n->driver && strcmp(n->driver, "bridge") &&
	    strcmp(n->driver, "nat") && strcmp(n->driver, "overlay"))
		tr_note(t, &n->loc,
			arena_sprintf(t->a, "networks.%s.driver", n->key),
			"driver '%s': a stack network is an overlay",
			n->driver);
	tr_puts(t, m, "driver", "overlay");
	/* Attachable, so that a plain container can join it for a test. */
	tr_put(t, m, "attachable", tr_bool(t, true));
	if (n->internal)
		tr_put(t, m, "internal", tr_bool(t, true));
	if (n->n_ipam && n->ipam[0].subnet) {
		struct compose_node *cfg = tr_map(t), *seq = tr_seq(t);

		tr_puts(t, cfg, "subnet", n->ipam[0].subnet);
		tr_push(t, seq, cfg);
		tr_put(t, tr_sub(t, m, "ipam"), "config", seq);
	}
	tr_put(t, nets, n->key, m);
}

static void sw_volume(struct tr *t,
		      struct compose_node *vols,
		      const struct compose_volume *v)
{
	struct compose_node *m = tr_map(t);

	if (v->external) {
		tr_put(t, m, "external", tr_bool(t, true));
		tr_puts(t, m, "name", v->name);
	} else if (v->driver) {
		tr_puts(t, m, "driver", v->driver);
	}
	tr_put(t, vols, v->key, m);
}

/*
 * Top-level configs and secrets: docker stack deploy reads a 'file'
 * itself (relative to the stack file, so it is made absolute here) and
 * knows 'external' and 'name'; inline 'content' and 'environment' sources
 * are compose-only.
 */
static void
sw_objects(struct tr *t, struct compose_node *root, const char *kind)
{
	const struct compose_node *src = compose_map_get(t->p->doc, kind);
	struct compose_node *dst;

	if (!src || src->kind != COMPOSE_NODE_MAP || !src->n)
		return;
	dst = tr_sub(t, root, kind);
	for (size_t i = 0; i < src->n; i++) {
		const struct compose_node *o = src->pairs[i].value;
		const struct compose_node *f = compose_map_get(o, "file");
		struct compose_node *m = tr_map(t);
		const char *key = src->pairs[i].key->str;

		for (size_t k = 0; o && o->kind == COMPOSE_NODE_MAP && k < o->n;
		     k++) {
			const char *ok = o->pairs[k].key->str;

			if (!strcmp(ok, "external") || !strcmp(ok, "name"))
				tr_put(t, m, ok,
				       compose_node_clone(t->a,
							  o->pairs[k].value));
			else if (strcmp(ok, "file"))
				tr_note(t, COMPOSE_NODE_LOC(o->pairs[k].key),
					arena_sprintf(t->a, "%s.%s.%s", kind,
						      key, ok),
					"docker stack deploy reads only "
					"file, name and external");
		}
		if (f && f->kind == COMPOSE_NODE_SCALAR)
			tr_puts(t, m, "file",
				f->str[0] == '/'
					? f->str
					: arena_sprintf(
						  t->a, "%s/%s",
						  t->p->working_dir,
						  f->str + (strncmp(f->str,
								    "./", 2)
								    ? 0
								    : 2)));
		tr_put(t, dst, key, m);
	}
}

int tr_swarm(struct tr *t, struct diag *err)
{
	struct compose_node *root = tr_map(t), *svcs = tr_map(t), *nets, *vols;

	(void)err;
	/* 3.8: the newest version of the stack format docker 20.10 takes. */
	tr_puts(t, root, "version", "3.8");
	tr_put(t, root, "services", svcs);
	for (size_t i = 0; i < t->p->n_services; i++)
		tr_put(t, svcs, t->p->services[i].name, sw_service(t, root, i));
	nets = tr_map(t);
	for (size_t i = 0; i < t->p->n_networks; i++)
		sw_network(t, nets, &t->p->networks[i]);
	if (nets->n)
		tr_put(t, root, "networks", nets);
	vols = tr_map(t);
	for (size_t i = 0; i < t->p->n_volumes; i++)
		sw_volume(t, vols, &t->p->volumes[i]);
	if (vols->n)
		tr_put(t, root, "volumes", vols);
	sw_objects(t, root, "configs");
	sw_objects(t, root, "secrets");
	tr_add_doc(t, root);
	return 0;
}
