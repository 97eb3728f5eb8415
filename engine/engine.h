#ifndef ENGINE_ENGINE_H
#define ENGINE_ENGINE_H

/*
 * engine/: a Docker Engine API client for several daemons at once.
 *
 * Layout of this header:
 *   1. Daemons: configuration, URLs, connecting, version negotiation.
 *   2. The loop: many requests in flight across daemons from one thread.
 *   3. Request specs and results (plain structs).
 *   4. Async calls (complete inside engine_loop_step/run).
 *   5. Sync calls (thin wrappers: submit on the engine's own loop, run).
 *   6. Streams: log frame demux and JSON-lines splitting.
 *   7. The daemon registry (flags, env, compose declarations, contexts).
 *   8. Helpers exposed for tests.
 *
 * Errors follow the style guide: functions return 0 or a negative
 * enum diag_code and fill 'err'.  DIAG_ETRANSPORT: the daemon could not be
 * reached (message from libcurl); DIAG_EENGINE: the daemon answered with an
 * error status; DIAG_ENOTFOUND: it answered 404.  Every message names the
 * daemon, method, path, HTTP status and the daemon's own 'message', e.g.
 *   daemon 'linux': POST /v1.41/images/create?fromImage=x: 404 Not Found:
 *   pull access denied for x
 *
 * libcurl and cJSON are private to engine's .c files; nothing here
 * exposes them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/diag.h"

struct arena;

/* ==== 1. Daemons ======================================================= */

/* The API versions we speak: negotiated = min(ENGINE_API_MAX, daemon's). */
#define ENGINE_API_MIN "1.40"
#define ENGINE_API_MAX "1.47"

#define ENGINE_CONNECT_TIMEOUT_MS 5000
#define ENGINE_REQUEST_TIMEOUT_MS 60000
/*
 * Memory bounds on what a daemon sends.  A reply that is held whole (JSON,
 * an error body) may be at most ENGINE_REPLY_MAX bytes; a stream (logs,
 * events, pull and build progress) is handed on as it arrives, and one
 * line of a JSON-lines stream may be at most ENGINE_LINE_MAX bytes.  Past
 * either, the request fails with DIAG_ELIMIT naming the daemon, method and
 * path.
 */
#define ENGINE_REPLY_MAX ((size_t)64 << 20)
#define ENGINE_LINE_MAX ((size_t)8 << 20)
/* Connections a loop opens to one daemon; more requests wait in line. */
#define ENGINE_MAX_CONNECTIONS 128
/*
 * How many short GETs one loop sends to a daemon at once (1 over ssh://
 * and npipe://, where each connection is a child or a relay); the others
 * wait in line and reuse those connections (HTTP keep-alive).  Every other
 * request (a stream, a POST that may block for its timeout) goes at once.
 */
#define ENGINE_READ_SLOTS 4

struct engine_config {
	const char *name; /* for messages: "daemon 'NAME': ..." */
	/*
	 * unix:///path, tcp://host:port, ssh://[user@]host[:port][/socket],
	 * npipe:////./pipe/x (refused on this build).  NULL: the docker
	 * default unix:///var/run/docker.sock.
	 */
	const char *url;
	bool tls;	       /* tcp:// over https */
	bool tls_verify;       /* verify the server against ca.pem */
	const char *cert_path; /* directory with ca.pem, cert.pem, key.pem */
	/*
	 * With tls_verify and a cert_path, engine_new() fails unless ca.pem,
	 * cert.pem and key.pem are all readable ("could not read CA
	 * certificate '...'").  A docker context's TLS directory sets this:
	 * the files it lacks are left out (system CAs, no client
	 * certificate), as the docker CLI does for contexts.
	 */
	bool cert_files_optional;
	const char
		*api_version; /* forced (DOCKER_API_VERSION); NULL: negotiate */
	/*
	 * Extra ssh arguments, split on blanks (e.g. "-i KEY -o
	 * StrictHostKeyChecking=no"); NULL: $MIXCOMPOSE_SSH_OPTS.
	 */
	const char *ssh_opts;
	long connect_timeout_ms; /* 0: ENGINE_CONNECT_TIMEOUT_MS (pings: 2x) */
	long request_timeout_ms; /* 0: ENGINE_REQUEST_TIMEOUT_MS; streams: none
				  */
};

/* One daemon connection (opaque); connections are reused between calls. */
struct engine;

/*
 * Checks the URL and prepares the transport; does not connect.  npipe://
 * fails here with a clear message.  The config is copied.
 */
int engine_new(struct engine **out,
	       const struct engine_config *cfg,
	       struct diag *err);
/*
 * Closes cached connections (reaping ssh children); NULL is fine.  Free
 * (or run dry) every loop holding requests of 'e' first.
 */
void engine_free(struct engine *e);

/*
 * --dry-run: from now on every request of every engine that could change a
 * daemon (any method but GET and HEAD) is answered here without being
 * sent, with a success and a made-up id ("dry-run-N") where the daemon
 * would give one; so is a read about such a made-up object.  Attaching
 * (exec, attach, run) fails.  Other reads still go to the daemon.
 */
void engine_dry_run_set(bool on);
bool engine_dry_run(void);

const char *engine_name(const struct engine *e);
const char *engine_url(const struct engine *e);
/* The negotiated API ("1.41"); "" until the first ping or call. */
const char *engine_api_version(const struct engine *e);
/* The OS from the last ping ("linux", "windows"); "" before. */
const char *engine_os(const struct engine *e);
/* True once negotiated and at least MAJOR.MINOR (platform on create: 1.41). */
bool engine_api_at_least(const struct engine *e, int major, int minor);
/* Connections opened so far (to check reuse: 1000 pings, 1 connect). */
long engine_connects(const struct engine *e);

enum engine_url_kind {
	ENGINE_URL_UNIX,
	ENGINE_URL_TCP,
	ENGINE_URL_SSH,
	ENGINE_URL_NPIPE,
};

/* A parsed daemon URL; strings are malloc'ed, freed by engine_url_release. */
struct engine_url {
	enum engine_url_kind kind;
	char *host; /* tcp, ssh */
	int port;   /* tcp (default 2375, or 2376 with TLS), ssh (0: none) */
	char *user; /* ssh, or NULL */
	char *path; /* unix socket path; ssh remote socket or NULL; npipe */
};

int engine_url_parse(struct engine_url *out, const char *url, struct diag *err);
void engine_url_release(struct engine_url *u);

/* What /_ping says; negotiation happens on every ping. */
struct engine_ping_info {
	char api_version[16]; /* the daemon's maximum (Api-Version) */
	char negotiated[16];  /* what we use from now on */
	char os[32];	      /* Ostype */
	char server[128];     /* Server header */
	long latency_us;      /* the round trip */
};

/* GET /version. */
struct engine_version_info {
	char version[64]; /* "20.10.24+dfsg1" */
	char api_version[16];
	char min_api_version[16];
	char os[32];
	char arch[32];
	char kernel[128];
};

/* GET /info. */
struct engine_system_info {
	char os_type[32]; /* OSType */
	char arch[32];	  /* Architecture ("x86_64") */
	char server_version[64];
	char name[256];
	char os_name[128]; /* OperatingSystem */
	int ncpu;
	long long mem_total;
};

/* ==== 2. The loop ====================================================== */

/*
 * A curl multi handle with the requests in flight on it, across any number
 * of engines.  Callbacks run only inside engine_loop_step/run, never inside
 * a submit call (an error found at submit time is reported on the next
 * step).  A daemon that cannot be reached fails within its connect timeout
 * and does not hold up the others.
 */
struct engine_loop;

struct engine_loop *engine_loop_new(void);
/* Cancels what is still in flight (callbacks get DIAG_EINTR); NULL is fine. */
void engine_loop_free(struct engine_loop *l);
/*
 * Waits up to 'timeout_ms' for activity (0: poll; -1: up to a second, so
 * a caller may look at its own flags, e.g. after SIGINT) and dispatches
 * completions.  Returns the number of requests still in flight.
 */
size_t engine_loop_step(struct engine_loop *l, long timeout_ms);
/*
 * Steps until nothing is in flight, or 'timeout_ms' passed (-1: no limit).
 * Returns 0 when idle, DIAG_ELIMIT on timeout.
 */
int engine_loop_run(struct engine_loop *l, long timeout_ms);
size_t engine_loop_pending(const struct engine_loop *l);
/* Cancels every request in flight; their callbacks get DIAG_EINTR. */
void engine_loop_cancel(struct engine_loop *l);

/* A raw reply; every pointer is valid only during the callback. */
struct engine_reply {
	long status;	  /* 0 if no HTTP answer came */
	const char *body; /* NUL-terminated (not for streams) */
	size_t len;
	const char *api_version; /* headers, "" when absent */
	const char *ostype;
	const char *server;
	long latency_us;
};

/*
 * rc is 0 for a 2xx reply, else as described at the top; 'err' is NULL
 * when rc is 0.  'r' is never NULL (status 0 on transport errors).
 */
typedef void (*engine_reply_fn)(void *ud,
				int rc,
				const struct engine_reply *r,
				const struct diag *err);

/*
 * Submits one request.  'path' starts with '/'; unless 'raw_path' it is
 * prefixed with "/vX.Y" once the engine has negotiated (the first request
 * of an engine pings first, the others wait for that ping).  'body' (JSON,
 * may be NULL) is copied.
 */
void engine_submit(struct engine_loop *l,
		   struct engine *e,
		   const char *method,
		   const char *path,
		   bool raw_path,
		   const char *body,
		   size_t len,
		   engine_reply_fn cb,
		   void *ud);

/* ==== 3. Specs and results ============================================= */

/* A list of strings; v == NULL means "not set" (as opposed to empty). */
struct engine_strv {
	const char *const *v;
	size_t n;
};

struct engine_kv {
	const char *key;
	const char *value;
};

/* A published port: container "80/tcp" -> host ip + port. */
struct engine_port_binding {
	unsigned container_port;
	const char *protocol;  /* "tcp" (NULL), "udp", "sctp" */
	const char *host_ip;   /* NULL: all */
	const char *host_port; /* "8080", "8000-8010", NULL: any */
};

