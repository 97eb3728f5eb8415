/*
 * The probe asks each daemon only what the caller needs: /_ping alone,
 * /info for the arch only when the cache of daemon facts does not know
 * the daemon's fingerprint, and every check kept (wrong OS refused, a
 * stopped daemon named, the API negotiated from the ping).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fake_server.h"

static char tmp[64];
static char cache_env[128];

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/mixprobe.XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(cache_env, sizeof(cache_env), "MIXCOMPOSE_CACHE_DIR=%s/c",
		 tmp);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(engine_probe, .init = setup, .fini = teardown);

#define BUILTIN_A                                                              \
	"[{\"Name\":\"bridge\",\"Id\":\"b1\"},{\"Name\":\"host\",\"Id\":"      \
	"\"h1\"}]"
#define BUILTIN_B                                                              \
	"[{\"Name\":\"bridge\",\"Id\":\"b2\"},{\"Name\":\"host\",\"Id\":"      \
	"\"h1\"}]"

/* Routes: 0 ping, 1 the builtin networks, 2 /info. */
static struct fake_route routes[3];

static void routes_init(const char *ping, const char *nets)
{
	routes[0] = (struct fake_route){.path = "/_ping", .fixture = ping};
	routes[1] = (struct fake_route){
		.path = "/networks", .body = nets, .body_len = strlen(nets)};
	routes[2] =
		(struct fake_route){.path = "/info", .fixture = "info.http"};
}

static struct engine_registry *reg_for(const char *url, const char *opts)
{
	char flag[300];
	const char *flags[] = {flag};
	/* The registry borrows its environment for as long as it lives. */
	static char *env[] = {cache_env, NULL};
	struct engine_registry_opts o = {
		.flags = flags, .n_flags = 1, .environ_ = env};
	struct engine_registry *r = NULL;
	struct diag err = {0};

	snprintf(flag, sizeof(flag), "d=%s%s", url, opts);
	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	return r;
}

/*
 * A fake daemon behind one fixed path, tmp/d.sock (a symlink), so that
 * another daemon can take the place of the first at the same endpoint.
 */
static struct fake_server *serve(const char *ping, const char *nets)
{
	struct fake_server *fs;
	char link[128];

	routes_init(ping, nets);
	fs = fake_start(routes, 3);
	snprintf(link, sizeof(link), "%s/d.sock", tmp);
	unlink(link);
	cr_assert_eq(symlink(fake_url(fs) + strlen("unix://"), link), 0);
	return fs;
}

/* Probes a fresh registry; returns how many requests the daemon got. */
static int probe(struct fake_server *fs, unsigned need, const char **arch)
{
	char url[128];
	struct engine_registry *r;

	int before = fake_requests(fs);
	struct engine_daemon *d;
	static char got[32];

	snprintf(url, sizeof(url), "unix://%s/d.sock", tmp);
	r = reg_for(url, ",os=linux");

	cr_assert_eq(engine_registry_probe_for(r, need), 0);
	d = engine_registry_find(r, "d");
	cr_assert(d->reachable);
	cr_assert_null(d->error, "%s", d->error);
	snprintf(got, sizeof(got), "%s", d->arch ? d->arch : "");
	*arch = got;
	engine_registry_free(r);
	return fake_requests(fs) - before;
}

Test(engine_probe, ping_alone_gives_os_version_and_api)
{
	struct fake_server *fs;
	struct engine_registry *r;
	struct engine_daemon *d;

	routes_init("ping.http", BUILTIN_A);
	fs = fake_start(routes, 3);
	r = reg_for(fake_url(fs), ",os=linux");
	cr_assert_eq(engine_registry_probe_for(r, 0), 0);
	cr_assert_eq(fake_requests(fs), 1, "only /_ping");
	d = engine_registry_find(r, "d");
	cr_assert(d->reachable);
	cr_assert_str_eq(d->os, "linux");
	cr_assert_str_eq(d->server_version, "20.10.24+dfsg1");
	cr_assert_str_eq(d->api_version, "1.41");
	cr_assert_null(d->arch);
	engine_registry_free(r);
	fake_stop(fs);
}

