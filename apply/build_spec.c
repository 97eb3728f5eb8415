/*
 * From a service's build section to the engine's build spec: the image
 * is built by the daemon that runs the service, tagged with its image
 * name (or <project>-<service>) and every build.tags entry.
 */
#include "apply/apply.h"

#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"

#define INLINE_CACHE_ARG "BUILDKIT_INLINE_CACHE"

/* build.args, with `build --build-arg` values replacing the file's. */
static void spec_args(struct engine_build_spec *sp,
		      struct arena *a,
		      const struct compose_build *cb,
		      const struct apply_up_opts *o)
{
	size_t n = cb->n_args + (o ? o->n_build_args : 0);
	struct engine_kv *v = arena_calloc(a, n + 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < cb->n_args; i++)
		v[k++] = (struct engine_kv){cb->args[i].key, cb->args[i].value};
	for (size_t i = 0; o && i < o->n_build_args; i++) {
		size_t j = 0;

		while (j < k && strcmp(v[j].key, o->build_args[i].key))
			j++;
		v[j] = (struct engine_kv){o->build_args[i].key,
					  o->build_args[i].value};
		if (j == k)
			k++;
	}
	sp->args = v;
	sp->n_args = k;
}

/* build.labels plus compose's project and service labels. */
static void spec_labels(struct engine_build_spec *sp,
			struct arena *a,
			const struct plan *p,
			const struct plan_service *ps)
{
	const struct compose_build *cb = ps->svc->build;
	struct engine_kv *v = arena_calloc(a, cb->n_labels + 3, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < cb->n_labels; i++)
		v[k++] = (struct engine_kv){
			cb->labels[i].key,
			cb->labels[i].value ? cb->labels[i].value : ""};
	v[k++] = (struct engine_kv){"com.docker.compose.project",
				    p->project_name};
	v[k++] = (struct engine_kv){"com.docker.compose.service", ps->name};
	sp->labels = v;
	sp->n_labels = k;
}

static struct engine_strv
strv_of(struct arena *a, const struct compose_strv *s, const char *first)
{
	const char **v = arena_calloc(a, s->n + 2, sizeof(*v));
	size_t n = 0;

	if (first)
		v[n++] = first;
	for (size_t i = 0; i < s->n; i++)
		if (!first || strcmp(s->v[i], first))
			v[n++] = s->v[i];
	return (struct engine_strv){v, n};
}

/*
 * What compose v2's classic builder says of a key it cannot do (its
 * build_classic.go); mixcompose always builds with the classic builder.
 */
static const char *refused_what(const char *key)
{
	static const char *const what[][2] = {
		{"privileged", "privileged mode"},
		{"additional_contexts", "additional contexts"},
		{"ssh", "SSH keys"},
		{"secrets", "secrets"},
	};

	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++)
		if (!strcmp(what[i][0], key))
			return what[i][1];
	return key;
}

/*
 * A build that cannot be done ('msg', about the key at 'l'): refused now
 * when the image is always built, else the build job refuses it if it
 * has to build (as compose v2, which says so only when it builds).
 */
static int spec_refuse(struct engine_build_spec *sp,
		       struct arena *a,
		       const struct plan_service *ps,
		       const struct diag_loc *l,
		       const char *msg,
		       struct diag *err)
{
	if (ps->build == PLAN_BUILD_ALWAYS)
		return diag_set(err, DIAG_EPLAN, l, "%s", msg);
	sp->refuse = l->file ? arena_sprintf(a, "%s:%d:%d: %s", l->file,
					     l->line, l->col, msg)
			     : msg;
	return 0;
}

/*
 * The Engine's builder-next hands shmsize and ulimits to BuildKit from
 * Engine 23.0 (API 1.42) on; dockerd 20.10 (API 1.41) drops both without
 * a word, so they are refused there rather than lost.  An unknown API (a
 * daemon not reached) is not refused here.
 */
static const char *buildkit_dropped(struct arena *a,
				    const struct plan_service *ps,
				    const struct plan_host *h,
				    const struct diag_loc **at)
{
	const struct compose_build *cb = ps->svc->build;
	const char *key;

	if (!cb->buildkit || h->api_major != 1 ||
	    h->api_minor >= APPLY_BUILDKIT_LIMITS_API)
		return NULL;
	if (cb->n_ulimits) {
		key = "ulimits";
		*at = &cb->ulimits_loc;
	} else if (cb->shm_size > 0) {
		key = "shm_size";
		*at = &cb->shm_size_loc;
	} else {
		return NULL;
	}
	return arena_sprintf(a,
			     "services.%s.build.%s: daemon '%s' speaks Engine "
			     "API %d.%d, whose BuildKit (which build.%s "
			     "needs) drops it; BuildKit takes build.%s from "
			     "API 1.%d (Engine 23.0) on",
			     ps->name, key, h->name, h->api_major, h->api_minor,
			     cb->buildkit, key, APPLY_BUILDKIT_LIMITS_API);
}

/*
 * A key the classic builder cannot do, or a BuildKit key that the
 * Engine's /build API cannot (refused_why); else an image that needs
 * BuildKit on a daemon without it: a Windows daemon has only the classic
 * builder; else a key that the daemon's BuildKit would drop.
 */
