/* Each JSON Schema keyword on small schemas of its own. */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"

#define E DIAG_ERROR
#define W DIAG_WARNING

Test(schema_keywords, type_string_rejects_integer)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = th_check(&dl,
			  "{\"properties\": {\"a\": {\"type\": \"string\"}}}",
			  "a: 42\n");

	cr_assert_eq(rc, DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 1, 4, "a: '42' is not of type string"));
	cr_assert_eq(dl.items[0].d.code, DIAG_ESCHEMA);
	diag_list_release(&dl);
}

Test(schema_keywords, quoted_number_is_a_string)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"s\": {\"type\": \"string\"},"
			" \"i\": {\"type\": \"integer\"}}}";

	cr_assert_eq(th_check(&dl, s, "s: \"80\"\ni: '80'\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 2, 4, "i: '80' is not of type integer"));
	diag_list_release(&dl);
}

Test(schema_keywords, type_list_accepts_each_member)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"additionalProperties\": {\"type\": [\"boolean\", "
			"\"null\"]}}";

	cr_assert_eq(th_check(&dl, s, "a: true\nb: ~\nc: FALSE\nd: 1\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 4, 4, "'1' is not of type boolean or null"));
	diag_list_release(&dl);
}

Test(schema_keywords, integer_rejects_float_number_accepts_both)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"i\": {\"type\": \"integer\"},"
			" \"n\": {\"type\": \"number\"}}}";

	cr_assert_eq(th_check(&dl, s, "i: 1.5\nn: 2.5\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 1, 4, "i: '1.5' is not of type integer"));
	diag_list_release(&dl);
	cr_assert_eq(th_check(&dl, s, "i: 0x1F\nn: 7\n"), 0);
	diag_list_release(&dl);
}

Test(schema_keywords, object_where_scalar_expected)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"a\": {\"type\": \"string\"}}}";

	cr_assert_eq(th_check(&dl, s, "a:\n  b: 1\n"), DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 2, 3, "a: must be of type string, not object"));
	diag_list_release(&dl);
}

Test(schema_keywords, additional_false_suggests_closest_key)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"ports\": {}, \"image\": {}},"
			" \"additionalProperties\": false}";

	cr_assert_eq(th_check(&dl, s, "image: x\nprots: []\n"), DIAG_ESCHEMA);
	cr_assert_not_null(th_find(
		&dl, E, 2, 1, "unknown key 'prots' (did you mean 'ports'?)"));
	diag_list_release(&dl);
}

Test(schema_keywords, additional_false_far_key_has_no_suggestion)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"ports\": {}},"
			" \"additionalProperties\": false}";

	cr_assert_eq(th_check(&dl, s, "colour: red\n"), DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, E, 1, 1, "unknown key 'colour'"));
	cr_assert_null(strstr(dl.items[0].d.msg, "did you mean"));
	diag_list_release(&dl);
}

