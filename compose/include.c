/*
 * Top-level `include`: each entry loads as a project of its own (its own
 * directory, its own env file) whose services, networks and volumes join
 * the including file's.  A service defined on both sides is an error.
 */
#include "compose/load_int.h"

#include <string.h>
#include <sys/stat.h>

#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define INCLUDE_MAX_DEPTH 32

struct include_entry {
	const struct compose_node *node;
	const struct compose_node **paths;
	size_t n_paths;
	const char *project_dir;
	const struct compose_node **env_files;
	size_t n_env_files;
};

static size_t strs_of(const struct compose_node ***out,
		      struct arena *a,
		      const struct compose_node *n)
{
	if (!n)
		return 0;
	if (n->kind == COMPOSE_NODE_SCALAR) {
		*out = arena_calloc(a, 1, sizeof(**out));
		(*out)[0] = n;
		return 1;
	}
	if (n->kind != COMPOSE_NODE_SEQ)
		return 0;
	*out = arena_calloc(a, n->n + 1, sizeof(**out));
	for (size_t i = 0; i < n->n; i++)
		(*out)[i] = n->items[i];
	return n->n;
}

static int entry_parse(struct include_entry *e,
		       struct arena *a,
		       const struct compose_node *n,
		       size_t idx,
		       struct diag *err)
{
	memset(e, 0, sizeof(*e));
	e->node = n;
	if (n->kind == COMPOSE_NODE_MAP) {
		e->n_paths = strs_of(&e->paths, a, compose_map_get(n, "path"));
		e->project_dir = compose_node_str(
			compose_map_get(n, "project_directory"));
		e->n_env_files = strs_of(&e->env_files, a,
					 compose_map_get(n, "env_file"));
	} else {
		e->n_paths = strs_of(&e->paths, a, n);
	}
	for (size_t i = 0; i < e->n_paths; i++)
		if (!compose_node_str(e->paths[i]))
			e->n_paths = 0;
	if (!e->n_paths)
		return diag_set(err, DIAG_ESCHEMA, COMPOSE_NODE_LOC(n),
				"include[%zu]: expected a path", idx);
	return 0;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* The parent's variables win over the included project's env files. */
static int include_env(struct compose_env **out,
		       struct compose_loader *l,
		       const struct include_entry *e,
		       const char *dir,
		       const char *pdir,
		       struct diag *err)
{
	struct compose_env *files = compose_env_new(l->a);
	struct compose_env *env = compose_env_new(l->a);
	size_t i;
	int rc;

	for (i = 0; i < e->n_env_files; i++) {
		const char *p =
			compose_path_join(l->a, dir, e->env_files[i]->str);

		rc = compose_dotenv_load(files, p, l->env, err);
		if (rc)
			return rc;
	}
	if (!e->n_env_files) {
		const char *p = compose_path_join(l->a, pdir, ".env");

		if (file_exists(p) &&
		    (rc = compose_dotenv_load(files, p, l->env, err)))
			return rc;
	}
	for (i = 0; i < compose_env_count(files); i++) {
		const char *k, *v;

		compose_env_at(files, i, &k, &v);
		compose_env_set(env, k, v);
	}
	for (i = 0; i < compose_env_count(l->env); i++) {
		const char *k, *v;

		compose_env_at(l->env, i, &k, &v);
		compose_env_set(env, k, v);
	}
	*out = env;
	return 0;
}

/*
 * 'path' is already being read further up the include chain: a cycle,
 * named file by file from where it starts ("a.yaml -> b.yaml -> a.yaml").
 */
static int include_cycle(const struct compose_loader *l,
			 const struct include_entry *e,
			 const char *path,
			 struct diag *err)
{
	const struct compose_loader *chain[INCLUDE_MAX_DEPTH + 2];
	struct sbuf sb = SBUF_INIT;
	size_t n = 0;
	int rc;

	for (const struct compose_loader *x = l;
	     x && n < ARRAY_SIZE(chain); x = x->parent) {
		chain[n++] = x;
		if (x->path && !strcmp(x->path, path))
			break;
	}
	if (!n || !chain[n - 1]->path || strcmp(chain[n - 1]->path, path))
		return 0;
	while (n--)
		sbuf_addf(&sb, "%s -> ", chain[n]->path);
	sbuf_adds(&sb, path);
	rc = diag_set(err, DIAG_EMODEL, COMPOSE_NODE_LOC(e->node),
		      "include cycle: %s", sb.buf);
	sbuf_release(&sb);
	return rc;
}

/* Loads one entry's files as a sub-project; paths come back absolute. */
static int include_load(struct compose_node **out,
			struct compose_loader *l,
			const struct include_entry *e,
			const char *dir,
			struct diag *err)
{
	struct compose_loader sub = {0};
	struct compose_node *merged = NULL, *svcs;
	const struct compose_node *services;
	const char *first = compose_path_join(l->a, dir, e->paths[0]->str);
	const char *pdir =
		e->project_dir ? compose_path_join(l->a, dir, e->project_dir)
			       : compose_path_dir(l->a, first);
	int rc;

