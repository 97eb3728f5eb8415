/* logs: prefixes, the colour palette, and whole lines per container. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "planner/planner.h"

Test(cli_logs, prefix_is_padded_to_the_widest_label)
{
	struct sbuf sb = SBUF_INIT;

	cr_assert_eq(cli_logs_label_len("p-web-1", "linux"), 15);
	cli_logs_prefix(&sb, "p-web-1", "linux", 17, NULL);
	cr_assert_str_eq(sb.buf, "p-web-1 (linux)   | ");
	sbuf_reset(&sb);
	cli_logs_prefix(&sb, "p-api-1", "windows", 17, NULL);
	cr_assert_str_eq(sb.buf, "p-api-1 (windows) | ");
	sbuf_release(&sb);
}

Test(cli_logs, coloured_prefix_is_wrapped_and_reset)
{
	struct sbuf sb = SBUF_INIT;

	cli_logs_prefix(&sb, "a", NULL, 1, cli_logs_palette(0));
	cr_assert_str_eq(sb.buf, "\033[36ma | \033[0m");
	sbuf_release(&sb);
}

Test(cli_logs, palette_follows_compose_order_and_wraps)
{
	cr_assert_str_eq(cli_logs_palette(0), "\033[36m"); /* cyan */
	cr_assert_str_eq(cli_logs_palette(1), "\033[33m"); /* yellow */
	cr_assert_str_eq(cli_logs_palette(2), "\033[32m"); /* green */
	cr_assert_str_eq(cli_logs_palette(3), "\033[35m"); /* magenta */
	cr_assert_str_eq(cli_logs_palette(4), "\033[34m"); /* blue */
	cr_assert_str_eq(cli_logs_palette(5), "\033[36;1m");
	cr_assert_str_eq(cli_logs_palette(10), cli_logs_palette(0));
}

/* Feeds chunks into a source writing to memory; returns the text. */
struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	cr_assert_not_null(m->f);
}

static void mem_close(struct mem *m)
{
	fclose(m->f);
}

Test(cli_logs, partial_lines_wait_for_their_end)
{
	struct cli_logs_src s;
	struct mem m;

	mem_open(&m);
	cli_logs_src_init(&s, m.f, "w | ");
	cli_logs_src_feed(&s, ENGINE_STDOUT, "hel", 3);
	fflush(m.f);
	cr_assert_eq(m.len, 0, "half a line was written");
	cli_logs_src_feed(&s, ENGINE_STDOUT, "lo\nwor", 6);
	cli_logs_src_feed(&s, ENGINE_STDOUT, "ld\n", 3);
	cli_logs_src_release(&s);
	mem_close(&m);
	cr_assert_str_eq(m.buf, "w | hello\nw | world\n");
	free(m.buf);
}

Test(cli_logs, stdout_and_stderr_fragments_do_not_mix)
{
	struct cli_logs_src s;
	struct mem m;

	mem_open(&m);
	cli_logs_src_init(&s, m.f, "x | ");
	cli_logs_src_feed(&s, ENGINE_STDOUT, "out-", 4);
	cli_logs_src_feed(&s, ENGINE_STDERR, "err-line\n", 9);
	cli_logs_src_feed(&s, ENGINE_STDOUT, "line\n", 5);
	cli_logs_src_release(&s);
	mem_close(&m);
	cr_assert_str_eq(m.buf, "x | err-line\nx | out-line\n");
	cr_assert_eq(s.lines, 2);
	free(m.buf);
}

Test(cli_logs, last_unterminated_line_is_flushed_on_release)
{
	struct cli_logs_src s;
	struct mem m;

	mem_open(&m);
	cli_logs_src_init(&s, m.f, NULL);
	cli_logs_src_feed(&s, ENGINE_STDOUT, "a\n\nb", 4);
	cli_logs_src_release(&s);
	mem_close(&m);
	cr_assert_str_eq(m.buf, "a\n\nb\n");
	free(m.buf);
}