static int spec_refused(struct engine_build_spec *sp,
			struct arena *a,
			const struct plan *p,
			const struct plan_service *ps,
			struct diag *err)
{
	const struct compose_build *cb = ps->svc->build;
	const struct plan_host *h = &p->hosts[ps->daemon];
	const struct diag_loc *at = &cb->refused_loc;
	const char *msg;

	if (cb->refused && cb->refused_why)
		msg = arena_sprintf(a, "services.%s.build.%s: %s", ps->name,
				    cb->refused, cb->refused_why);
	else if (cb->refused)
		msg = arena_sprintf(a,
				    "services.%s.build.%s: the classic "
				    "builder, which mixcompose uses, doesn't "
				    "support %s (compose v2 refuses it too "
				    "without BuildKit)",
				    ps->name, cb->refused,
				    refused_what(cb->refused));
	else if (cb->buildkit && h->os && !strcmp(h->os, "windows"))
		return spec_refuse(
			sp, a, ps, &cb->buildkit_loc,
			arena_sprintf(a,
				      "service '%s': daemon '%s' (windows) "
				      "has no BuildKit: build.%s needs it",
				      ps->name, h->name, cb->buildkit),
			err);
	else if (!(msg = buildkit_dropped(a, ps, h, &at)))
		return 0;
	return spec_refuse(sp, a, ps, at, msg, err);
}

static void spec_ulimits(struct engine_build_spec *sp,
			 struct arena *a,
			 const struct compose_build *cb)
{
	struct engine_ulimit *u =
		arena_calloc(a, cb->n_ulimits + 1, sizeof(*u));

	for (size_t i = 0; i < cb->n_ulimits; i++)
		u[i] = (struct engine_ulimit){cb->ulimits[i].name,
					      cb->ulimits[i].soft,
					      cb->ulimits[i].hard};
	sp->ulimits = u;
	sp->n_ulimits = cb->n_ulimits;
}

/*
 * The daemon's BuildKit (version=2) for cache_to type=inline, which
 * builder-next exports when the build arg BUILDKIT_INLINE_CACHE is true,
 * and for entitlements network.host, which it grants with networkmode
 * host (normalize refused any other build.network); cache_from as the
 * image references that normalize read from it.
 */
static void spec_buildkit(struct engine_build_spec *sp,
			  struct arena *a,
			  const struct compose_build *cb)
{
	struct engine_kv *v;
	size_t i = 0;

	if (!cb->buildkit)
		return;
	sp->buildkit = true;
	/* Image references only: BuildKit splits the list at commas. */
	sp->cache_from = strv_of(a, &cb->cache_from_refs, NULL);
	if (cb->network_host)
		sp->network = "host";
	if (!cb->inline_cache)
		return;
	while (i < sp->n_args && strcmp(sp->args[i].key, INLINE_CACHE_ARG))
		i++;
	v = arena_calloc(a, sp->n_args + 2, sizeof(*v));
	memcpy(v, sp->args, sp->n_args * sizeof(*v));
	v[i] = (struct engine_kv){INLINE_CACHE_ARG, "1"};
	sp->args = v;
	sp->n_args += i == sp->n_args;
}

int apply_build_spec(struct engine_build_spec **out,
		     struct arena *a,
		     const struct plan *p,
		     size_t si,
		     const char *platform,
		     const struct apply_up_opts *o,
		     struct diag *err)
{
	const struct plan_service *ps = &p->services[si];
	const struct compose_build *cb = ps->svc->build;
	struct engine_build_spec *sp;
	const char **hosts;
	int rc;

	*out = NULL;
	if (cb->remote)
		return diag_set(err, DIAG_EUSAGE, &ps->svc->loc,
				"service '%s': remote build contexts ('%s') "
				"are not supported; clone it and use a "
				"directory",
				ps->name, cb->context);
	sp = arena_calloc(a, 1, sizeof(*sp));
	sp->ctx.dir = cb->context;
	sp->ctx.dockerfile = cb->dockerfile;
	sp->ctx.dockerfile_inline = cb->dockerfile_inline;
	sp->tags = strv_of(a, &cb->tags, ps->image);
	spec_args(sp, a, cb, o);
	spec_labels(sp, a, p, ps);
	sp->target = cb->target;
	sp->network = cb->network;
	sp->shm_size = cb->shm_size > 0 ? cb->shm_size : 0;
	hosts = arena_calloc(a, cb->n_extra_hosts + 1, sizeof(*hosts));
	for (size_t i = 0; i < cb->n_extra_hosts; i++)
		hosts[i] = arena_sprintf(a, "%s:%s", cb->extra_hosts[i].key,
					 cb->extra_hosts[i].value
						 ? cb->extra_hosts[i].value
						 : "");
	sp->extra_hosts = (struct engine_strv){hosts, cb->n_extra_hosts};
	sp->no_cache = cb->no_cache || (o && o->no_cache);
	sp->pull = cb->pull || (o && o->pull);
	sp->cache_from = strv_of(a, &cb->cache_from, NULL);
	sp->platform = platform;
	sp->isolation = cb->isolation;
	spec_ulimits(sp, a, cb);
	spec_buildkit(sp, a, cb);
	rc = spec_refused(sp, a, p, ps, err);
	if (rc)
		return rc;
	*out = sp;
	return 0;
}
