/*
 * The day-2 commands against the real lab (lab/mixlab up): ps, logs,
 * exec, stop/start/restart, plan, graph, hosts (and --sync), pull.  Each
 * test copies tests/fixtures/cmds/<fixture> into a temporary directory,
 * runs the binary as a subprocess under a project name of its own, and
 * its fini hook runs `down -v -t 0`, then checks with the docker CLI
 * (another client of the same API) that nothing labelled with the
 * project is left on either daemon, even after a failure.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define CMDS_FIXTURES TEST_FIXTURES_DIR "/cmds/"

static struct lab_project P;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)
#define mc_out(out, ...) lab_mc_stdout(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
}

/* Copies the fixture's compose.yaml into a project directory of its own. */
static void project(const char *fixture, const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "icmd", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp '%s%s/compose.yaml' '%s/'", CMDS_FIXTURES,
			    fixture, P.dir),
		     0);
}

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_cmd, .init = setup, .fini = fini, .timeout = 180);

static void up(void)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	sbuf_release(&out);
}

/* `docker inspect -f TEMPLATE NAME` on 'sock'; the caller frees. */
static char *inspect(const char *sock, const char *name, const char *tmpl)
{
	char *v = lab_inspect(sock, name, tmpl);

	cr_assert_not_null(v, "docker inspect %s", name);
	return v;
}

static void expect_status(const char *status)
{
	char api[96], web[96];
	char *a, *w;

	snprintf(api, sizeof(api), "%s-api-1", P.name);
	snprintf(web, sizeof(web), "%s-web-1", P.name);
	a = inspect(LAB_WINDOWS_SOCK, api, "{{.State.Status}}");
	w = inspect(LAB_LINUX_SOCK, web, "{{.State.Status}}");
	cr_expect_str_eq(a, status, "api on windows");
	cr_expect_str_eq(w, status, "web on linux");
	free(a);
	free(w);
}

/* The JSON object of 'name' in ps --format json output (up to its '}'). */
static char *ps_object(const char *json, const char *name)
{
	char key[128];
	const char *at, *start, *end;

	snprintf(key, sizeof(key), "\"Name\":\"%s\"", name);
	at = strstr(json, key);
	if (!at)
		return NULL;
	for (start = at; start > json && *start != '{'; start--)
		;
	/* Publishers hold objects too: go on to the end of "Address". */
	end = strstr(at, "\"Address\":");
	end = end ? strchr(end + 10, '}') : NULL;
	return end ? strndup(start, (size_t)(end - start + 1)) : NULL;
}

