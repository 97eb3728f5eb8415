/*
 * POST /build: the context as a tar in a temporary file, streamed as the
 * body; the reply is JSON lines ("stream" text, "aux" with the image id,
 * or "errorDetail" when a step fails inside the 200 reply).  With
 * version=2 the daemon's BuildKit builds, and its progress comes as
 * "moby.buildkit.trace" aux lines (engine/buildkit.c reads them).
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct build_ctx {
	struct engine_lines lines;
	engine_build_out_fn out;
	void *out_ud;
	engine_id_fn cb;
	void *ud;
	FILE *tar;
	char *dockerfile;
	struct engine_bk_progress *bk; /* a BuildKit build's steps */
	char id[96];
	char error[2048];
};

static int build_line(void *ud, const char *line, size_t len)
{
	struct build_ctx *c = ud;
	cJSON *j = cJSON_ParseWithLength(line, len);
	const char *msg, *text, *id, *trace;
	int stop = 0;

	if (!j)
		return 0;
	msg = ej_str(ej_obj(j, "errorDetail"), "message");
	if (!msg)
		msg = ej_str(j, "error");
	text = ej_str(j, "stream");
	id = ej_str(ej_obj(j, "aux"), "ID");
	/* Progress that cannot be read is left out, not fatal. */
	if (c->bk && (trace = ej_str(j, "id")) &&
	    !strcmp(trace, "moby.buildkit.trace"))
		stop = engine_bk_progress_feed_b64(c->bk, ej_str(j, "aux"));
	if (stop < 0)
		stop = 0;
	if (msg)
		snprintf(c->error, sizeof(c->error), "%s", msg);
	if (id)
		snprintf(c->id, sizeof(c->id), "%s", id);
	if (text && c->out) {
		size_t n = strlen(text);
		char *t = xstrndup(text, n && text[n - 1] == '\n' ? n - 1 : n);

		stop = c->out(c->out_ud, t);
		free(t);
	}
	cJSON_Delete(j);
	return stop;
}

static int build_data(struct ereq *r, const char *p, size_t n)
{
	struct build_ctx *c = r->ctx;

	return engine_lines_feed(&c->lines, p, n);
}

static void build_free(struct build_ctx *c)
{
	if (c->tar)
		fclose(c->tar);
	free(c->dockerfile);
	engine_bk_progress_free(c->bk);
	free(c);
}

/*
 * BuildKit's warnings once more after the build, as buildx does at the
 * end of `docker build`: "1 warning found:" and " - MESSAGE" each.
 */
static void build_warnings(struct build_ctx *c)
{
	const char *w = "", *nl;
	size_t n = c->bk ? engine_bk_progress_warnings(c->bk, &w) : 0;
	struct sbuf t = SBUF_INIT;
	char head[64];

	if (!n || !c->out)
		return;
	snprintf(head, sizeof(head), "%zu warning%s found:", n,
		 n == 1 ? "" : "s");
	if (c->out(c->out_ud, head))
		return;
	for (; (nl = strchr(w, '\n')); w = nl + 1) {
		sbuf_reset(&t);
		sbuf_addf(&t, " - %.*s", (int)(nl - w), w);
		if (c->out(c->out_ud, t.buf))
			break;
	}
	sbuf_release(&t);
}

static void build_done(struct ereq *r, int rc, const struct diag *err)
{
	struct build_ctx *c = r->ctx;
	struct diag d = {0};

	engine_lines_finish(&c->lines);
	build_warnings(c);
	/* A failed step comes inside a 200 reply, as a JSON line. */
	if (!rc && c->error[0]) {
		/*
		 * BuildKit's message names the step, not its output: without
		 * 'out' (which showed it) the failed step's last lines go
		 * with it, as the plain progress prints them.
		 */
		char *what = c->bk && !c->out
				     ? engine_bk_progress_failure(c->bk)
				     : NULL;

		rc = eng_req_error(r, &d, DIAG_EENGINE, "%s%s%s", c->error,
				   what ? "\n" : "", what ? what : "");
		free(what);
		err = &d;
	}
	c->cb(c->ud, rc, rc ? NULL : c->id, rc ? err : NULL);
	build_free(c);
}

static void add_json_kv(struct sbuf *q,
			const char *key,
			const struct engine_kv *kv,
			size_t n)
{
	cJSON *o;
	char *s;
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any |= kv[i].value != NULL;
	if (!any)
		return;
	o = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++)
		if (kv[i].value)
			cJSON_AddStringToObject(o, kv[i].key, kv[i].value);
	s = cJSON_PrintUnformatted(o);
	sbuf_addf(q, "&%s=", key);
	eng_escape(q, s);
	free(s);
	cJSON_Delete(o);
}

static void add_param(struct sbuf *q, const char *key, const char *v)
{
	if (!v || !*v)
		return;
	sbuf_addf(q, "&%s=", key);
	eng_escape(q, v);
}

