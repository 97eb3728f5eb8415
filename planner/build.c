/* Which image each service runs, and when it is built (on its daemon). */
#include "planner/planner_int.h"

#include <string.h>

enum plan_build_when plan_service_build_when(const struct compose_service *svc,
					     const char *pull_policy,
					     enum plan_build_opt opt)
{
	if (!svc->build || opt == PLAN_BUILD_OPT_NEVER)
		return PLAN_BUILD_NONE;
	if (opt == PLAN_BUILD_OPT_ALWAYS)
		return PLAN_BUILD_ALWAYS;
	/* compose v2: pull_policy 'build' means "always build". */
	if (pull_policy && !strcmp(pull_policy, "build"))
		return PLAN_BUILD_ALWAYS;
	return PLAN_BUILD_MISSING;
}

const char *plan_build_when_name(enum plan_build_when w)
{
	switch (w) {
	case PLAN_BUILD_MISSING:
		return "if missing";
	case PLAN_BUILD_ALWAYS:
		return "always";
	default:
		return "no";
	}
}

void plan_builds(struct plan_ctx *c)
{
	struct plan *p = c->p;

	for (size_t i = 0; i < p->n_services; i++) {
		struct plan_service *ps = &p->services[i];
		const struct compose_service *s = ps->svc;

		ps->image = s->build ? s->build->image : s->image;
		ps->build = plan_service_build_when(
			s, c->opts->pull ? c->opts->pull : s->pull_policy,
			c->opts->build);
		ps->image_id =
			c->opts->image_ids ? c->opts->image_ids[i] : NULL;
	}
}
