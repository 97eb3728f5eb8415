/* Exec: create, start (attached or detached), inspect, and run all three. */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static cJSON *exec_body(const struct engine_exec_spec *s)
{
	cJSON *b = cJSON_CreateObject();

	if (s->attach_stdin && !s->detach)
		cJSON_AddBoolToObject(b, "AttachStdin", 1);
	cJSON_AddBoolToObject(b, "AttachStdout", !s->detach);
	cJSON_AddBoolToObject(b, "AttachStderr", !s->detach);
	if (s->tty)
		cJSON_AddBoolToObject(b, "Tty", 1);
	ej_add_strv(b, "Cmd", &s->argv);
	ej_add_strv(b, "Env", &s->env);
	ej_add_str(b, "User", s->user);
	ej_add_str(b, "WorkingDir", s->working_dir);
	if (s->privileged)
		cJSON_AddBoolToObject(b, "Privileged", 1);
	return b;
}

static struct ereq *create_req(struct engine_loop *l,
			       struct engine *e,
			       const char *container,
			       const struct engine_exec_spec *spec)
{
	struct sbuf p = SBUF_INIT;
	struct ereq *r;

	eng_escape(&p, container);
	r = ereq_new(l, e, "POST", false, "/containers/%s/exec", p.buf);
	sbuf_release(&p);
	ereq_body_json(r, exec_body(spec));
	return r;
}

/*
 * Without an Upgrade header dockerd answers the start with "200 OK" and
 * then writes the (framed, unless Tty) output until the process ends and
 * closes the connection.
 */
static struct ereq *start_req(struct engine_loop *l,
			      struct engine *e,
			      const char *id,
			      bool detach,
			      bool tty)
{
	struct ereq *r = ereq_new(l, e, "POST", false, "/exec/%s/start", id);
	cJSON *b = cJSON_CreateObject();

	cJSON_AddBoolToObject(b, "Detach", detach);
	cJSON_AddBoolToObject(b, "Tty", tty);
	ereq_body_json(r, b);
	r->stream = !detach;
	return r;
}

/* ---- The chained run ---------------------------------------------------- */

struct run_ctx {
	struct engine_loop *l;
	struct engine *e;
	struct engine_demux dm;
	struct sbuf out;
	char id[80];
	bool detach;
	bool tty;
	int tries;
	engine_exit_fn cb;
	void *ud;
};

static void
run_finish(struct run_ctx *c, int rc, int code, const struct diag *err)
{
	c->cb(c->ud, rc, code, c->out.buf, c->out.len, rc ? err : NULL);
	sbuf_release(&c->out);
	free(c);
}

static int
run_output(void *ud, enum engine_stream_kind s, const char *p, size_t n)
{
	struct run_ctx *c = ud;

	(void)s;
	sbuf_add(&c->out, p, n);
	return 0;
}

static int run_data(struct ereq *r, const char *p, size_t n)
{
	struct run_ctx *c = r->ctx;

	return engine_demux_feed(&c->dm, p, n);
}

static void run_inspected(struct ereq *r, int rc, const struct diag *err);

static void run_inspect(struct run_ctx *c)
{
	ereq_start(ereq_new(c->l, c->e, "GET", false, "/exec/%s/json", c->id),
		   run_inspected, c);
}

static void run_inspected(struct ereq *r, int rc, const struct diag *err)
{
	struct run_ctx *c = r->ctx;
	struct diag d = {0};
	cJSON *j = NULL;
	int code = -1;

	j = eng_reply_json(r, &rc, &err, &d);
	/* The stream may close a moment before the daemon records the exit. */
	if (j && ej_bool(j, "Running") && !c->detach && ++c->tries < 200) {
		cJSON_Delete(j);
		run_inspect(c);
		return;
	}
	if (j)
		code = (int)ej_int(j, "ExitCode", -1);
	cJSON_Delete(j);
	run_finish(c, rc, code, err);
}

static void run_started(struct ereq *r, int rc, const struct diag *err)
{
	struct run_ctx *c = r->ctx;

	if (rc) {
		run_finish(c, rc, -1, err);
		return;
	}
	run_inspect(c);
}

