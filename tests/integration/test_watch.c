/*
 * watch and up --watch against the real lab: an edited file reaches a
 * container on each daemon within 2 s, a deleted one goes, an ignored one
 * stays out, a change to a rebuild path builds and recreates the
 * container, and SIGINT ends the watch cleanly (status, message, no
 * process left).  Each test copies tests/fixtures/integration/watch/ to a
 * directory of its own with a project name of its own ("watch-..."); the
 * fini hook takes the project down and removes its built images.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define WATCH_FIXTURE TEST_FIXTURES_DIR "/integration/watch/"

static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

static struct lab_project P;
static pid_t watcher = -1;

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	watcher = -1;
}

static void fini(void)
{
	if (watcher > 0) {
		kill(watcher, SIGKILL);
		waitpid(watcher, NULL, 0);
	}
	if (!P.name[0])
		return;
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	cr_expect_eq(lab_project_rmi(P.name), 0, "images left");
}

TestSuite(integration_watch, .init = setup, .fini = fini, .timeout = 600);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void project(const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "watch", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s.' '%s/'", WATCH_FIXTURE, P.dir),
		     0);
}

/* `mixcompose -p NAME ARGS...` in the background, output to watch.log. */
static void spawn(const char *args)
{
	char cmd[1024], log[300];

	snprintf(cmd, sizeof(cmd), "exec %s -p %s %s", MIXCOMPOSE_BIN, P.name,
		 args);
	snprintf(log, sizeof(log), "%s/watch.log", P.dir);
	watcher = fork();
	cr_assert_geq(watcher, 0);
	if (!watcher) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || chdir(P.dir))
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
}

static bool log_has(const char *needle)
{
	struct sbuf out = SBUF_INIT;
	bool r;

	lab_sh(&out, "cat '%s/watch.log'", P.dir);
	r = strstr(out.buf ? out.buf : "", needle) != NULL;
	sbuf_release(&out);
	return r;
}

static void wait_log(const char *needle, int seconds)
{
	long long end = now_ms() + seconds * 1000LL;
	struct sbuf out = SBUF_INIT;

	while (!log_has(needle)) {
		int st;

		if (now_ms() > end ||
		    waitpid(watcher, &st, WNOHANG) == watcher) {
			lab_sh(&out, "cat '%s/watch.log'", P.dir);
			cr_assert_fail("no '%s' in the watch output:\n%s",
				       needle, out.buf);
		}
		usleep(100 * 1000);
	}
}

