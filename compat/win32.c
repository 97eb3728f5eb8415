/*
 * The platform layer on Windows (mingw-w64): see compat/compat.h.
 *
 * Bridged connections (ssh://, npipe://): libcurl only connects sockets,
 * and a Windows named pipe or a child's stdio is no socket.  So each
 * connection gets a loopback listener and a relay thread: curl connects
 * to the listener, the thread accepts that one connection (checked by its
 * peer port) and copies bytes between it and the pipe (or the child's
 * stdin and stdout) in one event loop: WSAEventSelect on the socket and
 * overlapped reads on the pipe, so neither direction blocks the other.
 * See docs/architecture.md for why this and not a socketpair.
 */
#define WIN32_LEAN_AND_MEAN
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#include "compat/compat.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <bcrypt.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sbuf.h"
#include "util/xalloc.h"

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif
#ifndef ENABLE_VIRTUAL_TERMINAL_INPUT
#define ENABLE_VIRTUAL_TERMINAL_INPUT 0x0200
#endif

#define RELAY_BUF 65536

void compat_init(void)
{
	WSADATA wsa;
	DWORD mode;
	HANDLE out[2] = {GetStdHandle(STD_OUTPUT_HANDLE),
			 GetStdHandle(STD_ERROR_HANDLE)};

	WSAStartup(MAKEWORD(2, 2), &wsa);
	SetConsoleOutputCP(CP_UTF8);
	for (int i = 0; i < 2; i++)
		if (GetConsoleMode(out[i], &mode))
			SetConsoleMode(
				out[i],
				mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
	/* The same bytes as on Linux: "\n", never "\r\n". */
	_setmode(0, _O_BINARY);
	_setmode(1, _O_BINARY);
	_setmode(2, _O_BINARY);
}

/* ---- Environment and paths ----------------------------------------------- */

char **compat_environ(void)
{
	return _environ;
}

const char *compat_home_var(void)
{
	return "USERPROFILE";
}

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

bool compat_path_is_abs(const char *path)
{
	if (is_sep(path[0]))
		return true;
	return ((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') &&
	       path[1] == ':' && is_sep(path[2]);
}

bool compat_path_sep(char c)
{
	return is_sep(c);
}

char *compat_realpath(const char *path)
{
	char *full = _fullpath(NULL, path, 0);

	if (full && GetFileAttributesA(full) == INVALID_FILE_ATTRIBUTES) {
		free(full);
		return NULL;
	}
	return full;
}

int compat_random(void *buf, size_t n)
{
	return BCryptGenRandom(NULL, buf, (ULONG)n,
			       BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0
		       ? 0
		       : -1;
}

/* ---- Time ------------------------------------------------------------------
 */

long long compat_now_ms(void)
{
	return (long long)GetTickCount64();
}

void compat_sleep_ms(long ms)
{
	Sleep((DWORD)ms);
}

/* ---- Dynamic loading -------------------------------------------------------
 */

static void win_error(char *why, size_t size, DWORD code)
{
	char msg[256];
	DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM |
					 FORMAT_MESSAGE_IGNORE_INSERTS,
				 NULL, code, 0, msg, sizeof(msg), NULL);

	while (n &&
	       (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	if (!n)
		snprintf(msg, sizeof(msg), "Windows error %lu",
			 (unsigned long)code);
	snprintf(why, size, "%s", msg);
}

const char *compat_dl_name(char *buf, size_t size, const char *base, int abi)
{
	snprintf(buf, size, "lib%s-%d.dll", base, abi);
	return buf;
}

void *compat_dl_open(const char *path, char *why, size_t why_size)
{
	/* The program's own directory comes first: the DLLs of the zip. */
	HMODULE lib = LoadLibraryA(path);

	if (!lib)
		win_error(why, why_size, GetLastError());
	return (void *)lib;
}

void *compat_dl_sym(void *lib, const char *name)
{
	FARPROC f = GetProcAddress((HMODULE)lib, name);
	void *p;

	memcpy(&p, &f, sizeof(p));
	return p;
}

void compat_dl_close(void *lib)
{
	if (lib)
		FreeLibrary((HMODULE)lib);
}

/* ---- Ctrl-C ----------------------------------------------------------------
 */

static volatile sig_atomic_t *volatile int_flag, *volatile term_flag;

/* Runs on a thread of its own that Windows starts for the event. */
static BOOL WINAPI on_ctrl(DWORD type)
{
	bool key = type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT;
	volatile sig_atomic_t *f = key ? int_flag : term_flag;

	if (!f)
		return FALSE;
	*f = key ? SIGINT : SIGTERM;
	return TRUE;
}

volatile sig_atomic_t *compat_catch_interrupts(volatile sig_atomic_t *flag,
					       unsigned which)
{
	static bool hooked;
	volatile sig_atomic_t *old = NULL;

	if (!hooked) {
		SetConsoleCtrlHandler(on_ctrl, TRUE);
		hooked = true;
	}
	if (which & COMPAT_INT_TERM) {
		old = term_flag;
		term_flag = flag;
	}
	if (which & COMPAT_INT_KEY) {
		old = int_flag;
		int_flag = flag;
	}
	return old;
}

/* ---- The terminal ----------------------------------------------------------
 */

static HANDLE fd_handle(int fd)
{
	return (HANDLE)_get_osfhandle(fd);
}

bool compat_isatty(int fd)
{
	DWORD mode;

	/* _isatty() is also true for NUL; a console has a mode. */
	return GetConsoleMode(fd_handle(fd), &mode) != 0;
}

static HANDLE tty_saved_h = INVALID_HANDLE_VALUE;
static DWORD tty_saved_mode;

void compat_tty_restore(void)
{
	if (tty_saved_h == INVALID_HANDLE_VALUE)
		return;
	SetConsoleMode(tty_saved_h, tty_saved_mode);
	tty_saved_h = INVALID_HANDLE_VALUE;
}

int compat_tty_raw(int fd)
{
	static bool hooked;
	HANDLE h = fd_handle(fd);
	DWORD mode;

	if (tty_saved_h != INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
		return -1;
	if (!hooked) {
		atexit(compat_tty_restore);
		hooked = true;
	}
	tty_saved_mode = mode;
	mode &= ~(DWORD)(ENABLE_ECHO_INPUT | ENABLE_LINE_INPUT |
			 ENABLE_PROCESSED_INPUT);
	/* Keys arrive as the VT sequences a remote TTY expects. */
	if (!SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_INPUT) &&
	    !SetConsoleMode(h, mode))
		return -1;
	tty_saved_h = h;
	return 0;
}

bool compat_tty_size(int fd, unsigned *rows, unsigned *cols)
{
	CONSOLE_SCREEN_BUFFER_INFO info;

	if (!GetConsoleScreenBufferInfo(fd_handle(fd), &info))
		return false;
	*rows = (unsigned)(info.srWindow.Bottom - info.srWindow.Top + 1);
	*cols = (unsigned)(info.srWindow.Right - info.srWindow.Left + 1);
	return *rows && *cols;
}

/* No SIGWINCH: the size is compared with the last one seen. */
static bool tty_watching;
static unsigned tty_rows, tty_cols;

void compat_tty_watch(bool on)
{
	tty_watching = on;
	if (on && !compat_tty_size(1, &tty_rows, &tty_cols))
		tty_rows = tty_cols = 0;
}

bool compat_tty_resized(void)
{
	unsigned r, c;

	if (!tty_watching || !compat_tty_size(1, &r, &c) ||
	    (r == tty_rows && c == tty_cols))
		return false;
	tty_rows = r;
	tty_cols = c;
	return true;
}

/* ---- Sockets and descriptors ----------------------------------------------
 */

static int sock_errno(void)
{
	int e = WSAGetLastError();

	errno = e == WSAEINTR ? EINTR : e == WSAEWOULDBLOCK ? EAGAIN : EIO;
	return -1;
}

int compat_sock_wait(compat_sock sock, bool for_write, long timeout_ms)
{
	WSAPOLLFD p = {.fd = (SOCKET)sock,
		       .events = for_write ? POLLWRNORM : POLLRDNORM};
	int n = WSAPoll(&p, 1, (INT)timeout_ms);

	if (n < 0)
		return sock_errno();
	return n > 0;
}

/*
 * Whether descriptor 'fd' has input now: a console with a key pressed, a
 * pipe with bytes (or closed: EOF is input too), any file.  Console events
 * that are no key (focus, mouse, size) are taken out, or a read would block.
 */
static bool fd_has_input(int fd)
{
	HANDLE h = fd_handle(fd);
	DWORD avail = 0, n = 0;
	INPUT_RECORD rec;

	switch (GetFileType(h)) {
	case FILE_TYPE_PIPE:
		if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL))
			return true;
		return avail > 0;
	case FILE_TYPE_CHAR:
		while (PeekConsoleInputA(h, &rec, 1, &n) && n) {
			if (rec.EventType == KEY_EVENT &&
			    rec.Event.KeyEvent.bKeyDown &&
			    rec.Event.KeyEvent.uChar.AsciiChar)
				return true;
			ReadConsoleInputA(h, &rec, 1, &n);
		}
		/* Not a console (NUL, a serial line): reads do not wait. */
		return GetConsoleMode(h, &avail) == 0;
	default:
		return true;
	}
}

int compat_poll2(compat_sock sock,
		 int fd,
		 long timeout_ms,
		 bool *sock_ready,
		 bool *fd_ready)
{
	long long deadline = compat_now_ms() + timeout_ms;

	/* Only sockets can be polled: look at 'fd' every 10 ms between. */
	for (;;) {
		long left = (long)(deadline - compat_now_ms());
		long slice = fd >= 0 && left > 10 ? 10 : left;
		int r = compat_sock_wait(sock, false, slice < 0 ? 0 : slice);

		if (r < 0)
			return -1;
		*sock_ready = r > 0;
		*fd_ready = fd >= 0 && fd_has_input(fd);
		if (*sock_ready || *fd_ready)
			return 1;
		if (left <= 0)
			return 0;
	}
}

int compat_shutdown_write(compat_sock sock)
{
	return shutdown((SOCKET)sock, SD_SEND) ? sock_errno() : 0;
}

int compat_sock_close(compat_sock sock)
{
	return closesocket((SOCKET)sock) ? sock_errno() : 0;
}

bool compat_ip_valid(int version, const char *s)
{
	unsigned char buf[16];

	return inet_pton(version == 6 ? AF_INET6 : AF_INET, s, buf) == 1;
}

/* ---- Bridged connections ----------------------------------------------------
 */

struct compat_dial {
	SOCKET lfd;	  /* the listener, until the relay accepted */
	SOCKET cfd;	  /* curl's end */
	USHORT peer;	  /* curl's local port, the one connection taken */
	HANDLE rd;	  /* where the far end's bytes come from */
	HANDLE wr;	  /* where ours go (== rd for a pipe) */
	bool message_eof; /* a zero-length message is EOF (go-winio pipes) */
	HANDLE proc;	  /* the child, or NULL */
	HANDLE err_rd;	  /* the child's stderr, read at the end */
	HANDLE stop;	  /* an event: close asked the relay to end */
	HANDLE thread;
	volatile LONG ended;
};

static int
dial_sockets(struct compat_dial *d, struct sockaddr *addr, unsigned *addrlen)
{
	struct sockaddr_in la = {0}, ca;
	int len = sizeof(la);

	la.sin_family = AF_INET;
	la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ca = la;
	d->lfd = socket(AF_INET, SOCK_STREAM, 0);
	d->cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (d->lfd == INVALID_SOCKET || d->cfd == INVALID_SOCKET ||
	    bind(d->lfd, (struct sockaddr *)&la, len) || listen(d->lfd, 4) ||
	    getsockname(d->lfd, (struct sockaddr *)&la, &len) ||
	    bind(d->cfd, (struct sockaddr *)&ca, len) ||
	    getsockname(d->cfd, (struct sockaddr *)&ca, &len))
		return -1;
	/* The children must not inherit our sockets. */
	SetHandleInformation((HANDLE)d->lfd, HANDLE_FLAG_INHERIT, 0);
	SetHandleInformation((HANDLE)d->cfd, HANDLE_FLAG_INHERIT, 0);
	d->peer = ca.sin_port;
	memcpy(addr, &la, sizeof(la));
	*addrlen = sizeof(la);
	return 0;
}

static struct compat_dial *dial_new(void)
{
	struct compat_dial *d = xcalloc(1, sizeof(*d));

	d->lfd = d->cfd = INVALID_SOCKET;
	d->rd = d->wr = d->err_rd = INVALID_HANDLE_VALUE;
	d->stop = CreateEventA(NULL, TRUE, FALSE, NULL);
	return d;
}

static void close_handle(HANDLE *h)
{
	if (*h && *h != INVALID_HANDLE_VALUE)
		CloseHandle(*h);
	*h = INVALID_HANDLE_VALUE;
}

static void dial_free(struct compat_dial *d)
{
	if (d->lfd != INVALID_SOCKET)
		closesocket(d->lfd);
	if (d->cfd != INVALID_SOCKET)
		closesocket(d->cfd);
	if (d->wr != d->rd)
		close_handle(&d->wr);
	close_handle(&d->rd);
	close_handle(&d->proc);
	close_handle(&d->err_rd);
	close_handle(&d->stop);
	close_handle(&d->thread);
	free(d);
}

/* The one connection from curl's socket; any other is turned away. */
static SOCKET relay_accept(struct compat_dial *d)
{
	for (;;) {
		struct sockaddr_in from;
		int len = sizeof(from);
		SOCKET s = accept(d->lfd, (struct sockaddr *)&from, &len);

		if (s == INVALID_SOCKET || from.sin_port == d->peer)
			return s;
		closesocket(s);
	}
}

/* Writes all of 'buf' to the far end (overlapped, waited for). */
static bool relay_write(struct compat_dial *d, const char *buf, DWORD n)
{
	OVERLAPPED ov = {0};
	DWORD done;
	bool ok;

	ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
	do {
		ResetEvent(ov.hEvent);
		ok = WriteFile(d->wr, buf, n, NULL, &ov) ||
		     GetLastError() == ERROR_IO_PENDING;
		ok = ok && GetOverlappedResult(d->wr, &ov, &done, TRUE);
		buf += ok ? done : 0;
		n -= ok ? done : 0;
	} while (ok && n);
	CloseHandle(ov.hEvent);
	return ok;
}

static bool send_all(SOCKET s, const char *p, DWORD n)
{
	while (n) {
		int w = send(s, p, (int)n, 0);

		if (w == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK) {
			WSAPOLLFD pf = {.fd = s, .events = POLLWRNORM};

			WSAPoll(&pf, 1, 1000);
			continue;
		}
		if (w <= 0)
			return false;
		p += w;
		n -= (DWORD)w;
	}
	return true;
}

/* Our side ended: the far end reads EOF. */
static void relay_eof(struct compat_dial *d)
{
	if (d->message_eof)
		relay_write(d, "", 0);
	else if (d->wr != d->rd)
		close_handle(&d->wr);
}

/* Socket -> far end, everything there is now; false when the relay ends. */
static bool
relay_from_socket(struct compat_dial *d, SOCKET s, char *buf, bool *sock_open)
{
	for (;;) {
		int n = recv(s, buf, RELAY_BUF, 0);

		if (n > 0) {
			if (!relay_write(d, buf, (DWORD)n))
				return false;
			continue;
		}
		if (n == 0) {
			*sock_open = false;
			relay_eof(d);
			return true;
		}
		return WSAGetLastError() == WSAEWOULDBLOCK;
	}
}

static DWORD WINAPI relay_main(void *ud)
{
	struct compat_dial *d = ud;
	char *up = xmalloc(RELAY_BUF), *down = xmalloc(RELAY_BUF);
	OVERLAPPED ov = {0};
	WSAEVENT sev = WSACreateEvent();
	SOCKET s = relay_accept(d);
	bool sock_open = true, reading = false, ok = s != INVALID_SOCKET;

	ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
	if (ok)
		ok = !WSAEventSelect(s, sev, FD_READ | FD_CLOSE);
	while (ok) {
		HANDLE ev[3] = {d->stop, sev, ov.hEvent};
		DWORD got, w;

		if (!reading) {
			ResetEvent(ov.hEvent);
			if (!ReadFile(d->rd, down, RELAY_BUF, NULL, &ov) &&
			    GetLastError() != ERROR_IO_PENDING &&
			    GetLastError() != ERROR_MORE_DATA)
				break;
			reading = true;
		}
		w = WaitForMultipleObjects(
			sock_open ? 3 : 2,
			sock_open ? ev : (HANDLE[]){d->stop, ov.hEvent}, FALSE,
			INFINITE);
		if (w == WAIT_OBJECT_0)
			break;
		if (sock_open && w == WAIT_OBJECT_0 + 1) {
			WSANETWORKEVENTS ne;

			WSAEnumNetworkEvents(s, sev, &ne);
			ok = relay_from_socket(d, s, up, &sock_open);
			continue;
		}
		reading = false;
		if (!GetOverlappedResult(d->rd, &ov, &got, FALSE) &&
		    GetLastError() != ERROR_MORE_DATA)
			break; /* the pipe or the child ended */
		if (got)
			ok = send_all(s, down, got);
		else if (d->message_eof)
			shutdown(s, SD_SEND);
	}
	if (reading) {
		CancelIoEx(d->rd, &ov);
		WaitForSingleObject(ov.hEvent, 1000);
	}
	InterlockedExchange(&d->ended, 1);
	if (s != INVALID_SOCKET) {
		shutdown(s, SD_SEND);
		closesocket(s);
	}
	CloseHandle(ov.hEvent);
	WSACloseEvent(sev);
	free(up);
	free(down);
	return 0;
}

static int relay_start(struct compat_dial *d, char *why, size_t why_size)
{
	d->thread = CreateThread(NULL, 0, relay_main, d, 0, NULL);
	if (!d->thread) {
		win_error(why, why_size, GetLastError());
		return -1;
	}
	return 0;
}

/* "//./pipe//docker_lcow" -> "\\.\pipe\docker_lcow". */
static void pipe_path(struct sbuf *out, const char *name)
{
	sbuf_add(out, "\\\\", 2);
	while (is_sep(*name))
		name++;
	for (; *name; name++) {
		if (is_sep(*name)) {
			if (!out->len || out->buf[out->len - 1] != '\\')
				sbuf_add(out, "\\", 1);
		} else {
			sbuf_add(out, name, 1);
		}
	}
}

static HANDLE pipe_open(const char *path, long timeout_ms, DWORD *code)
{
	long long deadline = compat_now_ms() + timeout_ms;

	for (;;) {
		HANDLE h =
			CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
				    OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
		long left = (long)(deadline - compat_now_ms());

		if (h != INVALID_HANDLE_VALUE)
			return h;
		*code = GetLastError();
		/* Every instance is taken: wait for one, up to the timeout. */
		if (*code != ERROR_PIPE_BUSY || left <= 0)
			return h;
		if (!WaitNamedPipeA(path, (DWORD)left) &&
		    GetLastError() == ERROR_SEM_TIMEOUT) {
			*code = ERROR_PIPE_BUSY;
			return INVALID_HANDLE_VALUE;
		}
	}
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
	struct compat_dial *d = dial_new();
	struct sbuf path = SBUF_INIT;
	DWORD code = 0, mode = PIPE_READMODE_MESSAGE;

	*out = NULL;
	pipe_path(&path, name);
	d->rd = d->wr = pipe_open(path.buf, timeout_ms, &code);
	if (d->rd == INVALID_HANDLE_VALUE) {
		char msg[256];

		win_error(msg, sizeof(msg), code);
		snprintf(why, why_size, "cannot open named pipe %s: %s%s",
			 path.buf, msg,
			 code == ERROR_FILE_NOT_FOUND
				 ? " (is the engine running?)"
			 : code == ERROR_PIPE_BUSY ? " (busy until the timeout)"
						   : "");
		sbuf_release(&path);
		dial_free(d);
		return -1;
	}
	sbuf_release(&path);
	/* dockerd's pipes are message pipes: EOF is an empty message. */
	d->message_eof = SetNamedPipeHandleState(d->rd, &mode, NULL, NULL);
	if (dial_sockets(d, addr, addrlen) || relay_start(d, why, why_size)) {
		if (!*why)
			snprintf(why, why_size, "loopback socket: error %d",
				 WSAGetLastError());
		dial_free(d);
		return -1;
	}
	*fd = d->cfd;
	*out = d;
	return 0;
}

bool compat_has_npipe(void)
{
	return true;
}

/* An overlapped pipe for our side, a plain one for the child's. */
static bool child_pipe(HANDLE *ours, HANDLE *theirs, bool we_read)
{
	static volatile LONG serial;
	char name[96];
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};

	snprintf(name, sizeof(name), "\\\\.\\pipe\\mixcompose-%lu-%ld",
		 (unsigned long)GetCurrentProcessId(),
		 (long)InterlockedIncrement(&serial));
	*ours = CreateNamedPipeA(
		name,
		(we_read ? PIPE_ACCESS_INBOUND : PIPE_ACCESS_OUTBOUND) |
			FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
		PIPE_TYPE_BYTE | PIPE_WAIT, 1, RELAY_BUF, RELAY_BUF, 0, NULL);
	if (*ours == INVALID_HANDLE_VALUE)
		return false;
	*theirs = CreateFileA(name, we_read ? GENERIC_WRITE : GENERIC_READ, 0,
			      &sa, OPEN_EXISTING, 0, NULL);
	return *theirs != INVALID_HANDLE_VALUE;
}

/* argv as one command line, quoted by the rules of CommandLineToArgvW. */
static void quote_arg(struct sbuf *cmd, const char *a)
{
	if (cmd->len)
		sbuf_add(cmd, " ", 1);
	if (*a && !strpbrk(a, " \t\"")) {
		sbuf_addf(cmd, "%s", a);
		return;
	}
	sbuf_add(cmd, "\"", 1);
	for (;; a++) {
		size_t bs = 0;

		while (*a == '\\') {
			a++;
			bs++;
		}
		if (!*a) {
			for (size_t i = 0; i < bs * 2; i++)
				sbuf_add(cmd, "\\", 1);
			break;
		}
		for (size_t i = 0; i < (*a == '"' ? bs * 2 + 1 : bs); i++)
			sbuf_add(cmd, "\\", 1);
		sbuf_add(cmd, a, 1);
	}
	sbuf_add(cmd, "\"", 1);
}

static bool spawn(struct compat_dial *d, char *const argv[])
{
	struct sbuf cmd = SBUF_INIT;
	STARTUPINFOA si = {.cb = sizeof(si), .dwFlags = STARTF_USESTDHANDLES};
	PROCESS_INFORMATION pi;
	HANDLE in_child = NULL, out_child = NULL, err_child = NULL;
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	bool ok;

	ok = child_pipe(&d->wr, &in_child, false) &&
	     child_pipe(&d->rd, &out_child, true) &&
	     CreatePipe(&d->err_rd, &err_child, &sa, 0);
	if (ok) {
		SetHandleInformation(d->err_rd, HANDLE_FLAG_INHERIT, 0);
		si.hStdInput = in_child;
		si.hStdOutput = out_child;
		si.hStdError = err_child;
		for (char *const *p = argv; *p; p++)
			quote_arg(&cmd, *p);
		/* Its own group: Ctrl-C goes to us, not to the pipe. */
		ok = CreateProcessA(NULL, cmd.buf, NULL, NULL, TRUE,
				    CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW,
				    NULL, NULL, &si, &pi);
	}
	if (ok) {
		CloseHandle(pi.hThread);
		d->proc = pi.hProcess;
	}
	close_handle(&in_child);
	close_handle(&out_child);
	close_handle(&err_child);
	sbuf_release(&cmd);
	return ok;
}

int compat_dial_command(struct compat_dial **out,
			compat_sock *fd,
			struct sockaddr *addr,
			unsigned *addrlen,
			char *const argv[],
			char *why,
			size_t why_size)
{
	struct compat_dial *d = dial_new();

	*out = NULL;
	if (!spawn(d, argv)) {
		char msg[256];

		win_error(msg, sizeof(msg), GetLastError());
		snprintf(why, why_size, "cannot run %s: %s", argv[0], msg);
		dial_free(d);
		return -1;
	}
	if (dial_sockets(d, addr, addrlen) || relay_start(d, why, why_size)) {
		snprintf(why, why_size, "loopback socket: error %d",
			 WSAGetLastError());
		TerminateProcess(d->proc, 1);
		dial_free(d);
		return -1;
	}
	*fd = d->cfd;
	*out = d;
	return 0;
}

compat_sock compat_dial_fd(const struct compat_dial *d)
{
	return d->cfd;
}

/* The child's last stderr line (it has ended: the pipe is at EOF). */
static void last_words(struct compat_dial *d, char *why, size_t why_size)
{
	char buf[4096];
	DWORD n = 0, got;
	char *p;

	if (d->err_rd == INVALID_HANDLE_VALUE)
		return;
	while (n < sizeof(buf) - 1 &&
	       ReadFile(d->err_rd, buf + n, (DWORD)(sizeof(buf) - 1 - n), &got,
			NULL) &&
	       got)
		n += got;
	close_handle(&d->err_rd);
	if (!n)
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
	if (d->proc != INVALID_HANDLE_VALUE && d->proc) {
		if (WaitForSingleObject(d->proc, 0) != WAIT_OBJECT_0)
			return false;
		close_handle(&d->proc);
		last_words(d, why, why_size);
		return true;
	}
	return InterlockedCompareExchange(&d->ended, 0, 0) != 0;
}

void compat_dial_close(struct compat_dial *d, char *why, size_t why_size)
{
	if (!d)
		return;
	closesocket(d->cfd);
	d->cfd = INVALID_SOCKET;
	/* An accept that never came, a relay still copying: end them. */
	closesocket(d->lfd);
	d->lfd = INVALID_SOCKET;
	SetEvent(d->stop);
	if (d->thread)
		WaitForSingleObject(d->thread, INFINITE);
	if (d->proc && d->proc != INVALID_HANDLE_VALUE) {
		/* dial-stdio exits on EOF; give it a moment first. */
		if (d->wr != d->rd)
			close_handle(&d->wr);
		if (WaitForSingleObject(d->proc, 200) != WAIT_OBJECT_0)
			TerminateProcess(d->proc, 1);
		WaitForSingleObject(d->proc, INFINITE);
	}
	last_words(d, why, why_size);
	dial_free(d);
}

/* ---- Files -----------------------------------------------------------------
 */

char compat_path_list_sep(void)
{
	return ';';
}

int compat_lstat(const char *path, struct stat *st)
{
	if (stat(path, st))
		return -1;
	/* As the docker CLI sends files from Windows: -rwxr-xr-x. */
	st->st_mode = (unsigned short)((st->st_mode & ~0777) | 0755);
	return 0;
}

bool compat_is_link(const struct stat *st)
{
	(void)st;
	return false;
}

int compat_readlink(const char *path, char *buf, size_t size)
{
	(void)path;
	(void)buf;
	(void)size;
	errno = EINVAL;
	return -1;
}

int compat_open_read(const char *path)
{
	return _open(path, _O_RDONLY | _O_BINARY | _O_NOINHERIT);
}

int compat_mkdir_p(const char *path)
{
	char dir[4096];
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/*
	 * Each part in turn; a drive ("C:") or a share fails and is passed
	 * over: only the whole path must end up a directory.
	 */
	for (char *p = dir + 1; *p; p++) {
		if (!is_sep(*p))
			continue;
		*p = '\0';
		if (*dir)
			CreateDirectoryA(dir, NULL);
		*p = '\\';
	}
	CreateDirectoryA(dir, NULL);
	if (stat(dir, &st))
		return -1;
	if (!(st.st_mode & S_IFDIR)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int compat_rename(const char *from, const char *to)
{
	if (MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING))
		return 0;
	errno = GetLastError() == ERROR_ACCESS_DENIED ? EACCES : ENOENT;
	return -1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int compat_dir_list(char ***names, size_t *n, const char *path)
{
	struct sbuf pat = SBUF_INIT;
	WIN32_FIND_DATAA fd;
	HANDLE h;
	size_t alloc = 16;

	*n = 0;
	*names = NULL;
	sbuf_addf(&pat, "%s\\*", path);
	h = FindFirstFileA(pat.buf, &fd);
	sbuf_release(&pat);
	if (h == INVALID_HANDLE_VALUE) {
		errno = GetLastError() == ERROR_FILE_NOT_FOUND ? 0 : ENOENT;
		if (!errno) {
			*names = xcalloc(1, sizeof(char *));
			return 0;
		}
		return -1;
	}
	*names = xcalloc(alloc, sizeof(char *));
	do {
		if (!strcmp(fd.cFileName, ".") || !strcmp(fd.cFileName, ".."))
			continue;
		if (*n + 1 >= alloc) {
			alloc *= 2;
			*names = xrealloc(*names, alloc * sizeof(char *));
		}
		(*names)[(*n)++] = xstrdup(fd.cFileName);
	} while (FindNextFileA(h, &fd));
	FindClose(h);
	(*names)[*n] = NULL;
	qsort(*names, *n, sizeof(char *), cmp_names);
	return 0;
}

/* ---- The C library
 * ----------------------------------------------------------- */

struct msort {
	char *tmp;
	size_t size;
	int (*cmp)(const void *, const void *, void *);
	void *arg;
};

/* A stable merge sort, as glibc's qsort_r is where it has the memory. */
static void msort_run(struct msort *m, char *b, size_t n)
{
	size_t n1 = n / 2, n2 = n - n1, i = 0, j = 0, k = 0;
	char *b2 = b + n1 * m->size;

	if (n < 2)
		return;
	msort_run(m, b, n1);
	msort_run(m, b2, n2);
	while (i < n1 && j < n2) {
		char *src =
			m->cmp(b + i * m->size, b2 + j * m->size, m->arg) <= 0
				? b + i++ * m->size
				: b2 + j++ * m->size;

		memcpy(m->tmp + k++ * m->size, src, m->size);
	}
	memcpy(m->tmp + k * m->size, b + i * m->size, (n1 - i) * m->size);
	k += n1 - i;
	memcpy(m->tmp + k * m->size, b2 + j * m->size, (n2 - j) * m->size);
	memcpy(b, m->tmp, n * m->size);
}

void compat_qsort_r(void *base,
		    size_t n,
		    size_t size,
		    int (*cmp)(const void *, const void *, void *),
		    void *arg)
{
	struct msort m = {xmalloc(n * size + 1), size, cmp, arg};

	msort_run(&m, base, n);
	free(m.tmp);
}

void *
compat_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
	const char *h = hay;

	if (!nlen)
		return (void *)h;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (h[i] == *(const char *)needle &&
		    !memcmp(h + i, needle, nlen))
			return (void *)(h + i);
	return NULL;
}

void *compat_memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	while (n--)
		if (p[n] == (unsigned char)c)
			return (void *)(p + n);
	return NULL;
}

/* _putenv_s keeps the CRT's environment (getenv, _environ) up to date. */
int compat_setenv(const char *name, const char *value)
{
	return _putenv_s(name, value) ? -1 : 0;
}

/* An empty value removes the variable. */
int compat_unsetenv(const char *name)
{
	return _putenv_s(name, "") ? -1 : 0;
}

long long compat_timegm(const struct tm *tm)
{
	struct tm t = *tm;

	return (long long)_mkgmtime64(&t);
}

long compat_localtime(long long sec, struct tm *tm)
{
	__time64_t t = (__time64_t)sec;
	struct tm local;

	_localtime64_s(tm, &t);
	/* The local fields read as UTC, less the instant: the offset. */
	local = *tm;
	return (long)(_mkgmtime64(&local) - t);
}
