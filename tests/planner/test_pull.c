/*
 * Pull policies on up: what gets pulled, from each service's pull_policy
 * or `up --pull`, the images each daemon has and when they were pulled.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

#define NOW 2000000000LL

static struct plan_host hosts[2];
static struct plan_host_image images[4];

static void setup(void)
{
	hosts[0] = mu_host("linux", "linux", "amd64");
	hosts[1] = mu_host("windows", "windows", "amd64");
	memset(images, 0, sizeof(images));
}

TestSuite(planner_pull, .init = setup);

/* Daemon 'linux' knows 'ref': present or not, pulled 'age' seconds ago. */
static void knows(size_t i, const char *ref, bool present, long long age)
{
	images[i] =
		(struct plan_host_image){ref, present, present ? NOW - age : 0};
	hosts[0].images = images;
	hosts[0].n_images = i + 1;
}

static struct compose_service *
svc(struct compose_project *p, const char *name, const char *policy)
{
	struct compose_service *s = mu_service(p, name);

	s->pull_policy = policy;
	return s;
}

static struct plan *build(struct compose_project *p, const char *pull)
{
	struct plan_options o = {.pull = pull, .now = NOW};
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), 0, "%s", err.msg);
	return pl;
}

static const struct plan_service *ps(const struct plan *pl, const char *name)
{
	return &pl->services[plan_service_index(pl, name)];
}

Test(planner_pull, each_policy_maps_to_a_pull_action)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl;

	svc(p, "a", NULL);
	svc(p, "b", "always");
	svc(p, "c", "never");
	svc(p, "d", "build");
	svc(p, "e", "if_not_present");
	svc(p, "f", "missing");
	svc(p, "g", NULL)->image = NULL;
	mu_done(p);
	pl = build(p, NULL);
	cr_assert_eq(ps(pl, "a")->pull, PLAN_PULL_MISSING);
	cr_assert_eq(ps(pl, "b")->pull, PLAN_PULL_ALWAYS);
	cr_assert_eq(ps(pl, "c")->pull, PLAN_PULL_NEVER);
	cr_assert_eq(ps(pl, "d")->pull, PLAN_PULL_BUILD);
	cr_assert_eq(ps(pl, "e")->pull, PLAN_PULL_MISSING);
	cr_assert_eq(ps(pl, "f")->pull, PLAN_PULL_MISSING);
	cr_assert_eq(ps(pl, "g")->pull, PLAN_PULL_NONE);
	cr_assert_str_eq(ps(pl, "b")->pull_reason, "pull_policy: always");
	plan_free(pl);
	mu_free(p);
}

Test(planner_pull, up_pull_replaces_every_policy)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl;

	svc(p, "a", "never");
	svc(p, "b", NULL);
	mu_done(p);
	pl = build(p, "always");
	cr_assert_eq(ps(pl, "a")->pull, PLAN_PULL_ALWAYS);
	cr_assert_eq(ps(pl, "b")->pull, PLAN_PULL_ALWAYS);
	cr_assert_str_eq(ps(pl, "a")->pull_reason, "--pull always");
	plan_free(pl);
	mu_free(p);
}

Test(planner_pull, bad_up_pull_is_refused)
{
	struct compose_project *p = mu_project("demo");
	struct plan_options o = {.pull = "sometimes"};
	struct plan *pl = NULL;
	struct diag err = {0};

	svc(p, "a", NULL);
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), DIAG_EPLAN);
	cr_assert_null(pl);
	cr_assert(strstr(err.msg, "--pull: 'sometimes'"), "%s", err.msg);
	mu_free(p);
}

Test(planner_pull, never_with_a_missing_image_fails_before_anything)
{
	struct compose_project *p = mu_project("demo");
	struct plan_options o = {.now = NOW};
	struct plan *pl = NULL;
	struct diag err = {0};

	svc(p, "api", "never");
	mu_done(p);
	knows(0, "img:api", false, 0);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), DIAG_EPLAN);
	cr_assert_null(pl);
	cr_assert_eq(err.loc.line, 11, "at the service");
	cr_assert_eq(err.loc.col, 3);
	cr_assert(strstr(err.msg, "service 'api'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "daemon 'linux'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "'img:api'"), "%s", err.msg);
	mu_free(p);
}

