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

/* ---- BuildKit's keys: cache_to and entitlements --------------------- */

static const char *arg(const struct engine_build_spec *sp, const char *key)
{
	for (size_t i = 0; i < sp->n_args; i++)
		if (!strcmp(sp->args[i].key, key))
			return sp->args[i].value;
	return NULL;
}

static struct engine_build_spec *spec_of(const char *svc)
{
	struct engine_build_spec *sp = NULL;
	struct diag err = {0};

	cr_assert_eq(
		apply_build_spec(&sp, a, plan, service(svc), NULL, NULL, &err),
		0, "%s: %s", svc, err.msg);
	cr_assert_null(sp->refuse, "%s: %s", svc, sp->refuse);
	return sp;
}

Test(apply_build_spec, inline_cache_and_network_host_build_with_buildkit)
{
	struct engine_build_spec *sp;
	char *q;

	plan_with(PLAN_BUILD_OPT_ALWAYS);
	/* cache_to type=inline: version=2 and BUILDKIT_INLINE_CACHE. */
	sp = spec_of("inl");
	cr_assert(sp->buildkit);
	cr_assert_null(sp->network);
	cr_assert_eq(sp->n_args, 2);
	cr_assert_str_eq(arg(sp, "A"), "1");
	cr_assert_str_eq(arg(sp, "BUILDKIT_INLINE_CACHE"), "1");
	q = engine_build_query(sp, "Dockerfile");
	cr_assert(!strncmp(q, "rm=1&version=2&", 15), "%s", q);
	cr_assert(strstr(q, "&buildargs=%7B%22A%22%3A%221%22%2C%22BUILDKIT_"
			    "INLINE_CACHE%22%3A%221%22%7D"),
		  "%s", q);
	free(q);
	/* The file's own "0" gives way; options after type= are fine. */
	sp = spec_of("inl0");
	cr_assert(sp->buildkit);
	cr_assert_eq(sp->n_args, 1);
	cr_assert_str_eq(arg(sp, "BUILDKIT_INLINE_CACHE"), "1");
	/* entitlements network.host: version=2 with networkmode host. */
	sp = spec_of("host");
	cr_assert(sp->buildkit);
	cr_assert_str_eq(sp->network, "host");
	cr_assert_null(arg(sp, "BUILDKIT_INLINE_CACHE"));
	q = engine_build_query(sp, "Dockerfile");
	cr_assert(strstr(q, "&version=2"), "%s", q);
	cr_assert(strstr(q, "&networkmode=host"), "%s", q);
	free(q);
	sp = spec_of("both");
	cr_assert(sp->buildkit);
	cr_assert_str_eq(sp->network, "host");
	cr_assert_str_eq(arg(sp, "BUILDKIT_INLINE_CACHE"), "1");
}

Test(apply_build_spec, everything_else_keeps_the_classic_builder)
{
	const char *const classic[] = {"lim", "classic"};
	struct engine_build_spec *sp;
	char *q;

	plan_with(PLAN_BUILD_OPT_ALWAYS);
	for (size_t i = 0; i < 2; i++) {
		sp = spec_of(classic[i]);
		cr_assert_not(sp->buildkit, "%s", classic[i]);
		cr_assert_null(arg(sp, "BUILDKIT_INLINE_CACHE"));
		q = engine_build_query(sp, "Dockerfile");
		cr_assert_null(strstr(q, "version="), "%s", q);
		free(q);
	}
	/* An empty cache_to and a custom network: the classic builder's. */
	cr_assert_str_eq(sp->network, "mynet");
}

/* Each BuildKit refusal: service, key path, position, words. */
static const struct {
	const char *svc, *path;
	int line, col;
	const char *why;
} bk_refused[] = {
	{"hostnet", "network", 57, 7,
	 "'bridge' contradicts entitlements network.host"},
	{"reg", "cache_to[1]", 64, 11,
	 "cache export 'registry' is not supported: the Engine's /build API, "
	 "which mixcompose builds with, exports only the inline cache"},
	{"bare", "cache_to[0]", 68, 18,
	 "cache export 'registry' is not supported"},
	{"notype", "cache_to[0]", 72, 18, "'mode=max' names no cache type"},
	{"insec", "entitlements[1]", 76, 36,
	 "'security.insecure' cannot be granted through the Engine's /build "
	 "API"},
	{"unk", "entitlements[0]", 80, 22, "'device' is not an entitlement"},
	{"custnet", "network", 84, 7,
	 "'mynet': the daemon's BuildKit, which build.cache_to needs, builds "
	 "only on the networks default, host or none"},
};

