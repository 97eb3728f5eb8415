/* .dockerignore matching, the context tar (listed back with libarchive)
 * and the build query. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"

static void ctx_setup(void);
static void ctx_teardown(void);

/* Every test gets a scratch context directory (the matching ones ignore it). */
TestSuite(engine_build_context, .init = ctx_setup, .fini = ctx_teardown);

static struct engine_ignore *ign(const char *text)
{
	struct engine_ignore *ig = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_ignore_parse(&ig, text, ".dockerignore", &err), 0,
		     "%s", err.msg);
	return ig;
}

static bool excluded(const char *text, const char *path)
{
	struct engine_ignore *ig = ign(text);
	bool m = engine_ignore_match(ig, path);

	engine_ignore_free(ig);
	return m;
}

Test(engine_build_context, star_stays_in_one_directory)
{
	cr_assert(excluded("*.log\n", "a.log"));
	cr_assert_not(excluded("*.log\n", "dir/a.log"));
	cr_assert(excluded("*/*.log\n", "dir/a.log"));
}

Test(engine_build_context, double_star_spans_directories)
{
	cr_assert(excluded("**/*.log\n", "a.log"));
	cr_assert(excluded("**/*.log\n", "x/y/a.log"));
	cr_assert(excluded("a/**/b\n", "a/b"));
	cr_assert(excluded("a/**/b\n", "a/x/y/b"));
	cr_assert_not(excluded("a/**/b\n", "ab"));
	cr_assert(excluded("a/**\n", "a/x/y"));
	cr_assert(excluded("**\n", "anything/at/all"));
}

Test(engine_build_context, question_mark_and_classes)
{
	cr_assert(excluded("file?.txt\n", "file1.txt"));
	cr_assert_not(excluded("file?.txt\n", "file10.txt"));
	cr_assert_not(excluded("a?b\n", "a/b"));
	cr_assert(excluded("f[0-9].txt\n", "f7.txt"));
	cr_assert_not(excluded("f[^0-9].txt\n", "f7.txt"));
	cr_assert(excluded("f\\*\n", "f*"));
	cr_assert_not(excluded("f\\*\n", "fx"));
}

Test(engine_build_context, parent_directory_match_excludes_content)
{
	cr_assert(excluded("node_modules\n", "node_modules/x/y.js"));
	cr_assert_not(excluded("node_modules\n", "src/node_modules"));
}

Test(engine_build_context, exceptions_last_match_wins)
{
	const char *t = "*.md\n!README.md\n";

	cr_assert(excluded(t, "CHANGES.md"));
	cr_assert_not(excluded(t, "README.md"));
	cr_assert(excluded("*.md\n!README.md\nREADME.md\n", "README.md"));
	cr_assert_not(excluded("docs\n!docs/keep.txt\n", "docs/keep.txt"));
	cr_assert(excluded("docs\n!docs/keep.txt\n", "docs/other.txt"));
}

Test(engine_build_context, cleaning_comments_and_leading_slash)
{
	const char *t = "# a comment\n\n  /build/  \n./tmp//x\n #notcomment\n";

	cr_assert(excluded(t, "build/out.o"));
	cr_assert(excluded(t, "tmp/x"));
	cr_assert(excluded(t, "#notcomment"));
	cr_assert_not(excluded(t, "# a comment"));
	cr_assert_not(excluded("\xef\xbb\xbf"
			       "a\n",
			       "\xef\xbb\xbf"
			       "a"));
	cr_assert(excluded("\xef\xbb\xbf"
			   "a\n",
			   "a"));
}

Test(engine_build_context, bad_patterns_name_the_line)
{
	struct engine_ignore *ig = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_ignore_parse(&ig, "ok\n[abc\n", "X", &err),
		     DIAG_EMODEL);
	cr_assert_null(ig);
	cr_assert(strstr(err.msg, "X:2:"), "%s", err.msg);
	cr_assert_eq(engine_ignore_parse(&ig, "a\nb\n !\n", "X", &err),
		     DIAG_EMODEL);
	cr_assert(strstr(err.msg, "X:3:"), "%s", err.msg);
}

