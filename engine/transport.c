/*
 * Transports: how a request reaches a daemon for each kind of URL.  unix://
 * and tcp:// are plain libcurl; ssh:// runs `ssh ... docker system
 * dial-stdio` as the docker CLI does, with curl's connection on the child's
 * stdin and stdout; npipe:// (Windows builds) relays curl's connection to
 * the named pipe.  Both go through a dial of the platform layer
 * (compat_dial_command, compat_dial_pipe).
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* access */

#include "compat/compat.h"
#include "util/xalloc.h"

/* ---- URLs --------------------------------------------------------------- */

static int parse_port(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0 || v > 65535)
		return -1;
	*out = (int)v;
	return 0;
}

/* "host[:port]" or "[v6]:port" of 'hp' (length n). */
static int parse_hostport(struct engine_url *u, const char *hp, size_t n)
{
	const char *colon = NULL;
	int rc = 0;

	if (n && hp[0] == '[') {
		const char *close = memchr(hp, ']', n);

		if (!close)
			return -1;
		u->host = xstrndup(hp, (size_t)(close - hp) + 1);
		if ((size_t)(close - hp) + 1 < n) {
			if (close[1] != ':')
				return -1;
			colon = close + 1;
		}
	} else {
		colon = memchr(hp, ':', n);
		u->host = xstrndup(hp, colon ? (size_t)(colon - hp) : n);
	}
	if (!*u->host)
		return -1;
	if (colon) {
		char *port = xstrndup(colon + 1, n - (size_t)(colon + 1 - hp));
		rc = parse_port(port, &u->port);
		free(port);
	}
	return rc;
}

static int parse_ssh(struct engine_url *u, const char *rest)
{
	const char *at, *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

	at = memchr(rest, '@', n);
	if (at) {
		u->user = xstrndup(rest, (size_t)(at - rest));
		if (!*u->user)
			return -1;
		n -= (size_t)(at + 1 - rest);
		rest = at + 1;
	}
	if (parse_hostport(u, rest, n))
		return -1;
	if (slash && slash[1])
		u->path = xstrdup(slash);
	return 0;
}

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

/*
 * "//HOST/pipe/NAME" with slashes or backslashes, separators possibly
 * doubled (the seed's "//./pipe//docker_lcow"), as the docker CLI takes it.
 */
static bool npipe_ok(const char *p)
{
	size_t n;

	if (!is_sep(p[0]) || !is_sep(p[1]))
		return false;
	p += 2;
	n = strcspn(p, "/\\");
	if (!n)
		return false;
	for (p += n; is_sep(*p); p++)
		;
	if (strncmp(p, "pipe", 4) || !is_sep(p[4]))
		return false;
	for (p += 4; is_sep(*p); p++)
		;
	return *p != '\0';
}

int engine_url_parse(struct engine_url *out, const char *url, struct diag *err)
{
	struct engine_url u = {0};
	int bad = 0;

	if (!strncmp(url, "unix://", 7)) {
		u.kind = ENGINE_URL_UNIX;
		u.path = xstrdup(url + 7);
		bad = u.path[0] != '/';
	} else if (!strncmp(url, "tcp://", 6) || !strncmp(url, "http://", 7) ||
		   !strncmp(url, "https://", 8)) {
		const char *hp = strstr(url, "://") + 3;
		const char *slash = strchr(hp, '/');

		u.kind = ENGINE_URL_TCP;
		bad = parse_hostport(&u, hp,
				     slash ? (size_t)(slash - hp) : strlen(hp));
	} else if (!strncmp(url, "ssh://", 6)) {
		u.kind = ENGINE_URL_SSH;
		bad = parse_ssh(&u, url + 6);
	} else if (!strncmp(url, "npipe://", 8)) {
		u.kind = ENGINE_URL_NPIPE;
		u.path = xstrdup(url + 8);
		bad = !npipe_ok(u.path);
	} else {
		engine_url_release(&u);
		return diag_set(err, DIAG_EUSAGE, NULL,
				"'%s' is not a daemon URL (want unix://, "
				"tcp://, ssh:// or npipe://)",
				url);
	}
	if (bad) {
		engine_url_release(&u);
		return diag_set(err, DIAG_EUSAGE, NULL,
				"'%s' is not a valid daemon URL", url);
	}
	*out = u;
	return 0;
}

