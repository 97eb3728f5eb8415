/*
 * The Windows-specific unit tests, run under wine by scripts/test-wine.sh.
 * Criterion does not cross-build (it needs its own IPC stack), so this is
 * a small runner of its own: each test is a function, CHECK records a
 * failure with its line and goes on, and the exit status is the number of
 * failed tests.  It links the same module libraries as mixcompose.exe and
 * must run from the directory of the zip (libcurl-4.dll beside it).
 *
 *   wintest.exe              run everything
 *   wintest.exe NAME...      run the tests named
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/sbuf.h"
#include "util/sha256.h"

static int failed_checks;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("  line %d: %s: ", __LINE__, #cond);            \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
			failed_checks++;                                       \
		}                                                              \
	} while (0)

/* A fresh directory under %TEMP%, with Windows separators. */
static char *temp_dir(const char *tag)
{
	const char *tmp = getenv("TEMP");
	unsigned char rnd[4];
	struct sbuf sb = SBUF_INIT;

	compat_random(rnd, sizeof(rnd));
	sbuf_addf(&sb, "%s\\mixcompose-%s-%02x%02x%02x%02x", tmp ? tmp : ".",
		  tag, rnd[0], rnd[1], rnd[2], rnd[3]);
	return sbuf_detach(&sb, NULL);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_paths(void)
{
	CHECK(compat_path_is_abs("C:\\Users\\me"), "drive and backslash");
	CHECK(compat_path_is_abs("c:/Users/me"), "drive and slash");
	CHECK(compat_path_is_abs("\\\\server\\share\\x"), "UNC path");
	CHECK(compat_path_is_abs("/work/x"), "rooted path");
	CHECK(!compat_path_is_abs("C:relative"), "drive-relative");
	CHECK(!compat_path_is_abs("data\\x"), "relative");
	CHECK(!strcmp(compat_home_var(), "USERPROFILE"), "%s",
	      compat_home_var());
	CHECK(compat_path_list_sep() == ';', "'%c'", compat_path_list_sep());
}

static void test_realpath_and_listing(void)
{
	char *dir = temp_dir("list"), *real, **names = NULL;
	struct sbuf p = SBUF_INIT;
	size_t n = 0;

	mkdir(dir);
	sbuf_addf(&p, "%s\\b.txt", dir);
	write_file(p.buf, "b");
	sbuf_reset(&p);
	sbuf_addf(&p, "%s\\a.txt", dir);
	write_file(p.buf, "a");
	CHECK(compat_dir_list(&names, &n, dir) == 0, "listing %s", dir);
	CHECK(n == 2 && !strcmp(names[0], "a.txt") &&
		      !strcmp(names[1], "b.txt"),
	      "%zu names", n);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	real = compat_realpath(p.buf);
	CHECK(real && compat_path_is_abs(real), "%s", real ? real : "(null)");
	free(real);
	CHECK(!compat_realpath("Z:\\no\\such\\file"), "a missing file");
	remove(p.buf);
	sbuf_reset(&p);
	sbuf_addf(&p, "%s\\b.txt", dir);
	remove(p.buf);
	rmdir(dir);
	sbuf_release(&p);
	free(dir);
}

static int by_key(const void *a, const void *b, void *arg)
{
	(void)arg;
	return ((const int *)a)[0] - ((const int *)b)[0];
}

static void test_libc_gaps(void)
{
	int v[6][2] = {{2, 0}, {1, 1}, {2, 2}, {1, 3}, {0, 4}, {2, 5}};
	struct tm tm = {.tm_year = 70, .tm_mon = 0, .tm_mday = 2};
	const char hay[] = "abc!reset";

	compat_qsort_r(v, 6, sizeof(v[0]), by_key, NULL);
	/* Stable, as glibc's merge sort: ties keep their order. */
	CHECK(v[0][1] == 4 && v[1][1] == 1 && v[2][1] == 3 && v[3][1] == 0 &&
		      v[4][1] == 2 && v[5][1] == 5,
	      "order %d %d %d %d %d %d", v[0][1], v[1][1], v[2][1], v[3][1],
	      v[4][1], v[5][1]);
	CHECK(compat_timegm(&tm) == 86400, "%lld", compat_timegm(&tm));
	CHECK(compat_memmem(hay, 9, "!reset", 6) == hay + 3, "memmem");
	CHECK(!compat_memmem(hay, 9, "nope", 4), "memmem miss");
	CHECK(compat_memrchr(hay, 'e', 9) == hay + 7, "memrchr");
	CHECK(!compat_memrchr(hay, 'e', 5), "memrchr miss");
	CHECK(compat_setenv("MIXCOMPOSE_WINTEST", "1") == 0 &&
		      getenv("MIXCOMPOSE_WINTEST") &&
		      !strcmp(getenv("MIXCOMPOSE_WINTEST"), "1"),
	      "setenv");
	CHECK(compat_unsetenv("MIXCOMPOSE_WINTEST") == 0 &&
		      !getenv("MIXCOMPOSE_WINTEST"),
	      "unsetenv");
}

/* mkdir -p with either separator; rename over an existing file (the
 * probe cache is rewritten that way), which Windows' rename() refuses. */
static void test_mkdir_and_rename(void)
{
	char *dir = temp_dir("mkdir");
	struct sbuf deep = SBUF_INIT, a = SBUF_INIT, b = SBUF_INIT;
	struct stat st;
	char got[8] = "";
	FILE *f;

	sbuf_addf(&deep, "%s\\x/y\\z", dir);
	CHECK(compat_mkdir_p(deep.buf) == 0, "mkdir -p %s", deep.buf);
	CHECK(stat(deep.buf, &st) == 0 && (st.st_mode & S_IFDIR), "%s",
	      deep.buf);
	CHECK(compat_mkdir_p(deep.buf) == 0, "again");
	sbuf_addf(&a, "%s\\new", deep.buf);
	sbuf_addf(&b, "%s\\old", deep.buf);
	write_file(a.buf, "new");
	write_file(b.buf, "old");
	CHECK(compat_rename(a.buf, b.buf) == 0, "rename over an existing file");
	f = fopen(b.buf, "rb");
	if (f) {
		CHECK(fread(got, 1, sizeof(got) - 1, f) == 3, "read");
		fclose(f);
	}
	CHECK(!strcmp(got, "new"), "'%s'", got);
	CHECK(compat_mkdir_p(b.buf) != 0, "a file is no directory");
	remove(b.buf);
	sbuf_reset(&a);
	sbuf_addf(&a, "rmdir /s /q \"%s\" >NUL 2>&1", dir);
	system(a.buf);
	sbuf_release(&deep);
	sbuf_release(&a);
	sbuf_release(&b);
	free(dir);
}

/* %USERPROFILE%\.docker\config.json names a context; its meta.json the pipe. */
static void test_context_under_userprofile(void)
{
	char *home = temp_dir("home"), hex[SHA256_HEX_LEN + 1];
	struct sbuf p = SBUF_INIT, env = SBUF_INIT;
	struct engine_registry *r = NULL;
	struct engine_daemon *d;
	struct diag err = {0};
	char *environ_[2];
	int rc;

	sha256_hex(hex, "desktop-linux", strlen("desktop-linux"));
	mkdir(home);
	sbuf_addf(&p, "%s\\.docker", home);
	mkdir(p.buf);
	sbuf_addf(&p, "\\contexts");
	mkdir(p.buf);
	sbuf_addf(&p, "\\meta");
	mkdir(p.buf);
	sbuf_addf(&p, "\\%s", hex);
	mkdir(p.buf);
	sbuf_addf(&p, "\\meta.json");
	write_file(p.buf, "{\"Name\":\"desktop-linux\",\"Metadata\":{},"
			  "\"Endpoints\":{\"docker\":{\"Host\":"
			  "\"npipe:////./pipe/dockerDesktopLinuxEngine\","
			  "\"SkipTLSVerify\":false}}}");
	sbuf_reset(&p);
	sbuf_addf(&p, "%s\\.docker\\config.json", home);
	write_file(p.buf, "{\"currentContext\":\"desktop-linux\"}");
	sbuf_addf(&env, "USERPROFILE=%s", home);
	environ_[0] = env.buf;
	environ_[1] = NULL;
	rc = engine_registry_new(
		&r, &(struct engine_registry_opts){.environ_ = environ_}, &err);
	CHECK(rc == 0, "%s", err.msg);
	d = rc ? NULL : engine_registry_at(r, 0);
	CHECK(d && !strcmp(d->url, "npipe:////./pipe/dockerDesktopLinuxEngine"),
	      "%s", d ? d->url : "(none)");
	CHECK(d && d->context && !strcmp(d->context, "desktop-linux"), "%s",
	      d && d->context ? d->context : "(none)");
	engine_registry_free(r);
	sbuf_release(&p);
	sbuf_release(&env);
	free(home);
}

static void test_hosts_block_text(void)
{
	const struct plan_host_entry e[] = {
		{.name = "web", .ip = "172.30.1.2"},
		{.name = "mixlab-web-1", .ip = "172.30.1.2"},
		{.name = "nginx", .ip = "172.30.0.2"},
		{.name = "late", .late = true},
	};
	struct sbuf sb = SBUF_INIT;
	struct compose_strv argv = {0};
	struct arena *a = arena_new();
	struct diag err = {0};

	CHECK(plan_hosts_block(&sb, e, 4, &err) == 0, "%s", err.msg);
	/* One line per address, in the order of its first name. */
	CHECK(!strcmp(sb.buf, "# mixcompose begin\n"
			      "172.30.1.2 web mixlab-web-1 # mixcompose\n"
			      "172.30.0.2 nginx # mixcompose\n"
			      "# mixcompose end\n"),
	      "[%s]", sb.buf);
	CHECK(plan_hosts_exec_argv(&argv, a, "windows", e, 4, &err) == 0, "%s",
	      err.msg);
	CHECK(argv.n == 4 && !strcmp(argv.v[0], "cmd") &&
		      !strchr(argv.v[3], '"'),
	      "%zu words", argv.n);
	arena_free(a);
	sbuf_release(&sb);
}

/* A pipe that is not there: the message names it and the daemon. */
static void test_missing_pipe(void)
{
	struct engine_config cfg = {
		.name = "desktop-windows",
		.url = "npipe:////./pipe//mixcompose_no_such_pipe",
		.connect_timeout_ms = 2000,
	};
	struct engine *e = NULL;
	struct engine_ping_info info;
	struct diag err = {0};

	CHECK(engine_new(&e, &cfg, &err) == 0, "%s", err.msg);
	if (!e)
		return;
	CHECK(engine_ping(e, &info, &err) != 0, "a ping through no pipe");
	CHECK(strstr(err.msg, "desktop-windows") &&
		      strstr(err.msg, "\\\\.\\pipe\\mixcompose_no_such_pipe"),
	      "%s", err.msg);
	engine_free(e);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{"paths", test_paths},
	{"realpath_and_listing", test_realpath_and_listing},
	{"libc_gaps", test_libc_gaps},
	{"mkdir_and_rename", test_mkdir_and_rename},
	{"context_under_userprofile", test_context_under_userprofile},
	{"hosts_block_text", test_hosts_block_text},
	{"missing_pipe", test_missing_pipe},
};

int main(int argc, char **argv)
{
	int failed = 0, ran = 0;

	compat_init();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		bool want = argc < 2;
		int before = failed_checks;

		for (int j = 1; j < argc; j++)
			want |= !strcmp(argv[j], tests[i].name);
		if (!want)
			continue;
		tests[i].fn();
		ran++;
		if (failed_checks != before)
			failed++;
		printf("%s %s\n", failed_checks == before ? "ok  " : "FAIL",
		       tests[i].name);
	}
	printf("wintest: %d tests, %d failed\n", ran, failed);
	return failed;
}
