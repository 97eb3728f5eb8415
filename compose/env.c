/*
 * The variable table: entries in insertion order plus an open-addressing
 * hash index over them, so a look-up costs O(1) however many variables
 * the process environment and the .env files bring.
 */
#include "compose/compose.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

struct env_ent {
	const char *name;
	const char *value;
	size_t hash;
};

struct compose_env {
	struct arena *a;
	struct env_ent *ents; /* insertion order, in the arena */
	size_t n, alloc;
	size_t *index; /* slot -> entry + 1; 0 is empty */
	size_t cap;    /* a power of two */
};

static size_t env_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

struct compose_env *compose_env_new(struct arena *a)
{
	struct compose_env *env = arena_alloc(a, sizeof(*env));

	env->a = a;
	return env;
}

/* The slot that holds 'name', or the empty slot where it would go. */
static size_t *
env_slot(const struct compose_env *env, const char *name, size_t hash)
{
	size_t i = hash & (env->cap - 1);

	for (;;) {
		size_t *s = &env->index[i];

		if (!*s)
			return s;
		if (env->ents[*s - 1].hash == hash &&
		    !strcmp(env->ents[*s - 1].name, name))
			return s;
		i = (i + 1) & (env->cap - 1);
	}
}

/*
 * The index lives in the arena like the rest; a rehash leaves the old
 * one behind, which costs at most as much again as the final index.
 */
static void env_rehash(struct compose_env *env)
{
	env->cap = env->cap ? env->cap * 2 : 64;
	env->index = arena_calloc(env->a, env->cap, sizeof(*env->index));
	for (size_t i = 0; i < env->n; i++)
		*env_slot(env, env->ents[i].name, env->ents[i].hash) = i + 1;
}

void compose_env_set(struct compose_env *env,
		     const char *name,
		     const char *value)
{
	size_t hash = env_hash(name);
	size_t *slot;

	if ((env->n + 1) * 2 > env->cap)
		env_rehash(env);
	if (!value)
		value = "";
	slot = env_slot(env, name, hash);
	if (*slot) {
		env->ents[*slot - 1].value = arena_strdup(env->a, value);
		return;
	}
	if (env->n == env->alloc) {
		struct env_ent *old = env->ents;

		env->alloc = env->alloc ? env->alloc * 2 : 32;
		env->ents =
			arena_calloc(env->a, env->alloc, sizeof(*env->ents));
		if (old)
			memcpy(env->ents, old, env->n * sizeof(*old));
	}
	env->ents[env->n].name = arena_strdup(env->a, name);
	env->ents[env->n].value = arena_strdup(env->a, value);
	env->ents[env->n].hash = hash;
	*slot = ++env->n;
}

const char *compose_env_get(const struct compose_env *env, const char *name)
{
	size_t *slot;

	if (!env || !env->cap)
		return NULL;
	slot = env_slot(env, name, env_hash(name));
	return *slot ? env->ents[*slot - 1].value : NULL;
}

void compose_env_import(struct compose_env *env, char *const *environ_)
{
	if (!environ_)
		return;
	for (; *environ_; environ_++) {
		const char *eq = strchr(*environ_, '=');
		char *name;

		/* Windows keeps "=C:=C:\\dir" entries; they name nothing. */
		if (!eq || eq == *environ_)
			continue;
		name = xstrndup(*environ_, (size_t)(eq - *environ_));
		compose_env_set(env, name, eq + 1);
		free(name);
	}
}

size_t compose_env_count(const struct compose_env *env)
{
	return env ? env->n : 0;
}

void compose_env_at(const struct compose_env *env,
		    size_t i,
		    const char **name,
		    const char **value)
{
	*name = env->ents[i].name;
	*value = env->ents[i].value;
}

struct arena *compose_env_arena(const struct compose_env *env)
{
	return env->a;
}
