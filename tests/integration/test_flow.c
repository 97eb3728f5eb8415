/*
 * The CI idiom of compose v2 on the lab's two real daemons (issue 10):
 * `up --abort-on-container-exit / --abort-on-container-failure /
 * --exit-code-from / --attach / --no-attach`.  The project
 * (tests/fixtures/integration/ci): 'web' and 'extra' on the "windows"
 * daemon, 'tests' on linux, which asks 'web' by name across the daemons
 * and exits with $TESTS_EXIT.  Each test has a project name of its own;
 * fini runs `down -v -t 0` and checks nothing is left on either daemon.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static struct lab_project P;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)
#define mc_out(out, ...) lab_mc_stdout(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	unsetenv("TESTS_EXIT");
	unsetenv("EXTRA_SLEEP");
}

static void project(const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "flow", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp '%s/integration/ci/compose.yaml' '%s/'",
			    TEST_FIXTURES_DIR, P.dir),
		     0);
}

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	unsetenv("TESTS_EXIT");
	unsetenv("EXTRA_SLEEP");
}

TestSuite(integration_flow, .init = setup, .fini = fini, .timeout = 180);

/* How many of the project's containers run, on both daemons. */
static int running(void)
{
	struct sbuf out = SBUF_INIT;
	int n = 0;

	cr_assert_eq(lab_sh(&out,
			    "for s in %s %s; do docker -H unix://$s ps -q "
			    "--filter label=com.docker.compose.project=%s; "
			    "done | wc -l",
			    LAB_LINUX_SOCK, LAB_WINDOWS_SOCK, P.name),
		     0, "%s", out.buf);
	n = atoi(out.buf);
	sbuf_release(&out);
	return n;
}

/* The exit code Docker keeps for 'service's container on 'sock'. */
static int docker_exit_code(const char *sock, const char *service)
{
	char name[128];
	char *v;
	int code;

	snprintf(name, sizeof(name), "%s-%s-1", P.name, service);
	v = lab_inspect(sock, name, "{{.State.ExitCode}}");
	cr_assert_not_null(v, "no container %s", name);
	code = atoi(v);
	free(v);
	return code;
}

Test(integration_flow, exit_code_from_a_linux_test_of_a_windows_web)
{
	struct sbuf out = SBUF_INIT;

	project("ci");
	setenv("TESTS_EXIT", "7", 1);
	cr_assert_eq(mc(&out, "up --exit-code-from tests -t 1 "
			      "--progress plain"),
		     7, "%s", out.buf);
	/* tests reached web by name across the daemons. */
	cr_expect(strstr(out.buf, "-tests-1 (linux)   | web answered"), "%s",
		  out.buf);
	/* Both daemons' logs, prefixed. */
	cr_expect(strstr(out.buf, "-web-1 (windows)   | web ready"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "-extra-1 (windows) | extra here"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "-tests-1 (linux) exited with code 7"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "Aborting on container exit..."), "%s",
		  out.buf);
	cr_expect_eq(running(), 0, "every container is stopped: %s", out.buf);
	cr_expect_eq(docker_exit_code(LAB_LINUX_SOCK, "tests"), 7);
	sbuf_release(&out);
}

Test(integration_flow, exit_code_from_a_service_stopped_by_the_abort)
{
	struct sbuf out = SBUF_INIT;
	int code;

	project("from");
	setenv("TESTS_EXIT", "0", 1);
	/* tests stops first; web is stopped then, and its code is returned. */
	code = mc(&out, "up --exit-code-from web -t 1 --progress plain");
	cr_expect_neq(code, 0, "%s", out.buf);
	cr_expect_eq(code, docker_exit_code(LAB_WINDOWS_SOCK, "web"), "%s",
		     out.buf);
	cr_expect_eq(running(), 0);
	sbuf_release(&out);
}

Test(integration_flow, abort_on_exit_returns_the_first_exit_code)
{
	struct sbuf out = SBUF_INIT;

	project("first");
	setenv("TESTS_EXIT", "4", 1);
	cr_assert_eq(mc(&out, "up --abort-on-container-exit -t 1 "
			      "--progress plain"),
		     4, "%s", out.buf);
	cr_expect_eq(running(), 0);
	sbuf_release(&out);
}

Test(integration_flow, abort_on_failure_waits_for_a_failure)
{
	struct sbuf out = SBUF_INIT;

	project("failure");
	/* tests exits 0 (no abort); extra exits 5 on "windows" later. */
	setenv("TESTS_EXIT", "0", 1);
	setenv("EXTRA_SLEEP", "3", 1);
	cr_assert_eq(mc(&out, "up --abort-on-container-failure -t 1 "
			      "--progress plain"),
		     5, "%s", out.buf);
	cr_expect(strstr(out.buf, "-tests-1 (linux) exited with code 0"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "-extra-1 (windows) exited with code 5"),
		  "%s", out.buf);
	cr_expect_eq(running(), 0);
	sbuf_release(&out);
}

