/*
 * Soft edges (depends_on required: false), optional jobs, and the image
 * jobs of the pull policies: the pure scheduling step, and error paths
 * against a fake daemon.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/engine.h"
#include "fake_server.h"

#define NJOBS(a) (sizeof(a) / sizeof((a)[0]))

static const size_t dep0[] = {0};
static const size_t dep01[] = {0, 1};

#define NOOP(t, d, nd)                                                         \
	{                                                                      \
		.kind = ENGINE_JOB_NOOP, .title = (t), .deps = (d),            \
		.n_deps = (nd), .container = {                                 \
			ENGINE_JOB_NONE,                                       \
			NULL                                                   \
		}                                                              \
	}

Test(engine_optional, soft_edge_runs_after_a_failure)
{
	static const bool soft[] = {true};
	struct engine_job jobs[] = {
		NOOP("db", NULL, 0),
		NOOP("web", dep0, 1),
		NOOP("api", dep0, 1),
	};
	size_t out[3], n;

	jobs[1].soft = soft;
	jobs[0].state = ENGINE_JOB_FAILED;
	n = engine_jobs_ready(jobs, 3, out, 3);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0], 1, "the soft edge does not skip web");
	cr_assert_eq(jobs[1].state, ENGINE_JOB_WAITING);
	cr_assert_eq(jobs[2].state, ENGINE_JOB_SKIPPED, "a hard edge does");
}

Test(engine_optional, soft_edge_waits_until_the_dependency_finishes)
{
	static const bool soft[] = {true, false};
	struct engine_job jobs[] = {
		NOOP("db", NULL, 0),
		NOOP("net", NULL, 0),
		NOOP("web", dep01, 2),
	};
	size_t out[3];

	jobs[2].soft = soft;
	jobs[0].state = ENGINE_JOB_WORKING;
	jobs[1].state = ENGINE_JOB_DONE;
	cr_assert_eq(engine_jobs_ready(jobs, 3, out, 3), 0, "db still works");
	jobs[0].state = ENGINE_JOB_SKIPPED;
	cr_assert_eq(engine_jobs_ready(jobs, 3, out, 3), 1);
	cr_assert_eq(out[0], 2);
	/* The hard edge still counts: a failed network skips web. */
	jobs[0].state = ENGINE_JOB_DONE;
	jobs[1].state = ENGINE_JOB_FAILED;
	cr_assert_eq(engine_jobs_ready(jobs, 3, out, 3), 0);
	cr_assert_eq(jobs[2].state, ENGINE_JOB_SKIPPED);
}

static struct fake_server *fs;
static struct engine *eng;

static void fini(void)
{
	engine_free(eng);
	eng = NULL;
	fake_stop(fs);
	fs = NULL;
}

TestSuite(engine_optional_fake, .fini = fini);

static struct engine *fake(const struct fake_route *routes, size_t n)
{
	struct engine_config cfg = {.name = "fake"};
	struct diag err = {0};

	fs = fake_start(routes, n);
	cfg.url = fake_url(fs);
	cr_assert_eq(engine_new(&eng, &cfg, &err), 0, "%s", err.msg);
	return eng;
}

Test(engine_optional_fake, check_of_a_missing_image_fails_without_pulling)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.path = "/images/", .fixture = "inspect_404.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_job jobs[] = {
		{.kind = ENGINE_JOB_IMAGE_CHECK,
		 .engine = e,
		 .title = "image 127.0.0.1:5/x:1 (linux)",
		 .name = "127.0.0.1:5/x:1",
		 .container = {ENGINE_JOB_NONE, NULL}},
		NOOP("create", dep0, 1),
	};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};
	char target[256];

	cr_assert_eq(engine_run(l, jobs, 2, NULL, &err), DIAG_ENOTFOUND, "%s",
		     err.msg);
	cr_assert_eq(jobs[0].state, ENGINE_JOB_FAILED);
	cr_assert(strstr(jobs[0].err.msg,
			 "image 127.0.0.1:5/x:1 (linux): image "
			 "'127.0.0.1:5/x:1' is not on this daemon"),
		  "%s", jobs[0].err.msg);
	cr_assert_eq(jobs[1].state, ENGINE_JOB_SKIPPED);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert(strstr(target, "/json") && !strstr(target, "/create"),
		  "only an inspect went out: %s", target);
	engine_loop_free(l);
}

Test(engine_optional_fake, optional_failure_is_not_counted)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.path = "/containers/db/json", .fixture = "inspect_ok.http"},
	};
	static const bool soft[] = {true};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_job jobs[] = {
		{.kind = ENGINE_JOB_WAIT,
		 .engine = e,
		 .title = "wait db",
		 .wait = ENGINE_WAIT_HEALTHY,
		 .optional = true,
		 .container = {ENGINE_JOB_NONE, "db"}},
		NOOP("start web", dep0, 1),
	};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};

	jobs[1].soft = soft;
	cr_assert_eq(engine_run(l, jobs, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(jobs[0].state, ENGINE_JOB_FAILED);
	cr_assert(strstr(jobs[0].err.msg, "has no healthcheck"), "%s",
		  jobs[0].err.msg);
	cr_assert_eq(jobs[1].state, ENGINE_JOB_DONE, "%s", jobs[1].err.msg);
	/* Without the flag the same failure fails the run. */
	jobs[0].optional = false;
	cr_assert_eq(engine_run(l, jobs, 2, NULL, &err), DIAG_EENGINE);
	cr_assert_eq(jobs[1].state, ENGINE_JOB_DONE, "the edge is still soft");
	engine_loop_free(l);
}

Test(engine_optional_fake, pull_job_pulls_a_present_image)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.method = "POST",
		 .path = "/images/create",
		 .fixture = "pull_500.http"},
		{.path = "/images/", .fixture = "image_inspect.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_job jobs[] = {
		{.kind = ENGINE_JOB_IMAGE_PULL,
		 .engine = e,
		 .title = "image local/busybox:lab",
		 .name = "local/busybox:lab",
		 .container = {ENGINE_JOB_NONE, NULL}},
	};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};
	char target[256];

	/* The image is there, yet the job asks the registry (and fails). */
	cr_assert_neq(engine_run(l, jobs, 1, NULL, &err), 0);
	cr_assert_eq(jobs[0].state, ENGINE_JOB_FAILED);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert(strstr(target, "/images/create?fromImage="), "%s", target);
	engine_loop_free(l);
}

Test(engine_optional_fake, inspect_reads_the_last_tag_time)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.path = "/images/", .fixture = "image_inspect.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_image_info info = {0};
	struct diag err = {0};

	cr_assert_eq(engine_image_inspect(e, "local/busybox:lab", &info, &err),
		     0, "%s", err.msg);
	/* "2026-11-25T13:23:41.906878464Z" */
	cr_assert_eq(info.last_tag_time, 1795613021LL);
}
