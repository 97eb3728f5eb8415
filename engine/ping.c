/*
 * Pings and version negotiation.  Every ping negotiates: the version is
 * min(ENGINE_API_MAX, the daemon's Api-Version header).  A daemon that
 * sends no such header is asked GET /version instead.  The first
 * versioned request of an engine starts a "negotiation ping" and waits
 * for it (client.c keeps those requests in EREQ_WAITING).
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct ping_ctx {
	engine_ping_fn cb; /* NULL for a negotiation ping */
	void *ud;
	struct engine_ping_info info;
	bool asked_version;
};

/* A daemon that accepts but never answers a ping is as good as down. */
static long ping_timeout(const struct engine *e)
{
	long t = 2 * e->connect_timeout_ms;

	return t < e->request_timeout_ms ? t : e->request_timeout_ms;
}

/* Records what the daemon said about itself and negotiates. */
static int
absorb(struct engine *e, const struct engine_ping_info *in, struct diag *err)
{
	char api[16];
	int rc;

	snprintf(e->os, sizeof(e->os), "%s", in->os);
	if (e->forced)
		return 0;
	rc = engine_api_negotiate(api, e->name, in->api_version, NULL, err);
	if (rc)
		return rc;
	snprintf(e->api, sizeof(e->api), "%s", api);
	engine_api_parse(api, &e->api_major, &e->api_minor);
	e->negotiated = true;
	return 0;
}

static void
ping_finish(struct ping_ctx *c, struct ereq *r, int rc, const struct diag *err)
{
	struct engine *e = r->e;
	struct diag d = {0};

	if (!rc) {
		rc = absorb(e, &c->info, &d);
		err = &d;
	}
	if (r->neg_ping) {
		if (e->ping_loop == r->loop)
			e->pinging = false;
		/* A cancelled ping says nothing about the daemon. */
		if (rc && rc != DIAG_EINTR && !e->negotiated) {
			e->neg_err = *err;
			e->fail_epoch = ++e->epoch;
		}
	}
	if (c->cb) {
		snprintf(c->info.negotiated, sizeof(c->info.negotiated), "%s",
			 engine_api_version(e));
		c->cb(c->ud, rc, &c->info, rc ? err : NULL);
	}
	free(c);
}

static void version_done(struct ereq *r, int rc, const struct diag *err)
{
	struct ping_ctx *c = r->ctx;
	struct diag d = {0};
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (j) {
		ej_copy(c->info.api_version, sizeof(c->info.api_version), j,
			"ApiVersion");
		if (!c->info.os[0])
			ej_copy(c->info.os, sizeof(c->info.os), j, "Os");
	}
	cJSON_Delete(j);
	ping_finish(c, r, rc, err);
}

static void ping_done(struct ereq *r, int rc, const struct diag *err)
{
	struct ping_ctx *c = r->ctx;
	struct engine_ping_info *in = &c->info;

	snprintf(in->api_version, sizeof(in->api_version), "%s",
		 r->api_version);
	snprintf(in->os, sizeof(in->os), "%s", r->ostype);
	snprintf(in->server, sizeof(in->server), "%s", r->server);
	in->latency_us = r->latency_us;
	/* Very old daemons, and some proxies, leave the header out. */
	if (!rc && !in->api_version[0] && !r->e->forced && !c->asked_version) {
		struct ereq *v =
			ereq_new(r->loop, r->e, "GET", true, "/version");

		c->asked_version = true;
		v->timeout_ms = ping_timeout(r->e);
		v->neg_ping = r->neg_ping;
		ereq_start(v, version_done, c);
		return;
	}
	ping_finish(c, r, rc, err);
}

void eng_neg_ping(struct engine_loop *l, struct engine *e)
{
	struct ereq *p = ereq_new(l, e, "GET", true, "/_ping");

	p->timeout_ms = ping_timeout(e);
	p->neg_ping = true;
	e->pinging = true;
	e->ping_loop = l;
	ereq_start(p, ping_done, xcalloc(1, sizeof(struct ping_ctx)));
}

void engine_ping_async(struct engine_loop *l,
		       struct engine *e,
		       engine_ping_fn cb,
		       void *ud)
{
	struct ereq *r = ereq_new(l, e, "GET", true, "/_ping");
	struct ping_ctx *c = xcalloc(1, sizeof(*c));

	r->timeout_ms = ping_timeout(e);
	c->cb = cb;
	c->ud = ud;
	/*
	 * An engine that has not negotiated yet takes this ping as its
	 * negotiation ping: the versioned requests queued beside it in this
	 * loop wait for its answer instead of sending a ping of their own.
	 */
	if (!e->negotiated && !(e->pinging && e->ping_loop == l)) {
		r->neg_ping = true;
		e->pinging = true;
		e->ping_loop = l;
	}
	ereq_start(r, ping_done, c);
}

struct sync_ping {
	struct eng_sync s;
	struct engine_ping_info *out;
};

static void sync_ping_cb(void *ud,
			 int rc,
			 const struct engine_ping_info *info,
			 const struct diag *err)
{
	struct sync_ping *sp = ud;

	if (sp->out)
		*sp->out = *info;
	eng_sync_done_cb(&sp->s, rc, err);
}

int engine_ping(struct engine *e,
		struct engine_ping_info *out,
		struct diag *err)
{
	struct sync_ping sp = {.s = {.err = err}, .out = out};

	engine_ping_async(eng_own_loop(e), e, sync_ping_cb, &sp);
	return eng_sync_run(e, &sp.s);
}
