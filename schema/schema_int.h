#ifndef SCHEMA_SCHEMA_INT_H
#define SCHEMA_SCHEMA_INT_H

/*
 * Inside schema/: a JSON Schema compiled once into structs (compile.c),
 * the keyword checks (keywords.c) and the walk over a document
 * (validate.c).  Only schema/ and its tests include this header.
 */

#include <stdbool.h>
#include <stddef.h>

#include "compose/compose.h"
#include "util/diag.h"
#include "util/rx.h"
#include "util/sbuf.h"

struct arena;

/* JSON types as bits; "number" is SCH_T_INT | SCH_T_NUM. */
enum {
	SCH_T_NULL = 1 << 0,
	SCH_T_BOOL = 1 << 1,
	SCH_T_INT = 1 << 2,
	SCH_T_NUM = 1 << 3, /* a number that is not an integer */
	SCH_T_STR = 1 << 4,
	SCH_T_OBJ = 1 << 5,
	SCH_T_ARR = 1 << 6,
	SCH_T_ANY = (1 << 7) - 1,
};

/*
 * A compiled "pattern".  The shapes the compose schema uses most are
 * checked without PCRE2: a literal prefix ("^x-"), "any non-empty line"
 * (".+") and one character class ("^[a-zA-Z0-9._-]+$").
 */
struct sch_rx {
	const char *src;
	const struct rx *rx; /* NULL when a fast form decides; only a flag */
	const char *prefix;  /* "^x-" compiles to prefix "x-" */
	size_t prefix_len;
	bool nonempty; /* ".+" and "^.+$" */
	bool is_class; /* "^[...]+$": every byte in 'cls' */
	unsigned char cls[32];
};

struct sch;

struct sch_prop {
	const char *name;
	/* Read it with sch_prop_schema(): NULL until used in a lazy schema. */
	struct sch *schema;
	const struct compose_node *node; /* its schema's text, when lazy */
	unsigned hash;
};

struct sch_pprop {
	struct sch_rx rx;
	struct sch *schema;
};

struct sch {
	unsigned types;	 /* "type"; 0 when absent */
	unsigned tmask;	 /* types this schema can accept at all */
	struct sch *ref; /* "$ref", resolved */
	const char *ref_str;

	struct sch_prop *props; /* sorted by name */
	size_t n_props;
	unsigned *slots; /* hash table of props: index + 1, 0 is empty */
	unsigned slot_mask;
	struct sch_pprop *pprops;
	size_t n_pprops;
	bool no_additional; /* additionalProperties: false */
	struct sch *additional;
	const char **required;
	size_t n_required;
	long min_props, max_props; /* -1 when absent */

	struct sch *items;  /* one schema for every item */
	struct sch **tuple; /* "items" as an array */
	size_t n_tuple;
	long min_items, max_items;
	bool unique_items;

	const struct compose_node **enum_vals;
	size_t n_enum;
	const struct compose_node *const_val;
	struct sch_rx *pattern;
	long min_len, max_len;
	bool has_min, has_max, excl_min, excl_max;
	double minimum, maximum;
	const char *format;
	const char *cformat; /* "x-mixcompose-format"; replaces "pattern" */

	struct sch **one_of, **any_of, **all_of;
	size_t n_one_of, n_any_of, n_all_of;
	struct sch *not_;

	/* mixcompose annotations (keywords editors ignore). */
	bool unsupported;	 /* "x-mixcompose-unsupported": a warning */
	const char *ignored_why; /* its text when a string, else NULL */
	const char *deprecated;	 /* "x-mixcompose-deprecated": warning text */
	const char *error_msg;	 /* "x-mixcompose-error": one message */
};

struct sch_lazy;

struct schema {
	struct sch *root;
	struct arena *arena;
	struct sch_lazy *lazy; /* the compiler of a lazy schema, or NULL */
};

/*
 * Compiles a JSON Schema document (a node tree, e.g. from
 * compose_yaml_parse) into 'a'.  Every "$ref" must be local
 * ("#", "#/definitions/NAME" or another "#/..." pointer) and resolve;
 * every pattern must compile.  On failure returns DIAG_ESCHEMA with the
 * first problem in 'err'.
 */
int schema_compile(struct schema *out,
		   struct arena *a,
		   const struct compose_node *doc,
		   struct diag *err);
/*
 * The same for a document schema_compile() has accepted before (the
 * built-in tree, checked when it was generated), lazily: a property's
 * schema is compiled on its first sch_prop_schema(), a pattern on its
 * first match.  'doc' and 'a' must live as long as the schema.
 */
int schema_compile_trusted(struct schema *out,
			   struct arena *a,
			   const struct compose_node *doc,
			   struct diag *err);
/* The compiled schema of property 'p' of a schema of 's'. */
const struct sch *sch_prop_schema(const struct schema *s,
				  const struct sch_prop *p);

/*
 * Validates 'doc' against a compiled schema, adding every problem to
 * 'dl'.  Returns 0 if no error was added, DIAG_ESCHEMA otherwise.
 */
int schema_check(const struct schema *s,
		 const struct compose_node *doc,
		 struct diag_list *dl);

/*
 * The built-in schema's node tree, generated at build time from
 * schema/mixcompose.schema.json by schema/gen/schema_gen.c (static data;
 * locations name "mixcompose.schema.json").
 */
extern const struct compose_node *const schema_tree;

/* The built-in schema, compiled on first use; NULL (and 'err') on a bug. */
const struct schema *schema_builtin(struct diag *err);

/* ---- keywords.c ------------------------------------------------------- */

/* The JSON type bit of a node (SCH_T_OBJ, SCH_T_STR, ...). */
unsigned sch_node_type(const struct compose_node *n);
/* The type of a plain scalar's text, as compose_scalar_type() decides. */
unsigned sch_plain_type(const char *s);
/* "string", "integer or null", ... for messages. */
void sch_types_str(struct sbuf *out, unsigned types);
bool sch_rx_init(struct sch_rx *r, const char *src, char *errmsg, int errlen);
/*
 * The fast forms of sch_rx_init only: true if one decides; false leaves
 * a pattern that PCRE2 compiles on its first match (never checked here).
 */
bool sch_rx_prepare(struct sch_rx *r, const char *src);
bool sch_rx_match(const struct sch_rx *r, const char *s);
/* FNV-1a of a key, for the property tables. */
unsigned sch_hash(const char *s);
/* Optimal string alignment distance (edits with transpositions). */
size_t sch_edit_distance(const char *a, const char *b);
/* The property name closest to 'key', or NULL if none is close. */
const char *sch_suggest(const struct sch *s, const char *key);
/* True if the scalar 'v' equals the schema's value 'want'. */
bool sch_scalar_equal(const struct compose_node *v,
		      const struct compose_node *want);
/* True if 's' passes the (cheap) "format"; unknown formats pass. */
bool sch_format_ok(const char *format, const char *s);
/* ---- formats.c -------------------------------------------------------- */

/* True for the x-mixcompose-format names: port, port-range, duration. */
bool sch_cformat_known(const char *name);
/* True if 's' is valid for that format (or holds a ${VARIABLE}). */
bool sch_cformat_ok(const char *name, const char *s);

/* Index of the first item equal to an earlier one, or -1. */
long sch_first_duplicate(const struct compose_node *seq, size_t *first);

#endif
