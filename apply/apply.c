/*
 * From a plan to a job graph for engine_run(): networks and volumes first,
 * images once per daemon, then per container remove (recreate), create,
 * start and the hosts exec, each start waiting for the conditions its
 * depends_on edges name.  Down plans become waves of removals.
 */
#include "apply/apply_int.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define NONE ENGINE_JOB_NONE

/*
 * A growing list of dependency indices, copied into the arena per job,
 * with a soft flag per entry (depends_on required: false).
 */
struct depv {
	size_t *v;
	bool *soft;
	size_t n, alloc, alloc_soft;
};

static void dep_add_edge(struct depv *d, size_t j, bool soft)
{
	if (j == NONE)
		return;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i] == j) {
			d->soft[i] = d->soft[i] && soft; /* hard wins */
			return;
		}
	ALLOC_GROW(d->v, d->n + 1, d->alloc);
	ALLOC_GROW(d->soft, d->n + 1, d->alloc_soft);
	d->soft[d->n] = soft;
	d->v[d->n++] = j;
}

static void dep_add(struct depv *d, size_t j)
{
	dep_add_edge(d, j, false);
}

static void dep_release(struct depv *d)
{
	free(d->v);
	free(d->soft);
}

/* One image pulled once per daemon; one volume created once per daemon. */
struct once {
	size_t daemon;
	const char *key;
	size_t job;
};

struct build {
	struct apply_jobs *J;
	const struct plan *p;
	struct engine *const *engines;
	const struct apply_up_opts *o;
	size_t *netjob;	   /* per plan network: its create job */
	size_t *create;	   /* per container: CREATE job */
	size_t *ready;	   /* per container: the job after which it runs */
	size_t *exec;	   /* per container: the hosts EXEC job */
	size_t *hfile;	   /* per container: the hosts file before start */
	size_t *files;	   /* per container: secrets, configs before start */
	size_t *stopped;   /* per container: the STOP of a PLAN_ACT_RESTART */
	size_t *healthy;   /* per container: WAIT healthy, made on demand */
	size_t *completed; /* per container: WAIT completed, on demand */
	/* The same for soft edges: optional jobs, a failure only warns. */
	size_t *healthy_opt;
	size_t *completed_opt;
	struct once *once;
	size_t n_once, alloc_once;
};

void apply_jobs_init(struct apply_jobs *j)
{
	memset(j, 0, sizeof(*j));
	j->a = arena_new();
}

void apply_jobs_release(struct apply_jobs *j)
{
	free(j->v);
	arena_free(j->a);
	memset(j, 0, sizeof(*j));
}

static struct apply_job_info *info_new(struct apply_jobs *J,
				       const char *object,
				       const char *name,
				       const char *daemon)
{
	struct apply_job_info *in = arena_alloc(J->a, sizeof(*in));

	in->line = arena_sprintf(J->a, "%s %s", object, name);
	in->daemon = daemon;
	return in;
}

static void info_verbs(struct apply_job_info *in,
		       const char *doing,
		       const char *done,
		       const char *noop)
{
	in->doing = doing;
	in->done = done;
	in->noop = noop;
}

/* Appends a copy of 'tmpl' with 'deps' (then emptied); returns its index. */
static size_t job_add(struct apply_jobs *J,
		      const struct engine_job *tmpl,
		      struct depv *deps,
		      struct apply_job_info *info)
{
	struct engine_job *j;

	ALLOC_GROW(J->v, J->n + 1, J->alloc);
	j = &J->v[J->n];
	*j = *tmpl;
	if (deps && deps->n) {
		size_t *v = arena_calloc(J->a, deps->n, sizeof(*v));
		bool any_soft = false;

		memcpy(v, deps->v, deps->n * sizeof(*v));
		j->deps = v;
		j->n_deps = deps->n;
		for (size_t k = 0; k < deps->n && deps->soft; k++)
			any_soft = any_soft || deps->soft[k];
		if (any_soft) {
			bool *soft = arena_calloc(J->a, deps->n, sizeof(*soft));

			memcpy(soft, deps->soft, deps->n * sizeof(*soft));
			j->soft = soft;
		}
		deps->n = 0;
	}
	j->ud = info;
	if (info && !j->title)
		j->title = info->daemon
				   ? arena_sprintf(J->a, "%s (%s)", info->line,
						   info->daemon)
				   : info->line;
	return J->n++;
}

static struct engine_job job_tmpl(enum engine_job_kind kind, struct engine *e)
{
	struct engine_job j = {.kind = kind, .engine = e, .timeout_s = -1};

	j.container.job = NONE;
	return j;
}

static const char *daemon_name(const struct plan *p, size_t d)
{
	return p->hosts[d].name;
}

static struct engine_kv *
kv_from(struct arena *a, const struct compose_kv *kv, size_t n)
{
	struct engine_kv *v = arena_calloc(a, n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		v[i].key = kv[i].key;
		v[i].value = kv[i].value ? kv[i].value : "";
	}
	return v;
}

static struct engine_strv strv(const struct compose_strv *s)
{
	return (struct engine_strv){s->v, s->n};
}

/* ---- Lifecycle hooks ------------------------------------------------------
 */

/*
 * One post_start or pre_stop hook as compose v2's runHook execs it: the
 * command with the hook's user, working_dir, privileged and environment
 * ("K" alone for a variable without a value), its output collected; a
 * non-zero exit fails the job, named after the service, the container and
 * its daemon.  Returns the job's index.
 */
static size_t hook_job(struct apply_jobs *J,
		       struct engine *e,
		       struct engine_container_ref c,
		       const char *container,
		       const char *daemon,
		       const char *service,
		       const char *which,
		       const struct compose_hook *h,
		       struct depv *deps)
{
	struct engine_job t = job_tmpl(ENGINE_JOB_EXEC, e);
	struct engine_exec_spec *x = arena_calloc(J->a, 1, sizeof(*x));
	const char **env =
		arena_calloc(J->a, h->n_environment + 1, sizeof(*env));

	for (size_t i = 0; i < h->n_environment; i++)
		env[i] = h->environment[i].value
				 ? arena_sprintf(J->a, "%s=%s",
						 h->environment[i].key,
						 h->environment[i].value)
				 : h->environment[i].key;
	x->argv = strv(&h->command);
	x->env = (struct engine_strv){env, h->n_environment};
	x->user = h->user;
	x->working_dir = h->working_dir;
	x->privileged = h->privileged;
	t.exec_spec = x;
	t.argv = x->argv;
	t.user = h->user;
	t.container = c;
	t.title =
		arena_sprintf(J->a, "service %s: %s hook in container %s (%s)",
			      service, which, container, daemon);
	return job_add(J, &t, deps, NULL);
}

/* ---- Networks, volumes, images --------------------------------------------
 */

static void add_networks(struct build *b)
{
	const struct plan *p = b->p;
	struct apply_jobs *J = b->J;

	for (size_t i = 0; i < p->n_networks; i++) {
		const struct plan_network *pn = &p->networks[i];
		struct engine_network_spec *ns;
		struct engine_ipam *ipam;
		struct engine_job j;
		struct apply_job_info *in;

		b->netjob[i] = NONE;
		if (pn->action != PLAN_NET_CREATE || !b->engines[pn->daemon])
			continue;
		ns = arena_alloc(J->a, sizeof(*ns));
		ns->name = pn->name;
		ns->driver = pn->driver;
		ns->internal = pn->internal;
		ns->attachable = pn->attachable;
		ns->enable_ipv6 = pn->enable_ipv6;
		ns->check_duplicate = true;
		ns->labels = kv_from(J->a, pn->labels, pn->n_labels);
		ns->n_labels = pn->n_labels;
		if (pn->net) {
			ns->ipam_driver = pn->net->ipam_driver;
			ns->driver_opts = kv_from(J->a, pn->net->driver_opts,
						  pn->net->n_driver_opts);
			ns->n_driver_opts = pn->net->n_driver_opts;
		}
		if (pn->subnet) {
			ipam = arena_alloc(J->a, sizeof(*ipam));
			ipam->subnet = pn->subnet;
			ipam->gateway = pn->gateway;
			ns->ipam = ipam;
			ns->n_ipam = 1;
		}
		apply_network_keys(ns, J->a, pn);
		j = job_tmpl(ENGINE_JOB_NETWORK_CREATE, b->engines[pn->daemon]);
		j.network_spec = ns;
		in = info_new(J, "Network", pn->name,
			      daemon_name(p, pn->daemon));
		info_verbs(in, "Creating", "Created", NULL);
		b->netjob[i] = job_add(J, &j, NULL, in);
	}
}

static size_t once_find(const struct build *b, size_t d, const char *key)
{
	for (size_t i = 0; i < b->n_once; i++)
		if (b->once[i].daemon == d && !strcmp(b->once[i].key, key))
			return b->once[i].job;
	return NONE;
}

static void once_add(struct build *b, size_t d, const char *key, size_t job)
{
	ALLOC_GROW(b->once, b->n_once + 1, b->alloc_once);
	b->once[b->n_once++] = (struct once){d, key, job};
}

/*
 * The platform for pull and create.  A lab stand-in runs another OS than
 * the one it plays, and its images are built for the OS it runs: asking
 * for the played one would make the daemon refuse the image.
 */
