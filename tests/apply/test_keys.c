/*
 * Each key said once: every entry of compose_keys[] (compose/keys.c), set
 * in a fully populated service (tests/fixtures/apply/every_key.yaml), must
 * reach the config hash and the create body at the field the table names.
 * A new entry that misses either, or that the fixture does not set, fails
 * here.  Then the conversions compose v2 makes, and the Windows refusal.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "apply_test.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/sbuf.h"

#define EVERY TEST_FIXTURES_DIR "/apply/every_key.yaml"

static struct compose_project *proj;

static struct plan_host host = {.name = "linux",
				.os = "linux",
				.arch = "amd64",
				.api_major = 1,
				.api_minor = 44};

static void load(void)
{
	proj = apply_test_load(EVERY);
}

static void unload(void)
{
	compose_project_free(proj);
	proj = NULL;
}

TestSuite(apply_keys, .init = load, .fini = unload);

/* The hash and the create body of the project's one container, now. */
struct outcome {
	char *hash;
	cJSON *body;
	char *config; /* the service as `config --format json` prints it */
};

static struct outcome outcome_of(const struct plan_host *h)
{
	static char token;
	struct engine *engines[1] = {(struct engine *)&token};
	struct apply_jobs J;
	struct plan *p = NULL;
	struct diag err = {0};
	struct outcome o = {0};
	char *json;

	cr_assert_eq(plan_build(&p, proj, h, 1, NULL, &err), 0, "%s", err.msg);
	apply_jobs_init(&J);
	cr_assert_eq(apply_up(&J, p, engines, NULL, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < J.n; i++) {
		if (J.v[i].kind != ENGINE_JOB_CONTAINER_CREATE)
			continue;
		json = engine_container_spec_json(J.v[i].container_spec);
		o.body = cJSON_Parse(json);
		free(json);
	}
	cr_assert_eq(p->n_containers, 1);
	o.hash = strdup(p->containers[0].config_hash);
	{
		struct sbuf js = SBUF_INIT;

		compose_node_emit_json(
			&js,
			compose_map_get(
				compose_map_get(compose_project_to_node(proj),
						"services"),
				"all"));
		o.config = sbuf_detach(&js, NULL);
	}
	apply_jobs_release(&J);
	plan_free(p);
	cr_assert_not_null(o.body, "no create job");
	return o;
}

static void outcome_release(struct outcome *o)
{
	free(o->hash);
	free(o->config);
	cJSON_Delete(o->body);
}

/* The body's field at dotted 'path', or NULL. */
static const cJSON *field_at(const cJSON *body, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *part = strtok_r(buf, ".", &save); part && body;
	     part = strtok_r(NULL, ".", &save))
		body = cJSON_GetObjectItemCaseSensitive(body, part);
	return body;
}

static struct compose_keyval *keys(void)
{
	cr_assert_eq(proj->n_services, 1);
	return proj->services[0].keys;
}

static struct plan_host win = {.name = "winbox",
			       .os = "windows",
			       .arch = "amd64",
			       .api_major = 1,
			       .api_minor = 44};

/* The host that takes key 'i' (credential_spec is Windows's alone). */
static const struct plan_host *host_for(size_t i)
{
	return compose_keys[i].os & COMPOSE_OS_LINUX ? &host : &win;
}

Test(apply_keys, the_fixture_sets_every_key_of_the_table)
{
	for (size_t i = 0; i < compose_n_keys; i++)
		cr_assert(keys()[i].set,
			  "%s is not set in every_key.yaml: add it there",
			  compose_keys[i].path);
}

Test(apply_keys, each_key_alone_reaches_the_hash_and_its_body_field)
{
	bool *was = calloc(compose_n_keys, sizeof(*was));
	struct outcome none;

	for (size_t i = 0; i < compose_n_keys; i++) {
		was[i] = keys()[i].set;
		keys()[i].set = false;
	}
	for (size_t i = 0; i < compose_n_keys; i++) {
		const struct compose_key *k = &compose_keys[i];
		struct outcome one;

		none = outcome_of(host_for(i));
		keys()[i].set = was[i];
		one = outcome_of(host_for(i));
		cr_assert_str_neq(one.hash, none.hash,
				  "%s does not reach the config hash", k->path);
		cr_assert_str_neq(one.config, none.config,
				  "%s does not reach the config output",
				  k->path);
		cr_assert_not_null(field_at(one.body, k->api),
				   "%s does not reach %s in the create body",
				   k->path, k->api);
		cr_assert_null(field_at(none.body, k->api),
			       "%s is in the body without %s", k->api, k->path);
		keys()[i].set = false;
		outcome_release(&one);
		outcome_release(&none);
	}
	free(was);
}

