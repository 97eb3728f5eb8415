/*
 * The interactive side of exec and run: the local terminal in raw mode
 * while a TTY session runs (restored on every way out), its size sent to
 * the daemon at the start and on every SIGWINCH, and the output written
 * as it comes.  The terminal itself is the platform layer's (compat/).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"

static volatile sig_atomic_t tty_stop;

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

	if (!compat_tty_size(STDOUT_FILENO, &rows, &cols) &&
	    !compat_tty_size(STDIN_FILENO, &rows, &cols))
		return;
	if (st->exec_id)
		engine_exec_resize(st->e, st->exec_id, rows, cols, &err);
	else
		engine_container_resize(st->e, st->container_id, rows, cols,
					&err);
}

/* attach --sig-proxy: the signal goes to the container's process. */
static void proxy_signal(const struct cli_stream *st)
{
	struct diag err = {0};

	if (engine_container_kill(st->e, st->container_id,
				  tty_stop == SIGTERM ? "SIGTERM" : "SIGINT",
				  &err))
		cli_error(&err);
	tty_stop = 0;
}

static int tick(void *ud)
{
	const struct cli_stream *st = ud;

	if (compat_tty_resized())
		send_size(st);
	if (tty_stop && st->sig_proxy && st->container_id)
		proxy_signal(st);
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
	unsigned which = COMPAT_INT_KEY | (st->sig_proxy ? COMPAT_INT_TERM : 0);
	volatile sig_atomic_t *old_int;
	int rc;

	tty_stop = 0;
	compat_tty_watch(true);
	old_int = compat_catch_interrupts(&tty_stop, which);
	if (st->tty) {
		if (st->with_stdin)
			compat_tty_raw(STDIN_FILENO);
		send_size(st);
	}
	rc = engine_hijack_pump(hj, &io, err);
	compat_tty_restore();
	compat_tty_watch(false);
	compat_catch_interrupts(old_int, which);
	return rc;
}

int cli_tty_decide(bool *tty, bool no_tty, bool interactive)
{
	*tty = !no_tty && compat_isatty(STDOUT_FILENO);
	if (*tty && interactive && !compat_isatty(STDIN_FILENO)) {
		cli_errorf("the input device is not a TTY; use -T");
		return CLI_FAIL;
	}
	return CLI_OK;
}