Test(integration_flow, attach_and_no_attach_choose_the_logs)
{
	struct sbuf out = SBUF_INIT;

	project("attach");
	setenv("TESTS_EXIT", "2", 1);
	cr_assert_eq(mc_out(&out, "up --attach tests --exit-code-from tests "
				  "-t 1 --progress quiet"),
		     2, "%s", out.buf);
	cr_expect(strstr(out.buf, "| web answered"), "%s", out.buf);
	cr_expect_null(strstr(out.buf, "web ready"), "%s", out.buf);
	cr_expect_null(strstr(out.buf, "extra here"), "%s", out.buf);
	cr_assert_eq(mc_out(&out, "up --no-attach web --exit-code-from tests "
				  "-t 1 --progress quiet"),
		     2, "%s", out.buf);
	cr_expect_null(strstr(out.buf, "web ready"), "%s", out.buf);
	cr_expect(strstr(out.buf, "extra here"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_flow, ci_flags_refuse_bad_use)
{
	struct sbuf out = SBUF_INIT;

	project("usage");
	cr_expect_eq(mc(&out, "up -d --abort-on-container-exit"), 2, "%s",
		     out.buf);
	cr_expect(strstr(out.buf, "--detach cannot be combined"), "%s",
		  out.buf);
	cr_expect_eq(mc(&out, "up --abort-on-container-exit "
			      "--abort-on-container-failure"),
		     2, "%s", out.buf);
	cr_expect_eq(mc(&out, "up --exit-code-from nope"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "no such service: nope"), "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	sbuf_release(&out);
}

Test(integration_flow, wait_returns_the_exit_code_of_the_services)
{
	struct sbuf out = SBUF_INIT;

	project("wait");
	setenv("TESTS_EXIT", "0", 1);
	setenv("EXTRA_SLEEP", "4", 1);
	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	/* extra (on "windows") exits 5 by itself. */
	cr_expect_eq(mc_out(&out, "wait extra"), 5, "%s", out.buf);
	cr_expect(strstr(out.buf, "exited with status code 5"), "%s", out.buf);
	/* web is killed by another client meanwhile: its code. */
	cr_expect_eq(mc_out(&out,
			    "wait web & sleep 1; %s -p %s kill web "
			    ">/dev/null 2>&1; wait $!",
			    MIXCOMPOSE_BIN, P.name),
		     docker_exit_code(LAB_WINDOWS_SOCK, "web"), "%s", out.buf);
	cr_expect_eq(docker_exit_code(LAB_WINDOWS_SOCK, "web"), 137);
	cr_expect_eq(mc(&out, "wait web"), 1, "nothing runs: %s", out.buf);
	cr_expect(strstr(out.buf, "no containers for project"), "%s", out.buf);
	cr_expect_eq(mc(&out, "wait nope"), 1, "%s", out.buf);
	sbuf_release(&out);
}

/* The lines of 'text' that contain 'needle'. */
static int lines_with(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(integration_flow, ps_status_and_filter_across_daemons)
{
	struct sbuf out = SBUF_INIT;

	project("ps");
	setenv("TESTS_EXIT", "0", 1);
	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	mc(NULL, "wait tests"); /* it may have stopped already */
	cr_assert_eq(mc_out(&out, "ps --status exited --format json"), 0);
	cr_expect_eq(lines_with(out.buf, "\"Name\":"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "\"Service\":\"tests\""), "%s", out.buf);
	cr_expect(strstr(out.buf, "\"Daemon\":\"linux\""), "%s", out.buf);
	cr_assert_eq(mc_out(&out, "ps --filter status=running --services"), 0);
	cr_expect_str_eq(out.buf, "extra\nweb\n");
	cr_assert_eq(mc_out(&out, "ps --status running --status exited -q"), 0);
	cr_expect_eq(lines_with(out.buf, "\n"), 3, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "ps --status paused -q"), 0);
	cr_expect_eq(out.len, 0, "%s", out.buf);
	cr_expect_eq(mc(&out, "ps --filter name=x"), 2, "%s", out.buf);
	cr_expect(strstr(out.buf, "unknown filter name"), "%s", out.buf);
	cr_expect_eq(mc(&out, "ps --filter status"), 2, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "version --format json"), 0);
	cr_expect(!strncmp(out.buf, "{\"version\":\"", 12), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_flow, logs_since_until_index_on_both_daemons)
{
	struct sbuf out = SBUF_INIT;

	project("logs");
	setenv("TESTS_EXIT", "0", 1);
	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	mc(NULL, "wait tests");
	cr_assert_eq(mc_out(&out, "logs --since 10m"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "-web-1 (windows)   | web ready"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "-tests-1 (linux)   | web answered"), "%s",
		  out.buf);
	/* Before an hour ago, and after a time to come: nothing. */
	cr_assert_eq(mc_out(&out, "logs --until 1h"), 0, "%s", out.buf);
	cr_expect_eq(out.len, 0, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "logs --since 2100-01-01T00:00:00Z"), 0);
	cr_expect_eq(out.len, 0, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "logs --index 2"), 0);
	cr_expect_eq(out.len, 0, "no replica 2: %s", out.buf);
	cr_assert_eq(mc_out(&out, "logs --index 1 --no-log-prefix web"), 0);
	cr_expect_str_eq(out.buf, "web ready\n");
	cr_expect_eq(mc(&out, "logs --since yesterday"), 2, "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_flow, up_log_flags_shape_the_attached_logs)
{
	struct sbuf out = SBUF_INIT;

	project("upl");
	setenv("TESTS_EXIT", "0", 1);
	cr_assert_eq(mc_out(&out, "up --attach tests --exit-code-from tests "
				  "--no-log-prefix --no-color -t 1 "
				  "--progress quiet"),
		     0, "%s", out.buf);
	cr_expect(strstr(out.buf, "\nweb answered\n") ||
			  !strncmp(out.buf, "web answered\n", 13),
		  "%s", out.buf);
	cr_expect_null(strstr(out.buf, "\033["), "%s", out.buf);
	cr_assert_eq(mc_out(&out, "up --attach tests --exit-code-from tests "
				  "--timestamps -t 1 --progress quiet"),
		     0, "%s", out.buf);
	/* RFC 3339 timestamps from the daemon: "| 2026-...Z web answered". */
	cr_expect(strstr(out.buf, "Z web answered"), "%s", out.buf);
	sbuf_release(&out);
}
