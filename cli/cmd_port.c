/*
 * mixcompose port: the public address of a service's private port.  The
 * container is found on whichever daemon runs it, so for a Windows
 * service this is the Windows daemon's mapping.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"

struct port_opts {
	const char *protocol;
	long index;
	char *service;
	unsigned port;
};

static void port_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose port [OPTIONS] SERVICE PRIVATE_PORT\n"
		"\n"
		"Print the public address (host:port) of a service's private "
		"port,\nfrom the daemon that runs the service.\n"
		"\n"
		"Options:\n"
		"      --protocol tcp|udp  the port's protocol (default tcp)\n"
		"      --index N           the container's number, if the "
		"service\n"
		"                          has several (default 1)\n"
		"  -h, --help              show this help\n");
}

static int port_number(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int port_args(struct port_opts *o, int argc, char **argv)
{
	long v;

	if (argc - optind != 2) {
		cli_errorf("port: needs SERVICE and PRIVATE_PORT");
		port_usage(stderr);
		return CLI_USAGE;
	}
	o->service = argv[optind];
	if (port_number(argv[optind + 1], 1, 65535, &v)) {
		cli_errorf("port: '%s' is not a port number", argv[optind + 1]);
		return CLI_USAGE;
	}
	o->port = (unsigned)v;
	return CLI_OK;
}

static int port_parse(struct port_opts *o, int argc, char **argv)
{
	enum { OPT_PROTOCOL = 256, OPT_INDEX };
	static const struct option opts[] = {
		{"protocol", required_argument, NULL, OPT_PROTOCOL},
		{"index", required_argument, NULL, OPT_INDEX},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->protocol = "tcp";
	o->index = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == OPT_PROTOCOL) {
			if (strcmp(optarg, "tcp") != 0 &&
			    strcmp(optarg, "udp") != 0) {
				cli_errorf("port: --protocol: '%s' is not tcp "
					   "or udp",
					   optarg);
				return CLI_USAGE;
			}
			o->protocol = optarg;
		} else if (c == OPT_INDEX) {
			if (port_number(optarg, 1, 100000, &o->index)) {
				cli_errorf("port: --index: '%s' is not a "
					   "container number",
					   optarg);
				return CLI_USAGE;
			}
		} else if (c == 'h') {
			port_usage(stdout);
			return -1;
		} else {
			port_usage(stderr);
			return CLI_USAGE;
		}
	}
	return port_args(o, argc, argv);
}

/* The running container of the service with that number, on any daemon. */
static int port_container(const struct cli_session *s,
			  const struct port_opts *o,
			  size_t *h_out,
			  size_t *c_out)
{
	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (pc->oneoff || !pc->service ||
			    strcmp(pc->service, o->service) != 0 ||
			    pc->number != o->index || !s->ext[h] ||
			    !pc->state || strcmp(pc->state, "running") != 0)
				continue;
			*h_out = h;
			*c_out = c;
			return 0;
		}
	return -1;
}

static int port_print(const struct cli_session *s, const struct port_opts *o)
{
	const struct apply_container_ext *x;
	struct sbuf sb = SBUF_INIT;
	size_t h, c;
	long i;

	if (port_container(s, o, &h, &c)) {
		cli_errorf("no container found for %s-%ld", o->service,
			   o->index);
		return CLI_FAIL;
	}
	x = &s->ext[h][c];
	i = cli_port_find(x->ports, x->n_ports, o->port, o->protocol);
	if (i < 0) {
		cli_ps_ports(&sb, x->ports, x->n_ports);
		cli_errorf("no port %u/%s for container %s (%s): %s", o->port,
			   o->protocol, s->hosts[h].containers[c].name,
			   s->hosts[h].name,
			   sb.len ? sb.buf : "none published");
		sbuf_release(&sb);
		return CLI_FAIL;
	}
	cli_port_host(&sb, &x->ports[i]);
	printf("%s\n", sb.buf);
	sbuf_release(&sb);
	return CLI_OK;
}

int cmd_port(int argc, char **argv)
{
	struct port_opts o = {0};
	struct cli_session s;
	int rc = port_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET);
	if (!rc)
		rc = cli_session_check_services(&s, &o.service, 1);
	if (!rc)
		rc = port_print(&s, &o);
	cli_session_close(&s);
	return rc;
}
