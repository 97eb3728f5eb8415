/*
 * BuildKit's progress (engine/buildkit.c): StatusResponse messages, built
 * here with a few lines of protobuf encoding, become the lines of
 * `docker build --progress=plain`; truncated, garbled and random input is
 * refused without a read out of bounds (ASan runs these too).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fake_server.h"
#include "util/sbuf.h"

/* ---- Protobuf encoding for the tests ------------------------------------ */

static void put_varint(struct sbuf *b, uint64_t v)
{
	do {
		unsigned char c = v & 0x7f;

		v >>= 7;
		sbuf_addch(b, c | (v ? 0x80 : 0));
	} while (v);
}

static void put_bytes(struct sbuf *b, unsigned field, const void *p, size_t n)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, n);
	sbuf_add(b, p, n);
}

static void put_str(struct sbuf *b, unsigned field, const char *s)
{
	put_bytes(b, field, s, strlen(s));
}

static void put_msg(struct sbuf *b, unsigned field, struct sbuf *m)
{
	put_bytes(b, field, m->buf ? m->buf : "", m->len);
	sbuf_release(m);
}

/* A Timestamp of 's' seconds plus 'ms' milliseconds; none when s < 0. */
static void put_time(struct sbuf *b, unsigned field, long s, long ms)
{
	struct sbuf t = SBUF_INIT;

	if (s < 0)
		return;
	put_varint(&t, 1 << 3);
	put_varint(&t, (uint64_t)s);
	put_varint(&t, 2 << 3);
	put_varint(&t, (uint64_t)ms * 1000000);
	put_msg(b, field, &t);
}

/* A StatusResponse with one Vertex (times in ms after 1000 s). */
static void vertex(struct sbuf *out,
		   const char *digest,
		   const char *name,
		   bool cached,
		   long started_ms,
		   long completed_ms,
		   const char *error)
{
	struct sbuf v = SBUF_INIT;

	put_str(&v, 1, digest);
	put_str(&v, 2, "sha256:input"); /* inputs: skipped */
	put_str(&v, 3, name);
	if (cached) {
		put_varint(&v, 4 << 3);
		put_varint(&v, 1);
	}
	if (started_ms >= 0)
		put_time(&v, 5, 1000 + started_ms / 1000, started_ms % 1000);
	if (completed_ms >= 0)
		put_time(&v, 6, 1000 + completed_ms / 1000,
			 completed_ms % 1000);
	if (error)
		put_str(&v, 7, error);
	put_msg(out, 1, &v);
}

/* A StatusResponse with one VertexLog at 'at_ms'. */
static void
vlog(struct sbuf *out, const char *digest, long at_ms, const char *m)
{
	struct sbuf l = SBUF_INIT;

	put_str(&l, 1, digest);
	put_time(&l, 2, 1000 + at_ms / 1000, at_ms % 1000);
	put_varint(&l, 3 << 3);
	put_varint(&l, 1);
	put_str(&l, 4, m);
	put_msg(out, 3, &l);
}

/* A StatusResponse with one VertexStatus of step 'digest'. */
static void vstatus(struct sbuf *out,
		    const char *digest,
		    const char *id,
		    long started_ms,
		    long completed_ms)
{
	struct sbuf st = SBUF_INIT;

	put_str(&st, 1, id);
	put_str(&st, 2, digest);
	put_str(&st, 3, "ignored name");
	put_varint(&st, 4 << 3);
	put_varint(&st, 1234);
	if (started_ms >= 0)
		put_time(&st, 7, 1000 + started_ms / 1000, started_ms % 1000);
	if (completed_ms >= 0)
		put_time(&st, 8, 1000 + completed_ms / 1000,
			 completed_ms % 1000);
	put_msg(out, 2, &st);
}

static char *b64(const struct sbuf *raw)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)raw->buf;
	struct sbuf o = SBUF_INIT;

	for (size_t i = 0; i < raw->len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t n = raw->len - i;

		if (n > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		sbuf_addch(&o, tab[v >> 18 & 63]);
		sbuf_addch(&o, tab[v >> 12 & 63]);
		sbuf_addch(&o, n > 1 ? tab[v >> 6 & 63] : '=');
		sbuf_addch(&o, n > 2 ? tab[v & 63] : '=');
	}
	return sbuf_detach(&o, NULL);
}

/* ---- The printer -------------------------------------------------------- */

static int collect(void *ud, const char *text)
{
	sbuf_addf(ud, "%s\n", text);
	return 0;
}

static struct sbuf lines = SBUF_INIT;
static struct engine_bk_progress *bp;