Test(schema_keywords, additional_schema_applies_to_other_keys)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"name\": {\"type\": \"string\"}},"
			" \"additionalProperties\": {\"type\": \"integer\"}}";

	cr_assert_eq(th_check(&dl, s, "name: n\nx: 1\ny: z\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 3, 4, "y: 'z' is not of type integer"));
	diag_list_release(&dl);
}

Test(schema_keywords, pattern_properties_validate_matching_keys)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s =
		"{\"patternProperties\": {\"^[a-z]+$\": {\"type\": \"string\"},"
		" \"^x-\": {}}, \"additionalProperties\": false}";

	cr_assert_eq(th_check(&dl, s, "ab: s\nx-any: [1]\ncd: 5\nA B: s\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(
		th_find(&dl, E, 3, 5, "cd: '5' is not of type string"));
	cr_assert_not_null(th_find(&dl, E, 4, 1, "'A B' is not a valid key"));
	diag_list_release(&dl);
}

Test(schema_keywords, pattern_applies_to_strings_only)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"items\": {\"type\": [\"string\", \"integer\"],"
			" \"pattern\": \"^[a-z]+$\"}}";

	cr_assert_eq(th_check(&dl, s, "- abc\n- 12\n- Abc\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 3, 3, "[2]: 'Abc' does not match '^[a-z]+$'"));
	diag_list_release(&dl);
}

Test(schema_keywords, required_reports_each_missing_key_at_the_map)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"m\": {\"required\": [\"a\", "
			"\"b\", \"c\"]}}}";

	cr_assert_eq(th_check(&dl, s, "m:\n  b: 1\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(
		th_find(&dl, E, 2, 3, "m: missing required key 'a'"));
	cr_assert_not_null(
		th_find(&dl, E, 2, 3, "m: missing required key 'c'"));
	diag_list_release(&dl);
}

Test(schema_keywords, enum_lists_the_choices)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"os\": {\"enum\": [\"linux\", "
			"\"windows\"]}}}";

	cr_assert_eq(th_check(&dl, s, "os: linux\n"), 0);
	cr_assert_eq(th_check(&dl, s, "os: macos\n"), DIAG_ESCHEMA);
	cr_assert_not_null(th_find(
		&dl, E, 1, 5, "os: 'macos' must be one of: linux, windows"));
	diag_list_release(&dl);
}

Test(schema_keywords, enum_compares_numbers_by_value)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"items\": {\"enum\": [1, 2]}}";

	cr_assert_eq(th_check(&dl, s, "- 1\n- 2.0\n- \"2\"\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 3, 3, "[2]: '2' must be one of: 1, 2"));
	diag_list_release(&dl);
}

Test(schema_keywords, const_value)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"v\": {\"const\": \"x\"}}}";

	cr_assert_eq(th_check(&dl, s, "v: y\n"), DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, E, 1, 4, "v: 'y' must be 'x'"));
	diag_list_release(&dl);
}

static const char *choice_schema = "{\"properties\": {\"b\": {\"oneOf\": ["
				   " {\"type\": \"string\"},"
				   " {\"type\": \"object\", \"properties\": "
				   "{\"context\": {\"type\": \"string\"}},"
				   "  \"additionalProperties\": false}]}}}";

Test(schema_keywords, one_of_reports_the_branch_of_the_node_type)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(th_check(&dl, choice_schema, "b:\n  contxt: .\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 2, 3,
			"b: unknown key 'contxt' (did you mean 'context'?)"));
	diag_list_release(&dl);
	cr_assert_eq(th_check(&dl, choice_schema, "b: ./dir\n"), 0);
	diag_list_release(&dl);
}

Test(schema_keywords, one_of_with_no_branch_of_the_type_names_the_types)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(th_check(&dl, choice_schema, "b: [1]\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 1, 4,
			"b: must be of type string or object, not array"));
	diag_list_release(&dl);
}

