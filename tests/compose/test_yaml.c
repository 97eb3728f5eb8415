#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose/compose.h"
#include "util/arena.h"
#include "util/sbuf.h"

#define FIXTURE(p) TEST_FIXTURES_DIR "/" p
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct arena *ar;

static void setup(void)
{
	ar = arena_new();
}

static void teardown(void)
{
	arena_free(ar);
}

TestSuite(compose_yaml, .init = setup, .fini = teardown);

static int parse(struct compose_node **out, const char *text, struct diag *err)
{
	return compose_yaml_parse(out, ar, "t.yaml", text, strlen(text), NULL,
				  err);
}

static struct compose_node *parse_ok(const char *text)
{
	struct compose_node *n = NULL;
	struct diag err = {0};
	int rc = parse(&n, text, &err);

	cr_assert_eq(rc, 0, "%d:%d: %s", err.loc.line, err.loc.col, err.msg);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int parse_fixture(struct compose_node **out,
			 const char *path,
			 const struct compose_yaml_limits *lim,
			 struct diag *err)
{
	size_t len;
	char *buf = slurp(path, &len);
	int rc = compose_yaml_parse(out, ar, path, buf, len, lim, err);

	free(buf);
	return rc;
}

static const char *
str_at(const struct compose_node *root, const char *a, const char *b)
{
	const struct compose_node *n = compose_map_get(root, a);

	if (b)
		n = compose_map_get(n, b);
	cr_assert_not_null(n, "missing %s.%s", a, b ? b : "");
	cr_assert_eq(n->kind, COMPOSE_NODE_SCALAR);
	return n->str;
}

Test(compose_yaml, every_node_has_line_and_column)
{
	struct compose_node *root = parse_ok("services:\n"
					     "  web:\n"
					     "    image: nginx\n"
					     "    ports: [\"80:80\", 443]\n");
	struct compose_node *web =
		compose_map_get(compose_map_get(root, "services"), "web");
	struct compose_node *ports = compose_map_get(web, "ports");

	cr_assert_eq(root->kind, COMPOSE_NODE_MAP);
	cr_assert_eq((int)root->line, 1);
	cr_assert_eq((int)root->col, 1);
	cr_assert_str_eq(atom_name(root->file), "t.yaml");
	cr_assert_eq((int)web->pairs[0].key->line, 3);
	cr_assert_eq((int)web->pairs[0].key->col, 5);
	cr_assert_eq((int)web->pairs[0].value->line, 3);
	cr_assert_eq((int)web->pairs[0].value->col, 12);
	cr_assert_eq(ports->kind, COMPOSE_NODE_SEQ);
	cr_assert_eq(ports->n, 2);
	cr_assert_eq((int)ports->items[1]->line, 4);
	cr_assert_eq((int)ports->items[1]->col, 22);
}

Test(compose_yaml, file_name_is_copied_into_arena)
{
	char name[] = "copied.yaml";
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(compose_yaml_parse(&n, ar, name, "a: 1", 4, NULL, &err),
		     0);
	name[0] = 'X';
	cr_assert_str_eq(atom_name(n->file), "copied.yaml");
}

Test(compose_yaml, buffer_need_not_be_terminated)
{
	const char text[] = "a: 1\nb: 2xxxxx";
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(compose_yaml_parse(&n, ar, "t", text, 9, NULL, &err), 0);
	cr_assert_str_eq(str_at(n, "b", NULL), "2");
}

Test(compose_yaml, plain_and_quoted_scalars_type_differently)
{
	struct compose_node *r = parse_ok("a: 80\nb: \"80\"\nc: true\n"
					  "d: 'true'\ne: ~\nf:\ng: 1.5\n"
					  "h: |\n  80\ni: yes\nj: !!str 80\n"
					  "k: 0x1F\n");

	cr_assert_eq(compose_scalar_type(compose_map_get(r, "a")),
		     COMPOSE_TYPE_INT);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "b")),
		     COMPOSE_TYPE_STRING);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "c")),
		     COMPOSE_TYPE_BOOL);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "d")),
		     COMPOSE_TYPE_STRING);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "e")),
		     COMPOSE_TYPE_NULL);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "f")),
		     COMPOSE_TYPE_NULL);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "g")),
		     COMPOSE_TYPE_FLOAT);
	cr_assert_eq(compose_map_get(r, "h")->style, COMPOSE_SCALAR_QUOTED);
	cr_assert_str_eq(compose_map_get(r, "h")->str, "80\n");
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "i")),
		     COMPOSE_TYPE_STRING);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "j")),
		     COMPOSE_TYPE_STRING);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "k")),
		     COMPOSE_TYPE_INT);
}

