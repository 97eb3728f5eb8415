/*
 * `extends`: a service starts from another one (same file or another
 * file) and the compose merge rules lay its own keys over it.  Chains are
 * followed; a cycle is an error.  A service taken from another file keeps
 * its relative paths relative to that file.
 */
#include "compose/load_int.h"

#include <string.h>

#include "util/arena.h"
#include "util/sbuf.h"

struct ext_frame {
	const char *file;
	const char *svc;
	const struct ext_frame *up;
};

/* ---- Rebasing relative paths ------------------------------------------ */

static bool is_remote_context(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "git@", 4) ||
	       !strncmp(s, "github.com/", 11);
}

static struct compose_node *
rebase_str(struct arena *a, const struct compose_node *n, const char *dir)
{
	struct compose_node *c;
	const char *s = compose_node_str(n);

	if (!s || !*s || compose_path_is_abs(s) || s[0] == '~' ||
	    is_remote_context(s))
		return (struct compose_node *)n;
	c = compose_node_scalar(a, compose_path_join(a, dir, s),
				COMPOSE_NODE_LOC(n));
	c->tag = n->tag;
	return c;
}

/* A shallow copy of 'm' with one key replaced (or added). */
static struct compose_node *with_key(struct arena *a,
				     const struct compose_node *m,
				     const char *key,
				     struct compose_node *v)
{
	struct compose_node *c = compose_node_map(a, COMPOSE_NODE_LOC(m));
	bool done = false;

	c->tag = m->tag;
	for (size_t i = 0; i < m->n; i++) {
		if (!strcmp(m->pairs[i].key->str, key)) {
			compose_map_push(a, c, m->pairs[i].key, v);
			done = true;
		} else {
			compose_map_push(a, c, m->pairs[i].key,
					 m->pairs[i].value);
		}
	}
	if (!done)
		compose_map_push(
			a, c, compose_node_scalar(a, key, COMPOSE_NODE_LOC(m)),
			v);
	return c;
}

static struct compose_node *
rebase_build(struct arena *a, const struct compose_node *b, const char *dir)
{
	const struct compose_node *ctx;

	if (b->kind == COMPOSE_NODE_SCALAR)
		return rebase_str(a, b, dir);
	ctx = compose_map_get(b, "context");
	if (!ctx)
		return with_key(
			a, b, "context",
			compose_node_scalar(a, dir, COMPOSE_NODE_LOC(b)));
	return with_key(a, b, "context", rebase_str(a, ctx, dir));
}

static struct compose_node *
rebase_env_file(struct arena *a, const struct compose_node *n, const char *dir)
{
	struct compose_node *s;

	if (n->kind == COMPOSE_NODE_SCALAR)
		return rebase_str(a, n, dir);
	if (n->kind == COMPOSE_NODE_MAP) {
		const struct compose_node *p = compose_map_get(n, "path");

		return p ? with_key(a, n, "path", rebase_str(a, p, dir))
			 : (struct compose_node *)n;
	}
	s = compose_node_seq(a, COMPOSE_NODE_LOC(n));
	for (size_t i = 0; i < n->n; i++)
		compose_seq_push(a, s, rebase_env_file(a, n->items[i], dir));
	return s;
}

static struct compose_node *
rebase_volume(struct arena *a, const struct compose_node *v, const char *dir)
{
	const char *src, *dst, *mode;
	const char *s = compose_node_str(v);

	if (v->kind == COMPOSE_NODE_MAP) {
		const char *type = compose_node_str(compose_map_get(v, "type"));
		const struct compose_node *so = compose_map_get(v, "source");

		if (!so || !type || strcmp(type, "bind"))
			return (struct compose_node *)v;
		return with_key(a, v, "source", rebase_str(a, so, dir));
	}
	/* Short form: only a source starting with '.' is a relative bind. */
	if (!s || compose_volume_split(a, s, &src, &dst, &mode) || !src ||
	    src[0] != '.')
		return (struct compose_node *)v;
	src = compose_path_join(a, dir, src);
	return compose_node_scalar(
		a,
		mode ? arena_sprintf(a, "%s:%s:%s", src, dst, mode)
		     : arena_sprintf(a, "%s:%s", src, dst),
		COMPOSE_NODE_LOC(v));
}

