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

/*
 * A StatusResponse with one VertexStatus of step 'digest': 'current' of
 * 'total' bytes at 'at_ms' (none when < 0).
 */
static void vstatus_at(struct sbuf *out,
		       const char *digest,
		       const char *id,
		       long long current,
		       long long total,
		       long at_ms,
		       long started_ms,
		       long completed_ms)
{
	struct sbuf st = SBUF_INIT;

	put_str(&st, 1, id);
	put_str(&st, 2, digest);
	put_str(&st, 3, "ignored name");
	if (current) {
		put_varint(&st, 4 << 3);
		put_varint(&st, (uint64_t)current);
	}
	if (total) {
		put_varint(&st, 5 << 3);
		put_varint(&st, (uint64_t)total);
	}
	if (at_ms >= 0)
		put_time(&st, 6, 1000 + at_ms / 1000, at_ms % 1000);
	if (started_ms >= 0)
		put_time(&st, 7, 1000 + started_ms / 1000, started_ms % 1000);
	if (completed_ms >= 0)
		put_time(&st, 8, 1000 + completed_ms / 1000,
			 completed_ms % 1000);
	put_msg(out, 2, &st);
}

static void vstatus(struct sbuf *out,
		    const char *digest,
		    const char *id,
		    long started_ms,
		    long completed_ms)
{
	vstatus_at(out, digest, id, 0, 0, -1, started_ms, completed_ms);
}

/* A StatusResponse with one VertexWarning of step 'digest'. */
static void vwarn(struct sbuf *out, const char *digest, const char *msg)
{
	struct sbuf w = SBUF_INIT;

	put_str(&w, 1, digest);
	put_varint(&w, 2 << 3);
	put_varint(&w, 1);
	put_str(&w, 3, msg);
	put_str(&w, 4, "a detail: not printed");
	put_str(&w, 5, "https://example.invalid/why");
	put_msg(out, 4, &w);
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
	vstatus(&m, "sha256:e", "writing image sha256:1", 145, 150);
	/* Never started: the plain progress never prints it. */
	vstatus(&m, "sha256:e", "naming to x", -1, 160);
	/* Sent again at the end: said once. */
	vstatus(&m, "sha256:e", "exporting layers", 0, 100);
	vertex(&m, "sha256:e", "exporting to image", false, 0, 200, NULL);
	feed(&m);
	/* Under 0.01 s no time is printed, as in the plain progress. */
	cr_assert_str_eq(lines.buf, "#1 exporting to image\n"
				    "#1 exporting layers\n"
				    "#1 exporting layers 0.1s done\n"
				    "#1 writing image sha256:1 done\n"
				    "#1 DONE 0.2s\n");
}

/*
 * A transfer: "#N ID CUR / TOTAL TIME" in tonistiigi/units' "%.2f" (whole
 * bytes below 1000), again only once it moved by 5 % of its total or 5 s
 * passed, and "done" at the end; a count without a total alone.
 */
Test(engine_buildkit, a_transfer_prints_its_bytes_as_it_moves)
{
	struct sbuf m = SBUF_INIT;
	const char *l = "sha256:layer";

	vertex(&m, "sha256:p", "[1/2] FROM r/busybox", false, 0, -1, NULL);
	vstatus_at(&m, "sha256:p", l, 512, 2100000, 100, 0, -1);
	/* 1 % more, 0.2 s later: not printed. */
	vstatus_at(&m, "sha256:p", l, 21512, 2100000, 300, 0, -1);
	/* 5 % more than last printed: printed. */
	vstatus_at(&m, "sha256:p", l, 105512, 2100000, 400, 0, -1);
	/* Hardly moved, but 5 s after the last print: printed. */
	vstatus_at(&m, "sha256:p", l, 106000, 2100000, 5400, 0, -1);
	vstatus_at(&m, "sha256:p", l, 2100000, 2100000, 5600, 0, 5600);
	vstatus_at(&m, "sha256:p", "extracting", 999, 0, 5700, 5600, 5700);
	vstatus_at(&m, "sha256:p", "sum", 1234567890123LL, 0, 5800, 5600, 5800);
	vertex(&m, "sha256:p", "[1/2] FROM r/busybox", false, 0, 5900, NULL);
	feed(&m);
	cr_assert_str_eq(lines.buf,
			 "#1 [1/2] FROM r/busybox\n"
			 "#1 sha256:layer 512B / 2.10MB 0.1s\n"
			 "#1 sha256:layer 105.51kB / 2.10MB 0.4s\n"
			 "#1 sha256:layer 106.00kB / 2.10MB 5.4s\n"
			 "#1 sha256:layer 2.10MB / 2.10MB 5.6s done\n"
			 "#1 extracting 999B 0.1s done\n"
			 "#1 sum 1.23TB 0.2s done\n"
			 "#1 DONE 5.9s\n");
}

