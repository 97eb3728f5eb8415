/*
 * `mixcompose up` and `down` against the real lab (lab/mixlab up): the
 * binary runs as a subprocess on a copy of a fixture project in its own
 * temporary directory, under a project name of its own.  The fini hook
 * runs `down -v -t 0` and then checks with the docker CLI (another client
 * of the same Engine API) that nothing labelled with that project is left
 * on either daemon, even when the test failed half-way.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define FIXTURE_DIR TEST_FIXTURES_DIR "/integration/"

static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

static struct lab_project P;

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
}

/* Copies directory 'src' into a new temporary dir: the project's. */
static void project_from(const char *src, const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "itest", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp -r '%s/.' '%s'", src, P.dir), 0);
}

/* A copy of tests/fixtures/integration/<fixture>. */
static void project(const char *fixture, const char *tag)
{
	char src[512];

	snprintf(src, sizeof(src), "%s%s", FIXTURE_DIR, fixture);
	project_from(src, tag);
}

/* Runs mixcompose in the project's directory: "ENV=.. mixcompose -p NAME ARGS".
 */
static int mc_env(struct sbuf *out, const char *env, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mc_env(struct sbuf *out, const char *env, const char *fmt, ...)
{
	struct sbuf args = SBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	sbuf_vaddf(&args, fmt, ap);
	va_end(ap);
	rc = lab_sh(out, "cd '%s' && %s %s -p %s %s", P.dir, env ? env : "",
		    MIXCOMPOSE_BIN, P.name, args.buf);
	sbuf_release(&args);
	return rc;
}

#define mc(out, ...) mc_env(out, NULL, __VA_ARGS__)

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_up, .init = setup, .fini = fini, .timeout = 180);

static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* `docker inspect -f TEMPLATE NAME` on 'sock', trimmed; the caller frees. */
static char *inspect(const char *sock, const char *name, const char *tmpl)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, sock, "inspect -f '%s' %s", tmpl, name),
		     0, "%s", out.buf);
	while (out.len &&
	       (out.buf[out.len - 1] == '\n' || out.buf[out.len - 1] == ' '))
		sbuf_setlen(&out, out.len - 1);
	return sbuf_detach(&out, NULL);
}

static char *cname(const char *service)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s-%s-1", P.name, service);
	return buf;
}

/*
 * A UTC time with nanoseconds to seconds: RFC 3339 as inspect's strings
 * have it ("2026-11-25T13:55:01.123456789Z") or Go's time.Time format of
 * the health log ("2026-11-25 13:55:01.123456789 +0000 UTC").
 */
static double rfc3339(const char *s)
{
	struct tm tm = {0};
	const char *rest = strptime(
		s, s[10] == 'T' ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S",
		&tm);
	double frac = 0, scale = 0.1;

	cr_assert_not_null(rest, "not a time: '%s'", s);
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			frac += (*rest - '0') * scale;
	return (double)timegm(&tm) + frac;
}

static void up_lab(int port, const char *env_extra)
{
	struct sbuf out = SBUF_INIT;
	char env[128];
	int rc;

	snprintf(env, sizeof(env), "MIX_PORT=%d %s", port,
		 env_extra ? env_extra : "");
	rc = mc_env(&out, env, "up -d --progress plain");
	cr_assert_eq(rc, 0, "%s", out.buf);
	sbuf_release(&out);
}

static void assert_page(int port)
{
	struct lab_http r = {0};

	cr_assert_eq(lab_http_tcp_wait(&r, "127.0.0.1", port, "/", 15000), 0,
		     "no 200 through nginx: %d %s", r.status, r.body.buf);
	cr_assert(strstr(r.body.buf, "service: web"), "%s", r.body.buf);
	cr_assert(strstr(r.body.buf, "platform: windows"), "%s", r.body.buf);
	lab_http_release(&r);
}

/*
 * samples/lab itself, with its port moved to a free one on loopback by an
 * override file, so that it never clashes with a running demo.
 */
