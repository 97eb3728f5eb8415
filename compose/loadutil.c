/* Helpers of the project layer: a string hash map, node and path tools. */
#include "compose/load_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* FNV-1a: short keys, no need for anything stronger. */
static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

void compose_strmap_init(struct compose_strmap *m, size_t expect)
{
	size_t cap = 16;

	while (cap < expect * 2)
		cap *= 2;
	m->ent = xcalloc(cap, sizeof(*m->ent));
	m->cap = cap;
	m->n = 0;
}

void compose_strmap_release(struct compose_strmap *m)
{
	free(m->ent);
	m->ent = NULL;
	m->cap = m->n = 0;
}

static struct compose_strmap_ent *slot(const struct compose_strmap *m,
				       const char *key)
{
	size_t i = str_hash(key) & (m->cap - 1);

	while (m->ent[i].key && strcmp(m->ent[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->ent[i];
}

bool compose_strmap_get(const struct compose_strmap *m,
			const char *key,
			size_t *out)
{
	const struct compose_strmap_ent *e;

	if (!m->cap)
		return false;
	e = slot(m, key);
	if (!e->key)
		return false;
	if (out)
		*out = e->val;
	return true;
}

static void strmap_grow(struct compose_strmap *m)
{
	struct compose_strmap old = *m;

	compose_strmap_init(m, old.cap);
	for (size_t i = 0; i < old.cap; i++)
		if (old.ent[i].key)
			compose_strmap_put(m, old.ent[i].key, old.ent[i].val);
	free(old.ent);
}

void compose_strmap_put(struct compose_strmap *m, const char *key, size_t val)
{
	struct compose_strmap_ent *e;

	if (!m->cap)
		compose_strmap_init(m, 8);
	if ((m->n + 1) * 2 > m->cap)
		strmap_grow(m);
	e = slot(m, key);
	if (!e->key) {
		e->key = key;
		m->n++;
	}
	e->val = val;
}

/* ---- Nodes ------------------------------------------------------------ */

void compose_map_push(struct arena *a,
		      struct compose_node *map,
		      struct compose_node *key,
		      struct compose_node *value)
{
	map->pairs = compose_node_grow(a, map, sizeof(*map->pairs));
	map->pairs[map->n].key = key;
	map->pairs[map->n].value = value;
	map->n++;
}

struct compose_node *
compose_node_plain(struct arena *a, const char *s, const struct diag_loc *loc)
{
	struct compose_node *n = compose_node_scalar(a, s, loc);

	n->style = COMPOSE_SCALAR_PLAIN;
	return n;
}

struct compose_node *
compose_map_getn(const struct compose_node *map, const char *key, size_t len)
{
	if (!map || map->kind != COMPOSE_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct compose_node *k = map->pairs[i].key;

		if (k->len == len && k->str[0] == key[0] &&
		    !memcmp(k->str, key, len))
			return map->pairs[i].value;
	}
	return NULL;
}

const char *compose_node_str(const struct compose_node *n)
{
	if (!n || n->kind != COMPOSE_NODE_SCALAR)
		return NULL;
	return n->str;
}

/* The null rule of compose_scalar_type(), without its regexes (hot). */
bool compose_node_is_null(const struct compose_node *n)
{
	const char *s;

	if (!n)
		return true;
	if (n->kind != COMPOSE_NODE_SCALAR || n->style != COMPOSE_SCALAR_PLAIN)
		return false;
	s = n->str;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

bool compose_node_is_reset(const struct compose_node *n)
{
	return n && n->tag && !strcmp(compose_node_tag(n), "!reset");
}

/* ---- Paths ------------------------------------------------------------ */

bool compose_path_is_abs(const char *p)
{
	if (!p || !*p)
		return false;
	if (p[0] == '/' || p[0] == '\\')
		return true;
	return ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) &&
	       p[1] == ':' && (p[2] == '\\' || p[2] == '/');
}

/* "C:\\..." or "c:/...": a path of a Windows host, drive first. */
static bool drive_path(const char *p)
{
	return p &&
	       ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) &&
	       p[1] == ':' && (p[2] == '\\' || p[2] == '/');
}

/*
 * Removes "." and resolves ".." lexically, as Go's filepath.Clean.  A
 * drive path (the working directory of the Windows build) keeps its drive,
 * takes '\\' as a separator too and comes out with '/' (which Windows
 * takes as well): "Z:\\w\\p/compose.yaml" -> "Z:/w/p/compose.yaml".
 */
static const char *path_clean(struct arena *a, const char *path)
{
	size_t len = strlen(path);
	char *out = arena_alloc(a, len + 2);
	size_t o = 0, root;
	const char *s = path;
	const char *seps = drive_path(path) ? "/\\" : "/";

	if (drive_path(path)) {
		out[o++] = path[0];
		out[o++] = ':';
		s += 2;
	}
	out[o++] = '/';
	root = o;
	while (*s) {
		size_t n;

		while (*s && strchr(seps, *s))
			s++;
		n = strcspn(s, seps);
		if (n == 0)
			break;
		if (n == 1 && s[0] == '.') {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > root && out[o - 1] != '/')
				o--;
			if (o > root)
				o--;
		} else {
			if (out[o - 1] != '/')
				out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	if (o > root && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return out;
}

const char *compose_path_join(struct arena *a, const char *dir, const char *rel)
{
	if (compose_path_is_abs(rel)) {
		if (rel[0] == '/' || drive_path(dir))
			return path_clean(a, rel);
		return arena_strdup(a, rel); /* Windows paths stay as written */
	}
	return path_clean(a, arena_sprintf(a, "%s/%s", dir, rel));
}

const char *compose_path_dir(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (drive_path(path)) {
		const char *bs = strrchr(path, '\\');

		if (bs > slash)
			slash = bs;
		if (slash == path + 2)
			return arena_strndup(a, path, 3);
	}

	if (!slash)
		return arena_strdup(a, ".");
	if (slash == path)
		return arena_strdup(a, "/");
	return arena_strndup(a, path, (size_t)(slash - path));
}

const char *compose_path_expand_home(struct arena *a,
				     const char *p,
				     const struct compose_env *env)
{
	const char *home;

	if (p[0] != '~' || (p[1] && p[1] != '/'))
		return p;
	/* The table holds the process environment (or the caller's). */
	home = env ? compose_env_get(env, "HOME") : NULL;
	if (!home)
		return p;
	return arena_sprintf(a, "%s%s", home, p + 1);
}

long long compose_bytes_parse(const char *s)
{
	static const char units[] = "kmgtp";
	const char *u;
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	if (!*end || ((*end == 'b' || *end == 'B') && !end[1]))
		return v;
	u = strchr(units, tolower((unsigned char)*end));
	if (!u || (end[1] && (tolower((unsigned char)end[1]) != 'b' || end[2])))
		return -1;
	return v << (10 * (u - units + 1));
}