static const char *
engine_platform(const struct plan *p, size_t d, const char *platform)
{
	const struct plan_host *h = &p->hosts[d];
	const char *eos = h->engine_os ? h->engine_os : h->os;
	size_t n;

	if (!platform)
		return NULL;
	n = strcspn(platform, "/");
	if (eos && (strlen(eos) != n || strncmp(platform, eos, n) != 0))
		return NULL;
	return platform;
}

/*
 * The image job the service's pull policy asks for (planner/pull.c), once
 * per (image, policy, daemon); NONE when nothing is pulled.
 */
static size_t image_job(struct build *b, size_t ci)
{
	const struct plan *p = b->p;
	const struct plan_container *ct = &p->containers[ci];
	const struct plan_service *ps = &p->services[ct->service];
	const char *ref = ps->svc->image;
	enum engine_job_kind kind;
	char *key;
	size_t j;
	struct engine_job t;
	struct apply_job_info *in;

	switch (ps->pull) {
	case PLAN_PULL_ALWAYS:
		kind = ENGINE_JOB_IMAGE_PULL;
		break;
	case PLAN_PULL_NEVER:
		kind = ENGINE_JOB_IMAGE_CHECK;
		break;
	case PLAN_PULL_MISSING:
		kind = ENGINE_JOB_IMAGE_ENSURE;
		break;
	default:
		/*
		 * PLAN_PULL_BUILD: the image comes from the service's build:
		 * section; its build job belongs here.  PLAN_PULL_NONE: no
		 * image at all (create_job refuses it).
		 */
		return NONE;
	}
	key = arena_sprintf(b->J->a, "image %s %d", ref, (int)kind);
	if ((j = once_find(b, ct->daemon, key)) != NONE)
		return j;
	t = job_tmpl(kind, b->engines[ct->daemon]);
	t.name = ref;
	t.platform = engine_platform(p, ct->daemon, ps->platform);
	in = info_new(b->J, "Image", ref, daemon_name(p, ct->daemon));
	info_verbs(in, NULL, "Pulled", NULL);
	in->lazy = kind != ENGINE_JOB_IMAGE_PULL;
	in->quiet = b->o->quiet_pull;
	j = job_add(b->J, &t, NULL, in);
	once_add(b, ct->daemon, key, j);
	return j;
}

/*
 * The build of service 'si', once per (daemon, image), on the daemon that
 * runs the service: a windows service's image is built by the windows
 * daemon.  A missing platform means the daemon's own.
 */
static int build_job(struct build *b, size_t si, size_t *out, struct diag *err)
{
	const struct plan *p = b->p;
	const struct plan_service *ps = &p->services[si];
	const struct compose_build *cb = ps->svc->build;
	const char *plat = ps->platform;
	struct engine_build_spec *sp;
	struct engine_job t;
	struct apply_job_info *in;
	char *key;
	int rc;

	key = arena_sprintf(b->J->a, "build %s", ps->image);
	if ((*out = once_find(b, ps->daemon, key)) != NONE)
		return 0;
	if (!plat && cb->platforms.n)
		plat = cb->platforms.v[0];
	if ((rc = apply_build_spec(&sp, b->J->a, p, si,
				   engine_platform(p, ps->daemon, plat), b->o,
				   err)))
		return rc;
	t = job_tmpl(ENGINE_JOB_IMAGE_BUILD, b->engines[ps->daemon]);
	t.name = ps->image;
	t.build_spec = sp;
	t.build_always = ps->build == PLAN_BUILD_ALWAYS;
	t.build_out = b->o->build_out;
	if (t.build_out)
		t.build_out_ud = arena_sprintf(b->J->a, "%s (%s)", ps->image,
					       daemon_name(p, ps->daemon));
	in = info_new(b->J, "Image", ps->image, daemon_name(p, ps->daemon));
	info_verbs(in, "Building", "Built", "Present");
	/* A present image is not news: shown once it really builds. */
	in->lazy = true;
	*out = job_add(b->J, &t, NULL, in);
	once_add(b, ps->daemon, key, *out);
	return 0;
}

static const struct compose_volume *volume_find(const struct plan *p,
						const char *key)
{
	for (size_t i = 0; key && i < p->project->n_volumes; i++)
		if (!strcmp(p->project->volumes[i].key, key))
			return &p->project->volumes[i];
	return NULL;
}

static bool volume_exists(const struct plan_host *h, const char *name)
{
	for (size_t i = 0; i < h->n_volumes; i++)
		if (h->volumes[i].name && !strcmp(h->volumes[i].name, name))
			return true;
	return false;
}

static size_t
volume_job(struct build *b, size_t d, const struct compose_volume *v)
{
	const struct plan *p = b->p;
	struct apply_jobs *J = b->J;
	char *key = arena_sprintf(J->a, "volume %s", v->key);
	struct engine_volume_spec *vs;
	struct engine_kv *labels;
	struct engine_job t;
	struct apply_job_info *in;
	size_t j;

	if (v->external || volume_exists(&p->hosts[d], v->name))
		return NONE;
	if ((j = once_find(b, d, key)) != NONE)
		return j;
	labels = arena_calloc(J->a, v->n_labels + 3, sizeof(*labels));
	for (size_t i = 0; i < v->n_labels; i++)
		labels[i] = (struct engine_kv){
			v->labels[i].key,
			v->labels[i].value ? v->labels[i].value : ""};
	labels[v->n_labels] = (struct engine_kv){"com.docker.compose.project",
						 p->project_name};
	labels[v->n_labels + 1] =
		(struct engine_kv){"com.docker.compose.volume", v->key};
	labels[v->n_labels + 2] =
		(struct engine_kv){"io.mixcompose.daemon", daemon_name(p, d)};
	vs = arena_alloc(J->a, sizeof(*vs));
	vs->name = v->name;
	vs->driver = v->driver;
	vs->labels = labels;
	vs->n_labels = v->n_labels + 3;
	vs->driver_opts = kv_from(J->a, v->driver_opts, v->n_driver_opts);
	vs->n_driver_opts = v->n_driver_opts;
	t = job_tmpl(ENGINE_JOB_VOLUME_CREATE, b->engines[d]);
	t.volume_spec = vs;
	in = info_new(J, "Volume", v->name, daemon_name(p, d));
	info_verbs(in, "Creating", "Created", NULL);
	j = job_add(J, &t, NULL, in);
	once_add(b, d, key, j);
	return j;
}

/* ---- The create spec ------------------------------------------------------
 */

static void spec_env(struct engine_container_spec *sp,
		     struct arena *a,
		     const struct compose_service *s)
{
	const char **v = arena_calloc(a, s->n_environment + 1, sizeof(*v));
	size_t n = 0;

	/* compose leaves a variable without a value out of the container. */
	for (size_t i = 0; i < s->n_environment; i++)
		if (s->environment[i].value)
			v[n++] =
				arena_sprintf(a, "%s=%s", s->environment[i].key,
					      s->environment[i].value);
	sp->env = (struct engine_strv){v, n};
}

static void spec_ports(struct engine_container_spec *sp,
		       struct arena *a,
		       const struct compose_service *s)
{
	struct engine_port_binding *pb =
		arena_calloc(a, s->n_ports + 1, sizeof(*pb));
	const char **ex = arena_calloc(a, s->expose.n + 1, sizeof(*ex));

	for (size_t i = 0; i < s->n_ports; i++) {
		pb[i].container_port = s->ports[i].target;
		pb[i].protocol = s->ports[i].protocol;
		pb[i].host_ip = s->ports[i].host_ip;
		pb[i].host_port = s->ports[i].published;
	}
	sp->ports = pb;
	sp->n_ports = s->n_ports;
	for (size_t i = 0; i < s->expose.n; i++)
		ex[i] = strchr(s->expose.v[i], '/')
				? s->expose.v[i]
				: arena_sprintf(a, "%s/tcp", s->expose.v[i]);
	if (s->expose.n)
		sp->exposed_ports = (struct engine_strv){ex, s->expose.n};
}

static enum engine_mount_type mount_type(enum compose_mount_type t)
{
	switch (t) {
	case COMPOSE_MOUNT_BIND:
		return ENGINE_MOUNT_BIND;
	case COMPOSE_MOUNT_TMPFS:
		return ENGINE_MOUNT_TMPFS;
	case COMPOSE_MOUNT_NPIPE:
		return ENGINE_MOUNT_NPIPE;
	case COMPOSE_MOUNT_IMAGE:
		return ENGINE_MOUNT_IMAGE;
	default:
		return ENGINE_MOUNT_VOLUME;
	}
}

/*
 * Secrets and configs from a file: read-only bind mounts at their targets,
 * as compose v2's buildContainerSecretMounts and buildContainerConfigMounts
 * make them (uid, gid and mode do not apply to a bind mount).  Those from
 * an environment variable or inline content are copied in after create.
 */