Test(engine_probe, a_newer_api_is_negotiated_down_from_the_ping)
{
	struct fake_server *fs;
	struct engine_registry *r;
	struct engine_daemon *d;

	routes_init("ping_new.http", BUILTIN_A);
	fs = fake_start(routes, 3);
	r = reg_for(fake_url(fs), "");
	engine_registry_probe_for(r, 0);
	d = engine_registry_find(r, "d");
	cr_assert_str_eq(d->api_version, ENGINE_API_MAX);
	cr_assert_str_eq(d->server_version, "29.0.1");
	engine_registry_free(r);
	fake_stop(fs);
}

Test(engine_probe, wrong_os_is_refused_from_the_ping_alone)
{
	struct fake_server *fs;
	struct engine_registry *r;
	struct engine_daemon *d;

	routes_init("ping.http", BUILTIN_A);
	fs = fake_start(routes, 3);
	r = reg_for(fake_url(fs), ",os=windows");
	engine_registry_probe_for(r, 0);
	d = engine_registry_find(r, "d");
	cr_assert_not_null(d->error);
	cr_assert(strstr(d->error, "declared os 'windows' but reports 'linux'"),
		  "%s", d->error);
	engine_registry_free(r);
	fake_stop(fs);
}

Test(engine_probe, stopped_daemon_is_named)
{
	struct engine_registry *r =
		reg_for("unix:///tmp/mixcompose-probe-none.sock", "");
	struct engine_daemon *d;

	engine_registry_probe_for(r, ENGINE_PROBE_ARCH);
	d = engine_registry_find(r, "d");
	cr_assert(d->probed);
	cr_assert_not(d->reachable);
	cr_assert(strstr(d->error, "daemon 'd'"), "%s", d->error);
	cr_assert(strstr(d->error, "cannot connect"), "%s", d->error);
	engine_registry_free(r);
}

Test(engine_probe, arch_comes_from_the_cache_while_the_fingerprint_holds)
{
	struct fake_server *fs = serve("ping.http", BUILTIN_A);
	const char *arch;

	/* Cold: ping, builtin networks, then /info. */
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_str_eq(arch, "amd64");
	/* Warm: no /info. */
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 2);
	cr_assert_str_eq(arch, "amd64");
	fake_stop(fs);
}

Test(engine_probe, a_replaced_daemon_is_asked_again)
{
	struct fake_server *fs = serve("ping.http", BUILTIN_A);
	const char *arch;

	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 2);
	fake_stop(fs);
	/* Same endpoint and version, new builtin network ids. */
	fs = serve("ping.http", BUILTIN_B);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_str_eq(arch, "amd64");
	fake_stop(fs);
}

Test(engine_probe, an_upgraded_daemon_is_asked_again)
{
	struct fake_server *fs = serve("ping.http", BUILTIN_A);
	const char *arch;

	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	fake_stop(fs);
	/* Same endpoint and networks, another Server and Api-Version. */
	fs = serve("ping_new.http", BUILTIN_A);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 2);
	fake_stop(fs);
}

Test(engine_probe, no_builtin_networks_means_no_cache)
{
	struct fake_server *fs = serve("ping.http", "[]");
	const char *arch;

	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_str_eq(arch, "amd64");
	fake_stop(fs);
}

Test(engine_probe, an_unwritable_cache_costs_a_request_not_an_answer)
{
	struct fake_server *fs;
	const char *arch;
	char file[128];
	FILE *f;

	/* The cache directory is a file. */
	snprintf(file, sizeof(file), "%s/c", tmp);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fclose(f);
	fs = serve("ping.http", BUILTIN_A);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_str_eq(arch, "amd64");
	fake_stop(fs);
}

Test(engine_probe, a_garbled_cache_is_ignored)
{
	struct fake_server *fs;
	const char *arch;
	char dir[128], file[160];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/c", tmp);
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/daemons", dir);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("garbage\n\n0123 arm64\n", f);
	fclose(f);
	fs = serve("ping.http", BUILTIN_A);
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	cr_assert_str_eq(arch, "amd64");
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 2);
	fake_stop(fs);
}

