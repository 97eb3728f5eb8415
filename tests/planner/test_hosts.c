#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "planner/planner_int.h"
#include "tests/planner/model_util.h"
#include "util/arena.h"

static struct plan_host hosts[2];

static void setup(void)
{
	hosts[0] = mu_host("linux", "linux", "amd64");
	hosts[1] = mu_host("windows", "windows", "amd64");
}

TestSuite(planner_hosts, .init = setup);

/* nginx (linux) -> app (windows) -> db (linux), app with an alias. */
static struct plan *mixed(struct compose_project **pp,
			  const struct plan_options *o)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *app = mu_service(p, "app");
	struct compose_service *nginx = mu_service(p, "nginx");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, app, "windows/amd64");
	mu_attach(p, app, "default", NULL, "backend");
	mu_service(p, "db");
	mu_depends(p, nginx, "app", NULL, 20);
	mu_depends(p, app, "db", NULL, 21);
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, o, &err), 0, "%s", err.msg);
	*pp = p;
	return pl;
}

Test(planner_hosts, table_lists_every_name_sorted)
{
	struct compose_project *p;
	struct plan *pl = mixed(&p, NULL);
	const char *want[] = {"app",	   "backend",	   "db",   "demo-app-1",
			      "demo-db-1", "demo-nginx-1", "nginx"};

	cr_assert_eq(pl->n_hosts_table, 7);
	for (size_t i = 0; i < 7; i++)
		cr_assert_str_eq(pl->hosts_table[i].name, want[i]);
	cr_assert_str_eq(pl->hosts_table[1].kind, "alias");
	cr_assert_str_eq(pl->hosts_table[0].kind, "service");
	cr_assert_str_eq(pl->hosts_table[3].kind, "container");
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, container_mode_resolves_to_container_ip_everywhere)
{
	struct compose_project *p;
	struct plan *pl = mixed(&p, NULL);
	const struct plan_hosts_row *app = &pl->hosts_table[0];

	/* app is alone on the windows daemon's default network. */
	cr_assert_str_eq(app->addr[0], "172.30.1.2");
	cr_assert_str_eq(app->addr[1], "172.30.1.2");
	cr_assert_str_eq(app->via[0], "container IP");
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, host_mode_uses_host_address_across_daemons)
{
	struct compose_project *p;
	struct plan_options o = {.address_mode = PLAN_ADDR_HOST,
				 .host_address = "192.168.65.254"};
	struct plan *pl = mixed(&p, &o);
	const struct plan_hosts_row *app = &pl->hosts_table[0];
	const struct plan_container *nginx = mu_ctr(pl, "demo-nginx-1");

	cr_assert_str_eq(app->addr[0], "192.168.65.254");
	cr_assert_str_eq(app->addr[1], "172.30.1.2", "same daemon: direct");
	cr_assert_str_eq(mu_entry(nginx, "app"), "192.168.65.254");
	cr_assert_str_eq(mu_entry(nginx, "db"), "172.30.0.2");
	plan_free(pl);
	mu_free(p);
}

/*
 * Two hosts with an address each (issue 11): a peer resolves to the host
 * address of the daemon it runs on, which the daemon's own
 * x-mixcompose.daemons.<name>.host_address gives; the project's is the
 * default for a daemon without one.
 */
