/*
 * mixcompose watch: compose v2's develop.watch across daemons.  Changes
 * under a trigger's path are gathered until 500 ms pass without one (the
 * debounce), then, per service, as compose v2 orders them: rebuild (the
 * build and up code paths: build, recreate, start), sync (a tar PUT to
 * /containers/{id}/archive of each running container, deletions by an
 * exec of rm -rf), restart, then the sync+exec commands.
 *
 * A Windows daemon refuses the archive API on a running Hyper-V container
 * (docker/compose#11574): watch then says so once for that service and
 * daemon and syncs by stopping the container, copying, and starting it
 * again (a restart-based sync), which is what a compose user would do by
 * hand.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

struct watch_opts {
	bool no_up;
	bool quiet;
	const char *prune; /* NULL or "true" (the default), or "false" */
};

#define O struct watch_opts
static const struct cli_opt watch_opts_v[] = {
	CLI_FLAG(0,
		 "no-up",
		 O,
		 no_up,
		 "do not build and start the services before watching"),
	CLI_FLAG(0, "quiet", O, quiet, "hide build output"),
	CLI_TRUE_FALSE("prune",
		       O,
		       prune,
		       "prune dangling images on rebuild (default true)"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_watch = {
	.name = "watch",
	.args = "[SERVICE...]",
	.summary = "sync, rebuild or restart services as their files change",
	.desc = "Watch the paths of the services' develop.watch triggers and "
		"sync, rebuild,\nrestart or exec in their containers on every "
		"daemon when files change.",
	.opts = watch_opts_v,
	.min_args = 0,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

/* ---- One batch ------------------------------------------------------------
 */

/* One changed file of a service's sync: where it goes in the container. */
struct wfile {
	const char *host;
	char *target;
};

/* What a batch does to one service. */
struct wsvc {
	const struct compose_service *svc;
	bool rebuild, restart;
	struct wfile *files;
	size_t n_files, alloc_files;
	const struct compose_watch **execs;
	size_t n_execs, alloc_execs;
	char *tar; /* the files that exist, made once for every container */
	size_t tar_len;
};

struct wbatch {
	struct wsvc *v;
	size_t n, alloc;
};

struct watch_ctx {
	struct cli_session *s;
	struct cli_watch_rule *rules;
	size_t n_rules;
	bool quiet;
	bool prune; /* dangling images of the project go after a rebuild */
	struct cli_debounce deb;
	/* "service@daemon" told about the Hyper-V restart sync already. */
	char **told;
	size_t n_told, alloc_told;
};

static struct wsvc *wsvc_get(struct wbatch *b, const struct compose_service *s)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].svc == s)
			return &b->v[i];
	ALLOC_GROW(b->v, b->n + 1, b->alloc);
	b->v[b->n] = (struct wsvc){.svc = s};
	return &b->v[b->n++];
}

static bool is_sync(enum compose_watch_action a)
{
	return a == COMPOSE_WATCH_SYNC || a == COMPOSE_WATCH_SYNC_RESTART ||
	       a == COMPOSE_WATCH_SYNC_EXEC;
}

static void add_file(struct wsvc *ws, const char *host, const char *target)
{
	for (size_t i = 0; i < ws->n_files; i++)
		if (!strcmp(ws->files[i].target, target))
			return;
	ALLOC_GROW(ws->files, ws->n_files + 1, ws->alloc_files);
	ws->files[ws->n_files++] =
		(struct wfile){.host = host, .target = xstrdup(target)};
}

static void add_exec(struct wsvc *ws, const struct compose_watch *w)
{
	for (size_t i = 0; i < ws->n_execs; i++)
		if (ws->execs[i] == w)
			return;
	ALLOC_GROW(ws->execs, ws->n_execs + 1, ws->alloc_execs);
	ws->execs[ws->n_execs++] = w;
}

