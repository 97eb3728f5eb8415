/* The planner on a model from the real loader (compose/), not by hand. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

#define FIXTURE(p) (TEST_FIXTURES_DIR "/" p)

static struct compose_project *load(const char *file)
{
	static char *env[] = {"PATH=/usr/bin:/bin", NULL};
	const char *files[] = {file};
	struct compose_options o = {0};
	struct compose_project *p = NULL;
	struct diag err = {0};
	struct diag_list dl = DIAG_LIST_INIT;

	o.files = files;
	o.n_files = 1;
	o.environ_ = env;
	o.cwd = "/";
	cr_assert_eq(compose_project_load(&p, &o, &err), 0, "%s", err.msg);
	int rc = compose_project_normalize(p, &dl);
	char msg[DIAG_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s", dl.nr ? dl.items[0].d.msg : "");
	diag_list_release(&dl);
	cr_assert_eq(rc, 0, "%s", msg);
	return p;
}

Test(planner_loaded, mixed_sample_plans_across_lab_daemons)
{
	struct compose_project *p = load(FIXTURE("planner/mixed/compose.yaml"));
	struct arena *a = arena_new();
	struct plan_host *h = NULL;
	size_t n = 0;
	struct plan_options o = {.offline = true};
	struct plan *pl = NULL;
	struct diag err = {0};
	const struct plan_container *nginx;

	plan_hosts_from_declarations(&h, &n, a, p);
	cr_assert_eq(n, 2);
	cr_assert_eq(plan_build(&pl, p, h, n, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pl->project_name, "shop");
	cr_assert_eq(pl->services[plan_service_index(pl, "app")].daemon, 1);
	cr_assert_eq(pl->services[plan_service_index(pl, "nginx")].daemon, 0);
	cr_assert_str_eq(pl->networks[0].subnet, "10.77.0.0/24");
	cr_assert_str_eq(pl->networks[1].subnet, "10.77.1.0/24");
	nginx = mu_ctr(pl, "shop-nginx-1");
	cr_assert_not_null(nginx);
	cr_assert_str_eq(mu_entry(nginx, "backend"), "10.77.1.2");
	cr_assert_eq(nginx->hosts_mech, PLAN_HOSTS_EXTRA_HOSTS);
	/* The stand-in runs Linux: ExtraHosts works there too. */
	cr_assert_eq(mu_ctr(pl, "shop-app-1")->hosts_mech,
		     PLAN_HOSTS_EXTRA_HOSTS);
	cr_assert_str_eq(pl->services[pl->order[0]].name, "db");
	plan_free(pl);
	arena_free(a);
	compose_project_free(p);
}

Test(planner_loaded, hash_is_stable_across_loads)
{
	struct compose_project *p1 =
		load(FIXTURE("planner/mixed/compose.yaml"));
	struct compose_project *p2 =
		load(FIXTURE("planner/mixed/compose.yaml"));
	struct arena *a = arena_new();
	struct plan_host *h = NULL;
	size_t n = 0;
	struct plan_options o = {.offline = true};
	struct plan *x = NULL, *y = NULL;
	struct diag err = {0};

	plan_hosts_from_declarations(&h, &n, a, p1);
	cr_assert_eq(plan_build(&x, p1, h, n, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(plan_build(&y, p2, h, n, &o, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < x->n_containers; i++)
		cr_assert_str_eq(x->containers[i].config_hash,
				 y->containers[i].config_hash);
	plan_free(x);
	plan_free(y);
	arena_free(a);
	compose_project_free(p1);
	compose_project_free(p2);
}

/*
 * Every sample plans offline, and every service finds each service it
 * depends on in its host entries, on whatever daemon each one runs.
 */
static void sample_plans(const char *file)
{
	struct compose_project *p = load(file);
	struct arena *a = arena_new();
	struct plan_host *h = NULL;
	size_t n = 0;
	struct plan_options o = {.offline = true};
	struct plan *pl = NULL;
	struct diag err = {0};

	plan_hosts_from_declarations(&h, &n, a, p);
	cr_assert_eq(plan_build(&pl, p, h, n, &o, &err), 0, "%s: %s", file,
		     err.msg);
	for (size_t k = 0; k < pl->n_edges; k++) {
		const struct plan_edge *e = &pl->edges[k];
		const struct plan_service *f = &pl->services[e->from];
		const struct plan_container *c =
			&pl->containers[f->first_container];

		cr_assert_not_null(mu_entry(c, pl->services[e->to].name),
				   "%s: %s cannot resolve %s", file, f->name,
				   pl->services[e->to].name);
	}
	plan_free(pl);
	arena_free(a);
	compose_project_free(p);
}

Test(planner_loaded, samples_plan_and_resolve_their_dependencies)
{
	sample_plans(SOURCE_DIR "/samples/lab/compose.yaml");
	sample_plans(SOURCE_DIR "/samples/mixed/compose.yaml");
}

/* Plans a fixture on the declared daemons, or one linux daemon. */
static struct plan *plan_file(struct compose_project **p, const char *file)
{
	static struct plan_host linux_host = {.name = "linux",
					      .os = "linux",
					      .arch = "amd64",
					      .api_major = 1,
					      .api_minor = 41};
	struct plan_options o = {.offline = true};
	struct plan *pl = NULL;
	struct diag err = {0};

	*p = load(file);
	cr_assert_eq(plan_build(&pl, *p, &linux_host, 1, &o, &err), 0, "%s",
		     err.msg);
	return pl;
}

/*
 * extra_hosts as a map of lists reaches the planner as one entry per
 * address: a name the user maps stays out of the planned entries, and
 * every address is in the config hash.
 */
Test(planner_loaded, extra_hosts_lists_reach_the_plan_and_the_hash)
{
	struct compose_project *p1, *p2;
	struct plan *x =
		plan_file(&p1, FIXTURE("compose/extra_hosts/compose.yaml"));
	struct plan *y =
		plan_file(&p2, FIXTURE("compose/extra_hosts/changed.yaml"));
	const struct plan_container *app = mu_ctr(x, "extra_hosts-app-1");
	const struct plan_container *db = mu_ctr(x, "extra_hosts-db-1");

	cr_assert_not_null(app);
	cr_assert_not_null(db);
	cr_assert_null(mu_entry(app, "db"), "the user maps 'db' for app");
	cr_assert_not_null(mu_entry(db, "app"));
	cr_assert_str_neq(app->config_hash,
			  mu_ctr(y, "extra_hosts-app-1")->config_hash,
			  "the second address of myhost is in the hash");
	cr_assert_str_eq(db->config_hash,
			 mu_ctr(y, "extra_hosts-db-1")->config_hash);
	plan_free(x);
	plan_free(y);
	compose_project_free(p1);
	compose_project_free(p2);
}