Test(planner_hosts, host_mode_uses_each_daemons_own_host_address)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *app = mu_service(p, "app");
	struct compose_service *nginx = mu_service(p, "nginx");
	static struct compose_daemon ds[2] = {
		{.name = "linux", .host_address = "10.231.0.1"},
		{.name = "windows", .host_address = "10.231.0.2"}};
	struct plan_options o = {.address_mode = PLAN_ADDR_HOST,
				 .host_address = "192.168.65.254"};
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, app, "windows/amd64");
	mu_depends(p, nginx, "app", NULL, 20);
	p->mix.daemons = ds;
	p->mix.n_daemons = 2;
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(mu_entry(mu_ctr(pl, "demo-nginx-1"), "app"),
			 "10.231.0.2", "app on windows: windows' address");
	cr_assert_str_eq(mu_entry(mu_ctr(pl, "demo-app-1"), "nginx"),
			 "10.231.0.1", "nginx on linux: linux' address");
	cr_assert_str_eq(plan_host_address(pl, 0), "10.231.0.1");
	plan_free(pl);

	/* Without its own, a daemon's peers take the project's address. */
	ds[0].host_address = NULL;
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(mu_entry(mu_ctr(pl, "demo-app-1"), "nginx"),
			 "192.168.65.254");
	cr_assert_str_eq(mu_entry(mu_ctr(pl, "demo-nginx-1"), "app"),
			 "10.231.0.2");
	plan_free(pl);

	/* Neither: the error names the daemon that lacks one. */
	o.host_address = NULL;
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "daemon 'linux'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "x-mixcompose.daemons.linux.host_address"),
		  "%s", err.msg);
	mu_free(p);
}

Test(planner_hosts, host_mode_without_address_fails)
{
	struct compose_project *p = mu_project("demo");
	struct plan_options o = {.address_mode = PLAN_ADDR_HOST};
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "a");
	p->mix.loc = (struct diag_loc){"compose.yaml", 2, 1};
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, &o, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 2);
	mu_free(p);
}

Test(planner_hosts, entries_exclude_own_names_include_peers)
{
	struct compose_project *p;
	struct plan *pl = mixed(&p, NULL);
	const struct plan_container *app = mu_ctr(pl, "demo-app-1");
	const struct plan_container *db = mu_ctr(pl, "demo-db-1");

	cr_assert_eq(app->n_extra_hosts, 4);
	cr_assert_null(mu_entry(app, "app"));
	cr_assert_null(mu_entry(app, "backend"));
	cr_assert_null(mu_entry(app, "demo-app-1"));
	cr_assert_str_eq(mu_entry(app, "db"), "172.30.0.2");
	/* Same-daemon peers are included too (nginx and db share linux). */
	cr_assert_str_eq(mu_entry(db, "nginx"), "172.30.0.3");
	cr_assert_str_eq(mu_entry(db, "backend"), "172.30.1.2");
	cr_assert_str_eq(db->extra_hosts[0].name, "app");
	cr_assert_eq(db->n_extra_hosts, 5);
	cr_assert_str_eq(db->extra_hosts[4].name, "nginx");
	plan_free(pl);
	mu_free(p);
}

/*
 * `up`'s hosts_lazy: the Linux container, all of its entries known and in
 * ExtraHosts, gets no block and no exec script (nothing would run them);
 * the Windows one keeps both, and so does everything with hosts_in_place.
 */
