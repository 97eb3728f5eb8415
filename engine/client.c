/*
 * The request core: engines, the multi loop, version negotiation and the
 * error messages.  Every call, sync or async, goes through ereq_*.
 */
#include "engine/engine_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compat/compat.h"
#include "util/xalloc.h"

/* ---- Versions and errors ------------------------------------------------ */

int engine_api_parse(const char *s, int *major, int *minor)
{
	char *end;
	long ma, mi;

	if (!s || !isdigit((unsigned char)*s))
		return DIAG_ESYNTAX;
	ma = strtol(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return DIAG_ESYNTAX;
	mi = strtol(end + 1, &end, 10);
	if (*end || ma > 99 || mi > 999)
		return DIAG_ESYNTAX;
	*major = (int)ma;
	*minor = (int)mi;
	return 0;
}

static int api_cmp(int a1, int a2, int b1, int b2)
{
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	return a2 < b2 ? -1 : a2 > b2;
}

int engine_api_negotiate(char out[16],
			 const char *name,
			 const char *daemon,
			 const char *forced,
			 struct diag *err)
{
	int ma = 0, mi = 0, mx1 = 0, mx2 = 0, mn1 = 0, mn2 = 0;

	engine_api_parse(ENGINE_API_MAX, &mx1, &mx2);
	engine_api_parse(ENGINE_API_MIN, &mn1, &mn2);
	if (forced && *forced) {
		if (engine_api_parse(forced, &ma, &mi))
			return diag_set(err, DIAG_EUSAGE, NULL,
					"daemon '%s': '%s' is not an API "
					"version (DOCKER_API_VERSION)",
					name, forced);
	} else {
		if (!daemon || engine_api_parse(daemon, &ma, &mi))
			return diag_set(err, DIAG_EENGINE, NULL,
					"daemon '%s': reports no usable API "
					"version ('%s')",
					name, daemon ? daemon : "");
		if (api_cmp(ma, mi, mx1, mx2) > 0) {
			ma = mx1;
			mi = mx2;
		}
	}
	if (api_cmp(ma, mi, mn1, mn2) < 0)
		return diag_set(err, DIAG_EENGINE, NULL,
				"daemon '%s': API version %d.%d is too old; "
				"mixcompose needs at least %s",
				name, ma, mi, ENGINE_API_MIN);
	snprintf(out, 16, "%d.%d", ma, mi);
	return 0;
}

const char *engine_http_reason(long status)
{
	static const struct {
		long code;
		const char *text;
	} reasons[] = {
		{200, "OK"},
		{201, "Created"},
		{204, "No Content"},
		{304, "Not Modified"},
		{400, "Bad Request"},
		{401, "Unauthorized"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{406, "Not Acceptable"},
		{409, "Conflict"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{502, "Bad Gateway"},
		{503, "Service Unavailable"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "";
}

/* The daemon's message: JSON "message", else the text, trimmed. */
static void reply_message(struct sbuf *sb, const char *body, size_t len)
{
	cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const char *m = j ? ej_str(j, "message") : NULL;

	if (m) {
		sbuf_adds(sb, m);
	} else if (body) {
		while (len && isspace((unsigned char)body[len - 1]))
			len--;
		sbuf_add(sb, body, len > 512 ? 512 : len);
	}
	cJSON_Delete(j);
}

int engine_http_error(struct diag *err,
		      const char *name,
		      const char *method,
		      const char *path,
		      long status,
		      const char *body,
		      size_t len)
{
	struct sbuf sb = SBUF_INIT;
	const char *reason = engine_http_reason(status);
	int code = status == 404 ? DIAG_ENOTFOUND : DIAG_EENGINE;

	sbuf_addf(&sb, "daemon '%s': %s %s: %ld%s%s", name, method, path,
		  status, *reason ? " " : "", reason);
	if (body && len) {
		size_t at = sb.len;

		sbuf_adds(&sb, ": ");
		reply_message(&sb, body, len);
		if (sb.len == at + 2)
			sbuf_setlen(&sb, at);
	}
	diag_set(err, code, NULL, "%s", sb.buf);
	sbuf_release(&sb);
	return code;
}

int eng_req_error(
	const struct ereq *r, struct diag *err, int code, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	sbuf_addf(&sb, "daemon '%s': %s %s: ", r->e->name, r->method,
		  r->full_path ? r->full_path : r->path);
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	diag_set(err, code, NULL, "%s", sb.buf);
	sbuf_release(&sb);
	return code;
}

cJSON *eng_req_json(const struct ereq *r, struct diag *err)
{
	cJSON *j = cJSON_ParseWithLength(r->resp.buf, r->resp.len);

	if (!j)
		eng_req_error(r, err, DIAG_EENGINE,
			      "%ld: invalid reply (not JSON): '%.80s'",
			      r->status, r->resp.buf);
	return j;
}

cJSON *eng_reply_json(const struct ereq *r,
		      int *rc,
		      const struct diag **err,
		      struct diag *store)
{
	cJSON *j;

	if (*rc)
		return NULL;
	j = eng_req_json(r, store);
	if (!j) {
		*rc = store->code;
		*err = store;
	}
	return j;
}

void eng_escape(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c))
			sbuf_addch(sb, c);
		else
			sbuf_addf(sb, "%%%02X", c);
	}
}

void eng_escape_ref(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~/:@", c))
			sbuf_addch(sb, c);
		else
			sbuf_addf(sb, "%%%02X", c);
	}
}

void eng_filters_query(struct sbuf *sb,
		       char sep,
		       const struct engine_filters *f)
{
	cJSON *j;
	char *s;

	if (!f || !f->n)
		return;
	j = cJSON_CreateObject();
	for (size_t i = 0; i < f->n; i++) {
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, f->v[i].key);

		if (!arr)
			arr = cJSON_AddArrayToObject(j, f->v[i].key);
		cJSON_AddItemToArray(arr, cJSON_CreateString(f->v[i].value));
	}
	s = cJSON_PrintUnformatted(j);
	sbuf_addch(sb, sep);
	sbuf_adds(sb, "filters=");
	eng_escape(sb, s);
	free(s);
	cJSON_Delete(j);
}

