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
