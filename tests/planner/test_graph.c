#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

static struct plan_host hosts[2];

static void setup(void)
{
	hosts[0] = mu_host("linux", "linux", "amd64");
	hosts[1] = mu_host("windows", "windows", "amd64");
}

static struct plan *must_build(struct compose_project *p,
			       const struct plan_options *o)
{
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, o, &err), 0, "%s", err.msg);
	return pl;
}

static const char *order_str(const struct plan *pl, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < pl->n_order; i++) {
		strncat(buf, pl->services[pl->order[i]].name,
			len - strlen(buf) - 2);
		strncat(buf, " ", len - strlen(buf) - 1);
	}
	return buf;
}

Test(planner_graph, order_is_topological_and_by_name, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	struct compose_service *api = mu_service(p, "api");
	char buf[256];
	struct plan *pl;

	mu_service(p, "db");
	mu_service(p, "cache");
	mu_depends(p, web, "api", NULL, 20);
	mu_depends(p, api, "db", "service_healthy", 21);
	mu_depends(p, api, "cache", NULL, 22);
	pl = must_build(p, NULL);
	cr_assert_str_eq(order_str(pl, buf, sizeof(buf)), "cache db api web ");
	cr_assert_eq(pl->n_levels, 3);
	cr_assert_eq(pl->services[plan_service_index(pl, "web")].level, 2);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph, edges_carry_condition_and_loc, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *api = mu_service(p, "api");
	struct plan *pl;

	mu_service(p, "db");
	mu_depends(p, api, "db", "service_healthy", 21);
	api->depends_on[0].restart = true;
	pl = must_build(p, NULL);
	cr_assert_eq(pl->n_edges, 1);
	cr_assert_str_eq(pl->edges[0].condition, "service_healthy");
	cr_assert(pl->edges[0].restart);
	cr_assert_eq(pl->edges[0].loc.line, 21);
	cr_assert_eq(pl->edges[0].kind, PLAN_DEP_DEPENDS_ON);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph, cycle_names_path_and_closing_edge, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	struct compose_service *api = mu_service(p, "api");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_depends(p, web, "api", NULL, 20);
	mu_depends(p, api, "web", NULL, 30);
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_null(pl);
	cr_assert(strstr(err.msg, "api -> web -> api"), "%s", err.msg);
	cr_assert_eq(err.loc.line, 20);
	cr_assert_eq(err.loc.col, 7);
	mu_free(p);
}

Test(planner_graph, three_cycle_through_link, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *a = mu_service(p, "a");
	struct compose_service *b = mu_service(p, "b");
	struct compose_service *c = mu_service(p, "c");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_depends(p, a, "b", NULL, 20);
	mu_depends(p, b, "c", NULL, 21);
	mu_link(p, c, "a:alpha");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "a -> b -> c -> a"), "%s", err.msg);
	cr_assert_eq(err.loc.line, 13, "the link is declared at service c");
	mu_free(p);
}

Test(planner_graph, self_dependency_is_a_cycle, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *a = mu_service(p, "a");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_depends(p, a, "a", NULL, 40);
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "a -> a"));
	cr_assert_eq(err.loc.line, 40);
	mu_free(p);
}

Test(planner_graph, missing_required_dependency_fails, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_depends(p, mu_service(p, "web"), "ghost", NULL, 33);
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 33);
	mu_free(p);
}

Test(planner_graph, missing_optional_dependency_is_skipped, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	struct plan *pl;

	mu_depends(p, web, "ghost", NULL, 33);
	web->depends_on[0].required = false;
	pl = must_build(p, NULL);
	cr_assert_eq(pl->n_edges, 0);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph, cross_daemon_edges_are_marked, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	struct plan *pl;

	mu_platform(p, mu_service(p, "app"), "windows");
	mu_service(p, "db");
	mu_depends(p, web, "app", NULL, 20);
	mu_depends(p, web, "db", NULL, 21);
	pl = must_build(p, NULL);
	cr_assert_eq(pl->n_edges, 2);
	/* Sorted by (from, to): web->app then web->db. */
	cr_assert_str_eq(pl->services[pl->edges[0].to].name, "app");
	cr_assert(pl->edges[0].cross_daemon);
	cr_assert_not(pl->edges[1].cross_daemon);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph, network_mode_service_across_daemons_fails, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *side = mu_service(p, "side");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, mu_service(p, "app"), "windows");
	side->network_mode = "service:app";
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "network_mode"), "%s", err.msg);
	cr_assert_eq(err.loc.line, 11);
	mu_free(p);
}

