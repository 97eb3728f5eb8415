/*
 * The runner's error paths (cli/runner.c) against a fake daemon: a daemon
 * that cannot be reached is said once however many tasks it had, any other
 * failure is one line naming the container and its daemon, a host the
 * session found offline is not said again, a stop ends a stream wave without a
 * failure, a stream's failure is said as it happens, and tasks added from
 * a callback run and count.  The features themselves are proven on the
 * lab (tests/integration).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/fake_server.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/sbuf.h"

static struct fake_server *fs;
static struct engine_registry *reg;
static struct plan_host hosts[2] = {{.name = "up"}, {.name = "gone"}};
static struct cli_session S;
static char err_path[64];
static int saved_fd = -1;

static const struct fake_route routes[] = {
	{.path = "/_ping", .fixture = "ping.http"},
	{.path = "/containers/ok/kill", .fixture = "no_content.http"},
	{.path = "/containers/bad/kill", .fixture = "server_error_text.http"},
	{.path = "/containers/hang/kill", .mode = FAKE_HANG},
};

static void setup(void)
{
	char flag_up[300];
	const char *flags[2] = {
		flag_up, "gone=unix:///nonexistent/mixcompose-gone.sock"};
	char *env[] = {NULL};
	struct engine_registry_opts o = {.flags = flags,
					 .n_flags = 2,
					 .environ_ = env,
					 .docker_config = "/nonexistent"};
	struct diag err = {0};
	int fd;

	fs = fake_start(routes, sizeof(routes) / sizeof(routes[0]));
	snprintf(flag_up, sizeof(flag_up), "up=%s", fake_url(fs));
	cr_assert_eq(engine_registry_new(&reg, &o, &err), 0, "%s", err.msg);
	S = (struct cli_session){.reg = reg, .hosts = hosts, .n_hosts = 2};
	/* stderr into a file, to count the messages. */
	snprintf(err_path, sizeof(err_path), "/tmp/mc-runner-XXXXXX");
	fd = mkstemp(err_path);
	cr_assert_geq(fd, 0);
	fflush(stderr);
	saved_fd = dup(2);
	dup2(fd, 2);
	close(fd);
}

static void teardown(void)
{
	fflush(stderr);
	if (saved_fd >= 0) {
		dup2(saved_fd, 2);
		close(saved_fd);
	}
	unlink(err_path);
	engine_registry_free(reg);
	fake_stop(fs);
}

TestSuite(cli_runner, .init = setup, .fini = teardown, .timeout = 30);

/* What the runner wrote to stderr so far. */
static char *errors(void)
{
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f;

	fflush(stderr);
	f = fopen(err_path, "r");
	cr_assert_not_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	return sbuf_detach(&sb, NULL);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void
kill_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_kill_async(l, e, t->ref, NULL, cli_task_done, t);
}

#define KILL(host, id)                                                         \
	(struct cli_task)                                                      \
	{                                                                      \
		.h = &hosts[host], .what = (id), .start = kill_start,          \
		.ref = (id)                                                    \
	}

Test(cli_runner, an_unreachable_daemon_is_said_once_and_fails_the_run)
{
	struct cli_task t[] = {KILL(1, "x1"), KILL(0, "ok"), KILL(1, "x2")};
	struct cli_tasks_opts o = {.kind = "Container"};
	char *e;

	cr_assert_eq(cli_tasks_run(&S, t, 3, &o), CLI_FAIL);
	e = errors();
	cr_expect_eq(t[1].rc, 0, "%s", t[1].err.msg);
	cr_expect_neq(t[0].rc, 0);
	cr_expect_neq(t[2].rc, 0);
	cr_expect_eq(count(e, "daemon 'gone' is not reachable"), 1, "%s", e);
	cr_expect_null(strstr(e, "x1"), "no line per task: %s", e);
	cr_expect_null(strstr(e, "x2"), "no line per task: %s", e);
	cr_expect(strstr(e, " Container ok (up)") == NULL, "%s", e);
	free(e);
}

Test(cli_runner, a_failure_is_one_line_naming_the_container_and_daemon)
{
	struct cli_task t[] = {KILL(0, "bad"), KILL(0, "ok")};
	struct cli_tasks_opts o = {.kind = "Container", .done = "Killed"};
	char *e;

	cr_assert_eq(cli_tasks_run(&S, t, 2, &o), CLI_FAIL);
	e = errors();
	cr_expect_eq(count(e, "mixcompose: Container bad (up): "), 1, "%s", e);
	cr_expect(strstr(e, "something broke"), "%s", e);
	cr_expect(strstr(e, " Container ok (up)  Killed\n"), "%s", e);
	free(e);
}

