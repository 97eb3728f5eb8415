#include <criterion/criterion.h>
#include <string.h>

#include "compose/compose.h"
#include "util/arena.h"

#define FIXTURE(p) TEST_FIXTURES_DIR "/" p

static struct arena *ar;
static struct compose_env *out;
static struct compose_env *shell;

static void setup(void)
{
	ar = arena_new();
	out = compose_env_new(ar);
	shell = compose_env_new(ar);
	compose_env_set(shell, "SHELL_VAR", "from-shell");
	compose_env_set(shell, "HOME", "/root");
}

static void teardown(void)
{
	arena_free(ar);
}

TestSuite(compose_dotenv, .init = setup, .fini = teardown);

static void parse_ok(const char *text)
{
	struct diag err = {0};
	int rc = compose_dotenv_parse(out, "t.env", text, strlen(text), shell,
				      &err);

	cr_assert_eq(rc, 0, "%d:%d: %s", err.loc.line, err.loc.col, err.msg);
}

static int parse_err(const char *text, struct diag *err)
{
	return compose_dotenv_parse(out, "t.env", text, strlen(text), shell,
				    err);
}

static const char *get(const char *name)
{
	return compose_env_get(out, name);
}

Test(compose_dotenv, simple_pairs_in_order)
{
	const char *n, *v;

	parse_ok("A=1\nB=two\nC=three four\n");
	cr_assert_eq(compose_env_count(out), 3);
	cr_assert_str_eq(get("A"), "1");
	cr_assert_str_eq(get("B"), "two");
	cr_assert_str_eq(get("C"), "three four");
	compose_env_at(out, 2, &n, &v);
	cr_assert_str_eq(n, "C");
}

Test(compose_dotenv, comments_and_blank_lines)
{
	parse_ok("# heading\n\n   # indented comment\nA=1\n\n\nB=2\n#C=3\n");
	cr_assert_eq(compose_env_count(out), 2);
	cr_assert_null(get("C"));
}

Test(compose_dotenv, inline_comment_needs_a_blank_before_hash)
{
	parse_ok("A=value # comment\nB=a#b\nC=x\t# tab comment\nD= # only\n");
	cr_assert_str_eq(get("A"), "value");
	cr_assert_str_eq(get("B"), "a#b");
	cr_assert_str_eq(get("C"), "x");
	cr_assert_str_eq(get("D"), "");
}

Test(compose_dotenv, whitespace_trimmed_around_unquoted)
{
	parse_ok("  A  =   spaced out   \nB=\tt\t\n");
	cr_assert_str_eq(get("A"), "spaced out");
	cr_assert_str_eq(get("B"), "t");
}

Test(compose_dotenv, export_prefix_dropped)
{
	parse_ok("export A=1\nexport\tB=2\nexport=3\n");
	cr_assert_str_eq(get("A"), "1");
	cr_assert_str_eq(get("B"), "2");
	cr_assert_str_eq(get("export"), "3");
}

Test(compose_dotenv, empty_value_is_empty_string)
{
	parse_ok("E=\nF=''\nG=\"\"\n");
	cr_assert_str_eq(get("E"), "");
	cr_assert_str_eq(get("F"), "");
	cr_assert_str_eq(get("G"), "");
	cr_assert_eq(compose_env_count(out), 3);
}

Test(compose_dotenv, bare_name_inherits_from_lookup)
{
	parse_ok("SHELL_VAR\nNOT_IN_SHELL\nX=1\n");
	cr_assert_str_eq(get("SHELL_VAR"), "from-shell");
	cr_assert_null(get("NOT_IN_SHELL"));
	cr_assert_eq(compose_env_count(out), 2);
}

Test(compose_dotenv, single_quotes_are_literal)
{
	parse_ok("A='$HOME ${HOME} \\n # not comment'\n");
	cr_assert_str_eq(get("A"), "$HOME ${HOME} \\n # not comment");
}

Test(compose_dotenv, double_quotes_take_escapes)
{
	parse_ok("A=\"a\\nb\\tc\\\\d\\\"e\"\n");
	cr_assert_str_eq(get("A"), "a\nb\tc\\d\"e");
}

Test(compose_dotenv, escaped_dollar_is_literal)
{
	parse_ok("A=\"cost \\$HOME\"\n");
	cr_assert_str_eq(get("A"), "cost $HOME");
}

Test(compose_dotenv, double_quotes_interpolate)
{
	parse_ok("A=\"home=${HOME}\"\nB=\"$HOME/x\"\n");
	cr_assert_str_eq(get("A"), "home=/root");
	cr_assert_str_eq(get("B"), "/root/x");
}

Test(compose_dotenv, unquoted_interpolates)
{
	parse_ok("A=${HOME}/data\nB=$HOME\nC=${MISSING:-fallback}\nD=$$x\n");
	cr_assert_str_eq(get("A"), "/root/data");
	cr_assert_str_eq(get("B"), "/root");
	cr_assert_str_eq(get("C"), "fallback");
	cr_assert_str_eq(get("D"), "$x");
}

Test(compose_dotenv, earlier_variables_of_same_file)
{
	parse_ok("BASE=/srv\nDATA=${BASE}/data\nLOGS=\"$DATA/logs\"\n");
	cr_assert_str_eq(get("DATA"), "/srv/data");
	cr_assert_str_eq(get("LOGS"), "/srv/data/logs");
}

