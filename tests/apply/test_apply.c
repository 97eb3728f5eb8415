/*
 * From a plan to a job graph (apply/apply.c), without any daemon: the lab
 * sample planned on a linux daemon and a windows stand-in, the jobs and
 * their dependencies, the create specs, a converged project, and down.
 * The engines are only tokens here: apply never calls them.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "apply/apply.h"
#include "apply_test.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"

#define SAMPLE SOURCE_DIR "/samples/lab/compose.yaml"

static struct compose_project *proj;
static struct plan *plan;
static struct apply_jobs J;
static struct arena *sa; /* the state's strings outlive a replan */
static char tokens[2];
static struct engine *engines[2] = {(struct engine *)&tokens[0],
				    (struct engine *)&tokens[1]};

static struct plan_host hosts[2] = {
	{.name = "linux",
	 .os = "linux",
	 .arch = "amd64",
	 .api_major = 1,
	 .api_minor = 41},
	{.name = "windows",
	 .os = "windows",
	 .engine_os = "linux",
	 .arch = "amd64",
	 .api_major = 1,
	 .api_minor = 41,
	 .lab = true},
};

static void load(void)
{
	proj = apply_test_load(SAMPLE);
	apply_jobs_init(&J);
	sa = arena_new();
}

static void unload(void)
{
	apply_jobs_release(&J);
	plan_free(plan);
	plan = NULL;
	compose_project_free(proj);
	proj = NULL;
	arena_free(sa);
	sa = NULL;
	for (size_t d = 0; d < 2; d++) {
		hosts[d].containers = NULL;
		hosts[d].n_containers = 0;
	}
}

TestSuite(apply_apply, .init = load, .fini = unload);

