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

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "translate/translate.h"
#include "util/arena.h"

static void translate_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose translate --to swarm|kubernetes "
		"[OPTIONS]\n"
		"\n"
		"Print the project as a Swarm stack file or as Kubernetes\n"
		"manifests, each service placed on nodes of its OS; what "
		"cannot\n"
		"be carried over is listed on stderr.\n"
		"\n"
		"Options:\n"
		"      --to swarm|kubernetes   the target (required)\n"
		"      --os-label[=KEY]        swarm: place by node label KEY "
		"(default\n"
		"                              os) instead of "
		"node.platform.os\n"
		"      --endpoint-mode vip|dnsrr  swarm: every service's "
		"endpoint mode\n"
		"      --namespace NS          kubernetes: the objects' "
		"namespace\n"
		"  -o, --output FILE           write to FILE instead of "
		"stdout\n"
		"  -h, --help                  show this help\n");
}

struct translate_cli {
	struct translate_options o;
	const char *output;
};

enum { OPT_TO = 256, OPT_OS_LABEL, OPT_ENDPOINT, OPT_NS };

/* Returns -1 to go on, or the exit status. */
static int translate_opts(struct translate_cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"to", required_argument, NULL, OPT_TO},
		{"os-label", optional_argument, NULL, OPT_OS_LABEL},
		{"endpoint-mode", required_argument, NULL, OPT_ENDPOINT},
		{"namespace", required_argument, NULL, OPT_NS},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch, target = -1;

	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_TO:
			if ((target = translate_target_parse(optarg)) < 0) {
				cli_errorf("--to '%s': want swarm or "
					   "kubernetes",
					   optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_OS_LABEL:
			c->o.os_label = optarg && *optarg ? optarg : "os";
			break;
		case OPT_ENDPOINT:
			c->o.endpoint_mode = optarg;
			break;
		case OPT_NS:
			c->o.k8s_namespace = optarg;
			break;
		case 'o':
			c->output = optarg;
			break;
		case 'h':
			translate_usage(stdout);
			return CLI_OK;
		default:
			translate_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind < argc || target < 0) {
		if (target < 0)
			cli_errorf("translate needs --to swarm|kubernetes");
		translate_usage(stderr);
		return CLI_USAGE;
	}
	c->o.target = (enum translate_target)target;
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