Test(compose_yaml, tags_are_kept_as_written)
{
	struct compose_node *r = parse_ok("ports: !reset []\n"
					  "env: !override\n  A: 1\n"
					  "x: !custom value\n");

	cr_assert_str_eq(compose_node_tag(compose_map_get(r, "ports")),
			 "!reset");
	cr_assert_eq(compose_map_get(r, "ports")->kind, COMPOSE_NODE_SEQ);
	cr_assert_str_eq(compose_node_tag(compose_map_get(r, "env")),
			 "!override");
	cr_assert_eq(compose_map_get(r, "env")->kind, COMPOSE_NODE_MAP);
	cr_assert_str_eq(compose_node_tag(compose_map_get(r, "x")), "!custom");
	cr_assert_null(
		compose_node_tag(compose_map_get(r, "env")->pairs[0].value));
}

Test(compose_yaml, alias_clones_anchored_subtree)
{
	struct compose_node *r = parse_ok("base: &b\n  image: nginx\n"
					  "  env: [A, B]\n"
					  "copy: *b\n"
					  "name: &n hello\n"
					  "again: *n\n");
	struct compose_node *base = compose_map_get(r, "base");
	struct compose_node *copy = compose_map_get(r, "copy");

	cr_assert_neq(base, copy);
	cr_assert_eq(copy->kind, COMPOSE_NODE_MAP);
	cr_assert_str_eq(str_at(copy, "image", NULL), "nginx");
	cr_assert_neq(compose_map_get(base, "env"),
		      compose_map_get(copy, "env"));
	cr_assert_eq(compose_map_get(copy, "env")->n, 2);
	/* The alias node points at the alias, its children at the anchor. */
	cr_assert_eq((int)copy->line, 4);
	cr_assert_eq((int)copy->col, 7);
	cr_assert_eq((int)(compose_map_get(copy, "image"))->line, 2);
	cr_assert_str_eq(str_at(r, "again", NULL), "hello");
	cr_assert_eq((int)(compose_map_get(r, "again"))->line, 6);
}

Test(compose_yaml, redefined_anchor_takes_latest)
{
	struct compose_node *r = parse_ok("a: &x one\nb: &x two\nc: *x\n");

	cr_assert_str_eq(str_at(r, "c", NULL), "two");
}

Test(compose_yaml, unknown_alias_is_an_error)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "a: 1\nb: *nope\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 4);
	cr_assert(strstr(err.msg, "nope"));
}

Test(compose_yaml, merge_key_explicit_keys_win)
{
	struct compose_node *r = parse_ok("x-base: &base\n"
					  "  image: base\n"
					  "  restart: always\n"
					  "web:\n"
					  "  image: mine\n"
					  "  <<: *base\n"
					  "  user: me\n");
	struct compose_node *web = compose_map_get(r, "web");

	cr_assert_eq(web->n, 3);
	cr_assert_str_eq(str_at(web, "image", NULL), "mine");
	cr_assert_str_eq(str_at(web, "restart", NULL), "always");
	cr_assert_null(compose_map_get(web, "<<"));
	/* Merged keys take the place of "<<". */
	cr_assert_str_eq(web->pairs[0].key->str, "image");
	cr_assert_str_eq(web->pairs[1].key->str, "restart");
	cr_assert_str_eq(web->pairs[2].key->str, "user");
}