/* compose v2's handleWatchBatch: every rule that each path matches. */
static void batch_collect(struct wbatch *b,
			  const struct watch_ctx *c,
			  char *const *paths,
			  size_t n)
{
	struct sbuf target = SBUF_INIT;

	for (size_t p = 0; p < n; p++)
		for (size_t i = 0; i < c->n_rules; i++) {
			const struct cli_watch_rule *r = &c->rules[i];
			struct wsvc *ws;

			if (!cli_watch_match(r, paths[p], &target))
				continue;
			ws = wsvc_get(b, r->svc);
			if (r->w->act == COMPOSE_WATCH_REBUILD)
				ws->rebuild = true;
			if (r->w->act == COMPOSE_WATCH_RESTART ||
			    r->w->act == COMPOSE_WATCH_SYNC_RESTART)
				ws->restart = true;
			if (is_sync(r->w->act) && r->w->target)
				add_file(ws, paths[p], target.buf);
			if (r->w->act == COMPOSE_WATCH_SYNC_EXEC)
				add_exec(ws, r->w);
		}
	sbuf_release(&target);
}

static void batch_release(struct wbatch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		for (size_t k = 0; k < b->v[i].n_files; k++)
			free(b->v[i].files[k].target);
		free(b->v[i].files);
		free(b->v[i].execs);
		free(b->v[i].tar);
	}
	free(b->v);
}

/* ["a" "b"]: Go's %q of a list of names, as compose v2 prints it. */
static void names_q(struct sbuf *sb, const struct wbatch *b, int which)
{
	bool first = true;

	sbuf_addch(sb, '[');
	for (size_t i = 0; i < b->n; i++) {
		if (which == 0 ? !b->v[i].rebuild : !b->v[i].restart)
			continue;
		sbuf_addf(sb, "%s\"%s\"", first ? "" : " ", b->v[i].svc->name);
		first = false;
	}
	sbuf_addch(sb, ']');
}

/*
 * --prune (compose v2 2.29; the default since 2.35): after a rebuild, the
 * dangling images with the project's label go, on every daemon.  As in
 * compose v2 a failure is no error: an image that a container still uses
 * stays (compose prunes before the recreate, so the image just replaced
 * goes only at the next rebuild; here the recreate is done first).
 */
struct prune_run {
	struct cli_task **rm;
	size_t n, alloc;
};

static void pruned(void *ud, int rc, const struct diag *err)
{
	(void)rc;
	(void)err;
	cli_task_done(ud, 0, NULL);
}

static void
prune_rm_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_image_remove_async(l, e, t->ref, false, pruned, t);
}

static void dangling_done(void *ud,
			  int rc,
			  const struct engine_strv *ids,
			  const struct diag *err)
{
	struct cli_task *t = ud;
	struct prune_run *p = t->ud;

	for (size_t i = 0; i < ids->n; i++) {
		struct cli_task *rm = xcalloc(1, sizeof(*rm));
		char *id = xstrdup(ids->v[i]);

		*rm = (struct cli_task){
			.what = id, .start = prune_rm_start, .ref = id};
		ALLOC_GROW(p->rm, p->n + 1, p->alloc);
		p->rm[p->n++] = rm;
		cli_task_add(t, rm);
	}
	cli_task_done(t, rc, err);
}

static void
dangling_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	const struct engine_kv kv[2] = {{"dangling", "true"},
					{"label", t->ref}};
	const struct engine_filters f = {kv, 2};

	engine_image_list_async(l, e, &f, dangling_done, t);
}

static void watch_prune(struct cli_session *s)
{
	struct cli_task *t = xcalloc(s->n_hosts + 1, sizeof(*t));
	struct cli_tasks_opts o = {.warn = true, .quiet = true};
	struct prune_run p = {0};
	char label[300];
	size_t nt = 0;

	snprintf(label, sizeof(label), "com.docker.compose.project=%s",
		 s->project_name);

	for (size_t h = 0; h < s->n_hosts; h++)
		if (!s->hosts[h].offline)
			t[nt++] = (struct cli_task){.h = &s->hosts[h],
						    .what = "dangling images",
						    .start = dangling_start,
						    .ref = label,
						    .ud = &p};
	cli_tasks_run(s, t, nt, &o);
	for (size_t i = 0; i < p.n; i++) {
		free((char *)p.rm[i]->ref);
		free(p.rm[i]);
	}
	free(p.rm);
	free(t);
}

