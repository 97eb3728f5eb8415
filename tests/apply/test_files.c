/*
 * Secrets and configs from an environment variable or inline content
 * (tests/fixtures/integration/secrets): one FILES_PUT job per container
 * before its start, with compose v2's targets, modes and owners; the
 * value in the config hash; and what compose v2 refuses at up.  Then the
 * post_start and pre_stop hooks as exec jobs around the start and the stop.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "apply_test.h"
#include "engine/engine.h"
#include "planner/planner.h"

#define SECRETS TEST_FIXTURES_DIR "/integration/secrets/compose.yaml"

static struct compose_project *proj;
static const struct plan_host hosts[] = {
	{.name = "linux",
	 .os = "linux",
	 .arch = "amd64",
	 .api_major = 1,
	 .api_minor = 44},
	{.name = "windows",
	 .os = "windows",
	 .arch = "amd64",
	 .api_major = 1,
	 .api_minor = 44},
};

static void load_from(const char *file)
{
	proj = apply_test_load(file);
}

static void load(void)
{
	load_from(SECRETS);
}

static void unload(void)
{
	compose_project_free(proj);
	proj = NULL;
}

TestSuite(apply_files, .init = load, .fini = unload);

static struct plan *plan_of(void)
{
	struct plan *p = NULL;
	struct diag err = {0};

	cr_assert_eq(plan_build(&p, proj, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	return p;
}

static const struct engine_job *job_of(const struct apply_jobs *J,
				       enum engine_job_kind kind,
				       const char *title_part)
{
	for (size_t i = 0; i < J->n; i++)
		if (J->v[i].kind == kind &&
		    (!title_part ||
		     (J->v[i].title && strstr(J->v[i].title, title_part))))
			return &J->v[i];
	return NULL;
}

Test(apply_files, copied_in_before_the_start_at_compose_v2s_targets)
{
	static char token;
	struct engine *engines[2] = {(struct engine *)&token,
				     (struct engine *)&token};
	struct plan *p = plan_of();
	struct apply_jobs J;
	struct diag err = {0};
	const struct engine_job *put, *start = NULL;
	size_t put_i;

	apply_jobs_init(&J);
	cr_assert_eq(apply_up(&J, p, engines, NULL, &err), 0, "%s", err.msg);
	put = job_of(&J, ENGINE_JOB_FILES_PUT, "-app-1 (linux)");
	cr_assert_not_null(put);
	put_i = (size_t)(put - J.v);
	cr_assert_eq(put->n_files, 4);
	cr_assert(put->file_owners, "uid and gid set: copyUIDGID");
	cr_assert_str_eq(put->files[0].path, "/run/secrets/tok");
	cr_assert_str_eq(put->files[0].data, "tok-1");
	cr_assert_eq(put->files[0].mode, 0400);
	cr_assert_eq(put->files[0].uid, 1000);
	cr_assert_eq(put->files[0].gid, 1001);
	cr_assert_str_eq(put->files[1].path, "/run/secrets/token");
	cr_assert_eq(put->files[1].mode, 0444, "compose v2's default");
	cr_assert_eq(put->files[1].uid, 0);
	cr_assert_str_eq(put->files[2].path, "/etc/app/app.conf");
	cr_assert_eq(put->files[2].mode, 0640);
	cr_assert_str_eq(put->files[2].data, "listen=8080\ncost=$5\n");
	cr_assert_str_eq(put->files[3].path, "/conf");
	/* The other daemon's container: the config at /conf.txt, no owner. */
	put = job_of(&J, ENGINE_JOB_FILES_PUT, "-other-1 (windows)");
	cr_assert_not_null(put);
	cr_assert_eq(put->n_files, 1);
	cr_assert_str_eq(put->files[0].path, "/conf.txt");
	cr_assert_not(put->file_owners);
	/* The app's start waits for its files. */
	for (size_t i = 0; i < J.n; i++)
		if (J.v[i].kind == ENGINE_JOB_CONTAINER_START &&
		    J.v[i].container.job != ENGINE_JOB_NONE &&
		    strstr(J.v[J.v[i].container.job].name, "-app-1"))
			start = &J.v[i];
	cr_assert_not_null(start);
	{
		bool waits = false;

		for (size_t k = 0; k < start->n_deps; k++)
			waits = waits || start->deps[k] == put_i;
		cr_assert(waits, "start depends on the copy");
	}
	apply_jobs_release(&J);
	plan_free(p);
}

static struct compose_fileobj *secret(void)
{
	return (struct compose_fileobj *)compose_fileobj_find(proj, false,
							      "token");
}

Test(apply_files, the_value_is_in_the_config_hash)
{
	struct plan *p = plan_of();
	char *h1 = strdup(p->containers[0].config_hash);

	plan_free(p);
	secret()->value = "tok-2";
	p = plan_of();
	cr_assert_str_neq(p->containers[0].config_hash, h1);
	plan_free(p);
	free(h1);
}