Test(apply_build_spec, what_the_build_api_cannot_do_is_refused)
{
	plan_with(PLAN_BUILD_OPT_ALWAYS);
	for (size_t i = 0; i < sizeof(bk_refused) / sizeof(bk_refused[0]);
	     i++) {
		struct engine_build_spec *sp = NULL;
		struct diag err = {0};
		char want[512];

		cr_assert_eq(apply_build_spec(&sp, a, plan,
					      service(bk_refused[i].svc), NULL,
					      NULL, &err),
			     DIAG_EPLAN, "%s", bk_refused[i].svc);
		cr_assert_null(sp);
		snprintf(want, sizeof(want), "services.%s.build.%s: %s",
			 bk_refused[i].svc, bk_refused[i].path,
			 bk_refused[i].why);
		cr_assert(strstr(err.msg, want), "%s\nwant: %s", err.msg, want);
		cr_assert_not_null(err.loc.file);
		cr_assert_eq(err.loc.line, bk_refused[i].line, "%s: line %d",
			     bk_refused[i].svc, err.loc.line);
		cr_assert_eq(err.loc.col, bk_refused[i].col, "%s: column %d",
			     bk_refused[i].svc, err.loc.col);
	}
}

Test(apply_build_spec, a_build_if_missing_leaves_a_buildkit_refusal_to_the_job)
{
	struct engine_build_spec *sp;
	struct diag err = {0};

	plan_with(PLAN_BUILD_OPT_DEFAULT);
	cr_assert_eq(apply_build_spec(&sp, a, plan, service("reg"), NULL, NULL,
				      &err),
		     0, "%s", err.msg);
	cr_assert(strstr(sp->refuse, "compose.yaml:64:11: services.reg.build."
				     "cache_to[1]: cache export 'registry'"),
		  "%s", sp->refuse);
}

Test(apply_build_spec, a_windows_daemon_has_no_buildkit)
{
	static const struct plan_host win = {.name = "winbox",
					     .os = "windows",
					     .arch = "amd64",
					     .api_major = 1,
					     .api_minor = 41};
	static const struct {
		const char *svc, *key;
		int line;
	} need[] = {{"inl", "cache_to", 38}, {"host", "entitlements", 47}};
	struct plan_options po = {.build = PLAN_BUILD_OPT_ALWAYS};
	struct engine_build_spec *sp = NULL;
	struct diag err = {0};
	char want[256];

	cr_assert_eq(plan_build(&plan, proj, &win, 1, &po, &err), 0, "%s",
		     err.msg);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(apply_build_spec(&sp, a, plan,
					      service(need[i].svc), NULL, NULL,
					      &err),
			     DIAG_EPLAN);
		snprintf(want, sizeof(want),
			 "service '%s': daemon 'winbox' (windows) has no "
			 "BuildKit: build.%s needs it",
			 need[i].svc, need[i].key);
		cr_assert_str_eq(err.msg, want);
		cr_assert_eq(err.loc.line, need[i].line);
		cr_assert_eq(err.loc.col, 7);
	}
	/* The classic builder is the Windows daemon's. */
	sp = spec_of("classic");
	cr_assert_not(sp->buildkit);
}

Test(apply_build_spec, network_host_warns_that_every_run_step_gets_it)
{
	const char *files[] = {BK};
	struct compose_options o = {.files = files, .n_files = 1};
	struct compose_project *p = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};
	int lines = 0;

	cr_assert_eq(compose_project_load(&p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(compose_project_normalize(p, &dl), 0);
	/* One per service that asks for it, at its entitlements key. */
	cr_assert_eq(dl.warnings, 4, "%zu", dl.warnings);
	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(dl.items[i].severity, DIAG_WARNING);
		lines += dl.items[i].d.loc.line;
		cr_assert_eq(dl.items[i].d.loc.col, 7);
		cr_assert(strstr(dl.items[i].d.msg,
				 ".build.entitlements: network.host reaches "
				 "BuildKit through the Engine's /build API as "
				 "networkmode host, which puts every RUN step "
				 "on the host network"),
			  "%s", dl.items[i].d.msg);
		cr_assert_null(strstr(dl.items[i].d.msg, "ignored"));
	}
	/* host, both, hostnet and insec, in whatever order. */
	cr_assert_eq(lines, 47 + 52 + 58 + 76);
	diag_list_release(&dl);
	compose_project_free(p);
}

/*
 * dockerd 20.10 (API 1.41) hands neither shmsize nor ulimits to its
 * BuildKit; from API 1.42 (Engine 23.0) it does: refused below, sent
 * from there on.
 */
