#ifndef ENGINE_ENGINE_INT_H
#define ENGINE_ENGINE_INT_H

/*
 * Shared by engine's .c files only: the engine and request structs, the
 * request life cycle, and the cJSON helpers.  No other module includes it.
 */

#include <cjson/cJSON.h>
/*
 * curl.h gives the types and constants; the functions come from the
 * table below (curl_load.c), so GCC's type-checking macros for the
 * setopt/getinfo calls would name functions we never link.
 */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "util/sbuf.h"

/*
 * curl_load.c: libcurl is dlopen()ed on first use rather than linked, so
 * that commands which never reach a daemon do not pay for loading it and
 * its dependencies.  Every curl call in engine/ goes through this table.
 */
struct eng_curl_api {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode cc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *sh, CURLSHoption opt, ...);
	CURLSHcode (*share_cleanup)(CURLSH *sh);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m,
				struct curl_waitfd fds[],
				unsigned n,
				int timeout_ms,
				int *ret);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	/* The hijacked streams (hijack.c): CONNECT_ONLY, then raw I/O. */
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_send)(CURL *h, const void *buf, size_t n, size_t *sent);
	CURLcode (*easy_recv)(CURL *h, void *buf, size_t n, size_t *got);
};

extern struct eng_curl_api eng_curl;

/*
 * Fills eng_curl once: with the built-in HTTP-only libcurl (linked in when
 * the build found one: scripts/curl-http.sh) unless 'tls' is asked, else
 * by loading the system's libcurl.so.4 (or $MIXCOMPOSE_LIBCURL, which
 * always wins).  A later call with 'tls' switches to the system's library
 * as long as no curl handle was made yet; after that it fails.  Returns 0
 * when the table serves (now or before); DIAG_ETRANSPORT with "cannot
 * load ..." (or why TLS is out of reach) in 'err' (may be NULL)
 * otherwise.  engine_new() calls it first, so any code that holds a
 * struct engine may use curl.
 */
int eng_curl_load(bool tls, struct diag *err);
/* An https:// daemon URL: TLS whatever else was said. */
static inline bool eng_url_is_https(const char *url)
{
	return url && !strncmp(url, "https://", 8);
}
/*
 * curl_builtin.c: fills 'out' with the linked-in libcurl's functions and
 * returns true, or returns false when this build has none.
 */
bool eng_curl_builtin(struct eng_curl_api *out);
/* Whether the functions in eng_curl are the built-in library's. */
bool eng_curl_is_builtin(void);

#ifndef ENG_CURL_NO_MACROS

/* curl.h defines these four as macros that check the argument count. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt
#undef curl_multi_setopt
#define curl_easy_init eng_curl.easy_init
#define curl_easy_setopt eng_curl.easy_setopt
#define curl_easy_getinfo eng_curl.easy_getinfo
#define curl_easy_reset eng_curl.easy_reset
#define curl_easy_cleanup eng_curl.easy_cleanup
#define curl_easy_strerror eng_curl.easy_strerror
#define curl_slist_append eng_curl.slist_append
#define curl_slist_free_all eng_curl.slist_free_all
#define curl_share_init eng_curl.share_init
#define curl_share_setopt eng_curl.share_setopt
#define curl_share_cleanup eng_curl.share_cleanup
#define curl_multi_init eng_curl.multi_init
#define curl_multi_setopt eng_curl.multi_setopt
#define curl_multi_add_handle eng_curl.multi_add_handle
#define curl_multi_remove_handle eng_curl.multi_remove_handle
#define curl_multi_perform eng_curl.multi_perform
#define curl_multi_poll eng_curl.multi_poll
#define curl_multi_info_read eng_curl.multi_info_read
#define curl_multi_cleanup eng_curl.multi_cleanup
#define curl_easy_perform eng_curl.easy_perform
#define curl_easy_send eng_curl.easy_send
#define curl_easy_recv eng_curl.easy_recv
#endif /* ENG_CURL_NO_MACROS */

/* registry.c's internals, for probe.c. */
struct arena *eng_registry_arena(struct engine_registry *r);
const char *eng_registry_env(const struct engine_registry *r, const char *name);

#define ENGINE_POOL_MAX 16

struct engine {
	char *name;
	char *url;
	struct engine_url u;
	bool tls;
	bool tls_verify;
	char *cert_path;
	bool cert_files_optional;
	char *ssh_opts;	  /* from the config, or NULL */
	char **ssh_extra; /* NULL-terminated */
	long connect_timeout_ms;
	long request_timeout_ms;
	char base[512]; /* "http://docker-N", "https://host:port" */
	CURLSH *share;
	struct curl_slist *resolve;
	CURL *pool[ENGINE_POOL_MAX];
	size_t n_pool;
	long connects;

