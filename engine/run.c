/*
 * The job-graph runner: every job starts as soon as its dependencies are
 * done, on whichever daemon it names, all from one loop.  Each job is a
 * small state machine driven by the callbacks of the async calls; WAIT
 * jobs poll inspect between requests, so nothing blocks a cancel.
 */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/sbuf.h"
#include "compat/compat.h"
#include "util/xalloc.h"

#define RUN_POLL_MS_DEFAULT 250
#define RUN_STEP_MS 100
#define RUN_EXEC_OUTPUT_MAX 400
#define RUN_RETRY_MAX 5
#define RUN_RETRY_MS 300

struct run;

/* Per job: what its callbacks need to find it again. */
struct jctx {
	struct run *run;
	size_t i;
	size_t k;	     /* CREATE: the next endpoint to connect */
	bool sleeping;	     /* WAIT: between two polls; or before a retry */
	long long next_poll; /* when to inspect (or try) again */
	int attempts;	     /* retries so far */
};

struct run {
	struct engine_loop *l;
	struct engine_job *jobs;
	size_t n;
	const struct engine_run_opts *o;
	long poll_ms;
	long retry_ms;
	struct jctx *ctx;
	enum engine_job_state *seen; /* states the progress callback knows */
	bool cancelled;
};

static long long now_ms(void)
{
	return compat_now_ms();
}

const char *engine_job_kind_name(enum engine_job_kind k)
{
	static const char *const names[] = {
		"noop",
		"network create",
		"network remove",
		"volume create",
		"volume remove",
		"image ensure",
		"image pull",
		"image check",
		"container create",
		"container start",
		"container stop",
		"container remove",
		"wait",
		"exec",
		"file edit",
		"image build",
		"image remove",
	};

	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

const char *engine_job_state_name(enum engine_job_state s)
{
	static const char *const names[] = {"waiting", "working", "done",
					    "failed", "skipped"};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "?";
}

static const char *job_title(const struct engine_job *j)
{
	return j->title ? j->title : engine_job_kind_name(j->kind);
}

/* ---- Checking and scheduling (pure) -------------------------------------- */

static bool has_dep(const struct engine_job *j, size_t d)
{
	for (size_t k = 0; k < j->n_deps; k++)
		if (j->deps[k] == d)
			return true;
	return false;
}

static int
check_one(const struct engine_job *jobs, size_t n, size_t i, struct diag *err)
{
	const struct engine_job *j = &jobs[i];
	size_t cj = j->container.job;

	for (size_t k = 0; k < j->n_deps; k++)
		if (j->deps[k] >= n || j->deps[k] == i)
			return diag_set(err, DIAG_EUSAGE, NULL,
					"job %zu (%s): bad dependency %zu", i,
					job_title(j), j->deps[k]);
	if (cj != ENGINE_JOB_NONE && (cj >= n || !has_dep(j, cj)))
		return diag_set(err, DIAG_EUSAGE, NULL,
				"job %zu (%s): container job %zu is not one "
				"of its dependencies",
				i, job_title(j), cj);
	if (!j->engine && j->kind != ENGINE_JOB_NOOP)
		return diag_set(err, DIAG_EUSAGE, NULL,
				"job %zu (%s): no daemon", i, job_title(j));
	return 0;
}

int engine_jobs_check(const struct engine_job *jobs, size_t n, struct diag *err)
{
	unsigned char *done;
	size_t left = n;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if ((rc = check_one(jobs, n, i, err)))
			return rc;
	/* Kahn's algorithm, quadratic but plain: a few hundred jobs at most. */
	done = xcalloc(n + 1, 1);
	for (bool progress = true; left && progress;) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			bool ok = !done[i];

			for (size_t k = 0; ok && k < jobs[i].n_deps; k++)
				ok = done[jobs[i].deps[k]];
			if (ok) {
				done[i] = 1;
				left--;
				progress = true;
			}
		}
	}
	for (size_t i = 0; left && i < n; i++)
		if (!done[i]) {
			rc = diag_set(err, DIAG_EUSAGE, NULL,
				      "job %zu (%s) is part of a dependency "
				      "cycle",
				      i, job_title(&jobs[i]));
			break;
		}
	free(done);
	return rc;
}