Test(integration_up, lab_sample_serves_across_daemons)
{
	int port = free_port();
	struct sbuf out = SBUF_INIT;
	char *label;

	project_from(SOURCE_DIR "/samples/lab", "sample");
	cr_assert_eq(lab_sh(NULL,
			    "printf 'services:\\n  nginx:\\n    ports: "
			    "!override\\n      - \"127.0.0.1:%d:80\"\\n' "
			    ">'%s/port.yaml'",
			    port, P.dir),
		     0);
	cr_assert_eq(mc(&out, "-f compose.yaml -f port.yaml up -d "
			      "--progress plain"),
		     0, "%s", out.buf);
	cr_assert(strstr(out.buf, "web-1 (windows)  Healthy"), "%s", out.buf);
	assert_page(port);
	label = inspect(LAB_WINDOWS_SOCK, cname("web"),
			"{{index .Config.Labels \"io.mixcompose.daemon\"}}");
	cr_assert_str_eq(label, "windows");
	free(label);
	label = inspect(
		LAB_LINUX_SOCK, cname("nginx"),
		"{{index .Config.Labels \"com.docker.compose.service\"}}");
	cr_assert_str_eq(label, "nginx");
	free(label);
	sbuf_release(&out);
}

Test(integration_up, second_up_changes_nothing)
{
	int port = free_port();
	struct sbuf out = SBUF_INIT;
	char env[64], *web, *proxy, *web2, *proxy2;

	project("lab", "noop");
	up_lab(port, NULL);
	web = inspect(LAB_WINDOWS_SOCK, cname("web"), "{{.Id}}");
	proxy = inspect(LAB_LINUX_SOCK, cname("proxy"), "{{.Id}}");
	snprintf(env, sizeof(env), "MIX_PORT=%d", port);
	cr_assert_eq(mc_env(&out, env, "up -d --progress plain"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "Created"), "%s", out.buf);
	cr_assert_null(strstr(out.buf, "Recreate"), "%s", out.buf);
	cr_assert(strstr(out.buf, "web-1 (windows)  Running"), "%s", out.buf);
	web2 = inspect(LAB_WINDOWS_SOCK, cname("web"), "{{.Id}}");
	proxy2 = inspect(LAB_LINUX_SOCK, cname("proxy"), "{{.Id}}");
	cr_assert_str_eq(web, web2);
	cr_assert_str_eq(proxy, proxy2);
	free(web);
	free(proxy);
	free(web2);
	free(proxy2);
	sbuf_release(&out);
}

Test(integration_up, editing_one_service_recreates_only_it)
{
	int port = free_port();
	char *web, *proxy, *web2, *proxy2, *note;

	project("lab", "edit");
	up_lab(port, "PROXY_NOTE=one");
	web = inspect(LAB_WINDOWS_SOCK, cname("web"), "{{.Id}}");
	proxy = inspect(LAB_LINUX_SOCK, cname("proxy"), "{{.Id}}");
	up_lab(port, "PROXY_NOTE=two");
	web2 = inspect(LAB_WINDOWS_SOCK, cname("web"), "{{.Id}}");
	proxy2 = inspect(LAB_LINUX_SOCK, cname("proxy"), "{{.Id}}");
	cr_assert_str_eq(web, web2, "web did not change: it stays");
	cr_assert_str_neq(proxy, proxy2, "proxy changed: it is recreated");
	note = inspect(LAB_LINUX_SOCK, cname("proxy"), "{{json .Config.Env}}");
	cr_assert(strstr(note, "PROXY_NOTE=two"), "%s", note);
	assert_page(port);
	free(web);
	free(proxy);
	free(web2);
	free(proxy2);
	free(note);
}

