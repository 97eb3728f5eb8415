/*
 * up -V (--renew-anon-volumes) against compose v2's default, which gives a
 * recreated container the anonymous volumes of the one it replaces; and
 * the one-off's --cap-add, --cap-drop and --use-aliases.  From the plan to
 * the create spec, without a daemon (the engines are only tokens).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "apply/apply.h"
#include "apply_test.h"
#include "engine/engine.h"
#include "planner/planner.h"

#define FIXTURE TEST_FIXTURES_DIR "/apply/flags.yaml"

#define ANON_DATA                                                              \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ANON_IMAGE                                                             \
	"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct compose_project *proj;
static struct plan *plan;
static struct apply_jobs J;
static char token;
static struct engine *engines[1] = {(struct engine *)&token};
static struct plan_host host = {.name = "linux",
				.os = "linux",
				.arch = "amd64",
				.api_major = 1,
				.api_minor = 41};
static struct plan_host_container old;
static const struct plan_host_mount old_mounts[] = {
	{ANON_DATA, "/data"},
	{"flagsproj_named", "/named"},
	{ANON_IMAGE, "/var/lib/image-volume"},
};

static void load(void)
{
	proj = apply_test_load(FIXTURE);
	apply_jobs_init(&J);
}

static void unload(void)
{
	apply_jobs_release(&J);
	plan_free(plan);
	plan = NULL;
	compose_project_free(proj);
	host.containers = NULL;
	host.n_containers = 0;
}

TestSuite(apply_flags, .init = load, .fini = unload);

static void make_plan(const struct plan_options *po)
{
	struct diag err = {0};

	cr_assert_eq(plan_build(&plan, proj, &host, 1, po, &err), 0, "%s",
		     err.msg);
}

/* The only job of 'kind' whose title contains 'what'. */
static const struct engine_job *find(enum engine_job_kind kind,
				     const char *what)
{
	const struct engine_job *found = NULL;

	for (size_t i = 0; i < J.n; i++) {
		if (J.v[i].kind != kind || !J.v[i].title ||
		    !strstr(J.v[i].title, what))
			continue;
		cr_assert_null(found, "two jobs for '%s'", what);
		found = &J.v[i];
	}
	cr_assert_not_null(found, "no job for '%s'", what);
	return found;
}

static const struct engine_mount *mount_at(const struct engine_job *j,
					   const char *target)
{
	const struct engine_container_spec *sp = j->container_spec;

	for (size_t i = 0; i < sp->n_mounts; i++)
		if (!strcmp(sp->mounts[i].target, target))
			return &sp->mounts[i];
	return NULL;
}

/* db-1 exists with an old config hash: up recreates it. */
static const struct engine_job *recreate(bool renew)
{
	struct apply_up_opts ao = {.timeout_s = -1,
				   .renew_anon_volumes = renew};
	struct diag err = {0};

	old = (struct plan_host_container){.id = "old-db",
					   .name = "flagsproj-db-1",
					   .service = "db",
					   .number = 1,
					   .config_hash = "0000",
					   .state = "running",
					   .label_project = "flagsproj",
					   .volume_mounts = old_mounts,
					   .n_volume_mounts = 3};
	host.containers = &old;
	host.n_containers = 1;
	make_plan(NULL);
	cr_assert_eq(plan->containers[0].action, PLAN_ACT_RECREATE);
	cr_assert_eq(apply_up(&J, plan, engines, &ao, &err), 0, "%s", err.msg);
	return find(ENGINE_JOB_CONTAINER_CREATE, "flagsproj-db-1");
}

Test(apply_flags, recreate_takes_over_the_anonymous_volumes)
{
	const struct engine_job *c = recreate(false);
	const struct engine_mount *m;

	m = mount_at(c, "/data");
	cr_assert_not_null(m);
	cr_assert_str_eq(m->source, ANON_DATA, "the old anonymous volume");
	m = mount_at(c, "/named");
	cr_assert_str_eq(m->source, "flagsproj_named", "a named one stays");
	/* The image's VOLUME: the daemon's anonymous one goes along too. */
	m = mount_at(c, "/var/lib/image-volume");
	cr_assert_not_null(m);
	cr_assert_eq(m->type, ENGINE_MOUNT_VOLUME);
	cr_assert_str_eq(m->source, ANON_IMAGE);
}

Test(apply_flags, renew_anon_volumes_gives_new_ones)
{
	const struct engine_job *c = recreate(true);

	cr_assert_not_null(mount_at(c, "/data"));
	cr_assert_null(mount_at(c, "/data")->source, "a new anonymous one");
	cr_assert_str_eq(mount_at(c, "/named")->source, "flagsproj_named");
	cr_assert_null(mount_at(c, "/var/lib/image-volume"));
}

static bool strv_has(const struct engine_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

/* The one-off's create spec, with 'o' over the defaults of `run db`. */
static const struct engine_container_spec *oneoff(struct apply_oneoff *o)
{
	struct diag err = {0};
	size_t job = 0;

	o->name = "flagsproj-db-run-0123456789ab";
	o->slug = ANON_DATA;
	make_plan(NULL);
	cr_assert_eq(apply_run(&J, plan, engines, 0, o, &job, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(J.v[job].name, o->name);
	return J.v[job].container_spec;
}

Test(apply_flags, run_cap_add_and_drop_merge_as_compose_v2)
{
	const char *add[] = {"MKNOD", "SYS_ADMIN"};
	const char *drop[] = {"NET_ADMIN"};
	struct apply_oneoff o = {.cap_add = add,
				 .n_cap_add = 2,
				 .cap_drop = drop,
				 .n_cap_drop = 1};
	const struct engine_container_spec *sp = oneoff(&o);

	/* MKNOD leaves cap_drop for cap_add; NET_ADMIN the other way. */
	cr_assert_eq(sp->cap_add.n, 2);
	cr_assert(strv_has(&sp->cap_add, "MKNOD"));
	cr_assert(strv_has(&sp->cap_add, "SYS_ADMIN"));
	cr_assert_eq(sp->cap_drop.n, 1);
	cr_assert(strv_has(&sp->cap_drop, "NET_ADMIN"));
}

Test(apply_flags, run_keeps_the_service_caps_without_flags)
{
	struct apply_oneoff o = {0};
	const struct engine_container_spec *sp = oneoff(&o);

	cr_assert_eq(sp->cap_add.n, 1);
	cr_assert(strv_has(&sp->cap_add, "NET_ADMIN"));
	cr_assert_eq(sp->cap_drop.n, 1);
	cr_assert(strv_has(&sp->cap_drop, "MKNOD"));
	cr_assert_eq(sp->endpoints[0].aliases.n, 0, "no alias by default");
}

Test(apply_flags, run_use_aliases_gives_the_service_aliases)
{
	struct apply_oneoff o = {.use_aliases = true};
	const struct engine_container_spec *sp = oneoff(&o);

	cr_assert_eq(sp->n_endpoints, 1);
	cr_assert(strv_has(&sp->endpoints[0].aliases, "db"));
	cr_assert(strv_has(&sp->endpoints[0].aliases, "database"));
	cr_assert_eq(sp->endpoints[0].aliases.n, 2);
}
