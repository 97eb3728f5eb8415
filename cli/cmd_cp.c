/*
 * mixcompose cp: files between a service's container and the local file
 * system, both ways, on whichever daemon runs the container, as compose v2
 * and docker cp do it (the archive API, tars by libarchive in engine/).
 * Into a service: every container of it (--index: one); out of it: the
 * first (or --index).  A Windows container takes Windows paths
 * ("web:C:\app\x"); a Windows daemon refuses both ways for a running
 * Hyper-V-isolated container, which is said with the service and daemon.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

struct cp_opts {
	int index;
	bool archive;
	bool follow_link;
};

#define O struct cp_opts
static const struct cli_opt cp_opts_v[] = {
	CLI_FLAG('a',
		 "archive",
		 O,
		 archive,
		 "archive mode (copy all uid/gid information)"),
	CLI_FLAG('L',
		 "follow-link",
		 O,
		 follow_link,
		 "always follow symbol link in SRC_PATH"),
	CLI_INT(0,
		"index",
		O,
		index,
		"N",
		0,
		INT_MAX,
		"a container number",
		"index of the container if the service has several replicas"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_cp = {
	.name = "cp",
	.args = "SERVICE:SRC_PATH DEST_PATH|-  or  SRC_PATH|- "
		"SERVICE:DEST_PATH",
	.summary = "copy files between a service container and the local "
		   "file system",
	.desc = "Copy files or folders between a service's container (on "
		"its daemon) and\nthe local file system; '-' is a tar on "
		"standard input or output.",
	.opts = cp_opts_v,
	.min_args = 2,
	.max_args = 2,
	.args_complete = CLI_COMPLETE_SERVICE,
};

/* ---- Paths -------------------------------------------------------------- */

int cli_cp_arg(char **service, const char **path, const char *arg)
{
	const char *colon = strchr(arg, ':');

	*service = NULL;
	*path = arg;
	/* As compose v2: an absolute local path, or no "SERVICE:", or a
	 * relative path such as ./a:b, is local. */
	if (compat_path_is_abs(arg) || !colon || arg[0] == '.')
		return 0;
	if (colon == arg)
		return -1;
	*service = xstrndup(arg, (size_t)(colon - arg));
	*path = colon + 1;
	return 0;
}

static bool is_sep(char c, bool windows)
{
	return c == '/' || (windows && c == '\\');
}

void cli_cp_path_split(char **dir, char **base, const char *path, bool windows)
{
	size_t n = strlen(path), root = 0, cut;

	/* "C:\" and "/" are roots: never cut below them. */
	if (windows && n >= 2 && path[1] == ':')
		root = 2;
	if (n > root && is_sep(path[root], windows))
		root++;
	while (n > root && is_sep(path[n - 1], windows))
		n--;
	for (cut = n; cut > root && !is_sep(path[cut - 1], windows); cut--)
		;
	*base = xstrndup(path + cut, n - cut);
	if (cut == 0) {
		*dir = xstrdup(".");
		return;
	}
	/* The separator before the base goes, unless it is the root's. */
	*dir = xstrndup(path, cut > root ? cut - 1 : cut);
}

/* The name a copied source goes by: its last element, "." for DIR/. */
static char *src_name(const char *path, bool windows)
{
	char *dir, *base;

	cli_cp_path_split(&dir, &base, path, windows);
	free(dir);
	return base;
}

void cli_cp_refusal(struct diag *d, const char *service, const char *daemon)
{
	char why[sizeof(d->msg)];

	if (!strstr(d->msg, "Hyper-V"))
		return;
	snprintf(why, sizeof(why), "%s", d->msg);
	snprintf(d->msg, sizeof(d->msg),
		 "service '%s' on daemon '%s' runs Hyper-V-isolated, and a "
		 "Windows daemon copies into or out of such a container only "
		 "while it is stopped: run 'mixcompose stop %s', copy, then "
		 "'mixcompose start %s' (or give the service 'isolation: "
		 "process'); the daemon said: %.300s",
		 service, daemon, service, service, why);
}

/* ---- One copy per container --------------------------------------------- */

struct cp_job {
	const struct cp_opts *o;
	const char *service;
	const char *src, *dst; /* the container's side without "SERVICE:" */
	bool to_container;
	bool src_is_dir; /* local source (to a container) */
	const char *stdin_tar;
	size_t stdin_len;
	struct engine_loop *l;
	struct engine *e;
	struct cli_task *t;
	char *rename; /* -L: the link's own name for its target */
};

static bool windows_of(const struct cp_job *j)
{
	return !strcmp(engine_os(j->e), "windows");
}

static void cp_end(struct cp_job *j, int rc, const struct diag *err)
{
	struct diag d = {0};

	if (rc && err) {
		d = *err;
		cli_cp_refusal(&d, j->service, j->t->h->name);
	}
	cli_task_done(j->t, rc, rc ? &d : NULL);
}

