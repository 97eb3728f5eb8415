/* Docker Desktop's two engines with no daemon map: the plan's defaults. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"

/*
 * The address Docker Desktop gives host.docker.internal in the host's own
 * hosts file (its setting "Add the *.docker.internal names to the host's
 * /etc/hosts file", on by default): the host as its containers reach it.
 * %SystemRoot% is set on Windows only.
 */
static const char *desktop_host_address(struct arena *a)
{
	const char *root = getenv("SystemRoot");
	const char *over = getenv("MIXCOMPOSE_HOST_HOSTS_FILE");
	char path[1024], line[1024];
	const char *found = NULL;
	FILE *f;

	if (over && *over)
		snprintf(path, sizeof(path), "%s", over);
	else if (root && *root)
		snprintf(path, sizeof(path),
			 "%s\\System32\\drivers\\etc\\hosts", root);
	else
		snprintf(path, sizeof(path), "/etc/hosts");
	if (!(f = fopen(path, "r")))
		return NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		char *save = NULL, *ip = strtok_r(line, " \t\r\n", &save), *n;

		if (!ip || *ip == '#')
			continue;
		while (!found && (n = strtok_r(NULL, " \t\r\n", &save)) &&
		       *n != '#')
			if (!strcmp(n, "host.docker.internal"))
				found = arena_strdup(a, ip);
	}
	fclose(f);
	return found;
}

void cli_plan_desktop_defaults(struct plan_options *o,
			       struct arena *a,
			       const struct compose_project *p,
			       const struct engine_registry *reg)
{
	if (!p || !reg || !engine_registry_is_desktop(reg) ||
	    o->address_mode != PLAN_ADDR_DEFAULT || p->mix.address_mode)
		return;
	o->address_mode = PLAN_ADDR_HOST;
	if (!o->host_address && !p->mix.host_address)
		o->host_address = desktop_host_address(a);
}
