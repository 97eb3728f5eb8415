/*
 * `mixcompose __man DIR`: the man pages, written from the option tables
 * that --help prints (run at build time): mixcompose(1), one
 * mixcompose-COMMAND(1) per command, and mixcompose-file(5) for the
 * mixed-OS extensions of the compose file.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define MAN_DATE "2026-12-05"

/* Text for roff: backslashes, dashes, and a dot or quote at a line start. */
static void roff_text(FILE *f, const char *s)
{
	bool bol = true;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
		bol = *s == '\n';
	}
}

static void roff_line(FILE *f, const char *s)
{
	roff_text(f, s);
	fputc('\n', f);
}

/* One paragraph per blank-line-free block; a newline keeps the line. */
static void roff_para(FILE *f, const char *s)
{
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (line[0] == ' ')
			fputs(".br\n", f);
		roff_line(f, line[0] == ' ' ? line + strspn(line, " ") : line);
		p = nl ? nl + 1 : p + n;
	}
}

static void roff_options(FILE *f, const struct cli_opt *opts)
{
	fputs(".SH OPTIONS\n", f);
	for (const struct cli_opt *o = opts; o && (o->sname || o->lname); o++) {
		if (o->flags & CLI_OPT_HIDDEN)
			continue;
		fputs(".TP\n", f);
		if (o->sname)
			fprintf(f, "\\fB\\-%c\\fR%s", o->sname,
				o->lname ? ", " : "");
		if (o->lname) {
			fputs("\\fB\\-\\-", f);
			roff_text(f, o->lname);
			fputs("\\fR", f);
		}
		if (o->arg) {
			fputs((o->flags & CLI_OPT_OPTVAL) ? "[=\\fI" : " \\fI",
			      f);
			roff_text(f, o->arg);
			fputs((o->flags & CLI_OPT_OPTVAL) ? "\\fR]" : "\\fR",
			      f);
		}
		fputc('\n', f);
		roff_para(f, o->help ? o->help : "");
	}
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow this help\n", f);
}

static FILE *page_open(const char *dir, const char *name, int sect)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%d", dir, name, sect);
	f = fopen(path, "w");
	if (!f)
		cli_errorf("cannot write '%s': %s", path, strerror(errno));
	return f;
}

static int page_close(FILE *f)
{
	int rc = ferror(f);

	return (fclose(f) || rc) ? CLI_FAIL : CLI_OK;
}

static int command_page(const char *dir, const struct cli_spec *s)
{
	char name[64], upper[64];
	FILE *f;

	snprintf(name, sizeof(name), "mixcompose-%s", s->name);
	for (size_t i = 0; i < sizeof(upper); i++)
		if (!(upper[i] = (char)toupper((unsigned char)s->name[i])))
			break;
	upper[sizeof(upper) - 1] = '\0';
	if (!(f = page_open(dir, name, 1)))
		return CLI_FAIL;
	fprintf(f,
		".TH MIXCOMPOSE\\-%s 1 \"%s\" \"mixcompose %s\" "
		"\"mixcompose manual\"\n",
		upper, MAN_DATE, MIXCOMPOSE_VERSION);
	fputs(".SH NAME\n", f);
	roff_text(f, name);
	fputs(" \\- ", f);
	roff_line(f, s->summary);
	fputs(".SH SYNOPSIS\n\\fBmixcompose\\fR [\\fIGLOBAL OPTIONS\\fR] \\fB",
	      f);
	roff_text(f, s->name);
	fputs("\\fR [\\fIOPTIONS\\fR]", f);
	if (s->args && *s->args) {
		fputc(' ', f);
		roff_text(f, s->args);
	}
	fputs("\n.SH DESCRIPTION\n", f);
	roff_para(f, s->desc ? s->desc : s->summary);
	roff_options(f, s->opts);
	fputs(".SH SEE ALSO\n\\fBmixcompose\\fR(1), "
	      "\\fBmixcompose\\-file\\fR(5)\n",
	      f);
	return page_close(f);
}

