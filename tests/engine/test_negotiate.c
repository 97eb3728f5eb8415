#include <criterion/criterion.h>
#include <string.h>

#include "engine/engine.h"

Test(engine_negotiate, parses_versions)
{
	int ma, mi;

	cr_assert_eq(engine_api_parse("1.41", &ma, &mi), 0);
	cr_assert_eq(ma, 1);
	cr_assert_eq(mi, 41);
	cr_assert_eq(engine_api_parse("1.x", &ma, &mi), DIAG_ESYNTAX);
	cr_assert_eq(engine_api_parse("", &ma, &mi), DIAG_ESYNTAX);
	cr_assert_eq(engine_api_parse("1.41a", &ma, &mi), DIAG_ESYNTAX);
	cr_assert_eq(engine_api_parse("141", &ma, &mi), DIAG_ESYNTAX);
}

Test(engine_negotiate, older_daemon_sets_the_version)
{
	char out[16];
	struct diag err = {0};

	cr_assert_eq(engine_api_negotiate(out, "linux", "1.41", NULL, &err), 0);
	cr_assert_str_eq(out, "1.41");
}

Test(engine_negotiate, newer_daemon_is_capped_at_our_maximum)
{
	char out[16];
	struct diag err = {0};

	cr_assert_eq(engine_api_negotiate(out, "linux", "1.52", NULL, &err), 0);
	cr_assert_str_eq(out, ENGINE_API_MAX);
}

Test(engine_negotiate, minor_compared_as_number)
{
	char out[16];
	struct diag err = {0};

	/* 1.9 < 1.40 < 1.100 as numbers, not strings. */
	cr_assert_eq(engine_api_negotiate(out, "d", "1.9", NULL, &err),
		     DIAG_EENGINE);
	cr_assert_eq(engine_api_negotiate(out, "d", "1.100", NULL, &err), 0);
	cr_assert_str_eq(out, ENGINE_API_MAX);
}

Test(engine_negotiate, too_old_daemon_names_both_versions)
{
	char out[16];
	struct diag err = {0};

	cr_assert_eq(engine_api_negotiate(out, "old", "1.30", NULL, &err),
		     DIAG_EENGINE);
	cr_assert(strstr(err.msg, "daemon 'old'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "1.30"), "%s", err.msg);
	cr_assert(strstr(err.msg, ENGINE_API_MIN), "%s", err.msg);
}

Test(engine_negotiate, forced_version_wins)
{
	char out[16];
	struct diag err = {0};

	cr_assert_eq(engine_api_negotiate(out, "d", "1.47", "1.43", &err), 0);
	cr_assert_str_eq(out, "1.43");
	cr_assert_eq(engine_api_negotiate(out, "d", "1.47", "banana", &err),
		     DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "'banana'"), "%s", err.msg);
}

Test(engine_negotiate, forced_version_at_engine_new)
{
	struct engine_config cfg = {.name = "f",
				    .url = "unix:///nonexistent",
				    .api_version = "1.44"};
	struct engine *e;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_str_eq(engine_api_version(e), "1.44");
	cr_assert(engine_api_at_least(e, 1, 41));
	cr_assert(engine_api_at_least(e, 1, 44));
	cr_assert_not(engine_api_at_least(e, 1, 45));
	engine_free(e);
}

Test(engine_negotiate, missing_daemon_version)
{
	char out[16];
	struct diag err = {0};

	cr_assert_eq(engine_api_negotiate(out, "d", "", NULL, &err),
		     DIAG_EENGINE);
	cr_assert(strstr(err.msg, "no usable API version"), "%s", err.msg);
}
