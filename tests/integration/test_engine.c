/*
 * The engine against the real lab daemons (lab/mixlab up): "linux" at
 * unix:///run/mixlab/linux.sock and the "windows" stand-in at
 * unix:///run/mixlab/windows.sock, both with local/busybox:lab.  Every
 * container, network and volume made here carries the label
 * io.mixcompose.test=engine-PID and is removed by the fini hooks, even when a
 * test fails half-way.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "lab_util.h"
#include "util/sbuf.h"
#include "util/sha256.h"

#define LINUX_URL "unix:///run/mixlab/linux.sock"
#define WINDOWS_URL "unix:///run/mixlab/windows.sock"
#define IMAGE "local/busybox:lab"
#define TEST_LABEL "io.mixcompose.test"

/*
 * The label's value: "engine-PID", one per test process, so that two runs
 * of this suite on the shared lab (two people, two worktrees) never remove
 * each other's objects.
 */
static const char *tag(void)
{
	static char v[32];

	snprintf(v, sizeof(v), "engine-%ld", (long)getpid());
	return v;
}

static const char *tag_filter(void)
{
	static char v[64];

	snprintf(v, sizeof(v), TEST_LABEL "=%s", tag());
	return v;
}
#define TLS_DIR "/run/mixlab/tls"
#define TLS_URL "tcp://127.0.0.1:23760"

static const struct {
	const char *name;
	const char *url;
} lab[] = {{"linux", LINUX_URL}, {"windows", WINDOWS_URL}};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct engine *lab_engine(const char *name, const char *url)
{
	struct engine_config cfg = {.name = name, .url = url};
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	return e;
}

/* Removes whatever a test left behind on both daemons. */
static void cleanup_lab(void)
{
	struct engine_kv f[] = {{"label", tag_filter()}};
	struct engine_filters fl = {f, 1};

	for (size_t i = 0; i < 2; i++) {
		struct engine *e = lab_engine(lab[i].name, lab[i].url);
		struct engine_container_list *cl = NULL;
		struct engine_network_list *nl = NULL;
		struct engine_volume_list *vl = NULL;
		struct diag err = {0};
		char ref[128];

		if (!engine_container_list(e, &fl, &cl, &err))
			for (size_t j = 0; j < cl->n; j++)
				engine_container_remove(e, cl->items[j].id,
							true, true, &err);
		if (!engine_network_list(e, &fl, &nl, &err))
			for (size_t j = 0; j < nl->n; j++)
				engine_network_remove(e, nl->items[j].id, &err);
		if (!engine_volume_list(e, &fl, &vl, &err))
			for (size_t j = 0; j < vl->n; j++)
				engine_volume_remove(e, vl->items[j].name, true,
						     &err);
		engine_container_list_free(cl);
		engine_network_list_free(nl);
		engine_volume_list_free(vl);
		snprintf(ref, sizeof(ref), "local/mixtest-import:%d",
			 (int)getpid());
		engine_image_remove(e, ref, true, &err);
		engine_free(e);
	}
}

/* ---- Negotiation and ping ----------------------------------------------- */

Test(integration_engine, ping_negotiates_on_both_daemons)
{
	for (size_t i = 0; i < 2; i++) {
		struct engine *e = lab_engine(lab[i].name, lab[i].url);
		struct engine_ping_info pi;
		struct engine_version_info vi;
		struct engine_system_info si;
		struct diag err = {0};

		cr_assert_eq(engine_ping(e, &pi, &err), 0, "%s", err.msg);
		cr_assert_str_eq(pi.os, "linux");
		cr_assert(strncmp(pi.server, "Docker/", 7) == 0, "%s",
			  pi.server);
		cr_assert_str_eq(pi.negotiated, engine_api_version(e));
		cr_assert(engine_api_at_least(e, 1, 40));
		cr_assert_eq(engine_version(e, &vi, &err), 0, "%s", err.msg);
		cr_assert_str_eq(vi.api_version, pi.api_version);
		cr_assert_eq(engine_info(e, &si, &err), 0, "%s", err.msg);
		cr_assert_str_eq(si.os_type, "linux");
		cr_assert_gt(si.ncpu, 0);
		cr_assert_gt(si.mem_total, 0);
		engine_free(e);
	}
}

