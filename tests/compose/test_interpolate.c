#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"
#include "util/arena.h"

static struct arena *ar;
static struct compose_env *env;

static void setup(void)
{
	ar = arena_new();
	env = compose_env_new(ar);
	compose_env_set(env, "SET", "value");
	compose_env_set(env, "EMPTY", "");
	compose_env_set(env, "PORT", "80");
	compose_env_set(env, "TAG", "1.25");
	compose_env_set(env, "lower_name", "low");
	compose_env_set(env, "DOLLAR", "$SET");
}

static void teardown(void)
{
	arena_free(ar);
}

TestSuite(compose_interpolate, .init = setup, .fini = teardown);

static const char *interp(const char *s)
{
	const char *out = NULL;
	struct diag err = {0};
	int rc = compose_interpolate_str(&out, ar, s, env, NULL, &err);

	cr_assert_eq(rc, 0, "'%s': %s", s, err.msg);
	return out;
}

static int interp_err(const char *s, struct diag *err)
{
	static const struct diag_loc loc = {"c.yaml", 7, 12};
	const char *out = NULL;

	return compose_interpolate_str(&out, ar, s, env, &loc, err);
}

Test(compose_interpolate, text_without_dollar_is_unchanged)
{
	const char *s = "plain text";

	cr_assert_eq(interp(s), s);
}

Test(compose_interpolate, bare_and_braced_names)
{
	cr_assert_str_eq(interp("$SET"), "value");
	cr_assert_str_eq(interp("${SET}"), "value");
	cr_assert_str_eq(interp("a-$SET-b"), "a-value-b");
	cr_assert_str_eq(interp("a${SET}b"), "avalueb");
	cr_assert_str_eq(interp("$SET.x"), "value.x");
	cr_assert_str_eq(interp("${lower_name}"), "low");
	cr_assert_str_eq(interp("nginx:${TAG}"), "nginx:1.25");
}

Test(compose_interpolate, bare_name_stops_at_non_name_char)
{
	cr_assert_str_eq(interp("$SETX"), "");
	cr_assert_str_eq(interp("$SET-x"), "value-x");
	cr_assert_str_eq(interp("$PORT/tcp"), "80/tcp");
}

Test(compose_interpolate, unset_without_default_is_empty)
{
	cr_assert_str_eq(interp("x${UNSET}y"), "xy");
	cr_assert_str_eq(interp("x$UNSET"), "x");
}

Test(compose_interpolate, double_dollar_is_literal)
{
	cr_assert_str_eq(interp("$$"), "$");
	cr_assert_str_eq(interp("$$SET"), "$SET");
	cr_assert_str_eq(interp("$${SET}"), "${SET}");
	cr_assert_str_eq(interp("a$$$SET"), "a$value");
	cr_assert_str_eq(interp("$$$$"), "$$");
}

Test(compose_interpolate, lone_dollar_stays)
{
	cr_assert_str_eq(interp("cost $5"), "cost $5");
	cr_assert_str_eq(interp("end$"), "end$");
	cr_assert_str_eq(interp("$ x"), "$ x");
	cr_assert_str_eq(interp("$-"), "$-");
}

Test(compose_interpolate, value_is_not_reinterpolated)
{
	cr_assert_str_eq(interp("${DOLLAR}"), "$SET");
}

Test(compose_interpolate, colon_dash_default_for_unset_or_empty)
{
	cr_assert_str_eq(interp("${UNSET:-dflt}"), "dflt");
	cr_assert_str_eq(interp("${EMPTY:-dflt}"), "dflt");
	cr_assert_str_eq(interp("${SET:-dflt}"), "value");
	cr_assert_str_eq(interp("${UNSET:-}"), "");
}

Test(compose_interpolate, dash_default_for_unset_only)
{
	cr_assert_str_eq(interp("${UNSET-dflt}"), "dflt");
	cr_assert_str_eq(interp("${EMPTY-dflt}"), "");
	cr_assert_str_eq(interp("${SET-dflt}"), "value");
}

Test(compose_interpolate, colon_plus_alternative)
{
	cr_assert_str_eq(interp("${SET:+alt}"), "alt");
	cr_assert_str_eq(interp("${EMPTY:+alt}"), "");
	cr_assert_str_eq(interp("${UNSET:+alt}"), "");
}

Test(compose_interpolate, plus_alternative)
{
	cr_assert_str_eq(interp("${SET+alt}"), "alt");
	cr_assert_str_eq(interp("${EMPTY+alt}"), "alt");
	cr_assert_str_eq(interp("${UNSET+alt}"), "");
}

Test(compose_interpolate, defaults_with_spaces_and_symbols)
{
	cr_assert_str_eq(interp("${UNSET:-a b:c/d}"), "a b:c/d");
	cr_assert_str_eq(interp("${UNSET:--x}"), "-x");
	cr_assert_str_eq(interp("${UNSET:-{x}"), "{x");
}

