/*
 * BuildKit's progress from a version=2 POST /build: each trace is a
 * protobuf moby.buildkit.v1.StatusResponse (buildkit's
 * api/services/control/control.proto):
 *   StatusResponse { repeated Vertex vertexes = 1; repeated VertexStatus
 *                    statuses = 2; repeated VertexLog logs = 3; ... }
 *   Vertex { string digest = 1; repeated string inputs = 2; string name = 3;
 *            bool cached = 4; Timestamp started = 5; Timestamp completed = 6;
 *            string error = 7; ... }
 *   VertexStatus { string ID = 1; string vertex = 2; string name = 3;
 *                  int64 current = 4; int64 total = 5;
 *                  Timestamp timestamp = 6; Timestamp started = 7;
 *                  Timestamp completed = 8; }
 *   VertexLog { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3;
 *               bytes msg = 4; }
 *   VertexWarning { string vertex = 1; int64 level = 2; bytes short = 3;
 *                   repeated bytes detail = 4; string url = 5; ... }
 * (VertexWarning came with buildkit 0.10: dockerd 20.10's 0.8 sends none.)
 *   google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }
 * A small wire reader (varints and length-delimited fields; every other
 * field skipped) reads them: the daemon's bytes are checked against the
 * end of the buffer before each read.
 */
#include "engine/engine_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- The wire format ---------------------------------------------------- */

struct pb {
	const unsigned char *p, *end;
};

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* A varint of at most 10 bytes; -1 if it runs past the end. */
static int pb_varint(struct pb *r, uint64_t *out)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		unsigned char c;

		if (r->p >= r->end)
			return -1;
		c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/*
 * The next field: its number and wire type; a varint's value in '*val', a
 * length-delimited field's bytes in '*sub', fixed-size ones skipped.
 * 1: a field, 0: the end, -1: bad input (a group, or past the end).
 */
static int pb_next(struct pb *r, uint32_t *field, struct pb *sub, uint64_t *val)
{
	uint64_t key, n;
	size_t left;

	*val = 0;
	*sub = (struct pb){NULL, NULL};
	if (r->p >= r->end)
		return 0;
	if (pb_varint(r, &key) || key >> 32 || !(key >> 3))
		return -1;
	*field = (uint32_t)(key >> 3);
	left = (size_t)(r->end - r->p);
	switch (key & 7) {
	case PB_VARINT:
		return pb_varint(r, val) ? -1 : 1;
	case PB_I64:
		n = 8;
		break;
	case PB_I32:
		n = 4;
		break;
	case PB_LEN:
		if (pb_varint(r, &n))
			return -1;
		left = (size_t)(r->end - r->p);
		if (n > left)
			return -1;
		*sub = (struct pb){r->p, r->p + n};
		r->p += n;
		return 1;
	default:
		return -1;
	}
	if (n > left)
		return -1;
	r->p += n;
	return 1;
}

/* A Timestamp in nanoseconds; -1 on bad input. */
static long long pb_time(struct pb r)
{
	uint32_t f;
	struct pb sub;
	uint64_t v;
	long long s = 0, ns = 0;
	int k;

	while ((k = pb_next(&r, &f, &sub, &v)) > 0) {
		if (f == 1)
			s = (long long)(v & 0xffffffffffULL); /* < year 36812 */
		else if (f == 2)
			ns = (long long)(v % 1000000000ULL);
	}
	return k < 0 ? -1 : s * 1000000000LL + ns;
}

static char *pb_strdup(const struct pb *s)
{
	return xstrndup((const char *)s->p, (size_t)(s->end - s->p));
}

/* ---- The steps ----------------------------------------------------------- */

/* Output kept per step for the failure report. */
#define TAIL_MAX 1024

/*
 * A running sub-task is printed again only once it moved by 5 % of its
 * total or 5 s passed (progressui's minProgressDelta and minTimeDelta).
 */
#define STATUS_MIN_DELTA 0.05
#define STATUS_MIN_NS 5000000000LL

/* A step's sub-task (VertexStatus) as last printed. */
struct bk_status {
	char *id;
	long long current; /* bytes (or items) when last printed */
	long long at;	   /* its timestamp then, ns */
	bool printed, done;
};

