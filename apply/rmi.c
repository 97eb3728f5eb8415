/*
 * down --rmi: which images go, as compose v2 (2.26) picks them in its
 * ImagePruner, but on each service's own daemon: with 'all' the image:
 * of every service that exists there; in both modes the tagged images
 * labelled with the project and a service of it (any service with
 * --remove-orphans), by their first tag; and the <project>-<service>
 * name of a service without image: when it exists (images built before
 * compose labelled them).  Names are normalized, then kept once per daemon.
 */
#include "apply/apply.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/arena.h"
#include "util/xalloc.h"

/*
 * The docker CLI's "domain": the first component when it has a '.' or a
 * ':', is "localhost", or has an upper-case letter (distribution's
 * splitDockerDomain).
 */
static size_t domain_len(const char *name)
{
	const char *slash = strchr(name, '/');
	size_t n = slash ? (size_t)(slash - name) : 0;
	bool upper = false;

	if (!slash)
		return 0;
	for (size_t i = 0; i < n; i++)
		upper |= isupper((unsigned char)name[i]) != 0;
	if (memchr(name, '.', n) || memchr(name, ':', n) || upper ||
	    (n == 9 && !strncmp(name, "localhost", 9)))
		return n;
	return 0;
}

const char *apply_image_normalize(struct arena *a, const char *ref)
{
	const char *at = strchr(ref, '@');
	size_t len = at ? (size_t)(at - ref) : strlen(ref);
	char *name = arena_strndup(a, ref, len);
	const char *last = strrchr(name, '/');
	char *colon = strrchr(last ? last : name, ':');
	const char *tag = colon ? colon + 1 : NULL, *path;
	size_t dl;

	if (colon)
		*colon = '\0';
	dl = domain_len(name);
	path = dl ? name + dl + 1 : name;
	/* An upper-case repository path does not parse: kept as written. */
	if (!*path)
		return ref;
	for (const char *c = path; *c; c++)
		if (isupper((unsigned char)*c))
			return ref;
	if (dl && !((dl == 9 && !strncmp(name, "docker.io", 9)) ||
		    (dl == 15 && !strncmp(name, "index.docker.io", 15))))
		path = name;
	else if (!strncmp(path, "library/", 8) && !strchr(path + 8, '/'))
		path += 8;
	if (at)
		return arena_sprintf(a, "%s%s%s%s", path, tag ? ":" : "",
				     tag ? tag : "", at);
	return arena_sprintf(a, "%s:%s", path, tag ? tag : "latest");
}

/* One question to a daemon. */
struct rmi_q {
	size_t host;
	const char *ref;     /* inspect this name, or (list) NULL */
	const char *service; /* list: of this service; NULL: any */
	const char *project;
	bool list;
	bool keep; /* inspect: exists (or the daemon did not say no) */
	const char *tag;
	struct arena *a;
	struct engine_strv ids; /* list: the image ids, in 'a' */
	struct diag err;	/* list: its failure */
	int rc;
};

static void inspect_done(void *ud,
			 int rc,
			 const struct engine_image_info *info,
			 const struct diag *err)
{
	struct rmi_q *q = ud;

	(void)err;
	/* compose v2 too: only a definite "no such image" leaves it out. */
	q->keep = rc != DIAG_ENOTFOUND;
	if (!rc && info->repo_tag[0])
		q->tag = arena_strdup(q->a, info->repo_tag);
}

static void list_done(void *ud,
		      int rc,
		      const struct engine_strv *ids,
		      const struct diag *err)
{
	struct rmi_q *q = ud;
	const char **v = arena_calloc(q->a, ids->n + 1, sizeof(*v));

	q->rc = rc;
	if (rc && err)
		q->err = *err;
	for (size_t i = 0; !rc && i < ids->n; i++)
		v[i] = arena_strdup(q->a, ids->v[i]);
	q->ids = (struct engine_strv){v, rc ? 0 : ids->n};
}

