/* Volumes: create, list, remove. */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

void engine_volume_create_async(struct engine_loop *l,
				struct engine *e,
				const struct engine_volume_spec *spec,
				engine_id_fn cb,
				void *ud)
{
	struct ereq *r = ereq_new(l, e, "POST", false, "/volumes/create");
	cJSON *b = cJSON_CreateObject();

	ej_add_str(b, "Name", spec->name);
	ej_add_str(b, "Driver", spec->driver);
	ej_add_kv(b, "Labels", spec->labels, spec->n_labels);
	ej_add_kv(b, "DriverOpts", spec->driver_opts, spec->n_driver_opts);
	ereq_body_json(r, b);
	eng_call_id(r, "Name", cb, ud);
}

int engine_volume_create(struct engine *e,
			 const struct engine_volume_spec *spec,
			 /* NOLINTNEXTLINE(readability-non-const-parameter) */
			 char out_name[256],
			 struct diag *err)
{
	struct eng_sync s = {
		.err = err, .out = out_name, .out_len = out_name ? 256 : 0};

	engine_volume_create_async(eng_own_loop(e), e, spec, eng_sync_id_cb,
				   &s);
	return eng_sync_run(e, &s);
}

void engine_volume_remove_async(struct engine_loop *l,
				struct engine *e,
				const char *name,
				bool force,
				engine_done_fn cb,
				void *ud)
{
	struct sbuf p = SBUF_INIT;

	eng_escape(&p, name);
	eng_call_removed(ereq_new(l, e, "DELETE", false, "/volumes/%s?force=%d",
				  p.buf, force),
			 cb, ud);
	sbuf_release(&p);
}

int engine_volume_remove(struct engine *e,
			 const char *name,
			 bool force,
			 struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_volume_remove_async(eng_own_loop(e), e, name, force,
				   eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

void engine_volume_list_free(struct engine_volume_list *l)
{
	if (!l)
		return;
	arena_free(l->arena);
	free(l);
}

struct vlist_ctx {
	struct eng_sync s;
	struct engine_volume_list **out;
	engine_volume_list_fn cb; /* the async list: hands the list over */
	void *ud;
};

static struct engine_volume_list *parse_vlist(const cJSON *j)
{
	struct engine_volume_list *l = xcalloc(1, sizeof(*l));
	struct arena *a = arena_new();
	const cJSON *vols = ej_obj(j, "Volumes"), *it;

	l->arena = a;
	l->items = arena_calloc(a, (size_t)cJSON_GetArraySize(vols) + 1,
				sizeof(*l->items));
	cJSON_ArrayForEach(it, vols) {
		struct engine_volume_info *v = &l->items[l->n++];
		struct engine_kv *labels;

		v->name = ej_astr(a, it, "Name");
		v->driver = ej_astr(a, it, "Driver");
		v->mountpoint = ej_astr(a, it, "Mountpoint");
		v->n_labels = ej_kv(&labels, a, ej_obj(it, "Labels"));
		v->labels = labels;
	}
	return l;
}

static void vlist_done(struct ereq *r, int rc, const struct diag *err)
{
	struct vlist_ctx *c = r->ctx;
	struct diag d = {0};
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (c->cb) {
		c->cb(c->ud, rc, j ? parse_vlist(j) : NULL, err);
		free(c);
	} else {
		if (j)
			*c->out = parse_vlist(j);
		eng_sync_done_cb(&c->s, rc, err);
	}
	cJSON_Delete(j);
}

static struct ereq *vlist_req(struct engine_loop *l,
			      struct engine *e,
			      const struct engine_filters *filters)
{
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	eng_filters_query(&q, '?', filters);
	r = ereq_new(l, e, "GET", false, "/volumes%s", q.buf);
	sbuf_release(&q);
	return r;
}

void engine_volume_list_async(struct engine_loop *l,
			      struct engine *e,
			      const struct engine_filters *filters,
			      engine_volume_list_fn cb,
			      void *ud)
{
	struct vlist_ctx *c = xcalloc(1, sizeof(*c));

	c->cb = cb;
	c->ud = ud;
	ereq_start(vlist_req(l, e, filters), vlist_done, c);
}

int engine_volume_list(struct engine *e,
		       const struct engine_filters *filters,
		       struct engine_volume_list **out,
		       struct diag *err)
{
	struct vlist_ctx c = {.s = {.err = err}, .out = out};

	*out = NULL;
	ereq_start(vlist_req(eng_own_loop(e), e, filters), vlist_done, &c);
	return eng_sync_run(e, &c.s);
}