Test(apply_files, an_unset_variable_and_a_read_only_service_are_refused)
{
	struct plan *p = plan_of();
	struct diag err = {0};
	struct compose_service *app =
		(struct compose_service *)compose_service_find(proj, "app");

	cr_assert_eq(apply_check(p, &err), 0, "%s", err.msg);
	app->read_only = true;
	cr_assert_eq(apply_check(p, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "services.app.secrets[0]: secret 'token' "
				  "cannot be written into a read_only"),
		  "%s", err.msg);
	cr_assert_eq(err.loc.line, 8);
	app->read_only = false;
	secret()->value = NULL;
	cr_assert_eq(apply_check(p, &err), DIAG_EPLAN);
	cr_assert(strstr(err.msg, "the environment variable 'DB_TOKEN', "
				  "which is not set"),
		  "%s", err.msg);
	plan_free(p);
}

/* ---- post_start and pre_stop (tests/fixtures/integration/hooks) ------- */

#define HOOKS TEST_FIXTURES_DIR "/integration/hooks/compose.yaml"

static void load_hooks(void)
{
	load_from(HOOKS);
}

TestSuite(apply_hooks, .init = load_hooks, .fini = unload);

static bool depends_on(const struct engine_job *j, size_t k)
{
	for (size_t i = 0; i < j->n_deps; i++)
		if (j->deps[i] == k)
			return true;
	return false;
}

Test(apply_hooks, post_start_execs_follow_the_start_and_hold_dependents)
{
	static char token;
	struct engine *engines[2] = {(struct engine *)&token,
				     (struct engine *)&token};
	struct plan *p = plan_of();
	struct apply_jobs J;
	struct diag err = {0};
	size_t start = SIZE_MAX, h1 = SIZE_MAX, h2 = SIZE_MAX,
	       dep_start = SIZE_MAX;

	apply_jobs_init(&J);
	cr_assert_eq(apply_up(&J, p, engines, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_jobs_check(J.v, J.n, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < J.n; i++) {
		const struct engine_job *j = &J.v[i];
		const char *name = j->container.job != ENGINE_JOB_NONE
					   ? J.v[j->container.job].name
					   : "";

		if (j->kind == ENGINE_JOB_CONTAINER_START)
			*(strstr(name, "-app-1") ? &start : &dep_start) = i;
		if (j->kind == ENGINE_JOB_EXEC && j->title &&
		    strstr(j->title, "service app: post_start hook"))
			*(h1 == SIZE_MAX ? &h1 : &h2) = i;
	}
	cr_assert(start != SIZE_MAX && h1 != SIZE_MAX && h2 != SIZE_MAX);
	cr_assert(depends_on(&J.v[h1], start));
	cr_assert(depends_on(&J.v[h2], h1), "the hooks one after the other");
	cr_assert(depends_on(&J.v[dep_start], h2),
		  "the dependent starts after app's hooks");
	cr_assert_str_eq(J.v[h1].exec_spec->argv.v[0], "chmod");
	cr_assert_str_eq(J.v[h2].exec_spec->argv.v[0], "sh");
	cr_assert_str_eq(J.v[h2].exec_spec->user, "1000");
	cr_assert_str_eq(J.v[h2].exec_spec->working_dir, "/tmp");
	cr_assert_eq(J.v[h2].exec_spec->env.n, 1);
	cr_assert_str_eq(J.v[h2].exec_spec->env.v[0], "GREETING=hello");
	cr_assert_not(J.v[h2].exec_spec->privileged);
	cr_assert(strstr(J.v[h2].title, "-app-1 (linux)"), "%s", J.v[h2].title);
	apply_jobs_release(&J);
	plan_free(p);
}

Test(apply_hooks, pre_stop_runs_before_down_removes_a_running_container)
{
	static char token;
	struct engine *engines[1] = {(struct engine *)&token};
	struct plan_host h = hosts[0];
	struct plan_down_step steps[] = {
		{PLAN_DOWN_CONTAINER, 0, "id1", "p-app-1", "app", true, 0},
		{PLAN_DOWN_CONTAINER, 0, "id2", "p-app-2", "app", false, 0},
	};
	struct plan_down d = {.hosts = &h,
			      .n_hosts = 1,
			      .steps = steps,
			      .n_steps = 2,
			      .n_waves = 1};
	struct apply_down_opts o = {.timeout_s = 1, .project = proj};
	struct apply_jobs J;
	struct diag err = {0};
	size_t hook = SIZE_MAX, rm = SIZE_MAX, n_exec = 0;

	apply_jobs_init(&J);
	apply_down(&J, &d, engines, &o);
	cr_assert_eq(engine_jobs_check(J.v, J.n, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < J.n; i++) {
		n_exec += J.v[i].kind == ENGINE_JOB_EXEC;
		if (J.v[i].kind == ENGINE_JOB_EXEC)
			hook = i;
		if (J.v[i].kind == ENGINE_JOB_CONTAINER_REMOVE &&
		    !strcmp(J.v[i].container.id, "id1"))
			rm = i;
	}
	cr_assert_eq(n_exec, 1, "only the running container's hook");
	cr_assert_str_eq(J.v[hook].container.id, "id1");
	cr_assert(strstr(J.v[hook].title, "service app: pre_stop hook"));
	cr_assert(depends_on(&J.v[rm], hook));
	cr_assert(J.v[rm].soft_deps, "removed even after a failed hook");
	apply_jobs_release(&J);
	/* Without the project (no file), no hook. */
	o.project = NULL;
	apply_jobs_init(&J);
	apply_down(&J, &d, engines, &o);
	for (size_t i = 0; i < J.n; i++)
		cr_assert_neq(J.v[i].kind, ENGINE_JOB_EXEC);
	apply_jobs_release(&J);
}
