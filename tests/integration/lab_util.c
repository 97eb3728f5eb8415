#include "lab_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define LAB_SH_TIMEOUT 120
#define LAB_HTTP_TIMEOUT 30

static long lab_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void lab_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The child side of lab_run(): wire the pipes to fds 0-2 and exec. */
static void lab_child(int in, int out, int err, char *const argv[])
{
	int devnull = open("/dev/null", O_RDWR);

	dup2(in >= 0 ? in : devnull, 0);
	dup2(out >= 0 ? out : devnull, 1);
	dup2(err >= 0 ? err : (out >= 0 ? out : devnull), 2);
	execvp(argv[0], argv);
	_exit(127);
}

/*
 * Moves data between the child's pipes and the buffers until both output
 * pipes are closed or the deadline passes; returns -1 on timeout.
 */
static int
lab_pump(int fds[3], const char *input, struct sbuf *sinks[2], long deadline)
{
	size_t in_off = 0, in_len = input ? strlen(input) : 0;
	char buf[4096];

	while (fds[1] >= 0 || fds[2] >= 0) {
		struct pollfd p[3];
		long left = deadline - lab_now_ms();

		if (left <= 0)
			return -1;
		for (int i = 0; i < 3; i++) {
			p[i].fd = fds[i];
			p[i].events = i ? POLLIN : POLLOUT;
			p[i].revents = 0;
		}
		if (poll(p, 3, (int)left) < 0 && errno != EINTR)
			return -1;
		if (p[0].revents) {
			ssize_t n =
				write(fds[0], input + in_off, in_len - in_off);

			if (n > 0)
				in_off += (size_t)n;
			if (n <= 0 || in_off == in_len)
				lab_close(&fds[0]);
		}
		for (int i = 1; i < 3; i++) {
			ssize_t n;

			if (!p[i].revents)
				continue;
			n = read(fds[i], buf, sizeof(buf));
			if (n > 0 && sinks[i - 1])
				sbuf_add(sinks[i - 1], buf, (size_t)n);
			else if (n <= 0 && !(n < 0 && errno == EINTR))
				lab_close(&fds[i]);
		}
	}
	return 0;
}

