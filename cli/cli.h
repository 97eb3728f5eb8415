#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "apply/apply.h"
#include "compose/compose.h"
#include "util/json.h"

/* One subcommand: cmd_<name>(argc, argv) with argv[0] the command name. */
struct cli_spec;
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct cli_spec *spec;
};

/* ---- Option tables (cli/opt.c) -----------------------------------------
 *
 * Each command describes its options once, in a table; parsing, --help,
 * usage errors, man pages and shell completion all read that table.
 */

enum cli_opt_kind {
	CLI_OPT_BOOL, /* a bool field, set to true */
	CLI_OPT_STR,  /* a const char * field, set to the value */
	CLI_OPT_INT,  /* an int or long field, the value in [min, max] */
	CLI_OPT_FN,   /* fn(obj, value); value NULL for a flag */
};

enum {
	CLI_OPT_HIDDEN = 1, /* accepted, but not in help or completion */
	CLI_OPT_OPTVAL = 2, /* --name[=VALUE]: the value is optional */
	CLI_OPT_REPEAT = 4, /* may be given several times */
};

/* What a value completes to (shell completion). */
enum cli_complete {
	CLI_COMPLETE_NONE,
	CLI_COMPLETE_SERVICE, /* a service of the project */
	CLI_COMPLETE_PROFILE, /* a profile of the project */
	CLI_COMPLETE_DAEMON,  /* NAME= of a known daemon */
	CLI_COMPLETE_FILE,
	CLI_COMPLETE_DIR,
	CLI_COMPLETE_COMMAND, /* a mixcompose command */
};

struct cli_opt {
	char sname;	   /* 0: none */
	const char *lname; /* NULL: none */
	enum cli_opt_kind kind;
	size_t off;	     /* the field in the command's options struct */
	size_t size;	     /* an INT field's size */
	const char *arg;     /* the value's name in help; NULL: no value */
	const char *help;    /* may hold newlines */
	long min, max;	     /* INT */
	const char *what;    /* INT: "a number of seconds" (messages) */
	const char *choices; /* "table|json": the only values taken */
	int (*fn)(void *obj, const char *value); /* 0 or CLI_USAGE */
	enum cli_complete complete;
	unsigned flags;
};

#define CLI_OPT_FIELD(T, f) .off = offsetof(T, f)
/* -x/--name: sets bool field 'f' of the options struct 'T'. */
#define CLI_FLAG(s, l, T, f, h)                                                \
	{                                                                      \
		.sname = (s), .lname = (l), .kind = CLI_OPT_BOOL,              \
		CLI_OPT_FIELD(T, f), .help = (h)                               \
	}
/* -x/--name VALUE: a string field. */
#define CLI_STR(s, l, T, f, a, h)                                              \
	{                                                                      \
		.sname = (s), .lname = (l), .kind = CLI_OPT_STR,               \
		CLI_OPT_FIELD(T, f), .arg = (a), .help = (h)                   \
	}
/* -x/--name N: an int or long field, N in [lo, hi]. */
#define CLI_INT(s, l, T, f, a, lo, hi, w, h)                                   \
	{                                                                      \
		.sname = (s), .lname = (l), .kind = CLI_OPT_INT,               \
		CLI_OPT_FIELD(T, f), .size = sizeof(((T *)0)->f), .arg = (a),  \
		.help = (h), .min = (lo), .max = (hi), .what = (w)             \
	}
/* -x/--name [VALUE]: calls fn(obj, value) (a: NULL for a flag). */
#define CLI_FN(s, l, f, a, h)                                                  \
	{                                                                      \
		.sname = (s), .lname = (l), .kind = CLI_OPT_FN, .fn = (f),     \
		.arg = (a), .help = (h)                                        \
	}
/* -t/--timeout N style: a number of seconds, int-sized. */
#define CLI_SECONDS(s, l, T, f, h)                                             \
	CLI_INT(s, l, T, f, "N", 0, INT_MAX, "a number of seconds", h)
/* --format A|B: only those values. */
#define CLI_FORMAT(T, f, c, h)                                                 \
	{                                                                      \
		.lname = "format", .kind = CLI_OPT_STR, CLI_OPT_FIELD(T, f),   \
		.arg = (c), .choices = (c), .help = (h)                        \
	}
/*
 * --name[=true|false], a flag that is on by default (compose v2's
 * BoolVar with true): a string field, NULL when not given or without a
 * value, so that it is on unless it is "false".
 */
#define CLI_TRUE_FALSE(l, T, f, h)                                             \
	{                                                                      \
		.lname = (l), .kind = CLI_OPT_STR, CLI_OPT_FIELD(T, f),        \
		.arg = "true|false", .choices = "true|false", .help = (h),     \
		.flags = CLI_OPT_OPTVAL                                        \
	}
/* --progress MODE (checked by cli_progress_mode_ok). */
#define CLI_PROGRESS(T, f)                                                     \
	CLI_STR(0, "progress", T, f, "MODE", "auto, tty, plain, json or quiet")
#define CLI_OPT_END                                                            \
	{                                                                      \
		0                                                              \
	}

/* One command's options and usage: what --help and `man` show. */
struct cli_spec {
	const char *name;    /* "up"; "mixcompose" for the top level */
	const char *args;    /* usage after the options: "[SERVICE...]" */
	const char *summary; /* one line, in the list of commands */
	const char *desc;    /* the paragraph of --help and the man page */
	const struct cli_opt *opts; /* ends with CLI_OPT_END */
	int min_args, max_args;	    /* positional arguments; max -1: any */
	enum cli_complete args_complete;
	unsigned flags;
};