Test(integration_up, healthy_and_completed_conditions_hold)
{
	struct sbuf out = SBUF_INIT;
	char *app_start, *once_end, *once_code, *health;
	double healthy_at = 0;

	project("conditions", "cond");
	cr_assert_eq(mc(&out, "up -d --progress plain"), 0, "%s", out.buf);
	app_start =
		inspect(LAB_LINUX_SOCK, cname("app"), "{{.State.StartedAt}}");
	once_end =
		inspect(LAB_LINUX_SOCK, cname("once"), "{{.State.FinishedAt}}");
	once_code =
		inspect(LAB_LINUX_SOCK, cname("once"), "{{.State.ExitCode}}");
	health = inspect(
		LAB_WINDOWS_SOCK, cname("ready"),
		"{{range .State.Health.Log}}{{.ExitCode}} {{.End}}|{{end}}");
	cr_assert_str_eq(once_code, "0");
	/* The first passing check in the log: when 'ready' became healthy. */
	for (char *e = strtok(health, "|"); e; e = strtok(NULL, "|"))
		if (!strncmp(e, "0 ", 2)) {
			healthy_at = rfc3339(e + 2);
			break;
		}
	cr_assert_gt(healthy_at, 0, "no passing check: %s", health);
	cr_assert_gt(rfc3339(app_start), healthy_at,
		     "app started %s, before ready was healthy", app_start);
	cr_assert_gt(rfc3339(app_start), rfc3339(once_end),
		     "app started %s, before once exited %s", app_start,
		     once_end);
	free(app_start);
	free(once_end);
	free(once_code);
	free(health);
	sbuf_release(&out);
}

Test(integration_up, cycle_is_refused_before_anything_starts)
{
	struct sbuf out = SBUF_INIT;

	project("cycle", "cycle");
	cr_assert_eq(mc(&out, "up -d --progress plain"), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "compose.yaml:14:9"), "%s", out.buf);
	cr_assert(strstr(out.buf, "api -> web -> api"), "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}

Test(integration_up, down_v_leaves_nothing_even_without_the_file)
{
	struct sbuf out = SBUF_INIT;

	project("volumes", "downv");
	cr_assert_eq(mc(&out, "up -d --progress plain"), 0, "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 2);
	cr_assert_eq(lab_leftovers(P.name, "network"), 3,
		     "default on linux, back on both");
	cr_assert_eq(lab_leftovers(P.name, "volume"), 3,
		     "data on both, cache on windows");
	/* down works from the labels alone once the file is gone. */
	cr_assert_eq(lab_sh(NULL, "rm '%s/compose.yaml'", P.dir), 0);
	sbuf_reset(&out);
	cr_assert_eq(mc(&out, "down -v -t 0 --progress plain"), 0, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "Volume"), "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	cr_assert_eq(lab_leftovers(P.name, "volume"), 0);
	sbuf_release(&out);
}

Test(integration_up, restart_keeps_host_entries)
{
	int port = free_port();
	struct sbuf out = SBUF_INIT;
	char *ip, line[128];

	project("lab", "restart");
	up_lab(port, NULL);
	ip = inspect(
		LAB_WINDOWS_SOCK, cname("web"),
		"{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK, "restart -t 0 %s",
				cname("proxy")),
		     0, "%s", out.buf);
	cr_assert_eq(lab_docker(&out, LAB_WINDOWS_SOCK, "restart -t 0 %s",
				cname("web")),
		     0, "%s", out.buf);
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK, "exec %s cat /etc/hosts",
				cname("proxy")),
		     0, "%s", out.buf);
	snprintf(line, sizeof(line), "%s\tweb\n", ip);
	cr_assert(strstr(out.buf, line), "no '%s' in:\n%s", line, out.buf);
	free(ip);
	ip = inspect(
		LAB_WINDOWS_SOCK, cname("web"),
		"{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
	cr_assert(strstr(out.buf, ip), "web kept its address %s", ip);
	assert_page(port);
	free(ip);
	sbuf_release(&out);
}

Test(integration_up, ctrl_c_stops_cleanly_and_leaves_only_labelled_containers)
{
	struct sbuf out = SBUF_INIT, all = SBUF_INIT, running = SBUF_INIT;
	int n_named = 0;

	project("conditions", "intr");
	/* 'app' waits about 3 s for 'ready': Ctrl-C lands in that wait. */
	lab_sh(&out,
	       "cd '%s' && { %s -p %s up -d --progress plain & pid=$!; "
	       "sleep 1.5; kill -INT $pid; wait $pid; echo \"rc=$?\"; }",
	       P.dir, MIXCOMPOSE_BIN, P.name);
	cr_assert(strstr(out.buf, "rc=130"), "%s", out.buf);
	cr_assert(strstr(out.buf, "interrupted"), "%s", out.buf);
	for (size_t i = 0; i < 2; i++)
		lab_docker(&all, socks[i], "ps -aq --filter name=%s-", P.name);
	for (size_t k = 0; k < all.len; k++)
		n_named += all.buf[k] == '\n';
	cr_assert_gt(n_named, 0, "something was created before Ctrl-C");
	cr_assert_eq(n_named, lab_leftovers(P.name, "container"),
		     "every container carries the project label");
	lab_docker(&running, LAB_LINUX_SOCK, "ps -q --filter name=%s",
		   cname("app"));
	cr_assert_eq(running.len, 0, "app must not have started");
	sbuf_release(&out);
	sbuf_release(&all);
	sbuf_release(&running);
}