Test(planner_hosts, hosts_lazy_renders_only_what_runs)
{
	struct compose_project *p;
	struct plan_options lazy = {.hosts_lazy = true};
	struct plan_options in_place = {.hosts_lazy = true,
					.hosts_in_place = true};
	struct plan *pl = mixed(&p, &lazy);
	const struct plan_container *db = mu_ctr(pl, "demo-db-1");
	const struct plan_container *app = mu_ctr(pl, "demo-app-1");

	cr_assert_eq(db->extra_hosts_strv.n, 5);
	cr_assert_null(db->hosts_block);
	cr_assert_eq(db->hosts_exec.n, 0);
	cr_assert_not_null(app->hosts_block);
	cr_assert_eq(app->hosts_exec.n, 4);
	plan_free(pl);
	mu_free(p);
	pl = mixed(&p, &in_place);
	db = mu_ctr(pl, "demo-db-1");
	cr_assert_not_null(db->hosts_block);
	cr_assert_gt(db->hosts_exec.n, 0);
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, linux_gets_extra_hosts_windows_gets_exec)
{
	struct compose_project *p;
	struct plan *pl = mixed(&p, NULL);
	const struct plan_container *app = mu_ctr(pl, "demo-app-1");
	const struct plan_container *db = mu_ctr(pl, "demo-db-1");

	cr_assert_eq(db->hosts_mech, PLAN_HOSTS_EXTRA_HOSTS);
	cr_assert_eq(db->extra_hosts_strv.n, 5);
	cr_assert_str_eq(db->extra_hosts_strv.v[0], "app:172.30.1.2");
	cr_assert_eq(app->hosts_mech, PLAN_HOSTS_EXEC);
	cr_assert_eq(app->extra_hosts_strv.n, 0);
	cr_assert_eq(app->hosts_exec.n, 4);
	cr_assert_str_eq(app->hosts_exec.v[0], "cmd");
	cr_assert_str_eq(app->hosts_exec_user, "ContainerAdministrator");
	cr_assert_str_eq(app->hosts_block,
			 "# mixcompose begin\n"
			 "172.30.0.2 db demo-db-1 # mixcompose\n"
			 "172.30.0.3 demo-nginx-1 nginx # mixcompose\n"
			 "# mixcompose end\n");
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, user_extra_hosts_name_is_left_to_the_user)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *a = mu_service(p, "a");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "b");
	a->extra_hosts = arena_calloc(p->arena, 1, sizeof(*a->extra_hosts));
	a->extra_hosts[0].key = "b";
	a->extra_hosts[0].value = "10.0.0.1";
	a->n_extra_hosts = 1;
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_null(mu_entry(mu_ctr(pl, "demo-a-1"), "b"));
	cr_assert_not_null(mu_entry(mu_ctr(pl, "demo-a-1"), "demo-b-1"));
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, network_mode_service_shares_hosts_and_address)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *side = mu_service(p, "side");
	const struct plan_container *c;
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_service(p, "main");
	side->network_mode = "service:main";
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), 0, "%s",
		     err.msg);
	c = mu_ctr(pl, "demo-side-1");
	cr_assert_eq(c->n_endpoints, 0);
	cr_assert_eq(c->hosts_mech, PLAN_HOSTS_NONE);
	cr_assert_str_eq(mu_entry(mu_ctr(pl, "demo-main-1"), "side"),
			 "172.30.0.2");
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, bad_alias_is_refused_at_its_service)
{
	struct compose_project *p = mu_project("demo");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_attach(p, mu_service(p, "a"), "default", NULL, "bad&name");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 11);
	mu_free(p);
}

Test(planner_hosts, name_and_ip_checks)
{
	cr_assert(plan_hosts_name_ok("web-1.local_x"));
	cr_assert_not(plan_hosts_name_ok("-rf"));
	cr_assert_not(plan_hosts_name_ok("a b"));
	cr_assert_not(plan_hosts_name_ok("a'b"));
	cr_assert_not(plan_hosts_name_ok(""));
	cr_assert(plan_hosts_ip_ok("10.0.0.1"));
	cr_assert(plan_hosts_ip_ok("fd00::1"));
	cr_assert_not(plan_hosts_ip_ok("10.0.0.256"));
	cr_assert_not(plan_hosts_ip_ok("10.0.0.1;rm"));
	cr_assert_not(plan_hosts_ip_ok("::g"));
}

Test(planner_hosts, block_groups_names_by_address_and_skips_late)
{
	struct plan_host_entry e[] = {{"a", "10.0.0.2", false, false},
				      {"b", "10.0.0.3", false, false},
				      {"c", "10.0.0.2", false, false},
				      {"d", NULL, true, false}};
	struct sbuf sb = SBUF_INIT;
	struct diag err = {0};

	cr_assert_eq(plan_hosts_block(&sb, e, 4, &err), 0);
	cr_assert_str_eq(sb.buf, "# mixcompose begin\n"
				 "10.0.0.2 a c # mixcompose\n"
				 "10.0.0.3 b # mixcompose\n"
				 "# mixcompose end\n");
	sbuf_release(&sb);
}

