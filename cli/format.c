/*
 * Pure formatting shared by rm, port, images, top and ls: tables, sizes,
 * image references, combined states and the rm prompt's answer; and the
 * printing of every JSON output.  Nothing
 * here talks to a daemon, so the unit tests take it as it is.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "util/xalloc.h"

void cli_json_print(struct json *j, int indent)
{
	struct sbuf sb = SBUF_INIT;

	json_write_free(&sb, j, indent);
	fputs(sb.buf, stdout);
	sbuf_release(&sb);
}

void cli_table_write(struct sbuf *out,
		     const char *const *headers,
		     size_t ncols,
		     char *const *cells,
		     size_t nrows,
		     size_t pad,
		     size_t min)
{
	size_t *w = xcalloc(ncols + 1, sizeof(*w));

	/* As Go's tabwriter: a cell is its text plus 'pad', at least 'min'. */
	for (size_t k = 0; k < ncols; k++) {
		w[k] = strlen(headers[k]);
		for (size_t r = 0; r < nrows; r++)
			if (strlen(cells[r * ncols + k]) > w[k])
				w[k] = strlen(cells[r * ncols + k]);
		w[k] += pad;
		if (w[k] < min)
			w[k] = min;
	}
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t k = 0; k < ncols; k++) {
			const char *s =
				r ? cells[(r - 1) * ncols + k] : headers[k];

			if (k + 1 == ncols)
				sbuf_addf(out, "%s\n", s);
			else
				sbuf_addf(out, "%-*s", (int)w[k], s);
		}
	}
	free(w);
}

/* go-units' CustomSize: 'fmt' of the value in the largest unit under it. */
static void units_size(char *buf,
		       size_t size,
		       double v,
		       double base,
		       int digits,
		       const char *const *units)
{
	size_t u = 0;

	while (v >= base && units[u + 1]) {
		v /= base;
		u++;
	}
	snprintf(buf, size, "%.*g%s", digits, v, units[u]);
}

void cli_human_size(char *buf, size_t size, long long bytes)
{
	static const char *const units[] = {"B",  "kB", "MB", "GB", "TB",
					    "PB", "EB", "ZB", "YB", NULL};

	/* Docker's HumanSizeWithPrecision(size, 3): decimal units, %.3g. */
	units_size(buf, size, (double)bytes, 1000.0, 3, units);
}

void cli_bytes_size(char *buf, size_t size, double bytes)
{
	static const char *const units[] = {"B",   "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB", "ZiB", "YiB", NULL};

	/* go-units' BytesSize: binary units, %.4g. */
	units_size(buf, size, bytes, 1024.0, 4, units);
}

void cli_image_ref_split(struct sbuf *repo, struct sbuf *tag, const char *ref)
{
	const char *at, *slash, *colon, *name = ref;
	size_t len;

	sbuf_reset(repo);
	sbuf_reset(tag);
	/* An image id is no reference: compose shows <none> for both. */
	if (!ref || !*ref || !strncmp(ref, "sha256:", 7))
		return;
	at = strchr(ref, '@');
	len = at ? (size_t)(at - ref) : strlen(ref);
	slash = compat_memrchr(ref, '/', len);
	colon = compat_memrchr(slash ? slash : ref, ':',
			       len - (size_t)((slash ? slash : ref) - ref));
	if (colon) {
		sbuf_add(tag, colon + 1, len - (size_t)(colon + 1 - ref));
		len = (size_t)(colon - ref);
	} else if (!at) {
		sbuf_adds(tag, "latest");
	}
	/* The familiar name, as the docker CLI shows it. */
	if (!strncmp(name, "docker.io/", 10)) {
		name += 10;
		len -= 10;
	}
	if (!strncmp(name, "library/", 8) && !memchr(name + 8, '/', len - 8)) {
		name += 8;
		len -= 8;
	}
	sbuf_add(repo, name, len);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *cli_ls_status(const char *const *states, size_t n)
{
	const char **v = xcalloc(n + 1, sizeof(*v));
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++)
		v[i] = states[i] ? states[i] : "";
	qsort(v, n, sizeof(*v), cmp_cstr);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && !strcmp(v[j], v[i]))
			j++;
		sbuf_addf(&sb, "%s%s(%zu)", sb.len ? ", " : "", v[i], j - i);
		i = j;
	}
	free(v);
	return sbuf_detach(&sb, NULL);
}

