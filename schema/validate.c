/*
 * The walk: a compiled schema over a compose node tree.  Every problem
 * is reported with its key path ("services.web.ports[1]") at the node's
 * file:line:column, and the walk carries on after each one.
 */
#include "schema/schema.h"
#include "schema/schema_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

extern const char schema_text[];
extern const size_t schema_text_len;

/*
 * The key path is a stack of frames (a key, or an index when 'key' is
 * NULL) turned into text only when something is reported: building the
 * string for every node would cost more than the checks.
 */
struct frame {
	const char *key;
	size_t index;
};

struct vctx {
	const struct schema *schema;
	struct diag_list *dl;
	struct frame *fr;
	size_t n_fr, alloc_fr;
};

static void
validate(struct vctx *v, const struct sch *s, const struct compose_node *n);
static void validate_core(struct vctx *v,
			  const struct sch *s,
			  const struct compose_node *n);

static void path_render(struct sbuf *out, const struct vctx *v)
{
	for (size_t i = 0; i < v->n_fr; i++) {
		if (!v->fr[i].key)
			sbuf_addf(out, "[%zu]", v->fr[i].index);
		else if (i)
			sbuf_addf(out, ".%s", v->fr[i].key);
		else
			sbuf_adds(out, v->fr[i].key);
	}
}

static void report(struct vctx *v,
		   enum diag_severity sev,
		   const struct diag_loc *loc,
		   const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static void report(struct vctx *v,
		   enum diag_severity sev,
		   const struct diag_loc *loc,
		   const char *fmt,
		   ...)
{
	struct sbuf path = SBUF_INIT;
	char msg[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	path_render(&path, v);
	if (path.len)
		diag_list_add(v->dl, sev, DIAG_ESCHEMA, loc, "%s: %s", path.buf,
			      msg);
	else
		diag_list_add(v->dl, sev, DIAG_ESCHEMA, loc, "%s", msg);
	sbuf_release(&path);
}

static void path_push(struct vctx *v, const char *key, size_t index)
{
	ALLOC_GROW(v->fr, v->n_fr + 1, v->alloc_fr);
	v->fr[v->n_fr].key = key;
	v->fr[v->n_fr].index = index;
	v->n_fr++;
}

static void path_pop(struct vctx *v)
{
	v->n_fr--;
}

/* Validates with problems collected in 'tmp' instead of the real list. */
static void trial(struct vctx *v,
		  struct diag_list *tmp,
		  const struct sch *s,
		  const struct compose_node *n,
		  bool core)
{
	struct diag_list *real = v->dl;

	v->dl = tmp;
	if (core)
		validate_core(v, s, n);
	else
		validate(v, s, n);
	v->dl = real;
}

static void merge(struct vctx *v, struct diag_list *tmp, bool errors)
{
	for (size_t i = 0; i < tmp->nr; i++)
		if (errors || tmp->items[i].severity != DIAG_ERROR)
			diag_list_add_diag(v->dl, tmp->items[i].severity,
					   &tmp->items[i].d);
	diag_list_release(tmp);
}

static void
type_error(struct vctx *v, const struct compose_node *n, unsigned want)
{
	struct sbuf sb = SBUF_INIT;

	sch_types_str(&sb, want);
	if (sch_node_type(n) == SCH_T_NULL)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "must be of type %s, not null", sb.buf);
	else if (n->kind == COMPOSE_NODE_SCALAR)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "'%s' is not of type %s", n->str, sb.buf);
	else
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "must be of type %s, not %s", sb.buf,
		       n->kind == COMPOSE_NODE_MAP ? "object" : "array");
	sbuf_release(&sb);
}