Test(apply_keys, credential_spec_as_docker_run_sends_it)
{
	struct outcome o;

	for (size_t i = 0; i < compose_n_keys; i++)
		keys()[i].set =
			!strcmp(compose_keys[i].path, "credential_spec");
	o = outcome_of(&win);
	cr_assert_str_eq(cJSON_GetArrayItem(
				 field_at(o.body, "HostConfig.SecurityOpt"), 0)
				 ->valuestring,
			 "credentialspec=file://app.json");
	outcome_release(&o);
}

Test(apply_keys, values_are_converted_as_compose_v2_does)
{
	struct outcome o;

	keys()[compose_key_find("credential_spec")].set = false;
	o = outcome_of(&host);
	const cJSON *hc = field_at(o.body, "HostConfig");
	const cJSON *ul = cJSON_GetObjectItem(hc, "Ulimits"), *u;
	double nofile_soft = 0, nofile_hard = 0;

	/* mem_limit and cpus equal their deploy.resources.limits twins. */
	cr_assert_eq(cJSON_GetObjectItem(hc, "Memory")->valuedouble,
		     48.0 * 1024 * 1024);
	cr_assert_eq(cJSON_GetObjectItem(hc, "NanoCpus")->valuedouble, 2.5e8);
	cr_assert_eq(cJSON_GetObjectItem(hc, "PidsLimit")->valuedouble, 50);
	cr_assert_eq(cJSON_GetObjectItem(hc, "MemoryReservation")->valuedouble,
		     16.0 * 1024 * 1024);
	cr_assert_eq(cJSON_GetObjectItem(hc, "ShmSize")->valuedouble,
		     128.0 * 1024 * 1024);
	cr_assert_eq(cJSON_GetObjectItem(hc, "OomScoreAdj")->valuedouble, -500);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(hc, "OomKillDisable")));
	cr_assert_str_eq(field_at(hc, "Tmpfs./run")->valuestring, "size=1m");
	cr_assert_str_eq(field_at(hc, "Tmpfs./tmp")->valuestring, "");
	cr_assert_str_eq(field_at(hc, "LogConfig.Type")->valuestring,
			 "json-file");
	cr_assert_str_eq(field_at(hc, "LogConfig.Config.max-size")->valuestring,
			 "10m");
	cr_assert_str_eq(cJSON_GetObjectItem(field_at(hc, "Sysctls"),
					     "net.core.somaxconn")
				 ->valuestring,
			 "1024");
	cr_assert_eq(cJSON_GetArraySize(ul), 2);
	cJSON_ArrayForEach(u, ul) {
		if (strcmp(cJSON_GetObjectItem(u, "Name")->valuestring,
			   "nofile"))
			continue;
		nofile_soft = cJSON_GetObjectItem(u, "Soft")->valuedouble;
		nofile_hard = cJSON_GetObjectItem(u, "Hard")->valuedouble;
	}
	cr_assert_eq(nofile_soft, 20000);
	cr_assert_eq(nofile_hard, 40000);
	cr_assert_str_eq(
		cJSON_GetArrayItem(field_at(hc, "SecurityOpt"), 0)->valuestring,
		"no-new-privileges");
	/* devices: the container path and permissions default as in v2. */
	cr_assert_str_eq(
		field_at(cJSON_GetArrayItem(field_at(hc, "Devices"), 0),
			 "PathInContainer")
			->valuestring,
		"/dev/mynull");
	cr_assert_str_eq(
		field_at(cJSON_GetArrayItem(field_at(hc, "Devices"), 0),
			 "CgroupPermissions")
			->valuestring,
		"rw");
	cr_assert_str_eq(
		field_at(cJSON_GetArrayItem(field_at(hc, "Devices"), 1),
			 "PathInContainer")
			->valuestring,
		"/dev/zero");
	cr_assert_str_eq(
		field_at(cJSON_GetArrayItem(field_at(hc, "Devices"), 1),
			 "CgroupPermissions")
			->valuestring,
		"");
	/* deploy.restart_policy over restart:, any as always, none as no. */
	cr_assert_str_eq(field_at(hc, "RestartPolicy.Name")->valuestring,
			 "on-failure");
	cr_assert_eq(
		field_at(hc, "RestartPolicy.MaximumRetryCount")->valuedouble,
		3);
	/* reservations.devices (after gpus in the table) wins, as in v2. */
	u = cJSON_GetArrayItem(field_at(hc, "DeviceRequests"), 0);
	cr_assert_str_eq(field_at(u, "Driver")->valuestring, "");
	cr_assert_eq(field_at(u, "Count")->valuedouble, 0);
	cr_assert_str_eq(
		cJSON_GetArrayItem(field_at(u, "DeviceIDs"), 0)->valuestring,
		"0");
	cr_assert_str_eq(
		cJSON_GetArrayItem(
			cJSON_GetArrayItem(field_at(u, "Capabilities"), 0), 0)
			->valuestring,
		"gpu");
	outcome_release(&o);
}

