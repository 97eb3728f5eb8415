/*
 * rm, kill, pause, unpause, port, images, top, ls and create against the
 * real lab (lab/mixlab up), each on a two-daemon project: 'api' on the
 * Windows stand-in, 'web' on Linux.  Each test copies a fixture of
 * tests/fixtures/cmds into a temporary directory and runs the binary under
 * a project name of its own; the fini hook runs `down -v -t 0` and checks
 * with the docker CLI that nothing labelled with the project is left on
 * either daemon, even after a failure.  What mixcompose says is checked
 * against what the docker CLI (another client) says of each daemon.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

#define CMDS_FIXTURES TEST_FIXTURES_DIR "/cmds/"

static struct lab_project P;
static char api_ctr[96], web_ctr[96]; /* the containers' names */

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)
#define mc_out(out, ...) lab_mc_stdout(&P, out, __VA_ARGS__)
#define mc_in(out, input, ...) lab_mc_input(&P, out, input, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
}

/* Copies tests/fixtures/cmds/<fixture>/compose.yaml to a temp dir. */
static void project(const char *fixture, const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "icmd2", tag), 0);
	snprintf(api_ctr, sizeof(api_ctr), "%s-api-1", P.name);
	snprintf(web_ctr, sizeof(web_ctr), "%s-web-1", P.name);
	cr_assert_eq(lab_sh(NULL, "cp '%s%s/compose.yaml' '%s/'", CMDS_FIXTURES,
			    fixture, P.dir),
		     0);
}

static void fini(void)
{
	unsetenv("MIXCOMPOSE_DAEMON_GHOST");
	if (P.name[0])
		mc(NULL, "unpause");
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_cmds2, .init = setup, .fini = fini, .timeout = 180);

static void up(void)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	sbuf_release(&out);
}

/* `docker inspect -f TEMPLATE NAME` on 'sock', trimmed; "" if missing. */
static char *inspect(const char *sock, const char *name, const char *tmpl)
{
	char *v = lab_inspect(sock, name, tmpl);

	return v ? v : xstrdup("");
}

static void expect_states(const char *api, const char *web)
{
	char *a = inspect(LAB_WINDOWS_SOCK, api_ctr, "{{.State.Status}}");
	char *w = inspect(LAB_LINUX_SOCK, web_ctr, "{{.State.Status}}");

	cr_expect_str_eq(a, api, "api on windows");
	cr_expect_str_eq(w, web, "web on linux");
	free(a);
	free(w);
}