Test(compose_yaml, merge_list_earlier_source_wins)
{
	struct compose_node *r = parse_ok("a: &a {k: from-a, only_a: 1}\n"
					  "b: &b {k: from-b, only_b: 2}\n"
					  "m:\n  <<: [*a, *b]\n  own: 3\n");
	struct compose_node *m = compose_map_get(r, "m");

	cr_assert_eq(m->n, 4);
	cr_assert_str_eq(str_at(m, "k", NULL), "from-a");
	cr_assert_str_eq(str_at(m, "only_a", NULL), "1");
	cr_assert_str_eq(str_at(m, "only_b", NULL), "2");
	cr_assert_str_eq(str_at(m, "own", NULL), "3");
}

Test(compose_yaml, merge_inline_mapping)
{
	struct compose_node *r = parse_ok("m:\n  <<: {a: 1, b: 2}\n  b: 3\n");
	struct compose_node *m = compose_map_get(r, "m");

	cr_assert_str_eq(str_at(m, "a", NULL), "1");
	cr_assert_str_eq(str_at(m, "b", NULL), "3");
	cr_assert_eq(m->n, 2);
}

Test(compose_yaml, quoted_merge_key_is_a_plain_key)
{
	struct compose_node *r = parse_ok("m:\n  '<<': 1\n");

	cr_assert_str_eq(str_at(r, "m", "<<"), "1");
}

Test(compose_yaml, merge_of_scalar_is_an_error)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "m:\n  <<: 5\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 7);
}

Test(compose_yaml, duplicate_key_points_at_second)
{
	struct compose_node *n = NULL;
	struct diag err = {0};
	int rc = parse(&n,
		       "services:\n  web:\n    image: a\n    ports: []\n"
		       "    image: b\n",
		       &err);

	cr_assert_eq(rc, DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 5);
	cr_assert_eq(err.loc.col, 5);
	cr_assert(strstr(err.msg, "duplicate key 'image'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "services.web"), "%s", err.msg);
	cr_assert_null(n);
}

Test(compose_yaml, duplicate_key_path_through_sequences)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "a:\n  - x: 1\n  - y: 1\n    y: 2\n", &err),
		     DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 4);
	cr_assert_eq(err.loc.col, 5);
	cr_assert(strstr(err.msg, "a[1]: duplicate key 'y'"), "%s", err.msg);
}

Test(compose_yaml, duplicate_key_found_in_big_map)
{
	struct sbuf sb = SBUF_INIT;
	struct compose_node *n = NULL;
	struct diag err = {0};

	for (int i = 0; i < 100; i++)
		sbuf_addf(&sb, "k%d: %d\n", i, i);
	sbuf_adds(&sb, "k42: again\n");
	cr_assert_eq(parse(&n, sb.buf, &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 101);
	cr_assert_eq(err.loc.col, 1);
	cr_assert(strstr(err.msg, "k42"));
	sbuf_release(&sb);
}

Test(compose_yaml, syntax_error_has_position)
{
	struct compose_node *n = NULL;
	struct diag err = {0};
	int rc = parse_fixture(&n, FIXTURE("compose/yaml_syntax_error.yaml"),
			       NULL, &err);

	cr_assert_eq(rc, DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 4);
	cr_assert_eq(err.loc.col, 18);
	cr_assert(strstr(err.loc.file, "yaml_syntax_error.yaml"));
	cr_assert(strlen(err.msg) > 0);
}

Test(compose_yaml, unclosed_flow_sequence_is_syntax_error)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "a: [1, 2\nb: 3\n", &err), DIAG_ESYNTAX);
	cr_assert_gt(err.loc.line, 0);
}

Test(compose_yaml, tab_indentation_is_syntax_error)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "a:\n\tb: 1\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 1);
}

Test(compose_yaml, mapping_key_must_be_scalar)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "a: 1\n? [x, y]\n: 2\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 3);
}

