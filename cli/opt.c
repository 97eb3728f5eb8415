/*
 * The option tables' parser and help: one table per command (struct
 * cli_spec) says every flag once.  Flags as compose v2 (cobra/pflag)
 * takes them: -x, -xVALUE, -x VALUE, clusters of flags (-dq), --name,
 * --name=VALUE, --name VALUE, flags between the arguments, "--".
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *cli_opt_name(char *buf, size_t size, const struct cli_opt *o)
{
	if (o->lname)
		snprintf(buf, size, "--%s", o->lname);
	else
		snprintf(buf, size, "-%c", o->sname);
	return buf;
}

int cli_opt_bool(const char *v)
{
	static const char *const yes[] = {"1",	  "t",	  "T",
					  "true", "TRUE", "True"};
	static const char *const no[] = {"0",	  "f",	   "F",
					 "false", "FALSE", "False"};

	if (!v)
		return 1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(v, yes[i]))
			return 1;
		if (!strcmp(v, no[i]))
			return 0;
	}
	return -1;
}

static bool opt_end(const struct cli_opt *o)
{
	return !o->sname && !o->lname;
}

static const struct cli_opt *
find_long(const struct cli_spec *s, const char *name, size_t len)
{
	for (const struct cli_opt *o = s->opts; o && !opt_end(o); o++)
		if (o->lname && strlen(o->lname) == len &&
		    !strncmp(o->lname, name, len))
			return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_spec *s, char c)
{
	for (const struct cli_opt *o = s->opts; o && !opt_end(o); o++)
		if (o->sname == c)
			return o;
	return NULL;
}

const struct cli_opt *cli_opt_find(const struct cli_spec *s, const char *arg)
{
	if (!strncmp(arg, "--", 2)) {
		const char *eq = strchr(arg + 2, '=');

		return find_long(s, arg + 2,
				 eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
	}
	if (arg[0] == '-' && arg[1])
		return find_short(s, arg[1]);
	return NULL;
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && !strncmp(p, v, n))
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static int set_int(const struct cli_spec *s,
		   const struct cli_opt *o,
		   void *field,
		   const char *v)
{
	char name[64];
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < o->min || n > o->max) {
		cli_errorf("%s: %s: '%s' is not %s", s->name,
			   cli_opt_name(name, sizeof(name), o), v,
			   o->what ? o->what : "a number in range");
		return CLI_USAGE;
	}
	if (o->size == sizeof(int))
		*(int *)field = (int)n;
	else
		*(long *)field = (long)n;
	return CLI_OK;
}

/* Applies one flag; 'v' is its value (NULL: none given). */
static int opt_apply(const struct cli_spec *s,
		     const struct cli_opt *o,
		     void *obj,
		     const char *v)
{
	void *field = (char *)obj + o->off;
	char name[64];

	if (v && o->choices && !choice_ok(o->choices, v)) {
		cli_errorf("%s: %s: '%s' is not one of %s", s->name,
			   cli_opt_name(name, sizeof(name), o), v, o->choices);
		return CLI_USAGE;
	}
	switch (o->kind) {
	case CLI_OPT_BOOL:
		*(bool *)field = true;
		return CLI_OK;
	case CLI_OPT_STR:
		*(const char **)field = v;
		return CLI_OK;
	case CLI_OPT_INT:
		return set_int(s, o, field, v);
	case CLI_OPT_FN:
		return o->fn(obj, v);
	}
	return CLI_USAGE;
}

static bool is_top(const struct cli_spec *s)
{
	return !strcmp(s->name, "mixcompose");
}

/* "mixcompose: CMD: <what> '<arg>'<post>", then the usage. */
static int usage_error(const struct cli_spec *s,
		       const char *what,
		       const char *arg,
		       const char *post)
{
	fprintf(stderr, "mixcompose: %s%s%s '%s'%s\n", is_top(s) ? "" : s->name,
		is_top(s) ? "" : ": ", what, arg, post);
	cli_opt_help(stderr, s);
	return CLI_USAGE;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

/* "--name[=VALUE]" at argv[*i]; may take argv[*i + 1] as the value. */
static int
parse_long(const struct cli_spec *s, void *obj, int argc, char **argv, int *i)
{
	const char *a = argv[*i] + 2;
	const char *eq = strchr(a, '=');
	const struct cli_opt *o =
		find_long(s, a, eq ? (size_t)(eq - a) : strlen(a));
	const char *v = eq ? eq + 1 : NULL;

	if (!o)
		return usage_error(s, "unknown option", argv[*i], "");
	if (!o->arg && v)
		return usage_error(s, "option", argv[*i], " takes no value");
	if (o->arg && !v && !(o->flags & CLI_OPT_OPTVAL)) {
		if (*i + 1 >= argc)
			return usage_error(s, "option", argv[*i],
					   " needs a value");
		v = argv[++*i];
	}
	return opt_apply(s, o, obj, v);
}

/* "-abc", "-tVALUE", "-t VALUE" at argv[*i]. */
static int
parse_short(const struct cli_spec *s, void *obj, int argc, char **argv, int *i)
{
	char bad[3] = "-?";

	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct cli_opt *o = find_short(s, *p);
		const char *v = NULL;
		int rc;

		bad[1] = *p;
		if (*p == 'h')
			return CLI_HELP;
		if (!o)
			return usage_error(s, "unknown option", bad, "");
		if (o->arg && !(o->flags & CLI_OPT_OPTVAL)) {
			if (p[1])
				v = p + 1;
			else if (*i + 1 < argc)
				v = argv[++*i];
			else
				return usage_error(s, "option", bad,
						   " needs a value");
		}
		rc = opt_apply(s, o, obj, v);
		if (rc || v)
			return rc;
	}
	return CLI_OK;
}