Test(engine_probe, info_goes_out_beside_the_ping)
{
	struct fake_server *fs = serve("ping.http", BUILTIN_A);
	const char *arch;

	cr_assert_eq(probe(fs, ENGINE_PROBE_INFO, &arch), 3);
	cr_assert_str_eq(arch, "amd64");
	/* What /info said is cached for the next command. */
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 2);
	cr_assert_str_eq(arch, "amd64");
	fake_stop(fs);
}

static void count_list(void *ud,
		       int rc,
		       const struct engine_container_list *list,
		       const struct diag *err)
{
	(void)list;
	(void)err;
	*(int *)ud = rc ? -1 : 1;
}

Test(engine_probe, the_probe_ping_is_the_negotiation_ping)
{
	static const struct fake_route r2[] = {
		{.path = "/_ping", .fixture = "ping.http"},
		{.path = "/containers/json", .fixture = "containers_list.http"},
	};
	struct fake_server *fs = fake_start(r2, 2);
	struct engine_registry *r = reg_for(fake_url(fs), "");
	struct engine_loop *l = engine_loop_new();
	struct engine_probe *pr = engine_registry_probe_start(r, l, 0);
	struct engine_daemon *d = engine_registry_find(r, "d");
	struct diag err = {0};
	char target[256];
	int listed = 0;

	engine_container_list_async(l, engine_registry_engine(r, d, &err), NULL,
				    count_list, &listed);
	engine_loop_run(l, -1);
	engine_loop_free(l);
	engine_registry_probe_finish(pr);
	cr_assert_eq(listed, 1);
	cr_assert_eq(fake_requests(fs), 2, "one ping, one list");
	fake_last(fs, target, sizeof(target), NULL, 0);
	cr_assert(strstr(target, "/v1.41/containers/json"), "%s", target);
	engine_registry_free(r);
	fake_stop(fs);
}

struct hand {
	struct engine_probe *pr;
	struct engine_registry *r;
};

/* The caller's list of all networks, handed to the probe. */
static void hand_nets(void *ud,
		      int rc,
		      struct engine_network_list *nl,
		      const struct diag *err)
{
	struct hand *h = ud;

	cr_assert_eq(rc, 0, "%s", err ? err->msg : "");
	engine_probe_networks(h->pr, engine_registry_find(h->r, "d"), nl);
	engine_network_list_free(nl);
}

Test(engine_probe, a_full_network_list_gives_the_same_fingerprint)
{
	/* A user network beside the builtin ones changes nothing. */
	static const char all[] =
		"[{\"Name\":\"proj_default\",\"Id\":\"u1\"},"
		"{\"Name\":\"host\",\"Id\":\"h1\"},{\"Name\":\"bridge\","
		"\"Id\":\"b1\"}]";
	struct fake_server *fs = serve("ping.http", all);
	struct engine_loop *l = engine_loop_new();
	struct hand h;
	struct engine_registry *r;
	struct engine_daemon *d;
	struct diag err = {0};
	const char *arch;
	char url[128];
	int before;

	/* Cold, with the probe's own list: ping, networks, /info. */
	cr_assert_eq(probe(fs, ENGINE_PROBE_ARCH, &arch), 3);
	snprintf(url, sizeof(url), "unix://%s/d.sock", tmp);
	r = reg_for(url, ",os=linux");
	before = fake_requests(fs);
	h.r = r;
	h.pr = engine_registry_probe_start(
		r, l, ENGINE_PROBE_ARCH | ENGINE_PROBE_NETS);
	d = engine_registry_find(r, "d");
	engine_network_list_async(l, engine_registry_engine(r, d, &err), NULL,
				  hand_nets, &h);
	cr_assert_eq(engine_loop_run(l, 10000), 0);
	engine_registry_probe_finish(h.pr);
	/* Warm: the ping and the caller's list; the arch from the cache. */
	cr_assert_eq(fake_requests(fs) - before, 2);
	cr_assert_str_eq(d->arch, "amd64");
	engine_loop_free(l);
	engine_registry_free(r);
	fake_stop(fs);
}
