#ifndef PLANNER_PLANNER_H
#define PLANNER_PLANNER_H

/*
 * planner/: a pure function from (typed compose model, one struct plan_host
 * per daemon, options) to a plan.  No I/O at all: no files, sockets,
 * environment or printing.  cli/ fills the plan_host array from engine/
 * (or from x-mixcompose.daemons declarations when offline), calls
 * plan_build(), prints the plan with plan_describe()/plan_to_json() and
 * hands it to the executor.
 *
 * Ownership.  A plan has its own arena; plan_free() releases all of it.
 * The plan BORROWS the compose project (service/network pointers and
 * their strings) and the strings inside the caller's plan_host array: both
 * must outlive the plan.  The plan_host structs themselves are copied
 * (shallowly) into the plan, so the array may be a stack array.
 *
 * Indices.  Everything refers to other things by index: a daemon is an
 * index into plan->hosts, a service an index into plan->services, a
 * network an index into plan->networks, a container an index into
 * plan->containers.  SIZE_MAX (PLAN_NONE) means "none".
 *
 * Determinism.  For the same inputs the plan is byte-for-byte the same:
 * services are in model order (sorted by name), networks by (key, daemon),
 * containers by (service, number), names in host lists sorted.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compose/compose.h"
#include "util/diag.h"
#include "util/sbuf.h"

#define PLAN_NONE SIZE_MAX

/* The default address pool (x-mixcompose.address_pool overrides it). */
#define PLAN_DEFAULT_POOL "172.30.0.0/16"

/* The label with a container's host entries (plan_container.hosts_label). */
#define PLAN_LABEL_HOSTS "io.mixcompose.hosts"

/* Marker lines of the hosts block written into a container's hosts file. */
#define PLAN_HOSTS_BEGIN "# mixcompose begin"
#define PLAN_HOSTS_END "# mixcompose end"
/* Every entry line inside the block ends with this tag (see plan_hosts_block).
 */
#define PLAN_HOSTS_TAG "# mixcompose"

/* Hosts files inside containers, and the user that may write them. */
#define PLAN_HOSTS_PATH_LINUX "/etc/hosts"
#define PLAN_HOSTS_PATH_WINDOWS "C:\\Windows\\System32\\drivers\\etc\\hosts"
/*
 * The Windows hosts file as the archive API is asked for it: the directory
 * '/'-separated and without a drive letter (a Windows daemon takes the
 * system drive), and the file's name.
 */
#define PLAN_HOSTS_ARCHIVE_DIR_WINDOWS "/Windows/System32/drivers/etc"
#define PLAN_HOSTS_ARCHIVE_NAME "hosts"
#define PLAN_EXEC_USER_LINUX "0"
#define PLAN_EXEC_USER_WINDOWS "ContainerAdministrator"

/* ---- Inputs: what cli/ learned from each daemon ----------------------- */

/* One network a container is attached to. */
struct plan_host_attach {
	const char *network; /* real network name on that daemon */
	/*
	 * The container's IPv4 there, without prefix length: the static one
	 * (EndpointSettings.IPAMConfig.IPv4Address) if set, else the current
	 * IPAddress; NULL or "" if unknown (e.g. a stopped container without
	 * a static address).
	 */
	const char *ipv4;
};

/* One network that exists on a daemon (ALL networks, not only ours). */
struct plan_host_network {
	const char *id; /* may be NULL */
	const char *name;
	const char *subnet;  /* first IPv4 IPAM subnet "a.b.c.d/n", or NULL */
	const char *gateway; /* or NULL */
	const char *driver;  /* or NULL */
	/* Labels com.docker.compose.project / .network, NULL if absent. */
	const char *label_project;
	const char *label_network;
};

/* One volume a container mounts: a named or an anonymous one. */
struct plan_host_mount {
	const char *name;   /* the volume (64 hex: anonymous) */
	const char *target; /* where it is mounted */
};

