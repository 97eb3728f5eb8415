/*
 * Images: inspect, list, pull (JSON-lines progress), import from a tar
 * stream.
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat/compat.h"
#include "util/xalloc.h"

/* ---- Inspect ------------------------------------------------------------ */

struct image_ctx {
	engine_image_fn cb;
	void *ud;
};

/*
 * "2026-11-25T15:37:46.969332055Z" -> unix seconds (UTC; the fraction is
 * dropped).  The zero time "0001-01-01T00:00:00Z" and anything unparsable
 * give 0.
 */
long long eng_rfc3339_seconds(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6 ||
	    tm.tm_year < 1970)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return compat_timegm(&tm);
}

static void inspect_done(struct ereq *r, int rc, const struct diag *err)
{
	struct image_ctx *c = r->ctx;
	struct engine_image_info info = {0};
	struct diag d = {0};
	const cJSON *tags;
	const char *tag;
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (j) {
		ej_copy(info.id, sizeof(info.id), j, "Id");
		ej_copy(info.os, sizeof(info.os), j, "Os");
		ej_copy(info.arch, sizeof(info.arch), j, "Architecture");
		ej_copy(info.variant, sizeof(info.variant), j, "Variant");
		info.size = ej_int(j, "Size", 0);
		ej_copy(info.created, sizeof(info.created), j, "Created");
		tags = cJSON_GetObjectItemCaseSensitive(j, "RepoTags");
		tag = cJSON_GetStringValue(cJSON_GetArrayItem(tags, 0));
		if (tag)
			snprintf(info.repo_tag, sizeof(info.repo_tag), "%s",
				 tag);
		info.last_tag_time = eng_rfc3339_seconds(
			ej_str(ej_obj(j, "Metadata"), "LastTagTime"));
	}
	c->cb(c->ud, rc, &info, rc ? err : NULL);
	cJSON_Delete(j);
	free(c);
}

void engine_image_inspect_async(struct engine_loop *l,
				struct engine *e,
				const char *ref,
				engine_image_fn cb,
				void *ud)
{
	struct image_ctx *c = xcalloc(1, sizeof(*c));
	struct sbuf p = SBUF_INIT;

	c->cb = cb;
	c->ud = ud;
	eng_escape_ref(&p, ref);
	ereq_start(ereq_new(l, e, "GET", false, "/images/%s/json", p.buf),
		   inspect_done, c);
	sbuf_release(&p);
}

/* ---- List ---------------------------------------------------------------- */

struct ilist_ctx {
	engine_ids_fn cb;
	void *ud;
};

static void ilist_done(struct ereq *r, int rc, const struct diag *err)
{
	struct ilist_ctx *c = r->ctx;
	struct diag d = {0};
	cJSON *j = eng_reply_json(r, &rc, &err, &d), *it;
	const char **v = xcalloc((size_t)cJSON_GetArraySize(j) + 1, sizeof(*v));
	size_t n = 0;

	cJSON_ArrayForEach(it, j) {
		const char *id = ej_str(it, "Id");

		if (id)
			v[n++] = id;
	}
	c->cb(c->ud, rc, &(struct engine_strv){v, n}, rc ? err : NULL);
	free(v);
	cJSON_Delete(j);
	free(c);
}

void engine_image_list_async(struct engine_loop *l,
			     struct engine *e,
			     const struct engine_filters *filters,
			     engine_ids_fn cb,
			     void *ud)
{
	struct ilist_ctx *c = xcalloc(1, sizeof(*c));
	struct sbuf q = SBUF_INIT;

	c->cb = cb;
	c->ud = ud;
	eng_filters_query(&q, '?', filters);
	ereq_start(ereq_new(l, e, "GET", false, "/images/json%s", q.buf),
		   ilist_done, c);
	sbuf_release(&q);
}

static void sync_image_cb(void *ud,
			  int rc,
			  const struct engine_image_info *in,
			  const struct diag *err)
{
	struct eng_sync *s = ud;

	if (!rc && s->out)
		*(struct engine_image_info *)s->out = *in;
	eng_sync_done_cb(ud, rc, err);
}

int engine_image_inspect(struct engine *e,
			 const char *ref,
			 struct engine_image_info *out,
			 struct diag *err)
{
	struct eng_sync s = {.err = err, .out = out};