/* The first dependency that failed or was skipped, or ENGINE_JOB_NONE. */
static size_t broken_dep(const struct engine_job *jobs,
			 const struct engine_job *j)
{
	for (size_t k = 0; k < j->n_deps; k++) {
		enum engine_job_state s = jobs[j->deps[k]].state;

		if (j->soft_deps && j->deps[k] != j->container.job)
			continue;
		if (j->soft && j->soft[k])
			continue;

		if (s == ENGINE_JOB_FAILED || s == ENGINE_JOB_SKIPPED)
			return j->deps[k];
	}
	return ENGINE_JOB_NONE;
}

static bool deps_done(const struct engine_job *jobs, const struct engine_job *j)
{
	for (size_t k = 0; k < j->n_deps; k++) {
		enum engine_job_state s = jobs[j->deps[k]].state;

		if (s == ENGINE_JOB_DONE)
			continue;
		if ((!j->soft_deps && !(j->soft && j->soft[k])) ||
		    s == ENGINE_JOB_WAITING || s == ENGINE_JOB_WORKING)
			return false;
	}
	return true;
}

static bool skip_broken(struct engine_job *jobs, size_t n)
{
	bool changed = false;

	for (size_t i = 0; i < n; i++) {
		struct engine_job *j = &jobs[i];
		size_t d;

		if (j->state != ENGINE_JOB_WAITING)
			continue;
		d = broken_dep(jobs, j);
		if (d == ENGINE_JOB_NONE)
			continue;
		j->state = ENGINE_JOB_SKIPPED;
		j->finished_ms = now_ms();
		diag_set(&j->err,
			 jobs[d].err.code ? jobs[d].err.code : DIAG_EENGINE,
			 NULL, "%s: skipped: %s %s", job_title(j),
			 job_title(&jobs[d]),
			 jobs[d].state == ENGINE_JOB_FAILED ? "failed"
							    : "was skipped");
		changed = true;
	}
	return changed;
}

size_t
engine_jobs_ready(struct engine_job *jobs, size_t n, size_t *out, size_t cap)
{
	size_t nr = 0;

	/* A skip can unblock nothing but may skip more: repeat to a fixpoint.
	 */
	while (skip_broken(jobs, n))
		;
	for (size_t i = 0; i < n && nr < cap; i++)
		if (jobs[i].state == ENGINE_JOB_WAITING &&
		    deps_done(jobs, &jobs[i]))
			out[nr++] = i;
	return nr;
}

/* ---- State changes --------------------------------------------------------
 */

static void notify(struct run *r, size_t i)
{
	r->seen[i] = r->jobs[i].state;
	if (r->o->progress)
		r->o->progress(r->o->progress_ud, r->jobs, r->n, i);
}

static void set_phase(struct run *r, size_t i, const char *phase)
{
	r->jobs[i].phase = phase;
	notify(r, i);
}

static void job_done(struct run *r, size_t i)
{
	r->jobs[i].state = ENGINE_JOB_DONE;
	r->jobs[i].phase = NULL;
	r->jobs[i].finished_ms = now_ms();
	notify(r, i);
}

/*
 * Daemons that share one host's iptables (the lab's, or any two engines on
 * one machine) race when both rewrite their chains at once, and one then
 * fails with an iptables error that is gone a moment later.
 */
static bool retry_later(struct run *r, size_t i, const struct diag *err)
{
	struct jctx *c = &r->ctx[i];

	if (err->code != DIAG_EENGINE || !strstr(err->msg, "iptables") ||
	    c->attempts >= RUN_RETRY_MAX || r->cancelled)
		return false;
	c->attempts++;
	c->sleeping = true;
	c->next_poll = now_ms() + (long long)r->retry_ms * c->attempts;
	return true;
}

static void job_fail(struct run *r, size_t i, const struct diag *err)
{
	struct engine_job *j = &r->jobs[i];

	if (retry_later(r, i, err))
		return;
	j->state = ENGINE_JOB_FAILED;
	j->finished_ms = now_ms();
	j->err = *err;
	if (!j->err.code)
		j->err.code = DIAG_EENGINE;
	diag_prefix(&j->err, "%s", job_title(j));
	notify(r, i);
}

