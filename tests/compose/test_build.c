/* build: short and long syntax, the default image name, platforms. */
#include "load_helpers.h"

static struct lt t;

static void setup(void)
{
	lt_init(&t);
}

static void teardown(void)
{
	lt_done(&t);
}

TestSuite(compose_build, .init = setup, .fini = teardown);

Test(compose_build, long_syntax_every_key)
{
	const struct compose_build *b;
	char want[256];

	lt_env(&t, "FROM_ENV=yes");
	lt_ok(&t, "name: proj\n"
		  "services:\n  app:\n    build:\n"
		  "      context: ./src\n"
		  "      dockerfile: Dockerfile.win\n"
		  "      args: [A=1, FROM_ENV, NOT_SET]\n"
		  "      target: final\n"
		  "      labels: [tier=web]\n"
		  "      network: host\n"
		  "      shm_size: 64m\n"
		  "      extra_hosts: [\"db:10.0.0.5\", \"cache=10.0.0.6\"]\n"
		  "      no_cache: true\n"
		  "      pull: true\n"
		  "      cache_from: [app:cache]\n"
		  "      tags: [app:extra]\n"
		  "      platforms: [linux/amd64]\n");
	b = lt_svc(&t, "app")->build;
	cr_assert_not_null(b);
	snprintf(want, sizeof(want), "%s/src", t.dir);
	cr_assert_str_eq(b->context, want);
	cr_assert_not(b->remote);
	cr_assert_str_eq(b->dockerfile, "Dockerfile.win");
	cr_assert_str_eq(lt_kv(b->args, b->n_args, "A")->value, "1");
	cr_assert_str_eq(lt_kv(b->args, b->n_args, "FROM_ENV")->value, "yes");
	cr_assert_null(lt_kv(b->args, b->n_args, "NOT_SET")->value);
	cr_assert_str_eq(b->target, "final");
	cr_assert_str_eq(lt_kv(b->labels, b->n_labels, "tier")->value, "web");
	cr_assert_str_eq(b->network, "host");
	cr_assert_eq(b->shm_size, 64LL * 1024 * 1024);
	cr_assert_str_eq(lt_kv(b->extra_hosts, b->n_extra_hosts, "db")->value,
			 "10.0.0.5");
	cr_assert_str_eq(
		lt_kv(b->extra_hosts, b->n_extra_hosts, "cache")->value,
		"10.0.0.6");
	cr_assert(b->no_cache);
	cr_assert(b->pull);
	cr_assert_eq(b->cache_from.n, 1);
	cr_assert_str_eq(b->tags.v[0], "app:extra");
	cr_assert_str_eq(b->platforms.v[0], "linux/amd64");
	/* No image: compose v2 names it <project>-<service>. */
	cr_assert_str_eq(b->image, "proj-app");
}

Test(compose_build, image_names_the_build)
{
	lt_ok(&t, "name: proj\nservices:\n  app:\n    image: me/app:1\n"
		  "    build: .\n");
	cr_assert_str_eq(lt_svc(&t, "app")->build->image, "me/app:1");
	cr_assert_str_eq(lt_svc(&t, "app")->build->context, t.dir);
	cr_assert_eq(lt_svc(&t, "app")->build->shm_size, -1);
}

Test(compose_build, inline_dockerfile_has_no_default_name)
{
	const struct compose_build *b;

	lt_ok(&t, "services:\n  app:\n    build:\n"
		  "      dockerfile_inline: |\n        FROM scratch\n");
	b = lt_svc(&t, "app")->build;
	cr_assert_null(b->dockerfile);
	cr_assert_str_eq(b->dockerfile_inline, "FROM scratch\n");
}

Test(compose_build, dockerfile_and_inline_exclusive)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  app:\n    build:\n      dockerfile: D\n"
		 "      dockerfile_inline: FROM scratch\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	lt_expect(&t, "mutually exclusive", 5, 26);
}

Test(compose_build, platform_must_be_in_build_platforms)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  app:\n    platform: windows/amd64\n"
		 "    build:\n      platforms: [linux/amd64]\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	lt_expect(&t, "must include the service's platform", 5, 18);
}

Test(compose_build, several_platforms_need_a_service_platform)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  app:\n"
		 "    build:\n      platforms: [linux/amd64, linux/arm64]\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	lt_expect(&t, "one platform", 4, 18);
}

Test(compose_build, service_platform_picks_one_of_several)
{
	lt_ok(&t, "services:\n  app:\n    platform: linux/arm64\n"
		  "    build:\n      platforms: [linux/amd64, linux/arm64]\n");
	cr_assert_eq(lt_svc(&t, "app")->build->platforms.n, 2);
}

Test(compose_build, bad_shm_size)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  app:\n    build:\n      shm_size: lots\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	lt_expect(&t, "build.shm_size", 4, 17);
}

Test(compose_build, config_output_has_absolute_context)
{
	char *json;
	char want[256];

	lt_ok(&t, "services:\n  app:\n    build: ./src\n");
	json = lt_json(&t);
	snprintf(want, sizeof(want), "\"context\": \"%s/src\"", t.dir);
	cr_assert(strstr(json, want), "%s", json);
	cr_assert(strstr(json, "\"dockerfile\": \"Dockerfile\""), "%s", json);
	free(json);
}

Test(compose_build, config_output_is_normalized)
{
	char *json;

	lt_ok(&t, "services:\n  app:\n    build:\n"
		  "      labels: [tier=web]\n      shm_size: 1k\n"
		  "      extra_hosts: [\"db:10.0.0.5\"]\n"
		  "      ssh: [default]\n");
	json = lt_json(&t);
	cr_assert(strstr(json, "\"labels\": {\n"), "%s", json);
	cr_assert(strstr(json, "\"tier\": \"web\""), "%s", json);
	cr_assert(strstr(json, "\"shm_size\": \"1024\""), "%s", json);
	cr_assert(strstr(json, "\"db=10.0.0.5\""), "%s", json);
	/* Keys mixcompose ignores are kept as written. */
	cr_assert(strstr(json, "\"ssh\": ["), "%s", json);
	free(json);
}
