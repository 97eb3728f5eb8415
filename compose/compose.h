#ifndef COMPOSE_COMPOSE_H
#define COMPOSE_COMPOSE_H

/*
 * compose/: load compose files the way docker compose v2 does.
 *
 * Two layers.  The node tree (struct compose_node) is the YAML document
 * after anchors, interpolation, include, extends, overrides and profiles,
 * with a location on every node; schema/ validates it and `config` prints
 * it.  The typed model (struct compose_service and friends) is the
 * normalized project that planner/ consumes.  Both live in the project's
 * arena: nothing here is freed singly, compose_project_free() frees all.
 *
 * The pipeline, as cli/ runs it:
 *	compose_project_load()      files -> merged, interpolated node tree
 *	schema_validate()           node tree -> diagnostics (schema/)
 *	compose_project_normalize() node tree -> typed model
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/atom.h"
#include "util/diag.h"

struct arena;

/*
 * The most a compose file, an env file or stdin (-f -) may hold: a larger
 * one (or /dev/zero) is refused with DIAG_ELIMIT once this much was read,
 * so that no input file can make the loader grow without bound.
 */
#define COMPOSE_FILE_MAX ((size_t)8 << 20)

/* ---- The node tree ---------------------------------------------------- */

enum compose_node_kind {
	COMPOSE_NODE_SCALAR,
	COMPOSE_NODE_MAP,
	COMPOSE_NODE_SEQ,
};

/* How a scalar was written; decides its type as YAML 1.2 core would. */
enum compose_scalar_style {
	COMPOSE_SCALAR_PLAIN,
	COMPOSE_SCALAR_QUOTED, /* single, double, literal or folded */
};

/* The scalar's YAML 1.2 core-schema type, resolved from a plain scalar. */
enum compose_scalar_type {
	COMPOSE_TYPE_STRING,
	COMPOSE_TYPE_NULL,
	COMPOSE_TYPE_BOOL,
	COMPOSE_TYPE_INT,
	COMPOSE_TYPE_FLOAT,
};

struct compose_node;

struct compose_pair {
	struct compose_node *key; /* always a scalar */
	struct compose_node *value;
};

/*
 * 32 bytes: a 5000-service file holds about 230,000 nodes, so every field
 * counts.
 * - The location is a file atom (util/atom.h) and 32-bit line and column;
 *   compose_node_loc() and COMPOSE_NODE_LOC() give it as a struct
 *   diag_loc, and compose_node_set_loc() sets it.
 * - The tag is an atom as well: compose_node_tag() gives it as written.
 * - 'str', 'pairs' and 'items' share their storage: test 'kind' before
 *   reading any of them.  'len' is 0 for maps and sequences, 'n' is 0 for
 *   scalars.
 */
struct compose_node {
	uint8_t kind;  /* enum compose_node_kind */
	uint8_t style; /* enum compose_scalar_style; scalars only */
	uint8_t room;  /* log2(room in pairs or items) + 1, or 0 (internal) */
	uint8_t spare;
	uint16_t file; /* atom of loc.file */
	uint16_t tag;  /* atom of the tag as written ("!reset"), or 0 */
	uint32_t line; /* 1-based; 0 when unknown */
	uint32_t col;
	uint32_t len; /* scalars: bytes in 'str' */
	uint32_t n;   /* pairs or items */
	union {
		/*
		 * Scalars.  The text is shared and read-only (equal scalars
		 * of one parse may point at the same bytes): replace 'str',
		 * never write it.
		 */
		const char *str;
		/* Maps: pairs in document order; keys are unique. */
		struct compose_pair *pairs;
		/* Sequences: items in order. */
		struct compose_node **items;
	};
};

/* The node's location. */
static inline struct diag_loc compose_node_loc(const struct compose_node *n)
{
	return (struct diag_loc){atom_name(n->file), (int)n->line, (int)n->col};
}
/* The node's location as a 'const struct diag_loc *' for diag_set(). */
#define COMPOSE_NODE_LOC(n)                                                    \
	(&(const struct diag_loc){atom_name((n)->file), (int)(n)->line,        \
				  (int)(n)->col})
/* Sets the location ('loc' may be NULL: unknown). */
void compose_node_set_loc(struct compose_node *n, const struct diag_loc *loc);
/* The tag as written, or NULL. */
static inline const char *compose_node_tag(const struct compose_node *n)
{
	return atom_name(n->tag);
}

