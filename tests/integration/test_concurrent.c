/*
 * Several `mixcompose up` at once against the same two daemons.  Each
 * plans its networks' subnets from what the daemons hold when it looks,
 * so two of them can pick the same one; the daemon refuses the second
 * create ("Pool overlaps").  up creates networks before anything else and
 * plans again when that happens: every project must come up.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define FIXTURE TEST_FIXTURES_DIR "/integration/pair/compose.yaml"
#define N_PROJECTS 6

static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

static void project_name(char *buf, size_t size, int i)
{
	snprintf(buf, size, "itest-conc%d-%ld", i, (long)getpid());
}

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
}

static void fini(void)
{
	char name[64];

	for (int i = 0; i < N_PROJECTS; i++) {
		project_name(name, sizeof(name), i);
		lab_sh(NULL, "%s -f %s -p %s down -t 0 --progress quiet",
		       MIXCOMPOSE_BIN, FIXTURE, name);
		cr_expect_eq(lab_leftovers(name, "container"), 0,
			     "%s left containers", name);
		cr_expect_eq(lab_leftovers(name, "network"), 0,
			     "%s left networks", name);
	}
	lab_sh(NULL, "rm -f /tmp/itest-conc-*-%ld.log", (long)getpid());
}

TestSuite(integration_concurrent, .init = setup, .fini = fini, .timeout = 240);

Test(integration_concurrent, simultaneous_ups_all_come_up)
{
	pid_t pids[N_PROJECTS];
	char logs[N_PROJECTS][64];
	int failed = 0, replanned = 0;

	/* Start them together: each plans before any has created. */
	for (int i = 0; i < N_PROJECTS; i++) {
		char name[64];

		project_name(name, sizeof(name), i);
		snprintf(logs[i], sizeof(logs[i]), "/tmp/itest-conc-%d-%ld.log",
			 i, (long)getpid());
		pids[i] = fork();
		cr_assert_neq(pids[i], -1);
		if (!pids[i]) {
			FILE *f = freopen(logs[i], "w", stderr);

			(void)f;
			dup2(2, 1);
			execl(MIXCOMPOSE_BIN, MIXCOMPOSE_BIN, "-f", FIXTURE,
			      "-p", name, "up", "-d", "--progress", "plain",
			      (char *)NULL);
			_exit(127);
		}
	}
	for (int i = 0; i < N_PROJECTS; i++) {
		struct sbuf log = SBUF_INIT;
		int status = 0;

		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		lab_sh(&log, "cat '%s'; rm -f '%s'", logs[i], logs[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			cr_log_error("project %d failed:\n%s", i, log.buf);
		}
		replanned += strstr(log.buf, "planning again") != NULL;
		sbuf_release(&log);
	}
	cr_assert_eq(failed, 0, "%d of %d projects failed to come up", failed,
		     N_PROJECTS);
	cr_log_info("%d of %d projects planned again", replanned, N_PROJECTS);
	/* Each has its two containers running, one on each daemon. */
	for (int i = 0; i < N_PROJECTS; i++) {
		char name[64];

		project_name(name, sizeof(name), i);
		for (size_t d = 0; d < 2; d++) {
			struct sbuf out = SBUF_INIT;

			cr_assert_eq(lab_docker(&out, socks[d],
						"ps -q --filter "
						"label=com.docker.compose."
						"project=%s",
						name),
				     0);
			cr_assert_eq(out.len, 13, "%s on daemon %zu: '%s'",
				     name, d, out.buf);
			sbuf_release(&out);
		}
	}
}
