#include "util/atom.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/*
 * Names by atom, and an open-addressing hash from name to atom.  The
 * last name interned is remembered: callers intern the same file name
 * for node after node.
 */
static struct {
	char **names; /* names[atom - 1] */
	uint16_t *slots;
	size_t n, cap, nslots;
	const char *last;
	uint16_t last_atom;
} atoms;

static size_t hash_str(const char *s)
{
	size_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static uint16_t *slot_of(const char *s)
{
	size_t mask = atoms.nslots - 1;
	size_t i = hash_str(s) & mask;

	while (atoms.slots[i] && strcmp(atoms.names[atoms.slots[i] - 1], s))
		i = (i + 1) & mask;
	return &atoms.slots[i];
}

static void rehash(void)
{
	size_t nslots = atoms.nslots ? atoms.nslots * 2 : 64;

	free(atoms.slots);
	atoms.slots = xcalloc(nslots, sizeof(*atoms.slots));
	atoms.nslots = nslots;
	for (size_t i = 0; i < atoms.n; i++)
		*slot_of(atoms.names[i]) = (uint16_t)(i + 1);
}

uint16_t atom_intern(const char *s)
{
	uint16_t *slot;

	if (!s)
		return ATOM_NONE;
	if (atoms.last && (s == atoms.last || !strcmp(s, atoms.last)))
		return atoms.last_atom;
	if ((atoms.n + 1) * 2 > atoms.nslots)
		rehash();
	slot = slot_of(s);
	if (!*slot) {
		if (atoms.n == ATOM_MAX)
			return ATOM_FULL;
		ALLOC_GROW(atoms.names, atoms.n + 1, atoms.cap);
		atoms.names[atoms.n++] = xstrdup(s);
		*slot = (uint16_t)atoms.n;
	}
	atoms.last = atoms.names[*slot - 1];
	atoms.last_atom = *slot;
	return *slot;
}

const char *atom_name(uint16_t atom)
{
	if (atom == ATOM_NONE)
		return NULL;
	if (atom == ATOM_FULL || atom > atoms.n)
		return "?";
	return atoms.names[atom - 1];
}
