/*
 * Transports: how a request reaches a daemon for each kind of URL.  unix://
 * and tcp:// are plain libcurl; ssh:// runs `ssh ... docker system
 * dial-stdio` as the docker CLI does, with curl's connection on the child's
 * stdin and stdout.
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

	switch (u->kind) {
	case ENGINE_URL_NPIPE:
		return diag_set(err, DIAG_EUSAGE, NULL,
				"npipe:// needs a Windows client; this build "
				"cannot open '%s'; use ssh:// or tcp:// to "
				"reach a Windows daemon from here",
				e->url);
	case ENGINE_URL_UNIX:
		placeholder_host(e);
		return 0;
	case ENGINE_URL_TCP:
		if (!strncmp(e->url, "https://", 8))
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
ssh_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr);
static int ssh_close(void *ud, curl_socket_t fd);

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
		curl_easy_setopt(h, CURLOPT_RESOLVE, e->resolve);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, ssh_open);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, e);
		curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, ssh_close);
		curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, e);
		break;
	case ENGINE_URL_NPIPE:
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
 * libcurl 7.88 connects even a socket that CURLOPT_SOCKOPTFUNCTION calls
 * CURL_SOCKOPT_ALREADY_CONNECTED (curl issue 10626), so a socketpair cannot
 * be handed over as is; and a connection whose peer address prints empty
 * (an abstract unix socket) is never reused.  So: we listen on an ephemeral
 * loopback port, give curl a socket bound to a known local port and point
 * its address at the listener; a child accepts that one connection (and no
 * other: it checks the peer's port), puts it on stdin and stdout, and
 * becomes ssh.  A sockaddr_in fits the struct sockaddr curl hands us.
 */
static int ssh_sockets(int *lfd,
		       int *cfd,
		       struct sockaddr_in *laddr,
		       struct sockaddr_in *caddr)
{
	socklen_t len = sizeof(*laddr);

	memset(laddr, 0, sizeof(*laddr));
	laddr->sin_family = AF_INET;
	laddr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*caddr = *laddr;
	*lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*lfd < 0 || *cfd < 0 || bind(*lfd, (struct sockaddr *)laddr, len) ||
	    listen(*lfd, 4) ||
	    getsockname(*lfd, (struct sockaddr *)laddr, &len) ||
	    bind(*cfd, (struct sockaddr *)caddr, len) ||
	    getsockname(*cfd, (struct sockaddr *)caddr, &len)) {
		if (*lfd >= 0)
			close(*lfd);
		if (*cfd >= 0)
			close(*cfd);
		return -1;
	}
	return 0;
}

static void ssh_child(int lfd, in_port_t peer, int errfd, char **argv)
{
	struct sockaddr_in from = {0};
	socklen_t len;
	int fd, one = 1;

	setpgid(0, 0); /* Ctrl-C goes to us, not to the pipe */
	for (;;) {
		len = sizeof(from);
		fd = accept(lfd, (struct sockaddr *)&from, &len);
		if (fd < 0)
			_exit(126);
		if (from.sin_port == peer)
			break;
		close(fd);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	dup2(fd, 0);
	dup2(fd, 1);
	if (errfd >= 0)
		dup2(errfd, 2);
	execvp(argv[0], argv);
	_exit(127);
}

static curl_socket_t
ssh_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct engine *e = ud;
	struct eng_ssh_child *k;
	struct sockaddr_in la, ca;
	char **argv;
	int lfd, fd, errfd;
	pid_t pid;

	(void)purpose;
	if (ssh_sockets(&lfd, &fd, &la, &ca))
		return CURL_SOCKET_BAD;
	errfd = memfd_create("mixcompose-ssh", MFD_CLOEXEC);
	argv = ssh_argv(e);
	pid = fork();
	if (pid == 0)
		ssh_child(lfd, ca.sin_port, errfd, argv);
	free_argv(argv);
	close(lfd);
	if (pid < 0) {
		close(fd);
		if (errfd >= 0)
			close(errfd);
		return CURL_SOCKET_BAD;
	}
	addr->family = AF_INET;
	addr->addrlen = sizeof(la);
	memcpy(&addr->addr, &la, sizeof(la));
	ALLOC_GROW(e->kids, e->n_kids + 1, e->alloc_kids);
	k = &e->kids[e->n_kids++];
	k->fd = fd;
	k->pid = pid;
	k->errfd = errfd;
	e->ssh_err[0] = '\0';
	return fd;
}

/* Keeps the child's last words (stderr) for the next error message. */
static void keep_stderr(struct engine *e, int errfd)
{
	char buf[4096];
	ssize_t n;
	char *p;

	if (errfd < 0)
		return;
	n = pread(errfd, buf, sizeof(buf) - 1, 0);
	close(errfd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	n = (ssize_t)strlen(p);
	if (n >= (ssize_t)sizeof(e->ssh_err))
		n = sizeof(e->ssh_err) - 1;
	memcpy(e->ssh_err, p, (size_t)n);
	e->ssh_err[n] = '\0';
}

static void reap(struct engine *e, size_t i)
{
	struct eng_ssh_child k = e->kids[i];
	struct timespec ts = {0, 5000000L};
	int status;

	e->kids[i] = e->kids[--e->n_kids];
	if (k.fd >= 0)
		close(k.fd);
	if (k.pid <= 0)
		goto out;
	/* dial-stdio exits on EOF; give it a moment before a SIGTERM. */
	for (int tries = 0; tries < 40; tries++) {
		if (waitpid(k.pid, &status, WNOHANG) == k.pid)
			goto out;
		nanosleep(&ts, NULL);
	}
	kill(k.pid, SIGTERM);
	while (waitpid(k.pid, &status, 0) < 0 && errno == EINTR)
		;
out:
	keep_stderr(e, k.errfd);
}

static int ssh_close(void *ud, curl_socket_t fd)
{
	struct engine *e = ud;

	for (size_t i = 0; i < e->n_kids; i++) {
		if (e->kids[i].fd == fd) {
			reap(e, i);
			return 0;
		}
	}
	return close(fd);
}

const char *eng_transport_hint(struct engine *e)
{
	int status;

	if (e->u.kind != ENGINE_URL_SSH)
		return "";
	/* A child that already died tells us why the pipe closed. */
	for (size_t i = 0; i < e->n_kids; i++) {
		if (e->kids[i].pid > 0 && waitpid(e->kids[i].pid, &status,
						  WNOHANG) == e->kids[i].pid) {
			e->kids[i].pid = -1;
			keep_stderr(e, e->kids[i].errfd);
			e->kids[i].errfd = -1;
		}
	}
	return e->ssh_err;
}
