#ifndef TESTS_ENGINE_FAKE_SERVER_H
#define TESTS_ENGINE_FAKE_SERVER_H

/*
 * A tiny HTTP/1.1 server on a unix socket, in a thread, that replays
 * recorded daemon replies from the .http files of tests/fixtures/engine
 * (header lines
 * as recorded; it sets Content-Length itself).  For the engine's error
 * paths: the requests really go over a socket.
 */
#include <stddef.h>

enum fake_mode {
	FAKE_NORMAL,
	FAKE_TRUNCATE, /* promise more body than sent, then close */
	FAKE_CLOSE,    /* close without answering */
	FAKE_SLOW,     /* wait delay_ms, then answer */
	FAKE_EOF_BODY, /* no Content-Length: body until close (exec start) */
	FAKE_HANG,     /* read the request, never answer (until stopped) */
	FAKE_TRICKLE,  /* answer one byte every delay_ms */
	FAKE_HUGE,     /* a JSON array of huge_len bytes, streamed */
};

struct fake_route {
	const char *method;  /* NULL: any */
	const char *path;    /* a substring of the request target */
	const char *fixture; /* file under tests/fixtures/engine, or NULL */
	const char *body;    /* inline reply body (with 'fixture' NULL) */
	size_t body_len;
	enum fake_mode mode;
	int delay_ms;
	const char *headers; /* extra header lines for an inline reply,
				each ending in \r\n ("Api-Version: 1.12\r\n") */
	size_t huge_len;     /* FAKE_HUGE: body bytes; 0 sends no length
				and streams until the client goes */
};

struct fake_server;

/* Routes are borrowed; the first match answers.  No match: 404. */
struct fake_server *fake_start(const struct fake_route *routes, size_t n);
/* The same on an ephemeral loopback TCP port: "tcp://127.0.0.1:PORT". */
struct fake_server *fake_start_tcp(const struct fake_route *routes, size_t n);
void fake_stop(struct fake_server *fs);
/* "unix:///tmp/.../d.sock" or "tcp://127.0.0.1:PORT" */
const char *fake_url(const struct fake_server *fs);
int fake_requests(struct fake_server *fs);
int fake_connections(struct fake_server *fs);
/* The last request's target and body (copies valid until the next). */
void fake_last(struct fake_server *fs,
	       char *target,
	       size_t tsize,
	       char *body,
	       size_t bsize);

#endif
