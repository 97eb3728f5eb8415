/*
 * mixcompose stats: the resource usage of the project's containers on
 * every daemon, as `docker stats` shows it (compose v2 runs the docker
 * CLI's stats with the project's label), with a DAEMON column.  A Windows
 * daemon's rows have no memory limit, percentage or pids ("--").
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct stats_opts {
	bool all;
	bool no_stream;
	bool no_trunc;
	const char *format;
};

#define O struct stats_opts
static const struct cli_opt stats_opts_v[] = {
	CLI_FLAG('a',
		 "all",
		 O,
		 all,
		 "show all containers (default shows just running)"),
	CLI_FORMAT(O, format, "table|json", "output format"),
	CLI_FLAG(0,
		 "no-stream",
		 O,
		 no_stream,
		 "disable streaming stats and only pull the first result"),
	CLI_FLAG(0, "no-trunc", O, no_trunc, "do not truncate output"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_stats = {
	.name = "stats",
	.args = "[SERVICE]",
	.summary = "display the containers' resource usage",
	.desc = "Display a live stream of the resource usage of the "
		"project's containers\non every daemon (--no-stream: one "
		"sample).",
	.opts = stats_opts_v,
	.max_args = 1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

#define NO_VALUE "--"
enum {
	S_ID,
	S_NAME,
	S_DAEMON,
	S_CPU,
	S_MEM,
	S_MEMP,
	S_NET,
	S_BLOCK,
	S_PIDS,
	S_NCOLS
};

static void pair(char *buf, size_t size, double a, double b)
{
	char x[32], y[32];

	cli_human_size(x, sizeof(x), (long long)a);
	cli_human_size(y, sizeof(y), (long long)b);
	snprintf(buf, size, "%s / %s", x, y);
}

/* The cells of one row, malloc'ed, in 'cells[S_NCOLS]'. */
static void row_cells(char **cells, const struct cli_stats_row *r, bool trunc)
{
	const struct engine_stats *s = r->s;
	char buf[96], a[32], b[32];

	snprintf(buf, sizeof(buf), "%.*s", trunc ? 12 : 96, r->id);
	cells[S_ID] = xstrdup(buf);
	cells[S_NAME] = xstrdup(r->name && *r->name ? r->name : NO_VALUE);
	cells[S_DAEMON] = xstrdup(r->daemon);
	if (!s) {
		cells[S_CPU] = xstrdup(NO_VALUE);
		cells[S_MEM] = xstrdup("-- / --");
		for (int k = S_MEMP; k < S_NCOLS; k++)
			cells[k] = xstrdup(NO_VALUE);
		return;
	}
	snprintf(buf, sizeof(buf), "%.2f%%", s->cpu_percent);
	cells[S_CPU] = xstrdup(buf);
	cli_bytes_size(a, sizeof(a), s->mem);
	cli_bytes_size(b, sizeof(b), s->mem_limit);
	snprintf(buf, sizeof(buf), "%s / %s", a, b);
	cells[S_MEM] = xstrdup(s->windows ? a : buf);
	snprintf(buf, sizeof(buf), "%.2f%%", s->mem_percent);
	cells[S_MEMP] = xstrdup(s->windows ? NO_VALUE : buf);
	pair(buf, sizeof(buf), s->net_rx, s->net_tx);
	cells[S_NET] = xstrdup(buf);
	pair(buf, sizeof(buf), s->blk_read, s->blk_write);
	cells[S_BLOCK] = xstrdup(buf);
	snprintf(buf, sizeof(buf), "%llu", s->pids);
	cells[S_PIDS] = xstrdup(s->windows ? NO_VALUE : buf);
}

/* docker's {{json .}} of a stats row: its fields in sorted order. */
static void row_json(struct sbuf *out, char **c, const char *container)
{
	struct json *j = json_object_new();

	json_add_str(j, "BlockIO", c[S_BLOCK]);
	json_add_str(j, "CPUPerc", c[S_CPU]);
	json_add_str(j, "Container", container);
	json_add_str(j, "Daemon", c[S_DAEMON]);
	json_add_str(j, "ID", c[S_ID]);
	json_add_str(j, "MemPerc", c[S_MEMP]);
	json_add_str(j, "MemUsage", c[S_MEM]);
	json_add_str(j, "Name", c[S_NAME]);
	json_add_str(j, "NetIO", c[S_NET]);
	json_add_str(j, "PIDs", c[S_PIDS]);
	json_write_free(out, j, 0);
}