static void
check_enum(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < s->n_enum; i++)
		if (sch_scalar_equal(n, s->enum_vals[i]))
			return;
	for (size_t i = 0; i < s->n_enum; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", s->enum_vals[i]->str);
	report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n), "'%s' must be one of: %s",
	       n->kind == COMPOSE_NODE_SCALAR ? n->str : "?", sb.buf);
	sbuf_release(&sb);
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void
check_string(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	const struct diag_loc *loc = COMPOSE_NODE_LOC(n);

	if (s->cformat && !sch_cformat_ok(s->cformat, n->str))
		report(v, DIAG_ERROR, loc, "'%s' is not a valid %s", n->str,
		       s->cformat);
	if (s->pattern && !sch_rx_match(s->pattern, n->str))
		report(v, DIAG_ERROR, loc, "'%s' does not match '%s'", n->str,
		       s->pattern->src);
	if (s->min_len == 1 && !n->str[0])
		report(v, DIAG_ERROR, loc, "must not be empty");
	else if (s->min_len >= 0 && utf8_len(n->str) < (size_t)s->min_len)
		report(v, DIAG_ERROR, loc,
		       "'%s' is shorter than %ld characters", n->str,
		       s->min_len);
	if (s->max_len >= 0 && utf8_len(n->str) > (size_t)s->max_len)
		report(v, DIAG_ERROR, loc, "'%s' is longer than %ld characters",
		       n->str, s->max_len);
	if (s->format && !sch_format_ok(s->format, n->str))
		report(v, DIAG_ERROR, loc, "'%s' is not a valid %s", n->str,
		       s->format);
}

static void
check_number(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	double d;

	if (!s->has_min && !s->has_max)
		return;
	d = strtod(n->str, NULL);
	/* Octal and hex integers (0o17, 0x1F) as YAML 1.2 reads them. */
	if (n->str[0] == '0' && (n->str[1] == 'o' || n->str[1] == 'x'))
		d = (double)strtoll(n->str + 2, NULL,
				    n->str[1] == 'o' ? 8 : 16);
	if (s->has_min && (d < s->minimum || (s->excl_min && d == s->minimum)))
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "'%s' is less than the minimum of %g", n->str,
		       s->minimum);
	if (s->has_max && (d > s->maximum || (s->excl_max && d == s->maximum)))
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "'%s' is greater than the maximum of %g", n->str,
		       s->maximum);
}

static const struct sch_prop *find_prop(const struct sch *s, const char *key)
{
	unsigned h, i;

	if (!s->n_props)
		return NULL;
	h = sch_hash(key);
	for (i = h & s->slot_mask; s->slots[i]; i = (i + 1) & s->slot_mask) {
		const struct sch_prop *p = &s->props[s->slots[i] - 1];

		if (p->hash == h && !strcmp(p->name, key))
			return p;
	}
	return NULL;
}

/* A known key: its value, and warnings for keys mixcompose ignores. */
static void known_key(struct vctx *v,
		      const struct sch_prop *p,
		      const struct compose_pair *pair)
{
	const struct sch *ps = sch_prop_schema(v->schema, p);

	if (ps->unsupported && ps->ignored_why)
		report(v, DIAG_WARNING, COMPOSE_NODE_LOC(pair->key),
		       "'%s' is ignored: %s", p->name, ps->ignored_why);
	else if (ps->unsupported)
		report(v, DIAG_WARNING, COMPOSE_NODE_LOC(pair->key),
		       "mixcompose does not act on '%s'; it is ignored",
		       p->name);
	if (ps->deprecated)
		report(v, DIAG_WARNING, COMPOSE_NODE_LOC(pair->key), "%s",
		       ps->deprecated);
	validate(v, ps, pair->value);
}

/* An "x-" key close to one of ours ("x-mixcompse") is likely a typo. */
static void check_extension_typo(struct vctx *v,
				 const struct sch *s,
				 const struct compose_node *key)
{
	const char *best = sch_suggest(s, key->str);

	if (best && !strncmp(best, "x-", 2))
		report(v, DIAG_WARNING, COMPOSE_NODE_LOC(key),
		       "unknown extension '%s' (did you mean '%s'?)", key->str,
		       best);
}

