/* `mixcompose daemons`: the daemon map, probed. */
#include "cli/cli.h"

#include <string.h>

#include "engine/engine.h"
#include "util/sbuf.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void print_table(struct engine_registry *r)
{
	printf("%-10s %-36s %-8s %-16s %-16s %-5s %-10s %s\n", "NAME",
	       "ENDPOINT", "SOURCE", "OS/ARCH", "VERSION", "API", "REACHABLE",
	       "LATENCY");
	for (size_t i = 0; i < engine_registry_count(r); i++) {
		const struct engine_daemon *d = engine_registry_at(r, i);
		char osarch[64], lat[32] = "-";

		snprintf(osarch, sizeof(osarch), "%s/%s%s", or_dash(d->os),
			 or_dash(d->arch), d->stand_in ? "*" : "");
		if (d->reachable)
			snprintf(lat, sizeof(lat), "%.1fms",
				 (double)d->latency_us / 1000.0);
		printf("%-10s %-36s %-8s %-16s %-16s %-5s %-10s %s\n", d->name,
		       or_dash(d->url), engine_source_name(d->source), osarch,
		       or_dash(d->server_version), or_dash(d->api_version),
		       d->reachable && !d->error ? "yes" : "no", lat);
	}
	for (size_t i = 0; i < engine_registry_count(r); i++) {
		const struct engine_daemon *d = engine_registry_at(r, i);

		if (d->stand_in)
			printf("* %s: a lab stand-in; reports %s\n", d->name,
			       or_dash(d->reported_os));
		if (d->error)
			printf("%s: %s\n", d->name, d->error);
	}
}

static void json_field(struct sbuf *sb, const char *key, const char *val)
{
	sbuf_addf(sb, ", \"%s\": ", key);
	if (val)
		sbuf_add_json_str(sb, val);
	else
		sbuf_adds(sb, "null");
}

static void print_json(struct engine_registry *r)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, "[");
	for (size_t i = 0; i < engine_registry_count(r); i++) {
		const struct engine_daemon *d = engine_registry_at(r, i);

		sbuf_adds(&sb, i ? ",\n  {" : "\n  {");
		sbuf_adds(&sb, "\"name\": ");
		sbuf_add_json_str(&sb, d->name);
		json_field(&sb, "endpoint", d->url);
		json_field(&sb, "source", engine_source_name(d->source));
		json_field(&sb, "context", d->context);
		json_field(&sb, "os", d->os);
		json_field(&sb, "reported_os", d->reported_os);
		json_field(&sb, "arch", d->arch);
		json_field(&sb, "server_version", d->server_version);
		json_field(&sb, "api_version", d->api_version);
		sbuf_addf(&sb, ", \"lab\": %s, \"stand_in\": %s",
			  d->lab ? "true" : "false",
			  d->stand_in ? "true" : "false");
		sbuf_addf(&sb, ", \"reachable\": %s",
			  d->reachable && !d->error ? "true" : "false");
		json_field(&sb, "error", d->error);
		sbuf_addf(&sb, ", \"latency_ms\": %.3f}",
			  (double)d->latency_us / 1000.0);
	}
	sbuf_adds(&sb, engine_registry_count(r) ? "\n]\n" : "]\n");
	fputs(sb.buf, stdout);
	sbuf_release(&sb);
}

struct daemons_opts {
	const char *format;
};

static const struct cli_opt daemons_opts_v[] = {
	CLI_FORMAT(struct daemons_opts, format, "table|json",
		   "output format (default table)"),
	CLI_OPT_END,
};

const struct cli_spec cli_spec_daemons = {
	.name = "daemons",
	.summary = "list the daemons and probe each",
	.desc = "List the daemons of the project (from --daemon, "
		"MIXCOMPOSE_DAEMON_<NAME>,\n"
		"x-mixcompose.daemons and docker contexts) and probe each:\n"
		"OS/arch, server version, negotiated API, reachability, "
		"latency.",
	.opts = daemons_opts_v,
};

/* Returns -1 to go on, or the exit status. */
static int parse_opts(const char **format, int argc, char **argv)
{
	struct daemons_opts o = {.format = *format};
	int n, rc = cli_opt_parse(&cli_spec_daemons, &o, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	*format = o.format;
	return -1;
}

int cmd_daemons(int argc, char **argv)
{
	const char *format = "table";
	struct compose_project *p = NULL;
	struct engine_registry *r = NULL;
	struct diag err = {0};
	int rc = parse_opts(&format, argc, argv);

	if (rc >= 0)
		return rc;
	if (cli_project_present()) {
		p = cli_project_load(true);
		if (!p)
			return CLI_FAIL;
	}
	if (cli_registry_build(&r, p, &err)) {
		cli_error(&err);
		compose_project_free(p);
		return err.code == DIAG_EUSAGE ? CLI_USAGE : CLI_FAIL;
	}
	engine_registry_probe(r, &err);
	if (!strcmp(format, "json"))
		print_json(r);
	else
		print_table(r);
	rc = CLI_OK;
	for (size_t i = 0; i < engine_registry_count(r); i++) {
		const struct engine_daemon *d = engine_registry_at(r, i);

		if (d->error || !d->reachable)
			rc = CLI_FAIL;
	}
	engine_registry_free(r);
	compose_project_free(p);
	return rc;
}
