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

static int build(struct plan **pl,
		 struct compose_project *p,
		 const struct plan_options *o,
		 struct diag *err)
{
	mu_done(p);
	return plan_build(pl, p, hosts, 2, o, err);
}

/* web (linux) and app (windows) on the default network. */
static struct compose_project *mixed(void)
{
	struct compose_project *p = mu_project("demo");

	mu_service(p, "web");
	mu_platform(p, mu_service(p, "app"), "windows");
	return p;
}

TestSuite(planner_ipam, .init = setup, .fini = teardown);

Test(planner_ipam, default_network_on_each_daemon_with_own_24)
{
	struct compose_project *p = mixed();
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->n_networks, 2);
	cr_assert_str_eq(pl->networks[0].name, "demo_default");
	cr_assert_str_eq(pl->networks[0].subnet, "172.30.0.0/24");
	cr_assert_str_eq(pl->networks[0].gateway, "172.30.0.1");
	cr_assert_str_eq(pl->networks[0].driver, "bridge");
	cr_assert_str_eq(pl->networks[1].subnet, "172.30.1.0/24");
	cr_assert_str_eq(pl->networks[1].driver, "nat");
	cr_assert_eq(pl->networks[1].daemon, 1);
	cr_assert_eq(pl->networks[0].action, PLAN_NET_CREATE);
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, network_labels_name_project_and_daemon)
{
	struct compose_project *p = mixed();
	struct plan *pl = NULL;
	struct diag err = {0};
	const struct plan_network *n;

	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	n = &pl->networks[1];
	cr_assert_eq(n->n_labels, 3);
	cr_assert_str_eq(n->labels[0].key, "com.docker.compose.network");
	cr_assert_str_eq(n->labels[0].value, "default");
	cr_assert_str_eq(n->labels[1].value, "demo");
	cr_assert_str_eq(n->labels[2].key, "io.mixcompose.daemon");
	cr_assert_str_eq(n->labels[2].value, "windows");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, pool_skips_subnets_on_any_daemon)
{
	struct compose_project *p = mixed();
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_host_net(ha, &hosts[1], "nat", "172.30.0.0/23", NULL);
	mu_host_net(ha, &hosts[0], "other", "172.30.3.0/24", "other");
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pl->networks[0].subnet, "172.30.2.0/24");
	cr_assert_str_eq(pl->networks[1].subnet, "172.30.4.0/24");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, pool_from_x_mixcompose_and_options)
{
	struct compose_project *p = mixed();
	struct plan_options o = {.address_pool = "10.9.0.0/16"};
	struct plan *pl = NULL;
	struct diag err = {0};

	p->mix.address_pool = "10.1.0.0/16";
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pl->networks[0].subnet, "10.1.0.0/24");
	plan_free(pl);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pl->networks[1].subnet, "10.9.1.0/24");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, exhausted_pool_is_an_error)
{
	struct compose_project *p = mixed();
	struct plan_options o = {.address_pool = "10.9.0.0/24"};
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(build(&pl, p, &o, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "no free /24"), "%s", err.msg);
	mu_free(p);
}

Test(planner_ipam, bad_pool_is_an_error)
{
	struct compose_project *p = mixed();
	struct plan_options o = {.address_pool = "10.9.0.0/27"};
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(build(&pl, p, &o, &err), DIAG_EPLAN);
	mu_free(p);
}

