/*
 * .env files with the rules of compose v2 (compose-go's dotenv package):
 *
 *	# a comment                    blank lines are skipped
 *	export KEY=value               "export " is dropped
 *	KEY=value # comment            " #" ends an unquoted value
 *	KEY = value                    spaces around '=' and the value go
 *	KEY='literal $X'               single quotes: as written
 *	KEY="a\nb ${X:-d}"             double quotes: escapes, then ${}
 *	KEY="line one
 *	line two"                      quoted values may span lines
 *	KEY                            takes the value from 'lookup', if set
 *	KEY=                           the empty string
 *
 * Variables in values are looked up first in 'lookup' (the process
 * environment), then among those already set in 'out', as compose-go does:
 * the shell wins over the file everywhere, so it wins here too.
 */
#include "compose/compose.h"
#include "compose/load_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

struct dotenv {
	const char *file;
	const char *buf;
	size_t len;
	size_t pos;
	int line;
	size_t line_start;
	struct compose_env *out;
	const struct compose_env *lookup;
	struct diag *err;
};

static struct diag_loc here(const struct dotenv *p, size_t pos)
{
	struct diag_loc loc = {p->file, p->line,
			       (int)(pos - p->line_start) + 1};

	return loc;
}

static int peek(const struct dotenv *p, size_t pos)
{
	return pos < p->len ? (unsigned char)p->buf[pos] : -1;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void newline(struct dotenv *p, size_t pos_of_nl)
{
	p->line++;
	p->line_start = pos_of_nl + 1;
}

static void skip_blanks(struct dotenv *p)
{
	while (is_blank(peek(p, p->pos)))
		p->pos++;
}

static void skip_line(struct dotenv *p)
{
	while (p->pos < p->len && p->buf[p->pos] != '\n')
		p->pos++;
}

static bool is_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
	       c == '[' || c == ']' || c >= 0x80;
}

static const char *lookup_fn(void *ud, const char *name)
{
	const struct dotenv *p = ud;
	const char *v = compose_env_get(p->lookup, name);

	return v ? v : compose_env_get(p->out, name);
}

static int expand(struct dotenv *p,
		  const char **out,
		  const char *raw,
		  const struct diag_loc *loc)
{
	return compose_interpolate_str_fn(out, compose_env_arena(p->out), raw,
					  lookup_fn, p, loc, p->err);
}

/*
 * Escapes of a double-quoted value; "\$" becomes "$$" so that the
 * interpolation that follows leaves a literal "$".  Other escaped
 * characters stand for themselves, as compose-go has it.
 */
static void unescape(struct sbuf *sb, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			sbuf_addch(sb, s[i]);
			continue;
		}
		switch (s[++i]) {
		case 'n':
			sbuf_addch(sb, '\n');
			break;
		case 't':
			sbuf_addch(sb, '\t');
			break;
		case 'r':
			sbuf_addch(sb, '\r');
			break;
		case '$':
			sbuf_adds(sb, "$$");
			break;
		default:
			sbuf_addch(sb, s[i]);
		}
	}
}

/* After a closing quote only blanks and a comment may follow. */
static int after_quote(struct dotenv *p)
{
	int c;

	skip_blanks(p);
	c = peek(p, p->pos);
	if (c == '#')
		skip_line(p);
	else if (c != '\n' && c != -1) {
		struct diag_loc loc = here(p, p->pos);

		return diag_set(p->err, DIAG_ESYNTAX, &loc,
				"unexpected character '%c' after quoted value",
				c);
	}
	return 0;
}

static int quoted_value(struct dotenv *p, const char *key)
{
	char q = p->buf[p->pos];
	struct diag_loc loc = here(p, p->pos);
	size_t start = ++p->pos;
	struct sbuf sb = SBUF_INIT;
	const char *val;
	int rc;

	/*
	 * In double quotes a backslash escapes any character; in single
	 * quotes it only keeps a quote from closing the value (and stays
	 * in it), as in compose-go.
	 */
	for (; p->pos < p->len && p->buf[p->pos] != q; p->pos++) {
		if (p->buf[p->pos] == '\\' && p->pos + 1 < p->len &&
		    (q == '"' || p->buf[p->pos + 1] == q))
			p->pos++;
		if (p->buf[p->pos] == '\n')
			newline(p, p->pos);
	}
	if (p->pos >= p->len)
		return diag_set(p->err, DIAG_ESYNTAX, &loc,
				"unterminated quoted value for '%s'", key);
	if (q == '\'') {
		sbuf_add(&sb, p->buf + start, p->pos - start);
		compose_env_set(p->out, key, sb.buf);
		rc = 0;
	} else {
		unescape(&sb, p->buf + start, p->pos - start);
		rc = expand(p, &val, sb.buf, &loc);
		if (!rc)
			compose_env_set(p->out, key, val);
	}
	sbuf_release(&sb);
	p->pos++;
	return rc ? rc : after_quote(p);
}

