/*
 * Hijacked streams: interactive exec and attach.  libcurl has no notion
 * of an HTTP connection that turns into a raw socket, so the connection
 * is opened with CURLOPT_CONNECT_ONLY (which still does the unix socket,
 * TLS, or the ssh listener of transport.c), and the request and the
 * stream then go through curl_easy_send/curl_easy_recv.
 */
#include "engine/engine_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h> /* read */

#include "compat/compat.h"
#include "util/xalloc.h"

#define HIJACK_HEAD_MAX 65536
#define HIJACK_BUF 16384

struct engine_hijack {
	struct engine *e;
	CURL *h;
	curl_socket_t fd;
	bool tty;
	char *method_path; /* "POST /v1.41/exec/ID/start", for messages */
	struct sbuf pre;   /* stream bytes that came with the reply head */
	char errbuf[CURL_ERROR_SIZE];
};

long engine_http_head(const char *buf, size_t len, size_t *head_len)
{
	const char *end = NULL, *p;
	long status = 0;

	for (size_t i = 0; i + 3 < len; i++)
		if (!memcmp(buf + i, "\r\n\r\n", 4)) {
			end = buf + i + 4;
			break;
		}
	if (len >= 5 && strncmp(buf, "HTTP/", 5) != 0)
		return -1;
	if (!end)
		return 0;
	p = memchr(buf, ' ', (size_t)(end - buf));
	if (!p)
		return -1;
	for (p++; isdigit((unsigned char)*p); p++)
		status = status * 10 + (*p - '0');
	if (status < 100 || status > 999)
		return -1;
	*head_len = (size_t)(end - buf);
	return status;
}

static long long now_ms(void)
{
	return compat_now_ms();
}

static int hj_error(const struct engine_hijack *hj,
		    struct diag *err,
		    CURLcode cc,
		    const char *what)
{
	const char *why = hj->errbuf[0] ? hj->errbuf : curl_easy_strerror(cc);

	return diag_set(err, DIAG_ETRANSPORT, NULL, "daemon '%s': %s: %s: %s",
			hj->e->name, hj->method_path, what, why);
}

/* Waits until the socket is ready for 'events'; -1 after 'deadline'. */
static int wait_fd(curl_socket_t fd, bool for_write, long long deadline)
{
	long long left = deadline ? deadline - now_ms() : 1000;

	if (left <= 0)
		return -1;
	return compat_sock_wait((compat_sock)fd, for_write, (long)left) < 0 ? -1
									    : 0;
}

static int
send_all(struct engine_hijack *hj, const char *p, size_t n, struct diag *err)
{
	while (n) {
		size_t sent = 0;
		CURLcode cc = curl_easy_send(hj->h, p, n, &sent);

		if (cc == CURLE_AGAIN) {
			wait_fd(hj->fd, true, 0);
			continue;
		}
		if (cc != CURLE_OK)
			return hj_error(hj, err, cc, "cannot send");
		p += sent;
		n -= sent;
	}
	return 0;
}

/*
 * One recv: 1 with data in '*got', 0 at EOF, -2 when nothing is there
 * yet (CURLE_AGAIN), or an error code.
 */
static int recv_some(struct engine_hijack *hj,
		     char *buf,
		     size_t size,
		     size_t *got,
		     struct diag *err)
{
	CURLcode cc;

	*got = 0;
	cc = curl_easy_recv(hj->h, buf, size, got);
	if (cc == CURLE_AGAIN)
		return -2;
	if (cc != CURLE_OK)
		return hj_error(hj, err, cc, "cannot read the stream");
	return *got ? 1 : 0;
}

/* The body of an error reply: by Content-Length, or up to the close. */
static void error_body(struct engine_hijack *hj,
		       struct sbuf *body,
		       const char *head,
		       long long deadline)
{
	const char *cl = NULL;
	size_t want = HIJACK_HEAD_MAX;
	char buf[4096];

	for (const char *p = head; (p = strchr(p, '\n')); p++)
		if (!strncasecmp(p + 1, "Content-Length:", 15)) {
			cl = p + 16;
			break;
		}
	if (cl)
		want = (size_t)strtoul(cl, NULL, 10);
	/* Only the message matters: no daemon makes us hold more. */
	if (want > ENGINE_REPLY_MAX)
		want = ENGINE_REPLY_MAX;
	while (body->len < want) {
		size_t got;
		int r = recv_some(hj, buf, sizeof(buf), &got, NULL);

		if (r == -2 && !wait_fd(hj->fd, false, deadline))
			continue;
		if (r != 1)
			break;
		sbuf_add(body, buf, got);
	}
}

