/* System calls: GET /version and GET /info. */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct sysinfo_ctx {
	engine_sysinfo_fn cb;
	void *ud;
};

static void info_done(struct ereq *r, int rc, const struct diag *err)
{
	struct sysinfo_ctx *c = r->ctx;
	struct engine_system_info info = {0};
	struct diag d = {0};
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (j) {
		ej_copy(info.os_type, sizeof(info.os_type), j, "OSType");
		ej_copy(info.arch, sizeof(info.arch), j, "Architecture");
		ej_copy(info.server_version, sizeof(info.server_version), j,
			"ServerVersion");
		ej_copy(info.name, sizeof(info.name), j, "Name");
		ej_copy(info.os_name, sizeof(info.os_name), j,
			"OperatingSystem");
		info.ncpu = (int)ej_int(j, "NCPU", 0);
		info.mem_total = ej_int(j, "MemTotal", 0);
	}
	c->cb(c->ud, rc, &info, rc ? err : NULL);
	cJSON_Delete(j);
	free(c);
}

void engine_info_async(struct engine_loop *l,
		       struct engine *e,
		       engine_sysinfo_fn cb,
		       void *ud)
{
	struct sysinfo_ctx *c = xcalloc(1, sizeof(*c));

	c->cb = cb;
	c->ud = ud;
	ereq_start(ereq_new(l, e, "GET", false, "/info"), info_done, c);
}

static void sync_info_cb(void *ud,
			 int rc,
			 const struct engine_system_info *in,
			 const struct diag *err)
{
	struct eng_sync *s = ud;

	if (!rc)
		*(struct engine_system_info *)s->out = *in;
	eng_sync_done_cb(ud, rc, err);
}

int engine_info(struct engine *e,
		struct engine_system_info *out,
		struct diag *err)
{
	struct eng_sync s = {.err = err, .out = out};

	engine_info_async(eng_own_loop(e), e, sync_info_cb, &s);
	return eng_sync_run(e, &s);
}

struct version_ctx {
	struct eng_sync *s;
	struct engine_version_info *out;
};

static void version_done(struct ereq *r, int rc, const struct diag *err)
{
	struct version_ctx *c = r->ctx;
	struct engine_version_info *v = c->out;
	struct diag d = {0};
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (j) {
		ej_copy(v->version, sizeof(v->version), j, "Version");
		ej_copy(v->api_version, sizeof(v->api_version), j,
			"ApiVersion");
		ej_copy(v->min_api_version, sizeof(v->min_api_version), j,
			"MinAPIVersion");
		ej_copy(v->os, sizeof(v->os), j, "Os");
		ej_copy(v->arch, sizeof(v->arch), j, "Arch");
		ej_copy(v->kernel, sizeof(v->kernel), j, "KernelVersion");
	}
	eng_sync_done_cb(c->s, rc, err);
	cJSON_Delete(j);
	free(c);
}

/* Unversioned, so it also works before negotiation (and tells why not). */
int engine_version(struct engine *e,
		   struct engine_version_info *out,
		   struct diag *err)
{
	struct eng_sync s = {.err = err};
	struct version_ctx *c = xcalloc(1, sizeof(*c));

	memset(out, 0, sizeof(*out));
	c->s = &s;
	c->out = out;
	ereq_start(ereq_new(eng_own_loop(e), e, "GET", true, "/version"),
		   version_done, c);
	return eng_sync_run(e, &s);
}
