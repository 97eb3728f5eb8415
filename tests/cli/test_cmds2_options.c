/*
 * The options of rm, kill, pause, unpause, port, images, top, ls and
 * create, run as processes: --help, and usage errors (exit 2) found before
 * any daemon is asked.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/sbuf.h"

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

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_usage(const char *const *args)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(run(&out, args), 2, "%s %s", args[0],
		     args[1] ? args[1] : "");
	sbuf_release(&out);
}

Test(cli_cmds2_options, every_new_command_has_help)
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

Test(cli_cmds2_options, help_lists_the_commands_sorted)
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

Test(cli_cmds2_options, port_needs_service_and_a_port_number)
{
	expect_usage(ARGS("port"));
	expect_usage(ARGS("port", "web"));
	expect_usage(ARGS("port", "web", "80", "81"));
	expect_usage(ARGS("port", "web", "http"));
	expect_usage(ARGS("port", "web", "0"));
	expect_usage(ARGS("port", "web", "65536"));
}

Test(cli_cmds2_options, port_protocol_and_index_are_checked)
{
	expect_usage(ARGS("port", "--protocol", "sctp", "web", "80"));
	expect_usage(ARGS("port", "--index", "0", "web", "80"));
	expect_usage(ARGS("port", "--index", "x", "web", "80"));
}

Test(cli_cmds2_options, formats_are_table_or_json)
{
	expect_usage(ARGS("images", "--format", "yaml"));
	expect_usage(ARGS("ls", "--format", "xml"));
}

Test(cli_cmds2_options, ls_takes_a_name_filter_and_no_arguments)
{
	expect_usage(ARGS("ls", "--filter", "status=running"));
	expect_usage(ARGS("ls", "extra"));
}

Test(cli_cmds2_options, kill_signal_may_not_be_empty)
{
	expect_usage(ARGS("kill", "-s", ""));
	expect_usage(ARGS("kill", "--signal"));
}

Test(cli_cmds2_options, pause_and_unpause_take_no_signal)
{
	expect_usage(ARGS("pause", "-s", "KILL"));
	expect_usage(ARGS("unpause", "--remove-orphans"));
}

Test(cli_cmds2_options, unknown_options_are_usage_errors)
{
	expect_usage(ARGS("rm", "--bogus"));
	expect_usage(ARGS("top", "-x"));
	expect_usage(ARGS("images", "-a"));
}

Test(cli_cmds2_options, create_refuses_up_only_options)
{
	expect_usage(ARGS("create", "-d"));
	expect_usage(ARGS("create", "--wait"));
	expect_usage(ARGS("create", "-t", "3"));
	expect_usage(ARGS("create", "--progress", "fancy"));
}

Test(cli_cmds2_options, up_no_start_excludes_wait)
{
	expect_usage(ARGS("up", "--no-start", "--wait"));
}

Test(cli_cmds2_options, create_and_up_share_recreate_rules)
{
	expect_usage(ARGS("create", "--force-recreate", "--no-recreate"));
}

/* With no daemon reachable the command fails (1), not a usage error. */
Test(cli_cmds2_options, no_daemon_is_a_failure)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(run(&out, ARGS("-p", "nodaemon", "top")), 1);
	cr_assert_eq(run(&out, ARGS("-p", "nodaemon", "rm", "-f")), 1);
	cr_assert_eq(run(&out, ARGS("ls")), 1);
	cr_assert_eq(out.len, 0, "%s", out.buf);
	sbuf_release(&out);
}

Test(cli_cmds2_options, down_rmi_takes_local_or_all)
{
	struct sbuf out = SBUF_INIT;

	expect_usage(ARGS("down", "--rmi", "some"));
	expect_usage(ARGS("down", "--rmi"));
	cr_assert_eq(run(&out, ARGS("down", "--help")), 0);
	cr_expect(strstr(out.buf, "--rmi local|all"), "%s", out.buf);
	sbuf_release(&out);
}
