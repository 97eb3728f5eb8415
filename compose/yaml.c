/*
 * YAML -> node tree through libyaml's event parser, and node tree -> YAML
 * or JSON text.  This is the only file that includes <yaml.h>.
 *
 * The builder keeps one frame per open mapping or sequence and collects
 * its children in scratch arrays that are reused from one collection to
 * the next; a finished collection is copied into the arena at its exact
 * size.  Aliases are expanded by cloning the anchored subtree (as go-yaml
 * does when compose-go decodes a file), so later stages see a tree, never
 * a graph; the expanded size is counted before the copy is made, so an
 * alias bomb stops at the node budget without allocating beyond it.
 */
#include "compose/compose.h"
#include "compose/load_int.h"

#include <yaml.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "util/json.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define DEFAULT_MAX_NODES 1000000
#define DEFAULT_MAX_DEPTH 256
/* A mapping with this many keys gets a hash set for its duplicate check. */
#define KEYSET_MIN 12
#define YAML_STR_TAG "tag:yaml.org,2002:str"
/* Scalars up to this long are interned. */
#define INTERN_MAX 64
/*
 * Slots of the intern table at most (32 bytes each).  Unbounded, it held
 * every distinct value of a 5000-service file, 4 MB at the parse's peak;
 * the strings that repeat (keys, images, common values) come early.
 */
#define INTERN_SLOTS_MAX (1u << 14)

/* ---- A small hash set of byte strings --------------------------------- */

struct strset_ent {
	const char *s; /* NULL: empty slot */
	size_t len;
	size_t hash;
	size_t val;
};

struct strset {
	struct strset_ent *ents;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

static size_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct strset_ent *
strset_slot(const struct strset *h, const char *s, size_t len, size_t hash)
{
	size_t i = hash & (h->cap - 1);

	for (;;) {
		struct strset_ent *e = &h->ents[i];

		if (!e->s ||
		    (e->hash == hash && e->len == len && !memcmp(e->s, s, len)))
			return e;
		i = (i + 1) & (h->cap - 1);
	}
}

static void strset_put(struct strset *h, const char *s, size_t len, size_t val);

static void strset_grow(struct strset *h)
{
	struct strset old = *h;

	h->cap = old.cap ? old.cap * 2 : 32;
	h->ents = xcalloc(h->cap, sizeof(*h->ents));
	h->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.ents[i].s)
			strset_put(h, old.ents[i].s, old.ents[i].len,
				   old.ents[i].val);
	free(old.ents);
}

/* Adds or replaces. */
static void strset_put(struct strset *h, const char *s, size_t len, size_t val)
{
	size_t hash = hash_bytes(s, len);
	struct strset_ent *e;

	if ((h->n + 1) * 2 > h->cap)
		strset_grow(h);
	e = strset_slot(h, s, len, hash);
	if (!e->s) {
		e->s = s;
		e->len = len;
		e->hash = hash;
		h->n++;
	}
	e->val = val;
}

static const struct strset_ent *
strset_get(const struct strset *h, const char *s, size_t len)
{
	const struct strset_ent *e;

	if (!h->cap)
		return NULL;
	e = strset_slot(h, s, len, hash_bytes(s, len));
	return e->s ? e : NULL;
}

/*
 * The arena copy of s[0, len), shared with every equal string interned
 * before: keys and short values repeat across services, and a file of
 * 5000 services would otherwise hold "image" 5000 times.
 */
static const char *
strset_intern(struct strset *h, struct arena *a, const char *s, size_t len)
{
	size_t hash = hash_bytes(s, len);
	struct strset_ent *e;

	if ((h->n + 1) * 2 > h->cap) {
		/* A full table still shares what it holds; it never fills up.
		 */
		if (h->cap >= INTERN_SLOTS_MAX) {
			e = strset_slot(h, s, len, hash);
			return e->s ? e->s : arena_strndup(a, s, len);
		}
		strset_grow(h);
	}
	e = strset_slot(h, s, len, hash);
	if (!e->s) {
		e->s = arena_strndup(a, s, len);
		e->len = len;
		e->hash = hash;
		h->n++;
	}
	return e->s;
}

static void strset_clear(struct strset *h)
{
	if (h->n)
		memset(h->ents, 0, h->cap * sizeof(*h->ents));
	h->n = 0;
}

static void strset_release(struct strset *h)
{
	free(h->ents);
	memset(h, 0, sizeof(*h));
}

/* ---- The builder ------------------------------------------------------ */

struct merge_src {
	size_t at; /* index of the explicit pair the sources precede */
	const struct compose_node *src;
};

struct frame {
	struct compose_node *node;
	char *anchor; /* malloc'd, or NULL */
	size_t size;  /* nodes in the subtree, this one included */
	size_t height;
	/* Mappings. */
	struct compose_pair *pairs;
	size_t n_pairs, alloc_pairs;
	struct compose_node *key; /* pending key, NULL when a key is next */
	bool key_is_merge;
	struct strset keys; /* used once the mapping has KEYSET_MIN keys */
	struct merge_src *merges;
	size_t n_merges, alloc_merges;
	/* Sequences. */
	struct compose_node **items;
	size_t n_items, alloc_items;
};

struct anchor {
	char *name;
	const struct compose_node *node;
	size_t size;
	size_t height;
};