	/* Negotiation. */
	char api[16];
	int api_major;
	int api_minor;
	bool negotiated;
	bool forced;
	char os[32];
	bool pinging;
	struct engine_loop *ping_loop;
	unsigned epoch;	     /* bumped after each failed negotiation */
	unsigned fail_epoch; /* requests of epochs < this one fail */
	struct diag neg_err;

	size_t read_slots; /* GETs in flight per loop; 0: unlimited */

	struct engine_loop *own;   /* for the sync calls */
	struct compat_dial **kids; /* ssh children, one per connection */
	size_t n_kids;
	size_t alloc_kids;
	char ssh_err[512]; /* last ssh child's stderr */
};

enum ereq_state {
	EREQ_WAITING,  /* for the engine's negotiation */
	EREQ_QUEUED,   /* for one of the engine's read slots (eng_read_slots) */
	EREQ_RUNNING,  /* in the multi handle */
	EREQ_DEFERRED, /* fails on the next step with pre_err */
};

struct ereq;
/* Internal completion: parse r->resp, call the user, free the context. */
typedef void (*ereq_done_fn)(struct ereq *r, int rc, const struct diag *err);
/* Stream sink for 2xx bodies; nonzero stops the transfer. */
typedef int (*ereq_data_fn)(struct ereq *r, const char *p, size_t n);

struct ereq {
	struct ereq *next;
	struct ereq *prev;
	struct engine_loop *loop;
	struct engine *e;
	enum ereq_state state;
	unsigned epoch;
	bool neg_ping; /* the engine's own negotiation ping */
	bool dry;      /* answered here (engine_dry_run) */

	CURL *h;
	struct curl_slist *hdrs;
	char method[8];
	char *path;	 /* as given, without the version */
	char *full_path; /* as sent, for messages */
	bool raw_path;
	/* Appended to the path at send time if the API is recent enough. */
	char *late_query;
	int late_major;
	int late_minor;
	char *body;
	size_t body_len;
	const char *content_type;
	FILE *upload;	 /* streamed body (image import), borrowed */
	bool stream;	 /* no request timeout; body to on_data */
	bool slot;	 /* holds one of the engine's read slots */
	long timeout_ms; /* 0: the engine's */

	ereq_data_fn on_data;
	ereq_done_fn done;
	void *ctx;

	struct sbuf resp;
	long status;
	char api_version[16];
	char ostype[32];
	char server[128];
	/* X-Docker-Container-Path-Stat (the archive API), base64 JSON. */
	char path_stat[2048];
	char errbuf[CURL_ERROR_SIZE];
	bool stopped;	   /* on_data asked to stop */
	size_t over_limit; /* the bound the reply passed, or 0 */
	bool headers_done; /* the reply's blank line arrived */
	bool cancelled;
	struct diag pre_err;
	long latency_us;
};

struct engine_loop {
	CURLM *m;
	struct ereq *head;
	size_t n;
};

/* client.c: the request life cycle. */
/* A request for 'path' (formatted); complete it with ereq_start. */
struct ereq *ereq_new(struct engine_loop *l,
		      struct engine *e,
		      const char *method,
		      bool raw_path,
		      const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));
/* Takes 'j', prints it as the body and deletes it. */
void ereq_body_json(struct ereq *r, cJSON *j);
void ereq_start(struct ereq *r, ereq_done_fn done, void *ctx);
/* Fails 'r' on the next step instead of sending it. */
void ereq_fail(struct ereq *r,
	       ereq_done_fn done,
	       void *ctx,
	       int code,
	       const char *fmt,
	       ...) __attribute__((format(printf, 5, 6)));