/* ---- Engines ------------------------------------------------------------ */

int engine_new(struct engine **out,
	       const struct engine_config *cfg,
	       struct diag *err)
{
	struct engine *e;
	const char *forced = cfg->api_version;
	int rc;

	*out = NULL;
	/*
	 * Every path to a daemon starts here, so libcurl loads here: the
	 * built-in HTTP-only one unless this engine needs TLS.
	 */
	rc = eng_curl_load(cfg->tls || eng_url_is_https(cfg->url), err);
	if (rc) {
		if (err)
			diag_prefix(err, "daemon '%s'",
				    cfg->name ? cfg->name : "default");
		return rc;
	}
	e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(cfg->name ? cfg->name : "default");
	e->url = xstrdup(cfg->url ? cfg->url : "unix:///var/run/docker.sock");
	e->tls = cfg->tls;
	e->tls_verify = cfg->tls_verify;
	e->cert_path = cfg->cert_path ? xstrdup(cfg->cert_path) : NULL;
	e->cert_files_optional = cfg->cert_files_optional;
	e->ssh_opts = cfg->ssh_opts ? xstrdup(cfg->ssh_opts) : NULL;
	e->connect_timeout_ms = cfg->connect_timeout_ms > 0
					? cfg->connect_timeout_ms
					: ENGINE_CONNECT_TIMEOUT_MS;
	e->request_timeout_ms = cfg->request_timeout_ms > 0
					? cfg->request_timeout_ms
					: ENGINE_REQUEST_TIMEOUT_MS;
	rc = engine_url_parse(&e->u, e->url, err);
	if (!rc && forced && *forced) {
		rc = engine_api_negotiate(e->api, e->name, NULL, forced, err);
		if (!rc) {
			engine_api_parse(e->api, &e->api_major, &e->api_minor);
			e->negotiated = e->forced = true;
		}
	}
	if (!rc)
		rc = eng_transport_init(e, err);
	if (rc) {
		if (err)
			diag_prefix(err, "daemon '%s'", e->name);
		engine_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_loop_free(e->own);
	for (size_t i = 0; i < e->n_pool; i++)
		curl_easy_cleanup(e->pool[i]);
	if (e->share)
		curl_share_cleanup(e->share);
	eng_transport_release(e);
	engine_url_release(&e->u);
	free(e->name);
	free(e->url);
	free(e->cert_path);
	free(e->ssh_opts);
	free(e);
}

const char *engine_name(const struct engine *e)
{
	return e->name;
}

const char *engine_url(const struct engine *e)
{
	return e->url;
}

const char *engine_api_version(const struct engine *e)
{
	return e->negotiated ? e->api : "";
}

const char *engine_os(const struct engine *e)
{
	return e->os;
}

bool engine_api_at_least(const struct engine *e, int major, int minor)
{
	return e->negotiated &&
	       api_cmp(e->api_major, e->api_minor, major, minor) >= 0;
}

long engine_connects(const struct engine *e)
{
	return e->connects;
}

struct engine_loop *eng_own_loop(struct engine *e)
{
	if (!e->own)
		e->own = engine_loop_new();
	return e->own;
}

/* ---- Requests ----------------------------------------------------------- */

void eng_list_add(struct engine_loop *l, struct ereq *r)
{
	r->loop = l;
	r->prev = NULL;
	r->next = l->head;
	if (l->head)
		l->head->prev = r;
	l->head = r;
	l->n++;
}

static void list_del(struct engine_loop *l, struct ereq *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
	l->n--;
}

struct ereq *ereq_new(struct engine_loop *l,
		      struct engine *e,
		      const char *method,
		      bool raw_path,
		      const char *fmt,
		      ...)
{
	struct ereq *r = xcalloc(1, sizeof(*r));
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	r->loop = l;
	r->e = e;
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->raw_path = raw_path;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->path = sbuf_detach(&sb, NULL);
	sbuf_init(&r->resp);
	return r;
}

void ereq_body_json(struct ereq *r, cJSON *j)
{
	free(r->body);
	r->body = cJSON_PrintUnformatted(j);
	r->body_len = strlen(r->body);
	r->content_type = "application/json";
	cJSON_Delete(j);
}

static void ereq_free(struct ereq *r)
{
	struct engine *e = r->e;

	if (r->h) {
		if (e->n_pool < ENGINE_POOL_MAX) {
			curl_easy_reset(r->h);
			e->pool[e->n_pool++] = r->h;
		} else {
			curl_easy_cleanup(r->h);
		}
	}
	curl_slist_free_all(r->hdrs);
	sbuf_release(&r->resp);
	free(r->path);
	free(r->full_path);
	free(r->late_query);
	free(r->body);
	free(r);
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct ereq *r = ud;
	size_t n = size * nmemb;

	if (!r->status)
		curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->on_data && r->status >= 200 && r->status < 300) {
		int stop = r->on_data(r, p, n);

		if (stop) {
			r->stopped = true;
			if (stop < 0)
				r->over_limit = ENGINE_LINE_MAX;
			return 0;
		}
		return n;
	}
	/* Held whole: bounded, so that no daemon can fill our memory. */
	if (n > ENGINE_REPLY_MAX - r->resp.len) {
		r->over_limit = ENGINE_REPLY_MAX;
		return 0;
	}
	sbuf_add(&r->resp, p, n);
	return n;
}

