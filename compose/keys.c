/*
 * The service keys said once: compose_keys[] and the reader that fills
 * compose_service.keys[] from the merged document.  The Engine API names
 * and the OS column are the facts of compose v2's pkg/compose/create.go
 * (getCreateConfigs, getDeployResources) and of moby's
 * daemon/daemon_windows.go (what a Windows daemon refuses).
 */
#include "compose/normalize_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "util/xalloc.h"

#define L COMPOSE_OS_LINUX
#define LW (COMPOSE_OS_LINUX | COMPOSE_OS_WINDOWS)
#define W COMPOSE_OS_WINDOWS

/*
 * In the order the create body gets them: where two keys give one field
 * (mem_limit and deploy.resources.limits.memory), the later one wins, as
 * compose v2's setLimits overrides the service-level value.
 */
const struct compose_key compose_keys[] = {
	/* HostConfig.Annotations came with API 1.43 (Engine 24). */
	{"annotations", COMPOSE_KEY_MAP, "HostConfig.Annotations",
	 LW | COMPOSE_KEY_API(43)},
	{"blkio_config.weight", COMPOSE_KEY_INT, "HostConfig.BlkioWeight", L},
	{"blkio_config.weight_device", COMPOSE_KEY_WEIGHTS,
	 "HostConfig.BlkioWeightDevice", L},
	{"blkio_config.device_read_bps", COMPOSE_KEY_RATES,
	 "HostConfig.BlkioDeviceReadBps", L},
	{"blkio_config.device_read_iops", COMPOSE_KEY_RATES,
	 "HostConfig.BlkioDeviceReadIOps", L},
	{"blkio_config.device_write_bps", COMPOSE_KEY_RATES,
	 "HostConfig.BlkioDeviceWriteBps", L},
	{"blkio_config.device_write_iops", COMPOSE_KEY_RATES,
	 "HostConfig.BlkioDeviceWriteIOps", L},
	{"cgroup", COMPOSE_KEY_STR, "HostConfig.CgroupnsMode", L},
	{"cgroup_parent", COMPOSE_KEY_STR, "HostConfig.CgroupParent", L},
	{"cpu_count", COMPOSE_KEY_INT, "HostConfig.CpuCount", LW},
	{"cpu_percent", COMPOSE_KEY_INT, "HostConfig.CpuPercent", LW},
	{"cpu_period", COMPOSE_KEY_INT, "HostConfig.CpuPeriod", L},
	{"cpu_quota", COMPOSE_KEY_INT, "HostConfig.CpuQuota", L},
	{"cpu_rt_period", COMPOSE_KEY_INT, "HostConfig.CpuRealtimePeriod", L},
	{"cpu_rt_runtime", COMPOSE_KEY_INT, "HostConfig.CpuRealtimeRuntime", L},
	{"cpu_shares", COMPOSE_KEY_INT, "HostConfig.CpuShares", LW},
	{"cpus", COMPOSE_KEY_NANO, "HostConfig.NanoCpus", LW},
	{"cpuset", COMPOSE_KEY_STR, "HostConfig.CpusetCpus", L},
	{"device_cgroup_rules", COMPOSE_KEY_STRV,
	 "HostConfig.DeviceCgroupRules", L},
	{"devices", COMPOSE_KEY_DEVICES, "HostConfig.Devices", LW},
	{"dns_opt", COMPOSE_KEY_STRV, "HostConfig.DnsOptions", LW},
	/* compose v2's getLinks: "NAME:ALIAS"; Windows has no links. */
	{"external_links", COMPOSE_KEY_LINKS, "HostConfig.Links", L},
	{"gpus", COMPOSE_KEY_DEVREQ, "HostConfig.DeviceRequests", L},
	{"group_add", COMPOSE_KEY_STRV, "HostConfig.GroupAdd", L},
	{"ipc", COMPOSE_KEY_STR, "HostConfig.IpcMode", L},
	{"logging.driver", COMPOSE_KEY_STR, "HostConfig.LogConfig.Type", LW},
	{"logging.options", COMPOSE_KEY_MAP, "HostConfig.LogConfig.Config", LW},
	/*
	 * The container-wide field, as compose v2 sends it to daemons before
	 * API 1.44 (which also take it, and move it to the main endpoint).
	 */
	{"mac_address", COMPOSE_KEY_STR, "MacAddress", LW},
	{"mem_limit", COMPOSE_KEY_BYTES, "HostConfig.Memory", LW},
	{"mem_reservation", COMPOSE_KEY_BYTES, "HostConfig.MemoryReservation",
	 L},
	/* compose-go types it as UnitBytes: config prints it as a string. */
	{"mem_swappiness", COMPOSE_KEY_BYTES, "HostConfig.MemorySwappiness", L},
	{"memswap_limit", COMPOSE_KEY_BYTES, "HostConfig.MemorySwap", L},
	{"oom_kill_disable", COMPOSE_KEY_BOOL, "HostConfig.OomKillDisable", L},
	{"oom_score_adj", COMPOSE_KEY_INT, "HostConfig.OomScoreAdj", L},
	{"pid", COMPOSE_KEY_STR, "HostConfig.PidMode", L},
	{"pids_limit", COMPOSE_KEY_INT, "HostConfig.PidsLimit", L},
	{"runtime", COMPOSE_KEY_STR, "HostConfig.Runtime", L},
	{"security_opt", COMPOSE_KEY_STRV, "HostConfig.SecurityOpt", L},
	/*
	 * As `docker run --security-opt` sends it; security_opt is Linux's,
	 * so the two never meet in one body.
	 */
	{"credential_spec", COMPOSE_KEY_CREDSPEC, "HostConfig.SecurityOpt", W},
	{"shm_size", COMPOSE_KEY_BYTES, "HostConfig.ShmSize", L},
	{"storage_opt", COMPOSE_KEY_MAP, "HostConfig.StorageOpt", LW},
	{"sysctls", COMPOSE_KEY_MAP, "HostConfig.Sysctls", L},
	{"tmpfs", COMPOSE_KEY_TMPFS, "HostConfig.Tmpfs", L},
	{"ulimits", COMPOSE_KEY_ULIMITS, "HostConfig.Ulimits", L},
	{"userns_mode", COMPOSE_KEY_STR, "HostConfig.UsernsMode", L},
	{"uts", COMPOSE_KEY_STR, "HostConfig.UTSMode", L},
	{"deploy.resources.limits.cpus", COMPOSE_KEY_NANO,
	 "HostConfig.NanoCpus", LW},
	{"deploy.resources.limits.memory", COMPOSE_KEY_BYTES,
	 "HostConfig.Memory", LW},
	{"deploy.resources.limits.pids", COMPOSE_KEY_INT,
	 "HostConfig.PidsLimit", L},
	{"deploy.resources.reservations.memory", COMPOSE_KEY_BYTES,
	 "HostConfig.MemoryReservation", L},
	{"deploy.resources.reservations.devices", COMPOSE_KEY_DEVREQ,
	 "HostConfig.DeviceRequests", L},
	/*
	 * Over `restart:`, as compose v2's getRestartPolicy: a restart_policy
	 * section replaces the whole policy, an unset condition as the empty
	 * name (the daemon's "no") and unset max_attempts as 0.
	 */
	{"deploy.restart_policy.condition", COMPOSE_KEY_RESTART,
	 "HostConfig.RestartPolicy.Name", LW},
	{"deploy.restart_policy.max_attempts", COMPOSE_KEY_INT,
	 "HostConfig.RestartPolicy.MaximumRetryCount", LW},
};

