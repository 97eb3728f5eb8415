/*
 * mixcompose exec: run a command in a service's container, on whichever
 * daemon that container lives, and exit with the command's exit code.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct exec_opts {
	bool detach;
	bool no_tty;
	const char *user;
	const char *workdir;
	const char **env;
	size_t n_env, alloc_env;
	int index;
	const char *service;
	char **argv;
	size_t argc;
};

static void exec_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose exec [OPTIONS] SERVICE COMMAND [ARGS...]\n"
		"\n"
		"Run a command in a running container of SERVICE, on its "
		"daemon.\n"
		"The exit status is the command's.\n"
		"\n"
		"Options:\n"
		"  -d, --detach           run in the background\n"
		"  -T, --no-TTY           do not allocate a TTY (always the "
		"case)\n"
		"  -u, --user USER        run as USER\n"
		"  -w, --workdir DIR      working directory\n"
		"  -e, --env K=V          set a variable (repeatable)\n"
		"      --index N          the container of the service "
		"(default 1)\n"
		"  -h, --help             show this help\n");
}

static int parse_index(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 1 || v > 100000)
		return -1;
	*out = (int)v;
	return 0;
}

static int exec_opt(struct exec_opts *o, int c)
{
	switch (c) {
	case 'd':
		o->detach = true;
		return 0;
	case 'T':
		o->no_tty = true;
		return 0;
	case 'u':
		o->user = optarg;
		return 0;
	case 'w':
		o->workdir = optarg;
		return 0;
	case 'e':
		ALLOC_GROW(o->env, o->n_env + 1, o->alloc_env);
		o->env[o->n_env++] = optarg;
		return 0;
	case 256:
		if (parse_index(optarg, &o->index)) {
			cli_errorf("exec: --index: '%s' is not a container "
				   "number",
				   optarg);
			return CLI_USAGE;
		}
		return 0;
	case 'h':
		exec_usage(stdout);
		return -1;
	default:
		exec_usage(stderr);
		return CLI_USAGE;
	}
}

static int exec_parse(struct exec_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"detach", no_argument, NULL, 'd'},
		{"no-TTY", no_argument, NULL, 'T'},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"env", required_argument, NULL, 'e'},
		{"index", required_argument, NULL, 256},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->index = 1;
	/* '+': the command's own options are not ours. */
	while ((c = getopt_long(argc, argv, "+dTu:w:e:h", opts, NULL)) != -1) {
		int rc = exec_opt(o, c);

		if (rc)
			return rc;
	}
	if (argc - optind < 2) {
		cli_errorf("exec: needs a SERVICE and a COMMAND");
		exec_usage(stderr);
		return CLI_USAGE;
	}
	o->service = argv[optind];
	o->argv = argv + optind + 1;
	o->argc = (size_t)(argc - optind - 1);
	return CLI_OK;
}

static int
on_output(void *ud, enum engine_stream_kind s, const char *data, size_t len)
{
	(void)ud;
	fwrite(data, 1, len, s == ENGINE_STDERR ? stderr : stdout);
	fflush(s == ENGINE_STDERR ? stderr : stdout);
	return 0;
}

/* The running container of the service with that number, and its host. */
static const struct plan_host_container *
find_container(const struct cli_session *s,
	       const struct exec_opts *o,
	       const struct plan_host **host)
{
	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (pc->oneoff || !pc->service ||
			    strcmp(pc->service, o->service) != 0 ||
			    pc->number != o->index)
				continue;
			*host = &s->hosts[h];
			return pc;
		}
	return NULL;
}

static bool some_unreachable(struct cli_session *s)
{
	for (size_t i = 0; i < engine_registry_count(s->reg); i++)
		if (!cli_daemon_usable(engine_registry_at(s->reg, i)))
			return true;
	return false;
}

static int run(struct cli_session *s, const struct exec_opts *o)
{
	const struct plan_host *h = NULL;
	const struct plan_host_container *c = find_container(s, o, &h);
	struct engine_exec_spec spec = {
		.argv = {(const char *const *)o->argv, o->argc},
		.env = {o->env, o->n_env},
		.user = o->user,
		.working_dir = o->workdir,
		.detach = o->detach,
	};
	struct diag err = {0};
	char id[80];
	int code = 0;
	struct engine *e;

	if (!c || !c->state || strcmp(c->state, "running") != 0) {
		cli_errorf("service '%s' has no running container %d%s",
			   o->service, o->index,
			   !c && some_unreachable(s)
				   ? " on the daemons that answered"
				   : "");
		return CLI_FAIL;
	}
	e = cli_session_engine(s, h);
	if (!e)
		return CLI_FAIL;
	if (engine_exec_create(e, c->id, &spec, id, &err) ||
	    engine_exec_start(e, id, o->detach, false, on_output, NULL, &err) ||
	    (!o->detach && engine_exec_inspect(e, id, &code, NULL, &err))) {
		cli_error(&err);
		return CLI_FAIL;
	}
	return code;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_opts o = {0};
	struct cli_session s;
	int rc = exec_parse(&o, argc, argv);

	if (!rc) {
		rc = cli_session_open(&s, CLI_SESSION_QUIET);
		if (!rc)
			rc = cli_session_check_services(&s, &o.argv[-1], 1);
		if (!rc)
			rc = run(&s, &o);
		cli_session_close(&s);
	}
	free(o.env);
	return rc < 0 ? CLI_OK : rc;
}
