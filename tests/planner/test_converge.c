#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "planner/planner_int.h"
#include "tests/planner/model_util.h"
#include "util/sha256.h"
#include "util/arena.h"

static struct plan_host hosts[2];
static struct arena *ha;

static void setup(void)
{
	ha = arena_new();
	hosts[0] = mu_host("linux", "linux", "amd64");
	hosts[1] = mu_host("windows", "windows", "amd64");
}

static void teardown(void)
{
	arena_free(ha);
}

TestSuite(planner_converge, .init = setup, .fini = teardown);

static struct compose_project *two(void)
{
	struct compose_project *p = mu_project("demo");

	mu_service(p, "web");
	mu_platform(p, mu_service(p, "app"), "windows");
	mu_done(p);
	return p;
}

static struct plan *build(struct compose_project *p,
			  const struct plan_options *o)
{
	struct plan *pl = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build(&pl, p, hosts, 2, o, &err), 0, "%s", err.msg);
	return pl;
}

/* Makes the daemons look as if 'pl' had been applied and left running. */
static void apply(const struct plan *pl)
{
	for (size_t i = 0; i < pl->n_networks; i++)
		mu_host_net(ha, &hosts[pl->networks[i].daemon],
			    arena_strdup(ha, pl->networks[i].name),
			    arena_strdup(ha, pl->networks[i].subnet), "demo");
	for (size_t i = 0; i < pl->n_containers; i++) {
		const struct plan_container *c = &pl->containers[i];
		struct plan_host_container *x = mu_host_ctr(
			ha, &hosts[c->daemon], arena_strdup(ha, c->name),
			arena_strdup(ha, c->service_name), c->number,
			arena_strdup(ha, c->config_hash), "running");

		x->label_project = "demo";
		x->hosts_label = arena_strdup(ha, c->hosts_label);
		for (size_t k = 0; k < c->n_endpoints; k++)
			mu_ctr_net(ha, x,
				   arena_strdup(
					   ha,
					   pl->networks[c->endpoints[k].network]
						   .name),
				   arena_strdup(ha, c->endpoints[k].ipv4));
	}
}