Test(compose_interpolate, nested_defaults)
{
	cr_assert_str_eq(interp("${UNSET:-${SET}}"), "value");
	cr_assert_str_eq(interp("${UNSET:-${ALSO_UNSET:-deep}}"), "deep");
	cr_assert_str_eq(interp("${UNSET:-pre-${SET}-post}"), "pre-value-post");
	cr_assert_str_eq(interp("${SET:+[${PORT}]}"), "[80]");
	cr_assert_str_eq(interp("${UNSET:-$$}"), "$");
	cr_assert_str_eq(interp("${UNSET:-$SET}x"), "valuex");
}

Test(compose_interpolate, unused_default_is_not_evaluated)
{
	cr_assert_str_eq(interp("${SET:-${UNSET:?boom}}"), "value");
}

Test(compose_interpolate, required_colon_fails_on_empty)
{
	struct diag err = {0};

	cr_assert_eq(interp_err("${EMPTY:?must be set}", &err), DIAG_EINTERP);
	cr_assert_eq(err.loc.line, 7);
	cr_assert_eq(err.loc.col, 12);
	cr_assert(strstr(err.msg, "required variable EMPTY is missing a value: "
				  "must be set"),
		  "%s", err.msg);
	cr_assert_str_eq(interp("${SET:?x}"), "value");
}

Test(compose_interpolate, required_fails_on_unset_only)
{
	struct diag err = {0};

	cr_assert_eq(interp_err("${UNSET?gone}", &err), DIAG_EINTERP);
	cr_assert(strstr(err.msg, "UNSET"));
	cr_assert_str_eq(interp("${EMPTY?x}"), "");
}

Test(compose_interpolate, required_message_is_interpolated)
{
	struct diag err = {0};

	cr_assert_eq(interp_err("${UNSET:?set it, not ${SET}}", &err),
		     DIAG_EINTERP);
	cr_assert(strstr(err.msg, "set it, not value"), "%s", err.msg);
}

Test(compose_interpolate, invalid_formats)
{
	static const char *const bad[] = {
		"${",	   "${VAR",   "${9X}",		 "${}",	     "${VAR:x}",
		"${VAR }", "a ${-x}", "${VAR:-unclosed", "${A:-${B}"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct diag err = {0};

		cr_assert_eq(interp_err(bad[i], &err), DIAG_EINTERP, "'%s'",
			     bad[i]);
		cr_assert_eq(err.loc.line, 7);
		cr_assert(strstr(err.msg, "invalid interpolation format"), "%s",
			  err.msg);
	}
}

Test(compose_interpolate, deep_nesting_is_refused)
{
	char buf[4096] = "";
	struct diag err = {0};

	for (int i = 0; i < 200; i++)
		strcat(buf, "${A:-");
	for (int i = 0; i < 200; i++)
		strcat(buf, "}");
	cr_assert_eq(interp_err(buf, &err), DIAG_EINTERP);
}

static struct compose_node *parse_ok(const char *text)
{
	struct compose_node *n = NULL;
	struct diag err = {0};

	cr_assert_eq(compose_yaml_parse(&n, ar, "c.yaml", text, strlen(text),
					NULL, &err),
		     0, "%s", err.msg);
	return n;
}

Test(compose_interpolate, tree_values_not_keys)
{
	struct compose_node *r = parse_ok("services:\n"
					  "  web:\n"
					  "    image: nginx:${TAG}\n"
					  "    ${SET}: key\n"
					  "    environment:\n"
					  "      - A=$SET\n"
					  "      - B=$$SET\n");
	struct compose_node *web;

	cr_assert_eq(compose_interpolate_tree(r, ar, env, NULL), 0);
	web = compose_map_get(compose_map_get(r, "services"), "web");
	cr_assert_str_eq(compose_map_get(web, "image")->str, "nginx:1.25");
	cr_assert_not_null(compose_map_get(web, "${SET}"));
	cr_assert_str_eq(compose_map_get(web, "environment")->items[0]->str,
			 "A=value");
	cr_assert_str_eq(compose_map_get(web, "environment")->items[1]->str,
			 "B=$SET");
	cr_assert_eq(compose_map_get(web, "environment")->items[1]->len, 6);
}

Test(compose_interpolate, tree_keeps_plain_style_for_typing)
{
	struct compose_node *r = parse_ok("a: ${PORT}\nb: \"${PORT}\"\n");

	cr_assert_eq(compose_interpolate_tree(r, ar, env, NULL), 0);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "a")),
		     COMPOSE_TYPE_INT);
	cr_assert_eq(compose_scalar_type(compose_map_get(r, "b")),
		     COMPOSE_TYPE_STRING);
	cr_assert_str_eq(compose_map_get(r, "b")->str, "80");
}

