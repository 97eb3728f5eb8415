/*
 * The fault suite's small local servers: mixcompose itself (the binary)
 * against endpoints that stand in for broken daemons.  Each case states
 * its limit: the time to give up, the exit status, a message naming the
 * daemon, and where it matters the peak memory.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_server.h"
#include "util/sbuf.h"

static char dir[64];

static void setup(void)
{
	char path[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/mixfault.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/compose.yaml", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("name: trustfault\nservices:\n  web:\n    image: busybox\n", f);
	fclose(f);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(engine_faults, .init = setup, .fini = teardown, .timeout = 60);

struct result {
	int status;	 /* exit status, or -1 */
	long ms;	 /* wall time */
	long maxrss_kb;	 /* peak resident set */
	struct sbuf out; /* stdout and stderr */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Runs mixcompose in 'dir' with only 'env' (plus PATH): argv after it. */
static void run(struct result *res, char *const *env, const char *const *args)
{
	char *argv[16] = {MIXCOMPOSE_BIN};
	char buf[4096];
	struct rusage ru;
	int fd[2], st;
	ssize_t n;
	pid_t pid;
	long t0;

	for (size_t i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	memset(res, 0, sizeof(*res));
	res->out = (struct sbuf)SBUF_INIT;
	cr_assert_eq(pipe(fd), 0);
	t0 = now_ms();
	pid = fork();
	cr_assert_neq(pid, -1);
	if (!pid) {
		int dn = open("/dev/null", O_RDONLY);

		dup2(fd[1], 1);
		dup2(fd[1], 2);
		dup2(dn, 0);
		close(fd[0]);
		if (chdir(dir))
			_exit(126);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0)
		sbuf_add(&res->out, buf, (size_t)n);
	close(fd[0]);
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	res->ms = now_ms() - t0;
	res->maxrss_kb = ru.ru_maxrss;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (!res->out.buf)
		sbuf_adds(&res->out, "");
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* "bad=URL[,extra]" */
static const char *
flag(char *buf, size_t size, struct fake_server *fs, const char *extra)
{
	snprintf(buf, size, "bad=%s%s", fake_url(fs), extra ? extra : "");
	return buf;
}

static char *env_none[] = {"PATH=/usr/bin:/bin", "HOME=/nonexistent",
			   "DOCKER_CONFIG=/nonexistent", NULL};

static void
expect(const struct result *res, int status, long max_ms, const char *needle)
{
	cr_assert_eq(res->status, status, "exit %d, want %d:\n%s", res->status,
		     status, res->out.buf);
	cr_assert_leq(res->ms, max_ms, "took %ld ms:\n%s", res->ms,
		      res->out.buf);
	cr_assert(strstr(res->out.buf, needle), "want '%s' in:\n%s", needle,
		  res->out.buf);
}

#define PING_OK                                                                \
	{                                                                      \
		.path = "/_ping", .body = "OK",                                \
		.headers = "Api-Version: 1.41\r\nOstype: linux\r\n"            \
	}

/* A daemon that accepts and never answers: given up on at the ping's 10 s
 * (twice the 5 s connect timeout). */
Test(engine_faults, never_answers)
{
	static const struct fake_route routes[] = {
		{.path = "/", .mode = FAKE_HANG}};
	struct fake_server *fs = fake_start_tcp(routes, 1);
	struct result res;
	char f[256];

	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "daemons"));
	expect(&res, 1, 12000,
	       "daemon 'bad': GET /_ping: no complete answer "
	       "within 10000 ms");
	cr_assert_geq(res.ms, 9000);
	sbuf_release(&res.out);
	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "ps"));
	expect(&res, 1, 12000, "daemon 'bad'");
	sbuf_release(&res.out);
	fake_stop(fs);
}

/* One byte every 300 ms: the same 10 s bound, not one per byte. */
Test(engine_faults, trickles)
{
	static const struct fake_route routes[] = {{.path = "/_ping",
						    .fixture = "ping.http",
						    .mode = FAKE_TRICKLE,
						    .delay_ms = 300}};
	struct fake_server *fs = fake_start(routes, 1);
	struct result res;
	char f[256];

	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "daemons"));
	expect(&res, 1, 12000, "daemon 'bad': GET /_ping: no complete answer");
	sbuf_release(&res.out);
	fake_stop(fs);
}

/* Garbage where /info's JSON should be: unreachable in daemons and ps. */
Test(engine_faults, invalid_json)
{
	static const struct fake_route routes[] = {
		PING_OK,
		{.path = "/info", .body = "<html>garbage</html>"},
		{.path = "/containers/json", .body = "[{\"Id\": tru"}};
	struct fake_server *fs = fake_start(routes, 3);
	struct result res;
	char f[256];

	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "daemons"));
	expect(&res, 1, 3000,
	       "daemon 'bad': GET /v1.41/info: 200: invalid "
	       "reply (not JSON): '<html>garbage</html>'");
	cr_assert(strstr(res.out.buf, " no "), "%s", res.out.buf);
	sbuf_release(&res.out);
	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "ps"));
	expect(&res, 1, 3000, "daemon 'bad': GET /v1.41/");
	cr_assert(strstr(res.out.buf, "invalid reply (not JSON)"), "%s",
		  res.out.buf);
	sbuf_release(&res.out);
	fake_stop(fs);
}

/*
 * 500 MB of JSON for the container list: refused at 64 MiB, and the peak
 * memory stays under 64 MiB above what ps needs otherwise.
 */