int lab_run(struct sbuf *out,
	    struct sbuf *err,
	    const char *input,
	    int timeout_s,
	    char *const argv[])
{
	int in_p[2] = {-1, -1}, out_p[2], err_p[2], status = 0;
	int fds[3];
	struct sbuf *sinks[2] = {out, err};
	pid_t pid;
	int rc;

	if ((input && pipe2(in_p, O_CLOEXEC)) || pipe2(out_p, O_CLOEXEC) ||
	    pipe2(err_p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		lab_child(in_p[0], out_p[1], err_p[1], argv);
	close(out_p[1]);
	close(err_p[1]);
	if (in_p[0] >= 0)
		close(in_p[0]);
	fds[0] = in_p[1];
	fds[1] = out_p[0];
	fds[2] = err_p[0];
	/* A closed stdin of the child must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	rc = lab_pump(fds, input, sinks, lab_now_ms() + timeout_s * 1000L);
	for (int i = 0; i < 3; i++)
		lab_close(&fds[i]);
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int lab_vsh(struct sbuf *out, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int lab_vsh(struct sbuf *out, const char *fmt, va_list ap)
{
	struct sbuf cmd = SBUF_INIT;
	int rc;

	sbuf_vaddf(&cmd, fmt, ap);
	{
		char *argv[] = {"/bin/sh", "-c", cmd.buf, NULL};

		rc = lab_run(out, out, NULL, LAB_SH_TIMEOUT, argv);
	}
	sbuf_release(&cmd);
	return rc;
}

int lab_sh(struct sbuf *out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lab_vsh(out, fmt, ap);
	va_end(ap);
	return rc;
}

int lab_docker(struct sbuf *out, const char *sock, const char *fmt, ...)
{
	struct sbuf rest = SBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	sbuf_vaddf(&rest, fmt, ap);
	va_end(ap);
	rc = lab_sh(out, "docker -H unix://%s %s", sock, rest.buf);
	sbuf_release(&rest);
	return rc;
}

/* ------------------------------------------------------------------ HTTP */

static int lab_connect_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int lab_connect_tcp(const char *host, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	sa.sin_port = htons((unsigned short)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int lab_send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Decodes a chunked body in place of 'raw' into 'out'; -1 if malformed. */
static int lab_dechunk(struct sbuf *out, const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len;

	while (p < end) {
		char *eol;
		unsigned long n = strtoul(p, &eol, 16);
		const char *data = strstr(eol, "\r\n");

		if (eol == p || !data)
			return -1;
		data += 2;
		if (n == 0)
			return 0;
		if ((size_t)(end - data) < n + 2)
			return -1;
		sbuf_add(out, data, n);
		p = data + n + 2;
	}
	return -1;
}

/* Splits the raw reply into status, head and body. */
static int lab_http_parse(struct lab_http *out, const struct sbuf *raw)
{
	const char *sep = strstr(raw->buf, "\r\n\r\n");
	const char *body;
	size_t body_len;
	char *te, *cl;

	if (!sep || strncmp(raw->buf, "HTTP/1.", 7) != 0)
		return -1;
	sbuf_add(&out->head, raw->buf, (size_t)(sep - raw->buf) + 2);
	out->status = atoi(raw->buf + 9);
	body = sep + 4;
	body_len = raw->len - (size_t)(body - raw->buf);
	te = lab_http_header(out, "Transfer-Encoding");
	cl = lab_http_header(out, "Content-Length");
	if (te && strcasecmp(te, "chunked") == 0) {
		free(te);
		free(cl);
		return lab_dechunk(&out->body, body, body_len);
	}
	if (cl && strtoul(cl, NULL, 10) < body_len)
		body_len = strtoul(cl, NULL, 10);
	sbuf_add(&out->body, body, body_len);
	free(te);
	free(cl);
	return 0;
}

static int lab_http_fd(struct lab_http *out,
		       int fd,
		       const char *method,
		       const char *path,
		       const char *json)
{
	struct timeval tv = {.tv_sec = LAB_HTTP_TIMEOUT};
	struct sbuf req = SBUF_INIT, raw = SBUF_INIT;
	char buf[8192];
	ssize_t n;
	int rc = -1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sbuf_addf(&req,
		  "%s %s HTTP/1.1\r\nHost: mixlab\r\n"
		  "User-Agent: mixcompose-lab-test\r\nConnection: close\r\n",
		  method, path);
	if (json)
		sbuf_addf(&req,
			  "Content-Type: application/json\r\n"
			  "Content-Length: %zu\r\n",
			  strlen(json));
	sbuf_adds(&req, "\r\n");
	if (json)
		sbuf_adds(&req, json);
	if (lab_send_all(fd, req.buf, req.len) < 0)
		goto out;
	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		sbuf_add(&raw, buf, (size_t)n);
	}
	rc = lab_http_parse(out, &raw);
out:
	sbuf_release(&req);
	sbuf_release(&raw);
	close(fd);
	return rc;
}

static void lab_http_init(struct lab_http *out)
{
	out->status = 0;
	sbuf_init(&out->head);
	sbuf_init(&out->body);
}

int lab_http_unix(struct lab_http *out,
		  const char *sock_path,
		  const char *method,
		  const char *path,
		  const char *json)
{
	int fd;

	lab_http_init(out);
	fd = lab_connect_unix(sock_path);
	if (fd < 0)
		return -1;
	return lab_http_fd(out, fd, method, path, json);
}

int lab_http_tcp(struct lab_http *out,
		 const char *host,
		 int port,
		 const char *method,
		 const char *path,
		 const char *json)
{
	int fd;

	lab_http_init(out);
	fd = lab_connect_tcp(host, port);
	if (fd < 0)
		return -1;
	return lab_http_fd(out, fd, method, path, json);
}

int lab_http_tcp_wait(struct lab_http *out,
		      const char *host,
		      int port,
		      const char *path,
		      int timeout_ms)
{
	long deadline = lab_now_ms() + timeout_ms;

	for (;;) {
		int rc = lab_http_tcp(out, host, port, "GET", path, NULL);

		if (rc == 0 && out->status == 200)
			return 0;
		if (lab_now_ms() >= deadline)
			return -1;
		lab_http_release(out);
		usleep(100 * 1000);
	}
}

char *lab_http_header(const struct lab_http *r, const char *name)
{
	size_t nlen = strlen(name);
	const char *start = strstr(r->head.buf, "\r\n");
	const char *end;

	if (!start)
		return NULL;
	for (start += 2; (end = strstr(start, "\r\n")) != NULL;
	     start = end + 2) {
		const char *v = start + nlen + 1;

		if ((size_t)(end - start) <= nlen || start[nlen] != ':' ||
		    strncasecmp(start, name, nlen) != 0)
			continue;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		return xstrndup(v, (size_t)(end - v));
	}
	return NULL;
}

void lab_http_release(struct lab_http *r)
{
	sbuf_release(&r->head);
	sbuf_release(&r->body);
	r->status = 0;
}

bool lab_daemon_up(const char *sock_path)
{
	struct lab_http r;
	bool up = lab_http_unix(&r, sock_path, "GET", "/_ping", NULL) == 0 &&
		  r.status == 200 && strcmp(r.body.buf, "OK") == 0;

	lab_http_release(&r);
	return up;
}

/* --------------------------------------------------------------- project */

void lab_env(void)
{
	setenv("MIXCOMPOSE_DAEMON_LINUX", LAB_LINUX_URL ",os=linux", 1);
	setenv("MIXCOMPOSE_DAEMON_WINDOWS",
	       LAB_WINDOWS_URL ",os=windows,lab=true", 1);
	unsetenv("DOCKER_HOST");
	unsetenv("COMPOSE_PROJECT_NAME");
	unsetenv("COMPOSE_FILE");
}

bool lab_ready(void)
{
	if (!lab_daemon_up(LAB_LINUX_SOCK) || !lab_daemon_up(LAB_WINDOWS_SOCK))
		return false;
	lab_env();
	return true;
}

char *lab_inspect(const char *sock, const char *name, const char *tmpl)
{
	struct sbuf out = SBUF_INIT;

	if (lab_docker(&out, sock, "inspect -f '%s' %s", tmpl, name)) {
		sbuf_release(&out);
		return NULL;
	}
	while (out.len &&
	       (out.buf[out.len - 1] == '\n' || out.buf[out.len - 1] == ' '))
		sbuf_setlen(&out, out.len - 1);
	return sbuf_detach(&out, NULL);
}

int lab_project_init(struct lab_project *p, const char *prefix, const char *tag)
{
	snprintf(p->dir, sizeof(p->dir), "/tmp/mixcompose-%s-XXXXXX", prefix);
	snprintf(p->name, sizeof(p->name), "%s-%s-%ld", prefix, tag,
		 (long)getpid());
	if (!mkdtemp(p->dir)) {
		p->dir[0] = '\0';
		return -1;
	}
	return 0;
}

int lab_project_write(const struct lab_project *p, const char *text)
{
	char path[300];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/compose.yaml", p->dir);
	if (!(f = fopen(path, "w")))
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) ? -1 : rc;
}

/* `cd DIR && mixcompose -p NAME ARGS` with 'input' (or nothing) on stdin. */
static int lab_vmc(const struct lab_project *p,
		   struct sbuf *out,
		   const char *input,
		   bool with_stderr,
		   const char *fmt,
		   va_list ap) __attribute__((format(printf, 5, 0)));

static int lab_vmc(const struct lab_project *p,
		   struct sbuf *out,
		   const char *input,
		   bool with_stderr,
		   const char *fmt,
		   va_list ap)
{
	struct sbuf cmd = SBUF_INIT;
	int rc;

	sbuf_addf(&cmd, "cd '%s' && %s -p %s ", p->dir, MIXCOMPOSE_BIN,
		  p->name);
	sbuf_vaddf(&cmd, fmt, ap);
	if (out)
		sbuf_reset(out);
	{
		char *argv[] = {"/bin/sh", "-c", cmd.buf, NULL};

		rc = lab_run(out, with_stderr ? out : NULL, input,
			     LAB_SH_TIMEOUT, argv);
	}
	sbuf_release(&cmd);
	return rc;
}

int lab_mc(const struct lab_project *p, struct sbuf *out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lab_vmc(p, out, NULL, true, fmt, ap);
	va_end(ap);
	return rc;
}

int lab_mc_stdout(const struct lab_project *p,
		  struct sbuf *out,
		  const char *fmt,
		  ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lab_vmc(p, out, NULL, false, fmt, ap);
	va_end(ap);
	return rc;
}

int lab_mc_input(const struct lab_project *p,
		 struct sbuf *out,
		 const char *input,
		 const char *fmt,
		 ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lab_vmc(p, out, input, true, fmt, ap);
	va_end(ap);
	return rc;
}

int lab_leftovers(const char *name, const char *kind)
{
	static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};
	int n = 0;

	for (size_t i = 0; i < 2; i++) {
		struct sbuf out = SBUF_INIT;
		int rc = lab_docker(
			&out, socks[i],
			"%s ls -q%s --filter "
			"label=com.docker.compose.project=%s",
			kind, strcmp(kind, "container") ? "" : " -a", name);

		for (size_t k = 0; k < out.len; k++)
			n += out.buf[k] == '\n';
		sbuf_release(&out);
		if (rc)
			return -1;
	}
	return n;
}

int lab_project_rmi(const char *name)
{
	static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

	for (size_t i = 0; i < 2; i++)
		lab_docker(NULL, socks[i],
			   "image ls -q --filter "
			   "label=com.docker.compose.project=%s | sort -u | "
			   "xargs -r docker -H unix://%s rmi -f",
			   name, socks[i]);
	return lab_leftovers(name, "image");
}

int lab_project_fini(struct lab_project *p)
{
	static const char *const kinds[] = {"container", "network", "volume"};
	int left = 0;

	if (!p->name[0])
		return 0;
	lab_env(); /* a test may have pointed the daemons elsewhere */
	lab_mc(p, NULL, "down -v -t 0 --progress quiet");
	if (p->dir[0])
		lab_sh(NULL, "rm -rf '%s'", p->dir);
	for (size_t i = 0; i < 3; i++) {
		int n = lab_leftovers(p->name, kinds[i]);

		if (n < 0)
			return -1;
		left += n;
	}
	return left;
}

/* ---- A registry of a test's own ------------------------------------------
 */

int lab_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void lab_registry_exec(const char *dir, const char *conf)
{
	char log[300];

	snprintf(log, sizeof(log), "%s/log", dir);
	if (!freopen(log, "w", stdout) || !freopen(log, "a", stderr))
		_exit(126);
	execl("/usr/bin/docker-registry", "docker-registry", "serve", conf,
	      (char *)NULL);
	_exit(127);
}

int lab_registry_start(struct lab_registry *r)
{
	char conf[300];
	FILE *f;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/mixcompose-reg-XXXXXX");
	if (access("/usr/bin/docker-registry", X_OK) || !mkdtemp(r->dir) ||
	    (r->port = lab_free_port()) < 0) {
		r->dir[0] = '\0';
		return -1;
	}
	snprintf(conf, sizeof(conf), "%s/config.yml", r->dir);
	f = fopen(conf, "w");
	if (!f) {
		lab_registry_stop(r);
		return -1;
	}
	fprintf(f,
		"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
		"    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%d\n",
		r->dir, r->port);
	fclose(f);
	r->pid = fork();
	if (r->pid < 0) {
		r->pid = 0;
		lab_registry_stop(r);
		return -1;
	}
	if (!r->pid)
		lab_registry_exec(r->dir, conf);
	for (int i = 0; i < 100; i++) {
		struct lab_http h = {0};
		int rc = lab_http_tcp(&h, "127.0.0.1", r->port, "GET", "/v2/",
				      NULL);
		int st = h.status;

		lab_http_release(&h);
		if (!rc && st == 200)
			return 0;
		usleep(100 * 1000);
	}
	lab_registry_stop(r);
	return -1;
}

void lab_registry_stop(struct lab_registry *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, NULL, 0);
	}
	if (r->dir[0])
		lab_sh(NULL, "rm -rf '%s'", r->dir);
	memset(r, 0, sizeof(*r));
}

