/*
 * mixcompose translate: the project as a Docker Swarm stack file or as
 * Kubernetes manifests, each service placed on nodes of its OS
 * (translate/).  What the target cannot carry is listed on stderr with
 * file:line:col and the key path.
 *
 * Why "translate": compose v2 already has `export` (a container's
 * filesystem as a tar), `convert` (an alias of `config`) and `bridge
 * convert` (a plugin that runs transformer images); mixcompose keeps
 * compose's words for compose's meanings.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "translate/translate.h"
#include "util/arena.h"

struct translate_cli {
	struct translate_options o;
	const char *to;
	const char *output;
};

/* --os-label[=KEY]: KEY defaults to "os". */
static int set_os_label(void *obj, const char *v)
{
	struct translate_cli *c = obj;

	c->o.os_label = v && *v ? v : "os";
	return CLI_OK;
}

#define T struct translate_cli
static const struct cli_opt translate_opts_v[] = {
	{.lname = "to", .kind = CLI_OPT_STR, CLI_OPT_FIELD(T, to),
	 .arg = "swarm|kubernetes", .choices = "swarm|kubernetes|k8s",
	 .help = "the target (required)"},
	{.lname = "os-label", .kind = CLI_OPT_FN, .fn = set_os_label,
	 .arg = "KEY", .flags = CLI_OPT_OPTVAL,
	 .help = "swarm: place by node label KEY (default os) instead of\n"
		 "node.platform.os"},
	{.lname = "endpoint-mode", .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(T, o.endpoint_mode), .arg = "vip|dnsrr",
	 .choices = "vip|dnsrr", .help = "swarm: every service's endpoint mode"},
	CLI_STR(0, "namespace", T, o.k8s_namespace, "NS",
		"kubernetes: the objects' namespace"),
	CLI_STR('o', "output", T, output, "FILE",
		"write to FILE instead of stdout"),
	CLI_OPT_END,
};
#undef T

const struct cli_spec cli_spec_translate = {
	.name = "translate",
	.summary = "print a Swarm stack file or Kubernetes manifests",
	.desc = "Print the project as a Swarm stack file or as Kubernetes\n"
		"manifests, each service placed on nodes of its OS; what "
		"cannot\nbe carried over is listed on stderr.",
	.opts = translate_opts_v,
};

/* Returns -1 to go on, or the exit status. */
static int translate_opts(struct translate_cli *c, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_translate, c, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	if (!c->to) {
		cli_errorf("translate needs --to swarm|kubernetes");
		return CLI_USAGE;
	}
	c->o.target = (enum translate_target)translate_target_parse(c->to);
	return -1;
}

/* translate_read_fn: a regular file's bytes, NUL terminated. */
static const char *
read_whole(void *ud, struct arena *a, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;

	(void)ud;
	if (!f)
		return NULL;
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) &&
	    st.st_size < 16 * 1024 * 1024) {
		buf = arena_alloc(a, (size_t)st.st_size + 1);
		*len = fread(buf, 1, (size_t)st.st_size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static int translate_write(const struct sbuf *sb, const char *output)
{
	FILE *f = output ? fopen(output, "w") : stdout;

	if (!f) {
		cli_errorf("cannot write '%s'", output);
		return CLI_FAIL;
	}
	fwrite(sb->buf, 1, sb->len, f);
	if (output && fclose(f)) {
		cli_errorf("cannot write '%s'", output);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_translate(int argc, char **argv)
{
	struct translate_cli c = {.o = {.read_file = read_whole}};
	struct compose_project *p;
	struct arena *a;
	struct translate_docs docs;
	struct diag_list notes = DIAG_LIST_INIT;
	struct sbuf sb = SBUF_INIT;
	struct diag err = {0};
	int rc = translate_opts(&c, argc, argv);

	if (rc >= 0)
		return rc;
	if (!(p = cli_project_load(true)))
		return CLI_FAIL;
	c.o.default_platform = getenv("DOCKER_DEFAULT_PLATFORM");
	a = arena_new();
	rc = translate_project(&docs, a, p, &c.o, &notes, &err);
	cli_print_diags(&notes);
	if (rc) {
		cli_error(&err);
		rc = err.code == DIAG_EUSAGE ? CLI_USAGE : CLI_FAIL;
	} else {
		translate_emit(&sb, &docs);
		rc = translate_write(&sb, c.output);
	}
	sbuf_release(&sb);
	diag_list_release(&notes);
	arena_free(a);
	compose_project_free(p);
	return rc;
}