/* One container that carries com.docker.compose.project=<our project>. */
struct plan_host_container {
	const char *id;
	const char *name;	 /* without the leading '/' */
	const char *service;	 /* com.docker.compose.service */
	int number;		 /* com.docker.compose.container-number */
	const char *daemon;	 /* io.mixcompose.daemon, or NULL */
	const char *config_hash; /* com.docker.compose.config-hash, or NULL */
	const char *state;	 /* "running", "exited", "created", ... */
	/* com.docker.compose.depends_on ("db:service_started:false,..."). */
	const char *depends_on;
	const char *label_project; /* com.docker.compose.project */
	const char *image_digest;  /* com.docker.compose.image, or NULL */
	const char *image;	   /* the reference it was created from */
	bool oneoff;		   /* com.docker.compose.oneoff=True */
	struct plan_host_attach *networks;
	size_t n_networks;
	/*
	 * io.mixcompose.hosts: the entries it was created with
	 * (plan_container.hosts_label), or NULL (made before the label
	 * existed: not compared).
	 */
	const char *hosts_label;
	/*
	 * Why it cannot be started as it is, or NULL: a container that a
	 * daemon crash left with a containerd task ("task ...: already
	 * exists" on every start), or a dead one.  The planner recreates it.
	 */
	const char *broken;
	/*
	 * Its volume mounts: a recreated container takes over the anonymous
	 * ones (compose v2's inheritance; up -V turns it off).
	 */
	const struct plan_host_mount *volume_mounts;
	size_t n_volume_mounts;
};

/* One volume that exists on a daemon (only needed by plan_build_down). */
struct plan_host_volume {
	const char *name;
	const char *label_project; /* com.docker.compose.project or NULL */
	const char *label_volume;  /* com.docker.compose.volume or NULL */
};

/*
 * One image a daemon was asked about.  cli/ inspects only the images whose
 * pull policy needs it (never, daily, weekly, every_<duration>); the
 * planner treats an image that is not listed as unknown.
 */
struct plan_host_image {
	const char *ref; /* as the service names it */
	bool present;
	/* Metadata.LastTagTime (its last pull or tag), unix seconds; 0:
	 * unknown. */
	long long last_tag_time;
};

/* One daemon and its current state. */
struct plan_host {
	const char *name; /* registry name: "linux", "windows" */
	/*
	 * The OS the planner routes on: the daemon's own OS, or the OS it
	 * is declared to stand in for when 'lab' is set ("windows").
	 */
	const char *os;
	/* The OS the daemon really runs (Ostype); NULL means the same as os. */
	const char *engine_os;
	const char *arch; /* "amd64", "arm64"; NULL if unknown */
	int api_major;	  /* negotiated API version, e.g. 1 and 41 */
	int api_minor;
	bool lab;     /* a lab stand-in for 'os' */
	bool offline; /* state unknown (declared, not asked) */
	/* For pictures only (plan_graph_network_*); NULL when unknown. */
	const char *version;  /* the engine's version ("20.10.24") */
	const char *endpoint; /* how it is reached ("tcp://10.0.0.5:2376") */
	struct plan_host_network *networks;
	size_t n_networks;
	struct plan_host_container *containers;
	size_t n_containers;
	struct plan_host_volume *volumes;
	size_t n_volumes;
	struct plan_host_image *images;
	size_t n_images;
};

/* up's --build / --no-build. */
enum plan_build_opt {
	PLAN_BUILD_OPT_DEFAULT = 0, /* build what is missing */
	PLAN_BUILD_OPT_ALWAYS,	    /* --build */
	PLAN_BUILD_OPT_NEVER,	    /* --no-build */
};

/* When a service's image is built (on the service's own daemon). */
enum plan_build_when {
	PLAN_BUILD_NONE = 0, /* no build: section, or --no-build */
	PLAN_BUILD_MISSING,  /* only if the daemon lacks the image */
	PLAN_BUILD_ALWAYS,   /* --build, or pull_policy: build */
};

enum plan_addr_mode {
	PLAN_ADDR_DEFAULT = 0, /* x-mixcompose.address_mode, else container */
	PLAN_ADDR_CONTAINER,   /* peers resolve to container IPs */
	PLAN_ADDR_HOST, /* other daemons' peers resolve to host_address */
};

