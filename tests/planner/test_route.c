#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"

static struct plan_host two_hosts[2];

static void setup_hosts(void)
{
	two_hosts[0] = mu_host("linux", "linux", "amd64");
	two_hosts[1] = mu_host("windows", "windows", "amd64");
}

static int build(struct plan **out,
		 struct compose_project *p,
		 const struct plan_host *h,
		 size_t n,
		 const struct plan_options *o,
		 struct diag *err)
{
	mu_done(p);
	return plan_build(out, p, h, n, o, err);
}

Test(planner_route, platform_picks_matching_os, .init = setup_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, mu_service(p, "api"), "windows/amd64");
	mu_platform(p, mu_service(p, "web"), "linux");
	cr_assert_eq(build(&pl, p, two_hosts, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->services[0].daemon, 1);
	cr_assert_eq(pl->services[1].daemon, 0);
	cr_assert_str_eq(pl->services[0].reason,
			 "platform: windows/amd64 -> daemon 'windows' (the "
			 "only windows/amd64 daemon)");
	cr_assert_str_eq(pl->services[0].platform, "windows/amd64");
	plan_free(pl);
	mu_free(p);
}

Test(planner_route, pin_wins_and_is_recorded, .init = setup_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *s = mu_service(p, "web");
	struct plan *pl = NULL;
	struct diag err = {0};

	s->daemon = "windows";
	cr_assert_eq(build(&pl, p, two_hosts, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->services[0].daemon, 1);
	cr_assert_str_eq(pl->services[0].reason,
			 "pinned by x-mixcompose.daemon");
	plan_free(pl);
	mu_free(p);
}

Test(planner_route, pin_to_unknown_daemon_fails_at_service, .init = setup_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *s = mu_service(p, "web");
	struct plan *pl = NULL;
	struct diag err = {0};

	s->daemon = "mars";
	cr_assert_eq(build(&pl, p, two_hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_null(pl);
	cr_assert_eq(err.loc.line, 11);
	cr_assert_eq(err.loc.col, 3);
	cr_assert(strstr(err.msg, "'mars'"));
	mu_free(p);
}

Test(planner_route, pin_conflicting_with_platform_fails, .init = setup_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *s = mu_service(p, "web");
	struct plan *pl = NULL;
	struct diag err = {0};

	s->daemon = "linux";
	mu_platform(p, s, "windows");
	cr_assert_eq(build(&pl, p, two_hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 11);
	mu_free(p);
}

Test(planner_route, no_match_names_daemons_on_offer, .init = setup_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "a");
	mu_platform(p, mu_service(p, "web"), "windows/arm64");
	cr_assert_eq(build(&pl, p, two_hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 12);
	cr_assert_str_eq(err.msg,
			 "service 'web' asks for platform windows/arm64; "
			 "daemons on offer: linux (linux/amd64), windows "
			 "(windows/amd64)");
	mu_free(p);
}

Test(planner_route, two_matching_daemons_are_ambiguous)
{
	struct plan_host h[2] = {mu_host("a", "linux", "amd64"),
				 mu_host("b", "linux", NULL)};
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, mu_service(p, "web"), "linux/amd64");
	cr_assert_eq(build(&pl, p, h, 2, NULL, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "x-mixcompose.daemon"));
	mu_free(p);
}

Test(planner_route, arch_distinguishes_daemons)
{
	struct plan_host h[2] = {mu_host("x86", "linux", "x86_64"),
				 mu_host("arm", "linux", "arm64")};
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, mu_service(p, "a"), "linux/arm64");
	mu_platform(p, mu_service(p, "b"), "linux/amd64");
	cr_assert_eq(build(&pl, p, h, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->services[0].daemon, 1);
	cr_assert_eq(pl->services[1].daemon, 0, "x86_64 is amd64");
	plan_free(pl);
	mu_free(p);
}

Test(planner_route, no_platform_one_daemon_takes_it)
{
	struct plan_host h = mu_host("only", "windows", "amd64");
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "web");
	cr_assert_eq(build(&pl, p, &h, 1, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->services[0].daemon, 0);
	cr_assert(strstr(pl->services[0].reason, "the only daemon"));
	cr_assert_null(pl->services[0].platform);
	plan_free(pl);
	mu_free(p);
}

Test(planner_route, no_platform_prefers_the_only_linux, .init = setup_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "web");
	cr_assert_eq(build(&pl, p, two_hosts, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->services[0].daemon, 0);
	cr_assert(strstr(pl->services[0].reason, "default is linux"));
	plan_free(pl);
	mu_free(p);
}

Test(planner_route, no_platform_two_linux_fails)
{
	struct plan_host h[2] = {mu_host("a", "linux", "amd64"),
				 mu_host("b", "linux", "amd64")};
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "web");
	cr_assert_eq(build(&pl, p, h, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 11);
	mu_free(p);
}

Test(planner_route,
     default_platform_applies_without_platform,
     .init = setup_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct plan_options o = {.default_platform = "windows/amd64"};
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "web");
	mu_platform(p, mu_service(p, "x"), "linux");
	cr_assert_eq(build(&pl, p, two_hosts, 2, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->services[0].daemon, 1);
	cr_assert(strstr(pl->services[0].reason, "DOCKER_DEFAULT_PLATFORM"));
	cr_assert_eq(pl->services[1].daemon, 0, "platform beats the default");
	plan_free(pl);
	mu_free(p);
}

Test(planner_route, lab_standin_routes_on_declared_os)
{
	struct plan_host h[2] = {mu_host("linux", "linux", "amd64"),
				 mu_host("windows", "windows", "amd64")};
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	h[1].lab = true;
	h[1].engine_os = "linux";
	mu_platform(p, mu_service(p, "app"), "windows");
	cr_assert_eq(build(&pl, p, h, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->services[0].daemon, 1);
	/* The stand-in runs Linux, so ExtraHosts works there. */
	cr_assert_eq(pl->networks[0].daemon, 1);
	cr_assert_str_eq(pl->networks[0].driver, "bridge");
	plan_free(pl);
	mu_free(p);
}

Test(planner_route, duplicate_daemon_names_refused)
{
	struct plan_host h[2] = {mu_host("a", "linux", "amd64"),
				 mu_host("a", "windows", "amd64")};
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "web");
	cr_assert_eq(build(&pl, p, h, 2, NULL, &err), DIAG_EPLAN);
	mu_free(p);
}

Test(planner_route, declarations_make_offline_hosts)
{
	struct compose_project *p = mu_project("demo");
	struct plan_host *h = NULL;
	size_t n = 0;

	mu_declare_daemon(p, "linux", "linux", false);
	mu_declare_daemon(p, "windows", "windows", true);
	plan_hosts_from_declarations(&h, &n, p->arena, p);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(h[1].os, "windows");
	cr_assert_str_eq(h[1].engine_os, "linux");
	cr_assert(h[1].lab && h[0].offline);
	mu_free(p);
}