struct compose_node *compose_service_rebase(struct arena *a,
					    const struct compose_node *svc,
					    const char *dir,
					    const struct compose_env *env)
{
	struct compose_node *c;
	const struct compose_node *n;

	(void)env;
	if (!svc || svc->kind != COMPOSE_NODE_MAP)
		return (struct compose_node *)svc;
	c = (struct compose_node *)svc;
	if ((n = compose_map_get(svc, "build")))
		c = with_key(a, c, "build", rebase_build(a, n, dir));
	if ((n = compose_map_get(svc, "env_file")))
		c = with_key(a, c, "env_file", rebase_env_file(a, n, dir));
	if ((n = compose_map_get(svc, "label_file")))
		c = with_key(a, c, "label_file", rebase_env_file(a, n, dir));
	n = compose_map_get(svc, "volumes");
	if (n && n->kind == COMPOSE_NODE_SEQ) {
		struct compose_node *s =
			compose_node_seq(a, COMPOSE_NODE_LOC(n));

		for (size_t i = 0; i < n->n; i++)
			compose_seq_push(a, s,
					 rebase_volume(a, n->items[i], dir));
		s->tag = n->tag;
		c = with_key(a, c, "volumes", s);
	}
	return c;
}

/* ---- Resolution ------------------------------------------------------- */

static void chain_add(struct sbuf *sb, const struct ext_frame *f)
{
	if (!f)
		return;
	chain_add(sb, f->up);
	sbuf_addf(sb, "%s -> ", f->svc);
}

static int cycle_error(const struct ext_frame *up,
		       const char *name,
		       const struct diag_loc *loc,
		       struct diag *err)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	chain_add(&sb, up);
	sbuf_adds(&sb, name);
	rc = diag_set(err, DIAG_EMODEL, loc,
		      "services.%s.extends: circular reference: %s", up->svc,
		      sb.buf);
	sbuf_release(&sb);
	return rc;
}

static struct compose_node *without_extends(struct arena *a,
					    const struct compose_node *svc)
{
	struct compose_node *c = compose_node_map(a, COMPOSE_NODE_LOC(svc));

	c->tag = svc->tag;
	for (size_t i = 0; i < svc->n; i++)
		if (strcmp(svc->pairs[i].key->str, "extends"))
			compose_map_push(a, c, svc->pairs[i].key,
					 svc->pairs[i].value);
	return c;
}

static int resolve(struct compose_node **out,
		   struct compose_loader *l,
		   const char *file,
		   const struct compose_node *services,
		   const char *name,
		   const struct diag_loc *ref,
		   const struct ext_frame *up,
		   struct diag *err);

/* Services of the file being resolved are found through an index. */
static const struct compose_node *
service_get(const struct compose_loader *l,
	    const struct compose_node *services,
	    const char *name)
{
	size_t i;

	if (services && services == l->indexed) {
		if (!compose_strmap_get(&l->index, name, &i))
			return NULL;
		return services->pairs[i].value;
	}
	return compose_map_get(services, name);
}

static int resolve_base(struct compose_node **out,
			struct compose_loader *l,
			const char *file,
			const struct compose_node *services,
			const struct compose_node *ext,
			const struct ext_frame *frame,
			struct diag *err)
{
	const struct compose_node *sn = ext, *fn = NULL, *other;
	struct compose_node *doc;
	const char *path;
	int rc;

	if (ext->kind == COMPOSE_NODE_MAP) {
		sn = compose_map_get(ext, "service");
		fn = compose_map_get(ext, "file");
	}
	if (!compose_node_str(sn) || (fn && !compose_node_str(fn)))
		return diag_set(err, DIAG_ESCHEMA, COMPOSE_NODE_LOC(ext),
				"services.%s.extends: expected a service name",
				frame->svc);
	if (!fn)
		return resolve(out, l, file, services, sn->str,
			       COMPOSE_NODE_LOC(sn), frame, err);
	path = compose_path_join(l->a, compose_path_dir(l->a, file), fn->str);
	rc = compose_loader_read(&doc, l, path, path, err);
	if (rc) {
		/* A file that cannot be read is pointed at from its 'file:'. */
		if (err && !err->loc.file)
			err->loc = *COMPOSE_NODE_LOC(fn);
		diag_prefix(err, "services.%s.extends.file", frame->svc);
		return rc;
	}
	other = compose_map_get(doc, "services");
	rc = resolve(out, l, path, other, sn->str, COMPOSE_NODE_LOC(sn), frame,
		     err);
	if (!rc)
		*out = compose_service_rebase(
			l->a, *out, compose_path_dir(l->a, path), l->env);
	return rc;
}

