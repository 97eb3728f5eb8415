#ifndef APPLY_APPLY_H
#define APPLY_APPLY_H

/*
 * The runtime: from a compose model and its plan to job graphs for
 * engine_run() (up, run, build, down, stop), and the reader of each
 * daemon's state that the planner starts from.  Nothing here prints or
 * exits: failures are negative diag codes explained in the caller's
 * struct diag (or warnings in a diag_list), and what a job shows while it
 * runs is its struct apply_job_info, which the caller's progress display
 * reads.
 */
#include <stdbool.h>
#include <stddef.h>

#include "compose/compose.h"

/* ---- The project's state on every daemon (apply/state.c) --------------- */

struct plan_host;
struct plan_host_container;
struct engine_daemon;
struct engine_registry;
struct engine_port;
struct arena;
struct engine;

/* What `ps` shows besides the planner's facts, one per plan_host_container. */
struct apply_container_ext {
	const char *image;
	const char *status;  /* "Up 3 minutes" */
	const char *command; /* "sh -c 'sleep 1'", as the daemon joins it */
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
 * 'dl' naming it and why; with APPLY_STATE_ALL_DAEMONS it is still in '*out'
 * with offline=true and os/arch/lab as declared (so routing still works and the
 * caller can refuse), without it it is left out.  The caller decides whether
 * that is an error (up: yes; ps/logs: no).  Returns 0 if at least one daemon
 * answered, else DIAG_ETRANSPORT ('*out' is filled anyway).
 */
int apply_state_collect(struct plan_host **out,
			size_t *n_out,
			struct arena *a,
			struct engine_registry *reg,
			const char *project_name,
			unsigned flags,
			struct diag_list *dl);
/*
 * What apply_state_collect reads, beyond the project's containers:
 * APPLY_STATE_ALL_DAEMONS  keep unusable daemons, offline (all_daemons);
 * APPLY_STATE_CONTAINERS   the containers only: no network or volume
 *                          list, and no arch (port, logs, top, images,
 *                          exec: a day-two command pays only for what it
 *                          shows).  The ping, and so the OS check, stays;
 * APPLY_STATE_NO_VOLUMES   no volume list (ps: containers, networks and
 *                          the arch).
 */
#define APPLY_STATE_ALL_DAEMONS 1u
#define APPLY_STATE_CONTAINERS 2u
#define APPLY_STATE_NO_VOLUMES 4u
/*
 * As apply_state_collect, and '*ext_out' (if not NULL) gets one array per
 * host, parallel to hosts[h].containers (NULL for an offline host).
 */
int apply_state_collect_ext(struct plan_host **out,
			    size_t *n_out,
			    struct apply_container_ext ***ext_out,
			    struct arena *a,
			    struct engine_registry *reg,
			    const char *project_name,
			    unsigned flags,
			    struct diag_list *dl);
/*
 * One offline plan_host per registry entry from what is declared (flags,
 * MIXCOMPOSE_DAEMON_*, x-mixcompose.daemons), without contacting anyone:
 * `plan --offline`.  os defaults to "linux"; a lab entry runs "linux".
 */
void apply_state_offline(struct plan_host **out,
			 size_t *n_out,
			 struct arena *a,
			 struct engine_registry *reg);
/* One plan_host from one registry entry (offline unless usable). */
void apply_state_host_init(struct plan_host *h,
			   struct arena *a,
			   const struct engine_daemon *d);
/* True if the entry was probed, answered, and its OS checks out. */
bool apply_daemon_usable(const struct engine_daemon *d);
/*
 * True when a container start failed, with 'msg', because a daemon crash
 * left its containerd task (or the task's directory) behind: "task ID:
 * already exists", "failed to start shim: mkdir ...: file exists".  Every
 * later start of that container fails the same way; a new one starts.
 */
bool apply_start_left_task(const char *msg);
/* The registry entry a plan_host came from (by name), or NULL. */
struct engine_daemon *apply_state_daemon(struct engine_registry *reg,
					 const struct plan_host *h);

/*
 * Fills hosts[].images (in 'a') for the images of 'p' whose pull policy
 * (or 'pull', the `up --pull` value, NULL: none) needs to know whether
 * they are there and when they were last pulled (never, daily, weekly,
 * every_<duration>), on every online host (its engine from 'reg').  A
 * host whose engine cannot connect gets an error in 'dl' and no images.
 */
void apply_images_collect(struct plan_host *hosts,
			  size_t n_hosts,
			  struct arena *a,
			  struct engine_registry *reg,
			  const struct compose_project *p,
			  const char *pull,
			  struct diag_list *dl);
/* True if 'name' is in names[0..n), or n is 0 (no selection). */
bool apply_names_has(char *const *names, size_t n, const char *name);

/* ---- Plan -> jobs (apply/apply.c, apply/build_spec.c) ---------------- */

struct plan;
struct plan_down;
struct apply_rmi_image;
struct engine_job;

/* One published port of a one-off: [IP:][HOST[-END]:]PORT[/PROTO]. */
struct apply_publish {
	char host_ip[64];   /* "" : all */
	char host_port[16]; /* "" : any; "8000-8010" */
	unsigned container_port;
	char protocol[8]; /* "" : tcp */
};

/* What the progress display shows for one job (the job's ud). */
struct apply_job_info {
	const char *line;   /* display line: "Container proj-web-1" */
	const char *daemon; /* "windows", or NULL */
	const char *doing;  /* text while it works; NULL: keep the line's */
	const char *done;   /* text when done; NULL: keep the line's */
	const char *noop;   /* text when nothing had to be done; NULL: done */
	bool noop_warn;	    /* that 'noop' is a warning */
	/* Text when it was left in use (engine_job.in_use): a warning. */
	const char *in_use;
	bool lazy;  /* shown only once it has a phase (a pull) */
	bool quiet; /* never shown (--quiet-pull); errors still are */
	/* An optional job's service (depends_on required: false), or NULL. */
	const char *optional_dep;
};

/* A job graph for engine_run(); specs and infos live in 'a'. */
struct apply_jobs {
	struct arena *a;
	struct engine_job *v;
	size_t n;
	size_t alloc;
};

struct apply_up_opts {
	int timeout_s; /* stop timeout on recreate; -1: the container's */
	bool wait;     /* --wait: end with every container running/healthy */
	long wait_timeout_ms; /* for --wait; 0: none */
	/*
	 * Builds: `build`'s --build-arg (replace the file's), --no-cache,
	 * --pull, and where each line of build output goes (NULL: nowhere;
	 * 'ud' is the job's "IMAGE (DAEMON)" label).
	 */
	const struct compose_kv *build_args;
	size_t n_build_args;
	bool no_cache;
	bool pull;
	int (*build_out)(void *ud, const char *text);
	/* The builds already ran (up's first phase): no build jobs. */
	bool builds_done;
	bool no_start; /* --no-start, create: create only, start nothing */
	/* The plan's networks exist already (apply_networks ran). */
	bool networks_made;
	/*
	 * A recreated container takes over the anonymous volumes of the one
	 * it replaces (compose v2: a service volume without a source, and one
	 * the image declares), unless this is set (up -V).
	 */
	bool renew_anon_volumes;
	/* Image pulls draw no progress line (--quiet-pull); errors still do. */
	bool quiet_pull;
};

struct apply_down_opts {
	int timeout_s;
	/*
	 * The loaded project, or NULL: a running container of one of its
	 * services runs that service's pre_stop hooks before it is stopped.
	 */
	const struct compose_project *project;
	/* -v: each container's anonymous volumes go with it (compose v2). */
	bool remove_volumes;
	/*
	 * --rmi: these images (apply_rmi_select) go with the networks and
	 * volumes, after the containers; host indexes the plan's hosts.
	 */
	const struct apply_rmi_image *images;
	size_t n_images;
};

void apply_jobs_init(struct apply_jobs *j);
void apply_jobs_release(struct apply_jobs *j);
/*
 * The POST /build spec of service 'si' of 'p' (on its daemon), in 'a'.
 * 'platform' is what the daemon is asked for (NULL: its own).  A remote
 * (git/URL) context is a DIAG_EUSAGE error.  A key the classic builder
 * cannot do (compose_build.refused) is a DIAG_EPLAN error when the
 * service's image is always built, else the spec's 'refuse' message.
 * So is build.ulimits or build.shm_size under BuildKit on a daemon older
 * than Engine API 1.APPLY_BUILDKIT_LIMITS_API, whose builder-next drops
 * them (the schema's "x-mixcompose-buildkit-api").
 */
#define APPLY_BUILDKIT_LIMITS_API 42
struct engine_build_spec;
int apply_build_spec(struct engine_build_spec **out,
		     struct arena *a,
		     const struct plan *p,
		     size_t si,
		     const char *platform,
		     const struct apply_up_opts *o,
		     struct diag *err);
/*
 * Appends one IMAGE_BUILD job per selected service whose plan says it is
 * built (always, or only when missing), once per (daemon, image): what
 * `mixcompose build` runs, and up's first phase.  'service_job' (may be
 * NULL; p->n_services entries) gets each service's job index, or
 * SIZE_MAX: after the run, that job's id is the image id.
 */
int apply_build(struct apply_jobs *out,
		const struct plan *p,
		struct engine *const *engines,
		const struct apply_up_opts *o,
		size_t *service_job,
		struct diag *err);
/*
 * Appends only the network creates of 'p' (the first phase of up: see
 * cmd_up.c).  Returns how many jobs it added.
 */
size_t apply_networks(struct apply_jobs *out,
		      const struct plan *p,
		      struct engine *const *engines);
/*
 * Refuses a plan that a daemon would refuse halfway: a service on a
 * Windows daemon that sets a key of compose_keys[] that Windows does not
 * take (shm_size, ulimits, sysctls...).  The error names the service, the
 * key (at its file:line:col) and the daemon.  apply_up runs it first; call
 * it before any job of the plan runs.
 */
int apply_check(const struct plan *p, struct diag *err);
/*
 * Appends the jobs that carry out 'p': networks, volumes, images, then
 * per container (in start order) remove/create/start, the hosts exec of
 * PLAN_HOSTS_EXEC containers, the waits that depends_on conditions need.
 * engines[d] is the engine of p->hosts[d]; a container on a NULL one is
 * a DIAG_ETRANSPORT error.  Returns 0 or a negative diag code.
 */
int apply_up(struct apply_jobs *out,
	     const struct plan *p,
	     struct engine *const *engines,
	     const struct apply_up_opts *o,
	     struct diag *err);
/* What `run` changes in the service's container to make its one-off. */
struct apply_oneoff {
	const char *name;
	const char *slug;		/* com.docker.compose.slug */
	struct compose_strv cmd;	/* v NULL: the service's */
	struct compose_strv entrypoint; /* v NULL: the service's */
	const char *const *env;		/* "K=V" or "K" (from ours) */
	size_t n_env;
	const char *const *labels; /* "K=V", over the service's */
	size_t n_labels;
	const char *const *volumes; /* binds "SRC:DST[:ro]" */
	size_t n_volumes;
	const struct apply_publish *publish;
	size_t n_publish;
	const char *user;
	const char *workdir;
	bool tty;
	bool interactive; /* OpenStdin, AttachStdin, StdinOnce */
	bool auto_remove;
	bool service_ports;
	/* --cap-add, --cap-drop: over the service's, as compose v2 merges. */
	const char *const *cap_add;
	size_t n_cap_add;
	const char *const *cap_drop;
	size_t n_cap_drop;
	/* --use-aliases: the service's name and network aliases. */
	bool use_aliases;
	bool quiet_pull; /* --quiet-pull */
};

/*
 * The jobs of `run`: those of apply_up for 'p' (whose containers of
 * the run's own service the caller has set to PLAN_ACT_SKIP), then a
 * CREATE of the one-off modelled on container 'ci' of the service: no
 * planned address, no alias, no restart policy, the service's ports only
 * with service_ports, labelled oneoff=True.  It waits for every job its
 * dependencies need to be ready, since it starts as soon as it exists.
 * '*out_job' is its index (its id is there once run).
 */
int apply_run(struct apply_jobs *out,
	      const struct plan *p,
	      struct engine *const *engines,
	      size_t ci,
	      const struct apply_oneoff *o,
	      size_t *out_job,
	      struct diag *err);

/*
 * Appends the jobs of a down plan: container removals wave after wave
 * (every wave waits for the one before on all daemons, even after a
 * failure), then networks, volumes and o->images all at once, as compose
 * v2 does.  A network, volume or image still in use is left and its job
 * is DONE with engine_job.in_use (compose v2 warns "Resource is still in
 * use"); a missing one is a noop.  Steps on a NULL engine are left out
 * (the caller reports that daemon).
 */
int apply_down(struct apply_jobs *out,
	       const struct plan_down *d,
	       struct engine *const *engines,
	       const struct apply_down_opts *o);

/*
 * Appends a STOP job for every running container of hosts[] (of the
 * selected services; n_services 0: all) whose engines[h] is not NULL.
 */
int apply_stop(struct apply_jobs *out,
	       const struct plan_host *hosts,
	       size_t n_hosts,
	       struct engine *const *engines,
	       char *const *services,
	       size_t n_services,
	       int timeout_s);

/*
 * After an up: an EXEC job that rewrites the hosts block of every
 * container whose host entries include late ones (peers whose address the
 * planner could not know, e.g. on an external network), with those
 * addresses inspected now, and of every kept container whose entries went
 * stale (hosts_rewrite: a Windows engine's block).  Problems are warnings in
 * 'dl'.  Returns how many jobs it appended.
 */
int apply_late_hosts(struct apply_jobs *out,
		     const struct plan *p,
		     struct engine *const *engines,
		     struct diag_list *dl);

/*
 * An engine_file_edit_fn: the hosts file text 'old' with the block 'ud'
 * (a plan container's hosts_block) merged in by plan_hosts_merge; the
 * caller frees the result.  Up's jobs and `hosts --sync` both use it.
 */
char *apply_hosts_merge_edit(void *ud, const char *old, size_t len);

/* ---- down --rmi (apply/rmi.c) ------------------------------------------ */

/* One service as down --rmi sees it. */
struct apply_rmi_service {
	const char *name;
	const char *image; /* its image: key; NULL: built as <project>-<name> */
	size_t host;	   /* the daemon the plan sends it to (engines[host]) */
};

/* An image to remove: 'ref' (normalized) on engines[host]. */
struct apply_rmi_image {
	const char *ref;
	size_t host;
};

struct apply_rmi_opts {
	bool all;     /* --rmi all (else local) */
	bool orphans; /* --remove-orphans: labelled images of any service */
};

/*
 * What `down --rmi` removes, as compose v2 (2.26, its ImagePruner) picks
 * it, each service's on its own daemon: with 'all', the image: of every
 * service that exists there; the tagged images labelled
 * com.docker.compose.project=<project> and com.docker.compose.service=
 * one of 'svcs' (with 'orphans': any, on every daemon), by their first
 * tag; the <project>-<service> image of a service without image: when it
 * exists.  An answer other than "no such image" keeps a name (its removal
 * says what is wrong); a failed list is an error in 'dl'.  Normalized and
 * once per daemon (apply_rmi_dedupe).  A NULL engines[h] is not asked.
 * '*out' and its strings are in 'a'; returns how many.
 */
size_t apply_rmi_select(struct apply_rmi_image **out,
			struct arena *a,
			const char *project,
			const struct apply_rmi_service *svcs,
			size_t n_svcs,
			struct engine *const *engines,
			size_t n_hosts,
			const struct apply_rmi_opts *o,
			struct diag_list *dl);
/*
 * Normalizes v[0..n) in place (apply_image_normalize) and keeps the
 * first of each (host, ref), in order; returns how many are left.
 */
size_t apply_rmi_dedupe(struct apply_rmi_image *v, size_t n, struct arena *a);
/*
 * 'ref' as the docker CLI shows it (distribution's familiar form): no
 * docker.io/ nor library/, ":latest" when it has neither tag nor digest
 * ("busybox" -> "busybox:latest", "docker.io/library/x:1" -> "x:1").  A
 * reference that does not parse (upper case) comes back as it is.  In 'a'.
 */
const char *apply_image_normalize(struct arena *a, const char *ref);

#endif
