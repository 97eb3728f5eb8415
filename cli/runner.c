/*
 * The runner of the commands that act on the project's containers and
 * images (kill, pause, unpause, rm, start, stop, restart, pull, images,
 * top, push, ls, logs, stats, events, hosts --sync): one request per task,
 * every daemon through one loop, waves in order, one set of progress
 * lines, one message per unreachable daemon and one exit-status rule.
 * Streams (logs -f, stats, events) are tasks too: their wave ends when
 * they all end or when the command says stop.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

/* Each daemon's engine, asked for once; an unreachable one said once. */
struct run_daemons {
	const struct plan_host **h;
	struct engine **e;
	bool *said; /* its being unreachable was said */
	size_t n, alloc;
};

/* The wave in flight: what cli_task_add needs, and what it added. */
struct cli_wave {
	struct cli_session *s;
	struct run_daemons *d;
	struct engine_loop *l;
	const struct cli_tasks_opts *o;
	struct cli_task **added;
	size_t n_added, alloc;
	bool cancelled;
};

static size_t daemon_index(struct run_daemons *d, const struct plan_host *h)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->h[i] == h)
			return i;
	ALLOC_GROW(d->h, d->n + 1, d->alloc);
	d->e = xrealloc(d->e, d->alloc * sizeof(*d->e));
	d->said = xrealloc(d->said, d->alloc * sizeof(*d->said));
	d->h[d->n] = h;
	d->e[d->n] = NULL;
	/* A host the session found offline was said by the session. */
	d->said[d->n] = h->offline;
	return d->n++;
}

/* "daemon 'X' is not reachable: WHY", the first time only. */
static void say_down(struct run_daemons *d,
		     const struct plan_host *h,
		     const struct cli_tasks_opts *o,
		     const char *why)
{
	size_t i = daemon_index(d, h);

	if (d->said[i] || o->probe)
		return;
	d->said[i] = true;
	fprintf(stderr, "%sdaemon '%s' is not reachable%s%s\n",
		o->warn ? "warning: " : "mixcompose: ", h->name,
		*why ? ": " : "", why);
}

/* Each daemon's engine, made once (NULL: unreachable, said once). */
static struct engine *daemon_engine(struct run_daemons *d,
				    struct cli_session *s,
				    const struct plan_host *h,
				    const struct cli_tasks_opts *o)
{
	size_t i = daemon_index(d, h);
	struct engine_daemon *ed;
	struct diag err = {0};

	if (d->e[i] || d->said[i])
		return d->e[i];
	ed = engine_registry_find(s->reg, h->name);
	if (ed && !h->offline)
		d->e[i] = engine_registry_engine(s->reg, ed, &err);
	if (!d->e[i])
		say_down(d, h, o, err.msg);
	return d->e[i];
}

/* "[KIND ]WHAT (DAEMON)[: DETAIL]". */
static void
label(struct sbuf *sb, const struct cli_task *t, const struct cli_tasks_opts *o)
{
	sbuf_adds(sb, engine_dry_run() ? CLI_DRY_PREFIX : "");
	if (o->kind)
		sbuf_addf(sb, "%s ", o->kind);
	sbuf_addf(sb, "%s (%s)", t->what, t->h->name);
	if (t->detail)
		sbuf_addf(sb, ": %s", t->detail);
}

static void
line(const struct cli_task *t, const struct cli_tasks_opts *o, const char *verb)
{
	struct sbuf sb = SBUF_INIT;

	label(&sb, t, o);
	fprintf(stderr, " %s  %s\n", sb.buf, verb);
	sbuf_release(&sb);
}

/* A failure's line; a daemon gone is said once for all its tasks. */
static void failure(struct run_daemons *d,
		    const struct cli_task *t,
		    const struct cli_tasks_opts *o)
{
	struct sbuf sb = SBUF_INIT;

	if (t->rc == DIAG_ETRANSPORT) {
		say_down(d, t->h, o, t->err.msg);
		return;
	}
	label(&sb, t, o);
	fprintf(stderr, "%s%s: %s\n",
		o->warn ? "warning: " : "mixcompose: ", sb.buf, t->err.msg);
	sbuf_release(&sb);
}

