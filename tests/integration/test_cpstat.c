/*
 * stats, events, attach and cp against the real lab (lab/mixlab up), each
 * on a two-daemon project (tests/fixtures/cmds: 'api' on the Windows
 * stand-in, 'web' on Linux; cmds/attach: 'echo' and 'tick').  What
 * mixcompose says is checked against the docker CLI's view of each daemon;
 * the fini hook takes the project down and checks that nothing is left.
 * The events test that kills a daemon does it to a scratch dockerd of its
 * own (lab/mixlab scratch-up), never to the lab's.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define CMDS_FIXTURES TEST_FIXTURES_DIR "/cmds/"

static struct lab_project P;
static struct lab_scratch S;
static pid_t bg_pid;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)
#define mc_out(out, ...) lab_mc_stdout(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	bg_pid = 0;
}

static void fini(void)
{
	if (bg_pid > 0) {
		kill(bg_pid, SIGKILL);
		waitpid(bg_pid, NULL, 0);
	}
	if (S.name[0]) {
		lab_scratch_down(&S);
		memset(&S, 0, sizeof(S));
		lab_env();
	}
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_cpstat, .init = setup, .fini = fini, .timeout = 240);

static void project(const char *fixture, const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "cpstat", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp '%s%s/compose.yaml' '%s/'", CMDS_FIXTURES,
			    fixture, P.dir),
		     0);
}

static void up(void)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	sbuf_release(&out);
}

/* `mixcompose -p NAME ARGS...` in the background, output to files. */
static pid_t spawn(const char *out_path, const char *err_path, char **args)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (!pid) {
		char *argv[16] = {"mixcompose", "-p", P.name};
		size_t n = 3;
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		for (; *args && n < 15; args++)
			argv[n++] = *args;
		argv[n] = NULL;
		if (o < 0 || e < 0 || chdir(P.dir) || dup2(o, 1) < 0 ||
		    dup2(e, 2) < 0)
			_exit(127);
		execv(MIXCOMPOSE_BIN, argv);
		_exit(127);
	}
	return pid;
}

static char *slurp(const char *path)
{
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	if (f)
		fclose(f);
	return sbuf_detach(&sb, NULL);
}

/* True once every needle is in the file (polled up to 'secs'). */
static bool file_has(const char *path, const char *const *needles, int secs)
{
	for (int i = 0; i < secs * 10; i++) {
		char *s = slurp(path);
		bool all = true;

		for (const char *const *n = needles; *n; n++)
			all = all && strstr(s, *n);
		free(s);
		if (all)
			return true;
		usleep(100000);
	}
	return false;
}

