/* Keyword helpers: node types, patterns, "did you mean", formats. */
#include "schema/schema_int.h"

#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "util/xalloc.h"

static bool all_digits(const char *s, int base)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		int c = (unsigned char)*s;
		bool ok = base == 16 ? (c >= '0' && c <= '9') ||
					       (c >= 'a' && c <= 'f') ||
					       (c >= 'A' && c <= 'F')
				     : c >= '0' && c < '0' + base;

		if (!ok)
			return false;
	}
	return true;
}

static bool is_int(const char *s)
{
	if (s[0] == '0' && s[1] == 'o')
		return all_digits(s + 2, 8);
	if (s[0] == '0' && s[1] == 'x')
		return all_digits(s + 2, 16);
	if (*s == '-' || *s == '+')
		s++;
	return all_digits(s, 10);
}

static const char *skip_digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

static bool is_float(const char *s)
{
	const char *p;

	if (*s == '-' || *s == '+')
		s++;
	if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF"))
		return true;
	/* [0-9]+(\.[0-9]*)? or \.[0-9]+, then an optional exponent. */
	p = skip_digits(s);
	if (p == s && (*p != '.' || !(p[1] >= '0' && p[1] <= '9')))
		return false;
	if (*p == '.')
		p = skip_digits(p + 1);
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1 + (p[1] == '-' || p[1] == '+');

		p = skip_digits(e);
		if (p == e)
			return false;
	}
	return *p == '\0';
}

/*
 * The YAML 1.2 core-schema rules of compose_scalar_type(), without its
 * regular expressions: the walk types every plain scalar it meets, and
 * this is its hottest path.  A test checks that both agree.
 */
unsigned sch_plain_type(const char *s)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL"};
	static const char *const bools[] = {"true",  "True",  "TRUE",
					    "false", "False", "FALSE"};

	switch (s[0]) {
	case '\0':
		return SCH_T_NULL;
	case '~':
	case 'n':
	case 'N':
		for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
			if (!strcmp(s, nulls[i]))
				return SCH_T_NULL;
		return SCH_T_STR;
	case 't':
	case 'T':
	case 'f':
	case 'F':
		for (size_t i = 0; i < ARRAY_SIZE(bools); i++)
			if (!strcmp(s, bools[i]))
				return SCH_T_BOOL;
		return SCH_T_STR;
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
	case '+':
	case '-':
	case '.':
		break;
	default:
		return SCH_T_STR;
	}
	if (is_int(s))
		return SCH_T_INT;
	if (is_float(s) || !strcmp(s, ".nan") || !strcmp(s, ".NaN") ||
	    !strcmp(s, ".NAN"))
		return SCH_T_NUM;
	return SCH_T_STR;
}

unsigned sch_node_type(const struct compose_node *n)
{
	if (n->kind == COMPOSE_NODE_MAP)
		return SCH_T_OBJ;
	if (n->kind == COMPOSE_NODE_SEQ)
		return SCH_T_ARR;
	if (n->style != COMPOSE_SCALAR_PLAIN)
		return SCH_T_STR;
	return sch_plain_type(n->str);
}

void sch_types_str(struct sbuf *out, unsigned types)
{
	static const struct {
		unsigned bits;
		const char *name;
	} names[] = {
		{SCH_T_STR, "string"},	{SCH_T_INT | SCH_T_NUM, "number"},
		{SCH_T_INT, "integer"}, {SCH_T_BOOL, "boolean"},
		{SCH_T_OBJ, "object"},	{SCH_T_ARR, "array"},
		{SCH_T_NULL, "null"},
	};
	const char *list[8];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if ((types & names[i].bits) == names[i].bits) {
			list[n++] = names[i].name;
			types &= ~names[i].bits;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_adds(out, i + 1 == n ? " or " : ", ");
		sbuf_adds(out, list[i]);
	}
}

/* Characters that make a pattern more than a literal prefix. */
static bool is_literal(const char *s)
{
	return !strpbrk(s, "\\^$.|?*+()[]{}");
}

/* Parses "^[a-zA-Z0-9._-]+$" into a byte set; false for anything else. */
static bool parse_class(struct sch_rx *r, const char *src)
{
	const char *p = src + 2, *end;
	size_t len = strlen(src);

	if (strncmp(src, "^[", 2) || len < 6 || strcmp(src + len - 3, "]+$"))
		return false;
	end = src + len - 3;
	if (*p == '^')
		return false;
	while (p < end) {
		unsigned char lo = (unsigned char)*p, hi;

		if (lo == '\\') {
			if (p + 1 >= end || strchr("dDwWsSbB", p[1]))
				return false;
			lo = (unsigned char)*++p;
		} else if (lo == '[') {
			return false;
		}
		hi = lo;
		if (p + 2 < end && p[1] == '-' && p[2] != '\\') {
			hi = (unsigned char)p[2];
			p += 2;
		}
		for (unsigned c = lo; c <= hi; c++)
			r->cls[c / 8] |= (unsigned char)(1u << (c % 8));
		p++;
	}
	return true;
}

