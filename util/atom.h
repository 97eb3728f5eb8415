#ifndef UTIL_ATOM_H
#define UTIL_ATOM_H

#include <stdint.h>

/*
 * Atoms: small numbers for the few distinct strings that very many
 * objects refer to (file names and YAML tags in the compose node tree),
 * like X11 atoms or GLib quarks.  A node keeps a 16-bit atom instead of
 * an 8-byte pointer.
 *
 * The table is process-wide and only grows; names live until exit.  It
 * holds at most ATOM_MAX names: past that, atom_intern() returns
 * ATOM_FULL, which the caller reports as a limit error.
 */
#define ATOM_NONE 0	 /* NULL */
#define ATOM_MAX 0xfffe	 /* distinct names */
#define ATOM_FULL 0xffff /* the table is full */

/* The atom of 's' (ATOM_NONE for NULL); 's' is copied on first use. */
uint16_t atom_intern(const char *s);
/* The name of an atom: NULL for ATOM_NONE, "?" for ATOM_FULL. */
const char *atom_name(uint16_t atom);

#endif