/* Type of a scalar node (STRING for quoted scalars). */
enum compose_scalar_type compose_scalar_type(const struct compose_node *n);
/* Map lookup by key; NULL when absent or when 'map' is not a map. */
struct compose_node *compose_map_get(const struct compose_node *map,
				     const char *key);
/* Node constructors, all in 'a'.  Maps and sequences start empty. */
struct compose_node *
compose_node_scalar(struct arena *a, const char *s, const struct diag_loc *loc);
struct compose_node *compose_node_map(struct arena *a,
				      const struct diag_loc *loc);
struct compose_node *compose_node_seq(struct arena *a,
				      const struct diag_loc *loc);
/* Appends; compose_map_set replaces the value of an existing key. */
void compose_map_set(struct arena *a,
		     struct compose_node *map,
		     struct compose_node *key,
		     struct compose_node *value);
void compose_seq_push(struct arena *a,
		      struct compose_node *seq,
		      struct compose_node *item);
/* Deep copy into 'a'. */
struct compose_node *compose_node_clone(struct arena *a,
					const struct compose_node *n);

/* Limits for untrusted YAML ("billion laughs" and deep nesting). */
struct compose_yaml_limits {
	size_t max_nodes; /* nodes after alias expansion; 0: 1,000,000 */
	size_t max_depth; /* nesting depth; 0: 256 */
};

/*
 * Parses one YAML document from 'buf' (which need not be NUL-terminated).
 * 'file' names it in locations and is copied (as an atom).  Anchors, aliases
 * and merge keys are resolved; duplicate keys are an error.  On success
 * '*out' is the root (NULL for an empty document).
 *
 * Aliases are copies of the anchored subtree (the result is a tree, never
 * a graph); the copy's root is located at the alias.  With merge keys,
 * explicit keys win, then earlier sources over later ones, and merged
 * pairs take the place of "<<".  Only the first document of a stream is
 * used; later ones are checked for syntax only.  Errors: DIAG_ESYNTAX
 * (libyaml's message at its mark, duplicate or non-scalar keys, unknown
 * aliases, bad merges) and DIAG_ELIMIT (node budget or depth, counted
 * after alias expansion and checked before copying, so a "billion laughs"
 * file fails at once with bounded memory).  'limits' may be NULL.
 */
int compose_yaml_parse(struct compose_node **out,
		       struct arena *a,
		       const char *file,
		       const char *buf,
		       size_t len,
		       const struct compose_yaml_limits *limits,
		       struct diag *err);

/*
 * Writes a node tree as YAML (2-space indent) or as JSON (2-space indent),
 * each ending in a newline.  The YAML reads back as the same tree (strings
 * that would read as another type are quoted, tags are kept); JSON types
 * plain scalars by compose_scalar_type() (0x1F becomes 31, .inf stays a
 * string).
 */
void compose_node_emit_yaml(struct sbuf *out, const struct compose_node *n);
void compose_node_emit_json(struct sbuf *out, const struct compose_node *n);

/* ---- Environment and interpolation ------------------------------------ */

/*
 * A lookup table of variables (the process environment, then .env files).
 * Entries are arena strings; later sets replace earlier ones.
 */
struct compose_env;

struct compose_env *compose_env_new(struct arena *a);
/* Copies both strings into the env's arena; a NULL value is stored as "". */
void compose_env_set(struct compose_env *env,
		     const char *name,
		     const char *value);
/* The value, or NULL when unset. */
const char *compose_env_get(const struct compose_env *env, const char *name);
/* Adds every variable of 'environ' style array (NAME=VALUE). */
void compose_env_import(struct compose_env *env, char *const *environ_);
size_t compose_env_count(const struct compose_env *env);
/* i-th entry, in insertion order (for printing and tests). */
void compose_env_at(const struct compose_env *env,
		    size_t i,
		    const char **name,
		    const char **value);
/* The arena the table copies its strings into. */
struct arena *compose_env_arena(const struct compose_env *env);

/*
 * Parses a dotenv file's text with compose's rules, looking up ${VAR} in
 * 'lookup' (and in the variables set earlier in the same file).  Each
 * variable is set in 'out'.
 */
int compose_dotenv_parse(struct compose_env *out,
			 const char *file,
			 const char *buf,
			 size_t len,
			 const struct compose_env *lookup,
			 struct diag *err);
int compose_dotenv_load(struct compose_env *out,
			const char *path,
			const struct compose_env *lookup,
			struct diag *err);

