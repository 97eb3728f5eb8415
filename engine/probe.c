/*
 * Probing the registry's daemons: what each one is, asked as cheaply as the
 * command allows.  GET /_ping answers in about a millisecond and its
 * headers carry the API version (negotiated from it), the OS type and the
 * server version; it doubles as the engine's negotiation ping, so requests
 * queued beside it in the same loop go out as soon as it answers.  GET
 * /info (dockerd asks containerd and walks its state: 20-30 ms) is the only
 * source of the architecture.  It is sent as soon as the ping answers when
 * the caller asks for it (ENGINE_PROBE_INFO), and otherwise only when the
 * arch is needed and the cache below does not know it.
 *
 * The cache ($MIXCOMPOSE_CACHE_DIR, else $XDG_CACHE_HOME/mixcompose, else
 * ~/.cache/mixcompose; file "daemons") maps a fingerprint to an arch.  The
 * fingerprint hashes the endpoint, the ping's Server, Api-Version and
 * Ostype headers (an upgrade changes them) and the ids of the daemon's
 * builtin networks (listed by the probe, or by a caller that lists all
 * networks anyway: ENGINE_PROBE_NETS) (a replaced daemon, or one with a new
 * data root, has new ones; dockerd also makes its default bridge anew at every
 * start). A daemon that lists no builtin network is never looked up, and any
 * trouble with the file means one GET /info more, never a wrong answer.
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat/compat.h"
#include "util/arena.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define CACHE_FILE "daemons"
#define CACHE_MAX_LINES 64

struct probe_one {
	struct engine_probe *pr;
	struct engine_daemon *d;
	char *ids;	/* "name=id\n..." of the builtin networks, sorted */
	bool fresh;	/* the arch came from GET /info in this probe */
	char *info_err; /* GET /info failed: why */
};

struct engine_probe {
	struct engine_registry *r;
	unsigned need;
	size_t n;
	struct probe_one *v;
};

/* ---- The cache file ------------------------------------------------------ */

struct arch_cache {
	char path[4096];
	bool usable;
	bool loaded;
	bool dirty;
	char **lines; /* "KEY ARCH", newest first */
	size_t n;
	size_t alloc;
};

static void cache_init(struct arch_cache *c, const struct engine_registry *r)
{
	const char *dir = eng_registry_env(r, "MIXCOMPOSE_CACHE_DIR");
	const char *xdg = eng_registry_env(r, "XDG_CACHE_HOME");
	const char *home = eng_registry_env(r, compat_home_var());
	int n = -1;

	memset(c, 0, sizeof(*c));
	/* Set but empty: no cache at all. */
	if (dir)
		n = *dir ? snprintf(c->path, sizeof(c->path), "%s/%s", dir,
				    CACHE_FILE)
			 : -1;
	else if (xdg && *xdg == '/')
		n = snprintf(c->path, sizeof(c->path), "%s/mixcompose/%s", xdg,
			     CACHE_FILE);
	else if (home && *home)
		n = snprintf(c->path, sizeof(c->path),
			     "%s/.cache/mixcompose/%s", home, CACHE_FILE);
	c->usable = n > 0 && (size_t)n < sizeof(c->path);
}

static void cache_load(struct arch_cache *c)
{
	char line[256];
	bool whole = true; /* 'line' starts a line of the file */
	size_t len;
	FILE *f;

	if (c->loaded || !c->usable)
		return;
	c->loaded = true;
	f = fopen(c->path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && c->n < CACHE_MAX_LINES) {
		bool start = whole;

		len = strlen(line);
		whole = len && line[len - 1] == '\n';
		if (whole)
			line[--len] = '\0';
		/* A key, one blank, an arch: anything else (the rest of a
		 * longer line too) is skipped. */
		if (!start || !whole || len < SHA256_HEX_LEN + 2 ||
		    line[SHA256_HEX_LEN] != ' ')
			continue;
		ALLOC_GROW(c->lines, c->n + 1, c->alloc);
		c->lines[c->n++] = xstrdup(line);
	}
	fclose(f);
}