/* Reads the reply head; any stream bytes after it stay in hj->pre. */
static int read_head(struct engine_hijack *hj, struct diag *err)
{
	long long deadline = now_ms() + hj->e->request_timeout_ms;
	struct sbuf in = SBUF_INIT;
	size_t head_len = 0;
	long status = 0;
	char buf[4096];
	int rc = 0;

	while (!status) {
		size_t got;
		int r = recv_some(hj, buf, sizeof(buf), &got, err);

		if (r == -2) {
			if (wait_fd(hj->fd, false, deadline)) {
				rc = diag_set(err, DIAG_ETRANSPORT, NULL,
					      "daemon '%s': %s: no answer "
					      "within %ld ms",
					      hj->e->name, hj->method_path,
					      hj->e->request_timeout_ms);
				goto out;
			}
			continue;
		}
		if (r <= 0) {
			rc = r ? r
			       : diag_set(err, DIAG_ETRANSPORT, NULL,
					  "daemon '%s': %s: the connection "
					  "closed before a reply",
					  hj->e->name, hj->method_path);
			goto out;
		}
		sbuf_add(&in, buf, got);
		status = engine_http_head(in.buf, in.len, &head_len);
		if (status < 0 || (!status && in.len > HIJACK_HEAD_MAX)) {
			rc = diag_set(err, DIAG_EENGINE, NULL,
				      "daemon '%s': %s: the reply is not HTTP",
				      hj->e->name, hj->method_path);
			goto out;
		}
	}
	if (status == 101 || status == 200) {
		sbuf_add(&hj->pre, in.buf + head_len, in.len - head_len);
	} else {
		struct sbuf body = SBUF_INIT;
		const char *sp = strchr(hj->method_path, ' ');

		in.buf[head_len - 2] = '\0';
		sbuf_add(&body, in.buf + head_len, in.len - head_len);
		error_body(hj, &body, in.buf, deadline);
		rc = engine_http_error(err, hj->e->name, "POST",
				       sp ? sp + 1 : hj->method_path, status,
				       body.buf, body.len);
		sbuf_release(&body);
	}
out:
	sbuf_release(&in);
	return rc;
}