/*
 * Interpolates one string per the compose spec ($VAR, ${VAR:-d}, ...,
 * "$$").  The result is in 'a'; 'loc' points errors at the value.
 */
int compose_interpolate_str(const char **out,
			    struct arena *a,
			    const char *s,
			    const struct compose_env *env,
			    const struct diag_loc *loc,
			    struct diag *err);
/*
 * Interpolates every scalar (values, not keys) of a tree in place.  A
 * scalar keeps its style, so a plain "${PORT}" with PORT=80 types as an
 * int afterwards.  Errors name the key path ("services.web.image") and
 * point at the scalar.
 */
int compose_interpolate_tree(struct compose_node *root,
			     struct arena *a,
			     const struct compose_env *env,
			     struct diag *err);

/* Optional hooks for interpolation; every field may be NULL. */
struct compose_interp_opts {
	/*
	 * Called each time an unset variable without a default is used
	 * (docker compose warns: the variable is not set, defaulting to a
	 * blank string).  'loc' is the scalar's location, or NULL.
	 */
	void (*warn_unset)(void *userdata,
			   const char *name,
			   const struct diag_loc *loc);
	void *userdata;
};

/* As above, with hooks ('opts' may be NULL). */
int compose_interpolate_str_ex(const char **out,
			       struct arena *a,
			       const char *s,
			       const struct compose_env *env,
			       const struct compose_interp_opts *opts,
			       const struct diag_loc *loc,
			       struct diag *err);
int compose_interpolate_tree_ex(struct compose_node *root,
				struct arena *a,
				const struct compose_env *env,
				const struct compose_interp_opts *opts,
				struct diag *err);
/*
 * As compose_interpolate_str, with variables from 'lookup' (which returns
 * the value of 'name', or NULL when it is unset) instead of an env.
 */
int compose_interpolate_str_fn(const char **out,
			       struct arena *a,
			       const char *s,
			       const char *(*lookup)(void *userdata,
						     const char *name),
			       void *userdata,
			       const struct diag_loc *loc,
			       struct diag *err);

/*
 * A variable the model uses, as `docker compose config --variables` lists
 * it: "${NAME:-d}" / "${NAME-d}" give the default, "${NAME:+a}" /
 * "${NAME+a}" the alternate value, "${NAME:?e}" / "${NAME?e}" required.
 */
struct compose_variable {
	const char *name;
	const char *default_value; /* "" when none */
	const char *alternate;	   /* "" when none */
	bool required;
};

/*
 * Every variable the scalars of 'root' use (values, not keys, as
 * compose-go's ExtractVariables), with those nested in defaults and
 * alternate values; each name once (its first use), sorted by name.
 * "$$" is skipped, as is the rest of a scalar whose "${" is malformed.
 * Strings live in 'a'; '*out' is malloc'ed (free it); returns the count.
 */
size_t compose_variables(const struct compose_node *root,
			 struct arena *a,
			 struct compose_variable **out);

/* ---- Loading a project ------------------------------------------------ */

struct compose_options {
	const char *const
		*files; /* -f, in order; NULL/0: COMPOSE_FILE or discovery */
	size_t n_files;
	const char *project_name;     /* -p */
	const char *project_dir;      /* --project-directory */
	const char *const *env_files; /* --env-file, in order */
	size_t n_env_files;
	const char *const *profiles; /* --profile */
	size_t n_profiles;
	bool no_interpolate;
	/* Process environment; NULL means the real one (environ). */
	char *const *environ_;
	/* Working directory for discovery; NULL: getcwd(). */
	const char *cwd;
};

/* ---- The typed model -------------------------------------------------- */

struct compose_strv {
	const char **v;
	size_t n;
};

/* A name and a value; value NULL means "unset" (environment "FOO"). */
struct compose_kv {
	const char *key;
	const char *value;
	struct diag_loc loc;
};

struct compose_platform {
	const char *raw;  /* as written, NULL if none */
	const char *os;	  /* "linux", "windows" */
	const char *arch; /* "amd64", "arm64", or NULL */
	const char *variant;
};

struct compose_port {
	const char *name;
	const char *mode;    /* "ingress" (default) or "host" */
	const char *host_ip; /* NULL if none */
	unsigned target;
	const char *published; /* "8080", "8000-8010", or NULL */
	const char *protocol;  /* "tcp" (default), "udp", "sctp" */
	const char *app_protocol;
	struct diag_loc loc;
};

