#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

static struct plan_host hosts[2];
static struct arena *ha;

static void setup(void)
{
	ha = arena_new();
	hosts[0] = mu_host("linux", "linux", "amd64");
	hosts[1] = mu_host("windows", "windows", "amd64");
}

static void teardown(void)
{
	arena_free(ha);
}

TestSuite(planner_volumes, .init = setup, .fini = teardown);

Test(planner_volumes, one_volume_per_daemon_that_mounts_it)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *app = mu_service(p, "app");
	struct compose_service *web = mu_service(p, "web");
	struct compose_service *web2 = mu_service(p, "web2");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_volume(p, "data");
	mu_platform(p, app, "windows");
	mu_mount(p, app, "data", "C:\\data");
	mu_mount(p, web, "data", "/data");
	mu_mount(p, web2, "data", "/data");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(pl->n_volumes, 2);
	cr_assert_str_eq(pl->volumes[0].name, "demo_data");
	cr_assert_eq(pl->volumes[0].daemon, 0);
	cr_assert_eq(pl->volumes[1].daemon, 1);
	cr_assert_eq(pl->volumes[1].action, PLAN_NET_CREATE);
	cr_assert_str_eq(pl->volumes[1].labels[1].key,
			 "com.docker.compose.volume");
	cr_assert_str_eq(pl->volumes[1].labels[2].value, "windows");
	plan_free(pl);
	mu_free(p);
}

Test(planner_volumes, existing_volume_is_kept)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_volume(p, "data");
	mu_mount(p, mu_service(p, "web"), "data", "/data");
	mu_done(p);
	hosts[0].volumes = arena_calloc(ha, 1, sizeof(*hosts[0].volumes));
	hosts[0].volumes[0] =
		(struct plan_host_volume){"demo_data", "demo", "data"};
	hosts[0].n_volumes = 1;
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(pl->volumes[0].action, PLAN_NET_KEEP);
	plan_free(pl);
	mu_free(p);
}

Test(planner_volumes, missing_external_volume_fails_at_its_loc)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_volume(p, "data")->external = true;
	mu_mount(p, mu_service(p, "web"), "data", "/data");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 71);
	cr_assert(strstr(err.msg, "'linux'"));
	mu_free(p);
}

Test(planner_volumes, undeclared_volume_fails_at_the_mount)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_mount(p, mu_service(p, "web"), "ghost", "/data");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 40);
	cr_assert_eq(err.loc.col, 9);
	mu_free(p);
}

Test(planner_volumes, described_and_in_json)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};
	struct sbuf sb = SBUF_INIT;

	mu_volume(p, "data");
	mu_mount(p, mu_service(p, "web"), "data", "/data");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	plan_describe(&sb, pl, false);
	cr_assert(strstr(sb.buf, "  data       on linux      demo_data         "
				 "     create\n"),
		  "%s", sb.buf);
	sbuf_reset(&sb);
	plan_to_json(&sb, pl);
	cr_assert(strstr(sb.buf,
			 "\"volumes\": [\n    {\n      \"key\": \"data\",\n"
			 "      \"name\": \"demo_data\",\n"
			 "      \"daemon\": \"linux\",\n"
			 "      \"action\": \"create\"\n    }\n  ]"),
		  "%s", sb.buf);
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}