struct builder {
	struct arena *a;
	const char *file;
	uint16_t file_atom;
	size_t max_nodes;
	size_t max_depth;
	size_t nodes;
	struct frame *stack; /* frames [0, depth) are open */
	size_t depth, alloc;
	struct anchor *anchors;
	size_t n_anchors, alloc_anchors;
	struct strset anchor_idx;
	struct strset interned;
	struct compose_node *root;
	bool have_root;
	struct diag *err;
	bool all;    /* build every document, else only the first */
	size_t docs; /* documents seen */
	struct compose_node **roots; /* with 'all': one per document */
	size_t n_roots, alloc_roots;
};

static struct diag_loc mark_loc(const struct builder *b, yaml_mark_t m)
{
	struct diag_loc loc = {b->file, (int)m.line + 1, (int)m.column + 1};

	return loc;
}

static int err_limit_nodes(struct builder *b, const struct diag_loc *loc)
{
	return diag_set(b->err, DIAG_ELIMIT, loc,
			"document expands to more than %zu nodes "
			"(alias expansion limit)",
			b->max_nodes);
}

static int err_limit_tags(struct builder *b, const struct compose_node *n)
{
	return diag_set(b->err, DIAG_ELIMIT, COMPOSE_NODE_LOC(n),
			"too many distinct tags (at most %d)", ATOM_MAX);
}

static int err_limit_depth(struct builder *b, const struct diag_loc *loc)
{
	return diag_set(b->err, DIAG_ELIMIT, loc,
			"document nests deeper than %zu levels", b->max_depth);
}

static void anchor_set(struct builder *b,
		       const char *name,
		       const struct compose_node *n,
		       size_t size,
		       size_t height)
{
	const struct strset_ent *e =
		strset_get(&b->anchor_idx, name, strlen(name));
	struct anchor *an;

	/* A redefined anchor: later aliases refer to the newest node. */
	if (e) {
		an = &b->anchors[e->val];
	} else {
		ALLOC_GROW(b->anchors, b->n_anchors + 1, b->alloc_anchors);
		an = &b->anchors[b->n_anchors];
		an->name = xstrdup(name);
		strset_put(&b->anchor_idx, an->name, strlen(an->name),
			   b->n_anchors);
		b->n_anchors++;
	}
	an->node = n;
	an->size = size;
	an->height = height;
}

/* Scalars are immutable strings, so a clone shares them. */
static struct compose_node *clone_tree(struct arena *a,
				       const struct compose_node *n)
{
	struct compose_node *c = arena_alloc(a, sizeof(*c));

	*c = *n;
	if (n->kind == COMPOSE_NODE_MAP) {
		c->pairs =
			n->n ? arena_calloc(a, n->n, sizeof(*c->pairs)) : NULL;
		for (size_t i = 0; i < n->n; i++) {
			c->pairs[i].key = clone_tree(a, n->pairs[i].key);
			c->pairs[i].value = clone_tree(a, n->pairs[i].value);
		}
	} else if (n->kind == COMPOSE_NODE_SEQ) {
		c->items =
			n->n ? arena_calloc(a, n->n, sizeof(*c->items)) : NULL;
		for (size_t i = 0; i < n->n; i++)
			c->items[i] = clone_tree(a, n->items[i]);
	}
	c->room = 0; /* exactly n */
	return c;
}

static bool key_equal(const struct compose_node *k, const char *s, size_t len)
{
	return k->len == len && !memcmp(k->str, s, len);
}

/* Finds an explicit key of the frame's mapping; -1 when absent. */
static long frame_find_key(const struct frame *f, const char *s, size_t len)
{
	const struct strset_ent *e;

	if (f->n_pairs < KEYSET_MIN) {
		for (size_t i = 0; i < f->n_pairs; i++)
			if (key_equal(f->pairs[i].key, s, len))
				return (long)i;
		return -1;
	}
	e = strset_get(&f->keys, s, len);
	return e ? (long)e->val : -1;
}

static void frame_push_pair(struct frame *f,
			    struct compose_node *key,
			    struct compose_node *value)
{
	ALLOC_GROW(f->pairs, f->n_pairs + 1, f->alloc_pairs);
	f->pairs[f->n_pairs].key = key;
	f->pairs[f->n_pairs].value = value;
	f->n_pairs++;
	if (f->n_pairs == KEYSET_MIN) {
		for (size_t i = 0; i < f->n_pairs; i++)
			strset_put(&f->keys, f->pairs[i].key->str,
				   f->pairs[i].key->len, i);
	} else if (f->n_pairs > KEYSET_MIN) {
		strset_put(&f->keys, key->str, key->len, f->n_pairs - 1);
	}
}

static void frame_add_merge(struct frame *f, const struct compose_node *src)
{
	ALLOC_GROW(f->merges, f->n_merges + 1, f->alloc_merges);
	f->merges[f->n_merges].at = f->n_pairs;
	f->merges[f->n_merges].src = src;
	f->n_merges++;
}

/*
 * The key path of the collection being built ("services.web"), for
 * messages: each open mapping's pending key, each sequence's next index.
 */
static void builder_path(const struct builder *b, struct sbuf *sb)
{
	for (size_t i = 0; i + 1 < b->depth; i++) {
		const struct frame *f = &b->stack[i];

		if (f->node->kind == COMPOSE_NODE_SEQ)
			sbuf_addf(sb, "[%zu]", f->n_items);
		else if (f->key)
			sbuf_addf(sb, "%s%s", sb->len ? "." : "", f->key->str);
	}
}