static size_t file_mounts(struct engine_mount *m,
			  struct arena *a,
			  const struct plan *p,
			  const struct compose_service *s)
{
	size_t n = 0;

	for (int config = 0; config < 2; config++) {
		const struct compose_fileref *refs =
			config ? s->configs : s->secrets;
		size_t nr = config ? s->n_configs : s->n_secrets;

		for (size_t i = 0; i < nr; i++) {
			const struct compose_fileobj *o = compose_fileobj_find(
				p->project, config, refs[i].source);

			if (!o || !o->file)
				continue;
			m[n].type = ENGINE_MOUNT_BIND;
			m[n].source = o->file;
			m[n].target =
				compose_fileref_target(a, &refs[i], config);
			m[n++].read_only = true;
		}
	}
	return n;
}

static void spec_mounts(struct engine_container_spec *sp,
			struct arena *a,
			const struct plan *p,
			const struct compose_service *s)
{
	struct engine_mount *m = arena_calloc(
		a, s->n_volumes + s->n_secrets + s->n_configs + 1, sizeof(*m));
	const char **binds = arena_calloc(a, s->n_volumes + 1, sizeof(*binds));
	size_t nm = 0, nb = 0;

	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct compose_mount *cm = &s->volumes[i];
		const struct compose_volume *v;

		/*
		 * Binds, not mounts, for bind mounts: the daemon then creates
		 * a missing host path, as compose does by default.
		 */
		if (cm->type == COMPOSE_MOUNT_BIND && cm->source &&
		    !cm->bind_propagation && !cm->bind_recursive) {
			binds[nb++] = arena_sprintf(a, "%s:%s%s", cm->source,
						    cm->target,
						    cm->read_only ? ":ro" : "");
			continue;
		}
		if (cm->type == COMPOSE_MOUNT_CLUSTER)
			continue;
		m[nm].type = mount_type(cm->type);
		m[nm].source = cm->source;
		if (cm->type == COMPOSE_MOUNT_VOLUME && cm->source &&
		    (v = volume_find(p, cm->source)))
			m[nm].source = v->name;
		m[nm].target = cm->target;
		m[nm].read_only = cm->read_only;
		m[nm].volume_nocopy = cm->volume_nocopy > 0;
		m[nm].bind_propagation = cm->bind_propagation;
		m[nm].tmpfs_size = cm->tmpfs_size > 0 ? cm->tmpfs_size : 0;
		m[nm].tmpfs_mode = cm->tmpfs_mode > 0 ? cm->tmpfs_mode : 0;
		apply_mount_keys(&m[nm], a, cm);
		nm++;
	}
	nm += file_mounts(m + nm, a, p, s);
	sp->mounts = m;
	sp->n_mounts = nm;
	if (nb)
		sp->binds = (struct engine_strv){binds, nb};
}

static long long ns_or_zero(long long v)
{
	return v > 0 ? v : 0;
}

static void spec_health(struct engine_container_spec *sp,
			const struct compose_healthcheck *h)
{
	static const char *const none[] = {"NONE"};
	struct engine_healthcheck *eh = &sp->healthcheck;

	if (!h->present)
		return;
	eh->test = h->disable ? (struct engine_strv){none, 1} : strv(&h->test);
	eh->interval_ns = ns_or_zero(h->interval_ns);
	eh->timeout_ns = ns_or_zero(h->timeout_ns);
	eh->start_period_ns = ns_or_zero(h->start_period_ns);
	eh->start_interval_ns = ns_or_zero(h->start_interval_ns);
	eh->retries = h->retries > 0 ? h->retries : 0;
}

static void spec_restart(struct engine_container_spec *sp,
			 struct arena *a,
			 const char *restart)
{
	const char *colon;

	if (!restart)
		return;
	colon = strchr(restart, ':');
	if (!colon) {
		sp->restart_policy = restart;
		return;
	}
	sp->restart_policy =
		arena_strndup(a, restart, (size_t)(colon - restart));
	sp->restart_max_retries = atoi(colon + 1);
}

/* ExtraHosts: the planned peers, then the service's own entries. */
static void spec_hosts(struct engine_container_spec *sp,
		       struct arena *a,
		       const struct plan_container *ct,
		       const struct compose_service *s)
{
	size_t n = ct->extra_hosts_strv.n + s->n_extra_hosts, k = 0;
	const char **v;

	if (!n)
		return;
	v = arena_calloc(a, n + 1, sizeof(*v));
	for (size_t i = 0; i < ct->extra_hosts_strv.n; i++)
		v[k++] = ct->extra_hosts_strv.v[i];
	for (size_t i = 0; i < s->n_extra_hosts; i++)
		v[k++] = arena_sprintf(
			a, "%s:%s", s->extra_hosts[i].key,
			s->extra_hosts[i].value ? s->extra_hosts[i].value : "");
	sp->extra_hosts = (struct engine_strv){v, k};
}

static const char *network_mode(const struct plan *p,
				struct arena *a,
				const struct plan_container *ct,
				const struct compose_service *s)
{
	const char *nm = s->network_mode;

	/* "service:x" joins x's (first) container, by its planned name. */
	if (nm && !strncmp(nm, "service:", 8)) {
		size_t si = plan_service_index(p, nm + 8);

		if (si != PLAN_NONE && p->services[si].n_containers)
			return arena_sprintf(
				a, "container:%s",
				p->containers[p->services[si].first_container]
					.name);
		return nm;
	}
	if (!nm && ct->n_endpoints)
		return p->networks[ct->endpoints[0].network].name;
	return nm;
}

static void spec_endpoints(struct engine_container_spec *sp,
			   struct engine_job *job,
			   struct arena *a,
			   const struct plan *p,
			   const struct plan_container *ct)
{
	struct engine_endpoint *ep;

	if (!ct->n_endpoints)
		return;
	ep = arena_calloc(a, ct->n_endpoints, sizeof(*ep));
	for (size_t i = 0; i < ct->n_endpoints; i++) {
		const struct plan_endpoint *pe = &ct->endpoints[i];

		ep[i].network = p->networks[pe->network].name;
		ep[i].links = apply_key_links(a, p->services[ct->service].svc);
		ep[i].aliases = strv(&pe->aliases);
		ep[i].ipv4_address = pe->ipv4;
		apply_endpoint_keys(&ep[i], a, pe->cfg);
	}
	/* API 1.41 daemons take one endpoint at create; connect the rest. */
	sp->endpoints = ep;
	sp->n_endpoints = 1;
	job->connect = ep + 1;
	job->n_connect = ct->n_endpoints - 1;
}

static struct engine_container_spec *
container_spec(struct build *b, struct engine_job *job, size_t ci)
{
	struct arena *a = b->J->a;
	const struct plan *p = b->p;
	const struct plan_container *ct = &p->containers[ci];
	const struct compose_service *s = p->services[ct->service].svc;
	struct engine_container_spec *sp = arena_alloc(a, sizeof(*sp));

	sp->image = p->services[ct->service].image;
	sp->cmd = strv(&s->command);
	sp->entrypoint = strv(&s->entrypoint);
	spec_env(sp, a, s);
	sp->labels = kv_from(a, ct->labels, ct->n_labels);
	sp->n_labels = ct->n_labels;
	sp->working_dir = s->working_dir;
	sp->user = s->user;
	sp->hostname = s->hostname;
	sp->domainname = s->domainname;
	sp->tty = s->tty;
	sp->open_stdin = s->stdin_open;
	sp->stop_signal = s->stop_signal;
	sp->stop_timeout =
		s->stop_grace_period_ns < 0
			? -1
			: (int)(s->stop_grace_period_ns / 1000000000LL);
	spec_health(sp, &s->healthcheck);
	spec_ports(sp, a, s);
	spec_mounts(sp, a, p, s);
	sp->network_mode = network_mode(p, a, ct, s);
	spec_hosts(sp, a, ct, s);
	spec_restart(sp, a, s->restart);
	sp->init = s->init;
	sp->privileged = s->privileged;
	sp->read_only = s->read_only;
	sp->cap_add = strv(&s->cap_add);
	sp->cap_drop = strv(&s->cap_drop);
	sp->dns = strv(&s->dns);
	sp->dns_search = strv(&s->dns_search);
	sp->isolation = s->isolation;
	spec_endpoints(sp, job, a, p, ct);
	apply_spec_keys(sp, a, &p->hosts[ct->daemon], s);
	if (s->use_api_socket)
		apply_api_socket(sp, a, &p->hosts[ct->daemon], s);
	return sp;
}

/* ---- Containers -----------------------------------------------------------
 */

/* The container as jobs see it: made by its CREATE job, or existing. */
static struct engine_container_ref cref(const struct build *b, size_t ci)
{
	struct engine_container_ref r = {b->create[ci],
					 b->p->containers[ci].existing_id};

	return r;
}

static size_t
wait_job(struct build *b, size_t ci, enum engine_wait_cond cond, bool soft)
{
	const struct plan_container *ct = &b->p->containers[ci];
	size_t *slot =
		cond == ENGINE_WAIT_HEALTHY
			? (soft ? &b->healthy_opt[ci] : &b->healthy[ci])
			: (soft ? &b->completed_opt[ci] : &b->completed[ci]);
	struct depv deps = {0};
	struct engine_job t;
	struct apply_job_info *in;

	if (*slot != NONE)
		return *slot;
	t = job_tmpl(ENGINE_JOB_WAIT, b->engines[ct->daemon]);
	t.wait = cond;
	t.container = cref(b, ci);
	t.optional = soft;
	dep_add(&deps, b->create[ci]);
	dep_add(&deps, b->ready[ci]);
	in = info_new(b->J, "Container", ct->name,
		      daemon_name(b->p, ct->daemon));
	info_verbs(in, "Waiting",
		   cond == ENGINE_WAIT_HEALTHY ? "Healthy" : "Exited", NULL);
	if (soft)
		in->optional_dep = ct->service_name;
	*slot = job_add(b->J, &t, &deps, in);
	dep_release(&deps);
	return *slot;
}

