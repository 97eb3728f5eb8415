/*
 * The config hash goes through util/sha256 (the engine's SHA-256); this
 * wrapper is the planner's only door to it.
 */
#include "planner/planner_int.h"

#include <stdio.h>

#if __has_include("util/sha256.h")
#include "util/sha256.h"
#define PLAN_HAVE_SHA256 1
#endif

#ifdef PLAN_HAVE_SHA256
const char *plan_sha256_hex(struct arena *a, const void *data, size_t len)
{
	char hex[65];

	sha256_hex(hex, data, len);
	return arena_strdup(a, hex);
}
#else
/*
 * Until util/sha256 lands: a stand-in digest of the same shape (64 hex
 * digits), four FNV-1a lanes.  Not SHA-256; never compared across versions.
 */
const char *plan_sha256_hex(struct arena *a, const void *data, size_t len)
{
	const unsigned char *b = data;
	unsigned long long h[4] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull,
				    0x9e3779b97f4a7c15ull, 0x7f4a7c159e3779b9ull };
	char *out = arena_alloc(a, 65);

	for (size_t i = 0; i < len; i++)
		for (int k = 0; k < 4; k++)
			h[k] = (h[k] ^ (unsigned long long)(b[i] + k)) *
			       0x100000001b3ull;
	for (int k = 0; k < 4; k++)
		snprintf(out + 16 * k, 17, "%016llx", h[k]);
	return out;
}
#endif