static const char *cache_get(struct arch_cache *c, const char *key)
{
	cache_load(c);
	for (size_t i = 0; i < c->n; i++)
		if (!strncmp(c->lines[i], key, SHA256_HEX_LEN))
			return c->lines[i] + SHA256_HEX_LEN + 1;
	return NULL;
}

static void cache_put(struct arch_cache *c, const char *key, const char *arch)
{
	const char *old = cache_get(c, key);
	size_t k = 0;

	if (!c->usable || !*arch || strchr(arch, '\n') ||
	    (old && !strcmp(old, arch)))
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (!strncmp(c->lines[i], key, SHA256_HEX_LEN))
			free(c->lines[i]);
		else
			c->lines[k++] = c->lines[i];
	}
	c->n = k;
	ALLOC_GROW(c->lines, c->n + 1, c->alloc);
	memmove(c->lines + 1, c->lines, c->n * sizeof(*c->lines));
	c->lines[0] = xmalloc(SHA256_HEX_LEN + 2 + strlen(arch));
	sprintf(c->lines[0], "%.*s %s", SHA256_HEX_LEN, key, arch);
	c->n++;
	if (c->n > CACHE_MAX_LINES)
		free(c->lines[--c->n]);
	c->dirty = true;
}

/* mkdir -p of the file's directory, private to the user. */
static int cache_mkdir(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return compat_mkdir_p(dir);
}

