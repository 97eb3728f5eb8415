/*
 * The hijacked stream against a scripted daemon on a unix socket (a forked
 * child): the 101 head, stream bytes that come with it, stdin copied in
 * and half-closed, the frames demultiplexed, and an error reply.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "util/sbuf.h"

struct daemon {
	char dir[64];
	char url[128];
	pid_t pid;
};

static size_t frame(char *buf, int stream, const char *p, size_t n)
{
	buf[0] = (char)stream;
	buf[1] = buf[2] = buf[3] = 0;
	buf[4] = (char)(n >> 24);
	buf[5] = (char)(n >> 16);
	buf[6] = (char)(n >> 8);
	buf[7] = (char)n;
	memcpy(buf + 8, p, n);
	return n + 8;
}

/* Reads the request head (and a body of Content-Length); its first line. */
static void read_request(int fd, char *first, size_t size)
{
	char buf[8192];
	size_t len = 0;
	char *end = NULL, *cl;
	ssize_t n;

	while (!end && len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (!end)
		_exit(3);
	cl = strcasestr(buf, "Content-Length:");
	if (cl) {
		size_t want = strtoul(cl + 15, NULL, 10);
		size_t have = len - (size_t)(end + 4 - buf);

		while (have < want && (n = read(fd, buf, sizeof(buf))) > 0)
			have += (size_t)n;
	}
	snprintf(first, size, "%.*s", (int)strcspn(buf, "\r"), buf);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			_exit(4);
		p += w;
		n -= (size_t)w;
	}
}

/*
 * mode 0: 101 with a first frame in the same write, then every byte of
 * stdin echoed as a stdout frame until our half-close, then a stderr
 * frame naming the request line, then close.  mode 1: a 404 reply.
 */
