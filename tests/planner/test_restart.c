/* depends_on restart: true: dependents of a recreated service restart. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

static struct plan_host hosts[1];
static struct arena *ha;

static void setup(void)
{
	ha = arena_new();
	hosts[0] = mu_host("linux", "linux", "amd64");
}

static void teardown(void)
{
	arena_free(ha);
}

TestSuite(planner_restart, .init = setup, .fini = teardown);

static struct plan *build(struct compose_project *p)
{
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), 0, "%s",
		     err.msg);
	return pl;
}

/* The daemon as if 'pl' had been applied and left running. */
static void apply(const struct plan *pl)
{
	for (size_t i = 0; i < pl->n_networks; i++)
		mu_host_net(ha, &hosts[0],
			    arena_strdup(ha, pl->networks[i].name),
			    arena_strdup(ha, pl->networks[i].subnet), "demo");
	for (size_t i = 0; i < pl->n_containers; i++) {
		const struct plan_container *c = &pl->containers[i];
		struct plan_host_container *x = mu_host_ctr(
			ha, &hosts[0], arena_strdup(ha, c->name),
			arena_strdup(ha, c->service_name), c->number,
			arena_strdup(ha, c->config_hash), "running");

		x->label_project = "demo";
		for (size_t k = 0; k < c->n_endpoints; k++)
			mu_ctr_net(ha, x,
				   arena_strdup(
					   ha,
					   pl->networks[c->endpoints[k].network]
						   .name),
				   arena_strdup(ha, c->endpoints[k].ipv4));
	}
}

Test(planner_restart, dependents_with_restart_true_restart)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web, *api;
	struct plan *pl;

	mu_service(p, "db");
	web = mu_service(p, "web");
	api = mu_service(p, "api");
	mu_depends(p, web, "db", NULL, 20);
	mu_depends(p, api, "db", NULL, 21);
	web->depends_on[0].restart = true;
	mu_done(p);
	pl = build(p);
	apply(pl);
	plan_free(pl);
	pl = build(p);
	cr_assert_eq(mu_ctr(pl, "demo-web-1")->action, PLAN_ACT_KEEP,
		     "nothing changed: nothing restarts");
	plan_free(pl);
	/* mu_done sorted the services: look db up again. */
	mu_env(p, (struct compose_service *)compose_service_find(p, "db"),
	       "NEW", "1");
	pl = build(p);
	cr_assert_eq(mu_ctr(pl, "demo-db-1")->action, PLAN_ACT_RECREATE);
	cr_assert_eq(mu_ctr(pl, "demo-web-1")->action, PLAN_ACT_RESTART);
	cr_assert(strstr(mu_ctr(pl, "demo-web-1")->reason, "'db' is recreated"),
		  "%s", mu_ctr(pl, "demo-web-1")->reason);
	cr_assert_eq(mu_ctr(pl, "demo-api-1")->action, PLAN_ACT_KEEP,
		     "restart: false keeps running");
	cr_assert_str_eq(plan_action_name(PLAN_ACT_RESTART), "restart");
	plan_free(pl);
	mu_free(p);
}