static int resolve(struct compose_node **out,
		   struct compose_loader *l,
		   const char *file,
		   const struct compose_node *services,
		   const char *name,
		   const struct diag_loc *ref,
		   const struct ext_frame *up,
		   struct diag *err)
{
	struct ext_frame frame = {file, name, up};
	const struct compose_node *svc = service_get(l, services, name);
	const struct compose_node *ext;
	struct compose_node *base = NULL;
	int rc;

	for (const struct ext_frame *f = up; f; f = f->up)
		if (!strcmp(f->file, file) && !strcmp(f->svc, name))
			return cycle_error(up, name, ref, err);
	if (!svc)
		return diag_set(err, DIAG_ENOTFOUND, ref,
				"services.%s.extends: service '%s' not found",
				up ? up->svc : name, name);
	ext = compose_map_get(svc, "extends");
	if (!ext || svc->kind != COMPOSE_NODE_MAP) {
		*out = (struct compose_node *)svc;
		return 0;
	}
	rc = resolve_base(&base, l, file, services, ext, &frame, err);
	if (rc)
		return rc;
	*out = compose_merge_service(l->a, base, without_extends(l->a, svc));
	return 0;
}

static int extends_all(struct compose_node **out,
		       struct compose_loader *l,
		       const char *abspath,
		       const struct compose_node *services,
		       struct diag *err);

int compose_extends_apply(struct compose_node **doc,
			  struct compose_loader *l,
			  const char *abspath,
			  struct diag *err)
{
	const struct compose_node *services = compose_map_get(*doc, "services");
	const struct compose_node *saved_map;
	struct compose_node *ns = NULL;
	struct compose_strmap saved;
	bool any = false;
	int rc;

	if (!services || services->kind != COMPOSE_NODE_MAP)
		return 0;
	for (size_t i = 0; i < services->n && !any; i++)
		any = MAP_GET(services->pairs[i].value, "extends") != NULL;
	if (!any)
		return 0;
	saved = l->index;
	saved_map = l->indexed;
	compose_strmap_init(&l->index, services->n);
	for (size_t i = 0; i < services->n; i++)
		compose_strmap_put(&l->index, services->pairs[i].key->str, i);
	l->indexed = services;
	rc = extends_all(&ns, l, abspath, services, err);
	compose_strmap_release(&l->index);
	l->index = saved;
	l->indexed = saved_map;
	if (rc)
		return rc;
	if (ns)
		*doc = with_key(l->a, *doc, "services", ns);
	return 0;
}

static int extends_all(struct compose_node **out,
		       struct compose_loader *l,
		       const char *abspath,
		       const struct compose_node *services,
		       struct diag *err)
{
	struct compose_node *ns = NULL;

	for (size_t i = 0; i < services->n; i++) {
		struct compose_node *r = services->pairs[i].value;
		const char *name = services->pairs[i].key->str;

		if (MAP_GET(r, "extends")) {
			int rc = resolve(
				&r, l, abspath, services, name,
				COMPOSE_NODE_LOC(services->pairs[i].key), NULL,
				err);

			if (rc)
				return rc;
			if (!ns) {
				ns = compose_node_map(
					l->a, COMPOSE_NODE_LOC(services));
				for (size_t j = 0; j < i; j++)
					compose_map_push(
						l->a, ns,
						services->pairs[j].key,
						services->pairs[j].value);
			}
		}
		if (ns)
			compose_map_push(l->a, ns, services->pairs[i].key, r);
	}
	*out = ns;
	return 0;
}
