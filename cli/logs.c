/*
 * Merged logs of many containers on many daemons: one stream per
 * container, all on one engine loop, each complete line written with its
 * "name (daemon) | " prefix so that lines never interleave mid-line.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

/*
 * Compose v2's order of log colours (cmd/formatter/colors.go): cyan,
 * yellow, green, magenta, blue, then their intense variants.
 */
static const char *const palette[] = {
	"\033[36m",   "\033[33m",   "\033[32m",	  "\033[35m",	"\033[34m",
	"\033[36;1m", "\033[33;1m", "\033[32;1m", "\033[35;1m", "\033[34;1m",
};

#define COLOR_RESET "\033[0m"
/* A log line without its end is shown in pieces past this (as docker
 * itself splits lines at 16 KiB). */
#define CLI_LOG_LINE_MAX ((size_t)1 << 20)

const char *cli_logs_palette(size_t i)
{
	return palette[i % ARRAY_SIZE(palette)];
}

size_t cli_logs_label_len(const char *name, const char *daemon)
{
	return strlen(name) + (daemon ? strlen(daemon) + 3 : 0);
}

void cli_logs_prefix(struct sbuf *out,
		     const char *name,
		     const char *daemon,
		     size_t width,
		     const char *color)
{
	size_t len = cli_logs_label_len(name, daemon);

	if (color)
		sbuf_adds(out, color);
	sbuf_adds(out, name);
	if (daemon)
		sbuf_addf(out, " (%s)", daemon);
	for (; len < width; len++)
		sbuf_addch(out, ' ');
	sbuf_adds(out, " | ");
	if (color)
		sbuf_adds(out, COLOR_RESET);
}

void cli_logs_src_init(struct cli_logs_src *s, FILE *out, const char *prefix)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->prefix = prefix ? xstrdup(prefix) : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(s->part); i++)
		sbuf_init(&s->part[i]);
}

/* One whole line in one write, so that no other stream cuts into it. */
static void emit(struct cli_logs_src *s, const char *line, size_t len)
{
	struct sbuf sb = SBUF_INIT;

	/* A TTY's "\r\n" ends the line once. */
	if (len && line[len - 1] == '\r')
		len--;

	if (s->prefix)
		sbuf_adds(&sb, s->prefix);
	sbuf_add(&sb, line, len);
	sbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, s->out);
	fflush(s->out);
	s->lines++;
	sbuf_release(&sb);
}

void cli_logs_src_feed(struct cli_logs_src *s,
		       int stream,
		       const char *data,
		       size_t len)
{
	struct sbuf *part = &s->part[stream == ENGINE_STDERR ? 1 : 0];
	const char *nl;

	while (len && (nl = memchr(data, '\n', len))) {
		size_t n = (size_t)(nl - data);

		if (part->len) {
			sbuf_add(part, data, n);
			emit(s, part->buf, part->len);
			sbuf_reset(part);
		} else {
			emit(s, data, n);
		}
		len -= n + 1;
		data = nl + 1;
	}
	if (!len)
		return;
	/* A line that never ends is shown in pieces, not held whole. */
	if (part->len && part->len + len > CLI_LOG_LINE_MAX) {
		emit(s, part->buf, part->len);
		sbuf_reset(part);
	}
	sbuf_add(part, data, len);
}

void cli_logs_src_release(struct cli_logs_src *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(s->part); i++) {
		if (s->part[i].len)
			emit(s, s->part[i].buf, s->part[i].len);
		sbuf_release(&s->part[i]);
	}
	free(s->prefix);
	s->prefix = NULL;
}

/* ---- Following many containers ------------------------------------------ */

struct follow_job {
	struct cli_logs_src src;
	const char *name;
	int rc;
	struct diag err;
	bool done;
	const struct plan_host *h;
	const struct plan_host_container *c;
	const struct cli_logs_opts *o;
	bool *abort; /* the follow's: set when on_exit() says so */
};

static int
on_output(void *ud, enum engine_stream_kind s, const char *data, size_t len)
{
	struct follow_job *j = ud;

	cli_logs_src_feed(&j->src, s, data, len);
	return 0;
}

static void on_done(void *ud, int rc, const struct diag *err)
{
	struct follow_job *j = ud;

	j->done = true;
	j->rc = rc;
	if (rc && err)
		j->err = *err;
}

/* The container stopped: its exit code, then maybe the end of all. */
static void on_exit_code(void *ud,
			 int rc,
			 int code,
			 const char *output,
			 size_t len,
			 const struct diag *err)
{
	struct follow_job *j = ud;
	FILE *f = j->o->out ? j->o->out : stdout;

	(void)output;
	(void)len;
	(void)err;
	if (rc)
		return; /* cancelled, or the daemon went: the stream says so */
	/* After the stream's last lines, as compose's "exited with code". */
	for (size_t i = 0; i < ARRAY_SIZE(j->src.part); i++) {
		if (j->src.part[i].len)
			emit(&j->src, j->src.part[i].buf, j->src.part[i].len);
		sbuf_reset(&j->src.part[i]);
	}
	fprintf(f, "%s (%s) exited with code %d\n", j->c->name, j->h->name,
		code);
	fflush(f);
	if (j->o->on_exit(j->o->exit_ud, j->h, j->c, code))
		*j->abort = true;
}