Test(apply_build_spec, buildkit_limits_are_refused_below_api_1_42)
{
	static const struct plan_host v42 = {.name = "new",
					     .os = "linux",
					     .arch = "amd64",
					     .api_major = 1,
					     .api_minor = 42};
	static const struct {
		const char *svc, *key;
		int line;
	} drop[] = {{"bkulim", "ulimits", 96}, {"bkshm", "shm_size", 102}};
	struct plan_options po = {.build = PLAN_BUILD_OPT_ALWAYS};
	struct engine_build_spec *sp = NULL;
	struct diag err = {0};
	char want[256];
	char *q;

	plan_with(PLAN_BUILD_OPT_ALWAYS);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(apply_build_spec(&sp, a, plan,
					      service(drop[i].svc), NULL, NULL,
					      &err),
			     DIAG_EPLAN, "%s", drop[i].svc);
		snprintf(want, sizeof(want),
			 "services.%s.build.%s: daemon 'linux' speaks Engine "
			 "API 1.41, whose BuildKit (which build.cache_to "
			 "needs) drops it; BuildKit takes build.%s from API "
			 "1.42 (Engine 23.0) on",
			 drop[i].svc, drop[i].key, drop[i].key);
		cr_assert_str_eq(err.msg, want);
		cr_assert_eq(err.loc.line, drop[i].line);
		cr_assert_eq(err.loc.col, 7);
	}
	/* The classic builder takes them on 1.41. */
	sp = spec_of("lim");
	cr_assert_eq(sp->n_ulimits, 2);
	/* Up to the build job when the image may exist. */
	plan_free(plan);
	plan_with(PLAN_BUILD_OPT_DEFAULT);
	cr_assert_eq(apply_build_spec(&sp, a, plan, service("bkshm"), NULL,
				      NULL, &err),
		     0, "%s", err.msg);
	cr_assert(strstr(sp->refuse, "compose.yaml:102:7: services.bkshm."
				     "build.shm_size: daemon 'linux'"),
		  "%s", sp->refuse);
	/* API 1.42: sent with version=2. */
	plan_free(plan);
	cr_assert_eq(plan_build(&plan, proj, &v42, 1, &po, &err), 0, "%s",
		     err.msg);
	sp = spec_of("bkulim");
	cr_assert(sp->buildkit);
	q = engine_build_query(sp, "Dockerfile");
	cr_assert(strstr(q, "&version=2"), "%s", q);
	cr_assert(strstr(q, "&shmsize=67108864"), "%s", q);
	cr_assert(strstr(q, "&ulimits=%5B%7B%22Name%22%3A%22nofile%22"), "%s",
		  q);
	free(q);
}

/*
 * BuildKit's /build splits cachefrom at commas: buildx's CSV form goes as
 * its ref; what needs a session or credentials is refused.  The classic
 * builder gets the list as written.
 */
Test(apply_build_spec, buildkit_cache_from_sends_image_references)
{
	static const struct {
		const char *svc, *why;
		int line, col;
	} bad[] = {
		{"bkcflocal",
		 "cache_from[1]: cache import 'local' is not "
		 "supported: the daemon's BuildKit, which "
		 "build.cache_to needs, imports through the "
		 "Engine's /build API only an image's inline "
		 "cache",
		 112, 29},
		{"bkcfnoref", "cache_from[0]: 'type=registry' names no ref",
		 117, 20},
	};
	struct engine_build_spec *sp;
	char *q;

	plan_with(PLAN_BUILD_OPT_ALWAYS);
	sp = spec_of("bkcf");
	cr_assert(sp->buildkit);
	cr_assert_eq(sp->cache_from.n, 2);
	cr_assert_str_eq(sp->cache_from.v[0], "img/a:1");
	cr_assert_str_eq(sp->cache_from.v[1], "img/b:2");
	q = engine_build_query(sp, "Dockerfile");
	cr_assert(strstr(q, "&cachefrom=%5B%22img%2Fa%3A1%22%2C%22img%2Fb%3A2"
			    "%22%5D"),
		  "%s", q);
	free(q);
	for (size_t i = 0; i < 2; i++) {
		struct diag err = {0};

		sp = NULL;
		cr_assert_eq(apply_build_spec(&sp, a, plan, service(bad[i].svc),
					      NULL, NULL, &err),
			     DIAG_EPLAN, "%s", bad[i].svc);
		cr_assert(strstr(err.msg, bad[i].why), "%s", err.msg);
		cr_assert_eq(err.loc.line, bad[i].line, "%d", err.loc.line);
		cr_assert_eq(err.loc.col, bad[i].col, "%d", err.loc.col);
	}
	sp = spec_of("cfclassic");
	cr_assert_not(sp->buildkit);
	cr_assert_str_eq(sp->cache_from.v[0], "type=registry,ref=img/b:2");
}
