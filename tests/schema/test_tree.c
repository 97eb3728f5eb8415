/*
 * The built-in schema tree, generated at build time (schema/gen/): it is
 * the tree the JSON text parses to, and the generator refuses a schema
 * that does not compile.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "helpers.h"

static void same_node(const struct compose_node *want,
		      const struct compose_node *got,
		      int depth)
{
	cr_assert_eq(got->kind, want->kind, "%d:%d", (int)want->line,
		     (int)want->col);
	cr_assert_eq((int)got->line, (int)want->line);
	cr_assert_eq((int)got->col, (int)want->col, "line %d", (int)want->line);
	/* The generated tree has lines but no file atom (it is static). */
	cr_assert_eq(got->file, ATOM_NONE);
	cr_assert_eq(got->style, want->style, "%d:%d", (int)want->line,
		     (int)want->col);
	cr_assert_eq(!got->tag, !want->tag);
	cr_assert_eq(got->n, want->n, "%d:%d", (int)want->line, (int)want->col);
	if (want->kind == COMPOSE_NODE_SCALAR) {
		cr_assert_eq(got->len, want->len);
		cr_assert_eq(memcmp(got->str, want->str, want->len + 1), 0,
			     "%d:%d: '%s' != '%s'", (int)want->line,
			     (int)want->col, got->str, want->str);
	}
	for (size_t i = 0; i < want->n; i++) {
		if (want->kind == COMPOSE_NODE_MAP) {
			same_node(want->pairs[i].key, got->pairs[i].key,
				  depth + 1);
			same_node(want->pairs[i].value, got->pairs[i].value,
				  depth + 1);
		} else {
			same_node(want->items[i], got->items[i], depth + 1);
		}
	}
}

Test(schema_tree, generated_tree_equals_the_parsed_text)
{
	struct arena *a = arena_new();
	struct compose_node *doc = NULL;
	struct diag err = {0};
	const char *text = schema_text_get();

	cr_assert_eq(compose_yaml_parse(&doc, a, "mixcompose.schema.json", text,
					strlen(text), NULL, &err),
		     0, "%s", err.msg);
	same_node(doc, schema_tree, 0);
	/* A key that holds a non-ASCII pattern ("µs") came through too. */
	cr_assert_not_null(compose_map_get(
		compose_map_get(schema_tree, "definitions"), "duration"));
	arena_free(a);
}

Test(schema_tree, builtin_schema_matches_a_pcre_pattern_lazily)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct arena *a = arena_new();
	const char *yaml = "services:\n"
			   "  web:\n"
			   "    image: nginx\n"
			   "    restart: sometimes\n"
			   "  db:\n"
			   "    image: postgres\n"
			   "    restart: on-failure:3\n";

	/* restart's pattern is not one of the fast forms: PCRE2 decides. */
	cr_assert_eq(schema_validate(th_parse(a, yaml), &dl), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(th_find(&dl, DIAG_ERROR, 4, 14, "sometimes"));
	diag_list_release(&dl);
	arena_free(a);
}

Test(schema_tree, trusted_compile_leaves_patterns_for_first_match)
{
	struct arena *a = arena_new();
	struct schema s;
	struct diag err = {0};
	const struct compose_node *doc =
		th_parse(a, "{\"pattern\": \"^(unclosed$\"}");

	/* Only schema_compile checks patterns; the trusted one defers. */
	cr_assert_eq(schema_compile(&s, a, doc, &err), DIAG_ESCHEMA);
	cr_assert_eq(schema_compile_trusted(&s, a, doc, &err), 0);
	cr_assert_not_null(s.root->pattern);
	cr_assert_null(s.root->pattern->rx);
	cr_assert_not(sch_rx_match(s.root->pattern, "unclosed"));
	arena_free(a);
}

/* Runs the generator on 'json'; returns its exit status, output in 'out'. */
static int run_gen(char *out, size_t size, const char *json)
{
	char dir[] = "/tmp/schemagen.XXXXXX", cmd[512], path[128];
	FILE *f, *p;
	size_t n;
	int st;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/in.json", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(json, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "'%s' %s/in.json %s/out.c 2>&1; st=$?; ls %s; rm -rf %s; "
		 "exit $st",
		 SCHEMA_GEN_BIN, dir, dir, dir, dir);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(schema_tree, generator_refuses_an_unresolved_ref)
{
	char out[4096];

	cr_assert_eq(
		run_gen(out, sizeof(out),
			"{\n  \"items\": {\"$ref\": \"#/definitions/x\"}\n}\n"),
		1, "%s", out);
	cr_assert(strstr(out, "in.json:2:21: "), "%s", out);
	cr_assert(strstr(out, "#/definitions/x"), "%s", out);
	/* No output file, not even a half-written one. */
	cr_assert_null(strstr(out, "out.c"), "%s", out);
}

