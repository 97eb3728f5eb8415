/*
 * The daemon registry: which daemons a project uses, where they are, and
 * what they turned out to be.  Sources, highest first: --daemon flags,
 * MIXCOMPOSE_DAEMON_<NAME> variables, x-mixcompose.daemons of the compose
 * file, Docker contexts on disk; with none of them, Docker Desktop's two
 * engines when their contexts are there, else the one daemon the docker
 * CLI would talk to, called "default".
 */
#include "engine/engine_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct engine_registry {
	struct arena *a;
	struct engine_daemon *v;
	size_t n;
	size_t alloc;
	char *const *env;
	const char *config_dir;
	const char *api_version; /* DOCKER_API_VERSION */
	long connect_timeout_ms;
	long request_timeout_ms;
	bool curl_picked;
};

const char *engine_source_name(enum engine_source s)
{
	static const char *const names[] = {"flag",    "env",	  "file",
					    "context", "default", "desktop"};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *engine_daemon_unusable(const struct engine_daemon *d)
{
	return d->reachable && d->error ? "cannot be used" : "is not reachable";
}

static const char *env_get(const struct engine_registry *r, const char *name)
{
	size_t n = strlen(name);

	for (char *const *p = r->env; p && *p; p++)
		if (!strncmp(*p, name, n) && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

/* One source's view of an entry; NULL / -1 mean "not said here". */
struct spec {
	const char *name;
	const char *url;
	const char *context;
	const char *os;
	const char *arch;
	const char *cert_path;
	const char *where;
	const char *env_var; /* MIXCOMPOSE_DAEMON_<NAME>, as spelt */
	int lab;
	int tls_verify;
	enum engine_source source;
};

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no"))
		*out = 0;
	else
		return -1;
	return 0;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}

/* "~" and "~/..." as a shell would expand them (cert=~/certs). */
static const char *expand_home(struct engine_registry *r, const char *path)
{
	const char *home = env_get(r, compat_home_var());

	if (path[0] != '~' || (path[1] && path[1] != '/') || !home)
		return arena_strdup(r->a, path);
	return arena_sprintf(r->a, "%s%s", home, path + 1);
}

/* The docker CLI's default: $DOCKER_CERT_PATH, else its config dir. */
static const char *default_cert_path(struct engine_registry *r)
{
	const char *cert = env_get(r, "DOCKER_CERT_PATH");

	return cert && *cert ? arena_strdup(r->a, cert) : r->config_dir;
}

/* "URL[,os=..][,arch=..][,lab=..][,tlsverify=..][,cert=DIR]". */
static int parse_value(struct spec *sp,
		       struct engine_registry *r,
		       char *val,
		       const char *what,
		       struct diag *err)
{
	/* A bad --daemon is a usage error; a bad variable is not. */
	int code = sp->source == ENGINE_SRC_FLAG ? DIAG_EUSAGE : DIAG_EMODEL;

	char *save = NULL, *tok = strtok_r(val, ",", &save);

	if (!tok || !*tok)
		return diag_set(err, code, NULL, "%s: no endpoint", what);
	if (!strncmp(tok, "context:", 8))
		sp->context = arena_strdup(r->a, tok + 8);
	else
		sp->url = arena_strdup(r->a, tok);
	while ((tok = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(tok, '=');
		int bad = 0;

		if (!eq)
			return diag_set(err, code, NULL,
					"%s: '%s' is not KEY=VALUE", what, tok);
		*eq++ = '\0';
		if (!strcmp(tok, "os"))
			sp->os = arena_strdup(r->a, eq);
		else if (!strcmp(tok, "arch"))
			sp->arch = arena_strdup(r->a, eq);
		else if (!strcmp(tok, "cert"))
			sp->cert_path = expand_home(r, eq);
		else if (!strcmp(tok, "lab"))
			bad = parse_bool(eq, &sp->lab);
		else if (!strcmp(tok, "tlsverify"))
			bad = parse_bool(eq, &sp->tls_verify);
		else
			return diag_set(err, code, NULL,
					"%s: unknown option '%s' (want os=, "
					"arch=, lab=, tlsverify= or cert=)",
					what, tok);
		if (bad)
			return diag_set(err, code, NULL,
					"%s: '%s' is not true or false", what,
					eq);
	}
	return 0;
}

static struct engine_daemon *find(struct engine_registry *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			return &r->v[i];
	return NULL;
}

/* Sources arrive lowest first; what a higher one says replaces. */
static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* True when 'sp' points where 'd' already points. */
static bool same_endpoint(const struct engine_daemon *d, const struct spec *sp)
{
	return same_str(d->url, sp->url) && same_str(d->context, sp->context);
}

static void merge(struct engine_registry *r, const struct spec *sp)
{
	struct engine_daemon *d = find(r, sp->name);

	if (!d) {
		ALLOC_GROW(r->v, r->n + 1, r->alloc);
		d = &r->v[r->n++];
		memset(d, 0, sizeof(*d));
		d->name = arena_strdup(r->a, sp->name);
		d->tls_verify = true;
	}
	if (sp->source == ENGINE_SRC_ENV && d->source == ENGINE_SRC_FILE &&
	    (sp->url || sp->context) && !same_endpoint(d, sp)) {
		d->file_endpoint =
			d->url ? d->url
			       : arena_sprintf(r->a, "context:%s", d->context);
		d->file_where = d->where;
		d->env_var = sp->env_var;
	} else if (sp->source == ENGINE_SRC_FLAG && (sp->url || sp->context)) {
		d->file_endpoint = NULL; /* said on the command line */
	}
	d->source = sp->source;
	if (sp->url || sp->context) {
		d->url = sp->url;
		d->context = sp->context;
	}
	if (sp->source == ENGINE_SRC_FILE)
		d->declared = true;
	if (sp->where)
		d->where = sp->where;
	if (sp->os)
		d->declared_os = sp->os;
	if (sp->arch)
		d->declared_arch = sp->arch;
	if (sp->cert_path)
		d->cert_path = sp->cert_path;
	if (sp->lab >= 0)
		d->lab = sp->lab;
	/* Asking for verification means TLS, never plain HTTP. */
	if (sp->tls_verify >= 0)
		d->tls_verify = sp->tls_verify;
	if (sp->tls_verify > 0)
		d->tls = true;
}

static const char *adup(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static int add_decls(struct engine_registry *r,
		     const struct engine_registry_opts *o,
		     struct diag *err)
{
	for (size_t i = 0; i < o->n_decls; i++) {
		const struct engine_daemon_decl *dd = &o->decls[i];
		struct spec sp = {
			.name = dd->name,
			.url = adup(r->a, dd->endpoint),
			.context = adup(r->a, dd->context),
			.os = adup(r->a, dd->os),
			.arch = adup(r->a, dd->arch),
			.cert_path = adup(r->a, dd->cert_path),
			.where = adup(r->a, dd->where),
			.lab = dd->lab,
			.tls_verify = dd->tls_verify_set ? dd->tls_verify : -1,
			.source = ENGINE_SRC_FILE,
		};

		if (!dd->name || !valid_name(dd->name))
			return diag_set(err, DIAG_EMODEL, NULL,
					"%s%sx-mixcompose.daemons: '%s' is not "
					"a valid daemon name",
					dd->where ? dd->where : "",
					dd->where ? ": " : "",
					dd->name ? dd->name : "");
		merge(r, &sp);
	}
	return 0;
}

#define ENV_PREFIX "MIXCOMPOSE_DAEMON_"

/* MIXCOMPOSE_DAEMON_<NAME>=VALUE: the name in lower case. */
static int add_env_var(struct engine_registry *r,
		       const char *var,
		       const char *eq,
		       struct diag *err)
{
	size_t plen = strlen(ENV_PREFIX);
	struct spec sp = {
		.lab = -1, .tls_verify = -1, .source = ENGINE_SRC_ENV};
	char *name = arena_strndup(r->a, var + plen, (size_t)(eq - var) - plen);
	char what[300];
	int rc;

	for (char *c = name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(what, sizeof(what), "%.*s", (int)(eq - var), var);
	sp.name = name;
	sp.env_var = arena_strdup(r->a, what);
	rc = parse_value(&sp, r, arena_strdup(r->a, eq + 1), what, err);
	if (!rc)
		merge(r, &sp);
	return rc;
}

static int add_env(struct engine_registry *r, struct diag *err)
{
	size_t plen = strlen(ENV_PREFIX);

	for (char *const *p = r->env; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		int rc;

		if (strncmp(*p, ENV_PREFIX, plen) || !eq || eq == *p + plen)
			continue;
		rc = add_env_var(r, *p, eq, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int add_flags(struct engine_registry *r,
		     const struct engine_registry_opts *o,
		     struct diag *err)
{
	for (size_t i = 0; i < o->n_flags; i++) {
		const char *f = o->flags[i], *eq = strchr(f, '=');
		struct spec sp = {
			.lab = -1, .tls_verify = -1, .source = ENGINE_SRC_FLAG};
		char what[300];
		int rc;

		snprintf(what, sizeof(what), "--daemon '%s'", f);
		if (!eq)
			return diag_set(err, DIAG_EUSAGE, NULL,
					"%s: want NAME=URL or NAME=context:CTX",
					what);
		sp.name = arena_strndup(r->a, f, (size_t)(eq - f));
		if (!valid_name(sp.name))
			return diag_set(err, DIAG_EUSAGE, NULL,
					"%s: '%s' is not a valid daemon name",
					what, sp.name);
		rc = parse_value(&sp, r, arena_strdup(r->a, eq + 1), what, err);
		if (rc)
			return rc;
		merge(r, &sp);
	}
	return 0;
}

/* Points 'd' at context 'name': its host, and its TLS files if any. */
static int use_context(struct engine_registry *r,
		       struct engine_daemon *d,
		       const char *name,
		       struct diag *err)
{
	struct engine_context ctx;
	int rc = engine_context_read(&ctx, r->config_dir, name, err);

	if (rc) {
		diag_prefix(err, "daemon '%s'", d->name);
		return rc;
	}
	d->context = arena_strdup(r->a, name);
	d->url = arena_strdup(r->a, ctx.host);
	if (ctx.lab)
		d->lab = true;
	/* As the docker CLI: TLS files or SkipTLSVerify mean TLS. */
	if (ctx.has_tls || ctx.skip_tls_verify) {
		d->tls = true;
		d->tls_verify = !ctx.skip_tls_verify;
	}
	if (ctx.has_tls) {
		d->cert_path = arena_strdup(r->a, ctx.tls_dir);
		d->tls_from_context = true;
	}
	return 0;
}

/* As the docker CLI: DOCKER_HOST > DOCKER_CONTEXT > currentContext. */
static int add_default(struct engine_registry *r, struct diag *err)
{
	const char *host = env_get(r, "DOCKER_HOST");
	const char *ctx = env_get(r, "DOCKER_CONTEXT");
	const char *verify = env_get(r, "DOCKER_TLS_VERIFY");
	struct spec sp = {.name = "default",
			  .lab = -1,
			  .tls_verify = -1,
			  .source = ENGINE_SRC_DEFAULT};
	char current[256];
	struct engine_daemon *d;

	merge(r, &sp);
	d = &r->v[r->n - 1];
	if (host && *host) {
		const char *tls = env_get(r, "DOCKER_TLS");

		/* The docker CLI: any non-empty value turns these on, "0" too.
		 */
		d->url = arena_strdup(r->a, host);
		d->tls_verify = verify && *verify;
		d->tls = d->tls_verify || (tls && *tls);
		if (d->tls)
			d->cert_path = default_cert_path(r);
		return 0;
	}
	if (!ctx || !*ctx) {
		int rc = engine_context_current(current, sizeof(current),
						r->config_dir, err);
		if (rc)
			return rc;
		ctx = current;
	}
	if (*ctx && strcmp(ctx, "default")) {
		d->source = ENGINE_SRC_CONTEXT;
		return use_context(r, d, ctx, err);
	}
	d->url = "unix:///var/run/docker.sock";
	return 0;
}

/*
 * Docker Desktop's two engines, as its contexts name them.  Switching
 * engines in its menu leaves both running; `docker desktop engine use`
 * stops the other one.
 */
static const struct desktop_engine {
	const char *daemon;  /* the entry's name */
	const char *context; /* the context Docker Desktop writes */
	const char *os;
	const char *label; /* "Docker Desktop's Linux engine" */
	const char *start; /* how to start it */
} desktop_engines[] = {
	{"linux", "desktop-linux", "linux", "Linux",
	 "start Docker Desktop, or choose 'Switch to Linux containers...' "
	 "in its menu (switching from the menu leaves the Windows engine "
	 "running; 'docker desktop engine use' stops it)"},
	{"windows", "desktop-windows", "windows", "Windows",
	 "choose 'Switch to Windows containers...' in the Docker Desktop "
	 "menu (switching from the menu leaves the Linux engine running; "
	 "'docker desktop engine use' stops it)"},
};

/* Docker Desktop's own context names, and the docker CLI's "default". */
static bool desktop_context_name(const char *ctx)
{
	return !ctx || !*ctx || !strcmp(ctx, "default") ||
	       !strcmp(ctx, "desktop-linux") || !strcmp(ctx, "desktop-windows");
}

/*
 * No daemon map: Docker Desktop's two engines when both contexts are on
 * disk and nothing (DOCKER_HOST, a DOCKER_CONTEXT or currentContext of
 * another daemon) asks for one daemon.  Returns 1 when it added them, 0
 * when this is not Docker Desktop, or an error for a broken context.
 */
static int add_desktop(struct engine_registry *r, struct diag *err)
{
	const char *host = env_get(r, "DOCKER_HOST");
	const char *ctx = env_get(r, "DOCKER_CONTEXT");
	struct engine_context c;
	struct diag ignore = {0};
	char current[256];
	int rc;

	if ((host && *host) || !desktop_context_name(ctx))
		return 0;
	if ((rc = engine_context_current(current, sizeof(current),
					 r->config_dir, err)))
		return rc;
	if (!desktop_context_name(current))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(desktop_engines); i++)
		if (engine_context_read(&c, r->config_dir,
					desktop_engines[i].context, &ignore))
			return 0;
	for (size_t i = 0; i < ARRAY_SIZE(desktop_engines); i++) {
		const struct desktop_engine *de = &desktop_engines[i];
		struct spec sp = {.name = de->daemon,
				  .context = de->context,
				  .os = de->os,
				  .lab = -1,
				  .tls_verify = -1,
				  .source = ENGINE_SRC_DESKTOP};
		struct engine_daemon *d;

		merge(r, &sp);
		d = find(r, de->daemon);
		d->desktop_engine = de->label;
		if ((rc = use_context(r, d, de->context, err)))
			return rc;
	}
	return 1;
}

bool engine_registry_is_desktop(const struct engine_registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].source == ENGINE_SRC_DESKTOP)
			return true;
	return false;
}

/* Endpoints by context; a declared name alone may name a context. */
static int
resolve(struct engine_registry *r, struct engine_daemon *d, struct diag *err)
{
	if (d->context && !d->url)
		return use_context(r, d, d->context, err);
	if (d->url) {
		/*
		 * Verification asked without a cert path: the docker CLI's
		 * default one, whose files must then be there (engine_new).
		 * https:// alone trusts the system CAs.
		 */
		if (d->tls && d->tls_verify && !d->cert_path)
			d->cert_path = default_cert_path(r);
		if (!strncmp(d->url, "https://", 8) || d->cert_path)
			d->tls = true;
		return 0;
	}
	if (use_context(r, d, d->name, err) == 0)
		return 0;
	return diag_set(
		err, DIAG_EMODEL, NULL,
		"%s%sdaemon '%s' has no endpoint: give 'endpoint' or "
		"'context', --daemon %s=URL, or MIXCOMPOSE_DAEMON_X=URL",
		d->where ? d->where : "", d->where ? ": " : "", d->name,
		d->name);
}

static const char *config_dir(struct engine_registry *r,
			      const struct engine_registry_opts *o)
{
	const char *dc = o->docker_config ? o->docker_config
					  : env_get(r, "DOCKER_CONFIG");
	const char *home = env_get(r, compat_home_var());

	if (dc && *dc)
		return arena_strdup(r->a, dc);
	return arena_sprintf(r->a, "%s/.docker", home ? home : "");
}

int engine_registry_new(struct engine_registry **out,
			const struct engine_registry_opts *o,
			struct diag *err)
{
	struct engine_registry *r = xcalloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	r->a = arena_new();
	r->env = o->environ_ ? o->environ_ : compat_environ();
	r->config_dir = config_dir(r, o);
	r->api_version = env_get(r, "DOCKER_API_VERSION");
	r->connect_timeout_ms = o->connect_timeout_ms;
	r->request_timeout_ms = o->request_timeout_ms;
	rc = add_decls(r, o, err);
	if (!rc)
		rc = add_env(r, err);
	if (!rc)
		rc = add_flags(r, o, err);
	if (!rc && !r->n && (rc = add_desktop(r, err)) == 1)
		rc = 0;
	else if (!rc && !r->n)
		rc = add_default(r, err);
	for (size_t i = 0; !rc && i < r->n; i++)
		if (r->v[i].source < ENGINE_SRC_DEFAULT)
			rc = resolve(r, &r->v[i], err);
	if (rc) {
		engine_registry_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void engine_registry_free(struct engine_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		engine_free(r->v[i].engine);
	free(r->v);
	arena_free(r->a);
	free(r);
}

size_t engine_registry_count(const struct engine_registry *r)
{
	return r->n;
}

struct engine_daemon *engine_registry_at(struct engine_registry *r, size_t i)
{
	return i < r->n ? &r->v[i] : NULL;
}

struct engine_daemon *engine_registry_find(struct engine_registry *r,
					   const char *name)
{
	return find(r, name);
}

struct engine *engine_registry_engine(struct engine_registry *r,
				      struct engine_daemon *d,
				      struct diag *err)
{
	struct engine_config cfg = {
		.name = d->name,
		.url = d->url,
		.tls = d->tls,
		.tls_verify = d->tls_verify,
		.cert_path = d->cert_path,
		.cert_files_optional = d->tls_from_context,
		.api_version = r->api_version,
		.connect_timeout_ms = r->connect_timeout_ms,
		.request_timeout_ms = r->request_timeout_ms,
	};

	/*
	 * One libcurl serves the whole process: the system's as soon as any
	 * daemon of the map needs TLS, else the built-in HTTP-only one.
	 */
	if (!d->engine && !r->curl_picked) {
		bool tls = false;

		for (size_t i = 0; i < r->n; i++)
			tls = tls || r->v[i].tls ||
			      eng_url_is_https(r->v[i].url);
		r->curl_picked = true;
		eng_curl_load(tls, NULL);
	}
	if (!d->engine && engine_new(&d->engine, &cfg, err))
		return NULL;
	return d->engine;
}

/* ---- For probe.c -------------------------------------------------------- */

struct arena *eng_registry_arena(struct engine_registry *r)
{
	return r->a;
}

const char *eng_registry_env(const struct engine_registry *r, const char *name)
{
	return env_get(r, name);
}

/*
 * An unreachable Docker Desktop engine is almost always a stopped one: say
 * which, and how to start it, before the transport's own words.
 */
const char *eng_desktop_stopped(struct arena *a,
				const struct engine_daemon *d,
				const char *why)
{
	for (size_t i = 0; d->desktop_engine && i < ARRAY_SIZE(desktop_engines);
	     i++)
		if (!strcmp(desktop_engines[i].label, d->desktop_engine))
			return arena_sprintf(
				a,
				"Docker Desktop's %s engine is not running: "
				"%s (%s)",
				d->desktop_engine, desktop_engines[i].start,
				why);
	return arena_strdup(a, why);
}
