/*
 * The options of `exec` and `run`, parsed as docker compose v2 takes them,
 * and the pure helpers of `run` (one-off names, --publish).  No daemon is
 * needed here, so the unit tests include this file.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static void push(const char ***v, size_t *n, size_t *alloc, const char *s)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = s;
}

/* -i, --interactive[=true|false] of exec and run. */
static int interactive_arg(bool *out, const char *cmd, const char *v)
{
	if (cli_opt_bool(v) < 0) {
		cli_errorf("%s: --interactive: '%s' is not true or false", cmd,
			   v);
		return CLI_USAGE;
	}
	*out = cli_opt_bool(v) == 1;
	return CLI_OK;
}

static int exec_interactive(void *obj, const char *v)
{
	return interactive_arg(&((struct cli_exec_opts *)obj)->interactive,
			       "exec", v);
}

static int exec_env(void *obj, const char *v)
{
	struct cli_exec_opts *o = obj;

	push(&o->env, &o->n_env, &o->alloc_env, v);
	return CLI_OK;
}

static int no_op(void *obj, const char *v)
{
	(void)obj;
	(void)v;
	return CLI_OK;
}

#define CLI_INTERACTIVE_OPT(cb)                                                \
	{                                                                      \
		.sname = 'i', .lname = "interactive", .kind = CLI_OPT_FN,      \
		.fn = (cb), .arg = "false", .flags = CLI_OPT_OPTVAL,           \
		.help = "keep stdin attached (default true)"                   \
	}