Test(planner_pull, never_is_fine_when_present_unknown_or_not_created)
{
	struct compose_project *p = mu_project("demo");
	struct plan_options o = {.now = NOW, .services = NULL};
	const char *only_b[] = {"b"};
	struct plan *pl;
	struct diag err = {0};

	svc(p, "a", "never");
	svc(p, "b", "never");
	mu_done(p);
	/* Unknown (not inspected): the engine's check job decides. */
	pl = build(p, NULL);
	cr_assert_eq(ps(pl, "a")->pull, PLAN_PULL_NEVER);
	plan_free(pl);
	knows(0, "img:b", true, 10);
	knows(1, "img:a", false, 0);
	/* 'a' is missing but not part of this run. */
	o.services = only_b;
	o.n_services = 1;
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), 0, "%s", err.msg);
	plan_free(pl);
	o.n_services = 0;
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "service 'a'"), "%s", err.msg);
	mu_free(p);
}

Test(planner_pull, refresh_windows_compare_the_last_pull)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl;

	svc(p, "fresh", "daily");
	svc(p, "stale", "daily");
	svc(p, "gone", "weekly");
	svc(p, "every", "every_1h30m");
	svc(p, "unknown", "every_1d");
	mu_done(p);
	knows(0, "img:fresh", true, 3600);
	knows(1, "img:stale", true, 25 * 3600);
	knows(2, "img:gone", false, 0);
	knows(3, "img:every", true, 2 * 3600);
	pl = build(p, NULL);
	cr_assert_eq(ps(pl, "fresh")->pull, PLAN_PULL_MISSING);
	cr_assert_str_eq(ps(pl, "fresh")->pull_reason,
			 "pull_policy: daily, last pulled 1h ago: not due");
	cr_assert_eq(ps(pl, "stale")->pull, PLAN_PULL_ALWAYS);
	cr_assert_str_eq(ps(pl, "stale")->pull_reason,
			 "pull_policy: daily, last pulled 25h ago");
	cr_assert_eq(ps(pl, "gone")->pull, PLAN_PULL_ALWAYS);
	cr_assert_eq(ps(pl, "every")->pull, PLAN_PULL_ALWAYS);
	cr_assert_eq(ps(pl, "unknown")->pull, PLAN_PULL_MISSING,
		     "no state: pull only if missing");
	plan_free(pl);
	mu_free(p);
}

Test(planner_pull, policy_values_parse_like_compose)
{
	enum plan_pull_policy k;
	long long s;

	cr_assert_eq(plan_pull_policy_parse(&k, &s, "every_1d12h"), 0);
	cr_assert_eq(k, PLAN_POLICY_REFRESH);
	cr_assert_eq(s, 36 * 3600);
	cr_assert_eq(plan_pull_policy_parse(&k, &s, "weekly"), 0);
	cr_assert_eq(s, 7 * 86400);
	cr_assert_eq(plan_pull_policy_parse(&k, &s, "every_2w"), 0);
	cr_assert_eq(s, 14 * 86400);
	cr_assert_eq(plan_pull_policy_parse(&k, &s, NULL), 0);
	cr_assert_eq(k, PLAN_POLICY_MISSING);
	cr_assert_eq(plan_pull_policy_parse(&k, &s, "every_"), -1);
	cr_assert_eq(plan_pull_policy_parse(&k, &s, "every_5x"), -1);
	cr_assert_eq(plan_pull_policy_parse(&k, &s, "every_h"), -1);
	cr_assert_eq(plan_pull_policy_parse(&k, &s, "Always"), -1);
}

Test(planner_pull, json_says_what_gets_pulled)
{
	struct compose_project *p = mu_project("demo");
	struct sbuf sb = SBUF_INIT;
	struct plan *pl;

	svc(p, "a", "always");
	mu_done(p);
	pl = build(p, NULL);
	plan_to_json(&sb, pl);
	cr_assert(strstr(sb.buf, "\"pull\": \"always\""), "%s", sb.buf);
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}
