/*
 * The docker CLI plugin form: the same binary, named docker-mixcompose in
 * a cli-plugins directory, runs as `docker mixcompose ...`.  The plugin
 * protocol (docker/cli docs/extend/cli_plugins.md): the docker CLI asks
 * `docker-mixcompose docker-cli-plugin-metadata` for a JSON object, and
 * runs `docker-mixcompose [DOCKER GLOBAL OPTIONS] mixcompose ARGS...` with
 * its own arguments as they were typed (os.Args[1:]).  The docker CLI's
 * global options become the variables the daemon registry already reads
 * for the default daemon, with the docker CLI's precedence: --host and
 * --context over DOCKER_HOST and DOCKER_CONTEXT.
 */
#include "cli/cli.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"

#define PLUGIN_NAME "mixcompose"

struct docker_opts {
	bool debug;
	bool tls;
	bool tlsverify;
	const char *config;
	const char *context;
	const char *host;
	const char *log_level;
	const char *tlscacert;
	const char *tlscert;
	const char *tlskey;
};

#define O struct docker_opts
static const struct cli_opt docker_opts_v[] = {
	{.lname = "config",
	 .kind = CLI_OPT_STR,
	 CLI_OPT_FIELD(O, config),
	 .arg = "DIR",
	 .help = "the docker CLI's config directory",
	 .complete = CLI_COMPLETE_DIR},
	CLI_STR('c',
		"context",
		O,
		context,
		"NAME",
		"the docker context of the default daemon"),
	CLI_FLAG('D', "debug", O, debug, "say more (as --verbose)"),
	CLI_STR('H', "host", O, host, "URL", "the default daemon's endpoint"),
	CLI_STR('l', "log-level", O, log_level, "LEVEL", "(no effect)"),
	CLI_FLAG(0, "tls", O, tls, "TLS without verification"),
	CLI_STR(0,
		"tlscacert",
		O,
		tlscacert,
		"FILE",
		"CA certificate (its directory is the cert directory)"),
	CLI_STR(0, "tlscert", O, tlscert, "FILE", "client certificate"),
	CLI_STR(0, "tlskey", O, tlskey, "FILE", "client key"),
	CLI_FLAG(0, "tlsverify", O, tlsverify, "TLS, and verify the daemon"),
	CLI_OPT_END,
};
#undef O

static const struct cli_spec docker_spec = {
	.name = "docker",
	.args = "mixcompose [OPTIONS] COMMAND [ARGS...]",
	.desc = "mixcompose as a docker CLI plugin: docker's global options, "
		"then\nmixcompose's own.",
	.opts = docker_opts_v,
	.max_args = -1,
	.flags = CLI_SPEC_ARGS_END,
};

static void print_metadata(void)
{
	struct json *m = json_object_new();

	json_add_str(m, "SchemaVersion", "0.1.0");
	json_add_str(m, "Vendor", "mixcompose");
	json_add_str(m, "Version", MIXCOMPOSE_VERSION);
	json_add_str(m, "ShortDescription",
		     "One compose project across several Docker daemons");
	cli_json_print(m, 2);
}

/* The cert directory of --tlscacert/--tlscert/--tlskey: one for all. */
static int cert_dir(const struct docker_opts *o)
{
	const char *files[] = {o->tlscacert, o->tlscert, o->tlskey};
	char *dir = NULL;
	int rc = CLI_OK;

	for (size_t i = 0; i < 3 && !rc; i++) {
		char *copy, *d;

		if (!files[i])
			continue;
		copy = strdup(files[i]);
		d = dirname(copy);
		if (!dir)
			dir = strdup(d);
		else if (strcmp(dir, d)) {
			cli_errorf(
				"--tlscacert, --tlscert and --tlskey must be "
				"in one directory (ca.pem, cert.pem, "
				"key.pem)");
			rc = CLI_USAGE;
		}
		free(copy);
	}
	if (!rc && dir)
		compat_setenv("DOCKER_CERT_PATH", dir);
	free(dir);
	return rc;
}

/* The docker CLI's global options, as the registry's variables. */
static int docker_env(const struct docker_opts *o)
{
	if (o->context && o->host) {
		cli_errorf("conflicting options: either specify --host or "
			   "--context, not both");
		return CLI_USAGE;
	}
	if (o->config)
		compat_setenv("DOCKER_CONFIG", o->config);
	if (o->context) {
		compat_setenv("DOCKER_CONTEXT", o->context);
		compat_unsetenv("DOCKER_HOST");
	}
	if (o->host)
		compat_setenv("DOCKER_HOST", o->host);
	if (o->tlsverify)
		compat_setenv("DOCKER_TLS_VERIFY", "1");
	if (o->tls)
		compat_setenv("DOCKER_TLS", "1");
	if (o->debug)
		cli_global.verbose = true;
	return cert_dir(o);
}

int cli_plugin_args(int *argc, char ***argv)
{
	const char *self = strrchr((*argv)[0], '/');
	struct docker_opts o = {0};
	int n, rc;

	self = self ? self + 1 : (*argv)[0];
	if (*argc > 1 && !strcmp((*argv)[1], "docker-cli-plugin-metadata")) {
		print_metadata();
		return CLI_OK;
	}
	if (strcmp(self, "docker-" PLUGIN_NAME) != 0)
		return -1;
	rc = cli_opt_parse(&docker_spec, &o, *argc, *argv, &n);
	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	rc = docker_env(&o);
	if (rc)
		return rc;
	/* argv[1..n] now: "mixcompose" ARGS (or ARGS, run by hand). */
	if (n > 0 && !strcmp((*argv)[1], PLUGIN_NAME)) {
		(*argv)[1] = (*argv)[0];
		(*argv)++;
		n--;
	}
	*argc = n + 1;
	(*argv)[n + 1] = NULL;
	return -1;
}