Test(compose_dotenv, shell_wins_over_file_in_values)
{
	parse_ok("HOME=/elsewhere\nX=$HOME\n");
	cr_assert_str_eq(get("HOME"), "/elsewhere");
	cr_assert_str_eq(get("X"), "/root");
}

Test(compose_dotenv, multiline_double_quoted)
{
	parse_ok("CERT=\"line1\nline2\n  line3\"\nNEXT=1\n");
	cr_assert_str_eq(get("CERT"), "line1\nline2\n  line3");
	cr_assert_str_eq(get("NEXT"), "1");
}

Test(compose_dotenv, multiline_single_quoted_then_error_line_counts)
{
	struct diag err = {0};

	cr_assert_eq(parse_err("A='x\ny\nz'\nB=1\nC D=2\n", &err),
		     DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 5);
	cr_assert_eq(err.loc.col, 3);
	cr_assert_str_eq(get("A"), "x\ny\nz");
}

Test(compose_dotenv, comment_after_quoted_value)
{
	parse_ok("A=\"x y\" # note\nB='z'   \n");
	cr_assert_str_eq(get("A"), "x y");
	cr_assert_str_eq(get("B"), "z");
}

Test(compose_dotenv, junk_after_quoted_value_is_error)
{
	struct diag err = {0};

	cr_assert_eq(parse_err("A=1\nB=\"x\"y\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 6);
}

Test(compose_dotenv, unterminated_quote_points_at_opening)
{
	struct diag err = {0};

	cr_assert_eq(parse_err("OK=1\nBAD=\"never closed\nMORE=2\n", &err),
		     DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 5);
	cr_assert_str_eq(err.loc.file, "t.env");
	cr_assert(strstr(err.msg, "unterminated"), "%s", err.msg);
}

Test(compose_dotenv, invalid_variable_name)
{
	struct diag err = {0};

	cr_assert_eq(parse_err("A=1\n  B@D=2\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 4);
	cr_assert(strstr(err.msg, "'@'"), "%s", err.msg);
}

Test(compose_dotenv, line_starting_with_equals_is_error)
{
	struct diag err = {0};

	cr_assert_eq(parse_err("=value\n", &err), DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 1);
	cr_assert_eq(err.loc.col, 1);
}

Test(compose_dotenv, interpolation_error_has_position)
{
	struct diag err = {0};

	cr_assert_eq(parse_err("A=1\nB=${NOPE:?must be set}\n", &err),
		     DIAG_EINTERP);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 3);
	cr_assert(strstr(err.msg, "NOPE"));
}

Test(compose_dotenv, crlf_line_endings)
{
	parse_ok("A=1\r\nB=\"two\"\r\n# c\r\nC=three \r\n");
	cr_assert_str_eq(get("A"), "1");
	cr_assert_str_eq(get("B"), "two");
	cr_assert_str_eq(get("C"), "three");
}

Test(compose_dotenv, bom_and_no_trailing_newline)
{
	parse_ok("\xef\xbb\xbf"
		 "A=1\nB=last");
	cr_assert_str_eq(get("A"), "1");
	cr_assert_str_eq(get("B"), "last");
}

Test(compose_dotenv, later_definition_replaces_earlier)
{
	parse_ok("A=1\nA=2\n");
	cr_assert_str_eq(get("A"), "2");
	cr_assert_eq(compose_env_count(out), 1);
}

Test(compose_dotenv, load_fixture_file)
{
	struct diag err = {0};

	cr_assert_eq(compose_dotenv_load(out,
					 FIXTURE("compose/dotenv_full.env"),
					 shell, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(get("IMAGE"), "nginx:1.25");
	cr_assert_str_eq(get("GREETING"), "hello world");
	cr_assert_str_eq(get("MULTI"), "first\nsecond");
	cr_assert_str_eq(get("LITERAL"), "${IMAGE}");
	cr_assert_str_eq(get("DERIVED"), "nginx:1.25-derived");
	cr_assert_str_eq(get("INHERITED"), "/root");
	cr_assert_str_eq(get("URL"), "http://x/?a=1&b=2#frag");
}

Test(compose_dotenv, load_fixture_error_carries_path)
{
	struct diag err = {0};

	cr_assert_eq(compose_dotenv_load(out, FIXTURE("compose/dotenv_bad.env"),
					 shell, &err),
		     DIAG_ESYNTAX);
	cr_assert(strstr(err.loc.file, "dotenv_bad.env"));
	cr_assert_eq(err.loc.line, 3);
	cr_assert_eq(err.loc.col, 6);
}

Test(compose_dotenv, missing_file_is_eio)
{
	struct diag err = {0};

	cr_assert_eq(compose_dotenv_load(out, "/nonexistent/.env", shell, &err),
		     DIAG_EIO);
	cr_assert(strstr(err.msg, "/nonexistent/.env"));
}

Test(compose_dotenv, yaml_style_colon_lines_as_compose_go)
{
	parse_ok("E: yaml style\nI :  'sq' # c\nJ:x\nK=a:b\n");
	cr_assert_str_eq(get("E"), "yaml style");
	cr_assert_str_eq(get("I"), "sq");
	cr_assert_str_eq(get("J"), "x");
	cr_assert_str_eq(get("K"), "a:b");
}
