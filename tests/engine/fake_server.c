/* The fake daemon of fake_server.h. */
#include "fake_server.h"

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

struct fake_server {
	struct fake_route *routes; /* a copy: replies may outlive the caller */
	size_t n_routes;
	char dir[64];
	char path[128];
	char url[160];
	int lfd;
	int stop_pipe[2];
	pthread_t acceptor;
	pthread_mutex_t mu;
	pthread_t threads[MAX_CONNS];
	int fds[MAX_CONNS];
	int n_threads;
	int requests;
	char last_target[1024];
	char last_body[8192];
};

struct conn {
	struct fake_server *fs;
	int fd;
};

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static char *load_fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/engine/%s", TEST_FIXTURES_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Waits up to 'ms' (-1: for ever); true when the peer or fake_stop() went. */
static bool peer_gone(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
	char c;

	if (poll(&p, 1, ms) <= 0)
		return false;
	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

/* '[' then '{"Id":"...."},' elements up to 'len' bytes, then ']'. */
static void send_huge(int fd, size_t len)
{
	static const char elem[] = "{\"Id\":\"0123456789abcdef0123456789"
				   "abcdef0123456789abcdef0123456789abcdef\"},";
	char chunk[65536];
	size_t fill = 0, sent = 0;

	while (fill + sizeof(elem) - 1 <= sizeof(chunk)) {
		memcpy(chunk + fill, elem, sizeof(elem) - 1);
		fill += sizeof(elem) - 1;
	}
	if (write_all(fd, "[", 1))
		return;
	sent = 1;
	while (!len || sent + fill < len - 1) {
		if (write_all(fd, chunk, fill))
			return;
		sent += fill;
	}
	write_all(fd, chunk, len - 1 - sent - 1);
	write_all(fd, "]", 1);
}

static void reply_slowly(int fd, const char *p, size_t n, int delay_ms)
{
	for (size_t i = 0; i < n; i++) {
		if (write_all(fd, p + i, 1) || peer_gone(fd, delay_ms))
			return;
	}
}

/* Sends the fixture's head (CRLF, our own framing) and body. */
static void reply(int fd, const struct fake_route *r)
{
	char head[4096];
	size_t hl = 0, len = 0, blen;
	char *text = NULL, *body, *line, *save = NULL;
	const char *status = "HTTP/1.1 200 OK";

	if (r->fixture) {
		text = load_fixture(r->fixture, &len);
		if (!text) {
			fprintf(stderr, "fake: no fixture %s\n", r->fixture);
			return;
		}
		body = strstr(text, "\n\n");
		if (body) {
			*body = '\0';
			body += 2;
		} else {
			body = text + len;
		}
		blen = len - (size_t)(body - text);
	} else {
		body = (char *)r->body;
		blen = r->body_len ? r->body_len
				   : (r->body ? strlen(r->body) : 0);
	}
	line = text ? strtok_r(text, "\n", &save) : NULL;
	hl += (size_t)snprintf(head, sizeof(head), "%s\r\n",
			       line ? line : status);
	while (line && (line = strtok_r(NULL, "\n", &save))) {
		if (!strncasecmp(line, "Content-Length:", 15) ||
		    !strncasecmp(line, "Transfer-Encoding:", 18))
			continue;
		hl += (size_t)snprintf(head + hl, sizeof(head) - hl, "%s\r\n",
				       line);
	}
	if (r->headers)
		hl += (size_t)snprintf(head + hl, sizeof(head) - hl, "%s",
				       r->headers);
	if (r->mode == FAKE_HUGE)
		blen = r->huge_len;
	if (r->mode == FAKE_EOF_BODY || (r->mode == FAKE_HUGE && !blen))
		hl += (size_t)snprintf(head + hl, sizeof(head) - hl,
				       "Connection: close\r\n\r\n");
	else
		hl += (size_t)snprintf(
			head + hl, sizeof(head) - hl,
			"Content-Length: %zu\r\n\r\n",
			blen + (r->mode == FAKE_TRUNCATE ? 100 : 0));
	if (r->mode == FAKE_TRICKLE) {
		reply_slowly(fd, head, hl, r->delay_ms);
		reply_slowly(fd, body, blen, r->delay_ms);
	} else if (r->mode == FAKE_HUGE) {
		if (!write_all(fd, head, hl))
			send_huge(fd, blen);
	} else if (!write_all(fd, head, hl)) {
		write_all(fd, body, blen);
	}
	free(text);
}

static const struct fake_route *
route(struct fake_server *fs, const char *method, const char *target)
{
	static const struct fake_route none = {
		.body = "{\"message\":\"page not found\"}",
		.fixture = NULL,
	};

	for (size_t i = 0; i < fs->n_routes; i++) {
		const struct fake_route *r = &fs->routes[i];

		if ((!r->method || !strcmp(r->method, method)) &&
		    strstr(target, r->path))
			return r;
	}
	return &none;
}

/* Reads one request; returns 0 at EOF. */
static int read_request(int fd,
			char *buf,
			size_t size,
			char *method,
			char *target,
			size_t *body_at,
			size_t *total)
{
	size_t n = 0, clen = 0;
	char *end = NULL, *cl;

	while (!end) {
		ssize_t r = recv(fd, buf + n, size - 1 - n, 0);

		if (r <= 0)
			return 0;
		n += (size_t)r;
		buf[n] = '\0';
		/* A TLS ClientHello: answer as a plaintext HTTP server would. */
		if ((unsigned char)buf[0] == 0x16) {
			write_all(fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
			return 0;
		}
		end = strstr(buf, "\r\n\r\n");
	}
	*body_at = (size_t)(end + 4 - buf);
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl && cl < end)
		clen = strtoul(cl + 17, NULL, 10);
	while (n < *body_at + clen && n < size - 1) {
		ssize_t r = recv(fd, buf + n, size - 1 - n, 0);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*total = n;
	sscanf(buf, "%15s %1023s", method, target);
	return 1;
}

static void *conn_main(void *ud)
{
	struct conn *c = ud;
	struct fake_server *fs = c->fs;
	static __thread char buf[65536];
	char method[16], target[1024];
	size_t body_at, total;

	while (read_request(c->fd, buf, sizeof(buf), method, target, &body_at,
			    &total)) {
		const struct fake_route *r = route(fs, method, target);

		pthread_mutex_lock(&fs->mu);
		fs->requests++;
		snprintf(fs->last_target, sizeof(fs->last_target), "%s",
			 target);
		snprintf(fs->last_body, sizeof(fs->last_body), "%s",
			 buf + body_at);
		pthread_mutex_unlock(&fs->mu);
		if (r->mode == FAKE_CLOSE)
			break;
		if (r->mode == FAKE_HANG) {
			peer_gone(c->fd, -1);
			break;
		}
		if (r->mode == FAKE_SLOW)
			sleep_ms(r->delay_ms);
		reply(c->fd, r);
		if (r->mode == FAKE_TRUNCATE || r->mode == FAKE_EOF_BODY ||
		    r->mode == FAKE_HUGE || r->mode == FAKE_TRICKLE)
			break;
	}
	shutdown(c->fd, SHUT_RDWR);
	free(c);
	return NULL;
}

static void *accept_main(void *ud)
{
	struct fake_server *fs = ud;
	struct pollfd p[2] = {{fs->lfd, POLLIN, 0},
			      {fs->stop_pipe[0], POLLIN, 0}};

	for (;;) {
		struct conn *c;
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept(fs->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&fs->mu);
		if (fs->n_threads == MAX_CONNS) {
			pthread_mutex_unlock(&fs->mu);
			close(fd);
			continue;
		}
		c = malloc(sizeof(*c));
		c->fs = fs;
		c->fd = fd;
		fs->fds[fs->n_threads] = fd;
		pthread_create(&fs->threads[fs->n_threads++], NULL, conn_main,
			       c);
		pthread_mutex_unlock(&fs->mu);
	}
	return NULL;
}

static struct fake_server *fake_new(const struct fake_route *routes, size_t n)
{
	struct fake_server *fs = calloc(1, sizeof(*fs));

	fs->routes = calloc(n + 1, sizeof(*routes));
	memcpy(fs->routes, routes, n * sizeof(*routes));
	fs->n_routes = n;
	return fs;
}

static struct fake_server *fake_run(struct fake_server *fs)
{
	if (listen(fs->lfd, 512) || pipe(fs->stop_pipe))
		abort();
	pthread_mutex_init(&fs->mu, NULL);
	pthread_create(&fs->acceptor, NULL, accept_main, fs);
	return fs;
}

struct fake_server *fake_start(const struct fake_route *routes, size_t n)
{
	struct fake_server *fs = fake_new(routes, n);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	snprintf(fs->dir, sizeof(fs->dir), "/tmp/mixfake.XXXXXX");
	if (!mkdtemp(fs->dir))
		abort();
	snprintf(fs->path, sizeof(fs->path), "%s/d.sock", fs->dir);
	snprintf(fs->url, sizeof(fs->url), "unix://%s", fs->path);
	memcpy(sa.sun_path, fs->path, strlen(fs->path) + 1);
	fs->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(fs->lfd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	return fake_run(fs);
}

struct fake_server *fake_start_tcp(const struct fake_route *routes, size_t n)
{
	struct fake_server *fs = fake_new(routes, n);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fs->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(fs->lfd, (struct sockaddr *)&sa, len) ||
	    getsockname(fs->lfd, (struct sockaddr *)&sa, &len))
		abort();
	snprintf(fs->url, sizeof(fs->url), "tcp://127.0.0.1:%d",
		 ntohs(sa.sin_port));
	return fake_run(fs);
}

void fake_stop(struct fake_server *fs)
{
	if (!fs)
		return;
	if (write(fs->stop_pipe[1], "x", 1) != 1)
		abort();
	pthread_join(fs->acceptor, NULL);
	for (int i = 0; i < fs->n_threads; i++) {
		shutdown(fs->fds[i], SHUT_RDWR);
		pthread_join(fs->threads[i], NULL);
		close(fs->fds[i]);
	}
	close(fs->lfd);
	close(fs->stop_pipe[0]);
	close(fs->stop_pipe[1]);
	if (fs->path[0]) {
		unlink(fs->path);
		rmdir(fs->dir);
	}
	pthread_mutex_destroy(&fs->mu);
	free(fs->routes);
	free(fs);
}

const char *fake_url(const struct fake_server *fs)
{
	return fs->url;
}

int fake_requests(struct fake_server *fs)
{
	int n;

	pthread_mutex_lock(&fs->mu);
	n = fs->requests;
	pthread_mutex_unlock(&fs->mu);
	return n;
}

int fake_connections(struct fake_server *fs)
{
	int n;

	pthread_mutex_lock(&fs->mu);
	n = fs->n_threads;
	pthread_mutex_unlock(&fs->mu);
	return n;
}

void fake_last(struct fake_server *fs,
	       char *target,
	       size_t tsize,
	       char *body,
	       size_t bsize)
{
	pthread_mutex_lock(&fs->mu);
	if (target)
		snprintf(target, tsize, "%s", fs->last_target);
	if (body)
		snprintf(body, bsize, "%s", fs->last_body);
	pthread_mutex_unlock(&fs->mu);
}