Test(planner_converge, fresh_state_creates_everything)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL);

	cr_assert_eq(pl->n_containers, 2);
	cr_assert_eq(pl->containers[0].action, PLAN_ACT_CREATE);
	cr_assert_eq(pl->containers[1].action, PLAN_ACT_CREATE);
	cr_assert_eq(strlen(pl->containers[0].config_hash), 64);
	cr_assert_str_eq(plan_action_name(PLAN_ACT_RECREATE), "recreate");
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, second_plan_keeps_everything)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;

	apply(pl);
	again = build(p, NULL);
	for (size_t i = 0; i < again->n_containers; i++) {
		cr_assert_eq(again->containers[i].action, PLAN_ACT_KEEP,
			     "%s: %s", again->containers[i].name,
			     again->containers[i].reason);
		cr_assert_str_eq(again->containers[i].config_hash,
				 pl->containers[i].config_hash);
	}
	for (size_t i = 0; i < again->n_networks; i++)
		cr_assert_eq(again->networks[i].action, PLAN_NET_KEEP);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, changed_service_alone_is_recreated)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;
	const struct plan_container *web, *app;

	apply(pl);
	/* web depends on nothing; app changes and nothing else does. */
	mu_env(p, &p->services[0], "MODE", "fast");
	again = build(p, NULL);
	app = mu_ctr(again, "demo-app-1");
	web = mu_ctr(again, "demo-web-1");
	cr_assert_eq(app->action, PLAN_ACT_RECREATE);
	cr_assert_str_eq(app->existing_id, "cid-demo-app-1");
	cr_assert(strstr(app->reason, "config hash changed: "));
	cr_assert_eq(strlen(app->reason), strlen("config hash changed: ") + 20);
	cr_assert_eq(web->action, PLAN_ACT_KEEP);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, dependent_of_recreated_is_kept)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *web = mu_service(p, "web");
	struct plan *pl, *again;

	mu_service(p, "db");
	mu_depends(p, web, "db", NULL, 20);
	mu_done(p);
	pl = build(p, NULL);
	apply(pl);
	mu_env(p, &p->services[0], "X", "1"); /* db */
	again = build(p, NULL);
	cr_assert_eq(mu_ctr(again, "demo-db-1")->action, PLAN_ACT_RECREATE);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_KEEP);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, force_and_no_recreate)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;
	struct plan_options force = {.force_recreate = true};
	struct plan_options keep = {.no_recreate = true};

	apply(pl);
	again = build(p, &force);
	cr_assert_eq(again->containers[0].action, PLAN_ACT_RECREATE);
	cr_assert_str_eq(again->containers[0].reason, "--force-recreate");
	plan_free(again);
	mu_env(p, &p->services[1], "X", "1");
	again = build(p, &keep);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_KEEP);
	cr_assert(strstr(mu_ctr(again, "demo-web-1")->reason, "--no-recreate"));
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, stopped_container_is_started)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;

	apply(pl);
	hosts[0].containers[0].state = "exited";
	again = build(p, NULL);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_START);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, recreate_keeps_the_address)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;

	apply(pl);
	hosts[0].containers[0].networks[0].ipv4 = "172.30.0.77";
	hosts[0].containers[0].config_hash = "0123456789";
	again = build(p, NULL);
	cr_assert_str_eq(mu_ctr(again, "demo-web-1")->endpoints[0].ipv4,
			 "172.30.0.77");
	cr_assert_str_eq(
		mu_ctr(again, "demo-web-1")->reason,
		arena_sprintf(ha, "config hash changed: 01234567 -> %.8s",
			      mu_ctr(again, "demo-web-1")->config_hash));
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, orphan_warned_or_removed)
{
	struct compose_project *p = two();
	struct plan_options rm = {.remove_orphans = true};
	struct plan *pl;
	const struct plan_container *c;

	mu_host_ctr(ha, &hosts[0], "demo-old-1", "old", 1, "h", "running");
	pl = build(p, NULL);
	cr_assert_eq(pl->n_containers, 2);
	cr_assert_eq(pl->orphan_warnings.n, 1);
	cr_assert(strstr(pl->orphan_warnings.v[0], "linux/demo-old-1"));
	plan_free(pl);
	pl = build(p, &rm);
	cr_assert_eq(pl->n_containers, 3);
	c = mu_ctr(pl, "demo-old-1");
	cr_assert_eq(c->action, PLAN_ACT_REMOVE);
	cr_assert_eq(c->service, PLAN_NONE);
	cr_assert_str_eq(c->existing_id, "cid-demo-old-1");
	cr_assert(strstr(c->reason, "orphan"));
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, service_moved_daemon_leaves_orphan)
{
	struct compose_project *p = two();
	struct plan_options rm = {.remove_orphans = true};
	struct plan *pl;

	/* "app" is routed to windows; a copy on linux is on the wrong daemon.
	 */
	mu_host_ctr(ha, &hosts[0], "demo-app-1", "app", 1, "h", "running");
	pl = build(p, &rm);
	cr_assert_eq(mu_ctr(pl, "demo-app-1")->action, PLAN_ACT_CREATE);
	cr_assert_eq(pl->containers[2].action, PLAN_ACT_REMOVE);
	cr_assert_eq(pl->containers[2].daemon, 0);
	cr_assert(strstr(pl->containers[2].reason,
			 "now runs on daemon 'windows'"));
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, scale_down_removes_extra_containers)
{
	struct compose_project *p = two();
	struct plan *pl;

	mu_host_ctr(ha, &hosts[0], "demo-web-2", "web", 2, "h", "running");
	pl = build(p, NULL);
	cr_assert_eq(pl->n_containers, 3);
	cr_assert_eq(pl->containers[2].action, PLAN_ACT_REMOVE);
	cr_assert(strstr(pl->containers[2].reason, "scaled down"));
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, other_projects_and_oneoffs_are_ignored)
{
	struct compose_project *p = two();
	struct plan_options rm = {.remove_orphans = true};
	struct plan_host_container *x;
	struct plan *pl;

	x = mu_host_ctr(ha, &hosts[0], "other-web-1", "web", 1, "h", "running");
	x->label_project = "other";
	x = mu_host_ctr(ha, &hosts[0], "demo-web-run-1", "web", 1, "h",
			"running");
	x->oneoff = true;
	pl = build(p, &rm);
	cr_assert_eq(pl->n_containers, 2);
	cr_assert_eq(mu_ctr(pl, "demo-web-1")->action, PLAN_ACT_CREATE);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, offline_plans_create_only)
{
	struct compose_project *p = two();
	struct plan_options off = {.offline = true};
	struct plan *pl;

	mu_host_ctr(ha, &hosts[0], "demo-web-1", "web", 1, "h", "running");
	mu_host_net(ha, &hosts[0], "demo_default", "172.30.0.0/24", "demo");
	pl = build(p, &off);
	cr_assert_eq(mu_ctr(pl, "demo-web-1")->action, PLAN_ACT_CREATE);
	cr_assert_eq(pl->networks[0].action, PLAN_NET_CREATE);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, hash_ignores_host_entries_but_not_config)
{
	struct compose_project *p = two();
	struct plan *a = build(p, NULL), *b;

	/* A new peer adds host entries everywhere but changes no hash. */
	p->services[2] = p->services[1];
	p->services[2].name = "zeta";
	p->n_services = 3;
	b = build(p, NULL);
	cr_assert_gt(mu_ctr(b, "demo-web-1")->n_extra_hosts,
		     mu_ctr(a, "demo-web-1")->n_extra_hosts);
	cr_assert_str_eq(mu_ctr(b, "demo-web-1")->config_hash,
			 mu_ctr(a, "demo-web-1")->config_hash);
	cr_assert_str_eq(mu_ctr(b, "demo-app-1")->config_hash,
			 mu_ctr(a, "demo-app-1")->config_hash);
	plan_free(a);
	plan_free(b);
	mu_free(p);
}

