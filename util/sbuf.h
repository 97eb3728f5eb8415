#ifndef UTIL_SBUF_H
#define UTIL_SBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, always NUL-terminated string buffer, in the manner of git's
 * strbuf.  'buf' is never NULL once initialised: an empty sbuf points at a
 * shared empty string, so it may be printed without checks.
 */
struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char sbuf_empty[];
#define SBUF_INIT                                                              \
	{                                                                      \
		sbuf_empty, 0, 0                                               \
	}

void sbuf_init(struct sbuf *sb);
/* Frees the buffer and makes 'sb' empty again. */
void sbuf_release(struct sbuf *sb);
/* Returns the string, which the caller frees; 'sb' is left empty. */
char *sbuf_detach(struct sbuf *sb, size_t *len);
void sbuf_reset(struct sbuf *sb);
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, int c);
/* Appends each string up to the NULL (no format: for hot loops). */
void sbuf_add_words(struct sbuf *sb, const char *s, ...);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void sbuf_setlen(struct sbuf *sb, size_t len);

#endif
