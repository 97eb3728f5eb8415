/*
 * The keys nested in a service's networks and volumes entries and in a
 * top-level network, said once in compose_nested_keys[] (compose/keys.c):
 * each, set in tests/fixtures/apply/nested_keys.yaml, must reach `config`,
 * and the container's config hash and create body (endpoint and mount
 * keys) or the network's create body (network keys: compose v2 does not
 * recreate a container for them either).  A new table entry without a
 * case here fails.  Then the refusals of daemons whose API is too old.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/apply.h"
#include "apply_test.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/sbuf.h"

#define NESTED TEST_FIXTURES_DIR "/apply/nested_keys.yaml"

static struct compose_project *proj;

static struct plan_host host = {.name = "linux",
				.os = "linux",
				.arch = "amd64",
				.api_major = 1,
				.api_minor = 49};

static void load(void)
{
	proj = apply_test_load(NESTED);
}

static void unload(void)
{
	compose_project_free(proj);
	proj = NULL;
}

TestSuite(apply_nested_keys, .init = load, .fini = unload);

struct outcome {
	char *hash;
	cJSON *body; /* the container's create body */
	cJSON *net;  /* the network's create body */
	char *config;
};

static struct outcome outcome_of(const struct plan_host *h)
{
	static char token;
	struct engine *engines[1] = {(struct engine *)&token};
	struct apply_jobs J;
	struct plan *p = NULL;
	struct diag err = {0};
	struct outcome o = {0};
	struct sbuf js = SBUF_INIT;
	char *json;

	cr_assert_eq(plan_build(&p, proj, h, 1, NULL, &err), 0, "%s", err.msg);
	apply_jobs_init(&J);
	cr_assert_eq(apply_up(&J, p, engines, NULL, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < J.n; i++) {
		if (J.v[i].kind == ENGINE_JOB_CONTAINER_CREATE) {
			json = engine_container_spec_json(
				J.v[i].container_spec);
			o.body = cJSON_Parse(json);
			free(json);
		} else if (J.v[i].kind == ENGINE_JOB_NETWORK_CREATE) {
			json = engine_network_spec_json(J.v[i].network_spec);
			o.net = cJSON_Parse(json);
			free(json);
		}
	}
	cr_assert_eq(p->n_containers, 1);
	o.hash = strdup(p->containers[0].config_hash);
	compose_node_emit_json(&js, compose_project_to_node(proj));
	o.config = sbuf_detach(&js, NULL);
	apply_jobs_release(&J);
	plan_free(p);
	cr_assert_not_null(o.body, "no container create job");
	cr_assert_not_null(o.net, "no network create job");
	return o;
}

static void outcome_release(struct outcome *o)
{
	free(o->hash);
	free(o->config);
	cJSON_Delete(o->body);
	cJSON_Delete(o->net);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const cJSON *endpoint(const cJSON *body)
{
	return get(get(get(body, "NetworkingConfig"), "EndpointsConfig"),
		   "nested_front");
}

static const cJSON *mount(const cJSON *body, const char *target)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, get(get(body, "HostConfig"), "Mounts"))
		if (!strcmp(get(m, "Target")->valuestring, target))
			return m;
	return NULL;
}

static struct compose_service_network *net_entry(void)
{
	return &proj->services[0].networks[0];
}

static struct compose_mount *mnt(size_t i)
{
	return &proj->services[0].volumes[i];
}

static struct compose_network *network(void)
{
	return &proj->networks[0];
}

