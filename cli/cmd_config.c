/* `mixcompose config`: validate and print the resolved model. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "planner/planner.h"
#include "util/sbuf.h"

struct config_opts {
	const char *format;
	const char *output;
	const char *hash;
	bool services, profiles, volumes, networks, quiet;
};

static void config_usage(FILE *f)
{
	fprintf(f,
		"usage: mixcompose [OPTIONS] config [OPTIONS]\n"
		"\n"
		"Validate the compose files and print the resolved model.\n"
		"\n"
		"Options:\n"
		"      --format yaml|json   output format (default yaml)\n"
		"      --services           print the service names\n"
		"      --profiles           print the profile names\n"
		"      --volumes            print the volume names\n"
		"      --networks           print the network names\n"
		"      --hash SERVICE       print a service's config hash "
		"('*' for all)\n"
		"      --no-interpolate     do not interpolate variables\n"
		"  -o, --output FILE        write to FILE instead of stdout\n"
		"  -q, --quiet              only validate, print nothing\n"
		"  -h, --help               show this help\n");
}

enum {
	OPT_FORMAT = 256,
	OPT_SERVICES,
	OPT_PROFILES,
	OPT_VOLUMES,
	OPT_NETWORKS,
	OPT_NO_INTERP,
	OPT_HASH,
};

/* Returns -1 to go on, or the exit status. */
static int parse_opts(struct config_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"services", no_argument, NULL, OPT_SERVICES},
		{"profiles", no_argument, NULL, OPT_PROFILES},
		{"volumes", no_argument, NULL, OPT_VOLUMES},
		{"networks", no_argument, NULL, OPT_NETWORKS},
		{"no-interpolate", no_argument, NULL, OPT_NO_INTERP},
		{"hash", required_argument, NULL, OPT_HASH},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case OPT_SERVICES:
			o->services = true;
			break;
		case OPT_PROFILES:
			o->profiles = true;
			break;
		case OPT_VOLUMES:
			o->volumes = true;
			break;
		case OPT_NETWORKS:
			o->networks = true;
			break;
		case OPT_NO_INTERP:
			cli_global.no_interpolate = true;
			break;
		case OPT_HASH:
			o->hash = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			config_usage(stdout);
			return CLI_OK;
		default:
			config_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_errorf("config: unexpected argument '%s'", argv[optind]);
		return CLI_USAGE;
	}
	if (strcmp(o->format, "yaml") && strcmp(o->format, "json")) {
		cli_errorf("config: unsupported format '%s' (yaml or json)",
			   o->format);
		return CLI_USAGE;
	}
	return -1;
}

static void add_profiles(const struct compose_service *v,
			 size_t n,
			 const char **seen,
			 size_t *nseen)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < v[i].profiles.n; j++) {
			const char *pr = v[i].profiles.v[j];
			size_t k = 0;

			while (k < *nseen && strcmp(seen[k], pr))
				k++;
			if (k == *nseen)
				seen[(*nseen)++] = pr;
		}
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list_profiles(struct sbuf *sb, const struct compose_project *p)
{
	size_t cap = 1, nseen = 0;
	const char **seen;

	for (size_t i = 0; i < p->n_services; i++)
		cap += p->services[i].profiles.n;
	for (size_t i = 0; i < p->n_disabled; i++)
		cap += p->disabled[i].profiles.n;
	seen = calloc(cap, sizeof(*seen));
	if (!seen)
		abort();
	add_profiles(p->services, p->n_services, seen, &nseen);
	add_profiles(p->disabled, p->n_disabled, seen, &nseen);
	qsort(seen, nseen, sizeof(*seen), cmp_str);
	for (size_t i = 0; i < nseen; i++)
		sbuf_addf(sb, "%s\n", seen[i]);
	free(seen);
}

/* FNV-1a 64 of the service's JSON: changes whenever its config does. */
static void service_hash(struct sbuf *sb,
			 const struct compose_project *p,
			 const struct compose_node *svcs,
			 size_t i)
{
	struct sbuf js = SBUF_INIT;
	uint64_t h = 1469598103934665603ULL;

	compose_node_emit_json(&js, svcs->pairs[i].value);
	for (size_t k = 0; k < js.len; k++) {
		h ^= (unsigned char)js.buf[k];
		h *= 1099511628211ULL;
	}
	sbuf_addf(sb, "%s %016llx\n", p->services[i].name,
		  (unsigned long long)h);
	sbuf_release(&js);
}

