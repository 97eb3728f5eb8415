/* The schema file itself: it parses, compiles, and every $ref resolves. */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"

Test(schema_file, builtin_schema_parses_and_compiles)
{
	struct diag err = {0};
	const struct schema *s = schema_builtin(&err);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_not_null(s->root);
	cr_assert_eq(strncmp(schema_text_get(), "{", 1), 0);
}

static void collect_refs(const struct compose_node *n,
			 const char **refs,
			 size_t *nr,
			 size_t max)
{
	if (n->kind == COMPOSE_NODE_SEQ)
		for (size_t i = 0; i < n->n; i++)
			collect_refs(n->items[i], refs, nr, max);
	if (n->kind != COMPOSE_NODE_MAP)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (!strcmp(n->pairs[i].key->str, "$ref") && *nr < max)
			refs[(*nr)++] = n->pairs[i].value->str;
		collect_refs(n->pairs[i].value, refs, nr, max);
	}
}

Test(schema_file, every_ref_resolves_to_a_definition)
{
	struct arena *a = arena_new();
	struct compose_node *doc = th_parse(a, schema_text_get());
	const struct compose_node *defs = compose_map_get(doc, "definitions");
	const char *refs[512];
	size_t nr = 0;

	cr_assert_not_null(defs);
	collect_refs(doc, refs, &nr, 512);
	cr_assert_gt(nr, 40);
	for (size_t i = 0; i < nr; i++) {
		const char *name = refs[i] + strlen("#/definitions/");

		cr_assert_eq(strncmp(refs[i], "#/definitions/", 14), 0, "%s",
			     refs[i]);
		cr_assert_not_null(compose_map_get(defs, name), "%s", refs[i]);
	}
	arena_free(a);
}

Test(schema_file, declares_draft07_and_describes_the_main_keys)
{
	struct arena *a = arena_new();
	struct compose_node *doc = th_parse(a, schema_text_get());
	const struct compose_node *svc, *props;
	static const char *keys[] = {"image",	 "ports",	"volumes",
				     "networks", "depends_on",	"healthcheck",
				     "platform", "environment", "command"};

	cr_assert_str_eq(compose_map_get(doc, "$schema")->str,
			 "http://json-schema.org/draft-07/schema#");
	cr_assert_not_null(compose_map_get(doc, "$id"));
	cr_assert_not_null(compose_map_get(doc, "title"));
	svc = compose_map_get(compose_map_get(doc, "definitions"), "service");
	props = compose_map_get(svc, "properties");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert_not_null(
			compose_map_get(compose_map_get(props, keys[i]),
					"description"),
			"%s has no description", keys[i]);
	arena_free(a);
}
