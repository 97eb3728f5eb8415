/* Events: GET /events as a stream of JSON lines. */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

struct events_ctx {
	struct engine_lines lines;
	engine_event_fn ev;
	void *ev_ud;
	engine_done_fn cb;
	void *ud;
};

static int event_line(void *ud, const char *line, size_t len)
{
	struct events_ctx *c = ud;
	cJSON *j = cJSON_ParseWithLength(line, len);
	struct arena *a;
	struct engine_event ev = {0};
	struct engine_kv *attrs;
	const cJSON *actor;
	int stop;

	if (!j)
		return 0;
	a = arena_new();
	actor = ej_obj(j, "Actor");
	ev.type = ej_astr(a, j, "Type");
	ev.action = ej_astr(a, j, "Action");
	ev.id = ej_astr(a, actor, "ID");
	ev.n_attributes = ej_kv(&attrs, a, ej_obj(actor, "Attributes"));
	ev.attributes = attrs;
	ev.time_nano = ej_int(j, "timeNano", 0);
	stop = c->ev ? c->ev(c->ev_ud, &ev) : 0;
	arena_free(a);
	cJSON_Delete(j);
	return stop;
}

static int events_data(struct ereq *r, const char *p, size_t n)
{
	struct events_ctx *c = r->ctx;

	return engine_lines_feed(&c->lines, p, n);
}

static void events_done(struct ereq *r, int rc, const struct diag *err)
{
	struct events_ctx *c = r->ctx;

	engine_lines_finish(&c->lines);
	c->cb(c->ud, rc, err);
	free(c);
}

void engine_events_async(struct engine_loop *l,
			 struct engine *e,
			 const struct engine_filters *filters,
			 const char *since,
			 const char *until,
			 engine_event_fn ev,
			 void *ev_ud,
			 engine_done_fn cb,
			 void *ud)
{
	struct events_ctx *c = xcalloc(1, sizeof(*c));
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	engine_lines_init(&c->lines, event_line, c);
	c->ev = ev;
	c->ev_ud = ev_ud;
	c->cb = cb;
	c->ud = ud;
	eng_filters_query(&q, '?', filters);
	if (since) {
		sbuf_addch(&q, q.len ? '&' : '?');
		sbuf_adds(&q, "since=");
		eng_escape(&q, since);
	}
	if (until) {
		sbuf_addch(&q, q.len ? '&' : '?');
		sbuf_adds(&q, "until=");
		eng_escape(&q, until);
	}
	r = ereq_new(l, e, "GET", false, "/events%s", q.buf);
	sbuf_release(&q);
	r->stream = true;
	r->on_data = events_data;
	ereq_start(r, events_done, c);
}

int engine_events(struct engine *e,
		  const struct engine_filters *filters,
		  const char *since,
		  const char *until,
		  engine_event_fn ev,
		  void *ud,
		  struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_events_async(eng_own_loop(e), e, filters, since, until, ev, ud,
			    eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}
