/*
 * exec's and run's options as compose v2 takes them, the one-off name and
 * --publish.  cli/ is an executable, so its pure file is compiled in here.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cli/run_opts.c"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

Test(cli_run, exec_defaults_are_interactive_index_one)
{
	char *argv[] = {"exec", "web", "sh", "-c", "echo hi", NULL};
	struct cli_exec_opts o;

	cr_assert_eq(cli_exec_parse(&o, ARGC(argv), argv), CLI_OK);
	cr_assert(o.interactive);
	cr_assert(!o.no_tty);
	cr_assert(!o.detach);
	cr_assert_eq(o.index, 1);
	cr_assert_str_eq(o.service, "web");
	cr_assert_eq(o.argc, 3);
	/* The command's own "-c" is not ours. */
	cr_assert_str_eq(o.argv[1], "-c");
	cli_exec_opts_release(&o);
}

Test(cli_run, exec_takes_every_option)
{
	char *argv[] = {"exec",
			"-T",
			"-u",
			"1000",
			"-w",
			"/tmp",
			"-e",
			"A=1",
			"--env",
			"B=2",
			"--privileged",
			"--index",
			"2",
			"--interactive=false",
			"web",
			"id",
			NULL};
	struct cli_exec_opts o;

	cr_assert_eq(cli_exec_parse(&o, ARGC(argv), argv), CLI_OK);
	cr_assert(o.no_tty);
	cr_assert(!o.interactive);
	cr_assert(o.privileged);
	cr_assert_str_eq(o.user, "1000");
	cr_assert_str_eq(o.workdir, "/tmp");
	cr_assert_eq(o.n_env, 2);
	cr_assert_str_eq(o.env[1], "B=2");
	cr_assert_eq(o.index, 2);
	cr_assert_str_eq(o.argv[0], "id");
	cli_exec_opts_release(&o);
}

Test(cli_run, exec_usage_errors)
{
	char *bad_index[] = {"exec", "--index", "0", "web", "true", NULL};
	char *no_cmd[] = {"exec", "web", NULL};
	char *bad_bool[] = {"exec", "--interactive=maybe", "web", "x", NULL};
	struct cli_exec_opts o;

	cr_assert_eq(cli_exec_parse(&o, ARGC(bad_index), bad_index), CLI_USAGE);
	cli_exec_opts_release(&o);
	cr_assert_eq(cli_exec_parse(&o, ARGC(no_cmd), no_cmd), CLI_USAGE);
	cli_exec_opts_release(&o);
	cr_assert_eq(cli_exec_parse(&o, ARGC(bad_bool), bad_bool), CLI_USAGE);
	cli_exec_opts_release(&o);
}

Test(cli_run, run_takes_every_option)
{
	char *argv[] = {
		"run",		"--rm",	 "-d",	   "-T",
		"-e",		"A=1",	 "-l",	   "k=v",
		"-v",		"/a:/b", "-p",	   "127.0.0.1:8080:80/udp",
		"--entrypoint", "sh -c", "-u",	   "nobody",
		"-w",		"/w",	 "--name", "one",
		"--no-deps",	"web",	 "echo",   "-n",
		"hi",		NULL};
	struct cli_run_opts o;

	cr_assert_eq(cli_run_parse(&o, ARGC(argv), argv), CLI_OK);
	cr_assert(o.rm && o.detach && o.no_tty && o.no_deps);
	cr_assert(o.interactive);
	cr_assert_str_eq(o.env[0], "A=1");
	cr_assert_str_eq(o.labels[0], "k=v");
	cr_assert_str_eq(o.volumes[0], "/a:/b");
	cr_assert_str_eq(o.publish[0], "127.0.0.1:8080:80/udp");
	cr_assert_str_eq(o.entrypoint, "sh -c");
	cr_assert_str_eq(o.user, "nobody");
	cr_assert_str_eq(o.workdir, "/w");
	cr_assert_str_eq(o.name, "one");
	cr_assert_str_eq(o.service, "web");
	cr_assert_eq(o.argc, 3);
	cr_assert_str_eq(o.argv[1], "-n");
	cli_run_opts_release(&o);
}