enum {
	/* Options end at the first argument (exec, run, the top level). */
	CLI_SPEC_ARGS_END = 1,
	CLI_SPEC_HIDDEN = 2, /* not in the list of commands */
};

/* What cli_opt_parse returns after printing --help to stdout. */
#define CLI_HELP (-1)

/*
 * Parses argv[1..argc) (argv[0] is the command's name) by 's', into
 * 'obj' (the struct the table's offsets point into).  Flags may come
 * between the arguments (unless CLI_SPEC_ARGS_END); "--" ends them.  The
 * arguments are moved to argv[1..1+*nargs), in order.  Returns CLI_OK,
 * CLI_USAGE (reported, with the usage on stderr when the option itself
 * was wrong) or CLI_HELP after -h/--help.
 */
int cli_opt_parse(
	const struct cli_spec *s, void *obj, int argc, char **argv, int *nargs);
/* The --help text of 's' (usage, description, options). */
void cli_opt_help(FILE *f, const struct cli_spec *s);
/* The option of 's' named "--name" or "-x" (NULL if none). */
const struct cli_opt *cli_opt_find(const struct cli_spec *s, const char *arg);
/*
 * A boolean flag's value as pflag reads it: NULL (no value), 1, t, T,
 * true, TRUE, True give 1; 0, f, F, false, FALSE, False give 0; else -1.
 */
int cli_opt_bool(const char *v);
/* "--name" (or "-x" if it has no long name), in 'buf'. */
const char *cli_opt_name(char *buf, size_t size, const struct cli_opt *o);

/* Every command, sorted (main.c); ends with a NULL name. */
extern const struct cli_cmd cli_cmds[];
/* The top level's options (main.c). */
extern const struct cli_spec cli_spec_main;
/* Each command's, in its cmd_*.c. */
extern const struct cli_spec cli_spec_attach, cli_spec_build, cli_spec_cp,
	cli_spec_config, cli_spec_create, cli_spec_daemons, cli_spec_down,
	cli_spec_events, cli_spec_exec, cli_spec_graph, cli_spec_hosts,
	cli_spec_images, cli_spec_kill, cli_spec_logs, cli_spec_ls,
	cli_spec_pause, cli_spec_plan, cli_spec_port, cli_spec_ps,
	cli_spec_pull, cli_spec_push, cli_spec_restart, cli_spec_rm,
	cli_spec_run, cli_spec_scale, cli_spec_schema, cli_spec_start,
	cli_spec_stats, cli_spec_stop, cli_spec_top, cli_spec_translate,
	cli_spec_unpause, cli_spec_up, cli_spec_version, cli_spec_wait,
	cli_spec_watch;
/*
 * The docker CLI plugin form (cli/plugin.c): answers
 * docker-cli-plugin-metadata (returns 0), or, run as docker-mixcompose,
 * takes the docker CLI's global options (into DOCKER_HOST, DOCKER_CONTEXT,
 * ...) and the plugin's name off the front of argv.  Returns -1 to go on
 * with '*argc'/'*argv', else the exit status.
 */
int cli_plugin_args(int *argc, char ***argv);
/* The hidden ones: shell scripts, their candidates (cli/complete.c). */
extern const struct cli_spec cli_spec_completion, cli_spec_complete,
	cli_spec_man;
