/*
 * Variable interpolation as the compose spec and compose-go's template
 * package define it: "$$" is a literal "$"; "$NAME" and "${NAME}" take
 * the variable (empty when unset); "${NAME:-d}", "${NAME-d}", "${NAME:?e}",
 * "${NAME?e}", "${NAME:+a}" and "${NAME+a}" test it.  Defaults, messages
 * and alternatives may themselves hold "${...}"; they are interpolated only
 * when used.  A "$" followed by anything else ("$1", "$ ", a trailing "$")
 * stays as written, as in compose-go; a "${" that does not form a valid
 * substitution is an error.
 */
#include "compose/compose.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* Nested ${...} in defaults deeper than this is refused, not recursed. */
#define MAX_NESTING 64

struct path_seg {
	const char *key; /* NULL: an index */
	size_t idx;
};

struct interp {
	struct arena *a;
	const struct compose_env *env;
	const struct compose_interp_opts *opts;
	const char *(*lookup)(void *userdata, const char *name);
	void *lookup_ud;
	const struct diag_loc *loc;
	/* The value being interpolated, for messages. */
	const char *whole;
	size_t whole_len;
	/* Key path of the value, when walking a tree. */
	const struct path_seg *path;
	size_t depth;
	struct diag *err;
};

static bool is_name_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static void path_format(struct sbuf *sb, const struct path_seg *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!p[i].key)
			sbuf_addf(sb, "[%zu]", p[i].idx);
		else if (i)
			sbuf_addf(sb, ".%s", p[i].key);
		else
			sbuf_adds(sb, p[i].key);
	}
}

static int err_format(const struct interp *in)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	path_format(&sb, in->path, in->depth);
	rc = diag_set(in->err, DIAG_EINTERP, in->loc,
		      "invalid interpolation format%s%s: '%.*s'",
		      sb.len ? " for " : "", sb.buf, (int)in->whole_len,
		      in->whole);
	sbuf_release(&sb);
	return rc;
}

static int
err_required(const struct interp *in, const char *name, const char *msg)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	path_format(&sb, in->path, in->depth);
	rc = diag_set(in->err, DIAG_EINTERP, in->loc,
		      "%s%srequired variable %s is missing a value%s%s", sb.buf,
		      sb.len ? ": " : "", name, *msg ? ": " : "", msg);
	sbuf_release(&sb);
	return rc;
}

static const char *var_get(const struct interp *in, const char *name)
{
	if (in->lookup)
		return in->lookup(in->lookup_ud, name);
	return compose_env_get(in->env, name);
}

static void warn_unset(const struct interp *in, const char *name)
{
	if (in->opts && in->opts->warn_unset)
		in->opts->warn_unset(in->opts->userdata, name, in->loc);
}

static int subst(struct interp *in,
		 struct sbuf *out,
		 const char *s,
		 size_t len,
		 int nesting);

/*
 * The end of a braced word: the index of the "}" that closes it, counting
 * nested "${" and skipping "$$"; 'len' when there is none.
 */
static size_t closing_brace(const char *s, size_t len)
{
	int open = 1;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '$') {
			i++;
		} else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			open++;
			i++;
		} else if (s[i] == '}' && --open == 0) {
			return i;
		}
	}
	return len;
}

/*
 * Applies "-", "+" or "?" to the variable 'name' (value 'val', NULL when
 * unset); 'word' is the text after the operator.  With ':' an empty value
 * counts as unset.  The word is interpolated only when it is used.
 */
static int apply_op(struct interp *in,
		    struct sbuf *out,
		    const char *name,
		    const char *val,
		    char op,
		    bool colon,
		    const char *word,
		    size_t word_len,
		    int nesting)
{
	bool take = val && (!colon || *val);
	struct sbuf msg = SBUF_INIT;
	int rc;

	if (op == '+')
		return take ? subst(in, out, word, word_len, nesting + 1) : 0;
	if (take) {
		sbuf_adds(out, val);
		return 0;
	}
	if (op == '-')
		return subst(in, out, word, word_len, nesting + 1);
	rc = subst(in, &msg, word, word_len, nesting + 1);
	if (!rc)
		rc = err_required(in, name, msg.buf);
	sbuf_release(&msg);
	return rc;
}

/*
 * One "${...}" starting at 's' (just past "${"); '*used' gets the bytes it
 * took, closing brace included.
 */