const size_t compose_n_keys = sizeof(compose_keys) / sizeof(compose_keys[0]);

/*
 * The keys nested in a service's networks and volumes entries and in a
 * top-level network, as compose v2's createEndpointSettings,
 * buildMountOptions and createNetwork send them; the model holds their
 * values (compose_service_network, compose_mount, compose_network) and
 * apply/keys.c reads the API column here to refuse an older daemon.
 */
const struct compose_key compose_nested_keys[] = {
	{"networks.*.link_local_ips", COMPOSE_KEY_STRV,
	 "EndpointSettings.IPAMConfig.LinkLocalIPs", LW},
	{"networks.*.driver_opts", COMPOSE_KEY_MAP,
	 "EndpointSettings.DriverOpts", LW},
	/* compose v2 sends it to any daemon; one before 1.48 drops it. */
	{"networks.*.gw_priority", COMPOSE_KEY_INT,
	 "EndpointSettings.GwPriority", LW | COMPOSE_KEY_API(48)},
	/* compose v2 refuses it before API 1.49 (Engine 28.1). */
	{"networks.*.interface_name", COMPOSE_KEY_STR,
	 "EndpointSettings.DriverOpts.com.docker.network.endpoint.ifname",
	 LW | COMPOSE_KEY_API(49)},
	/*
	 * writable and readonly: ReadOnlyNonRecursive, ReadOnlyForceRecursive
	 * (API 1.44); disabled is NonRecursive, which 1.40 takes.
	 */
	{"volumes[].bind.recursive", COMPOSE_KEY_STR,
	 "Mount.BindOptions.ReadOnlyNonRecursive", LW | COMPOSE_KEY_API(44)},
	{"volumes[].volume.labels", COMPOSE_KEY_MAP,
	 "Mount.VolumeOptions.Labels", LW},
	/* type: image, with image.subpath. */
	{"volumes[].image", COMPOSE_KEY_STR, "Mount.ImageOptions",
	 LW | COMPOSE_KEY_API(48)},
	{"networks.ipam.config[].aux_addresses", COMPOSE_KEY_MAP,
	 "IPAM.Config[].AuxiliaryAddresses", LW},
	{"networks.ipam.options", COMPOSE_KEY_MAP, "IPAM.Options", LW},
	/* Only false asks for something an older daemon would not do. */
	{"networks.enable_ipv4", COMPOSE_KEY_BOOL, "EnableIPv4",
	 LW | COMPOSE_KEY_API(47)},
};

