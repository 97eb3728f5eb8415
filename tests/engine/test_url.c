#include <criterion/criterion.h>
#include <string.h>

#include "engine/engine.h"

Test(engine_url, unix_socket_path)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(
		engine_url_parse(&u, "unix:///run/mixlab/linux.sock", &err), 0);
	cr_assert_eq(u.kind, ENGINE_URL_UNIX);
	cr_assert_str_eq(u.path, "/run/mixlab/linux.sock");
	engine_url_release(&u);
}

Test(engine_url, unix_relative_path_is_refused)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(engine_url_parse(&u, "unix://relative.sock", &err),
		     DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "'unix://relative.sock'"), "%s", err.msg);
}

Test(engine_url, tcp_host_and_port)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(engine_url_parse(&u, "tcp://10.0.0.5:2376", &err), 0);
	cr_assert_eq(u.kind, ENGINE_URL_TCP);
	cr_assert_str_eq(u.host, "10.0.0.5");
	cr_assert_eq(u.port, 2376);
	engine_url_release(&u);
}

Test(engine_url, tcp_ipv6_literal)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(engine_url_parse(&u, "tcp://[::1]:2375", &err), 0);
	cr_assert_str_eq(u.host, "[::1]");
	cr_assert_eq(u.port, 2375);
	engine_url_release(&u);
}

Test(engine_url, tcp_bad_port_is_refused)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(engine_url_parse(&u, "tcp://host:99999", &err),
		     DIAG_EUSAGE);
	cr_assert_eq(engine_url_parse(&u, "tcp://:2375", &err), DIAG_EUSAGE);
}

Test(engine_url, ssh_user_port_and_socket)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(engine_url_parse(
			     &u, "ssh://root@127.0.0.1:2222/run/d.sock", &err),
		     0);
	cr_assert_eq(u.kind, ENGINE_URL_SSH);
	cr_assert_str_eq(u.user, "root");
	cr_assert_str_eq(u.host, "127.0.0.1");
	cr_assert_eq(u.port, 2222);
	cr_assert_str_eq(u.path, "/run/d.sock");
	engine_url_release(&u);
}

Test(engine_url, ssh_host_only)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(engine_url_parse(&u, "ssh://winbox", &err), 0);
	cr_assert_null(u.user);
	cr_assert_str_eq(u.host, "winbox");
	cr_assert_eq(u.port, 0);
	cr_assert_null(u.path);
	engine_url_release(&u);
}

Test(engine_url, unknown_scheme_is_refused)
{
	struct engine_url u;
	struct diag err = {0};

	cr_assert_eq(engine_url_parse(&u, "fd://3", &err), DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "'fd://3'"), "%s", err.msg);
}

Test(engine_url, npipe_forms_of_the_docker_cli_and_the_seed)
{
	static const char *const good[] = {
		"npipe:////./pipe/docker_engine",
		"npipe:////./pipe//docker_lcow",
		"npipe://\\\\.\\pipe\\dockerDesktopLinuxEngine",
	};
	static const char *const bad[] = {
		"npipe://docker_engine",
		"npipe:////./pipe/",
		"npipe:////./notpipe/x",
		"npipe:///pipe/x",
	};
	struct engine_url u;
	struct diag err = {0};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_assert_eq(engine_url_parse(&u, good[i], &err), 0, "%s: %s",
			     good[i], err.msg);
		cr_assert_eq(u.kind, ENGINE_URL_NPIPE);
		cr_assert_str_eq(u.path, good[i] + strlen("npipe://"));
		engine_url_release(&u);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(engine_url_parse(&u, bad[i], &err), DIAG_EUSAGE,
			     "%s", bad[i]);
		cr_assert(strstr(err.msg, bad[i]), "%s", err.msg);
	}
}

Test(engine_url, npipe_fails_with_a_clear_message)
{
	struct engine_config cfg = {.name = "windows",
				    .url = "npipe:////./pipe/docker_engine"};
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), DIAG_EUSAGE);
	cr_assert_null(e);
	cr_assert(strstr(err.msg, "daemon 'windows'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "npipe:// needs a Windows client"), "%s",
		  err.msg);
	cr_assert(strstr(err.msg, "use ssh:// or tcp://"), "%s", err.msg);
}

Test(engine_url, tcp_defaults_port_by_tls)
{
	struct engine_config plain = {.name = "a", .url = "tcp://127.0.0.1"};
	struct engine_config tls = {
		.name = "b", .url = "tcp://127.0.0.1", .tls = true};
	struct engine *e1, *e2;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e1, &plain, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_new(&e2, &tls, &err), 0, "%s", err.msg);
	cr_assert_str_eq(engine_url(e1), "tcp://127.0.0.1");
	cr_assert_str_eq(engine_api_version(e1), "");
	cr_assert_not(engine_api_at_least(e1, 1, 0));
	engine_free(e1);
	engine_free(e2);
}

Test(engine_url, default_url_is_the_docker_socket)
{
	struct engine_config cfg = {0};
	struct engine *e;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0);
	cr_assert_str_eq(engine_url(e), "unix:///var/run/docker.sock");
	cr_assert_str_eq(engine_name(e), "default");
	engine_free(e);
}
