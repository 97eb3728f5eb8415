/*
 * mixcompose stats: the resource usage of the project's containers on
 * every daemon, as `docker stats` shows it (compose v2 runs the docker
 * CLI's stats with the project's label), with a DAEMON column.  A Windows
 * daemon's rows have no memory limit, percentage or pids ("--").
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

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

struct stats_job {
	const struct plan_host *h;
	struct cli_stats_row row;
	struct engine_stats sample;
	struct cli_task *task;
	bool answered; /* a sample came, or the request ended */
};

static int on_sample(void *ud, const struct engine_stats *s)
{
	struct stats_job *j = ud;

	j->sample = *s;
	j->row.s = &j->sample;
	j->answered = true;
	return 0;
}

static void stats_done(void *ud, int rc, const struct diag *err)
{
	struct stats_job *j = ud;

	/* A stream that failed shows "--", as docker stats does. */
	if (rc)
		j->row.s = NULL;
	j->answered = true;
	if (j->task)
		cli_task_done(j->task, rc, err);
}

static void
stats_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	struct stats_job *j = t->ud;

	j->task = t;
	engine_container_stats_async(l, e, t->ref, false, on_sample, j,
				     stats_done, j);
}

static int cmp_job(const void *pa, const void *pb)
{
	const struct stats_job *a = pa, *b = pb;
	int r = strcmp(a->row.name, b->row.name);

	return r ? r : strcmp(a->row.daemon, b->row.daemon);
}

static size_t stats_jobs(struct stats_job **out,
			 const struct cli_session *s,
			 const struct stats_opts *o,
			 char *const *names,
			 size_t n_names)
{
	struct stats_job *v = NULL;
	size_t n = 0, alloc = 0;

	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (!cli_names_has(names, n_names,
					   pc->service ? pc->service : "") ||
			    (!o->all &&
			     (!pc->state || strcmp(pc->state, "running") != 0)))
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			memset(&v[n], 0, sizeof(v[n]));
			v[n].row = (struct cli_stats_row){
				s->hosts[h].name, pc->id, pc->name, NULL};
			v[n].h = &s->hosts[h];
			n++;
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_job);
	*out = v;
	return n;
}

static void stats_print(struct stats_job *v,
			size_t n,
			const struct stats_opts *o,
			bool clear)
{
	struct cli_stats_row *rows = xcalloc(n + 1, sizeof(*rows));
	struct sbuf out = SBUF_INIT;
	bool json = o->format && !strcmp(o->format, "json");

	for (size_t i = 0; i < n; i++)
		rows[i] = v[i].row;
	/* As docker stats: the screen cleared before each refresh. */
	if (clear)
		sbuf_adds(&out, "\033[2J\033[H");
	cli_stats_format(&out, rows, n, json, !o->no_trunc);
	fputs(out.buf, stdout);
	fflush(stdout);
	sbuf_release(&out);
	free(rows);
}

/* One sample of each container, through the runner. */
static int stats_once(struct cli_session *s,
		      struct stats_job *v,
		      size_t n,
		      const struct stats_opts *o)
{
	struct cli_tasks_opts to = {.kind = "Container"};
	struct cli_task *t = xcalloc(n + 1, sizeof(*t));
	int rc;

	for (size_t i = 0; i < n; i++)
		t[i] = (struct cli_task){.h = v[i].h,
					 .what = v[i].row.name,
					 .start = stats_start,
					 .ref = v[i].row.id,
					 .ud = &v[i]};
	rc = cli_tasks_run(s, t, n, &to);
	stats_print(v, n, o, false);
	free(t);
	return rc;
}

/* Every container's stream at once; the table again every 500 ms. */
static int stats_stream(struct cli_session *s,
			struct stats_job *v,
			size_t n,
			const struct stats_opts *o)
{
	struct engine_loop *l = engine_loop_new();
	volatile sig_atomic_t *stop;
	long long start = compat_now_ms(), last = start;

	cli_signals_catch(&stop);
	for (size_t i = 0; i < n; i++) {
		struct engine *e = cli_session_engine(s, v[i].h);

		if (e)
			engine_container_stats_async(l, e, v[i].row.id, true,
						     on_sample, &v[i],
						     stats_done, &v[i]);
	}
	while (!*stop) {
		size_t answered = 0;

		long long now;

		engine_loop_step(l, 100);
		now = compat_now_ms();
		for (size_t i = 0; i < n; i++)
			answered += v[i].answered;
		/* As docker stats: the first table once each has a sample. */
		if (now - last >= 500 &&
		    (answered == n || now - start >= 2000)) {
			stats_print(v, n, o, true);
			last = now;
			for (size_t i = 0; i < n; i++)
				v[i].answered = true;
		}
	}
	engine_loop_cancel(l);
	engine_loop_free(l);
	return cli_signal_status();
}

int cmd_stats(int argc, char **argv)
{
	struct stats_opts o = {0};
	struct stats_job *v = NULL;
	struct cli_session s;
	size_t n = 0;
	int nargs, rc = cli_opt_parse(&cli_spec_stats, &o, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, argv + 1, (size_t)nargs);
	if (!rc) {
		n = stats_jobs(&v, &s, &o, argv + 1, (size_t)nargs);
		rc = o.no_stream ? stats_once(&s, v, n, &o)
				 : stats_stream(&s, v, n, &o);
	}
	free(v);
	cli_session_close(&s);
	return rc;
}