/* Each case: clear the key in the model; find its field in a body. */
static void c_lli(void)
{
	net_entry()->link_local_ips = (struct compose_strv){0};
}
static const cJSON *f_lli(const struct outcome *o)
{
	return get(get(endpoint(o->body), "IPAMConfig"), "LinkLocalIPs");
}
static void c_dopts(void)
{
	net_entry()->n_driver_opts = 0;
}
static const cJSON *f_dopts(const struct outcome *o)
{
	return get(get(endpoint(o->body), "DriverOpts"), "com.example.opt");
}
static void c_gw(void)
{
	net_entry()->gw_priority = 0;
}
static const cJSON *f_gw(const struct outcome *o)
{
	return get(endpoint(o->body), "GwPriority");
}
static void c_ifname(void)
{
	net_entry()->interface_name = NULL;
}
static const cJSON *f_ifname(const struct outcome *o)
{
	return get(get(endpoint(o->body), "DriverOpts"),
		   "com.docker.network.endpoint.ifname");
}
static void c_rec(void)
{
	mnt(0)->bind_recursive = NULL;
}
static const cJSON *f_rec(const struct outcome *o)
{
	return get(get(mount(o->body, "/srv"), "BindOptions"),
		   "ReadOnlyForceRecursive");
}
static void c_vlabels(void)
{
	mnt(1)->n_volume_labels = 0;
}
static const cJSON *f_vlabels(const struct outcome *o)
{
	return get(get(mount(o->body, "/data"), "VolumeOptions"), "Labels");
}
static void c_image(void)
{
	mnt(2)->type = COMPOSE_MOUNT_VOLUME;
	mnt(2)->source = "data";
	mnt(2)->image_subpath = NULL;
}
static const cJSON *f_image(const struct outcome *o)
{
	return get(mount(o->body, "/img"), "ImageOptions");
}
static void c_aux(void)
{
	network()->ipam[0].n_aux_addresses = 0;
}
static const cJSON *f_aux(const struct outcome *o)
{
	return get(cJSON_GetArrayItem(get(get(o->net, "IPAM"), "Config"), 0),
		   "AuxiliaryAddresses");
}
static void c_ipamopts(void)
{
	network()->n_ipam_options = 0;
}
static const cJSON *f_ipamopts(const struct outcome *o)
{
	return get(get(o->net, "IPAM"), "Options");
}
static void c_ipv4(void)
{
	network()->enable_ipv4_set = false;
}
static const cJSON *f_ipv4(const struct outcome *o)
{
	return get(o->net, "EnableIPv4");
}