Test(schema_keywords, one_of_same_type_picks_fewest_errors)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"oneOf\": ["
			" {\"type\": \"object\", \"required\": [\"a\", \"b\"]},"
			" {\"type\": \"object\", \"required\": [\"c\"]}]}";

	cr_assert_eq(th_check(&dl, s, "a: 1\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(th_find(&dl, E, 1, 1, "missing required key 'b'"));
	diag_list_release(&dl);
	cr_assert_eq(th_check(&dl, s, "c: 1\n"), 0);
	diag_list_release(&dl);
}

Test(schema_keywords, any_of_and_all_of)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s =
		"{\"items\": {\"allOf\": [{\"type\": \"integer\"},"
		" {\"anyOf\": [{\"maximum\": 5}, {\"minimum\": 100}]}]}}";

	cr_assert_eq(th_check(&dl, s, "- 3\n- 200\n- 50\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(th_find(&dl, E, 3, 3, "[2]: '50'"));
	diag_list_release(&dl);
}

Test(schema_keywords, items_tuple_form)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"items\": [{\"type\": \"string\"}, {\"type\": "
			"\"integer\"}]}";

	cr_assert_eq(th_check(&dl, s, "[a, b, 3]\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 1, 5, "[1]: 'b' is not of type integer"));
	diag_list_release(&dl);
}

Test(schema_keywords, minimum_maximum_and_exclusive)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {"
			" \"p\": {\"minimum\": 0, \"maximum\": 65535},"
			" \"q\": {\"exclusiveMinimum\": 0}}}";

	cr_assert_eq(th_check(&dl, s, "p: 65536\nq: 0\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(
		th_find(&dl, E, 1, 4,
			"p: '65536' is greater than the maximum of 65535"));
	cr_assert_not_null(
		th_find(&dl, E, 2, 4, "q: '0' is less than the minimum of 0"));
	diag_list_release(&dl);
	cr_assert_eq(th_check(&dl, s, "p: -1\n"), DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, E, 1, 4, "less than the minimum of 0"));
	diag_list_release(&dl);
}

Test(schema_keywords, min_and_max_length_count_characters)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s =
		"{\"properties\": {\"a\": {\"minLength\": 1},"
		" \"b\": {\"maxLength\": 3}, \"c\": {\"minLength\": 3}}}";

	cr_assert_eq(
		th_check(&dl, s, "a: \"\"\nb: \"\xc3\xa9t\xc3\xa9\"\nc: ab\n"),
		DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(th_find(&dl, E, 1, 4, "a: must not be empty"));
	cr_assert_not_null(
		th_find(&dl, E, 3, 4, "c: 'ab' is shorter than 3 characters"));
	diag_list_release(&dl);
}

Test(schema_keywords, min_items)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"l\": {\"minItems\": 2}}}";

	cr_assert_eq(th_check(&dl, s, "l: [a]\n"), DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 1, 4, "l: must have at least 2 items"));
	diag_list_release(&dl);
}

Test(schema_keywords, unique_items_points_at_the_repeat)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"l\": {\"uniqueItems\": true}}}";

	cr_assert_eq(
		th_check(&dl, s,
			 "l:\n  - NET_ADMIN\n  - SYS_TIME\n  - NET_ADMIN\n"),
		DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 4, 5,
			"l[2]: duplicate item 'NET_ADMIN' (also at [0])"));
	diag_list_release(&dl);
	cr_assert_eq(th_check(&dl, s, "l: [80, \"80\"]\n"), 0);
	diag_list_release(&dl);
}

Test(schema_keywords, format_ipv4_and_ipv6)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"a\": {\"format\": \"ipv4\"},"
			" \"b\": {\"format\": \"ipv6\"}, \"c\": {\"format\": "
			"\"ipv4\"}}}";

	cr_assert_eq(
		th_check(&dl, s, "a: 10.0.0.300\nb: \"fe80::1\"\nc: ${IP}\n"),
		DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 1, 4, "a: '10.0.0.300' is not a valid ipv4"));
	diag_list_release(&dl);
}

Test(schema_keywords, not_keyword)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s =
		"{\"properties\": {\"a\": {\"not\": {\"type\": \"null\"}}}}";

	cr_assert_eq(th_check(&dl, s, "a:\n"), DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, E, 1, 3, "a: is not allowed here"));
	diag_list_release(&dl);
	cr_assert_eq(th_check(&dl, s, "a: 1\n"), 0);
	cr_assert_eq(dl.nr, 0);
	diag_list_release(&dl);
}

Test(schema_keywords, ref_to_definitions_and_root)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s =
		"{\"definitions\": {\"port\": {\"type\": \"integer\", "
		"\"maximum\": 9}},"
		" \"properties\": {\"p\": {\"$ref\": \"#/definitions/port\"},"
		" \"self\": {\"$ref\": \"#\"}}}";

	cr_assert_eq(th_check(&dl, s, "p: 10\nself:\n  p: x\n  self: {p: 1}\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(th_find(&dl, E, 1, 4,
				   "p: '10' is greater than the maximum of 9"));
	cr_assert_not_null(
		th_find(&dl, E, 3, 6, "self.p: 'x' is not of type integer"));
	diag_list_release(&dl);
}

Test(schema_keywords, custom_error_replaces_branch_errors)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s =
		"{\"items\": {\"x-mixcompose-error\": \"is not a valid port\","
		" \"oneOf\": [{\"type\": \"integer\", \"maximum\": 65535},"
		" {\"type\": \"string\", \"pattern\": \"^[0-9]+$\"}]}}";

	cr_assert_eq(th_check(&dl, s, "- 80\n- 80800\n- \"8o\"\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(
		th_find(&dl, E, 2, 3, "[1]: '80800' is not a valid port"));
	cr_assert_not_null(
		th_find(&dl, E, 3, 3, "[2]: '8o' is not a valid port"));
	diag_list_release(&dl);
}