void cli_stats_format(struct sbuf *out,
		      const struct cli_stats_row *rows,
		      size_t n,
		      bool json,
		      bool trunc)
{
	static const char *const headers[S_NCOLS] = {"CONTAINER ID",
						     "NAME",
						     "DAEMON",
						     "CPU %",
						     "MEM USAGE / LIMIT",
						     "MEM %",
						     "NET I/O",
						     "BLOCK I/O",
						     "PIDS"};
	char **cells = xcalloc(n * S_NCOLS + 1, sizeof(*cells));

	for (size_t r = 0; r < n; r++) {
		row_cells(cells + r * S_NCOLS, &rows[r], trunc);
		if (json)
			row_json(out, cells + r * S_NCOLS, cells[r * S_NCOLS]);
	}
	/* docker's table: tabwriter with cells at least 10 wide, 3 apart. */
	if (!json)
		cli_table_write(out, headers, S_NCOLS, cells, n, 3, 10);
	for (size_t i = 0; i < n * S_NCOLS; i++)
		free(cells[i]);
	free(cells);
}

/* ---- Collecting --------------------------------------------------------- */

/*
 * One stats run: a task per daemon (its containers, then with streaming
 * its event stream: compose v2 runs docker stats, which follows the
 * events to pick up the containers that start later) and a task per
 * container, added as they are found.
 */
struct stats_run {
	const struct stats_opts *o;
	char *const *names; /* the selected service; n_names 0: all */
	size_t n_names;
	const char *project;
	char since[32]; /* events from just before the state was read */
	struct stats_job **v;
	size_t n, alloc;
	long long start, last;
};

struct stats_job {
	struct cli_task t;
	struct cli_stats_row row;
	struct engine_stats sample;
	char *id, *name;
	bool answered; /* a sample came, or the request ended */
	bool ended;    /* the request ended */
	bool removed;  /* destroyed (or died, without -a): no row */
};

static int on_sample(void *ud, const struct engine_stats *s)
{
	struct stats_job *j = ud;

	j->sample = *s;
	j->row.s = &j->sample;
	j->answered = true;
	return j->removed;
}

static void stats_done(void *ud, int rc, const struct diag *err)
{
	struct stats_job *j = ud;

	/* A stream that failed shows "--", as docker stats does. */
	if (rc)
		j->row.s = NULL;
	j->answered = j->ended = true;
	/* A container that went away ends its stream: no failure. */
	cli_task_done(&j->t, j->removed ? 0 : rc, err);
}

static void
stats_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	struct stats_job *j = t->ud;
	const struct stats_run *r = t->arg;

	engine_container_stats_async(l, e, t->ref, !r->o->no_stream, on_sample,
				     j, stats_done, j);
}

/* The latest job of a container (an earlier one went, or ended). */
static struct stats_job *
job_find(const struct stats_run *r, const struct plan_host *h, const char *id)
{
	for (size_t i = r->n; i-- > 0;)
		if (r->v[i]->t.h == h && !strcmp(r->v[i]->id, id))
			return r->v[i];
	return NULL;
}

/* A container's row and its stats task, in the wave of 'from'. */
static void job_add(struct stats_run *r,
		    struct cli_task *from,
		    const char *id,
		    const char *name)
{
	struct stats_job *j = job_find(r, from->h, id);

	if (j && !j->ended && !j->removed)
		return;
	if (j) /* it went, or its stream ended: a new stream */
		j->removed = true;
	j = xcalloc(1, sizeof(*j));
	j->id = xstrdup(id);
	j->name = xstrdup(name && *name ? name : id);
	j->row = (struct cli_stats_row){from->h->name, j->id, j->name, NULL};
	j->t = (struct cli_task){.h = from->h,
				 .what = j->name,
				 .start = stats_start,
				 .ref = j->id,
				 .arg = r,
				 .ud = j};
	ALLOC_GROW(r->v, r->n + 1, r->alloc);
	r->v[r->n++] = j;
	cli_task_add(from, &j->t);
}

/*
 * docker stats' handlers: start (create with -a) adds, destroy (die
 * without -a) removes.
 */
static int stats_event(void *ud, const struct engine_event *ev)
{
	struct cli_task *t = ud;
	struct stats_run *r = (struct stats_run *)t->arg;
	const char *svc = cli_event_attr(ev, "com.docker.compose.service");
	const char *a = ev->action ? ev->action : "";
	struct stats_job *j;

	if (!ev->id || !cli_names_has(r->names, r->n_names, svc ? svc : ""))
		return 0;
	if (!strcmp(a, "start") || (r->o->all && !strcmp(a, "create"))) {
		job_add(r, t, ev->id, cli_event_attr(ev, "name"));
	} else if (!strcmp(a, "destroy") || (!r->o->all && !strcmp(a, "die"))) {
		j = job_find(r, t->h, ev->id);
		if (j)
			j->removed = true;
	}
	return 0;
}

