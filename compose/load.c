/*
 * Loading a project as docker compose v2 does: the environment (process,
 * then .env or --env-file), the files (-f, COMPOSE_FILE or discovery up
 * the directory tree), each file read with its includes and extends, all
 * merged in order, then the project name and the active profiles.
 */
#include "compose/load_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat/compat.h"
#include "util/arena.h"
#include "util/rx.h"
#include "util/xalloc.h"

static const char *const default_files[] = {
	"compose.yaml",
	"compose.yml",
	"docker-compose.yml",
	"docker-compose.yaml",
};
static const char *const override_files[] = {
	"compose.override.yml",
	"compose.override.yaml",
	"docker-compose.override.yml",
	"docker-compose.override.yaml",
};

struct file_list {
	const char **abs;
	const char **display;
	size_t n, alloc;
};

static void files_add(struct arena *a,
		      struct file_list *fl,
		      const char *abs,
		      const char *display)
{
	if (fl->n == fl->alloc) {
		size_t na = fl->alloc ? fl->alloc * 2 : 4;
		const char **x = arena_calloc(a, na, sizeof(*x));
		const char **y = arena_calloc(a, na, sizeof(*y));

		if (fl->n) {
			memcpy(x, fl->abs, fl->n * sizeof(*x));
			memcpy(y, fl->display, fl->n * sizeof(*y));
		}
		fl->abs = x;
		fl->display = y;
		fl->alloc = na;
	}
	fl->abs[fl->n] = abs;
	fl->display[fl->n++] = arena_strdup(a, display);
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* ---- The environment -------------------------------------------------- */

static void env_copy(struct compose_env *dst,
		     const struct compose_env *src,
		     const struct compose_env *unless)
{
	for (size_t i = 0; i < compose_env_count(src); i++) {
		const char *k, *v;

		compose_env_at(src, i, &k, &v);
		if (!unless || !compose_env_get(unless, k))
			compose_env_set(dst, k, v);
	}
}

/*
 * The .env (or each --env-file) only fills what the process environment
 * does not set; a later file replaces an earlier one's values.
 */
static int load_env(struct compose_project *p,
		    const struct compose_options *o,
		    const struct compose_env *proc,
		    const char *envdir,
		    const char *cwd,
		    struct diag *err)
{
	struct arena *a = p->arena;
	struct compose_env *files = compose_env_new(a);
	struct compose_env *lookup = compose_env_new(a);
	int rc;

	env_copy(lookup, proc, NULL);
	for (size_t i = 0; i < o->n_env_files; i++) {
		const char *path = compose_path_join(a, cwd, o->env_files[i]);
		struct compose_env *one = compose_env_new(a);

		if (!is_file(path))
			return diag_set(err, DIAG_EIO, NULL,
					"couldn't find env file: %s", path);
		rc = compose_dotenv_load(one, path, lookup, err);
		if (rc)
			return rc;
		env_copy(files, one, NULL);
		env_copy(lookup, one, proc);
	}
	if (!o->n_env_files) {
		const char *path = compose_path_join(a, envdir, ".env");

		if (is_file(path) &&
		    (rc = compose_dotenv_load(files, path, lookup, err)))
			return rc;
	}
	p->env = compose_env_new(a);
	env_copy(p->env, files, NULL);
	env_copy(p->env, proc, NULL);
	return 0;
}

/* ---- Finding the files ------------------------------------------------ */

static const char *first_found(struct arena *a,
			       const char *dir,
			       const char *const *names,
			       size_t n,
			       struct diag_list *warnings)
{
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *path = compose_path_join(a, dir, names[i]);

		if (!is_file(path))
			continue;
		if (!found)
			found = path;
		else
			diag_list_add(warnings, DIAG_WARNING, DIAG_OK, NULL,
				      "found multiple config files with "
				      "supported names: %s and %s; using %s",
				      found, path, found);
	}
	return found;
}

/* Files are named relative to the working directory, as a user would. */
static const char *
display_name(struct arena *a, const char *cwd, const char *path, int ups)
{
	const char *base = strrchr(path, '/') + 1;
	char *s = arena_alloc(a, (size_t)ups * 3 + strlen(base) + 1);

	(void)cwd;
	for (int i = 0; i < ups; i++)
		strcat(s, "../");
	strcat(s, base);
	return s;
}

static int discover(struct file_list *fl,
		    struct compose_project *p,
		    const char *cwd,
		    struct diag *err)
{
	struct arena *a = p->arena;
	const char *dir = cwd, *up;

