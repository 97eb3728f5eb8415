/*
 * Routing: which daemon runs each service.  In order: an x-mixcompose.daemon
 * pin; else the service's platform (or DOCKER_DEFAULT_PLATFORM), whose OS
 * and arch must match exactly one daemon; else, without any platform, the
 * only daemon, or the only linux daemon (compose's default platform is
 * linux).  Anything else is an error naming the daemons on offer.
 */
#include "planner/planner_int.h"

#include <string.h>

struct want {
	const char *os;
	const char *arch;
	const char *raw;  /* for messages and for create's platform */
	const char *from; /* "platform" or "DOCKER_DEFAULT_PLATFORM" */
};

/* Docker and uname spell some architectures differently. */
static const char *arch_norm(const char *a)
{
	if (!a)
		return NULL;
	if (!strcmp(a, "x86_64") || !strcmp(a, "x86-64"))
		return "amd64";
	if (!strcmp(a, "aarch64"))
		return "arm64";
	return a;
}

static bool host_matches(const struct plan_host *h, const struct want *w)
{
	const char *ha = arch_norm(h->arch), *wa = arch_norm(w->arch);

	if (!h->os || strcmp(h->os, w->os))
		return false;
	return !wa || !ha || !strcmp(ha, wa);
}

static void offer_list(struct sbuf *sb, const struct plan *p)
{
	for (size_t i = 0; i < p->n_hosts; i++) {
		const struct plan_host *h = &p->hosts[i];

		sbuf_addf(sb, "%s%s (%s/%s%s)", i ? ", " : "", h->name,
			  h->os ? h->os : "?", h->arch ? h->arch : "?",
			  h->lab ? ", lab stand-in" : "");
	}
	if (!p->n_hosts)
		sbuf_adds(sb, "none");
}

static void want_from(struct want *w,
		      struct arena *a,
		      const struct compose_service *s,
		      const char *dflt)
{
	memset(w, 0, sizeof(*w));
	if (s->platform.os) {
		w->os = s->platform.os;
		w->arch = s->platform.arch;
		w->raw = s->platform.raw ? s->platform.raw
			 : w->arch ? arena_sprintf(a, "%s/%s", w->os, w->arch)
				   : w->os;
		w->from = "platform";
		return;
	}
	if (dflt && *dflt) {
		const char *slash = strchr(dflt, '/');

		w->raw = dflt;
		w->from = "DOCKER_DEFAULT_PLATFORM";
		w->os = slash ? arena_strndup(a, dflt, (size_t)(slash - dflt))
			      : dflt;
		if (slash) {
			const char *s2 = strchr(slash + 1, '/');

			w->arch = s2 ? arena_strndup(a, slash + 1,
						     (size_t)(s2 - slash - 1))
				     : slash + 1;
		}
	}
}

static int route_pinned(struct plan_ctx *c,
			struct plan_service *ps,
			const struct want *w,
			struct diag *err)
{
	struct plan *p = c->p;
	const struct compose_service *s = ps->svc;
	size_t d = plan_host_index(p->hosts, p->n_hosts, s->daemon);
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (d != PLAN_NONE && (!w->os || host_matches(&p->hosts[d], w))) {
		ps->daemon = d;
		ps->reason = arena_sprintf(p->arena,
					   "pinned by x-mixcompose.daemon");
		return 0;
	}
	offer_list(&sb, p);
	if (d == PLAN_NONE)
		rc = diag_set(err, DIAG_EPLAN, &s->loc,
			      "service '%s' is pinned to daemon '%s', which "
			      "does not exist; daemons on offer: %s",
			      s->name, s->daemon, sb.buf);
	else
		rc = diag_set(err, DIAG_EPLAN, &s->loc,
			      "service '%s' is pinned to daemon '%s' (%s) but "
			      "asks for platform %s",
			      s->name, s->daemon, p->hosts[d].os, w->raw);
	sbuf_release(&sb);
	return rc;
}

static int route_platform(struct plan_ctx *c,
			  struct plan_service *ps,
			  const struct want *w,
			  struct diag *err)
{
	struct plan *p = c->p;
	size_t found = PLAN_NONE, n = 0;
	struct sbuf sb = SBUF_INIT;
	int rc;

	for (size_t i = 0; i < p->n_hosts; i++) {
		if (host_matches(&p->hosts[i], w)) {
			if (!n++)
				found = i;
		}
	}
	if (n == 1) {
		ps->daemon = found;
		ps->reason = arena_sprintf(
			p->arena, "%s: %s -> daemon '%s' (the only %s daemon)",
			w->from, w->raw, p->hosts[found].name, w->raw);
		return 0;
	}
	offer_list(&sb, p);
	if (!n)
		rc = diag_set(err, DIAG_EPLAN, &ps->svc->loc,
			      "service '%s' asks for platform %s; daemons on "
			      "offer: %s",
			      ps->name, w->raw, sb.buf);
	else
		rc = diag_set(err, DIAG_EPLAN, &ps->svc->loc,
			      "service '%s' asks for platform %s, which %zu "
			      "daemons match: %s; pin one with "
			      "x-mixcompose.daemon",
			      ps->name, w->raw, n, sb.buf);
	sbuf_release(&sb);
	return rc;
}

/*
 * No platform anywhere: compose's default platform is linux, so with
 * several daemons the only linux one is chosen; two linux daemons are
 * ambiguous and need a pin.
 */
static int
route_default(struct plan_ctx *c, struct plan_service *ps, struct diag *err)
{
	struct plan *p = c->p;
	struct want w = {"linux", NULL, "linux", "platform"};
	size_t found = PLAN_NONE, n = 0;
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (p->n_hosts == 1) {
		ps->daemon = 0;
		ps->reason = arena_sprintf(p->arena,
					   "no platform -> daemon '%s' (the "
					   "only daemon)",
					   p->hosts[0].name);
		return 0;
	}
	for (size_t i = 0; i < p->n_hosts; i++)
		if (host_matches(&p->hosts[i], &w) && !n++)
			found = i;
	if (n == 1) {
		ps->daemon = found;
		ps->reason = arena_sprintf(p->arena,
					   "no platform, compose's default is "
					   "linux -> daemon '%s' (the only "
					   "linux daemon)",
					   p->hosts[found].name);
		return 0;
	}
	offer_list(&sb, p);
	rc = diag_set(err, DIAG_EPLAN, &ps->svc->loc,
		      "service '%s' has no platform and %s; daemons on offer: "
		      "%s; set platform or x-mixcompose.daemon",
		      ps->name,
		      n ? "several linux daemons could run it"
			: "no linux daemon is configured",
		      sb.buf);
	sbuf_release(&sb);
	return rc;
}

int plan_route(struct plan_ctx *c, struct diag *err)
{
	struct plan *p = c->p;

	for (size_t i = 0; i < p->n_services; i++) {
		struct plan_service *ps = &p->services[i];
		struct want w;
		int rc;

		want_from(&w, p->arena, ps->svc, c->opts->default_platform);
		ps->platform = w.raw;
		if (ps->svc->daemon)
			rc = route_pinned(c, ps, &w, err);
		else if (w.os)
			rc = route_platform(c, ps, &w, err);
		else
			rc = route_default(c, ps, err);
		if (rc)
			return rc;
	}
	return 0;
}
