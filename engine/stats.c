/*
 * Stats: GET /containers/{id}/stats, one reply (stream=0) or a stream of
 * JSON lines, each reduced to the figures `docker stats` shows.  The two
 * shapes differ: a Linux daemon sends cgroup figures (a memory limit,
 * page cache to leave out, system CPU time, pids, blkio), a Windows daemon
 * the Host Compute Service's (a private working set and no limit, CPU in
 * 100 ns intervals over num_procs processors between read and preread,
 * storage_stats instead of blkio, no pids).
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* "2026-11-25T15:37:46.969332055Z" -> unix nanoseconds; 0 if none. */
static long long rfc3339_nanos(const char *s)
{
	long long sec = eng_rfc3339_seconds(s), ns = 0, scale = 100000000;
	const char *dot = s ? strchr(s, '.') : NULL;

	if (!sec)
		return 0;
	for (const char *p = dot ? dot + 1 : "";
	     *p >= '0' && *p <= '9' && scale; p++, scale /= 10)
		ns += (*p - '0') * scale;
	return sec * 1000000000LL + ns;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static double cpu_total(const cJSON *j, const char *which)
{
	return num(ej_obj(ej_obj(j, which), "cpu_usage"), "total_usage");
}

/* As the docker CLI: container CPU time over system CPU time, x CPUs. */
static double cpu_percent_linux(const cJSON *j)
{
	const cJSON *cpu = ej_obj(j, "cpu_stats");
	double cpu_delta =
		cpu_total(j, "cpu_stats") - cpu_total(j, "precpu_stats");
	double sys_delta = num(cpu, "system_cpu_usage") -
			   num(ej_obj(j, "precpu_stats"), "system_cpu_usage");
	double cpus = num(cpu, "online_cpus");

	if (cpus == 0.0)
		cpus = (double)cJSON_GetArraySize(
			ej_obj(ej_obj(cpu, "cpu_usage"), "percpu_usage"));
	if (sys_delta > 0.0 && cpu_delta > 0.0)
		return cpu_delta / sys_delta * cpus * 100.0;
	return 0.0;
}

/* 100 ns intervals used over those that num_procs could have used. */
static double cpu_percent_windows(const cJSON *j)
{
	long long read = rfc3339_nanos(ej_str(j, "read"));
	long long pre = rfc3339_nanos(ej_str(j, "preread"));
	double possible, used;

	if (!read || !pre || read <= pre)
		return 0.0;
	possible = (double)((read - pre) / 100) * num(j, "num_procs");
	used = cpu_total(j, "cpu_stats") - cpu_total(j, "precpu_stats");
	return possible > 0.0 && used > 0.0 ? used / possible * 100.0 : 0.0;
}

/* Usage without the inactive page cache (cgroup v1, then v2). */
static double mem_no_cache(const cJSON *mem)
{
	const cJSON *st = ej_obj(mem, "stats");
	const cJSON *v1 =
		cJSON_GetObjectItemCaseSensitive(st, "total_inactive_file");
	double usage = num(mem, "usage");
	double v2 = num(st, "inactive_file");

	if (cJSON_IsNumber(v1) && v1->valuedouble < usage)
		return usage - v1->valuedouble;
	if (v2 < usage)
		return usage - v2;
	return usage;
}

static void blkio(struct engine_stats *s, const cJSON *j)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, ej_obj(ej_obj(j, "blkio_stats"),
				     "io_service_bytes_recursive")) {
		const char *op = ej_str(e, "op");

		if (op && (*op == 'r' || *op == 'R'))
			s->blk_read += num(e, "value");
		else if (op && (*op == 'w' || *op == 'W'))
			s->blk_write += num(e, "value");
	}
}

static void stats_from(struct engine_stats *s, const cJSON *j, bool windows)
{
	const cJSON *mem = ej_obj(j, "memory_stats"), *n;
	const char *name = ej_str(j, "name");
	const char *os = ej_str(j, "os_type");

	memset(s, 0, sizeof(*s));
	s->windows = windows || (os && !strcmp(os, "windows"));
	ej_copy(s->id, sizeof(s->id), j, "id");
	snprintf(s->name, sizeof(s->name), "%s",
		 name ? name + (*name == '/') : "");
	cJSON_ArrayForEach(n, ej_obj(j, "networks")) {
		s->net_rx += num(n, "rx_bytes");
		s->net_tx += num(n, "tx_bytes");
	}
	if (s->windows) {
		s->cpu_percent = cpu_percent_windows(j);
		s->mem = num(mem, "privateworkingset");
		s->blk_read =
			num(ej_obj(j, "storage_stats"), "read_size_bytes");
		s->blk_write =
			num(ej_obj(j, "storage_stats"), "write_size_bytes");
		return;
	}
	s->cpu_percent = cpu_percent_linux(j);
	s->mem = mem_no_cache(mem);
	s->mem_limit = num(mem, "limit");
	s->mem_percent =
		s->mem_limit != 0.0 ? s->mem / s->mem_limit * 100.0 : 0.0;
	s->pids = (unsigned long long)num(ej_obj(j, "pids_stats"), "current");
	blkio(s, j);
}

int engine_stats_parse(struct engine_stats *out,
		       const char *json,
		       size_t len,
		       bool windows,
		       struct diag *err)
{
	cJSON *j = cJSON_ParseWithLength(json, len);

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return diag_set(err, DIAG_ESYNTAX, NULL,
				"the stats reply is not a JSON object");
	}
	stats_from(out, j, windows);
	cJSON_Delete(j);
	return 0;
}

struct stats_ctx {
	struct engine_lines lines;
	bool windows;
	engine_stats_fn fn;
	void *fn_ud;
	engine_done_fn cb;
	void *ud;
};

static int stats_line(void *ud, const char *line, size_t len)
{
	struct stats_ctx *c = ud;
	struct engine_stats s;
	struct diag d = {0};

	if (!len || engine_stats_parse(&s, line, len, c->windows, &d))
		return 0;
	return c->fn(c->fn_ud, &s);
}

static int stats_data(struct ereq *r, const char *p, size_t n)
{
	struct stats_ctx *c = r->ctx;

	return engine_lines_feed(&c->lines, p, n);
}

static void stats_done(struct ereq *r, int rc, const struct diag *err)
{
	struct stats_ctx *c = r->ctx;

	engine_lines_finish(&c->lines);
	c->cb(c->ud, rc, rc ? err : NULL);
	free(c);
}

void engine_container_stats_async(struct engine_loop *l,
				  struct engine *e,
				  const char *id,
				  bool stream,
				  engine_stats_fn fn,
				  void *fn_ud,
				  engine_done_fn cb,
				  void *ud)
{
	struct stats_ctx *c = xcalloc(1, sizeof(*c));
	struct ereq *r;

	engine_lines_init(&c->lines, stats_line, c);
	c->windows = !strcmp(engine_os(e), "windows");
	c->fn = fn;
	c->fn_ud = fn_ud;
	c->cb = cb;
	c->ud = ud;
	/* stream=0: the daemon samples twice, so precpu_stats is filled. */
	r = eng_id_req(l, e, "GET", id, "/stats",
		       stream ? "?stream=1" : "?stream=0");
	r->stream = true;
	r->on_data = stats_data;
	ereq_start(r, stats_done, c);
}