/* Rebuild: `up -d --build --no-deps --force-recreate SERVICE...`. */
static int batch_rebuild(struct watch_ctx *c, const struct wbatch *b)
{
	bool quiet = c->quiet;
	struct sbuf names = SBUF_INIT;
	char **argv = xcalloc(b->n + 8, sizeof(*argv));
	int argc = 0, rc;

	names_q(&names, b, 0);
	printf("Rebuilding service(s) %s after changes were detected...\n",
	       names.buf);
	fflush(stdout);
	argv[argc++] = "up";
	argv[argc++] = "-d";
	argv[argc++] = "--build";
	argv[argc++] = "--no-deps";
	argv[argc++] = "--force-recreate";
	if (quiet) {
		argv[argc++] = "--progress";
		argv[argc++] = "quiet";
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].rebuild)
			argv[argc++] = (char *)b->v[i].svc->name;
	rc = cmd_up(argc, argv);
	if (!rc && c->prune)
		watch_prune(c->s);
	if (!rc)
		printf("service(s) %s successfully built\n", names.buf);
	else
		fprintf(stderr, "mixcompose: service(s) %s: rebuild failed\n",
			names.buf);
	fflush(stdout);
	free(argv);
	sbuf_release(&names);
	return rc;
}

/* ---- Sync into one container ----------------------------------------------
 */

static const char *real_os(const struct plan_host *h)
{
	return h->engine_os ? h->engine_os : h->os;
}

/* A target as a tar name: no drive letter, no leading '/'. */
static const char *tar_name(const char *target)
{
	if (((target[0] | 32) >= 'a' && (target[0] | 32) <= 'z') &&
	    target[1] == ':')
		target += 2;
	while (*target == '/' || *target == '\\')
		target++;
	return target;
}

/* Deleted files: rm -rf (Linux), rmdir or del (Windows) in the container. */
static int sync_delete(struct engine *e,
		       const struct plan_host *h,
		       const char *id,
		       const struct wsvc *ws,
		       struct diag *err)
{
	const char **argv = xcalloc(ws->n_files + 4, sizeof(*argv));
	struct sbuf cmd = SBUF_INIT;
	size_t n = 0;
	int rc = 0, code = 0;
	bool windows = !strcmp(real_os(h), "windows");
	struct stat st;

	if (!windows) {
		argv[n++] = "rm";
		argv[n++] = "-rf";
	}
	for (size_t i = 0; i < ws->n_files; i++) {
		if (!compat_lstat(ws->files[i].host, &st))
			continue;
		if (!windows)
			argv[n++] = ws->files[i].target;
		else
			sbuf_addf(&cmd,
				  "%s(if exist \"%s\\*\" (rmdir /S /Q \"%s\") "
				  "else (del /F /Q \"%s\")) 2>NUL",
				  cmd.len ? " & " : "", ws->files[i].target,
				  ws->files[i].target, ws->files[i].target);
	}
	if (windows && cmd.len) {
		argv[n++] = "cmd";
		argv[n++] = "/S";
		argv[n++] = "/C";
		argv[n++] = cmd.buf;
	}
	if ((windows && cmd.len) || (!windows && n > 2))
		rc = engine_exec_run(e, id, argv, NULL, &code, NULL, err);
	free(argv);
	sbuf_release(&cmd);
	return rc;
}

static int
sync_tar(char **tar, size_t *len, const struct wsvc *ws, struct diag *err)
{
	struct engine_copy_file *v = xcalloc(ws->n_files + 1, sizeof(*v));
	size_t n = 0;
	struct stat st;
	int rc;

	for (size_t i = 0; i < ws->n_files; i++)
		if (!compat_lstat(ws->files[i].host, &st))
			v[n++] = (struct engine_copy_file){
				ws->files[i].host,
				tar_name(ws->files[i].target)};
	*tar = NULL;
	*len = 0;
	rc = n ? engine_copy_tar(tar, len, v, n, err) : 0;
	free(v);
	return rc;
}

/* Said once per service and daemon. */
static void tell_hyperv(struct watch_ctx *c,
			const struct wsvc *ws,
			const struct plan_host *h,
			const struct diag *why)
{
	struct sbuf key = SBUF_INIT;

	sbuf_addf(&key, "%s@%s", ws->svc->name, h->name);
	for (size_t i = 0; i < c->n_told; i++)
		if (!strcmp(c->told[i], key.buf)) {
			sbuf_release(&key);
			return;
		}
	fprintf(stderr,
		"warning: service \"%s\" on daemon '%s': the daemon cannot "
		"copy into a running container (%s; Hyper-V isolation, "
		"docker/compose#11574): watch syncs it by stopping the "
		"container, copying and starting it again; files deleted "
		"on the host stay in the container\n",
		ws->svc->name, h->name, why->msg);
	ALLOC_GROW(c->told, c->n_told + 1, c->alloc_told);
	c->told[c->n_told++] = sbuf_detach(&key, NULL);
}

