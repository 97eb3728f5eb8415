/*
 * Secrets and configs from an environment variable and from inline
 * content on the lab's two daemons: copied in before the start at their
 * targets, with their mode and owner, a new value recreates the
 * container, and `down` leaves nothing (the fixture is also one of
 * scripts/v2-diff.sh's files, so `config` prints them as compose v2).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define SECRETS_FIXTURE TEST_FIXTURES_DIR "/integration/secrets"

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

TestSuite(integration_secrets, .init = setup, .fini = fini, .timeout = 180);

/* `docker exec NAME sh -c SCRIPT` on 'sock', trailing newlines cut. */
static char *inside(const char *sock, const char *name, const char *script)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, sock, "exec %s sh -c '%s'", name, script),
		     0, "%s: %s", script, out.buf);
	while (out.len && out.buf[out.len - 1] == '\n')
		sbuf_setlen(&out, out.len - 1);
	return sbuf_detach(&out, NULL);
}

static void expect_inside(const char *sock,
			  const char *name,
			  const char *script,
			  const char *want)
{
	char *v = inside(sock, name, script);

	cr_expect_str_eq(v, want, "%s", script);
	free(v);
}

static void project_from_fixture(const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "secrets", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s/.' '%s/'", SECRETS_FIXTURE, P.dir),
		     0);
}

Test(integration_secrets,
     environment_and_content_are_copied_in_with_mode_and_owner)
{
	struct sbuf out = SBUF_INIT;
	char app[128], other[128];
	char *id1, *id2;

	project_from_fixture("files");
	snprintf(app, sizeof(app), "%s-app-1", P.name);
	snprintf(other, sizeof(other), "%s-other-1", P.name);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "ignored"), "%s", out.buf);
	/* The secret from DB_TOKEN (.env), at its relative target. */
	expect_inside(LAB_LINUX_SOCK, app, "cat /run/secrets/tok", "tok-1");
	expect_inside(LAB_LINUX_SOCK, app,
		      "busybox stat -c \"%a %u %g\" /run/secrets/tok",
		      "400 1000 1001");
	/* The short form: its default target, 0444, root's. */
	expect_inside(LAB_LINUX_SOCK, app,
		      "busybox stat -c \"%a %u %g\" /run/secrets/token",
		      "444 0 0");
	/* The config's content, $$ read back as one $. */
	expect_inside(LAB_LINUX_SOCK, app, "cat /etc/app/app.conf",
		      "listen=8080\ncost=$5");
	expect_inside(LAB_LINUX_SOCK, app,
		      "busybox stat -c \"%a %u %g\" /etc/app/app.conf",
		      "640 0 0");
	expect_inside(LAB_LINUX_SOCK, app, "head -1 /conf", "listen=8080");
	/* The other daemon: a config's relative target goes under /. */
	expect_inside(LAB_WINDOWS_SOCK, other, "head -1 /conf.txt",
		      "listen=8080");

	/* Same value: kept.  A new value: recreated, with the new copy. */
	id1 = lab_inspect(LAB_LINUX_SOCK, app, "{{.Id}}");
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	id2 = lab_inspect(LAB_LINUX_SOCK, app, "{{.Id}}");
	cr_assert_str_eq(id1, id2);
	free(id2);
	cr_assert_eq(lab_sh(NULL, "echo DB_TOKEN=tok-2 > '%s/.env'", P.dir), 0);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	id2 = lab_inspect(LAB_LINUX_SOCK, app, "{{.Id}}");
	cr_assert_str_neq(id1, id2);
	expect_inside(LAB_LINUX_SOCK, app, "cat /run/secrets/tok", "tok-2");
	free(id1);
	free(id2);

	cr_assert_eq(lab_mc(&P, &out, "down -v -t 0"), 0, "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	cr_assert_eq(lab_leftovers(P.name, "volume"), 0);
	sbuf_release(&out);
}

/* As compose v2: an unset variable is an error, before anything exists. */
Test(integration_secrets, an_unset_variable_is_refused_before_anything_exists)
{
	struct sbuf out = SBUF_INIT;

	project_from_fixture("unset");
	cr_assert_eq(lab_sh(NULL, "rm '%s/.env'", P.dir), 0);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 1, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "services.app.secrets[0]: secret 'token' "
				  "needs the environment variable 'DB_TOKEN'"),
		  "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}