Test(planner_hosts, block_refuses_injection)
{
	struct plan_host_entry bad_name[] = {
		{"a\nb", "10.0.0.2", false, false}};
	struct plan_host_entry bad_ip[] = {
		{"a", "10.0.0.2 evil", false, false}};
	struct sbuf sb = SBUF_INIT;
	struct arena *a = arena_new();
	struct compose_strv argv = {NULL, 0};
	struct diag err = {0};

	cr_assert_eq(plan_hosts_block(&sb, bad_name, 1, &err), DIAG_EPLAN);
	cr_assert_eq(plan_hosts_block(&sb, bad_ip, 1, &err), DIAG_EPLAN);
	cr_assert_eq(sb.len, 0);
	cr_assert_eq(plan_hosts_exec_argv(&argv, a, "windows", bad_ip, 1, &err),
		     DIAG_EPLAN);
	cr_assert_eq(plan_hosts_exec_argv(&argv, a, "linux", bad_name, 1, &err),
		     DIAG_EPLAN);
	arena_free(a);
}

Test(planner_hosts, windows_command_is_exact)
{
	struct plan_host_entry e[] = {{"db", "172.30.0.2", false, false}};
	struct arena *a = arena_new();
	struct compose_strv argv = {NULL, 0};
	struct diag err = {0};

	cr_assert_eq(plan_hosts_exec_argv(&argv, a, "windows", e, 1, &err), 0);
	cr_assert_eq(argv.n, 4);
	cr_assert_str_eq(argv.v[1], "/S");
	cr_assert_str_eq(argv.v[2], "/C");
	cr_assert_str_eq(
		argv.v[3],
		"findstr /V /R /C:#.mixcompose "
		"C:\\Windows\\System32\\drivers\\etc\\hosts > "
		"C:\\Windows\\Temp\\mixcompose-hosts.tmp & if not errorlevel 2 "
		"(type C:\\Windows\\Temp\\mixcompose-hosts.tmp > "
		"C:\\Windows\\System32\\drivers\\etc\\hosts & "
		">> C:\\Windows\\System32\\drivers\\etc\\hosts echo "
		"# mixcompose begin& "
		">> C:\\Windows\\System32\\drivers\\etc\\hosts echo "
		"172.30.0.2 db # mixcompose& "
		">> C:\\Windows\\System32\\drivers\\etc\\hosts echo "
		"# mixcompose end) & del /Q "
		"C:\\Windows\\Temp\\mixcompose-hosts.tmp");
	cr_assert_null(strchr(argv.v[3], '"'), "no double quote may appear");
	arena_free(a);
}

Test(planner_hosts, cmd_escape_covers_specials)
{
	struct sbuf sb = SBUF_INIT;

	plan_cmd_escape(&sb, "a^b&c|d<e>f(g)h%i");
	cr_assert_str_eq(sb.buf, "a^^b^&c^|d^<e^>f^(g^)h^%i");
	sbuf_release(&sb);
}

/* ---- The Linux script, run for real against a temporary file ------------ */

static char *script_for(const char *path,
			const struct plan_host_entry *e,
			size_t n,
			struct arena *a)
{
	struct compose_strv argv = {NULL, 0};
	struct diag err = {0};
	const char *s, *at;
	struct sbuf sb = SBUF_INIT;

	cr_assert_eq(plan_hosts_exec_argv(&argv, a, "linux", e, n, &err), 0);
	cr_assert_eq(argv.n, 3);
	cr_assert_str_eq(argv.v[0], "sh");
	cr_assert_str_eq(argv.v[1], "-c");
	s = argv.v[2];
	at = strstr(s, "f=/etc/hosts;");
	cr_assert_not_null(at);
	sbuf_add(&sb, s, (size_t)(at - s));
	sbuf_addf(&sb, "f=%s;", path);
	sbuf_adds(&sb, at + strlen("f=/etc/hosts;"));
	return sbuf_detach(&sb, NULL);
}