struct plan_options {
	/*
	 * Services named on the command line (NULL/0: all).  Their
	 * dependencies are added unless no_deps.  Services left out are
	 * still routed and addressed (networks, hosts table), so that every
	 * name resolves the same way whatever was selected; their containers
	 * get PLAN_ACT_SKIP.
	 */
	const char *const *services;
	size_t n_services;
	bool no_deps;
	bool force_recreate;
	bool no_recreate;
	/*
	 * compose v2's two recreate strategies: force_recreate and
	 * no_recreate go to the services named (all of them when none is);
	 * the dependencies that the selection adds are recreated only with
	 * always_recreate_deps (--always-recreate-deps), and kept with
	 * no_recreate.
	 */
	bool always_recreate_deps;
	bool remove_orphans;
	/*
	 * `scale` and `--scale`: a running container whose host entries
	 * gained or lost names (a peer scaled up or down), selected or not,
	 * is kept and gets hosts_rewrite (with hosts_gone) instead of being
	 * recreated or left stale; its label keeps the old entries.
	 */
	bool hosts_in_place;
	/*
	 * `up`: a container whose host entries all go in ExtraHosts, none
	 * late, gets no hosts block and no exec script (nothing would run
	 * them: its ExtraHosts are in its create body, and a running one is
	 * recreated, not rewritten, when they change).  Ignored with
	 * hosts_in_place.  `plan` and `hosts --sync` leave it off.
	 */
	bool hosts_lazy;
	/*
	 * With offline, no state is trusted: external networks are not
	 * checked and every container is CREATE (for `plan`/`graph` without
	 * reachable daemons).
	 */
	bool offline;
	enum plan_addr_mode address_mode;
	const char *host_address;     /* NULL: x-mixcompose.host_address */
	const char *address_pool;     /* NULL: x-mixcompose.address_pool, else
					 PLAN_DEFAULT_POOL */
	const char *default_platform; /* DOCKER_DEFAULT_PLATFORM, or NULL */
	enum plan_build_opt build;
	/*
	 * Per project service (same index), the id of the image its
	 * containers would run, when known (up knows it once its builds
	 * ran), or NULL.  Containers get it as com.docker.compose.image, and
	 * one whose label names another image is recreated (compose v2).
	 */
	const char *const *image_ids;
	/*
	 * `up --pull POLICY`: replaces every service's pull_policy, as
	 * compose v2 does (NULL: each service's own).  Checked with
	 * plan_pull_policy_parse; a bad one is DIAG_EPLAN.
	 */
	const char *pull;
	/* Now, unix seconds, for daily/weekly/every_<duration>; 0: unknown. */
	long long now;
};

/* ---- Pull policies --------------------------------------------------------
 */

enum plan_pull_policy {
	PLAN_POLICY_MISSING, /* missing, if_not_present, refresh, unset */
	PLAN_POLICY_ALWAYS,
	PLAN_POLICY_NEVER,
	PLAN_POLICY_BUILD,
	PLAN_POLICY_REFRESH, /* daily, weekly, every_<duration> */
};

/*
 * Parses a pull_policy value (NULL: unset, i.e. missing).  daily is 24 h,
 * weekly 7 days, every_<duration> takes [0-9]+[wdhms] groups ("every_12h",
 * "every_1d12h").  Sets '*kind' and, for REFRESH, '*every_s' (seconds).
 * Returns 0, or -1 for a value that is none of these.
 */
int plan_pull_policy_parse(enum plan_pull_policy *kind,
			   long long *every_s,
			   const char *s);

/* ---- The plan ----------------------------------------------------------- */

enum plan_dep_kind {
	PLAN_DEP_DEPENDS_ON,
	PLAN_DEP_LINK,
	PLAN_DEP_NETWORK_MODE, /* network_mode: service:x */
	PLAN_DEP_VOLUMES_FROM, /* volumes_from: service:x */
};

