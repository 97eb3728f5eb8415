#ifndef UTIL_JSON_H
#define UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "util/sbuf.h"

/*
 * The one JSON writer of every `--format json` and every other JSON text
 * the program prints.  A document is a tree built on cJSON (which does
 * the escaping and the number text); json_write() prints it compact, as
 * Go's json.Marshal, or indented, as Go's json.MarshalIndent (so "{}" and
 * "[]" when empty, one member per line otherwise).  Members keep the
 * order they were added in.
 *
 * Every json_add_*() adds a member 'key' to an object, or, with 'key'
 * NULL, appends an item to an array; the key and string values are
 * copied.  A NULL string value is JSON null.  Out of memory aborts (as
 * the x* allocators).  The tree is opaque: only this module sees cJSON.
 */
struct json;

/* A new empty object or array; json_free() frees it and all it holds. */
struct json *json_object_new(void);
struct json *json_array_new(void);
void json_free(struct json *j);

/* The new child container; it belongs to 'parent'. */
struct json *json_add_object(struct json *parent, const char *key);
struct json *json_add_array(struct json *parent, const char *key);

void json_add_str(struct json *parent, const char *key, const char *val);
void json_add_int(struct json *parent, const char *key, long long val);
/* A number printed with exactly 'decimals' digits after the point. */
void json_add_num(struct json *parent,
		  const char *key,
		  double val,
		  int decimals);
/* 'len' bytes of 's', NULs included (as \u0000). */
void json_add_strn(struct json *parent,
		   const char *key,
		   const char *s,
		   size_t len);
/* 'text' as it is: a number already in JSON's form. */
void json_add_raw(struct json *parent, const char *key, const char *text);
void json_add_bool(struct json *parent, const char *key, bool val);
void json_add_null(struct json *parent, const char *key);

/* The first member or item of a container (NULL if it is empty). */
const struct json *json_first(const struct json *j);

/*
 * Appends 'j' to 'out': compact when 'indent' is 0, else 'indent' spaces
 * per level, every line after the first prefixed by 'margin' spaces (to
 * nest the text inside a larger document).  No final newline.
 */
void json_write(struct sbuf *out, const struct json *j, int indent, int margin);

/*
 * For a writer that walks a tree of its own in json_write()'s indented
 * layout (compose's config, whose files are large enough that building a
 * second tree costs more than the walk): 's' as a JSON string, escaped as
 * every other string here; 'len' bytes of 's', NULs included (as
 * \u0000); 'spaces' spaces, after a line break or without one.
 */
void json_write_str(struct sbuf *out, const char *s);
void json_write_strn(struct sbuf *out, const char *s, size_t len);
void json_write_newline(struct sbuf *out, int spaces);
void json_write_spaces(struct sbuf *out, int spaces);

/* json_write() of 'j' followed by "\n", then json_free(j). */
void json_write_free(struct sbuf *out, struct json *j, int indent);

#endif
