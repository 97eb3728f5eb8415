/*
 * The keys of compose_keys[] (compose/keys.c) into the create body: each
 * table entry names its Engine API field, so this file only converts a
 * value by its kind.  And the check that a daemon takes them: a Windows
 * daemon refuses the Linux-only ones (moby's daemon_windows.go), so the
 * plan is refused before anything is created, naming service and daemon.
 */
#include "apply/apply_int.h"

#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"

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
	}
}

void apply_spec_keys(struct engine_container_spec *sp,
		     struct arena *a,
		     const struct compose_service *s)
{
	struct engine_field *v;
	size_t n = 0;

	if (!s->keys)
		return;
	v = arena_calloc(a, compose_n_keys + 1, sizeof(*v));
	for (size_t i = 0; i < compose_n_keys; i++)
		if (s->keys[i].set)
			key_field(&v[n++], a, &compose_keys[i], &s->keys[i]);
	sp->fields = v;
	sp->n_fields = n;
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

int apply_check(const struct plan *p, struct diag *err)
{
	for (size_t i = 0; i < p->n_services; i++) {
		int rc;

		if (p->services[i].selected &&
		    (rc = check_files(p, p->services[i].svc, err)))
			return rc;
	}
	for (size_t i = 0; i < p->n_services; i++) {
		const struct plan_service *ps = &p->services[i];
		const struct plan_host *h = &p->hosts[ps->daemon];
		const struct compose_service *s = ps->svc;

		bool win = h->os && !strcmp(h->os, "windows");
		unsigned os = win ? COMPOSE_OS_WINDOWS : COMPOSE_OS_LINUX;

		if (!ps->selected || !s->keys || !h->os)
			continue;
		for (size_t k = 0; k < compose_n_keys; k++) {
			if (!s->keys[k].set || (compose_keys[k].os & os))
				continue;
			return diag_set(err, DIAG_EPLAN, &s->keys[k].loc,
					"services.%s.%s: daemon '%s' runs "
					"%s, which does not support it",
					s->name, compose_keys[k].path, h->name,
					win ? "Windows" : "Linux");
		}
	}
	return 0;
}
