#ifndef TESTS_INTEGRATION_LAB_UTIL_H
#define TESTS_INTEGRATION_LAB_UTIL_H

/*
 * Helpers shared by the integration tests that run against the two-daemon
 * lab (lab/mixlab up, see docs/lab.md): the lab's fixed endpoints, running a
 * command and capturing its output, and plain HTTP/1.1 over a unix socket or
 * a loopback TCP port.  They talk to the daemons without going through
 * engine/, so a test can check the engine against an independent client.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "util/sbuf.h"

#define LAB_RUN_DIR "/run/mixlab"
#define LAB_LINUX_SOCK LAB_RUN_DIR "/linux.sock"
#define LAB_WINDOWS_SOCK LAB_RUN_DIR "/windows.sock"
#define LAB_LINUX_URL "unix://" LAB_LINUX_SOCK
#define LAB_WINDOWS_URL "unix://" LAB_WINDOWS_SOCK
#define LAB_DAEMONS_ENV LAB_RUN_DIR "/daemons.env"
/* lab/mixlab tls-up: DOCKER_CERT_PATH-style ca.pem cert.pem key.pem, plus
 * wrong-ca.pem and wrong/{ca,cert,key}.pem for the refusal tests. */
#define LAB_TLS_DIR LAB_RUN_DIR "/tls"
#define LAB_TLS_URL "tcp://127.0.0.1:23760"
#define LAB_RANGE "172.30.0.0/16"
#define LAB_IMAGE_BUSYBOX "local/busybox:lab"
#define LAB_IMAGE_NGINX "local/nginx:lab"
#define LAB_IMAGE_WEBAPP "local/webapp:lab"
#define LAB_HASH_LABEL "io.mixcompose.lab.hash"
#ifdef SOURCE_DIR
#define LAB_SCRIPT SOURCE_DIR "/lab/mixlab"
#endif

/*
 * Runs argv (argv[0] searched in PATH) with 'input' (or nothing) on its
 * standard input, and appends its standard output to 'out' and its standard
 * error to 'err'; either may be NULL to discard, and both may be the same
 * sbuf to merge them.  The child is killed (by its pid) after timeout_s
 * seconds.  Returns the exit status 0..255, or -1 when it could not be run,
 * was killed by a signal or timed out.
 */
int lab_run(struct sbuf *out,
	    struct sbuf *err,
	    const char *input,
	    int timeout_s,
	    char *const argv[]);

/*
 * Runs the formatted command with /bin/sh -c, standard error merged into
 * 'out' (which may be NULL), with a 120 s timeout.  Returns as lab_run().
 */
