/*
 * The platform layer: everything that differs between POSIX and Windows,
 * behind one header, as git's compat/ and libgit2's src/util/win32/ do.
 * compat/posix.c and compat/win32.c implement it; CMake compiles the one
 * that fits the target.  Every module may use it (like util/), and no
 * other file tests _WIN32: code above this layer is the same everywhere.
 *
 * Like the rest of the tree below cli/, nothing here prints or exits;
 * failures come back as -1 (or NULL) with a message where one helps.
 */
#ifndef COMPAT_COMPAT_H
#define COMPAT_COMPAT_H

#include <signal.h> /* sig_atomic_t */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef _WIN32
typedef uintptr_t compat_sock; /* SOCKET */
#define COMPAT_SOCK_BAD ((compat_sock) ~(uintptr_t)0)
#else
typedef int compat_sock;
#define COMPAT_SOCK_BAD (-1)
#endif

struct sockaddr;
struct tm;

/* ---- Start-up ------------------------------------------------------------ */

/*
 * Once, first thing in main(): Winsock, VT output and UTF-8 on a Windows
 * console, binary standard streams; nothing on POSIX.
 */
void compat_init(void);

/* ---- Environment and paths ----------------------------------------------- */

/* The process environment (NAME=VALUE, NULL-terminated); borrowed. */
char **compat_environ(void);

/*
 * The variable that names the user's home: "HOME" on POSIX, "USERPROFILE"
 * on Windows (where the docker CLI keeps %USERPROFILE%\.docker).
 */
const char *compat_home_var(void);

/* True when 'path' is absolute: "/x"; on Windows also "C:\x", "C:/x", "\\h\s".
 */
bool compat_path_is_abs(const char *path);
/* True for a separator of local paths: '/'; on Windows also '\\'. */
bool compat_path_sep(char c);

/* The canonical absolute path of an existing 'path' (malloc'ed), or NULL. */
char *compat_realpath(const char *path);

/* Fills 'buf' with 'n' random bytes from the system; 0 or -1. */
int compat_random(void *buf, size_t n);

/* ---- Time ------------------------------------------------------------------
 */

/* A monotonic clock in milliseconds. */
long long compat_now_ms(void);

/* Sleeps 'ms' milliseconds (a signal may cut it short). */
void compat_sleep_ms(long ms);

/* ---- Dynamic loading -------------------------------------------------------
 */

/*
 * The file name of shared library 'base' with ABI 'abi' ("curl", 4):
 * "libcurl.so.4" on POSIX, "libcurl-4.dll" on Windows.  Written to 'buf'.
 */
const char *compat_dl_name(char *buf, size_t size, const char *base, int abi);

/*
 * Loads 'path' with its symbols kept local (RTLD_NOW | RTLD_LOCAL; on
 * Windows LoadLibrary, which also searches the program's directory).
 * NULL on failure, with the loader's reason in 'why'.
 */
void *compat_dl_open(const char *path, char *why, size_t why_size);
/* The address of 'name' in 'lib', or NULL. */
void *compat_dl_sym(void *lib, const char *name);
void compat_dl_close(void *lib);

/* ---- Signals and Ctrl-C ----------------------------------------------------
 */

#define COMPAT_INT_KEY 1u  /* SIGINT; Windows: Ctrl-C, Ctrl-Break */
#define COMPAT_INT_TERM 2u /* SIGTERM; Windows: console closed, logoff */

/*
 * From now on the interrupts of 'which' set '*flag' to the signal number
 * (SIGINT, SIGTERM; Windows: SIGINT for Ctrl-C and Ctrl-Break, SIGTERM for
 * a closed console, logoff and shutdown) instead of ending the process; a
 * NULL 'flag' gives them back their default action.  A poll
 * or sleep in progress returns early (no SA_RESTART) so that the flag is
 * seen.  Returns the flag that the first interrupt of 'which' set until
 * now (NULL: its default), to put back later.
 */
volatile sig_atomic_t *compat_catch_interrupts(volatile sig_atomic_t *flag,
					       unsigned which);

/*
 * While 'on', watches the terminal's size; compat_tty_resized() then says
 * (once per change) that it changed.  POSIX: SIGWINCH; Windows: the
 * console's size is compared with the last one seen.  Turning it off puts
 * back the previous handlers.
 */
