/* Reading one compose file: parse, interpolate, include and extends. */
#include "compose/load_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static int read_stream(struct sbuf *sb, FILE *f)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(sb, buf, n);
	return ferror(f) ? -1 : 0;
}

static int read_all(struct sbuf *sb,
		    const char *path,
		    const char *display,
		    struct diag *err)
{
	FILE *f;
	int rc;

	if (!strcmp(path, "-"))
		return read_stream(sb, stdin) ? diag_set(err, DIAG_EIO, NULL,
							 "cannot read stdin")
					      : 0;
	f = fopen(path, "rb");
	if (!f)
		return diag_set(err, DIAG_EIO, NULL, "cannot open '%s': %s",
				display, strerror(errno));
	rc = read_stream(sb, f);
	fclose(f);
	if (rc)
		return diag_set(err, DIAG_EIO, NULL, "cannot read '%s': %s",
				display, strerror(errno));
	return 0;
}

static void
warn_unset(void *userdata, const char *name, const struct diag_loc *loc)
{
	struct compose_loader *l = userdata;

	if (l->warnings)
		diag_list_add(l->warnings, DIAG_WARNING, DIAG_EINTERP, loc,
			      "the '%s' variable is not set, defaulting to a "
			      "blank string",
			      name);
}

static struct compose_node *cache_get(const struct compose_loader *l,
				      const char *abspath)
{
	for (size_t i = 0; i < l->n_docs; i++)
		if (!strcmp(l->paths[i], abspath))
			return l->docs[i];
	return NULL;
}

static void cache_put(struct compose_loader *l,
		      const char *abspath,
		      struct compose_node *doc)
{
	if (l->n_docs == l->alloc_docs) {
		size_t na = l->alloc_docs ? l->alloc_docs * 2 : 4;
		const char **p = arena_calloc(l->a, na, sizeof(*p));
		struct compose_node **d = arena_calloc(l->a, na, sizeof(*d));

		if (l->n_docs) {
			memcpy(p, l->paths, l->n_docs * sizeof(*p));
			memcpy(d, l->docs, l->n_docs * sizeof(*d));
		}
		l->paths = p;
		l->docs = d;
		l->alloc_docs = na;
	}
	l->paths[l->n_docs] = arena_strdup(l->a, abspath);
	l->docs[l->n_docs++] = doc;
}

int compose_loader_read(struct compose_node **out,
			struct compose_loader *l,
			const char *abspath,
			const char *display,
			struct diag *err)
{
	struct compose_interp_opts io = {.warn_unset = warn_unset,
					 .userdata = l};
	struct sbuf sb = SBUF_INIT;
	struct compose_node *doc = cache_get(l, abspath);
	struct diag_loc loc = {0};
	int rc;

	if (doc) {
		*out = doc;
		return 0;
	}
	rc = read_all(&sb, abspath, display, err);
	if (!rc && memmem(sb.buf, sb.len, "!reset", 6))
		l->saw_reset = true;
	if (!rc)
		rc = compose_yaml_parse(&doc, l->a, display, sb.buf, sb.len,
					NULL, err);
	sbuf_release(&sb);
	if (rc)
		return rc;
	loc.file = doc ? atom_name(doc->file) : arena_strdup(l->a, display);
	if (!doc)
		return diag_set(err, DIAG_ESCHEMA, &loc, "empty compose file");
	if (doc->kind != COMPOSE_NODE_MAP)
		return diag_set(err, DIAG_ESCHEMA, COMPOSE_NODE_LOC(doc),
				"top-level object must be a mapping");
	if (!l->no_interpolate) {
		rc = compose_interpolate_tree_ex(doc, l->a, l->env, &io, err);
		if (rc)
			return rc;
	}
	cache_put(l, abspath, doc);
	*out = doc;
	return 0;
}

int compose_loader_file(struct compose_node **out,
			struct compose_loader *l,
			const char *abspath,
			const char *display,
			struct diag *err)
{
	struct compose_node *doc = NULL;
	int rc = compose_loader_read(&doc, l, abspath, display, err);
	const char *dir =
		strcmp(abspath, "-") ? compose_path_dir(l->a, abspath) : l->cwd;

	/* As compose-go: include first, so a service may extend one of them. */
	if (!rc)
		rc = compose_include_apply(&doc, l, dir, err);
	if (!rc)
		rc = compose_extends_apply(&doc, l, abspath, err);
	if (rc)
		return rc;
	*out = doc;
	return 0;
}