Test(planner_converge, labels_as_compose_writes_them)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL);
	const struct plan_container *c = mu_ctr(pl, "demo-app-1");
	const char *want[][2] = {
		{"com.docker.compose.config-hash", c->config_hash},
		{"com.docker.compose.container-number", "1"},
		{"com.docker.compose.depends_on", ""},
		{"com.docker.compose.oneoff", "False"},
		{"com.docker.compose.project", "demo"},
		{"com.docker.compose.project.config_files",
		 "/src/demo/compose.yaml"},
		{"com.docker.compose.project.working_dir", "/src/demo"},
		{"com.docker.compose.service", "app"},
		{"io.mixcompose.daemon", "windows"},
		{"io.mixcompose.hosts", c->hosts_label},
		{"io.mixcompose.platform", "windows"},
	};

	cr_assert_eq(c->n_labels, 11);
	cr_assert(strstr(c->hosts_label, "web="), "%s", c->hosts_label);
	for (size_t i = 0; i < 11; i++) {
		cr_assert_str_eq(c->labels[i].key, want[i][0]);
		cr_assert_str_eq(c->labels[i].value, want[i][1]);
	}
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, container_name_and_scale_conflict)
{
	struct compose_project *p = mu_project("demo");
	struct compose_service *s = mu_service(p, "web");
	struct plan *pl = NULL;
	struct diag err = {0};

	s->container_name = "front";
	s->scale = 2;
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), DIAG_EPLAN);
	cr_assert_eq(err.loc.line, 11);
	s = &p->services[0];
	s->scale = 1;
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_not_null(mu_ctr(pl, "front"));
	cr_assert_str_eq(pl->hosts_table[0].name, "front");
	cr_assert_str_eq(pl->hosts_table[0].kind, "container_name");
	plan_free(pl);
	mu_free(p);
}

/* ---- down -----------------------------------------------------------------
 */