void compat_tty_watch(bool on);
bool compat_tty_resized(void);

/* ---- The terminal ----------------------------------------------------------
 */

/* True when 'fd' is a terminal (a console on Windows). */
bool compat_isatty(int fd);

/*
 * Puts terminal 'fd' in raw mode (no echo, no line editing, no signals
 * from keys; output processing stays on) until compat_tty_restore(), which
 * also runs at exit and, on POSIX, on SIGTERM, SIGHUP and SIGQUIT before
 * the process dies of them.  -1 if 'fd' is no terminal or already raw.
 */
int compat_tty_raw(int fd);
/* Restores what compat_tty_raw changed; harmless when nothing is raw. */
void compat_tty_restore(void);

/* The size of terminal 'fd' in '*rows' and '*cols'; false if unknown. */
bool compat_tty_size(int fd, unsigned *rows, unsigned *cols);

/* ---- Sockets and descriptors ----------------------------------------------
 */

/*
 * Waits up to 'timeout_ms' until 'sock' is readable or 'fd' (a file
 * descriptor: a terminal, pipe or file; -1 for none) has input.  Sets
 * '*sock_ready' and '*fd_ready'.  Returns 1 when one is ready, 0 at the
 * timeout or on a signal, -1 on an error (errno set).
 */
int compat_poll2(compat_sock sock,
		 int fd,
		 long timeout_ms,
		 bool *sock_ready,
		 bool *fd_ready);

/*
 * Waits up to 'timeout_ms' until 'sock' can be written ('for_write') or
 * read.  1 when ready, 0 at the timeout or on a signal, -1 on an error.
 */
int compat_sock_wait(compat_sock sock, bool for_write, long timeout_ms);

/* Closes the sending side of 'sock' (the peer reads EOF). */
int compat_shutdown_write(compat_sock sock);

/* Closes 'sock'. */
int compat_sock_close(compat_sock sock);

/* ---- Bridged connections (ssh://, npipe://) -------------------------------
 */

/*
 * libcurl connects only to sockets.  A dial gives it one: a socket bound
 * to loopback and the address of a loopback listener (to hand to curl's
 * CURLOPT_OPENSOCKETFUNCTION), while the far end of that one connection
 * (checked by its port: no other client is taken) is carried to a child
 * process's stdin and stdout, or to a named pipe.
 */
struct compat_dial;

/*
 * Runs 'argv' (searched in PATH) with the connection as its stdin and
 * stdout and its stderr kept for compat_dial_error().  The child gets its
 * own process group, so Ctrl-C goes to us and not to it.
 */
int compat_dial_command(struct compat_dial **out,
			compat_sock *fd,
			struct sockaddr *addr,
			unsigned *addrlen,
			char *const argv[],
			char *why,
			size_t why_size);

/*
 * Opens the named pipe 'name' ("//./pipe/docker_engine"; slashes or
 * backslashes, a doubled slash as in the seed's "//./pipe//docker_lcow"
 * is one), waiting up to 'timeout_ms' while it is busy (ERROR_PIPE_BUSY),
 * and relays the connection to it from a thread.  Windows only: elsewhere
 * it fails, saying so in 'why'.
 */
int compat_dial_pipe(struct compat_dial **out,
		     compat_sock *fd,
		     struct sockaddr *addr,
		     unsigned *addrlen,
		     const char *name,
		     long timeout_ms,
		     char *why,
		     size_t why_size);

/* True where compat_dial_pipe can work (Windows). */
bool compat_has_npipe(void);

/* The socket handed out by this dial. */
compat_sock compat_dial_fd(const struct compat_dial *d);

/*
 * True when the far end has ended (the child exited, the pipe closed);
 * its last words (the last stderr line of a child) go to 'why'.
 */
bool compat_dial_ended(struct compat_dial *d, char *why, size_t why_size);

/*
 * Closes the socket, lets the child end on its EOF (or terminates it
 * after 200 ms) and waits for it, stops the relay, and frees 'd'.  The
 * child's last stderr line, if any, goes to 'why' (left alone if none).
 */
void compat_dial_close(struct compat_dial *d, char *why, size_t why_size);

/* ---- Files -----------------------------------------------------------------
 */

struct stat;

/* The separator of path lists (COMPOSE_FILE): ':' on POSIX, ';' on Windows. */
char compat_path_list_sep(void);

