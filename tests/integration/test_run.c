/*
 * `run` and interactive `exec` against the real lab (lab/mixlab up): exit
 * codes from both daemons, stdin piped through the hijacked stream, a
 * one-off on the Windows stand-in reaching a service of the other daemon
 * by name, TTY sessions driven through a pseudo-terminal, and the one-off
 * labels and names.  Each test has a project of its own; the fini hook
 * runs `down -v -t 0 --remove-orphans` and checks with the docker CLI
 * that nothing labelled with the project is left, even after a failure.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "lab_util.h"
#include "util/sbuf.h"

#define RUN_FIXTURE TEST_FIXTURES_DIR "/run/compose.yaml"

static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

static struct lab_project P;

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
}

static void project(const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "irun", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp '%s' '%s/'", RUN_FIXTURE, P.dir), 0);
}

/* "mixcompose -p NAME ARGS" in the project's directory, as a shell line. */
static void mc_line(struct sbuf *line, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void mc_line(struct sbuf *line, const char *fmt, va_list ap)
{
	sbuf_addf(line, "cd '%s' && exec %s -p %s ", P.dir, MIXCOMPOSE_BIN,
		  P.name);
	sbuf_vaddf(line, fmt, ap);
}

/*
 * Runs the command with 'input' on its stdin (NULL: /dev/null); stdout
 * into 'out', stderr into 'err' (either may be NULL).
 */
static int mc_in(struct sbuf *out,
		 struct sbuf *err,
		 const char *input,
		 const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static int mc_in(struct sbuf *out,
		 struct sbuf *err,
		 const char *input,
		 const char *fmt,
		 ...)
{
	struct sbuf line = SBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	mc_line(&line, fmt, ap);
	va_end(ap);
	{
		char *argv[] = {"/bin/sh", "-c", line.buf, NULL};

		rc = lab_run(out, err, input, 120, argv);
	}
	sbuf_release(&line);
	return rc;
}

/* How many one-off containers of the project 'sock' has. */
static int oneoffs(const char *sock)
{
	struct sbuf out = SBUF_INIT;
	int n = 0;

	cr_assert_eq(lab_docker(&out, sock,
				"ps -aq --filter "
				"label=com.docker.compose.project=%s "
				"--filter label=com.docker.compose.oneoff=True",
				P.name),
		     0, "%s", out.buf);
	for (size_t k = 0; k < out.len; k++)
		n += out.buf[k] == '\n';
	sbuf_release(&out);
	return n;
}

static void fini(void)
{
	/* One-off containers go only with --remove-orphans, as in v2. */
	if (P.name[0])
		mc_in(NULL, NULL, NULL,
		      "down -v -t 0 --remove-orphans --progress quiet");
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_run, .init = setup, .fini = fini, .timeout = 240);

static char *inspect(const char *sock, const char *name, const char *tmpl)
{
	char *v = lab_inspect(sock, name, tmpl);

	cr_assert_not_null(v, "docker inspect %s", name);
	return v;
}

static void up(void)
{
	struct sbuf err = SBUF_INIT;

	cr_assert_eq(mc_in(NULL, &err, NULL, "up -d --progress quiet"), 0, "%s",
		     err.buf);
	sbuf_release(&err);
}

Test(integration_run, rm_run_exits_with_the_code_on_each_daemon)
{
	static const char *const svcs[] = {"web", "api"};
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char api[96];
	char *st;

	project("code");
	for (size_t i = 0; i < 2; i++) {
		sbuf_reset(&out);
		sbuf_reset(&err);
		cr_assert_eq(mc_in(&out, &err, NULL,
				   "run --rm %s sh -c 'echo hi; echo oops >&2; "
				   "exit 3'",
				   svcs[i]),
			     3, "%s: %s%s", svcs[i], out.buf, err.buf);
		cr_assert_str_eq(out.buf, "hi\n", "%s", svcs[i]);
		cr_assert(strstr(err.buf, "oops\n"), "%s", err.buf);
		cr_assert_eq(oneoffs(socks[i]), 0, "--rm left %s's one-off",
			     svcs[i]);
	}
	/* web depends on api: its run started api first, as up would. */
	snprintf(api, sizeof(api), "%s-api-1", P.name);
	st = inspect(LAB_WINDOWS_SOCK, api, "{{.State.Status}}");
	cr_expect_str_eq(st, "running");
	free(st);
	sbuf_release(&out);
	sbuf_release(&err);
}

Test(integration_run, stdin_goes_through_run_and_exec)
{
	struct sbuf out = SBUF_INIT, err = SBUF_INIT, big = SBUF_INIT;

	project("stdin");
	cr_assert_eq(mc_in(&out, &err, "data from the pipe\n",
			   "run --rm -T --no-deps api cat"),
		     0, "%s", err.buf);
	cr_assert_str_eq(out.buf, "data from the pipe\n");
	up();
	sbuf_reset(&out);
	cr_assert_eq(mc_in(&out, &err, "exec me\n", "exec -T web cat"), 0, "%s",
		     err.buf);
	cr_assert_str_eq(out.buf, "exec me\n");
	/* Far more than one socket buffer, and the end must be seen. */
	for (int i = 0; i < 20000; i++)
		sbuf_addf(&big, "line %05d\n", i);
	sbuf_reset(&out);
	cr_assert_eq(
		mc_in(&out, &err, big.buf, "exec -T api sh -c 'wc -c; exit 7'"),
		7, "%s", err.buf);
	cr_assert_eq(strtol(out.buf, NULL, 10), (long)big.len, "%s", out.buf);
	sbuf_release(&out);
	sbuf_release(&err);
	sbuf_release(&big);
}

Test(integration_run, windows_oneoff_reaches_a_linux_service_by_name)
{
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char web[96], want[64];
	char *ip;

	project("names");
	up();
	snprintf(web, sizeof(web), "%s-web-1", P.name);
	ip = inspect(
		LAB_LINUX_SOCK, web,
		"{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
	cr_assert_eq(mc_in(&out, &err, NULL,
			   "run --rm api sh -c 'grep -w web /etc/hosts; "
			   "ping -c 1 -W 3 web'"),
		     0, "%s%s", out.buf, err.buf);
	snprintf(want, sizeof(want), "%s\tweb", ip);
	cr_assert(strstr(out.buf, want), "%s", out.buf);
	snprintf(want, sizeof(want), "PING web (%s)", ip);
	cr_assert(strstr(out.buf, want), "%s", out.buf);
	cr_assert(strstr(out.buf, "1 packets received"), "%s", out.buf);
	free(ip);
	sbuf_release(&out);
	sbuf_release(&err);
}

/* ---- TTY sessions through a pseudo-terminal ------------------------------ */

struct pty_result {
	struct sbuf out;
	int status;
	bool restored; /* the terminal was cooked again at the end */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the master until 'want' shows up (or EOF, or the deadline). */
static void
pty_read_until(int fd, struct sbuf *out, const char *want, long long deadline)
{
	char buf[4096];

	while ((!want || !strstr(out->buf, want)) && now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break; /* EIO: the child side closed */
		sbuf_add(out, buf, (size_t)n);
	}
}

/*
 * Runs the mixcompose line on a new pseudo-terminal of 40x100; once
 * 'prompt' shows up (NULL: at once) types 'input'; reads to the end.
 */
static void pty_session(struct pty_result *r,
			const char *prompt,
			const char *input,
			const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static void pty_session(struct pty_result *r,
			const char *prompt,
			const char *input,
			const char *fmt,
			...)
{
	struct winsize ws = {.ws_row = 40, .ws_col = 100};
	struct sbuf line = SBUF_INIT;
	long long deadline = now_ms() + 90000;
	struct termios t;
	va_list ap;
	int fd, st = 0;
	pid_t pid;

	va_start(ap, fmt);
	mc_line(&line, fmt, ap);
	va_end(ap);
	sbuf_init(&r->out);
	pid = forkpty(&fd, NULL, NULL, &ws);
	cr_assert_neq(pid, -1);
	if (!pid) {
		execl("/bin/sh", "sh", "-c", line.buf, (char *)NULL);
		_exit(127);
	}
	sbuf_release(&line);
	if (input) {
		pty_read_until(fd, &r->out, prompt, deadline);
		cr_assert_eq(write(fd, input, strlen(input)),
			     (ssize_t)strlen(input));
	}
	pty_read_until(fd, &r->out, NULL, deadline);
	if (now_ms() >= deadline)
		kill(pid, SIGKILL);
	/* On Linux the master reports the slave's settings. */
	r->restored = !tcgetattr(fd, &t) && (t.c_lflag & ECHO) &&
		      (t.c_lflag & ICANON);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	close(fd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(integration_run, exec_with_a_tty_gets_size_output_and_code)
{
	struct pty_result r;

	project("ttyexec");
	up();
	pty_session(&r, NULL, NULL,
		    "exec web sh -c 'tty; sleep 1; busybox stty size; "
		    "exit 4'");
	cr_assert_eq(r.status, 4, "%s", r.out.buf);
	cr_assert(strstr(r.out.buf, "/dev/pts/"), "%s", r.out.buf);
	cr_assert(strstr(r.out.buf, "40 100"), "%s", r.out.buf);
	cr_assert(r.restored, "the terminal stayed raw");
	sbuf_release(&r.out);
}

Test(integration_run, run_with_a_tty_takes_typed_input)
{
	struct pty_result r;

	project("ttyrun");
	pty_session(&r, "# ", "echo typed-$((6*7))\rexit 5\r",
		    "run --rm --no-deps web sh");
	cr_assert_eq(r.status, 5, "%s", r.out.buf);
	cr_assert(strstr(r.out.buf, "typed-42"), "%s", r.out.buf);
	cr_assert(r.restored, "the terminal stayed raw");
	cr_assert_eq(oneoffs(LAB_LINUX_SOCK), 0);
	sbuf_release(&r.out);
}

Test(integration_run, exec_tty_without_a_terminal_stdin_is_refused)
{
	struct pty_result r;

	project("notty");
	up();
	/* stdout is a terminal, stdin a pipe: compose v2 refuses too. */
	pty_session(&r, NULL, NULL, "exec web true </dev/null");
	cr_assert_eq(r.status, 1, "%s", r.out.buf);
	cr_assert(strstr(r.out.buf, "not a TTY"), "%s", r.out.buf);
	sbuf_release(&r.out);
}

/* ---- Names, labels, options, and down ------------------------------------ */

Test(integration_run, detached_oneoff_is_named_and_labelled_like_compose)
{
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char prefix[96];
	char *name, *v;
	size_t plen;

	project("labels");
	cr_assert_eq(
		mc_in(&out, &err, NULL,
		      "run -d --no-deps -l team=blue -e GREETING=hello "
		      "-w /tmp -p 127.0.0.1::8080 -v ./:/mnt:ro web sleep 60"),
		0, "%s", err.buf);
	while (out.len && out.buf[out.len - 1] == '\n')
		sbuf_setlen(&out, out.len - 1);
	cr_assert_eq(out.len, 64, "an id: '%s'", out.buf);
	name = inspect(LAB_LINUX_SOCK, out.buf, "{{.Name}}");
	plen = (size_t)snprintf(prefix, sizeof(prefix), "/%s-web-run-", P.name);
	cr_assert_eq(strncmp(name, prefix, plen), 0, "%s", name);
	cr_assert_eq(strlen(name + plen), 12, "%s", name);
	/* The service restarts unless-stopped; its one-off does not. */
	v = inspect(LAB_LINUX_SOCK, out.buf,
		    "{{.HostConfig.RestartPolicy.Name}}|"
		    "{{index .Config.Labels \"com.docker.compose.oneoff\"}}|"
		    "{{index .Config.Labels \"team\"}}|"
		    "{{index .Config.Labels \"com.docker.compose.service\"}}|"
		    "{{.Config.WorkingDir}}");
	cr_expect_str_eq(v, "|True|blue|web|/tmp");
	free(v);
	v = inspect(LAB_LINUX_SOCK, out.buf,
		    "{{index .Config.Labels \"com.docker.compose.slug\"}}");
	cr_expect_eq(strlen(v), 64, "%s", v);
	cr_expect_eq(strncmp(v, name + plen, 12), 0, "%s vs %s", v, name);
	free(v);
	/* Only -p is published: the service's own port is not. */
	v = inspect(LAB_LINUX_SOCK, out.buf,
		    "{{json .HostConfig.PortBindings}}");
	cr_expect(strstr(v, "8080/tcp") && !strstr(v, "\"80/tcp\""), "%s", v);
	free(v);
	/* A relative bind is the project directory's. */
	v = inspect(LAB_LINUX_SOCK, out.buf, "{{json .HostConfig.Binds}}");
	cr_expect(strstr(v, P.dir) && strstr(v, ":/mnt:ro"), "%s", v);
	free(v);
	v = inspect(LAB_LINUX_SOCK, out.buf, "{{json .Config.Env}}");
	cr_expect(strstr(v, "GREETING=hello"), "%s", v);
	free(v);
	free(name);
	sbuf_release(&out);
	sbuf_release(&err);
}

Test(integration_run, down_leaves_oneoffs_to_remove_orphans)
{
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char named[96];

	project("down");
	snprintf(named, sizeof(named), "%s-mine", P.name);
	/* One that has finished: a running one would hold the network. */
	cr_assert_eq(mc_in(&out, &err, NULL,
			   "run -d --no-deps --name %s api true", named),
		     0, "%s", err.buf);
	cr_assert_eq(oneoffs(LAB_WINDOWS_SOCK), 1);
	for (int i = 0; i < 100; i++) {
		char *st =
			inspect(LAB_WINDOWS_SOCK, named, "{{.State.Status}}");
		bool exited = !strcmp(st, "exited");

		free(st);
		if (exited)
			break;
		usleep(100000);
	}
	sbuf_reset(&err);
	cr_assert_eq(mc_in(NULL, &err, NULL, "down -t 0 --progress plain"), 0,
		     "%s", err.buf);
	cr_assert(strstr(err.buf, named), "no warning about it: %s", err.buf);
	cr_assert_eq(oneoffs(LAB_WINDOWS_SOCK), 1);
	sbuf_reset(&err);
	cr_assert_eq(mc_in(NULL, &err, NULL,
			   "down -t 0 --remove-orphans --progress quiet"),
		     0, "%s", err.buf);
	cr_assert_eq(oneoffs(LAB_WINDOWS_SOCK), 0);
	sbuf_release(&out);
	sbuf_release(&err);
}

/* ---- The same stream over TLS: the lab's TLS daemon -----------------------
 */

#define TLS_DIR LAB_TLS_DIR
#define TLS_FLAGS                                                              \
	"--tlsverify --tlscacert " TLS_DIR "/ca.pem --tlscert " TLS_DIR        \
	"/cert.pem --tlskey " TLS_DIR "/key.pem -H tcp://127.0.0.1:23760"

static bool tls_started_here;

static struct engine *tls_engine(void)
{
	struct engine_config cfg = {.name = "tls",
				    .url = LAB_TLS_URL,
				    .tls = true,
				    .tls_verify = true,
				    .cert_path = TLS_DIR,
				    .connect_timeout_ms = 2000};
	struct engine *e = NULL;
	struct diag err = {0};

	if (engine_new(&e, &cfg, &err) || engine_ping(e, NULL, &err)) {
		engine_free(e);
		return NULL;
	}
	return e;
}

/*
 * Starts the lab's TLS daemon unless it runs (then it is not ours to
 * stop), and gives it the busybox image from the "linux" daemon.
 */
static void tls_init(void)
{
	struct sbuf out = SBUF_INIT;
	struct engine *e = tls_engine();

	if (!e) {
		if (lab_sh(&out, "%s/lab/mixlab tls-up", SOURCE_DIR) == 0)
			tls_started_here = true;
		e = tls_engine();
		cr_assert_not_null(e, "lab/mixlab tls-up failed:\n%s", out.buf);
	}
	engine_free(e);
	sbuf_reset(&out);
	cr_assert_eq(lab_sh(&out,
			    "docker -H unix://%s save %s | docker " TLS_FLAGS
			    " load",
			    LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX),
		     0, "%s", out.buf);
	sbuf_release(&out);
}

static void tls_fini(void)
{
	if (tls_started_here)
		lab_sh(NULL, "%s/lab/mixlab tls-down", SOURCE_DIR);
	tls_started_here = false;
}

TestSuite(integration_run_tls,
	  .init = tls_init,
	  .fini = tls_fini,
	  .timeout = 180);

static int
sink_out(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	(void)s;
	sbuf_add(ud, p, n);
	return 0;
}

Test(integration_run_tls, exec_and_attach_stream_over_tls)
{
	static const char *const cmd[] = {"sleep", "120"};
	static const char *const cat[] = {"sh", "-c", "cat; exit 9"};
	struct engine *e = tls_engine();
	struct engine_container_spec spec;
	struct engine_exec_spec es = {.argv = {cat, 3}, .attach_stdin = true};
	struct engine_hijack *hj = NULL;
	struct sbuf out = SBUF_INIT;
	struct diag err = {0};
	char name[64], id[80], xid[80];
	int in[2], code = -1;
	struct engine_stdio io = {.out = sink_out, .out_ud = &out};

	cr_assert_not_null(e);
	engine_container_spec_init(&spec);
	spec.image = LAB_IMAGE_BUSYBOX;
	spec.cmd = (struct engine_strv){cmd, 2};
	spec.network_mode = "none";
	snprintf(name, sizeof(name), "irun-tls-%ld", (long)getpid());
	cr_assert_eq(engine_container_create(e, name, NULL, &spec, id, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(engine_container_start(e, id, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_exec_create(e, id, &es, xid, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(write(in[1], "over tls\n", 9), 9);
	close(in[1]);
	io.in_fd = in[0];
	cr_assert_eq(engine_exec_attach(&hj, e, xid, false, &err), 0, "%s",
		     err.msg);
	cr_expect_eq(engine_hijack_pump(hj, &io, &err), 0, "%s", err.msg);
	engine_hijack_free(hj);
	close(in[0]);
	cr_expect_str_eq(out.buf, "over tls\n");
	for (int i = 0; i < 100; i++) {
		bool running = true;

		cr_assert_eq(engine_exec_inspect(e, xid, &code, &running, &err),
			     0, "%s", err.msg);
		if (!running)
			break;
		usleep(20000);
	}
	cr_expect_eq(code, 9);
	engine_container_remove(e, id, true, true, &err);
	engine_free(e);
	sbuf_release(&out);
}