static int main_page(const char *dir)
{
	FILE *f = page_open(dir, "mixcompose", 1);

	if (!f)
		return CLI_FAIL;
	fprintf(f,
		".TH MIXCOMPOSE 1 \"%s\" \"mixcompose %s\" "
		"\"mixcompose manual\"\n",
		MAN_DATE, MIXCOMPOSE_VERSION);
	fputs(".SH NAME\nmixcompose \\- ", f);
	roff_line(f, cli_spec_main.summary);
	fputs(".SH SYNOPSIS\n\\fBmixcompose\\fR [\\fIOPTIONS\\fR] "
	      "\\fICOMMAND\\fR [\\fIARGS\\fR...]\n.br\n"
	      "\\fBdocker mixcompose\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR "
	      "[\\fIARGS\\fR...]\n.SH DESCRIPTION\n",
	      f);
	roff_para(f, cli_spec_main.desc);
	fputs(".PP\nThe same binary is a docker CLI plugin: installed as "
	      "\\fBdocker\\-mixcompose\\fR in a cli\\-plugins directory it "
	      "runs as \\fBdocker mixcompose\\fR, and takes the docker CLI's "
	      "global options (\\fB\\-\\-context\\fR, \\fB\\-H\\fR, "
	      "\\fB\\-\\-config\\fR, the TLS ones) for the default daemon.\n",
	      f);
	roff_options(f, cli_spec_main.opts);
	fputs(".SH COMMANDS\n", f);
	for (const struct cli_cmd *c = cli_cmds; c->name; c++) {
		if (c->spec->flags & CLI_SPEC_HIDDEN)
			continue;
		fprintf(f, ".TP\n\\fBmixcompose\\-%s\\fR(1)\n", c->name);
		roff_line(f, c->spec->summary);
	}
	fputs(".SH EXIT STATUS\n0 for success, 1 for a failure, 2 for a usage "
	      "error; exec and run exit with the command's status.\n"
	      ".SH ENVIRONMENT\n"
	      ".TP\n\\fBMIXCOMPOSE_DAEMON_\\fINAME\\fR\n"
	      "a daemon of the daemon map: URL[,os=windows][,lab=true]\n"
	      ".TP\n\\fBDOCKER_HOST\\fR, \\fBDOCKER_CONTEXT\\fR, "
	      "\\fBDOCKER_TLS_VERIFY\\fR, \\fBDOCKER_CERT_PATH\\fR\n"
	      "the default daemon, as for the docker CLI\n"
	      ".TP\n\\fBCOMPOSE_FILE\\fR, \\fBCOMPOSE_PROJECT_NAME\\fR, "
	      "\\fBCOMPOSE_PROFILES\\fR\nas for docker compose\n"
	      ".SH SEE ALSO\n\\fBmixcompose\\-file\\fR(5), \\fBdocker\\fR(1)\n",
	      f);
	return page_close(f);
}