/*
 * lstat(); Windows has no symbolic links here: stat(), with the mode bits
 * the docker CLI gives files sent from Windows (0755).
 */
int compat_lstat(const char *path, struct stat *st);
/* S_ISLNK; never true on Windows. */
bool compat_is_link(const struct stat *st);
/* readlink() into 'buf' (NUL-terminated); -1 with errno. */
int compat_readlink(const char *path, char *buf, size_t size);
/* Opens 'path' for reading, binary and not inherited; a descriptor or -1. */
int compat_open_read(const char *path);
/*
 * mkdir -p of 'path' ('/' or, on Windows, '\\' between the parts), private
 * to the user where the system has modes.  0, or -1 with errno.
 */
int compat_mkdir_p(const char *path);
/*
 * rename() that replaces an existing 'to' (Windows' own rename() refuses
 * to).  0, or -1 with errno.
 */
int compat_rename(const char *from, const char *to);

/*
 * The names in directory 'path' without "." and "..", sorted by strcmp,
 * in a malloc'ed array of malloc'ed strings ('*n' of them; free each and
 * the array).  0, or -1 with errno.
 */
int compat_dir_list(char ***names, size_t *n, const char *path);

/* ---- Watching files
 * ----------------------------------------------------------
 */

/*
 * Change notification for `watch`: inotify on Linux, ReadDirectoryChangesW
 * on Windows.  A directory is watched with everything below it
 * (directories made later included); a file by its directory, reporting
 * only that file.  Paths come back absolute, with '/' on POSIX (Windows:
 * '\\' as the system gives them, below the root as given).
 */
struct compat_watch;

/* A new, empty watch; NULL with the reason in 'why'. */
struct compat_watch *compat_watch_new(char *why, size_t why_size);
/*
 * Watches 'path' (absolute; a file or a directory).  A path that does not
 * exist yet is watched through its parent directory.  0, or -1 with the
 * reason in 'why'.
 */
int compat_watch_add(struct compat_watch *w,
		     const char *path,
		     char *why,
		     size_t why_size);
/* What a change did to a path. */
typedef void compat_watch_fn(void *ud, const char *path);
/*
 * Waits up to 'timeout_ms' (-1: forever) for changes and calls 'fn' for
 * each changed path (created, written, moved or deleted; a new directory
 * is watched at once and the files already in it reported).  Returns the
 * number of paths reported, 0 at the timeout or on a signal, -1 on an
 * error (with 'why').
 */
int compat_watch_wait(struct compat_watch *w,
		      long timeout_ms,
		      compat_watch_fn *fn,
		      void *ud,
		      char *why,
		      size_t why_size);
/* Stops every watch and frees 'w' (NULL is fine). */
void compat_watch_free(struct compat_watch *w);

/* ---- Threads ---------------------------------------------------------------
 */

/* A thread (pthreads on POSIX, CreateThread on Windows). */
struct compat_thread;
/* Runs fn(arg) in a new thread; NULL if none could be made. */
struct compat_thread *compat_thread_start(void (*fn)(void *), void *arg);
/* Waits for the thread to end and frees it (NULL is fine). */
void compat_thread_join(struct compat_thread *t);

/* ---- What the C library of one side lacks ----------------------------------
 */

/* glibc's qsort_r (a stable merge sort on both sides, so ties keep order). */
void compat_qsort_r(void *base,
		    size_t n,
		    size_t size,
		    int (*cmp)(const void *, const void *, void *),
		    void *arg);
/* memmem(). */
void *
compat_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen);
/* memrchr(): the last 'c' in the 'n' bytes at 's'. */
void *compat_memrchr(const void *s, int c, size_t n);
/* setenv(name, value, 1) and unsetenv(name): 0, or -1 with errno. */
int compat_setenv(const char *name, const char *value);
int compat_unsetenv(const char *name);
/* timegm(): broken-down UTC to seconds since the epoch. */
long long compat_timegm(const struct tm *tm);
/*
 * localtime_r(): 'sec' as local time in '*tm'; returns the zone's offset
 * east of UTC in seconds at that instant.
 */
long compat_localtime(long long sec, struct tm *tm);

/* ---- Addresses -------------------------------------------------------------
 */

/* True when 's' is an IPv4 (version 4) or IPv6 (version 6) address. */
bool compat_ip_valid(int version, const char *s);

#endif