Test(cli_run, run_without_command_keeps_the_services)
{
	char *argv[] = {"run", "--service-ports", "web", NULL};
	struct cli_run_opts o;

	cr_assert_eq(cli_run_parse(&o, ARGC(argv), argv), CLI_OK);
	cr_assert(o.service_ports);
	cr_assert_eq(o.argc, 0);
	cli_run_opts_release(&o);
}

Test(cli_run, run_usage_errors)
{
	char *none[] = {"run", NULL};
	char *label[] = {"run", "-l", "novalue", "web", NULL};
	char *vol[] = {"run", "-v", "justapath", "web", NULL};
	char *pub[] = {"run", "-p", "80800", "web", NULL};
	char *both[] = {"run", "--service-ports", "-p", "80", "web", NULL};
	struct cli_run_opts o;

	cr_assert_eq(cli_run_parse(&o, ARGC(none), none), CLI_USAGE);
	cli_run_opts_release(&o);
	cr_assert_eq(cli_run_parse(&o, ARGC(label), label), CLI_USAGE);
	cli_run_opts_release(&o);
	cr_assert_eq(cli_run_parse(&o, ARGC(vol), vol), CLI_USAGE);
	cli_run_opts_release(&o);
	cr_assert_eq(cli_run_parse(&o, ARGC(pub), pub), CLI_USAGE);
	cli_run_opts_release(&o);
	cr_assert_eq(cli_run_parse(&o, ARGC(both), both), CLI_USAGE);
	cli_run_opts_release(&o);
}

Test(cli_run, oneoff_name_as_compose_v2)
{
	unsigned char slug[32];
	char name[CLI_RUN_NAME_MAX], hex[65];

	for (int i = 0; i < 32; i++)
		slug[i] = (unsigned char)(i * 17 + 1);
	cli_run_name(name, "demo", "web", slug, hex);
	cr_assert_eq(strlen(hex), 64);
	cr_assert_eq(strncmp(hex, "0112233445566778", 16), 0, "%s", hex);
	cr_assert_str_eq(name, "demo-web-run-011223344556");
	slug[0] = 0xff;
	cli_run_name(name, "demo", "web", slug, hex);
	cr_assert_str_eq(name, "demo-web-run-ff1223344556");
}

Test(cli_run, publish_forms)
{
	struct apply_publish p;

	cr_assert_eq(cli_publish_parse(&p, "80"), 0);
	cr_assert_eq(p.container_port, 80);
	cr_assert_str_eq(p.host_port, "");
	cr_assert_str_eq(p.host_ip, "");
	cr_assert_eq(cli_publish_parse(&p, "8080:80"), 0);
	cr_assert_str_eq(p.host_port, "8080");
	cr_assert_eq(cli_publish_parse(&p, "127.0.0.1:8080:80/udp"), 0);
	cr_assert_str_eq(p.host_ip, "127.0.0.1");
	cr_assert_str_eq(p.host_port, "8080");
	cr_assert_str_eq(p.protocol, "udp");
	cr_assert_eq(p.container_port, 80);
	cr_assert_eq(cli_publish_parse(&p, "127.0.0.1::80"), 0);
	cr_assert_str_eq(p.host_ip, "127.0.0.1");
	cr_assert_str_eq(p.host_port, "");
	cr_assert_eq(cli_publish_parse(&p, "8000-8010:80"), 0);
	cr_assert_str_eq(p.host_port, "8000-8010");
}

Test(cli_run, publish_refuses_bad_forms)
{
	static const char *const bad[] = {
		"",	  "80800", "0",	     ":80",	 "a:80",
		"80/xyz", "8080:", "9-1:80", "70000:80", "80:http",
	};
	struct apply_publish p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(cli_publish_parse(&p, bad[i]), -1, "'%s'", bad[i]);
}