static void setup(void)
{
	sbuf_reset(&lines);
	bp = engine_bk_progress_new(collect, &lines);
}

static void teardown(void)
{
	engine_bk_progress_free(bp);
	bp = NULL;
	sbuf_release(&lines);
}

TestSuite(engine_buildkit, .init = setup, .fini = teardown);

static void feed(struct sbuf *m)
{
	cr_assert_eq(
		engine_bk_progress_feed(bp, (unsigned char *)m->buf, m->len),
		0);
	sbuf_release(m);
}

Test(engine_buildkit, steps_print_as_the_plain_progress_does)
{
	struct sbuf m = SBUF_INIT;
	char *s;

	/* Seen, not started: nothing yet. */
	vertex(&m, "sha256:a", "[1/3] FROM local/busybox:lab", false, -1, -1,
	       NULL);
	feed(&m);
	cr_assert_eq(lines.len, 0, "%s", lines.buf);
	vertex(&m, "sha256:a", "[1/3] FROM local/busybox:lab", false, 0, -1,
	       NULL);
	vertex(&m, "sha256:b", "[2/3] COPY x /x", true, 10, 10, NULL);
	vertex(&m, "sha256:a", "[1/3] FROM local/busybox:lab", false, 0, 400,
	       NULL);
	feed(&m);
	/* Output split across messages, a line at a time. */
	vertex(&m, "sha256:c", "[3/3] RUN echo hi", false, 1000, -1, NULL);
	vlog(&m, "sha256:c", 1500, "hel");
	feed(&m);
	vlog(&m, "sha256:c", 1750, "lo\r\nwor");
	vlog(&m, "sha256:c", 1800, "ld\n");
	vertex(&m, "sha256:c", "[3/3] RUN echo hi", false, 1000, 2000, NULL);
	/* An update after the end changes nothing. */
	vertex(&m, "sha256:c", "[3/3] RUN echo hi", false, 1000, 2000, NULL);
	feed(&m);
	cr_assert_str_eq(lines.buf, "#1 [1/3] FROM local/busybox:lab\n"
				    "#2 [2/3] COPY x /x\n"
				    "#2 CACHED\n"
				    "#1 DONE 0.4s\n"
				    "#3 [3/3] RUN echo hi\n"
				    "#3 0.750 hello\n"
				    "#3 0.800 world\n"
				    "#3 DONE 1.0s\n");
	s = engine_bk_progress_failure(bp);
	cr_assert_null(s, "%s", s);
}

Test(engine_buildkit, a_step_s_sub_tasks_print_once_when_done)
{
	struct sbuf m = SBUF_INIT;

	vertex(&m, "sha256:e", "exporting to image", false, 0, -1, NULL);
	vstatus(&m, "sha256:e", "exporting layers", 0, -1);
	vstatus(&m, "sha256:e", "exporting layers", 0, 100);
	vstatus(&m, "sha256:e", "writing image sha256:1", -1, 150);
	/* Sent again at the end: said once. */
	vstatus(&m, "sha256:e", "exporting layers", 0, 100);
	vertex(&m, "sha256:e", "exporting to image", false, 0, 200, NULL);
	feed(&m);
	cr_assert_str_eq(lines.buf, "#1 exporting to image\n"
				    "#1 exporting layers 0.1s done\n"
				    "#1 writing image sha256:1 done\n"
				    "#1 DONE 0.2s\n");
}

Test(engine_buildkit, a_failed_step_prints_its_error_and_keeps_its_output)
{
	struct sbuf m = SBUF_INIT;
	char *s;

	vertex(&m, "sha256:r", "[2/2] RUN echo boom; exit 3", false, 0, -1,
	       NULL);
	vlog(&m, "sha256:r", 100, "boom\nlast words");
	vertex(&m, "sha256:r", "[2/2] RUN echo boom; exit 3", false, 0, 200,
	       "exit code: 3");
	/* A step that fails before it starts (a bad FROM) is shown too. */
	vertex(&m, "sha256:f", "[1/1] FROM nowhere", false, -1, 5, "not found");
	feed(&m);
	cr_assert(strstr(lines.buf, "#1 0.100 boom\n#1 last words\n"
				    "#1 ERROR: exit code: 3\n"),
		  "%s", lines.buf);
	cr_assert(strstr(lines.buf, "#2 [1/1] FROM nowhere\n"
				    "#2 ERROR: not found\n"),
		  "%s", lines.buf);
	s = engine_bk_progress_failure(bp);
	cr_assert_str_eq(s, " > [2/2] RUN echo boom; exit 3:\nboom\nlast words"
			    "\n > [1/1] FROM nowhere:");
	free(s);
}

