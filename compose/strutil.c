/*
 * Small string parsers that compose borrows from Go: shell word splitting
 * (go-shellwords, for command and entrypoint strings), time.ParseDuration
 * (healthcheck and stop_grace_period) and the project-name rule.
 */
#include "compose/compose.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Inside double quotes a backslash only escapes these. */
static bool dq_escapable(char c)
{
	return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

struct words {
	const char **v;
	size_t n, alloc;
};

static void words_push(struct words *w, struct arena *a, struct sbuf *sb)
{
	ALLOC_GROW(w->v, w->n + 2, w->alloc);
	w->v[w->n++] = arena_strndup(a, sb->buf, sb->len);
	sbuf_reset(sb);
}

/* Reads one quoted part starting at the quote; returns the index after. */
static size_t quoted(struct sbuf *sb, const char *s, size_t i, bool *closed)
{
	char q = s[i++];

	for (; s[i] && s[i] != q; i++) {
		if (q == '"' && s[i] == '\\' && dq_escapable(s[i + 1])) {
			if (s[++i] != '\n')
				sbuf_addch(sb, s[i]);
			continue;
		}
		sbuf_addch(sb, s[i]);
	}
	*closed = s[i] == q;
	return s[i] ? i + 1 : i;
}

int compose_shell_split(struct compose_strv *out,
			struct arena *a,
			const char *s,
			const struct diag_loc *loc,
			struct diag *err)
{
	struct words w = {0};
	struct sbuf sb = SBUF_INIT;
	bool in_word = false, closed = true;
	size_t i = 0;

	while (s[i] && closed) {
		if (is_space(s[i])) {
			if (in_word)
				words_push(&w, a, &sb);
			in_word = false;
			i++;
		} else if (s[i] == '\'' || s[i] == '"') {
			in_word = true;
			i = quoted(&sb, s, i, &closed);
		} else if (s[i] == '\\' && s[i + 1] == '\n') {
			/* Backslash-newline joins lines, as in sh. */
			i += 2;
		} else if (s[i] == '\\' && s[i + 1]) {
			sbuf_addch(&sb, s[i + 1]);
			in_word = true;
			i += 2;
		} else {
			sbuf_addch(&sb, s[i++]);
			in_word = true;
		}
	}
	if (!closed) {
		sbuf_release(&sb);
		free(w.v);
		return diag_set(err, DIAG_ESYNTAX, loc,
				"unterminated quote in '%s'", s);
	}
	if (in_word)
		words_push(&w, a, &sb);
	sbuf_release(&sb);
	out->n = w.n;
	out->v = arena_calloc(a, w.n + 1, sizeof(*out->v));
	if (w.n)
		memcpy(out->v, w.v, w.n * sizeof(*out->v));
	free(w.v);
	return 0;
}

/* ---- Durations -------------------------------------------------------- */

struct unit {
	const char *name;
	unsigned long long ns;
};

static const struct unit units[] = {
	{"ns", 1ULL},		{"us", 1000ULL},
	{"\xc2\xb5s", 1000ULL}, /* U+00B5 micro sign */
	{"\xce\xbcs", 1000ULL}, /* U+03BC Greek mu */
	{"ms", 1000000ULL},	{"s", 1000000000ULL},
	{"m", 60000000000ULL},	{"h", 3600000000000ULL},
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One "<number><unit>" term; adds its value to '*total'. */
static int duration_term(const char **sp, unsigned long long *total)
{
	const char *s = *sp, *u;
	unsigned long long v = 0, f = 0, unit = 0;
	double scale = 1;
	bool pre = false, post = false;
	size_t ulen;

	for (; is_digit(*s); s++, pre = true) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (*s == '.') {
		bool overflow = false;

		/* Digits past what fits are dropped, as Go does. */
		for (s++; is_digit(*s); s++, post = true) {
			if (overflow || f > (UINT64_MAX - 9) / 10) {
				overflow = true;
				continue;
			}
			f = f * 10 + (unsigned long long)(*s - '0');
			scale *= 10;
		}
	}
	if (!pre && !post)
		return -1;
	for (u = s; *s && *s != '.' && !is_digit(*s); s++)
		;
	ulen = (size_t)(s - u);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == ulen &&
		    !memcmp(units[i].name, u, ulen))
			unit = units[i].ns;
	if (!unit || v > (unsigned long long)INT64_MAX / unit)
		return -1;
	v *= unit;
	if (f)
		v += (unsigned long long)((double)f * ((double)unit / scale));
	if (v > (unsigned long long)INT64_MAX ||
	    *total > (unsigned long long)INT64_MAX - v)
		return -1;
	*total += v;
	*sp = s;
	return 0;
}

int compose_duration_parse(long long *out, const char *s)
{
	unsigned long long total = 0;
	bool neg = false;

	if (!s)
		return -1;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s)
		if (duration_term(&s, &total))
			return -1;
	*out = neg ? -(long long)total : (long long)total;
	return 0;
}

/* ---- Project names ---------------------------------------------------- */

/*
 * compose v2: lower-case the name, keep only [a-z0-9_-], and drop leading
 * '_' and '-' so that it starts with a letter or a digit.
 */
const char *compose_project_name_normalize(struct arena *a, const char *s)
{
	size_t len = s ? strlen(s) : 0, n = 0;
	char *out = arena_alloc(a, len + 1);

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' ||
		      c == '-'))
			continue;
		if (!n && (c == '_' || c == '-'))
			continue;
		out[n++] = c;
	}
	out[n] = '\0';
	return n ? out : NULL;
}