static int sync_container(struct watch_ctx *c,
			  struct engine *e,
			  const struct plan_host *h,
			  const struct plan_host_container *pc,
			  const struct wsvc *ws)
{
	struct diag err = {0};
	int rc = 0;

	if (ws->tar) {
		char *copy = xmalloc(ws->tar_len);

		memcpy(copy, ws->tar, ws->tar_len);
		rc = engine_container_archive_put(e, pc->id, "/", copy,
						  ws->tar_len, &err);
		if (rc == DIAG_EENGINE && !strcmp(real_os(h), "windows")) {
			tell_hyperv(c, ws, h, &err);
			err = (struct diag){0};
			copy = xmalloc(ws->tar_len);
			memcpy(copy, ws->tar, ws->tar_len);
			rc = engine_container_stop(e, pc->id, -1, &err);
			if (!rc)
				rc = engine_container_archive_put(
					e, pc->id, "/", copy, ws->tar_len,
					&err);
			else
				free(copy);
			if (!rc)
				rc = engine_container_start(e, pc->id, &err);
		}
	}
	if (!rc)
		rc = sync_delete(e, h, pc->id, ws, &err);
	if (rc)
		fprintf(stderr,
			"mixcompose: sync of service \"%s\" into %s "
			"(%s): %s\n",
			ws->svc->name, pc->name, h->name, err.msg);
	return rc;
}

/* ---- The containers of a service ------------------------------------------
 */

typedef int each_fn(struct watch_ctx *c,
		    struct engine *e,
		    const struct plan_host *h,
		    const struct plan_host_container *pc,
		    const struct wsvc *ws);

static int each_container(struct watch_ctx *c,
			  const struct plan_host *hosts,
			  size_t n,
			  const struct wsvc *ws,
			  each_fn *fn)
{
	int rc = 0;

	for (size_t h = 0; h < n; h++)
		for (size_t k = 0; k < hosts[h].n_containers; k++) {
			const struct plan_host_container *pc =
				&hosts[h].containers[k];
			struct engine *e;

			if (pc->oneoff || !pc->service ||
			    strcmp(pc->service, ws->svc->name) || !pc->state ||
			    strcmp(pc->state, "running"))
				continue;
			if (!(e = cli_session_engine(c->s, &hosts[h])))
				rc = -1;
			else if (fn(c, e, &hosts[h], pc, ws))
				rc = -1;
		}
	return rc;
}

static int restart_container(struct watch_ctx *c,
			     struct engine *e,
			     const struct plan_host *h,
			     const struct plan_host_container *pc,
			     const struct wsvc *ws)
{
	struct diag err = {0};

	(void)c;
	(void)ws;
	if (!engine_container_restart(e, pc->id, -1, &err))
		return 0;
	fprintf(stderr, "mixcompose: restart of %s (%s): %s\n", pc->name,
		h->name, err.msg);
	return -1;
}

static int
exec_output(void *ud, enum engine_stream_kind s, const char *data, size_t len)
{
	(void)ud;
	fwrite(data, 1, len, s == ENGINE_STDERR ? stderr : stdout);
	return 0;
}

static int exec_one(struct engine *e,
		    const char *id,
		    const struct compose_hook *x,
		    struct diag *err)
{
	const char **env = xcalloc(x->n_environment + 1, sizeof(*env));
	struct sbuf kv = SBUF_INIT;
	struct engine_exec_spec spec = {
		.argv = {x->command.v, x->command.n},
		.user = x->user,
		.working_dir = x->working_dir,
		.privileged = x->privileged,
	};
	char exec_id[80];
	int code = 0, rc;
	bool running = false;
	size_t ne = 0;

