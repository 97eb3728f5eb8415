/* Builds in the plan: when, where, shown how, and a changed image. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

/* A project "proj": "app" built for windows (no image), "db" pulled. */
static struct compose_project *model(void)
{
	struct compose_project *p = mu_project("proj");
	struct compose_service *app = mu_service(p, "app");
	struct compose_build *b = arena_calloc(p->arena, 1, sizeof(*b));

	mu_platform(p, mu_service(p, "db"), "linux");
	mu_platform(p, app, "windows");
	b->context = "/src/app";
	b->dockerfile = "Dockerfile";
	b->image = "proj-app";
	b->shm_size = -1;
	app->build = b;
	app->image = NULL;
	mu_done(p);
	return p;
}

static struct plan *plan_of(struct compose_project *p,
			    struct plan_host *h,
			    const struct plan_options *o)
{
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build(&pl, p, h, 2, o, &err), 0, "%s", err.msg);
	return pl;
}

Test(planner_build, when_follows_flags_and_pull_policy)
{
	struct compose_service s = {0};
	struct compose_build b = {0};

	cr_assert_eq(plan_service_build_when(&s, NULL, PLAN_BUILD_OPT_ALWAYS),
		     PLAN_BUILD_NONE);
	s.build = &b;
	cr_assert_eq(plan_service_build_when(&s, NULL, PLAN_BUILD_OPT_DEFAULT),
		     PLAN_BUILD_MISSING);
	cr_assert_eq(plan_service_build_when(&s, NULL, PLAN_BUILD_OPT_ALWAYS),
		     PLAN_BUILD_ALWAYS);
	cr_assert_eq(plan_service_build_when(&s, NULL, PLAN_BUILD_OPT_NEVER),
		     PLAN_BUILD_NONE);
	cr_assert_eq(
		plan_service_build_when(&s, "build", PLAN_BUILD_OPT_DEFAULT),
		PLAN_BUILD_ALWAYS);
	cr_assert_eq(plan_service_build_when(&s, "build", PLAN_BUILD_OPT_NEVER),
		     PLAN_BUILD_NONE);
	cr_assert_eq(
		plan_service_build_when(&s, "missing", PLAN_BUILD_OPT_DEFAULT),
		PLAN_BUILD_MISSING);
	cr_assert_eq(
		plan_service_build_when(&s, "always", PLAN_BUILD_OPT_DEFAULT),
		PLAN_BUILD_MISSING);
}

Test(planner_build, built_on_the_service_daemon_and_shown)
{
	struct compose_project *p = model();
	struct plan_host h[2] = {mu_host("linux", "linux", "amd64"),
				 mu_host("windows", "windows", "amd64")};
	struct plan *pl = plan_of(p, h, NULL);
	const struct plan_service *app =
		&pl->services[plan_service_index(pl, "app")];
	const struct plan_service *db =
		&pl->services[plan_service_index(pl, "db")];
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(app->daemon, 1);
	cr_assert_str_eq(app->image, "proj-app");
	cr_assert_eq(app->build, PLAN_BUILD_MISSING);
	cr_assert_str_eq(db->image, "img:db");
	cr_assert_eq(db->build, PLAN_BUILD_NONE);
	plan_describe(&out, pl, false);
	cr_assert(strstr(out.buf, "build     proj-app               on windows"
				  "    if missing, from /src/app"),
		  "%s", out.buf);
	sbuf_reset(&out);
	plan_to_json(&out, pl);
	cr_assert(strstr(out.buf, "\"image\": \"proj-app\""), "%s", out.buf);
	cr_assert(strstr(out.buf, "\"build\": \"if missing\""), "%s", out.buf);
	sbuf_reset(&out);
	plan_graph_mermaid(&out, pl);
	cr_assert(strstr(out.buf, "[\"app (build)\"]"), "%s", out.buf);
	cr_assert(strstr(out.buf, "[\"db\"]"), "%s", out.buf);
	sbuf_release(&out);
	plan_free(pl);
	mu_free(p);
}

Test(planner_build, up_pull_build_replaces_the_policy)
{
	struct compose_project *p = model();
	struct plan_host h[2] = {mu_host("linux", "linux", "amd64"),
				 mu_host("windows", "windows", "amd64")};
	struct plan_options o = {.pull = "build"};
	struct plan *pl = plan_of(p, h, &o);

	cr_assert_eq(pl->services[plan_service_index(pl, "app")].build,
		     PLAN_BUILD_ALWAYS);
	plan_free(pl);
	mu_free(p);
}

Test(planner_build, a_changed_image_recreates_the_container)
{
	struct compose_project *p = model();
	struct arena *a = arena_new();
	struct plan_host h[2] = {mu_host("linux", "linux", "amd64"),
				 mu_host("windows", "windows", "amd64")};
	const char *ids[2] = {0};
	struct plan_options o = {.image_ids = ids};
	struct plan *pl = plan_of(p, h, NULL);
	const char *hash = mu_ctr(pl, "proj-app-1")->config_hash;
	struct plan_host_container *c;
	size_t ai = plan_service_index(pl, "app");

	c = mu_host_ctr(a, &h[1], "proj-app-1", "app", 1, arena_strdup(a, hash),
			"running");
	c->image_digest = "sha256:1111";
	plan_free(pl);
	/* Ids unknown (plan): nothing to compare, the container is kept. */
	pl = plan_of(p, h, NULL);
	cr_assert_eq(mu_ctr(pl, "proj-app-1")->action, PLAN_ACT_KEEP);
	plan_free(pl);
	/* The same image: kept; its id is a label. */
	ids[ai] = "sha256:1111";
	pl = plan_of(p, h, &o);
	cr_assert_eq(mu_ctr(pl, "proj-app-1")->action, PLAN_ACT_KEEP, "%s",
		     mu_ctr(pl, "proj-app-1")->reason);
	plan_free(pl);
	/* Rebuilt: recreated, and the reason says why. */
	ids[ai] = "sha256:2222";
	pl = plan_of(p, h, &o);
	cr_assert_eq(mu_ctr(pl, "proj-app-1")->action, PLAN_ACT_RECREATE);
	cr_assert_str_eq(mu_ctr(pl, "proj-app-1")->reason,
			 "image changed: 1111 -> 2222");
	{
		const struct plan_container *ct = mu_ctr(pl, "proj-app-1");
		bool found = false;

		for (size_t i = 0; i < ct->n_labels; i++)
			found |= !strcmp(ct->labels[i].key,
					 "com.docker.compose.image") &&
				 !strcmp(ct->labels[i].value, "sha256:2222");
		cr_assert(found);
	}
	plan_free(pl);
	arena_free(a);
	mu_free(p);
}
