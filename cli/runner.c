/*
 * The runner of the commands that act on the project's containers and
 * images (kill, pause, unpause, rm, start, stop, restart, pull, images,
 * top, push): one request per task, every daemon through one loop, waves in
 * order, one set of progress lines, one message per unreachable daemon
 * and one exit-status rule.
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
	size_t n, alloc;
};

static struct engine *daemon_engine(struct run_daemons *d,
				    struct cli_session *s,
				    struct cli_task *t,
				    bool quiet)
{
	struct engine *e;

	for (size_t i = 0; i < d->n; i++)
		if (d->h[i] == t->h)
			return d->e[i];
	e = cli_session_engine(s, t->h);
	if (!e && !quiet)
		cli_errorf("daemon '%s' is not reachable", t->h->name);
	ALLOC_GROW(d->h, d->n + 1, d->alloc);
	d->e = xrealloc(d->e, d->alloc * sizeof(*d->e));
	d->h[d->n] = t->h;
	d->e[d->n++] = e;
	return e;
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

static void failure(const struct cli_task *t, const struct cli_tasks_opts *o)
{
	struct sbuf sb = SBUF_INIT;

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
	if (rc && err)
		t->err = *err;
	else if (rc)
		snprintf(t->err.msg, sizeof(t->err.msg), "failed (%d)", rc);
	if (!rc && o && o->done && !o->quiet)
		line(t, o, o->done);
}

static int wave(struct cli_session *s,
		struct run_daemons *d,
		struct cli_task *v,
		size_t n,
		int level,
		const struct cli_tasks_opts *o)
{
	struct engine_loop *l = engine_loop_new();
	int rc = CLI_OK;

	for (size_t i = 0; i < n; i++) {
		struct engine *e;

		if (v[i].level != level || v[i].skip)
			continue;
		e = daemon_engine(d, s, &v[i], o->probe);
		if (!e) {
			v[i].rc = DIAG_ETRANSPORT;
			v[i].unreachable = true;
			continue;
		}
		v[i].run = o;
		if ((v[i].doing || o->doing) && !o->quiet)
			line(&v[i], o, v[i].doing ? v[i].doing : o->doing);
		v[i].start(l, e, &v[i]);
	}
	engine_loop_run(l, -1);
	engine_loop_free(l);
	for (size_t i = 0; i < n; i++) {
		if (v[i].level != level || v[i].skip)
			continue;
		if (!v[i].rc || o->probe)
			continue;
		if (!v[i].unreachable)
			failure(&v[i], o);
		if (!o->warn)
			rc = CLI_FAIL;
	}
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

		if (wave(s, &d, v, n, level, o)) {
			rc = CLI_FAIL;
			/* What depends on a failed task would fail too. */
			if (o->stop_on_failure)
				break;
		}
	}
	free(d.h);
	free(d.e);
	return rc;
}
