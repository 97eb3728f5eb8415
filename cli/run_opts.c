/*
 * The options of `exec` and `run`, parsed as docker compose v2 takes them,
 * and the pure helpers of `run` (one-off names, --publish).  No daemon is
 * needed here, so the unit tests include this file.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static void push(const char ***v, size_t *n, size_t *alloc, const char *s)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = s;
}

/* "true"/"false" of --interactive=VALUE (NULL: true); -1 if neither. */
static int bool_arg(const char *s)
{
	if (!s || !strcmp(s, "true") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "0"))
		return 0;
	return -1;
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

enum {
	OPT_INDEX = 256,
	OPT_PRIVILEGED,
	OPT_INTERACTIVE,
	OPT_RM,
	OPT_ENTRYPOINT,
	OPT_SERVICE_PORTS,
	OPT_NAME,
	OPT_NO_DEPS,
};

void cli_exec_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose exec [OPTIONS] SERVICE COMMAND [ARGS...]\n"
		"\n"
		"Run a command in a running container of SERVICE, on its "
		"daemon.\n"
		"The exit status is the command's.  With a terminal it gets a "
		"TTY and\nyour keyboard, as docker compose exec does.\n"
		"\n"
		"Options:\n"
		"  -d, --detach           run in the background\n"
		"  -T, --no-TTY           do not allocate a TTY (the default "
		"when stdout\n"
		"                         is not a terminal)\n"
		"  -i, --interactive[=false]  keep stdin attached (default "
		"true)\n"
		"  -u, --user USER        run as USER\n"
		"  -w, --workdir DIR      working directory\n"
		"  -e, --env K=V          set a variable (repeatable)\n"
		"      --privileged       give the process extended "
		"privileges\n"
		"      --index N          the container of the service "
		"(default 1)\n"
		"  -h, --help             show this help\n");
}

static int exec_opt(struct cli_exec_opts *o, int c)
{
	switch (c) {
	case 'd':
		o->detach = true;
		return 0;
	case 'T':
		o->no_tty = true;
		return 0;
	case 't': /* docker exec's -t: already the default */
		return 0;
	case 'i':
	case OPT_INTERACTIVE:
		if (bool_arg(c == 'i' ? NULL : optarg) < 0) {
			cli_errorf("exec: --interactive: '%s' is not true or "
				   "false",
				   optarg);
			return CLI_USAGE;
		}
		o->interactive = bool_arg(c == 'i' ? NULL : optarg) == 1;
		return 0;
	case 'u':
		o->user = optarg;
		return 0;
	case 'w':
		o->workdir = optarg;
		return 0;
	case 'e':
		push(&o->env, &o->n_env, &o->alloc_env, optarg);
		return 0;
	case OPT_PRIVILEGED:
		o->privileged = true;
		return 0;
	case OPT_INDEX:
		if (parse_index(optarg, &o->index)) {
			cli_errorf("exec: --index: '%s' is not a container "
				   "number",
				   optarg);
			return CLI_USAGE;
		}
		return 0;
	case 'h':
		cli_exec_usage(stdout);
		return -1;
	default:
		cli_exec_usage(stderr);
		return CLI_USAGE;
	}
}

int cli_exec_parse(struct cli_exec_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"detach", no_argument, NULL, 'd'},
		{"no-TTY", no_argument, NULL, 'T'},
		{"tty", no_argument, NULL, 't'},
		{"interactive", optional_argument, NULL, OPT_INTERACTIVE},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"env", required_argument, NULL, 'e'},
		{"privileged", no_argument, NULL, OPT_PRIVILEGED},
		{"index", required_argument, NULL, OPT_INDEX},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->index = 1;
	o->interactive = true;
	optind = 0;
	/* '+': the command's own options are not ours. */
	while ((c = getopt_long(argc, argv, "+dTtiu:w:e:h", opts, NULL)) !=
	       -1) {
		int rc = exec_opt(o, c);

		if (rc)
			return rc;
	}
	if (argc - optind < 2) {
		cli_errorf("exec: needs a SERVICE and a COMMAND");
		cli_exec_usage(stderr);
		return CLI_USAGE;
	}
	o->service = argv[optind];
	o->argv = argv + optind + 1;
	o->argc = (size_t)(argc - optind - 1);
	return CLI_OK;
}

void cli_exec_opts_release(struct cli_exec_opts *o)
{
	free(o->env);
	o->env = NULL;
}

/* ---- run ---------------------------------------------------------------- */