Test(compose_yaml, billion_laughs_refused_quickly)
{
	struct compose_node *n = NULL;
	struct diag err = {0};
	clock_t t0 = clock();
	int rc = parse_fixture(&n, FIXTURE("compose/yaml_billion_laughs.yaml"),
			       NULL, &err);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

	cr_assert_eq(rc, DIAG_ELIMIT, "%s", err.msg);
	cr_assert_lt(secs, 0.5, "took %.3fs", secs);
	cr_assert_gt(err.loc.line, 1);
	cr_assert_lt(arena_used(ar), 256u << 20);
}

Test(compose_yaml, node_budget_is_configurable)
{
	struct compose_yaml_limits lim = {.max_nodes = 12};
	struct compose_node *n = NULL;
	struct diag err = {0};
	const char *text = "a: &a [1, 2, 3]\nb: *a\nc: *a\n";

	cr_assert_eq(
		compose_yaml_parse(&n, ar, "t", text, strlen(text), &lim, &err),
		DIAG_ELIMIT);
	cr_assert_eq(err.loc.line, 3);
	cr_assert_eq(err.loc.col, 4);
	lim.max_nodes = 20;
	cr_assert_eq(
		compose_yaml_parse(&n, ar, "t", text, strlen(text), &lim, &err),
		0);
}

Test(compose_yaml, deep_nesting_refused)
{
	struct sbuf sb = SBUF_INIT;
	struct compose_node *n = NULL;
	struct diag err = {0};

	for (int i = 0; i < 300; i++)
		sbuf_addch(&sb, '[');
	for (int i = 0; i < 300; i++)
		sbuf_addch(&sb, ']');
	cr_assert_eq(parse(&n, sb.buf, &err), DIAG_ELIMIT);
	cr_assert_eq(err.loc.line, 1);
	cr_assert_eq(err.loc.col, 257);
	sbuf_release(&sb);
}

Test(compose_yaml, depth_limit_counts_alias_expansion)
{
	struct compose_yaml_limits lim = {.max_depth = 4};
	struct compose_node *n = NULL;
	struct diag err = {0};
	const char *text = "a: &a [[[1]]]\nb: [*a]\n";

	cr_assert_eq(
		compose_yaml_parse(&n, ar, "t", text, strlen(text), &lim, &err),
		DIAG_ELIMIT);
	cr_assert_eq(err.loc.line, 2);
}

Test(compose_yaml, empty_document_gives_null)
{
	struct compose_node *n = (struct compose_node *)1;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "", &err), 0);
	cr_assert_null(n);
	n = (struct compose_node *)1;
	cr_assert_eq(parse(&n, "# only a comment\n", &err), 0);
	cr_assert_null(n);
	n = (struct compose_node *)1;
	cr_assert_eq(parse(&n, "---\n", &err), 0);
	cr_assert_null(n);
}

