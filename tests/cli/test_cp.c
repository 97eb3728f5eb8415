/*
 * cp's arguments and paths (cli/cmd_cp.c compiled in): compose v2's split
 * of SERVICE:PATH, the cut of a container path (Windows ones too), and
 * the message for a Windows daemon's Hyper-V refusal.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_cp.c"

static void expect_arg(const char *arg, const char *svc, const char *path)
{
	char *s = NULL;
	const char *p = NULL;

	cr_assert_eq(cli_cp_arg(&s, &p, arg), 0, "%s", arg);
	if (svc)
		cr_assert_str_eq(s ? s : "(local)", svc, "%s", arg);
	else
		cr_assert_null(s, "%s is local", arg);
	cr_assert_str_eq(p, path, "%s", arg);
	free(s);
}

Test(cli_cp, arguments_split_as_compose_v2)
{
	expect_arg("web:/etc/hosts", "web", "/etc/hosts");
	expect_arg("api:C:\\app\\x.txt", "api", "C:\\app\\x.txt");
	expect_arg("/abs/a:b", NULL, "/abs/a:b");
	expect_arg("./rel:x", NULL, "./rel:x");
	expect_arg("plain", NULL, "plain");
	expect_arg("-", NULL, "-");
	expect_arg("web:", "web", "");
}

Test(cli_cp, an_empty_service_is_refused)
{
	char *s = NULL;
	const char *p = NULL;

	cr_assert_eq(cli_cp_arg(&s, &p, ":/x"), -1);
	cr_assert_null(s);
}

static void
expect_split(const char *path, bool win, const char *dir, const char *base)
{
	char *d, *b;

	cli_cp_path_split(&d, &b, path, win);
	cr_expect_str_eq(d, dir, "dir of '%s'", path);
	cr_expect_str_eq(b, base, "base of '%s'", path);
	free(d);
	free(b);
}

Test(cli_cp, container_paths_cut_before_the_last_element)
{
	expect_split("/a/b", false, "/a", "b");
	expect_split("/a/b/", false, "/a", "b");
	expect_split("/b", false, "/", "b");
	expect_split("b", false, ".", "b");
	expect_split("/a/dir/.", false, "/a/dir", ".");
	/* On Linux a backslash is part of a name. */
	expect_split("/a/x\\y", false, "/a", "x\\y");
}

Test(cli_cp, windows_paths_keep_the_drive_root)
{
	expect_split("C:\\app\\data\\x.txt", true, "C:\\app\\data", "x.txt");
	expect_split("C:\\x", true, "C:\\", "x");
	expect_split("C:/app/x", true, "C:/app", "x");
	expect_split("c:\\app\\dir\\", true, "c:\\app", "dir");
	expect_split("\\app\\x", true, "\\app", "x");
}

Test(cli_cp, a_hyperv_refusal_names_service_and_daemon)
{
	struct diag d = {0};

	snprintf(
		d.msg, sizeof(d.msg),
		"daemon 'windows': PUT /v1.41/containers/x/archive?path=C%%3A: "
		"500 Internal Server Error: filesystem operations against a "
		"running Hyper-V container are not supported");
	cli_cp_refusal(&d, "web", "windows");
	cr_assert(strstr(d.msg, "service 'web' on daemon 'windows'"), "%s",
		  d.msg);
	cr_assert(strstr(d.msg, "mixcompose stop web"), "%s", d.msg);
	cr_assert(strstr(d.msg, "isolation: process"), "%s", d.msg);
	cr_assert(strstr(d.msg, "not supported"), "the daemon's words: %s",
		  d.msg);
}

Test(cli_cp, other_errors_are_left_alone)
{
	struct diag d = {0};

	snprintf(d.msg, sizeof(d.msg), "no such file");
	cli_cp_refusal(&d, "web", "linux");
	cr_assert_str_eq(d.msg, "no such file");
}