enum compose_mount_type {
	COMPOSE_MOUNT_BIND,
	COMPOSE_MOUNT_VOLUME,
	COMPOSE_MOUNT_TMPFS,
	COMPOSE_MOUNT_NPIPE,
	COMPOSE_MOUNT_CLUSTER,
	COMPOSE_MOUNT_IMAGE, /* an image's content (Engine API 1.48) */
};

struct compose_mount {
	enum compose_mount_type type;
	const char *source; /* absolute for binds; volume key; NULL anonymous */
	const char *target;
	bool read_only;
	const char *consistency;
	const char *bind_propagation;
	int bind_create_host_path; /* -1 unset */
	const char *bind_selinux;
	int volume_nocopy; /* -1 unset */
	const char *volume_subpath;
	/* bind.recursive: enabled, disabled, writable, readonly; NULL unset */
	const char *bind_recursive;
	struct compose_kv *volume_labels; /* volume.labels */
	size_t n_volume_labels;
	const char *image_subpath; /* image.subpath */
	long long tmpfs_size;	   /* bytes; -1 unset */
	int tmpfs_mode;		   /* -1 unset */
	struct diag_loc loc;
};

struct compose_depends {
	const char *service;
	const char *condition; /* service_started | service_healthy |
				  service_completed_successfully */
	bool required;
	bool restart;
	struct diag_loc loc;
};

struct compose_healthcheck {
	bool present;
	bool disable;
	struct compose_strv
		test; /* ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"] */
	long long interval_ns; /* -1 unset, for each duration */
	long long timeout_ns;
	long long start_period_ns;
	long long start_interval_ns;
	int retries; /* -1 unset */
};

struct compose_service_network {
	const char *name; /* key in the project's networks */
	struct compose_strv aliases;
	const char *ipv4_address;
	const char *ipv6_address;
	const char *mac_address;
	int priority;
	/*
	 * compose v2's endpoint settings: IPAMConfig.LinkLocalIPs,
	 * DriverOpts (interface_name joins them as the driver option
	 * com.docker.network.endpoint.ifname) and GwPriority.
	 */
	struct compose_strv link_local_ips;
	struct compose_kv *driver_opts;
	size_t n_driver_opts;
	int gw_priority;
	const char *interface_name;
	struct diag_loc loc;
};

struct compose_ulimit {
	const char *name;
	long long soft, hard;
};

struct compose_build {
	const char *context;	/* absolute, or a remote URL */
	bool remote;		/* context is a git/http URL */
	const char *dockerfile; /* NULL only with dockerfile_inline */
	const char *dockerfile_inline;
	const char *target;
	struct compose_kv *args; /* value NULL: unset (bare name, no env) */
	size_t n_args;
	struct compose_kv *labels;
	size_t n_labels;
	const char *network;
	long long shm_size;		/* bytes; -1: not set */
	struct compose_kv *extra_hosts; /* host -> address */
	size_t n_extra_hosts;
	bool no_cache;
	bool pull;
	struct compose_strv cache_from;
	struct compose_strv tags;
	struct compose_strv platforms;
	bool privileged;
	struct compose_strv secrets; /* the sources of build.secrets */
	/* additional_contexts: a local path made absolute, as compose-go. */
	struct compose_kv *contexts;
	size_t n_contexts;
	const char *isolation;		/* the isolation query field, or NULL */
	struct compose_ulimit *ulimits; /* sorted by name */
	size_t n_ulimits;
	/*
	 * The first key that the classic builder cannot do and compose v2
	 * refuses without BuildKit ("privileged" when true, or a non-empty
	 * "additional_contexts", "ssh", "secrets"), at 'refused_loc'; NULL:
	 * none.  With 'refused_why' set, a BuildKit key (its path below
	 * build., "cache_to[1]") that the Engine's /build API cannot do, and
	 * why.
	 */
	const char *refused;
	const char *refused_why;
	struct diag_loc refused_loc;
	/*
	 * What only the daemon's BuildKit does (POST /build with version=2):
	 * a cache_to entry of type inline (the one cache export /build has:
	 * the build arg BUILDKIT_INLINE_CACHE) and the entitlement
	 * network.host (networkmode host).  'buildkit' names the first key
	 * that needs it ("cache_to" or "entitlements") at 'buildkit_loc';
	 * NULL: the classic builder builds the image.
	 */
	const char *buildkit;
	struct diag_loc buildkit_loc;
	bool inline_cache;
	bool network_host;
	/*
	 * Where ulimits and shm_size are set: BuildKit takes them from Engine
	 * API 1.42 only (apply/ refuses them on an older daemon).
	 */
	struct diag_loc ulimits_loc, shm_size_loc;
	/*
	 * cache_from as BuildKit's /build takes it: image references only
	 * (it splits the list at commas), so buildx's "type=registry,ref=R"
	 * becomes R.  Set only under BuildKit.
	 */
	struct compose_strv cache_from_refs;
	/* The image built: the service's image, else <project>-<service>. */
	const char *image;
};