enum engine_mount_type {
	ENGINE_MOUNT_BIND,
	ENGINE_MOUNT_VOLUME,
	ENGINE_MOUNT_TMPFS,
	ENGINE_MOUNT_NPIPE,
	ENGINE_MOUNT_IMAGE, /* API 1.48 */
};

struct engine_mount {
	enum engine_mount_type type;
	const char *source; /* host path, volume name, pipe; NULL anonymous */
	const char *target;
	bool read_only;
	bool volume_nocopy;
	const char *bind_propagation; /* NULL: default */
	/*
	 * The BindOptions flag to set true: "NonRecursive" (API 1.40),
	 * "ReadOnlyNonRecursive" or "ReadOnlyForceRecursive" (1.44); NULL
	 * none.
	 */
	const char *bind_recursive;
	const struct engine_kv *volume_labels; /* VolumeOptions.Labels */
	size_t n_volume_labels;
	const char *image_subpath; /* ImageOptions.Subpath */
	long long tmpfs_size;	   /* bytes; 0: unset */
	int tmpfs_mode;		   /* 0: unset */
};

struct engine_healthcheck {
	struct engine_strv test; /* ["CMD", ...], ["CMD-SHELL", s], ["NONE"]; v
				    NULL: none */
	long long interval_ns;	 /* 0: unset, for each duration */
	long long timeout_ns;
	long long start_period_ns;
	long long start_interval_ns; /* sent from API 1.44 */
	int retries;		     /* 0: unset */
};

/* One network endpoint (at create, or for connect). */
struct engine_endpoint {
	const char *network;
	struct engine_strv aliases;
	const char *ipv4_address; /* NULL: any */
	const char *ipv6_address;
	struct engine_strv links;	     /* "NAME:ALIAS" (legacy links) */
	struct engine_strv link_local_ips;   /* IPAMConfig.LinkLocalIPs */
	const struct engine_kv *driver_opts; /* DriverOpts */
	size_t n_driver_opts;
	int gw_priority;	 /* GwPriority (API 1.48); 0: not sent */
	const char *mac_address; /* MacAddress (read from API 1.44) */
};

/* POST /containers/create body. */
/*
 * One more field of the create body, at a dotted path from the body's root
 * ("HostConfig.ShmSize", "HostConfig.LogConfig.Type"): objects on the way
 * are made, and a field already there is replaced (a later one wins).
 */
enum engine_field_kind {
	ENGINE_FIELD_INT,
	ENGINE_FIELD_STR,
	ENGINE_FIELD_BOOL,
	ENGINE_FIELD_STRV,    /* an array of strings */
	ENGINE_FIELD_MAP,     /* an object of strings */
	ENGINE_FIELD_ULIMITS, /* [{"Name", "Soft", "Hard"}] */
	ENGINE_FIELD_DEVICES, /* v: "HOST:CONTAINER:PERMS" -> [{"PathOnHost",
				 "PathInContainer", "CgroupPermissions"}] */
	ENGINE_FIELD_DEVREQ,  /* [{"Driver", "Count", "DeviceIDs",
				 "Capabilities": [[...]], "Options"}] */
	ENGINE_FIELD_PATHNUM, /* [{"Path", <num_name>: n}], blkio devices */
};

struct engine_pathnum {
	const char *path;
	long long n;
};

struct engine_devreq {
	const char *driver;
	long long count;
	struct engine_strv device_ids;
	struct engine_strv capabilities;
	const struct engine_kv *options;
	size_t n_options;
};

struct engine_ulimit {
	const char *name;
	long long soft, hard;
};

struct engine_field {
	const char *path;
	enum engine_field_kind kind;
	long long i;		    /* INT, BOOL */
	const char *s;		    /* STR */
	struct engine_strv v;	    /* STRV */
	const struct engine_kv *kv; /* MAP */
	size_t n_kv;
	const struct engine_ulimit *ul; /* ULIMITS */
	size_t n_ul;
	const struct engine_devreq *dr; /* DEVREQ */
	size_t n_dr;
	const struct engine_pathnum *pn; /* PATHNUM */
	size_t n_pn;
	const char *num_name; /* PATHNUM: "Weight", "Rate" */
};

struct engine_container_spec {
	const char *image;
	struct engine_strv cmd;	       /* v NULL: image default */
	struct engine_strv entrypoint; /* v NULL: image default */
	struct engine_strv env;	       /* "K=V" */
	const struct engine_kv *labels;
	size_t n_labels;
	const char *working_dir;
	const char *user;
	const char *hostname;
	const char *domainname;
	bool tty;
	bool open_stdin;
	const char *stop_signal;
	int stop_timeout; /* seconds; -1: unset */
	struct engine_healthcheck healthcheck;
	struct engine_strv exposed_ports; /* "80/tcp"; bindings are added too */

	/* HostConfig */
	const struct engine_port_binding *ports;
	size_t n_ports;
	struct engine_strv binds; /* "src:dst[:ro]" as the CLI's -v */
	const struct engine_mount *mounts;
	size_t n_mounts;
	const char *network_mode;	/* NULL: daemon default */
	struct engine_strv extra_hosts; /* "name:ip" */
	const char *restart_policy; /* no, always, unless-stopped, on-failure */
	int restart_max_retries;
	int init; /* -1 unset, 0, 1 */
	bool privileged;
	bool read_only;
	struct engine_strv cap_add;
	struct engine_strv cap_drop;
	struct engine_strv dns;
	struct engine_strv dns_search;
	const char *isolation; /* "process", "hyperv", NULL */
	bool auto_remove;
	/* For an attached run: stdin goes in, and closes with the client's. */
	bool attach_stdin;
	bool stdin_once;

	/*
	 * NetworkingConfig: endpoints at create.  Daemons before API 1.44
	 * take one; connect the rest with engine_network_connect.
	 */
	const struct engine_endpoint *endpoints;
	size_t n_endpoints;

	/* Fields written last, in order (see struct engine_field). */
	const struct engine_field *fields;
	size_t n_fields;
};

/*
 * Zeroes 's' and marks stop_timeout and init unset (-1): a zeroed spec
 * would send StopTimeout 0 and Init false.
 */
void engine_container_spec_init(struct engine_container_spec *s);

/* Container inspect: everything lives in 'arena'. */
struct engine_container_net {
	const char *network;
	const char *network_id;
	const char *ip_address; /* "" when none */
	/*
	 * The static address asked for at create (IPAMConfig.IPv4Address),
	 * "" when none.  Unlike ip_address it survives a stop.
	 */
	const char *ipam_ipv4;
	int ip_prefix_len;
	const char *gateway;
	const char *mac_address;
	struct engine_strv aliases;
};

struct engine_container_info {
	struct arena *arena;
	const char *id;
	const char *name;     /* without the leading '/' */
	const char *image;    /* Config.Image */
	const char *image_id; /* Image */
	const char *status;   /* created, running, exited, ... */
	bool running;
	int exit_code;
	/* State.Error: why the last start failed ("" or NULL: it did not). */
	const char *error;
	int pid;
	const char *health;	/* starting, healthy, unhealthy; NULL: none */
	const char *os;		/* Platform */
	const char *hostname;	/* Config.Hostname */
	bool tty;		/* Config.Tty */
	const char *hosts_path; /* HostsPath */
	int restart_count;
	const struct engine_kv *labels;
	size_t n_labels;
	const struct engine_container_net *networks;
	size_t n_networks;
};

void engine_container_info_free(struct engine_container_info *ci);
/* A label's value or NULL; a network's address or NULL. */
const char *engine_container_label(const struct engine_container_info *ci,
				   const char *key);
const char *engine_container_ip(const struct engine_container_info *ci,
				const char *network);

/* A published port as GET /containers/json reports it. */
struct engine_port {
	const char *ip;
	unsigned private_port;
	unsigned public_port; /* 0: not published */
	const char *type;
};

/* One volume a container mounts (GET /containers/json's Mounts). */
struct engine_volume_mount {
	const char *name;   /* the volume's name (64 hex: anonymous) */
	const char *target; /* Destination */
};

struct engine_container_summary {
	const char *id;
	struct engine_strv names; /* without '/' */
	const char *image;
	const char *state;  /* running, exited, ... */
	const char *status; /* "Up 3 minutes" */
	const struct engine_kv *labels;
	size_t n_labels;
	const struct engine_port *ports;
	size_t n_ports;
	const struct engine_container_net *networks; /* name, ip */
	size_t n_networks;
	const char *command; /* "sh -c 'sleep 1'", as the daemon joins it */
	/* Its volume mounts (Type "volume"): Name at Destination. */
	const struct engine_volume_mount *volume_mounts;
	size_t n_volume_mounts;
};

struct engine_container_list {
	struct arena *arena;
	struct engine_container_summary *items;
	size_t n;
};

void engine_container_list_free(struct engine_container_list *l);

/*
 * Filters for the list calls: {"label", "a=b"}, {"name", "x"} ... grouped
 * by key as the API wants ({"label":["a=b","c"]}).
 */
struct engine_filters {
	const struct engine_kv *v;
	size_t n;
};

struct engine_image_info {
	char id[96];
	char os[32];
	char arch[32];
	char variant[16];
	long long size;	  /* Size, bytes */
	char created[48]; /* Created, RFC 3339 */
	/* RepoTags[0] ("busybox:latest"), "" when untagged. */
	char repo_tag[256];
	/*
	 * Metadata.LastTagTime (set by the daemon on every pull, tag and
	 * import) in unix seconds; 0 when absent or never set.
	 */
	long long last_tag_time;
};

/* GET /containers/{id}/top: the columns are whatever the daemon says. */
struct engine_top {
	struct arena *arena;
	struct engine_strv titles; /* "UID", "PID", ... ("Name" on Windows) */
	struct engine_strv *processes; /* one per process, parallel to titles */
	size_t n_processes;
};

void engine_top_free(struct engine_top *t);