static int cp_fail(struct cp_job *j, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cp_fail(struct cp_job *j, int code, const char *fmt, ...)
{
	struct diag d = {.code = code};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	cp_end(j, code, &d);
	return code;
}

static void put_done(void *ud, int rc, const struct diag *err)
{
	cp_end(ud, rc, err);
}

/* The destination's stat decides the directory and the name (docker cp). */
static void to_stat_done(void *ud,
			 int rc,
			 const struct engine_path_stat *st,
			 const struct diag *err)
{
	struct cp_job *j = ud;
	bool win = windows_of(j), into = !rc && st->is_dir;
	struct engine_tar_src src = {.follow_link = j->o->follow_link,
				     .keep_owner = j->o->archive};
	char *dir = NULL, *base = NULL, *tar = NULL;
	struct diag d = {0};
	size_t len = 0;

	if (rc && rc != DIAG_ENOTFOUND) {
		cp_end(j, rc, err);
		return;
	}
	if (!into && (j->stdin_tar || (!rc && j->src_is_dir))) {
		cp_fail(j, DIAG_EUSAGE,
			"destination \"%s:%s\" must be a "
			"directory",
			j->service, j->dst);
		return;
	}
	if (into)
		dir = xstrdup(j->dst);
	else
		cli_cp_path_split(&dir, &base, j->dst, win);
	src.path = j->src;
	src.as = base ? base : src_name(j->src, false);
	if (j->stdin_tar) {
		tar = xmalloc(j->stdin_len + 1);
		memcpy(tar, j->stdin_tar, j->stdin_len);
		len = j->stdin_len;
	} else if ((rc = engine_tar_local(&tar, &len, &src, &d))) {
		cp_end(j, rc, &d);
	}
	if (!rc)
		engine_container_archive_put_async(j->l, j->e, j->t->ref, dir,
						   tar, len, j->o->archive,
						   put_done, j);
	free((char *)src.as);
	free(dir);
}

/* Where a tar of the container's 'name' goes locally, and as what. */
static int from_target(struct cp_job *j, bool src_dir, char **dir, char **as)
{
	struct stat st;
	char *parent = NULL, *base = NULL;

	*dir = *as = NULL;
	if (!stat(j->dst, &st) && S_ISDIR(st.st_mode)) {
		*dir = xstrdup(j->dst);
		*as = j->rename ? xstrdup(j->rename) : NULL;
		return 0;
	}
	if (!stat(j->dst, &st) && src_dir)
		return cp_fail(j, DIAG_EUSAGE,
			       "cannot copy a directory to the file '%s'",
			       j->dst);
	cli_cp_path_split(&parent, &base, j->dst, false);
	if (stat(parent, &st) || !S_ISDIR(st.st_mode)) {
		cp_fail(j, DIAG_EUSAGE,
			"destination directory '%s' does not "
			"exist",
			parent);
		free(parent);
		free(base);
		return DIAG_EUSAGE;
	}
	*dir = parent;
	*as = base;
	return 0;
}

static void get_done(void *ud,
		     int rc,
		     const char *tar,
		     size_t len,
		     const struct engine_path_stat *st,
		     const struct diag *err)
{
	struct cp_job *j = ud;
	char *dir = NULL, *as = NULL;
	struct diag d = {0};

	if (rc) {
		cp_end(j, rc, err);
		return;
	}
	if (!strcmp(j->dst, "-")) {
		if (fwrite(tar, 1, len, stdout) != len || fflush(stdout))
			cp_fail(j, DIAG_EIO, "cannot write the tar: %s",
				strerror(errno));
		else
			cp_end(j, 0, NULL);
		return;
	}
	if (from_target(j, st->is_dir, &dir, &as))
		return;
	rc = engine_untar_local(tar, len, dir, as, &d);
	cp_end(j, rc, &d);
	free(dir);
	free(as);
}

/* -L: a link is copied as its target, under the link's own name. */
static void from_stat_done(void *ud,
			   int rc,
			   const struct engine_path_stat *st,
			   const struct diag *err)
{
	struct cp_job *j = ud;
	bool win = windows_of(j);
	char *dir = NULL, *target = NULL;

	if (rc) {
		cp_end(j, rc, err);
		return;
	}
	if (st->is_link && st->link_target[0]) {
		cli_cp_path_split(&dir, &j->rename, j->src, win);
		if (is_sep(st->link_target[0], win) ||
		    (win && st->link_target[1] == ':'))
			target = xstrdup(st->link_target);
		else {
			struct sbuf sb = SBUF_INIT;

			sbuf_addf(&sb, "%s/%s", dir, st->link_target);
			target = sbuf_detach(&sb, NULL);
		}
	}
	engine_container_archive_get_async(
		j->l, j->e, j->t->ref, target ? target : j->src, get_done, j);
	free(dir);
	free(target);
}

static void
cp_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	struct cp_job *j = t->ud;

	j->l = l;
	j->e = e;
	j->t = t;
	if (j->to_container)
		engine_container_path_stat_async(l, e, t->ref, j->dst,
						 to_stat_done, j);
	else if (j->o->follow_link)
		engine_container_path_stat_async(l, e, t->ref, j->src,
						 from_stat_done, j);
	else
		engine_container_archive_get_async(l, e, t->ref, j->src,
						   get_done, j);
}