static void plan_and_apply(void)
{
	struct diag err = {0};

	cr_assert_eq(plan_build(&plan, proj, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(apply_up(&J, plan, engines, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_jobs_check(J.v, J.n, &err), 0, "%s", err.msg);
}

/* The only job of 'kind' whose title contains 'what'. */
static size_t find(enum engine_job_kind kind, const char *what)
{
	size_t found = ENGINE_JOB_NONE;

	for (size_t i = 0; i < J.n; i++) {
		if (J.v[i].kind != kind || !J.v[i].title ||
		    !strstr(J.v[i].title, what))
			continue;
		cr_assert_eq(found, ENGINE_JOB_NONE, "two %s jobs for '%s'",
			     engine_job_kind_name(kind), what);
		found = i;
	}
	cr_assert_neq(found, ENGINE_JOB_NONE, "no %s job for '%s'",
		      engine_job_kind_name(kind), what);
	return found;
}

static size_t count(enum engine_job_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < J.n; i++)
		n += J.v[i].kind == kind;
	return n;
}

static bool depends(size_t job, size_t on)
{
	for (size_t k = 0; k < J.v[job].n_deps; k++)
		if (J.v[job].deps[k] == on)
			return true;
	return false;
}

static bool strv_has(const struct engine_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

static const char *label(const struct engine_container_spec *sp,
			 const char *key)
{
	for (size_t i = 0; i < sp->n_labels; i++)
		if (!strcmp(sp->labels[i].key, key))
			return sp->labels[i].value;
	return NULL;
}

Test(apply_apply, up_builds_networks_images_and_containers_per_daemon)
{
	size_t net_l, net_w, img_l, img_w, c_nginx, c_web;

	plan_and_apply();
	net_l = find(ENGINE_JOB_NETWORK_CREATE,
		     "Network mixlab_default (linux)");
	net_w = find(ENGINE_JOB_NETWORK_CREATE,
		     "Network mixlab_default (windows)");
	cr_assert_eq(J.v[net_l].engine, engines[0]);
	cr_assert_eq(J.v[net_w].engine, engines[1]);
	cr_assert_eq(J.v[net_l].network_spec->n_ipam, 1);
	cr_assert_str_neq(J.v[net_l].network_spec->ipam[0].subnet,
			  J.v[net_w].network_spec->ipam[0].subnet);
	img_l = find(ENGINE_JOB_IMAGE_ENSURE, "local/nginx:lab (linux)");
	img_w = find(ENGINE_JOB_IMAGE_ENSURE, "local/webapp:lab (windows)");
	cr_assert_str_eq(J.v[img_l].platform, "linux");
	cr_assert_null(J.v[img_w].platform,
		       "a stand-in runs linux images: no windows platform");
	c_nginx = find(ENGINE_JOB_CONTAINER_CREATE, "mixlab-nginx-1");
	c_web = find(ENGINE_JOB_CONTAINER_CREATE, "mixlab-web-1");
	cr_assert(depends(c_nginx, net_l) && depends(c_nginx, img_l));
	cr_assert(depends(c_web, net_w) && depends(c_web, img_w));
	cr_assert_not(depends(c_nginx, c_web),
		      "creates run at once; starts wait for conditions");
	cr_assert_eq(count(ENGINE_JOB_CONTAINER_START), 2);
}

Test(apply_apply, healthy_condition_puts_a_wait_before_the_start)
{
	size_t c_web, s_web, s_nginx, wait;

	plan_and_apply();
	c_web = find(ENGINE_JOB_CONTAINER_CREATE, "mixlab-web-1");
	s_web = find(ENGINE_JOB_CONTAINER_START, "mixlab-web-1");
	s_nginx = find(ENGINE_JOB_CONTAINER_START, "mixlab-nginx-1");
	wait = find(ENGINE_JOB_WAIT, "mixlab-web-1");
	cr_assert_eq(J.v[wait].wait, ENGINE_WAIT_HEALTHY);
	cr_assert_eq(J.v[wait].container.job, c_web);
	cr_assert(depends(wait, s_web));
	cr_assert(depends(s_nginx, wait));
	cr_assert_eq(J.v[s_web].container.job, c_web);
}

Test(apply_apply, create_spec_carries_labels_ports_binds_hosts_and_address)
{
	const struct engine_container_spec *web, *nginx;
	char want[256];

	plan_and_apply();
	web = J.v[find(ENGINE_JOB_CONTAINER_CREATE, "mixlab-web-1")]
		      .container_spec;
	nginx = J.v[find(ENGINE_JOB_CONTAINER_CREATE, "mixlab-nginx-1")]
			.container_spec;
	cr_assert_str_eq(web->image, "local/webapp:lab");
	cr_assert(strv_has(&web->env, "SERVICE_NAME=web"));
	cr_assert_str_eq(label(web, "com.docker.compose.project"), "mixlab");
	cr_assert_str_eq(label(web, "com.docker.compose.service"), "web");
	cr_assert_str_eq(label(web, "io.mixcompose.daemon"), "windows");
	cr_assert_not_null(label(web, "com.docker.compose.config-hash"));
	cr_assert_eq(web->n_endpoints, 1);
	cr_assert_str_eq(web->endpoints[0].network, "mixlab_default");
	cr_assert_not_null(web->endpoints[0].ipv4_address);
	cr_assert(strv_has(&web->endpoints[0].aliases, "web"));
	cr_assert_str_eq(web->network_mode, "mixlab_default");
	cr_assert_eq(web->healthcheck.test.n, 2);
	cr_assert_str_eq(web->healthcheck.test.v[0], "CMD-SHELL");
	cr_assert_eq(web->healthcheck.interval_ns, 1000000000LL);
	cr_assert_eq(web->healthcheck.retries, 20);

	cr_assert_eq(nginx->n_ports, 1);
	cr_assert_eq(nginx->ports[0].container_port, 80);
	cr_assert_str_eq(nginx->ports[0].host_ip, "127.0.0.1");
	cr_assert_str_eq(nginx->ports[0].host_port, "8080");
	snprintf(want, sizeof(want),
		 "%s/samples/lab/nginx.conf:"
		 "/etc/nginx/nginx.conf:ro",
		 SOURCE_DIR);
	cr_assert(strv_has(&nginx->binds, want), "binds: %s",
		  nginx->binds.n ? nginx->binds.v[0] : "(none)");
	snprintf(want, sizeof(want), "web:%s", web->endpoints[0].ipv4_address);
	cr_assert(strv_has(&nginx->extra_hosts, want), "no '%s'", want);
}

static size_t prefixed(const struct engine_strv *v, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n; i++)
		n += !strncmp(v->v[i], prefix, strlen(prefix));
	return n;
}

/*
 * extra_hosts as a map of lists: ExtraHosts gets "host:ip" for every
 * address (IPv6 as written, brackets gone), after the planned peers.
 */
Test(apply_apply, every_extra_hosts_address_goes_to_extra_hosts)
{
	const struct engine_container_spec *app, *db;

	compose_project_free(proj);
	proj = apply_test_load(TEST_FIXTURES_DIR
			       "/compose/extra_hosts/compose.yaml");
	plan_and_apply();
	app = J.v[find(ENGINE_JOB_CONTAINER_CREATE, "extra_hosts-app-1")]
		      .container_spec;
	db = J.v[find(ENGINE_JOB_CONTAINER_CREATE, "extra_hosts-db-1")]
		     .container_spec;
	cr_assert(strv_has(&app->extra_hosts, "myhost:10.0.0.1"));
	cr_assert(strv_has(&app->extra_hosts, "myhost:::1"));
	cr_assert(strv_has(&app->extra_hosts, "other:fe80::1"));
	cr_assert(strv_has(&app->extra_hosts, "db:10.0.0.9"));
	cr_assert_eq(prefixed(&app->extra_hosts, "db:"), 1,
		     "db is the user's: no planned entry for it");
	cr_assert(strv_has(&db->extra_hosts, "multi:10.0.0.1"));
	cr_assert(strv_has(&db->extra_hosts, "multi:10.0.0.2"));
	cr_assert(strv_has(&db->extra_hosts, "myhostv6:::1"));
	cr_assert(strv_has(&db->extra_hosts, "somehost:162.242.195.82"));
	cr_assert_eq(prefixed(&db->extra_hosts, "app:"), 1, "planned 'app'");
}

Test(apply_apply, windows_engine_gets_the_hosts_file_before_start_exec_after)
{
	size_t create, file, start, exec;
	char *text;

	hosts[1].engine_os = NULL; /* a real Windows engine this time */
	hosts[1].lab = false;
	plan_and_apply();
	hosts[1].engine_os = "linux";
	hosts[1].lab = true;
	create = find(ENGINE_JOB_CONTAINER_CREATE, "mixlab-web-1");
	file = find(ENGINE_JOB_FILE_EDIT, "mixlab-web-1");
	start = find(ENGINE_JOB_CONTAINER_START, "mixlab-web-1");
	exec = find(ENGINE_JOB_EXEC, "mixlab-web-1");
	/* The archive API between create and start... */
	cr_assert(depends(file, create));
	cr_assert(depends(start, file));
	cr_assert_eq(J.v[file].container.job, create);
	cr_assert_str_eq(J.v[file].file_dir, "/Windows/System32/drivers/etc");
	cr_assert_str_eq(J.v[file].file_name, "hosts");
	text = J.v[file].file_edit(J.v[file].file_edit_ud,
				   "127.0.0.1 localhost\r\n", 21);
	cr_assert(strstr(text, "127.0.0.1 localhost\r\n# mixcompose begin\r\n"),
		  "%s", text);
	cr_assert(strstr(text, " mixlab-nginx-1 nginx # mixcompose\r\n"), "%s",
		  text);
	free(text);
	/* ...and the exec after the start only if the daemon refused it. */
	cr_assert(depends(exec, start));
	cr_assert(depends(exec, file));
	cr_assert(J.v[exec].fallback);
	cr_assert_eq(J.v[exec].fallback_of, file);
	cr_assert_str_eq(J.v[exec].user, "ContainerAdministrator");
	cr_assert_geq(J.v[exec].argv.n, 4);
	cr_assert_str_eq(J.v[exec].argv.v[0], "cmd");
	cr_assert_str_eq(J.v[exec].argv.v[1], "/S");
	cr_assert_str_eq(J.v[find(ENGINE_JOB_IMAGE_ENSURE, "webapp")].platform,
			 "windows");
	cr_assert_eq(count(ENGINE_JOB_EXEC), 1, "linux gets ExtraHosts");
	cr_assert_eq(count(ENGINE_JOB_FILE_EDIT), 1, "linux gets ExtraHosts");
}

/* The state after a first up: both containers running with their hashes. */
static void converged_state(struct plan_host_container ct[2])
{
	for (size_t i = 0; i < plan->n_containers; i++) {
		const struct plan_container *pc = &plan->containers[i];

		ct[i] = (struct plan_host_container){
			.id = arena_strdup(sa, pc->name),
			.name = arena_strdup(sa, pc->name),
			.service = arena_strdup(sa, pc->service_name),
			.number = pc->number,
			.daemon =
				arena_strdup(sa, plan->hosts[pc->daemon].name),
			.config_hash = arena_strdup(sa, pc->config_hash),
			.state = "running",
			.label_project = "mixlab",
		};
		hosts[pc->daemon].containers = &ct[i];
		hosts[pc->daemon].n_containers = 1;
	}
}

static void replan(void)
{
	apply_jobs_release(&J);
	apply_jobs_init(&J);
	plan_free(plan);
	plan = NULL;
	plan_and_apply();
}

Test(apply_apply, converged_project_gives_no_create_or_start)
{
	struct plan_host_container ct[2];
	size_t keep_nginx;

	plan_and_apply();
	cr_assert_eq(plan->n_containers, 2);
	converged_state(ct);
	replan();
	cr_assert_eq(count(ENGINE_JOB_CONTAINER_CREATE), 0);
	cr_assert_eq(count(ENGINE_JOB_CONTAINER_START), 0);
	cr_assert_eq(count(ENGINE_JOB_CONTAINER_REMOVE), 0);
	cr_assert_eq(count(ENGINE_JOB_WAIT), 0, "nothing starts: no waits");
	keep_nginx = find(ENGINE_JOB_NOOP, "mixlab-nginx-1");
	cr_assert_str_eq(((struct apply_job_info *)J.v[keep_nginx].ud)->done,
			 "Running");
}

Test(apply_apply, recreate_removes_first_and_waits_on_a_kept_dependency)
{
	struct plan_host_container ct[2];
	size_t rm, create, start, wait;

	plan_and_apply();
	converged_state(ct);
	for (size_t i = 0; i < 2; i++)
		if (!strcmp(ct[i].service, "nginx"))
			ct[i].config_hash = "0000";
	replan();
	rm = find(ENGINE_JOB_CONTAINER_REMOVE, "mixlab-nginx-1");
	create = find(ENGINE_JOB_CONTAINER_CREATE, "mixlab-nginx-1");
	start = find(ENGINE_JOB_CONTAINER_START, "mixlab-nginx-1");
	cr_assert_str_eq(J.v[rm].container.id, "mixlab-nginx-1");
	cr_assert(depends(create, rm));
	/* The kept web's health is still checked, by its id. */
	wait = find(ENGINE_JOB_WAIT, "mixlab-web-1");
	cr_assert_eq(J.v[wait].container.job, ENGINE_JOB_NONE);
	cr_assert_str_eq(J.v[wait].container.id, "mixlab-web-1");
	cr_assert(depends(start, wait));
	cr_assert_eq(count(ENGINE_JOB_CONTAINER_CREATE), 1);
}

/* The down plan of 'hosts' (its jobs then made by down_jobs). */
static struct plan_down *down_plan(void)
{
	struct plan_down_options po = {.project = NULL};
	struct plan_down *d = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build_down(&d, "mixlab", hosts, 2, &po, &err), 0,
		     "%s", err.msg);
	return d;
}

/* J: the jobs of 'd' on 'e', checked. */
static void down_jobs(const struct plan_down *d,
		      struct engine *const *e,
		      const struct apply_down_opts *o)
{
	struct diag err = {0};

	apply_jobs_release(&J);
	apply_jobs_init(&J);
	apply_down(&J, d, e, o);
	cr_assert_eq(engine_jobs_check(J.v, J.n, &err), 0, "%s", err.msg);
}

Test(apply_apply, down_runs_waves_then_networks_and_skips_a_missing_daemon)
{
	struct plan_host_container ct[2];
	struct plan_host_network nets[2] = {
		{.name = "mixlab_default",
		 .label_project = "mixlab",
		 .label_network = "default"},
		{.name = "mixlab_default",
		 .label_project = "mixlab",
		 .label_network = "default"},
	};
	struct apply_down_opts o = {.timeout_s = 3};
	struct engine *one[2] = {engines[0], NULL};
	struct plan_down *d;
	size_t rm_nginx, rm_net;

	plan_and_apply();
	converged_state(ct);
	for (size_t h = 0; h < 2; h++) {
		hosts[h].networks = &nets[h];
		hosts[h].n_networks = 1;
	}
	d = down_plan();
	down_jobs(d, engines, &o);
	cr_assert_eq(count(ENGINE_JOB_CONTAINER_REMOVE), 2);
	cr_assert_eq(count(ENGINE_JOB_NETWORK_REMOVE), 2);
	rm_nginx = find(ENGINE_JOB_CONTAINER_REMOVE, "mixlab-nginx-1");
	rm_net = find(ENGINE_JOB_NETWORK_REMOVE, "(linux)");
	cr_assert_eq(J.v[rm_nginx].timeout_s, 3);
	cr_assert(J.v[rm_net].soft_deps, "down goes on after a failure");
	cr_assert_eq(J.v[rm_net].n_deps, 1, "after the containers' barrier");
	cr_assert_eq(J.v[J.v[rm_net].deps[0]].kind, ENGINE_JOB_NOOP);

	down_jobs(d, one, &o);
	cr_assert_eq(count(ENGINE_JOB_CONTAINER_REMOVE), 1);
	cr_assert_eq(count(ENGINE_JOB_NETWORK_REMOVE), 1);
	for (size_t i = 0; i < J.n; i++)
		cr_assert(J.v[i].kind == ENGINE_JOB_NOOP ||
			  J.v[i].engine == engines[0]);
	plan_down_free(d);
	for (size_t h = 0; h < 2; h++) {
		hosts[h].networks = NULL;
		hosts[h].n_networks = 0;
	}
}

/*
 * down --rmi: the images go with the networks (compose v2's one errgroup
 * after the containers), each on its daemon, one on an unreachable daemon
 * left out; a missing one or one still in use is no failure.
 */
Test(apply_apply, down_removes_images_with_the_networks_after_the_containers)
{
	struct plan_host_container ct[2];
	struct plan_host_network net = {.name = "mixlab_default",
					.label_project = "mixlab",
					.label_network = "default"};
	const struct apply_rmi_image imgs[] = {{"mixlab-web:latest", 1},
					       {"nginx:latest", 0}};
	struct apply_down_opts o = {
		.timeout_s = -1, .images = imgs, .n_images = 2};
	struct engine *one[2] = {engines[0], NULL};
	const struct apply_job_info *in;
	struct plan_down *d;
	size_t rm_img, rm_net, rm_web;

	plan_and_apply();
	converged_state(ct);
	hosts[0].networks = &net;
	hosts[0].n_networks = 1;
	d = down_plan();
	down_jobs(d, engines, &o);
	cr_assert_eq(count(ENGINE_JOB_IMAGE_REMOVE), 2);
	rm_img = find(ENGINE_JOB_IMAGE_REMOVE, "Image nginx:latest (linux)");
	rm_net = find(ENGINE_JOB_NETWORK_REMOVE, "(linux)");
	rm_web = find(ENGINE_JOB_CONTAINER_REMOVE, "mixlab-web-1");
	cr_assert_eq(J.v[rm_img].engine, engines[0]);
	cr_assert(J.v[rm_img].soft_deps, "down goes on after a failure");
	cr_assert_eq(J.v[rm_img].n_deps, 1);
	cr_assert_eq(J.v[rm_img].deps[0], J.v[rm_net].deps[0],
		     "images and networks wait for the same barrier");
	cr_assert(depends(J.v[rm_img].deps[0], rm_web));
	in = J.v[rm_img].ud;
	cr_assert_str_eq(in->in_use, "Resource is still in use");
	cr_assert_str_eq(in->noop, "Warning: No resource found to remove");
	in = J.v[rm_net].ud;
	cr_assert_str_eq(in->in_use, "Resource is still in use");
	cr_assert_str_eq(in->noop, "No resource found to remove");
	cr_assert(in->noop_warn);

	down_jobs(d, one, &o);
	cr_assert_eq(count(ENGINE_JOB_IMAGE_REMOVE), 1);
	plan_down_free(d);

	/* No network: the images wait for the last wave of containers. */
	hosts[0].networks = NULL;
	hosts[0].n_networks = 0;
	d = down_plan();
	down_jobs(d, engines, &o);
	rm_img = find(ENGINE_JOB_IMAGE_REMOVE, "Image nginx:latest (linux)");
	cr_assert_eq(J.v[rm_img].n_deps, 1);
	cr_assert_eq(J.v[J.v[rm_img].deps[0]].kind, ENGINE_JOB_NOOP);
	cr_assert(depends(J.v[rm_img].deps[0], rm_web));
	plan_down_free(d);
}