Test(planner_converge, down_in_reverse_dependency_order)
{
	struct plan_host_container *x;
	struct plan_down *d = NULL;
	struct plan_down_options o = {.remove_volumes = true};
	struct diag err = {0};

	x = mu_host_ctr(ha, &hosts[0], "demo-web-1", "web", 1, "h", "running");
	x->depends_on = "app:service_started:false";
	x = mu_host_ctr(ha, &hosts[1], "demo-app-1", "app", 1, "h", "exited");
	x->depends_on = "db:service_healthy:false";
	mu_host_ctr(ha, &hosts[0], "demo-db-1", "db", 1, "h", "running");
	x = mu_host_ctr(ha, &hosts[0], "x-db-1", "db", 1, "h", "running");
	x->label_project = "x";
	mu_host_net(ha, &hosts[0], "demo_default", "172.30.0.0/24", "demo");
	mu_host_net(ha, &hosts[0], "bridge", "172.17.0.0/16", NULL);
	hosts[1].volumes = arena_calloc(ha, 1, sizeof(*hosts[1].volumes));
	hosts[1].volumes[0] =
		(struct plan_host_volume){"demo_data", "demo", "data"};
	hosts[1].n_volumes = 1;
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 2, &o, &err), 0);
	cr_assert_eq(d->n_steps, 5);
	cr_assert_str_eq(d->steps[0].name, "demo-web-1");
	cr_assert(d->steps[0].running);
	cr_assert_str_eq(d->steps[1].name, "demo-app-1");
	cr_assert_eq(d->steps[1].daemon, 1);
	cr_assert_not(d->steps[1].running);
	cr_assert_str_eq(d->steps[2].name, "demo-db-1");
	cr_assert_eq(d->steps[2].wave, 2);
	cr_assert_eq(d->steps[3].kind, PLAN_DOWN_NETWORK);
	cr_assert_eq(d->steps[4].kind, PLAN_DOWN_VOLUME);
	cr_assert_eq(d->n_waves, 4);
	plan_down_free(d);
}

Test(planner_converge, down_keeps_orphans_unless_asked)
{
	struct compose_project *p = two();
	struct plan_down *d = NULL;
	struct plan_down_options o = {.project = p};
	struct diag err = {0};
	struct sbuf sb = SBUF_INIT;

	mu_host_ctr(ha, &hosts[0], "demo-web-1", "web", 1, "h", "running");
	mu_host_ctr(ha, &hosts[0], "demo-old-1", "old", 1, "h", "running");
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 2, &o, &err), 0);
	cr_assert_eq(d->n_steps, 1);
	cr_assert_eq(d->orphan_warnings.n, 1);
	plan_down_describe(&sb, d);
	cr_assert(strstr(sb.buf, "orphan left in place: linux/demo-old-1"));
	plan_down_free(d);
	o.remove_orphans = true;
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 2, &o, &err), 0);
	cr_assert_eq(d->n_steps, 2);
	plan_down_free(d);
	sbuf_release(&sb);
	mu_free(p);
}

Test(planner_converge, down_leaves_oneoffs_to_remove_orphans)
{
	struct compose_project *p = two();
	struct plan_down *d = NULL;
	struct plan_down_options o = {.project = p};
	struct diag err = {0};
	struct plan_host_container *x;

	mu_host_ctr(ha, &hosts[0], "demo-web-1", "web", 1, "h", "running");
	x = mu_host_ctr(ha, &hosts[0], "demo-web-run-0a1b2c3d4e5f", "web", 1,
			"h", "exited");
	x->oneoff = true;
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 2, &o, &err), 0);
	cr_assert_eq(d->n_steps, 1);
	cr_assert_eq(d->orphan_warnings.n, 1);
	cr_assert(strstr(d->orphan_warnings.v[0], "demo-web-run-0a1b2c3d4e5f"));
	cr_assert(strstr(d->orphan_warnings.v[0], "one-off"));
	plan_down_free(d);
	o.remove_orphans = true;
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 2, &o, &err), 0);
	cr_assert_eq(d->n_steps, 2);
	cr_assert_eq(d->orphan_warnings.n, 0);
	plan_down_free(d);
	/* Without a compose file every labelled container goes. */
	o.remove_orphans = false;
	o.project = NULL;
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 2, &o, &err), 0);
	cr_assert_eq(d->n_steps, 2);
	plan_down_free(d);
	mu_free(p);
}