	for (int ups = 0;; ups++) {
		const char *f =
			first_found(a, dir, default_files,
				    ARRAY_SIZE(default_files), &p->warnings);

		if (f) {
			const char *ov = first_found(a, dir, override_files,
						     ARRAY_SIZE(override_files),
						     &p->warnings);

			files_add(a, fl, f, display_name(a, cwd, f, ups));
			if (ov)
				files_add(a, fl, ov,
					  display_name(a, cwd, ov, ups));
			return 0;
		}
		/* Up to the root: "/", or a drive's "C:/" on Windows. */
		up = compose_path_dir(a, dir);
		if (!strcmp(up, dir))
			break;
		dir = up;
	}
	return diag_set(err, DIAG_ENOTFOUND, NULL,
			"no configuration file provided: not found");
}

static int pick_files(struct file_list *fl,
		      struct compose_project *p,
		      const struct compose_options *o,
		      const char *cwd,
		      struct diag *err)
{
	struct arena *a = p->arena;
	const char *cf = compose_env_get(p->env, "COMPOSE_FILE");

	if (o->n_files) {
		for (size_t i = 0; i < o->n_files; i++)
			files_add(
				a, fl,
				strcmp(o->files[i], "-")
					? compose_path_join(a, cwd, o->files[i])
					: "-",
				o->files[i]);
		return 0;
	}
	if (cf && *cf) {
		const char *sep =
			compose_env_get(p->env, "COMPOSE_PATH_SEPARATOR");
		char *copy = arena_strdup(a, cf), *save = NULL;
		char dflt[2] = {compat_path_list_sep(), '\0'};

		if (!sep || !*sep)
			sep = dflt;
		for (char *t = strtok_r(copy, sep, &save); t;
		     t = strtok_r(NULL, sep, &save))
			files_add(a, fl, compose_path_join(a, cwd, t), t);
		if (fl->n)
			return 0;
	}
	return discover(fl, p, cwd, err);
}

/* ---- Name and profiles ------------------------------------------------ */

static int invalid_name(struct diag *err, const char *name)
{
	return diag_set(err, DIAG_EUSAGE, NULL,
			"invalid project name '%s': must consist only of "
			"lowercase alphanumeric characters, hyphens, and "
			"underscores as well as start with a letter or number",
			name);
}

/*
 * -p and COMPOSE_PROJECT_NAME must already be valid; `name:` and the
 * directory's name are normalized silently, as compose-go does.
 */
static int project_name(struct compose_project *p,
			const struct compose_options *o,
			struct diag *err)
{
	const char *given = o->project_name;
	const char *n;

	if (!given || !*given)
		given = compose_env_get(p->env, "COMPOSE_PROJECT_NAME");
	if (given && *given) {
		n = compose_project_name_normalize(p->arena, given);
		if (!n || strcmp(n, given) ||
		    !rx_match("^[a-z0-9][a-z0-9_-]*$", n))
			return invalid_name(err, given);
		p->name = n;
		return 0;
	}
	given = compose_node_str(compose_map_get(p->doc, "name"));
	if (given && *given) {
		n = compose_project_name_normalize(p->arena, given);
		if (!n || !rx_match("^[a-z0-9][a-z0-9_-]*$", n))
			return invalid_name(err, given);
		p->name = n;
		return 0;
	}
	given = strrchr(p->working_dir, '/');
	given = given && given[1] ? given + 1 : p->working_dir;
	n = compose_project_name_normalize(p->arena, given);
	if (!n || !*n)
		return diag_set(err, DIAG_EUSAGE, NULL,
				"project name must not be empty");
	p->name = n;
	return 0;
}

static void
strv_add(struct arena *a, struct compose_strv *v, size_t *alloc, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return;
	if (v->n + 1 >= *alloc) {
		size_t na = *alloc ? *alloc * 2 : 8;
		const char **x = arena_calloc(a, na, sizeof(*x));

		if (v->n)
			memcpy(x, v->v, v->n * sizeof(*x));
		v->v = x;
		*alloc = na;
	}
	v->v[v->n++] = s;
}

/*
 * The --profile flags; without any, COMPOSE_PROFILES (comma-separated),
 * as compose-go's WithDefaultProfiles does.
 */
