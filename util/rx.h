#ifndef UTIL_RX_H
#define UTIL_RX_H

#include <stdbool.h>

/*
 * Regular expressions through PCRE2, the only home of PCRE2 in the tree.
 * Patterns are compiled once and cached for the life of the process, so
 * callers may pass the same literal pattern on every call.
 */
struct rx;

/*
 * Returns a compiled pattern (owned by the cache; never freed by the
 * caller) or NULL if the pattern does not compile, in which case 'errmsg'
 * (if not NULL) receives PCRE2's message.
 */
const struct rx *rx_get(const char *pattern, char *errmsg, int errlen);
/* True if 'subject' matches anywhere (JSON Schema "pattern" semantics). */
bool rx_search(const struct rx *rx, const char *subject);
/* Convenience: compile (cached) and search; a bad pattern never matches. */
bool rx_match(const char *pattern, const char *subject);
/* Releases the cache (for leak checkers at exit). */
void rx_cache_clear(void);

#endif
