/*
 * The job-graph runner: the pure scheduling step, the dependency checks,
 * and whole runs against a fake daemon (tolerated 304/404, failures that
 * skip dependents, waits, cancel).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "engine/engine.h"
#include "fake_server.h"

#define NJOBS(a) (sizeof(a) / sizeof((a)[0]))

static const size_t dep0[] = {0};
static const size_t dep1[] = {1};
static const size_t dep01[] = {0, 1};
static const size_t dep2[] = {2};

#define NOOP(t, d, nd)                                                         \
	{                                                                      \
		.kind = ENGINE_JOB_NOOP, .title = (t), .deps = (d),            \
		.n_deps = (nd), .container = {                                 \
			ENGINE_JOB_NONE,                                       \
			NULL                                                   \
		}                                                              \
	}

Test(engine_run, ready_follows_dependencies)
{
	struct engine_job jobs[] = {
		NOOP("a", NULL, 0),
		NOOP("b", dep0, 1),
		NOOP("c", dep01, 2),
		NOOP("d", NULL, 0),
	};
	size_t out[4], n;

	n = engine_jobs_ready(jobs, 4, out, 4);
	cr_assert_eq(n, 2);
	cr_assert_eq(out[0], 0);
	cr_assert_eq(out[1], 3);
	jobs[0].state = ENGINE_JOB_DONE;
	jobs[3].state = ENGINE_JOB_WORKING;
	n = engine_jobs_ready(jobs, 4, out, 4);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0], 1);
	jobs[1].state = ENGINE_JOB_DONE;
	n = engine_jobs_ready(jobs, 4, out, 4);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0], 2);
	cr_assert_eq(engine_jobs_ready(jobs, 4, out, 0), 0, "cap is kept");
}

Test(engine_run, failure_skips_dependents_transitively)
{
	struct engine_job jobs[] = {
		NOOP("net", NULL, 0),	      NOOP("create", dep0, 1),
		NOOP("start", dep1, 1),	      NOOP("other", NULL, 0),
		NOOP("after-start", dep2, 1),
	};
	size_t out[5], n;

	jobs[0].state = ENGINE_JOB_FAILED;
	n = engine_jobs_ready(jobs, 5, out, 5);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0], 3, "independent jobs go on");
	cr_assert_eq(jobs[1].state, ENGINE_JOB_SKIPPED);
	cr_assert_eq(jobs[2].state, ENGINE_JOB_SKIPPED);
	cr_assert_eq(jobs[4].state, ENGINE_JOB_SKIPPED);
	cr_assert(strstr(jobs[1].err.msg, "net failed"), "%s", jobs[1].err.msg);
	cr_assert(strstr(jobs[2].err.msg, "create was skipped"), "%s",
		  jobs[2].err.msg);
	cr_assert_eq(jobs[3].state, ENGINE_JOB_WAITING);
}

Test(engine_run, check_refuses_bad_graphs)
{
	struct diag err = {0};
	static const size_t bad[] = {7};
	static const size_t self[] = {0};
	struct engine_job oob[] = {NOOP("a", bad, 1)};
	struct engine_job loop[] = {NOOP("a", self, 1)};
	struct engine_job cycle[] = {NOOP("a", dep1, 1), NOOP("b", dep0, 1),
				     NOOP("c", NULL, 0)};
	struct engine_job ref[] = {
		NOOP("a", NULL, 0),
		{.kind = ENGINE_JOB_NOOP, .container = {0, NULL}},
	};

	cr_assert_eq(engine_jobs_check(oob, 1, &err), DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "bad dependency 7"), "%s", err.msg);
	cr_assert_eq(engine_jobs_check(loop, 1, &err), DIAG_EUSAGE);
	cr_assert_eq(engine_jobs_check(cycle, 3, &err), DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "cycle"), "%s", err.msg);
	cr_assert_eq(engine_jobs_check(ref, 2, &err), DIAG_EUSAGE,
		     "a container job must be a dependency");
	cr_assert_eq(engine_jobs_check(cycle + 2, 1, &err), 0);
}

struct trace {
	int calls;
	int done;
	int skipped;
};

static void
on_progress(void *ud, const struct engine_job *jobs, size_t n, size_t i)
{
	struct trace *t = ud;

	cr_assert_lt(i, n);
	t->calls++;
	t->done += jobs[i].state == ENGINE_JOB_DONE;
	t->skipped += jobs[i].state == ENGINE_JOB_SKIPPED;
}

Test(engine_run, noop_graph_runs_in_order_and_reports)
{
	struct engine_job jobs[] = {NOOP("c", dep1, 1), NOOP("b", dep2, 1),
				    NOOP("a", NULL, 0)};
	struct trace t = {0};
	struct engine_run_opts o = {.progress = on_progress, .progress_ud = &t};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};

	cr_assert_eq(engine_run(l, jobs, 3, &o, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(jobs[i].state, ENGINE_JOB_DONE);
	cr_assert_eq(t.done, 3);
	cr_assert_geq(t.calls, 9, "waiting, working, done for each");
	cr_assert_leq(jobs[2].finished_ms, jobs[1].started_ms);
	cr_assert_leq(jobs[1].finished_ms, jobs[0].started_ms);
	engine_loop_free(l);
}

Test(engine_run, cancel_starts_nothing)
{
	struct engine_job jobs[] = {NOOP("a", NULL, 0), NOOP("b", dep0, 1)};
	volatile sig_atomic_t stop = 1;
	struct trace t = {0};
	struct engine_run_opts o = {
		.progress = on_progress, .progress_ud = &t, .cancel = &stop};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};

	cr_assert_eq(engine_run(l, jobs, 2, &o, &err), DIAG_EINTR);
	cr_assert_eq(jobs[0].state, ENGINE_JOB_SKIPPED);
	cr_assert_eq(jobs[1].state, ENGINE_JOB_SKIPPED);
	cr_assert_eq(t.skipped, 2);
	engine_loop_free(l);
}

/* ---- Against a fake daemon ------------------------------------------------
 */

