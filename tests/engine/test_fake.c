/* Error paths and streams over a real socket to a fake daemon. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "fake_server.h"
#include "util/sbuf.h"

static struct fake_server *fs;
static struct fake_server *fs2; /* a second daemon, for some tests */
static struct engine *eng;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct engine *connect_fake(const struct fake_route *routes,
				   size_t n,
				   long request_timeout_ms,
				   const char *api)
{
	struct engine_config cfg = {.name = "fake",
				    .request_timeout_ms = request_timeout_ms,
				    .api_version = api};
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
	fake_stop(fs2);
	fs2 = NULL;
}

TestSuite(engine_fake, .fini = teardown);

#define ROUTES(...) ((const struct fake_route[]){__VA_ARGS__})
#define NR(...)                                                                \
	(sizeof((const struct fake_route[]){__VA_ARGS__}) /                    \
	 sizeof(struct fake_route))
#define FAKE(timeout, api, ...)                                                \
	connect_fake(ROUTES(__VA_ARGS__), NR(__VA_ARGS__), timeout, api)

static const struct fake_route PING = {.path = "/_ping",
				       .fixture = "ping.http"};

Test(engine_fake, ping_headers_are_case_insensitive)
{
	struct engine_ping_info pi;
	struct diag err = {0};
	struct engine *e = FAKE(
		0, NULL, {.path = "/_ping", .fixture = "ping_windows.http"});

	cr_assert_eq(engine_ping(e, &pi, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pi.os, "windows");
	cr_assert_str_eq(pi.api_version, "1.45");
	cr_assert_str_eq(pi.negotiated, "1.45");
	cr_assert_str_eq(pi.server, "Docker/26.1.3 (windows)");
	cr_assert_str_eq(engine_os(e), "windows");
	cr_assert(engine_api_at_least(e, 1, 44));
}

Test(engine_fake, old_daemon_is_refused_naming_both_versions)
{
	struct engine_ping_info pi;
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, {.path = "/_ping", .fixture = "ping_old.http"});

	cr_assert_eq(engine_ping(e, &pi, &err), DIAG_EENGINE);
	cr_assert(strstr(err.msg, "1.30"), "%s", err.msg);
	cr_assert(strstr(err.msg, ENGINE_API_MIN), "%s", err.msg);
	cr_assert_str_eq(engine_api_version(e), "");
}

Test(engine_fake, new_daemon_gets_our_maximum_in_paths)
{
	struct engine_image_info ii;
	struct diag err = {0};
	char target[1024];
	struct engine *e =
		FAKE(0, NULL, {.path = "/_ping", .fixture = "ping_new.http"},
		     {.path = "/images/", .fixture = "image_inspect.http"});

	cr_assert_eq(engine_image_inspect(e, "local/busybox:lab", &ii, &err), 0,
		     "%s", err.msg);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert_str_eq(target,
			 "/v" ENGINE_API_MAX "/images/local/busybox:lab/json");
	cr_assert_str_eq(ii.os, "linux");
	cr_assert_str_eq(ii.arch, "amd64");
	cr_assert_str_eq(ii.repo_tag, "local/busybox:lab");
	cr_assert(strncmp(ii.id, "sha256:", 7) == 0);
}

Test(engine_fake, inspect_404_is_not_found_with_daemon_message)
{
	struct engine_container_info *ci = NULL;
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, PING,
		     {.path = "/containers/", .fixture = "inspect_404.http"});

	cr_assert_eq(engine_container_inspect(e, "nosuch", &ci, &err),
		     DIAG_ENOTFOUND);
	cr_assert_null(ci);
	cr_assert_str_eq(err.msg,
			 "daemon 'fake': GET /v1.41/containers/nosuch/json: "
			 "404 Not Found: No such container: nosuch");
}

Test(engine_fake, create_conflict_is_engine_error)
{
	struct engine_container_spec spec = {
		.image = "local/busybox:lab", .stop_timeout = -1, .init = -1};
	struct diag err = {0};
	char id[80];
	struct engine *e = FAKE(
		0, NULL, PING,
		{.path = "/containers/create", .fixture = "create_409.http"});

	cr_assert_eq(engine_container_create(e, "fixture-conflict", NULL, &spec,
					     id, &err),
		     DIAG_EENGINE);
	cr_assert(strstr(err.msg,
			 "POST /v1.41/containers/create?name=fixture-conflict: "
			 "409 Conflict: Conflict. The container name"),
		  "%s", err.msg);
}

