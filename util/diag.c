#include "util/diag.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int diag_vset(struct diag *err,
	      int code,
	      const struct diag_loc *loc,
	      const char *fmt,
	      va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	if (loc)
		err->loc = *loc;
	else
		memset(&err->loc, 0, sizeof(err->loc));
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int diag_set(struct diag *err,
	     int code,
	     const struct diag_loc *loc,
	     const char *fmt,
	     ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(err, code, loc, fmt, ap);
	va_end(ap);
	return code;
}

void diag_prefix(struct diag *err, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	size_t n;

	if (!err)
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sbuf_addf(&sb, ": %s", err->msg);
	n = sb.len < sizeof(err->msg) - 1 ? sb.len : sizeof(err->msg) - 1;
	memcpy(err->msg, sb.buf, n);
	err->msg[n] = '\0';
	sbuf_release(&sb);
}

void diag_format(struct sbuf *out, const struct diag *d)
{
	if (d->loc.file && d->loc.line > 0)
		sbuf_addf(out, "%s:%d:%d: ", d->loc.file, d->loc.line,
			  d->loc.col);
	else if (d->loc.file)
		sbuf_addf(out, "%s: ", d->loc.file);
	sbuf_adds(out, d->msg);
}

void diag_list_add_diag(struct diag_list *l,
			enum diag_severity sev,
			const struct diag *d)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr].severity = sev;
	l->items[l->nr].d = *d;
	l->nr++;
	if (sev == DIAG_ERROR)
		l->errors++;
	else
		l->warnings++;
}

void diag_list_add(struct diag_list *l,
		   enum diag_severity sev,
		   int code,
		   const struct diag_loc *loc,
		   const char *fmt,
		   ...)
{
	struct diag d;
	va_list ap;

	va_start(ap, fmt);
	diag_vset(&d, code, loc, fmt, ap);
	va_end(ap);
	diag_list_add_diag(l, sev, &d);
}

static int cmp_item(const void *a, const void *b)
{
	const struct diag_loc *x = &((const struct diag_item *)a)->d.loc;
	const struct diag_loc *y = &((const struct diag_item *)b)->d.loc;
	int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

void diag_list_sort(struct diag_list *l)
{
	/* qsort is not stable; the items are few, so an insertion sort. */
	for (size_t i = 1; i < l->nr; i++) {
		struct diag_item tmp = l->items[i];
		size_t j = i;

		while (j > 0 && cmp_item(&l->items[j - 1], &tmp) > 0) {
			l->items[j] = l->items[j - 1];
			j--;
		}
		l->items[j] = tmp;
	}
}

void diag_list_release(struct diag_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}