struct bk_vertex {
	char *digest;
	char *name;
	int num;	 /* "#N"; 0 until first shown */
	long long start; /* ns; -1 until started */
	bool shown, done;
	struct sbuf partial;  /* an output line not ended yet */
	struct sbuf tail;     /* the last output lines */
	struct bk_status *st; /* its sub-tasks */
	size_t n_st;
	char *error;
};

struct engine_bk_progress {
	engine_build_out_fn out;
	void *out_ud;
	struct bk_vertex *v;
	size_t n, alloc;
	int next_num;
	int stop;	      /* what 'out' returned, once not 0 */
	struct sbuf warnings; /* each warning's short message, one a line */
	size_t n_warnings;
};

struct engine_bk_progress *engine_bk_progress_new(engine_build_out_fn out,
						  void *out_ud)
{
	struct engine_bk_progress *bp = xcalloc(1, sizeof(*bp));

	bp->out = out;
	bp->out_ud = out_ud;
	return bp;
}

void engine_bk_progress_free(struct engine_bk_progress *bp)
{
	if (!bp)
		return;
	for (size_t i = 0; i < bp->n; i++) {
		free(bp->v[i].digest);
		free(bp->v[i].name);
		free(bp->v[i].error);
		sbuf_release(&bp->v[i].partial);
		sbuf_release(&bp->v[i].tail);
		for (size_t k = 0; k < bp->v[i].n_st; k++)
			free(bp->v[i].st[k].id);
		free(bp->v[i].st);
	}
	free(bp->v);
	sbuf_release(&bp->warnings);
	free(bp);
}

static struct bk_vertex *vertex_find(struct engine_bk_progress *bp,
				     const struct pb *digest)
{
	size_t len = (size_t)(digest->end - digest->p);

	for (size_t i = 0; i < bp->n; i++)
		if (strlen(bp->v[i].digest) == len &&
		    !memcmp(bp->v[i].digest, digest->p, len))
			return &bp->v[i];
	return NULL;
}

static struct bk_vertex *vertex_get(struct engine_bk_progress *bp,
				    const struct pb *digest)
{
	struct bk_vertex *x = vertex_find(bp, digest);

	if (x)
		return x;
	if (bp->n == bp->alloc) {
		bp->alloc = bp->alloc ? 2 * bp->alloc : 16;
		bp->v = xrealloc(bp->v, bp->alloc * sizeof(*bp->v));
	}
	x = &bp->v[bp->n++];
	memset(x, 0, sizeof(*x));
	x->digest = pb_strdup(digest);
	x->start = -1;
	x->partial = (struct sbuf)SBUF_INIT;
	x->tail = (struct sbuf)SBUF_INIT;
	return x;
}

static void say(struct engine_bk_progress *bp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct engine_bk_progress *bp, const char *fmt, ...)
{
	struct sbuf s = SBUF_INIT;
	va_list ap;

	if (!bp->out || bp->stop)
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&s, fmt, ap);
	va_end(ap);
	bp->stop = bp->out(bp->out_ud, s.buf ? s.buf : "");
	sbuf_release(&s);
}

/* "#N NAME", once, before anything else of the step. */
static void show(struct engine_bk_progress *bp, struct bk_vertex *x)
{
	if (x->shown)
		return;
	x->shown = true;
	x->num = ++bp->next_num;
	say(bp, "#%d %s", x->num, x->name ? x->name : x->digest);
}

/* Keeps the last TAIL_MAX bytes of whole lines. */
static void tail_add(struct sbuf *t, const char *line, size_t len)
{
	sbuf_add(t, line, len);
	sbuf_addch(t, '\n');
	if (t->len > TAIL_MAX) {
		const char *cut = t->buf + (t->len - TAIL_MAX);
		const char *nl = memchr(cut, '\n', TAIL_MAX);
		size_t drop = nl ? (size_t)(nl + 1 - t->buf) : t->len;

		memmove(t->buf, t->buf + drop, t->len - drop);
		sbuf_setlen(t, t->len - drop);
	}
}

