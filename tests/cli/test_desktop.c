/* Docker Desktop with no daemon map: the plan's address-mode defaults. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/sha256.h"

static char dir[64];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void context(const char *name, const char *host)
{
	char hex[SHA256_HEX_LEN + 1], path[512], json[512];

	sha256_hex(hex, name, strlen(name));
	snprintf(path, sizeof(path), "%s/contexts", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/contexts/meta", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/contexts/meta/%s", dir, hex);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "contexts/meta/%s/meta.json", hex);
	snprintf(json, sizeof(json),
		 "{\"Name\":\"%s\",\"Metadata\":{},\"Endpoints\":{\"docker\":"
		 "{\"Host\":\"%s\"}}}",
		 name, host);
	put(path, json);
}

static void setup(void)
{
	char hosts[600];

	snprintf(dir, sizeof(dir), "/tmp/mixdesk.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	context("desktop-linux", "npipe:////./pipe/dockerDesktopLinuxEngine");
	context("desktop-windows",
		"npipe:////./pipe/dockerDesktopWindowsEngine");
	/* As Docker Desktop writes it into the host's hosts file. */
	put("hosts", "127.0.0.1 localhost\n"
		     "# Added by Docker Desktop\n"
		     "192.168.1.23 host.docker.internal\n"
		     "192.168.1.23 gateway.docker.internal\n"
		     "# End of section\n");
	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	setenv("MIXCOMPOSE_HOST_HOSTS_FILE", hosts, 1);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static struct engine_registry *registry(const char *const *flags, size_t n)
{
	char *env[] = {NULL};
	struct engine_registry_opts o = {.flags = flags,
					 .n_flags = n,
					 .environ_ = env,
					 .docker_config = dir};
	struct engine_registry *r = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	return r;
}

TestSuite(cli_desktop, .init = setup, .fini = teardown);

Test(cli_desktop, host_mode_with_the_address_docker_desktop_wrote)
{
	struct engine_registry *r = registry(NULL, 0);
	struct compose_project p = {0};
	struct plan_options o = {0};
	struct arena *a = arena_new();

	cli_plan_desktop_defaults(&o, a, &p, r);
	cr_assert_eq(o.address_mode, PLAN_ADDR_HOST);
	cr_assert_str_eq(o.host_address, "192.168.1.23");
	engine_registry_free(r);
	arena_free(a);
}

Test(cli_desktop, the_file_says_otherwise)
{
	struct engine_registry *r = registry(NULL, 0);
	struct compose_project p = {0};
	struct plan_options o = {0};
	struct arena *a = arena_new();

	p.mix.address_mode = "container";
	cli_plan_desktop_defaults(&o, a, &p, r);
	cr_assert_eq(o.address_mode, PLAN_ADDR_DEFAULT);
	cr_assert_null(o.host_address);
	p.mix.address_mode = NULL;
	p.mix.host_address = "10.0.0.5";
	cli_plan_desktop_defaults(&o, a, &p, r);
	cr_assert_eq(o.address_mode, PLAN_ADDR_HOST);
	cr_assert_null(o.host_address, "the file's address stays in charge");
	engine_registry_free(r);
	arena_free(a);
}

Test(cli_desktop, no_entry_in_the_hosts_file_leaves_it_unset)
{
	struct engine_registry *r = registry(NULL, 0);
	struct compose_project p = {0};
	struct plan_options o = {0};
	struct arena *a = arena_new();

	put("hosts", "127.0.0.1 localhost\n# 10.9.9.9 host.docker.internal\n");
	cli_plan_desktop_defaults(&o, a, &p, r);
	cr_assert_eq(o.address_mode, PLAN_ADDR_HOST);
	cr_assert_null(o.host_address);
	engine_registry_free(r);
	arena_free(a);
}

Test(cli_desktop, another_map_keeps_the_file_default)
{
	const char *flags[] = {"linux=unix:///l.sock"};
	struct engine_registry *r = registry(flags, 1);
	struct compose_project p = {0};
	struct plan_options o = {0};
	struct arena *a = arena_new();

	cli_plan_desktop_defaults(&o, a, &p, r);
	cr_assert_eq(o.address_mode, PLAN_ADDR_DEFAULT);
	cr_assert_null(o.host_address);
	engine_registry_free(r);
	arena_free(a);
}