Test(engine_faults, huge_reply)
{
	static const struct fake_route routes[] = {
		PING_OK,
		{.path = "/info", .fixture = "info.http"},
		{.path = "/containers/json",
		 .mode = FAKE_HUGE,
		 .huge_len = (size_t)500 << 20}};
	static const struct fake_route small[] = {
		PING_OK,
		{.path = "/info", .fixture = "info.http"},
		{.path = "/containers/json", .body = "[]"}};
	struct fake_server *fs = fake_start(routes, 3);
	struct fake_server *base = fake_start(small, 3);
	struct result res;
	long baseline;
	char f[256];

	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), base, NULL), "ps"));
	cr_assert_eq(res.status, 0, "%s", res.out.buf);
	baseline = res.maxrss_kb;
	sbuf_release(&res.out);
	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "ps"));
	expect(&res, 1, 20000, "daemon 'bad': GET /v1.41/containers/json");
	cr_assert(strstr(res.out.buf, "the reply larger than 64 MiB: refused"),
		  "%s", res.out.buf);
#ifndef __SANITIZE_ADDRESS__
	/* ASan's allocator keeps freed blocks (quarantine): no bound there. */
	cr_assert_lt(res.maxrss_kb - baseline, 64 * 1024 + 8 * 1024,
		     "peak %ld KiB against %ld KiB", res.maxrss_kb, baseline);
#endif
	printf("huge_reply: baseline %ld KiB, peak %ld KiB, %ld ms\n", baseline,
	       res.maxrss_kb, res.ms);
	sbuf_release(&res.out);
	fake_stop(fs);
	fake_stop(base);
}

/* The reply stops half-way: an error naming the daemon, at once. */
Test(engine_faults, closes_mid_reply)
{
	static const struct fake_route routes[] = {
		PING_OK,
		{.path = "/info", .fixture = "info.http"},
		{.path = "/containers/json",
		 .body = "[{\"Id\":\"abc\"",
		 .mode = FAKE_TRUNCATE}};
	struct fake_server *fs = fake_start(routes, 3);
	struct result res;
	char f[256];

	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "ps"));
	expect(&res, 1, 3000, "daemon 'bad': GET /v1.41/containers/json");
	sbuf_release(&res.out);
	fake_stop(fs);
}

Test(engine_faults, api_too_old)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping",
		 .body = "OK",
		 .headers = "Api-Version: 1.24\r\nOstype: linux\r\n"}};
	struct fake_server *fs = fake_start(routes, 1);
	struct result res;
	char f[256];

	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "daemons"));
	expect(&res, 1, 3000,
	       "daemon 'bad': API version 1.24 is too old; mixcompose needs at "
	       "least 1.40");
	sbuf_release(&res.out);
	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "ps"));
	expect(&res, 1, 3000, "API version 1.24 is too old");
	sbuf_release(&res.out);
	fake_stop(fs);
}

/* A newer daemon is spoken to in the newest version we know. */
Test(engine_faults, api_too_new_is_negotiated_down)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping",
		 .body = "OK",
		 .headers = "Api-Version: 1.99\r\nOstype: linux\r\n"},
		{.path = "/info", .fixture = "info.http"}};
	struct fake_server *fs = fake_start(routes, 2);
	struct result res;
	char f[256];

	run(&res, env_none,
	    ARGS("--daemon", flag(f, sizeof(f), fs, NULL), "daemons"));
	expect(&res, 0, 3000, "1.47");
	sbuf_release(&res.out);
	fake_stop(fs);
}

/* Plain HTTP where TLS was asked: a TLS error, the server never asked. */
Test(engine_faults, plaintext_where_tls_was_asked)
{
	static const struct fake_route routes[] = {PING_OK};
	struct fake_server *fs = fake_start_tcp(routes, 1);
	char url[128], f[256], certs[160];
	char *env[] = {"PATH=/usr/bin:/bin", "HOME=/nonexistent",
		       "DOCKER_CONFIG=/nonexistent", certs, NULL};
	struct result res;

	snprintf(url, sizeof(url), "bad=https://%s", fake_url(fs) + 6);
	run(&res, env_none, ARGS("--daemon", url, "daemons"));
	expect(&res, 1, 3000,
	       "daemon 'bad': GET /_ping: cannot connect to "
	       "https://127.0.0.1:");
	cr_assert(strstr(res.out.buf, "TLS handshake failed"), "%s",
		  res.out.buf);
	sbuf_release(&res.out);
	/* tlsverify=true without cert=: DOCKER_CERT_PATH, whose CA is
	 * missing here. */
	snprintf(certs, sizeof(certs), "DOCKER_CERT_PATH=%s", dir);
	run(&res, env,
	    ARGS("--daemon", flag(f, sizeof(f), fs, ",tlsverify=true"), "ps"));
	expect(&res, 1, 3000, "daemon 'bad': could not read CA certificate '");
	sbuf_release(&res.out);
	cr_assert_eq(fake_requests(fs), 0);
	fake_stop(fs);
}

/* An endless compose file: refused at the loader's 8 MiB, at once. */
Test(engine_faults, endless_compose_file)
{
	struct result res;

	run(&res, env_none, ARGS("-f", "/dev/zero", "config"));
	expect(&res, 1, 3000,
	       "'/dev/zero' is larger than 8 MiB (the limit of a compose or "
	       "env file)");
	cr_assert_lt(res.maxrss_kb, 64 * 1024, "peak %ld KiB", res.maxrss_kb);
	sbuf_release(&res.out);
}