Test(cli_logs, two_sources_interleave_only_whole_lines)
{
	struct cli_logs_src a, b;
	struct mem m;

	mem_open(&m);
	cli_logs_src_init(&a, m.f, "a | ");
	cli_logs_src_init(&b, m.f, "b | ");
	cli_logs_src_feed(&a, ENGINE_STDOUT, "one ", 4);
	cli_logs_src_feed(&b, ENGINE_STDOUT, "two\n", 4);
	cli_logs_src_feed(&a, ENGINE_STDOUT, "done\n", 5);
	cli_logs_src_release(&a);
	cli_logs_src_release(&b);
	mem_close(&m);
	cr_assert_str_eq(m.buf, "b | two\na | one done\n");
	free(m.buf);
}

Test(cli_logs, colours_follow_service_names_across_daemons)
{
	struct plan_host_container lin[] = {
		{.name = "p-web-1", .service = "web"},
		{.name = "p-web-2", .service = "web"},
	};
	struct plan_host_container win[] = {
		{.name = "p-db-1", .service = "db"},
		{.name = "p-api-1", .service = "api"},
	};
	struct plan_host hosts[] = {
		{.name = "linux", .containers = lin, .n_containers = 2},
		{.name = "windows", .containers = win, .n_containers = 2},
	};
	struct cli_logs_opts all = {0};
	char *sel[] = {"web", "db"};
	struct cli_logs_opts some = {.services = sel, .n_services = 2};

	cr_assert_eq(cli_logs_color_index(hosts, 2, &all, "api"), 0);
	cr_assert_eq(cli_logs_color_index(hosts, 2, &all, "db"), 1);
	cr_assert_eq(cli_logs_color_index(hosts, 2, &all, "web"), 2);
	cr_assert_eq(cli_logs_color_index(hosts, 2, &some, "db"), 0);
	cr_assert_eq(cli_logs_color_index(hosts, 2, &some, "web"), 1);
}

Test(cli_logs, tty_carriage_returns_end_the_line_once)
{
	struct cli_logs_src s;
	struct mem m;

	mem_open(&m);
	cli_logs_src_init(&s, m.f, "t | ");
	cli_logs_src_feed(&s, ENGINE_STDOUT, "one\r\ntwo\r", 9);
	cli_logs_src_feed(&s, ENGINE_STDOUT, "\n", 1);
	cli_logs_src_release(&s);
	mem_close(&m);
	cr_assert_str_eq(m.buf, "t | one\nt | two\n");
	free(m.buf);
}

Test(cli_logs, log_times_as_the_docker_cli_reads_them)
{
	char t[40];

	cr_assert_eq(cli_log_time(t, sizeof(t), "1700000000", 0), 0);
	cr_expect_str_eq(t, "1700000000");
	cr_assert_eq(cli_log_time(t, sizeof(t), "1700000000.25", 0), 0);
	cr_expect_str_eq(t, "1700000000.25");
	cr_assert_eq(cli_log_time(t, sizeof(t), "10m", 1000), 0);
	cr_expect_str_eq(t, "400.000000000");
	cr_assert_eq(cli_log_time(t, sizeof(t), "1h30m", 10000), 0);
	cr_expect_str_eq(t, "4600.000000000");
	cr_assert_eq(cli_log_time(t, sizeof(t), "1.5s300ms", 10), 0);
	cr_expect_str_eq(t, "8.200000000");
	cr_assert_eq(cli_log_time(t, sizeof(t), "2023-11-14T22:13:20Z", 0), 0);
	cr_expect_str_eq(t, "1700000000.000000000");
	cr_assert_eq(cli_log_time(t, sizeof(t), "2023-11-14T23:13:20+01:00", 0),
		     0);
	cr_expect_str_eq(t, "1700000000.000000000");
	cr_assert_eq(cli_log_time(t, sizeof(t), "1970-01-02T00:00:00.5Z", 0),
		     0);
	cr_expect_str_eq(t, "86400.500000000");
	cr_expect_eq(cli_log_time(t, sizeof(t), "abc", 0), -1);
	cr_expect_eq(cli_log_time(t, sizeof(t), "10x", 0), -1);
	cr_expect_eq(cli_log_time(t, sizeof(t), "-5m", 0), -1);
	cr_expect_eq(cli_log_time(t, sizeof(t), "2023-13-01", 0), -1);
	cr_expect_eq(cli_log_time(t, sizeof(t), "2023-11-14T22:13:20Q", 0), -1);
	cr_expect_eq(cli_log_time(t, sizeof(t), "", 0), -1);
}