const size_t compose_n_nested_keys =
	sizeof(compose_nested_keys) / sizeof(compose_nested_keys[0]);

const struct compose_key *compose_nested_key(const char *path)
{
	for (size_t i = 0; i < compose_n_nested_keys; i++)
		if (!strcmp(compose_nested_keys[i].path, path))
			return &compose_nested_keys[i];
	return NULL;
}

static int cmp_key_index(const void *a, const void *b)
{
	return strcmp(compose_keys[*(const unsigned char *)a].path,
		      compose_keys[*(const unsigned char *)b].path);
}

static int cmp_path_index(const void *path, const void *i)
{
	return strcmp(path, compose_keys[*(const unsigned char *)i].path);
}

/*
 * compose_keys[]' indexes in the order of their paths, built on the first
 * lookup: `config` looks up some 40 keys per service, and a walk of the
 * table cost a tenth of it.  The table is in create-body order, so it is
 * not sorted itself.  A thread that builds it too hands its copy back.
 */
static const unsigned char *key_index(void)
{
	static _Atomic(unsigned char *) index;
	unsigned char *idx = atomic_load(&index), *mine, *none = NULL;

	static_assert(sizeof(compose_keys) / sizeof(compose_keys[0]) <= 256,
		      "compose_keys[] outgrew its index");
	if (idx)
		return idx;
	mine = xmalloc(compose_n_keys);
	for (size_t i = 0; i < compose_n_keys; i++)
		mine[i] = (unsigned char)i;
	qsort(mine, compose_n_keys, 1, cmp_key_index);
	if (atomic_compare_exchange_strong(&index, &none, mine))
		return mine;
	free(mine);
	return none;
}

long compose_key_find(const char *path)
{
	const unsigned char *i =
		bsearch(path, key_index(), compose_n_keys, 1, cmp_path_index);

	return i ? (long)*i : -1;
}

/*
 * Whether some path of compose_keys[] is 'key' (a service's key) or lies
 * under it: most services have none of them, and then the walk over the
 * table can be skipped.
 */