/* SIGTERM lands in the same wait: 143, as a shell reports a TERM. */
Test(integration_up, sigterm_stops_cleanly_with_143)
{
	struct sbuf out = SBUF_INIT, running = SBUF_INIT;

	project("conditions", "trustterm");
	lab_sh(&out,
	       "cd '%s' && { %s -p %s up -d --progress plain & pid=$!; "
	       "sleep 1.5; kill -TERM $pid; wait $pid; echo \"rc=$?\"; }",
	       P.dir, MIXCOMPOSE_BIN, P.name);
	cr_assert(strstr(out.buf, "rc=143"), "%s", out.buf);
	cr_assert(strstr(out.buf, "interrupted"), "%s", out.buf);
	lab_docker(&running, LAB_LINUX_SOCK, "ps -q --filter name=%s",
		   cname("app"));
	cr_assert_eq(running.len, 0, "app must not have started");
	sbuf_release(&out);
	sbuf_release(&running);
}

/* ---- A third, throwaway daemon stopped during up ------------------------- */

static struct lab_scratch T;

static void third_start(void)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_scratch_up(&T, T.name, &out), 0,
		     "third daemon not ready:\n%s", out.buf);
	sbuf_release(&out);
}

static void third_stop(void)
{
	cr_assert_eq(lab_scratch_stop(&T), 0);
}

static void third_setup(void)
{
	struct sbuf out = SBUF_INIT;
	char name[24];

	setup();
	snprintf(name, sizeof(name), "third%ld", (long)getpid() % 1000000);
	cr_assert_eq(lab_scratch_up(&T, name, &out), 0, "third daemon:\n%s",
		     out.buf);
	sbuf_release(&out);
	setenv("MIXCOMPOSE_DAEMON_THIRD", T.url, 1);
}

static void third_fini(void)
{
	struct sbuf out = SBUF_INIT;

	if (!T.name[0])
		return;
	if (!lab_daemon_up(T.sock))
		lab_scratch_up(&T, T.name, NULL);
	fini();
	lab_docker(&out, T.sock,
		   "ps -aq --filter label=com.docker.compose.project");
	cr_expect_eq(out.len, 0, "containers left on the third daemon");
	lab_scratch_down(&T);
	unsetenv("MIXCOMPOSE_DAEMON_THIRD");
	sbuf_release(&out);
}

Test(integration_up_daemon,
     stopped_daemon_gives_clear_error_then_converges,
     .init = third_setup,
     .fini = third_fini,
     .timeout = 240)
{
	struct sbuf out = SBUF_INIT, st = SBUF_INIT;

	project("third", "third");
	/* 'late' is created at once, then waits ~3 s for 'slow' to be healthy.
	 */
	lab_sh(&out,
	       "cd '%s' && { %s -p %s up -d --progress plain & pid=$!; "
	       "sleep 1.5; kill -TERM $(cat " LAB_RUN_DIR "/s-%s.pid); "
	       "wait $pid; echo \"rc=$?\"; }",
	       P.dir, MIXCOMPOSE_BIN, P.name, T.name);
	cr_assert(strstr(out.buf, "rc=1"), "%s", out.buf);
	cr_assert(strstr(out.buf, "daemon 'third'"), "%s", out.buf);
	cr_assert(strstr(out.buf, "cannot connect"), "%s", out.buf);
	third_stop();
	/* Down before the start: refused before anything starts. */
	sbuf_reset(&out);
	cr_assert_eq(mc(&out, "up -d --progress plain"), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "daemon 'third' is not reachable"), "%s",
		  out.buf);
	cr_assert(strstr(out.buf, "nothing was started"), "%s", out.buf);
	cr_assert_null(strstr(out.buf, "Starting"), "%s", out.buf);
	third_start();
	sbuf_reset(&out);
	cr_assert_eq(mc(&out, "up -d --progress plain"), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "late-1 (third)  Started"), "%s", out.buf);
	cr_assert_eq(lab_docker(&st, T.sock,
				"inspect -f '{{.State.Running}}' %s",
				cname("late")),
		     0, "%s", st.buf);
	cr_assert_str_eq(st.buf, "true\n");
	/* down goes on without the third daemon, and says so. */
	third_stop();
	sbuf_reset(&out);
	cr_assert_eq(mc(&out, "down -t 0 --progress plain"), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "daemon 'third' is not reachable"), "%s",
		  out.buf);
	cr_assert(strstr(out.buf, "slow-1 (linux)  Removed"), "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0,
		     "linux's part is gone");
	sbuf_release(&out);
	sbuf_release(&st);
}