/* ---- Scratch daemons ------------------------------------------------------
 */

#define LAB_SCRATCH_SCRIPT SOURCE_DIR "/lab/mixlab"

int lab_scratch_up(struct lab_scratch *s, const char *name, struct sbuf *out)
{
	if (s->name != name)
		snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->sock, sizeof(s->sock), LAB_RUN_DIR "/s-%s.sock", s->name);
	snprintf(s->url, sizeof(s->url), "unix://%s", s->sock);
	if (out)
		sbuf_reset(out);
	/*
	 * A restart right after a kill can lose the race with the old
	 * daemon's containerd under load (dockerd gives up on it and exits);
	 * a second start is what an operator would do, and its output is
	 * kept after the first's.
	 */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (lab_sh(out, "%s scratch-up %s", LAB_SCRATCH_SCRIPT,
			   s->name) == 0 &&
		    lab_daemon_up(s->sock))
			return 0;
		if (out)
			sbuf_adds(out, "(scratch-up failed; trying again)\n");
	}
	return -1;
}

int lab_scratch_kill(const struct lab_scratch *s, const char *sig)
{
	return lab_sh(NULL, "%s scratch-kill %s %s", LAB_SCRATCH_SCRIPT,
		      s->name, sig)
		       ? -1
		       : 0;
}

int lab_scratch_stop(const struct lab_scratch *s)
{
	return lab_sh(NULL, "%s scratch-stop %s", LAB_SCRATCH_SCRIPT, s->name)
		       ? -1
		       : 0;
}

void lab_scratch_down(struct lab_scratch *s)
{
	if (!s->name[0])
		return;
	lab_sh(NULL, "%s scratch-down %s", LAB_SCRATCH_SCRIPT, s->name);
	memset(s, 0, sizeof(*s));
}