static void job_failf(struct run *r, size_t i, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void job_failf(struct run *r, size_t i, int code, const char *fmt, ...)
{
	struct diag d = {0};
	va_list ap;

	va_start(ap, fmt);
	diag_vset(&d, code, NULL, fmt, ap);
	va_end(ap);
	job_fail(r, i, &d);
}

/*
 * A daemon that refuses the archive API (a running Hyper-V container, an
 * old Windows daemon) leaves the job DONE and refused, for its fallback.
 */
static void on_file_edited(void *ud, int rc, const struct diag *err)
{
	struct jctx *c = ud;
	struct engine_job *j = &c->run->jobs[c->i];

	if (rc && !engine_file_edit_refused(rc)) {
		job_fail(c->run, c->i, err);
		return;
	}
	j->refused = rc != 0;
	j->noop = rc != 0;
	if (rc)
		j->err = *err;
	job_done(c->run, c->i);
}

static void on_files_put(void *ud, int rc, const struct diag *err)
{
	struct jctx *c = ud;

	if (rc)
		job_fail(c->run, c->i, err);
	else
		job_done(c->run, c->i);
}

/* The id of the container a job acts on, or NULL (then it has failed). */
static const char *container_id(struct run *r, size_t i)
{
	const struct engine_job *j = &r->jobs[i];
	size_t cj = j->container.job;

	if (cj == ENGINE_JOB_NONE) {
		if (j->container.id && *j->container.id)
			return j->container.id;
	} else if (r->jobs[cj].id[0]) {
		return r->jobs[cj].id;
	}
	job_failf(r, i, DIAG_EUSAGE, "no container to act on");
	return NULL;
}

/* ---- Simple jobs ----------------------------------------------------------
 */

static void on_done(void *ud, int rc, const struct diag *err)
{
	struct jctx *c = ud;

	if (rc)
		job_fail(c->run, c->i, err);
	else
		job_done(c->run, c->i);
}

/*
 * Removing what is not there is what the caller wanted; what is still in
 * use stays, and the job says so (compose v2's down warns and goes on).
 */
static void on_removed(void *ud, int rc, const struct diag *err)
{
	struct jctx *c = ud;
	struct engine_job *j = &c->run->jobs[c->i];

	if (rc == DIAG_ENOTFOUND) {
		j->noop = true;
		rc = 0;
	} else if (rc == DIAG_ECONFLICT && err) {
		j->in_use = true;
		j->err = *err;
		diag_prefix(&j->err, "%s", job_title(j));
		rc = 0;
	}
	on_done(ud, rc, err);
}

/*
 * A forced container removal's 409 is another client removing it at the
 * same moment (two `down`s of one project): it goes either way, and
 * compose v2 counts it removed too.
 */
static void on_container_removed(void *ud, int rc, const struct diag *err)
{
	if (rc == DIAG_ECONFLICT)
		rc = 0;
	on_removed(ud, rc, err);
}

static void on_id(void *ud, int rc, const char *id, const struct diag *err)
{
	struct jctx *c = ud;

	if (rc) {
		job_fail(c->run, c->i, err);
		return;
	}
	snprintf(c->run->jobs[c->i].id, sizeof(c->run->jobs[c->i].id), "%s",
		 id ? id : "");
	job_done(c->run, c->i);
}

/* ---- Images ---------------------------------------------------------------
 */

static void on_pulled(void *ud, int rc, const struct diag *err)
{
	on_done(ud, rc, err);
}

static void on_image(void *ud,
		     int rc,
		     const struct engine_image_info *info,
		     const struct diag *err)
{
	struct jctx *c = ud;
	struct run *r = c->run;
	struct engine_job *j = &r->jobs[c->i];

	(void)info;
	if (rc == DIAG_ENOTFOUND && j->kind == ENGINE_JOB_IMAGE_CHECK) {
		struct diag e = {0};

		diag_set(&e, DIAG_ENOTFOUND, NULL,
			 "%s: image '%s' is not on this daemon and its pull "
			 "policy forbids pulling it",
			 job_title(j), j->name);
		on_done(ud, rc, &e);
		return;
	}
	if (rc == DIAG_ENOTFOUND) {
		set_phase(r, c->i, "pulling");
		engine_image_pull_async(r->l, j->engine, j->name, j->platform,
					NULL, NULL, on_pulled, c);
		return;
	}
	if (!rc)
		j->noop = true;
	on_done(ud, rc, err);
}

static void on_built(void *ud, int rc, const char *id, const struct diag *err)
{
	on_id(ud, rc, id, err);
}

/* A build job without build_always builds only a missing image. */
static void on_build_check(void *ud,
			   int rc,
			   const struct engine_image_info *info,
			   const struct diag *err)
{
	struct jctx *c = ud;
	struct run *r = c->run;
	struct engine_job *j = &r->jobs[c->i];

	if (rc == DIAG_ENOTFOUND) {
		set_phase(r, c->i, "building");
		engine_image_build_async(r->l, j->engine, j->build_spec,
					 j->build_out, j->build_out_ud,
					 on_built, c);
		return;
	}
	if (!rc) {
		j->noop = true;
		snprintf(j->id, sizeof(j->id), "%s", info->id);
	}
	on_done(ud, rc, err);
}

static void dispatch_build(struct run *r, size_t i)
{
	struct engine_job *j = &r->jobs[i];
	struct jctx *c = &r->ctx[i];

	if (j->build_always) {
		set_phase(r, i, "building");
		engine_image_build_async(r->l, j->engine, j->build_spec,
					 j->build_out, j->build_out_ud,
					 on_built, c);
	} else {
		engine_image_inspect_async(r->l, j->engine, j->name,
					   on_build_check, c);
	}
}

/* ---- Containers -----------------------------------------------------------
 */

static void connect_next(struct jctx *c);

static void on_connected(void *ud, int rc, const struct diag *err)
{
	struct jctx *c = ud;

	if (rc) {
		job_fail(c->run, c->i, err);
		return;
	}
	c->k++;
	connect_next(c);
}

static void connect_next(struct jctx *c)
{
	struct run *r = c->run;
	struct engine_job *j = &r->jobs[c->i];
	const struct engine_endpoint *ep;

	if (c->k >= j->n_connect) {
		job_done(r, c->i);
		return;
	}
	ep = &j->connect[c->k];
	engine_network_connect_async(r->l, j->engine, ep->network, j->id, ep,
				     on_connected, c);
}

static void on_created(void *ud, int rc, const char *id, const struct diag *err)
{
	struct jctx *c = ud;
	struct engine_job *j = &c->run->jobs[c->i];

	if (rc) {
		job_fail(c->run, c->i, err);
		return;
	}
	snprintf(j->id, sizeof(j->id), "%s", id ? id : "");
	if (j->n_connect)
		set_phase(c->run, c->i, "connecting");
	c->k = 0;
	connect_next(c);
}

static void submit_raw(struct run *r,
		       size_t i,
		       const char *id,
		       const char *what,
		       int timeout_s,
		       engine_reply_fn cb)
{
	struct engine_job *j = &r->jobs[i];
	struct sbuf path = SBUF_INIT;

	sbuf_addf(&path, "/containers/%s/%s", id, what);
	if (timeout_s >= 0)
		sbuf_addf(&path, "?t=%d", timeout_s);
	engine_submit(r->l, j->engine, "POST", path.buf, false, NULL, 0, cb,
		      &r->ctx[i]);
	sbuf_release(&path);
}

/* POST /start answers 304 when the container already runs. */
static void on_started(void *ud,
		       int rc,
		       const struct engine_reply *rep,
		       const struct diag *err)
{
	struct jctx *c = ud;

	if (rc && rep->status == 304) {
		c->run->jobs[c->i].noop = true;
		rc = 0;
	}
	on_done(ud, rc, err);
}

/* POST /stop: 304 when it is not running, 404 when it is gone. */
static void on_stopped(void *ud,
		       int rc,
		       const struct engine_reply *rep,
		       const struct diag *err)
{
	struct jctx *c = ud;
	struct run *r = c->run;
	struct engine_job *j = &r->jobs[c->i];

	if (rc && rep->status == 304)
		rc = 0;
	if (rc == DIAG_ENOTFOUND) {
		j->noop = true;
		job_done(r, c->i);
		return;
	}
	if (rc || j->kind == ENGINE_JOB_CONTAINER_STOP) {
		on_done(ud, rc, err);
		return;
	}
	set_phase(r, c->i, "removing");
	engine_container_remove_async(r->l, j->engine, container_id(r, c->i),
				      true, j->remove_volumes,
				      on_container_removed, c);
}

/* ---- Exec -----------------------------------------------------------------
 */

static void on_exec(void *ud,
		    int rc,
		    int exit_code,
		    const char *output,
		    size_t len,
		    const struct diag *err)
{
	struct jctx *c = ud;
	struct engine_job *j = &c->run->jobs[c->i];

	if (rc) {
		job_fail(c->run, c->i, err);
		return;
	}
	j->exit_code = exit_code;
	if (exit_code) {
		while (len &&
		       (output[len - 1] == '\n' || output[len - 1] == '\r'))
			len--;
		if (len > RUN_EXEC_OUTPUT_MAX)
			len = RUN_EXEC_OUTPUT_MAX;
		job_failf(c->run, c->i, DIAG_EENGINE,
			  "exec '%s' exited with code %d%s%.*s",
			  j->argv.n ? j->argv.v[0] : "", exit_code,
			  len ? ": " : "", (int)len, len ? output : "");
		return;
	}
	job_done(c->run, c->i);
}

/* ---- Waiting for a condition ----------------------------------------------
 */

enum verdict { V_AGAIN, V_DONE, V_FAIL };

static enum verdict wait_health(const struct engine_container_info *ci,
				struct sbuf *why)
{
	if (!strcmp(ci->health, "healthy"))
		return V_DONE;
	if (!strcmp(ci->health, "unhealthy")) {
		sbuf_adds(why, "is unhealthy");
		return V_FAIL;
	}
	if (!ci->running && ci->status && strcmp(ci->status, "created") != 0 &&
	    strcmp(ci->status, "restarting") != 0) {
		sbuf_addf(why, "exited with code %d before it was healthy",
			  ci->exit_code);
		return V_FAIL;
	}
	return V_AGAIN;
}

static enum verdict wait_exited(const struct engine_container_info *ci,
				struct sbuf *why,
				bool running_ok)
{
	const char *st = ci->status ? ci->status : "";

	if (ci->running && running_ok)
		return V_DONE;
	if (!strcmp(st, "exited") || !strcmp(st, "dead")) {
		if (ci->exit_code == 0)
			return V_DONE;
		sbuf_addf(why, "exited with code %d", ci->exit_code);
		return V_FAIL;
	}
	return V_AGAIN;
}

static enum verdict wait_verdict(enum engine_wait_cond cond,
				 const struct engine_container_info *ci,
				 struct sbuf *why)
{
	const char *st = ci->status ? ci->status : "";

	switch (cond) {
	case ENGINE_WAIT_STARTED:
		return ci->running || !strcmp(st, "exited") ? V_DONE : V_AGAIN;
	case ENGINE_WAIT_HEALTHY:
		if (!ci->health) {
			sbuf_adds(why, "has no healthcheck to wait for");
			return V_FAIL;
		}
		return wait_health(ci, why);
	case ENGINE_WAIT_COMPLETED:
		return wait_exited(ci, why, false);
	case ENGINE_WAIT_RUNNING_OR_HEALTHY:
		if (ci->health)
			return wait_health(ci, why);
		return wait_exited(ci, why, true);
	}
	return V_FAIL;
}

static void on_inspect(void *ud,
		       int rc,
		       const struct engine_container_info *ci,
		       const struct diag *err)
{
	struct jctx *c = ud;
	struct run *r = c->run;
	struct engine_job *j = &r->jobs[c->i];
	struct sbuf why = SBUF_INIT;
	enum verdict v;

	if (rc) {
		job_fail(r, c->i, err);
		return;
	}
	v = wait_verdict(j->wait, ci, &why);
	j->exit_code = ci->exit_code;
	if (v == V_DONE) {
		job_done(r, c->i);
	} else if (v == V_FAIL) {
		job_failf(r, c->i, DIAG_EENGINE, "container '%s' %s",
			  ci->name ? ci->name : "", why.buf);
	} else if (r->cancelled) {
		job_failf(r, c->i, DIAG_EINTR, "interrupted");
	} else if (j->wait_timeout_ms > 0 &&
		   now_ms() - j->started_ms >= j->wait_timeout_ms) {
		job_failf(r, c->i, DIAG_ELIMIT,
			  "container '%s' did not get there within %ld ms "
			  "(status %s%s%s)",
			  ci->name ? ci->name : "", j->wait_timeout_ms,
			  ci->status ? ci->status : "?",
			  ci->health ? ", health " : "",
			  ci->health ? ci->health : "");
	} else {
		c->sleeping = true;
		c->next_poll = now_ms() + r->poll_ms;
	}
	sbuf_release(&why);
}

static void poll_wait(struct run *r, size_t i)
{
	const char *id = container_id(r, i);

	r->ctx[i].sleeping = false;
	if (id)
		engine_container_inspect_async(r->l, r->jobs[i].engine, id,
					       on_inspect, &r->ctx[i]);
}

/* ---- Launching ------------------------------------------------------------
 */

static const char *create_platform(const struct engine_job *j)
{
	return j->platform && engine_api_at_least(j->engine, 1, 41)
		       ? j->platform
		       : NULL;
}

static void launch_container(struct run *r, size_t i)
{
	struct engine_job *j = &r->jobs[i];
	struct jctx *c = &r->ctx[i];
	const char *id = container_id(r, i);

	if (!id)
		return;
	switch (j->kind) {
	case ENGINE_JOB_CONTAINER_START:
		submit_raw(r, i, id, "start", -1, on_started);
		break;
	case ENGINE_JOB_CONTAINER_STOP:
		submit_raw(r, i, id, "stop", j->timeout_s, on_stopped);
		break;
	case ENGINE_JOB_CONTAINER_REMOVE:
		set_phase(r, i, "stopping");
		submit_raw(r, i, id, "stop", j->timeout_s, on_stopped);
		break;
	case ENGINE_JOB_WAIT:
		poll_wait(r, i);
		break;
	case ENGINE_JOB_FILE_EDIT:
		engine_container_file_edit_async(
			r->l, j->engine, id, j->file_dir, j->file_name,
			j->file_edit, j->file_edit_ud, on_file_edited, c);
		break;
	case ENGINE_JOB_FILES_PUT:
		engine_container_files_put_async(r->l, j->engine, id, j->files,
						 j->n_files, j->file_owners,
						 on_files_put, c);
		break;
	default: {
		struct engine_exec_spec spec = {.argv = j->argv,
						.user = j->user};

		engine_exec_run_async(r->l, j->engine, id,
				      j->exec_spec ? j->exec_spec : &spec,
				      on_exec, c);
		break;
	}
	}
}

/* Sends the job's (first) request; also what a retry does again. */
static void dispatch(struct run *r, size_t i)
{
	struct engine_job *j = &r->jobs[i];
	struct jctx *c = &r->ctx[i];

	switch (j->kind) {
	case ENGINE_JOB_NOOP:
		job_done(r, i);
		break;
	case ENGINE_JOB_NETWORK_CREATE:
		engine_network_create_async(r->l, j->engine, j->network_spec,
					    on_id, c);
		break;
	case ENGINE_JOB_NETWORK_REMOVE:
		engine_network_remove_unused_async(r->l, j->engine, j->name,
						   on_removed, c);
		break;
	case ENGINE_JOB_VOLUME_CREATE:
		engine_volume_create_async(r->l, j->engine, j->volume_spec,
					   on_id, c);
		break;
	case ENGINE_JOB_VOLUME_REMOVE:
		engine_volume_remove_async(r->l, j->engine, j->name, false,
					   on_removed, c);
		break;
	case ENGINE_JOB_IMAGE_ENSURE:
	case ENGINE_JOB_IMAGE_CHECK:
		engine_image_inspect_async(r->l, j->engine, j->name, on_image,
					   c);
		break;
	case ENGINE_JOB_IMAGE_BUILD:
		dispatch_build(r, i);
		break;
	case ENGINE_JOB_IMAGE_REMOVE:
		engine_image_remove_async(r->l, j->engine, j->name, false,
					  on_removed, c);
		break;
	case ENGINE_JOB_IMAGE_PULL:
		set_phase(r, i, "pulling");
		engine_image_pull_async(r->l, j->engine, j->name, j->platform,
					NULL, NULL, on_pulled, c);
		break;
	case ENGINE_JOB_CONTAINER_CREATE:
		if (j->id[0]) {
			connect_next(c); /* a retry after a failed connect */
			break;
		}
		engine_container_create_async(r->l, j->engine, j->name,
					      create_platform(j),
					      j->container_spec, on_created, c);
		break;
	default:
		launch_container(r, i);
		break;
	}
}

static void launch(struct run *r, size_t i)
{
	struct engine_job *j = &r->jobs[i];

	j->state = ENGINE_JOB_WORKING;
	j->started_ms = now_ms();
	notify(r, i);
	if (j->fallback && j->fallback_of < r->n &&
	    r->jobs[j->fallback_of].state == ENGINE_JOB_DONE &&
	    !r->jobs[j->fallback_of].refused) {
		j->noop = true; /* the first way worked */
		job_done(r, i);
		return;
	}
	dispatch(r, i);
}

/* ---- The loop -------------------------------------------------------------
 */

static size_t busy_on(const struct run *r, const struct engine *e)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->jobs[i].state == ENGINE_JOB_WORKING &&
		    r->jobs[i].engine == e &&
		    r->jobs[i].kind != ENGINE_JOB_WAIT)
			n++;
	return n;
}