static void header_value(char *dst, size_t size, const char *v, size_t n)
{
	while (n && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	snprintf(dst, size, "%.*s", (int)n, v);
}

/* Headers are case-insensitive: dockerd writes "Ostype", proxies "OSType". */
static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct ereq *r = ud;
	size_t n = size * nmemb;
	const char *colon = memchr(p, ':', n);
	size_t klen;

	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		r->api_version[0] = r->ostype[0] = r->server[0] = '\0';
		r->path_stat[0] = '\0';
		r->headers_done = false;
		return n;
	}
	if ((n == 2 && p[0] == '\r' && p[1] == '\n') || (n == 1 && *p == '\n'))
		r->headers_done = true;
	if (!colon)
		return n;
	klen = (size_t)(colon - p);
	colon++;
	if (klen == 11 && !strncasecmp(p, "Api-Version", klen))
		header_value(r->api_version, sizeof(r->api_version), colon,
			     n - klen - 1);
	else if (klen == 6 && !strncasecmp(p, "Ostype", klen))
		header_value(r->ostype, sizeof(r->ostype), colon, n - klen - 1);
	else if (klen == 6 && !strncasecmp(p, "Server", klen))
		header_value(r->server, sizeof(r->server), colon, n - klen - 1);
	else if (klen == 28 &&
		 !strncasecmp(p, "X-Docker-Container-Path-Stat", klen))
		header_value(r->path_stat, sizeof(r->path_stat), colon,
			     n - klen - 1);
	return n;
}

