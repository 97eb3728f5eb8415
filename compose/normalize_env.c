/*
 * Normalization helpers, and the key/value attributes of a service:
 * environment (with env_file) and labels (with label_file).
 */
#include "compose/normalize_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/arena.h"

static void norm_verr(struct norm *n,
		      const struct diag_loc *loc,
		      const char *fmt,
		      va_list ap) __attribute__((format(printf, 3, 0)));

static void norm_verr(struct norm *n,
		      const struct diag_loc *loc,
		      const char *fmt,
		      va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n->svc)
		diag_list_add(n->dl, DIAG_ERROR, DIAG_EMODEL, loc,
			      "services.%s.%s", n->svc, msg);
	else
		diag_list_add(n->dl, DIAG_ERROR, DIAG_EMODEL, loc, "%s", msg);
}

void norm_err(struct norm *n,
	      const struct compose_node *at,
	      const char *fmt,
	      ...)
{
	va_list ap;

	va_start(ap, fmt);
	norm_verr(n, at ? COMPOSE_NODE_LOC(at) : NULL, fmt, ap);
	va_end(ap);
}

void norm_errl(struct norm *n, const struct diag_loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	norm_verr(n, loc, fmt, ap);
	va_end(ap);
}

const char *norm_str(const struct compose_node *n)
{
	if (!n || n->kind != COMPOSE_NODE_SCALAR)
		return NULL;
	return n->str;
}

const char *norm_key_str(const struct compose_node *m, const char *key)
{
	const struct compose_node *v = compose_map_getn(m, key, strlen(key));

	if (compose_node_is_null(v))
		return NULL;
	return norm_str(v);
}

bool norm_bool(struct norm *n,
	       const struct compose_node *m,
	       const char *key,
	       bool def)
{
	int t = norm_tristate(n, m, key);

	return t < 0 ? def : t == 1;
}