static int
list_hashes(struct sbuf *sb, const struct compose_project *p, const char *which)
{
	struct compose_node *root = compose_project_to_node(p);
	const struct compose_node *svcs = compose_map_get(root, "services");
	bool found = false;

	for (size_t i = 0; i < p->n_services; i++) {
		if (strcmp(which, "*") && strcmp(which, p->services[i].name))
			continue;
		service_hash(sb, p, svcs, i);
		found = true;
	}
	if (!found) {
		cli_errorf("config: no such service: %s", which);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/*
 * --services lists dependencies before their dependents, walking the
 * services by name as compose v2's ForEachService does.
 */
static void visit(struct sbuf *sb,
		  const struct compose_project *p,
		  const struct compose_service *s,
		  unsigned char *seen)
{
	size_t i = (size_t)(s - p->services);

	if (seen[i])
		return;
	seen[i] = 1;
	for (size_t d = 0; d < s->n_depends_on; d++) {
		const struct compose_service *dep =
			compose_service_find(p, s->depends_on[d].service);

		if (dep)
			visit(sb, p, dep, seen);
	}
	sbuf_addf(sb, "%s\n", s->name);
}

static void list_services(struct sbuf *sb, const struct compose_project *p)
{
	unsigned char *seen = calloc(p->n_services + 1, 1);

	if (!seen)
		abort();
	for (size_t i = 0; i < p->n_services; i++)
		visit(sb, p, &p->services[i], seen);
	free(seen);
}

struct out_file {
	FILE *f;
	bool failed;
};

static void flush_out(void *userdata, struct sbuf *sb)
{
	struct out_file *o = userdata;

	if (sb->len && fwrite(sb->buf, 1, sb->len, o->f) != sb->len)
		o->failed = true;
	sbuf_reset(sb);
}

static int render(struct sbuf *sb,
		  const struct compose_project *p,
		  const struct config_opts *o,
		  struct out_file *of)
{
	struct compose_emit_sink sink = {flush_out, of};

	if (o->services)
		list_services(sb, p);
	else if (o->volumes)
		for (size_t i = 0; i < p->n_volumes; i++)
			sbuf_addf(sb, "%s\n", p->volumes[i].key);
	else if (o->networks)
		for (size_t i = 0; i < p->n_networks; i++)
			sbuf_addf(sb, "%s\n", p->networks[i].key);
	else if (o->profiles)
		list_profiles(sb, p);
	else if (o->hash)
		return list_hashes(sb, p, o->hash);
	else
		compose_project_emit_to(sb, p, !strcmp(o->format, "json"),
					&sink);
	flush_out(of, sb);
	return CLI_OK;
}

/* Writes to stdout or to 'path'; the output is streamed as it is built. */
static int write_config(const struct compose_project *p,
			const struct config_opts *o)
{
	struct out_file of = {stdout, false};
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (o->output && !(of.f = fopen(o->output, "w"))) {
		cli_errorf("config: cannot write '%s': %s", o->output,
			   strerror(errno));
		return CLI_FAIL;
	}
	rc = render(&sb, p, o, &of);
	if (rc == CLI_OK)
		flush_out(&of, &sb);
	sbuf_release(&sb);
	if (fflush(of.f) || (o->output && fclose(of.f)) || of.failed) {
		cli_errorf("config: cannot write '%s': %s",
			   o->output ? o->output : "stdout", strerror(errno));
		return CLI_FAIL;
	}
	return rc;
}

int cmd_config(int argc, char **argv)
{
	struct config_opts o = {.format = "yaml"};
	struct compose_project *p;
	struct diag err = {0};
	int rc = parse_opts(&o, argc, argv);

	if (rc >= 0)
		return rc;
	p = cli_project_load(o.quiet);
	if (!p)
		return CLI_FAIL;
	/* As compose v2, config refuses what up would: a dependency cycle. */
	if (plan_check_dependencies(p, &err)) {
		cli_error(&err);
		compose_project_free(p);
		return CLI_FAIL;
	}
	rc = CLI_OK;
	if (!o.quiet)
		rc = write_config(p, &o);
	compose_project_free(p);
	return rc;
}
