#ifndef TESTS_COMPOSE_LOAD_HELPERS_H
#define TESTS_COMPOSE_LOAD_HELPERS_H

/*
 * Shared by test_load.c, test_merge.c, test_normalize.c and
 * test_config_output.c: a scratch project directory, a controlled process
 * environment, and load + normalize in one call.
 */

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/compose.h"
#include "util/sbuf.h"

#define FIXTURE(p) TEST_FIXTURES_DIR "/" p

struct lt {
	char dir[64];
	struct compose_options o;
	const char *files[8];
	const char *env_files[4];
	const char *profiles[4];
	char *env[16];
	size_t nenv;
	struct compose_project *p;
	struct diag err;
	struct diag_list dl;
	int rc;	 /* compose_project_load */
	int nrc; /* compose_project_normalize */
};

static inline void lt_init(struct lt *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->dir, "/tmp/mixc-test-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	t->env[t->nenv++] = "HOME=/home/tester";
	t->env[t->nenv++] = "PATH=/usr/bin:/bin";
	t->o.environ_ = t->env;
	t->o.cwd = t->dir;
	t->dl = (struct diag_list)DIAG_LIST_INIT;
}

static inline void lt_mkdirs(const char *path)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(buf, 0755);
			*s = '/';
		}
	}
}

/* Writes 'text' to DIR/name (creating sub-directories). */
static inline void lt_write(struct lt *t, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	lt_mkdirs(path);
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* A process environment variable ("NAME=value"). */
static inline void lt_env(struct lt *t, char *kv)
{
	t->env[t->nenv++] = kv;
}

static inline void lt_file(struct lt *t, const char *f)
{
	t->files[t->o.n_files++] = f;
	t->o.files = t->files;
}

static inline void lt_profile(struct lt *t, const char *pr)
{
	t->profiles[t->o.n_profiles++] = pr;
	t->o.profiles = t->profiles;
}

static inline void lt_env_file(struct lt *t, const char *f)
{
	t->env_files[t->o.n_env_files++] = f;
	t->o.env_files = t->env_files;
}

/* Loads, then normalizes when loading worked. */
static inline int lt_load(struct lt *t)
{
	t->rc = compose_project_load(&t->p, &t->o, &t->err);
	if (!t->rc)
		t->nrc = compose_project_normalize(t->p, &t->dl);
	return t->rc;
}

/* Loads 'yaml' as DIR/compose.yaml; asserts load and normalize worked. */
static inline struct compose_project *lt_ok(struct lt *t, const char *yaml)
{
	if (yaml)
		lt_write(t, "compose.yaml", yaml);
	lt_load(t);
	cr_assert_eq(t->rc, 0, "load: %d:%d: %s", t->err.loc.line,
		     t->err.loc.col, t->err.msg);
	cr_assert_eq(t->dl.errors, 0, "normalize: %d:%d: %s",
		     t->dl.nr ? t->dl.items[0].d.loc.line : 0,
		     t->dl.nr ? t->dl.items[0].d.loc.col : 0,
		     t->dl.nr ? t->dl.items[0].d.msg : "");
	return t->p;
}

/* The first normalize error whose message contains 'needle', or NULL. */
static inline const struct diag *lt_diag(const struct lt *t, const char *needle)
{
	for (size_t i = 0; i < t->dl.nr; i++)
		if (t->dl.items[i].severity == DIAG_ERROR &&
		    strstr(t->dl.items[i].d.msg, needle))
			return &t->dl.items[i].d;
	return NULL;
}

/* Asserts a normalize error at line:col containing 'needle'. */
static inline void
lt_expect(const struct lt *t, const char *needle, int line, int col)
{
	const struct diag *d = lt_diag(t, needle);

	cr_assert_not_null(
		d, "no error containing '%s' (%zu errors; first: %s)", needle,
		t->dl.errors, t->dl.nr ? t->dl.items[0].d.msg : "none");
	cr_assert_eq(d->code, DIAG_EMODEL);
	cr_assert_eq(d->loc.line, line, "line %d, want %d (%s)", d->loc.line,
		     line, d->msg);
	cr_assert_eq(d->loc.col, col, "col %d, want %d (%s)", d->loc.col, col,
		     d->msg);
}

static inline int
lt_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void lt_done(struct lt *t)
{
	compose_project_free(t->p);
	t->p = NULL;
	diag_list_release(&t->dl);
	nftw(t->dir, lt_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The service's environment value ("" for unset shown as "(unset)"). */
static inline const struct compose_kv *
lt_kv(const struct compose_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return &kv[i];
	return NULL;
}

static inline const struct compose_service *lt_svc(const struct lt *t,
						   const char *name)
{
	const struct compose_service *s = compose_service_find(t->p, name);

	cr_assert_not_null(s, "no service '%s'", name);
	return s;
}

/* The JSON text of the project's config output. */
static inline char *lt_json(const struct lt *t)
{
	struct sbuf sb = SBUF_INIT;

	compose_project_emit(&sb, t->p, true);
	return sbuf_detach(&sb, NULL);
}

#endif
