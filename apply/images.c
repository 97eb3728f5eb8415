/*
 * What the planner needs to know about images before it decides on pulls:
 * whether each image is on each daemon, and when it was last pulled
 * (Metadata.LastTagTime, what compose v2 compares daily/weekly/every_X
 * with).  Only the images whose pull policy depends on it are inspected,
 * so an up with the default policy sends no extra request.
 */
#include "apply/apply.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct img_q {
	struct plan_host *h;
	const char *ref;
	bool present;
	long long last_tag_time;
	bool answered;
};

static void img_done(void *ud,
		     int rc,
		     const struct engine_image_info *info,
		     const struct diag *err)
{
	struct img_q *q = ud;

	(void)err;
	/* An error other than "no such image" leaves it unknown. */
	q->answered = !rc || rc == DIAG_ENOTFOUND;
	q->present = !rc;
	q->last_tag_time = !rc && info ? info->last_tag_time : 0;
}

/* True if the service's policy (or 'pull') needs the image's state. */
static bool needs_state(const struct compose_service *svc, const char *pull)
{
	enum plan_pull_policy kind;
	long long every;

	if (!svc->image ||
	    plan_pull_policy_parse(&kind, &every,
				   pull ? pull : svc->pull_policy))
		return false;
	return kind == PLAN_POLICY_NEVER || kind == PLAN_POLICY_REFRESH;
}

/* True if an earlier service already asked about the same image. */
static bool
ref_seen(const struct compose_project *p, size_t i, const char *pull)
{
	for (size_t k = 0; k < i; k++)
		if (needs_state(&p->services[k], pull) &&
		    !strcmp(p->services[k].image, p->services[i].image))
			return true;
	return false;
}

static void fill_hosts(struct plan_host *hosts,
		       size_t n_hosts,
		       struct arena *a,
		       struct img_q *q,
		       size_t nq)
{
	for (size_t d = 0; d < n_hosts; d++) {
		struct plan_host *h = &hosts[d];
		size_t n = 0;

		for (size_t i = 0; i < nq; i++)
			n += q[i].h == h && q[i].answered;
		if (!n)
			continue;
		h->images = arena_calloc(a, n, sizeof(*h->images));
		for (size_t i = 0; i < nq; i++) {
			if (q[i].h != h || !q[i].answered)
				continue;
			h->images[h->n_images++] = (struct plan_host_image){
				q[i].ref, q[i].present, q[i].last_tag_time};
		}
	}
}

/* The engine of an online host, or NULL (an error in 'dl'). */
static struct engine *host_engine(struct engine_registry *reg,
				  const struct plan_host *h,
				  struct diag_list *dl)
{
	struct engine_daemon *d = apply_state_daemon(reg, h);
	struct diag err = {0};
	struct engine *e;

	if (!d || h->offline)
		return NULL;
	e = engine_registry_engine(reg, d, &err);
	if (!e)
		diag_list_add_diag(dl, DIAG_ERROR, &err);
	return e;
}

void apply_images_collect(struct plan_host *hosts,
			  size_t n_hosts,
			  struct arena *a,
			  struct engine_registry *reg,
			  const struct compose_project *p,
			  const char *pull,
			  struct diag_list *dl)
{
	struct engine_loop *l;
	struct img_q *q;
	size_t nq = 0;

	if (!p)
		return;
	q = xcalloc(p->n_services * n_hosts + 1, sizeof(*q));
	l = engine_loop_new();
	for (size_t i = 0; i < p->n_services; i++) {
		if (!needs_state(&p->services[i], pull) || ref_seen(p, i, pull))
			continue;
		for (size_t d = 0; d < n_hosts; d++) {
			struct engine *e = host_engine(reg, &hosts[d], dl);

			if (!e)
				continue;
			q[nq] = (struct img_q){&hosts[d], p->services[i].image,
					       false, 0, false};
			engine_image_inspect_async(l, e, q[nq].ref, img_done,
						   &q[nq]);
			nq++;
		}
	}
	if (nq)
		engine_loop_run(l, -1);
	engine_loop_free(l);
	fill_hosts(hosts, n_hosts, a, q, nq);
	free(q);
}