char *engine_build_query(const struct engine_build_spec *spec,
			 const char *dockerfile)
{
	struct sbuf q = SBUF_INIT;

	/* rm=1 is the docker CLI's default: no intermediate containers left. */
	sbuf_adds(&q, "rm=1");
	if (spec->buildkit)
		sbuf_adds(&q, "&version=2");
	for (size_t i = 0; i < spec->tags.n; i++)
		add_param(&q, "t", spec->tags.v[i]);
	add_param(&q, "dockerfile", dockerfile);
	add_json_kv(&q, "buildargs", spec->args, spec->n_args);
	add_param(&q, "target", spec->target);
	add_json_kv(&q, "labels", spec->labels, spec->n_labels);
	add_param(&q, "networkmode", spec->network);
	if (spec->shm_size > 0)
		sbuf_addf(&q, "&shmsize=%lld", spec->shm_size);
	for (size_t i = 0; i < spec->extra_hosts.n; i++)
		add_param(&q, "extrahosts", spec->extra_hosts.v[i]);
	if (spec->no_cache)
		sbuf_adds(&q, "&nocache=1");
	if (spec->pull)
		sbuf_adds(&q, "&pull=1");
	add_param(&q, "isolation", spec->isolation);
	if (spec->n_ulimits) {
		cJSON *a = eng_ulimits_json(spec->ulimits, spec->n_ulimits);
		char *s = cJSON_PrintUnformatted(a);

		add_param(&q, "ulimits", s);
		free(s);
		cJSON_Delete(a);
	}
	if (spec->cache_from.n) {
		cJSON *a = cJSON_CreateArray();
		char *s;

		for (size_t i = 0; i < spec->cache_from.n; i++)
			cJSON_AddItemToArray(
				a, cJSON_CreateString(spec->cache_from.v[i]));
		s = cJSON_PrintUnformatted(a);
		add_param(&q, "cachefrom", s);
		free(s);
		cJSON_Delete(a);
	}
	return sbuf_detach(&q, NULL);
}

void engine_image_build_async(struct engine_loop *l,
			      struct engine *e,
			      const struct engine_build_spec *spec,
			      engine_build_out_fn out,
			      void *out_ud,
			      engine_id_fn cb,
			      void *ud)
{
	struct build_ctx *c = xcalloc(1, sizeof(*c));
	struct diag d = {0};
	struct ereq *r;
	char *q;

	engine_lines_init(&c->lines, build_line, c);
	c->out = out;
	c->out_ud = out_ud;
	c->cb = cb;
	c->ud = ud;
	if (spec->buildkit)
		c->bk = engine_bk_progress_new(out, out_ud);
	if (spec->refuse) {
		r = ereq_new(l, e, "POST", false, "/build");
		ereq_fail(r, build_done, c, DIAG_EPLAN, "%s", spec->refuse);
		return;
	}
	c->tar = tmpfile();
	if (!c->tar ||
	    engine_build_context(c->tar, &spec->ctx, &c->dockerfile, &d) ||
	    fflush(c->tar) || fseek(c->tar, 0, SEEK_SET)) {
		r = ereq_new(l, e, "POST", false, "/build");
		ereq_fail(r, build_done, c, d.code ? d.code : DIAG_EIO, "%s",
			  d.code ? d.msg : "cannot write the build context");
		return;
	}
	q = engine_build_query(spec, c->dockerfile);
	r = ereq_new(l, e, "POST", false, "/build?%s", q);
	free(q);
	/* platform on /build came with API 1.32; known once negotiated. */
	if (spec->platform && *spec->platform) {
		struct sbuf p = SBUF_INIT;

		sbuf_adds(&p, "platform=");
		eng_escape(&p, spec->platform);
		r->late_query = sbuf_detach(&p, NULL);
		r->late_major = 1;
		r->late_minor = 32;
	}
	r->upload = c->tar;
	r->content_type = "application/x-tar";
	r->stream = true;
	r->on_data = build_data;
	ereq_start(r, build_done, c);
}

int engine_image_build(struct engine *e,
		       const struct engine_build_spec *spec,
		       engine_build_out_fn out,
		       void *out_ud,
		       char out_id[96],
		       struct diag *err)
{
	struct eng_sync s = {.err = err, .out = out_id, .out_len = 96};

	engine_image_build_async(eng_own_loop(e), e, spec, out, out_ud,
				 eng_sync_id_cb, &s);
	return eng_sync_run(e, &s);
}

void engine_image_remove_async(struct engine_loop *l,
			       struct engine *e,
			       const char *ref,
			       bool force,
			       engine_done_fn cb,
			       void *ud)
{
	struct sbuf p = SBUF_INIT;

	eng_escape_ref(&p, ref);
	eng_call_removed(ereq_new(l, e, "DELETE", false, "/images/%s?force=%d",
				  p.buf, force),
			 cb, ud);
	sbuf_release(&p);
}