static bool service_tty(const struct cli_logs_opts *o, const char *service)
{
	const struct compose_service *s =
		o->project && service
			? compose_service_find(o->project, service)
			: NULL;

	return s && s->tty;
}

/* True if some container before hosts[h].containers[c] has 'sv'. */
static bool
seen_before(const struct plan_host *hosts, size_t h, size_t c, const char *sv)
{
	for (size_t i = 0; i <= h; i++)
		for (size_t k = 0; k < (i < h ? hosts[i].n_containers : c); k++)
			if (hosts[i].containers[k].service &&
			    !strcmp(hosts[i].containers[k].service, sv))
				return true;
	return false;
}

/*
 * The colour of a service: its rank among the selection's distinct
 * services in name order, so that it does not depend on the daemons.
 */
size_t cli_logs_color_index(const struct plan_host *hosts,
			    size_t n_hosts,
			    const struct cli_logs_opts *o,
			    const char *service)
{
	size_t idx = 0;

	for (size_t h = 0; service && h < n_hosts; h++)
		for (size_t c = 0; c < hosts[h].n_containers; c++) {
			const char *sv = hosts[h].containers[c].service;

			if (sv && strcmp(sv, service) < 0 &&
			    cli_names_has(o->services, o->n_services, sv) &&
			    !seen_before(hosts, h, c, sv))
				idx++;
		}
	return idx;
}

static bool selected(const struct plan_host_container *c,
		     const struct cli_logs_opts *o)
{
	return !c->oneoff &&
	       cli_names_has(o->services, o->n_services, c->service) &&
	       !(o->n_skip && cli_names_has(o->skip, o->n_skip, c->service));
}

static size_t label_width(const struct plan_host *hosts,
			  size_t n_hosts,
			  const struct cli_logs_opts *o)
{
	size_t w = 0;

	for (size_t h = 0; h < n_hosts; h++)
		for (size_t c = 0; c < hosts[h].n_containers; c++) {
			size_t l = cli_logs_label_len(
				hosts[h].containers[c].name, hosts[h].name);

			if (selected(&hosts[h].containers[c], o) && l > w)
				w = l;
		}
	return w;
}

static void submit_one(struct engine_loop *l,
		       struct engine *e,
		       struct follow_job *j,
		       const struct plan_host *h,
		       const struct plan_host_container *c,
		       const struct cli_logs_opts *o,
		       size_t width,
		       const char *color)
{
	struct engine_logs_opts lo = {
		.follow = o->follow,
		.timestamps = o->timestamps,
		.tail = o->tail,
		.tty = service_tty(o, c->service),
	};
	struct sbuf pre = SBUF_INIT;

	if (!o->no_prefix)
		cli_logs_prefix(&pre, c->name, h->name, width, color);
	cli_logs_src_init(&j->src, o->out ? o->out : stdout,
			  o->no_prefix ? NULL : pre.buf);
	j->name = c->name;
	j->h = h;
	j->c = c;
	j->o = o;
	engine_container_logs_async(l, e, c->id, &lo, on_output, j, on_done, j);
	if (o->on_exit)
		engine_container_wait_async(l, e, c->id, NULL, on_exit_code, j);
	sbuf_release(&pre);
}

int cli_logs_follow(struct engine_registry *reg,
		    const struct plan_host *hosts,
		    size_t n_hosts,
		    const struct cli_logs_opts *opts,
		    const volatile sig_atomic_t *stop)
{
	const struct cli_logs_opts o = *opts;
	size_t width, n = 0, n_jobs = 0;
	struct follow_job *jobs;
	struct engine_loop *l;
	bool abort = false;
	int rc = 0;

	for (size_t h = 0; h < n_hosts; h++)
		n += hosts[h].n_containers;
	jobs = xcalloc(n + 1, sizeof(*jobs));
	width = label_width(hosts, n_hosts, &o);
	l = engine_loop_new();
	for (size_t h = 0; h < n_hosts; h++) {
		struct engine_daemon *d =
			engine_registry_find(reg, hosts[h].name);
		struct diag err = {0};
		struct engine *e =
			d && !hosts[h].offline
				? engine_registry_engine(reg, d, &err)
				: NULL;

		if (d && !hosts[h].offline && !e)
			cli_error(&err);

		for (size_t c = 0; e && c < hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&hosts[h].containers[c];
			size_t ci;

			if (!selected(pc, &o))
				continue;
			ci = cli_logs_color_index(hosts, n_hosts, &o,
						  pc->service);
			jobs[n_jobs].abort = &abort;
			submit_one(l, e, &jobs[n_jobs++], &hosts[h], pc, &o,
				   width,
				   o.color ? cli_logs_palette(ci) : NULL);
		}
	}
	while (engine_loop_pending(l)) {
		if ((stop && *stop) || abort) {
			engine_loop_cancel(l);
			break;
		}
		engine_loop_step(l, 200);
	}
	engine_loop_free(l);
	for (size_t i = 0; i < n_jobs; i++) {
		cli_logs_src_release(&jobs[i].src);
		/* Cancelled streams end with all sorts of errors. */
		if (jobs[i].rc && jobs[i].rc != DIAG_EINTR &&
		    !(stop && *stop) && !abort) {
			cli_error(&jobs[i].err);
			rc = jobs[i].rc;
		}
	}
	free(jobs);
	return rc;
}