#define O struct cli_exec_opts
static const struct cli_opt exec_opts_v[] = {
	CLI_FLAG('d', "detach", O, detach, "run in the background"),
	CLI_FLAG('T',
		 "no-TTY",
		 O,
		 no_tty,
		 "do not allocate a TTY (the default when stdout\n"
		 "is not a terminal)"),
	/* docker exec's -t: already the default. */
	CLI_FN('t', "tty", no_op, NULL, "allocate a TTY (the default)"),
	CLI_INTERACTIVE_OPT(exec_interactive),
	CLI_STR('u', "user", O, user, "USER", "run as USER"),
	CLI_STR('w', "workdir", O, workdir, "DIR", "working directory"),
	{.sname = 'e',
	 .lname = "env",
	 .kind = CLI_OPT_FN,
	 .fn = exec_env,
	 .arg = "K=V",
	 .help = "set a variable (repeatable)",
	 .flags = CLI_OPT_REPEAT},
	CLI_FLAG(0,
		 "privileged",
		 O,
		 privileged,
		 "give the process extended privileges"),
	CLI_INT(0,
		"index",
		O,
		index,
		"N",
		1,
		100000,
		"a container number",
		"the container of the service (default 1)"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_exec = {
	.name = "exec",
	.args = "SERVICE COMMAND [ARGS...]",
	.summary = "run a command in a service's container",
	.desc = "Run a command in a running container of SERVICE, on its "
		"daemon.\n"
		"The exit status is the command's.  With a terminal it gets a "
		"TTY and\nyour keyboard, as docker compose exec does.",
	.opts = exec_opts_v,
	.min_args = 2,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
	.flags = CLI_SPEC_ARGS_END,
};

int cli_exec_parse(struct cli_exec_opts *o, int argc, char **argv)
{
	int n, rc;

	memset(o, 0, sizeof(*o));
	o->index = 1;
	o->interactive = true;
	/* Options end at the service: the command's own are not ours. */
	rc = cli_opt_parse(&cli_spec_exec, o, argc, argv, &n);
	if (rc)
		return rc;
	o->service = argv[1];
	o->argv = argv + 2;
	o->argc = (size_t)(n - 1);
	return CLI_OK;
}

void cli_exec_opts_release(struct cli_exec_opts *o)
{
	free(o->env);
	o->env = NULL;
}

/* ---- run ---------------------------------------------------------------- */

static int run_interactive(void *obj, const char *v)
{
	return interactive_arg(&((struct cli_run_opts *)obj)->interactive,
			       "run", v);
}

static int run_env(void *obj, const char *v)
{
	struct cli_run_opts *o = obj;

	push(&o->env, &o->n_env, &o->alloc_env, v);
	return CLI_OK;
}

static int run_label(void *obj, const char *v)
{
	struct cli_run_opts *o = obj;

	if (!strchr(v, '=') || *v == '=') {
		cli_errorf("run: --label: '%s' is not KEY=VALUE", v);
		return CLI_USAGE;
	}
	push(&o->labels, &o->n_labels, &o->alloc_labels, v);
	return CLI_OK;
}

static int run_volume(void *obj, const char *v)
{
	struct cli_run_opts *o = obj;

	if (!strchr(v, ':')) {
		cli_errorf("run: --volume: '%s' is not SRC:DST[:ro]", v);
		return CLI_USAGE;
	}
	push(&o->volumes, &o->n_volumes, &o->alloc_volumes, v);
	return CLI_OK;
}

static int run_cap_add(void *obj, const char *v)
{
	struct cli_run_opts *o = obj;

	push(&o->cap_add, &o->n_cap_add, &o->alloc_cap_add, v);
	return CLI_OK;
}

static int run_cap_drop(void *obj, const char *v)
{
	struct cli_run_opts *o = obj;

	push(&o->cap_drop, &o->n_cap_drop, &o->alloc_cap_drop, v);
	return CLI_OK;
}

static int run_publish(void *obj, const char *v)
{
	struct cli_run_opts *o = obj;
	struct apply_publish pb;

	if (cli_publish_parse(&pb, v)) {
		cli_errorf(
			"run: --publish: '%s' is not [IP:][HOST:]PORT[/PROTO]",
			v);
		return CLI_USAGE;
	}
	push(&o->publish, &o->n_publish, &o->alloc_publish, v);
	return CLI_OK;
}

#define CLI_LIST_OPT(s, l, f, a, h)                                            \
	{                                                                      \
		.sname = (s), .lname = (l), .kind = CLI_OPT_FN, .fn = (f),     \
		.arg = (a), .help = (h), .flags = CLI_OPT_REPEAT               \
	}

#define O struct cli_run_opts
static const struct cli_opt run_opts_v[] = {
	CLI_FLAG('d',
		 "detach",
		 O,
		 detach,
		 "run in the background, print the container ID"),
	CLI_FLAG(0, "rm", O, rm, "remove the container when it exits"),
	CLI_FLAG('T',
		 "no-TTY",
		 O,
		 no_tty,
		 "do not allocate a TTY (the default when stdout\n"
		 "is not a terminal)"),
	CLI_INTERACTIVE_OPT(run_interactive),
	CLI_LIST_OPT('e', "env", run_env, "K=V", "set a variable (repeatable)"),
	CLI_LIST_OPT('l',
		     "label",
		     run_label,
		     "K=V",
		     "add or override a label (repeatable)"),
	CLI_LIST_OPT('v',
		     "volume",
		     run_volume,
		     "SRC:DST[:ro]",
		     "bind mount a volume (repeatable)"),
	CLI_LIST_OPT('p',
		     "publish",
		     run_publish,
		     "[IP:][HOST:]PORT[/PROTO]",
		     "publish a port (repeatable)"),
	CLI_FLAG(0,
		 "service-ports",
		 O,
		 service_ports,
		 "publish the service's own ports"),
	CLI_STR(0,
		"entrypoint",
		O,
		entrypoint,
		"CMD",
		"override the image's entrypoint"),
	CLI_STR('u', "user", O, user, "USER", "run as USER"),
	CLI_STR('w', "workdir", O, workdir, "DIR", "working directory"),
	CLI_STR(0, "name", O, name, "NAME", "the container's name"),
	CLI_FLAG(0,
		 "no-deps",
		 O,
		 no_deps,
		 "do not start the services it depends on"),
	CLI_LIST_OPT(0,
		     "cap-add",
		     run_cap_add,
		     "CAP",
		     "add a Linux capability (repeatable)"),
	CLI_LIST_OPT(0,
		     "cap-drop",
		     run_cap_drop,
		     "CAP",
		     "drop a Linux capability (repeatable)"),
	CLI_FLAG(0, "build", O, build, "build the images before starting"),
	CLI_FLAG(0,
		 "remove-orphans",
		 O,
		 remove_orphans,
		 "remove containers of services not in the file"),
	CLI_FLAG(0,
		 "use-aliases",
		 O,
		 use_aliases,
		 "give the container the service's network aliases"),
	CLI_FLAG(0,
		 "quiet-pull",
		 O,
		 quiet_pull,
		 "no progress lines for the image pulls"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_run = {
	.name = "run",
	.args = "SERVICE [COMMAND [ARGS...]]",
	.summary = "run a one-off command on a service",
	.desc = "Run a one-off command in a new container of SERVICE, on the "
		"daemon its\nplatform asks for, after starting what it depends "
		"on.  The exit status\nis the command's.",
	.opts = run_opts_v,
	.min_args = 1,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
	.flags = CLI_SPEC_ARGS_END,
};

int cli_run_parse(struct cli_run_opts *o, int argc, char **argv)
{
	int n, rc;

	memset(o, 0, sizeof(*o));
	o->interactive = true;
	rc = cli_opt_parse(&cli_spec_run, o, argc, argv, &n);
	if (rc)
		return rc;
	if (o->service_ports && o->n_publish) {
		cli_errorf("run: --service-ports and --publish are exclusive");
		return CLI_USAGE;
	}
	o->service = argv[1];
	o->argv = argv + 2;
	o->argc = (size_t)(n - 1);
	return CLI_OK;
}

void cli_run_opts_release(struct cli_run_opts *o)
{
	free(o->env);
	free(o->labels);
	free(o->volumes);
	free(o->publish);
	free(o->cap_add);
	free(o->cap_drop);
	o->env = o->labels = o->volumes = o->publish = NULL;
	o->cap_add = o->cap_drop = NULL;
}

/* ---- Names and ports ------------------------------------------------------
 */

void cli_run_name(char out[CLI_RUN_NAME_MAX],
		  const char *project,
		  const char *service,
		  const unsigned char slug[32],
		  char slug_hex[65])
{
	for (size_t i = 0; i < 32; i++)
		snprintf(slug_hex + 2 * i, 3, "%02x", slug[i]);
	/* compose v2: <project>-<service>-run-<first 12 of the slug>. */
	snprintf(out, CLI_RUN_NAME_MAX, "%s-%s-run-%.12s", project, service,
		 slug_hex);
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "N" or "N-M" of ports 1..65535. */
static bool port_or_range(const char *s, size_t n)
{
	const char *dash = memchr(s, '-', n);
	char buf[16];
	long a, b;

	if (n >= sizeof(buf))
		return false;
	if (!dash)
		return all_digits(s, n) && (a = strtol(s, NULL, 10)) >= 1 &&
		       a <= 65535;
	if (!all_digits(s, (size_t)(dash - s)) ||
	    !all_digits(dash + 1, n - (size_t)(dash - s) - 1))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	a = strtol(buf, NULL, 10);
	b = strtol(buf + (dash - s) + 1, NULL, 10);
	return a >= 1 && b <= 65535 && a <= b;
}

int cli_publish_parse(struct apply_publish *out, const char *s)
{
	const char *slash = strrchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	const char *last = NULL, *first = NULL;
	char *end;
	long cport;

	memset(out, 0, sizeof(*out));
	if (slash) {
		if (strcmp(slash + 1, "tcp") && strcmp(slash + 1, "udp") &&
		    strcmp(slash + 1, "sctp"))
			return -1;
		snprintf(out->protocol, sizeof(out->protocol), "%s", slash + 1);
	}
	for (size_t i = 0; i < len; i++)
		if (s[i] == ':') {
			if (!first)
				first = s + i;
			last = s + i;
		}
	cport = strtol(last ? last + 1 : s, &end, 10);
	if (end != s + len || cport < 1 || cport > 65535 ||
	    !isdigit((unsigned char)(last ? last[1] : s[0])))
		return -1;
	out->container_port = (unsigned)cport;
	if (!last)
		return 0;
	/* IP:HOST:PORT, IP::PORT, or HOST:PORT. */
	if (first != last) {
		size_t iplen = (size_t)(first - s);

		if (!iplen || iplen >= sizeof(out->host_ip))
			return -1;
		memcpy(out->host_ip, s, iplen);
		first++;
	} else {
		first = s;
	}
	if (last > first) {
		if (!port_or_range(first, (size_t)(last - first)) ||
		    (size_t)(last - first) >= sizeof(out->host_port))
			return -1;
		memcpy(out->host_port, first, (size_t)(last - first));
	} else if (first == s) {
		return -1; /* ":80" */
	}
	return 0;
}
