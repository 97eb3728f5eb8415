/*
 * post_start and pre_stop hooks on the lab's two daemons: their side
 * effects (files in a bind mount the test reads on the host) show the
 * user, working directory and environment they ran with, that up's
 * dependents start after them, that pre_stop runs while the container
 * still runs, that a failing hook fails up naming the service and the
 * daemon, and that `down` leaves nothing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define HOOKS_FIXTURE TEST_FIXTURES_DIR "/integration/hooks"

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

TestSuite(integration_hooks, .init = setup, .fini = fini, .timeout = 180);

/* The content of P.dir/out/NAME, trailing newlines cut ("" if none). */
static char *out_file(const char *name)
{
	struct sbuf out = SBUF_INIT;

	lab_sh(&out, "cat '%s/out/%s' 2>/dev/null", P.dir, name);
	while (out.len && out.buf[out.len - 1] == '\n')
		sbuf_setlen(&out, out.len - 1);
	return sbuf_detach(&out, NULL);
}

static void expect_file(const char *name, const char *want)
{
	char *v = out_file(name);

	cr_expect_str_eq(v, want, "out/%s", name);
	free(v);
}

Test(integration_hooks, post_start_and_pre_stop_run_in_the_container)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_project_init(&P, "secrets", "hooks"), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s/.' '%s/'", HOOKS_FIXTURE, P.dir),
		     0);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "does not act on"), "%s", out.buf);
	/* The second hook ran after the first, as user 1000 in /tmp. */
	expect_file("post_start", "hello /tmp 1000");
	/* The dependent started once app's hooks had run. */
	expect_file("seen_by_dependent", "hello /tmp 1000");
	/* The other daemon's container ran its own hook. */
	expect_file("dependent_post_start", "on-windows");
	expect_file("pre_stop", "");

	/* A second up keeps both containers: no hook runs again. */
	cr_assert_eq(lab_sh(NULL, "rm '%s/out/post_start'", P.dir), 0);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	expect_file("post_start", "");

	/* down: pre_stop while the container still runs, then nothing left. */
	cr_assert_eq(lab_mc(&P, &out, "down -v -t 0"), 0, "%s", out.buf);
	expect_file("pre_stop", "stopping\npid1-alive");
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	cr_assert_eq(lab_leftovers(P.name, "volume"), 0);
	sbuf_release(&out);
}

Test(integration_hooks, a_failing_hook_names_the_service_and_the_daemon)
{
	struct sbuf out = SBUF_INIT;
	FILE *f;
	char path[512];

	cr_assert_eq(lab_project_init(&P, "secrets", "hookfail"), 0);
	snprintf(path, sizeof(path), "%s/compose.yaml", P.dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("services:\n"
	      "  bad:\n"
	      "    image: " LAB_IMAGE_BUSYBOX "\n"
	      "    command: [sleep, '300']\n"
	      "    x-mixcompose: {daemon: windows}\n"
	      "    post_start:\n"
	      "      - command: [sh, -c, 'echo boom >&2; exit 3']\n"
	      "    pre_stop:\n"
	      "      - command: [sh, -c, 'exit 4']\n"
	      "  after:\n"
	      "    image: " LAB_IMAGE_BUSYBOX "\n"
	      "    command: [sleep, '300']\n"
	      "    depends_on: [bad]\n",
	      f);
	fclose(f);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 1, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "service bad: post_start hook in container "),
		  "%s", out.buf);
	cr_assert(strstr(out.buf, "-bad-1 (windows)"), "%s", out.buf);
	cr_assert(strstr(out.buf, "exited with code 3: boom"), "%s", out.buf);
	/* Its dependent was not started. */
	cr_assert_null(strstr(out.buf, "-after-1 (linux): started"), "%s",
		       out.buf);
	/* down reports the failing pre_stop and still removes everything. */
	cr_assert_eq(lab_mc(&P, &out, "down -t 0"), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "service bad: pre_stop hook in container "),
		  "%s", out.buf);
	cr_assert(strstr(out.buf, "exited with code 4"), "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}