/* Tells the progress callback about jobs the scheduler skipped. */
static void report_skips(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->jobs[i].state != r->seen[i])
			notify(r, i);
}

static void cancel_waiting(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct engine_job *j = &r->jobs[i];

		if (j->state == ENGINE_JOB_WAITING) {
			j->state = ENGINE_JOB_SKIPPED;
			j->finished_ms = now_ms();
			diag_set(&j->err, DIAG_EINTR, NULL,
				 "%s: skipped: interrupted", job_title(j));
			notify(r, i);
		} else if (j->state == ENGINE_JOB_WORKING &&
			   r->ctx[i].sleeping) {
			r->ctx[i].sleeping = false;
			job_failf(r, i, DIAG_EINTR, "interrupted");
		}
	}
}

/* Starts what is ready; returns how many jobs it started. */
static size_t start_ready(struct run *r, size_t *ready)
{
	size_t nr = engine_jobs_ready(r->jobs, r->n, ready, r->n);
	size_t started = 0;

	report_skips(r);
	for (size_t k = 0; k < nr; k++) {
		struct engine_job *j = &r->jobs[ready[k]];

		if (r->o->max_per_engine && j->kind != ENGINE_JOB_WAIT &&
		    j->kind != ENGINE_JOB_NOOP &&
		    busy_on(r, j->engine) >= r->o->max_per_engine)
			continue;
		launch(r, ready[k]);
		started++;
	}
	return started;
}

