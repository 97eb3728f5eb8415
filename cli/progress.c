/*
 * The progress display of up and down, shaped like compose v2's: one line
 * per network, volume, image and container (several jobs update one
 * line), redrawn in place on a terminal, one line per change in plain
 * mode, one JSON object per change in json mode.  It all goes to stderr.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

enum prog_mode { PROG_TTY, PROG_PLAIN, PROG_JSON, PROG_QUIET };

enum line_state { LINE_WORKING, LINE_DONE, LINE_FAILED, LINE_WARNING };

struct prog_line {
	char *line;
	const char *daemon;
	const char *text;
	enum line_state state;
	long long t0, t1;
	bool visible;
};

struct cli_progress {
	enum prog_mode mode;
	const char *title;
	FILE *f;
	bool color;
	struct prog_line *v;
	size_t n, alloc;
	size_t drawn; /* lines on screen from the last tty redraw */
};

static const char *const mode_names[] = {"tty", "plain", "json", "quiet"};

bool cli_progress_mode_ok(const char *mode)
{
	if (!mode || !strcmp(mode, "auto"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(mode, mode_names[i]))
			return true;
	cli_errorf("--progress: '%s' is not one of auto, tty, plain, json, "
		   "quiet",
		   mode);
	return false;
}

struct cli_progress *cli_progress_new(const char *mode, const char *title)
{
	struct cli_progress *p;
	int m = -1;

	if (!cli_progress_mode_ok(mode))
		return NULL;
	if (!mode || !strcmp(mode, "auto"))
		m = compat_isatty(fileno(stderr)) ? PROG_TTY : PROG_PLAIN;
	for (size_t i = 0; m < 0 && i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(mode, mode_names[i]))
			m = (int)i;
	p = xcalloc(1, sizeof(*p));
	p->mode = (enum prog_mode)m;
	p->title = title;
	p->f = stderr;
	p->color = cli_color(stderr);
	return p;
}

void cli_progress_free(struct cli_progress *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].line);
	free(p->v);
	free(p);
}

static long long now_ms(void)
{
	return compat_now_ms();
}

static struct prog_line *line_get(struct cli_progress *p,
				  const struct apply_job_info *in)
{
	struct prog_line *l;

	for (size_t i = 0; i < p->n; i++) {
		l = &p->v[i];
		if (!strcmp(l->line, in->line) && !!l->daemon == !!in->daemon &&
		    (!l->daemon || !strcmp(l->daemon, in->daemon)))
			return l;
	}
	ALLOC_GROW(p->v, p->n + 1, p->alloc);
	l = &p->v[p->n++];
	memset(l, 0, sizeof(*l));
	l->line = xstrdup(in->line);
	l->daemon = in->daemon;
	return l;
}

/* "pulling" -> "Pulling"; phases are short static words. */
static const char *phase_text(const char *phase)
{
	static const char *const map[][2] = {
		{"pulling", "Pulling"},
		{"building", "Building"},
		{"stopping", "Stopping"},
		{"removing", "Removing"},
	};

	for (size_t i = 0; phase && i < ARRAY_SIZE(map); i++)
		if (!strcmp(phase, map[i][0]))
			return map[i][1];
	return NULL;
}

static double elapsed(const struct prog_line *l)
{
	long long end = l->state == LINE_WORKING ? now_ms() : l->t1;

	return end > l->t0 ? (double)(end - l->t0) / 1000.0 : 0.0;
}

static void line_label(struct sbuf *sb, const struct prog_line *l)
{
	sbuf_adds(sb, engine_dry_run() ? CLI_DRY_PREFIX : "");
	sbuf_adds(sb, l->line);
	if (l->daemon)
		sbuf_addf(sb, " (%s)", l->daemon);
}

/* ---- Output ----------------------------------------------------------------
 */

static void emit_plain(struct cli_progress *p, const struct prog_line *l)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addch(&sb, ' ');
	line_label(&sb, l);
	sbuf_addf(&sb, "  %s\n", l->text);
	fputs(sb.buf, p->f);
	fflush(p->f);
	sbuf_release(&sb);
}

static void emit_json(struct cli_progress *p,
		      const struct prog_line *l,
		      const struct engine_job *j)
{
	static const char *const states[] = {"working", "done", "error",
					     "warning"};
	struct json *o = json_object_new();
	struct sbuf sb = SBUF_INIT;

	json_add_str(o, "id", l->line);
	json_add_str(o, "daemon", l->daemon);
	json_add_str(o, "status", l->text);
	json_add_str(o, "state", states[l->state]);
	json_add_num(o, "elapsed", elapsed(l), 3);
	if (j->state == ENGINE_JOB_FAILED || j->in_use)
		json_add_str(o, "error", j->err.msg);
	json_write_free(&sb, o, 0);
	fputs(sb.buf, p->f);
	fflush(p->f);
	sbuf_release(&sb);
}