Test(compose_yaml, only_first_document_is_used)
{
	struct compose_node *r = parse_ok("a: 1\n---\nb: 2\n");
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_str_eq(str_at(r, "a", NULL), "1");
	cr_assert_null(compose_map_get(r, "b"));
	/* A later document is still checked for syntax. */
	cr_assert_eq(parse(&n, "a: 1\n---\nb: [\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 4);
}

Test(compose_yaml, large_map_parses_in_order)
{
	struct sbuf sb = SBUF_INIT;
	struct compose_node *r;
	clock_t t0;

	sbuf_adds(&sb, "services:\n");
	for (int i = 0; i < 5000; i++)
		sbuf_addf(&sb,
			  "  svc%d:\n    image: busybox\n"
			  "    environment:\n      A: '1'\n      B: '2'\n"
			  "    ports: ['80%02d:80']\n",
			  i, i % 100);
	t0 = clock();
	r = parse_ok(sb.buf);
	cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 0.5);
	r = compose_map_get(r, "services");
	cr_assert_eq(r->n, 5000);
	cr_assert_str_eq(r->pairs[4999].key->str, "svc4999");
	cr_assert_eq((int)r->pairs[4999].key->line, 1 + 4999 * 6 + 1);
	sbuf_release(&sb);
}

Test(compose_yaml, embedded_nul_kept_with_length)
{
	struct compose_node *r = parse_ok("a: \"x\\0y\"\n");
	struct compose_node *a = compose_map_get(r, "a");

	cr_assert_eq(a->len, 3);
	cr_assert_eq(a->str[1], '\0');
	cr_assert_eq(a->str[2], 'y');
}

Test(compose_yaml, invalid_utf8_is_syntax_error)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(parse(&n, "a: 1\nb: \xff\xfe\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
}

/* ---- Writing ---------------------------------------------------------- */

static bool same_tree(const struct compose_node *a,
		      const struct compose_node *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->n != b->n)
		return false;
	if (a->tag != b->tag) /* atoms: equal tags, equal atoms */
		return false;
	if (a->kind == COMPOSE_NODE_SCALAR &&
	    compose_scalar_type(a) == COMPOSE_TYPE_NULL)
		return compose_scalar_type(b) == COMPOSE_TYPE_NULL;
	if (a->kind == COMPOSE_NODE_SCALAR)
		return a->len == b->len && !memcmp(a->str, b->str, a->len) &&
		       compose_scalar_type(a) == compose_scalar_type(b);
	for (size_t i = 0; i < a->n; i++) {
		if (a->kind == COMPOSE_NODE_SEQ) {
			if (!same_tree(a->items[i], b->items[i]))
				return false;
		} else if (a->pairs[i].key->len != b->pairs[i].key->len ||
			   memcmp(a->pairs[i].key->str, b->pairs[i].key->str,
				  a->pairs[i].key->len) ||
			   !same_tree(a->pairs[i].value, b->pairs[i].value)) {
			return false;
		}
	}
	return true;
}

static struct compose_node *reparse(const struct sbuf *sb)
{
	struct compose_node *n = NULL;
	struct diag err = {0};
	int rc = compose_yaml_parse(&n, ar, "emitted", sb->buf, sb->len, NULL,
				    &err);

	cr_assert_eq(rc, 0, "%d:%d: %s\n%s", err.loc.line, err.loc.col, err.msg,
		     sb->buf);
	return n;
}

static char *emit_yaml(const struct compose_node *n)
{
	struct sbuf sb = SBUF_INIT;

	compose_node_emit_yaml(&sb, n);
	return sbuf_detach(&sb, NULL);
}

static char *emit_json(const struct compose_node *n)
{
	struct sbuf sb = SBUF_INIT;

	compose_node_emit_json(&sb, n);
	return sbuf_detach(&sb, NULL);
}

Test(compose_yaml, emit_yaml_layout)
{
	struct compose_node *r = parse_ok("services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    ports: [80, '443']\n"
					  "    empty_map: {}\n"
					  "    empty_seq: []\n"
					  "    nothing:\n"
					  "    matrix: [[1, 2], [3]]\n"
					  "    list: [{a: 1, b: 2}]\n");
	char *y = emit_yaml(r);

	cr_assert_str_eq(y, "services:\n"
			    "  web:\n"
			    "    image: nginx\n"
			    "    ports:\n"
			    "      - 80\n"
			    "      - \"443\"\n"
			    "    empty_map: {}\n"
			    "    empty_seq: []\n"
			    "    nothing:\n"
			    "    matrix:\n"
			    "      - - 1\n"
			    "        - 2\n"
			    "      - - 3\n"
			    "    list:\n"
			    "      - a: 1\n"
			    "        b: 2\n");
	free(y);
}

Test(compose_yaml, emit_yaml_quotes_what_would_change_type)
{
	struct compose_node *r = parse_ok("a: 'true'\nb: '1'\nc: 'null'\n"
					  "d: ''\ne: 'x: y'\nf: '- x'\n"
					  "g: '#c'\nh: ' lead'\ni: 'yes'\n"
					  "j: '1.5'\nk: '0x10'\nl: '~'\n"
					  "m: 'plain words'\nn: '*star'\n");
	char *y = emit_yaml(r);
	struct sbuf sb = SBUF_INIT;
	struct compose_node *again;

	cr_assert(strstr(y, "a: \"true\"\n"), "%s", y);
	cr_assert(strstr(y, "b: \"1\"\n"), "%s", y);
	cr_assert(strstr(y, "c: \"null\"\n"), "%s", y);
	cr_assert(strstr(y, "d: \"\"\n"), "%s", y);
	cr_assert(strstr(y, "e: \"x: y\"\n"), "%s", y);
	cr_assert(strstr(y, "i: \"yes\"\n"), "%s", y);
	cr_assert(strstr(y, "m: plain words\n"), "%s", y);
	sbuf_adds(&sb, y);
	again = reparse(&sb);
	cr_assert(same_tree(r, again), "%s", y);
	for (size_t i = 0; i < again->n; i++)
		cr_assert_eq(compose_scalar_type(again->pairs[i].value),
			     COMPOSE_TYPE_STRING, "%s",
			     again->pairs[i].key->str);
	sbuf_release(&sb);
	free(y);
}

Test(compose_yaml, emit_yaml_round_trip_fixture)
{
	struct compose_node *r = NULL, *again;
	struct diag err = {0};
	struct sbuf sb = SBUF_INIT;

	cr_assert_eq(parse_fixture(&r, FIXTURE("compose/yaml_round_trip.yaml"),
				   NULL, &err),
		     0, "%d:%d %s", err.loc.line, err.loc.col, err.msg);
	compose_node_emit_yaml(&sb, r);
	again = reparse(&sb);
	cr_assert(same_tree(r, again), "%s", sb.buf);
	/* Writing the re-read tree gives the same text. */
	{
		char *second = emit_yaml(again);

		cr_assert_str_eq(second, sb.buf);
		free(second);
	}
	sbuf_release(&sb);
}

Test(compose_yaml, emit_yaml_keeps_tags)
{
	struct compose_node *r = parse_ok("ports: !reset []\n"
					  "env: !override\n  A: 1\n"
					  "s: !!str 80\n"
					  "seq:\n  - !custom\n    k: v\n");
	char *y = emit_yaml(r);
	struct sbuf sb = SBUF_INIT;

	cr_assert(strstr(y, "ports: !reset []\n"), "%s", y);
	cr_assert(strstr(y, "env: !override\n  A: 1\n"), "%s", y);
	cr_assert(strstr(y, "s: !!str \"80\"\n"), "%s", y);
	sbuf_adds(&sb, y);
	cr_assert(same_tree(r, reparse(&sb)), "%s", y);
	sbuf_release(&sb);
	free(y);
}

Test(compose_yaml, emit_yaml_escapes_controls_and_unicode)
{
	struct compose_node *r =
		parse_ok("a: \"tab\\tnl\\ncr\\rnul\\0bell\\a\"\n"
			 "b: \"caf\\u00e9 \\u2028 \\x85 \\u0090 \\uFEFF\"\n"
			 "c: \"quote\\\" back\\\\slash\"\n");
	char *y = emit_yaml(r);
	struct sbuf sb = SBUF_INIT;

	cr_assert(strstr(y, "\\t"), "%s", y);
	cr_assert(strstr(y, "\\0"), "%s", y);
	cr_assert(strstr(y, "\\L"), "%s", y);
	sbuf_adds(&sb, y);
	cr_assert(same_tree(r, reparse(&sb)), "%s", y);
	sbuf_release(&sb);
	free(y);
}

Test(compose_yaml, emit_yaml_long_key_uses_explicit_form)
{
	struct sbuf in = SBUF_INIT, out = SBUF_INIT;
	struct compose_node *r;

	sbuf_adds(&in, "? ");
	for (int i = 0; i < 1500; i++)
		sbuf_addch(&in, 'k');
	sbuf_adds(&in, "\n: v\nshort: w\n");
	r = parse_ok(in.buf);
	compose_node_emit_yaml(&out, r);
	cr_assert_eq(strncmp(out.buf, "? kkk", 5), 0);
	cr_assert(same_tree(r, reparse(&out)));
	sbuf_release(&in);
	sbuf_release(&out);
}

Test(compose_yaml, emit_yaml_scalar_and_null_roots)
{
	struct compose_node *r = parse_ok("just text\n");
	char *y = emit_yaml(r);
	struct sbuf sb = SBUF_INIT;

	cr_assert_str_eq(y, "just text\n");
	free(y);
	sb.len = 0;
	compose_node_emit_yaml(&sb, NULL);
	cr_assert_eq(sb.len, 0);
	sbuf_release(&sb);
}

Test(compose_yaml, emit_json_types)
{
	struct compose_node *r = parse_ok("i: 42\nplus: +7\nzeros: 007\n"
					  "hex: 0x1F\noct: 0o17\nneg: -3\n"
					  "f: 1.50\ndot: .5\nexp: 1e3\n"
					  "inf: .inf\nt: True\nfl: FALSE\n"
					  "n: ~\ne:\nq: '42'\nyes: yes\n"
					  "s: \"a\\\"b\\\\c\\n\\u0001\"\n");
	char *j = emit_json(r);

	cr_assert_str_eq(j, "{\n"
			    "  \"i\": 42,\n"
			    "  \"plus\": 7,\n"
			    "  \"zeros\": 7,\n"
			    "  \"hex\": 31,\n"
			    "  \"oct\": 15,\n"
			    "  \"neg\": -3,\n"
			    "  \"f\": 1.5,\n"
			    "  \"dot\": 0.5,\n"
			    "  \"exp\": 1000,\n"
			    "  \"inf\": \".inf\",\n"
			    "  \"t\": true,\n"
			    "  \"fl\": false,\n"
			    "  \"n\": null,\n"
			    "  \"e\": null,\n"
			    "  \"q\": \"42\",\n"
			    "  \"yes\": \"yes\",\n"
			    "  \"s\": \"a\\\"b\\\\c\\n\\u0001\"\n"
			    "}\n");
	free(j);
}

Test(compose_yaml, emit_json_nested_and_empty)
{
	struct compose_node *r = parse_ok("a: [1, {b: []}, {}]\n");
	char *j = emit_json(r);

	cr_assert_str_eq(j, "{\n"
			    "  \"a\": [\n"
			    "    1,\n"
			    "    {\n"
			    "      \"b\": []\n"
			    "    },\n"
			    "    {}\n"
			    "  ]\n"
			    "}\n");
	free(j);
	j = emit_json(NULL);
	cr_assert_str_eq(j, "null\n");
	free(j);
}

Test(compose_yaml, emit_json_reads_back_as_yaml)
{
	struct compose_node *r = NULL, *again;
	struct diag err = {0};
	struct sbuf sb = SBUF_INIT;

	cr_assert_eq(parse_fixture(&r, FIXTURE("compose/yaml_round_trip.yaml"),
				   NULL, &err),
		     0);
	compose_node_emit_json(&sb, r);
	/* JSON is YAML: the re-read tree has the same shape and strings. */
	again = reparse(&sb);
	cr_assert_eq(again->kind, COMPOSE_NODE_MAP);
	cr_assert_eq(again->n, r->n);
	cr_assert_str_eq(
		str_at(compose_map_get(compose_map_get(again, "services"),
				       "web"),
		       "image", NULL),
		"nginx:1.25");
	sbuf_release(&sb);
}

Test(compose_yaml, fuzz_regressions_parse_and_round_trip)
{
	static const char *const files[] = {
		SOURCE_DIR "/tests/fuzz/regress/root_null_after_interp.yaml",
		SOURCE_DIR "/tests/fuzz/regress/c1_control_in_dquoted.yaml",
		SOURCE_DIR
		"/tests/fuzz/regress/literal_leading_tab_after_interp.yaml",
	};

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		struct compose_node *r = NULL;
		struct diag err = {0};
		struct compose_env *env = compose_env_new(ar);
		struct sbuf sb = SBUF_INIT;

		cr_assert_eq(parse_fixture(&r, files[i], NULL, &err), 0, "%s",
			     files[i]);
		cr_assert_eq(compose_interpolate_tree(r, ar, env, &err), 0);
		compose_node_emit_yaml(&sb, r);
		cr_assert(same_tree(r, reparse(&sb)), "%s: %s", files[i],
			  sb.buf);
		sbuf_release(&sb);
	}
}