	engine_image_inspect_async(eng_own_loop(e), e, ref, sync_image_cb, &s);
	return eng_sync_run(e, &s);
}

/* ---- Pull and import: JSON-lines replies -------------------------------- */

struct jl_ctx {
	struct engine_lines lines;
	engine_progress_fn progress;
	void *progress_ud;
	engine_done_fn cb;
	void *ud;
	char error[1024]; /* the stream's error, if it sent one */
	char last_status[256];
};

static int jl_line(void *ud, const char *line, size_t len)
{
	struct jl_ctx *c = ud;
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *detail;
	const char *msg;
	int stop = 0;

	if (!j)
		return 0;
	detail = ej_obj(j, "progressDetail");
	msg = ej_str(ej_obj(j, "errorDetail"), "message");
	if (!msg)
		msg = ej_str(j, "error");
	if (msg) {
		snprintf(c->error, sizeof(c->error), "%s", msg);
	} else {
		struct engine_progress p = {
			.id = ej_str(j, "id"),
			.status = ej_str(j, "status"),
			.progress = ej_str(j, "progress"),
			.current = ej_int(detail, "current", 0),
			.total = ej_int(detail, "total", 0),
		};

		if (p.status)
			snprintf(c->last_status, sizeof(c->last_status), "%s",
				 p.status);
		if (c->progress)
			stop = c->progress(c->progress_ud, &p);
	}
	cJSON_Delete(j);
	return stop;
}

static int jl_data(struct ereq *r, const char *p, size_t n)
{
	struct jl_ctx *c = r->ctx;

	return engine_lines_feed(&c->lines, p, n);
}

static void jl_done(struct ereq *r, int rc, const struct diag *err)
{
	struct jl_ctx *c = r->ctx;
	struct diag d = {0};

	engine_lines_finish(&c->lines);
	/* A pull fails inside a 200 reply: the error comes as a JSON line. */
	if (!rc && c->error[0]) {
		rc = eng_req_error(r, &d, DIAG_EENGINE, "%ld %s: %s", r->status,
				   engine_http_reason(r->status), c->error);
		err = &d;
	}
	c->cb(c->ud, rc, err);
	free(c);
}

/* Starts 'r', whose answer is a stream of JSON lines, for 'c'. */
static void jl_start(struct ereq *r, struct jl_ctx *c)
{
	r->stream = true;
	r->on_data = jl_data;
	ereq_start(r, jl_done, c);
}

static struct jl_ctx *
jl_new(engine_progress_fn progress, void *pud, engine_done_fn cb, void *ud)
{
	struct jl_ctx *c = xcalloc(1, sizeof(*c));

	engine_lines_init(&c->lines, jl_line, c);
	c->progress = progress;
	c->progress_ud = pud;
	c->cb = cb;
	c->ud = ud;
	return c;
}

/* "busybox" pulls every tag; the CLI pulls ":latest", and so do we. */
static bool ref_has_tag(const char *ref)
{
	const char *slash = strrchr(ref, '/');

	return strchr(ref, '@') || strchr(slash ? slash : ref, ':');
}

void engine_image_pull_async(struct engine_loop *l,
			     struct engine *e,
			     const char *ref,
			     const char *platform,
			     engine_progress_fn progress,
			     void *progress_ud,
			     engine_done_fn cb,
			     void *ud)
{
	struct jl_ctx *c = jl_new(progress, progress_ud, cb, ud);
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	eng_escape(&q, ref);
	if (!ref_has_tag(ref))
		sbuf_adds(&q, "&tag=latest");
	/* platform on pull came with API 1.32, below our minimum. */
	if (platform && *platform) {
		sbuf_adds(&q, "&platform=");
		eng_escape(&q, platform);
	}
	r = ereq_new(l, e, "POST", false, "/images/create?fromImage=%s", q.buf);
	sbuf_release(&q);
	jl_start(r, c);
}