Test(planner_ipam, existing_network_keeps_its_subnet)
{
	struct compose_project *p = mixed();
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_host_net(ha, &hosts[1], "demo_default", "172.30.7.0/24", "demo");
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->networks[1].action, PLAN_NET_KEEP);
	cr_assert_str_eq(pl->networks[1].subnet, "172.30.7.0/24");
	cr_assert_str_eq(pl->networks[1].existing_id, "id-demo_default");
	cr_assert_str_eq(pl->networks[0].subnet, "172.30.0.0/24");
	cr_assert_str_eq(mu_ctr(pl, "demo-app-1")->endpoints[0].ipv4,
			 "172.30.7.2");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, user_subnet_split_across_daemons)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "back", "10.5.0.0/16");
	mu_attach(p, mu_service(p, "web"), "back", NULL, NULL);
	{
		struct compose_service *app = mu_service(p, "app");

		mu_platform(p, app, "windows");
		mu_attach(p, app, "back", NULL, NULL);
	}
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pl->networks[0].subnet, "10.5.0.0/17");
	cr_assert_str_eq(pl->networks[1].subnet, "10.5.128.0/17");
	cr_assert_str_eq(pl->networks[1].gateway, "10.5.128.1");
	cr_assert(pl->networks[1].user_subnet);
	cr_assert_str_eq(mu_ctr(pl, "demo-app-1")->endpoints[0].ipv4,
			 "10.5.128.2");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, user_subnet_on_one_daemon_used_whole_with_gateway)
{
	struct compose_project *p = mu_project("demo");
	struct compose_network *n = mu_network(p, "back", "10.5.0.0/24");
	struct plan *pl = NULL;
	struct diag err = {0};

	n->ipam[0].gateway = "10.5.0.254";
	mu_attach(p, mu_service(p, "web"), "back", NULL, NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->n_networks, 1);
	cr_assert_str_eq(pl->networks[0].subnet, "10.5.0.0/24");
	cr_assert_str_eq(pl->networks[0].gateway, "10.5.0.254");
	cr_assert_str_eq(mu_ctr(pl, "demo-web-1")->endpoints[0].ipv4,
			 "10.5.0.2");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, tiny_user_subnet_cannot_span_daemons)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *app;
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "back", "10.5.0.0/29");
	mu_attach(p, mu_service(p, "web"), "back", NULL, NULL);
	app = mu_service(p, "app");
	mu_platform(p, app, "windows");
	mu_attach(p, app, "back", NULL, NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 51);
	mu_free(p);
}

Test(planner_ipam, existing_network_with_other_user_subnet_fails)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "back", "10.5.0.0/24");
	mu_attach(p, mu_service(p, "web"), "back", NULL, NULL);
	mu_host_net(ha, &hosts[0], "demo_back", "10.6.0.0/24", "demo");
	cr_assert_eq(build(&pl, p, NULL, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "down"), "%s", err.msg);
	cr_assert_eq(err.loc.line, 51);
	mu_free(p);
}

Test(planner_ipam, addresses_from_two_upwards_in_service_order)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *b = mu_service(p, "b");
	struct plan *pl = NULL;
	struct diag err = {0};

	b->scale = 2;
	mu_service(p, "a");
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(mu_ctr(pl, "demo-a-1")->endpoints[0].ipv4,
			 "172.30.0.2");
	cr_assert_str_eq(mu_ctr(pl, "demo-b-1")->endpoints[0].ipv4,
			 "172.30.0.3");
	cr_assert_str_eq(mu_ctr(pl, "demo-b-2")->endpoints[0].ipv4,
			 "172.30.0.4");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, current_address_is_reused)
{
	struct compose_project *p = mu_project("demo");
	struct plan_host_container *c;
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "a");
	mu_service(p, "b");
	mu_host_net(ha, &hosts[0], "demo_default", "172.30.0.0/24", "demo");
	c = mu_host_ctr(ha, &hosts[0], "demo-b-1", "b", 1, "x", "running");
	mu_ctr_net(ha, c, "demo_default", "172.30.0.9");
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(mu_ctr(pl, "demo-b-1")->endpoints[0].ipv4,
			 "172.30.0.9");
	cr_assert_str_eq(mu_ctr(pl, "demo-a-1")->endpoints[0].ipv4,
			 "172.30.0.2");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, current_address_outside_subnet_is_replaced)
{
	struct compose_project *p = mu_project("demo");
	struct plan_host_container *c;
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "a");
	c = mu_host_ctr(ha, &hosts[0], "demo-a-1", "a", 1, "x", "running");
	mu_ctr_net(ha, c, "demo_default", "192.168.0.9");
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(mu_ctr(pl, "demo-a-1")->endpoints[0].ipv4,
			 "172.30.0.2");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, ipv4_address_from_file_is_honoured_first)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "back", "10.5.0.0/24");
	mu_attach(p, mu_service(p, "a"), "back", NULL, NULL);
	mu_attach(p, mu_service(p, "b"), "back", "10.5.0.2", NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(mu_ctr(pl, "demo-b-1")->endpoints[0].ipv4, "10.5.0.2");
	cr_assert(mu_ctr(pl, "demo-b-1")->endpoints[0].user_address);
	cr_assert_str_eq(mu_ctr(pl, "demo-a-1")->endpoints[0].ipv4, "10.5.0.3");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, ipv4_address_outside_subnet_fails)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "back", "10.5.0.0/24");
	mu_attach(p, mu_service(p, "a"), "back", "10.6.0.2", NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 11);
	mu_free(p);
}

