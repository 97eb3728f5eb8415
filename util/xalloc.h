#ifndef UTIL_XALLOC_H
#define UTIL_XALLOC_H

#include <stddef.h>

/*
 * Allocators that never return NULL: out of memory is not an error path,
 * so they print a message and abort.  Everything they return is freed with
 * free().
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * Grow the array 'x' so that it holds at least 'nr' elements; 'alloc' is
 * its current capacity and is updated.  The idiom of git's ALLOC_GROW.
 */
#define ALLOC_GROW(x, nr, alloc)                                               \
	do {                                                                   \
		if ((nr) > (alloc)) {                                          \
			(alloc) = (alloc) ? (alloc)*2 : 8;                     \
			if ((alloc) < (nr))                                    \
				(alloc) = (nr);                                \
			(x) = xrealloc((x), (alloc) * sizeof(*(x)));           \
		}                                                              \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
