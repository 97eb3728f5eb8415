#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"

/* Runs 'cmd' with sh, returns its exit status and its output in 'out'. */
static int run(char *out, size_t size, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	cr_assert_not_null(p, "%s", cmd);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(engine_curl_load, missing_library_fails_engine_new_then_recovers)
{
	struct engine_config cfg = {.name = "x",
				    .url = "unix:///nonexistent/mix.sock"};
	struct engine *e = NULL;
	struct diag err = {0};

	/* Each Criterion test is its own process: nothing is loaded yet. */
	setenv("MIXCOMPOSE_LIBCURL", "/nonexistent/libcurl.so.4", 1);
	cr_assert_eq(engine_new(&e, &cfg, &err), DIAG_ETRANSPORT);
	cr_assert_null(e);
	cr_assert_eq(err.code, DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg, "daemon 'x': cannot load "
				  "/nonexistent/libcurl.so.4: "),
		  "%s", err.msg);
	engine_loop_free(engine_loop_new());

	/* A failed load is not remembered: the real library loads later. */
	unsetenv("MIXCOMPOSE_LIBCURL");
	memset(&err, 0, sizeof(err));
	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_not_null(e);
	engine_free(e);
}

Test(engine_curl_load, library_without_curl_symbols_is_refused)
{
	struct engine_config cfg = {.name = "x",
				    .url = "unix:///nonexistent/mix.sock"};
	struct engine *e = NULL;
	struct diag err = {0};

	/* libc loads fine but has no curl_easy_init. */
	setenv("MIXCOMPOSE_LIBCURL", "libc.so.6", 1);
	cr_assert_eq(engine_new(&e, &cfg, &err), DIAG_ETRANSPORT);
	cr_assert_null(e);
	cr_assert(strstr(err.msg, "cannot load libc.so.6: it has no "
				  "'curl_easy_init'"),
		  "%s", err.msg);
}

Test(engine_curl_load, daemons_command_reports_missing_library)
{
	char out[8192];
	const char *cmd =
		"cd /tmp && MIXCOMPOSE_LIBCURL=/nonexistent/libcurl.so.4 "
		"'" MIXCOMPOSE_BIN "' --daemon x=unix:///nonexistent/mix.sock "
		"daemons 2>&1";

	cr_assert_eq(run(out, sizeof(out), cmd), 1, "%s", out);
	cr_assert(strstr(out, "daemon 'x': cannot load "
			      "/nonexistent/libcurl.so.4: "),
		  "%s", out);
}

Test(engine_curl_load, daemons_command_loads_the_real_library)
{
	char out[8192];
	const char *cmd = "cd /tmp && '" MIXCOMPOSE_BIN
			  "' --daemon x=unix:///nonexistent/mix.sock "
			  "daemons 2>&1";

	/* Loaded, curl itself fails to connect to the missing socket. */
	cr_assert_eq(run(out, sizeof(out), cmd), 1, "%s", out);
	cr_assert(strstr(out, "GET /_ping: cannot connect"), "%s", out);
	cr_assert_null(strstr(out, "cannot load"), "%s", out);
}

Test(engine_curl_load, binary_does_not_link_libcurl)
{
	char out[8192];

	cr_assert_eq(run(out, sizeof(out), "ldd '" MIXCOMPOSE_BIN "'"), 0);
	cr_assert(strstr(out, "libc.so"), "%s", out);
	cr_assert_null(strstr(out, "libcurl"), "%s", out);
	cr_assert_null(strstr(out, "libgnutls"), "%s", out);
}

Test(engine_archive_load, missing_library_fails_the_build_context_clearly)
{
	char dir[] = "/tmp/mixcompose-arload-XXXXXX";
	struct engine_context_spec cs = {0};
	struct diag err = {0};
	char *dockerfile = NULL;
	char path[64];
	FILE *f, *out;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Dockerfile", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("FROM scratch\n", f);
	fclose(f);
	cs.dir = dir;
	out = tmpfile();
	cr_assert_not_null(out);
	/* libarchive is loaded only when a context is written. */
	setenv("MIXCOMPOSE_LIBARCHIVE", "/nonexistent/libarchive.so.13", 1);
	cr_assert_eq(engine_build_context(out, &cs, &dockerfile, &err),
		     DIAG_EIO);
	cr_assert(strstr(err.msg, "cannot load /nonexistent/libarchive.so.13"),
		  "%s", err.msg);
	cr_assert_null(dockerfile);
	/* A failed load is not remembered. */
	unsetenv("MIXCOMPOSE_LIBARCHIVE");
	cr_assert_eq(engine_build_context(out, &cs, &dockerfile, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(dockerfile, "Dockerfile");
	cr_assert_gt(ftell(out), 512, "a tar was written");
	free(dockerfile);
	fclose(out);
	unlink(path);
	rmdir(dir);
}