Test(integration_cmd, ps_lists_both_daemons_with_daemon_and_address)
{
	struct sbuf out = SBUF_INIT;
	char name[96];
	char *o;

	project(".", "ps");
	up();
	cr_assert_eq(mc_out(&out, "ps --format json"), 0, "%s", out.buf);
	cr_assert_eq(out.buf[0], '[', "%s", out.buf);
	snprintf(name, sizeof(name), "%s-api-1", P.name);
	o = ps_object(out.buf, name);
	cr_assert_not_null(o, "%s", out.buf);
	cr_expect(strstr(o, "\"Daemon\":\"windows\""), "%s", o);
	cr_expect(strstr(o, "\"Platform\":\"windows/amd64 (stand-in)\""), "%s",
		  o);
	cr_expect(strstr(o, "\"Service\":\"api\""), "%s", o);
	cr_expect(strstr(o, "\"Address\":\"172.30."), "%s", o);
	free(o);
	snprintf(name, sizeof(name), "%s-web-1", P.name);
	o = ps_object(out.buf, name);
	cr_assert_not_null(o, "%s", out.buf);
	cr_expect(strstr(o, "\"Daemon\":\"linux\""), "%s", o);
	cr_expect(strstr(o, "\"State\":\"running\""), "%s", o);
	cr_expect(strstr(o, "\"Address\":\"172.30."), "%s", o);
	free(o);

	cr_assert_eq(mc_out(&out, "ps"), 0);
	cr_expect(strstr(out.buf, "NAME") && strstr(out.buf, "DAEMON") &&
			  strstr(out.buf, "ADDRESS"),
		  "%s", out.buf);
	cr_expect(strstr(out.buf, "(stand-in)"), "%s", out.buf);
	cr_assert_eq(mc_out(&out, "ps --services"), 0);
	cr_expect_str_eq(out.buf, "api\nweb\n");
	cr_assert_eq(mc_out(&out, "ps -q web"), 0);
	cr_expect_eq(strlen(out.buf), 65, "one id: %s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, ps_hides_stopped_containers_without_all)
{
	struct sbuf out = SBUF_INIT;

	project(".", "psa");
	up();
	cr_assert_eq(mc(&out, "stop -t 0 web"), 0, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "ps --services"), 0);
	cr_expect_str_eq(out.buf, "api\n");
	cr_assert_eq(mc_out(&out, "ps -a --services"), 0);
	cr_expect_str_eq(out.buf, "api\nweb\n");
	/* SIGKILL (the service's stop_signal) is exit code 137. */
	cr_assert_eq(mc_out(&out, "ps -a --format json web"), 0);
	cr_expect(strstr(out.buf, "\"State\":\"exited\"") &&
			  strstr(out.buf, "\"ExitCode\":137"),
		  "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, logs_merge_both_daemons_with_prefixes)
{
	struct sbuf out = SBUF_INIT;
	char want[160];

	project(".", "logs");
	up();
	/* Output comes at start; give the daemons' log drivers a moment. */
	for (int i = 0; i < 50; i++) {
		cr_assert_eq(mc_out(&out, "logs --no-color"), 0);
		if (strstr(out.buf, "api-ready") &&
		    strstr(out.buf, "web-ready"))
			break;
		usleep(100 * 1000);
	}
	/* Labels padded to one width: "(linux)" gets two more blanks. */
	snprintf(want, sizeof(want), "%s-api-1 (windows) | api-ready\n",
		 P.name);
	cr_expect(strstr(out.buf, want), "%s", out.buf);
	snprintf(want, sizeof(want), "%s-web-1 (linux)   | web-ready\n",
		 P.name);
	cr_expect(strstr(out.buf, want), "%s", out.buf);

	cr_assert_eq(mc_out(&out, "logs --no-log-prefix api"), 0);
	cr_expect_str_eq(out.buf, "api-ready\n");
	cr_assert_eq(mc_out(&out, "--ansi always logs web"), 0);
	cr_expect(strstr(out.buf, "\033[3"), "no colour: %s", out.buf);
	cr_assert_eq(mc_out(&out, "logs -t --no-log-prefix web"), 0);
	cr_expect(out.buf[4] == '-' && strstr(out.buf, "Z web-ready"), "%s",
		  out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, logs_follow_ends_when_the_containers_stop)
{
	struct sbuf out = SBUF_INIT;
	int rc;

	project(".", "logsf");
	up();
	/* The follower must see the stop and end on its own. */
	rc = lab_sh(
		&out,
		"cd '%s' && (sleep 2; %s -p %s stop -t 0 >/dev/null 2>&1) & "
		"cd '%s' && timeout 30 %s -p %s logs -f --no-color; "
		"echo rc=$?; wait",
		P.dir, MIXCOMPOSE_BIN, P.name, P.dir, MIXCOMPOSE_BIN, P.name);
	cr_assert_eq(rc, 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "| api-ready"), "%s", out.buf);
	cr_expect(strstr(out.buf, "rc=0"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, exec_runs_on_the_services_daemon)
{
	struct sbuf out = SBUF_INIT;
	char name[96];
	char *host;

	project(".", "exec");
	up();
	cr_expect_eq(mc(&out, "exec -T web sh -c 'exit 7'"), 7, "%s", out.buf);
	cr_expect_eq(mc(&out, "exec api true"), 0, "%s", out.buf);
	/* The hostname is the container id's prefix on the daemon that has it.
	 */
	snprintf(name, sizeof(name), "%s-api-1", P.name);
	host = inspect(LAB_WINDOWS_SOCK, name, "{{.Config.Hostname}}");
	cr_assert_eq(mc_out(&out, "exec api hostname"), 0);
	cr_expect(!strncmp(out.buf, host, strlen(host)), "%s vs %s", out.buf,
		  host);
	free(host);
	cr_assert_eq(mc_out(&out, "exec -e X=42 -w /tmp web sh -c "
				  "'echo $X $(pwd)'"),
		     0);
	cr_expect_str_eq(out.buf, "42 /tmp\n");
	cr_assert_eq(mc_out(&out, "exec -u nobody web id -u"), 0);
	cr_expect_str_eq(out.buf, "65534\n");
	/* -d returns before the command is done. */
	cr_assert_eq(mc(&out, "exec -d web sh -c 'sleep 1; touch /tmp/d'"), 0,
		     "%s", out.buf);
	cr_expect_eq(mc(&out, "exec web test -e /tmp/d"), 1, "%s", out.buf);
	sleep(2);
	cr_expect_eq(mc(&out, "exec web test -e /tmp/d"), 0, "%s", out.buf);
	cr_expect_eq(mc(&out, "exec --index 2 web true"), 1, "%s", out.buf);
	cr_expect_eq(mc(&out, "exec nosuch true"), 1, "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, stop_start_restart_on_both_daemons)
{
	struct sbuf out = SBUF_INIT;
	char name[96];
	char *before, *after;

	project(".", "life");
	up();
	cr_assert_eq(mc(&out, "stop -t 0"), 0, "%s", out.buf);
	expect_status("exited");
	/* Stop goes dependents first: web before api. */
	cr_expect(strstr(out.buf, "-web-1 (linux)  Stopped") <
			  strstr(out.buf, "-api-1 (windows)  Stopping"),
		  "%s", out.buf);
	cr_assert_eq(mc(&out, "start"), 0, "%s", out.buf);
	expect_status("running");
	cr_expect(strstr(out.buf, "-api-1 (windows)  Started") <
			  strstr(out.buf, "-web-1 (linux)  Starting"),
		  "%s", out.buf);
	snprintf(name, sizeof(name), "%s-api-1", P.name);
	before = inspect(LAB_WINDOWS_SOCK, name, "{{.State.StartedAt}}");
	cr_assert_eq(mc(&out, "restart -t 0"), 0, "%s", out.buf);
	after = inspect(LAB_WINDOWS_SOCK, name, "{{.State.StartedAt}}");
	cr_expect_str_neq(before, after, "api was not restarted");
	expect_status("running");
	free(before);
	free(after);
	sbuf_release(&out);
}

Test(integration_cmd, plan_is_deterministic_and_names_the_stand_in)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;

	project(".", "plan");
	cr_assert_eq(mc_out(&a, "plan --offline"), 0, "%s", a.buf);
	cr_assert_eq(mc_out(&b, "plan --offline"), 0);
	cr_expect_str_eq(a.buf, b.buf);
	cr_expect(strstr(a.buf, "stand-in for windows"), "%s", a.buf);
	cr_expect(strstr(a.buf, "not asked"), "%s", a.buf);
	cr_assert_eq(mc_out(&a, "plan --format json"), 0, "%s", a.buf);
	cr_assert_eq(mc_out(&b, "plan --format json"), 0);
	cr_expect_str_eq(a.buf, b.buf);
	cr_expect(strstr(a.buf, "\"lab\": true"), "%s", a.buf);
	cr_expect(strstr(a.buf, "\"api\": \"1.41\""), "asked: %s", a.buf);
	cr_assert_eq(mc_out(&a, "plan --format json --offline"), 0);
	cr_expect(strstr(a.buf, "\"lab\": true"), "%s", a.buf);
	/* Nothing was created by planning. */
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	sbuf_release(&a);
	sbuf_release(&b);
}

Test(integration_cmd, plan_falls_back_offline_without_daemons)
{
	struct sbuf out = SBUF_INIT;

	project(".", "planoff");
	setenv("MIXCOMPOSE_DAEMON_LINUX", "unix:///nonexistent/l.sock,os=linux",
	       1);
	setenv("MIXCOMPOSE_DAEMON_WINDOWS",
	       "unix:///nonexistent/w.sock,os=windows,lab=true", 1);
	cr_assert_eq(mc(&out, "plan"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "warning: no daemon is reachable"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "create"), "%s", out.buf);
	sbuf_release(&out);
}

/*
 * Issue 14 made the day-two commands ask less (one ping, no /info) but
 * kept their checks: with the project up, a "windows" daemon that is
 * really the lab's Linux one (no lab: true) is refused by name, and so is
 * a stopped one, by every command; `up` starts nothing, and what already
 * runs on the good daemon is untouched.
 */
static int mc_with_windows(struct sbuf *out, const char *url, const char *cmd)
{
	return lab_sh(out,
		      "cd '%s' && MIXCOMPOSE_DAEMON_WINDOWS='%s' %s -p %s %s "
		      "2>&1",
		      P.dir, url, MIXCOMPOSE_BIN, P.name, cmd);
}

Test(integration_cmd,
     day_two_commands_keep_the_os_check_and_name_a_stopped_daemon)
{
	static const char *const cmds[] = {
		"ps",  "ls",	      "logs --tail 1", "images",
		"top", "port web 80", "up -d",	       "daemons",
	};
	/* What it says, daemons' REACHABLE column, the others' message. */
	static const struct {
		const char *url, *says, *column, *message;
	} bad[] = {
		{LAB_LINUX_URL ",os=windows",
		 "declared os 'windows' but reports 'linux'", " refused ",
		 "cannot be used"},
		{"unix:///nonexistent/mixcompose-w.sock,os=windows",
		 "/nonexistent/mixcompose-w.sock", " no ", "is not reachable"},
	};
	struct sbuf out = SBUF_INIT;
	char web[96];
	char *st;

	project(".", "oscheck");
	up();
	snprintf(web, sizeof(web), "%s-web-1", P.name);
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			int rc = mc_with_windows(&out, bad[b].url, cmds[i]);

			cr_expect(strstr(out.buf, "'windows'"), "%s: %s",
				  cmds[i], out.buf);
			cr_expect(strstr(out.buf, bad[b].says), "%s: %s",
				  cmds[i], out.buf);
			cr_expect(strstr(out.buf, !strcmp(cmds[i], "daemons")
							  ? bad[b].column
							  : bad[b].message),
				  "%s: %s", cmds[i], out.buf);
			if (!strcmp(cmds[i], "up -d") ||
			    !strcmp(cmds[i], "daemons"))
				cr_expect_neq(rc, 0, "%s: %s", cmds[i],
					      out.buf);
			if (!strcmp(cmds[i], "up -d"))
				cr_expect(
					strstr(out.buf, "nothing was started"),
					"%s", out.buf);
		}
		/* The Linux daemon still answers ps, and web still runs. */
		mc_with_windows(&out, bad[b].url, "ps --format json");
		cr_expect(strstr(out.buf, web), "%s", out.buf);
		st = inspect(LAB_LINUX_SOCK, web, "{{.State.Status}}");
		cr_expect_str_eq(st, "running");
		free(st);
	}
	sbuf_release(&out);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(integration_cmd, graph_dot_is_valid_and_mermaid_groups_by_daemon)
{
	struct sbuf out = SBUF_INIT;

	project(".", "graph");
	cr_assert_eq(lab_sh(&out,
			    "cd '%s' && %s -p %s graph --format dot | dot "
			    "-Tsvg >/dev/null",
			    P.dir, MIXCOMPOSE_BIN, P.name),
		     0, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "graph"), 0);
	cr_expect_eq(count(out.buf, "subgraph"), 2, "%s", out.buf);
	cr_expect(strstr(out.buf, "cross-daemon"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, hosts_prints_every_service_with_an_address)
{
	struct sbuf out = SBUF_INIT;

	project(".", "hosts");
	up();
	cr_assert_eq(mc_out(&out, "hosts"), 0);
	cr_expect(strstr(out.buf, "\n  api ") && strstr(out.buf, "\n  web "),
		  "%s", out.buf);
	cr_expect_geq(count(out.buf, "172.30."), 4, "%s", out.buf);
	cr_assert_eq(mc_out(&out, "hosts --format json"), 0);
	cr_expect(strstr(out.buf, "\"name\": \"api\",\n      \"kind\": "
				  "\"service\""),
		  "%s", out.buf);
	cr_expect_eq(count(out.buf, "\"address\": null"), 0, "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, hosts_sync_repairs_a_tampered_hosts_file)
{
	struct sbuf out = SBUF_INIT;

	project(".", "sync");
	up();
	cr_assert_eq(mc(&out, "exec web grep -qw api /etc/hosts"), 0, "%s",
		     out.buf);
	cr_assert_eq(mc_out(&out, "hosts --sync"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "-web-1 (linux): up to date"), "%s", out.buf);
	/* Take the peer's line out, in place (/etc/hosts is a bind mount). */
	cr_assert_eq(mc(&out, "exec web sh -c \"grep -v api /etc/hosts > "
			      "/tmp/h && cat /tmp/h > /etc/hosts\""),
		     0, "%s", out.buf);
	cr_assert_eq(mc(&out, "exec web grep -q api /etc/hosts"), 1);
	cr_assert_eq(mc_out(&out, "hosts --sync"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "-web-1 (linux): hosts block written"), "%s",
		  out.buf);
	cr_assert_eq(mc_out(&out, "exec web cat /etc/hosts"), 0);
	cr_expect(strstr(out.buf, "# mixcompose begin\n") &&
			  strstr(out.buf, " api ") &&
			  strstr(out.buf, "# mixcompose end\n"),
		  "%s", out.buf);
	/* And the name works again. */
	cr_expect_eq(mc(&out, "exec web ping -c 1 -W 2 api"), 0, "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, pull_reports_the_daemons_error_per_service)
{
	struct sbuf out = SBUF_INIT;

	project("pull", "pull");
	cr_assert_eq(mc(&out, "pull"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "have (windows): local/busybox:lab  Skipped"),
		  "%s", out.buf);
	/* A registry on a closed loopback port: the daemon's own error. */
	cr_expect(strstr(out.buf, "nope (linux): 127.0.0.1:1/nope:lab: daemon "
				  "'linux': POST"),
		  "%s", out.buf);
	cr_expect(strstr(out.buf, "connection refused"), "%s", out.buf);
	cr_expect_eq(mc(&out, "pull --ignore-pull-failures -q"), 0, "%s",
		     out.buf);
	cr_expect(strstr(out.buf, "warning: nope (linux)"), "%s", out.buf);
	cr_expect_eq(mc(&out, "pull have"), 0, "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_cmd, lab_sample_plan_is_deterministic)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	const char *dir = SOURCE_DIR "/samples/lab";

	/* Planning only reads: the sample is used in place. */
	cr_assert_eq(lab_sh(&a, "cd '%s' && %s plan --offline 2>&1", dir,
			    MIXCOMPOSE_BIN),
		     0, "%s", a.buf);
	cr_assert_eq(lab_sh(&b, "cd '%s' && %s plan --offline 2>&1", dir,
			    MIXCOMPOSE_BIN),
		     0);
	cr_expect_str_eq(a.buf, b.buf);
	cr_expect(strstr(a.buf, "stand-in for windows"), "%s", a.buf);
	sbuf_reset(&a);
	sbuf_reset(&b);
	cr_assert_eq(lab_sh(&a, "cd '%s' && %s plan --format json 2>/dev/null",
			    dir, MIXCOMPOSE_BIN),
		     0, "%s", a.buf);
	cr_assert_eq(lab_sh(&b, "cd '%s' && %s plan --format json 2>/dev/null",
			    dir, MIXCOMPOSE_BIN),
		     0);
	cr_expect_str_eq(a.buf, b.buf);
	cr_expect(strstr(a.buf, "\"lab\": true"), "%s", a.buf);
	sbuf_reset(&a);
	cr_expect_eq(lab_sh(&a,
			    "cd '%s' && %s graph --format dot | dot -Tsvg "
			    ">/dev/null",
			    dir, MIXCOMPOSE_BIN),
		     0, "%s", a.buf);
	sbuf_release(&a);
	sbuf_release(&b);
}

Test(integration_cmd, logs_of_a_tty_container_are_raw_lines)
{
	struct sbuf out = SBUF_INIT;
	char want[256];

	project("tty", "tty");
	up();
	for (int i = 0; i < 50; i++) {
		cr_assert_eq(mc_out(&out, "logs --no-color"), 0);
		if (strstr(out.buf, "tty-two"))
			break;
		usleep(100 * 1000);
	}
	snprintf(want, sizeof(want),
		 "%s-t-1 (linux) | tty-one\n%s-t-1 (linux) | tty-two\n", P.name,
		 P.name);
	cr_expect_str_eq(out.buf, want);
	sbuf_release(&out);
}