/* One line of pull progress. */
struct engine_progress {
	const char *id;	      /* layer id, or NULL */
	const char *status;   /* "Downloading", "Pull complete", ... */
	const char *progress; /* the bar, or NULL */
	long long current;
	long long total;
};

/* Return nonzero to stop the stream (the call then succeeds). */
typedef int (*engine_progress_fn)(void *ud, const struct engine_progress *p);

enum engine_stream_kind {
	ENGINE_STDIN = 0,
	ENGINE_STDOUT = 1,
	ENGINE_STDERR = 2,
};

/* Output of logs and exec; return nonzero to stop the stream. */
typedef int (*engine_output_fn)(void *ud,
				enum engine_stream_kind s,
				const char *data,
				size_t len);

struct engine_logs_opts {
	bool follow;
	bool timestamps;
	bool stdout_; /* both false: both */
	bool stderr_;
	const char *tail;  /* "all" (NULL) or a count */
	const char *since; /* unix time or NULL */
	const char *until; /* unix time or NULL */
	bool tty;	   /* the container has a TTY: raw, not framed */
};

struct engine_exec_spec {
	struct engine_strv argv;
	struct engine_strv env;
	const char *user;
	const char *working_dir;
	bool tty;
	bool privileged;
	bool detach;	   /* start and do not wait for output */
	bool attach_stdin; /* AttachStdin: for engine_exec_attach with input */
};

struct engine_ipam {
	const char *subnet;
	const char *gateway;
	const char *ip_range;
	const struct engine_kv *aux_addresses; /* AuxiliaryAddresses */
	size_t n_aux_addresses;
};

struct engine_network_spec {
	const char *name;
	const char *driver; /* NULL: bridge (or nat on Windows) */
	bool internal;
	bool attachable;
	bool enable_ipv6;
	bool check_duplicate;
	const struct engine_kv *labels;
	size_t n_labels;
	const char *ipam_driver;
	const struct engine_kv *ipam_options; /* IPAM.Options */
	size_t n_ipam_options;
	const struct engine_kv *driver_opts;
	size_t n_driver_opts;
	const struct engine_ipam *ipam;
	size_t n_ipam;
	int enable_ipv4; /* EnableIPv4 (API 1.47): 0 unsent, 1 true, -1 false */
};

struct engine_network_info {
	struct arena *arena;
	const char *id;
	const char *name;
	const char *driver;
	const char *scope;
	bool internal;
	bool attachable;
	const struct engine_kv *labels;
	size_t n_labels;
	const struct engine_ipam *ipam; /* IPAM.Config */
	size_t n_ipam;
	/* Containers attached: key = container id, value = IPv4 "a.b.c.d/nn".
	 */
	const struct engine_kv *containers;
	size_t n_containers;
};

struct engine_network_list {
	struct arena *arena;
	struct engine_network_info *items; /* share the list's arena */
	size_t n;
};

void engine_network_info_free(struct engine_network_info *ni);
void engine_network_list_free(struct engine_network_list *l);

struct engine_volume_spec {
	const char *name; /* NULL: the daemon picks one */
	const char *driver;
	const struct engine_kv *labels;
	size_t n_labels;
	const struct engine_kv *driver_opts;
	size_t n_driver_opts;
};

struct engine_volume_info {
	const char *name;
	const char *driver;
	const char *mountpoint;
	const struct engine_kv *labels;
	size_t n_labels;
};

struct engine_volume_list {
	struct arena *arena;
	struct engine_volume_info *items;
	size_t n;
};

void engine_volume_list_free(struct engine_volume_list *l);

struct engine_event {
	const char *type;   /* container, network, image, volume ... */
	const char *action; /* start, die, health_status: healthy ... */
	const char *id;	    /* Actor.ID */
	const struct engine_kv *attributes; /* Actor.Attributes */
	size_t n_attributes;
	long long time_nano;
};

/* Return nonzero to stop the stream. */
typedef int (*engine_event_fn)(void *ud, const struct engine_event *ev);

/*
 * One sample of GET /containers/{id}/stats, reduced to what `docker
 * stats` shows (the docker CLI's formulas).  The Windows shape (a Windows
 * daemon, or "os_type": "windows") has no memory limit, percentage or
 * pids: 'mem' is the private working set, CPU comes from
 * cpu_stats.cpu_usage.total_usage in 100 ns units over num_procs
 * processors between preread and read, block I/O from storage_stats.
 */
struct engine_stats {
	char id[96];
	char name[256]; /* without its leading '/' */
	bool windows;
	double cpu_percent;
	double mem;	  /* bytes: usage without inactive cache, or PWS */
	double mem_limit; /* 0 on Windows */
	double mem_percent;
	double net_rx, net_tx;
	double blk_read, blk_write;
	unsigned long long pids;
};

/* Return nonzero to stop the stream. */
typedef int (*engine_stats_fn)(void *ud, const struct engine_stats *s);

/*
 * Parses one stats reply ('windows': the daemon is a Windows one).
 * Returns 0, or DIAG_ESYNTAX when it is not a JSON object.
 */
int engine_stats_parse(struct engine_stats *out,
		       const char *json,
		       size_t len,
		       bool windows,
		       struct diag *err);

/* ==== 4. Async calls =================================================== */

/*
 * Each takes the loop and engine first and a callback with 'ud' last.  The
 * callback's arguments are valid only while it runs (copy what you keep);
 * 'err' is NULL when rc is 0.  Strings passed in are copied at submit.
 */
typedef void (*engine_done_fn)(void *ud, int rc, const struct diag *err);
typedef void (*engine_id_fn)(void *ud,
			     int rc,
			     const char *id,
			     const struct diag *err);
typedef void (*engine_ping_fn)(void *ud,
			       int rc,
			       const struct engine_ping_info *info,
			       const struct diag *err);
typedef void (*engine_sysinfo_fn)(void *ud,
				  int rc,
				  const struct engine_system_info *info,
				  const struct diag *err);
typedef void (*engine_container_fn)(void *ud,
				    int rc,
				    const struct engine_container_info *ci,
				    const struct diag *err);
typedef void (*engine_list_fn)(void *ud,
			       int rc,
			       const struct engine_container_list *list,
			       const struct diag *err);
typedef void (*engine_image_fn)(void *ud,
				int rc,
				const struct engine_image_info *info,
				const struct diag *err);
/*
 * The lists (NULL on failure) are the callback's: free them with
 * engine_network_list_free / engine_volume_list_free.
 */
typedef void (*engine_network_list_fn)(void *ud,
				       int rc,
				       struct engine_network_list *list,
				       const struct diag *err);
typedef void (*engine_volume_list_fn)(void *ud,
				      int rc,
				      struct engine_volume_list *list,
				      const struct diag *err);
/* 'top' (NULL on failure) is the callback's: free it with engine_top_free. */
typedef void (*engine_top_fn)(void *ud,
			      int rc,
			      struct engine_top *top,
			      const struct diag *err);
/* Wait and exec: the exit code, and for exec the collected output. */
typedef void (*engine_exit_fn)(void *ud,
			       int rc,
			       int exit_code,
			       const char *output,
			       size_t len,
			       const struct diag *err);

void engine_ping_async(struct engine_loop *l,
		       struct engine *e,
		       engine_ping_fn cb,
		       void *ud);
void engine_info_async(struct engine_loop *l,
		       struct engine *e,
		       engine_sysinfo_fn cb,
		       void *ud);

/* 'name' and 'platform' ("linux/amd64", sent from API 1.41) may be NULL. */
void engine_container_create_async(struct engine_loop *l,
				   struct engine *e,
				   const char *name,
				   const char *platform,
				   const struct engine_container_spec *spec,
				   engine_id_fn cb,
				   void *ud);
void engine_container_start_async(struct engine_loop *l,
				  struct engine *e,
				  const char *id,
				  engine_done_fn cb,
				  void *ud);
/* 'timeout_s' < 0: the container's own stop timeout. */
void engine_container_stop_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 int timeout_s,
				 engine_done_fn cb,
				 void *ud);
void engine_container_restart_async(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    int timeout_s,
				    engine_done_fn cb,
				    void *ud);
void engine_container_kill_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 const char *signal,
				 engine_done_fn cb,
				 void *ud);
void engine_container_pause_async(struct engine_loop *l,
				  struct engine *e,
				  const char *id,
				  engine_done_fn cb,
				  void *ud);
void engine_container_unpause_async(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    engine_done_fn cb,
				    void *ud);
/* The process table; a reply without "Titles" is a DIAG_EENGINE error. */
void engine_container_top_async(struct engine_loop *l,
				struct engine *e,
				const char *id,
				engine_top_fn cb,
				void *ud);
/*
 * DELETE /containers/{id}; a 404 is DIAG_ENOTFOUND, a 409 DIAG_ECONFLICT
 * (with force: another client's removal of it is under way, "removal of
 * container ... is already in progress").
 */
void engine_container_remove_async(struct engine_loop *l,
				   struct engine *e,
				   const char *id,
				   bool force,
				   bool volumes,
				   engine_done_fn cb,
				   void *ud);
void engine_container_inspect_async(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    engine_container_fn cb,
				    void *ud);
/* Lists all containers (all=1) matching 'filters' (may be NULL). */
void engine_container_list_async(struct engine_loop *l,
				 struct engine *e,
				 const struct engine_filters *filters,
				 engine_list_fn cb,
				 void *ud);
/* Networks and volumes matching 'filters' (may be NULL). */
void engine_network_list_async(struct engine_loop *l,
			       struct engine *e,
			       const struct engine_filters *filters,
			       engine_network_list_fn cb,
			       void *ud);
void engine_volume_list_async(struct engine_loop *l,
			      struct engine *e,
			      const struct engine_filters *filters,
			      engine_volume_list_fn cb,
			      void *ud);
/* 'condition': "not-running" (NULL), "next-exit", "removed". A stream. */
void engine_container_wait_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 const char *condition,
				 engine_exit_fn cb,
				 void *ud);
/* Streams the logs to 'out' (demuxed unless opts->tty); then 'cb'. */
void engine_container_logs_async(struct engine_loop *l,
				 struct engine *e,
				 const char *id,
				 const struct engine_logs_opts *opts,
				 engine_output_fn out,
				 void *out_ud,
				 engine_done_fn cb,
				 void *ud);