static void serve(int lfd, int mode)
{
	static const char head[] = "HTTP/1.1 101 UPGRADED\r\n"
				   "Content-Type: application/vnd.docker."
				   "raw-stream\r\nConnection: Upgrade\r\n"
				   "Upgrade: tcp\r\n\r\n";
	static const char e404[] = "HTTP/1.1 404 Not Found\r\n"
				   "Content-Type: application/json\r\n"
				   "Content-Length: 35\r\n\r\n"
				   "{\"message\":\"No such exec instance\"}";
	char first[256], buf[4096], out[8192];
	int fd = accept(lfd, NULL, NULL);
	size_t n;
	ssize_t r;

	if (fd < 0)
		_exit(2);
	read_request(fd, first, sizeof(first));
	if (mode == 1) {
		write_all(fd, e404, sizeof(e404) - 1);
		_exit(0);
	}
	memcpy(out, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	n += frame(out + n, 1, "ready\n", 6);
	write_all(fd, out, n);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		write_all(fd, out, frame(out, 1, buf, (size_t)r));
	/* Only a half-close gets here with the socket still writable. */
	write_all(fd, out, frame(out, 2, first, strlen(first)));
	close(fd);
	_exit(0);
}

static void daemon_start(struct daemon *d, int mode)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int lfd;

	snprintf(d->dir, sizeof(d->dir), "/tmp/mixc-hijack-XXXXXX");
	cr_assert_not_null(mkdtemp(d->dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/d.sock", d->dir);
	snprintf(d->url, sizeof(d->url), "unix://%s", sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_geq(lfd, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(lfd, 4), 0);
	d->pid = fork();
	cr_assert_neq(d->pid, -1);
	if (!d->pid)
		serve(lfd, mode);
	close(lfd);
}

static int daemon_stop(struct daemon *d)
{
	char path[128];
	int st = -1;

	waitpid(d->pid, &st, 0);
	snprintf(path, sizeof(path), "%s/d.sock", d->dir);
	unlink(path);
	rmdir(d->dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct sink {
	struct sbuf out;
	struct sbuf err;
};

static int sink_fn(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	struct sink *k = ud;

	sbuf_add(s == ENGINE_STDERR ? &k->err : &k->out, p, n);
	return 0;
}

static struct engine *engine_at(const char *url)
{
	struct engine_config cfg = {
		.name = "fake", .url = url, .api_version = "1.41"};
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	return e;
}

Test(engine_hijack, exec_stream_copies_stdin_and_half_closes)
{
	struct daemon d;
	struct engine *e;
	struct engine_hijack *hj = NULL;
	struct sink k = {SBUF_INIT, SBUF_INIT};
	struct diag err = {0};
	int in[2];
	struct engine_stdio io = {.out = sink_fn, .out_ud = &k};

	signal(SIGPIPE, SIG_IGN);
	daemon_start(&d, 0);
	e = engine_at(d.url);
	cr_assert_eq(pipe(in), 0);
	write_all(in[1], "one two\n", 8);
	close(in[1]);
	io.in_fd = in[0];
	cr_assert_eq(engine_exec_attach(&hj, e, "abc123", false, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(engine_hijack_pump(hj, &io, &err), 0, "%s", err.msg);
	cr_assert_str_eq(k.out.buf, "ready\none two\n");
	cr_assert_str_eq(k.err.buf, "POST /v1.41/exec/abc123/start HTTP/1.1");
	engine_hijack_free(hj);
	engine_free(e);
	close(in[0]);
	cr_assert_eq(daemon_stop(&d), 0);
	sbuf_release(&k.out);
	sbuf_release(&k.err);
}

Test(engine_hijack, attach_without_stdin_still_ends)
{
	struct daemon d;
	struct engine *e;
	struct engine_hijack *hj = NULL;
	struct sink k = {SBUF_INIT, SBUF_INIT};
	struct diag err = {0};
	struct engine_stdio io = {.in_fd = -1, .out = sink_fn, .out_ud = &k};

	daemon_start(&d, 0);
	e = engine_at(d.url);
	cr_assert_eq(
		engine_container_attach(&hj, e, "c1", false, false, NULL, &err),
		0, "%s", err.msg);
	cr_assert_eq(engine_hijack_pump(hj, &io, &err), 0, "%s", err.msg);
	cr_assert_str_eq(k.out.buf, "ready\n");
	cr_assert(strstr(k.err.buf, "/containers/c1/attach?stream=1&stdout=1"
				    "&stderr=1 HTTP/1.1"),
		  "%s", k.err.buf);
	cr_assert_null(strstr(k.err.buf, "stdin=1"));
	engine_hijack_free(hj);
	engine_free(e);
	cr_assert_eq(daemon_stop(&d), 0);
	sbuf_release(&k.out);
	sbuf_release(&k.err);
}

Test(engine_hijack, tty_stream_is_raw)
{
	struct daemon d;
	struct engine *e;
	struct engine_hijack *hj = NULL;
	struct sink k = {SBUF_INIT, SBUF_INIT};
	struct diag err = {0};
	struct engine_stdio io = {.in_fd = -1, .out = sink_fn, .out_ud = &k};

	daemon_start(&d, 0);
	e = engine_at(d.url);
	cr_assert_eq(engine_exec_attach(&hj, e, "t1", true, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(engine_hijack_pump(hj, &io, &err), 0, "%s", err.msg);
	/* With a TTY nothing is a header: the frame bytes come through. */
	cr_assert_eq(k.out.len,
		     14 + 8 + strlen("POST /v1.41/exec/t1/start HTTP/1.1"));
	cr_assert_eq(k.out.buf[0], 1);
	cr_assert_eq(k.err.len, 0);
	engine_hijack_free(hj);
	engine_free(e);
	cr_assert_eq(daemon_stop(&d), 0);
	sbuf_release(&k.out);
	sbuf_release(&k.err);
}

Test(engine_hijack, error_reply_names_daemon_and_message)
{
	struct daemon d;
	struct engine *e;
	struct engine_hijack *hj = NULL;
	struct diag err = {0};

	daemon_start(&d, 1);
	e = engine_at(d.url);
	cr_assert_eq(engine_exec_attach(&hj, e, "gone", false, &err),
		     DIAG_ENOTFOUND);
	cr_assert_null(hj);
	cr_assert(strstr(err.msg, "daemon 'fake'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "/exec/gone/start"), "%s", err.msg);
	cr_assert(strstr(err.msg, "404"), "%s", err.msg);
	cr_assert(strstr(err.msg, "No such exec instance"), "%s", err.msg);
	engine_free(e);
	cr_assert_eq(daemon_stop(&d), 0);
}

Test(engine_hijack, refused_connection_is_a_transport_error)
{
	struct engine *e = engine_at("unix:///nonexistent/mixc-hijack.sock");
	struct engine_hijack *hj = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_exec_attach(&hj, e, "x", false, &err),
		     DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg, "daemon 'fake'"), "%s", err.msg);
	engine_free(e);
}

Test(engine_hijack, http_head_parses_status_and_length)
{
	static const char ok[] = "HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n"
				 "\r\nDATA";
	size_t len = 0;

	cr_assert_eq(engine_http_head(ok, sizeof(ok) - 1, &len), 101);
	cr_assert_eq(len, sizeof(ok) - 1 - 4);
	cr_assert_eq(engine_http_head(ok, 20, &len), 0); /* not complete */
	cr_assert_eq(engine_http_head("SSH-2.0-x\r\n\r\n", 13, &len), -1);
	cr_assert_eq(engine_http_head("HTTP/1.1 x\r\n\r\n", 14, &len), -1);
	cr_assert_eq(engine_http_head("HTTP/1.0 200 OK\r\n\r\n", 19, &len),
		     200);
}
