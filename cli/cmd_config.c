/* `mixcompose config`: validate and print the resolved model. */
#include "cli/cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "planner/planner.h"
#include "util/sbuf.h"

struct config_opts {
	const char *format;
	const char *output;
	const char *hash;
	bool services, profiles, volumes, networks, images, variables, quiet;
};

static int no_interp(void *obj, const char *v)
{
	(void)obj;
	(void)v;
	cli_global.no_interpolate = true;
	return CLI_OK;
}

#define O struct config_opts
static const struct cli_opt config_opts_v[] = {
	{.lname = "format",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(O, format),
	 .arg = "yaml|json",
	 .help = "output format (default yaml)"},
	CLI_FLAG(0, "services", O, services, "print the service names"),
	CLI_FLAG(0, "profiles", O, profiles, "print the profile names"),
	CLI_FLAG(0, "volumes", O, volumes, "print the volume names"),
	CLI_FLAG(0, "networks", O, networks, "print the network names"),
	CLI_FLAG(0, "images", O, images, "print the image names, one per line"),
	CLI_FLAG(0,
		 "variables",
		 O,
		 variables,
		 "print the model's variables and their default values"),
	{.lname = "hash",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(O, hash),
	 .arg = "SERVICE",
	 .help = "print a service's config hash ('*' for all)",
	 .complete = CLI_COMPLETE_SERVICE},
	CLI_FN(0,
	       "no-interpolate",
	       no_interp,
	       NULL,
	       "do not interpolate variables"),
	{.sname = 'o',
	 .lname = "output",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(O, output),
	 .arg = "FILE",
	 .help = "write to FILE instead of stdout",
	 .complete = CLI_COMPLETE_FILE},
	CLI_FLAG('q', "quiet", O, quiet, "only validate, print nothing"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_config = {
	.name = "config",
	.summary = "validate and print the resolved model",
	.desc = "Validate the compose files and print the resolved model.",
	.opts = config_opts_v,
};

/* Returns -1 to go on, or the exit status. */
static int parse_opts(struct config_opts *o, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_config, o, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	if (strcmp(o->format, "yaml") && strcmp(o->format, "json")) {
		cli_errorf("config: unsupported format '%s' (yaml or json)",
			   o->format);
		return CLI_USAGE;
	}
	return -1;
}

/* compose v2: the image, else the one a build gives, <project>-<service>. */
static void list_images(struct sbuf *sb, const struct compose_project *p)
{
	for (size_t i = 0; i < p->n_services; i++) {
		const struct compose_service *s = &p->services[i];

		if (s->image)
			sbuf_addf(sb, "%s\n", s->image);
		else
			sbuf_addf(sb, "%s-%s\n", p->name, s->name);
	}
}

/*
 * compose v2's table of the variables of the model as written (not
 * interpolated, so a required variable that is unset is no error).
 */
static int print_variables(void)
{
	static const char *const heads[] = {"NAME", "REQUIRED", "DEFAULT VALUE",
					    "ALTERNATE VALUE"};
	struct compose_project *p = cli_project_load_raw();
	struct compose_variable *v;
	struct sbuf out = SBUF_INIT;
	char **cells;
	size_t n;

	if (!p)
		return CLI_FAIL;
	n = compose_variables(p->doc, p->arena, &v);
	cells = calloc(4 * n + 1, sizeof(*cells));
	if (!cells)
		abort();
	for (size_t i = 0; i < n; i++) {
		cells[4 * i] = (char *)v[i].name;
		cells[4 * i + 1] = v[i].required ? "true" : "false";
		cells[4 * i + 2] = (char *)v[i].default_value;
		cells[4 * i + 3] = (char *)v[i].alternate;
	}
	cli_table_write(&out, heads, 4, cells, n, 3, 20);
	fwrite(out.buf, 1, out.len, stdout);
	sbuf_release(&out);
	free(cells);
	free(v);
	compose_project_free(p);
	return fflush(stdout) ? CLI_FAIL : CLI_OK;
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
	bool dollars; /* write each '$' as "$$" */
};

/*
 * As compose v2, an interpolated model is printed with every '$' doubled
 * (keys too), so that reading the output again gives the same values;
 * '$' is never YAML or JSON syntax, so the text can be escaped whole.
 */
static void write_escaped(struct out_file *o, const char *s, size_t n)
{
	while (n && !o->failed) {
		const char *d = memchr(s, '$', n);
		size_t k = d ? (size_t)(d - s) + 1 : n;

		if (fwrite(s, 1, k, o->f) != k ||
		    (d && fputc('$', o->f) == EOF))
			o->failed = true;
		s += k;
		n -= k;
	}
}

static void flush_out(void *userdata, struct sbuf *sb)
{
	struct out_file *o = userdata;

	if (o->dollars)
		write_escaped(o, sb->buf, sb->len);
	else if (sb->len && fwrite(sb->buf, 1, sb->len, o->f) != sb->len)
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
	else if (o->images)
		list_images(sb, p);
	else if (o->hash)
		return list_hashes(sb, p, o->hash);
	else {
		of->dollars = !cli_global.no_interpolate;
		compose_project_emit_to(sb, p, !strcmp(o->format, "json"),
					&sink);
	}
	flush_out(of, sb);
	return CLI_OK;
}

/* Writes to stdout or to 'path'; the output is streamed as it is built. */
static int write_config(const struct compose_project *p,
			const struct config_opts *o)
{
	struct out_file of = {stdout, false, false};
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
	if (o.variables)
		return print_variables();
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
