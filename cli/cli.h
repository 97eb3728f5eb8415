#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "compose/compose.h"

/* One subcommand: cmd_<name>(argc, argv) with argv[0] the command name. */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* Options that come before the command, as in docker compose. */
struct cli_global {
	const char *files[64];
	size_t n_files;
	const char *project_name;
	const char *project_dir;
	const char *env_files[16];
	size_t n_env_files;
	const char *profiles[32];
	size_t n_profiles;
	const char *daemons[32]; /* --daemon NAME=URL | NAME=context:CTX */
	size_t n_daemons;
	bool no_interpolate;
	bool verbose;
	const char *ansi; /* never|always|auto */
};

extern struct cli_global cli_global;

enum {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_USAGE = 2,
};

/*
 * Loads, validates and normalizes the project named by the global
 * options; prints warnings and errors (file:line:col) to stderr.
 * 'interpolate' false is --no-interpolate for this command.  Returns the
 * project or NULL (everything already reported).
 */
struct compose_project *cli_project_load(bool quiet_warnings);

/* Prints "mixcompose: <diag>" to stderr. */
void cli_error(const struct diag *d);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the list's items ("warning: " for warnings); returns its errors. */
size_t cli_print_diags(struct diag_list *dl);
/* True if stdout/stderr should get colour. */
bool cli_color(FILE *f);

/* Looks up a command by name (NULL if none). */
const struct cli_cmd *cli_cmd_find(const char *name);

int cmd_config(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* ---- The project's state on every daemon (cli/state.c) ---------------- */

struct plan_host;
struct engine_daemon;
struct engine_registry;
struct engine_port;
struct arena;

/* What `ps` shows besides the planner's facts, one per plan_host_container. */
struct cli_container_ext {
	const char *image;
	const char *status; /* "Up 3 minutes" */
	struct engine_port *ports;
	size_t n_ports;
};

/*
 * Fills one plan_host per daemon of 'reg', in registry order, everything
 * in 'a'.  Probes the registry first if any entry is not probed yet.  For
 * each usable daemon (probed, reachable, no OS mismatch), concurrently:
 * the containers labelled com.docker.compose.project=<project_name>
 * (all=1, sorted by name), then ALL its networks and its volumes.  name,
 * os (the effective one: declared for a lab stand-in), engine_os (the
 * reported one), arch, api_major/minor (negotiated) and lab (stand-in)
 * come from the probe.
 *
 * A daemon that is not usable, or whose listing fails, gets a WARNING in
 * 'dl' naming it and why; with 'all_daemons' it is still in '*out' with
 * offline=true and os/arch/lab as declared (so routing still works and
 * the caller can refuse), without it it is left out.  The caller decides
 * whether that is an error (up: yes; ps/logs: no).  Returns 0 if at least
 * one daemon answered, else DIAG_ETRANSPORT ('*out' is filled anyway).
 */
int cli_state_collect(struct plan_host **out, size_t *n_out, struct arena *a,
		      struct engine_registry *reg, const char *project_name,
		      bool all_daemons, struct diag_list *dl);
/*
 * As cli_state_collect, and '*ext_out' (if not NULL) gets one array per
 * host, parallel to hosts[h].containers (NULL for an offline host).
 */
int cli_state_collect_ext(struct plan_host **out, size_t *n_out,
			  struct cli_container_ext ***ext_out,
			  struct arena *a, struct engine_registry *reg,
			  const char *project_name, bool all_daemons,
			  struct diag_list *dl);
/*
 * One offline plan_host per registry entry from what is declared (flags,
 * MIXCOMPOSE_DAEMON_*, x-mixcompose.daemons), without contacting anyone:
 * `plan --offline`.  os defaults to "linux"; a lab entry runs "linux".
 */
void cli_state_offline(struct plan_host **out, size_t *n_out,
		       struct arena *a, struct engine_registry *reg);
/* One plan_host from one registry entry (offline unless usable). */
void cli_state_host_init(struct plan_host *h, struct arena *a,
			 const struct engine_daemon *d);
/* True if the entry was probed, answered, and its OS checks out. */
bool cli_daemon_usable(const struct engine_daemon *d);
/* The registry entry a plan_host came from (by name), or NULL. */
struct engine_daemon *cli_state_daemon(struct engine_registry *reg,
				       const struct plan_host *h);

#endif