int lab_sh(struct sbuf *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Runs `docker -H unix://SOCK ARGS` through lab_sh(), where ARGS is the
 * formatted rest of the command line (shell syntax).  Returns as lab_run().
 */
int lab_docker(struct sbuf *out, const char *sock, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One HTTP response, read to the end of the connection. */
struct lab_http {
	int status;	  /* 200, 404...; 0 before a reply was parsed */
	struct sbuf head; /* the status line and headers, as received */
	struct sbuf body; /* the body, de-chunked if it was chunked */
};

/*
 * One HTTP/1.1 request with "Connection: close" over the unix socket
 * 'sock_path'; 'json' is sent as an application/json body when not NULL.
 * Fills 'out' (release it with lab_http_release() in every case) and
 * returns 0, or -1 when the socket cannot be reached or the reply is not
 * HTTP (30 s receive timeout).
 */
int lab_http_unix(struct lab_http *out,
		  const char *sock_path,
		  const char *method,
		  const char *path,
		  const char *json);

/* The same over TCP to host:port (a numeric IPv4 address, e.g. 127.0.0.1). */
int lab_http_tcp(struct lab_http *out,
		 const char *host,
		 int port,
		 const char *method,
		 const char *path,
		 const char *json);

/*
 * GET host:port/path until a reply with status 200 arrives or timeout_ms
 * passes (a service just started may still refuse).  Returns 0 with the
 * 200 reply in 'out', or -1 with the last reply (or none) in 'out'.
 */
int lab_http_tcp_wait(struct lab_http *out,
		      const char *host,
		      int port,
		      const char *path,
		      int timeout_ms);

/*
 * Returns the value of header 'name' (case-insensitive, surrounding blanks
 * removed) as a string the caller frees, or NULL when it is absent.
 */
char *lab_http_header(const struct lab_http *r, const char *name);

void lab_http_release(struct lab_http *r);

/* True when GET /_ping on the unix socket answers 200 "OK". */
bool lab_daemon_up(const char *sock_path);

/* ---- The project of a test ------------------------------------------- */

/*
 * Points mixcompose at the two lab daemons (MIXCOMPOSE_DAEMON_LINUX and
 * _WINDOWS, the second marked as the lab's stand-in) and clears
 * DOCKER_HOST, COMPOSE_PROJECT_NAME and COMPOSE_FILE.
 */
void lab_env(void);

/* True when both lab daemons answer; then calls lab_env(). */
bool lab_ready(void);

/*
 * `docker inspect -f TMPL NAME` on 'sock', trailing blanks removed, as a
 * string the caller frees; NULL when the command fails.
 */
char *lab_inspect(const char *sock, const char *name, const char *tmpl);

/* A compose project that one test brings up and takes down again. */
struct lab_project {
	char dir[256]; /* a temporary directory of its own */
	char name[64]; /* "<prefix>-<tag>-<pid>": no two tests share one */
};

/*
 * Creates the project's directory under /tmp and its name.  Returns 0, or
 * -1 when the directory cannot be made.
 */
int lab_project_init(struct lab_project *p,
		     const char *prefix,
		     const char *tag);

/* Writes 'text' as the project's compose.yaml; returns 0 or -1. */
int lab_project_write(const struct lab_project *p, const char *text);

/*
 * Runs `cd DIR && mixcompose -p NAME ARGS` with /bin/sh, ARGS formatted
 * (shell syntax), standard error merged into 'out' (which is reset first;
 * NULL discards).  Returns as lab_run().
 */
int lab_mc(const struct lab_project *p, struct sbuf *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As lab_mc, with standard output only (standard error discarded). */
int lab_mc_stdout(const struct lab_project *p,
		  struct sbuf *out,
		  const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));
/* As lab_mc, with 'input' on its standard input. */
int lab_mc_input(const struct lab_project *p,
		 struct sbuf *out,
		 const char *input,
		 const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

/*
 * How many objects of 'kind' ("container", "network" or "volume") carry
 * com.docker.compose.project=NAME on the two lab daemons, or -1 when the
 * docker CLI fails.
 */
int lab_leftovers(const char *name, const char *kind);

/*
 * Removes every image labelled com.docker.compose.project=NAME (what the
 * project's builds made) on both lab daemons.  Returns how many are left
 * (0: none), or -1 when that cannot be read.
 */
int lab_project_rmi(const char *name);

/*
 * The end of a test: `down -v -t 0` on the project, its directory
 * removed.  Returns how many of its containers, networks and volumes are
 * still on the daemons (0: nothing left), or -1 when that cannot be read.
 * Does nothing (returns 0) for a project that was never initialised.
 */
int lab_project_fini(struct lab_project *p);

/* ---- A registry of a test's own ------------------------------------------ */

/* A free TCP port on 127.0.0.1 now (the kernel's pick, released). */
int lab_free_port(void);

/* Debian's docker-registry on 127.0.0.1:port, storing under dir. */
struct lab_registry {
	pid_t pid; /* 0: not running */
	char dir[256];
	int port;
};

/*
 * Starts docker-registry (scripts/deps.sh installs it) on a free loopback
 * port, with its storage and log in a new directory under /tmp, and waits
 * until GET /v2/ answers 200 (10 s).  The lab daemons push to it and pull
 * from it: 127.0.0.0/8 is an insecure registry by default.  Returns 0, or
 * -1 (stopped again, 'r' zeroed).
 */
int lab_registry_start(struct lab_registry *r);
/* Stops it by its pid (SIGTERM, waited for) and removes its directory. */
void lab_registry_stop(struct lab_registry *r);

/* ---- Scratch daemons (lab/mixlab scratch-up) --------------------------- */

/*
 * A dockerd of one test's own, for the cases that kill, stop or restart a
 * daemon (the lab's daemons are shared): own socket, roots, pidfile, no
 * bridge, no iptables rules, local/busybox:lab imported.
 */
struct lab_scratch {
	char name[24]; /* [a-z0-9]{1,16} */
	char sock[96]; /* /run/mixlab/s-NAME.sock */
	char url[112]; /* unix://... */
};

/*
 * `lab/mixlab scratch-up NAME`: starts it, or does nothing when it runs
 * (also to start it again after a kill, with the same roots).  Fills 's';
 * the script's output goes to 'out' (may be NULL).  Returns 0 or -1.
 */
int lab_scratch_up(struct lab_scratch *s, const char *name, struct sbuf *out);
/* `lab/mixlab scratch-kill NAME SIG` ("KILL", "TERM"): its dockerd only. */
int lab_scratch_kill(const struct lab_scratch *s, const char *sig);
/* `lab/mixlab scratch-stop NAME`: SIGTERM, and waits until it is gone. */
int lab_scratch_stop(const struct lab_scratch *s);
/* `lab/mixlab scratch-down NAME`, and 's' zeroed; nothing when unset. */
void lab_scratch_down(struct lab_scratch *s);

#endif
