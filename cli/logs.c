/*
 * Merged logs of many containers on many daemons: one stream per
 * container, all on one engine loop, each complete line written with its
 * "name (daemon) | " prefix so that lines never interleave mid-line.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- --since and --until -------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Go's time.ParseDuration: "1h30m", "1.5s", "300ms"; seconds into *out. */
static int go_duration(double *out, const char *v)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3},
		     {"s", 1},	   {"m", 60},	 {"h", 3600}};
	double total = 0;

	if (!*v)
		return -1;
	while (*v) {
		char *end;
		double n = strtod(v, &end);
		size_t k;

		if (end == v || *v == '-' || *v == '+')
			return -1;
		for (k = 0; k < ARRAY_SIZE(units); k++) {
			size_t len = strlen(units[k].unit);

			/* "m" must not take the "m" of "ms". */
			if (!strncmp(end, units[k].unit, len) &&
			    !(len == 1 && end[1] == 's'))
				break;
		}
		if (k == ARRAY_SIZE(units))
			return -1;
		total += n * units[k].secs;
		v = end + strlen(units[k].unit);
	}
	*out = total;
	return 0;
}

/* "2023-11-14[THH:MM[:SS[.frac]]][Z|+hh:mm|-hh:mm]" */
static int rfc3339(double *out, const char *v)
{
	int y, mo, d, h = 0, mi = 0, used = 0, zh, zm;
	double sec = 0;
	const char *z;
	struct tm tm = {0};

	if (sscanf(v, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10)
		return -1;
	z = v + used;
	if (*z == 'T') {
		int n = 0;

		if (sscanf(z + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		z += 1 + n;
		if (*z == ':') {
			char *end;

			sec = strtod(z + 1, &end);
			z = end;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
		return -1;
	if (*z == 'Z' && !z[1]) {
		*out = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) *
					86400LL +
				h * 3600 + mi * 60) +
		       sec;
		return 0;
	}
	if ((*z == '+' || *z == '-') &&
	    sscanf(z + 1, "%2d:%2d", &zh, &zm) == 2 && strlen(z) == 6) {
		int off = (zh * 3600 + zm * 60) * (*z == '+' ? 1 : -1);

		*out = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) *
					86400LL +
				h * 3600 + mi * 60 - off) +
		       sec;
		return 0;
	}
	if (*z)
		return -1;
	/* No zone: local time, as the docker CLI reads it. */
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	*out = (double)mktime(&tm) + sec;
	return 0;
}

int cli_log_time(char *out, size_t size, const char *v, double now)
{
	double t;
	char *end;

	strtod(v, &end);
	if (*v && !*end && *v != '-' && *v != '+') {
		snprintf(out, size, "%s", v); /* a unix time already */
		return 0;
	}
	if (!go_duration(&t, v))
		t = now - t;
	else if (rfc3339(&t, v))
		return -1;
	snprintf(out, size, "%.9f", t);
	return 0;
}

int cli_log_time_flag(char *out,
		      size_t size,
		      const char *cmd,
		      const char *flag,
		      const char *v)
{
	if (cli_log_time(out, size, v, (double)time(NULL))) {
		cli_errorf("%s: --%s: '%s' is not a time (a unix time, a "
			   "duration such as 42m, or a date such as "
			   "2023-11-14T22:13:20Z)",
			   cmd, flag, v);
		return CLI_USAGE;
	}
	return CLI_OK;
}

/* ---- Following many containers ------------------------------------------ */

struct follow_job {
	struct cli_task *t;
	struct cli_logs_src src;
	const struct plan_host_container *c;
	const struct cli_logs_opts *o;
	size_t width;
	const char *color;
	volatile sig_atomic_t *halt; /* set when on_exit() says so */
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

	cli_task_done(j->t, rc, err);
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
	fprintf(f, "%s (%s) exited with code %d\n", j->c->name, j->t->h->name,
		code);
	fflush(f);
	if (j->o->on_exit(j->o->exit_ud, j->t->h, j->c, code))
		*j->halt = 1;
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

/* A service with `attach: false`, when the options honour it. */
static bool unattached(const struct cli_logs_opts *o, const char *service)
{
	const struct compose_service *s =
		o->honour_attach && o->project
			? compose_service_find(o->project, service)
			: NULL;

	return s && s->attach == 0;
}

static bool selected(const struct plan_host_container *c,
		     const struct cli_logs_opts *o)
{
	return !c->oneoff && (!o->index || c->number == o->index) &&
	       !unattached(o, c->service) &&
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

static void
follow_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	struct follow_job *j = t->ud;
	const struct cli_logs_opts *o = j->o;
	struct engine_logs_opts lo = {
		.follow = o->follow,
		.timestamps = o->timestamps,
		.tail = o->tail,
		.since = o->since[0] ? o->since : NULL,
		.until = o->until[0] ? o->until : NULL,
		.tty = service_tty(o, j->c->service),
	};
	struct sbuf pre = SBUF_INIT;

	if (!o->no_prefix)
		cli_logs_prefix(&pre, j->c->name, t->h->name, j->width,
				j->color);
	cli_logs_src_init(&j->src, o->out ? o->out : stdout,
			  o->no_prefix ? NULL : pre.buf);
	engine_container_logs_async(l, e, t->ref, &lo, on_output, j, on_done,
				    j);
	if (o->on_exit)
		engine_container_wait_async(l, e, t->ref, NULL, on_exit_code,
					    j);
	sbuf_release(&pre);
}

/* One task per selected container, its prefix and colour decided. */
static size_t follow_jobs(struct cli_task **tasks,
			  struct follow_job **jobs,
			  const struct cli_session *s,
			  const struct cli_logs_opts *o,
			  volatile sig_atomic_t *halt)
{
	size_t n = 0, nj = 0, width = label_width(s->hosts, s->n_hosts, o);
	struct follow_job *v;
	struct cli_task *t;

	for (size_t h = 0; h < s->n_hosts; h++)
		n += s->hosts[h].n_containers;
	v = xcalloc(n + 1, sizeof(*v));
	t = xcalloc(n + 1, sizeof(*t));
	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];
			size_t ci;

			if (!selected(pc, o))
				continue;
			ci = cli_logs_color_index(s->hosts, s->n_hosts, o,
						  pc->service);
			t[nj] = (struct cli_task){.h = &s->hosts[h],
						  .what = pc->name,
						  .start = follow_start,
						  .ref = pc->id,
						  .ud = &v[nj]};
			v[nj] = (struct follow_job){
				.t = &t[nj],
				.c = pc,
				.o = o,
				.width = width,
				.color = o->color ? cli_logs_palette(ci) : NULL,
				.halt = halt};
			nj++;
		}
	*tasks = t;
	*jobs = v;
	return nj;
}