static void run_sh(const char *shell, const char *script)
{
	pid_t pid = fork();
	int st;

	cr_assert_neq(pid, -1);
	if (!pid) {
		execl(shell, shell, "-c", script, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s failed", shell);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[4096];
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void replace_block_in_place(const char *shell)
{
	char path[] = "/tmp/mixcompose-hosts-XXXXXX";
	int fd = mkstemp(path);
	struct arena *a = arena_new();
	struct plan_host_entry e1[] = {{"api", "10.0.0.2", false, false}};
	struct plan_host_entry e2[] = {{"api", "10.0.0.7", false, false},
				       {"db", "10.0.0.8", false, false}};
	/* ExtraHosts lines at create; the one for api went stale since. */
	const char *orig =
		"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"
		"10.0.0.99\tapi\n10.0.0.5\tother # *\n"
		"172.17.0.2\tabc123\n";
	struct stat before, after;
	char *s1, *s2;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, orig, strlen(orig)), (ssize_t)strlen(orig));
	close(fd);
	cr_assert_eq(stat(path, &before), 0);
	s1 = script_for(path, e1, 1, a);
	s2 = script_for(path, e2, 2, a);
	run_sh(shell, s1);
	cr_assert_str_eq(slurp(path), "127.0.0.1\tlocalhost\n"
				      "::1\tlocalhost ip6-localhost\n"
				      "10.0.0.5\tother # *\n"
				      "172.17.0.2\tabc123\n"
				      "# mixcompose begin\n"
				      "10.0.0.2 api # mixcompose\n"
				      "# mixcompose end\n");
	run_sh(shell, s2);
	run_sh(shell, s2); /* idempotent */
	cr_assert_str_eq(slurp(path), "127.0.0.1\tlocalhost\n"
				      "::1\tlocalhost ip6-localhost\n"
				      "10.0.0.5\tother # *\n"
				      "172.17.0.2\tabc123\n"
				      "# mixcompose begin\n"
				      "10.0.0.7 api # mixcompose\n"
				      "10.0.0.8 db # mixcompose\n"
				      "# mixcompose end\n");
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_eq(before.st_ino, after.st_ino, "the inode must not change");
	free(s1);
	free(s2);
	unlink(path);
	arena_free(a);
}

Test(planner_hosts, linux_script_replaces_block_in_place_sh)
{
	replace_block_in_place("/bin/sh");
}

Test(planner_hosts, linux_script_works_with_busybox)
{
	if (access("/bin/busybox", X_OK))
		cr_skip_test("no /bin/busybox");
	{
		char path[] = "/tmp/mixcompose-bb-XXXXXX";
		int fd = mkdtemp(path) ? 0 : -1;
		char link[64];

		cr_assert_eq(fd, 0);
		snprintf(link, sizeof(link), "%s/sh", path);
		cr_assert_eq(symlink("/bin/busybox", link), 0);
		replace_block_in_place(link);
		unlink(link);
		rmdir(path);
	}
}

Test(planner_hosts, linux_script_keeps_last_line_without_newline)
{
	char path[] = "/tmp/mixcompose-hosts-XXXXXX";
	int fd = mkstemp(path);
	struct arena *a = arena_new();
	struct plan_host_entry e[] = {{"x", "10.1.1.1", false, false}};
	char *s;

	cr_assert_eq(write(fd, "1.2.3.4 keep", 12), 12);
	close(fd);
	s = script_for(path, e, 1, a);
	run_sh("/bin/sh", s);
	cr_assert_str_eq(slurp(path), "1.2.3.4 keep\n# mixcompose begin\n"
				      "10.1.1.1 x # mixcompose\n"
				      "# mixcompose end\n");
	free(s);
	unlink(path);
	arena_free(a);
}

Test(planner_hosts, late_address_filled_in_after_start)
{
	struct compose_project *p = mu_project("demo");
	struct compose_network *n = mu_network(p, "ext", NULL);
	struct arena *a = arena_new();
	const struct plan_container *b;
	struct plan *pl = NULL;
	struct diag err = {0};
	size_t ai;

	n->external = true;
	n->name = "shared";
	mu_attach(p, mu_service(p, "a"), "ext", NULL, NULL);
	mu_attach(p, mu_service(p, "b"), "ext", NULL, NULL);
	mu_host_net(a, &hosts[0], "shared", "192.168.50.0/24", NULL);
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &err), 0, "%s",
		     err.msg);
	b = mu_ctr(pl, "demo-b-1");
	cr_assert_str_eq(mu_entry(b, "a"), "late");
	cr_assert_eq(b->extra_hosts_strv.n, 0,
		     "late entries are not in ExtraHosts");
	cr_assert(
		strstr(b->hosts_block, "# mixcompose begin\n# mixcompose end"));
	ai = plan_service_index(pl, "a");
	cr_assert_eq(plan_set_address(pl, pl->services[ai].first_container,
				      "nope", "192.168.50.7", &err),
		     DIAG_EPLAN);
	cr_assert_eq(plan_set_address(pl, pl->services[ai].first_container,
				      "shared", "192.168.50.7;x", &err),
		     DIAG_EPLAN);
	cr_assert_eq(plan_set_address(pl, pl->services[ai].first_container,
				      "shared", "192.168.50.7", &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(mu_entry(b, "a"), "192.168.50.7");
	cr_assert_eq(b->extra_hosts_strv.n, 2);
	cr_assert(
		strstr(b->hosts_block, "192.168.50.7 a demo-a-1 # mixcompose"));
	cr_assert(strstr(b->hosts_exec.v[2],
			 "'192.168.50.7 a demo-a-1 # mixcompose'"));
	cr_assert_not(pl->hosts_table[0].late);
	plan_free(pl);
	arena_free(a);
	mu_free(p);
}

/* a only on n1, b only on n2, c on both: compose's DNS scope. */
static struct plan *two_networks(struct compose_project **pp)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *c = mu_service(p, "c");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_network(p, "n1", NULL);
	mu_network(p, "n2", NULL);
	mu_attach(p, mu_service(p, "a"), "n1", NULL, "a-alias");
	mu_attach(p, mu_service(p, "b"), "n2", NULL, NULL);
	mu_platform(p, c, "windows/amd64");
	mu_attach(p, c, "n1", NULL, NULL);
	mu_attach(p, c, "n2", NULL, "c-on-n2");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	*pp = p;
	return pl;
}