static size_t on_read(char *p, size_t size, size_t nmemb, void *ud)
{
	struct ereq *r = ud;

	return fread(p, 1, size * nmemb, r->upload);
}

static void ereq_prepare(struct ereq *r)
{
	struct engine *e = r->e;
	struct sbuf url = SBUF_INIT;
	CURL *h = e->n_pool ? e->pool[--e->n_pool] : curl_easy_init();
	long timeout = r->timeout_ms ? r->timeout_ms : e->request_timeout_ms;

	/*
	 * Made on the first request, not in engine_new(): until then the
	 * process may still switch to the system's libcurl for a TLS engine.
	 */
	if (!e->share) {
		e->share = curl_share_init();
		curl_share_setopt(e->share, CURLSHOPT_SHARE,
				  CURL_LOCK_DATA_CONNECT);
		curl_share_setopt(e->share, CURLSHOPT_SHARE,
				  CURL_LOCK_DATA_DNS);
	}
	r->h = h;
	if (r->raw_path)
		sbuf_adds(&url, r->path);
	else
		sbuf_addf(&url, "/v%s%s", e->api, r->path);
	if (r->late_query &&
	    engine_api_at_least(e, r->late_major, r->late_minor))
		sbuf_addf(&url, "%c%s", strchr(url.buf, '?') ? '&' : '?',
			  r->late_query);
	free(r->full_path);
	r->full_path = sbuf_detach(&url, NULL);
	sbuf_addf(&url, "%s%s", e->base, r->full_path);
	curl_easy_setopt(h, CURLOPT_URL, url.buf);
	sbuf_release(&url);
	curl_easy_setopt(h, CURLOPT_SHARE, e->share);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, e->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->stream ? 0L : timeout);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	eng_transport_setup(e, h);
	if (getenv("MIXCOMPOSE_CURL_VERBOSE"))
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	if (r->content_type) {
		char ct[96];

		snprintf(ct, sizeof(ct), "Content-Type: %s", r->content_type);
		r->hdrs = curl_slist_append(r->hdrs, ct);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
	if (r->upload) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, r);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)-1);
	} else if (!strcmp(r->method, "POST") || r->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)r->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
	}
	if (!strcmp(r->method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(r->method, "GET") && strcmp(r->method, "POST"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
}

/* The engine's read slots that requests of loop 'l' hold. */
static size_t slots_used(const struct engine_loop *l, const struct engine *e)
{
	size_t n = 0;

	for (const struct ereq *r = l->head; r; r = r->next)
		n += r->e == e && r->slot;
	return n;
}

/*
 * A short GET waits for a read slot: fifty inspects or log tails at once
 * would open fifty connections (fifty ssh processes over ssh://), where a
 * few reused ones answer sooner.  Streams and the other methods never
 * wait: a stop blocks for its timeout, and a stream for its life.
 */
static bool slot_free(struct ereq *r)
{
	struct engine *e = r->e;

	if (!e->read_slots || r->stream || strcmp(r->method, "GET"))
		return true;
	if (slots_used(r->loop, e) >= e->read_slots)
		return false;
	r->slot = true;
	return true;
}

void eng_launch(struct ereq *r)
{
	struct engine_loop *l = r->loop;

	if (!slot_free(r)) {
		r->state = EREQ_QUEUED;
		return;
	}
	ereq_prepare(r);
	r->state = EREQ_RUNNING;
	/* Made with the first request: an engine exists, so libcurl too. */
	if (!l->m) {
		l->m = curl_multi_init();
		curl_multi_setopt(l->m, CURLMOPT_MAX_HOST_CONNECTIONS,
				  (long)ENGINE_MAX_CONNECTIONS);
	}
	curl_multi_add_handle(l->m, r->h);
}

static bool dry_run;
static unsigned dry_ids;
#define DRY_ID "dry-run-"

void engine_dry_run_set(bool on)
{
	dry_run = on;
}

bool engine_dry_run(void)
{
	return dry_run;
}

/*
 * A dry run answers a request that would change the daemon, or one about
 * an object it made up, itself: a success on the next step of the loop.
 */
static bool dry_answer(struct ereq *r)
{
	if (!dry_run || r->neg_ping ||
	    ((!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) &&
	     !strstr(r->path, DRY_ID)))
		return false;
	r->dry = true;
	r->status = 200;
	sbuf_addf(&r->resp,
		  "{\"Id\":\"" DRY_ID "%u\",\"Warnings\":[],"
		  "\"StatusCode\":0,\"ExitCode\":0,\"Running\":false}",
		  ++dry_ids);
	r->state = EREQ_DEFERRED;
	return true;
}

void ereq_start(struct ereq *r, ereq_done_fn done, void *ctx)
{
	struct engine *e = r->e;

	r->done = done;
	r->ctx = ctx;
	r->epoch = e->epoch;
	eng_list_add(r->loop, r);
	if (dry_answer(r))
		return;
	if (r->raw_path || e->negotiated) {
		eng_launch(r);
		return;
	}
	r->state = EREQ_WAITING;
	if (!e->pinging || e->ping_loop != r->loop)
		eng_neg_ping(r->loop, e);
}

void ereq_fail(struct ereq *r,
	       ereq_done_fn done,
	       void *ctx,
	       int code,
	       const char *fmt,
	       ...)
{
	va_list ap;

	r->done = done;
	r->ctx = ctx;
	eng_list_add(r->loop, r);
	r->state = EREQ_DEFERRED;
	va_start(ap, fmt);
	diag_vset(&r->pre_err, code, NULL, fmt, ap);
	va_end(ap);
}

/* ---- Completion --------------------------------------------------------- */

static bool connect_phase(CURLcode cc, CURL *h)
{
	long sent = 0;

	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return true;
	case CURLE_OPERATION_TIMEDOUT:
		/* A reused connection has no connect time: look at what went
		 * out. */
		curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
		return sent == 0;
	default:
		return false;
	}
}

static bool tls_phase(CURLcode cc)
{
	return cc == CURLE_SSL_CONNECT_ERROR ||
	       cc == CURLE_PEER_FAILED_VERIFICATION ||
	       cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_CACERT_BADFILE;
}

/*
 * curl's own words, unless they name the placeholder host of a unix:// or
 * ssh:// engine ("docker-2"): the user knows the daemon by its endpoint,
 * which the caller prints, so then curl's code and the system's errno.
 */
static const char *curl_why(struct ereq *r, CURLcode cc, char *buf, size_t size)
{
	const char *host = r->e->base + strlen("http://");
	long os_errno = 0;

	if (!r->errbuf[0])
		return curl_easy_strerror(cc);
	if (strncmp(r->e->base, "http://docker-", 14) ||
	    !strstr(r->errbuf, host))
		return r->errbuf;
	curl_easy_getinfo(r->h, CURLINFO_OS_ERRNO, &os_errno);
	if (!os_errno)
		return curl_easy_strerror(cc);
	snprintf(buf, size, "%s (%s)", curl_easy_strerror(cc),
		 strerror((int)os_errno));
	return buf;
}

static int transport_error(struct ereq *r, CURLcode cc, struct diag *err)
{
	char buf[CURL_ERROR_SIZE + 64];
	const char *why = curl_why(r, cc, buf, sizeof(buf));
	const char *ssh = eng_transport_hint(r->e);

	/* With ssh, curl only sees the pipe break; ssh's stderr says why. */
	if (*ssh)
		return eng_req_error(r, err, DIAG_ETRANSPORT,
				     "cannot connect to %s: %s (%s)", r->e->url,
				     ssh, why);
	/* A plaintext endpoint where TLS was asked ends here, never in an
	 * answer: curl never falls back to http. */
	if (tls_phase(cc))
		return eng_req_error(r, err, DIAG_ETRANSPORT,
				     "cannot connect to %s: TLS handshake "
				     "failed%s: %s",
				     r->e->url,
				     cc == CURLE_SSL_CONNECT_ERROR
					     ? " (is it a TLS endpoint?)"
					     : "",
				     why);
	if (connect_phase(cc, r->h))
		return eng_req_error(r, err, DIAG_ETRANSPORT,
				     "cannot connect to %s: %s", r->e->url,
				     why);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return eng_req_error(r, err, DIAG_ETRANSPORT,
				     "no complete answer within %ld ms: %s",
				     r->timeout_ms ? r->timeout_ms
						   : r->e->request_timeout_ms,
				     why);
	return eng_req_error(r, err, DIAG_ETRANSPORT, "%s", why);
}

static void finish(struct ereq *r, int rc, const struct diag *err)
{
	struct engine_loop *l = r->loop;

	if (r->h && r->state == EREQ_RUNNING)
		curl_multi_remove_handle(l->m, r->h);
	list_del(l, r);
	if (r->done)
		r->done(r, rc, rc ? err : NULL);
	ereq_free(r);
}

static void complete(struct ereq *r, CURLcode cc)
{
	struct diag d = {0};
	curl_off_t t = 0;
	long nconn = 0;
	int rc = 0;

	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(r->h, CURLINFO_TOTAL_TIME_T, &t);
	curl_easy_getinfo(r->h, CURLINFO_NUM_CONNECTS, &nconn);
	r->e->connects += nconn;
	r->latency_us = (long)t;
	if (cc == CURLE_WRITE_ERROR && r->stopped && !r->over_limit)
		cc = CURLE_OK;
	if (r->over_limit)
		rc = eng_req_error(
			r, &d, DIAG_ELIMIT, "%s larger than %zu MiB: refused",
			r->over_limit == ENGINE_LINE_MAX ? "a line of the reply"
							 : "the reply",
			r->over_limit >> 20);
	else if (cc != CURLE_OK)
		rc = transport_error(r, cc, &d);
	else if (r->status < 200 || r->status >= 300)
		rc = engine_http_error(&d, r->e->name, r->method, r->full_path,
				       r->status, r->resp.buf, r->resp.len);
	finish(r, rc, &d);
}

/*
 * Starts waiting requests whose engine has negotiated; finishes at most one
 * (deferred, or failed negotiation) and says so, since its callback may
 * have changed the list.
 */
static bool service_one(struct engine_loop *l)
{
	for (struct ereq *r = l->head; r; r = r->next) {
		struct engine *e = r->e;

		if (r->state == EREQ_DEFERRED && r->dry) {
			finish(r, 0, NULL);
			return true;
		}
		if (r->state == EREQ_DEFERRED) {
			finish(r,
			       r->pre_err.code ? r->pre_err.code : DIAG_EENGINE,
			       &r->pre_err);
			return true;
		}
		if (r->state == EREQ_QUEUED) {
			eng_launch(r);
			continue;
		}
		if (r->state != EREQ_WAITING)
			continue;
		if (e->negotiated) {
			eng_launch(r);
		} else if (r->epoch < e->fail_epoch) {
			finish(r, e->neg_err.code, &e->neg_err);
			return true;
		} else if (!e->pinging || e->ping_loop != l) {
			eng_neg_ping(l, e);
		}
	}
	return false;
}

static bool service_pending(struct engine_loop *l)
{
	bool any = false;

	while (service_one(l))
		any = true;
	return any;
}

struct engine_loop *engine_loop_new(void)
{
	/* The multi handle comes with the first request (eng_launch). */
	return xcalloc(1, sizeof(struct engine_loop));
}

void engine_loop_cancel(struct engine_loop *l)
{
	struct diag d = {0};

	diag_set(&d, DIAG_EINTR, NULL, "cancelled");
	while (l->head) {
		struct ereq *r = l->head;

		if (r->neg_ping && r->e->ping_loop == l)
			r->e->pinging = false;
		finish(r, DIAG_EINTR, &d);
	}
}

void engine_loop_free(struct engine_loop *l)
{
	if (!l)
		return;
	engine_loop_cancel(l);
	if (l->m)
		curl_multi_cleanup(l->m);
	free(l);
}

size_t engine_loop_pending(const struct engine_loop *l)
{
	return l->n;
}

/* Completes what curl finished; returns how many. */
static size_t drain(struct engine_loop *l)
{
	CURLMsg *msg;
	int running = 0, left;
	size_t n = 0;

	if (!l->m)
		return 0;
	curl_multi_perform(l->m, &running);
	while ((msg = curl_multi_info_read(l->m, &left))) {
		struct ereq *r = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &r);
		complete(r, msg->data.result);
		n++;
	}
	return n;
}