/*
 * The deps that 'ci' has on the containers of the services it needs.  A
 * depends_on with required: false is a soft edge (engine_job.soft): the
 * dependent waits for the dependency's job to finish, and starts whatever
 * its outcome, as compose v2 does for an optional dependency.
 */
static void
edge_deps(struct build *b, struct depv *deps, size_t ci, bool for_create)
{
	const struct plan *p = b->p;
	size_t si = p->containers[ci].service;

	for (size_t k = 0; k < p->n_edges; k++) {
		const struct plan_edge *e = &p->edges[k];
		const struct plan_service *to = &p->services[e->to];
		bool at_create = e->kind == PLAN_DEP_NETWORK_MODE ||
				 e->kind == PLAN_DEP_VOLUMES_FROM;

		if (e->from != si || at_create != for_create)
			continue;
		for (size_t c = to->first_container;
		     c < to->first_container + to->n_containers; c++) {
			if (p->containers[c].action == PLAN_ACT_SKIP ||
			    b->ready[c] == NONE)
				continue;
			bool soft = !e->required;
			size_t j = b->ready[c];

			if (e->condition &&
			    !strcmp(e->condition, "service_healthy"))
				j = wait_job(b, c, ENGINE_WAIT_HEALTHY, soft);
			else if (e->condition &&
				 !strcmp(e->condition,
					 "service_completed_successfully"))
				j = wait_job(b, c, ENGINE_WAIT_COMPLETED, soft);
			dep_add_edge(deps, j, soft);
		}
	}
}

/*
 * The STOP jobs of the containers that restart because 'ci' is recreated
 * (depends_on restart: true): they stop before it goes.
 */
static void restart_stops(struct build *b, struct depv *deps, size_t ci)
{
	const struct plan *p = b->p;
	size_t si = p->containers[ci].service;

	for (size_t k = 0; si != PLAN_NONE && k < p->n_edges; k++) {
		const struct plan_service *from =
			&p->services[p->edges[k].from];

		if (p->edges[k].to != si || !p->edges[k].restart)
			continue;
		for (size_t c = from->first_container;
		     c < from->first_container + from->n_containers; c++)
			dep_add(deps, b->stopped[c]);
	}
}

static size_t
remove_job(struct build *b, size_t ci, const char *doing, const char *done)
{
	const struct plan_container *ct = &b->p->containers[ci];
	struct engine_job t =
		job_tmpl(ENGINE_JOB_CONTAINER_REMOVE, b->engines[ct->daemon]);
	struct apply_job_info *in;
	struct depv deps = {0};
	size_t j;

	t.container.id = ct->existing_id;
	t.timeout_s = b->o->timeout_s;
	in = info_new(b->J, "Container", ct->name,
		      daemon_name(b->p, ct->daemon));
	info_verbs(in, doing, done, NULL);
	restart_stops(b, &deps, ci);
	j = job_add(b->J, &t, &deps, in);
	dep_release(&deps);
	return j;
}

static void stop_job(struct build *b, size_t ci)
{
	const struct plan_container *ct = &b->p->containers[ci];
	struct engine_job t =
		job_tmpl(ENGINE_JOB_CONTAINER_STOP, b->engines[ct->daemon]);
	struct apply_job_info *in;

	t.container.id = ct->existing_id;
	t.timeout_s = b->o->timeout_s;
	in = info_new(b->J, "Container", ct->name,
		      daemon_name(b->p, ct->daemon));
	info_verbs(in, "Stopping", "Stopped", NULL);
	b->stopped[ci] = job_add(b->J, &t, NULL, in);
}

/*
 * What a new container of 'ci' waits for to have its image: the build of
 * its service (unless up built it already), else its pull policy's job.
 */
static int
image_dep(struct build *b, size_t ci, struct depv *deps, struct diag *err)
{
	const struct plan_service *ps =
		&b->p->services[b->p->containers[ci].service];
	size_t bj;
	int rc;

	if (!ps->build) {
		dep_add(deps, image_job(b, ci));
		return 0;
	}
	if (b->o->builds_done)
		return 0;
	if ((rc = build_job(b, b->p->containers[ci].service, &bj, err)))
		return rc;
	dep_add(deps, bj);
	return 0;
}

/* The existing container a plan container replaces, or NULL. */
static const struct plan_host_container *
existing(const struct plan *p, const struct plan_container *ct)
{
	const struct plan_host *h = &p->hosts[ct->daemon];

	for (size_t i = 0; ct->existing_id && i < h->n_containers; i++)
		if (h->containers[i].id &&
		    !strcmp(h->containers[i].id, ct->existing_id))
			return &h->containers[i];
	return NULL;
}

/* A name the daemon made up for an anonymous volume: 64 hex digits. */
static bool anonymous_volume(const char *name)
{
	size_t n = 0;

	while (name[n] && strchr("0123456789abcdef", name[n]))
		n++;
	return n == 64 && !name[n];
}

/* 'target' is mounted already (a mount, or a bind "SRC:TARGET[:ro]"). */
static bool target_taken(const struct engine_container_spec *sp,
			 const struct engine_mount *m,
			 size_t n,
			 const char *target)
{
	size_t tl = strlen(target);

	for (size_t i = 0; i < n; i++)
		if (m[i].target && !strcmp(m[i].target, target))
			return true;
	for (size_t i = 0; i < sp->binds.n; i++) {
		const char *b = sp->binds.v[i];
		size_t bl = strlen(b);
		const char *end = bl > 3 && !strcmp(b + bl - 3, ":ro")
					  ? b + bl - 3
					  : b + bl;

		if ((size_t)(end - b) > tl && end[-(long)tl - 1] == ':' &&
		    !strncmp(end - tl, target, tl))
			return true;
	}
	return false;
}

/*
 * compose v2 on recreate (unless -V): the old container's anonymous
 * volumes go to the new one at their targets, a service volume without a
 * source and one the daemon made for the image's VOLUME (an anonymous
 * volume at a target the service does not mount otherwise).
 */
static void inherit_volumes(struct engine_container_spec *sp,
			    struct arena *a,
			    const struct plan_host_container *old)
{
	struct engine_mount *m = arena_calloc(
		a, sp->n_mounts + old->n_volume_mounts + 1, sizeof(*m));
	size_t n = sp->n_mounts;

	if (n)
		memcpy(m, sp->mounts, n * sizeof(*m));
	for (size_t i = 0; i < old->n_volume_mounts; i++) {
		const struct plan_host_mount *om = &old->volume_mounts[i];
		bool taken = false;

		if (!anonymous_volume(om->name))
			continue;
		for (size_t k = 0; k < n && !taken; k++)
			if (m[k].type == ENGINE_MOUNT_VOLUME && !m[k].source &&
			    m[k].target && !strcmp(m[k].target, om->target)) {
				m[k].source = om->name;
				taken = true;
			}
		if (taken || target_taken(sp, m, n, om->target))
			continue;
		m[n].type = ENGINE_MOUNT_VOLUME;
		m[n].source = om->name;
		m[n++].target = om->target;
	}
	sp->mounts = m;
	sp->n_mounts = n;
}

static int
create_job(struct build *b, size_t ci, size_t removed, struct diag *err)
{
	const struct plan *p = b->p;
	const struct plan_container *ct = &p->containers[ci];
	const struct compose_service *s = p->services[ct->service].svc;
	struct engine_job t =
		job_tmpl(ENGINE_JOB_CONTAINER_CREATE, b->engines[ct->daemon]);
	struct depv deps = {0};
	struct apply_job_info *in;
	int rc;

	if (!p->services[ct->service].image)
		return diag_set(err, DIAG_EUSAGE, &s->loc,
				"service '%s' has neither image nor build",
				s->name);
	t.name = ct->name;
	t.platform = engine_platform(p, ct->daemon,
				     p->services[ct->service].platform);
	t.container_spec = container_spec(b, &t, ci);
	if (removed != NONE && !b->o->renew_anon_volumes && existing(p, ct))
		inherit_volumes(
			(struct engine_container_spec *)t.container_spec,
			b->J->a, existing(p, ct));
	dep_add(&deps, removed);
	if ((rc = image_dep(b, ci, &deps, err))) {
		dep_release(&deps);
		return rc;
	}
	for (size_t k = 0; k < ct->n_endpoints; k++)
		dep_add(&deps, b->netjob[ct->endpoints[k].network]);
	for (size_t k = 0; k < s->n_volumes; k++) {
		const struct compose_volume *v;

		if (s->volumes[k].type == COMPOSE_MOUNT_VOLUME &&
		    (v = volume_find(p, s->volumes[k].source)))
			dep_add(&deps, volume_job(b, ct->daemon, v));
	}
	edge_deps(b, &deps, ci, true);
	in = info_new(b->J, "Container", ct->name, daemon_name(p, ct->daemon));
	if (removed != NONE)
		info_verbs(in, "Recreate", "Recreated", NULL);
	else
		info_verbs(in, "Creating", "Created", NULL);
	b->create[ci] = job_add(b->J, &t, &deps, in);
	dep_release(&deps);
	return 0;
}