/*
 * 'from' needs 'to' (from depends on to): 'to' starts first.  Edges to a
 * service that is not selected (PLAN_ACT_SKIP, e.g. with no_deps) stay in
 * the plan; the executor waits on them only if their container exists.
 */
struct plan_edge {
	size_t from; /* service index */
	size_t to;   /* service index */
	enum plan_dep_kind kind;
	/*
	 * service_started | service_healthy | service_completed_successfully
	 * (links, network_mode and volumes_from: service_started).
	 */
	const char *condition;
	/*
	 * false (depends_on required: false): a soft edge.  As compose v2,
	 * the dependent still waits for the dependency, but when the
	 * dependency fails to reach its condition (it exits, is unhealthy,
	 * completes with a non-zero code, fails to start) it only warns and
	 * starts the dependent anyway.  A dependency that is not in the
	 * project (profile off) gives no edge but a warning.
	 */
	bool required;
	bool restart;
	bool cross_daemon;   /* the two services run on different daemons */
	struct diag_loc loc; /* where the edge is declared */
};

/* What up does about a service's image before its containers are created. */
enum plan_pull {
	PLAN_PULL_MISSING, /* inspect; pull only if missing (the default) */
	PLAN_PULL_ALWAYS,  /* pull, even if present */
	PLAN_PULL_NEVER,   /* never pull; missing is an error */
	/*
	 * pull_policy: build: never pulled; the image comes from the
	 * service's build: section (cli/ adds the build job there).
	 */
	PLAN_PULL_BUILD,
	PLAN_PULL_NONE, /* the service has no image */
};

struct plan_service {
	const struct compose_service *svc; /* borrowed from the project */
	const char *name;
	size_t daemon; /* index into hosts */
	/* Why this daemon: "pinned by x-mixcompose.daemon", "platform: ...". */
	const char *reason;
	/* The platform passed to pull/create ("windows/amd64"), or NULL. */
	const char *platform;
	bool selected; /* part of this run (command line + deps) */
	enum plan_pull pull;
	/* Why: "pull_policy: daily, last pulled 30h ago", "--pull always". */
	const char *pull_reason;
	size_t level; /* 0: needs nothing; else 1 + max level of deps */
	/* The image its containers run: image, else the build's tag. */
	const char *image;
	/* When the image is built, on 'daemon' (plan_service_build_when). */
	enum plan_build_when build;
	const char *image_id;	/* from opts->image_ids, or NULL */
	size_t first_container; /* containers[first .. first + n) */
	size_t n_containers;
};

enum plan_net_action {
	PLAN_NET_CREATE,   /* create it on that daemon */
	PLAN_NET_KEEP,	   /* exists with a matching config */
	PLAN_NET_EXTERNAL, /* external: never created nor removed */
};

/* One project network on one daemon. */
struct plan_network {
	const struct compose_network
		*net;	  /* borrowed; NULL for a synthesized default */
	const char *key;  /* key in the compose file ("default") */
	const char *name; /* real name on the daemon */
	size_t daemon;
	enum plan_net_action action;
	const char
		*driver; /* "bridge" (linux), "nat" (windows) or the user's */
	const char *subnet;  /* "172.30.0.0/24"; NULL: unknown (external) */
	const char *gateway; /* "172.30.0.1"; NULL: unknown */
	bool user_subnet;    /* from ipam.config */
	bool internal;
	bool attachable;
	bool enable_ipv6;
	/* Labels to create it with (project, network, io.mixcompose.daemon). */
	struct compose_kv *labels;
	size_t n_labels;
	const char *existing_id; /* when KEEP/EXTERNAL and known */
};

/* One named project volume on one daemon (a volume lives on one host). */
struct plan_volume {
	const struct compose_volume *vol; /* borrowed */
	const char *key;		  /* key in the compose file */
	const char *name;		  /* real name on the daemon */
	size_t daemon;
	enum plan_net_action action; /* CREATE, KEEP (exists) or EXTERNAL */
	/* Labels to create it with (project, volume, io.mixcompose.daemon). */
	struct compose_kv *labels;
	size_t n_labels;
};