static int err_in_map(struct builder *b,
		      const struct diag_loc *loc,
		      const char *what,
		      const char *key)
{
	struct sbuf path = SBUF_INIT;
	int rc;

	builder_path(b, &path);
	rc = diag_set(b->err, DIAG_ESYNTAX, loc, "%s%s%s%s%s%s", path.buf,
		      path.len ? ": " : "", what, key ? " '" : "",
		      key ? key : "", key ? "'" : "");
	sbuf_release(&path);
	return rc;
}

static int
map_take_key(struct builder *b, struct frame *f, struct compose_node *key)
{
	if (key->kind != COMPOSE_NODE_SCALAR)
		return err_in_map(b, COMPOSE_NODE_LOC(key),
				  "mapping keys must be scalars", NULL);
	f->key = key;
	/* Only a plain, untagged "<<" is a merge key; "'<<'" is a key. */
	f->key_is_merge = key->style == COMPOSE_SCALAR_PLAIN && !key->tag &&
			  key_equal(key, "<<", 2);
	if (f->key_is_merge)
		return 0;
	if (frame_find_key(f, key->str, key->len) >= 0)
		return err_in_map(b, COMPOSE_NODE_LOC(key), "duplicate key",
				  key->str);
	return 0;
}

static int
map_take_merge(struct builder *b, struct frame *f, const struct compose_node *v)
{
	if (v->kind == COMPOSE_NODE_MAP) {
		frame_add_merge(f, v);
		return 0;
	}
	if (v->kind == COMPOSE_NODE_SEQ) {
		for (size_t i = 0; i < v->n; i++)
			if (v->items[i]->kind != COMPOSE_NODE_MAP)
				return diag_set(b->err, DIAG_ESYNTAX,
						COMPOSE_NODE_LOC(v->items[i]),
						"merge key '<<' takes only "
						"mappings");
		for (size_t i = 0; i < v->n; i++)
			frame_add_merge(f, v->items[i]);
		return 0;
	}
	return diag_set(b->err, DIAG_ESYNTAX, COMPOSE_NODE_LOC(v),
			"merge key '<<' needs a mapping or a list of mappings");
}

/* Hands a finished node to the open collection, or makes it the root. */
static int
add_child(struct builder *b, struct compose_node *n, size_t size, size_t height)
{
	struct frame *f;
	int rc = 0;

	if (!b->depth) {
		b->root = n;
		b->have_root = true;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	f->size += size;
	if (height + 1 > f->height)
		f->height = height + 1;
	if (f->node->kind == COMPOSE_NODE_SEQ) {
		ALLOC_GROW(f->items, f->n_items + 1, f->alloc_items);
		f->items[f->n_items++] = n;
	} else if (!f->key) {
		rc = map_take_key(b, f, n);
	} else {
		if (f->key_is_merge)
			rc = map_take_merge(b, f, n);
		else
			frame_push_pair(f, f->key, n);
		f->key = NULL;
	}
	return rc;
}

static struct compose_node *new_node(struct builder *b,
				     enum compose_node_kind kind,
				     yaml_mark_t mark,
				     const yaml_char_t *tag)
{
	struct compose_node *n = arena_alloc(b->a, sizeof(*n));

	n->kind = kind;
	n->file = b->file_atom;
	n->line = (uint32_t)mark.line + 1;
	n->col = (uint32_t)mark.column + 1;
	if (tag)
		n->tag = atom_intern((const char *)tag);
	return n;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct compose_node *n;

	if (++b->nodes > b->max_nodes) {
		struct diag_loc loc = mark_loc(b, ev->start_mark);

		return err_limit_nodes(b, &loc);
	}
	n = new_node(b, COMPOSE_NODE_SCALAR, ev->start_mark,
		     ev->data.scalar.tag);
	if (n->tag == ATOM_FULL)
		return err_limit_tags(b, n);
	if (ev->data.scalar.length <= INTERN_MAX)
		n->str = strset_intern(&b->interned, b->a,
				       (const char *)ev->data.scalar.value,
				       ev->data.scalar.length);
	else
		n->str =
			arena_strndup(b->a, (const char *)ev->data.scalar.value,
				      ev->data.scalar.length);
	n->len = (uint32_t)ev->data.scalar.length; /* < len, checked */
	n->style = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
			   ? COMPOSE_SCALAR_PLAIN
			   : COMPOSE_SCALAR_QUOTED;
	/* "!!str 80" is the string "80", as a quoted scalar would be. */
	if (n->tag && !strcmp(compose_node_tag(n), YAML_STR_TAG))
		n->style = COMPOSE_SCALAR_QUOTED;
	if (ev->data.scalar.anchor)
		anchor_set(b, (const char *)ev->data.scalar.anchor, n, 1, 0);
	return add_child(b, n, 1, 0);
}

static int
on_start(struct builder *b, const yaml_event_t *ev, enum compose_node_kind kind)
{
	const yaml_char_t *tag, *anchor;
	struct diag_loc loc = mark_loc(b, ev->start_mark);
	struct frame *f;

	if (++b->nodes > b->max_nodes)
		return err_limit_nodes(b, &loc);
	if (b->depth + 1 > b->max_depth)
		return err_limit_depth(b, &loc);
	if (kind == COMPOSE_NODE_MAP) {
		tag = ev->data.mapping_start.tag;
		anchor = ev->data.mapping_start.anchor;
	} else {
		tag = ev->data.sequence_start.tag;
		anchor = ev->data.sequence_start.anchor;
	}
	if (b->depth == b->alloc) {
		size_t old = b->alloc;

		b->alloc = old ? old * 2 : 16;
		b->stack = xrealloc(b->stack, b->alloc * sizeof(*b->stack));
		memset(b->stack + old, 0, (b->alloc - old) * sizeof(*b->stack));
	}
	f = &b->stack[b->depth++];
	f->node = new_node(b, kind, ev->start_mark, tag);
	f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	f->size = 1;
	f->height = 0;
	f->n_pairs = 0;
	f->n_items = 0;
	f->n_merges = 0;
	f->key = NULL;
	f->key_is_merge = false;
	strset_clear(&f->keys);
	if (f->node->tag == ATOM_FULL)
		return err_limit_tags(b, f->node);
	return 0;
}

static void emit_merged(struct frame *f,
			const struct compose_node *src,
			struct compose_pair *out,
			size_t *n)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct compose_node *k = src->pairs[i].key;

		if (strset_get(&f->keys, k->str, k->len))
			continue;
		strset_put(&f->keys, k->str, k->len, 0);
		out[(*n)++] = src->pairs[i];
	}
}