static void log_line(struct engine_bk_progress *bp,
		     struct bk_vertex *x,
		     const char *line,
		     size_t len,
		     long long at)
{
	if (len && line[len - 1] == '\r')
		len--;
	tail_add(&x->tail, line, len);
	show(bp, x);
	if (at >= 0 && x->start >= 0 && at >= x->start)
		say(bp, "#%d %.3f %.*s", x->num, (double)(at - x->start) / 1e9,
		    (int)len, line);
	else
		say(bp, "#%d %.*s", x->num, (int)len, line);
}

/* A step's output: whole lines now, the rest when it ends. */
static void vertex_log(struct engine_bk_progress *bp,
		       struct bk_vertex *x,
		       const struct pb *msg,
		       long long at)
{
	const char *p = (const char *)msg->p, *end = (const char *)msg->end;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			sbuf_add(&x->partial, p, (size_t)(end - p));
			break;
		}
		if (x->partial.len) {
			sbuf_add(&x->partial, p, (size_t)(nl - p));
			log_line(bp, x, x->partial.buf, x->partial.len, at);
			sbuf_reset(&x->partial);
		} else {
			log_line(bp, x, p, (size_t)(nl - p), at);
		}
		p = nl + 1;
	}
}

static void vertex_flush(struct engine_bk_progress *bp, struct bk_vertex *x)
{
	if (!x->partial.len)
		return;
	log_line(bp, x, x->partial.buf, x->partial.len, -1);
	sbuf_reset(&x->partial);
}

/* What one Vertex message says. */
struct vtx_msg {
	struct pb digest, name, error;
	bool cached;
	long long started, completed; /* ns, -1: not set */
};

static int vtx_read(struct vtx_msg *m, struct pb r)
{
	uint32_t f;
	struct pb sub;
	uint64_t v;
	int k;

	memset(m, 0, sizeof(*m));
	m->started = m->completed = -1;
	while ((k = pb_next(&r, &f, &sub, &v)) > 0) {
		if (f == 1 && sub.p)
			m->digest = sub;
		else if (f == 3 && sub.p)
			m->name = sub;
		else if (f == 4)
			m->cached = v != 0;
		else if (f == 5 && sub.p && (m->started = pb_time(sub)) < 0)
			return -1;
		else if (f == 6 && sub.p && (m->completed = pb_time(sub)) < 0)
			return -1;
		else if (f == 7 && sub.p)
			m->error = sub;
	}
	return k < 0 || !m->digest.p ? -1 : 0;
}

static int vertex_update(struct engine_bk_progress *bp, struct pb r)
{
	struct vtx_msg m;
	struct bk_vertex *x;

	if (vtx_read(&m, r))
		return -1;
	x = vertex_get(bp, &m.digest);
	if (m.name.p && m.name.end > m.name.p) {
		free(x->name);
		x->name = pb_strdup(&m.name);
	}
	if (m.started >= 0 && x->start < 0)
		x->start = m.started;
	/* Not started yet: nothing to show (a failed load may never start). */
	if (x->done || (x->start < 0 && !m.cached && m.completed < 0))
		return 0;
	show(bp, x);
	if (m.cached) {
		x->done = true;
		say(bp, "#%d CACHED", x->num);
		return 0;
	}
	if (m.completed < 0)
		return 0;
	x->done = true;
	vertex_flush(bp, x);
	if (m.error.p && m.error.end > m.error.p) {
		free(x->error);
		x->error = pb_strdup(&m.error);
		say(bp, "#%d ERROR: %s", x->num, x->error);
	} else {
		long long d = x->start >= 0 && m.completed >= x->start
				      ? m.completed - x->start
				      : 0;

		say(bp, "#%d DONE %.1fs", x->num, (double)d / 1e9);
	}
	return 0;
}

static int log_update(struct engine_bk_progress *bp, struct pb r)
{
	struct pb vertex = {NULL, NULL}, msg = {NULL, NULL}, sub;
	long long at = -1;
	uint32_t f;
	uint64_t v;
	int k;

	while ((k = pb_next(&r, &f, &sub, &v)) > 0) {
		if (f == 1 && sub.p)
			vertex = sub;
		else if (f == 2 && sub.p && (at = pb_time(sub)) < 0)
			return -1;
		else if (f == 4 && sub.p)
			msg = sub;
	}
	if (k < 0 || !vertex.p)
		return -1;
	if (msg.p)
		vertex_log(bp, vertex_get(bp, &vertex), &msg, at);
	return 0;
}