static int follow_tick(void *ud)
{
	return *(volatile sig_atomic_t *)ud;
}

int cli_logs_session(struct cli_session *s,
		     const struct cli_logs_opts *opts,
		     const volatile sig_atomic_t *stop)
{
	const struct cli_logs_opts o = *opts;
	volatile sig_atomic_t halt = 0;
	struct follow_job *v = NULL;
	struct cli_task *t = NULL;
	size_t nj = follow_jobs(&t, &v, s, &o, &halt);
	/* Nothing but the lines: no progress, a failure said once. */
	struct cli_tasks_opts to = {.kind = "Container",
				    .stop = stop,
				    .tick = o.on_exit ? follow_tick : NULL,
				    .tick_ud = (void *)&halt};
	int rc = cli_tasks_run(s, t, nj, &to);

	for (size_t i = 0; i < nj; i++)
		cli_logs_src_release(&v[i].src);
	free(t);
	free(v);
	return rc;
}

int cli_logs_follow(struct engine_registry *reg,
		    const struct plan_host *hosts,
		    size_t n_hosts,
		    const struct cli_logs_opts *opts,
		    const volatile sig_atomic_t *stop)
{
	/* up's hosts, read again after its start: the runner needs no more. */
	struct cli_session s = {.reg = reg,
				.hosts = (struct plan_host *)hosts,
				.n_hosts = n_hosts};

	return cli_logs_session(&s, opts, stop);
}