/* ---- The tar ---------------------------------------------------------- */

static char dir[64];

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	cr_assert_eq(mkdir(path, 0755), 0);
}

static int rm_cb(const char *p, const struct stat *st, int fl, struct FTW *f)
{
	(void)st;
	(void)fl;
	(void)f;
	return remove(p);
}

static void ctx_setup(void)
{
	strcpy(dir, "/tmp/mixc-ctx-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	put("Dockerfile", "FROM scratch\nCOPY . /\n", 0644);
	put("run.sh", "#!/bin/sh\n", 0755);
	put("secret.txt", "no\n", 0600);
	mk("b");
	put("b/keep.md", "keep\n", 0644);
	put("b/drop.md", "drop\n", 0644);
	mk("a");
	put("a/z.txt", "z\n", 0644);
	{
		char l[256];

		snprintf(l, sizeof(l), "%s/link", dir);
		cr_assert_eq(symlink("run.sh", l), 0);
	}
	put(".dockerignore",
	    "secret.txt\nb/*.md\n!b/keep.md\nDockerfile\n.dockerignore\n",
	    0644);
}

static void ctx_teardown(void)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

struct entry {
	char name[128];
	unsigned mode;
	char link[64];
	char data[64];
};

/* Lists the tar in 'f' with libarchive; returns the number of entries. */
static size_t list(FILE *f, struct entry *v, size_t cap)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *e;
	size_t n = 0;

	rewind(f);
	archive_read_support_format_tar(ar);
	cr_assert_eq(archive_read_open_FILE(ar, f), ARCHIVE_OK);
	while (n < cap && archive_read_next_header(ar, &e) == ARCHIVE_OK) {
		la_ssize_t got;

		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%s",
			 archive_entry_pathname(e));
		v[n].mode = archive_entry_mode(e);
		cr_assert_eq(archive_entry_uid(e), 0);
		if (archive_entry_symlink(e))
			snprintf(v[n].link, sizeof(v[n].link), "%s",
				 archive_entry_symlink(e));
		got = archive_read_data(ar, v[n].data, sizeof(v[n].data) - 1);
		cr_assert_geq(got, 0);
		n++;
	}
	archive_read_free(ar);
	return n;
}

static const struct entry *find(const struct entry *v, size_t n, const char *nm)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, nm))
			return &v[i];
	return NULL;
}

Test(engine_build_context, content_order_modes_links_and_ignores)
{
	struct engine_context_spec cs = {.dir = dir};
	struct entry v[32];
	struct diag err = {0};
	char *df = NULL;
	FILE *f = tmpfile();
	size_t n;

	cr_assert_eq(engine_build_context(f, &cs, &df, &err), 0, "%s", err.msg);
	cr_assert_str_eq(df, "Dockerfile");
	n = list(f, v, 32);
	/* Name order at each level; ignored files absent; the Dockerfile and
	 * .dockerignore sent although ignored (as the docker CLI does). */
	{
		/* Directories end in '/', as in the docker CLI's tars. */
		const char *want[] = {
			".dockerignore", "Dockerfile", "a/",	"a/z.txt", "b/",
			"b/keep.md",	 "link",       "run.sh"};

		cr_assert_eq(n, 8, "%zu entries", n);
		for (size_t i = 0; i < n; i++)
			cr_assert_str_eq(v[i].name, want[i], "entry %zu: %s", i,
					 v[i].name);
	}
	cr_assert_null(find(v, n, "secret.txt"));
	cr_assert_null(find(v, n, "b/drop.md"));
	cr_assert_eq(find(v, n, "run.sh")->mode & 07777, 0755);
	cr_assert_eq(find(v, n, "a/")->mode & 0170000, 0040000);
	cr_assert_str_eq(find(v, n, "link")->link, "run.sh");
	cr_assert_str_eq(find(v, n, "b/keep.md")->data, "keep\n");
	free(df);
	fclose(f);
}