static void draw_tty(struct cli_progress *p)
{
	struct sbuf sb = SBUF_INIT, lab = SBUF_INIT;
	size_t shown = 0, done = 0, width = 0;

	for (size_t i = 0; i < p->n; i++) {
		if (!p->v[i].visible)
			continue;
		sbuf_reset(&lab);
		line_label(&lab, &p->v[i]);
		if (lab.len > width)
			width = lab.len;
		shown++;
		done += p->v[i].state != LINE_WORKING;
	}
	if (p->drawn)
		sbuf_addf(&sb, "\033[%zuA", p->drawn);
	sbuf_addf(&sb, "\r\033[2K[+] %s %zu/%zu\n", p->title, done, shown);
	for (size_t i = 0; i < p->n; i++) {
		const struct prog_line *l = &p->v[i];
		/* compose v2 marks a warning with a yellow '!'. */
		const char *mark = l->state == LINE_DONE      ? "\u2714"
				   : l->state == LINE_FAILED  ? "\u2718"
				   : l->state == LINE_WARNING ? "!"
							      : "\u283f";
		const char *col = !p->color		     ? ""
				  : l->state == LINE_DONE    ? "\033[32m"
				  : l->state == LINE_FAILED  ? "\033[31m"
				  : l->state == LINE_WARNING ? "\033[33m"
							     : "\033[34m";

		if (!l->visible)
			continue;
		sbuf_reset(&lab);
		line_label(&lab, l);
		sbuf_addf(&sb, "\033[2K %s%s%s %-*s  %-10s %5.1fs\n", col, mark,
			  p->color ? "\033[0m" : "", (int)width, lab.buf,
			  l->text, elapsed(l));
	}
	p->drawn = shown + 1;
	fputs(sb.buf, p->f);
	fflush(p->f);
	sbuf_release(&sb);
	sbuf_release(&lab);
}

static void emit(struct cli_progress *p,
		 const struct prog_line *l,
		 const struct engine_job *j)
{
	switch (p->mode) {
	case PROG_TTY:
		draw_tty(p);
		break;
	case PROG_PLAIN:
		emit_plain(p, l);
		break;
	case PROG_JSON:
		emit_json(p, l, j);
		break;
	case PROG_QUIET:
		break;
	}
}

/* ---- Job changes ------------------------------------------------------------
 */

/* The line's new text for this change, or NULL when it stays. */
static const char *change_text(const struct engine_job *j,
			       const struct apply_job_info *in,
			       const struct prog_line *l)
{
	switch (j->state) {
	case ENGINE_JOB_WORKING:
		if (phase_text(j->phase))
			return phase_text(j->phase);
		return in->lazy ? NULL : in->doing;
	case ENGINE_JOB_DONE:
		if (in->lazy && !l->visible)
			return NULL;
		if (j->in_use && in->in_use)
			return in->in_use;
		return j->noop && in->noop ? in->noop : in->done;
	case ENGINE_JOB_FAILED:
		return j->optional ? "Warning" : "Error";
	default:
		return NULL;
	}
}

void cli_progress_job(void *ud,
		      const struct engine_job *jobs,
		      size_t n,
		      size_t i)
{
	struct cli_progress *p = ud;
	const struct engine_job *j = &jobs[i];
	const struct apply_job_info *in = j->ud;
	struct prog_line *l;
	const char *text;

	(void)n;
	if (!p || !in || in->quiet)
		return;
	l = line_get(p, in);
	if (j->state == ENGINE_JOB_WORKING && !l->t0)
		l->t0 = j->started_ms;
	text = change_text(j, in, l);
	if (j->state == ENGINE_JOB_FAILED && !j->optional)
		l->state = LINE_FAILED;
	else if (j->state == ENGINE_JOB_FAILED)
		l->state = LINE_DONE;
	else if (j->state == ENGINE_JOB_DONE &&
		 (j->in_use || (j->noop && in->noop_warn)))
		l->state = LINE_WARNING;
	else if (j->state == ENGINE_JOB_WORKING && text)
		l->state = LINE_WORKING;
	else if (j->state == ENGINE_JOB_DONE && text)
		l->state = LINE_DONE;
	if (j->state == ENGINE_JOB_DONE || j->state == ENGINE_JOB_FAILED)
		l->t1 = j->finished_ms;
	if (!text || (l->text && !strcmp(l->text, text) && l->visible))
		return;
	l->text = text;
	l->visible = true;
	emit(p, l, j);
}

void cli_progress_done(struct cli_progress *p,
		       const struct engine_job *jobs,
		       size_t n)
{
	size_t skipped = 0;

	if (p && p->mode == PROG_TTY && p->n)
		draw_tty(p);
	for (size_t i = 0; i < n; i++) {
		const struct apply_job_info *in = jobs[i].ud;

		/* As compose v2 words it; the dependents started anyway. */
		if (jobs[i].state == ENGINE_JOB_FAILED && jobs[i].optional)
			fprintf(stderr,
				"warning: optional dependency \"%s\" failed "
				"to start: %s\n",
				in && in->optional_dep ? in->optional_dep : "?",
				jobs[i].err.msg);
		else if (jobs[i].state == ENGINE_JOB_FAILED)
			cli_error(&jobs[i].err);
		else if (jobs[i].in_use)
			fprintf(stderr, "warning: left in place, in use: %s\n",
				jobs[i].err.msg);
		skipped += jobs[i].state == ENGINE_JOB_SKIPPED &&
			   jobs[i].err.code != DIAG_EINTR && jobs[i].ud;
	}
	if (skipped)
		cli_errorf("%zu step(s) not run because of the failure(s) "
			   "above",
			   skipped);
}