void engine_url_release(struct engine_url *u)
{
	free(u->host);
	free(u->user);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* ---- Set-up per URL kind ------------------------------------------------ */

struct argv {
	char **v;
	size_t n;
	size_t alloc;
};

static void push(struct argv *a, const char *s)
{
	ALLOC_GROW(a->v, a->n + 2, a->alloc);
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static char **split_opts(const char *s)
{
	struct argv a = {xcalloc(1, sizeof(char *)), 0, 1};

	while (s && *s) {
		size_t len;
		char *word;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (!len)
			break;
		word = xstrndup(s, len);
		push(&a, word);
		free(word);
		s += len;
	}
	return a.v;
}

/*
 * unix:// and ssh:// need no host name, but curl counts connections per
 * host name: each engine gets its own, so that the per-daemon limit is
 * per daemon.
 */
static void placeholder_host(struct engine *e)
{
	static unsigned counter;

	snprintf(e->base, sizeof(e->base), "http://docker-%u", ++counter);
}

/*
 * Verification asked with a cert directory: its three files must be there,
 * or TLS would go on without them (the system CAs trusted, no client
 * certificate sent).  The docker CLI stops with "could not read CA
 * certificate"; we do so for each of the three.
 */
static int tls_files_check(const struct engine *e, struct diag *err)
{
	static const struct {
		const char *file, *what;
	} files[] = {{"ca.pem", "CA certificate"},
		     {"cert.pem", "client certificate"},
		     {"key.pem", "client key"}};
	char path[4096];

	if (!e->tls || !e->tls_verify || !e->cert_path ||
	    e->cert_files_optional)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->cert_path,
			 files[i].file);
		if (access(path, R_OK))
			return diag_set(err, DIAG_EIO, NULL,
					"could not read %s '%s': %s",
					files[i].what, path, strerror(errno));
	}
	return 0;
}

int eng_transport_init(struct engine *e, struct diag *err)
{
	struct engine_url *u = &e->u;
	char resolve[96];

	/* Each connection of ssh:// and npipe:// is a child or a relay: one,
	 * kept alive, carries every GET of a loop. */
	e->read_slots = u->kind == ENGINE_URL_SSH || u->kind == ENGINE_URL_NPIPE
				? 1
				: ENGINE_READ_SLOTS;
	switch (u->kind) {
	case ENGINE_URL_NPIPE:
		if (!compat_has_npipe())
			return diag_set(err, DIAG_EUSAGE, NULL,
					"npipe:// needs a Windows client; this "
					"build cannot open '%s'; use ssh:// or "
					"tcp:// to reach a Windows daemon from "
					"here",
					e->url);
		placeholder_host(e);
		snprintf(resolve, sizeof(resolve), "%s:80:127.0.0.1",
			 e->base + strlen("http://"));
		e->resolve = curl_slist_append(NULL, resolve);
		return 0;
	case ENGINE_URL_UNIX:
		placeholder_host(e);
		return 0;
	case ENGINE_URL_TCP:
		if (eng_url_is_https(e->url))
			e->tls = true;
		if (!u->port)
			u->port = e->tls ? 2376 : 2375;
		snprintf(e->base, sizeof(e->base), "%s://%s:%d",
			 e->tls ? "https" : "http", u->host, u->port);
		return tls_files_check(e, err);
	case ENGINE_URL_SSH:
		placeholder_host(e);
		/* No DNS for the placeholder host: the socket is our pipe. */
		snprintf(resolve, sizeof(resolve), "%s:80:127.0.0.1",
			 e->base + strlen("http://"));
		e->resolve = curl_slist_append(NULL, resolve);
		e->ssh_extra =
			split_opts(e->ssh_opts ? e->ssh_opts
					       : getenv("MIXCOMPOSE_SSH_OPTS"));
		return 0;
	}
	return 0;
}

static void reap(struct engine *e, size_t i);

void eng_transport_release(struct engine *e)
{
	while (e->n_kids)
		reap(e, e->n_kids - 1);
	free(e->kids);
	e->kids = NULL;
	if (e->ssh_extra)
		for (char **p = e->ssh_extra; *p; p++)
			free(*p);
	free(e->ssh_extra);
	e->ssh_extra = NULL;
	curl_slist_free_all(e->resolve);
	e->resolve = NULL;
}

static void tls_file(CURL *h, CURLoption opt, const char *dir, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (access(path, R_OK) == 0)
		curl_easy_setopt(h, opt, path);
}

static curl_socket_t
dial_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr);
static int dial_close(void *ud, curl_socket_t fd);

