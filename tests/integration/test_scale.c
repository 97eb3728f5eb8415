/*
 * `scale` and `up --scale` on the lab's two daemons (issue 10): replicas
 * of 'web' on the "windows" daemon, each with its address, reached by
 * 'peer' on linux through the service name and each container name; a
 * scale down removes the highest numbers and the peer loses their names.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"
#include "util/sbuf.h"

static struct lab_project P;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	cr_assert_eq(lab_project_init(&P, "scale", "s"), 0);
	cr_assert_eq(lab_sh(NULL,
			    "cp '%s/integration/scale/compose.yaml' '%s/'",
			    TEST_FIXTURES_DIR, P.dir),
		     0);
}

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_scale, .init = setup, .fini = fini, .timeout = 180);

/* The project's 'web' containers on the "windows" daemon. */
static int webs(void)
{
	struct sbuf out = SBUF_INIT;
	int n;

	cr_assert_eq(lab_docker(&out, LAB_WINDOWS_SOCK,
				"ps -q --filter label=com.docker.compose."
				"project=%s --filter label=com.docker."
				"compose.service=web | wc -l",
				P.name),
		     0, "%s", out.buf);
	n = atoi(out.buf);
	sbuf_release(&out);
	return n;
}

/* 'peer' asks NAME:8080 and gets web's "ok". */
static void peer_reaches(const char *name)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"exec %s-peer-1 sh -c 'nc %s 8080 </dev/null'",
				P.name, name),
		     0, "%s", out.buf);
	cr_assert(strstr(out.buf, "ok"), "%s answered '%s'", name, out.buf);
	sbuf_release(&out);
}

static char *peer_hosts(void)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"exec %s-peer-1 cat "
				"/etc/hosts",
				P.name),
		     0, "%s", out.buf);
	return sbuf_detach(&out, NULL);
}

Test(integration_scale, scale_up_and_down_across_daemons)
{
	struct sbuf out = SBUF_INIT;
	char name[128], *ip, *id1, *hosts;

	cr_assert_eq(mc(&out, "up -d"), 0, "%s", out.buf);
	snprintf(name, sizeof(name), "%s-web-1", P.name);
	id1 = lab_inspect(LAB_WINDOWS_SOCK, name, "{{.Id}}");
	cr_assert_eq(mc(&out, "scale web=3"), 0, "%s", out.buf);
	cr_assert_eq(webs(), 3);
	for (int i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "%s-web-%d", P.name, i);
		ip = lab_inspect(LAB_WINDOWS_SOCK, name,
				 "{{range .NetworkSettings.Networks}}"
				 "{{.IPAddress}}{{end}}");
		cr_assert(ip && !strncmp(ip, "172.30.", 7), "%s: %s", name,
			  ip ? ip : "(none)");
		free(ip);
		peer_reaches(name);
	}
	peer_reaches("web");
	/* Scaling kept replica 1: its entries were rewritten in place. */
	snprintf(name, sizeof(name), "%s-web-1", P.name);
	ip = lab_inspect(LAB_WINDOWS_SOCK, name, "{{.Id}}");
	cr_assert_str_eq(ip, id1, "web-1 was recreated");
	free(ip);

	cr_assert_eq(mc(&out, "scale web=1"), 0, "%s", out.buf);
	cr_assert_eq(webs(), 1);
	snprintf(name, sizeof(name), "%s-web-1", P.name);
	ip = lab_inspect(LAB_WINDOWS_SOCK, name, "{{.Id}}");
	cr_assert_str_eq(ip, id1, "web-1 was recreated");
	free(ip);
	hosts = peer_hosts();
	snprintf(name, sizeof(name), "%s-web-2", P.name);
	cr_assert_null(strstr(hosts, name), "%s", hosts);
	snprintf(name, sizeof(name), "%s-web-3", P.name);
	cr_assert_null(strstr(hosts, name), "%s", hosts);
	free(hosts);
	peer_reaches("web");
	free(id1);
	sbuf_release(&out);
}

Test(integration_scale, up_scale_and_bad_specifiers)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "up -d --scale web=2"), 0, "%s", out.buf);
	cr_assert_eq(webs(), 2);
	cr_assert_eq(mc(&out, "scale web"), 2, "%s", out.buf);
	cr_assert(strstr(out.buf, "invalid scale specifier: web"), "%s",
		  out.buf);
	cr_assert_eq(mc(&out, "scale nope=2"), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "no such service: nope"), "%s", out.buf);
	cr_assert_eq(mc(&out, "scale web=x"), 2, "%s", out.buf);
	cr_assert_eq(webs(), 2);
	sbuf_release(&out);
}

/*
 * --dry-run: up, scale and down print their actions and leave both
 * daemons as they were (containers, networks, volumes).  Other helpers'
 * projects may change the daemons meanwhile, so only this project's
 * objects are compared.
 */
static char *project_state(void)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_sh(&out,
			    "for s in %s %s; do for k in ps network volume; do "
			    "[ $k = ps ] && a=-a || a=ls; "
			    "docker -H unix://$s $k $a -q --filter "
			    "label=com.docker.compose.project=%s; done; "
			    "docker -H unix://$s ps -a --filter "
			    "label=com.docker.compose.project=%s --format "
			    "'{{.Names}} {{.State}}'; done | sort",
			    LAB_LINUX_SOCK, LAB_WINDOWS_SOCK, P.name, P.name),
		     0, "%s", out.buf);
	return sbuf_detach(&out, NULL);
}

Test(integration_scale, dry_run_changes_nothing)
{
	struct sbuf out = SBUF_INIT;
	char *before, *after;

	before = project_state();
	cr_assert_str_eq(before, "");
	cr_assert_eq(mc(&out, "--dry-run up -d"), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "DRY-RUN MODE - "), "%s", out.buf);
	cr_assert(strstr(out.buf, "-web-1 (windows)  Created"), "%s", out.buf);
	cr_assert(strstr(out.buf, "-peer-1 (linux)  Started"), "%s", out.buf);
	after = project_state();
	cr_assert_str_eq(after, before, "a dry-run up changed the daemons");
	free(after);
	free(before);

	cr_assert_eq(mc(&out, "up -d"), 0, "%s", out.buf);
	before = project_state();
	cr_assert_neq(strlen(before), 0);
	cr_assert_eq(mc(&out, "--dry-run scale web=3"), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "-web-3 (windows)  Created"), "%s", out.buf);
	cr_assert_eq(mc(&out, "--dry-run down -v"), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "DRY-RUN MODE - "), "%s", out.buf);
	cr_assert(strstr(out.buf, "Removed"), "%s", out.buf);
	cr_assert_eq(mc(&out, "--dry-run stop"), 0, "%s", out.buf);
	cr_assert_eq(mc(&out, "--dry-run kill"), 0, "%s", out.buf);
	cr_assert_eq(mc(&out, "--dry-run rm -f -s"), 0, "%s", out.buf);
	after = project_state();
	cr_assert_str_eq(after, before, "a dry run changed the daemons");
	free(after);
	free(before);
	sbuf_release(&out);
}