/*
 * The intern table stops growing after a few thousand distinct strings:
 * scalars past that point keep their own text, and strings seen early are
 * still shared.
 */
Test(compose_yaml, intern_table_full_keeps_every_scalar)
{
	enum { N = 20000 };
	struct sbuf sb = SBUF_INIT;
	struct compose_node *n;

	for (int i = 0; i < N; i++)
		sbuf_addf(&sb, "- k%d\n", i);
	sbuf_adds(&sb, "- k7\n- k19999\n");
	n = parse_ok(sb.buf);
	cr_assert_eq(n->kind, COMPOSE_NODE_SEQ);
	cr_assert_eq(n->n, (size_t)N + 2);
	for (int i = 0; i < N; i++) {
		char want[16];

		snprintf(want, sizeof(want), "k%d", i);
		cr_assert_str_eq(n->items[i]->str, want);
		cr_assert_eq(n->items[i]->len, strlen(want));
	}
	cr_assert_eq(n->items[N]->str, n->items[7]->str);
	cr_assert_str_eq(n->items[N + 1]->str, "k19999");
	cr_assert_eq((int)n->items[N + 1]->line, N + 2);
	sbuf_release(&sb);
}

Test(compose_yaml, node_is_32_bytes)
{
	/* The 5000-service benchmark's memory budget rests on this. */
	cr_assert_eq(sizeof(struct compose_node), 32);
}

