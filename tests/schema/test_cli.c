/* `mixcompose schema`, and config's output of schema errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "helpers.h"
#include "util/sbuf.h"

static int run(struct sbuf *out, const char *args)
{
	char cmd[1024], buf[4096];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", MIXCOMPOSE_BIN, args);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sbuf_add(out, buf, n);
	return WEXITSTATUS(pclose(p));
}

Test(schema_cli, prints_the_embedded_schema)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(run(&out, "schema"), 0);
	cr_assert_str_eq(out.buf, schema_text_get());
	sbuf_release(&out);
}

Test(schema_cli, help_and_usage_errors)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(run(&out, "schema --help"), 0);
	cr_assert(strstr(out.buf, "usage: mixcompose schema") != NULL);
	sbuf_reset(&out);
	cr_assert_eq(run(&out, "schema --frobnicate"), 2);
	cr_assert(strstr(out.buf, "'--frobnicate'") != NULL, "%s", out.buf);
	sbuf_reset(&out);
	cr_assert_eq(run(&out, "schema -o /nonexistent-dir/s.json"), 1);
	sbuf_release(&out);
}

Test(schema_cli, config_reports_schema_errors_with_file_line_column)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(
		run(&out, "-f " FIXTURE("schema/bad_port.yaml") " config -q"),
		1);
	cr_assert(strstr(out.buf, "bad_port.yaml:14:9: services.web.ports[1]: "
				  "'80800' is not a valid port") != NULL,
		  "%s", out.buf);
	sbuf_release(&out);
}

Test(schema_cli, schema_error_in_a_later_document_is_located)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(
		run(&out,
		    "-f " FIXTURE(
			    "compose/multidoc/schema_error.yaml") " config -q"),
		1);
	cr_assert(strstr(out.buf, "schema_error.yaml:7:5: services.a: "
				  "unknown key 'prots'") != NULL,
		  "%s", out.buf);
	sbuf_release(&out);
}