/* The ids of a list; NULL 'ids' never, empty on failure. */
typedef void (*engine_ids_fn)(void *ud,
			      int rc,
			      const struct engine_strv *ids,
			      const struct diag *err);
/*
 * GET /images/json with 'filters' (may be NULL; e.g. dangling=true and a
 * label): the image ids, borrowed for the callback.
 */
void engine_image_list_async(struct engine_loop *l,
			     struct engine *e,
			     const struct engine_filters *filters,
			     engine_ids_fn cb,
			     void *ud);
void engine_image_inspect_async(struct engine_loop *l,
				struct engine *e,
				const char *ref,
				engine_image_fn cb,
				void *ud);
/*
 * Pulls 'ref' ("busybox", "x:tag", "x@sha256:..."); 'platform' is sent
 * from API 1.32.  The stream's error/errorDetail becomes the error.
 */
void engine_image_pull_async(struct engine_loop *l,
			     struct engine *e,
			     const char *ref,
			     const char *platform,
			     engine_progress_fn progress,
			     void *progress_ud,
			     engine_done_fn cb,
			     void *ud);

/*
 * Pushes 'ref' ("reg:5000/x:tag"; no tag: latest) from the daemon to its
 * registry, without credentials (POST /images/{name}/push?tag=).  The
 * stream's error/errorDetail becomes the error.
 */
void engine_image_push_async(struct engine_loop *l,
			     struct engine *e,
			     const char *ref,
			     engine_progress_fn progress,
			     void *progress_ud,
			     engine_done_fn cb,
			     void *ud);

/*
 * One file of a container, rewritten through the archive API, for a
 * container that is created or stopped (before its start): GET
 * /containers/{id}/archive?path=DIR/NAME (a file the image lacks reads as
 * empty), then 'edit' gives the new text (malloc'ed, NUL-terminated, or
 * NULL to leave the file as it is), then, only when the text changed, PUT
 * /containers/{id}/archive?path=DIR with a tar of that one file
 * (engine_file_tar).  'dir' is '/'-separated and without a drive letter,
 * which Windows daemons take as the system drive.  'cb' gets DIAG_EENGINE
 * or DIAG_ENOTFOUND when the daemon refused (engine_file_edit_refused),
 * DIAG_ETRANSPORT when it did not answer.
 */
typedef char *(*engine_file_edit_fn)(void *ud, const char *old, size_t len);
void engine_container_file_edit_async(struct engine_loop *l,
				      struct engine *e,
				      const char *id,
				      const char *dir,
				      const char *name,
				      engine_file_edit_fn edit,
				      void *edit_ud,
				      engine_done_fn cb,
				      void *ud);
/* A file written into a container before it starts (secrets, configs). */
struct engine_file {
	const char *path; /* absolute, '/'-separated */
	const char *data;
	size_t len;
	unsigned mode; /* permission bits */
	long uid, gid;
};

/*
 * Writes 'files' (borrowed until 'cb') into container 'id' with one PUT
 * /containers/{id}/archive?path=/ whose tar (engine_files_tar) holds them
 * all; the daemon creates missing parent directories.  With 'owners' it
 * asks copyUIDGID=1, so each file keeps the tar's uid and gid (else the
 * daemon makes them root's), as compose v2 asks when a uid or gid is set.
 */
void engine_container_files_put_async(struct engine_loop *l,
				      struct engine *e,
				      const char *id,
				      const struct engine_file *files,
				      size_t n,
				      bool owners,
				      engine_done_fn cb,
				      void *ud);

/* True when 'rc' of a file edit means "the daemon said no" (a fallback may
 * do it another way), not "the daemon is gone". */
bool engine_file_edit_refused(int rc);

/* ---- cp: the archive API and the tars on our side ---- */

/* A container path's stat (the X-Docker-Container-Path-Stat header). */
struct engine_path_stat {
	bool exists;
	bool is_dir;
	bool is_link;
	unsigned perm; /* the permission bits */
	long long size;
	char name[256];
	char link_target[1024];
};
/*
 * Decodes the header's value (base64 of {"name","size","mode",
 * "linkTarget",...}, mode as Go's os.FileMode).  0 or DIAG_ESYNTAX.
 */
int engine_path_stat_parse(struct engine_path_stat *out,
			   const char *header,
			   struct diag *err);
typedef void (*engine_path_stat_fn)(void *ud,
				    int rc,
				    const struct engine_path_stat *st,
				    const struct diag *err);
/* HEAD /containers/{id}/archive?path=P; DIAG_ENOTFOUND when P is missing. */
void engine_container_path_stat_async(struct engine_loop *l,
				      struct engine *e,
				      const char *id,
				      const char *path,
				      engine_path_stat_fn cb,
				      void *ud);
/* 'tar' (the whole reply, at most ENGINE_REPLY_MAX) is the callback's to
 * read while it runs. */
typedef void (*engine_archive_fn)(void *ud,
				  int rc,
				  const char *tar,
				  size_t len,
				  const struct engine_path_stat *st,
				  const struct diag *err);
/* GET /containers/{id}/archive?path=P: a tar of P, top entry P's name. */
void engine_container_archive_get_async(struct engine_loop *l,
					struct engine *e,
					const char *id,
					const char *path,
					engine_archive_fn cb,
					void *ud);
/*
 * PUT /containers/{id}/archive?path=DIR&noOverwriteDirNonDir=1
 * [&copyUIDGID=1]: 'tar' (malloc'ed; taken) extracted into DIR, which
 * must exist.  A Windows daemon refuses it for a running Hyper-V
 * container ("filesystem operations against a running Hyper-V container
 * are not supported").
 */
void engine_container_archive_put_async(struct engine_loop *l,
					struct engine *e,
					const char *id,
					const char *dir,
					char *tar,
					size_t len,
					bool copy_uid_gid,
					engine_done_fn cb,
					void *ud);

/* What engine_tar_local packs. */
struct engine_tar_src {
	const char *path; /* a local file or directory, no trailing '/' */
	const char *as;	  /* the tar's name for it ("." for DIR/.) */
	bool follow_link; /* 'path' itself, if a link: its target */
	bool keep_owner;  /* the files' uid/gid (cp -a), else 0:0 */
};
/*
 * A tar of 'src' (libarchive, pax restricted; modes and times kept) in
 * '*out' (malloc'ed).  Returns 0 or DIAG_EIO with the path.
 */
int engine_tar_local(char **out,
		     size_t *out_len,
		     const struct engine_tar_src *src,
		     struct diag *err);
/*
 * Extracts 'tar' under the local directory 'dir', the first element of
 * every entry's path replaced by 'as' (NULL: kept): modes and times kept,
 * no owners, and no entry outside 'dir' (no "..", no path through a
 * link).  Returns 0, DIAG_ESYNTAX (not a tar) or DIAG_EIO.
 */
int engine_untar_local(const char *tar,
		       size_t len,
		       const char *dir,
		       const char *as,
		       struct diag *err);

/* Create + start (+ inspect for the exit code) in one call. */
void engine_exec_run_async(struct engine_loop *l,
			   struct engine *e,
			   const char *container,
			   const struct engine_exec_spec *spec,
			   engine_exit_fn cb,
			   void *ud);

void engine_network_create_async(struct engine_loop *l,
				 struct engine *e,
				 const struct engine_network_spec *spec,
				 engine_id_fn cb,
				 void *ud);
/* Not found is DIAG_ENOTFOUND, a 409 DIAG_ECONFLICT. */
void engine_network_remove_async(struct engine_loop *l,
				 struct engine *e,
				 const char *name,
				 engine_done_fn cb,
				 void *ud);
/*
 * Inspects network 'name' first and removes it only when no container is
 * attached: one still attached (another project's, a `docker run
 * --network` one) is DIAG_ECONFLICT naming them, and nothing is removed;
 * a missing network is DIAG_ENOTFOUND.
 */
void engine_network_remove_unused_async(struct engine_loop *l,
					struct engine *e,
					const char *name,
					engine_done_fn cb,
					void *ud);
void engine_network_connect_async(struct engine_loop *l,
				  struct engine *e,
				  const char *network,
				  const char *container,
				  const struct engine_endpoint *ep,
				  engine_done_fn cb,
				  void *ud);
void engine_network_disconnect_async(struct engine_loop *l,
				     struct engine *e,
				     const char *network,
				     const char *container,
				     bool force,
				     engine_done_fn cb,
				     void *ud);

/* The volume's name comes back as 'id'. */
void engine_volume_create_async(struct engine_loop *l,
				struct engine *e,
				const struct engine_volume_spec *spec,
				engine_id_fn cb,
				void *ud);
void engine_volume_remove_async(struct engine_loop *l,
				struct engine *e,
				const char *name,
				bool force,
				engine_done_fn cb,
				void *ud);

/*
 * GET /containers/{id}/stats: one sample (stream false; the daemon takes
 * two, a second apart, so the CPU figure has a base) or one per second
 * until 'fn' returns nonzero or the loop is cancelled.
 */
void engine_container_stats_async(struct engine_loop *l,
				  struct engine *e,
				  const char *id,
				  bool stream,
				  engine_stats_fn fn,
				  void *fn_ud,
				  engine_done_fn cb,
				  void *ud);
/* Streams events until 'cb' returns nonzero or 'until' passes. */
void engine_events_async(struct engine_loop *l,
			 struct engine *e,
			 const struct engine_filters *filters,
			 const char *since,
			 const char *until,
			 engine_event_fn ev,
			 void *ev_ud,
			 engine_done_fn cb,
			 void *ud);

/* ==== 5. Sync calls ==================================================== */

/*
 * Each runs the async call on the engine's own loop until it completes.
 * Results marked "owned" are freed by the caller with the _free function.
 */
int engine_ping(struct engine *e,
		struct engine_ping_info *out,
		struct diag *err);
int engine_version(struct engine *e,
		   struct engine_version_info *out,
		   struct diag *err);