/* Puts 'r' on the loop's list / sends it now (ping.c). */
void eng_list_add(struct engine_loop *l, struct ereq *r);
void eng_launch(struct ereq *r);
/* ping.c: the negotiation ping that versioned requests wait for. */
void eng_neg_ping(struct engine_loop *l, struct engine *e);
/* Runs 'l' until '*done' (the sync wrappers). */
void eng_sync_wait(struct engine_loop *l, const bool *done);
struct engine_loop *eng_own_loop(struct engine *e);
/* Error for a request: "daemon 'N': METHOD PATH: ..." */
int eng_req_error(const struct ereq *r,
		  struct diag *err,
		  int code,
		  const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
/* Parses the reply as JSON; on failure fills 'err' (DIAG_EENGINE). */
cJSON *eng_req_json(const struct ereq *r, struct diag *err);
/*
 * The prologue of a reply callback: when '*rc' is 0, parses the reply; if
 * that fails, '*rc' and '*err' (pointing at 'store') say why.  Returns the
 * tree (the caller deletes it) or NULL.
 */
cJSON *eng_reply_json(const struct ereq *r,
		      int *rc,
		      const struct diag **err,
		      struct diag *store);
/* Percent-encodes 's' for a path segment or query value. */
void eng_escape(struct sbuf *sb, const char *s);
/* The same, keeping '/', ':' and '@' (image references in paths). */
void eng_escape_ref(struct sbuf *sb, const char *s);
/* "?filters=..." from 'f' appended to 'sb' (nothing when empty). */
void eng_filters_query(struct sbuf *sb,
		       char sep,
		       const struct engine_filters *f);

/* Sync wrappers: a completion record filled by the callbacks below. */
struct eng_sync {
	bool done;
	int rc;
	struct diag *err;
	void *out; /* id buffer, or a result pointer to fill */
	size_t out_len;
	int exit_code;
};

void eng_sync_done_cb(void *ud, int rc, const struct diag *err);
/* Copies the id into s->out (s->out_len bytes) when set. */
void eng_sync_id_cb(void *ud, int rc, const char *id, const struct diag *err);
/* Starts 'r'; 'cb' gets the outcome with no result. */
void eng_call_done(struct ereq *r, engine_done_fn cb, void *ud);
/* As eng_call_done, for a DELETE: a 409 (in use) is DIAG_ECONFLICT. */
void eng_call_removed(struct ereq *r, engine_done_fn cb, void *ud);
/* Fails 'r' on the next step with 'msg' instead of sending it; 'cb' gets
 * the error (a request whose body could not be made). */
void eng_fail_done(
	struct ereq *r, engine_done_fn cb, void *ud, int code, const char *msg);
/* Starts 'r'; 'cb' gets the string at 'key' ("Id", "Name") of the reply. */
void eng_call_id(struct ereq *r, const char *key, engine_id_fn cb, void *ud);
/* Runs e's own loop until 's' is done; returns s->rc. */
int eng_sync_run(struct engine *e, struct eng_sync *s);

/* transport.c */
int eng_transport_init(struct engine *e, struct diag *err);
void eng_transport_release(struct engine *e);
/* Applies the per-URL-kind options to a fresh easy handle. */
void eng_transport_setup(struct engine *e, CURL *h);
/* What ssh said on stderr before the pipe broke, "" if nothing. */
const char *eng_transport_hint(struct engine *e);

/* containers.c: POST /containers/{id}/wait, started; 'cb' gets the code. */
struct ereq *eng_container_wait_req(struct engine_loop *l,
				    struct engine *e,
				    const char *id,
				    const char *condition,
				    engine_exit_fn cb,
				    void *ud);

/* containers.c: [{"Name", "Soft", "Hard"}], HostConfig's and /build's. */
cJSON *eng_ulimits_json(const struct engine_ulimit *ul, size_t n);

/* json.c: reading cJSON into plain values. */
const char *ej_str(const cJSON *o, const char *key); /* NULL if absent */
long long ej_int(const cJSON *o, const char *key, long long dflt);
bool ej_bool(const cJSON *o, const char *key);
const cJSON *ej_obj(const cJSON *o, const char *key);
char *ej_astr(struct arena *a, const cJSON *o, const char *key); /* "" */
/* Copies a JSON object of strings into kv pairs in 'a'. */
size_t ej_kv(struct engine_kv **out, struct arena *a, const cJSON *o);
void ej_strv(struct engine_strv *out, struct arena *a, const cJSON *arr);
void ej_copy(char *dst, size_t size, const cJSON *o, const char *key);
/*
 * Standard base64 (padding optional), as Go's encoding/json writes []byte,
 * appended to 'out'; -1 if 's' is not base64.
 */
int eng_base64_decode(struct sbuf *out, const char *s);
/* images.c: an RFC 3339 time in unix seconds; 0 for zero/bad times. */
long long eng_rfc3339_seconds(const char *s);
/* containers.c: METHOD /containers/{id (escaped)}{action}{query}. */
struct ereq *eng_id_req(struct engine_loop *l,
			struct engine *e,
			const char *method,
			const char *id,
			const char *action,
			const char *query);
/* Writing. */
void ej_add_str(cJSON *o, const char *key, const char *s); /* skips NULL */
void ej_add_strv(cJSON *o, const char *key, const struct engine_strv *v);
void ej_add_kv(cJSON *o, const char *key, const struct engine_kv *kv, size_t n);
/* An EndpointSettings object (create's EndpointsConfig, connect's). */
cJSON *ej_endpoint(const struct engine_endpoint *ep);

/* registry.c: an unreachable Docker Desktop engine's message (stopped, and
 * how to start it), or 'why' for any other daemon; in 'a'. */
struct engine_daemon;
const char *eng_desktop_stopped(struct arena *a,
				const struct engine_daemon *d,
				const char *why);

#endif