/*
 * logs -f on the runner: the third daemon dies (SIGKILL) while its
 * container's stream is followed: the daemon is named once, at once, the
 * stream of the lab's daemon goes on until its container stops, and the
 * status is 1 (a request failed).
 */
Test(integration_up_daemon,
     logs_follow_names_a_daemon_that_dies_and_goes_on,
     .init = third_setup,
     .fini = third_fini,
     .timeout = 240)
{
	struct sbuf out = SBUF_INIT;
	const char *msg = "daemon 'third' is not reachable";
	const char *at;

	project("third", "logsdie");
	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	sbuf_reset(&out);
	lab_sh(&out,
	       "cd '%s' && { %s -p %s logs -f --no-color 2>&1 & pid=$!; "
	       "sleep 2; %s scratch-kill %s KILL >/dev/null 2>&1; sleep 2; "
	       "echo '-- killed'; "
	       "%s -p %s stop -t 0 slow >/dev/null 2>&1; "
	       "wait $pid; echo \"rc=$?\"; }",
	       P.dir, MIXCOMPOSE_BIN, P.name, LAB_SCRIPT, T.name,
	       MIXCOMPOSE_BIN, P.name);
	cr_expect(strstr(out.buf, "rc=1"), "%s", out.buf);
	at = strstr(out.buf, msg);
	cr_expect(at, "%s", out.buf);
	cr_expect(at && at < strstr(out.buf, "-- killed"),
		  "said as it happened: %s", out.buf);
	cr_expect(at && !strstr(at + 1, msg), "said once: %s", out.buf);
	sbuf_release(&out);
}

/* ---- Late host entries -----------------------------------------------------
 */

static char ext_net[64];

static void late_fini(void)
{
	fini();
	for (size_t i = 0; ext_net[0] && i < 2; i++)
		lab_docker(NULL, socks[i], "network rm %s", ext_net);
}

Test(integration_up, late_addresses_are_written_by_exec, .fini = late_fini)
{
	struct sbuf out = SBUF_INIT;
	char env[96], line[512], *ip_b;

	project("late", "late");
	snprintf(ext_net, sizeof(ext_net), "itest-ext-%ld", (long)getpid());
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(lab_docker(&out, socks[i], "network create %s",
					ext_net),
			     0, "%s", out.buf);
	snprintf(env, sizeof(env), "EXT_NET=%s", ext_net);
	sbuf_reset(&out);
	cr_assert_eq(mc_env(&out, env, "up -d --progress plain"), 0, "%s",
		     out.buf);
	ip_b = inspect(
		LAB_WINDOWS_SOCK, cname("b"),
		"{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK, "exec %s cat /etc/hosts",
				cname("a")),
		     0, "%s", out.buf);
	snprintf(line, sizeof(line),
		 "# mixcompose begin\n%s b %s # mixcompose\n", ip_b,
		 cname("b"));
	cr_assert(strstr(out.buf, line), "no '%s' in:\n%s", line, out.buf);
	cr_assert(strstr(out.buf, "# mixcompose end\n"), "%s", out.buf);
	free(ip_b);
	sbuf_release(&out);
}

/* ---- Attached up and --wait ------------------------------------------------
 */

