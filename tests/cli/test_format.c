/*
 * The pure formatting of rm, port, images, top and ls (cli/format.c,
 * compiled in here: cli/ is an executable, not a library).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cli/format.c"

static char *table(const char *const *heads,
		   size_t ncols,
		   char *const *cells,
		   size_t nrows,
		   size_t pad,
		   size_t min)
{
	struct sbuf sb = SBUF_INIT;

	cli_table_write(&sb, heads, ncols, cells, nrows, pad, min);
	return sbuf_detach(&sb, NULL);
}

Test(cli_format, table_pads_each_column_but_the_last)
{
	const char *heads[] = {"A", "BB", "C"};
	char *cells[] = {"xxxxx", "y", "last column"};
	char *s = table(heads, 3, cells, 1, 2, 4);

	/* widest 5 + 2 = 7; "BB" + 2 = 4 (the minimum). */
	cr_assert_str_eq(s, "A      BB  C\n"
			    "xxxxx  y   last column\n");
	free(s);
}

Test(cli_format, table_minimum_width_as_compose_prints_it)
{
	const char *heads[] = {"NAME", "STATUS"};
	char *cells[] = {"p", "running(1)"};
	char *s = table(heads, 2, cells, 1, 3, 20);

	cr_assert_str_eq(s, "NAME                STATUS\n"
			    "p                   running(1)\n");
	free(s);
}

Test(cli_format, table_without_rows_is_the_header)
{
	const char *heads[] = {"X", "Y"};
	char *s = table(heads, 2, NULL, 0, 2, 1);

	cr_assert_str_eq(s, "X  Y\n");
	free(s);
}

static void expect_size(long long bytes, const char *want)
{
	char buf[32];

	cli_human_size(buf, sizeof(buf), bytes);
	cr_assert_str_eq(buf, want, "%lld", bytes);
}

Test(cli_format, sizes_are_decimal_with_three_digits)
{
	expect_size(0, "0B");
	expect_size(999, "999B");
	expect_size(1000, "1kB");
	expect_size(1986774, "1.99MB");
	expect_size(141900000, "142MB");
	expect_size(5300000000LL, "5.3GB");
	/* As Go's %.3g does it. */
	expect_size(999999, "1e+03kB");
}

static void expect_ref(const char *ref, const char *repo, const char *tag)
{
	struct sbuf r = SBUF_INIT, t = SBUF_INIT;

	cli_image_ref_split(&r, &t, ref);
	cr_assert_str_eq(r.len ? r.buf : "", repo, "repo of %s", ref);
	cr_assert_str_eq(t.len ? t.buf : "", tag, "tag of %s", ref);
	sbuf_release(&r);
	sbuf_release(&t);
}

Test(cli_format, image_refs_split_into_familiar_repo_and_tag)
{
	expect_ref("local/busybox:lab", "local/busybox", "lab");
	expect_ref("nginx", "nginx", "latest");
	expect_ref("docker.io/library/nginx:1.25", "nginx", "1.25");
	expect_ref("docker.io/bitnami/redis", "bitnami/redis", "latest");
	expect_ref("localhost:5000/app:v2", "localhost:5000/app", "v2");
	expect_ref("localhost:5000/app", "localhost:5000/app", "latest");
	expect_ref("mcr.microsoft.com/dotnet/samples:aspnetapp",
		   "mcr.microsoft.com/dotnet/samples", "aspnetapp");
	expect_ref("alpine@sha256:abcd", "alpine", "");
	expect_ref("alpine:3@sha256:abcd", "alpine", "3");
	expect_ref("sha256:0123456789ab", "", "");
	expect_ref("", "", "");
}

Test(cli_format, ls_status_counts_each_state_sorted)
{
	const char *st[] = {"running", "exited", "running", "paused"};
	char *s = cli_ls_status(st, 4);

	cr_assert_str_eq(s, "exited(1), paused(1), running(2)");
	free(s);
	s = cli_ls_status(st, 1);
	cr_assert_str_eq(s, "running(1)");
	free(s);
	s = cli_ls_status(NULL, 0);
	cr_assert_str_eq(s ? s : "", "");
	free(s);
}

Test(cli_format, confirm_takes_yes_words_only)
{
	cr_assert(cli_confirm_answer("y\n"));
	cr_assert(cli_confirm_answer("  YES\n"));
	cr_assert(cli_confirm_answer("true"));
	cr_assert(cli_confirm_answer("1\r\n"));
	cr_assert_not(cli_confirm_answer("\n"));
	cr_assert_not(cli_confirm_answer(""));
	cr_assert_not(cli_confirm_answer(NULL));
	cr_assert_not(cli_confirm_answer("n"));
	cr_assert_not(cli_confirm_answer("yess"));
	cr_assert_not(cli_confirm_answer("no y"));
}