static int end_bg(int sig)
{
	int st = 0;

	kill(bg_pid, sig);
	for (int i = 0; i < 100; i++) {
		if (waitpid(bg_pid, &st, WNOHANG) == bg_pid) {
			bg_pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		usleep(100000);
	}
	return -2; /* still running after 10 s: fini kills it */
}

/* ---- events ------------------------------------------------------------- */

Test(integration_cpstat, events_json_shows_a_start_on_each_daemon)
{
	char out[300], err[300], start_api[200], start_web[200];
	char *args[] = {"events", "--json", NULL};
	const char *needles[4] = {start_api, start_web, "\"daemon\":\"linux\"",
				  NULL};
	char *text, *errs;

	project(".", "ev");
	snprintf(out, sizeof(out), "%s/events.out", P.dir);
	snprintf(err, sizeof(err), "%s/events.err", P.dir);
	snprintf(start_api, sizeof(start_api),
		 "\"name\":\"%s-api-1\"},\"daemon\":\"windows\"", P.name);
	snprintf(start_web, sizeof(start_web),
		 "\"name\":\"%s-web-1\"},\"daemon\":\"linux\"", P.name);
	bg_pid = spawn(out, err, args);
	usleep(700000); /* the streams open before anything happens */
	up();
	cr_expect(file_has(out, needles, 30), "no start on each daemon");
	text = slurp(out);
	cr_expect(strstr(text, "\"action\":\"start\""), "%s", text);
	cr_expect(strstr(text, "\"service\":\"api\""), "%s", text);
	cr_expect(strstr(text, "\"service\":\"web\""), "%s", text);
	/* compose's own labels are left out of the attributes. */
	cr_expect_null(strstr(text, "com.docker.compose.project"), "%s", text);
	cr_expect_eq(end_bg(SIGINT), 130, "SIGINT ends it cleanly");
	errs = slurp(err);
	cr_expect_str_eq(errs, "", "nothing on stderr at SIGINT");
	free(text);
	free(errs);
}

Test(integration_cpstat, events_name_a_daemon_that_dies_and_go_on)
{
	char out[300], err[300], env[200];
	char *args[] = {"events", NULL};
	const char *dead[] = {"daemon 'scratch'", NULL};
	const char *later[] = {"container restart ", "(daemon=linux", NULL};
	char *errs;

	project(".", "evd");
	up();
	cr_assert_eq(lab_scratch_up(&S, "cpstatev", NULL), 0);
	snprintf(env, sizeof(env), "%s,os=linux", S.url);
	setenv("MIXCOMPOSE_DAEMON_SCRATCH", env, 1);
	snprintf(out, sizeof(out), "%s/events.out", P.dir);
	snprintf(err, sizeof(err), "%s/events.err", P.dir);
	bg_pid = spawn(out, err, args);
	/* Only the events process knows the scratch daemon. */
	unsetenv("MIXCOMPOSE_DAEMON_SCRATCH");
	usleep(700000);
	cr_assert_eq(lab_scratch_kill(&S, "KILL"), 0);
	cr_expect(file_has(err, dead, 20), "the dead daemon is not named");
	errs = slurp(err);
	/* The others go on: a restart on linux still comes through. */
	cr_assert_eq(mc(NULL, "restart web"), 0);
	cr_expect(file_has(out, later, 20), "no event after the death");
	cr_expect_eq(end_bg(SIGINT), 130);
	cr_expect(strstr(errs, "the event stream failed"), "%s", errs);
	free(errs);
}

/* ---- stats -------------------------------------------------------------- */

/* The object of 'json' (one per line) whose Name is 'name'; NULL. */
static char *json_row(const char *json, const char *name)
{
	char key[160];
	const char *p, *start, *end;

	snprintf(key, sizeof(key), "\"Name\":\"%s\"", name);
	p = strstr(json, key);
	if (!p)
		return NULL;
	for (start = p; start > json && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	return xstrndup(start, end ? (size_t)(end - start) : strlen(start));
}

Test(integration_cpstat, stats_no_stream_json_has_a_row_per_daemon)
{
	struct sbuf out = SBUF_INIT;
	char name[128];
	const char *daemons[2] = {"windows", "linux"},
		   *svcs[2] = {"api", "web"};
	const char *socks[2] = {LAB_WINDOWS_SOCK, LAB_LINUX_SOCK};

	project(".", "st");
	up();
	cr_assert_eq(mc_out(&out, "stats --no-stream --format json"), 0, "%s",
		     out.buf);
	for (int i = 0; i < 2; i++) {
		char want[64], *row, *id;

		snprintf(name, sizeof(name), "%s-%s-1", P.name, svcs[i]);
		row = json_row(out.buf, name);
		cr_assert(row, "no row for %s: %s", name, out.buf);
		snprintf(want, sizeof(want), "\"Daemon\":\"%s\"", daemons[i]);
		cr_expect(strstr(row, want), "%s", row);
		id = lab_inspect(socks[i], name, "{{.Id}}");
		cr_assert(id);
		id[12] = '\0';
		snprintf(want, sizeof(want), "\"ID\":\"%s\"", id);
		cr_expect(strstr(row, want), "%s", row);
		/* A running busybox: one process, some memory, a limit. */
		cr_expect(strstr(row, "\"PIDs\":\"1\""), "%s", row);
		cr_expect(strstr(row, "iB / "), "%s", row);
		free(id);
		free(row);
	}
	cr_expect_eq(mc_out(&out, "stats --no-stream web"), 0);
	cr_expect(strstr(out.buf, "CONTAINER ID   NAME"), "%s", out.buf);
	cr_expect(strstr(out.buf, "DAEMON"), "%s", out.buf);
	cr_expect_null(strstr(out.buf, "-api-1"), "only web: %s", out.buf);
	sbuf_release(&out);
}

/*
 * Without --no-stream, as compose v2 (docker stats following the events):
 * containers that start after stats began get their rows, on each daemon.
 */
Test(integration_cpstat, stats_stream_picks_up_containers_started_later)
{
	char out[300], err[300], name[2][200];
	char *args[] = {"stats", "--format", "json", NULL};
	const char *daemons[2] = {"windows", "linux"},
		   *svcs[2] = {"api", "web"};
	struct sbuf o = SBUF_INIT;
	char *text, *errs;

	project(".", "stf");
	up();
	cr_assert_eq(mc(&o, "stop -t 0"), 0, "%s", o.buf);
	snprintf(out, sizeof(out), "%s/stats.out", P.dir);
	snprintf(err, sizeof(err), "%s/stats.err", P.dir);
	bg_pid = spawn(out, err, args);
	usleep(1500000); /* its streams are open, its first table drawn */
	text = slurp(out);
	cr_expect_null(strstr(text, "\"Name\""), "nothing runs yet: %s", text);
	free(text);
	cr_assert_eq(mc(&o, "start"), 0, "%s", o.buf);
	for (int i = 0; i < 2; i++) {
		const char *needle[2] = {name[i], NULL};
		char want[200], *row;

		snprintf(name[i], sizeof(name[i]), "\"Name\":\"%s-%s-1\"",
			 P.name, svcs[i]);
		cr_expect(file_has(out, needle, 20), "no row for %s", name[i]);
		text = slurp(out);
		snprintf(want, sizeof(want), "%s-%s-1", P.name, svcs[i]);
		row = json_row(text, want);
		snprintf(want, sizeof(want), "\"Daemon\":\"%s\"", daemons[i]);
		cr_expect(row && strstr(row, want), "%s", row ? row : text);
		free(row);
		free(text);
	}
	cr_expect_eq(end_bg(SIGINT), 130, "SIGINT ends it");
	errs = slurp(err);
	cr_expect_str_eq(errs, "", "nothing on stderr");
	free(errs);
	sbuf_release(&o);
}

/* ---- attach ------------------------------------------------------------- */

Test(integration_cpstat, attach_gets_output_and_the_exit_code)
{
	struct sbuf out = SBUF_INIT;
	int rc;

	project("attach", "at");
	up();
	/* stdin reaches 'echo' on the windows stand-in; its answers come
	 * back, and its exit code is ours. */
	rc = lab_sh(&out,
		    "cd '%s' && (printf 'one\\n'; sleep 1; printf 'quit\\n'; "
		    "sleep 3) | timeout 30 %s -p %s attach echo",
		    P.dir, MIXCOMPOSE_BIN, P.name);
	cr_expect_eq(rc, 7, "%s", out.buf);
	cr_expect(strstr(out.buf, "got:one\ngot:quit\n"), "%s", out.buf);
	/* SIGINT goes to 'tick' on linux (--sig-proxy), which exits 3. */
	sbuf_reset(&out);
	rc = lab_sh(&out,
		    "cd '%s' && timeout --preserve-status -s INT 2 %s -p %s "
		    "attach --no-stdin tick",
		    P.dir, MIXCOMPOSE_BIN, P.name);
	cr_expect_eq(rc, 3, "%s", out.buf);
	cr_expect(strstr(out.buf, "tick\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, "sigint\n"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cpstat, attach_without_sig_proxy_leaves_it_running)
{
	struct sbuf out = SBUF_INIT;
	char name[128], *state;
	int rc;

	project("attach", "at2");
	up();
	rc = lab_sh(&out,
		    "cd '%s' && timeout --preserve-status -s INT 2 %s -p %s "
		    "attach --no-stdin --sig-proxy=false tick",
		    P.dir, MIXCOMPOSE_BIN, P.name);
	cr_expect_eq(rc, 130, "%s", out.buf);
	cr_expect(strstr(out.buf, "tick\n"), "%s", out.buf);
	snprintf(name, sizeof(name), "%s-tick-1", P.name);
	state = lab_inspect(LAB_LINUX_SOCK, name, "{{.State.Status}}");
	cr_expect_str_eq(state ? state : "", "running");
	free(state);
	cr_expect_eq(mc(&out, "attach --index 2 tick"), 1);
	cr_expect(strstr(out.buf, "no running container 2"), "%s", out.buf);
	sbuf_release(&out);
}

/* ---- cp ----------------------------------------------------------------- */

/* `docker exec NAME stat -c FMT PATH` on 'sock', trimmed. */
static char *in_container(const char *sock, const char *name, const char *cmd)
{
	struct sbuf out = SBUF_INIT;

	lab_docker(&out, sock, "exec %s %s", name, cmd);
	while (out.len && (out.buf[out.len - 1] == '\n'))
		out.buf[--out.len] = '\0';
	return sbuf_detach(&out, NULL);
}

Test(integration_cpstat, cp_both_ways_on_each_daemon_keeps_modes)
{
	const char *svcs[2] = {"api", "web"};
	const char *socks[2] = {LAB_WINDOWS_SOCK, LAB_LINUX_SOCK};
	struct sbuf out = SBUF_INIT;

	project(".", "cp");
	up();
	cr_assert_eq(lab_sh(NULL,
			    "cd '%s' && mkdir -p src/sub && printf hi > "
			    "src/run.sh && chmod 751 src/run.sh && printf x > "
			    "src/sub/g && chmod 640 src/sub/g && chown "
			    "1234:2345 src/sub/g",
			    P.dir),
		     0);
	for (int i = 0; i < 2; i++) {
		char name[128], *v;

		snprintf(name, sizeof(name), "%s-%s-1", P.name, svcs[i]);
		/* Into the container: a directory into /tmp, a file under a
		 * new name, and -a keeps the owners. */
		cr_assert_eq(mc(&out, "cp src %s:/tmp/", svcs[i]), 0, "%s",
			     out.buf);
		cr_expect(strstr(out.buf, "Copied"), "%s", out.buf);
		cr_assert_eq(
			mc(&out, "cp src/run.sh %s:/tmp/other.sh", svcs[i]), 0,
			"%s", out.buf);
		cr_assert_eq(mc(&out, "cp -a src %s:/tmp/kept", svcs[i]), 0,
			     "%s", out.buf);
		v = in_container(socks[i], name,
				 "stat -c '%a %u:%g' /tmp/src/run.sh "
				 "/tmp/src/sub/g /tmp/other.sh "
				 "/tmp/kept/sub/g");
		cr_expect_str_eq(v, "751 0:0\n640 0:0\n751 0:0\n640 1234:2345",
				 "%s on %s", name, svcs[i]);
		free(v);
		/* Out of it: the tree back, and a file under a new name. */
		cr_assert_eq(lab_sh(NULL, "rm -rf '%s/back' && mkdir '%s/back'",
				    P.dir, P.dir),
			     0);
		cr_assert_eq(mc(&out, "cp %s:/tmp/src back/", svcs[i]), 0, "%s",
			     out.buf);
		cr_assert_eq(mc(&out, "cp %s:/tmp/other.sh back/o.sh", svcs[i]),
			     0, "%s", out.buf);
		sbuf_reset(&out);
		cr_assert_eq(lab_sh(&out,
				    "cd '%s/back' && stat -c '%%a %%s' "
				    "src/run.sh src/sub/g o.sh",
				    P.dir),
			     0);
		cr_expect_str_eq(out.buf, "751 2\n640 1\n751 2\n", "%s",
				 svcs[i]);
	}
	/* A path the container lacks is the daemon's error, named. */
	cr_expect_eq(mc(&out, "cp web:/nope back/"), 1);
	cr_expect(strstr(out.buf, "(linux)") && strstr(out.buf, "/nope"), "%s",
		  out.buf);
	sbuf_release(&out);
}