Test(cli_runner, warn_reports_a_failure_but_exits_zero)
{
	struct cli_task t[] = {KILL(0, "bad")};
	struct cli_tasks_opts o = {.kind = "Container", .warn = true};
	char *e;

	cr_assert_eq(cli_tasks_run(&S, t, 1, &o), CLI_OK);
	e = errors();
	cr_expect(strstr(e, "warning: Container bad (up): "), "%s", e);
	free(e);
}

Test(cli_runner, an_offline_host_is_not_said_again_and_its_tasks_fail)
{
	struct plan_host off[2] = {{.name = "up"},
				   {.name = "gone", .offline = true}};
	struct cli_task t[] = {
		{.h = &off[1], .what = "x1", .start = kill_start, .ref = "x1"},
		{.h = &off[0], .what = "ok", .start = kill_start, .ref = "ok"}};
	struct cli_tasks_opts o = {0};
	char *e;

	/* The session said it when it found the daemon down. */
	S.hosts = off;
	cr_assert_eq(cli_tasks_run(&S, t, 2, &o), CLI_FAIL);
	cr_expect(t[0].unreachable);
	cr_expect_eq(t[1].rc, 0);
	e = errors();
	cr_expect_str_eq(e, "");
	free(e);
}

static int ticks;

static int stop_after_three(void *ud)
{
	(void)ud;
	return ++ticks > 3;
}

Test(cli_runner, a_stop_ends_a_stream_wave_without_a_failure)
{
	struct cli_task t[] = {KILL(0, "hang")};
	struct cli_tasks_opts o = {.tick = stop_after_three, .tick_ms = 20};
	char *e;

	cr_assert_eq(cli_tasks_run(&S, t, 1, &o), CLI_OK);
	cr_expect_gt(ticks, 3);
	cr_expect(t[0].cancelled, "the hanging request was cut short");
	e = errors();
	cr_expect_str_eq(e, "", "nothing said at a stop");
	free(e);
}

/* Ends the wave once the task failed and its line was written. */
static int stop_when_said(void *ud)
{
	const struct cli_task *t = ud;
	char *e = errors();
	bool said = t->said && strstr(e, "Container bad (up)") != NULL;

	free(e);
	return said;
}

Test(cli_runner, a_stream_failure_is_said_as_it_happens_and_once)
{
	struct cli_task t[] = {KILL(0, "bad"), KILL(0, "hang")};
	struct cli_tasks_opts o = {.kind = "Container",
				   .tick = stop_when_said,
				   .tick_ud = &t[0],
				   .tick_ms = 20};
	char *e;

	cr_assert_eq(cli_tasks_run(&S, t, 2, &o), CLI_FAIL);
	cr_expect(t[1].cancelled);
	e = errors();
	cr_expect_eq(count(e, "Container bad (up)"), 1, "%s", e);
	free(e);
}

static struct cli_task added[2];

static void add_done(void *ud, int rc, const struct diag *err)
{
	struct cli_task *t = ud;

	added[0] = KILL(0, "bad");
	added[1] = KILL(1, "later");
	cli_task_add(t, &added[0]);
	cli_task_add(t, &added[1]);
	cli_task_done(t, rc, err);
}

static void
adder_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_container_kill_async(l, e, t->ref, NULL, add_done, t);
}

Test(cli_runner, tasks_added_from_a_callback_run_and_count)
{
	struct cli_task t[] = {{.h = &hosts[0],
				.what = "ok",
				.start = adder_start,
				.ref = "ok"}};
	struct cli_tasks_opts o = {.kind = "Container"};
	char *e;

	cr_assert_eq(cli_tasks_run(&S, t, 1, &o), CLI_FAIL);
	cr_expect_eq(t[0].rc, 0);
	cr_expect_neq(added[0].rc, 0, "the added task ran");
	cr_expect_neq(added[1].rc, 0, "added on the other daemon");
	e = errors();
	cr_expect_eq(count(e, "Container bad (up): "), 1, "%s", e);
	cr_expect_eq(count(e, "daemon 'gone' is not reachable"), 1, "%s", e);
	free(e);
}