	sub.a = l->a;
	sub.no_interpolate = l->no_interpolate;
	sub.cwd = l->cwd;
	sub.depth = l->depth + 1;
	sub.warnings = l->warnings;
	sub.parent = l;
	if (sub.depth > INCLUDE_MAX_DEPTH)
		return diag_set(err, DIAG_ELIMIT, COMPOSE_NODE_LOC(e->node),
				"include: nested more than %d levels deep",
				INCLUDE_MAX_DEPTH);
	rc = include_env(&sub.env, l, e, dir, pdir, err);
	for (size_t i = 0; !rc && i < e->n_paths; i++) {
		const char *p = compose_path_join(l->a, dir, e->paths[i]->str);

		rc = include_cycle(l, e, p, err);
		if (!rc)
			rc = compose_loader_file(&merged, &sub, merged, p, p,
						 err);
	}
	if (rc)
		return rc;
	services = compose_map_get(merged, "services");
	svcs = compose_node_map(l->a,
				services ? COMPOSE_NODE_LOC(services) : NULL);
	for (size_t i = 0; services && i < services->n; i++)
		compose_map_push(
			l->a, svcs, services->pairs[i].key,
			compose_service_rebase(l->a, services->pairs[i].value,
					       pdir, sub.env));
	*out = compose_node_map(l->a, COMPOSE_NODE_LOC(merged));
	compose_map_push(
		l->a, *out,
		compose_node_scalar(l->a, "services", COMPOSE_NODE_LOC(merged)),
		svcs);
	for (size_t i = 0; i < merged->n; i++)
		if (!strcmp(merged->pairs[i].key->str, "networks") ||
		    !strcmp(merged->pairs[i].key->str, "volumes") ||
		    !strcmp(merged->pairs[i].key->str, "secrets") ||
		    !strcmp(merged->pairs[i].key->str, "configs"))
			compose_map_push(l->a, *out, merged->pairs[i].key,
					 merged->pairs[i].value);
	return 0;
}

static int check_conflicts(const struct compose_node *imported,
			   const struct compose_node *doc,
			   struct diag *err)
{
	const struct compose_node *is = compose_map_get(imported, "services");
	const struct compose_node *ds = compose_map_get(doc, "services");
	struct compose_strmap idx = {0};
	int rc = 0;

	if (!is || !ds || ds->kind != COMPOSE_NODE_MAP)
		return 0;
	for (size_t i = 0; i < is->n; i++)
		compose_strmap_put(&idx, is->pairs[i].key->str, i);
	for (size_t i = 0, j; !rc && i < ds->n; i++)
		if (compose_strmap_get(&idx, ds->pairs[i].key->str, &j))
			rc = diag_set(
				err, DIAG_EMODEL,
				COMPOSE_NODE_LOC(ds->pairs[i].key),
				"services.%s: conflicts with the service "
				"of the same name imported from '%s'",
				ds->pairs[i].key->str,
				atom_name(is->pairs[j].key->file)
					? atom_name(is->pairs[j].key->file)
					: "include");
	compose_strmap_release(&idx);
	return rc;
}

int compose_include_apply(struct compose_node **doc,
			  struct compose_loader *l,
			  const char *dir,
			  struct diag *err)
{
	const struct compose_node *inc = compose_map_get(*doc, "include");
	struct compose_node *acc = NULL, *rest, *one = NULL;
	struct include_entry e;
	int rc;

	if (!inc)
		return 0;
	if (inc->kind != COMPOSE_NODE_SEQ)
		return diag_set(err, DIAG_ESCHEMA, COMPOSE_NODE_LOC(inc),
				"include: expected a list");
	for (size_t i = 0; i < inc->n; i++) {
		rc = entry_parse(&e, l->a, inc->items[i], i, err);
		if (!rc)
			rc = include_load(&one, l, &e, dir, err);
		if (!rc)
			rc = check_conflicts(acc, one, err);
		if (rc)
			return rc;
		acc = compose_merge_docs(l->a, acc, one);
	}
	rest = compose_node_map(l->a, COMPOSE_NODE_LOC(*doc));
	for (size_t i = 0; i < (*doc)->n; i++)
		if (strcmp((*doc)->pairs[i].key->str, "include"))
			compose_map_push(l->a, rest, (*doc)->pairs[i].key,
					 (*doc)->pairs[i].value);
	rc = check_conflicts(acc, rest, err);
	if (rc)
		return rc;
	*doc = compose_merge_docs(l->a, acc, rest);
	return 0;
}