/*
 * ---- Keys said once (compose/keys.c) --------------------------------------
 * The service keys that map one to one to a field of the container create
 * body are described in one table, compose_keys[]: the key's path in the
 * service, how its value is read, the Engine API field it becomes (what
 * apply/ writes; compose/ itself never sends it) and the daemon OSes that
 * take it.  normalize reads each into compose_service.keys[i], `config`
 * prints it, the planner hashes it and apply/ puts it in the body, all
 * from this table.
 */
enum compose_key_kind {
	COMPOSE_KEY_STR,      /* a string */
	COMPOSE_KEY_INT,      /* an integer */
	COMPOSE_KEY_BYTES,    /* a size, "512m" or 536870912 (-1: unlimited) */
	COMPOSE_KEY_NANO,     /* a decimal, e.g. cpus 0.5, in billionths */
	COMPOSE_KEY_BOOL,     /* true or false */
	COMPOSE_KEY_STRV,     /* a string or a list of strings */
	COMPOSE_KEY_MAP,      /* a map, or a list of "K=V" */
	COMPOSE_KEY_TMPFS,    /* a string or list of "PATH[:OPTIONS]" */
	COMPOSE_KEY_ULIMITS,  /* NAME: N or NAME: {soft: N, hard: N} */
	COMPOSE_KEY_DEVICES,  /* "HOST[:CONTAINER[:PERMS]]" or {source, target,
				 permissions}; kept in v as
				 "HOST:CONTAINER:PERMS" */
	COMPOSE_KEY_RESTART,  /* a deploy.restart_policy condition (any, none,
				 on-failure), in s as written */
	COMPOSE_KEY_DEVREQ,   /* gpus, reservations.devices: device requests */
	COMPOSE_KEY_CREDSPEC, /* credential_spec {file|registry}: in s the
				 "credentialspec=file://F" security option */
	COMPOSE_KEY_LINKS,    /* external_links "NAME[:ALIAS]", kept as
				 written in v */
	COMPOSE_KEY_WEIGHTS,  /* blkio weight_device: [{path, weight}] in pn */
	COMPOSE_KEY_RATES,    /* blkio device_*_bps/iops: [{path, rate}] in
				 pn (a rate is a size: "1mb" or 1048576) */
};

enum {
	COMPOSE_OS_LINUX = 1,
	COMPOSE_OS_WINDOWS = 2,
};

struct compose_key {
	const char *path; /* "shm_size", "deploy.resources.limits.memory" */
	enum compose_key_kind kind;
	const char *api; /* the create body's field, "HostConfig.ShmSize" */
	/*
	 * COMPOSE_OS_* of the daemons that act on it, and with
	 * COMPOSE_KEY_API(N) the oldest Engine API (1.N) that takes the field
	 * (none: any); an older daemon is refused the key before anything is
	 * created.
	 */
	unsigned os;
};

#define COMPOSE_KEY_API(minor) ((unsigned)(minor) << 8)
/* The N of the oldest API 1.N that takes key 'k', 0: any. */
#define COMPOSE_KEY_API_MIN(k) ((int)((k)->os >> 8))

extern const struct compose_key compose_keys[];
extern const size_t compose_n_keys;
/*
 * The keys nested in a service's networks and volumes entries and in a
 * top-level network ("networks.*.gw_priority", "networks.enable_ipv4"):
 * their values live in the typed model; the table says which Engine API
 * field each becomes and the oldest API that takes it.
 */
extern const struct compose_key compose_nested_keys[];
extern const size_t compose_n_nested_keys;
/* The entry of compose_nested_keys[] for 'path'; NULL: none. */
const struct compose_key *compose_nested_key(const char *path);