/* The SIGINT of Ctrl-C: the watch ends with status 0, nothing left. */
static void interrupt(int want)
{
	long long end = now_ms() + 60 * 1000;
	int st = 0;
	pid_t r;

	cr_assert_eq(kill(watcher, SIGINT), 0);
	while ((r = waitpid(watcher, &st, WNOHANG)) == 0 && now_ms() < end)
		usleep(50 * 1000);
	cr_assert_eq(r, watcher, "the watch did not end on SIGINT");
	watcher = -1;
	cr_assert(WIFEXITED(st), "the watch died of signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), want);
	/* Its process group is empty: no child of it is left. */
	cr_assert_neq(kill(-r, 0), 0, "a process of the watch is left");
}

/*
 * True when FILE in NAME-SVC-1 on daemon 'd' holds 'want' (NULL: when it
 * is gone), read with one GET /containers/{name}/archive (a tar: the
 * data follows the 512-byte header), which is quicker than docker exec.
 */
static bool file_is(int d, const char *svc, const char *file, const char *want)
{
	struct lab_http r = {0};
	char path[300];
	bool ok;

	snprintf(path, sizeof(path), "/containers/%s-%s-1/archive?path=%s",
		 P.name, svc, file);
	if (lab_http_unix(&r, socks[d], "GET", path, NULL)) {
		lab_http_release(&r);
		return false;
	}
	if (!want)
		ok = r.status == 404;
	else
		ok = r.status == 200 && r.body.len >= 512 + strlen(want) &&
		     !memcmp(r.body.buf + 512, want, strlen(want)) &&
		     r.body.buf[512 + strlen(want)] == 0;
	lab_http_release(&r);
	return ok;
}

/*
 * Milliseconds from 't0' until FILE holds 'want' (NULL: is gone) in the
 * containers of 'lin' on the linux daemon and of 'win' on the windows one
 * (ms[0], ms[1]), both polled in turn.
 */
static void until_both(long long ms[2],
		       const char *file,
		       const char *want,
		       long long t0,
		       int limit_s)
{
	static const char *const svc[] = {"lin", "win"};

	ms[0] = ms[1] = -1;
	while (ms[0] < 0 || ms[1] < 0) {
		for (int d = 0; d < 2; d++)
			if (ms[d] < 0 && file_is(d, svc[d], file, want))
				ms[d] = now_ms() - t0;
		cr_assert_lt(now_ms() - t0, limit_s * 1000LL,
			     "%s: '%s' not seen (linux %lld, windows %lld)",
			     file, want ? want : "(gone)", ms[0], ms[1]);
		usleep(10 * 1000);
	}
}

/* Milliseconds from 't0' until FILE in SVC on 'd' holds 'want'. */
static long long until_in(int d,
			  const char *svc,
			  const char *file,
			  const char *want,
			  long long t0,
			  int limit_s)
{
	while (!file_is(d, svc, file, want)) {
		cr_assert_lt(now_ms() - t0, limit_s * 1000LL,
			     "%s in %s: '%s' not seen", file, svc, want);
		usleep(20 * 1000);
	}
	return now_ms() - t0;
}

/*
 * 2 s, compose's promise, on a machine that is not overloaded.  A daemon
 * unpacks each PUT archive in a process of its own (about 0.7-1 s at a
 * load of 20-40 on the lab's two cores), so above a load of 4 the bound
 * is 10 s and the test says so.
 */
static long long sync_limit_ms(void)
{
	double load = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = 0;
		fclose(f);
	}
	if (load <= 4)
		return 2000;
	cr_log_info("watch: load %.1f: the sync bound is 10 s, not 2 s", load);
	return 10000;
}

static void write_file(const char *rel, const char *text)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", P.dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

Test(integration_watch, sync_edit_delete_and_ignore_on_each_daemon)
{
	long long t0, ms[2], best[2] = {0, 0};
	char path[400];

	project("sync");
	spawn("watch lin win");
	wait_log("Watch enabled", 300);

	/*
	 * An edit: within 2 s on each daemon (the 500 ms quiet included),
	 * the best of three edits (the lab's machine is shared: one slow
	 * moment of a daemon's untar is not the watch's time).  The
	 * figures are logged at info: Criterion 2.4 fails the whole run
	 * on any warning, even when every test passed.
	 */
	for (int i = 0; i < 3; i++) {
		char text[16];

		snprintf(text, sizeof(text), "v%d\n", i + 2);
		write_file("app/a.txt", text);
		t0 = now_ms();
		until_both(ms, "/srv/app/a.txt", text, t0, 30);
		cr_log_info("watch: edit synced in %lld ms (linux), %lld ms "
			    "(windows)",
			    ms[0], ms[1]);
		best[0] = i && best[0] < ms[0] ? best[0] : ms[0];
		best[1] = i && best[1] < ms[1] ? best[1] : ms[1];
	}
	cr_expect_leq(best[0], sync_limit_ms(), "linux: %lld ms", best[0]);
	cr_expect_leq(best[1], sync_limit_ms(), "windows: %lld ms", best[1]);

	/* A new directory with a file, and an ignored file beside it. */
	write_file("app/x.tmp", "ignored\n");
	cr_assert_eq(lab_sh(NULL,
			    "mkdir '%s/app/sub' && echo s > "
			    "'%s/app/sub/s.txt'",
			    P.dir, P.dir),
		     0);
	t0 = now_ms();
	until_both(ms, "/srv/app/sub/s.txt", "s\n", t0, 30);
	cr_assert(file_is(0, "lin", "/srv/app/x.tmp", NULL),
		  "an ignored file was synced");
	cr_assert(file_is(1, "win", "/srv/app/x.tmp", NULL),
		  "an ignored file was synced");

	/* A deletion. */
	snprintf(path, sizeof(path), "%s/app/a.txt", P.dir);
	cr_assert_eq(unlink(path), 0);
	t0 = now_ms();
	until_both(ms, "/srv/app/a.txt", NULL, t0, 30);
	cr_log_info("watch: deletion synced in %lld ms (linux), %lld ms "
		    "(windows)",
		    ms[0], ms[1]);
	cr_assert(log_has("Syncing service \"lin\" after"));

	interrupt(0);
	cr_assert(log_has("Watch disabled"));
}