bool sch_rx_prepare(struct sch_rx *r, const char *src)
{
	memset(r, 0, sizeof(*r));
	r->src = src;
	if (src[0] == '^' && is_literal(src + 1)) {
		r->prefix = src + 1;
		r->prefix_len = strlen(r->prefix);
		return true;
	}
	if (!strcmp(src, ".+") || !strcmp(src, "^.+$")) {
		r->nonempty = true;
		return true;
	}
	if (parse_class(r, src)) {
		r->is_class = true;
		return true;
	}
	return false;
}

bool sch_rx_init(struct sch_rx *r, const char *src, char *errmsg, int errlen)
{
	if (sch_rx_prepare(r, src))
		return true;
	/* Compiles it now, so that a bad pattern fails at load time. */
	r->rx = rx_get(src, errmsg, errlen);
	return r->rx != NULL;
}

bool sch_rx_match(const struct sch_rx *r, const char *s)
{
	if (r->prefix)
		return !strncmp(s, r->prefix, r->prefix_len);
	if (r->nonempty)
		return s[0] != '\0' && !strchr(s, '\n');
	if (r->is_class) {
		const unsigned char *p = (const unsigned char *)s;

		for (; *p; p++)
			if (!(r->cls[*p / 8] & (1u << (*p % 8))))
				return false;
		return p != (const unsigned char *)s;
	}
	/*
	 * Looked up again rather than kept: rx_cache_clear() frees compiled
	 * patterns, and the few patterns left here are on rarely used keys.
	 */
	return rx_match(r->src, s);
}

unsigned sch_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

size_t sch_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
	size_t w = lb + 1, r;

#define D(i, j) d[(i)*w + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = D(i - 1, j - 1) + cost;

			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *sch_suggest(const struct sch *s, const char *key)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	/* A third of the word may be wrong, at least one edit, at most 3. */
	size_t limit = strlen(key) / 3;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < s->n_props; i++) {
		size_t dist = sch_edit_distance(key, s->props[i].name);

		if (dist < best_d) {
			best_d = dist;
			best = s->props[i].name;
		}
	}
	return best_d <= limit ? best : NULL;
}

bool sch_scalar_equal(const struct compose_node *v,
		      const struct compose_node *want)
{
	unsigned tv, tw;

	if (v->kind != COMPOSE_NODE_SCALAR || want->kind != COMPOSE_NODE_SCALAR)
		return false;
	tv = sch_node_type(v);
	tw = sch_node_type(want);
	if ((tv == SCH_T_STR) != (tw == SCH_T_STR))
		return false;
	if (tv & (SCH_T_INT | SCH_T_NUM) && tw & (SCH_T_INT | SCH_T_NUM))
		return strtod(v->str, NULL) == strtod(want->str, NULL);
	return !strcmp(v->str, want->str);
}

static bool hostname_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= 253 &&
	       rx_match("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
			"(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
			s);
}

bool sch_format_ok(const char *format, const char *s)
{

	/* An unset variable under --no-interpolate is not a format error. */
	if (strchr(s, '$'))
		return true;
	if (!strcmp(format, "ipv4"))
		return compat_ip_valid(4, s);
	if (!strcmp(format, "ipv6"))
		return compat_ip_valid(6, s);
	if (!strcmp(format, "hostname"))
		return hostname_ok(s);
	return true;
}

static int cmp_str_ptr(const void *x, const void *y)
{
	const struct compose_node *const *a = x, *const *b = y;

	return strcmp((*a)->str, (*b)->str);
}

/*
 * Items are compared by their text (maps and sequences never count as
 * duplicates): enough for the lists of strings uniqueItems guards.  Short
 * lists, the usual case, are compared pairwise without allocating.
 */
long sch_first_duplicate(const struct compose_node *seq, size_t *first)
{
	const struct compose_node **v;
	long dup = -1;
	size_t n = 0;

	if (seq->n <= 16) {
		for (size_t j = 1; j < seq->n; j++)
			for (size_t i = 0; i < j; i++)
				if (sch_scalar_equal(seq->items[i],
						     seq->items[j])) {
					*first = i;
					return (long)j;
				}
		return -1;
	}
	v = xcalloc(seq->n, sizeof(*v));
	for (size_t i = 0; i < seq->n; i++)
		if (seq->items[i]->kind == COMPOSE_NODE_SCALAR)
			v[n++] = seq->items[i];
	qsort(v, n, sizeof(*v), cmp_str_ptr);
	for (size_t i = 1; i < n && dup < 0; i++) {
		if (!sch_scalar_equal(v[i - 1], v[i]))
			continue;
		/* The two equal items, in document order. */
		for (size_t j = 0; j < seq->n; j++) {
			if (seq->items[j] != v[i] && seq->items[j] != v[i - 1])
				continue;
			if (dup < -1) {
				dup = (long)j;
				break;
			}
			*first = j;
			dup = -2;
		}
	}
	free(v);
	return dup;
}