/* A container's attachment to one network. */
struct plan_endpoint {
	size_t network; /* index into networks */
	/* Static IPv4 (no prefix) to request; NULL: the daemon picks (late). */
	const char *ipv4;
	bool user_address; /* ipv4_address from the compose file */
	/* DNS aliases: service name, network aliases, container_name. */
	struct compose_strv aliases;
	int priority;
	/* The service's entry for it (link_local_ips...); NULL: none. */
	const struct compose_service_network *cfg;
};

/* One name a container must resolve that its own daemon's DNS cannot. */
struct plan_host_entry {
	const char *name;
	const char *ip; /* NULL when late */
	bool late;	/* address known only after start */
	/*
	 * A name the file must lose (a peer scaled away): the in-place
	 * rewrite drops its lines and writes none for it.
	 */
	bool gone;
};

enum plan_action {
	PLAN_ACT_CREATE,   /* no container yet: create and start */
	PLAN_ACT_RECREATE, /* remove 'existing_id', create and start */
	PLAN_ACT_KEEP,	   /* running with the same hash */
	PLAN_ACT_START,	   /* same hash but not running: start it */
	PLAN_ACT_REMOVE,   /* an orphan or a scaled-down container */
	PLAN_ACT_SKIP,	   /* service not selected: leave as it is */
	/*
	 * Running and up to date, but a dependency it declares with
	 * depends_on restart: true is recreated: as compose v2, it is
	 * stopped before that dependency goes and started again after it.
	 */
	PLAN_ACT_RESTART,
};

/* How a container gets its host entries. */
enum plan_hosts_mech {
	PLAN_HOSTS_NONE,	/* nothing to add, or it shares a namespace */
	PLAN_HOSTS_EXTRA_HOSTS, /* HostConfig.ExtraHosts at create (linux
				   engine); plus the exec block if any entry
				   is late */
	PLAN_HOSTS_EXEC,	/* exec the hosts block after every start
				   (windows engine: it ignores ExtraHosts) */
};

struct plan_container {
	const char *name; /* "<project>-<service>-<n>" or container_name */
	size_t service;	  /* index into services, PLAN_NONE for orphans */
	const char *service_name;
	int number; /* 1-based */
	size_t daemon;
	enum plan_action action;
	/* "config hash changed: 0a1b2c3d -> 4e5f6a7b", "orphan: ...", ... */
	const char *reason;
	/*
	 * sha256 hex (64) of a canonical text of the container's config
	 * (plan_container_canonical in planner_int.h), NULL for REMOVE.  Host
	 * entries and the addresses the planner picked are left out: entries
	 * are rewritten in place, and addresses are compared directly (a
	 * known current address that must change gives RECREATE with reason
	 * "address changed on NET: OLD -> NEW").  ipv4_address from the file
	 * is part of it.
	 */
	const char *config_hash;
	const char *old_hash;	 /* the existing container's, or NULL */
	const char *existing_id; /* the existing container, or NULL */
	const char *existing_state;
	struct plan_endpoint *endpoints;
	size_t n_endpoints;
	/* All labels to create it with, sorted by key. */
	struct compose_kv *labels;
	size_t n_labels;
	/*
	 * Peers' names, sorted by name, own names excluded: the names of the
	 * containers it shares a network with, each at its address on the
	 * first shared network in the container's own network order.
	 */
	struct plan_host_entry *extra_hosts;
	size_t n_extra_hosts;
	enum plan_hosts_mech hosts_mech;
	/* "name:ip" for HostConfig.ExtraHosts (linux mech; late ones left out).
	 */
	struct compose_strv extra_hosts_strv;
	/* The marked block (plan_hosts_block) for the exec mechanism. */
	const char *hosts_block;
	/*
	 * Its entries as "name=ip,name=ip" (sorted by name, late ones left
	 * out), given as the label io.mixcompose.hosts.  Kept out of
	 * config_hash: a new peer adds names and recreates nobody.  Compared
	 * on its own: an existing container whose label maps a name to
	 * another address than the plan has stale entries (a peer's network
	 * moved to another subnet).
	 */
	const char *hosts_label;
	/*
	 * Its entries are stale and its engine lets them be rewritten in
	 * place (PLAN_HOSTS_EXEC): the executor runs hosts_exec in it even
	 * though it is kept.  An EXTRA_HOSTS container is recreated instead.
	 */
	bool hosts_rewrite;
	/*
	 * With plan_options.hosts_in_place: the names its label has that its
	 * entries lost (peers scaled away), for the rewrite to drop.
	 */
	struct compose_strv hosts_gone;
	/*
	 * The exec argv that rewrites the block in place, and its user; NULL
	 * .v when hosts_mech is PLAN_HOSTS_NONE.  The executor runs it after
	 * every start of a PLAN_HOSTS_EXEC container (Docker regenerates the
	 * hosts file on each start).  An EXTRA_HOSTS container needs it only
	 * when it had late entries: call plan_set_address() when a late
	 * address becomes known (it rebuilds every container's entries and
	 * this argv), then run it; `hosts --sync` may run it anywhere (lines
	 * that repeat ExtraHosts are harmless: same names, same addresses).
	 */
	struct compose_strv hosts_exec;
	const char *hosts_exec_user;
};

