/* Networks: create (IPAM), inspect, list, remove, connect, disconnect. */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

static cJSON *network_body(const struct engine_network_spec *s)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "Name", s->name);
	ej_add_str(b, "Driver", s->driver);
	if (s->internal)
		cJSON_AddBoolToObject(b, "Internal", 1);
	if (s->attachable)
		cJSON_AddBoolToObject(b, "Attachable", 1);
	if (s->enable_ipv4)
		cJSON_AddBoolToObject(b, "EnableIPv4", s->enable_ipv4 > 0);
	if (s->enable_ipv6)
		cJSON_AddBoolToObject(b, "EnableIPv6", 1);
	if (s->check_duplicate)
		cJSON_AddBoolToObject(b, "CheckDuplicate", 1);
	ej_add_kv(b, "Labels", s->labels, s->n_labels);
	ej_add_kv(b, "Options", s->driver_opts, s->n_driver_opts);
	if (s->ipam_driver || s->n_ipam || s->n_ipam_options) {
		cJSON *ipam = cJSON_AddObjectToObject(b, "IPAM");
		cJSON *cfg = cJSON_AddArrayToObject(ipam, "Config");

		ej_add_str(ipam, "Driver", s->ipam_driver);
		for (size_t i = 0; i < s->n_ipam; i++) {
			cJSON *c = cJSON_CreateObject();

			ej_add_str(c, "Subnet", s->ipam[i].subnet);
			ej_add_str(c, "Gateway", s->ipam[i].gateway);
			ej_add_str(c, "IPRange", s->ipam[i].ip_range);
			ej_add_kv(c, "AuxiliaryAddresses",
				  s->ipam[i].aux_addresses,
				  s->ipam[i].n_aux_addresses);
			cJSON_AddItemToArray(cfg, c);
		}
		ej_add_kv(ipam, "Options", s->ipam_options, s->n_ipam_options);
	}
	return b;
}

char *engine_network_spec_json(const struct engine_network_spec *spec)
{
	cJSON *j = network_body(spec);
	char *s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return s;
}

void engine_network_create_async(struct engine_loop *l,
				 struct engine *e,
				 const struct engine_network_spec *spec,
				 engine_id_fn cb,
				 void *ud)
{
	struct ereq *r = ereq_new(l, e, "POST", false, "/networks/create");

	ereq_body_json(r, network_body(spec));
	eng_call_id(r, "Id", cb, ud);
}

int engine_network_create(struct engine *e,
			  const struct engine_network_spec *spec,
			  /* NOLINTNEXTLINE(readability-non-const-parameter) */
			  char out_id[80],
			  struct diag *err)
{
	struct eng_sync s = {.err = err, .out = out_id, .out_len = 80};

	engine_network_create_async(eng_own_loop(e), e, spec, eng_sync_id_cb,
				    &s);
	return eng_sync_run(e, &s);
}

static struct ereq *net_req(struct engine_loop *l,
			    struct engine *e,
			    const char *method,
			    const char *name,
			    const char *action)
{
	struct sbuf p = SBUF_INIT;
	struct ereq *r;

	eng_escape(&p, name);
	r = ereq_new(l, e, method, false, "/networks/%s%s", p.buf, action);
	sbuf_release(&p);
	return r;
}

void engine_network_remove_async(struct engine_loop *l,
				 struct engine *e,
				 const char *name,
				 engine_done_fn cb,
				 void *ud)
{
	eng_call_removed(net_req(l, e, "DELETE", name, ""), cb, ud);
}

struct unused_ctx {
	struct engine_loop *l;
	struct engine *e;
	char *name;
	engine_done_fn cb;
	void *ud;
};

/* The containers attached to 'net' (by name), ", "-joined; how many. */
static size_t attached(struct sbuf *sb, const cJSON *net)
{
	const cJSON *it;
	size_t n = 0;

	cJSON_ArrayForEach(it, ej_obj(net, "Containers")) {
		const char *cn = ej_str(it, "Name");

		sbuf_addf(sb, "%s%s", n++ ? ", " : "",
			  cn && *cn ? cn : it->string);
	}
	return n;
}