void cli_run_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose run [OPTIONS] SERVICE [COMMAND [ARGS...]]\n"
		"\n"
		"Run a one-off command in a new container of SERVICE, on the "
		"daemon its\nplatform asks for, after starting what it depends "
		"on.  The exit status\nis the command's.\n"
		"\n"
		"Options:\n"
		"  -d, --detach           run in the background, print the "
		"container ID\n"
		"      --rm               remove the container when it exits\n"
		"  -T, --no-TTY           do not allocate a TTY (the default "
		"when stdout\n"
		"                         is not a terminal)\n"
		"  -i, --interactive[=false]  keep stdin attached (default "
		"true)\n"
		"  -e, --env K=V          set a variable (repeatable)\n"
		"  -l, --label K=V        add or override a label "
		"(repeatable)\n"
		"  -v, --volume SRC:DST[:ro]  bind mount a volume "
		"(repeatable)\n"
		"  -p, --publish [IP:][HOST:]PORT[/PROTO]  publish a port "
		"(repeatable)\n"
		"      --service-ports    publish the service's own ports\n"
		"      --entrypoint CMD   override the image's entrypoint\n"
		"  -u, --user USER        run as USER\n"
		"  -w, --workdir DIR      working directory\n"
		"      --name NAME        the container's name\n"
		"      --no-deps          do not start the services it "
		"depends on\n"
		"  -h, --help             show this help\n");
}

static int run_opt_list(struct cli_run_opts *o, int c)
{
	switch (c) {
	case 'e':
		push(&o->env, &o->n_env, &o->alloc_env, optarg);
		return 0;
	case 'l':
		if (!strchr(optarg, '=') || *optarg == '=') {
			cli_errorf("run: --label: '%s' is not KEY=VALUE",
				   optarg);
			return CLI_USAGE;
		}
		push(&o->labels, &o->n_labels, &o->alloc_labels, optarg);
		return 0;
	case 'v':
		if (!strchr(optarg, ':')) {
			cli_errorf("run: --volume: '%s' is not SRC:DST[:ro]",
				   optarg);
			return CLI_USAGE;
		}
		push(&o->volumes, &o->n_volumes, &o->alloc_volumes, optarg);
		return 0;
	default: {
		struct apply_publish pb;

		if (cli_publish_parse(&pb, optarg)) {
			cli_errorf("run: --publish: '%s' is not "
				   "[IP:][HOST:]PORT[/PROTO]",
				   optarg);
			return CLI_USAGE;
		}
		push(&o->publish, &o->n_publish, &o->alloc_publish, optarg);
		return 0;
	}
	}
}

static int run_opt(struct cli_run_opts *o, int c)
{
	switch (c) {
	case 'd':
		o->detach = true;
		return 0;
	case OPT_RM:
		o->rm = true;
		return 0;
	case 'T':
		o->no_tty = true;
		return 0;
	case 'i':
	case OPT_INTERACTIVE:
		if (bool_arg(c == 'i' ? NULL : optarg) < 0) {
			cli_errorf("run: --interactive: '%s' is not true or "
				   "false",
				   optarg);
			return CLI_USAGE;
		}
		o->interactive = bool_arg(c == 'i' ? NULL : optarg) == 1;
		return 0;
	case 'e':
	case 'l':
	case 'v':
	case 'p':
		return run_opt_list(o, c);
	case OPT_SERVICE_PORTS:
		o->service_ports = true;
		return 0;
	case OPT_ENTRYPOINT:
		o->entrypoint = optarg;
		return 0;
	case 'u':
		o->user = optarg;
		return 0;
	case 'w':
		o->workdir = optarg;
		return 0;
	case OPT_NAME:
		o->name = optarg;
		return 0;
	case OPT_NO_DEPS:
		o->no_deps = true;
		return 0;
	case 'h':
		cli_run_usage(stdout);
		return -1;
	default:
		cli_run_usage(stderr);
		return CLI_USAGE;
	}
}

int cli_run_parse(struct cli_run_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"detach", no_argument, NULL, 'd'},
		{"rm", no_argument, NULL, OPT_RM},
		{"no-TTY", no_argument, NULL, 'T'},
		{"interactive", optional_argument, NULL, OPT_INTERACTIVE},
		{"env", required_argument, NULL, 'e'},
		{"label", required_argument, NULL, 'l'},
		{"volume", required_argument, NULL, 'v'},
		{"publish", required_argument, NULL, 'p'},
		{"service-ports", no_argument, NULL, OPT_SERVICE_PORTS},
		{"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"name", required_argument, NULL, OPT_NAME},
		{"no-deps", no_argument, NULL, OPT_NO_DEPS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->interactive = true;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+dTie:l:v:p:u:w:h", opts, NULL)) !=
	       -1) {
		int rc = run_opt(o, c);

		if (rc)
			return rc;
	}
	if (argc - optind < 1) {
		cli_errorf("run: needs a SERVICE");
		cli_run_usage(stderr);
		return CLI_USAGE;
	}
	if (o->service_ports && o->n_publish) {
		cli_errorf("run: --service-ports and --publish are exclusive");
		return CLI_USAGE;
	}
	o->service = argv[optind];
	o->argv = argv + optind + 1;
	o->argc = (size_t)(argc - optind - 1);
	return CLI_OK;
}

void cli_run_opts_release(struct cli_run_opts *o)
{
	free(o->env);
	free(o->labels);
	free(o->volumes);
	free(o->publish);
	o->env = o->labels = o->volumes = o->publish = NULL;
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