static struct fake_server *fs;
static struct engine *eng;

static void fini(void)
{
	engine_free(eng);
	eng = NULL;
	fake_stop(fs);
	fs = NULL;
}

TestSuite(engine_run_fake, .fini = fini);

static struct engine *fake(const struct fake_route *routes, size_t n)
{
	struct engine_config cfg = {.name = "fake"};
	struct diag err = {0};

	fs = fake_start(routes, n);
	cfg.url = fake_url(fs);
	cr_assert_eq(engine_new(&eng, &cfg, &err), 0, "%s", err.msg);
	return eng;
}

#define HEALTHY                                                                \
	"{\"Id\":\"abc\",\"Name\":\"/web\",\"State\":{\"Status\":\"running\"," \
	"\"Running\":true,\"ExitCode\":0,\"Health\":{\"Status\":\"healthy\"}}" \
	","                                                                    \
	"\"Config\":{}}"

Test(engine_run_fake, tolerated_replies_and_skips)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.method = "POST",
		 .path = "/containers/create",
		 .fixture = "create_ok.http"},
		{.path = "/start", .fixture = "run_304.http"},
		{.path = "/gone/stop", .fixture = "inspect_404.http"},
		{.path = "/abc/json", .body = HEALTHY},
		{.path = "/idle/json", .fixture = "inspect_ok.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_container_spec spec = {
		.image = "x", .stop_timeout = -1, .init = -1};
	static const size_t d3[] = {3};
	struct engine_job jobs[] = {
		{.kind = ENGINE_JOB_CONTAINER_CREATE,
		 .engine = e,
		 .name = "web",
		 .container_spec = &spec,
		 .container = {ENGINE_JOB_NONE, NULL}},
		{.kind = ENGINE_JOB_CONTAINER_START,
		 .engine = e,
		 .deps = dep0,
		 .n_deps = 1,
		 .container = {0, NULL}},
		{.kind = ENGINE_JOB_CONTAINER_REMOVE,
		 .engine = e,
		 .timeout_s = 0,
		 .container = {ENGINE_JOB_NONE, "gone"}},
		{.kind = ENGINE_JOB_WAIT,
		 .engine = e,
		 .title = "wait idle",
		 .wait = ENGINE_WAIT_HEALTHY,
		 .container = {ENGINE_JOB_NONE, "idle"}},
		{.kind = ENGINE_JOB_NOOP,
		 .engine = e,
		 .title = "after idle",
		 .deps = d3,
		 .n_deps = 1,
		 .container = {ENGINE_JOB_NONE, NULL}},
		{.kind = ENGINE_JOB_WAIT,
		 .engine = e,
		 .wait = ENGINE_WAIT_HEALTHY,
		 .container = {ENGINE_JOB_NONE, "abc"}},
	};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};
	int rc = engine_run(l, jobs, NJOBS(jobs), NULL, &err);

	cr_assert_eq(rc, DIAG_EENGINE, "%d %s", rc, err.msg);
	cr_assert_eq(jobs[0].state, ENGINE_JOB_DONE, "%s", jobs[0].err.msg);
	cr_assert_str_eq(jobs[0].id, "4f1c2a0e9b7d4c5e8a6b3f2d1c0e9f8a7b6c5d4e"
				     "3f2a1b0c9d8e7f6a5b4c3d2e");
	cr_assert_eq(jobs[1].state, ENGINE_JOB_DONE, "%s", jobs[1].err.msg);
	cr_assert(jobs[1].noop, "304 means it already runs");
	cr_assert_eq(jobs[2].state, ENGINE_JOB_DONE, "%s", jobs[2].err.msg);
	cr_assert(jobs[2].noop, "404 means it is gone already");
	cr_assert_eq(jobs[3].state, ENGINE_JOB_FAILED);
	cr_assert(strstr(jobs[3].err.msg, "wait idle: container "
					  "'fixture-conflict' has no "
					  "healthcheck"),
		  "%s", jobs[3].err.msg);
	cr_assert_eq(jobs[4].state, ENGINE_JOB_SKIPPED);
	cr_assert(strstr(jobs[4].err.msg, "wait idle failed"), "%s",
		  jobs[4].err.msg);
	cr_assert_eq(jobs[5].state, ENGINE_JOB_DONE, "%s", jobs[5].err.msg);
	cr_assert(strstr(err.msg, "1 job(s) failed, 1 skipped"), "%s", err.msg);
	engine_loop_free(l);
}

