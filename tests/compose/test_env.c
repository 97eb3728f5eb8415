#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

TestSuite(compose_env, .init = setup, .fini = teardown);

Test(compose_env, unset_is_null)
{
	struct compose_env *e = compose_env_new(ar);

	cr_assert_null(compose_env_get(e, "NOPE"));
	cr_assert_eq(compose_env_count(e), 0);
	cr_assert_null(compose_env_get(NULL, "NOPE"));
}

Test(compose_env, set_copies_strings)
{
	struct compose_env *e = compose_env_new(ar);
	char name[] = "FOO", value[] = "bar";

	compose_env_set(e, name, value);
	name[0] = 'X';
	value[0] = 'X';
	cr_assert_str_eq(compose_env_get(e, "FOO"), "bar");
	cr_assert_null(compose_env_get(e, "XOO"));
}

Test(compose_env, later_set_replaces_and_keeps_position)
{
	struct compose_env *e = compose_env_new(ar);
	const char *n, *v;

	compose_env_set(e, "A", "1");
	compose_env_set(e, "B", "2");
	compose_env_set(e, "A", "3");
	cr_assert_eq(compose_env_count(e), 2);
	cr_assert_str_eq(compose_env_get(e, "A"), "3");
	compose_env_at(e, 0, &n, &v);
	cr_assert_str_eq(n, "A");
	cr_assert_str_eq(v, "3");
	compose_env_at(e, 1, &n, &v);
	cr_assert_str_eq(n, "B");
}

Test(compose_env, empty_value_is_set)
{
	struct compose_env *e = compose_env_new(ar);

	compose_env_set(e, "E", "");
	cr_assert_not_null(compose_env_get(e, "E"));
	cr_assert_str_eq(compose_env_get(e, "E"), "");
	compose_env_set(e, "N", NULL);
	cr_assert_str_eq(compose_env_get(e, "N"), "");
}

Test(compose_env, names_are_case_sensitive)
{
	struct compose_env *e = compose_env_new(ar);

	compose_env_set(e, "path", "lower");
	compose_env_set(e, "PATH", "upper");
	cr_assert_str_eq(compose_env_get(e, "path"), "lower");
	cr_assert_str_eq(compose_env_get(e, "PATH"), "upper");
}

Test(compose_env, import_splits_on_first_equals)
{
	struct compose_env *e = compose_env_new(ar);
	char *envp[] = {"A=1", "B=x=y", "C=", "=C:=C:\\dir", "NOEQ", NULL};

	compose_env_import(e, envp);
	cr_assert_eq(compose_env_count(e), 3);
	cr_assert_str_eq(compose_env_get(e, "A"), "1");
	cr_assert_str_eq(compose_env_get(e, "B"), "x=y");
	cr_assert_str_eq(compose_env_get(e, "C"), "");
	cr_assert_null(compose_env_get(e, "NOEQ"));
	compose_env_import(e, NULL);
	cr_assert_eq(compose_env_count(e), 3);
}

Test(compose_env, many_variables_stay_fast_and_ordered)
{
	struct compose_env *e = compose_env_new(ar);
	char name[32], value[32];
	clock_t t0 = clock();
	const char *n, *v;

	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "VAR_%d", i);
		snprintf(value, sizeof(value), "v%d", i);
		compose_env_set(e, name, value);
	}
	for (int i = 0; i < 100000; i += 7) {
		snprintf(name, sizeof(name), "VAR_%d", i);
		snprintf(value, sizeof(value), "v%d", i);
		cr_assert_str_eq(compose_env_get(e, name), value);
	}
	cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 1.0);
	cr_assert_eq(compose_env_count(e), 100000);
	compose_env_at(e, 99999, &n, &v);
	cr_assert_str_eq(n, "VAR_99999");
	cr_assert_str_eq(v, "v99999");
}