bool cli_confirm_answer(const char *line)
{
	static const char *const yes[] = {"y", "yes", "1", "t", "true"};
	char word[16];
	size_t n = 0;

	while (line && (*line == ' ' || *line == '\t'))
		line++;
	while (line && line[n] && !strchr(" \t\r\n", line[n]) &&
	       n + 1 < sizeof(word)) {
		word[n] = line[n];
		n++;
	}
	word[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(word, yes[i]))
			return true;
	return false;
}

static bool is_ipv6(const char *ip)
{
	return ip && strchr(ip, ':');
}

long cli_port_find(const struct engine_port *ports,
		   size_t n,
		   unsigned private_port,
		   const char *proto)
{
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		const char *t =
			ports[i].type && *ports[i].type ? ports[i].type : "tcp";

		if (ports[i].private_port != private_port ||
		    !ports[i].public_port || strcmp(t, proto) != 0)
			continue;
		/* The IPv4 binding first, as docker port lists it. */
		if (best < 0 ||
		    (is_ipv6(ports[best].ip) && !is_ipv6(ports[i].ip)))
			best = (long)i;
	}
	return best;
}

void cli_port_host(struct sbuf *out, const struct engine_port *p)
{
	const char *ip = p->ip && *p->ip ? p->ip : "0.0.0.0";

	if (is_ipv6(ip))
		sbuf_addf(out, "[%s]:%u", ip, p->public_port);
	else
		sbuf_addf(out, "%s:%u", ip, p->public_port);
}

/* ---- top: one table for every container, as compose v2 prints it ------- */

static size_t col_find(const char *const *cols, size_t n, const char *title)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cols[i], title))
			return i;
	return n;
}

static size_t
top_columns(const char ***out, const struct cli_top_src *v, size_t n)
{
	const char **cols = NULL;
	size_t nc = 3, alloc = 0, cmd;

	ALLOC_GROW(cols, nc, alloc);
	cols[0] = "SERVICE";
	cols[1] = "#";
	cols[2] = "DAEMON";
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; v[i].top && t < v[i].top->titles.n; t++) {
			const char *title = v[i].top->titles.v[t];

			if (col_find(cols, nc, title) < nc)
				continue;
			ALLOC_GROW(cols, nc + 1, alloc);
			cols[nc++] = title;
		}
	/* The command line is long: compose keeps it right-most. */
	cmd = col_find(cols, nc, "CMD");
	if (cmd < nc) {
		memmove(&cols[cmd], &cols[cmd + 1],
			(nc - cmd - 1) * sizeof(*cols));
		cols[nc - 1] = "CMD";
	}
	*out = cols;
	return nc;
}

void cli_top_format(struct sbuf *out, const struct cli_top_src *v, size_t n)
{
	const char **cols = NULL;
	size_t nc = top_columns(&cols, v, n), nrows = 0, r = 0;
	char **cells;

	for (size_t i = 0; i < n; i++)
		nrows += v[i].top ? v[i].top->n_processes : 0;
	if (!nrows) {
		free(cols);
		return;
	}
	cells = xcalloc(nrows * nc + 1, sizeof(*cells));
	for (size_t i = 0; i < n; i++)
		for (size_t p = 0; v[i].top && p < v[i].top->n_processes;
		     p++, r++) {
			const struct engine_strv *row = &v[i].top->processes[p];
			char **c = &cells[r * nc];

			for (size_t k = 0; k < nc; k++)
				c[k] = "-";
			c[0] = (char *)v[i].service;
			c[1] = (char *)v[i].replica;
			c[2] = (char *)v[i].daemon;
			for (size_t t = 0; t < v[i].top->titles.n && t < row->n;
			     t++)
				c[col_find(cols, nc, v[i].top->titles.v[t])] =
					(char *)row->v[t];
		}
	cli_table_write(out, cols, nc, cells, nrows, 2, 4);
	free(cells);
	free(cols);
}