/*
 * compose v2's startServiceContainer: the post_start hooks, one after the
 * other, after the start; the container counts as started for its
 * dependents (b->ready) once they have run.
 */
static void post_start_jobs(struct build *b, size_t ci)
{
	const struct plan_container *ct = &b->p->containers[ci];
	const struct compose_service *s = b->p->services[ct->service].svc;

	for (size_t i = 0; i < s->n_post_start; i++) {
		struct depv deps = {0};

		dep_add(&deps, b->create[ci]);
		dep_add(&deps, b->ready[ci]);
		b->ready[ci] = hook_job(b->J, b->engines[ct->daemon],
					cref(b, ci), ct->name,
					daemon_name(b->p, ct->daemon), s->name,
					"post_start", &s->post_start[i], &deps);
		dep_release(&deps);
	}
}

static void start_job(struct build *b, size_t ci)
{
	const struct plan_container *ct = &b->p->containers[ci];
	struct engine_job t =
		job_tmpl(ENGINE_JOB_CONTAINER_START, b->engines[ct->daemon]);
	struct depv deps = {0};
	struct apply_job_info *in;

	t.container = cref(b, ci);
	dep_add(&deps, b->create[ci]);
	dep_add(&deps, b->stopped[ci]);
	dep_add(&deps, b->hfile[ci]);
	dep_add(&deps, b->files[ci]);
	edge_deps(b, &deps, ci, false);
	in = info_new(b->J, "Container", ct->name,
		      daemon_name(b->p, ct->daemon));
	info_verbs(in, "Starting", "Started", "Running");
	b->ready[ci] = job_add(b->J, &t, &deps, in);
	dep_release(&deps);
}

char *apply_hosts_merge_edit(void *ud, const char *old, size_t len)
{
	struct sbuf sb = SBUF_INIT;

	plan_hosts_merge(&sb, old, len, ud);
	return sbuf_detach(&sb, NULL);
}

/*
 * A Windows engine ignores ExtraHosts.  Before the container starts, its
 * hosts file is rewritten through the archive API (GET, merge, PUT), so
 * the entrypoint finds its peers at its first instant; the daemons allow
 * it on a created or stopped container, Hyper-V isolation included (only
 * a running Hyper-V container is refused).
 */
static void hosts_file_job(struct build *b, size_t ci)
{
	const struct plan_container *ct = &b->p->containers[ci];
	struct engine_job t =
		job_tmpl(ENGINE_JOB_FILE_EDIT, b->engines[ct->daemon]);
	struct depv deps = {0};

	if (ct->hosts_mech != PLAN_HOSTS_EXEC || !ct->hosts_block)
		return;
	t.container = cref(b, ci);
	t.file_dir = PLAN_HOSTS_ARCHIVE_DIR_WINDOWS;
	t.file_name = PLAN_HOSTS_ARCHIVE_NAME;
	t.file_edit = apply_hosts_merge_edit;
	t.file_edit_ud = (void *)ct->hosts_block;
	t.title = arena_sprintf(b->J->a, "Container %s (%s): hosts file",
				ct->name, daemon_name(b->p, ct->daemon));
	dep_add(&deps, b->create[ci]);
	dep_add(&deps, b->stopped[ci]);
	b->hfile[ci] = job_add(b->J, &t, &deps, NULL);
	dep_release(&deps);
}

/*
 * Secrets and configs from an environment variable or inline content,
 * copied in through the archive API before every start, as compose v2's
 * injectSecrets and injectConfigs do: at their target, mode 0444 unless
 * 'mode' says otherwise, owned by 'uid' and 'gid' (root's by default).
 * An empty value is not written (compose v2 skips it).
 */
static int files_job(struct build *b, size_t ci, struct diag *err)
{
	const struct plan_container *ct = &b->p->containers[ci];
	const struct compose_service *s = b->p->services[ct->service].svc;
	struct engine_job t =
		job_tmpl(ENGINE_JOB_FILES_PUT, b->engines[ct->daemon]);
	struct engine_file *f = arena_calloc(
		b->J->a, s->n_secrets + s->n_configs + 2, sizeof(*f));
	struct depv deps = {0};
	int rc;

	for (int config = 0; config < 2; config++) {
		const struct compose_fileref *refs =
			config ? s->configs : s->secrets;
		size_t nr = config ? s->n_configs : s->n_secrets;

		for (size_t i = 0; i < nr; i++) {
			const struct compose_fileobj *o = compose_fileobj_find(
				b->p->project, config, refs[i].source);

			if (!o || o->file || !o->value || !*o->value)
				continue;
			f[t.n_files] = (struct engine_file){
				compose_fileref_target(b->J->a, &refs[i],
						       config),
				o->value,
				strlen(o->value),
				refs[i].mode >= 0 ? (unsigned)refs[i].mode
						  : 0444,
				refs[i].uid ? atol(refs[i].uid) : 0,
				refs[i].gid ? atol(refs[i].gid) : 0};
			t.file_owners =
				t.file_owners || refs[i].uid || refs[i].gid;
			t.n_files++;
		}
	}
	if (s->use_api_socket &&
	    (rc = apply_api_socket_file(&f[t.n_files++], b->J->a, err)))
		return rc;
	if (!t.n_files)
		return 0;
	t.files = f;
	t.container = cref(b, ci);
	t.title =
		arena_sprintf(b->J->a, "Container %s (%s): secrets and configs",
			      ct->name, daemon_name(b->p, ct->daemon));
	dep_add(&deps, b->create[ci]);
	dep_add(&deps, b->stopped[ci]);
	b->files[ci] = job_add(b->J, &t, &deps, NULL);
	dep_release(&deps);
	return 0;
}

/*
 * The exec after the start: the fallback when the archive API refused,
 * and for a container kept running (again on every up: it is idempotent).
 */
static void hosts_exec_job(struct build *b, size_t ci)
{
	const struct plan_container *ct = &b->p->containers[ci];
	struct engine_job t = job_tmpl(ENGINE_JOB_EXEC, b->engines[ct->daemon]);
	struct depv deps = {0};
	struct apply_job_info *in;

	if (ct->hosts_mech != PLAN_HOSTS_EXEC || !ct->hosts_exec.v)
		return;
	t.container = cref(b, ci);
	t.argv = strv(&ct->hosts_exec);
	t.user = ct->hosts_exec_user;
	if (b->hfile[ci] != NONE) {
		t.fallback = true;
		t.fallback_of = b->hfile[ci];
	}
	dep_add(&deps, b->create[ci]);
	dep_add(&deps, b->hfile[ci]);
	dep_add(&deps, b->ready[ci]);
	in = info_new(b->J, "Container", ct->name,
		      daemon_name(b->p, ct->daemon));
	b->exec[ci] = job_add(b->J, &t, &deps, in);
	dep_release(&deps);
}

static void keep_job(struct build *b, size_t ci)
{
	const struct plan_container *ct = &b->p->containers[ci];
	struct engine_job t = job_tmpl(ENGINE_JOB_NOOP, NULL);
	struct apply_job_info *in;

	in = info_new(b->J, "Container", ct->name,
		      daemon_name(b->p, ct->daemon));
	info_verbs(in, NULL, "Running", NULL);
	b->ready[ci] = job_add(b->J, &t, NULL, in);
}

static void final_wait_job(struct build *b, size_t ci)
{
	const struct plan_container *ct = &b->p->containers[ci];
	const struct compose_service *s = b->p->services[ct->service].svc;
	struct engine_job t = job_tmpl(ENGINE_JOB_WAIT, b->engines[ct->daemon]);
	struct depv deps = {0};
	struct apply_job_info *in;

	t.wait = ENGINE_WAIT_RUNNING_OR_HEALTHY;
	t.wait_timeout_ms = b->o->wait_timeout_ms;
	t.container = cref(b, ci);
	dep_add(&deps, b->create[ci]);
	dep_add(&deps, b->ready[ci]);
	dep_add(&deps, b->exec[ci]);
	in = info_new(b->J, "Container", ct->name,
		      daemon_name(b->p, ct->daemon));
	info_verbs(in, "Waiting",
		   s->healthcheck.present && !s->healthcheck.disable
			   ? "Healthy"
			   : "Running",
		   NULL);
	job_add(b->J, &t, &deps, in);
	dep_release(&deps);
}