size_t engine_loop_step(struct engine_loop *l, long timeout_ms)
{
	if (service_pending(l) || !l->n)
		return l->n;
	if (drain(l) || service_pending(l) || !l->n || !l->m)
		return l->n;
	curl_multi_poll(l->m, NULL, 0, timeout_ms < 0 ? 1000 : (int)timeout_ms,
			NULL);
	drain(l);
	return l->n;
}

static long long now_ms(void)
{
	return compat_now_ms();
}

int engine_loop_run(struct engine_loop *l, long timeout_ms)
{
	long long end = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;

	while (l->n) {
		long left = -1;

		if (timeout_ms >= 0) {
			left = (long)(end - now_ms());
			if (left <= 0)
				return DIAG_ELIMIT;
		}
		engine_loop_step(l, left);
	}
	return 0;
}

void eng_sync_wait(struct engine_loop *l, const bool *done)
{
	while (!*done)
		engine_loop_step(l, -1);
}

/* ---- Raw submit -------------------------------------------------------- */

struct raw_ctx {
	engine_reply_fn cb;
	void *ud;
};

static void raw_done(struct ereq *r, int rc, const struct diag *err)
{
	struct raw_ctx *c = r->ctx;
	struct engine_reply rep = {
		.status = r->status,
		.body = r->resp.buf,
		.len = r->resp.len,
		.api_version = r->api_version,
		.ostype = r->ostype,
		.server = r->server,
		.latency_us = r->latency_us,
	};

	c->cb(c->ud, rc, &rep, err);
	free(c);
}

