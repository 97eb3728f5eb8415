#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/sbuf.h"

struct sink {
	struct sbuf out;
	struct sbuf err;
	int calls;
	int stop_after;
};

static int sink_fn(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	struct sink *k = ud;

	sbuf_add(s == ENGINE_STDERR ? &k->err : &k->out, p, n);
	k->calls++;
	return k->stop_after && k->calls >= k->stop_after;
}

static size_t frame(char *buf, int stream, const char *payload)
{
	size_t n = strlen(payload);

	buf[0] = (char)stream;
	buf[1] = buf[2] = buf[3] = 0;
	buf[4] = (char)(n >> 24);
	buf[5] = (char)(n >> 16);
	buf[6] = (char)(n >> 8);
	buf[7] = (char)n;
	memcpy(buf + 8, payload, n);
	return n + 8;
}

Test(engine_stream, demux_separates_stdout_and_stderr)
{
	struct sink k = {SBUF_INIT, SBUF_INIT, 0, 0};
	struct engine_demux d;
	char buf[256];
	size_t n = 0;

	n += frame(buf + n, 1, "hello\n");
	n += frame(buf + n, 2, "oops\n");
	n += frame(buf + n, 1, "bye\n");
	engine_demux_init(&d, false, sink_fn, &k);
	cr_assert_eq(engine_demux_feed(&d, buf, n), 0);
	cr_assert_str_eq(k.out.buf, "hello\nbye\n");
	cr_assert_str_eq(k.err.buf, "oops\n");
	cr_assert_not(engine_demux_partial(&d));
	sbuf_release(&k.out);
	sbuf_release(&k.err);
}

Test(engine_stream, demux_survives_byte_by_byte_chunks)
{
	struct sink k = {SBUF_INIT, SBUF_INIT, 0, 0};
	struct engine_demux d;
	char buf[256];
	size_t n = 0;

	n += frame(buf + n, 2, "error line\n");
	n += frame(buf + n, 1, "out line\n");
	engine_demux_init(&d, false, sink_fn, &k);
	for (size_t i = 0; i < n; i++)
		engine_demux_feed(&d, buf + i, 1);
	cr_assert_str_eq(k.out.buf, "out line\n");
	cr_assert_str_eq(k.err.buf, "error line\n");
	sbuf_release(&k.out);
	sbuf_release(&k.err);
}

Test(engine_stream, demux_reports_a_truncated_frame)
{
	struct sink k = {SBUF_INIT, SBUF_INIT, 0, 0};
	struct engine_demux d;
	char buf[64];
	size_t n = frame(buf, 1, "0123456789");

	engine_demux_init(&d, false, sink_fn, &k);
	engine_demux_feed(&d, buf, n - 4);
	cr_assert(engine_demux_partial(&d));
	cr_assert_str_eq(k.out.buf, "012345");
	engine_demux_init(&d, false, sink_fn, &k);
	engine_demux_feed(&d, buf, 5);
	cr_assert(engine_demux_partial(&d));
	sbuf_release(&k.out);
}

Test(engine_stream, raw_mode_passes_bytes_as_stdout)
{
	struct sink k = {SBUF_INIT, SBUF_INIT, 0, 0};
	struct engine_demux d;

	engine_demux_init(&d, true, sink_fn, &k);
	engine_demux_feed(&d, "\x01\x00tty text", 10);
	cr_assert_eq(k.out.len, 10);
	cr_assert_eq(k.err.len, 0);
	sbuf_release(&k.out);
}

Test(engine_stream, demux_stops_when_asked)
{
	struct sink k = {SBUF_INIT, SBUF_INIT, 0, 1};
	struct engine_demux d;
	char buf[128];
	size_t n = 0;

	n += frame(buf + n, 1, "one");
	n += frame(buf + n, 1, "two");
	engine_demux_init(&d, false, sink_fn, &k);
	cr_assert_neq(engine_demux_feed(&d, buf, n), 0);
	cr_assert_str_eq(k.out.buf, "one");
	cr_assert_neq(engine_demux_feed(&d, buf, n), 0);
	cr_assert_eq(k.calls, 1);
	sbuf_release(&k.out);
}

struct lines {
	char got[8][64];
	int n;
	int stop_at;
};

static int line_fn(void *ud, const char *line, size_t len)
{
	struct lines *l = ud;

	snprintf(l->got[l->n++], 64, "%.*s", (int)len, line);
	return l->stop_at && l->n >= l->stop_at;
}

Test(engine_stream, lines_split_across_chunks)
{
	struct lines l = {.n = 0};
	struct engine_lines ls;

	engine_lines_init(&ls, line_fn, &l);
	engine_lines_feed(&ls, "{\"a\":1}\n{\"b\"", 12);
	engine_lines_feed(&ls, ":2}\r\n{\"c\":3}", 12);
	cr_assert_eq(l.n, 2);
	engine_lines_finish(&ls);
	cr_assert_eq(l.n, 3);
	cr_assert_str_eq(l.got[0], "{\"a\":1}");
	cr_assert_str_eq(l.got[1], "{\"b\":2}");
	cr_assert_str_eq(l.got[2], "{\"c\":3}");
}

Test(engine_stream, lines_stop_when_asked)
{
	struct lines l = {.n = 0, .stop_at = 1};
	struct engine_lines ls;

	engine_lines_init(&ls, line_fn, &l);
	cr_assert_neq(engine_lines_feed(&ls, "a\nb\nc\n", 6), 0);
	cr_assert_eq(l.n, 1);
	engine_lines_finish(&ls);
	cr_assert_eq(l.n, 1);
}

Test(engine_stream, lines_empty_lines_are_delivered)
{
	struct lines l = {.n = 0};
	struct engine_lines ls;

	engine_lines_init(&ls, line_fn, &l);
	engine_lines_feed(&ls, "x\n\ny\n", 5);
	engine_lines_finish(&ls);
	cr_assert_eq(l.n, 3);
	cr_assert_str_eq(l.got[1], "");
}

/* A line that never ends is refused at ENGINE_LINE_MAX, not held. */
Test(engine_stream, lines_without_end_stop_at_the_bound)
{
	struct lines l = {.n = 0};
	struct engine_lines ls;
	char *chunk = malloc(1 << 20);
	int rc = 0;

	memset(chunk, 'x', 1 << 20);
	engine_lines_init(&ls, line_fn, &l);
	for (size_t sent = 0; !rc && sent <= ENGINE_LINE_MAX; sent += 1 << 20)
		rc = engine_lines_feed(&ls, chunk, 1 << 20);
	cr_assert_eq(rc, -1);
	cr_assert(ls.overflow);
	cr_assert_leq(ls.len, ENGINE_LINE_MAX);
	cr_assert_eq(engine_lines_feed(&ls, "a\n", 2), -1);
	engine_lines_finish(&ls);
	cr_assert_eq(l.n, 0);
	free(chunk);
}