Test(cli_format, port_prefers_ipv4_and_matches_protocol)
{
	struct engine_port p[] = {
		{"::", 80, 8080, "tcp"},
		{"0.0.0.0", 80, 8080, "tcp"},
		{"0.0.0.0", 53, 5353, "udp"},
		{"", 81, 0, "tcp"},
	};

	cr_assert_eq(cli_port_find(p, 4, 80, "tcp"), 1);
	cr_assert_eq(cli_port_find(p, 1, 80, "tcp"), 0);
	cr_assert_eq(cli_port_find(p, 4, 53, "udp"), 2);
	cr_assert_eq(cli_port_find(p, 4, 53, "tcp"), -1);
	/* Exposed but not published: no public address. */
	cr_assert_eq(cli_port_find(p, 4, 81, "tcp"), -1);
	cr_assert_eq(cli_port_find(p, 0, 80, "tcp"), -1);
}

Test(cli_format, port_host_brackets_ipv6)
{
	struct engine_port v4 = {"127.0.0.1", 80, 49153, "tcp"};
	struct engine_port v6 = {"::", 80, 8080, "tcp"};
	struct engine_port none = {NULL, 80, 8080, NULL};
	struct sbuf sb = SBUF_INIT;

	cli_port_host(&sb, &v4);
	cr_assert_str_eq(sb.buf, "127.0.0.1:49153");
	sbuf_reset(&sb);
	cli_port_host(&sb, &v6);
	cr_assert_str_eq(sb.buf, "[::]:8080");
	sbuf_reset(&sb);
	cli_port_host(&sb, &none);
	cr_assert_str_eq(sb.buf, "0.0.0.0:8080");
	sbuf_release(&sb);
}

/* A process table as a daemon sends it. */
static struct engine_top *mk_top(const char *const *titles,
				 size_t nt,
				 const char *const *procs,
				 size_t np)
{
	struct engine_top *t = calloc(1, sizeof(*t));

	t->titles = (struct engine_strv){titles, nt};
	t->processes = calloc(np + 1, sizeof(*t->processes));
	for (size_t i = 0; i < np; i++)
		t->processes[i] = (struct engine_strv){procs + i * nt, nt};
	t->n_processes = np;
	return t;
}

Test(cli_format, top_merges_linux_and_windows_columns)
{
	static const char *const lt[] = {"UID", "PID", "CMD"};
	static const char *const lp[] = {"root", "12", "sleep 3600"};
	static const char *const wt[] = {"Name", "PID", "CPU"};
	static const char *const wp[] = {"ping.exe", "4242", "00:00:01.000"};
	struct engine_top *l = mk_top(lt, 3, lp, 1), *w = mk_top(wt, 3, wp, 1);
	struct cli_top_src src[] = {{"web", "1", "linux", l},
				    {"api", "2", "windows", w}};
	struct sbuf sb = SBUF_INIT;

	cli_top_format(&sb, src, 2);
	cr_assert_str_eq(sb.buf,
			 "SERVICE  #   DAEMON   UID   PID   Name      CPU    "
			 "       CMD\n"
			 "web      1   linux    root  12    -         -      "
			 "       sleep 3600\n"
			 "api      2   windows  -     4242  ping.exe  "
			 "00:00:01.000  -\n");
	sbuf_release(&sb);
	free(l->processes);
	free(l);
	free(w->processes);
	free(w);
}

Test(cli_format, top_without_processes_prints_nothing)
{
	static const char *const lt[] = {"UID", "PID", "CMD"};
	struct engine_top *l = mk_top(lt, 3, NULL, 0);
	struct cli_top_src src[] = {{"web", "1", "linux", l}};
	struct sbuf sb = SBUF_INIT;

	cli_top_format(&sb, src, 1);
	cr_assert_eq(sb.len, 0);
	cli_top_format(&sb, NULL, 0);
	cr_assert_eq(sb.len, 0);
	sbuf_release(&sb);
	free(l->processes);
	free(l);
}

Test(cli_format, top_short_process_row_leaves_dashes)
{
	static const char *const lt[] = {"UID", "PID", "CMD"};
	static const char *const lp[] = {"root", "7", "x"};
	struct engine_top *l = mk_top(lt, 3, lp, 1);
	struct cli_top_src src[] = {{"web", "1", "linux", l}};
	struct sbuf sb = SBUF_INIT;

	l->processes[0].n = 1; /* a daemon that sent one cell only */
	cli_top_format(&sb, src, 1);
	cr_assert(strstr(sb.buf, "\nweb      1   linux   root  -    -\n"), "%s",
		  sb.buf);
	sbuf_release(&sb);
	free(l->processes);
	free(l);
}
