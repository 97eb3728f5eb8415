/* The node tree: constructors, look-ups and the scalar type rules. */
#include "compose/compose.h"
#include "compose/load_int.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

#include "util/arena.h"
#include "util/atom.h"
#include "util/xalloc.h"

static struct compose_node *node_new(struct arena *a,
				     enum compose_node_kind kind,
				     const struct diag_loc *loc)
{
	struct compose_node *n = arena_alloc(a, sizeof(*n));

	n->kind = kind;
	compose_node_set_loc(n, loc);
	return n;
}

void compose_node_set_loc(struct compose_node *n, const struct diag_loc *loc)
{
	if (!loc) {
		n->file = ATOM_NONE;
		n->line = n->col = 0;
		return;
	}
	n->file = atom_intern(loc->file);
	n->line = loc->line > 0 ? (uint32_t)loc->line : 0;
	n->col = loc->col > 0 ? (uint32_t)loc->col : 0;
}

struct compose_node *
compose_node_scalar(struct arena *a, const char *s, const struct diag_loc *loc)
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
 * behind, which costs at most as much again as the final size.  'room'
 * is log2 of the capacity plus one; 0 means the array was allocated at
 * exactly 'n' elements (as the parser and clone do), so it has no room.
 */
void *compose_node_grow(struct arena *a, struct compose_node *n, size_t size)
{
	size_t cap = n->room ? (size_t)1 << (n->room - 1) : n->n;
	unsigned room = 3; /* 4 */
	void *p;

	if (n->n < cap)
		return n->pairs;
	while (((size_t)1 << (room - 1)) <= n->n)
		room++;
	assert(room < 32);
	p = arena_calloc(a, (size_t)1 << (room - 1), size);
	if (n->n)
		memcpy(p, n->pairs, n->n * size);
	n->room = (uint8_t)room;
	return p;
}

void compose_map_set(struct arena *a,
		     struct compose_node *map,
		     struct compose_node *key,
		     struct compose_node *value)
{
	for (size_t i = 0; i < map->n; i++) {
		if (!strcmp(map->pairs[i].key->str, key->str)) {
			map->pairs[i].value = value;
			return;
		}
	}
	map->pairs = compose_node_grow(a, map, sizeof(*map->pairs));
	map->pairs[map->n].key = key;
	map->pairs[map->n].value = value;
	map->n++;
}

void compose_seq_push(struct arena *a,
		      struct compose_node *seq,
		      struct compose_node *item)
{
	seq->items = compose_node_grow(a, seq, sizeof(*seq->items));
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
	c->room = 0; /* exactly n */
	/* Keys of the source are unique already: copy, don't re-insert. */
	if (n->kind == COMPOSE_NODE_MAP && n->n) {
		c->pairs = arena_calloc(a, n->n, sizeof(*c->pairs));
		for (size_t i = 0; i < n->n; i++) {
			c->pairs[i].key =
				compose_node_clone(a, n->pairs[i].key);
			c->pairs[i].value =
				compose_node_clone(a, n->pairs[i].value);
		}
	} else if (n->kind == COMPOSE_NODE_SEQ && n->n) {
		c->items = arena_calloc(a, n->n, sizeof(*c->items));
		for (size_t i = 0; i < n->n; i++)
			c->items[i] = compose_node_clone(a, n->items[i]);
	} else if (n->kind != COMPOSE_NODE_SCALAR) {
		c->pairs = NULL; /* and items */
		c->n = 0;
	}
	return c;
}

static bool all_in(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

static bool one_of(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

/* [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static bool core_int(const char *s)
{
	if (s[0] == '0' && s[1] == 'o')
		return all_in(s + 2, "01234567");
	if (s[0] == '0' && s[1] == 'x')
		return all_in(s + 2, "0123456789abcdefABCDEF");
	if (*s == '-' || *s == '+')
		s++;
	return all_in(s, "0123456789");
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/*
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 * | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
 */
static bool core_float(const char *s)
{
	static const char *const inf[] = {".inf", ".Inf", ".INF"};
	static const char *const nan[] = {".nan", ".NaN", ".NAN"};
	size_t n;

	if (one_of(s, nan, 3))
		return true;
	if (*s == '-' || *s == '+')
		s++;
	if (one_of(s, inf, 3))
		return true;
	if (*s == '.') {
		if (!(n = digits(s + 1)))
			return false;
		s += 1 + n;
	} else {
		if (!(n = digits(s)))
			return false;
		s += n;
		if (*s == '.')
			s += 1 + digits(s + 1);
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(n = digits(s)))
			return false;
		s += n;
	}
	return !*s;
}

/*
 * YAML 1.2 core schema, as compose-go's parser resolves plain scalars
 * (go-yaml v3 also takes YAML 1.1's yes/no/on/off only as strings).
 * Written out by hand: it runs for every scalar of every file.
 */
enum compose_scalar_type compose_scalar_type(const struct compose_node *n)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL"};
	static const char *const bools[] = {"true",  "True",  "TRUE",
					    "false", "False", "FALSE"};
	const char *s = n->str;

	if (n->kind != COMPOSE_NODE_SCALAR || n->style != COMPOSE_SCALAR_PLAIN)
		return COMPOSE_TYPE_STRING;
	/* The first character rules out most strings without a compare. */
	if (!*s)
		return COMPOSE_TYPE_NULL;
	if (strchr("~nN", *s))
		return one_of(s, nulls, 4) ? COMPOSE_TYPE_NULL
					   : COMPOSE_TYPE_STRING;
	if (strchr("tTfF", *s))
		return one_of(s, bools, 6) ? COMPOSE_TYPE_BOOL
					   : COMPOSE_TYPE_STRING;
	if (!strchr("0123456789+-.", *s))
		return COMPOSE_TYPE_STRING;
	if (core_int(s))
		return COMPOSE_TYPE_INT;
	if (core_float(s))
		return COMPOSE_TYPE_FLOAT;
	return COMPOSE_TYPE_STRING;
}
