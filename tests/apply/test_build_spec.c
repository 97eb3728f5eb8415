/*
 * The POST /build spec of a service (apply/build_spec.c): isolation and
 * ulimits reach it, and the keys compose v2's classic builder refuses
 * (privileged, additional_contexts, ssh, secrets) are refused, naming the
 * service and the key: at once when the image is always built, else by
 * the build job if it has to build.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "apply_test.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"

#define BK TEST_FIXTURES_DIR "/apply/build_keys/compose.yaml"

static struct compose_project *proj;
static struct plan *plan;
static struct arena *a;

static const struct plan_host host = {.name = "linux",
				      .os = "linux",
				      .arch = "amd64",
				      .api_major = 1,
				      .api_minor = 41};

static void load(void)
{
	proj = apply_test_load(BK);
	a = arena_new();
}

static void unload(void)
{
	plan_free(plan);
	plan = NULL;
	compose_project_free(proj);
	proj = NULL;
	arena_free(a);
	a = NULL;
}

TestSuite(apply_build_spec, .init = load, .fini = unload);

static void plan_with(enum plan_build_opt build)
{
	struct plan_options po = {.build = build};
	struct diag err = {0};

	cr_assert_eq(plan_build(&plan, proj, &host, 1, &po, &err), 0, "%s",
		     err.msg);
}

static size_t service(const char *name)
{
	for (size_t i = 0; i < plan->n_services; i++)
		if (!strcmp(plan->services[i].name, name))
			return i;
	cr_assert_fail("no service '%s'", name);
	return 0;
}

Test(apply_build_spec, isolation_and_ulimits_reach_the_spec)
{
	struct engine_build_spec *sp = NULL;
	struct diag err = {0};
	char *q;

	plan_with(PLAN_BUILD_OPT_ALWAYS);
	/* privileged: false and an empty ssh list are not refused. */
	cr_assert_eq(apply_build_spec(&sp, a, plan, service("lim"), NULL, NULL,
				      &err),
		     0, "%s", err.msg);
	cr_assert_null(sp->refuse);
	cr_assert_str_eq(sp->isolation, "default");
	cr_assert_eq(sp->n_ulimits, 2);
	q = engine_build_query(sp, "Dockerfile");
	cr_assert(strstr(q, "&isolation=default"), "%s", q);
	/* Sorted by name; a single number is both soft and hard. */
	cr_assert(strstr(q, "&ulimits=%5B%7B%22Name%22%3A%22nofile%22%2C%22"
			    "Soft%22%3A1024%2C%22Hard%22%3A2048%7D%2C%7B%22"
			    "Name%22%3A%22nproc%22%2C%22Soft%22%3A64%2C%22"
			    "Hard%22%3A64%7D%5D"),
		  "%s", q);
	free(q);
}

/* Each refused key, its service, and compose v2's words for it. */
static const char *const refused[][3] = {
	{"priv", "privileged", "privileged mode"},
	{"ctx", "additional_contexts", "additional contexts"},
	{"ssh", "ssh", "SSH keys"},
	{"sec", "secrets", "secrets"},
};

Test(apply_build_spec, classic_builder_keys_are_refused_before_an_always_build)
{
	plan_with(PLAN_BUILD_OPT_ALWAYS);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct engine_build_spec *sp = NULL;
		struct diag err = {0};
		char want[128];

		cr_assert_eq(apply_build_spec(&sp, a, plan,
					      service(refused[i][0]), NULL,
					      NULL, &err),
			     DIAG_EPLAN, "%s", refused[i][0]);
		cr_assert_null(sp);
		snprintf(want, sizeof(want),
			 "services.%s.build.%s: ", refused[i][0],
			 refused[i][1]);
		cr_assert(strstr(err.msg, want), "%s", err.msg);
		cr_assert(strstr(err.msg, refused[i][2]), "%s", err.msg);
		/* At the key in the file. */
		cr_assert_not_null(err.loc.file);
		cr_assert_gt(err.loc.line, 15);
		cr_assert_eq(err.loc.col, 7, "%s at column %d", refused[i][1],
			     err.loc.col);
	}
}

Test(apply_build_spec, a_build_if_missing_leaves_the_refusal_to_the_job)
{
	struct engine_build_spec *sp = NULL;
	struct diag err = {0};

	plan_with(PLAN_BUILD_OPT_DEFAULT);
	cr_assert_eq(apply_build_spec(&sp, a, plan, service("ssh"), NULL, NULL,
				      &err),
		     0, "%s", err.msg);
	cr_assert_not_null(sp->refuse);
	cr_assert(strstr(sp->refuse, "compose.yaml:27:7: services.ssh.build."
				     "ssh: the classic builder"),
		  "%s", sp->refuse);
}
