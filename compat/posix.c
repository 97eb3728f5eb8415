/* The platform layer on POSIX systems (Linux): see compat/compat.h. */
#include "compat/compat.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__    /* defined by the headers above */
#include <malloc.h> /* mallopt */
#endif

#include "util/xalloc.h"

extern char **environ;

void compat_init(void)
{
#ifdef __GLIBC__
	/*
	 * A short-lived process: glibc would give the heap back to the
	 * kernel in steps as the plan and the daemons' replies are freed
	 * at the end (seventeen brk calls, 7 ms of a 30 ms no-op `up` of
	 * 100 containers), and grow it in 128 KiB steps on the way up.
	 * Keep what was taken, and take it in larger steps.
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
#endif
}

/* ---- Environment and paths ----------------------------------------------- */

char **compat_environ(void)
{
	return environ;
}

const char *compat_home_var(void)
{
	return "HOME";
}

bool compat_path_is_abs(const char *path)
{
	return path[0] == '/';
}

char *compat_realpath(const char *path)
{
	return realpath(path, NULL);
}

bool compat_path_sep(char c)
{
	return c == '/';
}

int compat_random(void *buf, size_t n)
{
	return getrandom(buf, n, 0) == (ssize_t)n ? 0 : -1;
}

/* ---- Time ------------------------------------------------------------------
 */

long long compat_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void compat_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ---- Dynamic loading -------------------------------------------------------
 */

const char *compat_dl_name(char *buf, size_t size, const char *base, int abi)
{
	snprintf(buf, size, "lib%s.so.%d", base, abi);
	return buf;
}

void *compat_dl_open(const char *path, char *why, size_t why_size)
{
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		snprintf(why, why_size, "%s", dlerror());
	return lib;
}

void *compat_dl_sym(void *lib, const char *name)
{
	return dlsym(lib, name);
}

void compat_dl_close(void *lib)
{
	if (lib)
		dlclose(lib);
}

/* ---- Signals ---------------------------------------------------------------
 */

static volatile sig_atomic_t *volatile int_flag, *volatile term_flag;
static volatile sig_atomic_t winch_seen;

static void on_interrupt(int sig)
{
	volatile sig_atomic_t *f = sig == SIGINT ? int_flag : term_flag;

	if (f)
		*f = sig;
}

static volatile sig_atomic_t *catch_one(int sig,
					volatile sig_atomic_t *volatile *slot,
					volatile sig_atomic_t *flag)
{
	volatile sig_atomic_t *old = *slot;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = flag ? on_interrupt : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a poll in progress returns and the flag is seen. */
	*slot = flag;
	sigaction(sig, &sa, NULL);
	return old;
}

volatile sig_atomic_t *compat_catch_interrupts(volatile sig_atomic_t *flag,
					       unsigned which)
{
	volatile sig_atomic_t *old = NULL, *o;

	if (which & COMPAT_INT_KEY)
		old = catch_one(SIGINT, &int_flag, flag);
	if (which & COMPAT_INT_TERM) {
		o = catch_one(SIGTERM, &term_flag, flag);
		if (!(which & COMPAT_INT_KEY))
			old = o;
	}
	return old;
}

static void on_winch(int sig)
{
	(void)sig;
	winch_seen = 1;
}

void compat_tty_watch(bool on)
{
	static struct sigaction old;
	static bool watching;
	struct sigaction sa;

	if (on == watching)
		return;
	watching = on;
	if (!on) {
		sigaction(SIGWINCH, &old, NULL);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	winch_seen = 0;
	sigaction(SIGWINCH, &sa, &old);
}

bool compat_tty_resized(void)
{
	if (!winch_seen)
		return false;
	winch_seen = 0;
	return true;
}

/* ---- The terminal ----------------------------------------------------------
 */

static struct termios tty_saved;
static int tty_saved_fd = -1;

bool compat_isatty(int fd)
{
	return isatty(fd) == 1;
}

void compat_tty_restore(void)
{
	if (tty_saved_fd < 0)
		return;
	tcsetattr(tty_saved_fd, TCSADRAIN, &tty_saved);
	tty_saved_fd = -1;
}

/* A signal that ends us while raw: put the terminal back, then die of it. */
static void on_fatal(int sig)
{
	compat_tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int compat_tty_raw(int fd)
{
	static bool hooked;
	struct termios raw;

	if (tty_saved_fd >= 0 || !isatty(fd) || tcgetattr(fd, &tty_saved))
		return -1;
	if (!hooked) {
		atexit(compat_tty_restore);
		hooked = true;
	}
	raw = tty_saved;
	cfmakeraw(&raw);
	/* Output post-processing stays on: the remote TTY sends "\r\n". */
	raw.c_oflag = tty_saved.c_oflag;
	if (tcsetattr(fd, TCSADRAIN, &raw))
		return -1;
	tty_saved_fd = fd;
	signal(SIGTERM, on_fatal);
	signal(SIGHUP, on_fatal);
	signal(SIGQUIT, on_fatal);
	return 0;
}

bool compat_tty_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

/* ---- Sockets ---------------------------------------------------------------
 */

int compat_poll2(compat_sock sock,
		 int fd,
		 long timeout_ms,
		 bool *sock_ready,
		 bool *fd_ready)
{
	struct pollfd fds[2] = {
		{.fd = sock, .events = POLLIN},
		{.fd = fd, .events = POLLIN},
	};
	int n = poll(fds, 2, (int)timeout_ms);

	*sock_ready = n > 0 && fds[0].revents;
	*fd_ready = n > 0 && fd >= 0 && fds[1].revents;
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	return n > 0;
}

int compat_sock_wait(compat_sock sock, bool for_write, long timeout_ms)
{
	struct pollfd p = {.fd = sock, .events = for_write ? POLLOUT : POLLIN};
	int n = poll(&p, 1, (int)timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	return n > 0;
}

int compat_shutdown_write(compat_sock sock)
{
	return shutdown(sock, SHUT_WR);
}

int compat_sock_close(compat_sock sock)
{
	return close(sock);
}

bool compat_ip_valid(int version, const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(version == 6 ? AF_INET6 : AF_INET, s, buf) == 1;
}

/* ---- Bridged connections ----------------------------------------------------
 */

struct compat_dial {
	int fd;
	pid_t pid;
	int errfd; /* a memfd with the child's stderr */
};

/*
 * libcurl 7.88 connects even a socket that CURLOPT_SOCKOPTFUNCTION calls
 * CURL_SOCKOPT_ALREADY_CONNECTED (curl issue 10626), so a socketpair cannot
 * be handed over as is; and a connection whose peer address prints empty
 * (an abstract unix socket) is never reused.  So: we listen on an ephemeral
 * loopback port, give curl a socket bound to a known local port and point
 * its address at the listener; a child accepts that one connection (and no
 * other: it checks the peer's port), puts it on stdin and stdout, and
 * becomes the command.  A sockaddr_in fits the struct sockaddr curl hands
 * us.
 */
static int dial_sockets(int *lfd,
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

static void dial_child(int lfd, in_port_t peer, int errfd, char *const *argv)
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

int compat_dial_command(struct compat_dial **out,
			compat_sock *fd,
			struct sockaddr *addr,
			unsigned *addrlen,
			char *const argv[],
			char *why,
			size_t why_size)
{
	struct sockaddr_in la, ca;
	struct compat_dial *d;
	int lfd, cfd, errfd;
	pid_t pid;

	if (dial_sockets(&lfd, &cfd, &la, &ca)) {
		snprintf(why, why_size, "loopback socket: %s", strerror(errno));
		return -1;
	}
	errfd = memfd_create("mixcompose-dial", MFD_CLOEXEC);
	pid = fork();
	if (pid == 0)
		dial_child(lfd, ca.sin_port, errfd, argv);
	close(lfd);
	if (pid < 0) {
		snprintf(why, why_size, "fork: %s", strerror(errno));
		close(cfd);
		if (errfd >= 0)
			close(errfd);
		return -1;
	}
	memcpy(addr, &la, sizeof(la));
	*addrlen = sizeof(la);
	d = xcalloc(1, sizeof(*d));
	d->fd = cfd;
	d->pid = pid;
	d->errfd = errfd;
	*fd = cfd;
	*out = d;
	return 0;
}

int compat_dial_pipe(struct compat_dial **out,
		     compat_sock *fd,
		     struct sockaddr *addr,
		     unsigned *addrlen,
		     const char *name,
		     long timeout_ms,
		     char *why,
		     size_t why_size)
{
	(void)fd;
	(void)addr;
	(void)addrlen;
	(void)timeout_ms;
	*out = NULL;
	snprintf(why, why_size,
		 "named pipe '%s': only a Windows build opens one", name);
	return -1;
}

bool compat_has_npipe(void)
{
	return false;
}

compat_sock compat_dial_fd(const struct compat_dial *d)
{
	return d->fd;
}

/* The child's last stderr line, into 'why' (left alone when empty). */
static void last_words(int errfd, char *why, size_t why_size)
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
	if (why_size)
		snprintf(why, why_size, "%s", p);
}

bool compat_dial_ended(struct compat_dial *d, char *why, size_t why_size)
{
	int status;

	if (d->pid <= 0)
		return d->pid < 0;
	if (waitpid(d->pid, &status, WNOHANG) != d->pid)
		return false;
	d->pid = -1;
	last_words(d->errfd, why, why_size);
	d->errfd = -1;
	return true;
}

void compat_dial_close(struct compat_dial *d, char *why, size_t why_size)
{
	int status;

	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	if (d->pid > 0) {
		/* dial-stdio exits on EOF; give it a moment before a SIGTERM.
		 */
		for (int tries = 0; tries < 40; tries++) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid)
				goto out;
			compat_sleep_ms(5);
		}
		kill(d->pid, SIGTERM);
		while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
out:
	last_words(d->errfd, why, why_size);
	free(d);
}

/* ---- Files -----------------------------------------------------------------
 */

char compat_path_list_sep(void)
{
	return ':';
}

int compat_lstat(const char *path, struct stat *st)
{
	return lstat(path, st);
}

bool compat_is_link(const struct stat *st)
{
	return S_ISLNK(st->st_mode);
}

int compat_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

int compat_open_read(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

int compat_mkdir_p(const char *path)
{
	char dir[4096];
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	if (stat(dir, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int compat_rename(const char *from, const char *to)
{
	return rename(from, to);
}

static int byname(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int compat_dir_list(char ***names, size_t *n, const char *path)
{
	struct dirent **ents = NULL;
	int m = scandir(path, &ents, NULL, byname);

	*names = NULL;
	*n = 0;
	if (m < 0)
		return -1;
	*names = xcalloc((size_t)m + 1, sizeof(char *));
	for (int i = 0; i < m; i++) {
		const char *nm = ents[i]->d_name;

		if (strcmp(nm, ".") && strcmp(nm, ".."))
			(*names)[(*n)++] = xstrdup(nm);
		free(ents[i]);
	}
	free(ents);
	return 0;
}

/* ---- The C library
 * ----------------------------------------------------------- */

void compat_qsort_r(void *base,
		    size_t n,
		    size_t size,
		    int (*cmp)(const void *, const void *, void *),
		    void *arg)
{
	qsort_r(base, n, size, cmp, arg);
}

void *
compat_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
	return memmem(hay, hlen, needle, nlen);
}

void *compat_memrchr(const void *s, int c, size_t n)
{
	return memrchr(s, c, n);
}

int compat_setenv(const char *name, const char *value)
{
	return setenv(name, value, 1);
}

int compat_unsetenv(const char *name)
{
	return unsetenv(name);
}

long long compat_timegm(const struct tm *tm)
{
	struct tm t = *tm;

	return (long long)timegm(&t);
}

long compat_localtime(long long sec, struct tm *tm)
{
	time_t t = (time_t)sec;

	localtime_r(&t, tm);
	return tm->tm_gmtoff;
}
