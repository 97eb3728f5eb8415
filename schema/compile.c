/*
 * Compiles a JSON Schema node tree into struct sch once, so that the walk
 * over a document never looks at schema text again: properties are
 * sorted for binary search, "$ref" is a pointer, patterns are compiled.
 *
 * A trusted tree (the built-in one, checked when it was generated) is
 * compiled lazily: a property's schema on the first lookup of that key
 * (a compose file uses a dozen of the ~100 service keys), a pattern on
 * its first match.  The compiler then stays in the schema's arena.
 */
#include "schema/schema_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

struct memo {
	const struct compose_node *node;
	struct sch *sch;
	struct memo *next; /* in the arena, so it outlives a session */
};

struct pending {
	struct sch *sch;
	const struct compose_node *at; /* the "$ref" value, for errors */
};

struct compiler {
	struct arena *a;
	const struct compose_node *doc;
	struct memo *memo;
	/* Scratch of one session (a compile or a lazy step): */
	struct pending *pend;
	size_t n_pend, alloc_pend;
	struct sch **all;
	size_t n_all, alloc_all;
	struct diag *err;
	int rc;
	bool trusted; /* lazy properties and patterns */
};

/* The compiler a lazy schema keeps for its later steps. */
struct sch_lazy {
	struct compiler c;
};

static struct sch *compile_node(struct compiler *c,
				const struct compose_node *n);

