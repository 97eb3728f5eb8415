#include <criterion/criterion.h>
#include <string.h>

#include "compose/compose.h"
#include "util/arena.h"

static struct arena *ar;

static void setup(void)
{
	ar = arena_new();
}

static void teardown(void)
{
	arena_free(ar);
}

TestSuite(compose_strutil, .init = setup, .fini = teardown);

static struct compose_strv split(const char *s)
{
	struct compose_strv v = {0};
	struct diag err = {0};

	cr_assert_eq(compose_shell_split(&v, ar, s, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_not_null(v.v);
	cr_assert_null(v.v[v.n]);
	return v;
}

Test(compose_strutil, split_on_whitespace)
{
	struct compose_strv v = split("  echo   hello\tworld\n ");

	cr_assert_eq(v.n, 3);
	cr_assert_str_eq(v.v[0], "echo");
	cr_assert_str_eq(v.v[1], "hello");
	cr_assert_str_eq(v.v[2], "world");
}

Test(compose_strutil, split_empty_gives_no_words)
{
	struct compose_strv v = split("   ");

	cr_assert_eq(v.n, 0);
}

Test(compose_strutil, split_single_quotes_literal)
{
	struct compose_strv v = split("sh -c 'echo \"$HOME\" \\n'");

	cr_assert_eq(v.n, 3);
	cr_assert_str_eq(v.v[2], "echo \"$HOME\" \\n");
}

Test(compose_strutil, split_double_quotes_escapes)
{
	struct compose_strv v = split("\"a \\\"b\\\" \\\\ \\$x \\`y\\` \\n\"");

	cr_assert_eq(v.n, 1);
	cr_assert_str_eq(v.v[0], "a \"b\" \\ $x `y` \\n");
}

Test(compose_strutil, split_adjacent_quotes_join)
{
	struct compose_strv v = split("a'b c'\"d e\"f ''");

	cr_assert_eq(v.n, 2);
	cr_assert_str_eq(v.v[0], "ab cd ef");
	cr_assert_str_eq(v.v[1], "");
}

Test(compose_strutil, split_backslash_outside_quotes)
{
	struct compose_strv v = split("a\\ b c\\\\d e\\\nf");

	cr_assert_eq(v.n, 3);
	cr_assert_str_eq(v.v[0], "a b");
	cr_assert_str_eq(v.v[1], "c\\d");
	cr_assert_str_eq(v.v[2], "ef");
}

Test(compose_strutil, split_windows_paths_in_quotes)
{
	struct compose_strv v = split("cmd /c \"C:\\app\\run.bat\" 'C:\\x'");

	cr_assert_eq(v.n, 4);
	cr_assert_str_eq(v.v[2], "C:\\app\\run.bat");
	cr_assert_str_eq(v.v[3], "C:\\x");
}

Test(compose_strutil, split_unterminated_quote_is_error)
{
	static const struct diag_loc loc = {"c.yaml", 9, 14};
	struct compose_strv v = {0};
	struct diag err = {0};

	cr_assert_eq(compose_shell_split(&v, ar, "echo 'oops", &loc, &err),
		     DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 9);
	cr_assert_eq(err.loc.col, 14);
	cr_assert_eq(compose_shell_split(&v, ar, "echo \"oops\\\"", &loc, &err),
		     DIAG_ESYNTAX);
}

static long long dur(const char *s)
{
	long long ns = -42;

	cr_assert_eq(compose_duration_parse(&ns, s), 0, "'%s'", s);
	return ns;
}

Test(compose_strutil, duration_units)
{
	cr_assert_eq(dur("3ns"), 3);
	cr_assert_eq(dur("10us"), 10000);
	cr_assert_eq(dur("10\xc2\xb5s"), 10000);
	cr_assert_eq(dur("10\xce\xbcs"), 10000);
	cr_assert_eq(dur("500ms"), 500000000LL);
	cr_assert_eq(dur("30s"), 30000000000LL);
	cr_assert_eq(dur("2m"), 120000000000LL);
	cr_assert_eq(dur("1h"), 3600000000000LL);
}

Test(compose_strutil, duration_compound_and_fractions)
{
	cr_assert_eq(dur("1m30s"), 90000000000LL);
	cr_assert_eq(dur("1.5h"), 5400000000000LL);
	cr_assert_eq(dur("1h2m3.5s"), 3723500000000LL);
	cr_assert_eq(dur(".5s"), 500000000LL);
	cr_assert_eq(dur("1.s"), 1000000000LL);
	cr_assert_eq(dur("0.000000001s"), 1);
}

Test(compose_strutil, duration_zero_and_sign)
{
	cr_assert_eq(dur("0"), 0);
	cr_assert_eq(dur("-0"), 0);
	cr_assert_eq(dur("+5s"), 5000000000LL);
	cr_assert_eq(dur("-1m"), -60000000000LL);
	cr_assert_eq(dur("0s"), 0);
}

Test(compose_strutil, duration_errors)
{
	static const char *const bad[] = {
		"",	   "5",	    "s", "1x",	"1h30",
		".s",	   "1..5s", "-", "1 s", "9999999999999h",
		"3000000h"};
	long long ns = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(compose_duration_parse(&ns, bad[i]), -1, "'%s'",
			     bad[i]);
	cr_assert_eq(compose_duration_parse(&ns, NULL), -1);
	cr_assert_eq(ns, 7);
}

Test(compose_strutil, duration_largest)
{
	cr_assert_eq(dur("2562047h"), 2562047LL * 3600000000000LL);
}

Test(compose_strutil, project_name_lowercased_and_filtered)
{
	cr_assert_str_eq(compose_project_name_normalize(ar, "MyApp"), "myapp");
	cr_assert_str_eq(compose_project_name_normalize(ar, "my app.v2!"),
			 "myappv2");
	cr_assert_str_eq(compose_project_name_normalize(ar, "web_1-x"),
			 "web_1-x");
}

Test(compose_strutil, project_name_strips_leading_separators)
{
	cr_assert_str_eq(compose_project_name_normalize(ar, "__-_app"), "app");
	cr_assert_str_eq(compose_project_name_normalize(ar, ".-9lives"),
			 "9lives");
}

Test(compose_strutil, project_name_empty_is_null)
{
	cr_assert_null(compose_project_name_normalize(ar, ""));
	cr_assert_null(compose_project_name_normalize(ar, "__--"));
	cr_assert_null(compose_project_name_normalize(ar, "!!!"));
	cr_assert_null(compose_project_name_normalize(ar, NULL));
	/* Non-ASCII letters are dropped, not transliterated. */
	cr_assert_str_eq(
		compose_project_name_normalize(ar, "\xc3\xa9t\xc3\xa9"), "t");
}
