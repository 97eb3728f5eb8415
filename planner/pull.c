/*
 * Pull policies, as compose v2 applies them on `up` (pkg/compose's
 * mustPull): always pulls; never and build never pull; daily, weekly and
 * every_<duration> pull when the image is missing or when its last pull
 * (the image's Metadata.LastTagTime, which the daemon sets on every pull
 * and tag) is older than the window; anything else pulls only a missing
 * image.  `up --pull X` replaces every service's policy.
 */
#include "planner/planner_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void plan_warn(struct plan_ctx *c, const char *fmt, ...)
{
	struct plan *p = c->p;
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	plan_strv_push(p->arena, &p->warnings, &c->warn_alloc,
		       arena_strdup(p->arena, sb.buf));
	sbuf_release(&sb);
}

/* "1d12h" -> seconds; -1 unless it is one or more [0-9]+[wdhms] groups. */
static long long every_seconds(const char *s)
{
	long long total = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		long long v, unit;

		if (*s < '0' || *s > '9')
			return -1;
		v = strtoll(s, &end, 10);
		switch (*end) {
		case 'w':
			unit = 7 * 86400;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'm':
			unit = 60;
			break;
		case 's':
			unit = 1;
			break;
		default:
			return -1;
		}
		if (v > 1000000000LL)
			return -1;
		total += v * unit;
		s = end + 1;
	}
	return total;
}

int plan_pull_policy_parse(enum plan_pull_policy *kind,
			   long long *every_s,
			   const char *s)
{
	static const struct {
		const char *name;
		enum plan_pull_policy kind;
		long long every;
	} names[] = {
		{"missing", PLAN_POLICY_MISSING, 0},
		{"if_not_present", PLAN_POLICY_MISSING, 0},
		/* compose-go's own name for the refresh kind: no window. */
		{"refresh", PLAN_POLICY_MISSING, 0},
		{"always", PLAN_POLICY_ALWAYS, 0},
		{"never", PLAN_POLICY_NEVER, 0},
		{"build", PLAN_POLICY_BUILD, 0},
		{"daily", PLAN_POLICY_REFRESH, 86400},
		{"weekly", PLAN_POLICY_REFRESH, 7 * 86400},
	};

	*every_s = 0;
	*kind = PLAN_POLICY_MISSING;
	if (!s)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*kind = names[i].kind;
			*every_s = names[i].every;
			return 0;
		}
	if (!strncmp(s, "every_", 6) && (*every_s = every_seconds(s + 6)) > 0) {
		*kind = PLAN_POLICY_REFRESH;
		return 0;
	}
	*every_s = 0;
	return -1;
}

static const struct plan_host_image *image_find(const struct plan_host *h,
						const char *ref)
{
	for (size_t i = 0; i < h->n_images; i++)
		if (h->images[i].ref && !strcmp(h->images[i].ref, ref))
			return &h->images[i];
	return NULL;
}

/* "30h", "3d", "45m", "20s": the largest unit that fits. */
static const char *age_str(struct arena *a, long long s)
{
	if (s >= 2 * 86400)
		return arena_sprintf(a, "%lldd", s / 86400);
	if (s >= 3600)
		return arena_sprintf(a, "%lldh", s / 3600);
	if (s >= 60)
		return arena_sprintf(a, "%lldm", s / 60);
	return arena_sprintf(a, "%llds", s);
}

/* A window policy: pull when missing or when the last pull is too old. */
static void refresh(struct plan_ctx *c,
		    struct plan_service *ps,
		    const char *why,
		    long long every)
{
	struct plan *p = c->p;
	const struct plan_host_image *im =
		image_find(&p->hosts[ps->daemon], ps->svc->image);
	long long now = c->opts->now, age;

	ps->pull = PLAN_PULL_MISSING;
	if (im && !im->present) {
		ps->pull = PLAN_PULL_ALWAYS;
		ps->pull_reason =
			arena_sprintf(p->arena, "%s, image missing", why);
		return;
	}
	if (!im || !im->last_tag_time || now <= 0) {
		ps->pull_reason = arena_sprintf(
			p->arena, "%s, last pull unknown: pull if missing",
			why);
		return;
	}
	age = now - im->last_tag_time;
	if (age < 0)
		age = 0;
	if (age >= every)
		ps->pull = PLAN_PULL_ALWAYS;
	ps->pull_reason = arena_sprintf(p->arena, "%s, last pulled %s ago%s",
					why, age_str(p->arena, age),
					age >= every ? "" : ": not due");
}

static int decide(struct plan_ctx *c, struct plan_service *ps, struct diag *err)
{
	struct plan *p = c->p;
	const char *pol = c->opts->pull ? c->opts->pull : ps->svc->pull_policy;
	enum plan_pull_policy kind;
	long long every;
	const char *why;

	if (!ps->svc->image) {
		ps->pull = PLAN_PULL_NONE;
		ps->pull_reason = "no image";
		return 0;
	}
	if (plan_pull_policy_parse(&kind, &every, pol))
		return diag_set(
			err, DIAG_EPLAN, c->opts->pull ? NULL : &ps->svc->loc,
			"%s: '%s' is not a pull policy (always, never, "
			"missing, build, daily, weekly, every_<n>[wdhms])",
			c->opts->pull ? "--pull"
				      : arena_sprintf(p->arena,
						      "services.%s."
						      "pull_policy",
						      ps->name),
			pol);
	why = !pol	      ? "pull_policy unset"
	      : c->opts->pull ? arena_sprintf(p->arena, "--pull %s", pol)
			      : arena_sprintf(p->arena, "pull_policy: %s", pol);
	ps->pull_reason = why;
	switch (kind) {
	case PLAN_POLICY_ALWAYS:
		ps->pull = PLAN_PULL_ALWAYS;
		break;
	case PLAN_POLICY_NEVER:
		ps->pull = PLAN_PULL_NEVER;
		break;
	case PLAN_POLICY_BUILD:
		ps->pull = PLAN_PULL_BUILD;
		break;
	case PLAN_POLICY_REFRESH:
		refresh(c, ps, why, every);
		break;
	default:
		ps->pull = PLAN_PULL_MISSING;
		break;
	}
	return 0;
}

/* True if some container of the service is created by this up. */
static bool creates(const struct plan *p, const struct plan_service *ps)
{
	for (size_t k = ps->first_container;
	     k < ps->first_container + ps->n_containers; k++)
		if (p->containers[k].action == PLAN_ACT_CREATE ||
		    p->containers[k].action == PLAN_ACT_RECREATE)
			return true;
	return false;
}

int plan_pull(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;
	int rc;

	for (size_t i = 0; i < p->n_services; i++) {
		struct plan_service *ps = &p->services[i];
		const struct plan_host_image *im;

		if ((rc = decide(c, ps, err)))
			return rc;
		/* A service that is built needs no pull (build.c). */
		if (ps->pull != PLAN_PULL_NEVER || !ps->selected ||
		    !creates(p, ps) || ps->build)
			continue;
		/* Fail before anything is created, naming where it runs. */
		im = image_find(&p->hosts[ps->daemon], ps->svc->image);
		if (im && !im->present)
			return diag_set(err, DIAG_EPLAN, &ps->svc->loc,
					"service '%s': image '%s' is not on "
					"daemon '%s' and %s forbids pulling it",
					ps->name, ps->svc->image,
					p->hosts[ps->daemon].name,
					ps->pull_reason);
	}
	return 0;
}