static void
fail(struct compiler *c, const struct compose_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keeps the first problem: later ones are usually its echoes. */
static void
fail(struct compiler *c, const struct compose_node *at, const char *fmt, ...)
{
	struct diag_loc loc;
	va_list ap;

	if (c->rc)
		return;
	if (at) {
		/* The built-in schema's nodes have a line but no file atom. */
		loc = compose_node_loc(at);
		if (!loc.file)
			loc.file = "mixcompose.schema.json";
	}
	va_start(ap, fmt);
	c->rc = diag_vset(c->err, DIAG_ESCHEMA, at ? &loc : NULL, fmt, ap);
	va_end(ap);
}

static bool is_str(const struct compose_node *n)
{
	return n && n->kind == COMPOSE_NODE_SCALAR &&
	       sch_node_type(n) == SCH_T_STR;
}

static double num(const struct compose_node *n)
{
	return strtod(n->str, NULL);
}

static unsigned type_bit(const char *t)
{
	static const struct {
		const char *name;
		unsigned bits;
	} names[] = {
		{"null", SCH_T_NULL},	{"boolean", SCH_T_BOOL},
		{"integer", SCH_T_INT}, {"number", SCH_T_INT | SCH_T_NUM},
		{"string", SCH_T_STR},	{"object", SCH_T_OBJ},
		{"array", SCH_T_ARR},
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(names[i].name, t))
			return names[i].bits;
	return 0;
}

static void
kw_type(struct compiler *c, struct sch *s, const struct compose_node *v)
{
	unsigned bit;

	if (v->kind == COMPOSE_NODE_SEQ) {
		for (size_t i = 0; i < v->n; i++)
			kw_type(c, s, v->items[i]);
		return;
	}
	bit = is_str(v) ? type_bit(v->str) : 0;
	if (!bit) {
		fail(c, v, "unknown type '%s'",
		     v->kind == COMPOSE_NODE_SCALAR ? v->str : "?");
		return;
	}
	s->types |= bit;
}

static int cmp_prop(const void *x, const void *y)
{
	return strcmp(((const struct sch_prop *)x)->name,
		      ((const struct sch_prop *)y)->name);
}

/* An open-addressing table at most half full: one probe, usually. */
static void build_slots(struct compiler *c, struct sch *s)
{
	unsigned size = 4;

	while (size < 2 * s->n_props)
		size *= 2;
	s->slots = arena_calloc(c->a, size, sizeof(*s->slots));
	s->slot_mask = size - 1;
	for (size_t i = 0; i < s->n_props; i++) {
		unsigned h = sch_hash(s->props[i].name) & s->slot_mask;

		s->props[i].hash = sch_hash(s->props[i].name);
		while (s->slots[h])
			h = (h + 1) & s->slot_mask;
		s->slots[h] = (unsigned)i + 1;
	}
}

static void
kw_properties(struct compiler *c, struct sch *s, const struct compose_node *v)
{
	if (v->kind != COMPOSE_NODE_MAP) {
		fail(c, v, "'%s' must be an object", "properties");
		return;
	}
	s->props = arena_calloc(c->a, v->n ? v->n : 1, sizeof(*s->props));
	for (size_t i = 0; i < v->n; i++) {
		s->props[i].name = v->pairs[i].key->str;
		if (c->trusted)
			s->props[i].node = v->pairs[i].value;
		else
			s->props[i].schema = compile_node(c, v->pairs[i].value);
	}
	s->n_props = v->n;
	qsort(s->props, s->n_props, sizeof(*s->props), cmp_prop);
	build_slots(c, s);
}

static void
compile_rx(struct compiler *c, struct sch_rx *r, const struct compose_node *v)
{
	char msg[256];

	if (!is_str(v)) {
		fail(c, v, "a pattern must be a string");
		return;
	}
	if (c->trusted)
		sch_rx_prepare(r, v->str);
	else if (!sch_rx_init(r, v->str, msg, (int)sizeof(msg)))
		fail(c, v, "bad pattern: %s", msg);
}

static void kw_pattern_properties(struct compiler *c,
				  struct sch *s,
				  const struct compose_node *v)
{
	if (v->kind != COMPOSE_NODE_MAP) {
		fail(c, v, "'%s' must be an object", "patternProperties");
		return;
	}
	s->pprops = arena_calloc(c->a, v->n ? v->n : 1, sizeof(*s->pprops));
	for (size_t i = 0; i < v->n; i++) {
		compile_rx(c, &s->pprops[i].rx, v->pairs[i].key);
		s->pprops[i].schema = compile_node(c, v->pairs[i].value);
	}
	s->n_pprops = v->n;
}

static void
kw_additional(struct compiler *c, struct sch *s, const struct compose_node *v)
{
	if (v->kind == COMPOSE_NODE_SCALAR && sch_node_type(v) == SCH_T_BOOL) {
		s->no_additional = v->str[0] == 'f' || v->str[0] == 'F';
		return;
	}
	s->additional = compile_node(c, v);
}

static void
kw_required(struct compiler *c, struct sch *s, const struct compose_node *v)
{
	if (v->kind != COMPOSE_NODE_SEQ) {
		fail(c, v, "'%s' must be an array", "required");
		return;
	}
	s->required = arena_calloc(c->a, v->n ? v->n : 1, sizeof(char *));
	for (size_t i = 0; i < v->n; i++)
		s->required[i] = v->items[i]->str;
	s->n_required = v->n;
}

static struct sch **
compile_list(struct compiler *c, const struct compose_node *v, size_t *n)
{
	struct sch **list;

	if (v->kind != COMPOSE_NODE_SEQ) {
		fail(c, v, "'%s' must be an array of schemas", "oneOf/anyOf");
		*n = 0;
		return NULL;
	}
	list = arena_calloc(c->a, v->n ? v->n : 1, sizeof(*list));
	for (size_t i = 0; i < v->n; i++)
		list[i] = compile_node(c, v->items[i]);
	*n = v->n;
	return list;
}

static void
kw_items(struct compiler *c, struct sch *s, const struct compose_node *v)
{
	if (v->kind == COMPOSE_NODE_SEQ)
		s->tuple = compile_list(c, v, &s->n_tuple);
	else
		s->items = compile_node(c, v);
}

static void
kw_enum(struct compiler *c, struct sch *s, const struct compose_node *v)
{
	if (v->kind != COMPOSE_NODE_SEQ) {
		fail(c, v, "'%s' must be an array", "enum");
		return;
	}
	s->enum_vals = arena_calloc(c->a, v->n ? v->n : 1, sizeof(void *));
	for (size_t i = 0; i < v->n; i++)
		s->enum_vals[i] = v->items[i];
	s->n_enum = v->n;
}

static void
kw_ref(struct compiler *c, struct sch *s, const struct compose_node *v)
{
	if (!is_str(v)) {
		fail(c, v, "'%s' must be a string", "$ref");
		return;
	}
	s->ref_str = v->str;
	ALLOC_GROW(c->pend, c->n_pend + 1, c->alloc_pend);
	c->pend[c->n_pend].sch = s;
	c->pend[c->n_pend].at = v;
	c->n_pend++;
}

/* Keywords that take a number, a flag or a string. */
static void
kw_scalar(struct sch *s, const char *k, const struct compose_node *v)
{
	bool yes = v->kind == COMPOSE_NODE_SCALAR &&
		   sch_node_type(v) == SCH_T_BOOL &&
		   (v->str[0] == 't' || v->str[0] == 'T');

	if (!strcmp(k, "minimum") || !strcmp(k, "exclusiveMinimum")) {
		s->has_min = true;
		s->minimum = num(v);
		s->excl_min = k[0] == 'e';
	} else if (!strcmp(k, "maximum") || !strcmp(k, "exclusiveMaximum")) {
		s->has_max = true;
		s->maximum = num(v);
		s->excl_max = k[0] == 'e';
	} else if (!strcmp(k, "minLength")) {
		s->min_len = (long)num(v);
	} else if (!strcmp(k, "maxLength")) {
		s->max_len = (long)num(v);
	} else if (!strcmp(k, "minItems")) {
		s->min_items = (long)num(v);
	} else if (!strcmp(k, "maxItems")) {
		s->max_items = (long)num(v);
	} else if (!strcmp(k, "minProperties")) {
		s->min_props = (long)num(v);
	} else if (!strcmp(k, "maxProperties")) {
		s->max_props = (long)num(v);
	} else if (!strcmp(k, "uniqueItems")) {
		s->unique_items = yes;
	} else if (!strcmp(k, "format")) {
		s->format = v->str;
	} else if (!strcmp(k, "x-mixcompose-unsupported")) {
		/* true, or the reason why the key is ignored. */
		s->unsupported = yes || sch_node_type(v) == SCH_T_STR;
		if (sch_node_type(v) == SCH_T_STR)
			s->ignored_why = v->str;
	} else if (!strcmp(k, "x-mixcompose-deprecated")) {
		s->deprecated = v->str;
	} else if (!strcmp(k, "x-mixcompose-error")) {
		s->error_msg = v->str;
	} else if (!strcmp(k, "x-mixcompose-format")) {
		s->cformat = v->str;
	}
	/* Annotations (description, title, default, $id...) are ignored. */
}

static void compile_keyword(struct compiler *c,
			    struct sch *s,
			    const char *k,
			    const struct compose_node *v)
{
	if (!strcmp(k, "type"))
		kw_type(c, s, v);
	else if (!strcmp(k, "properties"))
		kw_properties(c, s, v);
	else if (!strcmp(k, "patternProperties"))
		kw_pattern_properties(c, s, v);
	else if (!strcmp(k, "additionalProperties"))
		kw_additional(c, s, v);
	else if (!strcmp(k, "required"))
		kw_required(c, s, v);
	else if (!strcmp(k, "items"))
		kw_items(c, s, v);
	else if (!strcmp(k, "enum"))
		kw_enum(c, s, v);
	else if (!strcmp(k, "const"))
		s->const_val = v;
	else if (!strcmp(k, "pattern")) {
		s->pattern = arena_alloc(c->a, sizeof(*s->pattern));
		compile_rx(c, s->pattern, v);
	} else if (!strcmp(k, "oneOf"))
		s->one_of = compile_list(c, v, &s->n_one_of);
	else if (!strcmp(k, "anyOf"))
		s->any_of = compile_list(c, v, &s->n_any_of);
	else if (!strcmp(k, "allOf"))
		s->all_of = compile_list(c, v, &s->n_all_of);
	else if (!strcmp(k, "not"))
		s->not_ = compile_node(c, v);
	else if (!strcmp(k, "$ref"))
		kw_ref(c, s, v);
	else if (strcmp(k, "definitions") && strcmp(k, "$defs"))
		kw_scalar(s, k, v);
}

static struct sch *sch_new(struct compiler *c)
{
	struct sch *s = arena_alloc(c->a, sizeof(*s));

	s->min_props = s->max_props = -1;
	s->min_items = s->max_items = -1;
	s->min_len = s->max_len = -1;
	ALLOC_GROW(c->all, c->n_all + 1, c->alloc_all);
	c->all[c->n_all++] = s;
	return s;
}

static struct sch *compile_node(struct compiler *c,
				const struct compose_node *n)
{
	struct sch *s = sch_new(c);

	if (n->kind == COMPOSE_NODE_SCALAR && sch_node_type(n) == SCH_T_BOOL) {
		/* "false" accepts nothing: an empty "anyOf". */
		if (n->str[0] == 'f' || n->str[0] == 'F')
			s->any_of = arena_calloc(c->a, 1, sizeof(*s->any_of));
		return s;
	}
	if (n->kind != COMPOSE_NODE_MAP) {
		fail(c, n, "a schema must be an object or a boolean");
		return s;
	}
	for (size_t i = 0; i < n->n; i++)
		compile_keyword(c, s, n->pairs[i].key->str, n->pairs[i].value);
	if (s->cformat && !sch_cformat_known(s->cformat))
		fail(c, n, "unknown x-mixcompose-format '%s'", s->cformat);
	else if (s->cformat)
		s->pattern = NULL; /* the same check, in C */
	return s;
}

/*
 * A "$ref" target is compiled once however many refs point at it; the
 * memo holds only targets (and the root), so it stays short.
 */
static struct sch *compile_target(struct compiler *c,
				  const struct compose_node *n)
{
	struct memo *m;

	for (m = c->memo; m; m = m->next)
		if (m->node == n)
			return m->sch;
	m = arena_alloc(c->a, sizeof(*m));
	m->node = n;
	m->sch = compile_node(c, n);
	m->next = c->memo;
	c->memo = m;
	return m->sch;
}

/* Follows a local JSON pointer ("#", "#/definitions/port", ~0 ~1). */
static const struct compose_node *
resolve_pointer(const struct compose_node *doc, const char *ref)
{
	const struct compose_node *n = doc;
	const char *p;
	char part[256];

	if (ref[0] != '#')
		return NULL;
	for (p = ref + 1; *p == '/' && n;) {
		size_t len = 0;

		for (p++; *p && *p != '/' && len < sizeof(part) - 1; p++) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1'))
				part[len++] = *++p == '0' ? '~' : '/';
			else
				part[len++] = *p;
		}
		part[len] = '\0';
		if (n->kind == COMPOSE_NODE_SEQ) {
			size_t i = strtoul(part, NULL, 10);

			n = i < n->n ? n->items[i] : NULL;
		} else {
			n = compose_map_get(n, part);
		}
	}
	return *p ? NULL : n;
}