Test(planner_graph, volumes_from_makes_an_edge, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *b = mu_service(p, "b");
	struct plan *pl;

	mu_service(p, "a");
	b->volumes_from.v = arena_calloc(p->arena, 2, sizeof(char *));
	b->volumes_from.v[0] = "a:ro";
	b->volumes_from.v[1] = "container:other";
	b->volumes_from.n = 2;
	pl = must_build(p, NULL);
	cr_assert_eq(pl->n_edges, 1);
	cr_assert_eq(pl->edges[0].kind, PLAN_DEP_VOLUMES_FROM);
	cr_assert_str_eq(plan_dep_kind_name(pl->edges[0].kind), "volumes_from");
	plan_free(pl);
	mu_free(p);
}

/*
 * compose v2's implied depends_on: links, network_mode: service:X and
 * volumes_from order up as depends_on does (names chosen so that the
 * alphabetical order is the wrong one).
 */
Test(planner_graph, implied_dependencies_order_up, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *a = mu_service(p, "a");
	struct compose_service *b = mu_service(p, "b");
	struct compose_service *c = mu_service(p, "c");
	char buf[256];
	struct plan *pl;

	mu_service(p, "d");
	a->links.v = arena_calloc(p->arena, 2, sizeof(char *));
	a->links.v[0] = "b:alias";
	a->links.n = 1;
	b->network_mode = "service:c";
	c->volumes_from.v = arena_calloc(p->arena, 2, sizeof(char *));
	c->volumes_from.v[0] = "d:ro";
	c->volumes_from.n = 1;
	pl = must_build(p, NULL);
	cr_assert_str_eq(order_str(pl, buf, sizeof(buf)), "d c b a ");
	cr_assert_eq(pl->n_levels, 4);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph, selection_adds_dependencies, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	const char *want[] = {"web"};
	struct plan_options o = {.services = want, .n_services = 1};
	struct plan *pl;

	mu_service(p, "db");
	mu_service(p, "other");
	mu_depends(p, web, "db", NULL, 20);
	pl = must_build(p, &o);
	cr_assert(pl->services[plan_service_index(pl, "db")].selected);
	cr_assert_not(pl->services[plan_service_index(pl, "other")].selected);
	cr_assert_eq(mu_ctr(pl, "demo-other-1")->action, PLAN_ACT_SKIP);
	cr_assert_eq(mu_ctr(pl, "demo-db-1")->action, PLAN_ACT_CREATE);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph, no_deps_selects_only_named, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	const char *want[] = {"web"};
	struct plan_options o = {
		.services = want, .n_services = 1, .no_deps = true};
	struct plan *pl;

	mu_service(p, "db");
	mu_depends(p, web, "db", NULL, 20);
	pl = must_build(p, &o);
	cr_assert_not(pl->services[plan_service_index(pl, "db")].selected);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph, unknown_selected_service_fails, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	const char *want[] = {"nope"};
	struct plan_options o = {.services = want, .n_services = 1};
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "web");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "'nope'"));
	mu_free(p);
}

Test(planner_graph, depends_on_label_in_compose_format, .init = setup)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	const struct plan_container *c;
	struct plan *pl;

	mu_service(p, "db");
	mu_service(p, "cache");
	mu_depends(p, web, "db", "service_healthy", 20);
	mu_depends(p, web, "cache", NULL, 21);
	web->depends_on[0].restart = true;
	pl = must_build(p, NULL);
	c = mu_ctr(pl, "demo-web-1");
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].key, "com.docker.compose.depends_on"))
			cr_assert_str_eq(c->labels[i].value,
					 "cache:service_started:false,"
					 "db:service_healthy:true");
	plan_free(pl);
	mu_free(p);
}