Test(schema_keywords, unsupported_and_deprecated_annotations_warn)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {"
			" \"gpus\": {\"x-mixcompose-unsupported\": true, "
			"\"type\": \"string\"},"
			" \"old\": {\"x-mixcompose-deprecated\": \"'old' is "
			"obsolete\"}}}";

	cr_assert_eq(th_check(&dl, s, "gpus: all\nold: 1\n"), 0);
	cr_assert_eq(dl.errors, 0);
	cr_assert_eq(dl.warnings, 2);
	cr_assert_not_null(th_find(
		&dl, W, 1, 1,
		"gpus: mixcompose does not act on 'gpus'; it is ignored"));
	cr_assert_not_null(th_find(&dl, W, 2, 1, "old: 'old' is obsolete"));
	diag_list_release(&dl);
}

Test(schema_keywords, unsupported_with_a_reason_says_it)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {"
			" \"mode\": {\"x-mixcompose-unsupported\": \"Swarm's; "
			"compose v2 ignores it outside Swarm\"},"
			" \"cpus\": {\"x-mixcompose-unsupported\": false}}}";

	cr_assert_eq(th_check(&dl, s, "mode: global\ncpus: 1\n"), 0);
	cr_assert_eq(dl.errors, 0);
	cr_assert_eq(dl.warnings, 1);
	cr_assert_not_null(th_find(&dl, W, 1, 1,
				   "mode: 'mode' is ignored: Swarm's; compose "
				   "v2 ignores it outside Swarm"));
	diag_list_release(&dl);
}

Test(schema_keywords, false_schema_rejects_everything)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *s = "{\"properties\": {\"never\": false, \"any\": true}}";

	cr_assert_eq(th_check(&dl, s, "any: 1\nnever: 1\n"), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(th_find(&dl, E, 2, 8, "never: is not allowed here"));
	diag_list_release(&dl);
}

Test(schema_keywords, compile_rejects_unresolved_ref)
{
	struct arena *a = arena_new();
	struct schema s;
	struct diag err = {0};
	int rc = schema_compile(&s, a,
				th_parse(a, "{\n  \"items\": {\"$ref\": "
					    "\"#/definitions/nope\"}\n}"),
				&err);

	cr_assert_eq(rc, DIAG_ESCHEMA);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 21);
	cr_assert(strstr(err.msg, "#/definitions/nope") != NULL, "%s", err.msg);
	arena_free(a);
}

Test(schema_keywords, compile_rejects_bad_pattern)
{
	struct arena *a = arena_new();
	struct schema s;
	struct diag err = {0};
	int rc = schema_compile(
		&s, a, th_parse(a, "{\"pattern\": \"^(unclosed$\"}"), &err);

	cr_assert_eq(rc, DIAG_ESCHEMA);
	cr_assert_eq(err.loc.line, 1);
	cr_assert(strstr(err.msg, "bad pattern") != NULL, "%s", err.msg);
	arena_free(a);
}

Test(schema_keywords, edit_distance_counts_a_swap_as_one)
{
	cr_assert_eq(sch_edit_distance("prots", "ports"), 1);
	cr_assert_eq(sch_edit_distance("imgae", "image"), 1);
	cr_assert_eq(sch_edit_distance("", "abc"), 3);
	cr_assert_eq(sch_edit_distance("kitten", "sitting"), 3);
	cr_assert_eq(sch_edit_distance("same", "same"), 0);
}

Test(schema_keywords, hand_built_tree_plain_and_quoted_scalars)
{
	struct arena *a = arena_new();
	struct schema s = th_compile(a, "{\"items\": {\"type\": \"integer\"}}");
	struct diag_loc loc = {"t.yaml", 3, 7};
	struct compose_node *seq = compose_node_seq(a, &loc);
	struct compose_node *plain = compose_node_scalar(a, "42", &loc);
	struct compose_node *quoted = compose_node_scalar(a, "42", &loc);
	struct diag_list dl = DIAG_LIST_INIT;

	plain->style = COMPOSE_SCALAR_PLAIN;
	compose_seq_push(a, seq, plain);
	compose_seq_push(a, seq, quoted);
	cr_assert_eq(schema_check(&s, seq, &dl), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 3, 7, "[1]: '42' is not of type integer"));
	diag_list_release(&dl);
	arena_free(a);
}