Test(engine_fake, plain_text_500_is_reported)
{
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, PING,
		     {.path = "/start", .fixture = "server_error_text.http"});

	cr_assert_eq(engine_container_start(e, "abc", &err), DIAG_EENGINE);
	cr_assert(strstr(err.msg,
			 "POST /v1.41/containers/abc/start: 500 Internal "
			 "Server Error: page not found: something broke"),
		  "%s", err.msg);
}

Test(engine_fake, malformed_json_is_an_engine_error)
{
	struct engine_container_info *ci = NULL;
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, PING,
		     {.path = "/containers/", .fixture = "bad_json.http"});

	cr_assert_eq(engine_container_inspect(e, "abc", &ci, &err),
		     DIAG_EENGINE);
	cr_assert_null(ci);
	cr_assert(strstr(err.msg, "not JSON"), "%s", err.msg);
	cr_assert(strstr(err.msg,
			 "daemon 'fake': GET /v1.41/containers/abc/json"),
		  "%s", err.msg);
}

static int discard(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	(void)s;
	sbuf_add(ud, p, n);
	return 0;
}

Test(engine_fake, connection_closed_mid_stream_is_transport_error)
{
	struct engine_logs_opts lo = {.tty = true};
	struct sbuf got = SBUF_INIT;
	struct diag err = {0};
	struct engine *e = FAKE(0, NULL, PING,
				{.path = "/logs",
				 .body = "partial log line\n",
				 .mode = FAKE_TRUNCATE});

	cr_assert_eq(engine_container_logs(e, "abc", &lo, discard, &got, &err),
		     DIAG_ETRANSPORT);
	cr_assert_str_eq(got.buf, "partial log line\n");
	cr_assert(strstr(err.msg,
			 "daemon 'fake': GET /v1.41/containers/abc/logs"),
		  "%s", err.msg);
	sbuf_release(&got);
}

Test(engine_fake, closed_without_answer_is_transport_error)
{
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, PING, {.path = "/stop", .mode = FAKE_CLOSE});

	cr_assert_eq(engine_container_stop(e, "abc", 1, &err), DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg, "POST /v1.41/containers/abc/stop?t=1"), "%s",
		  err.msg);
}

Test(engine_fake, slow_daemon_hits_the_request_timeout)
{
	struct engine_system_info si;
	struct diag err = {0};
	long t0;
	struct engine *e = FAKE(300, NULL, PING,
				{.path = "/info",
				 .fixture = "info.http",
				 .mode = FAKE_SLOW,
				 .delay_ms = 1500});

	cr_assert_eq(engine_ping(e, NULL, &err), 0, "%s", err.msg);
	t0 = now_ms();
	cr_assert_eq(engine_info(e, &si, &err), DIAG_ETRANSPORT);
	cr_assert_lt(now_ms() - t0, 1200);
	cr_assert(strstr(err.msg, "within 300 ms"), "%s", err.msg);
}

struct progress_count {
	int lines;
	long long last_total;
};

static int on_progress(void *ud, const struct engine_progress *p)
{
	struct progress_count *c = ud;

	c->lines++;
	if (p->total)
		c->last_total = p->total;
	return 0;
}

Test(engine_fake, pull_error_inside_a_200_stream)
{
	struct progress_count pc = {0, 0};
	struct diag err = {0};
	struct engine *e = FAKE(0, NULL, PING,
				{.path = "/images/create",
				 .fixture = "pull_stream_error.http"});

	cr_assert_eq(
		engine_image_pull(e, "busybox", NULL, on_progress, &pc, &err),
		DIAG_EENGINE);
	cr_assert(strstr(err.msg, "unauthorized: authentication required"),
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "fromImage=busybox&tag=latest"), "%s",
		  err.msg);
	cr_assert_eq(pc.lines, 2);
	cr_assert_eq(pc.last_total, 1000);
}

Test(engine_fake, pull_sends_platform_and_reports_progress)
{
	struct progress_count pc = {0, 0};
	struct diag err = {0};
	char target[1024];
	struct engine *e =
		FAKE(0, NULL, PING,
		     {.path = "/images/create", .fixture = "pull_ok.http"});

	cr_assert_eq(engine_image_pull(e, "registry:5000/app:1.2",
				       "linux/amd64", on_progress, &pc, &err),
		     0, "%s", err.msg);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert_str_eq(
		target,
		"/v1.41/images/create?fromImage=registry%3A5000%2Fapp%3A1.2"
		"&platform=linux%2Famd64");
	cr_assert_eq(pc.lines, 4);
}

