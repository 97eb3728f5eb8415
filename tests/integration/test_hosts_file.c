/*
 * The hosts block of a Windows container, put in place before its start
 * through the archive API (GET, merge, PUT /containers/{id}/archive), on a
 * real daemon: the lab's linux daemon accepts the archive API as a Windows
 * daemon does, and the file lives where a Windows image has it
 * (/Windows/System32/drivers/etc/hosts, a path dockerd does not manage on
 * Linux).  The jobs are the ones `up` makes for a Windows container:
 * create, file edit, start, and the exec after the start as the fallback.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "lab_util.h"
#include "planner/planner.h"
#include "util/sbuf.h"

#define LABEL "io.mixcompose.test"
#define WIN_HOSTS PLAN_HOSTS_ARCHIVE_DIR_WINDOWS "/" PLAN_HOSTS_ARCHIVE_NAME

/* A Windows image's own hosts file: CRLF, comments, a user's line. */
static const char image_hosts[] =
	"# Copyright (c) 1993-2009 Microsoft Corp.\r\n"
	"#\r\n"
	"# localhost name resolution is handled within DNS itself.\r\n"
	"10.9.8.7 intranet.example # the user's own\r\n";

static const char block[] = PLAN_HOSTS_BEGIN
	"\n"
	"172.30.9.2 peer p-peer-1 # mixcompose\n"
	"172.30.9.3 db p-db-1 # mixcompose\n" PLAN_HOSTS_END "\n";

static char image[96];
/*
 * "hosts-file-PID": each test runs in a process of its own, and its fini
 * removes its own containers only, so that tests run in parallel
 * (--jobs 2) do not remove each other's.
 */
static char label_value[48];

static void setup(void)
{
	char dir[] = "/tmp/mc-hostsimg-XXXXXX";
	FILE *f;
	char path[128];

	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	snprintf(image, sizeof(image), "local/mixtest-winhosts:%ld",
		 (long)getpid());
	snprintf(label_value, sizeof(label_value), "hosts-file-%ld",
		 (long)getpid());
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hosts", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(image_hosts, f);
	fclose(f);
	cr_assert_eq(lab_sh(NULL,
			    "cd %s && printf 'FROM %s\\nCOPY hosts %s\\n' "
			    ">Dockerfile && DOCKER_BUILDKIT=0 docker -H %s "
			    "build -q -t %s . >/dev/null; rc=$?; cd / && "
			    "rm -rf %s; exit $rc",
			    dir, LAB_IMAGE_BUSYBOX, WIN_HOSTS, LAB_LINUX_URL,
			    image, dir),
		     0);
}

static void fini(void)
{
	lab_docker(NULL, LAB_LINUX_SOCK,
		   "ps -aq --filter label=%s=%s | xargs -r docker -H %s rm -f",
		   LABEL, label_value, LAB_LINUX_URL);
	lab_docker(NULL, LAB_LINUX_SOCK, "rmi -f %s", image);
}

TestSuite(integration_hosts_file, .init = setup, .fini = fini, .timeout = 120);