/*
 * Explicit keys win over merged ones, and an earlier merge source wins
 * over a later one (the YAML merge-key rules); merged pairs take the place
 * of their "<<" key in the order of the mapping.
 */
static void finish_map(struct builder *b, struct frame *f)
{
	struct compose_node *m = f->node;
	size_t total = f->n_pairs, n = 0, mi = 0;

	for (size_t i = 0; i < f->n_merges; i++)
		total += f->merges[i].src->n;
	m->pairs = total ? arena_calloc(b->a, total, sizeof(*m->pairs)) : NULL;
	if (!f->n_merges) {
		if (f->n_pairs)
			memcpy(m->pairs, f->pairs,
			       f->n_pairs * sizeof(*m->pairs));
		m->n = (uint32_t)f->n_pairs;
		return;
	}
	strset_clear(&f->keys);
	for (size_t i = 0; i < f->n_pairs; i++)
		strset_put(&f->keys, f->pairs[i].key->str, f->pairs[i].key->len,
			   i);
	for (size_t i = 0; i <= f->n_pairs; i++) {
		while (mi < f->n_merges && f->merges[mi].at == i)
			emit_merged(f, f->merges[mi++].src, m->pairs, &n);
		if (i < f->n_pairs)
			m->pairs[n++] = f->pairs[i];
	}
	m->n = (uint32_t)n;
}

static int on_end(struct builder *b)
{
	struct frame *f = &b->stack[b->depth - 1];
	struct compose_node *n = f->node;
	size_t size = f->size, height = f->height;

	if (n->kind == COMPOSE_NODE_MAP) {
		finish_map(b, f);
	} else {
		n->items = f->n_items ? arena_calloc(b->a, f->n_items,
						     sizeof(*n->items))
				      : NULL;
		if (f->n_items)
			memcpy(n->items, f->items,
			       f->n_items * sizeof(*n->items));
		n->n = (uint32_t)f->n_items;
	}
	if (f->anchor) {
		anchor_set(b, f->anchor, n, size, height);
		free(f->anchor);
		f->anchor = NULL;
	}
	b->depth--;
	return add_child(b, n, size, height);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct diag_loc loc = mark_loc(b, ev->start_mark);
	const struct strset_ent *e =
		strset_get(&b->anchor_idx, name, strlen(name));
	const struct anchor *an;
	struct compose_node *c;

	if (!e)
		return diag_set(b->err, DIAG_ESYNTAX, &loc,
				"unknown anchor '%s'", name);
	an = &b->anchors[e->val];
	/* Count before copying, so a bomb stops within the budget. */
	if (an->size > b->max_nodes - b->nodes)
		return err_limit_nodes(b, &loc);
	if (b->depth + an->height + 1 > b->max_depth)
		return err_limit_depth(b, &loc);
	b->nodes += an->size;
	c = clone_tree(b->a, an->node);
	compose_node_set_loc(c, &loc);
	return add_child(b, c, an->size, an->height);
}

static void offset_loc(struct diag_loc *loc, const char *buf, size_t off)
{
	size_t line_start = 0;

	loc->line = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			loc->line++;
			line_start = i + 1;
		}
	}
	loc->col = (int)(off - line_start) + 1;
}

static int syntax_error(struct builder *b,
			const yaml_parser_t *p,
			const char *buf,
			size_t len)
{
	struct diag_loc loc = mark_loc(b, p->problem_mark);

	/* Reader errors (bad encoding) carry a byte offset, not a mark. */
	if (p->error == YAML_READER_ERROR)
		offset_loc(&loc, buf,
			   p->problem_offset < len ? p->problem_offset : len);
	/* libyaml's words for a tab in the indentation name no tab. */
	else if (p->problem_mark.index < len &&
		 buf[p->problem_mark.index] == '\t')
		return diag_set(b->err, DIAG_ESYNTAX, &loc,
				"a tab character where YAML wants spaces (YAML "
				"indents with spaces only): %s",
				p->problem ? p->problem : "syntax error");
	if (p->context)
		return diag_set(b->err, DIAG_ESYNTAX, &loc, "%s %s",
				p->problem ? p->problem : "syntax error",
				p->context);
	return diag_set(b->err, DIAG_ESYNTAX, &loc, "%s",
			p->problem ? p->problem : "syntax error");
}