/* A device request (gpus, deploy.resources.reservations.devices). */
struct compose_devreq {
	const char *driver;		/* NULL: any */
	long long count;		/* -1: all (or neither count nor ids) */
	struct compose_strv device_ids; /* exclusive with count */
	struct compose_strv capabilities; /* e.g. ["gpu"] */
	struct compose_kv *options;
	size_t n_options;
};

/* A blkio device entry: its path and its weight or rate. */
struct compose_pathnum {
	const char *path;
	long long n;
};

/* One key's value in a service; 'set' false: not in the file. */
struct compose_keyval {
	bool set;
	struct diag_loc loc;
	long long i;	       /* INT, BYTES, NANO, BOOL */
	const char *s;	       /* STR */
	struct compose_strv v; /* STRV, TMPFS, DEVICES */
	struct compose_kv *kv; /* MAP */
	size_t n_kv;
	struct compose_ulimit *ul; /* ULIMITS, sorted by name */
	size_t n_ul;
	struct compose_devreq *dr; /* DEVREQ */
	size_t n_dr;
	struct compose_pathnum *pn; /* WEIGHTS, RATES */
	size_t n_pn;
};

/* The index of 'path' in compose_keys[], or -1. */
long compose_key_find(const char *path);

/* A top-level secret or config (compose_project.secrets, .configs). */
struct compose_fileobj {
	const char *key;
	const char *name;	 /* name:, else "<project>_<key>" */
	const char *file;	 /* absolute, or NULL */
	const char *environment; /* the variable's name, or NULL */
	const char *content;	 /* configs: inline content, or NULL */
	/*
	 * What compose v2 copies into the container: 'content', else the
	 * value of variable 'environment' in the project's environment
	 * (NULL when it is unset: up refuses it, as compose v2 does).
	 */
	const char *value;
	bool external;
	bool driver; /* driver or template_driver: Swarm only */
	struct diag_loc loc;
};

/* A service's entry under secrets: or configs: (short or long form). */
struct compose_fileref {
	const char *source;
	const char *target; /* as written; NULL: the default */
	const char *uid;
	const char *gid;
	int mode; /* -1 unset */
	struct diag_loc loc;
};

/* develop.watch: one trigger (compose v2's Trigger). */
enum compose_watch_action {
	COMPOSE_WATCH_SYNC,
	COMPOSE_WATCH_REBUILD,
	COMPOSE_WATCH_RESTART,
	COMPOSE_WATCH_SYNC_RESTART,
	COMPOSE_WATCH_SYNC_EXEC,
};

/*
 * A service hook: what develop.watch[].exec's sync+exec runs, and a
 * post_start or pre_stop hook (compose v2.30), an exec in the container.
 */
struct compose_hook {
	struct compose_strv command; /* .v NULL: none */
	const char *user;	     /* NULL: the container's */
	const char *working_dir;     /* NULL: the container's */
	bool privileged;
	struct compose_kv *environment;
	size_t n_environment;
	struct diag_loc loc;
};

struct compose_watch {
	const char *path;   /* absolute, against the project directory */
	const char *action; /* as written: "sync", "sync+exec", ... */
	enum compose_watch_action act;
	const char *target; /* in the container; NULL: none */
	struct compose_hook exec;
	struct compose_strv ignore;  /* patterns, relative to 'path' */
	struct compose_strv include; /* none: everything */
	bool initial_sync;	     /* initial_sync or x-initialSync */
	struct diag_loc loc;
};

struct compose_service {
	const char *name;
	struct diag_loc loc;
	const struct compose_node *node; /* the merged source */

	const char *image;
	struct compose_build *build; /* NULL if none */
	struct compose_platform platform;
	const char *daemon; /* x-mixcompose.daemon pin, or NULL */
	const char *pull_policy;

	struct compose_strv command;	/* .v NULL: not set */
	struct compose_strv entrypoint; /* .v NULL: not set */
	struct compose_kv *environment; /* env_file first, then environment */
	size_t n_environment;
	struct compose_kv *labels;
	size_t n_labels;
	struct compose_port *ports;
	size_t n_ports;
	struct compose_strv expose;
	struct compose_mount *volumes;
	size_t n_volumes;
	struct compose_strv
		volumes_from; /* "service:x" or "container:x" [":ro"] */
	struct compose_depends *depends_on;
	size_t n_depends_on;
	struct compose_strv links;		  /* "service[:alias]" */
	struct compose_service_network *networks; /* empty: "default" */
	size_t n_networks;
	const char
		*network_mode; /* "bridge", "host", "none", "service:x" ... */
	struct compose_kv *extra_hosts; /* host -> address, one per address */
	size_t n_extra_hosts;
	struct compose_strv dns;
	struct compose_strv dns_search;
	struct compose_strv cap_add;
	struct compose_strv cap_drop;
	struct compose_strv profiles;
	struct compose_healthcheck healthcheck;
	/* post_start: execs after up starts it; pre_stop: before a stop. */
	struct compose_hook *post_start;
	size_t n_post_start;
	struct compose_hook *pre_stop;
	size_t n_pre_stop;