Test(schema_tree, generator_refuses_a_bad_pattern)
{
	char out[4096];

	cr_assert_eq(run_gen(out, sizeof(out), "{\"pattern\": \"^(x$\"}"), 1,
		     "%s", out);
	cr_assert(strstr(out, "in.json:1:13: bad pattern"), "%s", out);
}

Test(schema_tree, generator_writes_a_tree)
{
	char out[4096];

	cr_assert_eq(run_gen(out, sizeof(out), "{\"type\": \"object\"}"), 0,
		     "%s", out);
	cr_assert(strstr(out, "out.c"), "%s", out);
}

static const struct sch_prop *prop(const struct sch *s, const char *name)
{
	for (size_t i = 0; i < s->n_props; i++)
		if (!strcmp(s->props[i].name, name))
			return &s->props[i];
	cr_assert_fail("no property '%s'", name);
	return NULL;
}

Test(schema_tree, lazy_schema_compiles_a_key_on_first_use)
{
	struct arena *a = arena_new();
	struct schema s;
	struct diag err = {0};
	struct diag_list dl = DIAG_LIST_INIT;
	const struct compose_node *doc = th_parse(
		a, "{\"properties\": {\"a\": {\"type\": \"string\"},\n"
		   "  \"b\": {\"$ref\": \"#/definitions/x\"}},\n"
		   " \"definitions\": {\"x\": {\"type\": \"integer\"}}}");

	cr_assert_eq(schema_compile_trusted(&s, a, doc, &err), 0, "%s",
		     err.msg);
	cr_assert_null(prop(s.root, "a")->schema);
	cr_assert_null(prop(s.root, "b")->schema);
	cr_assert_eq(schema_check(&s, th_parse(a, "a: 1\n"), &dl),
		     DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, DIAG_ERROR, 1, 4, "string"));
	cr_assert_not_null(prop(s.root, "a")->schema);
	cr_assert_null(prop(s.root, "b")->schema);
	diag_list_release(&dl);
	/* A lazy step resolves the $ref it meets. */
	cr_assert_eq(schema_check(&s, th_parse(a, "b: text\n"), &dl),
		     DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, DIAG_ERROR, 1, 4, "integer"));
	cr_assert_eq(schema_check(&s, th_parse(a, "b: 7\na: ok\n"), &dl), 0);
	diag_list_release(&dl);
	arena_free(a);
}

static void same_diags(const struct diag_list *want,
		       const struct diag_list *got,
		       const char *file)
{
	cr_assert_eq(got->nr, want->nr, "%s", file);
	cr_assert_eq(got->errors, want->errors, "%s", file);
	for (size_t i = 0; i < want->nr; i++) {
		cr_assert_eq(got->items[i].severity, want->items[i].severity);
		cr_assert_eq(got->items[i].d.loc.line,
			     want->items[i].d.loc.line);
		cr_assert_eq(got->items[i].d.loc.col, want->items[i].d.loc.col);
		cr_assert_str_eq(got->items[i].d.msg, want->items[i].d.msg);
	}
}

Test(schema_tree, lazy_builtin_agrees_with_eager_compile_on_fixtures)
{
	static const char *files[] = {
		"bad_port.yaml",    "extensions.yaml",	"mix_invalid.yaml",
		"mix_valid.yaml",   "realworld.yaml",	"several.yaml",
		"unknown_key.yaml", "unsupported.yaml", "windows.yaml",
	};
	struct arena *a = arena_new();
	struct schema eager;
	struct diag err = {0};
	size_t problems = 0;

	cr_assert_eq(schema_compile(&eager, a, schema_tree, &err), 0, "%s",
		     err.msg);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		struct diag_list want = DIAG_LIST_INIT, got = DIAG_LIST_INIT;
		const struct compose_node *doc;

		snprintf(path, sizeof(path), "%s/schema/%s", TEST_FIXTURES_DIR,
			 files[i]);
		doc = th_parse_file(a, path);
		cr_assert_eq(schema_validate(doc, &got),
			     schema_check(&eager, doc, &want), "%s", path);
		same_diags(&want, &got, path);
		problems += want.nr;
		diag_list_release(&want);
		diag_list_release(&got);
	}
	cr_assert_gt(problems, 5);
	arena_free(a);
}