Test(integration_engine, thousand_pings_one_connection)
{
	struct engine *e = lab_engine("linux", LINUX_URL);
	struct diag err = {0};
	long t0 = now_ms();

	for (int i = 0; i < 1000; i++)
		cr_assert_eq(engine_ping(e, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_connects(e), 1);
	cr_assert_lt(now_ms() - t0, 5000);
	engine_free(e);
}

Test(integration_engine, forced_api_version_is_used)
{
	struct engine_config cfg = {
		.name = "linux", .url = LINUX_URL, .api_version = "1.40"};
	struct engine_image_info ii;
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_image_inspect(e, IMAGE, &ii, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(engine_api_version(e), "1.40");
	cr_assert_str_eq(ii.os, "linux");
	engine_free(e);
}

/* ---- Container life cycle on each daemon -------------------------------- */

TestSuite(integration_engine_life, .fini = cleanup_lab);

struct split {
	struct sbuf out;
	struct sbuf err;
};

static int
split_fn(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	struct split *sp = ud;

	sbuf_add(s == ENGINE_STDERR ? &sp->err : &sp->out, p, n);
	return 0;
}

static void life_cycle(const char *name, const char *url)
{
	static const char *cmd[] = {"sh", "-c",
				    "echo hello-$MIX_WHO; echo oops >&2; "
				    "exec sleep 60"};
	char env0[64], cname[96], id[80];
	const char *env[] = {env0};
	struct engine_kv labels[] = {{TEST_LABEL, tag()}};
	struct engine_container_spec spec = {
		.image = IMAGE,
		.cmd = {cmd, 3},
		.env = {env, 1},
		.labels = labels,
		.n_labels = 1,
		.stop_timeout = 1,
		.init = -1,
		.hostname = "lifecycle",
	};
	const char *argv[] = {"sh", "-c", "hostname; exit 3", NULL};
	struct engine_logs_opts lo = {0};
	struct engine_container_info *ci = NULL;
	struct engine *e = lab_engine(name, url);
	struct split sp = {SBUF_INIT, SBUF_INIT};
	struct diag err = {0};
	char *output = NULL;
	int code = -1;

	snprintf(env0, sizeof(env0), "MIX_WHO=%s", name);
	snprintf(cname, sizeof(cname), "mixtest-engine-%d-%s", (int)getpid(),
		 name);
	cr_assert_eq(
		engine_container_create(e, cname, "linux", &spec, id, &err), 0,
		"%s", err.msg);
	cr_assert_eq(engine_container_start(e, id, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_container_inspect(e, cname, &ci, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(ci->id, id);
	cr_assert_str_eq(ci->name, cname);
	cr_assert(ci->running);
	cr_assert_str_eq(ci->os, "linux");
	cr_assert_str_eq(ci->hostname, "lifecycle");
	cr_assert_str_eq(engine_container_label(ci, TEST_LABEL), tag());
	engine_container_info_free(ci);

	cr_assert_eq(engine_exec_run(e, id, argv, NULL, &code, &output, &err),
		     0, "%s", err.msg);
	cr_assert_eq(code, 3);
	cr_assert_str_eq(output, "lifecycle\n");
	free(output);

	/* The logs arrive framed; demuxed they are stdout and stderr. */
	for (int tries = 0; tries < 50; tries++) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		sbuf_reset(&sp.out);
		sbuf_reset(&sp.err);
		cr_assert_eq(
			engine_container_logs(e, id, &lo, split_fn, &sp, &err),
			0, "%s", err.msg);
		if (strstr(sp.err.buf, "oops"))
			break;
		nanosleep(&ts, NULL);
	}
	cr_assert_str_eq(sp.err.buf, "oops\n");
	cr_assert(strstr(sp.out.buf, "hello-"), "%s", sp.out.buf);
	cr_assert(strstr(sp.out.buf, name), "%s", sp.out.buf);
	sbuf_release(&sp.out);
	sbuf_release(&sp.err);

	cr_assert_eq(engine_container_stop(e, id, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_container_wait(e, id, "not-running", &code, &err),
		     0, "%s", err.msg);
	cr_assert_eq(engine_container_inspect(e, id, &ci, &err), 0, "%s",
		     err.msg);
	cr_assert_not(ci->running);
	cr_assert_str_eq(ci->status, "exited");
	engine_container_info_free(ci);
	cr_assert_eq(engine_container_remove(e, id, false, true, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(engine_container_inspect(e, id, &ci, &err),
		     DIAG_ENOTFOUND);
	engine_free(e);
}

Test(integration_engine_life, create_start_inspect_exec_remove_linux)
{
	life_cycle("linux", LINUX_URL);
}

Test(integration_engine_life, create_start_inspect_exec_remove_windows)
{
	life_cycle("windows", WINDOWS_URL);
}

Test(integration_engine_life, logs_demux_stdout_and_stderr)
{
	static const char *cmd[] = {"sh", "-c", "echo to-out; echo to-err >&2"};
	struct engine_kv labels[] = {{TEST_LABEL, tag()}};
	struct engine_container_spec spec = {.image = IMAGE,
					     .cmd = {cmd, 3},
					     .labels = labels,
					     .n_labels = 1,
					     .stop_timeout = -1,
					     .init = -1};
	struct split sp = {SBUF_INIT, SBUF_INIT};
	struct engine_logs_opts lo = {.follow = true};
	struct engine *e = lab_engine("linux", LINUX_URL);
	struct diag err = {0};
	char id[80];
	int code = -1;

	cr_assert_eq(engine_container_create(e, NULL, NULL, &spec, id, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(engine_container_start(e, id, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_container_wait(e, id, NULL, &code, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(code, 0);
	/* follow on an exited container returns once the backlog is out. */
	cr_assert_eq(engine_container_logs(e, id, &lo, split_fn, &sp, &err), 0,
		     "%s", err.msg);
	cr_assert_str_eq(sp.out.buf, "to-out\n");
	cr_assert_str_eq(sp.err.buf, "to-err\n");
	sbuf_release(&sp.out);
	sbuf_release(&sp.err);
	engine_free(e);
}

Test(integration_engine_life, tty_logs_are_raw)
{
	static const char *cmd[] = {"sh", "-c", "echo tty-line"};
	struct engine_kv labels[] = {{TEST_LABEL, tag()}};
	struct engine_container_spec spec = {.image = IMAGE,
					     .cmd = {cmd, 3},
					     .labels = labels,
					     .n_labels = 1,
					     .stop_timeout = -1,
					     .init = -1,
					     .tty = true};
	struct split sp = {SBUF_INIT, SBUF_INIT};
	struct engine_logs_opts lo = {.tty = true};
	struct engine *e = lab_engine("windows", WINDOWS_URL);
	struct diag err = {0};
	char id[80];
	int code = -1;

	cr_assert_eq(engine_container_create(e, NULL, NULL, &spec, id, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(engine_container_start(e, id, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_container_wait(e, id, NULL, &code, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(engine_container_logs(e, id, &lo, split_fn, &sp, &err), 0,
		     "%s", err.msg);
	cr_assert_str_eq(sp.out.buf, "tty-line\r\n");
	sbuf_release(&sp.out);
	sbuf_release(&sp.err);
	engine_free(e);
}

Test(integration_engine_life, list_by_label_and_network_with_ipam)
{
	static const char *cmd[] = {"sleep", "60"};
	static const char *aliases[] = {"webby"};
	struct engine_kv labels[] = {{TEST_LABEL, tag()}};
	char net[64], id[80], netid[80];
	struct engine_ipam ipam = {.subnet = "172.30.250.0/24",
				   .gateway = "172.30.250.1"};
	struct engine_network_spec ns = {.name = net,
					 .labels = labels,
					 .n_labels = 1,
					 .ipam = &ipam,
					 .n_ipam = 1};
	struct engine_endpoint ep = {.network = net,
				     .aliases = {aliases, 1},
				     .ipv4_address = "172.30.250.10"};
	struct engine_container_spec spec = {.image = IMAGE,
					     .cmd = {cmd, 2},
					     .labels = labels,
					     .n_labels = 1,
					     .stop_timeout = -1,
					     .init = -1,
					     .endpoints = &ep,
					     .n_endpoints = 1};
	struct engine_kv f[] = {{"label", tag_filter()}};
	struct engine_filters fl = {f, 1};
	struct engine_container_list *cl = NULL;
	struct engine_network_info *ni = NULL;
	struct engine_container_info *ci = NULL;
	struct engine *e = lab_engine("linux", LINUX_URL);
	struct diag err = {0};

	snprintf(net, sizeof(net), "mixtest-engine-net-%d", (int)getpid());
	cr_assert_eq(engine_network_create(e, &ns, netid, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(engine_container_create(e, NULL, NULL, &spec, id, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(engine_container_start(e, id, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_container_inspect(e, id, &ci, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(engine_container_ip(ci, net), "172.30.250.10");
	engine_container_info_free(ci);
	cr_assert_eq(engine_network_inspect(e, net, &ni, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(ni->id, netid);
	cr_assert_eq(ni->n_ipam, 1);
	cr_assert_str_eq(ni->ipam[0].subnet, "172.30.250.0/24");
	cr_assert_eq(ni->n_containers, 1);
	cr_assert_str_eq(ni->containers[0].value, "172.30.250.10/24");
	engine_network_info_free(ni);
	cr_assert_eq(engine_container_list(e, &fl, &cl, &err), 0, "%s",
		     err.msg);
	cr_assert_geq(cl->n, 1);
	cr_assert_str_eq(cl->items[0].state, "running");
	engine_container_list_free(cl);
	cr_assert_eq(engine_container_remove(e, id, true, false, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(engine_network_remove(e, net, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_network_inspect(e, net, &ni, &err), DIAG_ENOTFOUND);
	engine_free(e);
}

Test(integration_engine_life, volumes_create_list_remove)
{
	struct engine_kv labels[] = {{TEST_LABEL, tag()}};
	struct engine_volume_spec vs = {.labels = labels, .n_labels = 1};
	struct engine_kv f[] = {{"label", tag_filter()}};
	struct engine_filters fl = {f, 1};
	struct engine_volume_list *vl = NULL;
	struct engine *e = lab_engine("windows", WINDOWS_URL);
	struct diag err = {0};
	char name[256];
	bool seen = false;

	snprintf(name, sizeof(name), "mixtest-engine-vol-%d", (int)getpid());
	vs.name = name;
	cr_assert_eq(engine_volume_create(e, &vs, name, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(engine_volume_list(e, &fl, &vl, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < vl->n; i++)
		seen |= !strcmp(vl->items[i].name, name);
	cr_assert(seen);
	engine_volume_list_free(vl);
	cr_assert_eq(engine_volume_remove(e, name, false, &err), 0, "%s",
		     err.msg);
	engine_free(e);
}

/* Many requests in flight on both daemons from one loop. */
struct created {
	int done;
	int failed;
	char ids[8][80];
};

static void on_created(void *ud, int rc, const char *id, const struct diag *err)
{
	struct created *c = ud;

	if (rc) {
		c->failed++;
		fprintf(stderr, "%s\n", err->msg);
	} else {
		snprintf(c->ids[c->done], 80, "%s", id);
	}
	c->done++;
}

static void on_removed(void *ud, int rc, const struct diag *err)
{
	(void)err;
	if (rc)
		(*(int *)ud)++;
}

Test(integration_engine_life, async_creates_across_daemons)
{
	static const char *cmd[] = {"true"};
	struct engine_kv labels[] = {{TEST_LABEL, tag()}};
	struct engine_container_spec spec = {.image = IMAGE,
					     .cmd = {cmd, 1},
					     .labels = labels,
					     .n_labels = 1,
					     .stop_timeout = -1,
					     .init = -1};
	struct engine *es[2] = {lab_engine("linux", LINUX_URL),
				lab_engine("windows", WINDOWS_URL)};
	struct created c[2] = {{0}, {0}};
	struct engine_loop *l = engine_loop_new();
	int rmfail = 0;

	for (int i = 0; i < 8; i++)
		engine_container_create_async(l, es[i % 2], NULL, "linux",
					      &spec, on_created, &c[i % 2]);
	cr_assert_geq(engine_loop_pending(l), 8);
	cr_assert_eq(engine_loop_run(l, 60000), 0);
	cr_assert_eq(c[0].done + c[1].done, 8);
	cr_assert_eq(c[0].failed + c[1].failed, 0);
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < c[d].done; i++)
			engine_container_remove_async(l, es[d], c[d].ids[i],
						      true, false, on_removed,
						      &rmfail);
	cr_assert_eq(engine_loop_run(l, 60000), 0);
	cr_assert_eq(rmfail, 0);
	engine_loop_free(l);
	engine_free(es[0]);
	engine_free(es[1]);
}

/* ---- Errors ------------------------------------------------------------- */

Test(integration_engine, pull_of_missing_image_gives_the_daemon_error)
{
	struct engine *e = lab_engine("linux", LINUX_URL);
	struct diag err = {0};
	int rc = engine_image_pull(e, "mixcompose/does-not-exist",
				   "linux/amd64", NULL, NULL, &err);

	cr_assert_eq(rc, DIAG_EENGINE, "%d %s", rc, err.msg);
	cr_assert(strstr(err.msg,
			 "daemon 'linux': POST /v1.41/images/create?"
			 "fromImage=mixcompose%2Fdoes-not-exist&tag=latest"),
		  "%s", err.msg);
	/* No registry here: the daemon says why, after the status. */
	cr_assert(strstr(err.msg, ": 500 Internal Server Error: ") ||
			  strstr(err.msg, ": 404 Not Found: "),
		  "%s", err.msg);
	engine_free(e);
}

Test(integration_engine, create_from_missing_image_is_not_found)
{
	struct engine_container_spec spec = {
		.image = "mixcompose/nope:1", .stop_timeout = -1, .init = -1};
	struct engine *e = lab_engine("windows", WINDOWS_URL);
	struct diag err = {0};
	struct engine_image_info ii;
	char id[80];

	cr_assert_eq(engine_image_inspect(e, "mixcompose/nope:1", &ii, &err),
		     DIAG_ENOTFOUND);
	cr_assert_eq(engine_container_create(e, NULL, NULL, &spec, id, &err),
		     DIAG_ENOTFOUND);
	/* The lab's windows daemon may be 20.10 (API 1.41) or 26.1 (1.45). */
	cr_assert(strstr(err.msg, "daemon 'windows': POST /v1.4"), "%s",
		  err.msg);
	cr_assert(strstr(err.msg,
			 "/containers/create: "
			 "404 Not Found: No such image: mixcompose/nope:1"),
		  "%s", err.msg);
	engine_free(e);
}

struct timed {
	int rc;
	long at;
	char msg[2048];
};

static void timed_ping(void *ud,
		       int rc,
		       const struct engine_ping_info *pi,
		       const struct diag *err)
{
	struct timed *t = ud;

	(void)pi;
	t->rc = rc;
	t->at = now_ms();
	if (err)
		snprintf(t->msg, sizeof(t->msg), "%s", err->msg);
}

Test(integration_engine, stopped_daemon_fails_fast_and_alone)
{
	struct engine_config dead_unix = {.name = "gone",
					  .url = "unix:///run/mixlab/gone.sock",
					  .connect_timeout_ms = 2000};
	struct engine_config dead_tcp = {.name = "closed",
					 .url = "tcp://127.0.0.1:1",
					 .connect_timeout_ms = 2000};
	struct engine *live = lab_engine("linux", LINUX_URL), *du, *dt;
	struct engine_loop *l = engine_loop_new();
	struct timed t[3] = {{1, 0, ""}, {1, 0, ""}, {1, 0, ""}};
	struct diag err = {0};
	long t0;

	cr_assert_eq(engine_new(&du, &dead_unix, &err), 0);
	cr_assert_eq(engine_new(&dt, &dead_tcp, &err), 0);
	t0 = now_ms();
	engine_ping_async(l, du, timed_ping, &t[0]);
	engine_ping_async(l, dt, timed_ping, &t[1]);
	engine_ping_async(l, live, timed_ping, &t[2]);
	cr_assert_eq(engine_loop_run(l, 10000), 0);
	cr_assert_eq(t[2].rc, 0);
	cr_assert_lt(t[2].at - t0, 1000);
	cr_assert_eq(t[0].rc, DIAG_ETRANSPORT);
	cr_assert(strstr(t[0].msg,
			 "daemon 'gone': GET /_ping: cannot connect to "
			 "unix:///run/mixlab/gone.sock: "),
		  "%s", t[0].msg);
	cr_assert_eq(t[1].rc, DIAG_ETRANSPORT);
	cr_assert(strstr(t[1].msg,
			 "daemon 'closed': GET /_ping: cannot connect to "
			 "tcp://127.0.0.1:1: "),
		  "%s", t[1].msg);
	cr_assert_lt(t[0].at - t0, 2500);
	cr_assert_lt(t[1].at - t0, 2500);
	engine_loop_free(l);
	engine_free(live);
	engine_free(du);
	engine_free(dt);
}

/* ---- TLS: a real handshake with the lab's TLS daemon -------------------- */

static bool tls_started_here;

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool tls_answers(void)
{
	struct engine_config cfg = {.name = "tls",
				    .url = TLS_URL,
				    .tls = true,
				    .tls_verify = true,
				    .cert_path = TLS_DIR,
				    .connect_timeout_ms = 2000};
	struct engine *e = NULL;
	struct diag err = {0};
	bool ok = engine_new(&e, &cfg, &err) == 0 &&
		  engine_ping(e, NULL, &err) == 0;

	engine_free(e);
	return ok;
}

/* Starts the lab's TLS daemon unless it runs (then it is not ours to stop). */
static void tls_init(void)
{
	struct sbuf out = SBUF_INIT;

	if (tls_answers())
		return;
	if (lab_sh(&out, "%s/lab/mixlab tls-up", SOURCE_DIR) == 0)
		tls_started_here = true;
	/* Another caller may have started it meanwhile: what counts is that
	 * it answers. */
	cr_assert(tls_answers(), "lab/mixlab tls-up failed:\n%s", out.buf);
	sbuf_release(&out);
}

static void tls_fini(void)
{
	char cmd[1024];

	if (!tls_started_here)
		return;
	snprintf(cmd, sizeof(cmd), "%s/lab/mixlab tls-down >/dev/null 2>&1",
		 SOURCE_DIR);
	run(cmd);
	tls_started_here = false;
}

TestSuite(integration_engine_tls, .init = tls_init, .fini = tls_fini);

Test(integration_engine_tls, verified_handshake_works)
{
	struct engine_config cfg = {.name = "tls",
				    .url = TLS_URL,
				    .tls = true,
				    .tls_verify = true,
				    .cert_path = TLS_DIR};
	struct engine_ping_info pi;
	struct engine_system_info si;
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_ping(e, &pi, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pi.os, "linux");
	cr_assert_eq(engine_info(e, &si, &err), 0, "%s", err.msg);
	cr_assert_str_eq(si.os_type, "linux");
	engine_free(e);
}

Test(integration_engine_tls, wrong_ca_is_refused)
{
	struct engine_config cfg = {.name = "tls",
				    .url = TLS_URL,
				    .tls = true,
				    .tls_verify = true,
				    .cert_path = TLS_DIR "/wrong"};
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_ping(e, NULL, &err), DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg,
			 "daemon 'tls': GET /_ping: cannot connect to " TLS_URL
			 ": "),
		  "%s", err.msg);
	engine_free(e);
}

Test(integration_engine_tls, plain_http_to_tls_port_is_an_error)
{
	struct engine_config cfg = {
		.name = "tls", .url = TLS_URL, .request_timeout_ms = 3000};
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_neq(engine_ping(e, NULL, &err), 0);
	cr_assert(strstr(err.msg, "daemon 'tls': GET /_ping: "), "%s", err.msg);
	engine_free(e);
}

Test(integration_engine_tls, docker_host_and_tls_variables_give_the_default)
{
	char *env[] = {"DOCKER_HOST=" TLS_URL, "DOCKER_TLS_VERIFY=1",
		       "DOCKER_CERT_PATH=" TLS_DIR, NULL};
	struct engine_registry_opts o = {.environ_ = env,
					 .docker_config = "/nonexistent"};
	struct engine_registry *r = NULL;
	struct engine_daemon *d;
	struct diag err = {0};

	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	engine_registry_probe(r, &err);
	d = engine_registry_find(r, "default");
	cr_assert_not_null(d);
	cr_assert(d->tls && d->tls_verify);
	cr_assert(d->reachable, "%s", d->error);
	cr_assert_str_eq(d->os, "linux");
	engine_registry_free(r);
}

/* tlsverify=true alone takes DOCKER_CERT_PATH's files, as the docker CLI. */
Test(integration_engine_tls, tlsverify_flag_alone_uses_docker_cert_path)
{
	char *env[] = {"DOCKER_CERT_PATH=" TLS_DIR, NULL};
	const char *flags[] = {"tls=" TLS_URL ",tlsverify=true"};
	struct engine_registry_opts o = {.flags = flags,
					 .n_flags = 1,
					 .environ_ = env,
					 .docker_config = "/nonexistent"};
	struct engine_registry *r = NULL;
	struct engine_daemon *d;
	struct diag err = {0};

	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	engine_registry_probe(r, &err);
	d = engine_registry_find(r, "tls");
	cr_assert(d->tls && d->tls_verify);
	cr_assert(d->reachable, "%s", d->error);
	engine_registry_free(r);
}

/* Without DOCKER_CERT_PATH the default dir lacks the files: named. */
Test(integration_engine_tls, tlsverify_flag_without_files_names_the_file)
{
	char *env[] = {"HOME=/nonexistent", NULL};
	const char *flags[] = {"tls=" TLS_URL ",tlsverify=true"};
	struct engine_registry_opts o = {.flags = flags,
					 .n_flags = 1,
					 .environ_ = env,
					 .docker_config =
						 "/nonexistent/.docker"};
	struct engine_registry *r = NULL;
	struct engine_daemon *d;
	struct diag err = {0};

	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	engine_registry_probe(r, &err);
	d = engine_registry_find(r, "tls");
	cr_assert_not(d->reachable);
	cr_assert(strstr(d->error, "daemon 'tls': could not read CA "
				   "certificate '/nonexistent/.docker/ca.pem'"),
		  "%s", d->error);
	engine_registry_free(r);
}

/* ---- The registry on the lab -------------------------------------------- */

Test(integration_engine, registry_probes_the_lab_map)
{
	char *env[] = {"MIXCOMPOSE_DAEMON_LINUX=" LINUX_URL ",os=linux",
		       "MIXCOMPOSE_DAEMON_WINDOWS=" WINDOWS_URL
		       ",os=windows,lab=true",
		       NULL};
	struct engine_registry_opts o = {.environ_ = env,
					 .docker_config = "/nonexistent"};
	struct engine_registry *r = NULL;
	struct engine_daemon *l, *w;
	struct diag err = {0};

	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_registry_probe(r, &err), 0);
	l = engine_registry_find(r, "linux");
	w = engine_registry_find(r, "windows");
	cr_assert(l->reachable && !l->error, "%s", l->error);
	cr_assert(w->reachable && !w->error, "%s", w->error);
	cr_assert_str_eq(l->os, "linux");
	cr_assert_str_eq(w->os, "windows");
	cr_assert(w->stand_in);
	cr_assert_str_eq(l->arch, "amd64");
	cr_assert_str_eq(l->api_version, "1.41");
	cr_assert_not_null(engine_registry_engine(r, l, &err));
	engine_registry_free(r);
}

Test(integration_engine, context_from_a_temporary_docker_config)
{
	char dir[64] = "/tmp/mixctx.XXXXXX", hex[SHA256_HEX_LEN + 1];
	char path[512], cmd[600];
	const char *flags[] = {"lx=context:labctx"};
	char *env[] = {NULL};
	struct engine_registry_opts o = {
		.flags = flags, .n_flags = 1, .environ_ = env};
	struct engine_registry *r = NULL;
	struct engine_daemon *d;
	struct diag err = {0};
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	sha256_hex(hex, "labctx", 6);
	snprintf(path, sizeof(path), "mkdir -p %s/contexts/meta/%s", dir, hex);
	cr_assert_eq(run(path), 0);
	snprintf(path, sizeof(path), "%s/contexts/meta/%s/meta.json", dir, hex);
	f = fopen(path, "w");
	fprintf(f,
		"{\"Name\":\"labctx\",\"Metadata\":{},\"Endpoints\":{"
		"\"docker\":"
		"{\"Host\":\"%s\",\"SkipTLSVerify\":false}}}",
		LINUX_URL);
	fclose(f);
	o.docker_config = dir;
	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	engine_registry_probe(r, &err);
	d = engine_registry_find(r, "lx");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	cr_assert_str_eq(d->url, LINUX_URL);
	cr_assert_str_eq(d->context, "labctx");
	cr_assert(d->reachable, "%s", d->error);
	cr_assert_str_eq(d->os, "linux");
	engine_registry_free(r);
}

Test(integration_engine, daemons_command_lists_the_lab)
{
	char cmd[1024], buf[8192];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "cd /tmp && MIXCOMPOSE_DAEMON_LINUX=%s,os=linux "
		 "MIXCOMPOSE_DAEMON_WINDOWS=%s,os=windows,lab=true "
		 "%s daemons --format json",
		 LINUX_URL, WINDOWS_URL, MIXCOMPOSE_BIN);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	cr_assert_eq(WEXITSTATUS(st), 0, "%s", buf);
	cr_assert(strstr(buf, "\"name\": \"linux\""), "%s", buf);
	cr_assert(strstr(buf, "\"name\": \"windows\""), "%s", buf);
	cr_assert(strstr(buf, "\"os\": \"windows\""), "%s", buf);
	cr_assert(strstr(buf, "\"stand_in\": true"), "%s", buf);
	cr_assert(strstr(buf, "\"api_version\": \"1.41\""), "%s", buf);
	cr_assert_null(strstr(buf, "\"reachable\": false"), "%s", buf);
}

Test(integration_engine, daemons_command_fails_on_an_unreachable_daemon)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cd /tmp && %s --daemon linux=%s --daemon "
		 "gone=unix:///run/mixlab/"
		 "gone.sock daemons >/dev/null 2>&1",
		 MIXCOMPOSE_BIN, LINUX_URL);
	cr_assert_eq(run(cmd), 1);
}

Test(integration_engine, daemons_command_reads_the_compose_declarations)
{
	char cmd[1024], buf[8192];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "cd /tmp && env -u MIXCOMPOSE_DAEMON_LINUX -u "
		 "MIXCOMPOSE_DAEMON_WINDOWS "
		 "%s -f %s/samples/lab/compose.yaml daemons",
		 MIXCOMPOSE_BIN, SOURCE_DIR);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	cr_assert_eq(WEXITSTATUS(st), 0, "%s", buf);
	cr_assert(strstr(buf, "NAME       ENDPOINT"), "%s", buf);
	cr_assert(strstr(buf, "unix:///run/mixlab/windows.sock"), "%s", buf);
	cr_assert(strstr(buf, " file     windows/amd64* "), "%s", buf);
	cr_assert(strstr(buf, "a lab stand-in; reports linux"), "%s", buf);
}

/* A tar of a one-file root fs, imported through POST /images/create. */
Test(integration_engine_life, import_a_tar_stream)
{
	static const char *changes_v[] = {
		"CMD [\"/bin/busybox\", \"echo\", \"imported\"]",
		"LABEL " TEST_LABEL "=engine"};
	struct engine_strv changes = {changes_v, 2};
	struct engine *e = lab_engine("linux", LINUX_URL);
	struct engine_image_info ii;
	struct diag err = {0};
	char ref[128], cmd[512], id[96];
	FILE *tar;

	snprintf(ref, sizeof(ref), "local/mixtest-import:%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "d=$(mktemp -d) && mkdir $d/bin && cp /bin/busybox $d/bin/ && "
		 "tar -C $d -c . && rm -rf $d");
	tar = popen(cmd, "r");
	cr_assert_not_null(tar);
	cr_assert_eq(engine_image_import(e, tar, ref, &changes, id, &err), 0,
		     "%s", err.msg);
	pclose(tar);
	cr_assert(strncmp(id, "sha256:", 7) == 0, "%s", id);
	cr_assert_eq(engine_image_inspect(e, ref, &ii, &err), 0, "%s", err.msg);
	cr_assert_str_eq(ii.id, id);
	cr_assert_str_eq(ii.os, "linux");
	cr_assert_eq(engine_image_remove(e, ref, true, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_image_inspect(e, ref, &ii, &err), DIAG_ENOTFOUND);
	engine_free(e);
}

/* ---- ssh: a throwaway sshd on 127.0.0.1, as in LAB-NOTES ---------------- */

static char ssh_dir[64];
static int ssh_port;
static char ssh_opts[512];

static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void sshd_init(void)
{
	char cmd[2048], path[256];
	FILE *f;

	snprintf(ssh_dir, sizeof(ssh_dir), "/tmp/mixssh.XXXXXX");
	cr_assert_not_null(mkdtemp(ssh_dir));
	ssh_port = free_port();
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; ssh-keygen -q -t ed25519 -N '' -f hostkey; "
		 "ssh-keygen -q -t ed25519 -N '' -f id; cp id.pub "
		 "authorized_keys; "
		 "mkdir -p /run/sshd",
		 ssh_dir);
	cr_assert_eq(run(cmd), 0);
	snprintf(path, sizeof(path), "%s/sshd_config", ssh_dir);
	f = fopen(path, "w");
	fprintf(f,
		"Port %d\nListenAddress 127.0.0.1\nHostKey %s/hostkey\n"
		"AuthorizedKeysFile %s/authorized_keys\nPidFile %s/sshd.pid\n"
		"UsePAM no\nStrictModes no\nPasswordAuthentication no\n"
		"PermitRootLogin prohibit-password\n",
		ssh_port, ssh_dir, ssh_dir, ssh_dir);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/sshd -f %s/sshd_config", ssh_dir);
	cr_assert_eq(run(cmd), 0);
	snprintf(ssh_opts, sizeof(ssh_opts),
		 "-i %s/id -o StrictHostKeyChecking=no -o "
		 "UserKnownHostsFile=/dev/null "
		 "-o BatchMode=yes -o LogLevel=ERROR",
		 ssh_dir);
	for (int i = 0; i < 50; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		struct stat st;

		snprintf(path, sizeof(path), "%s/sshd.pid", ssh_dir);
		if (stat(path, &st) == 0)
			break;
		nanosleep(&ts, NULL);
	}
}

static void sshd_fini(void)
{
	char path[256], cmd[300];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/sshd.pid", ssh_dir);
	f = fopen(path, "r");
	if (f && fscanf(f, "%d", &pid) == 1 && pid > 1)
		kill(pid, SIGTERM);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ssh_dir);
	run(cmd);
}

TestSuite(integration_engine_ssh, .init = sshd_init, .fini = sshd_fini);

static struct engine *ssh_engine(const char *sock)
{
	char url[256];
	struct engine_config cfg = {
		.name = "viassh", .url = url, .ssh_opts = ssh_opts};
	struct engine *e = NULL;
	struct diag err = {0};

	snprintf(url, sizeof(url), "ssh://root@127.0.0.1:%d%s", ssh_port, sock);
	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	return e;
}

Test(integration_engine_ssh, pings_reuse_one_ssh_pipe)
{
	struct engine *e = ssh_engine("/run/mixlab/linux.sock");
	struct engine_ping_info pi;
	struct engine_container_info *ci = NULL;
	struct diag err = {0};

	for (int i = 0; i < 20; i++)
		cr_assert_eq(engine_ping(e, &pi, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pi.os, "linux");
	cr_assert_str_eq(pi.negotiated, "1.41");
	cr_assert_eq(engine_connects(e), 1);
	cr_assert_eq(engine_container_inspect(e, "mixcompose-nope", &ci, &err),
		     DIAG_ENOTFOUND);
	cr_assert(strstr(err.msg, "No such container: mixcompose-nope"), "%s",
		  err.msg);
	engine_free(e);
}

static int
ssh_sink(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	(void)s;
	sbuf_add(ud, p, n);
	return 0;
}

/* The hijacked exec stream through the ssh pipe: stdin in, EOF, code. */
Test(integration_engine_ssh, exec_stream_over_ssh)
{
	static const char *const cmd[] = {"sleep", "120"};
	static const char *const cat[] = {"sh", "-c", "cat; exit 6"};
	struct engine *e = ssh_engine("/run/mixlab/linux.sock");
	struct engine_container_spec spec;
	struct engine_exec_spec es = {.argv = {cat, 3}, .attach_stdin = true};
	struct engine_hijack *hj = NULL;
	struct sbuf out = SBUF_INIT;
	struct diag err = {0};
	char name[64], id[80], xid[80];
	int in[2], code = -1;
	struct engine_stdio io = {.out = ssh_sink, .out_ud = &out};

	engine_container_spec_init(&spec);
	spec.image = "local/busybox:lab";
	spec.cmd = (struct engine_strv){cmd, 2};
	spec.network_mode = "none";
	snprintf(name, sizeof(name), "ieng-sshexec-%ld", (long)getpid());
	cr_assert_eq(engine_container_create(e, name, NULL, &spec, id, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(engine_container_start(e, id, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_exec_create(e, id, &es, xid, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(write(in[1], "over ssh\n", 9), 9);
	close(in[1]);
	io.in_fd = in[0];
	cr_expect_eq(engine_exec_attach(&hj, e, xid, false, &err), 0, "%s",
		     err.msg);
	if (hj)
		cr_expect_eq(engine_hijack_pump(hj, &io, &err), 0, "%s",
			     err.msg);
	engine_hijack_free(hj);
	close(in[0]);
	cr_expect_str_eq(out.buf, "over ssh\n");
	for (int i = 0; i < 100; i++) {
		bool running = true;

		cr_assert_eq(engine_exec_inspect(e, xid, &code, &running, &err),
			     0, "%s", err.msg);
		if (!running)
			break;
		usleep(20000);
	}
	cr_expect_eq(code, 6);
	engine_container_remove(e, id, true, true, &err);
	engine_free(e);
	sbuf_release(&out);
}

Test(integration_engine_ssh, remote_socket_missing_says_why)
{
	struct engine *e = ssh_engine("/run/mixlab/nosuch.sock");
	struct diag err = {0};

	cr_assert_eq(engine_ping(e, NULL, &err), DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg, "cannot connect to ssh://root@127.0.0.1:"),
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "/run/mixlab/nosuch.sock"), "%s", err.msg);
	engine_free(e);
}

Test(integration_engine_ssh, refused_port_reports_ssh_error)
{
	struct engine_config cfg = {.name = "viassh", .ssh_opts = ssh_opts};
	struct engine *e = NULL;
	struct diag err = {0};
	char url[128];

	snprintf(url, sizeof(url), "ssh://root@127.0.0.1:%d", free_port());
	cfg.url = url;
	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_ping(e, NULL, &err), DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg, "Connection refused"), "%s", err.msg);
	engine_free(e);
}

/* ---- Builds over the remote transports ---------------------------------- */

/*
 * Builds a two-line image (FROM scratch: no base image needed, the TLS
 * daemon has none) through 'e', checks it is there and removes it.
 */
static void build_tiny(struct engine *e, const char *tag)
{
	char dir[] = "/tmp/mixc-rbuild-XXXXXX", cmd[512], id[96] = "";
	const char *tags[] = {tag};
	struct engine_build_spec sp = {.tags = {tags, 1}};
	struct engine_image_info info;
	struct diag err = {0};

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'FROM scratch\\nCOPY f.txt /f.txt\\n' > "
		 "Dockerfile && echo remote > f.txt",
		 dir);
	cr_assert_eq(run(cmd), 0);
	sp.ctx.dir = dir;
	cr_assert_eq(engine_image_build(e, &sp, NULL, NULL, id, &err), 0, "%s",
		     err.msg);
	cr_assert(!strncmp(id, "sha256:", 7), "%s", id);
	cr_assert_eq(engine_image_inspect(e, tag, &info, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(info.id, id);
	cr_expect_eq(engine_image_remove(e, tag, true, &err), 0, "%s", err.msg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	run(cmd);
}

Test(integration_engine_ssh, build_streams_the_context_over_ssh)
{
	struct engine *e = ssh_engine("/run/mixlab/linux.sock");
	char tag[64];

	snprintf(tag, sizeof(tag), "mixc-ssh-build:%ld", (long)getpid());
	build_tiny(e, tag);
	engine_free(e);
}

Test(integration_engine_tls, build_streams_the_context_over_tls)
{
	struct engine_config cfg = {.name = "tls",
				    .url = TLS_URL,
				    .tls = true,
				    .tls_verify = true,
				    .cert_path = TLS_DIR};
	struct engine *e = NULL;
	struct diag err = {0};
	char tag[64];

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	snprintf(tag, sizeof(tag), "mixc-tls-build:%ld", (long)getpid());
	build_tiny(e, tag);
	engine_free(e);
}