void cli_task_done(void *ud, int rc, const struct diag *err)
{
	struct cli_task *t = ud;
	const struct cli_tasks_opts *o = t->run;

	t->rc = rc;
	/* What a stop cuts short ends with all sorts of errors. */
	t->cancelled = t->wave && t->wave->cancelled;
	if (rc && err)
		t->err = *err;
	else if (rc)
		snprintf(t->err.msg, sizeof(t->err.msg), "failed (%d)", rc);
	if (!rc && o && o->done && !o->quiet)
		line(t, o, o->done);
	/* A stream that fails is said at once: the others go on. */
	if (rc && !t->cancelled && o && (o->stop || o->tick) && !o->probe) {
		failure(t->wave->d, t, o);
		t->said = true;
	}
}

static void task_start(struct cli_wave *w, struct cli_task *t)
{
	const struct cli_tasks_opts *o = w->o;
	struct engine *e = daemon_engine(w->d, w->s, t->h, o);

	if (!e) {
		t->rc = DIAG_ETRANSPORT;
		t->unreachable = true;
		return;
	}
	t->run = o;
	t->wave = w;
	if ((t->doing || o->doing) && !o->quiet)
		line(t, o, t->doing ? t->doing : o->doing);
	t->start(w->l, e, t);
}

void cli_task_add(struct cli_task *from, struct cli_task *t)
{
	struct cli_wave *w = from->wave;

	if (!t->h)
		t->h = from->h;
	ALLOC_GROW(w->added, w->n_added + 1, w->alloc);
	w->added[w->n_added++] = t;
	task_start(w, t);
}

/* Failed, to be counted: not skipped, not cut short by a stop. */
static bool task_failed(const struct cli_task *t)
{
	return !t->skip && t->rc && !t->cancelled;
}

/* Steps until every request ended, or the command said stop. */
static void wave_loop(struct cli_wave *w)
{
	const struct cli_tasks_opts *o = w->o;

	if (!o->stop && !o->tick) {
		engine_loop_run(w->l, -1);
		return;
	}
	while (engine_loop_pending(w->l)) {
		if ((o->stop && *o->stop) || (o->tick && o->tick(o->tick_ud))) {
			w->cancelled = true;
			engine_loop_cancel(w->l);
			break;
		}
		engine_loop_step(w->l, o->tick_ms ? o->tick_ms : 200);
	}
}

static int
wave_report(const struct cli_wave *w, struct cli_task *const *v, size_t n)
{
	const struct cli_tasks_opts *o = w->o;
	int rc = CLI_OK;

	for (size_t i = 0; i < n; i++) {
		if (!task_failed(v[i]) || o->probe)
			continue;
		if (!v[i]->unreachable && !v[i]->said)
			failure(w->d, v[i], o);
		if (!o->warn)
			rc = CLI_FAIL;
	}
	return rc;
}

static int wave(struct cli_session *s,
		struct run_daemons *d,
		struct cli_task *v,
		size_t n,
		int level,
		const struct cli_tasks_opts *o)
{
	struct cli_wave w = {.s = s, .d = d, .o = o};
	struct cli_task **mine = xcalloc(n + 1, sizeof(*mine));
	size_t nm = 0;
	int rc;

	w.l = engine_loop_new();
	for (size_t i = 0; i < n; i++)
		if (v[i].level == level && !v[i].skip) {
			mine[nm++] = &v[i];
			task_start(&w, &v[i]);
		}
	wave_loop(&w);
	engine_loop_free(w.l);
	rc = wave_report(&w, mine, nm);
	if (wave_report(&w, w.added, w.n_added))
		rc = CLI_FAIL;
	free(mine);
	free(w.added);
	return rc;
}

int cli_tasks_run(struct cli_session *s,
		  struct cli_task *v,
		  size_t n,
		  const struct cli_tasks_opts *o)
{
	struct run_daemons d = {0};
	int max = 0, rc = CLI_OK;

	for (size_t i = 0; i < n; i++)
		if (v[i].level > max)
			max = v[i].level;
	for (int k = 0; n && k <= max; k++) {
		int level = o->reverse ? max - k : k;

		if (o->stop && *o->stop)
			break;
		if (wave(s, &d, v, n, level, o)) {
			rc = CLI_FAIL;
			/* What depends on a failed task would fail too. */
			if (o->stop_on_failure)
				break;
		}
	}
	free(d.h);
	free(d.e);
	free(d.said);
	return rc;
}