Test(compose_interpolate, tree_error_names_path_and_scalar)
{
	struct compose_node *r = parse_ok("services:\n"
					  "  web:\n"
					  "    image: ok\n"
					  "    environment:\n"
					  "      - A=1\n"
					  "      - B=${OOPS\n");
	struct diag err = {0};

	cr_assert_eq(compose_interpolate_tree(r, ar, env, &err), DIAG_EINTERP);
	cr_assert_eq(err.loc.line, 6);
	cr_assert_eq(err.loc.col, 9);
	cr_assert(strstr(err.msg, "services.web.environment[1]"), "%s",
		  err.msg);
	cr_assert(strstr(err.msg, "'B=${OOPS'"), "%s", err.msg);
}

Test(compose_interpolate, tree_required_error_points_at_scalar)
{
	struct compose_node *r =
		parse_ok("services:\n"
			 "  db:\n"
			 "    image: \"${DB_IMAGE:?set DB_IMAGE}\"\n");
	struct diag err = {0};

	cr_assert_eq(compose_interpolate_tree(r, ar, env, &err), DIAG_EINTERP);
	cr_assert_eq(err.loc.line, 3);
	cr_assert_eq(err.loc.col, 12);
	cr_assert(strstr(err.msg, "services.db.image"), "%s", err.msg);
	cr_assert(strstr(err.msg, "required variable DB_IMAGE"), "%s", err.msg);
}

Test(compose_interpolate, tree_null_root_is_fine)
{
	cr_assert_eq(compose_interpolate_tree(NULL, ar, env, NULL), 0);
}

struct warned {
	char names[8][32];
	int n;
	int line;
};

static void on_warn(void *ud, const char *name, const struct diag_loc *loc)
{
	struct warned *w = ud;

	if (w->n < 8)
		strncpy(w->names[w->n++], name, 31);
	w->line = loc ? loc->line : -1;
}

Test(compose_interpolate, warning_hook_gets_unset_names)
{
	struct compose_node *r = parse_ok("a: $SET\nb: ${MISSING}\n"
					  "c: ${OTHER:-d}\nd: $GONE\n");
	struct warned w = {0};
	struct compose_interp_opts opts = {on_warn, &w};

	cr_assert_eq(compose_interpolate_tree_ex(r, ar, env, &opts, NULL), 0);
	cr_assert_eq(w.n, 2);
	cr_assert_str_eq(w.names[0], "MISSING");
	cr_assert_str_eq(w.names[1], "GONE");
	cr_assert_eq(w.line, 4);
}

Test(compose_interpolate, alias_copies_interpolate_once)
{
	struct compose_node *r = parse_ok("a: &x $$SET\nb: *x\n"
					  "c: &m {k: $$SET}\nd: *m\n");

	cr_assert_eq(compose_interpolate_tree(r, ar, env, NULL), 0);
	cr_assert_str_eq(compose_map_get(r, "a")->str, "$SET");
	cr_assert_str_eq(compose_map_get(r, "b")->str, "$SET");
	cr_assert_str_eq(compose_map_get(compose_map_get(r, "d"), "k")->str,
			 "$SET");
}

Test(compose_interpolate, equal_scalars_change_independently)
{
	struct compose_node *r = parse_ok("a: x$PORT\nb: x$PORT\n");
	const char *before = compose_map_get(r, "b")->str;
	const char *out = NULL;

	cr_assert_eq(compose_interpolate_str(&out, ar, before, env, NULL, NULL),
		     0);
	cr_assert_str_eq(out, "x80");
	cr_assert_str_eq(compose_map_get(r, "a")->str, "x$PORT");
	cr_assert_eq(compose_interpolate_tree(compose_map_get(r, "a"), ar, env,
					      NULL),
		     0);
	cr_assert_str_eq(compose_map_get(r, "a")->str, "x80");
	cr_assert_str_eq(compose_map_get(r, "b")->str, "x$PORT");
}

/* As `docker compose config --variables` (2.26) lists them. */
Test(compose_interpolate, variables_listed_sorted_once)
{
	struct compose_node *r =
		parse_ok("services:\n"
			 "  a:\n"
			 "    image: \"${A:-x}-${B}\"\n"
			 "    environment:\n"
			 "      ${KEYVAR}: v\n"
			 "      X: $$ESC and $9 and ${LONG?msg}\n"
			 "      Y: \"${Q:+p${R}q}\"\n"
			 "      Z: \"${A-other} ${BAD:}\"\n"
			 "    labels: [\"$L1\", \"${L2:-${L3}}\"]\n");
	struct compose_variable *v;
	size_t n = compose_variables(r, ar, &v);
	const char *want[] = {"A", "B", "L1", "L2", "L3", "LONG", "Q", "R"};

	cr_assert_eq(n, 8);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(v[i].name, want[i]);
	cr_expect_str_eq(v[0].default_value, "x"); /* the first use */
	cr_expect_str_eq(v[3].default_value, "${L3}");
	cr_expect(v[5].required && !v[0].required);
	cr_expect_str_eq(v[6].alternate, "p${R}q");
	cr_expect_str_eq(v[6].default_value, "");
	free(v);
}