static int braced(struct interp *in,
		  struct sbuf *out,
		  const char *s,
		  size_t len,
		  size_t *used,
		  int nesting)
{
	size_t n = 0, end, name_len;
	bool colon = false;
	char *name;
	int rc = 0;

	if (!len || !is_name_start(s[0]))
		return err_format(in);
	while (n < len && is_name_char(s[n]))
		n++;
	name_len = n;
	if (n < len && s[n] == '}') {
		end = n;
	} else {
		if (n < len && s[n] == ':') {
			colon = true;
			n++;
		}
		if (n >= len || (s[n] != '-' && s[n] != '?' && s[n] != '+'))
			return err_format(in);
		end = n + 1 + closing_brace(s + n + 1, len - n - 1);
		if (end >= len)
			return err_format(in);
		if (nesting >= MAX_NESTING)
			return diag_set(in->err, DIAG_EINTERP, in->loc,
					"interpolation nests deeper than %d "
					"levels",
					MAX_NESTING);
	}
	*used = end + 1;
	name = xstrndup(s, name_len);
	if (end == name_len) {
		const char *val = var_get(in, name);

		if (val)
			sbuf_adds(out, val);
		else
			warn_unset(in, name);
	} else {
		rc = apply_op(in, out, name, var_get(in, name), s[n], colon,
			      s + n + 1, end - n - 1, nesting);
	}
	free(name);
	return rc;
}

static int subst(struct interp *in,
		 struct sbuf *out,
		 const char *s,
		 size_t len,
		 int nesting)
{
	size_t i = 0;

	while (i < len) {
		const char *d = memchr(s + i, '$', len - i);
		size_t j, used = 0;
		int rc;

		if (!d) {
			sbuf_add(out, s + i, len - i);
			break;
		}
		j = (size_t)(d - s);
		sbuf_add(out, s + i, j - i);
		if (j + 1 < len && s[j + 1] == '$') {
			sbuf_addch(out, '$');
			i = j + 2;
		} else if (j + 1 < len && s[j + 1] == '{') {
			rc = braced(in, out, s + j + 2, len - j - 2, &used,
				    nesting);
			if (rc)
				return rc;
			i = j + 2 + used;
		} else if (j + 1 < len && is_name_start(s[j + 1])) {
			size_t k = j + 1;
			char *name;
			const char *val;

			while (k < len && is_name_char(s[k]))
				k++;
			name = xstrndup(s + j + 1, k - j - 1);
			val = var_get(in, name);
			if (val)
				sbuf_adds(out, val);
			else
				warn_unset(in, name);
			free(name);
			i = k;
		} else {
			sbuf_addch(out, '$');
			i = j + 1;
		}
	}
	return 0;
}

/* Interpolates s[0, len) into a new arena string, or keeps 's'. */
static int interp_bytes(struct interp *in,
			const char **out,
			size_t *out_len,
			const char *s,
			size_t len)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	*out = s;
	*out_len = len;
	if (!memchr(s, '$', len))
		return 0;
	in->whole = s;
	in->whole_len = len;
	rc = subst(in, &sb, s, len, 0);
	if (!rc) {
		*out = arena_strndup(in->a, sb.buf, sb.len);
		*out_len = sb.len;
	}
	sbuf_release(&sb);
	return rc;
}

int compose_interpolate_str_ex(const char **out,
			       struct arena *a,
			       const char *s,
			       const struct compose_env *env,
			       const struct compose_interp_opts *opts,
			       const struct diag_loc *loc,
			       struct diag *err)
{
	struct interp in = {0};
	size_t len;

	in.a = a;
	in.env = env;
	in.opts = opts;
	in.loc = loc;
	in.err = err;
	return interp_bytes(&in, out, &len, s, strlen(s));
}

int compose_interpolate_str_fn(const char **out,
			       struct arena *a,
			       const char *s,
			       const char *(*lookup)(void *userdata,
						     const char *name),
			       void *userdata,
			       const struct diag_loc *loc,
			       struct diag *err)
{
	struct interp in = {0};
	size_t len;

	in.a = a;
	in.lookup = lookup;
	in.lookup_ud = userdata;
	in.loc = loc;
	in.err = err;
	return interp_bytes(&in, out, &len, s, strlen(s));
}

int compose_interpolate_str(const char **out,
			    struct arena *a,
			    const char *s,
			    const struct compose_env *env,
			    const struct diag_loc *loc,
			    struct diag *err)
{
	return compose_interpolate_str_ex(out, a, s, env, NULL, loc, err);
}

struct walker {
	struct interp in;
	struct path_seg *path;
	size_t depth, alloc;
};

