/*
 * The day-2 commands' options, run as processes: --help, and usage errors
 * (exit 2) found before any daemon is asked.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/sbuf.h"

#define FIXTURE_CMDS TEST_FIXTURES_DIR "/cmds/compose.yaml"

/* Runs MIXCOMPOSE_BIN with argv; stdout into 'out'; returns the status. */
static int run(struct sbuf *out, const char *const *args)
{
	char *argv[32] = {MIXCOMPOSE_BIN};
	char buf[4096];
	int fd[2], st;
	ssize_t n;
	pid_t pid;
	size_t i;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = (char *)args[i];
	cr_assert_eq(pipe(fd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (!pid) {
		int dn = open("/dev/null", O_RDWR);

		dup2(fd[1], 1);
		dup2(dn, 2);
		dup2(dn, 0);
		close(fd[0]);
		/* No daemon may be asked: point every one at nothing. */
		setenv("DOCKER_HOST", "unix:///nonexistent/mixc.sock", 1);
		unsetenv("MIXCOMPOSE_DAEMON_LINUX");
		unsetenv("MIXCOMPOSE_DAEMON_WINDOWS");
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0)
		sbuf_add(out, buf, (size_t)n);
	close(fd[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void expect_help(const char *cmd)
{
	struct sbuf out = SBUF_INIT;
	const char *args[] = {cmd, "--help", NULL};
	char want[64];

	cr_assert_eq(run(&out, args), 0, "%s --help", cmd);
	snprintf(want, sizeof(want), "usage: mixcompose %s ", cmd);
	cr_assert(!strncmp(out.buf, want, strlen(want)), "%s: %s", cmd,
		  out.buf);
	sbuf_release(&out);
}

Test(cli_cmd_options, every_command_has_help)
{
	static const char *const cmds[] = {
		"ps",	"logs",	   "plan", "hosts", "exec",  "start",
		"stop", "restart", "pull", "run",   "build", "translate"};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		expect_help(cmds[i]);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_usage(const char *const *args)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(run(&out, args), 2, "%s %s", args[0],
		     args[1] ? args[1] : "");
	sbuf_release(&out);
}

Test(cli_cmd_options, bad_formats_are_usage_errors)
{
	expect_usage((const char *[]){"ps", "--format", "xml", NULL});
	expect_usage((const char *[]){"plan", "--format", "yaml", NULL});
	expect_usage((const char *[]){"hosts", "--format", "csv", NULL});
}

Test(cli_cmd_options, bad_numbers_are_usage_errors)
{
	expect_usage((const char *[]){"logs", "--tail", "ten", NULL});
	expect_usage((const char *[]){"stop", "-t", "-1", NULL});
	expect_usage((const char *[]){"restart", "--timeout", "x", NULL});
	expect_usage(
		(const char *[]){"exec", "--index", "0", "web", "true", NULL});
}

Test(cli_cmd_options, start_has_no_timeout)
{
	expect_usage((const char *[]){"start", "-t", "3", NULL});
}

Test(cli_cmd_options, exec_needs_service_and_command)
{
	expect_usage((const char *[]){"exec", NULL});
	expect_usage((const char *[]){"exec", "web", NULL});
}

Test(cli_cmd_options, plan_recreate_flags_exclude_each_other)
{
	expect_usage((const char *[]){"plan", "--force-recreate",
				      "--no-recreate", NULL});
}

Test(cli_cmd_options, unknown_options_are_usage_errors)
{
	expect_usage((const char *[]){"ps", "--bogus", NULL});
	expect_usage((const char *[]){"hosts", "extra-arg", NULL});
	expect_usage((const char *[]){"pull", "-x", NULL});
	expect_usage((const char *[]){"translate", NULL});
	expect_usage((const char *[]){"translate", "--to", "nomad", NULL});
}

Test(cli_cmd_options, ps_without_project_or_name_fails)
{
	struct sbuf out = SBUF_INIT;
	char dir[] = "/tmp/mixc-cmds-XXXXXX";
	const char *args[] = {"--project-directory", dir, "ps", NULL};

	cr_assert_not_null(mkdtemp(dir));
	unsetenv("COMPOSE_PROJECT_NAME");
	unsetenv("COMPOSE_FILE");
	cr_assert_eq(run(&out, args), 1);
	rmdir(dir);
	sbuf_release(&out);
}

Test(cli_cmd_options, build_flags_are_checked_first)
{
	const char *a1[] = {"up", "--build", "--no-build", NULL};
	const char *a2[] = {"build", "--progress", "fancy", NULL};
	const char *a3[] = {"build", "--no-such-flag", NULL};

	expect_usage(a1);
	expect_usage(a2);
	expect_usage(a3);
}

/* rm, kill, pause, unpause, port, images, top, ls, create, down --rmi. */

Test(cli_cmd_options, every_new_command_has_help)
{
	static const char *const cmds[] = {"rm",      "kill", "pause",
					   "unpause", "port", "images",
					   "top",     "ls",   "create"};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct sbuf out = SBUF_INIT;
		char want[64];

		cr_assert_eq(run(&out, ARGS(cmds[i], "--help")), 0, "%s",
			     cmds[i]);
		snprintf(want, sizeof(want), "usage: mixcompose %s ", cmds[i]);
		cr_assert(strstr(out.buf, want), "%s: %s", cmds[i], out.buf);
		sbuf_release(&out);
	}
}

Test(cli_cmd_options, help_lists_the_commands_sorted)
{
	struct sbuf out = SBUF_INIT;
	const char *prev = "";
	char *line, *save = NULL;
	bool in = false;
	int seen = 0;

	cr_assert_eq(run(&out, ARGS("--help")), 0);
	for (line = strtok_r(out.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[32];

		if (!strcmp(line, "Commands:")) {
			in = true;
			continue;
		}
		if (!in || sscanf(line, " %31s", name) != 1 || line[0] != ' ')
			continue;
		cr_assert_gt(strcmp(name, prev), 0, "%s after %s", name, prev);
		prev = strstr(line, name);
		*strchr((char *)prev, ' ') = '\0';
		seen += !strcmp(name, "rm") + !strcmp(name, "top") +
			!strcmp(name, "ls") + !strcmp(name, "unpause");
	}
	cr_assert_eq(seen, 4);
	sbuf_release(&out);
}

Test(cli_cmd_options, port_needs_service_and_a_port_number)
{
	expect_usage(ARGS("port"));
	expect_usage(ARGS("port", "web"));
	expect_usage(ARGS("port", "web", "80", "81"));
	expect_usage(ARGS("port", "web", "http"));
	expect_usage(ARGS("port", "web", "0"));
	expect_usage(ARGS("port", "web", "65536"));
}

Test(cli_cmd_options, port_protocol_and_index_are_checked)
{
	expect_usage(ARGS("port", "--protocol", "sctp", "web", "80"));
	expect_usage(ARGS("port", "--index", "0", "web", "80"));
	expect_usage(ARGS("port", "--index", "x", "web", "80"));
}

Test(cli_cmd_options, formats_are_table_or_json)
{
	expect_usage(ARGS("images", "--format", "yaml"));
	expect_usage(ARGS("ls", "--format", "xml"));
}

Test(cli_cmd_options, ls_takes_a_name_filter_and_no_arguments)
{
	expect_usage(ARGS("ls", "--filter", "status=running"));
	expect_usage(ARGS("ls", "extra"));
}

Test(cli_cmd_options, kill_signal_may_not_be_empty)
{
	expect_usage(ARGS("kill", "-s", ""));
	expect_usage(ARGS("kill", "--signal"));
}

Test(cli_cmd_options, pause_and_unpause_take_no_signal)
{
	expect_usage(ARGS("pause", "-s", "KILL"));
	expect_usage(ARGS("unpause", "--remove-orphans"));
}

Test(cli_cmd_options, new_commands_refuse_unknown_options)
{
	expect_usage(ARGS("rm", "--bogus"));
	expect_usage(ARGS("top", "-x"));
	expect_usage(ARGS("images", "-a"));
}

Test(cli_cmd_options, create_refuses_up_only_options)
{
	expect_usage(ARGS("create", "-d"));
	expect_usage(ARGS("create", "--wait"));
	expect_usage(ARGS("create", "-t", "3"));
	expect_usage(ARGS("create", "--progress", "fancy"));
}

Test(cli_cmd_options, up_no_start_excludes_wait)
{
	expect_usage(ARGS("up", "--no-start", "--wait"));
}

Test(cli_cmd_options, create_and_up_share_recreate_rules)
{
	expect_usage(ARGS("create", "--force-recreate", "--no-recreate"));
}

/* With no daemon reachable the command fails (1), not a usage error. */
Test(cli_cmd_options, no_daemon_is_a_failure)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(run(&out, ARGS("-p", "nodaemon", "top")), 1);
	cr_assert_eq(run(&out, ARGS("-p", "nodaemon", "rm", "-f")), 1);
	cr_assert_eq(run(&out, ARGS("ls")), 1);
	cr_assert_eq(out.len, 0, "%s", out.buf);
	sbuf_release(&out);
}

Test(cli_cmd_options, down_rmi_takes_local_or_all)
{
	struct sbuf out = SBUF_INIT;

	expect_usage(ARGS("down", "--rmi", "some"));
	expect_usage(ARGS("down", "--rmi"));
	cr_assert_eq(run(&out, ARGS("down", "--help")), 0);
	cr_expect(strstr(out.buf, "--rmi local|all"), "%s", out.buf);
	sbuf_release(&out);
}

/* Issue 13 item 8: out-of-range numbers and a bad -p are usage errors. */
Test(cli_cmd_options, out_of_range_and_bad_project_are_usage_errors)
{
	expect_usage((const char *[]){"down", "-t", "4294967296", NULL});
	expect_usage(
		(const char *[]){"stop", "-t", "99999999999999999999", NULL});
	expect_usage((const char *[]){"-f", FIXTURE_CMDS, "-p", "Bad Name",
				      "config", NULL});
	expect_usage((const char *[]){"-f", FIXTURE_CMDS, "--daemon",
				      "noequals", "ps", NULL});
}

/*
 * Options after operands, as in compose v2 (`up web -d`): parsed, so the
 * run gets as far as the (absent) daemon, exit 1 rather than 2; after
 * exec's service the rest is the command, '-la' included.
 */
Test(cli_cmd_options, options_may_follow_service_names)
{
	const char *const *cases[] = {
		(const char *[]){"-f", FIXTURE_CMDS, "logs", "web", "-n", "5",
				 NULL},
		(const char *[]){"-f", FIXTURE_CMDS, "ps", "web", "-a", NULL},
		(const char *[]){"-f", FIXTURE_CMDS, "exec", "web", "ls", "-la",
				 NULL},
		(const char *[]){"-f", FIXTURE_CMDS, "stop", "web", "-t", "1",
				 NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf out = SBUF_INIT;

		cr_assert_eq(run(&out, cases[i]), 1, "case %zu", i);
		sbuf_release(&out);
	}
}

/* True if 'flag' is in 'help' as a whole flag ("--all" is not "--all-x"). */
static bool has_flag(const char *help, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = strstr(help, flag); p; p = strstr(p + 1, flag))
		if (p > help && p[-1] == ' ' && strchr(" ,[\n", p[n]))
			return true;
	return false;
}

/*
 * Every command's option table, walked generically: the flags that
 * completion offers (straight from the table) are each in --help, and an
 * unknown flag is a usage error.
 */
static void expect_table(const char *cmd)
{
	struct sbuf help = SBUF_INIT, flags = SBUF_INIT;
	char *line, *save = NULL;
	int n = 0;

	cr_assert_eq(run(&help, ARGS(cmd, "--help")), 0, "%s --help", cmd);
	cr_assert_eq(run(&flags, ARGS("__complete", cmd, "-")), 0);
	for (line = strtok_r(flags.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++)
		cr_expect(has_flag(help.buf, line), "%s --help lacks %s:\n%s",
			  cmd, line, help.buf);
	cr_assert_gt(n, 0, "%s: no flag offered", cmd);
	expect_usage(ARGS(cmd, "--no-such-flag"));
	expect_usage(ARGS(cmd, "-%"));
	sbuf_release(&help);
	sbuf_release(&flags);
}

Test(cli_cmd_options, every_table_drives_help_and_usage_errors)
{
	struct sbuf cmds = SBUF_INIT;
	char *line, *save = NULL;
	int n = 0;

	cr_assert_eq(run(&cmds, ARGS("__complete", "")), 0);
	for (line = strtok_r(cmds.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++)
		expect_table(line);
	cr_assert_geq(n, 27, "%d commands", n);
	expect_table("completion");
	sbuf_release(&cmds);
}

Test(cli_cmd_options, top_level_help_lists_every_global_option)
{
	struct sbuf help = SBUF_INIT, flags = SBUF_INIT;
	char *line, *save = NULL;

	cr_assert_eq(run(&help, ARGS("--help")), 0);
	cr_assert_eq(run(&flags, ARGS("__complete", "-")), 0);
	cr_assert(strstr(flags.buf, "--project-directory"), "%s", flags.buf);
	for (line = strtok_r(flags.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		cr_expect(has_flag(help.buf, line), "--help lacks %s", line);
	expect_usage(ARGS("--no-such-flag", "ps"));
	sbuf_release(&help);
	sbuf_release(&flags);
}

Test(cli_cmd_options, compose_v2_flag_conflicts_are_usage_errors)
{
	expect_usage(ARGS("up", "--always-recreate-deps", "--no-recreate"));
	expect_usage(ARGS("up", "--attach", "web", "--attach-dependencies"));
	expect_usage(ARGS("up", "-d", "--attach-dependencies"));
	expect_usage(ARGS("create", "--pull", "sometimes"));
	expect_usage(ARGS("create", "--attach-dependencies"));
	expect_usage(ARGS("ps", "--orphans=maybe"));
	expect_usage(ARGS("restart", "--no-deps=1"));
	expect_usage(ARGS("wait", "--down-project"));
	expect_usage(ARGS("push", "--ignore-pull-failures"));
	expect_usage(ARGS("run", "--cap-add"));
}
