/*
 * The compose v2 flags of issue #10's last round, their pure parts:
 * restart's dependents (--no-deps leaves them out), ps's COMMAND cell
 * (--no-trunc), and the boolean values a flag such as ps --orphans takes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "planner/planner.h"

/* db; api depends on db with restart: true; web on api with false. */
static struct plan_host_container ctrs[] = {
	{.id = "1",
	 .name = "p-api-1",
	 .service = "api",
	 .depends_on = "db:service_started:true"},
	{.id = "2", .name = "p-db-1", .service = "db"},
	{.id = "3",
	 .name = "p-web-1",
	 .service = "web",
	 .depends_on = "api:service_started:false,db:service_healthy:false"},
	{.id = "4",
	 .name = "p-worker-1",
	 .service = "worker",
	 .depends_on = "api:service_healthy:true"},
};

static struct plan_host host = {
	.name = "linux", .containers = ctrs, .n_containers = 4};

static bool has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

Test(cli_flags, restart_takes_the_dependents_with_restart_true)
{
	struct cli_session s = {.hosts = &host, .n_hosts = 1};
	char *names[] = {"db"};
	size_t n = 1;
	char **v = cli_restart_dependents(&s, names, &n);

	/* api (restart: true on db), worker (on api); not web (false). */
	cr_assert_eq(n, 3);
	cr_assert(has(v, n, "db") && has(v, n, "api") && has(v, n, "worker"));
	cr_assert_not(has(v, n, "web"));
	free(v);
}

Test(cli_flags, restart_of_a_leaf_takes_nothing_else)
{
	struct cli_session s = {.hosts = &host, .n_hosts = 1};
	char *names[] = {"web"};
	size_t n = 1;
	char **v = cli_restart_dependents(&s, names, &n);

	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0], "web");
	free(v);
}

static char *command(const char *c, bool trunc)
{
	struct sbuf sb = SBUF_INIT;

	cli_ps_command(&sb, c, trunc);
	return sbuf_detach(&sb, NULL);
}

Test(cli_flags, ps_command_is_quoted_and_cut_at_twenty_unless_no_trunc)
{
	char *s = command("sh -c 'exec sleep 3600'", true);

	/* docker's Ellipsis: 19 characters and the ellipsis. */
	cr_assert_str_eq(s, "\"sh -c 'exec sleep 3\u2026\"");
	free(s);
	s = command("sh -c 'exec sleep 3600'", false);
	cr_assert_str_eq(s, "\"sh -c 'exec sleep 3600'\"");
	free(s);
	s = command("echo \"a\"", true);
	cr_assert_str_eq(s, "\"echo \\\"a\\\"\"");
	free(s);
	/* Exactly 20 characters: whole. */
	s = command("12345678901234567890", true);
	cr_assert_str_eq(s, "\"12345678901234567890\"");
	free(s);
	s = command(NULL, true);
	cr_assert_str_eq(s, "\"\"");
	free(s);
}

Test(cli_flags, boolean_values_as_pflag_reads_them)
{
	cr_assert_eq(cli_opt_bool(NULL), 1);
	cr_assert_eq(cli_opt_bool("true"), 1);
	cr_assert_eq(cli_opt_bool("T"), 1);
	cr_assert_eq(cli_opt_bool("1"), 1);
	cr_assert_eq(cli_opt_bool("false"), 0);
	cr_assert_eq(cli_opt_bool("False"), 0);
	cr_assert_eq(cli_opt_bool("0"), 0);
	cr_assert_eq(cli_opt_bool("no"), -1);
	cr_assert_eq(cli_opt_bool(""), -1);
}