int engine_info(struct engine *e,
		struct engine_system_info *out,
		struct diag *err);

/* DIAG_ENOTFOUND when the image is missing. */
int engine_image_inspect(struct engine *e,
			 const char *ref,
			 struct engine_image_info *out,
			 struct diag *err);
int engine_image_pull(struct engine *e,
		      const char *ref,
		      const char *platform,
		      engine_progress_fn progress,
		      void *ud,
		      struct diag *err);
/*
 * POST /images/create?fromSrc=-: a tar stream from 'tar' (read to EOF)
 * becomes 'ref' ("repo:tag"); 'changes' are Dockerfile lines such as
 * "CMD [\"sh\"]".  'out_id' (may be NULL) receives the new image id.
 */
int engine_image_import(struct engine *e,
			FILE *tar,
			const char *ref,
			const struct engine_strv *changes,
			char out_id[96],
			struct diag *err);
/* Not found is DIAG_ENOTFOUND, in use (409) DIAG_ECONFLICT. */
int engine_image_remove(struct engine *e,
			const char *ref,
			bool force,
			struct diag *err);

/* 'out_id' receives the new id (64 hex digits). */
int engine_container_create(struct engine *e,
			    const char *name,
			    const char *platform,
			    const struct engine_container_spec *spec,
			    char out_id[80],
			    struct diag *err);
int engine_container_start(struct engine *e, const char *id, struct diag *err);
int engine_container_stop(struct engine *e,
			  const char *id,
			  int timeout_s,
			  struct diag *err);
int engine_container_restart(struct engine *e,
			     const char *id,
			     int timeout_s,
			     struct diag *err);
int engine_container_kill(struct engine *e,
			  const char *id,
			  const char *signal,
			  struct diag *err);
int engine_container_pause(struct engine *e, const char *id, struct diag *err);
int engine_container_unpause(struct engine *e,
			     const char *id,
			     struct diag *err);
/* Owned '*out' (engine_top_free). */
int engine_container_top(struct engine *e,
			 const char *id,
			 struct engine_top **out,
			 struct diag *err);
int engine_container_remove(struct engine *e,
			    const char *id,
			    bool force,
			    bool volumes,
			    struct diag *err);
/* Owned '*out'; DIAG_ENOTFOUND when there is no such container. */
int engine_container_inspect(struct engine *e,
			     const char *id,
			     struct engine_container_info **out,
			     struct diag *err);
/* Owned '*out'. */
int engine_container_list(struct engine *e,
			  const struct engine_filters *filters,
			  struct engine_container_list **out,
			  struct diag *err);
int engine_container_wait(struct engine *e,
			  const char *id,
			  const char *condition,
			  int *out_exit,
			  struct diag *err);
int engine_container_logs(struct engine *e,
			  const char *id,
			  const struct engine_logs_opts *opts,
			  engine_output_fn out,
			  void *ud,
			  struct diag *err);

/* Exec in three steps, or all at once with engine_exec_run. */
int engine_exec_create(struct engine *e,
		       const char *container,
		       const struct engine_exec_spec *spec,
		       char out_id[80],
		       struct diag *err);
/* Attaches (unless detach) and passes demuxed output to 'out' (may be NULL). */
int engine_exec_start(struct engine *e,
		      const char *exec_id,
		      bool detach,
		      bool tty,
		      engine_output_fn out,
		      void *ud,
		      struct diag *err);
int engine_exec_inspect(struct engine *e,
			const char *exec_id,
			int *out_exit,
			bool *out_running,
			struct diag *err);
/* engine_container_file_edit_async, synchronously. */
int engine_container_file_edit(struct engine *e,
			       const char *id,
			       const char *dir,
			       const char *name,
			       engine_file_edit_fn edit,
			       void *edit_ud,
			       struct diag *err);
/*
 * The tar the edit PUTs: one regular file 'name', mode 0644, owner 0:0,
 * holding 'len' bytes of 'data' (libarchive, pax restricted, so a plain
 * ustar header for a short ASCII name).  '*out' is malloc'ed.
 */
int engine_file_tar(char **out,
		    size_t *out_len,
		    const char *name,
		    const char *data,
		    size_t len,
		    struct diag *err);
/*
 * A tar of the regular files 'files', each at its path without the
 * leading '/', with its mode, uid and gid (libarchive, pax restricted).
 * '*out' is malloc'ed.
 */
int engine_files_tar(char **out,
		     size_t *out_len,
		     const struct engine_file *files,
		     size_t n,
		     struct diag *err);
/*
 * The content of the regular file 'name' (its base name) in tar 'tar'
 * (malloc'ed, NUL-terminated).  DIAG_ENOTFOUND when it has none,
 * DIAG_ESYNTAX when it is not a tar.
 */
int engine_tar_file(char **out,
		    size_t *out_len,
		    const char *tar,
		    size_t tar_len,
		    const char *name,
		    struct diag *err);

/* One path of engine_copy_tar: a host file or directory and its name. */
struct engine_copy_file {
	const char *host; /* the host path */
	const char *name; /* in the tar: '/'-separated, relative */
};

/*
 * A tar of the paths (a directory as an entry alone, links as links, owner 0:0,
 * modes and times kept; a path gone meanwhile is left out), malloc'ed into
 * '*out'.  DIAG_EIO when one cannot be read.
 */
int engine_copy_tar(char **out,
		    size_t *out_len,
		    const struct engine_copy_file *v,
		    size_t n,
		    struct diag *err);
/*
 * PUT /containers/{id}/archive?path=DIR: 'tar' (taken: the request frees
 * it) unpacked in the container under 'dir'.  A daemon that refuses (a
 * running Hyper-V container) gives DIAG_EENGINE with its message.
 */
int engine_container_archive_put(struct engine *e,
				 const char *id,
				 const char *dir,
				 char *tar,
				 size_t len,
				 struct diag *err);

/*
 * Runs 'argv' in the container as 'user' (NULL: default) and collects
 * stdout+stderr into '*out_output' (malloc'ed; may be NULL to discard).
 */
int engine_exec_run(struct engine *e,
		    const char *container,
		    const char *const *argv,
		    const char *user,
		    int *out_exit,
		    char **out_output,
		    struct diag *err);

int engine_network_create(struct engine *e,
			  const struct engine_network_spec *spec,
			  char out_id[80],
			  struct diag *err);
/* Owned '*out'; DIAG_ENOTFOUND when missing. */
int engine_network_inspect(struct engine *e,
			   const char *name,
			   struct engine_network_info **out,
			   struct diag *err);
int engine_network_list(struct engine *e,
			const struct engine_filters *filters,
			struct engine_network_list **out,
			struct diag *err);
/* Not found is DIAG_ENOTFOUND, a 409 DIAG_ECONFLICT. */
int engine_network_remove(struct engine *e, const char *name, struct diag *err);
int engine_network_connect(struct engine *e,
			   const char *network,
			   const char *container,
			   const struct engine_endpoint *ep,
			   struct diag *err);
int engine_network_disconnect(struct engine *e,
			      const char *network,
			      const char *container,
			      bool force,
			      struct diag *err);

/* 'out_name' (may be NULL) receives the volume's name. */
int engine_volume_create(struct engine *e,
			 const struct engine_volume_spec *spec,
			 char out_name[256],
			 struct diag *err);
int engine_volume_list(struct engine *e,
		       const struct engine_filters *filters,
		       struct engine_volume_list **out,
		       struct diag *err);
/* Not found is DIAG_ENOTFOUND, in use (409) DIAG_ECONFLICT. */
int engine_volume_remove(struct engine *e,
			 const char *name,
			 bool force,
			 struct diag *err);

int engine_events(struct engine *e,
		  const struct engine_filters *filters,
		  const char *since,
		  const char *until,
		  engine_event_fn ev,
		  void *ud,
		  struct diag *err);

/* ==== 5b. Hijacked streams: interactive exec and attach ================== */

/*
 * A hijacked connection: the request goes out with "Connection: Upgrade"
 * and "Upgrade: tcp", dockerd answers "101 UPGRADED" (or 200 from an old
 * daemon), and from then on the socket carries the process's stdin one
 * way and its output the other: 8-byte frames without a TTY, raw bytes
 * with one.  Each hijack has its own connection (never a pooled one), on
 * the engine's transport: unix, tcp, TLS, or ssh through its loopback
 * listener.
 */
struct engine_hijack;

/*
 * POST /exec/{id}/start {"Detach": false, "Tty": tty}, hijacked.  The
 * engine must have negotiated (any versioned call does that, e.g. the
 * exec create).  Free '*out' with engine_hijack_free().
 */
int engine_exec_attach(struct engine_hijack **out,
		       struct engine *e,
		       const char *exec_id,
		       bool tty,
		       struct diag *err);
/*
 * POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&stdin=1]
 * [&detachKeys=KEYS], hijacked.  Attach before the start, so that no
 * output is lost.  'detach_keys' (NULL: the daemon's default, ctrl-p,ctrl-q)
 * is the sequence on stdin at which the daemon ends the stream and leaves
 * the container running.
 */
int engine_container_attach(struct engine_hijack **out,
			    struct engine *e,
			    const char *id,
			    bool tty,
			    bool with_stdin,
			    const char *detach_keys,
			    struct diag *err);

/* What engine_hijack_pump copies, and how it reports. */
struct engine_stdio {
	int in_fd; /* copied to the process; -1: none (write side closed) */
	engine_output_fn out; /* demuxed (or raw) output */
	void *out_ud;
	/*
	 * Called at least every 'tick_ms' (0: 250) and after every signal
	 * that interrupts the wait (SIGWINCH: resize); nonzero stops the
	 * pump, which then returns DIAG_EINTR.  May be NULL.
	 */
	int (*tick)(void *ud);
	void *tick_ud;
	long tick_ms;
};

/*
 * Copies io->in_fd to the connection and the connection to io->out until
 * the daemon closes the stream (the process ended).  At EOF on in_fd the
 * write side is shut (half-close), so the process sees its stdin end,
 * and the output is still read to its end.  Returns 0, DIAG_EINTR (tick
 * asked to stop) or DIAG_ETRANSPORT.
 */