static void
q_start(struct engine_loop *l, struct engine *const *engines, struct rmi_q *q)
{
	struct engine_kv kv[3] = {
		{"label", arena_sprintf(q->a, "com.docker.compose.project=%s",
					q->project)},
		{"dangling", "false"},
		{"label", NULL},
	};
	struct engine_filters f = {kv, 2};

	if (!q->list) {
		engine_image_inspect_async(l, engines[q->host], q->ref,
					   inspect_done, q);
		return;
	}
	if (q->service) {
		kv[2].value = arena_sprintf(
			q->a, "com.docker.compose.service=%s", q->service);
		f.n = 3;
	}
	engine_image_list_async(l, engines[q->host], &f, list_done, q);
}

/* The first questions: names to check, lists of labelled images. */
static size_t queries(struct rmi_q *q,
		      struct arena *a,
		      const char *project,
		      const struct apply_rmi_service *sv,
		      size_t n,
		      struct engine *const *engines,
		      size_t n_hosts,
		      const struct apply_rmi_opts *o)
{
	size_t nq = 0;

	for (size_t i = 0; i < n; i++) {
		const char *ref = NULL;

		if (sv[i].host >= n_hosts || !engines[sv[i].host])
			continue;
		if (sv[i].image && o->all)
			ref = sv[i].image;
		else if (!sv[i].image)
			ref = arena_sprintf(a, "%s-%s", project, sv[i].name);
		if (ref)
			q[nq++] = (struct rmi_q){.host = sv[i].host,
						 .ref = ref,
						 .project = project,
						 .a = a};
		if (!o->orphans)
			q[nq++] = (struct rmi_q){.host = sv[i].host,
						 .project = project,
						 .a = a,
						 .list = true,
						 .service = sv[i].name};
	}
	for (size_t d = 0; o->orphans && d < n_hosts; d++)
		if (engines[d])
			q[nq++] = (struct rmi_q){.host = d,
						 .project = project,
						 .a = a,
						 .list = true};
	return nq;
}

static void run_all(struct engine *const *engines, struct rmi_q *q, size_t n)
{
	struct engine_loop *l = engine_loop_new();

	for (size_t i = 0; i < n; i++)
		q_start(l, engines, &q[i]);
	if (n)
		engine_loop_run(l, -1);
	engine_loop_free(l);
}

size_t apply_rmi_dedupe(struct apply_rmi_image *v, size_t n, struct arena *a)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		v[i].ref = apply_image_normalize(a, v[i].ref);
		for (size_t j = 0; j < k && !seen; j++)
			seen = v[j].host == v[i].host &&
			       !strcmp(v[j].ref, v[i].ref);
		if (!seen)
			v[k++] = v[i];
	}
	return k;
}

/* The inspects of the listed ids (their first tags), after 'q[0..n)'. */
static size_t id_queries(struct rmi_q *q, size_t n)
{
	size_t m = n;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; q[i].list && k < q[i].ids.n; k++)
			q[m++] = (struct rmi_q){.host = q[i].host,
						.ref = q[i].ids.v[k],
						.project = q[i].project,
						.a = q[i].a};
	return m;
}

size_t apply_rmi_select(struct apply_rmi_image **out,
			struct arena *a,
			const char *project,
			const struct apply_rmi_service *sv,
			size_t n,
			struct engine *const *engines,
			size_t n_hosts,
			const struct apply_rmi_opts *o,
			struct diag_list *dl)
{
	struct rmi_q *q = xcalloc(2 * n + n_hosts + 1, sizeof(*q));
	size_t nq = queries(q, a, project, sv, n, engines, n_hosts, o), ni,
	       k = 0, nids = 0;
	struct apply_rmi_image *v;

	run_all(engines, q, nq);
	for (size_t i = 0; i < nq; i++) {
		if (q[i].list && q[i].rc)
			diag_list_add_diag(dl, DIAG_ERROR, &q[i].err);
		nids += q[i].ids.n;
	}
	q = xrealloc(q, (nq + nids + 1) * sizeof(*q));
	ni = id_queries(q, nq);
	run_all(engines, q + nq, ni - nq);
	v = arena_calloc(a, ni + 1, sizeof(*v));
	for (size_t i = 0; i < ni; i++) {
		/* A listed image by its first tag; an untagged one stays. */
		const char *ref = i >= nq     ? q[i].tag
				  : q[i].keep ? q[i].ref
					      : NULL;

		if (!q[i].list && ref)
			v[k++] = (struct apply_rmi_image){ref, q[i].host};
	}
	free(q);
	*out = v;
	return apply_rmi_dedupe(v, k, a);
}