	const char *container_name;
	const char *hostname;
	const char *domainname;
	const char *working_dir;
	const char *user;
	const char *stop_signal;
	long long stop_grace_period_ns; /* -1 unset */
	const char *restart;
	const char *isolation;
	/* compose_keys[i]'s value for each i < compose_n_keys. */
	struct compose_keyval *keys;
	struct compose_fileref *secrets;
	size_t n_secrets;
	struct compose_fileref *configs;
	size_t n_configs;
	/*
	 * provider.type (compose v2.36's provider services, run by a
	 * docker-<type> plugin) and the top-level models it uses (the Docker
	 * Model plugin): `config` prints them, `up` refuses them.
	 */
	const char *provider;
	struct diag_loc provider_loc;
	struct compose_strv models;
	struct diag_loc models_loc;
	/*
	 * use_api_socket: the daemon's socket, DOCKER_CONFIG and the
	 * client's registry credentials in the container (compose v2's
	 * useAPISocket); 'use_api_socket_loc' is where it is set.
	 */
	bool use_api_socket;
	struct diag_loc use_api_socket_loc;
	int init;   /* -1 unset, 0, 1 */
	int attach; /* -1 unset, 0 (up and logs leave its logs out), 1 */
	bool tty;
	bool stdin_open;
	bool privileged;
	bool read_only;
	int scale;    /* deploy.replicas or scale; 1 by default */
	bool develop; /* the service has a develop: section */
	struct compose_watch *watch; /* develop.watch */
	size_t n_watch;
};

struct compose_ipam_config {
	const char *subnet;
	const char *gateway;
	const char *ip_range;
	struct compose_kv *aux_addresses; /* name -> address, reserved */
	size_t n_aux_addresses;
};

struct compose_network {
	const char *key;  /* name in the file */
	const char *name; /* real name: "name:" or "<project>_<key>" */
	struct diag_loc loc;
	const char *driver;
	bool external;
	bool internal;
	bool attachable;
	bool enable_ipv6;
	bool enable_ipv4_set; /* enable_ipv4 written (compose v2 sends it) */
	bool enable_ipv4;
	const char *ipam_driver;
	struct compose_ipam_config *ipam;
	size_t n_ipam;
	struct compose_kv *ipam_options;
	size_t n_ipam_options;
	struct compose_kv *driver_opts;
	size_t n_driver_opts;
	struct compose_kv *labels;
	size_t n_labels;
};

struct compose_volume {
	const char *key;
	const char *name; /* real name */
	struct diag_loc loc;
	const char *driver;
	bool external;
	struct compose_kv *driver_opts;
	size_t n_driver_opts;
	struct compose_kv *labels;
	size_t n_labels;
};

/* x-mixcompose.daemons: one declared daemon. */
struct compose_daemon {
	const char *name;
	const char *endpoint; /* unix://, tcp://, ssh://, npipe:// or NULL */
	const char *context;  /* a docker context name, or NULL */
	const char *os;	      /* declared OS, or NULL */
	const char *arch;
	bool lab;	/* may stand in for another OS */
	int tls_verify; /* 1 true, 0 false, -1 not said */
	const char *cert_path;
	/* Where peers on other daemons reach its published ports (host
	 * mode), or NULL: x-mixcompose.host_address. */
	const char *host_address;
	struct diag_loc loc;
};

/* x-mixcompose (top level): the mixed-OS extension. */
struct compose_mix {
	struct compose_daemon *daemons;
	size_t n_daemons;
	const char *address_pool; /* e.g. "172.31.0.0/16", or NULL */
	const char *address_mode; /* "container" or "host", or NULL */
	const char *host_address; /* for host mode, or NULL */
	struct diag_loc loc;
};