/* Dispatches one event of the document being built. */
static int on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, COMPOSE_NODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev, COMPOSE_NODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(b);
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev);
	default:
		return 0;
	}
}

static void builder_release(struct builder *b)
{
	for (size_t i = 0; i < b->alloc; i++) {
		struct frame *f = &b->stack[i];

		free(f->anchor);
		free(f->pairs);
		free(f->items);
		free(f->merges);
		strset_release(&f->keys);
	}
	free(b->stack);
	for (size_t i = 0; i < b->n_anchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
	strset_release(&b->anchor_idx);
	strset_release(&b->interned);
}

/* "---" alone is an empty document, as a file of comments is. */
static struct compose_node *document_root(struct compose_node *root)
{
	if (root && root->kind == COMPOSE_NODE_SCALAR && !root->tag &&
	    root->style == COMPOSE_SCALAR_PLAIN && !root->len)
		return NULL;
	return root;
}

/* Anchors belong to their document: a later one starts without any. */
static void anchors_reset(struct builder *b)
{
	for (size_t i = 0; i < b->n_anchors; i++)
		free(b->anchors[i].name);
	b->n_anchors = 0;
	strset_clear(&b->anchor_idx);
}

/*
 * Reads the whole stream, so a syntax error anywhere is reported.  With
 * b->all every document is built, in one pass; otherwise only the first,
 * and the rest are only checked.  All documents count against one node
 * budget.
 */
static int
run_parser(struct builder *b, yaml_parser_t *p, const char *buf, size_t len)
{
	for (;;) {
		yaml_event_t ev;
		int rc = 0;
		bool done;

		if (!yaml_parser_parse(p, &ev))
			return syntax_error(b, p, buf, len);
		done = ev.type == YAML_STREAM_END_EVENT;
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			b->docs++;
			if (b->all && b->docs > 1)
				anchors_reset(b);
		} else if (ev.type == YAML_DOCUMENT_END_EVENT) {
			if (b->all) {
				ALLOC_GROW(b->roots, b->n_roots + 1,
					   b->alloc_roots);
				b->roots[b->n_roots++] = document_root(b->root);
				b->root = NULL;
				b->have_root = false;
			}
		} else if (b->all || b->docs == 1) {
			rc = on_event(b, &ev);
		}
		yaml_event_delete(&ev);
		if (rc)
			return rc;
		if (done)
			return 0;
	}
}

static int parse_stream(struct builder *b,
			struct arena *a,
			const char *file,
			const char *buf,
			size_t len,
			const struct compose_yaml_limits *limits,
			struct diag *err)
{
	yaml_parser_t p;
	int rc;

	b->a = a;
	b->file = arena_strdup(a, file ? file : "-");
	b->max_nodes = limits && limits->max_nodes ? limits->max_nodes
						   : DEFAULT_MAX_NODES;
	b->max_depth = limits && limits->max_depth ? limits->max_depth
						   : DEFAULT_MAX_DEPTH;
	b->err = err;
	b->file_atom = atom_intern(b->file);
	if (b->file_atom == ATOM_FULL)
		return diag_set(err, DIAG_ELIMIT, NULL,
				"%s: too many distinct file names and tags",
				b->file);
	if (len > UINT32_MAX)
		return diag_set(err, DIAG_ELIMIT, NULL,
				"%s: file larger than 4 GiB", b->file);
	if (!yaml_parser_initialize(&p))
		return diag_set(err, DIAG_ELIMIT, NULL,
				"out of memory starting the YAML parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	rc = run_parser(b, &p, buf, len);
	yaml_parser_delete(&p);
	return rc;
}

int compose_yaml_parse(struct compose_node **out,
		       struct arena *a,
		       const char *file,
		       const char *buf,
		       size_t len,
		       const struct compose_yaml_limits *limits,
		       struct diag *err)
{
	struct builder b = {0};
	int rc;

	*out = NULL;
	rc = parse_stream(&b, a, file, buf, len, limits, err);
	builder_release(&b);
	if (!rc)
		*out = document_root(b.root);
	return rc;
}

int compose_yaml_parse_docs(struct compose_node ***out,
			    size_t *n,
			    struct arena *a,
			    const char *file,
			    const char *buf,
			    size_t len,
			    const struct compose_yaml_limits *limits,
			    struct diag *err)
{
	struct builder b = {.all = true};
	int rc;

