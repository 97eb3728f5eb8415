/*
 * The project's current state on every daemon, as the planner wants it
 * (struct plan_host), plus the facts only `ps` and `logs` show.
 */
#include "apply/apply.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define LABEL_PROJECT "com.docker.compose.project"

/*
 * One daemon being asked.  Its answers wait here until the probe, which
 * runs in the same loop, says whether the daemon is usable at all.
 */
struct state_job {
	struct arena *a;
	struct plan_host h; /* the containers only */
	struct apply_container_ext *ext;
	struct engine_network_list *nl;
	struct engine_volume_list *vl;
	struct diag err; /* the first listing that failed */
	bool failed;
	struct engine_probe *pr; /* takes the network list, or NULL */
	const struct engine_daemon *d;
};

static const char *
kv_find(const struct engine_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (kv[i].key && !strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

static const char *adup(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* The container's own name: the first of Names without a '/' in it. */
static const char *summary_name(const struct engine_container_summary *s)
{
	for (size_t i = 0; i < s->names.n; i++)
		if (!strchr(s->names.v[i], '/'))
			return s->names.v[i];
	return s->names.n ? s->names.v[0] : s->id;
}

static void fill_mounts(struct plan_host_container *c,
			struct arena *a,
			const struct engine_container_summary *s)
{
	struct plan_host_mount *m =
		arena_calloc(a, s->n_volume_mounts + 1, sizeof(*m));

	for (size_t i = 0; i < s->n_volume_mounts; i++) {
		m[i].name = adup(a, s->volume_mounts[i].name);
		m[i].target = adup(a, s->volume_mounts[i].target);
	}
	c->volume_mounts = m;
	c->n_volume_mounts = s->n_volume_mounts;
}

static void fill_container(struct plan_host_container *c,
			   struct apply_container_ext *x,
			   struct arena *a,
			   const struct engine_container_summary *s)
{
	const char *num = kv_find(s->labels, s->n_labels,
				  "com.docker.compose.container-number");
	const char *oneoff =
		kv_find(s->labels, s->n_labels, "com.docker.compose.oneoff");

	c->id = adup(a, s->id);
	c->name = adup(a, summary_name(s));
	c->service = adup(a, kv_find(s->labels, s->n_labels,
				     "com.docker.compose.service"));
	c->number = num ? (int)strtol(num, NULL, 10) : 0;
	c->daemon = adup(
		a, kv_find(s->labels, s->n_labels, "io.mixcompose.daemon"));
	c->config_hash = adup(a, kv_find(s->labels, s->n_labels,
					 "com.docker.compose.config-hash"));
	c->depends_on = adup(a, kv_find(s->labels, s->n_labels,
					"com.docker.compose.depends_on"));
	c->image_digest = adup(
		a, kv_find(s->labels, s->n_labels, "com.docker.compose.image"));
	c->label_project =
		adup(a, kv_find(s->labels, s->n_labels, LABEL_PROJECT));
	c->state = adup(a, s->state);
	c->image = adup(a, s->image);
	c->oneoff = oneoff && !strcasecmp(oneoff, "true");
	c->hosts_label =
		adup(a, kv_find(s->labels, s->n_labels, PLAN_LABEL_HOSTS));
	if (s->state && !strcmp(s->state, "dead"))
		c->broken = "dead";
	c->networks = arena_calloc(a, s->n_networks + 1, sizeof(*c->networks));
	for (size_t i = 0; i < s->n_networks; i++) {
		c->networks[i].network = adup(a, s->networks[i].network);
		const struct engine_container_net *n = &s->networks[i];

		/* A stopped container has no IPAddress but keeps its static
		 * one. */
		c->networks[i].ipv4 =
			adup(a, n->ipam_ipv4 && *n->ipam_ipv4 ? n->ipam_ipv4
							      : n->ip_address);
	}
	c->n_networks = s->n_networks;
	fill_mounts(c, a, s);

	x->image = adup(a, s->image);
	x->command = adup(a, s->command);
	x->status = adup(a, s->status);
	x->ports = arena_calloc(a, s->n_ports + 1, sizeof(*x->ports));
	for (size_t i = 0; i < s->n_ports; i++) {
		x->ports[i] = s->ports[i];
		x->ports[i].ip = adup(a, s->ports[i].ip);
		x->ports[i].type = adup(a, s->ports[i].type);
	}
	x->n_ports = s->n_ports;
}

static int cmp_container(const void *pa, const void *pb)
{
	const struct plan_host_container *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static void job_fail(struct state_job *j, const struct diag *err)
{
	if (!j->failed && err)
		j->err = *err;
	j->failed = true;
}

static void list_done(void *ud,
		      int rc,
		      const struct engine_container_list *list,
		      const struct diag *err)
{
	struct state_job *j = ud;
	struct plan_host *h = &j->h;
	struct apply_container_ext *x;

	if (rc) {
		job_fail(j, err);
		return;
	}
	h->containers = arena_calloc(j->a, list->n + 1, sizeof(*h->containers));
	x = arena_calloc(j->a, list->n + 1, sizeof(*x));
	for (size_t i = 0; i < list->n; i++)
		fill_container(&h->containers[i], &x[i], j->a, &list->items[i]);
	h->n_containers = list->n;
	/*
	 * Sorting keeps ps and the plan stable whatever order the daemon
	 * lists in; the ext array is rebuilt in the same order by id.
	 */
	if (list->n > 1) {
		struct apply_container_ext *sx =
			arena_calloc(j->a, list->n, sizeof(*sx));

		qsort(h->containers, list->n, sizeof(*h->containers),
		      cmp_container);
		for (size_t i = 0; i < list->n; i++)
			for (size_t k = 0; k < list->n; k++)
				if (!strcmp(list->items[k].id,
					    h->containers[i].id))
					sx[i] = x[k];
		x = sx;
	}
	j->ext = x;
}

static void nets_done(void *ud,
		      int rc,
		      struct engine_network_list *nl,
		      const struct diag *err)
{
	struct state_job *j = ud;

	if (rc)
		job_fail(j, err);
	j->nl = nl;
	/* The probe's fingerprint comes from this list: no list of its own. */
	engine_probe_networks(j->pr, j->d, nl);
}

static void vols_done(void *ud,
		      int rc,
		      struct engine_volume_list *vl,
		      const struct diag *err)
{
	struct state_job *j = ud;

	if (rc)
		job_fail(j, err);
	j->vl = vl;
}

bool apply_start_left_task(const char *msg)
{
	return msg &&
	       ((strstr(msg, "task ") && strstr(msg, "already exists")) ||
		(strstr(msg, "failed to start shim") &&
		 strstr(msg, "file exists")));
}

/*
 * A container that never ran and whose last start failed because its
 * containerd task already exists: the daemon was killed while it started
 * it, and the task outlived the daemon.  Every later start fails the same
 * way (the docker CLI and compose v2 too); only a new container gets out,
 * so the planner is told it is broken.  Only "created" containers are
 * inspected: there are none in a project that runs.
 */
static void mark_broken(struct plan_host *h, struct engine *e)
{
	for (size_t i = 0; e && i < h->n_containers; i++) {
		struct plan_host_container *c = &h->containers[i];
		struct engine_container_info *ci = NULL;
		struct diag err = {0};

		if (!c->state || strcmp(c->state, "created") ||
		    engine_container_inspect(e, c->id, &ci, &err))
			continue;
		if (ci->error && apply_start_left_task(ci->error))
			c->broken = "a daemon crash left its task behind "
				    "(its start fails: already exists)";
		engine_container_info_free(ci);
	}
}

/* Networks (all of them) and volumes, from the job's lists. */
static void fill_nets_vols(struct plan_host *h, const struct state_job *j)
{
	const struct engine_network_list *nl = j->nl;
	const struct engine_volume_list *vl = j->vl;

	/* Not asked for (APPLY_STATE_CONTAINERS): the host has none. */
	h->networks =
		arena_calloc(j->a, (nl ? nl->n : 0) + 1, sizeof(*h->networks));
	for (size_t i = 0; nl && i < nl->n; i++) {
		const struct engine_network_info *ni = &nl->items[i];
		struct plan_host_network *pn = &h->networks[h->n_networks++];

		pn->id = adup(j->a, ni->id);
		pn->name = adup(j->a, ni->name);
		pn->driver = adup(j->a, ni->driver);
		for (size_t k = 0; k < ni->n_ipam; k++) {
			const char *sub = ni->ipam[k].subnet;

			/* The planner avoids IPv4 subnets only. */
			if (sub && strchr(sub, '.') && !pn->subnet) {
				pn->subnet = adup(j->a, sub);
				pn->gateway = adup(j->a, ni->ipam[k].gateway);
			}
		}
		pn->label_project = adup(
			j->a, kv_find(ni->labels, ni->n_labels, LABEL_PROJECT));
		pn->label_network =
			adup(j->a, kv_find(ni->labels, ni->n_labels,
					   "com.docker.compose.network"));
	}
	h->volumes =
		arena_calloc(j->a, (vl ? vl->n : 0) + 1, sizeof(*h->volumes));
	for (size_t i = 0; vl && i < vl->n; i++) {
		const struct engine_volume_info *vi = &vl->items[i];
		struct plan_host_volume *pv = &h->volumes[h->n_volumes++];

		pv->name = adup(j->a, vi->name);
		pv->label_project = adup(
			j->a, kv_find(vi->labels, vi->n_labels, LABEL_PROJECT));
		pv->label_volume =
			adup(j->a, kv_find(vi->labels, vi->n_labels,
					   "com.docker.compose.volume"));
	}
}

void apply_state_host_init(struct plan_host *h,
			   struct arena *a,
			   const struct engine_daemon *d)
{
	int maj = 0, min = 0;

	memset(h, 0, sizeof(*h));
	h->name = adup(a, d->name);
	h->endpoint = adup(a, d->url);
	if (d->probed && d->reachable && !d->error) {
		h->version = adup(a, d->server_version);
		h->os = adup(a, d->os);
		h->engine_os = adup(a, d->reported_os);
		h->arch = adup(a, d->arch ? d->arch : d->declared_arch);
		h->lab = d->stand_in;
		if (d->api_version &&
		    !engine_api_parse(d->api_version, &maj, &min)) {
			h->api_major = maj;
			h->api_minor = min;
		}
		return;
	}
	/* What the declaration says, as plan_hosts_from_declarations does. */
	h->os = adup(a, d->declared_os ? d->declared_os : "linux");
	h->engine_os = d->lab ? "linux" : NULL;
	h->arch = adup(a, d->declared_arch);
	h->lab = d->lab;
	h->offline = true;
}

bool apply_daemon_usable(const struct engine_daemon *d)
{
	return d->probed && d->reachable && !d->error;
}

static bool registry_probed(struct engine_registry *reg)
{
	for (size_t i = 0; i < engine_registry_count(reg); i++)
		if (!engine_registry_at(reg, i)->probed)
			return false;
	return true;
}

static void report_unreachable(struct diag_list *dl,
			       const struct engine_daemon *d)
{
	diag_list_add(dl, DIAG_WARNING, DIAG_ETRANSPORT, NULL,
		      "daemon '%s' %s: %s", d->name, engine_daemon_unusable(d),
		      d->error ? d->error : "no answer");
}

/* All lists of every daemon, and the probe if it is due, in one loop. */
static void collect_all(struct state_job *jobs,
			struct engine_registry *reg,
			const char *filter,
			unsigned flags)
{
	bool full = !(flags & APPLY_STATE_CONTAINERS);
	bool vols = full && !(flags & APPLY_STATE_NO_VOLUMES);
	struct engine_kv fkv = {"label", filter};
	struct engine_filters filters = {&fkv, 1};
	struct engine_loop *l = engine_loop_new();
	struct engine_probe *pr = NULL;

	if (!registry_probed(reg))
		pr = engine_registry_probe_start(
			reg, l,
			full ? ENGINE_PROBE_ARCH | ENGINE_PROBE_NETS : 0);
	for (size_t i = 0; i < engine_registry_count(reg); i++) {
		struct engine_daemon *d = engine_registry_at(reg, i);
		struct state_job *j = &jobs[i];
		struct diag e = {0};
		struct engine *eng;

		/* Unreachable, or refused for its OS, by an earlier probe. */
		if (d->probed && !apply_daemon_usable(d))
			continue;
		eng = engine_registry_engine(reg, d, &e);
		if (!eng)
			continue;
		engine_container_list_async(l, eng, &filters, list_done, j);
		if (!full)
			continue;
		j->pr = pr;
		j->d = d;
		engine_network_list_async(l, eng, NULL, nets_done, j);
		if (vols)
			engine_volume_list_async(l, eng, NULL, vols_done, j);
	}
	engine_loop_run(l, -1);
	engine_loop_free(l);
	engine_registry_probe_finish(pr);
}

int apply_state_collect_ext(struct plan_host **out,
			    size_t *n_out,
			    struct apply_container_ext ***ext_out,
			    struct arena *a,
			    struct engine_registry *reg,
			    const char *project_name,
			    unsigned flags,
			    struct diag_list *dl)
{
	bool all_daemons = flags & APPLY_STATE_ALL_DAEMONS;
	size_t n = engine_registry_count(reg), nh = 0, n_ok = 0;
	struct plan_host *hosts = arena_calloc(a, n + 1, sizeof(*hosts));
	struct apply_container_ext **ext =
		arena_calloc(a, n + 1, sizeof(struct apply_container_ext *));
	struct state_job *jobs = xcalloc(n + 1, sizeof(*jobs));

	for (size_t i = 0; i < n; i++)
		jobs[i].a = a;
	collect_all(jobs, reg,
		    arena_sprintf(a, "%s=%s", LABEL_PROJECT, project_name),
		    flags);
	for (size_t i = 0; i < n; i++) {
		struct engine_daemon *d = engine_registry_at(reg, i);
		struct state_job *j = &jobs[i];
		struct plan_host *h = &hosts[nh];

		if (!apply_daemon_usable(d))
			report_unreachable(dl, d);
		else if (j->failed)
			diag_list_add_diag(dl, DIAG_WARNING, &j->err);
		if (all_daemons || apply_daemon_usable(d)) {
			apply_state_host_init(h, a, d);
			if (!h->offline && j->failed)
				h->offline = true;
			if (!h->offline) {
				h->containers = j->h.containers;
				h->n_containers = j->h.n_containers;
				ext[nh] = j->ext;
				fill_nets_vols(h, j);
				mark_broken(h,
					    engine_registry_engine(
						    reg, d, &(struct diag){0}));
				n_ok++;
			}
			nh++;
		}
		engine_network_list_free(j->nl);
		engine_volume_list_free(j->vl);
	}
	free(jobs);
	*out = hosts;
	*n_out = nh;
	if (ext_out)
		*ext_out = ext;
	return n_ok ? 0 : DIAG_ETRANSPORT;
}

int apply_state_collect(struct plan_host **out,
			size_t *n_out,
			struct arena *a,
			struct engine_registry *reg,
			const char *project_name,
			unsigned flags,
			struct diag_list *dl)
{
	return apply_state_collect_ext(out, n_out, NULL, a, reg, project_name,
				       flags, dl);
}

void apply_state_offline(struct plan_host **out,
			 size_t *n_out,
			 struct arena *a,
			 struct engine_registry *reg)
{
	size_t n = engine_registry_count(reg);
	struct plan_host *hosts = arena_calloc(a, n + 1, sizeof(*hosts));

	for (size_t i = 0; i < n; i++) {
		struct engine_daemon d = *engine_registry_at(reg, i);

		d.probed = false; /* never trust a probe: offline is offline */
		apply_state_host_init(&hosts[i], a, &d);
	}
	*out = hosts;
	*n_out = n;
}

struct engine_daemon *apply_state_daemon(struct engine_registry *reg,
					 const struct plan_host *h)
{
	return engine_registry_find(reg, h->name);
}