/* "x:tag" -> "x" and "tag"; no tag (or a digest): "latest". */
static void ref_split_tag(struct sbuf *name, struct sbuf *tag, const char *ref)
{
	const char *slash = strrchr(ref, '/');
	const char *at = strchr(ref, '@');
	const char *colon = strrchr(slash ? slash : ref, ':');

	if (at) {
		sbuf_add(name, ref, (size_t)(at - ref));
		sbuf_adds(tag, "latest");
		return;
	}
	sbuf_add(name, ref, colon ? (size_t)(colon - ref) : strlen(ref));
	sbuf_adds(tag, colon ? colon + 1 : "latest");
}

void engine_image_push_async(struct engine_loop *l,
			     struct engine *e,
			     const char *ref,
			     engine_progress_fn progress,
			     void *progress_ud,
			     engine_done_fn cb,
			     void *ud)
{
	struct jl_ctx *c = jl_new(progress, progress_ud, cb, ud);
	struct sbuf name = SBUF_INIT, tag = SBUF_INIT, q = SBUF_INIT,
		    p = SBUF_INIT;
	struct ereq *r;

	ref_split_tag(&name, &tag, ref);
	eng_escape_ref(&p, name.buf);
	eng_escape(&q, tag.buf);
	r = ereq_new(l, e, "POST", false, "/images/%s/push?tag=%s", p.buf,
		     q.buf);
	/*
	 * The daemon wants credentials in X-Registry-Auth (else a JSON body);
	 * "{}" (base64 "e30=") is none, as the docker CLI sends without a
	 * login.
	 */
	r->hdrs = curl_slist_append(r->hdrs, "X-Registry-Auth: e30=");
	jl_start(r, c);
	sbuf_release(&name);
	sbuf_release(&tag);
	sbuf_release(&q);
	sbuf_release(&p);
}

int engine_image_pull(struct engine *e,
		      const char *ref,
		      const char *platform,
		      engine_progress_fn progress,
		      void *ud,
		      struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_image_pull_async(eng_own_loop(e), e, ref, platform, progress, ud,
				eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

struct import_sync {
	struct eng_sync s;
	struct jl_ctx *c;
	char *out_id;
};

static void import_done(void *ud, int rc, const struct diag *err)
{
	struct import_sync *is = ud;

	/* The new image's id is the last status line ("sha256:..."). */
	if (!rc && is->out_id) {
		size_t n = strnlen(is->c->last_status, 95);

		memcpy(is->out_id, is->c->last_status, n);
		is->out_id[n] = '\0';
	}
	eng_sync_done_cb(&is->s, rc, err);
}

int engine_image_import(struct engine *e,
			FILE *tar,
			const char *ref,
			/* NOLINTNEXTLINE(readability-non-const-parameter) */
			const struct engine_strv *changes,
			char out_id[96],
			struct diag *err)
{
	struct import_sync is = {.s = {.err = err}, .out_id = out_id};
	struct sbuf q = SBUF_INIT;
	const char *colon = strrchr(ref, ':');
	const char *slash = strrchr(ref, '/');
	struct ereq *r;

	is.c = jl_new(NULL, NULL, import_done, &is);
	if (colon && (!slash || colon > slash)) {
		char *repo = xstrndup(ref, (size_t)(colon - ref));

		sbuf_adds(&q, "&repo=");
		eng_escape(&q, repo);
		sbuf_adds(&q, "&tag=");
		eng_escape(&q, colon + 1);
		free(repo);
	} else {
		sbuf_adds(&q, "&repo=");
		eng_escape(&q, ref);
	}
	for (size_t i = 0; changes && i < changes->n; i++) {
		sbuf_adds(&q, "&changes=");
		eng_escape(&q, changes->v[i]);
	}
	r = ereq_new(eng_own_loop(e), e, "POST", false,
		     "/images/create?fromSrc=-%s", q.buf);
	sbuf_release(&q);
	r->upload = tar;
	r->content_type = "application/x-tar";
	jl_start(r, is.c);
	return eng_sync_run(e, &is.s);
}

int engine_image_remove(struct engine *e,
			const char *ref,
			bool force,
			struct diag *err)
{
	struct eng_sync s = {.err = err};
	struct sbuf p = SBUF_INIT;

	eng_escape_ref(&p, ref);
	eng_call_removed(ereq_new(eng_own_loop(e), e, "DELETE", false,
				  "/images/%s?force=%d", p.buf, force),
			 eng_sync_done_cb, &s);
	sbuf_release(&p);
	return eng_sync_run(e, &s);
}