	for (size_t i = 0; i < x->n_environment; i++)
		if (x->environment[i].value) {
			sbuf_reset(&kv);
			sbuf_addf(&kv, "%s=%s", x->environment[i].key,
				  x->environment[i].value);
			env[ne++] = sbuf_detach(&kv, NULL);
		}
	spec.env = (struct engine_strv){env, ne};
	rc = engine_exec_create(e, id, &spec, exec_id, err);
	if (!rc)
		rc = engine_exec_start(e, exec_id, false, false, exec_output,
				       NULL, err);
	if (!rc)
		rc = engine_exec_inspect(e, exec_id, &code, &running, err);
	if (!rc && code)
		rc = diag_set(err, DIAG_EENGINE, NULL,
			      "the command exited with code %d", code);
	for (size_t i = 0; i < ne; i++)
		free((char *)env[i]);
	free(env);
	sbuf_release(&kv);
	return rc;
}

static int exec_container(struct watch_ctx *c,
			  struct engine *e,
			  const struct plan_host *h,
			  const struct plan_host_container *pc,
			  const struct wsvc *ws)
{
	struct diag err = {0};
	int rc = 0;

	(void)c;
	for (size_t i = 0; i < ws->n_execs; i++)
		if (exec_one(e, pc->id, &ws->execs[i]->exec, &err)) {
			fprintf(stderr, "mixcompose: exec in %s (%s): %s\n",
				pc->name, h->name, err.msg);
			rc = -1;
		}
	return rc;
}

/* The syncs of one daemon: its thread's work. */
struct host_sync {
	struct watch_ctx *c;
	const struct wbatch *b;
	const struct plan_host *h;
	struct engine *e;
};

static void host_sync_main(void *p)
{
	struct host_sync *hs = p;

	for (size_t i = 0; i < hs->b->n; i++) {
		const struct wsvc *ws = &hs->b->v[i];

		if (!ws->n_files || ws->rebuild)
			continue;
		for (size_t k = 0; k < hs->h->n_containers; k++) {
			const struct plan_host_container *pc =
				&hs->h->containers[k];

			if (!pc->oneoff && pc->service &&
			    !strcmp(pc->service, ws->svc->name) && pc->state &&
			    !strcmp(pc->state, "running"))
				sync_container(hs->c, hs->e, hs->h, pc, ws);
		}
	}
}

/*
 * Every daemon at once, each in a thread of its own with its own engine
 * (made here, before the threads start), so that the slowest daemon sets
 * the time of a sync and not the sum of them.
 */
static void batch_sync(struct watch_ctx *c,
		       struct wbatch *b,
		       const struct plan_host *hosts,
		       size_t nh)
{
	struct host_sync *hs = xcalloc(nh + 1, sizeof(*hs));
	struct compat_thread **t = xcalloc(nh + 1, sizeof(*t));

	for (size_t i = 0; i < b->n; i++) {
		struct wsvc *ws = &b->v[i];
		struct diag err = {0};

		if (!ws->n_files || ws->rebuild)
			continue;
		if (!c->quiet)
			printf("Syncing service \"%s\" after %zu changes were "
			       "detected\n",
			       ws->svc->name, ws->n_files);
		if (sync_tar(&ws->tar, &ws->tar_len, ws, &err))
			fprintf(stderr,
				"mixcompose: sync of service \"%s\": "
				"%s\n",
				ws->svc->name, err.msg);
	}
	fflush(stdout);
	for (size_t h = 0; h < nh; h++) {
		hs[h] = (struct host_sync){c, b, &hosts[h], NULL};
		if (hosts[h].n_containers && !hosts[h].offline)
			hs[h].e = cli_session_engine(c->s, &hosts[h]);
	}
	for (size_t h = 0; h < nh; h++)
		if (hs[h].e &&
		    !(t[h] = compat_thread_start(host_sync_main, &hs[h])))
			host_sync_main(&hs[h]);
	for (size_t h = 0; h < nh; h++)
		compat_thread_join(t[h]);
	free(t);
	free(hs);
}