static bool exists(const char *sock, const char *name)
{
	char *id = inspect(sock, name, "{{.Id}}");
	bool yes = *id != '\0';

	free(id);
	return yes;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- create, up --no-start ---------------------------------------------- */

Test(integration_cmds2, create_makes_containers_on_both_daemons_unstarted)
{
	struct sbuf out = SBUF_INIT;

	project(".", "create");
	cr_assert_eq(mc(&out, "create --progress plain"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "(windows)  Created"), "%s", out.buf);
	cr_expect(!strstr(out.buf, "Started"), "%s", out.buf);
	expect_states("created", "created");
	/* up --no-start on created containers changes nothing. */
	cr_assert_eq(mc(&out, "up --no-start --progress quiet"), 0, "%s",
		     out.buf);
	expect_states("created", "created");
	cr_assert_eq(mc(&out, "start"), 0, "%s", out.buf);
	expect_states("running", "running");
	sbuf_release(&out);
}

Test(integration_cmds2, create_with_force_recreate_replaces_containers)
{
	struct sbuf out = SBUF_INIT;
	char *before, *after;

	project(".", "recreate");
	cr_assert_eq(mc(&out, "create --progress quiet"), 0, "%s", out.buf);
	before = inspect(LAB_WINDOWS_SOCK, api_ctr, "{{.Id}}");
	cr_assert_eq(mc(&out, "create --force-recreate --progress quiet api"),
		     0, "%s", out.buf);
	after = inspect(LAB_WINDOWS_SOCK, api_ctr, "{{.Id}}");
	cr_expect(*after && strcmp(before, after) != 0, "%s -> %s", before,
		  after);
	expect_states("created", "created");
	free(before);
	free(after);
	sbuf_release(&out);
}

/* ---- pause, unpause, kill ------------------------------------------------ */

Test(integration_cmds2, pause_and_unpause_on_both_daemons)
{
	struct sbuf out = SBUF_INIT;

	project(".", "pause");
	up();
	cr_assert_eq(mc(&out, "pause api"), 0, "%s", out.buf);
	expect_states("paused", "running");
	cr_assert_eq(mc(&out, "pause"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "(linux)  Paused"), "%s", out.buf);
	cr_expect(!strstr(out.buf, "(windows)  Paused"), "paused twice: %s",
		  out.buf);
	expect_states("paused", "paused");
	cr_assert_eq(mc_out(&out, "ps"), 0);
	cr_expect(strstr(out.buf, "(Paused)"), "%s", out.buf);
	cr_assert_eq(mc(&out, "unpause"), 0, "%s", out.buf);
	expect_states("running", "running");
	sbuf_release(&out);
}

Test(integration_cmds2, kill_by_service_then_all_with_a_signal)
{
	struct sbuf out = SBUF_INIT;
	char *code;

	project(".", "kill");
	up();
	cr_assert_eq(mc(&out, "kill -s SIGKILL web"), 0, "%s", out.buf);
	expect_states("running", "exited");
	cr_assert_eq(mc(&out, "kill --signal KILL"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "(windows)  Killed"), "%s", out.buf);
	expect_states("exited", "exited");
	code = inspect(LAB_WINDOWS_SOCK, api_ctr, "{{.State.ExitCode}}");
	cr_expect_str_eq(code, "137");
	free(code);
	cr_assert_eq(mc(&out, "kill"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "no container to kill"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmds2, kill_with_a_bad_signal_is_the_daemons_error)
{
	struct sbuf out = SBUF_INIT;

	project(".", "killbad");
	up();
	cr_assert_eq(mc(&out, "kill -s NOSUCHSIG api"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "daemon 'windows': POST"), "%s", out.buf);
	expect_states("running", "running");
	sbuf_release(&out);
}

/* ---- rm ---------------------------------------------------------------- */

Test(integration_cmds2, rm_asks_and_removes_only_stopped_containers)
{
	struct sbuf out = SBUF_INIT;

	project(".", "rm");
	up();
	cr_assert_eq(mc(&out, "rm -f"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "No stopped containers"), "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 2);
	cr_assert_eq(mc(&out, "stop -t 0"), 0, "%s", out.buf);
	/* No terminal and no answer: compose v2 takes that as no. */
	cr_assert_eq(mc_in(&out, NULL, "rm"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "Going to remove "), "%s", out.buf);
	cr_expect(strstr(out.buf, api_ctr) && strstr(out.buf, web_ctr), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "Are you sure? [yN]"), "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 2,
		     "removed without a yes");
	cr_assert_eq(mc_in(&out, "n\n", "rm"), 0, "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 2,
		     "removed after a no");
	/* A yes on stdin, for one service: api, on the other daemon. */
	cr_assert_eq(mc_in(&out, "y\n", "rm api"), 0, "%s", out.buf);
	cr_expect(!exists(LAB_WINDOWS_SOCK, api_ctr), "api still there");
	cr_expect(exists(LAB_LINUX_SOCK, web_ctr), "web removed too");
	cr_assert_eq(mc(&out, "rm -f -v"), 0, "%s", out.buf);
	cr_expect(!strstr(out.buf, "Are you sure"), "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	sbuf_release(&out);
}

Test(integration_cmds2, rm_stop_first_removes_running_containers)
{
	struct sbuf out = SBUF_INIT;

	project(".", "rms");
	up();
	cr_assert_eq(mc(&out, "rm -s -f"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "(windows)  Stopped"), "%s", out.buf);
	cr_expect(strstr(out.buf, "(windows)  Removed"), "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	/* The networks stay, as with compose: down removes them. */
	cr_expect_eq(lab_leftovers(P.name, "network"), 2);
	sbuf_release(&out);
}

/* ---- port ---------------------------------------------------------------- */

/* `docker port NAME SPEC` on 'sock': its first line. */
static char *docker_port(const char *sock, const char *name, const char *spec)
{
	struct sbuf out = SBUF_INIT;
	char *nl;

	cr_assert_eq(lab_docker(&out, sock, "port %s %s", name, spec), 0, "%s",
		     out.buf);
	nl = strchr(out.buf, '\n');
	if (nl)
		*nl = '\0';
	return sbuf_detach(&out, NULL);
}

Test(integration_cmds2, port_gives_each_daemons_own_mapping)
{
	struct sbuf out = SBUF_INIT;
	char *want;

	project("ports", "port");
	up();
	cr_assert_eq(mc_out(&out, "port api 8080"), 0, "%s", out.buf);
	want = docker_port(LAB_WINDOWS_SOCK, api_ctr, "8080/tcp");
	cr_expect(!strncmp(want, "127.0.0.1:", 10), "%s", want);
	cr_expect(out.len && !strncmp(out.buf, want, out.len - 1) &&
			  out.buf[out.len - 1] == '\n',
		  "mixcompose '%s', docker '%s'", out.buf, want);
	free(want);
	cr_assert_eq(mc_out(&out, "port --protocol udp api 5353"), 0);
	want = docker_port(LAB_WINDOWS_SOCK, api_ctr, "5353/udp");
	cr_expect(out.len && !strncmp(out.buf, want, out.len - 1), "%s / %s",
		  out.buf, want);
	free(want);
	cr_assert_eq(mc_out(&out, "port --index 1 web 8080"), 0);
	want = docker_port(LAB_LINUX_SOCK, web_ctr, "8080/tcp");
	cr_expect(out.len && !strncmp(out.buf, want, out.len - 1), "%s / %s",
		  out.buf, want);
	free(want);
	sbuf_release(&out);
}

Test(integration_cmds2, port_errors_name_the_container)
{
	struct sbuf out = SBUF_INIT;

	project("ports", "porterr");
	up();
	cr_assert_eq(mc(&out, "port web 9999"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "no port 9999/tcp") &&
			  strstr(out.buf, web_ctr),
		  "%s", out.buf);
	cr_assert_eq(mc(&out, "port --protocol udp web 8080"), 1);
	cr_assert_eq(mc(&out, "port --index 2 api 8080"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "no container found for api-2"), "%s",
		  out.buf);
	cr_assert_eq(mc(&out, "port nosuch 8080"), 1, "%s", out.buf);
	cr_assert_eq(mc(&out, "stop -t 0 web"), 0, "%s", out.buf);
	cr_assert_eq(mc(&out, "port web 8080"), 1, "a stopped container");
	sbuf_release(&out);
}

/* ---- images -------------------------------------------------------------- */

/* The JSON object of images --format json whose ContainerName is 'name'. */
static char *image_object(const char *json, const char *name)
{
	char key[160];
	const char *at, *start, *end;

	snprintf(key, sizeof(key), "\"ContainerName\":\"%s\"", name);
	at = strstr(json, key);
	if (!at)
		return NULL;
	for (start = at; start > json && *start != '{'; start--)
		;
	end = strchr(at, '}');
	return end ? strndup(start, (size_t)(end - start + 1)) : NULL;
}

static void expect_image(const char *json,
			 const char *name,
			 const char *sock,
			 const char *daemon)
{
	char *o = image_object(json, name);
	char *id = inspect(sock, name, "{{.Image}}");
	char want[160];

	cr_assert_not_null(o, "%s", json);
	snprintf(want, sizeof(want), "\"ID\":\"%s\"", id);
	cr_expect(*id && strstr(o, want), "%s has not %s", o, want);
	snprintf(want, sizeof(want), "\"Daemon\":\"%s\"", daemon);
	cr_expect(strstr(o, want), "%s", o);
	cr_expect(strstr(o, "\"Repository\":\"local/busybox\",\"Tag\":\"lab\""),
		  "%s", o);
	cr_expect(strstr(o, "\"Size\":") && !strstr(o, "\"Size\":0,"), "%s", o);
	free(id);
	free(o);
}

Test(integration_cmds2, images_come_from_each_containers_daemon)
{
	struct sbuf out = SBUF_INIT;
	char *id;

	project(".", "images");
	up();
	cr_assert_eq(mc_out(&out, "images --format json"), 0, "%s", out.buf);
	/* Each daemon imported the lab image itself: two different ids. */
	expect_image(out.buf, api_ctr, LAB_WINDOWS_SOCK, "windows");
	expect_image(out.buf, web_ctr, LAB_LINUX_SOCK, "linux");

	cr_assert_eq(mc_out(&out, "images"), 0, "%s", out.buf);
	cr_expect(!strncmp(out.buf, "CONTAINER", 9) &&
			  strstr(out.buf, "DAEMON") &&
			  strstr(out.buf, "IMAGE ID") &&
			  strstr(out.buf, "SIZE"),
		  "%s", out.buf);
	cr_expect_eq(count_lines(out.buf), 3, "%s", out.buf);
	/* The short id: 12 hex digits, as docker shows it. */
	id = inspect(LAB_LINUX_SOCK, web_ctr, "{{.Image}}");
	cr_assert_gt(strlen(id), 19, "%s", id);
	cr_expect_null(strstr(out.buf, id + 7), "%s", out.buf);
	id[19] = '\0';
	cr_expect(strstr(out.buf, id + 7), "short id %s in %s", id, out.buf);
	free(id);

	cr_assert_eq(mc_out(&out, "images -q web"), 0, "%s", out.buf);
	id = inspect(LAB_LINUX_SOCK, web_ctr, "{{.Image}}");
	cr_expect_eq(count_lines(out.buf), 1, "%s", out.buf);
	cr_expect(!strncmp(out.buf, id + 7, 64), "%s vs %s", out.buf, id);
	free(id);
	sbuf_release(&out);
}

/* ---- top ----------------------------------------------------------------- */

/* The line of 'text' that starts with 'prefix' (a copy), or NULL. */
static char *line_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');

		if (!strncmp(p, prefix, n))
			return strndup(p, end ? (size_t)(end - p) : strlen(p));
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

Test(integration_cmds2, top_shows_both_daemons_processes)
{
	struct sbuf out = SBUF_INIT;
	char *api, *web, *pid;

	project(".", "top");
	up();
	cr_assert_eq(mc_out(&out, "top"), 0, "%s", out.buf);
	cr_expect(!strncmp(out.buf, "SERVICE  #   DAEMON", 19), "%s", out.buf);
	api = line_starting(out.buf, "api ");
	web = line_starting(out.buf, "web ");
	cr_assert(api && web, "%s", out.buf);
	cr_expect(strstr(api, " windows ") && strstr(api, "sleep 3600"), "%s",
		  api);
	cr_expect(strstr(web, " linux ") && strstr(web, "sleep 3600"), "%s",
		  web);
	/* The PID is the host's, as docker inspect gives it. */
	pid = inspect(LAB_LINUX_SOCK, web_ctr, "{{.State.Pid}}");
	cr_expect(*pid && strstr(web, pid), "pid %s in %s", pid, web);
	free(pid);
	free(api);
	free(web);
	cr_assert_eq(mc_out(&out, "top web"), 0, "%s", out.buf);
	api = line_starting(out.buf, "api ");
	cr_expect_null(api, "%s", out.buf);
	free(api);
	cr_assert_eq(mc(&out, "stop -t 0"), 0, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "top"), 0, "%s", out.buf);
	cr_expect_eq(out.len, 0, "nothing runs: %s", out.buf);
	sbuf_release(&out);
}

/* ---- ls ------------------------------------------------------------------ */

/* ls --format json's object for the project, or NULL. */
static char *ls_object(const char *json)
{
	char key[128];
	const char *at, *end;

	snprintf(key, sizeof(key), "{\"Name\":\"%s\"", P.name);
	at = strstr(json, key);
	end = at ? strchr(at, '}') : NULL;
	return end ? strndup(at, (size_t)(end - at + 1)) : NULL;
}

Test(integration_cmds2, ls_finds_the_project_on_both_daemons)
{
	struct sbuf out = SBUF_INIT;
	char want[512];
	char *o;

	project(".", "ls");
	up();
	cr_assert_eq(mc_out(&out, "ls --format json"), 0, "%s", out.buf);
	o = ls_object(out.buf);
	cr_assert_not_null(o, "%s", out.buf);
	cr_expect(strstr(o, "\"Status\":\"running(2)\""), "%s", o);
	cr_expect(strstr(o, "\"Daemons\":\"linux,windows\""), "%s", o);
	snprintf(want, sizeof(want), "\"ConfigFiles\":\"%s/compose.yaml\"",
		 P.dir);
	cr_expect(strstr(o, want), "%s", o);
	free(o);

	cr_assert_eq(mc_out(&out, "ls -q --filter name=%s", P.name), 0);
	snprintf(want, sizeof(want), "%s\n", P.name);
	cr_expect_str_eq(out.buf, want);

	cr_assert_eq(mc(&out, "stop -t 0 web"), 0, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "ls --format json"), 0);
	o = ls_object(out.buf);
	cr_expect(o && strstr(o, "\"Status\":\"running(1)\"") &&
			  strstr(o, "\"Daemons\":\"windows\""),
		  "%s", out.buf);
	free(o);
	cr_assert_eq(mc(&out, "stop -t 0"), 0, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "ls --format json"), 0);
	o = ls_object(out.buf);
	cr_expect_null(o, "a stopped project without --all: %s", out.buf);
	free(o);
	cr_assert_eq(mc_out(&out, "ls --all --format json"), 0);
	o = ls_object(out.buf);
	cr_expect(o && strstr(o, "\"Status\":\"exited(2)\""), "%s", out.buf);
	free(o);
	cr_assert_eq(mc_out(&out, "ls -a"), 0);
	cr_expect(!strncmp(out.buf, "NAME", 4) &&
			  strstr(out.buf, "CONFIG FILES") &&
			  strstr(out.buf, "DAEMONS"),
		  "%s", out.buf);
	o = line_starting(out.buf, P.name);
	cr_expect(o && strstr(o, "exited(2)") && strstr(o, "linux,windows"),
		  "%s", out.buf);
	free(o);
	sbuf_release(&out);
}

/* ---- A daemon down: the runner's one message and exit status ----------- */

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

#define GHOST_MSG "daemon 'ghost' is not reachable"

/*
 * A third daemon in the map that does not answer: ls, logs and logs -f
 * show what the two lab daemons have and name the ghost once; no request
 * of theirs failed, so the status is 0 (the runner's rule).
 */
Test(integration_cmds2, ls_and_logs_name_a_daemon_that_is_down)
{
	struct sbuf out = SBUF_INIT;
	char want[160];

	project(".", "ghost");
	up();
	setenv("MIXCOMPOSE_DAEMON_GHOST",
	       "unix://" LAB_RUN_DIR "/no-such-ghost.sock,os=linux", 1);
	cr_expect_eq(mc(&out, "ls -q --filter name=%s", P.name), 0, "%s",
		     out.buf);
	snprintf(want, sizeof(want), "%s\n", P.name);
	cr_expect(strstr(out.buf, want), "the others' projects: %s", out.buf);
	cr_expect_eq(occurrences(out.buf, GHOST_MSG), 1, "%s", out.buf);

	cr_expect_eq(mc(&out, "logs --no-color"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "| api-ready") &&
			  strstr(out.buf, "| web-ready"),
		  "%s", out.buf);
	cr_expect_eq(occurrences(out.buf, GHOST_MSG), 1, "%s", out.buf);

	/* -f: it follows the others until they stop. */
	sbuf_reset(&out);
	lab_sh(&out,
	       "cd '%s' && (sleep 2; %s -p %s stop -t 0 >/dev/null 2>&1) & "
	       "cd '%s' && timeout 30 %s -p %s logs -f --no-color 2>&1; "
	       "echo rc=$?; wait",
	       P.dir, MIXCOMPOSE_BIN, P.name, P.dir, MIXCOMPOSE_BIN, P.name);
	cr_expect(strstr(out.buf, "| api-ready"), "%s", out.buf);
	cr_expect(strstr(out.buf, "rc=0\n"), "%s", out.buf);
	cr_expect_eq(occurrences(out.buf, GHOST_MSG), 1, "%s", out.buf);
	unsetenv("MIXCOMPOSE_DAEMON_GHOST");
	sbuf_release(&out);
}

Test(integration_cmds2, ls_needs_no_compose_file)
{
	struct sbuf out = SBUF_INIT;
	char want[128];

	project(".", "lsnofile");
	up();
	/* From an empty directory: the daemon map alone. */
	cr_assert_eq(lab_sh(&out, "cd / && %s ls -q --filter name=%s",
			    MIXCOMPOSE_BIN, P.name),
		     0, "%s", out.buf);
	snprintf(want, sizeof(want), "%s\n", P.name);
	cr_expect_str_eq(out.buf, want);
	sbuf_release(&out);
}