Test(engine_fake, pull_http_500_names_the_path)
{
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, PING,
		     {.path = "/images/create", .fixture = "pull_500.http"});

	cr_assert_eq(
		engine_image_pull(e, "nosuchimage", NULL, NULL, NULL, &err),
		DIAG_EENGINE);
	cr_assert(strstr(err.msg,
			 "daemon 'fake': POST /v1.41/images/create?"
			 "fromImage=nosuchimage&tag=latest: 500 Internal "
			 "Server Error: Get"),
		  "%s", err.msg);
}

Test(engine_fake, create_sends_platform_from_api_1_41)
{
	struct engine_container_spec spec = {
		.image = "local/busybox:lab", .stop_timeout = -1, .init = -1};
	struct diag err = {0};
	char id[80], target[1024], body[8192];
	struct engine *e = FAKE(
		0, NULL, PING,
		{.path = "/containers/create", .fixture = "create_ok.http"});

	cr_assert_eq(engine_container_create(e, "web-1", "windows/amd64", &spec,
					     id, &err),
		     0, "%s", err.msg);
	cr_assert_eq(strlen(id), 64);
	fake_last(fs, target, sizeof(target), body, sizeof(body));
	cr_assert_str_eq(
		target,
		"/v1.41/containers/create?name=web-1&platform=windows%2Famd64");
	cr_assert(strstr(body, "\"Image\":\"local/busybox:lab\""), "%s", body);
}

Test(engine_fake, create_leaves_platform_out_before_1_41)
{
	struct engine_container_spec spec = {
		.image = "x", .stop_timeout = -1, .init = -1};
	struct diag err = {0};
	char id[80], target[1024];
	struct engine *e = FAKE(
		0, "1.40",
		{.path = "/containers/create", .fixture = "create_ok.http"});

	cr_assert_eq(engine_container_create(e, NULL, "linux", &spec, id, &err),
		     0, "%s", err.msg);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert_str_eq(target, "/v1.40/containers/create");
}