/* Written beside and renamed over: a reader sees the old or the new file. */
static void cache_save(struct arch_cache *c)
{
	char tmp[4200];
	FILE *f;
	bool ok;

	if (!c->dirty || cache_mkdir(c->path))
		return;
	snprintf(tmp, sizeof(tmp), "%s.%ld", c->path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return;
	for (size_t i = 0; i < c->n; i++)
		fprintf(f, "%s\n", c->lines[i]);
	ok = !ferror(f);
	if (fclose(f) || !ok || compat_rename(tmp, c->path))
		unlink(tmp);
}

static void cache_release(struct arch_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
}

/* The fingerprint of a daemon that answered; false when it has none. */
static bool fingerprint(char key[SHA256_HEX_LEN + 1], const struct probe_one *o)
{
	const struct engine_daemon *d = o->d;
	struct sbuf sb = SBUF_INIT;

	if (!o->ids || !*o->ids || !d->reachable)
		return false;
	sbuf_addf(&sb, "mixcompose-arch-v1\n%s\n%s\n%s\n%s\n%s", d->url,
		  d->server_header ? d->server_header : "",
		  d->reported_api ? d->reported_api : "",
		  d->reported_os ? d->reported_os : "", o->ids);
	sha256_hex(key, sb.buf, sb.len);
	sbuf_release(&sb);
	return true;
}

/* ---- The requests -------------------------------------------------------- */

static const char *norm_arch(const char *a)
{
	if (!strcmp(a, "x86_64"))
		return "amd64";
	if (!strcmp(a, "aarch64"))
		return "arm64";
	return a;
}

static void probe_info(void *ud,
		       int rc,
		       const struct engine_system_info *in,
		       const struct diag *err)
{
	struct probe_one *o = ud;
	struct engine_daemon *d = o->d;
	struct arena *a = eng_registry_arena(o->pr->r);

	/*
	 * A daemon that answers /_ping but not /info is no daemon to use:
	 * finish() marks it unreachable with the reason (the ping may answer
	 * after this).
	 */
	if (rc) {
		free(o->info_err);
		o->info_err = xstrdup(err ? err->msg : "GET /info failed");
		return;
	}
	if (!in->arch[0])
		return;
	d->arch = arena_strdup(a, norm_arch(in->arch));
	o->fresh = true;
	if (in->server_version[0])
		d->server_version = arena_strdup(a, in->server_version);
	if (!d->reported_os || !*d->reported_os)
		d->reported_os = arena_strdup(a, in->os_type);
}

/* "Docker/20.10.24+dfsg1 (linux)" -> "20.10.24+dfsg1". */
static const char *server_version(struct arena *a, const char *server)
{
	const char *slash = strchr(server, '/');
	const char *v = slash ? slash + 1 : server;

	return arena_strndup(a, v, strcspn(v, " "));
}

static void probe_ping(void *ud,
		       int rc,
		       const struct engine_ping_info *in,
		       const struct diag *err)
{
	struct probe_one *o = ud;
	struct engine_daemon *d = o->d;
	struct arena *a = eng_registry_arena(o->pr->r);

	d->probed = true;
	d->latency_us = in->latency_us;
	if (rc) {
		d->error = eng_desktop_stopped(a, d, err->msg);
		return;
	}
	d->reachable = true;
	d->reported_os = arena_strdup(a, in->os);
	d->reported_api = arena_strdup(a, in->api_version);
	d->server_header = arena_strdup(a, in->server);
	d->api_version = arena_strdup(a, in->negotiated);
	/* /info, when it answered first, names the version itself. */
	if (!d->server_version)
		d->server_version = server_version(a, in->server);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The networks every daemon makes itself, by name (dockerd's predefined
 * ones; "nat" on Windows).  The fingerprint takes only these, whether
 * they came from the probe's own list (filtered type=builtin) or from the
 * caller's list of all networks, so both give the same key.
 */
static bool builtin_name(const char *name)
{
	static const char *const names[] = {"bridge", "host", "none", "nat",
					    "ingress"};

	for (size_t i = 0; name && i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* "name=id\n..." of the builtin networks of 'nl', sorted, into o->ids. */
static void take_nets(struct probe_one *o, const struct engine_network_list *nl)
{
	char **v = xcalloc(nl->n + 1, sizeof(*v));
	struct sbuf sb = SBUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < nl->n; i++) {
		const struct engine_network_info *ni = &nl->items[i];

		if (!builtin_name(ni->name))
			continue;
		sbuf_addf(&sb, "%s=%s", ni->name, ni->id ? ni->id : "");
		v[n++] = sbuf_detach(&sb, NULL);
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(&sb, "%s\n", v[i]);
		free(v[i]);
	}
	free(v);
	free(o->ids);
	o->ids = sbuf_detach(&sb, NULL);
}

static void probe_nets(void *ud,
		       int rc,
		       struct engine_network_list *nl,
		       const struct diag *err)
{
	(void)err;
	if (!rc && nl)
		take_nets(ud, nl);
	engine_network_list_free(nl);
}

void engine_probe_networks(struct engine_probe *pr,
			   const struct engine_daemon *d,
			   const struct engine_network_list *nl)
{
	for (size_t i = 0; pr && nl && i < pr->n; i++)
		if (pr->v[i].d == d)
			take_nets(&pr->v[i], nl);
}

struct engine_probe *engine_registry_probe_start(struct engine_registry *r,
						 struct engine_loop *l,
						 unsigned need)
{
	static const struct engine_kv builtin = {"type", "builtin"};
	static const struct engine_filters only_builtin = {&builtin, 1};
	struct engine_probe *pr = xcalloc(1, sizeof(*pr));
	struct arena *a = eng_registry_arena(r);

	pr->r = r;
	pr->need = need;
	pr->n = engine_registry_count(r);
	pr->v = xcalloc(pr->n + 1, sizeof(*pr->v));
	for (size_t i = 0; i < pr->n; i++) {
		struct engine_daemon *d = engine_registry_at(r, i);
		struct probe_one *o = &pr->v[i];
		struct diag e = {0};

		o->pr = pr;
		o->d = d;
		d->probed = d->reachable = d->stand_in = false;
		d->error = NULL;
		if (!engine_registry_engine(r, d, &e)) {
			d->probed = true;
			d->error = arena_strdup(a, e.msg);
			continue;
		}
		/* First: the engine takes it as its negotiation ping. */
		engine_ping_async(l, d->engine, probe_ping, o);
		/*
		 * Versioned: it waits for the ping (a millisecond), and fails
		 * with it, rather than hang on a daemon that never answers.
		 */
		if (need & ENGINE_PROBE_INFO)
			engine_info_async(l, d->engine, probe_info, o);
		if ((need & (ENGINE_PROBE_INFO | ENGINE_PROBE_ARCH)) &&
		    !(need & ENGINE_PROBE_NETS))
			engine_network_list_async(l, d->engine, &only_builtin,
						  probe_nets, o);
	}
	return pr;
}

/* A daemon that reports another OS than declared is only a lab stand-in. */
static void check_os(struct engine_registry *r, struct engine_daemon *d)
{
	const char *rep = d->reported_os ? d->reported_os : "";

	d->os = *rep ? rep : NULL;
	if (!d->reachable || !d->declared_os || !strcmp(d->declared_os, rep))
		return;
	if (d->lab) {
		d->os = d->declared_os;
		d->stand_in = true;
		return;
	}
	d->error = arena_sprintf(
		eng_registry_arena(r),
		"%s%sdaemon '%s' is declared os '%s' but reports '%s'; "
		"declare lab: true if it stands in for %s",
		d->where ? d->where : "", d->where ? ": " : "", d->name,
		d->declared_os, rep, d->declared_os);
}

/* The arch of every daemon that needs one: the cache, else GET /info. */
static void resolve_arch(struct engine_probe *pr, struct arch_cache *c)
{
	struct arena *a = eng_registry_arena(pr->r);
	struct engine_loop *l = NULL;
	char key[SHA256_HEX_LEN + 1];

	for (size_t i = 0; i < pr->n; i++) {
		struct probe_one *o = &pr->v[i];
		const char *hit;

		if (!o->d->reachable || o->d->arch)
			continue;
		hit = fingerprint(key, o) ? cache_get(c, key) : NULL;
		if (hit) {
			o->d->arch = arena_strdup(a, hit);
			continue;
		}
		if (!l)
			l = engine_loop_new();
		engine_info_async(l, o->d->engine, probe_info, o);
	}
	if (l)
		engine_loop_run(l, -1);
	engine_loop_free(l);
}

void engine_registry_probe_finish(struct engine_probe *pr)
{
	struct arch_cache c;
	char key[SHA256_HEX_LEN + 1];

	if (!pr)
		return;
	cache_init(&c, pr->r);
	if (pr->need & ENGINE_PROBE_ARCH)
		resolve_arch(pr, &c);
	for (size_t i = 0; i < pr->n; i++) {
		struct probe_one *o = &pr->v[i];

		if (o->info_err && o->d->reachable) {
			o->d->reachable = false;
			o->d->error = arena_strdup(eng_registry_arena(pr->r),
						   o->info_err);
		}
		if (o->fresh && fingerprint(key, o))
			cache_put(&c, key, o->d->arch);
		check_os(pr->r, o->d);
		free(o->ids);
		free(o->info_err);
	}
	cache_save(&c);
	cache_release(&c);
	free(pr->v);
	free(pr);
}

int engine_registry_probe_for(struct engine_registry *r, unsigned need)
{
	struct engine_loop *l = engine_loop_new();
	struct engine_probe *pr = engine_registry_probe_start(r, l, need);

	engine_loop_run(l, -1);
	engine_loop_free(l);
	engine_registry_probe_finish(pr);
	return 0;
}

int engine_registry_probe(struct engine_registry *r, struct diag *err)
{
	(void)err;
	return engine_registry_probe_for(r, ENGINE_PROBE_INFO);
}