/* The file format page: what x-mixcompose adds to a compose file. */
static const char file_page_text[] =
	".SH NAME\nmixcompose\\-file \\- the mixed\\-OS extensions of a "
	"compose file\n"
	".SH SYNOPSIS\n.nf\n"
	"x\\-mixcompose:\n"
	"  daemons:\n"
	"    linux:   { endpoint: \"unix:///var/run/docker.sock\", os: linux "
	"}\n"
	"    windows: { endpoint: \"tcp://winhost:2376\", os: windows,\n"
	"               tls_verify: true, cert_path: ~/.docker/winhost }\n"
	"    desktop: { context: desktop\\-windows }\n"
	"  address_pool: 172.30.0.0/16\n"
	"  address_mode: container\n"
	"  host_address: 192.168.1.10\n"
	"services:\n"
	"  app:\n"
	"    platform: windows/amd64\n"
	"    x\\-mixcompose: { daemon: windows }\n"
	".fi\n"
	".SH DESCRIPTION\n"
	"mixcompose reads compose files as docker compose v2 does (the compose "
	"specification) and adds one extension, \\fBx\\-mixcompose\\fR, at the "
	"top level and per service.\n"
	"Each service runs on the daemon that matches its \\fBplatform\\fR, or "
	"on the daemon its \\fBx\\-mixcompose.daemon\\fR names.\n"
	".SH TOP\\-LEVEL KEYS\n"
	".TP\n\\fBdaemons\\fR\n"
	"The daemon map: name to \\fBendpoint\\fR (unix://, tcp://, ssh://) or "
	"\\fBcontext\\fR (a docker context), with \\fBos\\fR (linux, windows), "
	"\\fBarch\\fR, \\fBtls_verify\\fR, \\fBcert_path\\fR, \\fBlab\\fR "
	"(a Linux stand\\-in that declares another OS) and "
	"\\fBhost_address\\fR "
	"(where other daemons reach its published ports in host mode; default: "
	"the top\\-level \\fBhost_address\\fR).\n"
	"\\-\\-daemon flags and MIXCOMPOSE_DAEMON_\\fINAME\\fR variables come "
	"first, then this map, then the docker contexts on disk.\n"
	".TP\n\\fBaddress_pool\\fR\n"
	"The range that each daemon's copy of a project network takes its own "
	"subnet from (default 172.30.0.0/16), so the copies never overlap.\n"
	".TP\n\\fBaddress_mode\\fR\n"
	"\\fBcontainer\\fR (default): peers resolve to container addresses, "
	"for a routed network between the daemons; \\fBhost\\fR: to "
	"\\fBhost_address\\fR, through published ports (Docker Desktop).\n"
	".TP\n\\fBhost_address\\fR\n"
	"The host's address for \\fBaddress_mode: host\\fR (for every daemon "
	"that does not give its own).\n"
	".SH SERVICE KEYS\n"
	".TP\n\\fBx\\-mixcompose.daemon\\fR\n"
	"Pins the service to a daemon of the map by name, whatever its "
	"platform.\n"
	".SH NAMES ACROSS DAEMONS\n"
	"Every service name, alias and container name resolves from every "
	"daemon: a Linux container gets its peers as ExtraHosts, a Windows "
	"container a marked block in its hosts file, written after every "
	"start.\n"
	".SH FILES\n"
	".TP\n\\fI/usr/share/mixcompose/mixcompose.schema.json\\fR\n"
	"The JSON Schema of compose files with x\\-mixcompose, for editors "
	"(also printed by \\fBmixcompose schema\\fR).\n"
	".SH SEE ALSO\n\\fBmixcompose\\fR(1), \\fBmixcompose\\-config\\fR(1), "
	"\\fBmixcompose\\-plan\\fR(1)\n";

static int file_page(const char *dir)
{
	FILE *f = page_open(dir, "mixcompose-file", 5);

	if (!f)
		return CLI_FAIL;
	fprintf(f,
		".TH MIXCOMPOSE\\-FILE 5 \"%s\" \"mixcompose %s\" "
		"\"mixcompose manual\"\n",
		MAN_DATE, MIXCOMPOSE_VERSION);
	fputs(file_page_text, f);
	return page_close(f);
}

static const struct cli_opt man_opts_v[] = {CLI_OPT_END};

const struct cli_spec cli_spec_man = {
	.name = "__man",
	.args = "DIR",
	.summary = "write the man pages",
	.desc = "Write mixcompose.1, one mixcompose-COMMAND.1 per command and\n"
		"mixcompose-file.5 into DIR (run at build time).",
	.opts = man_opts_v,
	.min_args = 1,
	.max_args = 1,
	.flags = CLI_SPEC_HIDDEN,
};

int cmd_man(int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_man, NULL, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	rc = main_page(argv[1]);
	if (!rc)
		rc = file_page(argv[1]);
	for (const struct cli_cmd *c = cli_cmds; !rc && c->name; c++)
		if (!(c->spec->flags & CLI_SPEC_HIDDEN))
			rc = command_page(argv[1], c->spec);
	return rc;
}