Test(engine_fake, thousand_pings_reuse_one_connection)
{
	struct diag err = {0};
	struct engine *e = FAKE(0, NULL, PING);

	for (int i = 0; i < 1000; i++)
		cr_assert_eq(engine_ping(e, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(fake_requests(fs), 1000);
	cr_assert_eq(fake_connections(fs), 1);
	cr_assert_eq(engine_connects(e), 1);
}

Test(engine_fake, wait_returns_the_exit_code)
{
	struct diag err = {0};
	int code = 0;
	char target[1024];
	struct engine *e = FAKE(0, NULL, PING,
				{.path = "/wait", .fixture = "wait_ok.http"});

	cr_assert_eq(engine_container_wait(e, "abc", "next-exit", &code, &err),
		     0, "%s", err.msg);
	cr_assert_eq(code, 7);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert_str_eq(target,
			 "/v1.41/containers/abc/wait?condition=next-exit");
}

Test(engine_fake, list_parses_labels_ports_and_networks)
{
	struct engine_kv f[] = {{"label", "com.docker.compose.project=proj"},
				{"label", "io.mixcompose.daemon"}};
	struct engine_filters fl = {f, 2};
	struct engine_container_list *cl = NULL;
	struct diag err = {0};
	char target[1024];
	struct engine *e = FAKE(0, NULL, PING,
				{.path = "/containers/json",
				 .fixture = "containers_list.http"});

	cr_assert_eq(engine_container_list(e, &fl, &cl, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(cl->n, 2);
	cr_assert_str_eq(cl->items[0].names.v[0], "proj-web-1");
	cr_assert_str_eq(cl->items[0].state, "running");
	cr_assert_eq(cl->items[0].n_ports, 1);
	cr_assert_eq(cl->items[0].ports[0].public_port, 8080);
	cr_assert_str_eq(cl->items[0].networks[0].network, "proj_default");
	cr_assert_str_eq(cl->items[0].networks[0].ip_address, "172.29.5.3");
	cr_assert_eq(cl->items[1].n_networks, 0);
	cr_assert_eq(cl->items[1].n_labels, 1);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert(strstr(target,
			 "all=1&filters=%7B%22label%22%3A%5B%22com.docker."
			 "compose.project%3Dproj%22%2C%22io.mixcompose.daemon%"
			 "22%5D%7D"),
		  "%s", target);
	engine_container_list_free(cl);
}

struct evs {
	int n;
	char first[64];
};

static int on_event(void *ud, const struct engine_event *ev)
{
	struct evs *s = ud;

	if (!s->n++)
		snprintf(s->first, sizeof(s->first), "%s %s %s", ev->type,
			 ev->action, ev->id);
	return 0;
}

Test(engine_fake, events_stream_parses_each_line)
{
	struct evs s = {0, ""};
	struct diag err = {0};
	struct engine *e = FAKE(0, NULL, PING,
				{.path = "/events", .fixture = "events.http"});

	cr_assert_eq(engine_events(e, NULL, "0", "1", on_event, &s, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.first, "container start aaa111");
}

static const char frames[] = "\x01\x00\x00\x00\x00\x00\x00\x06hello\n"
			     "\x02\x00\x00\x00\x00\x00\x00\x05oops\n"
			     "\x01\x00\x00\x00\x00\x00\x00\x04"
			     "bye\n";

struct two {
	struct sbuf out, err;
};

static int split(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	struct two *t = ud;

	sbuf_add(s == ENGINE_STDERR ? &t->err : &t->out, p, n);
	return 0;
}

Test(engine_fake, logs_are_demultiplexed)
{
	struct two t = {SBUF_INIT, SBUF_INIT};
	struct engine_logs_opts lo = {.tail = "10"};
	struct diag err = {0};
	char target[1024];
	struct engine *e = FAKE(0, NULL, PING,
				{.path = "/logs",
				 .body = frames,
				 .body_len = sizeof(frames) - 1});

	cr_assert_eq(engine_container_logs(e, "abc", &lo, split, &t, &err), 0,
		     "%s", err.msg);
	cr_assert_str_eq(t.out.buf, "hello\nbye\n");
	cr_assert_str_eq(t.err.buf, "oops\n");
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert(strstr(target,
			 "stdout=1&stderr=1&follow=0&timestamps=0&tail=10"),
		  "%s", target);
	sbuf_release(&t.out);
	sbuf_release(&t.err);
}

static int
stop_now(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	(void)s;
	(void)p;
	(void)n;
	(*(int *)ud)++;
	return 1;
}

Test(engine_fake, stream_stopped_by_callback_succeeds)
{
	struct engine_logs_opts lo = {.follow = true};
	struct diag err = {0};
	int calls = 0;
	struct engine *e = FAKE(0, NULL, PING,
				{.path = "/logs",
				 .body = frames,
				 .body_len = sizeof(frames) - 1,
				 .mode = FAKE_TRUNCATE});

	cr_assert_eq(
		engine_container_logs(e, "abc", &lo, stop_now, &calls, &err), 0,
		"%s", err.msg);
	cr_assert_eq(calls, 1);
}

Test(engine_fake, exec_run_collects_output_and_exit_code)
{
	const char *argv[] = {"sh", "-c", "echo hello", NULL};
	struct diag err = {0};
	char *out = NULL;
	int code = -1;
	struct engine *e;

	/* The first match answers: the start route goes before create. */
	e = FAKE(0, NULL, PING,
		 {.path = "/start",
		  .body = frames,
		  .body_len = sizeof(frames) - 1,
		  .mode = FAKE_EOF_BODY},
		 {.path = "/exec",
		  .method = "POST",
		  .fixture = "create_ok.http"},
		 {.path = "/exec/",
		  .method = "GET",
		  .body = "{\"ExitCode\":3,\"Running\":false}"});
	cr_assert_eq(engine_exec_run(e, "abc", argv, "root", &code, &out, &err),
		     0, "%s", err.msg);
	cr_assert_eq(code, 3);
	cr_assert_str_eq(out, "hello\noops\nbye\n");
	free(out);
}

struct done_rec {
	int calls;
	int rc;
	long at;
	char msg[2048];
};

static void rec_ping(void *ud,
		     int rc,
		     const struct engine_ping_info *pi,
		     const struct diag *err)
{
	struct done_rec *d = ud;

	(void)pi;
	d->calls++;
	d->rc = rc;
	d->at = now_ms();
	if (err)
		snprintf(d->msg, sizeof(d->msg), "%s", err->msg);
}

Test(engine_fake, callbacks_run_only_inside_the_loop)
{
	struct engine_loop *l = engine_loop_new();
	struct done_rec d = {0, 0, 0, ""};
	struct engine *e = FAKE(0, NULL, PING);

	engine_ping_async(l, e, rec_ping, &d);
	cr_assert_eq(d.calls, 0);
	cr_assert_eq(engine_loop_pending(l), 1);
	cr_assert_eq(engine_loop_run(l, 5000), 0);
	cr_assert_eq(d.calls, 1);
	cr_assert_eq(d.rc, 0);
	engine_loop_free(l);
}

Test(engine_fake, cancel_reports_interrupted)
{
	struct engine_loop *l = engine_loop_new();
	struct done_rec d = {0, 0, 0, ""};
	struct engine *e = FAKE(0, NULL,
				{.path = "/_ping",
				 .fixture = "ping.http",
				 .mode = FAKE_SLOW,
				 .delay_ms = 300});

	engine_ping_async(l, e, rec_ping, &d);
	engine_loop_step(l, 10);
	engine_loop_cancel(l);
	cr_assert_eq(d.calls, 1);
	cr_assert_eq(d.rc, DIAG_EINTR);
	cr_assert_eq(engine_loop_pending(l), 0);
	engine_loop_free(l);
}

Test(engine_fake, dead_daemon_does_not_delay_the_other)
{
	struct engine_config dead_cfg = {
		.name = "dead",
		.url = "unix:///tmp/mixcompose-dead.sock",
		.connect_timeout_ms = 1000};
	struct engine_config slow_cfg = {.name = "slow",
					 .request_timeout_ms = 800};
	struct engine_loop *l = engine_loop_new();
	struct done_rec good = {0, 0, 0, ""}, dead = {0, 0, 0, ""};
	struct done_rec slow = {0, 0, 0, ""};
	struct fake_route slow_route = {.path = "/_ping",
					.fixture = "ping.http",
					.mode = FAKE_SLOW,
					.delay_ms = 3000};
	struct engine *e = FAKE(0, NULL, PING), *de = NULL, *se = NULL;
	struct diag err = {0};
	long t0 = now_ms();

	fs2 = fake_start(&slow_route, 1);
	slow_cfg.url = fake_url(fs2);
	cr_assert_eq(engine_new(&de, &dead_cfg, &err), 0);
	cr_assert_eq(engine_new(&se, &slow_cfg, &err), 0);
	engine_ping_async(l, se, rec_ping, &slow);
	engine_ping_async(l, de, rec_ping, &dead);
	engine_ping_async(l, e, rec_ping, &good);
	cr_assert_eq(engine_loop_run(l, 10000), 0);
	cr_assert_eq(good.rc, 0);
	cr_assert_lt(good.at - t0, 300);
	cr_assert_eq(dead.rc, DIAG_ETRANSPORT);
	cr_assert(strstr(dead.msg,
			 "daemon 'dead': GET /_ping: cannot connect to "
			 "unix:///tmp/mixcompose-dead.sock"),
		  "%s", dead.msg);
	cr_assert_eq(slow.rc, DIAG_ETRANSPORT);
	cr_assert_lt(slow.at - t0, 2000);
	engine_loop_free(l);
	engine_free(de);
	engine_free(se);
}

Test(engine_fake, first_call_negotiates_then_waits_in_line)
{
	struct engine_loop *l = engine_loop_new();
	struct done_rec d = {0, 0, 0, ""};
	struct engine *e =
		FAKE(0, NULL, {.path = "/_ping", .fixture = "ping_old.http"},
		     {.path = "/info", .fixture = "info.http"});
	struct engine_system_info si;
	struct diag err = {0};

	(void)l;
	(void)d;
	/* A versioned call on a too-old daemon fails with the ping's reason. */
	cr_assert_eq(engine_info(e, &si, &err), DIAG_EENGINE);
	cr_assert(strstr(err.msg, "too old"), "%s", err.msg);
	cr_assert_eq(fake_requests(fs), 1);
	engine_loop_free(l);
}

Test(engine_fake, network_create_sends_ipam)
{
	struct engine_ipam ipam = {.subnet = "172.31.1.0/24",
				   .gateway = "172.31.1.1"};
	struct engine_kv labels[] = {{"com.docker.compose.network", "default"}};
	struct engine_network_spec ns = {.name = "proj_default",
					 .ipam = &ipam,
					 .n_ipam = 1,
					 .labels = labels,
					 .n_labels = 1,
					 .attachable = true};
	struct diag err = {0};
	char id[80], body[8192];
	struct engine *e =
		FAKE(0, NULL, PING,
		     {.path = "/networks/create", .fixture = "create_ok.http"});

	cr_assert_eq(engine_network_create(e, &ns, id, &err), 0, "%s", err.msg);
	fake_last(fs, NULL, 0, body, sizeof(body));
	cr_assert(strstr(body,
			 "\"IPAM\":{\"Config\":[{\"Subnet\":\"172.31.1.0/24\","
			 "\"Gateway\":\"172.31.1.1\"}]}"),
		  "%s", body);
	cr_assert(strstr(body, "\"Attachable\":true"), "%s", body);
	cr_assert(strstr(body, "\"Labels\":{\"com.docker.compose.network\":"
			       "\"default\"}"),
		  "%s", body);
}

Test(engine_fake, missing_id_in_reply_is_an_error)
{
	struct engine_network_spec ns = {.name = "n"};
	struct diag err = {0};
	char id[80];
	struct engine *e = FAKE(
		0, NULL, PING,
		{.path = "/networks/create", .body = "{\"Warning\":\"\"}"});

	cr_assert_eq(engine_network_create(e, &ns, id, &err), DIAG_EENGINE);
	cr_assert(strstr(err.msg, "no 'Id'"), "%s", err.msg);
}

static char last_err[2048];

static void count_ping(void *ud,
		       int rc,
		       const struct engine_ping_info *pi,
		       const struct diag *err)
{
	(void)pi;
	if (!rc)
		(*(int *)ud)++;
	else
		snprintf(last_err, sizeof(last_err), "%s", err->msg);
}

Test(engine_fake, connections_per_daemon_are_capped)
{
	struct engine_loop *l = engine_loop_new();
	struct engine *e = FAKE(0, NULL,
				{.path = "/_ping",
				 .fixture = "ping.http",
				 .mode = FAKE_SLOW,
				 .delay_ms = 20});
	int ok = 0;

	for (int i = 0; i < 300; i++)
		engine_ping_async(l, e, count_ping, &ok);
	cr_assert_eq(engine_loop_run(l, 20000), 0);
	cr_assert_eq(ok, 300, "%s", last_err);
	cr_assert_leq(fake_connections(fs), ENGINE_READ_SLOTS);
	cr_assert_gt(fake_connections(fs), 1);
	engine_loop_free(l);
}

Test(engine_fake, loop_run_gives_up_after_its_timeout)
{
	struct engine_loop *l = engine_loop_new();
	struct engine *e = FAKE(0, NULL,
				{.path = "/_ping",
				 .fixture = "ping.http",
				 .mode = FAKE_SLOW,
				 .delay_ms = 1000});
	int ok = 0;
	long t0 = now_ms();

	engine_ping_async(l, e, count_ping, &ok);
	cr_assert_eq(engine_loop_run(l, 100), DIAG_ELIMIT);
	cr_assert_lt(now_ms() - t0, 600);
	cr_assert_eq(engine_loop_pending(l), 1);
	cr_assert_eq(engine_loop_run(l, 5000), 0);
	cr_assert_eq(ok, 1);
	engine_loop_free(l);
}

Test(engine_fake, hung_daemon_fails_a_ping_within_twice_the_connect_timeout)
{
	struct engine_config cfg = {.name = "hung", .connect_timeout_ms = 200};
	struct fake_route r = {.path = "/_ping",
			       .fixture = "ping.http",
			       .mode = FAKE_SLOW,
			       .delay_ms = 2000};
	struct diag err = {0};
	long t0;

	fs = fake_start(&r, 1);
	cfg.url = fake_url(fs);
	cr_assert_eq(engine_new(&eng, &cfg, &err), 0, "%s", err.msg);
	t0 = now_ms();
	cr_assert_eq(engine_ping(eng, NULL, &err), DIAG_ETRANSPORT);
	cr_assert_lt(now_ms() - t0, 1000);
	cr_assert(strstr(err.msg, "within 400 ms"), "%s", err.msg);
}

Test(engine_fake, ping_without_version_header_asks_for_version)
{
	struct engine_ping_info pi;
	struct engine_image_info ii;
	struct diag err = {0};
	char target[1024];
	struct engine *e =
		FAKE(0, NULL, {.path = "/_ping", .fixture = "ping_bare.http"},
		     {.path = "/version", .fixture = "version.http"},
		     {.path = "/images/", .fixture = "image_inspect.http"});

	cr_assert_eq(engine_ping(e, &pi, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pi.api_version, "1.41");
	cr_assert_str_eq(pi.negotiated, "1.41");
	cr_assert_str_eq(pi.os, "linux");
	cr_assert_eq(engine_image_inspect(e, "busybox", &ii, &err), 0, "%s",
		     err.msg);
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert_str_eq(target, "/v1.41/images/busybox/json");
}

Test(engine_fake, version_info_is_parsed)
{
	struct engine_version_info vi;
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, {.path = "/version", .fixture = "version.http"});

	cr_assert_eq(engine_version(e, &vi, &err), 0, "%s", err.msg);
	cr_assert_str_eq(vi.api_version, "1.41");
	cr_assert_str_eq(vi.min_api_version, "1.12");
	cr_assert_str_eq(vi.os, "linux");
	cr_assert_str_eq(vi.arch, "amd64");
	cr_assert(strstr(vi.version, "20.10"), "%s", vi.version);
}

static void count_image(void *ud,
			int rc,
			const struct engine_image_info *ii,
			const struct diag *err)
{
	(void)ii;
	(void)err;
	if (!rc)
		(*(int *)ud)++;
}

Test(engine_fake, negotiation_does_not_depend_on_another_loop)
{
	struct engine_loop *a = engine_loop_new(), *b = engine_loop_new();
	int ok_a = 0, ok_b = 0;
	struct engine *e =
		FAKE(0, NULL, PING,
		     {.path = "/images/", .fixture = "image_inspect.http"});

	engine_image_inspect_async(a, e, "busybox", count_image, &ok_a);
	engine_image_inspect_async(b, e, "busybox", count_image, &ok_b);
	/* Loop a is never stepped while b runs: b pings by itself. */
	cr_assert_eq(engine_loop_run(b, 5000), 0);
	cr_assert_eq(ok_b, 1);
	cr_assert_eq(ok_a, 0);
	cr_assert_eq(engine_loop_run(a, 5000), 0);
	cr_assert_eq(ok_a, 1);
	engine_loop_free(a);
	engine_loop_free(b);
}

Test(engine_fake, failed_negotiation_is_retried_by_later_calls)
{
	struct engine_image_info ii;
	struct diag err = {0};
	struct engine *e =
		FAKE(0, NULL, {.path = "/_ping", .mode = FAKE_CLOSE},
		     {.path = "/images/", .fixture = "image_inspect.http"});

	cr_assert_eq(engine_image_inspect(e, "busybox", &ii, &err),
		     DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg, "GET /_ping"), "%s", err.msg);
	cr_assert_eq(engine_image_inspect(e, "busybox", &ii, &err),
		     DIAG_ETRANSPORT);
	/* Two calls, two negotiation attempts, no image request. */
	cr_assert_eq(fake_requests(fs), 2);
}

/* --dry-run: changes are answered here; reads still go to the daemon. */
Test(engine_fake, dry_run_sends_no_change)
{
	struct engine *e = FAKE(0, NULL, PING);
	struct engine_network_spec spec = {.name = "n"};
	struct engine_ping_info pi;
	struct diag err = {0};
	char id[80];
	int sent;

	cr_assert_eq(engine_ping(e, &pi, &err), 0, "%s", err.msg);
	sent = fake_requests(fs);
	engine_dry_run_set(true);
	cr_assert_eq(engine_network_create(e, &spec, id, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(strncmp(id, "dry-run-", 8), 0, "%s", id);
	cr_assert_eq(engine_container_remove(e, "c1", true, true, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(fake_requests(fs), sent, "a change was sent");
	/* A read goes out. */
	cr_assert_eq(engine_ping(e, &pi, &err), 0, "%s", err.msg);
	cr_assert_gt(fake_requests(fs), sent);
	engine_dry_run_set(false);
	sent = fake_requests(fs);
	engine_container_remove(e, "c1", true, true, &err);
	cr_assert_gt(fake_requests(fs), sent, "the change was not sent");
}