static int container_jobs(struct build *b, size_t ci, struct diag *err)
{
	const struct plan_container *ct = &b->p->containers[ci];
	size_t removed = NONE;
	int rc;

	if (!b->engines[ct->daemon])
		return diag_set(err, DIAG_ETRANSPORT, NULL,
				"daemon '%s' is not reachable; it runs "
				"container '%s'",
				daemon_name(b->p, ct->daemon), ct->name);
	switch (ct->action) {
	case PLAN_ACT_RECREATE:
		removed = remove_job(b, ci, "Recreate", NULL);
		/* fall through */
	case PLAN_ACT_CREATE:
		if ((rc = create_job(b, ci, removed, err)))
			return rc;
		/*
		 * --no-start: created is as far as it goes (a dependent's
		 * create may wait for it); the hosts block needs a start.
		 */
		if (b->o->no_start) {
			b->ready[ci] = b->create[ci];
			return 0;
		}
		/* fall through */
	case PLAN_ACT_START:
	case PLAN_ACT_RESTART:
		if (b->o->no_start)
			return 0;
		hosts_file_job(b, ci);
		if ((rc = files_job(b, ci, err)))
			return rc;
		start_job(b, ci);
		post_start_jobs(b, ci);
		break;
	case PLAN_ACT_KEEP:
		/* compose v2 pulls under 'always' even if nothing is created.
		 */
		if (b->p->services[ct->service].pull == PLAN_PULL_ALWAYS &&
		    !b->p->services[ct->service].build)
			image_job(b, ci);
		keep_job(b, ci);
		break;
	default:
		return 0;
	}
	hosts_exec_job(b, ci);
	if (b->o->wait)
		final_wait_job(b, ci);
	return 0;
}

static size_t *nones(size_t n)
{
	size_t *v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i <= n; i++)
		v[i] = NONE;
	return v;
}

static void build_release(struct build *b)
{
	free(b->netjob);
	free(b->create);
	free(b->ready);
	free(b->exec);
	free(b->hfile);
	free(b->files);
	free(b->stopped);
	free(b->healthy);
	free(b->completed);
	free(b->healthy_opt);
	free(b->completed_opt);
	free(b->once);
}

static int up_containers(struct build *b, struct diag *err)
{
	const struct plan *p = b->p;
	int rc;

	/* --build (or pull_policy: build): built even if nothing is created. */
	for (size_t i = 0; i < p->n_services; i++) {
		size_t j;

		if (!b->o->builds_done && p->services[i].selected &&
		    p->services[i].build == PLAN_BUILD_ALWAYS &&
		    b->engines[p->services[i].daemon] &&
		    (rc = build_job(b, i, &j, err)))
			return rc;
	}
	for (size_t c = 0; c < p->n_containers; c++)
		if (p->containers[c].action == PLAN_ACT_RESTART &&
		    b->engines[p->containers[c].daemon])
			stop_job(b, c);
	/* Services in start order, so a dependency's jobs exist first. */
	for (size_t k = 0; k < p->n_order; k++) {
		const struct plan_service *ps = &p->services[p->order[k]];

		for (size_t c = ps->first_container;
		     c < ps->first_container + ps->n_containers; c++)
			if ((rc = container_jobs(b, c, err)))
				return rc;
	}
	for (size_t c = 0; c < p->n_containers; c++)
		if (p->containers[c].action == PLAN_ACT_REMOVE &&
		    b->engines[p->containers[c].daemon])
			remove_job(b, c, "Removing", "Removed");
	return 0;
}

static void build_init(struct build *b,
		       struct apply_jobs *out,
		       const struct plan *p,
		       struct engine *const *engines,
		       const struct apply_up_opts *o)
{
	static const struct apply_up_opts defaults = {.timeout_s = -1};

	memset(b, 0, sizeof(*b));
	b->J = out;
	b->p = p;
	b->engines = engines;
	b->o = o ? o : &defaults;
	b->netjob = nones(p->n_networks);
	b->create = nones(p->n_containers);
	b->ready = nones(p->n_containers);
	b->exec = nones(p->n_containers);
	b->hfile = nones(p->n_containers);
	b->files = nones(p->n_containers);
	b->stopped = nones(p->n_containers);
	b->healthy = nones(p->n_containers);
	b->completed = nones(p->n_containers);
	b->healthy_opt = nones(p->n_containers);
	b->completed_opt = nones(p->n_containers);
}

int apply_up(struct apply_jobs *out,
	     const struct plan *p,
	     struct engine *const *engines,
	     const struct apply_up_opts *o,
	     struct diag *err)
{
	struct build b;
	int rc;

	if ((rc = apply_check(p, err)))
		return rc;
	build_init(&b, out, p, engines, o);
	if (!b.o->networks_made)
		add_networks(&b);
	rc = up_containers(&b, err);
	build_release(&b);
	return rc;
}

size_t apply_networks(struct apply_jobs *out,
		      const struct plan *p,
		      struct engine *const *engines)
{
	size_t before = out->n;
	struct build b;

	build_init(&b, out, p, engines, NULL);
	add_networks(&b);
	build_release(&b);
	return out->n - before;
}

/* ---- run: one one-off container ------------------------------------------
 */

/* The service's labels, marked one-off, then the user's -l on top. */
static void oneoff_labels(struct engine_container_spec *sp,
			  struct arena *a,
			  const struct plan_container *ct,
			  const struct apply_oneoff *o)
{
	struct engine_kv *kv =
		arena_calloc(a, ct->n_labels + o->n_labels + 2, sizeof(*kv));
	size_t n = 0;

	for (size_t i = 0; i < ct->n_labels; i++) {
		kv[n].key = ct->labels[i].key;
		kv[n].value = ct->labels[i].value;
		if (!strcmp(kv[n].key, "com.docker.compose.oneoff"))
			kv[n].value = "True";
		n++;
	}
	kv[n].key = "com.docker.compose.slug";
	kv[n++].value = o->slug;
	for (size_t i = 0; i < o->n_labels; i++) {
		const char *eq = strchr(o->labels[i], '=');
		char *key = arena_strndup(a, o->labels[i],
					  (size_t)(eq - o->labels[i]));
		size_t k = 0;

		while (k < n && strcmp(kv[k].key, key))
			k++;
		kv[k].key = key;
		kv[k].value = eq + 1;
		if (k == n)
			n++;
	}
	sp->labels = kv;
	sp->n_labels = n;
}

/* -e on top of the service's environment, by name. */
static void oneoff_env(struct engine_container_spec *sp,
		       struct arena *a,
		       const struct apply_oneoff *o)
{
	const char **v = arena_calloc(a, sp->env.n + o->n_env + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < sp->env.n; i++) {
		size_t klen = strcspn(sp->env.v[i], "=");
		bool over = false;

		for (size_t k = 0; k < o->n_env && !over; k++)
			over = !strncmp(o->env[k], sp->env.v[i], klen) &&
			       (o->env[k][klen] == '=' || !o->env[k][klen]);
		if (!over)
			v[n++] = sp->env.v[i];
	}
	for (size_t k = 0; k < o->n_env; k++) {
		/* "-e NAME" takes the value from our environment. */
		if (!strchr(o->env[k], '=')) {
			const char *val = getenv(o->env[k]);

			if (val)
				v[n++] = arena_sprintf(a, "%s=%s", o->env[k],
						       val);
			continue;
		}
		v[n++] = o->env[k];
	}
	sp->env = (struct engine_strv){v, n};
}