/*
 * A byte count as progressui prints it (tonistiigi/units' "%.2f"): below
 * 1000 whole bytes ("512B"), else two decimals of the largest decimal
 * unit ("1.23kB", "45.60MB").
 */
static void bytes_add(struct sbuf *s, long long b)
{
	static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
	double v = (double)b;
	size_t u = 0;

	if (b < 1000 && b > -1000) {
		sbuf_addf(s, "%lldB", b);
		return;
	}
	v /= 1000;
	while (u + 1 < sizeof(unit) / sizeof(unit[0]) &&
	       (v >= 1000 || v <= -1000)) {
		v /= 1000;
		u++;
	}
	sbuf_addf(s, "%.2f%s", v, unit[u]);
}

/* What one VertexStatus message says. */
struct st_msg {
	struct pb id, vertex;
	long long current, total;
	long long at, started, completed; /* ns, -1: not set */
};

static int st_read(struct st_msg *m, struct pb r)
{
	uint32_t f;
	struct pb sub;
	uint64_t v;
	int k;

	memset(m, 0, sizeof(*m));
	m->at = m->started = m->completed = -1;
	while ((k = pb_next(&r, &f, &sub, &v)) > 0) {
		if (f == 1 && sub.p)
			m->id = sub;
		else if (f == 2 && sub.p)
			m->vertex = sub;
		else if (f == 4 && !sub.p)
			m->current = (long long)v;
		else if (f == 5 && !sub.p)
			m->total = (long long)v;
		else if (f == 6 && sub.p && (m->at = pb_time(sub)) < 0)
			return -1;
		else if (f == 7 && sub.p && (m->started = pb_time(sub)) < 0)
			return -1;
		else if (f == 8 && sub.p && (m->completed = pb_time(sub)) < 0)
			return -1;
	}
	return k < 0 || !m->vertex.p || !m->id.p ? -1 : 0;
}

static struct bk_status *status_get(struct bk_vertex *x, const struct pb *id)
{
	size_t len = (size_t)(id->end - id->p);
	struct bk_status *s;

	for (size_t i = 0; i < x->n_st; i++)
		if (strlen(x->st[i].id) == len &&
		    !memcmp(x->st[i].id, id->p, len))
			return &x->st[i];
	x->st = xrealloc(x->st, (x->n_st + 1) * sizeof(*x->st));
	s = &x->st[x->n_st++];
	memset(s, 0, sizeof(*s));
	s->id = pb_strdup(id);
	return s;
}

/* Whether a running sub-task has moved enough to be printed again. */
static bool status_moved(const struct bk_status *s, const struct st_msg *m)
{
	double delta = m->total > 0 ? (double)(m->current - s->current) /
					      (double)m->total
				    : 0;

	return !s->printed || delta >= STATUS_MIN_DELTA ||
	       (m->at >= 0 && s->at >= 0 && m->at - s->at >= STATUS_MIN_NS);
}

/*
 * A step's sub-task ("transferring context", "exporting layers", a layer
 * "sha256:..."): "#N ID CUR / TOTAL 1.2s" while it runs, "... done" once,
 * as the plain progress prints it: a sub-task that never started is not
 * printed, nor one that has not moved much since it was last printed.
 */
static int status_update(struct engine_bk_progress *bp, struct pb r)
{
	struct st_msg m;
	struct bk_vertex *x;
	struct bk_status *s;
	struct sbuf line = SBUF_INIT;
	long long end;

	if (st_read(&m, r))
		return -1;
	x = vertex_get(bp, &m.vertex);
	s = status_get(x, &m.id);
	if (m.started < 0 || s->done ||
	    (m.completed < 0 && !status_moved(s, &m)))
		return 0;
	s->printed = true;
	s->done = m.completed >= 0;
	s->current = m.current;
	s->at = m.at;
	sbuf_adds(&line, s->id);
	if (m.total) {
		sbuf_addch(&line, ' ');
		bytes_add(&line, m.current);
		sbuf_adds(&line, " / ");
		bytes_add(&line, m.total);
	} else if (m.current) {
		sbuf_addch(&line, ' ');
		bytes_add(&line, m.current);
	}
	end = m.completed >= 0 ? m.completed : m.at;
	if (end >= 0 && end - m.started > 10000000LL)
		sbuf_addf(&line, " %.1fs", (double)(end - m.started) / 1e9);
	if (s->done)
		sbuf_adds(&line, " done");
	show(bp, x);
	say(bp, "#%d %s", x->num, line.buf);
	sbuf_release(&line);
	return 0;
}

