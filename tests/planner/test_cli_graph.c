/* `mixcompose graph`, the planner's own command, run as a user would. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIXTURE(p) (TEST_FIXTURES_DIR "/" p)

/* Runs the binary with 'args'; returns its exit status, stdout in 'out'. */
static int run(char *out, size_t len, const char *const *args)
{
	int fd[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	cr_assert_eq(pipe(fd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fd[1], 1);
		dup2(null, 2);
		close(fd[0]);
		setenv("HOME", "/nonexistent", 1);
		setenv("DOCKER_CONFIG", "/nonexistent", 1);
		unsetenv("DOCKER_HOST");
		unsetenv("DOCKER_CONTEXT");
		execv(MIXCOMPOSE_BIN, (char *const *)args);
		_exit(127);
	}
	close(fd[1]);
	while (n + 1 < len && (r = read(fd[0], out + n, len - n - 1)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fd[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(planner_cli_graph, offline_mermaid_groups_by_daemon)
{
	const char *args[] = {"mixcompose",
			      "-f",
			      FIXTURE("planner/mixed/compose.yaml"),
			      "graph",
			      "--offline",
			      NULL};
	static char out[8192];

	if (access(MIXCOMPOSE_BIN, X_OK))
		cr_skip_test("mixcompose is not built");
	cr_assert_eq(run(out, sizeof(out), args), 0);
	cr_assert_str_eq(out,
			 "flowchart LR\n"
			 "  subgraph d0[\"linux (linux)\"]\n"
			 "    s1[\"db\"]\n"
			 "    s2[\"nginx\"]\n"
			 "  end\n"
			 "  subgraph d1[\"windows (stand-in)\"]\n"
			 "    s0[\"app\"]\n"
			 "  end\n"
			 "  s0 ==>|\"service_healthy, cross-daemon\"| s1\n"
			 "  s2 ==>|\"service_started, cross-daemon\"| s0\n");
}

Test(planner_cli_graph, offline_dot)
{
	const char *args[] = {"mixcompose",
			      "-f",
			      FIXTURE("planner/mixed/compose.yaml"),
			      "graph",
			      "--offline",
			      "--format",
			      "dot",
			      NULL};
	static char out[8192];

	if (access(MIXCOMPOSE_BIN, X_OK))
		cr_skip_test("mixcompose is not built");
	cr_assert_eq(run(out, sizeof(out), args), 0);
	cr_assert(strstr(out, "digraph \"shop\" {\n"));
	cr_assert(strstr(out, "label=\"windows (stand-in)\";"));
}

Test(planner_cli_graph, bad_format_is_a_usage_error)
{
	const char *args[] = {
		"mixcompose", "-f",	  FIXTURE("planner/mixed/compose.yaml"),
		"graph",      "--format", "png",
		NULL};
	static char out[1024];

	if (access(MIXCOMPOSE_BIN, X_OK))
		cr_skip_test("mixcompose is not built");
	cr_assert_eq(run(out, sizeof(out), args), 2);
	cr_assert_str_eq(out, "");
}