/* Binds: the service's, then -v; ports: none, the service's, or -p. */
static void oneoff_mounts_ports(struct engine_container_spec *sp,
				struct arena *a,
				const struct apply_oneoff *o)
{
	const char **b =
		arena_calloc(a, sp->binds.n + o->n_volumes + 1, sizeof(*b));
	struct engine_port_binding *pb;

	for (size_t i = 0; i < sp->binds.n; i++)
		b[i] = sp->binds.v[i];
	for (size_t i = 0; i < o->n_volumes; i++)
		b[sp->binds.n + i] = o->volumes[i];
	sp->binds = (struct engine_strv){b, sp->binds.n + o->n_volumes};
	if (o->service_ports)
		return;
	/* compose v2: run publishes no service port unless asked to. */
	pb = arena_calloc(a, o->n_publish + 1, sizeof(*pb));
	for (size_t i = 0; i < o->n_publish; i++) {
		const struct apply_publish *cp = &o->publish[i];

		pb[i].container_port = cp->container_port;
		pb[i].protocol = *cp->protocol ? cp->protocol : NULL;
		pb[i].host_ip = *cp->host_ip ? cp->host_ip : NULL;
		pb[i].host_port = *cp->host_port ? cp->host_port : NULL;
	}
	sp->ports = pb;
	sp->n_ports = o->n_publish;
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* 'base' without the strings of 'drop', then 'add' (duplicates left out). */
static struct engine_strv caps_merge(struct arena *a,
				     const struct engine_strv *base,
				     const char *const *drop,
				     size_t n_drop,
				     const char *const *add,
				     size_t n_add)
{
	const char **v = arena_calloc(a, base->n + n_add + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < base->n; i++)
		if (!in_list(drop, n_drop, base->v[i]) &&
		    !in_list(v, n, base->v[i]))
			v[n++] = base->v[i];
	for (size_t i = 0; i < n_add; i++)
		if (!in_list(v, n, add[i]))
			v[n++] = add[i];
	return (struct engine_strv){v, n};
}

/*
 * compose v2's run: --cap-add goes onto the service's cap_add and off its
 * cap_drop, then --cap-drop onto cap_drop and off cap_add.
 */
static void oneoff_caps(struct engine_container_spec *sp,
			struct arena *a,
			const struct apply_oneoff *o)
{
	struct engine_strv add =
		caps_merge(a, &sp->cap_add, NULL, 0, o->cap_add, o->n_cap_add);
	struct engine_strv drop =
		caps_merge(a, &sp->cap_drop, o->cap_add, o->n_cap_add, NULL, 0);

	sp->cap_drop =
		caps_merge(a, &drop, NULL, 0, o->cap_drop, o->n_cap_drop);
	sp->cap_add = caps_merge(a, &add, o->cap_drop, o->n_cap_drop, NULL, 0);
}

/* 'v' without 'drop' (NULL: nothing dropped), in 'a'. */
static struct engine_strv
strv_without(struct arena *a, const struct engine_strv *v, const char *drop)
{
	return caps_merge(a, v, drop ? &drop : NULL, drop ? 1 : 0, NULL, 0);
}

static void oneoff_spec(struct engine_container_spec *sp,
			struct engine_job *t,
			struct arena *a,
			const struct plan_container *ct,
			const struct apply_oneoff *o,
			const char *container)
{
	struct engine_endpoint *ep;

	oneoff_labels(sp, a, ct, o);
	if (o->cmd.v)
		sp->cmd = (struct engine_strv){o->cmd.v, o->cmd.n};
	if (o->entrypoint.v) {
		sp->entrypoint =
			(struct engine_strv){o->entrypoint.v, o->entrypoint.n};
		/* compose v2: a new entrypoint drops the service's command. */
		if (!o->cmd.v)
			sp->cmd = (struct engine_strv){NULL, 0};
	}
	oneoff_env(sp, a, o);
	if (o->user)
		sp->user = o->user;
	if (o->workdir)
		sp->working_dir = o->workdir;
	sp->tty = o->tty;
	sp->open_stdin = sp->attach_stdin = sp->stdin_once = o->interactive;
	sp->auto_remove = o->auto_remove;
	sp->restart_policy = NULL;
	sp->restart_max_retries = 0;
	oneoff_mounts_ports(sp, a, o);
	oneoff_caps(sp, a, o);
	/*
	 * The daemon picks the address (the service's planned one belongs to
	 * its own container).  Aliases: none, or with --use-aliases the
	 * service's name and its network aliases (not its container_name,
	 * which names the service's own container).
	 */
	for (size_t i = 0; i < sp->n_endpoints + t->n_connect; i++) {
		ep = (struct engine_endpoint *)&sp->endpoints[i];
		ep->ipv4_address = NULL;
		ep->aliases = o->use_aliases
				      ? strv_without(a, &ep->aliases, container)
				      : (struct engine_strv){NULL, 0};
	}
}

static int oneoff_job(struct build *b,
		      size_t ci,
		      const struct apply_oneoff *o,
		      size_t *out_job,
		      struct diag *err)
{
	const struct plan *p = b->p;
	const struct plan_container *ct = &p->containers[ci];
	const struct compose_service *s = p->services[ct->service].svc;
	struct engine_job t =
		job_tmpl(ENGINE_JOB_CONTAINER_CREATE, b->engines[ct->daemon]);
	struct depv deps = {0};
	struct apply_job_info *in;
	int rc;

	t.name = o->name;
	t.platform = engine_platform(p, ct->daemon,
				     p->services[ct->service].platform);
	t.container_spec = container_spec(b, &t, ci);
	oneoff_spec((struct engine_container_spec *)t.container_spec, &t,
		    b->J->a, ct, o, s->container_name);
	if ((rc = image_dep(b, ci, &deps, err))) {
		dep_release(&deps);
		return rc;
	}
	for (size_t k = 0; k < ct->n_endpoints; k++)
		dep_add(&deps, b->netjob[ct->endpoints[k].network]);
	for (size_t k = 0; k < s->n_volumes; k++) {
		const struct compose_volume *v;

		if (s->volumes[k].type == COMPOSE_MOUNT_VOLUME &&
		    (v = volume_find(p, s->volumes[k].source)))
			dep_add(&deps, volume_job(b, ct->daemon, v));
	}
	/* It starts right after: what it depends on must be ready now. */
	edge_deps(b, &deps, ci, true);
	edge_deps(b, &deps, ci, false);
	in = info_new(b->J, "Container", o->name, daemon_name(p, ct->daemon));
	info_verbs(in, "Creating", "Created", NULL);
	*out_job = job_add(b->J, &t, &deps, in);
	dep_release(&deps);
	return 0;
}

int apply_run(struct apply_jobs *out,
	      const struct plan *p,
	      struct engine *const *engines,
	      size_t ci,
	      const struct apply_oneoff *o,
	      size_t *out_job,
	      struct diag *err)
{
	const struct plan_container *ct = &p->containers[ci];
	const struct compose_service *s = p->services[ct->service].svc;
	struct apply_up_opts uo = {.timeout_s = -1,
				   .quiet_pull = o->quiet_pull};
	struct build b;
	int rc;

	if (!engines[ct->daemon])
		return diag_set(err, DIAG_ETRANSPORT, NULL,
				"daemon '%s' is not reachable; it runs "
				"service '%s'",
				daemon_name(p, ct->daemon), s->name);
	if (!p->services[ct->service].image)
		return diag_set(err, DIAG_EUSAGE, &s->loc,
				"service '%s' has neither image nor build",
				s->name);
	build_init(&b, out, p, engines, &uo);
	add_networks(&b);
	rc = up_containers(&b, err);
	if (!rc)
		rc = oneoff_job(&b, ci, o, out_job, err);
	build_release(&b);
	return rc;
}

int apply_build(struct apply_jobs *out,
		const struct plan *p,
		struct engine *const *engines,
		const struct apply_up_opts *o,
		size_t *service_job,
		struct diag *err)
{
	struct build b;
	int rc = 0;

	build_init(&b, out, p, engines, o);
	for (size_t i = 0; !rc && i < p->n_services; i++) {
		const struct plan_service *ps = &p->services[i];
		size_t j;

		if (service_job)
			service_job[i] = NONE;
		if (!ps->selected || !ps->build)
			continue;
		if (!engines[ps->daemon]) {
			rc = diag_set(err, DIAG_ETRANSPORT, NULL,
				      "daemon '%s' is not reachable; it builds "
				      "service '%s'",
				      daemon_name(p, ps->daemon), ps->name);
			break;
		}
		rc = build_job(&b, i, &j, err);
		if (!rc && service_job)
			service_job[i] = j;
	}
	build_release(&b);
	return rc;
}

/* ---- Down ------------------------------------------------------------------
 */

/*
 * compose v2's words (2.26, down.go): a missing network is a warning line,
 * a missing volume or image a done one that says "Warning: ".
 */
#define DOWN_GONE "No resource found to remove"
#define DOWN_NOT_FOUND "Warning: " DOWN_GONE
#define DOWN_IN_USE "Resource is still in use"

static size_t down_step(struct apply_jobs *J,
			const struct plan_down *d,
			struct engine *const *engines,
			size_t k,
			const struct apply_down_opts *o,
			struct depv *deps)
{
	const struct plan_down_step *st = &d->steps[k];
	struct engine_job t = job_tmpl(ENGINE_JOB_NOOP, engines[st->daemon]);
	const char *dn = d->hosts[st->daemon].name;
	struct apply_job_info *in;

	t.soft_deps = true;
	t.timeout_s = o->timeout_s;
	switch (st->kind) {
	case PLAN_DOWN_CONTAINER:
		t.kind = ENGINE_JOB_CONTAINER_REMOVE;
		t.container.id = st->id ? st->id : st->name;
		t.remove_volumes = o->remove_volumes;
		in = info_new(J, "Container", st->name, dn);
		info_verbs(in, "Stopping", "Removed", "Removed");
		break;
	case PLAN_DOWN_NETWORK:
		t.kind = ENGINE_JOB_NETWORK_REMOVE;
		t.name = st->name;
		in = info_new(J, "Network", st->name, dn);
		info_verbs(in, "Removing", "Removed", DOWN_GONE);
		in->noop_warn = true;
		break;
	default:
		t.kind = ENGINE_JOB_VOLUME_REMOVE;
		t.name = st->name;
		in = info_new(J, "Volume", st->name, dn);
		info_verbs(in, "Removing", "Removed", DOWN_NOT_FOUND);
		break;
	}
	in->in_use = DOWN_IN_USE;
	return job_add(J, &t, deps, in);
}

/*
 * down --rmi: an image removal, with the network and volume removals
 * (compose v2 runs all three at once, after the containers).
 */
static void image_remove(struct apply_jobs *J,
			 struct engine *e,
			 const char *image,
			 const char *daemon,
			 size_t after)
{
	struct engine_job t = job_tmpl(ENGINE_JOB_IMAGE_REMOVE, e);
	struct apply_job_info *in = info_new(J, "Image", image, daemon);
	struct depv deps = {0};

	t.soft_deps = true;
	t.name = arena_strdup(J->a, image);
	info_verbs(in, "Removing", "Removed", DOWN_NOT_FOUND);
	in->in_use = DOWN_IN_USE;
	dep_add(&deps, after);
	job_add(J, &t, &deps, in);
	dep_release(&deps);
}

/* A barrier after each wave: the next wave starts once it is finished. */
static size_t barrier(struct apply_jobs *J, const size_t *wave, size_t n)
{
	struct engine_job t = job_tmpl(ENGINE_JOB_NOOP, NULL);
	struct depv deps = {0};
	size_t j;

	t.soft_deps = true;
	t.title = "barrier";
	for (size_t i = 0; i < n; i++)
		dep_add(&deps, wave[i]);
	j = job_add(J, &t, &deps, NULL);
	dep_release(&deps);
	return j;
}

/*
 * compose v2's stopContainer: a running container's pre_stop hooks run
 * before its stop, one after the other.  Its removal waits for them
 * whatever their outcome (down goes on; a failed hook is reported).
 */
static void pre_stop_jobs(struct apply_jobs *J,
			  const struct plan_down *d,
			  struct engine *const *engines,
			  size_t k,
			  const struct apply_down_opts *o,
			  struct depv *deps)
{
	const struct plan_down_step *st = &d->steps[k];
	const struct compose_service *s =
		o->project && st->service
			? compose_service_find(o->project, st->service)
			: NULL;
	struct engine_container_ref c = {NONE, st->id ? st->id : st->name};

	for (size_t i = 0; s && st->running && i < s->n_pre_stop; i++) {
		size_t j = hook_job(J, engines[st->daemon], c, st->name,
				    d->hosts[st->daemon].name, s->name,
				    "pre_stop", &s->pre_stop[i], deps);

		J->v[j].soft_deps = true;
		dep_add(deps, j);
	}
}

int apply_down(struct apply_jobs *out,
	       const struct plan_down *d,
	       struct engine *const *engines,
	       const struct apply_down_opts *o)
{
	size_t *wave = xcalloc(d->n_steps + 1, sizeof(*wave));
	size_t nw = 0, prev = NONE, cur_wave = 0;
	struct depv deps = {0};
	bool containers = true;

	for (size_t k = 0; k < d->n_steps; k++) {
		const struct plan_down_step *st = &d->steps[k];
		bool is_ct = st->kind == PLAN_DOWN_CONTAINER;

		if ((is_ct && st->wave != cur_wave) || (containers && !is_ct)) {
			if (nw)
				prev = barrier(out, wave, nw);
			nw = 0;
			cur_wave = st->wave;
			containers = is_ct;
		}
		if (!engines[st->daemon])
			continue;
		dep_add(&deps, prev);
		if (is_ct)
			pre_stop_jobs(out, d, engines, k, o, &deps);
		wave[nw++] = down_step(out, d, engines, k, o, &deps);
	}
	/* The images wait for the last wave of containers, as networks do. */
	if (containers && nw && o->n_images)
		prev = barrier(out, wave, nw);
	for (size_t i = 0; i < o->n_images; i++) {
		size_t h = o->images[i].host;

		if (h < d->n_hosts && engines[h])
			image_remove(out, engines[h], o->images[i].ref,
				     d->hosts[h].name, prev);
	}
	free(wave);
	dep_release(&deps);
	return 0;
}

/* ---- Stop (up without -d, after Ctrl-C) ------------------------------------
 */

bool apply_names_has(char *const *names, size_t n, const char *name)
{
	if (!n)
		return true;
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

int apply_stop(struct apply_jobs *out,
	       const struct plan_host *hosts,
	       size_t n_hosts,
	       struct engine *const *engines,
	       char *const *services,
	       size_t n_services,
	       int timeout_s)
{
	for (size_t h = 0; h < n_hosts; h++) {
		for (size_t c = 0; engines[h] && c < hosts[h].n_containers;
		     c++) {
			const struct plan_host_container *pc =
				&hosts[h].containers[c];
			struct engine_job t =
				job_tmpl(ENGINE_JOB_CONTAINER_STOP, engines[h]);
			struct apply_job_info *in;

			if (pc->oneoff || !pc->state ||
			    strcmp(pc->state, "running") != 0 ||
			    !apply_names_has(services, n_services, pc->service))
				continue;
			t.container.id = pc->id;
			t.timeout_s = timeout_s;
			in = info_new(out, "Container", pc->name,
				      hosts[h].name);
			info_verbs(in, "Stopping", "Stopped", "Stopped");
			job_add(out, &t, NULL, in);
		}
	}
	return 0;
}

/* ---- Late host entries ------------------------------------------------------
 */

/* The container whose address 'ci' has: itself, or its network_mode peer. */
static size_t addr_container(const struct plan *p, size_t ci)
{
	for (int depth = 0; depth < 8; depth++) {
		const struct plan_container *ct = &p->containers[ci];
		const char *nm = p->services[ct->service].svc->network_mode;
		size_t si;

		if (ct->n_endpoints || !nm || strncmp(nm, "service:", 8) != 0)
			return ci;
		si = plan_service_index(p, nm + 8);
		if (si == PLAN_NONE || !p->services[si].n_containers)
			return ci;
		ci = p->services[si].first_container;
	}
	return ci;
}

/* The address the daemon gave container 'ci' (inspected), or NULL. */
static const char *inspect_addr(struct apply_jobs *J,
				const struct plan *p,
				struct engine *const *engines,
				size_t ci,
				struct diag_list *dl)
{
	const struct plan_container *ct = &p->containers[addr_container(p, ci)];
	struct engine_container_info *info = NULL;
	struct diag err = {0};
	const char *ip = NULL;

	if (!engines[ct->daemon])
		return NULL;
	if (engine_container_inspect(engines[ct->daemon], ct->name, &info,
				     &err)) {
		diag_list_add_diag(dl, DIAG_WARNING, &err);
		return NULL;
	}
	if (ct->n_endpoints)
		ip = engine_container_ip(
			info, p->networks[ct->endpoints[0].network].name);
	for (size_t k = 0; (!ip || !*ip) && k < info->n_networks; k++)
		ip = info->networks[k].ip_address;
	ip = ip && *ip ? arena_strdup(J->a, ip) : NULL;
	engine_container_info_free(info);
	return ip;
}

static bool has_late(const struct plan_container *ct)
{
	if (ct->hosts_mech == PLAN_HOSTS_NONE || ct->action == PLAN_ACT_SKIP ||
	    ct->action == PLAN_ACT_REMOVE)
		return false;
	for (size_t i = 0; i < ct->n_extra_hosts; i++)
		if (ct->extra_hosts[i].late)
			return true;
	return false;
}

static size_t row_container(const struct plan *p, const char *name)
{
	for (size_t r = 0; r < p->n_hosts_table; r++)
		if (!strcmp(p->hosts_table[r].name, name))
			return p->hosts_table[r].container;
	return PLAN_NONE;
}

/* The container's entries with the late ones filled in where known. */
static struct plan_host_entry *filled_entries(struct apply_jobs *J,
					      const struct plan *p,
					      struct engine *const *engines,
					      const struct plan_container *ct,
					      const char **addr,
					      struct diag_list *dl)
{
	size_t n = ct->n_extra_hosts;
	struct plan_host_entry *e =
		arena_calloc(J->a, n + ct->hosts_gone.n + 1, sizeof(*e));

	/* Names scaled away: the rewrite drops their lines. */
	for (size_t i = 0; i < ct->hosts_gone.n; i++)
		e[n + i] = (struct plan_host_entry){.name = ct->hosts_gone.v[i],
						    .gone = true};

	for (size_t i = 0; i < ct->n_extra_hosts; i++) {
		size_t c;

		e[i] = ct->extra_hosts[i];
		if (!e[i].late)
			continue;
		c = row_container(p, e[i].name);
		if (c == PLAN_NONE)
			continue;
		if (!addr[c])
			addr[c] = inspect_addr(J, p, engines, c, dl);
		if (addr[c]) {
			e[i].ip = addr[c];
			e[i].late = false;
		}
	}
	return e;
}

int apply_late_hosts(struct apply_jobs *out,
		     const struct plan *p,
		     struct engine *const *engines,
		     struct diag_list *dl)
{
	const char **addr =
		arena_calloc(out->a, p->n_containers + 1, sizeof(*addr));
	int n = 0;

	for (size_t ci = 0; ci < p->n_containers; ci++) {
		const struct plan_container *ct = &p->containers[ci];
		const struct plan_host *h = &p->hosts[ct->daemon];
		struct engine_job t;
		struct plan_host_entry *e;
		struct compose_strv argv = {0};
		struct apply_job_info *in;
		struct diag err = {0};

		if (!(has_late(ct) || ct->hosts_rewrite) ||
		    !engines[ct->daemon])
			continue;
		e = filled_entries(out, p, engines, ct, addr, dl);
		if (plan_hosts_exec_argv(
			    &argv, out->a, h->engine_os ? h->engine_os : h->os,
			    e, ct->n_extra_hosts + ct->hosts_gone.n, &err)) {
			diag_list_add_diag(dl, DIAG_WARNING, &err);
			continue;
		}
		t = job_tmpl(ENGINE_JOB_EXEC, engines[ct->daemon]);
		t.container.id = ct->name;
		t.argv = strv(&argv);
		t.user = ct->hosts_exec_user;
		in = info_new(out, "Container", ct->name, h->name);
		info_verbs(in, NULL, "Hosts set", NULL);
		job_add(out, &t, NULL, in);
		n++;
	}
	return n;
}