/* ---- The command -------------------------------------------------------- */

static int cmp_name(const void *pa, const void *pb)
{
	const struct cli_task *a = pa, *b = pb;

	return strcmp(a->what, b->what);
}

/* Every container of the service (--index: that one), sorted by name. */
static size_t cp_tasks(struct cli_task **out,
		       const struct cli_session *s,
		       const char *service,
		       int index)
{
	struct cli_task *t = NULL;
	size_t n = 0, alloc = 0;

	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (pc->oneoff || !pc->service ||
			    strcmp(pc->service, service) != 0 ||
			    (index && pc->number != index))
				continue;
			ALLOC_GROW(t, n + 1, alloc);
			t[n++] = (struct cli_task){.h = &s->hosts[h],
						   .what = pc->name,
						   .ref = pc->id,
						   .start = cp_start};
		}
	if (n > 1)
		qsort(t, n, sizeof(*t), cmp_name);
	*out = t;
	return n;
}

static int read_stdin(struct sbuf *sb)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		sbuf_add(sb, buf, n);
	return ferror(stdin) ? -1 : 0;
}

static int cp_run(struct cli_session *s, struct cp_job *j, const char *service)
{
	struct cli_tasks_opts to = {
		.kind = "Container", .doing = "Copying", .done = "Copied"};
	struct cli_task *t = NULL;
	struct sbuf in = SBUF_INIT;
	size_t n = cp_tasks(&t, s, service, j->o->index);
	struct cp_job *jobs;
	struct stat st;
	int rc;

	if (!n) {
		cli_errorf("no container found for service \"%s\"", service);
		free(t);
		return CLI_FAIL;
	}
	if (j->to_container && !strcmp(j->src, "-")) {
		if (read_stdin(&in)) {
			cli_errorf("cannot read the tar on standard input");
			sbuf_release(&in);
			free(t);
			return CLI_FAIL;
		}
		j->stdin_tar = in.buf ? in.buf : "";
		j->stdin_len = in.len;
	} else if (j->to_container) {
		if ((j->o->follow_link ? stat(j->src, &st)
				       : compat_lstat(j->src, &st))) {
			cli_errorf("stat %s: %s", j->src, strerror(errno));
			free(t);
			return CLI_FAIL;
		}
		j->src_is_dir = S_ISDIR(st.st_mode);
	}
	/* Out of a service: its first container only, as compose v2. */
	if (!j->to_container)
		n = 1;
	jobs = xcalloc(n, sizeof(*jobs));
	for (size_t i = 0; i < n; i++) {
		jobs[i] = *j;
		t[i].ud = &jobs[i];
	}
	rc = cli_tasks_run(s, t, n, &to);
	for (size_t i = 0; i < n; i++)
		free(jobs[i].rename);
	free(jobs);
	free(t);
	sbuf_release(&in);
	return rc;
}

int cmd_cp(int argc, char **argv)
{
	struct cp_opts o = {0};
	struct cp_job j = {.o = &o};
	char *src_svc = NULL, *dst_svc = NULL, *svc;
	struct cli_session s;
	int nargs, rc = cli_opt_parse(&cli_spec_cp, &o, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	if (!*argv[1] || !*argv[2]) {
		cli_errorf("cp: %s can not be empty",
			   *argv[1] ? "destination" : "source");
		return CLI_USAGE;
	}
	if (cli_cp_arg(&src_svc, &j.src, argv[1]) ||
	    cli_cp_arg(&dst_svc, &j.dst, argv[2]) || (src_svc && dst_svc) ||
	    (!src_svc && !dst_svc)) {
		cli_errorf("cp: %s",
			   src_svc && dst_svc
				   ? "copying between services is not supported"
				   : "one of the paths must be SERVICE:PATH");
		free(src_svc);
		free(dst_svc);
		return CLI_USAGE;
	}
	j.to_container = dst_svc != NULL;
	svc = dst_svc ? dst_svc : src_svc;
	j.service = svc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, &svc, 1);
	if (!rc)
		rc = cp_run(&s, &j, svc);
	cli_session_close(&s);
	free(src_svc);
	free(dst_svc);
	return rc;
}