/* The image id of the container of 'bld', trimmed. */
static char *bld_image(void)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"inspect -f '{{.Image}}' %s-bld-1", P.name),
		     0);
	while (out.len && out.buf[out.len - 1] == '\n')
		out.buf[--out.len] = '\0';
	return sbuf_detach(&out, NULL);
}

static bool image_exists(const char *id)
{
	return lab_docker(NULL, LAB_LINUX_SOCK, "image inspect %s", id) == 0;
}

/*
 * A rebuild, then the image the container had before: --prune (compose
 * v2's default since 2.35) removes it, as a dangling image of the project;
 * --prune=false leaves it.
 */
static void rebuild_and_check_prune(const char *tag, bool prune)
{
	char *img0, *img1;

	project(tag);
	cr_assert_eq(lab_mc(&P, NULL, "up -d bld"), 0);
	img0 = bld_image();
	spawn(prune ? "watch --no-up bld" : "watch --no-up --prune=false bld");
	wait_log("Watch enabled", 120);
	write_file("ctx/greeting.txt", "rebuilt for the prune\n");
	wait_log("successfully built", 60);
	img1 = bld_image();
	cr_assert_str_neq(img0, img1, "no new image");
	cr_expect(image_exists(img1));
	cr_expect_eq(image_exists(img0), !prune, "old image %s %s", img0,
		     prune ? "still there" : "pruned without --prune");
	interrupt(0);
	free(img0);
	free(img1);
}

Test(integration_watch, rebuild_prunes_the_dangling_image)
{
	rebuild_and_check_prune("prune", true);
}

Test(integration_watch, rebuild_with_prune_false_keeps_it)
{
	rebuild_and_check_prune("noprune", false);
}

Test(integration_watch, rebuild_path_builds_and_recreates)
{
	struct sbuf out = SBUF_INIT;
	char *id0, *id1;

	project("rebuild");
	cr_assert_eq(lab_mc(&P, &out, "up -d bld"), 0, "%s", out.buf);
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"inspect -f '{{.Id}}' %s-bld-1", P.name),
		     0);
	id0 = sbuf_detach(&out, NULL);
	spawn("watch --no-up bld");
	wait_log("Watch enabled", 120);

	/* .dockerignore'd: no rebuild. */
	write_file("ctx/notes.txt", "still ignored\n");
	write_file("ctx/greeting.txt", "rebuilt\n");
	until_in(0, "bld", "/srv/greeting.txt", "rebuilt\n", now_ms(), 300);
	wait_log("successfully built", 60);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"inspect -f '{{.Id}}' %s-bld-1", P.name),
		     0);
	id1 = sbuf_detach(&out, NULL);
	cr_assert_str_neq(id0, id1, "the container was not recreated");
	interrupt(0);
	free(id0);
	free(id1);
}

Test(integration_watch, up_watch_follows_logs_and_syncs)
{
	long long t0, ms;

	project("up");
	spawn("up --watch lin");
	wait_log("Watch enabled", 300);
	write_file("app/a.txt", "from up --watch\n");
	t0 = now_ms();
	ms = until_in(0, "lin", "/srv/app/a.txt", "from up --watch\n", t0, 30);
	cr_log_info("up --watch: edit synced in %lld ms (linux)", ms);
	/* Ctrl-C: the attached up stops the containers, as without --watch. */
	interrupt(0);
	cr_assert(log_has("Watch disabled"));
	cr_assert(log_has("Gracefully stopping"));
}

Test(integration_watch, no_develop_section_is_an_error)
{
	struct sbuf out = SBUF_INIT;

	project("none");
	write_file("compose.yaml", "services:\n  a:\n    image: "
				   "local/busybox:lab\n");
	cr_assert_eq(lab_mc(&P, &out, "watch --no-up"), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "consider setting a 'develop' section"), "%s",
		  out.buf);
	sbuf_release(&out);
}