static const char *endpoint_ip(const struct plan *pl,
			       const struct plan_container *c,
			       const char *key)
{
	for (size_t k = 0; k < c->n_endpoints; k++)
		if (!strcmp(pl->networks[c->endpoints[k].network].key, key))
			return c->endpoints[k].ipv4;
	return NULL;
}

Test(planner_hosts, names_are_scoped_by_network)
{
	struct compose_project *p;
	struct plan *pl = two_networks(&p);
	const struct plan_container *a = mu_ctr(pl, "demo-a-1");
	const struct plan_container *b = mu_ctr(pl, "demo-b-1");
	const struct plan_container *c = mu_ctr(pl, "demo-c-1");

	cr_assert_null(mu_entry(a, "b"), "a and b share no network");
	cr_assert_null(mu_entry(a, "demo-b-1"));
	cr_assert_null(mu_entry(b, "a"));
	cr_assert_null(mu_entry(b, "a-alias"), "an alias of n1 only");
	/* c is on both, across daemons: each peer at its shared address. */
	cr_assert_str_eq(mu_entry(a, "c"), endpoint_ip(pl, c, "n1"));
	cr_assert_str_eq(mu_entry(b, "c"), endpoint_ip(pl, c, "n2"));
	cr_assert_str_neq(endpoint_ip(pl, c, "n1"), endpoint_ip(pl, c, "n2"));
	cr_assert_null(mu_entry(a, "c-on-n2"), "an alias of n2 only");
	cr_assert_str_eq(mu_entry(b, "c-on-n2"), endpoint_ip(pl, c, "n2"));
	cr_assert_str_eq(mu_entry(c, "a"), endpoint_ip(pl, a, "n1"));
	cr_assert_str_eq(mu_entry(c, "a-alias"), endpoint_ip(pl, a, "n1"));
	cr_assert_str_eq(mu_entry(c, "b"), endpoint_ip(pl, b, "n2"));
	/* The table has a row per name and network. */
	for (size_t i = 0; i < pl->n_hosts_table; i++)
		if (!strcmp(pl->hosts_table[i].name, "c"))
			cr_assert_str_eq(
				pl->hosts_table[i].addr[0],
				endpoint_ip(pl, c, pl->hosts_table[i].network));
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, entries_are_a_label_outside_the_config_hash)
{
	struct compose_project *p;
	struct plan *pl = two_networks(&p);
	const struct plan_container *a = mu_ctr(pl, "demo-a-1");
	const struct plan_container *c = mu_ctr(pl, "demo-c-1");
	const char *ip = endpoint_ip(pl, c, "n1");
	char want[128];
	bool found = false;

	snprintf(want, sizeof(want), "c=%s,demo-c-1=%s", ip, ip);
	cr_assert_str_eq(a->hosts_label, want);
	for (size_t i = 0; i < a->n_labels; i++)
		if (!strcmp(a->labels[i].key, PLAN_LABEL_HOSTS)) {
			cr_assert_str_eq(a->labels[i].value, a->hosts_label);
			found = true;
		}
	cr_assert(found);
	for (size_t i = 1; i < a->n_labels; i++)
		cr_assert_lt(strcmp(a->labels[i - 1].key, a->labels[i].key), 0);
	plan_free(pl);
	mu_free(p);
}