	*out = NULL;
	*n = 0;
	rc = parse_stream(&b, a, file, buf, len, limits, err);
	if (!rc && b.n_roots) {
		*out = arena_calloc(a, b.n_roots, sizeof(**out));
		memcpy(*out, b.roots, b.n_roots * sizeof(**out));
		*n = b.n_roots;
	}
	free(b.roots);
	builder_release(&b);
	return rc;
}

/* ---- Writing YAML ----------------------------------------------------- */

static void indent(struct sbuf *sb, int n)
{
	static const char spaces[] = "                                ";

	for (; n > 0; n -= (int)sizeof(spaces) - 1)
		sbuf_add(sb, spaces,
			 n < (int)sizeof(spaces) - 1 ? (size_t)n
						     : sizeof(spaces) - 1);
}

/*
 * Tags come back URI-decoded from libyaml, so anything outside a safe set
 * is written %-encoded again ('!' too, past the first, or it would read
 * as a tag handle).
 */
static void emit_tag_chars(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~:/;?@&=+$", c))
			sbuf_addch(sb, (char)c);
		else
			sbuf_addf(sb, "%%%02X", c);
	}
}

static void emit_tag(struct sbuf *sb, const char *tag)
{
	static const char core[] = "tag:yaml.org,2002:";

	if (!strncmp(tag, core, sizeof(core) - 1) && tag[sizeof(core) - 1]) {
		sbuf_adds(sb, "!!");
		emit_tag_chars(sb, tag + sizeof(core) - 1);
	} else if (tag[0] == '!' && tag[1]) {
		sbuf_addch(sb, '!');
		emit_tag_chars(sb, tag + 1);
	} else {
		sbuf_adds(sb, "!<");
		emit_tag_chars(sb, tag);
		sbuf_addch(sb, '>');
	}
}

/* YAML 1.1 readers (docker-compose 1.x) take these as booleans. */
static bool yaml11_bool(const char *s)
{
	static const char *const words[] = {"y", "n", "yes", "no", "on", "off"};

	if (!strchr("yYnNoO", s[0]) || strlen(s) > 3)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

/*
 * Whether a string scalar can be written plain and still read back as the
 * same string.  Deliberately conservative: anything doubtful is quoted.
 */
static bool plain_ok(const struct compose_node *n)
{
	struct compose_node probe = *n;
	const unsigned char *s = (const unsigned char *)n->str;

	/* A '-' starts a plain scalar unless a blank follows ("-c"). */
	if (!n->len || strchr("?:,[]{}#&*!|>'\"%@` ", s[0]) ||
	    (s[0] == '-' && (n->len == 1 || s[1] == ' ')) ||
	    s[n->len - 1] == ' ' || s[n->len - 1] == ':')
		return false;
	for (size_t i = 0; i < n->len; i++) {
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
		if ((s[i] == ':' && s[i + 1] == ' ') ||
		    (s[i] == ' ' && s[i + 1] == '#'))
			return false;
	}
	if (!strcmp(n->str, "<<") || !strncmp(n->str, "...", 3) ||
	    !strncmp(n->str, "---", 3) || yaml11_bool(n->str))
		return false;
	probe.style = COMPOSE_SCALAR_PLAIN;
	return compose_scalar_type(&probe) == COMPOSE_TYPE_STRING;
}

/*
 * UTF-8 sequences that must be escaped even inside double quotes: the C1
 * controls and U+FFFE/U+FFFF (a YAML reader refuses them), U+0085, U+2028
 * and U+2029 (line breaks) and U+FEFF (a byte-order mark).  Returns the
 * length of the sequence at 'p' and writes its escape, or returns 0.
 */
static size_t
yaml_special_utf8(const unsigned char *p, size_t left, char esc[8])
{
	if (left >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
		if (p[1] == 0x85)
			snprintf(esc, 8, "%s", "\\N");
		else
			snprintf(esc, 8, "\\u%04X", p[1]);
		return 2;
	}
	if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0xa8 || p[2] == 0xa9)) {
		snprintf(esc, 8, "%s", p[2] == 0xa8 ? "\\L" : "\\P");
		return 3;
	}
	if (left >= 3 && p[0] == 0xef &&
	    ((p[1] == 0xbb && p[2] == 0xbf) ||
	     (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)))) {
		snprintf(esc, 8, "\\u%s",
			 p[1] == 0xbb	? "FEFF"
			 : p[2] == 0xbe ? "FFFE"
					: "FFFF");
		return 3;
	}
	return 0;
}

static void emit_dquoted(struct sbuf *sb, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	sbuf_addch(sb, '"');
	for (size_t i = 0; i < len; i++) {
		char esc[8];
		size_t k, run = i;

		while (run < len && s[run] >= 0x20 && s[run] < 0x7f &&
		       s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			sbuf_add(sb, s + i, run - i);
			i = run - 1;
			continue;
		}
		k = yaml_special_utf8(s + i, len - i, esc);
		if (k) {
			sbuf_adds(sb, esc);
			i += k - 1;
		} else if (s[i] == '"' || s[i] == '\\') {
			sbuf_addch(sb, '\\');
			sbuf_addch(sb, s[i]);
		} else if (s[i] == '\n') {
			sbuf_adds(sb, "\\n");
		} else if (s[i] == '\t') {
			sbuf_adds(sb, "\\t");
		} else if (s[i] == '\r') {
			sbuf_adds(sb, "\\r");
		} else if (s[i] == 0) {
			sbuf_adds(sb, "\\0");
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			sbuf_addf(sb, "\\x%02x", s[i]);
		} else {
			sbuf_addch(sb, s[i]);
		}
	}
	sbuf_addch(sb, '"');
}