/*
 * One row of the hosts table: a name on one network and what it resolves
 * to.  As compose's DNS, a name is seen only by the containers that share
 * that network with it (the network's key: its copies on every daemon are
 * one network), at its address on that network.
 */
struct plan_hosts_row {
	const char *name;
	const char
		*kind; /* "service", "alias", "container_name", "container" */
	const char *network; /* the network key ("default", "front") */
	size_t container;    /* the container it names */
	/* addr[d]: the address seen from daemon d (n_hosts entries; NULL:
	 * late). */
	const char **addr;
	/* via[d]: "container IP" or "host address (published ports)". */
	const char **via;
	bool late; /* some address known only after start */
};

struct plan {
	struct arena *arena;
	const struct compose_project *project; /* borrowed */
	const char *project_name;

	struct plan_host *hosts; /* copies of the caller's structs */
	size_t n_hosts;
	enum plan_addr_mode address_mode; /* resolved: CONTAINER or HOST */
	const char *host_address;
	const char *address_pool;

	struct plan_service *services; /* same order as project->services */
	size_t n_services;
	struct plan_edge *edges; /* sorted by (from, to, kind) */
	size_t n_edges;
	/* Start order: service indices, topological, by name within a level. */
	size_t *order;
	size_t n_order;
	size_t n_levels;

	struct plan_network *networks; /* sorted by (key, daemon) */
	size_t n_networks;
	/* Planned containers (by service, number), then removals. */
	struct plan_container *containers;
	size_t n_containers;
	struct plan_hosts_row *hosts_table; /* sorted by name, network */
	size_t n_hosts_table;
	/* Orphans left in place (remove_orphans off): "daemon/name (service)".
	 */
	struct compose_strv orphan_warnings;
	/*
	 * Other warnings for the person running up, e.g. an optional
	 * dependency that is not part of this run ("service 'web': optional
	 * dependency 'db' is not in the project (profile off?): ignored").
	 */
	struct compose_strv warnings;
	/*
	 * Named volumes per daemon that mounts them, sorted by (key, daemon).
	 * Two daemons mounting one volume get two separate volumes.
	 */
	struct plan_volume *volumes;
	size_t n_volumes;
};

/*
 * Builds the plan for `up` (and `plan`, `graph`, `hosts`).  'hosts' has
 * one entry per daemon, in the order cli/ wants them shown.  'opts' may be
 * NULL (all defaults).  Returns 0 and sets '*out' (free with plan_free),
 * or a negative diag code (DIAG_EPLAN for routing failures, cycles,
 * address conflicts and networks whose existing config differs) with
 * '*out' NULL and 'err' pointing at the compose location when there is one.
 */
int plan_build(struct plan **out,
	       const struct compose_project *project,
	       const struct plan_host *hosts,
	       size_t n_hosts,
	       const struct plan_options *opts,
	       struct diag *err);
void plan_free(struct plan *p);

