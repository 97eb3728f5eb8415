/*
 * Read slots: a loop sends a few short GETs to one daemon at a time, on
 * connections it reuses; over ssh:// one `ssh ... dial-stdio` child
 * carries them all.  Streams and other methods never wait in line.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fake_server.h"

static struct fake_server *fs;
static struct engine *eng;
static char tmp[64];

static void teardown(void)
{
	char cmd[128];

	engine_free(eng);
	eng = NULL;
	fake_stop(fs);
	fs = NULL;
	if (tmp[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		cr_assert_eq(system(cmd), 0);
		tmp[0] = '\0';
	}
}

TestSuite(engine_slots, .fini = teardown);

static const struct fake_route routes[] = {
	{.path = "/_ping", .fixture = "ping.http"},
	{.path = "/images/", .fixture = "image_inspect.http"},
	{.method = "POST",
	 .path = "/stop",
	 .fixture = "no_content.http",
	 .mode = FAKE_SLOW,
	 .delay_ms = 300},
};

static struct engine *engine_at(const char *url)
{
	struct engine_config cfg = {.name = "slots", .url = url};
	struct diag err = {0};

	cr_assert_eq(engine_new(&eng, &cfg, &err), 0, "%s", err.msg);
	return eng;
}

static void count_image(void *ud,
			int rc,
			const struct engine_image_info *info,
			const struct diag *err)
{
	(void)info;
	cr_assert_eq(rc, 0, "%s", err ? err->msg : "");
	(*(int *)ud)++;
}

static void count_done(void *ud, int rc, const struct diag *err)
{
	cr_assert_eq(rc, 0, "%s", err ? err->msg : "");
	(*(int *)ud)++;
}

/* 'n' inspects in one loop; returns how many answered. */
static int inspects(struct engine *e, int n)
{
	struct engine_loop *l = engine_loop_new();
	int ok = 0;

	for (int i = 0; i < n; i++)
		engine_image_inspect_async(l, e, "busybox", count_image, &ok);
	cr_assert_eq(engine_loop_run(l, 20000), 0);
	engine_loop_free(l);
	return ok;
}

Test(engine_slots, fifty_gets_share_a_few_connections)
{
	struct engine *e;

	fs = fake_start(routes, 3);
	e = engine_at(fake_url(fs));
	cr_assert_eq(inspects(e, 50), 50);
	/* The ping and fifty inspects. */
	cr_assert_eq(fake_requests(fs), 51);
	cr_assert_leq(fake_connections(fs), ENGINE_READ_SLOTS);
	cr_assert_geq(fake_connections(fs), 1);
}

Test(engine_slots, posts_never_wait_for_a_slot)
{
	struct engine_loop *l = engine_loop_new();
	struct engine *e;
	int ok = 0, n = ENGINE_READ_SLOTS + 3;

	fs = fake_start(routes, 3);
	e = engine_at(fake_url(fs));
	/* Slow stops, all in flight at once: one connection each. */
	for (int i = 0; i < n; i++)
		engine_container_stop_async(l, e, "c", 1, count_done, &ok);
	cr_assert_eq(engine_loop_run(l, 20000), 0);
	engine_loop_free(l);
	cr_assert_eq(ok, n);
	cr_assert_geq(fake_connections(fs), n);
}

/*
 * A fake `ssh` first on PATH: it notes each start and relays its stdin
 * and stdout to the fake daemon, as `docker system dial-stdio` would.
 */
static int ssh_spawns(void)
{
	char path[128], line[16];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/spawns", tmp);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static void fake_ssh(void)
{
	char path[128], newpath[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "/tmp/mixslots.XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/ssh", tmp);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"#!/bin/sh\necho spawn >> '%s/spawns'\n"
		"exec socat - 'UNIX-CONNECT:%s'\n",
		tmp, fake_url(fs) + strlen("unix://"));
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, 0755), 0);
	snprintf(newpath, sizeof(newpath), "%s:%s", tmp, getenv("PATH"));
	setenv("PATH", newpath, 1);
}

Test(engine_slots, ssh_carries_every_get_on_one_child)
{
	struct engine *e;

	fs = fake_start(routes, 3);
	fake_ssh();
	e = engine_at("ssh://user@fake.invalid/var/run/docker.sock");
	cr_assert_eq(inspects(e, 20), 20);
	cr_assert_eq(fake_requests(fs), 21);
	cr_assert_eq(ssh_spawns(), 1, "one ssh child for all GETs");
	cr_assert_eq(fake_connections(fs), 1);
	/* A second loop reuses the same child: it is still alive. */
	cr_assert_eq(inspects(e, 5), 5);
	cr_assert_eq(ssh_spawns(), 1);
}