static bool key_family(const struct compose_node *key)
{
	const unsigned char *idx = key_index();
	size_t lo = 0, hi = compose_n_keys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(compose_keys[idx[mid]].path, key->str) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < compose_n_keys; lo++) {
		const char *p = compose_keys[idx[lo]].path;

		if (strncmp(p, key->str, key->len))
			return false;
		if (!p[key->len] || p[key->len] == '.')
			return true;
	}
	return false;
}

/* The node at dotted 'path' under map 'm', or NULL. */
static const struct compose_node *node_at(const struct compose_node *m,
					  const char *path)
{
	const char *dot;

	while (m && (dot = strchr(path, '.'))) {
		m = compose_map_getn(m, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return m ? compose_map_getn(m, path, strlen(path)) : NULL;
}

static int parse_int(long long *out, const char *s)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* A decimal in billionths (cpus: "0.5" -> 500000000), as NanoCPUs. */
static int parse_nano(long long *out, const char *s)
{
	char *end;
	double d;

	if (!s || !*s)
		return -1;
	d = strtod(s, &end);
	if (*end || !isfinite(d) || d < 0 || d > 1e9)
		return -1;
	*out = (long long)(d * 1e9 + 0.5);
	return 0;
}

static int parse_bytes(long long *out, const char *s)
{
	if (s && !strcmp(s, "-1")) { /* memswap_limit: unlimited */
		*out = -1;
		return 0;
	}
	*out = s ? compose_bytes_parse(s) : -1;
	return *out < 0 ? -1 : 0;
}

/* "PATH[:OPTIONS]" entries; compose-go takes a string or a list. */
static int read_tmpfs(struct norm *n,
		      struct compose_keyval *kv,
		      const struct compose_node *v,
		      const char *path)
{
	kv->v = norm_strv(n, v, path);
	for (size_t i = 0; i < kv->v.n; i++)
		if (kv->v.v[i][0] != '/')
			return -1;
	return 0;
}

static int ulimit_one(struct compose_ulimit *u, const struct compose_node *v)
{
	if (v->kind == COMPOSE_NODE_SCALAR) {
		if (parse_int(&u->soft, v->str))
			return -1;
		u->hard = u->soft;
		return 0;
	}
	if (v->kind != COMPOSE_NODE_MAP ||
	    parse_int(&u->soft, norm_key_str(v, "soft")) ||
	    parse_int(&u->hard, norm_key_str(v, "hard")))
		return -1;
	return 0;
}

static int ul_cmp(const void *a, const void *b)
{
	return strcmp(((const struct compose_ulimit *)a)->name,
		      ((const struct compose_ulimit *)b)->name);
}

size_t norm_ulimits(struct norm *n,
		    struct compose_ulimit **out,
		    const struct compose_node *v,
		    const char *what)
{
	size_t k = 0;

	*out = arena_calloc(n->a, v->n + 1, sizeof(**out));
	for (uint32_t i = 0; i < v->n; i++) {
		struct compose_ulimit *u = &(*out)[k++];

		u->name = v->pairs[i].key->str;
		if (ulimit_one(u, v->pairs[i].value)) {
			norm_err(n, v->pairs[i].value,
				 "%s.%s: expected a number or soft and "
				 "hard numbers",
				 what, u->name);
			break;
		}
	}
	qsort(*out, k, sizeof(**out), ul_cmp);
	return k;
}

static int read_ulimits(struct norm *n,
			struct compose_keyval *kv,
			const struct compose_node *v)
{
	if (v->kind != COMPOSE_NODE_MAP)
		return -1;
	kv->n_ul = norm_ulimits(n, &kv->ul, v, "ulimits");
	return 0;
}

/*
 * devices as compose-go reads them: "HOST[:CONTAINER[:PERMS]]" (the
 * container path defaults to the host's, the permissions to rwm) or the
 * long form (target required, permissions empty unless given, as compose
 * v2 sends them); each kept as "HOST:CONTAINER:PERMS".
 */
static int read_devices(struct norm *n,
			struct compose_keyval *kv,
			const struct compose_node *v)
{
	if (v->kind != COMPOSE_NODE_SEQ)
		return -1;
	kv->v.v = arena_calloc(n->a, v->n + 1, sizeof(char *));
	for (uint32_t i = 0; i < v->n; i++) {
		const struct compose_node *it = v->items[i];
		const char *src = NULL, *dst = NULL, *perm = NULL;
		char *s;

		if (it->kind == COMPOSE_NODE_MAP) {
			src = norm_key_str(it, "source");
			dst = norm_key_str(it, "target");
			perm = norm_key_str(it, "permissions");
			if (!dst) /* compose v2: "is missing a mount target" */
				return -1;
			if (!perm) /* v2 sends none for the long form */
				perm = "";
		} else if ((s = (char *)norm_str(it))) {
			char *save = NULL;

			s = arena_strdup(n->a, s);
			src = strtok_r(s, ":", &save);
			dst = strtok_r(NULL, ":", &save);
			perm = strtok_r(NULL, "", &save);
		}
		if (!src || !*src)
			return -1;
		kv->v.v[kv->v.n++] =
			arena_sprintf(n->a, "%s:%s:%s", src, dst ? dst : src,
				      perm ? perm : "rwm");
	}
	return 0;
}

/*
 * A device request as compose-go reads one: count a number or "all"
 * (-1), exclusive with device_ids; neither means all.  "gpus: all" is
 * one request for every GPU.
 */
static int devreq_one(struct norm *n,
		      struct compose_devreq *d,
		      const struct compose_node *v,
		      const char *path)
{
	const char *count = norm_key_str(v, "count");

	d->driver = norm_key_str(v, "driver");
	d->device_ids = norm_strv(n, compose_map_get(v, "device_ids"), path);
	d->capabilities =
		norm_strv(n, compose_map_get(v, "capabilities"), path);
	d->n_options = norm_kv(n, &d->options, compose_map_get(v, "options"),
			       path, "", false);
	if (count && d->device_ids.n)
		return -1; /* compose v2: "count" and "device_ids" exclusive */
	d->count = -1;
	if (count && strcmp(count, "all") && parse_int(&d->count, count))
		return -1;
	if (!count && d->device_ids.n)
		d->count = 0;
	return 0;
}

static int read_devreq(struct norm *n,
		       struct compose_keyval *kv,
		       const struct compose_node *v,
		       const char *path)
{
	const char *s = norm_str(v);

	if (s && !strcmp(s, "all")) {
		kv->dr = arena_calloc(n->a, 1, sizeof(*kv->dr));
		kv->dr->count = -1;
		kv->n_dr = 1;
		return 0;
	}
	if (v->kind != COMPOSE_NODE_SEQ)
		return -1;
	kv->dr = arena_calloc(n->a, v->n + 1, sizeof(*kv->dr));
	for (uint32_t i = 0; i < v->n; i++) {
		if (v->items[i]->kind != COMPOSE_NODE_MAP ||
		    devreq_one(n, &kv->dr[kv->n_dr++], v->items[i], path))
			return -1;
	}
	return 0;
}

/*
 * credential_spec: a file (in the daemon's CredentialSpecs directory) or
 * a registry value.  "config" names a Swarm config: not outside Swarm.
 */
static int read_credspec(struct norm *n,
			 struct compose_keyval *kv,
			 const struct compose_node *v)
{
	const char *f = norm_key_str(v, "file");
	const char *r = norm_key_str(v, "registry");

	if (v->kind != COMPOSE_NODE_MAP || norm_key_str(v, "config") ||
	    !!f == !!r)
		return -1;
	kv->s = arena_sprintf(n->a, "credentialspec=%s://%s",
			      f ? "file" : "registry", f ? f : r);
	return 0;
}

/*
 * blkio_config's device lists: [{path, weight}] or [{path, rate}], a rate
 * a size as compose-go's UnitBytes reads it.
 */
static int read_pathnums(struct norm *n,
			 struct compose_keyval *kv,
			 const struct compose_node *v,
			 bool weight)
{
	if (v->kind != COMPOSE_NODE_SEQ)
		return -1;
	kv->pn = arena_calloc(n->a, v->n + 1, sizeof(*kv->pn));
	for (uint32_t i = 0; i < v->n; i++) {
		const struct compose_node *it = v->items[i];
		struct compose_pathnum *p = &kv->pn[kv->n_pn++];
		const char *num;

		if (it->kind != COMPOSE_NODE_MAP)
			return -1;
		p->path = norm_key_str(it, "path");
		num = norm_key_str(it, weight ? "weight" : "rate");
		if (!p->path ||
		    (weight ? parse_int(&p->n, num) : parse_bytes(&p->n, num)))
			return -1;
	}
	return 0;
}

static const char *const kind_what[] = {
	[COMPOSE_KEY_STR] = "a string",
	[COMPOSE_KEY_INT] = "an integer",
	[COMPOSE_KEY_BYTES] = "a size (e.g. '512m')",
	[COMPOSE_KEY_NANO] = "a decimal number",
	[COMPOSE_KEY_BOOL] = "a boolean",
	[COMPOSE_KEY_STRV] = "a string or a list of strings",
	[COMPOSE_KEY_MAP] = "a map or a list of 'KEY=VALUE'",
	[COMPOSE_KEY_TMPFS] = "absolute paths",
	[COMPOSE_KEY_ULIMITS] = "a map of limits",
	[COMPOSE_KEY_DEVICES] = "a list of 'HOST[:CONTAINER[:PERMISSIONS]]'",
	[COMPOSE_KEY_RESTART] = "a restart condition",
	[COMPOSE_KEY_CREDSPEC] = "one of 'file' or 'registry' ('config' is "
				 "for Swarm)",
	[COMPOSE_KEY_DEVREQ] = "'all' or a list of device requests (count "
			       "or device_ids, not both)",
	[COMPOSE_KEY_LINKS] = "a list of 'NAME[:ALIAS]'",
	[COMPOSE_KEY_WEIGHTS] = "a list of {path, weight}",
	[COMPOSE_KEY_RATES] = "a list of {path, rate}",
};

static int read_key(struct norm *n,
		    struct compose_keyval *kv,
		    const struct compose_key *k,
		    const struct compose_node *v)
{
	const char *s = norm_str(v);

	switch (k->kind) {
	case COMPOSE_KEY_STR:
		kv->s = s;
		return s ? 0 : -1;
	case COMPOSE_KEY_INT:
		return parse_int(&kv->i, s);
	case COMPOSE_KEY_BYTES:
		return parse_bytes(&kv->i, s);
	case COMPOSE_KEY_NANO:
		return parse_nano(&kv->i, s);
	case COMPOSE_KEY_BOOL:
		kv->i = s && !strcasecmp(s, "true");
		return s && (kv->i || !strcasecmp(s, "false")) ? 0 : -1;
	case COMPOSE_KEY_STRV:
		kv->v = norm_strv(n, v, k->path);
		return 0;
	case COMPOSE_KEY_MAP:
		kv->n_kv = norm_kv(n, &kv->kv, v, k->path, "", false);
		return 0;
	case COMPOSE_KEY_TMPFS:
		return read_tmpfs(n, kv, v, k->path);
	case COMPOSE_KEY_ULIMITS:
		return read_ulimits(n, kv, v);
	case COMPOSE_KEY_DEVICES:
		return read_devices(n, kv, v);
	case COMPOSE_KEY_RESTART:
		kv->s = s;
		return s ? 0 : -1;
	case COMPOSE_KEY_DEVREQ:
		return read_devreq(n, kv, v, k->path);
	case COMPOSE_KEY_CREDSPEC:
		return read_credspec(n, kv, v);
	case COMPOSE_KEY_LINKS:
		kv->v = norm_strv(n, v, k->path);
		return 0;
	case COMPOSE_KEY_WEIGHTS:
	case COMPOSE_KEY_RATES:
		return read_pathnums(n, kv, v, k->kind == COMPOSE_KEY_WEIGHTS);
	}
	return -1;
}

/*
 * compose-go refuses a service-level limit beside a deploy.resources
 * section that says otherwise (an unset one counts as 0).
 */
static void check_distinct(struct norm *n,
			   const struct compose_service *s,
			   const struct compose_node *svc)
{
	static const char *const pairs[][2] = {
		{"cpus", "deploy.resources.limits.cpus"},
		{"mem_limit", "deploy.resources.limits.memory"},
		{"mem_reservation", "deploy.resources.reservations.memory"},
		{"pids_limit", "deploy.resources.limits.pids"},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct compose_keyval *ka =
			&s->keys[compose_key_find(pairs[i][0])];
		const struct compose_keyval *kb;
		const char *dot = strrchr(pairs[i][1], '.');
		char sect[64];

		if (!ka->set || !ka->i)
			continue;
		kb = &s->keys[compose_key_find(pairs[i][1])];
		snprintf(sect, sizeof(sect), "%.*s", (int)(dot - pairs[i][1]),
			 pairs[i][1]);
		if (!node_at(svc, sect) || (kb->set && kb->i == ka->i))
			continue;
		norm_errl(n, &ka->loc,
			  "%s: can't set distinct values on '%s' and '%s'",
			  pairs[i][0], pairs[i][0], pairs[i][1]);
	}
}

/*
 * compose v2's getRestartPolicy builds the policy from the section alone:
 * what it leaves out is the empty name and 0 retries, not `restart:`'s.
 */
static void restart_defaults(struct compose_service *s,
			     const struct compose_node *svc)
{
	const struct compose_node *rp = node_at(svc, "deploy.restart_policy");
	struct compose_keyval *cond, *max;

	if (!rp || rp->kind != COMPOSE_NODE_MAP)
		return;
	cond = &s->keys[compose_key_find("deploy.restart_policy.condition")];
	max = &s->keys[compose_key_find("deploy.restart_policy.max_attempts")];
	if (!cond->set)
		*cond = (struct compose_keyval){
			.set = true, .loc = compose_node_loc(rp), .s = ""};
	if (!max->set)
		*max = (struct compose_keyval){.set = true,
					       .loc = compose_node_loc(rp)};
}

void norm_service_keys(struct norm *n,
		       struct compose_service *s,
		       const struct compose_node *svc)
{
	size_t size = compose_n_keys * sizeof(*s->keys);
	bool any = false;

	if (!n->keys_scratch) {
		n->keys_scratch =
			arena_calloc(n->a, compose_n_keys, sizeof(*s->keys));
		n->keys_unset =
			arena_calloc(n->a, compose_n_keys, sizeof(*s->keys));
	}
	for (size_t i = 0; svc && svc->kind == COMPOSE_NODE_MAP && i < svc->n;
	     i++)
		any = any || key_family(svc->pairs[i].key);
	s->keys = n->keys_unset;
	if (!any)
		return;
	any = false;
	s->keys = n->keys_scratch;
	for (size_t i = 0; i < compose_n_keys; i++) {
		const struct compose_key *k = &compose_keys[i];
		const struct compose_node *v = node_at(svc, k->path);
		struct compose_keyval *kv = &s->keys[i];

		if (compose_node_is_null(v))
			continue;
		any = true;
		kv->loc = compose_node_loc(v);
		if (read_key(n, kv, k, v)) {
			const char *txt = norm_str(v);

			norm_err(n, v, "%s: '%s' is not %s", k->path,
				 txt ? txt : "...", kind_what[k->kind]);
			continue;
		}
		kv->set = true;
	}
	restart_defaults(s, svc);
	check_distinct(n, s, svc);
	for (size_t i = 0; i < compose_n_keys && !any; i++)
		any = s->keys[i].set;
	if (!any) {
		s->keys = n->keys_unset;
		return;
	}
	s->keys = arena_alloc(n->a, size);
	memcpy(s->keys, n->keys_scratch, size);
	memset(n->keys_scratch, 0, size);
}
