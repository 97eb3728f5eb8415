/*
 * env_file `format: raw` (compose/dotenv_raw.c): docker run --env-file
 * rules, which the docker compose CLI registers as compose-go's "raw".
 */
#include "compose/load_int.h"
#include "load_helpers.h"
#include "util/arena.h"

static struct lt t;
static struct arena *ar;
static struct compose_env *out, *shell;

static void setup(void)
{
	lt_init(&t);
	ar = arena_new();
	out = compose_env_new(ar);
	shell = compose_env_new(ar);
	compose_env_set(shell, "BARE", "from-shell");
	compose_env_set(shell, "HOME", "/root");
}

static void teardown(void)
{
	arena_free(ar);
	lt_done(&t);
}

TestSuite(compose_dotenv_raw, .init = setup, .fini = teardown);

static int raw(const char *text, struct diag *err)
{
	return compose_dotenv_parse_raw(out, "r.env", text, strlen(text), shell,
					err);
}

static const char *get(const char *name)
{
	return compose_env_get(out, name);
}

Test(compose_dotenv_raw, values_are_taken_as_written)
{
	struct diag err = {0};

	cr_assert_eq(raw("Q=\"a b\"\nS='x'\nD=${HOME}$$x\nE=\"a\\nb\"\n"
			 "T=v  \nC=v # not a comment\nEQ=a=b\nEMPTY=\n",
			 &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(get("Q"), "\"a b\"");
	cr_assert_str_eq(get("S"), "'x'");
	cr_assert_str_eq(get("D"), "${HOME}$$x");
	cr_assert_str_eq(get("E"), "\"a\\nb\"");
	cr_assert_str_eq(get("T"), "v  ");
	cr_assert_str_eq(get("C"), "v # not a comment");
	cr_assert_str_eq(get("EQ"), "a=b");
	cr_assert_str_eq(get("EMPTY"), "");
	cr_assert_eq(compose_env_count(out), 8);
}

Test(compose_dotenv_raw, comments_blank_lines_and_leading_space_are_skipped)
{
	struct diag err = {0};

	cr_assert_eq(
		raw("\xef\xbb\xbf# c\n\n   \t\n  A=1\n\t# c2\r\nB=2\r\n", &err),
		0, "%s", err.msg);
	cr_assert_eq(compose_env_count(out), 2);
	cr_assert_str_eq(get("A"), "1");
	cr_assert_str_eq(get("B"), "2", "the CR of CRLF is not in the value");
}

Test(compose_dotenv_raw, bare_key_comes_from_lookup_or_is_left_out)
{
	struct diag err = {0};

	cr_assert_eq(raw("BARE\nNOPE\n", &err), 0, "%s", err.msg);
	cr_assert_str_eq(get("BARE"), "from-shell");
	cr_assert_null(get("NOPE"));
}

Test(compose_dotenv_raw, key_with_blank_is_an_error_at_its_line)
{
	struct diag err = {0};

	cr_assert_eq(raw("A=1\nexport B=2\n", &err), DIAG_ESYNTAX);
	cr_assert(strstr(err.msg, "variable 'export B' contains whitespaces"),
		  "%s", err.msg);
	cr_assert_str_eq(err.loc.file, "r.env");
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(err.loc.col, 1);
}

Test(compose_dotenv_raw, empty_key_is_an_error_at_its_line)
{
	struct diag err = {0};

	cr_assert_eq(raw("A=1\n\n  =x\n", &err), DIAG_ESYNTAX);
	cr_assert(strstr(err.msg, "no variable name on line '=x'"), "%s",
		  err.msg);
	cr_assert_eq(err.loc.line, 3);
}

Test(compose_dotenv_raw, invalid_utf8_is_an_error_at_its_line)
{
	struct diag err = {0};

	cr_assert_eq(raw("A=1\nB=\xc3\x28\n", &err), DIAG_ESYNTAX);
	cr_assert(strstr(err.msg, "invalid UTF-8"), "%s", err.msg);
	cr_assert_eq(err.loc.line, 2);
	cr_assert_eq(raw("A=\xed\xa0\x80\n", &err), DIAG_ESYNTAX,
		     "a surrogate is not UTF-8");
	cr_assert_eq(raw("A=\xe2\x82\xac \xf0\x9f\x90\xb3\n", &err), 0);
	cr_assert_str_eq(get("A"), "\xe2\x82\xac \xf0\x9f\x90\xb3");
}

/* ---- Through a service's env_file ------------------------------------ */

static const struct compose_service *load_fixture(void)
{
	lt_env(&t, "BARE=from-shell");
	lt_file(&t, FIXTURE("compose/env_raw/compose.yaml"));
	lt_ok(&t, NULL);
	return lt_svc(&t, "app");
}

static const char *env_of(const struct compose_service *s, const char *k)
{
	const struct compose_kv *kv =
		lt_kv(s->environment, s->n_environment, k);

	return kv ? kv->value : NULL;
}

Test(compose_dotenv_raw, env_file_raw_keeps_quotes_and_dollars)
{
	const struct compose_service *app = load_fixture();

	cr_assert_str_eq(env_of(app, "QUOTED"), "\"a b\"");
	cr_assert_str_eq(env_of(app, "SINGLE"), "'x'");
	cr_assert_str_eq(env_of(app, "DOLLAR"), "${HOME}$$x");
	cr_assert_str_eq(env_of(app, "ESC"), "\"a\\nb\"");
	cr_assert_str_eq(env_of(app, "TRAIL"), "v  ");
	cr_assert_str_eq(env_of(app, "COMMENT"), "v # not a comment");
	cr_assert_str_eq(env_of(app, "CRLF"), "w");
	cr_assert_str_eq(env_of(app, "BARE"), "from-shell");
	cr_assert_null(env_of(app, "UNSET_BARE"));
	cr_assert_str_eq(env_of(app, "EQ"), "a=b");
}

Test(compose_dotenv_raw, default_format_still_cooks_the_same_text)
{
	const struct compose_service *c;

	load_fixture();
	c = lt_svc(&t, "cooked");
	cr_assert_str_eq(env_of(c, "QUOTED"), "a b");
	cr_assert_str_eq(env_of(c, "DOLLAR"), "/home/tester");
}

Test(compose_dotenv_raw, formats_mix_and_environment_still_wins)
{
	const struct compose_service *b;

	load_fixture();
	b = lt_svc(&t, "both");
	cr_assert_str_eq(env_of(b, "QUOTED"), "\"a b\"", "raw file is later");
	cr_assert_str_eq(env_of(b, "TRAIL"), "from-environment");
}

Test(compose_dotenv_raw, unknown_format_is_an_error_at_the_format)
{
	lt_write(&t, "a.env", "A=1\n");
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n    env_file:\n"
		 "      - path: a.env\n        format: yaml\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	lt_expect(&t,
		  "services.s.env_file[0].format: 'yaml' is not a known format",
		  6, 17);
}

Test(compose_dotenv_raw, error_in_a_raw_file_names_the_file_and_line)
{
	const struct diag *d;

	lt_write(&t, "a.env", "A=1\nexport B=2\n");
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n    env_file:\n"
		 "      - path: a.env\n        format: raw\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	cr_assert_eq(t.nrc, DIAG_EMODEL, "%d", t.nrc);
	d = &t.dl.items[0].d;
	cr_assert_eq(d->code, DIAG_ESYNTAX);
	cr_assert(strstr(d->msg, "'export B' contains whitespaces"), "%s",
		  d->msg);
	cr_assert(strstr(d->loc.file, "/a.env"), "%s", d->loc.file);
	cr_assert_eq(d->loc.line, 2);
}