static void events_done(void *ud, int rc, const struct diag *err)
{
	cli_task_done(ud, rc, err);
}

/* A daemon's containers, then (streaming) its events. */
static void
host_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	struct stats_run *r = (struct stats_run *)t->arg;
	char label[300];
	struct engine_kv kv[2] = {{"type", "container"}, {"label", label}};
	struct engine_filters f = {kv, 2};

	for (size_t c = 0; c < t->h->n_containers; c++) {
		const struct plan_host_container *pc = &t->h->containers[c];

		if (cli_names_has(r->names, r->n_names,
				  pc->service ? pc->service : "") &&
		    (r->o->all || (pc->state && !strcmp(pc->state, "running"))))
			job_add(r, t, pc->id, pc->name);
	}
	if (r->o->no_stream) {
		cli_task_done(t, 0, NULL);
		return;
	}
	snprintf(label, sizeof(label), "com.docker.compose.project=%s",
		 r->project);
	engine_events_async(l, e, &f, r->since, NULL, stats_event, t,
			    events_done, t);
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct cli_stats_row *a = pa, *b = pb;
	int r = strcmp(a->name, b->name);

	return r ? r : strcmp(a->daemon, b->daemon);
}

static void stats_print(const struct stats_run *r, bool clear)
{
	struct cli_stats_row *rows = xcalloc(r->n + 1, sizeof(*rows));
	struct sbuf out = SBUF_INIT;
	bool json = r->o->format && !strcmp(r->o->format, "json");
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i]->removed)
			rows[n++] = r->v[i]->row;
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_row);
	/* As docker stats: the screen cleared before each refresh. */
	if (clear)
		sbuf_adds(&out, "\033[2J\033[H");
	cli_stats_format(&out, rows, n, json, !r->o->no_trunc);
	fputs(out.buf, stdout);
	fflush(stdout);
	sbuf_release(&out);
	free(rows);
}

/* Streaming: the table every 500 ms, the first once each has a sample. */
static int stats_tick(void *ud)
{
	struct stats_run *r = ud;
	long long now = compat_now_ms();
	size_t answered = 0;

	for (size_t i = 0; i < r->n; i++)
		answered += r->v[i]->answered || r->v[i]->removed;
	if (now - r->last >= 500 &&
	    (answered == r->n || now - r->start >= 2000)) {
		stats_print(r, true);
		r->last = now;
		for (size_t i = 0; i < r->n; i++)
			r->v[i]->answered = true;
	}
	return 0;
}

static int stats_go(struct cli_session *s, struct stats_run *r)
{
	struct cli_task *t = xcalloc(s->n_hosts + 1, sizeof(*t));
	struct cli_tasks_opts to = {.tick_ms = 100};
	volatile sig_atomic_t *stop = NULL;
	size_t nt = 0;
	int rc;

	for (size_t h = 0; h < s->n_hosts; h++)
		if (!s->hosts[h].offline)
			t[nt++] = (struct cli_task){.h = &s->hosts[h],
						    .what = "the event stream",
						    .start = host_start,
						    .arg = r};
	if (!r->o->no_stream) {
		cli_signals_catch(&stop);
		to.stop = stop;
		to.tick = stats_tick;
		to.tick_ud = r;
		r->start = r->last = compat_now_ms();
	}
	rc = cli_tasks_run(s, t, nt, &to);
	if (r->o->no_stream)
		stats_print(r, false);
	free(t);
	return stop && *stop ? cli_signal_status() : rc;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_opts o = {0};
	struct stats_run r = {.o = &o};
	struct cli_session s;
	int nargs, rc = cli_opt_parse(&cli_spec_stats, &o, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	/* The events from a second before the state, so none is missed. */
	snprintf(r.since, sizeof(r.since), "%lld", (long long)time(NULL) - 1);
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, argv + 1, (size_t)nargs);
	if (!rc) {
		r.names = argv + 1;
		r.n_names = (size_t)nargs;
		r.project = s.project_name;
		rc = stats_go(&s, &r);
	}
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i]->id);
		free(r.v[i]->name);
		free(r.v[i]);
	}
	free(r.v);
	cli_session_close(&s);
	return rc;
}