Test(engine_build_context, same_tree_same_bytes)
{
	struct engine_context_spec cs = {.dir = dir};
	struct diag err = {0};
	char *d1 = NULL, *d2 = NULL, b1[16384], b2[16384];
	FILE *f1 = tmpfile(), *f2 = tmpfile();
	size_t n1, n2;

	cr_assert_eq(engine_build_context(f1, &cs, &d1, &err), 0);
	cr_assert_eq(engine_build_context(f2, &cs, &d2, &err), 0);
	rewind(f1);
	rewind(f2);
	n1 = fread(b1, 1, sizeof(b1), f1);
	n2 = fread(b2, 1, sizeof(b2), f2);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(b1, b2, n1), 0);
	free(d1);
	free(d2);
	fclose(f1);
	fclose(f2);
}

Test(engine_build_context, inline_dockerfile_gets_a_generated_name)
{
	struct engine_context_spec cs = {.dir = dir,
					 .dockerfile_inline = "FROM scratch\n"};
	struct entry v[32];
	struct diag err = {0};
	char *df = NULL;
	FILE *f = tmpfile();
	size_t n;

	cr_assert_eq(engine_build_context(f, &cs, &df, &err), 0, "%s", err.msg);
	cr_assert(!strncmp(df, ".dockerfile.", 12), "%s", df);
	n = list(f, v, 32);
	cr_assert_not_null(find(v, n, df));
	cr_assert_str_eq(find(v, n, df)->data, "FROM scratch\n");
	free(df);
	fclose(f);
}

Test(engine_build_context, missing_dockerfile_is_an_error)
{
	struct engine_context_spec cs = {.dir = dir, .dockerfile = "Nope"};
	struct diag err = {0};
	char *df = NULL;
	FILE *f = tmpfile();

	cr_assert_eq(engine_build_context(f, &cs, &df, &err), DIAG_EIO);
	cr_assert(strstr(err.msg, "'Nope'"), "%s", err.msg);
	cr_assert_null(df);
	fclose(f);
}

Test(engine_build_context, query_has_every_option)
{
	const char *tags[] = {"proj-app", "app:extra"};
	const char *hosts[] = {"db:10.0.0.5"};
	const char *cache[] = {"app:cache"};
	struct engine_kv args[] = {{"A", "1"}, {"UNSET", NULL}};
	struct engine_kv labels[] = {{"tier", "web"}};
	struct engine_ulimit ul[] = {{"nofile", 1024, 2048}, {"nproc", 64, 64}};
	struct engine_build_spec sp = {
		.tags = {tags, 2},
		.args = args,
		.n_args = 2,
		.target = "final",
		.labels = labels,
		.n_labels = 1,
		.network = "host",
		.shm_size = 1024,
		.extra_hosts = {hosts, 1},
		.no_cache = true,
		.pull = true,
		.cache_from = {cache, 1},
		.isolation = "default",
		.ulimits = ul,
		.n_ulimits = 2,
	};
	char *q = engine_build_query(&sp, "Dockerfile.win");

	/* ulimits as the daemon reads them: [{"Name","Soft","Hard"}]. */
	cr_assert_str_eq(q, "rm=1&t=proj-app&t=app%3Aextra"
			    "&dockerfile=Dockerfile.win"
			    "&buildargs=%7B%22A%22%3A%221%22%7D&target=final"
			    "&labels=%7B%22tier%22%3A%22web%22%7D"
			    "&networkmode=host&shmsize=1024"
			    "&extrahosts=db%3A10.0.0.5&nocache=1&pull=1"
			    "&isolation=default"
			    "&ulimits=%5B%7B%22Name%22%3A%22nofile%22%2C"
			    "%22Soft%22%3A1024%2C%22Hard%22%3A2048%7D%2C"
			    "%7B%22Name%22%3A%22nproc%22%2C%22Soft%22%3A64%2C"
			    "%22Hard%22%3A64%7D%5D"
			    "&cachefrom=%5B%22app%3Acache%22%5D");
	free(q);
}

Test(engine_build_context, no_isolation_or_ulimits_sends_neither)
{
	struct engine_build_spec sp = {0};
	char *q = engine_build_query(&sp, "Dockerfile");

	cr_assert_str_eq(q, "rm=1&dockerfile=Dockerfile");
	free(q);
}