/*
 * A warning of a step (a Dockerfile's empty continuation line on dockerd
 * 26.1): "#N WARN: SHORT", as the plain progress prints it, and kept for
 * engine_bk_progress_warnings().  progressui drops a warning of a step it
 * has not seen; so does this.
 */
static int warning_update(struct engine_bk_progress *bp, struct pb r)
{
	struct pb vertex = {NULL, NULL}, msg = {NULL, NULL}, sub;
	struct bk_vertex *x;
	size_t at = bp->warnings.len;
	uint32_t f;
	uint64_t v;
	int k;

	while ((k = pb_next(&r, &f, &sub, &v)) > 0) {
		if (f == 1 && sub.p)
			vertex = sub;
		else if (f == 3 && sub.p)
			msg = sub;
	}
	if (k < 0)
		return -1;
	x = vertex.p ? vertex_find(bp, &vertex) : NULL;
	if (!x || !msg.p)
		return 0;
	/* One line each: a newline (or NUL) would forge or cut one. */
	for (const unsigned char *c = msg.p; c < msg.end; c++)
		sbuf_addch(&bp->warnings, *c < 0x20 ? ' ' : (char)*c);
	sbuf_addch(&bp->warnings, '\n');
	bp->n_warnings++;
	show(bp, x);
	say(bp, "#%d WARN: %.*s", x->num, (int)(bp->warnings.len - at - 1),
	    bp->warnings.buf + at);
	return 0;
}

int engine_bk_progress_feed(struct engine_bk_progress *bp,
			    const unsigned char *buf,
			    size_t len)
{
	struct pb r = {buf, buf + len}, sub;
	uint32_t f;
	uint64_t v;
	int k;

	while ((k = pb_next(&r, &f, &sub, &v)) > 0) {
		if (f == 1 && sub.p && vertex_update(bp, sub))
			return DIAG_ESYNTAX;
		if (f == 2 && sub.p && status_update(bp, sub))
			return DIAG_ESYNTAX;
		if (f == 3 && sub.p && log_update(bp, sub))
			return DIAG_ESYNTAX;
		if (f == 4 && sub.p && warning_update(bp, sub))
			return DIAG_ESYNTAX;
	}
	if (k < 0)
		return DIAG_ESYNTAX;
	return bp->stop;
}

int engine_bk_progress_feed_b64(struct engine_bk_progress *bp, const char *b64)
{
	struct sbuf raw = SBUF_INIT;
	int rc = DIAG_ESYNTAX;

	if (b64 && !eng_base64_decode(&raw, b64))
		rc = engine_bk_progress_feed(
			bp, (const unsigned char *)(raw.buf ? raw.buf : ""),
			raw.len);
	sbuf_release(&raw);
	return rc;
}

char *engine_bk_progress_failure(const struct engine_bk_progress *bp)
{
	struct sbuf s = SBUF_INIT;

	for (size_t i = 0; i < bp->n; i++) {
		const struct bk_vertex *x = &bp->v[i];

		if (!x->error)
			continue;
		/* Its output ended with it (vertex_flush): all in 'tail'. */
		sbuf_addf(&s, "%s > %s:", s.len ? "\n" : "",
			  x->name ? x->name : x->digest);
		if (x->tail.len) {
			sbuf_addch(&s, '\n');
			sbuf_add(&s, x->tail.buf, x->tail.len - 1);
		}
	}
	return s.len ? sbuf_detach(&s, NULL) : NULL;
}

size_t engine_bk_progress_warnings(const struct engine_bk_progress *bp,
				   const char **out)
{
	*out = bp->warnings.len ? bp->warnings.buf : "";
	return bp->n_warnings;
}