Test(planner_converge, down_survives_cyclic_labels)
{
	struct plan_host_container *x;
	struct plan_down *d = NULL;
	struct diag err = {0};

	x = mu_host_ctr(ha, &hosts[0], "demo-a-1", "a", 1, "h", "running");
	x->depends_on = "b:service_started:false";
	x = mu_host_ctr(ha, &hosts[0], "demo-b-1", "b", 1, "h", "running");
	x->depends_on = "a:service_started:false";
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 1, NULL, &err), 0);
	cr_assert_eq(d->n_steps, 2);
	plan_down_free(d);
}

Test(planner_converge, stopped_without_address_keeps_hash)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;

	apply(pl);
	/* A stopped container reports no IPAddress. */
	hosts[0].containers[0].state = "exited";
	hosts[0].containers[0].networks[0].ipv4 = "";
	again = build(p, NULL);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_START, "%s",
		     mu_ctr(again, "demo-web-1")->reason);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, address_that_no_longer_fits_recreates)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;

	apply(pl);
	hosts[0].containers[0].networks[0].ipv4 = "10.99.0.5";
	again = build(p, NULL);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_RECREATE);
	cr_assert_str_eq(mu_ctr(again, "demo-web-1")->reason,
			 "address changed on demo_default: 10.99.0.5 -> "
			 "172.30.0.2");
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, hash_is_sha256_of_the_canonical_text)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL);
	const struct plan_container *c = mu_ctr(pl, "demo-web-1");
	struct sbuf sb = SBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];

	plan_container_canonical(&sb, pl, c);
	cr_assert(strstr(sb.buf, "image=img:web\n"));
	cr_assert(strstr(sb.buf, "net=demo_default\n"));
	cr_assert_null(strstr(sb.buf, "172.30."), "picked addresses stay out");
	sha256_hex(hex, sb.buf, sb.len);
	cr_assert_str_eq(c->config_hash, hex);
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, fifty_chained_services_plan_quickly)
{
	struct compose_project *p = mu_project("big");
	static char names[50][8];
	struct plan *pl = NULL;
	struct diag err = {0};
	struct timespec t0, t1;
	double ms;

	for (int i = 0; i < 50; i++) {
		struct compose_service *s;

		snprintf(names[i], sizeof(names[i]), "s%02d", i);
		s = mu_service(p, names[i]);
		if (i % 2)
			mu_platform(p, s, "windows");
		if (i)
			mu_depends(p, s, names[i - 1], NULL, 100 + i);
	}
	mu_done(p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	cr_assert_eq(pl->n_levels, 50);
	cr_assert_eq(pl->n_hosts_table, 100);
	cr_assert_eq(mu_ctr(pl, "big-s49-1")->n_extra_hosts, 98);
	cr_log_info("planning 50 services took %.2f ms", ms);
	/* About 3 ms here (10 under ASan); the bound leaves room for a busy CI.
	 */
	cr_assert_lt(ms, 150.0, "planning 50 services took %.1f ms", ms);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, down_counts_profiled_services_as_the_projects)
{
	struct compose_project *p = two();
	struct plan_down *d = NULL;
	struct plan_down_options o = {.project = p};
	struct diag err = {0};

	p->disabled = arena_calloc(p->arena, 1, sizeof(*p->disabled));
	p->disabled[0].name = "debug";
	p->n_disabled = 1;
	mu_host_ctr(ha, &hosts[0], "demo-debug-1", "debug", 1, "h", "exited");
	cr_assert_eq(plan_build_down(&d, "demo", hosts, 2, &o, &err), 0);
	cr_assert_eq(d->n_steps, 1);
	cr_assert_eq(d->orphan_warnings.n, 0);
	plan_down_free(d);
	mu_free(p);
}

static struct plan_host_container *existing(const char *name)
{
	for (size_t d = 0; d < 2; d++)
		for (size_t i = 0; i < hosts[d].n_containers; i++)
			if (!strcmp(hosts[d].containers[i].name, name))
				return &hosts[d].containers[i];
	return NULL;
}

Test(planner_converge, broken_container_is_recreated_even_without_recreate)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;
	struct plan_options o = {.no_recreate = true};

	apply(pl);
	existing("demo-web-1")->state = "created";
	existing("demo-web-1")->broken =
		"start failed: task abc: already exists";
	again = build(p, &o);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_RECREATE);
	cr_assert(strstr(mu_ctr(again, "demo-web-1")->reason,
			 "broken: start failed"),
		  "%s", mu_ctr(again, "demo-web-1")->reason);
	cr_assert_eq(mu_ctr(again, "demo-app-1")->action, PLAN_ACT_KEEP);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, stale_entries_recreate_on_linux_rewrite_on_windows)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;
	const struct plan_container *web, *app;

	apply(pl);
	/* Each was created when its peer had another address. */
	existing("demo-web-1")->hosts_label =
		"app=172.30.9.9,demo-app-1=172.30.9.9";
	existing("demo-app-1")->hosts_label =
		"demo-web-1=172.30.8.8,web=172.30.8.8";
	again = build(p, NULL);
	web = mu_ctr(again, "demo-web-1");
	app = mu_ctr(again, "demo-app-1");
	cr_assert_eq(web->action, PLAN_ACT_RECREATE, "%s", web->reason);
	cr_assert(strstr(web->reason, "host entries stale: app 172.30.9.9 -> "),
		  "%s", web->reason);
	cr_assert_eq(app->hosts_mech, PLAN_HOSTS_EXEC);
	cr_assert_eq(app->action, PLAN_ACT_KEEP, "%s", app->reason);
	cr_assert(app->hosts_rewrite);
	cr_assert(strstr(app->reason, "rewritten in place"), "%s", app->reason);
	cr_assert_not(web->hosts_rewrite);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