void engine_submit(struct engine_loop *l,
		   struct engine *e,
		   const char *method,
		   const char *path,
		   bool raw_path,
		   const char *body,
		   size_t len,
		   engine_reply_fn cb,
		   void *ud)
{
	struct ereq *r = ereq_new(l, e, method, raw_path, "%s", path);
	struct raw_ctx *c = xcalloc(1, sizeof(*c));

	c->cb = cb;
	c->ud = ud;
	if (body) {
		r->body = xmalloc(len + 1);
		memcpy(r->body, body, len);
		r->body[len] = '\0';
		r->body_len = len;
		r->content_type = "application/json";
	}
	ereq_start(r, raw_done, c);
}

/* ---- Shared completions for the typed calls ----------------------------- */

void eng_sync_done_cb(void *ud, int rc, const struct diag *err)
{
	struct eng_sync *s = ud;

	s->done = true;
	s->rc = rc;
	if (rc && s->err && err)
		*s->err = *err;
}

void eng_sync_id_cb(void *ud, int rc, const char *id, const struct diag *err)
{
	struct eng_sync *s = ud;

	if (!rc && s->out && s->out_len)
		snprintf(s->out, s->out_len, "%s", id);
	eng_sync_done_cb(ud, rc, err);
}

int eng_sync_run(struct engine *e, struct eng_sync *s)
{
	eng_sync_wait(eng_own_loop(e), &s->done);
	return s->rc;
}