int norm_tristate(struct norm *n, const struct compose_node *m, const char *key)
{
	const struct compose_node *v = compose_map_getn(m, key, strlen(key));
	const char *s = norm_str(v);

	if (compose_node_is_null(v))
		return -1;
	if (s &&
	    (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")))
		return 1;
	if (s &&
	    (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")))
		return 0;
	norm_err(n, v, "%s: '%s' is not a boolean", key, s ? s : "...");
	return -1;
}

long long norm_duration(struct norm *n,
			const struct compose_node *m,
			const char *key,
			const char *what)
{
	const struct compose_node *v = compose_map_getn(m, key, strlen(key));
	const char *s = norm_str(v);
	long long ns;

	if (compose_node_is_null(v))
		return -1;
	/* As compose-go (time.ParseDuration): "10" has no unit, "0" is fine. */
	if (!s || compose_duration_parse(&ns, s) || ns < 0) {
		norm_err(n, v,
			 "%s: '%s' is not a valid duration (a number with a "
			 "unit, e.g. '10s', '1m30s', '500ms')",
			 what, s ? s : "...");
		return -1;
	}
	return ns;
}

struct compose_strv
norm_strv(struct norm *n, const struct compose_node *v, const char *what)
{
	struct compose_strv r = {0};

	if (compose_node_is_null(v))
		return r;
	if (v->kind == COMPOSE_NODE_SCALAR) {
		r.v = arena_calloc(n->a, 2, sizeof(*r.v));
		r.v[r.n++] = v->str;
		return r;
	}
	if (v->kind != COMPOSE_NODE_SEQ) {
		norm_err(n, v, "%s: expected a string or a list", what);
		return r;
	}
	r.v = arena_calloc(n->a, v->n + 1, sizeof(*r.v));
	for (size_t i = 0; i < v->n; i++) {
		if (!norm_str(v->items[i]))
			norm_err(n, v->items[i], "%s[%zu]: expected a string",
				 what, i);
		else
			r.v[r.n++] = v->items[i]->str;
	}
	return r;
}

/* Appends or replaces; the lists are short, so a scan is cheapest. */
static void kv_put(struct compose_kv *kv,
		   size_t *nr,
		   const char *k,
		   const char *v,
		   const struct diag_loc *loc)
{
	for (size_t i = 0; i < *nr; i++) {
		if (!strcmp(kv[i].key, k)) {
			kv[i].value = v;
			kv[i].loc = *loc;
			return;
		}
	}
	kv[*nr].key = k;
	kv[*nr].value = v;
	kv[*nr].loc = *loc;
	(*nr)++;
}

static const char *bare_value(struct norm *n, const char *k, bool from_env)
{
	return from_env ? compose_env_get(n->p->env, k) : NULL;
}

static void kv_item(struct norm *n,
		    struct compose_kv *kv,
		    size_t *nr,
		    const struct compose_node *it,
		    const char *what,
		    const char *seps,
		    size_t idx,
		    bool from_env)
{
	const char *s = norm_str(it);
	size_t klen;

	if (!s || !*s) {
		norm_err(n, it, "%s[%zu]: expected a 'KEY=VALUE' string", what,
			 idx);
		return;
	}
	klen = strchr(s, '=') ? strcspn(s, "=") : strcspn(s, seps);
	if (!s[klen]) {
		kv_put(kv, nr, s, bare_value(n, s, from_env),
		       COMPOSE_NODE_LOC(it));
		return;
	}
	kv_put(kv, nr, arena_strndup(n->a, s, klen),
	       arena_strdup(n->a, s + klen + 1), COMPOSE_NODE_LOC(it));
}

size_t norm_kv(struct norm *n,
	       struct compose_kv **out,
	       const struct compose_node *v,
	       const char *what,
	       const char *seps,
	       bool from_env)
{
	size_t nr = 0;

	*out = NULL;
	if (compose_node_is_null(v))
		return 0;
	if (v->kind == COMPOSE_NODE_SCALAR) {
		norm_err(n, v, "%s: expected a list or a mapping", what);
		return 0;
	}
	*out = arena_calloc(n->a, v->n, sizeof(**out));
	for (size_t i = 0; i < v->n; i++) {
		const struct compose_node *val;
		const char *k;

		if (v->kind == COMPOSE_NODE_SEQ) {
			kv_item(n, *out, &nr, v->items[i], what, seps, i,
				from_env);
			continue;
		}
		k = v->pairs[i].key->str;
		val = v->pairs[i].value;
		if (compose_node_is_null(val))
			kv_put(*out, &nr, k, bare_value(n, k, from_env),
			       COMPOSE_NODE_LOC(v->pairs[i].key));
		else if (norm_str(val))
			kv_put(*out, &nr, k, val->str, COMPOSE_NODE_LOC(val));
		else
			norm_err(n, val,
				 "%s.%s: expected a string, number or "
				 "boolean",
				 what, k);
	}
	return nr;
}

/* ---- env_file --------------------------------------------------------- */

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static void env_file_one(struct norm *n,
			 struct compose_env *acc,
			 const struct compose_node *it,
			 size_t idx)
{
	const struct compose_node *pn = it;
	const char *path, *format = NULL;
	bool required = true;
	struct diag err = {0};

	if (it->kind == COMPOSE_NODE_MAP) {
		pn = MAP_GET(it, "path");
		required = norm_bool(n, it, "required", true);
		format = norm_key_str(it, "format");
	}
	/* compose-go knows its own dotenv format, the CLI adds "raw". */
	if (format && strcmp(format, "raw") && strcmp(format, "dotenv")) {
		norm_err(n, MAP_GET(it, "format"),
			 "env_file[%zu].format: '%s' is not a known format "
			 "(use 'raw' or 'dotenv')",
			 idx, format);
		return;
	}
	if (!norm_str(pn)) {
		norm_err(n, it, "env_file[%zu]: expected a path", idx);
		return;
	}
	path = compose_path_join(
		n->a, n->p->working_dir,
		compose_path_expand_home(n->a, pn->str, n->p->env));
	if (!file_exists(path)) {
		if (required)
			norm_err(n, pn,
				 "env_file[%zu]: env file '%s' not found", idx,
				 path);
		return;
	}
	if (compose_dotenv_load_fmt(acc, path, n->p->env,
				    format && !strcmp(format, "raw"), &err))
		diag_list_add_diag(n->dl, DIAG_ERROR, &err);
}

static void
env_files(struct norm *n, struct compose_env *acc, const struct compose_node *v)
{
	if (compose_node_is_null(v))
		return;
	if (v->kind == COMPOSE_NODE_SEQ) {
		for (size_t i = 0; i < v->n; i++)
			env_file_one(n, acc, v->items[i], i);
		return;
	}
	env_file_one(n, acc, v, 0);
}

/*
 * The variables of 'acc' (read from files, located at 'files'), then the
 * entries of 'kv' over them: `environment` over env_file, `labels` over
 * label_file.
 */
static size_t kv_over_files(struct norm *n,
			    struct compose_kv **out,
			    const struct compose_env *acc,
			    const struct compose_node *files,
			    const struct compose_kv *kv,
			    size_t nkv)
{
	size_t nfile = compose_env_count(acc), total = 0;

	*out = arena_calloc(n->a, nfile + nkv + 1, sizeof(**out));
	for (size_t i = 0; i < nfile; i++) {
		const char *k, *val;

		compose_env_at(acc, i, &k, &val);
		kv_put(*out, &total, k, val, COMPOSE_NODE_LOC(files));
	}
	for (size_t i = 0; i < nkv; i++)
		kv_put(*out, &total, kv[i].key, kv[i].value, &kv[i].loc);
	return total;
}

/* env_file values first; `environment` overrides them. */
static void env_with_files(struct norm *n,
			   struct compose_service *s,
			   const struct compose_node *ef,
			   const struct compose_kv *env,
			   size_t nenv)
{
	struct compose_env *acc = compose_env_new(n->a);

	env_files(n, acc, ef);
	s->n_environment =
		kv_over_files(n, &s->environment, acc, ef, env, nenv);
}

/* ---- label_file ------------------------------------------------------- */

/*
 * compose-go (Project.WithServicesLabelsResolved) reads each file with the
 * .env rules, a later file winning over an earlier one; a ${VAR} in a file
 * looks only at the labels read before it, not at the shell.  A missing
 * file is an error: label_file has no 'required'.
 */
static void label_file_one(struct norm *n,
			   struct compose_env *acc,
			   const struct compose_node *it,
			   size_t idx)
{
	struct compose_env *one;
	struct diag err = {0};
	const char *path, *k, *v;

	if (!norm_str(it) || !*it->str) {
		norm_err(n, it, "label_file[%zu]: expected a path", idx);
		return;
	}
	path = compose_path_join(
		n->a, n->p->working_dir,
		compose_path_expand_home(n->a, it->str, n->p->env));
	if (!file_exists(path)) {
		norm_err(n, it, "label_file[%zu]: label file '%s' not found",
			 idx, path);
		return;
	}
	one = compose_env_new(n->a);
	if (compose_dotenv_load(one, path, acc, &err)) {
		diag_list_add_diag(n->dl, DIAG_ERROR, &err);
		return;
	}
	for (size_t i = 0; i < compose_env_count(one); i++) {
		compose_env_at(one, i, &k, &v);
		compose_env_set(acc, k, v);
	}
}

/* label_file's labels first; `labels` overrides them. */
static void labels_with_files(struct norm *n,
			      struct compose_service *s,
			      const struct compose_node *lf,
			      const struct compose_kv *labels,
			      size_t nlabels)
{
	struct compose_env *acc = compose_env_new(n->a);

	if (lf->kind == COMPOSE_NODE_SEQ)
		for (size_t i = 0; i < lf->n; i++)
			label_file_one(n, acc, lf->items[i], i);
	else
		label_file_one(n, acc, lf, 0);
	s->n_labels = kv_over_files(n, &s->labels, acc, lf, labels, nlabels);
}

void norm_service_env(struct norm *n,
		      struct compose_service *s,
		      const struct compose_node *svc)
{
	const struct compose_node *ef = MAP_GET(svc, "env_file");
	const struct compose_node *lf = MAP_GET(svc, "label_file");
	struct compose_kv *env = NULL;
	size_t nenv = norm_kv(n, &env, MAP_GET(svc, "environment"),
			      "environment", "=", true);

	if (ef) {
		env_with_files(n, s, ef, env, nenv);
	} else {
		s->environment = env;
		s->n_environment = nenv;
	}
	s->n_labels = norm_kv(n, &s->labels, MAP_GET(svc, "labels"), "labels",
			      "=", false);
	if (!compose_node_is_null(lf))
		labels_with_files(n, s, lf, s->labels, s->n_labels);
	for (size_t i = 0; i < s->n_labels; i++)
		if (!s->labels[i].value)
			s->labels[i].value = "";
	norm_service_hosts(n, s, MAP_GET(svc, "extra_hosts"));
}
