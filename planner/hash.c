/*
 * The config hash goes through util/sha256; this wrapper is the planner's
 * only door to it.
 */
#include "planner/planner_int.h"

#include "util/sha256.h"

const char *plan_sha256_hex(struct arena *a, const void *data, size_t len)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(hex, data, len);
	return arena_strdup(a, hex);
}