/*
 * compose v2 (2.26) inspects before it removes, and leaves a network that
 * still has containers: a 20.10 daemon refuses that DELETE with a 403
 * ("has active endpoints"), which is no "in use" answer.
 */
static void unused_inspected(struct ereq *r, int rc, const struct diag *err)
{
	struct unused_ctx *c = r->ctx;
	struct sbuf sb = SBUF_INIT;
	struct diag d = {0};
	cJSON *j = eng_reply_json(r, &rc, &err, &d);
	size_t n = j ? attached(&sb, j) : 0;

	if (rc) {
		c->cb(c->ud, rc, err);
	} else if (n) {
		eng_req_error(r, &d, DIAG_ECONFLICT,
			      "%zu container(s) still attached: %s", n, sb.buf);
		c->cb(c->ud, DIAG_ECONFLICT, &d);
	} else {
		engine_network_remove_async(c->l, c->e, c->name, c->cb, c->ud);
	}
	cJSON_Delete(j);
	sbuf_release(&sb);
	free(c->name);
	free(c);
}

void engine_network_remove_unused_async(struct engine_loop *l,
					struct engine *e,
					const char *name,
					engine_done_fn cb,
					void *ud)
{
	struct unused_ctx *c = xcalloc(1, sizeof(*c));

	*c = (struct unused_ctx){l, e, xstrdup(name), cb, ud};
	ereq_start(net_req(l, e, "GET", name, ""), unused_inspected, c);
}

int engine_network_remove(struct engine *e, const char *name, struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_network_remove_async(eng_own_loop(e), e, name, eng_sync_done_cb,
				    &s);
	return eng_sync_run(e, &s);
}

void engine_network_connect_async(struct engine_loop *l,
				  struct engine *e,
				  const char *network,
				  const char *container,
				  const struct engine_endpoint *ep,
				  engine_done_fn cb,
				  void *ud)
{
	struct ereq *r = net_req(l, e, "POST", network, "/connect");
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "Container", container);
	if (ep)
		cJSON_AddItemToObject(b, "EndpointConfig", ej_endpoint(ep));
	ereq_body_json(r, b);
	eng_call_done(r, cb, ud);
}

