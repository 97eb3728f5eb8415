/* What every command shares: reporting, colour, and loading the project. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "schema/schema.h"
#include "util/sbuf.h"

void cli_error(const struct diag *d)
{
	struct sbuf sb = SBUF_INIT;

	diag_format(&sb, d);
	fprintf(stderr, "mixcompose: %s\n", sb.buf);
	sbuf_release(&sb);
}

void cli_errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("mixcompose: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

size_t cli_print_diags(struct diag_list *dl)
{
	struct sbuf sb = SBUF_INIT;

	diag_list_sort(dl);
	for (size_t i = 0; i < dl->nr; i++) {
		struct diag d = dl->items[i].d;

		/* gcc's shape: "file:line:col: warning: message". */
		d.msg[0] = '\0';
		sbuf_reset(&sb);
		diag_format(&sb, &d);
		if (dl->items[i].severity == DIAG_WARNING)
			sbuf_adds(&sb, "warning: ");
		fprintf(stderr, "%s%s\n", sb.buf, dl->items[i].d.msg);
	}
	sbuf_release(&sb);
	return dl->errors;
}

bool cli_color(FILE *f)
{
	const char *a = cli_global.ansi;

	if (a && !strcmp(a, "always"))
		return true;
	if (a && !strcmp(a, "never"))
		return false;
	if (getenv("NO_COLOR"))
		return false;
	return compat_isatty(fileno(f));
}

/* Loads and merges the files; NULL after printing the error. */
static struct compose_project *load(bool no_interpolate)
{
	struct compose_options opts = {
		.files = cli_global.files,
		.n_files = cli_global.n_files,
		.project_name = cli_global.project_name,
		.project_dir = cli_global.project_dir,
		.env_files = cli_global.env_files,
		.n_env_files = cli_global.n_env_files,
		.profiles = cli_global.profiles,
		.n_profiles = cli_global.n_profiles,
		.no_interpolate = no_interpolate,
	};
	struct compose_project *p = NULL;
	struct diag err = {0};

	if (compose_project_load(&p, &opts, &err)) {
		cli_global.usage_failed |= err.code == DIAG_EUSAGE;
		cli_error(&err);
		return NULL;
	}
	return p;
}

struct compose_project *cli_project_load_raw(void)
{
	return load(true);
}

struct compose_project *cli_project_load(bool quiet_warnings)
{
	struct compose_project *p = load(cli_global.no_interpolate);
	struct diag_list dl = DIAG_LIST_INIT;

	if (!p)
		return NULL;
	/* Load warnings (unset variables, two candidate files) come first. */
	for (size_t i = 0; i < p->warnings.nr; i++)
		diag_list_add_diag(&dl, p->warnings.items[i].severity,
				   &p->warnings.items[i].d);
	/* Schema first: normalize may assume a well-typed tree. */
	schema_validate(p->doc, &dl);
	if (!dl.errors)
		compose_project_normalize(p, &dl);
	if (quiet_warnings && !dl.errors)
		dl.nr = 0;
	if (cli_print_diags(&dl)) {
		diag_list_release(&dl);
		compose_project_free(p);
		return NULL;
	}
	diag_list_release(&dl);
	return p;
}
