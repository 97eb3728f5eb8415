#ifndef TESTS_SCHEMA_HELPERS_H
#define TESTS_SCHEMA_HELPERS_H

/* Shared by the schema tests: parse text or fixtures, find diagnostics. */

#include <stdbool.h>

#include "compose/compose.h"
#include "schema/schema.h"
#include "schema/schema_int.h"
#include "util/arena.h"
#include "util/diag.h"

#define FIXTURE(p) TEST_FIXTURES_DIR "/" p

/* Parses YAML (or JSON) text; aborts the test on a syntax error. */
struct compose_node *th_parse(struct arena *a, const char *text);
/* Reads and parses a fixture file. */
struct compose_node *th_parse_file(struct arena *a, const char *path);
/* Compiles a schema given as JSON text; aborts the test on failure. */
struct schema th_compile(struct arena *a, const char *json);
/* Validates YAML text against a schema given as JSON text. */
int th_check(struct diag_list *dl, const char *schema_json, const char *yaml);
/* Validates a fixture against the built-in schema. */
int th_validate_file(struct diag_list *dl, const char *path);

/*
 * The item with this severity whose message contains 'part' (line and
 * column too, unless 0); NULL if none.
 */
const struct diag_item *th_find(const struct diag_list *dl,
				enum diag_severity sev,
				int line,
				int col,
				const char *part);
/* Prints every item (for failing tests' logs). */
void th_dump(const struct diag_list *dl);

#endif
