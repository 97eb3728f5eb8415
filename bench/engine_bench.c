/*
 * The engine's side of issue 3's benchmark, against one daemon:
 *   ping N        N /_ping round trips, one after another, through the
 *                 engine's sync API (one reused connection);
 *   lifecycle N   N containers created, started, stopped (t=0) and removed,
 *                 all at once through the engine's multi loop.
 * Prints the elapsed seconds; bench/engine.sh runs the curl floor beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_ping(struct engine *e, int n)
{
	struct engine_ping_info info;
	struct diag err = {0};
	double t0 = now();

	for (int i = 0; i < n; i++) {
		if (engine_ping(e, &info, &err)) {
			fprintf(stderr, "engine_bench: %s\n", err.msg);
			return 1;
		}
	}
	printf("%.6f %ld\n", now() - t0, engine_connects(e));
	return 0;
}

/* One container's walk through its life, driven by callbacks. */
struct life {
	struct engine_loop *loop;
	struct engine *e;
	char name[64];
	char id[80];
	int failed;
};

static void fail(struct life *c, const struct diag *err)
{
	fprintf(stderr, "engine_bench: %s: %s\n", c->name,
		err ? err->msg : "failed");
	c->failed = 1;
}

static void removed(void *ud, int rc, const struct diag *err)
{
	if (rc)
		fail(ud, err);
}

static void stopped(void *ud, int rc, const struct diag *err)
{
	struct life *c = ud;

	if (rc)
		fail(c, err);
	engine_container_remove_async(c->loop, c->e, c->id, true, false,
				      removed, c);
}

static void started(void *ud, int rc, const struct diag *err)
{
	struct life *c = ud;

	if (rc) {
		fail(c, err);
		engine_container_remove_async(c->loop, c->e, c->id, true, false,
					      removed, c);
		return;
	}
	engine_container_stop_async(c->loop, c->e, c->id, 0, stopped, c);
}

static void created(void *ud, int rc, const char *id, const struct diag *err)
{
	struct life *c = ud;

	if (rc) {
		fail(c, err);
		return;
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	engine_container_start_async(c->loop, c->e, c->id, started, c);
}

static int bench_lifecycle(struct engine *e, int n, const char *image)
{
	static const char *const cmd[] = {"sleep", "3600"};
	struct engine_container_spec spec = {0};
	struct engine_loop *loop = engine_loop_new();
	struct life *lives = calloc((size_t)n, sizeof(*lives));
	double t0;
	int failed = 0;

	spec.image = image;
	spec.cmd.v = cmd;
	spec.cmd.n = 2;
	spec.stop_timeout = -1;
	spec.init = -1;
	t0 = now();
	for (int i = 0; i < n; i++) {
		lives[i].loop = loop;
		lives[i].e = e;
		snprintf(lives[i].name, sizeof(lives[i].name),
			 "mixbench-engine-%d-%d", (int)getpid(), i);
		engine_container_create_async(loop, e, lives[i].name, NULL,
					      &spec, created, &lives[i]);
	}
	engine_loop_run(loop, -1);
	printf("%.6f\n", now() - t0);
	for (int i = 0; i < n; i++)
		failed |= lives[i].failed;
	engine_loop_free(loop);
	free(lives);
	return failed;
}

int main(int argc, char **argv)
{
	struct engine_config cfg = {0};
	struct engine *e = NULL;
	struct diag err = {0};
	int rc;

	if (argc < 4) {
		fprintf(stderr,
			"usage: engine_bench URL ping N\n"
			"       engine_bench URL lifecycle N [IMAGE]\n");
		return 2;
	}
	cfg.name = "bench";
	cfg.url = argv[1];
	if (engine_new(&e, &cfg, &err)) {
		fprintf(stderr, "engine_bench: %s\n", err.msg);
		return 1;
	}
	if (!strcmp(argv[2], "ping"))
		rc = bench_ping(e, atoi(argv[3]));
	else
		rc = bench_lifecycle(e, atoi(argv[3]),
				     argc > 4 ? argv[4] : "local/busybox:lab");
	engine_free(e);
	return rc;
}