Test(engine_run_fake, failed_create_names_the_daemon_reply)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.method = "POST",
		 .path = "/containers/create",
		 .fixture = "create_409.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_container_spec spec = {
		.image = "x", .stop_timeout = -1, .init = -1};
	struct engine_job jobs[] = {
		{.kind = ENGINE_JOB_CONTAINER_CREATE,
		 .engine = e,
		 .title = "container web",
		 .name = "web",
		 .container_spec = &spec,
		 .container = {ENGINE_JOB_NONE, NULL}},
		{.kind = ENGINE_JOB_CONTAINER_START,
		 .engine = e,
		 .deps = dep0,
		 .n_deps = 1,
		 .container = {0, NULL}},
	};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};

	cr_assert_eq(engine_run(l, jobs, 2, NULL, &err), DIAG_EENGINE);
	cr_assert_eq(jobs[0].state, ENGINE_JOB_FAILED);
	cr_assert(
		strstr(jobs[0].err.msg, "container web: daemon 'fake': POST "),
		"%s", jobs[0].err.msg);
	cr_assert(strstr(jobs[0].err.msg, "409 Conflict"), "%s",
		  jobs[0].err.msg);
	cr_assert_eq(jobs[1].state, ENGINE_JOB_SKIPPED);
	engine_loop_free(l);
}

Test(engine_run, soft_deps_run_after_failures)
{
	struct engine_job jobs[] = {
		NOOP("a", NULL, 0),
		NOOP("b", NULL, 0),
		NOOP("net", dep01, 2),
	};
	size_t out[3];

	jobs[2].soft_deps = true;
	jobs[0].state = ENGINE_JOB_FAILED;
	jobs[1].state = ENGINE_JOB_WORKING;
	cr_assert_eq(engine_jobs_ready(jobs, 3, out, 3), 0);
	cr_assert_eq(jobs[2].state, ENGINE_JOB_WAITING, "not skipped");
	jobs[1].state = ENGINE_JOB_DONE;
	cr_assert_eq(engine_jobs_ready(jobs, 3, out, 3), 1);
	cr_assert_eq(out[0], 2);
}

Test(engine_run_fake, iptables_races_are_retried)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.method = "POST",
		 .path = "/networks/create",
		 .fixture = "run_iptables_500.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_network_spec spec = {.name = "n"};
	struct engine_job jobs[] = {
		{.kind = ENGINE_JOB_NETWORK_CREATE,
		 .engine = e,
		 .network_spec = &spec,
		 .container = {ENGINE_JOB_NONE, NULL}},
	};
	struct engine_run_opts o = {.retry_ms = 10};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};

	cr_assert_eq(engine_run(l, jobs, 1, &o, &err), DIAG_EENGINE);
	cr_assert(strstr(jobs[0].err.msg, "iptables"), "%s", jobs[0].err.msg);
	/* The ping, the first try and five retries. */
	cr_assert_eq(fake_requests(fs), 7, "%d", fake_requests(fs));
	engine_loop_free(l);
}

/*
 * Removals as compose v2's down does them: a network is inspected first
 * and left while containers are attached (never DELETEd: that route
 * would fail the job), a 409 on a volume or image leaves it in use, a
 * missing one is a noop; none of them is a failure.
 */