Test(engine_buildkit, warnings_print_as_the_plain_progress_does)
{
	struct sbuf m = SBUF_INIT;
	const char *w = NULL;

	vertex(&m, "sha256:d", "[internal] load build definition", false, 0, 10,
	       NULL);
	vwarn(&m, "sha256:d", "Empty continuation line found in: RUN a");
	/* A step never seen: dropped, as progressui drops it. */
	vwarn(&m, "sha256:nowhere", "lost");
	/* A newline cannot forge a line of its own. */
	vwarn(&m, "sha256:d", "two\nlines");
	feed(&m);
	cr_assert_str_eq(lines.buf,
			 "#1 [internal] load build definition\n"
			 "#1 DONE 0.0s\n"
			 "#1 WARN: Empty continuation line found in: RUN a\n"
			 "#1 WARN: two lines\n");
	cr_assert_eq(engine_bk_progress_warnings(bp, &w), 2);
	cr_assert_str_eq(w, "Empty continuation line found in: RUN a\n"
			    "two lines\n");
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
	vstatus_at(&m, "sha256:r", "sha256:l", 5, 10, 120, 0, -1);
	vwarn(&m, "sha256:r", "a warning");
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
 * A version=2 build through engine_image_build against a fake daemon that
 * replays recorded reply 'fixture' (the request line in 'target', the
 * image id in 'id'); returns what the build returned.
 * build_buildkit_error.http is what the lab's dockerd 20.10 sent for a
 * version=2 build whose RUN step prints two lines and exits 3.
 */
static int build_fixture(const char *fixture,
			 engine_build_out_fn out,
			 void *ud,
			 char *target,
			 size_t tsize,
			 char id[96],
			 struct diag *err)
{
	const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.path = "/build", .fixture = fixture},
	};
	char dir[] = "/tmp/mixcompose-bk-XXXXXX", path[64];
	struct engine_build_spec spec = {.ctx = {.dir = dir},
					 .tags = {(const char *[]){"x"}, 1},
					 .buildkit = true};
	struct engine_config cfg = {.name = "fake"};
	struct fake_server *fs = fake_start(routes, 2);
	struct engine *e = NULL;
	FILE *f;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Dockerfile", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("FROM x\n", f);
	fclose(f);
	cfg.url = fake_url(fs);
	cr_assert_eq(engine_new(&e, &cfg, err), 0, "%s", err->msg);
	rc = engine_image_build(e, &spec, out, ud, id, err);
	if (target)
		fake_last(fs, target, tsize, NULL, 0);
	engine_free(e);
	fake_stop(fs);
	unlink(path);
	rmdir(dir);
	return rc;
}

static void build_recorded(engine_build_out_fn out,
			   void *ud,
			   char *target,
			   size_t tsize,
			   struct diag *err)
{
	cr_assert_eq(build_fixture("build_buildkit_error.http", out, ud, target,
				   tsize, NULL, err),
		     DIAG_EENGINE);
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

/*
 * build_buildkit_warning.http is what the lab's dockerd 26.1 sent for a
 * version=2 build of a Dockerfile with an empty continuation line (20.10's
 * BuildKit 0.8 sends no warnings).
 */
Test(engine_buildkit, a_recorded_warning_is_printed_and_summed_up)
{
	struct diag err = {0};
	char id[96] = "";

	cr_assert_eq(build_fixture("build_buildkit_warning.http", collect,
				   &lines, NULL, 0, id, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(id, "sha256:aa409cfd28227750d10a7320d7ae158258f08281a1"
			     "2f9f819f0bec44db1ce425");
	/* On the step that read the Dockerfile, before the RUN step. */
	cr_assert(strstr(lines.buf, "#2 copy /context /\n#2 DONE 0.0s\n"
				    "#2 WARN: Empty continuation line found "
				    "in: RUN echo warn-recorded   && echo "
				    "second\n#3 "),
		  "%s", lines.buf);
	/* Its sub-tasks, each once started and once done. */
	cr_assert(strstr(lines.buf, "#6 exporting layers\n"
				    "#6 exporting layers 0.0s done\n"
				    "#6 writing image sha256:aa409cfd"),
		  "%s", lines.buf);
	/* After the build, once more, as buildx sums them up. */
	cr_assert(strstr(lines.buf, "\n1 warning found:\n - Empty continuation "
				    "line found in: RUN echo warn-recorded   "
				    "&& echo second\n"),
		  "%s", lines.buf);
}

/*
 * build_buildkit_pull.http is what the lab's dockerd 26.1 sent for a
 * version=2 build with pull=1 of an image (one 3 MB layer) in a loopback
 * registry of the test's own: the layer's transfer with its bytes.
 */
Test(engine_buildkit, a_recorded_transfer_prints_its_bytes)
{
	struct diag err = {0};
	char id[96] = "";

	cr_assert_eq(build_fixture("build_buildkit_pull.http", collect, &lines,
				   NULL, 0, id, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(id, "sha256:108a46ed131228368b9e55f31e1f05bf2367400eee"
			     "27b241d4308340836bf3e2");
	/* Its time only above 0.01 s, as the plain progress prints it. */
	cr_assert(strstr(lines.buf,
			 "#4 extracting sha256:8877cb069589ce02900c096903aef29e"
			 "c497961497deb148ee9d35046b9859b1 0.0s done\n"
			 "#4 sha256:8877cb069589ce02900c096903aef29ec497961497d"
			 "eb148ee9d35046b9859b1 3.00MB / 3.00MB 0.0s done\n"
			 "#4 sha256:e07d50f836cc1a31f7a629c25bbf61f76d6ec3c6fcd"
			 "00b2dcea62db12653ceb7 527B / 527B done\n"),
		  "%s", lines.buf);
	cr_assert_null(strstr(lines.buf, "WARN"), "%s", lines.buf);
}