static void resolve_refs(struct compiler *c)
{
	/* Compiling a target may add more pending refs: index, no iterator. */
	for (size_t i = 0; i < c->n_pend && !c->rc; i++) {
		struct pending pd = c->pend[i];
		const struct compose_node *t =
			resolve_pointer(c->doc, pd.sch->ref_str);

		if (!t) {
			fail(c, pd.at, "'$ref' '%s' does not resolve",
			     pd.sch->ref_str);
			return;
		}
		pd.sch->ref = compile_target(c, t);
	}
}

/* The types a schema can accept, so oneOf can skip branches cheaply. */
static unsigned tmask(struct sch *s, int depth)
{
	unsigned m = s->types ? s->types : SCH_T_ANY;

	if (s->tmask || depth > 32)
		return s->tmask ? s->tmask : SCH_T_ANY;
	if (s->ref)
		m &= tmask(s->ref, depth + 1);
	for (size_t i = 0; i < s->n_all_of; i++)
		m &= tmask(s->all_of[i], depth + 1);
	if (s->n_one_of || s->n_any_of) {
		unsigned u = 0;

		for (size_t i = 0; i < s->n_one_of; i++)
			u |= tmask(s->one_of[i], depth + 1);
		for (size_t i = 0; i < s->n_any_of; i++)
			u |= tmask(s->any_of[i], depth + 1);
		m &= u;
	} else if (s->any_of) {
		m = 0; /* the "false" schema */
	}
	s->tmask = m;
	return m;
}