/*
 * The dependency graph alone (depends_on, links, network_mode and
 * volumes_from of other services), as `config` checks it without any
 * daemon: DIAG_EPLAN at the declaration for a cycle ("dependency cycle:
 * a -> b -> a") or a dependency that is not in the project; 0 otherwise.
 */
int plan_check_dependencies(const struct compose_project *project,
			    struct diag *err);

/*
 * When 'svc' is built, compose v2's rule: never without a build section
 * or with --no-build; always with --build or when 'pull_policy' (the
 * effective one: `up --pull`, else the service's) is 'build'; else only
 * when the image is missing on the daemon.  The one place where a pull
 * policy decides a build.
 */
enum plan_build_when plan_service_build_when(const struct compose_service *svc,
					     const char *pull_policy,
					     enum plan_build_opt opt);
const char *plan_build_when_name(enum plan_build_when w); /* "missing" */

const char *plan_action_name(enum plan_action a);     /* "create", ... */
const char *plan_dep_kind_name(enum plan_dep_kind k); /* "depends_on", ... */
const char *plan_pull_name(enum plan_pull k);	      /* "missing", ... */
/* Index of the service / host by name, or PLAN_NONE. */
size_t plan_service_index(const struct plan *p, const char *name);
size_t plan_host_index(const struct plan_host *hosts,
		       size_t n_hosts,
		       const char *name);

/*
 * For `plan`/`graph` without reachable daemons: one offline plan_host per
 * x-mixcompose.daemons entry (os/arch as declared, lab as declared, no
 * state), in declaration order, in 'a'.  With no declarations, one
 * "default" linux host.  Use with opts->offline.
 */
void plan_hosts_from_declarations(struct plan_host **out,
				  size_t *n_out,
				  struct arena *a,
				  const struct compose_project *project);

/*
 * Records the address a container got on 'network' (its real name) when
 * the plan could not pick it (an external network without ipv4_address:
 * known only after start), and brings everything that depends on it up
 * to date: the hosts table, and every container's extra_hosts,
 * extra_hosts_strv, hosts_block and hosts_exec.  The executor then runs
 * the new hosts_exec in the running containers.  Returns 0, or DIAG_EPLAN
 * for an unknown container/network or an address that is not IPv4.
 */
int plan_set_address(struct plan *p,
		     size_t container,
		     const char *network,
		     const char *ipv4,
		     struct diag *err);

/* ---- The down plan ------------------------------------------------------ */

enum plan_down_kind {
	PLAN_DOWN_CONTAINER, /* stop (if running) and remove */
	PLAN_DOWN_NETWORK,
	PLAN_DOWN_VOLUME,
};

struct plan_down_step {
	enum plan_down_kind kind;
	size_t daemon;
	const char *id; /* may be NULL for networks/volumes: use name */
	const char *name;
	const char *service; /* containers only */
	bool running;	     /* containers: needs a stop first */
	size_t wave;	     /* steps of the same wave may run at once */
};

struct plan_down_options {
	bool remove_volumes; /* -v: named volumes of the project */
	bool remove_orphans;
	/*
	 * The loaded project if there is one (may be NULL): without
	 * remove_orphans, containers of services that are not in it are left
	 * and reported in orphan_warnings.  NULL: every labelled container
	 * goes.
	 */
	const struct compose_project *project;
};

struct plan_down {
	struct arena *arena;
	const char *project_name;
	struct plan_host *hosts;
	size_t n_hosts;
	/*
	 * Containers first in reverse dependency order (wave 0 are the ones
	 * nothing depends on), then networks, then volumes.
	 */
	struct plan_down_step *steps;
	size_t n_steps;
	size_t n_waves;
	struct compose_strv orphan_warnings;
};

/*
 * Builds the down plan from the existing state only (the labels on each
 * daemon's containers, networks and volumes).  Returns 0 or a negative
 * diag code; free '*out' with plan_down_free.
 */
int plan_build_down(struct plan_down **out,
		    const char *project_name,
		    const struct plan_host *hosts,
		    size_t n_hosts,
		    const struct plan_down_options *opts,
		    struct diag *err);