static int walk(struct walker *w, struct compose_node *n)
{
	int rc = 0;

	if (n->kind == COMPOSE_NODE_SCALAR) {
		struct diag_loc loc = compose_node_loc(n);
		size_t len;

		w->in.loc = &loc;
		w->in.path = w->path;
		w->in.depth = w->depth;
		rc = interp_bytes(&w->in, &n->str, &len, n->str, n->len);
		if (!rc) {
			if (len > UINT32_MAX)
				return diag_set(w->in.err, DIAG_ELIMIT, &loc,
						"value longer than 4 GiB");
			n->len = (uint32_t)len;
		}
		return rc;
	}
	ALLOC_GROW(w->path, w->depth + 1, w->alloc);
	for (size_t i = 0; i < n->n && !rc; i++) {
		struct compose_node *child;

		if (n->kind == COMPOSE_NODE_MAP) {
			w->path[w->depth].key = n->pairs[i].key->str;
			child = n->pairs[i].value;
		} else {
			w->path[w->depth].key = NULL;
			w->path[w->depth].idx = i;
			child = n->items[i];
		}
		w->depth++;
		rc = walk(w, child);
		w->depth--;
	}
	return rc;
}

int compose_interpolate_tree_ex(struct compose_node *root,
				struct arena *a,
				const struct compose_env *env,
				const struct compose_interp_opts *opts,
				struct diag *err)
{
	struct walker w = {0};
	int rc;

	if (!root)
		return 0;
	w.in.a = a;
	w.in.env = env;
	w.in.opts = opts;
	w.in.err = err;
	rc = walk(&w, root);
	free(w.path);
	return rc;
}

int compose_interpolate_tree(struct compose_node *root,
			     struct arena *a,
			     const struct compose_env *env,
			     struct diag *err)
{
	return compose_interpolate_tree_ex(root, a, env, NULL, err);
}

/* ---- Listing the variables (config --variables) -------------------------- */

struct var_list {
	struct arena *a;
	struct compose_variable *v;
	size_t n, alloc;
};

static void vars_scan(struct var_list *l, const char *s, size_t len, int depth);

static void var_add(struct var_list *l,
		    const char *name,
		    size_t name_len,
		    char op,
		    const char *word,
		    size_t word_len,
		    int depth)
{
	struct compose_variable *v;

	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i].name, name, name_len) &&
		    !l->v[i].name[name_len])
			goto nested;
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	v = &l->v[l->n++];
	v->name = arena_strndup(l->a, name, name_len);
	v->default_value = op == '-' ? arena_strndup(l->a, word, word_len) : "";
	v->alternate = op == '+' ? arena_strndup(l->a, word, word_len) : "";
	v->required = op == '?';
nested:
	if ((op == '-' || op == '+') && depth < MAX_NESTING)
		vars_scan(l, word, word_len, depth + 1);
}

static void vars_scan(struct var_list *l, const char *s, size_t len, int depth)
{
	size_t i = 0;

	while (i < len) {
		const char *d = memchr(s + i, '$', len - i);
		size_t j, n, name_len, end;
		char op = 0;

		if (!d)
			return;
		j = (size_t)(d - s);
		if (j + 1 < len && s[j + 1] == '$') {
			i = j + 2;
		} else if (j + 1 < len && is_name_start(s[j + 1])) {
			n = j + 1;
			while (n < len && is_name_char(s[n]))
				n++;
			var_add(l, s + j + 1, n - j - 1, 0, NULL, 0, depth);
			i = n;
		} else if (j + 2 < len && s[j + 1] == '{' &&
			   is_name_start(s[j + 2])) {
			n = j + 2;
			while (n < len && is_name_char(s[n]))
				n++;
			name_len = n - j - 2;
			if (n < len && s[n] == '}') {
				end = n;
			} else if ((n += n < len && s[n] == ':') < len &&
				   s[n] && strchr("-+?", s[n])) {
				op = s[n];
				end = n + 1 +
				      closing_brace(s + n + 1, len - n - 1);
			} else {
				return;
			}
			if (end >= len)
				return;
			var_add(l, s + j + 2, name_len, op, s + n + 1,
				op ? end - n - 1 : 0, depth);
			i = end + 1;
		} else if (j + 1 < len && s[j + 1] == '{') {
			return;
		} else {
			i = j + 1;
		}
	}
}

static void vars_walk(struct var_list *l, const struct compose_node *n)
{
	if (!n)
		return;
	if (n->kind == COMPOSE_NODE_SCALAR) {
		vars_scan(l, n->str, n->len, 0);
		return;
	}
	for (size_t i = 0; i < n->n; i++)
		vars_walk(l, n->kind == COMPOSE_NODE_MAP ? n->pairs[i].value
							 : n->items[i]);
}

static int var_cmp(const void *a, const void *b)
{
	return strcmp(((const struct compose_variable *)a)->name,
		      ((const struct compose_variable *)b)->name);
}

size_t compose_variables(const struct compose_node *root,
			 struct arena *a,
			 struct compose_variable **out)
{
	struct var_list l = {.a = a};

	vars_walk(&l, root);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), var_cmp);
	*out = l.v;
	return l.n;
}
