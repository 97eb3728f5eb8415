/*
 * mixcompose rm: remove the project's stopped containers on every daemon,
 * after asking, as compose v2 does: on a terminal the prompt waits for an
 * answer; without one the answer is read from standard input, and nothing
 * (or end of input) means no.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct rm_opts {
	bool force;
	bool stop;
	bool volumes;
	char **names;
	size_t n_names;
};

static int rm_all(void *obj, const char *v)
{
	(void)obj;
	(void)v;
	return CLI_OK;
}

#define O struct rm_opts
static const struct cli_opt rm_opts_v[] = {
	CLI_FLAG('f', "force", O, force, "do not ask to confirm the removal"),
	CLI_FLAG('s', "stop", O, stop, "stop the containers first if needed"),
	CLI_FLAG('v',
		 "volumes",
		 O,
		 volumes,
		 "remove their anonymous volumes too"),
	/* compose v2 keeps -a as a hidden no-op. */
	{.sname = 'a',
	 .lname = "all",
	 .kind = CLI_OPT_FN,
	 .fn = rm_all,
	 .help = "(no effect)",
	 .flags = CLI_OPT_HIDDEN},
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_rm = {
	.name = "rm",
	.args = "[SERVICE...]",
	.summary = "remove the stopped containers",
	.desc = "Remove the project's stopped containers on every daemon.\n"
		"Anonymous volumes stay unless -v; data not in a volume is "
		"lost.",
	.opts = rm_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int rm_parse(struct rm_opts *o, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_rm, o, argc, argv, &n);

	o->names = argv + 1;
	o->n_names = (size_t)n;
	return rc;
}

/*
 * Stopped: anything but running, paused or restarting (State.Running).
 * After a successful --stop every one is: the daemon's container list may
 * still say "running" for a moment after the stop returned (dockerd
 * answers the stop when the state changes, and updates the list's view
 * of it just after), so that word is not trusted then.
 */
static bool rm_wanted(const struct cli_session *s,
		      const struct rm_opts *o,
		      const struct plan_host_container *c)
{
	const char *st = c->state ? c->state : "";

	if (c->oneoff || !c->service ||
	    !cli_names_has(o->names, o->n_names, c->service))
		return false;
	if (s->project && !compose_service_find(s->project, c->service))
		return false;
	if (o->stop)
		return true;
	return strcmp(st, "running") != 0 && strcmp(st, "paused") != 0 &&
	       strcmp(st, "restarting") != 0;
}

static int cmp_target(const void *pa, const void *pb)
{
	const struct cli_act_target *a = pa, *b = pb;
	int r = strcmp(a->c->name, b->c->name);

	return r ? r : strcmp(a->h->name, b->h->name);
}

static size_t rm_targets(struct cli_act_target **out,
			 const struct cli_session *s,
			 const struct rm_opts *o)
{
	struct cli_act_target *v = NULL;
	size_t n = 0, alloc = 0;

	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			if (!rm_wanted(s, o, &s->hosts[h].containers[c]))
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			v[n++] = (struct cli_act_target){
				&s->hosts[h], &s->hosts[h].containers[c]};
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_target);
	*out = v;
	return n;
}

/* "Going to remove a, b", then the answer (always yes with -f). */
static bool rm_confirm(const struct cli_act_target *v, size_t n, bool force)
{
	struct sbuf msg = SBUF_INIT;
	char line[256] = "";
	bool yes;

	sbuf_adds(&msg, "Going to remove ");
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&msg, "%s%s", i ? ", " : "", v[i].c->name);
	if (force) {
		printf("%s\n", msg.buf);
		sbuf_release(&msg);
		return true;
	}
	printf("%s\nAre you sure? [yN] ", msg.buf);
	fflush(stdout);
	sbuf_release(&msg);
	yes = fgets(line, sizeof(line), stdin) && cli_confirm_answer(line);
	/* A piped answer is not echoed: end the prompt's line. */
	if (!compat_isatty(STDIN_FILENO))
		putchar('\n');
	return yes;
}

static int rm_stop_first(struct cli_session *s, const struct rm_opts *o)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = cli_lifecycle(s, CLI_LIFE_STOP, o->names, o->n_names, -1);

	if (rc)
		return rc;
	/* The states changed: ask again. */
	apply_state_collect_ext(&s->hosts, &s->n_hosts, &s->ext, s->a, s->reg,
				s->project_name, 0, &dl);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	return CLI_OK;
}

int cmd_rm(int argc, char **argv)
{
	struct rm_opts o = {0};
	struct cli_act_target *v = NULL;
	struct cli_session s;
	size_t n = 0;
	int rc = rm_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET);
	if (!rc)
		rc = cli_session_check_services(&s, o.names, o.n_names);
	if (!rc && o.stop)
		rc = rm_stop_first(&s, &o);
	if (!rc)
		n = rm_targets(&v, &s, &o);
	if (!rc && !n)
		fprintf(stderr, "No stopped containers\n");
	if (!rc && n && rm_confirm(v, n, o.force)) {
		struct cli_act_opts ao = {.force = o.force,
					  .volumes = o.volumes};

		rc = cli_act_run(&s, CLI_ACT_REMOVE, v, n, &ao);
	}
	free(v);
	cli_session_close(&s);
	return rc;
}