Test(planner_converge, new_peer_recreates_nobody)
{
	struct compose_project *p = two();
	struct plan *pl = build(p, NULL), *again;

	apply(pl);
	p->services[2] = p->services[1];
	p->services[2].name = "zeta";
	p->n_services = 3;
	again = build(p, NULL);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_KEEP, "%s",
		     mu_ctr(again, "demo-web-1")->reason);
	cr_assert_eq(mu_ctr(again, "demo-app-1")->action, PLAN_ACT_KEEP);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}

/*
 * compose v2: --force-recreate goes to the services named; a dependency
 * that the selection adds is recreated only with --always-recreate-deps.
 */
Test(planner_converge, always_recreate_deps_recreates_the_dependencies)
{
	struct compose_project *p = mu_project("demo");
	const char *web[] = {"web"};
	struct plan_options force = {
		.services = web, .n_services = 1, .force_recreate = true};
	struct plan_options deps = {
		.services = web, .n_services = 1, .always_recreate_deps = true};
	struct plan *pl, *again;

	mu_service(p, "db");
	mu_depends(p, mu_service(p, "web"), "db", "service_started", 20);
	mu_done(p);
	pl = build(p, NULL);
	apply(pl);
	again = build(p, &force);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_RECREATE);
	cr_assert_eq(mu_ctr(again, "demo-db-1")->action, PLAN_ACT_KEEP);
	plan_free(again);
	again = build(p, &deps);
	cr_assert_eq(mu_ctr(again, "demo-web-1")->action, PLAN_ACT_KEEP);
	cr_assert_eq(mu_ctr(again, "demo-db-1")->action, PLAN_ACT_RECREATE);
	cr_assert_str_eq(mu_ctr(again, "demo-db-1")->reason,
			 "--always-recreate-deps");
	plan_free(again);
	deps.no_recreate = true;
	again = build(p, &deps);
	cr_assert_eq(mu_ctr(again, "demo-db-1")->action, PLAN_ACT_KEEP);
	plan_free(again);
	plan_free(pl);
	mu_free(p);
}
