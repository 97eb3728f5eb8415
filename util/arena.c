#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_block *head;
	size_t total;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/*
 * Returns 'size' bytes (not zeroed) at an offset rounded up to 'align' (a
 * power of two).  Strings take align 1: most scalars of a compose file are
 * a few bytes long, and rounding each to 16 would add half again.
 */
static void *arena_take(struct arena *a, size_t size, size_t align)
{
	struct arena_block *b = a->head;
	size_t off = b ? (b->used + align - 1) & ~(align - 1) : 0;
	void *p;

	if (!b || off > b->size || b->size - off < size) {
		size_t cap = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;

		/*
		 * Not zeroed: the heap's pages are seldom fresh (compat_init
		 * keeps freed memory), so calloc would clear all 64 KiB of a
		 * block that a scratch arena uses a few hundred bytes of.
		 * arena_alloc zeroes what it hands out; strings are written
		 * whole.
		 */
		b = xmalloc(sizeof(*b) + cap);
		b->next = NULL;
		b->size = cap;
		b->used = 0;
		/*
		 * A large allocation gets a block of its own behind the
		 * current one, so the rest of the current block stays usable.
		 */
		if (cap != ARENA_BLOCK && a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
		off = 0;
	}
	p = b->data + off;
	b->used = off + size;
	a->total += size;
	return p;
}

void *arena_alloc(struct arena *a, size_t size)
{
	return memset(arena_take(a, size, alignof(max_align_t)), 0, size);
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return xmalloc((size_t)-1); /* aborts */
	return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_take(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_sprintf(struct arena *a, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	p = arena_strndup(a, sb.buf, sb.len);
	sbuf_release(&sb);
	return p;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}
