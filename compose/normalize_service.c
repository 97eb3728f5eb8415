/*
 * One service: scalars, platform, build, command and entrypoint,
 * healthcheck, depends_on and the service's networks.
 */
#include "compose/normalize_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "util/rx.h"

static void norm_platform(struct norm *n,
			  struct compose_service *s,
			  const struct compose_node *v)
{
	const char *raw = norm_str(v);
	char *low, *save = NULL, *part;
	const char **slots[3] = {&s->platform.os, &s->platform.arch,
				 &s->platform.variant};
	int i = 0;

	if (compose_node_is_null(v))
		return;
	if (!raw || !*raw) {
		norm_err(n, v, "platform: expected 'os[/arch[/variant]]'");
		return;
	}
	s->platform.raw = raw;
	low = arena_strdup(n->a, raw);
	for (char *c = low; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (part = strtok_r(low, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (i == 3) {
			norm_err(n, v, "platform: '%s' has too many parts",
				 raw);
			return;
		}
		*slots[i++] = part;
	}
	if (!s->platform.os)
		norm_err(n, v, "platform: '%s' names no OS", raw);
}

static bool is_remote(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "git@", 4) ||
	       !strncmp(s, "github.com/", 11);
}

/*
 * The keys compose v2's classic builder refuses (build_classic.go, in its
 * order): privileged when true, the others when not empty.
 */
static void norm_build_refused(struct compose_build *b,
			       const struct compose_node *v)
{
	static const char *const keys[] = {
		"privileged", "additional_contexts", "ssh", "secrets", NULL,
	};

	for (size_t i = 0; keys[i]; i++) {
		for (uint32_t k = 0; k < v->n; k++) {
			const struct compose_pair *p = &v->pairs[k];
			const struct compose_node *x = p->value;
			bool set;

			if (strcmp(p->key->str, keys[i]))
				continue;
			if (x->kind == COMPOSE_NODE_SCALAR)
				set = i ? x->str && *x->str
					: x->str && !strcasecmp(x->str, "true");
			else
				set = x->n > 0;
			if (set) {
				b->refused = keys[i];
				b->refused_loc = compose_node_loc(p->key);
				return;
			}
		}
	}
}

/*
 * additional_contexts, a local path against the project directory as
 * compose-go resolves it; an image, URL or git reference as written.
 */
static void norm_build_contexts(struct norm *n,
				struct compose_build *b,
				const struct compose_node *v)
{
	b->n_contexts = norm_kv(n, &b->contexts, v, "build.additional_contexts",
				"=", false);
	for (size_t i = 0; i < b->n_contexts; i++) {
		const char *c = b->contexts[i].value;

		if (c && !strstr(c, "://") && !is_remote(c))
			b->contexts[i].value = compose_path_join(
				n->a, n->p->working_dir,
				compose_path_expand_home(n->a, c, n->p->env));
	}
}

/* The sources of build.secrets: a name, or {source, ...}. */
static struct compose_strv norm_build_secrets(struct norm *n,
					      const struct compose_node *v)
{
	struct compose_strv r = {0};

	if (!v || v->kind != COMPOSE_NODE_SEQ)
		return r;
	r.v = arena_calloc(n->a, v->n + 1, sizeof(*r.v));
	for (uint32_t i = 0; i < v->n; i++) {
		const char *src = v->items[i]->kind == COMPOSE_NODE_MAP
					  ? norm_key_str(v->items[i], "source")
					  : norm_str(v->items[i]);

		if (src)
			r.v[r.n++] = src;
	}
	return r;
}

/* The long syntax's keys beyond context. */
static void norm_build_long(struct norm *n,
			    struct compose_build *b,
			    const struct compose_node *v)
{
	const char *shm = norm_key_str(v, "shm_size");
	const struct compose_node *ul;

	b->dockerfile = norm_key_str(v, "dockerfile");
	b->dockerfile_inline = norm_key_str(v, "dockerfile_inline");
	b->target = norm_key_str(v, "target");
	b->network = norm_key_str(v, "network");
	/* A bare name takes its value from the environment, as in compose. */
	b->n_args = norm_kv(n, &b->args, MAP_GET(v, "args"), "build.args", "=",
			    true);
	b->n_labels = norm_kv(n, &b->labels, MAP_GET(v, "labels"),
			      "build.labels", "=", false);
	b->n_extra_hosts =
		norm_kv(n, &b->extra_hosts, MAP_GET(v, "extra_hosts"),
			"build.extra_hosts", ":", false);
	b->no_cache = norm_bool(n, v, "no_cache", false);
	b->pull = norm_bool(n, v, "pull", false);
	b->cache_from =
		norm_strv(n, MAP_GET(v, "cache_from"), "build.cache_from");
	b->tags = norm_strv(n, MAP_GET(v, "tags"), "build.tags");
	b->platforms = norm_strv(n, MAP_GET(v, "platforms"), "build.platforms");
	b->privileged = norm_bool(n, v, "privileged", false);
	b->secrets = norm_build_secrets(n, MAP_GET(v, "secrets"));
	norm_build_contexts(n, b, MAP_GET(v, "additional_contexts"));
	b->isolation = norm_key_str(v, "isolation");
	if ((ul = MAP_GET(v, "ulimits")) && ul->kind == COMPOSE_NODE_MAP)
		b->n_ulimits =
			norm_ulimits(n, &b->ulimits, ul, "build.ulimits");
	norm_build_refused(b, v);
	norm_build_buildkit(n, b, v);
	if (shm && (b->shm_size = compose_bytes_parse(shm)) < 0)
		norm_err(n, MAP_GET(v, "shm_size"),
			 "build.shm_size: '%s' is not a valid size", shm);
	if (b->dockerfile && b->dockerfile_inline)
		norm_err(n, MAP_GET(v, "dockerfile_inline"),
			 "build: dockerfile and dockerfile_inline are "
			 "mutually exclusive");
}

/*
 * The service's platform must be one of build.platforms (compose v2's
 * rule); a daemon builds one platform only, so with several and no
 * service platform there is no way to choose.
 */
static void check_build_platforms(struct norm *n,
				  const struct compose_service *s,
				  const struct compose_node *v)
{
	const struct compose_build *b = s->build;
	const struct compose_node *at = MAP_GET(v, "platforms");

	if (!b->platforms.n)
		return;
	if (s->platform.raw) {
		for (size_t i = 0; i < b->platforms.n; i++)
			if (!strcasecmp(b->platforms.v[i], s->platform.raw))
				return;
		norm_err(n, at,
			 "build.platforms must include the service's "
			 "platform '%s'",
			 s->platform.raw);
	} else if (b->platforms.n > 1) {
		norm_err(n, at,
			 "build.platforms: a daemon builds one platform; "
			 "set the service's platform to pick one of %zu",
			 b->platforms.n);
	}
}

static void norm_build(struct norm *n,
		       struct compose_service *s,
		       const struct compose_node *v)
{
	struct compose_build *b;
	const char *ctx;

	if (compose_node_is_null(v))
		return;
	b = arena_calloc(n->a, 1, sizeof(*b));
	b->shm_size = -1;
	ctx = norm_str(v);
	if (v->kind == COMPOSE_NODE_MAP) {
		ctx = norm_key_str(v, "context");
		norm_build_long(n, b, v);
	} else if (!ctx) {
		norm_err(n, v, "build: expected a path or a mapping");
		return;
	}
	if (!ctx)
		ctx = ".";
	b->remote = is_remote(ctx);
	b->context = b->remote
			     ? ctx
			     : compose_path_join(n->a, n->p->working_dir,
						 compose_path_expand_home(
							 n->a, ctx, n->p->env));
	if (!b->dockerfile && !b->dockerfile_inline)
		b->dockerfile = "Dockerfile";
	/* compose v2 tags the build with 'image', else <project>-<service>. */
	b->image = s->image ? s->image
			    : arena_sprintf(n->a, "%s-%s", n->p->name, s->name);
	s->build = b;
	check_build_platforms(n, s, v);
}

static struct compose_strv
norm_cmd(struct norm *n, const struct compose_node *v, const char *what)
{
	struct compose_strv r = {0};
	struct diag err = {0};

	if (compose_node_is_null(v))
		return r;
	if (v->kind == COMPOSE_NODE_SCALAR) {
		if (compose_shell_split(&r, n->a, v->str, COMPOSE_NODE_LOC(v),
					&err)) {
			err.code = DIAG_EMODEL;
			norm_err(n, v, "%s: %s", what, err.msg);
		}
		if (!r.v)
			r.v = arena_calloc(n->a, 1, sizeof(*r.v));
		return r;
	}
	r = norm_strv(n, v, what);
	if (!r.v)
		r.v = arena_calloc(n->a, 1, sizeof(*r.v));
	return r;
}

/* post_start / pre_stop: a list of hooks, each with a command. */
static size_t norm_hooks(struct norm *n,
			 struct compose_hook **out,
			 const struct compose_node *v,
			 const char *what)
{
	size_t k = 0;

	if (compose_node_is_null(v))
		return 0;
	if (v->kind != COMPOSE_NODE_SEQ) {
		norm_err(n, v, "%s: expected a list", what);
		return 0;
	}
	*out = arena_calloc(n->a, v->n + 1, sizeof(**out));
	for (size_t i = 0; i < v->n; i++) {
		const struct compose_node *m = v->items[i];
		struct compose_hook *h = &(*out)[k];
		const char *path = arena_sprintf(n->a, "%s[%zu]", what, i);

		if (m->kind != COMPOSE_NODE_MAP) {
			norm_err(n, m, "%s: expected a mapping", path);
			continue;
		}
		h->loc = compose_node_loc(m);
		norm_hook(n, h, m, path);
		if (!h->command.n) {
			norm_err(n, m, "%s: missing required key 'command'",
				 path);
			continue;
		}
		k++;
	}
	return k;
}

static void norm_health(struct norm *n,
			struct compose_service *s,
			const struct compose_node *v)
{
	struct compose_healthcheck *h = &s->healthcheck;
	const struct compose_node *t = MAP_GET(v, "test");
	const char *r = norm_key_str(v, "retries");

	h->interval_ns = h->timeout_ns = h->start_period_ns = -1;
	h->start_interval_ns = -1;
	h->retries = -1;
	if (compose_node_is_null(v))
		return;
	h->present = true;
	h->disable = norm_bool(n, v, "disable", false);
	h->interval_ns =
		norm_duration(n, v, "interval", "healthcheck.interval");
	h->timeout_ns = norm_duration(n, v, "timeout", "healthcheck.timeout");
	h->start_period_ns =
		norm_duration(n, v, "start_period", "healthcheck.start_period");
	h->start_interval_ns = norm_duration(n, v, "start_interval",
					     "healthcheck.start_interval");
	if (r && !rx_match("^[0-9]+$", r))
		norm_err(n, MAP_GET(v, "retries"),
			 "healthcheck.retries: '%s' is not a valid count", r);
	else if (r)
		h->retries = atoi(r);
	if (norm_str(t) && t->kind == COMPOSE_NODE_SCALAR &&
	    !compose_node_is_null(t)) {
		h->test.v = arena_calloc(n->a, 2, sizeof(char *));
		h->test.v[h->test.n++] = "CMD-SHELL";
		h->test.v[h->test.n++] = t->str;
	} else if (t) {
		h->test = norm_strv(n, t, "healthcheck.test");
	}
	if (h->disable || (h->test.n && !strcmp(h->test.v[0], "NONE"))) {
		h->disable = true;
		h->test.v = arena_calloc(n->a, 1, sizeof(char *));
		h->test.v[0] = "NONE";
		h->test.n = 1;
	}
}

static bool valid_condition(const char *c)
{
	return !strcmp(c, "service_started") || !strcmp(c, "service_healthy") ||
	       !strcmp(c, "service_completed_successfully");
}

static void depends_one(struct norm *n,
			struct compose_depends *d,
			const struct compose_node *key,
			const struct compose_node *v)
{
	d->service = key->str;
	d->loc = compose_node_loc(key);
	d->condition = "service_started";
	d->required = true;
	if (!v || v->kind != COMPOSE_NODE_MAP)
		return;
	if (norm_key_str(v, "condition"))
		d->condition = norm_key_str(v, "condition");
	if (!valid_condition(d->condition))
		norm_err(n, MAP_GET(v, "condition"),
			 "depends_on.%s.condition: '%s' is not a valid "
			 "condition",
			 d->service, d->condition);
	d->required = norm_bool(n, v, "required", true);
	d->restart = norm_bool(n, v, "restart", false);
}

static void norm_depends(struct norm *n,
			 struct compose_service *s,
			 const struct compose_node *v)
{
	if (compose_node_is_null(v))
		return;
	if (v->kind == COMPOSE_NODE_SCALAR) {
		norm_err(n, v, "depends_on: expected a list or a mapping");
		return;
	}
	s->depends_on = arena_calloc(n->a, v->n, sizeof(*s->depends_on));
	for (size_t i = 0; i < v->n; i++) {
		const struct compose_node *k = v->kind == COMPOSE_NODE_SEQ
						       ? v->items[i]
						       : v->pairs[i].key;

		if (!norm_str(k)) {
			norm_err(n, k,
				 "depends_on[%zu]: expected a service "
				 "name",
				 i);
			continue;
		}
		depends_one(n, &s->depends_on[s->n_depends_on++], k,
			    v->kind == COMPOSE_NODE_MAP ? v->pairs[i].value
							: NULL);
	}
}

static void net_one(struct norm *n,
		    struct compose_service_network *sn,
		    const struct compose_node *key,
		    const struct compose_node *v)
{
	const char *prio;

	sn->name = key->str;
	sn->loc = compose_node_loc(key);
	if (compose_node_is_null(v))
		return;
	if (v->kind != COMPOSE_NODE_MAP) {
		norm_err(n, v, "networks.%s: expected a mapping", sn->name);
		return;
	}
	sn->aliases = norm_strv(n, MAP_GET(v, "aliases"), "networks.aliases");
	sn->ipv4_address = norm_key_str(v, "ipv4_address");
	sn->ipv6_address = norm_key_str(v, "ipv6_address");
	sn->mac_address = norm_key_str(v, "mac_address");
	prio = norm_key_str(v, "priority");
	if (prio && !rx_match("^-?[0-9]+$", prio))
		norm_err(n, MAP_GET(v, "priority"),
			 "networks.%s.priority: '%s' is not an integer",
			 sn->name, prio);
	else if (prio)
		sn->priority = atoi(prio);
	prio = norm_key_str(v, "gw_priority");
	if (prio && !rx_match("^-?[0-9]+$", prio))
		norm_err(n, MAP_GET(v, "gw_priority"),
			 "networks.%s.gw_priority: '%s' is not an integer",
			 sn->name, prio);
	else if (prio)
		sn->gw_priority = atoi(prio);
	sn->link_local_ips = norm_strv(n, MAP_GET(v, "link_local_ips"),
				       "networks.link_local_ips");
	sn->n_driver_opts =
		norm_kv(n, &sn->driver_opts, MAP_GET(v, "driver_opts"),
			"networks.driver_opts", "=", false);
	sn->interface_name = norm_key_str(v, "interface_name");
}

static void norm_service_networks(struct norm *n,
				  struct compose_service *s,
				  const struct compose_node *v)
{
	if (compose_node_is_null(v)) {
		if (s->network_mode)
			return;
		s->networks = arena_calloc(n->a, 1, sizeof(*s->networks));
		s->networks[0].name = "default";
		s->networks[0].loc = s->loc;
		s->n_networks = 1;
		return;
	}
	if (v->kind == COMPOSE_NODE_SCALAR) {
		norm_err(n, v, "networks: expected a list or a mapping");
		return;
	}
	s->networks = arena_calloc(n->a, v->n, sizeof(*s->networks));
	for (size_t i = 0; i < v->n; i++) {
		const struct compose_node *k = v->kind == COMPOSE_NODE_SEQ
						       ? v->items[i]
						       : v->pairs[i].key;

		if (!norm_str(k)) {
			norm_err(n, k, "networks[%zu]: expected a name", i);
			continue;
		}
		net_one(n, &s->networks[s->n_networks++], k,
			v->kind == COMPOSE_NODE_MAP ? v->pairs[i].value : NULL);
	}
}

static int norm_scale(struct norm *n, const struct compose_node *svc)
{
	const struct compose_node *deploy = MAP_GET(svc, "deploy");
	const char *sc = norm_key_str(svc, "scale");

	if (!sc)
		sc = norm_key_str(deploy, "replicas");
	if (!sc)
		return 1;
	if (!rx_match("^[0-9]+$", sc)) {
		norm_err(n, MAP_GET(svc, "scale"),
			 "scale: '%s' is not a valid count", sc);
		return 1;
	}
	return atoi(sc);
}

static void norm_strings(struct compose_service *s,
			 const struct compose_node *svc)
{
	const struct compose_node *mix = MAP_GET(svc, "x-mixcompose");

	s->image = norm_key_str(svc, "image");
	s->pull_policy = norm_key_str(svc, "pull_policy");
	s->container_name = norm_key_str(svc, "container_name");
	s->hostname = norm_key_str(svc, "hostname");
	s->domainname = norm_key_str(svc, "domainname");
	s->working_dir = norm_key_str(svc, "working_dir");
	s->user = norm_key_str(svc, "user");
	s->stop_signal = norm_key_str(svc, "stop_signal");
	s->restart = norm_key_str(svc, "restart");
	s->isolation = norm_key_str(svc, "isolation");
	s->network_mode = norm_key_str(svc, "network_mode");
	s->daemon = norm_key_str(mix, "daemon");
}

static void norm_flags(struct norm *n,
		       struct compose_service *s,
		       const struct compose_node *svc)
{
	const char *r = s->restart;

	s->init = norm_tristate(n, svc, "init");
	s->attach = norm_tristate(n, svc, "attach");
	s->tty = norm_bool(n, svc, "tty", false);
	s->stdin_open = norm_bool(n, svc, "stdin_open", false);
	s->privileged = norm_bool(n, svc, "privileged", false);
	s->read_only = norm_bool(n, svc, "read_only", false);
	s->scale = norm_scale(n, svc);
	s->stop_grace_period_ns =
		norm_duration(n, svc, "stop_grace_period", "stop_grace_period");
	if (r &&
	    !rx_match("^(no|always|unless-stopped|on-failure(:[0-9]+)?)$", r))
		norm_err(n, MAP_GET(svc, "restart"),
			 "restart: '%s' is not a valid restart policy", r);
	if (s->isolation &&
	    !rx_match("^(default|process|hyperv)$", s->isolation))
		norm_err(n, MAP_GET(svc, "isolation"),
			 "isolation: '%s' is not a valid isolation",
			 s->isolation);
}

/* provider.type, and the names of the models the service uses. */
static void norm_provider_models(struct norm *n,
				 struct compose_service *s,
				 const struct compose_node *svc)
{
	const struct compose_node *pv = MAP_GET(svc, "provider");
	const struct compose_node *m = MAP_GET(svc, "models");

	if (!compose_node_is_null(pv)) {
		s->provider = norm_key_str(pv, "type");
		s->provider_loc = compose_node_loc(pv);
	}
	if (compose_node_is_null(m))
		return;
	s->models_loc = compose_node_loc(m);
	if (m->kind != COMPOSE_NODE_MAP) {
		s->models = norm_strv(n, m, "models");
		return;
	}
	s->models.v = arena_calloc(n->a, m->n + 1, sizeof(char *));
	for (uint32_t i = 0; i < m->n; i++)
		s->models.v[s->models.n++] = m->pairs[i].key->str;
}

void norm_service_main(struct norm *n,
		       struct compose_service *s,
		       const struct compose_node *svc)
{
	norm_strings(s, svc);
	norm_flags(n, s, svc);
	norm_platform(n, s, MAP_GET(svc, "platform"));
	norm_build(n, s, MAP_GET(svc, "build"));
	norm_provider_models(n, s, svc);
	s->use_api_socket = norm_bool(n, svc, "use_api_socket", false);
	if (s->use_api_socket)
		s->use_api_socket_loc =
			compose_node_loc(MAP_GET(svc, "use_api_socket"));
	/* compose v2 refuses such a service at load time. */
	if (!s->image && !s->build && !s->provider) {
		const char *svc_name = n->svc;

		n->svc = NULL;
		norm_errl(n, &s->loc,
			  "services.%s: has neither an image nor a build "
			  "context specified",
			  s->name);
		n->svc = svc_name;
	}
	s->command = norm_cmd(n, MAP_GET(svc, "command"), "command");
	s->entrypoint = norm_cmd(n, MAP_GET(svc, "entrypoint"), "entrypoint");
	norm_health(n, s, MAP_GET(svc, "healthcheck"));
	s->n_post_start = norm_hooks(n, &s->post_start,
				     MAP_GET(svc, "post_start"), "post_start");
	s->n_pre_stop = norm_hooks(n, &s->pre_stop, MAP_GET(svc, "pre_stop"),
				   "pre_stop");
	norm_depends(n, s, MAP_GET(svc, "depends_on"));
	norm_service_networks(n, s, MAP_GET(svc, "networks"));
	s->expose = norm_strv(n, MAP_GET(svc, "expose"), "expose");
	s->dns = norm_strv(n, MAP_GET(svc, "dns"), "dns");
	s->dns_search = norm_strv(n, MAP_GET(svc, "dns_search"), "dns_search");
	s->cap_add = norm_strv(n, MAP_GET(svc, "cap_add"), "cap_add");
	s->cap_drop = norm_strv(n, MAP_GET(svc, "cap_drop"), "cap_drop");
	s->profiles = norm_strv(n, MAP_GET(svc, "profiles"), "profiles");
	s->links = norm_strv(n, MAP_GET(svc, "links"), "links");
	s->volumes_from =
		norm_strv(n, MAP_GET(svc, "volumes_from"), "volumes_from");
}