/*
 * Polls the WAIT jobs that are due and sends the retries that are; returns
 * ms until the next one is.
 */
static long poll_due(struct run *r)
{
	long long now = now_ms(), next = -1;

	for (size_t i = 0; i < r->n; i++) {
		struct jctx *c = &r->ctx[i];

		if (r->jobs[i].state != ENGINE_JOB_WORKING || !c->sleeping)
			continue;
		if (c->next_poll <= now && r->jobs[i].kind == ENGINE_JOB_WAIT) {
			poll_wait(r, i);
		} else if (c->next_poll <= now) {
			c->sleeping = false;
			dispatch(r, i);
		} else if (next < 0 || c->next_poll - now < next)
			next = c->next_poll - now;
	}
	return (long)next;
}

static size_t count_state(const struct run *r, enum engine_job_state s)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->jobs[i].state == s;
	return n;
}

/* FAILED or SKIPPED jobs that count against the run (not optional ones). */
static size_t count_bad(const struct run *r, enum engine_job_state s)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->jobs[i].state == s && !r->jobs[i].optional;
	return n;
}

static void sleep_ms(long ms)
{
	compat_sleep_ms(ms);
}

static void drive(struct run *r)
{
	size_t *ready = xcalloc(r->n + 1, sizeof(*ready));

	for (;;) {
		long wait;

		if (!r->cancelled && r->o->cancel && *r->o->cancel) {
			r->cancelled = true;
			cancel_waiting(r);
		}
		if (!r->cancelled && start_ready(r, ready))
			continue;
		wait = poll_due(r);
		if (!count_state(r, ENGINE_JOB_WORKING))
			break;
		if (wait < 0 || wait > RUN_STEP_MS)
			wait = RUN_STEP_MS;
		if (engine_loop_pending(r->l))
			engine_loop_step(r->l, wait);
		else
			sleep_ms(wait);
	}
	/* A cycle engine_jobs_check let through cannot happen; be safe. */
	for (size_t i = 0; i < r->n; i++)
		if (r->jobs[i].state == ENGINE_JOB_WAITING) {
			r->jobs[i].state = ENGINE_JOB_SKIPPED;
			diag_set(&r->jobs[i].err, DIAG_EUSAGE, NULL,
				 "%s: never became ready",
				 job_title(&r->jobs[i]));
			notify(r, i);
		}
	free(ready);
}

