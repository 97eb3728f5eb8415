/* The node tree: constructors, look-ups and the scalar type rules. */
#include "compose/compose.h"

#include <string.h>

#include "util/arena.h"
#include "util/rx.h"
#include "util/xalloc.h"

static struct compose_node *node_new(struct arena *a,
				     enum compose_node_kind kind,
				     const struct diag_loc *loc)
{
	struct compose_node *n = arena_alloc(a, sizeof(*n));

	n->kind = kind;
	if (loc)
		n->loc = *loc;
	return n;
}

struct compose_node *compose_node_scalar(struct arena *a, const char *s,
					 const struct diag_loc *loc)
{
	struct compose_node *n = node_new(a, COMPOSE_NODE_SCALAR, loc);

	n->str = arena_strdup(a, s ? s : "");
	n->len = strlen(n->str);
	n->style = COMPOSE_SCALAR_QUOTED;
	return n;
}

struct compose_node *compose_node_map(struct arena *a,
				      const struct diag_loc *loc)
{
	return node_new(a, COMPOSE_NODE_MAP, loc);
}

struct compose_node *compose_node_seq(struct arena *a,
				      const struct diag_loc *loc)
{
	return node_new(a, COMPOSE_NODE_SEQ, loc);
}

/*
 * Arrays in nodes grow inside the arena: the old block is simply left
 * behind, which costs at most as much again as the final size.
 */
static void *grow(struct arena *a, void *old, size_t n, size_t *alloc,
		  size_t size)
{
	void *p;

	if (n < *alloc)
		return old;
	*alloc = *alloc ? *alloc * 2 : 4;
	p = arena_calloc(a, *alloc, size);
	if (old)
		memcpy(p, old, n * size);
	return p;
}

void compose_map_set(struct arena *a, struct compose_node *map,
		     struct compose_node *key, struct compose_node *value)
{
	for (size_t i = 0; i < map->n; i++) {
		if (!strcmp(map->pairs[i].key->str, key->str)) {
			map->pairs[i].value = value;
			return;
		}
	}
	map->pairs = grow(a, map->pairs, map->n, &map->alloc,
			  sizeof(*map->pairs));
	map->pairs[map->n].key = key;
	map->pairs[map->n].value = value;
	map->n++;
}

void compose_seq_push(struct arena *a, struct compose_node *seq,
		      struct compose_node *item)
{
	seq->items = grow(a, seq->items, seq->n, &seq->alloc,
			  sizeof(*seq->items));
	seq->items[seq->n++] = item;
}

struct compose_node *compose_map_get(const struct compose_node *map,
				     const char *key)
{
	if (!map || map->kind != COMPOSE_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->pairs[i].key->str, key))
			return map->pairs[i].value;
	return NULL;
}

struct compose_node *compose_node_clone(struct arena *a,
					const struct compose_node *n)
{
	struct compose_node *c;

	if (!n)
		return NULL;
	c = arena_alloc(a, sizeof(*c));
	*c = *n;
	c->pairs = NULL;
	c->items = NULL;
	c->alloc = 0;
	c->n = 0;
	if (n->kind == COMPOSE_NODE_MAP) {
		for (size_t i = 0; i < n->n; i++)
			compose_map_set(a, c,
					compose_node_clone(a, n->pairs[i].key),
					compose_node_clone(a, n->pairs[i].value));
	} else if (n->kind == COMPOSE_NODE_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			compose_seq_push(a, c, compose_node_clone(a, n->items[i]));
	}
	return c;
}

/*
 * YAML 1.2 core schema, as compose-go's parser resolves plain scalars
 * (go-yaml v3 also takes YAML 1.1's yes/no/on/off only as strings).
 */
enum compose_scalar_type compose_scalar_type(const struct compose_node *n)
{
	const char *s = n->str;

	if (n->kind != COMPOSE_NODE_SCALAR || n->style != COMPOSE_SCALAR_PLAIN)
		return COMPOSE_TYPE_STRING;
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	    !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return COMPOSE_TYPE_NULL;
	if (rx_match("^(true|True|TRUE|false|False|FALSE)$", s))
		return COMPOSE_TYPE_BOOL;
	if (rx_match("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", s))
		return COMPOSE_TYPE_INT;
	if (rx_match("^([-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?"
		     "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
		     s))
		return COMPOSE_TYPE_FLOAT;
	return COMPOSE_TYPE_STRING;
}