static void
emit_scalar(struct sbuf *sb, const struct compose_node *n, bool is_key)
{
	if (n->style == COMPOSE_SCALAR_PLAIN &&
	    compose_scalar_type(n) != COMPOSE_TYPE_STRING &&
	    !memchr(n->str, 0, n->len)) {
		/* An empty plain key is written as the empty string. */
		if (!n->len && is_key)
			sbuf_adds(sb, "\"\"");
		else
			sbuf_add(sb, n->str, n->len);
	} else if (plain_ok(n)) {
		sbuf_add(sb, n->str, n->len);
	} else {
		emit_dquoted(sb, n->str, n->len);
	}
}

/*
 * Whether a string with line breaks goes in a literal block, as compose
 * v2's YAML encoder (go-yaml v3) writes one: not when a character must be
 * escaped (CR, a control, a special UTF-8 sequence) or a space ends a line
 * or the string.  Nor when it starts with a break: go-yaml drops that
 * break (its output reads back without it); a quoted string keeps it.
 */
static bool literal_ok(const struct compose_node *n)
{
	const unsigned char *s = (const unsigned char *)n->str;
	char esc[8];

	if (!memchr(n->str, '\n', n->len) || s[0] == '\n' ||
	    s[n->len - 1] == ' ' ||
	    (n->style == COMPOSE_SCALAR_PLAIN &&
	     compose_scalar_type(n) != COMPOSE_TYPE_STRING))
		return false;
	for (size_t i = 0; i < n->len; i++) {
		if ((s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') ||
		    s[i] == 0x7f || (s[i] == ' ' && s[i + 1] == '\n') ||
		    yaml_special_utf8(s + i, n->len - i, esc))
			return false;
	}
	return true;
}

/*
 * "|" with go-yaml's hints (an indentation indicator when the text starts
 * with a space; "-" without a final break, "+" with more than one), then
 * the lines at 'ind', empty ones without indentation.  Also an indicator
 * when it starts with a tab, where go-yaml writes none: libyaml (ours, and
 * every libyaml-based reader) takes a tab on the first line of a block
 * without one for indentation and refuses it.
 */
static void emit_literal(struct sbuf *sb, const struct compose_node *n, int ind)
{
	const char *s = n->str, *end = n->str + n->len;

	sbuf_adds(sb, " |");
	if (s[0] == ' ' || s[0] == '\t')
		sbuf_addch(sb, '2');
	if (end[-1] != '\n')
		sbuf_addch(sb, '-');
	else if (end[-2] == '\n')
		sbuf_addch(sb, '+');
	sbuf_addch(sb, '\n');
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (len) {
			indent(sb, ind);
			sbuf_add(sb, s, len);
		}
		sbuf_addch(sb, '\n');
		s += len + (nl != NULL);
	}
}

static bool is_block(const struct compose_node *n)
{
	return n->kind != COMPOSE_NODE_SCALAR && n->n;
}

static void emit_yaml(struct sbuf *sb,
		      const struct compose_node *n,
		      int ind,
		      bool inline_first);

/*
 * Writes what follows "key:" or "-": a space and a scalar or an empty
 * collection on the same line, or a block collection below.
 */
static void
emit_value(struct sbuf *sb, const struct compose_node *v, int ind, bool in_seq)
{
	if (v->tag) {
		sbuf_addch(sb, ' ');
		emit_tag(sb, compose_node_tag(v));
	}
	if (!is_block(v)) {
		if (v->kind == COMPOSE_NODE_MAP) {
			sbuf_adds(sb, " {}\n");
		} else if (v->kind == COMPOSE_NODE_SEQ) {
			sbuf_adds(sb, " []\n");
		} else if (v->len && !v->tag && literal_ok(v)) {
			emit_literal(sb, v, ind + 2);
		} else if (v->len || v->style != COMPOSE_SCALAR_PLAIN ||
			   v->tag) {
			sbuf_addch(sb, ' ');
			emit_scalar(sb, v, false);
			sbuf_addch(sb, '\n');
		} else {
			sbuf_addch(sb, '\n');
		}
		return;
	}
	/* A collection after "- " starts on the same line unless tagged. */
	if (in_seq && !v->tag) {
		sbuf_addch(sb, ' ');
		emit_yaml(sb, v, ind + 2, true);
		return;
	}
	sbuf_addch(sb, '\n');
	emit_yaml(sb, v, ind + 2, false);
}

/*
 * "key:", or "? key" and ":" on the next line for a key longer than the
 * 1024 characters that a YAML reader allows an implicit key.
 */
static void emit_key(struct sbuf *sb, const struct compose_node *k, int ind)
{
	size_t start = sb->len;

	if (!k->tag && k->len && literal_ok(k)) {
		/* A multi-line key: "? |-", its lines, then ":" below. */
		sbuf_addch(sb, '?');
		emit_literal(sb, k, ind + 2);
		indent(sb, ind);
		sbuf_addch(sb, ':');
		return;
	}
	if (k->tag) {
		emit_tag(sb, compose_node_tag(k));
		sbuf_addch(sb, ' ');
	}
	emit_scalar(sb, k, true);
	if (sb->len - start > 1000) {
		struct sbuf key = SBUF_INIT;

		sbuf_add(&key, sb->buf + start, sb->len - start);
		sbuf_setlen(sb, start);
		sbuf_adds(sb, "? ");
		sbuf_add(sb, key.buf, key.len);
		sbuf_addch(sb, '\n');
		indent(sb, ind);
		sbuf_release(&key);
	}
	sbuf_addch(sb, ':');
}

