/*
 * graph --view network on the real lab: with the project up, the picture
 * is the current state read from the daemons: each daemon's engine
 * version, the project network's subnet on each daemon and each
 * container's address there, as the docker CLI (another client) reports
 * them, the host entry each container has for its peer, and the route
 * between the two subnets.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"
#include "util/sbuf.h"

static struct lab_project P;

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
}

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_graph_net, .init = setup, .fini = fini, .timeout = 180);

static char *ctr_ip(const char *sock, const char *ctr)
{
	return lab_inspect(sock, ctr,
			   "{{range .NetworkSettings.Networks}}"
			   "{{.IPAddress}}{{end}}");
}

Test(integration_graph_net, live_picture_matches_the_daemons)
{
	struct sbuf out = SBUF_INIT, ver = SBUF_INIT;
	char api[96], web[96], want[256], net[96];
	char *api_ip, *web_ip, *subnet;

	cr_assert_eq(lab_project_init(&P, "export", "net"), 0);
	cr_assert_eq(lab_sh(NULL, "cp '%s/cmds/compose.yaml' '%s/'",
			    TEST_FIXTURES_DIR, P.dir),
		     0);
	snprintf(api, sizeof(api), "%s-api-1", P.name);
	snprintf(web, sizeof(web), "%s-web-1", P.name);
	snprintf(net, sizeof(net), "%s_default", P.name);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_eq(lab_mc_stdout(&P, &out, "graph --view network"), 0);
	api_ip = ctr_ip(LAB_WINDOWS_SOCK, api);
	web_ip = ctr_ip(LAB_LINUX_SOCK, web);
	subnet = lab_inspect(LAB_LINUX_SOCK, net,
			     "{{range .IPAM.Config}}{{.Subnet}}{{end}}");
	cr_assert(api_ip && web_ip && subnet);
	/* The live state: running containers, not a plan. */
	cr_assert(strstr(out.buf, "(live)"), "%s", out.buf);
	snprintf(want, sizeof(want), "[\"%s<br/>running", web);
	cr_assert(strstr(out.buf, want), "%s not in %s", want, out.buf);
	/* The engine's version as the daemon reports it. */
	cr_assert_eq(lab_docker(&ver, LAB_LINUX_SOCK,
				"version -f '{{.Server.Version}}'"),
		     0);
	while (ver.len && ver.buf[ver.len - 1] == '\n')
		sbuf_setlen(&ver, ver.len - 1);
	snprintf(want, sizeof(want), "engine %s", ver.buf);
	cr_assert(strstr(out.buf, want), "%s not in %s", want, out.buf);
	/* Subnet, addresses and the host entry web has for api. */
	cr_assert(strstr(out.buf, subnet), "%s not in %s", subnet, out.buf);
	snprintf(want, sizeof(want), "|\"%s\"|", web_ip);
	cr_assert(strstr(out.buf, want), "%s not in %s", want, out.buf);
	snprintf(want, sizeof(want), "|\"%s\"|", api_ip);
	cr_assert(strstr(out.buf, want), "%s not in %s", want, out.buf);
	snprintf(want, sizeof(want), "api -> %s", api_ip);
	cr_assert(strstr(out.buf, want), "%s not in %s", want, out.buf);
	cr_assert(strstr(out.buf, "<==>|\"routed: "));
	/* DOT draws the same addresses. */
	cr_assert_eq(lab_mc_stdout(&P, &out,
				   "graph --view network --format dot"),
		     0);
	snprintf(want, sizeof(want), "[label=\"%s\"]", api_ip);
	cr_assert(strstr(out.buf, want), "%s not in %s", want, out.buf);
	free(api_ip);
	free(web_ip);
	free(subnet);
	sbuf_release(&out);
	sbuf_release(&ver);
}