static void
unknown_key(struct vctx *v, const struct sch *s, const struct compose_node *key)
{
	const char *best;

	if (!s->n_props && s->n_pprops) {
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(key),
		       "'%s' is not a valid key (must match '%s')", key->str,
		       s->pprops[0].rx.src);
		return;
	}
	best = sch_suggest(s, key->str);
	if (best)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(key),
		       "unknown key '%s' (did you mean '%s'?)", key->str, best);
	else
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(key), "unknown key '%s'",
		       key->str);
}

static void
check_pair(struct vctx *v, const struct sch *s, const struct compose_pair *pair)
{
	const char *k = pair->key->str;
	const struct sch_prop *p = find_prop(s, k);
	bool by_pattern = false;

	path_push(v, k, 0);
	if (p)
		known_key(v, p, pair);
	for (size_t j = 0; j < s->n_pprops; j++) {
		if (!sch_rx_match(&s->pprops[j].rx, k))
			continue;
		by_pattern = true;
		validate(v, s->pprops[j].schema, pair->value);
	}
	if (!p && !by_pattern && s->additional)
		validate(v, s->additional, pair->value);
	path_pop(v);
	if (!p && !by_pattern && s->no_additional)
		unknown_key(v, s, pair->key);
	if (!p && by_pattern && s->n_props && !strncmp(k, "x-", 2))
		check_extension_typo(v, s, pair->key);
}

static void
check_object(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	for (size_t i = 0; i < n->n; i++)
		check_pair(v, s, &n->pairs[i]);
	for (size_t i = 0; i < s->n_required; i++)
		if (!compose_map_get(n, s->required[i]))
			report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
			       "missing required key '%s'", s->required[i]);
	if (s->min_props >= 0 && n->n < (size_t)s->min_props)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "must have at least %ld keys", s->min_props);
	if (s->max_props >= 0 && n->n > (size_t)s->max_props)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "must have at most %ld keys", s->max_props);
}

static void
check_array(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	size_t first = 0;
	long dup;

	for (size_t i = 0; i < n->n; i++) {
		const struct sch *is = i < s->n_tuple ? s->tuple[i] : s->items;

		if (!is)
			continue;
		path_push(v, NULL, i);
		validate(v, is, n->items[i]);
		path_pop(v);
	}
	if (s->min_items >= 0 && n->n < (size_t)s->min_items)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "must have at least %ld items", s->min_items);
	if (s->max_items >= 0 && n->n > (size_t)s->max_items)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "must have at most %ld items", s->max_items);
	if (s->unique_items && n->n > 1 &&
	    (dup = sch_first_duplicate(n, &first)) >= 0) {
		path_push(v, NULL, (size_t)dup);
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n->items[dup]),
		       "duplicate item '%s' (also at [%zu])",
		       n->items[dup]->str, first);
		path_pop(v);
	}
}

/*
 * oneOf/anyOf.  Branches whose type cannot match are skipped; if one is
 * left it is the only one that can pass, so its errors are the useful
 * ones.  Otherwise the first branch that passes wins (overlapping oneOf
 * branches are a schema bug, not the user's), and if none does, the
 * branch with the fewest errors speaks.
 */
static void check_choice(struct vctx *v,
			 struct sch *const *br,
			 size_t nbr,
			 const struct compose_node *n)
{
	unsigned t = sch_node_type(n), all = 0;
	struct diag_list best = DIAG_LIST_INIT;
	size_t cand = 0, last = 0;
	bool have_best = false;

	for (size_t i = 0; i < nbr; i++) {
		all |= br[i]->tmask;
		if (br[i]->tmask & t) {
			cand++;
			last = i;
		}
	}
	if (!cand) {
		type_error(v, n, all);
		return;
	}
	if (cand == 1) {
		validate(v, br[last], n);
		return;
	}
	for (size_t i = 0; i < nbr; i++) {
		struct diag_list tmp = DIAG_LIST_INIT;

		if (!(br[i]->tmask & t))
			continue;
		trial(v, &tmp, br[i], n, false);
		if (!tmp.errors || !have_best || tmp.errors < best.errors) {
			diag_list_release(&best);
			best = tmp;
			have_best = true;
			if (!tmp.errors)
				break;
		} else {
			diag_list_release(&tmp);
		}
	}
	merge(v, &best, true);
}