static char *merge_edit(void *ud, const char *old, size_t len)
{
	struct sbuf sb = SBUF_INIT;

	plan_hosts_merge(&sb, old, len, ud);
	return sbuf_detach(&sb, NULL);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The container's first output, once it holds the end marker (or 20 s). */
static void first_output(struct sbuf *out, const char *name)
{
	time_t t0 = time(NULL);

	do {
		lab_docker(out, LAB_LINUX_SOCK, "logs %s", name);
		if (strstr(out->buf, "==="))
			return;
		usleep(200000);
	} while (time(NULL) - t0 < 20);
}

/*
 * create -> file edit -> start, and the fallback exec after the start; the
 * container prints its hosts file at its first instant, then sleeps.
 */
static void run_jobs(struct engine_job jobs[4],
		     const char *name,
		     const char *dir,
		     const char *fallback_cmd)
{
	static const char *cmd[3];
	static const char *fb[3];
	static struct engine_kv labels[] = {{LABEL, label_value}};
	static struct engine_container_spec spec;
	static size_t d_file[1] = {0}, d_start[2] = {0, 1},
		      d_exec[3] = {0, 1, 2};
	struct engine *e = NULL;
	struct engine_config cfg = {.name = "windows-ish",
				    .url = LAB_LINUX_URL};
	struct engine_loop *l = engine_loop_new();
	struct diag err = {0};
	struct engine_run_opts o = {0};

	cmd[0] = "sh";
	cmd[1] = "-c";
	cmd[2] = "cat " WIN_HOSTS "; echo ===; exec sleep 60";
	fb[0] = "sh";
	fb[1] = "-c";
	fb[2] = fallback_cmd;
	spec = (struct engine_container_spec){.image = image,
					      .cmd = {cmd, 3},
					      .labels = labels,
					      .n_labels = 1,
					      .stop_timeout = -1,
					      .init = 1};
	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	memset(jobs, 0, 4 * sizeof(*jobs));
	for (int i = 0; i < 4; i++) {
		jobs[i].engine = e;
		jobs[i].container.job = 0;
		jobs[i].timeout_s = -1;
	}
	jobs[0].kind = ENGINE_JOB_CONTAINER_CREATE;
	jobs[0].container.job = ENGINE_JOB_NONE;
	jobs[0].name = name;
	jobs[0].container_spec = &spec;
	jobs[1].kind = ENGINE_JOB_FILE_EDIT;
	jobs[1].deps = d_file;
	jobs[1].n_deps = 1;
	jobs[1].file_dir = dir;
	jobs[1].file_name = PLAN_HOSTS_ARCHIVE_NAME;
	jobs[1].file_edit = merge_edit;
	jobs[1].file_edit_ud = (void *)block;
	jobs[2].kind = ENGINE_JOB_CONTAINER_START;
	jobs[2].deps = d_start;
	jobs[2].n_deps = 2;
	jobs[3].kind = ENGINE_JOB_EXEC;
	jobs[3].deps = d_exec;
	jobs[3].n_deps = 3;
	jobs[3].argv = (struct engine_strv){fb, 3};
	jobs[3].fallback = true;
	jobs[3].fallback_of = 1;
	cr_assert_eq(engine_run(l, jobs, 4, &o, &err), 0, "%s", err.msg);
	engine_loop_free(l);
	engine_free(e);
}

Test(integration_hosts_file, in_place_before_the_entrypoint_runs)
{
	struct engine_job jobs[4];
	struct sbuf out = SBUF_INIT, again = SBUF_INIT;
	char name[64];
	struct engine *e = NULL;
	struct engine_config cfg = {.name = "windows-ish",
				    .url = LAB_LINUX_URL};
	struct diag err = {0};

	snprintf(name, sizeof(name), "mixtest-hostsfile-%ld", (long)getpid());
	run_jobs(jobs, name, PLAN_HOSTS_ARCHIVE_DIR_WINDOWS,
		 "echo fallback >/fallback-ran");
	cr_assert_not(jobs[1].refused, "%s", jobs[1].err.msg);
	cr_assert(jobs[3].noop, "no exec: the file was there before");
	first_output(&out, name);
	/* At its first instant: the peers, the user's lines, one block. */
	cr_assert(strstr(out.buf, "172.30.9.2 peer p-peer-1 # mixcompose"),
		  "%s", out.buf);
	cr_assert(strstr(out.buf, "10.9.8.7 intranet.example # the user's own"),
		  "%s", out.buf);
	cr_assert(!strncmp(out.buf, image_hosts, strlen(image_hosts)),
		  "the image's lines first, byte for byte: %s", out.buf);
	cr_assert_eq(count(out.buf, PLAN_HOSTS_BEGIN), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, PLAN_HOSTS_END "\r\n"), "CRLF kept: %s",
		  out.buf);
	cr_assert_neq(lab_docker(NULL, LAB_LINUX_SOCK,
				 "exec %s test -e /fallback-ran", name),
		      0, "the fallback did not run");
	/* A second run changes nothing. */
	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_container_file_edit(
			     e, name, PLAN_HOSTS_ARCHIVE_DIR_WINDOWS,
			     PLAN_HOSTS_ARCHIVE_NAME, merge_edit, (void *)block,
			     &err),
		     0, "%s", err.msg);
	engine_free(e);
	cr_assert_eq(lab_docker(&again, LAB_LINUX_SOCK, "exec %s cat %s", name,
				WIN_HOSTS),
		     0);
	cr_assert(!strncmp(out.buf, again.buf, again.len), "%s\n---\n%s",
		  out.buf, again.buf);
	sbuf_release(&out);
	sbuf_release(&again);
}

Test(integration_hosts_file, a_refusal_falls_back_to_exec_after_start)
{
	struct engine_job jobs[4];
	struct sbuf out = SBUF_INIT;
	char name[64];

	snprintf(name, sizeof(name), "mixtest-hostsfb-%ld", (long)getpid());
	/* A directory the image lacks: the daemon refuses the PUT (404). */
	run_jobs(jobs, name, "/no/such/dir", "echo fallback >/fallback-ran");
	cr_assert(jobs[1].refused);
	cr_assert_eq(jobs[1].state, ENGINE_JOB_DONE);
	cr_assert(strstr(jobs[1].err.msg, "/archive?path=%2Fno%2Fsuch%2Fdir"),
		  "%s", jobs[1].err.msg);
	cr_assert_not(jobs[3].noop);
	cr_assert_eq(jobs[3].state, ENGINE_JOB_DONE);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"exec %s cat /fallback-ran", name),
		     0, "%s", out.buf);
	cr_assert_str_eq(out.buf, "fallback\n");
	sbuf_release(&out);
}