static int connect_only(struct engine_hijack *hj, struct diag *err)
{
	struct engine *e = hj->e;
	struct sbuf url = SBUF_INIT;
	CURLcode cc;

	hj->h = curl_easy_init();
	sbuf_addf(&url, "%s/", e->base);
	curl_easy_setopt(hj->h, CURLOPT_URL, url.buf);
	sbuf_release(&url);
	curl_easy_setopt(hj->h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(hj->h, CURLOPT_ERRORBUFFER, hj->errbuf);
	curl_easy_setopt(hj->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(hj->h, CURLOPT_CONNECTTIMEOUT_MS,
			 e->connect_timeout_ms);
	eng_transport_setup(e, hj->h);
	if (getenv("MIXCOMPOSE_CURL_VERBOSE"))
		curl_easy_setopt(hj->h, CURLOPT_VERBOSE, 1L);
	cc = curl_easy_perform(hj->h);
	if (cc == CURLE_OK)
		cc = curl_easy_getinfo(hj->h, CURLINFO_ACTIVESOCKET, &hj->fd);
	if (cc != CURLE_OK) {
		const char *ssh = eng_transport_hint(e);

		if (*ssh)
			return diag_set(err, DIAG_ETRANSPORT, NULL,
					"daemon '%s': %s: cannot connect to "
					"%s: %s",
					e->name, hj->method_path, e->url, ssh);
		return hj_error(hj, err, cc, "cannot connect");
	}
	return 0;
}

/* Connects, sends 'path' (versioned here) with 'body', reads the 101. */
static int hijack_open(struct engine_hijack **out,
		       struct engine *e,
		       const char *path,
		       const char *body,
		       bool tty,
		       struct diag *err)
{
	struct engine_hijack *hj = xcalloc(1, sizeof(*hj));
	const char *host = strstr(e->base, "://");
	struct sbuf req = SBUF_INIT;
	int rc;

	*out = NULL;
	if (engine_dry_run()) {
		free(hj);
		return diag_set(err, DIAG_EUSAGE, NULL,
				"%s: --dry-run attaches to nothing", e->name);
	}
	hj->e = e;
	hj->tty = tty;
	hj->fd = CURL_SOCKET_BAD;
	sbuf_init(&hj->pre);
	sbuf_addf(&req, "POST /v%s%s", e->api, path);
	hj->method_path = sbuf_detach(&req, NULL);
	if (!e->negotiated) {
		rc = diag_set(err, DIAG_EENGINE, NULL,
			      "daemon '%s': %s: no API version negotiated yet",
			      e->name, hj->method_path);
		goto fail;
	}
	rc = connect_only(hj, err);
	if (rc)
		goto fail;
	sbuf_addf(&req,
		  "%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mixcompose\r\n"
		  "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		  "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n%s",
		  hj->method_path, host ? host + 3 : "docker", strlen(body),
		  body);
	rc = send_all(hj, req.buf, req.len, err);
	sbuf_release(&req);
	if (!rc)
		rc = read_head(hj, err);
	if (rc)
		goto fail;
	*out = hj;
	return 0;
fail:
	engine_hijack_free(hj);
	return rc;
}

void engine_hijack_free(struct engine_hijack *hj)
{
	if (!hj)
		return;
	if (hj->h)
		curl_easy_cleanup(hj->h);
	sbuf_release(&hj->pre);
	free(hj->method_path);
	free(hj);
}

int engine_exec_attach(struct engine_hijack **out,
		       struct engine *e,
		       const char *exec_id,
		       bool tty,
		       struct diag *err)
{
	struct sbuf path = SBUF_INIT;
	char body[48];
	int rc;

	sbuf_adds(&path, "/exec/");
	eng_escape(&path, exec_id);
	sbuf_adds(&path, "/start");
	snprintf(body, sizeof(body), "{\"Detach\":false,\"Tty\":%s}",
		 tty ? "true" : "false");
	rc = hijack_open(out, e, path.buf, body, tty, err);
	sbuf_release(&path);
	return rc;
}

int engine_container_attach(struct engine_hijack **out,
			    struct engine *e,
			    const char *id,
			    bool tty,
			    bool with_stdin,
			    const char *detach_keys,
			    struct diag *err)
{
	struct sbuf path = SBUF_INIT;
	int rc;

	sbuf_adds(&path, "/containers/");
	eng_escape(&path, id);
	sbuf_addf(&path, "/attach?stream=1&stdout=1&stderr=1%s",
		  with_stdin ? "&stdin=1" : "");
	if (detach_keys) {
		sbuf_adds(&path, "&detachKeys=");
		eng_escape(&path, detach_keys);
	}
	rc = hijack_open(out, e, path.buf, "", tty, err);
	sbuf_release(&path);
	return rc;
}

/* ---- The pump ----------------------------------------------------------- */

struct pump {
	struct engine_hijack *hj;
	const struct engine_stdio *io;
	struct engine_demux dm;
	bool in_open;
	bool eof;
};

/* Everything the connection has now (TLS may hold more than poll shows). */
static int pump_read(struct pump *p, struct diag *err)
{
	char buf[HIJACK_BUF];

	for (;;) {
		size_t got;
		int r = recv_some(p->hj, buf, sizeof(buf), &got, err);

		if (r == -2)
			return 0;
		if (r < 0 && r != -2)
			return r;
		if (r == 0) {
			p->eof = true;
			return 0;
		}
		/* An output callback that stops ends the session too. */
		if (engine_demux_feed(&p->dm, buf, got)) {
			p->eof = true;
			return 0;
		}
	}
}

/*
 * At EOF the write side closes and the read side stays: under TLS too,
 * since dockerd reads a clean TCP EOF between records as the end.
 */
static int pump_stdin(struct pump *p, struct diag *err)
{
	char buf[HIJACK_BUF];
	ssize_t n = read(p->io->in_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		p->in_open = false;
		compat_shutdown_write((compat_sock)p->hj->fd);
		return 0;
	}
	return send_all(p->hj, buf, (size_t)n, err);
}

int engine_hijack_pump(struct engine_hijack *hj,
		       const struct engine_stdio *io,
		       struct diag *err)
{
	struct pump p = {.hj = hj, .io = io, .in_open = io->in_fd >= 0};
	long tick = io->tick_ms > 0 ? io->tick_ms : 250;
	int rc = 0;

	engine_demux_init(&p.dm, hj->tty, io->out, io->out_ud);
	if (hj->pre.len && engine_demux_feed(&p.dm, hj->pre.buf, hj->pre.len))
		p.eof = true;
	sbuf_release(&hj->pre);
	if (!p.in_open)
		compat_shutdown_write((compat_sock)hj->fd);
	while (!rc && !p.eof) {
		bool sock_ready, in_ready;
		int n = compat_poll2((compat_sock)hj->fd,
				     p.in_open ? io->in_fd : -1, tick,
				     &sock_ready, &in_ready);

		if (io->tick && io->tick(io->tick_ud))
			return diag_set(err, DIAG_EINTR, NULL, "interrupted");
		if (n < 0)
			return diag_set(err, DIAG_ETRANSPORT, NULL, "poll: %s",
					strerror(errno));
		if (n == 0)
			continue;
		if (sock_ready)
			rc = pump_read(&p, err);
		if (!rc && !p.eof && p.in_open && in_ready)
			rc = pump_stdin(&p, err);
	}
	return rc;
}

/* ---- Resize and wait ---------------------------------------------------- */

static int resize(struct engine *e,
		  const char *kind,
		  const char *id,
		  unsigned rows,
		  unsigned cols,
		  struct diag *err)
{
	struct eng_sync s = {.err = err};
	struct sbuf p = SBUF_INIT;
	struct ereq *r;

	eng_escape(&p, id);
	r = ereq_new(eng_own_loop(e), e, "POST", false,
		     "/%s/%s/resize?h=%u&w=%u", kind, p.buf, rows, cols);
	sbuf_release(&p);
	eng_call_done(r, eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

int engine_exec_resize(struct engine *e,
		       const char *exec_id,
		       unsigned rows,
		       unsigned cols,
		       struct diag *err)
{
	return resize(e, "exec", exec_id, rows, cols, err);
}

int engine_container_resize(struct engine *e,
			    const char *id,
			    unsigned rows,
			    unsigned cols,
			    struct diag *err)
{
	return resize(e, "containers", id, rows, cols, err);
}

struct engine_waiter {
	struct engine *e;
	struct ereq *r; /* NULL once complete */
	bool done;
	bool abandoned; /* freed by its callback */
	int rc;
	int code;
	struct diag err;
};

static void waiter_cb(void *ud,
		      int rc,
		      int code,
		      const char *out,
		      size_t len,
		      const struct diag *err)
{
	struct engine_waiter *w = ud;

	(void)out;
	(void)len;
	if (w->abandoned) {
		free(w);
		return;
	}
	w->r = NULL;
	w->done = true;
	w->rc = rc;
	w->code = code;
	if (rc && err)
		w->err = *err;
}

int engine_container_wait_begin(struct engine_waiter **out,
				struct engine *e,
				const char *id,
				const char *condition,
				struct diag *err)
{
	struct engine_waiter *w = xcalloc(1, sizeof(*w));
	struct engine_loop *l = eng_own_loop(e);
	long long deadline = now_ms() + 5000;

	w->e = e;
	w->r = eng_container_wait_req(l, e, id, condition, waiter_cb, w);
	/*
	 * dockerd flushes the head at once; a proxy that holds it back must
	 * not hang us: after a while the request has been sent anyway.
	 */
	while (!w->done && !w->r->headers_done && now_ms() < deadline)
		engine_loop_step(l, 100);
	if (w->done && w->rc) {
		int rc = w->rc;

		if (err)
			*err = w->err;
		free(w);
		*out = NULL;
		return rc;
	}
	*out = w;
	return 0;
}

int engine_waiter_finish(struct engine_waiter *w,
			 int *out_exit,
			 struct diag *err)
{
	int rc;

	if (!w)
		return 0;
	eng_sync_wait(eng_own_loop(w->e), &w->done);
	rc = w->rc;
	if (rc && err)
		*err = w->err;
	if (out_exit)
		*out_exit = w->code;
	free(w);
	return rc;
}

void engine_waiter_free(struct engine_waiter *w)
{
	if (!w)
		return;
	/* Still in the loop: its callback frees it, even on a cancel. */
	if (!w->done)
		w->abandoned = true;
	else
		free(w);
}
