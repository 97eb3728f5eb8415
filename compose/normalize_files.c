/*
 * Secrets and configs: the top-level definitions (file, environment,
 * content, external, name) and each service's references to them (short
 * form "NAME", or source, target, uid, gid, mode), checked against each
 * other as compose-go checks them.
 */
#include "compose/normalize_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

static void fileobj_one(struct norm *n,
			struct compose_fileobj *o,
			const struct compose_pair *pr,
			const char *what)
{
	const struct compose_node *m = pr->value;
	const char *file;

	o->key = pr->key->str;
	o->loc = compose_node_loc(pr->key);
	if (!m || m->kind != COMPOSE_NODE_MAP) {
		norm_err(n, m ? m : pr->key, "%s.%s: expected a mapping", what,
			 o->key);
		return;
	}
	o->external = norm_bool(n, m, "external", false);
	o->name = norm_key_str(m, "name");
	if (!o->name)
		o->name = o->external ? o->key
				      : arena_sprintf(n->a, "%s_%s", n->p->name,
						      o->key);
	file = norm_key_str(m, "file");
	if (file)
		o->file = compose_path_is_abs(file)
				  ? file
				  : compose_path_join(n->a, n->p->working_dir,
						      file);
	o->environment = norm_key_str(m, "environment");
	o->content = norm_key_str(m, "content");
	o->value = o->content	    ? o->content
		   : o->environment ? compose_env_get(n->p->env, o->environment)
				    : NULL;
	o->driver = MAP_GET(m, "driver") || MAP_GET(m, "template_driver");
	if (!o->external && !o->driver &&
	    !!o->file + !!o->environment + !!o->content != 1)
		norm_err(n, m,
			 "%s.%s: expected one of file, environment%s "
			 "(or external)",
			 what, o->key,
			 strcmp(what, "configs") ? "" : ", content");
}

static void files_top(struct norm *n,
		      const struct compose_node *doc,
		      const char *what,
		      struct compose_fileobj **out,
		      size_t *n_out)
{
	const struct compose_node *v =
		compose_map_getn(doc, what, strlen(what));

	if (compose_node_is_null(v))
		return;
	if (v->kind != COMPOSE_NODE_MAP) {
		norm_err(n, v, "%s: expected a mapping", what);
		return;
	}
	*out = arena_calloc(n->a, v->n + 1, sizeof(**out));
	for (size_t i = 0; i < v->n; i++)
		fileobj_one(n, &(*out)[(*n_out)++], &v->pairs[i], what);
}

void norm_files(struct norm *n, const struct compose_node *doc)
{
	files_top(n, doc, "secrets", &n->p->secrets, &n->p->n_secrets);
	files_top(n, doc, "configs", &n->p->configs, &n->p->n_configs);
}

static int parse_mode(const struct compose_node *v)
{
	const char *s = norm_str(v);
	char *end;
	long m;

	if (!s || !*s)
		return -2;
	/* compose-go: a string is octal ("0440"), a YAML number decimal. */
	m = strtol(s, &end, v->style == COMPOSE_SCALAR_PLAIN ? 0 : 8);
	return *end || m < 0 || m > 07777 ? -2 : (int)m;
}

static void fileref_one(struct norm *n,
			struct compose_fileref *r,
			const struct compose_node *v,
			const char *what,
			size_t i)
{
	const struct compose_node *mode;

	r->mode = -1;
	r->loc = compose_node_loc(v);
	if (v->kind == COMPOSE_NODE_SCALAR) {
		r->source = v->str;
		return;
	}
	if (v->kind != COMPOSE_NODE_MAP) {
		norm_err(n, v, "%s[%zu]: expected a name or a mapping", what,
			 i);
		return;
	}
	r->source = norm_key_str(v, "source");
	r->target = norm_key_str(v, "target");
	r->uid = norm_key_str(v, "uid");
	r->gid = norm_key_str(v, "gid");
	mode = MAP_GET(v, "mode");
	if (!compose_node_is_null(mode) && (r->mode = parse_mode(mode)) < -1)
		norm_err(n, mode, "%s[%zu].mode: '%s' is not a file mode", what,
			 i, norm_str(mode) ? norm_str(mode) : "...");
	if (!r->source)
		norm_err(n, v, "%s[%zu]: missing required key 'source'", what,
			 i);
}

static bool defined(const struct compose_fileobj *v, size_t n, const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (!strcmp(v[i].key, key))
			return true;
	return false;
}

static size_t service_refs(struct norm *n,
			   struct compose_fileref **out,
			   const struct compose_node *v,
			   const char *what,
			   const struct compose_fileobj *defs,
			   size_t n_defs)
{
	size_t k = 0;

	if (compose_node_is_null(v))
		return 0;
	if (v->kind != COMPOSE_NODE_SEQ) {
		norm_err(n, v, "%s: expected a list", what);
		return 0;
	}
	*out = arena_calloc(n->a, v->n + 1, sizeof(**out));
	for (size_t i = 0; i < v->n; i++) {
		struct compose_fileref *r = &(*out)[k++];

		fileref_one(n, r, v->items[i], what, i);
		/* compose-go: "service "web" refers to undefined secret x". */
		if (r->source && !defined(defs, n_defs, r->source))
			norm_err(n, v->items[i], "%s[%zu]: '%s' is not defined",
				 what, i, r->source);
	}
	return k;
}

void norm_service_files(struct norm *n,
			struct compose_service *s,
			const struct compose_node *svc)
{
	s->n_secrets = service_refs(n, &s->secrets, MAP_GET(svc, "secrets"),
				    "secrets", n->p->secrets, n->p->n_secrets);
	s->n_configs = service_refs(n, &s->configs, MAP_GET(svc, "configs"),
				    "configs", n->p->configs, n->p->n_configs);
}

const struct compose_fileobj *compose_fileobj_find(
	const struct compose_project *p, bool config, const char *key)
{
	const struct compose_fileobj *v = config ? p->configs : p->secrets;
	size_t n = config ? p->n_configs : p->n_secrets;

	for (size_t i = 0; key && i < n; i++)
		if (!strcmp(v[i].key, key))
			return &v[i];
	return NULL;
}

const char *compose_fileref_target(struct arena *a,
				   const struct compose_fileref *r,
				   bool config)
{
	/* compose v2: secrets under /run/secrets/, configs under /. */
	const char *dir = config ? "/" : "/run/secrets/";

	if (!r->target)
		return arena_sprintf(a, "%s%s", dir, r->source);
	if (r->target[0] == '/' || compose_path_is_abs(r->target))
		return r->target;
	return arena_sprintf(a, "%s%s", dir, r->target);
}