Test(engine_buildkit, the_failure_keeps_only_the_last_output)
{
	struct sbuf m = SBUF_INIT;
	char line[64], *s;

	vertex(&m, "sha256:r", "[2/2] RUN seq 1000", false, 0, -1, NULL);
	for (int i = 1; i <= 1000; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		vlog(&m, "sha256:r", 1, line);
	}
	vertex(&m, "sha256:r", "[2/2] RUN seq 1000", false, 0, 2, "exit 1");
	feed(&m);
	s = engine_bk_progress_failure(bp);
	cr_assert(strlen(s) < 1100, "%zu", strlen(s));
	cr_assert(strstr(s, "\nline 1000"), "%s", s);
	cr_assert_null(strstr(s, "line 1\n"), "%s", s);
	/* Whole lines only: the first kept one starts after a newline. */
	cr_assert(!strncmp(strchr(s, '\n') + 1, "line ", 5), "%s", s);
	free(s);
}

static int stop_at_two(void *ud, const char *text)
{
	int *n = ud;

	(void)text;
	return ++*n == 2 ? 7 : 0;
}

Test(engine_buildkit, out_can_stop_the_stream)
{
	struct engine_bk_progress *p;
	struct sbuf m = SBUF_INIT;
	int n = 0;

	p = engine_bk_progress_new(stop_at_two, &n);
	vertex(&m, "sha256:a", "one", false, 0, 100, NULL);
	vertex(&m, "sha256:b", "two", false, 0, 100, NULL);
	cr_assert_eq(engine_bk_progress_feed(p, (unsigned char *)m.buf, m.len),
		     7);
	cr_assert_eq(n, 2, "nothing is said after the stop");
	engine_bk_progress_free(p);
	sbuf_release(&m);
}

Test(engine_buildkit, base64_is_the_aux_form)
{
	struct sbuf m = SBUF_INIT;
	char *t;

	vertex(&m, "sha256:a", "[1/1] FROM x", true, 0, 0, NULL);
	t = b64(&m);
	cr_assert_eq(engine_bk_progress_feed_b64(bp, t), 0);
	cr_assert_str_eq(lines.buf, "#1 [1/1] FROM x\n#1 CACHED\n");
	cr_assert_eq(engine_bk_progress_feed_b64(bp, "not base64!"),
		     DIAG_ESYNTAX);
	cr_assert_eq(engine_bk_progress_feed_b64(bp, NULL), DIAG_ESYNTAX);
	cr_assert_eq(engine_bk_progress_feed_b64(bp, ""), 0, "empty message");
	free(t);
	sbuf_release(&m);
}

/* ---- Bad input ---------------------------------------------------------- */

static int feed_copy(const void *p, size_t n)
{
	/* A heap copy of exactly n bytes: ASan sees any read past it. */
	unsigned char *c = malloc(n ? n : 1);
	int rc;

	memcpy(c, p, n);
	rc = engine_bk_progress_feed(bp, c, n);
	free(c);
	return rc;
}

Test(engine_buildkit, every_truncation_is_refused_or_read_in_bounds)
{
	struct sbuf m = SBUF_INIT;

	vertex(&m, "sha256:r", "[2/2] RUN echo boom", false, 0, -1, NULL);
	vlog(&m, "sha256:r", 100, "boom\n");
	vstatus(&m, "sha256:r", "sub-task", 0, 150);
	vertex(&m, "sha256:r", "[2/2] RUN echo boom", false, 0, 200, "bad");
	for (size_t n = 0; n < m.len; n++) {
		int rc = feed_copy(m.buf, n);

		cr_assert(rc == 0 || rc == DIAG_ESYNTAX, "%zu: %d", n, rc);
	}
	cr_assert_eq(feed_copy(m.buf, m.len), 0);
	sbuf_release(&m);
}