static int summarize(const struct run *r, struct diag *err)
{
	size_t failed = count_bad(r, ENGINE_JOB_FAILED);
	size_t skipped = count_bad(r, ENGINE_JOB_SKIPPED);

	if (r->cancelled)
		return diag_set(err, DIAG_EINTR, NULL,
				"interrupted: %zu job(s) skipped, %zu failed",
				skipped, failed);
	for (size_t i = 0; i < r->n; i++) {
		const struct engine_job *j = &r->jobs[i];

		if ((j->state != ENGINE_JOB_FAILED &&
		     j->state != ENGINE_JOB_SKIPPED) ||
		    j->optional)
			continue;
		if (!err)
			return j->err.code ? j->err.code : DIAG_EENGINE;
		*err = j->err;
		if (failed + skipped > 1)
			diag_prefix(err,
				    "%zu job(s) failed, %zu skipped; first",
				    failed, skipped);
		return j->err.code ? j->err.code : DIAG_EENGINE;
	}
	return 0;
}

int engine_run(struct engine_loop *l,
	       struct engine_job *jobs,
	       size_t n,
	       const struct engine_run_opts *opts,
	       struct diag *err)
{
	static const struct engine_run_opts none;
	struct run r = {.l = l, .jobs = jobs, .n = n};
	int rc;

	if ((rc = engine_jobs_check(jobs, n, err)))
		return rc;
	r.o = opts ? opts : &none;
	r.poll_ms = r.o->poll_ms > 0 ? r.o->poll_ms : RUN_POLL_MS_DEFAULT;
	r.retry_ms = r.o->retry_ms > 0 ? r.o->retry_ms : RUN_RETRY_MS;
	r.ctx = xcalloc(n + 1, sizeof(*r.ctx));
	r.seen = xcalloc(n + 1, sizeof(*r.seen));
	for (size_t i = 0; i < n; i++) {
		r.ctx[i].run = &r;
		r.ctx[i].i = i;
		jobs[i].state = ENGINE_JOB_WAITING;
		jobs[i].phase = NULL;
		jobs[i].noop = false;
		jobs[i].in_use = false;
		jobs[i].id[0] = '\0';
		memset(&jobs[i].err, 0, sizeof(jobs[i].err));
		notify(&r, i);
	}
	drive(&r);
	rc = summarize(&r, err);
	free(r.ctx);
	free(r.seen);
	return rc;
}
