/*
 * Secrets and configs from an environment variable or inline content
 * (tests/fixtures/integration/secrets): one FILES_PUT job per container
 * before its start, with compose v2's targets, modes and owners; the
 * value in the config hash; and what compose v2 refuses at up.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "engine/engine.h"
#include "planner/planner.h"

#define SECRETS TEST_FIXTURES_DIR "/integration/secrets/compose.yaml"

static struct compose_project *proj;
static const struct plan_host hosts[] = {
	{.name = "linux", .os = "linux", .arch = "amd64", .api_major = 1,
	 .api_minor = 44},
	{.name = "windows", .os = "windows", .arch = "amd64", .api_major = 1,
	 .api_minor = 44},
};

static void load(void)
{
	const char *files[] = {SECRETS};
	struct compose_options o = {.files = files, .n_files = 1};
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};

	cr_assert_eq(compose_project_load(&proj, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(compose_project_normalize(proj, &dl), 0, "%s",
		     dl.nr ? dl.items[0].d.msg : "");
	diag_list_release(&dl);
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