int engine_hijack_pump(struct engine_hijack *h,
		       const struct engine_stdio *io,
		       struct diag *err);
void engine_hijack_free(struct engine_hijack *h);

/* The TTY size: POST /exec/{id}/resize and /containers/{id}/resize. */
int engine_exec_resize(struct engine *e,
		       const char *exec_id,
		       unsigned rows,
		       unsigned cols,
		       struct diag *err);
int engine_container_resize(struct engine *e,
			    const char *id,
			    unsigned rows,
			    unsigned cols,
			    struct diag *err);

/*
 * POST /containers/{id}/wait?condition=C, sent now and run until dockerd
 * has answered its headers (it does so at once and writes the body when
 * the container reaches the condition), so that a container started
 * afterwards cannot exit unseen; "removed" keeps working for AutoRemove.
 * engine_waiter_finish() runs it to the end and frees it.
 */
struct engine_waiter;
int engine_container_wait_begin(struct engine_waiter **out,
				struct engine *e,
				const char *id,
				const char *condition,
				struct diag *err);
/* The exit code in '*out_exit'; frees 'w' (NULL: nothing). */
int engine_waiter_finish(struct engine_waiter *w,
			 int *out_exit,
			 struct diag *err);
/* Drops a waiter without waiting (NULL: nothing). */
void engine_waiter_free(struct engine_waiter *w);

/*
 * The status line of a reply head ("HTTP/1.1 101 UPGRADED\r\n...") and the
 * head's length up to and including the blank line; 0 if 'buf' holds no
 * complete head yet, -1 if it is not HTTP.  Exposed for the unit tests.
 */
long engine_http_head(const char *buf, size_t len, size_t *head_len);

/* ==== 6. Streams ======================================================= */

/*
 * Demultiplexes the 8-byte framed stream of logs/attach without a TTY
 * ([stream, 0, 0, 0, size big-endian 32] then payload), or passes raw
 * bytes through as stdout when 'raw'.  Feed it any chunking.
 */
struct engine_demux {
	bool raw;
	unsigned char hdr[8];
	size_t hdr_len;
	size_t remaining;
	enum engine_stream_kind stream;
	engine_output_fn fn;
	void *ud;
	bool stopped;
};

void engine_demux_init(struct engine_demux *d,
		       bool raw,
		       engine_output_fn fn,
		       void *ud);
/* Returns nonzero once 'fn' asked to stop. */
int engine_demux_feed(struct engine_demux *d, const char *buf, size_t len);
/* True if the stream ended inside a frame (a truncated stream). */
bool engine_demux_partial(const struct engine_demux *d);

/* Splits a byte stream into lines (without "\n"; "\r\n" is trimmed too). */
typedef int (*engine_line_fn)(void *ud, const char *line, size_t len);

struct engine_lines {
	char *buf;
	size_t len;
	size_t alloc;
	engine_line_fn fn;
	void *ud;
	bool stopped;
	bool overflow; /* a line passed ENGINE_LINE_MAX */
};

void engine_lines_init(struct engine_lines *ls, engine_line_fn fn, void *ud);
/*
 * Calls 'fn' for each complete line; returns 1 once it asked to stop, -1
 * once a line passed ENGINE_LINE_MAX (then 'overflow' is set; an on_data
 * callback that returns it fails its request with DIAG_ELIMIT).
 */
int engine_lines_feed(struct engine_lines *ls, const char *buf, size_t len);
/* Delivers a last unterminated line, then releases the buffer. */
int engine_lines_finish(struct engine_lines *ls);

/* ==== 7. The daemon registry =========================================== */

enum engine_source {
	ENGINE_SRC_FLAG,    /* --daemon NAME=URL */
	ENGINE_SRC_ENV,	    /* MIXCOMPOSE_DAEMON_<NAME> */
	ENGINE_SRC_FILE,    /* x-mixcompose.daemons */
	ENGINE_SRC_CONTEXT, /* a docker context on disk */
	ENGINE_SRC_DEFAULT, /* DOCKER_HOST / DOCKER_CONTEXT / default socket */
	ENGINE_SRC_DESKTOP, /* Docker Desktop's two engines, found by context */
};

const char *engine_source_name(enum engine_source s);

/* A daemon declared in the compose file (cli converts compose's). */
struct engine_daemon_decl {
	const char *name;
	const char *endpoint; /* URL or NULL */
	const char *context;  /* docker context or NULL */
	const char *os;
	const char *arch;
	bool lab;
	bool tls_verify;
	bool tls_verify_set; /* false: not said (verify when TLS is used) */
	const char *cert_path;
	const char *where; /* "compose.yaml:5:7" for messages, or NULL */
};

/* One registry entry; strings live in the registry. */
struct engine_daemon {
	const char *name;
	const char *url;
	enum engine_source source;
	const char *context;	 /* context it came from, or NULL */
	const char *where;	 /* declaration site, or NULL */
	const char *declared_os; /* NULL: whatever the daemon says */
	const char *declared_arch;
	bool lab; /* may stand in for 'declared_os' */
	/*
	 * TLS is on for https://, for a cert path, for tls_verify: true from
	 * any source, for DOCKER_TLS_VERIFY or DOCKER_TLS with DOCKER_HOST,
	 * and for a context with TLS files or SkipTLSVerify.  Asking for
	 * verification without a cert path means the docker CLI's default
	 * one: $DOCKER_CERT_PATH, else $DOCKER_CONFIG or ~/.docker.
	 */
	bool tls;
	bool tls_verify;
	const char *cert_path;
	bool tls_from_context; /* cert_path is a context's TLS directory */
	bool declared;	       /* named by the project (file), not just found */
	/*
	 * The endpoint (URL, or "context:NAME") that the compose file gave
	 * this daemon when a MIXCOMPOSE_DAEMON_<NAME> variable replaced it
	 * with another one, and where the file said it; else NULL.  The
	 * variable wins (as documented), but silently it looks like the
	 * file is ignored: the CLI says so.
	 */
	const char *file_endpoint;
	const char *file_where;
	const char *env_var; /* the variable that replaced it */
	/*
	 * "Linux" or "Windows" when the entry is one of Docker Desktop's two
	 * engines, found with no daemon map (ENGINE_SRC_DESKTOP); else NULL.
	 */
	const char *desktop_engine;

	/* Filled by engine_registry_probe(). */
	bool probed;
	bool reachable;
	const char *error; /* why not reachable, or the os mismatch */
	const char *os;	   /* effective OS (declared when a lab stand-in) */
	const char *reported_os;
	const char *arch; /* normalized: amd64, arm64 ... */
	const char *server_version;
	const char *api_version;   /* negotiated */
	const char *reported_api;  /* the ping's Api-Version */
	const char *server_header; /* the ping's Server */
	bool stand_in;		   /* lab: reports another OS than it plays */
	long latency_us;
	struct engine *engine; /* connected engine (owned by the registry) */
};

struct engine_registry;

/*
 * Options for building a registry; every field may be NULL/0.
 * 'environ_' NULL means the process environment; 'docker_config' NULL
 * means $DOCKER_CONFIG or ~/.docker.
 */
struct engine_registry_opts {
	const char *const
		*flags; /* "NAME=URL[,os=..][,lab=true]", "NAME=context:CTX" */
	size_t n_flags;
	const struct engine_daemon_decl *decls;
	size_t n_decls;
	char *const *environ_;
	const char *docker_config;
	long connect_timeout_ms;
	long request_timeout_ms;
};

/*
 * Builds the map: flags > MIXCOMPOSE_DAEMON_* > declarations > contexts.
 * With nothing declared, and neither DOCKER_HOST nor a DOCKER_CONTEXT /
 * currentContext other than "default" or Docker Desktop's own, the
 * contexts "desktop-linux" and "desktop-windows" (both present) give two
 * entries, "linux" and "windows", declared os linux and windows, source
 * ENGINE_SRC_DESKTOP.  Else the map holds just "default", resolved as the
 * docker CLI does (DOCKER_HOST > DOCKER_CONTEXT > currentContext > the
 * socket).
 */
int engine_registry_new(struct engine_registry **out,
			const struct engine_registry_opts *opts,
			struct diag *err);
void engine_registry_free(struct engine_registry *r);
size_t engine_registry_count(const struct engine_registry *r);
struct engine_daemon *engine_registry_at(struct engine_registry *r, size_t i);
/*
 * How a daemon that cannot be used is said: "is not reachable", or, for
 * one that answered but is refused (it reports another OS than its entry
 * declares), "cannot be used".
 */
const char *engine_daemon_unusable(const struct engine_daemon *d);

struct engine_daemon *engine_registry_find(struct engine_registry *r,
					   const char *name);
/*
 * What a probe asks beyond GET /_ping (whose headers give the OS, the
 * server version and the negotiated API):
 * ENGINE_PROBE_ARCH  the arch: from the cache of daemon facts when the
 *                    daemon's fingerprint (its ping headers and the ids
 *                    of its builtin networks) is there, else GET /info
 *                    after the ping (see probe.c);
 * ENGINE_PROBE_INFO  GET /info as soon as the ping answers (`daemons`);
 *                    what it says refreshes the cache;
 * ENGINE_PROBE_NETS  the caller lists every network of each daemon in
 *                    the same loop and hands each list over with
 *                    engine_probe_networks(): the probe asks no list of
 *                    its own (one request less per daemon).
 */
#define ENGINE_PROBE_ARCH 1u
#define ENGINE_PROBE_INFO 2u
#define ENGINE_PROBE_NETS 4u

struct engine_probe;
/*
 * Starts probing every entry in 'l': the ping first (each engine takes it
 * as its negotiation ping, so versioned requests the caller queues in 'l'
 * for the same engines go out as soon as it answers), then what 'need'
 * asks.  Run 'l', then call engine_registry_probe_finish(), which fills
 * the probe fields, resolves the arch (ENGINE_PROBE_ARCH) and checks each
 * daemon's OS; it frees the probe.  An entry whose engine cannot be made
 * is probed at once, with the reason in 'error'.
 */