Test(engine_run_fake, removals_leave_what_is_in_use_and_skip_what_is_gone)
{
#define NET(n, c) "{\"Name\":\"" n "\",\"Containers\":{" c "}}"
	static const char busy[] =
		NET("busy", "\"abc\":{\"Name\":\"other-web-1\",\"IPv4Address\":"
			    "\"172.30.0.2/24\"}");
	static const char free_net[] = NET("free", "");
#undef NET
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.method = "DELETE",
		 .path = "/networks/busy",
		 .fixture = "pull_500.http"},
		{.method = "DELETE",
		 .path = "/networks/free",
		 .fixture = "no_content.http"},
		{.method = "GET",
		 .path = "/networks/busy",
		 .body = busy,
		 .body_len = sizeof(busy) - 1},
		{.method = "GET",
		 .path = "/networks/free",
		 .body = free_net,
		 .body_len = sizeof(free_net) - 1},
		{.method = "GET",
		 .path = "/networks/gone",
		 .fixture = "network_404.http"},
		{.method = "DELETE",
		 .path = "/volumes/used",
		 .fixture = "volume_rm_409.http"},
		{.method = "DELETE",
		 .path = "/images/img",
		 .fixture = "image_rm_409.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
#define RM(k, n)                                                               \
	{                                                                      \
		.kind = (k), .engine = e, .title = (n), .name = (n),           \
		.container = {                                                 \
			ENGINE_JOB_NONE,                                       \
			NULL                                                   \
		}                                                              \
	}
	struct engine_job jobs[] = {
		RM(ENGINE_JOB_NETWORK_REMOVE, "busy"),
		RM(ENGINE_JOB_VOLUME_REMOVE, "used"),
		RM(ENGINE_JOB_IMAGE_REMOVE, "img"),
		RM(ENGINE_JOB_NETWORK_REMOVE, "gone"),
		RM(ENGINE_JOB_NETWORK_REMOVE, "free"),
	};
#undef RM
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};

	cr_assert_eq(engine_run(l, jobs, NJOBS(jobs), NULL, &err), 0, "%s",
		     err.msg);
	for (size_t i = 0; i < NJOBS(jobs); i++)
		cr_assert_eq(jobs[i].state, ENGINE_JOB_DONE, "%zu: %s", i,
			     jobs[i].err.msg);
	for (size_t i = 0; i < 3; i++) {
		cr_assert(jobs[i].in_use, "%zu", i);
		cr_assert_eq(jobs[i].err.code, DIAG_ECONFLICT);
		cr_assert(strstr(jobs[i].err.msg, "daemon 'fake'"), "%s",
			  jobs[i].err.msg);
	}
	cr_assert(strstr(jobs[0].err.msg,
			 "busy: daemon 'fake': GET /v1.41/networks/busy: 1 "
			 "container(s) still attached: other-web-1"),
		  "%s", jobs[0].err.msg);
	cr_assert(strstr(jobs[1].err.msg, "409 Conflict: remove used: volume "
					  "is in use"),
		  "%s", jobs[1].err.msg);
	cr_assert(strstr(jobs[2].err.msg, "409 Conflict: conflict: unable to "
					  "remove repository reference"),
		  "%s", jobs[2].err.msg);
	cr_assert(jobs[3].noop && !jobs[3].in_use);
	cr_assert(!jobs[4].noop && !jobs[4].in_use);
	engine_loop_free(l);
}

/*
 * Two `down`s of one project at once: the daemon answers the second
 * forced DELETE of a container with 409 "removal of container ... is
 * already in progress" (dockerd 20.10 and 26.1 alike); the container goes
 * either way, and compose v2 counts it removed.  Another refusal (500)
 * still fails its job.
 */
Test(engine_run_fake, a_container_removal_under_way_elsewhere_is_done)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.path = "/racing/stop", .fixture = "no_content.http"},
		{.path = "/broken/stop", .fixture = "no_content.http"},
		{.method = "DELETE",
		 .path = "/containers/racing",
		 .fixture = "container_rm_409.http"},
		{.method = "DELETE",
		 .path = "/containers/broken",
		 .fixture = "pull_500.http"},
	};
	struct engine *e = fake(routes, NJOBS(routes));
	struct engine_job jobs[] = {
		{.kind = ENGINE_JOB_CONTAINER_REMOVE,
		 .engine = e,
		 .timeout_s = 0,
		 .container = {ENGINE_JOB_NONE, "racing"}},
		{.kind = ENGINE_JOB_CONTAINER_REMOVE,
		 .engine = e,
		 .timeout_s = 0,
		 .container = {ENGINE_JOB_NONE, "broken"}},
	};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};
	int rc = engine_run(l, jobs, NJOBS(jobs), NULL, &err);

	cr_assert_neq(rc, 0);
	cr_assert_eq(jobs[0].state, ENGINE_JOB_DONE, "%s", jobs[0].err.msg);
	cr_assert_not(jobs[0].in_use);
	cr_assert_eq(jobs[1].state, ENGINE_JOB_FAILED);
	cr_assert(strstr(err.msg, "containers/broken"), "%s", err.msg);
	engine_loop_free(l);
}