struct compose_project {
	struct arena *arena;
	const char *name;
	const char *working_dir;	  /* absolute project directory */
	struct compose_strv config_files; /* absolute paths, in order */
	struct compose_strv active_profiles;
	struct compose_env *env;  /* process env + .env files */
	struct compose_node *doc; /* merged, interpolated tree */

	/* Filled by compose_project_normalize(). */
	struct compose_service *services; /* sorted by name */
	size_t n_services;
	struct compose_service *disabled; /* left out by profiles */
	size_t n_disabled;
	struct compose_network *networks; /* sorted by key */
	size_t n_networks;
	struct compose_volume *volumes;
	size_t n_volumes;
	struct compose_fileobj *secrets; /* in file order */
	size_t n_secrets;
	struct compose_fileobj *configs;
	size_t n_configs;
	struct compose_mix mix;

	/*
	 * Warnings from loading (several candidate files, a service named
	 * twice...), for cli/ to print before anything else.
	 */
	struct diag_list warnings;
};

/*
 * Finds the files (-f, COMPOSE_FILE, or discovery), reads the environment
 * (.env or --env-file), parses, interpolates and merges them (include,
 * extends, override files, !reset/!override), and works out the project
 * name and directory.  On success '*out' is a new project the caller frees
 * with compose_project_free().  On failure '*out' is NULL and 'err' says
 * why, with the file, line and column where there is one (err->loc.file
 * then stays valid until a few more loads have failed).
 */
int compose_project_load(struct compose_project **out,
			 const struct compose_options *opts,
			 struct diag *err);

/*
 * Builds the typed model from p->doc: every service (profiles applied),
 * network and volume, with short forms expanded and paths made absolute.
 * Problems found in values are added to 'dl' (all of them, not just the
 * first); returns 0 when 'dl' gained no error.
 */
int compose_project_normalize(struct compose_project *p, struct diag_list *dl);

void compose_project_free(struct compose_project *p);

const struct compose_service *
compose_service_find(const struct compose_project *p, const char *name);
/* The top-level secret ('config' false) or config named 'key', or NULL. */
const struct compose_fileobj *compose_fileobj_find(
	const struct compose_project *p, bool config, const char *key);
/*
 * Where a service's secret or config goes in the container, as compose v2
 * puts it: the target if absolute, else under /run/secrets/ (secrets) or
 * / (configs), the source's name when there is no target.  In 'a' unless
 * it is the target as written.
 */
const char *compose_fileref_target(struct arena *a,
				   const struct compose_fileref *r,
				   bool config);

const struct compose_network *
compose_network_find(const struct compose_project *p, const char *key);

/*
 * The normalized model as a node tree shaped like `docker compose config`
 * (ports as objects, environment as a map with null for unset, depends_on
 * as a map, command/entrypoint as lists).  Lives in p->arena.
 */
struct compose_node *compose_project_to_node(const struct compose_project *p);
/*
 * As above; 'json' false gives the YAML shape of `docker compose config`,
 * which leaves out what Go's YAML encoder omits when empty (a null
 * command or entrypoint, an empty ipam).
 */
struct compose_node *
compose_project_to_node_fmt(const struct compose_project *p, bool json);
/*
 * Writes the same document as the emitters would write the tree, as JSON
 * or YAML, building it a few hundred services at a time so that memory
 * stays flat on large projects (what `config` uses).
 */
void compose_project_emit(struct sbuf *out,
			  const struct compose_project *p,
			  bool json);
/*
 * Where streamed output goes: 'flush' is called after each chunk of
 * services (and at the end) to take what 'out' holds, e.g. write it and
 * sbuf_reset() it, so that the whole text is never in memory at once.
 */
struct compose_emit_sink {
	void (*flush)(void *userdata, struct sbuf *out);
	void *userdata;
};

void compose_project_emit_to(struct sbuf *out,
			     const struct compose_project *p,
			     bool json,
			     const struct compose_emit_sink *sink);

/* Splits a command string as a POSIX shell would (quotes, backslashes). */
int compose_shell_split(struct compose_strv *out,
			struct arena *a,
			const char *s,
			const struct diag_loc *loc,
			struct diag *err);
/* Parses a Go-style duration ("1m30s", "500ms") into nanoseconds. */
int compose_duration_parse(long long *out, const char *s);
/* Normalizes a project name as compose v2 does; NULL if nothing is left. */
const char *compose_project_name_normalize(struct arena *a, const char *s);

#endif