static void
check_not(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	struct diag_list tmp = DIAG_LIST_INIT;

	trial(v, &tmp, s->not_, n, false);
	if (!tmp.errors)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "is not allowed here");
	diag_list_release(&tmp);
}

static void check_scalar(struct vctx *v,
			 const struct sch *s,
			 const struct compose_node *n,
			 unsigned t)
{
	if (s->n_enum)
		check_enum(v, s, n);
	if (s->const_val && !sch_scalar_equal(n, s->const_val))
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n), "'%s' must be '%s'",
		       n->str, s->const_val->str);
	if (t == SCH_T_STR)
		check_string(v, s, n);
	else if (t & (SCH_T_INT | SCH_T_NUM))
		check_number(v, s, n);
}

static void
validate_core(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	unsigned t = sch_node_type(n);

	if (s->types && !(s->types & t)) {
		type_error(v, n, s->types);
		return;
	}
	if (s->ref)
		validate(v, s->ref, n);
	if (n->kind == COMPOSE_NODE_SCALAR)
		check_scalar(v, s, n, t);
	else if (n->kind == COMPOSE_NODE_MAP)
		check_object(v, s, n);
	else
		check_array(v, s, n);
	for (size_t i = 0; i < s->n_all_of; i++)
		validate(v, s->all_of[i], n);
	if (s->n_one_of)
		check_choice(v, s->one_of, s->n_one_of, n);
	if (s->n_any_of)
		check_choice(v, s->any_of, s->n_any_of, n);
	else if (s->any_of)
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n),
		       "is not allowed here");
	if (s->not_)
		check_not(v, s, n);
}

/*
 * "x-mixcompose-error" replaces whatever went wrong with a scalar by one
 * message: "'80800' is not a valid port" says more than the branches of
 * the port's oneOf would.
 */
static void
validate(struct vctx *v, const struct sch *s, const struct compose_node *n)
{
	struct diag_list tmp = DIAG_LIST_INIT;

	if (!n)
		return;
	if (!s->error_msg || n->kind != COMPOSE_NODE_SCALAR) {
		validate_core(v, s, n);
		return;
	}
	trial(v, &tmp, s, n, true);
	if (tmp.errors) {
		report(v, DIAG_ERROR, COMPOSE_NODE_LOC(n), "'%s' %s", n->str,
		       s->error_msg);
		merge(v, &tmp, false);
		return;
	}
	merge(v, &tmp, true);
}

int schema_check(const struct schema *s,
		 const struct compose_node *doc,
		 struct diag_list *dl)
{
	struct vctx v = {.schema = s, .dl = dl};
	size_t before = dl->errors;

	if (doc)
		validate_core(&v, s->root, doc);
	free(v.fr);
	return v.dl->errors > before ? DIAG_ESCHEMA : 0;
}

const struct schema *schema_builtin(struct diag *err)
{
	static struct schema builtin;
	static bool loaded;
	static struct diag load_err;

	if (!loaded) {
		/*
		 * Lives for the process: compiled once, used by every call.
		 * The tree was parsed (and checked) at build time.
		 */
		struct arena *a = arena_new();

		loaded = true;
		if (schema_compile_trusted(&builtin, a, schema_tree,
					   &load_err)) {
			memset(&builtin, 0, sizeof(builtin));
			diag_prefix(&load_err, "the built-in schema is broken");
		}
	}
	if (builtin.root)
		return &builtin;
	if (err)
		*err = load_err;
	return NULL;
}

int schema_validate(const struct compose_node *doc, struct diag_list *dl)
{
	struct diag err = {0};
	const struct schema *s = schema_builtin(&err);

	if (!s) {
		diag_list_add_diag(dl, DIAG_ERROR, &err);
		return DIAG_ESCHEMA;
	}
	return schema_check(s, doc, dl);
}

const char *schema_text_get(void)
{
	return schema_text;
}
