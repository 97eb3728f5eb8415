/*
 * mixcompose top: the processes of the project's running containers, one
 * table across daemons.  A Windows daemon answers with other columns
 * (Name, CPU, Private Working Set) than a Linux one (UID, PPID, CMD):
 * both sets are kept, "-" where a daemon has no such column.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct top_job {
	const struct plan_host *h;
	const struct plan_host_container *c;
	char replica[16];
	struct engine_top *top;
};

static void
top_done(void *ud, int rc, struct engine_top *top, const struct diag *err)
{
	struct cli_task *t = ud;

	((struct top_job *)t->ud)->top = top;
	cli_task_done(t, rc, err);
}

static void top_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_top_async(l, e, t->ref, top_done, t);
}

static int cmp_job(const void *pa, const void *pb)
{
	const struct top_job *a = pa, *b = pb;
	int r = strcmp(a->c->name, b->c->name);

	return r ? r : strcmp(a->h->name, b->h->name);
}

static size_t top_jobs(struct top_job **out,
		       const struct cli_session *s,
		       char *const *names,
		       size_t n_names)
{
	struct top_job *v = NULL;
	size_t n = 0, alloc = 0;

	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (!pc->service ||
			    !cli_names_has(names, n_names, pc->service) ||
			    !pc->state || strcmp(pc->state, "running") != 0)
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			memset(&v[n], 0, sizeof(v[n]));
			v[n].h = &s->hosts[h];
			v[n].c = pc;
			snprintf(v[n].replica, sizeof(v[n].replica), "%d",
				 pc->number);
			n++;
		}
	/* compose sorts by container name; the table follows that order. */
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_job);
	*out = v;
	return n;
}

static int top_run(struct cli_session *s, struct top_job *v, size_t n)
{
	struct cli_tasks_opts o = {.kind = "Container"};
	struct cli_top_src *src = xcalloc(n + 1, sizeof(*src));
	struct cli_task *t = xcalloc(n + 1, sizeof(*t));
	struct sbuf out = SBUF_INIT;
	size_t ns = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		t[i] = (struct cli_task){.h = v[i].h,
					 .what = v[i].c->name,
					 .start = top_one,
					 .ref = v[i].c->id,
					 .ud = &v[i]};
	rc = cli_tasks_run(s, t, n, &o);
	for (size_t i = 0; i < n; i++)
		if (!t[i].rc)
			src[ns++] = (struct cli_top_src){
				v[i].c->service, v[i].replica, v[i].h->name,
				v[i].top};
	cli_top_format(&out, src, ns);
	if (out.len)
		fputs(out.buf, stdout);
	sbuf_release(&out);
	free(src);
	free(t);
	return rc;
}

static const struct cli_opt top_opts_v[] = {CLI_OPT_END};

const struct cli_spec cli_spec_top = {
	.name = "top",
	.args = "[SERVICE...]",
	.summary = "display the containers' processes",
	.desc = "Display the processes of the project's running containers "
		"on every daemon.",
	.opts = top_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

int cmd_top(int argc, char **argv)
{
	struct top_job *v = NULL;
	struct cli_session s;
	size_t n = 0;
	int nargs, rc = cli_opt_parse(&cli_spec_top, NULL, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, argv + 1, (size_t)nargs);
	if (!rc) {
		n = top_jobs(&v, &s, argv + 1, (size_t)nargs);
		rc = top_run(&s, v, n);
	}
	for (size_t i = 0; i < n; i++)
		engine_top_free(v[i].top);
	free(v);
	cli_session_close(&s);
	return rc;
}
