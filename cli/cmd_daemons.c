/* `mixcompose daemons`: the daemon map, probed. */
#include "cli/cli.h"

#include <string.h>

#include "engine/engine.h"
#include "util/sbuf.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/*
 * "yes"; "refused" for a daemon that answered but cannot be used (it
 * reports another OS than its entry declares, say); "no" when it did not
 * answer.
 */
static const char *reach_word(const struct engine_daemon *d)
{
	if (!d->reachable)
		return "no";
	return d->error ? "refused" : "yes";
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
		       reach_word(d), lat);
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

static void print_json(struct engine_registry *r)
{
	struct json *v = json_array_new();

	for (size_t i = 0; i < engine_registry_count(r); i++) {
		const struct engine_daemon *d = engine_registry_at(r, i);
		struct json *it = json_add_object(v, NULL);

		json_add_str(it, "name", d->name);
		json_add_str(it, "endpoint", d->url);
		json_add_str(it, "source", engine_source_name(d->source));
		json_add_str(it, "context", d->context);
		json_add_str(it, "os", d->os);
		json_add_str(it, "reported_os", d->reported_os);
		json_add_str(it, "arch", d->arch);
		json_add_str(it, "server_version", d->server_version);
		json_add_str(it, "api_version", d->api_version);
		json_add_bool(it, "lab", d->lab);
		json_add_bool(it, "stand_in", d->stand_in);
		json_add_bool(it, "reachable", d->reachable && !d->error);
		json_add_str(it, "error", d->error);
		json_add_num(it, "latency_ms", (double)d->latency_us / 1000.0,
			     3);
	}
	cli_json_print(v, 2);
}

struct daemons_opts {
	const char *format;
};

static const struct cli_opt daemons_opts_v[] = {
	CLI_FORMAT(struct daemons_opts,
		   format,
		   "table|json",
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
