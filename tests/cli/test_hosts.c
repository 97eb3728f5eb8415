/* hosts --sync: deciding whether a container's hosts file lacks a peer. */
#include <criterion/criterion.h>

#include "cli/cli.h"

static const char file[] = "127.0.0.1\tlocalhost\n"
			   "::1\tlocalhost ip6-localhost ip6-loopback\n"
			   "172.30.1.2\tapi\n"
			   "172.30.1.20 other api2 # a comment naming web\n"
			   "# 172.30.0.9 ghost\n"
			   "# mixcompose begin\n"
			   "172.30.1.3 db p-db-1 # mixcompose\n"
			   "# mixcompose end\n"
			   "172.30.0.2\t3df306b0482c";

Test(cli_hosts, tab_separated_docker_line_counts)
{
	cr_assert(cli_hosts_file_has(file, "172.30.1.2", "api"));
}

Test(cli_hosts, every_name_of_a_line_counts)
{
	cr_assert(cli_hosts_file_has(file, "172.30.1.20", "other"));
	cr_assert(cli_hosts_file_has(file, "172.30.1.20", "api2"));
	cr_assert(cli_hosts_file_has(file, "172.30.1.3", "p-db-1"));
}

Test(cli_hosts, the_address_must_match)
{
	/* A peer recreated with a new address is missing. */
	cr_assert_not(cli_hosts_file_has(file, "172.30.1.9", "api"));
	/* "172.30.1.2" is a prefix of "172.30.1.20", not the same address. */
	cr_assert_not(cli_hosts_file_has(file, "172.30.1.2", "api2"));
}

Test(cli_hosts, names_match_whole_words_only)
{
	cr_assert_not(cli_hosts_file_has(file, "172.30.1.20", "api"));
	cr_assert_not(cli_hosts_file_has(file, "172.30.1.3", "p-db"));
}

Test(cli_hosts, comments_do_not_count)
{
	cr_assert_not(cli_hosts_file_has(file, "172.30.1.20", "web"));
	cr_assert_not(cli_hosts_file_has(file, "172.30.0.9", "ghost"));
}

Test(cli_hosts, last_line_without_newline_counts)
{
	cr_assert(cli_hosts_file_has(file, "172.30.0.2", "3df306b0482c"));
	cr_assert_not(cli_hosts_file_has("", "172.30.0.2", "x"));
}