/* compose v2's order: rebuild, sync, restart, exec. */
static void batch_run(struct watch_ctx *c, char **paths, size_t n)
{
	struct wbatch b = {0};
	bool rebuild = false, restart = false;
	struct arena *a;
	struct plan_host *hosts = NULL;
	size_t nh = 0;
	struct diag_list dl = DIAG_LIST_INIT;

	batch_collect(&b, c, paths, n);
	for (size_t i = 0; i < b.n; i++) {
		rebuild = rebuild || b.v[i].rebuild;
		restart = restart || b.v[i].restart;
	}
	if (rebuild)
		batch_rebuild(c, &b);
	a = arena_new();
	apply_state_collect(&hosts, &nh, a, c->s->reg, c->s->project_name,
			    APPLY_STATE_CONTAINERS, &dl);
	cli_print_diags(&dl);
	diag_list_release(&dl);
	batch_sync(c, &b, hosts, nh);
	for (size_t i = 0; i < b.n; i++)
		if (b.v[i].restart && !b.v[i].rebuild)
			each_container(c, hosts, nh, &b.v[i],
				       restart_container);
	if (restart) {
		struct sbuf names = SBUF_INIT;

		names_q(&names, &b, 1);
		printf("service(s) %s restarted\n", names.buf);
		sbuf_release(&names);
	}
	for (size_t i = 0; i < b.n; i++)
		if (b.v[i].n_execs && !b.v[i].rebuild)
			each_container(c, hosts, nh, &b.v[i], exec_container);
	fflush(stdout);
	arena_free(a);
	batch_release(&b);
}

/* ---- The loop -------------------------------------------------------------
 */

static void on_change(void *ud, const char *path)
{
	struct watch_ctx *c = ud;

	for (size_t i = 0; i < c->n_rules; i++)
		if (cli_watch_match(&c->rules[i], path, NULL)) {
			cli_debounce_add(&c->deb, path, compat_now_ms());
			return;
		}
}

/* initial_sync: every file below the trigger's path, as if changed. */
static void initial_files(struct watch_ctx *c, const char *path)
{
	char **names = NULL;
	size_t n = 0;

	on_change(c, path);
	if (compat_dir_list(&names, &n, path))
		return;
	for (size_t i = 0; i < n; i++) {
		struct sbuf p = SBUF_INIT;

		sbuf_addf(&p, "%s/%s", path, names[i]);
		initial_files(c, p.buf);
		sbuf_release(&p);
		free(names[i]);
	}
	free(names);
}

static int rules_check(const struct cli_watch_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct compose_watch *w = v[i].w;

		if (w->act == COMPOSE_WATCH_REBUILD && !v[i].svc->build) {
			cli_errorf("can't watch service \"%s\" with action %s "
				   "without a build context",
				   v[i].svc->name, w->action);
			return CLI_FAIL;
		}
		if (w->act == COMPOSE_WATCH_SYNC_EXEC && !w->exec.command.n) {
			cli_errorf("can't watch with action \"%s\" on service "
				   "%s without a command",
				   w->action, v[i].svc->name);
			return CLI_FAIL;
		}
	}
	return CLI_OK;
}

/* libarchive loaded now, not on the first change (about 100 ms). */
static void warm_up(void)
{
	struct diag err = {0};
	char *tar = NULL;
	size_t len = 0;

	engine_copy_tar(&tar, &len, NULL, 0, &err);
	free(tar);
}

static int watch_setup(struct compat_watch **out, struct watch_ctx *c)
{
	char why[512] = "";

	*out = compat_watch_new(why, sizeof(why));
	if (!*out) {
		cli_errorf("%s", why);
		return CLI_FAIL;
	}
	for (size_t i = 0; i < c->n_rules; i++)
		if (compat_watch_add(*out, c->rules[i].w->path, why,
				     sizeof(why))) {
			cli_errorf("%s", why);
			return CLI_FAIL;
		}
	for (size_t i = 0; i < c->n_rules; i++)
		if (c->rules[i].w->initial_sync && is_sync(c->rules[i].w->act))
			initial_files(c, c->rules[i].w->path);
	warm_up();
	return CLI_OK;
}

static int watch_loop(struct watch_ctx *c,
		      struct compat_watch *w,
		      volatile sig_atomic_t *stop)
{
	char why[512] = "";

	while (!*stop) {
		long wait = cli_debounce_wait(&c->deb, compat_now_ms());
		size_t n = 0;
		char **paths;

		if (wait != 0 &&
		    compat_watch_wait(w, wait < 0 || wait > 500 ? 500 : wait,
				      on_change, c, why, sizeof(why)) < 0) {
			cli_errorf("watch: %s", why);
			return CLI_FAIL;
		}
		if (*stop || cli_debounce_wait(&c->deb, compat_now_ms()) != 0)
			continue;
		paths = cli_debounce_take(&c->deb, &n);
		batch_run(c, paths, n);
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
	}
	return CLI_OK;
}