int cmd_man(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int cmd_complete(int argc, char **argv);

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
	bool dry_run;	  /* --dry-run: engine_dry_run_set(true) */
	const char *ansi; /* never|always|auto */
	/*
	 * Set when the global options were wrong in a way found only later
	 * (a bad -p / COMPOSE_PROJECT_NAME, a bad --daemon): main() then
	 * turns the command's CLI_FAIL into CLI_USAGE.
	 */
	bool usage_failed;
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
/*
 * The merged model as written (no interpolation, no schema check, no
 * normalizing), as compose reads it for `config --variables`; NULL after
 * printing the error.
 */
struct compose_project *cli_project_load_raw(void);

/* Prints "mixcompose: <diag>" to stderr. */
void cli_error(const struct diag *d);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the list's items ("warning: " for warnings); returns its errors. */
size_t cli_print_diags(struct diag_list *dl);
/* Before each progress line under --dry-run (engine_dry_run()). */
#define CLI_DRY_PREFIX "DRY-RUN MODE - "
/* True if stdout/stderr should get colour. */
bool cli_color(FILE *f);

/*
 * Builds the daemon registry from --daemon flags, MIXCOMPOSE_DAEMON_*,
 * the project's x-mixcompose.daemons ('p' may be NULL) and docker
 * contexts.  The caller frees '*out' with engine_registry_free().
 */
struct engine_registry;
int cli_registry_build(struct engine_registry **out,
		       const struct compose_project *p,
		       struct diag *err);
/* True if -f, COMPOSE_FILE or a compose file in the project dir exists. */
bool cli_project_present(void);
/*
 * Docker Desktop with no daemon map (engine_registry_is_desktop): unless
 * the options or the file say otherwise, address mode 'host' (Windows
 * containers there cannot route to Linux container addresses), with the
 * address Docker Desktop wrote for host.docker.internal in the host's own
 * hosts file ($MIXCOMPOSE_HOST_HOSTS_FILE overrides its path) as the host
 * address.  Strings live in 'a'.  Nothing for another registry.
 */
struct plan_options;
void cli_plan_desktop_defaults(struct plan_options *o,
			       struct arena *a,
			       const struct compose_project *p,
			       const struct engine_registry *reg);

/* Looks up a command by name (NULL if none). */
const struct cli_cmd *cli_cmd_find(const char *name);

int cmd_config(int argc, char **argv);
int cmd_daemons(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* ---- A command's session (cli/session.c) -------------------------------- */

/*
 * What most commands start with: the project (loaded, or only its name
 * from -p/COMPOSE_PROJECT_NAME when there is no compose file and the
 * command allows that), the registry, and the state on every daemon.
 */
struct cli_session {
	struct compose_project *project; /* NULL: no compose file */
	const char *project_name;
	struct engine_registry *reg;
	struct arena *a; /* hosts and ext live here */
	struct plan_host *hosts;
	size_t n_hosts;
	struct apply_container_ext **ext; /* ext[h]: NULL for offline hosts */
	bool reachable;			  /* some daemon answered */
};

enum {
	CLI_SESSION_PROJECT = 1,     /* a compose file is required */
	CLI_SESSION_ALL_DAEMONS = 2, /* keep unreachable daemons (offline) */
	CLI_SESSION_NO_STATE = 4,    /* registry only: no probe, no state */
	CLI_SESSION_ANY = 8,	     /* no daemon reachable is not an error */
	CLI_SESSION_QUIET = 16,	     /* no load warnings */
	CLI_SESSION_CONTAINERS =
		32, /* containers only (APPLY_STATE_CONTAINERS) */
	CLI_SESSION_NO_VOLUMES = 64, /* APPLY_STATE_NO_VOLUMES */
	/*
	 * ls: no project needed (a compose file present is loaded for its
	 * daemons), no state: every daemon of the map probed, a host each
	 * (offline when down, said as a warning), without containers; none
	 * reachable is an error.
	 */
	CLI_SESSION_DAEMONS = 128,
};

/*
 * Opens a session; prints every problem (unreachable daemons as
 * warnings).  Returns CLI_OK or CLI_FAIL.  Close it even after a failure.
 */
int cli_session_open(struct cli_session *s, unsigned flags);
void cli_session_close(struct cli_session *s);
/* CLI_FAIL (reported) if a name is not a service of the loaded project. */
int cli_session_check_services(const struct cli_session *s,
			       char *const *names,
			       size_t n);
/* True if 'name' is in names[0..n), or n is 0 (no selection). */
bool cli_names_has(char *const *names, size_t n, const char *name);
/*
 * The container number 'index' of 'service' (one-off ones left out), in
 * any state, and its host in '*host'; NULL when there is none.
 */
const struct plan_host_container *
cli_session_container(const struct cli_session *s,
		      const char *service,
		      int index,
		      const struct plan_host **host);
/* The engine of a host (NULL, reported, if it cannot connect). */
struct engine *cli_session_engine(struct cli_session *s,
				  const struct plan_host *h);

enum cli_life {
	CLI_LIFE_START,	  /* containers that are not running */
	CLI_LIFE_STOP,	  /* running (or restarting) ones */
	CLI_LIFE_RESTART, /* all of them */
};

/*
 * Starts, stops or restarts the project's containers (oneoff ones left
 * out) of the selected services (n 0: all) on every daemon at once, in
 * waves: dependencies first for start/restart (from the depends_on
 * labels), dependents first for stop.  'timeout_s' < 0: each container's
 * own.  Prints a line per container to stderr; returns CLI_OK or
 * CLI_FAIL (each failure reported; a failed start wave stops the rest).
 */
int cli_lifecycle(struct cli_session *s,
		  enum cli_life act,
		  char *const *services,
		  size_t n,
		  int timeout_s);

/*
 * Options of start/stop/restart (argv[0] says which; start has no -t):
 * '*timeout' -1 unless -t, '*no_deps' restart's --no-deps.  Returns
 * CLI_OK, CLI_USAGE (reported) or -1 after --help.
 */
int cli_life_parse(int *timeout,
		   bool *no_deps,
		   char ***names,
		   size_t *n,
		   int argc,
		   char **argv);
/*
 * compose v2's restart SERVICE...: those services and, again and again,
 * every service of the session's containers whose depends_on label names
 * one of them with restart true ("db:service_started:true").  Returns a
 * malloc'ed array of names (borrowed from 'names' and the session), its
 * length in '*n' (in: the length of 'names').
 */
char **cli_restart_dependents(const struct cli_session *s,
			      char *const *names,
			      size_t *n);
/*
 * After start/restart: collects the state again and runs cli_hosts_sync
 * (quiet) for the selected services.  No project: nothing to do.
 */
int cli_life_after_start(struct cli_session *s, char *const *names, size_t n);
/*
 * The whole of `start`, `stop` and `restart`: options, session, the
 * lifecycle waves, and after a start the hosts block again.  Returns the
 * exit status.
 */
int cli_life_command(int argc, char **argv, enum cli_life act);

/*
 * apply_images_collect for the session's hosts and project (see
 * apply/apply.h); an engine that cannot connect is reported.
 */
void cli_images_collect(struct cli_session *s, const char *pull);

/* ---- Plans for plan, graph and hosts (cli/cmd_plan.c) -------------------- */

struct plan;
struct plan_options;

/*
 * Opens the session a plan needs: the project (required) and the registry;
 * with 'offline' nothing is probed, else the state on every daemon
 * (unreachable ones kept as offline hosts, reported as warnings).
 */
int cli_plan_open(struct cli_session *s, bool offline);
/*
 * Builds the plan of the session's project ('opts' may be NULL).  With
 * 'offline', or when no daemon answered (a warning says so), the hosts
 * come from the declarations (apply_state_offline) and opts->offline is
 * set.  DOCKER_DEFAULT_PLATFORM fills opts->default_platform.  Reports
 * errors; returns CLI_OK or CLI_FAIL.  Free '*out' with plan_free()
 * before closing the session (the plan borrows its strings).
 */
int cli_plan_make(struct plan **out,
		  struct cli_session *s,
		  const struct plan_options *opts,
		  bool offline);

/*
 * pull and push: cli_plan_open (online), the names checked, a daemon that
 * answers required, then the plan with 'names' selected (and what they
 * depend on: plan_service.selected).  Reports; CLI_OK or CLI_FAIL.  Close
 * the session even after a failure.
 */
int cli_plan_selected(struct plan **out,
		      struct cli_session *s,
		      char *const *names,
		      size_t n);

/*
 * Writes the hosts block again (plan_container.hosts_exec, as its
 * hosts_exec_user, all at once through one loop) in every RUNNING
 * container of the selected services (n 0: all) that needs it: the exec
 * mechanism (Windows engines ignore ExtraHosts), a late entry, or an
 * ExtraHosts container whose /etc/hosts lacks a peer's current address
 * (read first by exec).  The plan is first updated with the addresses the
 * running containers really have (plan_set_address).  Prints one line per
 * container unless 'quiet' (errors always).  Returns CLI_OK or CLI_FAIL.
 */
int cli_hosts_sync(struct cli_session *s,
		   struct plan *p,
		   char *const *services,
		   size_t n,
		   bool quiet);
/*
 * True if a line of the hosts file text 'file' maps 'name' to 'ip'
 * ("IP NAME [NAME...]", blanks or tabs, '#' starts a comment).
 */
bool cli_hosts_file_has(const char *file, const char *ip, const char *name);

/* ---- Merged logs (cli/logs.c) ------------------------------------------ */

#include <signal.h> /* sig_atomic_t */

struct cli_logs_opts {
	bool follow;
	bool timestamps;
	bool color; /* one colour per service on the prefixes */
	bool no_prefix;
	const char *tail;	   /* NULL: all lines */
	char since[40], until[40]; /* unix times for the daemon; "": none */
	int index;		   /* only replica N; 0: all */
	char *const *services;	   /* the selection; n_services 0: all */
	size_t n_services;
	/* For each service's tty flag (raw, unframed logs); may be NULL. */
	const struct compose_project *project;
	FILE *out; /* NULL: stdout */
	/* Services whose logs are left out (up --no-attach). */
	char *const *skip;
	size_t n_skip;
	/*
	 * Leave out services with `attach: false` too (compose v2: up
	 * without --attach, logs without service names).
	 */
	bool honour_attach;
	/*
	 * Set: each followed container is waited for too; at its exit a line
	 * "NAME (DAEMON) exited with code N" and on_exit(), which returns
	 * nonzero to stop following at once (up --abort-on-container-exit).
	 */
	int (*on_exit)(void *ud,
		       const struct plan_host *h,
		       const struct plan_host_container *c,
		       int code);
	void *exit_ud;
};

/*
 * Streams the logs of every container in hosts[] (oneoff ones left out)
 * of the selected services, from all daemons at once through one engine
 * loop, each line as "name (daemon) | line" with the labels padded to one
 * width.  Returns when every stream ended (without follow: at once when
 * the backlog is out; with follow: when the containers stop) or when
 * '*stop' (may be NULL) becomes nonzero, e.g. from a SIGINT handler.
 * Returns CLI_OK, or CLI_FAIL when a stream failed (reported).
 */
int cli_logs_follow(struct engine_registry *reg,
		    const struct plan_host *hosts,
		    size_t n_hosts,
		    const struct cli_logs_opts *opts,
		    const volatile sig_atomic_t *stop);
/*
 * The same for the session's hosts, through the runner (one task per
 * container): a stream that fails is said as it happens (a daemon that
 * goes, once), the others go on, and any failure but what a stop cut
 * short makes it CLI_FAIL.  Returns CLI_OK or CLI_FAIL.
 */
int cli_logs_session(struct cli_session *s,
		     const struct cli_logs_opts *opts,
		     const volatile sig_atomic_t *stop);

/*
 * A time of `logs --since/--until` as the docker CLI reads it: a unix
 * time ("1700000000", "1700000000.5"), a Go duration before 'now'
 * ("42m", "1h30m", "1.5s"), or an RFC 3339 date ("2023-11-14",
 * "2023-11-14T22:13:20", with "Z" or "+01:00"; local time without a
 * zone).  Writes the unix time ("SEC.NANOS") to out[size]; 0, or -1 if
 * 'v' is none of these.
 */
int cli_log_time(char *out, size_t size, const char *v, double now);
/*
 * cli_log_time() of a flag's value, now; a bad one is reported as
 * "CMD: --FLAG: 'V' is not a time (...)" and gives CLI_USAGE.
 */
int cli_log_time_flag(char *out,
		      size_t size,
		      const char *cmd,
		      const char *flag,
		      const char *v);

/* The i-th colour of compose's log palette (an ANSI escape). */
const char *cli_logs_palette(size_t i);
/*
 * The palette index of 'service': its rank among the distinct services
 * of hosts[] selected by opts->services, in name order (so a service has
 * the same colour whichever daemon runs it).
 */
size_t cli_logs_color_index(const struct plan_host *hosts,
			    size_t n_hosts,
			    const struct cli_logs_opts *opts,
			    const char *service);
/* Length of "name (daemon)" (daemon may be NULL: "name"). */
size_t cli_logs_label_len(const char *name, const char *daemon);
/* Appends "name (daemon)<pad to width> | ", coloured if 'color'. */
void cli_logs_prefix(struct sbuf *out,
		     const char *name,
		     const char *daemon,
		     size_t width,
		     const char *color);

/* One container's output: complete lines only, one write per line. */
struct cli_logs_src {
	FILE *out;
	char *prefix;	     /* owned; NULL: none */
	struct sbuf part[2]; /* unfinished stdout and stderr lines */
	size_t lines;	     /* lines written */
};

void cli_logs_src_init(struct cli_logs_src *s, FILE *out, const char *prefix);
/* 'stream' is an enum engine_stream_kind. */
void cli_logs_src_feed(struct cli_logs_src *s,
		       int stream,
		       const char *data,
		       size_t len);
/* Writes unfinished lines (with a newline) and frees the buffers. */
void cli_logs_src_release(struct cli_logs_src *s);

/* ---- ps formatting (cli/cmd_ps.c) -------------------------------------- */

/*
 * Appends the ports as compose and docker ps show them, sorted, runs of
 * consecutive ports joined: "0.0.0.0:8080->80/tcp, :::8080->80/tcp",
 * "8000-8001->8000-8001/tcp", "53/udp" (not published).
 */
void cli_ps_ports(struct sbuf *out, const struct engine_port *ports, size_t n);
/* The container's IPv4 on its first network of 'project' (else any); "". */
const char *cli_ps_address(const struct plan_host *h,
			   const struct plan_host_container *c,
			   const char *project);
/* "linux/amd64", "windows/amd64 (stand-in)". */
void cli_ps_platform(struct sbuf *out, const struct plan_host *h);
/*
 * The COMMAND cell as compose v2's ps shows it: Go-quoted, and with
 * 'trunc' cut to 19 characters and "…" when longer than 20.
 */
void cli_ps_command(struct sbuf *out, const char *command, bool trunc);

/* ---- Day-2 commands ------------------------------------------------------ */

int cmd_attach(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_hosts(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_stop(int argc, char **argv);

/* ---- events (cli/cmd_events.c) ----------------------------------------- */

struct engine_event;
/*
 * An event's time ('nano': unix nanoseconds) in local time, as compose v2
 * prints it: "2006-01-02 15:04:05.000000", or with 'json' as Go's
 * time.Time in JSON (RFC 3339, nanoseconds without trailing zeros, "Z" or
 * "+01:00").
 */
void cli_event_time(char *buf, size_t size, long long nano, bool json);
/*
 * One event line (with its newline) as compose v2 prints it, the daemon
 * added: "TIME container ACTION ID (daemon=D, k=v, ...)", or with 'json'
 * {"action","attributes","daemon","id","service","time","type"}; the
 * com.docker.compose.* attributes are left out, as compose v2 does.
 */
void cli_event_format(struct sbuf *out,
		      const struct engine_event *ev,
		      const char *daemon,
		      bool json);
/* The value of an event's attribute 'key' (Actor.Attributes), or NULL. */
const char *cli_event_attr(const struct engine_event *ev, const char *key);

/* ---- cp (cli/cmd_cp.c) ------------------------------------------------- */

/*
 * One argument of cp, as compose v2 splits it: "SERVICE:PATH" gives a
 * malloc'ed '*service' and 'path' after the colon; an absolute local path,
 * one without ':' or one starting with '.' is local ('*service' NULL).
 * Returns 0, or -1 for ":PATH".
 */
int cli_cp_arg(char **service, const char **path, const char *arg);
/*
 * 'path' cut before its last element (trailing separators ignored): "/a/b"
 * -> "/a" and "b"; "b" -> "." and "b"; "/b" -> "/" and "b".  With
 * 'windows' a backslash separates too and a drive's root stays whole:
 * "C:\app\x" -> "C:\app" and "x", "C:\x" -> "C:\" and "x".  Both
 * malloc'ed.
 */
void cli_cp_path_split(char **dir, char **base, const char *path, bool windows);
/*
 * A Windows daemon's refusal of a running Hyper-V-isolated container
 * (its message names Hyper-V) rewritten to name the service and daemon
 * and say what to do; any other message is left as it is.
 */
void cli_cp_refusal(struct diag *d, const char *service, const char *daemon);

/* ---- stats (cli/cmd_stats.c) ------------------------------------------- */

struct engine_stats;
/* One container's row: 's' NULL when no sample came ("--" cells). */
struct cli_stats_row {
	const char *daemon;
	const char *id;
	const char *name;
	const struct engine_stats *s;
};
/*
 * Appends the rows as `docker stats` prints them, a DAEMON column added
 * after NAME: a table (CONTAINER ID truncated to 12 with 'trunc'), or with
 * 'json' one compact object per row ({{json .}}: BlockIO, CPUPerc,
 * Container, Daemon, ID, MemPerc, MemUsage, Name, NetIO, PIDs).
 */
void cli_stats_format(struct sbuf *out,
		      const struct cli_stats_row *rows,
		      size_t n,
		      bool json,
		      bool trunc);

/* ---- exec and run options (cli/run_opts.c) --------------------------------
 */

struct cli_exec_opts {
	bool detach;
	bool no_tty;
	bool interactive; /* default true, as in compose v2 */
	bool privileged;
	const char *user;
	const char *workdir;
	const char **env;
	size_t n_env, alloc_env;
	int index; /* default 1 */
	const char *service;
	char **argv; /* the command, inside the caller's argv */
	size_t argc;
};

/*
 * Parses `exec` after its name (argv[0]).  Returns CLI_OK, CLI_USAGE
 * (reported) or -1 after --help.  Release with cli_exec_opts_release().
 */
int cli_exec_parse(struct cli_exec_opts *o, int argc, char **argv);
void cli_exec_opts_release(struct cli_exec_opts *o);

struct cli_run_opts {
	const char *kind; /* before each 'what': "Container"; or NULL */
	bool detach;
	bool rm;
	bool no_tty;
	bool interactive; /* default true, as in compose v2 */
	bool service_ports;
	bool no_deps;
	const char *entrypoint; /* split like a shell; "" clears it */
	const char *user;
	const char *workdir;
	const char *name;
	const char **env; /* "K=V" */
	size_t n_env, alloc_env;
	const char **labels; /* "K=V" */
	size_t n_labels, alloc_labels;
	const char **volumes; /* "SRC:DST[:ro]" */
	size_t n_volumes, alloc_volumes;
	const char **publish; /* checked by cli_publish_parse */
	size_t n_publish, alloc_publish;
	const char **cap_add, **cap_drop; /* --cap-add, --cap-drop */
	size_t n_cap_add, alloc_cap_add, n_cap_drop, alloc_cap_drop;
	bool build;	     /* --build */
	bool remove_orphans; /* --remove-orphans */
	bool use_aliases;    /* --use-aliases */
	bool quiet_pull;     /* --quiet-pull */
	const char *service;
	char **argv; /* the command (argc 0: the service's) */
	size_t argc;
};

/* As cli_exec_parse, for `run`. */
int cli_run_parse(struct cli_run_opts *o, int argc, char **argv);
void cli_run_opts_release(struct cli_run_opts *o);

#define CLI_RUN_NAME_MAX 256
/*
 * The one-off container's name as compose v2 makes it,
 * "<project>-<service>-run-<12 hex>", and the whole slug (64 hex) for the
 * com.docker.compose.slug label, from 32 random bytes.
 */
void cli_run_name(char out[CLI_RUN_NAME_MAX],
		  const char *project,
		  const char *service,
		  const unsigned char slug[32],
		  char slug_hex[65]);

/* 0, or -1 if 's' is not a port publication. */
int cli_publish_parse(struct apply_publish *out, const char *s);

/* ---- Interactive streams of exec and run (cli/tty.c) ------------------ */

struct engine_hijack;

/* One hijacked session: whose TTY to resize, and what to copy. */
struct cli_stream {
	struct engine *e;
	const char *exec_id;	  /* an exec session, or NULL */
	const char *container_id; /* else an attached container */
	bool tty;		  /* raw local terminal, resizes */
	bool with_stdin;	  /* our stdin goes to the process */
	/*
	 * attach --sig-proxy: SIGINT and SIGTERM are sent to the container
	 * (POST /containers/{id}/kill) and the session goes on.
	 */
	bool sig_proxy;
};

/*
 * Runs the session on 'hj' (already started) until the process's output
 * ends: stdin copied in (if with_stdin), output to our stdout/stderr; with
 * a TTY the local terminal is raw meanwhile (when stdin is one) and the
 * remote size follows ours (at once and on SIGWINCH).  SIGINT ends it with
 * DIAG_EINTR.  The terminal is restored on every way out, exit and fatal
 * signals included.
 */
int cli_stream_run(const struct cli_stream *st,
		   struct engine_hijack *hj,
		   struct diag *err);
/*
 * compose v2's defaults for exec and run: a TTY unless -T, when stdout is
 * a terminal; with stdin attached (interactive), stdin must be one too.
 * Returns CLI_OK, or CLI_FAIL with "the input device is not a TTY".
 */
int cli_tty_decide(bool *tty, bool no_tty, bool interactive);

/* ---- up/down: progress (cli/progress.c), jobs run (cli/cmd_up.c) ------ */

#include <signal.h> /* sig_atomic_t */

/* The progress display of up/down, on stderr as compose v2 does. */
struct cli_progress;

/*
 * 'mode': auto (tty if stderr is a terminal, else plain), tty, plain,
 * json, quiet.  NULL with a message on stderr for an unknown mode.
 */
struct cli_progress *cli_progress_new(const char *mode, const char *title);
/* An engine_job_fn: pass the progress as its 'ud'. */
void cli_progress_job(void *ud,
		      const struct engine_job *jobs,
		      size_t n,
		      size_t i);
/* Draws the final state; then prints the failures' messages. */
void cli_progress_done(struct cli_progress *p,
		       const struct engine_job *jobs,
		       size_t n);
void cli_progress_free(struct cli_progress *p);
/* True if 'mode' (NULL: auto) is a progress mode; else reports it. */
bool cli_progress_mode_ok(const char *mode);

/*
 * SIGINT and SIGTERM set '**flag' (cleared now) to the signal's number
 * instead of killing us, so a run stops starting jobs and returns cleanly.
 */
void cli_signals_catch(volatile sig_atomic_t **flag);
/* The status of a run that such a signal cut short: 130 (SIGINT), 143. */
int cli_signal_status(void);
/*
 * Runs the jobs on a new loop with a progress display in 'progress' mode
 * and reports failures.  Returns CLI_OK, CLI_FAIL, or 130 when '*stop'
 * interrupted it.
 */
int cli_jobs_run(struct apply_jobs *jobs,
		 const char *progress,
		 volatile sig_atomic_t *stop);

/*
 * `down --remove-orphans` of the session's project, from its state read
 * again now (wait --down-project).  Returns the exit status.
 */
int cli_down_project(struct cli_session *s, volatile sig_atomic_t *stop);

int cmd_build(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_scale(int argc, char **argv);
int cmd_up(int argc, char **argv);

/*
 * Sets each "SERVICE=N" of v[0..n) as that service's replica count in
 * 'p' (compose v2's --scale).  Returns CLI_OK, CLI_USAGE for a bad
 * specifier or CLI_FAIL for an unknown service (reported).
 */
int cli_scale_apply(struct compose_project *p, char *const *v, size_t n);
/*
 * `scale`: up -d of the services named in scales[0..n) ("SERVICE=N",
 * borrowed), with those counts, their dependencies unless 'no_deps', and
 * the running peers' host entries rewritten in place.  Returns the exit
 * status.
 */
int cli_up_scale(char **scales, size_t n, bool no_deps);

/* ---- rm, kill, pause, unpause, port, images, top, ls, create ----------- */

struct engine_top;

/*
 * Prints 'j' on stdout (compact when 'indent' is 0, as compose's
 * --format json) with a final newline, then frees it.
 */
void cli_json_print(struct json *j, int indent);

/*
 * Appends a table as Go's tabwriter writes it (compose's output): each
 * column but the last padded to its widest cell plus 'pad', at least
 * 'min' wide.  cells[r * ncols + k] is row r, column k.
 */
void cli_table_write(struct sbuf *out,
		     const char *const *headers,
		     size_t ncols,
		     char *const *cells,
		     size_t nrows,
		     size_t pad,
		     size_t min);
/* Docker's human size with 3 digits: "4.86MB", "142kB", "0B". */
void cli_human_size(char *buf, size_t size, long long bytes);
/* go-units' BytesSize (docker stats' memory): "1.5MiB", "512B". */
void cli_bytes_size(char *buf, size_t size, double bytes);
/*
 * The repository and tag compose shows for an image reference, familiar
 * ("docker.io/library/nginx" -> "nginx"); no tag: "latest", a digest
 * only: "".  An image id ("sha256:...") gives two empty strings.
 */
void cli_image_ref_split(struct sbuf *repo, struct sbuf *tag, const char *ref);
/* "exited(1), running(2)": each state with its count, sorted; malloc'ed. */
char *cli_ls_status(const char *const *states, size_t n);
/* True for y, yes, 1, t, true (any case): the rm prompt's yes. */
bool cli_confirm_answer(const char *line);
/*
 * The published binding of 'private_port'/'proto' (IPv4 before IPv6), as
 * an index into ports[], or -1.
 */
long cli_port_find(const struct engine_port *ports,
		   size_t n,
		   unsigned private_port,
		   const char *proto);
/* "0.0.0.0:8080", "[::]:8080". */
void cli_port_host(struct sbuf *out, const struct engine_port *p);

/* One container's process table for cli_top_format. */
struct cli_top_src {
	const char *service;
	const char *replica; /* the container number, "1" */
	const char *daemon;
	const struct engine_top *top;
};

/*
 * compose v2's top: one table, SERVICE, #, DAEMON, then every title any
 * daemon gave in the order met (a Windows daemon gives other ones), CMD
 * right-most, "-" where a container's daemon has no such column.  Nothing
 * at all when there is no process.
 */
void cli_top_format(struct sbuf *out, const struct cli_top_src *v, size_t n);

/*
 * The runner (cli/runner.c) of every command that acts on containers or
 * images: one task is one request to one daemon.  start() submits it to
 * the loop with a callback that ends in cli_task_done(t, ...).
 */
struct engine;
struct engine_loop;
struct cli_task;
struct cli_wave;
typedef void
cli_task_start_fn(struct engine_loop *l, struct engine *e, struct cli_task *t);
struct cli_task {
	const struct plan_host *h; /* the daemon */
	const char *what;	   /* a container's name, a service's... */
	const char *detail;	   /* after the daemon: "IMAGE"; or NULL */
	const char *doing;	   /* this task's progress verb; or NULL */
	cli_task_start_fn *start;
	const char *ref; /* what the request names: container id, image */
	const void *arg; /* the command's options, shared by its tasks */
	void *ud;	 /* the task's own data (results) */
	int level;	 /* the wave (0 first) */
	bool skip;	 /* decided without a request */
	int rc;		 /* out: 0 or the request's error */
	struct diag err;
	bool unreachable; /* out: its daemon could not be reached */
	bool cancelled;	  /* out: it ended after the run was stopped */
	bool said;	  /* its failure was reported as it happened */
	const struct cli_tasks_opts *run; /* set by the runner */
	struct cli_wave *wave;		  /* set by the runner */
};

struct cli_tasks_opts {
	const char *kind;     /* before each 'what': "Container"; or NULL */
	const char *doing;    /* " WHAT (DAEMON)  Doing" before; NULL: none */
	const char *done;     /* the same line after a success; NULL: none */
	bool quiet;	      /* no progress lines at all */
	bool warn;	      /* failures are warnings: exit status 0 */
	bool reverse;	      /* waves from the highest level down */
	bool stop_on_failure; /* no wave after one that failed */
	bool probe;	      /* a failure is an answer: no message, CLI_OK */
	/*
	 * Streams (logs -f, stats, events): a wave also ends, what is in
	 * flight cancelled (and no failure), as soon as '*stop' is nonzero
	 * (may be NULL) or tick(tick_ud) returns nonzero; tick runs about
	 * every tick_ms (0: 200) while the wave runs.  With either, a
	 * failure is said as it happens rather than after the wave.
	 */
	const volatile sig_atomic_t *stop;
	int (*tick)(void *ud);
	void *tick_ud;
	int tick_ms;
};

/*
 * The callback of a request with no result (an engine_done_fn); a
 * callback with a result stores it, then calls this.  Prints the done
 * line as the task ends.
 */
void cli_task_done(void *t, int rc, const struct diag *err);

/*
 * Starts 't' at once in the wave of 'from' (a task of a running wave,
 * e.g. from its callback), on t->h (NULL: from's daemon), with the same
 * lines and report.  't' must stay valid until cli_tasks_run returns.
 */
void cli_task_add(struct cli_task *from, struct cli_task *t);

/*
 * Runs the tasks, wave by wave, each wave on every daemon at once.  A
 * daemon that cannot be reached (no engine, or a transport failure) is
 * said once, "mixcompose: daemon 'X' is not reachable: WHY", however
 * many tasks it had (an offline host of the session was said by the
 * session: not again); every other failure is one line "mixcompose:
 * [KIND] WHAT (DAEMON)[: DETAIL]: MESSAGE" ("warning: ..." with o->warn).
 * Returns CLI_FAIL if a task failed (and !o->warn), else CLI_OK.
 */
int cli_tasks_run(struct cli_session *s,
		  struct cli_task *v,
		  size_t n,
		  const struct cli_tasks_opts *o);

enum cli_act {
	CLI_ACT_KILL,
	CLI_ACT_PAUSE,
	CLI_ACT_UNPAUSE,
	CLI_ACT_REMOVE,
};

/* One container an action goes to. */
struct cli_act_target {
	const struct plan_host *h;
	const struct plan_host_container *c;
};

struct cli_act_opts {
	const char *signal; /* kill; NULL: the daemon's SIGKILL */
	bool force;	    /* remove */
	bool volumes;	    /* remove: anonymous volumes too */
};

/*
 * Runs 'act' on every target at once, all daemons through one loop, with
 * a line per container on stderr ("Container NAME (DAEMON)  Killed").
 * Returns CLI_OK or CLI_FAIL (each failure reported).
 */
int cli_act_run(struct cli_session *s,
		enum cli_act act,
		const struct cli_act_target *v,
		size_t n,
		const struct cli_act_opts *o);

int cmd_create(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_unpause(int argc, char **argv);

/* ---- watch (cli/watch.c, cli/cmd_watch.c) ------------------------------- */

struct engine_ignore;
struct sbuf;

/* One develop.watch trigger of a selected service, ready to match. */
struct cli_watch_rule {
	const struct compose_service *svc;
	const struct compose_watch *w;
	struct engine_ignore *ignore;	      /* w->ignore; NULL: none */
	struct engine_ignore *include;	      /* w->include; NULL: all */
	struct engine_ignore *dockerignore;   /* owned by this rule, or NULL */
	struct engine_ignore *context_ignore; /* the service's, shared */
};

/*
 * The rules of the services selected (n_services 0: all) that have
 * develop.watch, in service then trigger order.  -1 (with 'err') when a
 * .dockerignore is malformed.  Free with cli_watch_rules_free().
 */
int cli_watch_rules_make(struct cli_watch_rule **out,
			 size_t *n_out,
			 const struct compose_project *p,
			 char *const *services,
			 size_t n_services,
			 struct diag *err);
void cli_watch_rules_free(struct cli_watch_rule *v, size_t n);
/*
 * True when the change of 'path' (absolute) triggers 'r', as compose v2
 * decides: under the trigger's path, matching its include patterns (if
 * any), not an editor's temporary file nor in a .git directory, not
 * ignored by the trigger's ignore patterns (relative to its path) nor by
 * the build context's .dockerignore (relative to the context).  With
 * 'target' and a trigger target: the path in the container, '/'-joined.
 */
bool cli_watch_match(const struct cli_watch_rule *r,
		     const char *path,
		     struct sbuf *target);
/* An editor's temporary file, or a path inside a .git directory. */
bool cli_watch_ephemeral(const char *path);
/* 'path' relative to 'root' ("" for the root itself), or NULL. */
const char *cli_watch_rel(const char *root, const char *path);

/* compose v2's quiet period: a batch goes once nothing changed for it. */
#define CLI_WATCH_QUIET_MS 500

/* Changed paths gathered until a quiet period passes (each path once). */
struct cli_debounce {
	char **paths;
	size_t n, alloc;
	long long last_ms; /* the last change */
};

/* A change of 'path' at 'now' (ms): the quiet period starts again. */
void cli_debounce_add(struct cli_debounce *d, const char *path, long long now);
/* Milliseconds until the batch is due (0: now), -1 with nothing pending. */
long cli_debounce_wait(const struct cli_debounce *d, long long now);
/* The batch (malloc'ed array of malloc'ed paths, '*n' of them); empties d. */
char **cli_debounce_take(struct cli_debounce *d, size_t *n);
void cli_debounce_release(struct cli_debounce *d);

/*
 * The watch loop of `watch` and `up --watch` on the loaded project of
 * 's': until '*stop' becomes nonzero (SIGINT, SIGTERM).  'flags':
 * CLI_WATCH_*.  Returns CLI_OK or CLI_FAIL (reported).
 */
enum {
	CLI_WATCH_QUIET = 1, /* --quiet */
	CLI_WATCH_PRUNE = 2, /* dangling images of the project go on rebuild */
};
int cli_watch_run(struct cli_session *s,
		  char *const *services,
		  size_t n_services,
		  unsigned flags,
		  volatile sig_atomic_t *stop);
/*
 * up --watch: CLI_FAIL (reported) when no selected service has
 * develop.watch or a trigger cannot work (rebuild without build:, sync+exec
 * without a command).
 */
int cli_watch_check(const struct compose_project *p,
		    char *const *services,
		    size_t n_services);
/*
 * up --watch: the watch loop in a thread of its own (its own session and
 * engines) while up follows the logs; NULL if no thread could be made
 * (reported).  cli_watch_stop() ends it and returns its status.
 */
struct cli_watch_bg;
struct cli_watch_bg *cli_watch_start(char *const *services, size_t n);
int cli_watch_stop(struct cli_watch_bg *bg);
int cmd_watch(int argc, char **argv);

#endif