Test(planner_ipam, duplicate_ipv4_address_fails)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "back", "10.5.0.0/24");
	mu_attach(p, mu_service(p, "a"), "back", "10.5.0.7", NULL);
	mu_attach(p, mu_service(p, "b"), "back", "10.5.0.7", NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 12, "the second claimant is named");
	mu_free(p);
}

Test(planner_ipam, external_network_gets_no_static_address)
{
	struct compose_project *p = mu_project("demo");
	struct compose_network *n = mu_network(p, "ext", NULL);
	struct plan *pl = NULL;
	struct diag err = {0};

	n->external = true;
	n->name = "shared";
	mu_attach(p, mu_service(p, "a"), "ext", NULL, NULL);
	mu_host_net(ha, &hosts[0], "shared", "192.168.50.0/24", NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->networks[0].action, PLAN_NET_EXTERNAL);
	cr_assert_null(mu_ctr(pl, "demo-a-1")->endpoints[0].ipv4);
	cr_assert(pl->hosts_table[0].late);
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, missing_external_network_fails_unless_offline)
{
	struct compose_project *p = mu_project("demo");
	struct compose_network *n = mu_network(p, "ext", NULL);
	struct plan_options o = {.offline = true};
	struct plan *pl = NULL;
	struct diag err = {0};

	n->external = true;
	mu_attach(p, mu_service(p, "a"), "ext", NULL, NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 51);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), 0, "%s", err.msg);
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, undeclared_network_fails)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_attach(p, mu_service(p, "a"), "nowhere", NULL, NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 11);
	mu_free(p);
}

Test(planner_ipam, split_gives_each_daemon_the_part_its_addresses_need)
{
	struct compose_project *p = mu_project("demo");
	struct compose_network *n = mu_network(p, "front", "172.31.1.0/24");
	struct compose_service *app = mu_service(p, "app");
	struct plan *pl = NULL;
	struct diag err = {0};

	n->ipam[0].gateway = "172.31.1.1";
	mu_platform(p, app, "windows");
	mu_attach(p, app, "front", "172.31.1.10", NULL);
	mu_attach(p, mu_service(p, "proxy"), "front", NULL, NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), 0, "%s", err.msg);
	/* linux is host 0 but the windows app needs the lower half. */
	cr_assert_str_eq(pl->networks[0].subnet, "172.31.1.128/25");
	cr_assert_str_eq(pl->networks[0].gateway, "172.31.1.129");
	cr_assert_str_eq(pl->networks[1].subnet, "172.31.1.0/25");
	cr_assert_str_eq(pl->networks[1].gateway, "172.31.1.1");
	cr_assert_str_eq(mu_ctr(pl, "demo-app-1")->endpoints[0].ipv4,
			 "172.31.1.10");
	cr_assert_str_eq(mu_ctr(pl, "demo-proxy-1")->endpoints[0].ipv4,
			 "172.31.1.130");
	plan_free(pl);
	mu_free(p);
}

Test(planner_ipam, split_fails_when_two_daemons_need_one_part)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *app = mu_service(p, "app");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "front", "172.31.1.0/24");
	mu_platform(p, app, "windows");
	mu_attach(p, app, "front", "172.31.1.10", NULL);
	mu_attach(p, mu_service(p, "proxy"), "front", "172.31.1.11", NULL);
	cr_assert_eq(build(&pl, p, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 51);
	cr_assert(strstr(err.msg, "split"), "%s", err.msg);
	mu_free(p);
}