void eng_transport_setup(struct engine *e, CURL *h)
{
	switch (e->u.kind) {
	case ENGINE_URL_UNIX:
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, e->u.path);
		break;
	case ENGINE_URL_TCP:
		/* Streams (logs -f, events) idle for long; keep NATs aware. */
		curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
		if (!e->tls)
			break;
		if (e->cert_path) {
			tls_file(h, CURLOPT_CAINFO, e->cert_path, "ca.pem");
			tls_file(h, CURLOPT_SSLCERT, e->cert_path, "cert.pem");
			tls_file(h, CURLOPT_SSLKEY, e->cert_path, "key.pem");
		}
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER,
				 e->tls_verify ? 1L : 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST,
				 e->tls_verify ? 2L : 0L);
		break;
	case ENGINE_URL_SSH:
	case ENGINE_URL_NPIPE:
		curl_easy_setopt(h, CURLOPT_RESOLVE, e->resolve);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, dial_open);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, e);
		curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, dial_close);
		curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, e);
		break;
	}
}

/* ---- ssh ---------------------------------------------------------------- */

/* ssh [opts] -o ConnectTimeout=N -T [-p P] [-l U] -- HOST docker ... */
static char **ssh_argv(struct engine *e)
{
	struct argv a = {NULL, 0, 0};
	char buf[64];

	push(&a, "ssh");
	for (char **p = e->ssh_extra; p && *p; p++)
		push(&a, *p);
	snprintf(buf, sizeof(buf), "ConnectTimeout=%ld",
		 (e->connect_timeout_ms + 999) / 1000);
	push(&a, "-o");
	push(&a, buf);
	push(&a, "-T");
	if (e->u.port) {
		snprintf(buf, sizeof(buf), "%d", e->u.port);
		push(&a, "-p");
		push(&a, buf);
	}
	if (e->u.user) {
		push(&a, "-l");
		push(&a, e->u.user);
	}
	push(&a, "--");
	push(&a, e->u.host);
	push(&a, "docker");
	if (e->u.path) {
		struct sbuf sb = SBUF_INIT;

		sbuf_addf(&sb, "--host=unix://%s", e->u.path);
		push(&a, sb.buf);
		sbuf_release(&sb);
	}
	push(&a, "system");
	push(&a, "dial-stdio");
	return a.v;
}

static void free_argv(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/*
 * The platform layer gives curl a loopback socket whose far end is the
 * ssh child's stdin and stdout (compat_dial_command), or the named pipe.
 */
static curl_socket_t
dial_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct engine *e = ud;
	struct compat_dial *d;
	compat_sock fd;
	unsigned len = 0;
	int rc;

	(void)purpose;
	if (e->u.kind == ENGINE_URL_NPIPE) {
		rc = compat_dial_pipe(&d, &fd, &addr->addr, &len, e->u.path,
				      e->connect_timeout_ms, e->ssh_err,
				      sizeof(e->ssh_err));
	} else {
		char **argv = ssh_argv(e);

		rc = compat_dial_command(&d, &fd, &addr->addr, &len, argv,
					 e->ssh_err, sizeof(e->ssh_err));
		free_argv(argv);
	}
	if (rc)
		return CURL_SOCKET_BAD;
	addr->family = AF_INET;
	addr->addrlen = len;
	ALLOC_GROW(e->kids, e->n_kids + 1, e->alloc_kids);
	e->kids[e->n_kids++] = d;
	e->ssh_err[0] = '\0';
	return (curl_socket_t)fd;
}

/* Closes one connection; the child's last words go to the next message. */
static void reap(struct engine *e, size_t i)
{
	struct compat_dial *d = e->kids[i];

	e->kids[i] = e->kids[--e->n_kids];
	compat_dial_close(d, e->ssh_err, sizeof(e->ssh_err));
}

static int dial_close(void *ud, curl_socket_t fd)
{
	struct engine *e = ud;

	for (size_t i = 0; i < e->n_kids; i++) {
		if (compat_dial_fd(e->kids[i]) == (compat_sock)fd) {
			reap(e, i);
			return 0;
		}
	}
	return compat_sock_close((compat_sock)fd);
}

const char *eng_transport_hint(struct engine *e)
{
	if (e->u.kind != ENGINE_URL_SSH && e->u.kind != ENGINE_URL_NPIPE)
		return "";
	/* A child that already died tells us why the pipe closed. */
	for (size_t i = 0; i < e->n_kids; i++)
		compat_dial_ended(e->kids[i], e->ssh_err, sizeof(e->ssh_err));
	return e->ssh_err;
}
