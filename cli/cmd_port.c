/*
 * mixcompose port: the public address of a service's private port.  The
 * container is found on whichever daemon runs it, so for a Windows
 * service this is the Windows daemon's mapping.
 */
#include "cli/cli.h"

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

#define O struct port_opts
static const struct cli_opt port_opts_v[] = {
	{.lname = "protocol",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(O, protocol),
	 .arg = "tcp|udp",
	 .choices = "tcp|udp",
	 .help = "the port's protocol (default tcp)"},
	CLI_INT(0,
		"index",
		O,
		index,
		"N",
		1,
		100000,
		"a container number",
		"the container's number, if the service\n"
		"has several (default 1)"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_port = {
	.name = "port",
	.args = "SERVICE PRIVATE_PORT",
	.summary = "print the public address of a private port",
	.desc = "Print the public address (host:port) of a service's private "
		"port,\nfrom the daemon that runs the service.",
	.opts = port_opts_v,
	.min_args = 2,
	.max_args = 2,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int port_parse(struct port_opts *o, int argc, char **argv)
{
	char *end;
	long v;
	int n, rc;

	o->protocol = "tcp";
	o->index = 1;
	rc = cli_opt_parse(&cli_spec_port, o, argc, argv, &n);
	if (rc)
		return rc;
	o->service = argv[1];
	v = strtol(argv[2], &end, 10);
	if (!*argv[2] || *end || v < 1 || v > 65535) {
		cli_errorf("port: '%s' is not a port number", argv[2]);
		return CLI_USAGE;
	}
	o->port = (unsigned)v;
	return CLI_OK;
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
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, &o.service, 1);
	if (!rc)
		rc = port_print(&s, &o);
	cli_session_close(&s);
	return rc;
}