static void
run_created(void *ud, int rc, const char *id, const struct diag *err)
{
	struct run_ctx *c = ud;
	struct ereq *r;

	if (rc) {
		run_finish(c, rc, -1, err);
		return;
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	r = start_req(c->l, c->e, c->id, c->detach, c->tty);
	r->on_data = run_data;
	ereq_start(r, run_started, c);
}

void engine_exec_run_async(struct engine_loop *l,
			   struct engine *e,
			   const char *container,
			   const struct engine_exec_spec *spec,
			   engine_exit_fn cb,
			   void *ud)
{
	struct run_ctx *c = xcalloc(1, sizeof(*c));

	c->l = l;
	c->e = e;
	c->detach = spec->detach;
	c->tty = spec->tty;
	c->cb = cb;
	c->ud = ud;
	sbuf_init(&c->out);
	engine_demux_init(&c->dm, spec->tty, run_output, c);
	eng_call_id(create_req(l, e, container, spec), "Id", run_created, c);
}

struct run_sync {
	struct eng_sync s;
	char **output;
};

static void run_sync_cb(void *ud,
			int rc,
			int code,
			const char *out,
			size_t len,
			const struct diag *err)
{
	struct run_sync *rs = ud;

	rs->s.exit_code = code;
	if (!rc && rs->output)
		*rs->output = xstrndup(out, len);
	eng_sync_done_cb(&rs->s, rc, err);
}

int engine_exec_run(struct engine *e,
		    const char *container,
		    const char *const *argv,
		    const char *user,
		    int *out_exit,
		    char **out_output,
		    struct diag *err)
{
	struct run_sync rs = {.s = {.err = err}, .output = out_output};
	struct engine_exec_spec spec = {.user = user};
	size_t n = 0;
	int rc;

	while (argv[n])
		n++;
	spec.argv.v = argv;
	spec.argv.n = n;
	if (out_output)
		*out_output = NULL;
	engine_exec_run_async(eng_own_loop(e), e, container, &spec, run_sync_cb,
			      &rs);
	rc = eng_sync_run(e, &rs.s);
	if (out_exit)
		*out_exit = rs.s.exit_code;
	return rc;
}

/* ---- The three steps, sync ---------------------------------------------- */

int engine_exec_create(struct engine *e,
		       const char *container,
		       /* NOLINTNEXTLINE(readability-non-const-parameter) */
		       const struct engine_exec_spec *spec,
		       char out_id[80],
		       struct diag *err)
{
	struct eng_sync s = {.err = err, .out = out_id, .out_len = 80};

	eng_call_id(create_req(eng_own_loop(e), e, container, spec), "Id",
		    eng_sync_id_cb, &s);
	return eng_sync_run(e, &s);
}

struct start_ctx {
	struct eng_sync s;
	struct engine_demux dm;
};

static int start_data(struct ereq *r, const char *p, size_t n)
{
	struct start_ctx *c = r->ctx;

	return engine_demux_feed(&c->dm, p, n);
}

static void start_done(struct ereq *r, int rc, const struct diag *err)
{
	struct start_ctx *c = r->ctx;

	eng_sync_done_cb(&c->s, rc, err);
}

int engine_exec_start(struct engine *e,
		      const char *exec_id,
		      bool detach,
		      bool tty,
		      engine_output_fn out,
		      void *ud,
		      struct diag *err)
{
	struct start_ctx c = {.s = {.err = err}};
	struct ereq *r = start_req(eng_own_loop(e), e, exec_id, detach, tty);

	engine_demux_init(&c.dm, tty, out, ud);
	r->on_data = start_data;
	ereq_start(r, start_done, &c);
	return eng_sync_run(e, &c.s);
}

struct einspect_ctx {
	struct eng_sync s;
	bool running;
};

static void einspect_done(struct ereq *r, int rc, const struct diag *err)
{
	struct einspect_ctx *c = r->ctx;
	struct diag d = {0};
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (j) {
		c->s.exit_code = (int)ej_int(j, "ExitCode", -1);
		c->running = ej_bool(j, "Running");
	}
	cJSON_Delete(j);
	eng_sync_done_cb(&c->s, rc, err);
}

int engine_exec_inspect(struct engine *e,
			const char *exec_id,
			int *out_exit,
			bool *out_running,
			struct diag *err)
{
	struct einspect_ctx c = {.s = {.err = err}};
	int rc;

	ereq_start(ereq_new(eng_own_loop(e), e, "GET", false, "/exec/%s/json",
			    exec_id),
		   einspect_done, &c);
	rc = eng_sync_run(e, &c.s);
	if (out_exit)
		*out_exit = c.s.exit_code;
	if (out_running)
		*out_running = c.running;
	return rc;
}