static int check_nargs(const struct cli_spec *s, char **argv, int n)
{
	if (s->max_args >= 0 && n > s->max_args) {
		cli_errorf("%s: unexpected argument '%s'", s->name,
			   argv[1 + s->max_args]);
		return CLI_USAGE;
	}
	if (n < s->min_args) {
		cli_errorf("%s: needs %s", s->name, s->args);
		cli_opt_help(stderr, s);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int cli_opt_parse(
	const struct cli_spec *s, void *obj, int argc, char **argv, int *nargs)
{
	int n = 0, i, rc = CLI_OK;

	*nargs = 0;
	for (i = 1; i < argc && !rc; i++) {
		char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (++i < argc)
				argv[1 + n++] = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			argv[1 + n++] = a;
			if (s->flags & CLI_SPEC_ARGS_END) {
				while (++i < argc)
					argv[1 + n++] = argv[i];
				break;
			}
			continue;
		}
		if (is_help(a))
			rc = CLI_HELP;
		else if (a[1] == '-')
			rc = parse_long(s, obj, argc, argv, &i);
		else
			rc = parse_short(s, obj, argc, argv, &i);
	}
	if (rc == CLI_HELP)
		cli_opt_help(stdout, s);
	if (rc)
		return rc;
	*nargs = n;
	return check_nargs(s, argv, n);
}

/* ---- Help -------------------------------------------------------------- */

static size_t opt_label(char *buf, size_t size, const struct cli_opt *o)
{
	int n = snprintf(buf, size, "%c%c%c %s%s%s%s%s", o->sname ? '-' : ' ',
			 o->sname ? o->sname : ' ',
			 o->sname && o->lname ? ',' : ' ', o->lname ? "--" : "",
			 o->lname ? o->lname : "",
			 o->arg && (o->flags & CLI_OPT_OPTVAL) ? "[=" : "",
			 o->arg && !(o->flags & CLI_OPT_OPTVAL) ? " " : "",
			 o->arg ? o->arg : "");
	if (o->arg && (o->flags & CLI_OPT_OPTVAL) && n > 0 &&
	    (size_t)n + 1 < size)
		buf[n++] = ']', buf[n] = '\0';
	return n > 0 ? (size_t)n : 0;
}

static void help_line(FILE *f, const char *label, size_t width, const char *h)
{
	fprintf(f, "  %-*s  ", (int)width, label);
	for (const char *p = h; *p; p++) {
		fputc(*p, f);
		if (*p == '\n' && p[1])
			fprintf(f, "  %-*s  ", (int)width, "");
	}
	fputc('\n', f);
}

void cli_opt_help(FILE *f, const struct cli_spec *s)
{
	bool top = is_top(s);
	char label[96];
	size_t width = 10;

	fprintf(f, "usage: mixcompose %s%s[OPTIONS]%s%s\n", top ? "" : s->name,
		top ? "" : " ", s->args && *s->args ? " " : "",
		s->args ? s->args : "");
	if (s->desc)
		fprintf(f, "\n%s\n", s->desc);
	for (const struct cli_opt *o = s->opts; o && !opt_end(o); o++) {
		size_t n = opt_label(label, sizeof(label), o);

		if (!(o->flags & CLI_OPT_HIDDEN) && n > width)
			width = n;
	}
	fprintf(f, "\nOptions:\n");
	for (const struct cli_opt *o = s->opts; o && !opt_end(o); o++) {
		if (o->flags & CLI_OPT_HIDDEN)
			continue;
		opt_label(label, sizeof(label), o);
		help_line(f, label, width, o->help ? o->help : "");
	}
	help_line(f, "-h, --help", width, "show this help");
}