Test(apply_keys, a_windows_daemon_is_refused_linux_only_keys_before_any_job)
{
	struct plan *p = NULL;
	struct diag err = {0};
	long shm = compose_key_find("shm_size");

	for (size_t i = 0; i < compose_n_keys; i++)
		keys()[i].set = (long)i == shm;
	cr_assert_eq(plan_build(&p, proj, &win, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(apply_check(p, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "services.all.shm_size"), "%s", err.msg);
	cr_assert(strstr(err.msg, "'winbox'"), "%s", err.msg);
	cr_assert_eq(err.loc.line, 53);
	cr_assert_eq(err.loc.col, 15);
	/* A key Windows takes (mem_limit) passes. */
	keys()[shm].set = false;
	keys()[compose_key_find("mem_limit")].set = true;
	keys()[compose_key_find("credential_spec")].set = true;
	cr_assert_eq(apply_check(p, &err), 0, "%s", err.msg);
	plan_free(p);
	/* And a Linux daemon is refused the Windows-only credential_spec. */
	cr_assert_eq(plan_build(&p, proj, &host, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(apply_check(p, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "services.all.credential_spec: daemon "
				  "'linux' runs Linux"),
		  "%s", err.msg);
	plan_free(p);
}

Test(apply_keys, blkio_links_and_annotations_as_compose_v2_sends_them)
{
	struct outcome o;
	const cJSON *hc, *d;

	keys()[compose_key_find("credential_spec")].set = false;
	o = outcome_of(&host);
	hc = field_at(o.body, "HostConfig");
	cr_assert_eq(field_at(hc, "BlkioWeight")->valuedouble, 300);
	d = cJSON_GetArrayItem(field_at(hc, "BlkioWeightDevice"), 0);
	cr_assert_str_eq(field_at(d, "Path")->valuestring, "/dev/sda");
	cr_assert_eq(field_at(d, "Weight")->valuedouble, 400);
	d = cJSON_GetArrayItem(field_at(hc, "BlkioDeviceReadBps"), 0);
	cr_assert_eq(field_at(d, "Rate")->valuedouble, 1024.0 * 1024);
	d = cJSON_GetArrayItem(field_at(hc, "BlkioDeviceWriteBps"), 0);
	cr_assert_eq(field_at(d, "Rate")->valuedouble, 2048);
	d = cJSON_GetArrayItem(field_at(hc, "BlkioDeviceWriteIOps"), 0);
	cr_assert_eq(field_at(d, "Rate")->valuedouble, 200);
	/* getLinks: a link without an alias is aliased by its own name. */
	cr_assert_str_eq(
		cJSON_GetArrayItem(field_at(hc, "Links"), 0)->valuestring,
		"db_1:db_1");
	cr_assert_str_eq(
		cJSON_GetArrayItem(field_at(hc, "Links"), 1)->valuestring,
		"cache_1:cache");
	cr_assert_str_eq(cJSON_GetObjectItem(field_at(hc, "Annotations"),
					     "com.example.note")
				 ->valuestring,
			 "every");
	cr_assert_str_eq(field_at(o.body, "MacAddress")->valuestring,
			 "02:42:ac:11:00:99");
	cr_assert(strstr(o.config, "\"Rate\": \"1048576\""), "%s", o.config);
	outcome_release(&o);
}

Test(apply_keys, a_daemon_older_than_a_key_s_api_is_refused_before_any_job)
{
	struct plan_host old = host;
	struct plan *p = NULL;
	struct diag err = {0};
	long ann = compose_key_find("annotations");

	old.api_minor = 41;
	for (size_t i = 0; i < compose_n_keys; i++)
		keys()[i].set = (long)i == ann;
	cr_assert_eq(plan_build(&p, proj, &old, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(apply_check(p, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "services.all.annotations: daemon 'linux' "
				  "speaks Engine API 1.41; "
				  "HostConfig.Annotations needs API 1.43"),
		  "%s", err.msg);
	cr_assert_eq(err.loc.line, 11);
	plan_free(p);
	/* API 1.43 takes it. */
	old.api_minor = 43;
	cr_assert_eq(plan_build(&p, proj, &old, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(apply_check(p, &err), 0, "%s", err.msg);
	plan_free(p);
}

static const struct diag *find_msg(const struct diag_list *dl, const char *part)
{
	for (size_t i = 0; i < dl->nr; i++)
		if (strstr(dl->items[i].d.msg, part))
			return &dl->items[i].d;
	cr_assert_fail("no error says '%s'", part);
	return NULL;
}

Test(apply_keys, bad_values_are_errors_at_their_position)
{
	const char *files[] = {TEST_FIXTURES_DIR "/apply/bad_keys.yaml"};
	struct compose_options o = {.files = files, .n_files = 1};
	struct compose_project *bad = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};

	cr_assert_eq(compose_project_load(&bad, &o, &err), 0, "%s", err.msg);
	cr_assert_neq(compose_project_normalize(bad, &dl), 0);
	cr_assert_eq(dl.errors, 4);
	cr_assert_eq(find_msg(&dl, "shm_size: 'lots' is not a size")->loc.line,
		     5);
	cr_assert_eq(find_msg(&dl, "cpus: 'x' is not a decimal")->loc.line, 6);
	cr_assert_eq(find_msg(&dl, "ulimits.nofile: expected")->loc.line, 8);
	diag_list_release(&dl);
	compose_project_free(bad);
}

/* ---- Secrets and configs ------------------------------------------------ */

static struct compose_project *load_secrets(const char *profile)
{
	const char *files[] = {TEST_FIXTURES_DIR "/apply/secrets.yaml"};
	const char *profiles[] = {profile};
	struct compose_options o = {.files = files,
				    .n_files = 1,
				    .profiles = profiles,
				    .n_profiles = profile ? 1 : 0};
	struct compose_project *p = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};

	cr_assert_eq(compose_project_load(&p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(compose_project_normalize(p, &dl), 0, "%s",
		     dl.nr ? dl.items[0].d.msg : "");
	diag_list_release(&dl);
	return p;
}

static const struct engine_mount *
mount_at(const struct engine_container_spec *sp, const char *target)
{
	for (size_t i = 0; i < sp->n_mounts; i++)
		if (!strcmp(sp->mounts[i].target, target))
			return &sp->mounts[i];
	cr_assert_fail("no mount at %s", target);
	return NULL;
}

Test(apply_secrets,
     file_secrets_and_configs_are_read_only_binds_where_v2_puts_them)
{
	static char token;
	struct engine *engines[1] = {(struct engine *)&token};
	struct compose_project *p = load_secrets(NULL);
	const struct engine_container_spec *sp = NULL;
	const struct engine_mount *m;
	struct apply_jobs J;
	struct plan *pl = NULL;
	struct diag err = {0};
	char dir[1024];

	cr_assert_eq(plan_build(&pl, p, &host, 1, NULL, &err), 0, "%s",
		     err.msg);
	apply_jobs_init(&J);
	cr_assert_eq(apply_up(&J, pl, engines, NULL, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < J.n; i++)
		if (J.v[i].kind == ENGINE_JOB_CONTAINER_CREATE)
			sp = J.v[i].container_spec;
	cr_assert_not_null(sp);
	cr_assert_eq(sp->n_mounts, 4);
	snprintf(dir, sizeof(dir), "%s/db_password.txt", p->working_dir);
	m = mount_at(sp, "/run/secrets/db_password");
	cr_assert_eq(m->type, ENGINE_MOUNT_BIND);
	cr_assert(m->read_only);
	cr_assert_str_eq(m->source, dir);
	cr_assert_str_eq(mount_at(sp, "/run/secrets/pw2")->source, dir);
	cr_assert_str_eq(mount_at(sp, "/etc/app.conf")->source,
			 "/srv/app.conf");
	cr_assert_str_eq(mount_at(sp, "/app")->source, "/srv/app.conf");
	cr_assert_eq(p->services[0].secrets[1].mode, 0440);
	apply_jobs_release(&J);
	plan_free(pl);
	compose_project_free(p);
}

Test(apply_secrets, an_environment_secret_is_refused_naming_service_and_secret)
{
	struct compose_project *p = load_secrets("env");
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build(&pl, p, &host, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(apply_check(pl, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "services.env.secrets[0]: secret 'token'"),
		  "%s", err.msg);
	cr_assert_eq(err.loc.line, 18);
	plan_free(pl);
	compose_project_free(p);
}

Test(apply_secrets, an_undefined_secret_is_an_error_at_its_line)
{
	const char *files[] = {TEST_FIXTURES_DIR "/apply/bad_keys.yaml"};
	struct compose_options o = {.files = files, .n_files = 1};
	struct compose_project *bad = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};

	cr_assert_eq(compose_project_load(&bad, &o, &err), 0, "%s", err.msg);
	cr_assert_neq(compose_project_normalize(bad, &dl), 0);
	cr_assert_eq(
		find_msg(&dl, "secrets[0]: 'nope' is not defined")->loc.line,
		10);
	diag_list_release(&dl);
	compose_project_free(bad);
}
