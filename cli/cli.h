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

/*
 * Builds the daemon registry from --daemon flags, MIXCOMPOSE_DAEMON_*,
 * the project's x-mixcompose.daemons ('p' may be NULL) and docker
 * contexts.  The caller frees '*out' with engine_registry_free().
 */
struct engine_registry;
int cli_registry_build(struct engine_registry **out,
		       const struct compose_project *p, struct diag *err);
/* True if -f, COMPOSE_FILE or a compose file in the project dir exists. */
bool cli_project_present(void);

/* Looks up a command by name (NULL if none). */
const struct cli_cmd *cli_cmd_find(const char *name);

int cmd_config(int argc, char **argv);
int cmd_daemons(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* ---- The project's state on every daemon (cli/state.c) ---------------- */

struct plan_host;
struct engine_daemon;
struct engine_registry;
struct engine_port;
struct arena;
struct engine;

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

/*
 * What most commands start with: the project (loaded, or only its name
 * from -p/COMPOSE_PROJECT_NAME when there is no compose file and the
 * command allows that), the registry, and the state on every daemon.
 */
struct cli_session {
	struct compose_project *project; /* NULL: no compose file */
	const char *project_name;
	struct engine_registry *reg;
	struct arena *a;                 /* hosts and ext live here */
	struct plan_host *hosts;
	size_t n_hosts;
	struct cli_container_ext **ext;  /* ext[h]: NULL for offline hosts */
	bool reachable;                  /* some daemon answered */
};

enum {
	CLI_SESSION_PROJECT = 1,     /* a compose file is required */
	CLI_SESSION_ALL_DAEMONS = 2, /* keep unreachable daemons (offline) */
	CLI_SESSION_NO_STATE = 4,    /* registry only: no probe, no state */
	CLI_SESSION_ANY = 8,         /* no daemon reachable is not an error */
	CLI_SESSION_QUIET = 16,      /* no load warnings */
};

/*
 * Opens a session; prints every problem (unreachable daemons as
 * warnings).  Returns CLI_OK or CLI_FAIL.  Close it even after a failure.
 */
int cli_session_open(struct cli_session *s, unsigned flags);
void cli_session_close(struct cli_session *s);
/* CLI_FAIL (reported) if a name is not a service of the loaded project. */
int cli_session_check_services(const struct cli_session *s,
			       char *const *names, size_t n);
/* True if 'name' is in names[0..n), or n is 0 (no selection). */
bool cli_names_has(char *const *names, size_t n, const char *name);
/* The engine of a host (NULL, reported, if it cannot connect). */
struct engine *cli_session_engine(struct cli_session *s,
				  const struct plan_host *h);

/* ---- Merged logs (cli/logs.c) ------------------------------------------ */

#include <signal.h> /* sig_atomic_t */

struct cli_logs_opts {
	bool follow;
	bool timestamps;
	bool color;       /* one colour per service on the prefixes */
	bool no_prefix;
	const char *tail; /* NULL: all lines */
	char *const *services; /* the selection; n_services 0: all */
	size_t n_services;
	/* For each service's tty flag (raw, unframed logs); may be NULL. */
	const struct compose_project *project;
	FILE *out;        /* NULL: stdout */
};

/*
 * Streams the logs of every container in hosts[] (oneoff ones left out)
 * of the selected services, from all daemons at once through one engine
 * loop, each line as "name (daemon) | line" with the labels padded to one
 * width.  Returns when every stream ended (without follow: at once when
 * the backlog is out; with follow: when the containers stop) or when
 * '*stop' (may be NULL) becomes nonzero, e.g. from a SIGINT handler.
 * Returns 0, or the code of the last stream that failed (reported).
 */
int cli_logs_follow(struct engine_registry *reg, const struct plan_host *hosts,
		    size_t n_hosts, const struct cli_logs_opts *opts,
		    volatile sig_atomic_t *stop);

/* The i-th colour of compose's log palette (an ANSI escape). */
const char *cli_logs_palette(size_t i);
/* Length of "name (daemon)" (daemon may be NULL: "name"). */
size_t cli_logs_label_len(const char *name, const char *daemon);
/* Appends "name (daemon)<pad to width> | ", coloured if 'color'. */
void cli_logs_prefix(struct sbuf *out, const char *name, const char *daemon,
		     size_t width, const char *color);

/* One container's output: complete lines only, one write per line. */
struct cli_logs_src {
	FILE *out;
	char *prefix;       /* owned; NULL: none */
	struct sbuf part[2]; /* unfinished stdout and stderr lines */
	size_t lines;       /* lines written */
};

void cli_logs_src_init(struct cli_logs_src *s, FILE *out, const char *prefix);
/* 'stream' is an enum engine_stream_kind. */
void cli_logs_src_feed(struct cli_logs_src *s, int stream, const char *data,
		       size_t len);
/* Writes unfinished lines (with a newline) and frees the buffers. */
void cli_logs_src_release(struct cli_logs_src *s);

#endif
