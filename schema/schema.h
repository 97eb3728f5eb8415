#ifndef SCHEMA_SCHEMA_H
#define SCHEMA_SCHEMA_H

/*
 * schema/: the project's JSON Schema (schema/mixcompose.schema.json,
 * compiled into the binary) and a validator that walks it over a compose
 * node tree.  Every problem is reported, each with its file:line:column
 * and key path; keys that compose accepts but mixcompose does not act on
 * are warnings.
 */

#include "compose/compose.h"
#include "util/diag.h"

/*
 * Validates 'doc' (a merged compose document) against the built-in
 * schema.  Adds every error and warning to 'dl'; returns 0 if no error
 * was added, DIAG_ESCHEMA otherwise.
 */
int schema_validate(const struct compose_node *doc, struct diag_list *dl);

/* The schema's JSON text, as compiled in (for `mixcompose schema`). */
const char *schema_text_get(void);

#endif