void plan_down_free(struct plan_down *d);
void plan_down_describe(struct sbuf *out, const struct plan_down *d);

/* ---- Host entries ---------------------------------------------------------
 */

/*
 * True if 'name' may go into a hosts file or a command line:
 * ^[A-Za-z0-9._-]+$ (and not starting with '-').  True if 'ip' is a
 * plain IPv4 or IPv6 address.
 */
bool plan_hosts_name_ok(const char *name);
bool plan_hosts_ip_ok(const char *ip);

/*
 * In host mode, the address at which containers of daemon 'd' are reached
 * from other daemons: x-mixcompose.daemons.<name>.host_address, else the
 * project's host address (x-mixcompose.host_address or the option).
 */
const char *plan_host_address(const struct plan *p, size_t d);

/*
 * The marked block for 'entries' (late ones skipped), one line per
 * address with all its names, lines sorted by the first name:
 *	# mixcompose begin
 *	172.30.1.2 api proj-api-1 # mixcompose
 *	# mixcompose end
 * Appends to 'out'.  Returns 0, or DIAG_EPLAN if a name or address fails
 * the checks above (nothing is appended then).
 */
int plan_hosts_block(struct sbuf *out,
		     const struct plan_host_entry *entries,
		     size_t n,
		     struct diag *err);

/*
 * A hosts file's text with 'block' (plan_hosts_block) in place of its
 * old block: every line outside the markers is kept as it is, lines that
 * carry PLAN_HOSTS_TAG go (the ones the Windows exec command drops too),
 * and the block goes at the end, with the file's own line ending (CRLF when
 * its first line has one).  Applied to its own result it changes nothing.
 * Appends to 'out'.
 */
void plan_hosts_merge(struct sbuf *out,
		      const char *old,
		      size_t len,
		      const char *block);

/*
 * The exec argv (in 'a') that replaces the block in the container's hosts
 * file IN PLACE (same inode: /etc/hosts is a bind mount), keeping every
 * other line.  Running it twice leaves the same file.
 *	linux:   ["sh", "-c", SCRIPT]            (busybox sh is enough)
 *	windows: ["cmd", "/S", "/C", CMDLINE]    (run as ContainerAdministrator)
 * 'engine_os' is the OS the container really runs ("linux"/"windows").
 * CMDLINE contains no double quote, so it survives Docker's argv joining.
 * Returns 0 or DIAG_EPLAN on an invalid name or address.
 */
int plan_hosts_exec_argv(struct compose_strv *out,
			 struct arena *a,
			 const char *engine_os,
			 const struct plan_host_entry *entries,
			 size_t n,
			 struct diag *err);

/* ---- Output ------------------------------------------------------------- */

/* For a person: daemons, routing, networks, addresses, hosts, order, actions.
 */
void plan_describe(struct sbuf *out, const struct plan *p, bool color);
/* The hosts table alone (`mixcompose hosts`). */
void plan_hosts_describe(struct sbuf *out, const struct plan *p);
/*
 * JSON, 2-space indented, keys in a fixed order; the shape is documented
 * at the top of planner/json.c and only grows (keys are never renamed).
 */
void plan_to_json(struct sbuf *out, const struct plan *p);
/* Graph drawings: services grouped by daemon, cross-daemon edges marked. */
void plan_graph_mermaid(struct sbuf *out, const struct plan *p);
void plan_graph_dot(struct sbuf *out, const struct plan *p);
/*
 * The network picture (the seed's LAB3): each daemon (endpoint and host,
 * OS, engine version, API), its networks with subnet and gateway, each
 * container with its address on each network, its published ports and the
 * names it gets for its peers (host entries), and the routes between the
 * copies of one network on two daemons (routed subnets in container mode,
 * the host address and published ports in host mode).  From the plan: the
 * current state when it was built from answering daemons, else the plan.
 */
void plan_graph_network_mermaid(struct sbuf *out, const struct plan *p);
void plan_graph_network_dot(struct sbuf *out, const struct plan *p);

#endif