static void emit_yaml(struct sbuf *sb,
		      const struct compose_node *n,
		      int ind,
		      bool inline_first)
{
	for (size_t i = 0; i < n->n; i++) {
		if (i || !inline_first)
			indent(sb, ind);
		if (n->kind == COMPOSE_NODE_SEQ) {
			sbuf_addch(sb, '-');
			emit_value(sb, n->items[i], ind, true);
			continue;
		}
		emit_key(sb, n->pairs[i].key, ind);
		emit_value(sb, n->pairs[i].value, ind, false);
	}
}

void compose_node_emit_yaml(struct sbuf *out, const struct compose_node *n)
{
	if (!n)
		return;
	if (is_block(n)) {
		if (n->tag) {
			emit_tag(out, compose_node_tag(n));
			sbuf_addch(out, '\n');
		}
		emit_yaml(out, n, 0, false);
		return;
	}
	if (n->tag) {
		emit_tag(out, compose_node_tag(n));
		sbuf_addch(out, ' ');
	}
	if (n->kind == COMPOSE_NODE_MAP)
		sbuf_adds(out, "{}");
	else if (n->kind == COMPOSE_NODE_SEQ)
		sbuf_adds(out, "[]");
	else if (!n->len && n->style == COMPOSE_SCALAR_PLAIN && !n->tag)
		sbuf_adds(out, "~");
	else
		emit_scalar(out, n, false);
	sbuf_addch(out, '\n');
}

/* ---- Writing JSON ----------------------------------------------------- */

/* YAML ints may be "+7", "007", "0x1F" or "0o17"; JSON wants decimal. */
static bool json_int(struct sbuf *sb, const struct compose_node *n)
{
	const char *s = n->str;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		unsigned long long v;
		char *end;

		errno = 0;
		v = strtoull(s + 2, &end, s[1] == 'x' ? 16 : 8);
		if (errno || *end)
			return false;
		sbuf_addf(sb, "%llu", v);
		return true;
	}
	if (*s == '+' || *s == '-') {
		if (*s == '-')
			sbuf_addch(sb, '-');
		s++;
	}
	while (s[0] == '0' && s[1])
		s++;
	sbuf_adds(sb, s);
	return true;
}

/* The shortest form that reads back as the same double. */
static bool json_float(struct sbuf *sb, const struct compose_node *n)
{
	char buf[64];
	double d = strtod(n->str, NULL);

	/* JSON has no infinity or NaN (".inf", ".nan"): keep the text. */
	if (strpbrk(n->str, "nN") || !isfinite(d))
		return false;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	sbuf_adds(sb, buf);
	return true;
}

/* A scalar as compose_scalar_type() types it. */
static void json_scalar(struct sbuf *out, const struct compose_node *n)
{
	size_t at = out->len;
	bool ok;

	switch (compose_scalar_type(n)) {
	case COMPOSE_TYPE_NULL:
		sbuf_adds(out, "null");
		return;
	case COMPOSE_TYPE_BOOL:
		sbuf_adds(out, (n->str[0] | 0x20) == 't' ? "true" : "false");
		return;
	case COMPOSE_TYPE_INT:
		ok = json_int(out, n);
		break;
	case COMPOSE_TYPE_FLOAT:
		ok = json_float(out, n);
		break;
	default:
		ok = false;
		break;
	}
	/* A YAML number that JSON cannot hold stays a string. */
	if (ok)
		return;
	sbuf_setlen(out, at);
	if (!memchr(n->str, '\0', n->len))
		json_write_str(out, n->str);
	else
		json_write_strn(out, n->str, n->len);
}

/*
 * The node in json_write()'s indented layout, its inner lines at 'at'
 * spaces and more, walked directly: a cJSON tree of the model first cost
 * a third of `config --format json`.
 */
static void json_node(struct sbuf *out, const struct compose_node *n, int at)
{
	bool map = n->kind == COMPOSE_NODE_MAP;

	if (n->kind == COMPOSE_NODE_SCALAR) {
		json_scalar(out, n);
		return;
	}
	sbuf_addch(out, map ? '{' : '[');
	for (size_t i = 0; i < n->n; i++) {
		if (i)
			sbuf_addch(out, ',');
		json_write_newline(out, at + 2);
		if (map) {
			json_write_str(out, n->pairs[i].key->str);
			sbuf_adds(out, ": ");
		}
		json_node(out, map ? n->pairs[i].value : n->items[i], at + 2);
	}
	if (n->n)
		json_write_newline(out, at);
	sbuf_addch(out, map ? '}' : ']');
}

void compose_node_emit_json_members(struct sbuf *out,
				    const struct compose_node *m,
				    int at)
{
	for (size_t i = 0; i < m->n; i++) {
		if (i)
			sbuf_adds(out, ",\n");
		json_write_spaces(out, at);
		json_write_str(out, m->pairs[i].key->str);
		sbuf_adds(out, ": ");
		json_node(out, m->pairs[i].value, at);
	}
}

void compose_node_emit_json(struct sbuf *out, const struct compose_node *n)
{
	if (n)
		json_node(out, n, 0);
	else
		sbuf_adds(out, "null");
	sbuf_addch(out, '\n');
}