Test(planner_hosts, stale_compares_addresses_of_shared_names)
{
	struct plan_host_entry e[] = {{"api", "10.0.0.7", false, false},
				      {"db", "10.0.0.8", false, false},
				      {"late1", NULL, true, false}};
	struct plan_container ct = {.extra_hosts = e, .n_extra_hosts = 3};
	struct arena *a = arena_new();

	cr_assert_null(plan_hosts_stale(a, &ct, NULL));
	cr_assert_null(plan_hosts_stale(a, &ct, ""));
	cr_assert_null(plan_hosts_stale(a, &ct, "api=10.0.0.7,db=10.0.0.8"));
	cr_assert_null(plan_hosts_stale(a, &ct, "api=10.0.0.7"),
		       "a new peer is no stale entry");
	cr_assert_null(plan_hosts_stale(a, &ct, "gone=1.2.3.4,late1=1.1.1.1"));
	cr_assert_str_eq(plan_hosts_stale(a, &ct, "api=10.0.0.7,db=10.0.9.8"),
			 "db 10.0.9.8 -> 10.0.0.8");
	cr_assert_str_eq(plan_hosts_stale(a, &ct, "api=10.0.0.77"),
			 "api 10.0.0.77 -> 10.0.0.7");
	cr_assert_str_eq(plan_hosts_stale(a, &ct, "api=10.0.0."),
			 "api 10.0.0. -> 10.0.0.7");
	arena_free(a);
}

Test(planner_hosts, stale_finds_names_that_share_a_prefix)
{
	/* Sorted by name, as collect_entries leaves them. */
	struct plan_host_entry e[] = {{"a", "10.0.0.1", false, false},
				      {"a-1", "10.0.0.2", false, false},
				      {"ab", "10.0.0.3", false, false},
				      {"b", NULL, true, false},
				      {"c", "10.0.0.5", false, false}};
	struct plan_container ct = {.extra_hosts = e, .n_extra_hosts = 5};
	struct arena *a = arena_new();

	cr_assert_null(plan_hosts_stale(
		a, &ct, "c=10.0.0.5,ab=10.0.0.3,a-1=10.0.0.2,a=10.0.0.1"));
	cr_assert_str_eq(plan_hosts_stale(a, &ct, "a=10.0.0.1,ab=10.0.0.9"),
			 "ab 10.0.0.9 -> 10.0.0.3");
	cr_assert_str_eq(plan_hosts_stale(a, &ct, "a-1=10.0.0.1"),
			 "a-1 10.0.0.1 -> 10.0.0.2");
	cr_assert_str_eq(plan_hosts_stale(a, &ct, "c=1.1.1.1"),
			 "c 1.1.1.1 -> 10.0.0.5");
	cr_assert_null(plan_hosts_stale(a, &ct,
					"b=1.1.1.1,aa=1.1.1.1,d=1.1.1.1,"
					"=1.1.1.1"));
	arena_free(a);
}

/* ---- Merging the block into a hosts file ----------------------------------
 */