static void active_profiles(struct compose_project *p,
			    const struct compose_options *o)
{
	const char *env = compose_env_get(p->env, "COMPOSE_PROFILES");
	size_t alloc = 0;

	p->active_profiles.v = arena_calloc(p->arena, 1, sizeof(char *));
	for (size_t i = 0; i < o->n_profiles; i++)
		if (o->profiles[i] && *o->profiles[i])
			strv_add(p->arena, &p->active_profiles, &alloc,
				 arena_strdup(p->arena, o->profiles[i]));
	if (env && !p->active_profiles.n) {
		char *copy = arena_strdup(p->arena, env), *save = NULL;

		for (char *t = strtok_r(copy, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			if (*t)
				strv_add(p->arena, &p->active_profiles, &alloc,
					 t);
		}
	}
}

/* ---- The whole ------------------------------------------------------ */

static const char *get_cwd(struct arena *a, const struct compose_options *o)
{
	char buf[PATH_MAX];

	if (o->cwd)
		return compose_path_join(a, "/", o->cwd);
	if (!getcwd(buf, sizeof(buf)))
		return "/";
	return arena_strdup(a, buf);
}

static const char *
env_dir(struct arena *a, const struct compose_options *o, const char *cwd)
{
	if (o->project_dir)
		return compose_path_join(a, cwd, o->project_dir);
	if (o->n_files && strcmp(o->files[0], "-"))
		return compose_path_dir(a,
					compose_path_join(a, cwd, o->files[0]));
	return cwd;
}

/* The merged document with `name:` first, set to the project name. */
static void set_doc_name(struct compose_project *p)
{
	struct compose_node *doc =
		compose_node_map(p->arena, COMPOSE_NODE_LOC(p->doc));
	struct diag_loc loc = compose_node_loc(p->doc);

	compose_map_push(p->arena, doc,
			 compose_node_scalar(p->arena, "name", &loc),
			 compose_node_scalar(p->arena, p->name, &loc));
	for (size_t i = 0; i < p->doc->n; i++)
		if (strcmp(p->doc->pairs[i].key->str, "name"))
			compose_map_push(p->arena, doc, p->doc->pairs[i].key,
					 p->doc->pairs[i].value);
	p->doc = doc;
}

static int load_files(struct compose_project *p,
		      const struct file_list *fl,
		      const struct compose_options *o,
		      const char *cwd,
		      struct diag *err)
{
	struct compose_loader l = {0};

	l.a = p->arena;
	l.env = p->env;
	l.no_interpolate = o->no_interpolate;
	l.cwd = cwd;
	l.warnings = &p->warnings;
	p->config_files.v = arena_calloc(p->arena, fl->n + 1, sizeof(char *));
	for (size_t i = 0; i < fl->n; i++) {
		int rc = compose_loader_file(&p->doc, &l, p->doc, fl->abs[i],
					     fl->display[i], err);

		if (rc)
			return rc;
		p->config_files.v[p->config_files.n++] = fl->abs[i];
	}
	return 0;
}

static int project_load(struct compose_project *p,
			const struct compose_options *o,
			struct diag *err)
{
	struct compose_env *proc = compose_env_new(p->arena);
	struct file_list fl = {0};
	const char *cwd = get_cwd(p->arena, o);
	int rc;

	compose_env_import(proc, o->environ_ ? o->environ_ : compat_environ());
	rc = load_env(p, o, proc, env_dir(p->arena, o, cwd), cwd, err);
	if (!rc)
		rc = pick_files(&fl, p, o, cwd, err);
	if (rc)
		return rc;
	if (o->project_dir)
		p->working_dir =
			compose_path_join(p->arena, cwd, o->project_dir);
	else if (strcmp(fl.abs[0], "-"))
		p->working_dir = compose_path_dir(p->arena, fl.abs[0]);
	else
		p->working_dir = cwd;
	rc = load_files(p, &fl, o, cwd, err);
	if (!rc)
		rc = project_name(p, o, err);
	if (rc)
		return rc;
	active_profiles(p, o);
	set_doc_name(p);
	compose_doc_unique(p->arena, p->doc);
	return 0;
}

/*
 * An error's location names a file whose name lives in the project's
 * arena, which goes away with a failed load: keep a copy that lives on
 * (a few rotating buffers, so that recent errors stay valid).
 */
static void keep_err_file(struct diag *err)
{
	static char keep[4][1024];
	static unsigned next;
	char *buf;

	if (!err || !err->loc.file)
		return;
	buf = keep[next++ % ARRAY_SIZE(keep)];
	snprintf(buf, sizeof(keep[0]), "%s", err->loc.file);
	err->loc.file = buf;
}

int compose_project_load(struct compose_project **out,
			 const struct compose_options *opts,
			 struct diag *err)
{
	struct arena *a = arena_new();
	struct compose_project *p = arena_alloc(a, sizeof(*p));
	int rc;

	p->arena = a;
	*out = NULL;
	rc = project_load(p, opts, err);
	if (rc) {
		keep_err_file(err);
		compose_project_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void compose_project_free(struct compose_project *p)
{
	if (!p)
		return;
	diag_list_release(&p->warnings);
	arena_free(p->arena);
}
