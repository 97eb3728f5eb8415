/* ps: ports as compose shows them, the address, the platform column. */
#include <criterion/criterion.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "planner/planner.h"

static char *ports(const struct engine_port *p, size_t n)
{
	struct sbuf sb = SBUF_INIT;

	cli_ps_ports(&sb, p, n);
	return sbuf_detach(&sb, NULL);
}

Test(cli_ps, published_port_with_host_ip)
{
	struct engine_port p[] = {{"127.0.0.1", 80, 8080, "tcp"}};
	char *s = ports(p, 1);

	cr_assert_str_eq(s, "127.0.0.1:8080->80/tcp");
	free(s);
}

Test(cli_ps, unpublished_port_has_no_arrow)
{
	struct engine_port p[] = {{NULL, 53, 0, "udp"}};
	char *s = ports(p, 1);

	cr_assert_str_eq(s, "53/udp");
	free(s);
}

Test(cli_ps, missing_type_is_tcp)
{
	struct engine_port p[] = {{"", 80, 0, NULL}};
	char *s = ports(p, 1);

	cr_assert_str_eq(s, "80/tcp");
	free(s);
}

Test(cli_ps, ipv4_and_ipv6_sorted_as_docker_shows_them)
{
	struct engine_port p[] = {
		{"::", 80, 8080, "tcp"},
		{"0.0.0.0", 80, 8080, "tcp"},
	};
	char *s = ports(p, 2);

	cr_assert_str_eq(s, "0.0.0.0:8080->80/tcp, :::8080->80/tcp");
	free(s);
}

Test(cli_ps, consecutive_ports_become_one_range)
{
	struct engine_port p[] = {
		{"127.0.0.1", 82, 9002, "tcp"},
		{"127.0.0.1", 81, 9001, "tcp"},
		{"127.0.0.1", 80, 9000, "tcp"},
	};
	char *s = ports(p, 3);

	cr_assert_str_eq(s, "127.0.0.1:9000-9002->80-82/tcp");
	free(s);
}

Test(cli_ps, gap_or_other_protocol_breaks_a_range)
{
	struct engine_port p[] = {
		{NULL, 80, 0, "tcp"},
		{NULL, 81, 0, "tcp"},
		{NULL, 83, 0, "tcp"},
		{NULL, 81, 0, "udp"},
	};
	char *s = ports(p, 4);

	cr_assert_str_eq(s, "80-81/tcp, 83/tcp, 81/udp");
	free(s);
}

Test(cli_ps, non_consecutive_host_ports_stay_apart)
{
	struct engine_port p[] = {
		{"127.0.0.1", 80, 9000, "tcp"},
		{"127.0.0.1", 81, 9005, "tcp"},
	};
	char *s = ports(p, 2);

	cr_assert_str_eq(s, "127.0.0.1:9000->80/tcp, 127.0.0.1:9005->81/tcp");
	free(s);
}

Test(cli_ps, no_ports_is_empty)
{
	char *s = ports(NULL, 0);

	cr_assert_str_eq(s, "");
	free(s);
}

Test(cli_ps, address_prefers_the_project_network)
{
	struct plan_host_network nets[] = {
		{.name = "bridge"},
		{.name = "p_front", .label_project = "p"},
		{.name = "other_net", .label_project = "other"},
	};
	struct plan_host_attach at[] = {
		{"bridge", "172.17.0.5"},
		{"other_net", "10.0.0.3"},
		{"p_front", "172.30.1.7"},
	};
	struct plan_host h = {
		.name = "linux", .networks = nets, .n_networks = 3};
	struct plan_host_container c = {
		.name = "p-web-1", .networks = at, .n_networks = 3};

	cr_assert_str_eq(cli_ps_address(&h, &c, "p"), "172.30.1.7");
	cr_assert_str_eq(cli_ps_address(&h, &c, "q"), "172.17.0.5");
}

Test(cli_ps, address_of_a_stopped_container_is_empty)
{
	struct plan_host_attach at[] = {{"p_default", ""}};
	struct plan_host h = {.name = "linux"};
	struct plan_host_container c = {
		.name = "p-web-1", .networks = at, .n_networks = 1};

	cr_assert_str_eq(cli_ps_address(&h, &c, "p"), "");
}

Test(cli_ps, platform_names_the_stand_in)
{
	struct plan_host win = {.name = "windows",
				.os = "windows",
				.engine_os = "linux",
				.arch = "amd64",
				.lab = true};
	struct plan_host lin = {.name = "linux", .os = "linux"};
	struct sbuf sb = SBUF_INIT;

	cli_ps_platform(&sb, &win);
	cr_assert_str_eq(sb.buf, "windows/amd64 (stand-in)");
	sbuf_reset(&sb);
	cli_ps_platform(&sb, &lin);
	cr_assert_str_eq(sb.buf, "linux");
	sbuf_release(&sb);
}

Test(cli_ps, names_selection)
{
	char *names[] = {"web", "api"};

	cr_assert(cli_names_has(names, 0, "anything"));
	cr_assert(cli_names_has(names, 2, "api"));
	cr_assert_not(cli_names_has(names, 2, "db"));
	cr_assert_not(cli_names_has(names, 2, NULL));
}
