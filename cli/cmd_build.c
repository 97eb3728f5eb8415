/*
 * mixcompose build: each service's image built by the daemon that runs
 * the service (a windows service's image by the windows daemon), all
 * daemons at once.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct build_opts {
	struct apply_up_opts up;
	struct compose_kv *args;
	size_t n_args;
	bool quiet;
	const char *progress;
	char **services;
	size_t n_services;
};

static void build_usage(FILE *f)
{
	fprintf(f, "usage: mixcompose build [OPTIONS] [SERVICE...]\n"
		   "\n"
		   "Build each service's image on the daemon that runs it, for "
		   "its\n"
		   "platform, all daemons at once.\n"
		   "\n"
		   "Options:\n"
		   "      --build-arg K=V   set a build argument (repeatable)\n"
		   "      --no-cache        do not use the build cache\n"
		   "      --pull            always pull the base images\n"
		   "      --progress MODE   auto, tty, plain, json or quiet\n"
		   "  -q, --quiet           no build output\n"
		   "  -h, --help            show this help\n");
}

/* "K=V", or "K" taking its value from the environment (skipped if unset). */
static void add_arg(struct build_opts *o, const char *s)
{
	const char *eq = strchr(s, '=');
	struct compose_kv *kv;

	if (!eq && !getenv(s))
		return;
	o->args = xrealloc(o->args, (o->n_args + 1) * sizeof(*o->args));
	kv = &o->args[o->n_args++];
	memset(kv, 0, sizeof(*kv));
	kv->key = eq ? xstrndup(s, (size_t)(eq - s)) : xstrdup(s);
	kv->value = xstrdup(eq ? eq + 1 : getenv(s));
}

static int build_parse(struct build_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"build-arg", required_argument, NULL, 256},
		{"no-cache", no_argument, NULL, 257},
		{"pull", no_argument, NULL, 258},
		{"progress", required_argument, NULL, 259},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->progress = "auto";
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		if (c == 256) {
			add_arg(o, optarg);
		} else if (c == 257) {
			o->up.no_cache = true;
		} else if (c == 258) {
			o->up.pull = true;
		} else if (c == 259) {
			o->progress = optarg;
		} else if (c == 'q') {
			o->quiet = true;
		} else if (c == 'h') {
			build_usage(stdout);
			return -1;
		} else {
			build_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (!cli_progress_mode_ok(o->progress))
		return CLI_USAGE;
	o->services = argv + optind;
	o->n_services = (size_t)(argc - optind);
	return CLI_OK;
}

static int print_line(void *ud, const char *text)
{
	if (!*text)
		return 0;
	printf("%s | %s\n", (const char *)ud, text);
	fflush(stdout);
	return 0;
}

static int build_run(struct cli_session *s,
		     const struct plan *p,
		     struct build_opts *o,
		     volatile sig_atomic_t *stop)
{
	struct engine **engines = xcalloc(p->n_hosts + 1, sizeof(*engines));
	struct apply_jobs jobs;
	struct diag err = {0};
	int rc;

	for (size_t d = 0; d < p->n_hosts; d++)
		engines[d] = p->hosts[d].offline
				     ? NULL
				     : cli_session_engine(s, &p->hosts[d]);
	o->up.timeout_s = -1;
	o->up.build_args = o->args;
	o->up.n_build_args = o->n_args;
	o->up.build_out = o->quiet ? NULL : print_line;
	apply_jobs_init(&jobs);
	if (apply_build(&jobs, p, engines, &o->up, NULL, &err)) {
		cli_error(&err);
		rc = CLI_FAIL;
	} else {
		rc = cli_jobs_run(&jobs, o->quiet ? "quiet" : o->progress,
				  stop);
	}
	apply_jobs_release(&jobs);
	free(engines);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	struct build_opts o = {0};
	struct plan_options po = {.no_deps = true,
				  .build = PLAN_BUILD_OPT_ALWAYS};
	struct plan *plan = NULL;
	struct cli_session s;
	volatile sig_atomic_t *stop;
	int rc = build_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	cli_signals_catch(&stop);
	rc = cli_plan_open(&s, false);
	if (!rc)
		rc = cli_session_check_services(&s, o.services, o.n_services);
	if (!rc && !s.reachable) {
		cli_errorf("no daemon is reachable");
		rc = CLI_FAIL;
	}
	po.services = (const char *const *)o.services;
	po.n_services = o.n_services;
	if (!rc)
		rc = cli_plan_make(&plan, &s, &po, false);
	if (!rc)
		rc = build_run(&s, plan, &o, stop);
	plan_free(plan);
	cli_session_close(&s);
	for (size_t i = 0; i < o.n_args; i++) {
		free((char *)o.args[i].key);
		free((char *)o.args[i].value);
	}
	free(o.args);
	return rc;
}
