/*
 * env_file `format: raw`.  compose-go leaves the format to its callers;
 * the docker compose CLI registers "raw" as docker/cli's key=value file
 * reader, the one behind `docker run --env-file`:
 *
 *	  KEY=a "quoted" $value  # x    the value is everything after '='
 *	# a comment                     only at the start of a line
 *	KEY                             from 'lookup'; left out when unset
 *
 * Leading white space goes, trailing white space stays part of the
 * value; a '\r' before the '\n' goes too (Go's line scanner).  A key
 * with a blank in it, an empty key, or bytes that are not UTF-8 are
 * errors.
 */
#include "compose/load_int.h"

#include <string.h>

#include "util/arena.h"

/* Length of the UTF-8 sequence at 's' (at most 'n' bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF, as Go refuses. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static bool utf8_ok(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (!k)
			return false;
	}
	return true;
}

/* Go's unicode.IsSpace for the ASCII range and U+0085, U+00A0. */
static size_t space_len(const char *s, size_t n)
{
	if (n && s[0] && strchr(" \t\n\v\f\r", s[0]))
		return 1;
	if (n >= 2 && (unsigned char)s[0] == 0xc2 &&
	    ((unsigned char)s[1] == 0x85 || (unsigned char)s[1] == 0xa0))
		return 2;
	return 0;
}

struct raw {
	struct compose_env *out;
	const struct compose_env *lookup;
	struct arena *a;
	struct diag_loc loc; /* the line's */
	struct diag *err;
};

static int raw_line(struct raw *r, const char *s, size_t n)
{
	const char *eq;
	size_t klen, k;
	char *key;

	while ((k = space_len(s, n)) > 0)
		s += k, n -= k;
	if (!n || s[0] == '#')
		return 0;
	eq = memchr(s, '=', n);
	klen = eq ? (size_t)(eq - s) : n;
	if (!klen)
		return diag_set(r->err, DIAG_ESYNTAX, &r->loc,
				"no variable name on line '%.*s'", (int)n, s);
	key = arena_strndup(r->a, s, klen);
	if (strpbrk(key, " \t"))
		return diag_set(r->err, DIAG_ESYNTAX, &r->loc,
				"variable '%s' contains whitespaces", key);
	if (eq) {
		char *v = arena_strndup(r->a, eq + 1, n - klen - 1);

		compose_env_set(r->out, key, v);
	} else if (r->lookup && compose_env_get(r->lookup, key)) {
		compose_env_set(r->out, key, compose_env_get(r->lookup, key));
	}
	return 0;
}

int compose_dotenv_parse_raw(struct compose_env *out,
			     const char *file,
			     const char *buf,
			     size_t len,
			     const struct compose_env *lookup,
			     struct diag *err)
{
	struct raw r = {out, lookup, compose_env_arena(out), {0}, err};
	size_t pos = 0;

	r.loc.file = arena_strdup(r.a, file ? file : ".env");
	r.loc.col = 1;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		pos = 3;
	for (int line = 1; pos < len; line++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - buf) - pos : len - pos;
		size_t next = pos + n + 1;
		int rc;

		r.loc.line = line;
		if (!utf8_ok(buf + pos, n))
			return diag_set(err, DIAG_ESYNTAX, &r.loc,
					"invalid UTF-8 bytes on line %d", line);
		if (n && buf[pos + n - 1] == '\r')
			n--;
		rc = raw_line(&r, buf + pos, n);
		if (rc)
			return rc;
		pos = next;
	}
	return 0;
}