static char *slurp(const char *path)
{
	struct sbuf out = SBUF_INIT;

	lab_sh(&out, "cat '%s' 2>/dev/null", path);
	return sbuf_detach(&out, NULL);
}

Test(integration_up, attached_up_follows_logs_and_ctrl_c_stops_the_project)
{
	int port = free_port();
	struct lab_http r = {0};
	char path[300], *log = NULL, *running;
	long pid = 0;
	FILE *f;

	project("lab", "attach");
	cr_assert_eq(lab_sh(NULL,
			    "cd '%s' && { exec >out 2>&1 </dev/null; "
			    "MIX_PORT=%d %s -p %s up --progress plain & "
			    "echo $! >pid; wait $!; echo \"rc=$?\"; } &",
			    P.dir, port, MIXCOMPOSE_BIN, P.name),
		     0);
	snprintf(path, sizeof(path), "%s/out", P.dir);
	if (lab_http_tcp_wait(&r, "127.0.0.1", port, "/", 20000)) {
		log = slurp(path);
		cr_assert_fail("no page through nginx; up said:\n%s", log);
	}
	lab_http_release(&r);
	snprintf(path, sizeof(path), "%s/pid", P.dir);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	cr_assert_eq(kill((pid_t)pid, SIGINT), 0);
	snprintf(path, sizeof(path), "%s/out", P.dir);
	for (int i = 0; i < 300; i++) {
		free(log);
		log = slurp(path);
		if (strstr(log, "rc="))
			break;
		usleep(100000);
	}
	cr_assert(strstr(log, "rc=0"), "%s", log);
	cr_assert(strstr(log, "Gracefully stopping"), "%s", log);
	cr_assert(strstr(log, "web-1 (windows) | webapp: service web"), "%s",
		  log);
	cr_assert(strstr(log, "proxy-1 (linux)  Stopped"), "%s", log);
	running = inspect(LAB_WINDOWS_SOCK, cname("web"), "{{.State.Running}}");
	cr_assert_str_eq(running, "false", "stopped, not removed");
	free(running);
	free(log);
}

Test(integration_up, wait_returns_once_everything_is_running_or_healthy)
{
	struct sbuf out = SBUF_INIT;
	char *health, *app;

	project("conditions", "wait");
	cr_assert_eq(mc(&out, "up --wait --progress plain"), 0, "%s", out.buf);
	health = inspect(LAB_WINDOWS_SOCK, cname("ready"),
			 "{{.State.Health.Status}}");
	app = inspect(LAB_LINUX_SOCK, cname("app"), "{{.State.Running}}");
	cr_assert_str_eq(health, "healthy");
	cr_assert_str_eq(app, "true");
	cr_assert(strstr(out.buf, "app-1 (linux)  Running"), "%s", out.buf);
	free(health);
	free(app);
	sbuf_release(&out);
}

/*
 * Issue #2's loader gaps on real daemons: the second document's service
 * runs too, every address of an extra_hosts list is a line of /etc/hosts
 * (IPv6 included), label_file's labels sit under `labels`, and a raw
 * env_file value arrives as written.
 */
Test(integration_up, loader_gaps_reach_the_containers)
{
	struct sbuf out = SBUF_INIT;
	char *v;

	project("gaps", "gaps");
	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK, "exec %s cat /etc/hosts",
				cname("a")),
		     0, "%s", out.buf);
	cr_assert(strstr(out.buf, "10.99.0.1\tmyhost\n"), "%s", out.buf);
	cr_assert(strstr(out.buf, "::1\tmyhost\n"), "%s", out.buf);
	v = inspect(LAB_LINUX_SOCK, cname("a"),
		    "{{index .Config.Labels \"com.example.file\"}}/"
		    "{{index .Config.Labels \"com.example.kept\"}}");
	cr_assert_str_eq(v, "from-file/from-labels");
	free(v);
	v = inspect(LAB_LINUX_SOCK, cname("a"),
		    "{{range .Config.Env}}{{println .}}{{end}}");
	cr_assert(strstr(v, "RAW=\"quoted $HOME\""), "%s", v);
	free(v);
	v = inspect(LAB_WINDOWS_SOCK, cname("b"), "{{.State.Running}}");
	cr_assert_str_eq(v, "true");
	free(v);
	sbuf_release(&out);
}