int engine_network_connect(struct engine *e,
			   const char *network,
			   const char *container,
			   const struct engine_endpoint *ep,
			   struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_network_connect_async(eng_own_loop(e), e, network, container, ep,
				     eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

void engine_network_disconnect_async(struct engine_loop *l,
				     struct engine *e,
				     const char *network,
				     const char *container,
				     bool force,
				     engine_done_fn cb,
				     void *ud)
{
	struct ereq *r = net_req(l, e, "POST", network, "/disconnect");
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "Container", container);
	if (force)
		cJSON_AddBoolToObject(b, "Force", 1);
	ereq_body_json(r, b);
	eng_call_done(r, cb, ud);
}

int engine_network_disconnect(struct engine *e,
			      const char *network,
			      const char *container,
			      bool force,
			      struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_network_disconnect_async(eng_own_loop(e), e, network, container,
					force, eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

/* ---- Inspect and list --------------------------------------------------- */

static void
parse_network(struct engine_network_info *ni, struct arena *a, const cJSON *j)
{
	const cJSON *cfg = ej_obj(ej_obj(j, "IPAM"), "Config"), *it;
	const cJSON *conts = ej_obj(j, "Containers");
	struct engine_kv *labels, *cv;
	struct engine_ipam *iv;
	size_t n = 0;

	ni->arena = a;
	ni->id = ej_astr(a, j, "Id");
	ni->name = ej_astr(a, j, "Name");
	ni->driver = ej_astr(a, j, "Driver");
	ni->scope = ej_astr(a, j, "Scope");
	ni->internal = ej_bool(j, "Internal");
	ni->attachable = ej_bool(j, "Attachable");
	ni->n_labels = ej_kv(&labels, a, ej_obj(j, "Labels"));
	ni->labels = labels;
	iv = arena_calloc(a, (size_t)cJSON_GetArraySize(cfg) + 1, sizeof(*iv));
	cJSON_ArrayForEach(it, cfg) {
		iv[n].subnet = ej_astr(a, it, "Subnet");
		iv[n].gateway = ej_astr(a, it, "Gateway");
		iv[n].ip_range = ej_astr(a, it, "IPRange");
		n++;
	}
	ni->ipam = iv;
	ni->n_ipam = n;
	n = 0;
	cv = arena_calloc(a, (size_t)cJSON_GetArraySize(conts) + 1,
			  sizeof(*cv));
	cJSON_ArrayForEach(it, conts) {
		cv[n].key = arena_strdup(a, it->string);
		cv[n].value = ej_astr(a, it, "IPv4Address");
		n++;
	}
	ni->containers = cv;
	ni->n_containers = n;
}

void engine_network_info_free(struct engine_network_info *ni)
{
	if (!ni)
		return;
	arena_free(ni->arena);
	free(ni);
}

void engine_network_list_free(struct engine_network_list *l)
{
	if (!l)
		return;
	arena_free(l->arena);
	free(l);
}

struct netq_ctx {
	struct eng_sync s;
	struct engine_network_info **one;
	struct engine_network_list **many;
	engine_network_list_fn cb; /* the async list: hands the list over */
	void *ud;
};

static struct engine_network_list *parse_list(const cJSON *j)
{
	struct engine_network_list *l = xcalloc(1, sizeof(*l));
	const cJSON *it;

	l->arena = arena_new();
	l->items = arena_calloc(l->arena, (size_t)cJSON_GetArraySize(j) + 1,
				sizeof(*l->items));
	cJSON_ArrayForEach(it, j)
		parse_network(&l->items[l->n++], l->arena, it);
	return l;
}

static void netq_done(struct ereq *r, int rc, const struct diag *err)
{
	struct netq_ctx *c = r->ctx;
	struct diag d = {0};
	cJSON *j = NULL;

	j = eng_reply_json(r, &rc, &err, &d);
	if (c->cb) {
		c->cb(c->ud, rc, j ? parse_list(j) : NULL, err);
		cJSON_Delete(j);
		free(c);
		return;
	}
	if (j && c->one) {
		*c->one = xcalloc(1, sizeof(**c->one));
		parse_network(*c->one, arena_new(), j);
	} else if (j) {
		*c->many = parse_list(j);
	}
	cJSON_Delete(j);
	eng_sync_done_cb(&c->s, rc, err);
}

int engine_network_inspect(struct engine *e,
			   const char *name,
			   struct engine_network_info **out,
			   struct diag *err)
{
	struct netq_ctx c = {.s = {.err = err}, .one = out};

	*out = NULL;
	ereq_start(net_req(eng_own_loop(e), e, "GET", name, ""), netq_done, &c);
	return eng_sync_run(e, &c.s);
}

static struct ereq *list_req(struct engine_loop *l,
			     struct engine *e,
			     const struct engine_filters *filters)
{
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	eng_filters_query(&q, '?', filters);
	r = ereq_new(l, e, "GET", false, "/networks%s", q.buf);
	sbuf_release(&q);
	return r;
}

void engine_network_list_async(struct engine_loop *l,
			       struct engine *e,
			       const struct engine_filters *filters,
			       engine_network_list_fn cb,
			       void *ud)
{
	struct netq_ctx *c = xcalloc(1, sizeof(*c));

	c->cb = cb;
	c->ud = ud;
	ereq_start(list_req(l, e, filters), netq_done, c);
}

int engine_network_list(struct engine *e,
			const struct engine_filters *filters,
			struct engine_network_list **out,
			struct diag *err)
{
	struct netq_ctx c = {.s = {.err = err}, .many = out};

	*out = NULL;
	ereq_start(list_req(eng_own_loop(e), e, filters), netq_done, &c);
	return eng_sync_run(e, &c.s);
}
