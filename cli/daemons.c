/* The daemon registry as every command builds it. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "util/xalloc.h"

/*
 * A MIXCOMPOSE_DAEMON_<NAME> variable outranks the file's
 * x-mixcompose.daemons (as the docs say), but a variable left over in a
 * shell or a CI job makes the file look ignored: say it, once per daemon.
 */
static void note_env_overrides(struct engine_registry *r)
{
	for (size_t i = 0; i < engine_registry_count(r); i++) {
		const struct engine_daemon *d = engine_registry_at(r, i);

		if (!d->file_endpoint)
			continue;
		fprintf(stderr,
			"note: daemon '%s': %s from the environment (%s) "
			"replaces the compose file's endpoint %s%s%s\n",
			d->name, d->env_var,
			d->url	     ? d->url
			: d->context ? d->context
				     : "-",
			d->file_endpoint, d->file_where ? " at " : "",
			d->file_where ? d->file_where : "");
	}
}

int cli_registry_build(struct engine_registry **out,
		       const struct compose_project *p,
		       struct diag *err)
{
	struct engine_registry_opts opts = {
		.flags = cli_global.daemons,
		.n_flags = cli_global.n_daemons,
	};
	struct engine_daemon_decl *decls = NULL;
	char **where = NULL;
	size_t n = p ? p->mix.n_daemons : 0;
	int rc;

	if (n) {
		decls = xcalloc(n, sizeof(*decls));
		where = xcalloc(n, sizeof(*where));
	}
	for (size_t i = 0; i < n; i++) {
		const struct compose_daemon *cd = &p->mix.daemons[i];
		struct sbuf sb = SBUF_INIT;

		if (cd->loc.file && cd->loc.line > 0)
			sbuf_addf(&sb, "%s:%d:%d", cd->loc.file, cd->loc.line,
				  cd->loc.col);
		else if (cd->loc.file)
			sbuf_adds(&sb, cd->loc.file);
		where[i] = sbuf_detach(&sb, NULL);
		decls[i] = (struct engine_daemon_decl){
			.name = cd->name,
			.endpoint = cd->endpoint,
			.context = cd->context,
			.os = cd->os,
			.arch = cd->arch,
			.lab = cd->lab,
			.tls_verify = cd->tls_verify > 0,
			.tls_verify_set = cd->tls_verify >= 0,
			.cert_path = cd->cert_path,
			.where = *where[i] ? where[i] : NULL,
		};
	}
	opts.decls = decls;
	opts.n_decls = n;
	rc = engine_registry_new(out, &opts, err);
	/* Only a bad --daemon is DIAG_EUSAGE here. */
	cli_global.usage_failed |= rc == DIAG_EUSAGE;
	if (!rc)
		note_env_overrides(*out);
	for (size_t i = 0; i < n; i++)
		free(where[i]);
	free(where);
	free(decls);
	return rc;
}

bool cli_project_present(void)
{
	static const char *const names[] = {"compose.yaml", "compose.yml",
					    "docker-compose.yaml",
					    "docker-compose.yml"};
	const char *dir = cli_global.project_dir ? cli_global.project_dir : ".";
	const char *cf = getenv("COMPOSE_FILE");
	char path[4096];

	if (cli_global.n_files || (cf && *cf))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}