Test(compose_yaml, clone_then_push_grows_exact_arrays)
{
	struct compose_node *r = NULL, *c;
	struct diag err = {0};
	char key[16];

	cr_assert_eq(parse(&r, "a: 1\nb: [x, y, z]\n", &err), 0);
	c = compose_node_clone(ar, r);
	/* Parsed and cloned arrays are exact: the first push must move. */
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		compose_map_set(ar, c, compose_node_scalar(ar, key, NULL),
				compose_node_scalar(ar, "v", NULL));
		compose_seq_push(ar, compose_map_get(c, "b"),
				 compose_node_scalar(ar, key, NULL));
	}
	cr_assert_eq(c->n, 102);
	cr_assert_eq(compose_map_get(c, "b")->n, 103);
	cr_assert_str_eq(compose_map_get(c, "b")->items[2]->str, "z");
	cr_assert_str_eq(compose_map_get(c, "b")->items[102]->str, "k99");
	cr_assert_str_eq(compose_map_get(c, "k57")->str, "v");
	/* The source tree is untouched. */
	cr_assert_eq(r->n, 2);
	cr_assert_eq(compose_map_get(r, "b")->n, 3);
}

Test(compose_yaml, too_many_distinct_tags_is_a_limit_error)
{
	struct sbuf sb = SBUF_INIT;
	struct compose_node *r = NULL;
	struct diag err = {0};

	/* Every tag is an atom; the table holds 65534 names in all. */
	for (int i = 0; i < 70000; i++)
		sbuf_addf(&sb, "- !t%d x\n", i);
	cr_assert_eq(parse(&r, sb.buf, &err), DIAG_ELIMIT, "%s", err.msg);
	cr_assert_str_eq(err.loc.file, "t.yaml");
	cr_assert_gt(err.loc.line, 60000);
	cr_assert_lt(err.loc.line, 65536);
	cr_assert_eq(err.loc.col, 3);
	sbuf_release(&sb);
}