int cli_watch_run(struct cli_session *s,
		  char *const *services,
		  size_t n_services,
		  unsigned flags,
		  volatile sig_atomic_t *stop)
{
	struct watch_ctx c = {.s = s,
			      .quiet = flags & CLI_WATCH_QUIET,
			      .prune = flags & CLI_WATCH_PRUNE};
	struct compat_watch *w = NULL;
	struct diag err = {0};
	int rc;

	if (cli_watch_rules_make(&c.rules, &c.n_rules, s->project, services,
				 n_services, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	if (!c.n_rules) {
		cli_errorf("none of the selected services is configured for "
			   "watch, consider setting a 'develop' section");
		rc = CLI_FAIL;
	} else {
		rc = rules_check(c.rules, c.n_rules);
	}
	if (!rc)
		rc = watch_setup(&w, &c);
	if (!rc) {
		printf("Watch enabled\n");
		fflush(stdout);
		rc = watch_loop(&c, w, stop);
		printf("Watch disabled\n");
		fflush(stdout);
	}
	compat_watch_free(w);
	cli_debounce_release(&c.deb);
	cli_watch_rules_free(c.rules, c.n_rules);
	for (size_t i = 0; i < c.n_told; i++)
		free(c.told[i]);
	free(c.told);
	return rc;
}

int cli_watch_check(const struct compose_project *p,
		    char *const *services,
		    size_t n_services)
{
	struct cli_watch_rule *v = NULL;
	struct diag err = {0};
	size_t n = 0;
	int rc;

	if (cli_watch_rules_make(&v, &n, p, services, n_services, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	if (!n) {
		cli_errorf("none of the selected services is configured for "
			   "watch, consider setting a 'develop' section");
		rc = CLI_FAIL;
	} else {
		rc = rules_check(v, n);
	}
	cli_watch_rules_free(v, n);
	return rc;
}

struct cli_watch_bg {
	char *const *services;
	size_t n;
	volatile sig_atomic_t stop;
	int rc;
	struct compat_thread *t;
};

static void watch_bg_main(void *p)
{
	struct cli_watch_bg *bg = p;
	struct cli_session s;

	bg->rc = cli_session_open(&s, CLI_SESSION_PROJECT |
					      CLI_SESSION_CONTAINERS |
					      CLI_SESSION_QUIET);
	if (!bg->rc)
		/* compose v2's up --watch prunes nothing. */
		bg->rc = cli_watch_run(&s, bg->services, bg->n, 0, &bg->stop);
	cli_session_close(&s);
}

struct cli_watch_bg *cli_watch_start(char *const *services, size_t n)
{
	struct cli_watch_bg *bg = xcalloc(1, sizeof(*bg));

	bg->services = services;
	bg->n = n;
	bg->t = compat_thread_start(watch_bg_main, bg);
	if (!bg->t) {
		cli_errorf("watch: cannot start a thread");
		free(bg);
		return NULL;
	}
	return bg;
}

int cli_watch_stop(struct cli_watch_bg *bg)
{
	int rc;

	if (!bg)
		return CLI_FAIL;
	bg->stop = 1;
	compat_thread_join(bg->t);
	rc = bg->rc;
	free(bg);
	return rc;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o = {0};
	struct cli_session s;
	volatile sig_atomic_t *stop;
	int nargs, rc = cli_opt_parse(&cli_spec_watch, &o, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	if (!o.no_up) {
		char **up = xcalloc((size_t)nargs + 4, sizeof(*up));
		int n = 0;

		up[n++] = "up";
		up[n++] = "-d";
		for (int i = 0; i < nargs; i++)
			up[n++] = argv[1 + i];
		rc = cmd_up(n, up);
		free(up);
		if (rc)
			return rc;
	}
	cli_signals_catch(&stop);
	/* The state now: each daemon's API version is known before a change. */
	rc = cli_session_open(&s, CLI_SESSION_PROJECT | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, argv + 1, (size_t)nargs);
	if (!rc)
		rc = cli_watch_run(&s, argv + 1, (size_t)nargs,
				   (o.quiet ? CLI_WATCH_QUIET : 0) |
					   (!o.prune || !strcmp(o.prune, "true")
						    ? CLI_WATCH_PRUNE
						    : 0),
				   stop);
	cli_session_close(&s);
	return rc;
}
