/* Stream decoding: the 8-byte log frames and JSON lines. */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void engine_demux_init(struct engine_demux *d,
		       bool raw,
		       engine_output_fn fn,
		       void *ud)
{
	memset(d, 0, sizeof(*d));
	d->raw = raw;
	d->fn = fn;
	d->ud = ud;
}

static int deliver(struct engine_demux *d,
		   enum engine_stream_kind s,
		   const char *p,
		   size_t n)
{
	if (d->fn && n && d->fn(d->ud, s, p, n))
		d->stopped = true;
	return d->stopped;
}

/*
 * Frames are [stream, 0, 0, 0, size (big-endian u32)] + payload; the
 * chunks that reach us cut through headers and payloads anywhere.
 */
int engine_demux_feed(struct engine_demux *d, const char *buf, size_t len)
{
	if (d->stopped)
		return 1;
	if (d->raw)
		return deliver(d, ENGINE_STDOUT, buf, len);
	while (len) {
		if (d->remaining) {
			size_t n = len < d->remaining ? len : d->remaining;

			if (deliver(d, d->stream, buf, n))
				return 1;
			buf += n;
			len -= n;
			d->remaining -= n;
			continue;
		}
		while (len && d->hdr_len < 8) {
			d->hdr[d->hdr_len++] = (unsigned char)*buf++;
			len--;
		}
		if (d->hdr_len < 8)
			break;
		d->stream = d->hdr[0] <= ENGINE_STDERR
				    ? (enum engine_stream_kind)d->hdr[0]
				    : ENGINE_STDOUT;
		d->remaining = (size_t)d->hdr[4] << 24 |
			       (size_t)d->hdr[5] << 16 |
			       (size_t)d->hdr[6] << 8 | (size_t)d->hdr[7];
		d->hdr_len = 0;
	}
	return 0;
}

bool engine_demux_partial(const struct engine_demux *d)
{
	return d->hdr_len || d->remaining;
}

void engine_lines_init(struct engine_lines *ls, engine_line_fn fn, void *ud)
{
	memset(ls, 0, sizeof(*ls));
	ls->fn = fn;
	ls->ud = ud;
}

static int emit(struct engine_lines *ls, const char *p, size_t n)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (!ls->stopped && ls->fn(ls->ud, p, n))
		ls->stopped = true;
	return ls->stopped;
}

static void keep(struct engine_lines *ls, const char *p, size_t n)
{
	ALLOC_GROW(ls->buf, ls->len + n + 1, ls->alloc);
	memcpy(ls->buf + ls->len, p, n);
	ls->len += n;
}

int engine_lines_feed(struct engine_lines *ls, const char *buf, size_t len)
{
	const char *nl;

	while (!ls->stopped && len && (nl = memchr(buf, '\n', len))) {
		size_t n = (size_t)(nl - buf);

		/* A line cut across chunks is joined in the buffer first. */
		if (ls->len) {
			keep(ls, buf, n);
			emit(ls, ls->buf, ls->len);
			ls->len = 0;
		} else {
			emit(ls, buf, n);
		}
		buf += n + 1;
		len -= n + 1;
	}
	if (!ls->stopped && len) {
		/* A daemon that never ends its line must not fill memory. */
		if (ls->len + len > ENGINE_LINE_MAX) {
			ls->overflow = ls->stopped = true;
			return -1;
		}
		keep(ls, buf, len);
	}
	return ls->overflow ? -1 : ls->stopped;
}

int engine_lines_finish(struct engine_lines *ls)
{
	if (ls->len && !ls->stopped && !ls->overflow)
		emit(ls, ls->buf, ls->len);
	free(ls->buf);
	ls->buf = NULL;
	ls->len = ls->alloc = 0;
	return ls->stopped;
}
