/*
 * The interactive side of exec and run: the local terminal in raw mode
 * while a TTY session runs (restored on every way out), its size sent to
 * the daemon at the start and on every SIGWINCH, and the output written
 * as it comes.
 */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "engine/engine.h"

static struct termios tty_saved;
static int tty_saved_fd = -1;
static volatile sig_atomic_t tty_winch;
static volatile sig_atomic_t tty_stop;

void cli_tty_restore(void)
{
	if (tty_saved_fd < 0)
		return;
	tcsetattr(tty_saved_fd, TCSADRAIN, &tty_saved);
	tty_saved_fd = -1;
}

static void on_winch(int sig)
{
	(void)sig;
	tty_winch = 1;
}

/* A signal that ends us while raw: put the terminal back, then die of it. */
static void on_fatal(int sig)
{
	cli_tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_stop(int sig)
{
	(void)sig;
	tty_stop = 1;
}

int cli_tty_raw(int fd)
{
	static bool hooked;
	struct termios raw;

	if (tty_saved_fd >= 0 || !isatty(fd) || tcgetattr(fd, &tty_saved))
		return -1;
	if (!hooked) {
		atexit(cli_tty_restore);
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

bool cli_tty_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
on_output(void *ud, enum engine_stream_kind s, const char *data, size_t len)
{
	(void)ud;
	/* A reader that went away (| head) ends the session, quietly. */
	return write_all(s == ENGINE_STDERR ? 2 : 1, data, len) ? 1 : 0;
}

/* Resizes the remote TTY to ours; an exec not yet running may refuse. */
static void send_size(const struct cli_stream *st)
{
	unsigned rows, cols;
	struct diag err = {0};

	if (!cli_tty_size(STDOUT_FILENO, &rows, &cols) &&
	    !cli_tty_size(STDIN_FILENO, &rows, &cols))
		return;
	if (st->exec_id)
		engine_exec_resize(st->e, st->exec_id, rows, cols, &err);
	else
		engine_container_resize(st->e, st->container_id, rows, cols,
					&err);
}

static int tick(void *ud)
{
	const struct cli_stream *st = ud;

	if (tty_winch) {
		tty_winch = 0;
		send_size(st);
	}
	return tty_stop != 0;
}

int cli_stream_run(const struct cli_stream *st,
		   struct engine_hijack *hj,
		   struct diag *err)
{
	struct engine_stdio io = {
		.in_fd = st->with_stdin ? STDIN_FILENO : -1,
		.out = on_output,
		.tick = tick,
		.tick_ud = (void *)st,
	};
	struct sigaction sa, old_winch, old_int;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the pump's poll returns and the tick runs. */
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, &old_winch);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, &old_int);
	tty_winch = tty_stop = 0;
	if (st->tty) {
		if (st->with_stdin)
			cli_tty_raw(STDIN_FILENO);
		send_size(st);
	}
	rc = engine_hijack_pump(hj, &io, err);
	cli_tty_restore();
	sigaction(SIGWINCH, &old_winch, NULL);
	sigaction(SIGINT, &old_int, NULL);
	return rc;
}

int cli_tty_decide(bool *tty, bool no_tty, bool interactive)
{
	*tty = !no_tty && isatty(STDOUT_FILENO);
	if (*tty && interactive && !isatty(STDIN_FILENO)) {
		cli_errorf("the input device is not a TTY; use -T");
		return CLI_FAIL;
	}
	return CLI_OK;
}
