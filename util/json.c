/*
 * The JSON writer (util/json.h) on cJSON.  cJSON's own printer puts tabs
 * and keeps arrays on one line; Go's MarshalIndent layout, which scripts
 * that diff compose's output expect, is the short walk below.  Scalars
 * are printed by cJSON.
 */
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Out of memory is not an error path (util/xalloc.h). */
#include "util/xalloc.h"

static void die_oom(void)
{
	fprintf(stderr, "fatal: out of memory building JSON\n");
	abort();
}

static cJSON *cj(const struct json *j)
{
	return (cJSON *)(void *)j;
}

static struct json *wrap(cJSON *c)
{
	if (!c)
		die_oom();
	return (struct json *)(void *)c;
}

struct json *json_object_new(void)
{
	return wrap(cJSON_CreateObject());
}

struct json *json_array_new(void)
{
	return wrap(cJSON_CreateArray());
}

void json_free(struct json *j)
{
	cJSON_Delete(cj(j));
}

static struct json *add(struct json *parent, const char *key, cJSON *item)
{
	bool ok;

	if (!item)
		die_oom();
	ok = key ? cJSON_AddItemToObject(cj(parent), key, item)
		 : cJSON_AddItemToArray(cj(parent), item);
	if (!ok)
		die_oom();
	return wrap(item);
}

struct json *json_add_object(struct json *parent, const char *key)
{
	return add(parent, key, cJSON_CreateObject());
}

struct json *json_add_array(struct json *parent, const char *key)
{
	return add(parent, key, cJSON_CreateArray());
}

void json_add_str(struct json *parent, const char *key, const char *val)
{
	add(parent, key, val ? cJSON_CreateString(val) : cJSON_CreateNull());
}

void json_add_int(struct json *parent, const char *key, long long val)
{
	add(parent, key, cJSON_CreateNumber((double)val));
}

void json_add_num(struct json *parent,
		  const char *key,
		  double val,
		  int decimals)
{
	char buf[64];

	/* As printf's %.Nf: a fixed number of decimals, as before cJSON. */
	snprintf(buf, sizeof(buf), "%.*f", decimals, val);
	add(parent, key, cJSON_CreateRaw(buf));
}

void json_add_raw(struct json *parent, const char *key, const char *text)
{
	add(parent, key, cJSON_CreateRaw(text));
}

void json_add_strn(struct json *parent,
		   const char *key,
		   const char *s,
		   size_t len)
{
	struct sbuf raw = SBUF_INIT;

	if (!memchr(s, '\0', len)) {
		char *v = xstrndup(s, len);

		json_add_str(parent, key, v);
		free(v);
		return;
	}
	json_write_strn(&raw, s, len);
	json_add_raw(parent, key, raw.buf);
	sbuf_release(&raw);
}

void json_add_bool(struct json *parent, const char *key, bool val)
{
	add(parent, key, cJSON_CreateBool(val));
}

void json_add_null(struct json *parent, const char *key)
{
	add(parent, key, cJSON_CreateNull());
}

/*
 * A scalar's text by cJSON, into the end of 'out' itself: an escaped
 * string takes at most 6 bytes per byte plus quotes, and cJSON wants 5
 * bytes of slack.  A raw value is copied as it is.
 */
static void scalar(struct sbuf *out, const cJSON *c)
{
	size_t need = 64;

	if (cJSON_IsRaw(c)) {
		sbuf_adds(out, c->valuestring);
		return;
	}
	if (cJSON_IsString(c))
		need += 6 * strlen(c->valuestring);
	sbuf_grow(out, need);
	if (!cJSON_PrintPreallocated((cJSON *)c, out->buf + out->len, (int)need,
				     false))
		die_oom();
	out->len += strlen(out->buf + out->len);
}

void json_write_newline(struct sbuf *out, int spaces)
{
	sbuf_addch(out, '\n');
	json_write_spaces(out, spaces);
}

void json_write_str(struct sbuf *out, const char *s)
{
	cJSON tmp = {.type = cJSON_String, .valuestring = (char *)s};
	const unsigned char *p = (const unsigned char *)s;

	/*
	 * cJSON escapes '"', '\\' and the bytes below 0x20, and nothing
	 * else: a string without any of them is its own text, and most
	 * strings of a compose file are such.
	 */
	while (p && *p >= 0x20 && *p != '"' && *p != '\\')
		p++;
	if (p && !*p) {
		sbuf_grow(out, (size_t)(p - (const unsigned char *)s) + 2);
		sbuf_addch(out, '"');
		sbuf_add(out, s, (size_t)(p - (const unsigned char *)s));
		sbuf_addch(out, '"');
		return;
	}
	scalar(out, &tmp);
}

/* One segment's escaped text, without its quotes. */
static void add_escaped(struct sbuf *out, const char *s, size_t len)
{
	size_t at = out->len;
	char *seg = xstrndup(s, len);

	json_write_str(out, seg);
	free(seg);
	memmove(out->buf + at, out->buf + at + 1, out->len - at - 2);
	sbuf_setlen(out, out->len - 2);
}

void json_write_strn(struct sbuf *out, const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	if (!nul) {
		char *v = xstrndup(s, len);

		json_write_str(out, v);
		free(v);
		return;
	}
	/* cJSON strings end at a NUL: escape around each one. */
	sbuf_addch(out, '"');
	while (nul) {
		add_escaped(out, s, (size_t)(nul - s));
		sbuf_adds(out, "\\u0000");
		len -= (size_t)(nul - s) + 1;
		s = nul + 1;
		nul = memchr(s, '\0', len);
	}
	add_escaped(out, s, len);
	sbuf_addch(out, '"');
}

void json_write_spaces(struct sbuf *out, int spaces)
{
	static const char blank[] = "                                ";

	for (; spaces > 0; spaces -= (int)sizeof(blank) - 1)
		sbuf_add(out, blank,
			 spaces < (int)sizeof(blank) - 1 ? (size_t)spaces
							 : sizeof(blank) - 1);
}

const struct json *json_first(const struct json *j)
{
	const cJSON *c = cj(j)->child;

	return c ? wrap((cJSON *)c) : NULL;
}

static void walk(struct sbuf *out, const cJSON *c, int indent, int at)
{
	bool obj = cJSON_IsObject(c);
	const cJSON *k;

	if (!obj && !cJSON_IsArray(c)) {
		scalar(out, c);
		return;
	}
	sbuf_addch(out, obj ? '{' : '[');
	for (k = c->child; k; k = k->next) {
		if (k != c->child)
			sbuf_addch(out, ',');
		json_write_newline(out, at + indent);
		if (obj) {
			json_write_str(out, k->string);
			sbuf_adds(out, ": ");
		}
		walk(out, k, indent, at + indent);
	}
	if (c->child)
		json_write_newline(out, at);
	sbuf_addch(out, obj ? '}' : ']');
}

void json_write(struct sbuf *out, const struct json *j, int indent, int margin)
{
	if (indent > 0) {
		walk(out, cj(j), indent, margin);
		return;
	}
	char *s = cJSON_PrintUnformatted(cj(j));

	if (!s)
		die_oom();
	sbuf_adds(out, s);
	cJSON_free(s);
}

void json_write_free(struct sbuf *out, struct json *j, int indent)
{
	json_write(out, j, indent, 0);
	sbuf_addch(out, '\n');
	json_free(j);
}
