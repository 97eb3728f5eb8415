/*
 * down --rmi (apply/rmi.c): names normalized as the docker CLI shows them,
 * once per daemon, and the selection of compose v2's ImagePruner asked of
 * a fake daemon: built images by the project and service labels (their
 * first tag), the default name only when it exists, image: only with all.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../engine/fake_server.h"
#include "apply/apply.h"
#include "engine/engine.h"
#include "util/arena.h"

static struct arena *a;
static struct fake_server *fs;
static struct engine *eng;

static void setup(void)
{
	a = arena_new();
}

static void teardown(void)
{
	engine_free(eng);
	eng = NULL;
	fake_stop(fs);
	fs = NULL;
	arena_free(a);
}

TestSuite(apply_rmi, .init = setup, .fini = teardown);

static const char *norm(const char *ref)
{
	return apply_image_normalize(a, ref);
}

Test(apply_rmi, normalize_gives_the_familiar_name_with_a_tag)
{
	cr_assert_str_eq(norm("busybox"), "busybox:latest");
	cr_assert_str_eq(norm("docker.io/library/busybox:1.36"),
			 "busybox:1.36");
	cr_assert_str_eq(norm("index.docker.io/library/nginx"), "nginx:latest");
	cr_assert_str_eq(norm("docker.io/org/app"), "org/app:latest");
	cr_assert_str_eq(norm("library/app/x"), "library/app/x:latest");
	cr_assert_str_eq(norm("localhost:5000/app"),
			 "localhost:5000/app:latest");
	cr_assert_str_eq(norm("reg.example:5000/a/b:2"),
			 "reg.example:5000/a/b:2");
	cr_assert_str_eq(norm("local/busybox:lab"), "local/busybox:lab");
	cr_assert_str_eq(norm("proj-web"), "proj-web:latest");
	cr_assert_str_eq(norm("x@sha256:abcd"), "x@sha256:abcd");
	cr_assert_str_eq(norm("docker.io/library/x:1@sha256:ab"),
			 "x:1@sha256:ab");
	/* Upper case does not parse: compose v2 keeps it as written. */
	cr_assert_str_eq(norm("Proj-Web"), "Proj-Web");
}

Test(apply_rmi, dedupe_is_per_daemon_after_normalizing)
{
	struct apply_rmi_image v[] = {
		{"busybox", 0},	       {"docker.io/library/busybox:latest", 0},
		{"busybox:latest", 1}, {"p-web", 0},
		{"p-web:latest", 0},
	};
	size_t n = apply_rmi_dedupe(v, 5, a);

	cr_assert_eq(n, 3);
	cr_assert_str_eq(v[0].ref, "busybox:latest");
	cr_assert_eq(v[0].host, 0);
	cr_assert_str_eq(v[1].ref, "busybox:latest");
	cr_assert_eq(v[1].host, 1);
	cr_assert_str_eq(v[2].ref, "p-web:latest");
	cr_assert_eq(v[2].host, 0);
}

/*
 * A daemon with one labelled image (its first tag "proj-web:latest",
 * listed for any label filter) and image "ext:1"; every other image is
 * a 404, as a missing one is.
 */
static const struct fake_route routes[] = {
	{.path = "/_ping", .fixture = "ping.http"},
	{.path = "/images/json", .body = "[{\"Id\":\"sha256:aaa\"}]"},
	{.path = "/images/sha256:aaa/json",
	 .body = "{\"Id\":\"sha256:aaa\",\"RepoTags\":[\"proj-web:latest\","
		 "\"proj-web:custom\"]}"},
	{.path = "/images/ext:1/json",
	 .body = "{\"Id\":\"sha256:bbb\",\"RepoTags\":[\"ext:1\"]}"},
	{.path = "/images/", .fixture = "inspect_404.http"},
};

static const struct apply_rmi_service svcs[] = {
	{"web", NULL, 0},
	{"db", "ext:1", 0},
	{"gone", "docker.io/library/missing", 0},
};

static size_t select_on_fake(struct apply_rmi_image **out, bool all)
{
	struct engine_config cfg = {.name = "fake"};
	struct apply_rmi_opts o = {.all = all};
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};
	size_t n;

	fs = fake_start(routes, sizeof(routes) / sizeof(routes[0]));
	cfg.url = fake_url(fs);
	cr_assert_eq(engine_new(&eng, &cfg, &err), 0, "%s", err.msg);
	n = apply_rmi_select(out, a, "proj", svcs, 3, &eng, 1, &o, &dl);
	cr_assert_eq(dl.nr, 0);
	diag_list_release(&dl);
	return n;
}

Test(apply_rmi, local_takes_the_labelled_images_by_their_first_tag)
{
	struct apply_rmi_image *v;
	size_t n = select_on_fake(&v, false);

	/* Listed for each of the three services: once. */
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].ref, "proj-web:latest");
	cr_assert_eq(v[0].host, 0);
}

Test(apply_rmi, all_adds_the_image_keys_that_exist)
{
	struct apply_rmi_image *v;
	size_t n = select_on_fake(&v, true);

	cr_assert_eq(n, 2, "%zu: %s", n, n ? v[0].ref : "");
	cr_assert_str_eq(v[0].ref, "ext:1");
	cr_assert_str_eq(v[1].ref, "proj-web:latest");
}

Test(apply_rmi, a_daemon_without_engine_is_not_asked)
{
	struct apply_rmi_opts o = {.all = true, .orphans = true};
	struct diag_list dl = DIAG_LIST_INIT;
	struct engine *none[1] = {NULL};
	struct apply_rmi_image *v;

	cr_assert_eq(apply_rmi_select(&v, a, "proj", svcs, 3, none, 1, &o, &dl),
		     0);
	cr_assert_eq(dl.nr, 0);
}