static char *merged(const char *old, const char *block)
{
	struct sbuf sb = SBUF_INIT;

	plan_hosts_merge(&sb, old, strlen(old), block);
	return sbuf_detach(&sb, NULL);
}

static const char block_a[] = PLAN_HOSTS_BEGIN
	"\n"
	"172.30.1.2 api p-api-1 # mixcompose\n"
	"172.30.1.3 db p-db-1 # mixcompose\n" PLAN_HOSTS_END "\n";
static const char block_b[] = PLAN_HOSTS_BEGIN
	"\n"
	"172.30.1.9 api p-api-1 # mixcompose\n" PLAN_HOSTS_END "\n";

Test(planner_hosts, merge_keeps_user_lines_and_adds_the_block_once)
{
	const char *user = "127.0.0.1 localhost\n"
			   "# my own comment\n"
			   "10.0.0.7 intranet\n";
	char *once = merged(user, block_a), *twice = merged(once, block_a);

	cr_assert(!strncmp(once, user, strlen(user)), "%s", once);
	cr_assert_str_eq(once + strlen(user), block_a);
	cr_assert_str_eq(twice, once, "a second run changes nothing");
	free(once);
	free(twice);
}

Test(planner_hosts, merge_replaces_an_old_block_in_the_middle)
{
	const char *old = "127.0.0.1 localhost\n" PLAN_HOSTS_BEGIN "\n"
			  "172.30.1.2 api p-api-1 # mixcompose\n" PLAN_HOSTS_END
			  "\n10.0.0.7 intranet\n"
			  "172.30.1.1 stray # mixcompose\n";
	char *m = merged(old, block_b);

	cr_assert_str_eq(
		m,
		"127.0.0.1 localhost\n10.0.0.7 intranet\n" PLAN_HOSTS_BEGIN
		"\n172.30.1.9 api p-api-1 # mixcompose\n" PLAN_HOSTS_END "\n");
	free(m);
}

Test(planner_hosts, merge_keeps_windows_line_ends)
{
	const char *old = "# Copyright (c) 1993-2009 Microsoft Corp.\r\n"
			  "#\r\n"
			  "127.0.0.1 localhost\r\n"
			  "10.0.0.7 intranet"; /* no end on the last line */
	char *m = merged(old, block_b), *again = merged(m, block_b);

	cr_assert_str_eq(
		m, "# Copyright (c) 1993-2009 Microsoft Corp.\r\n"
		   "#\r\n127.0.0.1 localhost\r\n10.0.0.7 "
		   "intranet\r\n" PLAN_HOSTS_BEGIN "\r\n"
		   "172.30.1.9 api p-api-1 # mixcompose\r\n" PLAN_HOSTS_END
		   "\r\n");
	cr_assert_str_eq(again, m);
	free(m);
	free(again);
}

Test(planner_hosts, merge_into_an_empty_file)
{
	char *m = merged("", block_a);

	cr_assert_str_eq(m, block_a);
	free(m);
}

/* scale down: a gone name loses its ExtraHosts line, and gets none. */
Test(planner_hosts, linux_script_drops_gone_names)
{
	char path[] = "/tmp/mixcompose-gone-XXXXXX";
	int fd = mkstemp(path);
	struct arena *a = arena_new();
	struct plan_host_entry e[] = {{"web", "10.0.0.2", false, false},
				      {"p-web-3", NULL, false, true}};
	const char *orig = "127.0.0.1\tlocalhost\n10.0.0.2\tweb\n"
			   "10.0.0.4\tp-web-3\n10.0.0.9\tkept\n";
	char *s;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, orig, strlen(orig)), (ssize_t)strlen(orig));
	close(fd);
	s = script_for(path, e, 2, a);
	run_sh("/bin/sh", s);
	cr_assert_str_eq(slurp(path), "127.0.0.1\tlocalhost\n"
				      "10.0.0.9\tkept\n"
				      "# mixcompose begin\n"
				      "10.0.0.2 web # mixcompose\n"
				      "# mixcompose end\n");
	free(s);
	unlink(path);
	arena_free(a);
}