static int plain_value(struct dotenv *p, const char *key)
{
	size_t start = p->pos, end;
	struct diag_loc loc = here(p, p->pos);
	char *raw;
	const char *val;
	int rc;

	/* A '#' after a blank starts a comment; "a#b" is a value. */
	for (end = start; end < p->len && p->buf[end] != '\n'; end++)
		if (p->buf[end] == '#' && end > 0 && is_blank(p->buf[end - 1]))
			break;
	p->pos = end;
	skip_line(p);
	while (end > start && is_blank(p->buf[end - 1]))
		end--;
	raw = xstrndup(p->buf + start, end - start);
	rc = expand(p, &val, raw, &loc);
	if (!rc)
		compose_env_set(p->out, key, val);
	free(raw);
	return rc;
}

/*
 * Reads a name up to '=' or the end of the line; '*eq' says which.  As
 * compose-go's dotenv, a YAML-style "KEY: value" line is taken too.
 */
static int read_key(struct dotenv *p, char **key, bool *eq)
{
	size_t start = p->pos, end;
	int c;

	while (is_key_char(peek(p, p->pos)))
		p->pos++;
	end = p->pos;
	skip_blanks(p);
	c = peek(p, p->pos);
	if (end == start || (c != '=' && c != ':' && c != '\n' && c != -1)) {
		struct diag_loc loc = here(p, p->pos);

		if (c == -1 || c == '\n')
			c = ' ';
		return diag_set(p->err, DIAG_ESYNTAX, &loc,
				"unexpected character '%c' in variable name",
				c);
	}
	*key = xstrndup(p->buf + start, end - start);
	*eq = c == '=' || c == ':';
	if (*eq)
		p->pos++;
	return 0;
}

static int statement(struct dotenv *p)
{
	char *key = NULL;
	bool eq = false;
	int rc;

	if (p->len - p->pos > 7 && !memcmp(p->buf + p->pos, "export", 6) &&
	    (p->buf[p->pos + 6] == ' ' || p->buf[p->pos + 6] == '\t')) {
		p->pos += 6;
		skip_blanks(p);
	}
	rc = read_key(p, &key, &eq);
	if (rc)
		return rc;
	if (!eq) {
		const char *v = compose_env_get(p->lookup, key);

		if (v)
			compose_env_set(p->out, key, v);
	} else {
		skip_blanks(p);
		if (peek(p, p->pos) == '"' || peek(p, p->pos) == '\'')
			rc = quoted_value(p, key);
		else
			rc = plain_value(p, key);
	}
	free(key);
	return rc;
}

int compose_dotenv_parse(struct compose_env *out,
			 const char *file,
			 const char *buf,
			 size_t len,
			 const struct compose_env *lookup,
			 struct diag *err)
{
	struct dotenv p = {0};

	p.file = arena_strdup(compose_env_arena(out), file ? file : ".env");
	p.buf = buf;
	p.len = len;
	p.line = 1;
	p.out = out;
	p.lookup = lookup;
	p.err = err;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p.pos = p.line_start = 3;
	for (;;) {
		int c, rc;

		skip_blanks(&p);
		c = peek(&p, p.pos);
		if (c == -1)
			return 0;
		if (c == '\n') {
			newline(&p, p.pos++);
			continue;
		}
		if (c == '#') {
			skip_line(&p);
			continue;
		}
		rc = statement(&p);
		if (rc)
			return rc;
	}
}

int compose_dotenv_load(struct compose_env *out,
			const char *path,
			const struct compose_env *lookup,
			struct diag *err)
{
	return compose_dotenv_load_fmt(out, path, lookup, false, err);
}

/* Here, not in load_file.c: the fuzz target links dotenv.c alone. */
int compose_read_bounded(struct sbuf *sb,
			 FILE *f,
			 const char *display,
			 struct diag *err)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (n > COMPOSE_FILE_MAX - sb->len)
			return diag_set(err, DIAG_ELIMIT, NULL,
					"'%s' is larger than %zu MiB (the "
					"limit of a compose or env file)",
					display, COMPOSE_FILE_MAX >> 20);
		sbuf_add(sb, buf, n);
	}
	if (ferror(f))
		return diag_set(err, DIAG_EIO, NULL, "cannot read '%s': %s",
				display, strerror(errno));
	return 0;
}

int compose_dotenv_load_fmt(struct compose_env *out,
			    const char *path,
			    const struct compose_env *lookup,
			    bool raw,
			    struct diag *err)
{
	struct sbuf sb = SBUF_INIT;
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		struct diag_loc loc = {
			arena_strdup(compose_env_arena(out), path), 0, 0};

		return diag_set(err, DIAG_EIO, &loc, "cannot read '%s': %s",
				path, strerror(errno));
	}
	rc = compose_read_bounded(&sb, f, path, err);
	if (rc) {
		if (err)
			err->loc.file =
				arena_strdup(compose_env_arena(out), path);
	} else {
		rc = (raw ? compose_dotenv_parse_raw : compose_dotenv_parse)(
			out, path, sb.buf, sb.len, lookup, err);
	}
	fclose(f);
	sbuf_release(&sb);
	return rc;
}
