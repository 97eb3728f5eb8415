/*
 * The progress display of up/down (cli/progress.c): what a job's
 * apply_job_info becomes on a plain terminal.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cli/progress.c"

Test(cli_progress, progress_plain_prints_one_line_per_change)
{
	struct cli_progress *p = cli_progress_new("plain", "Running");
	struct apply_job_info in = {.line = "Container x-web-1",
				    .daemon = "windows",
				    .doing = "Starting",
				    .done = "Started",
				    .noop = "Running"};
	struct engine_job j = {.kind = ENGINE_JOB_CONTAINER_START, .ud = &in};
	FILE *f = tmpfile();
	char buf[256] = "";
	size_t n;

	cr_assert_not_null(p);
	p->f = f;
	j.state = ENGINE_JOB_WAITING;
	cli_progress_job(p, &j, 1, 0);
	j.state = ENGINE_JOB_WORKING;
	cli_progress_job(p, &j, 1, 0);
	j.state = ENGINE_JOB_DONE;
	j.noop = true;
	cli_progress_job(p, &j, 1, 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	cr_assert_str_eq(buf, " Container x-web-1 (windows)  Starting\n"
			      " Container x-web-1 (windows)  Running\n");
	cr_assert_null(cli_progress_new("fancy", "Running"));
	fclose(f);
	cli_progress_free(p);
}

/* The text of 'f' from its start, in 'buf'. */
static const char *read_all(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	return buf;
}

/*
 * A removal left in use (engine_job.in_use) is a warning line, as compose
 * v2 draws it: its own text, a '!' on a terminal, "warning" in JSON; a
 * missing network's noop is a warning too.
 */
Test(cli_progress, in_use_and_missing_network_are_warning_lines)
{
	struct apply_job_info in = {.line = "Volume p_data",
				    .daemon = "linux",
				    .doing = "Removing",
				    .done = "Removed",
				    .noop = "No resource found to remove",
				    .noop_warn = true,
				    .in_use = "Resource is still in use"};
	struct engine_job j = {.kind = ENGINE_JOB_VOLUME_REMOVE,
			       .ud = &in,
			       .state = ENGINE_JOB_DONE,
			       .in_use = true};
	const char *modes[] = {"plain", "tty", "json"};
	const char *want[] = {
		" Volume p_data (linux)  Resource is still in use\n",
		" ! Volume p_data (linux)  Resource is still in use",
		"\"status\":\"Resource is still in use\",\"state\":\"warning\"",
	};
	char buf[512];

	strcpy(j.err.msg, "Volume p_data (linux): daemon 'linux': 409");
	for (size_t m = 0; m < 3; m++) {
		struct cli_progress *p = cli_progress_new(modes[m], "Running");
		FILE *f = tmpfile();

		p->f = f;
		p->color = false;
		cli_progress_job(p, &j, 1, 0);
		cr_assert(strstr(read_all(f, buf, sizeof(buf)), want[m]),
			  "%s: %s", modes[m], buf);
		cr_assert_eq(p->v[0].state, LINE_WARNING);
		fclose(f);
		cli_progress_free(p);
	}
	j.in_use = false;
	j.noop = true;
	{
		struct cli_progress *p = cli_progress_new("plain", "Running");
		FILE *f = tmpfile();

		p->f = f;
		cli_progress_job(p, &j, 1, 0);
		cr_assert_str_eq(read_all(f, buf, sizeof(buf)),
				 " Volume p_data (linux)  No resource found "
				 "to remove\n");
		cr_assert_eq(p->v[0].state, LINE_WARNING);
		fclose(f);
		cli_progress_free(p);
	}
}
