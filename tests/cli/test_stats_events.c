/*
 * stats and events: the rows and lines they print, from daemon replies
 * as a Linux and a Windows daemon send them (cli/cmd_stats.c and
 * cli/cmd_events.c compiled in; engine_stats_parse is the engine's).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_events.c"
#include "cli/cmd_stats.c"

__attribute__((weak)) void cli_signals_catch(volatile sig_atomic_t **flag)
{
	static volatile sig_atomic_t never;

	*flag = &never;
}

__attribute__((weak)) int cli_signal_status(void)
{
	return 130;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	cr_assert(f, "%s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	*len = sb.len;
	return sbuf_detach(&sb, NULL);
}

static void parse(struct engine_stats *s, const char *fixture, bool windows)
{
	struct diag err = {0};
	char path[512];
	size_t len;
	char *json;

	snprintf(path, sizeof(path), "%s/engine/stats/%s", TEST_FIXTURES_DIR,
		 fixture);
	json = slurp(path, &len);

	cr_assert_eq(engine_stats_parse(s, json, len, windows, &err), 0, "%s",
		     err.msg);
	free(json);
}

static char *format(const struct engine_stats *s, const char *daemon, bool json)
{
	struct cli_stats_row row = {daemon, s->id, s->name, s};
	struct sbuf out = SBUF_INIT;

	cli_stats_format(&out, &row, 1, json, true);
	return sbuf_detach(&out, NULL);
}

Test(cli_stats, windows_shape_has_no_limit_and_cpu_from_num_procs)
{
	struct engine_stats s;
	char *json;

	/* A Windows daemon's reply: the daemon's OS says which shape. */
	parse(&s, "windows.json", true);
	cr_assert(s.windows);
	/* 2 s apart on 2 processors: 4e7 possible 100 ns intervals; 1e7
	 * used. */
	cr_assert_float_eq(s.cpu_percent, 25.0, 1e-9);
	cr_assert_float_eq(s.mem, 52428800.0, 0.5);
	cr_assert_float_eq(s.mem_limit, 0.0, 0.5);
	cr_assert_float_eq(s.blk_read, 2000000.0, 0.5);
	cr_assert_float_eq(s.blk_write, 3000.0, 0.5);
	cr_assert_float_eq(s.net_rx, 1500.0, 0.5);
	json = format(&s, "windows", true);
	cr_assert_str_eq(
		json, "{\"BlockIO\":\"2MB / 3kB\",\"CPUPerc\":\"25.00%\","
		      "\"Container\":\"0123456789ab\",\"Daemon\":\"windows\","
		      "\"ID\":\"0123456789ab\",\"MemPerc\":\"--\","
		      "\"MemUsage\":\"50MiB\",\"Name\":\"w-web-1\","
		      "\"NetIO\":\"1.5kB / 700B\",\"PIDs\":\"--\"}\n");
	free(json);
}

Test(cli_stats, windows_shape_is_also_taken_from_os_type)
{
	struct engine_stats s;

	parse(&s, "windows.json", false);
	cr_assert(s.windows, "\"os_type\": \"windows\" in the reply");
}

Test(cli_stats, linux_shape_leaves_out_the_inactive_cache)
{
	struct engine_stats s;
	char *table;

	parse(&s, "linux.json", false);
	cr_assert_not(s.windows);
	/* (4e8 - 3e8) / (2e10 - 1e10) x 4 CPUs x 100 = 4 %. */
	cr_assert_float_eq(s.cpu_percent, 4.0, 1e-9);
	/* usage 10 MiB minus inactive_file 2 MiB, limit 1 GiB. */
	cr_assert_float_eq(s.mem, 8388608.0, 0.5);
	cr_assert_float_eq(s.mem_percent, 8388608.0 / 1073741824.0 * 100.0,
			   1e-9);
	cr_assert_eq(s.pids, 3);
	cr_assert_float_eq(s.blk_read, 4096.0, 0.5);
	cr_assert_float_eq(s.blk_write, 8192.0, 0.5);
	table = format(&s, "linux", false);
	cr_assert(strstr(table, "CONTAINER ID   NAME"), "%s", table);
	cr_assert(strstr(table, "fedcba987654   l-web-1   linux     4.00%     "
				"8MiB / 1GiB         0.78%     100B / 200B   "
				"4.1kB / 8.19kB   3\n"),
		  "%s", table);
	free(table);
}

Test(cli_stats, a_missing_sample_is_dashes)
{
	struct cli_stats_row row = {"linux", "0123456789abcdef", "x-1", NULL};
	struct sbuf out = SBUF_INIT;

	cli_stats_format(&out, &row, 1, true, false);
	cr_assert_str_eq(out.buf,
			 "{\"BlockIO\":\"--\",\"CPUPerc\":\"--\","
			 "\"Container\":\"0123456789abcdef\",\"Daemon\":"
			 "\"linux\",\"ID\":\"0123456789abcdef\",\"MemPerc\":"
			 "\"--\",\"MemUsage\":\"-- / --\",\"Name\":\"x-1\","
			 "\"NetIO\":\"--\",\"PIDs\":\"--\"}\n");
	sbuf_release(&out);
}

Test(cli_stats, a_reply_that_is_not_json_is_refused)
{
	struct engine_stats s;
	struct diag err = {0};

	cr_assert_eq(engine_stats_parse(&s, "[1]", 3, false, &err),
		     DIAG_ESYNTAX);
}

static const struct engine_kv ev_attrs[] = {
	{"com.docker.compose.project", "p"},
	{"com.docker.compose.service", "web"},
	{"image", "busybox"},
	{"name", "p-web-1"},
};

static const struct engine_event ev = {
	.type = "container",
	.action = "start",
	.id = "abc",
	.attributes = ev_attrs,
	.n_attributes = 4,
	.time_nano = 1700000000123456789LL,
};

Test(cli_events, json_as_compose_v2_with_the_daemon)
{
	struct sbuf out = SBUF_INIT;

	setenv("TZ", "UTC", 1);
	tzset();
	cli_event_format(&out, &ev, "windows", true);
	cr_assert_str_eq(out.buf,
			 "{\"action\":\"start\",\"attributes\":{\"image\":"
			 "\"busybox\",\"name\":\"p-web-1\"},\"daemon\":"
			 "\"windows\",\"id\":\"abc\",\"service\":\"web\","
			 "\"time\":\"2023-11-14T22:13:20.123456789Z\","
			 "\"type\":\"container\"}\n");
	sbuf_release(&out);
}

Test(cli_events, human_line_names_the_daemon)
{
	struct sbuf out = SBUF_INIT;

	setenv("TZ", "UTC", 1);
	tzset();
	cli_event_format(&out, &ev, "linux", false);
	cr_assert_str_eq(out.buf, "2023-11-14 22:13:20.123456 container start "
				  "abc (daemon=linux, image=busybox, "
				  "name=p-web-1)\n");
	sbuf_release(&out);
}

Test(cli_events, json_time_has_the_zone_offset_and_trims_zeros)
{
	char buf[64];

	setenv("TZ", "CET-1", 1);
	tzset();
	cli_event_time(buf, sizeof(buf), 1700000000500000000LL, true);
	cr_assert_str_eq(buf, "2023-11-14T23:13:20.5+01:00");
	cli_event_time(buf, sizeof(buf), 1700000000000000000LL, true);
	cr_assert_str_eq(buf, "2023-11-14T23:13:20+01:00");
	setenv("TZ", "UTC", 1);
	tzset();
}
