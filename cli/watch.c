/*
 * What `watch` decides without a daemon: which trigger a changed path
 * belongs to (compose v2's rules: under the trigger's path, included,
 * not ignored by the build context's .dockerignore, the editors'
 * temporary files, a .git directory or the trigger's own ignore
 * patterns), where it goes in the container, and when a burst of changes
 * is over (the debounce).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

/* ---- Ignore rules ---------------------------------------------------------
 */

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !memcmp(s + a - b, suf, b);
}

/*
 * compose v2's EphemeralPathMatcher (the temporary files of GoLand,
 * emacs, vim, kate and go) on one path component; and, as a rule of
 * ours, a .git directory anywhere.
 */
static bool ephemeral_name(const char *c, size_t len)
{
	char name[256];
	size_t n = len < sizeof(name) - 1 ? len : sizeof(name) - 1;

	memcpy(name, c, n);
	name[n] = 0;
	if (!strcmp(name, ".git") || !strcmp(name, ".idea") ||
	    !strcmp(name, "4913"))
		return true;
	if (has_suffix(name, "___jb_old___") ||
	    has_suffix(name, "___jb_tmp___") || has_suffix(name, "~") ||
	    has_suffix(name, "-go-tmp-umask"))
		return true;
	if (!strncmp(name, ".#", 2) ||
	    (name[0] == '#' && n > 1 && name[n - 1] == '#'))
		return true;
	return name[0] == '.' &&
	       (has_suffix(name, ".swp") || has_suffix(name, ".swx") ||
		has_suffix(name, ".swo") || has_suffix(name, ".swn") ||
		has_suffix(name, ".kate-swp"));
}

bool cli_watch_ephemeral(const char *path)
{
	const char *p = path;

	while (*p) {
		size_t len = strcspn(p, "/\\");

		if (len && ephemeral_name(p, len))
			return true;
		p += len;
		p += strspn(p, "/\\");
	}
	return false;
}

/* 'path' relative to 'root' ("" for the root itself), or NULL if outside. */
const char *cli_watch_rel(const char *root, const char *path)
{
	size_t n = strlen(root);

	while (n > 1 && (root[n - 1] == '/' || root[n - 1] == '\\'))
		n--;
	if (strncmp(root, path, n))
		return NULL;
	if (!path[n])
		return path + n;
	if (path[n] != '/' && path[n] != '\\')
		return NULL;
	return path + n + 1;
}

/* The whole of file 'path' into 'sb'; 0, or -1 if it cannot be read. */
static int read_text(struct sbuf *sb, const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[4096];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(sb, buf, n);
	fclose(f);
	sbuf_addch(sb, 0);
	sbuf_setlen(sb, sb->len - 1);
	return 0;
}

static struct engine_ignore *patterns(const struct compose_strv *v)
{
	struct engine_ignore *ig;

	if (!v->n)
		return NULL;
	ig = engine_ignore_new();
	for (size_t i = 0; i < v->n; i++)
		engine_ignore_add(ig, v->v[i]);
	return ig;
}

/*
 * The build context's ignore file, as compose v2 reads it for watch:
 * "<dockerfile>.dockerignore" first, else ".dockerignore".
 */
static int context_ignore(struct engine_ignore **out,
			  const struct compose_build *b,
			  struct diag *err)
{
	const char *names[2] = {NULL, ".dockerignore"};
	struct sbuf df = SBUF_INIT;
	int rc = 0;

	*out = NULL;
	if (!b || b->remote || !b->context)
		return 0;
	if (b->dockerfile) {
		sbuf_addf(&df, "%s.dockerignore", b->dockerfile);
		names[0] = df.buf;
	}
	for (size_t i = 0; i < 2 && !*out && !rc; i++) {
		struct sbuf path = SBUF_INIT, text = SBUF_INIT;

		if (!names[i])
			continue;
		sbuf_addf(&path, "%s/%s", b->context, names[i]);
		if (!read_text(&text, path.buf))
			rc = engine_ignore_parse(out, text.buf, path.buf, err);
		sbuf_release(&path);
		sbuf_release(&text);
	}
	sbuf_release(&df);
	return rc;
}

int cli_watch_rules_make(struct cli_watch_rule **out,
			 size_t *n_out,
			 const struct compose_project *p,
			 char *const *services,
			 size_t n_services,
			 struct diag *err)
{
	struct cli_watch_rule *v = NULL;
	size_t n = 0, alloc = 0;

	for (size_t i = 0; i < p->n_services; i++) {
		const struct compose_service *s = &p->services[i];
		struct engine_ignore *dig = NULL;

		if (!s->n_watch ||
		    !cli_names_has(services, n_services, s->name))
			continue;
		if (context_ignore(&dig, s->build, err)) {
			cli_watch_rules_free(v, n);
			return -1;
		}
		for (size_t k = 0; k < s->n_watch; k++) {
			const struct compose_watch *w = &s->watch[k];

			ALLOC_GROW(v, n + 1, alloc);
			v[n++] = (struct cli_watch_rule){
				.svc = s,
				.w = w,
				.ignore = patterns(&w->ignore),
				.include = patterns(&w->include),
				.dockerignore = k ? NULL : dig,
				.context_ignore = dig,
			};
		}
	}
	*out = v;
	*n_out = n;
	return 0;
}

void cli_watch_rules_free(struct cli_watch_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		engine_ignore_free(v[i].ignore);
		engine_ignore_free(v[i].include);
		engine_ignore_free(v[i].dockerignore);
	}
	free(v);
}

bool cli_watch_match(const struct cli_watch_rule *r,
		     const char *path,
		     struct sbuf *target)
{
	const char *rel = cli_watch_rel(r->w->path, path), *crel;

	if (!rel)
		return false;
	if (r->include && *rel && !engine_ignore_match(r->include, rel))
		return false;
	if (cli_watch_ephemeral(rel))
		return false;
	if (r->ignore && *rel && engine_ignore_match(r->ignore, rel))
		return false;
	if (r->context_ignore && r->svc->build &&
	    (crel = cli_watch_rel(r->svc->build->context, path)) && *crel &&
	    engine_ignore_match(r->context_ignore, crel))
		return false;
	if (target && r->w->target) {
		sbuf_reset(target);
		sbuf_adds(target, r->w->target);
		if (*rel) {
			if (!target->len || target->buf[target->len - 1] != '/')
				sbuf_addch(target, '/');
			for (const char *c = rel; *c; c++)
				sbuf_addch(target, *c == '\\' ? '/' : *c);
		}
	}
	return true;
}

/* ---- The debounce ---------------------------------------------------------
 */

void cli_debounce_add(struct cli_debounce *d, const char *path, long long now)
{
	d->last_ms = now;
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->paths[i], path))
			return;
	ALLOC_GROW(d->paths, d->n + 1, d->alloc);
	d->paths[d->n++] = xstrdup(path);
}

long cli_debounce_wait(const struct cli_debounce *d, long long now)
{
	long long left;

	if (!d->n)
		return -1;
	left = d->last_ms + CLI_WATCH_QUIET_MS - now;
	return left > 0 ? (long)left : 0;
}

char **cli_debounce_take(struct cli_debounce *d, size_t *n)
{
	char **v = d->paths;

	*n = d->n;
	d->paths = NULL;
	d->n = d->alloc = 0;
	return v;
}

void cli_debounce_release(struct cli_debounce *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	*d = (struct cli_debounce){0};
}