/*
 * Ends a session: resolves the refs it met, gives its new schemas their
 * type masks (which only follow $ref, allOf, oneOf and anyOf, all
 * compiled within the session) and drops the scratch lists.
 */
static void end_session(struct compiler *c)
{
	resolve_refs(c);
	for (size_t i = 0; i < c->n_all && !c->rc; i++)
		c->all[i]->tmask = tmask(c->all[i], 0);
	free(c->pend);
	free(c->all);
	c->pend = NULL;
	c->all = NULL;
	c->n_pend = c->alloc_pend = c->n_all = c->alloc_all = 0;
}

static int compile(struct schema *out,
		   struct arena *a,
		   const struct compose_node *doc,
		   bool trusted,
		   struct diag *err)
{
	struct compiler stack = {0};
	struct compiler *c = &stack;

	memset(out, 0, sizeof(*out));
	if (!doc)
		return diag_set(err, DIAG_ESCHEMA, NULL, "empty schema");
	if (trusted) {
		out->lazy = arena_calloc(a, 1, sizeof(*out->lazy));
		c = &out->lazy->c;
	}
	c->a = a;
	c->doc = doc;
	c->err = err;
	c->trusted = trusted;
	out->root = compile_target(c, doc);
	end_session(c);
	/* Later steps report nowhere: the caller's 'err' may be gone. */
	c->err = NULL;
	out->arena = a;
	return c->rc;
}

int schema_compile(struct schema *out,
		   struct arena *a,
		   const struct compose_node *doc,
		   struct diag *err)
{
	return compile(out, a, doc, false, err);
}

int schema_compile_trusted(struct schema *out,
			   struct arena *a,
			   const struct compose_node *doc,
			   struct diag *err)
{
	return compile(out, a, doc, true, err);
}

const struct sch *sch_prop_schema(const struct schema *s,
				  const struct sch_prop *p)
{
	/* The prop lives in the schema's arena; only the cache is written. */
	struct sch_prop *mp = (struct sch_prop *)p;

	if (p->schema)
		return p->schema;
	assert(s->lazy && p->node);
	mp->schema = compile_node(&s->lazy->c, p->node);
	end_session(&s->lazy->c);
	return mp->schema;
}
