#ifndef UTIL_ARENA_H
#define UTIL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A bump allocator.  Everything allocated from an arena lives until
 * arena_free() releases it all at once; nothing is freed singly.
 */
struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Zeroed memory, aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed array of 'n' elements of 'size' bytes. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_sprintf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Bytes handed out so far (for the benchmarks and the alias budget). */
size_t arena_used(const struct arena *a);

#endif