struct engine_probe *engine_registry_probe_start(struct engine_registry *r,
						 struct engine_loop *l,
						 unsigned need);
void engine_registry_probe_finish(struct engine_probe *pr);
/*
 * 'nl' (borrowed) is every network of 'd' (ENGINE_PROBE_NETS): its
 * builtin ones go into d's fingerprint, as if the probe had listed them.
 * 'pr' may be NULL (nothing to do).
 */
void engine_probe_networks(struct engine_probe *pr,
			   const struct engine_daemon *d,
			   const struct engine_network_list *nl);
/*
 * Start, run and finish in a loop of its own.  Returns 0 even if some are
 * unreachable; look at each entry.  An OS mismatch without lab=true makes
 * the entry unreachable with an error naming both.
 */
int engine_registry_probe_for(struct engine_registry *r, unsigned need);
/* engine_registry_probe_for(r, ENGINE_PROBE_INFO); 'err' is unused. */
int engine_registry_probe(struct engine_registry *r, struct diag *err);
/* True when the entries are Docker Desktop's engines (ENGINE_SRC_DESKTOP). */
bool engine_registry_is_desktop(const struct engine_registry *r);
/* The entry's engine (connected lazily); NULL with 'err' on failure. */
struct engine *engine_registry_engine(struct engine_registry *r,
				      struct engine_daemon *d,
				      struct diag *err);

/* A docker context from disk. */
struct engine_context {
	char name[256];
	char host[1024];
	/*
	 * Metadata "io.mixcompose.lab": true (the docker CLI keeps unknown
	 * metadata keys): the context's daemon may stand in for the OS it is
	 * declared to run, as lab=true does for a daemon of the map.
	 */
	bool lab;
	bool skip_tls_verify;
	bool has_tls;	    /* tls/<sha>/docker holds files */
	char tls_dir[1024]; /* that directory */
};

/*
 * Reads context 'name' from 'config_dir' (contexts/meta/<sha256>/meta.json).
 * "default" is not on disk: DIAG_ENOTFOUND for it as for any missing one.
 */
int engine_context_read(struct engine_context *out,
			const char *config_dir,
			const char *name,
			struct diag *err);
/* config.json's currentContext into 'out' ("" if none). */
int engine_context_current(char *out,
			   size_t size,
			   const char *config_dir,
			   struct diag *err);

/*
 * The credentials of 'config_dir'/config.json as a config file of their
 * own, {"auths": {...}} (tab-indented, as the docker CLI writes one): what
 * compose v2's use_api_socket puts in the container.  No file, or no
 * "auths" in it: {"auths": {}}.  Malloc'ed; NULL and 'err' set when the
 * file is there but cannot be read or is not JSON.
 */
char *engine_config_auths(const char *config_dir, struct diag *err);

/* ==== 8. Helpers exposed for tests ===================================== */

/* "1.41" -> 1, 41; returns 0 or DIAG_ESYNTAX. */
int engine_api_parse(const char *s, int *major, int *minor);
/*
 * Picks the version to use: 'forced' if set, else min(ENGINE_API_MAX,
 * 'daemon'); refuses one below ENGINE_API_MIN naming both.  'out' gets
 * "1.xx".  'name' is the daemon for the message.
 */
int engine_api_negotiate(char out[16],
			 const char *name,
			 const char *daemon,
			 const char *forced,
			 struct diag *err);
/*
 * Builds the error for a non-2xx reply: "daemon 'N': METHOD PATH: STATUS
 * REASON: message" where message is the body's JSON "message" (or the
 * body's text).  Returns DIAG_ENOTFOUND for 404, else DIAG_EENGINE.
 */
int engine_http_error(struct diag *err,
		      const char *name,
		      const char *method,
		      const char *path,
		      long status,
		      const char *body,
		      size_t len);
const char *engine_http_reason(long status);
/* The create body as JSON (malloc'ed), for tests and config hashes. */
char *engine_container_spec_json(const struct engine_container_spec *spec);
/* POST /networks/create's body as JSON (malloc'ed), for tests. */
char *engine_network_spec_json(const struct engine_network_spec *spec);

/* ==== 8b. Builds: the context tar and POST /build ===================== */

/*
 * .dockerignore patterns, read and matched as Docker does: blank lines
 * and lines starting with '#' are skipped, each pattern is trimmed and
 * cleaned (Go's filepath.Clean; a leading '/' dropped), '*' and '?' stop
 * at '/', '**' spans directories, '[...]' is a class, '\\' escapes, a
 * leading '!' makes an exception.  A path is excluded when the last
 * pattern that matches it, or one of its parent directories, is not an
 * exception.
 */
struct engine_ignore;

struct engine_ignore *engine_ignore_new(void);
/*
 * Parses a .dockerignore text ('file' names it in messages).  DIAG_EMODEL
 * for a bad pattern ('[' not closed, a lone '!') with "FILE:LINE: ...".
 */
int engine_ignore_parse(struct engine_ignore **out,
			const char *text,
			const char *file,
			struct diag *err);
/* Adds one pattern (with '!' for an exception), already in Docker form. */
void engine_ignore_add(struct engine_ignore *ig, const char *pattern);
/* True if 'path' (relative to the context, '/' separated) is excluded. */
bool engine_ignore_match(const struct engine_ignore *ig, const char *path);
bool engine_ignore_has_exclusions(const struct engine_ignore *ig);
void engine_ignore_free(struct engine_ignore *ig);

struct engine_context_spec {
	const char *dir; /* the context directory */
	/* Relative to 'dir' or absolute; NULL: "Dockerfile". */
	const char *dockerfile;
	const char *dockerfile_inline; /* the Dockerfile's text, or NULL */
};

/*
 * Writes the context of 'cs' to 'out' as a tar (pax), as the docker CLI
 * sends it: entries in name order at every level, owner 0:0, modes,
 * times and symlinks kept, sockets and devices left out, .dockerignore
 * honoured (the Dockerfile and .dockerignore are always sent).  An inline
 * Dockerfile, or one outside the context, goes in as ".dockerfile.<hash
 * of its text>".  '*dockerfile_out' (malloc'ed) gets the name to pass as
 * the build's 'dockerfile'.  DIAG_EIO when a file cannot be read.
 */
int engine_build_context(FILE *out,
			 const struct engine_context_spec *cs,
			 char **dockerfile_out,
			 struct diag *err);

struct engine_build_spec {
	struct engine_context_spec ctx;
	struct engine_strv tags;      /* t=, one per tag */
	const struct engine_kv *args; /* buildargs; NULL values are skipped */
	size_t n_args;
	const char *target;
	const struct engine_kv *labels;
	size_t n_labels;
	const char *network;		/* networkmode */
	long long shm_size;		/* bytes; 0: not sent */
	struct engine_strv extra_hosts; /* "host:ip" */
	bool no_cache;
	bool pull;
	struct engine_strv cache_from;
	const char *platform;		     /* sent from API 1.32 */
	const char *isolation;		     /* NULL: the daemon's default */
	const struct engine_ulimit *ulimits; /* for the RUN steps */
	size_t n_ulimits;
	/*
	 * Built by the daemon's BuildKit (version=2), not by the classic
	 * builder: its progress comes as BuildKit traces (engine_bk_progress
	 * turns them into lines for 'out').  A Windows daemon has none.
	 */
	bool buildkit;
	/*
	 * Not NULL: the build cannot be done (a key the classic builder does
	 * not have); a build job that has to build fails with this message
	 * instead of sending anything.
	 */
	const char *refuse;
};

/* One line of build output ("Step 1/3 : FROM ..."), without the newline. */
typedef int (*engine_build_out_fn)(void *ud, const char *text);

/*
 * POST /build with the context of 'spec' streamed as a tar (the classic
 * builder, which both Linux and Windows daemons have).  The stream's
 * errorDetail becomes the error (DIAG_EENGINE, the daemon's message as
 * it is).  'out_id' (may be NULL) gets the new image id.
 */
int engine_image_build(struct engine *e,
		       const struct engine_build_spec *spec,
		       engine_build_out_fn out,
		       void *out_ud,
		       char out_id[96],
		       struct diag *err);
/*
 * BuildKit's progress.  A version=2 build streams its status as JSON lines
 * {"id":"moby.buildkit.trace","aux":"BASE64"}, each a protobuf
 * moby.buildkit.v1.StatusResponse.  This turns them into what
 * `docker build --progress=plain` prints at its core: "#N NAME" when a
 * step starts, "#N CACHED", the step's output "#N 0.123 TEXT" (seconds
 * since the step started), its sub-tasks "#N exporting layers 0.1s done"
 * (with a transfer's bytes, "#N sha256:... 1.05MB / 2.10MB 0.3s", again
 * while it runs), a step's warnings "#N WARN: MESSAGE", "#N DONE 0.4s" or
 * "#N ERROR: MESSAGE".  Bad
 * input (not base64, a truncated or garbled message) is never read out of
 * bounds: what came before the bad part is kept.
 */
struct engine_bk_progress;
/* 'out' (may be NULL: nothing is printed, failures are still kept). */
struct engine_bk_progress *engine_bk_progress_new(engine_build_out_fn out,
						  void *out_ud);
void engine_bk_progress_free(struct engine_bk_progress *bp);
/*
 * One StatusResponse, in protobuf bytes or (_b64) as the aux string.
 * Returns 0, what 'out' returned when that was not 0 (stop), or
 * DIAG_ESYNTAX when the input is not a StatusResponse.
 */
int engine_bk_progress_feed(struct engine_bk_progress *bp,
			    const unsigned char *buf,
			    size_t len);
int engine_bk_progress_feed_b64(struct engine_bk_progress *bp, const char *b64);
/*
 * What failed, as the plain progress shows it after a failure: each step
 * with an error, " > NAME:" and its last output lines; malloc'ed, NULL
 * when no step failed.
 */
char *engine_bk_progress_failure(const struct engine_bk_progress *bp);
/*
 * The warnings so far: their number, and in '*out' (borrowed from 'bp')
 * their short messages, one a line.
 */
size_t engine_bk_progress_warnings(const struct engine_bk_progress *bp,
				   const char **out);

