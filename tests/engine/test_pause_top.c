/*
 * pause, unpause and top over a real socket to a fake daemon: the error
 * replies recorded from the lab's dockerd, and the process table of a
 * Windows daemon, which the lab (Linux stand-ins only) cannot give.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/engine.h"
#include "fake_server.h"

static struct fake_server *fs;
static struct engine *eng;

static struct engine *connect_fake(const struct fake_route *routes, size_t n)
{
	struct engine_config cfg = {.name = "fake"};
	struct diag err = {0};

	fs = fake_start(routes, n);
	cfg.url = fake_url(fs);
	cr_assert_eq(engine_new(&eng, &cfg, &err), 0, "%s", err.msg);
	return eng;
}

static void teardown(void)
{
	engine_free(eng);
	eng = NULL;
	fake_stop(fs);
	fs = NULL;
}

TestSuite(engine_pause_top, .fini = teardown);

#define FAKE(...)                                                              \
	connect_fake((const struct fake_route[]){__VA_ARGS__},                 \
		     sizeof((const struct fake_route[]){__VA_ARGS__}) /        \
			     sizeof(struct fake_route))

static const struct fake_route PING = {.path = "/_ping",
				       .fixture = "ping.http"};

Test(engine_pause_top, pause_of_a_stopped_container_is_a_conflict)
{
	struct diag err = {0};
	struct engine *e =
		FAKE(PING, {.path = "/pause", .fixture = "pause_409.http"});
	char target[256];

	cr_assert_eq(engine_container_pause(e, "c1", &err), DIAG_EENGINE);
	cr_assert(strstr(err.msg, "daemon 'fake': POST "
				  "/v1.41/containers/c1/pause: 409 Conflict: "),
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "is not running"), "%s", err.msg);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert_str_eq(target, "/v1.41/containers/c1/pause");
}

Test(engine_pause_top, unpause_of_a_running_container_is_a_server_error)
{
	struct diag err = {0};
	struct engine *e =
		FAKE(PING, {.path = "/unpause", .fixture = "unpause_500.http"});

	cr_assert_eq(engine_container_unpause(e, "c1", &err), DIAG_EENGINE);
	cr_assert(strstr(err.msg, "/v1.41/containers/c1/unpause: 500 "
				  "Internal Server Error: "),
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "is not paused"), "%s", err.msg);
}

Test(engine_pause_top, top_of_a_missing_container_is_not_found)
{
	struct engine_top *t = NULL;
	struct diag err = {0};
	struct engine *e =
		FAKE(PING, {.path = "/top", .fixture = "top_404.http"});

	cr_assert_eq(engine_container_top(e, "nosuch-cmds", &t, &err),
		     DIAG_ENOTFOUND);
	cr_assert_null(t);
	cr_assert_str_eq(err.msg,
			 "daemon 'fake': GET /v1.41/containers/nosuch-cmds/"
			 "top: 404 Not Found: No such container: nosuch-cmds");
}

Test(engine_pause_top, top_reply_without_titles_is_an_engine_error)
{
	struct engine_top *t = NULL;
	struct diag err = {0};
	struct engine *e =
		FAKE(PING, {.path = "/top", .body = "{\"Processes\":[]}"});

	cr_assert_eq(engine_container_top(e, "c1", &t, &err), DIAG_EENGINE);
	cr_assert_null(t);
	cr_assert(strstr(err.msg, "GET /v1.41/containers/c1/top: 200: no "
				  "Titles"),
		  "%s", err.msg);
}

Test(engine_pause_top, top_reply_that_is_not_json_is_an_engine_error)
{
	struct engine_top *t = NULL;
	struct diag err = {0};
	struct engine *e = FAKE(PING, {.path = "/top", .body = "<html>"});

	cr_assert_eq(engine_container_top(e, "c1", &t, &err), DIAG_EENGINE);
	cr_assert_null(t);
	cr_assert(strstr(err.msg, "not JSON"), "%s", err.msg);
}

Test(engine_pause_top, top_parses_a_recorded_linux_table)
{
	struct engine_top *t = NULL;
	struct diag err = {0};
	struct engine *e =
		FAKE(PING, {.path = "/top", .fixture = "top_ok.http"});

	cr_assert_eq(engine_container_top(e, "c1", &t, &err), 0, "%s", err.msg);
	cr_assert_eq(t->titles.n, 8);
	cr_assert_str_eq(t->titles.v[7], "CMD");
	cr_assert_eq(t->n_processes, 1);
	cr_assert_eq(t->processes[0].n, 8);
	cr_assert_str_eq(t->processes[0].v[7], "sleep 5");
	engine_top_free(t);
}

/* What a Windows daemon answers (docker top on Windows: other columns). */
Test(engine_pause_top, top_keeps_windows_columns)
{
	struct engine_top *t = NULL;
	struct diag err = {0};
	struct engine *e = FAKE(
		PING, {.path = "/top",
		       .body = "{\"Titles\":[\"Name\",\"PID\",\"CPU\","
			       "\"Private Working Set\"],\"Processes\":[["
			       "\"CExecSvc.exe\",\"1140\",\"00:00:00.093\","
			       "\"1.29MB\"],[\"cmd.exe\",\"1484\","
			       "\"00:00:00.015\",\"1.6MB\"]]}"});

	cr_assert_eq(engine_container_top(e, "c1", &t, &err), 0, "%s", err.msg);
	cr_assert_eq(t->titles.n, 4);
	cr_assert_str_eq(t->titles.v[3], "Private Working Set");
	cr_assert_eq(t->n_processes, 2);
	cr_assert_str_eq(t->processes[1].v[0], "cmd.exe");
	engine_top_free(t);
}