Test(engine_buildkit, garbled_input_is_refused)
{
	static const unsigned char overlong[] = {0x0a, 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff, 0x01};
	static const unsigned char too_long[] = {0x0a, 0x7f, 0x0a, 0x01};
	static const unsigned char group[] = {0x0b, 0x0c};
	static const unsigned char field0[] = {0x02, 0x00};
	static const unsigned char no_digest[] = {0x0a, 0x02, 0x18, 0x01};
	static const unsigned char bad_time[] = {0x0a, 0x07, 0x0a, 0x01, 'd',
						 0x2a, 0x02, 0x08, 0xff};
	static const unsigned char skipped[] = {
		0x11, 1,    2, 3, 4, 5, 6, 7, 8, /* fixed64 */
		0x25, 1,    2, 3, 4,		 /* fixed32 */
		0x28, 0x05,			 /* varint, unknown field */
		0x22, 0x00};			 /* warnings, empty */

	cr_assert_eq(feed_copy(overlong, sizeof(overlong)), DIAG_ESYNTAX);
	cr_assert_eq(feed_copy(too_long, sizeof(too_long)), DIAG_ESYNTAX);
	cr_assert_eq(feed_copy(group, sizeof(group)), DIAG_ESYNTAX);
	cr_assert_eq(feed_copy(field0, sizeof(field0)), DIAG_ESYNTAX);
	cr_assert_eq(feed_copy(no_digest, sizeof(no_digest)), DIAG_ESYNTAX);
	cr_assert_eq(feed_copy(bad_time, sizeof(bad_time)), DIAG_ESYNTAX);
	cr_assert_eq(feed_copy(skipped, sizeof(skipped)), 0);
	cr_assert_eq(feed_copy(skipped, 3), DIAG_ESYNTAX, "fixed64 cut");
	cr_assert_eq(lines.len, 0, "%s", lines.buf);
}

Test(engine_buildkit, random_bytes_never_crash)
{
	unsigned char buf[256];
	uint32_t x = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(x % sizeof(buf));
		int rc;

		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		/* Sometimes a valid field header first, to go deeper. */
		if (n > 2 && round % 3 == 0) {
			buf[0] = round % 2 ? 0x0a : 0x1a;
			buf[1] = (unsigned char)(n - 2);
		}
		rc = feed_copy(buf, n);
		cr_assert(rc == 0 || rc == DIAG_ESYNTAX, "%d", rc);
		x = x * 1103515245u + 12345u;
	}
}

/* ---- A recorded stream, through engine_image_build ---------------------- */

/*
 * build_buildkit_error.http is what the lab's dockerd 20.10 sent for a
 * version=2 build whose RUN step prints two lines and exits 3.
 */
static void build_recorded(engine_build_out_fn out,
			   void *ud,
			   char *target,
			   size_t tsize,
			   struct diag *err)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.path = "/build", .fixture = "build_buildkit_error.http"},
	};
	char dir[] = "/tmp/mixcompose-bk-XXXXXX", path[64];
	struct engine_build_spec spec = {.ctx = {.dir = dir},
					 .tags = {(const char *[]){"x"}, 1},
					 .buildkit = true};
	struct engine_config cfg = {.name = "fake"};
	struct fake_server *fs = fake_start(routes, 2);
	struct engine *e = NULL;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Dockerfile", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("FROM x\n", f);
	fclose(f);
	cfg.url = fake_url(fs);
	cr_assert_eq(engine_new(&e, &cfg, err), 0, "%s", err->msg);
	cr_assert_eq(engine_image_build(e, &spec, out, ud, NULL, err),
		     DIAG_EENGINE);
	fake_last(fs, target, tsize, NULL, 0);
	engine_free(e);
	fake_stop(fs);
	unlink(path);
	rmdir(dir);
}

Test(engine_buildkit, a_recorded_failure_reaches_out_and_the_error)
{
	struct diag err = {0};
	char target[1024];

	build_recorded(collect, &lines, target, sizeof(target), &err);
	cr_assert(strstr(target, "/build?rm=1&version=2&t=x"), "%s", target);
	/* The steps as the plain progress prints them. */
	cr_assert(
		strstr(lines.buf, "#1 [internal] load remote build context\n"),
		"%s", lines.buf);
	cr_assert(
		strstr(lines.buf,
		       " [2/2] RUN echo boom-recorded; echo second; exit 3\n"),
		"%s", lines.buf);
	cr_assert(strstr(lines.buf, " boom-recorded\n"), "%s", lines.buf);
	cr_assert(strstr(lines.buf, " ERROR: executor failed running"), "%s",
		  lines.buf);
	/* 'out' showed the output: the error is the daemon's alone. */
	cr_assert(strstr(err.msg, "exit code: 3"), "%s", err.msg);
	cr_assert_null(strstr(err.msg, "boom-recorded\n"), "%s", err.msg);
}

Test(engine_buildkit, without_out_the_error_carries_the_step_output)
{
	struct diag err = {0};
	char target[1024];

	build_recorded(NULL, NULL, target, sizeof(target), &err);
	cr_assert(strstr(err.msg, "daemon 'fake': POST "), "%s", err.msg);
	cr_assert(strstr(err.msg, ": executor failed running [/bin/sh -c echo "
				  "boom-recorded; echo second; exit 3]: exit "
				  "code: 3\n > [2/2] RUN echo boom-recorded; "
				  "echo second; exit 3:\nboom-recorded\n"
				  "second"),
		  "%s", err.msg);
}