/* DELETE /images/{ref}; not found is DIAG_ENOTFOUND, in use (409)
 * DIAG_ECONFLICT. */
void engine_image_remove_async(struct engine_loop *l,
			       struct engine *e,
			       const char *ref,
			       bool force,
			       engine_done_fn cb,
			       void *ud);
/* The query string of the build (no '?'), for tests; malloc'ed. */
char *engine_build_query(const struct engine_build_spec *spec,
			 const char *dockerfile);
/*
 * The async form: the context is written to a temporary file first (a
 * context error fails on the next step), then streamed.
 */
void engine_image_build_async(struct engine_loop *l,
			      struct engine *e,
			      const struct engine_build_spec *spec,
			      engine_build_out_fn out,
			      void *out_ud,
			      engine_id_fn cb,
			      void *ud);

/* ==== 9. Running a job graph =========================================== */

/*
 * engine_run() runs a graph of jobs across any number of daemons from one
 * loop: each job starts as soon as every job it depends on is DONE, a
 * failed job makes its dependents SKIPPED (with the reason) while
 * independent jobs go on.  Nothing here knows compose: cli/ translates a
 * plan into jobs.
 */

#include <signal.h> /* sig_atomic_t */

#define ENGINE_JOB_NONE SIZE_MAX

enum engine_job_kind {
	ENGINE_JOB_NOOP,	   /* a barrier: done once its deps are */
	ENGINE_JOB_NETWORK_CREATE, /* network_spec */
	/* name (engine_network_remove_unused_async); missing is fine */
	ENGINE_JOB_NETWORK_REMOVE,
	ENGINE_JOB_VOLUME_CREATE, /* volume_spec */
	ENGINE_JOB_VOLUME_REMOVE, /* name; missing is fine, see in_use */
	ENGINE_JOB_IMAGE_ENSURE,  /* name = ref: inspect, pull if missing */
	ENGINE_JOB_IMAGE_PULL,	  /* name = ref: pull, present or not */
	/* name = ref: inspect only; a missing image fails (pull_policy never)
	 */
	ENGINE_JOB_IMAGE_CHECK,
	/*
	 * name, platform (sent from API 1.41), container_spec; then each of
	 * 'connect' is attached with engine_network_connect.  The new id is
	 * in job->id.
	 */
	ENGINE_JOB_CONTAINER_CREATE,
	ENGINE_JOB_CONTAINER_START, /* container; "already started" is fine */
	ENGINE_JOB_CONTAINER_STOP,  /* container, timeout_s */
	/* container: stop (timeout_s), then remove (force); missing is fine */
	ENGINE_JOB_CONTAINER_REMOVE,
	ENGINE_JOB_WAIT, /* container reaches 'wait' */
	ENGINE_JOB_EXEC, /* argv as user in container; exit 0 */
	/*
	 * file_dir/file_name of container, through file_edit: a refusal
	 * of the daemon leaves it DONE with 'refused' set and 'err' saying
	 * why, for a fallback job to act on.
	 */
	ENGINE_JOB_FILE_EDIT,
	/* files, n_files (owners: file_owners) into container, before start */
	ENGINE_JOB_FILES_PUT,
	/*
	 * build_spec on engine; with 'build_always' unset, only when the
	 * image 'name' is missing (inspect first).  The id goes in job->id.
	 */
	ENGINE_JOB_IMAGE_BUILD,
	ENGINE_JOB_IMAGE_REMOVE, /* name; missing is fine, see in_use */
};

enum engine_wait_cond {
	ENGINE_WAIT_STARTED,   /* running, or ran and exited */
	ENGINE_WAIT_HEALTHY,   /* health is healthy; unhealthy/exit fails */
	ENGINE_WAIT_COMPLETED, /* exited with code 0 */
	/* --wait: healthy if it has a healthcheck, else running (or exit 0) */
	ENGINE_WAIT_RUNNING_OR_HEALTHY,
};

enum engine_job_state {
	ENGINE_JOB_WAITING,
	ENGINE_JOB_WORKING,
	ENGINE_JOB_DONE,
	ENGINE_JOB_FAILED,
	ENGINE_JOB_SKIPPED,
};

/* A container: the one job 'job' (a CONTAINER_CREATE) made, or 'id'. */
struct engine_container_ref {
	size_t job; /* ENGINE_JOB_NONE: use 'id' */
	const char *id;
};

/*
 * One job.  The caller fills the inputs (everything borrowed, it must
 * outlive engine_run) and zeroes the rest; engine_run fills the results.
 */
struct engine_job {
	enum engine_job_kind kind;
	struct engine *engine;
	const size_t *deps; /* indices of jobs that must be DONE first */
	size_t n_deps;
	const char *title; /* "container proj-web-1", for messages */
	void *ud;	   /* the caller's */

	const char *name;     /* container/network/volume name, image ref */
	const char *platform; /* create, pull: "linux/amd64" or NULL */
	struct engine_container_ref container;
	const struct engine_container_spec *container_spec;
	const struct engine_endpoint *connect; /* create: more networks */
	size_t n_connect;
	const struct engine_network_spec *network_spec;
	const struct engine_volume_spec *volume_spec;
	const struct engine_build_spec *build_spec;
	bool build_always;	       /* IMAGE_BUILD: even if present */
	engine_build_out_fn build_out; /* IMAGE_BUILD output, or NULL */
	void *build_out_ud;
	enum engine_wait_cond wait;
	long wait_timeout_ms;	 /* WAIT: 0 means no limit */
	struct engine_strv argv; /* EXEC */
	const char *user;	 /* EXEC, or NULL */
	int timeout_s;		 /* STOP/REMOVE: < 0: the container's own */
	const char *file_dir;	 /* FILE_EDIT */
	const char *file_name;
	engine_file_edit_fn file_edit;
	void *file_edit_ud;
	const struct engine_file *files; /* FILES_PUT */
	size_t n_files;
	bool file_owners;
	/* EXEC: the whole exec (env, working dir, privileged) over argv */
	const struct engine_exec_spec *exec_spec;
	/*
	 * A fallback: with 'fallback' set, this job is DONE (noop) without
	 * acting once job 'fallback_of' (also one of its deps) is DONE
	 * without 'refused': the first way worked.
	 */
	bool fallback;
	size_t fallback_of;
	bool remove_volumes; /* REMOVE: its anonymous volumes too */
	/*
	 * Start once every dep is finished, whatever its outcome (down goes
	 * on after a failure); a container job must still be DONE.
	 */
	bool soft_deps;
	/*
	 * Per dependency (NULL: none): soft[k] makes deps[k] a soft edge,
	 * one that must finish but whose failure or skip does not skip this
	 * job (depends_on required: false).
	 */
	const bool *soft;
	/*
	 * Its failure is a warning: it is not counted in engine_run's
	 * result.  Jobs with a hard edge to it are still skipped.
	 */
	bool optional;

	/* Results. */
	enum engine_job_state state;
	const char *phase; /* static: "pulling", "stopping", ... or NULL */
	bool noop;	   /* nothing to do: started, missing, present */
	bool refused;	   /* FILE_EDIT: the daemon refused; see err */
	/*
	 * NETWORK/VOLUME/IMAGE_REMOVE: the object is still in use (the
	 * daemon's 409, or a network with containers attached), so it is
	 * left in place: the job is DONE, not FAILED, and 'err' (code
	 * DIAG_ECONFLICT) says why.
	 */
	bool in_use;
	char id[96];	       /* container/network id or volume name made */
	int exit_code;	       /* EXEC, WAIT COMPLETED */
	long long started_ms;  /* CLOCK_MONOTONIC ms when WORKING */
	long long finished_ms; /* when DONE/FAILED/SKIPPED */
	struct diag err;       /* FAILED/SKIPPED: why */
};

/* Called for every job when the run starts and on each state/phase change. */
typedef void (*engine_job_fn)(void *ud,
			      const struct engine_job *jobs,
			      size_t n,
			      size_t i);

struct engine_run_opts {
	engine_job_fn progress; /* may be NULL */
	void *progress_ud;
	/* Checked at every step: once nonzero no new job starts. */
	volatile sig_atomic_t *cancel;
	long poll_ms; /* WAIT polling interval; 0: 250 */
	/*
	 * A request that fails with an iptables error (two daemons on one
	 * host racing on their chains) is tried again, up to 5 times, after
	 * retry_ms, 2 x retry_ms, ...; 0: 300.
	 */
	long retry_ms;
	size_t max_per_engine; /* jobs WORKING per daemon; 0: no limit */
};

/*
 * Runs 'jobs' until each is DONE, FAILED or SKIPPED.  Returns 0 when all
 * are DONE (optional jobs may have failed or been skipped); DIAG_EINTR when
 * '*cancel' was set (the jobs in flight finished, the waiting ones are
 * SKIPPED); else the code of the first failure, with 'err' saying how many
 * failed and why the first did. Bad dependency indices (or a cycle) are a
 * DIAG_EUSAGE bug report before anything runs.
 */
int engine_run(struct engine_loop *l,
	       struct engine_job *jobs,
	       size_t n,
	       const struct engine_run_opts *opts,
	       struct diag *err);

/*
 * The pure scheduling step engine_run uses, for tests: marks every
 * WAITING job that depends on a FAILED or SKIPPED job SKIPPED (with the
 * reason in its err, transitively; with soft_deps only when that job is
 * its container job; never through a soft[k] edge), then writes the
 * indices of the WAITING jobs whose deps are all DONE (all finished, with
 * soft_deps; soft[k] ones finished in any state) into 'out' (at most
 * 'cap', in index order).  Returns how many it wrote.
 */
size_t
engine_jobs_ready(struct engine_job *jobs, size_t n, size_t *out, size_t cap);
/* Checks deps (in range, not itself, no cycle); 0 or DIAG_EUSAGE. */
int engine_jobs_check(const struct engine_job *jobs,
		      size_t n,
		      struct diag *err);
const char *engine_job_kind_name(enum engine_job_kind k);
const char *engine_job_state_name(enum engine_job_state s);

#endif