struct call_ctx {
	engine_done_fn done;
	engine_id_fn id;
	const char *key;
	void *ud;
};

static void call_done(struct ereq *r, int rc, const struct diag *err)
{
	struct call_ctx *c = r->ctx;

	c->done(c->ud, rc, err);
	free(c);
}

/* Starts 'r' with 'fn' as its end, which hands over to 'cb'. */
static void
call_start(struct ereq *r, ereq_done_fn fn, engine_done_fn cb, void *ud)
{
	struct call_ctx *c = xcalloc(1, sizeof(*c));

	c->done = cb;
	c->ud = ud;
	ereq_start(r, fn, c);
}

void eng_call_done(struct ereq *r, engine_done_fn cb, void *ud)
{
	call_start(r, call_done, cb, ud);
}

/* A removal: the daemon's 409 means the object is still in use. */
static void call_removed(struct ereq *r, int rc, const struct diag *err)
{
	struct diag d;

	if (rc && err && r->status == 409) {
		d = *err;
		d.code = rc = DIAG_ECONFLICT;
		err = &d;
	}
	call_done(r, rc, err);
}

void eng_call_removed(struct ereq *r, engine_done_fn cb, void *ud)
{
	call_start(r, call_removed, cb, ud);
}

void eng_fail_done(
	struct ereq *r, engine_done_fn cb, void *ud, int code, const char *msg)
{
	struct call_ctx *c = xcalloc(1, sizeof(*c));

	c->done = cb;
	c->ud = ud;
	ereq_fail(r, call_done, c, code, "%s", msg);
}

static void call_id(struct ereq *r, int rc, const struct diag *err)
{
	struct call_ctx *c = r->ctx;
	struct diag d = {0};
	cJSON *j = NULL;
	const char *id = NULL;

	if (!rc) {
		j = eng_req_json(r, &d);
		id = j ? ej_str(j, c->key) : NULL;
		if (j && !id)
			eng_req_error(r, &d, DIAG_EENGINE,
				      "%ld: the reply has no '%s'", r->status,
				      c->key);
		if (!id) {
			rc = d.code;
			err = &d;
		}
	}
	c->id(c->ud, rc, id ? id : "", rc ? err : NULL);
	cJSON_Delete(j);
	free(c);
}

void eng_call_id(struct ereq *r, const char *key, engine_id_fn cb, void *ud)
{
	struct call_ctx *c = xcalloc(1, sizeof(*c));

	c->id = cb;
	c->key = key;
	c->ud = ud;
	ereq_start(r, call_id, c);
}
