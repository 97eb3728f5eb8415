/* depends_on required: false: soft edges and the warnings around them. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"

static struct plan_host hosts[1];

static void setup(void)
{
	hosts[0] = mu_host("linux", "linux", "amd64");
}

TestSuite(planner_optional, .init = setup);

static const struct plan_edge *
edge(const struct plan *pl, const char *from, const char *to)
{
	for (size_t k = 0; k < pl->n_edges; k++)
		if (!strcmp(pl->services[pl->edges[k].from].name, from) &&
		    !strcmp(pl->services[pl->edges[k].to].name, to))
			return &pl->edges[k];
	return NULL;
}

static bool warned(const struct plan *pl, const char *a, const char *b)
{
	for (size_t i = 0; i < pl->warnings.n; i++)
		if (strstr(pl->warnings.v[i], a) &&
		    strstr(pl->warnings.v[i], b))
			return true;
	return false;
}

Test(planner_optional, optional_edge_is_kept_soft)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web;
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "db");
	mu_service(p, "cache");
	web = mu_service(p, "web");
	mu_depends(p, web, "db", "service_healthy", 20);
	mu_depends(p, web, "cache", NULL, 21);
	web->depends_on[0].required = false;
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_not_null(edge(pl, "web", "db"));
	cr_assert_not(edge(pl, "web", "db")->required);
	cr_assert_str_eq(edge(pl, "web", "db")->condition, "service_healthy");
	cr_assert(edge(pl, "web", "cache")->required);
	/* A soft edge still orders the start. */
	cr_assert_gt(pl->services[plan_service_index(pl, "web")].level, 0);
	cr_assert_eq(pl->warnings.n, 0);
	plan_free(pl);
	mu_free(p);
}

Test(planner_optional, optional_dependency_outside_the_project_is_ignored)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web;
	struct plan *pl = NULL;
	struct diag err = {0};

	web = mu_service(p, "web");
	mu_depends(p, web, "db", NULL, 20);
	web->depends_on[0].required = false;
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(pl->n_edges, 0);
	cr_assert(warned(pl, "'web'", "'db' is not in the project"));
	plan_free(pl);
	/* Required, the same is an error at the dependency's line. */
	web->depends_on[0].required = true;
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 20);
	mu_free(p);
}

Test(planner_optional, unselected_optional_dependency_without_container_warns)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web;
	const char *sel[] = {"web"};
	struct plan_options o = {
		.services = sel, .n_services = 1, .no_deps = true};
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "db");
	mu_service(p, "queue");
	web = mu_service(p, "web");
	mu_depends(p, web, "db", NULL, 20);
	mu_depends(p, web, "queue", NULL, 21);
	web->depends_on[0].required = false;
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, &o, &err), 0, "%s", err.msg);
	cr_assert(warned(pl, "'web'", "'db' is not part of this run"));
	cr_assert_not(warned(pl, "'web'", "'queue'"), "required: no warning");
	plan_free(pl);
	/* Without --no-deps the dependency is selected: nothing to say. */
	o.no_deps = false;
	cr_assert_eq(plan_build(&pl, p, hosts, 1, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pl->warnings.n, 0);
	cr_assert(pl->services[plan_service_index(pl, "db")].selected);
	plan_free(pl);
	mu_free(p);
}