static const struct nested_case {
	const char *path;
	void (*clear)(void);
	const cJSON *(*field)(const struct outcome *o);
	bool in_hash; /* the container's; network keys are the network's */
} cases[] = {
	{"networks.*.link_local_ips", c_lli, f_lli, true},
	{"networks.*.driver_opts", c_dopts, f_dopts, true},
	{"networks.*.gw_priority", c_gw, f_gw, true},
	{"networks.*.interface_name", c_ifname, f_ifname, true},
	{"volumes[].bind.recursive", c_rec, f_rec, true},
	{"volumes[].volume.labels", c_vlabels, f_vlabels, true},
	{"volumes[].image", c_image, f_image, true},
	{"networks.ipam.config[].aux_addresses", c_aux, f_aux, false},
	{"networks.ipam.options", c_ipamopts, f_ipamopts, false},
	{"networks.enable_ipv4", c_ipv4, f_ipv4, false},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static const struct nested_case *case_of(const char *path)
{
	for (size_t i = 0; i < N_CASES; i++)
		if (!strcmp(cases[i].path, path))
			return &cases[i];
	return NULL;
}

Test(apply_nested_keys, every_entry_of_the_table_has_a_case_here)
{
	cr_assert_eq(compose_n_nested_keys, N_CASES);
	for (size_t i = 0; i < compose_n_nested_keys; i++)
		cr_assert_not_null(case_of(compose_nested_keys[i].path),
				   "%s has no case in test_nested_keys.c",
				   compose_nested_keys[i].path);
}

Test(apply_nested_keys, each_key_reaches_config_the_hash_and_its_body_field)
{
	for (size_t i = 0; i < N_CASES; i++) {
		const struct nested_case *c = &cases[i];
		struct outcome with, without;

		unload();
		load();
		with = outcome_of(&host);
		c->clear();
		without = outcome_of(&host);
		cr_assert_str_neq(with.config, without.config,
				  "%s does not reach the config output",
				  c->path);
		if (c->in_hash)
			cr_assert_str_neq(with.hash, without.hash,
					  "%s does not reach the config hash",
					  c->path);
		cr_assert_not_null(c->field(&with),
				   "%s does not reach its create body field",
				   c->path);
		cr_assert_null(c->field(&without),
			       "%s's field is in the body without it", c->path);
		outcome_release(&with);
		outcome_release(&without);
	}
}

Test(apply_nested_keys, values_are_sent_as_compose_v2_sends_them)
{
	struct outcome o = outcome_of(&host);
	const cJSON *ep = endpoint(o.body);

	cr_assert_str_eq(cJSON_GetArrayItem(f_lli(&o), 0)->valuestring,
			 "169.254.10.10");
	cr_assert_str_eq(f_dopts(&o)->valuestring, "1");
	cr_assert_str_eq(f_ifname(&o)->valuestring, "eth7");
	cr_assert_eq(get(ep, "GwPriority")->valuedouble, 10);
	cr_assert(cJSON_IsTrue(f_rec(&o)));
	cr_assert(cJSON_IsTrue(get(mount(o.body, "/srv"), "ReadOnly")));
	cr_assert_str_eq(get(f_vlabels(&o), "com.example.v")->valuestring, "1");
	cr_assert_str_eq(get(mount(o.body, "/img"), "Type")->valuestring,
			 "image");
	cr_assert_str_eq(get(mount(o.body, "/img"), "Source")->valuestring,
			 "busybox");
	cr_assert_str_eq(get(f_image(&o), "Subpath")->valuestring, "bin");
	cr_assert_str_eq(get(f_aux(&o), "router")->valuestring, "10.123.0.2");
	/* The planner gives no container a reserved address. */
	cr_assert_str_eq(get(get(ep, "IPAMConfig"), "IPv4Address")->valuestring,
			 "10.123.0.3");
	cr_assert_str_eq(get(f_ipamopts(&o), "com.example.ipam")->valuestring,
			 "x");
	cr_assert(cJSON_IsFalse(f_ipv4(&o)));
	outcome_release(&o);
}

Test(apply_nested_keys, interface_name_wins_over_the_same_driver_option)
{
	struct compose_service_network *n = net_entry();
	struct compose_kv *kv = calloc(1, sizeof(*kv));
	struct outcome o;

	kv->key = "com.docker.network.endpoint.ifname";
	kv->value = "eth9";
	n->driver_opts = kv;
	n->n_driver_opts = 1;
	o = outcome_of(&host);
	cr_assert_eq(cJSON_GetArraySize(get(endpoint(o.body), "DriverOpts")),
		     1);
	cr_assert_str_eq(f_ifname(&o)->valuestring, "eth7");
	outcome_release(&o);
	free(kv);
}

Test(apply_nested_keys, recursive_disabled_and_enabled_as_compose_v2_maps_them)
{
	struct outcome o;

	mnt(0)->bind_recursive = "disabled";
	o = outcome_of(&host);
	cr_assert(cJSON_IsTrue(get(get(mount(o.body, "/srv"), "BindOptions"),
				   "NonRecursive")));
	outcome_release(&o);
	/* enabled is the default: a mount, no flag. */
	mnt(0)->bind_recursive = "enabled";
	o = outcome_of(&host);
	cr_assert_not_null(mount(o.body, "/srv"));
	cr_assert_null(get(mount(o.body, "/srv"), "BindOptions"));
	outcome_release(&o);
}

/* What apply_check says of the project on a daemon at API 1.'minor'. */
static char *refusal(int minor)
{
	struct plan_host old = host;
	struct plan *p = NULL;
	struct diag err = {0};
	char *msg = NULL;

	old.api_minor = minor;
	cr_assert_eq(plan_build(&p, proj, &old, 1, NULL, &err), 0, "%s",
		     err.msg);
	if (apply_check(p, &err)) {
		struct sbuf sb = SBUF_INIT;

		sbuf_addf(&sb, "%d:%d %s", err.loc.line, err.loc.col, err.msg);
		msg = sbuf_detach(&sb, NULL);
	}
	plan_free(p);
	return msg;
}

static void expect_refusal(int minor, const char *line_col, const char *part)
{
	char *m = refusal(minor);

	cr_assert_not_null(m, "API 1.%d takes it", minor);
	cr_assert(!strncmp(m, line_col, strlen(line_col)), "%s", m);
	cr_assert(strstr(m, part), "%s", m);
	free(m);
}

Test(apply_nested_keys, older_daemons_are_refused_each_key_before_any_job)
{
	expect_refusal(41, "29:3",
		       "networks.front.enable_ipv4: daemon 'linux' speaks "
		       "Engine API 1.41; EnableIPv4 needs API 1.47 or later");
	network()->enable_ipv4 = true; /* true is what older ones do */
	expect_refusal(48, "9:7",
		       "services.all.networks.front.interface_name: daemon "
		       "'linux' speaks Engine API 1.48; EndpointSettings."
		       "DriverOpts.com.docker.network.endpoint.ifname needs "
		       "API 1.49");
	net_entry()->interface_name = NULL;
	expect_refusal(47, "9:7",
		       "services.all.networks.front.gw_priority: daemon "
		       "'linux' speaks Engine API 1.47; EndpointSettings."
		       "GwPriority needs API 1.48");
	net_entry()->gw_priority = 0;
	expect_refusal(47, "24:9",
		       "services.all.volumes[2].image: daemon 'linux' speaks "
		       "Engine API 1.47; Mount.ImageOptions needs API 1.48");
	mnt(2)->type = COMPOSE_MOUNT_VOLUME;
	mnt(2)->source = "data";
	expect_refusal(43, "15:9",
		       "services.all.volumes[0].bind.recursive: daemon "
		       "'linux' speaks Engine API 1.43");
	cr_assert_null(refusal(44));
	/* disabled is NonRecursive, which API 1.40 takes. */
	mnt(0)->bind_recursive = "disabled";
	cr_assert_null(refusal(41));
}

/* ---- provider and models: printed, refused at up ----------------------- */

static struct compose_project *load_plugins(void)
{
	return apply_test_load(TEST_FIXTURES_DIR "/apply/plugins.yaml");
}

Test(apply_plugins, config_prints_provider_and_models_as_compose_v2_does)
{
	struct compose_project *p = load_plugins();
	struct sbuf js = SBUF_INIT;
	cJSON *j, *svcs;

	compose_node_emit_json(&js, compose_project_to_node(p));
	j = cJSON_Parse(js.buf);
	cr_assert_not_null(j, "%s", js.buf);
	svcs = cJSON_GetObjectItem(j, "services");
	/* MultiOptions: every option a list. */
	cr_assert_str_eq(
		cJSON_GetArrayItem(
			get(get(get(get(svcs, "ai"), "provider"), "options"),
			    "model"),
			0)
			->valuestring,
		"ai/smollm2");
	cr_assert_eq(cJSON_GetArraySize(get(
			     get(get(get(svcs, "ai"), "provider"), "options"),
			     "flag")),
		     2);
	/* A list of models is a map of names to null. */
	cr_assert(cJSON_IsNull(get(get(get(svcs, "app"), "models"), "llm")));
	/* Only the models a service uses. */
	cr_assert_not_null(get(get(j, "models"), "llm"));
	cr_assert_null(get(get(j, "models"), "unused"));
	cJSON_Delete(j);
	sbuf_release(&js);
	compose_project_free(p);
}

Test(apply_plugins, up_refuses_a_provider_service_and_models_naming_them)
{
	struct compose_project *p = load_plugins();
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build(&pl, p, &host, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(apply_check(pl, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "services.ai.provider: a 'model' provider "
				  "service runs through compose v2's "
				  "docker-model plugin"),
		  "%s", err.msg);
	cr_assert_eq(err.loc.line, 8);
	for (size_t i = 0; i < pl->n_services; i++)
		if (!strcmp(pl->services[i].svc->name, "ai"))
			pl->services[i].selected = false;
	cr_assert_eq(apply_check(pl, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "services.app.models: models run through "
				  "the Docker Model plugin"),
		  "%s", err.msg);
	cr_assert_eq(err.loc.line, 14);
	for (size_t i = 0; i < pl->n_services; i++)
		if (!strcmp(pl->services[i].svc->name, "app"))
			pl->services[i].selected = false;
	cr_assert_eq(apply_check(pl, &err), 0, "%s", err.msg);
	plan_free(pl);
	compose_project_free(p);
}

/* ---- use_api_socket ------------------------------------------------------ */

static bool strv_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return true;
	return false;
}

Test(apply_nested_keys, use_api_socket_binds_the_socket_and_copies_the_auths)
{
	static char token;
	struct engine *engines[1] = {(struct engine *)&token};
	struct plan_host h = host;
	char dir[] = "/tmp/netkeys-cfg-XXXXXX", path[64];
	struct outcome before, after;
	const struct engine_file *cfg = NULL;
	struct apply_jobs J;
	struct plan *p = NULL;
	struct diag err = {0};
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("{\"auths\": {\"registry.example:5000\": {\"auth\": \"dTpw\"}},"
	      " \"currentContext\": \"x\"}",
	      f);
	fclose(f);
	setenv("DOCKER_CONFIG", dir, 1);
	h.endpoint = "unix:///run/mixtest/d.sock";
	before = outcome_of(&h);
	proj->services[0].use_api_socket = true;
	after = outcome_of(&h);
	cr_assert_str_neq(before.hash, after.hash);
	cr_assert_str_neq(before.config, after.config);
	cr_assert(strv_has(get(get(after.body, "HostConfig"), "Binds"),
			   "/run/mixtest/d.sock:/var/run/docker.sock"));
	cr_assert(strv_has(get(after.body, "Env"),
			   "DOCKER_CONFIG=/run/secrets/docker"));
	cr_assert_null(get(get(before.body, "HostConfig"), "Binds"));
	/* The client's credentials, and nothing else of its config. */
	cr_assert_eq(plan_build(&p, proj, &h, 1, NULL, &err), 0, "%s", err.msg);
	apply_jobs_init(&J);
	cr_assert_eq(apply_up(&J, p, engines, NULL, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < J.n; i++)
		for (size_t k = 0;
		     J.v[i].kind == ENGINE_JOB_FILES_PUT && k < J.v[i].n_files;
		     k++)
			if (!strcmp(J.v[i].files[k].path,
				    "/run/secrets/docker/config.json"))
				cfg = &J.v[i].files[k];
	cr_assert_not_null(cfg, "no config.json copied in");
	cr_assert_eq(cfg->mode, 0444);
	cr_assert(strstr(cfg->data, "\"registry.example:5000\""), "%s",
		  cfg->data);
	cr_assert_null(strstr(cfg->data, "currentContext"), "%s", cfg->data);
	apply_jobs_release(&J);
	plan_free(p);
	/* A Windows daemon is refused it, as compose v2 refuses it. */
	h.os = "windows";
	cr_assert_eq(plan_build(&p, proj, &h, 1, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(apply_check(p, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "use_api_socket: daemon 'linux' runs "
				  "Windows"),
		  "%s", err.msg);
	plan_free(p);
	unsetenv("DOCKER_CONFIG");
	remove(path);
	rmdir(dir);
	outcome_release(&before);
	outcome_release(&after);
}
