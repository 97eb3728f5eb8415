/* Reading one compose file: parse, interpolate, include and extends. */
#include "compose/load_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static int read_all(struct sbuf *sb,
		    const char *path,
		    const char *display,
		    struct diag *err)
{
	FILE *f;
	int rc;

	if (!strcmp(path, "-"))
		return compose_read_bounded(sb, stdin, "stdin", err);
	f = fopen(path, "rb");
	if (!f)
		return diag_set(err, DIAG_EIO, NULL, "cannot open '%s': %s",
				display, strerror(errno));
	rc = compose_read_bounded(sb, f, display, err);
	fclose(f);
	return rc;
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

/* compose_yaml_limits' default, shared by all documents of a file. */
#define FILE_MAX_NODES 1000000

static struct compose_file_docs *cache_get(const struct compose_loader *l,
					   const char *abspath)
{
	for (size_t i = 0; i < l->n_files; i++)
		if (!strcmp(l->files[i].path, abspath))
			return &l->files[i];
	return NULL;
}

static struct compose_file_docs *cache_put(struct compose_loader *l,
					   const char *abspath)
{
	struct compose_file_docs *f;

	if (l->n_files == l->alloc_files) {
		size_t na = l->alloc_files ? l->alloc_files * 2 : 4;

		f = arena_calloc(l->a, na, sizeof(*f));
		if (l->n_files)
			memcpy(f, l->files, l->n_files * sizeof(*f));
		l->files = f;
		l->alloc_files = na;
	}
	f = &l->files[l->n_files++];
	f->path = arena_strdup(l->a, abspath);
	return f;
}

/* Checks and interpolates one document and adds it to 'f'. */
static int add_doc(struct compose_file_docs *f,
		   struct compose_loader *l,
		   struct compose_node *doc,
		   size_t total,
		   struct diag *err)
{
	struct compose_interp_opts io = {.warn_unset = warn_unset,
					 .userdata = l};

	if (doc->kind != COMPOSE_NODE_MAP)
		return diag_set(err, DIAG_ESCHEMA, COMPOSE_NODE_LOC(doc),
				"top-level object must be a mapping");
	if (!l->no_interpolate) {
		int rc = compose_interpolate_tree_ex(doc, l->a, l->env, &io,
						     err);

		if (rc)
			return rc;
	}
	if (!f->docs)
		f->docs = arena_calloc(l->a, total, sizeof(*f->docs));
	f->docs[f->n++] = doc;
	return 0;
}

/*
 * Every document of the stream, in order (compose-go reads them all and
 * skips the empty ones).  They share one node budget, so a file of many
 * documents cannot expand further than one.
 */
static int parse_docs(struct compose_file_docs *f,
		      struct compose_loader *l,
		      const char *display,
		      const struct sbuf *sb,
		      struct diag *err)
{
	struct compose_yaml_limits lim = {.max_nodes = FILE_MAX_NODES};
	struct compose_node **docs;
	size_t n;
	int rc;

	rc = compose_yaml_parse_docs(&docs, &n, l->a, display, sb->buf, sb->len,
				     &lim, err);
	for (size_t i = 0; i < n && !rc; i++)
		if (docs[i])
			rc = add_doc(f, l, docs[i], n, err);
	return rc;
}

static int read_docs(const struct compose_file_docs **out,
		     struct compose_loader *l,
		     const char *abspath,
		     const char *display,
		     struct diag *err)
{
	struct compose_file_docs parsed = {0}, *f = cache_get(l, abspath);
	struct sbuf sb = SBUF_INIT;
	struct diag_loc loc = {0};
	int rc;

	if (f) {
		*out = f;
		return 0;
	}
	rc = read_all(&sb, abspath, display, err);
	if (!rc && compat_memmem(sb.buf, sb.len, "!reset", 6))
		l->saw_reset = true;
	if (!rc)
		rc = parse_docs(&parsed, l, display, &sb, err);
	sbuf_release(&sb);
	if (rc)
		return rc;
	if (!parsed.n) {
		loc.file = arena_strdup(l->a, display);
		return diag_set(err, DIAG_ESCHEMA, &loc, "empty compose file");
	}
	f = cache_put(l, abspath);
	f->docs = parsed.docs;
	f->n = parsed.n;
	*out = f;
	return 0;
}

/* Lays one more document over 'acc' (NULL for the first). */
static struct compose_node *merge_in_order(struct compose_loader *l,
					   struct compose_node *acc,
					   struct compose_node *doc)
{
	/* Merging into nothing only strips '!reset' keys. */
	if (!acc && !l->saw_reset)
		return doc;
	return compose_merge_docs(l->a, acc, doc);
}

int compose_loader_read(struct compose_node **out,
			struct compose_loader *l,
			const char *abspath,
			const char *display,
			struct diag *err)
{
	const struct compose_file_docs *f = NULL;
	struct compose_file_docs *fm;
	int rc = read_docs(&f, l, abspath, display, err);

	if (rc)
		return rc;
	if (f->n == 1) {
		*out = f->docs[0];
		return 0;
	}
	fm = cache_get(l, abspath);
	if (!fm->merged) {
		struct compose_node *acc = NULL;

		for (size_t i = 0; i < f->n; i++)
			acc = merge_in_order(l, acc, f->docs[i]);
		fm->merged = acc;
	}
	*out = fm->merged;
	return 0;
}

int compose_loader_file(struct compose_node **out,
			struct compose_loader *l,
			struct compose_node *base,
			const char *abspath,
			const char *display,
			struct diag *err)
{
	const struct compose_file_docs *f = NULL;
	struct compose_node **docs;
	int rc = read_docs(&f, l, abspath, display, err);
	const char *dir =
		strcmp(abspath, "-") ? compose_path_dir(l->a, abspath) : l->cwd;
	size_t n;

	if (rc)
		return rc;
	l->path = abspath;
	/* Include and extends may read files and move the cache. */
	docs = f->docs;
	n = f->n;
	for (size_t i = 0; i < n; i++) {
		struct compose_node *doc = docs[i];

		/* As compose-go: include first, so a service may extend one. */
		rc = compose_include_apply(&doc, l, dir, err);
		if (!rc)
			rc = compose_extends_apply(&doc, l, abspath, err);
		if (rc)
			return rc;
		base = merge_in_order(l, base, doc);
	}
	*out = base;
	return 0;
}
